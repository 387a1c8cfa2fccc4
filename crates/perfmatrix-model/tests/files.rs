//! Results and baseline files: round trips, and every kind of bad input named by file and field.

mod common;

use std::fs;
use std::path::Path;

use common::{bench, fingerprint, results, runs_of};
use perfmatrix_model::{Baseline, Results};

fn runs_as_refs(runs: &[(std::path::PathBuf, Results)]) -> Vec<(&Path, Results)> {
    runs.iter().map(|(p, r)| (p.as_path(), r.clone())).collect()
}

#[test]
fn results_round_trip_through_an_atomic_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out/results.json");
    let r = results(
        fingerprint(1),
        vec![bench("b/2", 20.0, 1), bench("a/1", 10.0, 2)],
    );
    r.save(&path).unwrap();
    let back = Results::load(&path).unwrap();
    assert_eq!(back, r);
    assert_eq!(back.benchmarks[0].id.as_str(), "a/1", "sorted by id");
}

fn load_error(edit: impl Fn(&mut serde_json::Value)) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("results.json");
    let r = results(
        fingerprint(1),
        vec![bench("a/1", 10.0, 1), bench("b/2", 10.0, 2)],
    );
    let mut json = serde_json::to_value(&r).unwrap();
    edit(&mut json);
    fs::write(&path, serde_json::to_string(&json).unwrap()).unwrap();
    let err = Results::load(&path).unwrap_err().to_string();
    assert!(
        err.contains("results.json"),
        "the error names the file: {err}"
    );
    err
}

#[test]
fn bad_results_files_name_the_field() {
    // Files of versions 2 and 3 (their verdicts held words, not facts) are refused as any other.
    for version in [2, 3, 99] {
        let e = load_error(|j| j["version"] = version.into());
        assert!(
            e.contains("`version`") && e.contains("version 4 only"),
            "{e}"
        );
    }
    let e = load_error(|j| j["schema"] = "something-else".into());
    assert!(e.contains("`schema`"), "{e}");
    let e = load_error(|j| j["benchmarks"][1]["samples_ns"][3] = serde_json::Value::Null);
    assert!(
        e.contains("benchmarks[1].samples_ns"),
        "NaN is written as null: {e}"
    );
    let e = load_error(|j| j["benchmarks"][0]["samples_ns"][0] = 0.into());
    assert!(e.contains("benchmarks[0].samples_ns"), "{e}");
    let e = load_error(|j| j["benchmarks"][0]["samples_ns"][5] = (-4.0).into());
    assert!(e.contains("benchmarks[0].samples_ns"), "{e}");
    let e = load_error(|j| j["benchmarks"][0]["samples_ns"] = serde_json::json!([]));
    assert!(e.contains("benchmarks[0].samples_ns"), "{e}");
    let e = load_error(|j| j["benchmarks"][1]["id"] = "../../x".into());
    assert!(
        e.contains("benchmarks[1].id") && e.contains("escape"),
        "{e}"
    );
    let e = load_error(|j| j["benchmarks"][1]["id"] = "a/1".into());
    assert!(e.contains("appears twice"), "{e}");
    let e = load_error(|j| j["fingerprint"]["target"] = "not-a-triple-at-all-x".into());
    assert!(e.contains("fingerprint.target"), "{e}");
}

#[test]
fn truncated_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("results.json");
    let r = results(fingerprint(1), vec![bench("a/1", 10.0, 1)]);
    r.save(&path).unwrap();
    let text = fs::read_to_string(&path).unwrap();
    fs::write(&path, &text[..text.len() / 2]).unwrap();
    let e = Results::load(&path).unwrap_err().to_string();
    assert!(
        e.contains("results.json") && e.contains("not valid JSON"),
        "{e}"
    );
}

#[test]
fn a_baseline_pools_k_runs_and_learns_their_noise() {
    let dir = tempfile::tempdir().unwrap();
    let runs = runs_of(
        dir.path(),
        3,
        &fingerprint(1),
        &[("a/1", 100.0), ("b/2", 50.0)],
    );
    let b = Baseline::from_runs(&runs_as_refs(&runs)).unwrap();
    assert_eq!(b.recorded.runs, 3);
    let a = &b.benchmarks[0];
    assert_eq!(a.samples_ns.len(), 180);
    assert_eq!(a.run_medians_ns.len(), 3);
    // Run medians step by 0.5% per run: the range is about 1%.
    assert!((a.noise.get() - 0.01).abs() < 0.004, "{}", a.noise.get());
    let path = dir.path().join("baselines/x86_64-unknown-linux-gnu/m.json");
    b.save(&path).unwrap();
    assert_eq!(Baseline::load(&path).unwrap(), b);
}

