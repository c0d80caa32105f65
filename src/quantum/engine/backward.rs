//! The adjoint method's backward sweep over a plan: from φ = ψ_N and λ = Aψ_N, each node is un-applied from
//! both states while ∂⟨A⟩/∂θ = 2·Re⟨λ|(∂U/∂θ)U†|φ⟩ is read for each angle that needs it (φ the state just after
//! the gate). A fused node of one-qubit gates is swept in one pass over φ and λ: per amplitude pair, its gates
//! are un-applied one by one from the last, each derivative read on the way.

use num_complex::Complex64 as C;

use super::affine::ensure_scratch;
use super::forward::apply_node;
use super::plan::{bound_angles, dense1, Plan, Segment};
use crate::error::ParamKind;
use crate::quantum::circuit::{Circuit, Instruction};
use crate::quantum::kernels;
use crate::quantum::kernels::{mat1_slices, reduce, scale_slice, SharedMut, Subspace, CHUNK};
use crate::quantum::op::{Op, ZERO};
use crate::quantum::Pauli;

/// Where the backward sweep adds its gradients: ∂/∂w always, ∂/∂x when `inputs` is given (without it the
/// sweep stops at the first gate that reads a weight).
#[derive(Debug)]
pub(crate) struct GradSinks<'a> {
    pub(crate) weights: &'a mut [f64],
    pub(crate) inputs: Option<&'a mut [f64]>,
}

/// One step of a one-target node's backward program, per amplitude pair.
#[derive(Debug, Clone, Copy)]
enum PairStep {
    /// sums[k] += 2·Re(λ†Mφ) on the pair.
    Derive([[C; 2]; 2], usize),
    /// sums[k] += 2·Re(λ†(−iX/2)φ) = Im(λ₀*φ₁ + λ₁*φ₀).
    DeriveX(usize),
    /// sums[k] += 2·Re(λ†(−iY/2)φ) = Re(λ₁*φ₀ − λ₀*φ₁).
    DeriveY(usize),
    /// sums[k] += 2·Re(λ†(−iZ/2)φ) = Im(λ₀*φ₀) − Im(λ₁*φ₁).
    DeriveZ(usize),
    /// (φ, λ) ← (U†φ, U†λ) on the pair, U† dense.
    Undo([[C; 2]; 2]),
    /// The same for U† = diag(d₀, d₁).
    UndoDiag(C, C),
    /// The same for a real U†.
    UndoReal([[f64; 2]; 2]),
    /// The same for U† = [[a, ib], [ic, d]] with a, b, c, d real (RX-like).
    UndoRx([f64; 4]),
}

impl PairStep {
    /// The step that un-applies the 2x2 matrix `v` = U†, in the cheapest form that computes it exactly.
    fn undo(v: [[C; 2]; 2]) -> PairStep {
        let [[a, b], [c, d]] = v;
        if b == ZERO && c == ZERO {
            PairStep::UndoDiag(a, d)
        } else if v.iter().flatten().all(|x| x.im == 0.0) {
            PairStep::UndoReal([[a.re, b.re], [c.re, d.re]])
        } else if a.im == 0.0 && d.im == 0.0 && b.re == 0.0 && c.re == 0.0 {
            PairStep::UndoRx([a.re, b.im, c.im, d.re])
        } else {
            PairStep::Undo(v)
        }
    }
}

/// What the sweep does at one node.
#[derive(Debug, Clone, Copy)]
enum NodeWork {
    /// No derivative: un-apply the op.
    Undo(Op),
    /// A one-target node with derivatives: `steps[a..b]`, its sums `sums[s..s + count]`.
    Pairs { steps: (usize, usize), sums: (usize, usize) },
    /// A two-target gate: 2·Re⟨λ|M_k|φ⟩ for `quads[a..b]` into consecutive sums from `s`, then un-apply `undo`.
    Quads { quads: (usize, usize), sums: usize, undo: Op },
}

