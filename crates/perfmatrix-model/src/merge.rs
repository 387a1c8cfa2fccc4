//! One report for a CI matrix: the verdicts of every platform's leg merged into an overall
//! verdict, a row per platform and a benchmark × platform table. A platform that was expected but
//! sent nothing is shown as missing and fails the merge; it is never silently passed.
//!
//! The merge is lossless: a platform keeps everything its leg's report said about it (its
//! baseline choices, whether wall time gated) and each cell is the leg's row itself, so one
//! platform's own report is the merge of one ([`MergedReport::single`]) and renders through the
//! same path.
//!
//! Merging reads only what the legs already decided (each leg judged its own run on its own
//! machine, re-measurements included), so it is pure bookkeeping: linear in the number of rows,
//! plus one sort of the benchmark ids. It trusts the rows' verdicts, not a leg's summary of
//! them: each platform's outcome and counts are derived again from its rows, and a `--quick`
//! leg is never a verdict for a required platform.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};

use perfmatrix_fingerprint::{Fingerprint, TargetTriple};
use serde::{Deserialize, Deserializer, Serialize};

use crate::report::yes;
use crate::results::check_unique;
use crate::{
    BenchmarkId, Counts, MAX_SAMPLE_NS, ModelError, Outcome, RESULTS_SCHEMA, Report, Results, Row,
    RowVerdict, SampleSummary, Schema, Tally,
};

/// The kind and version of merged-report JSON. Version 1 has since gained fields (a platform's
/// baseline choices, a cell's whole row): a file written before reads them as their defaults, and
/// a reader from before ignores them, so either reads the other's files.
pub const MERGED_SCHEMA: Schema = Schema {
    kind: "perfmatrix-merged-report",
    version: 1,
};

/// One leg's contribution: where it came from, its platform, and its report if it got one.
#[derive(Debug, Clone, PartialEq)]
pub struct LegResults {
    /// The results file (or another label of where the leg's results came from).
    pub source: PathBuf,
    /// The target triple of the leg's run (`fingerprint.target`): what the merge groups by.
    pub platform: TargetTriple,
    /// The slug of the leg's machine, shown even when the leg has no verdict.
    pub fingerprint_slug: String,
    /// The commit the leg measured (`fingerprint.git.commit`); `None` outside a git checkout.
    /// A merge refuses legs of different commits.
    pub commit: Option<String>,
    /// The leg's report; `None`: the leg measured but stopped before judging (e.g. its
    /// baseline failed to load).
    pub report: Option<Report>,
    /// One shard of its platform (`bench --shard k/N`), with the platform's plan; `merge`
    /// puts the shards of a platform back together.
    pub sharding: Option<crate::Sharding>,
    /// A platform put back together from shards: how many it has and which sent no results
    /// (their benchmarks are rows `missing`). Empty for a leg that is not.
    pub shards: Option<ShardsSeen>,
}

/// The shards a platform was measured in, as the merge found them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShardsSeen {
    /// How many shards the plan has.
    pub count: u32,
    /// The shards that sent no results file, from 1.
    pub missing: Vec<u32>,
    /// How many benchmarks those would have measured.
    pub missing_benchmarks: usize,
}

impl LegResults {
    /// The leg of a run `cargo xtask bench` measured (`results`) and judged (`verdict`),
    /// written to `source`.
    #[must_use]
    pub fn of_run(source: &Path, results: &Results, verdict: Report) -> Self {
        Self {
            source: source.to_owned(),
            platform: results.fingerprint.target.clone(),
            fingerprint_slug: results.fingerprint.slug(),
            commit: measured_commit(&results.fingerprint),
            report: Some(verdict),
            sharding: results.sharding.clone(),
            shards: None,
        }
    }

    /// Reads a results file's leg and checks it like `update-baselines --from` checks a run: its
    /// schema and version, fingerprint and verdict; that the verdict is of the platform the
    /// fingerprint names; benchmark and row ids (valid, each once); every sample positive,
    /// finite and at most [`MAX_SAMPLE_NS`]; each summary's count, minimum and maximum against
    /// its samples; no count of 0. The samples are checked as they are read, never
    /// stored (they are most of the file, and a merge does not use them).
    pub fn load(path: &Path) -> Result<Self, ModelError> {
        let file: LegFile = RESULTS_SCHEMA.read(path)?;
        check_unique(path, file.benchmarks.iter().map(|b| &b.id))?;
        for (i, bench) in file.benchmarks.iter().enumerate() {
            bench.check(path, i)?;
        }
        let verdict = file.verdict;
        if let Some(report) = &verdict {
            check_verdict(path, &file.fingerprint, report)?;
            // A verdict is of its run: a quick run's is quick.
            if report.quick != file.settings.quick {
                return Err(ModelError::field(
                    path,
                    "verdict.quick",
                    format!(
                        "is {}, but `settings.quick` is {}: a verdict must be of its run",
                        report.quick, file.settings.quick
                    ),
                ));
            }
        }
        if let Some(sharding) = &file.sharding {
            sharding.check(path)?;
        }
        Ok(Self {
            source: path.to_owned(),
            platform: file.fingerprint.target.clone(),
            fingerprint_slug: file.fingerprint.slug(),
            commit: measured_commit(&file.fingerprint),
            report: verdict,
            sharding: file.sharding,
            shards: None,
        })
    }
}

/// The commit a run measured, unless it ran outside git.
fn measured_commit(fingerprint: &Fingerprint) -> Option<String> {
    Some(fingerprint.git.commit.clone()).filter(|c| c != "unknown")
}

/// The part of a results file a merge reads.
#[derive(Deserialize)]
struct LegFile {
    fingerprint: Fingerprint,
    settings: LegSettings,
    verdict: Option<Report>,
    benchmarks: Vec<LegBench>,
    #[serde(default)]
    sharding: Option<crate::Sharding>,
}

#[derive(Deserialize)]
struct LegSettings {
    quick: bool,
}

/// A benchmark of a results file as a merge reads it: the id, the samples only checked, and
/// what can be checked against them without keeping them.
#[derive(Deserialize)]
struct LegBench {
    id: BenchmarkId,
    samples_ns: CheckedSamples,
    summary: SampleSummary,
    #[serde(default)]
    counts: Option<Counts>,
}

impl LegBench {
    /// The summary's count, minimum and maximum are the samples' (the median, mean and MAD
    /// would need the samples kept); no count is 0.
    fn check(&self, path: &Path, i: usize) -> Result<(), ModelError> {
        let samples = &self.samples_ns;
        for (name, stored, seen) in [
            ("count", self.summary.count as f64, samples.count as f64),
            ("min_ns", self.summary.min_ns, samples.min),
            ("max_ns", self.summary.max_ns, samples.max),
        ] {
            // Round-trip floats: equal but for rounding noise.
            if (stored - seen).abs() > 1e-9 * seen.abs().max(1e-9) {
                return Err(ModelError::field(
                    path,
                    format!("benchmarks[{i}].summary.{name}"),
                    format!(
                        "is {stored}, but the samples of `{}` give {seen}: the summary disagrees \
                         with its samples",
                        self.id
                    ),
                ));
            }
        }
        if let Some(counts) = &self.counts {
            crate::results::check_counts(path, i, counts)?;
        }
        Ok(())
    }
}

