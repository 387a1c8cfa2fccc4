//! Paired mode (`cargo xtask bench --against <ref>`): the working tree (head) measured against a
//! base commit on this machine, in the same run. The base is checked out in a git worktree under
//! `target/perfmatrix/` and built in its own target folder (so head's stays warm); then, per
//! benchmark, fresh process pairs time interleaved samples (docs/statistics.md, "Paired mode").

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, bail};
use perfmatrix_model::{
    BenchResult, BenchmarkId, BuildSide, CriterionLayer, FailedBench, LayerUnusable, Method,
    PairRecord, PairedBench, PairedRun, Results, Revision, RunSettings, SampleSummary, TimeBudget,
    read_criterion_dir,
};
use perfmatrix_stats::{PairedConfig, Sample, Thresholds, compare_paired, pair_log_ratio};
use rand::Rng;

use crate::binaries::{BenchBinary, Build};
use crate::git::Worktree;
use crate::layer::Layer;
use crate::progress::{Logged, Progress};
use crate::server::Server;
use crate::workspace::Workspace;

/// The schedule of one benchmark's paired measurement.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Design {
    /// Process pairs before the interval may stop the measurement, and at most.
    pub(crate) min_pairs: usize,
    pub(crate) max_pairs: usize,
    /// Paired samples per process pair, after `warm_up` discarded rounds.
    pub(crate) samples: usize,
    pub(crate) warm_up: usize,
    /// How long one sample should last (iterations are calibrated to it; at least one).
    pub(crate) sample: Duration,
    /// No new pair is started once a benchmark's pairs have taken this long.
    pub(crate) cap: Duration,
    /// How long a server may take to answer one request (prepare a benchmark, time a sample of
    /// milliseconds) before its benchmark is taken for hung: the server is stopped and the
    /// benchmark reported as failed, the others measured on.
    pub(crate) answer: Duration,
    /// Bind both servers to this CPU (`taskset`), or let the scheduler place them. Runs use
    /// [`default_pin`] (docs/statistics.md, "Pinning").
    pub(crate) pin: Option<usize>,
    /// The run's time budget, when it has one: the pairs beyond each benchmark's minimum stop
    /// in time for the run to end within it.
    pub(crate) deadline: Option<Deadline>,
}

/// A run's time budget as its measurement keeps it: the budget, and when the run started.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Deadline {
    pub(crate) budget: TimeBudget,
    pub(crate) started: Instant,
}

impl Deadline {
    /// The share of the budget the pairs may use: the rest is kept for judging, profiling the
    /// changed benchmarks and writing the results.
    const FOR_PAIRS: f64 = 0.95;

    /// When no new pair may end later.
    pub(crate) fn pairs_end(&self) -> Instant {
        self.started + self.budget.duration().mul_f64(Self::FOR_PAIRS)
    }

    /// When the run should have ended.
    pub(crate) fn end(&self) -> Instant {
        self.started + self.budget.duration()
    }
}

/// The CPU both sample servers are bound to by default: the last one this process may run on,
/// when there are two or more and `taskset` is installed; else none.
///
/// Measured here (docs/statistics.md, "Pinning"): pinned, the median minimum detectable effect of
/// three A/A runs was 1.25% against 1.64% unpinned, and a run took 25 s against 39 s, since fewer
/// pairs were needed. The two vCPUs differ by up to ±20%: unpinned, a sample may land on either.
/// The servers never run at once, so sharing one CPU costs nothing; the other is left to
/// perfmatrix itself and to other tenants.
pub(crate) fn default_pin() -> Option<usize> {
    crate::tools::find_in_path("taskset")?;
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    last_allowed_cpu(&status)
}

/// The highest CPU of `Cpus_allowed_list` (`0-1`, `0,2-3`) in `/proc/self/status`, when more
/// than one is allowed.
fn last_allowed_cpu(status: &str) -> Option<usize> {
    let allowed = status
        .lines()
        .find_map(|l| l.strip_prefix("Cpus_allowed_list:"))?
        .trim();
    let mut count = 0;
    let mut highest = None;
    for part in allowed.split(',') {
        let (lo, hi) = part.split_once('-').unwrap_or((part, part));
        let (lo, hi) = (
            lo.trim().parse::<usize>().ok()?,
            hi.trim().parse::<usize>().ok()?,
        );
        count += hi.checked_sub(lo)? + 1;
        highest = highest.max(Some(hi));
    }
    (count > 1).then_some(highest).flatten()
}

/// The full design (docs/statistics.md, "Paired mode": how these numbers were chosen).
pub(crate) const FULL_DESIGN: Design = Design {
    min_pairs: 6,
    max_pairs: 20,
    samples: 30,
    warm_up: 3,
    sample: Duration::from_millis(3),
    cap: Duration::from_secs(15),
    answer: crate::server::ANSWER_DEADLINE,
    pin: None,
    deadline: None,
};

/// A smoke run: a few pairs, never a verdict to trust.
pub(crate) const QUICK_DESIGN: Design = Design {
    min_pairs: 2,
    max_pairs: 2,
    samples: 8,
    warm_up: 1,
    sample: Duration::from_millis(1),
    cap: Duration::from_secs(2),
    answer: crate::server::ANSWER_DEADLINE,
    pin: None,
    deadline: None,
};

/// Both sides, built and ready to measure.
#[derive(Debug)]
pub(crate) struct Sides {
    pub(crate) head: Revision,
    pub(crate) base: Revision,
    pub(crate) why: perfmatrix_model::PairedBecause,
    pub(crate) head_binaries: Vec<BenchBinary>,
    pub(crate) base_binaries: Vec<BenchBinary>,
    /// Extra environment of head's processes only (a planted change).
    pub(crate) head_env: Vec<(String, String)>,
    /// The same variables for base's processes, with values of the same length that change
    /// nothing ([`neutral`]): both sides start with environments of one size.
    pub(crate) base_env: Vec<(String, String)>,
    /// This machine and head's build, taken once for every measurement of these builds.
    pub(crate) fingerprint: perfmatrix_fingerprint::Fingerprint,
    /// How plain criterion bench targets were built, when head has any.
    pub(crate) criterion_layer: Option<CriterionLayer>,
    /// The settings that judge the run: the base commit's, so that a change cannot loosen its
    /// own gate (thresholds, per-benchmark gates, excluded bench targets).
    pub(crate) judge: perfmatrix_model::Config,
    /// Gate settings head changes, listed in the report and not applied.
    pub(crate) settings_changed: Vec<perfmatrix_model::SettingChange>,
    /// Kept alive while measuring: the base's binaries may read its files.
    _worktree: Option<Worktree>,
}

/// Head's bench targets in a paired run: each one the base has, unless the base's settings
/// exclude it (head cannot hide a benchmark from its own gate by excluding it); each new one
/// unless head's settings exclude it.
fn head_benches(
    ws: &Workspace,
    judge: &perfmatrix_model::Config,
    base_targets: &[String],
) -> anyhow::Result<Vec<String>> {
    let all = crate::workspace::bench_targets_in(&ws.at.root, &[])?;
    Ok(all
        .into_iter()
        .filter(|b| {
            let excluded_by = if base_targets.contains(b) {
                &judge.exclude_benches
            } else {
                &ws.config.exclude_benches
            };
            !excluded_by.contains(b)
        })
        .collect())
}

