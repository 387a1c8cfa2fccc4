//! The decision rule: from a baseline and a new sample of one benchmark to a [`Verdict`].
//! The rule is stated on [`decide`] and in `docs/statistics.md`.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::bootstrap::{Interval, relative_change_ci};
use crate::error::{Result, StatsError, check_open_unit};
use crate::mann_whitney;
use crate::noise::NoiseFloor;
use crate::sample::Sample;
use crate::thresholds::Thresholds;

/// The outcome for one benchmark, ordered by severity:
/// `Improved < Unchanged < Inconclusive < Warning < Regressed`, so the worst of many is their
/// `max()`.
///
/// Serialised in lowercase (`"improved"`, `"unchanged"`, `"inconclusive"`, `"warning"`,
/// `"regressed"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Significantly faster than the baseline, by more than the warning threshold.
    Improved,
    /// No significant change beyond the thresholds, and the run could have flagged a slowdown
    /// of the configured `fail` threshold.
    Unchanged,
    /// No significant change, but the run could not have flagged a slowdown of the configured
    /// `fail` threshold either: its minimum detectable effect is above it (see [`settle`]).
    /// Says "could not tell", never fails a run.
    Inconclusive,
    /// Significantly slower by more than the warning threshold; not a failure.
    Warning,
    /// Significantly and confidently slower by more than the failure threshold.
    Regressed,
}

impl Verdict {
    /// Every verdict, from least to most severe.
    pub const ALL: [Self; 5] = [
        Self::Improved,
        Self::Unchanged,
        Self::Inconclusive,
        Self::Warning,
        Self::Regressed,
    ];

    /// Whether this verdict should fail the run: only [`Verdict::Regressed`].
    #[must_use]
    pub fn is_failure(self) -> bool {
        self == Self::Regressed
    }

    /// The lowercase name, as serialised.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Improved => "improved",
            Self::Unchanged => "unchanged",
            Self::Inconclusive => "inconclusive",
            Self::Warning => "warning",
            Self::Regressed => "regressed",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Parameters of [`compare`]. Construct with struct-update syntax over
/// [`CompareConfig::default`]: `CompareConfig { seed: 42, ..CompareConfig::default() }`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CompareConfig {
    /// Significance level of the Mann–Whitney test; default 0.01. Must be in `(0, 1)`.
    pub alpha: f64,
    /// Confidence level of the bootstrap interval; default 0.99. Must be in `(0, 1)`.
    pub confidence: f64,
    /// Bootstrap resamples; default 10,000. Must be at least 1.
    pub resamples: usize,
    /// Seed of the bootstrap's random number generator; default 0.
    pub seed: u64,
}

impl Default for CompareConfig {
    fn default() -> Self {
        Self {
            alpha: 0.01,
            confidence: 0.99,
            resamples: 10_000,
            seed: 0,
        }
    }
}

impl CompareConfig {
    /// Checks every field: [`StatsError::OutOfRange`] naming `alpha` or `confidence` unless
    /// in `(0, 1)`; [`StatsError::CountTooSmall`] naming `resamples` if it is 0.
    pub fn validate(&self) -> Result<()> {
        check_open_unit("alpha", self.alpha, "0 < alpha < 1")?;
        check_open_unit("confidence", self.confidence, "0 < confidence < 1")?;
        if self.resamples == 0 {
            return Err(StatsError::CountTooSmall {
                field: "resamples",
                value: 0,
                min: 1,
            });
        }
        Ok(())
    }
}

/// Everything [`compare`] found about one benchmark; a record for reports.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// Median of the baseline sample, nanoseconds per iteration.
    pub base_median: f64,
    /// Median of the new sample, nanoseconds per iteration.
    pub new_median: f64,
    /// Relative change `new_median / base_median - 1` with its bootstrap interval.
    pub change: Interval,
    /// Two-sided Mann–Whitney p-value of base against new.
    pub p_value: f64,
    /// The noise floor the thresholds were raised to.
    pub noise: NoiseFloor,
    /// The thresholds applied: the configured ones raised to the noise floor.
    pub effective_thresholds: Thresholds,
    /// The outcome of the rule in [`decide`], [`settle`]d against the configured thresholds.
    pub verdict: Verdict,
    /// The smallest relative slowdown this run could have flagged as
    /// [`Verdict::Regressed`]; see [`minimum_detectable_effect`].
    pub minimum_detectable_effect: f64,
}

