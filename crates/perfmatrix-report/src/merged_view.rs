//! The contexts of the merged report's templates (`templates/merged.*.j2`): the overall verdict,
//! one line per platform and one row per benchmark with a cell per platform, every string passed
//! through [`printable`] and every number formatted (see `units`), plus what each format needs on
//! top: column widths for the terminal, the rows a size-limited Markdown lists, the SVG chart.

use minijinja::Value;
use perfmatrix_model::{Cell, Counts, MergedOutcome, MergedReport, MergedRow};
use perfmatrix_model::{PlatformRow, PlatformStatus, Report, RowVerdict};
use serde::Serialize;

use crate::chart;
use crate::exact::{
    CountNote, Exact, ExactCell, Footnote, Footnotes, count_note, derived_count_notes,
    verdict_label,
};
use crate::units::{format_duration_ns, format_percent};
use crate::view::{Count, EMPTY, counts, printable, verdict_names, width};

/// Above this many benchmarks the Markdown lists only the ones that are not unchanged on every
/// platform, worst first.
pub(crate) const MARKDOWN_ALL_ROWS: usize = 60;

/// The Markdown lists at most this many footnotes, each cut to [`MARKDOWN_REASON_CHARS`], so
/// that they cannot crowd the table out of its size limit.
const MARKDOWN_FOOTNOTES: usize = 20;
const MARKDOWN_REASON_CHARS: usize = 300;

/// What every format shows above and below the benchmark table.
#[derive(Debug, Serialize)]
struct Summary {
    /// The outcome as the `paint` filter and the CSS know it, and as shown.
    outcome: &'static str,
    title: &'static str,
    reasons: Vec<String>,
    platforms: Vec<PlatformView>,
    /// The names of the table's platform columns.
    columns: Vec<String>,
    /// The non-zero counts over all cells, worst first, and their sum.
    counts: Vec<Count>,
    results: usize,
    benchmarks: usize,
    /// Whether some cell's verdict was decided by a second measurement (marked `*`).
    remeasured: bool,
    /// Whether some cell has an exact metric (instruction count or peak memory).
    exact: bool,
    /// What the platforms' exact metrics were compared with, where there is something to say.
    count_notes: Vec<CountNote>,
}

/// One platform; `None` where the platform has no such thing (a missing leg has no baseline).
#[derive(Debug, Serialize)]
struct PlatformView {
    platform: String,
    /// `fail`, `missing (required)`, `pass (quick)`…
    status: String,
    /// The status as the `paint` filter and the CSS know it: `fail` for any platform that fails
    /// the merge, its status otherwise.
    kind: &'static str,
    fingerprint: Option<String>,
    emulated: Option<String>,
    baseline: Option<String>,
    /// The platform's counts: `"7: 1 regressed, 6 unchanged"`.
    benchmarks: Option<String>,
    note: Option<String>,
}

/// One benchmark with a cell per column.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct BenchView {
    id: String,
    /// The worst verdict, as `paint` and the CSS know it.
    worst: &'static str,
    cells: Vec<CellView>,
    #[serde(skip)]
    severity: RowVerdict,
    /// Whether every cell there is says unchanged.
    #[serde(skip)]
    unchanged: bool,
}

/// One benchmark on one platform; where it was not measured, `kind` is `none` and `verdict` `—`.
#[derive(Debug, Clone, Serialize)]
struct CellView {
    /// The change's estimate and interval; empty without a change.
    change: String,
    interval: String,
    /// The verdict as shown, with the metric that decided it unless that is wall time, and `*`
    /// marking one decided by a second measurement.
    verdict: String,
    kind: &'static str,
    new: String,
    base: String,
    instr: ExactCell,
    mem: ExactCell,
    /// The exact metrics in a narrow cell, footnote marker included (`instr +2.00%`,
    /// `mem unavailable [1]`); empty when not measured. Set by [`number_footnotes`].
    instr_short: String,
    mem_short: String,
}

