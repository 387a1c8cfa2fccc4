//! The history cache: each platform's history file parsed and analysed once and kept in a cache
//! folder (`cache_folder`), so that the next read parses only the lines appended since and
//! searches only the ends of the series (docs/history.md, "The history cache" and "Scale").
//!
//! The cache is derived data, never a source of truth. It is checked when it is read: it must be
//! of this build's cache schema and perfmatrix version, and name a first part of the file that
//! is still there: no longer than the file, and hashing the same ([`prefix_hash`]: all of it, or
//! blocks spread over it, the first and last included; the history is append-only). A cache that
//! does not match is dropped and the file read in full; a cache that cannot be written is a
//! warning.

use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use perfmatrix_fingerprint::fnv1a64;
use rayon::prelude::*;

use crate::cache_folder::{self, Layout, NotRead, ReadPart};
use crate::history::{parse_file, platform_of};
use crate::problem::{CacheDropped, CacheNotWritten, RecordProblem};
use crate::store;
use crate::trend::{Memos, PlatformBuilder, analyse_platforms};
use crate::{BadRecord, HistoryError, PlatformTrend, TREND_SCHEMA, Trend};
use perfmatrix_model::{ModelError, TargetTriple};

/// How many blocks of how many bytes of the part of a file a cache read are compared
/// ([`prefix_hash`]).
const SAMPLES: u64 = 16;
const SAMPLE_BYTES: u64 = 4096;

/// One platform's history file to read: where its bytes are, and the name it has in messages
/// (and in the cache, which it keys).
#[derive(Debug, Clone)]
pub struct HistoryFile {
    /// The name of the file in messages and [`BadRecord`]s (a path, or `REV:history/x.jsonl`).
    pub source: String,
    /// The platform whose history it is (its file name's stem): every record must be of it.
    pub platform: TargetTriple,
    content: Content,
}

#[derive(Debug, Clone)]
enum Content {
    /// A file on disk, read from the end of what the cache holds.
    Path(PathBuf),
    /// Bytes already in memory (a git object).
    Bytes(Vec<u8>),
}

impl HistoryFile {
    /// The history file at `path`, of the platform its stem names; refused when the stem is
    /// not a target triple.
    pub fn at_path(path: &Path) -> Result<Self, HistoryError> {
        let source = path.display().to_string();
        Ok(Self {
            platform: platform_of(path, &source)?,
            source,
            content: Content::Path(path.to_owned()),
        })
    }

    /// A history file held in memory, named `source`, of the platform `name`'s stem names;
    /// refused when the stem is not a target triple.
    pub fn in_memory(source: String, name: &Path, bytes: Vec<u8>) -> Result<Self, HistoryError> {
        Ok(Self {
            platform: platform_of(name, &source)?,
            source,
            content: Content::Bytes(bytes),
        })
    }

    fn len(&self) -> Result<u64, HistoryError> {
        match &self.content {
            Content::Path(path) => std::fs::metadata(path)
                .map(|m| m.len())
                .map_err(|source| read_error(path, source)),
            Content::Bytes(bytes) => Ok(bytes.len() as u64),
        }
    }

    /// The bytes of `ranges` (each `start..end`, within the length), one after another, read
    /// through one open file.
    fn read(&self, ranges: &[(u64, u64)]) -> Result<Vec<u8>, HistoryError> {
        let total: u64 = ranges.iter().map(|(start, end)| end - start).sum();
        let mut bytes = Vec::with_capacity(total as usize);
        match &self.content {
            Content::Path(path) => {
                let io = |source| read_error(path, source);
                let mut file = std::fs::File::open(path).map_err(io)?;
                for &(start, end) in ranges {
                    file.seek(SeekFrom::Start(start)).map_err(io)?;
                    (&mut file)
                        .take(end - start)
                        .read_to_end(&mut bytes)
                        .map_err(io)?;
                }
            }
            Content::Bytes(all) => {
                for &(start, end) in ranges {
                    bytes.extend_from_slice(&all[start as usize..end as usize]);
                }
            }
        }
        Ok(bytes)
    }
}

