//! Exact gradients of a noisy expectation Tr(O ρ) with respect to the weights and inputs of a circuit's gates
//! and the parameters of its noise model's channels, by the adjoint method on the density state: Λ = O swept
//! backwards through the adjoint of each step (Λ ← E†(Λ)), each parametrised gate contributing
//! 2 Re Tr(Λ (∂U ρ U†)) and each channel Tr(Λ ∂E(ρ)).

use num_complex::Complex64 as C;

use nalgebra::DMatrix;

use super::channel::{mul4, superoperator, Channel};
use super::doubled::unitary_superoperator;
use super::noise::NoiseModel;
use super::sequence::{Event, Sequence};
use super::state::DensityState;
use super::superop;
use crate::error::{Error, ParamKind, Result};
use crate::quantum::kernels::{self, Subspace};
use crate::quantum::op::{Op, ZERO};
use crate::quantum::{Circuit, Observable};

/// A noisy expectation value and its gradient.
#[derive(Debug, Clone, PartialEq)]
pub struct NoisyGradient {
    /// Tr(O ρ) at the given weights and inputs.
    pub value: f64,
    /// ∂Tr(Oρ)/∂w_i, one entry per weight the circuit reads ([`Circuit::num_weights`]) in its gates' angles
    /// and its channels' strengths.
    pub weights: Vec<f64>,
    /// ∂Tr(Oρ)/∂x_i, one entry per input ([`Circuit::num_inputs`]), in angles and strengths alike.
    pub inputs: Vec<f64>,
    /// For each rule of the noise model, in the order the rules were added, the derivative with respect to
    /// each parameter of its channel ([`Channel::parameters`](super::Channel::parameters)'s order), summed over every place the rule puts
    /// the channel: exact, from the derivative of the superoperator (PennyLane falls back to finite differences
    /// for damping channels).
    pub noise: Vec<Vec<f64>>,
}

/// Where a factor of a local step comes from, for its derivatives.
enum Source {
    /// Instruction `k` of the circuit (an uncontrolled one-qubit gate).
    Gate(usize),
    /// Channel `id` of the run's [`Sequence`].
    Channel(usize),
}

/// One gate's or channel's 4x4 superoperator on (q, q + n), in the index r + 2c of ρ\[r\]\[c\].
struct Factor {
    m: [[C; 4]; 4],
    source: Source,
}

/// One step of the noisy run, in order.
enum Step {
    /// The one-qubit gates and channels on qubit `q` between two steps that touch it, applied as their
    /// `product` in one pass; their derivatives all come from one correlation matrix of the step.
    Local { q: usize, factors: Vec<Factor>, product: Box<[[C; 4]; 4]> },
    /// Instruction `k` of the circuit (on several qubits, or controlled): U on the ket qubits, U* on the bra
    /// qubits.
    Gate(usize),
    /// Channel `id` of the run's [`Sequence`] on two qubits, with its 16x16 superoperator.
    Channel2 { id: usize, qubits: [usize; 2], s: DMatrix<C> },
}

/// The 4x4 identity.
fn identity4() -> [[C; 4]; 4] {
    std::array::from_fn(|r| std::array::from_fn(|c| if r == c { C::new(1.0, 0.0) } else { ZERO }))
}

/// The conjugate transpose of a 4x4 matrix.
fn adjoint4(m: &[[C; 4]; 4]) -> [[C; 4]; 4] {
    std::array::from_fn(|r| std::array::from_fn(|c| m[c][r].conj()))
}

/// A superoperator as a 4x4 array.
fn array4(s: &DMatrix<C>) -> [[C; 4]; 4] {
    std::array::from_fn(|r| std::array::from_fn(|c| s[(r, c)]))
}

