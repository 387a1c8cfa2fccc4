//! Test-only slowdown knob (cargo feature `plant-slowdown`) for the experiment in
//! docs/statistics.md: `PERFMATRIX_PLANT_SLOWDOWN=decay=0.15` makes every decay call spin for 15% of
//! its own duration. Without the feature, [`Guard`] is an empty type and compiles to nothing.

/// Env var naming the kernel and the fraction to add: `<kernel>=<fraction>`.
pub const PLANT_ENV: &str = "PERFMATRIX_PLANT_SLOWDOWN";

#[cfg(feature = "plant-slowdown")]
mod active {
    use std::sync::OnceLock;
    use std::time::Instant;

    use crate::Kernel;

    fn plan() -> Option<(Kernel, f64)> {
        static PLAN: OnceLock<Option<(Kernel, f64)>> = OnceLock::new();
        *PLAN.get_or_init(|| {
            let text = std::env::var(super::PLANT_ENV).ok()?;
            let (name, fraction) = text.split_once('=')?;
            let kernel = Kernel::ALL.into_iter().find(|k| k.name() == name.trim())?;
            let fraction: f64 = fraction.trim().parse().ok()?;
            (fraction.is_finite() && fraction > 0.0).then_some((kernel, fraction))
        })
    }

    /// Spins on drop for the planted fraction of the time since it was created.
    #[derive(Debug)]
    pub(crate) struct Guard {
        started: Instant,
        fraction: f64,
    }

    impl Guard {
        pub(crate) fn new(kernel: Kernel) -> Option<Self> {
            let (planted, fraction) = plan()?;
            (planted == kernel).then(|| Self {
                started: Instant::now(),
                fraction,
            })
        }
    }

    impl Drop for Guard {
        fn drop(&mut self) {
            let extra = self.started.elapsed().mul_f64(self.fraction);
            let spin = Instant::now();
            while spin.elapsed() < extra {
                std::hint::spin_loop();
            }
        }
    }
}

#[cfg(feature = "plant-slowdown")]
pub(crate) use active::Guard;

/// Without the feature: nothing to plant.
#[cfg(not(feature = "plant-slowdown"))]
#[derive(Debug)]
pub(crate) struct Guard;

#[cfg(not(feature = "plant-slowdown"))]
impl Guard {
    #[inline]
    pub(crate) fn new(_kernel: crate::Kernel) -> Option<Self> {
        None
    }
}
