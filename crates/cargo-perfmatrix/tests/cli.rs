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

/// The host triple, from `rustc -vV`.
fn host() -> String {
    let out = Command::new("rustc").arg("-vV").output().unwrap();
    text(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .unwrap()
        .to_owned()
}

/// A run that builds and measures while another holds the workspace (here: this test, holding
/// its lock as a running `bench` does) stops at once with exit 2, saying who holds it, instead of
/// sharing the base worktree, criterion's folders and the results file with it.
#[test]
fn a_second_run_in_one_workspace_stops_and_says_who_holds_it() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(
        root.join("Cargo.toml"),
        format!(
            "[package]\nname = \"locked\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
             [workspace.metadata.perfmatrix]\n\
             platforms = [{{ triple = \"{}\", runner = \"ubuntu-24.04\" }}]\n",
            host()
        ),
    )
    .unwrap();
    std::fs::create_dir(root.join("src")).unwrap();
    std::fs::write(root.join("src/lib.rs"), "").unwrap();
    let lock_path = root.join("target/perfmatrix/run.lock");
    std::fs::create_dir_all(lock_path.parent().unwrap()).unwrap();
    std::fs::write(&lock_path, "`bench`, process 4242").unwrap();
    let held = std::fs::File::open(&lock_path).unwrap();
    held.lock().unwrap();
    for args in [
        &["bench", "--committed"][..],
        &["update-baselines", "--platform", &host()][..],
    ] {
        let out = cargo_perfmatrix(root, args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = text(&out.stderr);
        assert!(
            err.contains("another perfmatrix run is using this workspace (`bench`, process 4242)"),
            "{args:?}: {err}"
        );
    }
    drop(held);
}

/// A workspace with no settings takes the host as its platform: `bench` goes on to the suite
/// (here: none) instead of refusing a `--target` the user never passed. With a platforms table
/// that lacks the host, the refusal names the machine's platform as the default it is.
#[test]
fn without_settings_the_host_is_the_platform() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let manifest = "[package]\nname = \"plain\"\nversion = \"0.1.0\"\nedition = \"2021\"\n";
    std::fs::write(root.join("Cargo.toml"), manifest).unwrap();
    std::fs::create_dir(root.join("src")).unwrap();
    std::fs::write(root.join("src/lib.rs"), "").unwrap();
    let out = cargo_perfmatrix(root, &["bench", "--committed"]);
    let err = text(&out.stderr);
    assert!(!err.contains("platforms"), "{err}");
    assert!(err.contains("has no bench targets"), "{err}");

    let other = "riscv64gc-unknown-linux-gnu";
    std::fs::write(
        root.join("Cargo.toml"),
        format!(
            "{manifest}\n[workspace.metadata.perfmatrix]\n\
             platforms = [{{ triple = \"{other}\", runner = \"r\" }}]\n"
        ),
    )
    .unwrap();
    let out = cargo_perfmatrix(root, &["bench", "--committed"]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains(&format!(
            "this machine's platform `{}` (the default of --target) is not one of this \
             project's platforms ({other})",
            host()
        )),
        "{err}"
    );
}
