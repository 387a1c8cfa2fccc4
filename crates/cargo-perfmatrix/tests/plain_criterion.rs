//! Plain criterion benchmarks, unchanged, at criterion 0.4, 0.5 and 0.8 (as the registry serves
//! them), in a single-package crate on a `master` branch with no perfmatrix settings: perfmatrix
//! builds them against its criterion layer and they are sampled interleaved and counted.
//!
//! For each version: the ids are criterion's own listing's; an A/A run (the commit against
//! itself) counts the same instructions on both sides; a run against committed baselines
//! (timed by criterion) counts them too; a commit that makes `sum` do more work
//! is caught by its instructions (deterministic, unlike wall time) and fails the run; the lock
//! file is put back. At 0.8, a bench target with an API the layer lacks falls back to whole
//! criterion runs, with the reason in the report.
//!
//! The fixtures build into `target/plain-criterion` of this checkout, kept between runs, so only
//! the first run pays for criterion's dependencies. They resolve criterion from the registry.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{cargo_perfmatrix, git, repo, text};

const LIB: &str = r"//! The code under test.
pub fn sum(v: &[u64]) -> u64 {
    v.iter().sum()
}

pub fn fib(n: u64) -> u64 {
    if n < 2 { n } else { fib(n - 1) + fib(n - 2) }
}
";

/// Every style of bench code the layer implements, with group settings that would make
/// criterion take seconds per benchmark, and a setup that prints.
const STYLES: &str = r#"use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion, Throughput};
use std::hint::black_box;
use std::time::Duration;

fn plain(c: &mut Criterion) {
    println!("setting up: a benchmark that prints must not break the protocol");
    c.bench_function("fib 15", |b| b.iter(|| plainbench::fib(black_box(15))));
    c.bench_with_input(BenchmarkId::new("fib_input", 10), &10u64, |b, &n| {
        b.iter(|| plainbench::fib(n))
    });
}

fn grouped(c: &mut Criterion) {
    let mut g = c.benchmark_group("sum");
    g.warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(3));
    let v: Vec<u64> = (0..1000).collect();
    g.throughput(Throughput::Elements(1000));
    g.bench_with_input(BenchmarkId::from_parameter(1000), &v, |b, v| b.iter(|| plainbench::sum(v)));
    g.bench_function(BenchmarkId::new("batched", 1000), |b| {
        b.iter_batched(|| v.clone(), |v| plainbench::sum(&v), BatchSize::SmallInput)
    });
    g.bench_function("batched_ref", |b| {
        b.iter_batched_ref(|| v.clone(), |v| plainbench::sum(v), BatchSize::LargeInput)
    });
    g.bench_function("setup", |b| b.iter_with_setup(|| vec![1u64; 64], |v| plainbench::sum(&v)));
    g.bench_function("large_drop", |b| b.iter_with_large_drop(|| vec![7u8; 4096]));
    g.bench_function("custom", |b| {
        b.iter_custom(|iters| {
            let start = std::time::Instant::now();
            for _ in 0..iters {
                black_box(plainbench::sum(black_box(&v)));
            }
            start.elapsed()
        })
    });
    g.finish();
}

criterion_group!(benches, plain);
criterion_group! {
    name = configured;
    config = Criterion::default().sample_size(10).warm_up_time(Duration::from_millis(200));
    targets = grouped
}
criterion_main!(benches, configured);
"#;

/// A bench target with an API the layer does not implement (a measurement chosen by hand).
const MEASURED: &str = r#"use criterion::{criterion_group, criterion_main, Criterion};

fn measured(c: &mut Criterion) {
    c.bench_function("measured/fib", |b| b.iter(|| plainbench::fib(10)));
}

criterion_group! {
    name = benches;
    config = Criterion::default().with_measurement(criterion::measurement::WallTime);
    targets = measured
}
criterion_main!(benches);
"#;

