//! Performance history: one JSON line per commit, platform and benchmark, appended to one file per
//! platform (`<triple>.jsonl`). Append-only and versioned per line ([`HISTORY_SCHEMA`]); a line
//! that does not parse is reported with its file and line, skipped, and kept as it is.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use perfmatrix_stats::Interval;
use serde::{Deserialize, Serialize};

use perfmatrix_model::{
    BenchmarkId, ModelError, Outcome, Report, Results, RowVerdict, Schema, is_temporary,
    write_atomically,
};

use crate::HistoryError;

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
    pub platform: String,
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
    pub fn validate(&self) -> Result<(), String> {
        if self.schema != HISTORY_SCHEMA.kind || self.version != HISTORY_SCHEMA.version {
            return Err(format!(
                "schema `{}` version {}: this perfmatrix reads `{}` version {} only",
                self.schema, self.version, HISTORY_SCHEMA.kind, HISTORY_SCHEMA.version
            ));
        }
        check_commit("commit", &self.commit)?;
        if let Some(parent) = &self.parent {
            check_commit("parent", parent)?;
        }
        if self.platform.is_empty() || self.platform.contains(['/', '\\', '\n']) {
            return Err(format!(
                "field `platform`: `{}` is not a target triple",
                self.platform
            ));
        }
        let t = self.time;
        for (field, v) in [
            ("time.median_ns", t.median_ns),
            ("time.lower_ns", t.lower_ns),
            ("time.upper_ns", t.upper_ns),
        ] {
            if !(v.is_finite() && v > 0.0) {
                return Err(format!(
                    "field `{field}`: {v} is not a positive finite time"
                ));
            }
        }
        if let Some(seconds) = self.seconds
            && !(seconds.is_finite() && seconds >= 0.0)
        {
            return Err(format!("field `seconds`: {seconds} is not a duration"));
        }
        if !(t.lower_ns <= t.median_ns && t.median_ns <= t.upper_ns) {
            return Err("field `time`: lower_ns ≤ median_ns ≤ upper_ns does not hold".to_owned());
        }
        if let Some(c) = self.change {
            if ![c.estimate, c.lower, c.upper]
                .iter()
                .all(|v| v.is_finite() && *v > -1.0)
            {
                return Err("field `change`: not a finite relative change above −100%".to_owned());
            }
            if !(c.log_se.is_finite() && c.log_se >= 0.0) {
                return Err(format!(
                    "field `change.log_se`: {} is not a standard error",
                    c.log_se
                ));
            }
            if !(c.lower <= c.estimate && c.estimate <= c.upper) {
                return Err("field `change`: lower ≤ estimate ≤ upper does not hold".to_owned());
            }
        }
        if self.instructions == Some(0) {
            return Err("field `instructions`: 0 is not a count of a call".to_owned());
        }
        Ok(())
    }

    /// The change as an [`Interval`].
    #[must_use]
    pub fn change_interval(&self) -> Option<Interval> {
        self.change
            .and_then(|c| Interval::new(c.lower, c.estimate, c.upper).ok())
    }
}

