//! Performance history: one JSON line per commit, platform and benchmark, appended to one file per
//! platform (`<triple>.jsonl`). Append-only and versioned per line ([`HISTORY_SCHEMA`]); a line
//! that does not parse is reported with its file and line, skipped, and kept as it is.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use perfmatrix_stats::Interval;
use serde::{Deserialize, Serialize};

use perfmatrix_model::{
    BenchmarkId, ModelError, Outcome, Report, Results, RowVerdict, Schema, TargetTriple,
    is_temporary, write_atomically,
};

use crate::HistoryError;
use crate::problem::{Place, RecordProblem};
use crate::store::{self, RunHeader, STORE_EXTENSION};

/// The kind and version of every history line this build reads and writes.
pub const HISTORY_SCHEMA: Schema = Schema {
    kind: "perfmatrix-history",
    version: 1,
};

/// The extension of a platform's history file.
pub const HISTORY_EXTENSION: &str = "jsonl";

/// The confidence of [`TimeSummary`]'s interval of the median.
pub const MEDIAN_CONFIDENCE: f64 = 0.95;

/// How a run was judged, as recorded in the history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HistoryMode {
    /// Measured against its parent in the same run (`bench --against`): `change` is set.
    Paired,
    /// Compared with a committed baseline.
    Committed,
    /// No comparable baseline: measured, not judged.
    Unjudged,
}

impl HistoryMode {
    /// The mode's name as the history's JSON writes it (`paired`, `committed`, `unjudged`).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            HistoryMode::Paired => "paired",
            HistoryMode::Committed => "committed",
            HistoryMode::Unjudged => "unjudged",
        }
    }
}

/// The machine class a record was measured on: the fingerprint's readable slug and its
/// comparability key id (the same id means the same class; docs/fingerprint.md).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MachineClass {
    /// The fingerprint's readable slug, for people: two classes may share one.
    pub slug: String,
    /// The id of the fingerprint's comparability key: records of one id are comparable.
    pub id: String,
}

/// The per-iteration time of one run: its median with a distribution-free interval
/// ([`MEDIAN_CONFIDENCE`]), in nanoseconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimeSummary {
    /// The median of the run's samples, in nanoseconds per iteration.
    pub median_ns: f64,
    /// The lower end of the median's interval, in nanoseconds.
    pub lower_ns: f64,
    /// The upper end of the median's interval, in nanoseconds.
    pub upper_ns: f64,
}

/// A paired run's change of this commit against its parent, `head / base − 1`, with its
/// interval and the standard error of `ln(head / base)` (what chaining commits adds up).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangeSummary {
    /// The estimated change, `head / base − 1` (`+0.1` is 10% slower).
    pub estimate: f64,
    /// The lower end of the change's interval.
    pub lower: f64,
    /// The upper end of the change's interval.
    pub upper: f64,
    /// The standard error of `ln(head / base)`.
    pub log_se: f64,
}

impl ChangeSummary {
    /// From a paired verdict's interval (Student's t at `confidence` over `pairs` process pairs,
    /// built in log space): the standard error is its log half-width over the t quantile.
    #[must_use]
    pub fn of_paired(change: Interval, pairs: usize, confidence: f64) -> Option<Self> {
        if pairs < 2 || change.lower() <= -1.0 {
            return None;
        }
        let t = perfmatrix_stats::student_t::quantile(0.5 + confidence / 2.0, (pairs - 1) as f64);
        let half = (change.upper().ln_1p() - change.lower().ln_1p()) / 2.0;
        let log_se = half / t;
        log_se.is_finite().then_some(Self {
            estimate: change.estimate(),
            lower: change.lower(),
            upper: change.upper(),
            log_se,
        })
    }
}

/// One benchmark of one platform at one commit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryRecord {
    /// Always [`HISTORY_SCHEMA`]'s kind.
    pub schema: String,
    /// Always [`HISTORY_SCHEMA`]'s version.
    pub version: u32,
    /// The full commit hash measured.
    pub commit: String,
    /// The commit it was measured against (a paired run's base), or its first parent.
    pub parent: Option<String>,
    /// The working tree had uncommitted changes (local runs only).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub dirty: bool,
    /// The commit's date as git prints it (`%cI`, ISO 8601), or empty when unknown.
    pub date: String,
    /// When the run finished, seconds since the Unix epoch.
    pub measured_unix: u64,
    /// The target triple.
    pub platform: TargetTriple,
    /// The machine class the run was measured on.
    pub machine: MachineClass,
    /// How the run was judged.
    pub mode: HistoryMode,
    /// The benchmark's id (`cosine/768x100`).
    pub benchmark: BenchmarkId,
    /// The benchmark's time per iteration in this run.
    pub time: TimeSummary,
    /// Instructions of one call, when the run counted them.
    pub instructions: Option<u64>,
    /// Peak resident memory of the counting run, in bytes.
    pub peak_rss_bytes: Option<u64>,
    /// A paired run's change against `parent`, with its interval.
    pub change: Option<ChangeSummary>,
    /// The run's verdict of this benchmark, when it was judged.
    pub verdict: Option<RowVerdict>,
    /// How long the run spent timing it, in seconds ([`perfmatrix_model::BenchResult::seconds`]):
    /// what `bench --shard --durations-from` balances shards by.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seconds: Option<f64>,
}

impl HistoryRecord {
    /// Checks what serde cannot: the schema header, hashes, and every number finite, positive
    /// where it is a time, and ordered where it is an interval.
    pub fn validate(&self) -> Result<(), RecordProblem> {
        check_schema(HISTORY_SCHEMA, &self.schema, self.version)?;
        check_run(&self.commit, self.parent.as_deref())?;
        check_numbers(
            &self.time,
            self.change.as_ref(),
            self.seconds,
            self.instructions,
        )
    }

