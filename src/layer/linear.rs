//! A dense affine layer y = W x + b.

use nalgebra::{DMatrix, DMatrixView, DVector, DVectorView, Dyn};
use rand::{Rng, RngExt};

use crate::bounded;
use crate::error::{Error, Result};
use crate::grad::function::check_len;
use crate::layer::batch::CHUNK;
use crate::quantum::vectorize::{vectorized, InstructionSet};

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
    shape: LinearShape,
    /// W row by row, then b: the layout of the flat parameter order, of the forward pass (one contiguous row
    /// per output) and of the backward pass (one contiguous row of ∂L/∂W per output), so nothing transposes.
    params: Vec<f64>,
}

/// The shape of a dense layer y = W·x + b and its passes over a parameter slice laid out as a [`Linear`]'s
/// (W row by row, then b), for models that own the slice in one buffer with their other parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LinearShape {
    pub(crate) input_dim: usize,
    pub(crate) output_dim: usize,
}

impl LinearShape {
    /// output·(input + 1).
    pub(crate) fn num_params(self) -> usize {
        self.input_dim * self.output_dim + self.output_dim
    }

    /// y = W·x + b written into `out`.
    pub(crate) fn forward_into(self, params: &[f64], x: &[f64], out: &mut [f64]) -> Result<()> {
        check_len("linear parameters", self.num_params(), params.len())?;
        check_len("linear input", self.input_dim, x.len())?;
        check_len("linear output", self.output_dim, out.len())?;
        let (w, b) = params.split_at(self.input_dim * self.output_dim);
        // Each output is b_r + w_r0·x_0 + w_r1·x_1 + … added in that order; four rows at a time, so that their
        // four chains of additions overlap instead of waiting on each other (the same sums, the same bits).
        const ROWS: usize = 4;
        let n = self.input_dim;
        if n == 0 {
            out.copy_from_slice(b);
            return Ok(());
        }
        let mut outs = out.chunks_exact_mut(ROWS);
        let mut rows = w.chunks_exact(ROWS * n);
        let mut biases = b.chunks_exact(ROWS);
        for ((o, w), b) in (&mut outs).zip(&mut rows).zip(&mut biases) {
            let mut acc = [b[0], b[1], b[2], b[3]];
            for (k, &x) in x.iter().enumerate() {
                for (r, acc) in acc.iter_mut().enumerate() {
                    *acc += w[r * n + k] * x;
                }
            }
            o.copy_from_slice(&acc);
        }
        let tail = outs.into_remainder().iter_mut().zip(rows.remainder().chunks_exact(n));
        for ((o, row), bias) in tail.zip(biases.remainder()) {
            *o = row.iter().zip(x).fold(*bias, |acc, (w, x)| acc + w * x);
        }
        Ok(())
    }

    /// [`forward_into`](Self::forward_into) of up to 16 samples side by side: sample s's input `xs(s)`, its
    /// y = W·x + b into row s of `out` (output_dim values per row). Each output is summed as `forward_into`
    /// sums it, in the same order, so the bits are the same; the samples fill the vector lanes and share each
    /// weight's load.
    pub(crate) fn forward_rows<'x>(
        self,
        params: &[f64],
        xs: impl Fn(usize) -> &'x [f64],
        out: &mut [f64],
    ) -> Result<()> {
        let (n, m) = (self.input_dim, self.output_dim);
        check_len("linear parameters", self.num_params(), params.len())?;
        let samples = out.len() / m.max(1);
        check_len("linear outputs", samples * m, out.len())?;
        assert!(samples <= CHUNK, "at most {CHUNK} samples side by side");
        // The inputs one row per input index, a lane per sample.
        let mut columns = vec![0.0; n * CHUNK];
        for s in 0..samples {
            let x = xs(s);
            check_len("linear input", n, x.len())?;
            for (c, &v) in columns.chunks_exact_mut(CHUNK).zip(x) {
                c[s] = v;
            }
        }
        vectorized(
            InstructionSet::detected(),
            #[inline(always)]
            || forward_columns(self, params, &columns, out),
        );
        Ok(())
    }

    /// ∂L/∂x = Wᵀg into `input_grad`; ∂L/∂W = g·xᵀ (row by row) and ∂L/∂b = g added to `param_grad`.
    pub(crate) fn backward_into(
        self,
        params: &[f64],
        x: &[f64],
        upstream: &[f64],
        input_grad: &mut [f64],
        param_grad: &mut [f64],
    ) -> Result<()> {
        let (rows, cols) = (self.output_dim, self.input_dim);
        check_len("linear parameters", self.num_params(), params.len())?;
        check_len("linear input", cols, x.len())?;
        check_len("linear upstream gradient", rows, upstream.len())?;
        check_len("linear input gradient", cols, input_grad.len())?;
        check_len("linear parameter gradient", self.num_params(), param_grad.len())?;
        let w = &params[..rows * cols];
        vectorized(
            InstructionSet::detected(),
            #[inline(always)]
            || backward_row(w, x, upstream, input_grad, param_grad),
        );
        Ok(())
    }
}

