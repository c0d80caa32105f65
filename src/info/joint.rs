//! Joint, conditional and mutual information of a joint probability table P(X = i, Y = j).

use nalgebra::DMatrix;

use super::base::Base;
use super::shannon::entr;
use super::validate::{check_table, compensated_sum};
use crate::error::Result;

/// The marginals (P(X = i))_i (row sums) and (P(Y = j))_j (column sums) of a joint table.
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
/// use qnet::prelude::*;
///
/// # fn main() -> qnet::Result<()> {
/// let (px, py) = marginals(&dmatrix![0.5, 0.25; 0.0, 0.25])?;
/// assert_eq!((px, py), (vec![0.75, 0.25], vec![0.5, 0.5]));
/// # Ok(())
/// # }
/// ```
pub fn marginals(pxy: &DMatrix<f64>) -> Result<(Vec<f64>, Vec<f64>)> {
    check_table(pxy)?;
    Ok(marginals_unchecked(pxy))
}

fn marginals_unchecked(pxy: &DMatrix<f64>) -> (Vec<f64>, Vec<f64>) {
    let px = (0..pxy.nrows()).map(|i| compensated_sum(pxy.row(i).iter().copied())).collect();
    let py = (0..pxy.ncols()).map(|j| compensated_sum(pxy.column(j).iter().copied())).collect();
    (px, py)
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
    let (_, py) = marginals_unchecked(pxy);
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
    let (px, py) = marginals_unchecked(pxy);
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