/// Reusable buffers of the backward sweep.
#[derive(Debug, Clone, Default)]
pub(crate) struct BackScratch {
    work: Vec<NodeWork>,
    steps: Vec<PairStep>,
    quads: Vec<[[C; 4]; 4]>,
    /// For each sum, the instruction and angle slot it differentiates.
    targets: Vec<(usize, usize)>,
    sums: Vec<f64>,
    partials: Vec<f64>,
    rows: Vec<f64>,
    /// A second state for applying and un-applying fused permutation runs out of place (empty until the first
    /// run needs it).
    pub(crate) amps: Vec<C>,
}

fn wanted(inst: &Instruction, slot: usize, want_inputs: bool) -> bool {
    match inst.gate().params()[slot].source() {
        Some((ParamKind::Weight, _, _)) => true,
        Some((ParamKind::Input, _, _)) => want_inputs,
        None => false,
    }
}

/// a·b†.
fn mul_adj<const N: usize>(a: &[[C; N]; N], b: &[[C; N]; N]) -> [[C; N]; N] {
    std::array::from_fn(|r| std::array::from_fn(|c| (0..N).map(|k| a[r][k] * b[c][k].conj()).sum()))
}

fn dense2(op: &Op) -> [[C; 4]; 4] {
    let m = op.dense();
    std::array::from_fn(|r| std::array::from_fn(|c| m[r][c]))
}

