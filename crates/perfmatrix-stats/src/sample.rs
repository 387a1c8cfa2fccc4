//! [`Sample`]: the per-iteration times of one benchmark run, validated once on construction.

use serde::{Deserialize, Serialize};

use crate::bootstrap::Interval;
use crate::error::{Result, StatsError, check_open_unit, check_positive_finite};
use crate::summary::{median_in_place, quantile_sorted};

/// The field name used in [`StatsError`]s about a sample's values.
const FIELD: &str = "sample";

/// Per-iteration times in nanoseconds of one benchmark run.
///
/// Invariant: non-empty, and every value is finite and `> 0`. It is checked once by
/// [`Sample::new`], so every function taking a `&Sample` relies on it without re-checking.
/// An ascending copy is kept beside the values in their original order, so quantiles cost
/// O(1).
///
/// Serialises as a plain sequence of numbers; deserialising re-runs the checks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "Vec<f64>", into = "Vec<f64>")]
pub struct Sample {
    values: Box<[f64]>,
    sorted: Box<[f64]>,
}

impl Sample {
    /// Validates `values` and builds a sample.
    ///
    /// Errors name the field `sample` and, for a bad value, its index and value:
    /// [`StatsError::Empty`], [`StatsError::NonFinite`] (NaN, ±∞) or
    /// [`StatsError::NotPositive`] (zero or negative).
    ///
    /// Cost: O(n log n) (one sort).
    pub fn new(values: Vec<f64>) -> Result<Self> {
        if values.is_empty() {
            return Err(StatsError::Empty { field: FIELD });
        }
        check_positive_finite(FIELD, &values)?;
        let mut sorted = values.clone();
        sorted.sort_unstable_by(f64::total_cmp);
        Ok(Self {
            values: values.into_boxed_slice(),
            sorted: sorted.into_boxed_slice(),
        })
    }

    /// The number of values; always at least 1.
    #[must_use]
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Always `false`: a sample is never empty. Provided for API symmetry with slices.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The values in their original order.
    #[must_use]
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// The values in ascending order.
    #[must_use]
    pub fn sorted(&self) -> &[f64] {
        &self.sorted
    }

    /// The smallest value. Cost: O(1).
    #[must_use]
    pub fn min(&self) -> f64 {
        self.sorted[0]
    }

    /// The largest value. Cost: O(1).
    #[must_use]
    pub fn max(&self) -> f64 {
        self.sorted[self.sorted.len() - 1]
    }

    /// The `p`-quantile with linear interpolation between order statistics
    /// (Hyndman–Fan type 7, as R's and NumPy's defaults): `quantile(0.0)` is the minimum,
    /// `quantile(1.0)` the maximum. Cost: O(1).
    ///
    /// # Panics
    ///
    /// Panics if `p` is not in `[0, 1]` (NaN included).
    #[must_use]
    pub fn quantile(&self, p: f64) -> f64 {
        quantile_sorted(&self.sorted, p)
    }

    /// The median: the middle value, or the mean of the two middle values for an even
    /// length. Cost: O(1).
    #[must_use]
    pub fn median(&self) -> f64 {
        self.quantile(0.5)
    }

    /// The median absolute deviation from the median, unscaled (multiply by 1.4826 for a
    /// consistent estimate of a normal standard deviation). Cost: O(n) expected.
    #[must_use]
    pub fn mad(&self) -> f64 {
        let median = self.median();
        let mut deviations: Vec<f64> = self.sorted.iter().map(|x| (x - median).abs()).collect();
        median_in_place(&mut deviations)
    }

