//! The run-to-run noise floor: how much a benchmark's median moves between separate runs
//! of the suite on this machine, learned from a baseline recorded K >= 2 times.

use serde::{Deserialize, Serialize};

use crate::error::{Result, StatsError, check_positive_finite};
use crate::summary::quantile_sorted;

/// A relative run-to-run noise level: 0.03 means separate runs' medians spread over 3% of
/// their median.
///
/// Invariant: finite and `>= 0`. Checked by [`NoiseFloor::new`] and on deserialisation
/// (it serialises as a bare number).
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Default, Serialize, Deserialize)]
#[serde(try_from = "f64", into = "f64")]
pub struct NoiseFloor(f64);

impl NoiseFloor {
    /// No measured noise; [`crate::Thresholds::effective`] then leaves thresholds as they are.
    pub const ZERO: Self = Self(0.0);

    /// Wraps a relative noise level. [`StatsError::OutOfRange`] naming `noise_floor` unless
    /// `value` is finite and `>= 0`.
    pub fn new(value: f64) -> Result<Self> {
        if value.is_finite() && value >= 0.0 {
            // `-0.0 >= 0.0`: normalise so that the stored value is never negative zero.
            Ok(Self(value + 0.0))
        } else {
            Err(StatsError::OutOfRange {
                field: "noise_floor",
                value,
                expected: "finite and >= 0",
            })
        }
    }

    /// The relative noise level.
    #[must_use]
    pub fn get(self) -> f64 {
        self.0
    }
}

impl TryFrom<f64> for NoiseFloor {
    type Error = StatsError;

    fn try_from(value: f64) -> Result<Self> {
        Self::new(value)
    }
}

impl From<NoiseFloor> for f64 {
    fn from(noise: NoiseFloor) -> Self {
        noise.0
    }
}

/// The noise floor of one benchmark from the medians of K separate runs of the suite:
/// the relative range `(max - min) / median` of `run_medians`.
///
/// Scale-invariant (multiplying every median by the same constant leaves it unchanged, up
/// to rounding) and exactly 0 when all medians are equal. The baseline should be recorded
/// with K >= 3 runs: with K = 2 the range is a single difference and underestimates noise
/// often.
///
/// Errors, each naming `run_medians`: [`StatsError::TooFew`] if K < 2;
/// [`StatsError::NonFinite`] / [`StatsError::NotPositive`] with the index of a bad
/// median; [`StatsError::OutOfRange`] if the relative range overflows `f64` (medians
/// spanning hundreds of orders of magnitude).
///
/// Cost: O(K log K).
pub fn run_to_run_noise(run_medians: &[f64]) -> Result<NoiseFloor> {
    const FIELD: &str = "run_medians";
    if run_medians.len() < 2 {
        return Err(StatsError::TooFew {
            field: FIELD,
            got: run_medians.len(),
            min: 2,
        });
    }
    check_positive_finite(FIELD, run_medians)?;
    let mut sorted = run_medians.to_vec();
    sorted.sort_unstable_by(f64::total_cmp);
    let range = sorted[sorted.len() - 1] - sorted[0];
    let relative = range / quantile_sorted(&sorted, 0.5);
    NoiseFloor::new(relative).map_err(|_| StatsError::OutOfRange {
        field: FIELD,
        value: relative,
        expected: "medians whose relative range (max - min) / median is finite",
    })
}

#[cfg(test)]
#[allow(clippy::float_cmp, reason = "these tests expect exact values")]
mod tests {
    use super::*;

    #[test]
    fn relative_range_known_value() {
        // median 100, range 110 - 95 = 15 → 0.15
        let noise = run_to_run_noise(&[100.0, 110.0, 95.0]).unwrap();
        assert!((noise.get() - 0.15).abs() < 1e-12);
    }

    #[test]
    fn equal_medians_have_zero_noise() {
        assert_eq!(run_to_run_noise(&[42.0; 4]).unwrap(), NoiseFloor::ZERO);
    }

    #[test]
    fn fewer_than_two_runs_is_rejected_naming_the_field() {
        for medians in [&[][..], &[1.0][..]] {
            let err = run_to_run_noise(medians).unwrap_err();
            assert!(err.to_string().starts_with("run_medians has "), "{err}");
            assert!(err.to_string().contains("at least 2"), "{err}");
        }
    }

    #[test]
    fn bad_medians_are_rejected_naming_field_and_index() {
        let err = run_to_run_noise(&[1.0, f64::NAN, 2.0]).unwrap_err();
        assert!(err.to_string().contains("run_medians[1] = NaN"), "{err}");
        let err = run_to_run_noise(&[1.0, 2.0, 0.0]).unwrap_err();
        assert!(err.to_string().contains("run_medians[2] = 0"), "{err}");
        let err = run_to_run_noise(&[-1.0, 2.0]).unwrap_err();
        assert!(err.to_string().contains("run_medians[0] = -1"), "{err}");
    }

    #[test]
    fn overflowing_range_is_rejected() {
        let err = run_to_run_noise(&[1e-300, 1e-300, 1e300]).unwrap_err();
        assert!(matches!(
            err,
            StatsError::OutOfRange {
                field: "run_medians",
                ..
            }
        ));
    }

    #[test]
    fn noise_floor_new_validates() {
        assert_eq!(NoiseFloor::new(0.02).unwrap().get(), 0.02);
        assert!(NoiseFloor::new(-0.0).unwrap().get().is_sign_positive());
        for bad in [-0.1, f64::NAN, f64::INFINITY] {
            let err = NoiseFloor::new(bad).unwrap_err();
            assert!(err.to_string().starts_with("noise_floor = "), "{err}");
        }
    }
}