/// The steps of a noisy run: uncontrolled one-qubit gates and one-qubit channels gathered per qubit into local
/// steps (closed when a step on several qubits touches the qubit), the other gates and two-qubit channels on
/// their own.
fn steps(circuit: &Circuit, run: &Sequence, weights: &[f64], inputs: &[f64]) -> Vec<Step> {
    let n = circuit.num_qubits();
    let mut out = Vec::new();
    let mut pending: Vec<Vec<Factor>> = (0..n).map(|_| Vec::new()).collect();
    let flush = |out: &mut Vec<Step>, pending: &mut [Vec<Factor>], q: usize| {
        if !pending[q].is_empty() {
            let factors = std::mem::take(&mut pending[q]);
            let product = factors.iter().fold(identity4(), |p, f| mul4(&f.m, &p));
            out.push(Step::Local { q, factors, product: Box::new(product) });
        }
    };
    for event in &run.events {
        match *event {
            Event::Gate(k) => {
                let inst = &circuit.instructions()[k];
                if let ([q], 0) = (inst.op_targets(), inst.control_mask()) {
                    let u = inst.gate().lower(inst.angles(weights, inputs)).matrix1();
                    pending[*q].push(Factor { m: unitary_superoperator(&u), source: Source::Gate(k) });
                } else {
                    inst.qubits().for_each(|q| flush(&mut out, &mut pending, q));
                    out.push(Step::Gate(k));
                }
            }
            Event::Channel { id, ref qubits } => {
                let s = superoperator(&run.channels[id].kraus_operators());
                if let [q] = qubits[..] {
                    pending[q].push(Factor { m: array4(&s), source: Source::Channel(id) });
                } else {
                    qubits.iter().for_each(|&q| flush(&mut out, &mut pending, q));
                    out.push(Step::Channel2 { id, qubits: [qubits[0], qubits[1]], s });
                }
            }
        }
    }
    (0..n).for_each(|q| flush(&mut out, &mut pending, q));
    out
}

/// The conjugate of an op, entry by entry, in the same form.
fn conj_op(op: &Op) -> Op {
    match *op {
        Op::Diag1(d) => Op::Diag1(d.map(|x| x.conj())),
        Op::Anti1(a, b) => Op::Anti1(a.conj(), b.conj()),
        Op::Mat1(m) => Op::Mat1(m.map(|r| r.map(|x| x.conj()))),
        Op::Diag2(d) => Op::Diag2(d.map(|x| x.conj())),
        Op::Swap2(p) => Op::Swap2(p.conj()),
        Op::Mat2(m) => Op::Mat2(m.map(|r| r.map(|x| x.conj()))),
    }
}

/// A copy of `v`, or [`Error::TooManyQubits`] when it cannot be allocated.
fn try_clone(v: &[C], num_qubits: usize) -> Result<Vec<C>> {
    let mut out = Vec::new();
    out.try_reserve_exact(v.len()).map_err(|_| Error::TooManyQubits { num_qubits, bytes: 16 * v.len() as u128 })?;
    out.extend_from_slice(v);
    Ok(out)
}

struct Run<'a> {
    circuit: &'a Circuit,
    weights: &'a [f64],
    inputs: &'a [f64],
    n: usize,
    /// ∂S/∂θ for each parameter of each of the run's channels (the noise model's rules first), made once.
    derivatives: Vec<Vec<DMatrix<C>>>,
    num_rules: usize,
}

