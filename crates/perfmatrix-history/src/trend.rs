//! A history analysed: per platform and benchmark, the series of its records in commit order and
//! the change points found in it. Plain data (serde), rendered by `perfmatrix-report`.

use std::collections::{BTreeMap, HashMap};

use perfmatrix_model::{BenchmarkId, RowVerdict, Schema, TargetTriple};
use perfmatrix_stats::change_point::{
    self, ChainConfig, ChainMemo, ChangeKind, ChangePointConfig, SplitMemo,
};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::store::{Row, RunHeader};

use crate::{
    BadRecord, ChangeSummary, History, HistoryMode, HistoryRecord, MachineClass, TimeSummary,
};

/// The kind and version of the history analysis JSON (`cargo xtask history --json`).
pub const TREND_SCHEMA: Schema = Schema {
    kind: "perfmatrix-trend",
    version: 2,
};

/// Every platform's series and change points.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Trend {
    /// Always [`TREND_SCHEMA`]'s kind.
    pub schema: String,
    /// Always [`TREND_SCHEMA`]'s version.
    pub version: u32,
    /// Sorted by triple.
    pub platforms: Vec<PlatformTrend>,
    /// Lines of the history that were skipped, with file and line.
    pub skipped: Vec<BadRecord>,
}

/// One platform's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlatformTrend {
    /// The target triple.
    pub platform: TargetTriple,
    /// The machine classes its records were measured on, in order of first appearance;
    /// [`Point::class`] indexes this.
    pub classes: Vec<MachineClass>,
    /// The runs its records came from, in order of first appearance; [`Point::run`] indexes
    /// this. A commit's facts are held once here, not once per benchmark.
    pub runs: Vec<Run>,
    /// The newest commit recorded and its worst verdict (for the status badge).
    pub latest: Option<Latest>,
    /// Sorted by benchmark id.
    pub series: Vec<Series>,
}

/// One run of a platform: a commit measured once (its records share all of this).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Run {
    /// The full commit hash measured.
    pub commit: String,
    /// The working tree had uncommitted changes (local runs only).
    pub dirty: bool,
    /// The commit's date as git prints it (ISO 8601), or empty when unknown.
    pub date: String,
    /// When the run finished, seconds since the Unix epoch.
    pub measured_unix: u64,
}

/// The newest commit of a platform and the worst verdict of its benchmarks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Latest {
    /// The full hash of the newest commit recorded (that of the last record read).
    pub commit: String,
    /// Its date as git prints it (ISO 8601), or empty when unknown.
    pub date: String,
    /// How its run was judged (that of its first record).
    pub mode: HistoryMode,
    /// The worst benchmark verdict of that commit, if it was judged.
    pub verdict: Option<RowVerdict>,
}

/// One benchmark on one platform over commits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Series {
    /// The benchmark's id.
    pub benchmark: BenchmarkId,
    /// In the order they were recorded (the first-parent order of the history branch).
    pub points: Vec<Point>,
    /// Sorted by point index.
    pub change_points: Vec<ChangePointFound>,
}

impl Series {
    /// A series of `points` with no change points found yet.
    #[must_use]
    pub fn new(benchmark: BenchmarkId, points: Vec<Point>) -> Self {
        Self {
            benchmark,
            points,
            change_points: Vec::new(),
        }
    }
}

/// One record of a series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Point {
    /// Index into [`PlatformTrend::runs`].
    pub run: u32,
    /// Index into [`PlatformTrend::classes`].
    pub class: u32,
    /// How the record's run was judged.
    pub mode: HistoryMode,
    /// The record's time per iteration.
    pub time: TimeSummary,
    /// Instructions of one call, when the run counted them.
    pub instructions: Option<u64>,
    /// A paired run's change against its parent, with its interval.
    pub change: Option<ChangeSummary>,
    /// The run's verdict of this benchmark, when it was judged.
    pub verdict: Option<RowVerdict>,
}

