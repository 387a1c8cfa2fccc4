//! Percentile-bootstrap confidence interval of the relative change of medians,
//! `median(new) / median(base) - 1`, and the [`Interval`] type that carries it.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

use crate::error::{Result, StatsError, check_open_unit};
use crate::sample::Sample;
use crate::summary::{median_in_place, quantile_sorted};

/// A point estimate with a confidence interval around it.
///
/// Invariant: `lower <= estimate <= upper`, none of them NaN (bounds may be infinite only
/// if a ratio overflowed `f64`). Checked by [`Interval::new`] and on deserialisation.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawInterval")]
pub struct Interval {
    lower: f64,
    estimate: f64,
    upper: f64,
}

/// The unchecked shape of an [`Interval`] for deserialisation.
#[derive(Deserialize)]
struct RawInterval {
    lower: f64,
    estimate: f64,
    upper: f64,
}

impl TryFrom<RawInterval> for Interval {
    type Error = StatsError;

    fn try_from(raw: RawInterval) -> Result<Self> {
        Self::new(raw.lower, raw.estimate, raw.upper)
    }
}

impl Interval {
    /// Builds an interval, rejecting NaN and bounds that are not ordered
    /// `lower <= estimate <= upper` with [`StatsError::UnorderedInterval`].
    pub fn new(lower: f64, estimate: f64, upper: f64) -> Result<Self> {
        // Written so that any NaN fails the check.
        if lower <= estimate && estimate <= upper {
            Ok(Self {
                lower,
                estimate,
                upper,
            })
        } else {
            Err(StatsError::UnorderedInterval {
                lower,
                estimate,
                upper,
            })
        }
    }

    /// The lower bound.
    #[must_use]
    pub fn lower(&self) -> f64 {
        self.lower
    }

    /// The point estimate from the original (not resampled) data.
    #[must_use]
    pub fn estimate(&self) -> f64 {
        self.estimate
    }

    /// The upper bound.
    #[must_use]
    pub fn upper(&self) -> f64 {
        self.upper
    }

    /// `upper - lower`, never negative.
    #[must_use]
    pub fn width(&self) -> f64 {
        self.upper - self.lower
    }

    /// Whether `value` lies in `[lower, upper]`.
    #[must_use]
    pub fn contains(&self, value: f64) -> bool {
        self.lower <= value && value <= self.upper
    }
}

/// The relative change `new / base - 1` of two positive medians: 0.10 means 10% slower.
/// Always `>= -1`; `+∞` only if the ratio overflows `f64`.
#[must_use]
pub fn relative_change(base_median: f64, new_median: f64) -> f64 {
    new_median / base_median - 1.0
}

/// Percentile-bootstrap confidence interval of `median(new) / median(base) - 1`.
///
/// Each of `resamples` rounds draws `base.len()` values from `base` and `new.len()` values
/// from `new`, independently and with replacement, and records the relative change of the
/// two resampled medians. The bounds are the `(1 - confidence) / 2` and
/// `(1 + confidence) / 2` quantiles (linearly interpolated) of those recorded changes. The
/// estimate is the relative change of the original medians.
///
/// The percentile interval need not contain the point estimate (with few resamples, or a
/// skewed bootstrap distribution, both bounds can fall on one side of it). The bounds are
/// therefore clamped: `lower = min(lower, estimate)`, `upper = max(upper, estimate)`, so
/// that `lower <= estimate <= upper` always holds.
///
/// Deterministic: the same samples (as multisets: resampling draws from the sorted
/// values), `confidence`, `resamples` and `seed` give the same interval, on every platform
/// (`StdRng::seed_from_u64`, for a fixed version of `rand`).
///
/// Errors: [`StatsError::OutOfRange`] naming `confidence` unless `0 < confidence < 1`;
/// [`StatsError::CountTooSmall`] naming `resamples` if it is 0.
///
/// Cost: O(resamples · (len(base) + len(new))) expected time (medians by selection) plus
/// O(resamples · log resamples) for the final sort; O(resamples + len(base) + len(new))
/// memory. The default of 10,000 resamples on two samples of 100 values is a few million
/// elementary steps.
pub fn relative_change_ci(
    base: &Sample,
    new: &Sample,
    confidence: f64,
    resamples: usize,
    seed: u64,
) -> Result<Interval> {
    check_open_unit("confidence", confidence, "0 < confidence < 1")?;
    if resamples == 0 {
        return Err(StatsError::CountTooSmall {
            field: "resamples",
            value: resamples,
            min: 1,
        });
    }
    let estimate = relative_change(base.median(), new.median());

    let mut rng = StdRng::seed_from_u64(seed);
    let mut base_buf = Vec::with_capacity(base.len());
    let mut new_buf = Vec::with_capacity(new.len());
    let mut changes = Vec::with_capacity(resamples);
    for _ in 0..resamples {
        let base_median = resampled_median(base.sorted(), &mut base_buf, &mut rng);
        let new_median = resampled_median(new.sorted(), &mut new_buf, &mut rng);
        changes.push(relative_change(base_median, new_median));
    }
    changes.sort_unstable_by(f64::total_cmp);

    let tail = (1.0 - confidence) / 2.0;
    let lower = quantile_sorted(&changes, tail).min(estimate);
    let upper = quantile_sorted(&changes, 1.0 - tail).max(estimate);
    Interval::new(lower, estimate, upper)
}

