//! Pauli observables: weighted Pauli strings and their sums.

use nalgebra::DMatrix;
use num_complex::Complex64 as C;

use super::kernels;
use super::op::{I, ONE, ZERO};
use super::state::MAX_QUBITS;
use crate::error::{Error, NonFiniteKind, Result};

/// The largest register for which [`PauliString::matrix`] and [`Observable::matrix`] build a dense matrix.
pub const MAX_DENSE_QUBITS: usize = 14;

/// A single-qubit Pauli operator.
///
/// # Example
///
/// ```
/// use qnet::quantum::Pauli;
///
/// assert_eq!(Pauli::try_from('Y').unwrap(), Pauli::Y);
/// assert_eq!(Pauli::Z.to_string(), "Z");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Pauli {
    /// The identity.
    I,
    /// σx = [[0, 1], [1, 0]].
    X,
    /// σy = [[0, −i], [i, 0]].
    Y,
    /// σz = diag(1, −1).
    Z,
}

impl Pauli {
    /// The 2x2 matrix.
    #[must_use]
    pub fn matrix(self) -> [[C; 2]; 2] {
        match self {
            Pauli::I => [[ONE, ZERO], [ZERO, ONE]],
            Pauli::X => [[ZERO, ONE], [ONE, ZERO]],
            Pauli::Y => [[ZERO, -I], [I, ZERO]],
            Pauli::Z => [[ONE, ZERO], [ZERO, -ONE]],
        }
    }
}

impl TryFrom<char> for Pauli {
    type Error = char;
    fn try_from(c: char) -> std::result::Result<Pauli, char> {
        match c {
            'I' => Ok(Pauli::I),
            'X' => Ok(Pauli::X),
            'Y' => Ok(Pauli::Y),
            'Z' => Ok(Pauli::Z),
            other => Err(other),
        }
    }
}

/// The variant's letter.
impl std::fmt::Display for Pauli {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self:?}")
    }
}

/// A weighted Pauli string c·P₀⊗P₁⊗…, stored as its non-identity factors sorted by qubit.
///
/// Its qubits are below [`MAX_QUBITS`], the largest register a state vector may have, so that it always fits
/// some state (and its label is at most that long).
///
/// Labels are read in the crate's bit order: the rightmost character acts on qubit 0, as in Qiskit, so
/// `"ZXI"` is X on qubit 1 and Z on qubit 2.
///
/// # Example
///
/// ```
/// use qnet::prelude::*;
/// use qnet::quantum::Pauli;
///
/// # fn main() -> qnet::Result<()> {
/// let p = PauliString::parse("ZXI")?;
/// assert_eq!(p, PauliString::new(1.0, &[(1, Pauli::X), (2, Pauli::Z)])?);
/// assert_eq!(p.to_string(), "ZXI");
/// let mut state = StateVector::new(3)?;
/// state.apply_gate(&Gate::H, &[1])?; // |+⟩ on qubit 1: ⟨X1⟩ = 1, ⟨Z2⟩ = 1
/// assert!((state.expectation_pauli(&p)? - 1.0).abs() < 1e-12);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "super::serde_repr::PauliStringData", rename = "PauliStringData")
)]
pub struct PauliString {
    coeff: f64,
    ops: Vec<(usize, Pauli)>,
}

impl PauliString {
    /// `coeff` times the product of the given factors; identities are dropped.
    ///
    /// # Errors
    /// [`Error::DuplicateQubit`] when a qubit appears twice, [`Error::InvalidQubit`] for a qubit at or above
    /// [`MAX_QUBITS`] (identities included), [`Error::NonFinite`] for NaN or ±∞.
    pub fn new(coeff: f64, ops: &[(usize, Pauli)]) -> Result<Self> {
        finite_coeff(coeff)?;
        if let Some(&(qubit, _)) = ops.iter().find(|&&(q, _)| q >= MAX_QUBITS) {
            return Err(Error::InvalidQubit { qubit, num_qubits: MAX_QUBITS });
        }
        let mut sorted: Vec<(usize, Pauli)> = ops.to_vec();
        sorted.sort_by_key(|&(q, _)| q);
        if let Some(w) = sorted.windows(2).find(|w| w[0].0 == w[1].0) {
            return Err(Error::DuplicateQubit { qubit: w[0].0 });
        }
        sorted.retain(|&(_, p)| p != Pauli::I);
        Ok(PauliString { coeff, ops: sorted })
    }

    /// A string from a label such as `"ZZI"`, rightmost character on qubit 0, with coefficient 1.
    ///
    /// # Errors
    /// [`Error::InvalidPauliLabel`] for a character other than I, X, Y, Z; [`Error::InvalidQubit`] for an X, Y or
    /// Z at or beyond position [`MAX_QUBITS`] from the right.
    pub fn parse(label: &str) -> Result<Self> {
        let n = label.chars().count();
        let mut ops = Vec::new();
        for (position, c) in label.chars().enumerate() {
            let p = Pauli::try_from(c).map_err(|found| Error::InvalidPauliLabel {
                label: label.to_string(),
                found,
                position,
            })?;
            if p != Pauli::I {
                let qubit = n - 1 - position;
                if qubit >= MAX_QUBITS {
                    return Err(Error::InvalidQubit { qubit, num_qubits: MAX_QUBITS });
                }
                ops.push((qubit, p));
            }
        }
        ops.reverse();
        Ok(PauliString { coeff: 1.0, ops })
    }

