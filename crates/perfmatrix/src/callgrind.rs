//! Reads callgrind's output files: the total instructions of a counting run, and its costs
//! function by function ([`Profile`]). Pure text in, facts out; running valgrind is `counts.rs`'s.
//!
//! The format is callgrind's "Callgrind Format Specification" (valgrind's docs): header lines
//! (`events:`, `positions:`, `summary:`, `totals:`), position lines naming the object, file and
//! function that the cost lines below them belong to (`ob=`, `fl=`, `fi=`, `fe=`, `fn=`, with
//! `(id)` name compression), and call lines (`cob=`, `cfi=`, `cfn=`, `calls=`), where the cost
//! line after `calls=` is the inclusive cost of that call, not the caller's own.

use std::collections::HashMap;

use anyhow::{Context as _, bail};
use perfmatrix_model::{Call, Events, FunctionCost, Profile, Simulated};

/// The total `Ir` (instructions executed) of a callgrind output file: its `totals:` line (or, in
/// a file without one, its `summary:` line), in the column `events:` gives `Ir`.
pub(crate) fn total_instructions(text: &str) -> anyhow::Result<u64> {
    let field = |key: &str| {
        text.lines()
            .filter_map(|line| line.strip_prefix(key))
            .next_back()
    };
    let events = field("events:").context("no `events:` line")?;
    let column = events
        .split_whitespace()
        .position(|e| e == "Ir")
        .with_context(|| format!("the events `{}` do not include Ir", events.trim()))?;
    let (key, costs) = field("totals:")
        .map(|c| ("totals", c))
        .or_else(|| field("summary:").map(|c| ("summary", c)))
        .context("no `totals:` or `summary:` line")?;
    // Trailing zero costs may be left out (callgrind format, "Description of Body Lines").
    costs.split_whitespace().nth(column).map_or(Ok(0), |v| {
        v.parse()
            .with_context(|| format!("the {key} `{v}` is not a count"))
    })
}

/// The columns of the events perfmatrix reads, by their callgrind names.
struct Columns {
    ir: usize,
    /// `I1mr D1mr D1mw`, `ILmr DLmr DLmw`, `Bc Bi`, `Bcm Bim`: present together or not at all.
    sim: Option<[Vec<usize>; 4]>,
}

impl Columns {
    fn of(events: &str) -> anyhow::Result<Self> {
        let names: Vec<&str> = events.split_whitespace().collect();
        let at = |name: &str| names.iter().position(|n| *n == name);
        let ir = at("Ir").with_context(|| format!("the events `{events}` do not include Ir"))?;
        let group = |group: &[&str]| group.iter().map(|n| at(n)).collect::<Option<Vec<usize>>>();
        let sim = match (
            group(&["I1mr", "D1mr", "D1mw"]),
            group(&["ILmr", "DLmr", "DLmw"]),
            group(&["Bc", "Bi"]),
            group(&["Bcm", "Bim"]),
        ) {
            (Some(l1), Some(ll), Some(b), Some(bm)) => Some([l1, ll, b, bm]),
            _ => None,
        };
        Ok(Self { ir, sim })
    }

    /// The events of one cost line's costs (missing trailing costs are zero).
    fn events(&self, costs: &[u64]) -> Events {
        let at = |i: usize| costs.get(i).copied().unwrap_or(0);
        let sum = |group: &[usize]| group.iter().map(|&i| at(i)).fold(0, u64::saturating_add);
        Events {
            ir: at(self.ir),
            sim: self.sim.as_ref().map(|[l1, ll, b, bm]| Simulated {
                l1_misses: sum(l1),
                ll_misses: sum(ll),
                branches: sum(b),
                mispredicts: sum(bm),
            }),
        }
    }
}

/// `name` as a report shows it: Rust's legacy hash suffix (`::h0123456789abcdef`) removed.
fn shown(name: &str) -> &str {
    match name.rsplit_once("::h") {
        Some((stem, hash)) if hash.len() == 16 && hash.chars().all(|c| c.is_ascii_hexdigit()) => {
            stem
        }
        _ => name,
    }
}

/// A function's sums while reading.
#[derive(Default)]
struct Sums {
    self_cost: Events,
    inclusive_ir: u64,
}

