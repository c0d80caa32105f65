//! Running a plan forward on a state: node by node, or a cache-blocked run one block at a time.

use std::ops::Range;

use num_complex::Complex64 as C;

use super::plan::{
    fused_op, fused_op_known, Binding, Mat2x2, Node, Plan, Segment, BLOCK_QUBITS, CHUNK_QUBITS, MAX_BLOCKED_RUN,
};
use super::product::{column0, write_product, MAX_PREFIX};
use super::tile::{in_tile, Tiles};
use crate::quantum::kernels;
use crate::quantum::kernels::SharedMut;
use crate::quantum::op::{Op, ONE, ZERO};

impl Plan {
    /// The op of node `i` with the given angles. Unless `record` is empty (it then has
    /// [`record_len`](Plan::record_len) entries), a variable one-target node's member matrices and fused
    /// product are written into its [`record`](super::plan::Node::record) range, except where the binding's
    /// weight-only cache holds the node's op: the backward sweep, whose binding holds the same cache, reads
    /// those from the cache.
    pub(crate) fn node_op(&self, i: usize, binding: &Binding<'_>, record: &mut [Mat2x2]) -> Op {
        let node = &self.nodes[i];
        let (a, b) = node.members;
        if let Some(op) = node.constant {
            return op;
        }
        let range = node.record.0..node.record.1;
        let record = record.get_mut(range.clone()).unwrap_or(&mut []);
        let Some(lowered) = binding.lowered else { return fused_op(binding, &self.members[a..b], record) };
        if let Some(&op) = lowered.op(i) {
            return op;
        }
        fused_op_known(binding, &self.members[a..b], record, |j| lowered.member(a + j, range.start + j).copied())
    }

    /// Calls `f` with the ops of nodes `range` (on the stack for runs of at most [`MAX_BLOCKED_RUN`] nodes).
    fn with_ops(&self, range: Range<usize>, binding: &Binding<'_>, record: &mut [Mat2x2], f: impl FnOnce(&[Op])) {
        let mut stack = [Op::Diag1([ONE, ONE]); MAX_BLOCKED_RUN];
        let mut heap = Vec::new();
        let ops = if range.len() <= MAX_BLOCKED_RUN {
            &mut stack[..range.len()]
        } else {
            heap.resize(range.len(), Op::Diag1([ONE, ONE]));
            &mut heap[..]
        };
        for (slot, i) in ops.iter_mut().zip(range) {
            *slot = self.node_op(i, binding, record);
        }
        f(ops);
    }

    /// Applies the plan of `circuit` to `state` (the parameters already checked). A fused permutation run is
    /// applied in place, with `scratch` holding at most [`scratch_len`](super::affine::scratch_len) amplitudes
    /// (other threads take their own of the same size).
    /// Unless `record` is empty (it then has [`record_len`](Plan::record_len) entries), the variable one-target
    /// nodes' member matrices and products are recorded there for the backward sweep.
    pub(crate) fn forward(&self, binding: &Binding<'_>, state: &mut [C], scratch: &mut Vec<C>, record: &mut [Mat2x2]) {
        #[cfg(test)]
        super::FORWARD_PASSES.with(|c| c.set(c.get() + 1));
        for segment in &self.schedule {
            self.forward_segment(*segment, binding, state, scratch, record);
        }
    }

    /// [`forward`](Self::forward) from |0…0⟩, which it writes into `state` itself: the product prefix (see
    /// `product`) as one product state, then the rest of the schedule.
    pub(crate) fn forward_from_zero(
        &self,
        binding: &Binding<'_>,
        state: &mut [C],
        scratch: &mut Vec<C>,
        record: &mut [Mat2x2],
    ) {
        #[cfg(test)]
        super::FORWARD_PASSES.with(|c| c.set(c.get() + 1));
        let p = self.prefix;
        let (mut targets, mut us) = ([0; MAX_PREFIX], [[ZERO; 2]; MAX_PREFIX]);
        for i in 0..p {
            targets[i] = self.nodes[i].targets[0];
            us[i] = column0(&self.node_op(i, binding, record));
        }
        write_product(state, &targets[..p], &us[..p]);
        for &segment in &self.schedule {
            let Range { start, end } = segment.nodes();
            match (end <= p, start < p) {
                (true, _) => {}
                // The prefix ends inside the first segment (a node or a blocked run): the run of the rest of it.
                (false, true) => self.forward_segment(Segment::Blocked(p, end), binding, state, scratch, record),
                (false, false) => self.forward_segment(segment, binding, state, scratch, record),
            }
        }
    }

