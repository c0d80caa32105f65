//! The differentiable quantum function f(w, x) = (⟨ψ(w, x)|O_i|ψ(w, x)⟩)_i and its derivatives.

use nalgebra::DMatrix;
use num_complex::Complex64 as C;
use rand::Rng;

use crate::error::{Error, Result};
use crate::quantum::op::{ONE, ZERO};
use crate::quantum::{blocked, kernels, pairs};
use crate::quantum::{Circuit, Observable, StateVector};

/// The step h of [`DiffMethod::FiniteDifference`]: ∂f/∂p ≈ [f(p + h) − f(p − h)]/(2h), whose error is about
/// h²·|f'''|/6 + ε·|f|/h, near 1e-10 for circuits of unit-scale angles.
pub const FINITE_DIFFERENCE_STEP: f64 = 1e-5;

/// The four-term rule's coefficients c± = (√2 ± 1)/(4√2).
pub const FOUR_TERM_COEFFS: (f64, f64) = (
    (std::f64::consts::SQRT_2 + 1.0) / (4.0 * std::f64::consts::SQRT_2),
    (std::f64::consts::SQRT_2 - 1.0) / (4.0 * std::f64::consts::SQRT_2),
);

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

/// What a [`QuantumFunction`] reads from its final state.
///
/// # Example
///
/// ```
/// use qnet::prelude::*;
/// use qnet::grad::Outputs;
///
/// let z = Outputs::Observables((0..3).map(|q| PauliString::z(q).into()).collect());
/// assert_eq!(z.len(3), 3);
/// assert_eq!(Outputs::Probabilities.len(3), 8);
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Outputs {
    /// The expectations ⟨ψ|O_i|ψ⟩, one per observable.
    Observables(Vec<Observable>),
    /// The 2^n probabilities |ψ_k|² of the basis states, k in index order.
    Probabilities,
}

impl Outputs {
    /// The number of outputs on `num_qubits` qubits (for probabilities 2^n, saturating at `usize::MAX`).
    #[must_use]
    pub fn len(&self, num_qubits: usize) -> usize {
        match self {
            Outputs::Observables(o) => o.len(),
            Outputs::Probabilities if num_qubits >= usize::BITS as usize => usize::MAX,
            Outputs::Probabilities => 1usize << num_qubits,
        }
    }

    /// Whether there are no outputs (an empty list of observables).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        matches!(self, Outputs::Observables(o) if o.is_empty())
    }
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

/// Reusable buffers for one thread: the state vectors and scratch that evaluations and gradients need, so that
/// repeated calls allocate nothing. Holds three state vectors of 2^n amplitudes.
///
/// # Example
///
/// ```
/// use qnet::prelude::*;
/// use qnet::grad::{DiffMethod, Outputs, QuantumFunction};
///
/// # fn main() -> qnet::Result<()> {
/// let mut c = Circuit::new(1)?;
/// c.rx(0, Param::weight(0))?;
/// let f = QuantumFunction::new(c, Outputs::Observables(vec![Observable::sum_z(1)]))?;
/// let mut ws = f.workspace()?;
/// let (mut value, mut grad) = ([0.0], [0.0]);
/// for theta in [0.1, 0.2, 0.3] {
///     grad[0] = 0.0; // vjp_into adds to the gradients
///     f.vjp_into(DiffMethod::Adjoint, &[theta], &[], &[1.0], &mut ws, &mut value, &mut grad, None)?;
///     assert!((grad[0] + theta.sin()).abs() < 1e-12);
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Workspace {
    pub(crate) num_qubits: usize,
    pub(crate) phi: Vec<C>,
    pub(crate) lambda: Vec<C>,
    pub(crate) keep: Vec<C>,
    pub(crate) coeffs: Vec<f64>,
    pub(crate) partials: Vec<f64>,
}

