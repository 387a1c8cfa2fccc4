//! From a run's results to its verdict: select the baseline, compare, and measure again at once
//! every benchmark whose first measurement claims a change (regressed or improved). The second
//! measurement decides, so a burst of load from another tenant of a shared machine cannot fail a
//! run — or claim a speed-up — on its own, while a real change shows up in both measurements.

use std::path::Path;

use perfmatrix_model::{
    Config, Report, Results, RowVerdict, RunSettings, Selection, select, select_counts,
};

use crate::suite::BuiltSuite;

/// The verdict of a run, and what its first measurement said where it was re-measured.
#[derive(Debug)]
pub(crate) struct Judged {
    pub(crate) results: Results,
    pub(crate) report: Report,
    pub(crate) first_pass: Vec<(String, RowVerdict)>,
}

pub(crate) fn judge(
    suite: &BuiltSuite,
    mut results: Results,
    baselines: &Path,
    config: &Config,
    hint: &str,
) -> anyhow::Result<Judged> {
    let selection = select(baselines, &results.fingerprint)?;
    let counted = results.benchmarks.iter().any(|b| b.counts.is_some());
    let count_selection = if counted {
        let preferred = match &selection {
            Selection::Matched { path, .. } => Some(path.as_path()),
            Selection::NoComparable { .. } => None,
        };
        Some(select_counts(baselines, &results.fingerprint, preferred)?)
    } else {
        None
    };
    // Reports name the baselines as the workspace does, wherever it is checked out.
    let selection = selection.relative_to(&suite.suite.root);
    let count_selection = count_selection.map(|s| s.relative_to(&suite.suite.root));
    let report = Report::build(&results, &selection, count_selection.as_ref(), config, hint)?;
    let suspects = report.claimed_changes();
    if suspects.is_empty() {
        return Ok(Judged {
            results,
            report,
            first_pass: Vec::new(),
        });
    }
    let first_pass: Vec<(String, RowVerdict)> = report
        .rows
        .iter()
        .filter(|r| suspects.contains(&r.id))
        .map(|r| (r.id.clone(), r.verdict))
        .collect();
    eprintln!(
        "re-measuring {} benchmark(s) whose first measurement claims a change: {}",
        suspects.len(),
        suspects.join(", ")
    );
    let again = suite
        .with_settings(RunSettings {
            filter: Some(exactly(&suspects)),
            ..suite.suite.settings.clone()
        })
        .run("confirm: ")?;
    results.take_times_from(again);
    let mut report = Report::build(&results, &selection, count_selection.as_ref(), config, hint)?;
    report.mark_remeasured(&suspects);
    Ok(Judged {
        results,
        report,
        first_pass,
    })
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
pub(crate) fn exactly(ids: &[String]) -> String {
    let escaped: Vec<String> = ids.iter().map(|id| regex::escape(id)).collect();
    format!("^(?:{})$", escaped.join("|"))
}

#[cfg(test)]
mod tests {
    use super::*;

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
