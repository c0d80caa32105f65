//! A hybrid network: Linear → π·tanh → QuantumLayer → Linear.

mod batched;
mod builder;
mod passes;
mod tape;
#[cfg(test)]
mod tests;

use super::config::LayerConfig;
use super::linear::{Linear, LinearShape};
use super::quantum_layer::QuantumLayer;
use crate::error::{Error, Result};
use crate::grad::function::check_len;
use crate::quantum::mixed::NoiseModel;

pub use self::builder::NetworkBuilder;
pub use self::tape::BatchTape;

/// A hybrid quantum-classical network: y = L₂(f(π·tanh(L₁x), w)) where L₁ maps the input to one angle per
/// qubit, π·tanh bounds the angles to (−π, π), f is a [`QuantumLayer`] with weights w and L₂ maps its readout
/// to the output.
///
/// Its parameters form one flat vector that it owns ([`params_mut`](Self::params_mut) for an optimizer):
/// L₁ (weight row by row, then bias), then w, then L₂. The network is
/// `Send + Sync`, can be serialized (feature `serde`), and its batched forms run samples in parallel with
/// results bit-identical for any number of threads.
///
/// # Example: the whole training loop
///
/// ```
/// use qnet::prelude::*;
///
/// # fn main() -> qnet::Result<()> {
/// // XOR with two classes: 2 inputs → 2 qubits → 2 logits.
/// let xs = [0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0];
/// let ys = [0, 1, 1, 0];
/// let mut net = QuantumNetwork::builder(2, 2, 2, 2).seed(3).build()?;
/// let mut opt = Adam::new(0.1)?;
/// let mut tape = BatchTape::new(); // its buffers serve every step
/// for _ in 0..150 {
///     net.record_batch(&xs, &mut tape)?; // one forward pass per sample
///     let logits = tape.outputs();
///     // Cross-entropy upstream gradients, one per sample.
///     let mut upstream = vec![0.0; logits.len()];
///     for (s, &y) in ys.iter().enumerate() {
///         softmax_cross_entropy(&logits[2 * s..2 * s + 2], y, 1.0, &mut upstream[2 * s..2 * s + 2])?;
///     }
///     let grads = net.backward_recorded(&tape, &upstream)?; // no forward pass again
///     opt.step(net.params_mut(), &grads.params)?; // in place, nothing copied out and back
/// }
/// let logits = net.forward_batch(&xs)?;
/// for (s, &y) in ys.iter().enumerate() {
///     let predicted = if logits[2 * s + 1] > logits[2 * s] { 1 } else { 0 };
///     assert_eq!(predicted, y);
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "super::serde_repr::NetworkData", into = "super::serde_repr::NetworkData")
)]
pub struct QuantumNetwork {
    /// Every parameter, owned once: L₁ (W row by row, then b), the quantum weights w, L₂.
    pub(super) params: Vec<f64>,
    pub(super) input: LinearShape,
    pub(super) quantum: QuantumLayer,
    pub(super) output: LinearShape,
}

impl QuantumNetwork {
    /// Linear(input_dim → num_qubits), π·tanh, a [`QuantumLayer`] of `num_layers` blocks with the defaults of
    /// [`LayerConfig::new`], Linear(num_qubits → output_dim); seed 0.
    ///
    /// # Errors
    /// As [`NetworkBuilder::build`].
    pub fn new(input_dim: usize, num_qubits: usize, output_dim: usize, num_layers: usize) -> Result<Self> {
        Self::builder(input_dim, num_qubits, output_dim, num_layers).build()
    }

    /// A builder with the same shape, to change the quantum layer's settings and the seed.
    #[must_use]
    pub fn builder(input_dim: usize, num_qubits: usize, output_dim: usize, num_layers: usize) -> NetworkBuilder {
        NetworkBuilder { input_dim, output_dim, layer: LayerConfig::new(num_qubits, num_layers), seed: 0 }
    }

    /// The network of the given layers: their parameters copied into the network's one buffer.
    pub(super) fn from_layers(input: &Linear, quantum: QuantumLayer, weights: &[f64], output: &Linear) -> Self {
        let mut params = Vec::with_capacity(input.num_params() + weights.len() + output.num_params());
        params.extend_from_slice(input.params());
        params.extend_from_slice(weights);
        params.extend_from_slice(output.params());
        QuantumNetwork { params, input: input.shape(), quantum, output: output.shape() }
    }

    /// L₁'s parameters, the quantum weights and L₂'s parameters: the three parts of the buffer.
    pub(super) fn parts(&self) -> (&[f64], &[f64], &[f64]) {
        let (a, rest) = self.params.split_at(self.input.num_params());
        let (w, b) = rest.split_at(self.quantum.num_weights());
        (a, w, b)
    }

