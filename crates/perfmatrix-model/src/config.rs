//! perfmatrix's settings from `[workspace.metadata.perfmatrix]` in the workspace's Cargo.toml, as
//! `cargo metadata` reports them: global and per-benchmark gates of each metric.
//!
//! ```toml
//! [workspace.metadata.perfmatrix]
//! warn = 0.05          # relative slowdown that warns
//! fail = 0.10          # relative slowdown that fails
//! paired = { warn = 0.02, fail = 0.05 }          # wall time against a base commit, same run
//! instructions = { warn = 0.005, fail = 0.01 }   # relative growth of instruction counts
//! peak-memory-limit = 1.5                        # fail above 1.5 × the baseline's peak
//! platforms = [       # the CI matrix: one leg per platform
//!   { triple = "x86_64-unknown-linux-gnu", runner = "ubuntu-24.04", required = true },
//! ]
//! exclude-benches = ["merge"]   # bench targets that are not part of the suite
//! artifact-retention-days = 30  # how long CI keeps results and reports
//! leg-timeout-minutes = 30      # how long one CI leg (build, measure, count) may take
//! shards = 1                    # CI jobs per platform, each measuring a shard (per platform too)
//! budget = "20m"                # a paired run ends its measurement in time (per platform too);
//!                               # a leg's timeout is then its budget + 10 minutes
//! toolchain = "1.95.0"          # the Rust toolchain CI builds with
//! baselines = "baselines"       # the folder of recorded baselines, from the workspace root
//! workflow = ".github/workflows/perf.yml"   # where `matrix workflow` writes the CI workflow
//! command = "cargo xtask"       # how CI runs perfmatrix (or "cargo perfmatrix")
//! install = "cargo install --locked --git https://github.com/perfmatrix/perfmatrix cargo-perfmatrix"
//! [workspace.metadata.perfmatrix.benchmarks."cosine/768x10000"]
//! fail = 0.20          # per benchmark: any of the gates above
//! ```
//!
//! The section is read by serde into the structs below (`deny_unknown_fields`): a key that is no
//! setting (`fial = 0.2`) is an error naming it, where it is, and the nearest setting.
//! Names that are valid keys but refer to nothing (a benchmark id no run measures, an excluded
//! bench target that does not exist) are warnings, checked where those names are known.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use perfmatrix_fingerprint::TargetTriple;
use perfmatrix_stats::Thresholds;
use serde::Deserialize;
use serde_json::Value;

use crate::{BenchmarkId, ModelError, TimeBudget};

const SECTION: &str = "workspace.metadata.perfmatrix";

/// The section as written in Cargo.toml: every key optional, none unknown.
#[derive(Debug, Deserialize)]
#[serde(
    rename_all = "kebab-case",
    deny_unknown_fields,
    expecting = "a table of perfmatrix settings"
)]
struct SectionFile {
    warn: Option<f64>,
    fail: Option<f64>,
    paired: Option<ThresholdsFile>,
    instructions: Option<ThresholdsFile>,
    peak_memory_limit: Option<f64>,
    #[serde(default)]
    benchmarks: BTreeMap<String, GatesFile>,
    #[serde(default)]
    platforms: Vec<PlatformFile>,
    #[serde(default)]
    exclude_benches: Vec<String>,
    artifact_retention_days: Option<u32>,
    leg_timeout_minutes: Option<u32>,
    shards: Option<u32>,
    budget: Option<String>,
    toolchain: Option<String>,
    baselines: Option<String>,
    workflow: Option<String>,
    command: Option<String>,
    install: Option<String>,
}

/// One `[….benchmarks."<id>"]` table: the gates of the section, each optional.
#[derive(Debug, Deserialize)]
#[serde(
    rename_all = "kebab-case",
    deny_unknown_fields,
    expecting = "a table of gates like { warn = 0.05, fail = 0.10 }"
)]
struct GatesFile {
    warn: Option<f64>,
    fail: Option<f64>,
    paired: Option<ThresholdsFile>,
    instructions: Option<ThresholdsFile>,
    peak_memory_limit: Option<f64>,
}

/// `instructions = { warn = …, fail = … }`.
#[derive(Debug, Deserialize)]
#[serde(
    rename_all = "kebab-case",
    deny_unknown_fields,
    expecting = "a table like { warn = 0.005, fail = 0.01 }"
)]
struct ThresholdsFile {
    warn: Option<f64>,
    fail: Option<f64>,
}

/// One entry of `platforms`.
#[derive(Debug, Deserialize)]
#[serde(
    rename_all = "kebab-case",
    deny_unknown_fields,
    expecting = "a table like { triple = \"x86_64-unknown-linux-gnu\", runner = \"ubuntu-24.04\" }"
)]
struct PlatformFile {
    triple: String,
    runner: String,
    #[serde(default = "required_by_default")]
    required: bool,
    shards: Option<u32>,
    budget: Option<String>,
}

fn required_by_default() -> bool {
    true
}

