//! `cargo xtask`: perfmatrix's command line. Parses, moves to the project root, dispatches.

mod bench;

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
    after_help = "Exit codes: 0 success; 2 usage error, or a build or benchmark that failed."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the workspace's criterion benchmarks (today: `cargo bench`; verdicts come next).
    Bench(bench::Bench),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Err(err) = std::env::set_current_dir(project_root()) {
        eprintln!("error: cannot enter the project root: {err}");
        return ExitCode::from(2);
    }
    let result = match cli.command {
        Command::Bench(cmd) => cmd.run(),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err}");
            for cause in err.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::from(2)
        }
    }
}

/// The workspace root: the parent of this crate's manifest directory.
fn project_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map_or(manifest.clone(), PathBuf::from)
}