impl HistoryFile {
    /// The ids of the frame at `offset` of a compact file of `len` bytes (one a frame read
    /// now names, read before through the cache).
    fn frame_ids(
        &self,
        offset: u64,
        len: u64,
    ) -> Result<Vec<perfmatrix_model::BenchmarkId>, RecordProblem> {
        let within = |end: u64| {
            if end <= len {
                Ok(end)
            } else {
                Err(RecordProblem::IdsNotAFrame { offset })
            }
        };
        let end = within(offset.saturating_add(store::PREFIX as u64))?;
        let unread = |e: HistoryError| RecordProblem::IdsUnread {
            offset,
            message: e.to_string(),
        };
        let prefix = self.read(&[(offset, end)]).map_err(unread)?;
        let (header, body, _) =
            store::prefix(&prefix).ok_or(RecordProblem::IdsNotAFrame { offset })??;
        let end = within(end.saturating_add((header + body) as u64))?;
        let frame = self.read(&[(offset, end)]).map_err(unread)?;
        store::own_ids(&frame, &self.platform)
    }
}

fn read_error(path: &Path, source: std::io::Error) -> HistoryError {
    ModelError::Read {
        path: path.to_owned(),
        source,
    }
    .into()
}

/// How a file's cache was used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CacheUse {
    /// No cache was asked for.
    Off,
    /// There was none yet.
    Missing,
    /// There was one, but it did not match the file (why): the file was read in full.
    Dropped(CacheDropped),
    /// It matched: only the lines after it were read.
    Used,
}

/// What reading one history file did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRead {
    /// The file's name in messages ([`HistoryFile::source`]).
    pub source: String,
    /// How its cache was used.
    pub cache: CacheUse,
    /// Lines taken from the cache, not parsed again.
    pub cached_lines: u64,
    /// Lines parsed from the file now: those after the cached part (an unfinished last line not
    /// included).
    pub parsed_lines: u64,
}

/// History files read through their caches, analysed: the trend, what each file's read did,
/// and what [`ReadTrend::save_caches`] writes.
#[derive(Debug)]
pub struct ReadTrend {
    /// The files' series and change points.
    pub trend: Trend,
    /// What reading each file did, in platform order.
    pub files: Vec<FileRead>,
    /// Per platform of `trend`, what its cache needs to be written (none without a cache).
    states: Vec<Option<CacheState>>,
    /// Per platform of `trend`, the memos of its change-point searches, for its cache.
    memos: Vec<Memos>,
}

/// What saving one platform's cache needs besides its trend.
#[derive(Debug)]
struct CacheState {
    /// The platform's cache folder.
    folder: PathBuf,
    source: String,
    read: ReadPart,
    /// The bad lines of the part read.
    bad: Vec<BadRecord>,
    /// What the cache on disk holds, when it was read and can be added to.
    layout: Option<Layout>,
    /// Whether there is anything new to write.
    changed: bool,
}

/// Reads `files` (one per platform; two files of one platform are refused) and finds the change
/// points of every series ([`crate::analyse`]), through the caches in `cache_dir` when it is
/// given: a file's cache that matches is read instead of the lines it holds, and each series'
/// change-point searches resume from its memo. The files are read and analysed in parallel.
pub fn read_trend(
    mut files: Vec<HistoryFile>,
    cache_dir: Option<&Path>,
) -> Result<ReadTrend, HistoryError> {
    files.sort_by(|a, b| a.platform.cmp(&b.platform));
    for pair in files.windows(2) {
        if pair[0].platform == pair[1].platform {
            return Err(HistoryError::TwoFilesOfOnePlatform {
                first: pair[0].source.clone(),
                second: pair[1].source.clone(),
                platform: pair[0].platform.clone(),
            });
        }
    }
    let mut platforms = Vec::new();
    let mut memos = Vec::new();
    let mut reads = Vec::new();
    let mut states = Vec::new();
    let mut skipped = Vec::new();
    for loaded in load_all(&files, cache_dir)? {
        skipped.extend(loaded.bad);
        reads.push(loaded.file);
        states.push(loaded.state);
        platforms.push(loaded.trend);
        memos.push(loaded.memos);
    }
    let mut all: Vec<(&mut PlatformTrend, &mut Memos)> =
        platforms.iter_mut().zip(&mut memos).collect();
    analyse_platforms(&mut all);
    Ok(ReadTrend {
        trend: Trend {
            schema: TREND_SCHEMA.kind.to_owned(),
            version: TREND_SCHEMA.version,
            platforms,
            skipped,
        },
        files: reads,
        states,
        memos,
    })
}

