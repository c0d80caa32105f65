//! The tagger's hyper-parameters, validated once.

use std::fmt;
use std::str::FromStr;

use super::super::scheme::Scheme;
use crate::error::{Error, Result};

/// What the dense emission path is, beside the sparse linear one.
///
/// # Example
/// ```
/// use qnet::tagger::DensePath;
/// assert_eq!("classical".parse::<DensePath>()?, DensePath::Classical);
/// assert_eq!(DensePath::default(), DensePath::Quantum);
/// assert!("photonic".parse::<DensePath>().is_err());
/// # Ok::<(), qnet::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum DensePath {
    /// Feature-embedding bag → [`QuantumNetwork`](crate::layer::QuantumNetwork) (Linear → π·tanh → n-qubit
    /// layer with all 2ⁿ basis-state probabilities read out → Linear) → one score per tag.
    #[default]
    Quantum,
    /// Feature-embedding bag → Linear → tanh layer of n units (as many as the qubits) → Linear: the same width
    /// with the quantum layer taken out, all else equal.
    Classical,
    /// No dense path: the sparse linear CRF alone.
    None,
}

impl fmt::Display for DensePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DensePath::Quantum => "quantum",
            DensePath::Classical => "classical",
            DensePath::None => "none",
        })
    }
}

impl FromStr for DensePath {
    type Err = Error;
    fn from_str(s: &str) -> Result<DensePath> {
        match s.to_ascii_lowercase().as_str() {
            "quantum" => Ok(DensePath::Quantum),
            "classical" => Ok(DensePath::Classical),
            "none" => Ok(DensePath::None),
            _ => Err(Error::hyper_parameter("dense path", s, "expected quantum, classical or none")),
        }
    }
}

/// The hyper-parameters of a [`Tagger`](super::Tagger): set them with the builder methods (each names its
/// default), then [`fit`](TaggerConfig::fit).
///
/// # Example
/// ```
/// use qnet::tagger::{DensePath, TaggerConfig};
/// let config = TaggerConfig::default().qubits(6).layers(2).epochs(5).seed(7).dense(DensePath::Quantum);
/// assert!(config.check().is_ok());
/// assert!(TaggerConfig::default().batch_size(0).check().is_err());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct TaggerConfig {
    pub(crate) qubits: usize,
    pub(crate) layers: usize,
    pub(crate) epochs: usize,
    pub(crate) batch_size: usize,
    pub(crate) learning_rate: f64,
    pub(crate) dense_learning_rate: f64,
    pub(crate) seed: u64,
    pub(crate) dense: DensePath,
    pub(crate) entropy_beta: f64,
    pub(crate) patience: usize,
    pub(crate) l2: f64,
    pub(crate) clip_norm: f64,
    pub(crate) embedding_dim: usize,
    pub(crate) buckets: usize,
    pub(crate) min_feature_count: usize,
    pub(crate) scheme: Scheme,
    /// The noise model of the quantum dense path ([`dense_noise`](Self::dense_noise)); not saved.
    pub(crate) dense_noise: Option<crate::quantum::mixed::NoiseModel>,
}

impl Default for TaggerConfig {
    fn default() -> TaggerConfig {
        TaggerConfig {
            qubits: 6,
            layers: 2,
            epochs: 5,
            batch_size: 16,
            learning_rate: 0.01,
            dense_learning_rate: 0.01,
            seed: 7,
            dense: DensePath::Quantum,
            entropy_beta: 0.0,
            patience: 2,
            l2: 1e-6,
            clip_norm: 5.0,
            embedding_dim: 16,
            buckets: 1 << 16,
            min_feature_count: 1,
            scheme: Scheme::Iobes,
            dense_noise: None,
        }
    }
}

/// The largest number of qubits the dense path accepts: its 2ⁿ readout is computed per token.
pub const MAX_TAGGER_QUBITS: usize = 12;

