//! # qnet
//!
//! Physics-inspired machine learning in Rust: quantum circuits simulated exactly on a state vector, a
//! differentiable quantum layer that trains inside classical networks, entropy and mutual-information tools,
//! and a named-entity tagger built on them.
//!
//! qnet is a *classical simulation*: an n-qubit state costs 2^n complex amplitudes of memory and time, so it
//! offers no quantum speed-up. What it offers is exact, reproducible, fast simulation for research and teaching.
//!
//! ## Quick start
//!
//! ```
//! use qnet::prelude::*;
//!
//! # fn main() -> qnet::Result<()> {
//! // A Bell pair: H on qubit 0, then CNOT from 0 to 1.
//! let mut circuit = Circuit::new(2)?;
//! circuit.h(0)?.cnot(0, 1)?;
//! let mut state = StateVector::new(2)?;
//! state.run(&circuit, &[], &[])?;
//! let p = state.probabilities();
//! assert!((p[0b00] - 0.5).abs() < 1e-12 && (p[0b11] - 0.5).abs() < 1e-12);
//!
//! // ⟨Z0 Z1⟩ = 1 on a Bell pair.
//! let zz = PauliString::parse("ZZ")?;
//! assert!((state.expectation_pauli(&zz)? - 1.0).abs() < 1e-12);
//! # Ok(())
//! # }
//! ```
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
//! | [`physics`] | 1.5 | spin-chain Hamiltonians, exact diagonalisation, the hardware-efficient ansatz |
//! | [`qasm`] | 1.5 | OpenQASM 2.0 import and export, programs with measurement, reset and `if` |
//! | [`grad`] | 2 | gradients of circuits: adjoint, parameter-shift (exact or sampled) and finite differences |
//! | [`info`] | 2 | Shannon and von Neumann entropies, divergences, mutual information, density matrices, softmax and thermodynamics |
//! | [`layer`] | 3 | the quantum layer, the hybrid `QuantumNetwork`, linear layers, the softmax cross-entropy loss and optimizers |
//! | [`tagger`] | 4 | CoNLL reading and scoring; the CRF tagger with `QuantumNetwork` features, training, save/load |
//!
//! Lower layers never import higher ones: `grad` and `info` each need only `quantum`; `layer` builds on both.

#![deny(missing_docs, missing_debug_implementations)]
#![doc(test(attr(deny(warnings))))]

mod bounded;
pub mod error;
pub mod grad;
pub mod info;
pub mod layer;
pub mod physics;
pub mod prelude;
pub mod qasm;
pub mod quantum;
mod serde_matrix;
pub mod tagger;

pub use error::{Error, ParamKind, Result};
pub use layer::QuantumNetwork;
pub use num_complex::Complex64;
pub use quantum::{Circuit, Gate, Instruction, Observable, Param, Pauli, PauliString, StateVector};
pub use tagger::{Tagger, TaggerConfig};

/// The README's code blocks, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
