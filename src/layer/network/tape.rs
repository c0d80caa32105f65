//! Record a batch now, differentiate it later: the [`BatchTape`] of a network's batched forward pass and the
//! backward sweep that reads it, for losses (a CRF) that need every output of the batch before any upstream
//! gradient is known.

use super::passes::SampleRecord;
use super::QuantumNetwork;
use crate::bounded;
use crate::error::{Error, Result};
use crate::grad::chunk::ChunkScratch;
use crate::grad::function::check_len;
use crate::grad::Tape;
use crate::layer::batch::{self, CHUNK};
use crate::layer::gradients::LayerGradients;
use crate::quantum::engine::Lowered;

/// The record of a [`QuantumNetwork`]'s forward pass over a batch: the inputs, the outputs, and for each sample
/// tanh(L₁x) (the angles over π) and the quantum layer's [`Tape`] (its final state among them), so that
/// [`QuantumNetwork::backward_recorded`] sweeps back without running any sample's circuit forward again.
///
/// Made empty by [`new`](Self::new) (or `default`) and filled by [`QuantumNetwork::record_batch`], which reuses
/// its buffers: a tape kept across training steps allocates nothing once it has held a batch as large.
///
/// # Memory
/// Per sample: one state of 2^n amplitudes (16·2^n bytes: 1 KiB for 6 qubits); one 2x2 matrix (64 bytes) per
/// gate of each fused run of one-qubit gates with weights or inputs in the quantum layer's plan, and one more
/// for the run's product when it has two gates or more; and 8 bytes per input, output, angle, weight and
/// readout value; beside that, a copy of the network's parameters, and one lowering of the quantum layer's
/// gates that read only weights, which every sample shares. [`bytes`](Self::bytes) tells what it holds now.
///
/// # Example
///
/// ```
/// use qnet::prelude::*;
///
/// # fn main() -> qnet::Result<()> {
/// let net = QuantumNetwork::new(3, 2, 2, 1)?;
/// let xs = [0.1, 0.2, 0.3, -0.3, 0.0, 0.9];
/// let mut tape = BatchTape::new();
/// net.record_batch(&xs, &mut tape)?; // each sample's circuit runs forward once
/// assert_eq!(tape.len(), 2);
/// assert_eq!(tape.outputs(), &net.forward_batch(&xs)?[..]);
///
/// // The upstream gradient is known only now (here: a loss over the whole batch, Σ y²/2).
/// let upstream = tape.outputs().to_vec();
/// let grads = net.backward_recorded(&tape, &upstream)?;
/// let expected = net.backward_batch(&xs, &upstream)?;
/// assert!(grads.params.iter().zip(&expected.params).all(|(a, b)| (a - b).abs() < 1e-12));
/// assert!(tape.bytes() > 2 * 16 * 4); // at least two states of 2² amplitudes
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Default)]
pub struct BatchTape {
    /// The number of samples recorded.
    len: usize,
    /// The network's parameters at the recording, in the order of `params`.
    params: Vec<f64>,
    inputs: Vec<f64>,
    /// tanh(L₁x), one row per sample.
    hidden: Vec<f64>,
    outputs: Vec<f64>,
    /// One tape per sample; those past `len` are kept for reuse.
    pub(super) samples: Vec<Tape>,
    /// The weight-only lowering of the quantum layer at the recorded weights, shared by every sample.
    lowered: Lowered,
}

impl BatchTape {
    /// An empty tape, to be filled by [`QuantumNetwork::record_batch`].
    #[must_use]
    pub fn new() -> Self {
        BatchTape::default()
    }

    /// The number of samples recorded.
    #[must_use]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no sample is recorded.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The outputs y of the recorded batch, output_dim values per sample.
    #[must_use]
    pub fn outputs(&self) -> &[f64] {
        &self.outputs
    }

    /// The bytes its buffers hold now, the per-sample tapes kept for reuse included.
    #[must_use]
    pub fn bytes(&self) -> usize {
        let floats = self.params.capacity() + self.inputs.capacity() + self.hidden.capacity() + self.outputs.capacity();
        size_of::<f64>() * floats
            + size_of::<Tape>() * self.samples.capacity()
            + self.samples.iter().map(Tape::bytes).sum::<usize>()
            + self.lowered.bytes()
    }
}

/// One chunk of a recording: its first sample, its tapes and its rows of tanh(L₁x) and of the outputs.
type ChunkJob<'a> = (usize, &'a mut [Tape], &'a mut [f64], &'a mut [f64]);

impl QuantumNetwork {
    /// Runs the network forward over a batch (`xs`: input_dim values per sample) and records the pass into
    /// `tape` for [`backward_recorded`](Self::backward_recorded): each sample's circuit runs once. The outputs
    /// are in [`BatchTape::outputs`]. Parallel over samples (feature `parallel`), bit-identical for any thread
    /// count; reuses the tape's buffers.
    ///
    /// # Errors
    /// As [`forward_batch`](Self::forward_batch). On an error the tape holds no batch.
    pub fn record_batch(&self, xs: &[f64], tape: &mut BatchTape) -> Result<()> {
        let recorded = self.record_into(xs, tape);
        if recorded.is_err() {
            tape.len = 0;
            for v in [&mut tape.params, &mut tape.inputs, &mut tape.hidden, &mut tape.outputs] {
                v.clear();
            }
        }
        recorded
    }

