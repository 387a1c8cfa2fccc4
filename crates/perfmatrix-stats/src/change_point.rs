//! Change points in per-commit histories: where a benchmark's level moved, and by how much.
//!
//! Three detectors, one per kind of history:
//!
//! - [`detect`], for noisy levels (wall times, one value per commit): **E-divisive means**
//!   (Matteson & James, "A Nonparametric Approach for Multiple Change Point Analysis of
//!   Multivariate Data", JASA 109(505), 2014) with the modification of **Hunter** (Fleming et
//!   al., "Hunter: Using Change Point Detection to Hunt for Performance Regressions", ICPE 2023,
//!   doi:10.1145/3578244.3583719; now Apache Otava): the permutation test of each candidate is
//!   replaced by a two-sample Student's t test between the segments on either side of it, which
//!   makes the result deterministic and cheap.
//! - [`count_changes`], for counts (instructions): every change of value is a change point.
//! - [`chained`], for paired per-commit changes `ln(head / base)` with standard errors: single
//!   significant steps and slow drifts that only their sum makes significant.
//!
//! # [`detect`] step by step
//!
//! 1. **Split** (Hunter's first pass). Windows of [`ChangePointConfig::window`] points slide over
//!    the series by half a window. Inside a window, E-divisive bisects hierarchically: every segment
//!    between the change points found so far proposes the split `τ` (and end `κ`) maximising
//!    the divergence
//!    `Q̂(X, Y) = 2/(n+m) Σ|Xᵢ−Yⱼ| − 2m/((n+m)(n−1)) Σ_{i<k}|Xᵢ−Xₖ| − 2n/((n+m)(m−1)) Σ_{j<k}|Yⱼ−Yₖ|`
//!    for `X = x[a..τ]` (n points) and `Y = x[τ..κ]` (m points), the energy distance with
//!    exponent α = 1 scaled by `nm/(n+m)`; the proposal with the largest `Q̂` over all segments
//!    is tested with the t test between `x[a..τ]` and `x[τ..b]` (the whole neighbouring
//!    segments); it is kept if its p-value is below a relaxed first-pass level (10 ×
//!    `max_p_value` for levels below 0.05, as Hunter does), and bisection stops at the first
//!    proposal that fails. The union over the windows gives the *weak* change points.
//! 2. **Merge** (Hunter's second pass). Each weak point is re-tested between its neighbouring
//!    weak points over the whole series. Repeatedly, the point with the largest p-value is
//!    removed if that p-value is `>= max_p_value`, otherwise the point with the smallest
//!    magnitude if that is below `min_magnitude`; after each removal the two neighbours are
//!    re-tested against their new neighbours. What is left is reported.
//!
//! Where this differs from Otava (checked against its source, `otava/analysis.py` and
//! `change_point_divisive/`): the t test uses the unbiased (n − 1) variances, where Otava passes
//! population standard deviations to SciPy's `ttest_ind_from_stats`; both segments of every split
//! must have at least [`ChangePointConfig::min_segment`] points (Otava only needs two points in
//! all); two weak points closer than `min_segment` (the same shift found at neighbouring indices
//! by two windows) are resolved before merging by keeping the one with the larger |t| between
//! their common neighbours, where Otava keeps both; windows always advance by half a window, where Otava
//! starts the next window at the last change point found if that is further on (which can hide a
//! shift that the previous window, cut short, misplaced by one); the magnitude rule keeps
//! `min_magnitude` itself, where Otava needs more; and the input must be positive
//! (levels are times), so `after / before − 1` is always defined.
//!
//! **Complexity.** The series is scaled by a power of two (exact) so that no sum overflows. Each
//! window costs O(w²) per hierarchical split (the within- and between-segment distance sums are
//! built incrementally, O(w) memory, never the w × w matrix), and windows advance by w/2, so the
//! split pass is O(n · w · k) for k change points per window (k is 1 on a flat series: one
//! proposal, rejected); merging is O(n + c²) for c weak points. A 1,000-point series with
//! w = 50 is about 40 windows of ~2,500 distance updates and ~1,000 divergence evaluations each:
//! a few hundred thousand floating-point operations.
//!
//! # [`chained`]
//!
//! A step is one commit whose own change is significant (two-sided z test of `ln(head/base)`
//! against its standard error, p < `max_p_value`) and at least `min_magnitude`. A drift is a run
//! of 2 to [`ChainConfig::max_run`] consecutive commits, none of them significant on its own,
//! whose summed log change (standard error: root of the summed squares, the commits' paired
//! measurements being independent) is significant at the **Bonferroni-corrected** level
//! [`ChainConfig::drift_p_value`] `= max_p_value / (max_run − 1)` (one test per run length from
//! a given start) and at least `min_magnitude`. Drifts are found greedily: the most significant
//! admissible run over the whole history is reported and its commits removed from further runs,
//! until none is left. Under no change, the chance that a false drift starts at a given commit is
//! at most `max_p_value` by the union bound, and the chance of a false step there is
//! `max_p_value` too: at the default 0.001 at most about 2 false points per 1,000 commits (the
//! union bound over overlapping runs is loose: measured on 200 A/A histories of 1,000 commits
//! with SE 0.5%, 1.00 false steps and 0.17 false drifts per 1,000 commits; `docs/statistics.md`,
//! "Change points"). The bound on the run length is what keeps the multiple testing finite; a drift
//! slower than `max_run` commits can be found as several drifts. "Most significant" is the
//! largest |z| (the earliest start, then the shortest run, on a tie), so runs are ranked by
//! `sum² / var` and the tail function is taken only for the one reported. Cost: one
//! O(n · max_run) scan that keeps each start's most significant run, then O(n + max_run²) per
//! drift found (only the starts whose runs reach its commits are searched again).

use serde::{Deserialize, Serialize};

use crate::error::{Result, StatsError, check_open_unit, check_positive_finite};
use crate::{normal, student_t};

/// Parameters of [`detect`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ChangePointConfig {
    /// A change point is reported only if the t test between its neighbouring segments gives a
    /// p-value below this. In `(0, 1)`; default 0.001 (Hunter's default).
    pub max_p_value: f64,
    /// Smallest relative step reported: `max(|after/before − 1|, |before/after − 1|)` must be at
    /// least this. Finite and `>= 0`; default 0.01.
    pub min_magnitude: f64,
    /// Length of the sliding window of the split pass (Hunter's `window_len`). Bounds the cost to
    /// O(n · window) and keeps one large shift from masking smaller ones far away; a shift is
    /// found if it lies at least `min_segment` points inside some window. At least
    /// `2 · min_segment`; default 50 (Otava's default).
    pub window: usize,
    /// Fewest points on each side of a split (so the first possible change point is at index
    /// `min_segment`, the last at `len − min_segment`). At least 2; default 3, so that a
    /// regression in the last three commits can be found.
    pub min_segment: usize,
}

impl ChangePointConfig {
    /// Defaults for wall times: p < 0.001, steps of at least 1%, windows of 50, segments of 3.
    pub const TIME: Self = Self {
        max_p_value: 0.001,
        min_magnitude: 0.01,
        window: 50,
        min_segment: 3,
    };

