//! Keeps the Markdown of a matrix under the size GitHub accepts for a comment (65,536 characters):
//! when the full text is too long, the benchmark table is cut after the rows that fit, with a
//! line that says so; and if even the rest is too long (thousands of platforms, megabyte ids),
//! the text itself is cut at a line boundary, again saying so.
//!
//! Each row's length is measured by calling the template's own `bench_row` macro, so the layout
//! stays in the template alone.

use minijinja::{Environment, Value};

use crate::matrix::MarkdownView;

/// The most bytes the Markdown of a matrix may have (bytes are never fewer than characters): under
/// GitHub's limit, with room for what a workflow adds around the report.
pub const MARKDOWN_LIMIT: usize = 60_000;

/// Room kept for the template's line that says how many rows were cut.
const CUT_NOTE_ROOM: usize = 1_000;

/// The macro of `matrix.md.j2` that renders one row of the benchmark table.
const ROW_MACRO: &str = "bench_row";

/// Ends a text cut by [`hard_cut`].
const HARD_CUT_NOTE: &str = "\n**This report is cut here** to stay within GitHub's size limit for a comment; the HTML and JSON reports of this run have all of it.\n";

/// `matrix.md.j2` (named `name` in `env`) rendered for `view`, at most [`MARKDOWN_LIMIT`] bytes.
/// Renders at most a few times more than once, and only when the text is too long.
pub(crate) fn render_markdown(
    env: &Environment<'_>,
    name: &str,
    view: &MarkdownView,
) -> Result<String, minijinja::Error> {
    let template = env.get_template(name)?;
    let rows = view.rows();
    let full = template.render_captured(view.context(rows.len()))?;
    if full.output().len() <= MARKDOWN_LIMIT {
        return Ok(full.into_output());
    }
    let state = full.state();
    let lengths = rows
        .iter()
        .map(|row| {
            state
                .call_macro(ROW_MACRO, &[Value::from_serialize(row)])
                .map(|line| line.len() + 1)
        })
        .collect::<Result<Vec<usize>, _>>()?;
    let rows_total = lengths.iter().copied().fold(0, usize::saturating_add);
    let fixed = full.output().len().saturating_sub(rows_total);
    let mut shown = fit(
        &lengths,
        MARKDOWN_LIMIT.saturating_sub(fixed.saturating_add(CUT_NOTE_ROOM)),
    );
    loop {
        let text = template.render(view.context(shown))?;
        if text.len() <= MARKDOWN_LIMIT {
            return Ok(text);
        }
        if shown == 0 {
            return Ok(hard_cut(&text, MARKDOWN_LIMIT));
        }
        // Only if the estimate was wrong: each try halves what is left.
        shown /= 2;
    }
}

/// How many of the first `lengths` fit together in `budget`.
pub(crate) fn fit(lengths: &[usize], budget: usize) -> usize {
    let mut used = 0_usize;
    lengths
        .iter()
        .take_while(|&&length| match used.checked_add(length) {
            Some(total) if total <= budget => {
                used = total;
                true
            }
            _ => false,
        })
        .count()
}

/// `text` if it is at most `limit` bytes; else its whole lines that fit together with a note
/// saying it was cut (the note alone if `limit` is smaller than the note).
pub(crate) fn hard_cut(text: &str, limit: usize) -> String {
    if text.len() <= limit {
        return text.to_owned();
    }
    let mut end = limit.saturating_sub(HARD_CUT_NOTE.len()).min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let end = text[..end].rfind('\n').map_or(0, |newline| newline + 1);
    let mut out = text[..end].to_owned();
    out.push_str(HARD_CUT_NOTE);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_counts_the_rows_within_the_budget() {
        assert_eq!(fit(&[10, 10, 10], 25), 2);
        assert_eq!(fit(&[10, 10, 10], 30), 3);
        assert_eq!(fit(&[10, 10, 10], 9), 0);
        assert_eq!(fit(&[], 100), 0);
        assert_eq!(fit(&[usize::MAX, 1], usize::MAX), 1);
    }

    #[test]
    fn hard_cuts_keep_whole_lines_and_say_so() {
        let text = "line one\nline two µµµ\nline three\n".repeat(100);
        assert_eq!(hard_cut(&text, text.len()), text);
        let limit = HARD_CUT_NOTE.len() + 30;
        let cut = hard_cut(&text, limit);
        assert!(cut.len() <= limit, "{cut}");
        assert!(cut.starts_with("line one\nline two µµµ\n\n**This report is cut here**"));
        assert!(cut.ends_with("all of it.\n"));
        // Even a single huge line, or a limit below the note's length, gives the note alone.
        let huge = "µ".repeat(10_000);
        assert_eq!(hard_cut(&huge, 500), HARD_CUT_NOTE);
        assert_eq!(hard_cut(&huge, 5), HARD_CUT_NOTE);
    }
}
