//! A paired run: head (the working tree) measured against a base commit on the same machine,
//! in fresh process pairs whose samples were interleaved (docs/statistics.md, "Paired mode").
//! What the results file records of it, and the report built from it.

use perfmatrix_stats::{PairedConfig, compare_paired};

use serde::{Deserialize, Serialize};

use crate::counts;
use crate::report::{CountNote, CountRow, REPORT_SCHEMA, Reference, Report, Row};
use crate::{BenchResult, BenchmarkId, Config, Counts, Measured, ModelError, RowVerdict};
use crate::{Results, results::check_unique};

/// One side of a paired run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Revision {
    /// What the user named (`origin/main`, `HEAD~1`), or `working tree` for head.
    pub name: String,
    /// The full commit hash (for head: the commit the working tree is on).
    pub commit: String,
    /// Whether the working tree had uncommitted changes (always false for a base).
    pub dirty: bool,
}

/// How the samples of one benchmark were taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    /// Both sides on perfmatrix's harness: samples of a few milliseconds, base and head in
    /// random order, in each of several fresh process pairs.
    Interleaved,
    /// A side is a plain criterion benchmark: short whole criterion runs, alternated. Coarser.
    WholeRuns,
}

impl Method {
    /// The name used in reports.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Interleaved => "interleaved",
            Method::WholeRuns => "whole-runs",
        }
    }
}

/// One process pair's summary.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PairRecord {
    /// Median nanoseconds per iteration of the base process over the pair's rounds (in whole
    /// runs: the base run's median).
    pub base_ns: f64,
    /// The same of the head process.
    pub head_ns: f64,
    /// The median over the pair's rounds of `ln(head / base)`.
    pub log_ratio: f64,
}

/// The paired measurement of one benchmark present on both sides.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PairedBench {
    /// The benchmark's id, unique among the paired benchmarks.
    pub id: BenchmarkId,
    /// How its samples were taken.
    pub method: Method,
    /// Iterations per sample (the same on both sides; None when criterion chose them, in whole
    /// runs).
    pub iterations_per_sample: Option<u64>,
    /// Samples per process and pair (1 in whole runs).
    pub samples_per_pair: usize,
    /// One summary per process pair, in the order measured; at least
    /// [`perfmatrix_stats::MIN_PAIRS`] (checked on loading).
    pub pairs: Vec<PairRecord>,
    /// Where one call spends its cost on each build, function by function; profiled only for a
    /// benchmark the run found changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profiles: Option<crate::Profiles>,
    /// The run's time budget ended this measurement while its interval still held a
    /// threshold: more pairs would have narrowed it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub budget_limited: bool,
}

/// What a results file records of a paired run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PairedRun {
    /// The working tree measured.
    pub head: Revision,
    /// The commit it was measured against.
    pub base: Revision,
    /// Why this base was chosen.
    pub why: PairedBecause,
    /// The benchmarks measured on both sides.
    pub benchmarks: Vec<PairedBench>,
    /// The base build's side of `benchmarks`: its samples (nanoseconds per iteration, every
    /// round of every pair) and its instruction counts and peak memory (`counts`).
    pub base_benchmarks: Vec<BenchResult>,
    /// Benchmarks only the base build has (missing on head).
    #[serde(default)]
    pub base_only: Vec<BenchmarkId>,
    /// How plain criterion bench targets were built, when the run had any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub criterion_layer: Option<CriterionLayer>,
    /// Gate settings head changes: not applied, as a change must not loosen its own gate (the
    /// base commit's settings judge the run).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub settings_changed: Vec<SettingChange>,
    /// The run's time budget, in seconds, when it had one (`--budget`, the `budget` setting).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget_seconds: Option<u64>,
}

/// Why a paired run measured against the base it did: the facts of the choice, which
/// `perfmatrix-report` words. In JSON, tagged by `because`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "because", rename_all = "kebab-case", deny_unknown_fields)]
pub enum PairedBecause {
    /// The user asked for it: `--against <rev>`.
    Against {
        /// The revision as given (`origin/main`, `HEAD~2`).
        rev: String,
    },
    /// The working tree has uncommitted changes: they are measured against `HEAD`.
    UncommittedChanges,
    /// The branch is ahead of the default branch: it is measured against their merge base.
    AheadOfDefault {
        /// The default branch (`main`, `origin/master`).
        branch: String,
        /// How many commits the branch is ahead of it.
        commits: usize,
    },
    /// A clean checkout with nothing ahead of the default branch: `HEAD` against its first
    /// parent, as CI measures a push.
    FirstParent,
}

/// A gate setting that differs between the base commit and head, values as written in
/// `[workspace.metadata.perfmatrix]` (`—` where a side does not set it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingChange {
    /// The key (`paired`, `benchmarks."decay/1000"`, `exclude-benches`).
    pub key: String,
    /// The base commit's value, which the run applied.
    pub base: String,
    /// Head's value, which it did not.
    pub head: String,
}

