//! The differentiable quantum function f(w, x) = (⟨ψ(w, x)|O_i|ψ(w, x)⟩)_i and its derivatives.

use nalgebra::DMatrix;
use num_complex::Complex64 as C;
use rand::Rng;

use super::readout::{Outputs, Readout};
use super::tape::Workspace;
use crate::error::{Error, Result};
use crate::quantum::engine::Gradients;
use crate::quantum::engine::{AngleShift, Binding, Lowered, Mat2x2, Plan};
use crate::quantum::mixed::NoiseModel;
use crate::quantum::Circuit;

/// How a pass lowers the plan's gates: each from its angles, with one angle shifted (parameter shift), or with
/// the gates that read only weights taken from a cache kept while the weights stay the same.
pub(crate) enum Lowering<'a> {
    Plain,
    Shifted(AngleShift),
    Cached(&'a mut Lowered),
    /// A cache already filled at these weights, read as it is (see [`QuantumFunction::lower_weights`]).
    Shared(&'a Lowered),
}

/// The step h of [`DiffMethod::FiniteDifference`]: ∂f/∂p ≈ [f(p + h) − f(p − h)]/(2h), whose error is about
/// h²·|f'''|/6 + ε·|f|/h, near 1e-10 for circuits of unit-scale angles.
pub const FINITE_DIFFERENCE_STEP: f64 = 1e-5;

/// How a [`QuantumFunction`] differentiates.
///
/// # Example
///
/// ```
/// use qnet::grad::DiffMethod;
///
/// assert_eq!(DiffMethod::default(), DiffMethod::Adjoint);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum DiffMethod {
    /// The adjoint method: one forward pass and one backward sweep, at most three state vectors. The fastest,
    /// exact to rounding; a simulator's method.
    #[default]
    Adjoint,
    /// Exact parameter-shift rules: two circuit runs per use of a parameter (four for controlled rotations), as
    /// a device would run them.
    ParameterShift,
    /// Central finite differences with step [`FINITE_DIFFERENCE_STEP`] on every weight and input: for checking.
    FiniteDifference,
}

/// The values f(w, x) and the Jacobians ∂f_i/∂w_j and ∂f_i/∂x_j (one row per output).
#[derive(Debug, Clone, PartialEq)]
pub struct Jacobian {
    /// f(w, x), one entry per output.
    pub values: Vec<f64>,
    /// ∂f_i/∂w_j: outputs × weights.
    pub weights: DMatrix<f64>,
    /// ∂f_i/∂x_j: outputs × inputs.
    pub inputs: DMatrix<f64>,
}

/// The values f(w, x) and the vector-Jacobian products gᵀ∂f/∂w and gᵀ∂f/∂x for an upstream gradient g.
#[derive(Debug, Clone, PartialEq)]
pub struct Vjp {
    /// f(w, x), one entry per output.
    pub values: Vec<f64>,
    /// Σ_i g_i ∂f_i/∂w_j, one entry per weight.
    pub weights: Vec<f64>,
    /// Σ_i g_i ∂f_i/∂x_j, one entry per input.
    pub inputs: Vec<f64>,
}

/// A differentiable quantum function f(w, x) ∈ ℝ^m: a circuit whose angles read weights w and inputs x, run
/// on |0…0⟩, then its [`Outputs`] read from the final state ψ(w, x).
///
/// The analogue of a PennyLane QNode; [`jacobian`](Self::jacobian) and [`vjp`](Self::vjp) take the
/// [`DiffMethod`], and [`parameter_shift`](Self::parameter_shift) samples with shots.
///
/// # Example
///
/// ```
/// use qnet::prelude::*;
/// use qnet::grad::{DiffMethod, Outputs, QuantumFunction};
/// use approx::assert_relative_eq;
///
/// # fn main() -> qnet::Result<()> {
/// // ⟨Z⟩ after RX(θ) is cos θ, so d⟨Z⟩/dθ = −sin θ; θ = 2·x0 + w0.
/// let mut c = Circuit::new(1)?;
/// c.rx(0, Param::input(0) * 2.0)?.rx(0, Param::weight(0))?;
/// let f = QuantumFunction::new(c, Outputs::Observables(vec![Observable::sum_z(1)?]))?;
/// let (w, x) = ([0.3], [0.2]);
/// for method in [DiffMethod::Adjoint, DiffMethod::ParameterShift, DiffMethod::FiniteDifference] {
///     let j = f.jacobian(method, &w, &x)?;
///     assert_relative_eq!(j.values[0], 0.7f64.cos(), epsilon = 1e-12);
///     assert_relative_eq!(j.weights[(0, 0)], -0.7f64.sin(), epsilon = 1e-8);
///     assert_relative_eq!(j.inputs[(0, 0)], -2.0 * 0.7f64.sin(), epsilon = 1e-8);
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "super::serde_repr::FunctionData", into = "super::serde_repr::FunctionData")
)]
pub struct QuantumFunction {
    pub(super) circuit: Circuit,
    pub(crate) readout: Readout,
    pub(crate) plan: Plan,
    /// The noise model the function is evaluated under ([`with_noise`](Self::with_noise)); `None` for the
    /// pure-state paths. Not serialized: a function read back is noiseless.
    pub(crate) noise: Option<NoiseModel>,
}