fn summary(report: &MergedReport, count_notes: Vec<CountNote>) -> Summary {
    let (outcome, title) = match report.outcome {
        MergedOutcome::Pass => ("pass", "PASS"),
        MergedOutcome::Fail => ("fail", "FAIL"),
        MergedOutcome::NoComparableBaseline => ("no-comparable-baseline", "NO COMPARABLE BASELINE"),
    };
    let counts = counts(&report.counts);
    Summary {
        outcome,
        title,
        reasons: report.reasons.iter().map(|r| printable(r)).collect(),
        platforms: report.platforms.iter().map(platform_view).collect(),
        columns: report.columns.iter().map(|c| printable(c)).collect(),
        results: counts.iter().map(|c| c.n).fold(0, usize::saturating_add),
        counts,
        benchmarks: report.benchmarks.len(),
        remeasured: report
            .benchmarks
            .iter()
            .flat_map(|r| r.cells.iter().take(report.columns.len()).flatten())
            .any(|c| c.remeasured),
        exact: report
            .benchmarks
            .iter()
            .flat_map(|r| r.cells.iter().flatten())
            .any(|c| c.instructions.is_some() || c.peak_memory.is_some()),
        count_notes,
    }
}

fn platform_view(row: &PlatformRow) -> PlatformView {
    let name = match row.status {
        PlatformStatus::NoComparableBaseline => "no comparable baseline",
        status => status.as_str(),
    };
    let status = match row.status {
        PlatformStatus::Skipped | PlatformStatus::Missing | PlatformStatus::Unjudged => {
            let required = if row.required { "required" } else { "optional" };
            format!("{name} ({required})")
        }
        _ if row.quick => format!("{name} (quick)"),
        _ => name.to_owned(),
    };
    let kind = if row.fails {
        "fail"
    } else {
        row.status.as_str()
    };
    let text = |s: &Option<String>| s.as_deref().map(printable);
    PlatformView {
        platform: printable(&row.platform),
        status,
        kind,
        // The slug names the machine class; the CPU model is what a reader recognises.
        fingerprint: text(&row.fingerprint_slug).map(|slug| match row.cpu.as_deref() {
            Some(cpu) if !cpu.is_empty() => format!("{slug} ({})", printable(cpu)),
            _ => slug,
        }),
        emulated: text(&row.emulated),
        baseline: text(&row.baseline),
        benchmarks: row.counts.as_ref().map(count_summary),
        note: text(&row.note),
    }
}

/// `"7: 1 regressed, 6 unchanged"`, or `"0"`.
fn count_summary(c: &Counts) -> String {
    let counts = counts(c);
    let total = counts.iter().map(|c| c.n).fold(0, usize::saturating_add);
    let parts: Vec<String> = counts
        .iter()
        .map(|c| format!("{} {}", c.n, c.label))
        .collect();
    if parts.is_empty() {
        total.to_string()
    } else {
        format!("{total}: {}", parts.join(", "))
    }
}

/// `row` with exactly `columns` cells, whatever the length of its own list.
fn bench_view(row: &MergedRow, columns: usize) -> BenchView {
    let cells: Vec<Option<&Cell>> = (0..columns)
        .map(|i| row.cells.get(i).and_then(Option::as_ref))
        .collect();
    BenchView {
        id: printable(&row.id),
        worst: verdict_names(row.worst).1,
        severity: row.worst,
        unchanged: cells
            .iter()
            .flatten()
            .all(|c| c.verdict == RowVerdict::Unchanged),
        cells: cells.into_iter().map(cell_view).collect(),
    }
}

