//! The verdict of one platform's run against its selected baseline: one row per benchmark and an
//! overall outcome. Plain data (serde), rendered by `perfmatrix-report`.

use std::path::Path;

use perfmatrix_stats::{CompareConfig, Interval, Verdict, compare};
use serde::{Deserialize, Serialize};

use crate::counts;
use crate::store::Selection;
use perfmatrix_fingerprint::TargetTriple;

use crate::{BenchmarkId, Config, ModelError, Results};

/// The kind and version of report JSON.
pub const REPORT_SCHEMA: crate::Schema = crate::Schema {
    kind: "perfmatrix-report",
    // 2: instruction counts and peak memory beside wall time; `verdict` is the worst metric.
    version: 2,
};

/// One benchmark's verdict, ordered by severity (the worst decides a summary).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RowVerdict {
    /// Better than the baseline beyond the `warn` threshold (wall time: significantly so).
    Improved,
    /// No change beyond the thresholds, and the run could have seen one of `fail`.
    Unchanged,
    /// Wall time: no change the run could tell from noise, but it could not have flagged a
    /// slowdown of the configured `fail` threshold either (its minimum detectable effect is
    /// above it). Never fails a run.
    Inconclusive,
    /// A metric that could not be measured on this run (e.g. instruction counts under qemu);
    /// never a benchmark's overall verdict.
    Unavailable,
    /// Measured, but there is no comparable baseline for this run at all.
    NoBaseline,
    /// Measured, but not in the baseline.
    New,
    /// In the baseline, but not measured by this (unfiltered) run.
    Missing,
    /// Worse than the baseline beyond `warn`, but not regressed; also a wall-time regression
    /// where wall time may not fail the run ([`Report::time_gated`]). Never fails a run.
    Warning,
    /// Worse than the baseline beyond `fail` (or above the peak-memory limit): fails the run.
    Regressed,
}

impl RowVerdict {
    /// Whether this verdict says the metric moved: improved, warning or regressed.
    #[must_use]
    pub fn moved(self) -> bool {
        matches!(
            self,
            RowVerdict::Improved | RowVerdict::Warning | RowVerdict::Regressed
        )
    }

    /// The name used in reports and JSON (`no-baseline`, `regressed`, …).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            RowVerdict::Improved => "improved",
            RowVerdict::Unchanged => "unchanged",
            RowVerdict::Inconclusive => "inconclusive",
            RowVerdict::Unavailable => "unavailable",
            RowVerdict::NoBaseline => "no-baseline",
            RowVerdict::New => "new",
            RowVerdict::Missing => "missing",
            RowVerdict::Warning => "warning",
            RowVerdict::Regressed => "regressed",
        }
    }
}

impl From<Verdict> for RowVerdict {
    fn from(v: Verdict) -> Self {
        match v {
            Verdict::Improved => RowVerdict::Improved,
            Verdict::Unchanged => RowVerdict::Unchanged,
            Verdict::Inconclusive => RowVerdict::Inconclusive,
            Verdict::Warning => RowVerdict::Warning,
            Verdict::Regressed => RowVerdict::Regressed,
        }
    }
}

/// The outcome of a whole run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// Compared, and nothing regressed (warnings, new and missing benchmarks included).
    Pass,
    /// At least one benchmark regressed.
    Fail,
    /// No baseline recorded on a comparable machine: neither pass nor fail.
    NoComparableBaseline,
}

