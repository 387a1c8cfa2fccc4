//! Criterion benchmarks of the three kernels at the reference size, 10× smaller and 10× larger.
//!
//! Ids are stable (`cosine/768x1000`, `spread/1000n-5000e-100i`, `decay/10000`): baselines are keyed
//! by them. The variant measured is the one `PERFMATRIX_KERNEL_VARIANT` selects (default: best).
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
    for n in [100, 1_000, 10_000] {
        let d = 768;
        let input = workload::cosine_input(d, n);
        let mut out = vec![0.0_f32; n];
        group.throughput(Throughput::Bytes((input.candidates.len() * 4) as u64));
        group.bench_function(BenchmarkId::from_parameter(format!("{d}x{n}")), |b| {
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
    for (nodes, edges) in [(100, 500), (1_000, 5_000), (10_000, 50_000)] {
        let iters = 100;
        let input = workload::spread_input(nodes, edges, iters);
        group.throughput(Throughput::Elements((edges * iters as usize) as u64));
        let id = format!("{nodes}n-{edges}e-{iters}i");
        group.bench_function(BenchmarkId::from_parameter(id), |b| {
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
    for n in [1_000, 10_000, 100_000] {
        let input = workload::decay_input(n);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_function(BenchmarkId::from_parameter(n), |b| {
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
