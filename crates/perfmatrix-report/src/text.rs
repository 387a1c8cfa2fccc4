//! Strings as every format shows them: made printable (no control or bidirectional-override
//! character gets through), measured in characters for the terminal's padding, and shortened
//! with an ellipsis where space is short.

use perfmatrix_model::{
    BaselineChoice, CandidateView, CriterionLayer, FieldDiffView, Revision, SettingChange,
};

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

/// A baseline choice with [`printable`] applied to every string in it.
pub(crate) fn printable_choice(choice: &BaselineChoice) -> BaselineChoice {
    match choice {
        BaselineChoice::Selected {
            path,
            slug,
            commit,
            runs,
            why,
        } => BaselineChoice::Selected {
            path: printable(path),
            slug: printable(slug),
            commit: printable(commit),
            runs: *runs,
            why: printable(why),
        },
        BaselineChoice::NoComparable {
            candidates,
            how_to_record,
        } => BaselineChoice::NoComparable {
            candidates: candidates
                .iter()
                .map(|c| CandidateView {
                    path: printable(&c.path),
                    slug: printable(&c.slug),
                    differing: c
                        .differing
                        .iter()
                        .map(|d| FieldDiffView {
                            field: printable(&d.field),
                            run: printable(&d.run),
                            baseline: printable(&d.baseline),
                        })
                        .collect(),
                })
                .collect(),
            how_to_record: printable(how_to_record),
        },
        BaselineChoice::Paired {
            head,
            base,
            why,
            samples,
            criterion_layer,
            settings_changed,
            budget_seconds,
        } => {
            let revision = |r: &Revision| Revision {
                name: printable(&r.name),
                commit: printable(&r.commit),
                dirty: r.dirty,
            };
            BaselineChoice::Paired {
                head: revision(head),
                base: revision(base),
                why: printable(why),
                samples: printable(samples),
                criterion_layer: criterion_layer.as_ref().map(|layer| match layer {
                    CriterionLayer::Used { criterion } => CriterionLayer::Used {
                        criterion: printable(criterion),
                    },
                    CriterionLayer::NotUsed { reason } => CriterionLayer::NotUsed {
                        reason: printable(reason),
                    },
                }),
                settings_changed: settings_changed
                    .iter()
                    .map(|c| SettingChange {
                        key: printable(&c.key),
                        base: printable(&c.base),
                        head: printable(&c.head),
                    })
                    .collect(),
                budget_seconds: *budget_seconds,
            }
        }
    }
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
    fn every_string_of_a_choice_is_made_printable() {
        let choice = BaselineChoice::NoComparable {
            candidates: vec![CandidateView {
                path: "a\nb".to_owned(),
                slug: "\x1b".to_owned(),
                differing: vec![FieldDiffView {
                    field: "f\r".to_owned(),
                    run: "r\u{202E}".to_owned(),
                    baseline: "b\t".to_owned(),
                }],
            }],
            how_to_record: "record\n".to_owned(),
        };
        let BaselineChoice::NoComparable {
            candidates,
            how_to_record,
        } = printable_choice(&choice)
        else {
            panic!("the variant is kept");
        };
        assert_eq!(how_to_record, "record\\n");
        assert_eq!(candidates[0].path, "a\\nb");
        assert_eq!(candidates[0].slug, "\\u{1b}");
        let d = &candidates[0].differing[0];
        assert_eq!(
            (d.field.as_str(), d.run.as_str(), d.baseline.as_str()),
            ("f\\r", "r\\u{202e}", "b\\t")
        );
    }

    #[test]
    fn long_labels_are_shortened() {
        assert_eq!(shorten("abc", 3), "abc");
        assert_eq!(shorten("abcd", 3), "ab…");
        assert_eq!(shorten("µµµµ", 2), "µ…");
        assert_eq!(shorten("abc", 0), "…");
    }
}