    /// The change as an [`Interval`].
    #[must_use]
    pub fn change_interval(&self) -> Option<Interval> {
        self.change
            .and_then(|c| Interval::new(c.lower, c.estimate, c.upper).ok())
    }
}

/// Checks a schema header: `schema` version `version` must be `expected`.
pub(crate) fn check_schema(
    expected: perfmatrix_model::Schema,
    schema: &str,
    version: u32,
) -> Result<(), RecordProblem> {
    if schema == expected.kind && version == expected.version {
        Ok(())
    } else {
        Err(RecordProblem::Schema {
            found: schema.to_owned(),
            version,
            reads: expected.kind.to_owned(),
            reads_version: expected.version,
        })
    }
}

/// Checks what a run's records share: full commit hashes (the platform is a [`TargetTriple`],
/// checked as it is read).
pub(crate) fn check_run(commit: &str, parent: Option<&str>) -> Result<(), RecordProblem> {
    check_commit("commit", commit)?;
    if let Some(parent) = parent {
        check_commit("parent", parent)?;
    }
    Ok(())
}

/// Checks a record's numbers: finite, positive where a time, ordered where an interval.
pub(crate) fn check_numbers(
    t: &TimeSummary,
    change: Option<&ChangeSummary>,
    seconds: Option<f64>,
    instructions: Option<u64>,
) -> Result<(), RecordProblem> {
    for (field, v) in [
        ("time.median_ns", t.median_ns),
        ("time.lower_ns", t.lower_ns),
        ("time.upper_ns", t.upper_ns),
    ] {
        if !(v.is_finite() && v > 0.0) {
            return Err(RecordProblem::NotATime {
                field: field.to_owned(),
                value: v,
            });
        }
    }
    if let Some(seconds) = seconds
        && !(seconds.is_finite() && seconds >= 0.0)
    {
        return Err(RecordProblem::NotADuration { seconds });
    }
    if !(t.lower_ns <= t.median_ns && t.median_ns <= t.upper_ns) {
        return Err(RecordProblem::TimeOutOfOrder);
    }
    if let Some(c) = change {
        if ![c.estimate, c.lower, c.upper]
            .iter()
            .all(|v| v.is_finite() && *v > -1.0)
        {
            return Err(RecordProblem::ChangeNotFinite);
        }
        if !(c.log_se.is_finite() && c.log_se >= 0.0) {
            return Err(RecordProblem::NotAStandardError { log_se: c.log_se });
        }
        if !(c.lower <= c.estimate && c.estimate <= c.upper) {
            return Err(RecordProblem::ChangeOutOfOrder);
        }
    }
    if instructions == Some(0) {
        return Err(RecordProblem::ZeroInstructions);
    }
    Ok(())
}

/// Where parsed records go: one by one (JSON lines), or a run at a time (a compact frame),
/// which by default is its records one by one.
pub(crate) trait Sink {
    /// One record.
    fn record(&mut self, record: HistoryRecord);
    /// A run's records: `header`'s, one per row, of the benchmarks `ids.1` in order (those of
    /// the frame at offset `ids.0`, which holds them).
    fn run(&mut self, header: &RunHeader, ids: (u64, &[BenchmarkId]), rows: Vec<store::Row>) {
        for (row, id) in rows.into_iter().zip(ids.1) {
            self.record(row.record(header, id.clone()));
        }
    }
    /// About `runs` runs follow (a hint, to reserve room for them).
    fn expect_runs(&mut self, _runs: usize) {}
}

impl<F: FnMut(HistoryRecord)> Sink for F {
    fn record(&mut self, record: HistoryRecord) {
        self(record);
    }
}

fn check_commit(field: &str, commit: &str) -> Result<(), RecordProblem> {
    if perfmatrix_fingerprint::parse_commit(commit).is_some_and(|hash| hash == commit) {
        Ok(())
    } else {
        Err(RecordProblem::NotACommit {
            field: field.to_owned(),
            value: commit.to_owned(),
        })
    }
}

/// Which commit a results file measured, for [`records_from_results`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitInfo {
    /// The full hash of the commit measured (a paired run's own head replaces it).
    pub commit: String,
    /// Its first parent's full hash, if it has one (a paired run's base replaces it).
    pub parent: Option<String>,
    /// The working tree had uncommitted changes (a paired run's own flag replaces it).
    pub dirty: bool,
    /// The commit's date as git prints it (`%cI`, ISO 8601), or empty when unknown.
    pub date: String,
}

