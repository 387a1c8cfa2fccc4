//! The one view every template renders: the overall verdict, a line per platform with its
//! baseline choices, a row per benchmark with a cell per platform holding the whole comparison,
//! the footnotes of unavailable metrics and the readings of metrics that disagree. It is built
//! from a merged report, of which one platform's own report is the merge of one, with every
//! string passed through [`printable`] and every number formatted (see `units`). What a single
//! layout needs on top — the terminal's widths, the Markdown's selection — is added by
//! `platform` (one platform's own report) and `matrix` (a CI matrix); the HTML page, the same for
//! both, is [`html_context`].

use minijinja::Value;
use perfmatrix_model::{
    Disagreement, Failure, FailureKind, MergedOutcome, MergedReport, MergedRow, PlatformNote,
    PlatformRow, PlatformStatus, Reference, Row, RowVerdict, Tally, short_commit,
};
use serde::Serialize;

use crate::chart;
use crate::counts::{CountCell, CountMetric, Footnote, Footnotes, verdict_label};
use crate::reference::ReferenceView;
use crate::text::{EMPTY, printable};
use crate::units::{format_duration_ns, format_p, format_percent, format_percent_unsigned};

/// What every layout shows above and below the benchmark table.
#[derive(Debug, Serialize)]
pub(crate) struct Overview {
    /// The outcome as the `paint` filter and the CSS know it, and as shown.
    pub(crate) outcome: &'static str,
    pub(crate) title: &'static str,
    pub(crate) reasons: Vec<String>,
    pub(crate) platforms: Vec<PlatformView>,
    /// The names of the table's platform columns.
    pub(crate) columns: Vec<String>,
    /// The tally over all cells (its non-zero entries), worst first; their sum; the regressed among them.
    pub(crate) tally: Vec<TallyEntry>,
    pub(crate) results: usize,
    pub(crate) regressed: usize,
    pub(crate) benchmarks: usize,
    /// Whether some cell's verdict was decided by a second measurement.
    pub(crate) remeasured: bool,
    /// Whether some cell has a count (instruction count or peak memory).
    pub(crate) counts: bool,
}

/// One line per platform that fails the merge, saying why (empty when it passes): what the
/// overview lists and the merged JSON's `reasons`.
pub(crate) fn failure_lines(report: &MergedReport) -> Vec<String> {
    report
        .failures()
        .iter()
        .map(|Failure { platform, why }| match why {
            FailureKind::Regressed(count) => format!("{platform}: {count} benchmark(s) regressed"),
            FailureKind::QuickOnly => {
                format!("{platform}: required platform ran only a --quick smoke run")
            }
            FailureKind::Required(status) => {
                format!("{platform}: required platform is {}", status.as_str())
            }
        })
        .collect()
}

/// The benchmarks that failed (a panic, a hang) on the report's platforms and have no verdict.
pub(crate) fn failed_benchmarks(
    report: &MergedReport,
) -> impl Iterator<Item = &perfmatrix_model::BenchmarkId> {
    report
        .platforms
        .iter()
        .flat_map(|p| &p.notes)
        .filter_map(|note| match note {
            PlatformNote::FailedBenchmarks { ids } => Some(ids),
            _ => None,
        })
        .flatten()
}

