//! Where a benchmark changed: the per-function costs of one call on head and on base (from
//! callgrind), their difference, and what the counts read together point at.
//!
//! A paired run profiles the benchmarks it found changed ([`Profiles`], kept in its
//! [`crate::PairedBench`]); [`crate::Report::paired`] turns each pair of profiles into a
//! [`FunctionDiff`] on the benchmark's row. Facts only: `perfmatrix-report` says them in words.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// How many functions a [`FunctionDiff`] keeps: the ones whose estimated cost moved most.
pub const MAX_FUNCTIONS: usize = 10;

/// Cycles a simulated miss of the first-level cache is estimated to cost; also a mispredicted
/// branch. With [`LL_MISS_CYCLES`], callgrind_annotate's own cycle estimate
/// (`Ir + 10·Bm + 10·L1m + 100·LLm`).
pub const L1_MISS_CYCLES: u64 = 10;
/// Cycles a simulated miss of the last-level cache is estimated to cost.
pub const LL_MISS_CYCLES: u64 = 100;
/// Cycles a mispredicted branch is estimated to cost.
pub const MISPREDICT_CYCLES: u64 = 10;

/// The costs callgrind counted for some code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Events {
    /// Instructions executed (`Ir`).
    pub ir: u64,
    /// The cache and branch simulation's counts, when it ran (`--cache-sim=yes
    /// --branch-sim=yes`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sim: Option<Simulated>,
}

/// Counts of callgrind's cache and branch simulation (a model of a cache hierarchy and a branch
/// predictor, not this CPU's own).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Simulated {
    /// First-level misses: instruction fetch, data read and data write (`I1mr + D1mr + D1mw`).
    pub l1_misses: u64,
    /// Last-level misses (`ILmr + DLmr + DLmw`).
    pub ll_misses: u64,
    /// Branches executed, conditional and indirect (`Bc + Bi`).
    pub branches: u64,
    /// Mispredicted branches (`Bcm + Bim`).
    pub mispredicts: u64,
}

impl Events {
    /// The estimated cycles: the instructions, plus each simulated miss and misprediction at its
    /// estimated cost ([`L1_MISS_CYCLES`], [`LL_MISS_CYCLES`], [`MISPREDICT_CYCLES`]); the
    /// instructions alone without a simulation.
    #[must_use]
    pub fn estimated_cycles(&self) -> u64 {
        let sim = self.sim.unwrap_or_default();
        self.ir
            .saturating_add(sim.l1_misses.saturating_mul(L1_MISS_CYCLES))
            .saturating_add(sim.ll_misses.saturating_mul(LL_MISS_CYCLES))
            .saturating_add(sim.mispredicts.saturating_mul(MISPREDICT_CYCLES))
    }

    /// The part of [`Events::estimated_cycles`] spent waiting on memory.
    #[must_use]
    pub fn memory_cycles(&self) -> u64 {
        let sim = self.sim.unwrap_or_default();
        sim.l1_misses
            .saturating_mul(L1_MISS_CYCLES)
            .saturating_add(sim.ll_misses.saturating_mul(LL_MISS_CYCLES))
    }

    /// The part of [`Events::estimated_cycles`] lost to mispredicted branches.
    #[must_use]
    pub fn branch_cycles(&self) -> u64 {
        self.sim
            .unwrap_or_default()
            .mispredicts
            .saturating_mul(MISPREDICT_CYCLES)
    }

    /// Adds `other`'s counts to these (saturating); a simulation on either side is kept.
    pub fn add(&mut self, other: &Events) {
        self.ir = self.ir.saturating_add(other.ir);
        self.sim = match (self.sim, other.sim) {
            (Some(a), Some(b)) => Some(Simulated {
                l1_misses: a.l1_misses.saturating_add(b.l1_misses),
                ll_misses: a.ll_misses.saturating_add(b.ll_misses),
                branches: a.branches.saturating_add(b.branches),
                mispredicts: a.mispredicts.saturating_add(b.mispredicts),
            }),
            (a, b) => a.or(b),
        };
    }
}

/// One function's cost in one call of a benchmark.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FunctionCost {
    /// The demangled name (Rust's hash suffix removed); code inlined into it counts as its own.
    pub name: String,
    /// Its own cost, its callees' excluded.
    pub self_cost: Events,
    /// Instructions of it and everything it called.
    pub inclusive_ir: u64,
}

