//! The dense emission path: a hashed feature-embedding bag, then a `QuantumNetwork` or its classical stand-in,
//! giving one score per tag.

use rand::{RngExt, SeedableRng};

use super::config::{DensePath, TaggerConfig};
use super::features::SentenceFeatures;
use crate::error::Result;
use crate::grad::function::check_len;
use crate::layer::batch;
use crate::layer::linear::LinearShape;
use crate::layer::{BatchTape, LayerGradients, Linear, QuantumNetwork, Readout};

/// Linear(d → n) → tanh → Linear(n → K), its parameters in one buffer: the hidden layer's (W row by row,
/// then b), then the output layer's.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ClassicalNet {
    hidden: LinearShape,
    output: LinearShape,
    params: Vec<f64>,
}

impl ClassicalNet {
    fn new(hidden: &Linear, output: &Linear) -> ClassicalNet {
        let params = [hidden.params(), output.params()].concat();
        ClassicalNet { hidden: hidden.shape(), output: output.shape(), params }
    }

    /// The hidden layer's and the output layer's parameters.
    fn parts(&self) -> (&[f64], &[f64]) {
        self.params.split_at(self.hidden.num_params())
    }

    /// The hidden layer: a copy of its part of the parameters.
    #[cfg(test)]
    pub(crate) fn hidden(&self) -> Linear {
        Linear::from_shape(self.hidden, self.parts().0)
    }

    /// The output layer: a copy of its part of the parameters.
    #[cfg(test)]
    pub(crate) fn output(&self) -> Linear {
        Linear::from_shape(self.output, self.parts().1)
    }
}

/// The network after the bag.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum DenseNet {
    Quantum(Box<QuantumNetwork>),
    Classical(ClassicalNet),
}

/// The bag's embedding table and the network.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DenseModel {
    pub(crate) dim: usize,
    pub(crate) buckets: usize,
    pub(crate) embeddings: Vec<f64>,
    pub(crate) net: DenseNet,
}

/// The quantum network of the dense path: Linear(d → n), π·tanh, n qubits with `layers` strongly entangling
/// blocks and all 2ⁿ probabilities read out, Linear(2ⁿ → K).
pub(crate) fn quantum_network(
    dim: usize,
    qubits: usize,
    tags: usize,
    layers: usize,
    seed: u64,
) -> Result<QuantumNetwork> {
    QuantumNetwork::builder(dim, qubits, tags, layers).readout(Readout::Probabilities).seed(seed).build()
}

impl DenseModel {
    /// The initial dense path for `num_tags` tags, from the configuration's seed; `None` for
    /// [`DensePath::None`].
    pub(crate) fn new(config: &TaggerConfig, num_tags: usize) -> Result<Option<DenseModel>> {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(config.seed ^ 0x005e_ed0f_e3b3_dd17);
        let (dim, n) = (config.embedding_dim, config.qubits);
        let net = match config.dense {
            DensePath::None => return Ok(None),
            DensePath::Quantum => {
                let mut net = quantum_network(dim, n, num_tags, config.layers, config.seed)?;
                if let Some(noise) = &config.dense_noise {
                    net.set_noise(noise.clone())?;
                }
                DenseNet::Quantum(Box::new(net))
            }
            DensePath::Classical => {
                let hidden = Linear::new(dim, n, &mut rng)?;
                DenseNet::Classical(ClassicalNet::new(&hidden, &Linear::new(n, num_tags, &mut rng)?))
            }
        };
        let embeddings = (0..config.buckets * dim).map(|_| rng.random_range(-0.5..0.5)).collect();
        Ok(Some(DenseModel { dim, buckets: config.buckets, embeddings, net }))
    }

    pub(crate) fn input_dim(&self) -> usize {
        self.dim
    }

    fn bucket(&self, id: u32) -> usize {
        id as usize % self.buckets
    }

    /// The bag of token t: the sum of its features' embeddings over √(number of features).
    pub(crate) fn bag_into(&self, features: &[u32], out: &mut [f64]) {
        out.fill(0.0);
        for &f in features {
            let row = &self.embeddings[self.bucket(f) * self.dim..][..self.dim];
            for (o, e) in out.iter_mut().zip(row) {
                *o += e;
            }
        }
        let scale = 1.0 / (features.len().max(1) as f64).sqrt();
        out.iter_mut().for_each(|o| *o *= scale);
    }