impl Plan {
    /// The backward sweep of `circuit`'s plan from φ = ψ_N and λ = Aψ_N (both consumed), adding ∂⟨A⟩/∂w and
    /// ∂⟨A⟩/∂x (scaled by each parameter's scale, summed over its uses) into `sinks`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn backward(
        &self,
        circuit: &Circuit,
        phi: &mut Vec<C>,
        lambda: &mut Vec<C>,
        weights: &[f64],
        inputs: &[f64],
        sinks: GradSinks<'_>,
        scratch: &mut BackScratch,
    ) {
        let want_inputs = sinks.inputs.is_some();
        let instructions = circuit.instructions();
        let Some(first) = (if want_inputs { self.first_param } else { self.first_weight }) else { return };
        let mut sinks = sinks;
        for segment in self.segments.iter().rev() {
            let (start, end) = match *segment {
                Segment::Node(i) => (i, i + 1),
                Segment::Blocked(a, b) | Segment::Tiled(a, b, _) | Segment::Affine(a, b, _) => (a, b),
            };
            if end <= first {
                break;
            }
            if let Segment::Affine(_, _, k) = *segment {
                // Permutations have no parameters: un-apply the run from both states.
                self.undo_affine(k, start..end, phi, lambda, &mut scratch.amps);
                continue;
            }
            let start = start.max(first);
            self.prepare_work(circuit, start..end, weights, inputs, want_inputs, scratch);
            let BackScratch { work, steps, quads, targets, sums, partials, rows, .. } = scratch;
            sums.clear();
            sums.resize(targets.len(), 0.0);
            if matches!(segment, Segment::Node(_)) {
                let node = &self.nodes[start];
                let ctx = Ctx { steps, quads, node, parallel: kernels::parallel(phi.len()) };
                ctx.run(&work[0], phi, lambda, sums, partials);
            } else {
                self.blocked_backward(start..end, work, steps, quads, phi, lambda, sums, rows);
            }
            for (&(k, slot), &d) in targets.iter().zip(sums.iter()) {
                match instructions[k].gate().params()[slot].source() {
                    Some((ParamKind::Weight, index, scale)) => sinks.weights[index] += scale * d,
                    Some((ParamKind::Input, index, scale)) => {
                        if let Some(xg) = sinks.inputs.as_deref_mut() {
                            xg[index] += scale * d;
                        }
                    }
                    None => {}
                }
            }
        }
    }

    /// Un-applies the fused permutation run `k` (nodes `range`) from φ and λ: scattered through the inverse map
    /// into `amps`, which trades places with each state; gate by gate in place when `amps` cannot be allocated.
    fn undo_affine(
        &self,
        k: usize,
        range: std::ops::Range<usize>,
        phi: &mut Vec<C>,
        lambda: &mut Vec<C>,
        amps: &mut Vec<C>,
    ) {
        for state in [phi, lambda] {
            if ensure_scratch(amps, state.len()) {
                self.affine[k].backward.apply(state, amps);
                std::mem::swap(state, amps);
            } else {
                for i in range.clone().rev() {
                    let op = self.nodes[i].constant.expect("a permutation node is constant").adjoint();
                    apply_node(state, &self.nodes[i], &op);
                }
            }
        }
    }

    /// Fills `scratch.work` with the work of nodes `range` (in plan order) and `scratch.targets` with what each
    /// sum differentiates.
    fn prepare_work(
        &self,
        circuit: &Circuit,
        range: std::ops::Range<usize>,
        weights: &[f64],
        inputs: &[f64],
        want_inputs: bool,
        scratch: &mut BackScratch,
    ) {
        let instructions = circuit.instructions();
        scratch.work.clear();
        scratch.steps.clear();
        scratch.quads.clear();
        scratch.targets.clear();
        for i in range {
            let node = &self.nodes[i];
            let members = self.members_of(i);
            let any = members
                .iter()
                .any(|&k| (0..instructions[k].gate().params().len()).any(|s| wanted(&instructions[k], s, want_inputs)));
            if !any {
                scratch.work.push(NodeWork::Undo(self.node_op(i, circuit, weights, inputs, None).adjoint()));
                continue;
            }
            let sums_start = scratch.targets.len();
            if node.arity == 1 {
                let steps_start = scratch.steps.len();
                for &k in members.iter().rev() {
                    let inst = &instructions[k];
                    let angles = bound_angles(inst, k, weights, inputs, None);
                    let u = dense1(&inst.gate().lower(angles));
                    for slot in (0..inst.gate().params().len()).filter(|&s| wanted(inst, s, want_inputs)) {
                        let sum = scratch.targets.len() - sums_start;
                        scratch.steps.push(match inst.gate().pauli_derivative(slot) {
                            Some(Pauli::X) => PairStep::DeriveX(sum),
                            Some(Pauli::Y) => PairStep::DeriveY(sum),
                            Some(Pauli::Z) => PairStep::DeriveZ(sum),
                            _ => PairStep::Derive(mul_adj(&dense1(&inst.gate().derivative(angles, slot)), &u), sum),
                        });
                        scratch.targets.push((k, slot));
                    }
                    scratch
                        .steps
                        .push(PairStep::undo([[u[0][0].conj(), u[1][0].conj()], [u[0][1].conj(), u[1][1].conj()]]));
                }
                scratch.work.push(NodeWork::Pairs {
                    steps: (steps_start, scratch.steps.len()),
                    sums: (sums_start, scratch.targets.len()),
                });
            } else {
                // A two-target node holds one instruction.
                let k = members[0];
                let inst = &instructions[k];
                let angles = bound_angles(inst, k, weights, inputs, None);
                let op = inst.gate().lower(angles);
                let quads_start = scratch.quads.len();
                for slot in (0..inst.gate().params().len()).filter(|&s| wanted(inst, s, want_inputs)) {
                    scratch.quads.push(mul_adj(&dense2(&inst.gate().derivative(angles, slot)), &dense2(&op)));
                    scratch.targets.push((k, slot));
                }
                scratch.work.push(NodeWork::Quads {
                    quads: (quads_start, scratch.quads.len()),
                    sums: sums_start,
                    undo: op.adjoint(),
                });
            }
        }
    }

    /// The backward sweep of a blocked run, block by block; each block's sums go to its own row of `rows`, the
    /// rows added in block order.
    #[allow(clippy::too_many_arguments)]
    fn blocked_backward(
        &self,
        range: std::ops::Range<usize>,
        work: &[NodeWork],
        steps: &[PairStep],
        quads: &[[[C; 4]; 4]],
        phi: &mut [C],
        lambda: &mut [C],
        sums: &mut [f64],
        rows: &mut Vec<f64>,
    ) {
        let width = sums.len();
        let size = (1usize << super::plan::BLOCK_QUBITS).min(phi.len());
        let blocks = phi.len() / size;
        rows.clear();
        rows.resize(blocks * width.max(1), 0.0);
        let nodes = &self.nodes[range];
        let (p, l) = (SharedMut(phi.as_mut_ptr()), SharedMut(lambda.as_mut_ptr()));
        let block = |b: usize, row: &mut [f64]| {
            // SAFETY: block b covers amplitudes b·size .. (b + 1)·size of both states, which no other block task
            // touches; the states hold blocks·size amplitudes each.
            let (phi, lambda) = unsafe { (p.slice(b * size, size), l.slice(b * size, size)) };
            let mut none = Vec::new();
            for (node, w) in nodes.iter().zip(work).rev() {
                let ctx = Ctx { steps, quads, node, parallel: false };
                ctx.run(w, phi, lambda, &mut row[..width], &mut none);
            }
        };
        // Each node writes its own sums (prepare_work numbers them per node), so a row is one block's sums.
        #[cfg(feature = "parallel")]
        if kernels::parallel(phi.len()) {
            use rayon::prelude::*;
            rows.par_chunks_mut(width.max(1)).enumerate().for_each(|(b, row)| block(b, row));
        } else {
            rows.chunks_mut(width.max(1)).enumerate().for_each(|(b, row)| block(b, row));
        }
        #[cfg(not(feature = "parallel"))]
        rows.chunks_mut(width.max(1)).enumerate().for_each(|(b, row)| block(b, row));
        for row in rows.chunks(width.max(1)) {
            for (s, v) in sums.iter_mut().zip(row) {
                *s += v;
            }
        }
    }
}

