//! The compact history store (`<triple>.pmh`): one frame per run of a platform, appended in
//! place, its numbers in compressed columns (docs/history.md, "The store").
//!
//! A frame is a fixed prefix — the magic `PMH2`, then the lengths of its header and body and
//! the CRC-32 of the body, each a little-endian `u32` — a JSON header with what the run's
//! records share ([`RunHeader`]), and a deflated body: the benchmark ids (front-coded; or
//! none, when the header's `ids_from` names the earlier frame whose ids these are), then one
//! column per number, its bytes split into planes so that like bytes sit together.
//!
//! Times and changes are kept to 1 part in 10,000 (their logarithm, rounded to 10⁻⁴): a
//! thousand times finer than anything a run can tell apart. Instruction counts and bytes are
//! exact. A frame cut short (an append killed while writing) is not read, and the next append
//! removes it; a frame whose body fails its CRC is skipped and reported.

use std::io::{Read as _, Write as _};

use flate2::Compression;
use flate2::read::DeflateDecoder;
use flate2::write::DeflateEncoder;
use serde::{Deserialize, Serialize};

use perfmatrix_model::{BenchmarkId, Schema, TargetTriple};

use crate::history::{BadRecord, Parsed, Sink};
use crate::problem::{Place, RecordProblem};
use crate::{ChangeSummary, HISTORY_SCHEMA, HistoryMode, HistoryRecord, MachineClass, TimeSummary};

/// The extension of a platform's compact history file.
pub const STORE_EXTENSION: &str = "pmh";

/// The kind and version of every frame header this build reads and writes.
pub const STORE_SCHEMA: Schema = Schema {
    kind: "perfmatrix-history-run",
    version: 1,
};

const MAGIC: &[u8; 4] = b"PMH2";
/// The magic and three `u32`s: the header's length, the body's length, the body's CRC-32.
pub(crate) const PREFIX: usize = 16;
/// Times and changes are stored as `round(ln(x) × LOG_SCALE)`.
const LOG_SCALE: f64 = 1e4;

/// What one run's records share, written once per frame.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RunHeader {
    pub(crate) schema: String,
    pub(crate) version: u32,
    pub(crate) commit: String,
    pub(crate) parent: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub(crate) dirty: bool,
    pub(crate) date: String,
    pub(crate) measured_unix: u64,
    pub(crate) platform: TargetTriple,
    pub(crate) machine: MachineClass,
    pub(crate) mode: HistoryMode,
    /// How many records (benchmarks) the frame holds.
    pub(crate) records: u32,
    /// The offset in the file of an earlier frame whose ids, in order, are this frame's; none
    /// when the body holds them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) ids_from: Option<u64>,
}

impl RunHeader {
    /// The header `record`'s run would have (`records` and `ids_from` left to fill in).
    pub(crate) fn of(record: &HistoryRecord) -> Self {
        Self {
            schema: STORE_SCHEMA.kind.to_owned(),
            version: STORE_SCHEMA.version,
            commit: record.commit.clone(),
            parent: record.parent.clone(),
            dirty: record.dirty,
            date: record.date.clone(),
            measured_unix: record.measured_unix,
            platform: record.platform.clone(),
            machine: record.machine.clone(),
            mode: record.mode,
            records: 0,
            ids_from: None,
        }
    }

    /// Whether `record` belongs to this header's run.
    pub(crate) fn holds(&self, record: &HistoryRecord) -> bool {
        self.commit == record.commit
            && self.parent == record.parent
            && self.dirty == record.dirty
            && self.date == record.date
            && self.measured_unix == record.measured_unix
            && self.platform == record.platform
            && self.machine == record.machine
            && self.mode == record.mode
    }
}

/// `x` (positive) as a stored logarithm.
#[expect(
    clippy::cast_possible_truncation,
    reason = "ln of a positive finite f64 is within ±745, so × 10⁴ fits an i32"
)]
fn log_code(x: f64) -> i32 {
    (x.ln() * LOG_SCALE).round() as i32
}

/// How many low bits of a code [`from_log_code`] looks up in its small table.
const LOW_BITS: u32 = 12;

