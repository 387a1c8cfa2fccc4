//! Renders one platform's verdict (`perfmatrix_model::Report`) as a terminal table, GitHub
//! Markdown or JSON, through minijinja templates kept in `templates/` and embedded in the binary.
//!
//! ```no_run
//! # fn show(report: &perfmatrix_model::Report) -> Result<(), perfmatrix_report::ReportError> {
//! use perfmatrix_report::{Format, Style, render};
//! print!("{}", render(report, "table".parse::<Format>()?, Style::detect())?);
//! # Ok(()) }
//! ```
//!
//! Rendering never panics: every string of the report is shown with its control characters
//! escaped (no report content can send an escape sequence to the terminal or break a table line),
//! and every number, NaN and infinities included, has a readable form ([`units`]).

mod error;
mod format;
mod style;
mod templates;
pub mod units;
mod view;

use perfmatrix_model::Report;

pub use error::ReportError;
pub use format::Format;
pub use style::{Style, color_allowed};

/// `report` in `format`. `style` only matters for [`Format::Table`].
///
/// [`Format::Json`] gives the report itself (`perfmatrix_model::Report`'s serde form, pretty
/// printed), so that it parses back to an equal value, except that JSON has no NaN or infinity:
/// those numbers come out as `null`.
pub fn render(report: &Report, format: Format, style: Style) -> Result<String, ReportError> {
    let (name, source) = templates::template(format);
    let failed = |source| ReportError::Template {
        template: name,
        source,
    };
    let mut env = templates::environment(style);
    env.add_template(name, source).map_err(failed)?;
    let context = match format {
        Format::Table | Format::Markdown => view::text_context(report),
        Format::Json => view::json_context(report),
    };
    env.get_template(name)
        .and_then(|template| template.render(context))
        .map_err(failed)
}
