//! perfmatrix's criterion-compatible layer: the criterion API that bench code uses, implemented
//! so that a plain criterion bench target, unchanged, becomes a perfmatrix sample server.
//!
//! perfmatrix builds a workspace's bench targets against this crate in place of criterion (a
//! `[patch.crates-io]` given on cargo's command line, with this crate's manifest rewritten to
//! the name `criterion` and the version the workspace's lock file holds); the user's files and
//! their ordinary `cargo bench` are untouched. The binary then answers perfmatrix's modes, as a
//! `perfmatrix-harness` binary does (docs/harness.md):
//!
//! - `--perfmatrix-list`: the ids, one JSON line, exactly as criterion names them;
//! - `--perfmatrix-serve`: the sample server: `prepare <id>` runs the bench functions up to that
//!   benchmark, and each `time <iters>` calls its closure with a [`Bencher`] that times `iters`
//!   calls of the routine it is given, whatever the group's settings say;
//! - `--perfmatrix-count <id>`: one call of the routine inside
//!   `perfmatrix_criterion_count_region` for callgrind, and the peak resident memory;
//! - `--perfmatrix-count-each`: the same for each id read from standard input, one per line,
//!   each in a child forked for it (one valgrind start for them all).
//!
//! Without a perfmatrix mode (a project that depends on this crate under criterion's name by
//! choice, and runs `cargo bench`), it times each benchmark simply and prints one line each
//! (`plain`); `--list` and `--test` behave as criterion's.
//!
//! The protocol has a descriptor of its own: in every mode the layer moves its protocol lines to
//! a duplicate of the original standard output and points standard output at standard error,
//! so a benchmark that prints cannot break it.
//!
//! What it does not implement (async benchmarks, a custom [`measurement::Measurement`], a
//! profiler's hooks) fails to compile against it, and perfmatrix then measures that target with
//! criterion itself, in whole runs, and says why in the report.

mod bencher;
mod each;
mod group;
mod id;
mod plain;
mod session;

use std::time::Duration;

pub use bencher::{BatchSize, Bencher};
pub use group::BenchmarkGroup;
pub use id::{BenchmarkId, IntoBenchmarkId};

/// Keeps a value opaque to the optimiser (criterion's `black_box`, now `std::hint::black_box`).
#[inline]
pub fn black_box<T>(value: T) -> T {
    std::hint::black_box(value)
}

/// How much a benchmark processes per iteration; criterion reports rates with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Throughput {
    /// Bytes per iteration, shown in powers of 1024.
    Bytes(u64),
    /// Bytes per iteration, shown in powers of 1000.
    BytesDecimal(u64),
    /// Elements per iteration.
    Elements(u64),
    /// Elements and bytes per iteration.
    ElementsAndBytes {
        /// Elements per iteration.
        elements: u64,
        /// Bytes per iteration.
        bytes: u64,
    },
}

/// How criterion spreads iterations over samples; perfmatrix chooses its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SamplingMode {
    /// Criterion's choice.
    #[default]
    Auto,
    /// Iterations growing linearly from sample to sample.
    Linear,
    /// The same iterations in every sample.
    Flat,
}

/// The scale of a plot's axis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AxisScale {
    /// Linear.
    #[default]
    Linear,
    /// Logarithmic.
    Logarithmic,
}

/// How a group's summary plots are drawn; perfmatrix draws none.
#[derive(Debug, Clone, Default)]
pub struct PlotConfiguration {
    summary_scale: AxisScale,
}

impl PlotConfiguration {
    /// Sets the scale of the summary plots' axes.
    #[must_use]
    pub fn summary_scale(mut self, scale: AxisScale) -> Self {
        self.summary_scale = scale;
        self
    }
}

/// Which library criterion draws plots with; perfmatrix draws none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlottingBackend {
    /// gnuplot.
    Gnuplot,
    /// plotters.
    Plotters,
    /// No plots.
    None,
}

/// What is measured: wall time only, here.
pub mod measurement {
    use std::time::Duration;

    mod sealed {
        pub trait Sealed {}
    }

    /// A measurement criterion can make. Only [`WallTime`] is implemented: a benchmark with a
    /// measurement of its own does not compile against this layer, and perfmatrix measures it
    /// with criterion itself.
    pub trait Measurement: sealed::Sealed {
        /// What one measurement of many iterations gives.
        type Value;
        /// The value in nanoseconds.
        #[doc(hidden)]
        fn nanos(value: &Self::Value) -> u128;
    }

    /// Wall-clock time, criterion's default measurement.
    #[derive(Debug, Clone, Copy, Default)]
    pub struct WallTime;

    impl sealed::Sealed for WallTime {}

    impl Measurement for WallTime {
        type Value = Duration;

        fn nanos(value: &Duration) -> u128 {
            value.as_nanos()
        }
    }
}

/// Profilers criterion can run around a benchmark (`Criterion::with_profiler`); perfmatrix
/// never starts one.
pub mod profiler {
    use std::path::Path;

    /// A profiler's hooks.
    pub trait Profiler {
        /// Called before a benchmark is profiled.
        fn start_profiling(&mut self, benchmark_id: &str, benchmark_dir: &Path);
        /// Called after.
        fn stop_profiling(&mut self, benchmark_id: &str, benchmark_dir: &Path);
    }
}

use measurement::{Measurement, WallTime};

