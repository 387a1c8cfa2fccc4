//! The one error type of this crate: an unknown format name, a template that failed, or JSON
//! that could not be written.

/// What can go wrong when choosing a format or rendering a report.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A format name (from the command line) that is none of [`crate::Format::ALL`].
    #[error(
        "unknown report format `{given}`: expected one of {}",
        crate::Format::CHOICES
    )]
    UnknownFormat {
        /// The name as it was given.
        given: String,
    },
    /// An embedded template failed to compile or to render. Not expected for any report; it
    /// names the template so that a bug in one is easy to find.
    #[error("report template `{template}` failed")]
    Template {
        /// The template's file name (`platform.txt.j2`).
        template: &'static str,
        /// What minijinja reported.
        #[source]
        source: minijinja::Error,
    },
    /// The report could not be written as JSON. Not expected for any report (serde_json writes
    /// NaN and infinities as `null`), but said rather than assumed.
    #[error("the report could not be written as JSON")]
    Json(#[source] serde_json::Error),
}
