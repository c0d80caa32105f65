//! The adjoint method's backward sweep over a plan: from φ = ψ_N and λ = Aψ_N, each node is un-applied from
//! both states while ∂⟨A⟩/∂θ = 2·Re⟨λ|(∂U/∂θ)U†|φ⟩ is read for each angle that needs it (φ the state just after
//! the gate).
//!
//! A node acts on its targets only, so every derivative it holds is a bilinear form on the targets' amplitude
//! groups (pairs for one target, quads for two): 2·Re⟨λ|A|φ⟩ = 2·Re Σ_ij A_ij R_ij with the node's correlation
//! R_ij = Σ_groups λ̄_i φ_j, taken with φ and λ just after the node. For member k of a fused node U = U_m⋯U_1,
//! A = V·(∂U_k U_k†)·V† with V = U_m⋯U_{k+1}: one pass over the states per node reads R and un-applies U,
//! whatever the number of fused gates and angles; each derivative is then a 2x2 (or 4x4) contraction.

use num_complex::Complex64 as C;

use super::forward::apply_node;
use super::lowered::{mul_adj, Lowered, Suffix};
use super::plan::{mul1, Binding, Mat2x2, Node, Plan, Segment};
use super::product::{column0, environments, MAX_PREFIX};
use super::tile::{in_tile, Tiles};
use crate::error::ParamKind;
use crate::quantum::kernels;
use crate::quantum::kernels::{correlations, fold_lanes, reduce, sum_rows, sum_rows_with, SharedMut, Subspace, CHUNK};
use crate::quantum::op::{Op, ZERO};

/// Where [`QuantumFunction::backward`](crate::grad::QuantumFunction::backward) **adds** its gradients: gᵀ∂f/∂w
/// into `weights` (one entry per weight), gᵀ∂f/∂x into `inputs` when given (one entry per input; without it the
/// sweep stops at the first gate that reads a weight).
///
/// # Example
///
/// ```
/// use qnet::grad::Gradients;
///
/// let mut dw = vec![0.0; 3];
/// let sinks = Gradients { weights: &mut dw, inputs: None };
/// assert_eq!(sinks.weights.len(), 3);
/// ```
#[derive(Debug)]
pub struct Gradients<'a> {
    /// Σ_i g_i ∂f_i/∂w_j is added to entry j.
    pub weights: &'a mut [f64],
    /// Σ_i g_i ∂f_i/∂x_j is added to entry j, when given.
    pub inputs: Option<&'a mut [f64]>,
}

/// What the sweep does at one node: un-apply `undo`; when `grads` is not empty, first read the node's
/// correlation into `row[r..]` (8 numbers for one target, 32 for two: R_ij as re, im, row-major; for one
/// target, the sweep's kernels write the stand-ins of `kernels::correlations`, which contract with the node's
/// anti-Hermitian A as R does), from which the derivatives `grads` (indices into `BackScratch::grads`) are
/// contracted.
#[derive(Debug, Clone, Copy)]
pub(crate) struct NodeWork {
    pub(crate) undo: Op,
    grads: (usize, usize),
    r: usize,
    /// Whether every derivative matrix A of the node is diagonal: only the correlations R_kk are read (made
    /// with feature `mpi`, whose distributed sweep reads it; `false` without).
    #[cfg_attr(not(feature = "mpi"), allow(dead_code))]
    pub(crate) diagonal: bool,
}

impl NodeWork {
    /// Whether the node has derivatives to read (its correlation is wanted).
    pub(crate) fn correlates(&self) -> bool {
        self.grads.0 < self.grads.1
    }

    /// Where the node's correlation goes in its row (8 numbers for one target, 32 for two).
    pub(super) fn row(&self) -> usize {
        self.r
    }

    /// Where the node's correlation R_kk (k the targets' bits, target 0 the lowest) goes in its row: (re, im)
    /// at this offset.
    #[cfg(feature = "mpi")]
    pub(crate) fn diagonal_entry(&self, arity: usize, k: usize) -> usize {
        self.r + 2 * (k * (1 << arity) + k)
    }
}