/// One node's backward work on (a block of) φ and λ.
struct Ctx<'a> {
    steps: &'a [PairStep],
    quads: &'a [[[C; 4]; 4]],
    node: &'a super::plan::Node,
    parallel: bool,
}

impl Ctx<'_> {
    /// Runs `work`, writing the node's sums into their places of `sums` (indexed as numbered by
    /// `prepare_work`).
    fn run(&self, work: &NodeWork, phi: &mut [C], lambda: &mut [C], sums: &mut [f64], partials: &mut Vec<f64>) {
        let node = self.node;
        match *work {
            NodeWork::Undo(op) => {
                apply_node(phi, node, &op);
                apply_node(lambda, node, &op);
            }
            NodeWork::Pairs { steps, sums: (a, b) } => {
                let program = &self.steps[steps.0..steps.1];
                let t = 1usize << node.targets[0];
                let sub = Subspace::new(phi.len(), t | node.ctrl, node.ctrl);
                let (p, l) = (SharedMut(phi.as_mut_ptr()), SharedMut(lambda.as_mut_ptr()));
                if node.ctrl == 0 && t <= CHUNK {
                    // Without controls, subspace chunk c is the amplitudes 2c·CHUNK .. 2(c + 1)·CHUNK: walk them as
                    // blocks of 2t (low half, high half), the same pairs in the same order as the runs below,
                    // without index arithmetic per pair.
                    reduce(&sub, self.parallel, &mut sums[a..b], partials, |range, row| {
                        let (start, len) = (2 * range.start, 2 * (range.end - range.start));
                        // SAFETY: distinct chunks are distinct amplitude ranges below the states' common length.
                        let (p, l) = unsafe { (p.slice(start, len), l.slice(start, len)) };
                        if t >= 8 {
                            for (pb, lb) in p.chunks_exact_mut(2 * t).zip(l.chunks_exact_mut(2 * t)) {
                                let ((p0, p1), (l0, l1)) = (pb.split_at_mut(t), lb.split_at_mut(t));
                                pair_program(program, p0, p1, l0, l1, row);
                            }
                        } else {
                            low_target_pairs(program, t, p, l, row);
                        }
                    });
                    return;
                }
                reduce(&sub, self.parallel, &mut sums[a..b], partials, |range, row| {
                    sub.runs(range, |first, len| {
                        // SAFETY: subspace indices of distinct chunks are distinct, and `first + o` (o < len) and
                        // `first + o + t` are the pair of index `first + o` (target bit clear): distinct pairs
                        // never share an amplitude, and all indices are below the states' common length.
                        let (p0, p1, l0, l1) = unsafe {
                            (p.slice(first, len), p.slice(first + t, len), l.slice(first, len), l.slice(first + t, len))
                        };
                        pair_program(program, p0, p1, l0, l1, row);
                    });
                });
            }
            NodeWork::Quads { quads, sums: s, undo } => {
                let (t0, t1) = (1usize << node.targets[0], 1usize << node.targets[1]);
                let sub = Subspace::new(phi.len(), t0 | t1 | node.ctrl, node.ctrl);
                let offsets = [0, t0, t1, t0 | t1];
                for (j, m) in self.quads[quads.0..quads.1].iter().enumerate() {
                    let (phi, lambda) = (&*phi, &*lambda);
                    reduce(&sub, self.parallel, &mut sums[s + j..s + j + 1], partials, |range, row| {
                        sub.runs(range, |first, len| {
                            for o in first..first + len {
                                let a = offsets.map(|k| phi[o + k]);
                                for (r, mrow) in m.iter().enumerate() {
                                    let v = mrow[0] * a[0] + mrow[1] * a[1] + mrow[2] * a[2] + mrow[3] * a[3];
                                    row[0] += 2.0 * (lambda[o + offsets[r]].conj() * v).re;
                                }
                            }
                        });
                    });
                }
                apply_node(phi, node, &undo);
                apply_node(lambda, node, &undo);
            }
        }
    }
}

