//! One run of the benchmark suite: build, list, run criterion with perfmatrix's settings while
//! showing progress instead of criterion's chatter, then read every benchmark criterion measured
//! and tag it with the fingerprint of the machine and build.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, bail};
use perfmatrix_fingerprint::{Fingerprint, TargetTriple};
use perfmatrix_model::{
    BenchResult, BenchmarkId, FailedBench, Results, RunSettings, SampleSummary, Shard, Sharding,
    read_criterion_dir,
};
use perfmatrix_stats::Sample;

use crate::binaries::{BenchBinary, Build};
use crate::progress::{Logged, Progress};

/// Measurement settings of a full run: enough precision for 5%/10% thresholds (the run-to-run
/// noise, not the within-run sampling error, limits us; see docs/statistics.md), and no more.
pub(crate) const FULL: RunSettings = RunSettings {
    quick: false,
    filter: None,
    warm_up_seconds: 0.5,
    measurement_seconds: 2.0,
    sample_size: 50,
};

/// A smoke run: seconds, not minutes; labelled quick and never promotable.
pub(crate) const QUICK: RunSettings = RunSettings {
    quick: true,
    filter: None,
    warm_up_seconds: 0.1,
    measurement_seconds: 0.3,
    sample_size: 10,
};

/// What to run and where; [`Suite::build`] makes it a [`BuiltSuite`], which runs.
#[derive(Debug, Clone)]
pub(crate) struct Suite {
    /// The workspace root: cargo builds and lists there, and git names its revision.
    pub(crate) root: PathBuf,
    pub(crate) settings: RunSettings,
    /// `--target` for cross builds (run through the runner of `.cargo/config.toml`).
    pub(crate) target: Option<TargetTriple>,
    /// Where criterion writes this run's files (wiped first).
    pub(crate) criterion_home: PathBuf,
    /// Extra environment for the benchmark processes (the planted-slowdown knob).
    pub(crate) env: Vec<(String, String)>,
    /// The workspace's bench targets.
    pub(crate) benches: Vec<String>,
    /// Where plain criterion targets are built against perfmatrix's criterion layer, for their
    /// counts (`target/perfmatrix/head-target`, paired runs' head folder).
    pub(crate) layer_target: PathBuf,
    /// Only this shard of the benchmarks the filter selects (`--shard k/N`).
    pub(crate) shard: Option<ShardRequest>,
}

/// A suite whose benchmarks are built: what runs, is counted and is fingerprinted.
#[derive(Debug, Clone)]
pub(crate) struct BuiltSuite {
    pub(crate) suite: Suite,
    /// The bench targets' executables: what is counted.
    pub(crate) binaries: Vec<BenchBinary>,
    /// The fingerprint of the build, taken once for every run of it (machine, toolchain and
    /// revision do not change between its runs).
    pub(crate) fingerprint: Fingerprint,
}

impl Suite {
    fn cargo_bench(&self) -> Command {
        let mut cmd = Command::new(crate::cargo());
        cmd.current_dir(&self.root)
            .args(["bench", "--workspace", "--quiet"]);
        for bench in &self.benches {
            cmd.args(["--bench", bench]);
        }
        if let Some(target) = &self.target {
            cmd.args(["--target", target.as_str()]);
        }
        cmd.env("CRITERION_HOME", &self.criterion_home);
        cmd.envs(self.env.iter().map(|(k, v)| (k, v)));
        cmd
    }