/// One derivative: the angle `Plan::slots[slot]` is 2·Re Σ_ij A_ij R_ij, A stored row-major (4 or 16 entries
/// from `start` of `BackScratch::mats`, or of the binding's weight-only lowering's when `cached`).
#[derive(Debug, Clone, Copy)]
struct Grad {
    slot: usize,
    start: usize,
    cached: bool,
}

/// The entries of `g`'s derivative matrix A (`n` of them), from the sweep's scratch or the lowering's cache
/// (`lowered`, the cache of the binding whose work made `g`).
fn a_matrix<'a>(g: &Grad, n: usize, mats: &'a [C], lowered: Option<&'a Lowered>) -> &'a [C] {
    let from = match g.cached {
        true => lowered.expect("a cached derivative is made only with the binding's cache").mats(),
        false => mats,
    };
    &from[g.start..g.start + n]
}

/// Reusable buffers of the backward sweep.
#[derive(Debug, Clone, Default)]
pub(crate) struct BackScratch {
    work: Vec<NodeWork>,
    grads: Vec<Grad>,
    mats: Vec<C>,
    members: Vec<[[C; 2]; 2]>,
    /// The correlations of the current segment.
    sums: Vec<f64>,
    /// Their partial sums: one row per chunk of a node's subspace, or per block of a blocked run.
    partials: Vec<f64>,
    /// The buffer of fused permutation runs' passes (at most [`scratch_len`](super::affine::scratch_len)
    /// amplitudes), and of the product prefix's contraction (a few times 2^(p/2)).
    pub(crate) amps: Vec<C>,
    /// The product prefix's contraction's state indices.
    index: Vec<usize>,
}

impl BackScratch {
    /// The prepared work, node by node (see [`Plan::push_work`]).
    pub(super) fn work(&self) -> &[NodeWork] {
        &self.work
    }

    /// Forgets the prepared work.
    pub(super) fn clear_work(&mut self) {
        self.work.clear();
        self.grads.clear();
        self.mats.clear();
    }

    /// The bytes its buffers hold.
    pub(crate) fn bytes(&self) -> usize {
        size_of::<NodeWork>() * self.work.capacity()
            + size_of::<Grad>() * self.grads.capacity()
            + size_of::<C>() * (self.mats.capacity() + self.amps.capacity())
            + size_of::<[[C; 2]; 2]>() * self.members.capacity()
            + size_of::<f64>() * (self.sums.capacity() + self.partials.capacity())
            + size_of::<usize>() * self.index.capacity()
    }
}

impl Plan {
    /// The backward sweep of `circuit`'s plan from φ = ψ_N and λ = Aψ_N (both consumed), adding ∂⟨A⟩/∂w and
    /// ∂⟨A⟩/∂x (scaled by each parameter's scale, summed over its uses) into `sinks`. `recorded` holds the
    /// forward pass's member matrices and one-target nodes' products (see [`forward`](Self::forward)); when it
    /// is empty they are computed again. Passes that start from |0…0⟩ sweep with
    /// [`backward_from_zero`](Self::backward_from_zero); tests check it against this one.
    #[cfg(test)]
    pub(crate) fn backward(
        &self,
        binding: &Binding<'_>,
        phi: &mut [C],
        lambda: &mut [C],
        recorded: &[Mat2x2],
        sinks: Gradients<'_>,
        scratch: &mut BackScratch,
    ) {
        self.sweep(binding, phi, lambda, recorded, sinks, scratch, 0);
    }

