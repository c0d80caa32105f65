//! A hybrid network: Linear → π·tanh → QuantumLayer → Linear.

use rand::SeedableRng;

use super::batch;
use super::config::{Ansatz, LayerConfig, Readout, Rotation, Topology};
use super::gradients::{ForwardBackward, LayerGradients};
use super::linear::Linear;
use super::quantum_layer::QuantumLayer;
use crate::bounded;
use crate::error::{Error, Result};
use crate::grad::function::check_len;
use crate::grad::{DiffMethod, Gradients, Tape, Workspace};

/// The settings of a [`QuantumNetwork`]: its shape, the quantum layer's settings and the seed of its initial
/// parameters.
///
/// # Example
///
/// ```
/// use qnet::prelude::*;
/// use qnet::layer::Ansatz;
/// use qnet::layer::Rotation;
///
/// # fn main() -> qnet::Result<()> {
/// let net = QuantumNetwork::builder(4, 3, 2, 2)
///     .ansatz(Ansatz::BasicEntangler(Rotation::Y))
///     .readout(Readout::PauliZWithNeighbours)
///     .diff_method(DiffMethod::ParameterShift)
///     .seed(7)
///     .build()?;
/// // Linear 4→3 (15), quantum 2 blocks × 3 (6), Linear 5→2 (12).
/// assert_eq!(net.num_params(), 15 + 6 + 12);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct NetworkBuilder {
    input_dim: usize,
    output_dim: usize,
    layer: LayerConfig,
    seed: u64,
}

impl NetworkBuilder {
    /// Sets the encoding rotation (default RX).
    #[must_use]
    pub fn encoding(mut self, rotation: Rotation) -> Self {
        self.layer = self.layer.encoding(rotation);
        self
    }

    /// Sets data re-uploading before every block (default false).
    #[must_use]
    pub fn reupload(mut self, reupload: bool) -> Self {
        self.layer = self.layer.reupload(reupload);
        self
    }

    /// Sets the ansatz (default [`Ansatz::StronglyEntangling`]).
    #[must_use]
    pub fn ansatz(mut self, ansatz: Ansatz) -> Self {
        self.layer = self.layer.ansatz(ansatz);
        self
    }

    /// Sets the entangler topology (default [`Topology::Ring`]).
    #[must_use]
    pub fn topology(mut self, topology: Topology) -> Self {
        self.layer = self.layer.topology(topology);
        self
    }

    /// Sets the readout (default [`Readout::PauliZ`]).
    #[must_use]
    pub fn readout(mut self, readout: Readout) -> Self {
        self.layer = self.layer.readout(readout);
        self
    }

    /// Sets the differentiation method (default [`DiffMethod::Adjoint`]).
    #[must_use]
    pub fn diff_method(mut self, method: DiffMethod) -> Self {
        self.layer = self.layer.diff_method(method);
        self
    }

    /// Sets the seed of the initial parameters (default 0): the same seed gives the same network.
    #[must_use]
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// The network: Xavier-initialised linear layers and quantum weights uniform in [0, 2π), all drawn from
    /// ChaCha8 seeded with the seed.
    ///
    /// # Errors
    /// [`Error::ZeroQubits`], [`Error::InvalidHyperParameter`] for a zero dimension or zero layers.
    pub fn build(self) -> Result<QuantumNetwork> {
        let quantum = self.layer.build()?;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(self.seed);
        let input = Linear::new(self.input_dim, quantum.num_inputs(), &mut rng)?;
        let weights = quantum.init_weights(&mut rng);
        let output = Linear::new(quantum.num_outputs(), self.output_dim, &mut rng)?;
        Ok(QuantumNetwork { input, quantum, weights, output })
    }
}

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

