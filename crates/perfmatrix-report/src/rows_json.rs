//! The rows of `bench --format json` and of the merged JSON: the model's rows field for field,
//! with why a count is unavailable worded (`note`), as the JSON has always shown it.

use perfmatrix_model::{
    BenchmarkId, CountRow, FunctionDiff, MergedRow, Metric, PairedRow, Row, RowVerdict,
};
use perfmatrix_stats::Interval;
use serde::Serialize;

use crate::counts::note_text;

/// A [`Row`] as the JSON shows it.
#[derive(Serialize)]
pub(crate) struct RowJson<'a> {
    id: &'a BenchmarkId,
    verdict: RowVerdict,
    new_median_ns: Option<f64>,
    base_median_ns: Option<f64>,
    change: &'a Option<Interval>,
    p_value: Option<f64>,
    noise: Option<f64>,
    warn: Option<f64>,
    fail: Option<f64>,
    minimum_detectable_effect: Option<f64>,
    remeasured: bool,
    time_verdict: RowVerdict,
    instructions: Option<CountRowJson>,
    peak_memory: Option<CountRowJson>,
    decided_by: Metric,
    #[serde(skip_serializing_if = "Option::is_none")]
    functions: &'a Option<FunctionDiff>,
    #[serde(skip_serializing_if = "Option::is_none")]
    paired: &'a Option<PairedRow>,
}

impl<'a> RowJson<'a> {
    pub(crate) fn of(row: &'a Row) -> Self {
        let Row {
            id,
            verdict,
            new_median_ns,
            base_median_ns,
            change,
            p_value,
            noise,
            warn,
            fail,
            minimum_detectable_effect,
            remeasured,
            time_verdict,
            instructions,
            peak_memory,
            decided_by,
            functions,
            paired,
        } = row;
        Self {
            id,
            verdict: *verdict,
            new_median_ns: *new_median_ns,
            base_median_ns: *base_median_ns,
            change,
            p_value: *p_value,
            noise: *noise,
            warn: *warn,
            fail: *fail,
            minimum_detectable_effect: *minimum_detectable_effect,
            remeasured: *remeasured,
            time_verdict: *time_verdict,
            instructions: instructions.as_ref().map(CountRowJson::of),
            peak_memory: peak_memory.as_ref().map(CountRowJson::of),
            decided_by: *decided_by,
            functions,
            paired,
        }
    }

    /// Every row of `rows`.
    pub(crate) fn all(rows: &'a [Row]) -> Vec<Self> {
        rows.iter().map(Self::of).collect()
    }
}

/// A [`CountRow`] as the JSON shows it: its note in words.
#[derive(Serialize)]
struct CountRowJson {
    verdict: RowVerdict,
    new: Option<u64>,
    base: Option<u64>,
    change: Option<f64>,
    note: Option<String>,
}

impl CountRowJson {
    fn of(row: &CountRow) -> Self {
        let CountRow {
            verdict,
            new,
            base,
            change,
            note,
        } = row;
        Self {
            verdict: *verdict,
            new: *new,
            base: *base,
            change: *change,
            note: note.as_ref().map(note_text),
        }
    }
}

/// A [`MergedRow`] as the merged JSON shows it.
#[derive(Serialize)]
pub(crate) struct MergedRowJson<'a> {
    id: &'a BenchmarkId,
    cells: Vec<Option<RowJson<'a>>>,
    worst: RowVerdict,
}

impl<'a> MergedRowJson<'a> {
    /// Every row of `rows`.
    pub(crate) fn all(rows: &'a [MergedRow]) -> Vec<Self> {
        rows.iter()
            .map(|MergedRow { id, cells, worst }| Self {
                id,
                cells: cells.iter().map(|c| c.as_ref().map(RowJson::of)).collect(),
                worst: *worst,
            })
            .collect()
    }
}
