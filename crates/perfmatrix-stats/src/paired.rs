//! The paired verdict: a change measured against its base on the same machine, sample by sample
//! interleaved, in several fresh process pairs (docs/statistics.md, "Paired mode").
//!
//! The unit of evidence is the **process pair**, not the sample: one base and one head process,
//! started afresh, each timing the same number of iterations in alternating random order. Within
//! one pair the samples share that pair's placement in memory, whose bias (up to ±3% on the
//! machines this was built on) no number of samples averages away; across fresh pairs it varies,
//! so the interval is taken over the pairs' summaries ([`pair_log_ratio`]):
//!
//! - estimate: the mean of the pairs' log ratios `ln(head / base)`, reported as the relative
//!   change `exp(·) − 1` (so swapping base and head negates the log estimate exactly);
//! - interval: Student's t interval of that mean at `confidence` with `pairs − 1` degrees of
//!   freedom; p-value: the two-sided one-sample t test of "mean log ratio = 0";
//! - minimum detectable effect: `(t_{1−α/2} + t_{power}) · SE`, the true change this run would
//!   find significant with probability `power`;
//! - the thresholds are raised to the interval's half-width (a benchmark whose own spread cannot
//!   resolve its warning threshold is judged at what it can resolve), then [`decide_paired`].

use serde::{Deserialize, Serialize};

use crate::bootstrap::Interval;
use crate::decision::{Verdict, settle};
use crate::error::{Result, StatsError, check_open_unit, check_positive_finite};
use crate::noise::NoiseFloor;
use crate::student_t;
use crate::summary::median_in_place;
use crate::thresholds::Thresholds;

/// The fewest process pairs an interval is taken over.
pub const MIN_PAIRS: usize = 2;

/// Warning and failure thresholds of paired mode: +2% and +5%.
pub const PAIRED_THRESHOLDS: Thresholds = Thresholds::PAIRED;

/// Parameters of [`compare_paired`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PairedConfig {
    /// Significance level of the t test; default 0.01. In `(0, 1)`.
    pub alpha: f64,
    /// Confidence level of the interval; default 0.99. In `(0, 1)`.
    pub confidence: f64,
    /// Power at which the minimum detectable effect is stated; default 0.8. In `(0, 1)`.
    pub power: f64,
}

impl Default for PairedConfig {
    fn default() -> Self {
        Self {
            alpha: 0.01,
            confidence: 0.99,
            power: 0.8,
        }
    }
}

impl PairedConfig {
    /// Checks that every field lies in `(0, 1)`, naming the first that does not.
    pub fn validate(&self) -> Result<()> {
        check_open_unit("alpha", self.alpha, "0 < alpha < 1")?;
        check_open_unit("confidence", self.confidence, "0 < confidence < 1")?;
        check_open_unit("power", self.power, "0 < power < 1")?;
        Ok(())
    }
}

/// Everything [`compare_paired`] found about one benchmark.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PairedComparison {
    /// The relative change `head / base − 1` with its interval.
    pub change: Interval,
    /// The same in log space, `ln(head / base)`: the scale the statistics work on.
    pub log_change: Interval,
    /// Two-sided p-value of "no change".
    pub p_value: f64,
    /// How many process pairs the interval is taken over.
    pub pairs: usize,
    /// Standard deviation of the pairs' log ratios (0 when all agree).
    pub pair_sd: f64,
    /// The thresholds applied: the configured ones raised to the interval's half-width.
    pub effective_thresholds: Thresholds,
    /// The smallest relative change this run would detect with the configured power.
    pub minimum_detectable_effect: f64,
    /// The outcome of [`decide_paired`], [`settle`]d against the configured thresholds.
    pub verdict: Verdict,
}

impl PairedComparison {
    /// Whether more pairs could still change the verdict: some threshold (`−warn`, `warn`,
    /// `fail`, effective) lies strictly inside the interval. A caller adding pairs one at a time
    /// stops once this is false (after its own minimum number of pairs).
    #[must_use]
    pub fn undecided(&self) -> bool {
        let eff = self.effective_thresholds;
        let (lo, hi) = (self.change.lower(), self.change.upper());
        [-eff.warn(), eff.warn(), eff.fail()]
            .iter()
            .any(|&t| lo < t && t < hi)
    }
}

