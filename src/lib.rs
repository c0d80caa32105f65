//! # qnet
//!
//! Physics-inspired machine learning in Rust: quantum circuits simulated exactly on a state vector, a
//! differentiable quantum layer that trains inside classical networks, entropy and mutual-information tools,
//! and a named-entity tagger built on them.
//!
//! qnet is a *classical simulation*: an n-qubit state costs 2^n complex amplitudes of memory and time, so it
//! offers no quantum speed-up. What it offers is exact, reproducible, fast simulation for research and teaching.
//!
//! ## Bit order
//!
//! Qubit 0 is the least significant bit of a basis index (Qiskit's order): in the 3-qubit basis state
//! |q2 q1 q0⟩ = |110⟩, index 6, qubits 1 and 2 are set. Pauli labels such as `"ZXI"` are read the same way,
//! the rightmost character acting on qubit 0.
//!
//! ## Modules
//!
//! | module | layer | what it holds |
//! |---|---|---|
//! | [`quantum`] | 1 | gates, circuits, the state-vector simulator, Pauli observables, sampling |
//! | [`tagger`] | 1 | CoNLL reading and writing, tagging schemes, tag sets and vocabularies, conlleval scoring |
//!
//! Lower layers never import higher ones.

#![deny(missing_docs, missing_debug_implementations)]
#![doc(test(attr(deny(warnings))))]

pub mod error;
pub mod prelude;
pub mod tagger;

pub use error::{Error, ParamKind, Result};
pub use num_complex::Complex64;
