//! Renders hand-built reports of one platform (every verdict, a selected baseline, no comparable
//! baseline with candidates, quick, emulated, hostile ids) in every format and checks what a
//! reader relies on.

mod common;

use std::path::Path;

use common::arbitrary::{any_float, any_report, finite_float};
use common::{COLOR, PLAIN, X86, compared, report, table_body};
use perfmatrix_model::{
    BuildSide, CriterionLayer, DifferingField, FailedBench, IncomparableBaseline, LayerUnusable,
    MergedReport, Method, PairedBecause, PairedRow, RecordCommand, Reference, Report, Revision,
    Row, RowVerdict, TargetTriple,
};
use perfmatrix_report::{Format, ReportError, color_allowed, render, render_merged};
use proptest::prelude::*;

/// A full run against a selected baseline with one row of each compared verdict.
fn selected() -> Report {
    let rows = vec![
        compared(
            "cosine/768x1000",
            RowVerdict::Regressed,
            81_234.0,
            91_800.0,
            (0.101, 0.13, 0.14),
            0.000_01,
        ),
        compared(
            "cosine/768x1000/avx2",
            RowVerdict::Warning,
            40_100.0,
            42_500.0,
            (0.04, 0.06, 0.08),
            0.004,
        ),
        compared(
            "decay/1M",
            RowVerdict::Improved,
            2_345_678.0,
            1_900_000.0,
            (-0.21, -0.19, -0.17),
            0.0,
        ),
        compared(
            "parse/a|b",
            RowVerdict::Unchanged,
            512.0,
            514.5,
            (-0.01, 0.005, 0.02),
            0.61,
        ),
        compared(
            "spread/hops=3",
            RowVerdict::Unchanged,
            1.2e9,
            1.19e9,
            (-0.03, -0.008, 0.01),
            0.42,
        ),
        Row {
            new_median_ns: Some(12.345),
            ..Row::bare(
                perfmatrix_model::BenchmarkId::new("spread/new-bench").unwrap(),
                RowVerdict::New,
            )
        },
        Row {
            base_median_ns: Some(999.6),
            ..Row::bare(
                perfmatrix_model::BenchmarkId::new("spread/removed").unwrap(),
                RowVerdict::Missing,
            )
        },
    ];
    let slug = "x86_64-linux-amd-epyc-7763-avx2-8c";
    Report {
        version: 1,
        fingerprint_slug: slug.to_owned(),
        fingerprint_id: "3f2a9c0d1e4b5a69".to_owned(),
        reference: Reference::Baseline {
            path: format!("baselines/{X86}/3f2a9c0d1e4b5a69.json"),
            slug: slug.to_owned(),
            commit: "9fceb02d0ae598e95dc970b74767f19372d61af8".to_owned(),
            runs: 5,
        },
        ..report(X86, rows)
    }
}

/// A quick, emulated run with no comparable baseline but two candidates.
fn no_comparable() -> Report {
    let rows = vec![
        Row {
            new_median_ns: Some(181_000.0),
            ..Row::bare(
                perfmatrix_model::BenchmarkId::new("cosine/768x1000").unwrap(),
                RowVerdict::NoBaseline,
            )
        },
        Row {
            new_median_ns: Some(3.2e6),
            ..Row::bare(
                perfmatrix_model::BenchmarkId::new("decay/1M").unwrap(),
                RowVerdict::NoBaseline,
            )
        },
    ];
    Report {
        version: 1,
        fingerprint_slug: "aarch64-linux-qemu-neon-2c".to_owned(),
        fingerprint_id: "77aa00bb11cc22dd".to_owned(),
        emulated: Some("qemu-user".to_owned()),
        quick: true,
        reference: Reference::NoComparableBaseline {
            candidates: vec![
                IncomparableBaseline {
                    path: "baselines/aarch64-unknown-linux-gnu/0011223344556677.json".to_owned(),
                    slug: "aarch64-linux-neoverse-n1-neon-4c".to_owned(),
                    differing: vec![
                        DifferingField {
                            field: "cpu_model".to_owned(),
                            run: "QEMU TCG".to_owned(),
                            baseline: "Neoverse-N1".to_owned(),
                        },
                        DifferingField {
                            field: "emulated".to_owned(),
                            run: "qemu-user".to_owned(),
                            baseline: "none".to_owned(),
                        },
                    ],
                },
                IncomparableBaseline {
                    path: "baselines/aarch64-unknown-linux-gnu/8899aabbccddeeff.json".to_owned(),
                    slug: "aarch64-linux-graviton3-sve-2c".to_owned(),
                    differing: vec![DifferingField {
                        field: "features".to_owned(),
                        run: "neon".to_owned(),
                        baseline: "neon,sve".to_owned(),
                    }],
                },
            ],
            record: RecordCommand {
                invoked_as: "cargo xtask".to_owned(),
                platform: TargetTriple::parse("aarch64-unknown-linux-gnu").unwrap(),
                emulated: false,
            },
        },
        ..report("aarch64-unknown-linux-gnu", rows)
    }
}

