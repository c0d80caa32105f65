//! The training loss of a classifier: softmax cross-entropy on logits, built on [`info`](crate::info)'s softmax.

use crate::error::{Error, Result};
use crate::grad::function::check_len;
use crate::info::{check_finite, check_temperature, softmax_into};

/// The loss L = −ln softmax(z/T)_t of logits z for the target class t, with its gradient
/// ∂L/∂z = (softmax(z/T) − e_t)/T written into `grad`.
///
/// L is the information-theoretic [`cross_entropy`](crate::info::cross_entropy) H(e_t, softmax(z/T)) in nats,
/// taken from logits and a class index (PyTorch's `cross_entropy(logits / T, target)`); ln softmax is computed
/// directly from the logits, so a confident wrong answer costs a large finite loss rather than ln 0.
///
/// # Errors
/// [`Error::EmptyDistribution`] for no logits, [`Error::NonFinite`] for a NaN or infinite logit,
/// [`Error::InvalidHyperParameter`] unless 0 < T < ∞, [`Error::DimensionMismatch`] when `target` is not below
/// the number of logits or `grad` differs in length from `logits`.
///
/// # Example
///
/// ```
/// use approx::assert_relative_eq;
/// use qnet::info::{cross_entropy, softmax, Base};
/// use qnet::layer::softmax_cross_entropy;
///
/// # fn main() -> qnet::Result<()> {
/// let mut g = [0.0; 2];
/// let loss = softmax_cross_entropy(&[0.0, 0.0], 1, 1.0, &mut g)?;
/// assert!((loss - 2f64.ln()).abs() < 1e-15);
/// assert_eq!(g, [0.5, -0.5]);
///
/// // The cross-entropy of the one-hot target and the softmax.
/// let z = [0.3, -1.2, 2.0];
/// let loss = softmax_cross_entropy(&z, 0, 0.5, &mut [0.0; 3])?;
/// let h = cross_entropy(&[1.0, 0.0, 0.0], &softmax(&z, 0.5)?, Base::NATS)?;
/// assert_relative_eq!(loss, h, max_relative = 1e-14);
/// # Ok(())
/// # }
/// ```
pub fn softmax_cross_entropy(logits: &[f64], target: usize, temperature: f64, grad: &mut [f64]) -> Result<f64> {
    check_finite("logits", logits)?;
    check_temperature(temperature)?;
    if target >= logits.len() {
        return Err(Error::DimensionMismatch { what: "target class", expected: logits.len(), found: target });
    }
    check_len("softmax cross-entropy gradient", logits.len(), grad.len())?;
    let normalizer = softmax_into(logits, temperature, grad);
    let loss = -normalizer.log_softmax(logits[target]);
    grad[target] -= 1.0;
    grad.iter_mut().for_each(|g| *g /= temperature);
    Ok(loss)
}