/// What the change-point searches keep between analyses of a growing series, per benchmark
/// (the time detector's split pass, the paired drift search): derived state the history cache
/// stores beside a platform's trend, never part of the trend itself or its JSON.
pub(crate) type Memos = HashMap<BenchmarkId, SeriesMemo>;

/// The memos of one series: the split pass's, one per time group (machine class, paired or
/// not), and the paired drift search's.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct SeriesMemo {
    groups: Vec<(u32, bool, SplitMemo)>,
    /// Absent from caches written before it: the search then runs whole once.
    #[serde(default)]
    chain: ChainMemo,
}

impl SeriesMemo {
    fn of_group(&mut self, class: u32, paired: bool) -> &mut SplitMemo {
        let at = if let Some(i) = self
            .groups
            .iter()
            .position(|(c, p, _)| (*c, *p) == (class, paired))
        {
            i
        } else {
            self.groups.push((class, paired, SplitMemo::default()));
            self.groups.len() - 1
        };
        &mut self.groups[at].2
    }
}

/// What a change point was found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Signal {
    /// The time medians of one machine class (E-divisive means, docs/statistics.md).
    Time,
    /// Instruction counts: any change is one.
    Instructions,
    /// One paired run's own significant change against its parent.
    PairedStep,
    /// Consecutive paired changes that add up to a significant drift.
    PairedDrift,
}

impl Signal {
    /// The signal's name in reports (`time`, `instructions`, `paired step`, `paired drift`).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Signal::Time => "time",
            Signal::Instructions => "instructions",
            Signal::PairedStep => "paired step",
            Signal::PairedDrift => "paired drift",
        }
    }
}

/// A change point: the level of `signal` changed at point `index` (the first point of the new
/// level), introduced by `commit`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangePointFound {
    /// Index into [`Series::points`] of the first point of the new level.
    pub index: usize,
    /// The full hash of the commit of that point.
    pub commit: String,
    /// That commit's date as git prints it (ISO 8601), or empty when unknown.
    pub date: String,
    /// When the run of `commit` finished (orders change points across series).
    pub measured_unix: u64,
    /// What the change point was found in.
    pub signal: Signal,
    /// Relative size, `after / before − 1`.
    pub change: f64,
    /// The level before and after (ns for time, instructions for counts; for paired signals
    /// the chained relative level, 1 = the first commit).
    pub before: f64,
    /// The level from `index` on, in the unit of `before`.
    pub after: f64,
    /// The test's p-value, when the method has one (not for counts).
    pub p_value: Option<f64>,
    /// For a drift: the index of its last point.
    #[serde(default)]
    pub until: Option<usize>,
    /// For a time change point: whether the instructions of one call changed across it too
    /// (counted on both sides, same machine class); `false`: another machine, or the same
    /// instructions running differently.
    #[serde(default)]
    pub instructions_moved: Option<bool>,
}

/// Where a benchmark's points go in a [`PlatformBuilder`].
#[derive(Debug, Clone, Copy)]
enum Slot {
    /// A series of the trend resumed, by index.
    Old(usize),
    /// A series first seen now, by index into `added`.
    New(usize),
}

/// Gathers one platform's records, in record order, into its [`PlatformTrend`]: runs and
/// classes found once, each record a point of its benchmark's series. Starts empty or from a
/// trend gathered before (the history cache), whose series it keeps.
#[derive(Debug)]
pub(crate) struct PlatformBuilder {
    trend: PlatformTrend,
    runs: HashMap<(String, bool, u64), u32>,
    series: HashMap<BenchmarkId, usize>,
    /// Benchmarks first seen now, in the order seen, merged into the sorted series at the end.
    added: Vec<(BenchmarkId, Vec<Point>)>,
    /// Where each benchmark of `added` is.
    added_at: HashMap<BenchmarkId, usize>,
    /// The slots of the newest run's benchmarks, by the offset of the frame that holds its ids:
    /// the runs that share those ids (every run of an unchanged suite) look none of them up.
    slots: Option<(u64, Vec<Slot>)>,
    /// How many runs are still to come ([`Sink::expect_runs`]): a series that must grow is
    /// given room for them all at once, not doubled again and again (each doubling copies its
    /// points).
    runs_to_come: usize,
}

