//! The workspace's bench binaries: built once by `cargo bench --no-run` (cargo's own progress
//! shown), found in cargo's JSON messages, and asked whether they run on perfmatrix's harness
//! (`--perfmatrix-list`) and which benchmark ids they hold.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, bail};

use crate::layer::{Layer, LockGuard};
use perfmatrix_fingerprint::TargetTriple;
use perfmatrix_model::LayerUnusable;

/// One bench target's executable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BenchBinary {
    /// The bench target's name (`kernels`).
    pub(crate) name: String,
    pub(crate) exe: PathBuf,
    /// `--target` of a cross build, run through cargo (and so `.cargo/config.toml`'s runner).
    pub(crate) target: Option<TargetTriple>,
    /// The workspace the binary belongs to (where cargo runs it from for a cross build).
    pub(crate) workspace: PathBuf,
    /// Its benchmark ids.
    pub(crate) ids: Vec<String>,
    /// Whether it answers perfmatrix's modes (a harness binary, or a plain criterion one built
    /// against the criterion layer); else criterion runs it.
    pub(crate) on_harness: bool,
    /// Whether it is a plain criterion benchmark built against perfmatrix's criterion layer
    /// (which declares no dispatch facts and reports no machine of its own).
    pub(crate) via_layer: bool,
    /// Whether it counts many ids in one process (`--perfmatrix-count-each`, a child forked per
    /// id); else one process per id (a harness or layer older than that mode).
    pub(crate) count_each: bool,
}

impl BenchBinary {
    /// A command that runs the binary with `args`: directly on the host, or through `cargo bench`
    /// and its runner for a cross build (the harness ignores the `--bench` cargo adds).
    pub(crate) fn command(&self, args: &[&str]) -> Command {
        match &self.target {
            None => {
                let mut cmd = Command::new(&self.exe);
                cmd.args(args);
                cmd
            }
            Some(target) => {
                let mut cmd = Command::new(crate::cargo());
                cmd.current_dir(&self.workspace).args([
                    "bench",
                    "--quiet",
                    "--target",
                    target.as_str(),
                    "--bench",
                    &self.name,
                    "--",
                ]);
                cmd.args(args);
                cmd
            }
        }
    }

    /// Whether `id` is one of this binary's harness benchmarks.
    pub(crate) fn serves(&self, id: &str) -> bool {
        self.on_harness && self.has(id)
    }

    /// Whether `id` is one of this binary's benchmarks.
    pub(crate) fn has(&self, id: &str) -> bool {
        self.ids.iter().any(|i| i == id)
    }
}

/// What to build: the bench targets of the workspace at `workspace`.
#[derive(Debug, Clone)]
pub(crate) struct Build<'a> {
    pub(crate) workspace: &'a Path,
    /// `CARGO_TARGET_DIR` (None: the workspace's own).
    pub(crate) target_dir: Option<&'a Path>,
    pub(crate) target: Option<&'a TargetTriple>,
    /// The bench targets to build.
    pub(crate) benches: &'a [String],
    /// What the progress lines call this build (`head`, `base 1a2b3c4d`).
    pub(crate) label: &'a str,
    /// The bench profile (release, as `cargo bench` builds), or dev for the tests' quick builds.
    pub(crate) dev: bool,
}

