//! Running several child processes at once: the one place perfmatrix starts an async runtime
//! (tokio) to wait on children side by side.

use std::num::NonZeroUsize;
use std::process::{Command, Output, Stdio};

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

/// Runs `commands` (stdin closed), at most `at_once` of them at a time, and returns their
/// outputs in the order of `commands`. `what` names them in errors (`the counting runs`).
pub(crate) fn run_all(
    commands: Vec<Command>,
    at_once: AtOnce,
    what: &str,
) -> anyhow::Result<Vec<std::io::Result<Output>>> {
    run_all_fed(
        commands.into_iter().map(|c| (c, Vec::new())).collect(),
        at_once,
        what,
    )
}

/// [`run_all`], each command given its bytes on standard input (closed after them; closed at
/// once when there are none). The bytes are written while the output is read, so a child may
/// answer before it has read them all.
pub(crate) fn run_all_fed(
    commands: Vec<(Command, Vec<u8>)>,
    at_once: AtOnce,
    what: &str,
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
                running.spawn(async move { (i, output_fed(cmd, input).await) });
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

/// The output of `cmd`, run with `input` on its standard input.
async fn output_fed(cmd: Command, input: Vec<u8>) -> std::io::Result<Output> {
    use tokio::io::AsyncWriteExt as _;
    let mut cmd = tokio::process::Command::from(cmd);
    if input.is_empty() {
        return cmd.stdin(Stdio::null()).output().await;
    }
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let (written, output) = tokio::join!(
        async move {
            let written = stdin.write_all(&input).await;
            drop(stdin);
            written
        },
        child.wait_with_output()
    );
    let output = output?;
    // A child that exits before reading all its input breaks the pipe: its status tells why.
    match written {
        Err(err) if err.kind() != std::io::ErrorKind::BrokenPipe => Err(err),
        _ => Ok(output),
    }
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
            let outputs = run_all(commands, at_once, "the test commands").unwrap();
            let outputs: Vec<Output> = outputs.into_iter().map(Result::unwrap).collect();
            assert_eq!(outputs[0].stdout, b"a\n");
            assert_eq!(outputs[1].stdout, b"b\n");
            assert_eq!(outputs[2].stderr, b"c\n");
            assert_eq!(outputs[2].status.code(), Some(3));
        }
        assert!(
            run_all(Vec::new(), AtOnce::All, "nothing")
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

    #[test]
    fn a_command_that_cannot_start_is_its_own_error() {
        let outputs = run_all(
            vec![Command::new("/nonexistent/program"), sh("true")],
            AtOnce::PerCore,
            "the test commands",
        )
        .unwrap();
        assert!(outputs[0].is_err());
        assert!(outputs[1].as_ref().unwrap().status.success());
    }
}
