/* neon.c: aarch64 Advanced SIMD (NEON) kernels; NEON is in the aarch64 baseline, so no extra flags.
 * Tails and edge cases use the scalar helpers of kernels.h. */
#include <arm_neon.h>

#include "kernels.h"

void pmk_cosine_neon(const float *query, const float *cands, size_t d, size_t n, float *out) {
    size_t wide = d - d % 8;
    float32x4_t q0 = vdupq_n_f32(0.0f), q1 = vdupq_n_f32(0.0f);
    for (size_t k = 0; k < wide; k += 8) {
        float32x4_t a = vld1q_f32(query + k), b = vld1q_f32(query + k + 4);
        q0 = vfmaq_f32(q0, a, a);
        q1 = vfmaq_f32(q1, b, b);
    }
    float qq = vaddvq_f32(vaddq_f32(q0, q1));
    for (size_t k = wide; k < d; k++) {
        qq += query[k] * query[k];
    }
    for (size_t i = 0; i < n; i++) {
        const float *row = cands + i * d;
        float32x4_t d0 = vdupq_n_f32(0.0f), d1 = vdupq_n_f32(0.0f);
        float32x4_t r0 = vdupq_n_f32(0.0f), r1 = vdupq_n_f32(0.0f);
        for (size_t k = 0; k < wide; k += 8) {
            float32x4_t x0 = vld1q_f32(row + k), x1 = vld1q_f32(row + k + 4);
            d0 = vfmaq_f32(d0, vld1q_f32(query + k), x0);
            d1 = vfmaq_f32(d1, vld1q_f32(query + k + 4), x1);
            r0 = vfmaq_f32(r0, x0, x0);
            r1 = vfmaq_f32(r1, x1, x1);
        }
        float dot = vaddvq_f32(vaddq_f32(d0, d1));
        float rr = vaddvq_f32(vaddq_f32(r0, r1));
        for (size_t k = wide; k < d; k++) {
            dot += query[k] * row[k];
            rr += row[k] * row[k];
        }
        out[i] = pmk_cosine_finish(dot, qq, rr);
    }
}

void pmk_spread_neon(size_t n, const uint32_t *offsets, const uint32_t *sources,
                     const float *weights, float *act, float *scratch, size_t scratch_stride,
                     float retention, float threshold, uint32_t iters) {
    float *signal = scratch, *sums = scratch + scratch_stride;
    size_t wide = n - n % 4;
    const float32x4_t vthr = vdupq_n_f32(threshold), vret = vdupq_n_f32(retention);
    const float32x4_t zero = vdupq_n_f32(0.0f), one = vdupq_n_f32(1.0f);
    for (uint32_t it = 0; it < iters; it++) {
        for (size_t i = 0; i < wide; i += 4) {
            float32x4_t a = vld1q_f32(act + i);
            uint32x4_t fires = vcgeq_f32(a, vthr);
            vst1q_f32(signal + i, vreinterpretq_f32_u32(vandq_u32(vreinterpretq_u32_f32(a), fires)));
        }
        for (size_t i = wide; i < n; i++) {
            signal[i] = act[i] >= threshold ? act[i] : 0.0f;
        }
        /* NEON has no gather: four independent accumulators hide the latency of the loads. */
        for (size_t i = 0; i < n; i++) {
            uint32_t e = offsets[i], end = offsets[i + 1];
            float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f;
            for (; e + 4 <= end; e += 4) {
                s0 += weights[e] * signal[sources[e]];
                s1 += weights[e + 1] * signal[sources[e + 1]];
                s2 += weights[e + 2] * signal[sources[e + 2]];
                s3 += weights[e + 3] * signal[sources[e + 3]];
            }
            float sum = (s0 + s1) + (s2 + s3);
            for (; e < end; e++) {
                sum += weights[e] * signal[sources[e]];
            }
            sums[i] = sum;
        }
        for (size_t i = 0; i < wide; i += 4) {
            float32x4_t v = vaddq_f32(vmulq_f32(vret, vld1q_f32(act + i)), vld1q_f32(sums + i));
            vst1q_f32(act + i, vminq_f32(vmaxq_f32(v, zero), one));
        }
        for (size_t i = wide; i < n; i++) {
            act[i] = pmk_clamp01(retention * act[i] + sums[i]);
        }
    }
}

/* exp(x) for x in [-104, 0]; the same Cephes-style reduction as the AVX2 variant. */
static inline float32x4_t exp128(float32x4_t x) {
    uint32x4_t tiny = vcltq_f32(x, vdupq_n_f32(-87.33654f));
    float32x4_t fx = vrndmq_f32(vfmaq_f32(vdupq_n_f32(0.5f), x, vdupq_n_f32(1.44269504088896341f)));
    x = vfmsq_f32(x, fx, vdupq_n_f32(0.693359375f));
    x = vfmsq_f32(x, fx, vdupq_n_f32(-2.12194440e-4f));
    float32x4_t y = vdupq_n_f32(1.9875691500e-4f);
    y = vfmaq_f32(vdupq_n_f32(1.3981999507e-3f), y, x);
    y = vfmaq_f32(vdupq_n_f32(8.3334519073e-3f), y, x);
    y = vfmaq_f32(vdupq_n_f32(4.1665795894e-2f), y, x);
    y = vfmaq_f32(vdupq_n_f32(1.6666665459e-1f), y, x);
    y = vfmaq_f32(vdupq_n_f32(5.0000001201e-1f), y, x);
    y = vfmaq_f32(vaddq_f32(x, vdupq_n_f32(1.0f)), y, vmulq_f32(x, x));
    int32x4_t n = vaddq_s32(vcvtq_s32_f32(fx), vdupq_n_s32(127));
    n = vmaxq_s32(n, vdupq_n_s32(1));
    float32x4_t pow2n = vreinterpretq_f32_s32(vshlq_n_s32(n, 23));
    float32x4_t r = vmulq_f32(y, pow2n);
    return vreinterpretq_f32_u32(vbicq_u32(vreinterpretq_u32_f32(r), tiny));
}

void pmk_decay_neon(float *strengths, const uint64_t *ages, size_t n, float lambda) {
    const double neg_lambda = -(double)lambda;
    const float64x2_t vneg = vdupq_n_f64(neg_lambda), floor_x = vdupq_n_f64(-104.0);
    size_t wide = n - n % 4;
    for (size_t i = 0; i < wide; i += 4) {
        float64x2_t x0 = vmulq_f64(vneg, vcvtq_f64_u64(vld1q_u64(ages + i)));
        float64x2_t x1 = vmulq_f64(vneg, vcvtq_f64_u64(vld1q_u64(ages + i + 2)));
        float32x4_t x = vcombine_f32(vcvt_f32_f64(vmaxq_f64(x0, floor_x)),
                                     vcvt_f32_f64(vmaxq_f64(x1, floor_x)));
        vst1q_f32(strengths + i, vmulq_f32(vld1q_f32(strengths + i), exp128(x)));
    }
    for (size_t i = wide; i < n; i++) {
        strengths[i] *= expf(pmk_decay_exponent(neg_lambda, ages[i]));
    }
}
