//! `cargo xtask experiment`: the proof behind docs/statistics.md. Runs the full suite N times —
//! against the committed baseline, or with `--against <ref>` paired against that commit built once
//! — and tallies each benchmark's verdicts: with unchanged code (no "regressed" may appear) or with
//! a slowdown planted in one kernel (on head only, in paired mode; its benchmarks must be flagged
//! every time, and nothing else). `--load` runs a CPU-bound process during every other run.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, bail};
use perfmatrix_model::{BenchmarkId, Outcome, RowVerdict, write_atomically};

use crate::bench::measure_and_judge;
use crate::binaries::BenchBinary;
use crate::paired::{Design, FULL_DESIGN, Sides};
use crate::suite::{FULL, Suite, criterion_home, every_benchmark};
use crate::workspace::{Invocation, Workspace};

/// Run the suite N times against the baseline and tally verdicts (docs/statistics.md)
#[derive(Debug, clap::Args)]
pub struct Experiment {
    /// How many full runs
    #[arg(long, default_value_t = 20)]
    runs: usize,
    /// Plant a slowdown in a group of benchmarks (the ids before their `/`): `<group>=<fraction>`,
    /// e.g. `decay=0.15` (the harness's test-only PERFMATRIX_PLANT_SLOWDOWN knob; the binary is
    /// the same as in a normal run)
    #[arg(long, value_name = "GROUP=FRACTION")]
    plant: Option<String>,
    /// Plant extra work in a group of benchmarks: `<group>=<fraction>`, e.g. `decay=0.02` (the
    /// harness's test-only PERFMATRIX_PLANT_WORK knob, handed to the benchmarks' definitions:
    /// that fraction of the call's work again, inside the counted region)
    #[arg(long, value_name = "GROUP=FRACTION")]
    plant_work: Option<String>,
    /// Folder of recorded baselines [default: the `baselines` setting, `baselines`]
    #[arg(long, value_name = "DIR")]
    baselines: Option<PathBuf>,
    /// Where to write the tally as JSON [default: target/perfmatrix/experiment.json]
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Paired mode: measure the working tree against this commit (built once), the planted
    /// change applied to the working tree's processes only
    #[arg(long, value_name = "REF")]
    against: Option<String>,
    /// Run a CPU-bound process (a shell busy loop) during every other run (runs 2, 4, …)
    #[arg(long)]
    load: bool,
    /// Paired mode: bind both sample servers to this CPU (`taskset`) [default: the last CPU]
    #[arg(
        long,
        value_name = "CPU",
        requires = "against",
        conflicts_with = "no_pin"
    )]
    pin_cpu: Option<usize>,
    /// Paired mode: let the scheduler place the sample servers (the pinning experiment)
    #[arg(long, requires = "against")]
    no_pin: bool,
}

/// A CPU-bound process, stopped when dropped.
struct Load(std::process::Child);

impl Load {
    fn start() -> anyhow::Result<Self> {
        let child = std::process::Command::new("sh")
            .args(["-c", "while :; do :; done"])
            .spawn()
            .context("cannot start the CPU-bound load")?;
        Ok(Self(child))
    }
}

