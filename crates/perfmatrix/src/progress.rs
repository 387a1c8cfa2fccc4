//! Progress of a measurement, benchmark by benchmark, with the one estimate of the time left for
//! the paired and the committed-baseline runs alike: a progress bar on a terminal, plain lines
//! where output is a log (CI, a pipe, a file, `TERM=dumb`).

use std::io::{IsTerminal, Write as _};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};

/// Seconds left once `finished` of `total` benchmarks took `elapsed` seconds, at their average
/// pace; `None` before the first one finished.
pub(crate) fn seconds_left(elapsed: f64, finished: usize, total: usize) -> Option<f64> {
    (finished > 0).then(|| elapsed / finished as f64 * total.saturating_sub(finished) as f64)
}

/// `, about N s left` for a progress line, or nothing before there is a pace to go by.
pub(crate) fn left_text(elapsed: f64, finished: usize, total: usize) -> String {
    seconds_left(elapsed, finished, total)
        .map_or_else(String::new, |s| format!(", about {s:.0} s left"))
}

/// ` (N failed)` for a progress line's count of benchmarks, or nothing when none failed.
pub(crate) fn failed_text(failed: usize) -> String {
    if failed == 0 {
        String::new()
    } else {
        format!(" ({failed} failed)")
    }
}

/// Whether progress may redraw a bar: stderr is a terminal that can move its cursor, and this is
/// not a CI job (whose log is a terminal on some services but is read as lines).
fn bar_allowed() -> bool {
    bar_allowed_for(
        std::io::stderr().is_terminal(),
        std::env::var_os("CI").is_some(),
        std::env::var("TERM").ok().as_deref(),
    )
}

/// [`bar_allowed`] from its facts: whether stderr is a terminal, whether `CI` is set, and `TERM`.
fn bar_allowed_for(terminal: bool, ci: bool, term: Option<&str>) -> bool {
    terminal && !ci && term != Some("dumb")
}

/// Which events get a line in a log: a run that only learns when each benchmark begins
/// (criterion's output) logs those; one that knows how each came out logs that instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Logged {
    Begins,
    Results,
}

/// The progress of `total` benchmarks measured one after another.
#[derive(Debug)]
pub(crate) struct Progress {
    /// Put before every line (`run 2/3: `), or empty.
    label: String,
    total: usize,
    logged: Logged,
    start: Instant,
    bar: Option<ProgressBar>,
}

impl Progress {
    /// Starts the clock: a bar on a terminal, lines of the `logged` events otherwise.
    pub(crate) fn new(label: &str, total: usize, logged: Logged) -> Self {
        let bar = bar_allowed().then(|| bar(label, total));
        Self {
            label: label.to_owned(),
            total,
            logged,
            start: Instant::now(),
            bar,
        }
    }

    /// Seconds since [`Progress::new`].
    pub(crate) fn elapsed(&self) -> f64 {
        self.start.elapsed().as_secs_f64()
    }

    /// Benchmark `id` begins, `finished` benchmarks being done: the bar names it; a log of
    /// [`Logged::Begins`] gets the line `[k/N] <id>  (E s elapsed, about L s left)`.
    pub(crate) fn begins(&self, finished: usize, id: &str) {
        match &self.bar {
            Some(bar) => {
                bar.set_position(finished as u64);
                bar.set_message(id.to_owned());
            }
            None if self.logged == Logged::Results => {}
            None => {
                let elapsed = self.elapsed();
                let left = left_text(elapsed, finished, self.total);
                self.line(&format!(
                    "[{}/{}] {id}  ({elapsed:.0} s elapsed{left})",
                    finished + 1,
                    self.total
                ));
            }
        }
    }

    /// Benchmark number `finished` (from 1) is done, and `what` says how it came out: one line
    /// `[k/N] <what> (E s elapsed, about L s left)`, above the bar on a terminal (for
    /// [`Logged::Results`]; the bar only advances otherwise).
    pub(crate) fn done(&self, finished: usize, what: &str) {
        if self.logged == Logged::Begins {
            if let Some(bar) = &self.bar {
                bar.set_position(finished as u64);
            }
            return;
        }
        let elapsed = self.elapsed();
        let left = left_text(elapsed, finished, self.total);
        self.line(&format!(
            "[{finished}/{}] {what} ({elapsed:.0} s elapsed{left})",
            self.total
        ));
        if let Some(bar) = &self.bar {
            bar.set_position(finished as u64);
        }
    }

    /// A line of text, with the label, above the bar if there is one.
    pub(crate) fn line(&self, text: &str) {
        let line = format!("{}{text}", self.label);
        match &self.bar {
            Some(bar) => bar.println(line),
            None => {
                let _ = writeln!(std::io::stderr().lock(), "{line}");
            }
        }
    }

    /// Removes the bar (a log keeps its lines); later lines are plain.
    pub(crate) fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

impl Drop for Progress {
    /// An error on the way out must not leave a half-drawn bar behind its message.
    fn drop(&mut self) {
        self.finish();
    }
}

/// The terminal's bar: `label [=====>    ] 3/9 decay/1000  12 s elapsed, about 24 s left`.
fn bar(label: &str, total: usize) -> ProgressBar {
    let style = ProgressStyle::with_template(
        "{prefix}[{bar:24}] {pos}/{len} {msg}  {elapsed_s} s elapsed{left}",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar())
    .progress_chars("=> ")
    .with_key(
        "elapsed_s",
        |state: &ProgressState, w: &mut dyn std::fmt::Write| {
            let _ = write!(w, "{:.0}", state.elapsed().as_secs_f64());
        },
    )
    .with_key(
        "left",
        |state: &ProgressState, w: &mut dyn std::fmt::Write| {
            let total = state.len().unwrap_or(0) as usize;
            let text = left_text(state.elapsed().as_secs_f64(), state.pos() as usize, total);
            let _ = w.write_str(&text);
        },
    );
    let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr())
        .with_style(style)
        .with_prefix(label.to_owned());
    bar.enable_steady_tick(Duration::from_millis(500));
    bar
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_estimate_follows_the_average_pace() {
        assert_eq!(seconds_left(10.0, 0, 9), None);
        assert_eq!(seconds_left(10.0, 2, 9), Some(35.0));
        assert_eq!(seconds_left(10.0, 9, 9), Some(0.0));
        assert_eq!(left_text(10.0, 0, 9), "");
        assert_eq!(left_text(10.0, 2, 6), ", about 20 s left");
    }

    #[test]
    fn only_an_interactive_terminal_gets_a_bar() {
        assert!(bar_allowed_for(true, false, Some("xterm-256color")));
        assert!(bar_allowed_for(true, false, None));
        assert!(
            !bar_allowed_for(false, false, Some("xterm")),
            "a pipe or a file"
        );
        assert!(!bar_allowed_for(true, true, Some("xterm")), "a CI log");
        assert!(!bar_allowed_for(true, false, Some("dumb")));
    }
}