/// `exp(code / LOG_SCALE)`, by two table lookups and a product (a cold read of a large history
/// decodes six of these a record; `exp` itself was a fifth of its time). Within 10⁻¹⁴ (relative)
/// of `exp`, and the same for every reader: rounding its value again gives back `code`.
fn from_log_code(code: i32) -> f64 {
    static TABLES: std::sync::LazyLock<(Vec<f64>, Vec<f64>)> = std::sync::LazyLock::new(|| {
        let low = (0..1 << LOW_BITS)
            .map(|k| (f64::from(k) / LOG_SCALE).exp())
            .collect();
        // High parts from i32::MIN >> LOW_BITS to i32::MAX >> LOW_BITS.
        let span = 1i64 << (32 - LOW_BITS);
        #[expect(
            clippy::cast_precision_loss,
            reason = "the high parts are below 2²⁰, exact in an f64"
        )]
        let high = (0..span)
            .map(|i| (((i - span / 2) << LOW_BITS) as f64 / LOG_SCALE).exp())
            .collect();
        (low, high)
    });
    let (low, high) = &*TABLES;
    let hi = (i64::from(code >> LOW_BITS) + (1i64 << (31 - LOW_BITS))) as usize;
    let lo = (code & ((1 << LOW_BITS) - 1)) as usize;
    high[hi] * low[lo]
}

/// A record's numbers as the store keeps them: its times and change as logarithms rounded to
/// 10⁻⁴ (one part in 10,000), each interval's ends as their distances from its middle (never
/// negative), the standard error and the seconds as `f32`. Written as they are, and read back
/// through [`Codes::time`] and [`Codes::change`].
#[derive(Debug, Clone, Copy)]
struct Codes {
    median: i32,
    below: i32,
    above: i32,
    change: Option<ChangeCodes>,
    seconds: Option<f32>,
}

/// A change's part of [`Codes`].
#[derive(Debug, Clone, Copy)]
struct ChangeCodes {
    estimate: i32,
    below: i32,
    above: i32,
    log_se: f32,
}

impl Codes {
    fn of(record: &HistoryRecord) -> Self {
        let t = record.time;
        let median = log_code(t.median_ns);
        Self {
            median,
            below: median.saturating_sub(log_code(t.lower_ns).min(median)),
            above: log_code(t.upper_ns).max(median).saturating_sub(median),
            change: record.change.map(|c| {
                let estimate = log_code(1.0 + c.estimate);
                ChangeCodes {
                    estimate,
                    below: estimate.saturating_sub(log_code(1.0 + c.lower).min(estimate)),
                    above: log_code(1.0 + c.upper)
                        .max(estimate)
                        .saturating_sub(estimate),
                    log_se: single(c.log_se),
                }
            }),
            seconds: record.seconds.map(single),
        }
    }

    fn time(&self) -> TimeSummary {
        TimeSummary {
            median_ns: from_log_code(self.median),
            lower_ns: from_log_code(self.median.saturating_sub(self.below)),
            upper_ns: from_log_code(self.median.saturating_add(self.above)),
        }
    }

    fn change(&self) -> Option<ChangeSummary> {
        self.change.map(|c| ChangeSummary {
            estimate: from_log_code(c.estimate) - 1.0,
            lower: from_log_code(c.estimate.saturating_sub(c.below)) - 1.0,
            upper: from_log_code(c.estimate.saturating_add(c.above)) - 1.0,
            log_se: f64::from(c.log_se),
        })
    }
}

/// `record` as the store keeps it: its times and changes as logarithms rounded to 10⁻⁴ (one part
/// in 10,000), its standard error and seconds as `f32`. Read back, a frame gives exactly this;
/// rounding twice gives the same record.
#[must_use]
pub fn rounded(record: &HistoryRecord) -> HistoryRecord {
    let codes = Codes::of(record);
    HistoryRecord {
        time: codes.time(),
        change: codes.change(),
        seconds: codes.seconds.map(f64::from),
        ..record.clone()
    }
}

/// `x` as an `f32`, finite (a value past `f32`'s range is its largest).
#[expect(
    clippy::cast_possible_truncation,
    reason = "kept to f32 on purpose: a standard error or a duration needs no more"
)]
fn single(x: f64) -> f32 {
    (x as f32).clamp(f32::MIN, f32::MAX)
}

/// The bits of a record's flags: which optional numbers it has.
const HAS_INSTRUCTIONS: u8 = 1;
const HAS_RSS: u8 = 2;
const HAS_CHANGE: u8 = 4;
const HAS_SECONDS: u8 = 8;