fn passing() -> Report {
    let mut r = selected();
    r.rows.retain(|row| row.verdict != RowVerdict::Regressed);
    r
}

fn all_reports() -> [Report; 3] {
    [selected(), no_comparable(), passing()]
}

/// [`no_comparable`] on a platform with no baseline recorded at all: no candidate to show.
fn none_recorded() -> Report {
    let mut report = no_comparable();
    report.reference = Reference::NoComparableBaseline {
        candidates: vec![],
        record: RecordCommand {
            invoked_as: "cargo xtask".to_owned(),
            platform: TargetTriple::parse("aarch64-unknown-linux-gnu").unwrap(),
            emulated: false,
        },
    };
    report
}

/// [`paired`] with plain criterion benchmarks, built on the criterion layer or not.
fn with_layer(layer: CriterionLayer) -> Report {
    let mut report = paired();
    if let Reference::BaseCommit {
        criterion_layer, ..
    } = &mut report.reference
    {
        *criterion_layer = Some(layer);
    }
    report
}

/// [`paired`] within a time budget of 20 minutes, which left `parse/a|b` undecided or nothing.
fn with_budget(limited: bool) -> Report {
    let mut report = paired();
    if let Reference::BaseCommit { budget_seconds, .. } = &mut report.reference {
        *budget_seconds = Some(1200);
    }
    report.rows[3].paired = Some(PairedRow {
        method: Method::Interleaved,
        pairs: 6,
        samples_per_pair: 30,
        iterations_per_sample: Some(100),
        budget_limited: limited,
    });
    report
}

/// [`passing`] with a benchmark that hung (in a `--quick` run or a full one).
fn with_failed(quick: bool) -> Report {
    let mut report = passing();
    report.quick = quick;
    report.failed = vec![FailedBench {
        id: perfmatrix_model::BenchmarkId::new("parse/hang").unwrap(),
        error: "head build: the counting run failed (signal: 9 (SIGKILL))".to_owned(),
    }];
    report
}

/// A platform report with a failed benchmark names it, and says why it is not a pass: a full
/// run fails ("FAIL: 0 regressed" before), a quick one is incomplete ("NO COMPARABLE BASELINE"
/// before).
#[test]
fn a_failed_benchmark_is_named_and_decides_the_outcome_line() {
    let full = render(&with_failed(false), Format::Table, PLAIN).unwrap();
    assert!(full.ends_with("\nFAIL: 1 failed\n"), "{full}");
    assert!(full.contains(
        "\n1 benchmark(s) failed (a panic or a hang; the messages above say why) and have no \
         verdict: parse/hang\n"
    ));
    let quick = render(&with_failed(true), Format::Table, PLAIN).unwrap();
    assert!(quick.ends_with("\nINCOMPLETE: 1 failed\n"), "{quick}");
    let html = render(&with_failed(true), Format::Html, PLAIN).unwrap();
    assert!(
        html.contains("<span class=\"badge incomplete\">INCOMPLETE</span>"),
        "{html}"
    );
    let md = render(&with_failed(false), Format::Markdown, PLAIN).unwrap();
    assert!(md.contains(": **FAIL**: 1 failed\n"), "{md}");
    assert!(md.contains("have no verdict: `parse/hang`"), "{md}");
}

