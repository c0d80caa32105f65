//! The quantum dense path under noise: a noise model for training ([`TaggerConfig::dense_noise`]) or for
//! evaluating a trained tagger ([`Tagger::set_dense_noise`]), and the gate-level depolarizing model of
//! `conll_ner --noise P` ([`depolarizing_noise`]).

use super::config::{DensePath, TaggerConfig};
use super::dense::DenseNet;
use super::Tagger;
use crate::error::{Error, Result};
use crate::quantum::mixed::{Channel, NoiseModel};

/// The noise of `conll_ner --noise P`: one-qubit depolarizing noise of strength p after every RX, RY and RZ of
/// the quantum dense path (its encoding and its strongly entangling blocks) and two-qubit depolarizing noise
/// of strength p after every CNOT (ρ ← (1 − p)ρ + p·(the fifteen non-identity Paulis)/15 on the pair). At
/// p = 0 it is the empty model: no noise, the pure-state path bit for bit.
///
/// # Errors
/// [`Error::InvalidChannelParameter`] unless p is in the range both channels allow (\[0, 1\]).
///
/// # Example
///
/// ```
/// use qnet::tagger::depolarizing_noise;
///
/// # fn main() -> qnet::Result<()> {
/// assert!(depolarizing_noise(0.0)?.is_empty());
/// assert!(!depolarizing_noise(0.01)?.is_empty());
/// assert!(depolarizing_noise(-0.1).is_err());
/// # Ok(())
/// # }
/// ```
pub fn depolarizing_noise(p: f64) -> Result<NoiseModel> {
    let (one, two) = (Channel::depolarizing(p)?, Channel::depolarizing2(p)?);
    let mut noise = NoiseModel::new();
    if p == 0.0 {
        return Ok(noise);
    }
    for gate in ["rx", "ry", "rz"] {
        noise.after_gate(gate, one.clone());
    }
    noise.after_gate("cx", two);
    Ok(noise)
}

impl TaggerConfig {
    /// Trains the quantum dense path under `noise` (default none): every forward pass and gradient of its
    /// circuit runs on a density state ([`QuantumNetwork::set_noise`](crate::layer::QuantumNetwork::set_noise)),
    /// about a hundred times the pure-state cost at 6 qubits. The model is not saved with the tagger: a loaded
    /// tagger is noiseless until [`Tagger::set_dense_noise`].
    ///
    /// # Example
    ///
    /// ```
    /// use qnet::tagger::{depolarizing_noise, DensePath, TaggerConfig};
    ///
    /// # fn main() -> qnet::Result<()> {
    /// let config = TaggerConfig::default().qubits(2).dense_noise(depolarizing_noise(0.01)?);
    /// assert!(config.check().is_ok());
    /// assert!(config.clone().dense(DensePath::Classical).check().is_err());
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn dense_noise(mut self, noise: NoiseModel) -> Self {
        self.dense_noise = (!noise.is_empty()).then_some(noise);
        self
    }

    /// The noise model of the quantum dense path, if any.
    #[must_use]
    pub fn dense_noise_model(&self) -> Option<&NoiseModel> {
        self.dense_noise.as_ref()
    }

    /// [`Error::InvalidHyperParameter`] for a noise model on a path without a quantum layer.
    pub(super) fn check_noise(&self) -> Result<()> {
        match (&self.dense_noise, self.dense) {
            (Some(_), DensePath::Classical | DensePath::None) => {
                Err(Error::hyper_parameter("dense noise", self.dense, "only the quantum dense path runs under noise"))
            }
            _ => Ok(()),
        }
    }
}

impl Tagger {
    /// Puts the trained quantum dense path under `noise` (an empty model: noiseless again), keeping every
    /// weight: predictions, [`evaluate`](Self::evaluate) and diagnostics then run its circuit on a density
    /// state, so a model trained without noise can be scored under it.
    ///
    /// # Errors
    /// [`Error::InvalidHyperParameter`] for a non-empty model when the tagger has no quantum dense path; as
    /// [`QuantumNetwork::set_noise`](crate::layer::QuantumNetwork::set_noise) for a model that does not fit its
    /// register. On error the tagger is unchanged.
    ///
    /// # Example
    ///
    /// ```
    /// use qnet::tagger::{depolarizing_noise, sample, TaggerConfig};
    ///
    /// # fn main() -> qnet::Result<()> {
    /// let mut tagger = TaggerConfig::default().qubits(2).layers(1).epochs(1).fit(&sample::train(), None, |_| {})?;
    /// let pure = tagger.evaluate(&sample::valid())?;
    /// tagger.set_dense_noise(depolarizing_noise(0.0)?)?;
    /// assert_eq!(tagger.evaluate(&sample::valid())?, pure); // p = 0 is the noiseless path
    /// tagger.set_dense_noise(depolarizing_noise(0.05)?)?;
    /// assert!(tagger.config().dense_noise_model().is_some());
    /// # Ok(())
    /// # }
    /// ```
    pub fn set_dense_noise(&mut self, noise: NoiseModel) -> Result<()> {
        match self.dense.as_mut().map(|d| &mut d.net) {
            Some(DenseNet::Quantum(net)) => {
                net.set_noise(noise)?;
                self.config.dense_noise = net.noise().cloned();
                Ok(())
            }
            _ if noise.is_empty() => Ok(()),
            _ => Err(Error::hyper_parameter(
                "dense noise",
                self.config.dense,
                "only the quantum dense path runs under noise",
            )),
        }
    }
}