    /// Checks every field, naming the first that is out of range.
    pub fn validate(&self) -> Result<()> {
        check_open_unit("max_p_value", self.max_p_value, "0 < max_p_value < 1")?;
        check_magnitude(self.min_magnitude)?;
        if self.min_segment < 2 {
            return Err(StatsError::CountTooSmall {
                field: "min_segment",
                value: self.min_segment,
                min: 2,
            });
        }
        let min_window = self.min_segment.saturating_mul(2);
        if self.window < min_window {
            return Err(StatsError::CountTooSmall {
                field: "window",
                value: self.window,
                min: min_window,
            });
        }
        Ok(())
    }

    /// The relaxed level of the split pass: 10 × `max_p_value` below 0.05, 2 × below 0.5, else
    /// `max_p_value` itself (Hunter's first-pass rule).
    #[must_use]
    pub fn first_pass_p_value(&self) -> f64 {
        if self.max_p_value < 0.05 {
            self.max_p_value * 10.0
        } else if self.max_p_value < 0.5 {
            self.max_p_value * 2.0
        } else {
            self.max_p_value
        }
    }
}

impl Default for ChangePointConfig {
    fn default() -> Self {
        Self::TIME
    }
}

fn check_magnitude(value: f64) -> Result<()> {
    if value.is_finite() && value >= 0.0 {
        Ok(())
    } else {
        Err(StatsError::OutOfRange {
            field: "min_magnitude",
            value,
            expected: "finite min_magnitude >= 0",
        })
    }
}

/// One change point of a level series.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ChangePoint {
    /// Index of the first point of the new segment.
    pub index: usize,
    /// Mean of the segment before (from the previous change point, or the start). For
    /// [`count_changes`]: the previous value.
    pub before: f64,
    /// Mean of the segment from `index` to the next change point (or the end). For
    /// [`count_changes`]: the new value.
    pub after: f64,
    /// The relative step `after / before − 1` (`+0.1` is 10% slower for times).
    pub change: f64,
    /// Two-sided p-value of the t test between the two segments; 0 for [`count_changes`].
    pub p_value: f64,
}

/// Change points of a noisy level series (times), sorted by index; see the module docs for the
/// method. A series shorter than `2 · min_segment` has none.
///
/// # Errors
///
/// [`StatsError::NonFinite`] or [`StatsError::NotPositive`] naming `series` and the index of
/// the first bad value; an invalid `config` (see [`ChangePointConfig::validate`]).
pub fn detect(series: &[f64], config: &ChangePointConfig) -> Result<Vec<ChangePoint>> {
    detect_resumed(series, config, &mut SplitMemo::default())
}

/// What [`detect_resumed`] keeps of a growing series between calls: the weak change points of
/// the split pass's windows that were full. A full window sees the same points however long the
/// series grows, so its result never changes; only the windows at the end are searched again.
///
/// The memo checks itself: it holds the configuration it was made with and a hash of the points
/// its windows covered, and a memo that does not match the series given (another series, an
/// edited point, another configuration) is dropped and made anew. A stale memo can therefore
/// cost time, never change a result.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SplitMemo {
    /// The configuration the windows were searched with (`None`: an empty memo).
    config: Option<ChangePointConfig>,
    /// The start of the first window not searched yet (windows start every `window / 2`).
    next_start: usize,
    /// The end of the last full window: the points `series[..covered]` it depends on.
    covered: usize,
    /// FNV-1a of the bits of `series[..covered]`.
    covered_hash: u64,
    /// The weak change points of the full windows, sorted and without repeats.
    weak: Vec<usize>,
}

impl SplitMemo {
    /// How many points the memo's full windows covered (0 for an empty memo).
    #[must_use]
    pub fn covered(&self) -> usize {
        self.covered
    }
}

/// [`detect`], keeping the split pass's full windows in `memo` for the next call on the same
/// series grown by new points: the result is exactly what [`detect`] gives (a property test
/// checks it), and a series that grew by `k` points costs O(w · (k + w)) for the windows at its
/// end plus the O(n) merge, instead of the whole split pass.
///
/// # Errors
///
/// As [`detect`]; the memo is left as it was.
pub fn detect_resumed(
    series: &[f64],
    config: &ChangePointConfig,
    memo: &mut SplitMemo,
) -> Result<Vec<ChangePoint>> {
    config.validate()?;
    check_positive_finite("series", series)?;
    let n = series.len();
    let m0 = config.min_segment;
    if n < 2 * m0 {
        return Ok(Vec::new());
    }
    let (y, scale) = scaled(series);

    let weak = split(series, &y, config, memo);
    let mut cps = resolve_close(&y, weak, m0);
    let mut stats: Vec<Split> = (0..cps.len())
        .map(|i| neighbour_test(&y, &cps, i, m0))
        .collect();

    // Merge: drop the weakest until all remaining are significant and large enough.
    while !stats.is_empty() {
        let (worst, worst_p) =
            stats
                .iter()
                .enumerate()
                .fold((0, f64::NEG_INFINITY), |acc, (i, s)| {
                    if s.p_value > acc.1 {
                        (i, s.p_value)
                    } else {
                        acc
                    }
                });
        let remove = if worst_p >= config.max_p_value {
            worst
        } else {
            let (smallest, magnitude) =
                stats
                    .iter()
                    .enumerate()
                    .fold((0, f64::INFINITY), |acc, (i, s)| {
                        let m = s.magnitude();
                        if m < acc.1 { (i, m) } else { acc }
                    });
            if magnitude >= config.min_magnitude {
                break;
            }
            smallest
        };
        cps.remove(remove);
        stats.remove(remove);
        if remove > 0 {
            stats[remove - 1] = neighbour_test(&y, &cps, remove - 1, m0);
        }
        if remove < cps.len() {
            stats[remove] = neighbour_test(&y, &cps, remove, m0);
        }
    }

    Ok(cps
        .iter()
        .zip(&stats)
        .map(|(&index, s)| ChangePoint {
            index,
            before: s.mean_left * scale,
            after: s.mean_right * scale,
            change: s.mean_right / s.mean_left - 1.0,
            p_value: s.p_value,
        })
        .collect())
}

/// The series divided by a power of two (exact) so that its largest value lies in `[0.5, 1)`,
/// and that power; sums of distances and squares then cannot overflow.
fn scaled(series: &[f64]) -> (Vec<f64>, f64) {
    let max = series.iter().copied().fold(0.0_f64, f64::max);
    let exponent = (max.log2().floor() as i32 + 1).clamp(-1000, 1000);
    let scale = 2.0_f64.powi(exponent);
    let inverse = 2.0_f64.powi(-exponent);
    (series.iter().map(|&x| x * inverse).collect(), scale)
}

/// A hash of the bits of `values`, one FNV-1a step per value rather than per byte (it runs over
/// every series on every read), each step followed by a shift that folds the high bits down (a
/// word-wide FNV step alone lets two flipped sign bits cancel): a stable hash (the same in every
/// build), to tell whether a memo's points are still the series' first points.
fn fnv1a(values: &[f64]) -> u64 {
    fnv1a_from(0xcbf2_9ce4_8422_2325, values)
}

