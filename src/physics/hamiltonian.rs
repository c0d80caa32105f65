//! Spin-chain Hamiltonians as Pauli observables.

use crate::error::{Error, Result};
use crate::quantum::{Observable, Pauli, PauliString};

/// The boundary of a one-dimensional chain.
///
/// # Example
///
/// ```
/// use qnet::physics::{self, Boundary};
///
/// # fn main() -> qnet::Result<()> {
/// assert_eq!(physics::bonds(3, Boundary::Open)?, vec![(0, 1), (1, 2)]);
/// assert_eq!(physics::bonds(3, Boundary::Periodic)?, vec![(0, 1), (1, 2), (2, 0)]);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Boundary {
    /// Sites 0 … n−1 with bonds (i, i+1) for i < n−1.
    Open,
    /// A ring: the open bonds plus (n−1, 0). Needs at least 3 sites, so that no bond is counted twice.
    Periodic,
}

/// The nearest-neighbour bonds (i, j) of a chain of `num_sites` sites.
///
/// # Errors
/// [`Error::InvalidHyperParameter`] for no sites, or for a periodic chain of fewer than 3 sites;
/// [`Error::TooManyQubits`] for more sites than [`MAX_QUBITS`](crate::quantum::MAX_QUBITS).
pub fn bonds(num_sites: usize, boundary: Boundary) -> Result<Vec<(usize, usize)>> {
    if num_sites == 0 {
        return Err(Error::hyper_parameter("num_sites", 0, "a chain needs at least one site"));
    }
    crate::quantum::state::check_max_qubits(num_sites)?;
    let mut b: Vec<(usize, usize)> = (0..num_sites - 1).map(|i| (i, i + 1)).collect();
    if boundary == Boundary::Periodic {
        if num_sites < 3 {
            return Err(Error::hyper_parameter("num_sites", num_sites, "a periodic chain needs at least 3 sites"));
        }
        b.push((num_sites - 1, 0));
    }
    Ok(b)
}

fn finite(name: &'static str, value: f64) -> Result<()> {
    if value.is_finite() {
        Ok(())
    } else {
        Err(Error::hyper_parameter(name, value, "must be finite"))
    }
}

/// The transverse-field Ising chain H = −J Σ_⟨i,j⟩ Z_i Z_j − h Σ_i X_i, on the bonds of [`bonds`].
///
/// With J, h > 0 the chain is ferromagnetic; J = h is the quantum critical point. Terms are ordered: the ZZ
/// bonds, then the X fields.
///
/// # Errors
/// The errors of [`bonds`]; [`Error::InvalidHyperParameter`] when `j` or `h` is not finite.
///
/// # Example
///
/// ```
/// use qnet::physics::{self, Boundary};
/// use qnet::prelude::*;
///
/// # fn main() -> qnet::Result<()> {
/// let h = physics::transverse_field_ising(3, 1.0, 0.5, Boundary::Open)?;
/// assert_eq!(h.to_string(), "-1*ZZ + -1*ZZI + -0.5*X + -0.5*XI + -0.5*XII");
/// // |000⟩ has ⟨ZZ⟩ = 1 on both bonds and ⟨X⟩ = 0: energy −2J.
/// assert_eq!(StateVector::new(3)?.expectation(&h)?, -2.0);
/// # Ok(())
/// # }
/// ```
pub fn transverse_field_ising(num_sites: usize, j: f64, h: f64, boundary: Boundary) -> Result<Observable> {
    finite("j", j)?;
    finite("h", h)?;
    let mut terms = Vec::new();
    for (a, b) in bonds(num_sites, boundary)? {
        terms.push(PauliString::new(-j, &[(a, Pauli::Z), (b, Pauli::Z)])?);
    }
    for i in 0..num_sites {
        terms.push(PauliString::new(-h, &[(i, Pauli::X)])?);
    }
    Ok(Observable::from_terms(terms))
}

/// The Heisenberg XXZ chain H = J Σ_⟨i,j⟩ (X_i X_j + Y_i Y_j + Δ Z_i Z_j), on the bonds of [`bonds`].
///
/// Δ = 1 is the isotropic (XXX) antiferromagnet for J > 0, Δ = 0 the XX chain. Terms are ordered bond by
/// bond: XX, YY, ZZ.
///
/// # Errors
/// The errors of [`bonds`]; [`Error::InvalidHyperParameter`] when `j` or `delta` is not finite.
///
/// # Example
///
/// ```
/// use qnet::physics::{self, Boundary};
/// use qnet::prelude::*;
///
/// # fn main() -> qnet::Result<()> {
/// // Two sites: the singlet (|01⟩ − |10⟩)/√2 has energy −J(2 + Δ).
/// let h = physics::heisenberg_xxz(2, 1.0, 0.5, Boundary::Open)?;
/// let r = std::f64::consts::FRAC_1_SQRT_2;
/// let singlet = StateVector::from_amplitudes(vec![
///     Complex64::new(0.0, 0.0), Complex64::new(r, 0.0), Complex64::new(-r, 0.0), Complex64::new(0.0, 0.0),
/// ])?;
/// assert!((singlet.expectation(&h)? + 2.5).abs() < 1e-12);
/// # Ok(())
/// # }
/// ```
pub fn heisenberg_xxz(num_sites: usize, j: f64, delta: f64, boundary: Boundary) -> Result<Observable> {
    finite("j", j)?;
    finite("delta", delta)?;
    let mut terms = Vec::new();
    for (a, b) in bonds(num_sites, boundary)? {
        terms.push(PauliString::new(j, &[(a, Pauli::X), (b, Pauli::X)])?);
        terms.push(PauliString::new(j, &[(a, Pauli::Y), (b, Pauli::Y)])?);
        terms.push(PauliString::new(j * delta, &[(a, Pauli::Z), (b, Pauli::Z)])?);
    }
    Ok(Observable::from_terms(terms))
}

/// Σ_k c_k P_k from (coefficient, label) pairs, labels read as [`PauliString::parse`] reads them (rightmost
/// character on qubit 0).
///
/// # Errors
/// [`Error::InvalidPauliLabel`] for a bad label, [`Error::NonFinite`] for NaN or ±∞.
///
/// # Example
///
/// ```
/// use qnet::physics;
/// use qnet::prelude::*;
///
/// # fn main() -> qnet::Result<()> {
/// let h = physics::pauli_sum(&[(0.5, "XX"), (-1.0, "ZI")])?;
/// assert_eq!(h.len(), 2);
/// assert_eq!(StateVector::new(2)?.expectation(&h)?, -1.0);
/// # Ok(())
/// # }
/// ```
pub fn pauli_sum(terms: &[(f64, &str)]) -> Result<Observable> {
    let mut out = Vec::with_capacity(terms.len());
    for &(c, label) in terms {
        out.push(PauliString::parse(label)?.with_coeff(c)?);
    }
    Ok(Observable::from_terms(out))
}
