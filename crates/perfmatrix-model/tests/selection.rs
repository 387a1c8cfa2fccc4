//! Baseline selection and the report built from it: matched, nothing comparable, corrupt files,
//! and every row verdict.

mod common;

use std::fs;
use std::path::Path;

use common::{bench, fingerprint, results, runs_of};
use perfmatrix_model::{
    Baseline, Config, Judging, Outcome, RecordCommand, Reference, Report, RowVerdict, Selection,
    baseline_path, destination, select,
};

fn record(baselines: &Path, model: u32, centers: &[(&str, f64)]) -> std::path::PathBuf {
    let fp = fingerprint(model);
    let runs = runs_of(baselines, 3, &fp, centers);
    let refs: Vec<_> = runs.iter().map(|(p, r)| (p.as_path(), r.clone())).collect();
    let b = Baseline::from_runs(&refs).unwrap();
    let path = baseline_path(baselines, &b.fingerprint);
    b.save(&path).unwrap();
    path
}

#[test]
fn selects_the_matching_machine_class_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    record(dir.path(), 17, &[("a/1", 100.0)]);
    let ours = record(dir.path(), 1, &[("a/1", 100.0)]);
    match select(dir.path(), &fingerprint(1)).unwrap() {
        Selection::Matched { path, .. } => assert_eq!(path, ours),
        other @ Selection::NoComparable { .. } => panic!("{other:?}"),
    }
}

#[test]
fn a_selection_names_its_files_relative_to_the_workspace_root() {
    let root = tempfile::tempdir().unwrap();
    let baselines = root.path().join("baselines");
    record(&baselines, 17, &[("a/1", 100.0)]);
    let ours = record(&baselines, 1, &[("a/1", 100.0)]);
    let shown = Path::new("baselines").join(ours.strip_prefix(&baselines).unwrap());
    match select(&baselines, &fingerprint(1))
        .unwrap()
        .relative_to(root.path())
    {
        Selection::Matched { path, .. } => assert_eq!(path, shown),
        other @ Selection::NoComparable { .. } => panic!("{other:?}"),
    }
    let Selection::NoComparable { candidates } = select(&baselines, &fingerprint(2))
        .unwrap()
        .relative_to(root.path())
    else {
        panic!("model 2 has no baseline");
    };
    assert!(
        candidates.iter().all(|c| c.path.starts_with("baselines")),
        "{candidates:?}"
    );
    // A folder outside the root keeps its full path.
    let elsewhere = tempfile::tempdir().unwrap();
    match select(&baselines, &fingerprint(1))
        .unwrap()
        .relative_to(elsewhere.path())
    {
        Selection::Matched { path, .. } => assert_eq!(path, ours),
        other @ Selection::NoComparable { .. } => panic!("{other:?}"),
    }
}

#[test]
fn nothing_comparable_names_the_nearest_and_the_differing_fields() {
    let dir = tempfile::tempdir().unwrap();
    record(dir.path(), 17, &[("a/1", 100.0)]);
    let run = results(fingerprint(1), vec![bench("a/1", 100.0, 9)]);
    let sel = select(dir.path(), &run.fingerprint).unwrap();
    let Selection::NoComparable { candidates } = &sel else {
        panic!("{sel:?}")
    };
    assert_eq!(candidates.len(), 1);
    assert!(
        candidates[0]
            .differing
            .iter()
            .any(|d| d.field.contains("model") && d.run == "1" && d.baseline == "17"),
        "{candidates:?}"
    );
    let report = judged(&run, &sel);
    assert_eq!(report.outcome(), Outcome::NoComparableBaseline);
    assert!(
        report
            .rows
            .iter()
            .all(|r| r.verdict == RowVerdict::NoBaseline)
    );
    let Reference::NoComparableBaseline { record: r, .. } = &report.reference else {
        panic!()
    };
    assert_eq!(r, &record_command(&run));
    assert_eq!(r.platform, run.fingerprint.target);
}

#[test]
fn no_platform_folder_is_no_comparable_baseline() {
    let dir = tempfile::tempdir().unwrap();
    let sel = select(dir.path(), &fingerprint(1)).unwrap();
    assert_eq!(sel, Selection::NoComparable { candidates: vec![] });
}

#[test]
fn a_corrupt_baseline_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = record(dir.path(), 1, &[("a/1", 100.0)]);
    fs::write(&path, "{\"schema\": \"perfmatrix-baseline\", \"vers").unwrap();
    let e = select(dir.path(), &fingerprint(1)).unwrap_err().to_string();
    assert!(e.contains(&path.display().to_string()), "{e}");
}