/// [`fnv1a`] of a sequence that goes on from one whose hash is `hash`.
fn fnv1a_from(hash: u64, values: &[f64]) -> u64 {
    values.iter().fold(hash, |hash, v| {
        let hash = (hash ^ v.to_bits()).wrapping_mul(0x0000_0100_0000_01b3);
        hash ^ (hash >> 29)
    })
}

/// The split pass: the union of the change points E-divisive finds in each window, resumed from
/// `memo` where it still matches `series` (the windows are searched in the scaled `y`; scaling
/// by a power of two is exact, so a window's result does not depend on the scale).
fn split(
    series: &[f64],
    y: &[f64],
    config: &ChangePointConfig,
    memo: &mut SplitMemo,
) -> Vec<usize> {
    let n = y.len();
    let step = (config.window / 2).max(1);
    let first_pass = config.first_pass_p_value();
    let matches = memo.config == Some(*config)
        && memo.covered <= n
        && fnv1a(&series[..memo.covered]) == memo.covered_hash;
    if !matches {
        *memo = SplitMemo {
            config: Some(*config),
            covered_hash: fnv1a(&[]),
            ..SplitMemo::default()
        };
    }
    let (old_covered, old_hash) = (memo.covered, memo.covered_hash);
    let mut weak = memo.weak.clone();
    let mut start = memo.next_start;
    // A window starts where the one before it did not reach the end of the series.
    while start == 0 || start - step + config.window < n {
        let end = start.saturating_add(config.window).min(n);
        let found = e_divisive(y, start, end, config.min_segment, first_pass);
        if start + config.window <= n {
            // A full window: its points never change, nor does what it finds.
            memo.weak.extend(&found);
            memo.weak.sort_unstable();
            memo.weak.dedup();
            memo.next_start = start + step;
            memo.covered = end;
        }
        weak.extend(found);
        if end == n {
            break;
        }
        start += step;
    }
    // FNV-1a goes on from the hash of the points covered before.
    memo.covered_hash = fnv1a_from(old_hash, &series[old_covered..memo.covered]);
    weak.sort_unstable();
    weak.dedup();
    weak
}

/// The best split proposed by one segment `[a, b)`.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    a: usize,
    b: usize,
    tau: usize,
    q: f64,
}

/// Hierarchical E-divisive with the t test inside `y[start..end]`; change points sorted.
fn e_divisive(y: &[f64], start: usize, end: usize, m0: usize, p_max: f64) -> Vec<usize> {
    let mut found = Vec::new();
    // One entry per segment between the change points found so far: its best proposal.
    let mut segments: Vec<Option<Candidate>> = vec![best_split(y, start, end, m0)];
    loop {
        let best = segments
            .iter()
            .enumerate()
            .filter_map(|(i, c)| c.map(|c| (i, c)))
            .fold(None::<(usize, Candidate)>, |acc, (i, c)| match acc {
                Some((_, b)) if b.q >= c.q => acc,
                _ => Some((i, c)),
            });
        let Some((i, c)) = best else { break };
        if t_test(y, c.a, c.tau, c.b).p_value >= p_max {
            break;
        }
        found.push(c.tau);
        segments[i] = best_split(y, c.a, c.tau, m0);
        segments.insert(i + 1, best_split(y, c.tau, c.b, m0));
    }
    found.sort_unstable();
    found
}

/// The `(τ, κ)` with `a + m0 <= τ`, `τ + m0 <= κ <= b` maximising the divergence `Q̂` of
/// `y[a..τ]` and `y[τ..κ]`, if any has `Q̂ > 0`. O((b − a)²) time, O(b − a) memory.
#[allow(
    clippy::many_single_char_names,
    reason = "the names follow the formula of Q̂ in the module docs (n, m, a, b, t, k, q)"
)]
fn best_split(y: &[f64], a: usize, b: usize, m0: usize) -> Option<Candidate> {
    let len = b - a;
    if len < 2 * m0 {
        return None;
    }
    let seg = &y[a..b];
    // within_from_a[j] = Σ_{0<=i<k<j} |seg[i] − seg[k]|: the within-sum of seg[..j].
    let mut within_from_a = vec![0.0; len + 1];
    for j in 2..=len {
        let last = seg[j - 1];
        let added: f64 = seg[..j - 1].iter().map(|&v| (v - last).abs()).sum();
        within_from_a[j] = within_from_a[j - 1] + added;
    }
    // row[k] = within-sum of seg[t..k] for the current t, built from t + 1 downwards.
    let mut row = vec![0.0; len + 1];
    let mut best: Option<Candidate> = None;
    for t in (0..len).rev() {
        let head = seg[t];
        let mut cumulative = 0.0;
        for k in t + 1..=len {
            row[k] += cumulative;
            if k < len {
                cumulative += (head - seg[k]).abs();
            }
        }
        if t < m0 || t + m0 > len {
            continue;
        }
        let n = t as f64;
        let within_x = within_from_a[t];
        for k in t + m0..=len {
            let m = (k - t) as f64;
            let within_y = row[k];
            let between = within_from_a[k] - within_x - within_y;
            let total = n + m;
            let q = 2.0 / total * between
                - 2.0 * m / (total * (n - 1.0)) * within_x
                - 2.0 * n / (total * (m - 1.0)) * within_y;
            if q > 0.0 && best.is_none_or(|c| q >= c.q) {
                best = Some(Candidate {
                    a,
                    b,
                    tau: a + t,
                    q,
                });
            }
        }
    }
    best
}

/// A two-sample comparison of `y[a..tau]` and `y[tau..b]`.
#[derive(Debug, Clone, Copy)]
struct Split {
    mean_left: f64,
    mean_right: f64,
    t: f64,
    p_value: f64,
}

impl Split {
    /// `max(|r − 1|, |1/r − 1|)` for `r = right / left`; 0 when undefined.
    fn magnitude(&self) -> f64 {
        let r = self.mean_right / self.mean_left;
        let m = (r - 1.0).abs().max((1.0 / r - 1.0).abs());
        if m.is_nan() { 0.0 } else { m }
    }
}

/// Student's two-sample t test (pooled variance) of `y[a..tau]` against `y[tau..b]`. Values are
/// taken relative to `y[a]`, so that equal values give exactly equal means.
fn t_test(y: &[f64], a: usize, tau: usize, b: usize) -> Split {
    let shift = y[a];
    let stats = |s: &[f64]| {
        let len = s.len() as f64;
        let mean = s.iter().map(|&v| v - shift).sum::<f64>() / len;
        let ss: f64 = s.iter().map(|&v| (v - shift - mean).powi(2)).sum();
        (len, mean, ss)
    };
    let (n1, m1, ss1) = stats(&y[a..tau]);
    let (n2, m2, ss2) = stats(&y[tau..b]);
    let df = n1 + n2 - 2.0;
    let diff = m2 - m1;
    let se = ((ss1 + ss2) / df * (1.0 / n1 + 1.0 / n2)).sqrt();
    let (t, p_value) = if diff == 0.0 {
        (0.0, 1.0)
    } else if se == 0.0 {
        (diff.signum() * f64::INFINITY, 0.0)
    } else {
        let t = diff / se;
        (t, student_t::two_sided_p_value(t, df))
    };
    Split {
        mean_left: m1 + shift,
        mean_right: m2 + shift,
        t,
        p_value: if p_value.is_nan() { 1.0 } else { p_value },
    }
}

