//! The adjoint gradient on a distributed state: φ and the adjoint state λ held in the same layout, swept back
//! through the compiled plan with the engine's per-node correlations and derivatives, each rank's partial sums
//! added in rank order at the end.

use num_complex::Complex64 as C;

use super::{comm, fnv1a, DistributedState, FNV_START};
use crate::error::{Error, NonFiniteKind, Result};
use crate::quantum::circuit::Circuit;
use crate::quantum::engine::{node_back, BackScratch, Binding, Gradients, Node, NodeWork, Plan, Segment};
use crate::quantum::kernels;
use crate::quantum::observable::{Observable, Pauli, PauliString};
use crate::quantum::op::Op;
use crate::quantum::terms::PauliTerms;

/// An expectation value ⟨ψ|O|ψ⟩ and its gradient ∂⟨O⟩/∂w, ∂⟨O⟩/∂x, the same bits on every rank
/// ([`DistributedState::gradient`]).
///
/// # Example
/// ```
/// use qnet::quantum::DistributedGradient;
///
/// let g = DistributedGradient { value: 1.0, weights: vec![0.0], inputs: vec![] };
/// assert_eq!(g.weights.len(), 1);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct DistributedGradient {
    /// ⟨ψ(w, x)|O|ψ(w, x)⟩.
    pub value: f64,
    /// ∂⟨O⟩/∂w_j, one entry per weight.
    pub weights: Vec<f64>,
    /// ∂⟨O⟩/∂x_j, one entry per input.
    pub inputs: Vec<f64>,
}

/// Where a backward sweep starts: λ = Σ_i g_i O_i ψ, or λ_k = g_k ψ_k for the probabilities' upstream g.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Cotangent<'a> {
    /// Observables O_i with upstream weights g_i.
    Observables {
        /// The O_i.
        observables: &'a [Observable],
        /// The g_i.
        upstream: &'a [f64],
    },
    /// The upstream gradient of the 2^n basis probabilities.
    Probabilities(&'a [f64]),
}

/// The qubits a Pauli string flips (X or Y), qubit 0 left out (it stays at local bit 0).
fn flipped(term: &PauliString) -> impl Iterator<Item = usize> + '_ {
    term.ops().iter().filter(|&&(q, p)| p != Pauli::Z && q != 0).map(|&(q, _)| q)
}

impl DistributedState {
    /// ⟨ψ|O|ψ⟩ and its gradient with respect to the weights and inputs of `circuit`, run on the state's current
    /// amplitudes ψ₀ (ψ = U(w, x)ψ₀), by the adjoint method on the distributed state: the same value and
    /// derivatives as [`QuantumFunction::jacobian`](crate::grad::QuantumFunction::jacobian) with
    /// [`DiffMethod::Adjoint`](crate::grad::DiffMethod::Adjoint) within rounding (1e-12), the same bits on
    /// every rank.
    ///
    /// The circuit runs forward as in [`run`](Self::run). λ = Oψ is then built on each rank from its block:
    /// Z factors on global qubits are signs; X and Y factors on global qubits are first swapped into local
    /// qubits (half the block, 16·2^(L−1) bytes, with one partner per such qubit: of φ alone while λ is still
    /// zero, of both when the terms need more local qubits than there are). The backward sweep then goes
    /// through the same plan from the last node: runs of nodes in place on every rank with the one-machine
    /// blocked and tiled sweeps on the block, other nodes one at a time with the engine's correlation and
    /// un-application on the node's local bits; a node on a global qubit swaps it in for φ and λ alike (twice
    /// 16·2^(L−1) bytes), diagonal gates, global controls and relabelled permutations without derivatives move
    /// nothing. Each rank's partial derivatives are added in rank order at the end, in one reduction.
    ///
    /// Afterwards the state holds the circuit un-applied back to its first parametrised node (ψ₀ when that is
    /// the first node): [`reset`](Self::reset) or run again before reading it. λ is allocated for the sweep and
    /// freed after it.
    ///
    /// # Errors
    /// On every rank, before any amplitude moves: the errors of [`run`](Self::run) and of
    /// [`expectation`](Self::expectation) (ranks passing different observables, a term beyond the register or
    /// with more X and Y factors than local qubits). After the forward run: [`Error::RankOutOfMemory`] when a
    /// rank cannot allocate λ.
    ///
    /// # Example
    ///
    /// Under `mpirun -np 2` (or as one process, as here), the gradient of ⟨X_5⟩ after RY(w) on qubit 5, which
    /// is global on 2 ranks or more: d sin(w)/dw = cos w.
    ///
    /// ```
    /// use qnet::prelude::*;
    /// use qnet::quantum::DistributedState;
    ///
    /// # fn main() -> qnet::Result<()> {
    /// let universe = mpi::initialize().expect("MPI initializes once");
    /// let world = universe.world();
    /// let mut circuit = Circuit::new(6)?;
    /// circuit.ry(5, Param::weight(0))?.cnot(5, 0)?;
    /// let observable = Observable::from(PauliString::parse("XIIIIX")?);
    /// let mut state = DistributedState::new(6, &world)?;
    /// let g = state.gradient(&circuit, &observable, &[0.4], &[])?;
    /// assert!((g.value - 0.4f64.sin()).abs() < 1e-12);
    /// assert!((g.weights[0] - 0.4f64.cos()).abs() < 1e-12);
    /// # Ok(())
    /// # }
    /// ```
    pub fn gradient(
        &mut self,
        circuit: &Circuit,
        observable: &Observable,
        weights: &[f64],
        inputs: &[f64],
    ) -> Result<DistributedGradient> {
        self.check_run(circuit, weights, inputs)?;
        let observables = std::slice::from_ref(observable);
        let cotangent = Cotangent::Observables { observables, upstream: &[1.0] };
        self.check_cotangent(cotangent)?;
        let plan = Plan::compile(circuit);
        self.run_plan(circuit, &plan, weights, inputs);
        self.adjoint(circuit, &plan, cotangent, weights, inputs)
    }