fn check_commit(field: &str, commit: &str) -> Result<(), String> {
    if perfmatrix_fingerprint::parse_commit(commit).is_some_and(|hash| hash == commit) {
        Ok(())
    } else {
        Err(format!(
            "field `{field}`: `{}` is not a full lowercase commit hash",
            commit.escape_debug()
        ))
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
        let row = report.and_then(|r| r.rows.iter().find(|row| row.id == bench.id.as_str()));
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
            platform: fp.target.to_string(),
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

/// A line of a history file that was skipped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BadRecord {
    /// The file, or the git object (`perfmatrix-history:x86_64-unknown-linux-gnu.jsonl`).
    pub source: String,
    /// 1-based.
    pub line: usize,
    /// Why it was skipped: the parse or validation error, or an unfinished last line.
    pub reason: String,
}

impl std::fmt::Display for BadRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: skipped: {}", self.source, self.line, self.reason)
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

/// Why a last line without a newline is skipped: it is read once it ends.
const UNFINISHED_LINE: &str = "the last line has no newline: an unfinished line, read once it ends";

/// The platform whose history the file `path` holds: its name's stem (`<triple>.jsonl`).
pub(crate) fn platform_of(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
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
    platform: &str,
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
            .map_err(|e| e.to_string())
            .and_then(|r| r.validate().map(|()| r))
            .and_then(|r| {
                if r.platform == platform {
                    Ok(r)
                } else {
                    Err(format!(
                        "field `platform`: `{}` in the history file of `{platform}`",
                        r.platform
                    ))
                }
            });
        match parsed {
            Ok(r) => record(r),
            Err(reason) => bad.push(BadRecord {
                source: source.to_owned(),
                line: number,
                reason,
            }),
        }
    }
    let unfinished = (!bytes[ended..].trim_ascii().is_empty()).then(|| BadRecord {
        source: source.to_owned(),
        line: first_line + lines,
        reason: UNFINISHED_LINE.to_owned(),
    });
    Parsed {
        bytes: ended,
        lines,
        unfinished,
    }
}

