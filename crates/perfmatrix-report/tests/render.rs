//! Renders hand-built reports of one platform (every verdict, a selected baseline, no comparable
//! baseline with candidates, quick, emulated, hostile ids) in every format and checks what a
//! reader relies on.

mod common;

use std::path::Path;

use common::arbitrary::{any_float, any_report, finite_float};
use common::{COLOR, PLAIN, X86, compared, report, strip_ansi, table_body};
use perfmatrix_model::{
    CriterionLayer, DifferingField, IncomparableBaseline, MergedReport, Method, PairedBecause,
    PairedRow, RecordCommand, Reference, Report, Revision, Row, RowVerdict, TargetTriple,
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

/// Every report of this file in every format, byte for byte (`tests/snapshots/`): a change to
/// what a reader sees shows as a diff to review (`cargo insta review`).
#[test]
fn every_report_renders_as_its_snapshot() {
    let mut remeasured = selected();
    remeasured.rows[0].remeasured = true;
    for (name, report) in [
        ("selected", selected()),
        ("no_comparable", no_comparable()),
        ("passing", passing()),
        ("paired", paired()),
        ("remeasured", remeasured),
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
fn table_shows_the_selected_baseline_and_the_outcome() {
    let out = render(&selected(), Format::Table, PLAIN).unwrap();
    println!("{out}");
    assert!(out.starts_with(
        "platform: x86_64-unknown-linux-gnu\nfingerprint: x86_64-linux-amd-epyc-7763-avx2-8c\n"
    ));
    assert!(out.contains(
        "baseline: baselines/x86_64-unknown-linux-gnu/3f2a9c0d1e4b5a69.json (x86_64-linux-amd-epyc-7763-avx2-8c, commit 9fceb02, 5 runs) — selected because recorded on the same machine class"
    ));
    assert!(!out.contains("QUICK"));
    assert!(!out.contains("emulated"));
    // Units, signed changes with intervals, p-values, noise and MDE.
    let regressed = out
        .lines()
        .find(|l| l.starts_with("cosine/768x1000 "))
        .unwrap();
    for cell in [
        "91.8 µs",
        "81.2 µs",
        "+13.0%",
        "[+10.1%, +14.0%]",
        "<0.001",
        "1.2%",
        "12.3%",
        "regressed",
    ] {
        assert!(regressed.contains(cell), "{cell} in {regressed}");
    }
    assert!(out.contains("1.19 s"));
    assert!(out.contains("2.35 ms"));
    assert!(
        out.contains("1.00 µs"),
        "999.6 ns rounds up to the next unit"
    );
    assert!(out.contains("12.3 ns"));
    assert!(out.contains("[-21.0%, -17.0%]"));
    assert!(out.ends_with(
        "7 benchmarks: 1 regressed, 1 warning, 1 improved, 2 unchanged, 1 new, 1 missing\nFAIL: 1 regressed\n"
    ));
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
fn table_explains_a_missing_baseline() {
    let out = render(&no_comparable(), Format::Table, PLAIN).unwrap();
    println!("{out}");
    assert!(out.contains("fingerprint: aarch64-linux-qemu-neon-2c (emulated: qemu-user)\n"));
    assert!(out.contains("QUICK SMOKE RUN — not comparable to a full run, never a baseline\n"));
    assert!(out.contains("no comparable baseline\n"));
    assert!(out.contains(
        "candidate baselines/aarch64-unknown-linux-gnu/0011223344556677.json (aarch64-linux-neoverse-n1-neon-4c)"
    ));
    assert!(out.contains("cpu_model: run=QEMU TCG baseline=Neoverse-N1\n"));
    assert!(out.contains("emulated: run=qemu-user baseline=none\n"));
    assert!(out.contains("features: run=neon baseline=neon,sve\n"));
    assert!(out.contains(
        "record one with: cargo xtask update-baselines --platform aarch64-unknown-linux-gnu\n"
    ));
    assert!(out.contains("no baseline\n"));
    assert!(out.ends_with("2 benchmarks: 2 without baseline\nNO COMPARABLE BASELINE\n"));

    let mut none_recorded = no_comparable();
    none_recorded.reference = Reference::NoComparableBaseline {
        candidates: vec![],
        record: RecordCommand {
            invoked_as: "cargo xtask".to_owned(),
            platform: TargetTriple::parse("aarch64-unknown-linux-gnu").unwrap(),
            emulated: false,
        },
    };
    let out = render(&none_recorded, Format::Table, PLAIN).unwrap();
    assert!(out.contains("(no baseline is recorded for this platform yet)"));
}

#[test]
fn table_passes_and_handles_no_rows() {
    let out = render(&passing(), Format::Table, PLAIN).unwrap();
    assert!(out.ends_with("\nPASS\n"), "{out}");

    let mut empty = passing();
    empty.rows.clear();
    let out = render(&empty, Format::Table, PLAIN).unwrap();
    assert!(out.contains("(no benchmarks)\n"));
    assert!(out.ends_with("0 benchmarks\nPASS\n"), "{out}");
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
    let coloured = render(&selected(), Format::Table, COLOR).unwrap();
    let regressed = coloured
        .lines()
        .find(|l| l.starts_with("cosine/768x1000 "))
        .unwrap();
    assert!(
        regressed.ends_with("\x1b[1;31mregressed\x1b[0m"),
        "{regressed:?}"
    );
    let warning = coloured
        .lines()
        .find(|l| l.starts_with("cosine/768x1000/avx2"))
        .unwrap();
    assert!(warning.ends_with("\x1b[33mwarning\x1b[0m"), "{warning:?}");
    let unchanged = coloured
        .lines()
        .find(|l| l.starts_with("decay/1M"))
        .unwrap();
    assert!(
        unchanged.ends_with("\x1b[32mimproved\x1b[0m"),
        "{unchanged:?}"
    );
    assert!(coloured.ends_with("\x1b[1;31mFAIL: 1 regressed\x1b[0m\n"));
    // Colour codes do not count towards the widths: stripped, the table is the plain one.
    assert_eq!(
        strip_ansi(&coloured),
        render(&selected(), Format::Table, PLAIN).unwrap()
    );

    let quick = render(&no_comparable(), Format::Table, COLOR).unwrap();
    assert!(quick.contains("\x1b[36mno baseline\x1b[0m"));
    assert!(quick.contains("\x1b[33mQUICK SMOKE RUN"));
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
    let md = render(&selected(), Format::Markdown, PLAIN).unwrap();
    println!("{md}");
    assert!(md.contains("| `parse/a\\|b` |"));
    assert!(md.starts_with("### perfmatrix `x86_64-unknown-linux-gnu`: **FAIL**: 1 regressed\n"));
    assert!(md.contains("Baseline: `baselines/x86_64-unknown-linux-gnu/3f2a9c0d1e4b5a69.json` (`x86_64-linux-amd-epyc-7763-avx2-8c`, commit `9fceb02`, 5 runs) — selected because recorded on the same machine class"));
    assert!(md.contains("| `cosine/768x1000` | 91.8 µs | 81.2 µs | +13.0% | [+10.1%, +14.0%] | <0.001 | 1.2% | 12.3% | regressed |"));
    assert!(md.contains("| `spread/new-bench` | 12.3 ns | — | — | — | — | — | — | new |"));

    let md = render(&no_comparable(), Format::Markdown, PLAIN).unwrap();
    println!("{md}");
    assert!(
        md.starts_with("### perfmatrix `aarch64-unknown-linux-gnu`: **NO COMPARABLE BASELINE**\n")
    );
    assert!(md.contains("(emulated: `qemu-user`)"));
    assert!(md.contains("> **QUICK SMOKE RUN** — not comparable to a full run, never a baseline."));
    assert!(md.contains("  - `cpu_model`: run=`QEMU TCG` baseline=`Neoverse-N1`\n"));
    assert!(md.contains(
        "Record one with `cargo xtask update-baselines --platform aarch64-unknown-linux-gnu`."
    ));
    assert!(
        render(&passing(), Format::Markdown, PLAIN)
            .unwrap()
            .contains("**PASS**")
    );
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

/// A paired run of plain criterion benchmarks says how they were built, in every format: on the
/// criterion layer, or with criterion itself and why.
#[test]
fn a_paired_report_says_how_plain_criterion_benchmarks_were_built() {
    let with = |layer: CriterionLayer| {
        let mut report = paired();
        if let Reference::BaseCommit {
            criterion_layer, ..
        } = &mut report.reference
        {
            *criterion_layer = Some(layer);
        }
        report
    };
    let used = with(CriterionLayer::Used {
        criterion: "0.5.1".to_owned(),
    });
    let fell_back = with(CriterionLayer::NotUsed {
        reason: "head: the `styles` target does not build against it: error[E0599]: no method \
                 named `to_async`"
            .to_owned(),
    });
    for format in [Format::Table, Format::Markdown, Format::Html] {
        let shown = strip_ansi(&render(&used, format, PLAIN).unwrap());
        assert!(
            shown.contains("criterion layer (in place of criterion") && shown.contains("0.5.1"),
            "{format:?}: {shown}"
        );
        let shown = strip_ansi(&render(&fell_back, format, PLAIN).unwrap());
        assert!(
            shown
                .to_lowercase()
                .contains("measured with criterion itself, in whole runs")
                && shown.contains("E0599"),
            "{format:?}: {shown}"
        );
    }
    let json: serde_json::Value =
        serde_json::from_str(&render(&used, Format::Json, PLAIN).unwrap()).unwrap();
    let layer = &json["baseline"]["criterion_layer"];
    assert_eq!(layer["status"], "used", "{json}");
    assert_eq!(layer["criterion"], "0.5.1");
    let json = render(&fell_back, Format::Json, PLAIN).unwrap();
    assert!(
        json.contains("\"status\": \"not-used\"") && json.contains("E0599"),
        "{json}"
    );
}

#[test]
fn a_paired_report_names_both_commits_and_its_samples_in_every_format() {
    let report = paired();
    let table = strip_ansi(&render(&report, Format::Table, PLAIN).unwrap());
    assert!(
        table.contains(
            "compared: head 1111111 + uncommitted changes vs base 4444444 (origin/main), on \
             this machine, 6–20 process pairs × 30 interleaved samples"
        ),
        "{table}"
    );
    assert!(
        table.contains("why this base: --against origin/main"),
        "{table}"
    );
    let header = table.lines().find(|l| l.starts_with("benchmark")).unwrap();
    assert!(
        header.contains(" head ") && header.contains(" base "),
        "{header}"
    );
    let md = render(&report, Format::Markdown, PLAIN).unwrap();
    assert!(
        md.contains("Head `1111111 + uncommitted changes` vs base `4444444`"),
        "{md}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&render(&report, Format::Json, PLAIN).unwrap()).unwrap();
    assert_eq!(json["baseline"]["status"], "paired");
    assert_eq!(json["baseline"]["base"]["name"], "origin/main");
    let html = render(&report, Format::Html, PLAIN).unwrap();
    assert!(
        html.contains("paired: head 1111111+changes vs base 4444444 (origin&#x2f;main)"),
        "{html}"
    );
}

#[test]
fn a_committed_baseline_says_it_is_one_and_whether_wall_time_gates() {
    let mut report = selected();
    let table = strip_ansi(&render(&report, Format::Table, PLAIN).unwrap());
    assert!(
        table.contains("runs made at another time, possibly on another host"),
        "{table}"
    );
    assert!(!table.contains("wall time warns only"), "{table}");
    report.time_gated = false;
    let table = strip_ansi(&render(&report, Format::Table, PLAIN).unwrap());
    assert!(table.contains("wall time warns only"), "{table}");
    let md = render(&report, Format::Markdown, PLAIN).unwrap();
    assert!(md.contains("Wall time warns only"), "{md}");
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
        prop_assert_eq!(value, model);
    }
}

/// A paired run with a time budget names, in every format, the benchmarks the budget left
/// undecided; with none left undecided, it says so.
#[test]
fn a_paired_report_names_the_benchmarks_its_budget_left_undecided() {
    let mut report = paired();
    if let Reference::BaseCommit { budget_seconds, .. } = &mut report.reference {
        *budget_seconds = Some(1200);
    }
    report.rows[3].paired = Some(PairedRow {
        method: Method::Interleaved,
        pairs: 6,
        samples_per_pair: 30,
        iterations_per_sample: Some(100),
        budget_limited: true,
    });
    for format in [Format::Table, Format::Markdown, Format::Html] {
        let shown = strip_ansi(&render(&report, format, PLAIN).unwrap());
        assert!(
            shown.contains("time budget of 20m left 1 benchmark(s) undecided"),
            "{format:?}: {shown}"
        );
        // HTML writes `/` as `&#x2f;`.
        assert!(
            shown.contains("parse/a|b") || shown.contains("parse&#x2f;a|b"),
            "{format:?}: {shown}"
        );
    }
    let md = render(&report, Format::Markdown, PLAIN).unwrap();
    assert!(md.contains("- `parse/a|b`"), "{md}");
    report.rows[3].paired.as_mut().unwrap().budget_limited = false;
    for format in [Format::Table, Format::Markdown, Format::Html] {
        let shown = strip_ansi(&render(&report, format, PLAIN).unwrap());
        assert!(
            shown.contains("time budget of 20m: it left no benchmark undecided"),
            "{format:?}: {shown}"
        );
    }
}
