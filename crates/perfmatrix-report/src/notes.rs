//! The words of a platform's row: the baseline its leg was compared with, in one line, and
//! what the row says beside its verdict (the model's [`PlatformNote`]s), joined by `; `.

use perfmatrix_model::{
    CriterionLayer, CrossTools, EMULATOR_PACKAGE, PlatformNote, PlatformRow, Reference, SkipReason,
    TargetTriple, TimeBudget, short_commit,
};

use crate::reference::{pairing_line, record_line};

/// How many ids a note names before it counts the rest.
const NAMED: usize = 5;

/// The baseline `row`'s leg was compared with, in one line: the file, or the paired commits;
/// `None` when there was none.
pub(crate) fn baseline_line(row: &PlatformRow) -> Option<String> {
    match row.reference.as_ref()? {
        Reference::Baseline { path, .. } => Some(path.clone()),
        Reference::NoComparableBaseline { .. } => None,
        Reference::BaseCommit { base, head, .. } => Some(format!(
            "paired: head {}{} vs base {} ({})",
            short_commit(&head.commit),
            if head.dirty { "+changes" } else { "" },
            short_commit(&base.commit),
            base.name
        )),
    }
}

/// Every note of `row` in its order, joined by `; `; `None` when it has none.
pub(crate) fn note_line(row: &PlatformRow) -> Option<String> {
    let words: Vec<String> = row.notes.iter().map(|n| words(&row.platform, n)).collect();
    (!words.is_empty()).then(|| words.join("; "))
}

/// Why the local rehearsal skips `triple`'s leg, and what to install or add so it runs.
#[must_use]
pub fn skip_reason(triple: &TargetTriple, reason: &SkipReason) -> String {
    let cross = CrossTools::of(triple);
    match reason {
        SkipReason::NotEmulable { host } => format!(
            "{triple} cannot be emulated on {host}: only Linux targets run under qemu-user here; \
             its leg runs on its own CI runner"
        ),
        SkipReason::CrossToolsMissing {
            compiler,
            emulator,
            rust_target,
        } => {
            let mut packages = Vec::new();
            if *compiler {
                packages.extend(cross.compiler_packages());
            }
            if *emulator {
                packages.push(EMULATOR_PACKAGE.to_owned());
            }
            let mut install = Vec::new();
            if !packages.is_empty() {
                install.push(format!("`sudo apt-get install {}`", packages.join(" ")));
            }
            if *rust_target {
                install.push(format!("`rustup target add {triple}`"));
            }
            format!(
                "the cross tools for {triple} are not installed here; install them with {}",
                install.join(" and ")
            )
        }
        SkipReason::NoRunner => format!(
            "no runner for {triple} in .cargo/config.toml: add `[target.{triple}]` with `linker = \
             \"{}\"` and `runner = [\"{}\", \"-L\", \"{}\"]`",
            cross.compiler(),
            cross.emulator(),
            cross.sysroot()
        ),
    }
}

/// One note of `platform`'s row in words.
fn words(platform: &TargetTriple, note: &PlatformNote) -> String {
    match note {
        PlatformNote::Skipped { reason } => skip_reason(platform, reason),
        PlatformNote::NoResults => {
            "no results file for this platform: did its leg run and upload its results?".to_owned()
        }
        PlatformNote::StoppedBeforeVerdict => {
            "the leg measured but stopped before its verdict (see the leg's log)".to_owned()
        }
        PlatformNote::NoComparableBaseline { record } => {
            format!(
                "no comparable baseline; record one with `{}`",
                record_line(record)
            )
        }
        PlatformNote::QuickRun => {
            "a --quick smoke run, which never passes a required platform: run the full suite"
                .to_owned()
        }
        PlatformNote::TimeWarnsOnly => "committed baseline (runs at different times, possibly \
                                        on other hosts): wall time warns only; instruction \
                                        tally and peak memory gate"
            .to_owned(),
        PlatformNote::Paired { pairing } => format!(
            "measured against its base on the same runner: {}",
            pairing_line(pairing.as_ref())
        ),
        PlatformNote::SettingsNotApplied { changes } => {
            let changes: Vec<String> = changes
                .iter()
                .map(|c| format!("{} {} → {}", c.key, c.base, c.head))
                .collect();
            format!(
                "head changes gate settings, not applied (the base commit's judge the run): {}",
                changes.join(", ")
            )
        }
        PlatformNote::CriterionLayer {
            layer: CriterionLayer::Used { criterion },
        } => format!(
            "plain criterion benchmarks built against perfmatrix's criterion layer (in place of \
             criterion {criterion}): sampled interleaved and counted"
        ),
        PlatformNote::CriterionLayer {
            layer: CriterionLayer::NotUsed { side, why },
        } => format!(
            "plain criterion benchmarks measured with criterion itself, in whole runs: {}",
            crate::reference::layer_not_used_line(*side, why)
        ),
        PlatformNote::Budget { seconds, limited } => {
            let budget = TimeBudget::from_seconds(*seconds)
                .map_or_else(|| format!("{seconds}s"), |b| b.to_string());
            if limited.is_empty() {
                format!("measured within a time budget of {budget}: it left no benchmark undecided")
            } else {
                format!(
                    "the time budget of {budget} left {} benchmark(s) undecided, their precision \
                     limited (more pairs would have narrowed their intervals): {}",
                    limited.len(),
                    named(limited.iter().map(perfmatrix_model::BenchmarkId::as_str))
                )
            }
        }
        PlatformNote::MissingShards {
            missing,
            count,
            benchmarks,
        } => {
            let missing: Vec<String> = missing.iter().map(|k| format!("{k}/{count}")).collect();
            format!(
                "shard(s) {} sent no results: their {benchmarks} benchmark(s) are missing",
                missing.join(", ")
            )
        }
        PlatformNote::FailedBenchmarks { ids } => format!(
            "{} benchmark(s) failed (a panic or a hang; the leg's log says why) and have no \
             verdict: {}",
            ids.len(),
            named(ids.iter().map(perfmatrix_model::BenchmarkId::as_str))
        ),
    }
}