    /// How the benchmarks are built.
    fn build_spec(&self) -> Build<'_> {
        Build {
            workspace: &self.root,
            target_dir: None,
            target: self.target.as_ref(),
            benches: &self.benches,
            label: "workspace's",
            dev: false,
        }
    }

    /// The command that builds the benchmarks without running them.
    pub(crate) fn build_command(&self) -> Command {
        self.build_spec().command()
    }

    /// Builds the benchmarks (cargo's own progress shown: it is the user's build), keeps their
    /// executables for counting and takes the fingerprint of the build.
    pub(crate) fn build(self) -> anyhow::Result<BuiltSuite> {
        let mut binaries = self.build_spec().run()?;
        self.count_plain_on_the_layer(&mut binaries)?;
        let fingerprint = crate::fingerprint::of_run(&self.root, self.target.as_ref(), &binaries)?;
        Ok(BuiltSuite {
            suite: self,
            binaries,
            fingerprint,
        })
    }

    /// Criterion times the suite here, but plain criterion targets are counted as built
    /// against perfmatrix's criterion layer: their executables in `binaries` are replaced by
    /// the layered ones (which answer the counting mode). Not for cross targets (their counts
    /// are unavailable anyway); where the layer cannot build them, their counts stay
    /// unavailable, and the build says why.
    fn count_plain_on_the_layer(&self, binaries: &mut [BenchBinary]) -> anyhow::Result<()> {
        if self.target.is_some() || binaries.iter().all(|b| b.on_harness) {
            return Ok(());
        }
        let crate::layer::Criterion::One(version) = crate::layer::criterion_of(&self.root) else {
            return Ok(());
        };
        let layer = crate::layer::Layer::write(&crate::paired::scratch_dir(&self.root), &version)?;
        let build = Build {
            target_dir: Some(&self.layer_target),
            ..self.build_spec()
        };
        match build.run_on_layer(&layer)? {
            Ok(layered) => {
                for binary in binaries.iter_mut().filter(|b| !b.on_harness) {
                    if let Some(on_layer) = layered.iter().find(|l| l.name == binary.name) {
                        *binary = on_layer.clone();
                    }
                }
            }
            Err(why) => eprintln!(
                "plain criterion benchmarks are not counted: perfmatrix's criterion layer \
                 cannot build them ({})",
                perfmatrix_report::layer_unusable(&why)
            ),
        }
        Ok(())
    }

    /// Ids criterion would run with this filter (`--list`).
    fn list(&self) -> anyhow::Result<Vec<String>> {
        let mut cmd = self.cargo_bench();
        cmd.arg("--").arg("--list");
        if let Some(filter) = &self.settings.filter {
            cmd.arg(filter);
        }
        let out = cmd
            .output()
            .context("cannot start `cargo bench -- --list`")?;
        if !out.status.success() {
            bail!(
                "listing the benchmarks failed ({}):\n{}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            );
        }
        Ok(crate::binaries::criterion_list(&String::from_utf8_lossy(
            &out.stdout,
        )))
    }
}

impl BuiltSuite {
    /// The same build run with other `settings` (a re-measurement of some benchmarks).
    pub(crate) fn with_settings(&self, settings: RunSettings) -> Self {
        Self {
            suite: Suite {
                settings,
                // The settings' filter names exactly what to measure again.
                shard: None,
                ..self.suite.clone()
            },
            ..self.clone()
        }
    }

    /// Times the suite once, then counts every benchmark it timed: a run's measurement.
    pub(crate) fn measure(&self, label: &str) -> anyhow::Result<Results> {
        let mut results = self.run(label)?;
        self.count(&mut results, label)?;
        Ok(results)
    }

