//! The one error type of the history: every variant names the file it is about.

use std::path::PathBuf;

/// What went wrong reading, appending to or caching a history.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HistoryError {
    /// A history file or folder could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A record could not be written as JSON.
    #[error("{} is not valid JSON for {what}: {source}", path.display())]
    Json {
        path: PathBuf,
        what: &'static str,
        source: serde_json::Error,
    },
    /// Two files given to one read hold the history of the same platform.
    #[error(
        "{first} and {second} both hold the history of `{platform}`: keep one file per platform"
    )]
    TwoFilesOfOnePlatform {
        first: String,
        second: String,
        platform: String,
    },
    /// A history file could not be written (through the model's atomic write).
    #[error(transparent)]
    Write(#[from] perfmatrix_model::ModelError),
}
