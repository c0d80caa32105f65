//! The noisy paths of a [`QuantumFunction`] with a [`NoiseModel`]: f(w, x) read from the density state ρ(w, x)
//! that [`DensityState::run_noisy`] prepares, and its derivatives by the noisy adjoint method of
//! [`DensityState::gradient`], one backward sweep for a whole vector-Jacobian product (the upstream gradient
//! folded into the one observable Σ_i g_i O_i).
//!
//! Readout errors of the model act on [`Outputs::Probabilities`] (the confusion matrices mix the
//! probabilities, p ← M p qubit by qubit, and the sweep starts from Mᵀ g); expectation values Tr(O_i ρ) are
//! exact values of the noisy state and do not see them (readout errors act on measured bits, so they matter
//! where a device samples: [`NoiseModel::apply_readout_to_counts`]).

use nalgebra::DMatrix;
use num_complex::Complex64 as C;

use super::function::{DiffMethod, Jacobian, QuantumFunction, Vjp, FINITE_DIFFERENCE_STEP};
use super::readout::Outputs;
use crate::error::{Error, Result};
use crate::quantum::engine::Gradients;
use crate::quantum::mixed::{add_observable, DensityState, NoiseModel, NoisyGradient};
use crate::quantum::op::ZERO;

/// Adds a sweep's derivatives into `grads` (the inputs' when asked for).
fn add_gradient(g: &NoisyGradient, grads: Gradients<'_>) {
    grads.weights.iter_mut().zip(&g.weights).for_each(|(o, v)| *o += v);
    if let Some(xg) = grads.inputs {
        xg.iter_mut().zip(&g.inputs).for_each(|(o, v)| *o += v);
    }
}

impl QuantumFunction {
    /// The same function evaluated under `noise`: f(w, x) = (Tr(O_i ρ(w, x)))_i for ρ(w, x) the density state
    /// the circuit prepares with the model's channels after its gates (or ρ's probabilities, mixed by the
    /// model's readout errors), differentiated exactly by the noisy adjoint method. A model without channels
    /// or readout errors leaves the function noiseless ([`noise`](Self::noise) is `None`), every path
    /// bit-identical to the function without it, unless the circuit has channels of its own
    /// ([`Circuit::channels`](crate::quantum::Circuit::channels)): such a function is noisy whatever the model.
    ///
    /// A noisy function holds a density state of 16·4^n bytes per evaluation (allocated per call; a
    /// [`Tape`](super::Tape) keeps the one its pass left, from which [`backward`](Self::backward) sweeps back
    /// without running the circuit again), and its adjoint sweep three (more where a channel cannot be undone:
    /// see [`DensityState::gradient`]). [`DiffMethod::ParameterShift`] is not
    /// available under noise (an error); the adjoint method and finite differences are. The noise model is
    /// not serialized (feature `serde`): a function read back is noiseless until given it again.
    ///
    /// # Errors
    /// [`Error::InvalidQubit`] when a rule or a readout error of `noise` names a qubit beyond the register;
    /// [`Error::GateArity`] when a two-qubit channel of the model follows a gate of the circuit that does not
    /// act on two qubits; [`Error::TooManyQubits`] when the register's density state does not fit in memory.
    ///
    /// # Example
    ///
    /// ```
    /// use approx::assert_relative_eq;
    /// use qnet::prelude::*;
    /// use qnet::grad::{DiffMethod, Outputs};
    ///
    /// # fn main() -> qnet::Result<()> {
    /// // RX(w) then depolarizing p: ⟨Z⟩ = (1 − 4p/3) cos w, and its derivative −(1 − 4p/3) sin w.
    /// let mut c = Circuit::new(1)?;
    /// c.rx(0, Param::weight(0))?;
    /// let mut noise = NoiseModel::new();
    /// noise.after_gate("rx", Channel::depolarizing(0.1)?);
    /// let f = QuantumFunction::new(c, Outputs::Observables(vec![Observable::sum_z(1)?]))?.with_noise(noise)?;
    /// let shrink = 1.0 - 4.0 * 0.1 / 3.0;
    /// assert_relative_eq!(f.evaluate(&[0.4], &[])?[0], shrink * 0.4f64.cos(), epsilon = 1e-14);
    /// let vjp = f.vjp(DiffMethod::Adjoint, &[0.4], &[], &[2.0])?;
    /// assert_relative_eq!(vjp.weights[0], -2.0 * shrink * 0.4f64.sin(), epsilon = 1e-14);
    ///
    /// let mut far = NoiseModel::new();
    /// far.on_qubits(None, &[3], Channel::depolarizing(0.1)?);
    /// assert!(matches!(f.clone().with_noise(far), Err(Error::InvalidQubit { qubit: 3, num_qubits: 1 })));
    /// # Ok(())
    /// # }
    /// ```
    pub fn with_noise(mut self, noise: NoiseModel) -> Result<Self> {
        if noise.is_empty() && !self.circuit.has_channels() {
            self.noise = None;
            return Ok(self);
        }
        let n = self.num_qubits();
        noise.check_fits(n)?;
        for inst in self.circuit.instructions() {
            noise.channels_after(inst)?;
        }
        drop(DensityState::new(n)?);
        self.noise = Some(noise);
        Ok(self)
    }

