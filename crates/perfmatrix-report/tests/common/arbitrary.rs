//! Arbitrary reports for the property tests: any strings (markup and control characters
//! included), any numbers (NaN and infinities included), and counts, outcomes and cells that
//! need not agree with the rows.

use perfmatrix_model::{
    BenchmarkId, Cause, CountRow, DifferingField, Events, FlameNode, FunctionChange, FunctionDiff,
    IncomparableBaseline, MergedOutcome, MergedReport, MergedRow, Method, Metric, PairedBecause,
    PairedRow, Pairing, PlatformNote, PlatformRow, PlatformStatus, RecordCommand, Reference,
    Report, Revision, Row, RowVerdict, Simulated, SkipReason, Tally, TargetTriple,
};
use perfmatrix_stats::Interval;
use proptest::prelude::*;

use super::interval;

/// Any string: ids and paths as they look, markup and Markdown characters, any Unicode, empty.
pub fn any_string() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z0-9/_.|`*<>\"'&\\-]{0,24}",
        any::<String>(),
        Just(String::new()),
        Just("<script>".to_owned()),
    ]
}

/// Any benchmark id: any string a [`BenchmarkId`] accepts (markup, quotes, bidirectional
/// overrides and any other printable character included).
pub fn any_id() -> impl Strategy<Value = BenchmarkId> {
    prop_oneof![
        "[a-z0-9/_.|`*<>\"'&\\-]{1,24}",
        any::<String>(),
        Just("<script>".to_owned()),
        Just("a\u{202E}b/c".to_owned()),
    ]
    .prop_filter_map("not a benchmark id", |id| BenchmarkId::new(id).ok())
}

/// Any platform: a target triple (target-lexicon parses only known vendors, so a triple holds no
/// markup or control character).
pub fn any_triple() -> impl Strategy<Value = TargetTriple> {
    prop::sample::select(vec![
        "x86_64-unknown-linux-gnu",
        "aarch64-unknown-linux-gnu",
        "aarch64-apple-darwin",
        "x86_64-pc-windows-msvc",
        "riscv64gc-unknown-linux-gnu",
    ])
    .prop_map(|t| TargetTriple::parse(t).unwrap())
}

/// Any float: NaN, the infinities, zero, and ordinary changes and medians.
pub fn any_float() -> BoxedStrategy<f64> {
    prop_oneof![
        prop::num::f64::ANY,
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        Just(0.0),
        -2.0..5.0,
        0.0..1e10,
    ]
    .boxed()
}

/// Any finite float, for what must round-trip through JSON.
pub fn finite_float() -> BoxedStrategy<f64> {
    prop_oneof![
        prop::num::f64::NORMAL | prop::num::f64::SUBNORMAL | prop::num::f64::ZERO,
        0.0..1e10,
    ]
    .boxed()
}

/// Interval bounds may be infinite, never NaN.
fn not_nan(floats: BoxedStrategy<f64>) -> BoxedStrategy<f64> {
    floats
        .prop_filter("interval bounds are not NaN", |f| !f.is_nan())
        .boxed()
}

fn any_interval(floats: BoxedStrategy<f64>) -> impl Strategy<Value = Interval> {
    (floats.clone(), floats.clone(), floats).prop_map(|(a, b, c)| {
        let mut v = [a, b, c];
        v.sort_by(f64::total_cmp);
        interval(v[0], v[1], v[2])
    })
}