    /// A distribution-free confidence interval of the median at `confidence` (e.g. 0.95), from
    /// order statistics: the ranks `j < k` are the widest symmetric pair for which
    /// `P(X(j) ≤ median ≤ X(k)) ≥ confidence` under the exact Binomial(n, ½) law of how many values
    /// fall below the median. No assumption about the shape of the distribution; for a sample too
    /// small for the confidence asked (n < 6 at 95%) the interval is the whole range. Cost: O(n).
    ///
    /// # Errors
    ///
    /// [`StatsError::OutOfRange`] (field `confidence`) unless `0 < confidence < 1`.
    pub fn median_interval(&self, confidence: f64) -> Result<Interval> {
        check_open_unit("confidence", confidence, "in (0, 1)")?;
        let n = self.len();
        // P(B ≤ j − 1) for B ~ Binomial(n, ½), accumulated in log space (2^-n underflows).
        let alpha_half = (1.0 - confidence) / 2.0;
        let ln_half_n = -(n as f64) * std::f64::consts::LN_2;
        let mut ln_choose = 0.0_f64; // ln C(n, 0)
        let mut below = 0.0_f64; // P(B ≤ j − 1) at step j
        // The lower bound X(r) (1-based) misses the median when at most r − 1 values lie below
        // it: the largest r with P(B ≤ r − 1) ≤ α/2, kept at index r − 1; r = 1 at least.
        let mut lower_rank = 0_usize;
        for j in 0..n / 2 {
            let p_j = (ln_choose + ln_half_n).exp();
            if below + p_j > alpha_half {
                break;
            }
            below += p_j;
            lower_rank = j;
            ln_choose += ((n - j) as f64).ln() - ((j + 1) as f64).ln();
        }
        // Symmetric: X(n − 1 − lower_rank) (0-based) is the upper bound.
        let upper_rank = (n - 1 - lower_rank).max(lower_rank);
        Interval::new(
            self.sorted[lower_rank],
            self.median(),
            self.sorted[upper_rank],
        )
    }

    /// The arithmetic mean. Each value is divided by the length before summing, so the
    /// result is finite for any valid sample. Cost: O(n).
    #[must_use]
    pub fn mean(&self) -> f64 {
        let n = self.len() as f64;
        self.values.iter().map(|x| x / n).sum()
    }
}

impl TryFrom<Vec<f64>> for Sample {
    type Error = StatsError;

    fn try_from(values: Vec<f64>) -> Result<Self> {
        Self::new(values)
    }
}

impl TryFrom<&[f64]> for Sample {
    type Error = StatsError;

    fn try_from(values: &[f64]) -> Result<Self> {
        Self::new(values.to_vec())
    }
}

impl From<Sample> for Vec<f64> {
    fn from(sample: Sample) -> Self {
        sample.values.into_vec()
    }
}

#[cfg(test)]
#[allow(clippy::float_cmp, reason = "these tests expect exact values")]
mod tests {
    use super::*;

    fn sample(values: &[f64]) -> Sample {
        Sample::try_from(values).expect("valid sample")
    }

    #[test]
    fn median_interval_uses_the_binomial_ranks() {
        // n = 100 at 95%: the 40th and 61st order statistics (tables of the sign test).
        let values: Vec<f64> = (1..=100).map(f64::from).collect();
        let ci = sample(&values).median_interval(0.95).unwrap();
        assert_eq!((ci.lower(), ci.estimate(), ci.upper()), (40.0, 50.5, 61.0));
        // n = 5: even the extremes cover the median with only 1 − 2/32 < 95%.
        let ci = sample(&[5.0, 1.0, 3.0, 2.0, 4.0])
            .median_interval(0.95)
            .unwrap();
        assert_eq!((ci.lower(), ci.upper()), (1.0, 5.0));
        // n = 1: a point.
        let ci = sample(&[7.0]).median_interval(0.95).unwrap();
        assert_eq!((ci.lower(), ci.estimate(), ci.upper()), (7.0, 7.0, 7.0));
        assert!(sample(&[1.0]).median_interval(1.0).is_err());
        assert!(sample(&[1.0]).median_interval(f64::NAN).is_err());
    }

    #[test]
    fn median_of_odd_length_is_the_middle_value() {
        assert_eq!(sample(&[9.0, 1.0, 5.0]).median(), 5.0);
    }

    #[test]
    fn median_of_even_length_is_the_mean_of_the_middle_two() {
        assert_eq!(sample(&[4.0, 1.0, 3.0, 2.0]).median(), 2.5);
    }

    #[test]
    fn median_of_one_value_is_that_value() {
        assert_eq!(sample(&[42.0]).median(), 42.0);
    }

