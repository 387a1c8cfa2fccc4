//! The workspace as perfmatrix sees it: where a command runs ([`Invocation`]: the root and the
//! front-end's name, passed down, never a global or the process's working folder), `cargo
//! metadata` (target folder, perfmatrix's config), the host triple, and the project's platforms.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};
use perfmatrix_fingerprint::TargetTriple;
use perfmatrix_model::{Config, Results};

use crate::git::Repo;

/// Where a command runs, handed to every command (as rust-analyzer's xtask hands down its
/// `Shell`). The process never changes its working folder: paths the user gives are relative to
/// where they ran the command; paths of the settings are relative to the root.
#[derive(Debug, Clone)]
pub(crate) struct Invocation {
    /// The workspace root, absolute: cargo and git run there.
    pub(crate) root: PathBuf,
    /// How the user calls perfmatrix (`cargo xtask`, `cargo perfmatrix`), for the commands
    /// hints name.
    pub(crate) invoked_as: String,
}

impl Invocation {
    /// The workspace at `root` (made absolute, `..` resolved) called as `invoked_as`.
    pub(crate) fn new(root: &Path, invoked_as: &str) -> anyhow::Result<Self> {
        let root = std::fs::canonicalize(root)
            .with_context(|| format!("cannot enter the workspace root {}", root.display()))?;
        if !root.is_dir() {
            bail!("the workspace root {} is not a folder", root.display());
        }
        Ok(Self {
            root,
            invoked_as: invoked_as.to_owned(),
        })
    }

    /// The workspace's metadata, config and suite.
    pub(crate) fn workspace(&self) -> anyhow::Result<Workspace> {
        Workspace::load(self)
    }

    /// The git repository the workspace is in.
    pub(crate) fn repo(&self) -> Repo<'_> {
        Repo::at(&self.root)
    }

    /// `path` as reports and messages show it: relative to the root when it lies inside it.
    pub(crate) fn shown(&self, path: &Path) -> PathBuf {
        path.strip_prefix(&self.root)
            .map_or_else(|_| path.to_owned(), Path::to_path_buf)
    }
}

/// The workspace's run lock, held while this value lives ([`Workspace::lock_runs`]).
#[derive(Debug)]
pub(crate) struct RunLock {
    /// The lock file, open: closing it releases the lock.
    _file: std::fs::File,
}

#[derive(Debug)]
pub(crate) struct Workspace {
    /// Where the command runs.
    pub(crate) at: Invocation,
    pub(crate) target_dir: PathBuf,
    pub(crate) config: Config,
    pub(crate) host: TargetTriple,
    /// The suite: every bench target of the workspace (`[[bench]]`) in manifest order, less the
    /// configured `exclude-benches`.
    pub(crate) benches: Vec<String>,
}

impl Workspace {
    fn load(at: &Invocation) -> anyhow::Result<Self> {
        let metadata = metadata(&at.root)?;
        let target_dir = metadata["target_directory"]
            .as_str()
            .map(PathBuf::from)
            .context("`cargo metadata` has no target_directory")?;
        Config::refuse_package_tables(&metadata)?;
        let config = Config::from_cargo_metadata(&metadata)?;
        let targets = bench_targets(&metadata);
        let names: Vec<&str> = targets.iter().map(String::as_str).collect();
        for warning in config.unknown_exclude_warnings(&names) {
            eprintln!("warning: {warning}");
        }
        let benches = targets
            .into_iter()
            .filter(|b| !config.exclude_benches.contains(b))
            .collect();
        Ok(Self {
            at: at.clone(),
            target_dir,
            config,
            host: host_triple()?,
            benches,
        })
    }

    /// Where head's plain criterion targets are built against perfmatrix's criterion layer: a
    /// folder of its own, so the workspace's target folder keeps criterion's build.
    pub(crate) fn layer_target(&self) -> PathBuf {
        self.target_dir.join("perfmatrix").join("head-target")
    }

    /// The baselines folder: `flag` (`--baselines`) if given, else the `baselines` setting
    /// (relative to the root).
    pub(crate) fn baselines(&self, flag: Option<&Path>) -> PathBuf {
        flag.map_or_else(
            || self.at.root.join(&self.config.baselines),
            Path::to_path_buf,
        )
    }