/// The history records of one platform's run and its verdict (`None`: not judged): one per
/// benchmark measured.
///
/// A paired run names its own commits; `commit` must then agree with the head it measured
/// (its parent is the base). A filtered or quick run is refused: history holds full runs only.
pub fn records_from_results(
    results: &Results,
    verdict: Option<&Report>,
    commit: &CommitInfo,
) -> Result<Vec<HistoryRecord>, HistoryError> {
    if results.settings.quick {
        return Err(HistoryError::QuickRun);
    }
    if let Some(filter) = &results.settings.filter {
        return Err(HistoryError::FilteredRun {
            filter: filter.clone(),
        });
    }
    let mut info = commit.clone();
    if let Some(paired) = &results.paired {
        let head = &paired.head;
        if !head.commit.starts_with(&info.commit) && !info.commit.starts_with(&head.commit) {
            return Err(HistoryError::OtherCommit {
                measured: head.commit.clone(),
                given: info.commit.clone(),
            });
        }
        info.commit.clone_from(&head.commit);
        info.dirty = head.dirty;
        info.parent = Some(paired.base.commit.clone());
    }
    let fp = &results.fingerprint;
    let machine = MachineClass {
        slug: fp.slug(),
        id: fp.comparability_key().id(),
    };
    let report = verdict;
    let mode = match (&results.paired, report) {
        (Some(_), _) => HistoryMode::Paired,
        (None, Some(r)) if r.outcome() != Outcome::NoComparableBaseline => HistoryMode::Committed,
        _ => HistoryMode::Unjudged,
    };
    let mut records = Vec::with_capacity(results.benchmarks.len());
    for bench in &results.benchmarks {
        let ci = bench
            .samples_ns
            .median_interval(MEDIAN_CONFIDENCE)
            .map_err(|source| HistoryError::Median {
                id: bench.id.clone(),
                source,
            })?;
        let row = report.and_then(|r| r.rows.iter().find(|row| row.id == bench.id));
        let change = match mode {
            HistoryMode::Paired => row.and_then(|r| {
                let pairs = r.paired.as_ref()?.pairs;
                ChangeSummary::of_paired(
                    r.change?,
                    pairs,
                    perfmatrix_stats::PairedConfig::default().confidence,
                )
            }),
            _ => None,
        };
        let record = HistoryRecord {
            schema: HISTORY_SCHEMA.kind.to_owned(),
            version: HISTORY_SCHEMA.version,
            commit: info.commit.clone(),
            parent: info.parent.clone(),
            dirty: info.dirty,
            date: info.date.clone(),
            measured_unix: results.finished_unix,
            platform: fp.target.clone(),
            machine: machine.clone(),
            mode,
            benchmark: bench.id.clone(),
            time: TimeSummary {
                median_ns: ci.estimate(),
                lower_ns: ci.lower(),
                upper_ns: ci.upper(),
            },
            instructions: bench.counts.as_ref().and_then(|p| p.instructions.value()),
            peak_rss_bytes: bench.counts.as_ref().and_then(|p| p.peak_rss_bytes.value()),
            change,
            verdict: row.map(|r| r.verdict),
            seconds: bench.seconds,
        };
        record
            .validate()
            .map_err(|problem| HistoryError::InvalidRecord {
                id: bench.id.clone(),
                problem,
            })?;
        records.push(record);
    }
    Ok(records)
}

/// A line, or a run of a compact file, that was skipped.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BadRecord {
    /// The file, or the git object (`perfmatrix-history:x86_64-unknown-linux-gnu.jsonl`).
    pub source: String,
    /// Where in it.
    pub place: Place,
    /// Why it was skipped: the parse or validation error, or an unfinished last line or run.
    pub problem: RecordProblem,
}

impl BadRecord {
    /// Why it was skipped, with the run and byte where a compact file's run is meant.
    #[must_use]
    pub fn reason(&self) -> String {
        let problem = &self.problem;
        match self.place {
            Place::Line(_) => problem.to_string(),
            Place::Run { number, byte: None } => format!("run {number}: {problem}"),
            Place::Run {
                number,
                byte: Some(byte),
            } => format!("run {number}: at byte {byte}: {problem}"),
        }
    }
}

impl std::fmt::Display for BadRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let number = self.place.number();
        write!(f, "{}:{number}: skipped: {}", self.source, self.reason())
    }
}

/// Records read from one or more history files, in file order, and the lines skipped.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct History {
    /// The valid records, in file order.
    pub records: Vec<HistoryRecord>,
    /// The lines that were skipped, in file order.
    pub bad: Vec<BadRecord>,
}

/// The platform whose history the file `path` holds: its name's stem (`<triple>.pmh`), which
/// must be a target triple; `source` names the file in the error.
pub(crate) fn platform_of(path: &Path, source: &str) -> Result<TargetTriple, HistoryError> {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let why = match TargetTriple::parse(&stem) {
        Ok(triple) if triple.as_str() == stem => return Ok(triple),
        Ok(_) => "it has spaces around it".to_owned(),
        Err(perfmatrix_fingerprint::FingerprintError::InvalidTarget { reason, .. }) => reason,
        Err(other) => other.to_string(),
    };
    Err(HistoryError::NotAPlatformFile {
        file: source.to_owned(),
        stem,
        why,
    })
}

/// What [`parse_lines`] read: how many bytes and lines the ended lines take, and the last line
/// if it has not ended (skipped, and not part of what was read).
pub(crate) struct Parsed {
    pub(crate) bytes: usize,
    pub(crate) lines: usize,
    pub(crate) unfinished: Option<BadRecord>,
}

/// Parses the history lines of `bytes` (lines `first_line`, `first_line + 1`, … of `source`, the
/// history file of `platform`): each record to `record`, each bad line to `bad`. Blank lines are
/// ignored; a record of another platform is a bad line. A line is read only once it ends with a
/// newline, so a line being written is never half-read.
pub(crate) fn parse_lines(
    source: &str,
    platform: &TargetTriple,
    bytes: &[u8],
    first_line: usize,
    mut record: impl FnMut(HistoryRecord),
    bad: &mut Vec<BadRecord>,
) -> Parsed {
    let ended = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let mut lines = 0;
    for line in bytes[..ended].split_inclusive(|&b| b == b'\n') {
        lines += 1;
        let number = first_line + lines - 1;
        if line.trim_ascii().is_empty() {
            continue;
        }
        let parsed = serde_json::from_slice::<HistoryRecord>(line)
            .map_err(|e| RecordProblem::NotJson {
                message: e.to_string(),
            })
            .and_then(|r| r.validate().map(|()| r))
            .and_then(|r| {
                if r.platform == *platform {
                    Ok(r)
                } else {
                    Err(RecordProblem::OtherPlatform {
                        found: r.platform,
                        file: platform.clone(),
                    })
                }
            });
        match parsed {
            Ok(r) => record(r),
            Err(problem) => bad.push(BadRecord {
                source: source.to_owned(),
                place: Place::Line(number),
                problem,
            }),
        }
    }
    let unfinished = (!bytes[ended..].trim_ascii().is_empty()).then(|| BadRecord {
        source: source.to_owned(),
        place: Place::Line(first_line + lines),
        problem: RecordProblem::UnfinishedLine,
    });
    Parsed {
        bytes: ended,
        lines,
        unfinished,
    }
}