    /// [`Error::NoisyCircuit`] when the function is noisy: `operation` simulates pure states only.
    #[cfg_attr(not(feature = "mpi"), allow(dead_code))]
    pub(crate) fn check_noiseless(&self, operation: &'static str) -> Result<()> {
        let Some(noise) = &self.noise else { return Ok(()) };
        let first_channel = self.circuit.channels().first().map(|c| c.channel().name());
        let channel = first_channel.or_else(|| noise.rule_channels().next().map(|c| c.name())).unwrap_or("readout");
        Err(Error::NoisyCircuit { channel, operation })
    }

    /// The noise model the function is evaluated under, if any.
    #[must_use]
    pub fn noise(&self) -> Option<&NoiseModel> {
        self.noise.as_ref()
    }

    /// f(w, x) of the noisy state, into `out` (length m; parameters checked by the caller).
    pub(super) fn noisy_values(
        &self,
        noise: &NoiseModel,
        weights: &[f64],
        inputs: &[f64],
        out: &mut [f64],
    ) -> Result<()> {
        let mut rho = DensityState::new(self.num_qubits())?;
        rho.run_noisy(&self.circuit, noise, weights, inputs)?;
        self.read_values(noise, &rho, out)
    }

    /// f(w, x) of the noisy state into `out`, and the state into `density` (its buffer reused when it has
    /// held one): a recorded forward pass (parameters checked by the caller).
    pub(super) fn noisy_record(
        &self,
        noise: &NoiseModel,
        weights: &[f64],
        inputs: &[f64],
        density: &mut Vec<C>,
        out: &mut [f64],
    ) -> Result<()> {
        let n = self.num_qubits();
        let mut rho = if density.len() == 1 << (2 * n) {
            let mut vec = std::mem::take(density);
            vec.fill(ZERO);
            vec[0] = C::new(1.0, 0.0);
            DensityState::from_entries_unchecked(n, vec)
        } else {
            DensityState::new(n)?
        };
        rho.run_noisy(&self.circuit, noise, weights, inputs)?;
        self.read_values(noise, &rho, out)?;
        *density = rho.into_entries();
        Ok(())
    }

    /// The outputs of `rho` into `out`: Tr(O_i ρ), or the probabilities mixed by the readout errors.
    fn read_values(&self, noise: &NoiseModel, rho: &DensityState, out: &mut [f64]) -> Result<()> {
        match &self.readout.outputs {
            Outputs::Observables(observables) => {
                for (o, observable) in out.iter_mut().zip(observables) {
                    *o = rho.expectation(observable)?;
                }
            }
            Outputs::Probabilities => {
                out.iter_mut().enumerate().for_each(|(j, o)| *o = rho.entries()[j + (j << rho.num_qubits())].re);
                noise.apply_readout(out)?;
            }
        }
        Ok(())
    }