/// Gates for every benchmark, with per-benchmark overrides, and the project's platforms.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Wall-time thresholds against a committed baseline (`warn`, `fail`: relative slowdowns,
    /// 0.05 = 5%; default 0.05 and 0.10). This and the next three fields are the gates of every
    /// benchmark without an override ([`Config::gates_for`]).
    pub thresholds: Thresholds,
    /// Wall-time thresholds against a base commit measured in the same run (`paired`; default
    /// 0.02 and 0.05).
    pub paired: Thresholds,
    /// Thresholds on the relative growth of instruction counts (`instructions`; default 0.005
    /// and 0.01).
    pub instructions: Thresholds,
    /// Peak memory above this multiple of the baseline's fails (`peak-memory-limit`; default 1.5).
    pub peak_memory_limit: PeakLimit,
    /// The gates of each `[workspace.metadata.perfmatrix.benchmarks."<id>"]` table: the
    /// section's gates, except for the keys the table sets.
    pub per_benchmark: BTreeMap<BenchmarkId, Gates>,
    /// The CI matrix (`platforms`), in the order written; each triple once. Empty when the
    /// section lists none.
    pub platforms: Vec<Platform>,
    /// Bench targets (`[[bench]]` names) the suite does not run: tooling benchmarks that are
    /// run by hand, not gated.
    pub exclude_benches: Vec<String>,
    /// How long the CI workflow keeps its results and reports (GitHub allows 1 to 90 days).
    pub artifact_retention_days: u32,
    /// How long one CI leg may take, in minutes (`leg-timeout-minutes`, 1 to 360, GitHub's
    /// limit for a job; default 30): a large suite sets more. A platform with a budget has a
    /// timeout that follows from it instead ([`Config::leg_timeout_for`]).
    pub leg_timeout_minutes: u32,
    /// How long a paired run may take, from its start to its verdict (`budget`, e.g. `"20m"`;
    /// none by default): the default of each platform's, and of a platform the section does
    /// not list.
    pub budget: Option<TimeBudget>,
    /// The Rust toolchain CI builds with (`1.95.0`), so builds and instruction counts stay the
    /// same until a deliberate bump; None lets CI take the runner's stable.
    pub toolchain: Option<String>,
    /// The folder of recorded baselines, relative to the workspace root (`baselines`).
    pub baselines: PathBuf,
    /// Where `matrix workflow` writes the CI workflow, relative to the workspace root
    /// (`.github/workflows/perf.yml`; GitHub reads workflows only from `.github/workflows/`).
    pub workflow: PathBuf,
    /// How the CI workflow runs perfmatrix: `cargo xtask` (a copy of the thin xtask in the
    /// workspace) or `cargo perfmatrix` (the installed binary).
    pub command: String,
    /// A shell command the CI workflow runs before the first perfmatrix command (e.g. `cargo
    /// install --locked cargo-perfmatrix`); None: nothing to install.
    pub install: Option<String>,
}

/// The default of [`Config::baselines`].
const DEFAULT_BASELINES: &str = "baselines";
/// The default of [`Config::workflow`].
const DEFAULT_WORKFLOW: &str = ".github/workflows/perf.yml";
/// The default of [`Config::command`].
const DEFAULT_COMMAND: &str = "cargo xtask";

/// The gates of one benchmark, one per metric.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Gates {
    /// Relative slowdown of the median time against a committed baseline.
    pub time: Thresholds,
    /// Relative slowdown of the time against a base commit measured in the same run.
    pub paired: Thresholds,
    /// Relative growth of the instruction count.
    pub instructions: Thresholds,
    /// Peak memory above this multiple of the baseline's fails.
    pub peak_memory_limit: PeakLimit,
}

/// A multiple of the baseline's peak memory, finite and `>= 1` (checked on reading).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PeakLimit(f64);

impl PeakLimit {
    /// The default: 1.5 × the baseline's peak.
    pub const DEFAULT: Self = PeakLimit(perfmatrix_stats::PEAK_MEMORY_LIMIT);

    /// The multiple (1.5 = fail above 1.5 × the baseline's peak).
    #[must_use]
    pub fn get(self) -> f64 {
        self.0
    }
}

impl Default for PeakLimit {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// One platform of the project: a target triple, the CI runner label it runs on, and whether its
/// results must be present for a merged report to pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Platform {
    /// The target triple (`x86_64-unknown-linux-gnu`).
    pub triple: TargetTriple,
    /// The GitHub Actions runner label its CI leg runs on (`ubuntu-24.04-arm`).
    pub runner: String,
    /// Whether a merge without this platform's verdict fails (`required`; default true).
    pub required: bool,
    /// How many CI jobs measure its benchmarks, a shard each (`shards`; default the section's
    /// `shards`, itself 1 by default).
    pub shards: u32,
    /// How long a paired run of this platform may take (`budget`; default the section's).
    pub budget: Option<TimeBudget>,
}

impl Default for Config {
    /// The default gates, no override, no platform.
    fn default() -> Self {
        Self {
            thresholds: Thresholds::default(),
            paired: Thresholds::PAIRED,
            instructions: Thresholds::INSTRUCTIONS,
            peak_memory_limit: PeakLimit::DEFAULT,
            per_benchmark: BTreeMap::new(),
            platforms: Vec::new(),
            exclude_benches: Vec::new(),
            artifact_retention_days: 30,
            leg_timeout_minutes: 30,
            budget: None,
            toolchain: None,
            baselines: PathBuf::from(DEFAULT_BASELINES),
            workflow: PathBuf::from(DEFAULT_WORKFLOW),
            command: DEFAULT_COMMAND.to_owned(),
            install: None,
        }
    }
}

impl Config {
    /// The gate settings in which `self` (head's) differs from `base` (the base commit's), keys
    /// and values as `[workspace.metadata.perfmatrix]` writes them: `warn`, `fail`, `paired`,
    /// `instructions`, `peak-memory-limit`, each `benchmarks."<id>"` table, `exclude-benches`,
    /// `budget` and each platform's budget, in that order. A paired run judges with the base's and lists these, so
    /// that no change can loosen its own gate.
    #[must_use]
    pub fn gate_changes(&self, base: &Config) -> Vec<crate::SettingChange> {
        fn table(t: Thresholds) -> String {
            format!("{{ warn = {}, fail = {} }}", t.warn(), t.fail())
        }
        fn gates(g: Option<&Gates>) -> String {
            g.map_or_else(
                || "—".to_owned(),
                |g| {
                    format!(
                        "{{ warn = {}, fail = {}, paired = {}, instructions = {}, \
                         peak-memory-limit = {} }}",
                        g.time.warn(),
                        g.time.fail(),
                        table(g.paired),
                        table(g.instructions),
                        g.peak_memory_limit.get()
                    )
                },
            )
        }
        let mut changes = Vec::new();
        let mut differ = |key: String, base: String, head: String| {
            if base != head {
                changes.push(crate::SettingChange { key, base, head });
            }
        };
        for (key, value) in [
            ("warn", Thresholds::warn as fn(_) -> _),
            ("fail", Thresholds::fail),
        ] {
            differ(
                key.to_owned(),
                value(base.thresholds).to_string(),
                value(self.thresholds).to_string(),
            );
        }
        differ("paired".to_owned(), table(base.paired), table(self.paired));
        differ(
            "instructions".to_owned(),
            table(base.instructions),
            table(self.instructions),
        );
        differ(
            "peak-memory-limit".to_owned(),
            base.peak_memory_limit.get().to_string(),
            self.peak_memory_limit.get().to_string(),
        );
        let ids: std::collections::BTreeSet<&BenchmarkId> = base
            .per_benchmark
            .keys()
            .chain(self.per_benchmark.keys())
            .collect();
        for id in ids {
            differ(
                format!("benchmarks.\"{id}\""),
                gates(base.per_benchmark.get(id)),
                gates(self.per_benchmark.get(id)),
            );
        }
        differ(
            "exclude-benches".to_owned(),
            format!("{:?}", base.exclude_benches),
            format!("{:?}", self.exclude_benches),
        );
        // A budget bounds the precision a run reaches: a change that shortened it could leave
        // its own slowdown undecided.
        let budget =
            |b: Option<TimeBudget>| b.map_or_else(|| "—".to_owned(), |b| format!("\"{b}\""));
        differ(
            "budget".to_owned(),
            budget(base.budget),
            budget(self.budget),
        );
        let triples: std::collections::BTreeSet<&TargetTriple> = base
            .platforms
            .iter()
            .chain(&self.platforms)
            .map(|p| &p.triple)
            .collect();
        for triple in triples {
            differ(
                format!("platforms[\"{triple}\"].budget"),
                budget(base.budget_for(triple)),
                budget(self.budget_for(triple)),
            );
        }
        changes
    }

