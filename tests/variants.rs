//! Every available kernel variant against the f64 reference, on seeded random inputs.
//!
//! Tolerances (u = 2^-24, the f32 unit roundoff):
//! - cosine: a length-d dot product in f32 is within γ_d·|q|·|r| of the exact one (Higham, §3.1),
//!   γ_d ≈ d·u; dividing by the two norms (each within ~d·u/2 relative) bounds the cosine's
//!   absolute error by ~2·d·u. We allow 3·d·u + 4u.
//! - spread: one round adds at most (deg + 3)·u·(1 + Σ|w|) of rounding per node (sum of deg
//!   products, the retention product, the add). With retention + Σ|w| <= 1 and nobody near the
//!   threshold, errors do not grow between rounds (clamp is 1-Lipschitz), so R rounds stay within
//!   R times that.
//! - decay: the exponent is formed identically everywhere; glibc `expf` and the SIMD polynomials
//!   are within 2 ulp of exp, the product adds 0.5 ulp: we allow 8 ulp relative (2^-20), plus
//!   |s|·2^-126 absolute where the SIMD variants flush a subnormal factor to 0.

// Exact comparisons here are deliberate: zero vectors, powers of two and untouched inputs.
#![allow(clippy::float_cmp)]

use perfmatrix_kernels::{CsrGraph, KernelError, Kernels, SpreadParams, Variant, reference};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const U: f64 = 1.0 / (1u64 << 24) as f64;

fn variants() -> Vec<Kernels> {
    let all: Vec<Kernels> = Variant::available()
        .into_iter()
        .map(|v| Kernels::new(v).unwrap())
        .collect();
    assert!(all.iter().any(|k| k.variant() == Variant::Portable));
    all
}

fn rng(seed: u64) -> StdRng {
    StdRng::seed_from_u64(seed)
}

fn check_cosine(k: Kernels, query: &[f32], candidates: &[f32], n: usize) {
    let d = query.len();
    let mut out = vec![f32::NAN; n];
    k.cosine_batch(query, candidates, &mut out).unwrap();
    let want = reference::cosine_batch(query, candidates, n);
    let tol = 3.0 * d as f64 * U + 4.0 * U;
    for (i, (&got, &want)) in out.iter().zip(&want).enumerate() {
        let err = (f64::from(got) - f64::from(want)).abs();
        assert!(
            err <= tol,
            "{}: d={d} n={n} row {i}: got {got}, want {want}, err {err:e} > {tol:e}",
            k.variant()
        );
    }
}

#[test]
fn cosine_matches_reference_on_awkward_sizes() {
    let mut rng = rng(1);
    for k in variants() {
        for d in [0, 1, 3, 7, 8, 15, 16, 17, 31, 33, 100, 768, 1031] {
            for n in [0, 1, 2, 5, 17] {
                let query: Vec<f32> = (0..d).map(|_| rng.random_range(-1.0..1.0)).collect();
                let cands: Vec<f32> = (0..n * d).map(|_| rng.random_range(-1.0..1.0)).collect();
                check_cosine(k, &query, &cands, n);
            }
        }
    }
}

#[test]
fn cosine_of_zero_vectors_is_zero_not_nan() {
    for k in variants() {
        for d in [1, 8, 16, 19, 768] {
            let zero = vec![0.0_f32; d];
            let ones = vec![1.0_f32; d];
            let cands: Vec<f32> = [zero.clone(), ones.clone()].concat();
            let mut out = [f32::NAN; 2];
            k.cosine_batch(&zero, &cands, &mut out).unwrap();
            assert_eq!(out, [0.0, 0.0], "{} zero query, d={d}", k.variant());
            k.cosine_batch(&ones, &cands, &mut out).unwrap();
            assert_eq!(out[0], 0.0, "{} zero row, d={d}", k.variant());
            assert!(
                (out[1] - 1.0).abs() < 1e-6,
                "{} self-similarity {}",
                k.variant(),
                out[1]
            );
        }
    }
}

