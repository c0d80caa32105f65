//! Layer 3: the differentiable quantum layer, the hybrid network built on it, and the small classical pieces
//! they need.
//!
//! - [`QuantumLayer`] (settings in [`LayerConfig`]): angle encoding, an entangling [`Ansatz`] of L blocks on
//!   a [`Topology`], a [`Readout`], gradients by any [`DiffMethod`](crate::grad::DiffMethod).
//! - [`QuantumNetwork`]: Linear → π·tanh → QuantumLayer → Linear, with its parameters as one flat vector,
//!   batched forward and backward passes, serde support; its docs show a whole training loop.
//! - [`Linear`] (Xavier init), [`tanh`], the classifier loss [`softmax_cross_entropy`] (built on
//!   [`info::softmax`](crate::info::softmax); the information-theoretic
//!   [`cross_entropy`](crate::info::cross_entropy) H(p, q) is in [`info`](crate::info)), and the optimizers
//!   [`Sgd`] and [`Adam`] behind the [`Optimizer`] trait, which steps a model's own parameter buffer in place,
//!   with [`clip_global_norm`] for a gradient held in pieces: small, in service of the network and the tagger,
//!   not a framework.
//!
//! # Limits
//!
//! A layer has at most [`MAX_QUBITS`](crate::quantum::MAX_QUBITS) qubits
//! ([`Error::TooManyQubits`](crate::Error::TooManyQubits)) and its circuit at most [`MAX_LAYER_GATES`] gates
//! ([`Error::InvalidHyperParameter`](crate::Error::InvalidHyperParameter)), both checked before anything is
//! built. A [`Linear`] layer's weights are reserved with `try_reserve`: dimensions whose product cannot be
//! allocated give [`Error::TooLarge`](crate::Error::TooLarge). Networks and layers read with serde are checked
//! as their constructors check them.

mod activation;
pub(crate) mod batch;
mod config;
mod gradients;
pub(crate) mod linear;
mod loss;
mod network;
mod optim;
mod quantum_layer;
mod serde_repr;

pub use activation::tanh;
pub use config::{Ansatz, LayerConfig, Readout, Rotation, Topology, MAX_LAYER_GATES};
pub use gradients::{ForwardBackward, LayerGradients};
pub use linear::Linear;
pub use loss::softmax_cross_entropy;
pub use network::{BatchTape, NetworkBuilder, QuantumNetwork};
pub use optim::{clip_global_norm, Adam, Optimizer, Sgd};
pub use quantum_layer::QuantumLayer;
