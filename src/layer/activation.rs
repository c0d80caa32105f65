//! The element-wise activation: tanh.

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
