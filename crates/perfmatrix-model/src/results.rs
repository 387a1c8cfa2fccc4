//! The results file `cargo xtask bench` writes: the fingerprint, the run's settings, and per
//! benchmark its per-iteration samples and a summary. Versioned; see [`RESULTS_SCHEMA`].

use std::path::{Path, PathBuf};

use perfmatrix_fingerprint::Fingerprint;
use perfmatrix_stats::Sample;
use serde::{Deserialize, Serialize};

use crate::{BenchmarkId, Counts, ModelError, Report, Schema, Throughput, write_atomically};

/// The kind and version of results files this build reads and writes.
pub const RESULTS_SCHEMA: Schema = Schema {
    kind: "perfmatrix-results",
    // 2: the run's verdict travels with it (`verdict`), so legs of a CI matrix can be merged.
    // 3: the verdict and the paired run hold facts where they held words: why a base or a
    // baseline was chosen, how to record one, how a paired run sampled.
    // 4: so does why a count is unavailable (`Measured::Unavailable`, a count row's note).
    version: 4,
};

/// One run of the benchmark suite on one platform: what `cargo xtask bench` measured, and its
/// verdict once judged. `bench` writes it (`--out`, by default
/// `target/perfmatrix/results-<triple>.json`); `update-baselines --from` pools K of them into a
/// [`crate::Baseline`], `merge` reads each CI leg's ([`crate::LegResults`]), and `history
/// append` adds full runs to the performance history.
#[derive(Debug, Clone, PartialEq)]
pub struct Results {
    /// Always [`RESULTS_SCHEMA`]'s kind.
    pub schema: String,
    /// Always [`RESULTS_SCHEMA`]'s version.
    pub version: u32,
    /// The machine, toolchain and build the run was made on: what baseline selection matches.
    pub fingerprint: Fingerprint,
    /// How the suite was run (quick, filtered, criterion's timings).
    pub settings: RunSettings,
    /// Seconds since the Unix epoch when the run finished.
    pub finished_unix: u64,
    /// Sorted by id, ids unique.
    pub benchmarks: Vec<BenchResult>,
    /// A paired run (`cargo xtask bench --against`): both commits, and what was measured of the
    /// base build. Absent in a run compared with committed baselines.
    pub paired: Option<crate::PairedRun>,
    /// Benchmarks whose measurement failed (a panic, a hang past the deadline), in either mode:
    /// not judged, and the run exits 2 after judging the others.
    pub failed: Vec<FailedBench>,
    /// A sharded run (`--shard k/N`): which shard, and the platform's whole plan.
    pub sharding: Option<crate::Sharding>,
}

/// A benchmark whose measurement failed, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FailedBench {
    /// The benchmark.
    pub id: BenchmarkId,
    /// What went wrong (`the head sample server stopped (exit status: 101)`).
    pub error: String,
}

/// A results file as written: the run, and its verdict once judged (`cargo xtask bench` keeps
/// the measurement before judging in [`unjudged_path`], so it survives a baseline that fails to
/// load: that file has no verdict). The verdict is written beside the run it judged, never
/// stored in it.
#[derive(Serialize)]
struct FileOut<'a> {
    schema: &'a str,
    version: u32,
    fingerprint: &'a Fingerprint,
    settings: &'a RunSettings,
    finished_unix: u64,
    benchmarks: &'a [BenchResult],
    #[serde(skip_serializing_if = "Option::is_none")]
    verdict: Option<&'a Report>,
    #[serde(skip_serializing_if = "Option::is_none")]
    paired: Option<&'a crate::PairedRun>,
    #[serde(skip_serializing_if = "<[FailedBench]>::is_empty")]
    failed: &'a [FailedBench],
    #[serde(skip_serializing_if = "Option::is_none")]
    sharding: Option<&'a crate::Sharding>,
}

/// A run in JSON: its results file, unjudged.
impl Serialize for Results {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.file(None).serialize(serializer)
    }
}