/// [`LinearShape::forward_rows`]'s sums into `out`, `columns` holding input k of every sample in row k
/// ([`CHUNK`] lanes); inlined into each instruction set's copy of [`vectorized`] (the same bits on all).
#[inline(always)]
fn forward_columns(shape: LinearShape, params: &[f64], columns: &[f64], out: &mut [f64]) {
    let (n, m) = (shape.input_dim, shape.output_dim);
    let (w, b) = params.split_at(n * m);
    // Output r of sample s is b_r + w_r0·x_0 + w_r1·x_1 + … added in that order, as in `forward_into`; two
    // outputs at a time, so that their chains of additions overlap.
    for r in (0..m).step_by(2) {
        let r1 = (r + 1).min(m - 1);
        let (mut acc0, mut acc1) = ([b[r]; CHUNK], [b[r1]; CHUNK]);
        for (k, x) in columns.chunks_exact(CHUNK).enumerate() {
            let x: &[f64; CHUNK] = x.try_into().expect("rows of CHUNK lanes");
            let (w0, w1) = (w[r * n + k], w[r1 * n + k]);
            for s in 0..CHUNK {
                acc0[s] += w0 * x[s];
                acc1[s] += w1 * x[s];
            }
        }
        for (s, y) in out.chunks_exact_mut(m).enumerate() {
            y[r] = acc0[s];
            y[r1] = acc1[s];
        }
    }
}

