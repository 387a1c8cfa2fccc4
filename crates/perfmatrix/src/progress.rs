//! Progress lines of a measurement: the one estimate of the time left, for the paired and the
//! committed-baseline runs alike.

/// Seconds left once `finished` of `total` benchmarks took `elapsed` seconds, at their average
/// pace; `None` before the first one finished.
pub(crate) fn seconds_left(elapsed: f64, finished: usize, total: usize) -> Option<f64> {
    (finished > 0).then(|| elapsed / finished as f64 * total.saturating_sub(finished) as f64)
}

/// `, about N s left` for a progress line, or nothing before there is a pace to go by.
pub(crate) fn left_text(elapsed: f64, finished: usize, total: usize) -> String {
    seconds_left(elapsed, finished, total)
        .map_or_else(String::new, |s| format!(", about {s:.0} s left"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_estimate_follows_the_average_pace() {
        assert_eq!(seconds_left(10.0, 0, 9), None);
        assert_eq!(seconds_left(10.0, 2, 9), Some(35.0));
        assert_eq!(seconds_left(10.0, 9, 9), Some(0.0));
        assert_eq!(left_text(10.0, 0, 9), "");
        assert_eq!(left_text(10.0, 2, 6), ", about 20 s left");
    }
}