impl PlatformBuilder {
    /// A builder of `platform`'s trend, empty.
    #[must_use]
    pub(crate) fn new(platform: &TargetTriple) -> Self {
        Self::resume(PlatformTrend {
            platform: platform.clone(),
            classes: Vec::new(),
            runs: Vec::new(),
            latest: None,
            series: Vec::new(),
        })
    }

    /// A builder that goes on from `trend` (its series sorted by benchmark id, as built).
    #[must_use]
    pub(crate) fn resume(trend: PlatformTrend) -> Self {
        let runs = trend
            .runs
            .iter()
            .enumerate()
            .map(|(i, r)| ((r.commit.clone(), r.dirty, r.measured_unix), i as u32))
            .collect();
        let series = trend
            .series
            .iter()
            .enumerate()
            .map(|(i, s)| (s.benchmark.clone(), i))
            .collect();
        Self {
            trend,
            runs,
            series,
            added: Vec::new(),
            added_at: HashMap::new(),
            slots: None,
            runs_to_come: 0,
        }
    }

    /// Adds one record (of this platform) as the newest point of its benchmark.
    pub(crate) fn push(&mut self, record: HistoryRecord) {
        let t = &mut self.trend;
        let class = if let Some(i) = t.classes.iter().position(|c| *c == record.machine) {
            i
        } else {
            t.classes.push(record.machine);
            t.classes.len() - 1
        } as u32;
        // Records of one run come together: the newest run is tried first.
        let newest = t.runs.last().is_some_and(|r| {
            r.commit == record.commit
                && r.dirty == record.dirty
                && r.measured_unix == record.measured_unix
        });
        let run = if newest {
            t.runs.len() as u32 - 1
        } else {
            let key = (record.commit.clone(), record.dirty, record.measured_unix);
            *self.runs.entry(key).or_insert_with(|| {
                t.runs.push(Run {
                    commit: record.commit.clone(),
                    dirty: record.dirty,
                    date: record.date.clone(),
                    measured_unix: record.measured_unix,
                });
                t.runs.len() as u32 - 1
            })
        };
        let latest = match &mut t.latest {
            Some(l) if l.commit == record.commit => l,
            latest => latest.insert(Latest {
                commit: record.commit,
                date: record.date,
                mode: record.mode,
                verdict: None,
            }),
        };
        latest.verdict = latest.verdict.max(record.verdict);
        let point = Point {
            run,
            class,
            mode: record.mode,
            time: record.time,
            instructions: record.instructions,
            change: record.change,
            verdict: record.verdict,
        };
        let slot = self.slot(&record.benchmark);
        self.push_point(slot, point);
    }

    /// Pushes `point` onto the series of `slot`, with room for the runs still to come when the
    /// series must grow.
    fn push_point(&mut self, slot: Slot, point: Point) {
        let to_come = self.runs_to_come;
        let points = self.points(slot);
        // Without a hint (or past it), the vector's own doubling.
        if points.len() == points.capacity() && to_come > 0 {
            points.reserve_exact(to_come);
        }
        points.push(point);
    }

    /// Adds a run's rows (of this platform): its machine class, run and latest commit found
    /// once, then each row as the newest point of its benchmark. The same as pushing its
    /// records one by one.
    pub(crate) fn push_run(
        &mut self,
        header: &RunHeader,
        (ids_key, ids): (u64, &[BenchmarkId]),
        rows: Vec<Row>,
    ) {
        let mut rows = rows.into_iter().zip(ids);
        let Some((first, first_id)) = rows.next() else {
            return;
        };
        // This run's points have room too: the count goes down after them.
        let to_come = self.runs_to_come;
        // The first row goes the whole way, which finds or adds the class, run and latest.
        self.push(first.record(header, first_id.clone()));
        let slots = match self.slots.take() {
            Some((key, slots)) if key == ids_key && slots.len() == ids.len() => slots,
            _ => ids.iter().map(|id| self.slot(id)).collect(),
        };
        let template = self
            .points(slots[0])
            .last()
            .cloned()
            .expect("the point just pushed");
        let mut worst = None;
        for ((row, _), &slot) in rows.zip(&slots[1..]) {
            worst = worst.max(row.verdict);
            let point = Point {
                time: row.time,
                instructions: row.instructions,
                change: row.change,
                verdict: row.verdict,
                ..template.clone()
            };
            self.push_point(slot, point);
        }
        let latest = self.trend.latest.as_mut().expect("set by the push");
        latest.verdict = latest.verdict.max(worst);
        self.slots = Some((ids_key, slots));
        self.runs_to_come = to_come.saturating_sub(1);
    }

