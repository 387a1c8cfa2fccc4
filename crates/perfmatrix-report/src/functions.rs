//! "Where it changed": the benchmarks of a report whose row carries a function-by-function
//! difference (`perfmatrix_model::FunctionDiff`), each with what its counts point at, in words,
//! and the functions whose cost moved most.

use perfmatrix_model::{Cause, Events, FunctionChange, FunctionDiff, MergedReport};
use serde::Serialize;

use crate::text::printable;
use crate::units::{format_count, format_percent_counted};

/// How many functions of each changed benchmark a terminal table or Markdown shows (HTML and
/// JSON show every one kept).
pub(crate) const SHORT_FUNCTIONS: usize = 5;

/// The longest function name shown; longer ones (deep generics) keep their start and end.
const NAME_CHARS: usize = 120;

/// One changed benchmark on one platform.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ChangeView {
    pub(crate) id: String,
    pub(crate) platform: String,
    /// What the counts point at, a sentence without its full stop.
    pub(crate) reading: String,
    /// The functions whose cost moved most, largest first.
    pub(crate) functions: Vec<FunctionView>,
    /// How many moved beyond `functions`.
    pub(crate) more: usize,
    /// The differential flame graph, an SVG element (escaped); empty unless asked for.
    pub(crate) flame: String,
}

/// One function's move, every number as shown.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct FunctionView {
    pub(crate) name: String,
    /// Own instructions: `1,234 → 1,300`, and their change (`+5.35%`, `new`, `gone`).
    pub(crate) own: String,
    pub(crate) own_change: String,
    /// Inclusive instructions' change.
    pub(crate) inclusive_change: String,
    /// The simulated counts that moved (`L1 misses 10 → 500`), or empty.
    pub(crate) simulated: String,
    /// `own`, its change, the inclusive change and the simulated counts in one line.
    pub(crate) line: String,
}

/// Every cell of `report` with a function-by-function difference, in benchmark then column order,
/// with its flame graph when `flame` (HTML).
pub(crate) fn changes(report: &MergedReport, flame: bool) -> Vec<ChangeView> {
    report
        .benchmarks
        .iter()
        .flat_map(|row| {
            row.cells.iter().enumerate().filter_map(|(column, cell)| {
                let diff = cell.as_ref()?.functions.as_ref()?;
                let functions: Vec<FunctionView> = diff.functions.iter().map(function).collect();
                Some(ChangeView {
                    id: printable(&row.id),
                    platform: report
                        .columns
                        .get(column)
                        .map(|p| printable(p))
                        .unwrap_or_default(),
                    reading: reading(diff),
                    flame: diff
                        .flame
                        .as_ref()
                        .filter(|_| flame)
                        .map(crate::flame::svg)
                        .unwrap_or_default(),
                    more: diff.moved.saturating_sub(functions.len()),
                    functions,
                })
            })
        })
        .collect()
}

/// `changes` with at most `functions` functions each, the rest counted in `more`.
pub(crate) fn shortened(mut changes: Vec<ChangeView>, functions: usize) -> Vec<ChangeView> {
    for c in &mut changes {
        let cut = c.functions.len().saturating_sub(functions);
        c.functions.truncate(functions);
        c.more += cut;
    }
    changes
}