/// One frame, `header` with `records` (all of its run, in order). With `ids_from`, the body
/// leaves the ids out: they are those of the frame at that offset.
pub(crate) fn encode_frame(mut header: RunHeader, records: &[&HistoryRecord]) -> Vec<u8> {
    header.records = u32::try_from(records.len()).expect("a run of fewer than 2³² benchmarks");
    let mut body = Vec::with_capacity(records.len() * 48);
    if header.ids_from.is_none() {
        let mut previous: &[u8] = &[];
        for r in records {
            let id = r.benchmark.as_str().as_bytes();
            let shared = id.iter().zip(previous).take_while(|(a, b)| a == b).count();
            let rest = &id[shared..];
            let length =
                |n: usize| u16::try_from(n).expect("ids are at most 256 bytes (BenchmarkId)");
            body.extend_from_slice(&length(shared).to_le_bytes());
            body.extend_from_slice(&length(rest.len()).to_le_bytes());
            body.extend_from_slice(rest);
            previous = id;
        }
    }
    let codes: Vec<Codes> = records.iter().map(|r| Codes::of(r)).collect();
    let flags: Vec<u8> = records
        .iter()
        .map(|r| {
            (u8::from(r.instructions.is_some()) * HAS_INSTRUCTIONS)
                | (u8::from(r.peak_rss_bytes.is_some()) * HAS_RSS)
                | (u8::from(r.change.is_some()) * HAS_CHANGE)
                | (u8::from(r.seconds.is_some()) * HAS_SECONDS)
        })
        .collect();
    planes(&mut body, &flags, |f| [*f]);
    planes(&mut body, records, |r| {
        [crate::point_columns::verdict_code(r.verdict)]
    });
    planes(&mut body, &codes, |c| c.median.to_le_bytes());
    planes(&mut body, &codes, |c| c.below.to_le_bytes());
    planes(&mut body, &codes, |c| c.above.to_le_bytes());
    planes(&mut body, records, |r| {
        r.instructions.unwrap_or(0).to_le_bytes()
    });
    planes(&mut body, records, |r| {
        r.peak_rss_bytes.unwrap_or(0).to_le_bytes()
    });
    let change = |c: &Codes, part: fn(&ChangeCodes) -> i32| c.change.as_ref().map_or(0, part);
    planes(&mut body, &codes, |c| {
        change(c, |c| c.estimate).to_le_bytes()
    });
    planes(&mut body, &codes, |c| change(c, |c| c.below).to_le_bytes());
    planes(&mut body, &codes, |c| change(c, |c| c.above).to_le_bytes());
    planes(&mut body, &codes, |c| {
        c.change.map_or(0.0, |c| c.log_se).to_le_bytes()
    });
    planes(&mut body, &codes, |c| {
        c.seconds.unwrap_or(0.0).to_le_bytes()
    });
    let mut deflate = DeflateEncoder::new(Vec::new(), Compression::default());
    deflate.write_all(&body).expect("deflating to memory");
    let body = deflate.finish().expect("deflating to memory");
    let header = serde_json::to_vec(&header).expect("a run header is plain data");
    let mut frame = Vec::with_capacity(PREFIX + header.len() + body.len());
    frame.extend_from_slice(MAGIC);
    for n in [header.len(), body.len()] {
        frame.extend_from_slice(&u32::try_from(n).expect("a frame under 4 GiB").to_le_bytes());
    }
    frame.extend_from_slice(&crc32(&body).to_le_bytes());
    frame.extend_from_slice(&header);
    frame.extend_from_slice(&body);
    frame
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = flate2::Crc::new();
    crc.update(bytes);
    crc.sum()
}

/// Appends `items`' values to `out` as one column of `N`-byte values, plane by plane: every
/// value's first byte, then every second byte, …
fn planes<T, const N: usize>(out: &mut Vec<u8>, items: &[T], bytes: impl Fn(&T) -> [u8; N]) {
    let values: Vec<[u8; N]> = items.iter().map(bytes).collect();
    for plane in 0..N {
        out.extend(values.iter().map(|v| v[plane]));
    }
}

/// Reads back one column written by [`planes`].
struct Columns<'a> {
    body: &'a [u8],
    at: usize,
    n: usize,
}

impl Columns<'_> {
    fn column<const N: usize>(&mut self) -> Option<Vec<[u8; N]>> {
        let end = self.at.checked_add(self.n.checked_mul(N)?)?;
        let bytes = self.body.get(self.at..end)?;
        self.at = end;
        let mut values = vec![[0u8; N]; self.n];
        for plane in 0..N {
            for (value, b) in values.iter_mut().zip(&bytes[plane * self.n..]) {
                value[plane] = *b;
            }
        }
        Some(values)
    }
}

/// The fixed prefix of a frame at the start of `bytes`: the header's and body's lengths and the
/// body's CRC, or why it is not one (`None`: fewer than [`PREFIX`] bytes).
pub(crate) fn prefix(bytes: &[u8]) -> Option<Result<(usize, usize, u32), RecordProblem>> {
    let p = bytes.get(..PREFIX)?;
    if &p[..4] != MAGIC {
        return Some(Err(RecordProblem::NotAFrame));
    }
    let word = |i: usize| u32::from_le_bytes([p[i], p[i + 1], p[i + 2], p[i + 3]]);
    Some(Ok((word(4) as usize, word(8) as usize, word(12))))
}