    /// Where `id`'s points go: its series read before, or one added now (made if new).
    fn slot(&mut self, id: &BenchmarkId) -> Slot {
        if let Some(&i) = self.series.get(id) {
            return Slot::Old(i);
        }
        let next = self.added.len();
        let at = *self.added_at.entry(id.clone()).or_insert(next);
        if at == next {
            self.added.push((id.clone(), Vec::new()));
        }
        Slot::New(at)
    }

    fn points(&mut self, slot: Slot) -> &mut Vec<Point> {
        match slot {
            Slot::Old(i) => &mut self.trend.series[i].points,
            Slot::New(i) => &mut self.added[i].1,
        }
    }

    /// The trend gathered: series sorted by benchmark id, change points as they were (for the
    /// series gathered before) or none yet ([`analyse_platforms`] finds them).
    #[must_use]
    pub(crate) fn finish(self) -> PlatformTrend {
        let mut trend = self.trend;
        if !self.added.is_empty() {
            let old = std::mem::take(&mut trend.series);
            let mut added = self.added;
            added.sort_by(|a, b| a.0.cmp(&b.0));
            let mut added = added
                .into_iter()
                .map(|(benchmark, points)| Series::new(benchmark, points))
                .peekable();
            let mut merged = Vec::with_capacity(old.len() + added.len());
            for series in old {
                while let Some(a) = added.next_if(|a| a.benchmark < series.benchmark) {
                    merged.push(a);
                }
                merged.push(series);
            }
            merged.extend(added);
            trend.series = merged;
        }
        trend
    }
}

/// Builds the series of `history`, grouped by platform and benchmark in record order, with no
/// change points yet ([`analyse`] finds them).
fn series_of(history: History) -> Trend {
    let mut platforms: BTreeMap<TargetTriple, PlatformBuilder> = BTreeMap::new();
    for record in history.records {
        platforms
            .entry(record.platform.clone())
            .or_insert_with_key(PlatformBuilder::new)
            .push(record);
    }
    Trend {
        schema: TREND_SCHEMA.kind.to_owned(),
        version: TREND_SCHEMA.version,
        platforms: platforms
            .into_values()
            .map(PlatformBuilder::finish)
            .collect(),
        skipped: history.bad,
    }
}

impl Trend {
    /// Every change point of every series, newest first (by when its commit was measured, then
    /// platform and benchmark), with where it was found.
    #[must_use]
    pub fn change_points_newest_first(&self) -> Vec<(&PlatformTrend, &Series, &ChangePointFound)> {
        let mut all: Vec<_> = self
            .platforms
            .iter()
            .flat_map(|p| {
                p.series
                    .iter()
                    .flat_map(move |s| s.change_points.iter().map(move |c| (p, s, c)))
            })
            .collect();
        all.sort_by(|a, b| {
            b.2.measured_unix
                .cmp(&a.2.measured_unix)
                .then_with(|| a.0.platform.cmp(&b.0.platform))
                .then_with(|| a.1.benchmark.cmp(&b.1.benchmark))
        });
        all
    }
}

