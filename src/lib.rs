//! The three hot kernels of a memory engine — batch cosine similarity, spreading activation and
//! decay — implemented in C (portable, AVX2+FMA, NEON) behind a safe Rust API.
//!
//! [`Kernels`] is a handle on one instruction-set [`Variant`]; every method checks its arguments
//! and returns a [`KernelError`] naming the wrong one, so no caller can reach undefined behaviour.
//! [`reference`](mod@reference) holds the pure-Rust (f64) definitions every variant is tested against.

mod error;
mod ffi;
mod graph;
pub mod reference;
mod variant;
pub mod workload;

pub use error::KernelError;
pub use graph::{CsrGraph, MAX_NODES, SpreadParams};
pub use variant::{VARIANT_ENV, Variant};

/// One of the three kernels, for reporting which variant each dispatches to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kernel {
    /// Batch cosine similarity ([`Kernels::cosine_batch`]).
    Cosine,
    /// Spreading activation over a graph ([`Kernels::spread`]).
    Spread,
    /// Exponential decay of strengths by age ([`Kernels::decay`]).
    Decay,
}

impl Kernel {
    /// The three kernels, in the order reports list them.
    pub const ALL: [Kernel; 3] = [Kernel::Cosine, Kernel::Spread, Kernel::Decay];

    /// The kernel's name as used in benchmark ids (`cosine/…`, `spread/…`, `decay/…`).
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Kernel::Cosine => "cosine",
            Kernel::Spread => "spread",
            Kernel::Decay => "decay",
        }
    }
}

/// Floats in a 4 KiB page and in a 64-byte cache line (the spread kernel's buffer layout).
const PAGE_FLOATS: usize = 1024;
const LINE_FLOATS: usize = 16;

/// A handle on one variant of the kernels. Cheap to copy; equal when the variants are.
#[derive(Debug, Clone, Copy)]
pub struct Kernels {
    variant: Variant,
    table: ffi::Table,
}

impl PartialEq for Kernels {
    fn eq(&self, other: &Self) -> bool {
        self.variant == other.variant
    }
}
impl Eq for Kernels {}

impl Kernels {
    /// The given variant, if this build and CPU can run it.
    pub fn new(variant: Variant) -> Result<Self, KernelError> {
        let table = match variant {
            Variant::Portable => Some(ffi::PORTABLE),
            #[cfg(perfmatrix_avx2)]
            Variant::Avx2Fma if variant.is_supported() => Some(ffi::AVX2),
            #[cfg(perfmatrix_neon)]
            Variant::Neon if variant.is_supported() => Some(ffi::NEON),
            _ => None,
        };
        table
            .map(|table| Self { variant, table })
            .ok_or(KernelError::UnsupportedVariant(variant))
    }

    /// The fastest variant the running CPU supports.
    #[must_use]
    pub fn detect() -> Self {
        Self::new(Variant::best()).unwrap_or_else(|_| Self::portable())
    }

    /// The portable scalar variant, which runs everywhere.
    #[must_use]
    pub fn portable() -> Self {
        Self {
            variant: Variant::Portable,
            table: ffi::PORTABLE,
        }
    }

    /// The variant named by `PERFMATRIX_KERNEL_VARIANT` (`portable`, `avx2-fma`, `neon`), or the
    /// detected best one when it is unset, empty or `auto`.
    pub fn from_env() -> Result<Self, KernelError> {
        let requested = std::env::var(VARIANT_ENV).ok();
        Self::new(variant::choose(requested.as_deref())?)
    }

    /// The variant this handle runs.
    #[must_use]
    pub fn variant(&self) -> Variant {
        self.variant
    }

    /// Which variant each kernel dispatches to (all three share one today; reported per kernel so
    /// that a kernel without a SIMD version on some target is visible in the fingerprint).
    #[must_use]
    pub fn dispatch(&self) -> [(Kernel, Variant); 3] {
        Kernel::ALL.map(|k| (k, self.variant))
    }