impl Workspace {
    /// Buffers for circuits on `num_qubits` qubits.
    ///
    /// # Errors
    /// [`Error::ZeroQubits`] or [`Error::TooManyQubits`].
    pub fn new(num_qubits: usize) -> Result<Self> {
        let state = || StateVector::new(num_qubits).map(StateVector::into_amplitudes);
        Ok(Workspace {
            num_qubits,
            phi: state()?,
            lambda: state()?,
            keep: state()?,
            coeffs: Vec::new(),
            partials: Vec::new(),
        })
    }

    /// The number of qubits the buffers serve.
    #[must_use]
    pub fn num_qubits(&self) -> usize {
        self.num_qubits
    }
}

/// One Pauli term of one output, as bit masks (see `PauliString::masks`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Term {
    pub(crate) output: usize,
    pub(crate) coeff: f64,
    pub(crate) flip: usize,
    pub(crate) phase: usize,
    pub(crate) num_y: u32,
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
/// let f = QuantumFunction::new(c, Outputs::Observables(vec![Observable::sum_z(1)]))?;
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
    circuit: Circuit,
    outputs: Outputs,
    /// The observables' terms, grouped by output.
    terms: Vec<Term>,
    /// For each output, its range in `terms`: single-qubit Z terms from `.0`, other diagonal terms from `.1`,
    /// non-diagonal terms from `.2`, up to `.3`.
    ranges: Vec<(usize, usize, usize, usize)>,
}

impl QuantumFunction {
    /// The function reading `outputs` from the state `circuit` prepares.
    ///
    /// # Errors
    /// [`Error::TooManyQubits`] for a circuit on more than [`MAX_QUBITS`](crate::quantum::MAX_QUBITS) qubits,
    /// which no state can hold; [`Error::InvalidQubit`] when an observable acts beyond the circuit's register;
    /// [`Error::DimensionMismatch`] for an empty list of observables.
    pub fn new(circuit: Circuit, outputs: Outputs) -> Result<Self> {
        crate::quantum::state::check_max_qubits(circuit.num_qubits())?;
        let mut terms = Vec::new();
        let mut ranges = Vec::new();
        if let Outputs::Observables(observables) = &outputs {
            if observables.is_empty() {
                return Err(Error::DimensionMismatch { what: "observables", expected: 1, found: 0 });
            }
            for (output, o) in observables.iter().enumerate() {
                o.check_fits(circuit.num_qubits())?;
                let start = terms.len();
                let compiled = o.terms().iter().map(|t| {
                    let (flip, phase, num_y) = t.masks();
                    Term { output, coeff: t.coeff(), flip, phase, num_y }
                });
                let (diag, general): (Vec<Term>, Vec<Term>) = compiled.partition(|t| t.flip == 0);
                let (single, multi): (Vec<Term>, Vec<Term>) = diag.into_iter().partition(|t| t.phase.count_ones() == 1);
                terms.extend(single);
                let single_end = terms.len();
                terms.extend(multi);
                let mid = terms.len();
                terms.extend(general);
                ranges.push((start, single_end, mid, terms.len()));
            }
        }
        Ok(QuantumFunction { circuit, outputs, terms, ranges })
    }

    /// The circuit.
    #[must_use]
    pub fn circuit(&self) -> &Circuit {
        &self.circuit
    }

    /// The outputs.
    #[must_use]
    pub fn outputs(&self) -> &Outputs {
        &self.outputs
    }

    /// The circuit and the outputs, taking the function apart.
    #[cfg(feature = "serde")]
    pub(crate) fn into_parts(self) -> (Circuit, Outputs) {
        (self.circuit, self.outputs)
    }

    /// The number of outputs m.
    #[must_use]
    pub fn num_outputs(&self) -> usize {
        self.outputs.len(self.circuit.num_qubits())
    }

    /// The number of qubits.
    #[must_use]
    pub fn num_qubits(&self) -> usize {
        self.circuit.num_qubits()
    }