/// One process pair's summary: the median over its rounds of `ln(head_i / base_i)`, where round
/// `i` timed the same iterations once in each process. Errors: empty or unequal lengths,
/// non-finite or non-positive times (naming `base_ns` or `head_ns` and the index).
pub fn pair_log_ratio(base_ns: &[f64], head_ns: &[f64]) -> Result<f64> {
    if base_ns.is_empty() {
        return Err(StatsError::Empty { field: "base_ns" });
    }
    if base_ns.len() != head_ns.len() {
        return Err(StatsError::TooFew {
            field: "head_ns",
            got: head_ns.len(),
            min: base_ns.len(),
        });
    }
    check_positive_finite("base_ns", base_ns)?;
    check_positive_finite("head_ns", head_ns)?;
    let mut ratios: Vec<f64> = base_ns
        .iter()
        .zip(head_ns)
        .map(|(b, h)| (h / b).ln())
        .collect();
    Ok(median_in_place(&mut ratios))
}

/// Compares head with base from the log ratios of at least [`MIN_PAIRS`] process pairs (see the
/// module docs for the method). Errors: too few pairs, a non-finite ratio, an invalid `config`.
/// Cost: O(pairs) plus ~80 evaluations of the t CDF for each quantile.
pub fn compare_paired(
    pair_log_ratios: &[f64],
    thresholds: Thresholds,
    config: &PairedConfig,
) -> Result<PairedComparison> {
    config.validate()?;
    let n = pair_log_ratios.len();
    if n < MIN_PAIRS {
        return Err(StatsError::TooFew {
            field: "pair_log_ratios",
            got: n,
            min: MIN_PAIRS,
        });
    }
    for (index, &value) in pair_log_ratios.iter().enumerate() {
        if !value.is_finite() {
            return Err(StatsError::NonFinite {
                field: "pair_log_ratios",
                index,
                value,
            });
        }
    }
    let nf = n as f64;
    let df = nf - 1.0;
    let mean = pair_log_ratios.iter().sum::<f64>() / nf;
    let var = pair_log_ratios
        .iter()
        .map(|x| (x - mean).powi(2))
        .sum::<f64>()
        / df;
    let sd = var.sqrt();
    let se = sd / nf.sqrt();
    let t_ci = student_t::quantile(0.5 + config.confidence / 2.0, df);
    let half = t_ci * se;
    let log_change = Interval::new(mean - half, mean, mean + half)?;
    let rel = |x: f64| x.exp_m1();
    let change = Interval::new(rel(mean - half), rel(mean), rel(mean + half))?;
    let p_value = if se > 0.0 {
        student_t::two_sided_p_value(mean / se, df)
    } else if mean == 0.0 {
        1.0
    } else {
        0.0
    };
    let mde_log = (student_t::quantile(1.0 - config.alpha / 2.0, df)
        + student_t::quantile(config.power, df))
        * se;
    let resolution = NoiseFloor::new((change.upper() - change.lower()) / 2.0)?;
    let effective_thresholds = thresholds.effective(resolution);
    let minimum_detectable_effect = rel(mde_log);
    let verdict = decide_paired(change, p_value, config.alpha, effective_thresholds);
    Ok(PairedComparison {
        change,
        log_change,
        p_value,
        pairs: n,
        pair_sd: sd,
        effective_thresholds,
        minimum_detectable_effect,
        verdict: settle(verdict, minimum_detectable_effect, thresholds),
    })
}

/// The paired decision rule, with `eff` the effective thresholds:
///
/// - significant = `p_value < alpha`;
/// - `Regressed` if significant, `change.lower > eff.warn` (confidently beyond the tolerance)
///   and `change.upper >= eff.fail` (not confidently below the failure threshold): a true
///   slowdown of `fail` or more fails unless the data show it is smaller;
/// - `Warning` if significant and `change.estimate > eff.warn` (and not `Regressed`);
/// - `Improved` if significant and `change.upper < −eff.warn`;
/// - `Unchanged` otherwise.
///
/// A NaN p-value is never significant. Cost: O(1).
#[must_use]
pub fn decide_paired(change: Interval, p_value: f64, alpha: f64, eff: Thresholds) -> Verdict {
    let significant = p_value < alpha;
    if significant && change.lower() > eff.warn() && change.upper() >= eff.fail() {
        Verdict::Regressed
    } else if significant && change.estimate() > eff.warn() {
        Verdict::Warning
    } else if significant && change.upper() < -eff.warn() {
        Verdict::Improved
    } else {
        Verdict::Unchanged
    }
}

