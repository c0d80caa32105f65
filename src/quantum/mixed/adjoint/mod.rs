//! Exact gradients of a noisy expectation Tr(O ρ) with respect to the weights and inputs of a circuit's gates
//! and the parameters of its noise model's channels, by the adjoint method on the density state: Λ = O swept
//! backwards through the adjoint of each step (Λ ← E†(Λ)), each parametrised gate contributing
//! 2 Re Tr(Λ (∂U ρ U†)) and each channel Tr(Λ ∂E(ρ)).

use num_complex::Complex64 as C;

use super::noise::NoiseModel;
use super::sequence::Sequence;
use super::state::DensityState;
use super::sweep::MAX_PROBES;
use crate::error::{Error, Result};
use crate::quantum::kernels;
use crate::quantum::op::ZERO;
use crate::quantum::{Circuit, Observable};

mod recompute;
mod steps;
mod tiled;
mod uncompute;

use steps::{ChannelOps, Run};

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

impl DensityState {
    /// Tr(O ρ) for ρ this state run through `circuit` under `noise`, with its exact gradient with respect to
    /// every weight and input the circuit's gates read, by the adjoint method: Λ = O is swept backwards
    /// through the adjoint of each gate and channel (Λ ← E†(Λ)), and a gate U(θ) contributes
    /// 2 Re Tr(Λ ∂U ρ U†)·∂θ/∂w. The states before the steps are un-computed from the final state in the
    /// same backward pass (ρ ← S⁻¹ρ, one step at a time), so the work is one forward run (the compiled plan of
    /// [`run_noisy`](Self::run_noisy)) and one backward pass, in three density states of memory. Un-applying a
    /// channel grows rounding errors by up to ‖S⁻¹‖₂ (1/(1 − 4p/3) for depolarizing p): where the growth since
    /// the last stored state would pass 10³, or at a channel that cannot be undone (amplitude damping with
    /// γ = 1), the state before the step is kept from a forward pass instead; when that would take more than √K
    /// states (K steps), the states are recomputed segment by segment from √K checkpoints (two forward
    /// passes). The state itself is not changed.
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
        self.gradient_seeded(circuit, noise, weights, inputs, None, observable_seed(observable))
    }

    /// [`gradient`](Self::gradient) with the start of the backward sweep given by `seed`: from the final state
    /// ρ it returns f(ρ) and Λ = vec(∂f/∂ρ) (for f = Tr(Oρ), vec(O)), so that one sweep differentiates any
    /// linear function of ρ, such as Σ_i g_i Tr(O_i ρ) for a vector-Jacobian product. With `end`, the final
    /// state of this run as a recorded pass left it, the sweep starts from it instead of running the circuit
    /// forward (where states are stored, a forward pass still runs up to the last of them, and the recomputing
    /// fallback runs its own). The circuit's register and parameters are checked by the caller.
    pub(crate) fn gradient_seeded(
        &self,
        circuit: &Circuit,
        noise: &NoiseModel,
        weights: &[f64],
        inputs: &[f64],
        end: Option<&[C]>,
        seed: impl FnOnce(&DensityState) -> Result<(f64, Vec<C>)>,
    ) -> Result<NoisyGradient> {
        self.sweep(circuit, noise, weights, inputs, end, seed, Sweep::Best).map(|(g, _)| g)
    }

    /// The gradient by `sweep` (from the final state `end` when given), with the steps before which the
    /// un-computing sweep stores the state (or `None` when it is not taken).
    #[allow(clippy::too_many_arguments)]
    fn sweep(
        &self,
        circuit: &Circuit,
        noise: &NoiseModel,
        weights: &[f64],
        inputs: &[f64],
        end: Option<&[C]>,
        seed: impl FnOnce(&DensityState) -> Result<(f64, Vec<C>)>,
        sweep: Sweep,
    ) -> Result<(NoisyGradient, Option<Vec<usize>>)> {
        let n = self.num_qubits();
        let sequence = Sequence::new(circuit, noise, weights, inputs)?;
        let channels: Vec<ChannelOps> = sequence.channels.iter().map(ChannelOps::new).collect();
        let steps = steps::steps(circuit, &sequence, &channels, weights, inputs);
        let run = Run { circuit, weights, inputs, n, channels, num_rules: sequence.num_rules };
        // Un-computing, with at most about √K states stored (K steps); recomputing otherwise.
        let stored = uncompute::stored_before(&run, &steps);
        let budget = (steps.len() as f64).sqrt().ceil() as usize;
        let probes_fit = run.channels.iter().all(|c| c.derivatives.len() <= MAX_PROBES);
        if stored.len() > budget || !probes_fit || sweep == Sweep::Recompute {
            return Ok((recompute::recomputed(self.entries(), &run, &steps, seed)?, None));
        }
        let end = match end {
            Some(end) => DensityState::from_entries_unchecked(n, recompute::try_clone(end, n)?),
            None => {
                let mut end = self.clone();
                end.run_noisy(circuit, noise, weights, inputs)?;
                end
            }
        };
        let kept = stored.clone();
        Ok((uncompute::uncomputed(self, end, &run, &steps, stored, seed)?, Some(kept)))
    }

    /// [`gradient`](Self::gradient) by the recomputing sweep, and by the best one with the steps before which
    /// it stores the state when it un-computes (`None`: it recomputed too).
    #[cfg(test)]
    pub(super) fn gradient_both_ways(
        &self,
        circuit: &Circuit,
        noise: &NoiseModel,
        observable: &Observable,
        weights: &[f64],
        inputs: &[f64],
    ) -> Result<(NoisyGradient, NoisyGradient, Option<Vec<usize>>)> {
        let seed = observable_seed(observable);
        let (best, stored) = self.sweep(circuit, noise, weights, inputs, None, seed, Sweep::Best)?;
        let (recomputed, _) = self.sweep(circuit, noise, weights, inputs, None, seed, Sweep::Recompute)?;
        Ok((best, recomputed, stored))
    }
}

