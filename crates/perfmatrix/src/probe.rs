//! Fingerprints a benchmark run: the probe example runs for the benchmarked target (through the
//! same runner as the benchmarks) and reports CPU and kernel variants; the toolchain and git facts
//! are added here, on the host.

use std::process::Command;

use anyhow::{Context, bail};
use perfmatrix_fingerprint::{Fingerprint, Git, Toolchain};

use crate::tools::arch;

/// The fingerprint of a run for `target` (None: the host).
pub(crate) fn fingerprint(target: Option<&str>) -> anyhow::Result<Fingerprint> {
    let host = crate::workspace::host_triple()?;
    let triple = target.unwrap_or(&host).to_owned();
    let emulated = crate::tools::runs_emulated(&triple, &host);
    let mut cmd = probe_command("run", target);
    cmd.args(["--", &triple]);
    if emulated {
        // A foreign architecture only runs here through the runner of .cargo/config.toml.
        cmd.arg(format!("qemu-{}", arch(&triple)));
    }
    let out = cmd.output().context("cannot run the fingerprint probe")?;
    if !out.status.success() {
        bail!(
            "the fingerprint probe failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let mut fp = Fingerprint::from_json(&String::from_utf8_lossy(&out.stdout))
        .context("the fingerprint probe printed an invalid fingerprint")?;
    fp.toolchain = Toolchain::detect(&c_compiler(&triple, &host), "bench");
    fp.toolchain.probe = format!("perfmatrix-harness/{}", perfmatrix_harness::PROTOCOL);
    fp.git = Git::collect(std::path::Path::new("."));
    Ok(fp)
}

/// `cargo <verb>` of the probe example for `target` (None: the host).
fn probe_command(verb: &str, target: Option<&str>) -> Command {
    let mut cmd = Command::new(crate::cargo());
    cmd.args([
        verb,
        "--quiet",
        "--release",
        "--package",
        "perfmatrix-kernels",
    ]);
    cmd.args(["--example", "perfmatrix_probe"]);
    if let Some(t) = target {
        cmd.args(["--target", t]);
    }
    cmd
}

/// The command that builds the probe for `target` without running it.
pub(crate) fn build_command(target: Option<&str>) -> Command {
    probe_command("build", target)
}

/// The C compiler cc-rs uses for `triple`: `CC_<triple>` if set, else `cc` natively or
/// `<arch>-linux-gnu-gcc` for a cross build (as .cargo/config.toml sets up).
fn c_compiler(triple: &str, host: &str) -> String {
    let var = format!("CC_{}", triple.replace('-', "_"));
    std::env::var(&var).unwrap_or_else(|_| {
        if triple == host {
            "cc".to_owned()
        } else {
            format!("{}-linux-gnu-gcc", arch(triple))
        }
    })
}