/// Every report of this file in every format, byte for byte (`tests/snapshots/`): a change to
/// what a reader sees shows as a diff to review (`cargo insta review`).
#[test]
fn every_report_renders_as_its_snapshot() {
    let mut remeasured = selected();
    remeasured.rows[0].remeasured = true;
    let mut time_warns_only = selected();
    time_warns_only.time_gated = false;
    let mut empty = passing();
    empty.rows.clear();
    let (failed, failed_quick) = (with_failed(false), with_failed(true));
    for (name, report) in [
        ("selected", selected()),
        ("no_comparable", no_comparable()),
        ("none_recorded", none_recorded()),
        ("passing", passing()),
        ("empty", empty),
        ("paired", paired()),
        ("remeasured", remeasured),
        ("time_warns_only", time_warns_only),
        (
            "on_the_layer",
            with_layer(CriterionLayer::Used {
                criterion: "0.5.1".to_owned(),
            }),
        ),
        (
            "off_the_layer",
            with_layer(CriterionLayer::NotUsed {
                side: BuildSide::Head,
                why: LayerUnusable::DoesNotCompile {
                    error: "the `styles` target does not build against it: error[E0599]: no \
                            method named `to_async`"
                        .to_owned(),
                },
            }),
        ),
        ("budget_limited", with_budget(true)),
        ("budget_left_none", with_budget(false)),
        ("failed", failed),
        ("failed_quick", failed_quick),
    ] {
        insta::assert_snapshot!(format!("platform_{name}"), common::every_rendering(&report));
    }
}

#[test]
fn every_format_renders_every_report() {
    for report in all_reports() {
        for format in Format::ALL {
            for style in [PLAIN, COLOR] {
                let out = render(&report, format, style).unwrap();
                assert!(out.ends_with('\n'), "{format}: {out:?}");
                assert!(!out.ends_with("\n\n"), "{format}: {out:?}");
            }
        }
    }
}

#[test]
fn table_columns_are_aligned() {
    let out = render(&selected(), Format::Table, PLAIN).unwrap();
    let body = table_body(&out);
    assert_eq!(body.len(), 2 + selected().rows.len(), "{out}");
    let header = body[0];
    let verdict_at = header.find("verdict").unwrap();
    let new_end = header.find(" new").unwrap() + 4;
    for (line, row) in body[2..].iter().zip(selected().rows) {
        let chars: Vec<char> = line.chars().collect();
        let prefix: String = chars[..verdict_at].iter().collect();
        let verdict: String = chars[verdict_at..].iter().collect();
        assert!(prefix.ends_with("  "), "{line}");
        assert!(
            [
                "regressed",
                "warning",
                "improved",
                "unchanged",
                "new",
                "missing"
            ]
            .contains(&verdict.as_str()),
            "{line}"
        );
        // Right-aligned numbers end in the same column as their header.
        let new_cell: String = chars[..new_end].iter().collect();
        assert!(!new_cell.ends_with(' '), "{line}");
        assert!(line.starts_with(row.id.as_str()));
    }
    assert!(body[1].chars().all(|c| c == '-'));
    let widest = body.iter().map(|l| l.chars().count()).max().unwrap();
    assert_eq!(body[1].chars().count(), widest);
}

#[test]
fn colour_only_when_asked() {
    for report in all_reports() {
        let plain = render(&report, Format::Table, PLAIN).unwrap();
        assert!(!plain.contains('\x1b'), "{plain}");
        for format in [Format::Markdown, Format::Json, Format::Html] {
            assert!(!render(&report, format, COLOR).unwrap().contains('\x1b'));
        }
    }
}

#[test]
fn hostile_strings_cannot_reach_the_terminal() {
    let mut report = selected();
    // An id cannot hold a control character (a file with one is refused); a bidirectional
    // override is printable, so it may.
    report.rows[0].id = perfmatrix_model::BenchmarkId::new("evil[2J line\u{202E}").unwrap();
    report.fingerprint_slug = "slug\x1b[2J\n".to_owned();
    report.cpu = "cpu\x1b]0;title\x07".to_owned();
    report.emulated = Some("qemu\r".to_owned());
    let out = render(&report, Format::Table, PLAIN).unwrap();
    assert!(!out.contains('\x1b') && !out.contains('\r') && !out.contains('\u{7}'));
    assert!(!out.contains('\u{202E}'));
    assert!(out.contains("evil[2J line\\u{202e}"));
    assert!(out.contains("slug\\u{1b}[2J\\n"));
    assert_eq!(table_body(&out).len(), 2 + report.rows.len());
    let md = render(&report, Format::Markdown, PLAIN).unwrap();
    assert!(!md.contains('\x1b'));
    assert_eq!(markdown_rows(&md).len(), report.rows.len());
}