/// The series of `history` with their change points (docs/statistics.md, "Change points"):
///
/// - time: E-divisive means over the medians of each machine class (paired runs and the others
///   apart) on its own, so a series that moves to another runner class is never read as a step;
/// - instructions: any change between consecutive counts of one such group;
/// - paired runs: each commit's change against its parent, chained — a step where one commit's
///   own change is significant, a drift where consecutive ones add up to a significant change.
#[must_use]
pub fn analyse(history: History) -> Trend {
    let mut trend = series_of(history);
    let mut memos: Vec<Memos> = vec![Memos::new(); trend.platforms.len()];
    let mut platforms: Vec<(&mut PlatformTrend, &mut Memos)> =
        trend.platforms.iter_mut().zip(&mut memos).collect();
    analyse_platforms(&mut platforms);
    trend
}

/// Finds the change points of every series of `platforms` ([`analyse`]), resuming each time
/// detector and paired drift search from its series' memo in the platform's [`Memos`] (a series
/// that grew is searched only at its end), and leaves the new memos there. Every series is
/// searched on its own: they are shared out over the cores.
pub(crate) fn analyse_platforms(platforms: &mut [(&mut PlatformTrend, &mut Memos)]) {
    let mut work: Vec<(usize, &[Run], usize, &mut Series, SeriesMemo)> = Vec::new();
    for (at, (trend, memos)) in platforms.iter_mut().enumerate() {
        let PlatformTrend {
            runs,
            classes,
            series,
            ..
        } = &mut **trend;
        for s in series.iter_mut() {
            let memo = memos.remove(&s.benchmark).unwrap_or_default();
            work.push((at, runs.as_slice(), classes.len(), s, memo));
        }
    }
    work.par_iter_mut()
        .for_each(|(_, runs, classes, series, memo)| {
            series.change_points = detect(runs, &series.points, *classes, memo);
        });
    let memos: Vec<(usize, BenchmarkId, SeriesMemo)> = work
        .into_iter()
        .map(|(at, _, _, series, memo)| (at, series.benchmark.clone(), memo))
        .collect();
    for (at, benchmark, memo) in memos {
        platforms[at].1.insert(benchmark, memo);
    }
}

/// The points of each (machine class, paired) group, in one pass. Paired runs time their
/// samples in the harness's server, other runs in criterion: the two levels are not mixed.
fn groups_of(points: &[Point], classes: usize) -> Vec<((u32, bool), Vec<usize>)> {
    let mut groups: Vec<((u32, bool), Vec<usize>)> = Vec::with_capacity(2 * classes);
    for (i, p) in points.iter().enumerate() {
        let key = (p.class, p.mode == HistoryMode::Paired);
        if let Some((_, of_group)) = groups.iter_mut().find(|(k, _)| *k == key) {
            of_group.push(i);
        } else {
            let mut of_group = Vec::with_capacity(points.len() - i);
            of_group.push(i);
            groups.push((key, of_group));
        }
    }
    groups
}

