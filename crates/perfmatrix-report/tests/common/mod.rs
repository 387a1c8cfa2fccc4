//! Builders shared by the renderer's integration tests: an interval and a platform's report.

#![allow(
    dead_code,
    unreachable_pub,
    reason = "each test file uses a different subset"
)]

use perfmatrix_model::{
    BaselineChoice, Counts, ExactRow, Metric, Outcome, REPORT_SCHEMA, Report, Row, RowVerdict,
};
use perfmatrix_stats::Interval;
use proptest::prelude::*;

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
        cpu: "AMD EPYC 7763 64-Core Processor".to_owned(),
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
        time_gated: true,
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

/// Any verdict.
pub fn any_verdict() -> impl Strategy<Value = RowVerdict> {
    prop_oneof![
        Just(RowVerdict::Improved),
        Just(RowVerdict::Unchanged),
        Just(RowVerdict::Unavailable),
        Just(RowVerdict::NoBaseline),
        Just(RowVerdict::New),
        Just(RowVerdict::Missing),
        Just(RowVerdict::Warning),
        Just(RowVerdict::Regressed),
    ]
}

/// Any metric.
pub fn any_metric() -> impl Strategy<Value = Metric> {
    prop_oneof![
        Just(Metric::Time),
        Just(Metric::Instructions),
        Just(Metric::PeakMemory),
    ]
}

/// Any exact metric, consistent or not (a value beside `unavailable`, a change without values),
/// with changes from `floats` and reasons from `reasons`.
pub fn any_exact(
    floats: BoxedStrategy<f64>,
    reasons: BoxedStrategy<String>,
) -> impl Strategy<Value = Option<ExactRow>> {
    let value = || {
        proptest::option::of(prop_oneof![
            Just(0_u64),
            Just(u64::MAX),
            any::<u64>(),
            0_u64..10_000_000_000,
        ])
    };
    proptest::option::of(
        (
            any_verdict(),
            value(),
            value(),
            proptest::option::of(floats),
            proptest::option::of(reasons),
        )
            .prop_map(|(verdict, new, base, change, note)| ExactRow {
                verdict,
                new,
                base,
                change,
                note,
            }),
    )
}