/// One benchmark's comparison on one platform: its verdict, the wall-time statistics behind it
/// and its counts. [`Report::build`] and [`Report::paired`] make one per benchmark measured or
/// in the baseline; `perfmatrix-report` renders each as a line of the table. Kept whole by a
/// merge (each cell of a [`crate::MergedReport`] is the leg's row). The comparison's fields
/// (`change` to `minimum_detectable_effect`) are `None` where there was nothing to compare with
/// (`new`, `missing`, `no-baseline`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    /// The benchmark's id, checked when a file is read.
    pub id: BenchmarkId,
    /// The row's verdict: the worst of its metrics' (improved when nothing got worse and one
    /// improved). [`Row::decided_by`] names the metric; the tally counts this verdict.
    pub verdict: RowVerdict,
    /// Median time per iteration of this run (in a paired run, of head), in nanoseconds; `None`
    /// for a `missing` benchmark.
    pub new_median_ns: Option<f64>,
    /// Median time per iteration of the baseline (in a paired run, of the base build), in
    /// nanoseconds; `None` when there is no baseline, or it lacks the benchmark.
    pub base_median_ns: Option<f64>,
    /// Relative change of the median (0.1 = 10% slower) with its interval: a bootstrap interval
    /// against a committed baseline, one over the process pairs in a paired run.
    pub change: Option<Interval>,
    /// Two-sided p-value of "no change": Mann–Whitney against a committed baseline, over the
    /// pairs' log ratios in a paired run.
    pub p_value: Option<f64>,
    /// Relative noise (0.02 = 2%): the baseline's run-to-run noise floor, or in a paired run the
    /// standard deviation of the pairs' log ratios as a ratio (`exp(sd) - 1`).
    pub noise: Option<f64>,
    /// Effective warn threshold, a relative slowdown (0.05 = 5%): the configured one raised to
    /// the noise floor (in a paired run, to the interval's half-width).
    pub warn: Option<f64>,
    /// Effective fail threshold, raised like `warn`.
    pub fail: Option<f64>,
    /// The smallest slowdown this run could have flagged as regressed.
    pub minimum_detectable_effect: Option<f64>,
    /// The first measurement claimed a change (regressed or improved), so the benchmark was
    /// measured again at once and this second measurement decided the verdict.
    #[serde(default)]
    pub remeasured: bool,
    /// The verdict of wall time alone; `verdict` is the worst of every metric's. Absent in merged
    /// reports written before it was kept: read as `unavailable`, not a comparison, so no
    /// disagreement is read from it.
    #[serde(default = "unknown_time_verdict")]
    pub time_verdict: RowVerdict,
    /// Instructions of one call, when this run counted them.
    #[serde(default)]
    pub instructions: Option<CountRow>,
    /// Peak memory of the counting run, when this run measured it.
    #[serde(default)]
    pub peak_memory: Option<CountRow>,
    /// The metric whose verdict is the row's `verdict`.
    pub decided_by: Metric,
    /// Where it changed, function by function, and what the counts point at: in a paired run,
    /// for a benchmark found changed (absent otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub functions: Option<crate::FunctionDiff>,
    /// How a paired run measured this benchmark (absent against a committed baseline).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paired: Option<crate::PairedRow>,
}

/// A metric of a benchmark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Metric {
    /// Wall time per iteration.
    Time,
    /// Instructions of one call, counted under valgrind.
    Instructions,
    /// Peak resident memory of the counting process.
    PeakMemory,
}

impl Row {
    /// Whether its wall time and its instructions disagree ([`Disagreement::of`]).
    #[must_use]
    pub fn disagreement(&self) -> Option<Disagreement> {
        Disagreement::of(self.time_verdict, self.instructions.as_ref())
    }
}

impl Metric {
    /// The name used in reports.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Metric::Time => "time",
            Metric::Instructions => "instructions",
            Metric::PeakMemory => "peak-memory",
        }
    }
}

/// Wall time and instructions of one benchmark telling different stories, said in words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Disagreement {
    /// Wall time moved, the instructions of one call did not.
    TimeOnly,
    /// The instructions moved, wall time did not.
    InstructionsOnly,
}

impl Disagreement {
    /// Of a benchmark whose wall-time verdict is `time` and whose instruction count compared as
    /// `instructions`: `None` when they agree, or when either is not a comparison.
    #[must_use]
    pub fn of(time: RowVerdict, instructions: Option<&CountRow>) -> Option<Self> {
        let counted = instructions?.verdict;
        match (time.moved(), counted.moved()) {
            (true, false) if counted == RowVerdict::Unchanged => Some(Self::TimeOnly),
            (false, true) if time == RowVerdict::Unchanged => Some(Self::InstructionsOnly),
            _ => None,
        }
    }
}