/// The t test of change point `cps[i]` between its neighbours (or the series' ends).
#[allow(
    clippy::many_single_char_names,
    reason = "a, b and i follow the notation of the module docs and of `t_test`"
)]
fn neighbour_test(y: &[f64], cps: &[usize], i: usize, m0: usize) -> Split {
    let a = if i == 0 { 0 } else { cps[i - 1] };
    let b = cps.get(i + 1).copied().unwrap_or(y.len());
    let mut s = t_test(y, a, cps[i], b);
    if cps[i] - a < m0 || b - cps[i] < m0 {
        s.p_value = 1.0;
    }
    s
}

/// Resolves weak change points closer than `m0` (one shift seen at neighbouring indices by two
/// windows): of such a pair, the one with the larger |t| between the pair's outer neighbours
/// stays (the earlier on a tie).
fn resolve_close(y: &[f64], mut cps: Vec<usize>, m0: usize) -> Vec<usize> {
    let mut i = 1;
    while i < cps.len() {
        if cps[i] - cps[i - 1] >= m0 {
            i += 1;
            continue;
        }
        let a = if i >= 2 { cps[i - 2] } else { 0 };
        let b = cps.get(i + 1).copied().unwrap_or(y.len());
        let first = t_test(y, a, cps[i - 1], b).t.abs();
        let second = t_test(y, a, cps[i], b).t.abs();
        if second > first {
            cps.remove(i - 1);
            i = i.saturating_sub(1).max(1);
        } else {
            cps.remove(i);
        }
    }
    cps
}

/// Change points of an exact series (instruction counts): every index whose value differs from
/// the previous one, with `before`/`after` the two values, `change = after / before − 1`
/// (`f64::INFINITY` if `before` is 0) and `p_value` 0. O(n).
#[must_use]
pub fn count_changes(series: &[u64]) -> Vec<ChangePoint> {
    series
        .windows(2)
        .enumerate()
        .filter(|(_, w)| w[0] != w[1])
        .map(|(i, w)| {
            let (before, after) = (w[0], w[1]);
            // The difference is taken exactly in integers, so a change of one count in 2⁶⁰
            // is not rounded away.
            let change = if before == 0 {
                f64::INFINITY
            } else {
                (i128::from(after) - i128::from(before)) as f64 / before as f64
            };
            ChangePoint {
                index: i + 1,
                before: before as f64,
                after: after as f64,
                change,
                p_value: 0.0,
            }
        })
        .collect()
}

/// Parameters of [`chained`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ChainConfig {
    /// Level of the per-commit step test; the drift test uses [`Self::drift_p_value`]. In
    /// `(0, 1)`; default 0.001.
    pub max_p_value: f64,
    /// Smallest relative change reported, `exp(|log change|) − 1`. Finite and `>= 0`; default
    /// 0.01.
    pub min_magnitude: f64,
    /// Longest run of commits a drift is summed over. At least 2; default 20.
    pub max_run: usize,
}

impl ChainConfig {
    /// Defaults for chained paired changes: p < 0.001, at least 1%, drifts of up to 20 commits.
    pub const PAIRED: Self = Self {
        max_p_value: 0.001,
        min_magnitude: 0.01,
        max_run: 20,
    };

    /// Checks every field, naming the first that is out of range.
    pub fn validate(&self) -> Result<()> {
        check_open_unit("max_p_value", self.max_p_value, "0 < max_p_value < 1")?;
        check_magnitude(self.min_magnitude)?;
        if self.max_run < 2 {
            return Err(StatsError::CountTooSmall {
                field: "max_run",
                value: self.max_run,
                min: 2,
            });
        }
        Ok(())
    }

    /// The drift level: `max_p_value / (max_run − 1)`, Bonferroni over the run lengths
    /// `2..=max_run` that start at one commit.
    #[must_use]
    pub fn drift_p_value(&self) -> f64 {
        self.max_p_value / (self.max_run.max(2) - 1) as f64
    }
}

impl Default for ChainConfig {
    fn default() -> Self {
        Self::PAIRED
    }
}

/// Whether a [`ChainedChange`] is one commit or a run of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// One commit whose own change is significant.
    Step,
    /// Consecutive commits, none significant alone, whose summed change is.
    Drift,
}

/// One change found by [`chained`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ChainedChange {
    /// Index of the (first) commit of the change.
    pub index: usize,
    /// How many commits it spans: 1 for a step.
    pub commits: usize,
    /// Step or drift.
    pub kind: ChangeKind,
    /// The summed log change `Σ ln(head / base)` over the commits.
    pub log_change: f64,
    /// Its standard error, `√(Σ SE²)`.
    pub standard_error: f64,
    /// The chained relative change `exp(log_change) − 1`.
    pub change: f64,
    /// Two-sided p-value of the z test `log_change / standard_error`.
    pub p_value: f64,
}

/// The two-sided z-test p-value of a log change; exact for a zero standard error.
fn z_p_value(sum: f64, se: f64) -> f64 {
    if sum == 0.0 {
        1.0
    } else if se == 0.0 {
        0.0
    } else {
        normal::two_sided_p_value(sum / se)
    }
}

/// `sum² / var`, which orders log changes as their p-values do, reversed, without the tail
/// function: ∞ for a zero variance, 0 for a zero sum (whose p-value is 1).
fn z_squared(sum: f64, var: f64) -> f64 {
    if sum == 0.0 {
        0.0
    } else if var == 0.0 {
        f64::INFINITY
    } else {
        sum * sum / var
    }
}

/// The z² at which the two-sided p-value falls to `level` (within 10⁻¹² of z), by bisection.
fn critical_z_squared(level: f64) -> f64 {
    let (mut low, mut high) = (0.0_f64, 40.0_f64);
    while high - low > 1e-12 {
        let mid = 0.5 * (low + high);
        if normal::two_sided_p_value(mid) < level {
            high = mid;
        } else {
            low = mid;
        }
    }
    low * low
}

/// A candidate drift: a run of commits from some start, with its summed log change.
#[derive(Debug, Clone, Copy)]
struct Run {
    commits: usize,
    sum: f64,
    var: f64,
    /// [`z_squared`] of the run.
    z_squared: f64,
}

