//! Deterministic metrics of a benchmark beside its wall time: the instructions one call of the
//! benchmarked routine executes (counted under valgrind) and the peak resident memory of the
//! process that made that call. Each is a value or the reason there is none — never a zero that
//! could pass for a measurement.

use serde::{Deserialize, Serialize};

/// A deterministic measurement, or why it could not be made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Measured {
    /// Measured: `{"status": "value", "value": …}`.
    Value {
        /// The count: instructions, or bytes of peak memory. Never 0 in a file (loading refuses
        /// it: the counting run writes `Unavailable` instead).
        value: u64,
    },
    /// Not measured: `{"status": "unavailable", "reason": …}`.
    Unavailable {
        /// Why, in words for the report (`valgrind is not installed`).
        reason: String,
    },
}

impl Measured {
    /// The value, if measured.
    #[must_use]
    pub fn value(&self) -> Option<u64> {
        match self {
            Measured::Value { value } => Some(*value),
            Measured::Unavailable { .. } => None,
        }
    }

    /// Why there is no value, if there is none.
    #[must_use]
    pub fn reason(&self) -> Option<&str> {
        match self {
            Measured::Value { .. } => None,
            Measured::Unavailable { reason } => Some(reason),
        }
    }

    /// An unavailable measurement with this reason.
    #[must_use]
    pub fn unavailable(reason: impl Into<String>) -> Self {
        Measured::Unavailable {
            reason: reason.into(),
        }
    }
}

/// What the counting run measured for one benchmark.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Counts {
    /// Instructions of one call of the benchmarked routine, setup and input generation excluded.
    pub instructions: Measured,
    /// Peak resident memory of the counting process that made the call, in bytes.
    pub peak_rss_bytes: Measured,
}
