//! Renders merged reports of CI matrices (passing, failing with a missing required platform,
//! skipped and emulated platforms, benchmarks measured on one platform only, hostile ids, NaN
//! and infinite numbers, thousands of benchmarks) in every format, and checks what a reader
//! relies on: the verdict, every platform's status, one table row per benchmark, escaping, the
//! size limit of the Markdown, finite chart coordinates and the JSON round trip.

mod common;

use common::arbitrary::any_merged;
use common::{ARM, COLOR, PLAIN, RISCV, X86, leg, report, required, strip_ansi, table_body, timed};
use perfmatrix_model::{
    CountNote, CountRow, Failure, FailureKind, MergedOutcome, MergedReport, PlatformRow,
    PlatformStatus, RecordCommand, Reference, Row, RowVerdict, SkipReason, Skipped, TargetTriple,
    Unmeasured, merge,
};
use perfmatrix_report::{Format, MARKDOWN_LIMIT, MAX_CHARTED, render, render_merged};
use proptest::prelude::*;

/// x86 and an emulated aarch64, both passing; `only/x86` is measured on x86 alone.
fn passing() -> MergedReport {
    let x86 = report(
        X86,
        vec![
            timed("cosine/768x1000", RowVerdict::Warning, (0.04, 0.062, 0.08)),
            timed("decay/1M", RowVerdict::Improved, (-0.21, -0.19, -0.17)),
            timed("only/x86", RowVerdict::Unchanged, (-0.01, 0.004, 0.02)),
            timed(
                "spread/hops=3",
                RowVerdict::Unchanged,
                (-0.02, -0.008, 0.01),
            ),
        ],
    );
    let mut arm = report(
        ARM,
        vec![
            timed(
                "cosine/768x1000",
                RowVerdict::Unchanged,
                (-0.03, 0.01, 0.04),
            ),
            timed("decay/1M", RowVerdict::Unchanged, (-0.05, -0.02, 0.01)),
            timed("spread/hops=3", RowVerdict::Improved, (-0.4, -0.31, -0.2)),
        ],
    );
    arm.emulated = Some("qemu-aarch64".to_owned());
    common::merged(vec![x86, arm])
}

/// x86 regressed, aarch64 required but missing, riscv skipped with a note.
fn failing() -> MergedReport {
    let mut x86 = report(
        X86,
        vec![
            timed(
                "cosine/768x1000",
                RowVerdict::Regressed,
                (0.101, 0.13, 0.14),
            ),
            timed("decay/1M", RowVerdict::Unchanged, (-0.01, 0.0, 0.01)),
            Row {
                new_median_ns: Some(12.3),
                ..Row::bare(
                    perfmatrix_model::BenchmarkId::new("spread/new").unwrap(),
                    RowVerdict::New,
                )
            },
        ],
    );
    for row in &mut x86.rows {
        row.remeasured = row.id == "cosine/768x1000";
    }
    let skipped = [Skipped {
        platform: TargetTriple::parse(RISCV).unwrap(),
        reason: SkipReason::CrossToolsMissing {
            compiler: true,
            emulator: false,
            rust_target: false,
        },
    }];
    merge(vec![leg(x86)], &required(&[X86, ARM]), &skipped).unwrap()
}

/// x86 measured in three shards, the second of which sent nothing: its benchmark is missing and
/// the required platform incomplete.
fn incomplete() -> MergedReport {
    use perfmatrix_model::{BenchmarkId, LegResults, Shard, Sharding};
    let ids = ["cosine/768x1000", "decay/1M", "spread/hops=3"];
    let plan = perfmatrix_model::plan(&ids.map(|id| BenchmarkId::new(id).unwrap()), |_| None, 3);
    let legs: Vec<LegResults> = [1, 3]
        .into_iter()
        .map(|k| {
            let rows: Vec<Row> = plan
                .iter()
                .filter(|p| p.shard == k)
                .map(|p| timed(p.id.as_str(), RowVerdict::Unchanged, (-0.01, 0.0, 0.01)))
                .collect();
            LegResults {
                source: format!("results/{X86}-shard-{k}-of-3.json").into(),
                sharding: Some(Sharding {
                    shard: Shard::new(k, 3).unwrap(),
                    plan: plan.clone(),
                }),
                ..leg(report(X86, rows))
            }
        })
        .collect();
    merge(legs, &required(&[X86]), &[]).unwrap()
}