/// A non-empty sequence of positive, finite times of at most [`MAX_SAMPLE_NS`], checked one by
/// one as it is parsed; only their count and range are kept.
struct CheckedSamples {
    count: usize,
    min: f64,
    max: f64,
}

impl<'de> Deserialize<'de> for CheckedSamples {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = CheckedSamples;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list of per-iteration times in nanoseconds")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<CheckedSamples, A::Error> {
                let mut seen = CheckedSamples {
                    count: 0,
                    min: f64::INFINITY,
                    max: 0.0,
                };
                while let Some(value) = seq.next_element::<f64>()? {
                    if !(value.is_finite() && value > 0.0 && value <= MAX_SAMPLE_NS) {
                        return Err(serde::de::Error::custom(format!(
                            "sample {} is {value}: a time must be positive, finite and at \
                             most {MAX_SAMPLE_NS:e} ns",
                            seen.count
                        )));
                    }
                    seen.count += 1;
                    seen.min = seen.min.min(value);
                    seen.max = seen.max.max(value);
                }
                if seen.count == 0 {
                    return Err(serde::de::Error::custom("is empty"));
                }
                Ok(seen)
            }
        }
        deserializer.deserialize_seq(Visitor)
    }
}

/// Checks a leg's verdict against the file it came in: its platform, and every row's medians
/// (the rows' ids are [`BenchmarkId`]s, checked as the file is read).
fn check_verdict(
    path: &Path,
    fingerprint: &Fingerprint,
    report: &Report,
) -> Result<(), ModelError> {
    if report.platform != fingerprint.target {
        return Err(ModelError::field(
            path,
            "verdict.platform",
            format!(
                "is `{}`, but `fingerprint.target` is `{}`: a verdict must be of the platform \
                 its run was made on",
                report.platform, fingerprint.target
            ),
        ));
    }
    for (i, row) in report.rows.iter().enumerate() {
        for (name, value) in [
            ("new_median_ns", row.new_median_ns),
            ("base_median_ns", row.base_median_ns),
        ] {
            if let Some(v) = value.filter(|v| !(v.is_finite() && *v > 0.0)) {
                return Err(ModelError::field(
                    path,
                    format!("verdict.rows[{i}].{name}"),
                    format!("is {v}: a median time must be positive and finite"),
                ));
            }
        }
    }
    Ok(())
}

/// The first row of `report` whose id an earlier row has: its index and id.
fn duplicate_row(report: &Report) -> Option<(usize, &str)> {
    let mut seen = HashSet::with_capacity(report.rows.len());
    report
        .rows
        .iter()
        .enumerate()
        .find(|(_, row)| !seen.insert(row.id.as_str()))
        .map(|(i, row)| (i, row.id.as_str()))
}

/// A platform the merge expects, and whether its absence fails the merge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    /// The target triple.
    pub platform: TargetTriple,
    /// Whether the merge fails when this platform sends no verdict (or only a `--quick` one).
    pub required: bool,
}

/// A platform whose leg was deliberately not run (the local rehearsal lacks its cross tools).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// The target triple.
    pub platform: TargetTriple,
    /// Why.
    pub reason: SkipReason,
}

/// Why the local rehearsal (`matrix run`) cannot run a platform's leg on this machine; what to
/// install follows from it and the triple, and `perfmatrix-report` words both.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SkipReason {
    /// Not Linux on both sides: only Linux targets run under qemu-user here, so the leg runs on
    /// its own CI runner.
    NotEmulable {
        /// The host, which cannot emulate it.
        host: TargetTriple,
    },
    /// Cross tools are missing; each flag says whether that tool is.
    CrossToolsMissing {
        /// The cross C compiler and C library (`<arch>-linux-gnu-gcc`).
        compiler: bool,
        /// The emulator (`qemu-<arch>`, of qemu-user).
        emulator: bool,
        /// Rust's standard library for the triple (`rustup target add`).
        rust_target: bool,
    },
    /// Every tool is here, but `.cargo/config.toml` names no runner for the triple.
    NoRunner,
}

/// The state of one platform in the merged report, ordered by severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PlatformStatus {
    /// Compared, and nothing regressed.
    Pass,
    /// Measured, but with no baseline of a comparable machine: neither pass nor fail.
    NoComparableBaseline,
    /// Deliberately not run here (see the row's note); never counted as a pass.
    Skipped,
    /// Expected, but no results arrived.
    Missing,
    /// Some of its benchmarks have no verdict: a benchmark failed (a panic, a hang), or a shard
    /// sent no results (its benchmarks are missing).
    Incomplete,
    /// Results arrived without a verdict: the leg stopped before judging.
    Unjudged,
    /// At least one benchmark regressed.
    Fail,
}

impl PlatformStatus {
    /// The name used in reports and JSON.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            PlatformStatus::Pass => "pass",
            PlatformStatus::NoComparableBaseline => "no-comparable-baseline",
            PlatformStatus::Skipped => "skipped",
            PlatformStatus::Missing => "missing",
            PlatformStatus::Incomplete => "incomplete",
            PlatformStatus::Unjudged => "unjudged",
            PlatformStatus::Fail => "fail",
        }
    }
}

/// One thing a platform row says beside its verdict: a fact, which `perfmatrix-report` words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PlatformNote {
    /// Deliberately not run here (the local rehearsal cannot run its leg).
    Skipped {
        /// Why.
        reason: SkipReason,
    },
    /// Expected, but no results file arrived.
    NoResults,
    /// The leg measured but stopped before its verdict.
    StoppedBeforeVerdict,
    /// No comparable baseline: this command records one.
    NoComparableBaseline {
        /// The command ([`crate::Reference::NoComparableBaseline`]'s).
        record: crate::RecordCommand,
    },
    /// A `--quick` smoke run of a required platform, which never passes it.
    QuickRun,
    /// Compared with committed baselines, where wall time only warns.
    TimeWarnsOnly,
    /// Measured against its base on the same runner, sampled so.
    Paired {
        /// How its benchmarks were sampled ([`Report::pairing`]); `None` when none was measured
        /// on both sides.
        pairing: Option<crate::Pairing>,
    },
    /// Gate settings the head changes, which the run did not apply.
    SettingsNotApplied {
        /// Each setting with the base's and the head's value.
        changes: Vec<crate::SettingChange>,
    },
    /// How the plain criterion benchmarks were built and measured.
    CriterionLayer {
        /// Against the layer, or with criterion itself and why.
        layer: crate::CriterionLayer,
    },
    /// Measured within a time budget.
    Budget {
        /// The budget, in seconds.
        seconds: u64,
        /// The benchmarks it left undecided, in the report's order.
        limited: Vec<BenchmarkId>,
    },
    /// Shards of the platform that sent no results.
    MissingShards {
        /// The shards that sent none, from 1.
        missing: Vec<u32>,
        /// Of how many.
        count: u32,
        /// How many benchmarks those would have measured.
        benchmarks: usize,
    },
    /// Benchmarks that failed (a panic or a hang) and have no verdict, in the report's order.
    FailedBenchmarks {
        /// Their ids.
        ids: Vec<BenchmarkId>,
    },
}

