//! Density matrices: validated mixed states, partial traces, purity and von Neumann entropies.

use nalgebra::DMatrix;
use num_complex::Complex64 as C;

use super::base::Base;
use super::shannon::{check_alpha, entropy_nats, renyi_nats};
use super::spectrum::HermitianLower;
use super::subsystem::{check_subsystem, complement, gram_lower, spread};
use crate::error::{Error, Result};
use crate::quantum::mixed::DensityState;
use crate::quantum::StateVector;

/// The largest register for which a dense density matrix is built: 2^12 × 2^12 complex entries take 256 MiB,
/// and diagonalizing them takes minutes. Above it, [`Error::MatrixTooLarge`].
pub const MAX_DENSITY_QUBITS: usize = 12;

/// How far a matrix may be from Hermitian, unit-trace and positive semidefinite and still be accepted as a
/// density matrix: max |ρ − ρ†| ≤ 1e-9, |Tr ρ − 1| ≤ 1e-9, smallest eigenvalue ≥ −1e-9.
pub const DENSITY_TOLERANCE: f64 = 1e-9;

/// The eigenvalues (ascending) of the Hermitian matrix whose lower triangle is given by `re` and `im`.
pub(crate) fn eigenvalues_of_parts(re: &DMatrix<f64>, im: &DMatrix<f64>) -> Result<Vec<f64>> {
    HermitianLower::from_parts(re.nrows(), re.as_slice().to_vec(), im.as_slice().to_vec()).eigenvalues()
}

/// The eigenvalues (ascending) of a Hermitian complex matrix, read from its lower triangle.
pub(crate) fn hermitian_eigenvalues(m: &DMatrix<C>) -> Result<Vec<f64>> {
    let re = m.iter().map(|z| z.re).collect();
    let im = m.iter().map(|z| z.im).collect();
    HermitianLower::from_parts(m.nrows(), re, im).eigenvalues()
}

/// The von Neumann entropy, in nats, of a spectrum: negative eigenvalues (rounding) count as zero.
pub(crate) fn spectrum_entropy_nats(eigenvalues: &[f64]) -> f64 {
    let clamped: Vec<f64> = eigenvalues.iter().map(|&x| x.max(0.0)).collect();
    // An eigenvalue rounded a hair above 1 would make the sum a hair negative.
    entropy_nats(&clamped).max(0.0)
}

/// The Rényi-α entropy, in nats, of a spectrum; for α = 0 the rank counts eigenvalues above
/// max(λ) · dim · ε, numpy's `matrix_rank` tolerance.
pub(crate) fn spectrum_renyi_nats(eigenvalues: &[f64], alpha: f64) -> f64 {
    let clamped: Vec<f64> = eigenvalues.iter().map(|&x| x.max(0.0)).collect();
    let top = clamped.iter().fold(0.0f64, |m, &x| m.max(x));
    let cutoff = top * clamped.len() as f64 * f64::EPSILON;
    let rank = clamped.iter().filter(|&&x| x > cutoff).count();
    renyi_nats(&clamped, alpha, rank)
}

/// A mixed state ρ of n qubits: a 2^n × 2^n Hermitian, positive semidefinite matrix of unit trace, with qubit 0
/// the least significant bit of the row and column index (Qiskit's order).
///
/// Built from a pure state ([`DensityMatrix::from_state`], ρ = |ψ⟩⟨ψ|), from the amplitudes of some of its
/// qubits ([`reduced_density_matrix`](super::reduced_density_matrix), without the full ρ), or from a matrix that
/// is checked ([`DensityMatrix::new`]). At most [`MAX_DENSITY_QUBITS`] qubits.
///
/// # Example
///
/// ```
/// use approx::assert_relative_eq;
/// use qnet::prelude::*;
///
/// # fn main() -> qnet::Result<()> {
/// // A Bell pair is pure, but each half is maximally mixed.
/// let mut bell = StateVector::new(2)?;
/// bell.apply_gate(&Gate::H, &[0])?;
/// bell.apply_gate(&Gate::CNOT, &[0, 1])?;
/// let rho = DensityMatrix::from_state(&bell)?;
/// assert_relative_eq!(rho.purity(), 1.0, epsilon = 1e-14);
/// assert_relative_eq!(rho.von_neumann_entropy(Base::BITS)?, 0.0, epsilon = 1e-12);
/// let half = rho.partial_trace(&[1])?;
/// assert_relative_eq!(half.purity(), 0.5, epsilon = 1e-14);
/// assert_relative_eq!(half.von_neumann_entropy(Base::BITS)?, 1.0, epsilon = 1e-12);
/// assert_relative_eq!(rho.mutual_information(&[0], &[1], Base::NATS)?, 2.0 * std::f64::consts::LN_2, epsilon = 1e-12);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
    feature = "serde",
    serde(try_from = "crate::serde_matrix::MatrixData<C>", into = "crate::serde_matrix::MatrixData<C>")
)]
pub struct DensityMatrix {
    num_qubits: usize,
    matrix: DMatrix<C>,
}

