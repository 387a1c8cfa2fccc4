//! `cargo xtask bench`: decide what to compare with (a base commit measured here in the same
//! run, or the committed baselines), then one way: measure → judge → write the results file with
//! its verdict → print → append to the history.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use perfmatrix_fingerprint::TargetTriple;
use perfmatrix_history::HistoryRecord;
use perfmatrix_model::{
    Config, Judging, Outcome, PairedBecause, RecordCommand, Report, Results, Revision, RowVerdict,
    RunSettings, Shard, TimeBudget,
};
use perfmatrix_report::{Format, Style, render};

use crate::paired::{Deadline, Design, FULL_DESIGN, QUICK_DESIGN, Sides};
use crate::suite::{BuiltSuite, FULL, QUICK, ShardRequest, Suite, criterion_home};
use crate::verdict::{Against, exactly};
use crate::workspace::{Invocation, Workspace};

/// Run the benchmarks, compare with the baseline of a comparable machine, print the verdict
#[derive(Debug, clap::Args)]
#[allow(
    clippy::struct_excessive_bools,
    reason = "command-line switches: each bool is one flag, not a state machine"
)]
pub struct Bench {
    /// Only benchmarks whose id matches this regular expression (criterion's filter)
    filter: Option<String>,
    /// A short smoke run (few samples): labelled quick, never promotable to a baseline
    #[arg(long)]
    quick: bool,
    // The help as an attribute: rustdoc would read `<triple>` as an HTML tag.
    #[arg(
        long,
        value_name = "FILE",
        help = "Where to write the results file [default: target/perfmatrix/results-<triple>.json]"
    )]
    out: Option<PathBuf>,
    /// How to print the verdict: table, markdown, json or html
    #[arg(long, default_value = "table")]
    format: Format,
    /// Build and run for this target triple (e.g. aarch64-unknown-linux-gnu under qemu-user)
    #[arg(long, value_name = "TRIPLE")]
    target: Option<String>,
    /// Folder of recorded baselines [default: the `baselines` setting, `baselines`]
    #[arg(long, value_name = "DIR")]
    baselines: Option<PathBuf>,
    /// Measure the working tree against this commit, on this machine, in the same run (a
    /// branch, tag, hash, `HEAD~1`, `origin/main`). Default: HEAD when the working tree has
    /// changes, else the merge base with the default branch when the branch is ahead of it,
    /// else the committed baselines
    #[arg(long, value_name = "REF", conflicts_with_all = ["committed", "target"])]
    against: Option<String>,
    /// Compare with the committed baselines even when there is a commit to pair with
    #[arg(long)]
    committed: bool,
    /// Against committed baselines, let wall time fail the run (by default it only warns there:
    /// runs made at different times, possibly on other hosts; the counts always gate)
    #[arg(long)]
    gate_time: bool,
    /// Append this full run to this history folder (the `history` command renders it)
    /// [default: target/perfmatrix/history]
    #[arg(long, value_name = "DIR", conflicts_with = "no_history")]
    history: Option<PathBuf>,
    /// Do not append this run to the local history
    #[arg(long)]
    no_history: bool,
    /// Measure only shard K of N (e.g. 2/4) of the benchmarks, as one job of a CI matrix;
    /// every shard plans alike, and `merge` puts a platform's shards back together
    #[arg(long, value_name = "K/N")]
    shard: Option<Shard>,
    /// With `--shard`: balance the shards by the durations a history recorded for this
    /// platform, from a history folder or a git revision of the history branch
    /// (`origin/perfmatrix-history`, a commit); give every shard the same
    #[arg(long, value_name = "DIR|REV", requires = "shard")]
    durations_from: Option<String>,
    /// End a paired run within this time from its start (`90s`, `20m`, `1h 30m`): every
    /// benchmark gets its minimum of pairs, the rest goes to those still undecided, and the
    /// report names the ones it left undecided [default: the `budget` setting of the base
    /// commit, for this platform]
    #[arg(long, value_name = "DURATION", conflicts_with_all = ["committed", "no_budget"])]
    budget: Option<TimeBudget>,
    /// No time budget, whatever the `budget` setting says
    #[arg(long)]
    no_budget: bool,
}