/// A results file as read ([`FileOut`]).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileIn {
    schema: String,
    version: u32,
    fingerprint: Fingerprint,
    settings: RunSettings,
    finished_unix: u64,
    benchmarks: Vec<BenchResult>,
    #[serde(default)]
    verdict: Option<Report>,
    #[serde(default)]
    paired: Option<crate::PairedRun>,
    #[serde(default)]
    failed: Vec<FailedBench>,
    #[serde(default)]
    sharding: Option<crate::Sharding>,
}

/// How the suite was run. A `quick` run is a smoke test: it is labelled as such and can never be
/// promoted to a baseline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunSettings {
    /// A `--quick` smoke run: shorter timings, never a baseline, never a required platform's
    /// verdict.
    pub quick: bool,
    /// The benchmark filter given on the command line, if any.
    pub filter: Option<String>,
    /// Criterion's warm-up time per benchmark, in seconds (0 in a paired run).
    pub warm_up_seconds: f64,
    /// Criterion's measurement time per benchmark, in seconds; in a paired run, the seconds
    /// the whole paired measurement took.
    pub measurement_seconds: f64,
    /// Criterion's samples per benchmark; in a paired run, the samples per process and pair.
    pub sample_size: u32,
}

/// One benchmark's measurements.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BenchResult {
    /// The benchmark's id, unique in the file.
    pub id: BenchmarkId,
    /// Its throughput declaration, if criterion's files carry one.
    pub throughput: Option<Throughput>,
    /// Per-iteration times in nanoseconds (criterion's samples, each divided by its iterations).
    pub samples_ns: Sample,
    /// The summary of `samples_ns` (checked to agree with them on loading).
    pub summary: SampleSummary,
    /// Instructions and peak memory of one call, from the harness's counting mode (absent when
    /// the run did not count).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counts: Option<Counts>,
    /// How long this run spent timing it, in seconds: criterion's samples, or a paired run's
    /// process pairs (absent in files that predate it). Shards are balanced by it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seconds: Option<f64>,
}

/// A summary of one sample, for readers who do not want to recompute it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SampleSummary {
    /// Median time per iteration, in nanoseconds.
    pub median_ns: f64,
    /// Mean time per iteration, in nanoseconds.
    pub mean_ns: f64,
    /// Median absolute deviation from the median, in nanoseconds (unscaled, as [`Sample::mad`]).
    pub mad_ns: f64,
    /// Fastest sample, in nanoseconds per iteration.
    pub min_ns: f64,
    /// Slowest sample, in nanoseconds per iteration.
    pub max_ns: f64,
    /// How many samples.
    pub count: usize,
}

impl SampleSummary {
    /// The summary of `sample`.
    #[must_use]
    pub fn of(sample: &Sample) -> Self {
        Self {
            median_ns: sample.median(),
            mean_ns: sample.mean(),
            mad_ns: sample.mad(),
            min_ns: sample.min(),
            max_ns: sample.max(),
            count: sample.len(),
        }
    }
}

impl Results {
    /// A results record with the schema header filled in; benchmarks are sorted by id.
    #[must_use]
    pub fn new(
        fingerprint: Fingerprint,
        settings: RunSettings,
        finished_unix: u64,
        mut benchmarks: Vec<BenchResult>,
    ) -> Self {
        benchmarks.sort_by(|a, b| a.id.cmp(&b.id));
        Self {
            schema: RESULTS_SCHEMA.kind.to_owned(),
            version: RESULTS_SCHEMA.version,
            fingerprint,
            settings,
            finished_unix,
            benchmarks,
            paired: None,
            failed: Vec::new(),
            sharding: None,
        }
    }

    /// Reads and checks a results file ([`Results::load_judged`]), leaving out its verdict.
    pub fn load(path: &Path) -> Result<Self, ModelError> {
        Self::load_judged(path).map(|(results, _)| results)
    }

