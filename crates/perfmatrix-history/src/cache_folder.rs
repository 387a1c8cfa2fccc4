//! The cache folder of one history file: a small state file (what was read, the runs, each
//! series' change points and memo) and the point files it names, oldest first. A save after a
//! read that used the cache writes only the points added since, as one more point file, and the
//! state; every [`MAX_POINT_FILES`] files the points are written afresh as one. So a push to
//! `main` costs the new commit's points, not the whole history.
//!
//! Written in an order that keeps a crash harmless: a point file under a name not used before,
//! then the state that names it (each a temp file renamed), then the files no state names any
//! more are removed. A state whose files are missing or of the wrong length is dropped whole.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::point_columns::{PointsRef, ROOM, decode_into};
use perfmatrix_model::{BenchmarkId, Schema, TargetTriple};

use crate::problem::{CacheDropped, CacheNotWritten, CacheWriteError};
use crate::trend::{Memos, SeriesMemo};
use crate::{BadRecord, ChangePointFound, Latest, MachineClass, PlatformTrend, Run, Series};

/// The kind and version of a cache folder's files; another version is read anew.
pub(crate) const CACHE_SCHEMA: Schema = Schema {
    kind: "perfmatrix-history-cache",
    version: 3,
};

/// How many point files a state names at most before they are written afresh as one.
const MAX_POINT_FILES: usize = 16;

const STATE_FILE: &str = "state.bin";

/// The part of a history file a cache holds, and how to recognise it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ReadPart {
    /// Bytes read: whole lines, up to and with the last newline.
    pub(crate) bytes: u64,
    /// Lines read.
    pub(crate) lines: u64,
    /// `prefix_hash` of `..bytes`.
    pub(crate) hash: u64,
}

/// A state file.
#[derive(Debug, Serialize, Deserialize)]
struct State<R, S> {
    schema: String,
    version: u32,
    /// The perfmatrix version that wrote it (the detectors may differ between versions).
    perfmatrix: String,
    source: String,
    read: ReadPart,
    /// The bad lines of the part read.
    bad: Vec<BadRecord>,
    platform: TargetTriple,
    classes: Vec<MachineClass>,
    runs: R,
    latest: Option<Latest>,
    series: Vec<S>,
    /// The point files, oldest first: their number (in the name) and length in bytes.
    files: Vec<(u64, u64)>,
}

/// A series in the state: all but its points, and how many points its point files hold.
#[derive(Debug, Serialize, Deserialize)]
struct SeriesState<B, C, M> {
    benchmark: B,
    change_points: C,
    memo: M,
    stored: u32,
}

/// A point file: for each series with points in it, those points, in order.
#[derive(Serialize, Deserialize)]
struct PointFile<B, P> {
    series: Vec<(B, P)>,
}

type StateRead = State<Vec<Run>, SeriesState<BenchmarkId, Vec<ChangePointFound>, SeriesMemo>>;
type StateWrite<'a> =
    State<&'a [Run], SeriesState<&'a BenchmarkId, &'a [ChangePointFound], &'a SeriesMemo>>;

/// What is on disk, for the next save to add to.
#[derive(Debug, Clone, Default)]
pub(crate) struct Layout {
    files: Vec<(u64, u64)>,
    stored: HashMap<BenchmarkId, u32>,
}

/// A cache read back.
#[derive(Debug)]
pub(crate) struct Cached {
    pub(crate) read: ReadPart,
    pub(crate) bad: Vec<BadRecord>,
    pub(crate) trend: PlatformTrend,
    pub(crate) memos: Memos,
    pub(crate) layout: Layout,
}

/// Why a cache was not read.
#[derive(Debug)]
pub(crate) enum NotRead {
    Missing,
    Dropped(CacheDropped),
}

/// The cache folder of the history file `source` of `platform`, in `cache_dir`.
pub(crate) fn folder(cache_dir: &Path, platform: &TargetTriple, source: &str) -> PathBuf {
    let hash = perfmatrix_fingerprint::fnv1a64(source.as_bytes());
    cache_dir.join(format!("{platform}-{hash:016x}"))
}

