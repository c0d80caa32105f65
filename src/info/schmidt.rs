//! Entanglement of pure states: Schmidt coefficients, entanglement entropies, mutual information and the
//! entropy of a measurement, all from the amplitudes (never a 2^n × 2^n matrix).

use super::base::Base;
use super::density::{
    check_disjoint, reduced_spectrum, spectrum_entropy_nats, spectrum_renyi_nats, MAX_DENSITY_QUBITS,
};
use super::shannon::{check_alpha, entropy_nats};
use super::subsystem::{check_subsystem, complement};
use crate::error::{Error, Result};
use crate::quantum::StateVector;

/// The spectrum of ρ_A (ascending, as computed), from the Gram matrix of the smaller side of the cut.
fn cut_spectrum(state: &StateVector, subsystem: &[usize]) -> Result<Vec<f64>> {
    let n = state.num_qubits();
    let a = check_subsystem(subsystem, n)?;
    let b = complement(&a, n);
    let (small, large) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if small.len() > MAX_DENSITY_QUBITS {
        return Err(Error::MatrixTooLarge { num_qubits: small.len(), max: MAX_DENSITY_QUBITS });
    }
    if small.is_empty() {
        // A product cut: the only Schmidt coefficient is ‖ψ‖.
        return Ok(vec![state.norm().powi(2)]);
    }
    reduced_spectrum(state, &small, &large)
}

/// The Schmidt coefficients σ_k of |ψ⟩ = Σ_k σ_k |a_k⟩|b_k⟩ across the cut (`subsystem`, rest), in descending
/// order; Σ σ_k² = 1.
///
/// They are the singular values of the amplitudes reshaped to the 2^|A| × 2^|B| matrix M[a, b] = ψ[a, b]
/// (local indices in the crate's bit order, so any set of qubits works, contiguous or not). qnet takes them as
/// the square roots of the eigenvalues of the Gram matrix M M† of the smaller side (2^k × 2^k, k = min(|A|,
/// |B|)), formed by real matrix products and diagonalized by a Hermitian eigenvalue kernel. Each σ² is then
/// accurate to a few ε = 2.2e-16 in absolute terms, which is what entropies need: a coefficient below ~1e-8
/// loses its relative accuracy, but its term −σ² ln σ² is below 4e-15 anyway. There are 2^k coefficients,
/// trailing zeros included; k is at most
/// [`MAX_DENSITY_QUBITS`]. An empty or full `subsystem` gives the single coefficient 1.
///
/// # Errors
/// [`Error::InvalidQubit`], [`Error::DuplicateQubit`], [`Error::MatrixTooLarge`] when both sides have more
/// than [`MAX_DENSITY_QUBITS`] qubits.
///
/// # Example
///
/// ```
/// use approx::assert_relative_eq;
/// use qnet::info::schmidt_coefficients;
/// use qnet::prelude::*;
///
/// # fn main() -> qnet::Result<()> {
/// let mut bell = Circuit::new(2)?;
/// bell.h(0)?.cnot(0, 1)?;
/// let mut psi = StateVector::new(2)?;
/// psi.run(&bell, &[], &[])?;
/// let s = schmidt_coefficients(&psi, &[0])?;
/// assert_relative_eq!(s[0], std::f64::consts::FRAC_1_SQRT_2, epsilon = 1e-14);
/// assert_relative_eq!(s[1], std::f64::consts::FRAC_1_SQRT_2, epsilon = 1e-14);
/// # Ok(())
/// # }
/// ```
pub fn schmidt_coefficients(state: &StateVector, subsystem: &[usize]) -> Result<Vec<f64>> {
    let spectrum = cut_spectrum(state, subsystem)?;
    Ok(spectrum.iter().rev().map(|&x| x.max(0.0).sqrt()).collect())
}

/// The entanglement entropy S(A) = −Σ_k σ_k² log_b σ_k² of a pure state across the cut (`subsystem`, rest),
/// in units of `base`: the von Neumann entropy of ρ_A, equal to that of ρ_B.
///
/// From the [`schmidt_coefficients`], so a 20-qubit half cut needs only 2^10 × 2^10 matrices (well under a
/// second; see the crate's notes for figures). ln 2 for one half of a Bell pair, 0 for a product cut.
/// Counterparts: `qml.math.vn_entanglement_entropy(rho, indices0, indices1, base=None)` and `qml.vn_entropy(wires)`
/// (nats); `qiskit.quantum_info.entropy(partial_trace(psi, rest), base=2)` (bits).
///
/// # Errors
/// As [`schmidt_coefficients`].
///
/// # Example
///
/// ```
/// use approx::assert_relative_eq;
/// use qnet::info::entanglement_entropy;
/// use qnet::prelude::*;
///
/// # fn main() -> qnet::Result<()> {
/// let mut ghz = Circuit::new(3)?;
/// ghz.h(0)?.cnot(0, 1)?.cnot(1, 2)?;
/// let mut psi = StateVector::new(3)?;
/// psi.run(&ghz, &[], &[])?;
/// for q in 0..3 {
///     assert_relative_eq!(entanglement_entropy(&psi, &[q], Base::BITS)?, 1.0, epsilon = 1e-12);
/// }
/// # Ok(())
/// # }
/// ```
pub fn entanglement_entropy(state: &StateVector, subsystem: &[usize], base: Base) -> Result<f64> {
    Ok(base.from_nats(spectrum_entropy_nats(&cut_spectrum(state, subsystem)?)))
}