impl Overview {
    pub(crate) fn new(report: &MergedReport) -> Self {
        let (outcome, title) = match report.outcome {
            MergedOutcome::Pass => ("pass", "PASS"),
            MergedOutcome::Fail => ("fail", "FAIL"),
            // Nothing failed the merge, but a benchmark failed where nothing passed: the
            // report is incomplete, whatever the baselines.
            MergedOutcome::NoComparableBaseline if failed_benchmarks(report).next().is_some() => {
                ("incomplete", "INCOMPLETE")
            }
            MergedOutcome::NoComparableBaseline => {
                ("no-comparable-baseline", "NO COMPARABLE BASELINE")
            }
        };
        let tally = tally(&report.tally);
        Self {
            outcome,
            title,
            reasons: failure_lines(report).iter().map(|r| printable(r)).collect(),
            platforms: report.platforms.iter().map(PlatformView::new).collect(),
            columns: report.columns.iter().map(|c| printable(c)).collect(),
            results: tally.iter().map(|c| c.n).fold(0, usize::saturating_add),
            tally,
            regressed: report.tally.regressed,
            benchmarks: report.benchmarks.len(),
            remeasured: report
                .benchmarks
                .iter()
                .flat_map(|r| r.cells.iter().take(report.columns.len()).flatten())
                .any(|c| c.remeasured),
            counts: report
                .benchmarks
                .iter()
                .flat_map(|r| r.cells.iter().flatten())
                .any(|c| c.instructions.is_some() || c.peak_memory.is_some()),
        }
    }
}

/// One non-zero count of the footer.
#[derive(Debug, Serialize)]
pub(crate) struct TallyEntry {
    pub(crate) n: usize,
    pub(crate) label: &'static str,
}

/// The non-zero entries of a tally, worst first.
pub(crate) fn tally(tally: &Tally) -> Vec<TallyEntry> {
    let plural = |n: usize, one: &'static str, many: &'static str| if n == 1 { one } else { many };
    [
        (tally.regressed, "regressed"),
        (tally.warning, plural(tally.warning, "warning", "warnings")),
        (tally.improved, "improved"),
        (tally.unchanged, "unchanged"),
        (tally.inconclusive, "inconclusive"),
        (tally.new, "new"),
        (tally.missing, "missing"),
        (tally.no_baseline, "without baseline"),
        (tally.unavailable, "unavailable"),
    ]
    .into_iter()
    .filter(|&(n, _)| n > 0)
    .map(|(n, label)| TallyEntry { n, label })
    .collect()
}

/// `"7: 1 regressed, 6 unchanged"`, or `"0"`.
fn tally_summary(c: &Tally) -> String {
    let tally = tally(c);
    let total = tally.iter().map(|c| c.n).fold(0, usize::saturating_add);
    let parts: Vec<String> = tally
        .iter()
        .map(|c| format!("{} {}", c.n, c.label))
        .collect();
    if parts.is_empty() {
        total.to_string()
    } else {
        format!("{total}: {}", parts.join(", "))
    }
}

/// One platform; `None` where the platform has no such thing (a missing leg has no baseline).
#[derive(Debug, Serialize)]
pub(crate) struct PlatformView {
    pub(crate) platform: String,
    /// `fail`, `missing (required)`, `pass (quick)`…
    pub(crate) status: String,
    /// The status as the `paint` filter and the CSS know it: `fail` for any platform that fails
    /// the merge, its status otherwise.
    pub(crate) kind: &'static str,
    /// The fingerprint's slug alone, and with the CPU model a reader recognises: `slug (cpu)`.
    pub(crate) slug: Option<String>,
    pub(crate) fingerprint: Option<String>,
    pub(crate) emulated: Option<String>,
    pub(crate) quick: bool,
    /// The baseline in one line: its file, or the paired commits.
    pub(crate) baseline: Option<String>,
    /// What the leg judged wall time and the counts against, with the reasons in words.
    pub(crate) choice: Option<ReferenceView>,
    pub(crate) count_choice: Option<ReferenceView>,
    /// Whether the leg found no baseline with counts for its build.
    pub(crate) no_count_baseline: bool,
    pub(crate) commits: Commits,
    pub(crate) time_gated: bool,
    /// The platform's tally: `"7: 1 regressed, 6 unchanged"`.
    pub(crate) benchmarks: Option<String>,
    pub(crate) note: Option<String>,
}

