//! `cargo perfmatrix`: perfmatrix's commands for any workspace, without an xtask. Cargo runs it
//! as `cargo-perfmatrix perfmatrix <command> …`; it finds the workspace around the current folder
//! and dispatches to the library.

use std::path::PathBuf;
use std::process::{Command, ExitCode};

use clap::Parser;

/// Cargo's name for this subcommand, which it passes as the first argument.
const SUBCOMMAND: &str = "perfmatrix";

/// perfmatrix: performance regression gates for a Rust workspace, on every platform it ships to.
#[derive(Debug, Parser)]
#[command(
    name = "cargo perfmatrix",
    bin_name = "cargo perfmatrix",
    version,
    about,
    after_help = perfmatrix::EXIT_CODES
)]
struct Cli {
    #[command(subcommand)]
    command: perfmatrix::Command,
}

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some(SUBCOMMAND) {
        args.remove(1);
    }
    let cli = Cli::parse_from(args);
    match workspace_root() {
        Ok(root) => perfmatrix::run(cli.command, &root, "cargo perfmatrix"),
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

/// The root of the workspace around the current folder, as cargo finds it.
fn workspace_root() -> Result<PathBuf, String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let out = Command::new(&cargo)
        .args(["locate-project", "--workspace", "--message-format", "plain"])
        .output()
        .map_err(|err| format!("cannot run `{cargo} locate-project`: {err}"))?;
    if !out.status.success() {
        return Err(format!(
            "no Cargo workspace here: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let manifest = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    manifest
        .parent()
        .map(PathBuf::from)
        .ok_or_else(|| format!("cargo named no folder for {}", manifest.display()))
}
