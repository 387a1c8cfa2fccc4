//! perfmatrix's data model: benchmark results read generically from criterion's own files, checked
//! once on the way in; versioned results and baseline files, written atomically; baseline
//! selection by machine class; a paired run's time budget; the per-platform report of verdicts;
//! the plan that splits a suite into shards; and the lossless merge of a CI matrix's legs (a
//! platform's shards put back together) into one report, of which one platform's own report is
//! the merge of one. It holds facts, typed: `perfmatrix-report` words them.

mod atomic;
mod baseline;
mod budget;
mod config;
mod counts;
mod criterion;
mod cross;
mod envelope;
mod error;
mod id;
mod merge;
mod metrics;
mod paired;
mod profile;
mod report;
mod results;
mod shard;
mod store;

pub use atomic::{
    TEMP_PREFIX, is_temporary, replace_unsynced, write_all_atomically, write_atomically,
};
pub use baseline::{BASELINE_SCHEMA, Baseline, BaselineBench, MIN_RUNS, Recorded};
pub use budget::{LEG_SETUP_MINUTES, MAX_BUDGET_MINUTES, TimeBudget};
pub use config::{Config, Gates, PeakLimit, Platform};
pub use criterion::{CriterionBenchmark, Throughput, read_criterion_dir};
pub use cross::{CrossTools, EMULATOR_PACKAGE};
pub use envelope::Schema;
pub use error::ModelError;
pub use id::BenchmarkId;
pub use merge::{
    Expected, Failure, FailureKind, LegResults, MERGED_SCHEMA, MergedOutcome, MergedReport,
    MergedRow, PlatformNote, PlatformRow, PlatformStatus, ShardsSeen, SkipReason, Skipped, merge,
};
pub use metrics::{Counts, Measured, Unmeasured};
pub use paired::{
    BuildSide, CriterionLayer, LayerUnusable, Method, PairRecord, PairedBecause, PairedBench,
    PairedRow, PairedRun, Revision, SettingChange, short_commit,
};
/// The platform of a run, a report and a merged row: a target triple target-lexicon parses.
pub use perfmatrix_fingerprint::TargetTriple;
pub use profile::{
    Call, Cause, Events, FLAME_DEPTH, FlameNode, FunctionChange, FunctionCost, FunctionDiff,
    L1_MISS_CYCLES, LL_MISS_CYCLES, MAX_FUNCTIONS, MISPREDICT_CYCLES, Profile, Profiles, Simulated,
};
pub use report::{
    CountNote, CountRow, DifferingField, Disagreement, IncomparableBaseline, Judging, Metric,
    Outcome, Pairing, REPORT_SCHEMA, RecordCommand, Reference, Report, Row, RowVerdict, Tally,
};
pub use results::{
    BenchResult, FailedBench, MAX_SAMPLE_NS, RESULTS_SCHEMA, Results, RunSettings, SampleSummary,
    unjudged_path,
};
pub use shard::{MAX_SHARDS, Planned, Shard, ShardError, Sharding, plan};
pub use store::{
    Candidate, Destination, Selection, baseline_path, destination, platform_dir, select,
    select_counts,
};
