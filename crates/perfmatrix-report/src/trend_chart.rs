//! The geometry of a history page's SVG chart of one benchmark: its time medians over commits as
//! a line with their interval shaded, its instruction counts as a second, smaller panel when it
//! has any, vertical markers where the machine class changes, and its change points marked and
//! labelled (`+3.1% at abc1234`).
//!
//! Pure functions from a [`Series`] to coordinates; `templates/history_platform.html.j2` only
//! draws what is computed here. Long series are downsampled to at most [`MAX_DRAWN`] buckets
//! (the minimum and maximum of each are drawn, so no spike is lost), and every coordinate is
//! finite and rounded to 0.1 ([`coord`]) whatever the series holds: one point, all values equal,
//! NaN, infinities.

use std::fmt::Write as _;

use perfmatrix_history::{ChangePointFound, PlatformTrend, Point, Series, Signal};
use perfmatrix_model::short_commit;
use serde::Serialize;

use crate::scale::{coord, nice_step};
use crate::text::{printable, shorten};
use crate::units::{format_count, format_duration_ns, format_percent, format_percent_counted};

/// At most this many buckets of points are drawn per chart.
pub(crate) const MAX_DRAWN: usize = 500;

// The layout, in SVG user units (pixels at 100%).
const WIDTH: f64 = 1160.0;
const PLOT_LEFT: f64 = 84.0;
const PLOT_RIGHT: f64 = 1140.0;
/// The labels of class changes and change points sit in lanes above the plots.
const LANES: usize = 3;
const LANE: f64 = 15.0;
const BAND_TOP: f64 = 4.0;
const TIME_HEIGHT: f64 = 190.0;
const INSTRUCTIONS_HEIGHT: f64 = 80.0;
const PAIRED_HEIGHT: f64 = 80.0;
const PANEL_GAP: f64 = 16.0;
/// The width of a character of 11px text, estimated (labels are laid out without a font).
const CHAR_WIDTH: f64 = 6.3;
/// About this many ticks on an axis.
const Y_TICKS: f64 = 4.0;
const X_TICKS: usize = 7;
/// Series with at most this many drawn points also get a dot per point.
const DOTS: usize = 60;
/// Labels are cut to this many characters (the marker's tooltip has all of it).
const LABEL_CHARS: usize = 40;

/// The context of one chart.
#[derive(Debug, Serialize)]
pub(crate) struct TrendChart {
    width: f64,
    height: f64,
    plot_left: f64,
    plot_right: f64,
    time: Panel,
    instructions: Option<Panel>,
    /// A paired run's change against its parent, with its interval, where the series has any.
    paired: Option<Panel>,
    x_ticks: Vec<XTick>,
    classes: Vec<Mark>,
    changes: Vec<Mark>,
    drifts: Vec<Drift>,
    /// A line under the axis saying how the points were downsampled, if they were.
    note: Option<String>,
    note_y: f64,
    /// A one-line description for screen readers.
    label: String,
}

/// One plot: the line (an SVG path, broken where a point has no value), its interval band,
/// dots at the points of short series, and its y ticks.
#[derive(Debug, Serialize)]
struct Panel {
    top: f64,
    bottom: f64,
    height: f64,
    /// The y of the middle, for the rotated axis title.
    middle: f64,
    title: &'static str,
    line: String,
    band: Option<String>,
    dots: Vec<Dot>,
    ticks: Vec<YTick>,
}

#[derive(Debug, Serialize)]
struct Dot {
    x: f64,
    y: f64,
}

#[derive(Debug, Serialize)]
struct YTick {
    y: f64,
    label: String,
}

#[derive(Debug, Serialize)]
struct XTick {
    x: f64,
    anchor: &'static str,
    commit: String,
    day: String,
    commit_y: f64,
    day_y: f64,
}

/// A vertical marker: a class change, or a change point with its dot on the line.
#[derive(Debug, Serialize)]
struct Mark {
    x: f64,
    /// From the label's lane (or the plot's top) down to the bottom of the last panel.
    top: f64,
    bottom: f64,
    /// `class`, or `up` / `down` for a change point's direction.
    kind: &'static str,
    /// The change point's dot, when the signal's panel has a value at its index.
    dot: Option<Dot>,
    label: Option<Label>,
    /// The full label, as the tooltip.
    title: String,
}

