//! The `cargo perfmatrix` binary's own behaviour: its name in help and version, and clear errors
//! (exit code 2) outside a workspace or on a command it does not know.

use std::path::Path;
use std::process::{Command, Output};

fn cargo_perfmatrix(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cargo-perfmatrix"))
        .arg("perfmatrix")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn it_is_called_cargo_perfmatrix() {
    let dir = tempfile::tempdir().unwrap();
    let out = cargo_perfmatrix(dir.path(), &["--version"]);
    assert!(out.status.success());
    assert!(
        text(&out.stdout).starts_with("cargo perfmatrix "),
        "{}",
        text(&out.stdout)
    );
    let out = cargo_perfmatrix(dir.path(), &["--help"]);
    let help = text(&out.stdout);
    assert!(help.contains("Usage: cargo perfmatrix <COMMAND>"), "{help}");
    assert!(help.contains("Exit codes: 0 no regression"), "{help}");
}

#[test]
fn outside_a_workspace_is_an_error_saying_so() {
    let dir = tempfile::tempdir().unwrap();
    let out = cargo_perfmatrix(dir.path(), &["matrix", "workflow", "--check"]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("no Cargo workspace here"), "{err}");
    assert!(
        std::fs::read_dir(dir.path()).unwrap().next().is_none(),
        "nothing written"
    );
}

#[test]
fn an_unknown_command_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = cargo_perfmatrix(dir.path(), &["benhc"]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("unrecognized subcommand 'benhc'"), "{err}");
    assert!(err.contains("bench"), "clap suggests the nearest: {err}");
}
