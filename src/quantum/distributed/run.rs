//! Running a compiled plan on a distributed state: the distribution pass (what each node costs given the
//! layout), the swaps of global qubits into local ones, and the return to the canonical layout.

use num_complex::Complex64 as C;

use super::{comm, fnv1a, DistributedState, FNV_START};
use crate::error::{Error, Result};
use crate::quantum::circuit::{Circuit, Instruction};
use crate::quantum::compiled::CompiledCircuit;
use crate::quantum::engine::{Binding, Node, Plan, Segment};
use crate::quantum::gate::Gate;
use crate::quantum::kernels;
use crate::quantum::op::{Op, ONE};

/// How many upcoming nodes the choice of a local qubit to give up looks at.
const LOOKAHEAD: usize = 4096;

/// Whether a node needs its targets local: everything but diagonal ops and the permutations that relabel.
fn needs_local(node: &Node) -> bool {
    match node.constant {
        Some(Op::Diag1(_) | Op::Diag2(_)) => false,
        Some(Op::Anti1(..)) => node.ctrl != 0,
        Some(Op::Swap2(p)) => p != ONE || node.ctrl != 0,
        _ => true,
    }
}

/// The hash of a circuit with its weights and inputs, compared across ranks before a run.
fn run_hash(circuit: &Circuit, weights: &[f64], inputs: &[f64]) -> u64 {
    let h = fnv1a(format!("{circuit:?}").into_bytes(), FNV_START);
    let h = fnv1a(weights.iter().flat_map(|w| w.to_bits().to_le_bytes()), h);
    fnv1a(inputs.iter().flat_map(|x| x.to_bits().to_le_bytes()), fnv1a(*b"|", h))
}

impl DistributedState {
    /// Runs every instruction of `circuit` in order through the engine's plan (fused as on one machine), with
    /// the distribution pass described at [`DistributedState`]: the amplitudes equal those of
    /// [`StateVector::run`](crate::quantum::StateVector::run), bit for bit.
    ///
    /// # Errors
    /// On every rank: [`Error::RankDisagreement`] when the ranks pass different circuits, weights or inputs;
    /// [`Error::QubitCountMismatch`] when the circuit's register differs from the state's; the errors of
    /// [`Circuit::check_parameters`].
    pub fn run(&mut self, circuit: &Circuit, weights: &[f64], inputs: &[f64]) -> Result<()> {
        self.check_run(circuit, weights, inputs)?;
        self.run_plan(circuit, &Plan::compile(circuit), weights, inputs);
        Ok(())
    }

    /// Runs a compiled circuit: [`run`](Self::run) without compiling again.
    ///
    /// # Errors
    /// As [`run`](Self::run).
    pub fn run_compiled(&mut self, compiled: &CompiledCircuit, weights: &[f64], inputs: &[f64]) -> Result<()> {
        self.check_run(compiled.circuit(), weights, inputs)?;
        self.run_plan(compiled.circuit(), compiled.plan(), weights, inputs);
        Ok(())
    }

    /// Applies one instruction, with weights and inputs for its angles.
    ///
    /// # Errors
    /// As [`run`](Self::run), and [`Error::InvalidQubit`] when the instruction names a qubit beyond the register.
    pub fn apply(&mut self, instruction: &Instruction, weights: &[f64], inputs: &[f64]) -> Result<()> {
        let mut circuit = Circuit::new(self.num_qubits)?;
        circuit.push(instruction.clone())?;
        self.run(&circuit, weights, inputs)
    }

    /// Applies a gate with constant angles to `qubits` (targets only).
    ///
    /// # Errors
    /// As [`apply`](Self::apply), and [`Error::GateArity`] or [`Error::DuplicateQubit`] for a bad placement.
    pub fn apply_gate(&mut self, gate: &Gate, qubits: &[usize]) -> Result<()> {
        self.apply(&Instruction::new(gate.clone(), qubits.to_vec(), Vec::new())?, &[], &[])
    }