    /// Buffers for [`evaluate_into`](Self::evaluate_into) and [`vjp_into`](Self::vjp_into).
    ///
    /// # Errors
    /// [`Error::TooManyQubits`] when the state vectors cannot be allocated.
    pub fn workspace(&self) -> Result<Workspace> {
        Workspace::new(self.num_qubits())
    }

    pub(crate) fn check(&self, weights: &[f64], inputs: &[f64]) -> Result<()> {
        self.circuit.check_parameters(weights, inputs)
    }

    pub(crate) fn check_workspace(&self, ws: &Workspace) -> Result<()> {
        if ws.num_qubits != self.num_qubits() {
            return Err(Error::QubitCountMismatch { left: self.num_qubits(), right: ws.num_qubits });
        }
        Ok(())
    }

    /// Prepares ψ(w, x) in `buf`, with `shift = (instruction, slot, δ)` adding δ to one angle of one gate.
    pub(crate) fn prepare(&self, buf: &mut [C], weights: &[f64], inputs: &[f64], shift: Option<(usize, usize, f64)>) {
        buf.fill(ZERO);
        buf[0] = ONE;
        let instructions = self.circuit.instructions();
        let angles_of = |k: usize| {
            let mut angles = instructions[k].angles(weights, inputs);
            if let Some((at, slot, delta)) = shift {
                if at == k {
                    angles[slot] += delta;
                }
            }
            angles
        };
        let blocking = buf.len() > 1 << blocked::BLOCK_BITS;
        let mut k = 0;
        while k < instructions.len() {
            // A run of gates on low qubits goes block by block (cache blocking).
            if blocking && blocked::blockable(&instructions[k]) {
                let mut steps = [blocked::Step::Flip(0, 0); blocked::MAX_RUN];
                let (mut count, mut j) = (0, k);
                while j < instructions.len() && count < blocked::MAX_RUN && blocked::blockable(&instructions[j]) {
                    let inst = &instructions[j];
                    steps[count] = match pairs::Rot::of(inst, angles_of(j)[0], false) {
                        Some((q, a)) => {
                            let next = instructions.get(j + 1).filter(|n| blocked::blockable(n));
                            match next.and_then(|n| pairs::Rot::of(n, angles_of(j + 1)[0], false)) {
                                Some((q2, b)) if q2 == q => {
                                    j += 2;
                                    blocked::Step::Two(q, a, b)
                                }
                                _ => {
                                    j += 1;
                                    blocked::Step::One(q, a)
                                }
                            }
                        }
                        None => {
                            j += 1;
                            blocked::flip_step(inst)
                        }
                    };
                    count += 1;
                }
                if count >= 2 {
                    blocked::forward(buf, &steps[..count]);
                    k = j;
                    continue;
                }
            }
            // Two uncontrolled rotations in a row on one qubit go in one pass.
            if k + 1 < instructions.len() {
                if let (Some(q), Some(q2)) =
                    (pairs::Rot::target_of(&instructions[k]), pairs::Rot::target_of(&instructions[k + 1]))
                {
                    if q == q2 {
                        let first = pairs::Rot::of(&instructions[k], angles_of(k)[0], false);
                        let second = pairs::Rot::of(&instructions[k + 1], angles_of(k + 1)[0], false);
                        if let (Some((_, a)), Some((_, b))) = (first, second) {
                            pairs::apply_two(buf, q, a, b);
                            k += 2;
                            continue;
                        }
                    }
                }
            }
            pairs::apply(buf, &instructions[k], angles_of(k), false);
            k += 1;
        }
    }