/// The time budget of a paired run, as `--budget` and `--no-budget` choose it (clap refuses
/// both at once).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BudgetChoice {
    /// `--budget <duration>`.
    Given(TimeBudget),
    /// `--no-budget`: none, whatever the setting says.
    Unlimited,
    /// Neither: the `budget` setting of the base commit for this platform, if any.
    Setting,
}

/// Where a full run is appended, as `--history` and `--no-history` choose it (clap refuses both
/// at once).
#[derive(Debug, Clone, PartialEq, Eq)]
enum HistoryChoice {
    /// `--history <dir>`.
    Folder(PathBuf),
    /// `--no-history`: nowhere.
    Off,
    /// Neither: `target/perfmatrix/history`.
    Local,
}

/// What this run compares with, and why.
#[derive(Debug)]
enum Plan {
    Paired { base: Revision, why: PairedBecause },
    Committed { why: String },
}

impl Bench {
    fn budget_choice(&self) -> BudgetChoice {
        match (self.budget, self.no_budget) {
            (Some(budget), _) => BudgetChoice::Given(budget),
            (None, true) => BudgetChoice::Unlimited,
            (None, false) => BudgetChoice::Setting,
        }
    }

    fn history_choice(&self) -> HistoryChoice {
        match (&self.history, self.no_history) {
            (Some(dir), _) => HistoryChoice::Folder(dir.clone()),
            (None, true) => HistoryChoice::Off,
            (None, false) => HistoryChoice::Local,
        }
    }

    pub(crate) fn run(self, at: &Invocation) -> anyhow::Result<ExitCode> {
        let started = std::time::Instant::now();
        let ws = at.workspace()?;
        let platform = ws.platform_for(self.target.as_deref(), "--target")?;
        let filter = crate::verdict::check_filter(self.filter.as_deref())?;
        let out = self.out.clone().unwrap_or_else(|| {
            let name = match self.shard {
                Some(s) => format!("{platform}-shard-{}-of-{}", s.index(), s.count()),
                None => platform.to_string(),
            };
            crate::merge::results_file(&ws.target_dir.join("perfmatrix"), &name)
        });
        let baselines = ws.baselines(self.baselines.as_deref());
        crate::paths::check_outside("--out", &out, &baselines, "the baselines folder")?;
        let plan = self.plan(at)?;
        let shard = self
            .shard
            .map(|shard| {
                Ok::<_, anyhow::Error>(ShardRequest {
                    shard,
                    durations: self.durations(at, &platform)?,
                })
            })
            .transpose()?;
        let _lock = ws.lock_runs("bench")?;
        let (results, report) = match plan {
            Plan::Paired { base, why } => self.paired_run(
                &ws,
                &platform,
                (base, why),
                (filter.as_ref(), shard.as_ref()),
                &out,
                started,
            )?,
            Plan::Committed { why } => {
                eprintln!(
                    "comparing: with the committed baselines in {}: {why}",
                    at.shown(&baselines).display()
                );
                if let BudgetChoice::Given(_) = self.budget_choice() {
                    eprintln!(
                        "budget: not applied: a run against the committed baselines is criterion's \
                         own measurement, which perfmatrix does not plan"
                    );
                }
                self.committed_run(&ws, &platform, &baselines, out.clone(), shard)?
            }
        };
        print!("{}", render(&report, self.format, Style::detect())?);
        eprintln!("results: {}", out.display());
        if !results.failed.is_empty() {
            // The others were judged above; the failed ones have no verdict, so the run has none.
            for f in &results.failed {
                eprintln!("error: the benchmark `{}` failed: {}", f.id, f.error);
            }
            eprintln!(
                "error: {} benchmark(s) failed (above); the others were judged; the history \
                 records complete runs only",
                results.failed.len()
            );
            return Ok(ExitCode::from(2));
        }
        self.append_history(&ws, &results, &report);
        Ok(match report.outcome() {
            Outcome::Fail => ExitCode::from(1),
            Outcome::Pass | Outcome::NoComparableBaseline => ExitCode::SUCCESS,
        })
    }