    /// Runs `plan`, compiled from `circuit`, from |0…0⟩, after the checks of [`run`](Self::run).
    pub(crate) fn run_from_zero(
        &mut self,
        circuit: &Circuit,
        plan: &Plan,
        weights: &[f64],
        inputs: &[f64],
    ) -> Result<()> {
        self.check_run(circuit, weights, inputs)?;
        self.reset();
        self.run_plan(circuit, plan, weights, inputs);
        Ok(())
    }

    /// The checks of a cotangent, with the same outcome on every rank: the ranks agree on it, the observables
    /// fit the register and their terms' X and Y factors fit the local qubits, the upstream gradient has the
    /// right length.
    pub(crate) fn check_cotangent(&self, cotangent: Cotangent<'_>) -> Result<()> {
        let (what, hash, expected, found) = match cotangent {
            Cotangent::Observables { observables, upstream } => {
                let h = fnv1a(format!("{observables:?}").into_bytes(), FNV_START);
                let h = fnv1a(upstream.iter().flat_map(|g| g.to_bits().to_le_bytes()), h);
                (("observables and upstream gradient"), h, observables.len(), upstream.len())
            }
            Cotangent::Probabilities(upstream) => {
                let h = fnv1a(upstream.iter().flat_map(|g| g.to_bits().to_le_bytes()), FNV_START);
                ("upstream gradient", h, 1 << self.num_qubits, upstream.len())
            }
        };
        comm::agree(&self.comm, what, hash)?;
        if expected != found {
            return Err(Error::DimensionMismatch { what: "upstream gradient", expected, found });
        }
        let upstream = match cotangent {
            Cotangent::Observables { upstream, .. } | Cotangent::Probabilities(upstream) => upstream,
        };
        if let Some(index) = upstream.iter().position(|g| !g.is_finite()) {
            let kind = NonFiniteKind::Entry { what: "upstream gradient", index };
            return Err(Error::NonFinite { kind, value: upstream[index] });
        }
        if let Cotangent::Observables { observables, .. } = cotangent {
            let local = self.layout.local;
            for o in observables {
                o.check_fits(self.num_qubits)?;
                for term in o.terms() {
                    let moving = flipped(term).count();
                    if moving >= local {
                        return Err(Error::TooFewLocalQubits {
                            num_qubits: self.num_qubits,
                            ranks: self.num_ranks,
                            local,
                            needed: moving + 1,
                        });
                    }
                }
            }
        }
        Ok(())
    }

