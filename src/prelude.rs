//! The types and traits that examples and most programs need: `use qnet::prelude::*;`.

#[doc(no_inline)]
pub use crate::error::{Error, ParamKind, Result};
#[doc(no_inline)]
pub use crate::grad::{DiffMethod, Outputs, QuantumFunction};
#[doc(no_inline)]
pub use crate::layer::{
    cross_entropy, softmax, Adam, Ansatz, LayerConfig, Linear, QuantumLayer, QuantumNetwork, Readout, Rotation, Sgd,
    Topology,
};
#[doc(no_inline)]
pub use crate::quantum::{Circuit, Gate, Instruction, Observable, Param, Pauli, PauliString, StateVector};
#[doc(no_inline)]
pub use num_complex::Complex64;
