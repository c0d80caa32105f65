//! Mixed states and noise, on the one engine: a density matrix ρ of n qubits held as a vector over 2n qubits
//! (ket qubit q, bra qubit q + n), so that circuits run through the same compiled plans and kernels as
//! [`StateVector`](super::StateVector).
//!
//! - [`DensityState`]: ρ evolved in place by circuits (U on the ket qubits, U* on the bra qubits), by channels
//!   and by circuits under a noise model; trace, purity, Tr(Oρ) for Pauli sums, probabilities, marginals and
//!   samples. `info::DensityMatrix::try_from(&state)` gives entropies and partial traces.
//! - [`Channel`]: depolarizing (one and two qubits), amplitude damping, generalized amplitude damping and
//!   thermal relaxation, phase damping, bit flip, phase flip, Pauli channels and checked Kraus sets, with their
//!   conventions against PennyLane, Cirq, Qulacs and Aer in a table.
//! - [`ChannelInstruction`]: a channel placed in a [`Circuit`](super::Circuit) by its builder methods
//!   ([`Circuit::depolarizing`](super::Circuit::depolarizing), ...), its strengths constants, weights or inputs.
//! - [`NoiseModel`]: channels after gates of a kind (or all), on all or given qubits, and [`ReadoutError`]s
//!   applied to probabilities and to samples.
//! - [`Trajectories`]: Monte-Carlo wave-function runs of a noisy circuit on a pure state (a random Kraus
//!   operator per channel, p_k = ‖K_k ψ‖²), for registers whose density matrix does not fit: estimates of Tr(Oρ)
//!   with standard errors ([`TrajectoryEstimate`]) and counts, bit-identical for any thread count.
//!
//! A one-qubit channel is its 4x4 superoperator on qubits (q, q + n), applied by the dense two-qubit kernel;
//! under a noise model, consecutive one-qubit channels on a qubit are multiplied into one superoperator. A
//! two-qubit channel's 16x16 superoperator is applied group by group (single-threaded).
//!
//! # Limits
//!
//! A density state takes 16·4^n bytes: 12 qubits 256 MiB, 14 qubits 4 GiB. [`DensityState::new`] says
//! [`Error::TooManyQubits`](crate::Error::TooManyQubits) before allocating when that exceeds the memory the
//! process can take. Trajectories take 16·2^n bytes per worker (30 qubits: 16 GiB for one).

mod adjoint;
mod channel;
mod doubled;
mod jump;
mod noise;
mod placed;
mod readout;
mod sequence;
mod state;
mod superop;
mod sweep;
mod trajectory;

pub(crate) use adjoint::add_observable;
pub use adjoint::NoisyGradient;
pub use channel::{Channel, KRAUS_TOLERANCE};
pub use noise::NoiseModel;
pub use placed::ChannelInstruction;
pub use readout::ReadoutError;
pub use state::DensityState;
pub use trajectory::{Trajectories, TrajectoryEstimate};

#[cfg(test)]
mod tests;
