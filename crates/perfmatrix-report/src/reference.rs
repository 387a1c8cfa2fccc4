//! The words of what a report was judged against (`perfmatrix_model::Reference`): why a baseline
//! was selected, the command that records one, why a paired run measured against its base and
//! how it sampled; and [`ReferenceView`], the reference with those words, as the JSON and the
//! templates show it.

use perfmatrix_model::{
    BuildSide, CriterionLayer, IncomparableBaseline, LayerUnusable, PairedBecause, Pairing,
    PlatformNote, PlatformRow, RecordCommand, Reference, Revision, SettingChange,
};
use serde::Serialize;

use crate::text::printable;

/// Which metrics a reference judged, which decides why its baseline was chosen.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Role<'a> {
    /// Wall time, judged against a baseline of the run's machine class (this comparability
    /// key's id).
    Time {
        /// The run's comparability key id.
        key_id: &'a str,
    },
    /// Instruction counts and peak memory, judged against a baseline of the same build.
    Counts,
}

/// Why a baseline file was selected for `role`.
fn selected_because(role: Role<'_>) -> String {
    match role {
        Role::Time { key_id } => format!(
            "recorded on the same machine class (comparability key {key_id}: target, CPU model, \
             SIMD features, kernel variants, cores, emulation all equal)"
        ),
        Role::Counts => "recorded from the same build (target, kernel variants, compilers, \
                         flags, emulation all equal; the CPU model may differ: it changes how \
                         long an instruction takes, not how many there are)"
            .to_owned(),
    }
}

/// The command line `record` stands for.
pub(crate) fn record_line(record: &RecordCommand) -> String {
    format!(
        "{} update-baselines --platform {}{}",
        record.invoked_as,
        record.platform,
        if record.emulated { " --emulated" } else { "" }
    )
}

/// Why a paired run measured against its base, in words (`--against origin/main`, "the working
/// tree has uncommitted changes, so they are measured against HEAD").
#[must_use]
pub fn because_line(why: &PairedBecause) -> String {
    match why {
        PairedBecause::Against { rev } => format!("--against {rev}"),
        PairedBecause::UncommittedChanges => {
            "the working tree has uncommitted changes, so they are measured against HEAD".to_owned()
        }
        PairedBecause::AheadOfDefault { branch, commits } => format!(
            "the branch is {commits} commit(s) ahead of {branch}, so it is measured against \
             their merge base"
        ),
        PairedBecause::FirstParent => "a clean checkout with nothing ahead of the default \
                                       branch, so HEAD is measured against its first parent, \
                                       as CI measures a push (--committed compares with the \
                                       committed baselines instead)"
            .to_owned(),
    }
}

/// Why the criterion layer could not stand in, in words.
#[must_use]
pub fn unusable_line(why: &LayerUnusable) -> String {
    match why {
        LayerUnusable::LockUnreadable { path } => {
            format!("{path} cannot be read, so the criterion version is unknown")
        }
        LayerUnusable::NoCriterion => "the base commit's Cargo.lock holds no criterion".to_owned(),
        LayerUnusable::SeveralVersions { versions } => format!(
            "Cargo.lock holds several criterion versions ({}); the layer stands in for one",
            versions.join(", ")
        ),
        LayerUnusable::DoesNotCompile { error } => error.clone(),
        LayerUnusable::BuildFailed { status } => {
            format!("cargo could not build them against it ({status})")
        }
    }
}

fn side_name(side: BuildSide) -> &'static str {
    match side {
        BuildSide::Head => "head",
        BuildSide::Base => "base",
    }
}

/// Why the criterion layer did not stand in on `side`, as the report says it ("base: …").
pub(crate) fn layer_not_used_line(side: BuildSide, why: &LayerUnusable) -> String {
    format!("{}: {}", side_name(side), unusable_line(why))
}

/// The progress line of a build that falls back from the criterion layer to criterion itself.
#[must_use]
pub fn layer_fell_back(side: BuildSide, why: &LayerUnusable) -> String {
    format!(
        "the {} build's plain criterion benchmarks are measured with criterion itself, in whole \
         runs: {}",
        side_name(side),
        unusable_line(why)
    )
}