/// One platform of the merged report.
#[allow(
    clippy::struct_excessive_bools,
    reason = "required, fails, quick and time_gated are four independent yes-or-no facts that \
              readers of the JSON file read as booleans; enums would change the file"
)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlatformRow {
    /// The target triple.
    pub platform: TargetTriple,
    /// Its state; for a leg with a verdict, derived again from the verdict's rows.
    pub status: PlatformStatus,
    /// Whether this platform's absence fails the merge.
    pub required: bool,
    /// Whether this platform fails the merge: it regressed, or it is required and has no verdict.
    pub fails: bool,
    /// The results file it came from.
    pub source: Option<String>,
    /// The slug of the leg's machine; `None` when no results arrived.
    pub fingerprint_slug: Option<String>,
    /// The comparability key's id of the leg's machine (`Report::fingerprint_id`).
    #[serde(default)]
    pub fingerprint_id: Option<String>,
    /// The CPU model of the leg's runner.
    #[serde(default)]
    pub cpu: Option<String>,
    /// The emulator the leg ran under (`Report::emulated`); `None` for a native run or without
    /// a verdict.
    pub emulated: Option<String>,
    /// The leg's verdict is of a `--quick` smoke run (never a required platform's pass).
    pub quick: bool,
    /// What the leg judged wall time against, whole ([`Report::reference`]): the file, the
    /// candidates when none was comparable, or the paired commits. `None` without a verdict.
    #[serde(default)]
    pub reference: Option<crate::Reference>,
    /// What the leg judged instruction counts and peak memory against
    /// ([`Report::count_reference`]); `None` when it counted nothing or has no verdict.
    #[serde(default)]
    pub count_reference: Option<crate::Reference>,
    /// Whether wall time could fail the leg (`Report::time_gated`).
    #[serde(default = "yes")]
    pub time_gated: bool,
    /// How many of the platform's benchmarks came out with each verdict.
    pub tally: Option<Tally>,
    /// What the row says beside its verdict, in the order shown: why a platform is skipped,
    /// missing or unjudged and what to do, and how its leg measured.
    #[serde(default)]
    pub notes: Vec<PlatformNote>,
    /// The column of this platform in [`MergedRow::cells`], if it has a verdict.
    pub column: Option<usize>,
}

/// One benchmark across the platforms that have a verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MergedRow {
    /// The benchmark's id: one table row per id, but for an id a platform's own report has
    /// twice.
    pub id: BenchmarkId,
    /// Indexed by [`PlatformRow::column`]: that platform's row of the benchmark, as its leg
    /// judged it; `None` where that platform did not measure it.
    pub cells: Vec<Option<Row>>,
    /// The worst verdict of the row.
    pub worst: RowVerdict,
}

/// The overall outcome of a merge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MergedOutcome {
    /// No platform regressed and every required platform has a verdict.
    Pass,
    /// A platform regressed, or a required platform has no verdict.
    Fail,
    /// Nothing failed, but no platform was compared with a baseline either.
    NoComparableBaseline,
}

/// The merged report of a matrix run: the overall outcome and why, a row per platform, and a
/// benchmark × platform table whose cells are the legs' own [`Row`]s. [`merge`] builds it from
/// the legs' results files (`cargo xtask merge`, `cargo xtask matrix run`), and
/// [`MergedReport::single`] from one platform's [`Report`] (`cargo xtask bench`);
/// `perfmatrix-report` renders it as a table, Markdown, HTML or JSON (kind and version:
/// [`MERGED_SCHEMA`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MergedReport {
    /// Always [`MERGED_SCHEMA`]'s kind.
    pub schema: String,
    /// Always [`MERGED_SCHEMA`]'s version.
    pub version: u32,
    /// The verdict of the whole matrix; [`MergedReport::failures`] says why it failed.
    pub outcome: MergedOutcome,
    /// Expected platforms in the order given, then any other platform that sent results.
    pub platforms: Vec<PlatformRow>,
    /// The platforms with a verdict (their `platform` names), in the order of `platforms`.
    pub columns: Vec<TargetTriple>,
    /// Sorted by id.
    pub benchmarks: Vec<MergedRow>,
    /// Every cell's verdict counted, over all platforms.
    pub tally: Tally,
}

/// Why one platform fails the merge ([`MergedReport::failures`]): a fact, which
/// `perfmatrix-report` words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failure<'a> {
    /// The platform.
    pub platform: &'a TargetTriple,
    /// Why it fails.
    pub why: FailureKind,
}

/// What made a platform fail the merge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// This many of its benchmarks regressed.
    Regressed(usize),
    /// A required platform whose leg ran only a `--quick` smoke run.
    QuickOnly,
    /// A required platform without a verdict of its own: this status (skipped, missing,
    /// incomplete, unjudged).
    Required(PlatformStatus),
}

impl MergedReport {
    /// Every platform that fails the merge, and why, in the order of `platforms` (none when
    /// the outcome is not [`MergedOutcome::Fail`]).
    #[must_use]
    pub fn failures(&self) -> Vec<Failure<'_>> {
        self.platforms
            .iter()
            .filter(|row| row.fails)
            .map(|row| Failure {
                platform: &row.platform,
                why: match row.status {
                    PlatformStatus::Fail => {
                        FailureKind::Regressed(row.tally.map_or(0, |c| c.regressed))
                    }
                    PlatformStatus::Unjudged if row.quick => FailureKind::QuickOnly,
                    status => FailureKind::Required(status),
                },
            })
            .collect()
    }
}

/// Merges the legs. `expected` lists the platforms the merge waits for (in display order);
/// `skipped` the ones deliberately not run. Two legs of one platform are an error naming both
/// files, and so is a leg with a benchmark row twice. Each platform's outcome and counts are
/// its rows' ([`Report::outcome`]).
pub fn merge(
    legs: Vec<LegResults>,
    expected: &[Expected],
    skipped: &[Skipped],
) -> Result<MergedReport, ModelError> {
    let mut by_platform: HashMap<TargetTriple, LegResults> = HashMap::with_capacity(legs.len());
    let mut arrival: Vec<TargetTriple> = Vec::with_capacity(legs.len());
    for leg in reassemble(legs)? {
        if let Some((i, id)) = leg.report.as_ref().and_then(duplicate_row) {
            return Err(ModelError::field(
                &leg.source,
                format!("verdict.rows[{i}].id"),
                format!("`{}` appears twice", id.escape_debug()),
            ));
        }
        let other_commit = by_platform.values().find(|other| {
            other.commit.is_some() && leg.commit.is_some() && other.commit != leg.commit
        });
        if let Some(other) = other_commit {
            return Err(ModelError::MixedCommits {
                first: other.source.clone(),
                first_commit: other.commit.clone().unwrap_or_default(),
                second: leg.source,
                second_commit: leg.commit.unwrap_or_default(),
            });
        }
        if let Some(first) = by_platform.get(&leg.platform) {
            return Err(ModelError::DuplicatePlatform {
                platform: leg.platform.clone(),
                first: first.source.clone(),
                second: leg.source,
            });
        }
        arrival.push(leg.platform.clone());
        by_platform.insert(leg.platform.clone(), leg);
    }
    Ok(assemble(&by_platform, &arrival, expected, skipped))
}

