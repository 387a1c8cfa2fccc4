//! `cargo xtask merge`: the verdict of a matrix from its legs' results files — pass, fail on a
//! regression or on a missing required platform, and exit 2 naming the file for anything it
//! cannot trust (a duplicate platform, another schema or version, an empty or broken file).

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::{files_in, judged, paired_leg, stderr, write_results, xtask};
use perfmatrix_model::RowVerdict::{Regressed, Unchanged};

const X86: &str = "x86_64-unknown-linux-gnu";
const ARM: &str = "aarch64-unknown-linux-gnu";

/// `merge <files> --json <dir>/merged.json --markdown … --html …` plus `extra`.
fn merge(dir: &Path, files: &[String], extra: &[&str]) -> Output {
    let out = |name: &str| dir.join(name).display().to_string();
    let (json, md, html) = (out("merged.json"), out("merged.md"), out("merged.html"));
    let mut args = vec!["merge"];
    args.extend(files.iter().map(String::as_str));
    args.extend(["--json", &json, "--markdown", &md, "--html", &html]);
    args.extend(extra);
    xtask(&args)
}

fn merged_json(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("merged.json")).unwrap()).unwrap()
}

/// Both platforms' results files in `dir`, `decay/10000` unchanged on x86 and `arm` on ARM.
fn both_platforms(dir: &Path, arm: perfmatrix_model::RowVerdict) -> Vec<String> {
    let bench = "decay/10000";
    vec![
        write_results(dir, "x86.json", &judged(X86, &[(bench, Unchanged)])),
        write_results(dir, "arm.json", &judged(ARM, &[(bench, arm)])),
    ]
}

#[test]
fn both_platforms_unchanged_pass_and_every_format_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let files = both_platforms(dir.path(), Unchanged);
    let out = merge(dir.path(), &files, &["--expect", X86, ARM]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let json = merged_json(dir.path());
    assert_eq!(json["outcome"], "pass");
    assert_eq!(json["columns"].as_array().unwrap().len(), 2);
    let md = std::fs::read_to_string(dir.path().join("merged.md")).unwrap();
    assert!(md.contains(X86) && md.contains(ARM), "{md}");
    let html = std::fs::read_to_string(dir.path().join("merged.html")).unwrap();
    assert!(html.contains("<svg"), "the HTML has its chart");
}

/// The command runs where the user is: relative paths on its command line are read and written
/// there, not in the workspace root (the process never moves to the root).
#[test]
fn relative_paths_are_relative_to_the_folder_the_command_runs_in() {
    let dir = tempfile::tempdir().unwrap();
    both_platforms(dir.path(), Unchanged);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["merge", "x86.json", "arm.json", "--expect", X86, ARM])
        .args(["--json", "merged.json", "--markdown", "merged.md"])
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(merged_json(dir.path())["outcome"], "pass");
    assert!(dir.path().join("merged.md").is_file());
}

/// Outputs are written all or none: when one cannot be written (here a folder where no file can
/// be made, as a full disk refuses one), the others keep their old contents.
#[test]
fn an_output_that_cannot_be_written_replaces_no_other() {
    let dir = tempfile::tempdir().unwrap();
    let files = both_platforms(dir.path(), Unchanged);
    let md = dir.path().join("merged.md");
    std::fs::write(&md, "the report of the previous run\n").unwrap();
    let unwritable = Path::new("/proc/perfmatrix-merged.html");
    let mut args = vec!["merge"];
    args.extend(files.iter().map(String::as_str));
    args.extend(["--expect", X86, ARM, "--markdown", md.to_str().unwrap()]);
    args.extend(["--html", unwritable.to_str().unwrap()]);
    let out = xtask(&args);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("perfmatrix-merged.html"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        std::fs::read_to_string(&md).unwrap(),
        "the report of the previous run\n",
        "the Markdown was replaced although the HTML failed"
    );
    let left: Vec<PathBuf> = files_in(dir.path())
        .into_iter()
        .filter(|p| perfmatrix_model::is_temporary(p))
        .collect();
    assert!(left.is_empty(), "temp files left: {left:?}");
}

