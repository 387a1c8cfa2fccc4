//! `cargo xtask matrix run`: the rehearsal of the CI matrix on one machine. Every leg this machine
//! can run — the host natively, a foreign architecture cross-compiled and run under qemu-user when
//! its cross tools are present — is built (builds in parallel), then measured one leg at a time
//! (two measurements at once on two cores would corrupt each other), and the legs are merged by
//! the same code as `cargo xtask merge`. A leg that cannot run here is reported as skipped, with
//! the command that installs what it lacks.

use std::path::{Path, PathBuf};
use std::process::{ExitCode, Stdio};

use anyhow::{Context, bail};
use perfmatrix_fingerprint::TargetTriple;
use perfmatrix_model::{LegResults, RunSettings, Skipped};
use perfmatrix_report::Format;

use crate::bench::LegJob;
use crate::children::{AtOnce, run_all};
use crate::merge::{Outputs, expected_of, report, results_file};
use crate::suite::{FULL, QUICK};
use crate::workspace::{Invocation, Workspace};

#[derive(Debug, clap::Args)]
pub(crate) struct Run {
    /// Only benchmarks whose id matches this regular expression (criterion's filter)
    filter: Option<String>,
    /// A short smoke run of every leg (few samples): labelled quick
    #[arg(long)]
    quick: bool,
    /// Only show which legs would run and which are skipped, and why
    #[arg(long)]
    plan: bool,
    /// Folder of recorded baselines [default: the `baselines` setting, `baselines`]
    #[arg(long, value_name = "DIR")]
    baselines: Option<PathBuf>,
    /// Where the legs' results and the merged report (merged.md, .html, .json) are written
    /// [default: target/perfmatrix/matrix]
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
    /// How to print the merged report: table, markdown, json or html
    #[arg(long, default_value = "table")]
    format: Format,
}

/// How one platform's leg runs on this machine, or why it cannot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Plan {
    Native,
    /// Cross-compiled for `--target` and run under this emulator.
    Emulated {
        emulator: String,
    },
    Skip {
        reason: String,
    },
}

/// What this machine has, as far as the rehearsal cares (a trait so tests can take tools away).
pub(crate) trait Tools {
    /// Whether `program` is on the PATH.
    fn has(&self, program: &str) -> bool;
    /// Whether Rust's standard library for `triple` is installed (`rustup target add`).
    fn has_rust_target(&self, triple: &str) -> bool;
    /// Whether `.cargo/config.toml` names a runner for `triple`.
    fn has_runner(&self, triple: &str) -> bool;
}

/// How each leg runs here: the host natively; another Linux triple under `qemu-<arch>` when its
/// cross C compiler, emulator, Rust target and cargo runner are all present.
pub(crate) fn plan(host: &str, triple: &str, tools: &dyn Tools) -> Plan {
    if triple == host {
        return Plan::Native;
    }
    let arch = crate::tools::arch(triple);
    if !triple.ends_with("-linux-gnu") || !host.ends_with("-linux-gnu") {
        return Plan::Skip {
            reason: format!(
                "{triple} cannot be emulated on {host}: only Linux targets run under qemu-user \
                 here; its leg runs on its own CI runner"
            ),
        };
    }
    let gcc = format!("{arch}-linux-gnu-gcc");
    let emulator = format!("qemu-{arch}");
    let mut packages = Vec::new();
    if !tools.has(&gcc) {
        // Debian spells x86_64 with dashes in package names: gcc-x86-64-linux-gnu.
        packages.push(format!("gcc-{}-linux-gnu", arch.replace('_', "-")));
        packages.push(format!("libc6-dev-{}-cross", debian_arch(arch)));
    }
    if !tools.has(&emulator) {
        packages.push("qemu-user".to_owned());
    }
    let mut missing = Vec::new();
    if !packages.is_empty() {
        missing.push(format!("`sudo apt-get install {}`", packages.join(" ")));
    }
    if !tools.has_rust_target(triple) {
        missing.push(format!("`rustup target add {triple}`"));
    }
    if !missing.is_empty() {
        return Plan::Skip {
            reason: format!(
                "the cross tools for {triple} are not installed here; install them with {}",
                missing.join(" and ")
            ),
        };
    }
    if !tools.has_runner(triple) {
        return Plan::Skip {
            reason: format!(
                "no runner for {triple} in .cargo/config.toml: add `[target.{triple}]` with \
                 `linker = \"{gcc}\"` and `runner = [\"{emulator}\", \"-L\", \"/usr/{arch}-linux-gnu\"]`"
            ),
        };
    }
    Plan::Emulated { emulator }
}

