//! Builders shared by the model's integration tests: a fingerprint, results and baselines.

#![allow(
    dead_code,
    unreachable_pub,
    reason = "each test file uses a different subset"
)]

use std::path::{Path, PathBuf};

use perfmatrix_fingerprint::Fingerprint;
use perfmatrix_model::{BenchResult, BenchmarkId, Results, RunSettings, SampleSummary};
use perfmatrix_stats::Sample;

/// The example fingerprint with another x86 model number: `model` picks the machine class.
pub fn fingerprint(model: u32) -> Fingerprint {
    let mut fp = Fingerprint::example();
    if let Some(x86) = fp.cpu.x86.as_mut() {
        x86.model = model;
    }
    fp
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
        summary: SampleSummary::of(&samples_ns),
        samples_ns,
        counts: None,
        seconds: None,
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