    /// [`backward`](Self::backward) of a pass that started from |0…0⟩
    /// ([`forward_from_zero`](Self::forward_from_zero)): the product prefix's derivatives are read from λ at
    /// its end by one contraction (see `product`), and neither state is un-applied through it.
    pub(crate) fn backward_from_zero(
        &self,
        binding: &Binding<'_>,
        phi: &mut [C],
        lambda: &mut [C],
        recorded: &[Mat2x2],
        sinks: Gradients<'_>,
        scratch: &mut BackScratch,
    ) {
        self.sweep(binding, phi, lambda, recorded, sinks, scratch, self.prefix);
    }

    /// The sweep of [`backward`](Self::backward), node by node down to `prefix`, then the product prefix's
    /// nodes `..prefix` by contraction.
    #[allow(clippy::too_many_arguments)]
    fn sweep(
        &self,
        binding: &Binding<'_>,
        phi: &mut [C],
        lambda: &mut [C],
        recorded: &[Mat2x2],
        mut sinks: Gradients<'_>,
        scratch: &mut BackScratch,
        prefix: usize,
    ) {
        let want_inputs = sinks.inputs.is_some();
        let Some(first) = (if want_inputs { self.first_param } else { self.first_weight }) else { return };
        let recorded = if recorded.len() == self.record_len() { recorded } else { &[] };
        let stop = first.max(prefix);
        for segment in self.segments.iter().rev() {
            let std::ops::Range { start, end } = segment.nodes();
            if end <= stop {
                break;
            }
            if let Segment::Affine(_, _, k) = *segment {
                // Permutations have no parameters: un-apply the run from both states.
                self.undo_affine(k, phi, lambda, &mut scratch.amps);
                continue;
            }
            let range = start.max(stop)..end;
            self.backward_segment(*segment, range, binding, phi, lambda, recorded, &mut sinks, scratch);
        }
        if first < prefix {
            self.prefix_backward(first..prefix, binding, lambda, recorded, &mut sinks, scratch);
        }
    }

    /// The derivatives of the product prefix's nodes `range` (the prefix's last ones), from λ at the prefix's
    /// end: each node's correlation R[a][b] = e[a]·u[b] (see `product`), contracted as the sweep contracts it.
    pub(super) fn prefix_backward(
        &self,
        range: std::ops::Range<usize>,
        binding: &Binding<'_>,
        lambda: &[C],
        recorded: &[Mat2x2],
        sinks: &mut Gradients<'_>,
        scratch: &mut BackScratch,
    ) {
        let want_inputs = sinks.inputs.is_some();
        let width = self.prepare_work(binding, range.clone(), recorded, want_inputs, scratch);
        let p = self.prefix;
        let (mut targets, mut us) = ([0; MAX_PREFIX], [[ZERO; 2]; MAX_PREFIX]);
        for i in 0..p {
            targets[i] = self.nodes[i].targets[0];
            us[i] = match i.checked_sub(range.start) {
                Some(j) => column0(&scratch.work[j].undo.adjoint()),
                None => column0(&self.node_op(i, binding, &mut [])),
            };
        }
        let mut env = [[ZERO; 2]; MAX_PREFIX];
        let BackScratch { work, sums, amps, index, .. } = scratch;
        environments(lambda, &targets[..p], &us[..p], &mut env[..p], amps, index);
        sums.clear();
        sums.resize(width, 0.0);
        for (i, w) in range.zip(work.iter()).filter(|(_, w)| w.correlates()) {
            for (ab, r) in sums[w.r..w.r + 8].chunks_exact_mut(2).enumerate() {
                let x = env[i][ab / 2] * us[i][ab % 2];
                (r[0], r[1]) = (x.re, x.im);
            }
        }
        self.contract(scratch, sinks, binding.lowered);
    }