fn all_reports() -> Vec<MergedReport> {
    vec![
        passing(),
        failing(),
        hostile(),
        nan_and_infinities(),
        incomplete(),
    ]
}

/// A platform whose shard sent nothing is incomplete in every format, and says which shard.
#[test]
fn a_platform_missing_a_shard_is_incomplete() {
    let report = incomplete();
    assert_eq!(report.platforms[0].status, PlatformStatus::Incomplete);
    assert_eq!(report.outcome, MergedOutcome::Fail);
    // Its words are in the `merged_incomplete_shards` snapshot.
}

/// Every merged report of this file in every format, byte for byte (`tests/snapshots/`).
#[test]
fn every_merged_report_renders_as_its_snapshot() {
    for (name, report) in [
        ("passing", passing()),
        ("failing", failing()),
        ("hostile", hostile()),
        ("nan_and_infinities", nan_and_infinities()),
        ("incomplete_shards", incomplete()),
    ] {
        insta::assert_snapshot!(
            format!("merged_{name}"),
            common::every_merged_rendering(&report)
        );
    }
}

/// The data rows of the Markdown benchmark table.
fn markdown_bench_rows(md: &str) -> Vec<&str> {
    md.lines()
        .skip_while(|l| !l.starts_with("| benchmark |"))
        .skip(2)
        .take_while(|l| l.starts_with("| "))
        .collect()
}

/// The Markdown platform table's line of `platform`.
fn markdown_platform<'a>(md: &'a str, platform: &str) -> &'a str {
    md.lines()
        .find(|l| l.starts_with(&format!("| `{platform}` |")))
        .unwrap_or_else(|| panic!("no line of {platform} in {md}"))
}

#[test]
fn every_format_renders_every_report() {
    for report in all_reports() {
        for format in Format::ALL {
            for style in [PLAIN, COLOR] {
                let out = render_merged(&report, format, style).unwrap();
                assert!(out.ends_with('\n'), "{format}: {out:?}");
                assert!(!out.ends_with("\n\n"), "{format}: {out:?}");
                if format != Format::Table || style == PLAIN {
                    assert!(!out.contains('\x1b'), "{format}");
                }
            }
        }
    }
}

#[test]
fn a_passing_matrix() {
    let report = passing();
    assert_eq!(report.outcome, MergedOutcome::Pass);
    let table = render_merged(&report, Format::Table, PLAIN).unwrap();
    println!("{table}");
    assert!(
        table.starts_with("matrix verdict: PASS\n\nplatform "),
        "{table}"
    );
    assert!(table.ends_with("\nPASS\n"));
    assert!(table.contains("7 results: 1 warning, 2 improved, 4 unchanged\n"));
    let body = table_body(&table);
    assert_eq!(body.len(), 2 + report.benchmarks.len(), "{table}");
    assert!(
        body[0].starts_with("benchmark        x86_64-unknown-linux-gnu  aarch64-unknown-linux-gnu")
    );
    let cosine = body.iter().find(|l| l.starts_with("cosine/")).unwrap();
    assert!(cosine.contains("+6.2% warning"), "{cosine}");
    assert!(cosine.ends_with("+1.0% unchanged"), "{cosine}");
    // The columns line up: every change of a column ends at the same place.
    let ends: Vec<usize> = body[2..]
        .iter()
        .map(|l| l.chars().collect::<Vec<_>>())
        .map(|c| c.iter().position(|&c| c == '%').unwrap())
        .collect();
    assert!(ends.windows(2).all(|w| w[0] == w[1]), "{ends:?}\n{table}");

    let md = render_merged(&report, Format::Markdown, PLAIN).unwrap();
    println!("{md}");
    assert!(
        md.starts_with("### perfmatrix: **PASS**\n\n| platform |"),
        "{md}"
    );
    assert!(md.contains(
        "| `cosine/768x1000` | +6.2% [+4.0%, +8.0%] warning | +1.0% [-3.0%, +4.0%] unchanged |"
    ));
    assert!(
        !md.contains("listed, worst first"),
        "a short table lists all, by id"
    );
    assert!(md.ends_with(
        "4 benchmarks on 2 platforms, 7 results: 1 warning, 2 improved, 4 unchanged.\n"
    ));

    let html = render_merged(&report, Format::Html, PLAIN).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>\n"));
    assert!(html.contains("<span class=\"badge pass\">PASS</span>"));
    assert!(html.contains("Every benchmark with a measured change is charted (4 of 4)."));
}

