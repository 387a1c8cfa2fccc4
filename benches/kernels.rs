//! The benchmarks of the three kernels at the reference size, 10× smaller and 10× larger, each
//! defined once on perfmatrix's harness: the same definition runs under criterion (`cargo
//! bench`), as the sample server `cargo xtask bench --against` interleaves, and in the counting
//! mode callgrind counts (`crates/perfmatrix-harness`).
//!
//! Ids are stable (`cosine/768x1000`, `spread/1000n-5000e-100i`, `decay/10000`): baselines are keyed
//! by them. Ids and sizes come from `workload::Case`, the one list of cases. The variant measured is the one
//! `PERFMATRIX_KERNEL_VARIANT` selects (default: best).
//!
//! With planted work (`PERFMATRIX_PLANT_WORK=<kernel>=<fraction>`, docs/statistics.md) each call
//! also runs the kernel on about that fraction of its input: cosine on the first `fraction·n`
//! rows, decay on a fresh copy of the first `fraction·n` strengths, spread from the initial
//! activations for `fraction·iterations` rounds (at least one row, element or round).

use std::hint::black_box;
use std::time::Duration;

use perfmatrix_harness::{Harness, Routine, Setup, Throughput};
use perfmatrix_kernels::workload::{Case, CosineCase, DecayCase, SpreadCase};
use perfmatrix_kernels::{Kernels, SpreadParams};

fn kernels() -> Kernels {
    Kernels::from_env().unwrap_or_else(|err| panic!("cannot select the kernel variant: {err}"))
}

/// `fraction` of `total`, rounded to the nearest integer, at least 1 and at most `total`.
fn share(total: usize, fraction: f64) -> usize {
    ((total as f64 * fraction).round() as usize).clamp(1, total)
}

fn cosine(case: CosineCase, setup: &Setup) -> Routine<impl Sized + use<>> {
    let (k, input) = (kernels(), case.input());
    let out = vec![0.0_f32; case.n];
    let extra_rows = setup.work.map(|f| share(case.n, f));
    Routine::new((input, out), move |(input, out)| {
        k.cosine_batch(black_box(&input.query), black_box(&input.candidates), out)
            .expect("valid input");
        if let Some(rows) = extra_rows {
            k.cosine_batch(
                black_box(&input.query),
                black_box(&input.candidates[..rows * case.d]),
                &mut out[..rows],
            )
            .expect("valid input");
        }
        black_box(&out);
    })
}

fn spread(case: SpreadCase, setup: &Setup) -> Routine<impl Sized + use<>> {
    let (k, input) = (kernels(), case.input());
    let extra = setup.work.map(|f| SpreadParams {
        iterations: share(case.iterations as usize, f) as u32,
        ..input.params
    });
    let state = (input.activations.clone(), input.activations.clone(), input);
    // Every call starts from the same activations; restoring them is not timed.
    Routine::new(state, move |(act, extra_act, input)| {
        k.spread(black_box(&input.graph), act, input.params)
            .expect("valid input");
        if let Some(params) = extra {
            k.spread(black_box(&input.graph), extra_act, params)
                .expect("valid input");
        }
    })
    .with_reset(|(act, extra_act, input)| {
        act.copy_from_slice(&input.activations);
        extra_act.copy_from_slice(&input.activations);
    })
}

fn decay(case: DecayCase, setup: &Setup) -> Routine<impl Sized + use<>> {
    let (k, input) = (kernels(), case.input());
    let extra_n = setup.work.map_or(0, |f| share(case.n, f));
    let state = (
        input.strengths.clone(),
        input.strengths[..extra_n].to_vec(),
        input,
    );
    // Decaying the same buffer over and over would drive it to zero (and subnormals), so every
    // call gets fresh strengths; making them is not timed.
    Routine::new(state, move |(strengths, extra, input)| {
        k.decay(strengths, black_box(&input.ages), input.lambda)
            .expect("valid input");
        if !extra.is_empty() {
            let ages = &input.ages[..extra.len()];
            k.decay(extra, black_box(ages), input.lambda)
                .expect("valid input");
        }
    })
    .with_reset(|(strengths, extra, input)| {
        strengths.copy_from_slice(&input.strengths);
        let n = extra.len();
        extra.copy_from_slice(&input.strengths[..n]);
    })
}

fn main() {
    let mut h = Harness::new();
    h.criterion_times(Duration::from_secs(1), Duration::from_secs(3));
    h.dispatch(|| {
        kernels()
            .dispatch()
            .iter()
            .map(|(kernel, variant)| (kernel.name().to_owned(), variant.name().to_owned()))
            .collect()
    });
    for case in Case::all() {
        let id = case.id();
        match case {
            Case::Cosine(c) => {
                let bytes = (c.d * c.n * 4) as u64;
                h.bench(id, move |s| cosine(c, s))
                    .throughput(Throughput::Bytes(bytes));
            }
            Case::Spread(c) => {
                let elements = (c.edges * c.iterations as usize) as u64;
                h.bench(id, move |s| spread(c, s))
                    .throughput(Throughput::Elements(elements));
            }
            Case::Decay(c) => {
                h.bench(id, move |s| decay(c, s))
                    .throughput(Throughput::Elements(c.n as u64));
            }
        }
    }
    h.run();
}