/// One count of one benchmark against its baseline value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CountRow {
    /// `unavailable`, `no-baseline` (no baseline with counts for this build), `new` (the
    /// baseline has no value for this benchmark), or the comparison's verdict.
    pub verdict: RowVerdict,
    /// This run's count (instructions, or bytes of peak memory); `None` when unavailable.
    pub new: Option<u64>,
    /// The baseline's count (in a paired run, the base build's); `None` when there is none.
    pub base: Option<u64>,
    /// `new / base - 1`, exact.
    pub change: Option<f64>,
    /// Why the metric is unavailable.
    pub note: Option<CountNote>,
}

/// Why a count row holds no comparison. Facts: `perfmatrix-report` words them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CountNote {
    /// This run could not measure it (in a paired run, head; or both sides, for the same
    /// reason).
    Unmeasured(crate::Unmeasured),
    /// Head measured it; the base build could not.
    BaseUnmeasured(crate::Unmeasured),
    /// Head measured it; the base build was not counted at all.
    BaseNotCounted,
}

/// What a report judged against: a committed baseline file, none comparable, or the base
/// commit of a paired run. Facts only: `perfmatrix-report` words why each was chosen. In JSON,
/// tagged by `status` (`selected`, `no-comparable`, `paired`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status")]
pub enum Reference {
    /// A committed baseline file, recorded on the same machine class (wall time) or from the
    /// same build (counts).
    #[serde(rename = "selected")]
    Baseline {
        /// The file, relative to the workspace root when inside it
        /// (`baselines/<triple>/<slug>-<key id>.json`).
        path: String,
        /// The slug of the machine it was recorded on.
        slug: String,
        /// The commit it was recorded at.
        commit: String,
        /// How many full runs it pools.
        runs: usize,
    },
    /// No baseline of the platform is comparable with the run.
    #[serde(rename = "no-comparable")]
    NoComparableBaseline {
        /// The nearest files, at most three, each with the fields that differ.
        candidates: Vec<IncomparableBaseline>,
        /// The command that records a baseline for this platform.
        record: RecordCommand,
    },
    /// No recorded baseline: head was measured against a base commit on this machine, in the
    /// same run (`cargo xtask bench --against`).
    #[serde(rename = "paired")]
    BaseCommit {
        /// The working tree measured.
        head: crate::Revision,
        /// The commit it was measured against.
        base: crate::Revision,
        /// Why this base.
        why: crate::PairedBecause,
        /// How plain criterion bench targets were built, when the run had any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        criterion_layer: Option<crate::CriterionLayer>,
        /// Gate settings head changes, which the run did not apply: the base's judged it.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        settings_changed: Vec<crate::SettingChange>,
        /// The run's time budget in seconds, when it had one; the rows it limited say so
        /// ([`crate::PairedRow::budget_limited`]).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        budget_seconds: Option<u64>,
    },
}

/// The command that records a baseline for a platform (`cargo xtask update-baselines
/// --platform <triple>`, with `--emulated` for a run under emulation): its parts, which
/// `perfmatrix-report` puts into words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordCommand {
    /// The front-end the user runs (`cargo xtask`, `cargo perfmatrix`).
    pub invoked_as: String,
    /// The platform to record.
    pub platform: TargetTriple,
    /// Whether the run was emulated: its baseline must be recorded under emulation too.
    pub emulated: bool,
}

impl RecordCommand {
    /// The command that records a baseline `results` could be judged against, run through the
    /// front-end `invoked_as`.
    #[must_use]
    pub fn for_run(invoked_as: &str, results: &Results) -> Self {
        Self {
            invoked_as: invoked_as.to_owned(),
            platform: results.fingerprint.target.clone(),
            emulated: results.fingerprint.environment.emulated.is_some(),
        }
    }
}

