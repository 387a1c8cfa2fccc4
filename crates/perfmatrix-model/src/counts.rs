//! The counts of a report row — instruction counts and peak memory — compared with the
//! count baseline, and the row's overall verdict: the worst metric's, with the metric named.

use perfmatrix_stats::{CountComparison, StatsError, compare_counts, compare_peak};

use crate::report::{CountNote, CountRow, Metric};
use crate::{Baseline, BenchmarkId, Config, Measured, ModelError, Results, Row, RowVerdict};

/// Whether `verdict` is the outcome of a comparison (rather than a reason there is none).
pub(crate) fn is_comparison(verdict: RowVerdict) -> bool {
    matches!(
        verdict,
        RowVerdict::Improved
            | RowVerdict::Unchanged
            | RowVerdict::Inconclusive
            | RowVerdict::Warning
            | RowVerdict::Regressed
    )
}

/// Fills in `row`'s counts from the run's counts and the count baseline (`None`: no
/// comparable one), then its overall verdict.
pub(crate) fn attach(
    row: &mut Row,
    results: &Results,
    baseline: Option<&Baseline>,
    config: &Config,
) -> Result<(), ModelError> {
    let Ok(id) = BenchmarkId::new(row.id.clone()) else {
        return Ok(());
    };
    if let Some(counts) = results.get(&id).and_then(|b| b.counts.as_ref()) {
        let gates = config.gates_for(&id);
        let base = baseline.and_then(|b| b.get(&id));
        row.instructions = Some(row_of(
            &id,
            &counts.instructions,
            baseline.is_some(),
            base.and_then(|b| b.instructions),
            |b, n| compare_counts(b, n, gates.instructions),
        )?);
        row.peak_memory = Some(row_of(
            &id,
            &counts.peak_rss_bytes,
            baseline.is_some(),
            base.and_then(|b| b.peak_rss_bytes),
            |b, n| compare_peak(b, n, gates.peak_memory_limit.get()),
        )?);
    }
    let (verdict, metric) = overall(row);
    row.verdict = verdict;
    row.decided_by = metric;
    Ok(())
}

/// One count of benchmark `id`: unavailable, no baseline, new, or `compare`'s verdict.
pub(crate) fn row_of(
    id: &BenchmarkId,
    measured: &Measured,
    has_baseline: bool,
    base: Option<u64>,
    compare: impl Fn(u64, u64) -> Result<CountComparison, StatsError>,
) -> Result<CountRow, ModelError> {
    let new = match measured {
        Measured::Unavailable { why } => {
            return Ok(CountRow {
                verdict: RowVerdict::Unavailable,
                new: None,
                base,
                change: None,
                note: Some(CountNote::Unmeasured(why.clone())),
            });
        }
        Measured::Value { value } => *value,
    };
    let row = |verdict, change| CountRow {
        verdict,
        new: Some(new),
        base,
        change,
        note: None,
    };
    Ok(match (has_baseline, base) {
        (false, _) => row(RowVerdict::NoBaseline, None),
        (true, None) => row(RowVerdict::New, None),
        (true, Some(base)) => {
            let c = compare(base, new).map_err(|source| ModelError::CompareCounts {
                id: id.clone(),
                source,
            })?;
            row(c.verdict.into(), Some(c.change))
        }
    })
}

