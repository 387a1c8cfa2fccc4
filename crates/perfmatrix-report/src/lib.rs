//! Renders one platform's verdict (`perfmatrix_model::Report`, [`render`]) or the merged verdict
//! of a CI matrix (`perfmatrix_model::MergedReport`, [`render_merged`]) as a terminal table,
//! GitHub Markdown, JSON or a self-contained HTML page, through minijinja templates kept in
//! `templates/` and embedded in the binary; and a performance history (`perfmatrix_model::Trend`)
//! as a dashboard of self-contained HTML pages ([`render_history_html`]), a Markdown summary
//! ([`render_history_markdown`]) and SVG status badges ([`render_badge`]).
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

mod badge;
mod budget;
mod chart;
mod error;
mod exact;
mod format;
#[cfg(test)]
mod history_fixtures;
mod history_view;
mod merged_view;
mod scale;
mod style;
mod templates;
mod trend_chart;
pub mod units;
mod view;

use std::path::Path;

use perfmatrix_model::{MergedReport, Report};

pub use budget::MARKDOWN_LIMIT;
pub use chart::MAX_CHARTED;
pub use error::ReportError;
pub use format::Format;
pub use history_view::{
    HISTORY_INDEX, HistoryOptions, HistoryPage, render_badge, render_history_html,
    render_history_markdown,
};
pub use style::{Style, color_allowed};

/// `report` in `format`. `style` only matters for [`Format::Table`].
///
/// Beside wall time, every format shows each benchmark's exact metrics when the run measured
/// them: the instruction count of one call with its exact change (`1,234,567 (+2.00%)`), the
/// peak memory (`12.4 MiB (+3.1%)`), the metric that decided a verdict other than unchanged
/// (`regressed (instructions)`), `unavailable` with a footnote giving each distinct reason once,
/// and the line of the count baseline they were compared with.
///
/// [`Format::Json`] gives the report itself (`perfmatrix_model::Report`'s serde form, pretty
/// printed), so that it parses back to an equal value, except that JSON has no NaN or infinity:
/// those numbers come out as `null`. [`Format::Html`] gives the page [`render_merged`] makes of
/// the report as a merge of one platform, with the count baseline as the report chose it.
pub fn render(report: &Report, format: Format, style: Style) -> Result<String, ReportError> {
    let context = match format {
        Format::Table | Format::Markdown => view::text_context(report),
        Format::Json => view::json_context(report),
        Format::Html => {
            // The label of the platform's source: a single report has no results file of its own.
            let merged = MergedReport::single(report, Path::new(&report.platform));
            return render_merged_of(&merged, Some(report), format, style);
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
///   benchmark × platform table of changes and verdicts, each cell with the exact change of the
///   instruction count and the peak memory where they were measured (`instr +2.00%`,
///   `mem unavailable [1]`), the reasons of unavailable metrics under the table.
/// - [`Format::Markdown`]: the same for a job summary or a pull-request comment, with each
///   change's interval, at most [`MARKDOWN_LIMIT`] bytes: past 60 benchmarks only the ones not
///   unchanged on every platform are listed, worst first, and if that is still too long the
///   table is cut with a line saying so and pointing at the HTML and JSON reports.
/// - [`Format::Json`]: the merged report itself, pretty printed; it parses back to an equal
///   value, except that NaN and infinities come out as `null`.
/// - [`Format::Html`]: one self-contained page (inline CSS and SVG, no script, nothing loaded
///   from the network) with the tables and a chart of the changes of at most [`MAX_CHARTED`]
///   benchmarks, those with the largest changes, the instruction count's as a cross.
///
/// A merged report does not carry the platforms' count baselines: every format only says which
/// platforms found no baseline with counts for their build.
pub fn render_merged(
    report: &MergedReport,
    format: Format,
    style: Style,
) -> Result<String, ReportError> {
    render_merged_of(report, None, format, style)
}

/// [`render_merged`], where `single` is the platform's own report when `report` is a merge of
/// that one: the HTML page then shows its count baseline, which a merged report does not carry.
fn render_merged_of(
    report: &MergedReport,
    single: Option<&Report>,
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
        Format::Html => merged_view::html_context(report, single),
        Format::Markdown => {
            let view = merged_view::MarkdownView::new(report);
            return budget::render_markdown(&env, name, &view).map_err(failed);
        }
    };
    env.get_template(name)
        .and_then(|template| template.render(context))
        .map_err(failed)
}
