//! Why part of a history file is not read: a record that breaks a rule, a run of a compact file
//! that does not parse, and why a cache was not used. Typed, so a caller can tell one from
//! another; worded once, by their `Display`.

use serde::{Deserialize, Serialize};

use perfmatrix_model::{BenchmarkId, TargetTriple};

/// Why a record, or a run (a frame) of a compact file, is not one the history holds. Kept in the
/// cache with the line it skipped, so the foreign errors (JSON, inflate) keep their words only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
#[non_exhaustive]
pub enum RecordProblem {
    /// Another schema, or another version of it.
    #[error(
        "schema `{found}` version {version}: this perfmatrix reads `{reads}` version {reads_version} only"
    )]
    Schema {
        /// The schema the record or frame names.
        found: String,
        /// Its version.
        version: u32,
        /// The schema this build reads.
        reads: String,
        /// The version of it this build reads.
        reads_version: u32,
    },
    /// A commit field that is not a full lowercase hash.
    #[error("field `{field}`: `{}` is not a full lowercase commit hash", value.escape_debug())]
    NotACommit {
        /// `commit` or `parent`.
        field: String,
        /// What it holds.
        value: String,
    },
    /// A record of another platform than its file's.
    #[error("field `platform`: `{found}` in the history file of `{file}`")]
    OtherPlatform {
        /// The record's platform.
        found: TargetTriple,
        /// The platform of the file it is in.
        file: TargetTriple,
    },
    /// A time that is not positive and finite.
    #[error("field `{field}`: {value} is not a positive finite time")]
    NotATime {
        /// `time.median_ns`, `time.lower_ns` or `time.upper_ns`.
        field: String,
        /// What it holds.
        value: f64,
    },
    /// A duration that is negative or not finite.
    #[error("field `seconds`: {seconds} is not a duration")]
    NotADuration {
        /// What the field holds.
        seconds: f64,
    },
    /// A time interval whose bounds do not hold its median.
    #[error("field `time`: lower_ns ≤ median_ns ≤ upper_ns does not hold")]
    TimeOutOfOrder,
    /// A change that is not finite, or at or below −100%.
    #[error("field `change`: not a finite relative change above −100%")]
    ChangeNotFinite,
    /// A standard error that is negative or not finite.
    #[error("field `change.log_se`: {log_se} is not a standard error")]
    NotAStandardError {
        /// What the field holds.
        log_se: f64,
    },
    /// A change interval whose bounds do not hold its estimate.
    #[error("field `change`: lower ≤ estimate ≤ upper does not hold")]
    ChangeOutOfOrder,
    /// An instruction count of 0, which no call can have.
    #[error("field `instructions`: 0 is not a count of a call")]
    ZeroInstructions,
    /// A line that is not a record's JSON.
    #[error("{message}")]
    NotJson {
        /// serde_json's words, with the line and column.
        message: String,
    },
    /// A last line without a newline.
    #[error("the last line has no newline: an unfinished line, read once it ends")]
    UnfinishedLine,
    /// A last frame cut short.
    #[error(
        "the last run is cut short (an append that did not finish): it is not read, and the next \
         append removes it"
    )]
    CutShort,
    /// Bytes that are not a frame where one should start.
    #[error(
        "not the start of a perfmatrix history frame (`PMH2`): the rest of the file cannot be read"
    )]
    NotAFrame,
    /// A frame's header that is not its JSON.
    #[error("header: {message}")]
    Header {
        /// serde_json's words.
        message: String,
    },
    /// A frame's body whose CRC does not match.
    #[error("the run's numbers fail their CRC: the frame was damaged")]
    Crc,
    /// A frame's body that does not inflate.
    #[error("the run's numbers do not inflate: {message}")]
    Inflate {
        /// The decoder's words.
        message: String,
    },
    /// A frame's ids that end before the header's count.
    #[error("the run's ids are cut short")]
    IdsCutShort,
    /// An id that claims a longer prefix than the id before it has.
    #[error("an id shares more than the id before it")]
    IdSharesTooMuch,
    /// An id whose bytes are not UTF-8.
    #[error("an id is not UTF-8")]
    IdNotUtf8,
    /// An id that breaks a rule of [`BenchmarkId`].
    #[error("{message}")]
    BadId {
        /// The model's words, naming the id and the rule it breaks.
        message: String,
    },
    /// A frame that names the ids of an offset where no frame starts.
    #[error("its ids are those of a frame at byte {offset}, which is not one")]
    IdsNotAFrame {
        /// The offset named.
        offset: u64,
    },
    /// A frame named for its ids that names another's.
    #[error("a frame's ids name a frame that holds none")]
    IdsNameNone,
    /// The frame named for its ids could not be read.
    #[error("the frame at byte {offset}: {message}")]
    IdsUnread {
        /// The frame's offset.
        offset: u64,
        /// The I/O error's words.
        message: String,
    },
    /// A header's record count that differs from the ids its frame names.
    #[error("the run has {records} records but the frame its ids come from has {ids}")]
    RecordCount {
        /// The header's count.
        records: usize,
        /// How many ids there are.
        ids: usize,
    },
    /// A body whose columns end early.
    #[error("the run's numbers are cut short")]
    NumbersCutShort,
    /// A body with bytes after its columns.
    #[error("the run's numbers have bytes left over")]
    BytesLeftOver,
    /// A verdict code that names no verdict.
    #[error("`{id}`: no verdict has code {code}")]
    NoSuchVerdict {
        /// The benchmark of the row.
        id: BenchmarkId,
        /// The code.
        code: u8,
    },
    /// A row of a run that breaks a record's rule.
    #[error("`{id}`: {problem}")]
    Row {
        /// The benchmark of the row.
        id: BenchmarkId,
        /// The rule it breaks.
        problem: Box<RecordProblem>,
    },
}