    /// Reads and checks a results file: schema and version, every sample (positive, finite,
    /// at most [`MAX_SAMPLE_NS`]), unique ids, summaries that agree with their samples, and no
    /// count of 0; the verdict, when the run was judged. The benchmarks are put in id order.
    pub fn load_judged(path: &Path) -> Result<(Self, Option<Report>), ModelError> {
        let file: FileIn = RESULTS_SCHEMA.read(path)?;
        let mut results = Results {
            schema: file.schema,
            version: file.version,
            fingerprint: file.fingerprint,
            settings: file.settings,
            finished_unix: file.finished_unix,
            benchmarks: file.benchmarks,
            paired: file.paired,
            failed: file.failed,
            sharding: file.sharding,
        };
        check_unique(path, results.benchmarks.iter().map(|b| &b.id))?;
        for (i, bench) in results.benchmarks.iter().enumerate() {
            check_measurement(path, i, bench)?;
        }
        // A file edited or written by another tool may list them in any order; lookups by id
        // (`get`) need id order.
        results.benchmarks.sort_by(|a, b| a.id.cmp(&b.id));
        if let Some(paired) = &results.paired {
            paired.check(path)?;
        }
        if let Some(sharding) = &results.sharding {
            sharding.check(path)?;
        }
        Ok((results, file.verdict))
    }

    /// Writes the file, without a verdict, atomically (temp file + rename).
    pub fn save(&self, path: &Path) -> Result<(), ModelError> {
        self.write(path, None)
    }

    fn write(&self, path: &Path, verdict: Option<&Report>) -> Result<(), ModelError> {
        write_atomically(path, &to_json_bytes(&self.file(verdict)))
    }

    fn file<'a>(&'a self, verdict: Option<&'a Report>) -> FileOut<'a> {
        FileOut {
            schema: &self.schema,
            version: self.version,
            fingerprint: &self.fingerprint,
            settings: &self.settings,
            finished_unix: self.finished_unix,
            benchmarks: &self.benchmarks,
            verdict,
            paired: self.paired.as_ref(),
            failed: &self.failed,
            sharding: self.sharding.as_ref(),
        }
    }

    /// Keeps a measurement not judged yet beside `out`, at [`unjudged_path`], never over `out`:
    /// a run killed while it is judged (re-measuring) leaves the previous results file as it
    /// was, and the measurement survives a baseline that fails to load. Returns that path.
    pub fn save_unjudged(&self, out: &Path) -> Result<PathBuf, ModelError> {
        let path = unjudged_path(out);
        self.save(&path)?;
        Ok(path)
    }

    /// Writes the run with its `verdict` to `out` (once, atomically) and removes the unjudged
    /// copy [`Results::save_unjudged`] kept, if any.
    pub fn save_judged(&self, out: &Path, verdict: &Report) -> Result<(), ModelError> {
        self.write(out, Some(verdict))?;
        let unjudged = unjudged_path(out);
        match std::fs::remove_file(&unjudged) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(ModelError::Write {
                path: unjudged,
                source: e,
            }),
            _ => Ok(()),
        }
    }

    /// Puts `bench` in place of the measurement with the same id (or adds it), keeping the order.
    pub fn replace(&mut self, bench: BenchResult) {
        match self.benchmarks.binary_search_by(|b| b.id.cmp(&bench.id)) {
            Ok(i) => self.benchmarks[i] = bench,
            Err(i) => self.benchmarks.insert(i, bench),
        }
    }

    /// Takes the times of a second measurement, `again`, in place of this run's for the
    /// benchmarks it measured: the re-measurement decides wall time, while the counts stand as
    /// first counted (they do not vary, and the second measurement does not count).
    pub fn take_times_from(&mut self, again: Results) {
        self.failed.extend(again.failed);
        for mut bench in again.benchmarks {
            if let Some(first) = self.get(&bench.id) {
                bench.counts.clone_from(&first.counts);
            }
            self.replace(bench);
        }
    }

    /// The benchmark with this id, if measured.
    #[must_use]
    pub fn get(&self, id: &BenchmarkId) -> Option<&BenchResult> {
        self.benchmarks
            .binary_search_by(|b| b.id.cmp(id))
            .ok()
            .map(|i| &self.benchmarks[i])
    }
}