/// Every function that cost something in a callgrind output file, with its own cost and its
/// inclusive instructions; functions of the same name (in several objects or files) are summed.
/// Costs outside the collected region were never counted, so they are not there. Errors name the
/// line that is not callgrind's format.
pub(crate) fn profile(text: &str) -> anyhow::Result<Profile> {
    let events = text
        .lines()
        .find_map(|l| l.strip_prefix("events:"))
        .context("no `events:` line")?;
    let columns = Columns::of(events.trim())?;
    let positions = text
        .lines()
        .find_map(|l| l.strip_prefix("positions:"))
        .map_or(1, |p| p.split_whitespace().count().max(1));
    let mut names: HashMap<String, String> = HashMap::new();
    let mut sums: HashMap<String, Sums> = HashMap::new();
    let mut current: Option<String> = None;
    let mut callee: Option<String> = None;
    let mut calls: HashMap<(String, String), u64> = HashMap::new();
    let mut call_follows = false;
    for (n, line) in text.lines().enumerate() {
        let at = || format!("line {}: `{line}`", n + 1);
        if let Some(spec) = line.strip_prefix("fn=") {
            current = Some(resolve(&mut names, spec).with_context(at)?);
            continue;
        }
        if let Some(spec) = line.strip_prefix("cfn=") {
            // The callee of the `calls=` that follows; also defines a name a later `fn=(id)`
            // may use.
            callee = Some(resolve(&mut names, spec).with_context(at)?);
            continue;
        }
        if line.starts_with("calls=") {
            call_follows = true;
            continue;
        }
        let Some(first) = line.chars().next() else {
            continue;
        };
        if !(first.is_ascii_digit() || matches!(first, '+' | '-' | '*')) {
            continue;
        }
        let costs: Vec<u64> = line
            .split_whitespace()
            .skip(positions)
            .map(str::parse)
            .collect::<Result<_, _>>()
            .with_context(|| format!("a cost is not a count at {}", at()))?;
        let e = columns.events(&costs);
        let Some(function) = &current else {
            bail!("a cost before any `fn=` at {}", at());
        };
        let sums = sums.entry(function.clone()).or_default();
        if std::mem::take(&mut call_follows) {
            sums.inclusive_ir = sums.inclusive_ir.saturating_add(e.ir);
            let callee = callee
                .clone()
                .with_context(|| format!("a `calls=` without its `cfn=` before {}", at()))?;
            let edge = calls.entry((function.clone(), callee)).or_default();
            *edge = edge.saturating_add(e.ir);
        } else {
            sums.self_cost.add(&e);
            sums.inclusive_ir = sums.inclusive_ir.saturating_add(e.ir);
        }
    }
    Ok(gather(sums, calls))
}

/// The profile of the costs `sums` and `calls` read by function name, the names as shown
/// ([`shown`]).
fn gather(sums: HashMap<String, Sums>, calls: HashMap<(String, String), u64>) -> Profile {
    let mut by_name: HashMap<String, Sums> = HashMap::new();
    for (name, s) in sums {
        let entry = by_name.entry(shown(&name).to_owned()).or_default();
        entry.self_cost.add(&s.self_cost);
        entry.inclusive_ir = entry.inclusive_ir.saturating_add(s.inclusive_ir);
    }
    let mut functions: Vec<FunctionCost> = by_name
        .into_iter()
        .filter(|(_, s)| s.inclusive_ir > 0 || s.self_cost != Events::default())
        .map(|(name, s)| FunctionCost {
            name,
            self_cost: s.self_cost,
            inclusive_ir: s.inclusive_ir,
        })
        .collect();
    functions.sort_by(|a, b| {
        b.self_cost
            .ir
            .cmp(&a.self_cost.ir)
            .then(a.name.cmp(&b.name))
    });
    let mut edges: HashMap<(String, String), u64> = HashMap::new();
    for ((caller, callee), ir) in calls {
        let edge = edges
            .entry((shown(&caller).to_owned(), shown(&callee).to_owned()))
            .or_default();
        *edge = edge.saturating_add(ir);
    }
    let mut calls: Vec<Call> = edges
        .into_iter()
        .filter(|(_, ir)| *ir > 0)
        .map(|((caller, callee), inclusive_ir)| Call {
            caller,
            callee,
            inclusive_ir,
        })
        .collect();
    calls.sort_by(|a, b| (&a.caller, &a.callee).cmp(&(&b.caller, &b.callee)));
    let region = crate::counts::REGION_SYMBOLS
        .iter()
        .find(|r| functions.iter().any(|f| f.name == **r))
        .map(|r| (*r).to_owned());
    Profile {
        functions,
        calls,
        region,
    }
}