/// Whether `source` names a compact history file (`*.pmh`), not JSON lines.
pub(crate) fn is_compact(source: &str) -> bool {
    Path::new(source)
        .extension()
        .is_some_and(|e| e == STORE_EXTENSION)
}

/// Parses `bytes` of the history file `source` of `platform`, by its kind: frames of a
/// compact file, or JSON lines. `bytes` start at byte `at.0` of the file, with its run or
/// line number `at.1`; `ids_at` gives the ids of an earlier frame of a compact file.
pub(crate) fn parse_file(
    source: &str,
    platform: &TargetTriple,
    bytes: &[u8],
    at: (u64, usize),
    ids_at: &mut dyn FnMut(u64) -> Result<Vec<BenchmarkId>, RecordProblem>,
    sink: &mut impl Sink,
    bad: &mut Vec<BadRecord>,
) -> Parsed {
    if is_compact(source) {
        store::parse_frames(source, platform, bytes, at, ids_at, sink, bad)
    } else {
        parse_lines(source, platform, bytes, at.1, |r| sink.record(r), bad)
    }
}

impl History {
    /// Parses one history file, `bytes` of `source` (named so in [`BadRecord`]s; a
    /// `<platform>.pmh` or `<platform>.jsonl` file, or a git object of one). In a compact file
    /// every frame must hold valid records of that platform, or is skipped, and a last frame cut
    /// short is skipped as unfinished; in a JSON-lines file, every line that ends must be one
    /// valid [`HistoryRecord`] (blank lines are ignored), and a last line without a newline is
    /// skipped as unfinished. A file whose name is not a target triple is refused.
    pub fn parse_into(&mut self, source: &str, bytes: &[u8]) -> Result<(), HistoryError> {
        let records = &mut self.records;
        let platform = platform_of(Path::new(source), source)?;
        let parsed = parse_file(
            source,
            &platform,
            bytes,
            (0, 1),
            &mut |offset| Err(RecordProblem::IdsNotAFrame { offset }),
            &mut |r| records.push(r),
            &mut self.bad,
        );
        self.bad.extend(parsed.unfinished);
        Ok(())
    }

    /// Reads every `*.jsonl` history file of `dir`, sorted by name, one after another. A missing
    /// folder is an empty history. (`read_trend` reads a folder in parallel and through its
    /// cache; this is the plain reading, for a library user and as the tests' reference.)
    pub fn read_dir(dir: &Path) -> Result<Self, HistoryError> {
        let mut history = Self::default();
        for path in history_files(dir)? {
            let bytes = std::fs::read(&path).map_err(|source| ModelError::Read {
                path: path.clone(),
                source,
            })?;
            history.parse_into(&path.display().to_string(), &bytes)?;
        }
        Ok(history)
    }
}

/// Each benchmark's duration (seconds) in the last record of `records` (file order: the newest
/// run appended) that has one: the weights a shard plan balances.
#[must_use]
pub fn durations(records: &[HistoryRecord]) -> std::collections::BTreeMap<BenchmarkId, f64> {
    records
        .iter()
        .filter_map(|r| r.seconds.map(|s| (r.benchmark.clone(), s)))
        .collect()
}

/// The history files of `dir` (`*.pmh`, and `*.jsonl` not yet migrated; temp files excluded),
/// sorted; none if it is missing.
pub fn history_files(dir: &Path) -> Result<Vec<PathBuf>, HistoryError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => {
            return Err(ModelError::Read {
                path: dir.to_owned(),
                source,
            }
            .into());
        }
    };
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|source| ModelError::Read {
            path: dir.to_owned(),
            source,
        })?;
        let path = entry.path();
        let kind = path.extension();
        if kind.is_some_and(|e| e == HISTORY_EXTENSION || e == STORE_EXTENSION)
            && !is_temporary(&path)
        {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// The history file of `platform` in `dir` (the compact store).
#[must_use]
pub fn history_path(dir: &Path, platform: &TargetTriple) -> PathBuf {
    dir.join(format!("{platform}.{STORE_EXTENSION}"))
}

/// The JSON-lines history file of `platform` in `dir`, as perfmatrix wrote it before the
/// compact store (read as it is; migrated by the next append).
#[must_use]
pub fn lines_path(dir: &Path, platform: &TargetTriple) -> PathBuf {
    dir.join(format!("{platform}.{HISTORY_EXTENSION}"))
}

/// What [`append`] did.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Appended {
    /// How many records were written.
    pub written: usize,
    /// Records of a clean commit already in the file (same benchmark and mode), not written twice.
    pub already_present: usize,
    /// Lines of JSON-lines files migrated now that did not parse (left out of the store).
    pub bad: Vec<BadRecord>,
    /// Temp files of earlier appends that were killed before their rename, removed.
    pub leftovers_removed: Vec<PathBuf>,
    /// Runs cut short by an append killed while writing, removed from the end of their file:
    /// the file and how many bytes.
    pub cut_short_removed: Vec<(PathBuf, u64)>,
    /// JSON-lines files migrated to the compact store first.
    pub migrated: Vec<Migrated>,
}

/// A JSON-lines history file converted to the compact store ([`migrate`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Migrated {
    /// The JSON-lines file, now removed.
    pub from: PathBuf,
    /// The compact file written.
    pub to: PathBuf,
    /// How many records it holds.
    pub records: usize,
    /// The sizes of the two, in bytes.
    pub bytes: (u64, u64),
}

