//! The crate's single error type, [`StatsError`]: every message names the offending field
//! (and index, for sequences) and the rejected value.

use thiserror::Error;

/// Shorthand for results whose error is [`StatsError`].
pub type Result<T, E = StatsError> = std::result::Result<T, E>;

/// Invalid input to a statistic. Each variant names the field it is about.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum StatsError {
    /// A sequence that needs at least one value had none.
    #[error("{field} is empty: at least one value is required")]
    Empty {
        /// The name of the sequence, e.g. `sample`.
        field: &'static str,
    },
    /// A sequence had fewer values than the statistic needs.
    #[error("{field} has {got} value(s): at least {min} are required")]
    TooFew {
        /// The name of the sequence, e.g. `run_medians`.
        field: &'static str,
        /// How many values it had.
        got: usize,
        /// How many it needs.
        min: usize,
    },
    /// An element of a sequence was NaN or infinite.
    #[error("{field}[{index}] = {value} is not finite")]
    NonFinite {
        /// The name of the sequence.
        field: &'static str,
        /// The position of the offending element.
        index: usize,
        /// The offending element.
        value: f64,
    },
    /// An element of a sequence of times was zero or negative.
    #[error("{field}[{index}] = {value} is not > 0 (times are positive nanoseconds)")]
    NotPositive {
        /// The name of the sequence.
        field: &'static str,
        /// The position of the offending element.
        index: usize,
        /// The offending element.
        value: f64,
    },
    /// An element of a sequence that must be `>= 0` (a standard error) was negative.
    #[error("{field}[{index}] = {value} is negative: expected >= 0")]
    Negative {
        /// The name of the sequence, e.g. `changes.standard_error`.
        field: &'static str,
        /// The position of the offending element.
        index: usize,
        /// The offending element.
        value: f64,
    },
    /// A scalar parameter was outside its allowed range (NaN is always outside).
    #[error("{field} = {value} is out of range: expected {expected}")]
    OutOfRange {
        /// The parameter's name, e.g. `confidence`.
        field: &'static str,
        /// The rejected value.
        value: f64,
        /// The allowed range, in words, e.g. `0 < confidence < 1`.
        expected: &'static str,
    },
    /// A count parameter was too small.
    #[error("{field} = {value} is too small: expected at least {min}")]
    CountTooSmall {
        /// The parameter's name, e.g. `resamples`.
        field: &'static str,
        /// The rejected value.
        value: usize,
        /// The smallest allowed value.
        min: usize,
    },
    /// An interval whose bounds are NaN or not ordered `lower <= estimate <= upper`.
    #[error(
        "interval (lower = {lower}, estimate = {estimate}, upper = {upper}) is not ordered \
         lower <= estimate <= upper"
    )]
    UnorderedInterval {
        /// The rejected lower bound.
        lower: f64,
        /// The rejected point estimate.
        estimate: f64,
        /// The rejected upper bound.
        upper: f64,
    },
    /// Thresholds with `warn > fail` (each is valid on its own).
    #[error("thresholds.warn = {warn} exceeds thresholds.fail = {fail}: expected warn <= fail")]
    WarnAboveFail {
        /// The rejected warning threshold.
        warn: f64,
        /// The rejected failure threshold.
        fail: f64,
    },
}

/// Checks that `value` is finite and strictly inside `(0, 1)`.
pub(crate) fn check_open_unit(
    field: &'static str,
    value: f64,
    expected: &'static str,
) -> Result<f64> {
    if value > 0.0 && value < 1.0 {
        Ok(value)
    } else {
        Err(StatsError::OutOfRange {
            field,
            value,
            expected,
        })
    }
}

/// Checks that every element of `values` is finite and `> 0`, naming `field` on failure.
pub(crate) fn check_positive_finite(field: &'static str, values: &[f64]) -> Result<()> {
    for (index, &value) in values.iter().enumerate() {
        if !value.is_finite() {
            return Err(StatsError::NonFinite {
                field,
                index,
                value,
            });
        }
        if value <= 0.0 {
            return Err(StatsError::NotPositive {
                field,
                index,
                value,
            });
        }
    }
    Ok(())
}
