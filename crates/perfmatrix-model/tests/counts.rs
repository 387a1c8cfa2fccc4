//! Instruction counts and peak memory: recorded into baselines from every run, selected by the
//! build that made them (not the CPU model), compared exactly, and the worst metric decides.

mod common;

use std::path::{Path, PathBuf};

use common::{bench, fingerprint, results, runs_of};
use perfmatrix_fingerprint::Fingerprint;
use perfmatrix_model::{
    Baseline, BenchResult, Config, CountNote, Counts, Judging, Measured, Metric, Outcome,
    Reference, Report, Results, RowVerdict, Selection, Unmeasured, baseline_path, select,
    select_counts,
};

fn counts(instructions: u64, peak: u64) -> Counts {
    Counts {
        instructions: Measured::Value {
            value: instructions,
        },
        peak_rss_bytes: Measured::Value { value: peak },
    }
}

fn counted(id: &str, center: f64, instructions: u64, peak: u64) -> BenchResult {
    BenchResult {
        counts: Some(counts(instructions, peak)),
        ..bench(id, center, 1)
    }
}

/// Records a baseline of three runs on `fp` whose benchmark `a/1` counted `instructions`.
fn record(dir: &Path, fp: &Fingerprint, instructions: Option<u64>) -> PathBuf {
    let mut runs = runs_of(dir, 3, fp, &[("a/1", 100.0)]);
    for (_, r) in &mut runs {
        r.benchmarks[0].counts = instructions.map(|n| counts(n, 1 << 20));
    }
    let refs: Vec<_> = runs.iter().map(|(p, r)| (p.as_path(), r.clone())).collect();
    let b = Baseline::from_runs(&refs).unwrap();
    let path = baseline_path(dir, &b.fingerprint);
    b.save(&path).unwrap();
    path
}

fn judge(dir: &Path, run: &Results) -> Report {
    let sel = select(dir, &run.fingerprint).unwrap();
    let preferred = match &sel {
        Selection::Matched { path, .. } => Some(path.clone()),
        Selection::NoComparable { .. } => None,
    };
    let counts = select_counts(dir, &run.fingerprint, preferred.as_deref()).unwrap();
    Report::build(
        run,
        &sel,
        Some(&counts),
        &Config::default(),
        &perfmatrix_model::RecordCommand::for_run("cargo xtask", run),
        Judging::GATED,
    )
    .unwrap()
}

#[test]
fn a_baseline_keeps_the_runs_counts() {
    let dir = tempfile::tempdir().unwrap();
    let path = record(dir.path(), &fingerprint(1), Some(123_456));
    let b = Baseline::load(&path).unwrap();
    assert_eq!(b.benchmarks[0].instructions, Some(123_456));
    assert_eq!(b.benchmarks[0].peak_rss_bytes, Some(1 << 20));
    assert!(b.has_counts());
    let path = record(dir.path(), &fingerprint(2), None);
    let b = Baseline::load(&path).unwrap();
    assert_eq!(b.benchmarks[0].instructions, None, "never a zero");
    assert_eq!(b.benchmarks[0].peak_rss_bytes, None);
    assert!(!b.has_counts());
}

#[test]
fn a_zero_count_in_a_baseline_file_is_refused_naming_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let path = record(dir.path(), &fingerprint(1), Some(10));
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("\"instructions\": 10", "\"instructions\": 0");
    std::fs::write(&path, text).unwrap();
    let err = Baseline::load(&path).unwrap_err().to_string();
    assert!(err.contains("benchmarks[0].instructions"), "{err}");
}

#[test]
fn counts_of_another_cpu_model_gate_the_same_build() {
    let dir = tempfile::tempdir().unwrap();
    // Recorded on model 17; this run is on model 1: no wall-time baseline, but the same build.
    let other_cpu = record(dir.path(), &fingerprint(17), Some(1_000_000));
    let run = results(
        fingerprint(1),
        vec![counted("a/1", 100.0, 1_020_000, 1 << 20)],
    );
    let report = judge(dir.path(), &run);
    assert!(matches!(
        report.reference,
        Reference::NoComparableBaseline { .. }
    ));
    match &report.count_reference {
        Some(Reference::Baseline { path, .. }) => {
            assert_eq!(Path::new(path), other_cpu);
        }
        other => panic!("{other:?}"),
    }
    let row = &report.rows[0];
    assert_eq!(row.time_verdict, RowVerdict::NoBaseline);
    let instructions = row.instructions.as_ref().unwrap();
    assert_eq!(instructions.verdict, RowVerdict::Regressed);
    assert!((instructions.change.unwrap() - 0.02).abs() < 1e-12);
    assert_eq!(
        (row.verdict, row.decided_by),
        (RowVerdict::Regressed, Metric::Instructions)
    );
    assert_eq!(report.outcome(), Outcome::Fail, "gated by counts alone");
}