fn detect(
    runs: &[Run],
    points: &[Point],
    classes: usize,
    memo: &mut SeriesMemo,
) -> Vec<ChangePointFound> {
    let mut found = Vec::new();
    let at = |index: usize, signal: Signal, change: f64, before: f64, after: f64| {
        let run = &runs[points[index].run as usize];
        ChangePointFound {
            index,
            commit: run.commit.clone(),
            date: run.date.clone(),
            measured_unix: run.measured_unix,
            signal,
            change,
            before,
            after,
            p_value: None,
            until: None,
            instructions_moved: None,
        }
    };
    for ((class, paired), of_class) in groups_of(points, classes) {
        let medians: Vec<f64> = of_class.iter().map(|&i| points[i].time.median_ns).collect();
        // Records are validated (positive, finite), so detection cannot fail; a failure would be
        // a bug, shown as no change points rather than a panic.
        let split = memo.of_group(class, paired);
        if let Ok(cps) = change_point::detect_resumed(&medians, &ChangePointConfig::TIME, split) {
            for cp in cps {
                let mut f = at(
                    of_class[cp.index],
                    Signal::Time,
                    cp.change,
                    cp.before,
                    cp.after,
                );
                f.p_value = Some(cp.p_value);
                // The nearest counts of this group on either side of the step.
                let before = of_class[..cp.index]
                    .iter()
                    .rev()
                    .find_map(|&i| points[i].instructions);
                let after = of_class[cp.index..]
                    .iter()
                    .find_map(|&i| points[i].instructions);
                f.instructions_moved = before.zip(after).map(|(b, a)| b != a);
                found.push(f);
            }
        }
        let counted: Vec<usize> = of_class
            .iter()
            .copied()
            .filter(|&i| points[i].instructions.is_some())
            .collect();
        let counts: Vec<u64> = counted
            .iter()
            .filter_map(|&i| points[i].instructions)
            .collect();
        for cp in change_point::count_changes(&counts) {
            found.push(at(
                counted[cp.index],
                Signal::Instructions,
                cp.change,
                cp.before,
                cp.after,
            ));
        }
    }
    let paired: Vec<usize> = (0..points.len())
        .filter(|&i| points[i].change.is_some())
        .collect();
    let changes: Vec<(f64, f64)> = paired
        .iter()
        .filter_map(|&i| points[i].change.map(|c| (c.estimate.ln_1p(), c.log_se)))
        .collect();
    if let Ok(chain) =
        change_point::chained_resumed(&changes, &ChainConfig::PAIRED, &mut memo.chain)
    {
        // The chained level before the change, relative to the first paired commit.
        let level = |upto: usize| changes[..upto].iter().map(|c| c.0).sum::<f64>().exp();
        for c in chain {
            let signal = match c.kind {
                ChangeKind::Step => Signal::PairedStep,
                ChangeKind::Drift => Signal::PairedDrift,
            };
            let before = level(c.index);
            let mut f = at(
                paired[c.index],
                signal,
                c.change,
                before,
                before * c.log_change.exp(),
            );
            f.p_value = Some(c.p_value);
            if c.commits > 1 {
                f.until = Some(paired[c.index + c.commits - 1]);
            }
            found.push(f);
        }
    }
    found.sort_by(|a, b| {
        a.index
            .cmp(&b.index)
            .then(a.signal.as_str().cmp(b.signal.as_str()))
    });
    found
}

impl crate::history::Sink for PlatformBuilder {
    fn record(&mut self, record: HistoryRecord) {
        self.push(record);
    }

    fn run(&mut self, header: &RunHeader, ids: (u64, &[BenchmarkId]), rows: Vec<Row>) {
        self.push_run(header, ids, rows);
    }