/// The calls from one function to another in one call of a benchmark, summed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Call {
    /// The calling function.
    pub caller: String,
    /// The called function.
    pub callee: String,
    /// Instructions of these calls, the callee's callees included.
    pub inclusive_ir: u64,
}

/// Every function that cost something in one call of a benchmark, on one build, and the calls
/// between them.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// The functions, each named once.
    pub functions: Vec<FunctionCost>,
    /// The calls, each caller and callee pair once.
    #[serde(default)]
    pub calls: Vec<Call>,
    /// The function whose call was counted (the counting region), where the flame graph starts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
}

impl Profile {
    /// The whole call's cost: the sum of every function's own.
    #[must_use]
    pub fn total(&self) -> Events {
        let mut total = Events::default();
        for f in &self.functions {
            total.add(&f.self_cost);
        }
        total
    }
}

/// A changed benchmark's profiles on both builds, as a paired run records them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profiles {
    /// The working tree's build.
    pub head: Profile,
    /// The base commit's build.
    pub base: Profile,
}

/// What a benchmark's counts, read together, point at. Paired runs only: both builds ran on one
/// machine, so none of these is the machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Cause {
    /// The instructions of one call changed: the code does more (or less) work.
    Instructions,
    /// The instructions did not, the simulated cache misses did: memory behaviour.
    Memory,
    /// The instructions did not, the mispredicted branches did.
    Branches,
    /// Neither the instructions nor the misses nor the mispredictions moved: the same work
    /// scheduled differently (dependency chains, port pressure, alignment).
    Execution,
    /// Instructions flat and no simulation ran: the counts cannot tell.
    Unknown,
}

/// One function's cost on both builds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FunctionChange {
    /// The demangled name.
    pub name: String,
    /// Its own cost on head; zero when head does not have it.
    pub head: Events,
    /// Its own cost on base; zero when base does not have it.
    pub base: Events,
    /// Inclusive instructions on head.
    pub head_inclusive_ir: u64,
    /// Inclusive instructions on base.
    pub base_inclusive_ir: u64,
}

impl FunctionChange {
    /// `head.estimated_cycles() − base.estimated_cycles()`.
    #[must_use]
    pub fn cycles_change(&self) -> i128 {
        i128::from(self.head.estimated_cycles()) - i128::from(self.base.estimated_cycles())
    }
}

/// Where one benchmark changed between base and head, function by function.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FunctionDiff {
    /// What the counts point at.
    pub cause: Cause,
    /// The whole call on head.
    pub head: Events,
    /// The whole call on base.
    pub base: Events,
    /// The functions whose estimated cost moved most, largest move first; at most
    /// [`MAX_FUNCTIONS`], none whose estimated cycles moved by 0.001% of the call's or less.
    pub functions: Vec<FunctionChange>,
    /// How many functions moved in all (`functions` keeps the first [`MAX_FUNCTIONS`]).
    pub moved: usize,
    /// The call tree of one call, both builds on each node: the differential flame graph.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flame: Option<FlameNode>,
}

/// A node of a differential flame graph: one call path, and its inclusive instructions on each
/// build. A function reached from several callers shares its cost among them in proportion to
/// their calls' costs (callgrind keeps costs per caller and callee, not per whole path).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlameNode {
    /// The function.
    pub name: String,
    /// Inclusive instructions of this path on head.
    pub head_ir: u64,
    /// Inclusive instructions of this path on base.
    pub base_ir: u64,
    /// Its callees, by name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<FlameNode>,
}

/// The deepest a flame graph goes below its root.
pub const FLAME_DEPTH: usize = 32;
/// A path is drawn when it holds at least this share of the root's instructions (on either
/// build): 1/500, under two pixels of a graph 1,000 pixels wide.
const FLAME_MIN_SHARE: u64 = 500;

/// One build's call graph, as the flame graph walks it.
struct Graph<'a> {
    inclusive: BTreeMap<&'a str, u64>,
    callees: BTreeMap<&'a str, Vec<(&'a str, u64)>>,
}

