//! Human formatting of the numbers in a report: durations in ns/µs/ms/s with three significant
//! digits, signed percentages and p-values. Total functions: NaN, infinities, zero and negative
//! values all give a readable string.

/// Duration units, smallest first: (nanoseconds per unit, symbol).
const UNITS: [(f64, &str); 4] = [(1.0, "ns"), (1e3, "µs"), (1e6, "ms"), (1e9, "s")];

/// A duration given in nanoseconds, in the largest unit that keeps it at least 1, with three
/// significant digits: `1234.5` → `"1.23 µs"`, `0.5` → `"0.500 ns"`, `0` → `"0 ns"`.
///
/// Below 0.001 ns and from a million seconds up the number is written in scientific notation
/// (`"1.00e-20 ns"`, `"3.16e7 s"`); negative values keep their sign; NaN gives `"NaN"` and the
/// infinities `"inf"` / `"-inf"`.
#[must_use]
pub fn format_duration_ns(ns: f64) -> String {
    if ns.is_nan() {
        return "NaN".to_owned();
    }
    let sign = if ns.is_sign_negative() && ns != 0.0 {
        "-"
    } else {
        ""
    };
    let ns = ns.abs();
    if ns.is_infinite() {
        return format!("{sign}inf");
    }
    if ns == 0.0 {
        return "0 ns".to_owned();
    }
    if ns < 1e-3 {
        return format!("{sign}{ns:.2e} ns");
    }
    let mut unit = UNITS
        .iter()
        .rposition(|&(scale, _)| ns >= scale)
        .unwrap_or(0);
    loop {
        let (scale, symbol) = UNITS[unit];
        let value = ns / scale;
        let last = unit + 1 == UNITS.len();
        if last && value >= 1e6 {
            return format!("{sign}{value:.2e} {symbol}");
        }
        let text = three_significant(value);
        // Rounding can carry into the next unit: 999.96 ns is "1.00 µs", not "1000 ns".
        if !last && text.parse::<f64>().is_ok_and(|v| v >= 1000.0) {
            unit += 1;
            continue;
        }
        return format!("{sign}{text} {symbol}");
    }
}

/// `value` (finite, > 0) with three significant digits, in plain notation; values of 1000 and
/// more keep all their integer digits.
fn three_significant(value: f64) -> String {
    let magnitude = value.log10().floor() as i32;
    let decimals = (2 - magnitude).max(0) as usize;
    let text = format!("{value:.decimals$}");
    // Rounding can gain a digit (9.996 → "10.00"): then one decimal fewer.
    if decimals > 0
        && text
            .parse::<f64>()
            .is_ok_and(|v| v >= 10f64.powi(magnitude + 1))
    {
        format!("{value:.prec$}", prec = decimals - 1)
    } else {
        text
    }
}

/// A fraction as a signed percentage with one decimal: `0.123` → `"+12.3%"`, `-0.05` →
/// `"-5.0%"`. Zero (and anything that rounds to it) is `"+0.0%"`; a million percent and more is
/// written in scientific notation (`"+1.00e8%"`); NaN is `"NaN%"`, the infinities `"+inf%"` and
/// `"-inf%"`.
#[must_use]
pub fn format_percent(fraction: f64) -> String {
    let percent = fraction * 100.0;
    if percent.is_nan() {
        return "NaN%".to_owned();
    }
    if percent.is_infinite() {
        return if percent > 0.0 { "+inf%" } else { "-inf%" }.to_owned();
    }
    if percent.abs() >= 1e6 {
        return format!("{percent:+.2e}%");
    }
    let text = format!("{percent:+.1}");
    if text == "-0.0" {
        "+0.0%".to_owned()
    } else {
        text + "%"
    }
}

