//! Helpers shared by the command line's integration tests: run the xtask binary, build results
//! files.

#![allow(
    dead_code,
    unreachable_pub,
    reason = "each test file uses a different subset"
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use perfmatrix_fingerprint::{Fingerprint, TargetTriple};
use perfmatrix_model::{
    BenchResult, BenchmarkId, Report, Results, Row, RowVerdict, RunSettings, SampleSummary,
};
use perfmatrix_stats::{Interval, Sample};

pub fn xtask(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("xtask runs")
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut all = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            if e.path().is_dir() {
                all.extend(files_in(&e.path()));
            } else {
                all.push(e.path());
            }
        }
    }
    all
}

pub fn results(triple: &str, quick: bool, salt: u64) -> Results {
    let mut fingerprint = Fingerprint::example();
    fingerprint.target = TargetTriple::parse(triple).unwrap();
    let samples_ns = Sample::new(
        (0..20)
            .map(|i| 100.0 + f64::from(i) + salt as f64)
            .collect(),
    )
    .unwrap();
    let bench = BenchResult {
        id: BenchmarkId::new("decay/10000").unwrap(),
        throughput: None,
        summary: SampleSummary::of(&samples_ns),
        samples_ns,
        counts: None,
    };
    let settings = RunSettings {
        quick,
        filter: None,
        warm_up_seconds: 0.5,
        measurement_seconds: 2.0,
        sample_size: 20,
    };
    Results::new(fingerprint, settings, 1_700_000_000, vec![bench])
}

pub fn write_results(dir: &Path, name: &str, r: &Results) -> String {
    let path = dir.join(name);
    r.save(&path).unwrap();
    path.display().to_string()
}

/// Results of `triple` judged with one row per `(id, verdict)` against a selected baseline.
pub fn judged(triple: &str, rows: &[(&str, RowVerdict)]) -> Results {
    let mut r = results(triple, false, 0);
    let rows: Vec<Row> = rows
        .iter()
        .map(|(id, verdict)| Row {
            change: Some(Interval::new(-0.01, 0.0, 0.01).unwrap()),
            ..Row::bare(id, *verdict)
        })
        .collect();
    r.verdict = Some(Report {
        fingerprint_slug: r.fingerprint.slug(),
        fingerprint_id: r.fingerprint.comparability_key().id(),
        cpu: r.fingerprint.cpu.brand.clone(),
        ..Report::example(triple, rows)
    });
    r
}