#[test]
fn a_missing_required_platform_is_missing_in_every_format() {
    let report = failing();
    assert_eq!(report.outcome, MergedOutcome::Fail);
    let reason = format!("{ARM}: required platform is missing");
    assert!(report.failures().contains(&Failure {
        platform: &TargetTriple::parse(ARM).unwrap(),
        why: FailureKind::Required(PlatformStatus::Missing)
    }));

    let table = render_merged(&report, Format::Table, PLAIN).unwrap();
    println!("{table}");
    assert!(table.starts_with("matrix verdict: FAIL\n"));
    assert!(table.contains(&format!("\n  - {reason}\n")));
    let arm = table.lines().find(|l| l.starts_with(ARM)).unwrap();
    assert!(arm.contains("  missing (required)  "), "{arm}");
    assert!(
        arm.ends_with("no results file for this platform: did its leg run and upload its results?")
    );
    assert!(table.ends_with("\nFAIL\n"));
    let coloured = render_merged(&report, Format::Table, COLOR).unwrap();
    assert!(
        coloured.contains("\x1b[1;31mmissing (required)"),
        "{coloured}"
    );
    assert!(coloured.starts_with("matrix verdict: \x1b[1;31mFAIL\x1b[0m\n"));
    assert_eq!(strip_ansi(&coloured), table);

    let md = render_merged(&report, Format::Markdown, PLAIN).unwrap();
    println!("{md}");
    assert!(md.starts_with(&format!(
        "### perfmatrix: **FAIL**\n\n- {x86}: 1 benchmark(s) regressed\n- {arm}: required platform is missing\n\n",
        x86 = X86.replace('_', "\\_"),
        arm = ARM.replace('_', "\\_"),
    )));
    assert!(
        markdown_platform(&md, ARM)
            .starts_with(&format!("| `{ARM}` | **missing (required)** | — | — | — |")),
        "{md}"
    );

    let html = render_merged(&report, Format::Html, PLAIN).unwrap();
    assert!(html.contains("<span class=\"badge fail\">FAIL</span>"));
    assert!(html.contains(&format!("<li>{}</li>", reason.replace('/', "&#x2f;"))));
    assert!(html.contains(&format!(
        "<tr><td><code>{ARM}</code></td><td class=\"status fail\">missing (required)</td>"
    )));

    let json = render_merged(&report, Format::Json, PLAIN).unwrap();
    let back: MergedReport = serde_json::from_str(&json).unwrap();
    let arm: &PlatformRow = back.platforms.iter().find(|p| p.platform == ARM).unwrap();
    assert_eq!(arm.status, PlatformStatus::Missing);
    assert!(json.contains("\"status\": \"missing\""));
}