impl Run {
    /// The most significant admissible run from `start` that reaches commit `reach` (ends at
    /// it or later): 2 to `max_run` commits, none used, at least `min_magnitude`; the shortest
    /// on a tie.
    fn most_significant(
        changes: &[(f64, f64)],
        used: &[bool],
        (start, reach): (usize, usize),
        config: &ChainConfig,
    ) -> Option<Self> {
        // `magnitude(sum) >= min_magnitude` on the log scale, where it is
        // `|sum| >= ln(1 + min_magnitude)`: no `exp_m1` per candidate.
        let min_log = config.min_magnitude.ln_1p();
        let (mut sum, mut var) = (0.0, 0.0);
        let mut best: Option<Self> = None;
        for (offset, &(d, se)) in changes[start..].iter().take(config.max_run).enumerate() {
            if used[start + offset] {
                break;
            }
            sum += d;
            var += se * se;
            let commits = offset + 1;
            if commits < 2 || start + offset < reach || sum.abs() < min_log {
                continue;
            }
            let z_squared = z_squared(sum, var);
            if best.is_none_or(|b| z_squared > b.z_squared) {
                best = Some(Self {
                    commits,
                    sum,
                    var,
                    z_squared,
                });
            }
        }
        best
    }
}

/// The input checked, then the steps of `changes`, sorted by index, and which commits are
/// significant on their own (and so take no part in a drift).
fn steps(changes: &[(f64, f64)], config: &ChainConfig) -> Result<(Vec<ChainedChange>, Vec<bool>)> {
    config.validate()?;
    for (index, &(d, se)) in changes.iter().enumerate() {
        if !d.is_finite() {
            return Err(StatsError::NonFinite {
                field: "changes.log_change",
                index,
                value: d,
            });
        }
        if !se.is_finite() {
            return Err(StatsError::NonFinite {
                field: "changes.standard_error",
                index,
                value: se,
            });
        }
        if se < 0.0 {
            return Err(StatsError::Negative {
                field: "changes.standard_error",
                index,
                value: se,
            });
        }
    }
    let magnitude = |d: f64| d.abs().exp_m1();
    // The tail function only near or past the level: below 0.999 of its critical z², a
    // commit's p-value is surely above it.
    let near_level = 0.999 * critical_z_squared(config.max_p_value);
    let step_p: Vec<f64> = changes
        .iter()
        .map(|&(d, se)| {
            if z_squared(d, se * se) < near_level {
                1.0
            } else {
                z_p_value(d, se)
            }
        })
        .collect();
    // A commit significant on its own takes no part in a drift, reported or not.
    let used: Vec<bool> = step_p.iter().map(|&p| p < config.max_p_value).collect();
    let found: Vec<ChainedChange> = changes
        .iter()
        .zip(&step_p)
        .enumerate()
        .filter(|&(_, (&(d, _), &p))| {
            p < config.max_p_value && magnitude(d) >= config.min_magnitude
        })
        .map(|(index, (&(d, se), &p_value))| ChainedChange {
            index,
            commits: 1,
            kind: ChangeKind::Step,
            log_change: d,
            standard_error: se,
            change: d.exp_m1(),
            p_value,
        })
        .collect();
    Ok((found, used))
}

/// Steps and drifts in a history of chained per-commit changes `(ln(head / base), SE)`,
/// sorted by index; see the module docs for the rule and its false-alarm bound. An empty
/// history has none.
///
/// # Errors
///
/// [`StatsError::NonFinite`] naming `changes.log_change` or `changes.standard_error` and the
/// index, [`StatsError::Negative`] for a negative standard error; an invalid `config`.
pub fn chained(changes: &[(f64, f64)], config: &ChainConfig) -> Result<Vec<ChainedChange>> {
    let (mut found, mut used) = steps(changes, config)?;
    let drift_p = config.drift_p_value();
    // The most significant run of each start; a report only changes the runs that reach its
    // commits, so only their starts are searched again.
    let mut best: Vec<Option<Run>> = (0..changes.len())
        .map(|start| Run::most_significant(changes, &used, (start, start), config))
        .collect();
    // The largest |z| over all starts, the earliest on a tie.
    let most_significant = |best: &[Option<Run>]| {
        best.iter()
            .enumerate()
            .filter_map(|(start, run)| run.map(|r| (start, r)))
            .reduce(|a, b| if b.1.z_squared > a.1.z_squared { b } else { a })
    };
    while let Some((index, run)) = most_significant(&best) {
        let standard_error = run.var.sqrt();
        let p_value = z_p_value(run.sum, standard_error);
        if p_value >= drift_p {
            break;
        }
        let end = index + run.commits;
        used[index..end].fill(true);
        found.push(ChainedChange {
            index,
            commits: run.commits,
            kind: ChangeKind::Drift,
            log_change: run.sum,
            standard_error,
            change: run.sum.exp_m1(),
            p_value,
        });
        let first = index.saturating_sub(config.max_run - 1);
        for (start, best) in best.iter_mut().enumerate().take(end).skip(first) {
            *best = Run::most_significant(changes, &used, (start, start), config);
        }
    }
    found.sort_by_key(|c| c.index);
    Ok(found)
}

/// What [`chained_resumed`] keeps of a growing history between calls: the drifts found in its
/// first `len` changes. Appended commits leave them as they were unless a run that reaches an
/// appended commit comes near the drift level; only then is the history searched again.
///
/// Like [`SplitMemo`], the memo checks itself (the configuration, and a hash of the changes it
/// was made from): a memo that does not match is dropped and made anew, so a stale memo can cost
/// time, never change a result.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ChainMemo {
    /// The configuration the drifts were found with (`None`: an empty memo).
    config: Option<ChainConfig>,
    /// How many changes the drifts were found in.
    len: usize,
    /// [`fnv1a_changes`] of those changes.
    hash: u64,
    /// The drifts, sorted by index.
    drifts: Vec<ChainedChange>,
}

/// [`fnv1a_from`] over `changes`, each log change then its standard error.
fn fnv1a_changes(hash: u64, changes: &[(f64, f64)]) -> u64 {
    changes
        .iter()
        .fold(hash, |hash, &(d, se)| fnv1a_from(hash, &[d, se]))
}

