//! The [`Bencher`] a benchmark's closure is given: in the sample server it times exactly the
//! iterations perfmatrix asked for; in the counting mode it runs one call inside the counted
//! region.

use std::marker::PhantomData;
use std::time::{Duration, Instant};

use crate::black_box;
use crate::measurement::Measurement;

/// What one call of a benchmark's closure is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Task {
    /// Time this many calls of the routine.
    Time(u64),
    /// One call of the routine inside `perfmatrix_criterion_count_region`.
    Count,
}

/// How inputs made by a setup are batched (criterion's `BatchSize`): how many are made, untimed,
/// before the routine is timed over them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BatchSize {
    /// Small inputs: ten batches per sample.
    SmallInput,
    /// Large inputs: a thousand batches per sample.
    LargeInput,
    /// One input per batch.
    PerIteration,
    /// This many batches per sample.
    NumBatches(u64),
    /// This many inputs per batch.
    NumIterations(u64),
}

impl BatchSize {
    /// Inputs per batch for `iters` iterations, as criterion batches them.
    fn per_batch(self, iters: u64) -> u64 {
        let per = match self {
            BatchSize::SmallInput => iters.div_ceil(10),
            BatchSize::LargeInput => iters.div_ceil(1000),
            BatchSize::PerIteration => 1,
            BatchSize::NumBatches(batches) => iters.div_ceil(batches.max(1)),
            BatchSize::NumIterations(size) => size,
        };
        per.max(1)
    }
}

/// Times a benchmark's routine, as criterion's `Bencher` does; one per call of its closure.
#[derive(Debug)]
pub struct Bencher<'a, M: Measurement = crate::measurement::WallTime> {
    task: Task,
    /// Nanoseconds of the timed calls, once a method ran them.
    pub(crate) elapsed_ns: Option<u128>,
    /// Whether the counted call ran.
    pub(crate) counted: bool,
    measurement: PhantomData<&'a M>,
}

/// The counted region: callgrind collects from entry to exit of this symbol
/// (`--toggle-collect=perfmatrix_criterion_count_region`). Not the harness's name: a harness
/// binary built against this layer links both.
// SAFETY: `no_mangle` is sound as long as no other symbol of the binary has this name; the name
// is this crate's and defined only here.
#[unsafe(no_mangle)]
#[inline(never)]
pub(crate) extern "Rust" fn perfmatrix_criterion_count_region(call: &mut dyn FnMut()) {
    call();
}