impl Drop for Load {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Experiment {
    pub(crate) fn run(self, at: &Invocation) -> anyhow::Result<ExitCode> {
        crate::interrupt::install();
        let ws = at.workspace()?;
        if self.runs == 0 {
            bail!("--runs must be at least 1");
        }
        let mut env = Vec::new();
        if let Some(plan) = &self.plant {
            env.push(planted("--plant", "PERFMATRIX_PLANT_SLOWDOWN", plan)?);
        }
        if let Some(plan) = &self.plant_work {
            env.push(planted("--plant-work", "PERFMATRIX_PLANT_WORK", plan)?);
        }
        let _lock = ws.lock_runs("experiment")?;
        if let Some(rev) = &self.against {
            return self.paired(&ws, rev, env);
        }
        let suite = Suite {
            root: ws.at.root.clone(),
            settings: FULL,
            target: None,
            criterion_home: criterion_home(&ws.target_dir, "experiment"),
            env,
            benches: ws.benches.clone(),
            layer_target: ws.layer_target(),
            shard: None,
        }
        .build()?;
        self.check_planted_groups(&suite.binaries)?;
        let mut tally = Tally::default();
        let mut seconds = Vec::with_capacity(self.runs);
        let mut first_pass: BTreeMap<BenchmarkId, Vec<RowVerdict>> = BTreeMap::new();
        for k in 1..=self.runs {
            let _load = (self.load && k % 2 == 0).then(Load::start).transpose()?;
            let start = Instant::now();
            let label = format!("run {k}/{}: ", self.runs);
            let results = every_benchmark(suite.measure(&label)?, "an experiment")?;
            seconds.push(start.elapsed().as_secs_f64());
            let record = perfmatrix_model::RecordCommand::for_run(&ws.at.invoked_as, &results);
            let judged = measure_and_judge(
                &suite,
                results,
                &ws.baselines(self.baselines.as_deref()),
                &ws.config,
                &record,
                true,
            )?;
            if judged.report.outcome() == Outcome::NoComparableBaseline {
                bail!("no comparable baseline on this machine: record one first");
            }
            for (id, verdict) in judged.first_pass {
                first_pass.entry(id).or_default().push(verdict);
            }
            let report = judged.report;
            tally.record(&report);
        }
        seconds.sort_by(f64::total_cmp);
        let median_seconds = seconds[seconds.len() / 2];
        println!(
            "{} runs{}; median wall time of one run (list + measure + fingerprint): {median_seconds:.1} s",
            self.runs,
            [("slowdown", &self.plant), ("work", &self.plant_work)]
                .iter()
                .filter_map(|(what, p)| p.as_ref().map(|p| format!(", planted {what} {p}")))
                .collect::<String>()
        );
        tally.print();
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
            "plant_work": self.plant_work,
            "median_run_seconds": median_seconds,
            "verdicts": tally.verdicts,
            "first_pass_of_remeasured": first_pass,
            "changes": tally.changes,
        });
        let bytes = serde_json::to_vec_pretty(&json).context("serialising the tally")?;
        write_atomically(&out, &bytes)?;
        eprintln!("tally: {}", out.display());
        Ok(ExitCode::SUCCESS)
    }
}

impl Experiment {
    /// The paired experiment: both sides built once, then `runs` paired measurements.
    fn paired(
        &self,
        ws: &Workspace,
        rev: &str,
        head_env: Vec<(String, String)>,
    ) -> anyhow::Result<ExitCode> {
        let commit = ws.at.repo().resolve(rev, "--against")?;
        let base = perfmatrix_model::Revision {
            name: rev.to_owned(),
            commit,
            dirty: false,
        };
        let sides = Sides::build(
            ws,
            base,
            perfmatrix_model::PairedBecause::Against {
                rev: rev.to_owned(),
            },
            head_env,
        )?;
        self.check_planted_groups(&sides.head_binaries)?;
        let pin = if self.no_pin {
            None
        } else {
            self.pin_cpu.or_else(crate::paired::default_pin)
        };
        let design = Design { pin, ..FULL_DESIGN };
        let mut tally = Tally::default();
        let mut seconds = Vec::with_capacity(self.runs);
        let mut loaded = Vec::with_capacity(self.runs);
        for k in 1..=self.runs {
            let load = self.load && k % 2 == 0;
            let _load = load.then(Load::start).transpose()?;
            eprintln!(
                "run {k}/{}{}",
                self.runs,
                if load { " (loaded)" } else { "" }
            );
            let start = Instant::now();
            let results = every_benchmark(
                sides.measure(ws, None, None, &design, false)?,
                "an experiment",
            )?;
            seconds.push(start.elapsed().as_secs_f64());
            let report = perfmatrix_model::Report::paired(&results, &sides.judge)?;
            loaded.push(load);
            tally.record(&report);
        }
        let mut sorted = seconds.clone();
        sorted.sort_by(f64::total_cmp);
        let median_seconds = sorted[sorted.len() / 2];
        println!(
            "{} paired runs against {rev}{}{}; median measurement time of one run (measure + count): {median_seconds:.1} s",
            self.runs,
            self.plant
                .as_ref()
                .map(|p| format!(", planted slowdown {p} on head"))
                .unwrap_or_default(),
            if self.load {
                ", a CPU-bound load during every other run"
            } else {
                ""
            },
        );
        tally.print();
        println!(
            "  median minimum detectable effect: {}",
            tally
                .median_mde()
                .map_or_else(|| "—".to_owned(), |m| format!("{:.2}%", m * 100.0))
        );
        let out = self
            .out
            .clone()
            .unwrap_or_else(|| ws.target_dir.join("perfmatrix").join("experiment.json"));
        let json = serde_json::json!({
            "mode": "paired",
            "against": rev,
            "runs": self.runs,
            "plant": self.plant,
            "pin_cpu": pin,
            "loaded_runs": loaded,
            "run_seconds": seconds,
            "median_run_seconds": median_seconds,
            "verdicts": tally.verdicts,
            "changes": tally.changes,
            "median_mde": tally.median_mde(),
        });
        let bytes = serde_json::to_vec_pretty(&json).context("serialising the tally")?;
        write_atomically(&out, &bytes)?;
        eprintln!("tally: {}", out.display());
        Ok(ExitCode::SUCCESS)
    }
}

