//! Deterministic inputs at the benchmarked sizes, shared by the benchmarks and the tests.
//!
//! The generator is a hand-written SplitMix64 on purpose: baselines are only comparable while the
//! benchmarks measure the very same inputs, and `rand`'s generators do not promise identical
//! streams across releases. SplitMix64 is ten lines and fixed forever.

use crate::{CsrGraph, SpreadParams};

/// The seed every benchmark input is drawn from.
pub const SEED: u64 = 0x5eed_0f9e_7f3a_71c4;

/// SplitMix64 (Steele, Lea & Flood 2014): a tiny, fixed, well-distributed 64-bit generator.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    #[must_use]
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

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
    pub query: Vec<f32>,
    pub candidates: Vec<f32>,
    pub n: usize,
}

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
    pub graph: CsrGraph,
    pub activations: Vec<f32>,
    pub params: SpreadParams,
}

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
    pub strengths: Vec<f32>,
    pub ages: Vec<u64>,
    pub lambda: f32,
}

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
}
