//! The counts (instruction counts and peak memory) as every format shows them: the cell
//! of each, the verdict named with the metric that decided it, and the footnotes that give each
//! distinct reason a metric is unavailable once, under the table.
//!
//! An unavailable metric is shown as `unavailable` with a footnote, never as a number: the
//! model's `new` may be absent or stale there, and a `0` would read as a measurement.

use std::collections::HashMap;

use perfmatrix_model::{CountNote, CountRow, Metric, RowVerdict, Unmeasured};
use serde::Serialize;

use crate::text::{EMPTY, printable};
use crate::units::{format_bytes, format_count, format_percent_counted};
use crate::view::verdict_names;

/// What a footnote says when the report gives no reason.
const NO_REASON: &str = "no reason given";

/// Why a count row holds no comparison, in words: the run's own reason, or the base build's.
pub(crate) fn note_text(note: &CountNote) -> String {
    match note {
        CountNote::Unmeasured(why) => unmeasured_text(why),
        CountNote::BaseUnmeasured(why) => format!("base build: {}", unmeasured_text(why)),
        CountNote::BaseNotCounted => "the base build was not counted".to_owned(),
    }
}

/// Why a metric was not measured, in words.
#[must_use]
pub fn unmeasured_text(why: &Unmeasured) -> String {
    match why {
        Unmeasured::NotOnHarness => {
            "not registered with the harness (a plain criterion benchmark)".to_owned()
        }
        Unmeasured::Emulated {
            target_arch,
            host_arch,
        } => format!(
            "not counted for an emulated target: valgrind cannot run {target_arch} binaries on \
             this {host_arch} machine (under qemu-user it would count qemu, not the kernel)"
        ),
        Unmeasured::NoValgrind { install } => format!(
            "not counted: valgrind is not installed (no `valgrind` on PATH); install it with \
             `{install}`"
        ),
        Unmeasured::UndecodableInstruction { line } => format!(
            "not counted: valgrind cannot decode an instruction of the counted binary ({line})"
        ),
        Unmeasured::OtherDispatch { valgrind, native } => format!(
            "not counted: under valgrind the code dispatched to `{valgrind}`, natively to \
             `{native}` (valgrind does not report all of this CPU's features)"
        ),
        Unmeasured::ZeroPeakMemory => {
            "the counting run read a peak resident memory of 0".to_owned()
        }
        Unmeasured::NoPeakMemory { said: Some(said) } => said.clone(),
        Unmeasured::NoPeakMemory { said: None } => {
            "the counting run reported no peak resident memory".to_owned()
        }
    }
}

/// A count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum CountMetric {
    Instructions,
    PeakMemory,
}

impl CountMetric {
    /// The metric's name in headers and footnotes.
    pub(crate) fn name(self) -> &'static str {
        match self {
            CountMetric::Instructions => "instructions",
            CountMetric::PeakMemory => "peak memory",
        }
    }

    /// The label of the metric inside a merged table's cell.
    pub(crate) fn short_name(self) -> &'static str {
        match self {
            CountMetric::Instructions => "instr",
            CountMetric::PeakMemory => "mem",
        }
    }

    fn value(self, value: u64) -> String {
        match self {
            CountMetric::Instructions => format_count(value),
            CountMetric::PeakMemory => format_bytes(value),
        }
    }
}

/// One count of one benchmark, as shown.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct CountCell {
    /// The value and its change (`1,234,567 (+2.00%)`, `12.4 MiB (new)`, `unavailable`), `—`
    /// when the run did not measure it.
    pub(crate) text: String,
    /// The change alone when there is one, else the value alone (or as `text`): for the narrow
    /// cells of a merged table.
    pub(crate) short: String,
    /// `text` and `short` followed by the footnote's marker (` [1]`) when there is one.
    pub(crate) marked: String,
    pub(crate) short_marked: String,
    /// The metric's own verdict as `paint` and the CSS know it; `none` when not measured.
    pub(crate) kind: &'static str,
    /// The number of the footnote that says why the metric is unavailable (see [`Footnotes`]).
    pub(crate) footnote: Option<usize>,
    /// Why it is unavailable, made printable; numbered by [`Footnotes::mark`].
    #[serde(skip)]
    reason: Option<(CountMetric, String)>,
}

impl CountCell {
    /// `counts` of `metric` as shown; `None` (not measured by this run) is `—`.
    pub(crate) fn new(metric: CountMetric, counts: Option<&CountRow>) -> Self {
        let Some(counts) = counts else {
            return Self::plain(EMPTY.to_owned(), EMPTY.to_owned(), "none");
        };
        let (name, kind) = verdict_names(counts.verdict);
        if counts.verdict == RowVerdict::Unavailable {
            let reason = counts
                .note
                .as_ref()
                .map_or_else(|| NO_REASON.to_owned(), |n| printable(&note_text(n)));
            return Self {
                reason: Some((metric, reason)),
                ..Self::plain(name.to_owned(), name.to_owned(), kind)
            };
        }
        let value = counts.new.map(|v| metric.value(v));
        let change = counts.change.map(format_percent_counted);
        let (text, short) = match (value, change) {
            (Some(value), Some(change)) => (format!("{value} ({change})"), change),
            (Some(value), None) if counts.verdict == RowVerdict::New => {
                (format!("{value} (new)"), value)
            }
            (Some(value), None) => (value.clone(), value),
            (None, Some(change)) => (change.clone(), change),
            (None, None) => (name.to_owned(), name.to_owned()),
        };
        Self::plain(text, short, kind)
    }