    /// The wall-time thresholds that apply to `id`.
    #[must_use]
    pub fn thresholds_for(&self, id: &BenchmarkId) -> Thresholds {
        self.gates_for(id).time
    }

    /// Every gate that applies to `id`.
    #[must_use]
    pub fn gates_for(&self, id: &BenchmarkId) -> Gates {
        self.per_benchmark
            .get(id)
            .copied()
            .unwrap_or_else(|| self.gates_for_all())
    }

    /// The budget of a paired run on `platform`: the platform's, or the section's when the
    /// section does not list the platform.
    #[must_use]
    pub fn budget_for(&self, platform: &TargetTriple) -> Option<TimeBudget> {
        self.platforms
            .iter()
            .find(|p| &p.triple == platform)
            .map_or(self.budget, |p| p.budget)
    }

    /// The `timeout-minutes` of one of `platform`'s CI legs: from its budget when it has one
    /// ([`TimeBudget::leg_timeout_minutes`]), else `leg-timeout-minutes`.
    #[must_use]
    pub fn leg_timeout_for(&self, platform: &Platform) -> u32 {
        platform
            .budget
            .map_or(self.leg_timeout_minutes, TimeBudget::leg_timeout_minutes)
    }

    /// The gates of a benchmark without an override.
    fn gates_for_all(&self) -> Gates {
        Gates {
            time: self.thresholds,
            paired: self.paired,
            instructions: self.instructions,
            peak_memory_limit: self.peak_memory_limit,
        }
    }

    /// Reads the section out of `cargo metadata --format-version 1` output (its top-level
    /// `metadata` object is the workspace's `[workspace.metadata]`). A missing section means the
    /// defaults; a malformed one, or a key that is no setting, is an error naming the key.
    /// `[package.metadata.perfmatrix]` tables are not read ([`Config::refuse_package_tables`]
    /// refuses them where the user can still move them).
    pub fn from_cargo_metadata(metadata: &Value) -> Result<Self, ModelError> {
        let Some(section) = metadata.get("metadata").and_then(|m| m.get("perfmatrix")) else {
            return Ok(Self::default());
        };
        let file: SectionFile = serde_path_to_error::deserialize(section).map_err(read_error)?;
        Self::from_file(file)
    }

    /// Refuses settings written in a package's `[package.metadata.perfmatrix]` (in the same
    /// `cargo metadata` output), naming its Cargo.toml: ignored, they would leave the run on the
    /// defaults without a word. Only the workspace being run is held to it: a paired run's base
    /// commit was judged by the defaults such a table left, and a change that moves the table
    /// must still pair.
    pub fn refuse_package_tables(metadata: &Value) -> Result<(), ModelError> {
        let packages = metadata["packages"].as_array().map(Vec::as_slice);
        match packages
            .unwrap_or_default()
            .iter()
            .find(|p| p["metadata"].get("perfmatrix").is_some())
        {
            Some(package) => Err(ModelError::PackageSettings {
                manifest: PathBuf::from(package["manifest_path"].as_str().unwrap_or("Cargo.toml")),
            }),
            None => Ok(()),
        }
    }

    /// Checks the values serde could not check (ranges, triples, ids) and fills in defaults.
    fn from_file(file: SectionFile) -> Result<Self, ModelError> {
        let section_gates = GatesFile {
            warn: file.warn,
            fail: file.fail,
            paired: file.paired,
            instructions: file.instructions,
            peak_memory_limit: file.peak_memory_limit,
        };
        let global = gates(section_gates, SECTION, Self::default().gates_for_all())?;
        let mut per_benchmark = BTreeMap::new();
        for (id, table) in file.benchmarks {
            let key = format!("{SECTION}.benchmarks.{}", toml_key(&id));
            let bench_id = BenchmarkId::new(id).map_err(|e| bad(&key, &e.to_string()))?;
            per_benchmark.insert(bench_id, gates(table, &key, global)?);
        }
        let shards = shards_of(file.shards, &format!("{SECTION}.shards"), 1)?;
        let budget = budget_of(file.budget, &format!("{SECTION}.budget"), None)?;
        let platforms = platforms(file.platforms, shards, budget)?;
        Ok(Self {
            thresholds: global.time,
            paired: global.paired,
            instructions: global.instructions,
            peak_memory_limit: global.peak_memory_limit,
            per_benchmark,
            platforms,
            exclude_benches: file.exclude_benches,
            artifact_retention_days: match file.artifact_retention_days {
                None => 30,
                Some(days @ 1..=90) => days,
                Some(_) => {
                    return Err(bad(
                        &format!("{SECTION}.artifact-retention-days"),
                        "must be a whole number of days from 1 to 90 (GitHub's limits)",
                    ));
                }
            },
            leg_timeout_minutes: match file.leg_timeout_minutes {
                None => 30,
                Some(minutes @ 1..=360) => minutes,
                Some(_) => {
                    return Err(bad(
                        &format!("{SECTION}.leg-timeout-minutes"),
                        "must be a whole number of minutes from 1 to 360 (GitHub's limit for a \
                         job)",
                    ));
                }
            },
            budget,
            toolchain: match file.toolchain {
                None => None,
                Some(t)
                    if !t.is_empty()
                        && t.chars()
                            .all(|c| c.is_ascii_alphanumeric() || ".-".contains(c)) =>
                {
                    Some(t)
                }
                Some(_) => {
                    return Err(bad(
                        &format!("{SECTION}.toolchain"),
                        "must be a toolchain name like \"1.95.0\" or \"stable\"",
                    ));
                }
            },
            baselines: relative_path(file.baselines, "baselines", DEFAULT_BASELINES)?,
            workflow: workflow_path(file.workflow)?,
            command: command(file.command)?,
            install: install(file.install)?,
        })
    }