/// Ids and strings with control characters (not in ids: a file with one is refused),
/// bidirectional overrides, backticks, pipes and markup.
fn hostile() -> MergedReport {
    let mut x86 = report(
        X86,
        vec![
            timed(
                "evil[2J line\u{202E}",
                RowVerdict::Regressed,
                (0.2, 0.3, 0.4),
            ),
            timed("a`b``c|d", RowVerdict::Unchanged, (0.0, 0.01, 0.02)),
            timed(
                "<script>alert(1)</script>",
                RowVerdict::Warning,
                (0.05, 0.06, 0.07),
            ),
            timed(
                "x\" onload=\"alert(1)",
                RowVerdict::Improved,
                (-0.3, -0.2, -0.1),
            ),
        ],
    );
    "<img src=x onerror=alert(1)>".clone_into(&mut x86.fingerprint_slug);
    x86.emulated = Some("qemu`|<b>\r".to_owned());
    "cpu\x1b[2J\n".clone_into(&mut x86.cpu);
    x86.reference = Reference::Baseline {
        path: "baselines/<script>.json".to_owned(),
        slug: "s".to_owned(),
        commit: "c".to_owned(),
        runs: 1,
    };
    let skipped = [Skipped {
        // A platform is a target triple: no markup gets into one (`<svg>` is no vendor).
        platform: TargetTriple::parse(RISCV).unwrap(),
        reason: SkipReason::NoRunner,
    }];
    merge(vec![leg(x86)], &required(&[X86]), &skipped).unwrap()
}