    /// Measures the working tree against `base` in pairs, profiles the changed benchmarks
    /// while the budget lasts, judges with the base's settings and saves the results.
    fn paired_run(
        &self,
        ws: &Workspace,
        platform: &TargetTriple,
        (base, why): (Revision, PairedBecause),
        (filter, shard): (Option<&regex::Regex>, Option<&ShardRequest>),
        out: &Path,
        started: std::time::Instant,
    ) -> anyhow::Result<(Results, Report)> {
        eprintln!(
            "comparing: the working tree against {} ({}), measured here in the same run: {}",
            crate::paired::short(&base.commit),
            base.name,
            perfmatrix_report::paired_because(&why)
        );
        let sides = Sides::build(ws, base, why, Vec::new())?;
        // The base's setting, as its gates: a change must not shorten its own run.
        let budget = match self.budget_choice() {
            BudgetChoice::Given(budget) => Some(budget),
            BudgetChoice::Unlimited => None,
            BudgetChoice::Setting => sides.judge.budget_for(platform),
        };
        let deadline = budget.map(|budget| Deadline { budget, started });
        if let Some(d) = deadline {
            eprintln!(
                "budget: {}, {:.0} s of it spent on building",
                d.budget,
                started.elapsed().as_secs_f64()
            );
        }
        let design = Design {
            pin: crate::paired::default_pin(),
            deadline,
            ..if self.quick {
                QUICK_DESIGN
            } else {
                FULL_DESIGN
            }
        };
        let mut results = sides.measure(ws, filter, shard, &design, self.quick)?;
        // Judged once to find the changed benchmarks, which are then profiled function
        // by function; the verdict is the judgement of everything measured.
        let changed = Report::paired(&results, &sides.judge)?.changed();
        match deadline {
            Some(d) if !changed.is_empty() && std::time::Instant::now() >= d.end() => {
                eprintln!(
                    "not profiled: the budget of {} is spent; the changed benchmarks are \
                     {}",
                    d.budget,
                    crate::verdict::listed(&changed)
                );
            }
            _ => sides.profile(&changed, &mut results)?,
        }
        let report = Report::paired(&results, &sides.judge)?;
        results.save_judged(out, &report)?;
        Ok((results, report))
    }

    /// Appends a full run of a commit to the local history. A run that cannot be recorded
    /// (quick, filtered, of uncommitted changes, outside git) says why on stderr; the verdict
    /// stands either way.
    fn append_history(&self, ws: &Workspace, results: &Results, report: &Report) {
        let choice = self.history_choice();
        let dir = match &choice {
            HistoryChoice::Off => return,
            HistoryChoice::Folder(dir) => dir.clone(),
            HistoryChoice::Local => crate::history::local_dir(&ws.target_dir),
        };
        if results.settings.quick || results.settings.filter.is_some() || results.sharding.is_some()
        {
            if matches!(choice, HistoryChoice::Folder(_)) {
                eprintln!(
                    "history: not appended: only full runs (no filter, not --quick, not a \
                     shard) are"
                );
            }
            return;
        }
        let appended = crate::history::records_of(ws.at.repo(), results, Some(report), None)
            .and_then(|records| {
                if let Some(why) = not_a_commit(&records) {
                    anyhow::bail!(why);
                }
                Ok(perfmatrix_history::append(&dir, &records)?)
            });
        match appended {
            Ok(outcome) => crate::history::report_appended(&dir, &outcome),
            Err(err) => eprintln!("history: not appended: {err:#}"),
        }
    }

    /// Each benchmark's seconds in the newest run of this platform that `--durations-from`
    /// recorded; none without it, or when that history has no file of this platform.
    fn durations(
        &self,
        at: &Invocation,
        platform: &TargetTriple,
    ) -> anyhow::Result<std::collections::BTreeMap<perfmatrix_model::BenchmarkId, f64>> {
        let Some(from) = &self.durations_from else {
            return Ok(std::collections::BTreeMap::new());
        };
        let read = if Path::new(from).is_dir() {
            let dir = Path::new(from);
            let mut found = None;
            for path in [
                perfmatrix_history::history_path(dir, platform),
                perfmatrix_history::lines_path(dir, platform),
            ] {
                match std::fs::read(&path) {
                    Ok(bytes) => {
                        found = Some((path.display().to_string(), bytes));
                        break;
                    }
                    Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
                    Err(err) => {
                        return Err(err).with_context(|| {
                            format!("--durations-from: cannot read {}", path.display())
                        });
                    }
                }
            }
            found
        } else {
            let repo = at.repo();
            let commit = repo.resolve(from, "--durations-from")?;
            [
                perfmatrix_history::STORE_EXTENSION,
                perfmatrix_history::HISTORY_EXTENSION,
            ]
            .iter()
            .find_map(|kind| {
                let file = format!("{}/{platform}.{kind}", crate::history::BRANCH_DIR);
                repo.show_bytes(&commit, &file)
                    .ok()
                    .map(|bytes| (format!("{from}:{file}"), bytes))
            })
        };
        let Some((source, bytes)) = read else {
            eprintln!(
                "shards: --durations-from {from} has no history of {platform}: every benchmark \
                 weighs alike"
            );
            return Ok(std::collections::BTreeMap::new());
        };
        let mut history = perfmatrix_history::History::default();
        history.parse_into(&source, &bytes)?;
        for bad in &history.bad {
            eprintln!("{bad}");
        }
        let durations = perfmatrix_history::durations(&history.records);
        eprintln!(
            "shards: balanced by the durations of {} benchmark(s) recorded in {source}",
            durations.len()
        );
        Ok(durations)
    }