    /// One warning per per-benchmark table whose id is none of `ids` (the benchmarks a run
    /// measured): its gates apply to nothing, which is usually a typo in the id.
    #[must_use]
    pub fn unknown_benchmark_warnings(&self, ids: &[&str]) -> Vec<String> {
        self.per_benchmark
            .keys()
            .filter(|id| !ids.contains(&id.as_str()))
            .map(|id| {
                format!(
                    "Cargo.toml: [{SECTION}.benchmarks.{}] names no benchmark of this run, so \
                     its gates apply to nothing{}",
                    toml_key(id.as_str()),
                    did_you_mean(id.as_str(), ids.iter().copied())
                )
            })
            .collect()
    }

    /// One warning per `exclude-benches` name that is none of `bench_targets` (the workspace's
    /// `[[bench]]` names): it excludes nothing, which is usually a typo.
    #[must_use]
    pub fn unknown_exclude_warnings(&self, bench_targets: &[&str]) -> Vec<String> {
        self.exclude_benches
            .iter()
            .filter(|name| !bench_targets.contains(&name.as_str()))
            .map(|name| {
                format!(
                    "Cargo.toml: `{SECTION}.exclude-benches` names `{}`, which is no bench \
                     target of the workspace, so it excludes nothing{}",
                    name.escape_debug(),
                    did_you_mean(name, bench_targets.iter().copied())
                )
            })
            .collect()
    }
}

/// A folder or file inside the workspace: relative, without `..`, not empty.
fn relative_path(value: Option<String>, key: &str, default: &str) -> Result<PathBuf, ModelError> {
    let Some(value) = value else {
        return Ok(PathBuf::from(default));
    };
    let path = Path::new(&value);
    let inside = !value.is_empty()
        && path.is_relative()
        && path
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
    if !inside {
        return Err(bad(
            &format!("{SECTION}.{key}"),
            &format!(
                "must be a path inside the workspace, relative to its root and without `..` \
                 (like \"{default}\"), not {value:?}"
            ),
        ));
    }
    Ok(path.to_path_buf())
}

/// `workflow`: a YAML file in `.github/workflows/`, the only folder GitHub reads workflows from.
fn workflow_path(value: Option<String>) -> Result<PathBuf, ModelError> {
    let path = relative_path(value, "workflow", DEFAULT_WORKFLOW)?;
    let in_workflows = path.parent() == Some(Path::new(".github/workflows"));
    let yaml = path.extension().is_some_and(|e| e == "yml" || e == "yaml");
    if !(in_workflows && yaml) {
        return Err(bad(
            &format!("{SECTION}.workflow"),
            &format!(
                "must be a .yml file directly in .github/workflows/ (GitHub reads workflows \
                 only there), not {:?}",
                path.display().to_string()
            ),
        ));
    }
    Ok(path)
}

/// `command`: words of letters, digits and `-_./`, so that it can be written into a workflow's
/// shell steps as it is.
fn command(value: Option<String>) -> Result<String, ModelError> {
    let Some(value) = value else {
        return Ok(DEFAULT_COMMAND.to_owned());
    };
    let words_ok = !value.trim().is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || " -_./".contains(c));
    if !words_ok {
        return Err(bad(
            &format!("{SECTION}.command"),
            &format!(
                "must be a command like \"cargo xtask\" or \"cargo perfmatrix\" (letters, \
                 digits, spaces and -_./ only), not {value:?}"
            ),
        ));
    }
    Ok(value.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// `install`: one line of shell, run as a CI step.
fn install(value: Option<String>) -> Result<Option<String>, ModelError> {
    match value {
        None => Ok(None),
        Some(v) if !v.trim().is_empty() && !v.contains(['\n', '\r']) => {
            Ok(Some(v.trim().to_owned()))
        }
        Some(v) => Err(bad(
            &format!("{SECTION}.install"),
            &format!("must be one non-empty line of shell, not {v:?}"),
        )),
    }
}

/// The gates of one table (the section or a benchmark's), each key defaulting to `inherited`.
fn gates(table: GatesFile, key: &str, inherited: Gates) -> Result<Gates, ModelError> {
    let time = thresholds(table.warn, table.fail, key, inherited.time)?;
    let paired = match table.paired {
        None => inherited.paired,
        Some(t) => thresholds(t.warn, t.fail, &format!("{key}.paired"), inherited.paired)?,
    };
    let instructions = match table.instructions {
        None => inherited.instructions,
        Some(t) => thresholds(
            t.warn,
            t.fail,
            &format!("{key}.instructions"),
            inherited.instructions,
        )?,
    };
    let peak_memory_limit = match table.peak_memory_limit {
        None => inherited.peak_memory_limit,
        Some(limit) if limit.is_finite() && limit >= 1.0 => PeakLimit(limit),
        Some(_) => {
            return Err(bad(
                &format!("{key}.peak-memory-limit"),
                "must be a number >= 1 (1.5 fails above 1.5 × the baseline's peak)",
            ));
        }
    };
    Ok(Gates {
        time,
        paired,
        instructions,
        peak_memory_limit,
    })
}

fn thresholds(
    warn: Option<f64>,
    fail: Option<f64>,
    key: &str,
    inherited: Thresholds,
) -> Result<Thresholds, ModelError> {
    Thresholds::new(
        warn.unwrap_or(inherited.warn()),
        fail.unwrap_or(inherited.fail()),
    )
    .map_err(|e| bad(key, &e.to_string()))
}

/// A serde error as a config error: the key where it happened (an unknown or missing key
/// included), what is wrong, and for an unknown key the nearest valid one.
fn read_error(err: serde_path_to_error::Error<serde_json::Error>) -> ModelError {
    let mut key = SECTION.to_owned();
    for segment in err.path() {
        match segment {
            serde_path_to_error::Segment::Seq { index } => {
                key.push('[');
                key.push_str(&index.to_string());
                key.push(']');
            }
            serde_path_to_error::Segment::Map { key: name }
            | serde_path_to_error::Segment::Enum { variant: name } => {
                key.push('.');
                key.push_str(&toml_key(name));
            }
            serde_path_to_error::Segment::Unknown => key.push_str(".?"),
        }
    }
    let message = err.into_inner().to_string();
    if let Some((name, expected)) = unknown_field(&message) {
        let suffix = format!(".{}", toml_key(&name));
        if !key.ends_with(&suffix) {
            key.push_str(&suffix);
        }
        let valid = expected.join(", ");
        return bad(
            &key,
            &format!(
                "is not a setting{} (the settings here: {valid})",
                did_you_mean(&name, expected.iter().map(String::as_str))
            ),
        );
    }
    if let Some(name) = quoted_after(&message, "missing field `") {
        key.push('.');
        key.push_str(&toml_key(&name));
        return bad(&key, "is missing");
    }
    let message = message.replace("expected f64", "expected a number (0.10 means 10%)");
    match message.strip_prefix("invalid type: ") {
        Some(wrong) => bad(&key, &format!("has the wrong type: {wrong}")),
        None => bad(&key, &format!("is invalid: {message}")),
    }
}

/// `(field, expected fields)` of serde's "unknown field `x`, expected one of `a`, `b`".
fn unknown_field(message: &str) -> Option<(String, Vec<String>)> {
    let rest = message.strip_prefix("unknown field `")?;
    let end = rest.find('`')?;
    let expected = rest[end + 1..]
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect();
    Some((rest[..end].to_owned(), expected))
}

fn quoted_after(message: &str, prefix: &str) -> Option<String> {
    let rest = message.strip_prefix(prefix)?;
    Some(rest[..rest.find('`')?].to_owned())
}

/// "; did you mean `x`?" when one of `candidates` is close to `name`, else nothing.
pub(crate) fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> String {
    candidates
        .into_iter()
        .map(|c| (strsim::normalized_damerau_levenshtein(name, c), c))
        .filter(|(score, _)| *score >= 0.6)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map_or_else(String::new, |(_, c)| {
            format!("; did you mean `{}`?", c.escape_debug())
        })
}

/// A key as TOML writes it in a dotted path: bare when it can be, quoted otherwise.
fn toml_key(name: &str) -> String {
    if !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        name.to_owned()
    } else {
        format!("\"{}\"", name.escape_debug())
    }
}

