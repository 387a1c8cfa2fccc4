//! Instructions and peak memory of one call of each benchmarked routine (docs/kernels.md,
//! "Instruction counts"): each bench binary on perfmatrix's harness is its own counter
//! (`--perfmatrix-count <id>`, `crates/perfmatrix-harness`). It runs once natively for its peak
//! resident memory and once under valgrind's callgrind, collecting only inside the harness's
//! region function, for the instructions. A benchmark that no harness binary serves (a plain
//! criterion benchmark) gets both metrics as unavailable, with that reason; the run goes on.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use anyhow::{Context, bail};

use crate::binaries::BenchBinary;
use crate::children::{AtOnce, Quiet, run_all, run_all_fed};
use crate::tools::find_in_path;
use perfmatrix_fingerprint::TargetTriple;
use perfmatrix_model::{BenchmarkId, Counts, FailedBench, Measured, Profile, Unmeasured};

/// The functions around the one counted call (`#[unsafe(no_mangle)]`, never inlined): the
/// harness's, and the criterion layer's (a name of its own: a harness binary built against the
/// layer links both).
pub(crate) const REGION_SYMBOLS: [&str; 2] = [
    "perfmatrix_count_region",
    "perfmatrix_criterion_count_region",
];
/// How to get valgrind on the Debian and Ubuntu machines CI and this project use.
const INSTALL_VALGRIND: &str = "sudo apt-get install valgrind";

/// Instructions and peak resident memory of one call of each benchmark in `ids`, for `target`
/// (None: the host), from the harness binaries among `binaries`, with `env` added to every counting
/// run (e.g. `PERFMATRIX_PLANT_WORK`).
///
/// Runs each binary twice per id, up to one run per core at once (counts do not depend on load):
/// natively, for the peak RSS (`VmHWM` after the call; from the binary's folder, with only the
/// `PERFMATRIX_*` variables of the environment and without address-space randomisation where
/// `setarch -R` works, see [`no_aslr`]), and under `valgrind --tool=callgrind
/// --collect-atstart=no --toggle-collect=perfmatrix_count_region` for the instructions.
///
/// The instructions are [`Measured::Unavailable`], with the reason, when valgrind is not on PATH;
/// when `target` is another architecture than the host (valgrind cannot run a foreign binary,
/// and under qemu-user it would count qemu); when valgrind cannot decode one of the counted binary's
/// instructions; and when the counting run dispatched to other code under valgrind than natively (the
/// count would not be of the benchmarked code).
///
/// For an emulated target the native run goes through cargo and the runner of
/// `.cargo/config.toml` (qemu-user), so its peak RSS is that of the qemu process: the emulator,
/// its translated code and the guest's memory together. It still shows a kernel that starts
/// allocating per call, but compares only with other emulated runs.
///
/// A benchmark whose counting run fails (it panics, or hangs past [`counting_quiet`], natively
/// or under valgrind) is among the failed, its messages shown, and the others are counted: the
/// ids a `count-each` process never reached because an earlier one hung are counted again
/// without it. Callgrind's output files live in a temporary folder that is removed when this
/// returns.
pub(crate) fn measure(
    target: Option<&TargetTriple>,
    binaries: &[BenchBinary],
    ids: &[String],
    env: &[(String, String)],
) -> anyhow::Result<CountsOf> {
    measure_in(target, binaries, ids, env, &find_in_path, counting_quiet()?)
}

/// What the counting runs gave: each benchmark's counts, and those whose counting run failed.
#[derive(Debug, Default)]
pub(crate) struct CountsOf {
    /// The counts, by id.
    pub(crate) counts: BTreeMap<String, Counts>,
    /// The benchmarks whose counting run failed, with what went wrong.
    pub(crate) failed: Vec<FailedBench>,
}

/// [`measure`] with the PATH lookup of programs chosen by the caller, and how long a counting
/// run may print nothing before it is stopped.
fn measure_in(
    target: Option<&TargetTriple>,
    binaries: &[BenchBinary],
    ids: &[String],
    env: &[(String, String)],
    lookup: &dyn Fn(&str) -> Option<PathBuf>,
    quiet: Quiet,
) -> anyhow::Result<CountsOf> {
    let host = crate::workspace::host_triple()?;
    let emulated = target.is_some_and(|t| crate::tools::runs_emulated(t, &host));
    let mut metrics = BTreeMap::new();
    let mut probed: Vec<(String, &BenchBinary)> = Vec::with_capacity(ids.len());
    for id in ids {
        match binaries.iter().find(|b| b.serves(id)) {
            Some(binary) => probed.push((id.clone(), binary)),
            None => {
                metrics.insert(
                    id.clone(),
                    Counts {
                        instructions: Measured::unavailable(Unmeasured::NotOnHarness),
                        peak_rss_bytes: Measured::unavailable(Unmeasured::NotOnHarness),
                    },
                );
            }
        }
    }
    if probed.is_empty() {
        return Ok(CountsOf {
            counts: metrics,
            failed: Vec::new(),
        });
    }
    let triple = target.unwrap_or(&host);
    let valgrind = instruction_counter(emulated.then(|| (triple.arch(), host.arch())), lookup);
    let setarch = if emulated { None } else { no_aslr(lookup) };
    let scratch = tempfile::Builder::new()
        .prefix("perfmatrix-callgrind-")
        .tempdir()
        .context("cannot make a temporary folder for callgrind's output")?;

    // Every id's native run, then (when valgrind can count) every id's callgrind run.
    let mut commands = Vec::with_capacity(2 * probed.len());
    for (id, binary) in &probed {
        let cmd = if emulated {
            // A foreign architecture only runs here through the runner of .cargo/config.toml.
            binary.command(&["--perfmatrix-count", id])
        } else {
            let (dir, name) = local_name(&binary.exe)?;
            // Only perfmatrix's own variables: the environment's size moves the peak RSS (the
            // initial stack holds it; 20 KB more of it added 20 KiB).
            let mut cmd = if let Some(setarch) = &setarch {
                let mut cmd = Command::new(setarch);
                cmd.args([std::env::consts::ARCH, "-R"]).arg(&name);
                cmd
            } else {
                Command::new(&binary.exe)
            };
            cmd.args(["--perfmatrix-count", id]);
            cmd.current_dir(dir).env_clear().envs(
                std::env::vars_os().filter(|(k, _)| k.to_string_lossy().starts_with("PERFMATRIX_")),
            );
            cmd
        };
        commands.push(cmd);
    }
    let (callgrind_commands, callgrind): (Vec<Command>, Vec<CallgrindRun>) = match &valgrind {
        Ok(valgrind) => callgrind_runs(valgrind, &probed, scratch.path())?
            .into_iter()
            .unzip(),
        Err(_) => (Vec::new(), Vec::new()),
    };
    let natives = commands.len();
    let mut commands: Vec<(Command, Vec<u8>)> =
        commands.into_iter().map(|c| (c, Vec::new())).collect();
    commands.extend(
        callgrind_commands
            .into_iter()
            .zip(&callgrind)
            .map(|(cmd, run)| (cmd, run.input(&probed))),
    );
    for (cmd, _) in &mut commands {
        cmd.envs(env.iter().map(|(k, v)| (k, v)));
    }
    let ids: Vec<String> = probed.iter().map(|(id, _)| id.clone()).collect();
    let mut outputs = run_all_fed(commands, AtOnce::PerCore, "the counting runs", Some(quiet))?;
    let counted = outputs.split_off(natives);
    let collected = collect(&ids, outputs, &valgrind, &callgrind, counted)?;
    metrics.extend(collected.counts);
    let mut failed = collected.failed;
    if !collected.again.is_empty() {
        // Each round leaves out at least the id that stopped its process: it ends.
        let again = measure_in(target, binaries, &collected.again, env, lookup, quiet)?;
        metrics.extend(again.counts);
        failed.extend(again.failed);
    }
    Ok(CountsOf {
        counts: metrics,
        failed,
    })
}

