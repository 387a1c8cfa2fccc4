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

/// A run's file: results alone, or judged.
pub trait RunFile {
    /// Writes it to `path`.
    fn save_to(&self, path: &Path);
}

impl RunFile for Results {
    fn save_to(&self, path: &Path) {
        self.save(path).unwrap();
    }
}

/// A run and its verdict, as `bench` writes them.
pub struct Judged {
    pub results: Results,
    pub verdict: Report,
}

impl RunFile for Judged {
    fn save_to(&self, path: &Path) {
        self.results.save_judged(path, &self.verdict).unwrap();
    }
}

impl Judged {
    /// The results file's JSON.
    pub fn json(&self) -> serde_json::Value {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("judged.json");
        self.save_to(&path);
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap()
    }
}

pub fn write_results(dir: &Path, name: &str, r: &impl RunFile) -> String {
    let path = dir.join(name);
    r.save_to(&path);
    path.display().to_string()
}

/// Results of `triple` judged with one row per `(id, verdict)` against a selected baseline.
pub fn judged(triple: &str, rows: &[(&str, RowVerdict)]) -> Judged {
    let r = results(triple, false, 0);
    let rows: Vec<Row> = rows
        .iter()
        .map(|(id, verdict)| Row {
            change: Some(Interval::new(-0.01, 0.0, 0.01).unwrap()),
            ..Row::bare(id, *verdict)
        })
        .collect();
    let verdict = Report {
        fingerprint_slug: r.fingerprint.slug(),
        fingerprint_id: r.fingerprint.comparability_key().id(),
        cpu: r.fingerprint.cpu.brand.clone(),
        ..Report::example(triple, rows)
    };
    Judged {
        results: r,
        verdict,
    }
}