/// Reads `files` (one per platform) into their series, in parallel, with no cache and no
/// analysis (no change points): what a cold read costs before the search.
pub fn read_series(files: &[HistoryFile]) -> Result<Trend, HistoryError> {
    let mut platforms = Vec::new();
    let mut skipped = Vec::new();
    for loaded in load_all(files, None)? {
        skipped.extend(loaded.bad);
        platforms.push(loaded.trend);
    }
    Ok(Trend {
        schema: TREND_SCHEMA.kind.to_owned(),
        version: TREND_SCHEMA.version,
        platforms,
        skipped,
    })
}

/// Every file of `files` loaded, in parallel, through its cache in `cache_dir` if given.
fn load_all(files: &[HistoryFile], cache_dir: Option<&Path>) -> Result<Vec<Loaded>, HistoryError> {
    files.par_iter().map(|f| load(f, cache_dir)).collect()
}

/// One file read, before the analysis.
struct Loaded {
    trend: PlatformTrend,
    /// The memos of its time detectors, as the cache kept them (none without one).
    memos: Memos,
    file: FileRead,
    /// Its bad lines: those of the part read, then an unfinished last line.
    bad: Vec<BadRecord>,
    state: Option<CacheState>,
}

fn load(file: &HistoryFile, cache_dir: Option<&Path>) -> Result<Loaded, HistoryError> {
    let len = file.len()?;
    let folder = cache_dir.map(|dir| cache_folder::folder(dir, &file.platform, &file.source));
    let (cached, cache) = match &folder {
        None => (None, CacheUse::Off),
        Some(folder) => match cache_folder::load(folder, &file.source, &file.platform) {
            Ok(cached) => match matches_file(file, len, cached.read)? {
                Ok(()) => (Some(cached), CacheUse::Used),
                Err(why) => (None, CacheUse::Dropped(why)),
            },
            Err(NotRead::Missing) => (None, CacheUse::Missing),
            Err(NotRead::Dropped(why)) => (None, CacheUse::Dropped(why)),
        },
    };
    let (mut builder, memos, mut read, mut bad, layout) = match cached {
        Some(c) => (
            PlatformBuilder::resume(c.trend),
            c.memos,
            c.read,
            c.bad,
            Some(c.layout),
        ),
        None => (
            PlatformBuilder::new(&file.platform),
            Memos::new(),
            ReadPart {
                bytes: 0,
                lines: 0,
                hash: fnv1a64(&[]),
            },
            Vec::new(),
            None,
        ),
    };
    let tail = file.read(&[(read.bytes, len)])?;
    let parsed = parse_file(
        &file.source,
        &file.platform,
        &tail,
        (read.bytes, read.lines as usize + 1),
        &mut |offset| file.frame_ids(offset, len),
        &mut builder,
        &mut bad,
    );
    let cached_lines = read.lines;
    if parsed.bytes > 0 {
        read.bytes += parsed.bytes as u64;
        read.lines += parsed.lines as u64;
        read.hash = prefix_hash(file, read.bytes)?;
    }
    let file_read = FileRead {
        source: file.source.clone(),
        cache,
        cached_lines,
        parsed_lines: parsed.lines as u64,
    };
    // An unfinished last line is reported every time, until it ends: it is not part of what
    // the cache holds.
    let shown = bad.iter().cloned().chain(parsed.unfinished).collect();
    let state = folder.map(|folder| CacheState {
        folder,
        source: file.source.clone(),
        read,
        changed: parsed.lines > 0 || file_read.cache != CacheUse::Used,
        bad,
        layout,
    });
    Ok(Loaded {
        trend: builder.finish(),
        memos,
        file: file_read,
        bad: shown,
        state,
    })
}

/// A hash of the first `end` bytes of `file`: all of them up to [`SAMPLES`] × [`SAMPLE_BYTES`],
/// else that many evenly spaced blocks, the first and the last included. A history file is
/// append-only; an edit of the part a cache read changes its length or, for all but the largest
/// files, one of these blocks.
fn prefix_hash(file: &HistoryFile, end: u64) -> Result<u64, HistoryError> {
    let blocks: Vec<(u64, u64)> = if end <= SAMPLES * SAMPLE_BYTES {
        vec![(0, end)]
    } else {
        (0..SAMPLES)
            .map(|i| (end - SAMPLE_BYTES) * i / (SAMPLES - 1))
            .map(|start| (start, start + SAMPLE_BYTES))
            .collect()
    };
    Ok(fnv1a64(&file.read(&blocks)?))
}

