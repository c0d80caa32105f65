//! The adjoint method's backward sweep over a plan: from φ = ψ_N and λ = Aψ_N, each node is un-applied from
//! both states while ∂⟨A⟩/∂θ = 2·Re⟨λ|(∂U/∂θ)U†|φ⟩ is read for each angle that needs it (φ the state just after
//! the gate). A fused node of one-qubit gates is swept in one pass over φ and λ: per amplitude pair, its gates
//! are un-applied one by one from the last, each derivative read on the way.

use num_complex::Complex64 as C;

use super::affine::ensure_scratch;
use super::forward::apply_node;
use super::pairs::{low_target_pairs, pair_program, PairStep};
use super::plan::{bound_angles, Plan, Segment};
use crate::error::ParamKind;
use crate::quantum::circuit::{Circuit, Instruction};
use crate::quantum::kernels;
use crate::quantum::kernels::{reduce, SharedMut, Subspace, CHUNK};
use crate::quantum::op::Op;
use crate::quantum::Pauli;

/// Where the backward sweep adds its gradients: ∂/∂w always, ∂/∂x when `inputs` is given (without it the
/// sweep stops at the first gate that reads a weight).
#[derive(Debug)]
pub(crate) struct GradSinks<'a> {
    pub(crate) weights: &'a mut [f64],
    pub(crate) inputs: Option<&'a mut [f64]>,
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
                    let u = inst.gate().lower(angles).matrix1();
                    for slot in (0..inst.gate().params().len()).filter(|&s| wanted(inst, s, want_inputs)) {
                        let sum = scratch.targets.len() - sums_start;
                        scratch.steps.push(match inst.gate().pauli_derivative(slot) {
                            Some(Pauli::X) => PairStep::DeriveX(sum),
                            Some(Pauli::Y) => PairStep::DeriveY(sum),
                            Some(Pauli::Z) => PairStep::DeriveZ(sum),
                            _ => PairStep::Derive(mul_adj(&inst.gate().derivative(angles, slot).matrix1(), &u), sum),
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
                    scratch.quads.push(mul_adj(&inst.gate().derivative(angles, slot).matrix2(), &op.matrix2()));
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