    /// Cosine similarity of `query` (dimension `d = query.len()`) with each of the
    /// `n = out.len()` rows of `candidates` (row-major, `n × d`), written to `out`.
    /// A zero vector's similarity is 0. `O(n·d)`.
    pub fn cosine_batch(
        &self,
        query: &[f32],
        candidates: &[f32],
        out: &mut [f32],
    ) -> Result<(), KernelError> {
        let (d, n) = (query.len(), out.len());
        let expected = n.checked_mul(d).ok_or(KernelError::SizeOverflow {
            argument: "candidates",
            rows: n,
            cols: d,
        })?;
        if candidates.len() != expected {
            return Err(KernelError::LengthMismatch {
                argument: "candidates",
                expected,
                actual: candidates.len(),
            });
        }
        // SAFETY: query has d floats, candidates exactly n·d (checked above, no overflow), out n;
        // the kernel reads and writes only within those bounds and keeps no pointer.
        unsafe {
            (self.table.cosine)(query.as_ptr(), candidates.as_ptr(), d, n, out.as_mut_ptr());
        }
        Ok(())
    }

    /// Runs `params.iterations` rounds of spreading activation over `graph`, updating
    /// `activations` (one per node, each in `[0, 1]`) in place. `O(iterations · (n + edges))`.
    pub fn spread(
        &self,
        graph: &CsrGraph,
        activations: &mut [f32],
        params: SpreadParams,
    ) -> Result<(), KernelError> {
        finite("retention", params.retention)?;
        finite("threshold", params.threshold)?;
        let n = graph.node_count();
        if activations.len() != n {
            return Err(KernelError::LengthMismatch {
                argument: "activations",
                expected: n,
                actual: activations.len(),
            });
        }
        if let Some(i) = activations.iter().position(|a| !(0.0..=1.0).contains(a)) {
            return Err(KernelError::OutOfRange {
                argument: "activations",
                index: i,
                value: f64::from(activations[i]),
                range: "[0, 1]",
            });
        }
        // The kernel works in one buffer of three regions (state, firing signals, sums) placed
        // at fixed offsets: each region starts on a cache line and one line further into a 4 KiB
        // page than the previous, so no two regions alias in the cache or in the CPU's 4K store
        // forwarding check. Left to the allocator, the regions' relative placement changed from
        // build to build and moved this benchmark by 20% (docs/statistics.md).
        let stride = n.div_ceil(PAGE_FLOATS) * PAGE_FLOATS + LINE_FLOATS;
        let mut work = vec![0.0_f32; 3 * stride + LINE_FLOATS];
        let skew = work.as_ptr().align_offset(64).min(LINE_FLOATS);
        let (state, scratch) = work[skew..].split_at_mut(stride);
        state[..n].copy_from_slice(activations);
        let (offsets, sources, weights) = graph.raw();
        // SAFETY: `CsrGraph::new` guarantees n + 1 non-decreasing offsets from 0 to the edge count,
        // one source (< n <= i32::MAX) and one weight per edge; `state` has stride >= n floats and
        // `scratch` 2·stride, so both scratch regions (at 0 and at stride, n floats each) fit; the
        // three regions are disjoint slices of `work`; the kernel keeps no pointer.
        unsafe {
            (self.table.spread)(
                n,
                offsets.as_ptr(),
                sources.as_ptr(),
                weights.as_ptr(),
                state.as_mut_ptr(),
                scratch.as_mut_ptr(),
                stride,
                params.retention,
                params.threshold,
                params.iterations,
            );
        }
        activations.copy_from_slice(&state[..n]);
        Ok(())
    }

    /// Decays each strength by its age: `strengths[i] *= exp(-lambda · ages[i])`, with the
    /// product formed in double precision. `lambda` must be finite and `>= 0`. `O(n)`.
    pub fn decay(
        &self,
        strengths: &mut [f32],
        ages: &[u64],
        lambda: f32,
    ) -> Result<(), KernelError> {
        finite("lambda", lambda)?;
        if lambda < 0.0 {
            return Err(KernelError::Negative {
                argument: "lambda",
                value: lambda,
            });
        }
        if ages.len() != strengths.len() {
            return Err(KernelError::LengthMismatch {
                argument: "ages",
                expected: strengths.len(),
                actual: ages.len(),
            });
        }
        // SAFETY: strengths and ages both have n elements (checked above); lambda is finite and
        // >= 0 as the kernel's contract requires; it keeps no pointer.
        unsafe {
            (self.table.decay)(
                strengths.as_mut_ptr(),
                ages.as_ptr(),
                strengths.len(),
                lambda,
            );
        }
        Ok(())
    }
}

fn finite(argument: &'static str, value: f32) -> Result<(), KernelError> {
    if value.is_finite() {
        Ok(())
    } else {
        Err(KernelError::NonFinite { argument, value })
    }
}