/// How a paired run built its plain criterion bench targets: against perfmatrix's
/// criterion-compatible layer (sampled interleaved and counted like harness benchmarks), or with
/// criterion itself (measured in whole runs), and why. In JSON, tagged by `status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum CriterionLayer {
    /// Both sides were built against the layer, standing in for this criterion version.
    Used {
        /// The criterion version of the lock file (`0.5.1`).
        criterion: String,
    },
    /// Criterion itself built them, on at least one side.
    NotUsed {
        /// The side where the layer could not stand in.
        side: BuildSide,
        /// Why.
        why: LayerUnusable,
    },
}

/// One of the two builds of a paired run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BuildSide {
    /// The commit measured.
    Head,
    /// The commit it is measured against.
    Base,
}

/// Why perfmatrix's criterion layer could not stand in for criterion in a build. In JSON,
/// tagged by `because`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "because", rename_all = "kebab-case", deny_unknown_fields)]
pub enum LayerUnusable {
    /// The lock file cannot be read, so the criterion version is unknown.
    LockUnreadable {
        /// The lock file.
        path: String,
    },
    /// The lock file holds no criterion (the base commit's, while head's holds one).
    NoCriterion,
    /// The lock file holds several criterion versions; the layer stands in for one.
    SeveralVersions {
        /// The versions.
        versions: Vec<String>,
    },
    /// The bench targets do not compile against the layer (an API it lacks, async benchmarks,
    /// a custom measurement).
    DoesNotCompile {
        /// The compiler's first error.
        error: String,
    },
    /// cargo failed without a compiler error.
    BuildFailed {
        /// How it ended (`exit status: 101`).
        status: String,
    },
}

/// The per-row facts of a paired comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairedRow {
    /// How the samples were taken.
    pub method: Method,
    /// How many process pairs the verdict rests on.
    pub pairs: usize,
    /// Samples per process and pair (1 in whole runs).
    pub samples_per_pair: usize,
    /// Iterations per sample; None when criterion chose them (whole runs).
    pub iterations_per_sample: Option<u64>,
    /// The run's time budget ended the measurement while its interval still held a threshold
    /// ([`PairedBench::budget_limited`]).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub budget_limited: bool,
}

/// A commit hash shortened as git shows it (7 hex digits); anything that is not a long hex hash
/// is returned whole.
#[must_use]
pub fn short_commit(commit: &str) -> &str {
    if commit.len() > 7 && commit.bytes().all(|b| b.is_ascii_hexdigit()) {
        &commit[..7]
    } else {
        commit
    }
}

impl PairedRun {
    /// Checks what a file holds beyond its types: unique ids on each side, and enough pairs.
    pub(crate) fn check(&self, path: &std::path::Path) -> Result<(), ModelError> {
        check_unique(path, self.benchmarks.iter().map(|b| &b.id))?;
        check_unique(path, self.base_benchmarks.iter().map(|b| &b.id))?;
        for b in &self.benchmarks {
            if b.pairs.len() < perfmatrix_stats::MIN_PAIRS {
                return Err(ModelError::field(
                    path,
                    "paired.benchmarks",
                    format!("`{}` has {} process pair(s)", b.id, b.pairs.len()),
                ));
            }
        }
        Ok(())
    }
}

