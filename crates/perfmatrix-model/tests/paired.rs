//! The report of a paired run: head against the base build measured in the same run, its exact
//! metrics against the base build's counts, benchmarks on one side only, and the file round trip.

mod common;

use common::{bench, fingerprint, results};
use perfmatrix_model::{
    BenchmarkId, Config, CountNote, Counts, CriterionLayer, Measured, Method, Metric, Outcome,
    PairRecord, PairedBecause, PairedBench, PairedRun, Pairing, PlatformNote, Reference, Report,
    Results, Revision, RowVerdict, Unmeasured,
};

fn revision(name: &str, commit: &str) -> Revision {
    Revision {
        name: name.to_owned(),
        commit: commit.to_owned(),
        dirty: false,
    }
}

/// `pairs` process pairs whose log ratios spread ±1% around `ln(factor)`.
fn measured(id: &str, factor: f64, pairs: usize) -> PairedBench {
    PairedBench {
        id: BenchmarkId::new(id).unwrap(),
        method: Method::Interleaved,
        iterations_per_sample: Some(100),
        samples_per_pair: 30,
        pairs: (0..pairs)
            .map(|i| {
                let wobble = if i % 2 == 0 { 0.01 } else { -0.01 };
                let log_ratio = factor.ln() + wobble;
                PairRecord {
                    base_ns: 1000.0,
                    head_ns: 1000.0 * log_ratio.exp(),
                    log_ratio,
                }
            })
            .collect(),
        profiles: None,
        budget_limited: false,
    }
}

fn counted(instructions: u64) -> Counts {
    Counts {
        instructions: Measured::Value {
            value: instructions,
        },
        peak_rss_bytes: Measured::Value { value: 4 << 20 },
    }
}

/// Head has a/1 (10% slower), b/1 (unchanged, 2% more instructions) and c/1 (new); the base has
/// a/1, b/1 and d/1 (missing on head).
fn paired_results() -> Results {
    let mut head_b = bench("b/1", 1000.0, 2);
    head_b.counts = Some(counted(10_200));
    let mut base_b = bench("b/1", 1000.0, 3);
    base_b.counts = Some(counted(10_000));
    let mut r = results(
        fingerprint(1),
        vec![bench("a/1", 1100.0, 1), head_b, bench("c/1", 50.0, 4)],
    );
    r.paired = Some(PairedRun {
        head: revision("working tree", "1111111111111111"),
        base: revision("origin/main", "2222222222222222"),
        why: PairedBecause::Against {
            rev: "origin/main".to_owned(),
        },
        benchmarks: vec![measured("a/1", 1.10, 8), measured("b/1", 1.0, 8)],
        base_benchmarks: vec![bench("a/1", 1000.0, 5), base_b],
        base_only: vec![BenchmarkId::new("d/1").unwrap()],
        criterion_layer: Some(CriterionLayer::Used {
            criterion: "0.5.1".to_owned(),
        }),
        settings_changed: Vec::new(),
        budget_seconds: None,
    });
    r
}

/// A run with a time budget that left `b/1` undecided: its row says so, and the merged report's
/// budget note names it; without one limited, the note names none.
#[test]
fn the_benchmarks_a_budget_left_undecided_are_named() {
    let mut results = paired_results();
    let run = results.paired.as_mut().unwrap();
    run.budget_seconds = Some(1200);
    run.benchmarks[1].budget_limited = true;
    let report = Report::paired(&results, &Config::default()).unwrap();
    assert_eq!(report.budget_limited(), ["b/1"]);
    let budget = |report: &Report| {
        perfmatrix_model::MergedReport::single(report, std::path::Path::new("r.json")).platforms[0]
            .notes
            .iter()
            .find(|n| matches!(n, PlatformNote::Budget { .. }))
            .cloned()
            .unwrap()
    };
    assert_eq!(
        budget(&report),
        PlatformNote::Budget {
            seconds: 1200,
            limited: vec![BenchmarkId::new("b/1").unwrap()]
        }
    );
    results.paired.as_mut().unwrap().benchmarks[1].budget_limited = false;
    let report = Report::paired(&results, &Config::default()).unwrap();
    assert_eq!(
        budget(&report),
        PlatformNote::Budget {
            seconds: 1200,
            limited: Vec::new()
        }
    );
    // A file written before budgets reads as a run without one.
    let json = serde_json::to_string(&paired_results()).unwrap();
    assert!(!json.contains("budget"), "{json}");
}

