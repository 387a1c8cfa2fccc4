//! Student's t distribution: its CDF through the regularised incomplete beta function, and its
//! quantiles by bisection on that CDF, for the paired verdict's interval and p-value, which are
//! taken over a handful of process pairs (too few for a normal approximation).

/// `ln Γ(x)` for `x > 0`, by the Lanczos approximation (g = 7, n = 9 coefficients; relative
/// error below 1e-13 over the range used here). Cost: O(1).
#[allow(
    clippy::unreadable_literal,
    clippy::excessive_precision,
    reason = "the published Lanczos coefficients, digit for digit"
)]
fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const C: [f64; 9] = [
        0.999_999_999_999_809_93,
        676.5203681218851,
        -1259.1392167224028,
        771.32342877765313,
        -176.61502916214059,
        12.507343278686905,
        -0.13857109526572012,
        9.9843695780195716e-6,
        1.5056327351493116e-7,
    ];
    if x < 0.5 {
        // Reflection: Γ(x)Γ(1-x) = π / sin(πx).
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = C[0];
    let t = x + G + 0.5;
    for (i, c) in C.iter().enumerate().skip(1) {
        a += c / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// The continued fraction of the incomplete beta function (modified Lentz; Numerical Recipes,
/// 2nd ed., §6.4), converging for `x < (a + 1) / (a + b + 2)`.
#[allow(
    clippy::many_single_char_names,
    reason = "the names of the published algorithm, so it can be checked against it"
)]
fn beta_continued_fraction(a: f64, b: f64, x: f64) -> f64 {
    const EPS: f64 = 1e-15;
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 / away_from_zero(1.0 - qab * x / qap);
    let mut h = d;
    for m in 1..=300 {
        let m = f64::from(m);
        let m2 = 2.0 * m;
        // Even and odd terms of the fraction, each one step of Lentz's recurrence.
        for aa in [
            m * (b - m) * x / ((qam + m2) * (a + m2)),
            -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2)),
        ] {
            d = 1.0 / away_from_zero(1.0 + aa * d);
            c = away_from_zero(1.0 + aa / c);
            h *= d * c;
        }
        if (d * c - 1.0).abs() < EPS {
            break;
        }
    }
    h
}

/// `v`, or a tiny positive number when `|v|` is below it: Lentz's guard against a division by
/// zero (as Numerical Recipes writes it).
fn away_from_zero(v: f64) -> f64 {
    const TINY: f64 = 1e-300;
    if v.abs() < TINY { TINY } else { v }
}

/// The regularised incomplete beta function `I_x(a, b)` for `a, b > 0`, `0 <= x <= 1`.
fn incomplete_beta(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let front =
        (ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln()).exp();
    if x < (a + 1.0) / (a + b + 2.0) {
        front * beta_continued_fraction(a, b, x) / a
    } else {
        1.0 - front * beta_continued_fraction(b, a, 1.0 - x) / b
    }
}

/// `P(T <= t)` for Student's t with `df > 0` degrees of freedom. NaN in gives NaN; `±∞` give
/// 1 and 0. Absolute error below 1e-12 (it is exact arithmetic on the incomplete beta). O(1).
#[must_use]
pub fn cdf(t: f64, df: f64) -> f64 {
    if t.is_nan() || df.is_nan() || df <= 0.0 {
        return f64::NAN;
    }
    if t.is_infinite() {
        return if t > 0.0 { 1.0 } else { 0.0 };
    }
    let x = df / (df + t * t);
    let tail = 0.5 * incomplete_beta(df / 2.0, 0.5, x);
    if t >= 0.0 { 1.0 - tail } else { tail }
}

/// The two-sided p-value `P(|T| >= |t|)` with `df` degrees of freedom, in `[0, 1]`.
#[must_use]
pub fn two_sided_p_value(t: f64, df: f64) -> f64 {
    if t.is_infinite() {
        return 0.0;
    }
    (2.0 * (1.0 - cdf(t.abs(), df))).clamp(0.0, 1.0)
}

/// The `p`-quantile of Student's t with `df` degrees of freedom, for `0 < p < 1`, by bisection
/// on [`cdf`] to 1e-12 (about 80 evaluations). NaN for `p` outside `(0, 1)`.
#[must_use]
pub fn quantile(p: f64, df: f64) -> f64 {
    if !(p > 0.0 && p < 1.0 && df > 0.0) {
        return f64::NAN;
    }
    if (p - 0.5).abs() < f64::EPSILON {
        return 0.0;
    }
    // Wide enough for p down to 1e-12 at df = 1 (t ≈ 3e11); a quantile beyond is clamped.
    let (mut lo, mut hi) = (-1e12_f64, 1e12_f64);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if cdf(mid, df) < p {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo <= 1e-12 * mid.abs().max(1.0) {
            break;
        }
    }
    0.5 * (lo + hi)
}

#[cfg(test)]
#[allow(clippy::float_cmp, reason = "the limits are exact values")]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn known_quantiles() {
        // Standard tables (e.g. NIST/SEMATECH e-Handbook, Table 1.3.6.7.2).
        let cases = [
            (0.975, 1.0, 12.706),
            (0.975, 5.0, 2.571),
            (0.975, 10.0, 2.228),
            (0.995, 9.0, 3.250),
            (0.995, 30.0, 2.750),
            (0.8, 10.0, 0.879),
            (0.95, 100.0, 1.660),
        ];
        for (p, df, t) in cases {
            let q = quantile(p, df);
            assert!(close(q, t, 1e-3), "t({p}, {df}) = {q}, expected {t}");
            assert!(close(quantile(1.0 - p, df), -q, 1e-9));
        }
    }

    #[test]
    fn cdf_is_symmetric_and_monotone() {
        for df in [1.0, 2.5, 7.0, 40.0] {
            assert!(close(cdf(0.0, df), 0.5, 1e-12));
            let mut last = 0.0;
            for i in -40..=40 {
                let t = f64::from(i) / 4.0;
                let c = cdf(t, df);
                assert!(c >= last, "cdf must not decrease: df {df}, t {t}");
                assert!(close(c + cdf(-t, df), 1.0, 1e-12));
                last = c;
            }
        }
        assert_eq!(cdf(f64::INFINITY, 3.0), 1.0);
        assert_eq!(cdf(f64::NEG_INFINITY, 3.0), 0.0);
        assert!(cdf(f64::NAN, 3.0).is_nan());
    }

    #[test]
    fn p_values() {
        assert!(close(two_sided_p_value(2.228, 10.0), 0.05, 1e-4));
        assert!(close(two_sided_p_value(0.0, 10.0), 1.0, 1e-12));
        assert_eq!(two_sided_p_value(f64::INFINITY, 3.0), 0.0);
        assert!(quantile(1.0, 3.0).is_nan());
    }

    #[test]
    fn ln_gamma_matches_factorials() {
        let mut fact = 1.0_f64;
        for n in 1..15 {
            fact *= f64::from(n);
            assert!(close(ln_gamma(f64::from(n) + 1.0), fact.ln(), 1e-9));
        }
        assert!(close(
            ln_gamma(0.5),
            std::f64::consts::PI.sqrt().ln(),
            1e-12
        ));
    }
}
