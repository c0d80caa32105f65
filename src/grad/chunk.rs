//! A chunk of samples' tapes, recorded and swept back side by side (see `quantum::engine::columns`): what a
//! network's batch runs when its quantum layer is small and only its encoding reads the samples' inputs. The
//! tapes and gradients are those of [`QuantumFunction::forward_into`] and [`QuantumFunction::backward`] on each
//! sample alone, bit for bit.

use num_complex::Complex64 as C;

use super::function::{check_len, QuantumFunction};
use super::tape::Tape;
use crate::error::Result;
use crate::quantum::engine::{Binding, ColumnScratch, Columns, Lowered, Mat2x2};
use crate::quantum::op::ZERO;

/// Reusable buffers of a chunk of samples side by side: φ and λ of every sample (16 KiB each for 16 samples of
/// 6 qubits), one sample's λ, and the sweep's scratch.
#[derive(Debug, Clone, Default)]
pub(crate) struct ChunkScratch {
    phi: Columns,
    lambda: Columns,
    back: ColumnScratch,
    one: Vec<C>,
    coeffs: Vec<f64>,
    buf: Vec<C>,
}

impl QuantumFunction {
    /// Whether chunks of samples at `weights`, sharing `cache`, run side by side: no noise, `cache` filled for
    /// the plan at these weights, and a plan whose nodes past the product prefix the samples share (see
    /// `Plan::runs_in_columns`).
    pub(crate) fn runs_chunks(&self, weights: &[f64], cache: &Lowered) -> bool {
        self.noise.is_none()
            && cache.holds(&self.plan, &Binding::new(self.circuit(), weights, &[]))
            && self.plan.runs_in_columns(self.num_qubits(), cache)
    }

