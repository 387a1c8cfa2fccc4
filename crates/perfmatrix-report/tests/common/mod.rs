//! Fixtures shared by the renderer's integration tests: rows, a platform's report, legs and
//! their merge, counts, and readers of what the formats print; arbitrary reports for the
//! property tests are in [`arbitrary`].

#![allow(
    dead_code,
    unreachable_pub,
    reason = "each test file uses a different subset"
)]

pub mod arbitrary;

use std::path::PathBuf;

use perfmatrix_model::{
    CountNote, CountRow, Expected, LegResults, MergedReport, Report, Row, RowVerdict, Unmeasured,
    merge,
};
use perfmatrix_report::Style;
use perfmatrix_stats::Interval;

pub const PLAIN: Style = Style { color: false };
pub const COLOR: Style = Style { color: true };
pub const X86: &str = "x86_64-unknown-linux-gnu";
pub const ARM: &str = "aarch64-unknown-linux-gnu";
pub const RISCV: &str = "riscv64gc-unknown-linux-gnu";

pub fn interval(lower: f64, estimate: f64, upper: f64) -> Interval {
    Interval::new(lower, estimate, upper).unwrap()
}

/// A row compared with its baseline: medians in ns, the change as (lower, estimate, upper), its
/// p-value, and the same noise floor, thresholds and minimum detectable effect for every row.
pub fn compared(
    id: &str,
    verdict: RowVerdict,
    base: f64,
    new: f64,
    change: (f64, f64, f64),
    p: f64,
) -> Row {
    Row {
        new_median_ns: Some(new),
        base_median_ns: Some(base),
        change: Some(interval(change.0, change.1, change.2)),
        p_value: Some(p),
        noise: Some(0.012),
        warn: Some(0.05),
        fail: Some(0.10),
        minimum_detectable_effect: Some(0.1234),
        ..Row::bare(perfmatrix_model::BenchmarkId::new(id).unwrap(), verdict)
    }
}

/// A row whose wall time was compared: a baseline median of 1 µs moved by `change`.
pub fn timed(id: &str, verdict: RowVerdict, change: (f64, f64, f64)) -> Row {
    Row {
        noise: Some(0.01),
        minimum_detectable_effect: Some(0.03),
        ..compared(id, verdict, 1000.0, 1000.0 * (1.0 + change.1), change, 0.2)
    }
}

/// A report of `platform` with these rows, compared with a selected baseline; its tally is the
/// rows', and it fails when a row regressed.
pub fn report(platform: &str, rows: Vec<Row>) -> Report {
    Report::example(platform, rows)
}

/// The leg of `report`, from `results/<platform>.json`.
pub fn leg(report: Report) -> LegResults {
    LegResults {
        source: PathBuf::from(format!("results/{}.json", report.platform)),
        platform: report.platform.clone(),
        fingerprint_slug: report.fingerprint_slug.clone(),
        commit: None,
        report: Some(report),
        sharding: None,
        shards: None,
    }
}

/// These platforms, each required.
pub fn required(platforms: &[&str]) -> Vec<Expected> {
    platforms
        .iter()
        .map(|p| Expected {
            platform: perfmatrix_model::TargetTriple::parse(p).unwrap(),
            required: true,
        })
        .collect()
}

/// The merge of these reports, each platform required, in their order.
pub fn merged(reports: Vec<Report>) -> MergedReport {
    let platforms: Vec<perfmatrix_model::TargetTriple> =
        reports.iter().map(|r| r.platform.clone()).collect();
    let expected: Vec<&str> = platforms
        .iter()
        .map(perfmatrix_model::TargetTriple::as_str)
        .collect();
    merge(
        reports.into_iter().map(leg).collect(),
        &required(&expected),
        &[],
    )
    .unwrap()
}

/// A count compared with its baseline value, its change computed as the model does.
pub fn counts(verdict: RowVerdict, base: u64, new: u64) -> CountRow {
    CountRow {
        verdict,
        new: Some(new),
        base: Some(base),
        change: Some((i128::from(new) - i128::from(base)) as f64 / base as f64),
        note: None,
    }
}

/// A count measured without a baseline to compare it with.
pub fn measured(verdict: RowVerdict, new: u64) -> CountRow {
    CountRow {
        verdict,
        new: Some(new),
        base: None,
        change: None,
        note: None,
    }
}

/// A count that could not be measured, for `why`.
pub fn unavailable(why: Unmeasured) -> CountRow {
    CountRow {
        verdict: RowVerdict::Unavailable,
        new: None,
        base: None,
        change: None,
        note: Some(CountNote::Unmeasured(why)),
    }
}

/// A count the counting run could not measure, in its own words (`said`), which may hold
/// anything.
pub fn unavailable_saying(said: &str) -> CountRow {
    unavailable(Unmeasured::NoPeakMemory {
        said: Some(said.to_owned()),
    })
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

/// The lines of a terminal table's benchmark table, from its header to the blank line after it.
pub fn table_body(table: &str) -> Vec<&str> {
    table
        .lines()
        .skip_while(|l| !l.starts_with("benchmark"))
        .take_while(|l| !l.is_empty())
        .collect()
}

/// `report` in every format (the table plain and in colour), one after another under a header
/// each: what a snapshot test keeps byte for byte.
pub fn every_rendering(report: &Report) -> String {
    every_format(|format, style| perfmatrix_report::render(report, format, style).unwrap())
}

/// `report`, a merged one, in every format as [`every_rendering`] gives a platform's.
pub fn every_merged_rendering(report: &MergedReport) -> String {
    every_format(|format, style| perfmatrix_report::render_merged(report, format, style).unwrap())
}

fn every_format(render: impl Fn(perfmatrix_report::Format, Style) -> String) -> String {
    use perfmatrix_report::Format;
    use std::fmt::Write as _;
    let mut out = String::new();
    for (name, format, style) in [
        ("table", Format::Table, PLAIN),
        ("table in colour", Format::Table, COLOR),
        ("markdown", Format::Markdown, PLAIN),
        ("json", Format::Json, PLAIN),
        ("html", Format::Html, PLAIN),
    ] {
        writeln!(out, "===== {name}\n{}", render(format, style)).unwrap();
    }
    out
}

/// `value` without the `note` of each count row in it (an object with `verdict`, `new`, `base`
/// and `note`), and those notes apart, in order: a rendering words them, the model's serde form
/// holds them as facts.
pub fn count_notes_apart(
    mut value: serde_json::Value,
) -> (serde_json::Value, Vec<serde_json::Value>) {
    fn walk(value: &mut serde_json::Value, notes: &mut Vec<serde_json::Value>) {
        match value {
            serde_json::Value::Object(object) => {
                if ["verdict", "new", "base", "note"]
                    .iter()
                    .all(|k| object.contains_key(*k))
                {
                    notes.push(object.remove("note").unwrap_or_default());
                }
                object.values_mut().for_each(|v| walk(v, notes));
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(|v| walk(v, notes)),
            _ => {}
        }
    }
    let mut notes = Vec::new();
    walk(&mut value, &mut notes);
    (value, notes)
}

/// A report's JSON `value` without the two fields a rendering words (`baseline`,
/// `count_baseline`), and those two apart (`null` where absent): the rest of a rendered report's
/// JSON is the model's serde form.
pub fn references_apart(
    mut value: serde_json::Value,
) -> (serde_json::Value, Vec<serde_json::Value>) {
    let object = value.as_object_mut().expect("a report is an object");
    let references = ["baseline", "count_baseline"]
        .map(|key| object.remove(key).unwrap_or_default())
        .to_vec();
    (value, references)
}
