//! `cargo xtask`: perfmatrix's commands on this workspace. Parses, dispatches to the library.

use std::path::Path;
use std::process::ExitCode;

use clap::Parser;

/// perfmatrix: keeps native kernels fast on every platform they ship to.
#[derive(Debug, Parser)]
#[command(
    name = "cargo xtask",
    bin_name = "cargo xtask",
    version,
    about,
    after_help = perfmatrix::EXIT_CODES
)]
struct Cli {
    #[command(subcommand)]
    command: perfmatrix::Command,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // The workspace root: the parent of this crate's folder.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    perfmatrix::run(cli.command, &root, "cargo xtask")
}