#[test]
fn a_baseline_refuses_quick_filtered_mixed_or_too_few_runs() {
    let dir = tempfile::tempdir().unwrap();
    let ok = runs_of(dir.path(), 3, &fingerprint(1), &[("a/1", 100.0)]);

    let too_few = Baseline::from_runs(&runs_as_refs(&ok[..2]))
        .unwrap_err()
        .to_string();
    assert!(too_few.contains("at least 3"), "{too_few}");

    let mut quick = ok.clone();
    quick[1].1.settings.quick = true;
    let e = Baseline::from_runs(&runs_as_refs(&quick))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("run-1.json") && e.contains("settings.quick"),
        "{e}"
    );

    let mut filtered = ok.clone();
    filtered[2].1.settings.filter = Some("cos".into());
    let e = Baseline::from_runs(&runs_as_refs(&filtered))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("run-2.json") && e.contains("settings.filter"),
        "{e}"
    );

    let mut mixed = ok.clone();
    mixed[2].1.fingerprint = fingerprint(17);
    let e = Baseline::from_runs(&runs_as_refs(&mixed))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("run-2.json") && e.contains("fingerprint.") && e.contains("model"),
        "{e}"
    );

    let mut other = ok;
    other[1].1 = results(fingerprint(1), vec![bench("z/9", 1.0, 0)]);
    let e = Baseline::from_runs(&runs_as_refs(&other))
        .unwrap_err()
        .to_string();
    assert!(e.contains("run-1.json") && e.contains("benchmarks"), "{e}");
}

#[test]
fn implausible_results_are_refused_naming_the_field() {
    let e = load_error(|j| j["benchmarks"][1]["samples_ns"][2] = 1e300.into());
    assert!(
        e.contains("benchmarks[1].samples_ns[2]") && e.contains("plausible"),
        "{e}"
    );
    let e = load_error(|j| j["benchmarks"][0]["summary"]["median_ns"] = (-5.0).into());
    assert!(
        e.contains("benchmarks[0].summary.median_ns") && e.contains("disagrees"),
        "{e}"
    );
    let e = load_error(|j| j["benchmarks"][0]["summary"]["count"] = 3.into());
    assert!(e.contains("benchmarks[0].summary.count"), "{e}");
    let e = load_error(|j| {
        j["benchmarks"][1]["counts"] = serde_json::json!({
            "instructions": {"status": "value", "value": 0},
            "peak_rss_bytes": {"status": "value", "value": 4096}
        });
    });
    assert!(
        e.contains("benchmarks[1].counts.instructions") && e.contains("is 0"),
        "{e}"
    );
    let e = load_error(|j| {
        j["benchmarks"][0]["counts"] = serde_json::json!({
            "instructions": {"status": "value", "value": 1000},
            "peak_rss_bytes": {"status": "value", "value": 0}
        });
    });
    assert!(e.contains("benchmarks[0].counts.peak_rss_bytes"), "{e}");
}

#[test]
fn a_baseline_refuses_one_run_given_several_times() {
    let dir = tempfile::tempdir().unwrap();
    let ok = runs_of(dir.path(), 3, &fingerprint(1), &[("a/1", 100.0)]);

    // The same file named three times.
    let same_file: Vec<_> = (0..3).map(|_| ok[0].clone()).collect();
    let e = Baseline::from_runs(&runs_as_refs(&same_file))
        .unwrap_err()
        .to_string();
    assert!(e.contains("run-0.json") && e.contains("twice"), "{e}");

    // A copy of a run under another name.
    let mut copied = ok.clone();
    copied[2].1 = copied[0].1.clone();
    let e = Baseline::from_runs(&runs_as_refs(&copied))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("run-2.json")
            && e.contains("run-0.json")
            && e.contains("benchmarks[0].samples_ns"),
        "{e}"
    );

    // Measured nothing.
    let mut empty = ok;
    for (_, run) in &mut empty {
        run.benchmarks.clear();
    }
    let e = Baseline::from_runs(&runs_as_refs(&empty))
        .unwrap_err()
        .to_string();
    assert!(e.contains("run-0.json") && e.contains("empty"), "{e}");
}

