//! Layer 1: gates, circuits, the state-vector simulator, Pauli observables and sampling.
//!
//! - [`Gate`]: the validated gate set, each with its matrix, inverse, generator and shift rule.
//! - [`Circuit`] and [`Instruction`]: placed gates whose angles ([`Param`]) are constants, trainable weights or
//!   data inputs.
//! - [`StateVector`]: 2^n amplitudes changed in place by specialised kernels (diagonal and permutation gates
//!   touch only what they change; controlled gates only the amplitudes whose controls are set).
//! - [`PauliString`] and [`Observable`]: exact expectations without 2^n × 2^n matrices.
//! - `Display` for [`Circuit`]: a text diagram in the spirit of Qiskit's (`println!("{circuit}")`;
//!   `{circuit:80}` wraps it into pages 80 characters wide).
//! - [`mixed`]: density states, noise channels and noise models on the same engine.
//! - [`StateVector::sampled_expectation`]: expectations estimated from measurement samples, as on hardware.
//! - `DistributedState` (feature `mpi`): one state over the ranks of an MPI job, run through the same plan and
//!   kernels, bit-identical to a [`StateVector`], with the adjoint gradient (README, "Beyond one machine").
//!
//! Qubit 0 is the least significant bit of a basis index (Qiskit's order).
//!
//! # Limits
//!
//! - A [`StateVector`] has at most [`MAX_QUBITS`] qubits (its indices must fit a machine word; memory runs out
//!   long before, near 30 qubits per 16 GiB), and [`Error::TooManyQubits`](crate::Error::TooManyQubits) says so
//!   before anything is allocated. A [`QuantumFunction`](crate::grad::QuantumFunction), which runs its circuit
//!   on states, refuses a wider circuit the same way.
//! - A [`PauliString`] (and so an [`Observable`]) acts on qubits below [`MAX_QUBITS`]; dense matrices of
//!   observables stop at [`MAX_DENSE_QUBITS`].
//! - A [`Circuit`] may describe any number of qubits (a wide OpenQASM program can be exported), but is drawn
//!   only up to [`MAX_DRAW_QUBITS`]; a wider one is written as a one-line summary.
//! - Buffers sized by a caller's number (the draws of [`StateVector::sample`], the vector a weight index
//!   implies) are reserved with `try_reserve`: [`Error::TooLarge`](crate::Error::TooLarge) instead of an abort.

mod circuit;
mod compiled;
#[cfg(feature = "mpi")]
pub(crate) mod distributed;
mod draw;
pub(crate) mod engine;
mod gate;
mod kernels;
pub mod mixed;
mod observable;
pub(crate) mod op;
mod param;
pub(crate) mod sampled;
mod serde_repr;
pub(crate) mod state;
pub(crate) mod terms;
mod unitary;
pub(crate) mod vectorize;

pub use circuit::{Circuit, Instruction};
pub use compiled::CompiledCircuit;
#[cfg(feature = "mpi")]
pub use distributed::{DistributedGradient, DistributedState, Traffic, MAX_MARGINAL_QUBITS, MIN_LOCAL_QUBITS};
pub use draw::MAX_DRAW_QUBITS;
pub(crate) use gate::QasmForm;
pub use gate::{Gate, GateParams, ShiftRule};
pub use observable::{Observable, Pauli, PauliString, MAX_DENSE_QUBITS};
pub use param::Param;
pub use state::{StateVector, MAX_QUBITS, NORM_TOLERANCE};
pub use unitary::{UnitaryMatrix, UNITARY_TOLERANCE};