    fn expect_runs(&mut self, runs: usize) {
        self.runs_to_come = runs;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{HISTORY_SCHEMA, HistoryRecord};

    fn x86() -> TargetTriple {
        TargetTriple::parse("x86_64-unknown-linux-gnu").unwrap()
    }

    fn record(i: usize, class: &str, median: f64, instructions: u64) -> HistoryRecord {
        HistoryRecord {
            schema: HISTORY_SCHEMA.kind.to_owned(),
            version: HISTORY_SCHEMA.version,
            commit: format!("{i:040x}"),
            parent: None,
            dirty: false,
            date: format!("2026-12-01T10:{:02}:00+00:00", i % 60),
            measured_unix: 1_790_000_000 + i as u64,
            platform: x86(),
            machine: MachineClass {
                slug: class.to_owned(),
                id: class.to_owned(),
            },
            mode: HistoryMode::Committed,
            benchmark: BenchmarkId::new("decay/1000").unwrap(),
            time: TimeSummary {
                median_ns: median,
                lower_ns: median * 0.99,
                upper_ns: median * 1.01,
            },
            instructions: Some(instructions),
            peak_rss_bytes: None,
            change: None,
            verdict: Some(RowVerdict::Unchanged),
            seconds: None,
        }
    }

    /// A small deterministic wobble of ±1%.
    fn wobble(i: usize) -> f64 {
        1.0 + 0.01 * ((i * 7919 % 13) as f64 / 6.0 - 1.0)
    }

    fn signals(trend: &Trend) -> Vec<(Signal, usize, String)> {
        trend.platforms[0].series[0]
            .change_points
            .iter()
            .map(|c| (c.signal, c.index, c.commit.clone()))
            .collect()
    }

    #[test]
    fn a_step_in_time_and_in_instructions_is_found_at_its_commit() {
        let records = (0..40)
            .map(|i| {
                let step = if i >= 25 { 1.10 } else { 1.0 };
                record(
                    i,
                    "a",
                    1000.0 * step * wobble(i),
                    if i >= 25 { 1100 } else { 1000 },
                )
            })
            .collect();
        let trend = analyse(History {
            records,
            bad: Vec::new(),
        });
        let found = signals(&trend);
        assert!(
            found.contains(&(Signal::Time, 25, format!("{:040x}", 25))),
            "{found:?}"
        );
        assert!(
            found.contains(&(Signal::Instructions, 25, format!("{:040x}", 25))),
            "{found:?}"
        );
        assert_eq!(found.len(), 2, "{found:?}");
        let time = trend.platforms[0].series[0]
            .change_points
            .iter()
            .find(|c| c.signal == Signal::Time)
            .unwrap();
        assert_eq!(time.instructions_moved, Some(true));
        let latest = trend.platforms[0].latest.as_ref().unwrap();
        assert_eq!(latest.commit, format!("{:040x}", 39));
    }

    #[test]
    fn a_time_step_without_an_instruction_change_says_so() {
        let records = (0..40)
            .map(|i| {
                let step = if i >= 20 { 1.3 } else { 1.0 };
                record(i, "a", 1000.0 * step * wobble(i), 1000)
            })
            .collect();
        let trend = analyse(History {
            records,
            bad: Vec::new(),
        });
        let cps = &trend.platforms[0].series[0].change_points;
        assert_eq!(cps.len(), 1, "{cps:?}");
        assert_eq!((cps[0].index, cps[0].instructions_moved), (20, Some(false)));
    }

    #[test]
    fn a_move_to_another_machine_class_is_not_a_step() {
        // Class b is 30% faster and alternates with class a: no change within either.
        let records = (0..40)
            .map(|i| {
                let (class, level) = if i % 3 == 0 {
                    ("b", 700.0)
                } else {
                    ("a", 1000.0)
                };
                record(i, class, level * wobble(i), 1000)
            })
            .collect();
        let trend = analyse(History {
            records,
            bad: Vec::new(),
        });
        assert_eq!(trend.platforms[0].classes.len(), 2);
        assert!(signals(&trend).is_empty(), "{:?}", signals(&trend));
    }

    #[test]
    fn paired_changes_are_chained_into_a_step() {
        let records = (0..30)
            .map(|i| {
                let mut r = record(i, "a", 1000.0, 1000);
                r.mode = HistoryMode::Paired;
                let estimate = if i == 12 {
                    0.08
                } else {
                    0.001 * wobble(i) - 0.001
                };
                r.change = Some(crate::ChangeSummary {
                    estimate,
                    lower: estimate - 0.01,
                    upper: estimate + 0.01,
                    log_se: 0.004,
                });
                r
            })
            .collect();
        let trend = analyse(History {
            records,
            bad: Vec::new(),
        });
        let found = signals(&trend);
        assert!(
            found.contains(&(Signal::PairedStep, 12, format!("{:040x}", 12))),
            "{found:?}"
        );
        let step = &trend.platforms[0].series[0].change_points[0];
        assert!((step.change - 0.08).abs() < 1e-9, "{}", step.change);
    }

    #[test]
    fn newest_change_points_come_first() {
        let mut records: Vec<HistoryRecord> = (0..40)
            .map(|i| record(i, "a", 1000.0, if i >= 10 { 2000 } else { 1000 }))
            .collect();
        records.extend((0..40).map(|i| {
            let mut r = record(i, "a", 1000.0, if i >= 30 { 2000 } else { 1000 });
            r.benchmark = BenchmarkId::new("decay/10000").unwrap();
            r
        }));
        let trend = analyse(History {
            records,
            bad: Vec::new(),
        });
        let order: Vec<usize> = trend
            .change_points_newest_first()
            .iter()
            .map(|(_, _, c)| c.index)
            .collect();
        assert_eq!(order, [30, 10]);
    }
}
