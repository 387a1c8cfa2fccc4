//! perfmatrix on a workspace that is not its own: `tests/fixtures/checksum-workspace` (one crate,
//! no C, a benchmark on perfmatrix's harness and a plain criterion one) is copied to a temporary
//! git repository and driven end to end, through the library (`perfmatrix::run`) and through the
//! `cargo perfmatrix` binary: the workflow, a baseline, a run against it, a planted regression
//! caught against its parent commit, and the merge of the result.
//!
//! The fixture builds into `target/fixture-workspace` of this checkout, kept between runs, so
//! only the first run pays for its dependencies.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Output};

use clap::Parser;
use common::{copy_dir, git, host_triple, repo, text};

/// The front-end a user of the library writes, as in the library's documentation.
#[derive(Debug, Parser)]
#[command(name = "cargo perfmatrix")]
struct Cli {
    #[command(subcommand)]
    command: perfmatrix::Command,
}

/// The fixture as a fresh git repository of one commit, its harness dependency pointing at this
/// checkout, this checkout's lock file (so nothing new is resolved) and the host as its first
/// platform.
fn fixture() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    copy_dir(&repo().join("tests/fixtures/checksum-workspace"), root);
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    let harness = repo().join("crates/perfmatrix-harness");
    let manifest = manifest
        .replace(
            "path = \"../../../crates/perfmatrix-harness\"",
            &format!("path = {:?}", harness.display().to_string()),
        )
        .replace("x86_64-unknown-linux-gnu", &host_triple());
    std::fs::write(root.join("Cargo.toml"), manifest).unwrap();
    std::fs::copy(repo().join("Cargo.lock"), root.join("Cargo.lock")).unwrap();
    std::fs::write(root.join(".gitignore"), "/target\n").unwrap();
    git(root, &["init", "-q", "-b", "main"]);
    git(root, &["add", "-A"]);
    git(root, &["commit", "-q", "-m", "the fixture"]);
    dir
}

fn target_dir() -> PathBuf {
    repo().join("target/fixture-workspace")
}

/// `cargo perfmatrix <args>` in `root`, as cargo runs the installed binary.
fn binary(root: &Path, args: &[&str]) -> Output {
    common::cargo_perfmatrix(root, &target_dir(), args)
}

/// The same command through the library, in this process.
fn library(root: &Path, args: &[&str]) -> ExitCode {
    let cli = Cli::try_parse_from(std::iter::once("cargo perfmatrix").chain(args.iter().copied()))
        .unwrap();
    eprintln!("perfmatrix::run {}", args.join(" "));
    perfmatrix::run(cli.command, root, "cargo perfmatrix")
}

/// One test, so that the steps run in order and only one of them moves the process's folder.
#[test]
fn a_second_workspace_is_gated_end_to_end() {
    // SAFETY: this test binary runs this one test; no other thread reads the environment.
    unsafe { std::env::set_var("CARGO_TARGET_DIR", target_dir()) };
    let host = host_triple();
    let dir = fixture();
    let root = dir.path();

    // The workflow: this workspace's command, install step and baselines folder.
    assert_eq!(library(root, &["matrix", "workflow"]), ExitCode::SUCCESS);
    let workflow = std::fs::read_to_string(root.join(".github/workflows/perf.yml")).unwrap();
    assert!(workflow.contains("cargo perfmatrix bench "), "{workflow}");
    assert!(workflow.contains(
        "cargo install --locked --git https://github.com/perfmatrix/perfmatrix cargo-perfmatrix"
    ));
    assert!(workflow.contains("\"perf/baselines/$TRIPLE\""));
    assert!(!workflow.contains("cargo xtask"));
    let comment = std::fs::read_to_string(root.join(".github/workflows/perf-comment.yml")).unwrap();
    assert!(
        comment.contains("cargo perfmatrix matrix workflow --check"),
        "{comment}"
    );
    assert!(
        binary(root, &["matrix", "workflow", "--check"])
            .status
            .success()
    );

    // A baseline of this machine, in the configured folder.
    assert_eq!(
        library(root, &["update-baselines", "--platform", &host]),
        ExitCode::SUCCESS
    );
    let recorded: Vec<PathBuf> = std::fs::read_dir(root.join("perf/baselines").join(&host))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(recorded.len(), 1, "{recorded:?}");
    git(root, &["add", "-A"]);
    git(
        root,
        &["commit", "-q", "-m", "the baseline and the workflow"],
    );

    // Unchanged code against that baseline: both benchmarks measured, the harness's dispatch
    // facts in the fingerprint, no regression.
    let committed = root.join("committed.json");
    let out = binary(
        root,
        &[
            "bench",
            "--committed",
            "--quick",
            "--out",
            committed.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(0));
    let results: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&committed).unwrap()).unwrap();
    let ids: Vec<&str> = results["benchmarks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["checksum/4096", "words/180"], "{results}");
    assert_eq!(results["fingerprint"]["dispatch"]["checksum"], "scalar");
    let shown = text(&out.stdout);
    assert!(
        shown.contains("checksum/4096") && shown.contains("words/180"),
        "{shown}"
    );

    // A regression planted in a commit (16 rounds of hashing instead of one) is caught against
    // the commit before it, on this machine, in the same run.
    let lib = root.join("src/lib.rs");
    let code = std::fs::read_to_string(&lib).unwrap();
    std::fs::write(
        &lib,
        code.replace("const ROUNDS: usize = 1;", "const ROUNDS: usize = 16;"),
    )
    .unwrap();
    git(root, &["commit", "-q", "-am", "hash sixteen times"]);
    let paired = root.join("paired.json");
    let out = bench_against_parent(root, &paired);
    assert_eq!(out.status.code(), Some(1), "the regression fails the run");
    let shown = text(&out.stdout);
    let row = shown
        .lines()
        .find(|l| l.starts_with("checksum/4096"))
        .unwrap_or_default();
    assert!(row.contains("regressed"), "{shown}");
    plain_benchmark_ran_on_the_layer(root, &paired, &shown);

    the_base_judges_a_change_that_loosens_its_gate(root, &lib, &code);

    // The leg merged into one report, through both front-ends.
    let merged = root.join("merged.md");
    let merge = [
        "merge",
        paired.to_str().unwrap(),
        "--expect",
        &host,
        "--markdown",
        merged.to_str().unwrap(),
    ];
    assert_eq!(library(root, &merge), ExitCode::from(1));
    let markdown = std::fs::read_to_string(&merged).unwrap();
    assert!(markdown.contains("checksum/4096"), "{markdown}");
    assert_eq!(binary(root, &merge).status.code(), Some(1));
}

