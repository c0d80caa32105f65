//! nalgebra matrices and vectors read with serde through a mirror that checks their shape.
//!
//! nalgebra writes a matrix as `[entries column by column, rows, columns]` (a vector's column count as
//! `null`), and its own `Deserialize` multiplies rows by columns unchecked: `[[], 4294967296, 4294967296]`
//! panics on the overflow, or wraps to an empty matrix of that shape in a release build. These mirrors keep the
//! format and check the product first.

#![cfg(feature = "serde")]

use nalgebra::{DMatrix, DVector, Scalar};
use serde::{Deserialize, Serialize};

use crate::bounded;
use crate::error::{Error, Result};

/// A `DMatrix<T>` as nalgebra serializes it: entries in column-major order, rows, columns.
#[derive(Serialize, Deserialize)]
pub(crate) struct MatrixData<T>(Vec<T>, usize, usize);

impl<T: Scalar> MatrixData<T> {
    /// The matrix, if there are exactly rows × columns entries.
    pub(crate) fn into_matrix(self) -> Result<DMatrix<T>> {
        let MatrixData(data, rows, cols) = self;
        check_entries(data.len(), rows, cols)?;
        Ok(DMatrix::from_vec(rows, cols, data))
    }
}

impl<T: Scalar> From<DMatrix<T>> for MatrixData<T> {
    fn from(m: DMatrix<T>) -> Self {
        let (rows, cols) = m.shape();
        MatrixData(m.data.into(), rows, cols)
    }
}

/// A `DVector<T>` as nalgebra serializes it: entries, rows, and `null` for its one column.
#[derive(Serialize, Deserialize)]
pub(crate) struct VectorData<T>(Vec<T>, usize, ());

impl<T: Scalar> VectorData<T> {
    /// The vector, if there are exactly `rows` entries.
    pub(crate) fn into_vector(self) -> Result<DVector<T>> {
        let VectorData(data, rows, ()) = self;
        check_entries(data.len(), rows, 1)?;
        Ok(DVector::from_vec(data))
    }
}

impl<T: Scalar> From<DVector<T>> for VectorData<T> {
    fn from(v: DVector<T>) -> Self {
        let rows = v.len();
        VectorData(v.data.into(), rows, ())
    }
}

fn check_entries(found: usize, rows: usize, cols: usize) -> Result<()> {
    let expected = bounded::product("matrix", rows, cols)?;
    if found != expected {
        return Err(Error::DimensionMismatch { what: "matrix entries (rows × columns)", expected, found });
    }
    Ok(())
}
