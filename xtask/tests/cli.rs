//! The command line's refusals: bad flags and bad input files exit with 2, name what is wrong and
//! write nothing; a valid promotion writes the baseline.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::{files_in, results, stderr, write_results, xtask};

/// `update-baselines --platform <platform> --baselines <dir> --from <files…>`.
fn promote(platform: &str, baselines: &Path, files: &[String]) -> Output {
    let mut args = vec!["update-baselines", "--platform", platform, "--baselines"];
    args.push(baselines.to_str().unwrap());
    args.push("--from");
    args.extend(files.iter().map(String::as_str));
    xtask(&args)
}

#[test]
fn a_platform_that_is_not_a_triple_is_refused_before_anything_runs() {
    let dir = tempfile::tempdir().unwrap();
    let baselines = dir.path().join("baselines");
    for bad in [
        "../x",
        "x86_64-unknown-linux-gnu/../../etc",
        "",
        "riscv64gc-unknown-linux-gnu",
    ] {
        let out = xtask(&[
            "update-baselines",
            "--platform",
            bad,
            "--baselines",
            baselines.to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(2), "{bad:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("--platform"),
            "{bad:?}: {}",
            stderr(&out)
        );
    }
    assert!(files_in(dir.path()).is_empty(), "nothing written");
}

#[test]
fn another_platform_without_from_explains_both_ways() {
    let host =
        String::from_utf8(Command::new("rustc").arg("-vV").output().unwrap().stdout).unwrap();
    let other = if host.contains("host: aarch64") {
        "x86_64-unknown-linux-gnu"
    } else {
        "aarch64-unknown-linux-gnu"
    };
    let dir = tempfile::tempdir().unwrap();
    let out = xtask(&[
        "update-baselines",
        "--platform",
        other,
        "--baselines",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("--from") && err.contains(&format!("on a {other} machine")),
        "{err}"
    );
}

#[test]
fn bad_from_files_are_refused_with_their_name_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let baselines = dir.path().join("baselines");
    let x86 = "x86_64-unknown-linux-gnu";
    let good: Vec<String> = (0..3)
        .map(|i| write_results(dir.path(), &format!("ok-{i}.json"), &results(x86, false, i)))
        .collect();
    let quick = write_results(dir.path(), "quick.json", &results(x86, true, 0));
    let arm = write_results(
        dir.path(),
        "arm.json",
        &results("aarch64-unknown-linux-gnu", false, 0),
    );
    let corrupt = dir.path().join("corrupt.json");
    std::fs::write(
        &corrupt,
        "{\"schema\":\"perfmatrix-results\",\"version\":1,\"finger",
    )
    .unwrap();
    let corrupt = corrupt.display().to_string();
    let cases = [
        (
            vec![good[0].clone(), good[1].clone(), quick.clone()],
            "quick.json",
            "settings.quick",
        ),
        (
            vec![good[0].clone(), arm.clone(), good[1].clone()],
            "arm.json",
            "fingerprint.target",
        ),
        (
            vec![corrupt.clone(), good[0].clone(), good[1].clone()],
            "corrupt.json",
            "not valid JSON",
        ),
        (vec![good[0].clone(), good[1].clone()], "", "at least 3"),
    ];
    for (files, file, what) in cases {
        let out = promote(x86, &baselines, &files);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(
            err.contains(file) && err.contains(what),
            "expected {file} / {what}: {err}"
        );
    }
    assert!(!baselines.exists(), "nothing written");
}

#[test]
fn three_full_runs_are_promoted_to_a_baseline() {
    let dir = tempfile::tempdir().unwrap();
    let baselines = dir.path().join("baselines");
    let x86 = "x86_64-unknown-linux-gnu";
    let files: Vec<String> = (0..3)
        .map(|i| {
            write_results(
                dir.path(),
                &format!("run-{i}.json"),
                &results(x86, false, i),
            )
        })
        .collect();
    let out = promote(x86, &baselines, &files);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let written = files_in(&baselines);
    assert_eq!(written.len(), 1, "{written:?}");
    assert!(written[0].starts_with(baselines.join(x86)));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("decay/10000") && stdout.contains("(new)"),
        "{stdout}"
    );
    perfmatrix_model::Baseline::load(&written[0]).unwrap();
}

