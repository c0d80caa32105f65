//! Layer 2: exact gradients of quantum circuits, by three methods behind one interface.
//!
//! A [`QuantumFunction`] is a circuit whose angles read weights w and inputs x, and a list of [`Outputs`]
//! (expectations ⟨O_i⟩ or basis probabilities): f(w, x) ∈ ℝ^m. It gives the Jacobians ∂f/∂w and ∂f/∂x
//! ([`QuantumFunction::jacobian`]) and the vector-Jacobian product gᵀ∂f/∂w, gᵀ∂f/∂x for an upstream gradient g
//! ([`QuantumFunction::vjp`]), by one of the [`DiffMethod`]s:
//!
//! - [`DiffMethod::Adjoint`]: one forward pass and one backward sweep that un-applies the gates, with two state
//!   vectors (three for a full Jacobian) whatever the number of parameters. The VJP of many outputs costs one
//!   sweep: the upstream gradient is folded into the single observable Σ g_i O_i.
//! - [`DiffMethod::ParameterShift`]: the exact shift rules a device can run: the two-term rule (shifts ±π/2)
//!   for RX, RY, RZ, Phase, CPhase, RXX, RYY, RZZ and U3's angles, the four-term rule for CRX, CRY, CRZ (and
//!   for Pauli rotations given extra controls). With shots ([`QuantumFunction::parameter_shift`]) the
//!   expectations are sampled with the caller's generator, as on hardware.
//! - [`DiffMethod::FiniteDifference`]: central differences with step [`FINITE_DIFFERENCE_STEP`], for checking.
//!
//! With the feature `mpi`, `QuantumFunction::evaluate_distributed`, `vjp_distributed` and
//! `jacobian_distributed` evaluate and differentiate (by the adjoint method) on a `quantum::DistributedState`
//! over the ranks of an MPI job.
//!
//! A parameter used by several gates (or scaled, `Param::Weight { scale }`) gets the sum over its uses of
//! scale × ∂f/∂θ, by the chain rule.

mod adjoint;
pub(crate) mod chunk;
#[cfg(feature = "mpi")]
mod distributed;
mod finite;
pub(crate) mod function;
mod noisy;
mod readout;
mod serde_repr;
mod shift;
mod tape;

pub use crate::quantum::engine::Gradients;
pub use function::{DiffMethod, Jacobian, QuantumFunction, Vjp, FINITE_DIFFERENCE_STEP};
pub use readout::Outputs;
pub use tape::{Tape, Workspace};