/// Appends `records` to their platforms' compact files in `dir` (`<triple>.pmh`), in place:
/// only the new runs are written, whatever the size of the file.
///
/// A record of a clean commit whose (commit, benchmark, mode) the file already holds is not
/// written again, so re-running an append (a retried CI push) is harmless; the same commit
/// measured in another mode (paired, and against committed baselines) is another record. Records
/// of a dirty tree are always appended. A platform whose history is still JSON lines is
/// migrated first ([`migrate`]). A run cut short by an append killed while writing is removed
/// from the end of the file first. Appends to one folder are serialized: each holds an
/// exclusive lock on the folder from its first read to its last write, so two at once cannot
/// lose records.
pub fn append(dir: &Path, records: &[HistoryRecord]) -> Result<Appended, HistoryError> {
    let _lock = FolderLock::take(dir)?;
    let mut outcome = Appended {
        leftovers_removed: remove_leftovers(dir)?,
        ..Appended::default()
    };
    let mut platforms: Vec<&TargetTriple> = records.iter().map(|r| &r.platform).collect();
    platforms.sort_unstable();
    platforms.dedup();
    for platform in platforms {
        if let Some(m) = migrate_platform(dir, platform, &mut outcome.bad)? {
            outcome.migrated.push(m);
        }
        let mine: Vec<&HistoryRecord> =
            records.iter().filter(|r| r.platform == *platform).collect();
        append_platform(&history_path(dir, platform), platform, &mine, &mut outcome)?;
    }
    Ok(outcome)
}

/// Converts every JSON-lines file of `dir` to the compact store, each written atomically
/// before its JSON lines are removed. Lines that do not parse are reported in `bad` and left
/// out. Holds the folder's lock, as an append does.
pub fn migrate(dir: &Path, bad: &mut Vec<BadRecord>) -> Result<Vec<Migrated>, HistoryError> {
    let _lock = FolderLock::take(dir)?;
    let mut done = Vec::new();
    for path in history_files(dir)? {
        if path.extension().is_some_and(|e| e == HISTORY_EXTENSION) {
            let platform = platform_of(&path, &path.display().to_string())?;
            done.extend(migrate_platform(dir, &platform, bad)?);
        }
    }
    Ok(done)
}

/// Migrates `platform`'s JSON lines in `dir`, if there are any (the caller holds the lock).
fn migrate_platform(
    dir: &Path,
    platform: &TargetTriple,
    bad: &mut Vec<BadRecord>,
) -> Result<Option<Migrated>, HistoryError> {
    let from = lines_path(dir, platform);
    let old = match std::fs::read(&from) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(ModelError::Read { path: from, source }.into()),
    };
    let to = history_path(dir, platform);
    if to.exists() {
        return Err(HistoryError::TwoStores {
            lines: from,
            compact: to,
        });
    }
    let mut history = History::default();
    history.parse_into(&from.display().to_string(), &old)?;
    bad.append(&mut history.bad);
    let all: Vec<&HistoryRecord> = history.records.iter().collect();
    let bytes = frames_of(&all, 0, None);
    write_atomically(&to, &bytes)?;
    std::fs::remove_file(&from).map_err(|source| ModelError::Write {
        path: from.clone(),
        source,
    })?;
    Ok(Some(Migrated {
        from,
        to,
        records: history.records.len(),
        bytes: (old.len() as u64, bytes.len() as u64),
    }))
}

/// The frames of `records` (grouped into runs as they come), to be written at byte `offset` of
/// a file whose newest frame holding ids is `last_ids` (its offset and ids): a run of the same
/// benchmarks in the same order names that frame instead of repeating them.
fn frames_of(
    records: &[&HistoryRecord],
    mut offset: u64,
    mut last_ids: Option<(u64, Vec<BenchmarkId>)>,
) -> Vec<u8> {
    let mut out = Vec::new();
    let mut rest = records;
    while let Some(first) = rest.first() {
        let mut header = RunHeader::of(first);
        let n = rest.iter().take_while(|r| header.holds(r)).count();
        let (run, after) = rest.split_at(n);
        rest = after;
        let same = last_ids.as_ref().is_some_and(|(_, ids)| {
            ids.len() == run.len() && ids.iter().zip(run).all(|(id, r)| *id == r.benchmark)
        });
        if same {
            header.ids_from = last_ids.as_ref().map(|(at, _)| *at);
        } else {
            last_ids = Some((offset, run.iter().map(|r| r.benchmark.clone()).collect()));
        }
        let frame = store::encode_frame(header, run);
        offset += frame.len() as u64;
        out.extend_from_slice(&frame);
    }
    out
}

/// Appends `records` (all of `platform`) to the compact file at `path`.
fn append_platform(
    path: &Path,
    platform: &TargetTriple,
    records: &[&HistoryRecord],
    outcome: &mut Appended,
) -> Result<(), HistoryError> {
    use std::io::{Seek as _, SeekFrom, Write as _};
    let io = |source| -> HistoryError {
        ModelError::Write {
            path: path.to_owned(),
            source,
        }
        .into()
    };
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(io)?;
    let scan = store::scan(&mut file, platform).map_err(|e| match e {
        store::ScanError::Io(source) => io(source),
        store::ScanError::Damaged { offset, problem } => HistoryError::Damaged {
            path: path.to_owned(),
            offset,
            problem,
        },
    })?;
    if scan.cut_short > 0 {
        file.set_len(scan.end).map_err(io)?;
        outcome
            .cut_short_removed
            .push((path.to_owned(), scan.cut_short));
    }
    let commits: HashSet<&str> = records
        .iter()
        .filter(|r| !r.dirty)
        .map(|r| r.commit.as_str())
        .collect();
    let mut present: HashSet<(String, BenchmarkId, HistoryMode)> = HashSet::new();
    for frame in &scan.frames {
        let Some(h) = &frame.header else { continue };
        if h.dirty || !commits.contains(h.commit.as_str()) {
            continue;
        }
        let ids = store::ids_at(&mut file, h.ids_from.unwrap_or(frame.offset), platform).map_err(
            |problem| HistoryError::Damaged {
                path: path.to_owned(),
                offset: frame.offset,
                problem,
            },
        )?;
        present.extend(ids.into_iter().map(|id| (h.commit.clone(), id, h.mode)));
    }
    let mut fresh = Vec::with_capacity(records.len());
    for record in records {
        let key = (record.commit.clone(), record.benchmark.clone(), record.mode);
        if !record.dirty && !present.insert(key) {
            outcome.already_present += 1;
        } else {
            fresh.push(*record);
        }
    }
    if fresh.is_empty() {
        return Ok(());
    }
    // The newest frame holding ids, read only if the new runs could name it.
    let last_ids = scan
        .frames
        .iter()
        .rev()
        .find_map(|f| f.header.as_ref().map(|h| h.ids_from.unwrap_or(f.offset)))
        .and_then(|at| {
            store::ids_at(&mut file, at, platform)
                .ok()
                .map(|ids| (at, ids))
        });
    let bytes = frames_of(&fresh, scan.end, last_ids);
    file.seek(SeekFrom::Start(scan.end)).map_err(io)?;
    file.write_all(&bytes).map_err(io)?;
    file.sync_data().map_err(io)?;
    outcome.written += fresh.len();
    Ok(())
}

