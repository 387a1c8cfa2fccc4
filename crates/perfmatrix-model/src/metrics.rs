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
    /// Not measured: `{"status": "unavailable", "why": {"because": …}}`.
    Unavailable {
        /// Why; `perfmatrix-report` words it.
        why: Unmeasured,
    },
}

/// Why a deterministic metric was not measured. Facts only: `perfmatrix-report` words them. In
/// JSON, tagged by `because`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "because", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Unmeasured {
    /// The benchmark is not registered with the harness, nor built on the criterion layer: no
    /// counting run can call it alone.
    NotOnHarness,
    /// The target runs emulated here: valgrind cannot run its binaries (under qemu-user it
    /// would count qemu, not the benchmark).
    Emulated {
        /// The target's architecture (`aarch64`).
        target_arch: String,
        /// This machine's (`x86_64`).
        host_arch: String,
    },
    /// valgrind is not on PATH.
    NoValgrind {
        /// The command that installs it.
        install: String,
    },
    /// valgrind stopped at an instruction of the counted binary it cannot decode.
    UndecodableInstruction {
        /// valgrind's line about it.
        line: String,
    },
    /// Under valgrind the code dispatched to another variant than natively (valgrind does not
    /// report all of the CPU's features), so the count would be of other code.
    OtherDispatch {
        /// The variant under valgrind.
        valgrind: String,
        /// The variant natively.
        native: String,
    },
    /// The counting process read a peak resident memory of 0.
    ZeroPeakMemory,
    /// The counting process could not read its peak resident memory.
    NoPeakMemory {
        /// What it said, if anything (`cannot read /proc/self/status: …`).
        said: Option<String>,
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

    /// Not measured, for this reason.
    #[must_use]
    pub fn unavailable(why: Unmeasured) -> Self {
        Measured::Unavailable { why }
    }

    /// Why there is no value, if there is none.
    #[must_use]
    pub fn why(&self) -> Option<&Unmeasured> {
        match self {
            Measured::Value { .. } => None,
            Measured::Unavailable { why } => Some(why),
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
