//! perfmatrix's commands as a library: run a workspace's benchmarks, judge them against a base
//! commit or a recorded baseline, record baselines, merge a CI matrix's legs, generate its
//! workflow and keep a performance history. A front-end (this repository's `cargo xtask`, or the
//! `cargo perfmatrix` binary) is one call of [`main`]; one that parses its own command line
//! embeds [`Command`] (a clap `Subcommand`) and hands it to [`run`].
//!
//! ```no_run
//! // xtask/src/main.rs of a workspace whose xtask lives in `xtask/`:
//! fn main() -> std::process::ExitCode {
//!     let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
//!     perfmatrix::main("cargo xtask", std::env::args(), || Ok(root))
//! }
//! ```

mod bench;
mod binaries;
mod callgrind;
mod children;
mod counts;
mod experiment;
mod fingerprint;
mod git;
mod history;
mod interrupt;
#[cfg(test)]
mod kernel_changes;
mod layer;
mod matrix;
mod merge;
mod paired;
mod paths;
mod progress;
mod server;
mod suite;
mod tools;
mod update_baselines;
mod verdict;
mod workspace;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

pub use bench::Bench;
pub use experiment::Experiment;
pub use history::HistoryCmd;
pub use matrix::Matrix;
pub use merge::Merge;
pub use update_baselines::UpdateBaselines;

use workspace::Invocation;

/// What the exit codes of every command mean, for a front-end's `--help`.
pub const EXIT_CODES: &str = "Exit codes: 0 no regression (warnings, inconclusive and \
     \"no comparable baseline\" included); 1 at least one regression; 2 usage or input error, \
     or a build or benchmark that failed.";

/// perfmatrix's commands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Run the benchmarks, compare with the baseline of a comparable machine, print the verdict
    Bench(Bench),
    /// Record a platform's baseline from K full runs here, or promote results made elsewhere
    UpdateBaselines(UpdateBaselines),
    /// Run the suite N times against the baseline and tally verdicts (docs/statistics.md)
    Experiment(Experiment),
    /// Merge the legs' results files (one per platform) into one report
    Merge(Merge),
    /// The CI matrix: generate its workflow, or rehearse every leg this machine can run
    Matrix(Matrix),
    /// The performance history: render it (dashboard, change points), or `append` results to it
    History(HistoryCmd),
}

/// perfmatrix's command line, for [`main`].
#[derive(Debug, clap::Parser)]
#[command(version, about, after_help = EXIT_CODES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// A front-end's whole `main`: parses `args` (the program's name first) as perfmatrix's command
/// line under the name `invoked_as` (`cargo xtask`), then runs the command in the workspace that
/// `root` names. `--help`, `--version` and usage errors print and exit as clap does (usage: 2);
/// a `root` that fails is an error with exit code 2.
pub fn main(
    invoked_as: &'static str,
    args: impl IntoIterator<Item = String>,
    root: impl FnOnce() -> anyhow::Result<PathBuf>,
) -> ExitCode {
    let matches = Cli::command()
        .name(invoked_as)
        .bin_name(invoked_as)
        .get_matches_from(args);
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|err| err.exit());
    match root() {
        Ok(root) => run(cli.command, &root, invoked_as),
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}

/// The root of the Cargo workspace around the current folder, as `cargo locate-project
/// --workspace` finds it.
pub fn workspace_root() -> anyhow::Result<PathBuf> {
    workspace::locate_root()
}

/// Runs `command` in the workspace at `root` and returns its exit code, printing an error and
/// its causes to stderr. `invoked_as` is how the user calls perfmatrix (`cargo xtask`, `cargo
/// perfmatrix`), for the commands hints name. The process stays in its working folder: paths
/// given on the command line are relative to it, the settings' paths to `root`.
#[must_use]
pub fn run(command: Command, root: &Path, invoked_as: &str) -> ExitCode {
    let result = Invocation::new(root, invoked_as).and_then(|at| match command {
        Command::Bench(cmd) => cmd.run(&at),
        Command::UpdateBaselines(cmd) => cmd.run(&at),
        Command::Experiment(cmd) => cmd.run(&at),
        Command::Merge(cmd) => cmd.run(&at),
        Command::Matrix(cmd) => cmd.run(&at),
        Command::History(cmd) => cmd.run(&at),
    });
    result.unwrap_or_else(|err| {
        eprintln!("error: {err}");
        for cause in err.chain().skip(1) {
            eprintln!("  caused by: {cause}");
        }
        ExitCode::from(2)
    })
}

/// The cargo that runs us (`cargo xtask` and cargo subcommands get `CARGO`), so toolchain
/// overrides carry over.
fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned())
}

/// This repository's root, for the unit tests that read its files.
#[cfg(test)]
fn repo_root() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}