/// How many whole frames follow one another from the start of `bytes`, by their prefixes alone.
fn count_frames(bytes: &[u8]) -> usize {
    let (mut at, mut frames) = (0_usize, 0);
    while let Some(Ok((header_len, body_len, _))) = bytes.get(at..).and_then(prefix) {
        match at
            .checked_add(PREFIX + header_len)
            .and_then(|end| end.checked_add(body_len))
        {
            Some(end) if end <= bytes.len() => (at, frames) = (end, frames + 1),
            _ => break,
        }
    }
    frames
}

/// A frame's header, checked: its schema, and that it is of `platform`.
pub(crate) fn header(bytes: &[u8], platform: &TargetTriple) -> Result<RunHeader, RecordProblem> {
    let header: RunHeader = serde_json::from_slice(bytes).map_err(|e| RecordProblem::Header {
        message: e.to_string(),
    })?;
    crate::history::check_schema(STORE_SCHEMA, &header.schema, header.version)?;
    crate::history::check_run(&header.commit, header.parent.as_deref())?;
    if header.platform != *platform {
        return Err(RecordProblem::OtherPlatform {
            found: header.platform,
            file: platform.clone(),
        });
    }
    Ok(header)
}

/// The inflated body of a frame, checked against its CRC.
pub(crate) fn inflate(body: &[u8], crc: u32) -> Result<Vec<u8>, RecordProblem> {
    if crc32(body) != crc {
        return Err(RecordProblem::Crc);
    }
    let mut out = Vec::with_capacity(body.len() * 3);
    DeflateDecoder::new(body)
        .read_to_end(&mut out)
        .map_err(|e| RecordProblem::Inflate {
            message: e.to_string(),
        })?;
    Ok(out)
}

/// The ids at the start of an inflated body of `n` records, and where the columns start.
pub(crate) fn ids(body: &[u8], n: usize) -> Result<(Vec<BenchmarkId>, usize), RecordProblem> {
    let mut ids = Vec::with_capacity(n);
    let mut at = 0;
    let mut previous = String::new();
    let short = || RecordProblem::IdsCutShort;
    for _ in 0..n {
        let word = |at: usize| {
            body.get(at..at + 2)
                .map(|b| usize::from(u16::from_le_bytes([b[0], b[1]])))
        };
        let shared = word(at).ok_or_else(short)?;
        let len = word(at + 2).ok_or_else(short)?;
        let rest = body.get(at + 4..at + 4 + len).ok_or_else(short)?;
        at += 4 + len;
        let head = previous
            .get(..shared)
            .ok_or(RecordProblem::IdSharesTooMuch)?;
        let id = format!(
            "{head}{}",
            std::str::from_utf8(rest).map_err(|_| RecordProblem::IdNotUtf8)?
        );
        let checked = BenchmarkId::new(id.clone()).map_err(|e| RecordProblem::BadId {
            message: e.to_string(),
        })?;
        previous = id;
        ids.push(checked);
    }
    Ok((ids, at))
}

/// One record of a frame without what its run shares (the [`RunHeader`]) and its benchmark
/// (the frame's ids, in the same order).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Row {
    pub(crate) time: TimeSummary,
    pub(crate) instructions: Option<u64>,
    pub(crate) peak_rss_bytes: Option<u64>,
    pub(crate) change: Option<ChangeSummary>,
    pub(crate) verdict: Option<perfmatrix_model::RowVerdict>,
    pub(crate) seconds: Option<f64>,
}

impl Row {
    /// The whole record: `header`'s run, `benchmark`, this row's numbers.
    pub(crate) fn record(self, header: &RunHeader, benchmark: BenchmarkId) -> HistoryRecord {
        HistoryRecord {
            schema: HISTORY_SCHEMA.kind.to_owned(),
            version: HISTORY_SCHEMA.version,
            commit: header.commit.clone(),
            parent: header.parent.clone(),
            dirty: header.dirty,
            date: header.date.clone(),
            measured_unix: header.measured_unix,
            platform: header.platform.clone(),
            machine: header.machine.clone(),
            mode: header.mode,
            benchmark,
            time: self.time,
            instructions: self.instructions,
            peak_rss_bytes: self.peak_rss_bytes,
            change: self.change,
            verdict: self.verdict,
            seconds: self.seconds,
        }
    }
}

