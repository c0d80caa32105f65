//! Forward now, vector-Jacobian product later: the [`Tape`] of a forward pass and the adjoint backward sweep
//! that reads it, for callers with their own loss (a CRF, a network) that learn the upstream gradient only
//! after the outputs.

use num_complex::Complex64 as C;

use super::function::{check_len, Lowering, QuantumFunction};
use crate::error::{Error, Result};
use crate::quantum::engine::{BackScratch, Binding, Gradients, Lowered, Mat2x2};
use crate::quantum::StateVector;

/// Reusable buffers for one thread: the state vectors and scratch that evaluations and gradients need, so that
/// repeated calls allocate nothing.
///
/// # Memory
/// Exactly two states of 2^n amplitudes (16·2^n bytes each): φ, swept back through the circuit, and λ, the
/// adjoint state. Beside them, scratch of at most 2^15 amplitudes and 1/8 of a state (a copy of a state of 10
/// qubits or fewer) for the passes of fused X, CNOT and SWAP runs (one more such buffer per extra thread while
/// a pass runs), and arrays of the plan's size (one entry per gate or angle), among them the lowering of the
/// gates that read only weights, kept while the weights stay the same so that a batch's samples lower only
/// their input gates. [`bytes`](Self::bytes) tells what it holds now.
///
/// # Example
///
/// ```
/// use qnet::prelude::*;
/// use qnet::grad::Outputs;
///
/// # fn main() -> qnet::Result<()> {
/// let mut c = Circuit::new(1)?;
/// c.rx(0, Param::weight(0))?;
/// let f = QuantumFunction::new(c, Outputs::Observables(vec![Observable::sum_z(1)?]))?;
/// let mut ws = f.workspace()?;
/// let mut value = [0.0];
/// for theta in [0.1, 0.2, 0.3] {
///     f.evaluate_into(&[theta], &[], &mut ws, &mut value)?;
///     assert!((value[0] - theta.cos()).abs() < 1e-12);
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Workspace {
    pub(crate) phi: Vec<C>,
    pub(crate) lambda: Vec<C>,
    pub(crate) coeffs: Vec<f64>,
    pub(crate) back: BackScratch,
    /// The weight-only lowering of the last function and weights it served.
    pub(crate) lowered: Lowered,
}

impl Workspace {
    /// Buffers for circuits on `num_qubits` qubits.
    ///
    /// # Errors
    /// [`Error::ZeroQubits`]; [`Error::TooManyQubits`] (with the bytes of both states) when the two states do
    /// not fit the memory this process can take now, checked before either is allocated.
    pub fn new(num_qubits: usize) -> Result<Self> {
        if num_qubits == 0 {
            return Err(Error::ZeroQubits);
        }
        crate::quantum::state::check_memory(num_qubits, 2)?;
        let state = || StateVector::new(num_qubits).map(StateVector::into_amplitudes);
        let (coeffs, back, lowered) = (Vec::new(), BackScratch::default(), Lowered::default());
        Ok(Workspace { phi: state()?, lambda: state()?, coeffs, back, lowered })
    }

    /// The bytes its buffers hold now: 2·16·2^n for the two states, plus the scratch they have grown to.
    #[must_use]
    pub fn bytes(&self) -> usize {
        size_of::<C>() * (self.phi.capacity() + self.lambda.capacity())
            + size_of::<f64>() * self.coeffs.capacity()
            + self.back.bytes()
            + self.lowered.bytes()
    }

    /// The number of qubits the buffers serve.
    #[must_use]
    pub fn num_qubits(&self) -> usize {
        self.phi.len().trailing_zeros() as usize
    }
}

