//! The one error type of the kernels' safe API: each variant names the argument that was wrong.

use crate::Variant;

/// Why a kernel call was refused. Nothing is computed or written when an error is returned.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum KernelError {
    /// A slice does not have the length the other arguments imply.
    #[error("`{argument}` has {actual} elements, expected {expected}")]
    LengthMismatch {
        argument: &'static str,
        expected: usize,
        actual: usize,
    },
    /// `rows × cols` does not fit in `usize`.
    #[error("`{argument}`: {rows} × {cols} elements overflows the address space")]
    SizeOverflow {
        argument: &'static str,
        rows: usize,
        cols: usize,
    },
    /// A scalar parameter is NaN or infinite.
    #[error("`{argument}` must be finite, got {value}")]
    NonFinite { argument: &'static str, value: f32 },
    /// A scalar parameter is negative where only `>= 0` makes sense.
    #[error("`{argument}` must be >= 0, got {value}")]
    Negative { argument: &'static str, value: f32 },
    /// An element of an input slice is outside the range the kernel is defined on.
    #[error("`{argument}[{index}]` = {value} is outside {range}")]
    OutOfRange {
        argument: &'static str,
        index: usize,
        value: f64,
        range: &'static str,
    },
    /// The CSR offsets are not a valid prefix-sum array.
    #[error("`offsets[{index}]` = {value}: {reason}")]
    InvalidOffsets {
        index: usize,
        value: u32,
        reason: &'static str,
    },
    /// The graph is larger than the kernels' 32-bit indices can address.
    #[error("`{argument}` has {actual} entries, more than the kernels' limit of {limit}")]
    TooLarge {
        argument: &'static str,
        actual: usize,
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
