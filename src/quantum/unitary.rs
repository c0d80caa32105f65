//! A caller's matrix, checked once to be a 2x2 or 4x4 unitary.

use nalgebra::DMatrix;
use num_complex::Complex64 as C;

use super::op::{Op, ZERO};
use crate::error::{Error, Result};

/// The largest entry of |U†U − I| that a matrix may have and still count as unitary.
pub const UNITARY_TOLERANCE: f64 = 1e-10;

/// A 2x2 or 4x4 complex matrix U with ‖U†U − I‖ ≤ 1e-10 (largest entry), so that it can serve as a gate.
///
/// # Example
///
/// ```
/// use qnet::quantum::UnitaryMatrix;
/// use qnet::Complex64;
/// use nalgebra::DMatrix;
///
/// let t = 0.4_f64;
/// // [[cos t, −i sin t], [i sin t, cos t]] is not unitary for 0 < t < π/2.
/// let bad = DMatrix::from_row_slice(2, 2, &[
///     Complex64::new(t.cos(), 0.0), Complex64::new(0.0, -t.sin()),
///     Complex64::new(0.0, t.sin()), Complex64::new(t.cos(), 0.0),
/// ]);
/// let err = UnitaryMatrix::new(bad).unwrap_err();
/// assert!(err.to_string().starts_with("matrix is not unitary"));
///
/// // [[cos t, −i sin t], [−i sin t, cos t]] = RX(2t) is.
/// let good = DMatrix::from_row_slice(2, 2, &[
///     Complex64::new(t.cos(), 0.0), Complex64::new(0.0, -t.sin()),
///     Complex64::new(0.0, -t.sin()), Complex64::new(t.cos(), 0.0),
/// ]);
/// assert_eq!(UnitaryMatrix::new(good).unwrap().num_qubits(), 1);
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "crate::serde_matrix::MatrixData<C>", into = "crate::serde_matrix::MatrixData<C>")
)]
pub struct UnitaryMatrix(DMatrix<C>);

impl UnitaryMatrix {
    /// Checks `matrix` and wraps it.
    ///
    /// # Errors
    /// [`Error::UnsupportedMatrixSize`] unless 2x2 or 4x4; [`Error::NonFinite`] for NaN or infinite
    /// entries; [`Error::NotUnitary`] when the largest entry of |U†U − I| exceeds [`UNITARY_TOLERANCE`].
    pub fn new(matrix: DMatrix<C>) -> Result<Self> {
        let (rows, cols) = matrix.shape();
        if rows != cols || !(rows == 2 || rows == 4) {
            return Err(Error::UnsupportedMatrixSize { rows, cols });
        }
        // Entries in row-major order, so that the first non-finite one is reported.
        let entries = || (0..rows).flat_map(|r| (0..cols).map(move |c| (r, c)));
        if let Some((r, c)) = entries().find(|&rc| !matrix[rc].is_finite()) {
            return Err(Error::non_finite_entry(r, c, matrix[(r, c)]));
        }
        let deviation =
            (matrix.adjoint() * &matrix - DMatrix::identity(rows, cols)).iter().map(|z| z.norm()).fold(0.0, f64::max);
        if deviation > UNITARY_TOLERANCE {
            return Err(Error::NotUnitary { deviation, tolerance: UNITARY_TOLERANCE });
        }
        Ok(UnitaryMatrix(matrix))
    }

    /// Wraps a matrix known to be unitary (built by the crate itself).
    pub(crate) fn from_trusted(matrix: DMatrix<C>) -> Self {
        UnitaryMatrix(matrix)
    }

    /// The matrix.
    #[must_use]
    pub fn matrix(&self) -> &DMatrix<C> {
        &self.0
    }

    /// 1 for a 2x2 matrix, 2 for a 4x4 one.
    #[must_use]
    pub fn num_qubits(&self) -> usize {
        self.0.nrows().trailing_zeros() as usize
    }

    /// U†.
    #[must_use]
    pub fn adjoint(&self) -> Self {
        UnitaryMatrix(self.0.adjoint())
    }

    /// The kernel form: diagonal when every off-diagonal entry is exactly zero.
    pub(crate) fn op(&self) -> Op {
        let m = &self.0;
        if m.nrows() == 2 {
            return Op::sparsest1([[m[(0, 0)], m[(0, 1)]], [m[(1, 0)], m[(1, 1)]]]);
        }
        if (0..4).all(|r| (0..4).all(|c| r == c || m[(r, c)] == ZERO)) {
            Op::Diag2([m[(0, 0)], m[(1, 1)], m[(2, 2)], m[(3, 3)]])
        } else {
            Op::Mat2(std::array::from_fn(|r| std::array::from_fn(|c| m[(r, c)])))
        }
    }
}

impl TryFrom<DMatrix<C>> for UnitaryMatrix {
    type Error = Error;
    fn try_from(matrix: DMatrix<C>) -> Result<Self> {
        UnitaryMatrix::new(matrix)
    }
}

impl From<UnitaryMatrix> for DMatrix<C> {
    fn from(u: UnitaryMatrix) -> DMatrix<C> {
        u.0
    }
}

/// Read with serde: the shape is checked before the matrix is made, then everything [`UnitaryMatrix::new`]
/// checks.
#[cfg(feature = "serde")]
impl TryFrom<crate::serde_matrix::MatrixData<C>> for UnitaryMatrix {
    type Error = Error;
    fn try_from(data: crate::serde_matrix::MatrixData<C>) -> Result<Self> {
        UnitaryMatrix::new(data.into_matrix()?)
    }
}

#[cfg(feature = "serde")]
impl From<UnitaryMatrix> for crate::serde_matrix::MatrixData<C> {
    fn from(u: UnitaryMatrix) -> Self {
        u.0.into()
    }
}