impl QuantumFunction {
    /// The function reading `outputs` from the state `circuit` prepares.
    ///
    /// # Errors
    /// [`Error::TooManyQubits`] for a circuit on more than [`MAX_QUBITS`](crate::quantum::MAX_QUBITS) qubits,
    /// which no state can hold; [`Error::InvalidQubit`] when an observable acts beyond the circuit's register;
    /// [`Error::DimensionMismatch`] for an empty list of observables.
    ///
    /// A circuit with channels ([`Circuit::channels`]) makes a noisy function, as
    /// [`with_noise`](Self::with_noise) does with an empty model: evaluated on a density state, differentiated
    /// by the noisy adjoint (strengths that are weights or inputs included); then [`Error::TooManyQubits`] when
    /// its density state cannot be held.
    pub fn new(circuit: Circuit, outputs: Outputs) -> Result<Self> {
        crate::quantum::state::check_max_qubits(circuit.num_qubits())?;
        let readout = Readout::new(outputs, circuit.num_qubits())?;
        let plan = Plan::compile(&circuit);
        QuantumFunction { circuit, readout, plan, noise: None }.with_noise(NoiseModel::new())
    }

    /// The circuit.
    #[must_use]
    pub fn circuit(&self) -> &Circuit {
        &self.circuit
    }

    /// The outputs.
    #[must_use]
    pub fn outputs(&self) -> &Outputs {
        &self.readout.outputs
    }

    /// The number of outputs m.
    #[must_use]
    pub fn num_outputs(&self) -> usize {
        self.readout.outputs.len(self.circuit.num_qubits())
    }

    /// The number of qubits.
    #[must_use]
    pub fn num_qubits(&self) -> usize {
        self.circuit.num_qubits()
    }

    /// Buffers for [`evaluate_into`](Self::evaluate_into) and [`backward`](Self::backward).
    ///
    /// # Errors
    /// [`Error::TooManyQubits`] when the state vectors cannot be allocated.
    pub fn workspace(&self) -> Result<Workspace> {
        Workspace::new(self.num_qubits())
    }

    /// Fills `cache` with the plan's weight-only lowering at `weights` (unless it holds it already), for the
    /// samples of a batch to share read-only ([`Lowering::Shared`]): one fill per batch, not per chunk.
    ///
    /// # Errors
    /// As [`evaluate`](Self::evaluate), for `weights`.
    pub(crate) fn lower_weights(&self, weights: &[f64], cache: &mut Lowered) -> Result<()> {
        // The weight-only lowering reads no input: zeros stand in for them.
        let inputs = vec![0.0; self.circuit.num_inputs()];
        self.check(weights, &inputs)?;
        cache.refresh(&self.plan, &Binding::new(&self.circuit, weights, &inputs));
        Ok(())
    }

    pub(crate) fn check(&self, weights: &[f64], inputs: &[f64]) -> Result<()> {
        self.circuit.check_parameters(weights, inputs)
    }

    pub(crate) fn check_workspace(&self, ws: &Workspace) -> Result<()> {
        if ws.num_qubits() != self.num_qubits() {
            return Err(Error::QubitCountMismatch { left: self.num_qubits(), right: ws.num_qubits() });
        }
        Ok(())
    }

