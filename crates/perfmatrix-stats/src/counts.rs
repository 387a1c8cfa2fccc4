//! Verdicts on counts, the deterministic metrics: instruction counts and peak memory. The same binary
//! on the same input gives the same count every time, so there is no noise to test against: the
//! relative change is the whole story, and thresholds apply to it directly.

use serde::{Deserialize, Serialize};

use crate::decision::Verdict;
use crate::error::{Result, StatsError};
use crate::thresholds::Thresholds;

/// The default gate on instruction counts: warn above +0.5%, regress above +1%.
pub const INSTRUCTION_THRESHOLDS: Thresholds = Thresholds::INSTRUCTIONS;

/// The default gate on peak memory: regressed above 1.5 × the baseline's peak.
pub const PEAK_MEMORY_LIMIT: f64 = 1.5;

/// A count compared with its baseline value.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CountComparison {
    /// `new / base - 1`: `0.01` is 1% more.
    pub change: f64,
    /// What the change means against the thresholds or the peak-memory limit.
    pub verdict: Verdict,
}

fn relative_change(field: &'static str, base: u64, new: u64) -> Result<f64> {
    if base == 0 {
        return Err(StatsError::OutOfRange {
            field,
            value: 0.0,
            expected: "> 0 (a baseline of zero is not a measurement)",
        });
    }
    // The difference first (exact in i128), so that e.g. +1,000 on 100,000 is exactly the
    // nearest double to 0.01, like the threshold it is compared with.
    Ok((i128::from(new) - i128::from(base)) as f64 / base as f64)
}

/// Instruction counts: regressed when the change exceeds `thresholds.fail()`, a warning above
/// `thresholds.warn()`, improved below `-thresholds.warn()`, unchanged otherwise (the change is
/// still reported exactly). Error when `base` is zero.
pub fn compare_counts(base: u64, new: u64, thresholds: Thresholds) -> Result<CountComparison> {
    let change = relative_change("instructions.base", base, new)?;
    let verdict = if change > thresholds.fail() {
        Verdict::Regressed
    } else if change > thresholds.warn() {
        Verdict::Warning
    } else if change < -thresholds.warn() {
        Verdict::Improved
    } else {
        Verdict::Unchanged
    };
    Ok(CountComparison { change, verdict })
}

/// Peak memory: regressed when `new > limit × base`, unchanged otherwise (peak resident memory
/// moves a little with the allocator and the page cache; only growth by a factor is a signal).
/// Error when `base` is zero or `limit` is not finite and `>= 1`.
pub fn compare_peak(base: u64, new: u64, limit: f64) -> Result<CountComparison> {
    if !(limit.is_finite() && limit >= 1.0) {
        return Err(StatsError::OutOfRange {
            field: "peak_memory.limit",
            value: limit,
            expected: "finite and >= 1 (1.5 means 1.5 × the baseline)",
        });
    }
    let change = relative_change("peak_memory.base", base, new)?;
    let verdict = if change + 1.0 > limit {
        Verdict::Regressed
    } else {
        Verdict::Unchanged
    };
    Ok(CountComparison { change, verdict })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn the_default_instruction_gate() {
        let t = INSTRUCTION_THRESHOLDS;
        let v = |new| compare_counts(100_000, new, t).unwrap().verdict;
        assert_eq!(v(100_000), Verdict::Unchanged);
        assert_eq!(v(100_500), Verdict::Unchanged, "+0.5% exactly is not above");
        assert_eq!(v(100_501), Verdict::Warning);
        assert_eq!(v(101_000), Verdict::Warning);
        assert_eq!(v(101_001), Verdict::Regressed);
        assert_eq!(v(102_000), Verdict::Regressed, "the planted 2%");
        assert_eq!(v(99_000), Verdict::Improved);
        let c = compare_counts(100_000, 100_001, t).unwrap();
        assert!(
            (c.change - 1e-5).abs() < 1e-12,
            "any change is shown exactly"
        );
    }

    #[test]
    fn peak_memory_fails_only_past_the_limit() {
        let v = |new| compare_peak(1_000, new, PEAK_MEMORY_LIMIT).unwrap().verdict;
        assert_eq!(v(1_500), Verdict::Unchanged);
        assert_eq!(v(1_501), Verdict::Regressed);
        assert_eq!(v(10), Verdict::Unchanged);
        assert!(compare_peak(1_000, 1_000, 0.5).is_err());
        assert!(compare_peak(1_000, 1_000, f64::NAN).is_err());
    }

    #[test]
    fn a_zero_baseline_is_an_error() {
        assert!(compare_counts(0, 5, INSTRUCTION_THRESHOLDS).is_err());
        assert!(compare_peak(0, 5, 1.5).is_err());
    }

    proptest! {
        #[test]
        fn identical_counts_are_always_unchanged(base in 1u64..u64::MAX / 2) {
            let c = compare_counts(base, base, INSTRUCTION_THRESHOLDS).unwrap();
            prop_assert_eq!(c.verdict, Verdict::Unchanged);
            prop_assert!(c.change == 0.0);
        }

        #[test]
        fn more_instructions_never_give_a_milder_verdict(
            base in 1u64..1_000_000_000, a in 0u64..2_000_000_000, b in 0u64..2_000_000_000,
        ) {
            let (lo, hi) = (a.min(b), a.max(b));
            let v = |n| compare_counts(base, n, INSTRUCTION_THRESHOLDS).unwrap().verdict;
            prop_assert!(v(lo) <= v(hi));
        }
    }
}