/// A baseline file that was considered but is not comparable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IncomparableBaseline {
    /// The file, relative to the workspace root when inside it.
    pub path: String,
    /// The slug of the machine it was recorded on.
    pub slug: String,
    /// The fingerprint fields in which it differs from the run.
    pub differing: Vec<DifferingField>,
}

/// One fingerprint field in which a baseline differs from the run (`cpu.x86.model`: the run's
/// `1`, the baseline's `17`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DifferingField {
    /// The field's path in the fingerprint (`cpu.x86.model`).
    pub field: String,
    /// The run's value.
    pub run: String,
    /// The baseline's value.
    pub baseline: String,
}

/// How a paired run's benchmarks were sampled, over all of them: the span of their process
/// pairs and how each pair sampled. Derived from the rows ([`Report::pairing`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pairing {
    /// The fewest process pairs a benchmark had.
    pub fewest_pairs: usize,
    /// The most.
    pub most_pairs: usize,
    /// Samples per process of a pair, when any benchmark was sampled interleaved on the
    /// harness (the first one's).
    pub interleaved_samples: Option<usize>,
    /// How many benchmarks were measured as alternated whole criterion runs instead.
    pub whole_runs: usize,
}

/// The verdict of one platform's run: a [`Row`] per benchmark, judged against the selected
/// baselines or, in a paired run, against the base commit; the tally; and the outcome.
/// `cargo xtask bench` builds it once from a run ([`Report::build`], [`Report::paired`]),
/// prints it, and writes it beside the run in the results file ([`Results::save_judged`]);
/// `merge` reads it from each leg's results, and `perfmatrix-report` renders it (as the merge
/// of one, [`crate::MergedReport::single`]). JSON kind and version: [`REPORT_SCHEMA`]; the
/// tally and the outcome are written out, derived from the rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(into = "ReportFile", try_from = "ReportFile")]
pub struct Report {
    /// Always [`REPORT_SCHEMA`]'s kind.
    pub schema: String,
    /// Always [`REPORT_SCHEMA`]'s version.
    pub version: u32,
    /// The target triple of the run (`fingerprint.target`).
    pub platform: TargetTriple,
    /// The slug of the run's machine (`amd-epyc-f25m1-avx2-2c`), for people.
    pub fingerprint_slug: String,
    /// The id of the run's comparability key: 12 hex digits shared by its machine class.
    pub fingerprint_id: String,
    /// The CPU model the run ran on (`cpu.brand` of the fingerprint).
    #[serde(default)]
    pub cpu: String,
    /// The emulator the run ran under (`qemu-user`); `None` for a native run.
    pub emulated: Option<String>,
    /// A `--quick` smoke run: too short to pass a required platform in a merge.
    pub quick: bool,
    /// What wall time was judged against: a baseline of the same machine class, or the base
    /// commit of a paired run (JSON: `baseline`).
    pub reference: Reference,
    /// What instruction counts and peak memory were judged against: a baseline of the same
    /// build, any CPU model; `None` when this run counted nothing or was paired (JSON:
    /// `count_baseline`).
    pub count_reference: Option<Reference>,
    /// Whether wall time may fail the run. False against a committed baseline unless the user
    /// opted in (`--gate-time`): runs made at different times, possibly on different hosts,
    /// cannot carry a gate on a shared machine; wall-time regressions are then warnings.
    #[serde(default = "yes")]
    pub time_gated: bool,
    /// One row per benchmark, sorted by id.
    pub rows: Vec<Row>,
    /// Benchmarks whose measurement failed (a panic, a hang past the deadline): no row, no
    /// verdict; the run's results name them too.
    pub failed: Vec<crate::FailedBench>,
}

