//! From a run's results to its verdict against the committed baselines: select them once, then
//! judge (a pure comparison, as often as the run is measured). Measuring again is the bench
//! flow's ([`crate::bench::measure_and_judge`]), never the judge's.

use std::path::Path;

use perfmatrix_model::{Config, Judging, Report, Results, Selection, select, select_counts};

/// The committed baselines a run is judged against, chosen once per run: the wall-time
/// baseline of its machine class, and the count baseline of its build when it counted.
#[derive(Debug)]
pub(crate) struct Against {
    time: Selection,
    counts: Option<Selection>,
}

impl Against {
    /// Selects from the folder `baselines` for `results`' fingerprint; paths in reports are
    /// named as the workspace at `root` names them, wherever it is checked out.
    pub(crate) fn select(baselines: &Path, results: &Results, root: &Path) -> anyhow::Result<Self> {
        let time = select(baselines, &results.fingerprint)?;
        // Only a count measured needs a count baseline: benchmarks that could not be counted
        // (plain criterion ones, no valgrind) get no advice to record one.
        let counted = results.benchmarks.iter().any(|b| {
            b.counts.as_ref().is_some_and(|c| {
                c.instructions.value().is_some() || c.peak_rss_bytes.value().is_some()
            })
        });
        let counts = if counted {
            let preferred = match &time {
                Selection::Matched { path, .. } => Some(path.as_path()),
                Selection::NoComparable { .. } => None,
            };
            Some(select_counts(baselines, &results.fingerprint, preferred)?)
        } else {
            None
        };
        Ok(Self {
            time: time.relative_to(root),
            counts: counts.map(|s| s.relative_to(root)),
        })
    }

    /// The verdict of `results` against these baselines, under `judging`. `record` is the command
    /// that records a baseline for this platform.
    pub(crate) fn judge(
        &self,
        results: &Results,
        config: &Config,
        record: &perfmatrix_model::RecordCommand,
        judging: Judging<'_>,
    ) -> anyhow::Result<Report> {
        Ok(Report::build(
            results,
            &self.time,
            self.counts.as_ref(),
            config,
            record,
            judging,
        )?)
    }
}

/// The benchmark filter as a regular expression (criterion's syntax, the `regex` crate), or a
/// clear error naming it instead of criterion's panic.
pub(crate) fn check_filter(filter: Option<&str>) -> anyhow::Result<Option<regex::Regex>> {
    filter
        .map(|f| {
            regex::Regex::new(f).map_err(|err| {
                anyhow::anyhow!(
                    "the benchmark filter {f:?} is not a valid regular expression:\n{err}"
                )
            })
        })
        .transpose()
}

/// A criterion filter (a regular expression) that matches exactly these ids.
pub(crate) fn exactly<S: AsRef<str>>(ids: &[S]) -> String {
    let escaped: Vec<String> = ids.iter().map(|id| regex::escape(id.as_ref())).collect();
    format!("^(?:{})$", escaped.join("|"))
}

/// `ids` as a progress line names them: `a/1, b/2`.
pub(crate) fn listed<S: AsRef<str>>(ids: &[S]) -> String {
    let ids: Vec<&str> = ids.iter().map(AsRef::as_ref).collect();
    ids.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A run whose benchmarks could not be counted selects no count baseline, so its report
    /// never advises recording one (right after recording, it would be wrong advice).
    #[test]
    fn uncountable_benchmarks_need_no_count_baseline() {
        use perfmatrix_model::{
            BenchResult, BenchmarkId, Counts, Measured, SampleSummary, Unmeasured,
        };
        let samples_ns = perfmatrix_stats::Sample::new(vec![100.0, 101.0, 99.0]).unwrap();
        let mut bench = BenchResult {
            id: BenchmarkId::new("words/180").unwrap(),
            throughput: None,
            summary: SampleSummary::of(&samples_ns),
            samples_ns,
            counts: Some(Counts {
                instructions: Measured::unavailable(Unmeasured::NotOnHarness),
                peak_rss_bytes: Measured::unavailable(Unmeasured::NotOnHarness),
            }),
            seconds: None,
        };
        let run = |bench: &BenchResult| {
            Results::new(
                perfmatrix_fingerprint::Fingerprint::example(),
                crate::suite::FULL,
                1,
                vec![bench.clone()],
            )
        };
        let dir = tempfile::tempdir().unwrap();
        let against = Against::select(dir.path(), &run(&bench), dir.path()).unwrap();
        assert!(against.counts.is_none());
        bench.counts.as_mut().unwrap().instructions = Measured::Value { value: 1234 };
        let against = Against::select(dir.path(), &run(&bench), dir.path()).unwrap();
        assert!(against.counts.is_some());
    }

    #[test]
    fn a_bad_filter_is_an_error_naming_it() {
        let err = check_filter(Some("(")).unwrap_err().to_string();
        assert!(
            err.starts_with("the benchmark filter \"(\" is not a valid"),
            "{err}"
        );
        assert!(check_filter(Some("^cosine/")).unwrap().is_some());
        assert!(check_filter(None).unwrap().is_none());
    }

    #[test]
    fn the_filter_matches_exactly_the_ids() {
        let f = exactly(&[
            "cosine/768x1000".to_owned(),
            "spread/100n-500e-100i".to_owned(),
        ]);
        assert_eq!(f, r"^(?:cosine/768x1000|spread/100n\-500e\-100i)$");
        let special = exactly(&["a.b(c)+d".to_owned()]);
        let re = regex::Regex::new(&special).unwrap();
        assert!(re.is_match("a.b(c)+d") && !re.is_match("aXb(c)+d") && !re.is_match("a.b(c)+dd"));
    }
}
