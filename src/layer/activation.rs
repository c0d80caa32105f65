//! Element-wise and output functions: tanh, softmax with temperature, cross-entropy.

use crate::error::{Error, Result};

fn check_temperature(temperature: f64) -> Result<()> {
    if !(temperature.is_finite() && temperature > 0.0) {
        return Err(Error::InvalidHyperParameter {
            name: "temperature",
            value: temperature.to_string(),
            reason: "must be finite and positive",
        });
    }
    Ok(())
}

/// tanh applied to every entry: y_i = tanh(x_i), with derivative 1 − y_i².
///
/// # Example
///
/// ```
/// use qnet::layer::tanh;
///
/// let y = tanh(&[0.0, 1.0]);
/// assert_eq!(y[0], 0.0);
/// assert!((y[1] - 1f64.tanh()).abs() < 1e-15);
/// ```
#[must_use]
pub fn tanh(x: &[f64]) -> Vec<f64> {
    x.iter().map(|v| v.tanh()).collect()
}

/// softmax(z/T)_i = exp(z_i/T) / Σ_j exp(z_j/T), computed stably (the largest z subtracted first).
///
/// # Errors
/// [`Error::InvalidHyperParameter`] unless the temperature T is finite and positive;
/// [`Error::DimensionMismatch`] for empty logits.
///
/// # Example
///
/// ```
/// use qnet::layer::softmax;
///
/// # fn main() -> qnet::Result<()> {
/// let p = softmax(&[1.0, 2.0, 3.0], 1.0)?;
/// assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-15);
/// // A low temperature sharpens, a high one flattens.
/// assert!(softmax(&[1.0, 2.0], 0.1)?[1] > 0.99);
/// assert!((softmax(&[1.0, 2.0], 1e6)?[1] - 0.5).abs() < 1e-6);
/// // Huge logits do not overflow.
/// assert!((softmax(&[1000.0, 1000.0], 1.0)?[0] - 0.5).abs() < 1e-15);
/// # Ok(())
/// # }
/// ```
pub fn softmax(logits: &[f64], temperature: f64) -> Result<Vec<f64>> {
    let mut out = vec![0.0; logits.len()];
    softmax_into(logits, temperature, &mut out)?;
    Ok(out)
}

/// [`softmax`] written into `out`; allocates nothing.
///
/// # Errors
/// As [`softmax`]; [`Error::DimensionMismatch`] when `out` differs in length from `logits`.
pub fn softmax_into(logits: &[f64], temperature: f64, out: &mut [f64]) -> Result<()> {
    check_temperature(temperature)?;
    if logits.is_empty() {
        return Err(Error::DimensionMismatch { what: "logits", expected: 1, found: 0 });
    }
    crate::grad::function::check_len("softmax output", logits.len(), out.len())?;
    let max = logits.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut sum = 0.0;
    for (o, z) in out.iter_mut().zip(logits) {
        *o = ((z - max) / temperature).exp();
        sum += *o;
    }
    out.iter_mut().for_each(|o| *o /= sum);
    Ok(())
}

/// The cross-entropy loss L = −log softmax(z/T)_target and its gradient ∂L/∂z = (softmax(z/T) − e_target)/T,
/// the gradient written into `grad`.
///
/// # Errors
/// As [`softmax`]; [`Error::DimensionMismatch`] when `target` is not below the number of logits or `grad`
/// differs in length.
///
/// # Example
///
/// ```
/// use qnet::layer::cross_entropy;
///
/// # fn main() -> qnet::Result<()> {
/// let mut g = [0.0; 2];
/// let loss = cross_entropy(&[0.0, 0.0], 1, 1.0, &mut g)?;
/// assert!((loss - 2f64.ln()).abs() < 1e-15);
/// assert_eq!(g, [0.5, -0.5]);
/// # Ok(())
/// # }
/// ```
pub fn cross_entropy(logits: &[f64], target: usize, temperature: f64, grad: &mut [f64]) -> Result<f64> {
    if target >= logits.len() {
        return Err(Error::DimensionMismatch { what: "target class", expected: logits.len(), found: target });
    }
    softmax_into(logits, temperature, grad)?;
    // log softmax computed directly for accuracy: z_t/T − max/T − log Σ exp((z − max)/T).
    let max = logits.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let log_sum = logits.iter().map(|z| ((z - max) / temperature).exp()).sum::<f64>().ln();
    let loss = -((logits[target] - max) / temperature - log_sum);
    grad[target] -= 1.0;
    grad.iter_mut().for_each(|g| *g /= temperature);
    Ok(loss)
}
