//! Layer 2: information theory — Shannon and quantum entropies, divergences, mutual information, and the
//! thermodynamic quantities that link entropy to learning.
//!
//! Everything classical works on plain `&[f64]` probability vectors, `nalgebra::DMatrix<f64>` joint tables
//! (rows index X, columns Y), counts, or paired label sequences, and stands alone; the quantum measures take a
//! [`StateVector`](crate::StateVector) or a [`DensityMatrix`] from the quantum layer. Every entropy takes a
//! [`Base`]: the unit is always written at the call site, because the peers disagree on the default.
//!
//! ```
//! use approx::assert_relative_eq;
//! use qnet::info::{entanglement_entropy, quantum_mutual_information, Boltzmann};
//! use qnet::prelude::*;
//!
//! # fn main() -> qnet::Result<()> {
//! // Classical: a fair die carries log₂ 6 bits.
//! assert_relative_eq!(entropy(&[1.0 / 6.0; 6], Base::BITS)?, 6f64.log2(), max_relative = 1e-15);
//!
//! // Quantum: one half of a Bell pair is maximally mixed, the pair shares 2 ln 2 nats.
//! let mut bell = Circuit::new(2)?;
//! bell.h(0)?.cnot(0, 1)?;
//! let mut psi = StateVector::new(2)?;
//! psi.run(&bell, &[], &[])?;
//! assert_relative_eq!(entanglement_entropy(&psi, &[0], Base::NATS)?, std::f64::consts::LN_2, epsilon = 1e-12);
//! assert_relative_eq!(quantum_mutual_information(&psi, &[0], &[1], Base::NATS)?, 2.0 * std::f64::consts::LN_2, epsilon = 1e-12);
//!
//! // Thermodynamics: F = ⟨E⟩ − T S.
//! let b = Boltzmann::new(&[0.0, 0.5, 2.0], 0.7)?;
//! assert_relative_eq!(b.free_energy(), b.mean_energy() - 0.7 * b.entropy(Base::NATS), max_relative = 1e-14);
//! # Ok(())
//! # }
//! ```
//!
//! ## Units
//!
//! A [`Base`] b measures information in log_b units: [`Base::BITS`] (b = 2), [`Base::NATS`] (b = e),
//! [`Base::HARTLEYS`] (b = 10) or `Base::new(b)?` for any finite b > 1. A value in nats divides by ln b.
//! Defaults of the peers: **scipy** and **scikit-learn** and **PennyLane** use nats; **Qiskit** uses bits.
//! The normalized mutual information is a ratio and takes no base. In the thermodynamic functions energies and
//! the temperature share one unit (k_B = 1), entropies are in nats unless a base is given, and F is an energy.
//!
//! ## Correspondence with the peers
//!
//! | qnet | scipy | scikit-learn | Qiskit (`qiskit.quantum_info`) | PennyLane |
//! |---|---|---|---|---|
//! | default base | e (nats) | e (nats) | 2 (bits) | e (nats) |
//! | [`entropy`] | `stats.entropy(p)` | — | `shannon_entropy(p)` | — |
//! | [`entropy_from_counts`] | `stats.entropy(counts)` | — | — | — |
//! | [`normalize`], [`normalize_table`] | (implicit in `stats.entropy`) | — | — | — |
//! | [`kl_divergence`] | `stats.entropy(p, q)`, `special.rel_entr` | — | — | — |
//! | [`cross_entropy`] | `stats.entropy(p) + stats.entropy(p, q)` | `log_loss` (one-hot p) | — | — |
//! | [`js_divergence`] | `spatial.distance.jensenshannon(p, q)**2` | — | — | — |
//! | [`js_distance`] | `spatial.distance.jensenshannon(p, q)` | — | — | — |
//! | [`renyi_entropy`] | — | — | — | `math.max_entropy` (α = 0), `math.min_entropy` (α = ∞) of diag(p) |
//! | [`joint_entropy`] | `stats.entropy(pxy.ravel())` | — | — | — |
//! | [`conditional_entropy`] | — | — | — | — |
//! | [`mutual_information`], [`marginals`] | — | `mutual_info_score(contingency=…)` | — | — |
//! | [`contingency_table`] | — | `cluster.contingency_matrix` | — | — |
//! | [`mutual_information_from_counts`] | — | `mutual_info_score(None, None, contingency=…)` | — | — |
//! | [`mutual_information_from_labels`] | — | `mutual_info_score(a, b)` | — | — |
//! | [`normalized_mutual_information`] | — | `normalized_mutual_info_score(a, b, average_method)` | — | — |
//! | [`DensityMatrix::from_state`], [`DensityMatrix::new`] | — | — | `DensityMatrix(psi)`, `DensityMatrix(m)` + `is_valid` | `math.dm_from_state_vector` |
//! | [`DensityMatrix::partial_trace`] | — | — | `partial_trace(rho, qargs)` | — |
//! | [`DensityMatrix::reduce`], [`reduced_density_matrix`] | — | — | `partial_trace(psi, traced)` | `math.reduce_dm`, `math.reduce_statevector` |
//! | [`DensityMatrix::purity`] | — | — | `purity` | `math.purity` |
//! | [`DensityMatrix::von_neumann_entropy`] | — | — | `entropy(rho)` | `math.vn_entropy` |
//! | [`DensityMatrix::renyi_entropy`], [`entanglement_renyi_entropy`] | — | — | — | `math.max_entropy` (α = 0), `math.min_entropy` (α = ∞) |
//! | [`DensityMatrix::mutual_information`], [`quantum_mutual_information`] | — | — | `mutual_information` | `math.mutual_info`, `qml.mutual_info` |
//! | [`schmidt_coefficients`] | `linalg.svdvals(psi.reshape(…))` | — | `schmidt_decomposition` | — |
//! | [`entanglement_entropy`] | — | — | `entropy(partial_trace(psi, …))` | `math.vn_entanglement_entropy`, `qml.vn_entropy` |
//! | [`measurement_entropy`], [`DensityMatrix::measurement_entropy`] | — | — | `shannon_entropy(psi.probabilities())` | — |
//! | [`log_sum_exp`] | `special.logsumexp` | — | — | — |
//! | [`Boltzmann`], [`boltzmann_distribution`] | `special.softmax(-E / T)` | — | — | — |
//! | [`free_energy`] | `-T * special.logsumexp(-E / T)` | — | — | — |
//! | [`softmax`], [`softmax_entropy`] | `special.softmax(z / T)`, then `stats.entropy` | — | — | — |
//! | [`GibbsState`] | `linalg.expm(-H / T) / Z` | — | `entropy` of that | — |
//!
//! ## Validation
//!
//! Probability vectors and tables must be non-empty, finite, non-negative and sum to 1 within
//! [`PROBABILITY_TOLERANCE`]; counts and weights are normalized explicitly ([`entropy_from_counts`],
//! [`normalize`]). Density matrices must be Hermitian, of unit trace and positive semidefinite within
//! [`DENSITY_TOLERANCE`]. Each failure is its own [`Error`](crate::Error) variant, carrying the offending value.
//!
//! ## Sizes
//!
//! A dense [`DensityMatrix`] has at most [`MAX_DENSITY_QUBITS`] qubits. Entanglement entropies of a pure
//! state never build ρ: they diagonalize the 2^k × 2^k Gram matrix of the amplitudes, k the smaller side of the
//! cut, so a 20-qubit half cut handles 2^10 × 2^10 matrices only.

mod base;
mod density;
mod gibbs;
mod joint;
mod labels;
mod schmidt;
mod shannon;
mod spectrum;
mod subsystem;
mod thermo;
mod tridiagonal;
mod validate;

pub use base::Base;
pub use density::{reduced_density_matrix, DensityMatrix, DENSITY_TOLERANCE, MAX_DENSITY_QUBITS};
pub use gibbs::GibbsState;
pub use joint::{conditional_entropy, joint_entropy, marginals, mutual_information, Marginals};
pub use labels::{
    contingency_table, mutual_information_from_counts, mutual_information_from_labels, normalized_mutual_information,
    AverageMethod,
};
pub use schmidt::{
    entanglement_entropy, entanglement_renyi_entropy, measurement_entropy, quantum_mutual_information,
    schmidt_coefficients,
};
pub use shannon::{
    cross_entropy, entropy, entropy_from_counts, js_distance, js_divergence, kl_divergence, renyi_entropy,
};
pub use thermo::{boltzmann_distribution, free_energy, log_sum_exp, softmax, softmax_entropy, Boltzmann};
pub(crate) use thermo::{check_finite, check_temperature, softmax_into};
pub use validate::{normalize, normalize_table, PROBABILITY_TOLERANCE};