    /// The checks before a run, with the same outcome on every rank.
    pub(super) fn check_run(&self, circuit: &Circuit, weights: &[f64], inputs: &[f64]) -> Result<()> {
        comm::agree(&self.comm, "circuit, weights and inputs", run_hash(circuit, weights, inputs))?;
        if circuit.num_qubits() != self.num_qubits {
            return Err(Error::QubitCountMismatch { left: self.num_qubits, right: circuit.num_qubits() });
        }
        circuit.check_unitary("a distributed run")?;
        circuit.check_parameters(weights, inputs)
    }

    /// Applies `plan` (checked): segments whose nodes are all local and in place as on one machine (blocked
    /// and tiled runs on the rank's block), the others node by node through the distribution pass.
    pub(super) fn run_plan(&mut self, circuit: &Circuit, plan: &Plan, weights: &[f64], inputs: &[f64]) {
        let binding = Binding::new(circuit, weights, inputs);
        let mut scratch = Vec::new();
        for &segment in &plan.schedule {
            let nodes = segment.nodes();
            // A fused permutation run maps the whole register's indices: node by node here.
            let whole = !matches!(segment, Segment::Affine(..));
            if whole && plan.nodes[nodes.clone()].iter().all(|node| self.in_place(node)) {
                plan.forward_segment(segment, &binding, &mut self.amps, &mut scratch, &mut []);
                continue;
            }
            let mut i = nodes.start;
            while i < nodes.end {
                // Within a window, a run of nodes in place is still one pass over the block.
                let run = match whole {
                    true => plan.nodes[i..nodes.end].iter().take_while(|node| self.in_place(node)).count(),
                    false => 0,
                };
                if run >= 2 {
                    plan.forward_run(i..i + run, &binding, &mut self.amps, &mut scratch);
                    i += run;
                    continue;
                }
                let op = plan.node_op(i, &binding, &mut []);
                self.apply_node(&plan.nodes[i], &op, plan.nodes[i + 1..].iter());
                i += 1;
            }
        }
    }

    /// Whether every qubit `node` touches is local and at its own bit (the kernels see it as on one machine).
    pub(super) fn in_place(&self, node: &Node) -> bool {
        let (local, physical) = (self.layout.local, &self.layout.physical);
        let at_home = |q: usize| q < local && physical[q] == q;
        node.targets[..node.arity].iter().all(|&t| at_home(t)) && {
            let mut m = node.ctrl;
            let mut ok = true;
            while m != 0 {
                ok &= at_home(m.trailing_zeros() as usize);
                m &= m - 1;
            }
            ok
        }
    }