/// How long a counting or profiling run may print nothing: ten times the deadline of a sample
/// server's answer (`PERFMATRIX_ANSWER_SECONDS`, 120 s by default), as one call under valgrind
/// takes tens of times as long as natively. A `count-each` process prints a line per id, so
/// this is the deadline of each call.
fn counting_quiet() -> anyhow::Result<Quiet> {
    let answer = crate::server::answer_deadline()?.unwrap_or(crate::server::ANSWER_DEADLINE);
    Ok(Quiet(answer * 10))
}

/// One callgrind process of the counting runs: of one id (`--perfmatrix-count <id>`), or of
/// several ids of one binary, each in a child forked for it (`--perfmatrix-count-each`, the ids
/// on standard input).
struct CallgrindRun {
    /// The indexes of its ids in the probed ids.
    ids: Vec<usize>,
    /// Its output file: for `count-each`, the pattern with `%p` for each child's pid.
    out_file: PathBuf,
    each: bool,
}

impl CallgrindRun {
    /// What it is given on standard input: its ids, one per line, for `count-each`.
    fn input(&self, probed: &[(String, &BenchBinary)]) -> Vec<u8> {
        if !self.each {
            return Vec::new();
        }
        self.ids
            .iter()
            .flat_map(|&i| probed[i].0.bytes().chain([b'\n']))
            .collect()
    }

    /// The output file of the child that printed pid `pid`.
    fn file_of(&self, pid: Option<u64>) -> PathBuf {
        match pid {
            Some(pid) if self.each => PathBuf::from(
                self.out_file
                    .to_string_lossy()
                    .replace("%p", &pid.to_string()),
            ),
            _ => self.out_file.clone(),
        }
    }
}

/// The callgrind processes (commands, and what each counts) that count `probed`: each binary
/// with the `count-each` mode counts its ids in as many processes as there are cores (one
/// valgrind start each, where one process per id paid it per id), the others one process per
/// id.
fn callgrind_runs(
    valgrind: &Path,
    probed: &[(String, &BenchBinary)],
    scratch: &Path,
) -> anyhow::Result<Vec<(Command, CallgrindRun)>> {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    // The ids of each binary, in the order they were probed.
    let mut by_binary: Vec<(&BenchBinary, Vec<usize>)> = Vec::new();
    for (i, (_, binary)) in probed.iter().enumerate() {
        match by_binary
            .iter_mut()
            .find(|(b, _)| std::ptr::eq(*b, *binary))
        {
            Some((_, ids)) => ids.push(i),
            None => by_binary.push((binary, vec![i])),
        }
    }
    let mut runs = Vec::new();
    for (binary, ids) in by_binary {
        // Under valgrind the bench binary runs as `./<name>` from its folder: its arguments are
        // copied to the heap, so a longer path to the target folder would shift the inputs'
        // addresses, and with them the instructions memcpy and memset spend on alignment (tens
        // per call), from machine to machine.
        let (dir, name) = local_name(&binary.exe)?;
        let chunks: Vec<Vec<usize>> = if binary.count_each {
            let size = ids.len().div_ceil(cores);
            ids.chunks(size).map(<[usize]>::to_vec).collect()
        } else {
            ids.iter().map(|&i| vec![i]).collect()
        };
        for chunk in chunks {
            let at = runs.len();
            let out_file = if binary.count_each {
                scratch.join(format!("callgrind-{at}-%p.out"))
            } else {
                scratch.join(format!("callgrind-{at}.out"))
            };
            let mut cmd = Command::new(valgrind);
            cmd.args(["-q", "--tool=callgrind", "--collect-atstart=no"]);
            cmd.args(REGION_SYMBOLS.map(|symbol| format!("--toggle-collect={symbol}")));
            cmd.arg(format!("--callgrind-out-file={}", out_file.display()));
            cmd.arg(&name).current_dir(dir);
            if binary.count_each {
                cmd.arg("--perfmatrix-count-each");
            } else {
                cmd.args(["--perfmatrix-count", &probed[chunk[0]].0]);
            }
            runs.push((
                cmd,
                CallgrindRun {
                    ids: chunk,
                    out_file,
                    each: binary.count_each,
                },
            ));
        }
    }
    Ok(runs)
}