/// The name of a `fn=`/`cfn=` specification: `(id) name` defines `id`, `(id)` uses it, a bare
/// name is itself.
fn resolve(names: &mut HashMap<String, String>, spec: &str) -> anyhow::Result<String> {
    let spec = spec.trim();
    let Some(rest) = spec.strip_prefix('(') else {
        return Ok(spec.to_owned());
    };
    let (id, name) = rest
        .split_once(')')
        .context("a `(` without its `)` in a compressed name")?;
    let name = name.trim();
    if name.is_empty() {
        names
            .get(id)
            .cloned()
            .with_context(|| format!("the name ({id}) is used before it is defined"))
    } else {
        names.insert(id.to_owned(), name.to_owned());
        Ok(name.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A callgrind file with the cache and branch simulation: `main` calls `kernel` twice (once
    /// through a second `fn=` block of another file), `kernel` calls the Rust function `helper`.
    const SIMULATED: &str = "# callgrind format
version: 1
creator: callgrind-3.19.0
positions: line
events: Ir Dr Dw I1mr D1mr D1mw ILmr DLmr DLmw Bc Bcm Bi Bim
summary: 1600 300 100 5 20 2 1 4 0 200 30 0 0

ob=(1) /bench
fl=(1) main.c
fn=(1) main
10 100 10 5 1 0 0 0 0 0 10 1
cfl=(2) kernel.c
cfn=(2) kernel
calls=2 20
11 1500 290 95 4 20 2 1 4 0 190 29
fl=(2)
fn=(2)
20 1000 200 50 3 15 1 1 3 0 150 20
cfn=(3) mylib::helper::h0123456789abcdef
calls=1 0
21 300
fi=(3) inlined.h
22 200 90 45 1 5 1 0 1 0 40 9

fn=(3)
0 300

totals: 1600 300 100 5 20 2 1 4 0 200 30 0 0
";

    #[test]
    fn self_and_inclusive_costs_per_function() {
        let p = profile(SIMULATED).unwrap();
        let f = |name: &str| p.functions.iter().find(|f| f.name == name).unwrap();
        let kernel = f("kernel");
        assert_eq!(
            kernel.self_cost.ir, 1200,
            "its own lines, inlined code included"
        );
        assert_eq!(kernel.inclusive_ir, 1500);
        let sim = kernel.self_cost.sim.unwrap();
        assert_eq!(sim.l1_misses, 4 + 20 + 2);
        assert_eq!(sim.ll_misses, 1 + 4);
        assert_eq!(sim.branches, 190);
        assert_eq!(sim.mispredicts, 29);
        assert_eq!(f("main").self_cost.ir, 100);
        assert_eq!(f("main").inclusive_ir, 1600);
        assert_eq!(
            f("mylib::helper").self_cost.ir,
            300,
            "the hash suffix is dropped"
        );
        assert_eq!(p.total().ir, 1600);
        assert_eq!(p.functions[0].name, "kernel", "largest own cost first");
        let call = |caller: &str, callee: &str| {
            p.calls
                .iter()
                .find(|c| c.caller == caller && c.callee == callee)
                .map(|c| c.inclusive_ir)
        };
        assert_eq!(call("main", "kernel"), Some(1500));
        assert_eq!(call("kernel", "mylib::helper"), Some(300));
        assert_eq!(p.calls.len(), 2);
        assert_eq!(total_instructions(SIMULATED).unwrap(), 1600);
    }

    #[test]
    fn a_file_without_simulation_has_instructions_only() {
        let text = "events: Ir\nfn=(1) f\n0 42\ntotals: 42\n";
        let p = profile(text).unwrap();
        assert_eq!(p.functions.len(), 1);
        assert_eq!(p.functions[0].self_cost.ir, 42);
        assert_eq!(p.functions[0].self_cost.sim, None);
    }

    #[test]
    fn broken_files_name_the_line() {
        let err = profile("events: Ir\nfn=(7)\n0 1\n").unwrap_err();
        assert!(format!("{err:#}").contains("line 2"), "{err:#}");
        let err = profile("events: Ir\nfn=f\n0 x\n").unwrap_err();
        assert!(format!("{err:#}").contains("line 3: `0 x`"), "{err:#}");
        assert!(profile("fn=f\n0 1\n").is_err());
        let err = profile("events: Ir\n0 1\n").unwrap_err();
        assert!(format!("{err:#}").contains("before any `fn=`"), "{err:#}");
    }

    #[test]
    fn rust_hashes_only_are_removed() {
        assert_eq!(shown("a::b::h0123456789abcdef"), "a::b");
        assert_eq!(shown("a::hash"), "a::hash");
        assert_eq!(shown("pmk_decay_avx2"), "pmk_decay_avx2");
    }
}