/// The record of one forward pass of a [`QuantumFunction`]: f(w, x), the final state ψ(w, x) (under noise, the
/// density state ρ(w, x)), and the w and x that made them. [`QuantumFunction::backward`] turns an upstream
/// gradient g into gᵀ∂f/∂w and gᵀ∂f/∂x from it without running the circuit forward again.
///
/// # Memory
/// One state of 2^n amplitudes (16·2^n bytes), the values, weights and inputs, a few 2x2 matrices per gate of
/// the plan (the record, and the lowering of the gates that read only weights, kept while the weights stay the
/// same), and scratch of at most 2^15 amplitudes and 1/8 of a state (a copy of a state of 10 qubits or fewer)
/// for the passes of fused X, CNOT and SWAP runs; a noisy function's tape holds its density state besides
/// (16·4^n bytes). [`bytes`](Self::bytes) tells what it holds now.
///
/// # Example
///
/// ```
/// use qnet::prelude::*;
/// use qnet::grad::{Gradients, Outputs};
///
/// # fn main() -> qnet::Result<()> {
/// // f(w, x) = ⟨Z⟩ after RX(x)·RX(w): cos(w + x).
/// let mut c = Circuit::new(1)?;
/// c.rx(0, Param::input(0))?.rx(0, Param::weight(0))?;
/// let f = QuantumFunction::new(c, Outputs::Observables(vec![Observable::sum_z(1)?]))?;
/// let tape = f.forward(&[0.3], &[0.2])?;
/// assert!((tape.values()[0] - 0.5f64.cos()).abs() < 1e-12);
///
/// // The loss (f − 1)² is known only now: g = 2(f − 1).
/// let g = [2.0 * (tape.values()[0] - 1.0)];
/// let (mut dw, mut dx) = ([0.0], [0.0]);
/// let mut ws = f.workspace()?;
/// f.backward(&tape, &g, &mut ws, Gradients { weights: &mut dw, inputs: Some(&mut dx) })?;
/// assert!((dw[0] - g[0] * -(0.5f64.sin())).abs() < 1e-12);
/// assert!((dw[0] - dx[0]).abs() < 1e-12); // w and x enter the same way
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Tape {
    pub(super) state: Vec<C>,
    /// Under noise, the density state the pass left (empty otherwise).
    density: Vec<C>,
    pub(super) values: Vec<f64>,
    pub(super) weights: Vec<f64>,
    pub(super) inputs: Vec<f64>,
    /// The forward pass's buffer for fused permutation runs (empty until one needs it); not part of the record.
    scratch: Vec<C>,
    /// The variable one-target nodes' gate matrices and fused products of the pass (the plan's record), for
    /// the backward sweep (derived from the weights and inputs, so not compared).
    pub(super) members: Vec<Mat2x2>,
    /// The weight-only lowering of the last weights recorded (a cache, not part of the record).
    lowered: Lowered,
}

impl PartialEq for Tape {
    fn eq(&self, other: &Tape) -> bool {
        self.state == other.state
            && self.density == other.density
            && self.values == other.values
            && self.weights == other.weights
            && self.inputs == other.inputs
    }
}

impl Tape {
    /// f(w, x), one entry per output.
    #[must_use]
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// The final state ψ(w, x): 2^n amplitudes. A function under noise
    /// ([`QuantumFunction::with_noise`]) records no pure state (its backward sweep runs the density state
    /// again): the tape then holds |0…0⟩ here.
    #[must_use]
    pub fn state(&self) -> &[C] {
        &self.state
    }

    /// The weights w of the pass.
    #[must_use]
    pub fn weights(&self) -> &[f64] {
        &self.weights
    }

    /// The inputs x of the pass.
    #[must_use]
    pub fn inputs(&self) -> &[f64] {
        &self.inputs
    }

    /// The bytes its buffers hold now: 16·2^n for the state (and 16·4^n for a noisy function's density state),
    /// plus the record and scratch.
    #[must_use]
    pub fn bytes(&self) -> usize {
        size_of::<C>() * (self.state.capacity() + self.density.capacity() + self.scratch.capacity())
            + size_of::<f64>() * (self.values.capacity() + self.weights.capacity() + self.inputs.capacity())
            + size_of::<Mat2x2>() * self.members.capacity()
            + self.lowered.bytes()
    }
}