/// The legs with every sharded platform put back together as one leg: its shards' rows in one
/// report, and the benchmarks of a shard that sent nothing as rows `missing`. The shards of a
/// platform must share their plan and commit, each shard once.
fn reassemble(legs: Vec<LegResults>) -> Result<Vec<LegResults>, ModelError> {
    let (sharded, mut whole): (Vec<LegResults>, Vec<LegResults>) =
        legs.into_iter().partition(|l| l.sharding.is_some());
    let mut platforms: Vec<TargetTriple> = sharded.iter().map(|l| l.platform.clone()).collect();
    platforms.sort();
    platforms.dedup();
    for platform in platforms {
        let mut shards: Vec<&LegResults> =
            sharded.iter().filter(|l| l.platform == platform).collect();
        shards.sort_by_key(|l| l.sharding.as_ref().map(|s| s.shard));
        whole.push(put_together(&shards)?);
    }
    // A sharded platform now comes after the whole legs, in triple order: only an unexpected
    // platform's place in the display (expected ones come first) follows this order.
    Ok(whole)
}

/// One platform's shards (sorted by shard, at least one) as one leg.
fn put_together(shards: &[&LegResults]) -> Result<LegResults, ModelError> {
    let first = shards[0];
    let plan = first.sharding.as_ref().expect("sharded legs only");
    let count = plan.shard.count();
    for pair in shards.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        let (sa, sb) = (
            a.sharding.as_ref().expect("sharded legs only"),
            b.sharding.as_ref().expect("sharded legs only"),
        );
        if sa.shard == sb.shard {
            return Err(ModelError::field(
                &b.source,
                "sharding.shard",
                format!(
                    "shard {} of {} arrived twice (also {})",
                    sb.shard,
                    b.platform,
                    a.source.display()
                ),
            ));
        }
        if sb.shard.count() != count || sb.plan != plan.plan {
            return Err(ModelError::field(
                &b.source,
                "sharding.plan",
                format!(
                    "differs from the plan of {} ({}): the shards of {} must plan the same \
                     benchmarks into the same number of shards",
                    first.source.display(),
                    plan.shard,
                    b.platform
                ),
            ));
        }
        if a.commit != b.commit {
            return Err(ModelError::MixedCommits {
                first: a.source.clone(),
                first_commit: a.commit.clone().unwrap_or_default(),
                second: b.source.clone(),
                second_commit: b.commit.clone().unwrap_or_default(),
            });
        }
    }
    let present: Vec<u32> = shards
        .iter()
        .filter_map(|l| l.sharding.as_ref().map(|s| s.shard.index()))
        .collect();
    let missing: Vec<u32> = (1..=count).filter(|k| !present.contains(k)).collect();
    let missing_ids: Vec<&BenchmarkId> = missing.iter().flat_map(|&k| plan.of(k)).collect();
    let verdict = shards
        .iter()
        .map(|l| l.report.as_ref())
        .collect::<Option<Vec<&Report>>>()
        .map(|reports| {
            let mut report = reports[0].clone();
            report.quick = reports.iter().any(|r| r.quick);
            report.time_gated = reports.iter().all(|r| r.time_gated);
            report.failed = reports
                .iter()
                .flat_map(|r| r.failed.iter().cloned())
                .collect();
            report.rows = reports
                .iter()
                .flat_map(|r| r.rows.iter().cloned())
                .collect();
            report.rows.extend(
                missing_ids
                    .iter()
                    .map(|&id| Row::bare(id.clone(), RowVerdict::Missing)),
            );
            report.rows.sort_by(|a, b| a.id.cmp(&b.id));
            report
        });
    Ok(LegResults {
        source: first.source.clone(),
        platform: first.platform.clone(),
        fingerprint_slug: first.fingerprint_slug.clone(),
        commit: first.commit.clone(),
        report: verdict,
        sharding: None,
        shards: Some(ShardsSeen {
            count,
            missing,
            missing_benchmarks: missing_ids.len(),
        }),
    })
}

/// The merged report of legs with distinct platforms (`arrival`: their platforms in input order).
fn assemble(
    by_platform: &HashMap<TargetTriple, LegResults>,
    arrival: &[TargetTriple],
    expected: &[Expected],
    skipped: &[Skipped],
) -> MergedReport {
    // Display order: expected platforms, then skipped ones, then the rest as they arrived.
    let mut order: Vec<TargetTriple> = Vec::new();
    for name in expected
        .iter()
        .map(|e| &e.platform)
        .chain(skipped.iter().map(|s| &s.platform))
        .chain(arrival.iter())
    {
        if !order.contains(name) {
            order.push(name.clone());
        }
    }
    let required = |platform: &TargetTriple| {
        expected
            .iter()
            .any(|e| &e.platform == platform && e.required)
    };

    let mut platforms = Vec::with_capacity(order.len());
    let mut columns: Vec<&Report> = Vec::new();
    for name in &order {
        let required = required(name);
        let row = match by_platform.get(name) {
            Some(leg) => leg_row(leg, required, &mut columns),
            None => match skipped.iter().find(|s| &s.platform == name) {
                Some(s) => absent_row(
                    name,
                    PlatformStatus::Skipped,
                    required,
                    PlatformNote::Skipped {
                        reason: s.reason.clone(),
                    },
                ),
                None => absent_row(
                    name,
                    PlatformStatus::Missing,
                    required,
                    PlatformNote::NoResults,
                ),
            },
        };
        platforms.push(row);
    }

    let (benchmarks, tally) = table(&columns);
    let outcome = if platforms.iter().any(|p| p.fails) {
        MergedOutcome::Fail
    } else if platforms.iter().any(|p| p.status == PlatformStatus::Pass) {
        MergedOutcome::Pass
    } else {
        MergedOutcome::NoComparableBaseline
    };
    MergedReport {
        schema: MERGED_SCHEMA.kind.to_owned(),
        version: MERGED_SCHEMA.version,
        outcome,
        columns: columns.iter().map(|r| r.platform.clone()).collect(),
        platforms,
        benchmarks,
        tally,
    }
}

