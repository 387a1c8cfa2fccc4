//! Builders shared by the renderer's integration tests: an interval and a platform's report.

#![allow(
    dead_code,
    unreachable_pub,
    reason = "each test file uses a different subset"
)]

use perfmatrix_model::{BaselineChoice, Counts, Outcome, REPORT_SCHEMA, Report, Row};
use perfmatrix_stats::Interval;

pub fn interval(lower: f64, estimate: f64, upper: f64) -> Interval {
    Interval::new(lower, estimate, upper).unwrap()
}

/// A report of `platform` with these rows, compared with a selected baseline; it fails when a
/// row regressed.
pub fn report(platform: &str, rows: Vec<Row>) -> Report {
    let counts = Counts::of(rows.iter().map(|r| r.verdict));
    Report {
        schema: REPORT_SCHEMA.kind.to_owned(),
        version: REPORT_SCHEMA.version,
        platform: platform.to_owned(),
        fingerprint_slug: format!("{platform}-slug-4c"),
        fingerprint_id: "0123456789ab".to_owned(),
        emulated: None,
        quick: false,
        baseline: BaselineChoice::Selected {
            path: format!("baselines/{platform}/0123456789ab.json"),
            slug: format!("{platform}-slug-4c"),
            commit: "9fceb02d0ae598e95dc970b74767f19372d61af8".to_owned(),
            runs: 5,
            why: "recorded on the same machine class".to_owned(),
        },
        count_baseline: None,
        outcome: if counts.regressed > 0 {
            Outcome::Fail
        } else {
            Outcome::Pass
        },
        rows,
        counts,
    }
}

/// `s` without its ANSI colour sequences (`ESC [ … m`).
pub fn strip_ansi(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for c in chars.by_ref() {
                if c == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}