impl Gradients<'_> {
    /// Whether the slices have the lengths of `weights` and `inputs`.
    fn check(&self, weights: &[f64], inputs: &[f64]) -> Result<()> {
        check_len("weight gradients", weights.len(), self.weights.len())?;
        match &self.inputs {
            Some(xg) => check_len("input gradients", inputs.len(), xg.len()),
            None => Ok(()),
        }
    }
}

impl QuantumFunction {
    /// Runs the circuit forward on w and x and records the pass: f(w, x) and ψ(w, x), for a later
    /// [`backward`](Self::backward).
    ///
    /// # Errors
    /// As [`evaluate`](Self::evaluate).
    pub fn forward(&self, weights: &[f64], inputs: &[f64]) -> Result<Tape> {
        self.check(weights, inputs)?;
        let mut tape = self.tape()?;
        self.forward_into(weights, inputs, &mut tape)?;
        Ok(tape)
    }

    /// A tape of this function's shape that records nothing yet (|0…0⟩, zero values, no parameters), for
    /// [`forward_into`](Self::forward_into).
    ///
    /// # Errors
    /// [`Error::TooManyQubits`] or [`Error::TooLarge`] when its buffers cannot be allocated.
    pub fn tape(&self) -> Result<Tape> {
        Ok(Tape {
            state: StateVector::new(self.num_qubits())?.into_amplitudes(),
            density: Vec::new(),
            values: crate::bounded::filled("outputs", self.num_outputs(), 0.0)?,
            weights: Vec::new(),
            inputs: Vec::new(),
            scratch: Vec::new(),
            members: Vec::new(),
            lowered: Lowered::default(),
        })
    }

    /// [`forward`](Self::forward) into an existing tape of this function, reusing its buffers: allocates
    /// nothing once the tape has held vectors as long as `weights` and `inputs`.
    ///
    /// # Errors
    /// As [`evaluate`](Self::evaluate); [`Error::QubitCountMismatch`] or [`Error::DimensionMismatch`] for a tape
    /// of another function's shape.
    pub fn forward_into(&self, weights: &[f64], inputs: &[f64], tape: &mut Tape) -> Result<()> {
        self.check(weights, inputs)?;
        self.check_tape(tape)?;
        let mut cache = std::mem::take(&mut tape.lowered);
        self.record(weights, inputs, tape, Lowering::Cached(&mut cache), None)?;
        tape.lowered = cache;
        Ok(())
    }

    /// [`forward_into`](Self::forward_into) reading the weight-only lowering from `cache` (filled by
    /// [`lower_weights`](Self::lower_weights) at these weights; otherwise every gate is lowered here) instead of
    /// the tape's own, and with `scratch` for permutation runs instead of the tape's: the tapes of a batch share
    /// one cache, and each chunk of them one scratch.
    pub(crate) fn forward_into_shared(
        &self,
        weights: &[f64],
        inputs: &[f64],
        tape: &mut Tape,
        cache: &Lowered,
        scratch: &mut Vec<C>,
    ) -> Result<()> {
        self.check(weights, inputs)?;
        self.check_tape(tape)?;
        self.record(weights, inputs, tape, Lowering::Shared(cache), Some(scratch))
    }

    fn record(
        &self,
        weights: &[f64],
        inputs: &[f64],
        tape: &mut Tape,
        lowering: Lowering<'_>,
        scratch: Option<&mut Vec<C>>,
    ) -> Result<()> {
        if let Some(noise) = &self.noise {
            // Under noise the tape keeps ρ(w, x), from which the backward sweep starts.
            self.noisy_record(noise, weights, inputs, &mut tape.density, &mut tape.values)?;
        } else {
            tape.members.resize(self.plan.record_len(), [[C::new(0.0, 0.0); 2]; 2]);
            let scratch = scratch.unwrap_or(&mut tape.scratch);
            self.prepare(&mut tape.state, scratch, weights, inputs, lowering, &mut tape.members);
            self.readout.values_of(&tape.state, &mut tape.values);
        }
        Self::keep_parameters(weights, inputs, tape);
        Ok(())
    }

