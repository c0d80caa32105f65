//! The names that examples and most programs need: `use qnet::prelude::*;`.
//!
//! The error type, the quantum core (circuits, gates, parameters, states, Pauli observables, density states,
//! channels, noise models and trajectories), gradients, the network with its layer settings, loss and optimizers, the everyday
//! information measures, OpenQASM programs and the tagger. Everything else is imported from its module: `use qnet::info::{js_divergence, GibbsState};`,
//! `use qnet::physics::{self, Boundary};`, `use qnet::tagger::{read_conll_file, ConllFormat};`.
//!
//! # Example
//!
//! ```
//! use qnet::prelude::*;
//!
//! # fn main() -> qnet::Result<()> {
//! let mut circuit = Circuit::new(2)?;
//! circuit.h(0)?.cnot(0, 1)?;
//! let mut state = StateVector::new(2)?;
//! state.run(&circuit, &[], &[])?;
//! // The measurement outcomes of a Bell pair carry one bit.
//! assert!((entropy(&state.probabilities(), Base::BITS)? - 1.0).abs() < 1e-12);
//! # Ok(())
//! # }
//! ```

#[doc(no_inline)]
pub use crate::error::{Error, Result};
#[doc(no_inline)]
pub use crate::grad::{DiffMethod, Outputs, QuantumFunction};
#[doc(no_inline)]
pub use crate::info::{entropy, kl_divergence, mutual_information, Base, DensityMatrix};
#[doc(no_inline)]
pub use crate::layer::{
    softmax_cross_entropy, Adam, BatchTape, LayerConfig, Linear, QuantumLayer, QuantumNetwork, Readout, Sgd,
};
#[doc(no_inline)]
pub use crate::qasm::Program;
#[doc(no_inline)]
pub use crate::quantum::mixed::{Channel, DensityState, NoiseModel, ReadoutError, Trajectories, TrajectoryEstimate};
#[cfg(feature = "mpi")]
#[doc(no_inline)]
pub use crate::quantum::DistributedState;
#[doc(no_inline)]
pub use crate::quantum::{Circuit, CompiledCircuit, Gate, Observable, Param, PauliString, StateVector};
#[doc(no_inline)]
pub use crate::tagger::{Tagger, TaggerConfig};
#[doc(no_inline)]
pub use num_complex::Complex64;