    /// Times the suite once (no counts) and returns its results.
    pub(crate) fn run(&self, label: &str) -> anyhow::Result<Results> {
        let suite = &self.suite;
        if suite.benches.is_empty() {
            bail!("the workspace has no bench targets ([[bench]] in a Cargo.toml)");
        }
        let mut ids = suite.list()?;
        if ids.is_empty() {
            match &suite.settings.filter {
                Some(f) => bail!("no benchmark id matches the filter `{f}`"),
                None => bail!("the workspace has no benchmarks"),
            }
        }
        let sharding = suite
            .shard
            .as_ref()
            .map(|request| shard_of(&ids, request))
            .transpose()?;
        if let Some(sharding) = &sharding {
            ids = sharding.mine().map(ToString::to_string).collect();
        }
        if suite.criterion_home.exists() {
            std::fs::remove_dir_all(&suite.criterion_home)
                .with_context(|| format!("cannot clear {}", suite.criterion_home.display()))?;
        }
        let s = &suite.settings;
        let filter = match &sharding {
            Some(_) => Some(crate::verdict::exactly(&ids)),
            None => s.filter.clone(),
        };
        let failed = if ids.is_empty() {
            // A shard the plan gave nothing (more shards than benchmarks).
            Vec::new()
        } else {
            run_to_the_end(
                &ids,
                label,
                crate::server::answer_deadline()?,
                filter,
                |filter| {
                    let mut cmd = suite.cargo_bench();
                    cmd.arg("--").args([
                        "--noplot",
                        "--warm-up-time",
                        &s.warm_up_seconds.to_string(),
                        "--measurement-time",
                        &s.measurement_seconds.to_string(),
                        "--sample-size",
                        &s.sample_size.to_string(),
                        // perfmatrix does its own statistics; criterion's analysis only costs time.
                        "--nresamples",
                        "1000",
                    ]);
                    cmd.args(filter);
                    cmd
                },
                || finished_ids(&suite.criterion_home),
            )?
        };
        let measured = measured_in(&suite.criterion_home)?;
        let benchmarks = measured
            .into_iter()
            .map(|b| {
                let samples_ns = Sample::new(b.per_iteration_ns).with_context(|| {
                    format!(
                        "criterion's samples of `{}` in {}",
                        b.id,
                        b.source.display()
                    )
                })?;
                Ok(BenchResult {
                    id: b.id,
                    throughput: b.throughput,
                    summary: SampleSummary::of(&samples_ns),
                    samples_ns,
                    counts: None,
                    seconds: Some(b.sampled_ns / 1e9),
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        let finished = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let mut results = Results::new(self.fingerprint.clone(), s.clone(), finished, benchmarks);
        results.failed = failed;
        results.sharding = sharding;
        Ok(results)
    }

    /// Counts the instructions and peak memory of one call of every benchmark in `results`
    /// (`crate::counts`) and attaches them. Runs after the timing, never during it: the counting
    /// runs would disturb the measurement, while counts do not mind the load.
    fn count(&self, results: &mut Results, label: &str) -> anyhow::Result<()> {
        let start = Instant::now();
        let ids: Vec<String> = results
            .benchmarks
            .iter()
            .map(|b| b.id.to_string())
            .collect();
        let mut metrics = crate::counts::measure(
            self.suite.target.as_ref(),
            &self.binaries,
            &ids,
            &self.suite.env,
        )?;
        for bench in &mut results.benchmarks {
            bench.counts = metrics.counts.remove(bench.id.as_str());
        }
        // A benchmark whose counting run failed failed: it has no verdict, as if its timing had.
        results
            .benchmarks
            .retain(|b| !metrics.failed.iter().any(|f| f.id == b.id));
        for failed in &metrics.failed {
            let _ = writeln!(
                std::io::stderr().lock(),
                "{label}{}: FAILED: {}",
                failed.id,
                failed.error
            );
        }
        let failed = metrics.failed.len();
        results.failed.extend(metrics.failed);
        let unavailable = results
            .benchmarks
            .iter()
            .find_map(|b| b.counts.as_ref()?.instructions.why());
        let _ = writeln!(
            std::io::stderr().lock(),
            "{label}instructions and peak memory of {} benchmarks in {:.0} s{}{}",
            ids.len() - failed,
            start.elapsed().as_secs_f64(),
            crate::progress::failed_text(failed),
            unavailable
                .map(|why| {
                    format!(
                        " (instructions unavailable: {})",
                        perfmatrix_report::unmeasured(why)
                    )
                })
                .unwrap_or_default()
        );
        Ok(())
    }
}

/// The plan of `ids` (every benchmark the run selects) for `shard`'s count of shards, and which
/// shard this run is. Every shard job lists the same build, so every one plans alike.
pub(crate) fn shard_of(ids: &[String], request: &ShardRequest) -> anyhow::Result<Sharding> {
    let ids = ids
        .iter()
        .map(|id| BenchmarkId::new(id.clone()))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Sharding {
        shard: request.shard,
        plan: perfmatrix_model::plan(
            &ids,
            |id| request.durations.get(id).copied(),
            request.shard.count(),
        ),
    })
}

/// The shard a run measures, and what each benchmark weighs in the plan every shard makes alike.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ShardRequest {
    pub(crate) shard: Shard,
    /// Seconds per benchmark, as a history recorded them (`bench --durations-from`); a
    /// benchmark without one weighs the median of the others, and with none all weigh alike.
    pub(crate) durations: std::collections::BTreeMap<BenchmarkId, f64>,
}

/// `results`, unless a benchmark failed in them: `what` (a baseline recording, an experiment)
/// needs every benchmark.
pub(crate) fn every_benchmark(results: Results, what: &str) -> anyhow::Result<Results> {
    if results.failed.is_empty() {
        return Ok(results);
    }
    let named: Vec<String> = results
        .failed
        .iter()
        .map(|f| format!("`{}`: {}", f.id, f.error))
        .collect();
    bail!(
        "{what} needs every benchmark, and {} failed:\n{}",
        named.len(),
        named.join("\n")
    )
}

/// Runs criterion (`command`, given the filter) until every benchmark of `ids` has finished or
/// failed: a benchmark that panics or never ends is named as failed, and criterion runs again
/// over the benchmarks not `finished` yet, so the others still get their verdicts. Returns the
/// failed ones; an interrupt, or a failure that names no benchmark, is an error.
fn run_to_the_end(
    ids: &[String],
    label: &str,
    deadline: Option<std::time::Duration>,
    mut filter: Option<String>,
    command: impl Fn(Option<&str>) -> Command,
    finished: impl Fn() -> anyhow::Result<std::collections::HashSet<String>>,
) -> anyhow::Result<Vec<FailedBench>> {
    let mut failed: Vec<FailedBench> = Vec::new();
    let mut left = ids.to_vec();
    loop {
        let ended = run_with_progress(command(filter.as_deref()), &left, label, deadline)?;
        let done = finished()?;
        match ended {
            Ended::Finished => return Ok(failed),
            Ended::Stopped {
                during: Some(id),
                error,
            } if !done.contains(&id) && left.contains(&id) => {
                let _ = writeln!(
                    std::io::stderr().lock(),
                    "{label}the benchmark `{id}` failed (why: at the end); measuring the others"
                );
                failed.push(FailedBench {
                    id: BenchmarkId::new(id.clone()).with_context(|| {
                        format!("criterion announced a benchmark `{id}` it cannot be")
                    })?,
                    error,
                });
            }
            Ended::Stopped { error, .. } => bail!("{error}"),
        }
        left.retain(|id| !done.contains(id) && failed.iter().all(|f| f.id.as_str() != id));
        if left.is_empty() {
            return Ok(failed);
        }
        filter = Some(crate::verdict::exactly(&left));
    }
}

/// What criterion measured in `home`: nothing when it made no folder there (a shard the plan
/// gave no benchmark, or a run whose every benchmark failed).
fn measured_in(home: &Path) -> anyhow::Result<Vec<perfmatrix_model::CriterionBenchmark>> {
    if !home.exists() {
        return Ok(Vec::new());
    }
    Ok(read_criterion_dir(home)?)
}

/// The ids of the benchmarks criterion has finished in `home` (none while it has none).
fn finished_ids(home: &Path) -> anyhow::Result<std::collections::HashSet<String>> {
    Ok(measured_in(home)?
        .into_iter()
        .map(|b| b.id.to_string())
        .collect())
}

/// How one `cargo bench` ended.
#[derive(Debug)]
enum Ended {
    /// It exited successfully.
    Finished,
    /// It failed, or was stopped after a silence past the deadline, while measuring `during`
    /// (the last benchmark criterion announced, if any).
    Stopped {
        during: Option<String>,
        error: String,
    },
}

/// The last lines of a captured output: enough to show a panic's message and place.
fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// Runs criterion with its output captured, printing one progress line per benchmark to stderr
/// (criterion announces each with `Benchmarking <id>` on its stderr). `cargo bench` runs in a
/// process group of its own, which is killed whole when it is stopped: a benchmark that never
/// ends must not keep spinning on a core once cargo is gone. An interrupt is an error; a
/// failure or a silence past the deadline says which benchmark it happened in, with the
/// captured output.
fn run_with_progress(
    mut cmd: Command,
    ids: &[String],
    label: &str,
    deadline: Option<std::time::Duration>,
) -> anyhow::Result<Ended> {
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("cannot start `cargo bench`")?;
    let group = ProcessGroup(child.id());
    let stdout = child.stdout.take().context("no stdout pipe")?;
    let stdout_thread = std::thread::spawn(move || {
        let mut text = String::new();
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            text.push_str(&line);
            text.push('\n');
        }
        text
    });
    let mut captured = String::new();
    let mut current: Option<String> = None;
    let mut begun = 0;
    let mut progress = Progress::new(label, ids.len(), Logged::Begins);
    let stderr = child.stderr.take().context("no stderr pipe")?;
    let (send, lines) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if send.send(line).is_err() {
                return;
            }
        }
    });
    let mut silence = Silence::new(deadline);
    loop {
        let line = match lines.recv_timeout(std::time::Duration::from_millis(100)) {
            Ok(line) => line,
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                if let Err(err) = crate::interrupt::check() {
                    group.kill(&mut child);
                    progress.finish();
                    return Err(err);
                }
                if let Some(quiet) = silence.overrun() {
                    group.kill(&mut child);
                    progress.finish();
                    return Ok(Ended::Stopped {
                        error: format!(
                            "`cargo bench` printed nothing for {quiet:.0} s{}, so it was stopped \
                             (a benchmark that never ends? PERFMATRIX_ANSWER_SECONDS sets the \
                             deadline); its last output:\n{}",
                            current
                                .as_deref()
                                .map(|id| format!(" while measuring `{id}`"))
                                .unwrap_or_default(),
                            tail(&captured, 20)
                        ),
                        during: current,
                    });
                }
                continue;
            }
        };
        silence.heard(&line);
        captured.push_str(&line);
        captured.push('\n');
        let Some(rest) = line.strip_prefix("Benchmarking ") else {
            continue;
        };
        let id = rest.split(": ").next().unwrap_or(rest).trim().to_owned();
        if current.as_deref() != Some(id.as_str()) {
            // The benchmarks before this one are finished.
            progress.begins(begun, &id);
            begun += 1;
            current = Some(id);
        }
    }
    let status = child.wait().context("waiting for `cargo bench`")?;
    // Whatever it left behind (a benchmark's own children) goes with it.
    group.kill(&mut child);
    let stdout_text = stdout_thread.join().unwrap_or_default();
    progress.finish();
    if !status.success() {
        return Ok(Ended::Stopped {
            error: format!(
                "`cargo bench` failed ({status}){}; its last output:\n{}",
                current
                    .as_deref()
                    .map(|id| format!(" while measuring `{id}`"))
                    .unwrap_or_default(),
                tail(&format!("{stdout_text}{captured}"), 20)
            ),
            during: current,
        });
    }
    progress.line(&format!(
        "{} benchmarks in {:.0} s",
        ids.len(),
        progress.elapsed()
    ));
    Ok(Ended::Finished)
}