/// The decision rule, given the interval of the relative change, the p-value, the
/// significance level and the effective thresholds `eff`:
///
/// - significant = `p_value < alpha`;
/// - `Regressed` if significant and `change.estimate > eff.fail` and
///   `change.lower > eff.warn`;
/// - `Warning` if significant and `change.estimate > eff.warn` (and not Regressed);
/// - `Improved` if significant and `change.estimate < -eff.warn` and `change.upper < 0`;
/// - `Unchanged` otherwise.
///
/// A NaN p-value is never significant. Cost: O(1).
#[must_use]
pub fn decide(change: Interval, p_value: f64, alpha: f64, eff: Thresholds) -> Verdict {
    let significant = p_value < alpha;
    let estimate = change.estimate();
    if significant && estimate > eff.fail() && change.lower() > eff.warn() {
        Verdict::Regressed
    } else if significant && estimate > eff.warn() {
        Verdict::Warning
    } else if significant && estimate < -eff.warn() && change.upper() < 0.0 {
        Verdict::Improved
    } else {
        Verdict::Unchanged
    }
}

/// `max(eff.fail, eff.warn + (change.estimate - change.lower))`: the smallest relative
/// slowdown this run could have flagged as [`Verdict::Regressed`], assuming the interval
/// keeps its lower half-width `estimate - lower` when shifted. At least `eff.fail`. Cost: O(1).
#[must_use]
pub fn minimum_detectable_effect(change: Interval, eff: Thresholds) -> f64 {
    eff.fail()
        .max(eff.warn() + (change.estimate() - change.lower()))
}

/// `verdict` as a run that could resolve `minimum_detectable_effect` may state it: an
/// [`Verdict::Unchanged`] whose minimum detectable effect is above the **configured** fail
/// threshold (`configured.fail`, before any raise to the noise floor) becomes
/// [`Verdict::Inconclusive`]: a real slowdown of `fail` could have gone unseen, so "unchanged"
/// would claim more than the run knows. Every other verdict is kept. Cost: O(1).
#[must_use]
pub fn settle(verdict: Verdict, minimum_detectable_effect: f64, configured: Thresholds) -> Verdict {
    if verdict == Verdict::Unchanged && minimum_detectable_effect > configured.fail() {
        Verdict::Inconclusive
    } else {
        verdict
    }
}

/// Compares a new sample of one benchmark against its baseline.
///
/// Validates `config` ([`CompareConfig::validate`]), then computes the medians, the
/// bootstrap interval of the relative change ([`relative_change_ci`]), the Mann–Whitney
/// p-value ([`mann_whitney::test()`]), the effective thresholds
/// ([`Thresholds::effective`]), the [`minimum_detectable_effect`] and the [`Verdict`]
/// ([`decide`], then [`settle`]). Deterministic given `config.seed`.
///
/// Cost: dominated by the bootstrap, O(resamples · (len(base) + len(new))) expected, plus
/// O(N log N) for the test.
pub fn compare(
    base: &Sample,
    new: &Sample,
    noise: NoiseFloor,
    thresholds: Thresholds,
    config: &CompareConfig,
) -> Result<Comparison> {
    config.validate()?;
    let change = relative_change_ci(base, new, config.confidence, config.resamples, config.seed)?;
    let p_value = mann_whitney::test(base, new).p_value;
    let effective_thresholds = thresholds.effective(noise);
    let mde = minimum_detectable_effect(change, effective_thresholds);
    let verdict = decide(change, p_value, config.alpha, effective_thresholds);
    Ok(Comparison {
        base_median: base.median(),
        new_median: new.median(),
        change,
        p_value,
        noise,
        effective_thresholds,
        verdict: settle(verdict, mde, thresholds),
        minimum_detectable_effect: mde,
    })
}

#[cfg(test)]
#[allow(clippy::float_cmp, reason = "these tests expect exact values")]
mod tests {
    use super::*;

    fn interval(lower: f64, estimate: f64, upper: f64) -> Interval {
        Interval::new(lower, estimate, upper).unwrap()
    }

    /// The defaults, `warn = 0.05`, `fail = 0.10`.
    const EFF: Thresholds = Thresholds::DEFAULT;

    #[test]
    fn rule_branches() {
        let sig = 0.001;
        let alpha = 0.01;
        let cases = [
            (interval(0.08, 0.15, 0.20), sig, Verdict::Regressed),
            // estimate above fail but lower bound not above warn → only a warning
            (interval(0.03, 0.15, 0.20), sig, Verdict::Warning),
            (interval(0.02, 0.07, 0.09), sig, Verdict::Warning),
            // not significant → unchanged whatever the size
            (interval(0.08, 0.15, 0.20), 0.5, Verdict::Unchanged),
            (interval(-0.20, -0.15, -0.08), sig, Verdict::Improved),
            // faster but the interval reaches 0 → unchanged
            (interval(-0.20, -0.15, 0.01), sig, Verdict::Unchanged),
            (interval(-0.04, -0.03, -0.01), sig, Verdict::Unchanged),
            (interval(0.0, 0.0, 0.0), sig, Verdict::Unchanged),
            // p exactly alpha is not significant
            (interval(0.08, 0.15, 0.20), alpha, Verdict::Unchanged),
            (interval(0.08, 0.15, 0.20), f64::NAN, Verdict::Unchanged),
        ];
        for (change, p, expected) in cases {
            assert_eq!(
                decide(change, p, alpha, EFF),
                expected,
                "{change:?}, p = {p}"
            );
        }
    }