/// The Rényi-α entanglement entropy S_α(A) = log_b(Σ_k σ_k^(2α)) / (1 − α) of a pure state across the cut
/// (`subsystem`, rest), in units of `base`; α as in [`renyi_entropy`](super::renyi_entropy).
///
/// Counterparts: `qml.math.max_entropy(rho, indices)` (α = 0) and `qml.math.min_entropy(rho, indices)` (α = ∞), nats.
///
/// # Errors
/// As [`schmidt_coefficients`], and [`Error::InvalidHyperParameter`] for α < 0 or NaN.
///
/// # Example
///
/// ```
/// use approx::assert_relative_eq;
/// use qnet::info::entanglement_renyi_entropy;
/// use qnet::prelude::*;
///
/// # fn main() -> qnet::Result<()> {
/// let mut bell = Circuit::new(2)?;
/// bell.h(0)?.cnot(0, 1)?;
/// let mut psi = StateVector::new(2)?;
/// psi.run(&bell, &[], &[])?;
/// // A maximally entangled pair: every Rényi entropy is one bit.
/// for alpha in [0.0, 0.5, 2.0, f64::INFINITY] {
///     assert_relative_eq!(entanglement_renyi_entropy(&psi, &[1], alpha, Base::BITS)?, 1.0, epsilon = 1e-12);
/// }
/// # Ok(())
/// # }
/// ```
pub fn entanglement_renyi_entropy(state: &StateVector, subsystem: &[usize], alpha: f64, base: Base) -> Result<f64> {
    check_alpha(alpha)?;
    Ok(base.from_nats(spectrum_renyi_nats(&cut_spectrum(state, subsystem)?, alpha)))
}

/// The quantum mutual information I(A:B) = S(A) + S(B) − S(AB) of disjoint subsystems `a` and `b` of a pure
/// state, in units of `base`, each entropy from the Schmidt coefficients of its cut (S(AB) is that of the
/// cut (A ∪ B, rest), 0 when A ∪ B is the whole register).
///
/// 2 ln 2 for a Bell pair, 0 for a product of A and B. Counterparts: `qml.mutual_info(wires0, wires1)` and
/// `qml.math.mutual_info` (nats), `qiskit.quantum_info.mutual_information` (bits, for a state split in two).
///
/// # Errors
/// As [`schmidt_coefficients`], and [`Error::OverlappingSubsystems`] when `a` and `b` share a qubit.
///
/// # Example
///
/// ```
/// use approx::assert_relative_eq;
/// use qnet::info::quantum_mutual_information;
/// use qnet::prelude::*;
///
/// # fn main() -> qnet::Result<()> {
/// let mut bell = Circuit::new(2)?;
/// bell.h(0)?.cnot(0, 1)?;
/// let mut psi = StateVector::new(2)?;
/// psi.run(&bell, &[], &[])?;
/// let i = quantum_mutual_information(&psi, &[0], &[1], Base::NATS)?;
/// assert_relative_eq!(i, 2.0 * std::f64::consts::LN_2, epsilon = 1e-12);
/// # Ok(())
/// # }
/// ```
pub fn quantum_mutual_information(state: &StateVector, a: &[usize], b: &[usize], base: Base) -> Result<f64> {
    let n = state.num_qubits();
    let (a, b) = (check_subsystem(a, n)?, check_subsystem(b, n)?);
    check_disjoint(&a, &b)?;
    let mut ab: Vec<usize> = a.iter().chain(&b).copied().collect();
    ab.sort_unstable();
    let s = |q: &[usize]| -> Result<f64> { Ok(spectrum_entropy_nats(&cut_spectrum(state, q)?)) };
    Ok(base.from_nats((s(&a)? + s(&b)? - s(&ab)?).max(0.0)))
}

/// The Shannon entropy H = −Σ_i |ψ_i|² log_b |ψ_i|² of measuring every qubit of a pure state in the
/// computational basis, in units of `base`.
///
/// Not the von Neumann entropy (0 for every pure state): it depends on the basis, and n log_b 2 for |+⟩^⊗n.
/// Counterpart: `qiskit.quantum_info.shannon_entropy(psi.probabilities(), base=2)`.
///
/// # Example
///
/// ```
/// use approx::assert_relative_eq;
/// use qnet::info::measurement_entropy;
/// use qnet::prelude::*;
///
/// # fn main() -> qnet::Result<()> {
/// let mut plus = StateVector::new(3)?;
/// for q in 0..3 {
///     plus.apply_gate(&Gate::H, &[q])?;
/// }
/// assert_relative_eq!(measurement_entropy(&plus, Base::BITS), 3.0, epsilon = 1e-12);
/// # Ok(())
/// # }
/// ```
#[must_use]
pub fn measurement_entropy(state: &StateVector, base: Base) -> f64 {
    base.from_nats(entropy_nats(&state.probabilities()))
}
