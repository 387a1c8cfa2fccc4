//! The one error type of the history: every variant names the file, run or field it is about.

/// What went wrong reading, appending to or caching a history.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HistoryError {
    /// A quick run was offered to the history, which holds full runs only.
    #[error("a quick run is a smoke test: it is not recorded in the history")]
    QuickRun,
    /// A filtered run was offered to the history, which holds full runs only.
    #[error("a run filtered by `{filter}` is not recorded in the history (only full runs are)")]
    FilteredRun {
        /// The run's benchmark filter.
        filter: String,
    },
    /// A paired run's results were offered as the records of another commit.
    #[error("the results measured commit {measured}, not {given}")]
    OtherCommit {
        /// The head commit the paired run measured.
        measured: String,
        /// The commit the records were to be filed under.
        given: String,
    },
    /// A benchmark's median interval could not be computed from its samples.
    #[error("`{id}`: {source}")]
    Median {
        /// The benchmark.
        id: perfmatrix_model::BenchmarkId,
        /// What the statistics refused.
        source: perfmatrix_stats::StatsError,
    },
    /// A record made from a results file is not one the history can hold.
    #[error("`{id}`: {problem}")]
    InvalidRecord {
        /// The benchmark.
        id: perfmatrix_model::BenchmarkId,
        /// What [`HistoryRecord::validate`](crate::HistoryRecord::validate) found.
        problem: crate::RecordProblem,
    },
    /// Two files given to one read hold the history of the same platform.
    #[error(
        "{first} and {second} both hold the history of `{platform}`: keep one file per platform"
    )]
    TwoFilesOfOnePlatform {
        /// The name of one file, as in messages (a path or a git object).
        first: String,
        /// The name of the other file.
        second: String,
        /// The target triple both files' names give.
        platform: perfmatrix_model::TargetTriple,
    },
    /// A history file whose name is not its platform's target triple (`<triple>.pmh`): whose
    /// history it holds is unknown, so none of it is read.
    #[error(
        "{file}: a history file is named after its platform (`<target triple>.{}`), and \
         `{}` is not a target triple: {why}",
        crate::STORE_EXTENSION,
        stem.escape_debug()
    )]
    NotAPlatformFile {
        /// The file, as in messages (a path or a git object).
        file: String,
        /// Its name's stem.
        stem: String,
        /// Why the stem is not a target triple (target-lexicon's words, or the spaces around it).
        why: String,
    },
    /// A platform has both a JSON-lines and a compact history file: one of them is not
    /// perfmatrix's doing, and which to keep is the user's choice.
    #[error(
        "{} and {} both hold a history of one platform: the JSON lines are migrated into a new \
         compact file only; merge them by hand or remove one",
        lines.display(), compact.display()
    )]
    TwoStores {
        /// The JSON-lines file.
        lines: std::path::PathBuf,
        /// The compact file.
        compact: std::path::PathBuf,
    },
    /// A compact history file holds bytes that are not a frame where one should start: an
    /// append after them could not be read back, so none is made.
    #[error("{}: at byte {offset}: {problem}; nothing was appended", path.display())]
    Damaged {
        /// The file.
        path: std::path::PathBuf,
        /// Where the damage is.
        offset: u64,
        /// What is wrong there.
        problem: crate::RecordProblem,
    },
    /// A history file or folder could not be read, or written (through the model's atomic
    /// write), or a record not written as JSON: the model's errors, which name the file.
    #[error(transparent)]
    File(#[from] perfmatrix_model::ModelError),
}