/// Gives the base worktree at `base` head's lock file (from the workspace `root`) when the base
/// commit has none of its own: a library that does not commit its `Cargo.lock` then builds
/// both sides with the same dependency versions, and the base's plain criterion benchmarks can
/// be built against the layer for the criterion version the lock file holds (without one, the
/// version is unknown and both sides fall back to whole criterion runs). Cargo adjusts the
/// copy where the base's manifests need other packages.
fn seed_lock_file(root: &Path, base: &Path, label: &str) -> anyhow::Result<()> {
    let (head_lock, base_lock) = (root.join("Cargo.lock"), base.join("Cargo.lock"));
    if base_lock.exists() || !head_lock.exists() {
        return Ok(());
    }
    std::fs::copy(&head_lock, &base_lock).with_context(|| {
        format!(
            "cannot copy {} to the base worktree {}",
            head_lock.display(),
            base.display()
        )
    })?;
    eprintln!(
        "note: base {label} has no Cargo.lock: it is built with head's, so both sides use the \
         same dependency versions"
    );
    Ok(())
}

/// Where the base commit is checked out for the workspace at `root`: kept between runs (see
/// [`Worktree`]) and outside the workspace, in the temp folder, so that cargo, looking upwards
/// from the base's manifest for its workspace, can never find head's: a single-package crate
/// whose pull request adds `[workspace.metadata.perfmatrix]` (and so a `[workspace]`) would
/// otherwise claim a base under its `target/` and fail (`cargo metadata`: "current package
/// believes it's in a workspace when it's not").
pub(crate) fn base_worktree(root: &Path) -> PathBuf {
    scratch_dir(root).join("base-worktree")
}

/// perfmatrix's folder for the workspace at `root` outside it, in the temp folder and kept
/// between runs: the base worktree and the criterion layer live there, where no workspace of the
/// user's can claim them.
pub(crate) fn scratch_dir(root: &Path) -> PathBuf {
    let id = perfmatrix_fingerprint::fnv1a64(root.as_os_str().as_encoded_bytes());
    std::env::temp_dir().join(format!("perfmatrix-{id:016x}"))
}

impl Sides {
    /// Builds head (the working tree, in the workspace's target folder) and the base commit (in
    /// a worktree under `target/perfmatrix/`, in its own target folder), reporting both build
    /// times.
    pub(crate) fn build(
        ws: &Workspace,
        base: Revision,
        why: perfmatrix_model::PairedBecause,
        head_env: Vec<(String, String)>,
    ) -> anyhow::Result<Self> {
        crate::interrupt::install();
        let head = Revision {
            name: "working tree".to_owned(),
            commit: ws.at.repo().head()?,
            dirty: ws.at.repo().has_changes(),
        };
        let worktree = Worktree::checkout(&ws.at.root, &base_worktree(&ws.at.root), &base.commit)?;
        // The base commit's settings judge the run; head's gate changes are only listed.
        let (judge, base_targets) =
            crate::workspace::settings_in(worktree.path()).with_context(|| {
                format!(
                    "cannot read the settings of the base commit {} (its Cargo.toml), which \
                     judge a paired run",
                    short(&base.commit)
                )
            })?;
        let settings_changed = ws.config.gate_changes(&judge);
        for c in &settings_changed {
            eprintln!(
                "note: head changes the setting `{}` ({} on base, {} on head): the base's \
                 judges this run",
                c.key, c.base, c.head
            );
        }
        let head_benches = head_benches(ws, &judge, &base_targets)?;
        let start = Instant::now();
        let root = ws.target_dir.join("perfmatrix");
        let head_build = Build {
            workspace: &ws.at.root,
            target_dir: None,
            target: None,
            benches: &head_benches,
            label: "head",
            dev: false,
        };
        let mut head_binaries = head_build.run()?;
        crate::interrupt::check()?;
        let (layer, mut criterion_layer, head_on_criterion) =
            head_on_layer(ws, &head_build, &mut head_binaries)?;
        crate::interrupt::check()?;
        let head_seconds = start.elapsed().as_secs_f64();

        let start = Instant::now();
        let label = format!("base {}", short(&base.commit));
        let base_target = root.join("base-target");
        let base_benches: Vec<String> = base_targets
            .iter()
            .filter(|b| !judge.exclude_benches.contains(b))
            .cloned()
            .collect();
        seed_lock_file(&ws.at.root, worktree.path(), short(&base.commit))?;
        let base_build = Build {
            workspace: worktree.path(),
            target_dir: Some(&base_target),
            target: None,
            benches: &base_benches,
            label: &label,
            dev: false,
        };
        // The base is built against the layer head used, for the criterion version of its own
        // lock file; where it cannot be, both sides' plain targets run in whole runs.
        let on_layer = match (&layer, crate::layer::criterion_of(worktree.path())) {
            (Some(_), crate::layer::Criterion::One(version)) => {
                let written = Layer::write(&scratch_dir(&ws.at.root), &version)?;
                Some(base_build.run_on_layer(&written)?)
            }
            (Some(_), crate::layer::Criterion::Unusable(reason)) => Some(Err(reason)),
            (Some(_), crate::layer::Criterion::Absent) => Some(Err(LayerUnusable::NoCriterion)),
            (None, _) => None,
        };
        let base_binaries = match on_layer {
            Some(Ok(binaries)) => binaries,
            Some(Err(reason)) => {
                criterion_layer = Some(fell_back(BuildSide::Base, reason));
                // Head's plain targets, too, are then measured as criterion built them.
                if let Some(binaries) = head_on_criterion {
                    head_binaries = binaries;
                }
                base_build.run()?
            }
            None => base_build.run()?,
        };
        eprintln!(
            "built head in {head_seconds:.0} s and base {} in {:.0} s",
            short(&base.commit),
            start.elapsed().as_secs_f64()
        );
        let fingerprint = crate::fingerprint::of_run(&ws.at.root, None, &head_binaries)?;
        Ok(Self {
            head,
            base,
            why,
            head_binaries,
            base_binaries,
            base_env: neutral(&head_env),
            head_env,
            fingerprint,
            criterion_layer,
            judge,
            settings_changed,
            _worktree: Some(worktree),
        })
    }