    fn record_into(&self, xs: &[f64], tape: &mut BatchTape) -> Result<()> {
        let b = self.batch_size(xs)?;
        let (n, o) = (self.quantum.num_inputs(), self.output_dim());
        let f = self.quantum.function();
        let fits = |t: &Tape| t.state().len() == 1 << f.num_qubits() && t.values().len() == f.num_outputs();
        if !tape.samples.iter().all(fits) {
            tape.samples.clear();
        }
        if tape.samples.len() < b {
            let more = b - tape.samples.len();
            tape.samples
                .try_reserve_exact(more)
                .map_err(|_| Error::TooLarge { what: "batch tape", elements: more as u128 })?;
            while tape.samples.len() < b {
                tape.samples.push(f.tape()?);
            }
        }
        tape.params.clear();
        tape.params.extend_from_slice(&self.params);
        tape.inputs.clear();
        tape.inputs.extend_from_slice(xs);
        tape.hidden.resize(bounded::product("batch of hidden values", b, n)?, 0.0);
        tape.outputs.resize(bounded::product("batch of network outputs", b, o)?, 0.0);
        let d = self.input_dim();
        self.lower_weights(&mut tape.lowered)?;
        let lowered = &tape.lowered;
        let side_by_side = self.side_by_side(lowered);
        let jobs: Vec<ChunkJob<'_>> = tape.samples[..b]
            .chunks_mut(CHUNK)
            .zip(tape.hidden.chunks_mut(CHUNK * n))
            .zip(tape.outputs.chunks_mut(CHUNK * o))
            .enumerate()
            .map(|(c, ((t, z), y))| (c * CHUNK, t, z, y))
            .collect();
        let chunk = |scratch: &mut ChunkScratch, (first, tapes, z, y): ChunkJob<'_>| -> Result<()> {
            if side_by_side {
                let xs = &xs[first * d..(first + tapes.len()) * d];
                return self.record_chunk(xs, z, tapes, y, lowered, scratch);
            }
            let (mut angles, mut amps) = (vec![0.0; n], Vec::new());
            for (k, t) in tapes.iter_mut().enumerate() {
                let (x, y) = (&xs[(first + k) * d..(first + k + 1) * d], &mut y[k * o..(k + 1) * o]);
                self.record_one(x, &mut z[k * n..(k + 1) * n], &mut angles, t, y, lowered, &mut amps)?;
            }
            Ok(())
        };
        #[cfg(feature = "parallel")]
        {
            use rayon::prelude::*;
            jobs.into_par_iter().map_init(ChunkScratch::default, chunk).collect::<Result<()>>()?;
        }
        #[cfg(not(feature = "parallel"))]
        {
            let mut scratch = ChunkScratch::default();
            jobs.into_iter().try_for_each(|job| chunk(&mut scratch, job))?;
        }
        tape.len = b;
        Ok(())
    }

    /// [`record_batch`](Self::record_batch) into a new tape.
    ///
    /// # Errors
    /// As [`record_batch`](Self::record_batch).
    pub fn forward_batch_recorded(&self, xs: &[f64]) -> Result<BatchTape> {
        let mut tape = BatchTape::new();
        self.record_batch(xs, &mut tape)?;
        Ok(tape)
    }

    /// The backward pass of a recorded batch for upstream gradients `upstream` (output_dim values per
    /// sample): the input gradients per sample and the parameter gradient summed over the batch, as
    /// [`backward_batch`](Self::backward_batch) gives them, but sweeping back from the tape: with the adjoint
    /// method no sample's circuit runs forward again. Parallel over samples (feature `parallel`), partial sums
    /// per fixed chunk of samples added in order: bit-identical for any thread count.
    ///
    /// # Errors
    /// [`Error::DimensionMismatch`] when `upstream` does not hold output_dim values per recorded sample or the
    /// tape was recorded by a network of another shape; [`Error::CorruptData`] when the network's parameters
    /// changed since the recording (record the batch again); [`Error::TooLarge`] when the input gradients
    /// cannot be allocated.
    pub fn backward_recorded(&self, tape: &BatchTape, upstream: &[f64]) -> Result<LayerGradients> {
        let (b, d, o, n) = (tape.len, self.input_dim(), self.output_dim(), self.quantum.num_inputs());
        check_len("batch tape parameters", self.num_params(), tape.params.len())?;
        check_len("batch tape inputs", b * d, tape.inputs.len())?;
        check_len("batch tape hidden values", b * n, tape.hidden.len())?;
        check_len("batch of upstream gradients", b * o, upstream.len())?;
        if !self.params.iter().map(|v| v.to_bits()).eq(tape.params.iter().map(|v| v.to_bits())) {
            return Err(Error::CorruptData {
                what: "batch tape",
                reason: "the network's parameters changed since the batch was recorded".to_string(),
            });
        }
        let mut xg = bounded::filled("batch of input gradients", b * d, 0.0)?;
        let side_by_side = self.side_by_side(&tape.lowered);
        let pg = batch::run(
            b,
            &mut xg,
            d,
            &mut [],
            0,
            self.num_params(),
            || self.sweep(),
            |s, range, rows, pg| {
                if side_by_side {
                    let (xs, z) =
                        (&tape.inputs[range.start * d..range.end * d], &tape.hidden[range.start * n..range.end * n]);
                    let (tapes, g) = (&tape.samples[range.clone()], &upstream[range.start * o..range.end * o]);
                    return self.sweep_chunk(xs, z, tapes, g, s, rows.a, pg, &tape.lowered);
                }
                for (k, i) in range.enumerate() {
                    let record = SampleRecord {
                        x: &tape.inputs[i * d..(i + 1) * d],
                        t: &tape.hidden[i * n..(i + 1) * n],
                        tape: &tape.samples[i],
                        lowered: &tape.lowered,
                    };
                    self.sweep_one(record, &upstream[i * o..(i + 1) * o], s, &mut rows.a[k * d..(k + 1) * d], pg)?;
                }
                Ok(())
            },
        )?;
        Ok(LayerGradients { inputs: xg, params: pg })
    }
}