#[test]
fn a_baseline_pools_the_same_benchmarks_listed_in_another_order() {
    let dir = tempfile::tempdir().unwrap();
    let mut runs = runs_of(
        dir.path(),
        3,
        &fingerprint(1),
        &[("a/1", 100.0), ("b/2", 50.0), ("c/3", 10.0)],
    );
    runs[1].1.benchmarks.reverse();
    runs[2].1.benchmarks.swap(0, 1);
    let b = Baseline::from_runs(&runs_as_refs(&runs)).unwrap();
    // Each benchmark pools its own samples: the medians stay near their centers.
    for (bench, center) in b.benchmarks.iter().zip([100.0, 50.0, 10.0]) {
        let median = bench.summary.median_ns;
        assert!(
            (median / center - 1.0).abs() < 0.05,
            "{}: {median}",
            bench.id
        );
        assert!(
            bench.noise.get() < 0.02,
            "{}: {}",
            bench.id,
            bench.noise.get()
        );
    }

    // A file on disk in another order loads in id order.
    let path = dir.path().join("unsorted.json");
    runs[1].1.save(&path).unwrap();
    let loaded = Results::load(&path).unwrap();
    let ids: Vec<_> = loaded.benchmarks.iter().map(|b| b.id.as_str()).collect();
    assert_eq!(ids, ["a/1", "b/2", "c/3"]);
    assert!(loaded.get(&loaded.benchmarks[0].id).is_some());
}

#[test]
fn other_benchmarks_are_named_missing_and_extra() {
    let dir = tempfile::tempdir().unwrap();
    let mut runs = runs_of(
        dir.path(),
        3,
        &fingerprint(1),
        &[("a/1", 100.0), ("b/2", 50.0)],
    );
    runs[2].1 = results(
        fingerprint(1),
        vec![bench("b/2", 50.0, 7), bench("z/9", 5.0, 7)],
    );
    let e = Baseline::from_runs(&runs_as_refs(&runs))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("run-2.json")
            && e.contains("other benchmarks than")
            && e.contains("missing `a/1`")
            && e.contains("extra `z/9`")
            && !e.contains("`b/2`"),
        "{e}"
    );
}

#[test]
fn an_unjudged_measurement_never_replaces_the_results_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("results-x.json");
    let unjudged = perfmatrix_model::unjudged_path(&out);
    assert_eq!(unjudged, dir.path().join("results-x.json.unjudged"));

    let previous = results(fingerprint(1), vec![bench("a/1", 10.0, 1)]);
    previous.save(&out).unwrap();
    let new = results(fingerprint(1), vec![bench("a/1", 12.0, 2)]);
    assert_eq!(new.save_unjudged(&out).unwrap(), unjudged);
    // Killed now (while judging): the previous file is intact, the measurement kept beside it.
    assert_eq!(Results::load(&out).unwrap(), previous);
    assert_eq!(Results::load(&unjudged).unwrap(), new);

    let verdict = perfmatrix_model::Report::example("x86_64-unknown-linux-gnu", Vec::new());
    new.save_judged(&out, &verdict).unwrap();
    assert_eq!(
        Results::load_judged(&out).unwrap(),
        (new.clone(), Some(verdict.clone()))
    );
    assert!(!unjudged.exists(), "the unjudged copy is removed");
    // Without an unjudged copy (nothing to remove) it still writes.
    previous.save_judged(&out, &verdict).unwrap();
    assert_eq!(Results::load(&out).unwrap(), previous);
}

#[test]
fn an_id_with_a_newline_in_a_results_file_is_shown_escaped() {
    for (id, shown) in [("a\nb", r"`a\nb`"), ("x\0y", r"`x\0y`")] {
        let e = load_error(|j| j["benchmarks"][0]["id"] = id.into());
        assert!(e.contains(shown), "{e:?}");
        assert!(!e.contains(['\n', '\0']), "raw control character in {e:?}");
    }
}

/// The names used before the renames of 2026-12-01 (a benchmark's counts `probe`, the
/// fingerprint's dispatch facts `kernel_variants`, its `toolchain.harness` `toolchain.probe`)
/// were never in a released file: each is an unknown field now, refused with its name.
#[test]
fn the_names_before_the_renames_are_unknown_fields() {
    let mut r = results(fingerprint(1), vec![bench("a/1", 10.0, 1)]);
    r.fingerprint
        .dispatch
        .insert("a".to_owned(), "avx2".to_owned());
    r.fingerprint.toolchain.harness = "perfmatrix-harness/1".to_owned();
    r.benchmarks[0].counts = Some(perfmatrix_model::Counts {
        instructions: perfmatrix_model::Measured::Value { value: 1234 },
        peak_rss_bytes: perfmatrix_model::Measured::Value { value: 4096 },
    });
    let text = serde_json::to_string_pretty(&r).unwrap();
    for (new, old) in [
        ("\"counts\":", "\"probe\":"),
        ("\"dispatch\":", "\"kernel_variants\":"),
        ("\"harness\":", "\"probe\":"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("results.json");
        fs::write(&path, text.replace(new, old)).unwrap();
        let err = Results::load(&path).unwrap_err().to_string();
        let name = old.trim_matches([':', '"']);
        assert!(
            err.contains(&format!("unknown field `{name}`")),
            "{old}: {err}"
        );
    }
}
