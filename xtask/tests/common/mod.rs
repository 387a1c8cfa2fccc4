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

/// The records of a history folder, every file read whole (none skipped).
pub fn history_records(dir: &Path) -> Vec<perfmatrix_history::HistoryRecord> {
    let history = perfmatrix_history::History::read_dir(dir).unwrap();
    assert!(history.bad.is_empty(), "{:?}", history.bad);
    history.records
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
        seconds: None,
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
            ..Row::bare(perfmatrix_model::BenchmarkId::new(*id).unwrap(), *verdict)
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

/// A paired leg of `triple` whose eight pairs put `decay/10000` at `factor` × the base, judged
/// with the workspace settings `metadata` (`[workspace.metadata]` as `cargo metadata` gives it).
pub fn paired_leg(triple: &str, factor: f64, metadata: &serde_json::Value) -> Judged {
    use perfmatrix_model::{Config, Method, PairRecord, PairedBench, PairedRun, Revision};
    let mut r = results(triple, false, 0);
    let revision = |name: &str, commit: &str| Revision {
        name: name.to_owned(),
        commit: commit.to_owned(),
        dirty: false,
    };
    let pairs = (0..8)
        .map(|i| {
            let log_ratio = factor.ln() + if i % 2 == 0 { 0.005 } else { -0.005 };
            PairRecord {
                base_ns: 100.0,
                head_ns: 100.0 * log_ratio.exp(),
                log_ratio,
            }
        })
        .collect();
    r.paired = Some(PairedRun {
        head: revision("working tree", &r.fingerprint.git.commit),
        base: revision("origin/main", "2222222222222222"),
        why: perfmatrix_model::PairedBecause::Against {
            rev: "origin/main".to_owned(),
        },
        benchmarks: vec![PairedBench {
            id: BenchmarkId::new("decay/10000").unwrap(),
            method: Method::Interleaved,
            iterations_per_sample: Some(100),
            samples_per_pair: 30,
            pairs,
            profiles: None,
            budget_limited: false,
        }],
        base_benchmarks: r.benchmarks.clone(),
        base_only: Vec::new(),
        criterion_layer: None,
        settings_changed: Vec::new(),
        budget_seconds: None,
    });
    let config = Config::from_cargo_metadata(metadata).unwrap();
    let verdict = Report::paired(&r, &config).unwrap();
    Judged {
        results: r,
        verdict,
    }
}
