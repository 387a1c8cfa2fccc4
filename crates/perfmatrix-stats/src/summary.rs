//! Order statistics on plain slices, shared by [`crate::Sample`], the bootstrap and the
//! noise floor. Callers guarantee the slices are non-empty and hold no NaN.

/// Linearly interpolated quantile of an ascending, non-empty slice (Hyndman–Fan type 7,
/// the default of R and NumPy): with `h = (n - 1) p`, the value is
/// `x[floor(h)] + (h - floor(h)) (x[floor(h) + 1] - x[floor(h)])`.
///
/// Cost: O(1).
///
/// # Panics
///
/// Panics if `sorted` is empty or `p` is not in `[0, 1]` (NaN included).
pub(crate) fn quantile_sorted(sorted: &[f64], p: f64) -> f64 {
    assert!(!sorted.is_empty(), "quantile of an empty slice");
    assert!(
        (0.0..=1.0).contains(&p),
        "quantile p = {p} is not in [0, 1]"
    );
    let h = (sorted.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let frac = h - h.floor();
    match sorted.get(lo + 1) {
        Some(&hi) if frac > 0.0 => interpolate(sorted[lo], hi, frac),
        _ => sorted[lo],
    }
}

/// `lo + frac (hi - lo)`, written so that it cannot overflow for finite positive inputs.
fn interpolate(lo: f64, hi: f64, frac: f64) -> f64 {
    lo + frac * (hi - lo)
}

/// Median of an unsorted, non-empty slice, reordering it. Gives exactly the same value as
/// `quantile_sorted(sorted, 0.5)` on the sorted slice.
///
/// Cost: O(n) expected (selection, not sorting).
///
/// # Panics
///
/// Panics if `values` is empty.
pub(crate) fn median_in_place(values: &mut [f64]) -> f64 {
    assert!(!values.is_empty(), "median of an empty slice");
    let len = values.len();
    let (below, &mut upper, _) = values.select_nth_unstable_by(len / 2, f64::total_cmp);
    if len % 2 == 1 {
        upper
    } else {
        let lower = below.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        interpolate(lower, upper, 0.5)
    }
}

#[cfg(test)]
#[allow(clippy::float_cmp, reason = "these tests expect exact values")]
mod tests {
    use super::*;

    #[test]
    fn quantile_interpolates_linearly() {
        let xs = [1.0, 2.0, 4.0, 8.0];
        assert_eq!(quantile_sorted(&xs, 0.0), 1.0);
        assert_eq!(quantile_sorted(&xs, 1.0), 8.0);
        assert_eq!(quantile_sorted(&xs, 0.5), 3.0);
        // h = 3 * 0.25 = 0.75 → 1 + 0.75 * (2 - 1)
        assert!((quantile_sorted(&xs, 0.25) - 1.75).abs() < 1e-12);
    }

    #[test]
    fn quantile_of_one_value_is_that_value() {
        assert_eq!(quantile_sorted(&[7.0], 0.0), 7.0);
        assert_eq!(quantile_sorted(&[7.0], 0.3), 7.0);
        assert_eq!(quantile_sorted(&[7.0], 1.0), 7.0);
    }

    #[test]
    #[should_panic(expected = "not in [0, 1]")]
    fn quantile_rejects_p_above_one() {
        let _ = quantile_sorted(&[1.0, 2.0], 1.5);
    }

    #[test]
    fn median_in_place_matches_sorted_quantile() {
        for xs in [
            vec![5.0, 1.0, 3.0],
            vec![4.0, 1.0, 3.0, 2.0],
            vec![2.0, 2.0, 2.0, 9.0, 1.0, 0.5],
            vec![1.0],
        ] {
            let mut sorted = xs.clone();
            sorted.sort_by(f64::total_cmp);
            let mut scratch = xs.clone();
            assert_eq!(median_in_place(&mut scratch), quantile_sorted(&sorted, 0.5));
        }
    }
}
