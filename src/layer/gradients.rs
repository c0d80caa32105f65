//! What the layers' backward passes return, with names instead of tuples.

/// The gradients of a backward pass for the upstream gradient g = ∂L/∂y: ∂L/∂x for the inputs (one row per
/// sample, in the order of the inputs) and ∂L/∂θ for the parameters (summed over the samples; for a
/// [`QuantumLayer`](super::QuantumLayer) its weights, for a [`QuantumNetwork`](super::QuantumNetwork) the
/// order of [`params`](super::QuantumNetwork::params)).
///
/// # Example
///
/// ```
/// use qnet::prelude::*;
///
/// # fn main() -> qnet::Result<()> {
/// let net = QuantumNetwork::new(3, 2, 2, 1)?;
/// let grads = net.backward(&[0.1, 0.2, 0.3], &[1.0, -1.0])?;
/// assert_eq!(grads.inputs.len(), 3);
/// assert_eq!(grads.params.len(), net.num_params());
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct LayerGradients {
    /// ∂L/∂x: the inputs' gradients, one row per sample.
    pub inputs: Vec<f64>,
    /// ∂L/∂θ: the parameters' gradient, summed over the samples.
    pub params: Vec<f64>,
}

/// A forward and a backward pass in one (see
/// [`QuantumNetwork::forward_backward_batch`](super::QuantumNetwork::forward_backward_batch)): the outputs y
/// and the gradients for the upstream gradients the caller computed from them.
///
/// # Example
///
/// ```
/// use qnet::prelude::*;
///
/// # fn main() -> qnet::Result<()> {
/// let net = QuantumNetwork::new(2, 2, 2, 1)?;
/// let step = net.forward_backward_batch(&[0.1, 0.2], |_, y, g| softmax_cross_entropy(y, 0, 1.0, g).map(|_| ()))?;
/// assert_eq!(step.outputs.len(), 2);
/// assert_eq!(step.gradients.params.len(), net.num_params());
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ForwardBackward {
    /// The outputs y, one row per sample.
    pub outputs: Vec<f64>,
    /// The gradients for the upstream gradients computed from y.
    pub gradients: LayerGradients,
}