    /// The input dimension.
    #[must_use]
    pub fn input_dim(&self) -> usize {
        self.input.input_dim
    }

    /// The output dimension.
    #[must_use]
    pub fn output_dim(&self) -> usize {
        self.output.output_dim
    }

    /// The quantum layer.
    #[must_use]
    pub fn quantum_layer(&self) -> &QuantumLayer {
        &self.quantum
    }

    /// Puts the quantum layer under `noise` (an empty model: noiseless again), keeping every parameter: a
    /// network trained without noise can be evaluated under it, and one read back from a file (which keeps no
    /// noise model) given its model again.
    ///
    /// Under noise the quantum layer runs on a density state (16·4^n bytes), and a training step's backward
    /// sweep runs the noisy circuit forward again to reach the final state it un-computes from (the tape keeps
    /// no 16·4^n-byte state per sample): one pure-state forward pass per sample becomes one noisy forward pass
    /// plus the sweep's own.
    ///
    /// # Errors
    /// As [`QuantumFunction::with_noise`](crate::grad::QuantumFunction::with_noise); on error the network is
    /// unchanged.
    ///
    /// # Example
    ///
    /// ```
    /// use qnet::prelude::*;
    ///
    /// # fn main() -> qnet::Result<()> {
    /// let mut net = QuantumNetwork::new(3, 2, 2, 1)?;
    /// let x = [0.2, -0.4, 0.9];
    /// let pure = net.forward(&x)?;
    /// let mut noise = NoiseModel::new();
    /// noise.after_all_gates(Channel::depolarizing(0.05)?);
    /// net.set_noise(noise)?;
    /// assert_ne!(net.forward(&x)?, pure);
    /// net.set_noise(NoiseModel::new())?;
    /// assert_eq!(net.forward(&x)?, pure);
    /// # Ok(())
    /// # }
    /// ```
    pub fn set_noise(&mut self, noise: NoiseModel) -> Result<()> {
        self.quantum = self.quantum.clone().with_noise(noise)?;
        Ok(())
    }

    /// The noise model the quantum layer runs under, if any.
    #[must_use]
    pub fn noise(&self) -> Option<&NoiseModel> {
        self.quantum.noise()
    }

    /// The quantum layer's weights w.
    #[must_use]
    pub fn quantum_weights(&self) -> &[f64] {
        self.parts().1
    }

    /// The input linear layer L₁: a copy of its part of the parameters.
    #[must_use]
    pub fn input_layer(&self) -> Linear {
        Linear::from_shape(self.input, self.parts().0)
    }

    /// The output linear layer L₂: a copy of its part of the parameters.
    #[must_use]
    pub fn output_layer(&self) -> Linear {
        Linear::from_shape(self.output, self.parts().2)
    }

    /// The number of parameters.
    #[must_use]
    pub fn num_params(&self) -> usize {
        self.params.len()
    }

    /// The parameters as one flat vector: L₁, quantum weights, L₂.
    #[must_use]
    pub fn params(&self) -> Vec<f64> {
        self.params.clone()
    }

    /// The parameters in place, in the order of [`params`](Self::params), for an
    /// [`Optimizer`](crate::layer::Optimizer) step: `opt.step(net.params_mut(), &grads)` copies nothing out and
    /// back. A non-finite value written here is reported by the next pass ([`Error::NonFinite`]).
    ///
    /// # Example
    ///
    /// ```
    /// use qnet::prelude::*;
    ///
    /// # fn main() -> qnet::Result<()> {
    /// let mut net = QuantumNetwork::new(2, 2, 2, 1)?;
    /// let before = net.params();
    /// let grads = net.backward(&[0.5, -0.5], &[1.0, 0.0])?.params;
    /// Sgd::new(0.1)?.step(net.params_mut(), &grads)?;
    /// assert!(net.params().iter().zip(&before).zip(&grads).all(|((p, b), g)| *p == b - 0.1 * g));
    /// # Ok(())
    /// # }
    /// ```
    pub fn params_mut(&mut self) -> &mut [f64] {
        &mut self.params
    }

    /// Sets every parameter from a flat vector in the order of [`params`](Self::params).
    ///
    /// # Errors
    /// [`Error::DimensionMismatch`] for the wrong length; [`Error::NonFinite`] for NaN or ±∞.
    pub fn set_params(&mut self, params: &[f64]) -> Result<()> {
        check_len("network parameters", self.num_params(), params.len())?;
        if let Some((index, &value)) = params.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(Error::non_finite_parameter(crate::error::ParamKind::Weight, index, value));
        }
        self.params.copy_from_slice(params);
        Ok(())
    }
}