/// The commits of what a platform was judged against, shortened as git shows them and made
/// printable; empty where there is none.
#[derive(Debug, Serialize)]
pub(crate) struct Commits {
    /// The selected wall-time baseline's.
    pub(crate) baseline: String,
    /// A paired run's head (`+ uncommitted changes` when the working tree was dirty) and base.
    pub(crate) head: String,
    pub(crate) base: String,
    /// The selected count baseline's.
    pub(crate) count: String,
}

impl Commits {
    fn of(choice: Option<&Reference>, count: Option<&Reference>) -> Self {
        let selected = |c: Option<&Reference>| match c {
            Some(Reference::Baseline { commit, .. }) => printable(short_commit(commit)),
            _ => String::new(),
        };
        let (head, base) = match choice {
            Some(Reference::BaseCommit { head, base, .. }) => (
                format!(
                    "{}{}",
                    printable(short_commit(&head.commit)),
                    if head.dirty {
                        " + uncommitted changes"
                    } else {
                        ""
                    }
                ),
                printable(short_commit(&base.commit)),
            ),
            _ => (String::new(), String::new()),
        };
        Self {
            baseline: selected(choice),
            head,
            base,
            count: selected(count),
        }
    }
}

impl PlatformView {
    pub(crate) fn new(row: &PlatformRow) -> Self {
        let name = match row.status {
            PlatformStatus::NoComparableBaseline => "no comparable baseline",
            status => status.as_str(),
        };
        let status = match row.status {
            PlatformStatus::Skipped
            | PlatformStatus::Missing
            | PlatformStatus::Incomplete
            | PlatformStatus::Unjudged => {
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
        let slug = text(&row.fingerprint_slug);
        let (choice, count_choice) = ReferenceView::of_row(row);
        let (choice, count_choice) = (
            choice.map(ReferenceView::printable),
            count_choice.map(ReferenceView::printable),
        );
        Self {
            platform: printable(&row.platform),
            status,
            kind,
            fingerprint: slug.as_ref().map(|slug| match row.cpu.as_deref() {
                Some(cpu) if !cpu.is_empty() => format!("{slug} ({})", printable(cpu)),
                _ => slug.clone(),
            }),
            slug,
            emulated: text(&row.emulated),
            quick: row.quick,
            baseline: crate::notes::baseline_line(row).as_deref().map(printable),
            no_count_baseline: matches!(
                row.count_reference,
                Some(Reference::NoComparableBaseline { .. })
            ),
            commits: Commits::of(row.reference.as_ref(), row.count_reference.as_ref()),
            choice,
            count_choice,
            time_gated: row.time_gated,
            benchmarks: row.tally.as_ref().map(tally_summary),
            note: crate::notes::note_line(row).as_deref().map(printable),
        }
    }
}

/// One benchmark with a cell per column.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct BenchView {
    pub(crate) id: String,
    /// The worst verdict, as `paint` and the CSS know it.
    pub(crate) worst: &'static str,
    pub(crate) cells: Vec<CellView>,
    #[serde(skip)]
    pub(crate) severity: RowVerdict,
    /// Whether every cell there is says unchanged.
    #[serde(skip)]
    pub(crate) unchanged: bool,
}

/// One benchmark on one platform, every number of its comparison as shown; where it was not
/// measured, `kind` is `none` and `verdict` `—`.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct CellView {
    /// The change's estimate and interval; empty without a change.
    pub(crate) change: String,
    pub(crate) interval: String,
    /// The verdict as shown, with the metric that decided it unless that is wall time.
    pub(crate) label: String,
    /// Whether a second measurement decided it.
    pub(crate) remeasured: bool,
    /// `label` with a `*` when a second measurement decided it: the narrow form of the cells.
    pub(crate) verdict: String,
    /// The verdict as the `paint` filter and the CSS know it.
    pub(crate) kind: &'static str,
    /// The medians, the p-value, the noise floor and the minimum detectable effect; `—` where
    /// there is none.
    pub(crate) new: String,
    pub(crate) base: String,
    pub(crate) p: String,
    pub(crate) noise: String,
    pub(crate) mde: String,
    pub(crate) instr: CountCell,
    pub(crate) mem: CountCell,
    /// The counts in a narrow cell, footnote marker included (`instr +2.00%`,
    /// `mem unavailable [1]`); empty when not measured. Set by [`number_footnotes`].
    pub(crate) instr_short: String,
    pub(crate) mem_short: String,
}