/// Whether `file` (of `len` bytes) still starts with the part a cache read, else why not.
fn matches_file(
    file: &HistoryFile,
    len: u64,
    read: ReadPart,
) -> Result<Result<(), CacheDropped>, HistoryError> {
    if read.bytes > len {
        return Ok(Err(CacheDropped::FileShorter));
    }
    if prefix_hash(file, read.bytes)? != read.hash {
        return Ok(Err(CacheDropped::FileRewritten));
    }
    Ok(Ok(()))
}

impl ReadTrend {
    /// Writes the cache of every file whose cache was missing, dropped or behind the file.
    /// Returns why, per cache that could not be written (the history was read either way).
    #[must_use]
    pub fn save_caches(&self) -> Vec<CacheNotWritten> {
        let work: Vec<_> = self
            .trend
            .platforms
            .iter()
            .zip(&self.memos)
            .zip(&self.states)
            .filter_map(|(trend, state)| state.as_ref().filter(|s| s.changed).map(|s| (trend, s)))
            .collect();
        let warnings: Vec<Option<CacheNotWritten>> = work
            .par_iter()
            .map(|&(trend, state)| {
                cache_folder::save(
                    &state.folder,
                    &state.source,
                    state.read,
                    &state.bad,
                    trend,
                    state.layout.as_ref(),
                )
                .err()
            })
            .collect();
        warnings.into_iter().flatten().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        HISTORY_SCHEMA, History, HistoryMode, HistoryRecord, MachineClass, TimeSummary, analyse,
        lines_path,
    };
    use perfmatrix_model::{BenchmarkId, RowVerdict};

    fn x86() -> TargetTriple {
        TargetTriple::parse("x86_64-unknown-linux-gnu").unwrap()
    }

    fn record(commit: usize, bench: usize) -> HistoryRecord {
        let step = if commit >= 60 && bench == 0 { 1.2 } else { 1.0 };
        let median = 1000.0 * step * (1.0 + ((commit * 7 + bench) % 5) as f64 / 1000.0);
        HistoryRecord {
            schema: HISTORY_SCHEMA.kind.to_owned(),
            version: HISTORY_SCHEMA.version,
            commit: format!("{commit:040x}"),
            parent: None,
            dirty: false,
            date: "2026-12-01T10:00:00+00:00".to_owned(),
            measured_unix: 1_790_000_000 + commit as u64,
            platform: x86(),
            machine: MachineClass {
                slug: "intel-xeon".to_owned(),
                id: "0123456789ab".to_owned(),
            },
            mode: HistoryMode::Committed,
            benchmark: BenchmarkId::new(format!("g/b{bench}")).unwrap(),
            time: TimeSummary {
                median_ns: median,
                lower_ns: median * 0.99,
                upper_ns: median * 1.01,
            },
            instructions: Some(if commit >= 60 && bench == 1 {
                1100
            } else {
                1000
            }),
            peak_rss_bytes: None,
            change: None,
            verdict: Some(RowVerdict::Unchanged),
            seconds: None,
        }
    }

    /// The lines of commits `commits`, each with `benchmarks` benchmarks.
    fn lines(commits: std::ops::Range<usize>, benchmarks: usize) -> String {
        let mut text = String::new();
        for c in commits {
            for b in 0..benchmarks {
                text.push_str(&serde_json::to_string(&record(c, b)).unwrap());
                text.push('\n');
            }
        }
        text
    }

    fn append_text(path: &Path, text: &str) {
        use std::io::Write as _;
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .unwrap();
        f.write_all(text.as_bytes()).unwrap();
    }

    fn read(dir: &Path, cache: Option<&Path>) -> ReadTrend {
        let files = crate::history_files(dir)
            .unwrap()
            .iter()
            .map(|p| HistoryFile::at_path(p).unwrap())
            .collect();
        let read = read_trend(files, cache).unwrap();
        assert!(read.save_caches().is_empty());
        read
    }

    /// The trend as JSON: what users see (the memos left out).
    fn shown(trend: &Trend) -> serde_json::Value {
        serde_json::to_value(trend).unwrap()
    }