    /// The bags of every token of `sentences`, one after another.
    pub(crate) fn bags(&self, sentences: &[&SentenceFeatures]) -> Vec<f64> {
        let tokens: usize = sentences.iter().map(|s| s.len()).sum();
        let mut out = vec![0.0; tokens * self.dim];
        let mut rows = out.chunks_exact_mut(self.dim);
        for s in sentences {
            for t in 0..s.len() {
                if let Some(row) = rows.next() {
                    self.bag_into(s.token(t), row);
                }
            }
        }
        out
    }

    /// Adds the gradient of the bags (`grads`, one row per token) to the embedding rows they read, as
    /// (bucket, row) pairs in first-touch order.
    pub(crate) fn bag_gradients(
        &self,
        sentences: &[&SentenceFeatures],
        grads: &[f64],
        slots: &mut Vec<u32>,
        rows: &mut Vec<u32>,
        values: &mut Vec<f64>,
    ) {
        let d = self.dim;
        if slots.len() != self.buckets {
            *slots = vec![u32::MAX; self.buckets];
        }
        let mut g_rows = grads.chunks_exact(d);
        for s in sentences {
            for t in 0..s.len() {
                let Some(g) = g_rows.next() else { return };
                let features = s.token(t);
                let scale = 1.0 / (features.len().max(1) as f64).sqrt();
                for &f in features {
                    let b = self.bucket(f);
                    if slots[b] == u32::MAX {
                        slots[b] = rows.len() as u32;
                        rows.push(b as u32);
                        values.extend(std::iter::repeat_n(0.0, d));
                    }
                    let at = slots[b] as usize * d;
                    for (v, gi) in values[at..at + d].iter_mut().zip(g) {
                        *v += scale * gi;
                    }
                }
            }
        }
        for &r in rows.iter() {
            slots[r as usize] = u32::MAX;
        }
    }

    pub(crate) fn num_params(&self) -> usize {
        match &self.net {
            DenseNet::Quantum(q) => q.num_params(),
            DenseNet::Classical(c) => c.params.len(),
        }
    }

    /// A copy of the network's parameters.
    pub(crate) fn params(&self) -> Vec<f64> {
        match &self.net {
            DenseNet::Quantum(q) => q.params(),
            DenseNet::Classical(c) => c.params.clone(),
        }
    }

    /// The network's parameters in place, for an optimizer step.
    pub(crate) fn params_mut(&mut self) -> &mut [f64] {
        match &mut self.net {
            DenseNet::Quantum(q) => q.params_mut(),
            DenseNet::Classical(c) => &mut c.params,
        }
    }

    pub(crate) fn set_params(&mut self, params: &[f64]) -> Result<()> {
        match &mut self.net {
            DenseNet::Quantum(q) => q.set_params(params),
            DenseNet::Classical(c) => {
                check_len("classical dense parameters", c.params.len(), params.len())?;
                c.params.copy_from_slice(params);
                Ok(())
            }
        }
    }

    /// The scores (K per token) of a batch of bags.
    pub(crate) fn forward(&self, bags: &[f64], num_tags: usize) -> Result<Vec<f64>> {
        match &self.net {
            DenseNet::Quantum(q) => q.forward_batch(bags),
            DenseNet::Classical(c) => {
                let n = bags.len() / self.dim;
                let mut out = vec![0.0; n * num_tags];
                let (d, h) = (self.dim, c.hidden.output_dim);
                let (hidden, output) = c.parts();
                batch::run(
                    n,
                    &mut out,
                    num_tags,
                    &mut [],
                    0,
                    0,
                    || Ok(vec![0.0; h]),
                    |z, range, rows, _| {
                        for (k, i) in range.enumerate() {
                            c.hidden.forward_into(hidden, &bags[i * d..(i + 1) * d], z)?;
                            z.iter_mut().for_each(|v| *v = v.tanh());
                            c.output.forward_into(output, z, &mut rows.a[k * num_tags..(k + 1) * num_tags])?;
                        }
                        Ok(())
                    },
                )?;
                Ok(out)
            }
        }
    }