/// The benchmark manager: criterion's settings are accepted and kept out of the way (perfmatrix
/// decides how long and how often each benchmark runs), and every benchmark is handed to the
/// running session.
#[derive(Debug)]
pub struct Criterion<M: Measurement = WallTime> {
    measurement: std::marker::PhantomData<M>,
}

impl Default for Criterion<WallTime> {
    fn default() -> Self {
        Criterion {
            measurement: std::marker::PhantomData,
        }
    }
}

/// Builder methods that criterion offers and perfmatrix does not need: each returns the manager
/// unchanged.
macro_rules! ignored_settings {
    ($($(#[$doc:meta])* $name:ident($($arg:ident: $ty:ty),*);)*) => {
        $(
            $(#[$doc])*
            #[must_use]
            pub fn $name(self, $($arg: $ty),*) -> Self {
                $(let _ = $arg;)*
                self
            }
        )*
    };
}

impl<M: Measurement> Criterion<M> {
    ignored_settings! {
        /// Criterion's samples per benchmark (perfmatrix chooses its own).
        sample_size(n: usize);
        /// Criterion's warm-up time (perfmatrix warms up by calibration).
        warm_up_time(time: Duration);
        /// Criterion's measurement time (perfmatrix keeps its own budget).
        measurement_time(time: Duration);
        /// Criterion's bootstrap resamples.
        nresamples(n: usize);
        /// Criterion's noise threshold.
        noise_threshold(threshold: f64);
        /// Criterion's confidence level.
        confidence_level(level: f64);
        /// Criterion's significance level.
        significance_level(level: f64);
        /// Criterion's plots on.
        with_plots();
        /// Criterion's plots off.
        without_plots();
        /// Criterion's plotting library.
        plotting_backend(backend: PlottingBackend);
        /// Criterion's coloured output.
        with_output_color(enabled: bool);
        /// Criterion's baseline to save.
        save_baseline(name: String);
        /// Criterion's profile mode.
        profile_time(time: Option<Duration>);
        /// Reads criterion's command line; perfmatrix's modes are read by `criterion_main!`.
        configure_from_args();
    }

    /// Criterion's baseline to compare with (perfmatrix compares with its own).
    #[must_use]
    pub fn retain_baseline(self, name: String, strict: bool) -> Self {
        let _ = (name, strict);
        self
    }

    /// Criterion's benchmark filter (perfmatrix selects benchmarks by id itself).
    #[must_use]
    pub fn with_filter<S: Into<String>>(self, filter: S) -> Self {
        let _ = filter.into();
        self
    }

    /// A profiler criterion would run around each benchmark; never started here.
    #[must_use]
    pub fn with_profiler<P: profiler::Profiler + 'static>(self, profiler: P) -> Self {
        drop(profiler);
        self
    }

    /// Criterion's summary at the end of a run: nothing to summarise here.
    pub fn final_summary(&mut self) {}

    /// A group of benchmarks whose ids start with `group_name/`.
    pub fn benchmark_group<S: Into<String>>(&mut self, group_name: S) -> BenchmarkGroup<'_, M> {
        BenchmarkGroup::new(self, group_name.into())
    }

    /// One benchmark with the id `id`.
    pub fn bench_function<F>(&mut self, id: &str, f: F) -> &mut Self
    where
        F: FnMut(&mut Bencher<'_, M>),
    {
        session::bench(id.to_owned(), f);
        self
    }

    /// One benchmark of `input`, with the id `<function>/<parameter>` of `id`.
    ///
    /// # Panics
    ///
    /// On an id made by [`BenchmarkId::from_parameter`], as criterion does: outside a group it
    /// has no function name.
    #[allow(
        clippy::needless_pass_by_value,
        reason = "criterion's signature, which bench code calls with a value"
    )]
    pub fn bench_with_input<F, I: ?Sized>(
        &mut self,
        id: BenchmarkId,
        input: &I,
        mut f: F,
    ) -> &mut Self
    where
        F: FnMut(&mut Bencher<'_, M>, &I),
    {
        let function = id.function_name().expect(
            "Cannot use BenchmarkId::from_parameter with Criterion::bench_with_input. Consider \
             using a BenchmarkGroup or BenchmarkId::new instead.",
        );
        let full = id::join(&[Some(function), id.parameter()]);
        session::bench(full, |b| f(b, input));
        self
    }
}

/// Defines a group of benchmark functions, `fn <name>()`, run by [`criterion_main!`]: either
/// `criterion_group!(name, target, …)` or `criterion_group! { name = …; config = …; targets =
/// …, … }`.
#[macro_export]
macro_rules! criterion_group {
    (name = $name:ident; config = $config:expr; targets = $( $target:path ),+ $(,)*) => {
        pub fn $name() {
            let mut criterion: $crate::Criterion<_> = $config.configure_from_args();
            $(
                $target(&mut criterion);
            )+
        }
    };
    ($name:ident, $( $target:path ),+ $(,)*) => {
        $crate::criterion_group! {
            name = $name;
            config = $crate::Criterion::default();
            targets = $( $target ),+
        }
    };
}

/// The bench binary's `main`: runs the mode perfmatrix asks for over the groups.
#[macro_export]
macro_rules! criterion_main {
    ( $( $group:path ),+ $(,)* ) => {
        fn main() {
            $crate::__private::main(&[ $( $group as fn() ),+ ]);
        }
    };
}

#[doc(hidden)]
pub mod __private {
    pub use crate::session::main;
}
