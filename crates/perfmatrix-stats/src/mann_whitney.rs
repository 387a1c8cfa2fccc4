//! The two-sided Mann–Whitney U (Wilcoxon rank-sum) test: does one sample tend to take
//! larger values than the other? It assumes no distribution shape, only independence.

use serde::{Deserialize, Serialize};

use crate::normal::two_sided_p_value;
use crate::sample::Sample;

/// The result of [`test()`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MannWhitney {
    /// U of the first sample `a`: the number of pairs `(a_i, b_j)` with `a_i > b_j`, plus
    /// half the number of tied pairs. In `[0, len(a) · len(b)]`; `U(b, a) = len(a) · len(b) - U(a, b)`.
    pub u: f64,
    /// The continuity- and tie-corrected standard score of `u`; positive when `a` tends to
    /// be larger than `b`, 0 when every value is tied.
    pub z: f64,
    /// The two-sided p-value from the normal approximation, in `[0, 1]`; 1 when every value
    /// is tied.
    pub p_value: f64,
}

/// Two-sided Mann–Whitney U test of `a` against `b`.
///
/// Ties get mid-ranks. The p-value uses the normal approximation of U with mean
/// `n_a n_b / 2`, the tie-corrected variance
/// `n_a n_b / 12 · ((N + 1) - Σ(t³ - t) / (N (N - 1)))` (t: size of each group of tied
/// values, `N = n_a + n_b`) and a continuity correction of 0.5 towards the mean. When every
/// value is tied the variance is 0 and the result is `z = 0`, `p = 1`.
///
/// Accuracy: the normal approximation is good from roughly 10 values per sample on, which
/// is far below what a benchmark collects; for tiny samples the p-value is approximate.
/// The normal tail comes from [`crate::normal::erfc`] (relative error < 1.2e-7). The
/// p-value is exactly symmetric: `test(a, b).p_value == test(b, a).p_value`.
///
/// Cost: O(N log N) time, O(N) memory.
#[must_use]
pub fn test(a: &Sample, b: &Sample) -> MannWhitney {
    let merged = merge_labelled(a.sorted(), b.sorted());
    let (rank_sum_a, tie_term) = rank_sum_and_ties(&merged);

    let (len_a, len_b) = (a.len() as f64, b.len() as f64);
    let total = len_a + len_b;
    let u = rank_sum_a - len_a * (len_a + 1.0) / 2.0;
    let mean = len_a * len_b / 2.0;
    let variance = len_a * len_b / 12.0 * ((total + 1.0) - tie_term / (total * (total - 1.0)));

    if variance > 0.0 {
        let deviation = u - mean;
        let corrected = (deviation.abs() - 0.5).max(0.0);
        let z = (corrected / variance.sqrt()).copysign(deviation);
        MannWhitney {
            u,
            z,
            p_value: two_sided_p_value(z),
        }
    } else {
        MannWhitney {
            u,
            z: 0.0,
            p_value: 1.0,
        }
    }
}

/// Merges two ascending slices into one ascending list of `(value, came_from_first)`.
/// Cost: O(len(first) + len(second)).
fn merge_labelled(first: &[f64], second: &[f64]) -> Vec<(f64, bool)> {
    let mut merged = Vec::with_capacity(first.len() + second.len());
    let (mut in_first, mut in_second) = (first.iter().peekable(), second.iter().peekable());
    loop {
        let take_first = match (in_first.peek(), in_second.peek()) {
            (Some(x), Some(y)) => x <= y,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => return merged,
        };
        if take_first {
            merged.extend(in_first.next().map(|&x| (x, true)));
        } else {
            merged.extend(in_second.next().map(|&y| (y, false)));
        }
    }
}

/// Over an ascending labelled list, gives every run of equal values their mid-rank (the
/// mean of the 1-based ranks they span) and returns the rank sum of the values from the
/// first sample and the tie term Σ(t³ - t) over runs of length t. Cost: O(N).
fn rank_sum_and_ties(merged: &[(f64, bool)]) -> (f64, f64) {
    let mut rank_sum_first = 0.0;
    let mut tie_term = 0.0;
    let mut run_start = 0;
    for run in merged.chunk_by(|(x, _), (y, _)| x.total_cmp(y).is_eq()) {
        let run_end = run_start + run.len();
        // 0-based positions run_start..run_end are 1-based ranks run_start + 1 ..= run_end.
        let mid_rank = (run_start + 1 + run_end) as f64 / 2.0;
        let from_first = run.iter().filter(|(_, first)| *first).count();
        rank_sum_first += mid_rank * from_first as f64;
        let t = run.len() as f64;
        tie_term += t * t * t - t;
        run_start = run_end;
    }
    (rank_sum_first, tie_term)
}