/// The process group `cargo bench` leads (its id is the child's).
#[derive(Debug, Clone, Copy)]
struct ProcessGroup(u32);

impl ProcessGroup {
    /// Kills every process of the group (on Unix; elsewhere the child alone) and reaps the
    /// child.
    fn kill(self, child: &mut std::process::Child) {
        #[cfg(unix)]
        if let Ok(pid) = i32::try_from(self.0) {
            // The group may be gone already: nothing to kill then.
            let _ = nix::sys::signal::killpg(
                nix::unistd::Pid::from_raw(pid),
                nix::sys::signal::Signal::SIGKILL,
            );
        }
        let _ = child.kill();
        let _ = child.wait();
    }
}

/// How long criterion may stay silent: the deadline, or twice the time it announced for its
/// samples (`Collecting 100 samples in estimated 5.2 s`) plus the deadline, whichever is longer.
#[derive(Debug)]
struct Silence {
    deadline: std::time::Duration,
    allowed: std::time::Duration,
    since: Instant,
}

impl Silence {
    fn new(deadline: Option<std::time::Duration>) -> Self {
        let deadline = deadline.unwrap_or(crate::server::ANSWER_DEADLINE);
        Self {
            deadline,
            allowed: deadline,
            since: Instant::now(),
        }
    }