impl Experiment {
    /// Every planted group names a group of the built benchmarks: a typo would plant nothing and
    /// the experiment would measure an unchanged build while claiming a planted one.
    fn check_planted_groups(&self, binaries: &[BenchBinary]) -> anyhow::Result<()> {
        let ids: Vec<&str> = binaries
            .iter()
            .filter(|b| b.on_harness)
            .flat_map(|b| b.ids.iter().map(String::as_str))
            .collect();
        for (flag, plan) in [("--plant", &self.plant), ("--plant-work", &self.plant_work)] {
            let Some(group) = plan
                .as_deref()
                .and_then(|p| p.split_once('='))
                .map(|(g, _)| g)
            else {
                continue;
            };
            check_group(flag, group, &ids)?;
        }
        Ok(())
    }
}

/// `group` is the group (the part before `/`) of at least one of `ids`, the harness benchmarks.
fn check_group(flag: &str, group: &str, ids: &[&str]) -> anyhow::Result<()> {
    let mut groups: Vec<&str> = ids
        .iter()
        .filter_map(|id| id.split_once('/'))
        .map(|(g, _)| g)
        .collect();
    groups.sort_unstable();
    groups.dedup();
    if !groups.contains(&group) {
        bail!(
            "{flag}: `{group}` is no group of the benchmarks on perfmatrix's harness (groups: {})",
            if groups.is_empty() {
                "none".to_owned()
            } else {
                groups.join(", ")
            }
        );
    }
    Ok(())
}

/// The environment variable `var` that plants `plan` (`decay=0.15`), after checking its form.
fn planted(flag: &str, var: &str, plan: &str) -> anyhow::Result<(String, String)> {
    let Some((group, fraction)) = plan.split_once('=') else {
        bail!("{flag} `{plan}` must look like `<group>=<fraction>`, e.g. `decay=0.15`");
    };
    if group.is_empty() || group.contains(['/', '=', ',']) {
        bail!("{flag}: `{group}` is not a benchmark group (the part of the ids before their `/`)");
    }
    if !fraction
        .parse::<f64>()
        .is_ok_and(|f| f.is_finite() && f > 0.0)
    {
        bail!("{flag}: `{fraction}` is not a positive fraction");
    }
    Ok((var.to_owned(), plan.to_owned()))
}