    /// Measures every benchmark that matches `filter` on either side: times them (paired where
    /// both sides have one, alone where only head has), then counts both builds. Returns head's
    /// results, recording the paired run; judging them is the caller's
    /// ([`Report::paired`](perfmatrix_model::Report::paired)).
    pub(crate) fn measure(
        &self,
        ws: &Workspace,
        filter: Option<&regex::Regex>,
        shard: Option<&crate::suite::ShardRequest>,
        design: &Design,
        quick: bool,
    ) -> anyhow::Result<Results> {
        let matching = |bins: &[BenchBinary]| -> Vec<String> {
            let mut ids: Vec<String> = bins
                .iter()
                .flat_map(|b| b.ids.iter().cloned())
                .filter(|id| filter.is_none_or(|f| f.is_match(id)))
                .collect();
            ids.sort();
            ids.dedup();
            ids
        };
        let (mut head_ids, mut base_ids) =
            (matching(&self.head_binaries), matching(&self.base_binaries));
        if head_ids.is_empty() && base_ids.is_empty() {
            match filter {
                Some(f) => bail!("no benchmark id matches the filter `{f}` on either side"),
                None => bail!("neither side has any benchmark"),
            }
        }
        // A shard plans every benchmark of either side, then measures its own.
        let sharding = shard
            .map(|request| {
                let mut all: Vec<String> = head_ids.iter().chain(&base_ids).cloned().collect();
                all.sort();
                all.dedup();
                crate::suite::shard_of(&all, request)
            })
            .transpose()?;
        if let Some(sharding) = &sharding {
            let mine: std::collections::HashSet<&str> =
                sharding.mine().map(BenchmarkId::as_str).collect();
            head_ids.retain(|id| mine.contains(id.as_str()));
            base_ids.retain(|id| mine.contains(id.as_str()));
        }
        let mut timing = self.first_pairs(&self.judge, &head_ids, &base_ids, design, quick)?;
        // Counted before more pairs are taken, so that a budget knows what is left for them.
        let counting = Instant::now();
        let counted = self.count(&mut timing)?;
        timing.counting = counting.elapsed();
        if let Some(d) = design.deadline
            && Instant::now() > d.pairs_end()
        {
            eprintln!(
                "warning: the budget of {} was spent before every benchmark had its minimum of \
                 pairs and its counts; the undecided benchmarks are named in the report",
                d.budget
            );
        }
        self.more_pairs(&mut timing, design, quick)?;
        let timed = timing.finish(counted)?;
        let base_only = base_ids
            .iter()
            .filter(|id| !head_ids.contains(id))
            .map(|id| BenchmarkId::new(id.clone()))
            .collect::<Result<Vec<_>, _>>()?;
        let finished = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let settings = RunSettings {
            quick,
            filter: filter.map(|f| f.as_str().to_owned()),
            warm_up_seconds: 0.0,
            measurement_seconds: timed.seconds,
            sample_size: design.samples as u32,
        };
        let mut results = Results::new(self.fingerprint.clone(), settings, finished, timed.head);
        results.paired = Some(PairedRun {
            head: self.head.clone(),
            base: self.base.clone(),
            why: self.why.clone(),
            benchmarks: timed.paired,
            base_benchmarks: timed.base,
            base_only,
            criterion_layer: self.criterion_layer.clone(),
            settings_changed: self.settings_changed.clone(),
            budget_seconds: design.deadline.map(|d| d.budget.seconds()),
        });
        results.failed = timed.failed;
        results.sharding = sharding;
        ws.warn_unknown_benchmarks(&results);
        Ok(results)
    }

