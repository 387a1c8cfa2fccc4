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
    pub fn from_env() -> Result<Self, String> {
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

/// `<group>=<fraction>` with the fraction in (0, 1]; unset or blank is no plant.
fn parse(var: &str, value: Option<String>) -> Result<Option<(String, f64)>, String> {
    let Some(value) = value.filter(|v| !v.trim().is_empty()) else {
        return Ok(None);
    };
    let bad = |why: &str| format!("{var}=`{value}` {why}; expected e.g. `decay=0.05`");
    let (group, fraction) = value.split_once('=').ok_or_else(|| bad("has no `=`"))?;
    let group = group.trim();
    if group.is_empty() {
        return Err(bad("names no benchmark group"));
    }
    let fraction: f64 = fraction
        .trim()
        .parse()
        .map_err(|_| bad("has a fraction that is not a number"))?;
    if !(fraction > 0.0 && fraction <= 1.0) {
        return Err(bad("has a fraction outside (0, 1]"));
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
        for bad in [
            "decay",
            "=0.1",
            "decay=x",
            "decay=0",
            "decay=1.5",
            "decay=NaN",
        ] {
            let err = parse("V", Some(bad.into())).unwrap_err();
            assert!(err.starts_with(&format!("V=`{bad}`")), "{err}");
        }
    }
}
