//! Checking and normalizing probability vectors, joint tables, counts and weights.

use nalgebra::DMatrix;

use crate::error::{Error, Result};

/// How far from 1 the entries of a probability vector or joint table may sum: |Σ p − 1| ≤ 1e-9.
///
/// Generous enough for vectors summed from millions of rounded entries, tight enough to catch counts or
/// unnormalized weights passed by mistake (use [`normalize`] or [`normalize_table`] for those). scipy's
/// `entropy` silently rescales any input instead; qnet makes the rescaling explicit.
pub const PROBABILITY_TOLERANCE: f64 = 1e-9;

/// Σ xs with Neumaier's compensated summation: the error does not grow with the number of terms.
pub(crate) fn compensated_sum(xs: impl IntoIterator<Item = f64>) -> f64 {
    let mut sum = 0.0f64;
    let mut comp = 0.0f64;
    for x in xs {
        let t = sum + x;
        if sum.abs() >= x.abs() {
            comp += (sum - t) + x;
        } else {
            comp += (x - t) + sum;
        }
        sum = t;
    }
    sum + comp
}

/// Checks that every entry is finite and non-negative and that there is at least one.
fn check_entries(what: &'static str, p: &[f64]) -> Result<()> {
    if p.is_empty() {
        return Err(Error::EmptyDistribution { what });
    }
    if let Some((index, &value)) = p.iter().enumerate().find(|(_, x)| !(x.is_finite() && **x >= 0.0)) {
        return Err(Error::InvalidProbability { what, index, value });
    }
    Ok(())
}

/// Checks a probability vector: non-empty, entries finite and ≥ 0, sum within [`PROBABILITY_TOLERANCE`] of 1.
pub(crate) fn check_distribution(what: &'static str, p: &[f64]) -> Result<()> {
    check_entries(what, p)?;
    let sum = compensated_sum(p.iter().copied());
    if sum.is_nan() || (sum - 1.0).abs() > PROBABILITY_TOLERANCE {
        return Err(Error::DistributionNotNormalized { what, sum, tolerance: PROBABILITY_TOLERANCE });
    }
    Ok(())
}

/// Checks two probability vectors of the same length.
pub(crate) fn check_pair(p: &[f64], q: &[f64]) -> Result<()> {
    check_distribution("p", p)?;
    check_distribution("q", q)?;
    if p.len() != q.len() {
        return Err(Error::DimensionMismatch { what: "q (same length as p)", expected: p.len(), found: q.len() });
    }
    Ok(())
}

/// Checks a joint table P(X = i, Y = j): non-empty, entries finite and ≥ 0, total within the tolerance of 1.
pub(crate) fn check_table(pxy: &DMatrix<f64>) -> Result<()> {
    if pxy.is_empty() {
        return Err(Error::EmptyDistribution { what: "joint table" });
    }
    for col in 0..pxy.ncols() {
        for row in 0..pxy.nrows() {
            let value = pxy[(row, col)];
            if !(value.is_finite() && value >= 0.0) {
                return Err(Error::InvalidTableEntry { row, col, value });
            }
        }
    }
    let sum = compensated_sum(pxy.iter().copied());
    if sum.is_nan() || (sum - 1.0).abs() > PROBABILITY_TOLERANCE {
        return Err(Error::DistributionNotNormalized { what: "joint table", sum, tolerance: PROBABILITY_TOLERANCE });
    }
    Ok(())
}

/// Non-negative weights divided by their total: p_i = w_i / Σ_j w_j.
///
/// This is the explicit form of the rescaling that scipy's `entropy(pk)` applies silently.
///
/// # Errors
/// [`Error::EmptyDistribution`] for no weights, [`Error::InvalidProbability`] for a negative, NaN or infinite
/// weight, [`Error::ZeroTotal`] when every weight is zero.
///
/// # Example
///
/// ```
/// use approx::assert_relative_eq;
/// use qnet::info::normalize;
/// use qnet::prelude::*;
///
/// # fn main() -> qnet::Result<()> {
/// let p = normalize(&[1.0, 3.0])?;
/// assert_eq!(p, vec![0.25, 0.75]);
/// assert_relative_eq!(entropy(&p, Base::BITS)?, 0.8112781244591328, max_relative = 1e-15);
/// assert!(normalize(&[0.0, 0.0]).is_err());
/// # Ok(())
/// # }
/// ```
pub fn normalize(weights: &[f64]) -> Result<Vec<f64>> {
    check_entries("weights", weights)?;
    let total = compensated_sum(weights.iter().copied());
    if total == 0.0 {
        return Err(Error::ZeroTotal { what: "weights" });
    }
    Ok(weights.iter().map(|w| w / total).collect())
}

/// A table of non-negative weights (or counts) divided by its total: P(i, j) = w_ij / Σ w.
///
/// # Errors
/// [`Error::EmptyDistribution`] for an empty table, [`Error::InvalidTableEntry`] for a negative, NaN or
/// infinite entry, [`Error::ZeroTotal`] when every entry is zero.
pub fn normalize_table(weights: &DMatrix<f64>) -> Result<DMatrix<f64>> {
    if weights.is_empty() {
        return Err(Error::EmptyDistribution { what: "joint table" });
    }
    for col in 0..weights.ncols() {
        for row in 0..weights.nrows() {
            let value = weights[(row, col)];
            if !(value.is_finite() && value >= 0.0) {
                return Err(Error::InvalidTableEntry { row, col, value });
            }
        }
    }
    let total = compensated_sum(weights.iter().copied());
    if total == 0.0 {
        return Err(Error::ZeroTotal { what: "joint table" });
    }
    Ok(weights / total)
}