    /// Without the cache: the history parsed and analysed whole, as `analyse` does.
    fn fresh(dir: &Path) -> serde_json::Value {
        shown(&analyse(History::read_dir(dir).unwrap()))
    }

    /// The records of commits `commits`, each with `benchmarks` benchmarks.
    fn records(commits: std::ops::Range<usize>, benchmarks: usize) -> Vec<HistoryRecord> {
        commits
            .flat_map(|c| (0..benchmarks).map(move |b| record(c, b)))
            .collect()
    }

    /// The compact store through the cache: after each append only the new runs are parsed,
    /// their ids taken from a frame the cache read before, and the trend is what a whole read
    /// of the file finds. The numbers are the store's (rounded), so the JSON-lines reference
    /// is made of rounded records.
    #[test]
    fn a_compact_store_is_read_through_the_cache_run_by_run() {
        let dir = tempfile::tempdir().unwrap();
        let cache = tempfile::tempdir().unwrap();
        let reference = tempfile::tempdir().unwrap();
        let both = |commits: std::ops::Range<usize>| {
            let new = records(commits, 3);
            crate::append(dir.path(), &new).unwrap();
            let rounded: Vec<String> = new
                .iter()
                .map(|r| serde_json::to_string(&crate::rounded(r)).unwrap() + "\n")
                .collect();
            append_text(&lines_path(reference.path(), &x86()), &rounded.concat());
        };
        both(0..50);
        let first = read(dir.path(), Some(cache.path()));
        assert_eq!(first.files[0].cache, CacheUse::Missing);
        assert_eq!(first.files[0].parsed_lines, 50, "a frame per run");
        assert_eq!(shown(&first.trend), fresh(dir.path()));
        assert!(first.trend.skipped.is_empty(), "{:?}", first.trend.skipped);
        for commits in [50..51, 51..70, 70..100] {
            let new = commits.len() as u64;
            both(commits);
            let again = read(dir.path(), Some(cache.path()));
            assert_eq!(again.files[0].cache, CacheUse::Used);
            assert_eq!(again.files[0].parsed_lines, new);
            assert!(again.trend.skipped.is_empty(), "{:?}", again.trend.skipped);
            let mut theirs = fresh(reference.path());
            let mut ours = shown(&again.trend);
            // Only the sources' names differ.
            for v in [&mut theirs, &mut ours] {
                v["platforms"][0]["platform"] = serde_json::Value::Null;
            }
            assert_eq!(ours, theirs);
        }
    }

    #[test]
    fn the_time_detectors_memos_are_kept_in_the_cache_beside_the_trend() {
        let dir = tempfile::tempdir().unwrap();
        let cache = tempfile::tempdir().unwrap();
        let path = lines_path(dir.path(), &x86());
        append_text(&path, &lines(0..40, 2));
        let first = read(dir.path(), Some(cache.path()));
        assert_eq!(first.memos.len(), 1);
        assert_eq!(first.memos[0].len(), 2, "a memo per series");
        let source = path.display().to_string();
        let folder = cache_folder::folder(cache.path(), &x86(), &source);
        let cached = cache_folder::load(&folder, &source, &x86()).unwrap();
        assert_eq!(
            cached.memos, first.memos[0],
            "saved as the analysis left them"
        );
        assert_eq!(cached.trend, first.trend.platforms[0]);
    }

