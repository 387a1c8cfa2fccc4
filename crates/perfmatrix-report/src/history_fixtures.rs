//! Histories for the tests of the history pages, Markdown and badges: single points and series,
//! a sample trend of two platforms with a class change, change points of every signal and
//! hostile strings (`<`, `&`, quotes) in its ids, commits and slugs, and a large synthetic one.

use perfmatrix_history::{
    ChangePointFound, HistoryMode, Latest, MachineClass, PlatformTrend, Point, Run, Series, Signal,
    TREND_SCHEMA, TimeSummary, Trend,
};
use perfmatrix_model::{BenchmarkId, RowVerdict};

pub(crate) const X86: &str = "x86_64-unknown-linux-gnu";
pub(crate) const ARM: &str = "aarch64-unknown-linux-gnu";

/// A commit hash of 40 hex digits made from `n`.
pub(crate) fn commit(n: usize) -> String {
    let prefix = (n as u32).wrapping_mul(0x9e37_79b9) ^ 0xabc1_2345;
    format!("{prefix:08x}{n:032x}")
}

/// Run `i`: commit `i`, a day after run `i − 1`.
pub(crate) fn run(i: usize) -> Run {
    Run {
        commit: commit(i),
        dirty: false,
        date: format!("2024-{:02}-{:02}T09:30:00Z", 1 + (i / 28) % 12, 1 + i % 28),
        measured_unix: 1_700_000_000 + i as u64 * 86_400,
    }
}

/// A platform `triple` of `series` on `classes`, with as many runs ([`run`]) as its longest
/// series has points.
pub(crate) fn platform(
    triple: &str,
    classes: Vec<MachineClass>,
    series: Vec<Series>,
) -> PlatformTrend {
    let n = series.iter().map(|s| s.points.len()).max().unwrap_or(0);
    PlatformTrend {
        platform: perfmatrix_model::TargetTriple::parse(triple).expect("a fixture's triple"),
        classes,
        runs: (0..n).map(run).collect(),
        latest: None,
        series,
    }
}

/// A point of run `run` with a median of `median_ns` and a ±2% interval, on class `class`.
pub(crate) fn point(run: usize, median_ns: f64, class: usize) -> Point {
    Point {
        run: run as u32,
        class: class as u32,
        mode: HistoryMode::Committed,
        time: TimeSummary {
            median_ns,
            lower_ns: median_ns * 0.98,
            upper_ns: median_ns * 1.02,
        },
        instructions: None,
        change: None,
        verdict: Some(RowVerdict::Unchanged),
    }
}

pub(crate) fn series(id: &str, points: Vec<Point>) -> Series {
    Series::new(BenchmarkId::new(id).unwrap(), points)
}

/// A change point of `signal` at `index` of `series` (whose points are of runs [`run`]).
pub(crate) fn change_point(
    series: &Series,
    index: usize,
    signal: Signal,
    change: f64,
) -> ChangePointFound {
    let r = run(series.points[index].run as usize);
    ChangePointFound {
        index,
        commit: r.commit,
        date: r.date,
        measured_unix: r.measured_unix,
        signal,
        change,
        before: 1000.0,
        after: 1000.0 * (1.0 + change),
        p_value: Some(0.001),
        until: None,
        instructions_moved: (signal == Signal::Time).then_some(false),
    }
}

/// `n` points of benchmark `id`, a day apart, with a step of +`step` at `n / 2` and the class
/// changing at `class_from` (if any); instructions when `counted`.
pub(crate) fn stepped(
    id: &str,
    n: usize,
    step: f64,
    class_from: Option<usize>,
    counted: bool,
) -> Series {
    let points = (0..n)
        .map(|i| {
            let level = if i >= n / 2 {
                1000.0 * (1.0 + step)
            } else {
                1000.0
            };
            let wiggle = ((i * 37) % 11) as f64 - 5.0;
            let class = usize::from(class_from.is_some_and(|from| i >= from));
            let mut p = point(i, level + wiggle, class);
            if counted {
                p.instructions = Some(if i >= n / 2 { 1_050_000 } else { 1_000_000 });
            }
            p
        })
        .collect();
    series(id, points)
}

