//! Baseline files, `baselines/<target-triple>/<slug>-<key id>.json`: the fingerprint they were
//! recorded on, when and at which commit, and per benchmark the K runs' samples and the noise
//! floor they show.

use std::collections::BTreeSet;
use std::path::Path;

use perfmatrix_fingerprint::Fingerprint;
use perfmatrix_stats::{NoiseFloor, Sample, run_to_run_noise};
use serde::{Deserialize, Serialize};

use crate::results::{check_unique, to_json_bytes};
use crate::{
    BenchmarkId, ModelError, Results, SampleSummary, Schema, Throughput, write_atomically,
};

/// The kind and version of baseline files this build reads and writes.
pub const BASELINE_SCHEMA: Schema = Schema {
    kind: "perfmatrix-baseline",
    version: 1,
};

/// The fewest full runs a baseline is recorded from: the noise floor needs run-to-run spread.
pub const MIN_RUNS: usize = 3;

/// A baseline file: the reference a run of one machine class is compared with. `cargo xtask
/// update-baselines` writes it ([`Baseline::from_runs`], K >= [`MIN_RUNS`] full runs pooled) to
/// `baselines/<triple>/`; `cargo xtask bench` reads every file there and uses the one recorded
/// on the run's machine class for wall time ([`crate::select`]) and the one recorded from the
/// run's build for the counts ([`crate::select_counts`]). Layout: docs/baselines.md.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    /// Always [`BASELINE_SCHEMA`]'s kind.
    pub schema: String,
    /// Always [`BASELINE_SCHEMA`]'s version.
    pub version: u32,
    /// The machine and build the runs were made on (the first run's; all share its
    /// comparability key).
    pub fingerprint: Fingerprint,
    /// When, at which commit and from how many runs it was recorded.
    pub recorded: Recorded,
    /// Sorted by id, ids unique.
    pub benchmarks: Vec<BaselineBench>,
}

/// When and from what a baseline was recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recorded {
    /// Seconds since the Unix epoch of the last run.
    pub finished_unix: u64,
    /// Git commit of the recorded code (the first run's).
    pub commit: String,
    /// Whether the tree had uncommitted changes in any of the runs.
    pub dirty: bool,
    /// How many full runs of the suite the baseline pools.
    pub runs: usize,
}

/// One benchmark of a baseline: the K runs' measurements pooled.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaselineBench {
    /// The benchmark's id, unique in the file.
    pub id: BenchmarkId,
    /// Its throughput declaration, as the first run recorded it.
    pub throughput: Option<Throughput>,
    /// Every run's per-iteration samples pooled: what a new run is compared with.
    pub samples_ns: Sample,
    /// Each run's median, in run order.
    pub run_medians_ns: Vec<f64>,
    /// Relative range of the run medians: how far a benchmark moves between identical runs.
    pub noise: NoiseFloor,
    /// The summary of the pooled `samples_ns`.
    pub summary: SampleSummary,
    /// Instructions of one call (the median of the runs' counts, which are identical for one
    /// build); absent when the runs could not count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instructions: Option<u64>,
    /// Peak resident memory of the counting run in bytes (the median of the runs'); absent
    /// when not measured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peak_rss_bytes: Option<u64>,
}

/// Benchmark `i` of every run, pooled: the samples, each run's median, the noise floor and the
/// counts (checked to be the same benchmark in every run by the caller).
fn pool(runs: &[(&Path, Results)], i: usize) -> Result<BaselineBench, ModelError> {
    let bench = &runs[0].1.benchmarks[i];
    let pooled: Vec<f64> = runs
        .iter()
        .flat_map(|(_, r)| r.benchmarks[i].samples_ns.values().iter().copied())
        .collect();
    let run_medians_ns: Vec<f64> = runs
        .iter()
        .map(|(_, r)| r.benchmarks[i].samples_ns.median())
        .collect();
    let failed = |source| ModelError::Pool {
        id: bench.id.clone(),
        source,
    };
    let samples_ns = Sample::new(pooled).map_err(failed)?;
    let noise = run_to_run_noise(&run_medians_ns).map_err(failed)?;
    let counts = |metric: fn(&crate::Counts) -> &crate::Measured| {
        median_of_all(runs.iter().map(|(_, r)| {
            r.benchmarks[i]
                .counts
                .as_ref()
                .and_then(|p| metric(p).value())
        }))
    };
    Ok(BaselineBench {
        id: bench.id.clone(),
        throughput: bench.throughput,
        summary: SampleSummary::of(&samples_ns),
        samples_ns,
        run_medians_ns,
        noise,
        instructions: counts(|p| &p.instructions),
        peak_rss_bytes: counts(|p| &p.peak_rss_bytes),
    })
}