/// A [`Report`] as JSON writes it: the report, with the tally and the outcome its rows make
/// written out for readers of the file. They are derived, never stored: reading a file whose
/// tally or outcome disagrees with its rows is an error, so no file can claim a pass its rows
/// do not make.
#[derive(Serialize, Deserialize)]
struct ReportFile {
    schema: String,
    version: u32,
    platform: TargetTriple,
    fingerprint_slug: String,
    fingerprint_id: String,
    #[serde(default)]
    cpu: String,
    emulated: Option<String>,
    quick: bool,
    baseline: Reference,
    #[serde(default)]
    count_baseline: Option<Reference>,
    #[serde(default = "yes")]
    time_gated: bool,
    rows: Vec<Row>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    failed: Vec<crate::FailedBench>,
    tally: Tally,
    outcome: Outcome,
}

impl From<Report> for ReportFile {
    fn from(r: Report) -> Self {
        let (tally, outcome) = (r.tally(), r.outcome());
        ReportFile {
            schema: r.schema,
            version: r.version,
            platform: r.platform,
            fingerprint_slug: r.fingerprint_slug,
            fingerprint_id: r.fingerprint_id,
            cpu: r.cpu,
            emulated: r.emulated,
            quick: r.quick,
            baseline: r.reference,
            count_baseline: r.count_reference,
            time_gated: r.time_gated,
            rows: r.rows,
            failed: r.failed,
            tally,
            outcome,
        }
    }
}

impl TryFrom<ReportFile> for Report {
    type Error = String;

    fn try_from(f: ReportFile) -> Result<Self, Self::Error> {
        let report = Report {
            schema: f.schema,
            version: f.version,
            platform: f.platform,
            fingerprint_slug: f.fingerprint_slug,
            fingerprint_id: f.fingerprint_id,
            cpu: f.cpu,
            emulated: f.emulated,
            quick: f.quick,
            reference: f.baseline,
            count_reference: f.count_baseline,
            time_gated: f.time_gated,
            rows: f.rows,
            failed: f.failed,
        };
        let (tally, outcome) = (report.tally(), report.outcome());
        if f.tally != tally || f.outcome != outcome {
            return Err(format!(
                "the report's summary ({}, {} regressed) disagrees with its rows ({}, {} \
                 regressed): the file was edited or corrupted",
                f.outcome.as_str(),
                f.tally.regressed,
                outcome.as_str(),
                tally.regressed
            ));
        }
        Ok(report)
    }
}

impl Outcome {
    /// The name used in JSON (`pass`, `fail`, `no-comparable-baseline`).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "fail",
            Outcome::NoComparableBaseline => "no-comparable-baseline",
        }
    }
}

/// How a run's measurements are judged, decided before judging: a report is built once, with
/// its policy, and never patched afterwards.
#[derive(Debug, Clone, Copy)]
pub struct Judging<'a> {
    /// Whether wall time may fail the run ([`Report::time_gated`]); when not, a wall-time
    /// regression is a warning and the counts still gate.
    pub time_gated: bool,
    /// The benchmarks whose times are a second measurement, taken because the first claimed a
    /// change ([`Row::remeasured`]).
    pub remeasured: &'a [BenchmarkId],
}

impl Judging<'_> {
    /// Wall time gates, nothing was measured twice: a paired run's, and a first look.
    pub const GATED: Judging<'static> = Judging {
        time_gated: true,
        remeasured: &[],
    };
}

/// How many rows came out with each [`RowVerdict`] (the rows' overall verdicts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Tally {
    /// Rows `improved`.
    pub improved: usize,
    /// Rows `unchanged`.
    pub unchanged: usize,
    /// Rows `inconclusive` (read as 0 from files that predate it).
    #[serde(default)]
    pub inconclusive: usize,
    /// Rows `unavailable` (read as 0 from files that predate it).
    #[serde(default)]
    pub unavailable: usize,
    /// Rows `no-baseline`.
    pub no_baseline: usize,
    /// Rows `new`.
    pub new: usize,
    /// Rows `missing`.
    pub missing: usize,
    /// Rows `warning`.
    pub warning: usize,
    /// Rows `regressed`.
    pub regressed: usize,
}

impl Tally {
    /// The tally of these verdicts.
    #[must_use]
    pub fn of(verdicts: impl IntoIterator<Item = RowVerdict>) -> Self {
        let mut tally = Self::default();
        for v in verdicts {
            tally.add(v);
        }
        tally
    }