impl DensityMatrix {
    /// A density matrix from a 2^n × 2^n matrix, checked to be Hermitian, of unit trace and positive
    /// semidefinite, each within [`DENSITY_TOLERANCE`].
    ///
    /// # Errors
    /// [`Error::InvalidDensityMatrixShape`] unless square with side 2^n, n ≥ 1; [`Error::MatrixTooLarge`] above
    /// [`MAX_DENSITY_QUBITS`]; [`Error::NonFinite`] for NaN or infinite entries; [`Error::NotHermitian`],
    /// [`Error::TraceNotOne`], [`Error::NotPositiveSemidefinite`].
    ///
    /// # Example
    ///
    /// ```
    /// use nalgebra::DMatrix;
    /// use qnet::prelude::*;
    ///
    /// # fn main() -> qnet::Result<()> {
    /// let mixed = DMatrix::from_diagonal_element(2, 2, Complex64::new(0.5, 0.0));
    /// assert_eq!(DensityMatrix::new(mixed)?.num_qubits(), 1);
    /// let negative = DMatrix::from_diagonal(&nalgebra::dvector![Complex64::new(1.5, 0.0), Complex64::new(-0.5, 0.0)]);
    /// assert!(matches!(DensityMatrix::new(negative), Err(Error::NotPositiveSemidefinite { .. })));
    /// # Ok(())
    /// # }
    /// ```
    pub fn new(matrix: DMatrix<C>) -> Result<Self> {
        let (rows, cols) = matrix.shape();
        if rows != cols || rows < 2 || !rows.is_power_of_two() {
            return Err(Error::InvalidDensityMatrixShape { rows, cols });
        }
        let num_qubits = rows.trailing_zeros() as usize;
        if num_qubits > MAX_DENSITY_QUBITS {
            return Err(Error::MatrixTooLarge { num_qubits, max: MAX_DENSITY_QUBITS });
        }
        let mut deviation = 0.0f64;
        for col in 0..cols {
            for row in 0..rows {
                let z = matrix[(row, col)];
                if !(z.re.is_finite() && z.im.is_finite()) {
                    return Err(Error::non_finite_entry(row, col, z));
                }
                deviation = deviation.max((z - matrix[(col, row)].conj()).norm());
            }
        }
        if deviation > DENSITY_TOLERANCE {
            return Err(Error::NotHermitian { deviation, tolerance: DENSITY_TOLERANCE });
        }
        let trace = matrix.diagonal().iter().map(|z| z.re).sum::<f64>();
        if trace.is_nan() || (trace - 1.0).abs() > DENSITY_TOLERANCE {
            return Err(Error::TraceNotOne { trace, tolerance: DENSITY_TOLERANCE });
        }
        let min_eigenvalue = hermitian_eigenvalues(&matrix)?[0];
        if min_eigenvalue < -DENSITY_TOLERANCE {
            return Err(Error::NotPositiveSemidefinite { min_eigenvalue, tolerance: DENSITY_TOLERANCE });
        }
        Ok(DensityMatrix { num_qubits, matrix })
    }

