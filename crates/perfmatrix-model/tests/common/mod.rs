//! Builders shared by the model's integration tests: a fingerprint, results and baselines.

#![allow(
    dead_code,
    unreachable_pub,
    reason = "each test file uses a different subset"
)]

use std::path::{Path, PathBuf};

use perfmatrix_fingerprint::{
    Cores, Cpu, Environment, Fingerprint, Git, SCHEMA_VERSION, TargetTriple, Toolchain, X86Id,
};
use perfmatrix_model::{BenchResult, BenchmarkId, Results, RunSettings, Summary};
use perfmatrix_stats::Sample;

pub fn fingerprint(model: u32) -> Fingerprint {
    Fingerprint {
        schema: SCHEMA_VERSION,
        target: TargetTriple::parse("x86_64-unknown-linux-gnu").unwrap(),
        os: "Linux".into(),
        cpu: Cpu {
            vendor: "AuthenticAMD".into(),
            brand: "AMD EPYC 7763 64-Core Processor".into(),
            x86: Some(X86Id {
                family: 25,
                model,
                stepping: 1,
            }),
            arm: None,
        },
        cores: Cores {
            logical: 4,
            physical: Some(2),
        },
        simd_features: vec!["avx2".into(), "fma".into()],
        kernel_variants: [("cosine", "avx2-fma"), ("decay", "avx2-fma")]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect(),
        memory_bytes: Some(1 << 34),
        toolchain: Toolchain::new("rustc 1.95.0", "cc 12", "bench"),
        environment: Environment {
            emulated: None,
            virtualized: None,
        },
        git: Git {
            commit: "0123456789abcdef0123456789abcdef01234567".into(),
            dirty: false,
        },
    }
}

pub const FULL: RunSettings = RunSettings {
    quick: false,
    filter: None,
    warm_up_seconds: 0.5,
    measurement_seconds: 2.0,
    sample_size: 50,
};

/// A sample of 60 times around `center` (±2%, deterministic).
pub fn times(center: f64, salt: u64) -> Vec<f64> {
    (0..60u64)
        .map(|i| {
            let jitter = ((i * 7919 + salt * 104_729) % 41) as f64 / 1000.0 - 0.02;
            center * (1.0 + jitter)
        })
        .collect()
}

pub fn bench(id: &str, center: f64, salt: u64) -> BenchResult {
    let samples_ns = Sample::new(times(center, salt)).unwrap();
    BenchResult {
        id: BenchmarkId::new(id).unwrap(),
        throughput: None,
        summary: Summary::of(&samples_ns),
        samples_ns,
    }
}

pub fn results(fp: Fingerprint, benches: Vec<BenchResult>) -> Results {
    Results::new(fp, FULL, 1_700_000_000, benches)
}

pub fn runs_of(
    dir: &Path,
    k: usize,
    fp: &Fingerprint,
    centers: &[(&str, f64)],
) -> Vec<(PathBuf, Results)> {
    (0..k)
        .map(|run| {
            let benches = centers
                .iter()
                .map(|(id, c)| bench(id, c * (1.0 + run as f64 * 0.005), run as u64))
                .collect();
            (
                dir.join(format!("run-{run}.json")),
                results(fp.clone(), benches),
            )
        })
        .collect()
}
