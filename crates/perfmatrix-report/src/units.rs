//! Human formatting of the numbers in a report: durations in ns/µs/ms/s with three significant
//! digits, signed percentages and p-values, and for the counts counts with thousands
//! separators, bytes in KiB/MiB/GiB and percentages that show any change at all. Total
//! functions: NaN, infinities, zero, negative and huge values all give a readable string.

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

/// A count with a comma between each group of three digits: `1234567` → `"1,234,567"`.
#[must_use]
pub fn format_count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// Binary byte units, smallest first.
const BYTE_UNITS: [&str; 7] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];

/// A size in bytes: below 1 KiB exactly (`"512 B"`), above in the largest binary unit that keeps
/// it at least 1, with three significant digits: `13_002_342` → `"12.4 MiB"`, `u64::MAX` →
/// `"16.0 EiB"`.
#[must_use]
pub fn format_bytes(bytes: u64) -> String {
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut unit = (bytes.ilog2() / 10) as usize;
    loop {
        let value = bytes as f64 / 1024f64.powi(unit as i32);
        let text = three_significant(value);
        // Rounding can carry into the next unit: 1023.9 KiB is "1.00 MiB", not "1024 KiB".
        if unit + 1 < BYTE_UNITS.len() && text.parse::<f64>().is_ok_and(|v| v >= 1024.0) {
            unit += 1;
            continue;
        }
        return format!("{text} {}", BYTE_UNITS[unit]);
    }
}

/// A fraction as a signed percentage with as many digits as it takes to show that it is not
/// zero (two significant digits, at least two decimals), for counts where any change at
/// all is news: `0.02` → `"+2.00%"`, `0.000_031` → `"+0.0031%"`, `1e-9` → `"+1.0e-7%"`
/// (scientific below 0.0001% and from a million percent up). Exactly zero is `"±0%"`; NaN is
/// `"NaN%"`, the infinities `"+inf%"` and `"-inf%"`.
#[must_use]
pub fn format_percent_counted(fraction: f64) -> String {
    if fraction.is_nan() {
        return "NaN%".to_owned();
    }
    if fraction.is_infinite() {
        return if fraction > 0.0 { "+inf%" } else { "-inf%" }.to_owned();
    }
    if fraction == 0.0 {
        return "±0%".to_owned();
    }
    let percent = fraction * 100.0;
    let magnitude = percent.abs();
    if !magnitude.is_finite() || magnitude >= 1e6 {
        // From the fraction, so that even `f64::MAX` keeps its digits.
        return scientific_percent(fraction, 2);
    }
    if magnitude < 1e-4 {
        return scientific_percent(fraction, 1);
    }
    let decimals = (1 - magnitude.log10().floor() as i32).max(2) as usize;
    format!("{percent:+.decimals$}%")
}

/// `fraction` (finite, not zero) as a percentage in scientific notation with `decimals` digits
/// after the point: the exponent of the fraction's, plus two.
fn scientific_percent(fraction: f64, decimals: usize) -> String {
    let text = format!("{fraction:+.decimals$e}");
    match text.split_once('e') {
        Some((mantissa, exponent)) => match exponent.parse::<i32>() {
            Ok(exponent) => format!("{mantissa}e{}%", exponent + 2),
            Err(_) => format!("{text}×100%"),
        },
        None => format!("{text}×100%"),
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

    #[test]
    fn counts_have_thousands_separators() {
        let cases = [
            (0, "0"),
            (7, "7"),
            (999, "999"),
            (1_000, "1,000"),
            (12_345, "12,345"),
            (123_456, "123,456"),
            (1_234_567, "1,234,567"),
            (1_000_000_000, "1,000,000,000"),
            (u64::MAX, "18,446,744,073,709,551,615"),
        ];
        for (n, expected) in cases {
            assert_eq!(format_count(n), expected, "{n}");
        }
    }

    #[test]
    fn bytes_pick_a_binary_unit() {
        let cases = [
            (0, "0 B"),
            (1, "1 B"),
            (1_023, "1023 B"),
            (1_024, "1.00 KiB"),
            (1_536, "1.50 KiB"),
            (10_240, "10.0 KiB"),
            (1_048_575, "1.00 MiB"),
            (1_048_576, "1.00 MiB"),
            (13_002_342, "12.4 MiB"),
            (1_000 * 1_048_576, "1000 MiB"),
            (3 * 1_073_741_824, "3.00 GiB"),
            (1 << 40, "1.00 TiB"),
            (1 << 50, "1.00 PiB"),
            (1 << 60, "1.00 EiB"),
            (u64::MAX, "16.0 EiB"),
        ];
        for (bytes, expected) in cases {
            assert_eq!(format_bytes(bytes), expected, "{bytes}");
        }
    }

    #[test]
    fn count_percentages_show_any_change() {
        let cases = [
            (0.0, "±0%"),
            (-0.0, "±0%"),
            (0.02, "+2.00%"),
            (-0.02, "-2.00%"),
            (0.005, "+0.50%"),
            (0.010_000_1, "+1.00%"),
            (0.123_456, "+12.35%"),
            (3.0, "+300.00%"),
            (0.000_031, "+0.0031%"),
            (0.000_123, "+0.012%"),
            (-0.000_001_5, "-0.00015%"),
            (1e-9, "+1.0e-7%"),
            (-1e-9, "-1.0e-7%"),
            (1.0 / 1e12, "+1.0e-10%"),
            (f64::MIN_POSITIVE, "+2.2e-306%"),
            (5e-324, "+4.9e-322%"),
            (9_999.0, "+999900.00%"),
            (1e4, "+1.00e6%"),
            (-1e6, "-1.00e8%"),
            (f64::MAX, "+1.80e310%"),
            (f64::NAN, "NaN%"),
            (f64::INFINITY, "+inf%"),
            (f64::NEG_INFINITY, "-inf%"),
        ];
        for (fraction, expected) in cases {
            assert_eq!(format_percent_counted(fraction), expected, "{fraction}");
        }
    }

    #[test]
    fn one_instruction_in_a_billion_is_not_zero() {
        let base: u64 = 1_000_000_000;
        let change = (base + 1 - base) as f64 / base as f64;
        let text = format_percent_counted(change);
        assert_eq!(text, "+1.0e-7%");
        // Every count a u64 can hold: one more than the base is never shown as zero.
        for base in [1, 3, 1_000, 123_456_789, 1 << 40, u64::MAX - 1] {
            let change = 1.0 / base as f64;
            let text = format_percent_counted(change);
            assert!(
                text.starts_with('+') && text != "+0%" && !text.contains("±"),
                "{text}"
            );
            assert!(text.chars().any(|c| ('1'..='9').contains(&c)), "{text}");
        }
    }
}