/// Where the measurement of a run writing `out` is kept until it is judged: `<out>.unjudged`
/// beside it (JSON, but not `*.json`, so a glob of the results folder never merges it).
#[must_use]
pub fn unjudged_path(out: &Path) -> PathBuf {
    let mut name = out
        .file_name()
        .map_or_else(Default::default, ToOwned::to_owned);
    name.push(".unjudged");
    out.with_file_name(name)
}

/// The longest time per iteration a sample may claim: 1,000 s. Criterion never measures such a
/// benchmark (its default measurement takes seconds in all), so a larger value is a corrupt or
/// edited file, and it would dwarf every other sample it is pooled with.
pub const MAX_SAMPLE_NS: f64 = 1e12;

/// Checks what [`Sample`] does not: plausible magnitudes, a summary that is the samples'
/// summary, and counts that are measurements (0 never is: the counting run writes
/// "unavailable" instead).
fn check_measurement(path: &Path, i: usize, bench: &BenchResult) -> Result<(), ModelError> {
    let samples = &bench.samples_ns;
    if let Some((j, value)) = samples
        .values()
        .iter()
        .enumerate()
        .find(|(_, v)| **v > MAX_SAMPLE_NS)
    {
        return Err(ModelError::field(
            path,
            format!("benchmarks[{i}].samples_ns[{j}]"),
            format!(
                "is {value:e} ns per iteration, more than {MAX_SAMPLE_NS:e} ns (1,000 s): not a \
                 plausible measurement"
            ),
        ));
    }
    let recomputed = SampleSummary::of(samples);
    let stored = &bench.summary;
    let disagrees = |name: &str, stored: String, recomputed: String| {
        ModelError::field(
            path,
            format!("benchmarks[{i}].summary.{name}"),
            format!(
                "is {stored}, but the samples of `{}` give {recomputed}: the summary disagrees \
                 with its samples (an edited or corrupt file)",
                bench.id
            ),
        )
    };
    if stored.count != recomputed.count {
        return Err(disagrees(
            "count",
            stored.count.to_string(),
            recomputed.count.to_string(),
        ));
    }
    for (name, stored, recomputed) in [
        ("median_ns", stored.median_ns, recomputed.median_ns),
        ("mean_ns", stored.mean_ns, recomputed.mean_ns),
        ("mad_ns", stored.mad_ns, recomputed.mad_ns),
        ("min_ns", stored.min_ns, recomputed.min_ns),
        ("max_ns", stored.max_ns, recomputed.max_ns),
    ] {
        // The file is written with round-trip floats; allow only rounding noise.
        if (stored - recomputed).abs() > 1e-9 * recomputed.abs().max(1e-9) {
            return Err(disagrees(name, stored.to_string(), recomputed.to_string()));
        }
    }
    if let Some(counts) = &bench.counts {
        check_counts(path, i, counts)?;
    }
    Ok(())
}

pub(crate) fn to_json_bytes<T: Serialize>(value: &T) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(value).expect("model types always serialise");
    bytes.push(b'\n');
    bytes
}

pub(crate) fn check_unique<'a>(
    path: &Path,
    ids: impl Iterator<Item = &'a BenchmarkId>,
) -> Result<(), ModelError> {
    let mut seen = std::collections::BTreeSet::new();
    for id in ids {
        if !seen.insert(id) {
            return Err(ModelError::field(
                path,
                "benchmarks",
                format!("benchmark `{id}` appears twice"),
            ));
        }
    }
    Ok(())
}

/// Refuses a count of 0 in benchmark `i`'s counts: the counting run writes `unavailable` with a
/// reason instead, and a 0 would silently drop this benchmark's gate.
pub(crate) fn check_counts(path: &Path, i: usize, counts: &Counts) -> Result<(), ModelError> {
    for (name, measured) in [
        ("instructions", &counts.instructions),
        ("peak_rss_bytes", &counts.peak_rss_bytes),
    ] {
        if measured.value() == Some(0) {
            return Err(ModelError::field(
                path,
                format!("benchmarks[{i}].counts.{name}"),
                "is 0, which is not a measurement (the counting run writes `unavailable` with a \
                 reason instead); it would silently drop this benchmark's gate",
            ));
        }
    }
    Ok(())
}