impl Build<'_> {
    /// `cargo bench --no-run` of the bench targets, with JSON messages on stdout.
    pub(crate) fn command(&self) -> Command {
        self.command_with(None)
    }

    /// [`Build::command`], criterion patched with `layer` when given (diagnostics then stay in
    /// the JSON messages, for the reason a target cannot build against it).
    fn command_with(&self, layer: Option<&Layer>) -> Command {
        let mut cmd = Command::new(crate::cargo());
        cmd.current_dir(self.workspace);
        if self.dev {
            cmd.args(["build", "--workspace"]);
        } else {
            cmd.args(["bench", "--no-run", "--workspace"]);
        }
        match layer {
            None => {
                cmd.arg("--message-format=json-render-diagnostics");
            }
            Some(layer) => {
                cmd.args(["--message-format=json", "--config", &layer.patch()]);
            }
        }
        for bench in self.benches {
            cmd.args(["--bench", bench]);
        }
        if let Some(target) = self.target {
            cmd.args(["--target", target.as_str()]);
        }
        if let Some(dir) = self.target_dir {
            cmd.env("CARGO_TARGET_DIR", dir);
        }
        cmd
    }

    /// Builds (cargo's progress and diagnostics on stderr, as in any build) and returns the
    /// binaries, each asked whether it runs on the harness.
    pub(crate) fn run(&self) -> anyhow::Result<Vec<BenchBinary>> {
        if self.benches.is_empty() {
            bail!(
                "the workspace at {} has no bench targets ([[bench]] in a Cargo.toml)",
                self.workspace.display()
            );
        }
        eprintln!("building the {} benchmarks", self.label);
        let out = self
            .command()
            .stdin(Stdio::null())
            .stderr(Stdio::inherit())
            .output()
            .with_context(|| format!("cannot start the build of the {} benchmarks", self.label))?;
        if !out.status.success() {
            bail!(
                "building the {} benchmarks failed ({})",
                self.label,
                out.status
            );
        }
        self.binaries(&String::from_utf8_lossy(&out.stdout))
    }

    /// Builds against perfmatrix's criterion `layer` (the workspace's lock file put back after)
    /// and returns the binaries; `Ok(Err(reason))` when the bench targets do not build against
    /// it (an API the layer lacks, async benchmarks, a custom measurement), with the first
    /// compiler error as the reason.
    pub(crate) fn run_on_layer(
        &self,
        layer: &Layer,
    ) -> anyhow::Result<Result<Vec<BenchBinary>, LayerUnusable>> {
        eprintln!(
            "building the {} benchmarks against perfmatrix's criterion layer (in place of \
             criterion {})",
            self.label, layer.version
        );
        let out = {
            let _lock = LockGuard::keep(self.workspace);
            self.command_with(Some(layer))
                .stdin(Stdio::null())
                .stderr(Stdio::inherit())
                .output()
                .with_context(|| {
                    format!("cannot start the build of the {} benchmarks", self.label)
                })?
        };
        let messages = String::from_utf8_lossy(&out.stdout);
        if !out.status.success() {
            return Ok(Err(match first_error(&messages) {
                Some(error) => LayerUnusable::DoesNotCompile { error },
                None => LayerUnusable::BuildFailed {
                    status: out.status.to_string(),
                },
            }));
        }
        self.binaries(&messages).map(Ok)
    }

    /// The bench binaries of a build's JSON `messages`, each asked which ids it holds.
    fn binaries(&self, messages: &str) -> anyhow::Result<Vec<BenchBinary>> {
        let mut binaries = executables(messages);
        binaries.retain(|(name, _)| self.benches.contains(name));
        if binaries.is_empty() {
            bail!(
                "cargo built the {} benchmarks but reported none of their executables",
                self.label
            );
        }
        binaries
            .into_iter()
            .map(|(name, exe)| {
                let mut binary = BenchBinary {
                    name,
                    exe,
                    target: self.target.cloned(),
                    workspace: self.workspace.to_path_buf(),
                    ids: Vec::new(),
                    on_harness: false,
                    via_layer: false,
                    count_each: false,
                };
                match harness_ids(&binary)? {
                    Some(listed) => {
                        binary.ids = listed.ids;
                        binary.on_harness = true;
                        binary.via_layer = listed.via_layer;
                        binary.count_each = listed.count_each;
                    }
                    None => binary.ids = criterion_ids(&binary)?,
                }
                Ok(binary)
            })
            .collect()
    }
}

/// The bench executables in cargo's JSON messages, as (target name, path), in build order.
pub(crate) fn executables(messages: &str) -> Vec<(String, PathBuf)> {
    messages
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|m| {
            m["reason"] == "compiler-artifact"
                && m["target"]["kind"]
                    .as_array()
                    .is_some_and(|k| k.iter().any(|k| k == "bench"))
        })
        .filter_map(|m| {
            let name = m["target"]["name"].as_str()?.to_owned();
            Some((name, PathBuf::from(m["executable"].as_str()?)))
        })
        .collect()
}

/// The first compiler error among cargo's JSON `messages`: the target and the error's first
/// line (`error[E0599]: no method named `to_async` found …`).
fn first_error(messages: &str) -> Option<String> {
    messages
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .find(|m| m["reason"] == "compiler-message" && m["message"]["level"] == "error")
        .map(|m| {
            let first = m["message"]["rendered"]
                .as_str()
                .or(m["message"]["message"].as_str())
                .unwrap_or_default()
                .lines()
                .next()
                .unwrap_or_default()
                .to_owned();
            match m["target"]["name"].as_str() {
                Some(target) => format!("the `{target}` target does not build against it: {first}"),
                None => format!("it does not build: {first}"),
            }
        })
}

/// A `--perfmatrix-list` answer: the ids, whether the criterion layer gave them, and whether
/// the binary has the `--perfmatrix-count-each` mode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Listed {
    pub(crate) ids: Vec<String>,
    pub(crate) via_layer: bool,
    pub(crate) count_each: bool,
}

/// The harness's ids of `binary`, or None when it is not a harness binary (it fails on, or does
/// not answer, `--perfmatrix-list` with the protocol's line).
fn harness_ids(binary: &BenchBinary) -> anyhow::Result<Option<Listed>> {
    let out = binary
        .command(&["--perfmatrix-list"])
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("cannot run the bench binary {}", binary.exe.display()))?;
    if !out.status.success() {
        return Ok(None);
    }
    Ok(parse_list(&String::from_utf8_lossy(&out.stdout)))
}

