//! The quantum layer: angle encoding, an entangling ansatz, a readout, and its gradients.

use rand::{Rng, RngExt};

use super::batch;
use super::config::LayerConfig;
use super::gradients::LayerGradients;
use crate::bounded;
use crate::error::{Error, Result};
use crate::grad::function::check_len;
use crate::grad::{DiffMethod, Gradients, QuantumFunction};
use crate::quantum::mixed::NoiseModel;
use crate::quantum::Circuit;

/// A trainable quantum layer: inputs x ∈ ℝ^n enter as rotation angles, L blocks of trainable rotations and
/// CNOTs follow, and the readout gives ⟨Z_i⟩ (or more) — the analogue of PennyLane's TorchLayer around
/// AngleEmbedding and BasicEntanglerLayers / StronglyEntanglingLayers.
///
/// The layer holds no weights: they are passed to [`forward`](Self::forward) and
/// [`backward`](Self::backward), as a slice of length [`num_weights`](Self::num_weights). Batched forms run
/// samples in parallel (feature `parallel`) with results bit-identical for any thread count.
///
/// # Example
///
/// ```
/// use qnet::prelude::*;
/// use approx::assert_relative_eq;
/// use rand::SeedableRng;
///
/// # fn main() -> qnet::Result<()> {
/// let layer = QuantumLayer::new(2, 1)?; // strongly entangling, ⟨Z0⟩ and ⟨Z1⟩
/// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
/// let weights = layer.init_weights(&mut rng);
/// let x = [0.3, -0.8];
/// let y = layer.forward(&weights, &x)?;
/// assert_eq!(y.len(), 2);
///
/// // backward gives ∂(gᵀy)/∂x and ∂(gᵀy)/∂w; check one input against a finite difference.
/// let g = [1.0, 0.5];
/// let grads = layer.backward(&weights, &x, &g)?;
/// assert_eq!(grads.params.len(), layer.num_weights());
/// let h = 1e-6;
/// let f = |x0: f64| -> qnet::Result<f64> {
///     let y = layer.forward(&weights, &[x0, x[1]])?;
///     Ok(g[0] * y[0] + g[1] * y[1])
/// };
/// assert_relative_eq!(grads.inputs[0], (f(x[0] + h)? - f(x[0] - h)?) / (2.0 * h), epsilon = 1e-8);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "super::serde_repr::LayerData", into = "super::serde_repr::LayerData")
)]
pub struct QuantumLayer {
    pub(super) config: LayerConfig,
    pub(super) function: QuantumFunction,
    pub(super) num_weights: usize,
}

impl QuantumLayer {
    /// A layer with the defaults of [`LayerConfig::new`].
    ///
    /// # Errors
    /// As [`LayerConfig::check`].
    pub fn new(num_qubits: usize, num_layers: usize) -> Result<Self> {
        LayerConfig::new(num_qubits, num_layers).build()
    }

    /// The settings.
    #[must_use]
    pub fn config(&self) -> &LayerConfig {
        &self.config
    }

    /// The circuit (inputs `Param::input(i)`, weights `Param::weight(k)`).
    #[must_use]
    pub fn circuit(&self) -> &Circuit {
        self.function.circuit()
    }

    /// The differentiable function behind the layer.
    #[must_use]
    pub fn function(&self) -> &QuantumFunction {
        &self.function
    }

    /// The number of qubits n.
    #[must_use]
    pub fn num_qubits(&self) -> usize {
        self.config.num_qubits
    }

    /// The input dimension, n.
    #[must_use]
    pub fn num_inputs(&self) -> usize {
        self.config.num_qubits
    }

    /// The number of weights.
    #[must_use]
    pub fn num_weights(&self) -> usize {
        self.num_weights
    }

    /// The number of outputs.
    #[must_use]
    pub fn num_outputs(&self) -> usize {
        self.function.num_outputs()
    }

    /// The differentiation method.
    #[must_use]
    pub fn diff_method(&self) -> DiffMethod {
        self.config.diff_method
    }

    /// The same layer under `noise` (an empty model: noiseless), as [`LayerConfig::noise`] sets it.
    ///
    /// # Errors
    /// As [`QuantumFunction::with_noise`].
    ///
    /// # Example
    ///
    /// ```
    /// use qnet::prelude::*;
    ///
    /// # fn main() -> qnet::Result<()> {
    /// let layer = QuantumLayer::new(2, 1)?;
    /// let mut noise = NoiseModel::new();
    /// noise.on_qubits(None, &[2], Channel::depolarizing(0.1)?);
    /// assert!(matches!(layer.clone().with_noise(noise), Err(Error::InvalidQubit { qubit: 2, num_qubits: 2 })));
    /// let noisy = layer.with_noise(NoiseModel::new())?;
    /// assert!(noisy.noise().is_none());
    /// # Ok(())
    /// # }
    /// ```
    pub fn with_noise(mut self, noise: NoiseModel) -> Result<Self> {
        self.function = self.function.with_noise(noise)?;
        self.config.noise = self.function.noise().cloned();
        Ok(self)
    }

    /// The noise model the layer runs under, if any.
    #[must_use]
    pub fn noise(&self) -> Option<&NoiseModel> {
        self.function.noise()
    }

