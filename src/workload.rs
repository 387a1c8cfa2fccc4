//! Deterministic inputs at the benchmarked sizes, shared by the benchmarks and the tests.
//!
//! The generator is a hand-written SplitMix64 on purpose: baselines are only comparable while the
//! benchmarks measure the very same inputs, and `rand`'s generators do not promise identical
//! streams across releases. SplitMix64 is ten lines and fixed forever.

use crate::{CsrGraph, Kernel, SpreadParams};

/// The seed every benchmark input is drawn from.
pub const SEED: u64 = 0x5eed_0f9e_7f3a_71c4;

// The cases' methods are `#[inline]`, so they are compiled into the benchmarks' own code and add
// none to the library's: the kernels and their wrappers keep their relative layout in the
// benchmark binary (code placement can move timings).

/// The cosine benchmarks: `n` candidate rows of dimension `d`, id `cosine/{d}x{n}`.
pub const COSINE_CASES: [CosineCase; 3] = [
    CosineCase { d: 768, n: 100 },
    CosineCase { d: 768, n: 1_000 },
    CosineCase { d: 768, n: 10_000 },
];

/// The spreading-activation benchmarks, id `spread/{nodes}n-{edges}e-{iterations}i`.
pub const SPREAD_CASES: [SpreadCase; 3] = [
    SpreadCase {
        nodes: 100,
        edges: 500,
        iterations: 100,
    },
    SpreadCase {
        nodes: 1_000,
        edges: 5_000,
        iterations: 100,
    },
    SpreadCase {
        nodes: 10_000,
        edges: 50_000,
        iterations: 100,
    },
];

/// The decay benchmarks: `n` memories, id `decay/{n}`.
pub const DECAY_CASES: [DecayCase; 3] = [
    DecayCase { n: 1_000 },
    DecayCase { n: 10_000 },
    DecayCase { n: 100_000 },
];

/// One cosine benchmark's sizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CosineCase {
    /// Dimension of the query and of each candidate row.
    pub d: usize,
    /// Number of candidate rows.
    pub n: usize,
}

impl CosineCase {
    /// The benchmark id's parameter, `{d}x{n}`.
    #[inline]
    #[must_use]
    pub fn parameter(&self) -> String {
        format!("{}x{}", self.d, self.n)
    }

    /// The benchmark's inputs, drawn from [`SEED`] (see [`cosine_input`]).
    #[inline]
    #[must_use]
    pub fn input(&self) -> CosineInput {
        cosine_input(self.d, self.n)
    }
}

/// One spreading-activation benchmark's sizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpreadCase {
    /// Number of nodes of the graph.
    pub nodes: usize,
    /// Number of edges of the graph.
    pub edges: usize,
    /// Number of rounds of spreading activation per call.
    pub iterations: u32,
}

impl SpreadCase {
    /// The benchmark id's parameter, `{nodes}n-{edges}e-{iterations}i`.
    #[inline]
    #[must_use]
    pub fn parameter(&self) -> String {
        format!("{}n-{}e-{}i", self.nodes, self.edges, self.iterations)
    }

    /// The benchmark's inputs, drawn from [`SEED`] (see [`spread_input`]).
    #[inline]
    #[must_use]
    pub fn input(&self) -> SpreadInput {
        spread_input(self.nodes, self.edges, self.iterations)
    }
}

/// One decay benchmark's size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecayCase {
    /// Number of memories (strengths and ages) decayed per call.
    pub n: usize,
}

impl DecayCase {
    /// The benchmark id's parameter, `{n}`.
    #[inline]
    #[must_use]
    pub fn parameter(&self) -> String {
        self.n.to_string()
    }

    /// The benchmark's inputs, drawn from [`SEED`] (see [`decay_input`]).
    #[inline]
    #[must_use]
    pub fn input(&self) -> DecayInput {
        decay_input(self.n)
    }
}

/// Any benchmark case: the one list of benchmark ids and sizes, which `benches/kernels.rs`
/// registers on perfmatrix's harness (where the same definition is timed and counted).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Case {
    /// A benchmark of [`Kernel::Cosine`].
    Cosine(CosineCase),
    /// A benchmark of [`Kernel::Spread`].
    Spread(SpreadCase),
    /// A benchmark of [`Kernel::Decay`].
    Decay(DecayCase),
}

