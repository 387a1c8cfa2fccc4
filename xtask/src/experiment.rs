//! `cargo xtask experiment`: the proof behind docs/statistics.md. Runs the full suite N times
//! against the committed baseline and tallies each benchmark's verdicts — with unchanged code (no
//! "regressed" may appear) or with a slowdown planted in one kernel (its benchmarks must be flagged
//! every time, and nothing else).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, bail};
use perfmatrix_model::{Outcome, RowVerdict, write_atomically};

use crate::suite::{FULL, Suite, criterion_home};
use crate::verdict::judge;
use crate::workspace::Workspace;

#[derive(Debug, clap::Args)]
pub(crate) struct Experiment {
    /// How many full runs
    #[arg(long, default_value_t = 20)]
    runs: usize,
    /// Plant a slowdown: `<kernel>=<fraction>`, e.g. `decay=0.15` (the benchmarks' test-only
    /// PERFMATRIX_PLANT_SLOWDOWN knob; the binary is the same as in a normal run)
    #[arg(long, value_name = "KERNEL=FRACTION")]
    plant: Option<String>,
    /// Folder of recorded baselines
    #[arg(long, default_value = "baselines", value_name = "DIR")]
    baselines: PathBuf,
    /// Where to write the tally as JSON [default: target/perfmatrix/experiment.json]
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

impl Experiment {
    pub(crate) fn run(self) -> anyhow::Result<ExitCode> {
        let ws = Workspace::load()?;
        if self.runs == 0 {
            bail!("--runs must be at least 1");
        }
        let env = match &self.plant {
            Some(plan) => vec![planted(plan)?],
            None => Vec::new(),
        };
        let suite = Suite {
            settings: FULL,
            target: None,
            criterion_home: criterion_home(&ws.target_dir, "experiment"),
            env,
            benches: ws.benches.clone(),
        };
        suite.build()?;
        let mut tally: BTreeMap<String, BTreeMap<RowVerdict, usize>> = BTreeMap::new();
        let mut changes: BTreeMap<String, Vec<f64>> = BTreeMap::new();
        let mut seconds = Vec::with_capacity(self.runs);
        let mut first_pass: BTreeMap<String, Vec<RowVerdict>> = BTreeMap::new();
        for k in 1..=self.runs {
            let start = Instant::now();
            let results = suite.run(&format!("run {k}/{}: ", self.runs))?;
            seconds.push(start.elapsed().as_secs_f64());
            let judged = judge(&suite, results, &self.baselines, &ws.config, "")?;
            if judged.report.outcome == Outcome::NoComparableBaseline {
                bail!("no comparable baseline on this machine: record one first");
            }
            for (id, verdict) in judged.first_pass {
                first_pass.entry(id).or_default().push(verdict);
            }
            let report = judged.report;
            for row in &report.rows {
                *tally
                    .entry(row.id.clone())
                    .or_default()
                    .entry(row.verdict)
                    .or_default() += 1;
                if let Some(c) = row.change {
                    changes
                        .entry(row.id.clone())
                        .or_default()
                        .push(c.estimate());
                }
            }
        }
        seconds.sort_by(f64::total_cmp);
        let median_seconds = seconds[seconds.len() / 2];
        println!(
            "{} runs{}; median wall time of one run (list + measure + fingerprint): {median_seconds:.1} s",
            self.runs,
            self.plant
                .as_ref()
                .map(|p| format!(", planted {p}"))
                .unwrap_or_default()
        );
        print_tally(&tally, &changes);
        for (id, verdicts) in &first_pass {
            let names: Vec<&str> = verdicts.iter().map(|v| v.as_str()).collect();
            println!(
                "  re-measured {id}: first measurement said {}",
                names.join(", ")
            );
        }
        let out = self
            .out
            .unwrap_or_else(|| ws.target_dir.join("perfmatrix").join("experiment.json"));
        let json = serde_json::json!({
            "runs": self.runs,
            "plant": self.plant,
            "median_run_seconds": median_seconds,
            "verdicts": tally,
            "first_pass_of_remeasured": first_pass,
            "changes": changes,
        });
        let bytes = serde_json::to_vec_pretty(&json).context("serialising the tally")?;
        write_atomically(&out, &bytes)?;
        eprintln!("tally: {}", out.display());
        Ok(ExitCode::SUCCESS)
    }
}

/// The environment variable that plants `plan` (`decay=0.15`), after checking it.
fn planted(plan: &str) -> anyhow::Result<(String, String)> {
    let Some((kernel, fraction)) = plan.split_once('=') else {
        bail!("--plant `{plan}` must look like `decay=0.15`");
    };
    if !["cosine", "spread", "decay"].contains(&kernel) {
        bail!("--plant: `{kernel}` is not a kernel (cosine, spread, decay)");
    }
    if !fraction
        .parse::<f64>()
        .is_ok_and(|f| f.is_finite() && f > 0.0)
    {
        bail!("--plant: `{fraction}` is not a positive fraction");
    }
    Ok(("PERFMATRIX_PLANT_SLOWDOWN".to_owned(), plan.to_owned()))
}

fn print_tally(
    tally: &BTreeMap<String, BTreeMap<RowVerdict, usize>>,
    changes: &BTreeMap<String, Vec<f64>>,
) {
    let width = tally.keys().map(String::len).max().unwrap_or(0);
    for (id, verdicts) in tally {
        let mut c = changes.get(id).cloned().unwrap_or_default();
        c.sort_by(f64::total_cmp);
        let (lo, med, hi) = match c.as_slice() {
            [] => (f64::NAN, f64::NAN, f64::NAN),
            all => (all[0], all[all.len() / 2], all[all.len() - 1]),
        };
        let counts: Vec<String> = verdicts
            .iter()
            .map(|(v, n)| format!("{}: {n}", v.as_str()))
            .collect();
        println!(
            "  {id:width$}  change median {:+.1}% (min {:+.1}%, max {:+.1}%)  {}",
            med * 100.0,
            lo * 100.0,
            hi * 100.0,
            counts.join(", ")
        );
    }
}