#[derive(Debug, Serialize)]
struct Label {
    x: f64,
    y: f64,
    anchor: &'static str,
    text: String,
}

/// A drift's span, shaded over the time panel.
#[derive(Debug, Serialize)]
struct Drift {
    x: f64,
    width: f64,
    top: f64,
    height: f64,
}

/// A linear map from values to y, over a domain that ends on ticks.
#[derive(Debug, Clone, Copy)]
struct YScale {
    low: f64,
    high: f64,
    step: f64,
    top: f64,
    bottom: f64,
}

impl YScale {
    /// The scale that shows the finite `values` (at least a small span around them: one value,
    /// or all equal, still gives a scale), drawn from y = `bottom` up to `top`.
    fn fit(values: impl IntoIterator<Item = f64>, top: f64, bottom: f64) -> Self {
        let (mut min, mut max) = (f64::INFINITY, f64::NEG_INFINITY);
        for v in values.into_iter().filter(|v| v.is_finite()) {
            min = min.min(v);
            max = max.max(v);
        }
        if min > max {
            (min, max) = (0.0, 1.0);
        }
        let span = max - min;
        let magnitude = min.abs().max(max.abs());
        let (low, high) = if !span.is_finite() || span <= magnitude * 1e-9 {
            let pad = if magnitude > 0.0 {
                magnitude * 0.01
            } else {
                1.0
            };
            (min - pad, max + pad)
        } else {
            (min - span * 0.05, max + span * 0.05)
        };
        // Times and counts are positive: the scale does not go below zero for them.
        let low = if min >= 0.0 { low.max(0.0) } else { low };
        let step = nice_step((high - low) / Y_TICKS);
        let (mut low, mut high) = ((low / step).floor() * step, (high / step).ceil() * step);
        if !(low.is_finite() && high.is_finite() && high > low) {
            (low, high) = (min, min + 1.0);
        }
        Self {
            low,
            high,
            step,
            top,
            bottom,
        }
    }

    fn y(&self, value: f64) -> f64 {
        let t = (value.clamp(self.low, self.high) - self.low) / (self.high - self.low);
        coord(self.bottom - t * (self.bottom - self.top))
    }

    /// The tick values, every `step` from `low` to `high` (at most a dozen).
    fn ticks(&self) -> Vec<f64> {
        let first = (self.low / self.step).round();
        let last = (self.high / self.step).round();
        let n = (last - first).clamp(0.0, 12.0) as usize;
        (0..=n).map(|i| (first + i as f64) * self.step).collect()
    }
}

/// A tick label for a duration: in the unit of the largest tick, with the decimals the step
/// needs (`1.005 µs`, not three ticks of `1.00 µs`).
fn duration_tick(ns: f64, step: f64, largest: f64) -> String {
    const UNITS: [(f64, &str); 4] = [(1.0, "ns"), (1e3, "µs"), (1e6, "ms"), (1e9, "s")];
    if ns == 0.0 {
        return "0".to_owned();
    }
    let (scale, symbol) = unit_for(largest, &UNITS);
    let value = ns / scale;
    if value.abs() >= 1e6 || !value.is_finite() {
        return format_duration_ns(ns);
    }
    format!("{value:.prec$} {symbol}", prec = decimals(step / scale))
}

