//! A validated CSR graph of incoming edges, the input of the spreading-activation kernel.

use crate::KernelError;

/// Directed weighted graph in compressed sparse row form, **by target**: the in-edges of node `i`
/// are `offsets[i]..offsets[i + 1]`, each with a source node and a weight.
///
/// Constructed only through [`CsrGraph::new`], which checks every invariant the C kernels rely on,
/// so a `CsrGraph` can be handed to them without further checks.
#[derive(Debug, Clone, PartialEq)]
pub struct CsrGraph {
    offsets: Vec<u32>,
    sources: Vec<u32>,
    weights: Vec<f32>,
}

/// Parameters of [`crate::Kernels::spread`]; see `docs/kernels.md` for the definition.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SpreadParams {
    /// Factor applied to a node's own activation every round.
    pub retention: f32,
    /// A node spreads in a round only if its activation is `>= threshold`.
    pub threshold: f32,
    /// Number of synchronous rounds.
    pub iterations: u32,
}

/// Largest node count: sources are passed to the SIMD gathers as signed 32-bit indices.
pub const MAX_NODES: usize = i32::MAX as usize;

impl CsrGraph {
    /// Checks and wraps a CSR graph: `offsets` has `n + 1` entries, starts at 0, never decreases
    /// and ends at the edge count; `sources` and `weights` have one entry per edge; every source
    /// is `< n`; every weight is finite. `O(n + edges)`.
    pub fn new(
        offsets: Vec<u32>,
        sources: Vec<u32>,
        weights: Vec<f32>,
    ) -> Result<Self, KernelError> {
        let Some((&first, rest)) = offsets.split_first() else {
            return Err(KernelError::LengthMismatch {
                argument: "offsets",
                expected: 1,
                actual: 0,
            });
        };
        let nodes = rest.len();
        if nodes > MAX_NODES {
            return Err(KernelError::TooLarge {
                argument: "offsets",
                actual: nodes,
                limit: MAX_NODES,
            });
        }
        if first != 0 {
            return Err(KernelError::InvalidOffsets {
                index: 0,
                value: first,
                reason: "the first offset must be 0",
            });
        }
        if let Some(i) = offsets.windows(2).position(|w| w[1] < w[0]) {
            return Err(KernelError::InvalidOffsets {
                index: i + 1,
                value: offsets[i + 1],
                reason: "offsets must not decrease",
            });
        }
        let last = offsets[nodes];
        if last as usize != sources.len() {
            return Err(KernelError::InvalidOffsets {
                index: nodes,
                value: last,
                reason: "the last offset must equal the number of edges (`sources.len()`)",
            });
        }
        if weights.len() != sources.len() {
            return Err(KernelError::LengthMismatch {
                argument: "weights",
                expected: sources.len(),
                actual: weights.len(),
            });
        }
        if let Some(e) = sources.iter().position(|&s| s as usize >= nodes) {
            return Err(KernelError::OutOfRange {
                argument: "sources",
                index: e,
                value: f64::from(sources[e]),
                range: "0..node count",
            });
        }
        if let Some(e) = weights.iter().position(|w| !w.is_finite()) {
            return Err(KernelError::OutOfRange {
                argument: "weights",
                index: e,
                value: f64::from(weights[e]),
                range: "the finite numbers",
            });
        }
        Ok(Self {
            offsets,
            sources,
            weights,
        })
    }

    /// A graph of `nodes` nodes and no edges.
    pub fn without_edges(nodes: usize) -> Result<Self, KernelError> {
        if nodes > MAX_NODES {
            return Err(KernelError::TooLarge {
                argument: "nodes",
                actual: nodes,
                limit: MAX_NODES,
            });
        }
        Self::new(vec![0; nodes + 1], Vec::new(), Vec::new())
    }

    /// Number of nodes.
    #[must_use]
    pub fn node_count(&self) -> usize {
        self.offsets.len() - 1
    }

    /// Number of edges.
    #[must_use]
    pub fn edge_count(&self) -> usize {
        self.sources.len()
    }

    /// The `(source, weight)` pairs of node `node`'s in-edges.
    ///
    /// # Panics
    /// If `node >= self.node_count()`.
    pub fn in_edges(&self, node: usize) -> impl Iterator<Item = (usize, f32)> + '_ {
        let range = self.offsets[node] as usize..self.offsets[node + 1] as usize;
        self.sources[range.clone()]
            .iter()
            .zip(&self.weights[range])
            .map(|(&s, &w)| (s as usize, w))
    }

    pub(crate) fn raw(&self) -> (&[u32], &[u32], &[f32]) {
        (&self.offsets, &self.sources, &self.weights)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(offsets: &[u32], sources: &[u32], weights: &[f32]) -> String {
        CsrGraph::new(offsets.to_vec(), sources.to_vec(), weights.to_vec())
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn accepts_a_valid_graph() {
        let g = CsrGraph::new(vec![0, 1, 1, 3], vec![2, 0, 1], vec![0.5, 0.25, -1.0]).unwrap();
        assert_eq!((g.node_count(), g.edge_count()), (3, 3));
        assert_eq!(
            g.in_edges(2).collect::<Vec<_>>(),
            vec![(0, 0.25), (1, -1.0)]
        );
        assert_eq!(g.in_edges(1).count(), 0);
    }

    #[test]
    fn every_broken_invariant_names_its_argument() {
        assert!(err(&[], &[], &[]).contains("`offsets`"));
        assert!(err(&[1, 1], &[0], &[1.0]).contains("`offsets[0]`"));
        assert!(err(&[0, 2, 1], &[0, 0], &[1.0, 1.0]).contains("`offsets[2]`"));
        assert!(err(&[0, 1, 3], &[0, 0], &[1.0, 1.0]).contains("last offset"));
        assert!(err(&[0, 1], &[0], &[]).contains("`weights`"));
        assert!(err(&[0, 1, 1], &[2], &[1.0]).contains("`sources[0]`"));
        assert!(err(&[0, 1], &[0], &[f32::NAN]).contains("`weights[0]`"));
    }

    #[test]
    fn empty_and_edgeless_graphs() {
        let g = CsrGraph::without_edges(0).unwrap();
        assert_eq!((g.node_count(), g.edge_count()), (0, 0));
        let g = CsrGraph::without_edges(5).unwrap();
        assert_eq!((g.node_count(), g.edge_count()), (5, 0));
    }
}