    /// The adjoint sweep from the state the forward pass of `plan` left (ψ), for a checked `cotangent`: the
    /// value Re⟨ψ|λ⟩ and the derivatives, reduced over ranks.
    pub(crate) fn adjoint(
        &mut self,
        circuit: &Circuit,
        plan: &Plan,
        cotangent: Cotangent<'_>,
        weights: &[f64],
        inputs: &[f64],
    ) -> Result<DistributedGradient> {
        let local = self.layout.local;
        let lambda = kernels::zeroed_amplitudes(1 << local);
        comm::all_ok(&self.comm, lambda.is_some()).map_err(|rank| Error::RankOutOfMemory {
            rank,
            num_qubits: local,
            bytes: 16u128 << local,
        })?;
        let result = self.sweep(circuit, plan, cotangent, lambda.expect("every rank allocated"), weights, inputs);
        self.lambda = Vec::new();
        result
    }

    /// [`adjoint`](Self::adjoint) with λ allocated (zeroed): λ built, then the plan swept back segment by
    /// segment.
    fn sweep(
        &mut self,
        circuit: &Circuit,
        plan: &Plan,
        cotangent: Cotangent<'_>,
        lambda: Vec<C>,
        weights: &[f64],
        inputs: &[f64],
    ) -> Result<DistributedGradient> {
        self.build_lambda(plan, cotangent, lambda)?;
        // This rank's share of Re⟨ψ|λ⟩, then of every derivative; one reduction at the end.
        let mut partial = vec![0.0; 1 + weights.len() + inputs.len()];
        partial[0] = self.amps.iter().zip(&self.lambda).map(|(a, l)| (a.conj() * l).re).sum();
        let (wg, xg) = partial[1..].split_at_mut(weights.len());
        let mut sinks = Gradients { weights: wg, inputs: Some(xg) };
        let binding = Binding::new(circuit, weights, inputs);
        let mut scratch = BackScratch::default();
        let first = plan.first_param.unwrap_or(usize::MAX);
        for segment in plan.segments.iter().rev() {
            let std::ops::Range { start, end } = segment.nodes();
            if end <= first {
                break;
            }
            let range = start.max(first)..end;
            // A fused permutation run maps the whole register's indices: node by node here, as forward.
            let whole = !matches!(segment, Segment::Affine(..));
            if whole && plan.nodes[range.clone()].iter().all(|node| self.in_place(node)) {
                let (phi, lambda) = (&mut self.amps[..], &mut self.lambda[..]);
                plan.backward_segment(*segment, range, &binding, phi, lambda, &[], &mut sinks, &mut scratch);
                continue;
            }
            plan.backward_nodes(range, &binding, &mut sinks, &mut scratch, |i, w, row, partials| {
                self.node_backward(plan, i, w, row, partials);
            });
        }
        let total = comm::sum_in_rank_order(&self.comm, &partial);
        Ok(DistributedGradient {
            value: total[0],
            weights: total[1..1 + weights.len()].to_vec(),
            inputs: total[1 + weights.len()..].to_vec(),
        })
    }

    /// Node `i` of the sweep: its correlation into `row` when it has derivatives (its targets swapped into
    /// local qubits for φ and λ alike first), then its un-application from both states.
    fn node_backward(&mut self, plan: &Plan, i: usize, w: &NodeWork, row: &mut [f64], partials: &mut Vec<f64>) {
        let node = &plan.nodes[i];
        let upcoming = plan.nodes[..i].iter().rev();
        if !w.correlates() {
            return self.apply_node(node, &w.undo, upcoming);
        }
        let local = self.layout.local;
        let targets = &node.targets[..node.arity];
        let global_target = targets.iter().any(|&t| self.layout.physical[t] >= local);
        if global_target && w.diagonal && matches!(w.undo, Op::Diag1(_) | Op::Diag2(_)) {
            // A diagonal node with diagonal derivatives reads only R_kk, which each rank has for the target
            // bits its pattern fixes: no amplitude moves.
            self.diagonal_correlation(node, w, row);
            return self.apply_node(node, &w.undo, upcoming);
        }
        for &t in targets {
            if self.layout.physical[t] >= local {
                self.swap_in(t, targets, upcoming.clone());
            }
        }
        let (local_ctrl, global_ctrl) = self.split_controls(node.ctrl);
        if self.pattern & global_ctrl != global_ctrl {
            // A global control reads 0 on this rank: the node is the identity here, and adds nothing.
            return;
        }
        let physical = &self.layout.physical;
        let mut placed = *node;
        placed.targets = [physical[node.targets[0]], physical[node.targets[1]]];
        placed.ctrl = local_ctrl;
        let parallel = kernels::parallel(self.amps.len());
        node_back(&placed, w, &mut self.amps, &mut self.lambda, row, partials, parallel);
    }

