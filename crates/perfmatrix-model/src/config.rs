//! perfmatrix's settings from `[workspace.metadata.perfmatrix]` in the workspace's Cargo.toml, as
//! `cargo metadata` reports them: global and per-benchmark thresholds.
//!
//! ```toml
//! [workspace.metadata.perfmatrix]
//! warn = 0.05          # relative slowdown that warns
//! fail = 0.10          # relative slowdown that fails
//! platforms = [       # the CI matrix: one leg per platform
//!   { triple = "x86_64-unknown-linux-gnu", runner = "ubuntu-24.04", required = true },
//! ]
//! exclude-benches = ["merge"]   # bench targets that are not part of the suite
//! [workspace.metadata.perfmatrix.benchmarks."cosine/768x10000"]
//! fail = 0.20          # per benchmark: either or both
//! ```

use std::collections::BTreeMap;

use perfmatrix_fingerprint::TargetTriple;
use perfmatrix_stats::Thresholds;
use serde_json::Value;

use crate::{BenchmarkId, ModelError};

const SECTION: &str = "workspace.metadata.perfmatrix";

/// Thresholds for every benchmark, with per-benchmark overrides, and the project's platforms.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Config {
    pub thresholds: Thresholds,
    pub per_benchmark: BTreeMap<BenchmarkId, Thresholds>,
    pub platforms: Vec<Platform>,
    /// Bench targets (`[[bench]]` names) the suite does not run: tooling benchmarks that are
    /// run by hand, not gated.
    pub exclude_benches: Vec<String>,
}

/// One platform of the project: a target triple, the CI runner label it runs on, and whether its
/// results must be present for a merged report to pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Platform {
    pub triple: TargetTriple,
    pub runner: String,
    pub required: bool,
}

impl Config {
    /// The thresholds that apply to `id`.
    #[must_use]
    pub fn thresholds_for(&self, id: &BenchmarkId) -> Thresholds {
        self.per_benchmark
            .get(id)
            .copied()
            .unwrap_or(self.thresholds)
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
        let defaults = Thresholds::default();
        let thresholds = thresholds_in(section, SECTION, defaults.warn(), defaults.fail())?;
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
                let t = thresholds_in(table, &key, thresholds.warn(), thresholds.fail())?;
                per_benchmark.insert(bench_id, t);
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
            thresholds,
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