    /// Times every benchmark of both sides (`head_ids`, `base_ids`: matching ids, sorted) to its
    /// minimum: the design's `min_pairs` where both sides have it, or until it is decided
    /// earlier (whole runs over the cap); a benchmark only head has, alone. A benchmark whose
    /// measurement fails (its server panics, hangs past the deadline, refuses) is named among
    /// the failed and the others are measured on; an interrupt stops them all.
    fn first_pairs<'s>(
        &'s self,
        config: &perfmatrix_model::Config,
        head_ids: &'s [String],
        base_ids: &[String],
        design: &Design,
        quick: bool,
    ) -> anyhow::Result<Timing<'s>> {
        let both: Vec<&String> = head_ids.iter().filter(|id| base_ids.contains(id)).collect();
        let mut timing = Timing {
            progress: Progress::new("", both.len(), Logged::Results),
            pairings: Vec::with_capacity(both.len()),
            alone: Vec::new(),
            failed: Vec::new(),
            counting: Duration::ZERO,
        };
        for (i, id) in both.iter().enumerate() {
            timing.progress.begins(i, id);
            let mut p = Pairing::new(
                id,
                find(&self.base_binaries, id)?,
                find(&self.head_binaries, id)?,
                config.gates_for(&BenchmarkId::new((*id).clone())?).paired,
                design.samples,
            );
            let mut measured = Ok(());
            while p.stopped.is_none() && p.pairs.len() < design.min_pairs && measured.is_ok() {
                measured = self.pair(&mut p, design, quick);
            }
            if let Err(err) = measured {
                crate::interrupt::check()?;
                timing
                    .progress
                    .done(i + 1, &format!("{id}: FAILED: {err:#}"));
                timing.failed.push(FailedBench {
                    id: BenchmarkId::new((*id).clone())?,
                    error: format!("{err:#}"),
                });
                continue;
            }
            let state = match &p.stopped {
                Some(line) => line.clone(),
                None => format!("{} so far, undecided: more pairs later", p.interval()?),
            };
            timing.progress.done(
                i + 1,
                &format!(
                    "{id}: {state} in {} pairs, {:.1} s",
                    p.pairs.len(),
                    p.spent.as_secs_f64()
                ),
            );
            timing.pairings.push(p);
        }
        for id in head_ids.iter().filter(|id| !base_ids.contains(id)) {
            let bin = find(&self.head_binaries, id)?;
            timing
                .progress
                .line(&format!("{id}: only on head (new); timing it alone"));
            match self.alone(id, bin, design, quick) {
                Ok(ns) => timing.alone.push(bench_result(id, &ns)?),
                Err(err) => {
                    crate::interrupt::check()?;
                    timing.progress.line(&format!("{id}: FAILED: {err:#}"));
                    timing.failed.push(FailedBench {
                        id: BenchmarkId::new(id.clone())?,
                        error: format!("{err:#}"),
                    });
                }
            }
        }
        Ok(timing)
    }

    /// Gives the benchmarks still undecided after their minimum more pairs, one each in turn,
    /// until each is decided, reaches `max_pairs` or its cap, or (with a budget) the next pair
    /// would end past the time kept for the pairs: those are then marked as limited by the
    /// budget. Turns spread each benchmark's pairs over the run, and a budget goes to the
    /// undecided ones alone.
    fn more_pairs(
        &self,
        timing: &mut Timing<'_>,
        design: &Design,
        quick: bool,
    ) -> anyhow::Result<()> {
        let undecided = timing.open().count();
        if undecided == 0 {
            return Ok(());
        }
        let budget = design.deadline.map_or_else(String::new, |d| {
            format!(
                "; the budget of {} leaves {:.0} s",
                d.budget,
                d.pairs_end()
                    .saturating_duration_since(Instant::now())
                    .as_secs_f64()
            )
        });
        timing.progress.line(&format!(
            "{undecided} benchmark(s) undecided after their minimum of pairs: more pairs, one \
             each in turn{budget}"
        ));
        loop {
            let mut paired = false;
            for p in timing.pairings.iter_mut().filter(|p| p.is_open()) {
                if design
                    .deadline
                    .is_some_and(|d| Instant::now() + p.mean_pair() > d.pairs_end())
                {
                    p.budget_limited = true;
                    p.stopped = Some(format!("{}, left undecided by the budget", p.interval()?));
                } else {
                    paired = true;
                    if let Err(err) = self.pair(p, design, quick) {
                        crate::interrupt::check()?;
                        p.stopped = Some(format!("FAILED: {err:#}"));
                        p.failed = Some(format!("{err:#}"));
                    }
                }
                if let Some(line) = &p.stopped {
                    timing.progress.line(&format!(
                        "{}: {line} in {} pairs, {:.1} s",
                        p.id,
                        p.pairs.len(),
                        p.spent.as_secs_f64()
                    ));
                }
            }
            if !paired {
                return Ok(());
            }
        }
    }

    /// Counts each side's benchmarks that were timed to their minimum ([`Timing::counted`]),
    /// with its own build (head with its planted environment). A benchmark whose counting run
    /// failed on either side is failed, as if a pair had: it gets no more pairs and no verdict.
    fn count(&self, timing: &mut Timing<'_>) -> anyhow::Result<Counted> {
        let began = Instant::now();
        let (head_ids, base_ids) = timing.counted();
        let head = crate::counts::measure(None, &self.head_binaries, &head_ids, &self.head_env)?;
        let base = crate::counts::measure(None, &self.base_binaries, &base_ids, &[])?;
        let mut failed = std::collections::BTreeSet::new();
        for (side, failures) in [("head", head.failed), ("base", base.failed)] {
            for f in failures {
                failed.insert(f.id.clone());
                timing.count_failed(f.id, format!("{side} build: {}", f.error));
            }
        }
        let counted = Counted {
            head: head.counts,
            base: base.counts,
        };
        eprintln!(
            "counted {} benchmark(s) on both builds in {:.1} s{}",
            head_ids.len() - failed.len(),
            began.elapsed().as_secs_f64(),
            crate::progress::failed_text(failed.len())
        );
        Ok(counted)
    }

    /// Profiles `ids` (benchmarks a first judgement found changed) on both builds, function by
    /// function with the cache and branch simulation ([`crate::counts::profile`]), and keeps
    /// both profiles in the paired run of `results`, where
    /// [`Report::paired`](perfmatrix_model::Report::paired) turns them into each row's
    /// difference. Benchmarks that were not changed pay nothing.
    pub(crate) fn profile(
        &self,
        ids: &[perfmatrix_model::BenchmarkId],
        results: &mut Results,
    ) -> anyhow::Result<()> {
        let Some(run) = results.paired.as_mut() else {
            return Ok(());
        };
        if ids.is_empty() {
            return Ok(());
        }
        let began = Instant::now();
        eprintln!(
            "profiling {} changed benchmark(s) on both builds (callgrind, cache and branch \
             simulation): {}",
            ids.len(),
            crate::verdict::listed(ids)
        );
        let mut head = crate::counts::profile(&self.head_binaries, ids, &self.head_env)?;
        // The base's environment as its counting runs had it (`count`), so the profile's totals
        // are the counted ones.
        let mut base = crate::counts::profile(&self.base_binaries, ids, &[])?;
        for bench in &mut run.benchmarks {
            let id = bench.id.as_str();
            if let (Some(head), Some(base)) = (head.remove(id), base.remove(id)) {
                bench.profiles = Some(perfmatrix_model::Profiles { head, base });
            }
        }
        eprintln!("profiled in {:.1} s", began.elapsed().as_secs_f64());
        Ok(())
    }

    /// One more process pair of `p`'s benchmark: interleaved samples when both sides are on the
    /// harness, else a short whole criterion run of each side. Then whether it may stop
    /// ([`decided`]).
    fn pair(&self, p: &mut Pairing<'_>, design: &Design, quick: bool) -> anyhow::Result<()> {
        let began = Instant::now();
        // The starting order alternates: the first process of a pair may be placed differently
        // in memory, or start on a colder machine.
        let base_first = p.pairs.len().is_multiple_of(2);
        let (base_ns, head_ns) = if p.method == Method::Interleaved {
            self.interleaved_pair(p, design, base_first)?
        } else {
            let run =
                |bin: &BenchBinary, env: &[(String, String)]| whole_run(bin, p.id, env, quick);
            let (b, h) = if base_first {
                let b = run(p.base_bin, &self.base_env)?;
                (b, run(p.head_bin, &self.head_env)?)
            } else {
                let h = run(p.head_bin, &self.head_env)?;
                (run(p.base_bin, &self.base_env)?, h)
            };
            (vec![b], vec![h])
        };
        let log_ratio = pair_log_ratio(&base_ns, &head_ns)?;
        p.pairs.push(PairRecord {
            base_ns: median(&base_ns),
            head_ns: median(&head_ns),
            log_ratio,
        });
        p.base_ns.extend(base_ns);
        p.head_ns.extend(head_ns);
        p.spent += began.elapsed();
        // Interleaved pairs are short: only whole runs, which can take seconds, let the
        // cap cut them below the design's minimum.
        let next_pair = match p.method {
            Method::Interleaved => Duration::ZERO,
            Method::WholeRuns => p.mean_pair(),
        };
        p.stopped =
            decided(&p.ratios(), p.gate, design, p.spent, next_pair)?.map(|line| match p.method {
                Method::Interleaved => line,
                Method::WholeRuns => format!("{line} (whole runs)"),
            });
        Ok(())
    }

    /// A fresh pair of sample servers timing `samples` rounds of `p`'s benchmark after
    /// `warm_up`, in random order within each round; the iterations per sample are calibrated
    /// on the first pair. Returns each side's nanoseconds per iteration, one per round.
    fn interleaved_pair(
        &self,
        p: &mut Pairing<'_>,
        design: &Design,
        base_first: bool,
    ) -> anyhow::Result<(Vec<f64>, Vec<f64>)> {
        let base_label = format!("base {}", short(&self.base.commit));
        let start_base = || {
            Server::start(
                p.base_bin,
                &self.base_env,
                design.pin,
                &base_label,
                design.answer,
            )
        };
        let start_head = || {
            Server::start(
                p.head_bin,
                &self.head_env,
                design.pin,
                "head",
                design.answer,
            )
        };
        let (mut base, mut head) = if base_first {
            let base = start_base()?;
            (base, start_head()?)
        } else {
            let head = start_head()?;
            (start_base()?, head)
        };
        base.prepare(p.id)?;
        head.prepare(p.id)?;
        let n = if let Some(n) = p.iters {
            n
        } else {
            let n = calibrate(&mut head, design.sample)?;
            check_dispatch(&mut base, &mut head, p.id)?;
            p.iters = Some(n);
            n
        };
        let mut rng = rand::rng();
        let (mut base_ns, mut head_ns) = (Vec::new(), Vec::new());
        for round in 0..design.warm_up + design.samples {
            let (b, h) = if rng.random::<bool>() {
                let b = base.time(n)?;
                (b, head.time(n)?)
            } else {
                let h = head.time(n)?;
                (base.time(n)?, h)
            };
            if round >= design.warm_up {
                base_ns.push(b / n as f64);
                head_ns.push(h / n as f64);
            }
        }
        Ok((base_ns, head_ns))
    }

    /// A benchmark only head has: timed in one process, for its row's time.
    fn alone(
        &self,
        id: &str,
        bin: &BenchBinary,
        design: &Design,
        quick: bool,
    ) -> anyhow::Result<Vec<f64>> {
        if !bin.on_harness {
            return Ok(vec![whole_run(bin, id, &self.head_env, quick)?]);
        }
        let mut server = Server::start(bin, &self.head_env, design.pin, "head", design.answer)?;
        server.prepare(id)?;
        let n = calibrate(&mut server, design.sample)?;
        (0..design.samples)
            .map(|_| Ok(server.time(n)? / n as f64))
            .collect()
    }
}