/// Per-chunk buffers of the network's passes.
struct Scratch {
    ws: Workspace,
    tape: Tape,
    z: Vec<f64>,
    angles: Vec<f64>,
    q: Vec<f64>,
    gq: Vec<f64>,
    ga: Vec<f64>,
    y: Vec<f64>,
    gy: Vec<f64>,
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
        let (a, rest) = p.split_at_mut(self.input.num_params());
        let (w, b) = rest.split_at_mut(self.weights.len());
        self.input.params_into(a).expect("sized above");
        w.copy_from_slice(&self.weights);
        self.output.params_into(b).expect("sized above");
        p
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

    fn scratch(&self) -> Result<Scratch> {
        let (n, m) = (self.quantum.num_inputs(), self.quantum.num_outputs());
        Ok(Scratch {
            ws: self.quantum.function().workspace()?,
            tape: self.quantum.function().tape()?,
            z: vec![0.0; n],
            angles: vec![0.0; n],
            q: vec![0.0; m],
            gq: vec![0.0; m],
            ga: vec![0.0; n],
            y: vec![0.0; self.output_dim()],
            gy: vec![0.0; self.output_dim()],
        })
    }

    fn check_input(&self, x: &[f64]) -> Result<()> {
        check_len("network input", self.input_dim(), x.len())?;
        if let Some((index, &value)) = x.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(Error::non_finite_parameter(crate::error::ParamKind::Input, index, value));
        }
        Ok(())
    }

    /// Angles a = π·tanh(L₁x) into the scratch.
    fn encode(&self, x: &[f64], s: &mut Scratch) -> Result<()> {
        self.check_input(x)?;
        self.input.forward_into(x, &mut s.z)?;
        for (a, z) in s.angles.iter_mut().zip(&s.z) {
            *a = std::f64::consts::PI * z.tanh();
        }
        Ok(())
    }

    fn forward_one(&self, x: &[f64], s: &mut Scratch, out: &mut [f64]) -> Result<()> {
        self.encode(x, s)?;
        self.quantum.function().evaluate_into(&self.weights, &s.angles, &mut s.ws, &mut s.q)?;
        self.output.forward_into(&s.q, out)
    }

    /// One sample's forward pass and VJP: y written into `out`, the upstream gradient g = `upstream_of(y)`
    /// into `s.gy`, ∂(gᵀy)/∂x into `xg`, ∂(gᵀy)/∂θ added to `pg`. With the adjoint method the quantum state of
    /// the forward pass serves the backward sweep: one forward pass per sample.
    fn step_one<U>(
        &self,
        x: &[f64],
        s: &mut Scratch,
        out: &mut [f64],
        upstream_of: U,
        xg: &mut [f64],
        pg: &mut [f64],
    ) -> Result<()>
    where
        U: FnOnce(&[f64], &mut [f64]) -> Result<()>,
    {
        self.encode(x, s)?;
        let f = self.quantum.function();
        let method = self.quantum.diff_method();
        f.forward_into(&self.weights, &s.angles, &mut s.tape)?;
        s.q.copy_from_slice(s.tape.values());
        self.output.forward_into(&s.q, out)?;
        upstream_of(out, &mut s.gy)?;
        let g = &s.gy;
        let (p1, rest) = pg.split_at_mut(self.input.num_params());
        let (pw, p2) = rest.split_at_mut(self.weights.len());
        // g_q = L₂ᵀ g.
        let w2 = self.output.weight();
        for (c, gq) in s.gq.iter_mut().enumerate() {
            *gq = (0..w2.nrows()).map(|r| w2[(r, c)] * g[r]).sum();
        }
        s.ga.fill(0.0);
        let grads = Gradients { weights: pw, inputs: Some(&mut s.ga) };
        f.vjp_recorded(method, &self.weights, &s.angles, &s.gq, &mut s.ws, &mut s.tape, grads)?;
        let cols = w2.ncols();
        for (r, &gr) in g.iter().enumerate() {
            for (c, &qc) in s.q.iter().enumerate() {
                p2[r * cols + c] += gr * qc;
            }
            p2[w2.len() + r] += gr;
        }
        // Through π·tanh: ∂a/∂z = π(1 − tanh²z); reuse `ga` for g_z.
        for (ga, z) in s.ga.iter_mut().zip(&s.z) {
            let t = z.tanh();
            *ga *= std::f64::consts::PI * (1.0 - t * t);
        }
        self.input.backward_into(x, &s.ga, xg, p1)
    }

    /// Writes ∂(gᵀy)/∂x into `xg` and adds ∂(gᵀy)/∂θ to `pg`.
    fn backward_one(&self, x: &[f64], g: &[f64], s: &mut Scratch, xg: &mut [f64], pg: &mut [f64]) -> Result<()> {
        check_len("network upstream gradient", self.output_dim(), g.len())?;
        let mut out = std::mem::take(&mut s.y);
        let r = self.step_one(
            x,
            s,
            &mut out,
            |_, gy| {
                gy.copy_from_slice(g);
                Ok(())
            },
            xg,
            pg,
        );
        s.y = out;
        r
    }

    /// The output y for one input x.
    ///
    /// # Errors
    /// [`Error::DimensionMismatch`] for an input of the wrong length, [`Error::NonFinite`] for NaN or
    /// ±∞ in it.
    pub fn forward(&self, x: &[f64]) -> Result<Vec<f64>> {
        let mut out = vec![0.0; self.output_dim()];
        self.forward_one(x, &mut self.scratch()?, &mut out)?;
        Ok(out)
    }

    /// ∂(gᵀy)/∂x and ∂(gᵀy)/∂θ for one input x and the upstream gradient g = ∂L/∂y; θ in the order of
    /// [`params`](Self::params).
    ///
    /// # Errors
    /// As [`forward`](Self::forward); [`Error::DimensionMismatch`] when `upstream` is not of the output length.
    pub fn backward(&self, x: &[f64], upstream: &[f64]) -> Result<LayerGradients> {
        let mut xg = vec![0.0; self.input_dim()];
        let mut pg = vec![0.0; self.num_params()];
        self.backward_one(x, upstream, &mut self.scratch()?, &mut xg, &mut pg)?;
        Ok(LayerGradients { inputs: xg, params: pg })
    }

    fn batch_size(&self, xs: &[f64]) -> Result<usize> {
        let d = self.input_dim();
        if xs.len() % d != 0 {
            return Err(Error::DimensionMismatch {
                what: "batch of network inputs (a multiple of the input dimension)",
                expected: xs.len().div_ceil(d) * d,
                found: xs.len(),
            });
        }
        Ok(xs.len() / d)
    }

    /// The outputs for a batch: `xs` holds the samples one after another (input_dim values each), the result
    /// their outputs likewise. Parallel over samples (feature `parallel`), bit-identical for any thread count.
    ///
    /// # Errors
    /// As [`forward`](Self::forward); [`Error::DimensionMismatch`] when `xs.len()` is not a multiple of the
    /// input dimension; [`Error::TooLarge`] when the outputs cannot be allocated.
    pub fn forward_batch(&self, xs: &[f64]) -> Result<Vec<f64>> {
        let b = self.batch_size(xs)?;
        let (d, o) = (self.input_dim(), self.output_dim());
        let mut out = bounded::table("batch of network outputs", b, o, 0.0)?;
        batch::run(
            b,
            &mut out,
            o,
            &mut [],
            0,
            0,
            || self.scratch(),
            |s, range, rows, _| {
                for (k, i) in range.enumerate() {
                    self.forward_one(&xs[i * d..(i + 1) * d], s, &mut rows.a[k * o..(k + 1) * o])?;
                }
                Ok(())
            },
        )?;
        Ok(out)
    }

    /// The batched backward pass for upstream gradients `upstream` (output_dim values per sample): the input
    /// gradients per sample and the parameter gradient summed over the batch, bit-identical for any thread
    /// count. Allocates per chunk of samples, never per sample.
    ///
    /// # Errors
    /// As [`forward_batch`](Self::forward_batch); [`Error::DimensionMismatch`] when `upstream` does not hold
    /// output_dim values per sample.
    pub fn backward_batch(&self, xs: &[f64], upstream: &[f64]) -> Result<LayerGradients> {
        let b = self.batch_size(xs)?;
        let (d, o) = (self.input_dim(), self.output_dim());
        check_len(
            "batch of upstream gradients",
            bounded::product("batch of upstream gradients", b, o)?,
            upstream.len(),
        )?;
        let mut xg = vec![0.0; b * d];
        let pg = batch::run(
            b,
            &mut xg,
            d,
            &mut [],
            0,
            self.num_params(),
            || self.scratch(),
            |s, range, rows, pg| {
                for (k, i) in range.enumerate() {
                    let (x, g) = (&xs[i * d..(i + 1) * d], &upstream[i * o..(i + 1) * o]);
                    self.backward_one(x, g, s, &mut rows.a[k * d..(k + 1) * d], pg)?;
                }
                Ok(())
            },
        )?;
        Ok(LayerGradients { inputs: xg, params: pg })
    }

    /// A training step's passes over a batch in one go: for each sample, the forward pass y, the upstream
    /// gradient `upstream_of(sample, y, g)` (for example a loss gradient, written into g), and the backward pass.
    /// Returns the outputs (output_dim per sample), the input gradients (input_dim per sample) and the parameter
    /// gradient summed over the batch. With the adjoint method each sample's circuit runs once, where
    /// [`forward_batch`](Self::forward_batch) then [`backward_batch`](Self::backward_batch) run it twice.
    /// Bit-identical for any thread count; allocates per chunk of samples, never per sample.
    ///
    /// # Errors
    /// As [`forward_batch`](Self::forward_batch), and any error `upstream_of` returns.
    ///
    /// # Example
    ///
    /// ```
    /// use qnet::prelude::*;
    ///
    /// # fn main() -> qnet::Result<()> {
    /// let net = QuantumNetwork::new(3, 2, 2, 1)?;
    /// let xs = [0.1, 0.2, 0.3, -0.3, 0.0, 0.9];
    /// let labels = [0usize, 1];
    /// let step = net.forward_backward_batch(&xs, |s, y, g| softmax_cross_entropy(y, labels[s], 1.0, g).map(|_| ()))?;
    /// let (logits, grads) = (&step.outputs, &step.gradients.params);
    /// // The same as the two separate passes.
    /// assert_eq!(logits, &net.forward_batch(&xs)?);
    /// let mut up = vec![0.0; 4];
    /// for s in 0..2 {
    ///     softmax_cross_entropy(&logits[2 * s..2 * s + 2], labels[s], 1.0, &mut up[2 * s..2 * s + 2])?;
    /// }
    /// let expected = net.backward_batch(&xs, &up)?.params;
    /// assert!(grads.iter().zip(&expected).all(|(a, b)| (a - b).abs() < 1e-12));
    /// # Ok(())
    /// # }
    /// ```
    pub fn forward_backward_batch<U>(&self, xs: &[f64], upstream_of: U) -> Result<ForwardBackward>
    where
        U: Fn(usize, &[f64], &mut [f64]) -> Result<()> + Sync + Send,
    {
        let b = self.batch_size(xs)?;
        let (d, o) = (self.input_dim(), self.output_dim());
        let mut ys = bounded::table("batch of network outputs", b, o, 0.0)?;
        let mut xg = vec![0.0; b * d];
        let pg = batch::run(
            b,
            &mut ys,
            o,
            &mut xg,
            d,
            self.num_params(),
            || self.scratch(),
            |s, range, rows, pg| {
                for (k, i) in range.enumerate() {
                    let out = &mut rows.a[k * o..(k + 1) * o];
                    let xgi = &mut rows.b[k * d..(k + 1) * d];
                    self.step_one(&xs[i * d..(i + 1) * d], s, out, |y, g| upstream_of(i, y, g), xgi, pg)?;
                }
                Ok(())
            },
        )?;
        Ok(ForwardBackward { outputs: ys, gradients: LayerGradients { inputs: xg, params: pg } })
    }
}
