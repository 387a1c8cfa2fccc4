//! A series' points in the history cache as one block of little-endian columns, one column per
//! field: copied in and out in a few nanoseconds a point, where field-by-field decoding takes
//! a hundred. Exact: every number comes back bit for bit.
//!
//! Layout, for `n` points: `n` as u32; then `run` (u32 × n), `class` (u32 × n), `mode` (u8 × n),
//! `verdict` (u8 × n, 0 for none), `time.median_ns`, `time.lower_ns`, `time.upper_ns`
//! (f64 × n each), `instructions` (u64 × n, 0 for none: a count of 0 is refused on the way in),
//! `change` present (u8 × n), then each present change's four f64 (estimate, lower, upper,
//! log_se) in point order.

use serde::ser::Serializer;

use perfmatrix_model::RowVerdict;

use crate::{ChangeSummary, HistoryMode, Point, TimeSummary};

/// Points to write as columns (read back from the bytes with [`decode_into`]).
pub(crate) struct PointsRef<'a>(pub(crate) &'a [Point]);

/// How many points a series read from the cache can grow by before its vector is moved.
pub(crate) const ROOM: usize = 8;

fn mode_code(mode: HistoryMode) -> u8 {
    match mode {
        HistoryMode::Paired => 0,
        HistoryMode::Committed => 1,
        HistoryMode::Unjudged => 2,
    }
}

/// The modes by code: `MODES[mode_code(m)] == m` (a test checks it).
const MODES: [HistoryMode; 3] = [
    HistoryMode::Paired,
    HistoryMode::Committed,
    HistoryMode::Unjudged,
];

fn mode_of(code: u8) -> Option<HistoryMode> {
    MODES.get(usize::from(code)).copied()
}

pub(crate) fn verdict_code(verdict: Option<RowVerdict>) -> u8 {
    match verdict {
        None => 0,
        Some(RowVerdict::Improved) => 1,
        Some(RowVerdict::Unchanged) => 2,
        Some(RowVerdict::Unavailable) => 3,
        Some(RowVerdict::NoBaseline) => 4,
        Some(RowVerdict::New) => 5,
        Some(RowVerdict::Missing) => 6,
        Some(RowVerdict::Warning) => 7,
        Some(RowVerdict::Regressed) => 8,
        Some(RowVerdict::Inconclusive) => 9,
    }
}

/// The verdicts by code: `VERDICTS[verdict_code(v)] == v` (a test checks it); a code beyond it
/// is not a verdict.
pub(crate) const VERDICTS: [Option<RowVerdict>; 10] = [
    None,
    Some(RowVerdict::Improved),
    Some(RowVerdict::Unchanged),
    Some(RowVerdict::Unavailable),
    Some(RowVerdict::NoBaseline),
    Some(RowVerdict::New),
    Some(RowVerdict::Missing),
    Some(RowVerdict::Warning),
    Some(RowVerdict::Regressed),
    Some(RowVerdict::Inconclusive),
];

/// The columns of `points`.
pub(crate) fn encode(points: &[Point]) -> Vec<u8> {
    let n = points.len();
    let changes = points.iter().filter(|p| p.change.is_some()).count();
    let mut out = Vec::with_capacity(4 + n * 47 + changes * 32);
    out.extend_from_slice(&(n as u32).to_le_bytes());
    out.extend(points.iter().flat_map(|p| p.run.to_le_bytes()));
    out.extend(points.iter().flat_map(|p| p.class.to_le_bytes()));
    out.extend(points.iter().map(|p| mode_code(p.mode)));
    out.extend(points.iter().map(|p| verdict_code(p.verdict)));
    out.extend(points.iter().flat_map(|p| p.time.median_ns.to_le_bytes()));
    out.extend(points.iter().flat_map(|p| p.time.lower_ns.to_le_bytes()));
    out.extend(points.iter().flat_map(|p| p.time.upper_ns.to_le_bytes()));
    out.extend(
        points
            .iter()
            .flat_map(|p| p.instructions.unwrap_or(0).to_le_bytes()),
    );
    out.extend(points.iter().map(|p| u8::from(p.change.is_some())));
    for c in points.iter().filter_map(|p| p.change) {
        for v in [c.estimate, c.lower, c.upper, c.log_se] {
            out.extend_from_slice(&v.to_le_bytes());
        }
    }
    out
}

/// Reads columns back; `None` if they are not what [`encode`] writes.
#[cfg(test)]
fn decode(bytes: &[u8]) -> Option<Vec<Point>> {
    let mut points = Vec::new();
    decode_into(bytes, &mut points).map(|()| points)
}