    /// The same string with coefficient `coeff`.
    ///
    /// # Errors
    /// [`Error::NonFinite`] for NaN or ±∞.
    pub fn with_coeff(mut self, coeff: f64) -> Result<Self> {
        self.coeff = finite_coeff(coeff)?;
        Ok(self)
    }

    /// Z on one qubit, with coefficient 1.
    ///
    /// # Errors
    /// [`Error::InvalidQubit`] for a qubit at or above [`MAX_QUBITS`].
    ///
    /// # Example
    ///
    /// ```
    /// use qnet::prelude::*;
    /// use qnet::quantum::MAX_QUBITS;
    ///
    /// # fn main() -> qnet::Result<()> {
    /// assert_eq!(PauliString::z(2)?.to_string(), "ZII");
    /// let err = PauliString::z(MAX_QUBITS).unwrap_err();
    /// assert_eq!(err, Error::InvalidQubit { qubit: MAX_QUBITS, num_qubits: MAX_QUBITS });
    /// # Ok(())
    /// # }
    /// ```
    pub fn z(qubit: usize) -> Result<Self> {
        if qubit >= MAX_QUBITS {
            return Err(Error::InvalidQubit { qubit, num_qubits: MAX_QUBITS });
        }
        Ok(PauliString { coeff: 1.0, ops: vec![(qubit, Pauli::Z)] })
    }

    /// The coefficient.
    #[must_use]
    pub fn coeff(&self) -> f64 {
        self.coeff
    }

    /// The non-identity factors, sorted by qubit.
    #[must_use]
    pub fn ops(&self) -> &[(usize, Pauli)] {
        &self.ops
    }

    /// The smallest register the string fits: one more than its largest qubit (0 for a multiple of I).
    #[must_use]
    pub fn min_qubits(&self) -> usize {
        self.ops.last().map_or(0, |&(q, _)| q + 1)
    }

    /// Whether the string is diagonal in the computational basis (only Z and I).
    #[must_use]
    pub fn is_diagonal(&self) -> bool {
        self.ops.iter().all(|&(_, p)| p == Pauli::Z)
    }

    /// (flip, phase, number of Y): P|i⟩ = i^{nY} (−1)^{|i ∧ phase|} |i ⊕ flip⟩.
    pub(crate) fn masks(&self) -> (usize, usize, u32) {
        let bits =
            |of: [Pauli; 2]| self.ops.iter().filter(|(_, p)| of.contains(p)).fold(0, |m, &(q, _)| m | 1usize << q);
        let (flip, phase) = (bits([Pauli::X, Pauli::Y]), bits([Pauli::Y, Pauli::Z]));
        // A Y sets both bits, X and Z one each.
        (flip, phase, (flip & phase).count_ones())
    }

    /// Checks that the string fits a register of `num_qubits`.
    pub(crate) fn check_fits(&self, num_qubits: usize) -> Result<()> {
        match self.ops.last() {
            Some(&(qubit, _)) if qubit >= num_qubits => Err(Error::InvalidQubit { qubit, num_qubits }),
            _ => Ok(()),
        }
    }

    /// The dense 2^n × 2^n matrix on `num_qubits` qubits.
    ///
    /// # Errors
    /// [`Error::InvalidQubit`] when the string does not fit, [`Error::MatrixTooLarge`] above
    /// [`MAX_DENSE_QUBITS`].
    pub fn matrix(&self, num_qubits: usize) -> Result<DMatrix<C>> {
        self.check_fits(num_qubits)?;
        let mut m = dense_zeros(num_qubits)?;
        let (flip, phase, num_y) = self.masks();
        let factor = kernels::i_pow(num_y) * self.coeff;
        for col in 0..m.ncols() {
            let sign = if (col & phase).count_ones() & 1 == 1 { -1.0 } else { 1.0 };
            m[(col ^ flip, col)] = factor * sign;
        }
        Ok(m)
    }
}

/// `coeff`, or [`Error::NonFinite`] for NaN or ±∞.
fn finite_coeff(coeff: f64) -> Result<f64> {
    if coeff.is_finite() {
        Ok(coeff)
    } else {
        Err(Error::NonFinite { kind: NonFiniteKind::Coefficient, value: coeff })
    }
}

/// The zero 2^n × 2^n matrix, or [`Error::MatrixTooLarge`] above [`MAX_DENSE_QUBITS`].
fn dense_zeros(num_qubits: usize) -> Result<DMatrix<C>> {
    if num_qubits > MAX_DENSE_QUBITS {
        return Err(Error::MatrixTooLarge { num_qubits, max: MAX_DENSE_QUBITS });
    }
    let dim = 1usize << num_qubits;
    Ok(DMatrix::from_element(dim, dim, ZERO))
}

