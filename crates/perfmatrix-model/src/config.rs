//! perfmatrix's settings from `[workspace.metadata.perfmatrix]` in the workspace's Cargo.toml, as
//! `cargo metadata` reports them: global and per-benchmark gates of each metric.
//!
//! ```toml
//! [workspace.metadata.perfmatrix]
//! warn = 0.05          # relative slowdown that warns
//! fail = 0.10          # relative slowdown that fails
//! instructions = { warn = 0.005, fail = 0.01 }   # relative growth of instruction counts
//! peak-memory-limit = 1.5                        # fail above 1.5 × the baseline's peak
//! platforms = [       # the CI matrix: one leg per platform
//!   { triple = "x86_64-unknown-linux-gnu", runner = "ubuntu-24.04", required = true },
//! ]
//! exclude-benches = ["merge"]   # bench targets that are not part of the suite
//! [workspace.metadata.perfmatrix.benchmarks."cosine/768x10000"]
//! fail = 0.20          # per benchmark: any of the keys above
//! ```

use std::collections::BTreeMap;

use perfmatrix_fingerprint::TargetTriple;
use perfmatrix_stats::Thresholds;
use serde_json::Value;

use crate::{BenchmarkId, ModelError};

const SECTION: &str = "workspace.metadata.perfmatrix";

/// Gates for every benchmark, with per-benchmark overrides, and the project's platforms.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Wall-time thresholds (and the other gates) of every benchmark without an override.
    pub thresholds: Thresholds,
    pub instructions: Thresholds,
    pub peak_memory_limit: PeakLimit,
    pub per_benchmark: BTreeMap<BenchmarkId, Gates>,
    pub platforms: Vec<Platform>,
    /// Bench targets (`[[bench]]` names) the suite does not run: tooling benchmarks that are
    /// run by hand, not gated.
    pub exclude_benches: Vec<String>,
}

/// The gates of one benchmark, one per metric.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Gates {
    /// Relative slowdown of the median time.
    pub time: Thresholds,
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
    pub triple: TargetTriple,
    pub runner: String,
    pub required: bool,
}

impl Default for Config {
    /// The default gates, no override, no platform.
    fn default() -> Self {
        Self {
            thresholds: Thresholds::default(),
            instructions: Thresholds::INSTRUCTIONS,
            peak_memory_limit: PeakLimit::DEFAULT,
            per_benchmark: BTreeMap::new(),
            platforms: Vec::new(),
            exclude_benches: Vec::new(),
        }
    }
}

impl Config {
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

    /// The gates of a benchmark without an override.
    fn gates_for_all(&self) -> Gates {
        Gates {
            time: self.thresholds,
            instructions: self.instructions,
            peak_memory_limit: self.peak_memory_limit,
        }
    }

    /// Reads the section out of `cargo metadata --format-version 1` output (its top-level
    /// `metadata` object is the workspace's `[workspace.metadata]`). A missing section means the
    /// defaults; a malformed one is an error naming the key.
    pub fn from_cargo_metadata(metadata: &Value) -> Result<Self, ModelError> {
        let Some(section) = metadata.get("metadata").and_then(|m| m.get("perfmatrix")) else {
            return Ok(Self::default());
        };
        let section = section
            .as_object()
            .ok_or_else(|| bad(SECTION, "must be a table"))?;
        let defaults = Self::default();
        let global = gates_in(section, SECTION, defaults.gates_for_all())?;
        let mut per_benchmark = BTreeMap::new();
        if let Some(benches) = section.get("benchmarks") {
            let key = format!("{SECTION}.benchmarks");
            let benches = benches
                .as_object()
                .ok_or_else(|| bad(&key, "must be a table"))?;
            for (id, table) in benches {
                let key = format!("{key}.\"{id}\"");
                let bench_id =
                    BenchmarkId::new(id.clone()).map_err(|e| bad(&key, &e.to_string()))?;
                let table = table
                    .as_object()
                    .ok_or_else(|| bad(&key, "must be a table"))?;
                per_benchmark.insert(bench_id, gates_in(table, &key, global)?);
            }
        }
        let platforms = match section.get("platforms") {
            None => Vec::new(),
            Some(list) => platforms_in(list)?,
        };
        let exclude_benches = match section.get("exclude-benches") {
            None => Vec::new(),
            Some(list) => strings_in(list, &format!("{SECTION}.exclude-benches"))?,
        };
        Ok(Self {
            thresholds: global.time,
            instructions: global.instructions,
            peak_memory_limit: global.peak_memory_limit,
            per_benchmark,
            platforms,
            exclude_benches,
        })
    }
}