impl<M: Measurement> Bencher<'_, M> {
    pub(crate) fn new(task: Task) -> Self {
        Self {
            task,
            elapsed_ns: None,
            counted: false,
            measurement: PhantomData,
        }
    }

    fn add(&mut self, elapsed: Duration) {
        *self.elapsed_ns.get_or_insert(0) += elapsed.as_nanos();
    }

    /// Times `routine`, called as often as perfmatrix asks.
    #[allow(
        clippy::iter_not_returning_iterator,
        reason = "criterion's name for it, which bench code calls"
    )]
    pub fn iter<O, R>(&mut self, mut routine: R)
    where
        R: FnMut() -> O,
    {
        match self.task {
            Task::Time(iters) => {
                let start = Instant::now();
                for _ in 0..iters {
                    black_box(routine());
                }
                self.add(start.elapsed());
            }
            Task::Count => self.count(&mut || {
                black_box(routine());
            }),
        }
    }

    /// Times `routine`, dropping its outputs outside the timing.
    pub fn iter_with_large_drop<O, R>(&mut self, mut routine: R)
    where
        R: FnMut() -> O,
    {
        self.iter_batched(|| (), |()| routine(), BatchSize::SmallInput);
    }

    /// Times `routine` on inputs `setup` makes outside the timing, one input per call.
    pub fn iter_with_setup<I, O, S, R>(&mut self, setup: S, routine: R)
    where
        S: FnMut() -> I,
        R: FnMut(I) -> O,
    {
        self.iter_batched(setup, routine, BatchSize::PerIteration);
    }

    /// Times `routine` on inputs `setup` makes in batches outside the timing; outputs are dropped
    /// outside it too.
    pub fn iter_batched<I, O, S, R>(&mut self, mut setup: S, mut routine: R, size: BatchSize)
    where
        S: FnMut() -> I,
        R: FnMut(I) -> O,
    {
        match self.task {
            Task::Time(iters) => self.batched(iters, size, |n| {
                let inputs: Vec<I> = (0..n).map(|_| setup()).collect();
                let mut outputs = Vec::with_capacity(inputs.len());
                let start = Instant::now();
                for input in inputs {
                    outputs.push(black_box(routine(black_box(input))));
                }
                let elapsed = start.elapsed();
                drop(outputs);
                elapsed
            }),
            Task::Count => {
                let mut input = Some(setup());
                let mut output = None;
                self.count(&mut || {
                    if let Some(input) = input.take() {
                        output = Some(black_box(routine(black_box(input))));
                    }
                });
                drop(output);
            }
        }
    }

    /// Times `routine` on inputs `setup` makes in batches outside the timing, passed by
    /// reference; inputs and outputs are dropped outside the timing.
    pub fn iter_batched_ref<I, O, S, R>(&mut self, mut setup: S, mut routine: R, size: BatchSize)
    where
        S: FnMut() -> I,
        R: FnMut(&mut I) -> O,
    {
        match self.task {
            Task::Time(iters) => self.batched(iters, size, |n| {
                let mut inputs: Vec<I> = (0..n).map(|_| setup()).collect();
                let mut outputs = Vec::with_capacity(inputs.len());
                let start = Instant::now();
                for input in &mut inputs {
                    outputs.push(black_box(routine(black_box(input))));
                }
                let elapsed = start.elapsed();
                drop(outputs);
                drop(inputs);
                elapsed
            }),
            Task::Count => {
                let mut input = setup();
                let mut output = None;
                self.count(&mut || output = Some(black_box(routine(black_box(&mut input)))));
                drop(output);
            }
        }
    }

    /// The routine times itself: `routine(iters)` returns how long `iters` calls took. In the
    /// counting mode it is asked for one call, all of it counted.
    pub fn iter_custom<R>(&mut self, mut routine: R)
    where
        R: FnMut(u64) -> M::Value,
    {
        match self.task {
            Task::Time(iters) => {
                let value = routine(iters);
                *self.elapsed_ns.get_or_insert(0) += M::nanos(&value);
            }
            Task::Count => self.count(&mut || {
                black_box(routine(1));
            }),
        }
    }

    /// `iters` iterations in batches of `size`: `batch(n)` makes `n` inputs untimed and returns
    /// how long the routine took over them.
    fn batched(&mut self, iters: u64, size: BatchSize, mut batch: impl FnMut(u64) -> Duration) {
        let per = size.per_batch(iters);
        let mut left = iters;
        while left > 0 {
            let n = per.min(left);
            self.add(batch(n));
            left -= n;
        }
    }

    /// One call inside the counted region; a second one is not counted.
    fn count(&mut self, call: &mut dyn FnMut()) {
        if !self.counted {
            self.counted = true;
            perfmatrix_criterion_count_region(call);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measurement::WallTime;

    #[test]
    fn batches_are_sized_as_criterion_sizes_them() {
        assert_eq!(BatchSize::SmallInput.per_batch(95), 10);
        assert_eq!(BatchSize::LargeInput.per_batch(95), 1);
        assert_eq!(BatchSize::PerIteration.per_batch(95), 1);
        assert_eq!(BatchSize::NumBatches(4).per_batch(10), 3);
        assert_eq!(BatchSize::NumBatches(0).per_batch(10), 10);
        assert_eq!(BatchSize::NumIterations(7).per_batch(3), 7);
        assert_eq!(BatchSize::NumIterations(0).per_batch(3), 1);
    }

    #[test]
    fn every_method_calls_the_routine_as_often_as_asked_and_times_it() {
        type Method = fn(&mut Bencher<'_, WallTime>, &mut u64);
        let methods: [(&str, Method); 6] = [
            ("iter", |b, n| b.iter(|| *n += 1)),
            ("iter_with_large_drop", |b, n| {
                b.iter_with_large_drop(|| *n += 1);
            }),
            ("iter_with_setup", |b, n| {
                b.iter_with_setup(|| 1, |x| *n += x);
            }),
            ("iter_batched", |b, n| {
                b.iter_batched(|| 1, |x| *n += x, BatchSize::SmallInput);
            }),
            ("iter_batched_ref", |b, n| {
                b.iter_batched_ref(|| 1, |x| *n += *x, BatchSize::NumIterations(3));
            }),
            ("iter_custom", |b, n| {
                b.iter_custom(|iters| {
                    *n += iters;
                    Duration::from_nanos(5 * iters)
                });
            }),
        ];
        for (name, method) in methods {
            let mut calls = 0;
            let mut b = Bencher::<WallTime>::new(Task::Time(23));
            method(&mut b, &mut calls);
            assert_eq!(calls, 23, "{name}");
            assert!(b.elapsed_ns.is_some(), "{name}");
            let mut calls = 0;
            let mut b = Bencher::<WallTime>::new(Task::Count);
            method(&mut b, &mut calls);
            assert_eq!(calls, 1, "{name} counts one call");
            assert!(b.counted && b.elapsed_ns.is_none(), "{name}");
        }
        let mut b = Bencher::<WallTime>::new(Task::Time(4));
        b.iter_custom(|iters| Duration::from_nanos(5 * iters));
        assert_eq!(b.elapsed_ns, Some(20));
    }
}
