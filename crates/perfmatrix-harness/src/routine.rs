//! A benchmark's prepared state and the routine whose calls are timed, erased behind one trait
//! so that criterion, the sample server and the counting mode time the very same code.

use std::time::{Duration, Instant};

/// The state a benchmark prepared (untimed) and the call that is timed, with an optional reset
/// before every call (untimed too: e.g. fresh inputs for a kernel that works in place).
pub struct Routine<S> {
    state: S,
    call: Step<S>,
    reset: Option<Step<S>>,
}

/// A call or a reset of a routine's state.
type Step<S> = Box<dyn FnMut(&mut S)>;

impl<S> std::fmt::Debug for Routine<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Routine")
            .field("reset", &self.reset.is_some())
            .finish_non_exhaustive()
    }
}

impl<S> Routine<S> {
    /// `call` is what is timed, on `state`.
    pub fn new(state: S, call: impl FnMut(&mut S) + 'static) -> Self {
        Self {
            state,
            call: Box::new(call),
            reset: None,
        }
    }

    /// Runs `reset` before every call, outside the timing (each call is then timed on its own).
    #[must_use]
    pub fn with_reset(mut self, reset: impl FnMut(&mut S) + 'static) -> Self {
        self.reset = Some(Box::new(reset));
        self
    }
}

/// What every mode needs of a prepared benchmark.
pub(crate) trait Prepared {
    /// Wall time of `iters` calls (resets excluded), plus the planted slowdown.
    fn time(&mut self, iters: u64, slowdown: Option<f64>) -> Duration;
    /// The reset, then `region` around exactly one call.
    fn once_in(&mut self, region: &mut dyn FnMut(&mut dyn FnMut()));
}

impl<S> Prepared for Routine<S> {
    fn time(&mut self, iters: u64, slowdown: Option<f64>) -> Duration {
        let elapsed = match &mut self.reset {
            None => {
                let start = Instant::now();
                for _ in 0..iters {
                    (self.call)(&mut self.state);
                }
                start.elapsed()
            }
            Some(reset) => {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    reset(&mut self.state);
                    let start = Instant::now();
                    (self.call)(&mut self.state);
                    total += start.elapsed();
                }
                total
            }
        };
        match slowdown {
            None => elapsed,
            Some(fraction) => elapsed + spin(elapsed.mul_f64(fraction)),
        }
    }

    fn once_in(&mut self, region: &mut dyn FnMut(&mut dyn FnMut())) {
        if let Some(reset) = &mut self.reset {
            reset(&mut self.state);
        }
        let (call, state) = (&mut self.call, &mut self.state);
        region(&mut || call(state));
    }
}

/// Busy-waits for `extra` and returns how long it really took.
fn spin(extra: Duration) -> Duration {
    let start = Instant::now();
    while start.elapsed() < extra {
        std::hint::spin_loop();
    }
    start.elapsed()
}
