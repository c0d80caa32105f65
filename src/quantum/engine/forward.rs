//! Running a plan forward on a state: node by node, or a cache-blocked run one block at a time.

use num_complex::Complex64 as C;

use super::plan::{fused_op, AngleShift, Node, Plan, Segment, BLOCK_QUBITS, MAX_BLOCKED_RUN};
use crate::quantum::circuit::Circuit;
use crate::quantum::kernels::{self, PARALLEL_MIN_DIM};
use crate::quantum::op::{Op, ONE};

impl Plan {
    /// The op of node `i` with the given angles.
    pub(crate) fn node_op(
        &self,
        i: usize,
        circuit: &Circuit,
        weights: &[f64],
        inputs: &[f64],
        shift: Option<AngleShift>,
    ) -> Op {
        match self.nodes[i].constant {
            Some(op) => op,
            None => fused_op(circuit.instructions(), self.members_of(i), weights, inputs, shift),
        }
    }

    /// Applies the plan of `circuit` to `state` in place (the parameters already checked).
    pub(crate) fn forward(
        &self,
        circuit: &Circuit,
        state: &mut [C],
        weights: &[f64],
        inputs: &[f64],
        shift: Option<AngleShift>,
    ) {
        for segment in &self.segments {
            match *segment {
                Segment::Node(i) => {
                    let op = self.node_op(i, circuit, weights, inputs, shift);
                    apply_node(state, &self.nodes[i], &op);
                }
                Segment::Blocked(start, end) => {
                    let mut ops = [Op::Diag1([ONE, ONE]); MAX_BLOCKED_RUN];
                    for (slot, i) in ops.iter_mut().zip(start..end) {
                        *slot = self.node_op(i, circuit, weights, inputs, shift);
                    }
                    let (nodes, ops) = (&self.nodes[start..end], &ops[..end - start]);
                    for_each_block(state, |block| {
                        for (node, op) in nodes.iter().zip(ops) {
                            apply_node(block, node, op);
                        }
                    });
                }
            }
        }
    }
}

/// Applies `op` placed as `node` says.
#[inline]
pub(crate) fn apply_node(state: &mut [C], node: &Node, op: &Op) {
    kernels::apply_op(state, op, &node.targets[..node.arity], node.ctrl);
}

/// Calls `f` on every aligned block of 2^[`BLOCK_QUBITS`] amplitudes (in parallel for large states). Every
/// amplitude sees the same operations in the same order as without blocking, so the result is the same.
pub(crate) fn for_each_block<F: Fn(&mut [C]) + Sync + Send>(state: &mut [C], f: F) {
    #[cfg(feature = "parallel")]
    if state.len() >= PARALLEL_MIN_DIM {
        use rayon::prelude::*;
        state.par_chunks_mut(1 << BLOCK_QUBITS).for_each(f);
        return;
    }
    #[cfg(not(feature = "parallel"))]
    let _ = PARALLEL_MIN_DIM;
    state.chunks_mut(1 << BLOCK_QUBITS).for_each(f);
}
