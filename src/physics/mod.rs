//! Layer 1.5: many-body physics on qubits, built on [`quantum`](crate::quantum) only.
//!
//! - Hamiltonians as [`Observable`](crate::quantum::Observable)s: the transverse-field Ising chain
//!   ([`transverse_field_ising`]), the Heisenberg XXZ chain ([`heisenberg_xxz`]), open or periodic
//!   ([`Boundary`]), and any sum of Pauli strings ([`pauli_sum`]).
//! - Exact diagonalisation of small systems ([`Spectrum`], [`ground_state`] giving a [`GroundState`]) by nalgebra's Hermitian
//!   eigendecomposition of the dense matrix, the reference a variational method is judged against.
//! - [`hardware_efficient_ansatz`]: the layered RY–RZ–CNOT circuit of variational eigensolvers.
//!
//! # Limits
//!
//! Chains have at most [`MAX_QUBITS`](crate::quantum::MAX_QUBITS) sites, the register a state can have
//! ([`Error::TooManyQubits`](crate::Error::TooManyQubits)), and an ansatz at most [`MAX_ANSATZ_GATES`] gates
//! ([`Error::InvalidHyperParameter`](crate::Error::InvalidHyperParameter)): both are checked before anything
//! is built. Exact diagonalisation stops at [`MAX_EXACT_QUBITS`].
//!
//! # Example
//!
//! ```
//! use qnet::physics::{self, Boundary};
//!
//! # fn main() -> qnet::Result<()> {
//! // The critical Ising ring of 6 sites; free fermions give E_0 = −Σ_k 2|sin(k/2)|, k = (2m+1)π/6.
//! let h = physics::transverse_field_ising(6, 1.0, 1.0, Boundary::Periodic)?;
//! let e0 = physics::ground_state(&h, 6)?.energy;
//! let exact: f64 = (0..6).map(|m| -2.0 * ((2 * m + 1) as f64 * std::f64::consts::PI / 12.0).sin().abs()).sum();
//! assert!((e0 - exact).abs() < 1e-10);
//! # Ok(())
//! # }
//! ```

mod ansatz;
mod exact;
mod hamiltonian;

pub use ansatz::{hardware_efficient_ansatz, MAX_ANSATZ_GATES};
pub use exact::{ground_state, GroundState, Spectrum, MAX_EXACT_QUBITS};
pub use hamiltonian::{bonds, heisenberg_xxz, pauli_sum, transverse_field_ising, Boundary};