/// [`LinearShape::backward_into`]'s loop, inlined into each instruction set's copy of [`vectorized`] (the
/// same bits on all).
#[inline(always)]
fn backward_row(w: &[f64], x: &[f64], upstream: &[f64], input_grad: &mut [f64], param_grad: &mut [f64]) {
    let cols = x.len();
    input_grad.fill(0.0);
    let (gw, gb) = param_grad.split_at_mut(w.len());
    for (((&g, w_row), gw_row), gb) in upstream.iter().zip(w.chunks_exact(cols)).zip(gw.chunks_exact_mut(cols)).zip(gb)
    {
        for (((ig, w), gw), xc) in input_grad.iter_mut().zip(w_row).zip(gw_row).zip(x) {
            *ig += w * g;
            *gw += g * xc;
        }
        *gb += g;
    }
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
        let mut params = bounded::filled("linear layer weights", len, 0.0)?;
        params
            .try_reserve_exact(output_dim)
            .map_err(|_| Error::TooLarge { what: "linear layer bias", elements: output_dim as u128 })?;
        let a = (6.0 / (input_dim as f64 + output_dim as f64)).sqrt();
        // Drawn row by row, in the order they are stored; then the bias, 0.
        for w in &mut params {
            *w = rng.random_range(-a..=a);
        }
        params.resize(len + output_dim, 0.0);
        Ok(Linear { shape: LinearShape { input_dim, output_dim }, params })
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
        let (output_dim, input_dim) = weight.shape();
        let mut params = Vec::with_capacity(weight.len() + bias.len());
        params.extend(weight.transpose().iter());
        params.extend(bias.iter());
        Ok(Linear { shape: LinearShape { input_dim, output_dim }, params })
    }

    /// The weight and the bias, taking the layer apart.
    #[cfg(feature = "serde")]
    pub(super) fn into_parts(self) -> (DMatrix<f64>, DVector<f64>) {
        (self.weight().into_owned(), self.bias().into_owned())
    }

    /// The input dimension.
    #[must_use]
    pub fn input_dim(&self) -> usize {
        self.shape.input_dim
    }

    /// The output dimension.
    #[must_use]
    pub fn output_dim(&self) -> usize {
        self.shape.output_dim
    }

    /// The shape, for passes over a slice laid out as its parameters.
    pub(crate) fn shape(&self) -> LinearShape {
        self.shape
    }

    /// The layer of `shape` holding a copy of `params` (laid out as [`params`](Self::params)).
    pub(crate) fn from_shape(shape: LinearShape, params: &[f64]) -> Linear {
        debug_assert_eq!(params.len(), shape.num_params());
        Linear { shape, params: params.to_vec() }
    }

    fn weights_len(&self) -> usize {
        self.shape.input_dim * self.shape.output_dim
    }

    /// W (output × input): a view of the row-major storage.
    #[must_use]
    pub fn weight(&self) -> DMatrixView<'_, f64, Dyn, Dyn> {
        let (rows, cols) = (self.shape.output_dim, self.shape.input_dim);
        DMatrixView::from_slice_with_strides_generic(
            &self.params[..rows * cols],
            Dyn(rows),
            Dyn(cols),
            Dyn(cols),
            Dyn(1),
        )
    }

    /// b.
    #[must_use]
    pub fn bias(&self) -> DVectorView<'_, f64> {
        DVectorView::from_slice(&self.params[self.weights_len()..], self.shape.output_dim)
    }

    /// The number of parameters, output·(input + 1).
    #[must_use]
    pub fn num_params(&self) -> usize {
        self.params.len()
    }

    /// The parameters as the layer holds them: W row by row, then b.
    #[must_use]
    pub fn params(&self) -> &[f64] {
        &self.params
    }

    /// The parameters to change in place (W row by row, then b), for an [`Optimizer`](crate::layer::Optimizer)
    /// step: nothing is copied out and back.
    pub fn params_mut(&mut self) -> &mut [f64] {
        &mut self.params
    }

    /// Writes the parameters (W row by row, then b) into `out`.
    ///
    /// # Errors
    /// [`Error::DimensionMismatch`] when `out` is not of length [`num_params`](Self::num_params).
    pub fn params_into(&self, out: &mut [f64]) -> Result<()> {
        check_len("linear parameters", self.num_params(), out.len())?;
        out.copy_from_slice(&self.params);
        Ok(())
    }

    /// Sets the parameters from a flat slice (W row by row, then b).
    ///
    /// # Errors
    /// [`Error::DimensionMismatch`] when `params` is not of length [`num_params`](Self::num_params).
    pub fn set_params(&mut self, params: &[f64]) -> Result<()> {
        check_len("linear parameters", self.num_params(), params.len())?;
        self.params.copy_from_slice(params);
        Ok(())
    }

    /// y = W·x + b written into `out`; allocates nothing.
    ///
    /// # Errors
    /// [`Error::DimensionMismatch`] when `x` or `out` has the wrong length.
    pub fn forward_into(&self, x: &[f64], out: &mut [f64]) -> Result<()> {
        self.shape.forward_into(&self.params, x, out)
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
        self.shape.backward_into(&self.params, x, upstream, input_grad, param_grad)
    }
}

#[cfg(test)]
mod tests {
    use nalgebra::{DMatrix, DVector};
    use rand::SeedableRng;

    use super::Linear;

    fn layer() -> Linear {
        Linear::new(5, 3, &mut rand_chacha::ChaCha8Rng::seed_from_u64(4)).unwrap()
    }

    #[test]
    fn the_row_major_storage_is_the_flat_order_and_the_matrix_view() {
        let l = layer();
        let (w, b) = (l.weight(), l.bias());
        for r in 0..3 {
            for c in 0..5 {
                assert_eq!(l.params()[r * 5 + c], w[(r, c)]);
            }
            assert_eq!(l.params()[15 + r], b[r]);
        }
        let again = Linear::from_parts(w.into_owned(), b.into_owned()).unwrap();
        assert_eq!(again, l);
    }

    #[test]
    fn each_output_is_its_rows_sum_in_order_bit_for_bit() {
        // Four rows at a time and the rows left over: each output b_r + Σ_k w_rk·x_k, added from k = 0 up.
        for (rows, cols) in [(1, 1), (3, 5), (4, 2), (9, 64), (6, 16), (8, 7), (2, 0)] {
            let shape = super::LinearShape { input_dim: cols, output_dim: rows };
            let params: Vec<f64> = (0..shape.num_params()).map(|i| (i as f64 * 0.731).sin()).collect();
            let x: Vec<f64> = (0..cols).map(|i| (i as f64 * 1.37).cos() * 1e3).collect();
            let mut out = vec![f64::NAN; rows];
            shape.forward_into(&params, &x, &mut out).unwrap();
            for (r, o) in out.iter().enumerate() {
                let row = &params[r * cols..(r + 1) * cols];
                let sum = row.iter().zip(&x).fold(params[rows * cols + r], |acc, (w, x)| acc + w * x);
                assert_eq!(o.to_bits(), sum.to_bits(), "{rows}x{cols}, row {r}");
            }
        }
    }