impl MergedReport {
    /// A merged report of one platform's verdict, as `cargo xtask bench` sees it: every row of
    /// the report a cell of the one column (an id twice included), its references on its
    /// platform row. `source` labels where the report came from.
    #[must_use]
    pub fn single(report: &Report, source: &Path) -> Self {
        let leg = LegResults {
            source: source.to_owned(),
            platform: report.platform.clone(),
            fingerprint_slug: report.fingerprint_slug.clone(),
            commit: None,
            report: Some(report.clone()),
            sharding: None,
            shards: None,
        };
        // The leg's own view: a quick run is shown as such, not failed as a matrix would.
        let expected = [Expected {
            platform: report.platform.clone(),
            required: !report.quick,
        }];
        let arrival = [leg.platform.clone()];
        let by_platform = HashMap::from([(leg.platform.clone(), leg)]);
        assemble(&by_platform, &arrival, &expected, &[])
    }
}

/// Where a leg's results came from: its file, or the first of its shards' files.
fn source_of(leg: &LegResults) -> String {
    match &leg.shards {
        Some(seen) if seen.count as usize > seen.missing.len() + 1 => format!(
            "{} and {} more shard(s)",
            leg.source.display(),
            seen.count as usize - seen.missing.len() - 1
        ),
        _ => leg.source.display().to_string(),
    }
}

/// How a paired leg measured: against its base, the settings it did not apply, its plain
/// criterion benchmarks, its time budget.
fn paired_notes(report: &Report) -> Vec<PlatformNote> {
    let crate::Reference::BaseCommit {
        criterion_layer,
        settings_changed,
        budget_seconds,
        ..
    } = &report.reference
    else {
        return Vec::new();
    };
    let mut notes = vec![PlatformNote::Paired {
        pairing: report.pairing(),
    }];
    if !settings_changed.is_empty() {
        notes.push(PlatformNote::SettingsNotApplied {
            changes: settings_changed.clone(),
        });
    }
    if let Some(layer) = criterion_layer {
        notes.push(PlatformNote::CriterionLayer {
            layer: layer.clone(),
        });
    }
    if let Some(seconds) = budget_seconds {
        notes.push(PlatformNote::Budget {
            seconds: *seconds,
            limited: report.budget_limited().into_iter().cloned().collect(),
        });
    }
    notes
}

/// The benchmarks of `leg` without a verdict: its shards that sent nothing, its benchmarks
/// that failed.
fn unjudged_notes(leg: &LegResults, report: &Report) -> Vec<PlatformNote> {
    let mut notes = Vec::new();
    if let Some(seen) = leg.shards.as_ref().filter(|seen| !seen.missing.is_empty()) {
        notes.push(PlatformNote::MissingShards {
            missing: seen.missing.clone(),
            count: seen.count,
            benchmarks: seen.missing_benchmarks,
        });
    }
    if !report.failed.is_empty() {
        notes.push(PlatformNote::FailedBenchmarks {
            ids: report.failed.iter().map(|f| f.id.clone()).collect(),
        });
    }
    notes
}

fn leg_row<'a>(leg: &'a LegResults, required: bool, columns: &mut Vec<&'a Report>) -> PlatformRow {
    let source = Some(source_of(leg));
    let Some(report) = &leg.report else {
        return PlatformRow {
            source,
            fingerprint_slug: Some(leg.fingerprint_slug.clone()),
            ..absent_row(
                &leg.platform,
                PlatformStatus::Unjudged,
                required,
                PlatformNote::StoppedBeforeVerdict,
            )
        };
    };
    let (tally, outcome) = (report.tally(), report.outcome());
    let mut status = match outcome {
        Outcome::Pass => PlatformStatus::Pass,
        Outcome::Fail => PlatformStatus::Fail,
        Outcome::NoComparableBaseline => PlatformStatus::NoComparableBaseline,
    };
    let mut notes: Vec<PlatformNote> = Vec::new();
    if let crate::Reference::NoComparableBaseline { record, .. } = &report.reference {
        notes.push(PlatformNote::NoComparableBaseline {
            record: record.clone(),
        });
    }
    // A smoke run is too short to clear a platform: only a full run is its verdict.
    if report.quick && required && status != PlatformStatus::Fail {
        status = PlatformStatus::Unjudged;
        notes.push(PlatformNote::QuickRun);
    }
    match &report.reference {
        crate::Reference::Baseline { .. } if !report.time_gated => {
            notes.push(PlatformNote::TimeWarnsOnly);
        }
        crate::Reference::BaseCommit { .. } => notes.extend(paired_notes(report)),
        crate::Reference::Baseline { .. } | crate::Reference::NoComparableBaseline { .. } => {}
    }
    // Benchmarks without a verdict: a platform that did not fail is incomplete.
    let unjudged = unjudged_notes(leg, report);
    if !unjudged.is_empty() && status != PlatformStatus::Fail {
        status = PlatformStatus::Incomplete;
    }
    notes.extend(unjudged);
    columns.push(report);
    PlatformRow {
        platform: leg.platform.clone(),
        status,
        required,
        fails: status == PlatformStatus::Fail
            || (required
                && matches!(
                    status,
                    PlatformStatus::Unjudged | PlatformStatus::Incomplete
                )),
        source,
        fingerprint_slug: Some(report.fingerprint_slug.clone()),
        fingerprint_id: Some(report.fingerprint_id.clone()),
        cpu: Some(report.cpu.clone()).filter(|c| !c.is_empty()),
        emulated: report.emulated.clone(),
        quick: report.quick,
        reference: Some(report.reference.clone()),
        count_reference: report.count_reference.clone(),
        time_gated: report.time_gated,
        tally: Some(tally),
        notes,
        column: Some(columns.len() - 1),
    }
}

fn absent_row(
    platform: &TargetTriple,
    status: PlatformStatus,
    required: bool,
    note: PlatformNote,
) -> PlatformRow {
    PlatformRow {
        platform: platform.clone(),
        status,
        required,
        // A skipped leg is shown as skipped and never passes for the platform; it fails the merge
        // only where the caller made it required.
        fails: required,
        source: None,
        fingerprint_slug: None,
        fingerprint_id: None,
        cpu: None,
        emulated: None,
        quick: false,
        reference: None,
        count_reference: None,
        time_gated: true,
        tally: None,
        notes: vec![note],
        column: None,
    }
}