macro_rules! setter {
    ($(#[$doc:meta])* $name:ident: $ty:ty) => {
        $(#[$doc])*
        #[must_use]
        pub fn $name(mut self, $name: $ty) -> Self {
            self.$name = $name;
            self
        }
    };
}

impl TaggerConfig {
    setter!(
        /// The qubits of the quantum layer, and the width of the classical stand-in (default 6, at most 12).
        qubits: usize
    );
    setter!(
        /// The quantum layer's entangling blocks (default 2).
        layers: usize
    );
    setter!(
        /// Passes over the training data (default 5).
        epochs: usize
    );
    setter!(
        /// Sentences per minibatch (default 16).
        batch_size: usize
    );
    setter!(
        /// Adam's learning rate for the sparse features, the transitions and the embeddings (default 0.01),
        /// decayed linearly to a tenth over the training.
        learning_rate: f64
    );
    setter!(
        /// Adam's learning rate for the dense network's parameters (default 0.01), decayed likewise.
        dense_learning_rate: f64
    );
    setter!(
        /// The seed of the initial weights and of the shuffling (default 7): the same seed and data give the same
        /// model, bit for bit, whatever the number of threads.
        seed: u64
    );
    setter!(
        /// The dense emission path (default [`DensePath::Quantum`]).
        dense: DensePath
    );
    setter!(
        /// The starting weight β of the confidence penalty −β·Σₜ H(pₜ) on the per-token marginals (default 0:
        /// off), annealed linearly to 0 over the epochs.
        entropy_beta: f64
    );
    setter!(
        /// Epochs without a better valid entity F1 before training stops early (default 2); the best epoch's
        /// weights are kept either way.
        patience: usize
    );
    setter!(
        /// Decoupled weight decay on every parameter, applied to the sparse rows a step touches (default 1e-6).
        l2: f64
    );
    setter!(
        /// The global L2 norm each minibatch gradient is clipped to (default 5).
        clip_norm: f64
    );
    setter!(
        /// The width of the feature-embedding bag fed to the dense path (default 16).
        embedding_dim: usize
    );
    setter!(
        /// The rows of the hashed embedding table (default 65,536).
        buckets: usize
    );
    setter!(
        /// The fewest training occurrences a feature needs to get a weight (default 1).
        min_feature_count: usize
    );
    setter!(
        /// The scheme the CRF tags in internally (default [`Scheme::Iobes`]; [`Scheme::Iob2`] also works).
        /// Input and output are IOB2 either way.
        scheme: Scheme
    );

    /// The dense path.
    #[must_use]
    pub fn dense_path(&self) -> DensePath {
        self.dense
    }

    /// The seed.
    #[must_use]
    pub fn seed_value(&self) -> u64 {
        self.seed
    }

    /// The number of epochs.
    #[must_use]
    pub fn num_epochs(&self) -> usize {
        self.epochs
    }

    /// The number of qubits (the dense width).
    #[must_use]
    pub fn num_qubits(&self) -> usize {
        self.qubits
    }

    /// Checks every setting.
    ///
    /// # Errors
    /// [`Error::InvalidHyperParameter`] naming the first setting out of range: zero qubits (or more than
    /// [`MAX_TAGGER_QUBITS`]), layers, epochs, batch size, embedding width or buckets, a learning rate, clip
    /// norm, L2 or β that is negative or not finite, or the IOB1 scheme.
    pub fn check(&self) -> Result<()> {
        let bad = |name: &'static str, value: String, reason: &'static str| {
            Err(Error::InvalidHyperParameter { name, value, reason })
        };
        if self.qubits == 0 || self.qubits > MAX_TAGGER_QUBITS {
            return bad("qubits", self.qubits.to_string(), "must be between 1 and 12");
        }
        for (name, value) in [
            ("layers", self.layers),
            ("epochs", self.epochs),
            ("batch size", self.batch_size),
            ("embedding dim", self.embedding_dim),
            ("buckets", self.buckets),
            ("min feature count", self.min_feature_count),
        ] {
            if value == 0 {
                return bad(name, value.to_string(), "must be at least 1");
            }
        }
        if self.layers > 64 || self.embedding_dim > 1024 || self.buckets.saturating_mul(self.embedding_dim) > 1 << 26 {
            return bad(
                "dense path size",
                format!("{} layers, {} buckets x {} dimensions", self.layers, self.buckets, self.embedding_dim),
                "at most 64 layers, 1024 dimensions and 2^26 embedding values",
            );
        }
        for (name, value) in [
            ("learning rate", self.learning_rate),
            ("dense learning rate", self.dense_learning_rate),
            ("clip norm", self.clip_norm),
        ] {
            if !(value.is_finite() && value > 0.0) {
                return bad(name, value.to_string(), "must be finite and positive");
            }
        }
        for (name, value) in [("l2", self.l2), ("entropy beta", self.entropy_beta)] {
            if !(value.is_finite() && value >= 0.0) {
                return bad(name, value.to_string(), "must be finite and non-negative");
            }
        }
        if self.scheme == Scheme::Iob1 {
            return bad("scheme", self.scheme.to_string(), "the tagger tags in IOB2 or IOBES");
        }
        self.check_noise()
    }
}
