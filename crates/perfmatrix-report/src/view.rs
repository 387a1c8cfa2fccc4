//! The templates' contexts. Everything a template prints is prepared here: the report with every
//! string made safe for a terminal, each table cell formatted (see `units`), and the column widths
//! measured, since minijinja cannot pad by itself.

use minijinja::Value;
use perfmatrix_model::{
    BaselineChoice, CandidateView, Counts, ExactRow, FieldDiffView, Report, Revision, Row,
    RowVerdict,
};
use serde::Serialize;

use crate::exact::{Exact, ExactCell, Footnote, Footnotes, verdict_label};
use crate::units::{format_duration_ns, format_p, format_percent, format_percent_unsigned};

/// What an empty cell shows.
pub(crate) const EMPTY: &str = "—";

/// One line of the table, every cell already a string.
#[derive(Debug, Serialize)]
struct Cells {
    id: String,
    new: String,
    baseline: String,
    change: String,
    interval: String,
    p: String,
    noise: String,
    mde: String,
    /// The exact metrics, each with its footnote marker.
    instructions: String,
    peak_memory: String,
    /// The exact metrics' own verdicts, as the `paint` filter knows them.
    instructions_kind: &'static str,
    peak_memory_kind: &'static str,
    /// The verdict as shown, with the metric that decided it unless that is wall time.
    verdict: String,
    /// The verdict as the `paint` filter knows it (the kebab-case name of the JSON).
    kind: &'static str,
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

/// One non-zero count of the footer.
#[derive(Debug, Serialize)]
pub(crate) struct Count {
    pub(crate) n: usize,
    pub(crate) label: &'static str,
}

/// The context of `table.txt.j2` and `markdown.md.j2`:
///
/// - `report`: the report, every string passed through [`printable`];
/// - `commit`, `count_commit`: the commits of the selected baseline and count baseline,
///   shortened (empty without one);
/// - `header`, `rows`: [`Cells`] of the column titles and of each row;
/// - `exact`: whether the table has the columns of the exact metrics (some row has one);
/// - `widths`: [`Widths`] of the columns; `rule`: a line of dashes as wide as the table;
/// - `footnotes`: each distinct reason an exact metric is unavailable, numbered;
/// - `counts`: the non-zero counts, worst first, and `total`, their sum.
pub(crate) fn text_context(report: &Report) -> Value {
    let report = printable_report(report);
    let paired = matches!(report.baseline, BaselineChoice::Paired { .. });
    let header = Cells {
        id: "benchmark".to_owned(),
        new: if paired { "head" } else { "new" }.to_owned(),
        baseline: if paired { "base" } else { "baseline" }.to_owned(),
        change: "change".to_owned(),
        interval: "interval".to_owned(),
        p: "p".to_owned(),
        noise: "noise".to_owned(),
        mde: "MDE".to_owned(),
        instructions: Exact::Instructions.name().to_owned(),
        peak_memory: Exact::PeakMemory.name().to_owned(),
        instructions_kind: "header",
        peak_memory_kind: "header",
        verdict: "verdict".to_owned(),
        kind: "header",
    };
    let exact = report
        .rows
        .iter()
        .any(|r| r.instructions.is_some() || r.peak_memory.is_some());
    let mut footnotes = Footnotes::default();
    let rows: Vec<Cells> = report
        .rows
        .iter()
        .map(|r| cells(r, &mut footnotes))
        .collect();
    let footnotes: Vec<Footnote> = footnotes.into_list();
    let readings = readings(&report.rows);
    let mut widths = widths(&header, &rows);
    if !exact {
        widths.instructions = 0;
        widths.peak_memory = 0;
    }
    let verdict_width = std::iter::once(&header)
        .chain(&rows)
        .map(|c| width(&c.verdict))
        .max()
        .unwrap_or(0);
    let rule_width = [
        widths.id,
        widths.new,
        widths.baseline,
        widths.change,
        widths.interval,
        widths.p,
        widths.noise,
        widths.mde,
        verdict_width,
    ]
    .into_iter()
    .fold(2 * 8, usize::saturating_add);
    let rule_width = if exact {
        rule_width
            .saturating_add(widths.instructions + 2)
            .saturating_add(widths.peak_memory + 2)
    } else {
        rule_width
    };
    let commit_of = |choice: Option<&BaselineChoice>| match choice {
        Some(BaselineChoice::Selected { commit, .. }) => short_commit(commit).to_owned(),
        _ => String::new(),
    };
    let commit = commit_of(Some(&report.baseline));
    let (head_commit, base_commit) = match &report.baseline {
        BaselineChoice::Paired { head, base, .. } => (
            format!(
                "{}{}",
                short_commit(&head.commit),
                if head.dirty {
                    " + uncommitted changes"
                } else {
                    ""
                }
            ),
            short_commit(&base.commit).to_owned(),
        ),
        _ => (String::new(), String::new()),
    };
    let count_commit = commit_of(report.count_baseline.as_ref());
    let counts = counts(&report.counts);
    let total = counts.iter().map(|c| c.n).fold(0, usize::saturating_add);
    minijinja::context! {
        head_commit,
        base_commit,
        report => Value::from_serialize(&report),
        commit,
        count_commit,
        header,
        rows,
        exact,
        widths,
        footnotes,
        readings,
        rule => "-".repeat(rule_width),
        counts,
        total,
    }
}

/// A benchmark whose metrics disagree, and what that points at.
#[derive(Debug, Serialize)]
pub(crate) struct Reading {
    pub(crate) id: String,
    /// The platform, in a merged report (empty in a platform's own).
    pub(crate) platform: String,
    pub(crate) text: &'static str,
}

/// The rows whose wall time and instructions disagree, in row order.
fn readings(rows: &[Row]) -> Vec<Reading> {
    rows.iter()
        .filter_map(|r| {
            r.disagreement().map(|d| Reading {
                id: r.id.clone(),
                platform: String::new(),
                text: d.explain(),
            })
        })
        .collect()
}

/// The context of `report.json.j2`: the report as it is.
pub(crate) fn json_context(report: &Report) -> Value {
    minijinja::context! { report => Value::from_serialize(report) }
}

fn cells(row: &Row, footnotes: &mut Footnotes) -> Cells {
    let kind = verdict_names(row.verdict).1;
    let name = verdict_label(row.verdict, row.decided_by);
    let verdict = if row.remeasured {
        format!("{name} (re-measured)")
    } else {
        name
    };
    let mut instructions = ExactCell::new(Exact::Instructions, row.instructions.as_ref());
    let mut peak_memory = ExactCell::new(Exact::PeakMemory, row.peak_memory.as_ref());
    footnotes.mark(&mut instructions);
    footnotes.mark(&mut peak_memory);
    let or_empty = |value: Option<f64>, format: fn(f64) -> String| {
        value.map_or_else(|| EMPTY.to_owned(), format)
    };
    Cells {
        id: row.id.clone(),
        new: or_empty(row.new_median_ns, format_duration_ns),
        baseline: or_empty(row.base_median_ns, format_duration_ns),
        change: or_empty(row.change.map(|c| c.estimate()), format_percent),
        interval: row.change.map_or_else(
            || EMPTY.to_owned(),
            |c| {
                format!(
                    "[{}, {}]",
                    format_percent(c.lower()),
                    format_percent(c.upper())
                )
            },
        ),
        p: or_empty(row.p_value, format_p),
        noise: or_empty(row.noise, format_percent_unsigned),
        mde: or_empty(row.minimum_detectable_effect, format_percent_unsigned),
        instructions: instructions.marked,
        peak_memory: peak_memory.marked,
        instructions_kind: instructions.kind,
        peak_memory_kind: peak_memory.kind,
        verdict,
        kind,
    }
}

/// (as shown, as the `paint` filter knows it).
pub(crate) fn verdict_names(verdict: RowVerdict) -> (&'static str, &'static str) {
    match verdict {
        RowVerdict::Improved => ("improved", "improved"),
        RowVerdict::Unchanged => ("unchanged", "unchanged"),
        RowVerdict::Unavailable => ("unavailable", "unavailable"),
        RowVerdict::NoBaseline => ("no baseline", "no-baseline"),
        RowVerdict::New => ("new", "new"),
        RowVerdict::Missing => ("missing", "missing"),
        RowVerdict::Warning => ("warning", "warning"),
        RowVerdict::Regressed => ("regressed", "regressed"),
    }
}

/// Width in characters. Every character counts as one column: right for the ASCII, `µ`, `—` and
/// `%` of the cells; ids with double-width characters would misalign, never break.
pub(crate) fn width(s: &str) -> usize {
    s.chars().count()
}

fn widths(header: &Cells, rows: &[Cells]) -> Widths {
    let max = |cell: fn(&Cells) -> &str| {
        std::iter::once(header)
            .chain(rows)
            .map(|c| width(cell(c)))
            .max()
            .unwrap_or(0)
    };
    Widths {
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

pub(crate) fn counts(counts: &Counts) -> Vec<Count> {
    let plural = |n: usize, one: &'static str, many: &'static str| if n == 1 { one } else { many };
    [
        (counts.regressed, "regressed"),
        (
            counts.warning,
            plural(counts.warning, "warning", "warnings"),
        ),
        (counts.improved, "improved"),
        (counts.unchanged, "unchanged"),
        (counts.new, "new"),
        (counts.missing, "missing"),
        (counts.no_baseline, "without baseline"),
        (counts.unavailable, "unavailable"),
    ]
    .into_iter()
    .filter(|&(n, _)| n > 0)
    .map(|(n, label)| Count { n, label })
    .collect()
}

pub(crate) use perfmatrix_model::short_commit;

/// `s` with every control character (newline, tab, ESC…) and every bidirectional-override
/// character written as a Rust escape (`\n`, `\u{1b}`), so that no report content can move the
/// cursor, colour the terminal, break a table line or reorder what is shown.
pub(crate) fn printable(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_control() || is_bidi_control(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// The report with [`printable`] applied to every string in it.
fn printable_report(report: &Report) -> Report {
    Report {
        schema: printable(&report.schema),
        version: report.version,
        platform: printable(&report.platform),
        fingerprint_slug: printable(&report.fingerprint_slug),
        fingerprint_id: printable(&report.fingerprint_id),
        cpu: printable(&report.cpu),
        emulated: report.emulated.as_deref().map(printable),
        quick: report.quick,
        baseline: printable_choice(&report.baseline),
        count_baseline: report.count_baseline.as_ref().map(printable_choice),
        time_gated: report.time_gated,
        rows: report
            .rows
            .iter()
            .map(|r| {
                let exact = |e: &Option<ExactRow>| {
                    e.as_ref().map(|e| ExactRow {
                        note: e.note.as_deref().map(printable),
                        ..e.clone()
                    })
                };
                Row {
                    id: printable(&r.id),
                    instructions: exact(&r.instructions),
                    peak_memory: exact(&r.peak_memory),
                    ..r.clone()
                }
            })
            .collect(),
        counts: report.counts,
        outcome: report.outcome,
    }
}

/// A baseline choice with [`printable`] applied to every string in it.
pub(crate) fn printable_choice(choice: &BaselineChoice) -> BaselineChoice {
    match choice {
        BaselineChoice::Selected {
            path,
            slug,
            commit,
            runs,
            why,
        } => BaselineChoice::Selected {
            path: printable(path),
            slug: printable(slug),
            commit: printable(commit),
            runs: *runs,
            why: printable(why),
        },
        BaselineChoice::NoComparable {
            candidates,
            how_to_record,
        } => BaselineChoice::NoComparable {
            candidates: candidates
                .iter()
                .map(|c| CandidateView {
                    path: printable(&c.path),
                    slug: printable(&c.slug),
                    differing: c
                        .differing
                        .iter()
                        .map(|d| FieldDiffView {
                            field: printable(&d.field),
                            run: printable(&d.run),
                            baseline: printable(&d.baseline),
                        })
                        .collect(),
                })
                .collect(),
            how_to_record: printable(how_to_record),
        },
        BaselineChoice::Paired {
            head,
            base,
            why,
            samples,
        } => {
            let revision = |r: &Revision| Revision {
                name: printable(&r.name),
                commit: printable(&r.commit),
                dirty: r.dirty,
            };
            BaselineChoice::Paired {
                head: revision(head),
                base: revision(base),
                why: printable(why),
                samples: printable(samples),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printable_escapes_controls_and_bidi_overrides() {
        assert_eq!(printable("cosine/768"), "cosine/768");
        assert_eq!(printable("a\x1b[31mb"), "a\\u{1b}[31mb");
        assert_eq!(printable("a\nb\tc"), "a\\nb\\tc");
        assert_eq!(printable("x\u{202E}y"), "x\\u{202e}y");
        assert_eq!(printable("µs — ünïcode"), "µs — ünïcode");
    }

    #[test]
    fn commits_are_shortened_only_when_they_are_hex() {
        assert_eq!(short_commit("0123456789abcdef0123"), "0123456");
        assert_eq!(short_commit("abc1234"), "abc1234");
        assert_eq!(short_commit("unknown-commit"), "unknown-commit");
        assert_eq!(short_commit("0123456789-dirty"), "0123456789-dirty");
        assert_eq!(short_commit(""), "");
    }

    #[test]
    fn counts_list_the_non_zero_ones_worst_first() {
        let c = Counts {
            improved: 1,
            warning: 2,
            regressed: 3,
            ..Counts::default()
        };
        let shown: Vec<_> = counts(&c)
            .iter()
            .map(|c| format!("{} {}", c.n, c.label))
            .collect();
        assert_eq!(shown, ["3 regressed", "2 warnings", "1 improved"]);
        assert!(counts(&Counts::default()).is_empty());
    }
}
