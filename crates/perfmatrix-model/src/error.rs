//! The one error type of the data model: every variant names the file and, where known, the field.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ModelError {
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{} is not valid JSON for {what}: {source}", path.display())]
    Json {
        path: PathBuf,
        what: &'static str,
        source: serde_json::Error,
    },
    #[error("{}: field `{field}`: {message}", path.display())]
    Field {
        path: PathBuf,
        field: String,
        message: String,
    },
    #[error("{0}")]
    Runs(String),
    #[error("Cargo.toml: `{key}` {message}")]
    Config { key: String, message: String },
    #[error(
        "{} and {} both hold results of {platform}: merge one results file per platform",
        first.display(),
        second.display()
    )]
    DuplicatePlatform {
        platform: String,
        first: PathBuf,
        second: PathBuf,
    },
    /// The id is printed escaped (`a\nb`, `x\0`): a raw newline or NUL would garble the message.
    #[error("benchmark id `{}` {reason}", id.escape_debug())]
    BadId { id: String, reason: &'static str },
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