/// Profiles each of `ids` on one build (`binaries`, run with `env`): one callgrind run of its
/// counting mode with the cache and branch simulation (`--cache-sim=yes --branch-sim=yes`), over
/// the same region as the instruction count, read function by function
/// ([`crate::callgrind::profile`]). Where valgrind is missing, no binary serves an id, or a run
/// fails, that id is left out with a warning on stderr: a profile explains a verdict, it never
/// makes one. Runs one per core at once; callgrind's files live in a temporary folder.
pub(crate) fn profile(
    binaries: &[BenchBinary],
    ids: &[perfmatrix_model::BenchmarkId],
    env: &[(String, String)],
) -> anyhow::Result<BTreeMap<String, Profile>> {
    let mut profiles = BTreeMap::new();
    let Some(valgrind) = find_in_path("valgrind") else {
        eprintln!("warning: valgrind is not installed, so no benchmark is profiled");
        return Ok(profiles);
    };
    let scratch = tempfile::Builder::new()
        .prefix("perfmatrix-profile-")
        .tempdir()
        .context("cannot make a temporary folder for callgrind's output")?;
    let mut commands = Vec::new();
    let mut runs = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        let Some(binary) = binaries.iter().find(|b| b.serves(id)) else {
            eprintln!("warning: no bench binary serves `{id}`, so it is not profiled");
            continue;
        };
        let out_file = scratch.path().join(format!("profile-{i}.out"));
        let (dir, name) = local_name(&binary.exe)?;
        let mut cmd = Command::new(&valgrind);
        cmd.args([
            "-q",
            "--tool=callgrind",
            "--collect-atstart=no",
            "--cache-sim=yes",
            "--branch-sim=yes",
        ]);
        cmd.args(REGION_SYMBOLS.map(|symbol| format!("--toggle-collect={symbol}")));
        cmd.arg(format!("--callgrind-out-file={}", out_file.display()));
        cmd.arg(&name)
            .args(["--perfmatrix-count", id])
            .current_dir(dir)
            .envs(env.iter().map(|(k, v)| (k, v)));
        commands.push(cmd);
        runs.push((id, out_file));
    }
    let outputs = run_all(
        commands,
        AtOnce::PerCore,
        "the profiling runs",
        Some(counting_quiet()?),
    )?;
    for ((id, out_file), output) in runs.into_iter().zip(outputs) {
        let read = output
            .map_err(anyhow::Error::from)
            .and_then(|output| {
                if output.status.success() {
                    Ok(())
                } else {
                    bail!(
                        "valgrind exited with {}: {}",
                        output.status,
                        String::from_utf8_lossy(&output.stderr).trim()
                    )
                }
            })
            .and_then(|()| {
                std::fs::read_to_string(&out_file)
                    .with_context(|| format!("cannot read {}", out_file.display()))
            })
            .and_then(|text| crate::callgrind::profile(&text));
        match read {
            Ok(profile) => {
                profiles.insert(id.to_string(), profile);
            }
            Err(err) => eprintln!("warning: `{id}` could not be profiled: {err:#}"),
        }
    }
    Ok(profiles)
}

/// The folder of `exe` and its name as `./name`, to run it from there.
fn local_name(exe: &Path) -> anyhow::Result<(&Path, PathBuf)> {
    match (exe.parent(), exe.file_name()) {
        (Some(dir), Some(name)) => Ok((dir, Path::new(".").join(name))),
        _ => bail!("the bench binary's path {} has no folder", exe.display()),
    }
}

#[cfg(test)]
impl CountsOf {
    /// The counts, when no counting run failed.
    fn all_counted(self) -> BTreeMap<String, Counts> {
        assert!(self.failed.is_empty(), "{:?}", self.failed);
        self.counts
    }
}

/// What one round of counting runs gave.
struct Collected {
    counts: BTreeMap<String, Counts>,
    failed: Vec<FailedBench>,
    /// Ids a `count-each` process never reached because an earlier id's call stopped it.
    again: Vec<String>,
}

