//! Exact gradients of a noisy expectation Tr(O ρ) with respect to the weights and inputs of a circuit's gates
//! and the parameters of its noise model's channels, by the adjoint method on the density state: Λ = O swept
//! backwards through the adjoint of each step (Λ ← E†(Λ)), each parametrised gate contributing
//! 2 Re Tr(Λ (∂U ρ U†)) and each channel Tr(Λ ∂E(ρ)).

use num_complex::Complex64 as C;

use nalgebra::DMatrix;

use super::channel::superoperator;
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

/// One step of the noisy run, in order.
enum Step {
    /// Instruction `k` of the circuit: U on the ket qubits, U* on the bra qubits.
    Gate(usize),
    /// Channel `id` of the run's [`Sequence`] on `qubits`, with its superoperator.
    Channel { id: usize, qubits: Vec<usize>, s: DMatrix<C> },
}

/// The steps of a noisy run, each gate and each channel on its own (the derivatives of both are needed).
fn steps(run: Sequence) -> Vec<Step> {
    let channels = run.channels;
    run.events
        .into_iter()
        .map(|event| match event {
            Event::Gate(k) => Step::Gate(k),
            Event::Channel { id, qubits } => {
                Step::Channel { id, qubits, s: superoperator(&channels[id].kraus_operators()) }
            }
        })
        .collect()
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
}

impl Run<'_> {
    /// Applies step `step` to `v`, or its adjoint.
    fn apply(&self, v: &mut [C], step: &Step, adjoint: bool) {
        let n = self.n;
        match step {
            Step::Gate(k) => {
                let inst = &self.circuit.instructions()[*k];
                let op = inst.gate().lower(inst.angles(self.weights, self.inputs));
                let (op, conj) = if adjoint { (op.adjoint(), conj_op(&op).adjoint()) } else { (op, conj_op(&op)) };
                let targets = inst.op_targets();
                if let ([q], 0) = (targets, inst.control_mask()) {
                    // U ⊗ U* on (q, q + n): one pass instead of two.
                    let (u, w) = (op.matrix1(), conj.matrix1());
                    let m = std::array::from_fn(|r| std::array::from_fn(|c| u[r & 1][c & 1] * w[r >> 1][c >> 1]));
                    kernels::apply_op(v, &superop::op4(&m), &[*q, q + n], 0);
                    return;
                }
                let bra: Vec<usize> = targets.iter().map(|q| q + n).collect();
                kernels::apply_op(v, &op, targets, inst.control_mask());
                kernels::apply_op(v, &conj, &bra, inst.control_mask() << n);
            }
            Step::Channel { qubits, s, .. } => {
                let s = if adjoint { s.adjoint() } else { s.clone() };
                if let [q] = qubits[..] {
                    let m: [[C; 4]; 4] = std::array::from_fn(|r| std::array::from_fn(|c| s[(r, c)]));
                    kernels::apply_op(v, &superop::op4(&m), &[q, q + n], 0);
                } else {
                    superop::apply16(v, n, &s, qubits[0], qubits[1]);
                }
            }
        }
    }
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
        let sequence = Sequence::new(circuit, noise, weights, inputs)?;
        let (channels, num_rules) = (sequence.channels.clone(), sequence.num_rules);
        let steps = steps(sequence);
        let run = Run { circuit, weights, inputs, n };
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
        let value = DensityState::from_entries_unchecked(n, rho).expectation(observable)?;
        // Λ = vec(O): O[j ⊕ flip][j] = c·i^{nY}(−1)^{|j ∧ phase|} for each term.
        let dim = 1usize << n;
        let mut lambda = vec![ZERO; dim * dim];
        for term in observable.terms() {
            let (flip, phase, num_y) = term.masks();
            let c = kernels::i_pow(num_y) * term.coeff();
            for j in 0..dim {
                let sign = if (j & phase).count_ones() & 1 == 1 { -1.0 } else { 1.0 };
                lambda[(j ^ flip) + (j << n)] += c * sign;
            }
        }
        let mut grads = NoisyGradient {
            value,
            weights: vec![0.0; circuit.num_weights()],
            inputs: vec![0.0; circuit.num_inputs()],
            noise: channels[..num_rules].iter().map(|c| vec![0.0; c.parameters().len()]).collect(),
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
                        // ρ after the gate, in place of ρ before it (not needed any more).
                        run.apply(&mut before[i], step, false);
                        accumulate(&run, *k, &before[i], &lambda, &mut grads);
                    }
                    Step::Channel { id, qubits, .. } => {
                        // ∂f/∂θ = ⟨Λ|∂S/∂θ|ρ⟩, Λ after the channel and ρ before it.
                        let spec = channels[*id].spec();
                        let values: Vec<f64> = spec.params.iter().map(|p| p.value).collect();
                        let targets: Vec<usize> = qubits.iter().copied().chain(qubits.iter().map(|q| q + n)).collect();
                        for (slot, p) in spec.params.iter().enumerate() {
                            let d = (p.derivative)(&values);
                            let m: Vec<Vec<C>> = d.row_iter().map(|r| r.iter().copied().collect()).collect();
                            let value = matrix_element(&lambda, &before[i], &m, &targets, 0).re;
                            match id.checked_sub(num_rules) {
                                None => grads.noise[*id][slot] += value,
                                // A circuit's channel: its parameter is a constant, or scale · w or x.
                                Some(j) => match circuit.channels()[j].params()[slot].source() {
                                    Some((ParamKind::Weight, index, scale)) => grads.weights[index] += scale * value,
                                    Some((ParamKind::Input, index, scale)) => grads.inputs[index] += scale * value,
                                    None => {}
                                },
                            }
                        }
                    }
                }
                run.apply(&mut lambda, step, true);
            }
        }
        Ok(grads)
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