impl Case {
    /// Every benchmark case, in the benchmarks' order (cosine, spread, decay; small to large).
    pub fn all() -> impl Iterator<Item = Case> {
        COSINE_CASES
            .into_iter()
            .map(Case::Cosine)
            .chain(SPREAD_CASES.into_iter().map(Case::Spread))
            .chain(DECAY_CASES.into_iter().map(Case::Decay))
    }

    /// The case with this benchmark id, if there is one.
    #[must_use]
    pub fn find(id: &str) -> Option<Case> {
        Self::all().find(|case| case.id() == id)
    }

    /// The kernel this case benchmarks.
    #[must_use]
    pub fn kernel(&self) -> Kernel {
        match self {
            Case::Cosine(_) => Kernel::Cosine,
            Case::Spread(_) => Kernel::Spread,
            Case::Decay(_) => Kernel::Decay,
        }
    }

    /// The benchmark id's parameter (the part after `kernel/`).
    #[must_use]
    pub fn parameter(&self) -> String {
        match self {
            Case::Cosine(c) => c.parameter(),
            Case::Spread(c) => c.parameter(),
            Case::Decay(c) => c.parameter(),
        }
    }

    /// The benchmark id, `{kernel}/{parameter}`, as criterion reports it and baselines key it.
    #[must_use]
    pub fn id(&self) -> String {
        format!("{}/{}", self.kernel().name(), self.parameter())
    }
}

