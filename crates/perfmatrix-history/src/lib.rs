//! perfmatrix's performance history: one compact frame per commit and platform, its numbers in
//! compressed columns, appended in place to one file per platform (JSON lines before); analysed into each benchmark's series and the commits where its
//! time or instruction count changed (change points); read through a cache that parses only
//! what was appended since the last read.

mod cache_folder;
mod error;
mod history;
mod history_cache;
mod point_columns;
mod problem;
mod store;
mod trend;

pub use error::HistoryError;
pub use history::{
    Appended, BadRecord, ChangeSummary, CommitInfo, HISTORY_EXTENSION, HISTORY_SCHEMA, History,
    HistoryMode, HistoryRecord, MEDIAN_CONFIDENCE, MachineClass, Migrated, TimeSummary, append,
    durations, history_files, history_path, lines_path, migrate, records_from_results,
};
pub use history_cache::{CacheUse, FileRead, HistoryFile, ReadTrend, read_series, read_trend};
pub use problem::{CacheDropped, CacheNotWritten, CacheWriteError, Place, RecordProblem};
pub use store::{STORE_EXTENSION, STORE_SCHEMA, rounded};
pub use trend::{
    ChangePointFound, Latest, PlatformTrend, Point, Run, Series, Signal, TREND_SCHEMA, Trend,
    analyse,
};