/// The worst verdict among the metrics that were compared (instructions first on a tie: an
/// exact count is the most trustworthy witness), or wall time's when none was compared. When
/// nothing got worse (the worst is unchanged) but a metric improved, the row is improved, by that
/// metric: peak memory is never "improved", and must not hide what the others show.
pub(crate) fn overall(row: &Row) -> (RowVerdict, Metric) {
    let metrics = [
        (
            row.instructions.as_ref().map(|e| e.verdict),
            Metric::Instructions,
        ),
        (Some(row.time_verdict), Metric::Time),
        (
            row.peak_memory.as_ref().map(|e| e.verdict),
            Metric::PeakMemory,
        ),
    ];
    let compared = metrics
        .iter()
        .filter_map(|(v, m)| v.filter(|v| is_comparison(*v)).map(|v| (v, *m)));
    let mut worst: Option<(RowVerdict, Metric)> = None;
    let mut improved: Option<Metric> = None;
    for (verdict, metric) in compared {
        if verdict == RowVerdict::Improved && improved.is_none() {
            improved = Some(metric);
        }
        if worst.is_none_or(|(w, _)| verdict > w) {
            worst = Some((verdict, metric));
        }
    }
    match (worst, improved) {
        (Some((RowVerdict::Unchanged, _)), Some(metric)) => (RowVerdict::Improved, metric),
        (Some(worst), _) => worst,
        (None, _) => (row.time_verdict, Metric::Time),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(verdict: RowVerdict) -> CountRow {
        CountRow {
            verdict,
            new: None,
            base: None,
            change: None,
            note: None,
        }
    }

    fn row(time: RowVerdict, instructions: RowVerdict, memory: RowVerdict) -> Row {
        Row {
            instructions: Some(counts(instructions)),
            peak_memory: Some(counts(memory)),
            ..Row::bare(crate::BenchmarkId::new("a/1").unwrap(), time)
        }
    }

    #[test]
    fn the_worst_compared_metric_decides() {
        use RowVerdict::{Improved, NoBaseline, Regressed, Unavailable, Unchanged, Warning};
        let cases = [
            (
                row(Unchanged, Regressed, Unchanged),
                (Regressed, Metric::Instructions),
            ),
            (
                row(Regressed, Unchanged, Unchanged),
                (Regressed, Metric::Time),
            ),
            (
                row(Warning, Warning, Unchanged),
                (Warning, Metric::Instructions),
            ),
            (
                row(Unchanged, Unchanged, Regressed),
                (Regressed, Metric::PeakMemory),
            ),
            // Nothing worse and something better: improved, by what improved.
            (
                row(Improved, Unchanged, Unchanged),
                (Improved, Metric::Time),
            ),
            (
                row(Improved, Improved, Unchanged),
                (Improved, Metric::Instructions),
            ),
            (
                row(Improved, Warning, Unchanged),
                (Warning, Metric::Instructions),
            ),
            // Unavailable or uncompared metrics never decide, nor make a row worse.
            (
                row(Unchanged, Unavailable, Unavailable),
                (Unchanged, Metric::Time),
            ),
            (
                row(NoBaseline, Warning, Unchanged),
                (Warning, Metric::Instructions),
            ),
            (
                row(NoBaseline, Unavailable, NoBaseline),
                (NoBaseline, Metric::Time),
            ),
        ];
        for (r, expected) in cases {
            assert_eq!(overall(&r), expected, "{r:?}");
        }
    }

    #[test]
    fn count_rows_say_why_they_have_no_verdict() {
        let cmp = |b: u64, n: u64| compare_counts(b, n, perfmatrix_stats::INSTRUCTION_THRESHOLDS);
        let id = BenchmarkId::new("decay/1000").unwrap();
        let why = crate::Unmeasured::NoValgrind {
            install: "sudo apt-get install valgrind".to_owned(),
        };
        let unavailable = Measured::unavailable(why.clone());
        let r = row_of(&id, &unavailable, true, Some(10), cmp).unwrap();
        assert_eq!(r.verdict, RowVerdict::Unavailable);
        assert_eq!(r.note, Some(CountNote::Unmeasured(why)));
        assert_eq!(r.new, None, "never a zero");
        let value = Measured::Value { value: 1_020 };
        assert_eq!(
            row_of(&id, &value, false, None, cmp).unwrap().verdict,
            RowVerdict::NoBaseline
        );
        assert_eq!(
            row_of(&id, &value, true, None, cmp).unwrap().verdict,
            RowVerdict::New
        );
        let r = row_of(&id, &value, true, Some(1_000), cmp).unwrap();
        assert_eq!(r.verdict, RowVerdict::Regressed);
        assert!((r.change.unwrap() - 0.02).abs() < 1e-12);
    }

    #[test]
    fn a_count_the_statistics_refuse_is_an_error_naming_the_benchmark() {
        let id = BenchmarkId::new("decay/1000").unwrap();
        let value = Measured::Value { value: 1_020 };
        // A base count of 0 cannot be compared (no relative change exists).
        let err = row_of(&id, &value, true, Some(0), |b, n| {
            compare_counts(b, n, perfmatrix_stats::INSTRUCTION_THRESHOLDS)
        })
        .unwrap_err();
        assert!(
            matches!(&err, ModelError::CompareCounts { id: named, .. } if *named == id),
            "{err:?}"
        );
        assert!(
            err.to_string()
                .starts_with("comparing the counts of `decay/1000`: "),
            "{err}"
        );
    }
}
