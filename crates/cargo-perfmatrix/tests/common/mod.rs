//! Helpers of the tests that drive perfmatrix on workspaces that are not its own.

#![allow(dead_code, reason = "each test binary uses the helpers it needs")]

use std::path::{Path, PathBuf};
use std::process::Command;

/// This perfmatrix checkout.
pub(crate) fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

pub(crate) fn host_triple() -> String {
    let out = Command::new("rustc").arg("-vV").output().unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .unwrap()
        .to_owned()
}

pub(crate) fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let dest = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &dest);
        } else {
            std::fs::copy(entry.path(), dest).unwrap();
        }
    }
}

pub(crate) fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=fixture",
            "-c",
            "user.email=fixture@example.com",
        ])
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {}", text(&out.stderr));
}

pub(crate) fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `cargo perfmatrix <args>` in `root`, as cargo runs the installed binary, building into
/// `target_dir`; its output is printed for the test's log.
pub(crate) fn cargo_perfmatrix(
    root: &Path,
    target_dir: &Path,
    args: &[&str],
) -> std::process::Output {
    let out = Command::new(env!("CARGO_BIN_EXE_cargo-perfmatrix"))
        .arg("perfmatrix")
        .args(args)
        .current_dir(root)
        .env("CARGO_TARGET_DIR", target_dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    eprintln!(
        "cargo perfmatrix {}: {}\n{}{}",
        args.join(" "),
        out.status,
        text(&out.stdout),
        text(&out.stderr)
    );
    out
}
