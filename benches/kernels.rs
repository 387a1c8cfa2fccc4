//! Criterion benchmarks of the three kernels at the reference size, 10× smaller and 10× larger.
//!
//! Ids are stable (`cosine/768x1000`, `spread/1000n-5000e-100i`, `decay/10000`): baselines are keyed
//! by them. The variant measured is the one `PERFMATRIX_KERNEL_VARIANT` selects (default: best).

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use perfmatrix_kernels::{Kernels, workload};

fn kernels() -> Kernels {
    Kernels::from_env().unwrap_or_else(|err| panic!("cannot select the kernel variant: {err}"))
}

fn cosine(c: &mut Criterion) {
    let k = kernels();
    let mut group = c.benchmark_group("cosine");
    for n in [100, 1_000, 10_000] {
        let d = 768;
        let input = workload::cosine_input(d, n);
        let mut out = vec![0.0_f32; n];
        group.throughput(Throughput::Bytes((input.candidates.len() * 4) as u64));
        group.bench_function(BenchmarkId::from_parameter(format!("{d}x{n}")), |b| {
            b.iter(|| {
                k.cosine_batch(
                    black_box(&input.query),
                    black_box(&input.candidates),
                    &mut out,
                )
                .expect("valid input");
                black_box(&out);
            });
        });
    }
    group.finish();
}

fn spread(c: &mut Criterion) {
    let k = kernels();
    let mut group = c.benchmark_group("spread");
    for (nodes, edges) in [(100, 500), (1_000, 5_000), (10_000, 50_000)] {
        let iters = 100;
        let input = workload::spread_input(nodes, edges, iters);
        let mut act = input.activations.clone();
        group.throughput(Throughput::Elements((edges * iters as usize) as u64));
        let id = format!("{nodes}n-{edges}e-{iters}i");
        group.bench_function(BenchmarkId::from_parameter(id), |b| {
            b.iter(|| {
                act.copy_from_slice(&input.activations);
                k.spread(black_box(&input.graph), &mut act, input.params)
                    .expect("valid input");
                black_box(&act);
            });
        });
    }
    group.finish();
}

fn decay(c: &mut Criterion) {
    let k = kernels();
    let mut group = c.benchmark_group("decay");
    for n in [1_000, 10_000, 100_000] {
        let input = workload::decay_input(n);
        let mut strengths = input.strengths.clone();
        group.throughput(Throughput::Elements(n as u64));
        group.bench_function(BenchmarkId::from_parameter(n), |b| {
            b.iter(|| {
                // Decaying the same buffer over and over would drive it to zero (and subnormals);
                // restoring it costs a memcpy, a few percent of the kernel at every size.
                strengths.copy_from_slice(&input.strengths);
                k.decay(&mut strengths, black_box(&input.ages), input.lambda)
                    .expect("valid input");
                black_box(&strengths);
            });
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