#[cfg(test)]
#[allow(clippy::float_cmp, reason = "these tests expect exact values")]
mod tests {
    use super::*;

    fn sample(values: &[f64]) -> Sample {
        Sample::try_from(values).expect("valid sample")
    }

    #[test]
    fn hand_computed_example_with_ties() {
        // a = 1 2 2 3, b = 2 3 4 5. Merged: 1a 2a 2a 2b 3a 3b 4b 5b.
        // Mid-ranks: 1 → 1; the three 2s → 3; the two 3s → 5.5; 4 → 7; 5 → 8.
        // R_a = 1 + 3 + 3 + 5.5 = 12.5, U_a = 12.5 - 4·5/2 = 2.5, mean = 8.
        // Tie term = (27 - 3) + (8 - 2) = 30;
        // variance = 16/12 · (9 - 30/56) = 11.285714..., sd = 3.359422...
        // z = -(|2.5 - 8| - 0.5) / sd = -1.488351...; p = erfc(1.488351/√2) = 0.136658...
        let r = test(
            &sample(&[1.0, 2.0, 2.0, 3.0]),
            &sample(&[2.0, 3.0, 4.0, 5.0]),
        );
        assert_eq!(r.u, 2.5);
        let sd = (16.0_f64 / 12.0 * (9.0 - 30.0 / 56.0)).sqrt();
        assert!((r.z - (-5.0 / sd)).abs() < 1e-12, "z = {}", r.z);
        assert!((r.z - (-1.488_351)).abs() < 1e-6, "z = {}", r.z);
        assert!((r.p_value - 0.136_658).abs() < 1e-5, "p = {}", r.p_value);
    }

    #[test]
    fn complete_separation_without_ties() {
        // U_a = 0, mean 4.5, variance 9·7/12 = 5.25; z = -4/√5.25 = -1.745743...
        // p = erfc(1.745743/√2) = 0.080856...
        let r = test(&sample(&[1.0, 2.0, 3.0]), &sample(&[4.0, 5.0, 6.0]));
        assert_eq!(r.u, 0.0);
        assert!((r.z + 4.0 / 5.25_f64.sqrt()).abs() < 1e-12);
        assert!((r.p_value - 0.080_856).abs() < 1e-5, "p = {}", r.p_value);
        let swapped = test(&sample(&[4.0, 5.0, 6.0]), &sample(&[1.0, 2.0, 3.0]));
        assert_eq!(swapped.u, 9.0);
        assert_eq!(swapped.z, -r.z);
        assert_eq!(swapped.p_value, r.p_value);
    }

    #[test]
    fn all_tied_gives_p_one() {
        let r = test(&sample(&[5.0, 5.0, 5.0]), &sample(&[5.0, 5.0]));
        assert_eq!(r.u, 3.0);
        assert_eq!(r.z, 0.0);
        assert_eq!(r.p_value, 1.0);
    }

    #[test]
    fn single_values_each() {
        let r = test(&sample(&[1.0]), &sample(&[2.0]));
        assert_eq!(r.u, 0.0);
        // |0 - 0.5| - 0.5 = 0 → z = 0, p = 1 (continuity correction swallows the difference)
        assert_eq!(r.z, 0.0);
        assert!((r.p_value - 1.0).abs() < 1e-6);
    }

    #[test]
    fn large_shift_is_significant() {
        let a: Vec<f64> = (0..50).map(|i| 100.0 + f64::from(i)).collect();
        let b: Vec<f64> = a.iter().map(|x| x + 100.0).collect();
        let r = test(&sample(&a), &sample(&b));
        assert!(r.p_value < 1e-10, "p = {}", r.p_value);
        assert!(r.z < 0.0);
    }
}