/// Legs of two different commits (one re-run on a newer push) are refused, naming both files
/// and commits, and nothing is written.
#[test]
fn legs_of_different_commits_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let x86 = judged(X86, &[("decay/10000", Unchanged)]);
    let mut arm = judged(ARM, &[("decay/10000", Unchanged)]);
    let newer = "1234567890abcdef1234567890abcdef12345678";
    assert_ne!(x86.results.fingerprint.git.commit, newer);
    arm.results.fingerprint.git.commit = newer.to_owned();
    let files = vec![
        write_results(dir.path(), "x86.json", &x86),
        write_results(dir.path(), "arm.json", &arm),
    ];
    let out = merge(dir.path(), &files, &["--expect", X86, ARM]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("x86.json") && err.contains("arm.json") && err.contains(newer),
        "{err}"
    );
    assert!(err.contains(&x86.results.fingerprint.git.commit), "{err}");
    assert!(!dir.path().join("merged.json").exists(), "nothing written");
}

#[test]
fn a_regression_on_one_platform_fails_with_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let files = both_platforms(dir.path(), Regressed);
    let out = merge(dir.path(), &files, &["--expect", X86, ARM]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(merged_json(dir.path())["outcome"], "fail");
}

#[test]
fn a_missing_required_platform_fails_and_is_shown_missing() {
    let dir = tempfile::tempdir().unwrap();
    let files = vec![write_results(
        dir.path(),
        "x86.json",
        &judged(X86, &[("decay/10000", Unchanged)]),
    )];
    // Default expectations: the matrix's required platforms in Cargo.toml (both).
    let out = merge(dir.path(), &files, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let json = merged_json(dir.path());
    assert_eq!(json["outcome"], "fail");
    let arm = json["platforms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["platform"] == ARM)
        .expect("the missing platform is listed");
    assert_eq!(arm["status"], "missing");
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(shown.contains(ARM) && shown.contains("missing"), "{shown}");
}

#[test]
fn inputs_it_cannot_trust_exit_2_naming_the_file_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let x86 = write_results(dir.path(), "x86.json", &judged(X86, &[("a/1", Unchanged)]));
    let x86_again = write_results(
        dir.path(),
        "again.json",
        &judged(X86, &[("a/1", Unchanged)]),
    );
    let mut old = judged(ARM, &[("a/1", Unchanged)]).json();
    old["version"] = 1.into();
    let old_path = dir.path().join("old-version.json");
    std::fs::write(&old_path, old.to_string()).unwrap();
    let empty = dir.path().join("empty.json");
    std::fs::write(&empty, "").unwrap();
    let report = dir.path().join("a-report.json");
    std::fs::write(&report, r#"{"schema":"perfmatrix-report","version":1}"#).unwrap();
    let path = |p: &Path| p.display().to_string();
    let cases = [
        (
            vec![x86.clone(), x86_again],
            "again.json",
            "both hold results of",
        ),
        (
            vec![x86.clone(), path(&old_path)],
            "old-version.json",
            "version",
        ),
        (
            vec![x86.clone(), path(&empty)],
            "empty.json",
            "not valid JSON",
        ),
        (
            vec![path(&report), x86.clone()],
            "a-report.json",
            "`schema`",
        ),
        (
            vec![x86.clone(), path(&dir.path().join("nope.json"))],
            "nope.json",
            "cannot read",
        ),
    ];
    let out_dir = dir.path().join("out");
    for (files, file, what) in cases {
        let out = merge(&out_dir, &files, &["--expect", X86]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{file}: {err}");
        assert!(
            err.contains(file) && err.contains(what),
            "{file} / {what}: {err}"
        );
    }
    let out = merge(&out_dir, &[x86], &["--expect", "../x"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--expect"), "{}", stderr(&out));
    assert!(files_in(&out_dir).is_empty(), "nothing written");
}

/// A judged x86 results file in `dir` with `edit` applied to its JSON.
fn edited(dir: &Path, name: &str, edit: impl Fn(&mut serde_json::Value)) -> String {
    let mut json = judged(X86, &[("a/1", Unchanged), ("decay/10000", Unchanged)]).json();
    edit(&mut json);
    let path = dir.join(name);
    std::fs::write(&path, json.to_string()).unwrap();
    path.display().to_string()
}

#[test]
fn a_leg_is_checked_like_a_run_and_refused_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let cases = [
        (
            edited(d, "wrong-platform.json", |j| {
                j["verdict"]["platform"] = ARM.into();
            }),
            "verdict.platform",
        ),
        (
            edited(d, "twice.json", |j| {
                j["verdict"]["rows"][1]["id"] = "a/1".into();
            }),
            "appears twice",
        ),
        (
            edited(d, "escape.json", |j| {
                j["verdict"]["rows"][0]["id"] = "../x".into();
            }),
            "verdict.rows[0].id",
        ),
        (
            edited(d, "nul.json", |j| {
                j["verdict"]["rows"][0]["id"] = "a\0b".into();
            }),
            "verdict.rows[0].id",
        ),
        (
            edited(d, "newline.json", |j| {
                j["verdict"]["rows"][1]["id"] = "a\nb".into();
            }),
            "verdict.rows[1].id",
        ),
        (
            edited(d, "negative.json", |j| {
                j["benchmarks"][0]["samples_ns"][3] = (-1.0).into();
            }),
            "benchmarks[0].samples_ns",
        ),
        (
            edited(d, "zero.json", |j| {
                j["benchmarks"][0]["samples_ns"][0] = 0.into();
            }),
            "benchmarks[0].samples_ns",
        ),
        (
            edited(d, "huge.json", |j| {
                j["benchmarks"][0]["samples_ns"][0] = 1e300.into();
            }),
            "benchmarks[0].samples_ns",
        ),
        (
            edited(d, "bad-bench-id.json", |j| {
                j["benchmarks"][0]["id"] = "../../etc".into();
            }),
            "benchmarks[0].id",
        ),
        (
            edited(d, "summary.json", |j| {
                j["benchmarks"][0]["summary"]["max_ns"] = 1.0.into();
            }),
            "benchmarks[0].summary.max_ns",
        ),
        (
            edited(d, "zero-count.json", |j| {
                j["benchmarks"][0]["counts"] = serde_json::json!({
                    "instructions": {"status": "value", "value": 0},
                    "peak_rss_bytes": {"status": "unavailable", "why": {"because": "zero-peak-memory"}}
                });
            }),
            "benchmarks[0].counts.instructions",
        ),
        (
            edited(d, "negative-median.json", |j| {
                j["verdict"]["rows"][0]["new_median_ns"] = (-3.0).into();
            }),
            "verdict.rows[0].new_median_ns",
        ),
    ];
    let out_dir = d.join("out");
    for (file, what) in cases {
        let out = merge(&out_dir, std::slice::from_ref(&file), &["--expect", X86]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{file}: {err}");
        let name = Path::new(&file).file_name().unwrap().to_str().unwrap();
        assert!(
            err.contains(name) && err.contains(what),
            "{name} / {what}: {err}"
        );
        assert!(!err.contains('\0'), "no raw NUL in the message: {err:?}");
    }
    assert!(files_in(&out_dir).is_empty(), "nothing written");
}

/// A leg's tally and outcome follow from its rows: a file whose summary claims otherwise (a
/// pass over a regressed row) is refused, naming it, and nothing is written.
#[test]
fn a_leg_that_claims_a_pass_over_a_regressed_row_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = edited(dir.path(), "lying.json", |j| {
        j["verdict"]["rows"][0]["verdict"] = "regressed".into();
        j["verdict"]["outcome"] = "pass".into();
    });
    let out = merge(dir.path(), &[file], &["--expect", X86]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("lying.json") && err.contains("disagrees with its rows"),
        "{err}"
    );
    for name in ["merged.json", "merged.md", "merged.html"] {
        assert!(!dir.path().join(name).exists(), "{name} was written");
    }
}

/// A verdict is of its run: a quick run's verdict that claims to be of a full run is refused,
/// naming the file and the field.
#[test]
fn a_quick_leg_claiming_a_full_verdict_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = edited(dir.path(), "quick.json", |j| {
        j["settings"]["quick"] = true.into();
        j["verdict"]["quick"] = false.into();
    });
    let out = merge(dir.path(), std::slice::from_ref(&file), &["--expect", X86]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("quick.json") && err.contains("verdict.quick"),
        "{err}"
    );
}

/// A quick leg, honestly labelled, never passes a required platform.
#[test]
fn a_quick_leg_does_not_pass_a_required_platform() {
    let dir = tempfile::tempdir().unwrap();
    let file = edited(dir.path(), "quick.json", |j| {
        j["settings"]["quick"] = true.into();
        j["verdict"]["quick"] = true.into();
    });
    let out = merge(dir.path(), std::slice::from_ref(&file), &["--expect", X86]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let json = merged_json(dir.path());
    assert_eq!(json["outcome"], "fail");
    assert_eq!(json["platforms"][0]["status"], "unjudged");
    assert_eq!(json["platforms"][0]["quick"], true);
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(shown.contains("--quick"), "{shown}");
}

#[test]
fn outputs_are_all_checked_before_any_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let files = both_platforms(d, Unchanged);
    let out = d.join("out");
    std::fs::create_dir_all(out.join("a-folder")).unwrap();
    let path = |p: PathBuf| p.display().to_string();
    let (md, html) = (path(out.join("merged.md")), path(out.join("merged.html")));
    let cases = [
        // --json is a folder: the Markdown and HTML before it must not be written either.
        (path(out.join("a-folder")), "--json", "is a folder"),
        // --json is one of the inputs: refused, the input kept.
        (files[1].clone(), "--json", "one of the input files"),
        (md.clone(), "--json", "also given to --markdown"),
    ];
    for (json, flag, what) in cases {
        let mut args = vec!["merge"];
        args.extend(files.iter().map(String::as_str));
        args.extend([
            "--expect",
            X86,
            ARM,
            "--markdown",
            &md,
            "--html",
            &html,
            "--json",
            &json,
        ]);
        let run = xtask(&args);
        let err = stderr(&run);
        assert_eq!(run.status.code(), Some(2), "{err}");
        assert!(
            err.contains(flag) && err.contains(what),
            "{flag} / {what}: {err}"
        );
        assert!(!out.join("merged.md").exists() && !out.join("merged.html").exists());
    }
    let input: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&files[1]).unwrap()).unwrap();
    assert_eq!(
        input["schema"], "perfmatrix-results",
        "the input is untouched"
    );
}

#[test]
fn bench_refuses_an_out_inside_the_baselines_folder_before_running() {
    let dir = tempfile::tempdir().unwrap();
    let baselines = dir.path().join("baselines");
    std::fs::create_dir_all(baselines.join(X86)).unwrap();
    let inside = baselines.join(X86).join("mine.json");
    // --quick and a filter that matches nothing: should the check ever break, this test must
    // not turn into a benchmark run.
    let run = xtask(&[
        "bench",
        "no-such-benchmark-xyz",
        "--quick",
        "--baselines",
        baselines.to_str().unwrap(),
        "--out",
        inside.to_str().unwrap(),
    ]);
    let err = stderr(&run);
    assert_eq!(run.status.code(), Some(2), "{err}");
    assert!(err.contains("--out") && err.contains("inside"), "{err}");
    assert!(files_in(&baselines).is_empty(), "nothing written");
}

/// The legs of one platform measured as shards (`bench --shard k/2`), each with its part of
/// `rows` and the whole plan.
fn shard_files(
    dir: &Path,
    rows: &[(&str, perfmatrix_model::RowVerdict)],
    count: u32,
) -> Vec<String> {
    use perfmatrix_model::{BenchmarkId, Shard, Sharding};
    let ids: Vec<BenchmarkId> = rows
        .iter()
        .map(|(id, _)| BenchmarkId::new(*id).unwrap())
        .collect();
    let plan = perfmatrix_model::plan(&ids, |_| None, count);
    (1..=count)
        .map(|k| {
            let mine: Vec<(&str, perfmatrix_model::RowVerdict)> = rows
                .iter()
                .filter(|(id, _)| plan.iter().any(|p| p.id.as_str() == *id && p.shard == k))
                .copied()
                .collect();
            let mut leg = judged(X86, &mine);
            leg.results.sharding = Some(Sharding {
                shard: Shard::new(k, count).unwrap(),
                plan: plan.clone(),
            });
            write_results(dir, &format!("x86-shard-{k}-of-{count}.json"), &leg)
        })
        .collect()
}

/// Issue 24: the shards of a platform merge into the platform, with the verdicts the rows had;
/// without one of them, its benchmarks are listed missing and the required platform fails.
#[test]
fn the_shards_of_a_platform_merge_into_one_platform_and_a_missing_one_fails_it() {
    let rows = [
        ("decay/10", Unchanged),
        ("decay/100", Regressed),
        ("cosine/8", Unchanged),
        ("cosine/64", Unchanged),
        ("dot/1", Unchanged),
        ("dot/2", Unchanged),
    ];
    let dir = tempfile::tempdir().unwrap();
    let files = shard_files(dir.path(), &rows, 3);
    let out = merge(dir.path(), &files, &["--expect", X86]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let json = merged_json(dir.path());
    assert_eq!(json["platforms"][0]["status"], "fail");
    assert_eq!(json["benchmarks"].as_array().unwrap().len(), 6);
    assert_eq!(json["tally"]["regressed"], 1);

    let passing: Vec<_> = rows.iter().map(|(id, _)| (*id, Unchanged)).collect();
    let dir = tempfile::tempdir().unwrap();
    let mut files = shard_files(dir.path(), &passing, 3);
    let out = merge(dir.path(), &files, &["--expect", X86]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    files.remove(1);
    let out = merge(dir.path(), &files, &["--expect", X86]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let json = merged_json(dir.path());
    assert_eq!(json["platforms"][0]["status"], "incomplete");
    assert!(json["tally"]["missing"].as_u64().unwrap() > 0, "{json}");
    let md = std::fs::read_to_string(dir.path().join("merged.md")).unwrap();
    assert!(md.contains("shard(s) 2/3 sent no results"), "{md}");
}

/// Issue 22: a leg judged by code or settings the pull request loosened (here `paired` gates of
/// 0.99) passes a 10% slowdown; `--rejudge` judges its pairs again with this build and this
/// workspace's settings, and the slowdown fails the merge.
#[test]
fn rejudge_takes_the_verdict_out_of_the_legs_hands() {
    let dir = tempfile::tempdir().unwrap();
    let loosened = serde_json::json!({"metadata": {"perfmatrix": {
        "paired": {"warn": 0.9, "fail": 0.99}
    }}});
    let leg = paired_leg(X86, 1.10, &loosened);
    assert_eq!(
        leg.verdict.rows[0].verdict, Unchanged,
        "{:?}",
        leg.verdict.rows[0]
    );
    let files = vec![write_results(dir.path(), "x86.json", &leg)];
    let out = merge(dir.path(), &files, &["--expect", X86]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = merge(dir.path(), &files, &["--expect", X86, "--rejudge"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("x86.json: judged again, fail; the leg said pass"),
        "{}",
        stderr(&out)
    );
    let merged = merged_json(dir.path());
    assert_eq!(merged["outcome"], "fail", "{merged}");
    // A leg this build judges alike is left as it was.
    let fair = paired_leg(X86, 1.0, &serde_json::json!({}));
    let files = vec![write_results(dir.path(), "x86.json", &fair)];
    let out = merge(dir.path(), &files, &["--expect", X86, "--rejudge"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!stderr(&out).contains("judged again"), "{}", stderr(&out));
}

/// A leg measured under emulation, judged again where only native baselines of its platform
/// exist: there is no comparable baseline, and the command the report names records one
/// under emulation (the hint `bench` gives; `--rejudge` once left out `--emulated`).
#[test]
fn rejudge_names_the_emulated_baseline_to_record() {
    let dir = tempfile::tempdir().unwrap();
    let mut leg = judged(ARM, &[("decay/10000", Unchanged)]);
    leg.results.fingerprint.environment.emulated = Some("qemu-user".to_owned());
    let files = vec![write_results(dir.path(), "arm.json", &leg)];
    let out = merge(dir.path(), &files, &["--expect", ARM, "--rejudge"]);
    assert_ne!(out.status.code(), Some(2), "{}", stderr(&out));
    let md = std::fs::read_to_string(dir.path().join("merged.md")).unwrap();
    assert!(
        md.contains(&format!("update-baselines --platform {ARM} --emulated")),
        "{md}"
    );
}