    #[test]
    fn a_cached_read_parses_only_new_lines_and_finds_what_a_fresh_read_finds() {
        let dir = tempfile::tempdir().unwrap();
        let cache = tempfile::tempdir().unwrap();
        let path = lines_path(dir.path(), &x86());
        append_text(&path, &lines(0..50, 3));
        let first = read(dir.path(), Some(cache.path()));
        assert_eq!(first.files[0].cache, CacheUse::Missing);
        assert_eq!(first.files[0].parsed_lines, 150);
        assert_eq!(shown(&first.trend), fresh(dir.path()));

        // Appended three times: each read takes what it can from the cache.
        for (i, commits) in [50..51, 51..70, 70..100].into_iter().enumerate() {
            let new = commits.len() as u64 * 3;
            append_text(&path, &lines(commits, 3));
            let again = read(dir.path(), Some(cache.path()));
            assert_eq!(again.files[0].cache, CacheUse::Used, "append {i}");
            assert_eq!(again.files[0].parsed_lines, new, "append {i}");
            assert_eq!(shown(&again.trend), fresh(dir.path()), "append {i}");
        }
        let last = read(dir.path(), Some(cache.path()));
        assert_eq!(
            (last.files[0].cached_lines, last.files[0].parsed_lines),
            (300, 0)
        );
        // The step planted at commit 60 is found, in time and in instructions.
        let found: Vec<(String, usize)> = last.trend.platforms[0]
            .series
            .iter()
            .flat_map(|s| {
                s.change_points
                    .iter()
                    .map(|c| (s.benchmark.to_string(), c.index))
            })
            .collect();
        assert_eq!(found, [("g/b0".to_owned(), 60), ("g/b1".to_owned(), 60)]);
        // With the cache off, nothing is kept and the result is the same.
        let off = read(dir.path(), None);
        assert_eq!(off.files[0].cache, CacheUse::Off);
        assert_eq!(shown(&off.trend), shown(&last.trend));
    }

