//! Mutual information between two labelings of the same samples, as scikit-learn computes it.

use std::collections::BTreeMap;

use nalgebra::DMatrix;

use super::base::Base;
use super::shannon::entr;
use super::validate::compensated_sum;
use crate::error::{Error, Result};

/// 2^53: below it every integer is exact in an f64.
const EXACT: f64 = 9_007_199_254_740_992.0;

/// The contingency table of two labelings: entry (i, j) counts the samples with the i-th smallest label of
/// `labels_true` and the j-th smallest label of `labels_pred`.
///
/// Counterpart: `sklearn.metrics.cluster.contingency_matrix(labels_true, labels_pred)` (same row and column
/// order: sorted unique labels).
///
/// # Errors
/// [`Error::EmptyDistribution`] for no samples, [`Error::DimensionMismatch`] when the lengths differ.
///
/// # Example
///
/// ```
/// use nalgebra::dmatrix;
/// use qnet::info::contingency_table;
///
/// # fn main() -> qnet::Result<()> {
/// let table = contingency_table(&["a", "a", "b"], &[1, 2, 2])?;
/// assert_eq!(table, dmatrix![1, 1; 0, 1]);
/// # Ok(())
/// # }
/// ```
pub fn contingency_table<A: Ord, B: Ord>(labels_true: &[A], labels_pred: &[B]) -> Result<DMatrix<usize>> {
    if labels_true.is_empty() {
        return Err(Error::EmptyDistribution { what: "labels_true" });
    }
    if labels_true.len() != labels_pred.len() {
        return Err(Error::DimensionMismatch {
            what: "labels_pred (same length as labels_true)",
            expected: labels_true.len(),
            found: labels_pred.len(),
        });
    }
    let rows = ranks(labels_true);
    let cols = ranks(labels_pred);
    let nrows = rows.iter().max().map_or(0, |m| m + 1);
    let ncols = cols.iter().max().map_or(0, |m| m + 1);
    let mut table = DMatrix::zeros(nrows, ncols);
    for (&i, &j) in rows.iter().zip(&cols) {
        table[(i, j)] += 1;
    }
    Ok(table)
}

/// Each label's rank among the sorted distinct labels.
fn ranks<T: Ord>(labels: &[T]) -> Vec<usize> {
    let mut index: BTreeMap<&T, usize> = labels.iter().map(|l| (l, 0)).collect();
    for (k, v) in index.values_mut().enumerate() {
        *v = k;
    }
    labels.iter().map(|l| index[l]).collect()
}

/// The mutual information of a contingency table of counts n_ij (N = Σ n_ij, a_i and b_j its row and column
/// sums): I = Σ_ij (n_ij/N) log_b(n_ij N / (a_i b_j)), in units of `base`.
///
/// Counterpart: `sklearn.metrics.mutual_info_score(None, None, contingency=table)` (nats). As there, a table
/// with a single row or column gives 0 and the result is clamped at 0 against rounding.
///
/// # Errors
/// [`Error::EmptyDistribution`] for an empty table, [`Error::ZeroTotal`] when every count is zero.
///
/// # Example
///
/// ```
/// use approx::assert_relative_eq;
/// use nalgebra::dmatrix;
/// use qnet::info::mutual_information_from_counts;
/// use qnet::prelude::*;
///
/// # fn main() -> qnet::Result<()> {
/// assert_relative_eq!(mutual_information_from_counts(&dmatrix![5, 0; 0, 5], Base::BITS)?, 1.0, max_relative = 1e-15);
/// # Ok(())
/// # }
/// ```
pub fn mutual_information_from_counts(table: &DMatrix<usize>, base: Base) -> Result<f64> {
    if table.is_empty() {
        return Err(Error::EmptyDistribution { what: "contingency table" });
    }
    // Sums in u128, which no table of usize counts can overflow; each converts to the same f64 as a usize sum
    // would wherever that does not overflow.
    let sum = |counts: &mut dyn Iterator<Item = &usize>| counts.map(|&c| c as u128).sum::<u128>();
    let total = sum(&mut table.iter());
    if total == 0 {
        return Err(Error::ZeroTotal { what: "contingency table" });
    }
    if table.nrows() == 1 || table.ncols() == 1 {
        return Ok(0.0);
    }
    let n = total as f64;
    let a: Vec<f64> = (0..table.nrows()).map(|i| sum(&mut table.row(i).iter()) as f64).collect();
    let b: Vec<f64> = (0..table.ncols()).map(|j| sum(&mut table.column(j).iter()) as f64).collect();
    let ln_n = n.ln();
    let mut terms = Vec::new();
    for j in 0..table.ncols() {
        for i in 0..table.nrows() {
            let c = table[(i, j)];
            if c > 0 {
                let c = c as f64;
                let (num, den) = (c * n, a[i] * b[j]);
                // ln(n_ij N / (a_i b_j)): one rounding while the products of counts are exact integers in f64,
                // a sum of logarithms beyond that.
                let log_ratio =
                    if num < EXACT && den < EXACT { (num / den).ln() } else { c.ln() + ln_n - a[i].ln() - b[j].ln() };
                terms.push(c / n * log_ratio);
            }
        }
    }
    Ok(base.from_nats(compensated_sum(terms).max(0.0)))
}