    /// Prepares ψ(w, x) in `buf` through the engine's plan, its gates lowered as `lowering` says; `scratch` is
    /// the buffer of fused permutation runs' passes (at most 2^15 amplitudes and 1/8 of a state, or a copy of a
    /// state of 10 qubits or fewer).
    pub(crate) fn prepare(
        &self,
        buf: &mut [C],
        scratch: &mut Vec<C>,
        weights: &[f64],
        inputs: &[f64],
        lowering: Lowering<'_>,
        record: &mut [Mat2x2],
    ) {
        let binding = Binding::new(&self.circuit, weights, inputs);
        let binding = match lowering {
            Lowering::Plain => binding,
            Lowering::Shifted(shift) => Binding { shift: Some(shift), ..binding },
            Lowering::Cached(cache) => binding.with_cache(&self.plan, cache),
            Lowering::Shared(cache) => binding.with_filled(&self.plan, cache),
        };
        self.plan.forward_from_zero(&binding, buf, scratch, record);
    }

    /// f(w, x).
    ///
    /// # Errors
    /// [`Error::ParameterCount`] when `weights` or `inputs` is shorter than the circuit needs,
    /// [`Error::NonFinite`] for NaN or ±∞.
    pub fn evaluate(&self, weights: &[f64], inputs: &[f64]) -> Result<Vec<f64>> {
        let mut ws = self.workspace()?;
        let mut out = crate::bounded::filled("outputs", self.num_outputs(), 0.0)?;
        self.evaluate_into(weights, inputs, &mut ws, &mut out)?;
        Ok(out)
    }

    /// f(w, x) written into `out`, with the caller's buffers: allocates nothing.
    ///
    /// # Errors
    /// As [`evaluate`](Self::evaluate); [`Error::DimensionMismatch`] when `out` is not of length m,
    /// [`Error::QubitCountMismatch`] for a workspace of another size.
    pub fn evaluate_into(&self, weights: &[f64], inputs: &[f64], ws: &mut Workspace, out: &mut [f64]) -> Result<()> {
        self.evaluate_into_shared(weights, inputs, ws, out, None)
    }

    /// [`evaluate_into`](Self::evaluate_into), reading the weight-only lowering from `shared` when given (filled
    /// by [`lower_weights`](Self::lower_weights) at these weights; otherwise every gate is lowered here) instead of
    /// the workspace's own.
    pub(crate) fn evaluate_into_shared(
        &self,
        weights: &[f64],
        inputs: &[f64],
        ws: &mut Workspace,
        out: &mut [f64],
        shared: Option<&Lowered>,
    ) -> Result<()> {
        self.check(weights, inputs)?;
        self.check_workspace(ws)?;
        check_len("outputs", self.num_outputs(), out.len())?;
        if let Some(noise) = &self.noise {
            return self.noisy_values(noise, weights, inputs, out);
        }
        let lowering = match shared {
            Some(cache) => Lowering::Shared(cache),
            None => Lowering::Cached(&mut ws.lowered),
        };
        self.prepare(&mut ws.phi, &mut ws.back.amps, weights, inputs, lowering, &mut []);
        self.readout.values_of(&ws.phi, out);
        Ok(())
    }

    /// The values and the Jacobians with respect to weights and inputs, by `method`.
    ///
    /// The adjoint method runs one backward sweep per output (keeping the final state in a third vector: three
    /// states of 16·2^n bytes in all, checked against the available memory before the forward pass);
    /// parameter shift runs two or four circuits per use of each parameter; finite differences two per weight
    /// and per input.
    ///
    /// # Errors
    /// As [`evaluate`](Self::evaluate).
    pub fn jacobian(&self, method: DiffMethod, weights: &[f64], inputs: &[f64]) -> Result<Jacobian> {
        self.check(weights, inputs)?;
        if let Some(noise) = &self.noise {
            return self.noisy_jacobian(noise, method, weights, inputs);
        }
        match method {
            DiffMethod::Adjoint => super::adjoint::jacobian(self, weights, inputs),
            DiffMethod::ParameterShift => {
                super::shift::jacobian(self, weights, inputs, &mut |phi: &[C], out: &mut [f64], _: &mut Vec<C>| {
                    self.readout.values_of(phi, out);
                    Ok(())
                })
            }
            DiffMethod::FiniteDifference => super::finite::jacobian(self, weights, inputs, FINITE_DIFFERENCE_STEP),
        }
    }

