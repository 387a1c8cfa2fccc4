//! The layout of one platform's own report (`templates/platform.txt.j2` and `platform.md.j2`): a
//! line per benchmark with every detail of its comparison — medians, change and interval,
//! p-value, noise floor, minimum detectable effect, the counts — and, for the terminal,
//! the width of each column, since minijinja cannot pad by itself. The report comes as the merge
//! of one (`MergedReport::single`); its one column is laid out from the shared [`view`].
//!
//! [`view`]: crate::view

use minijinja::Value;
use perfmatrix_model::{MergedReport, Reference};
use serde::Serialize;

use crate::counts::CountMetric;
use crate::functions;
use crate::text::{EMPTY, printable, width};
use crate::view::{
    CellView, Overview, PlatformView, failed_benchmarks, number_footnotes, readings, rows,
};

/// One line of the table, every cell already a string.
#[derive(Debug, Serialize)]
struct Line {
    id: String,
    new: String,
    baseline: String,
    change: String,
    interval: String,
    p: String,
    noise: String,
    mde: String,
    /// The counts, each with its footnote marker.
    instructions: String,
    peak_memory: String,
    /// The counts' own verdicts, as the `paint` filter knows them.
    instructions_kind: &'static str,
    peak_memory_kind: &'static str,
    /// The verdict as shown, with the metric that decided it unless that is wall time, and
    /// `(re-measured)` when a second measurement decided it.
    verdict: String,
    /// The verdict as the `paint` filter knows it.
    kind: &'static str,
}

impl Line {
    /// The line of benchmark `id` whose cell is `cell` (its footnotes numbered).
    fn new(id: &str, cell: &CellView) -> Self {
        let or_empty = |s: &str| if s.is_empty() { EMPTY } else { s }.to_owned();
        Self {
            id: id.to_owned(),
            new: cell.new.clone(),
            baseline: cell.base.clone(),
            change: or_empty(&cell.change),
            interval: or_empty(&cell.interval),
            p: cell.p.clone(),
            noise: cell.noise.clone(),
            mde: cell.mde.clone(),
            instructions: cell.instr.marked.clone(),
            peak_memory: cell.mem.marked.clone(),
            instructions_kind: cell.instr.kind,
            peak_memory_kind: cell.mem.kind,
            verdict: if cell.remeasured {
                format!("{} (re-measured)", cell.label)
            } else {
                cell.label.clone()
            },
            kind: cell.kind,
        }
    }
}

/// The width of each padded column, in characters (the verdict is last and not padded).
#[derive(Debug, Serialize)]
struct Widths {
    id: usize,
    new: usize,
    baseline: usize,
    change: usize,
    interval: usize,
    p: usize,
    noise: usize,
    mde: usize,
    instructions: usize,
    peak_memory: usize,
}

impl Widths {
    fn of(header: &Line, lines: &[Line]) -> Self {
        let max = |cell: fn(&Line) -> &str| {
            std::iter::once(header)
                .chain(lines)
                .map(|c| width(cell(c)))
                .max()
                .unwrap_or(0)
        };
        Self {
            id: max(|c| &c.id),
            new: max(|c| &c.new),
            baseline: max(|c| &c.baseline),
            change: max(|c| &c.change),
            interval: max(|c| &c.interval),
            p: max(|c| &c.p),
            noise: max(|c| &c.noise),
            mde: max(|c| &c.mde),
            instructions: max(|c| &c.instructions),
            peak_memory: max(|c| &c.peak_memory),
        }
    }
}

/// The column titles; a paired run's sides are head and base.
fn header(paired: bool) -> Line {
    Line {
        id: "benchmark".to_owned(),
        new: if paired { "head" } else { "new" }.to_owned(),
        baseline: if paired { "base" } else { "baseline" }.to_owned(),
        change: "change".to_owned(),
        interval: "interval".to_owned(),
        p: "p".to_owned(),
        noise: "noise".to_owned(),
        mde: "MDE".to_owned(),
        instructions: CountMetric::Instructions.name().to_owned(),
        peak_memory: CountMetric::PeakMemory.name().to_owned(),
        instructions_kind: "header",
        peak_memory_kind: "header",
        verdict: "verdict".to_owned(),
        kind: "header",
    }
}

