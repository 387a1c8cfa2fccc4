//! A paired run's time budget (`bench --budget 20m`, the `budget` setting): how long `bench` may
//! take from its start to its verdict. The CI leg's timeout follows from it.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// Minutes a CI leg gets beyond its budget: checkout, toolchain, cache, valgrind, upload.
pub const LEG_SETUP_MINUTES: u32 = 10;

/// The longest budget, in minutes: GitHub's 360-minute limit for a job, less the setup.
pub const MAX_BUDGET_MINUTES: u32 = 360 - LEG_SETUP_MINUTES;

/// A time budget: whole seconds, from one second to [`MAX_BUDGET_MINUTES`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TimeBudget(u64);

impl TimeBudget {
    /// A budget of `seconds`, when it is within the limits.
    #[must_use]
    pub fn from_seconds(seconds: u64) -> Option<Self> {
        (1..=u64::from(MAX_BUDGET_MINUTES) * 60)
            .contains(&seconds)
            .then_some(Self(seconds))
    }

    /// The budget in seconds.
    #[must_use]
    pub fn seconds(self) -> u64 {
        self.0
    }

    /// The budget as a duration.
    #[must_use]
    pub fn duration(self) -> Duration {
        Duration::from_secs(self.0)
    }

    /// The `timeout-minutes` of a CI leg with this budget: the budget, rounded up to whole
    /// minutes, and [`LEG_SETUP_MINUTES`]; never more than GitHub's 360.
    #[must_use]
    pub fn leg_timeout_minutes(self) -> u32 {
        let minutes = u32::try_from(self.0.div_ceil(60)).unwrap_or(MAX_BUDGET_MINUTES);
        minutes.min(MAX_BUDGET_MINUTES) + LEG_SETUP_MINUTES
    }
}

impl FromStr for TimeBudget {
    type Err = String;

    /// `90s`, `20m`, `1h 30m`, `1h30m` (humantime's units); sub-second parts are dropped.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let duration = humantime::parse_duration(text.trim()).map_err(|e| {
            format!("`{text}` is not a duration like \"90s\", \"20m\" or \"1h 30m\": {e}")
        })?;
        Self::from_seconds(duration.as_secs()).ok_or_else(|| {
            format!(
                "`{text}` is out of range: a budget is from 1s to {MAX_BUDGET_MINUTES}m (GitHub's \
                 360 minutes for a job, less {LEG_SETUP_MINUTES} for its setup)"
            )
        })
    }
}

impl fmt::Display for TimeBudget {
    /// As humantime writes it: `20m`, `1h 30m`, `45s`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", humantime::format_duration(self.duration()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budgets_are_read_as_people_write_them() {
        let secs = |t: &str| t.parse::<TimeBudget>().map(TimeBudget::seconds);
        assert_eq!(secs("90s"), Ok(90));
        assert_eq!(secs("20m"), Ok(1200));
        assert_eq!(secs("1h 30m"), Ok(5400));
        assert_eq!(secs(" 1h30m "), Ok(5400));
        assert_eq!(secs("350m"), Ok(21_000));
        for bad in ["", "20", "fast", "0s", "500ms", "351m", "-5m", "6h"] {
            assert!(secs(bad).is_err(), "{bad}");
        }
        assert!(secs("20").unwrap_err().contains("`20`"));
    }

    #[test]
    fn the_leg_timeout_follows_from_the_budget() {
        let leg = |t: &str| t.parse::<TimeBudget>().unwrap().leg_timeout_minutes();
        assert_eq!(leg("20m"), 30);
        assert_eq!(leg("61s"), 12);
        assert_eq!(leg("350m"), 360);
        assert_eq!(
            "1h 30m".parse::<TimeBudget>().unwrap().to_string(),
            "1h 30m"
        );
    }
}
