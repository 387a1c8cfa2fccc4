//! The one error type of the data model: every variant names the file and, where known, the field.

use std::path::PathBuf;

use perfmatrix_stats::StatsError;

use crate::{BenchmarkId, TargetTriple};

/// Why reading, checking, comparing or writing perfmatrix's files failed. The message names the
/// file and, where known, the field or the benchmark.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ModelError {
    /// A file or folder could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file or folder that could not be read.
        path: PathBuf,
        /// The io error.
        source: std::io::Error,
    },
    /// A file could not be written (or a stale file beside it not removed).
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The file that could not be written or removed.
        path: PathBuf,
        /// The io error.
        source: std::io::Error,
    },
    /// A file is not valid JSON, or not the shape its kind of file has.
    #[error("{} is not valid JSON for {what}: {source}", path.display())]
    Json {
        /// The file that could not be parsed.
        path: PathBuf,
        /// The kind of file it should be: a schema kind (`perfmatrix-results`) or a criterion
        /// file (`criterion's sample.json`).
        what: &'static str,
        /// The parse error, with its line and column.
        source: serde_json::Error,
    },
    /// A file parsed, but one of its values is refused: a wrong schema or version, a sample out
    /// of range, a summary that disagrees with its samples, an id twice, a run that cannot be
    /// pooled.
    #[error("{}: field `{field}`: {message}", path.display())]
    Field {
        /// The file that holds the value.
        path: PathBuf,
        /// Where in the file, as a path of keys and indices (`benchmarks[3].samples_ns[7]`).
        field: String,
        /// What is wrong with the value, and usually what to do.
        message: String,
    },
    /// Two legs given to one merge measured different commits (a leg re-run on a newer push).
    #[error(
        "{} measured commit {first_commit} but {} measured {second_commit}: merge the legs of \
         one commit (re-run every leg, or none)",
        first.display(),
        second.display()
    )]
    MixedCommits {
        /// The leg read first.
        first: PathBuf,
        /// The commit it measured.
        first_commit: String,
        /// The leg of another commit.
        second: PathBuf,
        /// The commit that one measured.
        second_commit: String,
    },
    /// Comparing a benchmark's wall time with its baseline failed: the statistics refused the
    /// samples.
    #[error("comparing `{id}`: {source}")]
    Compare {
        /// The benchmark being compared.
        id: BenchmarkId,
        /// Why the statistics refused.
        source: StatsError,
    },
    /// Comparing a benchmark's instruction count or peak memory with its baseline's failed.
    #[error("comparing the counts of `{id}`: {source}")]
    CompareCounts {
        /// The benchmark whose counts were being compared.
        id: BenchmarkId,
        /// Why the statistics refused.
        source: StatsError,
    },
    /// Pooling a benchmark's runs into a baseline failed: the statistics refused the samples.
    #[error("pooling the runs of `{id}` into a baseline: {source}")]
    Pool {
        /// The benchmark being pooled.
        id: BenchmarkId,
        /// Why the statistics refused.
        source: StatsError,
    },
    /// Fewer runs than a baseline needs.
    #[error("a baseline needs at least {min} full runs, got {got}")]
    TooFewRuns {
        /// How many runs were given.
        got: usize,
        /// How many a baseline needs ([`crate::MIN_RUNS`]).
        min: usize,
    },
    /// One results file given twice to make a baseline.
    #[error("{} is given twice: a baseline needs {min} or more independent runs", path.display())]
    RunGivenTwice {
        /// The results file given twice (the second time it appears).
        path: PathBuf,
        /// How many independent runs a baseline needs ([`crate::MIN_RUNS`]).
        min: usize,
    },
    /// A paired report asked of results that hold no paired run.
    #[error("the results hold no paired run")]
    NotPaired,
    /// Settings in a package's `[package.metadata.perfmatrix]`, which is not where perfmatrix
    /// reads them: silently ignored, they would leave the run on the defaults.
    #[error(
        "{}: perfmatrix does not read `[package.metadata.perfmatrix]`: its settings are \
         `[workspace.metadata.perfmatrix]` (a single package declares that in its own \
         Cargo.toml too); rename the table",
        manifest.display()
    )]
    PackageSettings {
        /// The package's Cargo.toml.
        manifest: PathBuf,
    },
    /// A setting of `[workspace.metadata.perfmatrix]` in Cargo.toml is unknown, missing or out of
    /// range.
    #[error("Cargo.toml: `{key}` {message}")]
    Config {
        /// The setting's full dotted key (`workspace.metadata.perfmatrix.benchmarks."a/b".fail`).
        key: String,
        /// What is wrong with it (for an unknown key, the nearest valid one).
        message: String,
    },
    /// Two results files given to `merge` are of the same platform.
    #[error(
        "{} and {} both hold results of {platform}: merge one results file per platform",
        first.display(),
        second.display()
    )]
    DuplicatePlatform {
        /// The platform's target triple.
        platform: TargetTriple,
        /// The first file of that platform.
        first: PathBuf,
        /// The second file of that platform.
        second: PathBuf,
    },
    /// A benchmark id breaks the rules of [`BenchmarkId`]. The id is printed escaped (`a\nb`,
    /// `x\0`): a raw newline or NUL would garble the message.
    #[error("benchmark id `{}` {reason}", id.escape_debug())]
    BadId {
        /// The refused id, as given.
        id: String,
        /// Which rule it breaks (`is empty`, `contains a control character or a backslash`, …).
        reason: &'static str,
    },
}

impl ModelError {
    pub(crate) fn field(
        path: &std::path::Path,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        ModelError::Field {
            path: path.to_owned(),
            field: field.into(),
            message: message.into(),
        }
    }
}
