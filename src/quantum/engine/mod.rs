//! The one simulation engine: a [`Circuit`](crate::quantum::Circuit) compiles into a plan of lowered
//! operations, which runs forward on a state ([`StateVector::run`](crate::quantum::StateVector::run),
//! [`QuantumFunction`](crate::grad::QuantumFunction) and everything built on them) and backward for the
//! adjoint method, on one family of kernels (`kernels`).
//!
//! - Fusion: consecutive one-qubit gates on a qubit (with gates on other qubits in between, which commute with
//!   them) become one 2x2 op, multiplied per evaluation for trainable angles and once at compile time for
//!   constant ones; a product that stays diagonal or anti-diagonal keeps that sparser form.
//! - Cache blocking: a run of operations on qubits below 13 maps every aligned block of 2^13 amplitudes
//!   (128 KiB) onto itself, so the run goes block by block while the block stays in cache.
//! - Determinism: each amplitude sees the same arithmetic whatever the number of threads, and reductions add
//!   partial sums of fixed chunks in order, so results are bit-identical for any thread count.

mod backward;
mod forward;
mod plan;
mod subspace;

pub(crate) use backward::{BackScratch, GradSinks};
pub(crate) use plan::{AngleShift, Plan};