/// `row` with exactly `columns` cells, whatever the length of its own list.
fn bench_view(row: &MergedRow, columns: usize) -> BenchView {
    let cells: Vec<Option<&Row>> = (0..columns)
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

fn cell_view(cell: Option<&Row>) -> CellView {
    let Some(cell) = cell else {
        return CellView {
            change: String::new(),
            interval: String::new(),
            label: EMPTY.to_owned(),
            remeasured: false,
            verdict: EMPTY.to_owned(),
            kind: "none",
            new: EMPTY.to_owned(),
            base: EMPTY.to_owned(),
            p: EMPTY.to_owned(),
            noise: EMPTY.to_owned(),
            mde: EMPTY.to_owned(),
            instr: CountCell::new(CountMetric::Instructions, None),
            mem: CountCell::new(CountMetric::PeakMemory, None),
            instr_short: String::new(),
            mem_short: String::new(),
        };
    };
    let label = verdict_label(cell.verdict, cell.decided_by);
    let or_empty = |value: Option<f64>, format: fn(f64) -> String| {
        value.map_or_else(|| EMPTY.to_owned(), format)
    };
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
            format!("{label}*")
        } else {
            label.clone()
        },
        label,
        remeasured: cell.remeasured,
        kind: verdict_names(cell.verdict).1,
        new: or_empty(cell.new_median_ns, format_duration_ns),
        base: or_empty(cell.base_median_ns, format_duration_ns),
        p: or_empty(cell.p_value, format_p),
        noise: or_empty(cell.noise, format_percent_unsigned),
        mde: or_empty(cell.minimum_detectable_effect, format_percent_unsigned),
        instr: CountCell::new(CountMetric::Instructions, cell.instructions.as_ref()),
        mem: CountCell::new(CountMetric::PeakMemory, cell.peak_memory.as_ref()),
        instr_short: String::new(),
        mem_short: String::new(),
    }
}

/// Every benchmark of `report`, in its order, with a cell per column; the footnotes are not yet
/// numbered (see [`number_footnotes`]).
pub(crate) fn rows(report: &MergedReport) -> Vec<BenchView> {
    let columns = report.columns.len();
    report
        .benchmarks
        .iter()
        .map(|r| bench_view(r, columns))
        .collect()
}

/// Numbers the reasons of the unavailable metrics of `rows` in the order they are shown (each
/// cell's instructions, then its peak memory), and fills in each cell's narrow texts of its
/// counts.
pub(crate) fn number_footnotes(rows: &mut [BenchView]) -> Vec<Footnote> {
    let mut footnotes = Footnotes::default();
    let short = |metric: CountMetric, cell: &CountCell| {
        if cell.measured() {
            format!("{} {}", metric.short_name(), cell.short_marked)
        } else {
            String::new()
        }
    };
    for cell in rows.iter_mut().flat_map(|r| &mut r.cells) {
        footnotes.mark(&mut cell.instr);
        footnotes.mark(&mut cell.mem);
        cell.instr_short = short(CountMetric::Instructions, &cell.instr);
        cell.mem_short = short(CountMetric::PeakMemory, &cell.mem);
    }
    footnotes.into_list()
}

/// A benchmark whose metrics need reading together on a platform, and what that points at: its
/// wall time and instructions disagree ([`Disagreement`]), or its wall time was inconclusive.
#[derive(Debug, Serialize)]
pub(crate) struct Reading {
    pub(crate) id: String,
    pub(crate) platform: String,
    pub(crate) text: String,
}