    /// Chooses the comparison: `--against`, or by the state of the repository.
    fn plan(&self, at: &Invocation) -> anyhow::Result<Plan> {
        let repo = at.repo();
        if let Some(rev) = &self.against {
            let commit = repo.resolve(rev, "--against")?;
            return Ok(Plan::Paired {
                why: PairedBecause::Against { rev: rev.clone() },
                base: Revision {
                    name: rev.clone(),
                    commit,
                    dirty: false,
                },
            });
        }
        if self.committed {
            return Ok(Plan::Committed {
                why: "--committed".to_owned(),
            });
        }
        if self.target.is_some() {
            return Ok(Plan::Committed {
                why: "a cross target is measured under emulation, where paired runs are not \
                      supported yet"
                    .to_owned(),
            });
        }
        let Ok(head) = repo.head() else {
            return Ok(Plan::Committed {
                why: "not in a git repository with a commit: nothing to pair with".to_owned(),
            });
        };
        if repo.has_changes() {
            return Ok(Plan::Paired {
                why: PairedBecause::UncommittedChanges,
                base: Revision {
                    name: "HEAD".to_owned(),
                    commit: head,
                    dirty: false,
                },
            });
        }
        if let Some(default) = repo.default_branch()
            && let Some(base) = repo.merge_base(&head, &default)
            && base != head
        {
            let ahead = repo.commits_between(&base, &head).unwrap_or(0);
            return Ok(Plan::Paired {
                why: PairedBecause::AheadOfDefault {
                    branch: default.clone(),
                    commits: ahead,
                },
                base: Revision {
                    name: format!("merge base with {default}"),
                    commit: base,
                    dirty: false,
                },
            });
        }
        // A clean checkout of the default branch: HEAD against its first parent, as CI measures
        // a push. The committed baselines decide only when there is no parent (or --committed).
        if let Some(parent) = repo.first_parent(&head) {
            return Ok(Plan::Paired {
                why: PairedBecause::FirstParent,
                base: Revision {
                    name: "HEAD~1".to_owned(),
                    commit: parent,
                    dirty: false,
                },
            });
        }
        Ok(Plan::Committed {
            why: "HEAD has no parent and the working tree no changes: nothing to pair with (use \
                  --against <ref> to measure against a commit)"
                .to_owned(),
        })
    }

    /// The committed-baselines run: measure, judge (re-measuring claimed changes), warn only on
    /// wall time unless `--gate-time`.
    fn committed_run(
        &self,
        ws: &Workspace,
        platform: &TargetTriple,
        baselines: &Path,
        out: PathBuf,
        shard: Option<ShardRequest>,
    ) -> anyhow::Result<(Results, Report)> {
        let leg = LegJob {
            target: self.target.is_some().then(|| platform.clone()),
            settings: RunSettings {
                filter: self.filter.clone(),
                ..if self.quick { QUICK } else { FULL }
            },
            out,
            label: String::new(),
            gate_time: self.gate_time,
            shard,
        };
        leg.run(ws, platform, baselines)
    }
}

/// A run against the committed baselines, measured and judged, and what its first measurement
/// said of the benchmarks that were measured again.
#[derive(Debug)]
pub(crate) struct Judged {
    pub(crate) results: Results,
    pub(crate) report: Report,
    pub(crate) first_pass: Vec<(perfmatrix_model::BenchmarkId, RowVerdict)>,
}

