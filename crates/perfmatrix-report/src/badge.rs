//! A platform's status badge, shields.io-like: `perf x86_64 | passing`, coloured by the worst
//! verdict of its newest commit, as a standalone SVG file or inline in a history page. Text is
//! laid out with an estimated character width (no font is loaded) and XML-escaped.

use perfmatrix_history::{HistoryMode, PlatformTrend};
use perfmatrix_model::{RowVerdict, TargetTriple};

use crate::text::{printable, shorten};

/// The estimated width of a character of the badge's 11px Verdana-like text, and the padding on
/// either side of each half.
const CHAR_WIDTH: f64 = 6.6;
const PAD: f64 = 6.0;
const HEIGHT: f64 = 20.0;
/// Longer platform names are shortened.
const LABEL_CHARS: usize = 40;

/// A platform's status as its badge and the history index show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Status {
    /// `passing`, `regressed`, `warning`, `unjudged` or `no data`.
    pub(crate) text: &'static str,
    /// The CSS class of the index: the text, kebab-case.
    pub(crate) kind: &'static str,
    pub(crate) colour: &'static str,
}

/// The status of `platform`'s newest commit: `no data` without one, `unjudged` when it was not
/// judged (or found no baseline), `regressed` and `warning` as judged (a benchmark that went
/// missing is a warning), `passing` otherwise.
pub(crate) fn status(platform: &PlatformTrend) -> Status {
    const PASSING: Status = Status {
        text: "passing",
        kind: "passing",
        colour: "#2c9e3f",
    };
    const REGRESSED: Status = Status {
        text: "regressed",
        kind: "regressed",
        colour: "#d73a31",
    };
    const WARNING: Status = Status {
        text: "warning",
        kind: "warning",
        colour: "#d9861c",
    };
    const UNJUDGED: Status = Status {
        text: "unjudged",
        kind: "unjudged",
        colour: "#6b7a8c",
    };
    const NO_DATA: Status = Status {
        text: "no data",
        kind: "no-data",
        colour: "#9f9f9f",
    };
    let Some(latest) = &platform.latest else {
        return NO_DATA;
    };
    if latest.mode == HistoryMode::Unjudged {
        return UNJUDGED;
    }
    match latest.verdict {
        None | Some(RowVerdict::NoBaseline) => UNJUDGED,
        Some(RowVerdict::Regressed) => REGRESSED,
        Some(RowVerdict::Warning | RowVerdict::Missing) => WARNING,
        Some(
            RowVerdict::Improved
            | RowVerdict::Unchanged
            | RowVerdict::Inconclusive
            | RowVerdict::New
            | RowVerdict::Unavailable,
        ) => PASSING,
    }
}

/// `text` escaped for XML text and attribute values.
pub(crate) fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The left half's text: `perf` and the triple's architecture (`perf x86_64`).
fn label(platform: &TargetTriple) -> String {
    format!("perf {}", shorten(platform.arch(), LABEL_CHARS))
}

/// The badge of `platform`; `standalone` gives it the XML namespace a file needs (inline in
/// HTML it needs none).
pub(crate) fn badge_svg(platform: &PlatformTrend, standalone: bool) -> String {
    let status = status(platform);
    let left = label(&platform.platform);
    let text_width = |s: &str| (s.chars().count() as f64 * CHAR_WIDTH).round();
    let lw = text_width(&left) + 2.0 * PAD;
    let rw = text_width(status.text) + 2.0 * PAD;
    let w = lw + rw;
    let title = xml_escape(&format!(
        "{}: {}",
        printable(&platform.platform),
        status.text
    ));
    let left = xml_escape(&left);
    let right = status.text;
    let colour = status.colour;
    let xmlns = if standalone {
        r#" xmlns="http://www.w3.org/2000/svg""#
    } else {
        ""
    };
    let (lx, rx) = (lw / 2.0, lw + rw / 2.0);
    format!(
        r##"<svg{xmlns} class="badge" width="{w}" height="{HEIGHT}" viewBox="0 0 {w} {HEIGHT}" role="img" aria-label="{title}"><title>{title}</title><rect rx="3" width="{w}" height="{HEIGHT}" fill="{colour}"/><rect rx="3" width="{lw}" height="{HEIGHT}" fill="#555"/><rect x="{edge}" width="4" height="{HEIGHT}" fill="#555"/><rect rx="3" width="{w}" height="{HEIGHT}" fill="#fff" fill-opacity="0.06"/><g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11"><text x="{lx}" y="15" fill="#010101" fill-opacity="0.3">{left}</text><text x="{lx}" y="14">{left}</text><text x="{rx}" y="15" fill="#010101" fill-opacity="0.3">{right}</text><text x="{rx}" y="14">{right}</text></g></svg>"##,
        edge = lw - 4.0,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history_fixtures::{ARM, X86, sample};

    #[test]
    fn colour_and_text_follow_the_verdict() {
        let trend = sample();
        let arm = trend.platforms.iter().find(|p| p.platform == ARM).unwrap();
        let x86 = trend.platforms.iter().find(|p| p.platform == X86).unwrap();
        assert_eq!(status(arm).text, "regressed");
        assert_eq!(status(x86).text, "passing");
        let mut p = x86.clone();
        let cases = [
            (Some(RowVerdict::Warning), "warning", "#d9861c"),
            (Some(RowVerdict::Missing), "warning", "#d9861c"),
            (Some(RowVerdict::Improved), "passing", "#2c9e3f"),
            (Some(RowVerdict::NoBaseline), "unjudged", "#6b7a8c"),
            (None, "unjudged", "#6b7a8c"),
            (Some(RowVerdict::Regressed), "regressed", "#d73a31"),
        ];
        for (verdict, text, colour) in cases {
            p.latest.as_mut().unwrap().verdict = verdict;
            let svg = badge_svg(&p, true);
            assert!(svg.contains(&format!(">{text}</text>")), "{svg}");
            assert!(svg.contains(&format!("fill=\"{colour}\"")), "{svg}");
        }
        p.latest = None;
        let svg = badge_svg(&p, true);
        assert!(svg.contains(">no data</text>") && svg.contains("#9f9f9f"));
        assert!(svg.contains(">perf x86_64</text>"));
    }

    #[test]
    fn badges_are_standalone_svg() {
        let p = sample().platforms[0].clone();
        let svg = badge_svg(&p, true);
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.ends_with("</svg>"));
        assert!(svg.contains(&format!("<title>{}: ", p.platform)), "{svg}");
        assert!(!badge_svg(&p, false).contains("http"));
        // Every number is finite: widths come from character counts.
        assert!(!svg.contains("NaN") && !svg.contains("inf"));
    }
}