#[test]
fn an_unchanged_build_passes_on_counts_and_a_small_change_is_shown_exactly() {
    let dir = tempfile::tempdir().unwrap();
    record(dir.path(), &fingerprint(1), Some(1_000_000_000));
    let run = results(
        fingerprint(1),
        vec![counted("a/1", 100.0, 1_000_000_001, 1 << 20)],
    );
    let report = judge(dir.path(), &run);
    let row = &report.rows[0];
    let instructions = row.instructions.as_ref().unwrap();
    assert_eq!(instructions.verdict, RowVerdict::Unchanged);
    assert!(
        instructions.change.unwrap() > 0.0,
        "one instruction more is a visible change"
    );
    assert_eq!(report.outcome(), Outcome::Pass);
}

#[test]
fn another_build_has_no_count_baseline_and_says_which_fields_differ() {
    let dir = tempfile::tempdir().unwrap();
    record(dir.path(), &fingerprint(1), Some(1_000));
    let mut fp = fingerprint(1);
    fp.toolchain.flags = "RUSTFLAGS=-C target-cpu=native".to_owned();
    let run = results(fp, vec![counted("a/1", 100.0, 1_000, 1 << 20)]);
    let report = judge(dir.path(), &run);
    let Some(Reference::NoComparableBaseline { candidates, .. }) = &report.count_reference else {
        panic!("{:?}", report.count_reference);
    };
    assert!(
        candidates[0]
            .differing
            .iter()
            .any(|d| d.field == "toolchain.flags"),
        "{candidates:?}"
    );
    let row = &report.rows[0];
    assert_eq!(
        row.instructions.as_ref().unwrap().verdict,
        RowVerdict::NoBaseline
    );
    assert_eq!(row.decided_by, Metric::Time, "wall time still decides");
}

fn no_valgrind() -> Unmeasured {
    Unmeasured::NoValgrind {
        install: "sudo apt-get install valgrind".to_owned(),
    }
}

#[test]
fn unavailable_counts_are_reported_with_their_reason_and_never_pass_for_a_comparison() {
    let dir = tempfile::tempdir().unwrap();
    record(dir.path(), &fingerprint(1), Some(1_000));
    let mut b = bench("a/1", 100.0, 1);
    b.counts = Some(Counts {
        instructions: Measured::unavailable(no_valgrind()),
        peak_rss_bytes: Measured::Value { value: 1 << 20 },
    });
    let report = judge(dir.path(), &results(fingerprint(1), vec![b]));
    let instructions = report.rows[0].instructions.as_ref().unwrap();
    assert_eq!(instructions.verdict, RowVerdict::Unavailable);
    assert_eq!(
        instructions.note,
        Some(CountNote::Unmeasured(no_valgrind()))
    );
    assert_eq!(instructions.new, None);
    assert_ne!(report.rows[0].decided_by, Metric::Instructions);
}

#[test]
fn a_kernel_that_starts_allocating_fails_on_peak_memory() {
    let dir = tempfile::tempdir().unwrap();
    record(dir.path(), &fingerprint(1), Some(1_000));
    let run = results(fingerprint(1), vec![counted("a/1", 100.0, 1_000, 2 << 20)]);
    let report = judge(dir.path(), &run);
    let row = &report.rows[0];
    assert_eq!(
        (row.verdict, row.decided_by),
        (RowVerdict::Regressed, Metric::PeakMemory)
    );
    assert_eq!(report.outcome(), Outcome::Fail);
}

/// A re-measurement replaces the times of the benchmarks it measured and nothing else; their
/// counts stand as first counted, since the second measurement does not count.
#[test]
fn a_remeasurement_takes_the_times_and_keeps_the_counts() {
    let fp = fingerprint(1);
    let mut first = results(
        fp.clone(),
        vec![
            counted("a/1", 100.0, 5_000, 1 << 20),
            counted("b/1", 50.0, 7_000, 1 << 21),
        ],
    );
    let again = results(fp, vec![bench("a/1", 130.0, 1)]);
    let new_a = again.benchmarks[0].summary;
    let old_b = first.benchmarks[1].clone();
    first.take_times_from(again);
    let a = &first.benchmarks[0];
    assert_eq!(a.summary, new_a);
    assert_eq!(a.counts, Some(counts(5_000, 1 << 20)));
    assert_eq!(first.benchmarks[1], old_b);
    assert_eq!(first.benchmarks.len(), 2);
}
