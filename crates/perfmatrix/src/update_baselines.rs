//! `cargo xtask update-baselines --platform <triple>`: record the suite K times on this machine (or
//! promote K results files made elsewhere) into `baselines/<triple>/<slug>-<key id>.json`,
//! atomically, say which file it replaced (never one of another machine class), and show each
//! benchmark's old → new change for review.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use perfmatrix_fingerprint::TargetTriple;
use perfmatrix_model::{Baseline, Destination, MIN_RUNS, Results, destination};
use perfmatrix_report::units::{format_duration_ns, format_percent, format_percent_unsigned};

use crate::suite::{FULL, Suite, criterion_home, every_benchmark};
use crate::workspace::{Invocation, Workspace};

/// Record a platform's baseline from K full runs here, or promote results made elsewhere
#[derive(Debug, clap::Args)]
pub struct UpdateBaselines {
    /// Target triple of the baseline, one of the project's platforms
    #[arg(long, value_name = "TRIPLE")]
    platform: String,
    /// How many full runs of the suite to record (the noise floor needs several)
    #[arg(long, default_value_t = MIN_RUNS, value_name = "K")]
    runs: usize,
    /// Promote these results files (K full runs made elsewhere, e.g. CI artifacts) instead of
    /// running the suite here
    #[arg(long, value_name = "RESULTS.json", num_args = 1..)]
    from: Vec<PathBuf>,
    /// Record a platform of another architecture here, under qemu-user: an emulated baseline,
    /// which only ever gates emulated runs (`matrix run`'s rehearsal legs)
    #[arg(long, conflicts_with = "from")]
    emulated: bool,
    /// Folder of recorded baselines [default: the `baselines` setting, `baselines`]
    #[arg(long, value_name = "DIR")]
    baselines: Option<PathBuf>,
}

impl UpdateBaselines {
    pub(crate) fn run(self, at: &Invocation) -> anyhow::Result<ExitCode> {
        // Ctrl-C or SIGTERM stops at the next check instead of killing a write half way, so the
        // temp file of an atomic write is renamed or removed, never left in the baselines folder.
        crate::interrupt::install();
        let ws = at.workspace()?;
        let platform = ws.platform_for(Some(&self.platform), "--platform")?;
        let runs: Vec<(PathBuf, Results)> = if self.from.is_empty() {
            self.record_here(&ws, &platform)?
        } else {
            load_runs(&self.from, &platform)?
        };
        let borrowed: Vec<(&Path, Results)> =
            runs.iter().map(|(p, r)| (p.as_path(), r.clone())).collect();
        let baseline = Baseline::from_runs(&borrowed)?;
        // Checked before anything is written: a file of another machine class is never replaced.
        let dest = destination(
            &ws.baselines(self.baselines.as_deref()),
            &baseline.fingerprint,
        )?;
        if let Some(err) = &dest.unreadable {
            eprintln!("warning: the old baseline is unreadable and will be replaced: {err}");
        }
        crate::interrupt::check()?;
        baseline.save(&dest.path)?;
        if let Some((old_path, _)) = &dest.replaces
            && old_path != &dest.path
        {
            std::fs::remove_file(old_path).with_context(|| {
                format!(
                    "wrote {} but cannot remove {}, the same machine class's file under \
                         its old name: delete it, or selection finds two",
                    dest.path.display(),
                    old_path.display()
                )
            })?;
        }
        print_diff(at, &dest, &baseline);
        Ok(ExitCode::SUCCESS)
    }

    fn record_here(
        &self,
        ws: &Workspace,
        platform: &TargetTriple,
    ) -> anyhow::Result<Vec<(PathBuf, Results)>> {
        if *platform == ws.host && self.emulated {
            bail!(
                "--emulated records another architecture under qemu-user; {platform} is this machine's own"
            );
        }
        if *platform != ws.host && !self.emulated {
            bail!(
                "--platform {platform} is not this machine's platform ({}). Either run \
                 `{cmd} update-baselines --platform {platform}` on a {platform} machine \
                 (in CI: the perf workflow's update-baselines dispatch), or promote full results \
                 made there: `{cmd} update-baselines --platform {platform} --from \
                 results-1.json results-2.json results-3.json`, or record an emulated baseline \
                 for the local rehearsal with --emulated",
                ws.host,
                cmd = ws.at.invoked_as,
            );
        }
        if self.runs < MIN_RUNS {
            bail!(
                "--runs {} is too few: the noise floor needs at least {MIN_RUNS} runs",
                self.runs
            );
        }
        let _lock = ws.lock_runs("update-baselines")?;
        let suite = Suite {
            root: ws.at.root.clone(),
            settings: FULL,
            target: self.emulated.then(|| platform.clone()),
            criterion_home: criterion_home(&ws.target_dir, "baseline"),
            env: Vec::new(),
            benches: ws.benches.clone(),
            layer_target: ws.layer_target(),
            shard: None,
        }
        .build()?;
        let mut runs = Vec::with_capacity(self.runs);
        for k in 1..=self.runs {
            let label = format!("run {k}/{}: ", self.runs);
            let results = every_benchmark(suite.measure(&label)?, "a baseline recording")?;
            let path = ws
                .target_dir
                .join("perfmatrix")
                .join(format!("baseline-run-{k}.json"));
            crate::interrupt::check()?;
            results.save(&path)?;
            runs.push((path, results));
        }
        if let Some((_, first)) = runs.first() {
            ws.warn_unknown_benchmarks(first);
        }
        Ok(runs)
    }
}

