//! The one error type of the kernels' safe API: each variant names the argument that was wrong.

use crate::Variant;

/// Why a kernel call was refused. Nothing is computed or written when an error is returned.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum KernelError {
    /// A slice does not have the length the other arguments imply.
    #[error("`{argument}` has {actual} elements, expected {expected}")]
    LengthMismatch {
        /// Name of the slice argument, as in the method's signature.
        argument: &'static str,
        /// Length the other arguments imply.
        expected: usize,
        /// Length of the slice that was passed.
        actual: usize,
    },
    /// `rows × cols` does not fit in `usize`.
    #[error("`{argument}`: {rows} × {cols} elements overflows the address space")]
    SizeOverflow {
        /// Name of the row-major matrix argument whose size was being computed.
        argument: &'static str,
        /// Number of rows the other arguments imply.
        rows: usize,
        /// Number of columns (elements per row) the other arguments imply.
        cols: usize,
    },
    /// A scalar parameter is NaN or infinite.
    #[error("`{argument}` must be finite, got {value}")]
    NonFinite {
        /// Name of the parameter.
        argument: &'static str,
        /// The value that was passed.
        value: f32,
    },
    /// A scalar parameter is negative where only `>= 0` makes sense.
    #[error("`{argument}` must be >= 0, got {value}")]
    Negative {
        /// Name of the parameter.
        argument: &'static str,
        /// The value that was passed.
        value: f32,
    },
    /// An element of an input slice is outside the range the kernel is defined on.
    #[error("`{argument}[{index}]` = {value} is outside {range}")]
    OutOfRange {
        /// Name of the slice argument.
        argument: &'static str,
        /// Index of the first element outside the range.
        index: usize,
        /// That element, widened to `f64` (exactly, for every `f32` and `u32`).
        value: f64,
        /// The range the kernel is defined on, as text (`[0, 1]`, `0..node count`).
        range: &'static str,
    },
    /// The CSR offsets are not a valid prefix-sum array.
    #[error("`offsets[{index}]` = {value}: {reason}")]
    InvalidOffsets {
        /// Index of the first offset that breaks the rule.
        index: usize,
        /// That offset.
        value: u32,
        /// The rule it breaks, as a sentence.
        reason: &'static str,
    },
    /// The graph is larger than the kernels' 32-bit indices can address.
    #[error("`{argument}` has {actual} entries, more than the kernels' limit of {limit}")]
    TooLarge {
        /// Name of the argument that sets the node count.
        argument: &'static str,
        /// The node count it asks for.
        actual: usize,
        /// The largest node count the kernels accept ([`MAX_NODES`](crate::MAX_NODES)).
        limit: usize,
    },
    /// A variant was requested that this CPU or build cannot run.
    #[error("kernel variant `{0}` is not supported on this CPU or target")]
    UnsupportedVariant(Variant),
    /// `PERFMATRIX_KERNEL_VARIANT` holds an unknown name.
    #[error(
        "PERFMATRIX_KERNEL_VARIANT=`{0}` is not a kernel variant (expected auto, portable, avx2-fma or neon)"
    )]
    UnknownVariant(String),
}