/// Removes the temp files an append killed before its rename left in `dir` (named
/// [`perfmatrix_model::TEMP_PREFIX`]`…`), and returns them. Only an append writes in a history
/// folder, and the caller holds its lock: none of them is being written.
fn remove_leftovers(dir: &Path) -> Result<Vec<PathBuf>, HistoryError> {
    let entries = std::fs::read_dir(dir).map_err(|source| ModelError::Read {
        path: dir.to_owned(),
        source,
    })?;
    let mut removed = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        if is_temporary(&path) && path.is_file() {
            std::fs::remove_file(&path).map_err(|source| ModelError::Write {
                path: path.clone(),
                source,
            })?;
            removed.push(path);
        }
    }
    removed.sort();
    Ok(removed)
}

/// An exclusive lock on a history folder, held until dropped. The folder itself is locked
/// (`flock` on its descriptor), not a file in it: the history job commits the folder whole, and a
/// lock file would be committed with it.
#[derive(Debug)]
struct FolderLock {
    /// The folder, open: closing it releases the lock.
    _open: std::fs::File,
}

impl FolderLock {
    /// Waits for the lock on `dir`, made first if it does not exist.
    fn take(dir: &Path) -> Result<Self, HistoryError> {
        let failed = |source| ModelError::Write {
            path: dir.to_owned(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(failed)?;
        let folder = std::fs::File::open(dir).map_err(failed)?;
        folder.lock().map_err(failed)?;
        Ok(Self { _open: folder })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A full, unjudged run of one benchmark on the example machine.
    fn full_run() -> Results {
        let samples_ns = perfmatrix_stats::Sample::new(vec![100.0, 101.0, 99.0]).unwrap();
        let bench = perfmatrix_model::BenchResult {
            id: BenchmarkId::new("decay/1000").unwrap(),
            throughput: None,
            summary: perfmatrix_model::SampleSummary::of(&samples_ns),
            samples_ns,
            counts: None,
            seconds: None,
        };
        let settings = perfmatrix_model::RunSettings {
            quick: false,
            filter: None,
            warm_up_seconds: 1.0,
            measurement_seconds: 1.0,
            sample_size: 3,
        };
        Results::new(
            perfmatrix_fingerprint::Fingerprint::example(),
            settings,
            1_790_000_000,
            vec![bench],
        )
    }

    #[test]
    fn only_full_runs_become_records_and_a_refusal_says_why() {
        let info = CommitInfo {
            commit: "a".repeat(40),
            parent: None,
            dirty: false,
            date: String::new(),
        };
        let records = records_from_results(&full_run(), None, &info).unwrap();
        assert_eq!(records.len(), 1);
        assert_eq!(records[0].commit, info.commit);
        let mut quick = full_run();
        quick.settings.quick = true;
        assert!(matches!(
            records_from_results(&quick, None, &info),
            Err(HistoryError::QuickRun)
        ));
        let mut filtered = full_run();
        filtered.settings.filter = Some("^decay/".to_owned());
        let err = records_from_results(&filtered, None, &info).unwrap_err();
        assert!(
            matches!(&err, HistoryError::FilteredRun { filter } if filter == "^decay/"),
            "{err:?}"
        );
        assert!(err.to_string().contains("`^decay/`"), "{err}");
    }

    fn record(commit: &str, platform: &str, bench: &str, median: f64) -> HistoryRecord {
        HistoryRecord {
            schema: HISTORY_SCHEMA.kind.to_owned(),
            version: HISTORY_SCHEMA.version,
            commit: commit.to_owned(),
            parent: None,
            dirty: false,
            date: "2026-12-01T10:00:00+00:00".to_owned(),
            measured_unix: 1_790_000_000,
            platform: TargetTriple::parse(platform).unwrap(),
            machine: MachineClass {
                slug: "intel-xeon".to_owned(),
                id: "0123456789ab".to_owned(),
            },
            mode: HistoryMode::Committed,
            benchmark: BenchmarkId::new(bench).unwrap(),
            time: TimeSummary {
                median_ns: median,
                lower_ns: median * 0.99,
                upper_ns: median * 1.01,
            },
            instructions: Some(1000),
            peak_rss_bytes: Some(4096),
            change: None,
            verdict: Some(RowVerdict::Unchanged),
            seconds: None,
        }
    }

    const X86: &str = "x86_64-unknown-linux-gnu";

    fn x86() -> TargetTriple {
        TargetTriple::parse(X86).unwrap()
    }
    const A: &str = "aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111";
    const B: &str = "bbbb2222bbbb2222bbbb2222bbbb2222bbbb2222";
    const C: &str = "cccc3333cccc3333cccc3333cccc3333cccc3333";

    #[test]
    fn appended_records_read_back_and_a_commit_is_not_written_twice() {
        let dir = tempfile::tempdir().unwrap();
        let a = [
            record(A, X86, "decay/1000", 100.0),
            record(A, X86, "decay/10000", 900.0),
        ];
        let out = append(dir.path(), &a).unwrap();
        assert_eq!((out.written, out.already_present), (2, 0));
        let again = append(
            dir.path(),
            &[a[0].clone(), record(B, X86, "decay/1000", 101.0)],
        )
        .unwrap();
        assert_eq!((again.written, again.already_present), (1, 1));
        // The same commit measured in another mode is another record.
        let mut paired = a[0].clone();
        paired.mode = HistoryMode::Paired;
        assert_eq!(
            append(dir.path(), &[paired.clone(), paired])
                .unwrap()
                .written,
            1
        );
        let history = History::read_dir(dir.path()).unwrap();
        assert!(history.bad.is_empty(), "{:?}", history.bad);
        let commits: Vec<&str> = history.records.iter().map(|r| r.commit.as_str()).collect();
        assert_eq!(commits, [A, A, B, A]);
        assert_eq!(history.records[0], crate::rounded(&a[0]));
        // A dirty tree's records are each a run of their own.
        let mut dirty = record(B, X86, "decay/1000", 99.0);
        dirty.dirty = true;
        assert_eq!(
            append(dir.path(), &[dirty.clone(), dirty]).unwrap().written,
            2
        );
    }

    #[test]
    fn temp_files_of_killed_appends_are_removed_by_the_next_and_named() {
        let dir = tempfile::tempdir().unwrap();
        // What an append killed between writing its temp file and renaming it leaves.
        let left = dir
            .path()
            .join(format!("{}k1lled", perfmatrix_model::TEMP_PREFIX));
        std::fs::write(&left, b"half of a history").unwrap();
        let kept = dir.path().join("notes.txt");
        std::fs::write(&kept, b"not ours").unwrap();
        let out = append(dir.path(), &[record(A, X86, "decay/1000", 100.0)]).unwrap();
        assert_eq!(out.leftovers_removed, std::slice::from_ref(&left));
        assert!(!left.exists() && kept.exists());
        let again = append(dir.path(), &[record(B, X86, "decay/1000", 100.0)]).unwrap();
        assert!(again.leftovers_removed.is_empty());
    }

    #[test]
    fn bad_lines_are_reported_with_file_and_line_and_left_out_when_migrated() {
        let dir = tempfile::tempdir().unwrap();
        let path = lines_path(dir.path(), &x86());
        let good = serde_json::to_string(&record(A, X86, "decay/1000", 100.0)).unwrap();
        let other_schema = good.replace("\"version\":1", "\"version\":7");
        let nan = good.replace("\"median_ns\":100.0", "\"median_ns\":NaN");
        let null_time = good.replace("\"median_ns\":100.0", "\"median_ns\":null");
        let truncated = &good[..good.len() / 2];
        let text = format!("{good}\n{other_schema}\n{nan}\n\n{null_time}\n{truncated}");
        std::fs::write(&path, &text).unwrap();

        let history = History::read_dir(dir.path()).unwrap();
        assert_eq!(history.records.len(), 1);
        let lines: Vec<Place> = history.bad.iter().map(|b| b.place).collect();
        let lines: Vec<usize> = lines.into_iter().map(Place::number).collect();
        assert_eq!(lines, [2, 3, 5, 6]);
        let shown = history.bad[0].to_string();
        assert!(
            shown.starts_with(&format!("{}:2: skipped:", path.display())),
            "{shown}"
        );
        assert!(shown.contains("version 7"), "{shown}");

        // Appending migrates the JSON lines first: the bad lines are reported and left out.
        let out = append(dir.path(), &[record(B, X86, "decay/1000", 100.0)]).unwrap();
        assert_eq!(out.written, 1);
        assert_eq!(out.bad.len(), 4);
        assert_eq!(out.migrated.len(), 1);
        assert_eq!(out.migrated[0].records, 1);
        assert!(!path.exists() && history_path(dir.path(), &x86()).exists());
        let history = History::read_dir(dir.path()).unwrap();
        assert_eq!(history.records.len(), 2);
        assert!(history.bad.is_empty(), "{:?}", history.bad);
    }

    /// A history file is named after its platform; one whose name is not a target triple
    /// (before: each of its records skipped as of another platform, one warning per record) is
    /// refused as a whole, naming the file, by every reader and by a migration.
    #[test]
    fn a_file_not_named_after_a_triple_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        // The name of a file that would be another platform's if it were read as trimmed.
        let spaced = crate::HistoryFile::at_path(&dir.path().join(" x86_64-unknown-linux-gnu.pmh"));
        assert!(
            matches!(&spaced, Err(HistoryError::NotAPlatformFile { why, .. }) if why.contains("spaces")),
            "{spaced:?}"
        );
        let stray = dir.path().join("notes.jsonl");
        let line = serde_json::to_string(&record(A, X86, "decay/1000", 100.0)).unwrap() + "\n";
        std::fs::write(&stray, &line).unwrap();
        for err in [
            History::read_dir(dir.path()).unwrap_err(),
            migrate(dir.path(), &mut Vec::new()).unwrap_err(),
            crate::HistoryFile::at_path(&stray).unwrap_err(),
        ] {
            assert!(
                matches!(&err, HistoryError::NotAPlatformFile { file, .. } if file.ends_with("notes.jsonl")),
                "{err:?}"
            );
            assert!(
                err.to_string().contains("notes.jsonl") && err.to_string().contains("`notes`"),
                "{err}"
            );
        }
        assert_eq!(std::fs::read_to_string(&stray).unwrap(), line);
    }

    /// An append killed while writing leaves a run cut short at the end of the file: it is not
    /// read, and the next append removes it and says so. Bytes that are not a frame where one
    /// should start make an append refuse, naming the file and the byte, and change nothing.
    #[test]
    fn a_run_cut_short_is_removed_and_damage_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = history_path(dir.path(), &x86());
        append(dir.path(), &[record(A, X86, "decay/1000", 100.0)]).unwrap();
        let whole = std::fs::read(&path).unwrap();
        append(dir.path(), &[record(B, X86, "decay/1000", 100.0)]).unwrap();
        let two = std::fs::read(&path).unwrap();
        std::fs::write(&path, &two[..two.len() - 3]).unwrap();
        let history = History::read_dir(dir.path()).unwrap();
        assert_eq!(history.records.len(), 1);
        assert_eq!(
            history.bad[0].problem,
            RecordProblem::CutShort,
            "{:?}",
            history.bad
        );
        let out = append(dir.path(), &[record(B, X86, "decay/1000", 100.0)]).unwrap();
        assert_eq!(out.written, 1);
        assert_eq!(
            out.cut_short_removed,
            [(path.clone(), (two.len() - whole.len() - 3) as u64)]
        );
        assert_eq!(std::fs::read(&path).unwrap(), two);

        let mut damaged = two.clone();
        damaged[whole.len()] = b'X';
        std::fs::write(&path, &damaged).unwrap();
        let err = append(dir.path(), &[record(C, X86, "decay/1000", 100.0)]).unwrap_err();
        let shown = err.to_string();
        assert!(
            shown.contains(&path.display().to_string())
                && shown.contains(&format!("at byte {}", whole.len())),
            "{shown}"
        );
        assert_eq!(std::fs::read(&path).unwrap(), damaged);
    }

    /// A file of JSON lines and a compact file of one platform: the append refuses, naming
    /// both, and changes neither.
    #[test]
    fn a_platform_with_two_stores_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        append(dir.path(), &[record(A, X86, "decay/1000", 100.0)]).unwrap();
        let lines = lines_path(dir.path(), &x86());
        let line = serde_json::to_string(&record(B, X86, "decay/1000", 100.0)).unwrap() + "\n";
        std::fs::write(&lines, &line).unwrap();
        let before = std::fs::read(history_path(dir.path(), &x86())).unwrap();
        let err = append(dir.path(), &[record(C, X86, "decay/1000", 100.0)]).unwrap_err();
        assert!(matches!(err, HistoryError::TwoStores { .. }), "{err}");
        assert_eq!(
            std::fs::read(history_path(dir.path(), &x86())).unwrap(),
            before
        );
        assert_eq!(std::fs::read_to_string(&lines).unwrap(), line);
    }

