//! Renders one platform's verdict (`perfmatrix_model::Report`, [`render`]) or the merged verdict
//! of a CI matrix (`perfmatrix_model::MergedReport`, [`render_merged`]) as a terminal table,
//! GitHub Markdown, a self-contained HTML page or JSON; and a performance history
//! (`perfmatrix_history::Trend`) as a dashboard of self-contained HTML pages
//! ([`render_history_html`]), a Markdown summary ([`render_history_markdown`]) and SVG status
//! badges ([`render_badge`]).
//!
//! A report renders through one path: a platform's own report is the merge of one, and every
//! format but JSON is built from the one view of a merged report (`view`) by minijinja templates
//! kept in `templates/` and embedded in the binary, a platform's table and Markdown laid out per
//! benchmark (`platform`), a matrix's per benchmark × platform (`matrix`). JSON is the report's
//! serde form, with its facts worded.
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
mod counts;
mod error;
mod flame;
mod format;
mod functions;
#[cfg(test)]
mod history_fixtures;
mod history_view;
mod matrix;
mod notes;
mod platform;
mod reference;
mod rows_json;
mod scale;
mod style;
mod templates;
mod text;
mod trend_chart;
pub mod units;
mod view;

use std::path::Path;

use perfmatrix_model::{MergedReport, Report};
use serde::Serialize;

pub use budget::MARKDOWN_LIMIT;
pub use chart::MAX_CHARTED;
pub use counts::unmeasured_text as unmeasured;
pub use error::ReportError;
pub use format::Format;
pub use history_view::{
    HISTORY_INDEX, HistoryOptions, HistoryPage, render_badge, render_history_html,
    render_history_json, render_history_markdown,
};
pub use notes::skip_reason;
pub use reference::{
    because_line as paired_because, layer_fell_back, unusable_line as layer_unusable,
};
pub use style::{Style, color_allowed};

use reference::{ReferenceView, Role};
use templates::{Scope, Templated};

/// `report` in `format`. `style` only matters for [`Format::Table`].
///
/// The report is rendered as what it is, the merge of one platform
/// (`perfmatrix_model::MergedReport::single`), through the same view as [`render_merged`]; only
/// the layout of its table and Markdown differs, a line per benchmark with every detail of its
/// comparison: the medians, the change with its interval, the p-value, the noise floor, the
/// minimum detectable effect, the selected baseline and why, or the candidates when none was
/// comparable. Beside wall time, every format shows each benchmark's counts when the run
/// measured them: the instruction count of one call with its exact change
/// (`1,234,567 (+2.00%)`), the peak memory (`12.4 MiB (+3.1%)`), the metric that decided a
/// verdict other than unchanged (`regressed (instructions)`), `unavailable` with a footnote
/// giving each distinct reason once, and the line of the count baseline they were compared with.
///
/// [`Format::Json`] gives the report with its facts worded: the fields of the verdict a results
/// file holds, in their order, with why its baseline or base was chosen, how a paired run
/// sampled and the command that records a baseline in words, pretty printed; JSON has no NaN or
/// infinity: those numbers come out as `null`. [`Format::Html`] gives the page [`render_merged`] makes of
/// the merge of one.
pub fn render(report: &Report, format: Format, style: Style) -> Result<String, ReportError> {
    match Templated::of(format) {
        None => json(&ReportJson::of(report)),
        Some(page) => {
            // The label of the platform's source: a single report has no results file of its own.
            let merged = MergedReport::single(report, Path::new(report.platform.as_str()));
            render_templated(&merged, Scope::Platform, page, style)
        }
    }
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
/// - [`Format::Json`]: the merged report with its facts worded: the model's fields in their
///   order, with `reasons` (one line per failing platform) and each platform's `baseline` and
///   `note` in words, pretty printed; NaN and infinities come out as `null`.
/// - [`Format::Html`]: one self-contained page (inline CSS and SVG, no script, nothing loaded
///   from the network) with the tables, each platform's count baseline, and a chart of the
///   changes of at most [`MAX_CHARTED`] benchmarks, those with the largest changes, the
///   instruction count's as a cross.
///
/// The table and the Markdown name the platforms that found no baseline with counts for their
/// build; the HTML page says what each platform's counts were compared with.
pub fn render_merged(
    report: &MergedReport,
    format: Format,
    style: Style,
) -> Result<String, ReportError> {
    match Templated::of(format) {
        None => json(&MergedJson::of(report)),
        Some(page) => render_templated(report, Scope::Matrix, page, style),
    }
}

/// The merged report as its JSON shows it: the model's fields in their order, with what the
/// model holds as facts worded (the platforms that fail the merge as `reasons`, each platform's
/// notes as its `note`, its baseline in one line as `baseline`).
#[derive(Serialize)]
struct MergedJson<'a> {
    schema: &'a str,
    version: u32,
    outcome: perfmatrix_model::MergedOutcome,
    reasons: Vec<String>,
    platforms: Vec<PlatformJson<'a>>,
    columns: &'a [perfmatrix_model::TargetTriple],
    benchmarks: Vec<rows_json::MergedRowJson<'a>>,
    tally: &'a perfmatrix_model::Tally,
}