/// Any verdict.
pub fn any_verdict() -> impl Strategy<Value = RowVerdict> {
    prop_oneof![
        Just(RowVerdict::Improved),
        Just(RowVerdict::Unchanged),
        Just(RowVerdict::Inconclusive),
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

/// Any tally, consistent with nothing.
pub fn any_tally() -> impl Strategy<Value = Tally> {
    prop::array::uniform9(any::<usize>()).prop_map(|c| Tally {
        improved: c[0],
        unchanged: c[1],
        inconclusive: c[8],
        unavailable: c[7],
        no_baseline: c[2],
        new: c[3],
        missing: c[4],
        warning: c[5],
        regressed: c[6],
    })
}

/// Any count, consistent or not (a value beside `unavailable`, a change without values),
/// with changes from `floats` and reasons from `reasons` (the counting run's own words).
pub fn any_counts(
    floats: BoxedStrategy<f64>,
    reasons: BoxedStrategy<String>,
) -> impl Strategy<Value = Option<CountRow>> {
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
            .prop_map(|(verdict, new, base, change, said)| CountRow {
                verdict,
                new,
                base,
                change,
                note: said.map(|said| {
                    perfmatrix_model::CountNote::Unmeasured(
                        perfmatrix_model::Unmeasured::NoPeakMemory { said: Some(said) },
                    )
                }),
            }),
    )
}

fn any_paired() -> impl Strategy<Value = Option<PairedRow>> {
    let method = prop_oneof![Just(Method::Interleaved), Just(Method::WholeRuns)];
    proptest::option::of(
        (
            method,
            any::<usize>(),
            any::<usize>(),
            proptest::option::of(any::<u64>()),
            any::<bool>(),
        )
            .prop_map(
                |(method, pairs, samples_per_pair, iterations_per_sample, budget_limited)| {
                    PairedRow {
                        method,
                        pairs,
                        samples_per_pair,
                        iterations_per_sample,
                        budget_limited,
                    }
                },
            ),
    )
}

fn any_events() -> impl Strategy<Value = Events> {
    let sim = (any::<u64>(), any::<u64>(), any::<u64>(), any::<u64>()).prop_map(
        |(l1_misses, ll_misses, branches, mispredicts)| Simulated {
            l1_misses,
            ll_misses,
            branches,
            mispredicts,
        },
    );
    (any::<u64>(), proptest::option::of(sim)).prop_map(|(ir, sim)| Events { ir, sim })
}

/// Any function-by-function difference, consistent or not.
fn any_functions() -> impl Strategy<Value = Option<FunctionDiff>> {
    let cause = prop_oneof![
        Just(Cause::Instructions),
        Just(Cause::Memory),
        Just(Cause::Branches),
        Just(Cause::Execution),
        Just(Cause::Unknown),
    ];
    let function = (
        any_string(),
        any_events(),
        any_events(),
        any::<u64>(),
        any::<u64>(),
    )
        .prop_map(
            |(name, head, base, head_inclusive_ir, base_inclusive_ir)| FunctionChange {
                name,
                head,
                base,
                head_inclusive_ir,
                base_inclusive_ir,
            },
        );
    let leaf =
        (any_string(), any::<u64>(), any::<u64>()).prop_map(|(name, head_ir, base_ir)| FlameNode {
            name,
            head_ir,
            base_ir,
            children: Vec::new(),
        });
    let flame = (
        any_string(),
        any::<u64>(),
        any::<u64>(),
        prop::collection::vec(leaf, 0..3),
    )
        .prop_map(|(name, head_ir, base_ir, children)| FlameNode {
            name,
            head_ir,
            base_ir,
            children,
        });
    proptest::option::of(
        (
            cause,
            any_events(),
            any_events(),
            prop::collection::vec(function, 0..4),
            any::<usize>(),
            proptest::option::of(flame),
        )
            .prop_map(
                |(cause, head, base, functions, moved, flame)| FunctionDiff {
                    cause,
                    head,
                    base,
                    functions,
                    moved,
                    flame,
                },
            ),
    )
}

/// Any row, its numbers from `floats`.
pub fn any_row(floats: BoxedStrategy<f64>) -> impl Strategy<Value = Row> {
    let change = proptest::option::of(any_interval(not_nan(floats.clone())));
    let counts = (
        any_counts(floats.clone(), any_string().boxed()),
        any_counts(floats.clone(), any_string().boxed()),
    );
    let f = move || proptest::option::of(floats.clone());
    (
        any_id(),
        (any_verdict(), any_verdict(), any_metric(), any::<bool>()),
        (f(), f(), change),
        (f(), f(), f(), f(), f()),
        counts,
        (any_paired(), any_functions()),
    )
        .prop_map(
            |(
                id,
                (verdict, time_verdict, decided_by, remeasured),
                (new, base, change),
                (p, noise, warn, fail, mde),
                (instructions, peak_memory),
                (paired, functions),
            )| Row {
                id,
                verdict,
                new_median_ns: new,
                base_median_ns: base,
                change,
                p_value: p,
                noise,
                warn,
                fail,
                minimum_detectable_effect: mde,
                remeasured,
                time_verdict,
                instructions,
                peak_memory,
                decided_by,
                functions,
                paired,
            },
        )
}

/// Any command that records a baseline, its parts any strings.
fn any_record() -> impl Strategy<Value = RecordCommand> {
    (any_string(), any_triple(), any::<bool>()).prop_map(|(invoked_as, platform, emulated)| {
        RecordCommand {
            invoked_as,
            platform,
            emulated,
        }
    })
}

/// Any reason to pair with a base, its strings any strings.
fn any_because() -> impl Strategy<Value = PairedBecause> {
    prop_oneof![
        any_string().prop_map(|rev| PairedBecause::Against { rev }),
        Just(PairedBecause::UncommittedChanges),
        (any_string(), any::<usize>())
            .prop_map(|(branch, commits)| PairedBecause::AheadOfDefault { branch, commits }),
        Just(PairedBecause::FirstParent),
    ]
}

/// Any sampling of a paired run, its numbers any numbers.
fn any_pairing() -> impl Strategy<Value = Pairing> {
    (
        any::<usize>(),
        any::<usize>(),
        proptest::option::of(any::<usize>()),
        any::<usize>(),
    )
        .prop_map(
            |(fewest_pairs, most_pairs, interleaved_samples, whole_runs)| Pairing {
                fewest_pairs,
                most_pairs,
                interleaved_samples,
                whole_runs,
            },
        )
}

/// Any reference: a selected baseline, none comparable with candidates, or a base commit.
pub fn any_reference() -> impl Strategy<Value = Reference> {
    let diff = (any_string(), any_string(), any_string()).prop_map(|(field, run, baseline)| {
        DifferingField {
            field,
            run,
            baseline,
        }
    });
    let candidate = (
        any_string(),
        any_string(),
        prop::collection::vec(diff, 0..3),
    )
        .prop_map(|(path, slug, differing)| IncomparableBaseline {
            path,
            slug,
            differing,
        });
    prop_oneof![
        (any_string(), any_string(), any_string(), any::<usize>()).prop_map(
            |(path, slug, commit, runs)| Reference::Baseline {
                path,
                slug,
                commit,
                runs,
            }
        ),
        (prop::collection::vec(candidate, 0..3), any_record()).prop_map(|(candidates, record)| {
            Reference::NoComparableBaseline { candidates, record }
        }),
        (
            any_string(),
            any_string(),
            any::<bool>(),
            any_because(),
            proptest::option::of(any::<u64>())
        )
            .prop_map(|(name, commit, dirty, why, budget_seconds)| {
                Reference::BaseCommit {
                    head: Revision {
                        name: "working tree".to_owned(),
                        commit: commit.clone(),
                        dirty,
                    },
                    base: Revision {
                        name,
                        commit,
                        dirty: false,
                    },
                    why,
                    criterion_layer: None,
                    settings_changed: Vec::new(),
                    budget_seconds,
                }
            }),
    ]
}

/// Any report of one platform, its numbers from `floats`, its ids possibly twice.
pub fn any_report(floats: BoxedStrategy<f64>) -> impl Strategy<Value = Report> {
    (
        (
            any_string(),
            any::<u32>(),
            any_triple(),
            any_string(),
            any_string(),
            any_string(),
        ),
        (
            proptest::option::of(any_string()),
            any::<bool>(),
            any_reference(),
            proptest::option::of(any_reference()),
            any::<bool>(),
        ),
        prop::collection::vec(any_row(floats), 0..6),
        prop::collection::vec(
            (any_string(), any_string()).prop_map(|(id, error)| perfmatrix_model::FailedBench {
                id: perfmatrix_model::BenchmarkId::new(id)
                    .unwrap_or_else(|_| perfmatrix_model::BenchmarkId::new("x").unwrap()),
                error,
            }),
            0..3,
        ),
    )
        .prop_map(
            |(
                (schema, version, platform, fingerprint_slug, fingerprint_id, cpu),
                (emulated, quick, reference, count_reference, time_gated),
                rows,
                failed,
            )| Report {
                schema,
                version,
                platform,
                fingerprint_slug,
                fingerprint_id,
                cpu,
                emulated,
                quick,
                reference,
                count_reference,
                time_gated,
                rows,
                failed,
            },
        )
}

fn any_status() -> impl Strategy<Value = PlatformStatus> {
    prop_oneof![
        Just(PlatformStatus::Pass),
        Just(PlatformStatus::NoComparableBaseline),
        Just(PlatformStatus::Skipped),
        Just(PlatformStatus::Missing),
        Just(PlatformStatus::Incomplete),
        Just(PlatformStatus::Unjudged),
        Just(PlatformStatus::Fail),
    ]
}

/// Any reason to skip a leg.
fn any_skip_reason() -> impl Strategy<Value = SkipReason> {
    prop_oneof![
        any_triple().prop_map(|host| SkipReason::NotEmulable { host }),
        (any::<bool>(), any::<bool>(), any::<bool>()).prop_map(
            |(compiler, emulator, rust_target)| SkipReason::CrossToolsMissing {
                compiler,
                emulator,
                rust_target,
            }
        ),
        Just(SkipReason::NoRunner),
    ]
}

/// Any note of a platform row, the ones that carry text with any text.
fn any_note() -> impl Strategy<Value = PlatformNote> {
    prop_oneof![
        any_skip_reason().prop_map(|reason| PlatformNote::Skipped { reason }),
        proptest::option::of(any_pairing()).prop_map(|pairing| PlatformNote::Paired { pairing }),
        any_record().prop_map(|record| PlatformNote::NoComparableBaseline { record }),
        Just(PlatformNote::NoResults),
        Just(PlatformNote::QuickRun),
    ]
}

fn any_platform() -> impl Strategy<Value = PlatformRow> {
    let text = || proptest::option::of(any_string());
    let choice = || proptest::option::of(any_reference());
    (
        (
            any_triple(),
            any_status(),
            any::<bool>(),
            any::<bool>(),
            any::<bool>(),
            any::<bool>(),
        ),
        (text(), text(), text(), text(), text()),
        prop::collection::vec(any_note(), 0..3),
        (choice(), choice()),
        proptest::option::of(any_tally()),
        proptest::option::of(0..4_usize),
    )
        .prop_map(
            |(
                (platform, status, required, fails, quick, time_gated),
                (source, slug, fingerprint_id, cpu, emulated),
                notes,
                (reference, count_reference),
                tally,
                column,
            )| PlatformRow {
                platform,
                status,
                required,
                fails,
                source,
                fingerprint_slug: slug,
                fingerprint_id,
                cpu,
                emulated,
                quick,
                reference,
                count_reference,
                time_gated,
                tally,
                notes,
                column,
            },
        )
}

/// Any merged report, consistent or not: cells per row need not match the columns, nor the
/// platforms their cells.
pub fn any_merged() -> impl Strategy<Value = MergedReport> {
    let row = (
        any_id(),
        prop::collection::vec(proptest::option::of(any_row(any_float())), 0..5),
        any_verdict(),
    )
        .prop_map(|(id, cells, worst)| MergedRow { id, cells, worst });
    (
        prop_oneof![
            Just(MergedOutcome::Pass),
            Just(MergedOutcome::Fail),
            Just(MergedOutcome::NoComparableBaseline)
        ],
        prop::collection::vec(any_platform(), 0..4),
        prop::collection::vec(any_triple(), 0..4),
        prop::collection::vec(row, 0..6),
        any_tally(),
    )
        .prop_map(
            |(outcome, platforms, columns, benchmarks, tally)| MergedReport {
                schema: "perfmatrix-merged-report".to_owned(),
                version: 1,
                outcome,
                platforms,
                columns,
                benchmarks,
                tally,
            },
        )
}