    pub(crate) fn add(&mut self, v: RowVerdict) {
        *match v {
            RowVerdict::Improved => &mut self.improved,
            RowVerdict::Unchanged => &mut self.unchanged,
            RowVerdict::Inconclusive => &mut self.inconclusive,
            RowVerdict::Unavailable => &mut self.unavailable,
            RowVerdict::NoBaseline => &mut self.no_baseline,
            RowVerdict::New => &mut self.new,
            RowVerdict::Missing => &mut self.missing,
            RowVerdict::Warning => &mut self.warning,
            RowVerdict::Regressed => &mut self.regressed,
        } += 1;
    }
}

impl Report {
    /// A report of `platform` with these rows, judged against a baseline of the same machine
    /// class (`baselines/<platform>/0123456789ab.json`, 5 runs, AMD EPYC 7763); its tally is the
    /// rows' and it fails when a row regressed. A fixed value for tests, benches and
    /// documentation, never the verdict of a run; change a field with `..`.
    ///
    /// # Panics
    ///
    /// When `platform` is not a target triple.
    #[must_use]
    pub fn example(platform: &str, rows: Vec<Row>) -> Report {
        Report {
            schema: REPORT_SCHEMA.kind.to_owned(),
            version: REPORT_SCHEMA.version,
            platform: TargetTriple::parse(platform).expect("an example's platform is a triple"),
            fingerprint_slug: format!("{platform}-slug-4c"),
            fingerprint_id: "0123456789ab".to_owned(),
            cpu: "AMD EPYC 7763 64-Core Processor".to_owned(),
            emulated: None,
            quick: false,
            reference: Reference::Baseline {
                path: format!("baselines/{platform}/0123456789ab.json"),
                slug: format!("{platform}-slug-4c"),
                commit: "9fceb02d0ae598e95dc970b74767f19372d61af8".to_owned(),
                runs: 5,
            },
            count_reference: None,
            time_gated: true,
            rows,
            failed: Vec::new(),
        }
    }

    /// How many rows came out with each verdict.
    #[must_use]
    pub fn tally(&self) -> Tally {
        Tally::of(self.rows.iter().map(|r| r.verdict))
    }

    /// Fail when a row regressed; else pass when anything was compared (with the wall-time
    /// baseline, or a count's), no comparable baseline otherwise.
    #[must_use]
    pub fn outcome(&self) -> Outcome {
        let compared = matches!(
            self.reference,
            Reference::Baseline { .. } | Reference::BaseCommit { .. }
        ) || self.rows.iter().any(|r| counts::is_comparison(r.verdict));
        if self.rows.iter().any(|r| r.verdict == RowVerdict::Regressed) {
            Outcome::Fail
        } else if compared {
            Outcome::Pass
        } else {
            Outcome::NoComparableBaseline
        }
    }

    /// The ids whose wall time claims a change (regressed or improved): a transient disturbance
    /// of a shared machine can fake either, so they are measured again before the verdict
    /// stands. (Counts need no second look.)
    #[must_use]
    pub fn claimed_changes(&self) -> Vec<BenchmarkId> {
        self.rows
            .iter()
            .filter(|r| matches!(r.time_verdict, RowVerdict::Regressed | RowVerdict::Improved))
            .map(|r| r.id.clone())
            .collect()
    }

    /// The ids whose wall time or instructions moved (improved, warning or regressed): the
    /// benchmarks a paired run profiles function by function to say where they changed.
    #[must_use]
    pub fn changed(&self) -> Vec<BenchmarkId> {
        self.rows
            .iter()
            .filter(|r| {
                r.time_verdict.moved() || r.instructions.as_ref().is_some_and(|c| c.verdict.moved())
            })
            .map(|r| r.id.clone())
            .collect()
    }