    pub(super) fn keep_parameters(weights: &[f64], inputs: &[f64], tape: &mut Tape) {
        tape.weights.clear();
        tape.weights.extend_from_slice(weights);
        tape.inputs.clear();
        tape.inputs.extend_from_slice(inputs);
    }

    pub(super) fn check_tape(&self, tape: &Tape) -> Result<()> {
        let num_qubits = tape.state.len().trailing_zeros() as usize;
        if num_qubits != self.num_qubits() {
            return Err(Error::QubitCountMismatch { left: self.num_qubits(), right: num_qubits });
        }
        check_len("tape values", self.num_outputs(), tape.values.len())
    }

    /// The vector-Jacobian products of a recorded pass by the adjoint method: adds gᵀ∂f/∂w and gᵀ∂f/∂x for the
    /// upstream gradient g to `grads`. One backward sweep over two state vectors of `ws`, whatever the number of
    /// outputs and parameters; allocates nothing once `ws` has served this function. Under noise the sweep
    /// starts from the density state the tape keeps, in density states of its own (see
    /// [`DensityState::gradient`](crate::quantum::mixed::DensityState::gradient)).
    ///
    /// # Errors
    /// [`Error::DimensionMismatch`] when `upstream` is not of length m or a gradient slice differs in length from
    /// the tape's weights or inputs; [`Error::QubitCountMismatch`] for a workspace or tape of another size;
    /// [`Error::ParameterCount`] for a tape that has recorded no pass.
    pub fn backward(&self, tape: &Tape, upstream: &[f64], ws: &mut Workspace, grads: Gradients<'_>) -> Result<()> {
        self.backward_shared(tape, upstream, ws, grads, None)
    }

    /// [`backward`](Self::backward), reading the weight-only lowering from `shared` when it holds the tape's
    /// weights (filled by [`lower_weights`](Self::lower_weights)) instead of the workspace's own.
    pub(crate) fn backward_shared(
        &self,
        tape: &Tape,
        upstream: &[f64],
        ws: &mut Workspace,
        grads: Gradients<'_>,
        shared: Option<&Lowered>,
    ) -> Result<()> {
        self.check_tape(tape)?;
        self.check(&tape.weights, &tape.inputs)?;
        self.check_workspace(ws)?;
        check_len("upstream gradient", self.num_outputs(), upstream.len())?;
        grads.check(&tape.weights, &tape.inputs)?;
        if let Some(noise) = &self.noise {
            let (w, x) = (&tape.weights, &tape.inputs);
            return self.noisy_vjp_recorded(noise, w, x, &tape.density, upstream, grads);
        }
        ws.phi.copy_from_slice(&tape.state);
        self.readout.lambda_of(&ws.phi, upstream, &mut ws.lambda, &mut ws.coeffs);
        let binding = Binding::new(self.circuit(), &tape.weights, &tape.inputs);
        // The sweep reads the nodes the record leaves to the cache from a cache at the tape's weights: the
        // shared one when it holds them, else the workspace's, filled here.
        let binding = match shared.filter(|cache| cache.holds(&self.plan, &binding)) {
            Some(cache) => binding.with_filled(&self.plan, cache),
            None => binding.with_cache(&self.plan, &mut ws.lowered),
        };
        self.plan.backward_from_zero(&binding, &mut ws.phi, &mut ws.lambda, &tape.members, grads, &mut ws.back);
        Ok(())
    }