    /// Applies one segment of the forward schedule to `state` (as [`forward`](Self::forward) does). A
    /// distributed state calls it on its block for segments whose qubits are all local and in place.
    pub(crate) fn forward_segment(
        &self,
        segment: Segment,
        binding: &Binding<'_>,
        state: &mut [C],
        scratch: &mut Vec<C>,
        record: &mut [Mat2x2],
    ) {
        match segment {
            Segment::Blocked(start, end) if state.len() > 1 << BLOCK_QUBITS => {
                self.with_ops(start..end, binding, record, |ops| {
                    let nodes = &self.nodes[start..end];
                    for_each_block(state, |block| apply_run(block, nodes, ops));
                });
            }
            Segment::Tiled(start, end, high) => {
                let placed: Vec<Node> = self.nodes[start..end].iter().map(|node| in_tile(node, high)).collect();
                self.with_ops(start..end, binding, record, |ops| apply_tiled(state, high, &placed, ops));
            }
            Segment::Affine(.., k) => self.affine[k].apply(state, scratch, false),
            // A blocked run on a state that is one block of several chunks, by one thread: its runs of nodes on
            // the lowest qubits go chunk by chunk.
            Segment::Blocked(start, end) if state.len() > 1 << CHUNK_QUBITS && !kernels::parallel(state.len()) => {
                self.with_ops(start..end, binding, record, |ops| apply_run(state, &self.nodes[start..end], ops));
            }
            // A node; a blocked run on a state that is one block (without gathering the run's ops first).
            _ => {
                for i in segment.nodes() {
                    apply_node(state, &self.nodes[i], &self.node_op(i, binding, record));
                }
            }
        }
    }
}

impl Plan {
    /// Applies nodes `range` of a window to `state` in one pass (a block or tiles, as their qubits need), the
    /// same bits as node by node. A distributed state calls it on its block for the runs of a window whose
    /// qubits are all local and in place.
    #[cfg(feature = "mpi")]
    pub(crate) fn forward_run(
        &self,
        range: Range<usize>,
        binding: &Binding<'_>,
        state: &mut [C],
        scratch: &mut Vec<C>,
    ) {
        let low = (1usize << super::plan::TILE_LOW_BITS) - 1;
        let high = self.nodes[range.clone()].iter().fold(0, |m, node| m | (node.qubit_mask() & !low));
        let segment = match high >> BLOCK_QUBITS {
            0 => Segment::Blocked(range.start, range.end),
            _ => Segment::Tiled(range.start, range.end, high),
        };
        self.forward_segment(segment, binding, state, scratch, &mut []);
    }
}

/// Applies `op` placed as `node` says.
#[inline]
pub(crate) fn apply_node(state: &mut [C], node: &Node, op: &Op) {
    kernels::apply_op(state, op, &node.targets[..node.arity], node.ctrl);
}

/// Applies `ops` (placed as `nodes` say) in order to `block`, every maximal run of two or more nodes on qubits
/// below [`CHUNK_QUBITS`] one aligned chunk of 2^[`CHUNK_QUBITS`] amplitudes at a time. Every amplitude sees
/// the same operations in the same order as node by node, so the result is the same.
pub(crate) fn apply_run(block: &mut [C], nodes: &[Node], ops: &[Op]) {
    let in_chunk = |node: &Node| node.qubit_mask() >> CHUNK_QUBITS == 0;
    let mut i = 0;
    while i < nodes.len() {
        let run = nodes[i..].iter().take_while(|n| in_chunk(n)).count();
        if run >= 2 && block.len() > 1 << CHUNK_QUBITS {
            let (nodes, ops) = (&nodes[i..i + run], &ops[i..i + run]);
            kernels::apply_ops_chunked(block, 1 << CHUNK_QUBITS, run, |j| {
                (&ops[j], &nodes[j].targets[..nodes[j].arity], nodes[j].ctrl)
            });
            i += run;
        } else {
            apply_node(block, &nodes[i], &ops[i]);
            i += 1;
        }
    }
}

/// Calls `f` on every aligned block of 2^[`BLOCK_QUBITS`] amplitudes (in parallel for large states). Every
/// amplitude sees the same operations in the same order as without blocking, so the result is the same.
pub(crate) fn for_each_block<F: Fn(&mut [C]) + Sync + Send>(state: &mut [C], f: F) {
    #[cfg(feature = "parallel")]
    if kernels::parallel(state.len()) {
        use rayon::prelude::*;
        state.par_chunks_mut(1 << BLOCK_QUBITS).for_each(f);
        return;
    }
    state.chunks_mut(1 << BLOCK_QUBITS).for_each(f);
}

/// Applies `ops` (placed on tile qubits, see [`in_tile`]) tile by tile: each tile gathered into a buffer, the
/// ops applied there in order, and the tile scattered back. Every amplitude sees the same arithmetic as without
/// tiling (the kernels depend only on the op, not on the position), so the result is the same.
fn apply_tiled(state: &mut [C], high: usize, nodes: &[Node], ops: &[Op]) {
    let tiling = Tiles::new(state.len(), high);
    let ptr = SharedMut(state.as_mut_ptr());
    let tile = |t: usize, buf: &mut Vec<C>| {
        // SAFETY: no other task touches tile t.
        unsafe { tiling.gather(ptr, t, buf) };
        apply_run(buf, nodes, ops);
        // SAFETY: as above.
        unsafe { tiling.scatter(ptr, t, buf) };
    };
    #[cfg(feature = "parallel")]
    if kernels::parallel(state.len()) {
        use rayon::prelude::*;
        (0..tiling.tiles()).into_par_iter().for_each_init(Vec::new, |buf, t| tile(t, buf));
        return;
    }
    let mut buf = Vec::new();
    (0..tiling.tiles()).for_each(|t| tile(t, &mut buf));
}