    /// The pure state ρ = |ψ⟩⟨ψ|, a 2^n × 2^n matrix (n ≤ [`MAX_DENSITY_QUBITS`]).
    ///
    /// For entropies of parts of a large pure state, prefer [`reduced_density_matrix`](super::reduced_density_matrix)
    /// and [`entanglement_entropy`](super::entanglement_entropy), which never build ρ.
    ///
    /// # Errors
    /// [`Error::MatrixTooLarge`] above [`MAX_DENSITY_QUBITS`] qubits.
    pub fn from_state(state: &StateVector) -> Result<Self> {
        let num_qubits = state.num_qubits();
        if num_qubits > MAX_DENSITY_QUBITS {
            return Err(Error::MatrixTooLarge { num_qubits, max: MAX_DENSITY_QUBITS });
        }
        let psi = state.amplitudes();
        let dim = psi.len();
        let matrix = DMatrix::from_fn(dim, dim, |i, j| psi[i] * psi[j].conj());
        Ok(DensityMatrix { num_qubits, matrix })
    }

    /// Wraps a matrix already known to be a density matrix (built by this crate).
    pub(crate) fn from_parts_unchecked(num_qubits: usize, matrix: DMatrix<C>) -> Self {
        DensityMatrix { num_qubits, matrix }
    }

    /// The maximally mixed state I / 2^n.
    ///
    /// # Errors
    /// [`Error::ZeroQubits`] for 0, [`Error::MatrixTooLarge`] above [`MAX_DENSITY_QUBITS`].
    pub fn maximally_mixed(num_qubits: usize) -> Result<Self> {
        if num_qubits == 0 {
            return Err(Error::ZeroQubits);
        }
        if num_qubits > MAX_DENSITY_QUBITS {
            return Err(Error::MatrixTooLarge { num_qubits, max: MAX_DENSITY_QUBITS });
        }
        let dim = 1usize << num_qubits;
        let matrix = DMatrix::from_diagonal_element(dim, dim, C::new(1.0 / dim as f64, 0.0));
        Ok(DensityMatrix { num_qubits, matrix })
    }

    /// The number of qubits n.
    #[must_use]
    pub fn num_qubits(&self) -> usize {
        self.num_qubits
    }

    /// The side of the matrix, 2^n.
    #[must_use]
    pub fn dim(&self) -> usize {
        self.matrix.nrows()
    }

    /// The matrix ρ.
    #[must_use]
    pub fn matrix(&self) -> &DMatrix<C> {
        &self.matrix
    }

    /// The matrix ρ, taking the density matrix apart.
    #[must_use]
    pub fn into_matrix(self) -> DMatrix<C> {
        self.matrix
    }

    /// The probabilities ⟨i|ρ|i⟩ of the computational basis states (the real diagonal).
    #[must_use]
    pub fn probabilities(&self) -> Vec<f64> {
        self.matrix.diagonal().iter().map(|z| z.re).collect()
    }

    /// The purity Tr ρ² = Σ_ij |ρ_ij|², from 1/2^n (maximally mixed) to 1 (pure).
    ///
    /// Counterparts: `qiskit.quantum_info.purity`, `qml.math.purity`.
    #[must_use]
    pub fn purity(&self) -> f64 {
        self.matrix.iter().map(|z| z.norm_sqr()).sum()
    }

    /// The eigenvalues of ρ in ascending order, as computed (rounding can leave tiny negative values).
    ///
    /// # Errors
    /// [`Error::NoConvergence`] if the eigenvalue iteration fails (not expected for a valid ρ).
    pub fn eigenvalues(&self) -> Result<Vec<f64>> {
        hermitian_eigenvalues(&self.matrix)
    }

    /// The von Neumann entropy S(ρ) = −Tr ρ log_b ρ = −Σ_k λ_k log_b λ_k, in units of `base`, from the
    /// Hermitian eigenvalues λ_k (negative rounding residue clamped to 0).
    ///
    /// 0 for a pure state, n log_b 2 for the maximally mixed state. Counterparts:
    /// `qiskit.quantum_info.entropy(rho, base=2)` (bits by default), `qml.math.vn_entropy(rho, indices,
    /// base=None)` (nats by default).
    ///
    /// # Errors
    /// As [`DensityMatrix::eigenvalues`].
    pub fn von_neumann_entropy(&self, base: Base) -> Result<f64> {
        Ok(base.from_nats(spectrum_entropy_nats(&self.eigenvalues()?)))
    }