    /// One noisy adjoint sweep for gᵀf: the gradient with respect to every weight and input the circuit reads,
    /// f(w, x) written into `values` when given (parameters and lengths checked by the caller).
    /// With `end`, the sweep starts from that state (a recorded pass's ρ(w, x)) instead of running forward.
    fn noisy_sweep(
        &self,
        noise: &NoiseModel,
        weights: &[f64],
        inputs: &[f64],
        upstream: &[f64],
        values: Option<&mut [f64]>,
        end: Option<&[C]>,
    ) -> Result<NoisyGradient> {
        let n = self.num_qubits();
        DensityState::new(n)?.gradient_seeded(&self.circuit, noise, weights, inputs, end, |rho| {
            if let Some(values) = values {
                self.read_values(noise, rho, values)?;
            }
            let mut lambda = vec![ZERO; rho.entries().len()];
            match &self.readout.outputs {
                Outputs::Observables(observables) => {
                    // Λ = vec(Σ_i g_i O_i): one sweep whatever the number of outputs.
                    for (observable, &g) in observables.iter().zip(upstream) {
                        add_observable(&mut lambda, observable, g, n);
                    }
                }
                Outputs::Probabilities => {
                    // p' = M p, so ∂(gᵀp')/∂p = Mᵀ g; Λ = Σ_k (Mᵀg)_k |k⟩⟨k|.
                    let mut g = upstream.to_vec();
                    transpose_readout(noise, &mut g);
                    g.iter().enumerate().for_each(|(k, &gk)| lambda[k + (k << n)] = C::new(gk, 0.0));
                }
            }
            Ok((0.0, lambda))
        })
    }

    /// gᵀ∂f/∂w and gᵀ∂f/∂x by one noisy adjoint sweep, added to `grads`; f(w, x) into `values` when given.
    pub(super) fn noisy_vjp_add(
        &self,
        noise: &NoiseModel,
        weights: &[f64],
        inputs: &[f64],
        upstream: &[f64],
        values: Option<&mut [f64]>,
        grads: Gradients<'_>,
    ) -> Result<()> {
        let g = self.noisy_sweep(noise, weights, inputs, upstream, values, None)?;
        add_gradient(&g, grads);
        Ok(())
    }

    /// gᵀ∂f/∂w and gᵀ∂f/∂x of a recorded pass that left the density state `end` (ρ(w, x)), added to `grads`:
    /// the backward sweep alone, the circuit not run forward again (except up to the states the sweep stores
    /// before a channel it cannot undo: see [`DensityState::gradient`]; parameters and lengths checked by the
    /// caller). A tape without a density state (recorded before the function was given its noise) runs it.
    pub(super) fn noisy_vjp_recorded(
        &self,
        noise: &NoiseModel,
        weights: &[f64],
        inputs: &[f64],
        end: &[C],
        upstream: &[f64],
        grads: Gradients<'_>,
    ) -> Result<()> {
        let end = (end.len() == 1 << (2 * self.num_qubits())).then_some(end);
        let g = self.noisy_sweep(noise, weights, inputs, upstream, None, end)?;
        add_gradient(&g, grads);
        Ok(())
    }

    /// The noisy values and vector-Jacobian products by `method` (parameters and lengths checked by the
    /// caller).
    pub(super) fn noisy_vjp(
        &self,
        noise: &NoiseModel,
        method: DiffMethod,
        weights: &[f64],
        inputs: &[f64],
        upstream: &[f64],
    ) -> Result<Vjp> {
        if method != DiffMethod::Adjoint {
            let j = self.noisy_jacobian(noise, method, weights, inputs)?;
            let g = nalgebra::DVector::from_column_slice(upstream);
            let weights = (j.weights.transpose() * &g).iter().copied().collect();
            let inputs = (j.inputs.transpose() * &g).iter().copied().collect();
            return Ok(Vjp { values: j.values, weights, inputs });
        }
        let mut values = vec![0.0; self.num_outputs()];
        let (mut wg, mut xg) = (vec![0.0; weights.len()], vec![0.0; inputs.len()]);
        let grads = Gradients { weights: &mut wg, inputs: Some(&mut xg) };
        self.noisy_vjp_add(noise, weights, inputs, upstream, Some(&mut values), grads)?;
        Ok(Vjp { values, weights: wg, inputs: xg })
    }