    /// A line of criterion's: the silence starts again, as long as the line allows.
    fn heard(&mut self, line: &str) {
        self.since = Instant::now();
        self.allowed = self.deadline;
        if let Some(estimate) = line
            .split("in estimated ")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|s| s.parse::<f64>().ok())
            .filter(|s| s.is_finite() && *s >= 0.0)
        {
            self.allowed += std::time::Duration::from_secs_f64(2.0 * estimate.min(1e6));
        }
    }

    /// How long it has been silent, once that is past what is allowed.
    fn overrun(&self) -> Option<f64> {
        let quiet = self.since.elapsed();
        (quiet > self.allowed).then_some(quiet.as_secs_f64())
    }
}

/// Default criterion home of a run, inside the target folder.
pub(crate) fn criterion_home(target_dir: &Path, label: &str) -> PathBuf {
    target_dir
        .join("perfmatrix")
        .join(format!("criterion-{label}"))
}

#[cfg(test)]
mod tests {
    /// The recorded durations reach the plan: where equal weights split ten benchmarks five
    /// and five, the shard given one that took as long as the nine others together holds fewer.
    #[test]
    fn recorded_durations_weigh_the_shards() {
        use perfmatrix_model::{BenchmarkId, Shard};
        let ids: Vec<String> = (0..10).map(|i| format!("sum/{i}")).collect();
        let alike = super::ShardRequest {
            shard: Shard::new(1, 2).unwrap(),
            durations: std::collections::BTreeMap::new(),
        };
        let plan = super::shard_of(&ids, &alike).unwrap();
        assert_eq!(plan.of(1).count(), 5);
        let heavy = BenchmarkId::new("sum/3".to_owned()).unwrap();
        let weighed = super::ShardRequest {
            durations: ids
                .iter()
                .map(|id| {
                    let id = BenchmarkId::new(id.clone()).unwrap();
                    let seconds = if id == heavy { 90.0 } else { 10.0 };
                    (id, seconds)
                })
                .collect(),
            ..alike
        };
        let plan = super::shard_of(&ids, &weighed).unwrap();
        let with_heavy = if plan.of(1).any(|id| *id == heavy) {
            1
        } else {
            2
        };
        // Each shard carries at most half the seconds plus one benchmark's (the plan's promise).
        assert!(plan.of(with_heavy).count() < 5);
        assert!(plan.of(3 - with_heavy).count() > 5);
    }