    /// The backward sweep over nodes `range` of `segment` (not a permutation run) on φ and λ as on one machine:
    /// reads the correlations, un-applies the nodes, and adds the derivatives into `sinks`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn backward_segment(
        &self,
        segment: Segment,
        range: std::ops::Range<usize>,
        binding: &Binding<'_>,
        phi: &mut [C],
        lambda: &mut [C],
        recorded: &[Mat2x2],
        sinks: &mut Gradients<'_>,
        scratch: &mut BackScratch,
    ) {
        let want_inputs = sinks.inputs.is_some();
        let width = self.prepare_work(binding, range.clone(), recorded, want_inputs, scratch);
        let BackScratch { work, sums, partials, .. } = scratch;
        sums.clear();
        sums.resize(width, 0.0);
        match segment {
            Segment::Node(_) => {
                let parallel = kernels::parallel(phi.len());
                node_back(&self.nodes[range.start], &work[0], phi, lambda, sums, partials, parallel);
            }
            Segment::Tiled(_, _, high) => self.tiled_backward(range, high, work, phi, lambda, sums, partials),
            _ => self.blocked_backward(range, work, phi, lambda, sums, partials),
        }
        self.contract(scratch, sinks, binding.lowered);
    }

    /// The backward sweep over nodes `range`, one node at a time from the last, each through `step`: given the
    /// node's index, its work (the op that un-applies it, and whether its correlation is wanted), the row and a
    /// buffer for partial sums, `step` places the node, reads its correlation into the row (with [`node_back`])
    /// and un-applies it from both states; then the derivatives are added into `sinks`. The distributed sweep
    /// places nodes this way.
    #[cfg(feature = "mpi")]
    pub(crate) fn backward_nodes(
        &self,
        range: std::ops::Range<usize>,
        binding: &Binding<'_>,
        sinks: &mut Gradients<'_>,
        scratch: &mut BackScratch,
        mut step: impl FnMut(usize, &NodeWork, &mut [f64], &mut Vec<f64>),
    ) {
        let want_inputs = sinks.inputs.is_some();
        let width = self.prepare_work(binding, range.clone(), &[], want_inputs, scratch);
        scratch.sums.clear();
        scratch.sums.resize(width, 0.0);
        let BackScratch { work, sums, partials, .. } = scratch;
        for i in range.clone().rev() {
            step(i, &work[i - range.start], sums, partials);
        }
        self.contract(scratch, sinks, binding.lowered);
    }

    /// Adds the derivatives of the prepared work, contracted with the correlations in `scratch.sums`, into
    /// `sinks`: 2·Re Σ_ij A_ij R_ij per angle, times its scale.
    fn contract(&self, scratch: &BackScratch, sinks: &mut Gradients<'_>, lowered: Option<&Lowered>) {
        self.contract_sums(scratch, &scratch.sums, sinks, lowered);
    }

    /// [`contract`](Self::contract) with the correlations `sums` (laid out as the prepared work says).
    pub(crate) fn contract_sums(
        &self,
        scratch: &BackScratch,
        sums: &[f64],
        sinks: &mut Gradients<'_>,
        lowered: Option<&Lowered>,
    ) {
        let BackScratch { work, grads, mats, .. } = scratch;
        for w in work.iter() {
            let n = if w.undo.arity() == 1 { 4 } else { 16 };
            for g in &grads[w.grads.0..w.grads.1] {
                let a = a_matrix(g, n, mats, lowered);
                let r = &sums[w.r..w.r + 2 * n];
                let d = 2.0 * a.iter().zip(r.chunks_exact(2)).map(|(a, r)| a.re * r[0] - a.im * r[1]).sum::<f64>();
                let slot = &self.slots[g.slot];
                match slot.kind {
                    ParamKind::Weight => sinks.weights[slot.index] += slot.scale * d,
                    ParamKind::Input => {
                        if let Some(xg) = sinks.inputs.as_deref_mut() {
                            xg[slot.index] += slot.scale * d;
                        }
                    }
                }
            }
        }
    }

    /// Un-applies the fused permutation run `k` from φ and λ, in place.
    fn undo_affine(&self, k: usize, phi: &mut [C], lambda: &mut [C], amps: &mut Vec<C>) {
        for state in [phi, lambda] {
            self.affine[k].apply(state, amps, true);
        }
    }

    /// Fills `scratch.work` with the work of nodes `range` (in plan order), `scratch.grads` and `scratch.mats`
    /// with the derivatives they read; returns the width of the correlations they need. `recorded` is the
    /// forward pass's record (of [`record_len`](Plan::record_len) entries) or empty.
    fn prepare_work(
        &self,
        binding: &Binding<'_>,
        range: std::ops::Range<usize>,
        recorded: &[Mat2x2],
        want_inputs: bool,
        scratch: &mut BackScratch,
    ) -> usize {
        scratch.clear_work();
        self.push_work(binding, range, recorded, want_inputs, scratch, 0)
    }

    /// [`prepare_work`](Self::prepare_work) appending to the work already prepared, whose correlations are
    /// `width` wide: returns the new width.
    pub(crate) fn push_work(
        &self,
        binding: &Binding<'_>,
        range: std::ops::Range<usize>,
        recorded: &[Mat2x2],
        want_inputs: bool,
        scratch: &mut BackScratch,
        mut width: usize,
    ) -> usize {
        let instructions = binding.circuit.instructions();
        let BackScratch { work, grads, mats, members: us, .. } = scratch;
        for i in range {
            let node = &self.nodes[i];
            let (a, b) = node.members;
            let first = grads.len();
            let wanted = (node.slots.0..node.slots.1)
                .map(|j| (j, &self.slots[j]))
                .filter(|(_, s)| want_inputs || s.kind == ParamKind::Weight);
            let lowered = binding.lowered;
            let known = |j: usize| lowered.and_then(|l| l.slot_start(j));
            let op = if let Some(op) = node.constant {
                op
            } else if node.arity == 1 {
                us.clear();
                // A node whose op the cache holds was not recorded (see `node_op`): its members come from there.
                let cached = lowered.and_then(|l| l.op(i)).is_some();
                let record = recorded.get(node.record.0..node.record.1).filter(|_| !cached);
                match record {
                    Some(r) => us.extend_from_slice(&r[..b - a]),
                    None => us.extend(self.members[a..b].iter().enumerate().map(|(j, &k)| {
                        let cached = lowered.and_then(|l| l.member(a + j, node.record.0 + j));
                        cached.copied().unwrap_or_else(|| binding.lower(k).matrix1())
                    })),
                }
                // A = V·D·V† with V = U_m⋯U_{k+1}, built up from the last member back (skipping the angles whose
                // A the cache holds: V catches up with the same products).
                let mut suffix = Suffix::new(us.len());
                for (j, s) in wanted {
                    grads.push(match known(j) {
                        Some(start) => Grad { slot: j, start, cached: true },
                        None => {
                            let start = mats.len();
                            mats.extend(suffix.derivative(binding, us, s.member, s.k, s.slot).iter().flatten());
                            Grad { slot: j, start, cached: false }
                        }
                    });
                }
                // The op the forward pass applied: its product as recorded, as the cache holds it (the same
                // arithmetic, for a product of several), or built again.
                match (record.and_then(|r| r.get(b - a)), lowered.and_then(|l| l.op(i))) {
                    (Some(&product), _) => Op::sparsest1(product),
                    (None, Some(&op)) if b - a > 1 => op,
                    _ => Op::sparsest1(us[1..].iter().fold(us[0], |m, u| mul1(u, &m))),
                }
            } else {
                // A two-target node holds one instruction.
                let k = self.members[a];
                let inst = &instructions[k];
                let angles = binding.angles(k);
                let op = match lowered.and_then(|l| l.op(i)) {
                    Some(&op) => op,
                    None => binding.lower(k),
                };
                for (j, s) in wanted {
                    grads.push(match known(j) {
                        Some(start) => Grad { slot: j, start, cached: true },
                        None => {
                            #[cfg(test)]
                            super::GATE_WORK.with(|c| c.set((c.get().0, c.get().1 + 1)));
                            let derivative = inst.gate().derivative(angles, s.slot);
                            let start = mats.len();
                            mats.extend(mul_adj(&derivative.matrix2(), &op.matrix2()).iter().flatten());
                            Grad { slot: j, start, cached: false }
                        }
                    });
                }
                op
            };
            // Only the distributed sweep reads it.
            #[cfg(feature = "mpi")]
            let diagonal = {
                let d = node.arity * 2;
                let is_diagonal = |a: &[C]| (0..d * d).all(|e| e / d == e % d || a[e] == ZERO);
                grads[first..].iter().all(|g| is_diagonal(a_matrix(g, d * d, mats, lowered)))
            };
            #[cfg(not(feature = "mpi"))]
            let diagonal = false;
            work.push(NodeWork { undo: op.adjoint(), grads: (first, grads.len()), r: width, diagonal });
            if grads.len() > first {
                width += if node.arity == 1 { 8 } else { 32 };
            }
        }
        width
    }

    /// The backward sweep of a blocked run, block by block; each block's correlations go to its own row of
    /// `partials`, the rows added in block order.
    fn blocked_backward(
        &self,
        range: std::ops::Range<usize>,
        work: &[NodeWork],
        phi: &mut [C],
        lambda: &mut [C],
        sums: &mut [f64],
        partials: &mut Vec<f64>,
    ) {
        let size = (1usize << super::plan::BLOCK_QUBITS).min(phi.len());
        let nodes = &self.nodes[range];
        let (p, l) = (SharedMut(phi.as_mut_ptr()), SharedMut(lambda.as_mut_ptr()));
        sum_rows(phi.len() / size, kernels::parallel(phi.len()), sums, partials, |b, row| {
            // SAFETY: block b < phi.len() / size covers amplitudes b·size .. (b + 1)·size of both states (of the same
            // length), which no other block task touches.
            let (phi, lambda) = unsafe { (p.slice(b * size, size), l.slice(b * size, size)) };
            let mut none = Vec::new();
            for (node, w) in nodes.iter().zip(work).rev() {
                node_back(node, w, phi, lambda, row, &mut none, false);
            }
        });
    }
}