    /// Takes the workspace's run lock (`target/perfmatrix/run.lock`) for a command that builds
    /// and measures (`what`), held until the returned guard is dropped. Two such runs share the
    /// base worktree, criterion's folders and the results file, so a second one stops at once,
    /// saying which run holds the lock, instead of mixing their files.
    pub(crate) fn lock_runs(&self, what: &str) -> anyhow::Result<RunLock> {
        use std::io::Write as _;
        let path = self.target_dir.join("perfmatrix").join("run.lock");
        let failed = || format!("cannot take the run lock {}", path.display());
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).with_context(failed)?;
        }
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&path)
            .with_context(failed)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                let holder = std::fs::read_to_string(&path).unwrap_or_default();
                let holder = holder.trim();
                bail!(
                    "another perfmatrix run is using this workspace ({}): two runs would share \
                     the base worktree, criterion's folders and the results file; wait for it \
                     to finish or stop it, then run again (its lock: {})",
                    if holder.is_empty() {
                        "starting"
                    } else {
                        holder
                    },
                    path.display()
                );
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(e).with_context(failed),
        }
        // Who holds it, for the message of a run that finds it taken.
        file.set_len(0).with_context(failed)?;
        write!(file, "`{what}`, process {}", std::process::id()).with_context(failed)?;
        Ok(RunLock { _file: file })
    }

    /// Prints a warning for each per-benchmark table of the config that names no benchmark of
    /// `results`.
    pub(crate) fn warn_unknown_benchmarks(&self, results: &Results) {
        for warning in unknown_benchmark_warnings(&self.config, results) {
            eprintln!("warning: {warning}");
        }
    }

    /// Checks a triple given with `flag` (None: the host) against target-lexicon and the project's
    /// platforms, and returns it. A project that declares no platforms (no settings yet) takes
    /// any platform, the host by default: the table restricts a matrix, and there is none.
    pub(crate) fn platform_for(
        &self,
        triple: Option<&str>,
        flag: &str,
    ) -> anyhow::Result<TargetTriple> {
        let given = triple.is_some();
        let triple = triple.unwrap_or(self.host.as_str());
        let parsed = TargetTriple::parse(triple)
            .with_context(|| format!("{flag} `{triple}` is not a target triple"))?;
        let known: Vec<&str> = self
            .config
            .platforms
            .iter()
            .map(|p| p.triple.as_str())
            .collect();
        if !known.is_empty() && !known.contains(&parsed.as_str()) {
            let what = if given {
                format!("{flag} `{triple}` is")
            } else {
                format!("this machine's platform `{triple}` (the default of {flag}) is")
            };
            bail!(
                "{what} not one of this project's platforms ({}); add it to \
                 [workspace.metadata.perfmatrix] platforms in Cargo.toml first",
                known.join(", ")
            );
        }
        Ok(parsed)
    }
}

/// The config's per-benchmark tables that name no benchmark `results` measured. A filtered run
/// measures a subset on purpose, so only an unfiltered one can tell.
fn unknown_benchmark_warnings(config: &Config, results: &Results) -> Vec<String> {
    if results.settings.filter.is_some() {
        return Vec::new();
    }
    let ids: Vec<&str> = results.benchmarks.iter().map(|b| b.id.as_str()).collect();
    config.unknown_benchmark_warnings(&ids)
}

/// The root of the workspace around the current folder (`cargo locate-project --workspace`).
pub(crate) fn locate_root() -> anyhow::Result<PathBuf> {
    let mut cmd = Command::new(crate::cargo());
    cmd.args(["locate-project", "--workspace", "--message-format", "plain"]);
    let stdout = crate::binaries::succeed(cmd, "`cargo locate-project --workspace`")
        .context("no Cargo workspace here")?;
    let manifest = PathBuf::from(stdout.trim());
    manifest
        .parent()
        .map(Path::to_path_buf)
        .with_context(|| format!("cargo named no folder for {}", manifest.display()))
}

/// `cargo metadata --no-deps` of the workspace at `dir`.
fn metadata(dir: &Path) -> anyhow::Result<serde_json::Value> {
    let mut cmd = Command::new(crate::cargo());
    cmd.current_dir(dir)
        .args(["metadata", "--format-version", "1", "--no-deps"]);
    let stdout = crate::binaries::succeed(cmd, &format!("`cargo metadata` in {}", dir.display()))?;
    serde_json::from_str(&stdout).context("`cargo metadata` printed invalid JSON")
}

