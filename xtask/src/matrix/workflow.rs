//! `cargo xtask matrix workflow`: renders `.github/workflows/perf.yml` (placeholder, being written).

use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub(crate) struct Workflow {
    /// Fail when the committed workflow differs from what would be rendered
    #[arg(long)]
    check: bool,
}

impl Workflow {
    pub(crate) fn run(self) -> anyhow::Result<ExitCode> {
        let _ = self.check;
        anyhow::bail!("not yet")
    }
}