impl History {
    /// Parses one history file, `bytes` of `source` (named so in [`BadRecord`]s; a
    /// `<platform>.jsonl` file, or a git object of one): every line that ends must be one valid
    /// [`HistoryRecord`] of that platform or is skipped (blank lines are ignored), and a last
    /// line without a newline is skipped as unfinished.
    pub fn parse_into(&mut self, source: &str, bytes: &[u8]) {
        let records = &mut self.records;
        let parsed = parse_lines(
            source,
            &platform_of(Path::new(source)),
            bytes,
            1,
            |r| records.push(r),
            &mut self.bad,
        );
        self.bad.extend(parsed.unfinished);
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
            history.parse_into(&path.display().to_string(), &bytes);
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

/// The history files of `dir` (`*.jsonl`, temp files excluded), sorted; none if it is missing.
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
        if path.extension().is_some_and(|e| e == HISTORY_EXTENSION) && !is_temporary(&path) {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// The history file of `platform` in `dir`.
#[must_use]
pub fn history_path(dir: &Path, platform: &str) -> PathBuf {
    dir.join(format!("{platform}.{HISTORY_EXTENSION}"))
}

/// What [`append`] did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Appended {
    /// How many records were written.
    pub written: usize,
    /// Records of a clean commit already in the file (same benchmark and mode), not written twice.
    pub already_present: usize,
    /// Lines of the existing files that did not parse (kept as they are).
    pub bad: Vec<BadRecord>,
    /// Temp files of earlier appends that were killed before their rename, removed.
    pub leftovers_removed: Vec<PathBuf>,
}

/// Appends `records` to their platforms' files in `dir`.
///
/// A record of a clean commit whose (commit, benchmark, mode) the file already holds is not
/// written again, so re-running an append (a retried CI push) is harmless; the same commit
/// measured in another mode (paired, and against committed baselines) is another record. Records
/// of a dirty tree are always appended. Each file is rewritten atomically as its old bytes,
/// unchanged (bad lines included), followed by the new lines: an interrupted append leaves the
/// old file. Appends to one folder are serialized: each holds an exclusive lock on the folder
/// from its first read to its last write, so two at once cannot lose records.
pub fn append(dir: &Path, records: &[HistoryRecord]) -> Result<Appended, HistoryError> {
    let _lock = FolderLock::take(dir)?;
    let mut outcome = Appended {
        leftovers_removed: remove_leftovers(dir)?,
        ..Appended::default()
    };
    let mut platforms: Vec<&str> = records.iter().map(|r| r.platform.as_str()).collect();
    platforms.sort_unstable();
    platforms.dedup();
    for platform in platforms {
        let path = history_path(dir, platform);
        let old = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(source) => return Err(ModelError::Read { path, source }.into()),
        };
        let mut existing = History::default();
        existing.parse_into(&path.display().to_string(), &old);
        outcome.bad.extend(existing.bad);
        let mut present: HashSet<(String, BenchmarkId, HistoryMode)> = existing
            .records
            .into_iter()
            .filter(|r| !r.dirty)
            .map(|r| (r.commit, r.benchmark, r.mode))
            .collect();
        let mut bytes = old;
        if !bytes.is_empty() && !bytes.ends_with(b"\n") {
            // A line cut short by an earlier crash stays a bad line of its own.
            bytes.push(b'\n');
        }
        let before = outcome.written;
        for record in records.iter().filter(|r| r.platform == platform) {
            let key = (record.commit.clone(), record.benchmark.clone(), record.mode);
            if !record.dirty && !present.insert(key) {
                outcome.already_present += 1;
                continue;
            }
            let line = serde_json::to_string(record).map_err(|e| ModelError::Json {
                path: path.clone(),
                what: HISTORY_SCHEMA.kind,
                source: e,
            })?;
            bytes.extend_from_slice(line.as_bytes());
            bytes.push(b'\n');
            outcome.written += 1;
        }
        if outcome.written > before {
            write_atomically(&path, &bytes)?;
        }
    }
    Ok(outcome)
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
            platform: platform.to_owned(),
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
    const A: &str = "aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111";
    const B: &str = "bbbb2222bbbb2222bbbb2222bbbb2222bbbb2222";

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
        assert_eq!(history.records[0], a[0]);
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
    fn bad_lines_are_reported_with_file_and_line_skipped_and_kept_as_they_are() {
        let dir = tempfile::tempdir().unwrap();
        let path = history_path(dir.path(), X86);
        let good = serde_json::to_string(&record(A, X86, "decay/1000", 100.0)).unwrap();
        let other_schema = good.replace("\"version\":1", "\"version\":7");
        let nan = good.replace("\"median_ns\":100.0", "\"median_ns\":NaN");
        let null_time = good.replace("\"median_ns\":100.0", "\"median_ns\":null");
        let truncated = &good[..good.len() / 2];
        let text = format!("{good}\n{other_schema}\n{nan}\n\n{null_time}\n{truncated}");
        std::fs::write(&path, &text).unwrap();

        let history = History::read_dir(dir.path()).unwrap();
        assert_eq!(history.records.len(), 1);
        let lines: Vec<usize> = history.bad.iter().map(|b| b.line).collect();
        assert_eq!(lines, [2, 3, 5, 6]);
        let shown = history.bad[0].to_string();
        assert!(
            shown.starts_with(&format!("{}:2: skipped:", path.display())),
            "{shown}"
        );
        assert!(shown.contains("version 7"), "{shown}");

        // Appending keeps every old byte (bad lines included) and starts a line of its own.
        let out = append(dir.path(), &[record(B, X86, "decay/1000", 100.0)]).unwrap();
        assert_eq!(out.written, 1);
        assert_eq!(out.bad.len(), 4);
        let after = std::fs::read_to_string(&path).unwrap();
        assert!(
            after.starts_with(&format!("{text}\n")),
            "old bytes rewritten"
        );
        let history = History::read_dir(dir.path()).unwrap();
        assert_eq!(history.records.len(), 2);
        assert_eq!(history.bad.len(), 4);
    }

    #[test]
    fn invalid_values_are_refused_by_validate() {
        let mut r = record(A, X86, "decay/1000", 100.0);
        r.time.lower_ns = 200.0;
        assert!(r.validate().unwrap_err().contains("lower_ns"));
        let mut r = record("not-hex", X86, "decay/1000", 100.0);
        assert!(r.validate().unwrap_err().contains("commit"));
        r.commit = A[..12].to_owned();
        assert!(r.validate().unwrap_err().contains("commit"), "abbreviated");
        r.commit = A.to_owned();
        r.instructions = Some(0);
        assert!(r.validate().unwrap_err().contains("instructions"));
        r.instructions = None;
        r.change = Some(ChangeSummary {
            estimate: 0.1,
            lower: 0.2,
            upper: 0.3,
            log_se: 0.01,
        });
        assert!(r.validate().unwrap_err().contains("change"));
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
            assert!(err.contains("field `seconds`"), "{err}");
        }
    }
}
