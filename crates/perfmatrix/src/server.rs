//! perfmatrix's side of the harness's sample server (`--perfmatrix-serve`, the line protocol of
//! `perfmatrix_harness::serve`): start one, prepare a benchmark, time samples, stop it.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use crate::binaries::BenchBinary;

/// How long a benchmark process may stay silent (a server's answer, criterion's next line)
/// before it is taken for hung, unless `PERFMATRIX_ANSWER_SECONDS` says otherwise.
pub(crate) const ANSWER_DEADLINE: Duration = Duration::from_secs(120);

/// How often a wait for an answer looks at the interrupt flag.
const POLL: Duration = Duration::from_millis(100);

/// A running sample server.
#[derive(Debug)]
pub(crate) struct Server {
    child: Child,
    stdin: ChildStdin,
    /// The server's stdout, line by line, read by a thread of its own: a wait for an answer has
    /// a deadline and stops at an interrupt, whatever the server does.
    lines: Receiver<std::io::Result<String>>,
    /// Which side it serves, for messages (`base 1a2b3c4d`, `head`).
    label: String,
    deadline: Duration,
}

/// The deadline of one answer that `PERFMATRIX_ANSWER_SECONDS` sets (a positive number of
/// seconds), if it is set.
pub(crate) fn answer_deadline() -> anyhow::Result<Option<Duration>> {
    match std::env::var("PERFMATRIX_ANSWER_SECONDS") {
        Err(_) => Ok(None),
        Ok(v) => v
            .parse::<f64>()
            .ok()
            .filter(|s| s.is_finite() && *s > 0.0)
            .map(|s| Some(Duration::from_secs_f64(s)))
            .with_context(|| {
                format!("PERFMATRIX_ANSWER_SECONDS is `{v}`, not a positive number of seconds")
            }),
    }
}

impl Server {
    /// Starts `binary` as a server, with `env` added and, when `pin` is set, bound to that CPU
    /// (`taskset`); waits for its greeting. Each answer must come within `deadline`
    /// (`PERFMATRIX_ANSWER_SECONDS` overrides it), else the server is stopped.
    ///
    /// A native binary starts as `./<name>` from its own folder, with only the `PERFMATRIX_*`
    /// variables of this environment and `env`: the process copies its arguments and reads
    /// its variables onto the heap, so the length of its path (base builds live deeper in
    /// `target/`) or of one variable would move every later allocation, and with it the
    /// alignment of the benchmark's buffers, for the whole life of one side's processes. That
    /// gave a systematic −0.4% (decay/10000) and +0.4% (decay/1000) between two builds of one
    /// commit (docs/statistics.md, "Paired mode").
    pub(crate) fn start(
        binary: &BenchBinary,
        env: &[(String, String)],
        pin: Option<usize>,
        label: &str,
        deadline: Duration,
    ) -> anyhow::Result<Self> {
        let mut cmd = if binary.target.is_some() {
            binary.command(&["--perfmatrix-serve"])
        } else {
            let (dir, name) = match (binary.exe.parent(), binary.exe.file_name()) {
                (Some(dir), Some(name)) => (dir, std::path::Path::new(".").join(name)),
                _ => bail!(
                    "the bench binary's path {} has no folder",
                    binary.exe.display()
                ),
            };
            let mut cmd = match pin {
                Some(cpu) => {
                    let mut cmd = std::process::Command::new("taskset");
                    cmd.args(["-c", &cpu.to_string()]).arg(&name);
                    cmd
                }
                None => std::process::Command::new(&name),
            };
            cmd.arg("--perfmatrix-serve")
                .current_dir(dir)
                .env_clear()
                .envs(
                    std::env::vars_os()
                        .filter(|(k, _)| k.to_string_lossy().starts_with("PERFMATRIX_")),
                );
            cmd
        };
        let mut child = cmd
            .envs(env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .with_context(|| {
                format!(
                    "cannot start the {label} sample server {}",
                    binary.exe.display()
                )
            })?;
        let stdin = child.stdin.take().context("the server has no stdin")?;
        let stdout = BufReader::new(child.stdout.take().context("the server has no stdout")?);
        let (send, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in stdout.lines() {
                if send.send(line).is_err() {
                    return;
                }
            }
        });
        let mut server = Self {
            child,
            stdin,
            lines,
            label: label.to_owned(),
            deadline: answer_deadline()?.unwrap_or(deadline),
        };
        let hello = server.read_line()?;
        if hello["protocol"] != perfmatrix_harness::PROTOCOL {
            bail!(
                "the {label} sample server speaks protocol {}, this perfmatrix {}",
                hello["protocol"],
                perfmatrix_harness::PROTOCOL
            );
        }
        Ok(server)
    }