fn cell_view(cell: Option<&Cell>) -> CellView {
    let Some(cell) = cell else {
        return CellView {
            change: String::new(),
            interval: String::new(),
            verdict: EMPTY.to_owned(),
            kind: "none",
            new: EMPTY.to_owned(),
            base: EMPTY.to_owned(),
            instr: ExactCell::new(Exact::Instructions, None),
            mem: ExactCell::new(Exact::PeakMemory, None),
            instr_short: String::new(),
            mem_short: String::new(),
        };
    };
    let kind = verdict_names(cell.verdict).1;
    let name = verdict_label(cell.verdict, cell.decided_by);
    let duration = |ns: Option<f64>| ns.map_or_else(|| EMPTY.to_owned(), format_duration_ns);
    CellView {
        change: cell
            .change
            .map_or_else(String::new, |c| format_percent(c.estimate())),
        interval: cell.change.map_or_else(String::new, |c| {
            format!(
                "[{}, {}]",
                format_percent(c.lower()),
                format_percent(c.upper())
            )
        }),
        verdict: if cell.remeasured {
            format!("{name}*")
        } else {
            name
        },
        kind,
        new: duration(cell.new_median_ns),
        base: duration(cell.base_median_ns),
        instr: ExactCell::new(Exact::Instructions, cell.instructions.as_ref()),
        mem: ExactCell::new(Exact::PeakMemory, cell.peak_memory.as_ref()),
        instr_short: String::new(),
        mem_short: String::new(),
    }
}

fn rows(report: &MergedReport) -> Vec<BenchView> {
    let columns = report.columns.len();
    report
        .benchmarks
        .iter()
        .map(|r| bench_view(r, columns))
        .collect()
}

/// Numbers the reasons of the unavailable metrics of `rows` in the order they are shown, and
/// fills in each cell's narrow texts of its exact metrics.
fn number_footnotes(rows: &mut [BenchView]) -> Vec<Footnote> {
    let mut footnotes = Footnotes::default();
    let short = |metric: Exact, cell: &ExactCell| {
        if cell.measured() {
            format!("{} {}", metric.short_name(), cell.short_marked)
        } else {
            String::new()
        }
    };
    for cell in rows.iter_mut().flat_map(|r| &mut r.cells) {
        footnotes.mark(&mut cell.instr);
        footnotes.mark(&mut cell.mem);
        cell.instr_short = short(Exact::Instructions, &cell.instr);
        cell.mem_short = short(Exact::PeakMemory, &cell.mem);
    }
    footnotes.into_list()
}

/// A line of the terminal's platform table, every cell as shown.
#[derive(Debug, Serialize)]
struct PlatformLine {
    platform: String,
    status: String,
    kind: &'static str,
    fingerprint: String,
    baseline: String,
    benchmarks: String,
    note: String,
}

impl PlatformLine {
    fn new(p: &PlatformView) -> Self {
        let or_empty = |s: &Option<String>| s.clone().unwrap_or_else(|| EMPTY.to_owned());
        let fingerprint = match &p.emulated {
            Some(emulated) => format!("{} (emulated: {emulated})", or_empty(&p.fingerprint)),
            None => or_empty(&p.fingerprint),
        };
        Self {
            platform: p.platform.clone(),
            status: p.status.clone(),
            kind: p.kind,
            fingerprint,
            baseline: or_empty(&p.baseline),
            benchmarks: or_empty(&p.benchmarks),
            note: or_empty(&p.note),
        }
    }
}

/// A platform column of the terminal's benchmark table: its cells are the change right-aligned
/// in `change` characters, the exact metrics left-aligned in `instr` and `mem` characters, each
/// followed by a space where it is not 0 wide, then the verdict left-aligned in `verdict`
/// characters (0 in the last column, which is not padded); the title is padded to `title`
/// characters.
#[derive(Debug, Serialize)]
struct Column {
    name: String,
    title: usize,
    change: usize,
    instr: usize,
    mem: usize,
    verdict: usize,
}