impl<'a> MergedJson<'a> {
    fn of(report: &'a MergedReport) -> Self {
        let MergedReport {
            schema,
            version,
            outcome,
            platforms,
            columns,
            benchmarks,
            tally,
        } = report;
        Self {
            schema,
            version: *version,
            outcome: *outcome,
            reasons: view::failure_lines(report),
            platforms: platforms.iter().map(PlatformJson::of).collect(),
            columns,
            benchmarks: rows_json::MergedRowJson::all(benchmarks),
            tally,
        }
    }
}

/// A platform's report as its JSON shows it: the fields of the results file's verdict in their
/// order, with what it was judged against worded ([`ReferenceView`]).
#[derive(Serialize)]
struct ReportJson<'a> {
    schema: &'a str,
    version: u32,
    platform: &'a perfmatrix_model::TargetTriple,
    fingerprint_slug: &'a str,
    fingerprint_id: &'a str,
    cpu: &'a str,
    emulated: &'a Option<String>,
    quick: bool,
    baseline: ReferenceView,
    count_baseline: Option<ReferenceView>,
    time_gated: bool,
    rows: Vec<rows_json::RowJson<'a>>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    failed: &'a [perfmatrix_model::FailedBench],
    tally: perfmatrix_model::Tally,
    outcome: perfmatrix_model::Outcome,
}

impl<'a> ReportJson<'a> {
    fn of(report: &'a Report) -> Self {
        let Report {
            schema,
            version,
            platform,
            fingerprint_slug,
            fingerprint_id,
            cpu,
            emulated,
            quick,
            reference,
            count_reference,
            time_gated,
            rows,
            failed,
        } = report;
        let pairing = report.pairing();
        Self {
            schema,
            version: *version,
            platform,
            fingerprint_slug,
            fingerprint_id,
            cpu,
            emulated,
            quick: *quick,
            baseline: ReferenceView::of(
                reference,
                Role::Time {
                    key_id: fingerprint_id,
                },
                pairing.as_ref(),
            ),
            count_baseline: count_reference
                .as_ref()
                .map(|r| ReferenceView::of(r, Role::Counts, pairing.as_ref())),
            time_gated: *time_gated,
            rows: rows_json::RowJson::all(rows),
            failed,
            tally: report.tally(),
            outcome: report.outcome(),
        }
    }
}

/// A platform's row as the merged JSON shows it ([`MergedJson`]).
#[derive(Serialize)]
#[allow(
    clippy::struct_excessive_bools,
    reason = "the four booleans of the model's PlatformRow, as its JSON has always shown them"
)]
struct PlatformJson<'a> {
    platform: &'a perfmatrix_model::TargetTriple,
    status: perfmatrix_model::PlatformStatus,
    required: bool,
    fails: bool,
    source: &'a Option<String>,
    fingerprint_slug: &'a Option<String>,
    fingerprint_id: &'a Option<String>,
    cpu: &'a Option<String>,
    emulated: &'a Option<String>,
    quick: bool,
    baseline: Option<String>,
    baseline_choice: Option<ReferenceView>,
    count_baseline: Option<ReferenceView>,
    time_gated: bool,
    tally: &'a Option<perfmatrix_model::Tally>,
    note: Option<String>,
    column: Option<usize>,
}

impl<'a> PlatformJson<'a> {
    fn of(row: &'a perfmatrix_model::PlatformRow) -> Self {
        let perfmatrix_model::PlatformRow {
            platform,
            status,
            required,
            fails,
            source,
            fingerprint_slug,
            fingerprint_id,
            cpu,
            emulated,
            quick,
            reference: _,
            count_reference: _,
            time_gated,
            tally,
            notes: _,
            column,
        } = row;
        let (baseline_choice, count_baseline) = ReferenceView::of_row(row);
        Self {
            platform,
            status: *status,
            required: *required,
            fails: *fails,
            source,
            fingerprint_slug,
            fingerprint_id,
            cpu,
            emulated,
            quick: *quick,
            baseline: notes::baseline_line(row),
            baseline_choice,
            count_baseline,
            time_gated: *time_gated,
            tally,
            note: notes::note_line(row),
            column: *column,
        }
    }
}

/// `report`, of `scope`, as `page`: the one rendering path of every format but JSON.
fn render_templated(
    report: &MergedReport,
    scope: Scope,
    page: Templated,
    style: Style,
) -> Result<String, ReportError> {
    let (name, source) = templates::template(scope, page);
    let failed = |source| ReportError::Template {
        template: name,
        source,
    };
    let mut env = templates::environment(style);
    env.add_template(name, source).map_err(failed)?;
    let context = match (scope, page) {
        (_, Templated::Html) => view::html_context(report),
        (Scope::Platform, Templated::Table | Templated::Markdown) => platform::context(report),
        (Scope::Matrix, Templated::Table) => matrix::table_context(report),
        (Scope::Matrix, Templated::Markdown) => {
            let view = matrix::MarkdownView::new(report);
            return budget::render_markdown(&env, name, &view).map_err(failed);
        }
    };
    env.get_template(name)
        .and_then(|template| template.render(context))
        .map_err(failed)
}

/// `value` as pretty-printed JSON (serde's form of it), ending with a newline. JSON has no NaN
/// or infinity: serde_json writes them as `null`.
fn json(value: &impl Serialize) -> Result<String, ReportError> {
    let mut text = serde_json::to_string_pretty(value).map_err(ReportError::Json)?;
    text.push('\n');
    Ok(text)
}
