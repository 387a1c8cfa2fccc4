//! The fingerprint of a benchmark run, built in one piece: the machine as the benchmark process
//! sees it (a harness bench binary's `--perfmatrix-fingerprint` mode, run for the benchmarked
//! target through the same runner as the benchmarks, so an emulated run reports the emulated
//! machine and what the code dispatched to there), the toolchain that built it and the git
//! revision, which the orchestrating host knows.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context;
use perfmatrix_fingerprint::{Fingerprint, Git, Machine, TargetTriple, Toolchain};

use crate::binaries::BenchBinary;

/// The fingerprint of a run of `binaries` for `target` (None: the host), built from the
/// workspace at `root`.
///
/// The machine comes from the first harness binary among `binaries`. A suite of plain criterion
/// benchmarks (built against the criterion layer or not) reports no dispatch facts, and its machine is read here, in perfmatrix's own
/// process, marked emulated when the target runs emulated (an emulated CPU's features are then
/// unknown, as they are to any process outside the emulator).
pub(crate) fn of_run(
    root: &Path,
    target: Option<&TargetTriple>,
    binaries: &[BenchBinary],
) -> anyhow::Result<Fingerprint> {
    let host = crate::workspace::host_triple()?;
    let triple = target.unwrap_or(&host);
    let emulator = crate::tools::runs_emulated(triple, &host)
        .then(|| perfmatrix_model::CrossTools::of(triple).emulator());
    let machine = match binaries.iter().find(|b| b.on_harness && !b.via_layer) {
        Some(binary) => ask(binary, triple, emulator.as_deref())?,
        None => Machine::collect(triple, BTreeMap::new(), emulator.as_deref())
            .context("cannot read this machine's facts")?,
    };
    let mut toolchain = Toolchain::detect(&c_compiler(triple, &host), "bench");
    toolchain.harness = format!("perfmatrix-harness/{}", perfmatrix_harness::PROTOCOL);
    Ok(Fingerprint::new(machine, toolchain, Git::collect(root)))
}

/// The machine line of `binary`'s `--perfmatrix-fingerprint` mode.
fn ask(
    binary: &BenchBinary,
    triple: &TargetTriple,
    emulator: Option<&str>,
) -> anyhow::Result<Machine> {
    let mut args = vec!["--perfmatrix-fingerprint", triple.as_str()];
    args.extend(emulator);
    let text = crate::binaries::succeed(
        binary.command(&args),
        &format!(
            "the `{}` benchmarks' machine facts (--perfmatrix-fingerprint)",
            binary.name
        ),
    )?;
    // Under cargo (a cross build) the line is the last one: cargo prints nothing on stdout.
    let line = text
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or_default();
    Machine::from_json(line).with_context(|| {
        format!(
            "the `{}` benchmarks printed no valid machine facts for --perfmatrix-fingerprint",
            binary.name
        )
    })
}

/// The C compiler cc-rs uses for `triple`: `CC_<triple>` if set, else `cc` natively or
/// `<arch>-linux-gnu-gcc` for a cross build (as .cargo/config.toml sets up).
fn c_compiler(triple: &TargetTriple, host: &TargetTriple) -> String {
    let var = format!("CC_{}", triple.replace('-', "_"));
    std::env::var(&var).unwrap_or_else(|_| {
        if triple == host {
            "cc".to_owned()
        } else {
            perfmatrix_model::CrossTools::of(triple).compiler()
        }
    })
}
