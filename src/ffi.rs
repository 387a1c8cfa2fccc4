//! The raw C ABI of `kernels/kernels.h`. Private: only the checked wrappers in `lib.rs` call it.

/// Signature of every variant's cosine kernel; see `kernels/kernels.h` for the contract.
pub(crate) type CosineFn =
    unsafe extern "C" fn(query: *const f32, cands: *const f32, d: usize, n: usize, out: *mut f32);
/// Signature of every variant's spreading-activation kernel.
pub(crate) type SpreadFn = unsafe extern "C" fn(
    n: usize,
    offsets: *const u32,
    sources: *const u32,
    weights: *const f32,
    act: *mut f32,
    scratch: *mut f32,
    scratch_stride: usize,
    retention: f32,
    threshold: f32,
    iters: u32,
);
/// Signature of every variant's decay kernel.
pub(crate) type DecayFn =
    unsafe extern "C" fn(strengths: *mut f32, ages: *const u64, n: usize, lambda: f32);

unsafe extern "C" {
    pub(crate) fn pmk_cosine_portable(
        q: *const f32,
        c: *const f32,
        d: usize,
        n: usize,
        o: *mut f32,
    );
    pub(crate) fn pmk_spread_portable(
        n: usize,
        offsets: *const u32,
        sources: *const u32,
        weights: *const f32,
        act: *mut f32,
        scratch: *mut f32,
        scratch_stride: usize,
        retention: f32,
        threshold: f32,
        iters: u32,
    );
    pub(crate) fn pmk_decay_portable(s: *mut f32, ages: *const u64, n: usize, lambda: f32);
}

#[cfg(perfmatrix_avx2)]
unsafe extern "C" {
    pub(crate) fn pmk_cosine_avx2(q: *const f32, c: *const f32, d: usize, n: usize, o: *mut f32);
    pub(crate) fn pmk_spread_avx2(
        n: usize,
        offsets: *const u32,
        sources: *const u32,
        weights: *const f32,
        act: *mut f32,
        scratch: *mut f32,
        scratch_stride: usize,
        retention: f32,
        threshold: f32,
        iters: u32,
    );
    pub(crate) fn pmk_decay_avx2(s: *mut f32, ages: *const u64, n: usize, lambda: f32);
}

#[cfg(perfmatrix_neon)]
unsafe extern "C" {
    pub(crate) fn pmk_cosine_neon(q: *const f32, c: *const f32, d: usize, n: usize, o: *mut f32);
    pub(crate) fn pmk_spread_neon(
        n: usize,
        offsets: *const u32,
        sources: *const u32,
        weights: *const f32,
        act: *mut f32,
        scratch: *mut f32,
        scratch_stride: usize,
        retention: f32,
        threshold: f32,
        iters: u32,
    );
    pub(crate) fn pmk_decay_neon(s: *mut f32, ages: *const u64, n: usize, lambda: f32);
}

/// The three entry points of one variant.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Table {
    pub(crate) cosine: CosineFn,
    pub(crate) spread: SpreadFn,
    pub(crate) decay: DecayFn,
}

pub(crate) const PORTABLE: Table = Table {
    cosine: pmk_cosine_portable,
    spread: pmk_spread_portable,
    decay: pmk_decay_portable,
};

#[cfg(perfmatrix_avx2)]
pub(crate) const AVX2: Table = Table {
    cosine: pmk_cosine_avx2,
    spread: pmk_spread_avx2,
    decay: pmk_decay_avx2,
};

#[cfg(perfmatrix_neon)]
pub(crate) const NEON: Table = Table {
    cosine: pmk_cosine_neon,
    spread: pmk_spread_neon,
    decay: pmk_decay_neon,
};