    #[test]
    fn keeps_original_order_and_a_sorted_copy() {
        let s = sample(&[3.0, 1.0, 2.0]);
        assert_eq!(s.values(), &[3.0, 1.0, 2.0]);
        assert_eq!(s.sorted(), &[1.0, 2.0, 3.0]);
        assert_eq!((s.min(), s.max(), s.len()), (1.0, 3.0, 3));
        assert!(!s.is_empty());
    }

    #[test]
    fn quantile_interpolates() {
        let s = sample(&[10.0, 20.0, 30.0, 40.0, 50.0]);
        assert_eq!(s.quantile(0.0), 10.0);
        assert_eq!(s.quantile(1.0), 50.0);
        assert!((s.quantile(0.1) - 14.0).abs() < 1e-12);
        assert!((s.quantile(0.9) - 46.0).abs() < 1e-12);
    }

    #[test]
    #[should_panic(expected = "not in [0, 1]")]
    fn quantile_panics_on_nan() {
        let _ = sample(&[1.0]).quantile(f64::NAN);
    }

    #[test]
    fn mad_and_mean_known_values() {
        // median 3; deviations 2, 1, 0, 1, 97 → sorted 0, 1, 1, 2, 97 → 1
        let s = sample(&[1.0, 2.0, 3.0, 4.0, 100.0]);
        assert_eq!(s.mad(), 1.0);
        assert!((s.mean() - 22.0).abs() < 1e-12);
        assert_eq!(sample(&[5.0, 5.0]).mad(), 0.0);
    }

    #[test]
    fn mean_does_not_overflow() {
        let s = sample(&[f64::MAX, f64::MAX]);
        assert!(s.mean().is_finite());
    }

    #[test]
    fn empty_sample_is_rejected_naming_the_field() {
        let err = Sample::new(Vec::new()).unwrap_err();
        assert_eq!(err, StatsError::Empty { field: "sample" });
        assert!(err.to_string().contains("sample is empty"), "{err}");
    }

    #[test]
    fn nan_is_rejected_naming_field_and_index() {
        let err = Sample::new(vec![1.0, f64::NAN]).unwrap_err();
        assert!(matches!(
            err,
            StatsError::NonFinite {
                field: "sample",
                index: 1,
                ..
            }
        ));
        assert!(err.to_string().contains("sample[1] = NaN"), "{err}");
    }

    #[test]
    fn infinity_is_rejected() {
        let err = Sample::new(vec![f64::INFINITY]).unwrap_err();
        assert!(err.to_string().contains("sample[0] = inf"), "{err}");
    }

    #[test]
    fn zero_is_rejected_naming_field_and_index() {
        let err = Sample::new(vec![1.0, 2.0, 0.0]).unwrap_err();
        assert!(matches!(
            err,
            StatsError::NotPositive {
                field: "sample",
                index: 2,
                ..
            }
        ));
        assert!(err.to_string().contains("sample[2] = 0"), "{err}");
    }

    #[test]
    fn negative_is_rejected_naming_field_and_index() {
        let err = Sample::new(vec![-3.5]).unwrap_err();
        assert!(
            err.to_string().contains("sample[0] = -3.5 is not > 0"),
            "{err}"
        );
    }

    #[test]
    fn vec_round_trip_revalidates() {
        let s = sample(&[3.0, 1.0]);
        let back: Vec<f64> = s.clone().into();
        assert_eq!(back, vec![3.0, 1.0]);
        assert_eq!(Sample::try_from(back).unwrap(), s);
    }

    proptest::proptest! {
        #[test]
        fn median_interval_brackets_the_median_within_the_range(
            values in proptest::collection::vec(1e-3_f64..1e9, 1..400),
            confidence in 0.5_f64..0.999,
        ) {
            let s = sample(&values);
            let ci = s.median_interval(confidence).unwrap();
            proptest::prop_assert!(s.min() <= ci.lower() && ci.upper() <= s.max());
            proptest::prop_assert_eq!(ci.estimate(), s.median());
            // A higher confidence never narrows it.
            let wider = s.median_interval(confidence.midpoint(1.0)).unwrap();
            proptest::prop_assert!(wider.lower() <= ci.lower() && ci.upper() <= wider.upper());
        }
    }
}