/// Judges a measured run against the committed baselines in one direction: select the
/// baselines; judge; when wall time claims a change (regressed or improved), measure exactly
/// those benchmarks again at once and judge the run with the second measurement's times. The
/// second measurement decides, so a burst of load from another tenant of a shared machine
/// cannot fail a run — or claim a speed-up — on its own, while a real change shows up in both.
/// The claims are read with wall time gating, whatever `time_gated` says of the verdict.
pub(crate) fn measure_and_judge(
    suite: &BuiltSuite,
    mut results: Results,
    baselines: &Path,
    config: &Config,
    record: &RecordCommand,
    time_gated: bool,
) -> anyhow::Result<Judged> {
    let against = Against::select(baselines, &results, &suite.suite.root)?;
    let first = against.judge(&results, config, record, Judging::GATED)?;
    let suspects = first.claimed_changes();
    if !suspects.is_empty() {
        eprintln!(
            "re-measuring {} benchmark(s) whose first measurement claims a change: {}",
            suspects.len(),
            crate::verdict::listed(&suspects)
        );
        let again = suite
            .with_settings(RunSettings {
                filter: Some(exactly(&suspects)),
                ..suite.suite.settings.clone()
            })
            .run("confirm: ")?;
        results.take_times_from(again);
    }
    let first_pass = first
        .rows
        .iter()
        .filter(|r| suspects.contains(&r.id))
        .map(|r| (r.id.clone(), r.verdict))
        .collect();
    let report = if suspects.is_empty() && time_gated {
        first
    } else {
        let judging = Judging {
            time_gated,
            remeasured: &suspects,
        };
        against.judge(&results, config, record, judging)?
    };
    Ok(Judged {
        results,
        report,
        first_pass,
    })
}

/// Why `records` are not a commit's, if they are not: a run of uncommitted changes is filed
/// under `HEAD`'s hash, so appended it would show as a change point at a commit that never
/// changed. The local history records commits only; iterating on a change appends nothing.
fn not_a_commit(records: &[HistoryRecord]) -> Option<&'static str> {
    records.iter().any(|r| r.dirty).then_some(
        "the working tree has uncommitted changes, and the history records commits only \
         (commit them, and the next run is recorded)",
    )
}

/// The job of one leg of the matrix on this machine: what `cargo xtask bench` does for one
/// platform, and what `cargo xtask matrix run` does for each. What a leg's results file holds,
/// read back for a merge, is `perfmatrix_model::LegResults`.
#[derive(Debug, Clone)]
pub(crate) struct LegJob {
    /// `--target` for a cross build run through `.cargo/config.toml`'s runner (None: the host).
    pub(crate) target: Option<TargetTriple>,
    pub(crate) settings: RunSettings,
    /// The results file, written once with the verdict; until then the measurement is kept
    /// beside it ([`perfmatrix_model::unjudged_path`]).
    pub(crate) out: PathBuf,
    /// Prefix of the progress lines.
    pub(crate) label: String,
    /// Whether wall time may fail the leg (else its regressions are warnings).
    pub(crate) gate_time: bool,
    /// Only this shard of the benchmarks (`--shard k/N`), planned by these durations.
    pub(crate) shard: Option<ShardRequest>,
}

impl LegJob {
    /// Builds, measures, judges (measuring claimed changes again) and writes the results file
    /// with its verdict.
    pub(crate) fn run(
        &self,
        ws: &Workspace,
        platform: &TargetTriple,
        baselines: &Path,
    ) -> anyhow::Result<(Results, Report)> {
        crate::interrupt::install();
        let suite = self.suite(ws, platform).build()?;
        let results = suite.measure(&self.label)?;
        ws.warn_unknown_benchmarks(&results);
        let unjudged = results.save_unjudged(&self.out)?;
        let record = RecordCommand::for_run(&ws.at.invoked_as, &results);
        let judged = measure_and_judge(
            &suite,
            results,
            baselines,
            &ws.config,
            &record,
            self.gate_time,
        )
        .with_context(|| {
            format!(
                "judging failed; the measurement is kept, unjudged, in {}",
                unjudged.display()
            )
        })?;
        judged.results.save_judged(&self.out, &judged.report)?;
        Ok((judged.results, judged.report))
    }

