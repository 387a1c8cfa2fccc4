/* portable.c: scalar reference kernels in plain C11, built with the target's baseline flags only. */
#include <math.h>

#include "kernels.h"

void pmk_cosine_portable(const float *query, const float *cands, size_t d, size_t n, float *out) {
    float qq = 0.0f;
    for (size_t k = 0; k < d; k++) {
        qq += query[k] * query[k];
    }
    for (size_t i = 0; i < n; i++) {
        const float *row = cands + i * d;
        float dot = 0.0f, rr = 0.0f;
        for (size_t k = 0; k < d; k++) {
            dot += query[k] * row[k];
            rr += row[k] * row[k];
        }
        out[i] = pmk_cosine_finish(dot, qq, rr);
    }
}

void pmk_spread_portable(size_t n, const uint32_t *offsets, const uint32_t *sources,
                         const float *weights, float *act, float *scratch, size_t scratch_stride,
                         float retention, float threshold, uint32_t iters) {
    (void)scratch_stride; /* the scalar loop needs only the first scratch region */
    float *cur = act, *next = scratch;
    for (uint32_t it = 0; it < iters; it++) {
        for (size_t i = 0; i < n; i++) {
            float sum = 0.0f;
            for (uint32_t e = offsets[i]; e < offsets[i + 1]; e++) {
                float a = cur[sources[e]];
                if (a >= threshold) {
                    sum += weights[e] * a;
                }
            }
            next[i] = pmk_clamp01(retention * cur[i] + sum);
        }
        float *tmp = cur;
        cur = next;
        next = tmp;
    }
    if (cur != act) {
        for (size_t i = 0; i < n; i++) {
            act[i] = cur[i];
        }
    }
}

void pmk_decay_portable(float *strengths, const uint64_t *ages, size_t n, float lambda) {
    double neg_lambda = -(double)lambda;
    for (size_t i = 0; i < n; i++) {
        strengths[i] *= expf(pmk_decay_exponent(neg_lambda, ages[i]));
    }
}
