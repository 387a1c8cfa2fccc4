//! perfmatrix's data model: benchmark results read generically from criterion's own files, checked
//! once on the way in; versioned results and baseline files, written atomically; baseline
//! selection by machine class; the per-platform report of verdicts; and the lossless merge of a
//! CI matrix's legs into one report, of which one platform's own report is the merge of one.

mod atomic;
mod baseline;
mod cache_folder;
mod config;
mod cores;
mod counts;
mod criterion;
mod envelope;
mod error;
mod history;
mod history_cache;
mod id;
mod merge;
mod metrics;
mod paired;
mod point_columns;
mod report;
mod results;
mod store;
mod trend;

pub use atomic::{TEMP_PREFIX, is_temporary, write_atomically};
pub use baseline::{BASELINE_SCHEMA, Baseline, BaselineBench, MIN_RUNS, Recorded};
pub use cache_folder::CACHE_SCHEMA;
pub use config::{Config, Gates, PeakLimit, Platform};
pub use cores::{map_in_parallel, share_of};
pub use criterion::{CriterionBenchmark, Throughput, read_criterion_dir};
pub use envelope::Schema;
pub use error::ModelError;
pub use history::{
    Appended, BadRecord, ChangeSummary, CommitInfo, HISTORY_EXTENSION, HISTORY_SCHEMA, History,
    HistoryMode, HistoryRecord, MEDIAN_CONFIDENCE, MachineClass, TimeSummary, append,
    history_files, history_path, records_from_results,
};
pub use history_cache::{CacheUse, FileRead, HistoryFile, ReadTrend, read_trend};
pub use id::BenchmarkId;
pub use merge::{
    Expected, LegResults, MERGED_SCHEMA, MergedOutcome, MergedReport, MergedRow, PlatformRow,
    PlatformStatus, Skipped, merge,
};
pub use metrics::{Counts, Measured};
pub use paired::{Method, PairRecord, PairedBench, PairedRow, PairedRun, Revision, short_commit};
pub use report::{
    BaselineChoice, CandidateView, CountRow, Disagreement, FieldDiffView, Metric, Outcome,
    REPORT_SCHEMA, Report, Row, RowVerdict, Tally,
};
pub use results::{
    BenchResult, MAX_SAMPLE_NS, RESULTS_SCHEMA, Results, RunSettings, Summary, unjudged_path,
};
pub use store::{
    Candidate, Destination, Selection, baseline_path, destination, platform_dir, select,
    select_counts,
};
pub use trend::{
    ChangePointFound, Latest, PlatformBuilder, PlatformTrend, Point, Run, Series, SeriesMemo,
    Signal, TREND_SCHEMA, Trend, analyse, analyse_platforms,
};