impl Run<'_> {
    /// Applies step `step` to `v`, or its adjoint.
    fn apply(&self, v: &mut [C], step: &Step, adjoint: bool) {
        let n = self.n;
        match step {
            Step::Local { q, product, .. } => {
                let m = if adjoint { adjoint4(product) } else { **product };
                kernels::apply_op(v, &superop::op4(&m), &[*q, q + n], 0);
            }
            Step::Gate(k) => {
                let inst = &self.circuit.instructions()[*k];
                let op = inst.gate().lower(inst.angles(self.weights, self.inputs));
                let (op, conj) = if adjoint { (op.adjoint(), conj_op(&op).adjoint()) } else { (op, conj_op(&op)) };
                let targets = inst.op_targets();
                let bra: Vec<usize> = targets.iter().map(|q| q + n).collect();
                kernels::apply_op(v, &op, targets, inst.control_mask());
                kernels::apply_op(v, &conj, &bra, inst.control_mask() << n);
            }
            Step::Channel2 { qubits: [a, b], s, .. } => {
                let s = if adjoint { s.adjoint() } else { s.clone() };
                superop::apply16(v, n, &s, *a, *b);
            }
        }
    }

    /// Adds `value` = ∂f/∂θ for parameter `slot` of channel `id` to the gradient: to the noise model's rule, or
    /// (a circuit's channel whose strength is scale · w or x) to the weight or input it reads.
    fn add_channel_derivative(&self, grads: &mut NoisyGradient, id: usize, slot: usize, value: f64) {
        match id.checked_sub(self.num_rules) {
            None => grads.noise[id][slot] += value,
            Some(j) => match self.circuit.channels()[j].params()[slot].source() {
                Some((ParamKind::Weight, index, scale)) => grads.weights[index] += scale * value,
                Some((ParamKind::Input, index, scale)) => grads.inputs[index] += scale * value,
                None => {}
            },
        }
    }

    /// The derivatives of a local step's factors, from its correlation matrix `g` (G\[r\]\[c\] = Σ conj(Λ_r)
    /// ρ_c over the groups of (q, q + n), Λ after the step and ρ before it): factor j contributes
    /// Σ_rc (A ∂F_j B)\[r\]\[c\] G\[r\]\[c\], A the factors after it and B those before.
    fn local_derivatives(&self, factors: &[Factor], g: &[[C; 4]; 4], grads: &mut NoisyGradient) {
        let contract = |d: &[[C; 4]; 4], after: &[[C; 4]; 4], before: &[[C; 4]; 4]| -> f64 {
            let m = mul4(after, &mul4(d, before));
            (0..16).map(|k| m[k / 4][k % 4] * g[k / 4][k % 4]).sum::<C>().re
        };
        // after[j] = F_{m−1} ⋯ F_{j+1}.
        let mut after = vec![identity4(); factors.len()];
        for j in (0..factors.len().saturating_sub(1)).rev() {
            after[j] = mul4(&after[j + 1], &factors[j + 1].m);
        }
        let mut before = identity4();
        for (factor, after) in factors.iter().zip(&after) {
            match factor.source {
                Source::Gate(k) => {
                    let inst = &self.circuit.instructions()[k];
                    let gate = inst.gate();
                    let angles = inst.angles(self.weights, self.inputs);
                    let u = gate.lower(angles).matrix1();
                    for (slot, p) in gate.params().iter().enumerate() {
                        let Some((kind, index, scale)) = p.source() else { continue };
                        // ∂(U ⊗ U*) = ∂U ⊗ U* + U ⊗ ∂U*.
                        let du = gate.derivative(angles, slot).matrix1();
                        let d = std::array::from_fn(|r| {
                            std::array::from_fn(|c| {
                                du[r & 1][c & 1] * u[r >> 1][c >> 1].conj()
                                    + u[r & 1][c & 1] * du[r >> 1][c >> 1].conj()
                            })
                        });
                        let value = contract(&d, after, &before) * scale;
                        match kind {
                            ParamKind::Weight => grads.weights[index] += value,
                            ParamKind::Input => grads.inputs[index] += value,
                        }
                    }
                }
                Source::Channel(id) => {
                    for (slot, d) in self.derivatives[id].iter().enumerate() {
                        let value = contract(&array4(d), after, &before);
                        self.add_channel_derivative(grads, id, slot, value);
                    }
                }
            }
            before = mul4(&factor.m, &before);
        }
    }

    /// Whether a local step has a factor with a derivative to take.
    fn has_derivatives(&self, factors: &[Factor]) -> bool {
        factors.iter().any(|f| match f.source {
            Source::Gate(k) => self.circuit.instructions()[k].gate().params().iter().any(|p| !p.is_const()),
            Source::Channel(id) => !self.derivatives[id].is_empty(),
        })
    }
}

/// A 4x4 correlation matrix, summed over chunks in order.
#[derive(Clone, Copy)]
struct Correlation([[C; 4]; 4]);

impl std::iter::Sum for Correlation {
    fn sum<I: Iterator<Item = Correlation>>(iter: I) -> Correlation {
        iter.fold(Correlation([[ZERO; 4]; 4]), |a, b| {
            Correlation(std::array::from_fn(|r| std::array::from_fn(|c| a.0[r][c] + b.0[r][c])))
        })
    }
}