/// The backward program for a target below 3 (halves of 1, 2 or 4 amplitudes): the pairs of each tile are
/// gathered into four contiguous arrays in their walking order, run step by step there, and written back, so
/// that short halves do not fall back to the pair-by-pair walk. Same pairs, same order, same bits.
fn low_target_pairs(program: &[PairStep], t: usize, p: &mut [C], l: &mut [C], row: &mut [f64]) {
    let mut buf = [[ZERO; TILE]; 4];
    for (pt, lt) in p.chunks_mut(2 * TILE).zip(l.chunks_mut(2 * TILE)) {
        let m = pt.len() / 2;
        let mut j = 0;
        for (pb, lb) in pt.chunks_exact(2 * t).zip(lt.chunks_exact(2 * t)) {
            for o in 0..t {
                (buf[0][j], buf[1][j], buf[2][j], buf[3][j]) = (pb[o], pb[o + t], lb[o], lb[o + t]);
                j += 1;
            }
        }
        let [b0, b1, b2, b3] = &mut buf;
        pair_program(program, &mut b0[..m], &mut b1[..m], &mut b2[..m], &mut b3[..m], row);
        let mut j = 0;
        for (pb, lb) in pt.chunks_exact_mut(2 * t).zip(lt.chunks_exact_mut(2 * t)) {
            for o in 0..t {
                (pb[o], pb[o + t], lb[o], lb[o + t]) = (buf[0][j], buf[1][j], buf[2][j], buf[3][j]);
                j += 1;
            }
        }
    }
}

