//! Criterion benchmarks of the three kernels at the reference size, 10× smaller and 10× larger.
//!
//! Ids are stable (`cosine/768x1000`, `spread/1000n-5000e-100i`, `decay/10000`): baselines are keyed
//! by them. Ids and sizes come from `workload`'s case lists, which the instruction-counting probe
//! (`examples/perfmatrix_count.rs`) uses too. The variant measured is the one
//! `PERFMATRIX_KERNEL_VARIANT` selects (default: best).
//!
//! Test-only knob for the experiment in docs/statistics.md: `PERFMATRIX_PLANT_SLOWDOWN=decay=0.15`
//! makes every call of one kernel take 15% longer (it spins after the call for 15% of the call's
//! own time). It lives here, not in the library, so that the planted and the normal runs measure
//! the very same binary: a cargo feature in the library changed the build and, with it, the
//! timings of the other kernels.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use perfmatrix_kernels::{Kernels, workload};

fn kernels() -> Kernels {
    Kernels::from_env().unwrap_or_else(|err| panic!("cannot select the kernel variant: {err}"))
}

/// The fraction by which `kernel` is planted slower, from `PERFMATRIX_PLANT_SLOWDOWN`.
fn planted(kernel: &str) -> Option<f64> {
    let plan = std::env::var("PERFMATRIX_PLANT_SLOWDOWN").ok()?;
    let (name, fraction) = plan.split_once('=')?;
    let fraction: f64 = fraction.trim().parse().ok()?;
    (name.trim() == kernel && fraction.is_finite() && fraction > 0.0).then_some(fraction)
}

/// Runs `call`, then, when planted, spins for `fraction` of the time it took.
#[inline]
fn with_plant(fraction: Option<f64>, call: impl FnOnce()) {
    match fraction {
        None => call(),
        Some(fraction) => {
            let start = Instant::now();
            call();
            let extra = start.elapsed().mul_f64(fraction);
            let spin = Instant::now();
            while spin.elapsed() < extra {
                std::hint::spin_loop();
            }
        }
    }
}

fn cosine(c: &mut Criterion) {
    let (k, plant) = (kernels(), planted("cosine"));
    let mut group = c.benchmark_group("cosine");
    for case in workload::COSINE_CASES {
        let n = case.n;
        let input = case.input();
        let mut out = vec![0.0_f32; n];
        group.throughput(Throughput::Bytes((input.candidates.len() * 4) as u64));
        group.bench_function(BenchmarkId::from_parameter(case.parameter()), |b| {
            b.iter(|| {
                with_plant(plant, || {
                    k.cosine_batch(
                        black_box(&input.query),
                        black_box(&input.candidates),
                        &mut out,
                    )
                    .expect("valid input");
                });
                black_box(&out);
            });
        });
    }
    group.finish();
}

fn spread(c: &mut Criterion) {
    let (k, plant) = (kernels(), planted("spread"));
    let mut group = c.benchmark_group("spread");
    for case in workload::SPREAD_CASES {
        let (edges, iters) = (case.edges, case.iterations);
        let input = case.input();
        group.throughput(Throughput::Elements((edges * iters as usize) as u64));
        group.bench_function(BenchmarkId::from_parameter(case.parameter()), |b| {
            // Every call starts from the same activations; restoring them is not timed.
            b.iter_batched_ref(
                || input.activations.clone(),
                |act| {
                    with_plant(plant, || {
                        k.spread(black_box(&input.graph), act, input.params)
                            .expect("valid input");
                    });
                },
                BatchSize::SmallInput,
            );
        });
    }
    group.finish();
}

fn decay(c: &mut Criterion) {
    let (k, plant) = (kernels(), planted("decay"));
    let mut group = c.benchmark_group("decay");
    for case in workload::DECAY_CASES {
        let n = case.n;
        let input = case.input();
        group.throughput(Throughput::Elements(n as u64));
        group.bench_function(BenchmarkId::from_parameter(case.parameter()), |b| {
            // Decaying the same buffer over and over would drive it to zero (and subnormals), so
            // every call gets fresh strengths; making them is not timed.
            b.iter_batched_ref(
                || input.strengths.clone(),
                |strengths| {
                    with_plant(plant, || {
                        k.decay(strengths, black_box(&input.ages), input.lambda)
                            .expect("valid input");
                    });
                },
                BatchSize::SmallInput,
            );
        });
    }
    group.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
}

criterion_group! {
    name = benches;
    config = config();
    targets = cosine, spread, decay
}
criterion_main!(benches);