/// The benchmark × platform table and the count of every cell's verdict. A row is kept whole in
/// its cell; an id twice in one column (only a platform's own report can have one: [`merge`]
/// refuses it) gets a table row of its own, so that nothing of a report is lost.
fn table(columns: &[&Report]) -> (Vec<MergedRow>, Tally) {
    let width = columns.len();
    // Of each id, the table row its next cell goes into.
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut rows: Vec<MergedRow> = Vec::new();
    let mut tally = Tally::default();
    for (column, report) in columns.iter().enumerate() {
        for row in &report.rows {
            let at = match index.get(row.id.as_str()) {
                Some(&at) if rows[at].cells[column].is_none() => at,
                _ => {
                    rows.push(MergedRow {
                        id: row.id.clone(),
                        cells: vec![None; width],
                        worst: row.verdict,
                    });
                    index.insert(row.id.as_str(), rows.len() - 1);
                    rows.len() - 1
                }
            };
            let merged = &mut rows[at];
            merged.worst = merged.worst.max(row.verdict);
            merged.cells[column] = Some(row.clone());
            tally.add(row.verdict);
        }
    }
    // Stable: the rows of an id twice keep the report's order.
    rows.sort_by(|a, b| a.id.cmp(&b.id));
    (rows, tally)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::CountRow;

    fn report(platform: &str, rows: &[(&str, RowVerdict)]) -> Report {
        let rows: Vec<Row> = rows
            .iter()
            .map(|(id, v)| Row::bare(BenchmarkId::new(*id).unwrap(), *v))
            .collect();
        Report {
            fingerprint_slug: format!("slug-{platform}"),
            ..Report::example(platform, rows)
        }
    }

    fn leg(platform: &str, rows: &[(&str, RowVerdict)]) -> LegResults {
        LegResults {
            source: PathBuf::from(format!("results/{platform}.json")),
            platform: triple(platform),
            fingerprint_slug: format!("slug-{platform}"),
            commit: None,
            report: Some(report(platform, rows)),
            sharding: None,
            shards: None,
        }
    }

    /// The legs of `rows` measured as `count` shards by the plan, leaving out the shards in
    /// `lost`.
    fn shards(rows: &[(&str, RowVerdict)], count: u32, lost: &[u32]) -> Vec<LegResults> {
        let ids: Vec<BenchmarkId> = rows
            .iter()
            .map(|(id, _)| BenchmarkId::new(*id).unwrap())
            .collect();
        let plan = crate::plan(&ids, |_| None, count);
        (1..=count)
            .filter(|k| !lost.contains(k))
            .map(|k| {
                let mine: Vec<(&str, RowVerdict)> = rows
                    .iter()
                    .filter(|(id, _)| plan.iter().any(|p| p.id.as_str() == *id && p.shard == k))
                    .copied()
                    .collect();
                LegResults {
                    source: PathBuf::from(format!("results/{X86}-shard-{k}-of-{count}.json")),
                    sharding: Some(crate::Sharding {
                        shard: crate::Shard::new(k, count).unwrap(),
                        plan: plan.clone(),
                    }),
                    ..leg(X86, &mine)
                }
            })
            .collect()
    }

    fn twelve() -> Vec<(String, RowVerdict)> {
        (0..12)
            .map(|i| {
                let v = if i == 5 {
                    RowVerdict::Regressed
                } else {
                    RowVerdict::Unchanged
                };
                (format!("b/{i:02}"), v)
            })
            .collect()
    }

    /// A platform measured in four shards merges as the same platform measured whole
    /// (issue 24): the same rows, the same verdicts, the same outcome.
    #[test]
    fn four_shards_merge_as_one_platform() {
        let rows = twelve();
        let rows: Vec<(&str, RowVerdict)> = rows.iter().map(|(i, v)| (i.as_str(), *v)).collect();
        let whole = merge(vec![leg(X86, &rows)], &expect(&[X86]), &[]).unwrap();
        let mut legs = shards(&rows, 4, &[]);
        legs.reverse();
        let sharded = merge(legs, &expect(&[X86]), &[]).unwrap();
        assert_eq!(sharded.outcome, whole.outcome);
        assert_eq!(sharded.benchmarks, whole.benchmarks);
        assert_eq!(sharded.tally, whole.tally);
        assert_eq!(sharded.platforms[0].status, PlatformStatus::Fail);
        assert!(
            sharded.platforms[0]
                .source
                .as_deref()
                .is_some_and(|s| s.ends_with("shard-1-of-4.json and 3 more shard(s)")),
            "{:?}",
            sharded.platforms[0].source
        );
    }

    /// A shard that sent nothing: its benchmarks are listed missing and a required platform
    /// fails, saying which shard; an optional one is incomplete but does not fail.
    #[test]
    fn a_missing_shard_lists_its_benchmarks_and_fails_a_required_platform() {
        let rows: Vec<(String, RowVerdict)> = twelve()
            .into_iter()
            .map(|(id, _)| (id, RowVerdict::Unchanged))
            .collect();
        let rows: Vec<(&str, RowVerdict)> = rows.iter().map(|(i, v)| (i.as_str(), *v)).collect();
        let m = merge(shards(&rows, 4, &[3]), &expect(&[X86]), &[]).unwrap();
        let platform = &m.platforms[0];
        assert_eq!(platform.status, PlatformStatus::Incomplete);
        assert!(platform.fails);
        assert_eq!(m.outcome, MergedOutcome::Fail);
        assert_eq!(
            platform.notes,
            [PlatformNote::MissingShards {
                missing: vec![3],
                count: 4,
                benchmarks: 3
            }]
        );
        assert_eq!(m.benchmarks.len(), 12);
        assert_eq!(platform.tally.unwrap().missing, 3);
        assert_eq!(
            m.failures()[0].why,
            FailureKind::Required(PlatformStatus::Incomplete)
        );

        let optional = [Expected {
            platform: triple(X86),
            required: false,
        }];
        let m = merge(shards(&rows, 4, &[3]), &optional, &[]).unwrap();
        assert_eq!(m.platforms[0].status, PlatformStatus::Incomplete);
        assert!(!m.platforms[0].fails);
    }

    /// A benchmark that failed in a leg (a panic, a hang) leaves the platform incomplete and
    /// named in its note: a required platform fails, whatever the other rows say.
    #[test]
    fn a_failed_benchmark_leaves_its_platform_incomplete() {
        let mut x86 = leg(X86, &[("b/1", RowVerdict::Unchanged)]);
        x86.report.as_mut().unwrap().failed = vec![crate::FailedBench {
            id: BenchmarkId::new("b/hang").unwrap(),
            error: "printed nothing for 120 s".to_owned(),
        }];
        let m = merge(vec![x86.clone()], &expect(&[X86]), &[]).unwrap();
        let platform = &m.platforms[0];
        assert_eq!(platform.status, PlatformStatus::Incomplete);
        assert!(platform.fails);
        assert_eq!(m.outcome, MergedOutcome::Fail);
        assert_eq!(
            platform.notes,
            [PlatformNote::FailedBenchmarks {
                ids: vec![BenchmarkId::new("b/hang").unwrap()]
            }]
        );
        // A regression elsewhere on the platform still reads as a fail.
        x86.report.as_mut().unwrap().rows[0].verdict = RowVerdict::Regressed;
        let m = merge(vec![x86], &expect(&[X86]), &[]).unwrap();
        assert_eq!(m.platforms[0].status, PlatformStatus::Fail);
    }

    /// A shard twice, or shards that planned differently, are refused naming the file.
    #[test]
    fn shards_that_do_not_fit_together_are_refused() {
        let rows = twelve();
        let rows: Vec<(&str, RowVerdict)> = rows.iter().map(|(i, v)| (i.as_str(), *v)).collect();
        let mut legs = shards(&rows, 2, &[]);
        legs.push(legs[0].clone());
        let err = merge(legs, &expect(&[X86]), &[]).unwrap_err().to_string();
        assert!(err.contains("arrived twice"), "{err}");

        let mut legs = shards(&rows, 2, &[2]);
        legs.extend(shards(&rows[..6], 2, &[1]));
        let err = merge(legs, &expect(&[X86]), &[]).unwrap_err().to_string();
        assert!(err.contains("must plan the same benchmarks"), "{err}");
    }

    fn expect(platforms: &[&str]) -> Vec<Expected> {
        platforms
            .iter()
            .map(|p| Expected {
                platform: triple(p),
                required: true,
            })
            .collect()
    }

    const X86: &str = "x86_64-unknown-linux-gnu";

    fn triple(text: &str) -> TargetTriple {
        TargetTriple::parse(text).unwrap()
    }
    const ARM: &str = "aarch64-unknown-linux-gnu";

    #[test]
    fn two_passing_platforms_pass_and_align_their_benchmarks() {
        let legs = vec![
            leg(
                ARM,
                &[
                    ("a/1", RowVerdict::Unchanged),
                    ("b/1", RowVerdict::Improved),
                ],
            ),
            leg(
                X86,
                &[("a/1", RowVerdict::Warning), ("c/1", RowVerdict::New)],
            ),
        ];
        let m = merge(legs, &expect(&[X86, ARM]), &[]).unwrap();
        assert_eq!(m.outcome, MergedOutcome::Pass);
        assert!(m.failures().is_empty());
        let names: Vec<_> = m.platforms.iter().map(|p| p.platform.as_str()).collect();
        assert_eq!(names, [X86, ARM], "expected order, not arrival order");
        assert_eq!(m.columns, [X86, ARM], "columns in the same order");
        let ids: Vec<_> = m.benchmarks.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["a/1", "b/1", "c/1"]);
        let a = &m.benchmarks[0];
        assert_eq!(a.worst, RowVerdict::Warning);
        assert_eq!(a.cells[1].as_ref().unwrap().verdict, RowVerdict::Unchanged);
        assert!(
            m.benchmarks[1].cells[0].is_none(),
            "x86 did not measure b/1"
        );
        assert_eq!(m.tally.warning, 1);
        assert_eq!(m.tally.unchanged + m.tally.improved + m.tally.new, 3);
    }

    #[test]
    fn a_missing_required_platform_fails_and_is_shown_missing() {
        let m = merge(
            vec![leg(X86, &[("a/1", RowVerdict::Unchanged)])],
            &expect(&[X86, ARM]),
            &[],
        )
        .unwrap();
        assert_eq!(m.outcome, MergedOutcome::Fail);
        let arm = &m.platforms[1];
        assert_eq!(arm.status, PlatformStatus::Missing);
        assert!(arm.fails && arm.column.is_none());
        assert_eq!(
            m.failures(),
            [Failure {
                platform: &triple(ARM),
                why: FailureKind::Required(PlatformStatus::Missing)
            }]
        );
    }

    #[test]
    fn an_optional_missing_platform_is_shown_but_does_not_fail() {
        let expected = [
            Expected {
                platform: triple(X86),
                required: true,
            },
            Expected {
                platform: triple(ARM),
                required: false,
            },
        ];
        let m = merge(
            vec![leg(X86, &[("a/1", RowVerdict::Unchanged)])],
            &expected,
            &[],
        )
        .unwrap();
        assert_eq!(m.outcome, MergedOutcome::Pass);
        assert_eq!(m.platforms[1].status, PlatformStatus::Missing);
        assert!(!m.platforms[1].fails);
    }

    #[test]
    fn a_regression_on_one_platform_fails_the_merge() {
        let legs = vec![
            leg(X86, &[("a/1", RowVerdict::Unchanged)]),
            leg(ARM, &[("a/1", RowVerdict::Regressed)]),
        ];
        let m = merge(legs, &expect(&[X86, ARM]), &[]).unwrap();
        assert_eq!(m.outcome, MergedOutcome::Fail);
        assert_eq!(
            m.failures(),
            [Failure {
                platform: &triple(ARM),
                why: FailureKind::Regressed(1)
            }]
        );
        assert_eq!(m.benchmarks[0].worst, RowVerdict::Regressed);
    }

    #[test]
    fn two_legs_of_one_platform_name_both_files() {
        let err = merge(vec![leg(X86, &[]), leg(X86, &[])], &expect(&[X86]), &[]).unwrap_err();
        let text = err.to_string();
        assert!(
            text.matches(&format!("results/{X86}.json")).count() == 2 && text.contains(X86),
            "{text}"
        );
    }

    #[test]
    fn skipped_and_unjudged_legs_are_never_passes() {
        let mut unjudged = leg(ARM, &[]);
        unjudged.report = None;
        let m = merge(vec![unjudged], &expect(&[ARM]), &[]).unwrap();
        assert_eq!(m.platforms[0].status, PlatformStatus::Unjudged);
        assert_eq!(m.outcome, MergedOutcome::Fail);

        let reason = SkipReason::CrossToolsMissing {
            compiler: false,
            emulator: true,
            rust_target: false,
        };
        let skipped = [Skipped {
            platform: triple(ARM),
            reason: reason.clone(),
        }];
        let m = merge(
            vec![leg(X86, &[("a/1", RowVerdict::Unchanged)])],
            &expect(&[X86]),
            &skipped,
        )
        .unwrap();
        assert_eq!(m.outcome, MergedOutcome::Pass, "not required here");
        assert_eq!(m.platforms[1].status, PlatformStatus::Skipped);
        assert_eq!(m.platforms[1].notes, [PlatformNote::Skipped { reason }]);
    }

    #[test]
    fn nothing_compared_is_no_comparable_baseline() {
        let mut l = leg(X86, &[("a/1", RowVerdict::NoBaseline)]);
        let r = l.report.as_mut().unwrap();
        let record = crate::RecordCommand {
            invoked_as: "cargo xtask".to_owned(),
            platform: triple(X86),
            emulated: false,
        };
        r.reference = crate::Reference::NoComparableBaseline {
            candidates: Vec::new(),
            record: record.clone(),
        };
        let m = merge(vec![l], &expect(&[X86]), &[]).unwrap();
        assert_eq!(m.outcome, MergedOutcome::NoComparableBaseline);
        assert_eq!(
            m.platforms[0].notes,
            [PlatformNote::NoComparableBaseline { record }]
        );
    }

    #[test]
    fn a_single_report_is_a_merge_of_one() {
        let r = report(X86, &[("a/1", RowVerdict::Regressed)]);
        let m = MergedReport::single(&r, Path::new("r.json"));
        assert_eq!(m.outcome, MergedOutcome::Fail);
        assert_eq!(m.columns, [X86]);
    }

    /// A row with every field of a comparison set, as a leg of a paired run writes it.
    fn full_row(id: &str) -> Row {
        let counts = |verdict| CountRow {
            verdict,
            new: Some(1_020),
            base: Some(1_000),
            change: Some(0.02),
            note: None,
        };
        Row {
            new_median_ns: Some(1_100.0),
            base_median_ns: Some(1_000.0),
            change: Some(perfmatrix_stats::Interval::new(0.08, 0.1, 0.12).unwrap()),
            p_value: Some(0.001),
            noise: Some(0.01),
            warn: Some(0.02),
            fail: Some(0.05),
            minimum_detectable_effect: Some(0.015),
            remeasured: true,
            time_verdict: RowVerdict::Regressed,
            instructions: Some(counts(RowVerdict::Regressed)),
            peak_memory: Some(counts(RowVerdict::Unchanged)),
            decided_by: crate::Metric::Instructions,
            paired: Some(crate::PairedRow {
                method: crate::Method::Interleaved,
                pairs: 8,
                samples_per_pair: 30,
                iterations_per_sample: Some(1_000),
                budget_limited: false,
            }),
            ..Row::bare(BenchmarkId::new(id).unwrap(), RowVerdict::Regressed)
        }
    }

    #[test]
    fn a_merge_keeps_every_row_and_every_choice_whole() {
        let mut r = report(X86, &[]);
        r.rows = vec![
            full_row("a/1"),
            Row::bare(crate::BenchmarkId::new("b/1").unwrap(), RowVerdict::New),
        ];
        r.count_reference = Some(crate::Reference::NoComparableBaseline {
            candidates: Vec::new(),
            record: crate::RecordCommand {
                invoked_as: "cargo perfmatrix".to_owned(),
                platform: triple(X86),
                emulated: true,
            },
        });
        r.time_gated = false;
        let mut l = leg(X86, &[]);
        l.report = Some(r.clone());
        for m in [
            merge(vec![l], &expect(&[X86]), &[]).unwrap(),
            MergedReport::single(&r, Path::new("r.json")),
        ] {
            let cells: Vec<&Row> = m
                .benchmarks
                .iter()
                .map(|b| b.cells[0].as_ref().unwrap())
                .collect();
            assert_eq!(cells, r.rows.iter().collect::<Vec<_>>());
            let p = &m.platforms[0];
            assert_eq!(p.reference.as_ref(), Some(&r.reference));
            assert_eq!(p.count_reference, r.count_reference);
            assert_eq!(p.fingerprint_id.as_deref(), Some(r.fingerprint_id.as_str()));
            assert!(!p.time_gated);
        }
    }

    #[test]
    fn a_report_with_an_id_twice_loses_no_row_as_a_merge_of_one() {
        let r = report(
            X86,
            &[
                ("b/1", RowVerdict::Unchanged),
                ("a/1", RowVerdict::Regressed),
                ("b/1", RowVerdict::Improved),
            ],
        );
        let m = MergedReport::single(&r, Path::new("r.json"));
        let shown: Vec<_> = m
            .benchmarks
            .iter()
            .map(|b| (b.id.as_str(), b.cells[0].as_ref().unwrap().verdict))
            .collect();
        assert_eq!(
            shown,
            [
                ("a/1", RowVerdict::Regressed),
                ("b/1", RowVerdict::Unchanged),
                ("b/1", RowVerdict::Improved)
            ]
        );
        assert_eq!(m.tally.improved + m.tally.unchanged + m.tally.regressed, 3);
    }

    #[test]
    fn merged_json_without_the_optional_fields_parses() {
        // A platform without its references and a cell without its p-value or time verdict:
        // the fields a merged report may leave out.
        let old = r#"{
          "schema": "perfmatrix-merged-report", "version": 1, "outcome": "pass", "reasons": [],
          "platforms": [{
            "platform": "x86_64-unknown-linux-gnu", "status": "pass", "required": true,
            "fails": false, "source": "results/x86.json", "fingerprint_slug": "s",
            "emulated": null, "quick": false, "baseline": "baselines/x.json",
            "tally": {"improved": 0, "unchanged": 1, "no_baseline": 0, "new": 0, "missing": 0,
                       "warning": 0, "regressed": 0},
            "note": null, "column": 0
          }],
          "columns": ["x86_64-unknown-linux-gnu"],
          "benchmarks": [{
            "id": "a/1", "worst": "unchanged",
            "cells": [{
              "id": "a/1", "verdict": "unchanged",
              "change": {"lower": -0.01, "estimate": 0.0, "upper": 0.01},
              "new_median_ns": 1000.0, "base_median_ns": 1000.0, "remeasured": false,
              "decided_by": "time", "instructions": null, "peak_memory": null
            }]
          }],
          "tally": {"improved": 0, "unchanged": 1, "no_baseline": 0, "new": 0, "missing": 0,
                    "warning": 0, "regressed": 0}
        }"#;
        let m: MergedReport = MERGED_SCHEMA.parse(Path::new("merged.json"), old).unwrap();
        let p = &m.platforms[0];
        assert!(p.reference.is_none() && p.count_reference.is_none() && p.time_gated);
        let cell = m.benchmarks[0].cells[0].as_ref().unwrap();
        assert_eq!(cell.time_verdict, RowVerdict::Unavailable);
        assert!(cell.p_value.is_none() && cell.disagreement().is_none());
        assert_eq!(cell.new_median_ns, Some(1000.0));
    }
    #[test]
    fn a_row_twice_in_one_leg_is_an_error_naming_the_file() {
        let twice = leg(
            X86,
            &[
                ("a/1", RowVerdict::Unchanged),
                ("a/1", RowVerdict::Unchanged),
            ],
        );
        let err = merge(vec![twice], &expect(&[X86]), &[])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(&format!("results/{X86}.json"))
                && err.contains("verdict.rows[1].id")
                && err.contains("appears twice"),
            "{err}"
        );
    }

    #[test]
    fn a_quick_leg_never_passes_a_required_platform() {
        let mut quick = leg(X86, &[("a/1", RowVerdict::Unchanged)]);
        quick.report.as_mut().unwrap().quick = true;
        let m = merge(vec![quick.clone()], &expect(&[X86]), &[]).unwrap();
        assert_eq!(m.outcome, MergedOutcome::Fail);
        let row = &m.platforms[0];
        assert_eq!(row.status, PlatformStatus::Unjudged);
        assert!(
            row.fails && row.quick && row.column.is_some(),
            "its cells are kept"
        );
        assert_eq!(
            m.failures(),
            [Failure {
                platform: &triple(X86),
                why: FailureKind::QuickOnly
            }]
        );

        // Optional: shown as a quick pass, and the merge passes.
        let optional = [Expected {
            platform: triple(X86),
            required: false,
        }];
        let m = merge(vec![quick.clone()], &optional, &[]).unwrap();
        assert_eq!(m.platforms[0].status, PlatformStatus::Pass);
        assert!(!m.platforms[0].fails);
        assert_eq!(m.outcome, MergedOutcome::Pass);

        // A quick regression is still a regression.
        let mut regressed = leg(X86, &[("a/1", RowVerdict::Regressed)]);
        regressed.report.as_mut().unwrap().quick = true;
        let m = merge(vec![regressed], &expect(&[X86]), &[]).unwrap();
        assert_eq!(m.platforms[0].status, PlatformStatus::Fail);

        // A quick run's own report (`bench --quick`) is not failed for being quick.
        let single = MergedReport::single(quick.report.as_ref().unwrap(), Path::new("r.json"));
        assert_eq!(single.outcome, MergedOutcome::Pass);
    }
}