/// The rows of a frame: the `ids` (its own, or those of the frame it names), and the columns
/// of `body` from `at`. Every row is checked as a JSON line's record would be (the run's
/// fields once, in [`header`]).
pub(crate) fn rows(
    header: &RunHeader,
    ids: &[BenchmarkId],
    body: &[u8],
    at: usize,
) -> Result<Vec<Row>, RecordProblem> {
    let count = header.records as usize;
    if ids.len() != count {
        return Err(RecordProblem::RecordCount {
            records: count,
            ids: ids.len(),
        });
    }
    let mut columns = Columns { body, at, n: count };
    let short = || RecordProblem::NumbersCutShort;
    let flags = columns.column::<1>().ok_or_else(short)?;
    let verdicts = columns.column::<1>().ok_or_else(short)?;
    let median = columns.column::<4>().ok_or_else(short)?;
    let lower = columns.column::<4>().ok_or_else(short)?;
    let upper = columns.column::<4>().ok_or_else(short)?;
    let instructions = columns.column::<8>().ok_or_else(short)?;
    let rss = columns.column::<8>().ok_or_else(short)?;
    let estimate = columns.column::<4>().ok_or_else(short)?;
    let below = columns.column::<4>().ok_or_else(short)?;
    let above = columns.column::<4>().ok_or_else(short)?;
    let log_se = columns.column::<4>().ok_or_else(short)?;
    let seconds = columns.column::<4>().ok_or_else(short)?;
    if columns.at != body.len() {
        return Err(RecordProblem::BytesLeftOver);
    }
    let mut out = Vec::with_capacity(count);
    for i in 0..count {
        let flag = flags[i][0];
        let int = |v: [u8; 4]| i32::from_le_bytes(v);
        let verdict = crate::point_columns::VERDICTS
            .get(usize::from(verdicts[i][0]))
            .copied()
            .ok_or_else(|| RecordProblem::NoSuchVerdict {
                id: ids[i].clone(),
                code: verdicts[i][0],
            })?;
        let codes = Codes {
            median: int(median[i]),
            below: int(lower[i]),
            above: int(upper[i]),
            change: (flag & HAS_CHANGE != 0).then(|| ChangeCodes {
                estimate: int(estimate[i]),
                below: int(below[i]),
                above: int(above[i]),
                log_se: f32::from_le_bytes(log_se[i]),
            }),
            seconds: (flag & HAS_SECONDS != 0).then(|| f32::from_le_bytes(seconds[i])),
        };
        let row = Row {
            time: codes.time(),
            instructions: (flag & HAS_INSTRUCTIONS != 0)
                .then(|| u64::from_le_bytes(instructions[i])),
            peak_rss_bytes: (flag & HAS_RSS != 0).then(|| u64::from_le_bytes(rss[i])),
            change: codes.change(),
            verdict,
            seconds: codes.seconds.map(f64::from),
        };
        crate::history::check_numbers(
            &row.time,
            row.change.as_ref(),
            row.seconds,
            row.instructions,
        )
        .map_err(|problem| RecordProblem::Row {
            id: ids[i].clone(),
            problem: Box::new(problem),
        })?;
        out.push(row);
    }
    Ok(out)
}

/// Parses the frames of `bytes`, which start at byte `offset` of the history file `source` of
/// `platform`; the first is run number `first`. `ids_at(o)` gives the ids of the frame at
/// offset `o` before `bytes` (a frame here names one that an earlier read parsed). Each
/// run goes to `sink`, each frame skipped to `bad`; a last frame cut short is not read.
pub(crate) fn parse_frames(
    source: &str,
    platform: &TargetTriple,
    bytes: &[u8],
    (offset, first): (u64, usize),
    ids_at: &mut dyn FnMut(u64) -> Result<Vec<BenchmarkId>, RecordProblem>,
    sink: &mut impl Sink,
    bad: &mut Vec<BadRecord>,
) -> Parsed {
    let mut at = 0usize;
    let mut runs = 0usize;
    // The ids of the frames that hold them, shared by the frames that name them.
    let mut known: Vec<(u64, std::rc::Rc<[BenchmarkId]>)> = Vec::new();
    let skipped = |number: usize, byte: Option<u64>, problem: RecordProblem| BadRecord {
        source: source.to_owned(),
        place: Place::Run { number, byte },
        problem,
    };
    let mut unfinished = None;
    sink.expect_runs(count_frames(bytes));
    while at < bytes.len() {
        let number = first + runs;
        let (header_len, body_len, crc) = match prefix(&bytes[at..]) {
            None => {
                unfinished = Some(skipped(number, None, RecordProblem::CutShort));
                break;
            }
            Some(Err(problem)) => {
                // Nothing after this can be found: every byte left is counted as read.
                bad.push(skipped(number, Some(offset + at as u64), problem));
                runs += 1;
                at = bytes.len();
                break;
            }
            Some(Ok(p)) => p,
        };
        let end = at
            .checked_add(PREFIX + header_len)
            .and_then(|e| e.checked_add(body_len));
        let Some(end) = end.filter(|&e| e <= bytes.len()) else {
            unfinished = Some(skipped(number, None, RecordProblem::CutShort));
            break;
        };
        let frame_offset = offset + at as u64;
        let head = &bytes[at + PREFIX..at + PREFIX + header_len];
        let body = &bytes[at + PREFIX + header_len..end];
        at = end;
        runs += 1;
        let read = header(head, platform).and_then(|h| {
            let body = inflate(body, crc)?;
            let ids_key = h.ids_from.unwrap_or(frame_offset);
            let (ids, columns) = match h.ids_from {
                None => {
                    let (ids, columns) = ids(&body, h.records as usize)?;
                    let ids: std::rc::Rc<[BenchmarkId]> = ids.into();
                    known.push((frame_offset, ids.clone()));
                    (ids, columns)
                }
                Some(from) => match known.iter().rev().find(|(o, _)| *o == from) {
                    Some((_, ids)) => (ids.clone(), 0),
                    None if from < offset => {
                        let ids: std::rc::Rc<[BenchmarkId]> = ids_at(from)?.into();
                        known.push((from, ids.clone()));
                        (ids, 0)
                    }
                    None => return Err(RecordProblem::IdsNotAFrame { offset: from }),
                },
            };
            let rows = rows(&h, &ids, &body, columns)?;
            Ok((h, (ids_key, ids), rows))
        });
        match read {
            Ok((header, (key, ids), rows)) => sink.run(&header, (key, &ids), rows),
            Err(problem) => bad.push(skipped(number, None, problem)),
        }
    }
    Parsed {
        bytes: at,
        lines: runs,
        unfinished,
    }
}