/// The `platforms` entries, checked, each with its shards and budget (the section's by default).
fn platforms(
    entries: Vec<PlatformFile>,
    shards: u32,
    budget: Option<TimeBudget>,
) -> Result<Vec<Platform>, ModelError> {
    let mut platforms: Vec<Platform> = Vec::with_capacity(entries.len());
    for (i, entry) in entries.into_iter().enumerate() {
        let key = format!("{SECTION}.platforms[{i}].triple");
        let triple = TargetTriple::parse(&entry.triple).map_err(|e| bad(&key, &e.to_string()))?;
        if platforms.iter().any(|p| p.triple == triple) {
            return Err(bad(&key, &format!("`{triple}` is listed twice")));
        }
        platforms.push(Platform {
            triple,
            runner: entry.runner,
            required: entry.required,
            shards: shards_of(
                entry.shards,
                &format!("{SECTION}.platforms[{i}].shards"),
                shards,
            )?,
            budget: budget_of(
                entry.budget,
                &format!("{SECTION}.platforms[{i}].budget"),
                budget,
            )?,
        });
    }
    Ok(platforms)
}

/// A `shards` value (`key`), or `default` when it is not set.
fn shards_of(value: Option<u32>, key: &str, default: u32) -> Result<u32, ModelError> {
    match value {
        None => Ok(default),
        Some(n @ 1..=crate::MAX_SHARDS) => Ok(n),
        Some(_) => Err(bad(
            key,
            &format!(
                "must be a whole number of shards from 1 to {}",
                crate::MAX_SHARDS
            ),
        )),
    }
}