/// Every cell whose wall time and instructions disagree, or whose wall time was inconclusive,
/// in benchmark then column order.
pub(crate) fn readings(report: &MergedReport) -> Vec<Reading> {
    report
        .benchmarks
        .iter()
        .flat_map(|row| {
            row.cells.iter().enumerate().filter_map(|(column, cell)| {
                let text = reading(cell.as_ref()?)?;
                Some(Reading {
                    id: printable(&row.id),
                    platform: report
                        .columns
                        .get(column)
                        .map(|p| printable(p))
                        .unwrap_or_default(),
                    text,
                })
            })
        })
        .collect()
}

/// What one cell's metrics, read together, point at; `None` when they need no reading. A
/// paired cell (`cell.paired`) ran both builds on one machine in one run, so a wall-time change
/// there is never the machine's; against a committed baseline it may be.
fn reading(cell: &Row) -> Option<String> {
    let paired = cell.paired.is_some();
    if let Some(d) = cell.disagreement() {
        return Some(
            match (d, paired) {
                (Disagreement::TimeOnly, true) => {
                    "wall time moved but the instructions of one call did not: both builds ran \
                     on this machine in the same run, so the same instructions execute \
                     differently (dependency chains, cache misses, branch mispredictions, \
                     alignment), not the machine"
                }
                (Disagreement::TimeOnly, false) => {
                    "wall time moved but the instructions of one call did not: either the same \
                     instructions execute differently (dependency chains, cache misses, branch \
                     mispredictions, alignment), or the machine differs, as the baseline was \
                     recorded at another time, possibly on another host (`--against <ref>` \
                     measures both builds on this machine and tells them apart)"
                }
                (Disagreement::InstructionsOnly, _) => {
                    "the instructions of one call changed but wall time did not: the code \
                     changed; the change is hidden in the timing noise or absorbed by the CPU"
                }
            }
            .to_owned(),
        );
    }
    // An inconclusive wall time matters where nothing else flagged the benchmark: a count that
    // regressed or warned already says more than "a regression may be hidden".
    if cell.time_verdict != RowVerdict::Inconclusive
        || matches!(cell.verdict, RowVerdict::Warning | RowVerdict::Regressed)
    {
        return None;
    }
    let mde = cell
        .minimum_detectable_effect
        .map_or_else(|| "its threshold".to_owned(), format_percent_unsigned);
    let remedy = if paired {
        "more process pairs or a quieter machine narrow it"
    } else {
        "`--against <ref>` measures both builds here, in the same run, far more precisely"
    };
    Some(format!(
        "wall time inconclusive: this run could not tell a slowdown smaller than {mde} from \
         noise, and the fail threshold is smaller, so a real regression may be hidden; {remedy}"
    ))
}

/// (as shown, as the `paint` filter knows it).
pub(crate) fn verdict_names(verdict: RowVerdict) -> (&'static str, &'static str) {
    match verdict {
        RowVerdict::Improved => ("improved", "improved"),
        RowVerdict::Unchanged => ("unchanged", "unchanged"),
        RowVerdict::Inconclusive => ("inconclusive", "inconclusive"),
        RowVerdict::Unavailable => ("unavailable", "unavailable"),
        RowVerdict::NoBaseline => ("no baseline", "no-baseline"),
        RowVerdict::New => ("new", "new"),
        RowVerdict::Missing => ("missing", "missing"),
        RowVerdict::Warning => ("warning", "warning"),
        RowVerdict::Regressed => ("regressed", "regressed"),
    }
}