/// The settings (`[workspace.metadata.perfmatrix]`) and every bench target of the workspace at
/// `dir` (a paired run's base).
pub(crate) fn settings_in(dir: &Path) -> anyhow::Result<(Config, Vec<String>)> {
    let metadata = metadata(dir)?;
    let config = Config::from_cargo_metadata(&metadata)?;
    Ok((config, bench_targets(&metadata)))
}

/// The bench targets of the workspace at `dir` (another checkout, e.g. a paired run's base), less
/// the names in `exclude`.
pub(crate) fn bench_targets_in(dir: &Path, exclude: &[String]) -> anyhow::Result<Vec<String>> {
    Ok(bench_targets(&metadata(dir)?)
        .into_iter()
        .filter(|b| !exclude.contains(b))
        .collect())
}

/// Names of the bench targets in `cargo metadata` output. Only these run: `cargo bench --benches`
/// would also hand criterion's flags to every library's libtest harness.
fn bench_targets(metadata: &serde_json::Value) -> Vec<String> {
    let packages = metadata["packages"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    packages
        .iter()
        .flat_map(|p| {
            p["targets"]
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default()
        })
        .filter(|t| {
            t["kind"]
                .as_array()
                .is_some_and(|k| k.iter().any(|k| k == "bench"))
        })
        .filter_map(|t| t["name"].as_str().map(str::to_owned))
        .collect()
}

/// The host triple, from `rustc -vV`: asked once per process, the same answer everywhere.
pub(crate) fn host_triple() -> anyhow::Result<TargetTriple> {
    static HOST: std::sync::OnceLock<Result<TargetTriple, String>> = std::sync::OnceLock::new();
    HOST.get_or_init(|| ask_rustc_host().map_err(|e| format!("{e:#}")))
        .clone()
        .map_err(anyhow::Error::msg)
}

fn ask_rustc_host() -> anyhow::Result<TargetTriple> {
    let out = Command::new(std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned()))
        .arg("-vV")
        .output()
        .context("cannot run `rustc -vV`")?;
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .context("`rustc -vV` printed no host line")
        .and_then(|host| {
            TargetTriple::parse(host)
                .with_context(|| format!("`rustc -vV` names the host `{host}`"))
        })
}

#[cfg(test)]
mod tests {
    use perfmatrix_fingerprint::Fingerprint;
    use perfmatrix_model::{BenchResult, BenchmarkId, RunSettings, SampleSummary};
    use perfmatrix_stats::Sample;
    use serde_json::json;

    use super::*;

    fn run(filter: Option<&str>, ids: &[&str]) -> Results {
        let samples_ns = Sample::new(vec![1.0, 2.0]).unwrap();
        let benchmarks = ids
            .iter()
            .map(|id| BenchResult {
                id: BenchmarkId::new(*id).unwrap(),
                throughput: None,
                summary: SampleSummary::of(&samples_ns),
                samples_ns: samples_ns.clone(),
                counts: None,
                seconds: None,
            })
            .collect();
        let settings = RunSettings {
            quick: false,
            filter: filter.map(str::to_owned),
            warm_up_seconds: 1.0,
            measurement_seconds: 1.0,
            sample_size: 2,
        };
        Results::new(Fingerprint::example(), settings, 0, benchmarks)
    }

    #[test]
    fn a_table_for_an_unmeasured_id_warns_after_an_unfiltered_run_only() {
        let config = Config::from_cargo_metadata(&json!({"metadata": {"perfmatrix": {
            "benchmarks": {"decay/1000": {"fail": 0.3}, "decay/10000": {"fail": 0.3}}
        }}}))
        .unwrap();
        let warnings = unknown_benchmark_warnings(&config, &run(None, &["decay/10000"]));
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].contains("\"decay/1000\""), "{warnings:?}");
        assert!(
            unknown_benchmark_warnings(&config, &run(Some("decay/10000"), &["decay/10000"]))
                .is_empty()
        );
    }

    #[test]
    fn the_projects_config_names_real_bench_targets_and_benchmarks() {
        let ws = Invocation::new(&crate::repo_root(), "cargo xtask")
            .unwrap()
            .workspace()
            .unwrap();
        let out = Command::new(crate::cargo())
            .args(["metadata", "--format-version", "1", "--no-deps"])
            .output()
            .unwrap();
        let metadata: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let targets = bench_targets(&metadata);
        let names: Vec<&str> = targets.iter().map(String::as_str).collect();
        assert!(ws.config.unknown_exclude_warnings(&names).is_empty());
        assert!(
            names.contains(&"merge") && names.contains(&"kernels"),
            "{names:?}"
        );
    }
}