#[test]
fn cosine_scale_invariance_and_extremes() {
    let mut rng = rng(2);
    for k in variants() {
        let d = 129;
        let query: Vec<f32> = (0..d).map(|_| rng.random_range(-1.0..1.0)).collect();
        // Row 0: the query scaled by 1e3; row 1: its negation scaled by 1e-3.
        let cands: Vec<f32> = query
            .iter()
            .map(|q| q * 1e3)
            .chain(query.iter().map(|q| -q * 1e-3))
            .collect();
        let mut out = [0.0_f32; 2];
        k.cosine_batch(&query, &cands, &mut out).unwrap();
        assert!(
            (out[0] - 1.0).abs() < 1e-5 && (out[1] + 1.0).abs() < 1e-5,
            "{out:?}"
        );
    }
}

#[test]
fn cosine_rejects_bad_lengths() {
    let k = Kernels::detect();
    let mut out = [0.0_f32; 2];
    let err = k.cosine_batch(&[1.0; 3], &[1.0; 5], &mut out).unwrap_err();
    assert_eq!(
        err,
        KernelError::LengthMismatch {
            argument: "candidates",
            expected: 6,
            actual: 5
        }
    );
    assert!(err.to_string().contains("`candidates`"));
}

fn random_graph(rng: &mut StdRng, nodes: usize, edges: usize, max_weight: f32) -> CsrGraph {
    let mut by_target: Vec<Vec<(u32, f32)>> = vec![Vec::new(); nodes];
    for _ in 0..edges {
        let t = rng.random_range(0..nodes);
        by_target[t].push((
            rng.random_range(0..nodes) as u32,
            rng.random_range(0.0..max_weight),
        ));
    }
    let mut offsets = vec![0_u32];
    let (mut sources, mut weights) = (Vec::new(), Vec::new());
    for in_edges in by_target {
        for (s, w) in in_edges {
            sources.push(s);
            weights.push(w);
        }
        offsets.push(sources.len() as u32);
    }
    CsrGraph::new(offsets, sources, weights).unwrap()
}

fn max_in_degree(g: &CsrGraph) -> usize {
    (0..g.node_count())
        .map(|i| g.in_edges(i).count())
        .max()
        .unwrap_or(0)
}

/// Runs every variant; compares with the reference where no activation came within `tol` of the
/// threshold (else f32 rounding may legitimately flip a firing decision). Returns how many
/// comparisons were made.
fn check_spread(graph: &CsrGraph, act: &[f32], params: SpreadParams) -> usize {
    let (want, margin) = reference::spread(graph, act, params);
    let per_round = (max_in_degree(graph) + 3) as f64 * U * 2.0;
    let tol = per_round * f64::from(params.iterations.max(1));
    if margin <= tol {
        return 0;
    }
    for k in variants() {
        let mut got = act.to_vec();
        k.spread(graph, &mut got, params).unwrap();
        for (i, (&g, &w)) in got.iter().zip(&want).enumerate() {
            let err = (f64::from(g) - f64::from(w)).abs();
            assert!(
                err <= tol,
                "{}: n={} iters={} node {i}: got {g}, want {w}, err {err:e} > {tol:e}",
                k.variant(),
                graph.node_count(),
                params.iterations
            );
            assert!((0.0..=1.0).contains(&g));
        }
    }
    1
}