/// The largest of `units` (ascending `(scale, symbol)`) that `largest` reaches, else the first.
fn unit_for(largest: f64, units: &[(f64, &'static str)]) -> (f64, &'static str) {
    units
        .iter()
        .rev()
        .find(|(scale, _)| largest.abs() >= *scale)
        .copied()
        .unwrap_or(units[0])
}

/// A tick label for a count: with separators below a hundred thousand, else in k/M/G/T with the
/// decimals the step needs.
fn count_tick(n: f64, step: f64, largest: f64) -> String {
    const UNITS: [(f64, &str); 4] = [(1e3, "k"), (1e6, "M"), (1e9, "G"), (1e12, "T")];
    if !n.is_finite() {
        return format_duration_ns(n).replace(" ns", "");
    }
    if largest.abs() < 1e5 {
        if step >= 1.0 {
            return format_count(n.round().max(0.0) as u64);
        }
        return format!("{n:.prec$}", prec = decimals(step));
    }
    let (scale, symbol) = unit_for(largest, &UNITS);
    let value = n / scale;
    if value.abs() >= 1e6 {
        return format!("{n:.2e}");
    }
    format!("{value:.prec$}{symbol}", prec = decimals(step / scale))
}

/// The decimals that show every multiple of `step` exactly (`0.025` → 3), at most 6.
fn decimals(step: f64) -> usize {
    if !(step.is_finite() && step > 0.0) {
        return 0;
    }
    (0..6)
        .find(|&d| {
            let scaled = step * 10f64.powi(d as i32);
            (scaled - scaled.round()).abs() <= scaled * 1e-9
        })
        .unwrap_or(6)
}

/// The x of point `index` of `n`.
fn x_of(index: usize, n: usize) -> f64 {
    if n <= 1 {
        return coord(f64::midpoint(PLOT_LEFT, PLOT_RIGHT));
    }
    let t = index.min(n - 1) as f64 / (n - 1) as f64;
    coord(PLOT_LEFT + t * (PLOT_RIGHT - PLOT_LEFT))
}

/// Appends `{command}{x},{y}` to a path, for coordinates already rounded to tenths
/// ([`coord`]), written as `{}` writes them (`12`, `12.5`, `-0.5`) but without the general
/// float formatting, which is most of a page's rendering time when there are many charts.
fn push_vertex(path: &mut String, command: char, x: f64, y: f64) {
    path.push(command);
    push_tenths(path, x);
    path.push(',');
    push_tenths(path, y);
}

fn push_tenths(out: &mut String, value: f64) {
    // `coord` keeps every value within ±1e6, so tenths fit an i64 exactly.
    let tenths = (value * 10.0).round() as i64;
    if tenths < 0 {
        out.push('-');
    }
    let tenths = tenths.unsigned_abs();
    let _ = write!(out, "{}", tenths / 10);
    if !tenths.is_multiple_of(10) {
        out.push('.');
        out.push(char::from(b'0' + (tenths % 10) as u8));
    }
}

/// The points `0..n` in at most [`MAX_DRAWN`] buckets of consecutive indices.
fn buckets(n: usize) -> impl Iterator<Item = std::ops::Range<usize>> {
    let size = n.div_ceil(MAX_DRAWN).max(1);
    (0..n.div_ceil(size)).map(move |b| b * size..((b + 1) * size).min(n))
}

/// The line through `values` (index → value, `None` or non-finite for no value) downsampled to
/// buckets: each bucket's minimum and maximum in the order they occur, so a spike stays
/// visible. A bucket with no value breaks the line.
fn line_path(n: usize, value: impl Fn(usize) -> Option<f64>, scale: &YScale) -> String {
    let mut path = String::new();
    let mut pen_down = false;
    for bucket in buckets(n) {
        let mut lowest: Option<(usize, f64)> = None;
        let mut highest: Option<(usize, f64)> = None;
        for i in bucket.clone() {
            let Some(v) = value(i).filter(|v| v.is_finite()) else {
                continue;
            };
            if lowest.is_none_or(|(_, l)| v < l) {
                lowest = Some((i, v));
            }
            if highest.is_none_or(|(_, h)| v > h) {
                highest = Some((i, v));
            }
        }
        let (Some(lo), Some(hi)) = (lowest, highest) else {
            pen_down = false;
            continue;
        };
        let mut vertices = vec![lo, hi];
        vertices.sort_by_key(|&(i, _)| i);
        vertices.dedup_by_key(|&mut (i, _)| i);
        let single = bucket.len() == 1;
        for (i, v) in vertices {
            // A bucket's vertices share its middle's x, so a bucket is one vertical stroke.
            let x = if single {
                x_of(i, n)
            } else {
                x_of(bucket.start + bucket.len() / 2, n)
            };
            let command = if pen_down { 'L' } else { 'M' };
            push_vertex(&mut path, command, x, scale.y(v));
            pen_down = true;
        }
    }
    path
}

/// The shaded band from each bucket's lowest lower bound to its highest upper bound
/// (`bounds(i)`: `(lower, upper)`, `None` for no interval); `None` when no point has a finite
/// interval. A single bucket is drawn a few pixels wide.
fn band_path(
    n: usize,
    bounds: impl Fn(usize) -> Option<(f64, f64)>,
    scale: &YScale,
) -> Option<String> {
    let mut upper = Vec::new();
    let mut lower = Vec::new();
    for bucket in buckets(n) {
        let finite = bucket
            .clone()
            .filter_map(&bounds)
            .filter(|(lo, hi)| lo.is_finite() && hi.is_finite());
        let (lo, hi) = finite.fold(
            (None, None),
            |(lo, hi): (Option<f64>, Option<f64>), (l, h)| {
                (
                    Some(lo.map_or(l, |x| x.min(l))),
                    Some(hi.map_or(h, |x| x.max(h))),
                )
            },
        );
        if let (Some(hi), Some(lo)) = (hi, lo) {
            let x = x_of(bucket.start + bucket.len() / 2, n);
            upper.push((x, scale.y(hi)));
            lower.push((x, scale.y(lo)));
        }
    }
    if upper.is_empty() {
        return None;
    }
    if upper.len() == 1 {
        let ((x, hi), (_, lo)) = (upper[0], lower[0]);
        return Some(format!(
            "M{},{hi}H{}V{lo}H{}Z",
            coord(x - 4.0),
            coord(x + 4.0),
            coord(x - 4.0)
        ));
    }
    let mut path = String::new();
    for (k, &(x, y)) in upper.iter().enumerate() {
        push_vertex(&mut path, if k == 0 { 'M' } else { 'L' }, x, y);
    }
    for &(x, y) in lower.iter().rev() {
        push_vertex(&mut path, 'L', x, y);
    }
    path.push('Z');
    Some(path)
}

/// Lays labels out in [`LANES`] lanes, left to right: each goes into the first lane whose last
/// label ends before it starts; a label that fits in none is left out (its marker keeps the
/// tooltip).
#[derive(Debug)]
struct Lanes {
    ends: [f64; LANES],
}

impl Lanes {
    fn new() -> Self {
        Self {
            ends: [f64::NEG_INFINITY; LANES],
        }
    }

    /// The label of `text` for a marker at `x`, in a free lane, or `None`.
    fn place(&mut self, x: f64, text: &str) -> Option<Label> {
        let width = text.chars().count() as f64 * CHAR_WIDTH;
        // Left-aligned at the marker, or right-aligned where it would run off the plot.
        let (start, anchor, label_x) = if x + 3.0 + width <= WIDTH {
            (x, "start", x + 3.0)
        } else {
            (x - width - 3.0, "end", x - 3.0)
        };
        let lane = self.ends.iter().position(|&end| end + 6.0 <= start)?;
        self.ends[lane] = start + width + 3.0;
        Some(Label {
            x: coord(label_x),
            y: coord(lane_baseline(lane)),
            anchor,
            text: text.to_owned(),
        })
    }
}

fn lane_baseline(lane: usize) -> f64 {
    BAND_TOP + (lane + 1) as f64 * LANE - 4.0
}

/// A change point's size as shown: exact for instruction counts, to a tenth of a percent
/// otherwise.
pub(crate) fn change_text(c: &ChangePointFound) -> String {
    match c.signal {
        Signal::Instructions => format_percent_counted(c.change),
        _ => format_percent(c.change),
    }
}

/// A change point's label: `+3.1% at abc1234`, with the signal unless it is time.
pub(crate) fn change_label(c: &ChangePointFound) -> String {
    let signal = match c.signal {
        Signal::Time => String::new(),
        other => format!(" ({})", other.as_str()),
    };
    format!(
        "{}{signal} at {}",
        change_text(c),
        printable(short_commit(&c.commit))
    )
}

/// The day of an ISO 8601 date (`2024-05-01T12:00:00+02:00` → `2024-05-01`), the date as it is
/// when it does not start with one, and `—` when it is empty.
pub(crate) fn day(date: &str) -> String {
    let b = date.as_bytes();
    let is_day = b.len() >= 10
        && b[4] == b'-'
        && b[7] == b'-'
        && [0, 1, 2, 3, 5, 6, 8, 9]
            .iter()
            .all(|&i| b[i].is_ascii_digit());
    if is_day {
        date[..10].to_owned()
    } else if date.is_empty() {
        crate::text::EMPTY.to_owned()
    } else {
        printable(date)
    }
}

/// The chart of `series` of `platform` (whose classes and runs its points index).
#[allow(
    clippy::too_many_lines,
    reason = "one layout from top to bottom: the panels, the marks in their lanes, the axis"
)]
pub(crate) fn chart(series: &Series, platform: &PlatformTrend) -> TrendChart {
    let points = &series.points;
    let classes = &platform.classes;
    let run = |i: usize| platform.runs.get(points[i].run as usize);
    let commit_of = |i: usize| run(i).map_or("", |r| r.commit.as_str());
    let n = points.len();
    let with_instructions = points.iter().any(|p| p.instructions.is_some());
    let time_top = BAND_TOP + LANES as f64 * LANE + 4.0;
    let time_bottom = time_top + TIME_HEIGHT;
    let time_scale = YScale::fit(
        points
            .iter()
            .flat_map(|p| [p.time.lower_ns, p.time.median_ns, p.time.upper_ns]),
        time_top,
        time_bottom,
    );
    let drawn = buckets(n).count();
    let panel =
        |title, scale: &YScale, line: String, band, dots, label: &dyn Fn(f64) -> String| Panel {
            top: coord(scale.top),
            bottom: coord(scale.bottom),
            height: coord(scale.bottom - scale.top),
            middle: coord(f64::midpoint(scale.top, scale.bottom)),
            title,
            line,
            band,
            dots,
            ticks: scale
                .ticks()
                .into_iter()
                .map(|v| YTick {
                    y: scale.y(v),
                    label: label(v),
                })
                .collect(),
        };
    let dots = |value: &dyn Fn(&Point) -> Option<f64>, scale: &YScale| {
        if drawn > DOTS || n > DOTS {
            return Vec::new();
        }
        points
            .iter()
            .enumerate()
            .filter_map(|(i, p)| {
                value(p).filter(|v| v.is_finite()).map(|v| Dot {
                    x: x_of(i, n),
                    y: scale.y(v),
                })
            })
            .collect()
    };
    let median = |p: &Point| Some(p.time.median_ns);
    let largest_time = time_scale.high.abs().max(time_scale.low.abs());
    let time = panel(
        "median time",
        &time_scale,
        line_path(n, |i| Some(points[i].time.median_ns), &time_scale),
        band_path(
            n,
            |i| Some((points[i].time.lower_ns, points[i].time.upper_ns)),
            &time_scale,
        ),
        dots(&median, &time_scale),
        &|v| duration_tick(v, time_scale.step, largest_time),
    );
    let instructions_scale = with_instructions.then(|| {
        let top = time_bottom + PANEL_GAP;
        YScale::fit(
            points
                .iter()
                .filter_map(|p| p.instructions.map(|i| i as f64)),
            top,
            top + INSTRUCTIONS_HEIGHT,
        )
    });
    let count = |p: &Point| p.instructions.map(|i| i as f64);
    let instructions = instructions_scale.as_ref().map(|scale| {
        let largest = scale.high.abs().max(scale.low.abs());
        panel(
            "instructions",
            scale,
            line_path(n, |i| points[i].instructions.map(|c| c as f64), scale),
            None,
            dots(&count, scale),
            &|v| count_tick(v, scale.step, largest),
        )
    });
    let instructions_bottom = instructions_scale.map_or(time_bottom, |s| s.bottom);
    // Paired runs: the change against the parent, around 0, with its interval.
    let paired_scale = points.iter().any(|p| p.change.is_some()).then(|| {
        let top = instructions_bottom + PANEL_GAP;
        YScale::fit(
            points
                .iter()
                .filter_map(|p| p.change)
                .flat_map(|c| [c.lower, c.estimate, c.upper])
                .chain([0.0]),
            top,
            top + PAIRED_HEIGHT,
        )
    });
    let change_of = |p: &Point| p.change.map(|c| c.estimate);
    let paired = paired_scale.as_ref().map(|scale| {
        panel(
            "vs parent",
            scale,
            line_path(n, |i| change_of(&points[i]), scale),
            band_path(n, |i| points[i].change.map(|c| (c.lower, c.upper)), scale),
            dots(&change_of, scale),
            &|v| format_percent(v),
        )
    });
    let plots_bottom = paired_scale.map_or(instructions_bottom, |s| s.bottom);

    // Change points first, so that they get the lanes before the class changes.
    let mut lanes = Lanes::new();
    let mut changes: Vec<&ChangePointFound> = series
        .change_points
        .iter()
        .filter(|c| c.index < n)
        .collect();
    changes.sort_by_key(|c| c.index);
    let mut change_marks = Vec::with_capacity(changes.len());
    let mut drifts = Vec::new();
    for c in &changes {
        let x = x_of(c.index, n);
        let text = change_label(c);
        let label = lanes.place(x, &shorten(&text, LABEL_CHARS));
        let point = &points[c.index];
        let dot = match (c.signal, &instructions_scale, &paired_scale) {
            (Signal::Instructions, Some(scale), _) => point.instructions.map(|i| Dot {
                x,
                y: scale.y(i as f64),
            }),
            (Signal::PairedStep | Signal::PairedDrift, _, Some(scale)) => {
                point.change.map(|c| Dot {
                    x,
                    y: scale.y(c.estimate),
                })
            }
            _ => Some(point.time.median_ns)
                .filter(|v| v.is_finite())
                .map(|v| Dot {
                    x,
                    y: time_scale.y(v),
                }),
        };
        if let Some(until) = c.until.filter(|&u| u > c.index && u < n) {
            let end = x_of(until, n);
            drifts.push(Drift {
                x,
                width: coord(end - x),
                top: coord(time_top),
                height: coord(TIME_HEIGHT),
            });
        }
        let title = format!(
            "{text} ({}, {}): {} → {}",
            day(&c.date),
            c.signal.as_str(),
            level(c.signal, c.before),
            level(c.signal, c.after)
        );
        change_marks.push(Mark {
            x,
            top: coord(label.as_ref().map_or(time_top, |l| l.y + 3.0)),
            bottom: coord(plots_bottom),
            kind: if c.change > 0.0 { "up" } else { "down" },
            dot,
            label,
            title,
        });
    }
    let mut class_marks = Vec::new();
    for i in 1..n {
        if points[i].class == points[i - 1].class {
            continue;
        }
        let x = x_of(i, n);
        let slug = classes
            .get(points[i].class as usize)
            .map_or_else(|| "unknown class".to_owned(), |c| printable(&c.slug));
        let title = format!(
            "machine class {slug} from {}",
            printable(short_commit(commit_of(i)))
        );
        let label = lanes.place(x, &shorten(&slug, LABEL_CHARS));
        class_marks.push(Mark {
            x,
            top: coord(label.as_ref().map_or(time_top, |l| l.y + 3.0)),
            bottom: coord(plots_bottom),
            kind: "class",
            dot: None,
            label,
            title,
        });
    }

    let commit_y = plots_bottom + 15.0;
    let x_ticks = x_tick_indices(n)
        .into_iter()
        .enumerate()
        .map(|(k, i)| {
            let anchor = if n == 1 {
                "middle"
            } else if k == 0 {
                "start"
            } else if i + 1 == n {
                "end"
            } else {
                "middle"
            };
            XTick {
                x: x_of(i, n),
                anchor,
                commit: printable(short_commit(commit_of(i))),
                day: day(run(i).map_or("", |r| r.date.as_str())),
                commit_y: coord(commit_y),
                day_y: coord(commit_y + 14.0),
            }
        })
        .collect();
    let note = (drawn < n).then(|| {
        format!(
            "{n} points drawn as {drawn} buckets of {} consecutive commits: each shows its lowest and highest value.",
            n.div_ceil(MAX_DRAWN)
        )
    });
    let note_y = commit_y + 32.0;
    TrendChart {
        width: WIDTH,
        height: coord(if note.is_some() {
            note_y + 8.0
        } else {
            commit_y + 22.0
        }),
        plot_left: PLOT_LEFT,
        plot_right: PLOT_RIGHT,
        time,
        instructions,
        paired,
        x_ticks,
        label: format!(
            "{}: {n} points, {} change point{}",
            printable(series.benchmark.as_str()),
            changes.len(),
            if changes.len() == 1 { "" } else { "s" }
        ),
        classes: class_marks,
        changes: change_marks,
        drifts,
        note,
        note_y: coord(note_y),
    }
}