    /// The outputs of the state `phi`, written into `out` (length m).
    pub(crate) fn values_of(&self, phi: &[C], out: &mut [f64]) {
        match self.outputs {
            Outputs::Probabilities => out.iter_mut().zip(phi).for_each(|(o, a)| *o = a.norm_sqr()),
            Outputs::Observables(_) => {
                for (o, &(start, single_end, mid, end)) in out.iter_mut().zip(&self.ranges) {
                    let mut per_qubit = [0.0; usize::BITS as usize];
                    for t in &self.terms[start..single_end] {
                        per_qubit[t.phase.trailing_zeros() as usize] += t.coeff;
                    }
                    let multi = &self.terms[single_end..mid];
                    let mut v = 0.0;
                    if mid > start {
                        let table = LowTable::new(&per_qubit, phi.len());
                        v += kernels::chunked_sum(phi.len(), |r| {
                            let mut acc = 0.0;
                            table.for_blocks(r, &per_qubit, |i, w| {
                                let mut w = w;
                                for t in multi {
                                    w += if (i & t.phase).count_ones() & 1 == 1 { -t.coeff } else { t.coeff };
                                }
                                acc += phi[i].norm_sqr() * w;
                            });
                            acc
                        });
                    }
                    for t in &self.terms[mid..end] {
                        v += (kernels::pauli_matrix_element(phi, phi, t.flip, t.phase, t.num_y) * t.coeff).re;
                    }
                    *o = v;
                }
            }
        }
    }

    /// λ = Σ_i g_i O_i φ (for probabilities, λ_k = g_k φ_k), written into `lambda`; `coeffs` is scratch.
    pub(crate) fn lambda_of(&self, phi: &[C], upstream: &[f64], lambda: &mut [C], coeffs: &mut Vec<f64>) {
        match self.outputs {
            Outputs::Probabilities => {
                lambda.iter_mut().zip(phi).zip(upstream).for_each(|((l, a), g)| *l = a * g);
            }
            Outputs::Observables(_) => {
                coeffs.clear();
                coeffs.extend(self.terms.iter().map(|t| upstream[t.output] * t.coeff));
                // Diagonal part: λ_j = φ_j Σ_t g_t c_t (−1)^{|j ∧ phase_t|}, one pass; single-qubit Z terms of
                // every output fold into one coefficient per qubit.
                let mut per_qubit = [0.0; usize::BITS as usize];
                for &(start, single_end, _, _) in &self.ranges {
                    for (t, &c) in self.terms[start..single_end].iter().zip(&coeffs[start..single_end]) {
                        per_qubit[t.phase.trailing_zeros() as usize] += c;
                    }
                }
                let table = LowTable::new(&per_qubit, phi.len());
                let ranges = &self.ranges;
                let terms = &self.terms;
                let coeffs_ref = &coeffs[..];
                table.for_blocks(0..phi.len(), &per_qubit, |i, w| {
                    let mut w = w;
                    for &(_, single_end, mid, _) in ranges {
                        for (t, &c) in terms[single_end..mid].iter().zip(&coeffs_ref[single_end..mid]) {
                            w += if (i & t.phase).count_ones() & 1 == 1 { -c } else { c };
                        }
                    }
                    lambda[i] = phi[i] * w;
                });
                // Non-diagonal terms: λ_{j ⊕ flip} += g c i^{ny} (−1)^{|j ∧ phase|} φ_j.
                for &(_, _, mid, end) in &self.ranges {
                    for (t, &c) in self.terms[mid..end].iter().zip(&coeffs[mid..end]) {
                        let factor = kernels::i_pow(t.num_y) * c;
                        for (j, a) in phi.iter().enumerate() {
                            let v = factor * a;
                            if (j & t.phase).count_ones() & 1 == 1 {
                                lambda[j ^ t.flip] -= v;
                            } else {
                                lambda[j ^ t.flip] += v;
                            }
                        }
                    }
                }
            }
        }
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
        self.check(weights, inputs)?;
        self.check_workspace(ws)?;
        check_len("outputs", self.num_outputs(), out.len())?;
        self.prepare(&mut ws.phi, weights, inputs, None);
        self.values_of(&ws.phi, out);
        Ok(())
    }