    #[test]
    fn a_rewritten_file_or_a_broken_cache_is_read_anew() {
        let dir = tempfile::tempdir().unwrap();
        let cache = tempfile::tempdir().unwrap();
        let path = lines_path(dir.path(), &x86());
        append_text(&path, &lines(0..40, 2));
        read(dir.path(), Some(cache.path()));
        // A line edited in place (same length): the cache no longer matches.
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, text.replacen("1000.0", "1009.0", 1)).unwrap();
        let edited = read(dir.path(), Some(cache.path()));
        assert!(
            matches!(
                &edited.files[0].cache,
                CacheUse::Dropped(CacheDropped::FileRewritten)
            ),
            "{:?}",
            edited.files[0].cache
        );
        assert_eq!(shown(&edited.trend), fresh(dir.path()));
        // A shorter file.
        std::fs::write(&path, lines(0..30, 2)).unwrap();
        let shorter = read(dir.path(), Some(cache.path()));
        assert!(matches!(
            &shorter.files[0].cache,
            CacheUse::Dropped(CacheDropped::FileShorter)
        ));
        assert_eq!(shown(&shorter.trend), fresh(dir.path()));
        // A state file that is not one.
        let folder = only_folder(cache.path());
        std::fs::write(folder.join("state.bin"), b"garbage").unwrap();
        let broken = read(dir.path(), Some(cache.path()));
        assert!(matches!(
            &broken.files[0].cache,
            CacheUse::Dropped(CacheDropped::Undecodable { .. })
        ));
        assert_eq!(shown(&broken.trend), fresh(dir.path()));
        assert_eq!(
            read(dir.path(), Some(cache.path())).files[0].cache,
            CacheUse::Used
        );
        // A point file lost, or cut short.
        let lose: fn(&Path) = |p| std::fs::remove_file(p).unwrap();
        let cut: fn(&Path) = |p| {
            let bytes = std::fs::read(p).unwrap();
            std::fs::write(p, &bytes[..bytes.len() - 1]).unwrap();
        };
        for damage in [lose, cut] {
            damage(&point_files(&folder)[0]);
            let after_damage = read(dir.path(), Some(cache.path()));
            assert!(
                matches!(&after_damage.files[0].cache, CacheUse::Dropped(_)),
                "{:?}",
                after_damage.files[0].cache
            );
            assert_eq!(shown(&after_damage.trend), fresh(dir.path()));
        }
    }

    fn only_folder(cache: &Path) -> PathBuf {
        let folders: Vec<PathBuf> = std::fs::read_dir(cache)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert_eq!(folders.len(), 1, "{folders:?}");
        folders[0].clone()
    }

    fn point_files(folder: &Path) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(folder)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                p.file_name()
                    .unwrap()
                    .to_str()
                    .unwrap()
                    .starts_with("points-")
            })
            .collect();
        files.sort();
        files
    }

    #[test]
    fn a_push_writes_only_its_new_points_and_every_sixteenth_writes_them_afresh() {
        let dir = tempfile::tempdir().unwrap();
        let cache = tempfile::tempdir().unwrap();
        let path = lines_path(dir.path(), &x86());
        append_text(&path, &lines(0..80, 4));
        read(dir.path(), Some(cache.path()));
        let folder = only_folder(cache.path());
        let base = std::fs::metadata(&point_files(&folder)[0]).unwrap().len();
        let mut counts = Vec::new();
        for c in 80..100 {
            append_text(&path, &lines(c..c + 1, 4));
            let again = read(dir.path(), Some(cache.path()));
            assert_eq!(again.files[0].cache, CacheUse::Used);
            assert_eq!(shown(&again.trend), fresh(dir.path()), "commit {c}");
            let files = point_files(&folder);
            counts.push(files.len());
            if files.len() > 1 {
                let newest = files
                    .iter()
                    .map(|f| std::fs::metadata(f).unwrap().len())
                    .min()
                    .unwrap();
                assert!(
                    newest * 20 < base,
                    "one commit's file: {newest} bytes, base {base}"
                );
            }
        }
        // One base and up to 15 added files, then all points in one file again.
        let expected: Vec<usize> = (2..=16).chain(1..=5).collect();
        assert_eq!(counts, expected);
        // A benchmark first measured now gets its points in the next file too.
        let mut new = record(100, 9);
        new.benchmark = BenchmarkId::new("a/new").unwrap();
        append_text(
            &path,
            &format!("{}\n", serde_json::to_string(&new).unwrap()),
        );
        let with_new = read(dir.path(), Some(cache.path()));
        assert_eq!(
            with_new.trend.platforms[0].series[0].benchmark.as_str(),
            "a/new"
        );
        let again = read(dir.path(), Some(cache.path()));
        assert_eq!(again.files[0].cache, CacheUse::Used);
        assert_eq!(shown(&again.trend), fresh(dir.path()));
    }

    #[test]
    fn bad_lines_are_reported_on_every_read_with_their_line_numbers() {
        let dir = tempfile::tempdir().unwrap();
        let cache = tempfile::tempdir().unwrap();
        let path = lines_path(dir.path(), &x86());
        let mut other = record(0, 0);
        other.platform = TargetTriple::parse("aarch64-unknown-linux-gnu").unwrap();
        append_text(&path, &lines(0..2, 1));
        append_text(&path, "{ truncated\n");
        append_text(
            &path,
            &format!("{}\n", serde_json::to_string(&other).unwrap()),
        );
        // An unfinished last line: reported, not read, until it ends.
        let unfinished = serde_json::to_string(&record(2, 0)).unwrap();
        append_text(&path, &unfinished);
        let bad = |r: &ReadTrend| -> Vec<(usize, bool)> {
            r.trend
                .skipped
                .iter()
                .map(|b| {
                    let other = matches!(&b.problem, RecordProblem::OtherPlatform { found, .. } if found.starts_with("aarch64"));
                    (b.place.number(), other)
                })
                .collect()
        };
        let first = read(dir.path(), Some(cache.path()));
        assert_eq!(bad(&first), [(3, false), (4, true), (5, false)]);
        assert_eq!(
            first.trend.skipped[2].problem,
            RecordProblem::UnfinishedLine
        );
        assert_eq!(first.trend.platforms[0].series[0].points.len(), 2);
        let second = read(dir.path(), Some(cache.path()));
        assert_eq!(second.files[0].cache, CacheUse::Used);
        assert_eq!(second.trend.skipped, first.trend.skipped);
        // The line ends: it is read (line 5), and a new bad line is numbered on from there.
        append_text(&path, "\n");
        append_text(&path, "NaN\n");
        let third = read(dir.path(), Some(cache.path()));
        assert_eq!(third.files[0].cache, CacheUse::Used);
        assert_eq!(bad(&third), [(3, false), (4, true), (6, false)]);
        assert_eq!(third.trend.platforms[0].series[0].points.len(), 3);
        assert_eq!(
            shown(&third.trend)["platforms"],
            fresh(dir.path())["platforms"]
        );
    }

    #[test]
    fn two_files_of_one_platform_are_refused() {
        let name = Path::new("x86_64-unknown-linux-gnu.jsonl");
        let a = HistoryFile::in_memory("a/x.jsonl".to_owned(), name, Vec::new()).unwrap();
        let b = HistoryFile::in_memory("b/x.jsonl".to_owned(), name, Vec::new()).unwrap();
        let err = read_trend(vec![a, b], None).unwrap_err().to_string();
        assert!(
            err.contains("a/x.jsonl") && err.contains("b/x.jsonl"),
            "{err}"
        );
    }
}
