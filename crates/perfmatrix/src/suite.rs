//! One run of the benchmark suite: build, list, run criterion with perfmatrix's settings while
//! showing progress instead of criterion's chatter, then read every benchmark criterion measured
//! and tag it with the fingerprint of the machine and build.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, bail};
use perfmatrix_fingerprint::Fingerprint;
use perfmatrix_model::{BenchResult, Results, RunSettings, SampleSummary, read_criterion_dir};
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
    pub(crate) target: Option<String>,
    /// Where criterion writes this run's files (wiped first).
    pub(crate) criterion_home: PathBuf,
    /// Extra environment for the benchmark processes (the planted-slowdown knob).
    pub(crate) env: Vec<(String, String)>,
    /// The workspace's bench targets.
    pub(crate) benches: Vec<String>,
    /// Where plain criterion targets are built against perfmatrix's criterion layer, for their
    /// counts (`target/perfmatrix/head-target`, paired runs' head folder).
    pub(crate) layer_target: PathBuf,
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
            cmd.args(["--target", target]);
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
            target: self.target.as_deref(),
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
        let fingerprint =
            crate::fingerprint::of_run(&self.root, self.target.as_deref(), &binaries)?;
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
            Err(reason) => eprintln!(
                "plain criterion benchmarks are not counted: perfmatrix's criterion layer \
                 cannot build them ({reason})"
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
        let ids = suite.list()?;
        if ids.is_empty() {
            match &suite.settings.filter {
                Some(f) => bail!("no benchmark id matches the filter `{f}`"),
                None => bail!("the workspace has no benchmarks"),
            }
        }
        if suite.criterion_home.exists() {
            std::fs::remove_dir_all(&suite.criterion_home)
                .with_context(|| format!("cannot clear {}", suite.criterion_home.display()))?;
        }
        let s = &suite.settings;
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
        if let Some(filter) = &s.filter {
            cmd.arg(filter);
        }
        run_with_progress(cmd, &ids, label, crate::server::answer_deadline()?)?;
        let measured = read_criterion_dir(&suite.criterion_home)?;
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
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        let finished = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Ok(Results::new(
            self.fingerprint.clone(),
            s.clone(),
            finished,
            benchmarks,
        ))
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
            self.suite.target.as_deref(),
            &self.binaries,
            &ids,
            &self.suite.env,
        )?;
        for bench in &mut results.benchmarks {
            bench.counts = metrics.remove(bench.id.as_str());
        }
        let unavailable = results
            .benchmarks
            .iter()
            .find_map(|b| b.counts.as_ref()?.instructions.reason());
        let _ = writeln!(
            std::io::stderr().lock(),
            "{label}instructions and peak memory of {} benchmarks in {:.0} s{}",
            ids.len(),
            start.elapsed().as_secs_f64(),
            unavailable
                .map(|r| format!(" (instructions unavailable: {r})"))
                .unwrap_or_default()
        );
        Ok(())
    }
}

/// Runs criterion with its output captured, printing one progress line per benchmark to stderr
/// (criterion announces each with `Benchmarking <id>` on its stderr); on failure prints the
/// captured output so nothing is lost.
fn run_with_progress(
    mut cmd: Command,
    ids: &[String],
    label: &str,
    deadline: Option<std::time::Duration>,
) -> anyhow::Result<()> {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("cannot start `cargo bench`")?;
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
                let stop = match crate::interrupt::check() {
                    Err(err) => Some(err),
                    Ok(()) => silence.overrun().map(|quiet| {
                        anyhow::anyhow!(
                            "`cargo bench` printed nothing for {quiet:.0} s{}, so it was stopped \
                             (a benchmark that never ends? PERFMATRIX_ANSWER_SECONDS sets the \
                             deadline); its output:\n{captured}",
                            current
                                .as_deref()
                                .map(|id| format!(" while measuring `{id}`"))
                                .unwrap_or_default()
                        )
                    }),
                };
                if let Some(err) = stop {
                    let _ = child.kill();
                    let _ = child.wait();
                    progress.finish();
                    return Err(err);
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
    let stdout_text = stdout_thread.join().unwrap_or_default();
    progress.finish();
    if !status.success() {
        bail!("`cargo bench` failed ({status}); its output:\n{stdout_text}{captured}");
    }
    progress.line(&format!(
        "{} benchmarks in {:.0} s",
        ids.len(),
        progress.elapsed()
    ));
    Ok(())
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
    /// and the error names it.
    #[test]
    fn a_silent_criterion_run_is_stopped_naming_its_benchmark() {
        let mut cmd = std::process::Command::new("sh");
        cmd.args([
            "-c",
            "echo 'Benchmarking hang/1: Warming up' >&2; exec sleep 600",
        ]);
        let began = std::time::Instant::now();
        let err = super::run_with_progress(
            cmd,
            &["hang/1".to_owned()],
            "",
            Some(std::time::Duration::from_millis(500)),
        )
        .unwrap_err();
        assert!(began.elapsed() < std::time::Duration::from_secs(10));
        let err = format!("{err:#}");
        assert!(err.contains("while measuring `hang/1`"), "{err}");
    }
}