/// The ids of the frame at the start of `frame` (a whole frame, its prefix included), which
/// must hold them itself.
pub(crate) fn own_ids(
    frame: &[u8],
    platform: &TargetTriple,
) -> Result<Vec<BenchmarkId>, RecordProblem> {
    let (header_len, body_len, crc) = prefix(frame).ok_or(RecordProblem::CutShort)??;
    let body = frame
        .get(PREFIX + header_len..PREFIX + header_len + body_len)
        .ok_or(RecordProblem::CutShort)?;
    let h = header(&frame[PREFIX..PREFIX + header_len], platform)?;
    if h.ids_from.is_some() {
        return Err(RecordProblem::IdsNameNone);
    }
    Ok(ids(&inflate(body, crc)?, h.records as usize)?.0)
}

/// A frame found by [`scan`]: where it starts, and its header if it parses.
pub(crate) struct Scanned {
    pub(crate) offset: u64,
    pub(crate) header: Option<RunHeader>,
}

/// What [`scan`] found in a compact file.
pub(crate) struct Scan {
    pub(crate) frames: Vec<Scanned>,
    /// Where the last whole frame ends.
    pub(crate) end: u64,
    /// How many bytes after it belong to a frame cut short.
    pub(crate) cut_short: u64,
}

/// Why [`scan`] failed.
pub(crate) enum ScanError {
    Io(std::io::Error),
    /// Bytes that are not a frame, where one should start: nothing after them can be found.
    Damaged {
        offset: u64,
        problem: RecordProblem,
    },
}

/// Walks the frames of `file` by their prefixes, reading each header and skipping each body:
/// the work grows with the number of runs, not of records.
pub(crate) fn scan(file: &mut std::fs::File, platform: &TargetTriple) -> Result<Scan, ScanError> {
    use std::io::{Seek as _, SeekFrom};
    let len = file.metadata().map_err(ScanError::Io)?.len();
    let mut frames = Vec::new();
    let mut at = 0u64;
    while at < len {
        file.seek(SeekFrom::Start(at)).map_err(ScanError::Io)?;
        let mut p = [0u8; PREFIX];
        if len - at < PREFIX as u64 {
            break;
        }
        file.read_exact(&mut p).map_err(ScanError::Io)?;
        let (header_len, body_len, _) = match prefix(&p) {
            Some(Ok(lengths)) => lengths,
            Some(Err(problem)) => {
                return Err(ScanError::Damaged {
                    offset: at,
                    problem,
                });
            }
            None => break,
        };
        let end = at + (PREFIX + header_len) as u64 + body_len as u64;
        if end > len {
            break;
        }
        let mut head = vec![0u8; header_len];
        file.read_exact(&mut head).map_err(ScanError::Io)?;
        frames.push(Scanned {
            offset: at,
            header: header(&head, platform).ok(),
        });
        at = end;
    }
    Ok(Scan {
        frames,
        end: at,
        cut_short: len - at,
    })
}

/// The ids of the frame at `offset` of `file`, which holds them itself.
pub(crate) fn ids_at(
    file: &mut std::fs::File,
    offset: u64,
    platform: &TargetTriple,
) -> Result<Vec<BenchmarkId>, RecordProblem> {
    use std::io::{Seek as _, SeekFrom};
    let io = |e: std::io::Error| RecordProblem::IdsUnread {
        offset,
        message: e.to_string(),
    };
    file.seek(SeekFrom::Start(offset)).map_err(io)?;
    let mut p = [0u8; PREFIX];
    file.read_exact(&mut p).map_err(io)?;
    let (header_len, body_len, _) = prefix(&p).ok_or(RecordProblem::CutShort)??;
    let mut frame = p.to_vec();
    frame.resize(PREFIX + header_len + body_len, 0);
    file.read_exact(&mut frame[PREFIX..]).map_err(io)?;
    own_ids(&frame, platform)
}

