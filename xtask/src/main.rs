//! `cargo xtask`: perfmatrix's command line. Parses, moves to the project root, dispatches.

mod bench;
mod binaries;
mod counts;
mod experiment;
mod git;
mod history;
mod interrupt;
mod matrix;
mod merge;
mod paired;
mod paths;
mod probe;
mod progress;
mod server;
mod suite;
mod tools;
mod update_baselines;
mod verdict;
mod workspace;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// perfmatrix: keeps native kernels fast on every platform they ship to.
#[derive(Debug, Parser)]
#[command(
    name = "cargo xtask",
    bin_name = "cargo xtask",
    version,
    about,
    after_help = "Exit codes: 0 no regression (warnings and \"no comparable baseline\" included); \
                  1 at least one regression; 2 usage or input error, or a build or benchmark that failed."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the benchmarks, compare with the baseline of a comparable machine, print the verdict
    Bench(bench::Bench),
    /// Record a platform's baseline from K full runs here, or promote results made elsewhere
    UpdateBaselines(update_baselines::UpdateBaselines),
    /// Run the suite N times against the baseline and tally verdicts (docs/statistics.md)
    Experiment(experiment::Experiment),
    /// Merge the legs' results files (one per platform) into one report
    Merge(merge::Merge),
    /// The CI matrix: generate its workflow, or rehearse every leg this machine can run
    Matrix(matrix::Matrix),
    /// The performance history: render it (dashboard, change points), or `append` results to it
    History(history::HistoryCmd),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Err(err) = std::env::set_current_dir(project_root()) {
        eprintln!("error: cannot enter the project root: {err}");
        return ExitCode::from(2);
    }
    let result = match cli.command {
        Command::Bench(cmd) => cmd.run(),
        Command::UpdateBaselines(cmd) => cmd.run(),
        Command::Experiment(cmd) => cmd.run(),
        Command::Merge(cmd) => cmd.run(),
        Command::Matrix(cmd) => cmd.run(),
        Command::History(cmd) => cmd.run(),
    };
    result.unwrap_or_else(|err| {
        eprintln!("error: {err}");
        for cause in err.chain().skip(1) {
            eprintln!("  caused by: {cause}");
        }
        ExitCode::from(2)
    })
}

/// The workspace root: the parent of this crate's manifest directory.
fn project_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map_or(manifest.clone(), PathBuf::from)
}

/// The cargo that runs us (`cargo xtask` sets `CARGO`), so toolchain overrides carry over.
fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned())
}