#[test]
fn report_rows_cover_every_verdict() {
    let dir = tempfile::tempdir().unwrap();
    record(
        dir.path(),
        1,
        &[
            ("fast/1", 100.0),
            ("same/1", 100.0),
            ("slow/1", 100.0),
            ("gone/1", 100.0),
            ("warn/1", 100.0),
        ],
    );
    let run = results(
        fingerprint(1),
        vec![
            bench("fast/1", 70.0, 5),
            bench("same/1", 100.5, 6),
            bench("slow/1", 130.0, 7),
            bench("warn/1", 108.0, 8),
            bench("brand-new/1", 10.0, 9),
        ],
    );
    let sel = select(dir.path(), &run.fingerprint).unwrap();
    let report = judged(&run, &sel);
    let verdict = |id: &str| report.rows.iter().find(|r| r.id == id).unwrap().verdict;
    assert_eq!(verdict("fast/1"), RowVerdict::Improved);
    assert_eq!(verdict("same/1"), RowVerdict::Unchanged);
    assert_eq!(verdict("slow/1"), RowVerdict::Regressed);
    assert_eq!(verdict("warn/1"), RowVerdict::Warning);
    assert_eq!(verdict("gone/1"), RowVerdict::Missing);
    assert_eq!(verdict("brand-new/1"), RowVerdict::New);
    assert_eq!(report.outcome(), Outcome::Fail);
    assert_eq!(
        (
            report.tally().regressed,
            report.tally().missing,
            report.tally().new
        ),
        (1, 1, 1)
    );
    let Reference::Baseline { runs, .. } = &report.reference else {
        panic!()
    };
    assert_eq!(*runs, 3);

    // A filtered run measures a subset on purpose: nothing is "missing".
    let mut filtered = run.clone();
    filtered.settings.filter = Some("fast".into());
    let report = judged(&filtered, &sel);
    assert!(report.rows.iter().all(|r| r.verdict != RowVerdict::Missing));

    // Judged once with its policy: wall time warns only, and the re-measured rows say so.
    let judging = Judging {
        time_gated: false,
        remeasured: &[perfmatrix_model::BenchmarkId::new("slow/1").unwrap()],
    };
    let report = Report::build(
        &run,
        &sel,
        None,
        &Config::default(),
        &record_command(&run),
        judging,
    )
    .unwrap();
    let row = |id: &str| report.rows.iter().find(|r| r.id == id).unwrap();
    assert!(!report.time_gated);
    assert_eq!(
        (row("slow/1").verdict, row("slow/1").time_verdict),
        (RowVerdict::Warning, RowVerdict::Warning)
    );
    assert!(row("slow/1").remeasured && !row("fast/1").remeasured);
    assert_eq!(row("fast/1").verdict, RowVerdict::Improved);
    assert_eq!(report.outcome(), Outcome::Pass);
    assert_eq!((report.tally().regressed, report.tally().warning), (0, 2));
}

/// The example machine with the cosine kernel forced to its portable variant: the same slug,
/// another machine class.
/// The command that records a baseline for `run`'s platform.
fn record_command(run: &perfmatrix_model::Results) -> RecordCommand {
    RecordCommand::for_run("cargo xtask", run)
}

/// `run` judged against `selection` with the default settings, wall time gating.
fn judged(run: &perfmatrix_model::Results, selection: &Selection) -> Report {
    Report::build(
        run,
        selection,
        None,
        &Config::default(),
        &record_command(run),
        Judging::GATED,
    )
    .unwrap()
}

fn portable(model: u32) -> perfmatrix_fingerprint::Fingerprint {
    let mut fp = fingerprint(model);
    fp.dispatch
        .insert("cosine".to_owned(), "portable".to_owned());
    fp
}

fn baseline_of(dir: &Path, fp: &perfmatrix_fingerprint::Fingerprint) -> Baseline {
    let runs = runs_of(dir, 3, fp, &[("a/1", 100.0)]);
    let refs: Vec<_> = runs.iter().map(|(p, r)| (p.as_path(), r.clone())).collect();
    Baseline::from_runs(&refs).unwrap()
}