/// [`chained`], keeping the drifts in `memo` for the next call on the same history grown by new
/// commits: the result is exactly what [`chained`] gives (a property test checks it).
///
/// Why the drifts can be kept: the greedy search reports drifts in order of falling |z|, each
/// significant, and stops at the first run that is not. Appending commits adds only runs that
/// reach an appended commit, and leaves every older run as it was. If none of the added runs
/// comes within 0.1% of the drift level's z² (judged before any drift takes commits away,
/// which can only shorten runs), each reported drift still beats every added run when its turn
/// comes, and the search still stops where it did. The steps are each commit's own. A history
/// grown by `k` commits then costs O(n) for its steps and the hash, plus
/// O((k + max_run) · max_run) for the added runs; otherwise the whole search.
///
/// # Errors
///
/// As [`chained`]; the memo is left as it was.
pub fn chained_resumed(
    changes: &[(f64, f64)],
    config: &ChainConfig,
    memo: &mut ChainMemo,
) -> Result<Vec<ChainedChange>> {
    let matches = memo.config == Some(*config)
        && memo.len <= changes.len()
        && fnv1a_changes(fnv1a(&[]), &changes[..memo.len]) == memo.hash;
    if !matches {
        let found = chained(changes, config)?;
        *memo = ChainMemo {
            config: Some(*config),
            len: changes.len(),
            hash: fnv1a_changes(fnv1a(&[]), changes),
            drifts: found
                .iter()
                .filter(|c| c.kind == ChangeKind::Drift)
                .copied()
                .collect(),
        };
        return Ok(found);
    }
    let (mut found, used) = steps(changes, config)?;
    let near_drift_level = 0.999 * critical_z_squared(config.drift_p_value());
    let old = memo.len;
    // The most significant of the runs that reach an appended commit.
    let added_near = (old.saturating_sub(config.max_run - 1)..changes.len()).any(|start| {
        Run::most_significant(changes, &used, (start, old), config)
            .is_some_and(|run| run.z_squared >= near_drift_level)
    });
    if added_near {
        *memo = ChainMemo::default();
        return chained_resumed(changes, config, memo);
    }
    memo.hash = fnv1a_changes(memo.hash, &changes[old..]);
    memo.len = changes.len();
    found.extend(&memo.drifts);
    found.sort_by_key(|c| c.index);
    Ok(found)
}