/// Refuses runs that are not K independent measurements: a run without benchmarks, the same
/// file given twice, or two runs with identical samples of a benchmark (one run copied or given
/// twice, which records "K runs" and a 0% noise floor from one measurement).
fn check_independent(runs: &[(&Path, Results)]) -> Result<(), ModelError> {
    for (k, (path, run)) in runs.iter().enumerate() {
        if run.benchmarks.is_empty() {
            return Err(ModelError::field(
                path,
                "benchmarks",
                "is empty: a run that measured nothing cannot become a baseline",
            ));
        }
        for (earlier_path, earlier) in &runs[..k] {
            if same_file(path, earlier_path) {
                return Err(ModelError::RunGivenTwice {
                    path: path.to_path_buf(),
                    min: MIN_RUNS,
                });
            }
            let copied = run.benchmarks.iter().position(|b| {
                earlier
                    .get(&b.id)
                    .is_some_and(|e| e.samples_ns.values() == b.samples_ns.values())
            });
            if let Some(i) = copied {
                return Err(ModelError::field(
                    path,
                    format!("benchmarks[{i}].samples_ns"),
                    format!(
                        "are exactly the samples of `{}` in {}: the same run twice (a copy), \
                         which would fake a 0% noise floor; give independent runs",
                        run.benchmarks[i].id,
                        earlier_path.display()
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// What `run` measured that `first` did not and the reverse, as ids compared as sets; `None`
/// when both measured the same benchmarks (in whatever order).
fn id_difference(first: &Results, run: &Results) -> Option<String> {
    let ours: BTreeSet<&BenchmarkId> = first.benchmarks.iter().map(|b| &b.id).collect();
    let theirs: BTreeSet<&BenchmarkId> = run.benchmarks.iter().map(|b| &b.id).collect();
    let list = |label: &str, ids: Vec<&&BenchmarkId>| {
        const SHOWN: usize = 5;
        if ids.is_empty() {
            return None;
        }
        let mut text = ids
            .iter()
            .take(SHOWN)
            .map(|id| format!("`{}`", id.as_str().escape_debug()))
            .collect::<Vec<_>>()
            .join(", ");
        if ids.len() > SHOWN {
            text = format!("{text} and {} more", ids.len() - SHOWN);
        }
        Some(format!("{label} {text}"))
    };
    let parts: Vec<String> = [
        list("missing", ours.difference(&theirs).collect()),
        list("extra", theirs.difference(&ours).collect()),
    ]
    .into_iter()
    .flatten()
    .collect();
    (!parts.is_empty()).then(|| parts.join("; "))
}

fn same_file(a: &Path, b: &Path) -> bool {
    a == b
        || matches!(
            (std::fs::canonicalize(a), std::fs::canonicalize(b)),
            (Ok(a), Ok(b)) if a == b
        )
}

/// The median (the lower middle one for an even count) of the values, if every run has one
/// and none is zero; `None` otherwise: a baseline only carries a metric every run measured.
fn median_of_all(values: impl Iterator<Item = Option<u64>>) -> Option<u64> {
    let mut all: Vec<u64> = values.collect::<Option<Vec<u64>>>()?;
    if all.is_empty() || all.contains(&0) {
        return None;
    }
    all.sort_unstable();
    Some(all[(all.len() - 1) / 2])
}

impl Baseline {
    /// Whether this baseline carries a count (instruction counts or peak memory), so it
    /// can gate those metrics.
    #[must_use]
    pub fn has_counts(&self) -> bool {
        self.benchmarks
            .iter()
            .any(|b| b.instructions.is_some() || b.peak_rss_bytes.is_some())
    }

    /// Pools `runs` (K >= [`MIN_RUNS`] full results of one platform and machine) into a baseline.
    /// Every run must be a full run with the same fingerprint key and the same benchmarks.
    pub fn from_runs(runs: &[(&Path, Results)]) -> Result<Self, ModelError> {
        // Benchmarks are pooled by position and looked up by id: put every run in id order, so
        // the same benchmarks listed in another order are the same run.
        let sorted: Vec<(&Path, Results)> = runs
            .iter()
            .map(|(path, run)| {
                let mut run = run.clone();
                run.benchmarks.sort_by(|a, b| a.id.cmp(&b.id));
                (*path, run)
            })
            .collect();
        let runs = sorted.as_slice();
        let Some(((first_path, first), rest)) = runs.split_first() else {
            return Err(ModelError::TooFewRuns {
                got: 0,
                min: MIN_RUNS,
            });
        };
        if runs.len() < MIN_RUNS {
            return Err(ModelError::TooFewRuns {
                got: runs.len(),
                min: MIN_RUNS,
            });
        }
        for (path, run) in runs {
            if run.settings.quick {
                return Err(ModelError::field(
                    path,
                    "settings.quick",
                    "is a --quick smoke run, which can never become a baseline",
                ));
            }
            if run.settings.filter.is_some() {
                return Err(ModelError::field(
                    path,
                    "settings.filter",
                    "is a filtered run; a baseline needs the whole suite",
                ));
            }
        }
        check_independent(runs)?;
        let key = first.fingerprint.comparability_key();
        for (path, run) in rest {
            let diffs = key.differences(&run.fingerprint.comparability_key());
            if let Some(d) = diffs.first() {
                return Err(ModelError::field(
                    path,
                    format!("fingerprint.{}", d.field),
                    format!(
                        "is `{}` but `{}` in {}: runs of different machines cannot be pooled",
                        d.theirs,
                        d.ours,
                        first_path.display()
                    ),
                ));
            }
            if let Some(difference) = id_difference(first, run) {
                return Err(ModelError::field(
                    path,
                    "benchmarks",
                    format!(
                        "measured other benchmarks than {}: {difference}",
                        first_path.display()
                    ),
                ));
            }
        }
        let benchmarks = (0..first.benchmarks.len())
            .map(|i| pool(runs, i))
            .collect::<Result<Vec<_>, _>>()?;
        let last = runs.iter().map(|(_, r)| r.finished_unix).max().unwrap_or(0);
        Ok(Self {
            schema: BASELINE_SCHEMA.kind.to_owned(),
            version: BASELINE_SCHEMA.version,
            recorded: Recorded {
                finished_unix: last,
                commit: first.fingerprint.git.commit.clone(),
                dirty: runs.iter().any(|(_, r)| r.fingerprint.git.dirty),
                runs: runs.len(),
            },
            fingerprint: first.fingerprint.clone(),
            benchmarks,
        })
    }

    /// Reads and checks a baseline file.
    pub fn load(path: &Path) -> Result<Self, ModelError> {
        let baseline: Baseline = BASELINE_SCHEMA.read(path)?;
        check_unique(path, baseline.benchmarks.iter().map(|b| &b.id))?;
        for (i, b) in baseline.benchmarks.iter().enumerate() {
            for (name, value) in [
                ("instructions", b.instructions),
                ("peak_rss_bytes", b.peak_rss_bytes),
            ] {
                if value == Some(0) {
                    return Err(ModelError::field(
                        path,
                        format!("benchmarks[{i}].{name}"),
                        "is 0, which is not a measurement (leave it out when unavailable)",
                    ));
                }
            }
            if b.run_medians_ns.len() < 2 {
                return Err(ModelError::field(
                    path,
                    format!("benchmarks[{i}].run_medians_ns"),
                    "needs at least two runs to carry a noise floor",
                ));
            }
        }
        Ok(baseline)
    }

    /// Writes the file atomically (temp file + rename): an interrupted write leaves the old file.
    pub fn save(&self, path: &Path) -> Result<(), ModelError> {
        write_atomically(path, &to_json_bytes(self))
    }

    /// The benchmark with this id, if the baseline has it.
    #[must_use]
    pub fn get(&self, id: &BenchmarkId) -> Option<&BaselineBench> {
        self.benchmarks.iter().find(|b| &b.id == id)
    }
}