/// The data rows of the Markdown table.
fn markdown_rows(md: &str) -> Vec<&str> {
    // The benchmark table: the first table (the functions' tables follow it).
    md.lines()
        .skip_while(|l| !l.starts_with("| "))
        .take_while(|l| l.starts_with("| "))
        .skip(2) // header and alignment rows
        .collect()
}

#[test]
fn markdown_has_one_row_per_benchmark_and_escapes_pipes() {
    for report in all_reports() {
        let md = render(&report, Format::Markdown, PLAIN).unwrap();
        assert!(md.contains(
            "\n| benchmark | new | baseline | change | interval | p | noise | MDE | verdict |\n| --- |"
        ));
        let rows = markdown_rows(&md);
        assert_eq!(rows.len(), report.rows.len(), "{md}");
        for (line, row) in rows.iter().zip(&report.rows) {
            // Ten unescaped pipes: nine cells.
            let unescaped = line.replace("\\|", "");
            assert_eq!(unescaped.matches('|').count(), 10, "{line}");
            assert!(
                line.starts_with(&format!("| `{}` |", row.id.replace('|', "\\|"))),
                "{line}"
            );
        }
    }
}

#[test]
fn json_round_trips_but_for_the_worded_references() {
    for report in all_reports() {
        let json = render(&report, Format::Json, PLAIN).unwrap();
        let (value, words) = common::references_apart(serde_json::from_str(&json).unwrap());
        let (model, facts) = common::references_apart(serde_json::to_value(&report).unwrap());
        assert_eq!(value, model, "{json}");
        for (words, facts) in words.iter().zip(&facts) {
            assert_eq!(words["status"], facts["status"], "{json}");
            assert!(
                words.is_null() || words["why"].is_string() || words["how_to_record"].is_string()
            );
        }
    }
    let json = render(&selected(), Format::Json, PLAIN).unwrap();
    assert!(
        json.starts_with("{\n  \"schema\": \"perfmatrix-report\",\n  \"version\": 1,"),
        "{json}"
    );
    assert!(json.contains("\"status\": \"selected\""));
    assert!(json.contains("\"verdict\": \"regressed\""));
}

#[test]
fn json_words_why_each_reference_was_chosen() {
    for report in all_reports() {
        let json = render(&report, Format::Json, PLAIN).unwrap();
        assert_eq!(render(&report, Format::Json, COLOR).unwrap(), json);
    }
    let json = render(&selected(), Format::Json, PLAIN).unwrap();
    assert!(json.contains(
        "\"why\": \"recorded on the same machine class (comparability key 3f2a9c0d1e4b5a69: \
         target, CPU model, SIMD features, kernel variants, cores, emulation all equal)\""
    ));
    let json = render(&no_comparable(), Format::Json, PLAIN).unwrap();
    assert!(json.contains(
        "\"how_to_record\": \"cargo xtask update-baselines --platform aarch64-unknown-linux-gnu\""
    ));
    let json = render(&paired(), Format::Json, PLAIN).unwrap();
    assert!(json.contains(
        "\"why\": \"--against origin/main\",\n    \"samples\": \"6–20 process pairs × 30 \
         interleaved samples\""
    ));
}

#[test]
fn a_platform_is_rendered_as_the_merge_of_one() {
    for report in all_reports() {
        let merged = MergedReport::single(&report, Path::new(report.platform.as_str()));
        assert_eq!(
            render(&report, Format::Html, PLAIN).unwrap(),
            render_merged(&merged, Format::Html, PLAIN).unwrap()
        );
        // The table and the Markdown of the merge of one have the same verdict and counts as the
        // platform's own layout.
        let own = render(&report, Format::Table, PLAIN).unwrap();
        let matrix = render_merged(&merged, Format::Table, PLAIN).unwrap();
        let last = |text: &str| text.lines().last().unwrap().to_owned();
        assert!(last(&own).starts_with(&last(&matrix)), "{own}\n{matrix}");
        let counts = |text: &str| {
            let line = text.lines().rev().nth(1).unwrap();
            line[line.find(": ").map_or(line.len(), |at| at + 2)..].to_owned()
        };
        assert_eq!(counts(&own), counts(&matrix), "{own}\n{matrix}");
    }
}