/// `env` with each value's group (the part before `=`, as in `decay=0.05`) replaced by dashes:
/// the planting knobs then name no benchmark, so the base plants nothing, but its processes see
/// variables of the same length as head's.
fn neutral(env: &[(String, String)]) -> Vec<(String, String)> {
    env.iter()
        .map(|(k, v)| {
            let neutral = match v.split_once('=') {
                Some((group, rest)) => format!("{}={rest}", "-".repeat(group.len())),
                None => "-".repeat(v.len()),
            };
            (k.clone(), neutral)
        })
        .collect()
}

/// What [`head_on_layer`] gives: the layer used, the report's fact, head as criterion built it.
type HeadOnLayer = (
    Option<Layer>,
    Option<CriterionLayer>,
    Option<Vec<BenchBinary>>,
);

/// Head's plain criterion targets built again against the criterion layer, in a target folder
/// of their own (the workspace's keeps criterion's build for `cargo bench`), in place of
/// `head_binaries`. Returns the layer used, the report's fact (None: no plain target, or no
/// criterion in the lock file), and head as criterion built it while the layered build stands
/// in: a base that cannot use the layer sends head back to it, with nothing built again.
fn head_on_layer(
    ws: &Workspace,
    head_build: &Build<'_>,
    head_binaries: &mut Vec<BenchBinary>,
) -> anyhow::Result<HeadOnLayer> {
    if head_binaries.iter().all(|b| b.on_harness) {
        return Ok((None, None, None));
    }
    let version = match crate::layer::criterion_of(&ws.at.root) {
        crate::layer::Criterion::One(version) => version,
        crate::layer::Criterion::Unusable(reason) => {
            return Ok((None, Some(fell_back(BuildSide::Head, reason)), None));
        }
        crate::layer::Criterion::Absent => return Ok((None, None, None)),
    };
    let written = Layer::write(&scratch_dir(&ws.at.root), &version)?;
    let head_target = ws.layer_target();
    let on_layer = Build {
        target_dir: Some(&head_target),
        ..head_build.clone()
    }
    .run_on_layer(&written)?;
    Ok(match on_layer {
        Ok(binaries) => (
            Some(written),
            Some(CriterionLayer::Used { criterion: version }),
            Some(std::mem::replace(head_binaries, binaries)),
        ),
        Err(reason) => (None, Some(fell_back(BuildSide::Head, reason)), None),
    })
}

/// The layer could not stand in for criterion on `side`: says so, and why, for the report.
fn fell_back(side: BuildSide, why: LayerUnusable) -> CriterionLayer {
    eprintln!("{}", perfmatrix_report::layer_fell_back(side, &why));
    CriterionLayer::NotUsed { side, why }
}

/// The timing of a paired run: head's and base's measurements, the pairs, the seconds it took.
#[derive(Debug, Default)]
struct Timed {
    head: Vec<BenchResult>,
    base: Vec<BenchResult>,
    paired: Vec<PairedBench>,
    failed: Vec<FailedBench>,
    seconds: f64,
}

/// A paired run's timing while it is taken: each benchmark on both sides with its pairs so far,
/// those only head has, timed alone, and the failed.
#[derive(Debug)]
struct Timing<'s> {
    progress: Progress,
    pairings: Vec<Pairing<'s>>,
    alone: Vec<BenchResult>,
    failed: Vec<FailedBench>,
    /// The time counting took, between the two rounds of pairs: not part of the timing.
    counting: Duration,
}

impl Timing<'_> {
    /// The benchmarks that may get more pairs.
    fn open(&self) -> impl Iterator<Item = &Pairing<'_>> {
        self.pairings.iter().filter(|p| p.is_open())
    }

    /// Benchmark `id`'s counting run failed (`error`): it is among the failed, and gets no more
    /// pairs.
    fn count_failed(&mut self, id: BenchmarkId, error: String) {
        self.progress.line(&format!("{id}: FAILED: {error}"));
        if let Some(p) = self.pairings.iter_mut().find(|p| p.id == id.as_str()) {
            if p.failed.is_none() {
                p.stopped = Some(format!("FAILED: {error}"));
                p.failed = Some(error);
            }
        } else if let Some(k) = self.alone.iter().position(|b| b.id == id) {
            self.alone.remove(k);
            self.failed.push(FailedBench { id, error });
        }
    }

    /// The ids to count on each side: head's timed benchmarks, and the base's paired ones.
    fn counted(&self) -> (Vec<String>, Vec<String>) {
        let paired = self.pairings.iter().map(|p| p.id.to_owned());
        let alone = self.alone.iter().map(|b| b.id.to_string());
        (paired.clone().chain(alone).collect(), paired.collect())
    }

    /// The run's timing, each side's counts attached to its benchmarks; a benchmark that failed
    /// on a later pair is among the failed, its earlier pairs dropped.
    fn finish(mut self, mut counted: Counted) -> anyhow::Result<Timed> {
        self.progress.finish();
        let mut timed = Timed {
            failed: self.failed,
            seconds: (self.progress.elapsed() - self.counting.as_secs_f64()).max(0.0),
            ..Timed::default()
        };
        eprintln!(
            "measured {} benchmarks in {:.0} s",
            self.pairings.len(),
            timed.seconds
        );
        for p in self.pairings {
            if let Some(error) = p.failed {
                timed.failed.push(FailedBench {
                    id: BenchmarkId::new(p.id.to_owned())?,
                    error,
                });
                continue;
            }
            let mut head = bench_result(p.id, &p.head_ns)?;
            head.seconds = Some(p.spent.as_secs_f64());
            let mut base = bench_result(p.id, &p.base_ns)?;
            head.counts = counted.head.remove(p.id);
            base.counts = counted.base.remove(p.id);
            timed.head.push(head);
            timed.base.push(base);
            timed.paired.push(PairedBench {
                id: BenchmarkId::new(p.id.to_owned())?,
                method: p.method,
                iterations_per_sample: p.iters,
                samples_per_pair: match p.method {
                    Method::Interleaved => p.samples,
                    Method::WholeRuns => 1,
                },
                pairs: p.pairs,
                profiles: None,
                budget_limited: p.budget_limited,
            });
        }
        for mut head in self.alone {
            head.counts = counted.head.remove(head.id.as_str());
            timed.head.push(head);
        }
        Ok(timed)
    }
}

/// Each side's counts of its benchmarks, by id.
#[derive(Debug, Default)]
struct Counted {
    head: std::collections::BTreeMap<String, perfmatrix_model::Counts>,
    base: std::collections::BTreeMap<String, perfmatrix_model::Counts>,
}

/// One benchmark's paired measurement while it is taken.
#[derive(Debug)]
struct Pairing<'s> {
    id: &'s str,
    base_bin: &'s BenchBinary,
    head_bin: &'s BenchBinary,
    gate: Thresholds,
    method: Method,
    /// Paired samples per process pair, of interleaved pairs.
    samples: usize,
    /// Iterations per sample, calibrated on the first interleaved pair.
    iters: Option<u64>,
    pairs: Vec<PairRecord>,
    /// Every sample of each side, nanoseconds per iteration.
    base_ns: Vec<f64>,
    head_ns: Vec<f64>,
    /// The time its pairs took.
    spent: Duration,
    /// Its progress line, once it may take no more pairs.
    stopped: Option<String>,
    /// The budget stopped it undecided.
    budget_limited: bool,
    /// A later pair failed (the error).
    failed: Option<String>,
}