    fn plain(text: String, short: String, kind: &'static str) -> Self {
        Self {
            marked: text.clone(),
            short_marked: short.clone(),
            text,
            short,
            kind,
            footnote: None,
            reason: None,
        }
    }

    /// Whether the run measured the metric (even if only to find it unavailable).
    pub(crate) fn measured(&self) -> bool {
        self.kind != "none"
    }
}

/// The verdict as shown, with the metric that decided it unless that is wall time:
/// `regressed (instructions)`. An unchanged verdict names no metric: it says that no compared
/// metric got worse, and since a count wins a tie with wall time, naming it would
/// put `(instructions)` on almost every row.
pub(crate) fn verdict_label(verdict: RowVerdict, decided_by: Metric) -> String {
    let name = verdict_names(verdict).0;
    match decided_by {
        _ if verdict == RowVerdict::Unchanged => name.to_owned(),
        Metric::Time => name.to_owned(),
        Metric::Instructions => format!("{name} (instructions)"),
        Metric::PeakMemory => format!("{name} (peak memory)"),
    }
}

/// One distinct reason a metric is unavailable.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Footnote {
    pub(crate) n: usize,
    /// `instructions` or `peak memory`.
    pub(crate) metric: &'static str,
    pub(crate) reason: String,
}

/// Numbers the distinct (metric, reason) pairs of unavailable metrics in the order they are
/// first marked, from 1.
#[derive(Debug, Default)]
pub(crate) struct Footnotes {
    index: HashMap<(CountMetric, String), usize>,
    list: Vec<Footnote>,
}

impl Footnotes {
    /// Gives `cell` the number of its reason's footnote, if it has a reason.
    pub(crate) fn mark(&mut self, cell: &mut CountCell) {
        let Some(key) = &cell.reason else {
            return;
        };
        let next = self.list.len() + 1;
        let n = *self.index.entry(key.clone()).or_insert(next);
        if n == next {
            self.list.push(Footnote {
                n,
                metric: key.0.name(),
                reason: key.1.clone(),
            });
        }
        cell.footnote = Some(n);
        cell.marked = format!("{} [{n}]", cell.text);
        cell.short_marked = format!("{} [{n}]", cell.short);
    }