#[test]
fn machine_classes_that_share_a_slug_get_a_file_each() {
    let dir = tempfile::tempdir().unwrap();
    let (native, forced) = (fingerprint(1), portable(1));
    assert_eq!(
        native.slug(),
        forced.slug(),
        "the slug leaves the variants out"
    );
    let native_path = baseline_path(dir.path(), &native);
    let forced_path = baseline_path(dir.path(), &forced);
    assert_ne!(native_path, forced_path);
    let name = native_path.file_name().unwrap().to_str().unwrap();
    assert_eq!(
        name,
        format!("{}-{}.json", native.slug(), native.comparability_key().id())
    );
    baseline_of(dir.path(), &native).save(&native_path).unwrap();
    baseline_of(dir.path(), &forced).save(&forced_path).unwrap();
    for (fp, expected) in [(&native, &native_path), (&forced, &forced_path)] {
        match select(dir.path(), fp).unwrap() {
            Selection::Matched { path, .. } => assert_eq!(&path, expected),
            other @ Selection::NoComparable { .. } => panic!("{other:?}"),
        }
    }
}

#[test]
fn the_destination_says_what_it_replaces_and_what_it_keeps() {
    let dir = tempfile::tempdir().unwrap();
    let (native, forced) = (fingerprint(1), portable(1));
    let d = destination(dir.path(), &native).unwrap();
    assert!(d.replaces.is_none() && d.same_slug.is_empty() && d.unreadable.is_none());

    // A file named before names carried the key id is found by its key and superseded.
    let legacy = dir
        .path()
        .join(native.target.as_str())
        .join(format!("{}.json", native.slug()));
    baseline_of(dir.path(), &native).save(&legacy).unwrap();
    let forced_path = baseline_path(dir.path(), &forced);
    baseline_of(dir.path(), &forced).save(&forced_path).unwrap();
    let d = destination(dir.path(), &native).unwrap();
    assert_eq!(d.path, baseline_path(dir.path(), &native));
    assert_eq!(d.replaces.as_ref().map(|(p, _)| p), Some(&legacy));
    assert_eq!(d.same_slug.len(), 1);
    assert_eq!(d.same_slug[0].path, forced_path);
    assert_eq!(d.same_slug[0].differing[0].field, "dispatch.cosine");

    // At its own path: replaced.
    let own = baseline_path(dir.path(), &native);
    fs::rename(&legacy, &own).unwrap();
    let d = destination(dir.path(), &native).unwrap();
    assert_eq!(d.replaces.as_ref().map(|(p, _)| p), Some(&own));
}

#[test]
fn a_file_of_another_machine_class_under_the_name_is_never_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let (native, forced) = (fingerprint(1), portable(1));
    let own = baseline_path(dir.path(), &native);
    baseline_of(dir.path(), &forced).save(&own).unwrap();
    let err = destination(dir.path(), &native).unwrap_err().to_string();
    assert!(
        err.contains(own.to_str().unwrap())
            && err.contains("dispatch.cosine")
            && err.contains("refusing to replace"),
        "{err}"
    );
    // Unreadable (another version, say): reported, and replaced by the caller.
    fs::write(&own, "{}").unwrap();
    let d = destination(dir.path(), &native).unwrap();
    assert!(d.unreadable.is_some() && d.replaces.is_none());
}

#[test]
fn a_stray_temp_file_is_neither_selected_nor_committed() {
    let dir = tempfile::tempdir().unwrap();
    let ours = record(dir.path(), 1, &[("a/1", 100.0)]);
    // A killed write leaves a complete copy under a temp name (even one ending in `.json`
    // would be ignored): it is not a second baseline of the class, nor a corrupt one.
    let folder = ours.parent().unwrap();
    for name in [".perfmatrix-tmp-Ab12Cd", ".perfmatrix-tmp-Ef34Gh.json"] {
        fs::copy(&ours, folder.join(name)).unwrap();
    }
    fs::write(folder.join(".perfmatrix-tmp-Ij56Kl"), "{ trunc").unwrap();
    match select(dir.path(), &fingerprint(1)).unwrap() {
        Selection::Matched { path, .. } => assert_eq!(path, ours),
        other @ Selection::NoComparable { .. } => panic!("{other:?}"),
    }
    let dest = destination(dir.path(), &fingerprint(1)).unwrap();
    assert_eq!(dest.replaces.map(|(p, _)| p), Some(ours));

    // And git ignores such a file in the project's baselines folder.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let stray = "baselines/x86_64-unknown-linux-gnu/.perfmatrix-tmp-Ab12Cd";
    let status = std::process::Command::new("git")
        .args(["check-ignore", "--quiet", "--no-index", stray])
        .current_dir(&root)
        .status()
        .expect("git runs");
    assert!(status.success(), "{stray} is not ignored by .gitignore");
}