impl<'s> Pairing<'s> {
    fn new(
        id: &'s str,
        base_bin: &'s BenchBinary,
        head_bin: &'s BenchBinary,
        gate: Thresholds,
        samples: usize,
    ) -> Self {
        Self {
            id,
            base_bin,
            head_bin,
            gate,
            method: if base_bin.on_harness && head_bin.on_harness {
                Method::Interleaved
            } else {
                Method::WholeRuns
            },
            samples,
            iters: None,
            pairs: Vec::new(),
            base_ns: Vec::new(),
            head_ns: Vec::new(),
            spent: Duration::ZERO,
            stopped: None,
            budget_limited: false,
            failed: None,
        }
    }

    fn is_open(&self) -> bool {
        self.stopped.is_none()
    }

    fn ratios(&self) -> Vec<f64> {
        self.pairs.iter().map(|p| p.log_ratio).collect()
    }

    /// How long one of its pairs took, on average (zero before the first).
    fn mean_pair(&self) -> Duration {
        self.spent / u32::try_from(self.pairs.len().max(1)).unwrap_or(u32::MAX)
    }

    /// Its interval so far, as the progress lines write it.
    fn interval(&self) -> anyhow::Result<String> {
        let c = compare_paired(&self.ratios(), self.gate, &PairedConfig::default())?;
        Ok(progress_line(&c))
    }
}

/// Whether a benchmark's measurement may stop after these pairs, with its progress line: once it
/// has `min_pairs` and either no threshold lies inside the interval, or its cap or `max_pairs`
/// is used up. `spent` is the time its pairs took.
///
/// `next_pair` is how long another pair is expected to take (zero: not known, or short). When
/// it would end past the cap, the measurement stops at the statistics' own minimum of pairs
/// ([`perfmatrix_stats::MIN_PAIRS`]) instead of `min_pairs`: whole criterion runs whose groups
/// set long measurement times keep the cap, at the cost of a wider interval, which the row's
/// minimum detectable effect then shows.
fn decided(
    ratios: &[f64],
    gate: Thresholds,
    design: &Design,
    spent: Duration,
    next_pair: Duration,
) -> anyhow::Result<Option<String>> {
    let over_cap = spent + next_pair > design.cap;
    let min_pairs = if over_cap && !next_pair.is_zero() {
        perfmatrix_stats::MIN_PAIRS
    } else {
        design.min_pairs.max(perfmatrix_stats::MIN_PAIRS)
    };
    if ratios.len() < min_pairs {
        return Ok(None);
    }
    let c = compare_paired(ratios, gate, &PairedConfig::default())?;
    let stop = !c.undecided() || over_cap || ratios.len() >= design.max_pairs;
    Ok(stop.then(|| progress_line(&c)))
}

/// `+1.23% [+0.50%, +1.90%] unchanged`: a comparison as the progress lines write it.
fn progress_line(c: &perfmatrix_stats::PairedComparison) -> String {
    format!(
        "{:+.2}% [{:+.2}%, {:+.2}%] {}",
        100.0 * c.change.estimate(),
        100.0 * c.change.lower(),
        100.0 * c.change.upper(),
        c.verdict
    )
}

/// The binary of `bins` that holds `id` (a harness binary first).
fn find<'a>(bins: &'a [BenchBinary], id: &str) -> anyhow::Result<&'a BenchBinary> {
    bins.iter()
        .find(|b| b.serves(id))
        .or_else(|| bins.iter().find(|b| b.has(id)))
        .with_context(|| format!("no bench binary holds `{id}`"))
}

/// Iterations per sample so that one lasts about `target`: the median of five one-iteration
/// timings after one discarded, at least 1.
fn calibrate(server: &mut Server, target: Duration) -> anyhow::Result<u64> {
    server.time(1)?;
    let mut ns: Vec<f64> = (0..5).map(|_| server.time(1)).collect::<Result<_, _>>()?;
    ns.sort_by(f64::total_cmp);
    let one = ns[2];
    Ok(((target.as_nanos() as f64 / one).round() as u64).clamp(1, 1_000_000))
}

/// Refuses to pair two builds whose code dispatched to different variants (they would not be
/// measuring the same kernels: e.g. a `PERFMATRIX_KERNEL_VARIANT` set on one side only).
fn check_dispatch(base: &mut Server, head: &mut Server, id: &str) -> anyhow::Result<()> {
    let (b, h) = (base.dispatch()?, head.dispatch()?);
    for (key, head_value) in &h {
        if let Some(base_value) = b.get(key)
            && base_value != head_value
        {
            bail!(
                "`{id}`: base runs `{key}` as `{base_value}`, head as `{head_value}`: the \
                     two builds would not measure the same code"
            );
        }
    }
    Ok(())
}

/// One short criterion run of `id` by a plain criterion binary: its median ns per iteration.
fn whole_run(
    bin: &BenchBinary,
    id: &str,
    env: &[(String, String)],
    quick: bool,
) -> anyhow::Result<f64> {
    let home = tempfile::Builder::new()
        .prefix("perfmatrix-criterion-")
        .tempdir()
        .context("cannot make a temporary criterion folder")?;
    let filter = crate::verdict::exactly(&[id.to_owned()]);
    let (warm, measure) = if quick {
        ("0.05", "0.1")
    } else {
        ("0.2", "0.5")
    };
    let mut cmd = bin.command(&[
        "--bench",
        "--noplot",
        "--warm-up-time",
        warm,
        "--measurement-time",
        measure,
        "--sample-size",
        "10",
        "--nresamples",
        "100",
        &filter,
    ]);
    cmd.env("CRITERION_HOME", home.path())
        .envs(env.iter().map(|(k, v)| (k, v)));
    crate::binaries::succeed(
        cmd,
        &format!("the criterion run of `{id}` in {}", bin.exe.display()),
    )?;
    let measured = read_criterion_dir(home.path())?;
    let bench = measured
        .into_iter()
        .find(|b| b.id.as_str() == id)
        .with_context(|| format!("criterion wrote no measurement of `{id}`"))?;
    Ok(median(&bench.per_iteration_ns))
}

fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => 0.5 * (v[n / 2 - 1] + v[n / 2]),
    }
}

fn bench_result(id: &str, ns: &[f64]) -> anyhow::Result<BenchResult> {
    let samples_ns = Sample::new(ns.to_vec()).with_context(|| format!("the samples of `{id}`"))?;
    Ok(BenchResult {
        id: BenchmarkId::new(id.to_owned())?,
        throughput: None,
        summary: SampleSummary::of(&samples_ns),
        samples_ns,
        counts: None,
        seconds: None,
    })
}