    /// The noisy Jacobians by `method`: one adjoint sweep per output, or central finite differences with
    /// `step` (parameters checked by the caller).
    pub(super) fn noisy_jacobian_with_step(
        &self,
        noise: &NoiseModel,
        method: DiffMethod,
        weights: &[f64],
        inputs: &[f64],
        step: f64,
    ) -> Result<Jacobian> {
        let m = self.num_outputs();
        let mut values = vec![0.0; m];
        let mut jw = DMatrix::zeros(m, weights.len());
        let mut jx = DMatrix::zeros(m, inputs.len());
        match method {
            DiffMethod::ParameterShift => {
                return Err(Error::hyper_parameter(
                    "differentiation method",
                    "parameter shift",
                    "a function under noise differentiates by the adjoint method or finite differences",
                ))
            }
            DiffMethod::Adjoint => {
                let mut unit = vec![0.0; m];
                for i in 0..m {
                    unit[i] = 1.0;
                    let g =
                        self.noisy_sweep(noise, weights, inputs, &unit, (i == 0).then_some(&mut values[..]), None)?;
                    unit[i] = 0.0;
                    g.weights.iter().enumerate().for_each(|(j, &v)| jw[(i, j)] = v);
                    g.inputs.iter().enumerate().for_each(|(j, &v)| jx[(i, j)] = v);
                }
            }
            DiffMethod::FiniteDifference => {
                self.noisy_values(noise, weights, inputs, &mut values)?;
                let (mut plus, mut minus) = (vec![0.0; m], vec![0.0; m]);
                let mut params = [weights.to_vec(), inputs.to_vec()];
                for (v, jac) in [(0, &mut jw), (1, &mut jx)] {
                    for j in 0..params[v].len() {
                        let original = params[v][j];
                        for (delta, out) in [(step, &mut plus), (-step, &mut minus)] {
                            params[v][j] = original + delta;
                            self.noisy_values(noise, &params[0], &params[1], out)?;
                        }
                        params[v][j] = original;
                        for i in 0..m {
                            jac[(i, j)] = (plus[i] - minus[i]) / (2.0 * step);
                        }
                    }
                }
            }
        }
        Ok(Jacobian { values, weights: jw, inputs: jx })
    }

    /// [`noisy_jacobian_with_step`](Self::noisy_jacobian_with_step) with [`FINITE_DIFFERENCE_STEP`].
    pub(super) fn noisy_jacobian(
        &self,
        noise: &NoiseModel,
        method: DiffMethod,
        weights: &[f64],
        inputs: &[f64],
    ) -> Result<Jacobian> {
        self.noisy_jacobian_with_step(noise, method, weights, inputs, FINITE_DIFFERENCE_STEP)
    }
}

/// g ← Mᵀ g for the readout errors of `noise` (g over the basis states, length 2^n): for each qubit with an
/// error, the pair (g₀, g₁) of indices differing in its bit becomes (M₀₀g₀ + M₀₁g₁, M₁₀g₀ + M₁₁g₁), M its
/// confusion matrix (rows the state, columns the bit read).
fn transpose_readout(noise: &NoiseModel, g: &mut [f64]) {
    for (&qubit, error) in noise.readout_errors() {
        let m = error.confusion_matrix();
        let bit = 1usize << qubit;
        for j in (0..g.len()).filter(|j| j & bit == 0) {
            let (g0, g1) = (g[j], g[j | bit]);
            g[j] = m[0][0] * g0 + m[0][1] * g1;
            g[j | bit] = m[1][0] * g0 + m[1][1] * g1;
        }
    }
}
