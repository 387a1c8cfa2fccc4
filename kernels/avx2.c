/* avx2.c: x86_64 AVX2+FMA kernels; compiled alone with -mavx2 -mfma and called only after runtime
 * detection of both features. Tails and edge cases use the scalar helpers of kernels.h. */
#include <immintrin.h>

#include "kernels.h"

static inline float hsum256(__m256 v) {
    __m128 lo = _mm256_castps256_ps128(v);
    __m128 hi = _mm256_extractf128_ps(v, 1);
    lo = _mm_add_ps(lo, hi);
    lo = _mm_add_ps(lo, _mm_movehl_ps(lo, lo));
    lo = _mm_add_ss(lo, _mm_movehdup_ps(lo));
    return _mm_cvtss_f32(lo);
}

void pmk_cosine_avx2(const float *query, const float *cands, size_t d, size_t n, float *out) {
    size_t wide = d - d % 16;
    __m256 q0 = _mm256_setzero_ps(), q1 = _mm256_setzero_ps();
    for (size_t k = 0; k < wide; k += 16) {
        __m256 a = _mm256_loadu_ps(query + k), b = _mm256_loadu_ps(query + k + 8);
        q0 = _mm256_fmadd_ps(a, a, q0);
        q1 = _mm256_fmadd_ps(b, b, q1);
    }
    float qq = hsum256(_mm256_add_ps(q0, q1));
    for (size_t k = wide; k < d; k++) {
        qq += query[k] * query[k];
    }
    for (size_t i = 0; i < n; i++) {
        const float *row = cands + i * d;
        __m256 d0 = _mm256_setzero_ps(), d1 = _mm256_setzero_ps();
        __m256 r0 = _mm256_setzero_ps(), r1 = _mm256_setzero_ps();
        for (size_t k = 0; k < wide; k += 16) {
            __m256 x0 = _mm256_loadu_ps(row + k), x1 = _mm256_loadu_ps(row + k + 8);
            d0 = _mm256_fmadd_ps(_mm256_loadu_ps(query + k), x0, d0);
            d1 = _mm256_fmadd_ps(_mm256_loadu_ps(query + k + 8), x1, d1);
            r0 = _mm256_fmadd_ps(x0, x0, r0);
            r1 = _mm256_fmadd_ps(x1, x1, r1);
        }
        float dot = hsum256(_mm256_add_ps(d0, d1));
        float rr = hsum256(_mm256_add_ps(r0, r1));
        for (size_t k = wide; k < d; k++) {
            dot += query[k] * row[k];
            rr += row[k] * row[k];
        }
        out[i] = pmk_cosine_finish(dot, qq, rr);
    }
}

void pmk_spread_avx2(size_t n, const uint32_t *offsets, const uint32_t *sources,
                     const float *weights, float *act, float *scratch, size_t scratch_stride,
                     float retention, float threshold, uint32_t iters) {
    float *signal = scratch, *sums = scratch + scratch_stride;
    size_t wide = n - n % 8;
    const __m256 vthr = _mm256_set1_ps(threshold), vret = _mm256_set1_ps(retention);
    const __m256 zero = _mm256_setzero_ps(), one = _mm256_set1_ps(1.0f);
    for (uint32_t it = 0; it < iters; it++) {
        /* Nodes below the firing threshold send nothing this round. */
        for (size_t i = 0; i < wide; i += 8) {
            __m256 a = _mm256_loadu_ps(act + i);
            __m256 fires = _mm256_cmp_ps(a, vthr, _CMP_GE_OQ);
            _mm256_storeu_ps(signal + i, _mm256_and_ps(a, fires));
        }
        for (size_t i = wide; i < n; i++) {
            signal[i] = act[i] >= threshold ? act[i] : 0.0f;
        }
        /* Pull the weighted in-neighbour signals, eight edges per gather. */
        for (size_t i = 0; i < n; i++) {
            uint32_t e = offsets[i], end = offsets[i + 1];
            __m256 acc = _mm256_setzero_ps();
            for (; e + 8 <= end; e += 8) {
                __m256i idx = _mm256_loadu_si256((const __m256i *)(sources + e));
                __m256 g = _mm256_i32gather_ps(signal, idx, 4);
                acc = _mm256_fmadd_ps(_mm256_loadu_ps(weights + e), g, acc);
            }
            float sum = hsum256(acc);
            for (; e < end; e++) {
                sum += weights[e] * signal[sources[e]];
            }
            sums[i] = sum;
        }
        /* Retain, add, clamp: all nodes at once. */
        for (size_t i = 0; i < wide; i += 8) {
            __m256 v = _mm256_add_ps(_mm256_mul_ps(vret, _mm256_loadu_ps(act + i)),
                                     _mm256_loadu_ps(sums + i));
            _mm256_storeu_ps(act + i, _mm256_min_ps(_mm256_max_ps(v, zero), one));
        }
        for (size_t i = wide; i < n; i++) {
            act[i] = pmk_clamp01(retention * act[i] + sums[i]);
        }
    }
}