fn load_runs(
    files: &[PathBuf],
    platform: &TargetTriple,
) -> anyhow::Result<Vec<(PathBuf, Results)>> {
    files
        .iter()
        .map(|path| {
            let results = Results::load(path)?;
            if results.fingerprint.target != *platform {
                bail!(
                    "{}: field `fingerprint.target` is `{}`, not --platform {platform}",
                    path.display(),
                    results.fingerprint.target
                );
            }
            Ok((path.clone(), results))
        })
        .collect::<anyhow::Result<Vec<_>>>()
        .context("checking the --from results")
}

fn print_diff(at: &Invocation, dest: &Destination, new: &Baseline) {
    let path = &dest.path;
    println!(
        "wrote {} ({}, key {}, {} runs, commit {}{})",
        at.shown(path).display(),
        new.fingerprint.slug(),
        new.fingerprint.comparability_key().id(),
        new.recorded.runs,
        new.recorded.commit,
        if new.recorded.dirty {
            ", dirty tree"
        } else {
            ""
        }
    );
    let old = dest.replaces.as_ref().map(|(_, old)| old.as_ref());
    match &dest.replaces {
        Some((old_path, old)) if old_path == path => println!(
            "  replaced the baseline of this machine class (commit {}, {} runs)",
            old.recorded.commit, old.recorded.runs
        ),
        Some((old_path, old)) => println!(
            "  replaced {} (this machine class under its old name, removed; commit {}, {} runs)",
            at.shown(old_path).display(),
            old.recorded.commit,
            old.recorded.runs
        ),
        None => println!("  a new file: this machine class had no baseline yet"),
    }
    for other in &dest.same_slug {
        let differing: Vec<String> = other
            .differing
            .iter()
            .map(|d| format!("{}: {} here, {} there", d.field, d.run, d.baseline))
            .collect();
        println!(
            "  kept {}: the same slug, another machine class ({})",
            at.shown(&other.path).display(),
            differing.join("; ")
        );
    }
    let width = new
        .benchmarks
        .iter()
        .map(|b| b.id.as_str().len())
        .max()
        .unwrap_or(0);
    for bench in &new.benchmarks {
        let now = format_duration_ns(bench.summary.median_ns);
        let before = old.and_then(|o| o.get(&bench.id));
        let change = before.map_or_else(
            || "new".to_owned(),
            |b| {
                format!(
                    "{} → {now}  ({})",
                    format_duration_ns(b.summary.median_ns),
                    format_percent(bench.summary.median_ns / b.summary.median_ns - 1.0)
                )
            },
        );
        let shown = if before.is_some() {
            change
        } else {
            format!("{now}  (new)")
        };
        println!(
            "  {:width$}  {shown}  noise {}",
            bench.id.as_str(),
            format_percent_unsigned(bench.noise.get())
        );
    }
    if let Some(old) = old {
        for gone in old.benchmarks.iter().filter(|b| new.get(&b.id).is_none()) {
            println!("  {:width$}  removed", gone.id.as_str());
        }
    }
    let dir = path.parent().unwrap_or(path);
    println!(
        "review with `git status {0}` and `git diff {0}`, and commit it",
        dir.display()
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every committed baseline loads and sits where `update-baselines` would write it, so
    /// recording its machine class again replaces exactly that file.
    #[test]
    fn committed_baselines_are_named_after_their_key() {
        let root = crate::repo_root().join("baselines");
        let mut seen = 0;
        for platform in std::fs::read_dir(&root).unwrap().flatten() {
            if !platform.path().is_dir() {
                continue;
            }
            for file in std::fs::read_dir(platform.path()).unwrap().flatten() {
                let path = file.path();
                let baseline = Baseline::load(&path).unwrap();
                let expected = perfmatrix_model::baseline_path(&root, &baseline.fingerprint);
                assert_eq!(path, expected, "run `git mv` to the key's name");
                seen += 1;
            }
        }
        assert!(seen >= 2, "the committed baselines were found");
    }
}