/// The context of `merged.txt.j2`: the summary's fields, plus
///
/// - `header`, `lines`: [`PlatformLine`]s of the platform table, `pw` its column widths and
///   `platform_rule` its rule;
/// - `rows`: the benchmarks, `id_width` and `layout` (a [`Column`] per platform) the layout of
///   their table, `rule` its rule.
pub(crate) fn text_context(report: &MergedReport) -> Value {
    let summary = summary(report, derived_count_notes(report));
    let header = PlatformLine {
        platform: "platform".to_owned(),
        status: "status".to_owned(),
        kind: "header",
        fingerprint: "fingerprint".to_owned(),
        baseline: "baseline".to_owned(),
        benchmarks: "benchmarks".to_owned(),
        note: "note".to_owned(),
    };
    let lines: Vec<PlatformLine> = summary.platforms.iter().map(PlatformLine::new).collect();
    let max = |cell: fn(&PlatformLine) -> &str| {
        std::iter::once(&header)
            .chain(&lines)
            .map(|l| width(cell(l)))
            .max()
            .unwrap_or(0)
    };
    let pw = [
        max(|l| &l.platform),
        max(|l| &l.status),
        max(|l| &l.fingerprint),
        max(|l| &l.baseline),
        max(|l| &l.benchmarks),
    ];
    let platform_rule = pw
        .iter()
        .copied()
        .chain([max(|l| &l.note)])
        .fold(2 * 5, usize::saturating_add);

    let mut rows = rows(report);
    let footnotes = number_footnotes(&mut rows);
    let mut layout: Vec<Column> = summary
        .columns
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let widest = |cell: fn(&CellView) -> &str| {
                rows.iter()
                    .map(|r| width(cell(&r.cells[i])))
                    .max()
                    .unwrap_or(0)
            };
            let change = widest(|c| &c.change);
            let instr = widest(|c| &c.instr_short);
            let mem = widest(|c| &c.mem_short);
            // Each part but the verdict is followed by a space, where it has any width.
            let parts = [change, instr, mem]
                .into_iter()
                .filter(|&w| w > 0)
                .fold(0, |sum: usize, w| sum.saturating_add(w + 1));
            let title = width(name).max(parts.saturating_add(widest(|c| &c.verdict)));
            Column {
                name: name.clone(),
                title,
                change,
                instr,
                mem,
                verdict: title - parts,
            }
        })
        .collect();
    let id_width = std::iter::once("benchmark")
        .chain(rows.iter().map(|r| r.id.as_str()))
        .map(width)
        .max()
        .unwrap_or(0);
    let rule = layout
        .iter()
        .map(|c| c.title + 2)
        .fold(id_width, usize::saturating_add);
    // Nothing is padded at the end of a line.
    if let Some(last) = layout.last_mut() {
        last.title = 0;
        last.verdict = 0;
    }
    minijinja::context! {
        ..Value::from_serialize(&summary),
        ..minijinja::context! {
            header,
            lines,
            pw,
            platform_rule => "-".repeat(platform_rule),
            // Padded even without a platform column (only an inconsistent report has rows then),
            // so that no row is an empty line.
            id_width,
            layout,
            rows,
            rule => "-".repeat(rule),
            footnotes,
            readings => readings(report),
        }
    }
}

/// The Markdown lists at most this many benchmarks whose metrics disagree.
const MARKDOWN_READINGS: usize = 20;

/// Every cell whose wall time and instructions disagree, in benchmark then column order.
fn readings(report: &MergedReport) -> Vec<crate::view::Reading> {
    report
        .benchmarks
        .iter()
        .flat_map(|row| {
            row.cells.iter().enumerate().filter_map(|(column, cell)| {
                let d = cell.as_ref()?.disagreement()?;
                Some(crate::view::Reading {
                    id: printable(&row.id),
                    platform: report
                        .columns
                        .get(column)
                        .map(|p| printable(p))
                        .unwrap_or_default(),
                    text: d.explain(),
                })
            })
        })
        .collect()
}

/// The benchmarks the Markdown lists (see [`MARKDOWN_ALL_ROWS`]) and the rest of its context.
#[derive(Debug)]
pub(crate) struct MarkdownView {
    summary: Value,
    rows: Vec<BenchView>,
    /// The first [`MARKDOWN_FOOTNOTES`] footnotes of the rows, and how many more there are.
    footnotes: Vec<Footnote>,
    more_footnotes: usize,
    /// How many benchmarks unchanged everywhere are left out.
    omitted: usize,
    /// Whether the rows are sorted worst first (else they are in id order).
    worst_first: bool,
    /// The first [`MARKDOWN_READINGS`] cells whose metrics disagree, and how many more there are.
    readings: Vec<crate::view::Reading>,
    more_readings: usize,
}

