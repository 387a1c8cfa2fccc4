//! The crate's one error type. Reading the machine never fails (odd data becomes "unknown");
//! errors come only from what the caller hands in and from fingerprint files.

use std::path::PathBuf;

/// What went wrong, with the field or file it concerns.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FingerprintError {
    /// A target triple that target-lexicon cannot parse.
    #[error("field `{field}`: `{value}` is not a target triple: {reason}")]
    InvalidTarget {
        /// The field that held the triple (`target`).
        field: &'static str,
        /// The rejected text.
        value: String,
        /// Why target-lexicon rejected it.
        reason: String,
    },
    /// A caller-provided field with a value the fingerprint cannot carry.
    #[error("field `{field}`: {reason} (got `{value}`)")]
    InvalidField {
        /// Path of the field, e.g. `dispatch.cosine` or `cores.logical`.
        field: String,
        /// The rejected value.
        value: String,
        /// What the field requires.
        reason: &'static str,
    },
    /// A fingerprint written by a newer (or older, incompatible) version of this crate.
    #[error(
        "field `schema`: fingerprint schema {found} is not supported (this build reads {supported})"
    )]
    UnsupportedSchema {
        /// The schema number in the data.
        found: u32,
        /// The schema number this build writes and reads.
        supported: u32,
    },
    /// A fingerprint file that cannot be read.
    #[error("cannot read fingerprint {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A fingerprint file that cannot be written.
    #[error("cannot write fingerprint {}: {source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// JSON that is not a fingerprint (or a fingerprint that cannot be serialized).
    #[error("{context}: {source}")]
    Json {
        /// Which document: a file path, or a description such as `fingerprint JSON`.
        context: String,
        /// The serde_json error, with line and column.
        source: serde_json::Error,
    },
}