#[test]
fn spread_matches_reference_over_many_rounds() {
    let mut rng = rng(3);
    let mut compared = 0;
    let mut cases = 0;
    for nodes in [1, 2, 7, 8, 9, 31, 100, 1000] {
        for avg_degree in [0, 1, 5, 12, 40] {
            for iterations in [0, 1, 2, 10, 100] {
                let edges = nodes * avg_degree;
                let retention = rng.random_range(0.0..0.5_f32);
                // Keeps retention + Σ|w| <= 1 for every node, so errors cannot grow.
                let max_w = 2.0 * (1.0 - retention) / (avg_degree.max(1) as f32 * 4.0);
                let graph = random_graph(&mut rng, nodes, edges, max_w);
                let act: Vec<f32> = (0..nodes).map(|_| rng.random_range(0.0..=1.0)).collect();
                let threshold = if iterations > 2 {
                    0.0
                } else {
                    rng.random_range(0.0..0.6)
                };
                let params = SpreadParams {
                    retention,
                    threshold,
                    iterations,
                };
                compared += check_spread(&graph, &act, params);
                cases += 1;
            }
        }
    }
    assert!(
        compared * 10 >= cases * 9,
        "only {compared} of {cases} cases were comparable"
    );
}

#[test]
fn spread_threshold_gates_spreading_over_many_rounds() {
    // A positive threshold over 30 rounds: compared wherever no node comes within the tolerance
    // of the threshold (small graphs, so that most cases qualify).
    let mut rng = rng(4);
    let mut compared = 0;
    for _ in 0..40 {
        let graph = random_graph(&mut rng, 16, 16 * 3, 0.15);
        let act: Vec<f32> = (0..16)
            .map(|_| if rng.random_bool(0.3) { 1.0 } else { 0.0 })
            .collect();
        let params = SpreadParams {
            retention: 0.5,
            threshold: 0.3,
            iterations: 30,
        };
        compared += check_spread(&graph, &act, params);
    }
    assert!(
        compared >= 20,
        "only {compared} of 40 cases were comparable"
    );
}

#[test]
fn spread_edge_cases() {
    for k in variants() {
        // Empty graph.
        let empty = CsrGraph::without_edges(0).unwrap();
        k.spread(
            &empty,
            &mut [],
            SpreadParams {
                retention: 0.5,
                threshold: 0.1,
                iterations: 10,
            },
        )
        .unwrap();
        // Nodes without edges only decay by retention (exact powers of two here).
        let g = CsrGraph::without_edges(11).unwrap();
        let mut act = vec![1.0_f32; 11];
        k.spread(
            &g,
            &mut act,
            SpreadParams {
                retention: 0.5,
                threshold: 0.0,
                iterations: 3,
            },
        )
        .unwrap();
        assert!(act.iter().all(|&a| a == 0.125), "{}: {act:?}", k.variant());
        // A node below threshold does not spread; one above does, and the sum is clamped to 1.
        let g = CsrGraph::new(vec![0, 0, 0, 2], vec![0, 1], vec![0.5, 4.0]).unwrap();
        let mut act = vec![0.2_f32, 0.5, 0.0];
        k.spread(
            &g,
            &mut act,
            SpreadParams {
                retention: 1.0,
                threshold: 0.3,
                iterations: 1,
            },
        )
        .unwrap();
        assert_eq!(act, vec![0.2, 0.5, 1.0], "{}", k.variant());
    }
}

#[test]
fn spread_rejects_bad_arguments() {
    let k = Kernels::detect();
    let g = CsrGraph::without_edges(2).unwrap();
    let p = SpreadParams {
        retention: 0.5,
        threshold: 0.1,
        iterations: 1,
    };
    let e = k.spread(&g, &mut [0.0], p).unwrap_err();
    assert!(e.to_string().contains("`activations`"), "{e}");
    let e = k.spread(&g, &mut [0.0, 1.5], p).unwrap_err();
    assert!(e.to_string().contains("`activations[1]`"), "{e}");
    let e = k
        .spread(
            &g,
            &mut [0.0, 0.0],
            SpreadParams {
                retention: f32::NAN,
                ..p
            },
        )
        .unwrap_err();
    assert!(e.to_string().contains("`retention`"), "{e}");
    let e = k
        .spread(
            &g,
            &mut [0.0, 0.0],
            SpreadParams {
                threshold: f32::INFINITY,
                ..p
            },
        )
        .unwrap_err();
    assert!(e.to_string().contains("`threshold`"), "{e}");
}

