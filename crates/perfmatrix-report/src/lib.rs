//! Renders one platform's verdict (`perfmatrix_model::Report`, [`render`]) or the merged verdict
//! of a CI matrix (`perfmatrix_model::MergedReport`, [`render_merged`]) as a terminal table,
//! GitHub Markdown, JSON or a self-contained HTML page, through minijinja templates kept in
//! `templates/` and embedded in the binary.
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
//! and every number, NaN and infinities included, has a readable form ([`units`]). In HTML every
//! string is also HTML-escaped, and every number drawn in the chart is finite.

mod budget;
mod chart;
mod error;
mod format;
mod merged_view;
mod style;
mod templates;
pub mod units;
mod view;

use std::path::Path;

use perfmatrix_model::{MergedReport, Report};

pub use budget::MARKDOWN_LIMIT;
pub use chart::MAX_CHARTED;
pub use error::ReportError;
pub use format::Format;
pub use style::{Style, color_allowed};

/// `report` in `format`. `style` only matters for [`Format::Table`].
///
/// [`Format::Json`] gives the report itself (`perfmatrix_model::Report`'s serde form, pretty
/// printed), so that it parses back to an equal value, except that JSON has no NaN or infinity:
/// those numbers come out as `null`. [`Format::Html`] gives the page [`render_merged`] makes of
/// the report as a merge of one platform.
pub fn render(report: &Report, format: Format, style: Style) -> Result<String, ReportError> {
    let context = match format {
        Format::Table | Format::Markdown => view::text_context(report),
        Format::Json => view::json_context(report),
        Format::Html => {
            // The label of the platform's source: a single report has no results file of its own.
            let merged = MergedReport::single(report, Path::new(&report.platform));
            return render_merged(&merged, format, style);
        }
    };
    let (name, source) = templates::template(format);
    let failed = |source| ReportError::Template {
        template: name,
        source,
    };
    let mut env = templates::environment(style);
    env.add_template(name, source).map_err(failed)?;
    env.get_template(name)
        .and_then(|template| template.render(context))
        .map_err(failed)
}

/// The merged verdict of a CI matrix in `format`. `style` only matters for [`Format::Table`].
///
/// - [`Format::Table`]: the overall verdict with its reasons, a table of the platforms and a
///   benchmark × platform table of changes and verdicts.
/// - [`Format::Markdown`]: the same for a job summary or a pull-request comment, with each
///   change's interval, at most [`MARKDOWN_LIMIT`] bytes: past 60 benchmarks only the ones not
///   unchanged on every platform are listed, worst first, and if that is still too long the
///   table is cut with a line saying so and pointing at the HTML and JSON reports.
/// - [`Format::Json`]: the merged report itself, pretty printed; it parses back to an equal
///   value, except that NaN and infinities come out as `null`.
/// - [`Format::Html`]: one self-contained page (inline CSS and SVG, no script, nothing loaded
///   from the network) with the tables and a chart of the changes of at most [`MAX_CHARTED`]
///   benchmarks, those with the largest changes.
pub fn render_merged(
    report: &MergedReport,
    format: Format,
    style: Style,
) -> Result<String, ReportError> {
    let (name, source) = templates::merged_template(format);
    let failed = |source| ReportError::Template {
        template: name,
        source,
    };
    let mut env = templates::environment(style);
    env.add_template(name, source).map_err(failed)?;
    let context = match format {
        Format::Table => merged_view::text_context(report),
        Format::Json => merged_view::json_context(report),
        Format::Html => merged_view::html_context(report),
        Format::Markdown => {
            let view = merged_view::MarkdownView::new(report);
            return budget::render_markdown(&env, name, &view).map_err(failed);
        }
    };
    env.get_template(name)
        .and_then(|template| template.render(context))
        .map_err(failed)
}