/// How a paired run built its plain criterion benchmarks, as the JSON and the templates show
/// it: tagged by `status`, with why the layer was not used in words.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub(crate) enum LayerView {
    /// Both sides were built against the layer.
    Used { criterion: String },
    /// Criterion itself built them, on at least one side, for this reason.
    NotUsed { reason: String },
}

impl LayerView {
    pub(crate) fn of(layer: &CriterionLayer) -> Self {
        match layer {
            CriterionLayer::Used { criterion } => LayerView::Used {
                criterion: criterion.clone(),
            },
            CriterionLayer::NotUsed { side, why } => LayerView::NotUsed {
                reason: layer_not_used_line(*side, why),
            },
        }
    }
}

/// How a paired run sampled: "6–12 process pairs × 30 interleaved samples".
pub(crate) fn pairing_line(pairing: Option<&Pairing>) -> String {
    let Some(p) = pairing else {
        return "no benchmark on both sides".to_owned();
    };
    let pairs = if p.fewest_pairs == p.most_pairs {
        p.fewest_pairs.to_string()
    } else {
        format!("{}–{}", p.fewest_pairs, p.most_pairs)
    };
    match p.interleaved_samples {
        Some(samples) if p.whole_runs > 0 => format!(
            "{pairs} process pairs × {samples} interleaved samples; {} benchmark(s) off the \
             harness as alternated whole criterion runs (coarser)",
            p.whole_runs
        ),
        Some(samples) => format!("{pairs} process pairs × {samples} interleaved samples"),
        None => format!("{pairs} alternated pairs of whole criterion runs"),
    }
}

/// How `row`'s leg sampled, when it was a paired run (its [`PlatformNote::Paired`]).
pub(crate) fn pairing_of(row: &PlatformRow) -> Option<&Pairing> {
    row.notes.iter().find_map(|note| match note {
        PlatformNote::Paired { pairing } => pairing.as_ref(),
        _ => None,
    })
}

/// A reference with its reasons in words: the JSON form of a report's `baseline` and
/// `count_baseline`, and what the templates read (`b.why`, `b.samples`, `b.how_to_record`).
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "status")]
pub(crate) enum ReferenceView {
    /// A committed baseline file, and why it was selected.
    #[serde(rename = "selected")]
    Selected {
        path: String,
        slug: String,
        commit: String,
        runs: usize,
        why: String,
    },
    /// No comparable baseline: the nearest files, and the command that records one.
    #[serde(rename = "no-comparable")]
    NoComparable {
        candidates: Vec<IncomparableBaseline>,
        how_to_record: String,
    },
    /// A paired run's base commit, why it was chosen and how the run sampled.
    #[serde(rename = "paired")]
    Paired {
        head: Revision,
        base: Revision,
        why: String,
        samples: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        criterion_layer: Option<LayerView>,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        settings_changed: Vec<SettingChange>,
        #[serde(skip_serializing_if = "Option::is_none")]
        budget_seconds: Option<u64>,
    },
}

impl ReferenceView {
    /// `reference` in words, judging `role`'s metrics; `pairing` is how a paired run sampled.
    pub(crate) fn of(reference: &Reference, role: Role<'_>, pairing: Option<&Pairing>) -> Self {
        match reference {
            Reference::Baseline {
                path,
                slug,
                commit,
                runs,
            } => ReferenceView::Selected {
                path: path.clone(),
                slug: slug.clone(),
                commit: commit.clone(),
                runs: *runs,
                why: selected_because(role),
            },
            Reference::NoComparableBaseline { candidates, record } => ReferenceView::NoComparable {
                candidates: candidates.clone(),
                how_to_record: record_line(record),
            },
            Reference::BaseCommit {
                head,
                base,
                why,
                criterion_layer,
                settings_changed,
                budget_seconds,
            } => ReferenceView::Paired {
                head: head.clone(),
                base: base.clone(),
                why: because_line(why),
                samples: pairing_line(pairing),
                criterion_layer: criterion_layer.as_ref().map(LayerView::of),
                settings_changed: settings_changed.clone(),
                budget_seconds: *budget_seconds,
            },
        }
    }