impl MarkdownView {
    pub(crate) fn new(report: &MergedReport) -> Self {
        let mut rows = rows(report);
        let mut omitted = 0;
        let worst_first = rows.len() > MARKDOWN_ALL_ROWS;
        if worst_first {
            let before = rows.len();
            rows.retain(|r| !r.unchanged);
            omitted = before - rows.len();
            // Stable: equally bad rows stay in id order.
            rows.sort_by_key(|r| std::cmp::Reverse(r.severity));
        }
        let mut footnotes = number_footnotes(&mut rows);
        let more_footnotes = footnotes.len().saturating_sub(MARKDOWN_FOOTNOTES);
        footnotes.truncate(MARKDOWN_FOOTNOTES);
        for f in &mut footnotes {
            f.reason = chart::shorten(&f.reason, MARKDOWN_REASON_CHARS);
        }
        let mut readings = readings(report);
        let more_readings = readings.len().saturating_sub(MARKDOWN_READINGS);
        readings.truncate(MARKDOWN_READINGS);
        Self {
            summary: Value::from_serialize(summary(report, derived_count_notes(report))),
            rows,
            footnotes,
            more_footnotes,
            omitted,
            worst_first,
            readings,
            more_readings,
        }
    }

    /// The rows the Markdown would list with no limit on its size.
    pub(crate) fn rows(&self) -> &[BenchView] {
        &self.rows
    }

    /// The context of `merged.md.j2` listing the first `shown` rows: the summary's fields, plus
    /// `rows`, `listed` (their number), `worst_first`, `omitted` (unchanged everywhere, left out),
    /// `cut` (left out to keep the size limit), and `footnotes` with `more_footnotes` (left out).
    pub(crate) fn context(&self, shown: usize) -> Value {
        let shown = shown.min(self.rows.len());
        minijinja::context! {
            ..self.summary.clone(),
            ..minijinja::context! {
                rows => &self.rows[..shown],
                listed => shown,
                worst_first => self.worst_first,
                omitted => self.omitted,
                cut => self.rows.len() - shown,
                footnotes => &self.footnotes,
                more_footnotes => self.more_footnotes,
                readings => &self.readings,
                more_readings => self.more_readings,
            }
        }
    }
}

/// The context of `merged.html.j2`: the summary's fields, every benchmark as `rows` with the
/// `footnotes` of their unavailable metrics, and the [`chart::Chart`] of the largest changes as
/// `chart`. `single` is the report a merge of one platform was made of: its count baseline is
/// shown as it was chosen (a merged report only knows which platforms found none).
pub(crate) fn html_context(report: &MergedReport, single: Option<&Report>) -> Value {
    let count_notes = match single {
        Some(single) => count_note(single).into_iter().collect(),
        None => derived_count_notes(report),
    };
    let mut rows = rows(report);
    let footnotes = number_footnotes(&mut rows);
    minijinja::context! {
        ..Value::from_serialize(summary(report, count_notes)),
        ..minijinja::context! {
            rows,
            footnotes,
            readings => readings(report),
            chart => chart::chart(report),
            max_charted => chart::MAX_CHARTED,
        }
    }
}

/// The context of `report.json.j2`: the merged report as it is.
pub(crate) fn json_context(report: &MergedReport) -> Value {
    minijinja::context! { report => Value::from_serialize(report) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn count_summaries() {
        let c = Counts {
            regressed: 1,
            unchanged: 6,
            ..Counts::default()
        };
        assert_eq!(count_summary(&c), "7: 1 regressed, 6 unchanged");
        assert_eq!(count_summary(&Counts::default()), "0");
    }

    #[test]
    fn rows_get_exactly_one_cell_per_column() {
        let row = MergedRow {
            id: "a\nb".to_owned(),
            cells: vec![None, None, None],
            worst: RowVerdict::Unchanged,
        };
        let view = bench_view(&row, 2);
        assert_eq!(view.cells.len(), 2);
        assert_eq!(view.id, "a\\nb");
        assert_eq!(bench_view(&row, 5).cells.len(), 5);
        assert!(
            view.cells
                .iter()
                .all(|c| c.kind == "none" && c.verdict == EMPTY)
        );
    }
}
