//! A hybrid network: Linear → π·tanh → QuantumLayer → Linear.

mod batched;
mod builder;
mod passes;
mod tape;
#[cfg(test)]
mod tests;

use super::config::LayerConfig;
use super::linear::Linear;
use super::quantum_layer::QuantumLayer;
use crate::error::{Error, Result};
use crate::grad::function::check_len;

pub use self::builder::NetworkBuilder;
pub use self::tape::BatchTape;

/// A hybrid quantum-classical network: y = L₂(f(π·tanh(L₁x), w)) where L₁ maps the input to one angle per
/// qubit, π·tanh bounds the angles to (−π, π), f is a [`QuantumLayer`] with weights w and L₂ maps its readout
/// to the output.
///
/// Its parameters form one flat vector: L₁ (weight row by row, then bias), then w, then L₂. The network is
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
/// let mut params = net.params();
/// let mut opt = Adam::new(0.1)?;
/// for _ in 0..150 {
///     let logits = net.forward_batch(&xs)?;
///     // Cross-entropy upstream gradients, one per sample.
///     let mut upstream = vec![0.0; logits.len()];
///     for (s, &y) in ys.iter().enumerate() {
///         softmax_cross_entropy(&logits[2 * s..2 * s + 2], y, 1.0, &mut upstream[2 * s..2 * s + 2])?;
///     }
///     let grads = net.backward_batch(&xs, &upstream)?;
///     opt.step(&mut params, &grads.params)?;
///     net.set_params(&params)?;
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
    pub(super) input: Linear,
    pub(super) quantum: QuantumLayer,
    pub(super) weights: Vec<f64>,
    pub(super) output: Linear,
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

    /// The input dimension.
    #[must_use]
    pub fn input_dim(&self) -> usize {
        self.input.input_dim()
    }

    /// The output dimension.
    #[must_use]
    pub fn output_dim(&self) -> usize {
        self.output.output_dim()
    }

    /// The quantum layer.
    #[must_use]
    pub fn quantum_layer(&self) -> &QuantumLayer {
        &self.quantum
    }

    /// The input linear layer L₁.
    #[must_use]
    pub fn input_layer(&self) -> &Linear {
        &self.input
    }

    /// The output linear layer L₂.
    #[must_use]
    pub fn output_layer(&self) -> &Linear {
        &self.output
    }

    /// The number of parameters.
    #[must_use]
    pub fn num_params(&self) -> usize {
        self.input.num_params() + self.weights.len() + self.output.num_params()
    }

    /// The parameters as one flat vector: L₁, quantum weights, L₂.
    #[must_use]
    pub fn params(&self) -> Vec<f64> {
        let mut p = vec![0.0; self.num_params()];
        self.params_into(&mut p);
        p
    }

    /// Writes the parameters into `out`, of length [`num_params`](Self::num_params).
    fn params_into(&self, out: &mut [f64]) {
        let (a, rest) = out.split_at_mut(self.input.num_params());
        let (w, b) = rest.split_at_mut(self.weights.len());
        self.input.params_into(a).expect("sized by the caller");
        w.copy_from_slice(&self.weights);
        self.output.params_into(b).expect("sized by the caller");
    }

    /// Whether the parameters are `params`, bit for bit.
    fn params_equal(&self, params: &[f64]) -> bool {
        let mut now = vec![0.0; self.num_params()];
        self.params_into(&mut now);
        now.iter().map(|v| v.to_bits()).eq(params.iter().map(|v| v.to_bits()))
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
        let (a, rest) = params.split_at(self.input.num_params());
        let (w, b) = rest.split_at(self.weights.len());
        self.input.set_params(a)?;
        self.weights.copy_from_slice(w);
        self.output.set_params(b)?;
        Ok(())
    }
}
