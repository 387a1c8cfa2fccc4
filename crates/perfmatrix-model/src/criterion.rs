//! Reads every benchmark criterion measured from its own files (`<dir>/**/new/benchmark.json` and
//! `sample.json`), so a benchmark added later is picked up with no change to perfmatrix.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::{BenchmarkId, ModelError};

/// Criterion's throughput declaration: how much one iteration of the benchmark processes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Throughput {
    /// Bytes per iteration, shown in binary units (KiB/s, MiB/s).
    Bytes(u64),
    /// Bytes per iteration, shown in decimal units (KB/s, MB/s).
    BytesDecimal(u64),
    /// Elements (items, vectors, nodes) per iteration.
    Elements(u64),
    /// Bits per iteration.
    Bits(u64),
}

/// One benchmark as criterion last measured it: per-iteration times in nanoseconds, in sample order.
#[derive(Debug, Clone, PartialEq)]
pub struct CriterionBenchmark {
    /// Criterion's `full_id` from `benchmark.json` (`cosine/768x1000`).
    pub id: BenchmarkId,
    /// The benchmark's throughput, if its group declared one.
    pub throughput: Option<Throughput>,
    /// `times[i] / iters[i]` for each of criterion's samples; every value finite and > 0.
    pub per_iteration_ns: Vec<f64>,
    /// The sum of `times`: how long criterion spent timing the samples, in nanoseconds.
    pub sampled_ns: f64,
    /// The folder the files were read from, for error messages.
    pub source: PathBuf,
}

#[derive(Deserialize)]
struct BenchmarkJson {
    full_id: String,
    throughput: Option<RawThroughput>,
}

#[derive(Deserialize)]
enum RawThroughput {
    Bytes(u64),
    BytesDecimal(u64),
    Elements(u64),
    Bits(u64),
}

#[derive(Deserialize)]
struct SampleJson {
    iters: Vec<f64>,
    times: Vec<f64>,
}

/// Every benchmark under `criterion_dir` (criterion's output folder, `target/criterion`), sorted by
/// id. Folders without a `new/benchmark.json` (criterion's reports, `base/`, saved baselines) are
/// skipped; a benchmark whose files are unreadable or malformed is an error naming the file.
pub fn read_criterion_dir(criterion_dir: &Path) -> Result<Vec<CriterionBenchmark>, ModelError> {
    let mut found = Vec::new();
    collect_new_dirs(criterion_dir, &mut found)?;
    let mut benches = found
        .iter()
        .map(|dir| read_one(dir))
        .collect::<Result<Vec<_>, _>>()?;
    benches.sort_by(|a, b| a.id.cmp(&b.id));
    if let Some(pair) = benches.windows(2).find(|w| w[0].id == w[1].id) {
        return Err(ModelError::field(
            &pair[1].source,
            "full_id",
            format!(
                "`{}` is also measured in {}",
                pair[0].id,
                pair[0].source.display()
            ),
        ));
    }
    Ok(benches)
}

fn collect_new_dirs(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), ModelError> {
    let entries = std::fs::read_dir(dir).map_err(|source| ModelError::Read {
        path: dir.to_owned(),
        source,
    })?;
    for entry in entries {
        let entry = entry.map_err(|source| ModelError::Read {
            path: dir.to_owned(),
            source,
        })?;
        let path = entry.path();
        if !entry.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        if entry.file_name() == "new" {
            if path.join("benchmark.json").is_file() {
                out.push(path);
            }
        } else if entry.file_name() != "report" {
            collect_new_dirs(&path, out)?;
        }
    }
    Ok(())
}

fn read_json<T: serde::de::DeserializeOwned>(
    path: &Path,
    what: &'static str,
) -> Result<T, ModelError> {
    let text = std::fs::read_to_string(path).map_err(|source| ModelError::Read {
        path: path.to_owned(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|source| ModelError::Json {
        path: path.to_owned(),
        what,
        source,
    })
}

fn read_one(new_dir: &Path) -> Result<CriterionBenchmark, ModelError> {
    let bench_path = new_dir.join("benchmark.json");
    let bench: BenchmarkJson = read_json(&bench_path, "criterion's benchmark.json")?;
    let id = BenchmarkId::new(bench.full_id)
        .map_err(|e| ModelError::field(&bench_path, "full_id", e.to_string()))?;
    let sample_path = new_dir.join("sample.json");
    let sample: SampleJson = read_json(&sample_path, "criterion's sample.json")?;
    let per_iteration_ns = per_iteration(&sample_path, &sample)?;
    let throughput = bench.throughput.map(|t| match t {
        RawThroughput::Bytes(n) => Throughput::Bytes(n),
        RawThroughput::BytesDecimal(n) => Throughput::BytesDecimal(n),
        RawThroughput::Elements(n) => Throughput::Elements(n),
        RawThroughput::Bits(n) => Throughput::Bits(n),
    });
    Ok(CriterionBenchmark {
        id,
        throughput,
        per_iteration_ns,
        sampled_ns: sample.times.iter().sum(),
        source: new_dir.to_owned(),
    })
}

fn per_iteration(path: &Path, sample: &SampleJson) -> Result<Vec<f64>, ModelError> {
    if sample.iters.len() != sample.times.len() {
        return Err(ModelError::field(
            path,
            "times",
            format!(
                "has {} entries but `iters` has {}",
                sample.times.len(),
                sample.iters.len()
            ),
        ));
    }
    if sample.times.is_empty() {
        return Err(ModelError::field(path, "times", "is empty"));
    }
    sample
        .iters
        .iter()
        .zip(&sample.times)
        .enumerate()
        .map(|(i, (&iters, &time))| {
            if !(iters.is_finite() && iters >= 1.0) {
                return Err(ModelError::field(
                    path,
                    format!("iters[{i}]"),
                    format!("{iters} is not a positive count"),
                ));
            }
            if !(time.is_finite() && time > 0.0) {
                return Err(ModelError::field(
                    path,
                    format!("times[{i}]"),
                    format!("{time} is not a positive finite time"),
                ));
            }
            Ok(time / iters)
        })
        .collect()
}