/* u64 -> f64, correctly rounded, for the full range (AVX2 has no such instruction): the high and
 * low 32-bit halves are spliced into the mantissas of 2^84 and 2^52, then recombined exactly. */
static inline __m256d u64_to_f64(__m256i x) {
    const __m256d two84 = _mm256_castsi256_pd(_mm256_set1_epi64x(0x4530000000000000LL));
    const __m256d two52 = _mm256_castsi256_pd(_mm256_set1_epi64x(0x4330000000000000LL));
    const __m256d two84_52 = _mm256_castsi256_pd(_mm256_set1_epi64x(0x4530000000100000LL));
    __m256i hi = _mm256_or_si256(_mm256_srli_epi64(x, 32), _mm256_castpd_si256(two84));
    __m256i lo = _mm256_blend_epi32(x, _mm256_castpd_si256(two52), 0xAA);
    __m256d f = _mm256_sub_pd(_mm256_castsi256_pd(hi), two84_52);
    return _mm256_add_pd(f, _mm256_castsi256_pd(lo));
}

/* exp(x) for x in [-104, 0], Cephes-style: x = n ln2 + r, |r| <= ln2/2, degree-6 polynomial in r,
 * 2^n built in the exponent field. Results that would be subnormal (x < -87.3) flush to 0. */
static inline __m256 exp256(__m256 x) {
    const __m256 tiny = _mm256_cmp_ps(x, _mm256_set1_ps(-87.33654f), _CMP_LT_OQ);
    __m256 fx = _mm256_floor_ps(_mm256_fmadd_ps(x, _mm256_set1_ps(1.44269504088896341f),
                                                _mm256_set1_ps(0.5f)));
    x = _mm256_fnmadd_ps(fx, _mm256_set1_ps(0.693359375f), x);
    x = _mm256_fnmadd_ps(fx, _mm256_set1_ps(-2.12194440e-4f), x);
    __m256 y = _mm256_set1_ps(1.9875691500e-4f);
    y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(1.3981999507e-3f));
    y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(8.3334519073e-3f));
    y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(4.1665795894e-2f));
    y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(1.6666665459e-1f));
    y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(5.0000001201e-1f));
    y = _mm256_fmadd_ps(y, _mm256_mul_ps(x, x), _mm256_add_ps(x, _mm256_set1_ps(1.0f)));
    __m256i n = _mm256_add_epi32(_mm256_cvttps_epi32(fx), _mm256_set1_epi32(127));
    n = _mm256_max_epi32(n, _mm256_set1_epi32(1)); /* keeps the lanes flushed below well-formed */
    __m256 pow2n = _mm256_castsi256_ps(_mm256_slli_epi32(n, 23));
    return _mm256_andnot_ps(tiny, _mm256_mul_ps(y, pow2n));
}

void pmk_decay_avx2(float *strengths, const uint64_t *ages, size_t n, float lambda) {
    const double neg_lambda = -(double)lambda;
    const __m256d vneg = _mm256_set1_pd(neg_lambda), floor_x = _mm256_set1_pd(-104.0);
    size_t wide = n - n % 8;
    for (size_t i = 0; i < wide; i += 8) {
        __m256d x0 = _mm256_mul_pd(vneg, u64_to_f64(_mm256_loadu_si256((const __m256i *)(ages + i))));
        __m256d x1 = _mm256_mul_pd(vneg, u64_to_f64(_mm256_loadu_si256((const __m256i *)(ages + i + 4))));
        __m128 f0 = _mm256_cvtpd_ps(_mm256_max_pd(x0, floor_x));
        __m128 f1 = _mm256_cvtpd_ps(_mm256_max_pd(x1, floor_x));
        __m256 x = _mm256_insertf128_ps(_mm256_castps128_ps256(f0), f1, 1);
        _mm256_storeu_ps(strengths + i, _mm256_mul_ps(_mm256_loadu_ps(strengths + i), exp256(x)));
    }
    for (size_t i = wide; i < n; i++) {
        strengths[i] *= expf(pmk_decay_exponent(neg_lambda, ages[i]));
    }
}