    /// This rank's share of the correlations R_kk = Σ conj(λ_k) φ_k of a node with a global target, k the
    /// targets' bits (target 0 the lowest), over the amplitudes its controls select, added into `row`.
    fn diagonal_correlation(&self, node: &Node, w: &NodeWork, row: &mut [f64]) {
        let (ctrl, global_ctrl) = self.split_controls(node.ctrl);
        if self.pattern & global_ctrl != global_ctrl {
            return;
        }
        let local = self.layout.local;
        // The bits of k this rank's pattern fixes, and the local bits the others come from.
        let (mut fixed, mut from_local) = (0, Vec::with_capacity(2));
        for (m, &t) in node.targets[..node.arity].iter().enumerate() {
            let p = self.layout.physical[t];
            if p < local {
                from_local.push((p, m));
            } else {
                fixed |= ((self.pattern >> (p - local)) & 1) << m;
            }
        }
        let mut acc = [C::new(0.0, 0.0); 4];
        for (i, (a, l)) in self.amps.iter().zip(&self.lambda).enumerate() {
            if i & ctrl == ctrl {
                let k = from_local.iter().fold(fixed, |k, &(p, m)| k | ((i >> p) & 1) << m);
                acc[k] += l.conj() * a;
            }
        }
        for (k, acc) in acc.iter().enumerate().take(1 << node.arity) {
            let e = w.diagonal_entry(node.arity, k);
            row[e] += acc.re;
            row[e + 1] += acc.im;
        }
    }

    /// λ from φ (the state) for `cotangent`, in φ's layout, into `self.lambda` (given zeroed).
    fn build_lambda(&mut self, plan: &Plan, cotangent: Cotangent<'_>, mut lambda: Vec<C>) -> Result<()> {
        let observables = match cotangent {
            Cotangent::Probabilities(upstream) => {
                for (i, (l, a)) in lambda.iter_mut().zip(&self.amps).enumerate() {
                    *l = a * upstream[self.layout.logical_index(self.pattern, i)];
                }
                self.lambda = lambda;
                return Ok(());
            }
            Cotangent::Observables { observables, upstream } => (observables, upstream),
        };
        let terms: Vec<(f64, &PauliString)> = observables
            .0
            .iter()
            .zip(observables.1)
            .flat_map(|(o, &g)| o.terms().iter().map(move |t| (g * t.coeff(), t)))
            .collect();
        // Groups of consecutive terms whose flipped qubits fit the local bits 1..L together.
        let local = self.layout.local;
        let mut coeffs = Vec::new();
        // λ joins the swaps once it holds a group's terms: before that, only φ moves.
        let mut zero = Some(lambda);
        let mut start = 0;
        while start < terms.len() {
            let mut keep: Vec<usize> = Vec::new();
            let mut end = start;
            while end < terms.len() {
                let extra: Vec<usize> = flipped(terms[end].1).filter(|q| !keep.contains(q)).collect();
                if keep.len() + extra.len() >= local {
                    break;
                }
                keep.extend(extra);
                end += 1;
            }
            for &q in &keep {
                if self.layout.physical[q] >= local {
                    self.swap_in(q, &keep, plan.nodes.iter().rev());
                }
            }
            if let Some(zero) = zero.take() {
                self.lambda = zero;
            }
            let placed = self.placed(&terms[start..end])?;
            let compiled = PauliTerms::new(std::slice::from_ref(&placed), local)?;
            compiled.add_weighted(&self.amps, &[1.0], &mut self.lambda, &mut coeffs);
            start = end;
        }
        if let Some(zero) = zero {
            self.lambda = zero;
        }
        Ok(())
    }

    /// Weighted terms as one observable on this rank's block: factors at their local bits, Z factors on global
    /// qubits as the sign of this rank's bit (the X and Y factors are local).
    fn placed(&self, terms: &[(f64, &PauliString)]) -> Result<Observable> {
        let mut placed = Observable::new();
        for &(coeff, term) in terms {
            placed.push(self.local_term(coeff, term)?);
        }
        Ok(placed)
    }
}