    /// The quantum Rényi entropy S_α(ρ) = log_b(Tr ρ^α) / (1 − α), in units of `base`.
    ///
    /// α = 1 is the von Neumann entropy, α = 0 the log of the rank (eigenvalues above max λ · 2^n · ε count),
    /// α = `f64::INFINITY` the min-entropy −log_b λ_max, α = 2 the collision entropy −log_b Tr ρ².
    /// Counterparts: PennyLane's `qml.math.max_entropy` (α = 0; it counts eigenvalues above 1e-8 as the rank) and
    /// `qml.math.min_entropy` (α = ∞), nats by default.
    ///
    /// # Errors
    /// [`Error::InvalidHyperParameter`] for α < 0 or NaN; as [`DensityMatrix::eigenvalues`].
    pub fn renyi_entropy(&self, alpha: f64, base: Base) -> Result<f64> {
        check_alpha(alpha)?;
        Ok(base.from_nats(spectrum_renyi_nats(&self.eigenvalues()?, alpha)))
    }

    /// The partial trace over the qubits `traced_out`: ρ_A = Tr_B ρ. The remaining qubits keep their order
    /// and are renumbered from 0 (Qiskit's `partial_trace(rho, qargs)`, which also names the traced qubits).
    ///
    /// # Errors
    /// [`Error::InvalidQubit`] or [`Error::DuplicateQubit`] for a bad list, [`Error::ZeroQubits`] when every
    /// qubit is traced out.
    pub fn partial_trace(&self, traced_out: &[usize]) -> Result<DensityMatrix> {
        let traced = check_subsystem(traced_out, self.num_qubits)?;
        let keep = complement(&traced, self.num_qubits);
        self.trace_to(&keep, &traced)
    }

    /// The reduced state of the qubits `keep`, ρ_keep = Tr_rest ρ, renumbered from 0 in ascending order of
    /// their index (PennyLane's `qml.math.reduce_dm(rho, indices)`, which names the kept qubits).
    ///
    /// # Errors
    /// [`Error::InvalidQubit`] or [`Error::DuplicateQubit`] for a bad list, [`Error::ZeroQubits`] for an empty one.
    pub fn reduce(&self, keep: &[usize]) -> Result<DensityMatrix> {
        let keep = check_subsystem(keep, self.num_qubits)?;
        let traced = complement(&keep, self.num_qubits);
        self.trace_to(&keep, &traced)
    }

    fn trace_to(&self, keep: &[usize], traced: &[usize]) -> Result<DensityMatrix> {
        if keep.is_empty() {
            return Err(Error::ZeroQubits);
        }
        let (sk, st) = (spread(keep), spread(traced));
        let d = sk.len();
        let matrix = DMatrix::from_fn(d, d, |i, j| st.iter().map(|&c| self.matrix[(sk[i] | c, sk[j] | c)]).sum());
        Ok(DensityMatrix { num_qubits: keep.len(), matrix })
    }

    /// The quantum mutual information I(A:B) = S(ρ_A) + S(ρ_B) − S(ρ_AB), in units of `base`, for disjoint
    /// subsystems `a` and `b` (ρ_AB is the reduced state of their union).
    ///
    /// 0 ≤ I(A:B) ≤ 2 min(S(A), S(B)); 2 ln 2 for a Bell pair. Counterparts: `qml.math.mutual_info(rho,
    /// indices0, indices1, base=None)` (nats); `qiskit.quantum_info.mutual_information(rho, base=2)` (bits, for a
    /// state split in two).
    ///
    /// # Errors
    /// [`Error::InvalidQubit`], [`Error::DuplicateQubit`], [`Error::ZeroQubits`] for an empty subsystem,
    /// [`Error::OverlappingSubsystems`] when `a` and `b` share a qubit.
    pub fn mutual_information(&self, a: &[usize], b: &[usize], base: Base) -> Result<f64> {
        let (a, b) = (check_subsystem(a, self.num_qubits)?, check_subsystem(b, self.num_qubits)?);
        check_disjoint(&a, &b)?;
        let mut ab: Vec<usize> = a.iter().chain(&b).copied().collect();
        ab.sort_unstable();
        let s = |q: &[usize]| -> Result<f64> { Ok(spectrum_entropy_nats(&self.reduce(q)?.eigenvalues()?)) };
        // Non-negative by subadditivity; clamp the rounding residue.
        Ok(base.from_nats((s(&a)? + s(&b)? - s(&ab)?).max(0.0)))
    }

