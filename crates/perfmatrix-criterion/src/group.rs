//! A benchmark group: criterion's per-group settings, accepted and kept out of the way, and its
//! benchmarks handed to the session under `<group>/…` ids.

use std::time::Duration;

use crate::measurement::Measurement;
use crate::{
    Bencher, Criterion, IntoBenchmarkId, PlotConfiguration, SamplingMode, Throughput, id, session,
};

/// Benchmarks whose ids share a first part, the group's name.
#[derive(Debug)]
pub struct BenchmarkGroup<'a, M: Measurement> {
    criterion: &'a mut Criterion<M>,
    name: String,
}

/// Group settings criterion offers and perfmatrix does not need: each returns the group.
macro_rules! ignored_settings {
    ($($(#[$doc:meta])* $name:ident($($arg:ident: $ty:ty),*);)*) => {
        $(
            $(#[$doc])*
            pub fn $name(&mut self, $($arg: $ty),*) -> &mut Self {
                $(let _ = $arg;)*
                self
            }
        )*
    };
}

impl<'a, M: Measurement> BenchmarkGroup<'a, M> {
    pub(crate) fn new(criterion: &'a mut Criterion<M>, name: String) -> Self {
        Self { criterion, name }
    }

    ignored_settings! {
        /// Criterion's samples per benchmark (perfmatrix chooses its own).
        sample_size(n: usize);
        /// Criterion's warm-up time (perfmatrix warms up by calibration).
        warm_up_time(time: Duration);
        /// Criterion's measurement time: it never lengthens a perfmatrix run.
        measurement_time(time: Duration);
        /// Criterion's bootstrap resamples.
        nresamples(n: usize);
        /// Criterion's noise threshold.
        noise_threshold(threshold: f64);
        /// Criterion's confidence level.
        confidence_level(level: f64);
        /// Criterion's significance level.
        significance_level(level: f64);
        /// Criterion's sampling mode.
        sampling_mode(mode: SamplingMode);
        /// The group's summary plots.
        plot_config(config: PlotConfiguration);
        /// The throughput of the benchmarks that follow (criterion reports rates with it).
        throughput(throughput: Throughput);
    }

    /// One benchmark, `<group>/<id>`.
    pub fn bench_function<ID: IntoBenchmarkId, F>(&mut self, id: ID, f: F) -> &mut Self
    where
        F: FnMut(&mut Bencher<'_, M>),
    {
        session::bench(self.full_id(&id.into_benchmark_id()), f);
        self
    }

    /// One benchmark of `input`, `<group>/<id>`.
    pub fn bench_with_input<ID: IntoBenchmarkId, F, I: ?Sized>(
        &mut self,
        id: ID,
        input: &I,
        mut f: F,
    ) -> &mut Self
    where
        F: FnMut(&mut Bencher<'_, M>, &I),
    {
        session::bench(self.full_id(&id.into_benchmark_id()), |b| f(b, input));
        self
    }

    /// Ends the group.
    pub fn finish(self) {
        let _ = self.criterion;
    }

    fn full_id(&self, id: &crate::BenchmarkId) -> String {
        id::join(&[Some(&self.name), id.function_name(), id.parameter()])
    }
}