/// Two platforms: x86_64 with a class change, a time and an instructions change point and a
/// hostile benchmark id; aarch64 regressed with a paired drift.
pub(crate) fn sample() -> Trend {
    let mut step = stepped("cosine/768x1000", 80, 0.031, Some(60), true);
    let cp = change_point(&step, 40, Signal::Time, 0.031);
    let ci = change_point(&step, 40, Signal::Instructions, 0.05);
    step.change_points = vec![cp, ci];
    let mut hostile = stepped("spread/<b>&\"q'", 80, -0.2, Some(60), false);
    let c = change_point(&hostile, 40, Signal::Time, -0.2);
    hostile.change_points = vec![c];
    let flat = stepped("decay/flat", 80, 0.0, Some(60), false);
    let classes = vec![
        MachineClass {
            slug: "intel-xeon-8370c-2c".to_owned(),
            id: "aaaa".to_owned(),
        },
        MachineClass {
            slug: "amd-<epyc>&\"7763\"-2c".to_owned(),
            id: "bbbb".to_owned(),
        },
    ];
    let x86 = PlatformTrend {
        latest: Some(Latest {
            commit: commit(79),
            date: "2024-03-24T09:30:00Z".to_owned(),
            mode: HistoryMode::Committed,
            verdict: Some(RowVerdict::Unchanged),
        }),
        ..platform(X86, classes, vec![step, flat, hostile])
    };
    let mut drift = stepped("cosine/768x1000", 30, 0.08, None, false);
    for p in &mut drift.points {
        p.mode = HistoryMode::Paired;
    }
    let mut d = change_point(&drift, 10, Signal::PairedDrift, 0.08);
    d.until = Some(20);
    d.before = 1.0;
    d.after = 1.08;
    d.p_value = None;
    drift.change_points = vec![d];
    let arm_class = MachineClass {
        slug: "neoverse-n2-4c".to_owned(),
        id: "cccc".to_owned(),
    };
    let arm = PlatformTrend {
        latest: Some(Latest {
            commit: commit(29),
            date: "2024-01-30T09:30:00Z".to_owned(),
            mode: HistoryMode::Paired,
            verdict: Some(RowVerdict::Regressed),
        }),
        ..platform(ARM, vec![arm_class], vec![drift])
    };
    Trend {
        schema: TREND_SCHEMA.kind.to_owned(),
        version: TREND_SCHEMA.version,
        platforms: vec![arm, x86],
        skipped: vec![perfmatrix_history::BadRecord {
            source: "history/x86_64-unknown-linux-gnu.jsonl".to_owned(),
            place: perfmatrix_history::Place::Line(3),
            problem: perfmatrix_history::RecordProblem::NotJson {
                message: "expected value".to_owned(),
            },
        }],
    }
}

pub(crate) fn empty() -> Trend {
    Trend {
        schema: TREND_SCHEMA.kind.to_owned(),
        version: TREND_SCHEMA.version,
        platforms: Vec::new(),
        skipped: Vec::new(),
    }
}

/// One platform of `benchmarks` series of `points` points each; every tenth has a change point.
pub(crate) fn large(benchmarks: usize, points: usize) -> Trend {
    let series = (0..benchmarks)
        .map(|b| {
            let mut s = stepped(
                &format!("group{}/bench{b:05}", b % 10),
                points,
                0.01,
                None,
                b % 2 == 0,
            );
            if b % 10 == 0 {
                let c = change_point(&s, points / 2, Signal::Time, 0.01);
                s.change_points.push(c);
            }
            s
        })
        .collect();
    Trend {
        platforms: vec![platform(
            X86,
            vec![MachineClass {
                slug: "intel-xeon-8370c-2c".to_owned(),
                id: "aaaa".to_owned(),
            }],
            series,
        )],
        ..empty()
    }
}