/// The kind of each step of the sweep over `circuit` under `noise` ("local", "local-x" for a local step whose
/// derivatives read the X pattern's sums, "gate2", "gate" or "channel2"), for tests that the fast paths are
/// taken.
#[cfg(test)]
pub(super) fn step_kinds(circuit: &Circuit, noise: &NoiseModel, weights: &[f64], inputs: &[f64]) -> Vec<&'static str> {
    let sequence = Sequence::new(circuit, noise, weights, inputs).unwrap();
    let channels: Vec<ChannelOps> = sequence.channels.iter().map(ChannelOps::new).collect();
    steps::steps(circuit, &sequence, &channels, weights, inputs)
        .iter()
        .map(|step| match step {
            steps::Step::Local { sums: Some(crate::quantum::kernels::Sums::XPattern), .. } => "local-x",
            steps::Step::Local { .. } => "local",
            steps::Step::Gate2 { .. } => "gate2",
            steps::Step::Gate(_) => "gate",
            steps::Step::Channel2 { .. } => "channel2",
        })
        .collect()
}

/// The windows of the un-computing sweep over `circuit` under `noise` with the states before `stored` kept, in
/// order: ("alone", [step], 0), ("blocked", steps, 0) or ("tiled", steps, the tile's high bits).
#[cfg(test)]
pub(super) fn sweep_windows(
    circuit: &Circuit,
    noise: &NoiseModel,
    weights: &[f64],
    inputs: &[f64],
    stored: &[usize],
) -> Vec<(&'static str, Vec<usize>, usize)> {
    let sequence = Sequence::new(circuit, noise, weights, inputs).unwrap();
    let channels: Vec<ChannelOps> = sequence.channels.iter().map(ChannelOps::new).collect();
    let steps = steps::steps(circuit, &sequence, &channels, weights, inputs);
    let n = circuit.num_qubits();
    let run = Run { circuit, weights, inputs, n, channels, num_rules: sequence.num_rules };
    uncompute::sweep_windows(&run, &steps, stored)
        .into_iter()
        .map(|window| match window {
            tiled::Window::Alone(i) => ("alone", vec![i], 0),
            tiled::Window::Steps(order, None) => ("blocked", order, 0),
            tiled::Window::Steps(order, Some(high)) => ("tiled", order, high),
        })
        .collect()
}

/// The start of the sweep for f = Tr(Oρ): f and Λ = vec(O).
fn observable_seed(observable: &Observable) -> impl Fn(&DensityState) -> Result<(f64, Vec<C>)> + Copy + '_ {
    move |rho| {
        let mut lambda = vec![ZERO; rho.entries().len()];
        add_observable(&mut lambda, observable, 1.0, rho.num_qubits());
        Ok((rho.expectation(observable)?, lambda))
    }
}

/// Which backward sweep to take.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Sweep {
    /// Un-computing when at most about √K states need storing, recomputing otherwise.
    Best,
    /// Recomputing (for tests).
    #[cfg_attr(not(test), allow(dead_code))]
    Recompute,
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
