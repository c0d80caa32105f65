//! Joint, conditional and mutual information of a joint probability table P(X = i, Y = j).

use nalgebra::DMatrix;

use super::base::Base;
use super::shannon::entr;
use super::validate::{check_table, compensated_sum};
use crate::error::Result;

/// The marginal distributions of a joint table: P(X = i) = Σ_j P(i, j) (row sums), P(Y = j) = Σ_i P(i, j)
/// (column sums).
///
/// Returned by [`marginals`].
///
/// # Example
///
/// ```
/// use approx::assert_relative_eq;
/// use nalgebra::dmatrix;
/// use qnet::prelude::*;
/// use qnet::info::{joint_entropy, marginals};
///
/// # fn main() -> qnet::Result<()> {
/// // Independent X and Y: the joint entropy is the sum of the marginal entropies.
/// let pxy = dmatrix![0.3 * 0.6, 0.3 * 0.4; 0.7 * 0.6, 0.7 * 0.4];
/// let m = marginals(&pxy)?;
/// let sum = entropy(&m.x, Base::BITS)? + entropy(&m.y, Base::BITS)?;
/// assert_relative_eq!(joint_entropy(&pxy, Base::BITS)?, sum, max_relative = 1e-14);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Marginals {
    /// (P(X = i))_i, the row sums: one entry a row of the table.
    pub x: Vec<f64>,
    /// (P(Y = j))_j, the column sums: one entry a column of the table.
    pub y: Vec<f64>,
}

/// The marginals P(X = i) = Σ_j P(i, j) and P(Y = j) = Σ_i P(i, j) of a joint table, rows indexing X.
///
/// # Errors
/// [`Error::EmptyDistribution`](crate::Error::EmptyDistribution), [`Error::InvalidTableEntry`](crate::Error::InvalidTableEntry)
/// or [`Error::DistributionNotNormalized`](crate::Error::DistributionNotNormalized) for a table that is not a
/// probability distribution.
///
/// # Example
///
/// ```
/// use nalgebra::dmatrix;
/// use qnet::info::marginals;
///
/// # fn main() -> qnet::Result<()> {
/// let m = marginals(&dmatrix![0.5, 0.25; 0.0, 0.25])?;
/// assert_eq!((m.x, m.y), (vec![0.75, 0.25], vec![0.5, 0.5]));
/// # Ok(())
/// # }
/// ```
pub fn marginals(pxy: &DMatrix<f64>) -> Result<Marginals> {
    check_table(pxy)?;
    Ok(marginals_unchecked(pxy))
}

fn marginals_unchecked(pxy: &DMatrix<f64>) -> Marginals {
    let x = (0..pxy.nrows()).map(|i| compensated_sum(pxy.row(i).iter().copied())).collect();
    let y = (0..pxy.ncols()).map(|j| compensated_sum(pxy.column(j).iter().copied())).collect();
    Marginals { x, y }
}

/// The joint entropy H(X, Y) = −Σ_ij P(i, j) log_b P(i, j), in units of `base`; rows index X, columns Y.
///
/// H(X, Y) ≤ H(X) + H(Y), with equality exactly when X and Y are independent. Counterpart:
/// `scipy.stats.entropy(pxy.ravel())` (nats).
///
/// # Errors
/// As [`marginals`].
///
/// # Example
///
/// ```
/// use approx::assert_relative_eq;
/// use nalgebra::DMatrix;
/// use qnet::info::joint_entropy;
/// use qnet::prelude::*;
///
/// # fn main() -> qnet::Result<()> {
/// // Two independent fair bits: two bits of joint entropy.
/// assert_relative_eq!(joint_entropy(&DMatrix::from_element(2, 2, 0.25), Base::BITS)?, 2.0);
/// # Ok(())
/// # }
/// ```
pub fn joint_entropy(pxy: &DMatrix<f64>, base: Base) -> Result<f64> {
    check_table(pxy)?;
    Ok(base.from_nats(compensated_sum(pxy.iter().map(|&p| entr(p)))))
}

/// The conditional entropy H(X | Y) = H(X, Y) − H(Y) = −Σ_ij P(i, j) log_b(P(i, j) / P(Y = j)), in units of
/// `base`; rows index X, columns Y.
///
/// 0 ≤ H(X|Y) ≤ H(X). Computed term by term (not as a difference of entropies), so it is never negative.
/// For H(Y | X), pass the transpose.
///
/// # Errors
/// As [`marginals`].
///
/// # Example
///
/// ```
/// use approx::assert_relative_eq;
/// use nalgebra::dmatrix;
/// use qnet::info::conditional_entropy;
/// use qnet::prelude::*;
///
/// # fn main() -> qnet::Result<()> {
/// // X = Y: knowing Y leaves nothing to learn about X.
/// assert_relative_eq!(conditional_entropy(&dmatrix![0.5, 0.0; 0.0, 0.5], Base::BITS)?, 0.0);
/// # Ok(())
/// # }
/// ```
pub fn conditional_entropy(pxy: &DMatrix<f64>, base: Base) -> Result<f64> {
    check_table(pxy)?;
    let py = marginals_unchecked(pxy).y;
    let mut terms = Vec::with_capacity(pxy.len());
    for (j, &pj) in py.iter().enumerate() {
        for &p in pxy.column(j).iter() {
            if p > 0.0 {
                terms.push(-p * (p / pj).ln());
            }
        }
    }
    Ok(base.from_nats(compensated_sum(terms).max(0.0)))
}

/// The mutual information I(X; Y) = H(X) − H(X | Y) = Σ_ij P(i, j) log_b(P(i, j) / (P(X = i) P(Y = j))), in
/// units of `base`; rows index X, columns Y.
///
/// Computed term by term and clamped at 0 against rounding, so I ≥ 0; I(X; X) = H(X). Counterpart:
/// `sklearn.metrics.mutual_info_score(None, None, contingency=pxy)` (nats; it takes counts, which give the same
/// value), or [`mutual_information_from_labels`](super::mutual_information_from_labels) for paired samples.
///
/// # Errors
/// As [`marginals`].
///
/// # Example
///
/// ```
/// use approx::assert_relative_eq;
/// use nalgebra::dmatrix;
/// use qnet::prelude::*;
///
/// # fn main() -> qnet::Result<()> {
/// assert_relative_eq!(mutual_information(&dmatrix![0.5, 0.0; 0.0, 0.5], Base::BITS)?, 1.0);
/// assert_relative_eq!(mutual_information(&dmatrix![0.25, 0.25; 0.25, 0.25], Base::BITS)?, 0.0);
/// # Ok(())
/// # }
/// ```
pub fn mutual_information(pxy: &DMatrix<f64>, base: Base) -> Result<f64> {
    check_table(pxy)?;
    let Marginals { x: px, y: py } = marginals_unchecked(pxy);
    let mut terms = Vec::with_capacity(pxy.len());
    for (j, &pj) in py.iter().enumerate() {
        for (i, &p) in pxy.column(j).iter().enumerate() {
            if p > 0.0 {
                terms.push(p * (p / px[i] / pj).ln());
            }
        }
    }
    Ok(base.from_nats(compensated_sum(terms).max(0.0)))
}