    #[test]
    fn criterions_announced_sample_time_lengthens_the_silence_allowed() {
        let mut silence = super::Silence::new(Some(std::time::Duration::from_secs(10)));
        silence.heard(
            "Benchmarking sum/100: Collecting 100 samples in estimated 30.5 s (5050 iterations)",
        );
        assert_eq!(silence.allowed, std::time::Duration::from_secs(71));
        silence.heard("Benchmarking sum/100: Analyzing");
        assert_eq!(silence.allowed, std::time::Duration::from_secs(10));
        assert!(silence.overrun().is_none());
    }

    /// A benchmark that never ends is stopped once criterion has been silent past the deadline,
    /// and the stop names it.
    #[test]
    fn a_silent_criterion_run_is_stopped_naming_its_benchmark() {
        let mut cmd = std::process::Command::new("sh");
        cmd.args([
            "-c",
            "echo 'Benchmarking hang/1: Warming up' >&2; exec sleep 600",
        ]);
        let began = std::time::Instant::now();
        let ended = super::run_with_progress(
            cmd,
            &["hang/1".to_owned()],
            "",
            Some(std::time::Duration::from_millis(500)),
        )
        .unwrap();
        assert!(began.elapsed() < std::time::Duration::from_secs(10));
        let super::Ended::Stopped { during, error } = ended else {
            panic!("not stopped: {ended:?}");
        };
        assert_eq!(during.as_deref(), Some("hang/1"));
        assert!(error.contains("while measuring `hang/1`"), "{error}");
    }