#[cfg(test)]
mod tests {
    use super::*;
    use perfmatrix_model::RowVerdict;

    fn record(id: &str, median: f64, paired: bool) -> HistoryRecord {
        HistoryRecord {
            schema: HISTORY_SCHEMA.kind.to_owned(),
            version: HISTORY_SCHEMA.version,
            commit: "a".repeat(40),
            parent: Some("b".repeat(40)),
            dirty: false,
            date: "2026-12-03T10:00:00+00:00".to_owned(),
            measured_unix: 1_800_000_000,
            platform: TargetTriple::parse("x86_64-unknown-linux-gnu").unwrap(),
            machine: MachineClass {
                slug: "x86-64-v3".to_owned(),
                id: "0123456789abcdef".to_owned(),
            },
            mode: if paired {
                HistoryMode::Paired
            } else {
                HistoryMode::Committed
            },
            benchmark: BenchmarkId::new(id.to_owned()).unwrap(),
            time: TimeSummary {
                median_ns: median,
                lower_ns: median * 0.987_654_3,
                upper_ns: median * 1.012_345_6,
            },
            instructions: Some(123_456_789_012),
            peak_rss_bytes: paired.then_some(7_340_032),
            change: paired.then_some(ChangeSummary {
                estimate: 0.031_234_5,
                lower: -0.004_321,
                upper: 0.061_11,
                log_se: 0.012_345_678,
            }),
            verdict: Some(if paired {
                RowVerdict::Inconclusive
            } else {
                RowVerdict::Unchanged
            }),
            seconds: Some(1.234_567),
        }
    }

    fn parse(bytes: &[u8]) -> (Vec<HistoryRecord>, Vec<BadRecord>, Parsed) {
        let mut records = Vec::new();
        let mut bad = Vec::new();
        let parsed = parse_frames(
            "x.pmh",
            &TargetTriple::parse("x86_64-unknown-linux-gnu").unwrap(),
            bytes,
            (0, 1),
            &mut |offset| Err(RecordProblem::IdsNotAFrame { offset }),
            &mut |r| records.push(r),
            &mut bad,
        );
        (records, bad, parsed)
    }

    #[test]
    fn a_frame_reads_back_as_its_records_rounded() {
        let rs = [
            record("sum/1", 1_234.567_891, true),
            record("sum/10", 0.123_456, true),
            record("zeta/ü/3", 9.87e9, false),
        ];
        let mut header = RunHeader::of(&rs[0]);
        let frame = encode_frame(header.clone(), &[&rs[0], &rs[1]]);
        header.mode = HistoryMode::Committed;
        let frame2 = encode_frame(header, &[&rs[2]]);
        let (back, bad, parsed) = parse(&[frame.clone(), frame2].concat());
        assert!(bad.is_empty(), "{bad:?}");
        assert_eq!(parsed.lines, 2);
        let expected: Vec<HistoryRecord> = rs.iter().map(rounded).collect();
        assert_eq!(back, expected);
        // Rounding keeps 1 part in 10,000 and is idempotent.
        for (r, e) in rs.iter().zip(&expected) {
            assert!((e.time.median_ns / r.time.median_ns - 1.0).abs() < 1e-4);
            assert_eq!(rounded(e), *e);
        }
    }

    /// The table lookup is `exp` within 10⁻¹⁴ (relative) over the codes a time or change takes, and
    /// rounding its value gives back the code.
    #[test]
    fn the_log_codes_decode_as_exp_does() {
        for code in (-400_000..400_000)
            .step_by(7)
            .chain([i32::MIN, -1, 0, 1, 4095, 4096, i32::MAX])
        {
            let ours = from_log_code(code);
            let exact = (f64::from(code) / LOG_SCALE).exp();
            if exact.is_normal() {
                assert!(
                    (ours / exact - 1.0).abs() < 1e-14,
                    "{code}: {ours} vs {exact}"
                );
                assert_eq!(log_code(ours), code);
            }
        }
    }

