//! The geometry of the HTML page's SVG chart of a merged report: for each charted benchmark a
//! group of lines, one per platform, each with the change's point estimate as a marker and its
//! interval as a whisker, and the exact change of the instruction count as a cross, on a shared
//! percent scale with a zero line.
//!
//! Pure functions from the report to coordinates; `templates/report.html.j2` only draws what is
//! computed here. Every coordinate is finite and rounded to 0.1 ([`coord`]), whatever the report
//! holds (NaN medians, infinite or huge changes): values beyond the scale are drawn at its edge.

use perfmatrix_model::{MergedReport, MergedRow, Row, RowVerdict};
use serde::Serialize;

use crate::counts::verdict_label;
use crate::scale::{Scale, coord};
use crate::text::{EMPTY, printable, shorten};
use crate::units::{format_percent, format_percent_counted};
use crate::view::verdict_names;

/// At most this many benchmarks are charted (the ones with the largest |change|), so that a
/// report of thousands stays a usable page; the tables still list every one.
pub const MAX_CHARTED: usize = 200;

// The layout, in SVG user units (pixels at 100%), left to right: labels, plot, change texts.
const WIDTH: f64 = 1200.0;
const LABEL_RIGHT: f64 = 262.0;
const PLOT_LEFT: f64 = 276.0;
const PLOT_RIGHT: f64 = 756.0;
const TEXT_LEFT: f64 = 768.0;
/// Room for the tick labels above and below the groups.
const AXIS: f64 = 26.0;
/// The height of one platform's line, and the space between two benchmarks' groups.
const LINE: f64 = 14.0;
const GAP: f64 = 8.0;
/// The tick labels are repeated above every this many groups, in a band this high, so that a
/// long chart has its scale in view.
const AXIS_EVERY: usize = 10;
const AXIS_REPEAT: f64 = 18.0;
/// The radius of a marker.
const MARKER: f64 = 4.0;
/// Longer ids are shortened in the label (the full id is the group's tooltip).
const LABEL_CHARS: usize = 38;

/// One colour per platform (Okabe–Ito, with a purple for its hard-to-see yellow); platforms past
/// the eighth repeat the colours with another marker shape.
const PALETTE: [&str; 8] = [
    "#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#6a3d9a", "#000000",
];
const SHAPES: usize = 4;

/// The context of the chart in `report.html.j2`.
#[derive(Debug, Serialize)]
pub(crate) struct Chart {
    width: f64,
    height: f64,
    label_right: f64,
    plot_left: f64,
    plot_right: f64,
    text_left: f64,
    line: f64,
    /// The y of the top and bottom of the plotted area, and of the tick labels.
    top: f64,
    bottom: f64,
    top_label: f64,
    bottom_label: f64,
    /// The y of the tick labels repeated inside the chart.
    axes: Vec<f64>,
    zero: f64,
    ticks: Vec<Tick>,
    legend: Vec<Series>,
    /// The cross of the instructions in the legend, centred at (8, 8), when some line has one.
    instructions: Option<String>,
    groups: Vec<Group>,
    /// How many benchmarks are charted, and how many have a change on some platform.
    pub(crate) charted: usize,
    pub(crate) with_change: usize,
    /// Whether some value lies beyond the scale and is drawn at its edge.
    clipped: bool,
    /// The ends of the scale, as labelled.
    low: String,
    high: String,
}

#[derive(Debug, Serialize)]
struct Tick {
    x: f64,
    label: String,
}

/// A platform of the legend: its name, colour and a marker centred at (8, 8).
#[derive(Debug, Serialize)]
struct Series {
    name: String,
    colour: &'static str,
    marker: String,
}

#[derive(Debug, Serialize)]
struct Group {
    top: f64,
    height: f64,
    /// The y of the label's baseline.
    label_y: f64,
    label: String,
    id: String,
    /// The row's worst verdict, as a CSS class.
    worst: &'static str,
    stripe: bool,
    lines: Vec<Line>,
}

/// One platform's line in a group.
#[derive(Debug, Serialize)]
struct Line {
    top: f64,
    y: f64,
    text_y: f64,
    /// The verdict as a CSS class (`none` where the platform did not measure the benchmark).
    kind: &'static str,
    colour: &'static str,
    whisker: Option<Whisker>,
    /// The marker's SVG path.
    marker: Option<String>,
    /// The cross at the instruction count's change, an SVG path to stroke.
    instructions: Option<String>,
    text: String,
}

#[derive(Debug, Serialize)]
struct Whisker {
    from: f64,
    to: f64,
}