/// The mutual information between two labelings of the same samples, in units of `base`: the mutual
/// information of their [`contingency_table`].
///
/// Counterpart: `sklearn.metrics.mutual_info_score(labels_true, labels_pred)` (nats). Symmetric in its
/// arguments, and I(X; X) = H(X).
///
/// # Errors
/// As [`contingency_table`].
///
/// # Example
///
/// ```
/// use approx::assert_relative_eq;
/// use qnet::info::mutual_information_from_labels;
/// use qnet::prelude::*;
///
/// # fn main() -> qnet::Result<()> {
/// let a = ["x", "x", "y", "y"];
/// assert_relative_eq!(mutual_information_from_labels(&a, &a, Base::BITS)?, 1.0, max_relative = 1e-15);
/// assert_relative_eq!(mutual_information_from_labels(&a, &[0, 1, 0, 1], Base::BITS)?, 0.0);
/// # Ok(())
/// # }
/// ```
pub fn mutual_information_from_labels<A: Ord, B: Ord>(labels_true: &[A], labels_pred: &[B], base: Base) -> Result<f64> {
    mutual_information_from_counts(&contingency_table(labels_true, labels_pred)?, base)
}

/// How [`normalized_mutual_information`] averages the two entropies it divides by (scikit-learn's
/// `average_method`).
///
/// # Example
///
/// ```
/// use qnet::info::AverageMethod;
///
/// assert_eq!(AverageMethod::default(), AverageMethod::Arithmetic);
/// assert_eq!(AverageMethod::Geometric.average(1.0, 4.0), 2.0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum AverageMethod {
    /// min(H(U), H(V)).
    Min,
    /// √(H(U) H(V)).
    Geometric,
    /// (H(U) + H(V)) / 2, scikit-learn's default.
    #[default]
    Arithmetic,
    /// max(H(U), H(V)).
    Max,
}

impl AverageMethod {
    /// The mean of `u` and `v` this method names.
    #[must_use]
    pub fn average(self, u: f64, v: f64) -> f64 {
        match self {
            AverageMethod::Min => u.min(v),
            AverageMethod::Geometric => (u * v).sqrt(),
            AverageMethod::Arithmetic => (u + v) / 2.0,
            AverageMethod::Max => u.max(v),
        }
    }
}

/// The normalized mutual information NMI(U, V) = I(U; V) / mean(H(U), H(V)) of two labelings, a number in
/// [0, 1] without unit (the base cancels, so none is taken).
///
/// Counterpart: `sklearn.metrics.normalized_mutual_info_score(labels_true, labels_pred, average_method=...)`,
/// with its conventions: 1 when both labelings put every sample in one class, 0 when the mutual information is
/// 0 otherwise.
///
/// # Errors
/// As [`contingency_table`].
///
/// # Example
///
/// ```
/// use qnet::info::{normalized_mutual_information, AverageMethod};
///
/// # fn main() -> qnet::Result<()> {
/// // The same partition under other names.
/// let nmi = normalized_mutual_information(&[0, 0, 1, 1], &[1, 1, 0, 0], AverageMethod::Arithmetic)?;
/// assert!((nmi - 1.0).abs() < 1e-15);
/// // Every class split over every cluster.
/// assert_eq!(normalized_mutual_information(&[0, 0, 0, 0], &[0, 1, 2, 3], AverageMethod::Max)?, 0.0);
/// # Ok(())
/// # }
/// ```
pub fn normalized_mutual_information<A: Ord, B: Ord>(
    labels_true: &[A],
    labels_pred: &[B],
    method: AverageMethod,
) -> Result<f64> {
    let table = contingency_table(labels_true, labels_pred)?;
    if table.nrows() == 1 && table.ncols() == 1 {
        return Ok(1.0);
    }
    let mi = mutual_information_from_counts(&table, Base::NATS)?;
    if mi == 0.0 {
        return Ok(0.0);
    }
    let n = labels_true.len() as f64;
    let h = |sums: Vec<usize>| compensated_sum(sums.into_iter().map(|c| entr(c as f64 / n)));
    let hu = h((0..table.nrows()).map(|i| table.row(i).iter().sum()).collect());
    let hv = h((0..table.ncols()).map(|j| table.column(j).iter().sum()).collect());
    Ok(mi / method.average(hu, hv))
}