    #[test]
    fn minimum_detectable_effect_known_values() {
        // narrow interval: fail dominates
        assert_eq!(
            minimum_detectable_effect(interval(0.0, 0.01, 0.02), EFF),
            0.10
        );
        // half-width 0.08: 0.05 + 0.08
        let mde = minimum_detectable_effect(interval(-0.08, 0.0, 0.08), EFF);
        assert!((mde - 0.13).abs() < 1e-12);
    }

    #[test]
    fn verdict_severity_order_and_failure() {
        assert!(Verdict::Improved < Verdict::Unchanged);
        assert!(Verdict::Unchanged < Verdict::Inconclusive);
        assert!(Verdict::Inconclusive < Verdict::Warning);
        assert!(Verdict::Warning < Verdict::Regressed);
        assert_eq!(Verdict::ALL.iter().copied().max(), Some(Verdict::Regressed));
        let failing: Vec<_> = Verdict::ALL
            .into_iter()
            .filter(|v| v.is_failure())
            .collect();
        assert_eq!(failing, [Verdict::Regressed]);
        assert_eq!(Verdict::Warning.to_string(), "warning");
    }

    #[test]
    fn settle_says_inconclusive_only_for_an_unchanged_that_could_not_see_fail() {
        let configured = Thresholds::DEFAULT; // fail 0.10
        assert_eq!(
            settle(Verdict::Unchanged, 0.18, configured),
            Verdict::Inconclusive
        );
        assert_eq!(
            settle(Verdict::Unchanged, 0.10, configured),
            Verdict::Unchanged
        );
        assert_eq!(
            settle(Verdict::Unchanged, 0.02, configured),
            Verdict::Unchanged
        );
        for v in [Verdict::Improved, Verdict::Warning, Verdict::Regressed] {
            assert_eq!(settle(v, 0.5, configured), v);
        }
    }

    #[test]
    fn a_significant_change_hidden_by_a_raised_threshold_is_inconclusive() {
        // The case of issue 21: −7.7% [−12.5%, −2.6%], p = 0.002, with a noise floor of 9%
        // raising warn and fail: `decide` alone says unchanged.
        let change = interval(-0.125, -0.077, -0.026);
        let configured = Thresholds::DEFAULT;
        let eff = configured.effective(NoiseFloor::new(0.09).unwrap());
        assert_eq!(decide(change, 0.002, 0.01, eff), Verdict::Unchanged);
        let mde = minimum_detectable_effect(change, eff);
        assert_eq!(
            settle(Verdict::Unchanged, mde, configured),
            Verdict::Inconclusive
        );
    }

    #[test]
    fn bad_config_is_rejected_naming_the_field() {
        let s = Sample::new(vec![1.0, 2.0, 3.0]).unwrap();
        let run = |config: CompareConfig| {
            compare(&s, &s, NoiseFloor::ZERO, Thresholds::default(), &config).unwrap_err()
        };
        let base = CompareConfig::default();
        let err = run(CompareConfig { alpha: 0.0, ..base });
        assert!(err.to_string().starts_with("alpha = 0 "), "{err}");
        let err = run(CompareConfig {
            alpha: f64::NAN,
            ..base
        });
        assert!(err.to_string().starts_with("alpha = NaN "), "{err}");
        let err = run(CompareConfig {
            confidence: 1.0,
            ..base
        });
        assert!(err.to_string().starts_with("confidence = 1 "), "{err}");
        let err = run(CompareConfig {
            resamples: 0,
            ..base
        });
        assert!(err.to_string().starts_with("resamples = 0 "), "{err}");
    }

    #[test]
    fn compare_fills_every_field() {
        let base: Vec<f64> = (0..40).map(|i| 1000.0 + f64::from(i % 10)).collect();
        let new: Vec<f64> = base.iter().map(|x| x * 1.3).collect();
        let (base, new) = (Sample::new(base).unwrap(), Sample::new(new).unwrap());
        let config = CompareConfig {
            resamples: 1000,
            seed: 9,
            ..CompareConfig::default()
        };
        let noise = NoiseFloor::new(0.02).unwrap();
        let c = compare(&base, &new, noise, Thresholds::default(), &config).unwrap();
        assert_eq!(c.base_median, base.median());
        assert_eq!(c.new_median, new.median());
        assert!((c.change.estimate() - 0.3).abs() < 1e-9);
        assert!(c.p_value < 1e-6);
        assert_eq!(c.noise, noise);
        assert_eq!(c.effective_thresholds, Thresholds::default());
        assert_eq!(c.verdict, Verdict::Regressed);
        assert!(c.minimum_detectable_effect >= 0.10);
        assert_eq!(
            c,
            compare(&base, &new, noise, Thresholds::default(), &config).unwrap()
        );
    }
}
