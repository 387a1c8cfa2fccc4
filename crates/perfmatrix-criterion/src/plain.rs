//! The plain mode: what `cargo bench` runs when a project depends on this layer under
//! criterion's name by choice (`criterion = { package = "perfmatrix-criterion", … }`). Each
//! benchmark whose id contains the filter is calibrated to samples of about 10 ms, warmed up for
//! half a second and timed over 20 samples; one line per benchmark gives the fastest, median and
//! slowest time per iteration. `--list` lists the ids as criterion does (`<id>: benchmark`);
//! `--test` runs every routine once, as `cargo test --benches` asks. criterion's other options
//! are accepted and ignored. perfmatrix's statistics are in `cargo perfmatrix bench`, not here.

use std::time::{Duration, Instant};

use crate::bencher::{Bencher, Task};
use crate::measurement::Measurement;

/// What `cargo bench` asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Plain {
    /// Only ids that contain it.
    pub(crate) filter: Option<String>,
    pub(crate) action: Action,
}

/// What to do with each benchmark that passes the filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    Time,
    List,
    Test,
}

/// criterion's options that take a value, whose value is not a filter.
const WITH_VALUE: &[&str] = &[
    "--save-baseline",
    "-s",
    "--baseline",
    "-b",
    "--baseline-lenient",
    "--load-baseline",
    "--measurement-time",
    "--warm-up-time",
    "--sample-size",
    "--nresamples",
    "--noise-threshold",
    "--confidence-level",
    "--significance-level",
    "--profile-time",
    "--plotting-backend",
    "--output-format",
    "--color",
    "--format",
    "--logfile",
];

impl Plain {
    /// From the binary's arguments (without `--bench`).
    pub(crate) fn parse(args: &[&str]) -> Self {
        let mut plain = Plain {
            filter: None,
            action: Action::Time,
        };
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            match *arg {
                "--list" => plain.action = Action::List,
                "--test" => plain.action = Action::Test,
                flag if WITH_VALUE.contains(&flag) => {
                    args.next();
                }
                flag if flag.starts_with('-') => {}
                filter => plain.filter = Some(filter.to_owned()),
            }
        }
        plain
    }

    fn wants(&self, id: &str) -> bool {
        self.filter.as_deref().is_none_or(|f| id.contains(f))
    }

    /// Runs the benchmark `id` (its closure `f`) as asked, if the filter passes it.
    pub(crate) fn bench<M: Measurement>(&self, id: &str, f: &mut dyn FnMut(&mut Bencher<'_, M>)) {
        if !self.wants(id) {
            return;
        }
        match self.action {
            Action::List => println!("{id}: benchmark"),
            Action::Test => {
                let mut b = Bencher::<M>::new(Task::Time(1));
                f(&mut b);
                println!("Testing {id}\nSuccess");
            }
            Action::Time => match time(f) {
                Some([fastest, median, slowest]) => println!(
                    "{id:<40} time: [{} {} {}]",
                    shown(fastest),
                    shown(median),
                    shown(slowest)
                ),
                None => println!("{id:<40} called no `iter` method of its Bencher"),
            },
        }
    }
}

/// Nanoseconds per iteration of `iters` calls.
fn sample<M: Measurement>(f: &mut dyn FnMut(&mut Bencher<'_, M>), iters: u64) -> Option<f64> {
    let mut b = Bencher::<M>::new(Task::Time(iters));
    f(&mut b);
    #[allow(
        clippy::cast_precision_loss,
        reason = "nanoseconds of one sample: far below 2^52"
    )]
    b.elapsed_ns.map(|ns| ns as f64 / iters as f64)
}

/// The fastest, median and slowest of 20 samples of about 10 ms, after half a second of warm-up.
fn time<M: Measurement>(f: &mut dyn FnMut(&mut Bencher<'_, M>)) -> Option<[f64; 3]> {
    let target = Duration::from_millis(10);
    let mut iters = 1_u64;
    let warm_up = Instant::now();
    loop {
        let per = sample(f, iters)?;
        let elapsed = Duration::from_secs_f64(per * 1e-9 * iters as f64);
        if elapsed >= target || iters >= 1 << 40 {
            if warm_up.elapsed() >= Duration::from_millis(500) {
                break;
            }
        } else {
            iters *= 2;
        }
    }
    let mut samples: Vec<f64> = (0..20).filter_map(|_| sample(f, iters)).collect();
    samples.sort_by(f64::total_cmp);
    Some([
        *samples.first()?,
        samples[samples.len() / 2],
        *samples.last()?,
    ])
}

/// A time per iteration in the unit criterion would use.
fn shown(ns: f64) -> String {
    match ns {
        ns if ns < 1e3 => format!("{ns:.2} ns"),
        ns if ns < 1e6 => format!("{:.2} µs", ns / 1e3),
        ns if ns < 1e9 => format!("{:.2} ms", ns / 1e6),
        ns => format!("{:.2} s", ns / 1e9),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn criterions_options_are_accepted_and_the_filter_found() {
        let plain = Plain::parse(&["--save-baseline", "main", "--noplot", "sum/"]);
        assert_eq!(plain.filter.as_deref(), Some("sum/"));
        assert_eq!(plain.action, Action::Time);
        assert!(plain.wants("sum/100") && !plain.wants("fib 15"));
        assert_eq!(Plain::parse(&["--list"]).action, Action::List);
        assert_eq!(Plain::parse(&["--test", "x"]).action, Action::Test);
        assert!(Plain::parse(&[]).wants("anything"));
    }

    #[test]
    fn times_are_shown_in_criterions_units() {
        assert_eq!(shown(12.345), "12.35 ns");
        assert_eq!(shown(1_500.0), "1.50 µs");
        assert_eq!(shown(2_500_000.0), "2.50 ms");
        assert_eq!(shown(3e9), "3.00 s");
    }
}