    /// The wall-time and the count reference of a platform's row, in words.
    pub(crate) fn of_row(row: &PlatformRow) -> (Option<Self>, Option<Self>) {
        let time = Role::Time {
            key_id: row.fingerprint_id.as_deref().unwrap_or_default(),
        };
        let pairing = pairing_of(row);
        (
            row.reference.as_ref().map(|r| Self::of(r, time, pairing)),
            row.count_reference
                .as_ref()
                .map(|r| Self::of(r, Role::Counts, pairing)),
        )
    }

    /// The same with [`printable`] applied to every string in it.
    pub(crate) fn printable(self) -> Self {
        let text = |s: String| printable(&s);
        match self {
            ReferenceView::Selected {
                path,
                slug,
                commit,
                runs,
                why,
            } => ReferenceView::Selected {
                path: text(path),
                slug: text(slug),
                commit: text(commit),
                runs,
                why: text(why),
            },
            ReferenceView::NoComparable {
                candidates,
                how_to_record,
            } => ReferenceView::NoComparable {
                candidates: candidates
                    .into_iter()
                    .map(|c| IncomparableBaseline {
                        path: text(c.path),
                        slug: text(c.slug),
                        differing: c
                            .differing
                            .into_iter()
                            .map(|d| perfmatrix_model::DifferingField {
                                field: text(d.field),
                                run: text(d.run),
                                baseline: text(d.baseline),
                            })
                            .collect(),
                    })
                    .collect(),
                how_to_record: text(how_to_record),
            },
            ReferenceView::Paired {
                head,
                base,
                why,
                samples,
                criterion_layer,
                settings_changed,
                budget_seconds,
            } => {
                let revision = |r: Revision| Revision {
                    name: text(r.name),
                    commit: text(r.commit),
                    dirty: r.dirty,
                };
                ReferenceView::Paired {
                    head: revision(head),
                    base: revision(base),
                    why: text(why),
                    samples: text(samples),
                    criterion_layer: criterion_layer.map(|layer| match layer {
                        LayerView::Used { criterion } => LayerView::Used {
                            criterion: text(criterion),
                        },
                        LayerView::NotUsed { reason } => LayerView::NotUsed {
                            reason: text(reason),
                        },
                    }),
                    settings_changed: settings_changed
                        .into_iter()
                        .map(|c| SettingChange {
                            key: text(c.key),
                            base: text(c.base),
                            head: text(c.head),
                        })
                        .collect(),
                    budget_seconds,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Why the criterion layer did not stand in reads as the sentences the build code wrote
    /// when the model held words.
    #[test]
    fn every_layer_reason_reads_as_it_did_when_the_model_held_words() {
        let cases = [
            (
                LayerUnusable::LockUnreadable {
                    path: "/w/Cargo.lock".to_owned(),
                },
                "/w/Cargo.lock cannot be read, so the criterion version is unknown",
            ),
            (
                LayerUnusable::NoCriterion,
                "the base commit's Cargo.lock holds no criterion",
            ),
            (
                LayerUnusable::SeveralVersions {
                    versions: vec!["0.4.0".to_owned(), "0.5.1".to_owned()],
                },
                "Cargo.lock holds several criterion versions (0.4.0, 0.5.1); the layer stands \
                 in for one",
            ),
            (
                LayerUnusable::DoesNotCompile {
                    error: "error[E0599]: no method named `to_async`".to_owned(),
                },
                "error[E0599]: no method named `to_async`",
            ),
            (
                LayerUnusable::BuildFailed {
                    status: "exit status: 101".to_owned(),
                },
                "cargo could not build them against it (exit status: 101)",
            ),
        ];
        for (why, words) in &cases {
            assert_eq!(unusable_line(why), *words);
        }
        let (why, words) = &cases[1];
        assert_eq!(
            layer_not_used_line(BuildSide::Base, why),
            format!("base: {words}")
        );
        assert_eq!(
            layer_fell_back(BuildSide::Head, why),
            format!(
                "the head build's plain criterion benchmarks are measured with criterion \
                 itself, in whole runs: {words}"
            )
        );
        let view = serde_json::to_value(LayerView::of(&CriterionLayer::NotUsed {
            side: BuildSide::Head,
            why: why.clone(),
        }))
        .unwrap();
        assert_eq!(
            view,
            serde_json::json!({"status": "not-used", "reason": format!("head: {words}")})
        );
    }

    #[test]
    fn every_string_of_a_reference_is_made_printable() {
        let reference = Reference::NoComparableBaseline {
            candidates: vec![IncomparableBaseline {
                path: "a\nb".to_owned(),
                slug: "\x1b".to_owned(),
                differing: vec![perfmatrix_model::DifferingField {
                    field: "f\r".to_owned(),
                    run: "r\u{202E}".to_owned(),
                    baseline: "b\t".to_owned(),
                }],
            }],
            record: RecordCommand {
                invoked_as: "cargo xtask".to_owned(),
                platform: perfmatrix_model::TargetTriple::parse("x86_64-unknown-linux-gnu")
                    .unwrap(),
                emulated: true,
            },
        };
        let ReferenceView::NoComparable {
            candidates,
            how_to_record,
        } = ReferenceView::of(&reference, Role::Counts, None).printable()
        else {
            panic!("the variant is kept");
        };
        assert_eq!(
            how_to_record,
            "cargo xtask update-baselines --platform x86_64-unknown-linux-gnu --emulated"
        );
        assert_eq!(candidates[0].path, "a\\nb");
        assert_eq!(candidates[0].slug, "\\u{1b}");
        let d = &candidates[0].differing[0];
        assert_eq!(
            (d.field.as_str(), d.run.as_str(), d.baseline.as_str()),
            ("f\\r", "r\\u{202e}", "b\\t")
        );
    }

    /// The words perfmatrix wrote into results files before the reasons became facts.
    #[test]
    fn every_reason_reads_as_it_did_when_the_model_held_words() {
        assert_eq!(
            because_line(&PairedBecause::Against {
                rev: "HEAD~2".to_owned()
            }),
            "--against HEAD~2"
        );
        assert_eq!(
            because_line(&PairedBecause::UncommittedChanges),
            "the working tree has uncommitted changes, so they are measured against HEAD"
        );
        assert_eq!(
            because_line(&PairedBecause::AheadOfDefault {
                branch: "master".to_owned(),
                commits: 3
            }),
            "the branch is 3 commit(s) ahead of master, so it is measured against their merge base"
        );
        assert_eq!(
            because_line(&PairedBecause::FirstParent),
            "a clean checkout with nothing ahead of the default branch, so HEAD is measured \
             against its first parent, as CI measures a push (--committed compares with the \
             committed baselines instead)"
        );
        let record = |emulated| RecordCommand {
            invoked_as: "cargo perfmatrix".to_owned(),
            platform: perfmatrix_model::TargetTriple::parse("aarch64-unknown-linux-gnu").unwrap(),
            emulated,
        };
        assert_eq!(
            record_line(&record(true)),
            "cargo perfmatrix update-baselines --platform aarch64-unknown-linux-gnu --emulated"
        );
        assert_eq!(
            record_line(&record(false)),
            "cargo perfmatrix update-baselines --platform aarch64-unknown-linux-gnu"
        );
        assert_eq!(
            selected_because(Role::Time { key_id: "0123abcd" }),
            "recorded on the same machine class (comparability key 0123abcd: target, CPU model, \
             SIMD features, kernel variants, cores, emulation all equal)"
        );
    }

    #[test]
    fn a_pairing_says_its_span_and_how_it_sampled() {
        let pairing = |fewest_pairs, most_pairs, interleaved_samples, whole_runs| Pairing {
            fewest_pairs,
            most_pairs,
            interleaved_samples,
            whole_runs,
        };
        assert_eq!(pairing_line(None), "no benchmark on both sides");
        assert_eq!(
            pairing_line(Some(&pairing(6, 12, Some(30), 0))),
            "6–12 process pairs × 30 interleaved samples"
        );
        assert_eq!(
            pairing_line(Some(&pairing(8, 8, None, 3))),
            "8 alternated pairs of whole criterion runs"
        );
        assert_eq!(
            pairing_line(Some(&pairing(6, 9, Some(30), 2))),
            "6–9 process pairs × 30 interleaved samples; 2 benchmark(s) off the harness as \
             alternated whole criterion runs (coarser)"
        );
    }
}
