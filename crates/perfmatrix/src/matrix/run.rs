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
use perfmatrix_model::{CrossTools, LegResults, RunSettings, SkipReason, Skipped};
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
        reason: SkipReason,
    },
}

/// What this machine has, as far as the rehearsal cares (a trait so tests can take tools away).
pub(crate) trait Tools {
    /// Whether `program` is on the PATH.
    fn has(&self, program: &str) -> bool;
    /// Whether Rust's standard library for `triple` is installed (`rustup target add`).
    fn has_rust_target(&self, triple: &TargetTriple) -> bool;
    /// Whether `.cargo/config.toml` names a runner for `triple`.
    fn has_runner(&self, triple: &TargetTriple) -> bool;
}

/// How each leg runs here: the host natively; another Linux triple under `qemu-<arch>` when its
/// cross C compiler, emulator, Rust target and cargo runner are all present.
pub(crate) fn plan(host: &TargetTriple, triple: &TargetTriple, tools: &dyn Tools) -> Plan {
    if triple == host {
        return Plan::Native;
    }
    if !triple.ends_with("-linux-gnu") || !host.ends_with("-linux-gnu") {
        return Plan::Skip {
            reason: SkipReason::NotEmulable { host: host.clone() },
        };
    }
    let cross = CrossTools::of(triple);
    let emulator = cross.emulator();
    let (compiler, emulator_missing, rust_target) = (
        !tools.has(&cross.compiler()),
        !tools.has(&emulator),
        !tools.has_rust_target(triple),
    );
    if compiler || emulator_missing || rust_target {
        return Plan::Skip {
            reason: SkipReason::CrossToolsMissing {
                compiler,
                emulator: emulator_missing,
                rust_target,
            },
        };
    }
    if !tools.has_runner(triple) {
        return Plan::Skip {
            reason: SkipReason::NoRunner,
        };
    }
    Plan::Emulated { emulator }
}

/// The real machine.
struct Here<'a> {
    root: &'a Path,
}

impl Tools for Here<'_> {
    fn has(&self, program: &str) -> bool {
        crate::tools::find_in_path(program).is_some()
    }

    fn has_rust_target(&self, triple: &TargetTriple) -> bool {
        let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
        let Ok(out) = std::process::Command::new(rustc)
            .args(["--print", "target-libdir", "--target", triple.as_str()])
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

    fn has_runner(&self, triple: &TargetTriple) -> bool {
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
            .map(|p| (&p.triple, plan(&ws.host, &p.triple, &here)))
            .collect();
        if plans.is_empty() {
            bail!(
                "the matrix is empty: declare platforms in [workspace.metadata.perfmatrix] \
                 platforms in Cargo.toml"
            );
        }
        for (triple, plan) in &plans {
            eprintln!("{triple}: {}", describe(triple, plan));
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
                    target: matches!(plan, Plan::Emulated { .. }).then(|| (*triple).clone()),
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

fn describe(triple: &TargetTriple, plan: &Plan) -> String {
    match plan {
        Plan::Native => "native leg".to_owned(),
        Plan::Emulated { emulator } => {
            format!("emulated leg under {emulator} (compared only with emulated baselines)")
        }
        Plan::Skip { reason } => {
            format!(
                "skipped: {}",
                perfmatrix_report::skip_reason(triple, reason)
            )
        }
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
        fn has_rust_target(&self, triple: &TargetTriple) -> bool {
            self.targets.contains(&triple.as_str())
        }
        fn has_runner(&self, triple: &TargetTriple) -> bool {
            self.runners.contains(&triple.as_str())
        }
    }

    const X86: &str = "x86_64-unknown-linux-gnu";
    const ARM: &str = "aarch64-unknown-linux-gnu";

    fn plan(host: &str, triple: &str, tools: &dyn Tools) -> Plan {
        let parse = |t: &str| TargetTriple::parse(t).unwrap();
        super::plan(&parse(host), &parse(triple), tools)
    }

    #[test]
    fn the_host_leg_is_native() {
        let none = Fake {
            programs: &[],
            targets: &[],
            runners: &[],
        };
        assert_eq!(plan(X86, X86, &none), Plan::Native);
    }

    fn skip(compiler: bool, emulator: bool, rust_target: bool) -> Plan {
        Plan::Skip {
            reason: SkipReason::CrossToolsMissing {
                compiler,
                emulator,
                rust_target,
            },
        }
    }

    #[test]
    fn without_cross_tools_the_arm_leg_is_skipped_naming_what_is_missing() {
        let none = Fake {
            programs: &[],
            targets: &[],
            runners: &[],
        };
        assert_eq!(plan(X86, ARM, &none), skip(true, true, true));
        let only_qemu_missing = Fake {
            programs: &["aarch64-linux-gnu-gcc"],
            targets: &[ARM],
            runners: &[ARM],
        };
        assert_eq!(plan(X86, ARM, &only_qemu_missing), skip(false, true, false));
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
        assert_eq!(
            plan(X86, ARM, &no_runner),
            Plan::Skip {
                reason: SkipReason::NoRunner
            }
        );
    }

    #[test]
    fn non_linux_targets_are_left_to_their_runners() {
        let all = Fake {
            programs: &[],
            targets: &[],
            runners: &[],
        };
        assert_eq!(
            plan(X86, "aarch64-apple-darwin", &all),
            Plan::Skip {
                reason: SkipReason::NotEmulable {
                    host: TargetTriple::parse(X86).unwrap()
                }
            }
        );
    }
}