impl Report {
    /// The report of a paired run (`results.paired` must be set): each benchmark on both sides
    /// judged by [`compare_paired`] with its `paired` gate, its counts compared with the
    /// base build's, `new` and `missing` for a benchmark on one side only.
    pub fn paired(results: &Results, config: &Config) -> Result<Self, ModelError> {
        let run = results.paired.as_ref().ok_or(ModelError::NotPaired)?;
        let fp = &results.fingerprint;
        let stats_config = PairedConfig::default();
        let mut rows = Vec::new();
        for head in &results.benchmarks {
            let base = run.base_benchmarks.iter().find(|b| b.id == head.id);
            let measured = run.benchmarks.iter().find(|b| b.id == head.id);
            let mut row = match (base, measured) {
                (Some(_), Some(m)) => {
                    let ratios: Vec<f64> = m.pairs.iter().map(|p| p.log_ratio).collect();
                    let c =
                        compare_paired(&ratios, config.gates_for(&head.id).paired, &stats_config)
                            .map_err(|source| ModelError::Compare {
                            id: head.id.clone(),
                            source,
                        })?;
                    let median = |f: fn(&PairRecord) -> f64| {
                        let mut v: Vec<f64> = m.pairs.iter().map(f).collect();
                        v.sort_by(f64::total_cmp);
                        v[v.len() / 2]
                    };
                    // The columns tell the change the verdict used: the base's median over
                    // its pairs, and head as that base moved by the paired estimate (head's own
                    // median over pairs would disagree with it, pairs being noisy one by one).
                    let base_median = median(|p| p.base_ns);
                    Row {
                        new_median_ns: Some(base_median * (1.0 + c.change.estimate())),
                        base_median_ns: Some(base_median),
                        change: Some(c.change),
                        p_value: Some(c.p_value),
                        noise: Some(c.pair_sd.exp_m1()),
                        warn: Some(c.effective_thresholds.warn()),
                        fail: Some(c.effective_thresholds.fail()),
                        minimum_detectable_effect: Some(c.minimum_detectable_effect),
                        functions: m.profiles.as_ref().map(crate::FunctionDiff::of),
                        paired: Some(PairedRow {
                            method: m.method,
                            pairs: m.pairs.len(),
                            samples_per_pair: m.samples_per_pair,
                            iterations_per_sample: m.iterations_per_sample,
                            budget_limited: m.budget_limited,
                        }),
                        ..Row::bare(head.id.clone(), c.verdict.into())
                    }
                }
                _ => Row {
                    new_median_ns: Some(head.summary.median_ns),
                    ..Row::bare(head.id.clone(), RowVerdict::New)
                },
            };
            attach_paired_counts(&mut row, head.counts.as_ref(), base, config)?;
            rows.push(row);
        }
        for id in &run.base_only {
            rows.push(Row::bare(id.clone(), RowVerdict::Missing));
        }
        rows.sort_by(|a, b| a.id.cmp(&b.id));
        let reference = Reference::BaseCommit {
            head: run.head.clone(),
            base: run.base.clone(),
            why: run.why.clone(),
            criterion_layer: run.criterion_layer.clone(),
            settings_changed: run.settings_changed.clone(),
            budget_seconds: run.budget_seconds,
        };
        Ok(Self {
            schema: REPORT_SCHEMA.kind.to_owned(),
            version: REPORT_SCHEMA.version,
            platform: fp.target.clone(),
            fingerprint_slug: fp.slug(),
            fingerprint_id: fp.comparability_key().id(),
            cpu: fp.cpu.brand.clone(),
            emulated: fp.environment.emulated.clone(),
            quick: results.settings.quick,
            reference,
            count_reference: None,
            time_gated: true,
            rows,
            failed: results.failed.clone(),
        })
    }
}

/// The counts of a paired row: head's counts against the base build's, then the row's
/// overall verdict.
fn attach_paired_counts(
    row: &mut Row,
    head: Option<&Counts>,
    base: Option<&BenchResult>,
    config: &Config,
) -> Result<(), ModelError> {
    let Ok(id) = BenchmarkId::new(row.id.clone()) else {
        return Ok(());
    };
    if let Some(head) = head {
        let gates = config.gates_for(&id);
        let base_counts = base.and_then(|b| b.counts.as_ref());
        let pick = |p: &Counts, instructions: bool| {
            if instructions {
                p.instructions.clone()
            } else {
                p.peak_rss_bytes.clone()
            }
        };
        for instructions in [true, false] {
            let new = pick(head, instructions);
            let old = base_counts.map(|p| pick(p, instructions));
            let compare = |b: u64, n: u64| {
                if instructions {
                    perfmatrix_stats::compare_counts(b, n, gates.instructions)
                } else {
                    perfmatrix_stats::compare_peak(b, n, gates.peak_memory_limit.get())
                }
            };
            let count_row = match (&new, &old, base) {
                // A benchmark new on head: nothing to compare with.
                (_, _, None) => counts::row_of(&id, &new, true, None, compare)?,
                (_, Some(Measured::Unavailable { why }), Some(_)) => CountRow {
                    verdict: RowVerdict::Unavailable,
                    new: new.value(),
                    base: None,
                    change: None,
                    // Named as the base's only when head could count: where neither side can
                    // (a plain criterion benchmark on both), the reason is the benchmark's.
                    note: Some(match &new {
                        Measured::Unavailable { why: head } if head == why => {
                            CountNote::Unmeasured(why.clone())
                        }
                        _ => CountNote::BaseUnmeasured(why.clone()),
                    }),
                },
                (_, None, Some(_)) => CountRow {
                    verdict: RowVerdict::Unavailable,
                    new: new.value(),
                    base: None,
                    change: None,
                    note: Some(CountNote::BaseNotCounted),
                },
                (_, Some(Measured::Value { value }), Some(_)) => {
                    counts::row_of(&id, &new, true, Some(*value), compare)?
                }
            };
            if instructions {
                row.instructions = Some(count_row);
            } else {
                row.peak_memory = Some(count_row);
            }
        }
    }
    let (verdict, metric) = counts::overall(row);
    row.verdict = verdict;
    row.decided_by = metric;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commits_are_shortened_only_when_they_are_hex() {
        assert_eq!(short_commit("0123456789abcdef0123"), "0123456");
        assert_eq!(short_commit("abc1234"), "abc1234");
        assert_eq!(short_commit("unknown-commit"), "unknown-commit");
        assert_eq!(short_commit("0123456789-dirty"), "0123456789-dirty");
        assert_eq!(short_commit(""), "");
    }
}