fn strings_in(list: &Value, key: &str) -> Result<Vec<String>, ModelError> {
    list.as_array()
        .and_then(|items| {
            items
                .iter()
                .map(|v| v.as_str().map(str::to_owned))
                .collect::<Option<Vec<_>>>()
        })
        .ok_or_else(|| bad(key, "must be an array of strings"))
}

fn platforms_in(list: &Value) -> Result<Vec<Platform>, ModelError> {
    let key = format!("{SECTION}.platforms");
    let list = list
        .as_array()
        .ok_or_else(|| bad(&key, "must be an array of tables"))?;
    let mut platforms: Vec<Platform> = Vec::with_capacity(list.len());
    for (i, entry) in list.iter().enumerate() {
        let key = format!("{key}[{i}]");
        let text = |name: &str| -> Result<String, ModelError> {
            entry
                .get(name)
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or_else(|| bad(&format!("{key}.{name}"), "must be a string"))
        };
        let triple = TargetTriple::parse(&text("triple")?)
            .map_err(|e| bad(&format!("{key}.triple"), &e.to_string()))?;
        if platforms.iter().any(|p| p.triple == triple) {
            return Err(bad(
                &format!("{key}.triple"),
                &format!("`{triple}` is listed twice"),
            ));
        }
        let required = match entry.get("required") {
            None => true,
            Some(v) => v
                .as_bool()
                .ok_or_else(|| bad(&format!("{key}.required"), "must be true or false"))?,
        };
        platforms.push(Platform {
            triple,
            runner: text("runner")?,
            required,
        });
    }
    Ok(platforms)
}

/// The gates of one table (the section or a benchmark's), each key defaulting to `inherited`.
fn gates_in(
    table: &serde_json::Map<String, Value>,
    key: &str,
    inherited: Gates,
) -> Result<Gates, ModelError> {
    let time = thresholds_in(table, key, inherited.time.warn(), inherited.time.fail())?;
    let instructions = match table.get("instructions") {
        None => inherited.instructions,
        Some(v) => {
            let key = format!("{key}.instructions");
            let inner = v
                .as_object()
                .ok_or_else(|| bad(&key, "must be a table like { warn = 0.005, fail = 0.01 }"))?;
            thresholds_in(
                inner,
                &key,
                inherited.instructions.warn(),
                inherited.instructions.fail(),
            )?
        }
    };
    let peak_memory_limit = match table.get("peak-memory-limit") {
        None => inherited.peak_memory_limit,
        Some(v) => match v.as_f64() {
            Some(limit) if limit.is_finite() && limit >= 1.0 => PeakLimit(limit),
            _ => {
                return Err(bad(
                    &format!("{key}.peak-memory-limit"),
                    "must be a number >= 1 (1.5 fails above 1.5 × the baseline's peak)",
                ));
            }
        },
    };
    Ok(Gates {
        time,
        instructions,
        peak_memory_limit,
    })
}

fn thresholds_in(
    table: &serde_json::Map<String, Value>,
    key: &str,
    warn: f64,
    fail: f64,
) -> Result<Thresholds, ModelError> {
    let number = |name: &str, default: f64| -> Result<f64, ModelError> {
        match table.get(name) {
            None => Ok(default),
            Some(v) => v.as_f64().ok_or_else(|| {
                bad(
                    &format!("{key}.{name}"),
                    "must be a number (0.10 means 10%)",
                )
            }),
        }
    };
    let (warn, fail) = (number("warn", warn)?, number("fail", fail)?);
    Thresholds::new(warn, fail).map_err(|e| bad(key, &e.to_string()))
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
    fn exact_metric_gates_have_defaults_and_overrides() {
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
    fn excluded_benches_are_read() {
        let meta = json!({"metadata": {"perfmatrix": {"exclude-benches": ["merge", "tooling"]}}});
        let c = Config::from_cargo_metadata(&meta).unwrap();
        assert_eq!(c.exclude_benches, ["merge", "tooling"]);
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
        ];
        for (section, key) in cases {
            let err = Config::from_cargo_metadata(&json!({"metadata": {"perfmatrix": section}}))
                .unwrap_err()
                .to_string();
            assert!(err.contains(key), "{err} should name {key}");
        }
    }
}