/// A `budget` value (`key`), or `default` when it is not set.
fn budget_of(
    value: Option<String>,
    key: &str,
    default: Option<TimeBudget>,
) -> Result<Option<TimeBudget>, ModelError> {
    match value {
        None => Ok(default),
        Some(text) => text.parse().map(Some).map_err(|e: String| bad(key, &e)),
    }
}
fn bad(key: &str, message: &str) -> ModelError {
    ModelError::Config {
        key: key.to_owned(),
        message: message.to_owned(),
    }
}
#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Before, `[package.metadata.perfmatrix]` was ignored without a word: a single-package crate
    /// that wrote its platforms there ran on the defaults (and `matrix run` said no platform was
    /// declared).
    #[test]
    fn settings_in_a_package_table_are_refused_naming_its_manifest() {
        let meta = json!({
            "metadata": null,
            "packages": [
                {"name": "a", "manifest_path": "/w/a/Cargo.toml", "metadata": null},
                {"name": "b", "manifest_path": "/w/b/Cargo.toml",
                 "metadata": {"perfmatrix": {"warn": 0.05}, "docs": {}}},
            ],
        });
        assert_eq!(
            Config::from_cargo_metadata(&meta).unwrap(),
            Config::default()
        );
        let err = Config::refuse_package_tables(&meta).unwrap_err();
        assert!(
            matches!(&err, ModelError::PackageSettings { manifest } if manifest == Path::new("/w/b/Cargo.toml")),
            "{err:?}"
        );
        let shown = err.to_string();
        assert!(
            shown.starts_with("/w/b/Cargo.toml: ")
                && shown.contains("[workspace.metadata.perfmatrix]"),
            "{shown}"
        );
        // Other tools' package metadata is not perfmatrix's business.
        let other = json!({"metadata": null, "packages": [
            {"name": "a", "manifest_path": "/w/Cargo.toml", "metadata": {"docs": {"rs": {}}}},
        ]});
        Config::refuse_package_tables(&other).unwrap();
    }

    #[test]
    fn missing_section_means_defaults() {
        let c = Config::from_cargo_metadata(&json!({"metadata": null})).unwrap();
        assert_eq!(c, Config::default());
        assert!(
            (c.thresholds.warn() - 0.05).abs() < 1e-12
                && (c.thresholds.fail() - 0.10).abs() < 1e-12
        );
    }

    #[test]
    fn per_benchmark_overrides_inherit_the_global_values() {
        let meta = json!({"metadata": {"perfmatrix": {
            "fail": 0.2,
            "benchmarks": {"cosine/768x10000": {"fail": 0.3}, "decay/1000": {"warn": 0.1}}
        }}});
        let c = Config::from_cargo_metadata(&meta).unwrap();
        let id = |s: &str| BenchmarkId::new(s).unwrap();
        assert!((c.thresholds.fail() - 0.2).abs() < 1e-12);
        let t = c.thresholds_for(&id("cosine/768x10000"));
        assert!((t.warn() - 0.05).abs() < 1e-12 && (t.fail() - 0.3).abs() < 1e-12);
        let t = c.thresholds_for(&id("decay/1000"));
        assert!((t.warn() - 0.1).abs() < 1e-12 && (t.fail() - 0.2).abs() < 1e-12);
        assert_eq!(c.thresholds_for(&id("other/x")), c.thresholds);
    }

    #[test]
    fn count_gates_have_defaults_and_overrides() {
        let c = Config::from_cargo_metadata(&json!({"metadata": null})).unwrap();
        let id = |s: &str| BenchmarkId::new(s).unwrap();
        let g = c.gates_for(&id("a/b"));
        assert_eq!(g.instructions, Thresholds::INSTRUCTIONS);
        assert!((g.peak_memory_limit.get() - 1.5).abs() < 1e-12);
        let meta = json!({"metadata": {"perfmatrix": {
            "instructions": {"fail": 0.02},
            "peak-memory-limit": 2.0,
            "benchmarks": {"decay/1000": {"instructions": {"warn": 0.001}}}
        }}});
        let c = Config::from_cargo_metadata(&meta).unwrap();
        let g = c.gates_for(&id("decay/1000"));
        assert!((g.instructions.warn() - 0.001).abs() < 1e-12);
        assert!((g.instructions.fail() - 0.02).abs() < 1e-12, "inherited");
        assert!((g.peak_memory_limit.get() - 2.0).abs() < 1e-12, "inherited");
        assert_eq!(g.time, c.thresholds);
    }

    #[test]
    fn the_gate_settings_head_changes_are_listed_with_both_values() {
        let base = Config::default();
        let head = Config::from_cargo_metadata(&json!({"metadata": {"perfmatrix": {
            "paired": {"warn": 0.99, "fail": 0.99},
            "exclude-benches": ["kernels"],
            "benchmarks": {"decay/1000": {"fail": 0.5}},
            "artifact-retention-days": 3
        }}}))
        .unwrap();
        let changes = head.gate_changes(&base);
        let keys: Vec<&str> = changes.iter().map(|c| c.key.as_str()).collect();
        assert_eq!(
            keys,
            ["paired", "benchmarks.\"decay/1000\"", "exclude-benches"],
            "not the retention: it gates nothing"
        );
        assert_eq!(changes[0].base, "{ warn = 0.02, fail = 0.05 }");
        assert_eq!(changes[0].head, "{ warn = 0.99, fail = 0.99 }");
        assert_eq!(changes[1].base, "—");
        assert!(
            changes[1].head.starts_with("{ warn = 0.05, fail = 0.5, "),
            "{changes:?}"
        );
        assert_eq!(changes[2].head, "[\"kernels\"]");
        assert!(base.gate_changes(&base).is_empty());
    }

    #[test]
    fn budgets_are_set_globally_and_per_platform_and_give_the_leg_timeout() {
        let meta = json!({"metadata": {"perfmatrix": {"budget": "20m", "platforms": [
            {"triple": "x86_64-unknown-linux-gnu", "runner": "ubuntu-24.04"},
            {"triple": "aarch64-unknown-linux-gnu", "runner": "ubuntu-24.04-arm", "budget": "1h"}
        ]}}});
        let c = Config::from_cargo_metadata(&meta).unwrap();
        let seconds = |t: &str| {
            c.budget_for(&TargetTriple::parse(t).unwrap())
                .map(TimeBudget::seconds)
        };
        assert_eq!(seconds("x86_64-unknown-linux-gnu"), Some(1200));
        assert_eq!(seconds("aarch64-unknown-linux-gnu"), Some(3600));
        assert_eq!(
            seconds("riscv64gc-unknown-linux-gnu"),
            Some(1200),
            "not listed"
        );
        let timeouts: Vec<u32> = c.platforms.iter().map(|p| c.leg_timeout_for(p)).collect();
        assert_eq!(timeouts, [30, 70]);
        let none = Config::from_cargo_metadata(&json!({"metadata": {"perfmatrix": {
            "leg-timeout-minutes": 45,
            "platforms": [{"triple": "x86_64-unknown-linux-gnu", "runner": "r"}]
        }}}))
        .unwrap();
        assert_eq!(
            none.budget_for(&TargetTriple::parse("x86_64-unknown-linux-gnu").unwrap()),
            None
        );
        assert_eq!(none.leg_timeout_for(&none.platforms[0]), 45);
        // A head that shortens the budget has it listed, not applied.
        let changes = Config::default().gate_changes(&c);
        let keys: Vec<&str> = changes.iter().map(|c| c.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "budget",
                "platforms[\"aarch64-unknown-linux-gnu\"].budget",
                "platforms[\"x86_64-unknown-linux-gnu\"].budget"
            ]
        );
        assert_eq!(
            (changes[0].base.as_str(), changes[0].head.as_str()),
            ("\"20m\"", "—")
        );
        for (meta, key) in [
            (
                json!({"budget": "soon"}),
                "workspace.metadata.perfmatrix.budget",
            ),
            (
                json!({"budget": 20}),
                "workspace.metadata.perfmatrix.budget",
            ),
            (
                json!({"platforms": [{"triple": "x86_64-unknown-linux-gnu", "runner": "r", "budget": "7h"}]}),
                "workspace.metadata.perfmatrix.platforms[0].budget",
            ),
        ] {
            let err = Config::from_cargo_metadata(&json!({"metadata": {"perfmatrix": meta}}))
                .unwrap_err()
                .to_string();
            assert!(err.contains(key), "{err}");
        }
    }

    #[test]
    fn excluded_benches_are_read() {
        let meta = json!({"metadata": {"perfmatrix": {"exclude-benches": ["merge", "tooling"]}}});
        let c = Config::from_cargo_metadata(&meta).unwrap();
        assert_eq!(c.exclude_benches, ["merge", "tooling"]);
    }

    #[test]
    fn shards_are_set_globally_and_per_platform() {
        let meta = json!({"metadata": {"perfmatrix": {"shards": 4, "platforms": [
            {"triple": "x86_64-unknown-linux-gnu", "runner": "ubuntu-24.04"},
            {"triple": "aarch64-unknown-linux-gnu", "runner": "ubuntu-24.04-arm", "shards": 2}
        ]}}});
        let c = Config::from_cargo_metadata(&meta).unwrap();
        let shards: Vec<u32> = c.platforms.iter().map(|p| p.shards).collect();
        assert_eq!(shards, [4, 2]);
        let one = json!({"metadata": {"perfmatrix": {"platforms": [
            {"triple": "x86_64-unknown-linux-gnu", "runner": "ubuntu-24.04"}
        ]}}});
        assert_eq!(
            Config::from_cargo_metadata(&one).unwrap().platforms[0].shards,
            1
        );
        for (meta, key) in [
            (json!({"shards": 0}), "workspace.metadata.perfmatrix.shards"),
            (
                json!({"platforms": [{"triple": "x86_64-unknown-linux-gnu", "runner": "r", "shards": 65}]}),
                "workspace.metadata.perfmatrix.platforms[0].shards",
            ),
        ] {
            let err = Config::from_cargo_metadata(&json!({"metadata": {"perfmatrix": meta}}))
                .unwrap_err()
                .to_string();
            assert!(err.contains(key) && err.contains("1 to 64"), "{err}");
        }
    }

    #[test]
    fn platforms_are_read_in_order() {
        let meta = json!({"metadata": {"perfmatrix": {"platforms": [
            {"triple": "x86_64-unknown-linux-gnu", "runner": "ubuntu-24.04"},
            {"triple": "aarch64-unknown-linux-gnu", "runner": "ubuntu-24.04-arm", "required": false}
        ]}}});
        let c = Config::from_cargo_metadata(&meta).unwrap();
        let got: Vec<_> = c
            .platforms
            .iter()
            .map(|p| (p.triple.as_str(), p.runner.as_str(), p.required))
            .collect();
        assert_eq!(
            got,
            [
                ("x86_64-unknown-linux-gnu", "ubuntu-24.04", true),
                ("aarch64-unknown-linux-gnu", "ubuntu-24.04-arm", false)
            ]
        );
    }

    #[test]
    fn bad_values_name_the_key() {
        let cases = [
            (json!({"fail": "ten"}), "workspace.metadata.perfmatrix.fail"),
            (
                json!({"warn": 0.3, "fail": 0.1}),
                "workspace.metadata.perfmatrix",
            ),
            (json!({"benchmarks": {"../x": {}}}), "benchmarks.\"../x\""),
            (
                json!({"benchmarks": {"a/b": {"fail": -1}}}),
                "benchmarks.\"a/b\"",
            ),
            (json!(7), "workspace.metadata.perfmatrix"),
            (
                json!({"instructions": 0.01}),
                "workspace.metadata.perfmatrix.instructions",
            ),
            (
                json!({"instructions": {"warn": 0.02, "fail": 0.01}}),
                "workspace.metadata.perfmatrix.instructions",
            ),
            (
                json!({"benchmarks": {"a/b": {"peak-memory-limit": 0.5}}}),
                "benchmarks.\"a/b\".peak-memory-limit",
            ),
            (
                json!({"exclude-benches": "merge"}),
                "workspace.metadata.perfmatrix.exclude-benches",
            ),
            (
                json!({"exclude-benches": ["merge", 3]}),
                "workspace.metadata.perfmatrix.exclude-benches",
            ),
            (
                json!({"platforms": [{"triple": "../x", "runner": "r"}]}),
                "platforms[0].triple",
            ),
            (
                json!({"platforms": [{"triple": "x86_64-unknown-linux-gnu"}]}),
                "platforms[0].runner",
            ),
            (
                json!({"platforms": [
                    {"triple": "x86_64-unknown-linux-gnu", "runner": "a"},
                    {"triple": "x86_64-unknown-linux-gnu", "runner": "b"}
                ]}),
                "platforms[1].triple",
            ),
            (
                json!({"artifact-retention-days": 0}),
                "workspace.metadata.perfmatrix.artifact-retention-days",
            ),
            (
                json!({"artifact-retention-days": 91}),
                "workspace.metadata.perfmatrix.artifact-retention-days",
            ),
            (
                json!({"leg-timeout-minutes": 0}),
                "workspace.metadata.perfmatrix.leg-timeout-minutes",
            ),
            (
                json!({"leg-timeout-minutes": 361}),
                "workspace.metadata.perfmatrix.leg-timeout-minutes",
            ),
            (
                json!({"toolchain": "1.95.0; rm -rf /"}),
                "workspace.metadata.perfmatrix.toolchain",
            ),
            (
                json!({"paired": {"warn": 0.1, "fail": 0.05}}),
                "workspace.metadata.perfmatrix.paired",
            ),
        ];
        for (section, key) in cases {
            let err = Config::from_cargo_metadata(&json!({"metadata": {"perfmatrix": section}}))
                .unwrap_err()
                .to_string();
            assert!(err.contains(key), "{err} should name {key}");
        }
    }

    #[test]
    fn bad_paths_and_commands_name_the_key() {
        let cases = [
            (
                json!({"baselines": "/abs/baselines"}),
                "workspace.metadata.perfmatrix.baselines",
            ),
            (
                json!({"baselines": "../outside"}),
                "workspace.metadata.perfmatrix.baselines",
            ),
            (
                json!({"baselines": ""}),
                "workspace.metadata.perfmatrix.baselines",
            ),
            (
                json!({"workflow": "ci/perf.yml"}),
                "workspace.metadata.perfmatrix.workflow",
            ),
            (
                json!({"workflow": ".github/workflows/perf.toml"}),
                "workspace.metadata.perfmatrix.workflow",
            ),
            (
                json!({"command": "cargo xtask; curl x"}),
                "workspace.metadata.perfmatrix.command",
            ),
            (
                json!({"command": " "}),
                "workspace.metadata.perfmatrix.command",
            ),
            (
                json!({"install": "cargo install a\nrm -rf /"}),
                "workspace.metadata.perfmatrix.install",
            ),
        ];
        for (section, key) in cases {
            let err = error_of(&section);
            assert!(err.contains(key), "{err} should name {key}");
        }
    }

    #[test]
    fn paths_and_commands_are_settings_with_todays_defaults() {
        let c = Config::default();
        assert_eq!(c.baselines, Path::new("baselines"));
        assert_eq!(c.workflow, Path::new(".github/workflows/perf.yml"));
        assert_eq!(
            (c.command.as_str(), c.install.as_deref()),
            ("cargo xtask", None)
        );
        let meta = json!({"metadata": {"perfmatrix": {
            "baselines": "perf/baselines",
            "workflow": ".github/workflows/bench.yaml",
            "command": "  cargo   perfmatrix ",
            "install": " cargo install --locked cargo-perfmatrix ",
        }}});
        let c = Config::from_cargo_metadata(&meta).unwrap();
        assert_eq!(c.baselines, Path::new("perf/baselines"));
        assert_eq!(c.workflow, Path::new(".github/workflows/bench.yaml"));
        assert_eq!(c.command, "cargo perfmatrix");
        assert_eq!(
            c.install.as_deref(),
            Some("cargo install --locked cargo-perfmatrix")
        );
    }

    fn error_of(section: &serde_json::Value) -> String {
        Config::from_cargo_metadata(&json!({"metadata": {"perfmatrix": section}}))
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn unknown_keys_are_errors_naming_the_key_its_place_and_the_nearest_setting() {
        let cases = [
            (
                json!({"fial": 0.2}),
                "workspace.metadata.perfmatrix.fial",
                "`fail`",
            ),
            (
                json!({"warm": 0.01}),
                "workspace.metadata.perfmatrix.warm",
                "`warn`",
            ),
            (
                json!({"instructions": {"fial": 0.02}}),
                "workspace.metadata.perfmatrix.instructions.fial",
                "`fail`",
            ),
            (
                json!({"platforms": [
                    {"triple": "x86_64-unknown-linux-gnu", "runner": "r"},
                    {"triple": "aarch64-unknown-linux-gnu", "runner": "r", "requird": false}
                ]}),
                "workspace.metadata.perfmatrix.platforms[1].requird",
                "`required`",
            ),
            (
                json!({"benchmarks": {"cosine/768x10000": {"peak-memory-limt": 2.0}}}),
                "workspace.metadata.perfmatrix.benchmarks.\"cosine/768x10000\".peak-memory-limt",
                "`peak-memory-limit`",
            ),
            (
                json!({"exclude-bench": ["merge"]}),
                "workspace.metadata.perfmatrix.exclude-bench",
                "`exclude-benches`",
            ),
        ];
        for (section, key, nearest) in cases {
            let err = error_of(&section);
            assert!(
                err.contains(&format!("`{key}` is not a setting"))
                    && err.contains(&format!("did you mean {nearest}?")),
                "{err} should name {key} and suggest {nearest}"
            );
        }
        // Nothing close: no guess, but the settings of that table are listed.
        let err = error_of(&json!({"platforms": [
            {"triple": "x86_64-unknown-linux-gnu", "runner": "r", "zzzzzzzz": 1}
        ]}));
        assert!(
            !err.contains("did you mean") && err.contains("triple, runner, required"),
            "{err}"
        );
    }

    #[test]
    fn wrong_types_and_missing_keys_name_the_key() {
        let err = error_of(&json!({"benchmarks": {"a/b": {"warn": "5%"}}}));
        assert!(
            err.contains("`workspace.metadata.perfmatrix.benchmarks.\"a/b\".warn`")
                && err.contains("expected a number"),
            "{err}"
        );
        let err = error_of(&json!({"platforms": [{"runner": "r"}]}));
        assert!(
            err.contains("`workspace.metadata.perfmatrix.platforms[0].triple` is missing"),
            "{err}"
        );
        let err = error_of(&json!({"platforms": {"triple": "x"}}));
        assert!(
            err.contains("workspace.metadata.perfmatrix.platforms"),
            "{err}"
        );
    }

    #[test]
    fn tables_and_exclusions_that_name_nothing_are_warnings() {
        let meta = json!({"metadata": {"perfmatrix": {
            "exclude-benches": ["merge", "mrege"],
            "benchmarks": {"cosine/768x10000": {"fail": 0.3}, "cosine/768x1000O": {"fail": 0.3}}
        }}});
        let c = Config::from_cargo_metadata(&meta).unwrap();
        let warnings = c.unknown_benchmark_warnings(&["cosine/768x10000", "cosine/768x1000"]);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].contains("benchmarks.\"cosine/768x1000O\"]")
                && warnings[0].contains("did you mean `cosine/768x1000`?"),
            "{warnings:?}"
        );
        let warnings = c.unknown_exclude_warnings(&["kernels", "merge"]);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].contains("exclude-benches` names `mrege`")
                && warnings[0].contains("did you mean `merge`?"),
            "{warnings:?}"
        );
        assert!(c.unknown_exclude_warnings(&["merge", "mrege"]).is_empty());
    }

    #[test]
    fn the_projects_own_table_reads_without_warnings() {
        let meta = json!({"metadata": {"perfmatrix": {
            "warn": 0.05, "fail": 0.10, "exclude-benches": ["merge"],
            "platforms": [
                {"triple": "x86_64-unknown-linux-gnu", "runner": "ubuntu-24.04", "required": true}
            ],
            "benchmarks": {"cosine/768x10000": {"warn": 0.15, "fail": 0.35}}
        }, "other-tool": {"anything": 1}}});
        let c = Config::from_cargo_metadata(&meta).unwrap();
        assert!(
            c.unknown_benchmark_warnings(&["cosine/768x10000"])
                .is_empty()
        );
        assert!(c.unknown_exclude_warnings(&["kernels", "merge"]).is_empty());
    }
}