/// The metrics of `ids` from the outputs of their native runs, then of the callgrind runs
/// `callgrind` (outputs `counted`). An id whose run failed, or that has no line, is among the
/// failed; but for the ids a killed `count-each` process never reached, to be counted again.
fn collect(
    ids: &[String],
    natives: Vec<std::io::Result<Output>>,
    valgrind: &Result<PathBuf, Unmeasured>,
    callgrind: &[CallgrindRun],
    counted: Vec<std::io::Result<Output>>,
) -> anyhow::Result<Collected> {
    let mut failed: BTreeMap<usize, String> = BTreeMap::new();
    let mut native_lines = Vec::with_capacity(ids.len());
    for (i, (id, output)) in ids.iter().zip(natives).enumerate() {
        let output = output.with_context(|| format!("cannot start the counting run for `{id}`"))?;
        let line = if output.status.success() {
            CountLine::parse(id, &output.stdout).map_err(|e| format!("{e:#}"))
        } else {
            Err(run_failed(id, "the counting run", &output))
        };
        match line {
            Ok(line) => native_lines.push(Some(line)),
            Err(error) => {
                failed.insert(i, error);
                native_lines.push(None);
            }
        }
    }
    let mut instructions: Vec<Option<Measured>> = ids.iter().map(|_| None).collect();
    if let Err(why) = valgrind {
        instructions.fill(Some(Measured::unavailable(why.clone())));
    }
    let mut again = std::collections::BTreeSet::new();
    for (run, output) in callgrind.iter().zip(counted) {
        let first = &ids[run.ids[0]];
        let output = output.with_context(|| format!("cannot start valgrind for `{first}`"))?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        // Each child's line, by the id it names.
        let lines: HashMap<String, &str> = stdout
            .lines()
            .filter_map(|l| Some((CountLine::id_of(l)?, l)))
            .collect();
        // A `count-each` process counts its ids one after the other, each in a child of its
        // own, and goes on when one fails. Killed (a hang past the deadline), it never reached
        // the ids after the one that follows its last line, which hung: those are counted
        // again without it. An id with no line anywhere else failed on its own.
        let hung = (run.each && was_killed(output.status)).then(|| {
            run.ids
                .iter()
                .rposition(|&i| lines.contains_key(&ids[i]))
                .map_or(0, |last| last + 1)
        });
        let mut shown = false;
        for (at, &i) in run.ids.iter().enumerate() {
            let Some(native) = &native_lines[i] else {
                continue; // Failed natively already.
            };
            if hung.is_some_and(|hung| at > hung) {
                again.insert(i);
                continue;
            }
            let line = lines.get(&ids[i]).copied();
            match self::instructions(&ids[i], &output, line, run, &native.variant) {
                Ok(Some(measured)) => instructions[i] = Some(measured),
                Ok(None) => {
                    let what = "the counting run under valgrind";
                    if !std::mem::replace(&mut shown, true) {
                        show_messages(&ids[i], what, &output);
                    }
                    failed.insert(i, failure_line(what, &output));
                }
                Err(e) => {
                    failed.insert(i, format!("{e:#}"));
                }
            }
        }
    }
    let mut counts = BTreeMap::new();
    for (i, (native, instructions)) in native_lines.into_iter().zip(instructions).enumerate() {
        if failed.contains_key(&i) || again.contains(&i) {
            continue;
        }
        let (Some(native), Some(instructions)) = (native, instructions) else {
            bail!("a callgrind run is missing");
        };
        counts.insert(
            ids[i].clone(),
            Counts {
                instructions,
                peak_rss_bytes: native.peak_rss_bytes,
            },
        );
    }
    let failed = failed
        .into_iter()
        .map(|(i, error)| {
            Ok(FailedBench {
                id: BenchmarkId::new(ids[i].clone())?,
                error,
            })
        })
        .collect::<anyhow::Result<_>>()?;
    Ok(Collected {
        counts,
        failed,
        again: again.into_iter().map(|i| ids[i].clone()).collect(),
    })
}

/// Whether a process was killed by a signal (the deadline's SIGKILL, or the system's).
fn was_killed(status: std::process::ExitStatus) -> bool {
    use std::os::unix::process::ExitStatusExt as _;
    status.signal().is_some()
}

/// A counting run of `id` that failed (`what`: "the counting run"): its messages shown, and
/// the line for the report ([`failure_line`]).
fn run_failed(id: &str, what: &str, output: &Output) -> String {
    show_messages(id, what, output);
    failure_line(what, output)
}

/// Shows on stderr what a failed counting run of `id` printed there.
fn show_messages(id: &str, what: &str, output: &Output) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    let stderr = stderr.trim_end();
    if !stderr.is_empty() {
        eprintln!("{what} of `{id}` printed:\n{stderr}");
    }
}

/// One line for the report on a failed counting run: its status and what it said last.
fn failure_line(what: &str, output: &Output) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr);
    match last_message(&stderr) {
        Some(last) => format!("{what} failed ({}): {last}", output.status),
        None => format!("{what} failed ({})", output.status),
    }
}

/// What a failed run said last, leaving out what says nothing of the failure: std's hint to set
/// `RUST_BACKTRACE` and valgrind's own `==pid==` lines. A panic is its place and its message's
/// first line (`panicked at benches/ops.rs:22:29: boom`), as std prints them on two lines.
fn last_message(stderr: &str) -> Option<String> {
    let said: Vec<&str> = stderr
        .lines()
        .map(str::trim)
        .filter(|l| {
            let backtrace_hint = l.starts_with("note: ") && l.contains("RUST_BACKTRACE");
            let valgrind = l.starts_with("==") && l[2..].starts_with(|c: char| c.is_ascii_digit());
            !(l.is_empty() || backtrace_hint || valgrind)
        })
        .collect();
    if let Some(at) = said.iter().rposition(|l| l.contains("panicked at ")) {
        let panic = &said[at][said[at].find("panicked at ")?..];
        return Some(match said.get(at + 1) {
            Some(message) if panic.ends_with(':') => format!("{panic} {message}"),
            _ => panic.to_owned(),
        });
    }
    said.last().map(|l| (*l).to_owned())
}

/// valgrind, if it can count instructions here; else why not. `emulated` names the target's and
/// the host's architectures when the target runs emulated (`tools::runs_emulated`).
fn instruction_counter(
    emulated: Option<(&str, &str)>,
    lookup: &dyn Fn(&str) -> Option<PathBuf>,
) -> Result<PathBuf, Unmeasured> {
    if let Some((target_arch, host_arch)) = emulated {
        return Err(Unmeasured::Emulated {
            target_arch: target_arch.to_owned(),
            host_arch: host_arch.to_owned(),
        });
    }
    lookup("valgrind").ok_or_else(|| Unmeasured::NoValgrind {
        install: INSTALL_VALGRIND.to_owned(),
    })
}