    /// A shard the plan gave no benchmark runs nothing, so criterion makes no folder: that is
    /// no measurement, not an error (a committed run of shard 3/64 of five benchmarks stopped
    /// with "cannot read …/criterion-bench-…").
    #[test]
    fn no_criterion_folder_is_nothing_measured() {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("criterion-bench-x");
        assert!(super::measured_in(&home).unwrap().is_empty());
        assert!(super::finished_ids(&home).unwrap().is_empty());
    }

    /// A stand-in for `cargo bench` over five benchmarks: it runs those its filter (a regex,
    /// the last argument, in grep's dialect) matches, in order, leaving a file per finished one in its folder;
    /// `hang/1` never ends, in a child of its own whose pid it writes down (as a benchmark
    /// binary under cargo would), and `boom/1` exits as a panic does.
    const FAKE_CRITERION: &str = r#"
dir="$1"; filter="$(printf '%s' "${2:-.}" | sed 's/(?:/(/g')"
for id in a/1 hang/1 b/1 boom/1 c/1; do
  printf '%s\n' "$id" | grep -Eq -- "$filter" || continue
  echo "Benchmarking $id: Warming up" >&2
  case "$id" in
    hang/1) sleep 600 & echo $! > "$dir/hang.pid"; wait; exit 0 ;;
    boom/1) echo "thread 'main' panicked at benches/b.rs:3:5: boom" >&2; exit 101 ;;
  esac
  touch "$dir/done-$(printf '%s' "$id" | tr / _)"
done
"#;

    fn alive(pid: &str) -> bool {
        std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .is_ok_and(|stat| stat.split_whitespace().nth(2).is_none_or(|s| s != "Z"))
    }

    /// Committed mode (issue 22, items 4 and 6): a benchmark that hangs and one that panics are
    /// named as failed, every other benchmark is still measured, and the hung one's own child
    /// process is killed with `cargo bench` rather than left spinning.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_hung_and_a_panicking_benchmark_fail_alone_and_nothing_is_left_running() {
        let dir = tempfile::tempdir().unwrap();
        let script = dir.path().join("criterion.sh");
        std::fs::write(&script, FAKE_CRITERION).unwrap();
        let ids: Vec<String> = ["a/1", "hang/1", "b/1", "boom/1", "c/1"]
            .map(str::to_owned)
            .to_vec();
        let began = std::time::Instant::now();
        let failed = super::run_to_the_end(
            &ids,
            "",
            Some(std::time::Duration::from_millis(500)),
            None,
            |filter| {
                let mut cmd = std::process::Command::new("sh");
                cmd.arg(&script).arg(dir.path()).args(filter);
                cmd
            },
            || {
                Ok(std::fs::read_dir(dir.path())?
                    .filter_map(|e| {
                        let name = e.ok()?.file_name().into_string().ok()?;
                        Some(name.strip_prefix("done-")?.replace('_', "/"))
                    })
                    .collect())
            },
        )
        .unwrap();
        assert!(began.elapsed() < std::time::Duration::from_secs(20));
        let named: Vec<&str> = failed.iter().map(|f| f.id.as_str()).collect();
        assert_eq!(named, ["hang/1", "boom/1"]);
        assert!(
            failed[0].error.contains("printed nothing"),
            "{}",
            failed[0].error
        );
        assert!(
            failed[1].error.contains("panicked at"),
            "{}",
            failed[1].error
        );
        for id in ["a_1", "b_1", "c_1"] {
            assert!(
                dir.path().join(format!("done-{id}")).exists(),
                "{id} not measured"
            );
        }
        let pid = std::fs::read_to_string(dir.path().join("hang.pid")).unwrap();
        let pid = pid.trim();
        let stop = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while alive(pid) && std::time::Instant::now() < stop {
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        assert!(
            !alive(pid),
            "the hung benchmark's child {pid} is still running"
        );
    }
}