/// One step of a backward program on one pair of φ (a₀, a₁) and of λ (b₀, b₁).
#[inline(always)]
fn pair_step(step: &PairStep, a: &mut (C, C), b: &mut (C, C), row: &mut [f64]) {
    let ((a0, a1), (b0, b1)) = (*a, *b);
    match *step {
        PairStep::Derive(m, k) => {
            let v0 = m[0][0] * a0 + m[0][1] * a1;
            let v1 = m[1][0] * a0 + m[1][1] * a1;
            row[k] += 2.0 * (b0.conj() * v0 + b1.conj() * v1).re;
        }
        PairStep::DeriveX(k) => row[k] += (b0.conj() * a1 + b1.conj() * a0).im,
        PairStep::DeriveY(k) => row[k] += (b1.conj() * a0 - b0.conj() * a1).re,
        PairStep::DeriveZ(k) => row[k] += (b0.conj() * a0).im - (b1.conj() * a1).im,
        PairStep::Undo(u) => {
            *a = (u[0][0] * a0 + u[0][1] * a1, u[1][0] * a0 + u[1][1] * a1);
            *b = (u[0][0] * b0 + u[0][1] * b1, u[1][0] * b0 + u[1][1] * b1);
        }
        PairStep::UndoDiag(d0, d1) => (*a, *b) = ((d0 * a0, d1 * a1), (d0 * b0, d1 * b1)),
        PairStep::UndoReal([[p, q], [r, t]]) => {
            *a = (a0 * p + a1 * q, a0 * r + a1 * t);
            *b = (b0 * p + b1 * q, b0 * r + b1 * t);
        }
        PairStep::UndoRx([p, q, r, t]) => {
            let rx = |x: C, y: C| {
                (C::new(p * x.re - q * y.im, p * x.im + q * y.re), C::new(t * y.re - r * x.im, t * y.im + r * x.re))
            };
            *a = rx(a0, a1);
            *b = rx(b0, b1);
        }
    }
}

/// Pairs per tile of the step-major walk: the four slices of a tile stay in L1 while every step passes over it.
const TILE: usize = 64;