#[test]
fn hostile_strings_are_escaped_in_every_format() {
    let report = hostile();
    let table = render_merged(&report, Format::Table, PLAIN).unwrap();
    println!("{table}");
    assert!(!table.contains('\x1b') && !table.contains('\r') && !table.contains('\u{202E}'));
    assert!(table.contains("evil[2J line\\u{202e}"));
    assert!(table.contains("cpu\\u{1b}[2J\\n"));
    assert_eq!(
        table_body(&table).len(),
        2 + report.benchmarks.len(),
        "{table}"
    );

    let md = render_merged(&report, Format::Markdown, PLAIN).unwrap();
    println!("{md}");
    assert!(!md.contains('\x1b') && !md.contains('\r'));
    let rows = markdown_bench_rows(&md);
    assert_eq!(rows.len(), report.benchmarks.len(), "{md}");
    for line in rows {
        assert_eq!(line.replace("\\|", "").matches('|').count(), 3, "{line}");
    }
    assert!(md.contains("| ```a`b``c\\|d``` |"), "{md}");
    // A note's code spans and brackets are escaped in a table cell.
    assert!(
        md.contains("add \\`\\[target.riscv64gc-unknown-linux-gnu\\]\\`"),
        "{md}"
    );

    let html = render_merged(&report, Format::Html, PLAIN).unwrap();
    assert!(!html.contains("<script"), "an id or a note opened a script");
    assert!(!html.contains("<img") && !html.contains("<svg onload") && !html.contains("<b>"));
    assert!(!html.contains("\" onload"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;"));
    assert!(html.contains("x&quot; onload=&quot;alert(1)"));
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
    assert!(!html.contains('\x1b') && !html.contains('\r'));
    assert!(html.contains("evil[2J line\\u{202e}"));
    assert!(html.contains("cpu\\u{1b}[2J\\n"));
}

#[test]
fn the_html_page_is_self_contained() {
    for report in [passing(), failing()] {
        let html = render_merged(&report, Format::Html, PLAIN).unwrap();
        for forbidden in [
            "<script", "http:", "https:", "src=", "href=", "@import", "url(",
        ] {
            assert!(!html.contains(forbidden), "{forbidden}");
        }
        // No event handler attribute (` onload=`…).
        for (at, _) in html.match_indices(" on") {
            let name: String = html[at + 1..]
                .chars()
                .take_while(char::is_ascii_alphabetic)
                .collect();
            assert!(!html[at + 1 + name.len()..].starts_with('='), "{name}=");
        }
        assert!(html.contains("<style>") && html.contains("<svg class=\"chart\""));
        assert!(html.contains("Content-Security-Policy\" content=\"default-src 'none'"));
    }
}

/// NaN medians, infinite and huge changes.
fn nan_and_infinities() -> MergedReport {
    let mut x86 = report(
        X86,
        vec![
            timed("huge", RowVerdict::Regressed, (1e300, 1e300, f64::MAX)),
            timed(
                "inf",
                RowVerdict::Regressed,
                (0.5, f64::INFINITY, f64::INFINITY),
            ),
            timed(
                "minus-inf",
                RowVerdict::Improved,
                (f64::NEG_INFINITY, -0.5, 0.0),
            ),
            timed(
                "wide",
                RowVerdict::Unchanged,
                (f64::NEG_INFINITY, 0.0, f64::INFINITY),
            ),
        ],
    );
    for row in &mut x86.rows {
        row.new_median_ns = Some(f64::NAN);
        row.base_median_ns = Some(f64::INFINITY);
    }
    let arm = report(
        ARM,
        vec![timed(
            "huge",
            RowVerdict::Improved,
            (-1e300, -1e300, -1e299),
        )],
    );
    common::merged(vec![x86, arm])
}

/// Every number of the chart's SVG attributes (coordinates, sizes, paths).
fn svg_numbers(html: &str) -> Vec<String> {
    let start = html.find("<svg class=\"chart\"").expect("a chart");
    let svg = &html[start..start + html[start..].find("</svg>").unwrap()];
    let mut numbers = Vec::new();
    for attribute in [
        " x=\"",
        " y=\"",
        " x1=\"",
        " x2=\"",
        " y1=\"",
        " y2=\"",
        " width=\"",
        " height=\"",
        " d=\"",
        " viewBox=\"",
    ] {
        for (at, _) in svg.match_indices(attribute) {
            let value = &svg[at + attribute.len()..];
            let value = &value[..value.find('"').unwrap()];
            numbers.extend(
                value
                    .split(|c: char| c.is_ascii_alphabetic() || c == ',' || c == ' ')
                    .filter(|n| !n.is_empty())
                    .map(str::to_owned),
            );
        }
    }
    numbers
}

#[test]
fn nan_and_infinite_numbers_render_and_chart_finitely() {
    let report = nan_and_infinities();
    let table = render_merged(&report, Format::Table, PLAIN).unwrap();
    println!("{table}");
    assert!(table.contains("+inf% regressed"));
    let md = render_merged(&report, Format::Markdown, PLAIN).unwrap();
    assert!(md.contains("[-inf%, +inf%]"), "{md}");
    let html = render_merged(&report, Format::Html, PLAIN).unwrap();
    assert!(html.contains("title=\"new NaN, baseline inf\""));
    let numbers = svg_numbers(&html);
    assert!(numbers.len() > 50, "{numbers:?}");
    for n in &numbers {
        let value: f64 = n.parse().unwrap_or_else(|_| panic!("not a number: {n:?}"));
        assert!(value.is_finite() && value.abs() <= 1e6, "{n}");
    }
    assert!(html.contains("are drawn at its edge"));

    // JSON has no NaN or infinity: they come back as null, so only the finite report round-trips.
    let json = render_merged(&report, Format::Json, PLAIN).unwrap();
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(value["benchmarks"][0]["cells"][0]["new_median_ns"].is_null());
}

/// The merged JSON is the model's serde form with its facts worded: `reasons` after the
/// outcome, each platform's `baseline` and `note` in words where the model has its reference
/// and its notes, and its `baseline_choice` and `count_baseline` the references with why each
/// was chosen in words.
#[test]
fn json_is_the_model_with_its_facts_worded() {
    for report in [passing(), failing(), hostile()] {
        let json = render_merged(&report, Format::Json, PLAIN).unwrap();
        assert!(json.starts_with(
            "{\n  \"schema\": \"perfmatrix-merged-report\",\n  \"version\": 1,\n  \"outcome\":"
        ));
        let mut value: serde_json::Value = serde_json::from_str(&json).unwrap();
        let reasons = value.as_object_mut().unwrap().remove("reasons").unwrap();
        assert_eq!(reasons.as_array().unwrap().len(), report.failures().len());
        for platform in value["platforms"].as_array_mut().unwrap() {
            let platform = platform.as_object_mut().unwrap();
            assert!(platform.remove("note").is_some() && platform.remove("baseline").is_some());
            let words = platform.remove("baseline_choice").unwrap();
            platform.remove("count_baseline");
            assert!(
                words.is_null() || words["why"].is_string() || words["how_to_record"].is_string()
            );
        }
        let mut model = serde_json::to_value(&report).unwrap();
        for platform in model["platforms"].as_array_mut().unwrap() {
            let platform = platform.as_object_mut().unwrap();
            for key in ["notes", "reference", "count_reference"] {
                platform.remove(key);
            }
        }
        assert_eq!(value, model);
    }
    let json = render_merged(&failing(), Format::Json, PLAIN).unwrap();
    assert!(
        json.contains(&format!(
            "\"reasons\": [\n    \"{X86}: 1 benchmark(s) regressed\",\n    \"{ARM}: required \
             platform is missing\"\n  ],"
        )),
        "{json}"
    );
    assert!(json.contains(
        "\"note\": \"no results file for this platform: did its leg run and upload its results?\","
    ));
}

#[test]
fn json_keeps_each_platforms_choices_and_whole_rows() {
    let json = render_merged(&failing(), Format::Json, PLAIN).unwrap();
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    let x86 = &value["platforms"][0];
    assert_eq!(x86["baseline_choice"]["status"], "selected");
    assert_eq!(x86["baseline_choice"]["runs"], 5);
    assert_eq!(x86["time_gated"], true);
    let cell = &value["benchmarks"][0]["cells"][0];
    assert_eq!(cell["id"], "cosine/768x1000");
    for (field, expected) in [
        ("p_value", 0.2),
        ("noise", 0.01),
        ("warn", 0.05),
        ("fail", 0.10),
        ("minimum_detectable_effect", 0.03),
    ] {
        assert_eq!(cell[field], expected, "{field}");
    }
    assert_eq!(cell["remeasured"], true);
    assert_eq!(cell["time_verdict"], "regressed");
    // A platform with no verdict has no choices.
    let arm = &value["platforms"][1];
    assert!(arm["baseline_choice"].is_null() && arm["count_baseline"].is_null());
}

#[test]
fn a_single_report_renders_as_html_too() {
    let x86 = report(
        X86,
        vec![timed(
            "cosine/768x1000",
            RowVerdict::Regressed,
            (0.101, 0.13, 0.14),
        )],
    );
    let html = render(&x86, Format::Html, PLAIN).unwrap();
    assert!(html.contains("<span class=\"badge fail\">FAIL</span>"));
    assert!(html.contains(&format!("<code>{X86}</code>")));
    assert!(html.contains(
        "+13.0% <span class=\"verdict\">regressed</span><br><span class=\"interval\">[+10.1%, +14.0%]</span>"
    ));
}

/// `row` with the counts of benchmark `i` on platform `p` of `platforms`: counted and
/// compared on every platform but the last, where instructions are unavailable (an emulated
/// leg) and peak memory has no baseline.
fn with_counts(row: Row, i: usize, p: usize, platforms: usize) -> Row {
    let base = 1_000_000_000 + i as u64 * 12_345;
    let (instructions, peak_memory) = if p + 1 == platforms {
        (
            CountRow {
                verdict: RowVerdict::Unavailable,
                new: None,
                base: None,
                change: None,
                note: Some(CountNote::Unmeasured(Unmeasured::Emulated {
                    target_arch: "aarch64".to_owned(),
                    host_arch: "x86_64".to_owned(),
                })),
            },
            CountRow {
                verdict: RowVerdict::NoBaseline,
                new: Some(14_000_000 + i as u64 * 4_096),
                base: None,
                change: None,
                note: None,
            },
        )
    } else {
        let new = base + i as u64 * 7;
        let peak = 12_000_000 + i as u64 * 4_096;
        (
            CountRow {
                verdict: RowVerdict::Unchanged,
                new: Some(new),
                base: Some(base),
                change: Some((new - base) as f64 / base as f64),
                note: None,
            },
            CountRow {
                verdict: RowVerdict::Unchanged,
                new: Some(peak + 8_192),
                base: Some(peak),
                change: Some(8_192.0 / peak as f64),
                note: None,
            },
        )
    };
    Row {
        instructions: Some(instructions),
        peak_memory: Some(peak_memory),
        ..row
    }
}

/// `n` benchmarks on `platforms` platforms: every 50th regressed on one platform, every 7th a
/// warning on another, the rest unchanged; with instruction counts and peak memory (see
/// [`with_counts`]) and the count baselines they were compared with.
/// Eight platforms for [`large`], each a target triple.
const TRIPLES: [&str; 8] = [
    "x86_64-unknown-linux-gnu",
    "aarch64-unknown-linux-gnu",
    "riscv64gc-unknown-linux-gnu",
    "powerpc64le-unknown-linux-gnu",
    "s390x-unknown-linux-gnu",
    "i686-unknown-linux-gnu",
    "x86_64-apple-darwin",
    "aarch64-apple-darwin",
];

fn large(n: usize, platforms: usize) -> MergedReport {
    let reports = (0..platforms)
        .map(|p| {
            let rows = (0..n)
                .map(|i| {
                    let id = format!("family{}/benchmark-with-a-long-name/{i:05}", i % 13);
                    let row = if i % 50 == 0 && p == i % platforms {
                        timed(
                            &id,
                            RowVerdict::Regressed,
                            (0.11, 0.15 + i as f64 * 1e-5, 0.2),
                        )
                    } else if i % 7 == 0 && p == (i + 1) % platforms {
                        timed(&id, RowVerdict::Warning, (0.04, 0.06, 0.08))
                    } else {
                        timed(
                            &id,
                            RowVerdict::Unchanged,
                            (-0.01, 0.001 * (i % 10) as f64, 0.02),
                        )
                    };
                    with_counts(row, i, p, platforms)
                })
                .collect();
            let name = TRIPLES[p];
            let mut report = report(name, rows);
            // Compared with a count baseline of the same build, but the last (see `with_counts`).
            report.count_reference = Some(if p + 1 == platforms {
                Reference::NoComparableBaseline {
                    candidates: Vec::new(),
                    record: RecordCommand {
                        invoked_as: "cargo xtask".to_owned(),
                        platform: TargetTriple::parse(name).unwrap(),
                        emulated: false,
                    },
                }
            } else {
                report.reference.clone()
            });
            report
        })
        .collect();
    common::merged(reports)
}

#[test]
fn large_markdown_stays_under_the_comment_limit() {
    let report = large(5_000, 8);
    let md = render_merged(&report, Format::Markdown, PLAIN).unwrap();
    assert!(md.len() <= MARKDOWN_LIMIT, "{}", md.len());
    assert!(md.chars().count() < 65_536);
    let rows = markdown_bench_rows(&md);
    assert!(rows.len() > 20 && rows.len() < 1_000, "{}", rows.len());
    // Worst first: the regressions come before the warnings.
    assert!(rows[0].contains("**regressed**"), "{}", rows[0]);
    // Every row shows the counts of every platform, the emulated one's unavailable.
    for row in &rows {
        assert_eq!(row.matches(" instr ").count(), 8, "{row}");
        assert_eq!(row.matches(" mem ").count(), 8, "{row}");
        assert_eq!(row.matches("instr unavailable \\[1\\]").count(), 1, "{row}");
    }
    assert!(md.contains(
        "\n- \\[1\\] instructions unavailable: not counted for an emulated target: valgrind cannot \
         run aarch64 binaries on this x86\\_64 machine (under qemu-user it would count qemu, not \
         the kernel)\n"
    ));
    let changed = report
        .benchmarks
        .iter()
        .filter(|r| r.worst != RowVerdict::Unchanged)
        .count();
    let unchanged = 5_000 - changed;
    assert!(md.contains(&format!(
        "\n{} of 5000 benchmarks listed, worst first: {unchanged} unchanged on every platform left out, {} more cut below.\n",
        rows.len(),
        changed - rows.len()
    )), "{}", &md[..2_000]);
    let cut_line = format!(
        "\n**{} more benchmarks cut here** to stay within GitHub's size limit for a comment; the HTML and JSON reports of this run list every one.\n",
        changed - rows.len()
    );
    assert!(md.contains(&cut_line));
    assert!(md.contains("\n5000 benchmarks on 8 platforms, 40000 results: 100 regressed, "));
}

#[test]
fn long_markdown_without_much_to_say_lists_only_the_changes() {
    // 100 benchmarks on 2 platforms: only the few with a warning or regression are listed.
    let report = large(100, 2);
    let md = render_merged(&report, Format::Markdown, PLAIN).unwrap();
    let rows = markdown_bench_rows(&md);
    let changed = report
        .benchmarks
        .iter()
        .filter(|r| r.worst != RowVerdict::Unchanged)
        .count();
    assert_eq!(rows.len(), changed, "{md}");
    assert!(md.contains(&format!(
        "\n{changed} of 100 benchmarks listed, worst first: {} unchanged on every platform left out.\n",
        100 - changed
    )), "{md}");
    assert!(!md.contains("cut here"));
}

#[test]
fn large_html_charts_at_most_the_largest_changes() {
    let report = large(1_000, 8);
    let html = render_merged(&report, Format::Html, PLAIN).unwrap();
    let groups = html.matches("<g>").count();
    assert_eq!(groups, MAX_CHARTED);
    assert!(html.contains(&format!(
        "Only the {MAX_CHARTED} benchmarks with the largest changes (of 1000 with a measured change) are charted"
    )));
    // The table lists every benchmark.
    assert_eq!(html.matches("<th scope=\"row\">").count(), 1_000);
}

#[test]
fn nothing_at_all_still_renders() {
    let report = merge(Vec::new(), &[], &[]).unwrap();
    for format in Format::ALL {
        let out = render_merged(&report, format, PLAIN).unwrap();
        assert!(
            out.ends_with('\n') && !out.ends_with("\n\n"),
            "{format}: {out:?}"
        );
    }
    insta::assert_snapshot!("merged_nothing", common::every_merged_rendering(&report));
}

// Arbitrary merged reports, consistent or not (cells per row need not match the columns): every
// format renders, the plain table has no escape byte and one line per benchmark, the Markdown
// stays under its limit, and the HTML opens no tag from the data.

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 96,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn any_merged_report_renders(report in any_merged()) {
        for format in Format::ALL {
            for style in [PLAIN, COLOR] {
                prop_assert!(render_merged(&report, format, style).is_ok());
            }
        }
        let table = render_merged(&report, Format::Table, PLAIN).unwrap();
        prop_assert!(!table.contains('\x1b'));
        prop_assert_eq!(table_body(&table).len(), 2 + report.benchmarks.len().max(1));
        let md = render_merged(&report, Format::Markdown, PLAIN).unwrap();
        prop_assert!(md.len() <= MARKDOWN_LIMIT);
        prop_assert_eq!(markdown_bench_rows(&md).len(), report.benchmarks.len());
        let html = render_merged(&report, Format::Html, PLAIN).unwrap();
        prop_assert!(!html.contains("<script"));
        if html.contains("<svg class=\"chart\"") {
            for n in svg_numbers(&html) {
                prop_assert!(n.parse::<f64>().is_ok_and(f64::is_finite), "{}", n);
            }
        }
    }
}
