//! Property tests of the decision rule and its statistics over generated samples.

#![allow(
    clippy::float_cmp,
    reason = "the properties expect exact values where stated"
)]

use perfmatrix_stats::{
    CompareConfig, NoiseFloor, PAIRED_THRESHOLDS, PairedConfig, Sample, Thresholds, Verdict,
    compare, compare_paired, mann_whitney, pair_log_ratio, relative_change_ci, run_to_run_noise,
};
use proptest::prelude::*;

/// Few resamples keep each case fast; the properties do not depend on the count.
fn config(seed: u64) -> CompareConfig {
    CompareConfig {
        resamples: 400,
        seed,
        ..CompareConfig::default()
    }
}

/// Any valid sample: 1 to 60 times, some drawn from a tiny set so that ties occur.
fn any_sample() -> impl Strategy<Value = Sample> {
    let value = prop_oneof![1.0..1e6_f64, (1_u8..5).prop_map(f64::from)];
    prop::collection::vec(value, 1..60).prop_map(|v| Sample::new(v).expect("positive, finite"))
}

/// A baseline as criterion records one: 30 to 80 times around a centre, spread over up
/// to 20% of it.
fn modest_baseline() -> impl Strategy<Value = Vec<f64>> {
    (10.0..1e6_f64, 0.0..0.2_f64, 30_usize..80).prop_flat_map(|(centre, spread, n)| {
        prop::collection::vec(0.0..=1.0_f64, n)
            .prop_map(move |us| us.iter().map(|u| centre * (1.0 + spread * u)).collect())
    })
}

fn scaled(values: &[f64], factor: f64) -> Sample {
    Sample::new(values.iter().map(|x| x * factor).collect()).expect("positive, finite")
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn identical_samples_are_unchanged(s in any_sample(), seed: u64) {
        let c = compare(&s, &s.clone(), NoiseFloor::ZERO, Thresholds::default(), &config(seed))
            .unwrap();
        // Never a change; "inconclusive" exactly when the sample is too spread to see `fail`.
        let expected = if c.minimum_detectable_effect > Thresholds::default().fail() {
            Verdict::Inconclusive
        } else {
            Verdict::Unchanged
        };
        prop_assert_eq!(c.verdict, expected);
        prop_assert_eq!(c.change.estimate(), 0.0);
    }

    #[test]
    fn slowdown_by_half_is_regressed(
        base in modest_baseline(),
        noise in 0.0..0.25_f64,
        seed: u64,
    ) {
        let noise = NoiseFloor::new(noise).unwrap();
        let c = compare(&scaled(&base, 1.0), &scaled(&base, 1.5), noise, Thresholds::default(),
            &config(seed)).unwrap();
        prop_assert_eq!(c.verdict, Verdict::Regressed, "{:?}", c);
        prop_assert!(c.verdict.is_failure());
    }

    #[test]
    fn speedup_by_a_third_is_improved(
        base in modest_baseline(),
        noise in 0.0..0.25_f64,
        seed: u64,
    ) {
        let noise = NoiseFloor::new(noise).unwrap();
        let c = compare(&scaled(&base, 1.0), &scaled(&base, 1.0 / 1.5), noise,
            Thresholds::default(), &config(seed)).unwrap();
        prop_assert_eq!(c.verdict, Verdict::Improved, "{:?}", c);
    }

    #[test]
    fn interval_contains_its_estimate(
        base in any_sample(),
        new in any_sample(),
        confidence in 0.01..0.999_f64,
        resamples in 1_usize..300,
        seed: u64,
    ) {
        let ci = relative_change_ci(&base, &new, confidence, resamples, seed).unwrap();
        prop_assert!(ci.lower() <= ci.estimate() && ci.estimate() <= ci.upper(), "{:?}", ci);
        prop_assert!(ci.contains(ci.estimate()));
    }

    #[test]
    fn common_scale_leaves_the_change_unchanged(
        base in any_sample(),
        new in any_sample(),
        factor in 1e-3..1e3_f64,
        seed: u64,
    ) {
        let one = relative_change_ci(&base, &new, 0.99, 200, seed).unwrap();
        let two = relative_change_ci(
            &scaled(base.values(), factor), &scaled(new.values(), factor), 0.99, 200, seed,
        ).unwrap();
        prop_assert!(close(one.estimate(), two.estimate()), "{:?} vs {:?}", one, two);
        prop_assert!(close(one.lower(), two.lower()), "{:?} vs {:?}", one, two);
        prop_assert!(close(one.upper(), two.upper()), "{:?} vs {:?}", one, two);
    }

    #[test]
    fn mann_whitney_p_is_a_probability_and_symmetric(a in any_sample(), b in any_sample()) {
        let ab = mann_whitney::test(&a, &b);
        let ba = mann_whitney::test(&b, &a);
        prop_assert!((0.0..=1.0).contains(&ab.p_value), "{:?}", ab);
        prop_assert_eq!(ab.p_value, ba.p_value);
        prop_assert_eq!(ab.z, -ba.z);
        prop_assert_eq!(ab.u + ba.u, (a.len() * b.len()) as f64);
    }

    #[test]
    fn noise_is_scale_invariant(
        medians in prop::collection::vec(1.0..1e6_f64, 2..10),
        factor in 1e-3..1e3_f64,
    ) {
        let one = run_to_run_noise(&medians).unwrap().get();
        let scaled: Vec<f64> = medians.iter().map(|m| m * factor).collect();
        let two = run_to_run_noise(&scaled).unwrap().get();
        prop_assert!(close(one, two), "{} vs {}", one, two);
    }

    #[test]
    fn equal_medians_have_zero_noise(median in 1e-3..1e9_f64, runs in 2_usize..10) {
        prop_assert_eq!(run_to_run_noise(&vec![median; runs]).unwrap(), NoiseFloor::ZERO);
    }

    #[test]
    fn effective_thresholds_never_below_noise_or_configured(
        warn in 1e-4..0.5_f64,
        extra in 0.0..0.5_f64,
        noise in 0.0..1.0_f64,
    ) {
        let configured = Thresholds::new(warn, warn + extra).unwrap();
        let eff = configured.effective(NoiseFloor::new(noise).unwrap());
        prop_assert!(eff.warn() >= noise && eff.fail() >= noise);
        prop_assert!(eff.warn() >= configured.warn() && eff.fail() >= configured.fail());
        prop_assert!(eff.warn() <= eff.fail());
    }

    #[test]
    fn minimum_detectable_effect_is_at_least_fail(
        base in any_sample(),
        new in any_sample(),
        noise in 0.0..0.5_f64,
        seed: u64,
    ) {
        let c = compare(&base, &new, NoiseFloor::new(noise).unwrap(), Thresholds::default(),
            &config(seed)).unwrap();
        prop_assert!(c.minimum_detectable_effect >= c.effective_thresholds.fail());
    }
}