    /// The Shannon entropy of a measurement of every qubit in the computational basis, H(diag ρ), in units of
    /// `base`. Never below the von Neumann entropy.
    #[must_use]
    pub fn measurement_entropy(&self, base: Base) -> f64 {
        let p: Vec<f64> = self.probabilities().into_iter().map(|x| x.max(0.0)).collect();
        base.from_nats(entropy_nats(&p))
    }
}

/// Checks that two sorted subsystems share no qubit.
pub(crate) fn check_disjoint(a: &[usize], b: &[usize]) -> Result<()> {
    if let Some(&qubit) = a.iter().find(|q| b.binary_search(q).is_ok()) {
        return Err(Error::OverlappingSubsystems { qubit });
    }
    Ok(())
}

/// The dense matrix of a [`DensityState`], checked as [`DensityMatrix::new`] checks it (Hermitian, unit
/// trace, positive semidefinite within [`DENSITY_TOLERANCE`]).
///
/// # Errors
/// [`Error::MatrixTooLarge`] above [`MAX_DENSITY_QUBITS`], and the errors of [`DensityMatrix::new`].
///
/// # Example
///
/// ```
/// use approx::assert_relative_eq;
/// use qnet::quantum::mixed::{Channel, DensityState};
/// use qnet::prelude::*;
///
/// # fn main() -> qnet::Result<()> {
/// // A Bell pair whose qubits both dephase completely keeps one classical bit of correlation.
/// let mut bell = Circuit::new(2)?;
/// bell.h(0)?.cnot(0, 1)?;
/// let mut rho = DensityState::new(2)?;
/// rho.run(&bell, &[], &[])?;
/// rho.apply_channel(&Channel::phase_damping(1.0)?, &[0])?;
/// let dense = DensityMatrix::try_from(&rho)?;
/// assert_relative_eq!(dense.mutual_information(&[0], &[1], Base::BITS)?, 1.0, epsilon = 1e-12);
/// assert_eq!(dense.to_density_state()?.entries(), rho.entries());
/// # Ok(())
/// # }
/// ```
impl TryFrom<&DensityState> for DensityMatrix {
    type Error = Error;
    fn try_from(state: &DensityState) -> Result<Self> {
        let num_qubits = state.num_qubits();
        if num_qubits > MAX_DENSITY_QUBITS {
            return Err(Error::MatrixTooLarge { num_qubits, max: MAX_DENSITY_QUBITS });
        }
        DensityMatrix::new(state.matrix())
    }
}

impl DensityMatrix {
    /// The same state as a [`DensityState`] of `quantum::mixed`, to run circuits and channels on.
    ///
    /// # Errors
    /// [`Error::TooManyQubits`] when the state cannot be allocated.
    pub fn to_density_state(&self) -> Result<DensityState> {
        DensityState::from_matrix_unchecked(&self.matrix)
    }
}

impl TryFrom<DMatrix<C>> for DensityMatrix {
    type Error = Error;
    fn try_from(matrix: DMatrix<C>) -> Result<Self> {
        DensityMatrix::new(matrix)
    }
}

impl From<DensityMatrix> for DMatrix<C> {
    fn from(rho: DensityMatrix) -> DMatrix<C> {
        rho.matrix
    }
}