    /// The ids of a paired run whose precision its time budget limited (the budget ended
    /// their pairs before their intervals were decided).
    #[must_use]
    pub fn budget_limited(&self) -> Vec<&BenchmarkId> {
        self.rows
            .iter()
            .filter(|r| r.paired.as_ref().is_some_and(|p| p.budget_limited))
            .map(|r| &r.id)
            .collect()
    }

    /// How the paired benchmarks were sampled, over all rows; `None` when no row was measured
    /// on both sides of a paired run.
    #[must_use]
    pub fn pairing(&self) -> Option<Pairing> {
        let paired: Vec<&crate::PairedRow> =
            self.rows.iter().filter_map(|r| r.paired.as_ref()).collect();
        let interleaved = paired
            .iter()
            .filter(|p| p.method == crate::Method::Interleaved);
        Some(Pairing {
            fewest_pairs: paired.iter().map(|p| p.pairs).min()?,
            most_pairs: paired.iter().map(|p| p.pairs).max()?,
            interleaved_samples: interleaved.clone().next().map(|p| p.samples_per_pair),
            whole_runs: paired.len() - interleaved.count(),
        })
    }

    /// Compares `results` with the baseline `selection` chose for wall time and the one
    /// `count_selection` chose for the counts (`None` when the run counted nothing).
    /// `record` is the command that records a baseline for this platform, shown when there
    /// is none; `judging` says whether wall time gates and which benchmarks were re-measured.
    pub fn build(
        results: &Results,
        selection: &Selection,
        count_selection: Option<&Selection>,
        config: &Config,
        record: &RecordCommand,
        judging: Judging<'_>,
    ) -> Result<Self, ModelError> {
        let fp = &results.fingerprint;
        let mut rows = match selection {
            Selection::Matched { baseline, .. } => compare_rows(results, baseline, config)?,
            Selection::NoComparable { .. } => results
                .benchmarks
                .iter()
                .map(|b| Row {
                    new_median_ns: Some(b.summary.median_ns),
                    ..Row::bare(b.id.clone(), RowVerdict::NoBaseline)
                })
                .collect(),
        };
        let count_baseline_file = match count_selection {
            Some(Selection::Matched { baseline, .. }) => Some(baseline.as_ref()),
            _ => None,
        };
        for row in &mut rows {
            row.remeasured = judging.remeasured.contains(&row.id);
            if !judging.time_gated && row.time_verdict == RowVerdict::Regressed {
                row.time_verdict = RowVerdict::Warning;
                row.verdict = RowVerdict::Warning;
            }
            counts::attach(row, results, count_baseline_file, config)?;
        }
        Ok(Self {
            schema: REPORT_SCHEMA.kind.to_owned(),
            version: REPORT_SCHEMA.version,
            platform: fp.target.clone(),
            fingerprint_slug: fp.slug(),
            fingerprint_id: fp.comparability_key().id(),
            cpu: fp.cpu.brand.clone(),
            emulated: fp.environment.emulated.clone(),
            quick: results.settings.quick,
            reference: Reference::of(selection, record),
            count_reference: count_selection.map(|sel| Reference::of(sel, record)),
            time_gated: judging.time_gated,
            rows,
            failed: results.failed.clone(),
        })
    }
}

/// The default of a flag that was always on before it was written down.
pub(crate) fn yes() -> bool {
    true
}

fn unknown_time_verdict() -> RowVerdict {
    RowVerdict::Unavailable
}

impl Row {
    /// A row with only an id and a verdict; the measurements are filled in with `..`.
    #[must_use]
    pub fn bare(id: BenchmarkId, verdict: RowVerdict) -> Self {
        Self {
            id,
            verdict,
            new_median_ns: None,
            base_median_ns: None,
            change: None,
            p_value: None,
            noise: None,
            warn: None,
            fail: None,
            minimum_detectable_effect: None,
            remeasured: false,
            time_verdict: verdict,
            instructions: None,
            peak_memory: None,
            decided_by: Metric::Time,
            functions: None,
            paired: None,
        }
    }
}