/// The median of `values.len()` draws with replacement from `values`, using `buf` as
/// scratch space.
fn resampled_median(values: &[f64], buf: &mut Vec<f64>, rng: &mut StdRng) -> f64 {
    buf.clear();
    buf.extend((0..values.len()).map(|_| values[rng.random_range(0..values.len())]));
    median_in_place(buf)
}

#[cfg(test)]
#[allow(clippy::float_cmp, reason = "these tests expect exact values")]
mod tests {
    use super::*;

    fn sample(values: &[f64]) -> Sample {
        Sample::try_from(values).expect("valid sample")
    }

    fn spread(start: f64, n: u32) -> Sample {
        let values: Vec<f64> = (0..n).map(|i| start + f64::from(i % 17)).collect();
        sample(&values)
    }

    #[test]
    fn estimate_is_the_change_of_original_medians() {
        let ci = relative_change_ci(&spread(100.0, 40), &spread(120.0, 40), 0.95, 500, 1).unwrap();
        let expected = spread(120.0, 40).median() / spread(100.0, 40).median() - 1.0;
        assert_eq!(ci.estimate(), expected);
        assert!(ci.lower() <= ci.estimate() && ci.estimate() <= ci.upper());
        assert!(
            ci.lower() > 0.0,
            "a 20-unit shift on a 17-unit spread: {ci:?}"
        );
    }

    #[test]
    fn same_seed_same_interval_different_seed_may_differ() {
        let (a, b) = (spread(100.0, 30), spread(103.0, 30));
        let one = relative_change_ci(&a, &b, 0.99, 300, 7).unwrap();
        let two = relative_change_ci(&a, &b, 0.99, 300, 7).unwrap();
        assert_eq!(one, two);
    }

    #[test]
    fn single_resample_is_clamped_around_the_estimate() {
        let ci = relative_change_ci(&spread(100.0, 20), &spread(110.0, 20), 0.5, 1, 3).unwrap();
        assert!(ci.contains(ci.estimate()));
    }

    #[test]
    fn constant_samples_give_a_point_interval() {
        let ci = relative_change_ci(&sample(&[10.0; 5]), &sample(&[15.0; 7]), 0.9, 50, 0).unwrap();
        assert_eq!((ci.lower(), ci.estimate(), ci.upper()), (0.5, 0.5, 0.5));
        assert_eq!(ci.width(), 0.0);
    }

    #[test]
    fn bad_confidence_is_rejected_naming_the_field() {
        let s = sample(&[1.0, 2.0]);
        for confidence in [0.0, 1.0, -0.5, 1.5, f64::NAN, f64::INFINITY] {
            let err = relative_change_ci(&s, &s, confidence, 10, 0).unwrap_err();
            assert!(matches!(
                err,
                StatsError::OutOfRange {
                    field: "confidence",
                    ..
                }
            ));
            assert!(err.to_string().starts_with("confidence = "), "{err}");
        }
    }

    #[test]
    fn zero_resamples_is_rejected_naming_the_field() {
        let s = sample(&[1.0, 2.0]);
        let err = relative_change_ci(&s, &s, 0.9, 0, 0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "resamples = 0 is too small: expected at least 1"
        );
    }

    #[test]
    fn interval_new_rejects_disorder_and_nan() {
        assert!(Interval::new(0.0, 1.0, 2.0).is_ok());
        assert!(Interval::new(1.0, 1.0, 1.0).is_ok());
        let err = Interval::new(0.5, 0.1, 1.0).unwrap_err();
        assert!(err.to_string().contains("estimate = 0.1"), "{err}");
        assert!(Interval::new(f64::NAN, 0.0, 1.0).is_err());
        assert!(Interval::new(0.0, 0.0, f64::NAN).is_err());
    }
}