#[test]
fn a_remeasured_verdict_says_so_in_table_and_markdown() {
    let mut report = selected();
    report.rows[0].remeasured = true;
    let table = render(&report, Format::Table, PLAIN).unwrap();
    let first = table_body(&table)[2]; // header, rule, first row
    assert!(first.ends_with("(re-measured)"), "{first}");
    assert_eq!(table.matches("(re-measured)").count(), 1);
    let md = render(&report, Format::Markdown, PLAIN).unwrap();
    assert_eq!(md.matches("(re-measured)").count(), 1, "{md}");
}

/// [`selected`] measured as a paired run against `origin/main`, with uncommitted changes: its
/// benchmarks on both sides interleaved on the harness, 6 to 20 process pairs of 30 samples.
fn paired() -> Report {
    let mut report = selected();
    let on_both_sides = report
        .rows
        .iter_mut()
        .filter(|r| !matches!(r.verdict, RowVerdict::New | RowVerdict::Missing));
    for (row, pairs) in on_both_sides.zip([6, 20].into_iter().chain(std::iter::repeat(12))) {
        row.paired = Some(PairedRow {
            method: Method::Interleaved,
            pairs,
            samples_per_pair: 30,
            iterations_per_sample: Some(100),
            budget_limited: false,
        });
    }
    report.reference = Reference::BaseCommit {
        head: Revision {
            name: "working tree".to_owned(),
            commit: "1111111122223333".to_owned(),
            dirty: true,
        },
        base: Revision {
            name: "origin/main".to_owned(),
            commit: "4444444455556666".to_owned(),
            dirty: false,
        },
        why: PairedBecause::Against {
            rev: "origin/main".to_owned(),
        },
        criterion_layer: None,
        settings_changed: Vec::new(),
        budget_seconds: None,
    };
    report
}

#[test]
fn format_names() {
    assert_eq!("table".parse::<Format>().unwrap(), Format::Table);
    assert_eq!("markdown".parse::<Format>().unwrap(), Format::Markdown);
    assert_eq!("json".parse::<Format>().unwrap(), Format::Json);
    assert_eq!(Format::Markdown.to_string(), "markdown");
    assert_eq!("html".parse::<Format>().unwrap(), Format::Html);
    let err = "xml".parse::<Format>().unwrap_err();
    assert!(matches!(&err, ReportError::UnknownFormat { given } if given == "xml"));
    assert!(
        err.to_string().contains("table, markdown, json, html"),
        "{err}"
    );
}

#[test]
fn no_color_rule() {
    assert!(color_allowed(true, None));
    assert!(color_allowed(true, Some("")));
    assert!(!color_allowed(true, Some("1")));
    assert!(
        !color_allowed(true, Some("0")),
        "any non-empty value disables colour"
    );
    assert!(!color_allowed(false, None));
    assert!(!color_allowed(false, Some("")));
    assert!(!color_allowed(false, Some("1")));
}

// Arbitrary reports: any strings, any numbers (NaN and infinities included), inconsistent
// counts and outcomes, ids twice. Rendering never fails or panics, never lets an escape byte
// through the plain table, and keeps one table line per row.

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 128,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn any_report_renders(report in any_report(any_float())) {
        for format in Format::ALL {
            for style in [PLAIN, COLOR] {
                prop_assert!(render(&report, format, style).is_ok());
            }
        }
        let table = render(&report, Format::Table, PLAIN).unwrap();
        prop_assert!(!table.contains('\x1b'));
        let body = table_body(&table);
        prop_assert_eq!(body.len(), 2 + report.rows.len().max(1));
        let md = render(&report, Format::Markdown, PLAIN).unwrap();
        prop_assert_eq!(markdown_rows(&md).len(), report.rows.len());
    }

    #[test]
    fn any_finite_report_round_trips_through_json(report in any_report(finite_float())) {
        let json = render(&report, Format::Json, PLAIN).unwrap();
        let (value, _) = common::references_apart(serde_json::from_str(&json).unwrap());
        let (model, _) = common::references_apart(serde_json::to_value(&report).unwrap());
        let (value, notes) = common::count_notes_apart(value);
        let (model, facts) = common::count_notes_apart(model);
        prop_assert_eq!(value, model);
        // The arbitrary notes are the counting run's own words, shown as they are.
        let said: Vec<serde_json::Value> = facts
            .iter()
            .map(|f| f["unmeasured"]["said"].clone())
            .collect();
        prop_assert_eq!(notes, said);
    }
}