    /// Initial weights drawn uniformly from [0, 2π), as PennyLane's TorchLayer does.
    #[must_use]
    pub fn init_weights<R: Rng + ?Sized>(&self, rng: &mut R) -> Vec<f64> {
        (0..self.num_weights).map(|_| rng.random_range(0.0..std::f64::consts::TAU)).collect()
    }

    fn check_weights(&self, weights: &[f64]) -> Result<()> {
        if weights.len() != self.num_weights {
            return Err(Error::ParameterCount {
                kind: crate::error::ParamKind::Weight,
                expected: self.num_weights,
                found: weights.len(),
            });
        }
        Ok(())
    }

    fn check_inputs(&self, inputs: &[f64]) -> Result<()> {
        check_len("quantum layer input", self.num_inputs(), inputs.len())
    }

    /// The outputs for one input vector x (length n).
    ///
    /// # Errors
    /// [`Error::DimensionMismatch`] for an input of the wrong length, [`Error::ParameterCount`] for weights of
    /// the wrong length, [`Error::NonFinite`] for NaN or ±∞.
    pub fn forward(&self, weights: &[f64], inputs: &[f64]) -> Result<Vec<f64>> {
        self.check_inputs(inputs)?;
        self.check_weights(weights)?;
        self.function.evaluate(weights, inputs)
    }

    /// ∂(gᵀy)/∂x and ∂(gᵀy)/∂w for the upstream gradient g = ∂L/∂y, by the layer's [`DiffMethod`].
    ///
    /// # Errors
    /// As [`forward`](Self::forward); [`Error::DimensionMismatch`] when `upstream` is not of length
    /// [`num_outputs`](Self::num_outputs).
    pub fn backward(&self, weights: &[f64], inputs: &[f64], upstream: &[f64]) -> Result<LayerGradients> {
        self.check_inputs(inputs)?;
        self.check_weights(weights)?;
        let v = self.function.vjp(self.config.diff_method, weights, inputs, upstream)?;
        Ok(LayerGradients { inputs: v.inputs, params: v.weights })
    }

    fn batch_size(&self, inputs: &[f64]) -> Result<usize> {
        let n = self.num_inputs();
        if !inputs.len().is_multiple_of(n) {
            return Err(Error::DimensionMismatch {
                what: "batch of quantum layer inputs (a multiple of the input dimension)",
                expected: inputs.len().div_ceil(n) * n,
                found: inputs.len(),
            });
        }
        Ok(inputs.len() / n)
    }

    /// The outputs for a batch: `inputs` holds the samples one after another (row-major, n values each); the
    /// result holds their outputs likewise. Samples run in parallel (feature `parallel`), bit-identically for
    /// any thread count.
    ///
    /// # Errors
    /// As [`forward`](Self::forward); [`Error::DimensionMismatch`] when `inputs.len()` is not a multiple of n;
    /// [`Error::TooLarge`] when the outputs cannot be allocated.
    pub fn forward_batch(&self, weights: &[f64], inputs: &[f64]) -> Result<Vec<f64>> {
        self.check_weights(weights)?;
        let b = self.batch_size(inputs)?;
        let (n, m) = (self.num_inputs(), self.num_outputs());
        let mut out = bounded::table("batch of quantum layer outputs", b, m, 0.0)?;
        batch::run(
            b,
            &mut out,
            m,
            &mut [],
            0,
            0,
            || self.function.workspace(),
            |ws, range, rows, _| {
                for (k, s) in range.enumerate() {
                    self.function.evaluate_into(
                        weights,
                        &inputs[s * n..(s + 1) * n],
                        ws,
                        &mut rows.a[k * m..(k + 1) * m],
                    )?;
                }
                Ok(())
            },
        )?;
        Ok(out)
    }

    /// The batched backward pass: `upstream` holds one gradient per sample (m values each). Returns the input
    /// gradients per sample (n values each) and the weight gradient summed over the batch (partial sums per
    /// fixed chunk of samples, added in order: bit-identical for any thread count).
    ///
    /// # Errors
    /// As [`forward_batch`](Self::forward_batch); [`Error::DimensionMismatch`] when `upstream` does not hold m
    /// values per sample.
    pub fn backward_batch(&self, weights: &[f64], inputs: &[f64], upstream: &[f64]) -> Result<LayerGradients> {
        self.check_weights(weights)?;
        let b = self.batch_size(inputs)?;
        let (n, m) = (self.num_inputs(), self.num_outputs());
        check_len(
            "batch of upstream gradients",
            bounded::product("batch of upstream gradients", b, m)?,
            upstream.len(),
        )?;
        let mut input_grads = vec![0.0; b * n];
        let method = self.config.diff_method;
        let f = &self.function;
        let init = || Ok((f.workspace()?, f.tape()?));
        let weight_grads =
            batch::run(b, &mut input_grads, n, &mut [], 0, self.num_weights, init, |(ws, tape), range, rows, wg| {
                for (k, s) in range.enumerate() {
                    let xg = &mut rows.a[k * n..(k + 1) * n];
                    let (x, g) = (&inputs[s * n..(s + 1) * n], &upstream[s * m..(s + 1) * m]);
                    let grads = Gradients { weights: &mut *wg, inputs: Some(xg) };
                    f.vjp_recorded(method, weights, x, g, ws, tape, grads)?;
                }
                Ok(())
            })?;
        Ok(LayerGradients { inputs: input_grads, params: weight_grads })
    }
}
