//! Pure-Rust definitions of the kernels, computed in f64: the oracle every C variant is tested
//! against. Slow and obviously correct; they take the same validated inputs as [`crate::Kernels`].

use crate::{CsrGraph, SpreadParams};

/// Cosine similarity of `query` with each row of `candidates` (`n × query.len()`), in f64.
///
/// # Panics
/// If `candidates.len()` is not a multiple of `query.len()` (or not empty when `query` is).
#[must_use]
pub fn cosine_batch(query: &[f32], candidates: &[f32], n: usize) -> Vec<f32> {
    let d = query.len();
    assert_eq!(candidates.len(), n * d, "candidates must hold n × d floats");
    let qq: f64 = query.iter().map(|&q| f64::from(q) * f64::from(q)).sum();
    (0..n)
        .map(|i| {
            let row = &candidates[i * d..(i + 1) * d];
            let (mut dot, mut rr) = (0.0_f64, 0.0_f64);
            for (&q, &r) in query.iter().zip(row) {
                dot += f64::from(q) * f64::from(r);
                rr += f64::from(r) * f64::from(r);
            }
            if qq == 0.0 || rr == 0.0 {
                0.0
            } else {
                (dot / (qq.sqrt() * rr.sqrt())) as f32
            }
        })
        .collect()
}

/// Spreading activation in f64 (see `docs/kernels.md`): each round, in parallel over nodes,
/// `a'[i] = clamp01(retention · a[i] + Σ_{(j, w) ∈ in(i), a[j] >= threshold} w · a[j])`.
///
/// Also returns the smallest distance `|a[j] - threshold|` seen over all rounds and nodes: where
/// it is tiny, f32 rounding in a variant may legitimately flip whether a node fires. With
/// `threshold <= 0` every node fires (activations are never negative), so it is infinite.
#[must_use]
pub fn spread(graph: &CsrGraph, activations: &[f32], params: SpreadParams) -> (Vec<f32>, f64) {
    let threshold = f64::from(params.threshold);
    let retention = f64::from(params.retention);
    let mut cur: Vec<f64> = activations.iter().map(|&a| f64::from(a)).collect();
    let mut margin = f64::INFINITY;
    for _ in 0..params.iterations {
        if threshold > 0.0 {
            for &a in &cur {
                margin = margin.min((a - threshold).abs());
            }
        }
        let next: Vec<f64> = (0..graph.node_count())
            .map(|i| {
                let sum: f64 = graph
                    .in_edges(i)
                    .filter(|&(j, _)| cur[j] >= threshold)
                    .map(|(j, w)| f64::from(w) * cur[j])
                    .sum();
                (retention * cur[i] + sum).clamp(0.0, 1.0)
            })
            .collect();
        cur = next;
    }
    (cur.into_iter().map(|a| a as f32).collect(), margin)
}

/// The exponent the kernels use: `-lambda · age` in f64, clamped at -104 (where every f32
/// `exp` is 0), rounded to f32.
#[must_use]
pub fn decay_exponent(age: u64, lambda: f32) -> f32 {
    (-f64::from(lambda) * age as f64).max(-104.0) as f32
}

/// Decay in f64: `s · exp(decay_exponent(age, lambda))`, rounded once to f32.
#[must_use]
pub fn decay(strengths: &[f32], ages: &[u64], lambda: f32) -> Vec<f32> {
    strengths
        .iter()
        .zip(ages)
        .map(|(&s, &age)| (f64::from(s) * f64::from(decay_exponent(age, lambda)).exp()) as f32)
        .collect()
}