    #[test]
    fn samples_side_by_side_sum_as_each_sample_alone_bit_for_bit() {
        // Two outputs at a time (an odd count leaves one), 1 to 16 samples, inputs of any width.
        for (rows, cols) in [(1, 1), (3, 5), (4, 2), (17, 64), (6, 16), (9, 7), (2, 0)] {
            let shape = super::LinearShape { input_dim: cols, output_dim: rows };
            let params: Vec<f64> = (0..shape.num_params()).map(|i| (i as f64 * 0.731).sin()).collect();
            for samples in [1, 2, 5, 16] {
                let xs: Vec<Vec<f64>> = (0..samples)
                    .map(|s| (0..cols).map(|i| ((i * 7 + s) as f64 * 1.37).cos() * 1e3).collect())
                    .collect();
                let mut out = vec![f64::NAN; rows * samples];
                shape.forward_rows(&params, |s| &xs[s], &mut out).unwrap();
                for (s, (x, y)) in xs.iter().zip(out.chunks_exact(rows)).enumerate() {
                    let mut alone = vec![f64::NAN; rows];
                    shape.forward_into(&params, x, &mut alone).unwrap();
                    let bits = |v: &[f64]| v.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
                    assert_eq!(bits(y), bits(&alone), "{rows}x{cols}, sample {s} of {samples}");
                }
            }
            let mut out = vec![0.0; rows];
            let short = vec![0.0; cols + 1];
            assert!(shape.forward_rows(&params, |_| &short, &mut out).is_err(), "an input of the wrong width");
        }
    }

    #[test]
    fn forward_and_backward_equal_nalgebras_dense_products() {
        let mut l = layer();
        l.params_mut()[15..].copy_from_slice(&[0.3, -0.2, 0.1]);
        let (x, g) = ([0.5, -1.0, 0.25, 2.0, -0.75], [1.0, -0.5, 0.25]);
        let (w, b) = (l.weight().into_owned(), l.bias().into_owned());
        let (xv, gv) = (DVector::from_row_slice(&x), DVector::from_row_slice(&g));
        let y = l.forward(&x).unwrap();
        let expected = &w * &xv + &b;
        let (mut xg, mut pg) = (vec![0.0; 5], vec![1.0; 18]);
        l.backward_into(&x, &g, &mut xg, &mut pg).unwrap();
        let xg_expected = w.transpose() * &gv;
        let gw: DMatrix<f64> = &gv * xv.transpose();
        for r in 0..3 {
            assert!((y[r] - expected[r]).abs() < 1e-14);
            for c in 0..5 {
                // Added to what was there (1.0).
                assert!((pg[r * 5 + c] - 1.0 - gw[(r, c)]).abs() < 1e-14);
            }
            assert!((pg[15 + r] - 1.0 - g[r]).abs() < 1e-14);
        }
        for c in 0..5 {
            assert!((xg[c] - xg_expected[c]).abs() < 1e-14);
        }
    }

    #[test]
    fn backward_matches_central_differences() {
        let mut l = layer();
        let (x, g) = ([0.5, -1.0, 0.25, 2.0, -0.75], [1.0, -0.5, 0.25]);
        let contracted =
            |l: &Linear, x: &[f64]| -> f64 { l.forward(x).unwrap().iter().zip(&g).map(|(y, g)| y * g).sum() };
        let (mut xg, mut pg) = (vec![0.0; 5], vec![0.0; 18]);
        l.backward_into(&x, &g, &mut xg, &mut pg).unwrap();
        let h = 1e-6;
        for (i, &analytic) in pg.iter().enumerate() {
            let p = l.params()[i];
            l.params_mut()[i] = p + h;
            let up = contracted(&l, &x);
            l.params_mut()[i] = p - h;
            let down = contracted(&l, &x);
            l.params_mut()[i] = p;
            assert!((analytic - (up - down) / (2.0 * h)).abs() < 1e-8, "parameter {i}");
        }
        for c in 0..5 {
            let mut xp = x;
            xp[c] += h;
            let up = contracted(&l, &xp);
            xp[c] -= 2.0 * h;
            assert!((xg[c] - (up - contracted(&l, &xp)) / (2.0 * h)).abs() < 1e-8, "input {c}");
        }
    }
}