    /// The values and the Jacobians with respect to weights and inputs, by `method`.
    ///
    /// The adjoint method runs one backward sweep per output (keeping the final state in a third vector);
    /// parameter shift runs two or four circuits per use of each parameter; finite differences two per weight
    /// and per input.
    ///
    /// # Errors
    /// As [`evaluate`](Self::evaluate).
    pub fn jacobian(&self, method: DiffMethod, weights: &[f64], inputs: &[f64]) -> Result<Jacobian> {
        self.check(weights, inputs)?;
        match method {
            DiffMethod::Adjoint => super::adjoint::jacobian(self, weights, inputs),
            DiffMethod::ParameterShift => {
                super::shift::jacobian(self, weights, inputs, &mut |phi: &[C], out: &mut [f64], _: &mut Vec<C>| {
                    self.values_of(phi, out)
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
            return Err(Error::InvalidHyperParameter {
                name: "finite-difference step",
                value: step.to_string(),
                reason: "must be finite and positive",
            });
        }
        super::finite::jacobian(self, weights, inputs, step)
    }

    /// The Jacobians by parameter shift, each expectation estimated from `shots` samples with `rng` when
    /// `shots` is `Some` (see [`StateVector::sampled_expectation`]; probabilities are estimated as counts /
    /// shots), exact when `None`. The values are sampled likewise.
    ///
    /// # Errors
    /// As [`evaluate`](Self::evaluate); [`Error::InvalidHyperParameter`] for `Some(0)` shots.
    pub fn parameter_shift<R: Rng + ?Sized>(
        &self,
        weights: &[f64],
        inputs: &[f64],
        shots: Option<usize>,
        rng: &mut R,
    ) -> Result<Jacobian> {
        self.check(weights, inputs)?;
        let Some(shots) = shots else {
            return self.jacobian(DiffMethod::ParameterShift, weights, inputs);
        };
        crate::quantum::sampled::check_shots(shots)?;
        super::shift::jacobian(self, weights, inputs, &mut |phi: &[C], out: &mut [f64], scratch: &mut Vec<C>| {
            match &self.outputs {
                Outputs::Probabilities => crate::quantum::sampled::sampled_probabilities_raw(phi, shots, rng, out),
                Outputs::Observables(obs) => {
                    for (o, observable) in out.iter_mut().zip(obs) {
                        *o = crate::quantum::sampled::sampled_expectation_raw(phi, observable, shots, rng, scratch);
                    }
                }
            }
        })
    }

    /// The values and the vector-Jacobian products gᵀ∂f/∂w and gᵀ∂f/∂x for the upstream gradient g.
    ///
    /// # Errors
    /// As [`evaluate`](Self::evaluate); [`Error::DimensionMismatch`] when `upstream` is not of length m.
    pub fn vjp(&self, method: DiffMethod, weights: &[f64], inputs: &[f64], upstream: &[f64]) -> Result<Vjp> {
        let mut ws = self.workspace()?;
        let mut values = crate::bounded::filled("outputs", self.num_outputs(), 0.0)?;
        let mut wg = vec![0.0; weights.len()];
        let mut xg = vec![0.0; inputs.len()];
        self.vjp_into(method, weights, inputs, upstream, &mut ws, &mut values, &mut wg, Some(&mut xg))?;
        Ok(Vjp { values, weights: wg, inputs: xg })
    }

    /// The VJP with the caller's buffers: writes f(w, x) into `values` and **adds** gᵀ∂f/∂w to `weight_grads`
    /// and gᵀ∂f/∂x to `input_grads` (skipped when `None`, which lets the adjoint sweep stop at the last
    /// trainable gate). With [`DiffMethod::Adjoint`] nothing is allocated.
    ///
    /// # Errors
    /// As [`vjp`](Self::vjp); [`Error::DimensionMismatch`] when `values`, `weight_grads` or `input_grads`
    /// differs in length from m, `weights` or `inputs`; [`Error::QubitCountMismatch`] for a workspace of another
    /// size.
    #[allow(clippy::too_many_arguments)]
    pub fn vjp_into(
        &self,
        method: DiffMethod,
        weights: &[f64],
        inputs: &[f64],
        upstream: &[f64],
        ws: &mut Workspace,
        values: &mut [f64],
        weight_grads: &mut [f64],
        input_grads: Option<&mut [f64]>,
    ) -> Result<()> {
        self.check(weights, inputs)?;
        self.check_workspace(ws)?;
        let m = self.num_outputs();
        check_len("upstream gradient", m, upstream.len())?;
        check_len("values", m, values.len())?;
        check_len("weight gradients", weights.len(), weight_grads.len())?;
        if let Some(xg) = &input_grads {
            check_len("input gradients", inputs.len(), xg.len())?;
        }
        if method == DiffMethod::Adjoint {
            self.prepare(&mut ws.phi, weights, inputs, None);
            self.values_of(&ws.phi, values);
            self.lambda_of(&ws.phi, upstream, &mut ws.lambda, &mut ws.coeffs);
            super::adjoint::sweep(
                self,
                weights,
                inputs,
                &mut ws.phi,
                &mut ws.lambda,
                &mut ws.partials,
                weight_grads,
                input_grads,
            );
            return Ok(());
        }
        let j = self.jacobian(method, weights, inputs)?;
        values.copy_from_slice(&j.values);
        let g = nalgebra::DVector::from_column_slice(upstream);
        for (o, v) in weight_grads.iter_mut().zip((j.weights.transpose() * &g).iter()) {
            *o += v;
        }
        if let Some(xg) = input_grads {
            for (o, v) in xg.iter_mut().zip((j.inputs.transpose() * &g).iter()) {
                *o += v;
            }
        }
        Ok(())
    }
}

/// The low bits whose single-qubit Z weights are tabulated.
const TABLE_BITS: usize = 6;

/// w(i) = Σ_q a_q (1 − 2·bit_q(i)) for per-qubit coefficients a, tabulated over the low bits of i so that a
/// pass over the state adds one table entry and one per-block constant per amplitude.
struct LowTable {
    bits: usize,
    table: [f64; 1 << TABLE_BITS],
}

impl LowTable {
    fn new(a: &[f64; usize::BITS as usize], dim: usize) -> Self {
        let bits = (dim.trailing_zeros() as usize).min(TABLE_BITS);
        let mut table = [0.0; 1 << TABLE_BITS];
        table[0] = a[..bits].iter().sum();
        for k in 1..1usize << bits {
            table[k] = table[k & (k - 1)] - 2.0 * a[k.trailing_zeros() as usize];
        }
        LowTable { bits, table }
    }

    /// Calls f(i, w(i)) for every i in `range` (whose ends are multiples of the table size or the state's end).
    #[inline(always)]
    fn for_blocks(
        &self,
        range: std::ops::Range<usize>,
        a: &[f64; usize::BITS as usize],
        mut f: impl FnMut(usize, f64),
    ) {
        let size = 1usize << self.bits;
        let mut b = range.start;
        while b < range.end {
            let mut high = 0.0;
            let mut m = b >> self.bits;
            let mut q = self.bits;
            while m != 0 {
                high += if m & 1 == 1 { -a[q] } else { a[q] };
                m >>= 1;
                q += 1;
            }
            // Qubits above the index's highest set bit contribute +a_q.
            high += a[q..].iter().sum::<f64>();
            let end = (b + size).min(range.end);
            for (k, &t) in self.table[..end - b].iter().enumerate() {
                f(b + k, t + high);
            }
            b = end;
        }
    }
}

pub(crate) fn check_len(what: &'static str, expected: usize, found: usize) -> Result<()> {
    if expected != found {
        return Err(Error::DimensionMismatch { what, expected, found });
    }
    Ok(())
}