    /// The footnotes, by number.
    pub(crate) fn into_list(self) -> Vec<Footnote> {
        self.list
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each reason a count is unavailable reads as the sentence the counting code wrote when
    /// the model held words (before the results files' version 4).
    #[test]
    fn every_unmeasured_reason_reads_as_it_did_when_the_model_held_words() {
        let s = |v: &str| v.to_owned();
        let cases = [
            (
                Unmeasured::NotOnHarness,
                "not registered with the harness (a plain criterion benchmark)",
            ),
            (
                Unmeasured::Emulated {
                    target_arch: s("aarch64"),
                    host_arch: s("x86_64"),
                },
                "not counted for an emulated target: valgrind cannot run aarch64 binaries on this \
                 x86_64 machine (under qemu-user it would count qemu, not the kernel)",
            ),
            (
                Unmeasured::NoValgrind {
                    install: s("sudo apt-get install valgrind"),
                },
                "not counted: valgrind is not installed (no `valgrind` on PATH); install it with \
                 `sudo apt-get install valgrind`",
            ),
            (
                Unmeasured::UndecodableInstruction {
                    line: s("valgrind: Unrecognised instruction at address 0x4014a3."),
                },
                "not counted: valgrind cannot decode an instruction of the counted binary \
                 (valgrind: Unrecognised instruction at address 0x4014a3.)",
            ),
            (
                Unmeasured::OtherDispatch {
                    valgrind: s("portable"),
                    native: s("avx2-fma"),
                },
                "not counted: under valgrind the code dispatched to `portable`, natively to \
                 `avx2-fma` (valgrind does not report all of this CPU's features)",
            ),
            (
                Unmeasured::ZeroPeakMemory,
                "the counting run read a peak resident memory of 0",
            ),
            (
                Unmeasured::NoPeakMemory {
                    said: Some(s("cannot read /proc/self/status: denied")),
                },
                "cannot read /proc/self/status: denied",
            ),
            (
                Unmeasured::NoPeakMemory { said: None },
                "the counting run reported no peak resident memory",
            ),
        ];
        for (why, words) in cases {
            assert_eq!(unmeasured_text(&why), words);
        }
        let plain = Unmeasured::NotOnHarness;
        assert_eq!(
            note_text(&CountNote::BaseUnmeasured(plain.clone())),
            "base build: not registered with the harness (a plain criterion benchmark)"
        );
        assert_eq!(
            note_text(&CountNote::Unmeasured(plain)),
            "not registered with the harness (a plain criterion benchmark)"
        );
        assert_eq!(
            note_text(&CountNote::BaseNotCounted),
            "the base build was not counted"
        );
    }

    fn counts(verdict: RowVerdict, new: Option<u64>, change: Option<f64>) -> CountRow {
        CountRow {
            verdict,
            new,
            base: new.map(|n| n.saturating_sub(1)),
            change,
            note: None,
        }
    }

    #[test]
    fn cells_show_the_value_and_the_exact_change() {
        let compared = counts(RowVerdict::Regressed, Some(1_234_567), Some(0.02));
        let cell = CountCell::new(CountMetric::Instructions, Some(&compared));
        assert_eq!(
            (cell.text.as_str(), cell.short.as_str()),
            ("1,234,567 (+2.00%)", "+2.00%")
        );
        assert_eq!(cell.kind, "regressed");
        let memory = counts(RowVerdict::Unchanged, Some(13_002_342), Some(0.0));
        let cell = CountCell::new(CountMetric::PeakMemory, Some(&memory));
        assert_eq!(cell.text, "12.4 MiB (±0%)");
        let new = counts(RowVerdict::New, Some(1_000), None);
        let cell = CountCell::new(CountMetric::Instructions, Some(&new));
        assert_eq!(
            (cell.text.as_str(), cell.short.as_str()),
            ("1,000 (new)", "1,000")
        );
        let no_baseline = counts(RowVerdict::NoBaseline, Some(1_000), None);
        assert_eq!(
            CountCell::new(CountMetric::Instructions, Some(&no_baseline)).text,
            "1,000"
        );
        let nothing = counts(RowVerdict::NoBaseline, None, None);
        assert_eq!(
            CountCell::new(CountMetric::Instructions, Some(&nothing)).text,
            "no baseline"
        );
        let cell = CountCell::new(CountMetric::Instructions, None);
        assert!(!cell.measured() && cell.text == EMPTY);
    }

    #[test]
    fn unavailable_is_never_a_number_and_its_reasons_are_numbered_once() {
        let reason = |note: Option<&str>| CountRow {
            verdict: RowVerdict::Unavailable,
            // Even a value left in the row is not shown.
            new: Some(0),
            base: Some(10),
            change: Some(0.0),
            // A reason holding the counting run's own words, which may hold anything.
            note: note.map(|said| {
                CountNote::Unmeasured(Unmeasured::NoPeakMemory {
                    said: Some(said.to_owned()),
                })
            }),
        };
        let mut footnotes = Footnotes::default();
        let mut cells = [
            CountCell::new(
                CountMetric::Instructions,
                Some(&reason(Some("no valgrind\n"))),
            ),
            CountCell::new(
                CountMetric::Instructions,
                Some(&reason(Some("no valgrind\n"))),
            ),
            CountCell::new(
                CountMetric::PeakMemory,
                Some(&reason(Some("no valgrind\n"))),
            ),
            CountCell::new(CountMetric::Instructions, Some(&reason(None))),
        ];
        for cell in &mut cells {
            footnotes.mark(cell);
            assert!(
                cell.text == "unavailable" && !cell.marked.contains('0'),
                "{cell:?}"
            );
        }
        let numbers: Vec<_> = cells.iter().map(|c| c.footnote).collect();
        assert_eq!(numbers, [Some(1), Some(1), Some(2), Some(3)]);
        assert_eq!(cells[2].marked, "unavailable [2]");
        let list = footnotes.into_list();
        assert_eq!(list.len(), 3);
        assert_eq!(
            (list[0].metric, list[0].reason.as_str()),
            ("instructions", "no valgrind\\n")
        );
        assert_eq!(list[1].metric, "peak memory");
        assert_eq!(list[2].reason, NO_REASON);
    }

    #[test]
    fn the_verdict_names_its_metric_unless_it_is_time() {
        assert_eq!(
            verdict_label(RowVerdict::Regressed, Metric::Time),
            "regressed"
        );
        assert_eq!(
            verdict_label(RowVerdict::Regressed, Metric::Instructions),
            "regressed (instructions)"
        );
        assert_eq!(
            verdict_label(RowVerdict::Warning, Metric::PeakMemory),
            "warning (peak memory)"
        );
        assert_eq!(
            verdict_label(RowVerdict::Improved, Metric::Instructions),
            "improved (instructions)"
        );
        assert_eq!(
            verdict_label(RowVerdict::Unchanged, Metric::Instructions),
            "unchanged"
        );
    }
}
