//! The embedded templates (`templates/*.j2`, compiled into the binary) and the minijinja
//! environment they render in, with the filters they use: `ljust`/`rjust` (padding), `paint`
//! (ANSI colour), and `code`/`cell`/`md` (Markdown escaping). HTML templates are escaped by
//! minijinja itself (auto-escape).

use minijinja::{AutoEscape, Environment, UndefinedBehavior};

use crate::text::width;
use crate::{Format, Style};

const PLATFORM_TABLE: &str = include_str!("../templates/platform.txt.j2");
const PLATFORM_MARKDOWN: &str = include_str!("../templates/platform.md.j2");
const MATRIX_TABLE: &str = include_str!("../templates/matrix.txt.j2");
const MATRIX_MARKDOWN: &str = include_str!("../templates/matrix.md.j2");
const HTML: &str = include_str!("../templates/report.html.j2");

/// What a report is of, which decides the layout of its table and Markdown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    /// One platform's own report: a line per benchmark with every detail.
    Platform,
    /// A CI matrix: a table of the platforms and a benchmark × platform table.
    Matrix,
}

/// A format rendered through a template: every one but JSON, which serde writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Templated {
    Table,
    Markdown,
    Html,
}

impl Templated {
    /// `format`'s template kind; `None` for [`Format::Json`].
    pub(crate) fn of(format: Format) -> Option<Self> {
        match format {
            Format::Table => Some(Self::Table),
            Format::Markdown => Some(Self::Markdown),
            Format::Html => Some(Self::Html),
            Format::Json => None,
        }
    }
}

/// The name and source of the template that renders a report of `scope` as `page`. The HTML
/// page is the same for both: a platform's own page is the matrix page of one platform.
pub(crate) fn template(scope: Scope, page: Templated) -> (&'static str, &'static str) {
    match (scope, page) {
        (Scope::Platform, Templated::Table) => ("platform.txt.j2", PLATFORM_TABLE),
        (Scope::Platform, Templated::Markdown) => ("platform.md.j2", PLATFORM_MARKDOWN),
        (Scope::Matrix, Templated::Table) => ("matrix.txt.j2", MATRIX_TABLE),
        (Scope::Matrix, Templated::Markdown) => ("matrix.md.j2", MATRIX_MARKDOWN),
        (_, Templated::Html) => ("report.html.j2", HTML),
    }
}

/// An environment with no template yet: strict about undefined names (a typo in a template is an
/// error, not an empty string), HTML auto-escaping for `*.html.j2` templates and none for the
/// others (each escapes what it must itself), block tags that take their own line with them,
/// and the final newline kept.
pub(crate) fn environment(style: Style) -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_auto_escape_callback(|name| {
        if name.ends_with(".html.j2") {
            AutoEscape::Html
        } else {
            AutoEscape::None
        }
    });
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env.set_keep_trailing_newline(true);
    env.add_filter("ljust", ljust);
    env.add_filter("rjust", rjust);
    env.add_filter("paint", move |text: String, kind: String| {
        paint(&text, &kind, style.color)
    });
    env.add_filter("code", code);
    env.add_filter("cell", cell);
    env.add_filter("md", md);
    env.add_filter("inline_html", inline_html);
    env
}

/// `text` followed by spaces up to `width` characters (left-aligned).
fn ljust(text: String, width_: usize) -> String {
    let pad = width_.saturating_sub(width(&text));
    let mut out = text;
    out.extend(std::iter::repeat_n(' ', pad));
    out
}

/// `text` preceded by spaces up to `width` characters (right-aligned).
fn rjust(text: &str, width_: usize) -> String {
    let pad = width_.saturating_sub(width(text));
    let mut out: String = std::iter::repeat_n(' ', pad).collect();
    out.push_str(text);
    out
}

/// `text` in the ANSI colour of `kind` (a verdict's kebab-case name, an outcome or a platform's
/// status: `pass`, `fail`, `no-comparable-baseline`, `skipped`, `unjudged`, `incomplete`, or `quick`) when
/// `color` is on; as it is otherwise, and for kinds without a colour (`unchanged`, `none`).
fn paint(text: &str, kind: &str, color: bool) -> String {
    let sgr = match kind {
        "regressed" | "fail" => "1;31",
        "warning" | "quick" | "skipped" | "unjudged" | "incomplete" | "unavailable"
        | "inconclusive" => "33",
        "improved" | "pass" => "32",
        "missing" | "new" | "no-baseline" | "no-comparable-baseline" => "36",
        _ => "",
    };
    if color && !sgr.is_empty() {
        format!("\x1b[{sgr}m{text}\x1b[0m")
    } else {
        text.to_owned()
    }
}

/// A Markdown code span showing `text` literally: the fence is one backtick longer than the
/// longest run of backticks inside, with a space inside each fence when `text` starts or ends
/// with a backtick (CommonMark strips exactly one). Expects text without line breaks
/// (see `text::printable`).
fn code(text: &str) -> String {
    if text.is_empty() {
        // An empty span would show its backticks; a single space is the closest to nothing.
        return "` `".to_owned();
    }
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let space = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{space}{text}{space}{fence}")
}

/// `text` as the content of an HTML element inside Markdown (a `<summary>`, where Markdown is
/// not read): `&`, `<` and `>` as entities, nothing else changed.
fn inline_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// `text` made safe inside a cell of a GitHub table: every `|` escaped as `\|`, which GitHub
/// turns back into `|` even inside a code span.
fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

/// Plain `text` for Markdown prose: the characters that could start emphasis, a link, code,
/// HTML or a table cell are backslash-escaped.
fn md(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '&' | '#'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padding_counts_characters() {
        assert_eq!(ljust("µs".to_owned(), 4), "µs  ");
        assert_eq!(rjust("µs", 4), "  µs");
        assert_eq!(ljust("long".to_owned(), 2), "long");
        assert_eq!(rjust("", 0), "");
    }

    #[test]
    fn paint_only_with_colour_and_a_known_kind() {
        assert_eq!(paint("x", "regressed", true), "\x1b[1;31mx\x1b[0m");
        assert_eq!(paint("x", "regressed", false), "x");
        assert_eq!(paint("x", "unchanged", true), "x");
    }

    #[test]
    fn code_spans_survive_backticks() {
        assert_eq!(code("a/b"), "`a/b`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`a``"), "``` `a`` ```");
        assert_eq!(code(""), "` `");
    }

    #[test]
    fn markdown_escapes() {
        assert_eq!(cell("`a|b`"), "`a\\|b`");
        assert_eq!(md("a_b *c* [d](e) <f>"), "a\\_b \\*c\\* \\[d\\](e) \\<f\\>");
    }
}
