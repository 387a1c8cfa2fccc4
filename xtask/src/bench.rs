//! `cargo xtask bench`: run the suite once, select the baseline recorded on a comparable machine,
//! judge, write the results file (with its verdict) and print the verdict.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use perfmatrix_model::{Outcome, Report, Results, RunSettings};
use perfmatrix_report::{Format, Style, render};

use crate::suite::{FULL, QUICK, Suite, criterion_home};
use crate::verdict::{Judged, judge};
use crate::workspace::Workspace;

#[derive(Debug, clap::Args)]
pub(crate) struct Bench {
    /// Only benchmarks whose id matches this regular expression (criterion's filter)
    filter: Option<String>,
    /// A short smoke run (few samples): labelled quick, never promotable to a baseline
    #[arg(long)]
    quick: bool,
    /// Where to write the results file [default: target/perfmatrix/results-<triple>.json]
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// How to print the verdict: table, markdown, json or html
    #[arg(long, default_value = "table")]
    format: Format,
    /// Build and run for this target triple (e.g. aarch64-unknown-linux-gnu under qemu-user)
    #[arg(long, value_name = "TRIPLE")]
    target: Option<String>,
    /// Folder of recorded baselines
    #[arg(long, default_value = "baselines", value_name = "DIR")]
    baselines: PathBuf,
}

impl Bench {
    pub(crate) fn run(self) -> anyhow::Result<ExitCode> {
        let ws = Workspace::load()?;
        let platform = ws.platform_for(self.target.as_deref(), "--target")?;
        let leg = Leg {
            target: self.target.clone(),
            settings: RunSettings {
                filter: self.filter.clone(),
                ..if self.quick { QUICK } else { FULL }
            },
            out: self.out.unwrap_or_else(|| {
                crate::merge::results_file(&ws.target_dir.join("perfmatrix"), &platform)
            }),
            label: String::new(),
        };
        crate::paths::check_outside("--out", &leg.out, &self.baselines, "the baselines folder")?;
        let (_, report) = leg.run(&ws, &platform, &self.baselines)?;
        print!("{}", render(&report, self.format, Style::detect())?);
        eprintln!("results: {}", leg.out.display());
        Ok(match report.outcome {
            Outcome::Fail => ExitCode::from(1),
            Outcome::Pass | Outcome::NoComparableBaseline => ExitCode::SUCCESS,
        })
    }
}

/// One leg of the matrix on this machine: what `cargo xtask bench` does for one platform, and
/// what `cargo xtask matrix run` does for each.
#[derive(Debug, Clone)]
pub(crate) struct Leg {
    /// `--target` for a cross build run through `.cargo/config.toml`'s runner (None: the host).
    pub(crate) target: Option<String>,
    pub(crate) settings: RunSettings,
    /// The results file, written before judging (a measurement survives a baseline that fails
    /// to load) and again with the verdict.
    pub(crate) out: PathBuf,
    /// Prefix of the progress lines.
    pub(crate) label: String,
}

impl Leg {
    /// Builds, measures, judges (re-measuring claimed changes) and writes the results file.
    pub(crate) fn run(
        &self,
        ws: &Workspace,
        platform: &str,
        baselines: &Path,
    ) -> anyhow::Result<(Results, Report)> {
        let suite = self.suite(ws, platform);
        suite.build()?;
        let mut results = suite.run(&self.label)?;
        suite.count(&mut results, &self.label)?;
        ws.warn_unknown_benchmarks(&results);
        results.save(&self.out)?;
        // An emulated run is only ever compared with a baseline recorded under emulation.
        let emulated = if results.fingerprint.environment.emulated.is_some() {
            " --emulated"
        } else {
            ""
        };
        let hint = format!("cargo xtask update-baselines --platform {platform}{emulated}");
        let Judged {
            mut results,
            report,
            ..
        } = judge(&suite, results, baselines, &ws.config, &hint)?;
        results.verdict = Some(report.clone());
        results.save(&self.out)?;
        Ok((results, report))
    }

    pub(crate) fn suite(&self, ws: &Workspace, platform: &str) -> Suite {
        Suite {
            settings: self.settings.clone(),
            target: self.target.clone(),
            criterion_home: criterion_home(&ws.target_dir, &format!("bench-{platform}")),
            env: Vec::new(),
            benches: ws.benches.clone(),
        }
    }
}