/// Per benchmark and metric (`verdict`: the row's overall one; `time`; `instructions`;
/// `peak-memory`), how often each verdict came out, and the changes seen.
#[derive(Debug, Default)]
struct Tally {
    verdicts: BTreeMap<BenchmarkId, BTreeMap<&'static str, BTreeMap<RowVerdict, usize>>>,
    changes: BTreeMap<BenchmarkId, BTreeMap<&'static str, Vec<f64>>>,
    /// Each benchmark's minimum detectable effect, per run.
    mde: BTreeMap<BenchmarkId, Vec<f64>>,
}

impl Tally {
    fn record(&mut self, report: &perfmatrix_model::Report) {
        for row in &report.rows {
            let counts =
                |e: &Option<perfmatrix_model::CountRow>| e.as_ref().map(|e| (e.verdict, e.change));
            let metrics = [
                ("verdict", Some((row.verdict, None))),
                (
                    "time",
                    Some((row.time_verdict, row.change.map(|c| c.estimate()))),
                ),
                ("instructions", counts(&row.instructions)),
                ("peak-memory", counts(&row.peak_memory)),
            ];
            if let Some(mde) = row.minimum_detectable_effect {
                self.mde.entry(row.id.clone()).or_default().push(mde);
            }
            for (metric, seen) in metrics {
                let Some((verdict, change)) = seen else {
                    continue;
                };
                let by_metric = self.verdicts.entry(row.id.clone()).or_default();
                *by_metric
                    .entry(metric)
                    .or_default()
                    .entry(verdict)
                    .or_default() += 1;
                if let Some(c) = change {
                    self.changes
                        .entry(row.id.clone())
                        .or_default()
                        .entry(metric)
                        .or_default()
                        .push(c);
                }
            }
        }
    }

    /// The median over benchmarks of each benchmark's median minimum detectable effect.
    fn median_mde(&self) -> Option<f64> {
        let mut per_bench: Vec<f64> = self
            .mde
            .values()
            .map(|v| {
                let mut v = v.clone();
                v.sort_by(f64::total_cmp);
                v[v.len() / 2]
            })
            .collect();
        per_bench.sort_by(f64::total_cmp);
        per_bench.get(per_bench.len() / 2).copied()
    }

    /// One line per benchmark and metric: its verdicts' counts and the range of its changes.
    fn print(&self) {
        let width = self.verdicts.keys().map(|id| id.len()).max().unwrap_or(0);
        for (id, metrics) in &self.verdicts {
            for (metric, verdicts) in metrics {
                let mut c = self
                    .changes
                    .get(id)
                    .and_then(|m| m.get(metric))
                    .cloned()
                    .unwrap_or_default();
                c.sort_by(f64::total_cmp);
                let range = match c.as_slice() {
                    [] => String::new(),
                    all => format!(
                        "  change median {:+.4}% (min {:+.4}%, max {:+.4}%)",
                        all[all.len() / 2] * 100.0,
                        all[0] * 100.0,
                        all[all.len() - 1] * 100.0
                    ),
                };
                let counts: Vec<String> = verdicts
                    .iter()
                    .map(|(v, n)| format!("{}: {n}", v.as_str()))
                    .collect();
                println!("  {id:width$}  {metric:12}  {}{range}", counts.join(", "));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plant_names_a_group_of_the_benchmarks_and_a_positive_fraction() {
        let ids = ["sum/100", "sum/1000", "parse/small"];
        assert!(check_group("--plant", "sum", &ids).is_ok());
        let err = check_group("--plant", "decay", &ids)
            .unwrap_err()
            .to_string();
        assert!(err.contains("--plant") && err.contains("`decay`"), "{err}");
        assert!(err.contains("groups: parse, sum"), "{err}");
        assert!(planted("--plant", "V", "sum=0.05").is_ok());
        for bad in [
            "sum",
            "sum/100=0.1",
            "=0.1",
            "sum=0",
            "sum=-1",
            "sum=x",
            "sum=inf",
        ] {
            let err = planted("--plant-work", "V", bad).unwrap_err().to_string();
            assert!(err.contains("--plant-work"), "{bad}: {err}");
        }
    }
}
