//! Running several child processes at once: the one place perfmatrix starts an async runtime
//! (tokio) to wait on children side by side.

use std::num::NonZeroUsize;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use anyhow::Context as _;

/// How many children [`run_all`] runs at once.
#[derive(Debug, Clone, Copy)]
pub(crate) enum AtOnce {
    /// One per core of this machine (work that competes for the cores: counting runs).
    PerCore,
    /// All of them (work that waits mostly on something else, or serialises itself: cargo
    /// builds, which share the target folder's lock).
    All,
}

/// How long a child may print nothing on its standard output before it is taken for hung: it is
/// then killed, with every process it started (it runs in a process group of its own), and its
/// output so far is returned with the status of the kill and a last line on its stderr saying
/// so. `None`: no limit (cargo builds, which print on stderr and end by themselves).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Quiet(pub(crate) Duration);

/// What a child stopped by its [`Quiet`] limit has as its last line of stderr.
fn stopped_line(quiet: Quiet) -> String {
    format!(
        "\nperfmatrix: printed nothing for {:.0} s, so it was stopped (a call that never ends? \
         counting runs may stay silent ten times PERFMATRIX_ANSWER_SECONDS)\n",
        quiet.0.as_secs_f64()
    )
}

/// Runs `commands` (stdin closed), at most `at_once` of them at a time, and returns their
/// outputs in the order of `commands`. `what` names them in errors (`the counting runs`); a
/// child silent for longer than `quiet` is stopped.
pub(crate) fn run_all(
    commands: Vec<Command>,
    at_once: AtOnce,
    what: &str,
    quiet: Option<Quiet>,
) -> anyhow::Result<Vec<std::io::Result<Output>>> {
    run_all_fed(
        commands.into_iter().map(|c| (c, Vec::new())).collect(),
        at_once,
        what,
        quiet,
    )
}

/// [`run_all`], each command given its bytes on standard input (closed after them; closed at
/// once when there are none). The bytes are written while the output is read, so a child may
/// answer before it has read them all.
pub(crate) fn run_all_fed(
    commands: Vec<(Command, Vec<u8>)>,
    at_once: AtOnce,
    what: &str,
    quiet: Option<Quiet>,
) -> anyhow::Result<Vec<std::io::Result<Output>>> {
    let limit = match at_once {
        AtOnce::PerCore => std::thread::available_parallelism().map_or(1, NonZeroUsize::get),
        AtOnce::All => commands.len(),
    }
    .max(1);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .with_context(|| format!("cannot start the async runtime for {what}"))?;
    runtime.block_on(async move {
        let mut outputs: Vec<Option<std::io::Result<Output>>> =
            commands.iter().map(|_| None).collect();
        let mut pending = commands.into_iter().enumerate();
        let mut running = tokio::task::JoinSet::new();
        loop {
            while running.len() < limit {
                let Some((i, (cmd, input))) = pending.next() else {
                    break;
                };
                running.spawn(async move { (i, output_fed(cmd, input, quiet).await) });
            }
            let Some(joined) = running.join_next().await else {
                break;
            };
            let (i, output) = joined.with_context(|| format!("a task of {what} failed"))?;
            outputs[i] = Some(output);
        }
        outputs
            .into_iter()
            .map(|o| o.with_context(|| format!("one of {what} never finished")))
            .collect()
    })
}