/// G\[r\]\[c\] = Σ_g conj(a\[g + o_r\]) b\[g + o_c\] over the groups of qubits (q, q + n), o_r the offset of
/// local index r = ket bit + 2·bra bit; partial sums over fixed chunks, added in order.
fn correlation(a: &[C], b: &[C], q: usize, n: usize) -> [[C; 4]; 4] {
    let offsets: [usize; 4] = std::array::from_fn(|r| ((r & 1) << q) | ((r >> 1) << (q + n)));
    let groups = Subspace::new(a.len(), (1 << q) | (1 << (q + n)), 0);
    kernels::chunked_sum(groups.len, |range| {
        let mut acc = [[ZERO; 4]; 4];
        for g in range {
            let base = groups.index(g);
            let x: [C; 4] = std::array::from_fn(|c| b[base + offsets[c]]);
            for (row, &o) in acc.iter_mut().zip(&offsets) {
                let l = a[base + o].conj();
                row.iter_mut().zip(&x).for_each(|(acc, x)| *acc += l * x);
            }
        }
        Correlation(acc)
    })
    .0
}

impl DensityState {
    /// Tr(O ρ) for ρ this state run through `circuit` under `noise`, with its exact gradient with respect to
    /// every weight and input the circuit's gates read, by the adjoint method: Λ = O is swept backwards
    /// through the adjoint of each gate and channel (Λ ← E†(Λ)), and a gate U(θ) contributes
    /// 2 Re Tr(Λ ∂U ρ U†)·∂θ/∂w. The states before the steps are recomputed segment by segment from √K
    /// checkpoints (K steps): about 2√K density states of memory, two forward passes and one backward pass of
    /// work. The state itself is not changed.
    ///
    /// The derivatives with respect to the parameters of the model's channels come in the same sweep
    /// ([`NoisyGradient::noise`]): a channel contributes ⟨Λ|∂S|ρ⟩ at each place it acts.
    ///
    /// # Errors
    /// As [`DensityState::run_noisy`] and [`DensityState::expectation`]; [`Error::TooManyQubits`] when the
    /// checkpoints cannot be allocated.
    ///
    /// # Example
    ///
    /// ```
    /// use approx::assert_relative_eq;
    /// use qnet::quantum::mixed::{Channel, DensityState, NoiseModel};
    /// use qnet::prelude::*;
    ///
    /// # fn main() -> qnet::Result<()> {
    /// // RX(w) then depolarizing p: ⟨Z⟩ = (1 − 4p/3) cos w.
    /// let mut c = Circuit::new(1)?;
    /// c.rx(0, Param::weight(0))?;
    /// let mut noise = NoiseModel::new();
    /// noise.after_gate("rx", Channel::depolarizing(0.1)?);
    /// let g = DensityState::new(1)?.gradient(&c, &noise, &Observable::sum_z(1)?, &[0.4], &[])?;
    /// let shrink = 1.0 - 4.0 * 0.1 / 3.0;
    /// assert_relative_eq!(g.value, shrink * 0.4f64.cos(), epsilon = 1e-14);
    /// assert_relative_eq!(g.weights[0], -shrink * 0.4f64.sin(), epsilon = 1e-14);
    /// # Ok(())
    /// # }
    /// ```
    pub fn gradient(
        &self,
        circuit: &Circuit,
        noise: &NoiseModel,
        observable: &Observable,
        weights: &[f64],
        inputs: &[f64],
    ) -> Result<NoisyGradient> {
        if circuit.num_qubits() != self.num_qubits() {
            return Err(Error::QubitCountMismatch { left: self.num_qubits(), right: circuit.num_qubits() });
        }
        circuit.check_parameters(weights, inputs)?;
        observable.check_fits(self.num_qubits())?;
        let n = self.num_qubits();
        self.gradient_seeded(circuit, noise, weights, inputs, |rho| {
            let mut lambda = vec![ZERO; rho.entries().len()];
            add_observable(&mut lambda, observable, 1.0, n);
            Ok((rho.expectation(observable)?, lambda))
        })
    }