    /// gᵀ∂f/∂w and gᵀ∂f/∂x at (w, x) by `method`, added to `grads`: the adjoint method records the pass into
    /// `tape` and sweeps back from it; the other methods go through the Jacobian.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn vjp_recorded(
        &self,
        method: super::DiffMethod,
        weights: &[f64],
        inputs: &[f64],
        upstream: &[f64],
        ws: &mut Workspace,
        tape: &mut Tape,
        grads: Gradients<'_>,
    ) -> Result<()> {
        if let (Some(noise), super::DiffMethod::Adjoint) = (&self.noise, method) {
            // One noisy sweep gives the values and the products together.
            self.check(weights, inputs)?;
            self.check_tape(tape)?;
            check_len("upstream gradient", self.num_outputs(), upstream.len())?;
            grads.check(weights, inputs)?;
            self.noisy_vjp_add(noise, weights, inputs, upstream, Some(&mut tape.values), grads)?;
            Self::keep_parameters(weights, inputs, tape);
            return Ok(());
        }
        if method == super::DiffMethod::Adjoint {
            self.forward_into(weights, inputs, tape)?;
            return self.backward(tape, upstream, ws, grads);
        }
        self.vjp_add(method, weights, inputs, upstream, grads)
    }

    /// gᵀ∂f/∂w and gᵀ∂f/∂x of a recorded pass by `method`, added to `grads`: the adjoint method sweeps back from
    /// the tape (reading `shared` as [`backward_shared`](Self::backward_shared) does); the other methods run
    /// the circuit again at the tape's w and x, through the Jacobian.
    pub(crate) fn backward_by(
        &self,
        method: super::DiffMethod,
        tape: &Tape,
        upstream: &[f64],
        ws: &mut Workspace,
        grads: Gradients<'_>,
        shared: Option<&Lowered>,
    ) -> Result<()> {
        if method == super::DiffMethod::Adjoint {
            return self.backward_shared(tape, upstream, ws, grads, shared);
        }
        self.vjp_add(method, &tape.weights, &tape.inputs, upstream, grads)
    }

    /// gᵀ∂f/∂w and gᵀ∂f/∂x at (w, x) through the Jacobian by `method`, added to `grads`.
    fn vjp_add(
        &self,
        method: super::DiffMethod,
        weights: &[f64],
        inputs: &[f64],
        upstream: &[f64],
        grads: Gradients<'_>,
    ) -> Result<()> {
        grads.check(weights, inputs)?;
        let vjp = self.vjp(method, weights, inputs, upstream)?;
        grads.weights.iter_mut().zip(&vjp.weights).for_each(|(o, v)| *o += v);
        if let Some(xg) = grads.inputs {
            xg.iter_mut().zip(&vjp.inputs).for_each(|(o, v)| *o += v);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::grad::{Outputs, QuantumFunction};
    use crate::quantum::mixed::{Channel, NoiseModel};
    use crate::quantum::{Circuit, Observable, Param};

    #[test]
    fn a_noisy_tape_reuses_its_density_state_and_records_what_a_fresh_one_does() {
        let mut c = Circuit::new(3).unwrap();
        c.rx(0, Param::input(0)).unwrap().ry(1, Param::weight(0)).unwrap().cnot(0, 2).unwrap();
        let mut noise = NoiseModel::new();
        noise.after_all_gates(Channel::amplitude_damping(0.1).unwrap());
        let f = QuantumFunction::new(c, Outputs::Observables(vec![Observable::sum_z(3).unwrap()]))
            .unwrap()
            .with_noise(noise)
            .unwrap();
        let mut tape = f.tape().unwrap();
        assert!(tape.density.is_empty());
        let before = tape.bytes();
        f.forward_into(&[0.4], &[0.3], &mut tape).unwrap();
        assert_eq!(tape.density.len(), 64);
        // The density state's 64 entries are counted beside the 8 amplitudes of the pure state.
        assert!(before >= 16 * 8 && tape.bytes() >= before + 16 * 64, "{before} then {}", tape.bytes());
        let at = tape.density.as_ptr();
        f.forward_into(&[-0.7], &[1.1], &mut tape).unwrap();
        assert_eq!(tape.density.as_ptr(), at, "the same buffer");
        assert_eq!(tape, f.forward(&[-0.7], &[1.1]).unwrap());
        assert_eq!(tape.values(), &f.evaluate(&[-0.7], &[1.1]).unwrap()[..]);
    }
}