/// Paired mode: the log ratios of 3 to 20 process pairs, each within ±10% of no change.
fn pair_ratios() -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(-0.1..0.1_f64, 3..20)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn paired_identical_runs_are_unchanged(pairs in 2_usize..30) {
        let c = compare_paired(&vec![0.0; pairs], PAIRED_THRESHOLDS, &PairedConfig::default())
            .unwrap();
        prop_assert_eq!(c.verdict, Verdict::Unchanged);
        prop_assert_eq!(c.change.estimate(), 0.0);
    }

    #[test]
    fn paired_identical_rounds_give_zero(base in prop::collection::vec(1.0..1e7_f64, 1..50)) {
        prop_assert_eq!(pair_log_ratio(&base, &base).unwrap(), 0.0);
    }

    #[test]
    fn paired_ten_percent_slower_is_regressed(
        base in prop::collection::vec(1.0..1e7_f64, 1..50),
        pairs in 2_usize..12,
    ) {
        let head: Vec<f64> = base.iter().map(|b| b * 1.1).collect();
        let ratio = pair_log_ratio(&base, &head).unwrap();
        let c = compare_paired(&vec![ratio; pairs], PAIRED_THRESHOLDS, &PairedConfig::default())
            .unwrap();
        prop_assert_eq!(c.verdict, Verdict::Regressed);
        prop_assert!((c.change.estimate() - 0.1).abs() < 1e-9);
    }

    #[test]
    fn paired_swap_negates_the_estimate(ratios in pair_ratios()) {
        let config = PairedConfig::default();
        let ab = compare_paired(&ratios, PAIRED_THRESHOLDS, &config).unwrap();
        let swapped: Vec<f64> = ratios.iter().map(|r| -r).collect();
        let ba = compare_paired(&swapped, PAIRED_THRESHOLDS, &config).unwrap();
        prop_assert!(close(ab.log_change.estimate(), -ba.log_change.estimate()));
        prop_assert!(close(ab.log_change.lower(), -ba.log_change.upper()));
        prop_assert!(close(ab.p_value, ba.p_value));
    }

    #[test]
    fn paired_interval_contains_the_estimate(ratios in pair_ratios()) {
        let c = compare_paired(&ratios, PAIRED_THRESHOLDS, &PairedConfig::default()).unwrap();
        prop_assert!(c.change.lower() <= c.change.estimate());
        prop_assert!(c.change.estimate() <= c.change.upper());
        prop_assert!((0.0..=1.0).contains(&c.p_value));
        prop_assert!(c.minimum_detectable_effect >= 0.0);
        prop_assert!(c.effective_thresholds.warn() >= PAIRED_THRESHOLDS.warn());
    }

    #[test]
    fn paired_more_spread_never_narrows_the_interval(ratios in pair_ratios(), k in 1.0..5.0_f64) {
        let config = PairedConfig::default();
        let c = compare_paired(&ratios, PAIRED_THRESHOLDS, &config).unwrap();
        let wider: Vec<f64> = ratios.iter().map(|r| r * k).collect();
        let w = compare_paired(&wider, PAIRED_THRESHOLDS, &config).unwrap();
        prop_assert!(w.log_change.width() >= c.log_change.width() * (1.0 - 1e-9));
    }
}