/// A change point's level as shown: a duration, a count, or a paired signal's chained level.
pub(crate) fn level(signal: Signal, value: f64) -> String {
    match signal {
        Signal::Time => format_duration_ns(value),
        Signal::Instructions if value.is_finite() && value >= 0.0 => {
            format_count(value.round() as u64)
        }
        _ => format!("{value:.3}"),
    }
}

/// The indices of the x axis's commit labels: evenly spread, first and last included.
fn x_tick_indices(n: usize) -> Vec<usize> {
    match n {
        0 => Vec::new(),
        1 => vec![0],
        _ => {
            let k = X_TICKS.min(n);
            let mut indices: Vec<usize> = (0..k)
                .map(|t| ((t * (n - 1)) as f64 / (k - 1) as f64).round() as usize)
                .collect();
            indices.dedup();
            indices
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history_fixtures::{X86, platform, point, series};
    use perfmatrix_history::MachineClass;

    /// The chart of `s` alone on a platform of `classes`.
    fn chart_of(s: &Series, classes: &[MachineClass]) -> TrendChart {
        chart(s, &platform(X86, classes.to_vec(), vec![s.clone()]))
    }

    fn all_numbers_finite(chart: &TrendChart) {
        fn walk(v: &serde_json::Value) {
            match v {
                serde_json::Value::Number(n) => assert!(n.as_f64().unwrap().is_finite()),
                serde_json::Value::String(s) if s.starts_with('M') => {
                    assert!(!s.contains("NaN") && !s.contains("inf"), "{s}");
                }
                serde_json::Value::Array(a) => a.iter().for_each(walk),
                serde_json::Value::Object(o) => o.values().for_each(walk),
                _ => {}
            }
        }
        let json = serde_json::to_string(chart).unwrap();
        assert!(!json.contains("NaN") && !json.contains("inf"), "{json}");
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        walk(&value);
    }

    #[test]
    fn paired_changes_get_their_own_panel_with_the_step_on_it() {
        use crate::history_fixtures::change_point;
        let points: Vec<Point> = (0..12)
            .map(|i| {
                let mut p = point(i, 1000.0, 0);
                let estimate = if i == 6 { 0.10 } else { 0.0 };
                p.change = Some(perfmatrix_history::ChangeSummary {
                    estimate,
                    lower: estimate - 0.01,
                    upper: estimate + 0.01,
                    log_se: 0.004,
                });
                p
            })
            .collect();
        let mut s = series("decay/1000", points);
        s.change_points = vec![change_point(&s, 6, Signal::PairedStep, 0.10)];
        let chart = chart_of(&s, &[]);
        all_numbers_finite(&chart);
        let paired = chart.paired.as_ref().expect("a paired panel");
        assert_eq!(paired.title, "vs parent");
        assert!(paired.band.is_some());
        assert!(
            paired.ticks.iter().any(|t| t.label.contains('%')),
            "{:?}",
            paired.ticks
        );
        let dot = chart.changes[0].dot.as_ref().expect("the step's dot");
        assert!(
            dot.y >= paired.top && dot.y <= paired.bottom,
            "on the paired panel"
        );
        // A series without paired runs has none.
        let plain = series("decay/1000", (0..5).map(|i| point(i, 1000.0, 0)).collect());
        assert!(chart_of(&plain, &[]).paired.is_none());
    }

    #[test]
    fn degenerate_series_give_finite_charts() {
        let classes = [MachineClass {
            slug: "c".into(),
            id: "1".into(),
        }];
        let one = series("a", vec![point(0, 1000.0, 0)]);
        all_numbers_finite(&chart_of(&one, &classes));
        let equal = series("a", (0..5).map(|i| point(i, 5.0, 0)).collect());
        let c = chart_of(&equal, &classes);
        all_numbers_finite(&c);
        assert!(c.time.ticks.len() >= 2);
        let mut odd = (0..4).map(|i| point(i, 5.0, 0)).collect::<Vec<_>>();
        odd[1].time.median_ns = f64::NAN;
        odd[2].time.upper_ns = f64::INFINITY;
        odd[3].instructions = Some(u64::MAX);
        all_numbers_finite(&chart_of(&series("a", odd), &classes));
        all_numbers_finite(&chart_of(&series("a", Vec::new()), &classes));
    }

    #[test]
    fn long_series_are_downsampled_and_say_so() {
        let points = (0..1234)
            .map(|i| point(i as usize, 100.0 + f64::from(i % 7), 0))
            .collect();
        let c = chart_of(&series("a", points), &[]);
        let vertices = c.time.line.matches(['M', 'L']).count();
        assert!(vertices <= 2 * MAX_DRAWN, "{vertices}");
        assert!(c.note.as_deref().unwrap().contains("1234 points"));
        assert!(c.time.dots.is_empty());
    }

    #[test]
    fn ticks_tell_close_values_apart() {
        assert_eq!(duration_tick(1005.0, 5.0, 1010.0), "1.005 µs");
        assert_eq!(duration_tick(2e6, 5e5, 2e6), "2.0 ms");
        assert_eq!(duration_tick(1025.0, 25.0, 1075.0), "1.025 µs");
        assert_eq!(duration_tick(3e9, 1e9, 3e9), "3 s");
        assert_eq!(count_tick(12_345.0, 5.0, 12_400.0), "12,345");
        assert_eq!(count_tick(12_500_000.0, 500_000.0, 13e6), "12.5M");
        assert_eq!(day("2024-05-01T10:00:00+02:00"), "2024-05-01");
        assert_eq!(day("yesterday"), "yesterday");
        assert_eq!(day(""), "—");
    }

    #[test]
    fn vertices_are_written_as_display_writes_their_coordinates() {
        for v in [
            0.0, 0.1, 0.5, 1.0, 12.5, 99.9, 640.0, -0.5, -3.2, -10.0, 1e6, -1e6, 123.4,
        ] {
            let v = coord(v);
            let mut fast = String::new();
            push_vertex(&mut fast, 'L', v, v);
            assert_eq!(fast, format!("L{v},{v}"), "{v}");
        }
        for k in -20_000..20_000 {
            let v = coord(f64::from(k) * 0.37);
            let mut fast = String::new();
            push_tenths(&mut fast, v);
            assert_eq!(fast, format!("{v}"));
        }
    }

    #[test]
    fn labels_do_not_overlap() {
        let mut lanes = Lanes::new();
        let a = lanes.place(100.0, "+3.1% at abc1234").unwrap();
        let b = lanes.place(110.0, "+3.1% at abc1234").unwrap();
        assert!((a.y - b.y).abs() > 1.0);
        let c = lanes.place(500.0, "x").unwrap();
        assert!((c.y - a.y).abs() < 1e-9);
        let _ = lanes.place(115.0, "long enough to block");
        assert!(lanes.place(120.0, "no room left").is_none());
        let end = lanes.place(WIDTH - 5.0, "right edge").unwrap();
        assert_eq!(end.anchor, "end");
    }
}