/// Like [`format_percent`] without the `+` of positive values, for magnitudes such as the noise
/// floor or the minimum detectable effect: `0.02` → `"2.0%"`.
#[must_use]
pub fn format_percent_unsigned(fraction: f64) -> String {
    let signed = format_percent(fraction);
    match signed.strip_prefix('+') {
        Some(rest) => rest.to_owned(),
        None => signed,
    }
}

/// A p-value with three decimals, or `"<0.001"` below 0.001: `0.0421` → `"0.042"`,
/// `1e-9` → `"<0.001"`. NaN is `"NaN"`.
#[must_use]
pub fn format_p(p: f64) -> String {
    if p.is_nan() {
        "NaN".to_owned()
    } else if p < 0.001 {
        "<0.001".to_owned()
    } else {
        format!("{p:.3}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_pick_a_unit_and_three_significant_digits() {
        let cases = [
            (0.0, "0 ns"),
            (-0.0, "0 ns"),
            (1.0, "1.00 ns"),
            (12.345, "12.3 ns"),
            (123.45, "123 ns"),
            (999.4, "999 ns"),
            (999.6, "1.00 µs"),
            (1234.5, "1.23 µs"),
            (9_996.0, "10.0 µs"),
            (45_678.0, "45.7 µs"),
            (1_500_000.0, "1.50 ms"),
            (2.5e9, "2.50 s"),
            (1.234e12, "1234 s"),
            (0.5, "0.500 ns"),
            (0.0123, "0.0123 ns"),
            (0.001, "0.00100 ns"),
        ];
        for (ns, expected) in cases {
            assert_eq!(format_duration_ns(ns), expected, "{ns}");
        }
    }

    #[test]
    fn durations_at_the_extremes() {
        assert_eq!(format_duration_ns(1e-20), "1.00e-20 ns");
        assert_eq!(format_duration_ns(f64::MIN_POSITIVE), "2.23e-308 ns");
        assert_eq!(format_duration_ns(1e300), "1.00e291 s");
        assert_eq!(format_duration_ns(f64::MAX), "1.80e299 s");
        assert_eq!(format_duration_ns(-1234.5), "-1.23 µs");
        assert_eq!(format_duration_ns(-1e-20), "-1.00e-20 ns");
        assert_eq!(format_duration_ns(f64::NAN), "NaN");
        assert_eq!(format_duration_ns(f64::INFINITY), "inf");
        assert_eq!(format_duration_ns(f64::NEG_INFINITY), "-inf");
    }

    #[test]
    fn percentages_are_signed_with_one_decimal() {
        let cases = [
            (0.0, "+0.0%"),
            (-0.0, "+0.0%"),
            (-0.000_4, "+0.0%"),
            (0.123, "+12.3%"),
            (0.1234, "+12.3%"),
            (-0.05, "-5.0%"),
            (-1.0, "-100.0%"),
            (1e-12, "+0.0%"),
            (3.0, "+300.0%"),
            (1e6, "+1.00e8%"),
            (-1e6, "-1.00e8%"),
            (f64::NAN, "NaN%"),
            (f64::INFINITY, "+inf%"),
            (f64::NEG_INFINITY, "-inf%"),
            (f64::MAX, "+inf%"),
        ];
        for (fraction, expected) in cases {
            assert_eq!(format_percent(fraction), expected, "{fraction}");
        }
        assert_eq!(format_percent_unsigned(0.02), "2.0%");
        assert_eq!(format_percent_unsigned(0.0), "0.0%");
        assert_eq!(format_percent_unsigned(-0.02), "-2.0%");
    }

    #[test]
    fn p_values_have_a_floor() {
        let cases = [
            (0.0, "<0.001"),
            (1e-300, "<0.001"),
            (0.000_999, "<0.001"),
            (0.001, "0.001"),
            (0.0421, "0.042"),
            (0.5, "0.500"),
            (1.0, "1.000"),
            (-0.5, "<0.001"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "inf"),
        ];
        for (p, expected) in cases {
            assert_eq!(format_p(p), expected, "{p}");
        }
    }
}
