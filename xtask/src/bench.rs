//! `cargo xtask bench`: builds and runs the criterion benchmarks of the kernels.

use std::process::{Command, ExitCode};

use anyhow::{Context, bail};

#[derive(Debug, clap::Args)]
pub(crate) struct Bench {
    /// Only benchmarks whose id contains this string (criterion's filter).
    filter: Option<String>,
}

impl Bench {
    pub(crate) fn run(self) -> anyhow::Result<ExitCode> {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
        let mut cmd = Command::new(cargo);
        cmd.args([
            "bench",
            "--package",
            "perfmatrix-kernels",
            "--bench",
            "kernels",
            "--",
        ]);
        if let Some(filter) = &self.filter {
            cmd.arg(filter);
        }
        let status = cmd.status().context("cannot start `cargo bench`")?;
        if !status.success() {
            bail!("`cargo bench` failed ({status})");
        }
        Ok(ExitCode::SUCCESS)
    }
}