    pub(crate) fn suite(&self, ws: &Workspace, platform: &TargetTriple) -> Suite {
        Suite {
            root: ws.at.root.clone(),
            settings: self.settings.clone(),
            target: self.target.clone(),
            criterion_home: criterion_home(&ws.target_dir, &format!("bench-{platform}")),
            env: Vec::new(),
            benches: ws.benches.clone(),
            layer_target: ws.layer_target(),
            shard: self.shard.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use perfmatrix_history::{CommitInfo, records_from_results};
    use perfmatrix_model::{BenchResult, BenchmarkId, SampleSummary};
    use perfmatrix_stats::Sample;

    use super::*;

    fn records(dirty: bool) -> Vec<HistoryRecord> {
        let samples_ns = Sample::new(vec![100.0, 101.0, 99.0]).unwrap();
        let bench = BenchResult {
            id: BenchmarkId::new("decay/1000").unwrap(),
            throughput: None,
            summary: SampleSummary::of(&samples_ns),
            samples_ns,
            counts: None,
            seconds: None,
        };
        let results = Results::new(
            perfmatrix_fingerprint::Fingerprint::example(),
            FULL,
            1_790_000_000,
            vec![bench],
        );
        let info = CommitInfo {
            commit: "c".repeat(40),
            parent: None,
            dirty,
            date: String::new(),
        };
        records_from_results(&results, None, &info).unwrap()
    }

    /// `bench`'s flags on a command line of their own.
    #[derive(clap::Parser)]
    struct Cli {
        #[command(flatten)]
        bench: Bench,
    }

    fn plan_in(dir: &Path) -> Plan {
        let cli = <Cli as clap::Parser>::try_parse_from(["bench"]).unwrap();
        cli.bench
            .plan(&Invocation::new(dir, "cargo xtask").unwrap())
            .unwrap()
    }

    /// `--budget`/`--no-budget` and `--history`/`--no-history` each choose one thing; clap
    /// refuses both of a pair.
    #[test]
    fn the_budget_and_history_flags_choose_one_each() {
        let bench = |args: &[&str]| {
            <Cli as clap::Parser>::try_parse_from(
                std::iter::once("bench").chain(args.iter().copied()),
            )
            .map(|cli| cli.bench)
        };
        let b = bench(&[]).unwrap();
        assert_eq!(b.budget_choice(), BudgetChoice::Setting);
        assert_eq!(b.history_choice(), HistoryChoice::Local);
        let b = bench(&["--budget", "20m", "--history", "h"]).unwrap();
        assert_eq!(
            b.budget_choice(),
            BudgetChoice::Given("20m".parse().unwrap())
        );
        assert_eq!(b.history_choice(), HistoryChoice::Folder("h".into()));
        let b = bench(&["--no-budget", "--no-history"]).unwrap();
        assert_eq!(b.budget_choice(), BudgetChoice::Unlimited);
        assert_eq!(b.history_choice(), HistoryChoice::Off);
        assert!(bench(&["--budget", "20m", "--no-budget"]).is_err());
        assert!(bench(&["--history", "h", "--no-history"]).is_err());
    }

    /// A clean checkout of the default branch measures HEAD against its first parent; only a
    /// first commit falls back to the committed baselines.
    #[test]
    fn a_clean_checkout_pairs_head_with_its_first_parent() {
        use crate::git::tests::run;
        let dir = tempfile::tempdir().unwrap();
        run(dir.path(), &["init", "-q", "-b", "master"]);
        std::fs::write(dir.path().join("a.txt"), "one\n").unwrap();
        run(dir.path(), &["add", "a.txt"]);
        run(dir.path(), &["commit", "-q", "-m", "one"]);
        let Plan::Committed { why } = plan_in(dir.path()) else {
            panic!("a first commit has nothing to pair with");
        };
        assert!(why.contains("no parent"), "{why}");
        let first = crate::git::Repo::at(dir.path()).head().unwrap();
        std::fs::write(dir.path().join("a.txt"), "two\n").unwrap();
        run(dir.path(), &["commit", "-q", "-am", "two"]);
        let Plan::Paired { base, why } = plan_in(dir.path()) else {
            panic!("a clean checkout pairs with the first parent");
        };
        assert_eq!(base.commit, first);
        assert_eq!(why, PairedBecause::FirstParent);
    }

    #[test]
    fn a_run_of_uncommitted_changes_is_not_appended_to_the_local_history() {
        assert!(not_a_commit(&records(false)).is_none());
        let why = not_a_commit(&records(true)).unwrap();
        assert!(why.contains("uncommitted changes"), "{why}");
    }
}