/// The reading of `diff`'s [`Cause`], with the counts behind it.
fn reading(diff: &FunctionDiff) -> String {
    let ir = format!(
        "{} → {} instructions per call, {}",
        format_count(diff.base.ir),
        format_count(diff.head.ir),
        change(diff.base.ir, diff.head.ir)
    );
    let sims = diff.base.sim.zip(diff.head.sim);
    let count = |f: fn(&perfmatrix_model::Simulated) -> u64| {
        sims.map_or_else(String::new, |(b, h)| {
            format!("{} → {}", format_count(f(&b)), format_count(f(&h)))
        })
    };
    match diff.cause {
        Cause::Instructions => {
            let more = if diff.head.ir > diff.base.ir {
                "more"
            } else {
                "less"
            };
            format!("the code does {more} work: {ir}")
        }
        Cause::Memory => format!(
            "memory behaviour (access pattern, footprint): simulated L1 misses {}, last-level \
             misses {}, which outweigh the instructions' move ({ir})",
            count(|s| s.l1_misses),
            count(|s| s.ll_misses)
        ),
        Cause::Branches => format!(
            "branches: simulated mispredicted branches {}, which outweigh the instructions' \
             move ({ir})",
            count(|s| s.mispredicts)
        ),
        Cause::Execution => format!(
            "the same work executes differently (dependency chains, port pressure, alignment): \
             the instructions ({ir}), the simulated cache misses (L1 {}, last-level {}) and \
             mispredicted branches ({}) barely moved",
            count(|s| s.l1_misses),
            count(|s| s.ll_misses),
            count(|s| s.mispredicts)
        ),
        Cause::Unknown => format!(
            "the instructions barely moved ({ir}); no cache or branch simulation ran, so the \
             counts cannot tell why"
        ),
    }
}

fn function(f: &FunctionChange) -> FunctionView {
    let own = format!("{} → {}", format_count(f.base.ir), format_count(f.head.ir));
    let own_change = change(f.base.ir, f.head.ir);
    let inclusive_change = change(f.base_inclusive_ir, f.head_inclusive_ir);
    let simulated = simulated(&f.base, &f.head);
    let mut line = format!("own {own} ({own_change}), inclusive {inclusive_change}");
    if !simulated.is_empty() {
        line = format!("{line}; {simulated}");
    }
    FunctionView {
        name: shorten(&f.name),
        own,
        own_change,
        inclusive_change,
        simulated,
        line,
    }
}

/// The simulated counts of a function that moved, `L1 misses 10 → 500, …`; empty without a
/// simulation or a move.
fn simulated(base: &Events, head: &Events) -> String {
    let (Some(b), Some(h)) = (base.sim, head.sim) else {
        return String::new();
    };
    [
        ("L1 misses", b.l1_misses, h.l1_misses),
        ("last-level misses", b.ll_misses, h.ll_misses),
        ("mispredicted", b.mispredicts, h.mispredicts),
    ]
    .into_iter()
    .filter(|(_, b, h)| b != h)
    .map(|(what, b, h)| format!("{what} {} → {}", format_count(b), format_count(h)))
    .collect::<Vec<_>>()
    .join(", ")
}

/// The relative change from `base` to `head`: `+5.35%`, `new` (from nothing), `gone` (to
/// nothing).
pub(crate) fn change(base: u64, head: u64) -> String {
    match (base, head) {
        (0, 0) => "±0%".to_owned(),
        (0, _) => "new".to_owned(),
        (_, 0) => "gone".to_owned(),
        #[allow(
            clippy::cast_precision_loss,
            reason = "a relative change needs no more than f64's digits"
        )]
        (b, h) => format_percent_counted(h as f64 / b as f64 - 1.0),
    }
}

/// `name`, printable, with its middle left out past [`NAME_CHARS`] characters.
fn shorten(name: &str) -> String {
    let name = printable(name);
    let chars: Vec<char> = name.chars().collect();
    if chars.len() <= NAME_CHARS {
        return name;
    }
    let half = NAME_CHARS / 2;
    let start: String = chars[..half].iter().collect();
    let end: String = chars[chars.len() - half..].iter().collect();
    format!("{start}…{end}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_are_relative_or_say_new_and_gone() {
        assert_eq!(change(1000, 1100), "+10.00%");
        assert_eq!(change(0, 5), "new");
        assert_eq!(change(5, 0), "gone");
        assert_eq!(change(0, 0), "±0%");
    }

    #[test]
    fn long_names_keep_both_ends() {
        let long = format!("core::{}::end", "x".repeat(300));
        let short = shorten(&long);
        assert_eq!(short.chars().count(), NAME_CHARS + 1);
        assert!(short.starts_with("core::") && short.ends_with("::end"));
    }
}