    /// The Jacobians by central finite differences with the caller's `step`.
    ///
    /// # Errors
    /// As [`evaluate`](Self::evaluate); [`Error::InvalidHyperParameter`] unless `step` is finite and positive.
    pub fn finite_difference(&self, weights: &[f64], inputs: &[f64], step: f64) -> Result<Jacobian> {
        self.check(weights, inputs)?;
        if !(step.is_finite() && step > 0.0) {
            return Err(Error::hyper_parameter("finite-difference step", step, "must be finite and positive"));
        }
        if let Some(noise) = &self.noise {
            return self.noisy_jacobian_with_step(noise, DiffMethod::FiniteDifference, weights, inputs, step);
        }
        super::finite::jacobian(self, weights, inputs, step)
    }

    /// The Jacobians by parameter shift, each expectation estimated from `shots` samples with `rng` when
    /// `shots` is `Some` (see [`StateVector::sampled_expectation`](crate::quantum::StateVector::sampled_expectation); probabilities are estimated as counts /
    /// shots), exact when `None`. The values are sampled likewise.
    ///
    /// # Errors
    /// As [`evaluate`](Self::evaluate); [`Error::InvalidHyperParameter`] for `Some(0)` shots,
    /// [`Error::TooLarge`] when the draws of `shots` measurements cannot be allocated.
    pub fn parameter_shift<R: Rng + ?Sized>(
        &self,
        weights: &[f64],
        inputs: &[f64],
        shots: Option<usize>,
        rng: &mut R,
    ) -> Result<Jacobian> {
        let Some(shots) = shots else {
            return self.jacobian(DiffMethod::ParameterShift, weights, inputs);
        };
        self.check(weights, inputs)?;
        crate::quantum::sampled::check_shots(shots)?;
        if let Some(noise) = &self.noise {
            return self.noisy_jacobian(noise, DiffMethod::ParameterShift, weights, inputs);
        }
        super::shift::jacobian(self, weights, inputs, &mut |phi: &[C], out: &mut [f64], scratch: &mut Vec<C>| {
            match &self.readout.outputs {
                Outputs::Probabilities => {
                    out.fill(0.0);
                    crate::quantum::state::sample_counts(phi, shots, rng, |i, count| {
                        out[i] = count as f64 / shots as f64
                    })
                }
                Outputs::Observables(obs) => {
                    for (o, observable) in out.iter_mut().zip(obs) {
                        *o = crate::quantum::sampled::sampled_expectation_raw(phi, observable, shots, rng, scratch)?;
                    }
                    Ok(())
                }
            }
        })
    }

    /// The values and the vector-Jacobian products gᵀ∂f/∂w and gᵀ∂f/∂x for the upstream gradient g.
    ///
    /// # Errors
    /// As [`evaluate`](Self::evaluate); [`Error::DimensionMismatch`] when `upstream` is not of length m.
    pub fn vjp(&self, method: DiffMethod, weights: &[f64], inputs: &[f64], upstream: &[f64]) -> Result<Vjp> {
        self.check(weights, inputs)?;
        check_len("upstream gradient", self.num_outputs(), upstream.len())?;
        if let Some(noise) = &self.noise {
            return self.noisy_vjp(noise, method, weights, inputs, upstream);
        }
        if method == DiffMethod::Adjoint {
            // The tape's state and the workspace's two, checked together before the forward pass.
            crate::quantum::state::check_memory(self.num_qubits(), 3)?;
            let tape = self.forward(weights, inputs)?;
            let mut ws = self.workspace()?;
            let (mut wg, mut xg) = (vec![0.0; weights.len()], vec![0.0; inputs.len()]);
            self.backward(&tape, upstream, &mut ws, Gradients { weights: &mut wg, inputs: Some(&mut xg) })?;
            return Ok(Vjp { values: tape.values().to_vec(), weights: wg, inputs: xg });
        }
        let j = self.jacobian(method, weights, inputs)?;
        let g = nalgebra::DVector::from_column_slice(upstream);
        let weights = (j.weights.transpose() * &g).iter().copied().collect();
        let inputs = (j.inputs.transpose() * &g).iter().copied().collect();
        Ok(Vjp { values: j.values, weights, inputs })
    }
}

pub(crate) fn check_len(what: &'static str, expected: usize, found: usize) -> Result<()> {
    if expected != found {
        return Err(Error::DimensionMismatch { what, expected, found });
    }
    Ok(())
}
