//! The output formats a report renders to, named as on the command line.

use std::fmt;
use std::str::FromStr;

use crate::ReportError;

/// An output format of [`crate::render`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Format {
    /// An aligned table for a terminal, coloured if [`crate::Style::color`] says so.
    #[default]
    Table,
    /// GitHub-flavoured Markdown, for a pull-request comment or a job summary.
    Markdown,
    /// The report itself as JSON (it parses back into `perfmatrix_model::Report`, or
    /// `perfmatrix_model::MergedReport` for [`crate::render_merged`]).
    Json,
    /// One self-contained HTML page (inline CSS and SVG, no scripts, nothing loaded from the
    /// network): the verdict, the tables and a chart of the changes, for a CI artifact.
    Html,
}

impl Format {
    /// Every format, in the order the choices are listed.
    pub const ALL: [Format; 4] = [Format::Table, Format::Markdown, Format::Json, Format::Html];

    /// The choices as an error message lists them.
    pub const CHOICES: &'static str = "table, markdown, json, html";

    /// The name of the format as [`FromStr`] accepts it.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Markdown => "markdown",
            Format::Json => "json",
            Format::Html => "html",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Format {
    type Err = ReportError;

    /// `"table"`, `"markdown"`, `"json"` or `"html"`, ignoring ASCII case and surrounding whitespace.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim();
        Format::ALL
            .into_iter()
            .find(|f| f.as_str().eq_ignore_ascii_case(wanted))
            .ok_or_else(|| ReportError::UnknownFormat {
                given: s.to_owned(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for f in Format::ALL {
            assert_eq!(f.to_string().parse::<Format>().unwrap(), f);
        }
        assert_eq!(" Markdown ".parse::<Format>().unwrap(), Format::Markdown);
        assert_eq!("HTML".parse::<Format>().unwrap(), Format::Html);
    }

    #[test]
    fn unknown_names_list_the_choices() {
        let err = "xml".parse::<Format>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown report format `xml`: expected one of table, markdown, json, html"
        );
        let choices = Format::ALL.map(Format::as_str).join(", ");
        assert_eq!(choices, Format::CHOICES);
    }
}