/// SplitMix64 (Steele, Lea & Flood 2014): a tiny, fixed, well-distributed 64-bit generator.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator whose state starts at `seed`.
    #[must_use]
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits of the stream.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)` with 24 random bits (every value exactly representable in f32).
    pub fn unit_f32(&mut self) -> f32 {
        (self.next_u64() >> 40) as f32 / (1u64 << 24) as f32
    }

    /// Uniform in `[0, bound)`; `bound` must be non-zero.
    pub fn below(&mut self, bound: u64) -> u64 {
        // Lemire's multiply-shift; the bias is below 2^-32 for the sizes used here.
        ((u128::from(self.next_u64()) * u128::from(bound)) >> 64) as u64
    }
}

/// Inputs of the cosine kernel: a query of dimension `d` and `n` candidate rows, in `[-1, 1)`.
#[derive(Debug, Clone)]
pub struct CosineInput {
    /// The query vector, `d` floats.
    pub query: Vec<f32>,
    /// The candidate rows, row-major: `n × d` floats.
    pub candidates: Vec<f32>,
    /// Number of candidate rows, and so the length of the output slice.
    pub n: usize,
}

/// The cosine input of dimension `d` with `n` candidate rows, drawn from [`SEED`].
#[must_use]
pub fn cosine_input(d: usize, n: usize) -> CosineInput {
    let mut rng = SplitMix64::new(SEED ^ 0xc05);
    let mut draw =
        |len: usize| -> Vec<f32> { (0..len).map(|_| rng.unit_f32() * 2.0 - 1.0).collect() };
    let query = draw(d);
    let candidates = draw(n * d);
    CosineInput {
        query,
        candidates,
        n,
    }
}

/// Inputs of the spreading-activation kernel: a random graph of `nodes` nodes and `edges` edges
/// (sources and targets uniform), weights in `[0, 0.16)`, a tenth of the nodes fully active.
#[derive(Debug, Clone)]
pub struct SpreadInput {
    /// The graph the activation spreads over.
    pub graph: CsrGraph,
    /// The starting activation of each node: 1 for about a tenth of them, 0 for the rest.
    pub activations: Vec<f32>,
    /// Retention 0.6, threshold 0.05 and the case's number of rounds.
    pub params: SpreadParams,
}

/// The spreading-activation input of `nodes` nodes, `edges` edges and `iterations` rounds, drawn
/// from [`SEED`].
///
/// # Panics
/// If `nodes` is 0 while `edges` is not, or the sizes exceed the kernels' 32-bit limits.
#[must_use]
pub fn spread_input(nodes: usize, edges: usize, iterations: u32) -> SpreadInput {
    let mut rng = SplitMix64::new(SEED ^ 0x005b_7ead);
    let mut by_target: Vec<Vec<(u32, f32)>> = vec![Vec::new(); nodes];
    for _ in 0..edges {
        let source = rng.below(nodes as u64) as u32;
        let target = rng.below(nodes as u64) as usize;
        by_target[target].push((source, rng.unit_f32() * 0.16));
    }
    let mut offsets = Vec::with_capacity(nodes + 1);
    offsets.push(0_u32);
    let (mut sources, mut weights) = (Vec::with_capacity(edges), Vec::with_capacity(edges));
    for in_edges in by_target {
        for (s, w) in in_edges {
            sources.push(s);
            weights.push(w);
        }
        offsets.push(u32::try_from(sources.len()).expect("edge count fits in u32"));
    }
    let graph = CsrGraph::new(offsets, sources, weights).expect("generated graph is valid");
    let activations = (0..nodes)
        .map(|_| if rng.below(10) == 0 { 1.0 } else { 0.0 })
        .collect();
    SpreadInput {
        graph,
        activations,
        params: SpreadParams {
            retention: 0.6,
            threshold: 0.05,
            iterations,
        },
    }
}

/// Inputs of the decay kernel: strengths in `[0, 1)`, ages up to 30 days in seconds, and a decay
/// rate with a half-life of about eight days.
#[derive(Debug, Clone)]
pub struct DecayInput {
    /// The strengths to decay, one per memory, in `[0, 1)`.
    pub strengths: Vec<f32>,
    /// The age of each memory, in seconds, below 30 days.
    pub ages: Vec<u64>,
    /// The decay rate, per second (`1e-6`).
    pub lambda: f32,
}

/// The decay input of `n` memories, drawn from [`SEED`].
#[must_use]
pub fn decay_input(n: usize) -> DecayInput {
    let mut rng = SplitMix64::new(SEED ^ 0x000d_eca1);
    let strengths = (0..n).map(|_| rng.unit_f32()).collect();
    let ages = (0..n).map(|_| rng.below(30 * 24 * 3600)).collect();
    DecayInput {
        strengths,
        ages,
        lambda: 1.0e-6,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix_matches_the_published_sequence() {
        // First outputs for seed 0 from the reference C implementation (Vigna, prng.di.unimi.it).
        let mut rng = SplitMix64::new(0);
        assert_eq!(rng.next_u64(), 0xe220_a839_7b1d_cdaf);
        assert_eq!(rng.next_u64(), 0x6e78_9e6a_a1b9_65f4);
    }

    #[test]
    fn inputs_have_the_requested_shapes() {
        let c = cosine_input(768, 10);
        assert_eq!((c.query.len(), c.candidates.len()), (768, 7680));
        let s = spread_input(100, 500, 3);
        assert_eq!((s.graph.node_count(), s.graph.edge_count()), (100, 500));
        let d = decay_input(33);
        assert_eq!((d.strengths.len(), d.ages.len()), (33, 33));
    }

    #[test]
    fn the_benchmark_ids_are_the_documented_ones() {
        // docs/kernels.md ("Benchmarks") and the committed baselines are keyed by these ids.
        let ids: Vec<String> = Case::all().map(|case| case.id()).collect();
        assert_eq!(
            ids,
            [
                "cosine/768x100",
                "cosine/768x1000",
                "cosine/768x10000",
                "spread/100n-500e-100i",
                "spread/1000n-5000e-100i",
                "spread/10000n-50000e-100i",
                "decay/1000",
                "decay/10000",
                "decay/100000",
            ]
        );
        for id in &ids {
            assert_eq!(Case::find(id).map(|case| case.id()).as_ref(), Some(id));
        }
        assert_eq!(Case::find("decay/999"), None);
    }

    #[test]
    fn a_case_builds_the_same_inputs_as_the_generator() {
        let c = COSINE_CASES[0];
        assert_eq!(c.input().candidates, cosine_input(c.d, c.n).candidates);
        let d = DECAY_CASES[0];
        assert_eq!(d.input().ages, decay_input(d.n).ages);
    }
}