impl Plan {
    /// The backward sweep of a tiled run, tile by tile: each tile of φ and λ gathered into buffers, swept there,
    /// and scattered back; each tile's correlations go to its own row of `partials`, the rows added in tile
    /// order.
    #[allow(clippy::too_many_arguments)]
    fn tiled_backward(
        &self,
        range: std::ops::Range<usize>,
        high: usize,
        work: &[NodeWork],
        phi: &mut [C],
        lambda: &mut [C],
        sums: &mut [f64],
        partials: &mut Vec<f64>,
    ) {
        let tiling = Tiles::new(phi.len(), high);
        let nodes: Vec<Node> = self.nodes[range].iter().map(|node| in_tile(node, high)).collect();
        let (p, l) = (SharedMut(phi.as_mut_ptr()), SharedMut(lambda.as_mut_ptr()));
        let init = || (Vec::new(), Vec::new());
        sum_rows_with(tiling.tiles(), kernels::parallel(phi.len()), sums, partials, init, |(bp, bl), t, row| {
            // SAFETY: φ and λ have the length the tiles were made for, and no other task touches tile t.
            unsafe { (tiling.gather(p, t, bp), tiling.gather(l, t, bl)) };
            let mut none = Vec::new();
            for (node, w) in nodes.iter().zip(work).rev() {
                node_back(node, w, bp, bl, row, &mut none, false);
            }
            // SAFETY: as above.
            unsafe { (tiling.scatter(p, t, bp), tiling.scatter(l, t, bl)) };
        });
    }
}