/// The SVG path of platform `index`'s marker centred at (`x`, `y`): a circle, square, diamond or
/// triangle, by which eighth of the platforms it is in.
pub(crate) fn marker_path(index: usize, x: f64, y: f64) -> String {
    let r = MARKER;
    let (x, y) = (coord(x), coord(y));
    match (index / PALETTE.len()) % SHAPES {
        0 => format!(
            "M{},{y}a{r},{r} 0 1,0 {},0a{r},{r} 0 1,0 -{},0Z",
            coord(x - r),
            2.0 * r,
            2.0 * r
        ),
        1 => format!(
            "M{},{}h{}v{}h-{}Z",
            coord(x - r),
            coord(y - r),
            2.0 * r,
            2.0 * r,
            2.0 * r
        ),
        2 => format!("M{x},{}l{r},{r}l-{r},{r}l-{r},-{r}Z", coord(y - r)),
        _ => format!("M{x},{}l{r},{}h-{}Z", coord(y - r), 2.0 * r, 2.0 * r),
    }
}

/// The SVG path of a cross (×) centred at (`x`, `y`), to stroke: the marker of an exact change.
pub(crate) fn cross_path(x: f64, y: f64) -> String {
    let r = MARKER;
    let (x, y) = (coord(x), coord(y));
    format!(
        "M{},{}L{},{}M{},{}L{},{}",
        coord(x - r),
        coord(y - r),
        coord(x + r),
        coord(y + r),
        coord(x - r),
        coord(y + r),
        coord(x + r),
        coord(y - r)
    )
}

/// The exact change of `cell`'s instruction count, if it was compared.
fn instruction_change(cell: &Row) -> Option<f64> {
    cell.instructions.as_ref().and_then(|e| e.change)
}

/// The changes `cell` charts: its time change's estimate, then its instruction count's.
fn estimates(cell: &Row) -> impl Iterator<Item = f64> {
    cell.change
        .map(|c| c.estimate())
        .into_iter()
        .chain(instruction_change(cell))
}

/// The rows to chart: those with a change (of time or instructions) on some platform, at most
/// `limit` of them (the largest |change| on any platform first), in the report's order. Also
/// gives how many have a change. `O(n log n)` in the number of rows.
pub(crate) fn select(rows: &[MergedRow], limit: usize) -> (Vec<usize>, usize) {
    let mut charted: Vec<(usize, f64)> = rows
        .iter()
        .enumerate()
        .filter_map(|(i, row)| {
            row.cells
                .iter()
                .flatten()
                .flat_map(estimates)
                .map(f64::abs)
                .filter(|m| !m.is_nan())
                .reduce(f64::max)
                .map(|m| (i, m))
        })
        .collect();
    let with_change = charted.len();
    if charted.len() > limit {
        charted.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        charted.truncate(limit);
    }
    let mut indices: Vec<usize> = charted.into_iter().map(|(i, _)| i).collect();
    indices.sort_unstable();
    (indices, with_change)
}

/// The line of `cell`, platform `column`'s, whose top is at `top`; and whether a value of its
/// change lies beyond the scale.
fn line(cell: Option<&Row>, column: usize, top: f64, scale: &Scale) -> (Line, bool) {
    let y = top + LINE / 2.0;
    let mut line = Line {
        top: coord(top),
        y: coord(y),
        text_y: coord(y + 4.0),
        kind: "none",
        colour: PALETTE[column % PALETTE.len()],
        whisker: None,
        marker: None,
        instructions: None,
        text: EMPTY.to_owned(),
    };
    let Some(cell) = cell else {
        return (line, false);
    };
    let name = verdict_label(cell.verdict, cell.decided_by);
    let star = if cell.remeasured { "*" } else { "" };
    line.kind = verdict_names(cell.verdict).1;
    let mut text = format!("{name}{star}");
    let mut clipped = false;
    if let Some(change) = cell.change {
        line.whisker = Some(Whisker {
            from: scale.x(change.lower()),
            to: scale.x(change.upper()),
        });
        line.marker = Some(marker_path(column, scale.x(change.estimate()), y));
        text = format!("{} {text}", format_percent(change.estimate()));
        clipped = [change.lower(), change.estimate(), change.upper()]
            .into_iter()
            .any(|v| scale.clips(v));
    }
    if let Some(change) = instruction_change(cell) {
        line.instructions = Some(cross_path(scale.x(change), y));
        text = format!("{text} · instr {}", format_percent_counted(change));
        clipped |= scale.clips(change);
    }
    // Peak memory is not drawn (its gate is a factor, not a few percent), but where it warns or
    // regresses the text says by how much.
    let memory = cell
        .peak_memory
        .as_ref()
        .filter(|m| matches!(m.verdict, RowVerdict::Warning | RowVerdict::Regressed))
        .and_then(|m| m.change);
    if let Some(change) = memory {
        text = format!("{text} · mem {}", format_percent_counted(change));
    }
    line.text = text;
    (line, clipped)
}

