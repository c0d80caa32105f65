//! A dense affine layer y = W x + b.

use nalgebra::{DMatrix, DVector};
use rand::{Rng, RngExt};

use crate::bounded;
use crate::error::{Error, Result};
use crate::grad::function::check_len;

/// A dense layer y = W·x + b with W of shape output × input, initialised by Xavier/Glorot: W_ij ~ U(−a, a),
/// a = √(6/(input + output)), and b = 0.
///
/// Its parameters, as a flat vector, are W row by row, then b.
///
/// # Example
///
/// ```
/// use qnet::prelude::*;
/// use rand::SeedableRng;
///
/// # fn main() -> qnet::Result<()> {
/// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
/// let layer = Linear::new(3, 2, &mut rng)?;
/// let a = (6.0f64 / 5.0).sqrt();
/// assert!(layer.weight().iter().all(|w| w.abs() <= a));
/// let y = layer.forward(&[1.0, 0.0, 0.0])?;
/// assert_eq!(y, vec![layer.weight()[(0, 0)], layer.weight()[(1, 0)]]);
///
/// // Backward: ∂L/∂x = Wᵀg, ∂L/∂W = g xᵀ, ∂L/∂b = g.
/// let (mut dx, mut dp) = (vec![0.0; 3], vec![0.0; layer.num_params()]);
/// layer.backward_into(&[1.0, 2.0, 3.0], &[1.0, -1.0], &mut dx, &mut dp)?;
/// assert_eq!(&dp[..3], &[1.0, 2.0, 3.0]);
/// assert_eq!(&dp[6..], &[1.0, -1.0]);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "super::serde_repr::LinearData", into = "super::serde_repr::LinearData")
)]
pub struct Linear {
    weight: DMatrix<f64>,
    bias: DVector<f64>,
}

impl Linear {
    /// A Xavier-initialised layer from `input_dim` to `output_dim`, drawn from `rng`.
    ///
    /// # Errors
    /// [`Error::InvalidHyperParameter`] when a dimension is zero; [`Error::TooLarge`] when the input × output
    /// weights cannot be allocated (the product overflows, or the allocator refuses it).
    pub fn new<R: Rng + ?Sized>(input_dim: usize, output_dim: usize, rng: &mut R) -> Result<Self> {
        for (name, d) in [("input dimension", input_dim), ("output dimension", output_dim)] {
            if d == 0 {
                return Err(Error::hyper_parameter(name, 0, "must be at least 1"));
            }
        }
        let len = bounded::product("linear layer weights", input_dim, output_dim)?;
        let mut weight = bounded::filled("linear layer weights", len, 0.0)?;
        let bias = bounded::filled("linear layer bias", output_dim, 0.0)?;
        let a = (6.0 / (input_dim as f64 + output_dim as f64)).sqrt();
        // Drawn row by row so that the flat parameter order and the draw order agree; stored column by column.
        for r in 0..output_dim {
            for c in 0..input_dim {
                weight[c * output_dim + r] = rng.random_range(-a..=a);
            }
        }
        let weight = DMatrix::from_vec(output_dim, input_dim, weight);
        Ok(Linear { weight, bias: DVector::from_vec(bias) })
    }

    /// A layer from a weight matrix (output × input) and a bias of length output.
    ///
    /// # Errors
    /// [`Error::DimensionMismatch`] when the bias length differs from the weight's rows,
    /// [`Error::InvalidHyperParameter`] for an empty matrix or a non-finite entry.
    pub fn from_parts(weight: DMatrix<f64>, bias: DVector<f64>) -> Result<Self> {
        check_len("bias", weight.nrows(), bias.len())?;
        if weight.is_empty() {
            let shape = format!("{}x{}", weight.nrows(), weight.ncols());
            return Err(Error::hyper_parameter("weight shape", shape, "must be non-empty"));
        }
        if let Some(v) = weight.iter().chain(bias.iter()).find(|v| !v.is_finite()) {
            return Err(Error::hyper_parameter("linear parameter", v, "must be finite"));
        }
        Ok(Linear { weight, bias })
    }

    /// The weight and the bias, taking the layer apart.
    #[cfg(feature = "serde")]
    pub(super) fn into_parts(self) -> (DMatrix<f64>, DVector<f64>) {
        (self.weight, self.bias)
    }