#[test]
fn bench_refuses_bad_flags() {
    let out = xtask(&["bench", "--format", "xml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("xml"), "{}", stderr(&out));
    let out = xtask(&["bench", "--target", "../x"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--target"), "{}", stderr(&out));
    // Refused before anything is built: an unknown base, a bad filter, both modes at once.
    let out = xtask(&["bench", "--against", "no-such-branch-perfmatrix"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--against `no-such-branch-perfmatrix` names no commit"),
        "{}",
        stderr(&out)
    );
    let out = xtask(&["bench", "--against", "HEAD", "("]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("the benchmark filter \"(\" is not a valid regular expression"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    let out = xtask(&["bench", "--against", "HEAD", "--committed"]);
    assert_eq!(out.status.code(), Some(2));
    // Durations to balance shards by, without a shard, or from a revision that names nothing.
    let out = xtask(&["bench", "--durations-from", "origin/perfmatrix-history"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--shard"), "{}", stderr(&out));
    let out = xtask(&[
        "bench",
        "--against",
        "HEAD",
        "--shard",
        "1/2",
        "--durations-from",
        "no-such-history-perfmatrix",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--durations-from"),
        "{}",
        stderr(&out)
    );
    // A budget that is no duration, or longer than a CI job may run, or with `--committed`.
    for bad in [
        &["--budget", "soon"][..],
        &["--budget", "7h"],
        &["--budget", "20m", "--committed"],
    ] {
        let out = xtask(&[&["bench"], bad].concat());
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
        assert!(
            stderr(&out).contains("--budget"),
            "{bad:?}: {}",
            stderr(&out)
        );
    }
}

#[cfg(unix)]
#[test]
fn the_rehearsal_without_cross_tools_skips_the_arm_leg_and_says_how_to_install_them() {
    // A PATH with cargo and rustc only: no aarch64-linux-gnu-gcc, no qemu-aarch64.
    let bin = tempfile::tempdir().unwrap();
    for tool in ["cargo", "rustc"] {
        let real = Command::new("rustup")
            .args(["which", tool])
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            .ok()
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| {
                let out = Command::new("sh")
                    .args(["-c", &format!("command -v {tool}")])
                    .output()
                    .unwrap();
                String::from_utf8_lossy(&out.stdout).trim().to_owned()
            });
        std::os::unix::fs::symlink(real, bin.path().join(tool)).unwrap();
    }
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["matrix", "run", "--plan"])
        .env("PATH", bin.path())
        .env_remove("CARGO")
        .env_remove("RUSTC")
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    let (host, other, gcc) = if cfg!(target_arch = "aarch64") {
        (
            "aarch64-unknown-linux-gnu",
            "x86_64-unknown-linux-gnu",
            "gcc-x86-64-linux-gnu",
        )
    } else {
        (
            "x86_64-unknown-linux-gnu",
            "aarch64-unknown-linux-gnu",
            "gcc-aarch64-linux-gnu",
        )
    };
    assert!(
        err.contains(&format!("{other}: skipped"))
            && err.contains(&format!("apt-get install {gcc}"))
            && err.contains("qemu-user"),
        "{err}"
    );
    assert!(err.contains(&format!("{host}: native leg")), "{err}");
}

/// Three full x86 runs in `dir` named `<prefix>-K.json`, with `variant` forced for cosine if given.
fn three_runs(dir: &Path, prefix: &str, variant: Option<&str>) -> Vec<String> {
    (0..3)
        .map(|i| {
            let mut r = results("x86_64-unknown-linux-gnu", false, i);
            if let Some(v) = variant {
                r.fingerprint
                    .dispatch
                    .insert("cosine".to_owned(), v.to_owned());
            }
            write_results(dir, &format!("{prefix}-{i}.json"), &r)
        })
        .collect()
}

#[test]
fn recording_another_kernel_variant_never_replaces_the_native_baseline() {
    let dir = tempfile::tempdir().unwrap();
    let baselines = dir.path().join("baselines");
    let x86 = "x86_64-unknown-linux-gnu";
    let out = promote(x86, &baselines, &three_runs(dir.path(), "native", None));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let native = files_in(&baselines);
    assert_eq!(native.len(), 1);
    let native_bytes = std::fs::read(&native[0]).unwrap();
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(shown.contains("a new file"), "{shown}");

    let out = promote(
        x86,
        &baselines,
        &three_runs(dir.path(), "portable", Some("portable")),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let mut both = files_in(&baselines);
    both.sort();
    assert_eq!(both.len(), 2, "{both:?}");
    assert_eq!(
        std::fs::read(&native[0]).unwrap(),
        native_bytes,
        "untouched"
    );
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(
        shown.contains("a new file")
            && shown.contains(&format!("kept {}", native[0].display()))
            && shown.contains("dispatch.cosine"),
        "{shown}"
    );

    // The same class again: says which file it replaces.
    let out = promote(x86, &baselines, &three_runs(dir.path(), "again", None));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(
        shown.contains(&format!("wrote {}", native[0].display()))
            && shown.contains("replaced the baseline of this machine class"),
        "{shown}"
    );
}

#[test]
fn a_file_of_another_machine_class_under_the_name_is_refused_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let baselines = dir.path().join("baselines");
    let x86 = "x86_64-unknown-linux-gnu";
    let out = promote(
        x86,
        &baselines,
        &three_runs(dir.path(), "portable", Some("portable")),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let portable = files_in(&baselines).remove(0);
    // Renamed by hand to the name the native class's baseline gets.
    let fp = results(x86, false, 0).fingerprint;
    let native_name = perfmatrix_model::baseline_path(&baselines, &fp);
    std::fs::rename(&portable, &native_name).unwrap();
    let bytes = std::fs::read(&native_name).unwrap();
    let out = promote(x86, &baselines, &three_runs(dir.path(), "native", None));
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains(native_name.to_str().unwrap()) && err.contains("refusing to replace"),
        "{err}"
    );
    assert_eq!(std::fs::read(&native_name).unwrap(), bytes);
    assert_eq!(files_in(&baselines).len(), 1);
}

#[test]
fn a_baseline_under_its_old_name_is_superseded_by_its_key_named_file() {
    let dir = tempfile::tempdir().unwrap();
    let baselines = dir.path().join("baselines");
    let x86 = "x86_64-unknown-linux-gnu";
    let out = promote(x86, &baselines, &three_runs(dir.path(), "first", None));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let named = files_in(&baselines).remove(0);
    let fp = results(x86, false, 0).fingerprint;
    let legacy = baselines.join(x86).join(format!("{}.json", fp.slug()));
    std::fs::rename(&named, &legacy).unwrap();
    let out = promote(x86, &baselines, &three_runs(dir.path(), "second", None));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(files_in(&baselines), [named], "one file per class");
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(
        shown.contains(&format!("replaced {}", legacy.display())) && shown.contains("old name"),
        "{shown}"
    );
}

#[test]
fn weakened_from_inputs_are_refused_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let baselines = dir.path().join("baselines");
    let x86 = "x86_64-unknown-linux-gnu";
    let good = three_runs(dir.path(), "ok", None);
    let copy = dir.path().join("copy.json");
    std::fs::copy(&good[0], &copy).unwrap();
    let copy = copy.display().to_string();
    let edited = |name: &str, edit: &dyn Fn(&mut serde_json::Value)| {
        let mut json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&good[2]).unwrap()).unwrap();
        edit(&mut json);
        let path = dir.path().join(name);
        std::fs::write(&path, json.to_string()).unwrap();
        path.display().to_string()
    };
    let zero = edited("zero-count.json", &|j| {
        j["benchmarks"][0]["counts"] = serde_json::json!({
            "instructions": {"status": "value", "value": 0},
            "peak_rss_bytes": {"status": "value", "value": 4096}
        });
    });
    let median = edited("negative-median.json", &|j| {
        j["benchmarks"][0]["summary"]["median_ns"] = (-1.0).into();
    });
    let huge = edited("huge.json", &|j| {
        j["benchmarks"][0]["samples_ns"][0] = 1e300.into();
    });
    let cases = [
        (
            vec![good[0].clone(), good[0].clone(), good[0].clone()],
            good[0].as_str(),
            "twice",
        ),
        (
            vec![good[0].clone(), good[1].clone(), copy.clone()],
            "copy.json",
            "exactly the samples",
        ),
        (
            vec![good[0].clone(), good[1].clone(), zero],
            "zero-count.json",
            "counts.instructions",
        ),
        (
            vec![good[0].clone(), good[1].clone(), median],
            "negative-median.json",
            "summary.median_ns",
        ),
        (
            vec![good[0].clone(), good[1].clone(), huge],
            "huge.json",
            "samples_ns[0]",
        ),
    ];
    for (files, file, what) in cases {
        let out = promote(x86, &baselines, &files);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{file}: {err}");
        assert!(
            err.contains(file) && err.contains(what),
            "expected {file} / {what}: {err}"
        );
    }
    assert!(!baselines.exists(), "nothing written");
}
