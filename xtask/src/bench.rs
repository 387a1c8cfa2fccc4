//! `cargo xtask bench`: run the suite once, write the results file, select the baseline recorded on
//! a comparable machine, and print the verdict.

use std::path::PathBuf;
use std::process::ExitCode;

use perfmatrix_model::{Outcome, RunSettings};
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
    /// How to print the verdict: table, markdown or json
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
        let settings = RunSettings {
            filter: self.filter.clone(),
            ..if self.quick { QUICK } else { FULL }
        };
        let suite = Suite {
            settings,
            target: self.target.clone(),
            criterion_home: criterion_home(&ws.target_dir, "bench"),
            env: Vec::new(),
            benches: ws.benches.clone(),
        };
        suite.build()?;
        let results = suite.run("")?;
        let out = self.out.unwrap_or_else(|| {
            ws.target_dir
                .join("perfmatrix")
                .join(format!("results-{platform}.json"))
        });
        // Saved before judging too, so a measurement survives a baseline that fails to load.
        results.save(&out)?;
        let hint = format!("cargo xtask update-baselines --platform {platform}");
        let Judged {
            results, report, ..
        } = judge(&suite, results, &self.baselines, &ws.config, &hint)?;
        results.save(&out)?;
        print!("{}", render(&report, self.format, Style::detect())?);
        eprintln!("results: {}", out.display());
        Ok(match report.outcome {
            Outcome::Fail => ExitCode::from(1),
            Outcome::Pass | Outcome::NoComparableBaseline => ExitCode::SUCCESS,
        })
    }
}