/// `setarch` (util-linux), if it can start a program without address-space randomisation here.
///
/// Randomised, the placement of the mappings moved the peak RSS by up to ~190 KiB from run to run
/// (most likely through the file pages mapped in around each fault); without, the same build gave
/// the same peak (docs/kernels.md). Where seccomp forbids `personality(ADDR_NO_RANDOMIZE)` (in
/// some containers) the check fails: the counting process then runs randomised and its peak RSS is that
/// noisy.
fn no_aslr(lookup: &dyn Fn(&str) -> Option<PathBuf>) -> Option<PathBuf> {
    let setarch = lookup("setarch")?;
    Command::new(&setarch)
        .args([std::env::consts::ARCH, "-R", "true"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
        .then_some(setarch)
}

/// The instruction count of `id` from the callgrind run `run` that counted it (`output`), its
/// line of that output (`None`: it printed none), and its output file; `None` when the run
/// failed before its line.
fn instructions(
    id: &str,
    output: &Output,
    line: Option<&str>,
    run: &CallgrindRun,
    native_variant: &str,
) -> anyhow::Result<Option<Measured>> {
    let stderr = String::from_utf8_lossy(&output.stderr);
    let Some(line) = line.filter(|_| run.each || output.status.success()) else {
        if let Some(line) = stderr.lines().find(|l| l.contains("unhandled instruction")) {
            return Ok(Some(Measured::unavailable(
                Unmeasured::UndecodableInstruction {
                    line: line
                        .trim_start_matches(|c: char| c == '=' || c.is_ascii_digit() || c == ' ')
                        .to_owned(),
                },
            )));
        }
        return Ok(None);
    };
    let counted = CountLine::parse(id, line.as_bytes())?;
    if counted.variant != native_variant {
        return Ok(Some(Measured::unavailable(Unmeasured::OtherDispatch {
            valgrind: counted.variant,
            native: native_variant.to_owned(),
        })));
    }
    let out_file = run.file_of(counted.pid);
    let text = std::fs::read_to_string(&out_file)
        .with_context(|| format!("cannot read callgrind's output {}", out_file.display()))?;
    let total = crate::callgrind::total_instructions(&text)
        .with_context(|| format!("callgrind's output for `{id}` ({})", out_file.display()))?;
    if total == 0 {
        bail!(
            "callgrind counted no instructions for `{id}`: the counting run never entered \
             `{}` (renamed, or inlined away?)",
            REGION_SYMBOLS.join("` or `")
        );
    }
    Ok(Some(Measured::Value { value: total }))
}

/// What the counting run prints: one JSON line.
#[derive(Debug)]
struct CountLine {
    /// The counting process's id (absent from harnesses older than `count-each`).
    pid: Option<u64>,
    variant: String,
    peak_rss_bytes: Measured,
}

impl CountLine {
    /// The id `line` is the count line of, if it is one.
    fn id_of(line: &str) -> Option<String> {
        let json: serde_json::Value = serde_json::from_str(line).ok()?;
        Some(json["id"].as_str()?.to_owned())
    }

    fn parse(id: &str, stdout: &[u8]) -> anyhow::Result<Self> {
        let stdout = String::from_utf8_lossy(stdout);
        let line = stdout.lines().last().unwrap_or_default();
        let json: serde_json::Value = serde_json::from_str(line).with_context(|| {
            format!("the counting run for `{id}` printed `{line}`, not a JSON line")
        })?;
        if json["id"] != id {
            bail!("the counting run for `{id}` reported the id {}", json["id"]);
        }
        let variant = json["variant"]
            .as_str()
            .with_context(|| format!("the counting run for `{id}` reported no variant"))?
            .to_owned();
        let peak_rss_bytes = match json["peak_rss_bytes"].as_u64() {
            Some(0) => Measured::unavailable(Unmeasured::ZeroPeakMemory),
            Some(bytes) => Measured::Value { value: bytes },
            None => Measured::unavailable(Unmeasured::NoPeakMemory {
                said: json["peak_rss_unavailable"].as_str().map(str::to_owned),
            }),
        };
        Ok(Self {
            pid: json["pid"].as_u64(),
            variant,
            peak_rss_bytes,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write as _;

    use super::*;

    /// A whole callgrind 3.19 output file: `perfmatrix_count decay/1000` (avx2-fma), counted with
    /// `--collect-atstart=no --toggle-collect=perfmatrix_count_region`.
    const DECAY_1000: &str = "# callgrind format
version: 1
creator: callgrind-3.19.0
pid: 24481
cmd:  /work/target-count/release/examples/perfmatrix_count decay/1000
part: 1


desc: I1 cache: 
desc: D1 cache: 
desc: LL cache: 

desc: Timerange: Basic block 0 - 81157
desc: Trigger: Program termination

positions: line
events: Ir
summary: 5980


ob=(1) /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2
fl=(1) ???
fn=(0) 0x000000000001ab70
cob=(7) /work/target-count/release/examples/perfmatrix_count
cfi=(152) ???
cfn=(846) (below main)
calls=1 0 
0 5980

ob=(3) /usr/lib/x86_64-linux-gnu/libc.so.6
fl=(155) ./csu/../sysdeps/nptl/libc_start_call_main.h
fn=(874) (below main)
cob=(7)
cfi=(152)
cfn=(882) main
calls=1 0 
58 5980

fl=(153) ./csu/../csu/libc-start.c
fn=(848) __libc_start_main@@GLIBC_2.34
cfi=(155)
cfn=(874)
calls=1 29 
360 5980

ob=(7)
fl=(152)
fn=(846)
cob=(3)
cfi=(153)
cfn=(848)
calls=1 242 
0 5980

fn=(882)
cfn=(884) std::rt::lang_start_internal
calls=1 0 
0 5980

fn=(1110) perfmatrix_count::main
cfn=(1194) perfmatrix_count_region
calls=1 0 
0 5980

fn=(1200) pmk_decay_avx2
0 5922

fn=(1196) perfmatrix_count::decay::{{closure}}
0 22
cfn=(1198) perfmatrix_kernels::Kernels::decay
calls=1 0 
0 5943
0 14

fn=(1198)
0 17
cfn=(1200)
calls=1 0 
0 5922
0 4

fn=(1108) std::sys::backtrace::__rust_begin_short_backtrace
cfn=(1110)
calls=1 0 
0 5980

fn=(1194)
0 1
cfn=(1196)
calls=1 0 
0 5979

fn=(1106) std::rt::lang_start::{{closure}}
cfn=(1108)
calls=1 0 
0 5980

fn=(884)
cfn=(1106)
calls=1 0 
0 5980

totals: 5980";

    /// The header and totals of the same run with `--cache-sim=yes` (the body left out): Ir is
    /// one of nine events, and the last, zero, cost is omitted.
    const DECAY_1000_CACHE_SIM: &str = "# callgrind format
version: 1
creator: callgrind-3.19.0
desc: I1 cache: 32768 B, 64 B, 8-way associative
desc: D1 cache: 32768 B, 64 B, 8-way associative
desc: LL cache: 268435456 B, 64 B, direct-mapped
desc: Timerange: Basic block 0 - 81161
desc: Trigger: Program termination

positions: line
events: Ir Dr Dw I1mr D1mr D1mw ILmr DLmr DLmw
summary: 5980 5914 142 16 10 0 16 8

totals: 5980 5914 142 16 10 0 16 8";

    #[test]
    fn the_total_is_read_from_a_real_callgrind_file() {
        assert_eq!(
            crate::callgrind::total_instructions(DECAY_1000).unwrap(),
            5980
        );
        assert_eq!(
            crate::callgrind::total_instructions(DECAY_1000_CACHE_SIM).unwrap(),
            5980
        );
        let moved = DECAY_1000_CACHE_SIM.replace("events: Ir Dr", "events: Dr Ir");
        assert_eq!(crate::callgrind::total_instructions(&moved).unwrap(), 5914);
    }

    #[test]
    fn a_real_callgrind_file_gives_each_function_its_own_cost() {
        let p = crate::callgrind::profile(DECAY_1000).unwrap();
        let f = |name: &str| p.functions.iter().find(|f| f.name == name).unwrap();
        assert_eq!(p.functions[0].name, "pmk_decay_avx2");
        assert_eq!(f("pmk_decay_avx2").self_cost.ir, 5922);
        assert_eq!(f("perfmatrix_kernels::Kernels::decay").self_cost.ir, 21);
        assert_eq!(f("perfmatrix_kernels::Kernels::decay").inclusive_ir, 5943);
        assert_eq!(f("perfmatrix_count_region").inclusive_ir, 5980);
        assert_eq!(
            p.total().ir,
            5980,
            "the functions' own costs add up to the total"
        );
    }

    #[test]
    fn without_totals_the_summary_counts_and_without_either_it_is_an_error() {
        let summary_only = DECAY_1000.replace("totals: 5980", "");
        assert_eq!(
            crate::callgrind::total_instructions(&summary_only).unwrap(),
            5980
        );
        let neither = summary_only.replace("summary: 5980", "");
        let err = crate::callgrind::total_instructions(&neither)
            .unwrap_err()
            .to_string();
        assert!(err.contains("totals"), "{err}");
        let no_ir = DECAY_1000.replace("events: Ir", "events: Dr");
        let err = crate::callgrind::total_instructions(&no_ir)
            .unwrap_err()
            .to_string();
        assert!(err.contains("Ir"), "{err}");
        let garbled = DECAY_1000.replace("totals: 5980", "totals: many");
        let err = crate::callgrind::total_instructions(&garbled)
            .unwrap_err()
            .to_string();
        assert!(err.contains("many"), "{err}");
        assert!(crate::callgrind::total_instructions("").is_err());
    }

    #[test]
    fn missing_valgrind_is_unavailable_with_the_install_command() {
        let nowhere = |_: &str| None;
        assert_eq!(
            instruction_counter(None, &nowhere),
            Err(Unmeasured::NoValgrind {
                install: INSTALL_VALGRIND.to_owned()
            })
        );
        let found = |p: &str| Some(PathBuf::from(format!("/opt/bin/{p}")));
        assert_eq!(
            instruction_counter(None, &found),
            Ok(PathBuf::from("/opt/bin/valgrind"))
        );
    }

    #[test]
    fn an_emulated_target_is_unavailable_even_with_valgrind() {
        let found = |p: &str| Some(PathBuf::from(format!("/usr/bin/{p}")));
        assert_eq!(
            instruction_counter(Some(("aarch64", "x86_64")), &found),
            Err(Unmeasured::Emulated {
                target_arch: "aarch64".to_owned(),
                host_arch: "x86_64".to_owned()
            })
        );
    }

    #[test]
    fn the_count_line_gives_the_variant_and_the_peak_or_why_there_is_none() {
        let line =
            br#"{"id":"decay/1000","variant":"avx2-fma","planted":null,"peak_rss_bytes":2412544}"#;
        let parsed = CountLine::parse("decay/1000", line).unwrap();
        assert_eq!(parsed.variant, "avx2-fma");
        assert_eq!(parsed.peak_rss_bytes, Measured::Value { value: 2_412_544 });
        let line = br#"{"id":"decay/1000","variant":"portable","planted":null,"peak_rss_bytes":null,"peak_rss_unavailable":"no /proc"}"#;
        let parsed = CountLine::parse("decay/1000", line).unwrap();
        assert_eq!(
            parsed.peak_rss_bytes,
            Measured::unavailable(Unmeasured::NoPeakMemory {
                said: Some("no /proc".to_owned())
            })
        );
        assert!(CountLine::parse("decay/10000", line).is_err());
        assert!(CountLine::parse("decay/1000", b"").is_err());
    }

    /// The ids the slow test counts: the two cheapest benchmarks of two kernels.
    fn cheap_ids() -> Vec<String> {
        vec!["decay/1000".to_owned(), "cosine/768x100".to_owned()]
    }

    fn counts(metrics: &BTreeMap<String, Counts>) -> Vec<(String, u64)> {
        metrics
            .iter()
            .map(|(id, m)| {
                let value = m.instructions.value().unwrap_or_else(|| {
                    panic!("`{id}` was not counted: {:?}", m.instructions.why())
                });
                (id.clone(), value)
            })
            .collect()
    }

    /// Counts twice (identical), once with 2% of decay's work planted (decay grows, cosine does
    /// not move) and once with valgrind hidden (unavailable, peak RSS still measured).
    /// Skipped with a note when valgrind is missing, except in CI (`CI` set), where it fails.
    #[test]
    fn counting_the_same_build_twice_gives_identical_instruction_counts() {
        if find_in_path("valgrind").is_none() {
            assert!(
                std::env::var_os("CI").is_none(),
                "valgrind is not installed, and CI is set: the instruction-count determinism \
                 test must run in CI (.ci/run installs valgrind; `{INSTALL_VALGRIND}`)"
            );
            // Written to the stream itself: libtest would swallow `eprintln!` of a passing test.
            let _ = writeln!(
                std::io::stderr(),
                "note: skipping the instruction-count determinism test: valgrind is not \
                 installed (`{INSTALL_VALGRIND}`)"
            );
            return;
        }
        let ids = cheap_ids();
        let binaries = dev_binaries();
        let measure = |env: &[(String, String)], lookup: &dyn Fn(&str) -> Option<PathBuf>| {
            measure_in(
                None,
                &binaries,
                &ids,
                env,
                lookup,
                counting_quiet().unwrap(),
            )
            .unwrap()
            .all_counted()
        };
        let first = measure(&[], &find_in_path);
        let second = measure(&[], &find_in_path);
        assert_eq!(counts(&first), counts(&second));
        for (id, m) in &first {
            let peak = m.peak_rss_bytes.value();
            assert!(peak.is_some_and(|p| p > 1 << 20), "{id}: peak RSS {peak:?}");
        }

        let plant = [("PERFMATRIX_PLANT_WORK".to_owned(), "decay=0.02".to_owned())];
        let planted = counts(&measure(&plant, &find_in_path));
        let before = counts(&first);
        for ((id, planted), (_, normal)) in planted.iter().zip(&before) {
            let growth = *planted as f64 / *normal as f64 - 1.0;
            if id.starts_with("decay/") {
                // In a dev build the wrapper's fixed cost is a larger share than in release
                // (where decay=0.02 adds 2.0-2.2%, docs/kernels.md): only its direction is checked.
                assert!(growth > 0.015, "{id}: grew by {growth}");
            } else {
                assert!(growth.abs() < 1e-12, "{id}: moved by {growth}");
            }
        }

        let hidden = measure(&[], &|_| None);
        for (id, m) in &hidden {
            assert!(
                matches!(m.instructions.why(), Some(Unmeasured::NoValgrind { install }) if install == INSTALL_VALGRIND),
                "{id}: {:?}",
                m.instructions
            );
            assert!(m.peak_rss_bytes.value().is_some(), "{id}");
        }
    }

    /// `--perfmatrix-count-each` forks each id from the same parent: an id counts the same
    /// whatever ids are counted with it, in whatever order, and as its own process counts it.
    #[test]
    fn an_id_counts_the_same_whatever_is_counted_with_it() {
        if find_in_path("valgrind").is_none() {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI must run this test with valgrind"
            );
            return;
        }
        let binaries = dev_binaries();
        assert!(
            binaries[0].count_each,
            "the harness has the count-each mode"
        );
        let count = |ids: &[&str], binaries: &[BenchBinary]| {
            let ids: Vec<String> = ids.iter().map(|&id| id.to_owned()).collect();
            counts(
                &measure_in(
                    None,
                    binaries,
                    &ids,
                    &[],
                    &find_in_path,
                    counting_quiet().unwrap(),
                )
                .unwrap()
                .all_counted(),
            )
        };
        let many = count(
            &[
                "spread/100n-500e-100i",
                "decay/1000",
                "cosine/768x100",
                "decay/10000",
            ],
            &binaries,
        );
        let few = count(&["cosine/768x100", "decay/1000"], &binaries);
        let by_id = |all: &[(String, u64)], id: &str| all.iter().find(|(i, _)| i == id).unwrap().1;
        for id in ["decay/1000", "cosine/768x100"] {
            assert_eq!(by_id(&many, id), by_id(&few, id), "{id}");
        }
        // One process per id, as a harness without the mode is counted.
        let mut one_each = binaries.clone();
        one_each[0].count_each = false;
        assert_eq!(count(&["cosine/768x100", "decay/1000"], &one_each), few);
    }

    /// The workspace's bench binaries in a dev build (what `cargo test` builds anyway).
    fn dev_binaries() -> Vec<BenchBinary> {
        let root = &crate::repo_root();
        crate::binaries::Build {
            workspace: root,
            target_dir: None,
            target: None,
            benches: &["kernels".to_owned()],
            label: "test",
            dev: true,
        }
        .run()
        .unwrap()
    }

    /// The start of a shell script standing in for a bench binary: `line <id>` prints the
    /// count line of `<id>`.
    const LINE_SH: &str = "#!/bin/sh\n\
        line() { echo \"{\\\"id\\\":\\\"$1\\\",\\\"variant\\\":\\\"portable\\\",\\\"peak_rss_bytes\\\":4096}\"; }\n";

    /// An executable shell script `name` in `dir`.
    fn script_in(dir: &Path, name: &str, text: &str) -> PathBuf {
        use std::os::unix::fs::PermissionsExt as _;
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path
    }

    /// The harness binary `exe` (a script standing in for one) of `ids`, with the `count-each`
    /// mode.
    /// A failure's line says what the run said of it, not std's backtrace hint or valgrind's
    /// closing lines (before: "note: run with `RUST_BACKTRACE=1` …" stood for every panic).
    #[test]
    fn a_failure_is_told_by_its_last_words_that_matter() {
        let panic = "thread 'main' panicked at benches/ops.rs:22:29:\nboom when counted\n\
                     note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\n";
        assert_eq!(
            last_message(panic).unwrap(),
            "panicked at benches/ops.rs:22:29: boom when counted"
        );
        let under_valgrind = "error: no such id\n==4242== \n==4242== Events    : Ir\n\
                              ==4242== Collected : 1234\n";
        assert_eq!(last_message(under_valgrind).unwrap(), "error: no such id");
        assert_eq!(last_message("\n  \n"), None);
    }

    /// Counts `ids` of the `count-each` script `exe` with the script `valgrind` as valgrind,
    /// stopping a process silent for `quiet` seconds.
    fn count_each(exe: PathBuf, valgrind: PathBuf, ids: &[String], quiet: u64) -> CountsOf {
        let binary = BenchBinary {
            name: "bench".to_owned(),
            workspace: exe.parent().unwrap().to_owned(),
            exe,
            target: None,
            ids: ids.to_vec(),
            on_harness: true,
            via_layer: false,
            count_each: true,
        };
        let lookup = move |program: &str| (program == "valgrind").then(|| valgrind.clone());
        measure_in(
            None,
            &[binary],
            ids,
            &[],
            &lookup,
            Quiet(std::time::Duration::from_secs(quiet)),
        )
        .unwrap()
    }

    /// A benchmark whose counted call never ends under valgrind (and only there: its timing and
    /// its native counting run are fine) is stopped within the deadline and named as failed; one
    /// whose native counting run panics is failed too; the others are counted, those the hung
    /// `count-each` process never reached in a round of their own. Before the deadline, the
    /// run waited for ever; before failures were kept apart, the first one stopped the whole run.
    #[test]
    fn a_call_that_never_ends_under_valgrind_is_stopped_and_named() {
        let dir = tempfile::tempdir().unwrap();
        let script = |name: &str, text: &str| script_in(dir.path(), name, text);
        // Counts natively, but `boom/1` and `both/1` panic there; under "valgrind" (the variable
        // below) `hang/1` and `both/1` hang in their counted calls. On two cores or four,
        // `both/1` shares its `count-each` process with an id after it.
        let exe = script(
            "bench.sh",
            &format!(
                "{LINE_SH}\
             case \"$1\" in\n\
             --perfmatrix-count) case \"$2\" in boom/1|both/1) printf '%s\\n' \"thread 'main' panicked at b.rs:3:5:\" boom 'note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace' >&2; exit 101 ;; esac; line \"$2\" ;;\n\
             --perfmatrix-count-each) while read id; do case \"$id\" in hang/1|both/1) exec sleep 600 ;; esac; line \"$id\"; done ;;\n\
             esac\n"
            ),
        );
        // Writes a callgrind file of 1,234 instructions, drops valgrind's options and runs the
        // program.
        let valgrind = script(
            "valgrind",
            "#!/bin/sh\n\
             for a; do case \"$a\" in --callgrind-out-file=*) out=\"${a#--callgrind-out-file=}\" ;; esac; done\n\
             printf 'events: Ir\\nsummary: 1234\\n' > \"$out\"\n\
             while [ \"${1#-}\" != \"$1\" ]; do shift; done\nexec \"$@\"\n",
        );
        let ids: Vec<String> = [
            "a/1", "hang/1", "b/1", "boom/1", "both/1", "c/1", "d/1", "e/1",
        ]
        .map(str::to_owned)
        .to_vec();
        let began = std::time::Instant::now();
        let got = count_each(exe, valgrind, &ids, 1);
        assert!(
            began.elapsed() < std::time::Duration::from_secs(30),
            "{:?}",
            began.elapsed()
        );
        let failed: Vec<(&str, &str)> = got
            .failed
            .iter()
            .map(|f| (f.id.as_str(), f.error.as_str()))
            .collect();
        assert_eq!(failed.len(), 3, "{failed:?}");
        assert_eq!(failed[0].0, "hang/1");
        assert!(
            failed[0]
                .1
                .starts_with("the counting run under valgrind failed (signal: 9")
                && failed[0]
                    .1
                    .contains("printed nothing for 1 s, so it was stopped"),
            "{}",
            failed[0].1
        );
        for (failed, id) in failed[1..].iter().zip(["boom/1", "both/1"]) {
            assert_eq!(
                *failed,
                (
                    id,
                    "the counting run failed (exit status: 101): panicked at b.rs:3:5: boom"
                )
            );
        }
        let counted: Vec<(&str, Option<u64>)> = got
            .counts
            .iter()
            .map(|(id, c)| (id.as_str(), c.instructions.value()))
            .collect();
        assert_eq!(
            counted,
            [
                ("a/1", Some(1234)),
                ("b/1", Some(1234)),
                ("c/1", Some(1234)),
                ("d/1", Some(1234)),
                ("e/1", Some(1234))
            ]
        );
    }

    /// When valgrind itself fails (its process ends by itself, not killed), every id fails in
    /// one round: none is counted again (which would start valgrind and the native runs once
    /// per id).
    #[test]
    fn a_valgrind_that_cannot_start_fails_every_id_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let script = |name: &str, text: &str| script_in(dir.path(), name, text);
        let exe = script("bench.sh", &format!("{LINE_SH}line \"$2\"\n"));
        let starts = dir.path().join("starts");
        let valgrind = script(
            "valgrind",
            &format!(
                "#!/bin/sh\necho started >> {}\necho 'valgrind: failed to start tool' >&2\nexit 1\n",
                starts.display()
            ),
        );
        let ids: Vec<String> = ["a/1", "b/1", "c/1", "d/1", "e/1"]
            .map(str::to_owned)
            .to_vec();
        let got = count_each(exe, valgrind, &ids, 10);
        assert!(got.counts.is_empty(), "{:?}", got.counts);
        let failed: Vec<&str> = got.failed.iter().map(|f| f.id.as_str()).collect();
        assert_eq!(failed, ids);
        assert!(
            got.failed[0]
                .error
                .ends_with("valgrind: failed to start tool"),
            "{}",
            got.failed[0].error
        );
        let rounds = std::fs::read_to_string(&starts).unwrap().lines().count();
        // The ids split into as many processes as there are cores (`callgrind_runs`).
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
        let processes = ids.len().div_ceil(ids.len().div_ceil(cores));
        assert_eq!(
            rounds, processes,
            "valgrind started once per process of one round"
        );
    }

    #[test]
    fn a_benchmark_off_the_harness_is_unavailable_not_an_error() {
        let plain = BenchBinary {
            name: "plain".to_owned(),
            exe: PathBuf::from("/nonexistent/plain"),
            target: None,
            workspace: PathBuf::from("."),
            ids: vec!["sum/1000".to_owned()],
            on_harness: false,
            via_layer: false,
            count_each: false,
        };
        let ids = ["sum/1000".to_owned()];
        let metrics = measure_in(
            None,
            &[plain],
            &ids,
            &[],
            &|_| None,
            counting_quiet().unwrap(),
        )
        .unwrap()
        .all_counted();
        let m = &metrics["sum/1000"];
        assert_eq!(m.instructions.why(), Some(&Unmeasured::NotOnHarness));
        assert_eq!(m.peak_rss_bytes.why(), Some(&Unmeasured::NotOnHarness));
    }
}