/// Reads the cache in `dir` of `source`, the history of `platform`.
pub(crate) fn load(dir: &Path, source: &str, platform: &TargetTriple) -> Result<Cached, NotRead> {
    let bytes = match std::fs::read(dir.join(STATE_FILE)) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(NotRead::Missing),
        Err(e) => {
            return Err(NotRead::Dropped(CacheDropped::Unreadable {
                message: e.to_string(),
            }));
        }
    };
    let dropped = NotRead::Dropped;
    let state: StateRead = postcard::from_bytes(&bytes)
        .map_err(|source| dropped(CacheDropped::Undecodable { source }))?;
    if state.schema != CACHE_SCHEMA.kind
        || state.version != CACHE_SCHEMA.version
        || state.perfmatrix != env!("CARGO_PKG_VERSION")
    {
        return Err(dropped(CacheDropped::OtherVersion {
            perfmatrix: state.perfmatrix,
            version: state.version,
        }));
    }
    if state.source != source || state.platform != *platform {
        return Err(dropped(CacheDropped::OtherFile {
            source_file: state.source,
        }));
    }
    let points = read_points(dir, &state).map_err(dropped)?;
    let mut stored = HashMap::with_capacity(state.series.len());
    let mut memos = Memos::with_capacity(state.series.len());
    let mut series = Vec::with_capacity(state.series.len());
    for (s, points) in state.series.into_iter().zip(points) {
        if points.len() != s.stored as usize {
            return Err(dropped(CacheDropped::PointCount {
                benchmark: s.benchmark,
                found: points.len(),
                stored: s.stored,
            }));
        }
        // The indices the analysis and the pages follow must lead somewhere.
        let (runs, classes) = (state.runs.len(), state.classes.len());
        if points
            .iter()
            .any(|p| p.run as usize >= runs || p.class as usize >= classes)
        {
            return Err(dropped(CacheDropped::DanglingPoint {
                benchmark: s.benchmark,
            }));
        }
        stored.insert(s.benchmark.clone(), s.stored);
        memos.insert(s.benchmark.clone(), s.memo);
        series.push(Series {
            benchmark: s.benchmark,
            points,
            change_points: s.change_points,
        });
    }
    Ok(Cached {
        read: state.read,
        bad: state.bad,
        trend: PlatformTrend {
            platform: state.platform,
            classes: state.classes,
            runs: state.runs,
            latest: state.latest,
            series,
        },
        memos,
        layout: Layout {
            files: state.files,
            stored,
        },
    })
}

/// The points of every series of `state`, from the point files of `dir` in order.
fn read_points(dir: &Path, state: &StateRead) -> Result<Vec<Vec<crate::Point>>, CacheDropped> {
    let index: HashMap<&BenchmarkId, usize> = state
        .series
        .iter()
        .enumerate()
        .map(|(i, s)| (&s.benchmark, i))
        .collect();
    // Each series' vector is sized once for all its points and a few more.
    let mut points: Vec<Vec<crate::Point>> = state
        .series
        .iter()
        .map(|s| Vec::with_capacity(s.stored as usize + ROOM))
        .collect();
    for &(number, len) in &state.files {
        let path = point_file(dir, number);
        let bytes = std::fs::read(&path).map_err(|e| CacheDropped::PointsUnreadable {
            path: path.clone(),
            message: e.to_string(),
        })?;
        if bytes.len() as u64 != len {
            return Err(CacheDropped::PointsReplaced { path });
        }
        let file: PointFile<BenchmarkId, &[u8]> =
            postcard::from_bytes(&bytes).map_err(|source| CacheDropped::PointsUndecodable {
                path: path.clone(),
                source,
            })?;
        for (benchmark, columns) in file.series {
            let into = index.get(&benchmark).and_then(|&i| points.get_mut(i));
            if into.and_then(|p| decode_into(columns, p)).is_none() {
                return Err(CacheDropped::UnknownSeries { path });
            }
        }
    }
    Ok(points)
}

