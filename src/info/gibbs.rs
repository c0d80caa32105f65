//! The thermal (Gibbs) state ρ = e^(−H/T) / Z of a Pauli Hamiltonian.

use nalgebra::DMatrix;
use num_complex::Complex64 as C;

use super::base::Base;
use super::density::{DensityMatrix, MAX_DENSITY_QUBITS};
use super::thermo::Boltzmann;
use crate::error::{Error, Result};
use crate::quantum::Observable;

/// The thermal state ρ = e^(−H/T) / Z of a Hamiltonian H (an [`Observable`]) on n qubits at temperature T,
/// Z = Tr e^(−H/T), with its thermodynamics (k_B = 1).
///
/// Built from the dense matrix of H and its Hermitian eigendecomposition H = Σ_k E_k |k⟩⟨k|: the populations
/// of the eigenstates are the [`Boltzmann`] distribution of the E_k (log-sum-exp, stable for any T > 0), and
/// ρ = Σ_k p_k |k⟩⟨k|. Its von Neumann entropy is the Shannon entropy of the p_k. The dense route costs
/// O(8^n) time and 16 · 4^n bytes: n ≤ [`MAX_DENSITY_QUBITS`], and in practice n ≤ 10 for interactive use.
/// Counterpart: `scipy.linalg.expm(-H / T)` divided by its trace, then `qiskit.quantum_info.entropy`.
///
/// # Example
///
/// ```
/// use approx::assert_relative_eq;
/// use qnet::info::GibbsState;
/// use qnet::prelude::*;
///
/// # fn main() -> qnet::Result<()> {
/// // H = −Z on one qubit: populations ∝ (e^(1/T), e^(−1/T)).
/// let h = Observable::from(PauliString::z(0)?.with_coeff(-1.0)?);
/// let gibbs = GibbsState::new(&h, 1, 0.5)?;
/// let p0 = 1.0 / (1.0 + (-4.0f64).exp());
/// assert_relative_eq!(gibbs.density_matrix().matrix()[(0, 0)].re, p0, max_relative = 1e-14);
/// assert_relative_eq!(gibbs.free_energy(), gibbs.mean_energy() - 0.5 * gibbs.von_neumann_entropy(Base::NATS), max_relative = 1e-13);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct GibbsState {
    rho: DensityMatrix,
    populations: Boltzmann,
}

impl GibbsState {
    /// The thermal state of `hamiltonian` on `num_qubits` qubits at `temperature`.
    ///
    /// # Errors
    /// [`Error::ZeroQubits`] for 0 qubits, [`Error::InvalidQubit`] when a term does not fit,
    /// [`Error::MatrixTooLarge`] above [`MAX_DENSITY_QUBITS`], [`Error::InvalidHyperParameter`] unless
    /// 0 < T < ∞, [`Error::NoConvergence`] if the eigendecomposition fails.
    pub fn new(hamiltonian: &Observable, num_qubits: usize, temperature: f64) -> Result<Self> {
        if num_qubits == 0 {
            return Err(Error::ZeroQubits);
        }
        if num_qubits > MAX_DENSITY_QUBITS {
            return Err(Error::MatrixTooLarge { num_qubits, max: MAX_DENSITY_QUBITS });
        }
        let h = hamiltonian.matrix(num_qubits)?;
        let dim = h.nrows();
        let eigen = h.try_symmetric_eigen(f64::EPSILON, 0).ok_or(Error::NoConvergence { dim, iterations: None })?;
        let energies: Vec<f64> = eigen.eigenvalues.iter().copied().collect();
        let populations = Boltzmann::new(&energies, temperature)?;
        // ρ = V diag(p) V†
        let v = &eigen.eigenvectors;
        let mut scaled = v.clone();
        for (k, &p) in populations.probabilities().iter().enumerate() {
            scaled.column_mut(k).scale_mut(p);
        }
        let mut matrix: DMatrix<C> = &scaled * v.adjoint();
        // Exactly Hermitian, whatever the rounding of the product.
        for j in 0..dim {
            matrix[(j, j)].im = 0.0;
            for i in j + 1..dim {
                matrix[(j, i)] = matrix[(i, j)].conj();
            }
        }
        Ok(GibbsState { rho: DensityMatrix::from_parts_unchecked(num_qubits, matrix), populations })
    }

    /// The density matrix ρ = e^(−H/T) / Z.
    #[must_use]
    pub fn density_matrix(&self) -> &DensityMatrix {
        &self.rho
    }

    /// The eigenvalues E_k of H and their thermal populations p_k.
    #[must_use]
    pub fn populations(&self) -> &Boltzmann {
        &self.populations
    }

    /// The temperature T.
    #[must_use]
    pub fn temperature(&self) -> f64 {
        self.populations.temperature()
    }

    /// ln Z = ln Tr e^(−H/T).
    #[must_use]
    pub fn log_partition_function(&self) -> f64 {
        self.populations.log_partition_function()
    }

    /// The free energy F = −T ln Z.
    #[must_use]
    pub fn free_energy(&self) -> f64 {
        self.populations.free_energy()
    }

    /// The mean energy ⟨H⟩ = Tr ρ H = Σ_k p_k E_k.
    #[must_use]
    pub fn mean_energy(&self) -> f64 {
        self.populations.mean_energy()
    }

    /// The von Neumann entropy S(ρ) = −Σ_k p_k log_b p_k, in units of `base`, from the populations.
    #[must_use]
    pub fn von_neumann_entropy(&self, base: Base) -> f64 {
        self.populations.entropy(base)
    }
}
