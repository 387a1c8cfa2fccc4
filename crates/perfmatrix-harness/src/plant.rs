//! The planted-change knobs of perfmatrix's experiments, parsed once for every benchmark.

/// Planted time: `<group>=<fraction>` spins for that fraction of each timed batch.
pub const PLANT_SLOWDOWN_ENV: &str = "PERFMATRIX_PLANT_SLOWDOWN";
/// Planted work: `<group>=<fraction>`, handed to the definitions as `Setup::work`.
pub const PLANT_WORK_ENV: &str = "PERFMATRIX_PLANT_WORK";

/// Both knobs as read from the environment.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plant {
    slowdown: Option<(String, f64)>,
    work: Option<(String, f64)>,
}

impl Plant {
    /// Reads both knobs; an error names the variable and says what is wrong.
    pub fn from_env() -> Result<Self, PlantError> {
        Ok(Self {
            slowdown: parse(PLANT_SLOWDOWN_ENV, std::env::var(PLANT_SLOWDOWN_ENV).ok())?,
            work: parse(PLANT_WORK_ENV, std::env::var(PLANT_WORK_ENV).ok())?,
        })
    }

    /// The planted slowdown of benchmark `id`, if its group is planted.
    #[must_use]
    pub fn slowdown_for(&self, id: &str) -> Option<f64> {
        matching(self.slowdown.as_ref(), id)
    }

    /// The planted extra work of benchmark `id`, if its group is planted.
    #[must_use]
    pub fn work_for(&self, id: &str) -> Option<f64> {
        matching(self.work.as_ref(), id)
    }
}

fn matching(knob: Option<&(String, f64)>, id: &str) -> Option<f64> {
    let (group, fraction) = knob?;
    let in_group = id == group
        || id
            .strip_prefix(group.as_str())
            .is_some_and(|rest| rest.starts_with('/'));
    in_group.then_some(*fraction)
}

/// A knob that does not parse: the variable, its value, and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{var}=`{value}` {problem}; expected e.g. `decay=0.05`")]
pub struct PlantError {
    /// The environment variable.
    pub var: &'static str,
    /// What it holds.
    pub value: String,
    /// What is wrong with it.
    pub problem: PlantProblem,
}

/// What is wrong with a knob's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PlantProblem {
    /// No `=` between group and fraction.
    #[error("has no `=`")]
    NoEquals,
    /// Nothing before the `=`.
    #[error("names no benchmark group")]
    NoGroup,
    /// A fraction that does not parse as a number.
    #[error("has a fraction that is not a number")]
    NotANumber,
    /// A fraction outside (0, 1].
    #[error("has a fraction outside (0, 1]")]
    OutOfRange,
}

/// `<group>=<fraction>` with the fraction in (0, 1]; unset or blank is no plant.
fn parse(var: &'static str, value: Option<String>) -> Result<Option<(String, f64)>, PlantError> {
    let Some(value) = value.filter(|v| !v.trim().is_empty()) else {
        return Ok(None);
    };
    let bad = |problem| PlantError {
        var,
        value: value.clone(),
        problem,
    };
    let (group, fraction) = value
        .split_once('=')
        .ok_or_else(|| bad(PlantProblem::NoEquals))?;
    let group = group.trim();
    if group.is_empty() {
        return Err(bad(PlantProblem::NoGroup));
    }
    let fraction: f64 = fraction
        .trim()
        .parse()
        .map_err(|_| bad(PlantProblem::NotANumber))?;
    if !(fraction > 0.0 && fraction <= 1.0) {
        return Err(bad(PlantProblem::OutOfRange));
    }
    Ok(Some((group.to_owned(), fraction)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knobs_parse_and_match_by_group() {
        let knob = parse("V", Some("decay=0.05".into())).unwrap();
        let plant = Plant {
            slowdown: knob.clone(),
            work: None,
        };
        assert_eq!(plant.slowdown_for("decay/1000"), Some(0.05));
        assert_eq!(plant.slowdown_for("decayed/1000"), None);
        assert_eq!(plant.slowdown_for("cosine/768x100"), None);
        assert_eq!(plant.work_for("decay/1000"), None);
        assert_eq!(parse("V", None).unwrap(), None);
        assert_eq!(parse("V", Some("  ".into())).unwrap(), None);
        for (bad, problem) in [
            ("decay", PlantProblem::NoEquals),
            ("=0.1", PlantProblem::NoGroup),
            ("decay=x", PlantProblem::NotANumber),
            ("decay=0", PlantProblem::OutOfRange),
            ("decay=1.5", PlantProblem::OutOfRange),
            ("decay=NaN", PlantProblem::OutOfRange),
        ] {
            let err = parse("V", Some(bad.into())).unwrap_err();
            assert_eq!(err.problem, problem, "{bad}");
            assert!(err.to_string().starts_with(&format!("V=`{bad}`")), "{err}");
        }
    }
}
