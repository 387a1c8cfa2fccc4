//! How long `cargo xtask merge` takes for a large matrix: reading every leg's results file (with
//! all its samples and its verdict) and merging them, for 8 platforms × 1,000 / 2,500 / 5,000
//! benchmarks (linear growth, well under a second at the top). A tooling benchmark, run by hand
//! (`cargo bench -p perfmatrix-model --bench merge`) and excluded from the gated suite.

use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{BenchmarkId as CriterionId, Criterion, SamplingMode, Throughput};
use perfmatrix_fingerprint::{Fingerprint, TargetTriple};
use perfmatrix_model::{
    BenchResult, BenchmarkId, Expected, LegResults, Report, Results, Row, RowVerdict, RunSettings,
    SampleSummary, merge,
};
use perfmatrix_stats::{Interval, Sample};

const PLATFORMS: usize = 8;
const SAMPLES: usize = 50;

fn platform(i: usize) -> String {
    let arch = [
        "x86_64",
        "aarch64",
        "riscv64gc",
        "powerpc64le",
        "s390x",
        "i686",
        "armv7",
        "loongarch64",
    ];
    let abi = if arch[i % arch.len()] == "armv7" {
        "gnueabihf"
    } else {
        "gnu"
    };
    format!("{}-unknown-linux-{abi}", arch[i % arch.len()])
}

/// A leg's run with `n` benchmarks, each with its samples, and its verdict with a row each.
fn results(i: usize, n: usize) -> (Results, Report) {
    let mut fp = Fingerprint::example();
    fp.target = TargetTriple::parse(&platform(i)).expect("a valid triple");
    let mut rows = Vec::with_capacity(n);
    let mut benches = Vec::with_capacity(n);
    for b in 0..n {
        let id = format!("group{}/bench-{b}", b % 50);
        let center = 1_000.0 + (b * 37 % 1_000) as f64;
        let times: Vec<f64> = (0..SAMPLES)
            .map(|s| center * (1.0 + ((s * 7919 + b) % 41) as f64 / 1_000.0))
            .collect();
        let samples_ns = Sample::new(times).expect("finite samples");
        let change = ((b + i) % 21) as f64 / 100.0 - 0.1;
        let verdict = match change {
            c if c > 0.05 => RowVerdict::Warning,
            c if c < -0.05 => RowVerdict::Improved,
            _ => RowVerdict::Unchanged,
        };
        rows.push(Row {
            new_median_ns: Some(center * (1.0 + change)),
            base_median_ns: Some(center),
            change: Some(Interval::new(change - 0.01, change, change + 0.01).expect("ordered")),
            p_value: Some(0.01),
            noise: Some(0.02),
            warn: Some(0.05),
            fail: Some(0.1),
            minimum_detectable_effect: Some(0.03),
            ..Row::bare(
                perfmatrix_model::BenchmarkId::new(id.as_str()).unwrap(),
                verdict,
            )
        });
        benches.push(BenchResult {
            id: BenchmarkId::new(id).expect("a valid id"),
            throughput: None,
            summary: SampleSummary::of(&samples_ns),
            samples_ns,
            counts: None,
            seconds: None,
        });
    }
    let settings = RunSettings {
        quick: false,
        filter: None,
        warm_up_seconds: 0.5,
        measurement_seconds: 2.0,
        sample_size: 50,
    };
    let results = Results::new(fp.clone(), settings, 1_700_000_000, benches);
    let verdict = Report {
        fingerprint_slug: fp.slug(),
        fingerprint_id: fp.comparability_key().id(),
        cpu: fp.cpu.brand.clone(),
        ..Report::example(fp.target.as_str(), rows)
    };
    (results, verdict)
}

fn write_legs(dir: &Path, n: usize) -> Vec<PathBuf> {
    (0..PLATFORMS)
        .map(|i| {
            let path = dir.join(format!("{n}-{}.json", platform(i)));
            let (results, verdict) = results(i, n);
            results
                .save_judged(&path, &verdict)
                .expect("the results file is written");
            path
        })
        .collect()
}

fn load_and_merge(files: &[PathBuf]) -> usize {
    let legs: Vec<LegResults> = files
        .iter()
        .map(|p| LegResults::load(p).expect("a valid results file"))
        .collect();
    let expected: Vec<Expected> = (0..PLATFORMS)
        .map(|i| Expected {
            platform: perfmatrix_model::TargetTriple::parse(&platform(i)).unwrap(),
            required: true,
        })
        .collect();
    merge(legs, &expected, &[])
        .expect("merges")
        .benchmarks
        .len()
}

/// `PERFMATRIX_MERGE_BENCH_DIR=<folder>` keeps the results files there (to time the whole
/// `merge` command on them, docs/matrix.md); by default they go to a temporary folder.
fn bench_merge(c: &mut Criterion) {
    let temp = tempfile::tempdir().expect("a temp dir");
    let kept = std::env::var_os("PERFMATRIX_MERGE_BENCH_DIR").map(PathBuf::from);
    let dir = kept.as_deref().unwrap_or(temp.path());
    std::fs::create_dir_all(dir).expect("the folder of the results files");
    let mut group = c.benchmark_group("merge");
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(5));
    for n in [1_000, 2_500, 5_000] {
        let files = write_legs(dir, n);
        group.throughput(Throughput::Elements((n * PLATFORMS) as u64));
        group.bench_with_input(
            CriterionId::new("load+merge", format!("{PLATFORMS}x{n}")),
            &files,
            |b, files| b.iter(|| load_and_merge(files)),
        );
    }
    group.finish();
}

criterion::criterion_group!(benches, bench_merge);
criterion::criterion_main!(benches);