/// The first [`NAMED`] of `ids` in backquotes, then how many more, joined by `, `.
fn named<'a>(ids: impl ExactSizeIterator<Item = &'a str>) -> String {
    let len = ids.len();
    let mut named: Vec<String> = ids.take(NAMED).map(|id| format!("`{id}`")).collect();
    if len > NAMED {
        named.push(format!("{} more", len - NAMED));
    }
    named.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(n: usize) -> Vec<perfmatrix_model::BenchmarkId> {
        (1..=n)
            .map(|i| perfmatrix_model::BenchmarkId::new(format!("b/{i}")).unwrap())
            .collect()
    }

    fn x86() -> TargetTriple {
        TargetTriple::parse("x86_64-unknown-linux-gnu").unwrap()
    }

    /// The words `matrix run` wrote when its plan held them, for every reason.
    #[test]
    fn every_skip_reason_reads_as_it_did_when_the_plan_held_words() {
        let arm = TargetTriple::parse("aarch64-unknown-linux-gnu").unwrap();
        let mac = TargetTriple::parse("aarch64-apple-darwin").unwrap();
        let missing = |compiler, emulator, rust_target| {
            skip_reason(
                &arm,
                &SkipReason::CrossToolsMissing {
                    compiler,
                    emulator,
                    rust_target,
                },
            )
        };
        assert_eq!(
            skip_reason(&mac, &SkipReason::NotEmulable { host: x86() }),
            "aarch64-apple-darwin cannot be emulated on x86_64-unknown-linux-gnu: only Linux \
             targets run under qemu-user here; its leg runs on its own CI runner"
        );
        assert_eq!(
            missing(true, true, true),
            "the cross tools for aarch64-unknown-linux-gnu are not installed here; install them \
             with `sudo apt-get install gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user` \
             and `rustup target add aarch64-unknown-linux-gnu`"
        );
        assert_eq!(
            missing(false, true, false),
            "the cross tools for aarch64-unknown-linux-gnu are not installed here; install them \
             with `sudo apt-get install qemu-user`"
        );
        assert_eq!(
            missing(false, false, true),
            "the cross tools for aarch64-unknown-linux-gnu are not installed here; install them \
             with `rustup target add aarch64-unknown-linux-gnu`"
        );
        assert_eq!(
            skip_reason(&arm, &SkipReason::NoRunner),
            "no runner for aarch64-unknown-linux-gnu in .cargo/config.toml: add \
             `[target.aarch64-unknown-linux-gnu]` with `linker = \"aarch64-linux-gnu-gcc\"` and \
             `runner = [\"qemu-aarch64\", \"-L\", \"/usr/aarch64-linux-gnu\"]`"
        );
    }

    #[test]
    fn a_budget_note_names_five_and_counts_the_rest() {
        let budget = |limited| {
            words(
                &x86(),
                &PlatformNote::Budget {
                    seconds: 1200,
                    limited,
                },
            )
        };
        assert_eq!(
            budget(Vec::new()),
            "measured within a time budget of 20m: it left no benchmark undecided"
        );
        assert_eq!(
            budget(ids(7)),
            "the time budget of 20m left 7 benchmark(s) undecided, their precision limited \
             (more pairs would have narrowed their intervals): `b/1`, `b/2`, `b/3`, `b/4`, \
             `b/5`, 2 more"
        );
        // Seconds no budget setting can hold are still shown.
        assert!(
            words(
                &x86(),
                &PlatformNote::Budget {
                    seconds: 0,
                    limited: Vec::new()
                }
            )
            .contains("a time budget of 0s")
        );
    }

    #[test]
    fn notes_join_in_their_order() {
        let failed = PlatformNote::FailedBenchmarks {
            ids: vec![perfmatrix_model::BenchmarkId::new("b/hang").unwrap()],
        };
        let shards = PlatformNote::MissingShards {
            missing: vec![2, 3],
            count: 4,
            benchmarks: 51,
        };
        let row = PlatformRow {
            notes: vec![PlatformNote::QuickRun, shards, failed],
            ..serde_json::from_str(
                r#"{"platform":"x86_64-unknown-linux-gnu","status":"incomplete","required":true,"fails":true,
                    "source":null,"fingerprint_slug":null,"emulated":null,"quick":true,
                    "tally":null,"column":null}"#,
            )
            .unwrap()
        };
        assert_eq!(
            note_line(&row).unwrap(),
            "a --quick smoke run, which never passes a required platform: run the full suite; \
             shard(s) 2/4, 3/4 sent no results: their 51 benchmark(s) are missing; 1 \
             benchmark(s) failed (a panic or a hang; the leg's log says why) and have no \
             verdict: `b/hang`"
        );
        assert_eq!(baseline_line(&row), None);
        assert_eq!(
            note_line(&PlatformRow {
                notes: Vec::new(),
                ..row
            }),
            None
        );
    }
}
