//! The words of a platform's row: the baseline its leg was compared with, in one line, and
//! what the row says beside its verdict (the model's [`PlatformNote`]s), joined by `; `.

use perfmatrix_model::{
    CriterionLayer, PlatformNote, PlatformRow, Reference, TimeBudget, short_commit,
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
    let words: Vec<String> = row.notes.iter().map(words).collect();
    (!words.is_empty()).then(|| words.join("; "))
}

/// One note in words.
fn words(note: &PlatformNote) -> String {
    match note {
        PlatformNote::Skipped { reason } => reason.clone(),
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

    #[test]
    fn a_budget_note_names_five_and_counts_the_rest() {
        let budget = |limited| {
            words(&PlatformNote::Budget {
                seconds: 1200,
                limited,
            })
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
            words(&PlatformNote::Budget {
                seconds: 0,
                limited: Vec::new()
            })
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