/// The chart of `report`'s benchmarks, at most [`MAX_CHARTED`] of them.
pub(crate) fn chart(report: &MergedReport) -> Chart {
    let (indices, with_change) = select(&report.benchmarks, MAX_CHARTED);
    let rows: Vec<&MergedRow> = indices.iter().map(|&i| &report.benchmarks[i]).collect();
    let cells = || rows.iter().flat_map(|row| row.cells.iter().flatten());
    let scale = Scale::fit(
        cells()
            .filter_map(|c| c.change)
            .flat_map(|c| [c.lower(), c.estimate(), c.upper()])
            .chain(cells().filter_map(instruction_change)),
        PLOT_LEFT,
        PLOT_RIGHT,
    );
    let instructions = cells()
        .any(|c| instruction_change(c).is_some())
        .then(|| cross_path(8.0, 8.0));
    let platforms = report.columns.len();
    let group_height = platforms as f64 * LINE;
    let mut clipped = false;
    let mut groups = Vec::with_capacity(rows.len());
    let mut top = AXIS;
    let mut axes = Vec::new();
    for (n, row) in rows.iter().enumerate() {
        if n > 0 && n % AXIS_EVERY == 0 {
            // The baseline of 11px text in the middle of the band between two groups.
            axes.push(coord(top - GAP / 2.0 + AXIS_REPEAT / 2.0 + 4.0));
            top += AXIS_REPEAT;
        }
        let lines = (0..platforms)
            .map(|column| {
                let cell = row.cells.get(column).and_then(Option::as_ref);
                let (line, beyond) = line(cell, column, top + column as f64 * LINE, &scale);
                clipped |= beyond;
                line
            })
            .collect();
        let id = printable(&row.id);
        groups.push(Group {
            top: coord(top - GAP / 2.0),
            height: coord(group_height + GAP),
            label_y: coord(top + group_height / 2.0 + 4.0),
            label: shorten(&id, LABEL_CHARS),
            id,
            worst: verdict_names(row.worst).1,
            stripe: n % 2 == 1,
            lines,
        });
        top += group_height + GAP;
    }
    let bottom = top - GAP;
    let legend = report
        .columns
        .iter()
        .enumerate()
        .map(|(i, name)| Series {
            name: printable(name),
            colour: PALETTE[i % PALETTE.len()],
            marker: marker_path(i, 8.0, 8.0),
        })
        .collect();
    Chart {
        width: WIDTH,
        height: coord(bottom + AXIS),
        label_right: LABEL_RIGHT,
        plot_left: PLOT_LEFT,
        plot_right: PLOT_RIGHT,
        text_left: TEXT_LEFT,
        line: LINE,
        top: coord(AXIS - GAP / 2.0),
        bottom: coord(bottom + GAP / 2.0),
        top_label: coord(AXIS - GAP / 2.0 - 6.0),
        bottom_label: coord(bottom + GAP / 2.0 + 15.0),
        axes,
        zero: scale.x(0.0),
        ticks: scale
            .ticks()
            .into_iter()
            .map(|v| Tick {
                x: scale.x(v),
                label: scale.label(v),
            })
            .collect(),
        legend,
        instructions,
        groups,
        charted: rows.len(),
        with_change,
        clipped,
        low: scale.label(scale.ends().0),
        high: scale.label(scale.ends().1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use perfmatrix_stats::Interval;

    fn cell(lower: f64, estimate: f64, upper: f64) -> Row {
        Row {
            change: Some(Interval::new(lower, estimate, upper).unwrap()),
            ..Row::bare(
                perfmatrix_model::BenchmarkId::new("cell").unwrap(),
                RowVerdict::Unchanged,
            )
        }
    }

    fn row(id: &str, cells: Vec<Option<Row>>) -> MergedRow {
        MergedRow {
            id: perfmatrix_model::BenchmarkId::new(id).unwrap(),
            cells,
            worst: RowVerdict::Unchanged,
        }
    }

    #[test]
    fn markers_are_paths_of_finite_numbers() {
        for index in 0..40 {
            for (x, y) in [(1.0, 2.0), (f64::NAN, f64::INFINITY), (1e300, -1e300)] {
                let path = marker_path(index, x, y);
                assert!(path.starts_with('M') && path.ends_with('Z'), "{path}");
                assert!(!path.contains("NaN") && !path.contains("inf"), "{path}");
            }
        }
        assert_ne!(marker_path(0, 8.0, 8.0), marker_path(8, 8.0, 8.0));
    }

    #[test]
    fn selection_keeps_the_largest_changes_in_report_order() {
        let rows = vec![
            row("a", vec![Some(cell(0.0, 0.01, 0.02)), None]),
            row("b", vec![None, None]),
            row(
                "c",
                vec![Some(cell(-0.5, -0.4, -0.3)), Some(cell(0.0, 0.0, 0.0))],
            ),
            row("d", vec![None, Some(cell(0.1, 0.2, f64::INFINITY))]),
            row("e", vec![Some(cell(0.0, 0.05, 0.1)), None]),
        ];
        assert_eq!(select(&rows, 10), (vec![0, 2, 3, 4], 4));
        assert_eq!(select(&rows, 2), (vec![2, 3], 4));
        assert_eq!(select(&rows, 0), (vec![], 4));
    }
}