#[cfg(test)]
#[allow(clippy::float_cmp, reason = "these tests expect exact values")]
mod tests {
    use super::*;

    fn interval(lower: f64, estimate: f64, upper: f64) -> Interval {
        Interval::new(lower, estimate, upper).unwrap()
    }

    #[test]
    fn rule_branches() {
        let eff = PAIRED_THRESHOLDS;
        let sig = 0.001;
        let cases = [
            (interval(0.035, 0.05, 0.065), sig, Verdict::Regressed),
            (interval(0.021, 0.03, 0.051), sig, Verdict::Regressed),
            // confidently between warn and fail: a warning
            (interval(0.025, 0.03, 0.035), sig, Verdict::Warning),
            (interval(0.01, 0.05, 0.09), sig, Verdict::Warning),
            (interval(0.01, 0.05, 0.09), 0.5, Verdict::Unchanged),
            (interval(-0.06, -0.04, -0.03), sig, Verdict::Improved),
            (interval(-0.06, -0.04, -0.01), sig, Verdict::Unchanged),
            (interval(0.035, 0.05, 0.065), f64::NAN, Verdict::Unchanged),
        ];
        for (change, p, expected) in cases {
            assert_eq!(decide_paired(change, p, 0.01, eff), expected, "{change:?}");
        }
    }

    #[test]
    fn pair_log_ratio_is_the_median_of_round_ratios() {
        let base = [100.0, 100.0, 100.0];
        let head = [110.0, 90.0, 105.0];
        assert_eq!(pair_log_ratio(&base, &head).unwrap(), 1.05_f64.ln());
        assert!(pair_log_ratio(&[], &[]).is_err());
        assert!(pair_log_ratio(&[1.0], &[1.0, 2.0]).is_err());
        let err = pair_log_ratio(&[1.0, 0.0], &[1.0, 1.0]).unwrap_err();
        assert!(err.to_string().starts_with("base_ns[1] = 0"), "{err}");
    }

    #[test]
    fn count_slowdown_and_identity() {
        let config = PairedConfig::default();
        let same = compare_paired(&[0.0; 6], PAIRED_THRESHOLDS, &config).unwrap();
        assert_eq!(same.verdict, Verdict::Unchanged);
        assert_eq!(same.p_value, 1.0);
        let slower = compare_paired(&[1.1_f64.ln(); 6], PAIRED_THRESHOLDS, &config).unwrap();
        assert_eq!(slower.verdict, Verdict::Regressed);
        assert!((slower.change.estimate() - 0.1).abs() < 1e-12);
        assert!(compare_paired(&[0.1], PAIRED_THRESHOLDS, &config).is_err());
        assert!(compare_paired(&[0.1, f64::NAN], PAIRED_THRESHOLDS, &config).is_err());
    }

    #[test]
    fn interval_and_mde_from_known_values() {
        // Ten pairs with sd 0.02 around 0.01: SE = 0.02/√10, t(0.995, 9) = 3.2498.
        let ratios: Vec<f64> = (0..10)
            .map(|i| 0.01 + if i % 2 == 0 { 0.02 } else { -0.02 } * (0.9_f64).sqrt())
            .collect();
        let c = compare_paired(&ratios, PAIRED_THRESHOLDS, &PairedConfig::default()).unwrap();
        let se = 0.02 / 10.0_f64.sqrt();
        assert!((c.pair_sd - 0.02).abs() < 1e-12);
        assert!((c.log_change.upper() - (0.01 + 3.2498 * se)).abs() < 1e-4);
        // MDE: (t(0.995, 9) + t(0.8, 9)) · SE = (3.2498 + 0.8834) · SE.
        assert!((c.minimum_detectable_effect - (4.1332 * se).exp_m1()).abs() < 1e-4);
        assert!(c.undecided() || c.change.upper() < 0.02);
    }
}