/// Debian's name of an architecture (`aarch64` is `arm64`, `x86_64` is `amd64`).
fn debian_arch(arch: &str) -> &str {
    match arch {
        "aarch64" => "arm64",
        "x86_64" => "amd64",
        "powerpc64le" => "ppc64el",
        other => other,
    }
}

/// The real machine.
struct Here<'a> {
    root: &'a Path,
}

impl Tools for Here<'_> {
    fn has(&self, program: &str) -> bool {
        crate::tools::find_in_path(program).is_some()
    }

    fn has_rust_target(&self, triple: &str) -> bool {
        let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
        let Ok(out) = std::process::Command::new(rustc)
            .args(["--print", "target-libdir", "--target", triple])
            .stderr(Stdio::null())
            .output()
        else {
            return false;
        };
        let libdir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        out.status.success()
            && std::fs::read_dir(libdir).is_ok_and(|mut entries| {
                entries.any(|e| {
                    e.is_ok_and(|e| e.file_name().to_string_lossy().starts_with("libstd-"))
                })
            })
    }

    fn has_runner(&self, triple: &str) -> bool {
        let var = format!(
            "CARGO_TARGET_{}_RUNNER",
            triple.to_uppercase().replace('-', "_")
        );
        std::env::var_os(var).is_some()
            || std::fs::read_to_string(self.root.join(".cargo/config.toml")).is_ok_and(|text| {
                let header = format!("[target.{triple}]");
                text.split(&header).nth(1).is_some_and(|rest| {
                    rest.split("\n[")
                        .next()
                        .is_some_and(|t| t.contains("runner"))
                })
            })
    }
}

impl Run {
    pub(crate) fn run(self, at: &Invocation) -> anyhow::Result<ExitCode> {
        let ws = at.workspace()?;
        let here = Here { root: &at.root };
        let plans: Vec<(&TargetTriple, Plan)> = ws
            .config
            .platforms
            .iter()
            .map(|p| (&p.triple, plan(ws.host.as_str(), p.triple.as_str(), &here)))
            .collect();
        if plans.is_empty() {
            bail!(
                "the matrix is empty: declare platforms in [workspace.metadata.perfmatrix] \
                 platforms in Cargo.toml"
            );
        }
        for (triple, plan) in &plans {
            eprintln!("{triple}: {}", describe(plan));
        }
        if self.plan {
            return Ok(ExitCode::SUCCESS);
        }
        let _lock = ws.lock_runs("matrix run")?;
        let dir = self
            .dir
            .clone()
            .unwrap_or_else(|| ws.target_dir.join("perfmatrix").join("matrix"));
        let settings = RunSettings {
            filter: self.filter.clone(),
            ..if self.quick { QUICK } else { FULL }
        };
        let legs: Vec<(&TargetTriple, LegJob)> = plans
            .iter()
            .filter(|(_, plan)| !matches!(plan, Plan::Skip { .. }))
            .map(|(triple, plan)| {
                let leg = LegJob {
                    target: matches!(plan, Plan::Emulated { .. }).then(|| triple.to_string()),
                    settings: settings.clone(),
                    out: results_file(&dir, triple.as_str()),
                    label: format!("{triple}: "),
                    gate_time: false,
                    shard: None,
                };
                (*triple, leg)
            })
            .collect();
        build_all(&ws, &legs)?;
        let mut merged_legs = Vec::with_capacity(legs.len());
        for (triple, leg) in &legs {
            eprintln!("== leg {triple}");
            let (results, report) =
                leg.run(&ws, triple, &ws.baselines(self.baselines.as_deref()))?;
            merged_legs.push(LegResults::of_run(&leg.out, &results, report));
        }
        let skipped: Vec<Skipped> = plans
            .into_iter()
            .filter_map(|(platform, plan)| match plan {
                Plan::Skip { reason } => Some(Skipped {
                    platform: platform.clone(),
                    reason,
                }),
                Plan::Native | Plan::Emulated { .. } => None,
            })
            .collect();
        // Required platforms stay required, except those skipped on purpose here: they are shown
        // as skipped (never as passed), and CI runs them on their own runners.
        let expected: Vec<_> = expected_of(&ws.config)
            .into_iter()
            .map(|mut e| {
                e.required &= !skipped.iter().any(|s| s.platform == e.platform);
                e
            })
            .collect();
        let outputs = Outputs {
            format: self.format,
            markdown: Some(dir.join("merged.md")),
            html: Some(dir.join("merged.html")),
            json: Some(dir.join("merged.json")),
        };
        report(merged_legs, &expected, &skipped, &outputs)
    }
}