impl<'a> Graph<'a> {
    fn of(profile: &'a Profile) -> Self {
        let inclusive = profile
            .functions
            .iter()
            .map(|f| (f.name.as_str(), f.inclusive_ir))
            .collect();
        let mut callees: BTreeMap<&str, Vec<(&str, u64)>> = BTreeMap::new();
        for c in &profile.calls {
            callees
                .entry(c.caller.as_str())
                .or_default()
                .push((c.callee.as_str(), c.inclusive_ir));
        }
        Graph { inclusive, callees }
    }

    /// The instructions `name` passes to `callee`, out of `amount` of its own inclusive ones.
    fn share(&self, name: &str, callee: &str, amount: u64) -> u64 {
        let total = self.inclusive.get(name).copied().unwrap_or(0);
        let edge = self
            .callees
            .get(name)
            .and_then(|c| c.iter().find(|(n, _)| *n == callee))
            .map_or(0, |(_, ir)| *ir);
        if total == 0 {
            return 0;
        }
        let share = u128::from(edge) * u128::from(amount) / u128::from(total);
        u64::try_from(share).unwrap_or(u64::MAX)
    }
}

/// The callee of `root` that carries all its cost on `g` (99.9% of it), if one does.
fn only<'a>(g: &Graph<'a>, root: &str) -> Option<&'a str> {
    let callees = g.callees.get(root)?;
    let (callee, ir) = callees.iter().max_by_key(|(_, ir)| *ir)?;
    let total = g.inclusive.get(root).copied().unwrap_or(0);
    (u128::from(*ir) * 1000 >= u128::from(total) * 999).then_some(*callee)
}

impl FlameNode {
    /// The differential flame graph of `profiles`, or `None` without calls. Its root is the
    /// counted region ([`Profile::region`]); without one, from the outermost caller down, past
    /// every function that only passes the whole cost on to one callee. Paths under 1/500 of the
    /// root (on both builds) and deeper than [`FLAME_DEPTH`] are left out, and recursion is cut
    /// at its first repeat.
    #[must_use]
    pub fn of(profiles: &Profiles) -> Option<Self> {
        let (head, base) = (Graph::of(&profiles.head), Graph::of(&profiles.base));
        let called: std::collections::BTreeSet<&str> = profiles
            .head
            .calls
            .iter()
            .chain(&profiles.base.calls)
            .map(|c| c.callee.as_str())
            .collect();
        let inclusive = |g: &Graph, n: &str| g.inclusive.get(n).copied().unwrap_or(0);
        let region = profiles
            .head
            .region
            .as_deref()
            .or(profiles.base.region.as_deref())
            .filter(|r| inclusive(&head, r) + inclusive(&base, r) > 0);
        let root = if let Some(region) = region {
            region
        } else {
            let top = profiles
                .head
                .calls
                .iter()
                .chain(&profiles.base.calls)
                .map(|c| c.caller.as_str())
                .filter(|caller| !called.contains(caller))
                .max_by_key(|name| inclusive(&head, name) + inclusive(&base, name))?;
            // Descend while one callee carries all of the cost on both builds.
            let mut root = top;
            let mut seen = vec![root];
            while let (Some(h), Some(b)) = (only(&head, root), only(&base, root)) {
                if h != b || seen.contains(&h) {
                    break;
                }
                root = h;
                seen.push(h);
            }
            root
        };
        let (head_ir, base_ir) = (inclusive(&head, root), inclusive(&base, root));
        let floor = head_ir.max(base_ir) / FLAME_MIN_SHARE;
        let mut stack = vec![root];
        Some(Self::grow(
            root, head_ir, base_ir, &head, &base, floor, &mut stack,
        ))
    }

    fn grow<'a>(
        name: &'a str,
        head_ir: u64,
        base_ir: u64,
        head: &Graph<'a>,
        base: &Graph<'a>,
        floor: u64,
        stack: &mut Vec<&'a str>,
    ) -> Self {
        let mut children = Vec::new();
        if stack.len() <= FLAME_DEPTH {
            let mut callees: Vec<&str> = head
                .callees
                .get(name)
                .into_iter()
                .chain(base.callees.get(name))
                .flatten()
                .map(|(callee, _)| *callee)
                .collect();
            callees.sort_unstable();
            callees.dedup();
            for callee in callees {
                if stack.contains(&callee) {
                    continue;
                }
                let h = head.share(name, callee, head_ir);
                let b = base.share(name, callee, base_ir);
                if h.max(b) <= floor {
                    continue;
                }
                stack.push(callee);
                children.push(Self::grow(callee, h, b, head, base, floor, stack));
                stack.pop();
            }
        }
        FlameNode {
            name: name.to_owned(),
            head_ir,
            base_ir,
            children,
        }
    }
}