    /// The next answer line, within the deadline; an interrupt or a hung server kills it.
    fn read_line(&mut self) -> anyhow::Result<serde_json::Value> {
        let began = Instant::now();
        let line = loop {
            match self.lines.recv_timeout(POLL) {
                Ok(line) => {
                    break line.with_context(|| {
                        format!("reading from the {} sample server", self.label)
                    })?;
                }
                Err(RecvTimeoutError::Disconnected) => {
                    let status = self.child.wait().ok();
                    bail!(
                        "the {} sample server stopped{} (its messages are above)",
                        self.label,
                        status.map(|s| format!(" ({s})")).unwrap_or_default()
                    );
                }
                Err(RecvTimeoutError::Timeout) => {
                    if let Err(err) = crate::interrupt::check() {
                        self.kill();
                        return Err(err);
                    }
                    if began.elapsed() > self.deadline {
                        self.kill();
                        bail!(
                            "the {} sample server gave no answer in {:.1} s, so it was stopped \
                             (a benchmark that never ends? PERFMATRIX_ANSWER_SECONDS sets the \
                             deadline)",
                            self.label,
                            self.deadline.as_secs_f64()
                        );
                    }
                }
            }
        };
        serde_json::from_str(&line).with_context(|| {
            format!(
                "the {} sample server answered {:?}, not a JSON line",
                self.label,
                line.trim_end()
            )
        })
    }

    /// Sends one request and returns its answer; an `error` answer is an error.
    fn request(&mut self, request: &str) -> anyhow::Result<serde_json::Value> {
        crate::interrupt::check()?;
        if let Err(err) = writeln!(self.stdin, "{request}").and_then(|()| self.stdin.flush()) {
            let status = self.child.wait().ok();
            bail!(
                "the {} sample server stopped{} before `{request}` ({err}; its messages are above)",
                self.label,
                status.map(|s| format!(" ({s})")).unwrap_or_default()
            );
        }
        let answer = self.read_line()?;
        if let Some(error) = answer["error"].as_str() {
            bail!(
                "the {} sample server refused `{request}`: {error}",
                self.label
            );
        }
        Ok(answer)
    }

    /// Prepares `id` (its state is built, untimed).
    pub(crate) fn prepare(&mut self, id: &str) -> anyhow::Result<()> {
        let answer = self.request(&format!("prepare {id}"))?;
        if answer["prepared"] != id {
            bail!(
                "the {} sample server prepared {} instead of `{id}`",
                self.label,
                answer["prepared"]
            );
        }
        Ok(())
    }

    /// Wall time of `iters` calls, in nanoseconds (at least 1).
    pub(crate) fn time(&mut self, iters: u64) -> anyhow::Result<f64> {
        let answer = self.request(&format!("time {iters}"))?;
        let ns = answer["ns"].as_u64().with_context(|| {
            format!(
                "the {} sample server answered `time` with {answer}",
                self.label
            )
        })?;
        Ok(ns.max(1) as f64)
    }

    /// What the benchmarked code dispatched to.
    pub(crate) fn dispatch(&mut self) -> anyhow::Result<BTreeMap<String, String>> {
        let answer = self.request("dispatch")?;
        Ok(answer["dispatch"]
            .as_object()
            .map(|m| {
                m.iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
                    .collect()
            })
            .unwrap_or_default())
    }
}

impl Server {
    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = writeln!(self.stdin, "quit").and_then(|()| self.stdin.flush());
        // A server that does not stop at once (it may be mid-sample after an error) is killed.
        for _ in 0..50 {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