fn describe(plan: &Plan) -> String {
    match plan {
        Plan::Native => "native leg".to_owned(),
        Plan::Emulated { emulator } => {
            format!("emulated leg under {emulator} (compared only with emulated baselines)")
        }
        Plan::Skip { reason } => format!("skipped: {reason}"),
    }
}

/// Builds every leg's benchmarks at once: building is where a
/// machine's cores can be shared. Cargo's own lock on the target folder serialises what must be.
fn build_all(ws: &Workspace, legs: &[(&TargetTriple, LegJob)]) -> anyhow::Result<()> {
    let commands: Vec<(String, std::process::Command)> = legs
        .iter()
        .map(|(triple, leg)| {
            let suite = leg.suite(ws, triple);
            (format!("{triple} benchmarks"), suite.build_command())
        })
        .collect();
    let (names, commands): (Vec<String>, Vec<std::process::Command>) = commands
        .into_iter()
        .inspect(|(what, _)| eprintln!("building {what}"))
        .unzip();
    let outcomes = run_all(commands, AtOnce::All, "the builds", None)?;
    for (what, out) in names.into_iter().zip(outcomes) {
        let out = out.with_context(|| format!("cannot start the build of {what}"))?;
        if !out.status.success() {
            bail!(
                "building {what} failed ({}):\n{}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fake {
        programs: &'static [&'static str],
        targets: &'static [&'static str],
        runners: &'static [&'static str],
    }

    impl Tools for Fake {
        fn has(&self, program: &str) -> bool {
            self.programs.contains(&program)
        }
        fn has_rust_target(&self, triple: &str) -> bool {
            self.targets.contains(&triple)
        }
        fn has_runner(&self, triple: &str) -> bool {
            self.runners.contains(&triple)
        }
    }

    const X86: &str = "x86_64-unknown-linux-gnu";
    const ARM: &str = "aarch64-unknown-linux-gnu";

    #[test]
    fn the_host_leg_is_native() {
        let none = Fake {
            programs: &[],
            targets: &[],
            runners: &[],
        };
        assert_eq!(plan(X86, X86, &none), Plan::Native);
    }

    #[test]
    fn without_cross_tools_the_arm_leg_is_skipped_with_the_install_commands() {
        let none = Fake {
            programs: &[],
            targets: &[],
            runners: &[],
        };
        let Plan::Skip { reason } = plan(X86, ARM, &none) else {
            panic!("must skip");
        };
        assert!(
            reason.contains(
                "sudo apt-get install gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user"
            ) && reason.contains("rustup target add aarch64-unknown-linux-gnu"),
            "{reason}"
        );
        let only_qemu_missing = Fake {
            programs: &["aarch64-linux-gnu-gcc"],
            targets: &[ARM],
            runners: &[ARM],
        };
        let Plan::Skip { reason } = plan(X86, ARM, &only_qemu_missing) else {
            panic!("must skip");
        };
        assert!(
            reason.contains("`sudo apt-get install qemu-user`") && !reason.contains("rustup"),
            "{reason}"
        );
    }

    #[test]
    fn with_every_tool_the_arm_leg_runs_under_qemu() {
        let all = Fake {
            programs: &["aarch64-linux-gnu-gcc", "qemu-aarch64"],
            targets: &[ARM],
            runners: &[ARM],
        };
        assert_eq!(
            plan(X86, ARM, &all),
            Plan::Emulated {
                emulator: "qemu-aarch64".to_owned()
            }
        );
        let no_runner = Fake {
            runners: &[],
            ..all
        };
        assert!(
            matches!(plan(X86, ARM, &no_runner), Plan::Skip { reason } if reason.contains(".cargo/config.toml"))
        );
    }

    #[test]
    fn non_linux_targets_are_left_to_their_runners() {
        let all = Fake {
            programs: &[],
            targets: &[],
            runners: &[],
        };
        assert!(
            matches!(plan(X86, "aarch64-apple-darwin", &all), Plan::Skip { reason } if reason.contains("own CI runner"))
        );
    }
}
