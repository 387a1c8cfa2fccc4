//! The layout of a CI matrix's merged report (`templates/matrix.txt.j2` and `matrix.md.j2`): a
//! table of the platforms and a benchmark × platform table whose cells are narrow (change, exact
//! metrics, verdict), laid out from the shared [`view`]. For the terminal, the width of every
//! column (minijinja cannot pad by itself); for the Markdown, the rows it lists: past
//! [`MARKDOWN_ALL_ROWS`] benchmarks only those not unchanged everywhere, worst first, with the
//! footnotes and readings capped so that `budget` can keep the text under its size limit.
//!
//! [`view`]: crate::view

use minijinja::Value;
use perfmatrix_model::MergedReport;
use serde::Serialize;

use crate::counts::Footnote;
use crate::functions::ChangeView;
use crate::text::{EMPTY, shorten, width};
use crate::view::{
    BenchView, CellView, Overview, PlatformView, Reading, number_footnotes, readings, rows,
};

/// Above this many benchmarks the Markdown lists only the ones that are not unchanged on every
/// platform, worst first.
pub(crate) const MARKDOWN_ALL_ROWS: usize = 60;

/// The Markdown lists at most this many footnotes, each cut to [`MARKDOWN_REASON_CHARS`], so
/// that they cannot crowd the table out of its size limit.
const MARKDOWN_FOOTNOTES: usize = 20;
const MARKDOWN_REASON_CHARS: usize = 300;

/// The Markdown lists at most this many benchmarks whose metrics disagree.
const MARKDOWN_READINGS: usize = 20;
/// At most this many changed benchmarks get their functions in the Markdown (a collapsed
/// `<details>` each, [`crate::functions::SHORT_FUNCTIONS`] functions, names of at most 120
/// characters: about 1.5 KB each, so 15 KB in all); the HTML and JSON have every one.
const MARKDOWN_CHANGES: usize = 10;

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
/// in `change` characters, the counts left-aligned in `instr` and `mem` characters, each
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

/// The context of `matrix.txt.j2`: the [`Overview`]'s fields, plus
///
/// - `header`, `lines`: [`PlatformLine`]s of the platform table, `pw` its column widths and
///   `platform_rule` its rule;
/// - `rows`: the benchmarks, `id_width` and `layout` (a [`Column`] per platform) the layout of
///   their table, `rule` its rule;
/// - `footnotes` and `readings`: every one.
pub(crate) fn table_context(report: &MergedReport) -> Value {
    let summary = Overview::new(report);
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
            changes => crate::functions::shortened(
                crate::functions::changes(report, false),
                crate::functions::SHORT_FUNCTIONS,
            ),
        }
    }
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
    readings: Vec<Reading>,
    more_readings: usize,
    /// The first [`MARKDOWN_CHANGES`] changed benchmarks, each with its first
    /// [`crate::functions::SHORT_FUNCTIONS`] functions, and how many more benchmarks there are.
    changes: Vec<ChangeView>,
    more_changes: usize,
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
            f.reason = shorten(&f.reason, MARKDOWN_REASON_CHARS);
        }
        let mut readings = readings(report);
        let more_readings = readings.len().saturating_sub(MARKDOWN_READINGS);
        readings.truncate(MARKDOWN_READINGS);
        let mut changes = crate::functions::changes(report, false);
        let more_changes = changes.len().saturating_sub(MARKDOWN_CHANGES);
        changes.truncate(MARKDOWN_CHANGES);
        let changes = crate::functions::shortened(changes, crate::functions::SHORT_FUNCTIONS);
        Self {
            summary: Value::from_serialize(Overview::new(report)),
            rows,
            footnotes,
            more_footnotes,
            omitted,
            worst_first,
            readings,
            more_readings,
            changes,
            more_changes,
        }
    }

    /// The rows the Markdown would list with no limit on its size.
    pub(crate) fn rows(&self) -> &[BenchView] {
        &self.rows
    }

    /// The context of `matrix.md.j2` listing the first `shown` rows: the summary's fields, plus
    /// `rows`, `listed` (their number), `worst_first`, `omitted` (unchanged everywhere, left out),
    /// `cut` (left out to keep the size limit), `footnotes` with `more_footnotes` (left out), and
    /// `readings` with `more_readings`.
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
                changes => &self.changes,
                more_changes => self.more_changes,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use perfmatrix_model::{MergedOutcome, MergedRow, Row, RowVerdict, Tally};

    /// A merged report of `n` benchmarks on one platform, the first `changed` regressed.
    fn report(n: usize, changed: usize) -> MergedReport {
        let benchmarks: Vec<MergedRow> = (0..n)
            .map(|i| {
                let verdict = if i < changed {
                    RowVerdict::Regressed
                } else {
                    RowVerdict::Unchanged
                };
                MergedRow {
                    id: perfmatrix_model::BenchmarkId::new(format!("b/{i:03}")).unwrap(),
                    cells: vec![Some(Row::bare(
                        perfmatrix_model::BenchmarkId::new("cell").unwrap(),
                        verdict,
                    ))],
                    worst: verdict,
                }
            })
            .collect();
        MergedReport {
            schema: String::new(),
            version: 1,
            outcome: MergedOutcome::Fail,
            platforms: Vec::new(),
            columns: vec![
                perfmatrix_model::TargetTriple::parse("x86_64-unknown-linux-gnu").unwrap(),
            ],
            benchmarks,
            tally: Tally::default(),
        }
    }

    #[test]
    fn a_short_markdown_lists_every_row_in_id_order() {
        let view = MarkdownView::new(&report(MARKDOWN_ALL_ROWS, 1));
        assert_eq!(view.rows().len(), MARKDOWN_ALL_ROWS);
        assert!(!view.worst_first && view.omitted == 0);
    }

    #[test]
    fn a_long_markdown_lists_only_the_changes_worst_first() {
        let view = MarkdownView::new(&report(MARKDOWN_ALL_ROWS + 1, 3));
        let ids: Vec<&str> = view.rows().iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["b/000", "b/001", "b/002"]);
        assert!(view.worst_first);
        assert_eq!(view.omitted, MARKDOWN_ALL_ROWS + 1 - 3);
    }
}