    /// [`gradient`](Self::gradient) with the start of the backward sweep given by `seed`: from the final state
    /// ρ it returns f(ρ) and Λ = vec(∂f/∂ρ) (for f = Tr(Oρ), vec(O)), so that one sweep differentiates any
    /// linear function of ρ, such as Σ_i g_i Tr(O_i ρ) for a vector-Jacobian product. The circuit's register
    /// and parameters are checked by the caller.
    pub(crate) fn gradient_seeded(
        &self,
        circuit: &Circuit,
        noise: &NoiseModel,
        weights: &[f64],
        inputs: &[f64],
        seed: impl FnOnce(&DensityState) -> Result<(f64, Vec<C>)>,
    ) -> Result<NoisyGradient> {
        let n = self.num_qubits();
        let sequence = Sequence::new(circuit, noise, weights, inputs)?;
        let steps = steps(circuit, &sequence, weights, inputs);
        let derivatives = sequence.channels.iter().map(Channel::derivatives).collect();
        let run = Run { circuit, weights, inputs, n, derivatives, num_rules: sequence.num_rules };
        // Forward, keeping the state before every `stride`-th step.
        let stride = ((steps.len() as f64).sqrt().ceil() as usize).max(1);
        let mut rho = try_clone(self.entries(), n)?;
        let mut checkpoints = Vec::new();
        for (i, step) in steps.iter().enumerate() {
            if i % stride == 0 {
                checkpoints.push(try_clone(&rho, n)?);
            }
            run.apply(&mut rho, step, false);
        }
        let (value, mut lambda) = seed(&DensityState::from_entries_unchecked(n, rho))?;
        let mut grads = NoisyGradient {
            value,
            weights: vec![0.0; circuit.num_weights()],
            inputs: vec![0.0; circuit.num_inputs()],
            noise: run.derivatives[..run.num_rules].iter().map(|d| vec![0.0; d.len()]).collect(),
        };
        // The states before the steps of one segment, in buffers allocated once.
        let mut before: Vec<Vec<C>> = Vec::new();
        for _ in 0..stride.min(steps.len()) {
            before.push(try_clone(&checkpoints[0], n)?);
        }
        for (segment, start) in (0..steps.len()).step_by(stride).enumerate().rev() {
            let end = (start + stride).min(steps.len());
            before[0].copy_from_slice(&checkpoints[segment]);
            for t in 1..end - start {
                let (done, rest) = before.split_at_mut(t);
                rest[0].copy_from_slice(&done[t - 1]);
                run.apply(&mut rest[0], &steps[start + t - 1], false);
            }
            for (i, step) in steps[start..end].iter().enumerate().rev() {
                match step {
                    Step::Gate(k) => {
                        // ρ after the gate, in place of ρ before it (not needed any more); a gate without
                        // weights or inputs has nothing to add.
                        if circuit.instructions()[*k].gate().params().iter().any(|p| !p.is_const()) {
                            run.apply(&mut before[i], step, false);
                            accumulate(&run, *k, &before[i], &lambda, &mut grads);
                        }
                    }
                    Step::Local { q, factors, .. } => {
                        if run.has_derivatives(factors) {
                            let g = correlation(&lambda, &before[i], *q, n);
                            run.local_derivatives(factors, &g, &mut grads);
                        }
                    }
                    Step::Channel2 { id, qubits, .. } => {
                        // ∂f/∂θ = ⟨Λ|∂S/∂θ|ρ⟩, Λ after the channel and ρ before it.
                        let targets: Vec<usize> = qubits.iter().copied().chain(qubits.iter().map(|q| q + n)).collect();
                        for (slot, d) in run.derivatives[*id].iter().enumerate() {
                            let m: Vec<Vec<C>> = d.row_iter().map(|r| r.iter().copied().collect()).collect();
                            let value = matrix_element(&lambda, &before[i], &m, &targets, 0).re;
                            run.add_channel_derivative(&mut grads, *id, slot, value);
                        }
                    }
                }
                run.apply(&mut lambda, step, true);
            }
        }
        Ok(grads)
    }
}