    /// [`forward_into`](Self::forward_into) of every sample of a chunk side by side: sample s's inputs
    /// `inputs(s)`, its record into `tapes[s]` (at most 16 of them), the gates that read only weights from
    /// `cache`, for which [`runs_chunks`](Self::runs_chunks) holds.
    ///
    /// # Errors
    /// As [`forward_into`](Self::forward_into): the parameters of the first sample whose own fail, else the first
    /// tape that does not fit the function.
    pub(crate) fn forward_chunk<'x>(
        &self,
        weights: &[f64],
        inputs: impl Fn(usize) -> &'x [f64],
        tapes: &mut [Tape],
        cache: &Lowered,
        scratch: &mut ChunkScratch,
    ) -> Result<()> {
        self.circuit().check_samples(weights, (0..tapes.len()).map(&inputs))?;
        tapes.iter().try_for_each(|tape| self.check_tape(tape))?;
        // The samples share the weights: whether the cache holds them is asked once.
        let filled = Binding::new(self.circuit(), weights, &[]).with_filled(&self.plan, cache).lowered;
        let bindings: Vec<Binding<'_>> = (0..tapes.len())
            .map(|s| Binding { lowered: filled, ..Binding::new(self.circuit(), weights, inputs(s)) })
            .collect();
        for tape in tapes.iter_mut() {
            tape.members.resize(self.plan.record_len(), [[ZERO; 2]; 2]);
        }
        let mut records: Vec<&mut [Mat2x2]> = tapes.iter_mut().map(|t| &mut t.members[..]).collect();
        self.plan.forward_columns(&bindings, &mut records, &mut scratch.phi, &mut scratch.buf);
        for (s, tape) in tapes.iter_mut().enumerate() {
            scratch.phi.read(s, &mut tape.state);
            self.readout.values_of(&tape.state, &mut tape.values);
            Self::keep_parameters(weights, inputs(s), tape);
        }
        Ok(())
    }

    /// [`backward`](Self::backward) (the adjoint sweep) of every tape of a chunk side by side, each from its
    /// upstream gradient `upstream(s)`: the weights' gradients added into `weights`, sample after sample, the
    /// inputs' into row s of `inputs` (num_inputs entries per tape). The tapes were recorded at the weights
    /// `cache` holds, by [`forward_chunk`](Self::forward_chunk) or one by one.
    ///
    /// # Errors
    /// As [`backward`](Self::backward), for the first tape that fails; [`Error::DimensionMismatch`] when
    /// `inputs` does not hold num_inputs entries per tape.
    ///
    /// [`Error::DimensionMismatch`]: crate::Error::DimensionMismatch
    pub(crate) fn backward_chunk<'u>(
        &self,
        tapes: &[Tape],
        upstream: impl Fn(usize) -> &'u [f64],
        weights: &mut [f64],
        inputs: &mut [f64],
        cache: &Lowered,
        scratch: &mut ChunkScratch,
    ) -> Result<()> {
        check_len("input gradients", tapes.len() * self.circuit().num_inputs(), inputs.len())?;
        // A tape's weights and inputs were checked when it was recorded (only forward passes fill a tape); a
        // tape that recorded no pass has none.
        let (num_weights, num_inputs) = (self.circuit().num_weights(), self.circuit().num_inputs());
        for (s, tape) in tapes.iter().enumerate() {
            self.check_tape(tape)?;
            if tape.weights.len() < num_weights || tape.inputs.len() < num_inputs {
                self.check(&tape.weights, &tape.inputs)?;
            }
            check_len("upstream gradient", self.num_outputs(), upstream(s).len())?;
            check_len("weight gradients", tape.weights.len(), weights.len())?;
        }
        let bindings: Vec<Binding<'_>> = tapes
            .iter()
            .map(|t| Binding::new(self.circuit(), &t.weights, &t.inputs).with_filled(&self.plan, cache))
            .collect();
        let ChunkScratch { phi, lambda, back, one, coeffs, .. } = scratch;
        let n = self.num_qubits();
        phi.reset(n, tapes.len(), false);
        lambda.reset(n, tapes.len(), false);
        one.resize(1 << n, ZERO);
        for (s, tape) in tapes.iter().enumerate() {
            phi.write(s, &tape.state);
            self.readout.lambda_of(&tape.state, upstream(s), one, coeffs);
            lambda.write(s, one);
        }
        let records: Vec<&[Mat2x2]> = tapes.iter().map(|t| &t.members[..]).collect();
        self.plan.backward_columns(&bindings, phi, lambda, &records, weights, Some(inputs), back);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;
    use crate::grad::Outputs;
    use crate::quantum::{Circuit, Param};

    /// A chunk's sweep takes its tapes' parameters as recorded (checked then), and still refuses a tape that
    /// recorded no pass, naming the missing weights.
    #[test]
    fn a_tape_that_recorded_no_pass_is_refused() {
        let mut c = Circuit::new(2).unwrap();
        c.rx(0, Param::input(0)).unwrap().ry(0, Param::weight(0)).unwrap().ry(1, Param::weight(1)).unwrap();
        let f = QuantumFunction::new(c, Outputs::Probabilities).unwrap();
        let weights = [0.3, -0.2];
        let mut cache = Lowered::default();
        f.lower_weights(&weights, &mut cache).unwrap();
        assert!(f.runs_chunks(&weights, &cache));
        let mut tapes = vec![f.tape().unwrap(), f.tape().unwrap()];
        let inputs = [[0.5], [-1.0]];
        let mut scratch = ChunkScratch::default();
        f.forward_chunk(&weights, |s| &inputs[s][..], &mut tapes, &cache, &mut scratch).unwrap();
        let upstream = [1.0, 0.0, -1.0, 0.5];
        let (mut w, mut x) = (vec![0.0; 2], vec![0.0; 2]);
        f.backward_chunk(&tapes, |_| &upstream[..], &mut w, &mut x, &cache, &mut scratch).unwrap();
        assert!(w.iter().chain(&x).any(|g| *g != 0.0), "the recorded tapes sweep back");
        tapes[1] = f.tape().unwrap();
        let refused = f.backward_chunk(&tapes, |_| &upstream[..], &mut w, &mut x, &cache, &mut scratch);
        assert!(matches!(refused, Err(Error::ParameterCount { .. })), "{refused:?}");
    }
}
