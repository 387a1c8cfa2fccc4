//! [`Thresholds`]: the relative slowdowns that make a benchmark a warning or a failure, and
//! how the run-to-run noise floor raises them.

use serde::{Deserialize, Serialize};

use crate::error::{Result, StatsError};
use crate::noise::NoiseFloor;

/// Relative slowdowns that make a benchmark a warning or a failure: `warn = 0.05` means
/// "5% slower than the baseline median".
///
/// Invariant: both finite and `0 < warn <= fail`. Checked by [`Thresholds::new`] and on
/// deserialisation.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawThresholds")]
pub struct Thresholds {
    warn: f64,
    fail: f64,
}

/// The unchecked shape of [`Thresholds`] for deserialisation.
#[derive(Deserialize)]
struct RawThresholds {
    warn: f64,
    fail: f64,
}

impl TryFrom<RawThresholds> for Thresholds {
    type Error = StatsError;

    fn try_from(raw: RawThresholds) -> Result<Self> {
        Self::new(raw.warn, raw.fail)
    }
}

impl Default for Thresholds {
    /// [`Thresholds::DEFAULT`]: `warn = 0.05`, `fail = 0.10`.
    fn default() -> Self {
        Self::DEFAULT
    }
}

impl Thresholds {
    /// The defaults: warn at 5% slower, fail at 10% slower.
    pub const DEFAULT: Self = Self {
        warn: 0.05,
        fail: 0.10,
    };

    /// Paired mode's defaults, `warn = 0.02`, `fail = 0.05`: a change measured against its base in
    /// the same run resolves far smaller changes than a comparison with a recorded baseline.
    pub const PAIRED: Self = Self {
        warn: 0.02,
        fail: 0.05,
    };

    /// The default gate on exact instruction counts: warn above +0.5%, fail above +1%.
    pub const INSTRUCTIONS: Self = Self {
        warn: 0.005,
        fail: 0.01,
    };

    /// Validates and builds thresholds. Errors: [`StatsError::OutOfRange`] naming
    /// `thresholds.warn` or `thresholds.fail` if one is not finite and `> 0`;
    /// [`StatsError::WarnAboveFail`] if `warn > fail`.
    pub fn new(warn: f64, fail: f64) -> Result<Self> {
        for (field, value) in [("thresholds.warn", warn), ("thresholds.fail", fail)] {
            if !(value.is_finite() && value > 0.0) {
                return Err(StatsError::OutOfRange {
                    field,
                    value,
                    expected: "finite and > 0",
                });
            }
        }
        if warn > fail {
            return Err(StatsError::WarnAboveFail { warn, fail });
        }
        Ok(Self { warn, fail })
    }

    /// The relative slowdown from which a significant change is a [`crate::Verdict::Warning`].
    #[must_use]
    pub fn warn(self) -> f64 {
        self.warn
    }

    /// The relative slowdown from which a significant change is a [`crate::Verdict::Regressed`].
    #[must_use]
    pub fn fail(self) -> f64 {
        self.fail
    }

    /// The thresholds actually applied to a benchmark with run-to-run noise `noise`: each
    /// raised to at least the noise floor, `max(warn, noise)` and `max(fail, noise)`, so a
    /// benchmark is never judged below what it measurably varies by between runs. The
    /// invariant `0 < warn <= fail` is preserved.
    #[must_use]
    pub fn effective(self, noise: NoiseFloor) -> Self {
        Self {
            warn: self.warn.max(noise.get()),
            fail: self.fail.max(noise.get()),
        }
    }
}

#[cfg(test)]
#[allow(clippy::float_cmp, reason = "these tests expect exact values")]
mod tests {
    use super::*;

    #[test]
    fn thresholds_default_and_effective() {
        let t = Thresholds::default();
        assert_eq!((t.warn(), t.fail()), (0.05, 0.10));
        let e = t.effective(NoiseFloor::new(0.07).unwrap());
        assert_eq!((e.warn(), e.fail()), (0.07, 0.10));
        let e = t.effective(NoiseFloor::new(0.25).unwrap());
        assert_eq!((e.warn(), e.fail()), (0.25, 0.25));
        assert_eq!(t.effective(NoiseFloor::ZERO), t);
    }

    #[test]
    fn bad_thresholds_are_rejected_naming_the_field() {
        let err = Thresholds::new(0.0, 0.1).unwrap_err();
        assert!(err.to_string().starts_with("thresholds.warn = 0 "), "{err}");
        let err = Thresholds::new(0.05, f64::NAN).unwrap_err();
        assert!(
            err.to_string().starts_with("thresholds.fail = NaN "),
            "{err}"
        );
        let err = Thresholds::new(-0.05, 0.1).unwrap_err();
        assert!(
            err.to_string().starts_with("thresholds.warn = -0.05 "),
            "{err}"
        );
        let err = Thresholds::new(0.2, 0.1).unwrap_err();
        assert_eq!(
            err.to_string(),
            "thresholds.warn = 0.2 exceeds thresholds.fail = 0.1: expected warn <= fail"
        );
        assert!(Thresholds::new(0.1, 0.1).is_ok());
    }
}
