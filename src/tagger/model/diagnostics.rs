//! What the quantum layer carries about the tags: per-qubit mutual information and entanglement.

use std::f64::consts::PI;

use nalgebra::DMatrix;

use super::dense::{DenseModel, DenseNet};
use super::{par_map, Tagger};
use crate::error::{Error, Result};
use crate::info::{entanglement_entropy, mutual_information, Base};
use crate::quantum::{CompiledCircuit, StateVector};
use crate::tagger::reader::{Corpus, Sentence};

/// Which weights of the dense path the diagnostics read.
///
/// # Example
/// ```
/// use qnet::tagger::{sample, LayerWeights, TaggerConfig};
/// let tagger = TaggerConfig::default().qubits(3).epochs(1).fit(&sample::train(), None, |_| {})?;
/// let before = tagger.diagnostics(&sample::valid(), LayerWeights::Initial)?;
/// let after = tagger.diagnostics(&sample::valid(), LayerWeights::Trained)?;
/// assert_ne!(before, after);
/// # Ok::<(), qnet::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LayerWeights {
    /// The trained weights.
    Trained,
    /// The weights the training started from (drawn again from the configuration's seed).
    Initial,
}

/// What the quantum layer's state tells about the gold tags, over a labelled corpus: I(Zᵢ; tag) in bits for
/// each qubit i (Zᵢ the sign of measuring qubit i in the computational basis, tag the gold IOB2 tag), and the
/// mean entanglement entropy of the state across the cut (qubits 0..n/2 | the rest), in bits.
///
/// The joint distribution of (Zᵢ, tag) is exact, not sampled: each token contributes its state's probability
/// of each sign. Gold tags of an entity type the tagger never saw in training count as `O`.
///
/// # Example
/// ```
/// use qnet::tagger::{sample, LayerWeights, TaggerConfig};
/// let valid = sample::valid();
/// let tagger = TaggerConfig::default().qubits(4).epochs(1).fit(&sample::train(), None, |_| {})?;
/// let d = tagger.diagnostics(&valid, LayerWeights::Trained)?.expect("the dense path is quantum");
/// assert_eq!(d.mutual_information.len(), 4);
/// assert!(d.mutual_information.iter().all(|&i| i >= 0.0 && i <= 1.0)); // a sign holds at most one bit
/// assert!(d.entanglement_entropy >= 0.0 && d.entanglement_entropy <= 2.0); // at most min(2, 2) qubits' worth
/// # Ok::<(), qnet::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct QuantumDiagnostics {
    /// I(Zᵢ; tag) in bits, one per qubit.
    pub mutual_information: Vec<f64>,
    /// The mean half-cut entanglement entropy in bits.
    pub entanglement_entropy: f64,
    /// The tokens measured.
    pub tokens: usize,
}

impl Tagger {
    /// The quantum diagnostics over the labelled sentences of `corpus`, for the trained or the initial weights;
    /// `None` when the dense path is not quantum.
    ///
    /// # Errors
    /// [`Error::EmptyCorpus`] when `corpus` has no labelled token.
    pub fn diagnostics(&self, corpus: &Corpus, weights: LayerWeights) -> Result<Option<QuantumDiagnostics>> {
        let initial;
        let dense = match weights {
            LayerWeights::Trained => self.dense.as_ref(),
            LayerWeights::Initial => {
                initial = DenseModel::new(&self.config, self.inner.len())?;
                initial.as_ref()
            }
        };
        let Some(dense @ DenseModel { net: DenseNet::Quantum(net), .. }) = dense else {
            return Ok(None);
        };
        let labelled: Vec<&Sentence> = corpus.sentences.iter().filter(|s| s.tags.is_some() && !s.is_empty()).collect();
        if labelled.is_empty() {
            return Err(Error::EmptyCorpus { what: "diagnostics corpus (labelled sentences)" });
        }
        let features = self.featurise(&labelled);
        let tag_of: Vec<usize> = labelled
            .iter()
            .flat_map(|s| s.tags.iter().flatten())
            .map(|t| self.tag_set.id(t.as_str()).unwrap_or(0))
            .collect();
        let refs: Vec<_> = features.iter().collect();
        let bags = dense.bags(&refs);
        let n = net.quantum_layer().num_qubits();
        let params = net.params();
        let l1 = net.input_layer();
        let weights_q = &params[l1.num_params()..l1.num_params() + net.quantum_layer().num_weights()];
        // Compiled once for every token (running the circuit itself would compile it per token).
        let circuit = CompiledCircuit::new(net.quantum_layer().circuit().clone());
        let half: Vec<usize> = (0..n / 2).collect();
        let d = dense.input_dim();
        let tokens: Vec<usize> = (0..tag_of.len()).collect();
        // Per token: P(qubit i reads 1) for each i, then the entanglement entropy.
        let per_token = par_map(&tokens, |&i| {
            let z = l1.forward(&bags[i * d..(i + 1) * d])?;
            let angles: Vec<f64> = z.iter().map(|v| PI * v.tanh()).collect();
            let mut state = StateVector::new(n)?;
            state.run_compiled(&circuit, weights_q, &angles)?;
            let probs = state.probabilities();
            let mut ones = vec![0.0; n + 1];
            for (index, p) in probs.iter().enumerate() {
                for (q, one) in ones.iter_mut().take(n).enumerate() {
                    if index >> q & 1 == 1 {
                        *one += p;
                    }
                }
            }
            ones[n] = if half.is_empty() { 0.0 } else { entanglement_entropy(&state, &half, Base::BITS)? };
            Ok(ones)
        })?;
        let num_tags = self.tag_set.len();
        let total = tag_of.len() as f64;
        let mut mutual = Vec::with_capacity(n);
        for q in 0..n {
            let mut joint = DMatrix::zeros(2, num_tags);
            for (row, &tag) in per_token.iter().zip(&tag_of) {
                joint[(1, tag)] += row[q] / total;
                joint[(0, tag)] += (1.0 - row[q]) / total;
            }
            let sum: f64 = joint.iter().sum();
            joint /= sum;
            mutual.push(mutual_information(&joint, Base::BITS)?);
        }
        let entanglement = per_token.iter().map(|r| r[n]).sum::<f64>() / total;
        Ok(Some(QuantumDiagnostics {
            mutual_information: mutual,
            entanglement_entropy: entanglement,
            tokens: tag_of.len(),
        }))
    }
}
