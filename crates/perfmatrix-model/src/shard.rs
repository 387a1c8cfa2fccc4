//! Shards: a platform's benchmarks split among several CI jobs (`bench --shard k/N`), each of
//! which measures its part, and the plan every job computes alike so that `merge` can put the
//! platform back together and name what a missing shard did not measure.
//!
//! The plan places every benchmark on a ring by a stable hash of its id and cuts the ring into
//! `N` arcs of equal weight (a benchmark's weight: the seconds its measurement took, as far as it
//! is known). Balanced: no shard is heavier than its share by more than one benchmark. Stable: a
//! benchmark added or removed shifts each cut by at most its own weight, so it moves at most the
//! few benchmarks at the `N - 1` cuts, whatever the size of the suite.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::{BenchmarkId, ModelError};

/// The most shards a platform may have (GitHub allows 256 jobs per matrix).
pub const MAX_SHARDS: u32 = 64;

/// One shard of `count`: `index` counts from 1 (`2/4`). A value always satisfies
/// `1 <= index <= count <= MAX_SHARDS`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "ShardFields", into = "ShardFields")]
pub struct Shard {
    index: u32,
    count: u32,
}

/// [`Shard`] as written in JSON, checked on the way in.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ShardFields {
    index: u32,
    count: u32,
}

/// Why a shard was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShardError {
    /// Fewer than 1 or more than [`MAX_SHARDS`] shards.
    #[error("{count} shards: there must be between 1 and {MAX_SHARDS}")]
    Count {
        /// The number of shards asked for.
        count: u32,
    },
    /// A shard index outside `1..=count`.
    #[error("shard {index} of {count}: shards count from 1 to {count}")]
    Index {
        /// The index asked for.
        index: u32,
        /// Of how many.
        count: u32,
    },
    /// Text that is not `k/N`.
    #[error("`{text}` is not a shard: write it as k/N, e.g. 2/4")]
    NotAShard {
        /// The text given.
        text: String,
    },
}

impl TryFrom<ShardFields> for Shard {
    type Error = ShardError;

    fn try_from(f: ShardFields) -> Result<Self, ShardError> {
        Shard::new(f.index, f.count)
    }
}

impl From<Shard> for ShardFields {
    fn from(s: Shard) -> Self {
        Self {
            index: s.index,
            count: s.count,
        }
    }
}

impl Shard {
    /// Shard `index` of `count`, if `1 <= index <= count <= MAX_SHARDS`.
    ///
    /// # Errors
    ///
    /// [`ShardError::Count`] or [`ShardError::Index`] naming the number out of range.
    pub fn new(index: u32, count: u32) -> Result<Self, ShardError> {
        if count == 0 || count > MAX_SHARDS {
            return Err(ShardError::Count { count });
        }
        if index == 0 || index > count {
            return Err(ShardError::Index { index, count });
        }
        Ok(Self { index, count })
    }

    /// Which shard, from 1.
    #[must_use]
    pub fn index(self) -> u32 {
        self.index
    }

    /// Of how many.
    #[must_use]
    pub fn count(self) -> u32 {
        self.count
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl FromStr for Shard {
    type Err = ShardError;

    /// `k/N`, as `--shard` takes it.
    fn from_str(s: &str) -> Result<Self, ShardError> {
        let not_a_shard = || ShardError::NotAShard { text: s.to_owned() };
        let (k, n) = s.split_once('/').ok_or_else(not_a_shard)?;
        let number = |part: &str| part.trim().parse::<u32>().map_err(|_| not_a_shard());
        Shard::new(number(k)?, number(n)?)
    }
}

/// Where the plan put one benchmark.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Planned {
    /// The benchmark.
    pub id: BenchmarkId,
    /// The shard that measures it, from 1.
    pub shard: u32,
}

/// A sharded run: which shard it was, and the whole platform's plan (every benchmark of every
/// shard), so that a merge missing a shard knows what that shard would have measured.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sharding {
    /// This run's shard.
    pub shard: Shard,
    /// Every benchmark of the platform, in id order, with its shard.
    pub plan: Vec<Planned>,
}

impl Sharding {
    /// The benchmarks the plan gives to shard `index`.
    pub fn of(&self, index: u32) -> impl Iterator<Item = &BenchmarkId> {
        self.plan
            .iter()
            .filter(move |p| p.shard == index)
            .map(|p| &p.id)
    }

