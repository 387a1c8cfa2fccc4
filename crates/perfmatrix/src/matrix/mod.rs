//! `cargo xtask matrix …`: the CI matrix across the project's platforms — the GitHub Actions
//! workflow generated from `[workspace.metadata.perfmatrix] platforms`, and the rehearsal that runs
//! every leg this machine can run and merges them as CI does.

mod run;
mod workflow;

use std::process::ExitCode;

use crate::workspace::Invocation;

/// The CI matrix: generate its workflow, or rehearse every leg this machine can run
#[derive(Debug, clap::Args)]
pub struct Matrix {
    #[command(subcommand)]
    command: MatrixCommand,
}

#[derive(Debug, clap::Subcommand)]
enum MatrixCommand {
    /// Render .github/workflows/perf.yml and perf-comment.yml from the platforms table (--check: fail when stale)
    Workflow(workflow::Workflow),
    /// Rehearse the matrix here: every leg this machine can run (ARM64 under qemu-user), merged
    Run(run::Run),
}

impl Matrix {
    pub(crate) fn run(self, at: &Invocation) -> anyhow::Result<ExitCode> {
        match self.command {
            MatrixCommand::Workflow(cmd) => cmd.run(at),
            MatrixCommand::Run(cmd) => cmd.run(at),
        }
    }
}