pub(crate) use perfmatrix_model::short_commit as short;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::git::Repo;
    use crate::git::tests::run as git;

    /// The pull request that adopts perfmatrix in a single-package crate: its base has no
    /// `[workspace]`, its head adds `[workspace.metadata.perfmatrix]` (and with it a workspace).
    /// Under head's `target/`, cargo would take the base for a member of head's workspace and
    /// refuse it; where paired runs put it, the base's own metadata reads.
    #[test]
    fn the_base_of_a_crate_adopting_perfmatrix_is_out_of_heads_workspace() {
        let repo = tempfile::tempdir().unwrap();
        let root = repo.path();
        let manifest = "[package]\nname = \"single\"\nversion = \"0.1.0\"\nedition = \"2021\"\n";
        std::fs::create_dir(root.join("src")).unwrap();
        std::fs::write(root.join("src/lib.rs"), "").unwrap();
        std::fs::write(root.join("Cargo.toml"), manifest).unwrap();
        std::fs::write(root.join(".gitignore"), "/target\n").unwrap();
        git(root, &["init", "-q", "-b", "master"]);
        git(root, &["add", "."]);
        git(root, &["commit", "-q", "-m", "base"]);
        let base = Repo::at(root).head().unwrap();
        let adopted = format!("{manifest}\n[workspace.metadata.perfmatrix]\nwarn = 0.05\n");
        std::fs::write(root.join("Cargo.toml"), adopted).unwrap();
        git(root, &["commit", "-q", "-am", "adopt perfmatrix"]);

        let inside = root.join("target/perfmatrix/base-worktree");
        let wt = Worktree::checkout(root, &inside, &base).unwrap();
        let err = crate::workspace::bench_targets_in(wt.path(), &[]).unwrap_err();
        assert!(format!("{err:#}").contains("workspace"), "{err:#}");

        let at = base_worktree(root);
        let wt = Worktree::checkout(root, &at, &base).unwrap();
        let read = crate::workspace::bench_targets_in(wt.path(), &[]);
        let _ = std::fs::remove_dir_all(at.parent().unwrap());
        assert!(read.unwrap().is_empty(), "no bench target, and no error");
    }

    /// A synthetic sample server speaking the harness's protocol: `time n` answers
    /// `n × 1000 ns × (1 + slowdown)`, with a bias of up to ±3% fixed for the process's life (as a
    /// real process's placement in memory gives) and ±2% noise per sample.
    const SYNTHETIC: &str = r#"#!/bin/sh
# The base gets a same-length neutral value (dashes): no slowdown.
case "${SLOWDOWN_PERMILLE:-}" in
  ''|*[!0-9]*) slowdown=0 ;;
  *) slowdown=$SLOWDOWN_PERMILLE ;;
esac
bias=$(( $(/usr/bin/od -An -N2 -tu2 /dev/urandom) % 61 - 30 ))
echo '{"protocol":1}'
while read -r cmd arg; do
  case "$cmd" in
    list) echo '{"ids":["syn/1"]}' ;;
    dispatch) echo '{"dispatch":{"syn":"portable"}}' ;;
    prepare) echo "{\"prepared\":\"$arg\"}" ;;
    time)
      noise=$(( $(/usr/bin/od -An -N2 -tu2 /dev/urandom) % 41 - 20 ))
      permille=$(( 1000 + slowdown + bias + noise ))
      echo "{\"ns\":$(( arg * permille ))}" ;;
    quit) exit 0 ;;
    *) echo '{"error":"unknown request"}' ;;
  esac
