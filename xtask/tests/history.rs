//! `cargo xtask history`: appending results files to a history folder (refusals write nothing),
//! rendering a folder or a git ref, and bad lines reported with their file and line.

mod common;

use std::path::Path;
use std::process::Command;

use common::{history_records, judged, results, stderr, write_results, xtask};
use perfmatrix_model::RowVerdict;

const X86: &str = "x86_64-unknown-linux-gnu";

/// A commit of this repository (the xtask resolves `--commit` here).
fn head() -> String {
    let out = Command::new("git")
        .args(["rev-parse", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Appends one judged x86_64 results file (made in `dir`) of this repository's HEAD to `hist`;
/// its stderr.
fn append_one(dir: &Path, hist: &Path) -> String {
    let file = write_results(
        dir,
        "x86.json",
        &judged(X86, &[("decay/10000", RowVerdict::Unchanged)]),
    );
    let out = xtask(&[
        "history",
        "append",
        &file,
        "--dir",
        s(hist),
        "--commit",
        &head(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    stderr(&out)
}

/// Ten `history append` processes at once into one folder, each with nine records of its own:
/// every record is in the file afterwards (the appends are serialized by a lock on the folder;
/// without it, each read the file before the others had written and half the records were lost).
#[test]
fn appends_at_once_lose_no_record() {
    let dir = tempfile::tempdir().unwrap();
    let hist = dir.path().join("history");
    let sha = head();
    let children: Vec<std::process::Child> = (0..10)
        .map(|i| {
            let mut r = results(X86, false, 0);
            let template = r.benchmarks[0].clone();
            r.benchmarks = (0..9)
                .map(|b| perfmatrix_model::BenchResult {
                    id: perfmatrix_model::BenchmarkId::new(format!("group{i}/bench{b}")).unwrap(),
                    ..template.clone()
                })
                .collect();
            let file = write_results(dir.path(), &format!("x86-{i}.json"), &r);
            Command::new(env!("CARGO_BIN_EXE_xtask"))
                .args([
                    "history",
                    "append",
                    &file,
                    "--dir",
                    s(&hist),
                    "--commit",
                    &sha,
                ])
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert!(
            stderr(&out).contains("9 record(s) appended"),
            "{}",
            stderr(&out)
        );
    }
    assert_eq!(
        history_records(&hist).len(),
        90,
        "every append's records are there"
    );
}

#[test]
fn append_then_render_a_dashboard_markdown_json_and_badges() {
    let dir = tempfile::tempdir().unwrap();
    let hist = dir.path().join("history");
    let err = append_one(dir.path(), &hist);
    assert!(err.contains("1 record(s) appended"), "{err}");
    // Again: already there, nothing written twice.
    let err = append_one(dir.path(), &hist);
    assert!(err.contains("already there"), "{err}");
    let sha = head();
    let records = history_records(&hist);
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].commit, sha);

    let html = dir.path().join("dash");
    let (md, json, badges) = (
        dir.path().join("h.md"),
        dir.path().join("h.json"),
        dir.path().join("badges"),
    );
    let out = xtask(&[
        "history",
        "--dir",
        s(&hist),
        "--html",
        s(&html),
        "--markdown",
        s(&md),
        "--json",
        s(&json),
        "--badges",
        s(&badges),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(html.join("index.html").is_file());
    assert!(html.join(format!("{X86}.html")).is_file());
    assert!(std::fs::read_to_string(&md).unwrap().contains(X86));
    let trend: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(trend["schema"], "perfmatrix-trend");
    assert!(
        std::fs::read_to_string(badges.join(format!("{X86}.svg")))
            .unwrap()
            .contains("<svg")
    );

    // Through a cache of its own: the first read fills it, the second reads no line and
    // renders the same page; with the cache off, nothing is kept.
    let cache = dir.path().join("cache");
    let render = |html: &Path, cache_flags: &[&str]| {
        let mut args = vec!["history", "--dir", s(&hist), "--html", s(html)];
        args.extend_from_slice(cache_flags);
        let out = xtask(&args);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        stderr(&out)
    };
    let (one, two, off) = (
        dir.path().join("one"),
        dir.path().join("two"),
        dir.path().join("off"),
    );
    assert!(render(&one, &["--cache", s(&cache)]).contains("1 line(s) parsed, 0 from the cache"));
    assert!(render(&two, &["--cache", s(&cache)]).contains("0 line(s) parsed, 1 from the cache"));
    assert!(render(&off, &["--no-cache"]).contains("(no cache)"));
    let page = |d: &Path| std::fs::read_to_string(d.join(format!("{X86}.html"))).unwrap();
    assert_eq!(page(&one), page(&two));
    assert_eq!(page(&one), page(&off));
    assert_eq!(std::fs::read_dir(&cache).unwrap().count(), 1);
    let out = xtask(&[
        "history",
        "--dir",
        s(&hist),
        "--cache",
        s(&cache),
        "--no-cache",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("--no-cache"), "{}", stderr(&out));
}

#[test]
fn a_refused_append_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let hist = dir.path().join("history");
    let good = write_results(
        dir.path(),
        "good.json",
        &judged(X86, &[("decay/10000", RowVerdict::Unchanged)]),
    );
    let quick = write_results(
        dir.path(),
        "quick.json",
        &results("aarch64-unknown-linux-gnu", true, 0),
    );
    let out = xtask(&[
        "history",
        "append",
        &good,
        &quick,
        "--dir",
        s(&hist),
        "--commit",
        &head(),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("quick.json"), "{}", stderr(&out));
    assert!(stderr(&out).contains("quick run"), "{}", stderr(&out));
    assert!(!hist.exists(), "nothing written");
    let out = xtask(&[
        "history",
        "append",
        &good,
        "--dir",
        s(&hist),
        "--commit",
        "no-such-rev",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--commit `no-such-rev`"),
        "{}",
        stderr(&out)
    );
    assert!(!hist.exists());
}

#[test]
fn bad_lines_are_named_and_skipped_and_a_ref_is_read_from_git() {
    let dir = tempfile::tempdir().unwrap();
    let hist = dir.path().join("history");
    append_one(dir.path(), &hist);
    let path = hist.join(format!("{X86}.pmh"));
    let mut text = std::fs::read(&path).unwrap();
    // What an append killed while writing leaves: the start of a second run.
    text.extend_from_slice(b"PMH2\x10\0\0");
    std::fs::write(&path, &text).unwrap();
    let html = dir.path().join("dash");
    let out = xtask(&["history", "--dir", s(&hist), "--html", s(&html)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!("{}:2: skipped", path.display())),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        std::fs::read(&path).unwrap(),
        text,
        "rendering never rewrites the history"
    );

    // A missing folder is named; an unknown ref too.
    let out = xtask(&["history", "--dir", s(&dir.path().join("nope"))]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("nope"), "{}", stderr(&out));
    let out = xtask(&["history", "--ref", "refs/heads/no-such-history-branch"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no-such-history-branch"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn the_history_branch_is_read_from_a_git_ref() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("repo");
    let hist = repo.join("history");
    append_one(dir.path(), &hist);
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args)
            .current_dir(&repo)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    git(&["init", "-q", "-b", "perfmatrix-history"]);
    git(&["add", "history"]);
    git(&["commit", "-q", "-m", "history"]);
    // The xtask runs git in the project root; GIT_DIR points it at the stand-in repository.
    let json = dir.path().join("trend.json");
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args([
            "history",
            "--ref",
            "perfmatrix-history",
            "--json",
            s(&json),
            "--html",
        ])
        .arg(dir.path().join("dash"))
        .env("GIT_DIR", repo.join(".git"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let trend = std::fs::read_to_string(&json).unwrap();
    assert!(trend.contains("decay/10000"), "{trend}");
}

/// A history of JSON lines, as perfmatrix wrote it before the compact store: rendered as it is,
/// migrated by `history migrate` (which says what it did), then rendered from the compact file
/// with the same change points; the next append writes to the compact file.
#[test]
fn a_json_lines_history_is_read_migrated_and_appended_to() {
    let dir = tempfile::tempdir().unwrap();
    let hist = dir.path().join("history");
    std::fs::create_dir_all(&hist).unwrap();
    let replay = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../docs/history-replay/paired/x86_64-unknown-linux-gnu.jsonl");
    let lines = hist.join(format!("{X86}.jsonl"));
    std::fs::copy(&replay, &lines).unwrap();
    let render = |name: &str| {
        let json = dir.path().join(name);
        let out = xtask(&[
            "history",
            "--dir",
            s(&hist),
            "--no-cache",
            "--json",
            s(&json),
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let trend: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
        trend["platforms"][0]["series"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                (
                    s["benchmark"].clone(),
                    s["change_points"].as_array().unwrap().len(),
                )
            })
            .collect::<Vec<_>>()
    };
    let before = render("before.json");
    assert!(before.iter().any(|(_, n)| *n > 0), "{before:?}");

    let out = xtask(&["history", "migrate", "--dir", s(&hist)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("migrated") && stderr(&out).contains("153 record(s)"),
        "{}",
        stderr(&out)
    );
    assert!(!lines.exists());
    assert_eq!(history_records(&hist).len(), 153);
    assert_eq!(render("after.json"), before);
    let out = xtask(&["history", "migrate", "--dir", s(&hist)]);
    assert!(
        stderr(&out).contains("no JSON-lines files"),
        "{}",
        stderr(&out)
    );

    let err = append_one(dir.path(), &hist);
    assert!(err.contains("1 record(s) appended"), "{err}");
    assert_eq!(history_records(&hist).len(), 154);
}
