/* kernels.h: the C ABI of perfmatrix's three memory-engine kernels, one symbol per ISA variant.
 *
 * Every function trusts its caller (the safe Rust wrapper in src/) for lengths and ranges:
 *  - cosine: query has d floats, cands has n*d floats (row-major), out has n floats.
 *  - spread: offsets has n+1 entries, non-decreasing, offsets[0] == 0, offsets[n] == number of edges;
 *            every sources[e] < n; weights has one float per edge; act has n floats in [0, 1];
 *            scratch holds two regions of n floats, the second starting scratch_stride floats
 *            after the first (scratch_stride >= n); act, scratch and the regions are disjoint;
 *            n <= INT32_MAX.
 *  - decay:  strengths and ages have n entries each; lambda is finite and >= 0.
 * The precise definitions live in docs/kernels.md.
 */
#ifndef PERFMATRIX_KERNELS_H
#define PERFMATRIX_KERNELS_H

#include <stddef.h>
#include <stdint.h>
#include <math.h>

#define PMK_DECLARE_VARIANT(suffix)                                                              \
    void pmk_cosine_##suffix(const float *query, const float *cands, size_t d, size_t n,          \
                             float *out);                                                          \
    void pmk_spread_##suffix(size_t n, const uint32_t *offsets, const uint32_t *sources,          \
                             const float *weights, float *act, float *scratch,                    \
                             size_t scratch_stride, float retention, float threshold,             \
                             uint32_t iters);                                                     \
    void pmk_decay_##suffix(float *strengths, const uint64_t *ages, size_t n, float lambda);

PMK_DECLARE_VARIANT(portable)
PMK_DECLARE_VARIANT(avx2)
PMK_DECLARE_VARIANT(neon)

/* Scalar helpers shared by the variants so that tails and edge cases agree exactly. */
static inline float pmk_cosine_finish(float dot, float qq, float rr) {
    if (qq == 0.0f || rr == 0.0f) {
        return 0.0f;
    }
    return dot / (sqrtf(qq) * sqrtf(rr));
}

static inline float pmk_clamp01(float v) {
    return v < 0.0f ? 0.0f : (v > 1.0f ? 1.0f : v);
}

/* The exponent of the decay factor: -lambda * age formed in double precision, rounded to float.
 * Below -104 every float exp() is 0, so the argument is clamped there (also keeps it finite). */
static inline float pmk_decay_exponent(double neg_lambda, uint64_t age) {
    double x = neg_lambda * (double)age;
    return (float)(x < -104.0 ? -104.0 : x);
}

#endif