impl std::fmt::Display for PauliString {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.coeff != 1.0 {
            write!(f, "{}*", self.coeff)?;
        }
        let n = self.min_qubits().max(1);
        for q in (0..n).rev() {
            let p = self.ops.iter().find(|&&(k, _)| k == q).map_or(Pauli::I, |&(_, p)| p);
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

/// A Hermitian observable O = Σ_k c_k P_k, a sum of weighted Pauli strings.
///
/// Expectations ⟨ψ|O|ψ⟩ are computed term by term on the amplitudes, never through a 2^n × 2^n matrix.
///
/// # Example
///
/// ```
/// use qnet::prelude::*;
///
/// # fn main() -> qnet::Result<()> {
/// // O = Σ_i Z_i on 3 qubits: 3 on |000⟩, 1 on |001⟩.
/// let o = Observable::sum_z(3)?;
/// assert_eq!(StateVector::new(3)?.expectation(&o)?, 3.0);
/// assert_eq!(StateVector::basis(3, 1)?.expectation(&o)?, 1.0);
///
/// // A transverse-field term, 0.5·X0 − Z0Z1.
/// let h = Observable::from_terms(vec![
///     PauliString::parse("X")?.with_coeff(0.5)?,
///     PauliString::parse("ZZ")?.with_coeff(-1.0)?,
/// ]);
/// assert_eq!(h.len(), 2);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Observable {
    terms: Vec<PauliString>,
}

impl Observable {
    /// The zero observable.
    #[must_use]
    pub fn new() -> Self {
        Observable::default()
    }

    /// The sum of the given terms.
    #[must_use]
    pub fn from_terms(terms: Vec<PauliString>) -> Self {
        Observable { terms }
    }

    /// Σ_{i<n} Z_i (the zero observable for n = 0).
    ///
    /// # Errors
    /// [`Error::InvalidQubit`] naming the last qubit, `num_qubits − 1`, when `num_qubits` is above
    /// [`MAX_QUBITS`] (as [`PauliString::z`] does for that qubit).
    ///
    /// # Example
    ///
    /// ```
    /// use qnet::prelude::*;
    /// use qnet::quantum::MAX_QUBITS;
    ///
    /// # fn main() -> qnet::Result<()> {
    /// assert_eq!(Observable::sum_z(2)?.to_string(), "Z + ZI");
    /// assert!(Observable::sum_z(0)?.is_empty());
    /// let err = Observable::sum_z(MAX_QUBITS + 1).unwrap_err();
    /// assert_eq!(err, Error::InvalidQubit { qubit: MAX_QUBITS, num_qubits: MAX_QUBITS });
    /// # Ok(())
    /// # }
    /// ```
    pub fn sum_z(num_qubits: usize) -> Result<Self> {
        if num_qubits > MAX_QUBITS {
            return Err(Error::InvalidQubit { qubit: num_qubits - 1, num_qubits: MAX_QUBITS });
        }
        Ok(Observable {
            terms: (0..num_qubits).map(|q| PauliString { coeff: 1.0, ops: vec![(q, Pauli::Z)] }).collect(),
        })
    }

    /// Adds a term.
    pub fn push(&mut self, term: PauliString) -> &mut Self {
        self.terms.push(term);
        self
    }

    /// The terms.
    #[must_use]
    pub fn terms(&self) -> &[PauliString] {
        &self.terms
    }

    /// The number of terms.
    #[must_use]
    pub fn len(&self) -> usize {
        self.terms.len()
    }

    /// Whether the observable has no terms (it is zero).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// The smallest register every term fits.
    #[must_use]
    pub fn min_qubits(&self) -> usize {
        self.terms.iter().map(PauliString::min_qubits).max().unwrap_or(0)
    }

    /// Checks that every term fits a register of `num_qubits`.
    pub(crate) fn check_fits(&self, num_qubits: usize) -> Result<()> {
        self.terms.iter().try_for_each(|t| t.check_fits(num_qubits))
    }

    /// The dense 2^n × 2^n matrix on `num_qubits` qubits.
    ///
    /// # Errors
    /// [`Error::InvalidQubit`] when a term does not fit, [`Error::MatrixTooLarge`] above [`MAX_DENSE_QUBITS`].
    pub fn matrix(&self, num_qubits: usize) -> Result<DMatrix<C>> {
        self.terms.iter().try_fold(dense_zeros(num_qubits)?, |m, term| Ok(m + term.matrix(num_qubits)?))
    }
}

impl From<PauliString> for Observable {
    fn from(term: PauliString) -> Self {
        Observable { terms: vec![term] }
    }
}

impl std::fmt::Display for Observable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.terms.is_empty() {
            return f.write_str("0");
        }
        let terms: Vec<String> = self.terms.iter().map(PauliString::to_string).collect();
        f.write_str(&terms.join(" + "))
    }
}