/// The share of the base's estimated cycles from which a move of the misses' or the
/// mispredictions' estimated cycles can be a cause: 2% (a wall-time change the gate flags is
/// larger than that).
const CAUSE_SHARE: f64 = 0.02;
/// The relative change of the instructions from which they can be a cause: 0.5%, the instruction
/// count's own default warning threshold.
const INSTRUCTION_SHARE: f64 = 0.005;

impl FunctionDiff {
    /// The difference between `base` and `head`: every function of either, matched by name, the
    /// [`MAX_FUNCTIONS`] whose estimated cycles moved most kept, and the [`Cause`]. The move of
    /// the call's estimated cycles splits into instructions, memory (the misses' cycles) and
    /// branches (the mispredictions' cycles); each counts as a candidate when it is large enough
    /// (instructions: 0.5% of the base's; memory, branches: 2% of the base's estimated cycles),
    /// and the largest candidate, in cycles, is the cause. Without a candidate the cause is
    /// execution (with a simulation) or unknown (without one, when the instructions did not
    /// move). Cost: O(F log F) for F functions.
    #[must_use]
    pub fn of(profiles: &Profiles) -> Self {
        let (head, base) = (profiles.head.total(), profiles.base.total());
        let mut by_name: BTreeMap<&str, FunctionChange> = BTreeMap::new();
        let empty = |name: &str| FunctionChange {
            name: name.to_owned(),
            head: Events::default(),
            base: Events::default(),
            head_inclusive_ir: 0,
            base_inclusive_ir: 0,
        };
        for f in &profiles.head.functions {
            let c = by_name.entry(&f.name).or_insert_with(|| empty(&f.name));
            c.head.add(&f.self_cost);
            c.head_inclusive_ir = c.head_inclusive_ir.max(f.inclusive_ir);
        }
        for f in &profiles.base.functions {
            let c = by_name.entry(&f.name).or_insert_with(|| empty(&f.name));
            c.base.add(&f.self_cost);
            c.base_inclusive_ir = c.base_inclusive_ir.max(f.inclusive_ir);
        }
        // A move below 0.001% of the call's estimated cycles (a miss or two in the dynamic
        // loader) says nothing about the change.
        let floor = base.estimated_cycles().max(head.estimated_cycles()) / 100_000;
        let mut functions: Vec<FunctionChange> = by_name
            .into_values()
            .filter(|c| c.head != c.base && c.cycles_change().unsigned_abs() > u128::from(floor))
            .collect();
        // Largest move first; on a tie, by instructions moved, then by name (deterministic).
        functions.sort_by(|a, b| {
            let ir = |c: &FunctionChange| (i128::from(c.head.ir) - i128::from(c.base.ir)).abs();
            b.cycles_change()
                .abs()
                .cmp(&a.cycles_change().abs())
                .then(ir(b).cmp(&ir(a)))
                .then(a.name.cmp(&b.name))
        });
        let moved = functions.len();
        functions.truncate(MAX_FUNCTIONS);
        FunctionDiff {
            cause: cause(&head, &base),
            head,
            base,
            functions,
            moved,
            flame: FlameNode::of(profiles),
        }
    }
}