/// Where in its file a skipped record was: a line of JSON lines, or a run of a compact file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Place {
    /// A line, 1-based.
    Line(usize),
    /// A run, 1-based, and where the bytes that are no frame start (when that is the problem).
    Run {
        /// The run's number.
        number: usize,
        /// The byte offset of bytes that are no frame.
        byte: Option<u64>,
    },
}

impl Place {
    /// The line or run number, 1-based.
    #[must_use]
    pub fn number(self) -> usize {
        match self {
            Place::Line(n) | Place::Run { number: n, .. } => n,
        }
    }
}

/// Why a history file's cache was not used: the file was read in full instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CacheDropped {
    /// Its state file could not be read.
    #[error("cannot read it: {message}")]
    Unreadable {
        /// The I/O error's words.
        message: String,
    },
    /// Its state file does not decode.
    #[error("not a cache this build reads ({source})")]
    Undecodable {
        /// What the decoder found.
        source: postcard::Error,
    },
    /// Another perfmatrix, or another cache version, wrote it.
    #[error("written by perfmatrix {perfmatrix} (cache version {version})")]
    OtherVersion {
        /// The perfmatrix version that wrote it.
        perfmatrix: String,
        /// Its cache version.
        version: u32,
    },
    /// It is the cache of another file.
    #[error("the cache of {source_file}")]
    OtherFile {
        /// The file it is the cache of.
        source_file: String,
    },
    /// A point file it names cannot be read.
    #[error("cannot read {}: {message}", path.display())]
    PointsUnreadable {
        /// The point file.
        path: std::path::PathBuf,
        /// The I/O error's words.
        message: String,
    },
    /// A point file it names has another length.
    #[error("{} is not the file it names", path.display())]
    PointsReplaced {
        /// The point file.
        path: std::path::PathBuf,
    },
    /// A point file it names does not decode.
    #[error("{} does not read back ({source})", path.display())]
    PointsUndecodable {
        /// The point file.
        path: std::path::PathBuf,
        /// What the decoder found.
        source: postcard::Error,
    },
    /// A point file holds a series the state does not, or a broken one.
    #[error("{} holds an unknown or broken series", path.display())]
    UnknownSeries {
        /// The point file.
        path: std::path::PathBuf,
    },
    /// A series' points are fewer or more than the state says.
    #[error("`{benchmark}` has {found} points, not {stored}")]
    PointCount {
        /// The series.
        benchmark: BenchmarkId,
        /// How many the point files hold.
        found: usize,
        /// How many the state says.
        stored: u32,
    },
    /// A point names a run or machine class the state does not hold.
    #[error("`{benchmark}` has a point of a run or machine class it does not hold")]
    DanglingPoint {
        /// The series.
        benchmark: BenchmarkId,
    },
    /// The file is shorter than the part the cache read.
    #[error("the file is shorter than what the cache read")]
    FileShorter,
    /// The part the cache read has changed.
    #[error("the file was rewritten, not appended to")]
    FileRewritten,
}

/// Why a history file's cache could not be written (the history was read either way).
#[derive(Debug, thiserror::Error)]
#[error("cannot write the history cache {}: {source}", path.display())]
pub struct CacheNotWritten {
    /// The file that could not be written.
    pub path: std::path::PathBuf,
    /// Why.
    pub source: CacheWriteError,
}

/// What failed writing a cache file.
#[derive(Debug, thiserror::Error)]
pub enum CacheWriteError {
    /// Encoding it.
    #[error(transparent)]
    Encode(#[from] postcard::Error),
    /// Writing it.
    #[error(transparent)]
    Write(#[from] perfmatrix_model::ModelError),
}