/// Λ += scale · vec(O) for a Pauli sum O on `n` qubits: O\[j ⊕ flip\]\[j\] = c·i^{nY}(−1)^{|j ∧ phase|} for
/// each term.
pub(crate) fn add_observable(lambda: &mut [C], observable: &Observable, scale: f64, n: usize) {
    let dim = 1usize << n;
    for term in observable.terms() {
        let (flip, phase, num_y) = term.masks();
        let c = kernels::i_pow(num_y) * (term.coeff() * scale);
        for j in 0..dim {
            let sign = if (j & phase).count_ones() & 1 == 1 { -1.0 } else { 1.0 };
            lambda[(j ^ flip) + (j << n)] += c * sign;
        }
    }
}

/// Adds instruction `k`'s contributions to the gradients of the weights and inputs its angles read:
/// 2 Re⟨Λ|(∂U ⊗ U*)|ρ⟩ = 2 Re⟨Λ|(∂U·U† ⊗ I)|ρ'⟩ for ρ' = (U ⊗ U*)ρ the state after the gate, ∂U·U† acting on
/// the ket targets where the controls are set and as zero elsewhere (the derivative of a controlled gate).
fn accumulate(run: &Run<'_>, k: usize, after: &[C], lambda: &[C], grads: &mut NoisyGradient) {
    let inst = &run.circuit.instructions()[k];
    let gate = inst.gate();
    let angles = inst.angles(run.weights, run.inputs);
    let adjoint = gate.lower(angles).adjoint();
    for (slot, p) in gate.params().iter().enumerate() {
        let Some((kind, index, scale)) = p.source() else { continue };
        let d = gate.derivative(angles, slot);
        let m: Vec<Vec<C>> = if d.arity() == 1 {
            let (d, u) = (d.matrix1(), adjoint.matrix1());
            (0..2).map(|r| (0..2).map(|c| d[r][0] * u[0][c] + d[r][1] * u[1][c]).collect()).collect()
        } else {
            let (d, u) = (d.matrix2(), adjoint.matrix2());
            (0..4).map(|r| (0..4).map(|c| (0..4).map(|j| d[r][j] * u[j][c]).sum()).collect()).collect()
        };
        let value = 2.0 * matrix_element(lambda, after, &m, inst.op_targets(), inst.control_mask()).re * scale;
        match kind {
            ParamKind::Weight => grads.weights[index] += value,
            ParamKind::Input => grads.inputs[index] += value,
        }
    }
}

/// ⟨a|M|b⟩ for the matrix `m` on `targets` (the first the least significant bit of its index), acting where
/// every bit of `ctrl` is set and as zero elsewhere; partial sums over fixed chunks, added in order.
fn matrix_element(a: &[C], b: &[C], m: &[Vec<C>], targets: &[usize], ctrl: usize) -> C {
    match m.len() {
        2 => matrix_element_n::<2>(a, b, m, targets, ctrl),
        4 => matrix_element_n::<4>(a, b, m, targets, ctrl),
        _ => matrix_element_n::<16>(a, b, m, targets, ctrl),
    }
}

/// [`matrix_element`] for an N × N matrix, held in arrays so that the inner loops unroll.
fn matrix_element_n<const N: usize>(a: &[C], b: &[C], m: &[Vec<C>], targets: &[usize], ctrl: usize) -> C {
    let m: [[C; N]; N] = std::array::from_fn(|r| std::array::from_fn(|c| m[r][c]));
    let offsets: [usize; N] =
        std::array::from_fn(|r| targets.iter().enumerate().fold(0, |o, (i, &q)| o | ((r >> i) & 1) << q));
    let mask = targets.iter().fold(ctrl, |mk, &q| mk | 1usize << q);
    let groups = Subspace::new(a.len(), mask, ctrl);
    kernels::chunked_sum(groups.len, |range| {
        let mut acc = ZERO;
        for g in range {
            let base = groups.index(g);
            let x: [C; N] = std::array::from_fn(|c| b[base + offsets[c]]);
            for (row, &or) in m.iter().zip(&offsets) {
                let mb: C = row.iter().zip(&x).map(|(v, x)| v * x).sum();
                acc += a[base + or].conj() * mb;
            }
        }
        acc
    })
}