/// Reads columns back onto the end of `points` (sized by the caller, so that the points of
/// several files land in one vector without a copy); `None`, with `points` as it was, if they
/// are not what [`encode`] writes.
pub(crate) fn decode_into(bytes: &[u8], points: &mut Vec<Point>) -> Option<()> {
    let mut at = Cursor { bytes, at: 0 };
    let n = u32::from_le_bytes(at.take(4)?.try_into().ok()?) as usize;
    let runs = at.take(n.checked_mul(4)?)?;
    let classes = at.take(n * 4)?;
    let modes = at.take(n)?;
    let verdicts = at.take(n)?;
    let medians = at.take(n * 8)?;
    let lowers = at.take(n * 8)?;
    let uppers = at.take(n * 8)?;
    let instructions = at.take(n * 8)?;
    let has_change = at.take(n)?;
    if has_change.iter().any(|&b| b > 1) {
        return None;
    }
    let present: usize = has_change.iter().map(|&b| usize::from(b)).sum();
    let mut changes = at
        .take(present.checked_mul(32)?)?
        .chunks_exact(8)
        .map(f64_at);
    if at.at != bytes.len() {
        return None;
    }
    let before = points.len();
    points.reserve(n);
    let columns = runs
        .chunks_exact(4)
        .zip(classes.chunks_exact(4))
        .zip(modes.iter().zip(verdicts))
        .zip(medians.chunks_exact(8).zip(lowers.chunks_exact(8)))
        .zip(uppers.chunks_exact(8).zip(instructions.chunks_exact(8)))
        .zip(has_change);
    for (((((run, class), (&mode, &verdict)), (median, lower)), (upper, count)), &changed) in
        columns
    {
        let change = if changed == 1 {
            // Four values per present change were taken above, so these are all there.
            Some(ChangeSummary {
                estimate: changes.next().unwrap_or_default(),
                lower: changes.next().unwrap_or_default(),
                upper: changes.next().unwrap_or_default(),
                log_se: changes.next().unwrap_or_default(),
            })
        } else {
            None
        };
        let count = u64::from_le_bytes(count.try_into().unwrap_or_default());
        let (Some(mode), Some(&verdict)) = (mode_of(mode), VERDICTS.get(usize::from(verdict)))
        else {
            points.truncate(before);
            return None;
        };
        points.push(Point {
            run: u32::from_le_bytes(run.try_into().unwrap_or_default()),
            class: u32::from_le_bytes(class.try_into().unwrap_or_default()),
            mode,
            time: TimeSummary {
                median_ns: f64_at(median),
                lower_ns: f64_at(lower),
                upper_ns: f64_at(upper),
            },
            instructions: (count != 0).then_some(count),
            change,
            verdict,
        });
    }
    Some(())
}

fn f64_at(b: &[u8]) -> f64 {
    f64::from_le_bytes(b.try_into().unwrap_or_default())
}

struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, len: usize) -> Option<&'a [u8]> {
        let end = self.at.checked_add(len)?;
        let slice = self.bytes.get(self.at..end)?;
        self.at = end;
        Some(slice)
    }
}

impl serde::Serialize for PointsRef<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(&encode(self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn point() -> impl Strategy<Value = Point> {
        (
            any::<u32>(),
            any::<u32>(),
            0u8..3,
            0u8..9,
            (any::<f64>(), any::<f64>(), any::<f64>()),
            prop::option::of(1u64..),
            prop::option::of((any::<f64>(), any::<f64>(), any::<f64>(), any::<f64>())),
        )
            .prop_map(
                |(run, class, mode, verdict, t, instructions, change)| Point {
                    run,
                    class,
                    mode: mode_of(mode).unwrap(),
                    time: TimeSummary {
                        median_ns: t.0,
                        lower_ns: t.1,
                        upper_ns: t.2,
                    },
                    instructions,
                    change: change.map(|c| ChangeSummary {
                        estimate: c.0,
                        lower: c.1,
                        upper: c.2,
                        log_se: c.3,
                    }),
                    verdict: VERDICTS[usize::from(verdict)],
                },
            )
    }

    /// Bit for bit, NaN included.
    fn bits(points: &[Point]) -> Vec<u8> {
        encode(points)
    }

    #[test]
    fn every_code_names_its_own_value() {
        for (code, &mode) in MODES.iter().enumerate() {
            assert_eq!(usize::from(mode_code(mode)), code);
        }
        for (code, &verdict) in VERDICTS.iter().enumerate() {
            assert_eq!(usize::from(verdict_code(verdict)), code);
        }
        assert_eq!(mode_of(3), None);
        assert!(VERDICTS.get(10).is_none());
    }

    proptest! {
        #[test]
        fn points_come_back_exactly(points in prop::collection::vec(point(), 0..40)) {
            let back = decode(&encode(&points)).unwrap();
            prop_assert_eq!(bits(&back), bits(&points));
            prop_assert_eq!(back.len(), points.len());
            for (a, b) in back.iter().zip(&points) {
                prop_assert_eq!((a.run, a.class, a.mode, a.verdict), (b.run, b.class, b.mode, b.verdict));
                prop_assert_eq!(a.instructions, b.instructions);
                prop_assert_eq!(a.change.is_some(), b.change.is_some());
            }
        }

        #[test]
        fn cut_or_padded_columns_are_refused(
            points in prop::collection::vec(point(), 1..20), cut in 1usize..64,
        ) {
            let bytes = encode(&points);
            prop_assert!(decode(&bytes[..bytes.len().saturating_sub(cut)]).is_none());
            let mut padded = bytes.clone();
            padded.push(0);
            prop_assert!(decode(&padded).is_none());
        }
    }
}