done
"#;

    fn synthetic(dir: &Path) -> BenchBinary {
        use std::os::unix::fs::PermissionsExt;
        let exe = dir.join("synthetic-server");
        std::fs::write(&exe, SYNTHETIC).unwrap();
        std::fs::set_permissions(&exe, std::fs::Permissions::from_mode(0o755)).unwrap();
        BenchBinary {
            name: "synthetic".to_owned(),
            exe,
            target: None,
            workspace: dir.to_owned(),
            ids: vec!["syn/1".to_owned()],
            on_harness: true,
            via_layer: false,
            count_each: false,
        }
    }

    fn sides(head_env: Vec<(String, String)>) -> Sides {
        let revision = |name: &str| Revision {
            name: name.to_owned(),
            commit: "0123456789abcdef".to_owned(),
            dirty: false,
        };
        Sides {
            head: revision("working tree"),
            base: revision("HEAD"),
            why: perfmatrix_model::PairedBecause::FirstParent,
            head_binaries: Vec::new(),
            base_binaries: Vec::new(),
            base_env: neutral(&head_env),
            head_env,
            fingerprint: perfmatrix_fingerprint::Fingerprint::example(),
            criterion_layer: None,
            judge: perfmatrix_model::Config::default(),
            settings_changed: Vec::new(),
            _worktree: None,
        }
    }

    const DESIGN: Design = Design {
        min_pairs: 6,
        max_pairs: 12,
        samples: 10,
        warm_up: 1,
        sample: Duration::from_micros(100),
        cap: Duration::from_secs(30),
        answer: Duration::from_secs(30),
        pin: None,
        deadline: None,
    };

    fn verdict(m: &Pairing<'_>) -> perfmatrix_stats::PairedComparison {
        compare_paired(&m.ratios(), Thresholds::PAIRED, &PairedConfig::default()).unwrap()
    }

    /// `id` of `head` against `base`, measured until it may stop, as a run without a budget
    /// measures it.
    fn to_the_end<'s>(
        sides: &Sides,
        id: &'s str,
        base: &'s BenchBinary,
        head: &'s BenchBinary,
    ) -> anyhow::Result<Pairing<'s>> {
        let mut p = Pairing::new(id, base, head, Thresholds::PAIRED, DESIGN.samples);
        while p.is_open() {
            sides.pair(&mut p, &DESIGN, false)?;
        }
        Ok(p)
    }

    /// Both timing rounds of a run, without counting.
    fn time(sides: &Sides, ids: &[String], design: &Design) -> Timed {
        let config = perfmatrix_model::Config::default();
        let mut timing = sides.first_pairs(&config, ids, ids, design, false).unwrap();
        sides.more_pairs(&mut timing, design, false).unwrap();
        timing.finish(Counted::default()).unwrap()
    }

    #[test]
    fn a_planted_slowdown_is_seen_through_synthetic_servers_and_none_without() {
        let dir = tempfile::tempdir().unwrap();
        let bin = synthetic(dir.path());

        let same = sides(Vec::new());
        let m = to_the_end(&same, "syn/1", &bin, &bin).unwrap();
        assert!(m.pairs.len() >= DESIGN.min_pairs);
        // 100 µs of 1 µs calls, give or take the process's bias and the noise.
        let iters = m.iters.unwrap();
        assert!((90..=110).contains(&iters), "{iters}");
        assert_eq!(m.base_ns.len(), m.pairs.len() * DESIGN.samples);
        let c = verdict(&m);
        assert_ne!(c.verdict, perfmatrix_stats::Verdict::Regressed, "{c:?}");
        assert!(c.change.lower() < 0.02, "{c:?}");

        let planted = sides(vec![("SLOWDOWN_PERMILLE".to_owned(), "100".to_owned())]);
        let m = to_the_end(&planted, "syn/1", &bin, &bin).unwrap();
        let c = verdict(&m);
        assert_eq!(c.verdict, perfmatrix_stats::Verdict::Regressed, "{c:?}");
        assert!((c.change.estimate() - 0.10).abs() < 0.03, "{c:?}");
        // Decided long before the cap: the interval lies above the failure threshold.
        assert!(m.pairs.len() < DESIGN.max_pairs, "{}", m.pairs.len());
    }

    #[test]
    fn the_base_sees_knobs_of_the_same_length_that_plant_nothing() {
        let head = vec![(
            "PERFMATRIX_PLANT_SLOWDOWN".to_owned(),
            "decay=0.05".to_owned(),
        )];
        let base = neutral(&head);
        assert_eq!(base[0].0, head[0].0);
        assert_eq!(base[0].1, "-----=0.05");
        assert_eq!(base[0].1.len(), head[0].1.len());
    }

    /// Whole criterion runs whose groups set 3 s of measurement take ~4 s a run: the budget
    /// stops them at the statistics' minimum of pairs, not at the design's six.
    #[test]
    fn long_whole_runs_keep_the_budget() {
        let gate = Thresholds::new(0.05, 0.10).unwrap();
        let ratios = [0.01, -0.02];
        let run = Duration::from_secs(8);
        // 16 s for two pairs, a third would end at 24 s, past the 15 s cap: stop.
        assert!(
            decided(&ratios, gate, &FULL_DESIGN, Duration::from_secs(16), run)
                .unwrap()
                .is_some()
        );
        // Early on, the design's minimum holds.
        assert!(
            decided(
                &ratios,
                gate,
                &FULL_DESIGN,
                Duration::from_secs(1),
                Duration::from_millis(100)
            )
            .unwrap()
            .is_none()
        );
        // Interleaved pairs (no estimate of the next one) keep the design's minimum.
        assert!(
            decided(
                &ratios,
                gate,
                &FULL_DESIGN,
                Duration::from_secs(16),
                Duration::ZERO
            )
            .unwrap()
            .is_none()
        );
    }

    #[test]
    fn the_default_pin_is_the_last_allowed_cpu_of_several() {
        let status = |list: &str| format!("Name:\tx\nCpus_allowed_list:\t{list}\n");
        assert_eq!(last_allowed_cpu(&status("0-1")), Some(1));
        assert_eq!(last_allowed_cpu(&status("0,2-3")), Some(3));
        assert_eq!(last_allowed_cpu(&status("5")), None);
        assert_eq!(last_allowed_cpu(&status("x")), None);
        assert_eq!(last_allowed_cpu("Name: x\n"), None);
    }

    /// A benchmark that panics (its server exits) and one that never ends (no answer within the
    /// deadline; its server is killed) are named as failed; the others are measured.
    #[test]
    fn a_panicking_and_a_hung_benchmark_fail_alone() {
        let dir = tempfile::tempdir().unwrap();
        let mut bin = synthetic(dir.path());
        let script = SYNTHETIC.replace(
            "    prepare) echo",
            "    prepare) [ \"$arg\" = boom/1 ] && exit 101; [ \"$arg\" = hang/1 ] && exec sleep 600; echo",
        );
        std::fs::write(&bin.exe, script).unwrap();
        bin.ids = vec!["boom/1".to_owned(), "hang/1".to_owned(), "syn/1".to_owned()];
        let mut sides = sides(Vec::new());
        sides.head_binaries = vec![bin.clone()];
        sides.base_binaries = vec![bin];
        let design = Design {
            answer: Duration::from_millis(500),
            ..DESIGN
        };
        let began = Instant::now();
        let ids = ids();
        let timed = time(&sides, &ids, &design);
        assert!(
            began.elapsed() < Duration::from_secs(20),
            "{:?}",
            began.elapsed()
        );
        let measured: Vec<&str> = timed.head.iter().map(|b| b.id.as_str()).collect();
        assert_eq!(measured, ["syn/1"]);
        let failed: Vec<(&str, &str)> = timed
            .failed
            .iter()
            .map(|f| (f.id.as_str(), f.error.as_str()))
            .collect();
        assert_eq!(failed.len(), 2, "{failed:?}");
        assert_eq!(failed[0].0, "boom/1");
        assert!(failed[0].1.contains("stopped"), "{}", failed[0].1);
        assert_eq!(failed[1].0, "hang/1");
        assert!(failed[1].1.contains("gave no answer"), "{}", failed[1].1);
    }

    /// A budget already spent when the minimums are taken: every benchmark gets its minimum of
    /// pairs and no more, and those still undecided are marked as limited by it. Without a
    /// budget, none is, and the undecided ones get more pairs.
    #[test]
    fn a_spent_budget_gives_each_benchmark_its_minimum_and_names_the_undecided() {
        let dir = tempfile::tempdir().unwrap();
        let mut bin = synthetic(dir.path());
        let ids: Vec<String> = (1..=6).map(|i| format!("syn/{i}")).collect();
        bin.ids.clone_from(&ids);
        let mut sides = sides(Vec::new());
        sides.head_binaries = vec![bin.clone()];
        sides.base_binaries = vec![bin];
        let budget = TimeBudget::from_seconds(1).unwrap();
        let spent = Design {
            deadline: Some(Deadline {
                budget,
                started: Instant::now().checked_sub(Duration::from_secs(5)).unwrap(),
            }),
            ..DESIGN
        };
        let timed = time(&sides, &ids, &spent);
        assert_eq!(timed.paired.len(), ids.len());
        for bench in &timed.paired {
            let ratios: Vec<f64> = bench.pairs.iter().map(|p| p.log_ratio).collect();
            let c = compare_paired(&ratios, Thresholds::PAIRED, &PairedConfig::default()).unwrap();
            assert_eq!(bench.pairs.len(), DESIGN.min_pairs, "{}", bench.id);
            assert_eq!(bench.budget_limited, c.undecided(), "{}: {c:?}", bench.id);
        }
        // Without a budget, each stops as the design says: decided, or at its most pairs.
        for bench in &time(&sides, &ids, &DESIGN).paired {
            let ratios: Vec<f64> = bench.pairs.iter().map(|p| p.log_ratio).collect();
            let c = compare_paired(&ratios, Thresholds::PAIRED, &PairedConfig::default()).unwrap();
            assert!(!bench.budget_limited);
            assert!(bench.pairs.len() >= DESIGN.min_pairs, "{}", bench.id);
            assert!(
                !c.undecided() || bench.pairs.len() == DESIGN.max_pairs,
                "{}: {} pairs, {c:?}",
                bench.id,
                bench.pairs.len()
            );
        }
    }

    fn ids() -> Vec<String> {
        vec!["boom/1".to_owned(), "hang/1".to_owned(), "syn/1".to_owned()]
    }

    #[test]
    fn a_server_that_dies_is_an_error_naming_its_side() {
        let dir = tempfile::tempdir().unwrap();
        let mut bin = synthetic(dir.path());
        let dead = dir.path().join("dead-server");
        std::fs::write(&dead, "#!/bin/sh\necho '{\"protocol\":1}'\nexit 3\n").unwrap();
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&dead, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        let good = bin.clone();
        bin.exe = dead;
        let err = to_the_end(&sides(Vec::new()), "syn/1", &good, &bin).unwrap_err();
        assert!(
            format!("{err:#}").contains("head sample server stopped"),
            "{err:#}"
        );
    }
}