    /// Runs the network forward over a batch of bags and records the pass into `tape` (reusing its buffers):
    /// the scores (K per token) are in [`DenseTape::scores`], and
    /// [`backward_recorded`](Self::backward_recorded) sweeps back from the record without running the network
    /// forward again (one circuit run per token per training step on the quantum path).
    pub(crate) fn record(&self, bags: &[f64], num_tags: usize, tape: &mut DenseTape) -> Result<()> {
        tape.bags.clear();
        tape.bags.extend_from_slice(bags);
        match &self.net {
            DenseNet::Quantum(q) => q.record_batch(bags, &mut tape.network),
            DenseNet::Classical(c) => {
                let n = bags.len() / self.dim;
                let (d, h) = (self.dim, c.hidden.output_dim);
                let (hidden, output) = c.parts();
                tape.scores.resize(n * num_tags, 0.0);
                tape.hidden.resize(n * h, 0.0);
                batch::run(
                    n,
                    &mut tape.scores,
                    num_tags,
                    &mut tape.hidden,
                    h,
                    0,
                    || Ok(()),
                    |_, range, rows, _| {
                        for (k, i) in range.enumerate() {
                            let z = &mut rows.b[k * h..(k + 1) * h];
                            c.hidden.forward_into(hidden, &bags[i * d..(i + 1) * d], z)?;
                            z.iter_mut().for_each(|v| *v = v.tanh());
                            c.output.forward_into(output, z, &mut rows.a[k * num_tags..(k + 1) * num_tags])?;
                        }
                        Ok(())
                    },
                )?;
                Ok(())
            }
        }
    }

    /// The gradients of the recorded bags (one row per token) and of the network's parameters (summed over the
    /// batch) for upstream gradients of the recorded scores.
    pub(crate) fn backward_recorded(
        &self,
        tape: &DenseTape,
        upstream: &[f64],
        num_tags: usize,
    ) -> Result<LayerGradients> {
        match &self.net {
            DenseNet::Quantum(q) => q.backward_recorded(&tape.network, upstream),
            DenseNet::Classical(c) => {
                let n = tape.bags.len() / self.dim;
                let (d, h) = (self.dim, c.hidden.output_dim);
                let (hidden, output) = c.parts();
                check_len("dense upstream gradients", n * num_tags, upstream.len())?;
                check_len("dense tape hidden values", n * h, tape.hidden.len())?;
                let np_hidden = c.hidden.num_params();
                let mut xg = vec![0.0; n * d];
                let pg = batch::run(
                    n,
                    &mut xg,
                    d,
                    &mut [],
                    0,
                    self.num_params(),
                    || Ok(vec![0.0; h]),
                    |gz, range, rows, pg| {
                        let (p_hidden, p_out) = pg.split_at_mut(np_hidden);
                        for (k, i) in range.enumerate() {
                            let z = &tape.hidden[i * h..(i + 1) * h];
                            c.output.backward_into(
                                output,
                                z,
                                &upstream[i * num_tags..(i + 1) * num_tags],
                                gz,
                                p_out,
                            )?;
                            for (g, zi) in gz.iter_mut().zip(z) {
                                *g *= 1.0 - zi * zi;
                            }
                            let x = &tape.bags[i * d..(i + 1) * d];
                            c.hidden.backward_into(hidden, x, gz, &mut rows.a[k * d..(k + 1) * d], p_hidden)?;
                        }
                        Ok(())
                    },
                )?;
                Ok(LayerGradients { inputs: xg, params: pg })
            }
        }
    }
}

/// The record of the dense path's forward pass over a batch of bags, kept across training steps so that its
/// buffers are reused: the bags, and the quantum network's [`BatchTape`] or the classical stand-in's hidden
/// activations tanh(L₁x) and scores.
#[derive(Debug, Default)]
pub(crate) struct DenseTape {
    bags: Vec<f64>,
    hidden: Vec<f64>,
    scores: Vec<f64>,
    network: BatchTape,
}

impl DenseTape {
    /// The recorded scores, K per token.
    pub(crate) fn scores(&self, net: &DenseNet) -> &[f64] {
        match net {
            DenseNet::Quantum(_) => self.network.outputs(),
            DenseNet::Classical(_) => &self.scores,
        }
    }
}