/// The [`Cause`] of a move from `base` to `head` (rules on [`FunctionDiff::of`]).
fn cause(head: &Events, base: &Events) -> Cause {
    #[allow(
        clippy::cast_precision_loss,
        reason = "counts below 2^52 are exact; above, a share needs no more digits"
    )]
    let moved = |h: u64, b: u64| h as f64 - b as f64;
    #[allow(clippy::cast_precision_loss, reason = "as above")]
    let (ir, cycles) = (base.ir.max(1) as f64, base.estimated_cycles().max(1) as f64);
    let instructions = moved(head.ir, base.ir);
    let simulated = head.sim.is_some() && base.sim.is_some();
    let mut candidates = Vec::new();
    if (instructions / ir).abs() >= INSTRUCTION_SHARE {
        candidates.push((instructions.abs(), Cause::Instructions));
    }
    if simulated {
        for (delta, cause) in [
            (
                moved(head.memory_cycles(), base.memory_cycles()),
                Cause::Memory,
            ),
            (
                moved(head.branch_cycles(), base.branch_cycles()),
                Cause::Branches,
            ),
        ] {
            if (delta / cycles).abs() >= CAUSE_SHARE {
                candidates.push((delta.abs(), cause));
            }
        }
    }
    candidates
        .into_iter()
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map_or(
            if simulated {
                Cause::Execution
            } else {
                Cause::Unknown
            },
            |(_, cause)| cause,
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(ir: u64, l1: u64, ll: u64, mispredicts: u64) -> Events {
        Events {
            ir,
            sim: Some(Simulated {
                l1_misses: l1,
                ll_misses: ll,
                branches: ir / 10,
                mispredicts,
            }),
        }
    }

    fn function(name: &str, self_cost: Events) -> FunctionCost {
        FunctionCost {
            name: name.to_owned(),
            self_cost,
            inclusive_ir: self_cost.ir,
        }
    }

    fn profiles(head: Vec<FunctionCost>, base: Vec<FunctionCost>) -> Profiles {
        Profiles {
            head: Profile {
                functions: head,
                calls: Vec::new(),
                region: None,
            },
            base: Profile {
                functions: base,
                calls: Vec::new(),
                region: None,
            },
        }
    }

    #[test]
    fn more_instructions_in_one_function_are_named_first_as_instructions() {
        let base = vec![
            function("kernel", events(100_000, 10, 0, 5)),
            function("setup", events(1_000, 3, 1, 0)),
        ];
        let head = vec![
            function("kernel", events(120_000, 10, 0, 5)),
            function("setup", events(1_000, 3, 1, 0)),
        ];
        let diff = FunctionDiff::of(&profiles(head, base));
        assert_eq!(diff.cause, Cause::Instructions);
        assert_eq!(diff.moved, 1);
        assert_eq!(diff.functions[0].name, "kernel");
        assert_eq!(diff.functions[0].cycles_change(), 20_000);
    }

    #[test]
    fn flat_instructions_read_the_simulation() {
        let base = || vec![function("kernel", events(100_000, 100, 10, 100))];
        let case = |head: Events| {
            FunctionDiff::of(&profiles(vec![function("kernel", head)], base())).cause
        };
        // 400 more last-level misses: +40,000 estimated cycles on ~103,000.
        assert_eq!(case(events(100_000, 500, 410, 100)), Cause::Memory);
        // 3,000 more mispredictions: +30,000.
        assert_eq!(case(events(100_000, 100, 10, 3_100)), Cause::Branches);
        // Both, branches larger.
        assert_eq!(case(events(100_000, 100, 40, 5_100)), Cause::Branches);
        // 4% more instructions, but the mispredictions cost more cycles: branches.
        assert_eq!(case(events(104_000, 100, 10, 1_100)), Cause::Branches);
        // 4% more instructions and a smaller move of the misses: instructions.
        assert_eq!(case(events(104_000, 300, 10, 100)), Cause::Instructions);
        // Nothing moved beyond 2%: execution.
        assert_eq!(case(events(100_050, 110, 10, 120)), Cause::Execution);
        // No simulation: the counts cannot tell.
        let plain = |ir| Events { ir, sim: None };
        let diff = FunctionDiff::of(&profiles(
            vec![function("kernel", plain(100_000))],
            vec![function("kernel", plain(100_010))],
        ));
        assert_eq!(diff.cause, Cause::Unknown);
    }

    #[test]
    fn functions_on_one_side_only_count_from_zero_and_at_most_ten_are_kept() {
        let base: Vec<FunctionCost> = (0..15)
            .map(|i| function(&format!("f{i:02}"), events(1_000 + i * 10, 0, 0, 0)))
            .collect();
        let mut head: Vec<FunctionCost> = (0..15)
            .map(|i| function(&format!("f{i:02}"), events(1_000 + i * 20, 0, 0, 0)))
            .collect();
        head.push(function("new_helper", events(5_000, 0, 0, 0)));
        let diff = FunctionDiff::of(&profiles(head, base));
        assert_eq!(
            diff.moved, 15,
            "f00 did not move; 14 others and new_helper did"
        );
        assert_eq!(diff.functions.len(), MAX_FUNCTIONS);
        assert_eq!(diff.functions[0].name, "new_helper");
        assert_eq!(diff.functions[0].base, Events::default());
        assert_eq!(diff.functions[1].name, "f14");
    }

    #[test]
    fn the_flame_graph_starts_at_the_region_and_shares_a_callee_among_its_callers() {
        let call = |caller: &str, callee: &str, inclusive_ir| Call {
            caller: caller.to_owned(),
            callee: callee.to_owned(),
            inclusive_ir,
        };
        let side = |kernel: u64| Profile {
            functions: vec![
                FunctionCost {
                    name: "_start".to_owned(),
                    self_cost: Events::default(),
                    inclusive_ir: 100 + 2 * kernel,
                },
                FunctionCost {
                    name: "region".to_owned(),
                    self_cost: Events { ir: 100, sim: None },
                    inclusive_ir: 100 + 2 * kernel,
                },
                FunctionCost {
                    name: "a".to_owned(),
                    self_cost: Events::default(),
                    inclusive_ir: kernel,
                },
                FunctionCost {
                    name: "b".to_owned(),
                    self_cost: Events::default(),
                    inclusive_ir: kernel,
                },
                FunctionCost {
                    name: "kernel".to_owned(),
                    self_cost: Events {
                        ir: 2 * kernel,
                        sim: None,
                    },
                    inclusive_ir: 2 * kernel,
                },
            ],
            calls: vec![
                call("_start", "region", 100 + 2 * kernel),
                call("region", "a", kernel),
                call("region", "b", kernel),
                call("a", "kernel", kernel),
                call("b", "kernel", kernel),
            ],
            region: None,
        };
        let flame = FlameNode::of(&Profiles {
            head: side(2_000),
            base: side(1_000),
        })
        .unwrap();
        assert_eq!(
            flame.name, "region",
            "past `_start`, which only passes its cost on"
        );
        assert_eq!((flame.head_ir, flame.base_ir), (4_100, 2_100));
        let names: Vec<&str> = flame.children.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["a", "b"]);
        let under_a = &flame.children[0].children[0];
        assert_eq!(under_a.name, "kernel");
        assert_eq!((under_a.head_ir, under_a.base_ir), (2_000, 1_000));
        // With the counted region named, it is the root.
        let with_region = |kernel| Profile {
            region: Some("a".to_owned()),
            ..side(kernel)
        };
        let flame = FlameNode::of(&Profiles {
            head: with_region(2_000),
            base: with_region(1_000),
        })
        .unwrap();
        assert_eq!(flame.name, "a");
        assert_eq!(flame.children[0].name, "kernel");
    }

    #[test]
    fn a_cycle_above_the_region_ends_the_descent() {
        let call = |caller: &str, callee: &str| Call {
            caller: caller.to_owned(),
            callee: callee.to_owned(),
            inclusive_ir: 10,
        };
        let f = |name: &str| FunctionCost {
            name: name.to_owned(),
            self_cost: Events::default(),
            inclusive_ir: 10,
        };
        // glibc's `(below main)` appears twice, in a cycle through __libc_start_main.
        let side = || Profile {
            functions: vec![f("_start"), f("(below main)"), f("__libc_start_main")],
            calls: vec![
                call("_start", "(below main)"),
                call("(below main)", "__libc_start_main"),
                call("__libc_start_main", "(below main)"),
            ],
            region: None,
        };
        let flame = FlameNode::of(&Profiles {
            head: side(),
            base: side(),
        })
        .unwrap();
        assert_eq!(flame.name, "__libc_start_main");
    }

    #[test]
    fn estimated_cycles_weigh_misses_and_mispredictions() {
        let e = events(1_000, 2, 3, 4);
        assert_eq!(e.estimated_cycles(), 1_000 + 20 + 300 + 40);
        assert_eq!(e.memory_cycles(), 320);
        assert_eq!(e.branch_cycles(), 40);
        assert_eq!(Events { ir: 7, sim: None }.estimated_cycles(), 7);
    }
}
