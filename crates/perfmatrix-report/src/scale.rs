//! The percent scale of the HTML chart: a linear map from changes (fractions) to x over a
//! domain that contains zero and ends on round ticks, and the rounding that keeps every SVG
//! coordinate finite. Pure functions; `chart.rs` lays the chart out on it.

/// The scale always shows at least ±2% around zero, and never more than -100%…+300%: a
/// benchmark cannot get faster than -100%, and one huge change must not flatten all the others.
const MIN_HALF_SPAN: f64 = 0.02;
const DOMAIN_MIN: f64 = -1.0;
const DOMAIN_MAX: f64 = 3.0;
/// About this many ticks on the scale.
const TICKS: f64 = 6.0;

/// A linear map from changes (fractions) to x, over a domain that contains 0 and ends on ticks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Scale {
    low: f64,
    high: f64,
    step: f64,
    left: f64,
    right: f64,
}

impl Scale {
    /// The scale that shows `values` (NaN ignored, the rest limited to -100%…+300%) and zero,
    /// at least ±2%, widened to whole ticks, drawn from x = `left` to `right`.
    pub(crate) fn fit(values: impl IntoIterator<Item = f64>, left: f64, right: f64) -> Self {
        let (mut low, mut high) = (-MIN_HALF_SPAN, MIN_HALF_SPAN);
        for v in values.into_iter().filter(|v| !v.is_nan()) {
            let v = v.clamp(DOMAIN_MIN, DOMAIN_MAX);
            low = low.min(v);
            high = high.max(v);
        }
        let step = nice_step((high - low) / TICKS);
        Self {
            // The tolerance keeps a bound that is already a tick (up to rounding) where it is.
            low: (low / step + 1e-9).floor() * step,
            high: (high / step - 1e-9).ceil() * step,
            step,
            left,
            right,
        }
    }

    /// The x of `value`, clamped to the scale; NaN is drawn at zero.
    pub(crate) fn x(&self, value: f64) -> f64 {
        let value = if value.is_nan() { 0.0 } else { value };
        let t = (value.clamp(self.low, self.high) - self.low) / (self.high - self.low);
        coord(self.left + t * (self.right - self.left))
    }

    /// The ends of the domain, as fractions.
    pub(crate) fn ends(&self) -> (f64, f64) {
        (self.low, self.high)
    }

    /// Whether `value` lies beyond the scale (and is drawn at its edge).
    pub(crate) fn clips(&self, value: f64) -> bool {
        value < self.low || value > self.high
    }

    /// The tick values, every `step` from `low` to `high`.
    pub(crate) fn ticks(&self) -> Vec<f64> {
        let first = (self.low / self.step).round() as i64;
        let last = (self.high / self.step).round() as i64;
        (first..=last).map(|i| i as f64 * self.step).collect()
    }

    /// A tick's label: `"+10%"`, `"0%"`, `"-2.5%"`, with a decimal only where the step has one.
    pub(crate) fn label(&self, value: f64) -> String {
        let percent = value * 100.0;
        if percent.abs() < self.step * 1e-3 {
            return "0%".to_owned();
        }
        let decimals = usize::from((self.step * 100.0).fract().abs() > 1e-9);
        format!("{percent:+.decimals$}%")
    }
}

/// The smallest of 1, 2, 2.5 and 5 times a power of ten that is at least `raw` (> 0, finite).
pub(crate) fn nice_step(raw: f64) -> f64 {
    let raw = if raw.is_finite() && raw > 0.0 {
        raw
    } else {
        MIN_HALF_SPAN
    };
    let magnitude = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|&step| step >= raw * (1.0 - 1e-12))
        .unwrap_or(10.0 * magnitude)
}

/// `value` made safe for an SVG attribute: finite, within ±1e6 and rounded to 0.1.
pub(crate) fn coord(value: f64) -> f64 {
    if value.is_finite() {
        (value.clamp(-1e6, 1e6) * 10.0).round() / 10.0
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_round() {
        for (raw, step) in [
            (0.011, 0.02),
            (0.02, 0.02),
            (0.021, 0.025),
            (0.03, 0.05),
            (0.07, 0.1),
            (0.5, 0.5),
            (0.6, 1.0),
        ] {
            assert!(
                (nice_step(raw) - step).abs() < 1e-12,
                "{raw}: {}",
                nice_step(raw)
            );
        }
        assert!(nice_step(f64::NAN) > 0.0 && nice_step(0.0) > 0.0 && nice_step(-1.0) > 0.0);
    }

    #[test]
    fn the_scale_holds_zero_and_the_values_and_ends_on_ticks() {
        let s = Scale::fit([0.05, 0.13, -0.01], 0.0, 100.0);
        assert!(s.low <= -0.01 && s.high >= 0.13, "{s:?}");
        let ticks = s.ticks();
        assert!((ticks[0] - s.low).abs() < 1e-9 && (ticks[ticks.len() - 1] - s.high).abs() < 1e-9);
        assert!(ticks.iter().any(|t| t.abs() < 1e-9), "{ticks:?}");
        assert!((4..=12).contains(&ticks.len()), "{ticks:?}");
        assert!((s.x(s.low) - 0.0).abs() < 1e-9 && (s.x(s.high) - 100.0).abs() < 1e-9);
        assert!(s.x(0.0) > 0.0 && s.x(0.0) < 100.0);
        // A step of 2.5% labels every tick with a decimal; one of 5% with none.
        assert!((s.step - 0.025).abs() < 1e-12, "{s:?}");
        assert_eq!(s.label(0.0), "0%");
        assert_eq!(s.label(0.05), "+5.0%");
        assert_eq!(s.label(-0.025), "-2.5%");
        let s = Scale::fit([0.2], 0.0, 100.0);
        assert_eq!(s.label(0.05), "+5%");
        assert_eq!(s.label(-0.05), "-5%");
    }

    #[test]
    fn nothing_to_show_still_gives_a_small_scale() {
        let s = Scale::fit([], 0.0, 100.0);
        assert!(s.low <= -MIN_HALF_SPAN && s.high >= MIN_HALF_SPAN);
        assert!((s.x(0.0) - 50.0).abs() < 1e-9);
    }

    #[test]
    fn extreme_values_are_clamped_to_finite_coordinates() {
        let s = Scale::fit(
            [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 1e300],
            10.0,
            20.0,
        );
        assert!(
            s.low >= DOMAIN_MIN - 1e-9 && s.high <= DOMAIN_MAX + 0.5,
            "{s:?}"
        );
        for v in [
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            1e300,
            -1e300,
            0.0,
        ] {
            let x = s.x(v);
            assert!(x.is_finite() && (10.0..=20.0).contains(&x), "{v}: {x}");
        }
        assert!(s.clips(f64::INFINITY) && s.clips(-5.0) && !s.clips(0.0) && !s.clips(f64::NAN));
        assert_eq!(coord(f64::NAN).to_bits(), 0.0_f64.to_bits());
        assert_eq!(coord(f64::INFINITY).to_bits(), 0.0_f64.to_bits());
        assert!((coord(1e300) - 1e6).abs() < 1e-9);
        assert!((coord(12.345) - 12.3).abs() < 1e-9);
    }
}