/// The context of `platform.txt.j2` and `platform.md.j2`: the [`Overview`]'s fields, plus
///
/// - `platform`: the [`PlatformView`] of the report's platform (its baseline choices, commits);
/// - `header`, `rows`: the [`Line`]s of the column titles and of each benchmark;
/// - `widths`: the [`Widths`] of the columns (the counts' 0 when `counts` is false),
///   `rule`: a line of dashes as wide as the table;
/// - `footnotes`: each distinct reason a count is unavailable, numbered;
/// - `readings`: the benchmarks whose metrics disagree;
/// - `changes`: where the changed benchmarks changed, function by function (the first
///   [`functions::SHORT_FUNCTIONS`] functions of each);
/// - `failed`: the benchmarks that failed (a panic or a hang) and have no verdict.
pub(crate) fn context(report: &MergedReport) -> Value {
    let summary = Overview::new(report);
    let platform = report.platforms.first().map(PlatformView::new);
    let paired = matches!(
        report.platforms.first().and_then(|p| p.reference.as_ref()),
        Some(Reference::BaseCommit { .. })
    );
    let header = header(paired);
    let mut benchmarks = rows(report);
    let footnotes = number_footnotes(&mut benchmarks);
    let lines: Vec<Line> = benchmarks
        .iter()
        .filter_map(|b| b.cells.first().map(|cell| Line::new(&b.id, cell)))
        .collect();
    let mut widths = Widths::of(&header, &lines);
    if !summary.counts {
        widths.instructions = 0;
        widths.peak_memory = 0;
    }
    let verdict_width = std::iter::once(&header)
        .chain(&lines)
        .map(|c| width(&c.verdict))
        .max()
        .unwrap_or(0);
    let columns = [
        widths.id,
        widths.new,
        widths.baseline,
        widths.change,
        widths.interval,
        widths.p,
        widths.noise,
        widths.mde,
        verdict_width,
    ];
    let mut rule = columns.into_iter().fold(2 * 8, usize::saturating_add);
    if summary.counts {
        rule = rule
            .saturating_add(widths.instructions + 2)
            .saturating_add(widths.peak_memory + 2);
    }
    minijinja::context! {
        ..Value::from_serialize(&summary),
        ..minijinja::context! {
            platform,
            header,
            rows => lines,
            widths,
            footnotes,
            readings => readings(report),
            changes => functions::shortened(functions::changes(report, false), functions::SHORT_FUNCTIONS),
            rule => "-".repeat(rule),
            budget => budget(report),
            failed => failed_benchmarks(report).map(|id| printable(id)).collect::<Vec<_>>(),
        }
    }
}

/// A paired run's time budget, as the templates show it: the budget, and the benchmarks it left
/// undecided (every one: the reader of one platform's report wants them all).
#[derive(Debug, Serialize)]
struct BudgetView {
    budget: String,
    limited: Vec<String>,
}

/// The [`BudgetView`] of the report's platform, when its run had a budget.
fn budget(report: &MergedReport) -> Option<BudgetView> {
    let Some(Reference::BaseCommit {
        budget_seconds: Some(seconds),
        ..
    }) = report.platforms.first().and_then(|p| p.reference.as_ref())
    else {
        return None;
    };
    Some(BudgetView {
        budget: perfmatrix_model::TimeBudget::from_seconds(*seconds)
            .map_or_else(|| format!("{seconds}s"), |b| b.to_string()),
        limited: report
            .benchmarks
            .iter()
            .filter(|b| {
                b.cells
                    .first()
                    .and_then(Option::as_ref)
                    .is_some_and(|c| c.paired.as_ref().is_some_and(|p| p.budget_limited))
            })
            .map(|b| printable(&b.id))
            .collect(),
    })
}
