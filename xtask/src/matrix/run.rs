//! `cargo xtask matrix run`: the rehearsal (placeholder, being written).

use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub(crate) struct Run {}

impl Run {
    pub(crate) fn run(self) -> anyhow::Result<ExitCode> {
        anyhow::bail!("not yet")
    }
}