fn manifest(version: &str, measured: bool) -> String {
    let extra = if measured {
        "\n[[bench]]\nname = \"measured\"\nharness = false\n"
    } else {
        ""
    };
    format!(
        "[package]\nname = \"plainbench\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
         [dev-dependencies]\ncriterion = {{ version = \"{version}\", default-features = false, \
         features = [\"cargo_bench_support\"] }}\n\n[[bench]]\nname = \"styles\"\nharness = \
         false\n{extra}"
    )
}

fn target_dir() -> PathBuf {
    repo().join("target/plain-criterion")
}

fn write(path: &Path, contents: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, contents).unwrap();
}

/// A single-package crate depending on criterion `version`, in a new repository on `master`
/// with `ignored` in its `.gitignore`; nothing committed yet.
fn crate_files(version: &str, ignored: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(&root.join("Cargo.toml"), &manifest(version, false));
    write(&root.join("src/lib.rs"), LIB);
    write(&root.join("benches/styles.rs"), STYLES);
    write(&root.join(".gitignore"), ignored);
    git(root, &["init", "-q", "-b", "master"]);
    dir
}

/// The crate of [`crate_files`], one commit on `master`, its lock file resolved now and
/// committed, as an application's would be.
fn fixture(version: &str) -> tempfile::TempDir {
    let dir = crate_files(version, "/target\n");
    let root = dir.path();
    let out = Command::new("cargo")
        .args(["generate-lockfile"])
        .current_dir(root)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    git(root, &["add", "-A"]);
    git(root, &["commit", "-q", "-m", "plain criterion benchmarks"]);
    dir
}

/// A library's crate: as [`fixture`], but its `Cargo.lock` ignored and never committed.
fn unlocked_fixture(version: &str) -> tempfile::TempDir {
    let dir = crate_files(version, "/target\n/Cargo.lock\n");
    git(dir.path(), &["add", "-A"]);
    git(
        dir.path(),
        &["commit", "-q", "-m", "a library: no lock file committed"],
    );
    dir
}

/// criterion's own listing of the `styles` target (`<id>: benchmark`, 0.4's `<id>: bench`).
fn criterion_ids(root: &Path) -> Vec<String> {
    let out = Command::new("cargo")
        .args(["bench", "-q", "--bench", "styles", "--", "--list"])
        .current_dir(root)
        .env("CARGO_TARGET_DIR", target_dir())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let mut ids: Vec<String> = text(&out.stdout)
        .lines()
        .filter_map(|l| {
            l.strip_suffix(": benchmark")
                .or_else(|| l.strip_suffix(": bench"))
        })
        .map(str::to_owned)
        .collect();
    ids.sort();
    ids
}

fn results(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn rows(results: &serde_json::Value) -> &Vec<serde_json::Value> {
    results["verdict"]["rows"].as_array().unwrap()
}

/// `bench --quick --no-history <how…> [filter]` of `root`: its exit code must be `code`; its
/// results file and its table.
fn bench(
    root: &Path,
    how: &[&str],
    filter: Option<&str>,
    code: i32,
) -> (serde_json::Value, String) {
    let out_file = root.join("target-results.json");
    let mut args = vec![
        "bench",
        "--quick",
        "--no-history",
        "--out",
        out_file.to_str().unwrap(),
    ];
    args.extend(how);
    args.extend(filter);
    let out = cargo_perfmatrix(root, &target_dir(), &args);
    assert_eq!(out.status.code(), Some(code), "{}", text(&out.stderr));
    let results = results(&out_file);
    std::fs::remove_file(&out_file).unwrap();
    (results, text(&out.stdout))
}

/// The paired run against `against`, its results.
fn paired(root: &Path, against: &str, code: i32) -> serde_json::Value {
    bench(root, &["--against", against], None, code).0
}

/// The workspace's tracked files are as they were (the patched build's lock file put back).
fn untouched(root: &Path) {
    let out = Command::new("git")
        .args(["status", "--porcelain", "--untracked-files=no"])
        .current_dir(root)
        .output()
        .unwrap();
    assert_eq!(text(&out.stdout), "", "tracked files changed");
}

fn one_version(version: &str) {
    let dir = fixture(version);
    let root = dir.path();
    let expected = criterion_ids(root);
    assert_eq!(expected.len(), 8, "{expected:?}");

    // A/A: every benchmark on the layer, interleaved, counted, the same instructions each side.
    let aa = paired(root, "HEAD", 0);
    let layer = &aa["paired"]["criterion_layer"];
    assert_eq!(layer["status"], "used", "{version}: {layer}");
    assert!(
        layer["criterion"].as_str().unwrap().starts_with(version),
        "{layer}"
    );
    let mut ids: Vec<String> = rows(&aa)
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    assert_eq!(ids, expected, "{version}: the ids are criterion's own");
    for row in rows(&aa) {
        assert_eq!(row["paired"]["method"], "interleaved", "{row}");
        assert!(row["instructions"]["new"].as_u64().unwrap() > 0, "{row}");
        assert_eq!(row["instructions"]["change"], 0.0, "{version}: {row}");
    }
    untouched(root);

    // Against committed baselines criterion times them, and the layer counts them.
    let (committed, _) = bench(root, &["--committed"], Some("^fib"), 0);
    let benchmarks = committed["benchmarks"].as_array().unwrap();
    assert_eq!(benchmarks.len(), 2, "{committed}");
    for bench in benchmarks {
        assert!(
            bench["counts"]["instructions"]["value"].as_u64().unwrap() > 0,
            "{version}: {bench}"
        );
    }
    untouched(root);

    // A commit that makes `sum` do more work: its benchmarks' instructions regress and fail the
    // run; `fib`'s do not move.
    let slower = LIB.replace(
        "v.iter().sum()",
        "v.iter().fold(0u64, |a, &x| std::hint::black_box(a.wrapping_add(x)))",
    );
    write(&root.join("src/lib.rs"), &slower);
    git(root, &["commit", "-q", "-am", "sum through black_box"]);
    let change = paired(root, "HEAD~1", 1);
    for row in rows(&change) {
        let id = row["id"].as_str().unwrap();
        let instructions = &row["instructions"];
        if id.starts_with("fib") {
            assert_eq!(instructions["change"], 0.0, "{version}: {row}");
        } else if id != "sum/large_drop" {
            assert_eq!(instructions["verdict"], "regressed", "{version}: {row}");
        }
    }
    untouched(root);
}

/// One test, so that its runs, which share one target folder (and so its run lock), run one
/// after another.
#[test]
fn plain_criterion_benchmarks_run_on_the_layer_at_every_version() {
    for version in ["0.4", "0.5", "0.8"] {
        one_version(version);
    }
    what_the_layer_cannot_build_falls_back_with_its_reason();
    a_library_without_a_lock_file_pairs_on_the_layer();
}

/// A crate that commits no `Cargo.lock` (as most libraries): the base worktree gets head's, so
/// the layer knows the criterion version on both sides and the benchmarks are interleaved and
/// counted (before, the base's version was unknown and both sides ran in whole criterion runs).
fn a_library_without_a_lock_file_pairs_on_the_layer() {
    let dir = unlocked_fixture("0.5");
    let root = dir.path();
    let aa = paired(root, "HEAD", 0);
    let layer = &aa["paired"]["criterion_layer"];
    assert_eq!(layer["status"], "used", "{layer}");
    for row in rows(&aa) {
        assert_eq!(row["paired"]["method"], "interleaved", "{row}");
        assert_eq!(row["instructions"]["change"], 0.0, "{row}");
    }
    untouched(root);
}

/// A bench target the layer cannot build (`with_measurement`) sends the plain targets back to
/// whole criterion runs, and the report says why, in the terminal and in the results.
fn what_the_layer_cannot_build_falls_back_with_its_reason() {
    let dir = fixture("0.8");
    let root = dir.path();
    write(&root.join("Cargo.toml"), &manifest("0.8", true));
    write(&root.join("benches/measured.rs"), MEASURED);
    git(root, &["add", "-A"]);
    git(root, &["commit", "-q", "-m", "a measurement of its own"]);
    let (results, shown) = bench(root, &["--against", "HEAD"], Some("^fib 15$"), 0);
    let layer = &results["paired"]["criterion_layer"];
    assert_eq!(layer["status"], "not-used", "{layer}");
    assert_eq!(layer["side"], "head", "{layer}");
    assert_eq!(layer["why"]["because"], "does-not-compile", "{layer}");
    let error = layer["why"]["error"].as_str().unwrap();
    assert!(
        error.contains("measured") && error.contains("with_measurement"),
        "{error}"
    );
    let row = &rows(&results)[0];
    assert_eq!(row["paired"]["method"], "whole-runs", "{row}");
    assert!(
        shown.contains("measured with criterion itself, in whole runs")
            && shown.contains("with_measurement"),
        "{shown}"
    );
    untouched(root);
}