/// Pairs per tile: a tile's correlation is read and the tile un-applied while its four slices are in L1.
const TILE: usize = 256;

/// Adds correlations `acc` into `r` as (re, im) pairs.
pub(crate) fn add_to_row(r: &mut [f64], acc: &[C]) {
    for (r, a) in r.chunks_exact_mut(2).zip(acc) {
        r[0] += a.re;
        r[1] += a.im;
    }
}

/// One node's backward work on (a block of) φ and λ: its correlation into `row[w.r..]` when it has
/// derivatives, then the un-application of the node from both states.
pub(crate) fn node_back(
    node: &Node,
    w: &NodeWork,
    phi: &mut [C],
    lambda: &mut [C],
    row: &mut [f64],
    partials: &mut Vec<f64>,
    parallel: bool,
) {
    let correlate = w.correlates();
    if correlate && node.arity == 2 {
        let (t0, t1) = (1usize << node.targets[0], 1usize << node.targets[1]);
        let sub = Subspace::new(phi.len(), t0 | t1 | node.ctrl, node.ctrl);
        let offsets = [0, t0, t1, t0 | t1];
        let (ph, la) = (&*phi, &*lambda);
        reduce(&sub, parallel, &mut row[w.r..w.r + 32], partials, |range, r| {
            sub.runs(range, |first, len| {
                let mut acc = [ZERO; 16];
                for o in first..first + len {
                    let (a, b) = (offsets.map(|k| ph[o + k]), offsets.map(|k| la[o + k].conj()));
                    for (s, x) in acc.iter_mut().enumerate() {
                        *x += b[s / 4] * a[s % 4];
                    }
                }
                add_to_row(r, &acc);
            });
        });
    }
    if !correlate || node.arity == 2 {
        apply_node(phi, node, &w.undo);
        apply_node(lambda, node, &w.undo);
        return;
    }
    // A one-target node is un-applied chunk by chunk, each chunk right after its correlation is read.
    let (p, l) = (SharedMut(phi.as_mut_ptr()), SharedMut(lambda.as_mut_ptr()));
    let t = 1usize << node.targets[0];
    let sub = Subspace::new(phi.len(), t | node.ctrl, node.ctrl);
    let q = [node.targets[0]];
    reduce(&sub, parallel, &mut row[w.r..w.r + 8], partials, |range, r| {
        if node.ctrl == 0 && t <= CHUNK {
            // Without controls, subspace chunk c is the amplitudes 2c·CHUNK .. 2(c + 1)·CHUNK: read its pairs
            // block by block, then un-apply the node on the chunk with the gate kernels.
            let (start, len) = (2 * range.start, 2 * (range.end - range.start));
            // SAFETY: distinct chunks are distinct amplitude ranges below the states' common length.
            let (p, l) = unsafe { (p.slice(start, len), l.slice(start, len)) };
            let mut lanes = [[ZERO; 4]; 4];
            kernels::correlate_blocks(p, l, t, &mut lanes);
            add_to_row(r, &correlations(fold_lanes(&lanes)));
            kernels::apply_op(p, &w.undo, &q, 0);
            kernels::apply_op(l, &w.undo, &q, 0);
            return;
        }
        sub.runs(range, |first, len| {
            for s in (0..len).step_by(TILE) {
                let n = TILE.min(len - s);
                // SAFETY: subspace indices of distinct chunks are distinct, and `first + s + o` (o < n) and
                // `first + s + o + t` are the pair of index `first + s + o` (target bit clear): distinct pairs
                // never share an amplitude, and all indices are below the states' common length.
                let (p0, p1, l0, l1) = unsafe {
                    (p.slice(first + s, n), p.slice(first + s + t, n), l.slice(first + s, n), l.slice(first + s + t, n))
                };
                let mut lanes = [[ZERO; 4]; 4];
                kernels::correlate(p0, p1, l0, l1, &mut lanes);
                add_to_row(r, &correlations(fold_lanes(&lanes)));
                kernels::apply_op_slices(p0, p1, &w.undo);
                kernels::apply_op_slices(l0, l1, &w.undo);
            }
        });
    });
}
