//! Strings as every format shows them: made printable (no control or bidirectional-override
//! character gets through), measured in characters for the terminal's padding, and shortened
//! with an ellipsis where space is short.

/// What an empty cell shows.
pub(crate) const EMPTY: &str = "—";

/// `s` with every control character (newline, tab, ESC…) and every bidirectional-override
/// character written as a Rust escape (`\n`, `\u{1b}`), so that no report content can move the
/// cursor, colour the terminal, break a table line or reorder what is shown.
pub(crate) fn printable(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_control() || is_bidi_control(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Width in characters. Every character counts as one column: right for the ASCII, `µ`, `—` and
/// `%` of the cells; ids with double-width characters would misalign, never break.
pub(crate) fn width(s: &str) -> usize {
    s.chars().count()
}

/// `text` cut to `max` characters, the last of them an ellipsis when it was longer.
pub(crate) fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printable_escapes_controls_and_bidi_overrides() {
        assert_eq!(printable("cosine/768"), "cosine/768");
        assert_eq!(printable("a\x1b[31mb"), "a\\u{1b}[31mb");
        assert_eq!(printable("a\nb\tc"), "a\\nb\\tc");
        assert_eq!(printable("x\u{202E}y"), "x\\u{202e}y");
        assert_eq!(printable("µs — ünïcode"), "µs — ünïcode");
    }

    #[test]
    fn long_labels_are_shortened() {
        assert_eq!(shorten("abc", 3), "abc");
        assert_eq!(shorten("abcd", 3), "ab…");
        assert_eq!(shorten("µµµµ", 2), "µ…");
        assert_eq!(shorten("abc", 0), "…");
    }
}