/// The context of `report.html.j2`, one platform's page or a matrix's: the [`Overview`]'s fields,
/// every benchmark as `rows` with the `footnotes` of their unavailable metrics, the `readings`,
/// the `changes` (every function kept) and the [`chart::Chart`] of the largest changes as `chart`.
pub(crate) fn html_context(report: &MergedReport) -> Value {
    let mut rows = rows(report);
    let footnotes = number_footnotes(&mut rows);
    minijinja::context! {
        ..Value::from_serialize(Overview::new(report)),
        ..minijinja::context! {
            rows,
            footnotes,
            readings => readings(report),
            changes => crate::functions::changes(report, true),
            chart => chart::chart(report),
            max_charted => chart::MAX_CHARTED,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use perfmatrix_model::{Metric, Revision};

    #[test]
    fn counts_list_the_non_zero_ones_worst_first() {
        let c = Tally {
            improved: 1,
            warning: 2,
            regressed: 3,
            ..Tally::default()
        };
        let shown: Vec<_> = tally(&c)
            .iter()
            .map(|c| format!("{} {}", c.n, c.label))
            .collect();
        assert_eq!(shown, ["3 regressed", "2 warnings", "1 improved"]);
        assert!(tally(&Tally::default()).is_empty());
    }

    #[test]
    fn count_summaries() {
        let c = Tally {
            regressed: 1,
            unchanged: 6,
            ..Tally::default()
        };
        assert_eq!(tally_summary(&c), "7: 1 regressed, 6 unchanged");
        assert_eq!(tally_summary(&Tally::default()), "0");
    }

    #[test]
    fn rows_get_exactly_one_cell_per_column() {
        let row = MergedRow {
            id: perfmatrix_model::BenchmarkId::new("a\u{202E}b").unwrap(),
            cells: vec![None, None, None],
            worst: RowVerdict::Unchanged,
        };
        let view = bench_view(&row, 2);
        assert_eq!(view.cells.len(), 2);
        assert_eq!(view.id, "a\\u{202e}b");
        assert_eq!(bench_view(&row, 5).cells.len(), 5);
        assert!(
            view.cells
                .iter()
                .all(|c| c.kind == "none" && c.verdict == EMPTY)
        );
    }

    #[test]
    fn a_cell_shows_every_number_of_its_comparison() {
        let row = Row {
            new_median_ns: Some(1_234.5),
            base_median_ns: None,
            p_value: Some(1e-9),
            noise: Some(0.012),
            minimum_detectable_effect: Some(0.1234),
            remeasured: true,
            decided_by: Metric::Instructions,
            ..Row::bare(
                perfmatrix_model::BenchmarkId::new("a/1").unwrap(),
                RowVerdict::Regressed,
            )
        };
        let cell = cell_view(Some(&row));
        assert_eq!(
            [&cell.new, &cell.base, &cell.p, &cell.noise, &cell.mde].map(String::as_str),
            ["1.23 µs", EMPTY, "<0.001", "1.2%", "12.3%"]
        );
        assert_eq!(cell.label, "regressed (instructions)");
        assert_eq!(cell.verdict, "regressed (instructions)*");
        assert!(cell.remeasured && cell.change.is_empty() && cell.interval.is_empty());
    }

    #[test]
    fn commits_are_short_and_a_dirty_head_says_so() {
        let revision = |commit: &str, dirty| Revision {
            name: "n".to_owned(),
            commit: commit.to_owned(),
            dirty,
        };
        let paired = Reference::BaseCommit {
            head: revision("1111111122223333", true),
            base: revision("4444444455556666", false),
            why: perfmatrix_model::PairedBecause::FirstParent,
            criterion_layer: None,
            settings_changed: Vec::new(),
            budget_seconds: None,
        };
        let selected = Reference::Baseline {
            path: String::new(),
            slug: String::new(),
            commit: "9fceb02d0ae598e95dc970b74767f19372d61af8".to_owned(),
            runs: 1,
        };
        let c = Commits::of(Some(&paired), Some(&selected));
        assert_eq!(
            [&c.baseline, &c.head, &c.base, &c.count].map(String::as_str),
            ["", "1111111 + uncommitted changes", "4444444", "9fceb02"]
        );
        let c = Commits::of(Some(&selected), None);
        assert_eq!((c.baseline.as_str(), c.count.as_str()), ("9fceb02", ""));
    }
}