/// Read with serde: the shape is checked before the matrix is made, then everything [`DensityMatrix::new`]
/// checks.
#[cfg(feature = "serde")]
impl TryFrom<crate::serde_matrix::MatrixData<C>> for DensityMatrix {
    type Error = Error;
    fn try_from(data: crate::serde_matrix::MatrixData<C>) -> Result<Self> {
        DensityMatrix::new(data.into_matrix()?)
    }
}

#[cfg(feature = "serde")]
impl From<DensityMatrix> for crate::serde_matrix::MatrixData<C> {
    fn from(rho: DensityMatrix) -> Self {
        rho.matrix.into()
    }
}

impl approx::AbsDiffEq for DensityMatrix {
    type Epsilon = f64;
    fn default_epsilon() -> f64 {
        1e-12
    }
    fn abs_diff_eq(&self, other: &Self, epsilon: f64) -> bool {
        self.num_qubits == other.num_qubits
            && self.matrix.iter().zip(other.matrix.iter()).all(|(a, b)| (a - b).norm() <= epsilon)
    }
}

/// The reduced density matrix of the qubits `keep` of a pure state, ρ_keep[r, r'] = Σ_c ψ[r, c] conj(ψ[r', c])
/// with c running over the other qubits, built from the amplitudes without the full 2^n × 2^n ρ.
///
/// The kept qubits are renumbered from 0 in ascending order (as [`DensityMatrix::reduce`]). The cost is
/// 2^(2k + n) for k kept qubits, spent in three real matrix products; at most [`MAX_DENSITY_QUBITS`] kept
/// qubits, whatever n. Counterparts: `qiskit.quantum_info.partial_trace(psi, traced)`, `qml.math.reduce_statevector`.
///
/// # Errors
/// [`Error::InvalidQubit`], [`Error::DuplicateQubit`], [`Error::ZeroQubits`] for an empty list,
/// [`Error::MatrixTooLarge`] for more than [`MAX_DENSITY_QUBITS`] kept qubits.
///
/// # Example
///
/// ```
/// use approx::assert_relative_eq;
/// use qnet::info::reduced_density_matrix;
/// use qnet::prelude::*;
///
/// # fn main() -> qnet::Result<()> {
/// // GHZ on 3 qubits: any one qubit is maximally mixed.
/// let mut ghz = Circuit::new(3)?;
/// ghz.h(0)?.cnot(0, 1)?.cnot(1, 2)?;
/// let mut psi = StateVector::new(3)?;
/// psi.run(&ghz, &[], &[])?;
/// let rho = reduced_density_matrix(&psi, &[1])?;
/// assert_relative_eq!(rho.matrix()[(0, 0)].re, 0.5, epsilon = 1e-15);
/// assert_relative_eq!(rho.matrix()[(0, 1)].norm(), 0.0, epsilon = 1e-15);
/// # Ok(())
/// # }
/// ```
pub fn reduced_density_matrix(state: &StateVector, keep: &[usize]) -> Result<DensityMatrix> {
    let n = state.num_qubits();
    let keep = check_subsystem(keep, n)?;
    if keep.is_empty() {
        return Err(Error::ZeroQubits);
    }
    if keep.len() > MAX_DENSITY_QUBITS {
        return Err(Error::MatrixTooLarge { num_qubits: keep.len(), max: MAX_DENSITY_QUBITS });
    }
    let rest = complement(&keep, n);
    let (re, im) = gram_lower(state.amplitudes(), &keep, &rest);
    let d = re.nrows();
    // The lower triangle, mirrored: exactly Hermitian.
    let matrix =
        DMatrix::from_fn(
            d,
            d,
            |i, j| {
                if i >= j {
                    C::new(re[(i, j)], im[(i, j)])
                } else {
                    C::new(re[(j, i)], -im[(j, i)])
                }
            },
        );
    Ok(DensityMatrix::from_parts_unchecked(keep.len(), matrix))
}

/// The eigenvalues (ascending) of the reduced density matrix of `rows`, computed from the Gram matrix.
pub(crate) fn reduced_spectrum(state: &StateVector, rows: &[usize], cols: &[usize]) -> Result<Vec<f64>> {
    let (re, im) = gram_lower(state.amplitudes(), rows, cols);
    eigenvalues_of_parts(&re, &im)
}