    /// This run's own benchmarks.
    pub fn mine(&self) -> impl Iterator<Item = &BenchmarkId> {
        self.of(self.shard.index)
    }

    /// Checks what serde cannot: ids in order and each once, every shard within the count.
    pub(crate) fn check(&self, path: &std::path::Path) -> Result<(), ModelError> {
        for (i, p) in self.plan.iter().enumerate() {
            if p.shard == 0 || p.shard > self.shard.count {
                return Err(ModelError::field(
                    path,
                    format!("sharding.plan[{i}].shard"),
                    format!(
                        "is {}, not a shard of {} (1 to {})",
                        p.shard, self.shard.count, self.shard.count
                    ),
                ));
            }
            if i > 0 && self.plan[i - 1].id >= p.id {
                return Err(ModelError::field(
                    path,
                    format!("sharding.plan[{i}].id"),
                    format!("`{}` is out of order or listed twice", p.id),
                ));
            }
        }
        Ok(())
    }
}

/// A hash of an id that never changes (64-bit FNV-1a): every job of a matrix, whatever its
/// machine or Rust version, places a benchmark at the same point of the ring. (std's hashers
/// make no such promise.)
fn stable_hash(id: &str) -> u64 {
    id.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// The plan for `count` shards of `ids`: each benchmark weighs `weight(id)` (seconds; one with
/// none known weighs the median of the known ones, or 1 when none is known). Deterministic: the
/// same ids and weights give the same plan, in any order.
#[must_use]
pub fn plan(
    ids: &[BenchmarkId],
    weight: impl Fn(&BenchmarkId) -> Option<f64>,
    count: u32,
) -> Vec<Planned> {
    let known: Vec<f64> = {
        let mut w: Vec<f64> = ids
            .iter()
            .filter_map(&weight)
            .filter(|w| w.is_finite() && *w > 0.0)
            .collect();
        w.sort_by(f64::total_cmp);
        w
    };
    let fallback = if known.is_empty() {
        1.0
    } else {
        known[known.len() / 2]
    };
    let mut ring: Vec<(u64, &BenchmarkId, f64)> = ids
        .iter()
        .map(|id| {
            let w = weight(id)
                .filter(|w| w.is_finite() && *w > 0.0)
                .unwrap_or(fallback);
            (stable_hash(id.as_str()), id, w)
        })
        .collect();
    ring.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)));
    ring.dedup_by(|a, b| a.1 == b.1);
    let total: f64 = ring.iter().map(|r| r.2).sum();
    let mut before = 0.0;
    let mut planned: Vec<Planned> = ring
        .iter()
        .map(|&(_, id, w)| {
            // A benchmark belongs to the arc its middle falls in.
            let middle = before + w / 2.0;
            before += w;
            let arc = (middle / total * f64::from(count)).floor();
            // `arc` is in [0, count): a float a hair above it stays in the last shard.
            #[allow(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                reason = "arc is a non-negative whole number below count (at most MAX_SHARDS)"
            )]
            let shard = (arc as u32).min(count - 1) + 1;
            Planned {
                id: id.clone(),
                shard,
            }
        })
        .collect();
    planned.sort_by(|a, b| a.id.cmp(&b.id));
    planned
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use proptest::prelude::*;

    use super::*;

    fn ids(n: usize) -> Vec<BenchmarkId> {
        (0..n)
            .map(|i| BenchmarkId::new(format!("group{}/bench/{i}", i % 7)).unwrap())
            .collect()
    }

    fn loads(plan: &[Planned], weights: &HashMap<&BenchmarkId, f64>, count: u32) -> Vec<f64> {
        let mut loads = vec![0.0; count as usize];
        for p in plan {
            loads[(p.shard - 1) as usize] += weights.get(&p.id).copied().unwrap_or(1.0);
        }
        loads
    }

    #[test]
    fn shards_parse_as_k_of_n_and_refuse_the_rest() {
        assert_eq!("2/4".parse::<Shard>().unwrap(), Shard::new(2, 4).unwrap());
        assert_eq!(Shard::new(3, 8).unwrap().to_string(), "3/8");
        for bad in ["0/4", "5/4", "1/0", "4", "a/b", "1/65", "-1/4", ""] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
        // Each refusal is its own variant, its words the ones `--shard` shows.
        assert_eq!(
            "0/4".parse::<Shard>(),
            Err(ShardError::Index { index: 0, count: 4 })
        );
        assert_eq!(
            "1/65".parse::<Shard>(),
            Err(ShardError::Count { count: 65 })
        );
        let err = "a/b".parse::<Shard>().unwrap_err();
        assert_eq!(
            err,
            ShardError::NotAShard {
                text: "a/b".to_owned()
            }
        );
        assert_eq!(
            err.to_string(),
            "`a/b` is not a shard: write it as k/N, e.g. 2/4"
        );
        assert_eq!(
            Shard::new(5, 4).unwrap_err().to_string(),
            "shard 5 of 4: shards count from 1 to 4"
        );
        let json = serde_json::to_string(&Shard::new(1, 2).unwrap()).unwrap();
        assert_eq!(json, r#"{"index":1,"count":2}"#);
        assert!(serde_json::from_str::<Shard>(r#"{"index":3,"count":2}"#).is_err());
    }

    #[test]
    fn the_hash_is_fixed_for_good() {
        // Changing it would reshuffle every sharded suite: these values are the contract.
        assert_eq!(stable_hash(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(stable_hash("a"), 0xaf63_dc4c_8601_ec8c);
    }

    #[test]
    fn one_shard_takes_everything() {
        let plan = plan(&ids(10), |_| None, 1);
        assert!(plan.iter().all(|p| p.shard == 1));
        assert_eq!(plan.len(), 10);
    }

    proptest! {
        /// Every benchmark is planned once, and no shard carries more than its share plus one
        /// benchmark's weight.
        #[test]
        fn every_benchmark_once_and_shards_balanced(
            weights in proptest::collection::vec(0.1f64..30.0, 1..400),
            count in 1u32..12,
        ) {
            let ids = ids(weights.len());
            let w: HashMap<&BenchmarkId, f64> = ids.iter().zip(weights.iter().copied()).collect();
            let plan = plan(&ids, |id| w.get(id).copied(), count);
            prop_assert_eq!(plan.len(), ids.len());
            let mut sorted = ids.clone();
            sorted.sort();
            prop_assert!(plan.iter().map(|p| &p.id).eq(sorted.iter()));
            let total: f64 = weights.iter().sum();
            let heaviest = weights.iter().copied().fold(0.0, f64::max);
            for load in loads(&plan, &w, count) {
                prop_assert!(load <= total / f64::from(count) + heaviest + 1e-9, "{} of {}", load, total);
            }
        }

        /// Adding one benchmark moves at most one other per cut; the input order is irrelevant.
        #[test]
        fn a_new_benchmark_moves_few_others(n in 10usize..600, count in 2u32..9, seed in 0u64..1000) {
            let all = ids(n + 1);
            let new = all[(seed as usize) % all.len()].clone();
            let before: Vec<BenchmarkId> = all.iter().filter(|id| **id != new).cloned().collect();
            let mut reversed = before.clone();
            reversed.reverse();
            let old = plan(&before, |_| None, count);
            prop_assert_eq!(&old, &plan(&reversed, |_| None, count));
            let grown = plan(&all, |_| None, count);
            let moved = old
                .iter()
                .filter(|p| grown.iter().any(|g| g.id == p.id && g.shard != p.shard))
                .count();
            prop_assert!(moved < count as usize, "{} moved", moved);
        }
    }

    #[test]
    fn a_thousand_equal_benchmarks_split_evenly_into_four() {
        let plan = plan(&ids(1000), |_| None, 4);
        let mut sizes = [0usize; 4];
        for p in &plan {
            sizes[(p.shard - 1) as usize] += 1;
        }
        assert_eq!(sizes, [250, 250, 250, 250]);
    }

    #[test]
    fn a_plan_out_of_order_or_out_of_range_is_refused() {
        let path = std::path::Path::new("r.json");
        let mut sharding = Sharding {
            shard: Shard::new(1, 2).unwrap(),
            plan: plan(&ids(4), |_| None, 2),
        };
        assert!(sharding.check(path).is_ok());
        sharding.plan[0].shard = 3;
        assert!(
            sharding
                .check(path)
                .unwrap_err()
                .to_string()
                .contains("plan[0].shard")
        );
        sharding.plan[0].shard = 1;
        sharding.plan.swap(0, 1);
        assert!(
            sharding
                .check(path)
                .unwrap_err()
                .to_string()
                .contains("out of order")
        );
    }
}