    #[test]
    fn a_frame_may_take_its_ids_from_an_earlier_one() {
        let rs: Vec<HistoryRecord> = (0..50)
            .map(|i| record(&format!("sum/{i}"), 10.0 + f64::from(i), true))
            .collect();
        let all: Vec<&HistoryRecord> = rs.iter().collect();
        let first = encode_frame(RunHeader::of(&rs[0]), &all);
        let mut later = RunHeader::of(&rs[0]);
        later.commit = "c".repeat(40);
        later.ids_from = Some(0);
        let second = encode_frame(later, &all);
        assert!(second.len() < first.len());
        let (back, bad, _) = parse(&[first, second].concat());
        assert!(bad.is_empty(), "{bad:?}");
        assert_eq!(back.len(), 100);
        assert_eq!(back[99].benchmark, rs[49].benchmark);
        assert_eq!(back[99].commit, "c".repeat(40));
    }

    #[test]
    fn a_cut_frame_is_unfinished_and_a_damaged_one_skipped() {
        let a = record("sum/1", 10.0, false);
        let frame = encode_frame(RunHeader::of(&a), &[&a]);
        let (_, bad, parsed) = parse(&frame[..frame.len() - 1]);
        assert!(bad.is_empty());
        assert_eq!(parsed.bytes, 0);
        assert_eq!(parsed.unfinished.unwrap().problem, RecordProblem::CutShort);
        let mut damaged = frame.clone();
        let last = damaged.len() - 1;
        damaged[last] ^= 0x55;
        let (back, bad, parsed) = parse(&[damaged, frame].concat());
        assert_eq!(back.len(), 1);
        assert_eq!(parsed.lines, 2);
        assert_eq!(
            (bad[0].place, &bad[0].problem),
            (
                Place::Run {
                    number: 1,
                    byte: None
                },
                &RecordProblem::Crc
            ),
            "{bad:?}"
        );
        assert!(
            bad[0]
                .to_string()
                .ends_with(": run 1: the run's numbers fail their CRC: the frame was damaged"),
            "{}",
            bad[0]
        );
        let old = b"{\"schema\": \"perfmatrix-history\"}\n{}\n";
        let (_, bad, parsed) = parse(old);
        assert_eq!(parsed.bytes, old.len());
        assert_eq!(bad[0].problem, RecordProblem::NotAFrame, "{bad:?}");
        assert_eq!(
            bad[0].to_string(),
            "x.pmh:1: skipped: run 1: at byte 0: not the start of a perfmatrix history frame \
             (`PMH2`): the rest of the file cannot be read"
        );
    }

    /// The frames a reader reserves for: the whole ones, by their prefixes alone; a frame cut
    /// short or bytes that are no frame end the count.
    #[test]
    fn whole_frames_are_counted_by_their_prefixes() {
        let a = record("sum/1", 10.0, false);
        let frame = encode_frame(RunHeader::of(&a), &[&a]);
        assert_eq!(count_frames(&[]), 0);
        assert_eq!(count_frames(&frame), 1);
        let three = [frame.clone(), frame.clone(), frame.clone()].concat();
        assert_eq!(count_frames(&three), 3);
        assert_eq!(count_frames(&three[..three.len() - 1]), 2);
        assert_eq!(
            count_frames(&[frame.as_slice(), b"not a frame at all"].concat()),
            1
        );
    }

    /// A frame of `records` records around any `body`, with a valid header and CRC: what
    /// reaches the decoder behind the checks.
    fn framed(records: u32, body: &[u8]) -> Vec<u8> {
        let mut header = RunHeader::of(&record("sum/1", 1.0, true));
        header.records = records;
        let mut deflate = DeflateEncoder::new(Vec::new(), Compression::default());
        deflate.write_all(body).unwrap();
        let body = deflate.finish().unwrap();
        let header = serde_json::to_vec(&header).unwrap();
        let mut frame = MAGIC.to_vec();
        for n in [header.len(), body.len()] {
            frame.extend_from_slice(&u32::try_from(n).unwrap().to_le_bytes());
        }
        frame.extend_from_slice(&crc32(&body).to_le_bytes());
        frame.extend(header);
        frame.extend(body);
        frame
    }

    proptest::proptest! {
        /// Whatever the numbers and ids of a run, decoding them never panics: a frame is read
        /// or skipped as bad.
        #[test]
        fn any_body_decodes_without_panicking(
            records in 0u32..40,
            body in proptest::collection::vec(proptest::num::u8::ANY, 0..2000),
        ) {
            let bytes = framed(records, &body);
            let (read, bad, parsed) = parse(&bytes);
            proptest::prop_assert_eq!(parsed.bytes, bytes.len());
            proptest::prop_assert!(bad.len() <= 1);
            proptest::prop_assert!(read.is_empty() || bad.is_empty());
        }

        /// Whatever the bytes, parsing never panics and never reads past a frame cut short.
        #[test]
        fn any_bytes_parse_without_panicking(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..400)) {
            let (_, _, parsed) = parse(&bytes);
            proptest::prop_assert!(parsed.bytes <= bytes.len());
        }
    }
}