    /// The input dimension.
    #[must_use]
    pub fn input_dim(&self) -> usize {
        self.weight.ncols()
    }

    /// The output dimension.
    #[must_use]
    pub fn output_dim(&self) -> usize {
        self.weight.nrows()
    }

    /// W (output × input).
    #[must_use]
    pub fn weight(&self) -> &DMatrix<f64> {
        &self.weight
    }

    /// b.
    #[must_use]
    pub fn bias(&self) -> &DVector<f64> {
        &self.bias
    }

    /// The number of parameters, output·(input + 1).
    #[must_use]
    pub fn num_params(&self) -> usize {
        self.weight.len() + self.bias.len()
    }

    /// Writes the parameters (W row by row, then b) into `out`.
    ///
    /// # Errors
    /// [`Error::DimensionMismatch`] when `out` is not of length [`num_params`](Self::num_params).
    pub fn params_into(&self, out: &mut [f64]) -> Result<()> {
        check_len("linear parameters", self.num_params(), out.len())?;
        let (rows, cols) = self.weight.shape();
        for r in 0..rows {
            for c in 0..cols {
                out[r * cols + c] = self.weight[(r, c)];
            }
        }
        out[rows * cols..].copy_from_slice(self.bias.as_slice());
        Ok(())
    }

    /// Sets the parameters from a flat slice (W row by row, then b).
    ///
    /// # Errors
    /// [`Error::DimensionMismatch`] when `params` is not of length [`num_params`](Self::num_params).
    pub fn set_params(&mut self, params: &[f64]) -> Result<()> {
        check_len("linear parameters", self.num_params(), params.len())?;
        let (rows, cols) = self.weight.shape();
        for r in 0..rows {
            for c in 0..cols {
                self.weight[(r, c)] = params[r * cols + c];
            }
        }
        self.bias.as_mut_slice().copy_from_slice(&params[rows * cols..]);
        Ok(())
    }

    /// y = W·x + b written into `out`; allocates nothing.
    ///
    /// # Errors
    /// [`Error::DimensionMismatch`] when `x` or `out` has the wrong length.
    pub fn forward_into(&self, x: &[f64], out: &mut [f64]) -> Result<()> {
        check_len("linear input", self.input_dim(), x.len())?;
        check_len("linear output", self.output_dim(), out.len())?;
        for (r, o) in out.iter_mut().enumerate() {
            let mut acc = self.bias[r];
            for (c, xc) in x.iter().enumerate() {
                acc += self.weight[(r, c)] * xc;
            }
            *o = acc;
        }
        Ok(())
    }

    /// y = W·x + b.
    ///
    /// # Errors
    /// [`Error::DimensionMismatch`] when `x` has the wrong length.
    pub fn forward(&self, x: &[f64]) -> Result<Vec<f64>> {
        let mut out = vec![0.0; self.output_dim()];
        self.forward_into(x, &mut out)?;
        Ok(out)
    }

    /// Backpropagates the upstream gradient g = ∂L/∂y at input x: writes ∂L/∂x = Wᵀg into `input_grad` and
    /// **adds** ∂L/∂W = g·xᵀ (row by row) and ∂L/∂b = g to `param_grad`.
    ///
    /// # Errors
    /// [`Error::DimensionMismatch`] for a slice of the wrong length.
    pub fn backward_into(
        &self,
        x: &[f64],
        upstream: &[f64],
        input_grad: &mut [f64],
        param_grad: &mut [f64],
    ) -> Result<()> {
        let (rows, cols) = self.weight.shape();
        check_len("linear input", cols, x.len())?;
        check_len("linear upstream gradient", rows, upstream.len())?;
        check_len("linear input gradient", cols, input_grad.len())?;
        check_len("linear parameter gradient", self.num_params(), param_grad.len())?;
        input_grad.fill(0.0);
        for (r, &g) in upstream.iter().enumerate() {
            for c in 0..cols {
                input_grad[c] += self.weight[(r, c)] * g;
                param_grad[r * cols + c] += g * x[c];
            }
            param_grad[rows * cols + r] += g;
        }
        Ok(())
    }
}