/// Writes the cache of `trend` and its `memos` into `dir`: only the points beyond `previous`
/// (what a cache read found on disk) when there is one and it has room for one more point file,
/// else all of them.
pub(crate) fn save(
    dir: &Path,
    source: &str,
    read: ReadPart,
    bad: &[BadRecord],
    (trend, memos): (&PlatformTrend, &Memos),
    previous: Option<&Layout>,
) -> Result<(), CacheNotWritten> {
    let failed = |path: &Path, source: CacheWriteError| CacheNotWritten {
        path: path.to_owned(),
        source,
    };
    let previous = previous.filter(|p| p.files.len() < MAX_POINT_FILES);
    let next = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(|e| point_number(&e.ok()?.path()))
        .max()
        .map_or(0, |n| n + 1);
    // Each series' points beyond those the point files on disk hold already.
    let new: Vec<(&BenchmarkId, PointsRef<'_>)> = trend
        .series
        .iter()
        .filter_map(|s| {
            let stored = previous
                .and_then(|p| p.stored.get(&s.benchmark))
                .map_or(0, |&n| (n as usize).min(s.points.len()));
            (s.points.len() > stored).then(|| (&s.benchmark, PointsRef(&s.points[stored..])))
        })
        .collect();
    let mut files = previous.map_or_else(Vec::new, |p| p.files.clone());
    if !new.is_empty() || previous.is_none() {
        let path = point_file(dir, next);
        let bytes =
            postcard::to_stdvec(&PointFile { series: new }).map_err(|e| failed(&path, e.into()))?;
        perfmatrix_model::replace_unsynced(&path, &bytes).map_err(|e| failed(&path, e.into()))?;
        files.push((next, bytes.len() as u64));
    }
    let no_memo = SeriesMemo::default();
    let state: StateWrite<'_> = State {
        schema: CACHE_SCHEMA.kind.to_owned(),
        version: CACHE_SCHEMA.version,
        perfmatrix: env!("CARGO_PKG_VERSION").to_owned(),
        source: source.to_owned(),
        read,
        bad: bad.to_vec(),
        platform: trend.platform.clone(),
        classes: trend.classes.clone(),
        runs: &trend.runs,
        latest: trend.latest.clone(),
        series: trend
            .series
            .iter()
            .map(|s| SeriesState {
                benchmark: &s.benchmark,
                change_points: s.change_points.as_slice(),
                memo: memos.get(&s.benchmark).unwrap_or(&no_memo),
                stored: s.points.len() as u32,
            })
            .collect(),
        files: files.clone(),
    };
    let path = dir.join(STATE_FILE);
    let bytes = postcard::to_stdvec(&state).map_err(|e| failed(&path, e.into()))?;
    perfmatrix_model::replace_unsynced(&path, &bytes).map_err(|e| failed(&path, e.into()))?;
    // Point files no state names any more (written afresh, or left by a crash).
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if point_number(&path).is_some_and(|n| !files.iter().any(|f| f.0 == n)) {
            let _ = std::fs::remove_file(&path);
        }
    }
    Ok(())
}

fn point_file(dir: &Path, number: u64) -> PathBuf {
    dir.join(format!("points-{number}.bin"))
}

fn point_number(path: &Path) -> Option<u64> {
    path.file_name()?
        .to_str()?
        .strip_prefix("points-")?
        .strip_suffix(".bin")?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{HistoryMode, Point, TimeSummary};

    fn x86() -> TargetTriple {
        TargetTriple::parse("x86_64-unknown-linux-gnu").unwrap()
    }

    fn trend(run: u32) -> PlatformTrend {
        let point = Point {
            run,
            class: 0,
            mode: HistoryMode::Committed,
            time: TimeSummary {
                median_ns: 1.0,
                lower_ns: 1.0,
                upper_ns: 1.0,
            },
            instructions: None,
            change: None,
            verdict: None,
        };
        PlatformTrend {
            platform: x86(),
            classes: vec![MachineClass {
                slug: "s".to_owned(),
                id: "i".to_owned(),
            }],
            runs: vec![Run {
                commit: "c".to_owned(),
                dirty: false,
                date: String::new(),
                measured_unix: 0,
            }],
            latest: None,
            series: vec![Series::new(BenchmarkId::new("a/b").unwrap(), vec![point])],
        }
    }

    const READ: ReadPart = ReadPart {
        bytes: 0,
        lines: 0,
        hash: 0,
    };

    #[test]
    fn a_saved_trend_loads_back_and_one_pointing_nowhere_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        save(
            dir.path(),
            "src",
            READ,
            &[],
            (&trend(0), &Memos::new()),
            None,
        )
        .unwrap();
        let back = load(dir.path(), "src", &x86()).unwrap();
        assert_eq!(back.trend, trend(0));
        assert!(matches!(
            load(dir.path(), "other", &x86()),
            Err(NotRead::Dropped(_))
        ));
        // A point of run 1 where the platform holds one run: never followed into a panic.
        save(
            dir.path(),
            "src",
            READ,
            &[],
            (&trend(1), &Memos::new()),
            None,
        )
        .unwrap();
        let Err(NotRead::Dropped(why)) = load(dir.path(), "src", &x86()) else {
            panic!("a point of no run was read");
        };
        assert!(
            matches!(&why, CacheDropped::DanglingPoint { benchmark } if benchmark == "a/b"),
            "{why}"
        );
        assert!(why.to_string().contains("`a/b`"), "{why}");
        let empty = tempfile::tempdir().unwrap();
        assert!(matches!(
            load(empty.path(), "src", &x86()),
            Err(NotRead::Missing)
        ));
    }
}