fn compare_rows(
    results: &Results,
    baseline: &crate::Baseline,
    config: &Config,
) -> Result<Vec<Row>, ModelError> {
    let cmp_config = CompareConfig::default();
    let mut rows = Vec::new();
    for bench in &results.benchmarks {
        let Some(base) = baseline.get(&bench.id) else {
            rows.push(Row {
                new_median_ns: Some(bench.summary.median_ns),
                ..Row::bare(bench.id.clone(), RowVerdict::New)
            });
            continue;
        };
        let thresholds = config.thresholds_for(&bench.id);
        let c = compare(
            &base.samples_ns,
            &bench.samples_ns,
            base.noise,
            thresholds,
            &cmp_config,
        )
        .map_err(|source| ModelError::Compare {
            id: bench.id.clone(),
            source,
        })?;
        rows.push(Row {
            new_median_ns: Some(c.new_median),
            base_median_ns: Some(c.base_median),
            change: Some(c.change),
            p_value: Some(c.p_value),
            noise: Some(c.noise.get()),
            warn: Some(c.effective_thresholds.warn()),
            fail: Some(c.effective_thresholds.fail()),
            minimum_detectable_effect: Some(c.minimum_detectable_effect),
            ..Row::bare(bench.id.clone(), c.verdict.into())
        });
    }
    // A filtered run measures a subset on purpose: only an unfiltered run can miss a benchmark.
    if results.settings.filter.is_none() {
        for base in &baseline.benchmarks {
            if results.get(&base.id).is_none() {
                rows.push(Row {
                    base_median_ns: Some(base.summary.median_ns),
                    ..Row::bare(base.id.clone(), RowVerdict::Missing)
                });
            }
        }
    }
    rows.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(rows)
}

impl Reference {
    /// The baseline `selection` chose, or the nearest candidates and `record` when it found
    /// none comparable.
    fn of(selection: &Selection, record: &RecordCommand) -> Self {
        match selection {
            Selection::Matched { path, baseline } => Reference::Baseline {
                path: display(path),
                slug: baseline.fingerprint.slug(),
                commit: baseline.recorded.commit.clone(),
                runs: baseline.recorded.runs,
            },
            Selection::NoComparable { candidates } => Reference::NoComparableBaseline {
                candidates: candidates
                    .iter()
                    .map(|c| IncomparableBaseline {
                        path: display(&c.path),
                        slug: c.slug.clone(),
                        differing: c.differing.clone(),
                    })
                    .collect(),
                record: record.clone(),
            },
        }
    }
}

fn display(path: &Path) -> String {
    path.display().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn regressed() -> Report {
        Report::example(
            "x86_64-unknown-linux-gnu",
            vec![
                Row::bare(
                    crate::BenchmarkId::new("a/1").unwrap(),
                    RowVerdict::Regressed,
                ),
                Row::bare(
                    crate::BenchmarkId::new("b/1").unwrap(),
                    RowVerdict::Unchanged,
                ),
            ],
        )
    }

    #[test]
    fn the_tally_and_outcome_are_the_rows_and_are_written_out() {
        let report = regressed();
        assert_eq!(report.outcome(), Outcome::Fail);
        assert_eq!((report.tally().regressed, report.tally().unchanged), (1, 1));
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(json["outcome"], "fail");
        assert_eq!(json["tally"]["regressed"], 1);
        let back: Report = serde_json::from_value(json).unwrap();
        assert_eq!(back, report);
    }

    #[test]
    fn a_file_whose_summary_disagrees_with_its_rows_is_refused() {
        for (field, value) in [
            ("outcome", serde_json::json!("pass")),
            (
                "tally",
                serde_json::json!({"improved": 0, "unchanged": 2, "no_baseline": 0,
                "new": 0, "missing": 0, "warning": 0, "regressed": 0}),
            ),
        ] {
            let mut json = serde_json::to_value(regressed()).unwrap();
            json[field] = value;
            let err = serde_json::from_value::<Report>(json)
                .unwrap_err()
                .to_string();
            assert!(err.contains("disagrees with its rows"), "{field}: {err}");
        }
    }
}