    #[test]
    fn invalid_values_are_refused_by_validate() {
        let mut r = record(A, X86, "decay/1000", 100.0);
        r.time.lower_ns = 200.0;
        assert_eq!(r.validate(), Err(RecordProblem::TimeOutOfOrder));
        assert!(
            r.validate()
                .unwrap_err()
                .to_string()
                .contains("lower_ns ≤ median_ns")
        );
        let mut r = record("not-hex", X86, "decay/1000", 100.0);
        let commit = |value: &str| RecordProblem::NotACommit {
            field: "commit".to_owned(),
            value: value.to_owned(),
        };
        assert_eq!(r.validate(), Err(commit("not-hex")));
        r.commit = A[..12].to_owned();
        assert_eq!(r.validate(), Err(commit(&A[..12])), "abbreviated");
        r.commit = A.to_owned();
        r.instructions = Some(0);
        assert_eq!(r.validate(), Err(RecordProblem::ZeroInstructions));
        r.instructions = None;
        r.change = Some(ChangeSummary {
            estimate: 0.1,
            lower: 0.2,
            upper: 0.3,
            log_se: 0.01,
        });
        assert_eq!(r.validate(), Err(RecordProblem::ChangeOutOfOrder));
    }

    #[test]
    fn a_paired_interval_gives_back_its_standard_error() {
        // ln-space interval mean ± t·se with se = 0.01 over 6 pairs at 99%.
        let t = perfmatrix_stats::student_t::quantile(0.995, 5.0);
        let (lo, hi) = (0.02 - t * 0.01, 0.02 + t * 0.01);
        let change = Interval::new(lo.exp_m1(), 0.02_f64.exp_m1(), hi.exp_m1()).unwrap();
        let c = ChangeSummary::of_paired(change, 6, 0.99).unwrap();
        assert!((c.log_se - 0.01).abs() < 1e-12, "{}", c.log_se);
        assert!(ChangeSummary::of_paired(change, 1, 0.99).is_none());
    }