/// The output of `cmd`, run with `input` on its standard input, stopped when it is silent for
/// longer than `quiet`.
async fn output_fed(
    mut cmd: Command,
    input: Vec<u8>,
    quiet: Option<Quiet>,
) -> std::io::Result<Output> {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    #[cfg(unix)]
    if quiet.is_some() {
        std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    }
    let mut child = tokio::process::Command::from(cmd)
        .stdin(if input.is_empty() {
            Stdio::null()
        } else {
            Stdio::piped()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let stdin = child.stdin.take();
    let mut stdout = child.stdout.take().expect("stdout is piped");
    let mut stderr = child.stderr.take().expect("stderr is piped");
    let write = async move {
        let Some(mut stdin) = stdin else {
            return Ok(());
        };
        let written = stdin.write_all(&input).await;
        drop(stdin);
        written
    };
    let read_err = async move {
        let mut err = Vec::new();
        stderr.read_to_end(&mut err).await.map(|_| err)
    };
    // Reads stdout to its end, or until it is silent for too long (`Ok(false)`).
    let read_out = async {
        let mut out = Vec::new();
        let mut chunk = vec![0; 8192];
        loop {
            let read = stdout.read(&mut chunk);
            let n = match quiet {
                Some(Quiet(limit)) => match tokio::time::timeout(limit, read).await {
                    Ok(n) => n?,
                    Err(_) => return Ok::<_, std::io::Error>((out, false)),
                },
                None => read.await?,
            };
            if n == 0 {
                return Ok((out, true));
            }
            out.extend_from_slice(&chunk[..n]);
        }
    };
    // All three at once: a child blocked on a full stderr pipe would seem silent.
    let (written, out, stderr) = tokio::join!(
        write,
        async {
            let out = read_out.await;
            if let Ok((_, false)) = &out {
                stop(&mut child).await;
            }
            out
        },
        read_err
    );
    let (stdout, ended) = out?;
    let status = child.wait().await?;
    let mut stderr = stderr?;
    if !ended && let Some(quiet) = quiet {
        stderr.extend_from_slice(stopped_line(quiet).as_bytes());
    }
    // A child that exits before reading all its input breaks the pipe: its status tells why.
    match written {
        Err(err) if err.kind() != std::io::ErrorKind::BrokenPipe => Err(err),
        _ => Ok(Output {
            status,
            stdout,
            stderr,
        }),
    }
}

/// Kills `child` and every process of its group (a `count-each` child forks one per id).
async fn stop(child: &mut tokio::process::Child) {
    #[cfg(unix)]
    if let Some(pid) = child.id().and_then(|pid| i32::try_from(pid).ok()) {
        // The group may be gone already: nothing to kill then.
        let _ = nix::sys::signal::killpg(
            nix::unistd::Pid::from_raw(pid),
            nix::sys::signal::Signal::SIGKILL,
        );
    }
    let _ = child.kill().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str) -> Command {
        let mut cmd = Command::new("sh");
        cmd.args(["-c", script]);
        cmd
    }

    #[test]
    fn outputs_come_back_in_the_order_of_the_commands() {
        for at_once in [AtOnce::PerCore, AtOnce::All] {
            // The first finishes last: order is the commands', not the finishing order.
            let commands = vec![
                sh("sleep 0.2; echo a"),
                sh("echo b"),
                sh("echo c >&2; exit 3"),
            ];
            let outputs = run_all(commands, at_once, "the test commands", None).unwrap();
            let outputs: Vec<Output> = outputs.into_iter().map(Result::unwrap).collect();
            assert_eq!(outputs[0].stdout, b"a\n");
            assert_eq!(outputs[1].stdout, b"b\n");
            assert_eq!(outputs[2].stderr, b"c\n");
            assert_eq!(outputs[2].status.code(), Some(3));
        }
        assert!(
            run_all(Vec::new(), AtOnce::All, "nothing", None)
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn each_command_reads_its_own_input_while_its_output_is_read() {
        // More than a pipe holds (64 KiB) in and out: the input must be written while the
        // output is read.
        let big: Vec<u8> = (0..200_000).map(|i| b'a' + (i % 26) as u8).collect();
        let outputs = run_all_fed(
            vec![
                (sh("cat"), big.clone()),
                (sh("wc -c"), b"four".to_vec()),
                (sh("cat"), Vec::new()),
                (sh("head -c 3"), big.clone()),
            ],
            AtOnce::PerCore,
            "the test commands",
            Some(Quiet(Duration::from_secs(60))),
        )
        .unwrap();
        let outputs: Vec<Output> = outputs.into_iter().map(Result::unwrap).collect();
        assert_eq!(outputs[0].stdout, big);
        assert_eq!(String::from_utf8_lossy(&outputs[1].stdout).trim(), "4");
        assert!(
            outputs[2].stdout.is_empty(),
            "no input: stdin closed at once"
        );
        assert_eq!(
            outputs[3].stdout, b"abc",
            "a child that stops reading is no error"
        );
    }

    /// A child silent for longer than its limit is stopped with every process it started; its
    /// output so far comes back, with a line saying why. One that keeps printing is not.
    #[test]
    fn a_silent_child_is_stopped_with_its_group() {
        // Far longer than the steady child's gaps, which a loaded machine may stretch.
        let quiet = Quiet(Duration::from_secs(2));
        let began = std::time::Instant::now();
        let outputs = run_all_fed(
            vec![
                // Prints the pid of a grandchild, then waits on it for ever.
                (sh("sleep 600 & echo $!; wait"), Vec::new()),
                // A line every 0.2 s, 2 s in all: never silent for long.
                (
                    sh("for i in 1 2 3 4 5 6 7 8 9 10; do echo $i; sleep 0.2; done"),
                    Vec::new(),
                ),
                // Reads its input, then hangs.
                (
                    sh("read id; echo \"$id\"; exec sleep 600"),
                    b"a/1\nb/2\n".to_vec(),
                ),
            ],
            AtOnce::All,
            "the test commands",
            Some(quiet),
        )
        .unwrap();
        assert!(
            began.elapsed() < Duration::from_secs(20),
            "{:?}",
            began.elapsed()
        );
        let outputs: Vec<Output> = outputs.into_iter().map(Result::unwrap).collect();
        let stopped = stopped_line(quiet);
        for hung in [&outputs[0], &outputs[2]] {
            assert!(!hung.status.success());
            assert!(String::from_utf8_lossy(&hung.stderr).ends_with(&stopped));
        }
        assert_eq!(
            outputs[2].stdout, b"a/1\n",
            "the output before the silence is kept"
        );
        assert!(outputs[1].status.success(), "{:?}", outputs[1]);
        assert_eq!(
            String::from_utf8_lossy(&outputs[1].stdout).lines().count(),
            10
        );
        // The grandchild went with its group.
        let pid = String::from_utf8_lossy(&outputs[0].stdout)
            .trim()
            .to_owned();
        let gone = (0..50).any(|_| {
            let state = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
            // Gone, or a zombie waiting for init to reap it.
            let alive = state.split_whitespace().nth(2).is_some_and(|s| s != "Z");
            if alive {
                std::thread::sleep(Duration::from_millis(100));
            }
            !alive
        });
        assert!(gone, "the grandchild {pid} still runs");
    }

    #[test]
    fn a_command_that_cannot_start_is_its_own_error() {
        let outputs = run_all(
            vec![Command::new("/nonexistent/program"), sh("true")],
            AtOnce::PerCore,
            "the test commands",
            None,
        )
        .unwrap();
        assert!(outputs[0].is_err());
        assert!(outputs[1].as_ref().unwrap().status.success());
    }
}