    /// Applies `op` placed as `node` says (logical qubits), `upcoming` the nodes after it (before it, from the
    /// last back, in a backward sweep); to the adjoint state too during a gradient.
    pub(super) fn apply_node<'a>(&mut self, node: &Node, op: &Op, upcoming: impl Iterator<Item = &'a Node> + Clone) {
        let targets = &node.targets[..node.arity];
        let local = self.layout.local;
        let physical = |q: usize| self.layout.physical[q];
        if targets.iter().any(|&t| physical(t) >= local) {
            let single_control = (node.ctrl.count_ones() == 1).then(|| node.ctrl.trailing_zeros() as usize);
            match *op {
                Op::Diag1(_) | Op::Diag2(_) => return self.diagonal(node, op),
                Op::Anti1(a, b) if node.ctrl == 0 => return self.flip(physical(targets[0]) - local, a, b),
                Op::Anti1(a, b) if a == ONE && b == ONE && single_control.is_some_and(|c| physical(c) >= local) => {
                    let c = physical(single_control.unwrap_or_default()) - local;
                    self.layout.ranks.cnot(c, physical(targets[0]) - local);
                    self.pattern = self.layout.ranks.pattern(self.rank);
                    return;
                }
                Op::Swap2(p)
                    if p == ONE && node.ctrl == 0 && physical(targets[0]) != 0 && physical(targets[1]) != 0 =>
                {
                    return self.layout.swap(targets[0], targets[1]);
                }
                _ => {
                    for &t in targets {
                        if self.layout.physical[t] >= local {
                            self.swap_in(t, targets, upcoming.clone());
                        }
                    }
                }
            }
        }
        let (local_ctrl, global_ctrl) = self.split_controls(node.ctrl);
        if self.pattern & global_ctrl == global_ctrl {
            let placed = [self.layout.physical[node.targets[0]], self.layout.physical[node.targets[1]]];
            for amps in [&mut self.amps, &mut self.lambda].into_iter().filter(|a| !a.is_empty()) {
                kernels::apply_op_controlled(amps, op, &placed[..node.arity], local_ctrl, node.ctrl != 0);
            }
        }
    }

    /// The control mask `ctrl` (logical) as a mask of local physical bits and a mask of global pattern bits.
    pub(super) fn split_controls(&self, ctrl: usize) -> (usize, usize) {
        let (mut local_mask, mut global_mask, mut m) = (0, 0, ctrl);
        while m != 0 {
            let p = self.layout.physical[m.trailing_zeros() as usize];
            if p < self.layout.local {
                local_mask |= 1 << p;
            } else {
                global_mask |= 1 << (p - self.layout.local);
            }
            m &= m - 1;
        }
        (local_mask, global_mask)
    }

    /// A diagonal op with a global target: on each rank a phase on the amplitudes its local controls (and
    /// local target, if any) select, with the factor its global bits pick.
    fn diagonal(&mut self, node: &Node, op: &Op) {
        let (ctrl, global_ctrl) = self.split_controls(node.ctrl);
        if self.pattern & global_ctrl != global_ctrl {
            return;
        }
        let local = self.layout.local;
        // A target's physical bit, and its value on this rank when it is global.
        let place = |t: usize| {
            let p = self.layout.physical[node.targets[t]];
            if p >= local {
                (None, (self.pattern >> (p - local)) & 1)
            } else {
                (Some(p), 0)
            }
        };
        let (p0, p1) = (place(0), place(1));
        for amps in [&mut self.amps, &mut self.lambda].into_iter().filter(|a| !a.is_empty()) {
            match *op {
                Op::Diag1(d) => kernels::apply_phase(amps, ctrl, ctrl, d[p0.1]),
                Op::Diag2(d) => match (p0, p1) {
                    ((None, y0), (None, y1)) => kernels::apply_phase(amps, ctrl, ctrl, d[y0 + 2 * y1]),
                    ((Some(p), _), (None, y1)) => {
                        for b in 0..2 {
                            kernels::apply_phase(amps, ctrl | 1 << p, ctrl | b << p, d[b + 2 * y1]);
                        }
                    }
                    ((None, y0), (Some(p), _)) => {
                        for b in 0..2 {
                            kernels::apply_phase(amps, ctrl | 1 << p, ctrl | b << p, d[y0 + 2 * b]);
                        }
                    }
                    ((Some(_), _), (Some(_), _)) => unreachable!("a diagonal op here has a global target"),
                },
                _ => unreachable!("a diagonal op"),
            }
        }
    }

    /// An uncontrolled [[0, a], [b, 0]] on global pattern bit `bit`: the bit flips in the rank map, and the
    /// amplitudes take the phase of their new value of the bit (the product the one-machine kernel computes).
    fn flip(&mut self, bit: usize, a: C, b: C) {
        self.layout.ranks.flip(bit);
        self.pattern = self.layout.ranks.pattern(self.rank);
        if a == ONE && b == ONE {
            return;
        }
        let f = if (self.pattern >> bit) & 1 == 0 { a } else { b };
        let scale = |chunk: &mut [C]| chunk.iter_mut().for_each(|x| *x = f * *x);
        for amps in [&mut self.amps, &mut self.lambda].into_iter().filter(|a| !a.is_empty()) {
            #[cfg(feature = "parallel")]
            if kernels::parallel(amps.len()) {
                use rayon::prelude::*;
                amps.par_chunks_mut(kernels::CHUNK).for_each(scale);
                continue;
            }
            scale(amps);
        }
    }

    /// Swaps logical qubit `qubit`, now global, with a local qubit that is not qubit 0's bit nor a target of
    /// the current node (`keep`): the one whose next use as a target in `upcoming` comes last.
    pub(super) fn swap_in<'a>(&mut self, qubit: usize, keep: &[usize], upcoming: impl Iterator<Item = &'a Node>) {
        let local = self.layout.local;
        let candidates: Vec<usize> = (1..local).filter(|&p| !keep.contains(&self.layout.logical[p])).collect();
        let mut next_use = vec![usize::MAX; candidates.len()];
        let mut open = candidates.len();
        for (k, node) in upcoming.take(LOOKAHEAD).enumerate() {
            if open <= 1 {
                break;
            }
            if !needs_local(node) {
                continue;
            }
            for &t in &node.targets[..node.arity] {
                let p = self.layout.physical[t];
                if let Some(c) = candidates.iter().position(|&c| c == p) {
                    if next_use[c] == usize::MAX {
                        next_use[c] = k;
                        open -= 1;
                    }
                }
            }
        }
        // The latest next use; among equals (never used again), the highest bit.
        let best =
            (0..candidates.len()).max_by_key(|&c| (next_use[c], candidates[c])).expect("L ≥ 4 leaves a candidate");
        self.swap_with_local(qubit, candidates[best]);
    }

    /// Exchanges logical qubit `qubit` (global) with the qubit at local bit `p`.
    pub(super) fn swap_with_local(&mut self, qubit: usize, p: usize) {
        let global = self.layout.physical[qubit] - self.layout.local;
        self.exchange_half(p, global);
        self.layout.swap(qubit, self.layout.logical[p]);
    }

    /// Moves the amplitudes into the canonical layout (logical qubit q at bit q, rank r holding the basis
    /// indices r·2^L .. (r+1)·2^L), undoing the swaps and relabellings of earlier gates: a half-block exchange
    /// for each local qubit that sits at a global bit, in-place passes for local qubits out of order, and one
    /// move of whole blocks when the ranks were relabelled. Nothing moves when the layout is canonical.
    pub fn canonicalize(&mut self) {
        let local = self.layout.local;
        let n = self.num_qubits;
        // Local qubits at global bits trade places with global qubits at local bits.
        for j in local..n {
            let q = self.layout.logical[j];
            if q < local {
                let p =
                    (1..local).find(|&p| self.layout.logical[p] >= local).expect("a global qubit sits at a local bit");
                // q moves to local bit p, the global qubit there to global bit j.
                self.swap_with_local(q, p);
            }
        }
        // Local qubits in order, by in-place swaps of bits (copies only).
        for p in 1..local {
            let q = self.layout.logical[p];
            if q != p {
                let at = self.layout.physical[p];
                for amps in [&mut self.amps, &mut self.lambda].into_iter().filter(|a| !a.is_empty()) {
                    kernels::apply_op(amps, &Op::Swap2(ONE), &[p, at], 0);
                }
                self.layout.swap(q, p);
            }
        }
        // Global qubits in order: a relabelling of patterns, then blocks to the ranks their patterns name.
        let to: Vec<usize> = (local..n).map(|j| self.layout.logical[j] - local).collect();
        self.layout.ranks.permute(&to);
        for q in local..n {
            self.layout.physical[q] = q;
            self.layout.logical[q] = q;
        }
        self.pattern = self.layout.ranks.pattern(self.rank);
        self.move_blocks();
        debug_assert!(self.layout.is_canonical());
    }
}