#[test]
fn a_paired_report_judges_each_side_and_names_both_commits() {
    let report = Report::paired(&paired_results(), &Config::default()).unwrap();
    let verdict = |id: &str| {
        let row = report.rows.iter().find(|r| r.id == id).unwrap();
        (row.verdict, row.decided_by)
    };
    assert_eq!(verdict("a/1"), (RowVerdict::Regressed, Metric::Time));
    // Time unchanged, but 2% more instructions than the base build: the exact count decides.
    assert_eq!(
        verdict("b/1"),
        (RowVerdict::Regressed, Metric::Instructions)
    );
    assert_eq!(verdict("c/1").0, RowVerdict::New);
    assert_eq!(verdict("d/1").0, RowVerdict::Missing);
    assert_eq!(report.outcome(), Outcome::Fail);
    assert_eq!(report.tally().regressed, 2);
    let a = report.rows.iter().find(|r| r.id == "a/1").unwrap();
    let change = a.change.unwrap();
    assert!((change.estimate() - 0.10).abs() < 1e-9, "{change:?}");
    // The head and base columns tell the change the verdict used.
    let (head, base) = (a.new_median_ns.unwrap(), a.base_median_ns.unwrap());
    assert!(
        (head / base - 1.0 - change.estimate()).abs() < 1e-9,
        "head {head}, base {base}, change {change:?}"
    );
    assert_eq!(a.paired.as_ref().unwrap().pairs, 8);
    assert_eq!(
        report.pairing(),
        Some(Pairing {
            fewest_pairs: 8,
            most_pairs: 8,
            interleaved_samples: Some(30),
            whole_runs: 0,
        })
    );
    match &report.reference {
        Reference::BaseCommit {
            base,
            why,
            criterion_layer,
            ..
        } => {
            assert_eq!(base.name, "origin/main");
            assert_eq!(
                why,
                &PairedBecause::Against {
                    rev: "origin/main".to_owned()
                }
            );
            assert_eq!(
                criterion_layer,
                &Some(CriterionLayer::Used {
                    criterion: "0.5.1".to_owned()
                }),
                "the run's fact reaches its report"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_paired_gate_is_configurable_and_an_unchanged_run_passes() {
    let mut r = paired_results();
    let run = r.paired.as_mut().unwrap();
    run.benchmarks = vec![measured("a/1", 1.0, 6), measured("b/1", 1.0, 6)];
    run.base_benchmarks[1].counts = Some(counted(10_200));
    let report = Report::paired(&r, &Config::default()).unwrap();
    assert_eq!(report.outcome(), Outcome::Pass);
    assert_eq!(report.tally().regressed, 0);
    assert_eq!(report.tally().unchanged, 2);

    // A +3% change: a warning by default (2%/5%), regressed with a 1%/2% gate.
    let run = r.paired.as_mut().unwrap();
    run.benchmarks[0] = measured("a/1", 1.03, 12);
    let report = Report::paired(&r, &Config::default()).unwrap();
    let a = |rep: &Report| rep.rows.iter().find(|r| r.id == "a/1").unwrap().verdict;
    assert_eq!(a(&report), RowVerdict::Warning);
    let metadata = serde_json::json!({
        "metadata": {"perfmatrix": {"paired": {"warn": 0.01, "fail": 0.02}}}
    });
    let strict = Config::from_cargo_metadata(&metadata).unwrap();
    assert_eq!(
        a(&Report::paired(&r, &strict).unwrap()),
        RowVerdict::Regressed
    );
}

#[test]
fn a_base_build_that_could_not_count_leaves_the_counts_unavailable() {
    let mut r = paired_results();
    let run = r.paired.as_mut().unwrap();
    run.base_benchmarks[1].counts = Some(Counts {
        instructions: Measured::unavailable(Unmeasured::NotOnHarness),
        peak_rss_bytes: Measured::unavailable(Unmeasured::NotOnHarness),
    });
    let report = Report::paired(&r, &Config::default()).unwrap();
    let b = report.rows.iter().find(|r| r.id == "b/1").unwrap();
    let instructions = b.instructions.as_ref().unwrap();
    assert_eq!(instructions.verdict, RowVerdict::Unavailable);
    assert_eq!(
        instructions.note,
        Some(CountNote::BaseUnmeasured(Unmeasured::NotOnHarness))
    );
    assert_eq!(b.verdict, RowVerdict::Unchanged);
}

/// Where neither build can count (a plain criterion benchmark on both sides), the reason is the
/// benchmark's, not "base build: …" as if head had counted.
#[test]
fn counts_neither_side_can_take_give_the_reason_once_not_as_the_bases() {
    let mut r = paired_results();
    let plain = Counts {
        instructions: Measured::unavailable(Unmeasured::NotOnHarness),
        peak_rss_bytes: Measured::unavailable(Unmeasured::NotOnHarness),
    };
    r.paired.as_mut().unwrap().base_benchmarks[1].counts = Some(plain.clone());
    let head = r
        .benchmarks
        .iter_mut()
        .find(|b| b.id.as_str() == "b/1")
        .unwrap();
    head.counts = Some(plain);
    let report = Report::paired(&r, &Config::default()).unwrap();
    let b = report.rows.iter().find(|r| r.id == "b/1").unwrap();
    let instructions = b.instructions.as_ref().unwrap();
    assert_eq!(instructions.verdict, RowVerdict::Unavailable);
    assert_eq!(
        instructions.note,
        Some(CountNote::Unmeasured(Unmeasured::NotOnHarness))
    );
}

#[test]
fn a_paired_results_file_round_trips_and_too_few_pairs_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("results.json");
    let r = paired_results();
    r.save(&path).unwrap();
    assert_eq!(Results::load(&path).unwrap(), r);

    let mut bad = r.clone();
    bad.paired.as_mut().unwrap().benchmarks[0].pairs.truncate(1);
    bad.save(&path).unwrap();
    let err = Results::load(&path).unwrap_err().to_string();
    assert!(err.contains("`a/1` has 1 process pair(s)"), "{err}");
}

/// Issue 21: pairs too spread to see the fail threshold say "inconclusive", not "unchanged";
/// the run still passes.
#[test]
fn pairs_too_noisy_to_resolve_fail_are_inconclusive_and_pass() {
    let mut r = paired_results();
    let run = r.paired.as_mut().unwrap();
    let mut noisy = measured("a/1", 1.0, 3);
    for (pair, wobble) in noisy.pairs.iter_mut().zip([0.3, -0.3, 0.05]) {
        pair.log_ratio = wobble;
        pair.head_ns = 1000.0 * f64::exp(wobble);
    }
    run.benchmarks = vec![noisy, measured("b/1", 1.0, 6)];
    let report = Report::paired(&r, &Config::default()).unwrap();
    let a = report.rows.iter().find(|r| r.id == "a/1").unwrap();
    assert_eq!(a.time_verdict, RowVerdict::Inconclusive, "{a:?}");
    assert_eq!(a.verdict, RowVerdict::Inconclusive);
    assert!(a.minimum_detectable_effect.unwrap() > 0.05);
    let b = report.rows.iter().find(|r| r.id == "b/1").unwrap();
    assert_eq!(b.time_verdict, RowVerdict::Unchanged, "{b:?}");
    assert_eq!(report.tally().inconclusive, 1);
    // b/1's instructions regressed in the fixture; without them the run passes.
    let run = r.paired.as_mut().unwrap();
    run.base_benchmarks[1].counts = None;
    r.benchmarks.iter_mut().for_each(|b| b.counts = None);
    let report = Report::paired(&r, &Config::default()).unwrap();
    assert_eq!(report.tally().inconclusive, 1);
    assert_eq!(report.outcome(), Outcome::Pass);
}