#[cfg(test)]
#[allow(
    clippy::float_cmp,
    reason = "exact levels and exact scaling by powers of two are expected exactly"
)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn step_series(n: usize, at: usize, factor: f64) -> Vec<f64> {
        (0..n)
            .map(|i| if i < at { 100.0 } else { 100.0 * factor })
            .collect()
    }

    /// A fixed, reproducible ±`amplitude` relative wiggle (no generator needed).
    fn wiggle(i: usize, amplitude: f64) -> f64 {
        let phase = (i as f64 * 2.399_963).sin();
        1.0 + amplitude * phase
    }

    #[test]
    fn a_clean_ten_percent_step_is_found_at_its_index() {
        let cps = detect(&step_series(60, 30, 1.1), &ChangePointConfig::TIME).unwrap();
        assert_eq!(cps.len(), 1, "{cps:?}");
        assert_eq!(cps[0].index, 30);
        assert!((cps[0].change - 0.1).abs() < 1e-12);
        assert!((cps[0].before - 100.0).abs() < 1e-9);
        assert!((cps[0].after - 110.0).abs() < 1e-9);
        assert!(cps[0].p_value < 1e-6);
    }

    #[test]
    fn a_noisy_step_is_found_at_its_index() {
        let s: Vec<f64> = step_series(60, 30, 1.1)
            .iter()
            .enumerate()
            .map(|(i, v)| v * wiggle(i, 0.02))
            .collect();
        let cps = detect(&s, &ChangePointConfig::TIME).unwrap();
        assert_eq!(cps.iter().map(|c| c.index).collect::<Vec<_>>(), [30]);
    }

    #[test]
    fn no_step_gives_none() {
        let s: Vec<f64> = (0..200).map(|i| 100.0 * wiggle(i, 0.02)).collect();
        assert!(detect(&s, &ChangePointConfig::TIME).unwrap().is_empty());
        assert!(
            detect(&[5.0; 100], &ChangePointConfig::TIME)
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn two_steps_are_both_found() {
        let s: Vec<f64> = (0..120)
            .map(|i| {
                let level = if i < 40 {
                    100.0
                } else if i < 80 {
                    110.0
                } else {
                    95.0
                };
                level * wiggle(i, 0.01)
            })
            .collect();
        let cps = detect(&s, &ChangePointConfig::TIME).unwrap();
        assert_eq!(cps.iter().map(|c| c.index).collect::<Vec<_>>(), [40, 80]);
        assert!(cps[1].change < 0.0);
    }

    #[test]
    fn steps_far_apart_in_a_long_series_are_found() {
        let s: Vec<f64> = (0..1000)
            .map(|i| {
                let level = match i {
                    0..300 => 100.0,
                    300..700 => 105.0,
                    _ => 103.0,
                };
                level * wiggle(i, 0.005)
            })
            .collect();
        let cps = detect(&s, &ChangePointConfig::TIME).unwrap();
        assert_eq!(cps.iter().map(|c| c.index).collect::<Vec<_>>(), [300, 700]);
    }

    #[test]
    fn a_step_at_the_very_end_is_found() {
        let cps = detect(&step_series(40, 37, 1.2), &ChangePointConfig::TIME).unwrap();
        assert_eq!(cps.iter().map(|c| c.index).collect::<Vec<_>>(), [37]);
    }

    #[test]
    fn steps_below_min_magnitude_are_not_reported() {
        let cps = detect(&step_series(60, 30, 1.005), &ChangePointConfig::TIME).unwrap();
        assert!(cps.is_empty(), "{cps:?}");
    }

    #[test]
    fn short_series_have_no_change_points() {
        let config = ChangePointConfig::TIME;
        assert!(detect(&[], &config).unwrap().is_empty());
        assert!(
            detect(&[1.0, 2.0, 3.0, 4.0, 5.0], &config)
                .unwrap()
                .is_empty()
        );
        assert!(chained(&[], &ChainConfig::PAIRED).unwrap().is_empty());
        assert!(count_changes(&[]).is_empty());
        assert!(count_changes(&[7]).is_empty());
    }

    #[test]
    fn count_changes_are_every_change_of_value() {
        let cps = count_changes(&[100, 100, 102, 102, 102, 101, 101, 0, 5]);
        let idx: Vec<_> = cps.iter().map(|c| c.index).collect();
        assert_eq!(idx, [2, 5, 7, 8]);
        assert!((cps[0].change - 0.02).abs() < 1e-15);
        assert!(cps[0].before == 100.0 && cps[0].after == 102.0);
        assert!(cps.iter().all(|c| c.p_value == 0.0));
        assert!(cps[3].change.is_infinite());
        let big = count_changes(&[1 << 60, (1 << 60) + 1]);
        assert!(big[0].change > 0.0, "one count in 2^60 is still a change");
    }

    #[test]
    fn invalid_input_names_the_field_and_index() {
        let config = ChangePointConfig::TIME;
        let err = detect(&[1.0, f64::NAN, 2.0], &config).unwrap_err();
        assert!(matches!(
            err,
            StatsError::NonFinite {
                field: "series",
                index: 1,
                ..
            }
        ));
        assert!(err.to_string().contains("series[1]"));
        assert!(matches!(
            detect(&[1.0, 2.0, -3.0], &config),
            Err(StatsError::NotPositive { index: 2, .. })
        ));
        let bad = |c: ChangePointConfig| c.validate().unwrap_err().to_string();
        assert!(
            bad(ChangePointConfig {
                max_p_value: 0.0,
                ..config
            })
            .contains("max_p_value")
        );
        assert!(
            bad(ChangePointConfig {
                min_magnitude: f64::NAN,
                ..config
            })
            .contains("min_magnitude")
        );
        assert!(
            bad(ChangePointConfig {
                min_segment: 1,
                ..config
            })
            .contains("min_segment")
        );
        assert!(
            bad(ChangePointConfig {
                window: 5,
                ..config
            })
            .contains("window")
        );

        let p = ChainConfig::PAIRED;
        let err = chained(&[(0.0, 0.01), (f64::INFINITY, 0.01)], &p).unwrap_err();
        assert!(err.to_string().contains("changes.log_change[1]"));
        let err = chained(&[(0.0, f64::NAN)], &p).unwrap_err();
        assert!(err.to_string().contains("changes.standard_error[0]"));
        let err = chained(&[(0.0, 0.01), (0.0, -0.01)], &p).unwrap_err();
        assert!(matches!(err, StatsError::Negative { index: 1, .. }));
        let err = ChainConfig { max_run: 1, ..p }.validate().unwrap_err();
        assert!(err.to_string().contains("max_run"));
    }

    #[test]
    fn chained_finds_a_step_and_a_drift() {
        let mut changes = vec![(0.0, 0.005); 100];
        changes[10] = (0.05, 0.005);
        for c in &mut changes[50..70] {
            *c = (0.005, 0.005);
        }
        let found = chained(&changes, &ChainConfig::PAIRED).unwrap();
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(
            (found[0].index, found[0].kind, found[0].commits),
            (10, ChangeKind::Step, 1)
        );
        assert_eq!(
            (found[1].index, found[1].kind, found[1].commits),
            (50, ChangeKind::Drift, 20)
        );
        assert!((found[1].log_change - 0.1).abs() < 1e-12);
        assert!((found[1].change - 0.1_f64.exp_m1()).abs() < 1e-12);
    }

    #[test]
    fn chained_exact_zero_is_quiet() {
        let changes = vec![(0.0, 0.0); 50];
        assert!(chained(&changes, &ChainConfig::PAIRED).unwrap().is_empty());
    }

    /// ±0.2% bounded noise around a level: no segment mean can differ by 1% from another.
    fn quiet_level() -> impl Strategy<Value = Vec<f64>> {
        (
            1e-3..1e6_f64,
            prop::collection::vec(-0.002..0.002_f64, 6..200),
        )
            .prop_map(|(level, noise)| noise.iter().map(|e| level * (1.0 + e)).collect())
    }

    /// [`chained`]'s rule the plain way: every p-value taken, and every run of every start
    /// searched again after each drift reported.
    fn chained_by_rescans(changes: &[(f64, f64)], config: &ChainConfig) -> Vec<ChainedChange> {
        let p: Vec<f64> = changes.iter().map(|&(d, se)| z_p_value(d, se)).collect();
        let mut used: Vec<bool> = p.iter().map(|&p| p < config.max_p_value).collect();
        let mut found: Vec<ChainedChange> = (0..changes.len())
            .filter(|&i| {
                p[i] < config.max_p_value && changes[i].0.abs().exp_m1() >= config.min_magnitude
            })
            .map(|i| ChainedChange {
                index: i,
                commits: 1,
                kind: ChangeKind::Step,
                log_change: changes[i].0,
                standard_error: changes[i].1,
                change: changes[i].0.exp_m1(),
                p_value: p[i],
            })
            .collect();
        loop {
            // (z², start, commits, sum, var): the largest z², then the earliest and shortest.
            let mut best: Option<(f64, usize, usize, f64, f64)> = None;
            for start in 0..changes.len() {
                let (mut sum, mut var) = (0.0, 0.0);
                for commits in 1..=config.max_run.min(changes.len() - start) {
                    if used[start + commits - 1] {
                        break;
                    }
                    sum += changes[start + commits - 1].0;
                    var += changes[start + commits - 1].1.powi(2);
                    if commits < 2 || sum.abs().exp_m1() < config.min_magnitude {
                        continue;
                    }
                    let z2 = z_squared(sum, var);
                    if best.is_none_or(|b| z2 > b.0) {
                        best = Some((z2, start, commits, sum, var));
                    }
                }
            }
            let Some((_, start, commits, sum, var)) = best else {
                break;
            };
            let p_value = z_p_value(sum, var.sqrt());
            if p_value >= config.drift_p_value() {
                break;
            }
            used[start..start + commits].fill(true);
            found.push(ChainedChange {
                index: start,
                commits,
                kind: ChangeKind::Drift,
                log_change: sum,
                standard_error: var.sqrt(),
                change: sum.exp_m1(),
                p_value,
            });
        }
        found.sort_by_key(|c| c.index);
        found
    }

    proptest! {
        #[test]
        fn a_constant_series_has_no_change_points(v in 1e-300..1e300_f64, n in 0usize..300) {
            prop_assert!(detect(&vec![v; n], &ChangePointConfig::TIME).unwrap().is_empty());
        }

        #[test]
        fn small_bounded_noise_has_no_change_points(s in quiet_level()) {
            prop_assert!(detect(&s, &ChangePointConfig::TIME).unwrap().is_empty());
        }

        #[test]
        fn scaling_by_a_power_of_two_changes_nothing_but_the_levels(
            s in prop::collection::vec(1.0..2.0_f64, 0..150), k in -40i32..40,
        ) {
            let c = 2.0_f64.powi(k);
            let scaled: Vec<f64> = s.iter().map(|v| v * c).collect();
            let a = detect(&s, &ChangePointConfig::TIME).unwrap();
            let b = detect(&scaled, &ChangePointConfig::TIME).unwrap();
            prop_assert_eq!(a.len(), b.len());
            for (x, y) in a.iter().zip(&b) {
                prop_assert_eq!(x.index, y.index);
                prop_assert_eq!(x.p_value, y.p_value);
                prop_assert_eq!(x.before * c, y.before);
            }
        }

        #[test]
        fn scaling_by_any_constant_keeps_a_clear_step(
            s in quiet_level(), at in 0.0..1.0_f64, factor in 1.05..3.0_f64, c in 1e-3..1e3_f64,
        ) {
            let m0 = ChangePointConfig::TIME.min_segment;
            let at = m0 + (at * (s.len() - 2 * m0) as f64) as usize;
            let stepped: Vec<f64> =
                s.iter().enumerate().map(|(i, v)| if i < at { *v } else { v * factor }).collect();
            let scaled: Vec<f64> = stepped.iter().map(|v| v * c).collect();
            let idx = |s: &[f64]| -> Vec<usize> {
                detect(s, &ChangePointConfig::TIME).unwrap().iter().map(|c| c.index).collect()
            };
            prop_assert_eq!(idx(&stepped), vec![at]);
            prop_assert_eq!(idx(&scaled), vec![at]);
        }

        #[test]
        fn reversing_mirrors_one_large_step(
            s in quiet_level(), at in 0.0..1.0_f64, factor in 1.2..2.0_f64,
        ) {
            let m0 = ChangePointConfig::TIME.min_segment;
            let at = m0 + (at * (s.len() - 2 * m0) as f64) as usize;
            let mut stepped: Vec<f64> =
                s.iter().enumerate().map(|(i, v)| if i < at { *v } else { v * factor }).collect();
            let forward = detect(&stepped, &ChangePointConfig::TIME).unwrap();
            stepped.reverse();
            let backward = detect(&stepped, &ChangePointConfig::TIME).unwrap();
            prop_assert_eq!(forward.iter().map(|c| c.index).collect::<Vec<_>>(), vec![at]);
            prop_assert_eq!(
                backward.iter().map(|c| c.index).collect::<Vec<_>>(),
                vec![s.len() - at]
            );
        }

        #[test]
        fn results_are_sorted_within_bounds_and_never_panic(
            s in prop::collection::vec(prop_oneof![1e-9..1e9_f64, 1.0..1.1_f64], 0..300),
            window in 6usize..80, min_segment in 2usize..6,
        ) {
            prop_assume!(window >= 2 * min_segment);
            let config = ChangePointConfig { window, min_segment, ..ChangePointConfig::TIME };
            let cps = detect(&s, &config).unwrap();
            prop_assert!(cps.windows(2).all(|w| w[1].index - w[0].index >= min_segment));
            for c in &cps {
                prop_assert!(c.index >= min_segment && c.index + min_segment <= s.len());
                prop_assert!(c.p_value < config.max_p_value);
                prop_assert!(c.change.is_finite() && c.before > 0.0 && c.after > 0.0);
            }
        }

        #[test]
        fn extreme_positive_input_never_panics(
            s in prop::collection::vec(prop_oneof![f64::MIN_POSITIVE..1e-300, 1e300..f64::MAX], 0..80),
        ) {
            let _ = detect(&s, &ChangePointConfig::TIME).unwrap();
        }

        #[test]
        fn chained_equals_the_whole_search_repeated(
            c in prop::collection::vec((-0.05..0.05_f64, 0.0..0.02_f64), 0..200),
            max_run in 2..30_usize,
            min_magnitude in 0.0..0.05_f64,
        ) {
            let config = ChainConfig { max_p_value: 0.01, min_magnitude, max_run };
            prop_assert_eq!(chained(&c, &config).unwrap(), chained_by_rescans(&c, &config));
        }

        #[test]
        fn chained_resumed_on_a_growing_history_equals_chained(
            c in prop::collection::vec((-0.03..0.03_f64, 0.001..0.02_f64), 0..160),
            cuts in prop::collection::vec(0..160_usize, 1..6),
            max_run in 2..12_usize,
        ) {
            let config = ChainConfig { max_p_value: 0.01, min_magnitude: 0.005, max_run };
            let mut cuts: Vec<usize> = cuts.into_iter().map(|k| k.min(c.len())).collect();
            cuts.sort_unstable();
            let mut memo = ChainMemo::default();
            for cut in cuts {
                prop_assert_eq!(
                    chained_resumed(&c[..cut], &config, &mut memo).unwrap(),
                    chained(&c[..cut], &config).unwrap()
                );
            }
            prop_assert_eq!(chained_resumed(&c, &config, &mut memo).unwrap(), chained(&c, &config).unwrap());
            // Again with nothing new, then for another history: the memo checks itself.
            prop_assert_eq!(chained_resumed(&c, &config, &mut memo).unwrap(), chained(&c, &config).unwrap());
            let other: Vec<(f64, f64)> = c.iter().map(|&(d, se)| (-d, se)).collect();
            prop_assert_eq!(chained_resumed(&other, &config, &mut memo).unwrap(), chained(&other, &config).unwrap());
        }

        #[test]
        fn chained_never_panics_and_is_sorted(
            c in prop::collection::vec((-1.0..1.0_f64, 0.0..0.1_f64), 0..300),
        ) {
            let found = chained(&c, &ChainConfig::PAIRED).unwrap();
            prop_assert!(found.windows(2).all(|w| w[0].index + w[0].commits <= w[1].index));
            for f in &found {
                prop_assert!(f.index + f.commits <= c.len());
                prop_assert!(f.p_value.is_finite() && f.change.is_finite());
            }
        }

        #[test]
        fn resuming_from_any_prefix_gives_what_detect_gives(
            s in prop::collection::vec(prop_oneof![1.0..1.01_f64, 1.1..1.11_f64, 0.5..2.0_f64], 0..260),
            cuts in prop::collection::vec(0.0..1.0_f64, 1..4),
            window in 6usize..60, min_segment in 2usize..5,
        ) {
            prop_assume!(window >= 2 * min_segment);
            let config = ChangePointConfig { window, min_segment, ..ChangePointConfig::TIME };
            let whole = detect(&s, &config).unwrap();
            // The series seen growing: a prefix, a longer one, …, then all of it.
            let mut cuts: Vec<usize> = cuts.iter().map(|c| (c * s.len() as f64) as usize).collect();
            cuts.sort_unstable();
            let mut memo = SplitMemo::default();
            let mut weak_memo = SplitMemo::default();
            for cut in cuts {
                let prefix = detect_resumed(&s[..cut], &config, &mut memo).unwrap();
                prop_assert_eq!(prefix, detect(&s[..cut], &config).unwrap());
                // The split pass itself, resumed, proposes exactly the weak points of a fresh one.
                let (y, _) = scaled(&s[..cut]);
                let resumed = split(&s[..cut], &y, &config, &mut weak_memo);
                prop_assert_eq!(resumed, split(&s[..cut], &y, &config, &mut SplitMemo::default()));
            }
            prop_assert_eq!(&detect_resumed(&s, &config, &mut memo).unwrap(), &whole);
            // Again with nothing new: the memo alone.
            prop_assert_eq!(&detect_resumed(&s, &config, &mut memo).unwrap(), &whole);
        }

        #[test]
        fn a_memo_of_another_series_or_config_changes_nothing(
            a in prop::collection::vec(prop_oneof![1.0..1.01_f64, 1.2..1.21_f64], 0..200),
            b in prop::collection::vec(prop_oneof![1.0..1.01_f64, 1.2..1.21_f64], 0..200),
            edit in 0.0..1.0_f64,
        ) {
            let config = ChangePointConfig::TIME;
            let mut memo = SplitMemo::default();
            detect_resumed(&a, &config, &mut memo).unwrap();
            prop_assert_eq!(detect_resumed(&b, &config, &mut memo).unwrap(), detect(&b, &config).unwrap());
            // One point of the covered prefix edited.
            let mut edited = b.clone();
            if let Some(v) = edited.get_mut((edit * b.len() as f64) as usize) {
                *v *= 1.5;
            }
            prop_assert_eq!(
                detect_resumed(&edited, &config, &mut memo).unwrap(),
                detect(&edited, &config).unwrap()
            );
            let other = ChangePointConfig { window: 20, ..config };
            prop_assert_eq!(detect_resumed(&edited, &other, &mut memo).unwrap(), detect(&edited, &other).unwrap());
        }

        #[test]
        fn count_changes_matches_the_definition(c in prop::collection::vec(0u64..4, 0..100)) {
            let idx: Vec<usize> = count_changes(&c).iter().map(|p| p.index).collect();
            let expected: Vec<usize> = (1..c.len()).filter(|&i| c[i] != c[i - 1]).collect();
            prop_assert_eq!(idx, expected);
        }
    }
}