fn check_decay(k: Kernels, strengths: &[f32], ages: &[u64], lambda: f32) {
    let want = reference::decay(strengths, ages, lambda);
    let mut got = strengths.to_vec();
    k.decay(&mut got, ages, lambda).unwrap();
    for i in 0..got.len() {
        let (g, w) = (f64::from(got[i]), f64::from(want[i]));
        let tol = w.abs() * 2f64.powi(-20) + f64::from(strengths[i]).abs() * 2f64.powi(-126);
        assert!(
            (g - w).abs() <= tol,
            "{}: i={i} s={} age={} lambda={lambda}: got {g:e}, want {w:e}",
            k.variant(),
            strengths[i],
            ages[i]
        );
    }
}

#[test]
fn decay_matches_reference() {
    let mut rng = rng(5);
    for k in variants() {
        for n in [0, 1, 3, 4, 7, 8, 9, 15, 16, 17, 100, 1000] {
            for lambda in [0.0, 1e-9, 1e-6, 1e-3, 1.0, 50.0] {
                let strengths: Vec<f32> = (0..n).map(|_| rng.random_range(0.0..2.0)).collect();
                let ages: Vec<u64> = (0..n).map(|_| rng.random_range(0..10_000_000)).collect();
                check_decay(k, &strengths, &ages, lambda);
            }
        }
    }
}

#[test]
fn decay_handles_very_large_ages_and_the_underflow_edge() {
    let mut rng = rng(6);
    let big = [
        u64::MAX,
        u64::MAX - 1,
        1 << 63,
        (1 << 53) + 1,
        1 << 40,
        0,
        1,
        87,
        88,
        103,
        104,
        105,
    ];
    for k in variants() {
        for lambda in [0.0, 1e-12, 1.0, 0.999] {
            let ages: Vec<u64> = (0..64).map(|i| big[i % big.len()]).collect();
            let strengths: Vec<f32> = (0..64).map(|_| rng.random_range(-3.0..3.0)).collect();
            check_decay(k, &strengths, &ages, lambda);
            // Every age across the flush-to-zero boundary, at a step of 1/16.
            let ages: Vec<u64> = (1300..1800).collect();
            let strengths = vec![1.0_f32; ages.len()];
            check_decay(k, &strengths, &ages, 1.0 / 16.0);
        }
        let mut s = vec![1.0_f32; 9];
        k.decay(&mut s, &[u64::MAX; 9], 1.0).unwrap();
        assert!(s.iter().all(|&x| x == 0.0), "{}: {s:?}", k.variant());
    }
}

#[test]
fn decay_rejects_bad_arguments() {
    let k = Kernels::detect();
    let mut s = [1.0_f32; 2];
    let e = k.decay(&mut s, &[1], 0.1).unwrap_err();
    assert!(e.to_string().contains("`ages`"), "{e}");
    let e = k.decay(&mut s, &[1, 2], f32::NAN).unwrap_err();
    assert!(e.to_string().contains("`lambda`"), "{e}");
    let e = k.decay(&mut s, &[1, 2], -1.0).unwrap_err();
    assert!(e.to_string().contains(">= 0"), "{e}");
    assert_eq!(s, [1.0, 1.0], "nothing is written on error");
}

#[test]
fn forced_portable_variant_is_honoured() {
    // `from_env` is exercised through its parser here; the env var itself is set per process by
    // .ci/run (PERFMATRIX_KERNEL_VARIANT=portable cargo test) so the whole suite runs both ways.
    let k = Kernels::portable();
    assert_eq!(k.variant(), Variant::Portable);
    assert!(k.dispatch().iter().all(|&(_, v)| v == Variant::Portable));
    assert_eq!(Kernels::detect().variant(), Variant::best());
}
