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
    /// The report itself as JSON (it parses back into `perfmatrix_model::Report`).
    Json,
}

impl Format {
    /// Every format, in the order the choices are listed.
    pub const ALL: [Format; 3] = [Format::Table, Format::Markdown, Format::Json];

    /// The choices as an error message lists them.
    pub const CHOICES: &'static str = "table, markdown, json";

    /// The name of the format as [`FromStr`] accepts it.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Markdown => "markdown",
            Format::Json => "json",
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

    /// `"table"`, `"markdown"` or `"json"`, ignoring ASCII case and surrounding whitespace.
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
    }

    #[test]
    fn unknown_names_list_the_choices() {
        let err = "xml".parse::<Format>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown report format `xml`: expected one of table, markdown, json"
        );
        let choices = Format::ALL.map(Format::as_str).join(", ");
        assert_eq!(choices, Format::CHOICES);
    }
}
