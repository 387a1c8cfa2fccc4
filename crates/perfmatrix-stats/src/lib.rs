//! Pure statistics behind `cargo xtask bench`: per-benchmark regression verdicts, no IO.
//!
//! The pipeline for one benchmark is:
//!
//! 1. wrap the per-iteration times (nanoseconds) of the baseline and of the new run in
//!    [`Sample`]s, which checks them once (non-empty, finite, `> 0`);
//! 2. learn the run-to-run [`NoiseFloor`] from the medians of K separate baseline runs with
//!    [`run_to_run_noise`];
//! 3. call [`compare`], which combines a Mann–Whitney U test ([`mann_whitney::test()`]), a
//!    bootstrap confidence interval of the relative change of medians
//!    ([`relative_change_ci`]) and the [`Thresholds`] raised to the noise floor into a
//!    [`Comparison`] carrying a [`Verdict`].
//!
//! The rule itself is written out in `docs/statistics.md` and on [`decide`]. Counts (the
//! deterministic metrics: instruction counts, peak memory) are compared by [`counts`]. A change
//! measured against its base in the same run, in fresh process pairs, is judged by [`paired`].
//! Histories of such results, one per commit, are searched for the commits where a level moved
//! by [`change_point`].

pub mod bootstrap;
pub mod change_point;
pub mod counts;
pub mod decision;
pub mod error;
pub mod mann_whitney;
pub mod noise;
pub mod normal;
pub mod paired;
pub mod sample;
pub mod student_t;
mod summary;
pub mod thresholds;

pub use bootstrap::{Interval, relative_change_ci};
pub use change_point::{
    ChainConfig, ChainedChange, ChangeKind, ChangePoint, ChangePointConfig, SplitMemo, chained,
    count_changes, detect, detect_resumed,
};
pub use counts::{
    CountComparison, INSTRUCTION_THRESHOLDS, PEAK_MEMORY_LIMIT, compare_counts, compare_peak,
};
pub use decision::{
    CompareConfig, Comparison, Verdict, compare, decide, minimum_detectable_effect, settle,
};
pub use error::{Result, StatsError};
pub use mann_whitney::MannWhitney;
pub use noise::{NoiseFloor, run_to_run_noise};
pub use paired::{
    MIN_PAIRS, PAIRED_THRESHOLDS, PairedComparison, PairedConfig, compare_paired, decide_paired,
    pair_log_ratio,
};
pub use sample::Sample;
pub use thresholds::Thresholds;