    /// The shard plan's weights: each benchmark's seconds in the newest record that has them; a
    /// line written before records had seconds reads as none, and a bad duration is refused.
    #[test]
    fn durations_are_each_benchmarks_newest_recorded_seconds() {
        let with = |bench: &str, seconds: Option<f64>| HistoryRecord {
            seconds,
            ..record(&"a".repeat(40), "x86_64-unknown-linux-gnu", bench, 100.0)
        };
        let records = [
            with("a/1", Some(1.0)),
            with("b/1", Some(2.0)),
            with("a/1", Some(3.0)),
            with("b/1", None),
        ];
        let d = durations(&records);
        let seen: Vec<(&str, f64)> = d.iter().map(|(id, s)| (id.as_str(), *s)).collect();
        assert_eq!(seen, [("a/1", 3.0), ("b/1", 2.0)]);
        let old = serde_json::to_string(&with("a/1", None)).unwrap();
        assert!(!old.contains("seconds"), "{old}");
        let read: HistoryRecord = serde_json::from_str(&old).unwrap();
        assert_eq!(read.seconds, None);
        for bad in [f64::NAN, -1.0, f64::INFINITY] {
            let err = with("a/1", Some(bad)).validate().unwrap_err();
            assert!(
                matches!(err, RecordProblem::NotADuration { seconds } if seconds.to_bits() == bad.to_bits()),
                "{err}"
            );
            assert!(err.to_string().contains("field `seconds`"), "{err}");
        }
    }
}