/// The ids of a plain criterion binary (`--bench --list`: `<id>: benchmark` lines).
fn criterion_ids(binary: &BenchBinary) -> anyhow::Result<Vec<String>> {
    let what = format!("listing the benchmarks of {}", binary.exe.display());
    let stdout = succeed(binary.command(&["--bench", "--list"]), &what)?;
    Ok(criterion_list(&stdout))
}

/// Runs `cmd` (no stdin) and returns its stdout; an error naming `what`, with the command's
/// stderr, when it cannot start or fails.
pub(crate) fn succeed(mut cmd: Command, what: &str) -> anyhow::Result<String> {
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("{what}: cannot start it"))?;
    if !out.status.success() {
        bail!(
            "{what} failed ({}):\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The ids in criterion's `--list` output: `<id>: benchmark` lines (criterion 0.5 and later),
/// `<id>: bench` (0.4).
pub(crate) fn criterion_list(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .filter_map(|l| {
            l.strip_suffix(": benchmark")
                .or_else(|| l.strip_suffix(": bench"))
        })
        .map(str::to_owned)
        .collect()
}

/// The ids of a `--perfmatrix-list` line of protocol 1, whether the criterion layer (which
/// says `"layer"`) printed it, and whether it says `"count_each":true`.
pub(crate) fn parse_list(stdout: &str) -> Option<Listed> {
    let line = stdout.lines().rev().find(|l| !l.trim().is_empty())?;
    let json: serde_json::Value = serde_json::from_str(line).ok()?;
    if json["protocol"] != perfmatrix_harness::PROTOCOL {
        return None;
    }
    let ids = json["ids"]
        .as_array()?
        .iter()
        .map(|id| id.as_str().map(str::to_owned))
        .collect::<Option<Vec<_>>>()?;
    Some(Listed {
        ids,
        via_layer: json.get("layer").is_some(),
        count_each: json["count_each"] == true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn criterion_lists_of_every_version_are_read() {
        // 0.5 and later: `: benchmark`; 0.4: `: bench`; anything else printed is not an id.
        let list = "Gnuplot not found\nfib 15: benchmark\n\nsum/100: bench\nsetting up\n";
        assert_eq!(criterion_list(list), ["fib 15", "sum/100"]);
    }

    #[test]
    fn the_first_compiler_error_is_the_reason() {
        let messages = concat!(
            r#"{"reason":"compiler-message","target":{"name":"styles"},"message":{"level":"warning","rendered":"warning: unused"}}"#,
            "\n",
            r#"{"reason":"compiler-message","target":{"name":"styles"},"message":{"level":"error","rendered":"error[E0599]: no method named `to_async` found\n  --> benches/a.rs"}}"#,
        );
        assert_eq!(
            first_error(messages).unwrap(),
            "the `styles` target does not build against it: error[E0599]: no method named \
             `to_async` found"
        );
        assert_eq!(first_error("not json"), None);
    }

    #[test]
    fn bench_executables_are_found_in_cargo_messages() {
        let messages = concat!(
            r#"{"reason":"compiler-artifact","target":{"name":"perfmatrix_kernels","kind":["lib"]},"executable":null}"#,
            "\n",
            r#"{"reason":"compiler-artifact","target":{"name":"kernels","kind":["bench"]},"executable":"/t/release/deps/kernels-1"}"#,
            "\n",
            "not json\n",
            r#"{"reason":"build-finished","success":true}"#,
        );
        assert_eq!(
            executables(messages),
            [(
                "kernels".to_owned(),
                PathBuf::from("/t/release/deps/kernels-1")
            )]
        );
    }

    #[test]
    fn the_list_line_names_the_ids_or_nothing() {
        let listed = parse_list("{\"protocol\":1,\"ids\":[\"a/1\",\"b/2\"]}\n").unwrap();
        assert_eq!(listed.ids, ["a/1", "b/2"]);
        assert!(!listed.via_layer && !listed.count_each);
        let listed = parse_list("{\"protocol\":1,\"ids\":[\"a/1\"],\"count_each\":true}").unwrap();
        assert!(listed.count_each);
        let listed =
            parse_list("{\"protocol\":1,\"layer\":\"perfmatrix-criterion\",\"ids\":[\"a b\"]}")
                .unwrap();
        assert_eq!(
            (listed.ids, listed.via_layer),
            (vec!["a b".to_owned()], true)
        );
        assert_eq!(parse_list("{\"protocol\":2,\"ids\":[]}"), None);
        assert_eq!(parse_list("Benchmarking a/1\n"), None);
        assert_eq!(parse_list(""), None);
        assert_eq!(parse_list("{\"protocol\":1,\"ids\":[1]}"), None);
    }
}