/// `bench --against HEAD~1 --quick --out <out>` in `root`, through the binary.
fn bench_against_parent(root: &Path, out: &Path) -> Output {
    binary(
        root,
        &[
            "bench",
            "--against",
            "HEAD~1",
            "--quick",
            "--out",
            out.to_str().unwrap(),
        ],
    )
}

/// A change cannot loosen its own gate (issue 22): a commit that slows the harness benchmark
/// again and raises every gate to 0.99 in its own Cargo.toml is judged by the base's settings,
/// and the report lists what head changed. `code` is `lib`'s original text.
fn the_base_judges_a_change_that_loosens_its_gate(root: &Path, lib: &Path, code: &str) {
    std::fs::write(
        lib,
        code.replace("const ROUNDS: usize = 1;", "const ROUNDS: usize = 24;"),
    )
    .unwrap();
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    std::fs::write(
        root.join("Cargo.toml"),
        manifest.replace(
            "[workspace.metadata.perfmatrix]\n",
            "[workspace.metadata.perfmatrix]\nwarn = 0.99\nfail = 0.99\n\
             paired = { warn = 0.99, fail = 0.99 }\n\
             instructions = { warn = 0.99, fail = 0.99 }\n",
        ),
    )
    .unwrap();
    git(
        root,
        &["commit", "-q", "-am", "hash 24 times, and loosen the gate"],
    );
    let out = bench_against_parent(root, &root.join("loosened.json"));
    let shown = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "the base's gate holds: {shown}");
    assert!(
        shown.contains("head changes gate settings, not applied: the base commit's judge this run"),
        "{shown}"
    );
    assert!(
        shown.contains("    instructions: { warn = 0.005, fail = 0.01 } on base, { warn = 0.99, fail = 0.99 } on head"),
        "{shown}"
    );
}

/// The plain criterion benchmark of the paired run (its results in `paired`, its table `shown`),
/// unchanged, was built against perfmatrix's criterion layer: sampled interleaved with its base
/// and counted, like the harness's; and the workspace's files are as they were.
fn plain_benchmark_ran_on_the_layer(root: &Path, paired: &Path, shown: &str) {
    let results: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(paired).unwrap()).unwrap();
    let layer = &results["paired"]["criterion_layer"];
    assert_eq!(layer["status"], "used", "{results}");
    assert!(
        layer["criterion"].as_str().unwrap().starts_with("0.8."),
        "{layer}"
    );
    let words = results["verdict"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "words/180")
        .unwrap();
    assert_eq!(words["paired"]["method"], "interleaved", "{words}");
    assert!(
        words["instructions"]["new"].as_u64().unwrap() > 0,
        "{words}"
    );
    assert!(
        shown.contains("criterion layer (in place of criterion 0.8."),
        "{shown}"
    );
    // The workspace's files are as they were: the patched build's lock file was put back.
    let status = Command::new("git")
        .args(["status", "--porcelain"])
        .current_dir(root)
        .output()
        .unwrap();
    let status = text(&status.stdout);
    assert!(
        !status.contains("Cargo.lock") && !status.contains("Cargo.toml"),
        "{status}"
    );
}
