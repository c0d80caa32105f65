//! The batched passes: samples one after another in a flat slice, run in chunks of samples (in parallel with
//! feature `parallel`).

use super::passes::SampleRecord;
use super::QuantumNetwork;
use crate::bounded;
use crate::error::{Error, Result};
use crate::grad::function::check_len;
use crate::layer::batch;
use crate::layer::gradients::{ForwardBackward, LayerGradients};
use crate::quantum::engine::Lowered;

/// The upstream gradient of a forward pass alone: none.
type Upstream = fn(usize, &[f64], &mut [f64]) -> Result<()>;

impl QuantumNetwork {
    pub(super) fn batch_size(&self, xs: &[f64]) -> Result<usize> {
        let d = self.input_dim();
        if !xs.len().is_multiple_of(d) {
            return Err(Error::DimensionMismatch {
                what: "batch of network inputs (a multiple of the input dimension)",
                expected: xs.len().div_ceil(d) * d,
                found: xs.len(),
            });
        }
        Ok(xs.len() / d)
    }

    /// The outputs for a batch: `xs` holds the samples one after another (input_dim values each), the result
    /// their outputs likewise. Parallel over samples (feature `parallel`), bit-identical for any thread count.
    ///
    /// # Errors
    /// As [`forward`](Self::forward); [`Error::DimensionMismatch`] when `xs.len()` is not a multiple of the
    /// input dimension; [`Error::TooLarge`] when the outputs cannot be allocated.
    pub fn forward_batch(&self, xs: &[f64]) -> Result<Vec<f64>> {
        let b = self.batch_size(xs)?;
        let (d, o) = (self.input_dim(), self.output_dim());
        let mut out = bounded::table("batch of network outputs", b, o, 0.0)?;
        let mut lowered = Lowered::default();
        self.lower_weights(&mut lowered)?;
        let side_by_side = self.side_by_side(&lowered);
        batch::run(
            b,
            &mut out,
            o,
            &mut [],
            0,
            0,
            || self.scratch(),
            |s, range, rows, _| {
                if side_by_side {
                    let none: Option<(&Upstream, _, _)> = None;
                    return self.step_chunk(
                        range.start,
                        &xs[range.start * d..range.end * d],
                        s,
                        rows.a,
                        &lowered,
                        none,
                    );
                }
                for (k, i) in range.enumerate() {
                    self.forward_one(&xs[i * d..(i + 1) * d], s, &mut rows.a[k * o..(k + 1) * o], &lowered)?;
                }
                Ok(())
            },
        )?;
        Ok(out)
    }

    /// The batched backward pass for upstream gradients `upstream` (output_dim values per sample): the input
    /// gradients per sample and the parameter gradient summed over the batch, bit-identical for any thread
    /// count. Allocates per chunk of samples, never per sample. It runs each sample's circuit forward (it keeps
    /// no state between calls): after [`forward_batch`](Self::forward_batch), that is a second forward pass;
    /// [`record_batch`](Self::record_batch) and [`backward_recorded`](Self::backward_recorded) run one.
    ///
    /// # Errors
    /// As [`forward_batch`](Self::forward_batch); [`Error::DimensionMismatch`] when `upstream` does not hold
    /// output_dim values per sample.
    pub fn backward_batch(&self, xs: &[f64], upstream: &[f64]) -> Result<LayerGradients> {
        let b = self.batch_size(xs)?;
        let o = self.output_dim();
        check_len(
            "batch of upstream gradients",
            bounded::product("batch of upstream gradients", b, o)?,
            upstream.len(),
        )?;
        let step = self.forward_backward_batch(xs, |i, _, g| {
            g.copy_from_slice(&upstream[i * o..(i + 1) * o]);
            Ok(())
        })?;
        Ok(step.gradients)
    }

    /// A training step's passes over a batch in one go: for each sample, the forward pass y, the upstream
    /// gradient `upstream_of(sample, y, g)` (for example a loss gradient, written into g), and the backward pass.
    /// Returns the outputs (output_dim per sample), the input gradients (input_dim per sample) and the parameter
    /// gradient summed over the batch. With the adjoint method each sample's circuit runs once, where
    /// [`forward_batch`](Self::forward_batch) then [`backward_batch`](Self::backward_batch) run it twice.
    /// Bit-identical for any thread count; allocates per chunk of samples, never per sample.
    ///
    /// # Errors
    /// As [`forward_batch`](Self::forward_batch), and any error `upstream_of` returns.
    ///
    /// # Example
    ///
    /// ```
    /// use qnet::prelude::*;
    ///
    /// # fn main() -> qnet::Result<()> {
    /// let net = QuantumNetwork::new(3, 2, 2, 1)?;
    /// let xs = [0.1, 0.2, 0.3, -0.3, 0.0, 0.9];
    /// let labels = [0usize, 1];
    /// let step = net.forward_backward_batch(&xs, |s, y, g| softmax_cross_entropy(y, labels[s], 1.0, g).map(|_| ()))?;
    /// let (logits, grads) = (&step.outputs, &step.gradients.params);
    /// // The same as the two separate passes.
    /// assert_eq!(logits, &net.forward_batch(&xs)?);
    /// let mut up = vec![0.0; 4];
    /// for s in 0..2 {
    ///     softmax_cross_entropy(&logits[2 * s..2 * s + 2], labels[s], 1.0, &mut up[2 * s..2 * s + 2])?;
    /// }
    /// let expected = net.backward_batch(&xs, &up)?.params;
    /// assert!(grads.iter().zip(&expected).all(|(a, b)| (a - b).abs() < 1e-12));
    /// # Ok(())
    /// # }
    /// ```
    pub fn forward_backward_batch<U>(&self, xs: &[f64], upstream_of: U) -> Result<ForwardBackward>
    where
        U: Fn(usize, &[f64], &mut [f64]) -> Result<()> + Sync + Send,
    {
        let b = self.batch_size(xs)?;
        let (d, o) = (self.input_dim(), self.output_dim());
        let mut ys = bounded::table("batch of network outputs", b, o, 0.0)?;
        let mut xg = vec![0.0; b * d];
        let mut lowered = Lowered::default();
        self.lower_weights(&mut lowered)?;
        let side_by_side = self.side_by_side(&lowered);
        let pg = batch::run(
            b,
            &mut ys,
            o,
            &mut xg,
            d,
            self.num_params(),
            || self.scratch(),
            |s, range, rows, pg| {
                if side_by_side {
                    let xs = &xs[range.start * d..range.end * d];
                    return self.step_chunk(range.start, xs, s, rows.a, &lowered, Some((&upstream_of, rows.b, pg)));
                }
                for (k, i) in range.enumerate() {
                    let (x, out) = (&xs[i * d..(i + 1) * d], &mut rows.a[k * o..(k + 1) * o]);
                    self.record_one(x, &mut s.t, &mut s.angles, &mut s.tape, out, &lowered, &mut s.amps)?;
                    upstream_of(i, out, &mut s.gy)?;
                    let record = SampleRecord { x, t: &s.t, tape: &s.tape, lowered: &lowered };
                    self.sweep_one(record, &s.gy, &mut s.sweep, &mut rows.b[k * d..(k + 1) * d], pg)?;
                }
                Ok(())
            },
        )?;
        Ok(ForwardBackward { outputs: ys, gradients: LayerGradients { inputs: xg, params: pg } })
    }
}