/// Runs a one-target node's backward program on each pair. Short runs go pair by pair (every step on one pair
/// held in registers); longer runs tile by tile, each step over the whole tile before the next, in a loop
/// without branches per pair, un-applying through the gate kernels (which compute the same products). Each sum
/// receives the same additions in the same order either way (one step writes it, pairs in order), and each
/// pair the same arithmetic, so both walks give the same bits.
#[inline]
fn pair_program(program: &[PairStep], p0: &mut [C], p1: &mut [C], l0: &mut [C], l1: &mut [C], row: &mut [f64]) {
    let n = p0.len();
    if n < 8 {
        for i in 0..n {
            let (mut a, mut b) = ((p0[i], p1[i]), (l0[i], l1[i]));
            for step in program {
                pair_step(step, &mut a, &mut b, row);
            }
            (p0[i], p1[i], l0[i], l1[i]) = (a.0, a.1, b.0, b.1);
        }
        return;
    }
    for start in (0..n).step_by(TILE) {
        let end = (start + TILE).min(n);
        let (p0, p1, l0, l1) = (&mut p0[start..end], &mut p1[start..end], &mut l0[start..end], &mut l1[start..end]);
        for step in program {
            // One loop per kind of step, so that the loop body has no branch.
            macro_rules! each {
                () => {
                    for i in 0..p0.len() {
                        let (mut a, mut b) = ((p0[i], p1[i]), (l0[i], l1[i]));
                        pair_step(step, &mut a, &mut b, row);
                        (p0[i], p1[i], l0[i], l1[i]) = (a.0, a.1, b.0, b.1);
                    }
                };
            }
            // Un-applying a 2x2 goes through the gate kernels' loops (AVX2 where available), which compute the
            // same products as `pair_step`.
            let undo = |p0: &mut [C], p1: &mut [C], l0: &mut [C], l1: &mut [C], m: [[C; 2]; 2]| {
                mat1_slices(p0, p1, m);
                mat1_slices(l0, l1, m);
            };
            match *step {
                PairStep::Derive(..) => each!(),
                PairStep::DeriveX(_) => each!(),
                PairStep::DeriveY(_) => each!(),
                PairStep::DeriveZ(_) => each!(),
                PairStep::Undo(m) => undo(p0, p1, l0, l1, m),
                PairStep::UndoDiag(d0, d1) => {
                    for (s, d) in [(&mut *p0, d0), (&mut *p1, d1), (&mut *l0, d0), (&mut *l1, d1)] {
                        scale_slice(s, d);
                    }
                }
                PairStep::UndoReal([[a, b], [c, d]]) => {
                    let re = |x: f64| C::new(x, 0.0);
                    undo(p0, p1, l0, l1, [[re(a), re(b)], [re(c), re(d)]]);
                }
                PairStep::UndoRx([a, b, c, d]) => {
                    undo(p0, p1, l0, l1, [[C::new(a, 0.0), C::new(0.0, b)], [C::new(0.0, c), C::new(d, 0.0)]]);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pseudo(seed: &mut u64) -> f64 {
        *seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (*seed >> 11) as f64 / (1u64 << 53) as f64 - 0.5
    }

    fn program(seed: &mut u64) -> Vec<PairStep> {
        let mut c = || C::new(pseudo(seed), pseudo(seed));
        let m = [[c(), c()], [c(), c()]];
        let d = (c(), c());
        let mut r = || pseudo(seed);
        let real = [[r(), r()], [r(), r()]];
        let rx = [r(), r(), r(), r()];
        vec![
            PairStep::DeriveZ(0),
            PairStep::UndoDiag(d.0, d.1),
            PairStep::DeriveY(1),
            PairStep::UndoReal(real),
            PairStep::DeriveX(2),
            PairStep::UndoRx(rx),
            PairStep::Derive(m, 3),
            PairStep::Undo(m),
        ]
    }

    /// The reference walk: pair by pair, every step on one pair before the next pair.
    fn reference(program: &[PairStep], pairs: &mut [[C; 4]], row: &mut [f64]) {
        for q in pairs {
            let (mut a, mut b) = ((q[0], q[1]), (q[2], q[3]));
            for step in program {
                pair_step(step, &mut a, &mut b, row);
            }
            *q = [a.0, a.1, b.0, b.1];
        }
    }

    /// The tiled step-major walk and the gathered walk of low targets give the bits of the pair-by-pair walk.
    #[test]
    fn every_walk_gives_the_same_bits() {
        let mut seed = 7;
        let prog = program(&mut seed);
        for t in [1usize, 2, 4, 8, 16] {
            let n = 2 * 2 * TILE + 6 * t.max(1); // several tiles and a ragged end, in whole blocks of 2t
            let n = n - n % (2 * t);
            let p: Vec<C> = (0..n).map(|_| C::new(pseudo(&mut seed), pseudo(&mut seed))).collect();
            let l: Vec<C> = (0..n).map(|_| C::new(pseudo(&mut seed), pseudo(&mut seed))).collect();
            // The pairs in walking order: blocks of 2t, low half against high half.
            let mut pairs: Vec<[C; 4]> = Vec::new();
            for b in (0..n).step_by(2 * t) {
                for o in 0..t {
                    pairs.push([p[b + o], p[b + o + t], l[b + o], l[b + o + t]]);
                }
            }
            let mut want = [0.0; 4];
            reference(&prog, &mut pairs, &mut want);
            let (mut pp, mut ll, mut got) = (p.clone(), l.clone(), [0.0; 4]);
            if t >= 8 {
                for (pb, lb) in pp.chunks_exact_mut(2 * t).zip(ll.chunks_exact_mut(2 * t)) {
                    let ((p0, p1), (l0, l1)) = (pb.split_at_mut(t), lb.split_at_mut(t));
                    pair_program(&prog, p0, p1, l0, l1, &mut got);
                }
            } else {
                low_target_pairs(&prog, t, &mut pp, &mut ll, &mut got);
            }
            assert_eq!(want.map(f64::to_bits), got.map(f64::to_bits), "t = {t}");
            let mut k = 0;
            for b in (0..n).step_by(2 * t) {
                for o in 0..t {
                    let q = [pp[b + o], pp[b + o + t], ll[b + o], ll[b + o + t]];
                    assert!(q
                        .iter()
                        .zip(&pairs[k])
                        .all(|(x, y)| x.re.to_bits() == y.re.to_bits() && x.im.to_bits() == y.im.to_bits()));
                    k += 1;
                }
            }
        }
    }
}
