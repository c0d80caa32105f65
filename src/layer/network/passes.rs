//! One sample's passes: the forward pass, the recorded forward pass, and the backward sweep from a record.

use super::QuantumNetwork;
use crate::error::{Error, Result};
use crate::grad::chunk::ChunkScratch;
use crate::grad::function::check_len;
use crate::grad::{DiffMethod, Gradients, Tape, Workspace};
use crate::quantum::engine::Lowered;
use num_complex::Complex64 as C;

/// Per-chunk buffers of the network's passes.
pub(super) struct Scratch {
    pub(super) sweep: Sweep,
    pub(super) tape: Tape,
    pub(super) t: Vec<f64>,
    pub(super) angles: Vec<f64>,
    q: Vec<f64>,
    pub(super) gy: Vec<f64>,
    /// The recorded passes' scratch for permutation runs.
    pub(super) amps: Vec<C>,
    /// A chunk side by side: a tape per sample, and t = tanh L₁x and the upstream gradients one row per sample.
    tapes: Vec<Tape>,
    ts: Vec<f64>,
    gs: Vec<f64>,
}

/// Per-chunk buffers of the backward sweep: the quantum layer's workspace and the gradients at its outputs
/// and inputs.
pub(super) struct Sweep {
    pub(super) ws: Workspace,
    gq: Vec<f64>,
    ga: Vec<f64>,
    /// A chunk's samples side by side (see [`QuantumNetwork::sweep_chunk`]): the sweep's buffers, and g_q and g_a
    /// one row per sample.
    pub(super) chunk: ChunkScratch,
    gq_rows: Vec<f64>,
    ga_rows: Vec<f64>,
}

/// One sample's record of a forward pass: its input x, t = tanh z of the pre-activation z = L₁x, the quantum
/// layer's tape (angles π·t, weights, final state and readout q) and the batch's weight-only lowering.
pub(super) struct SampleRecord<'a> {
    pub(super) x: &'a [f64],
    pub(super) t: &'a [f64],
    pub(super) tape: &'a Tape,
    pub(super) lowered: &'a Lowered,
}

#[cfg(test)]
thread_local! {
    /// Set, the batched passes on this thread run every sample alone (the reference their chunks side by side
    /// are tested against).
    pub(super) static ONE_BY_ONE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// The gradient g_a at the angles a = π·t, t = tanh z, made g_z: ∂a/∂z = π(1 − t²), from the recorded t.
fn through_encoding(ga: &mut [f64], t: &[f64]) {
    for (ga, t) in ga.iter_mut().zip(t) {
        *ga *= std::f64::consts::PI * (1.0 - t * t);
    }
}

impl QuantumNetwork {
    pub(super) fn scratch(&self) -> Result<Scratch> {
        let (n, m) = (self.quantum.num_inputs(), self.quantum.num_outputs());
        Ok(Scratch {
            sweep: self.sweep()?,
            tape: self.quantum.function().tape()?,
            t: vec![0.0; n],
            angles: vec![0.0; n],
            q: vec![0.0; m],
            gy: vec![0.0; self.output_dim()],
            amps: Vec::new(),
            tapes: Vec::new(),
            ts: Vec::new(),
            gs: Vec::new(),
        })
    }

    pub(super) fn sweep(&self) -> Result<Sweep> {
        let (n, m) = (self.quantum.num_inputs(), self.quantum.num_outputs());
        let ws = self.quantum.function().workspace()?;
        let chunk = ChunkScratch::default();
        Ok(Sweep { ws, gq: vec![0.0; m], ga: vec![0.0; n], chunk, gq_rows: Vec::new(), ga_rows: Vec::new() })
    }

    fn check_input(&self, x: &[f64]) -> Result<()> {
        check_len("network input", self.input_dim(), x.len())?;
        if let Some((index, &value)) = x.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(Error::non_finite_parameter(crate::error::ParamKind::Input, index, value));
        }
        Ok(())
    }

    /// t = tanh z of the pre-activation z = L₁x into `t`, and the angles a = π·t.
    pub(super) fn encode(&self, x: &[f64], t: &mut [f64], angles: &mut [f64]) -> Result<()> {
        self.check_input(x)?;
        self.input.forward_into(self.parts().0, x, t)?;
        for (a, t) in angles.iter_mut().zip(t.iter_mut()) {
            *t = t.tanh();
            *a = std::f64::consts::PI * *t;
        }
        Ok(())
    }

    /// The quantum layer's weight-only lowering at the network's weights, filled into `cache` once per batch for
    /// all its samples to read.
    pub(super) fn lower_weights(&self, cache: &mut Lowered) -> Result<()> {
        self.quantum.function().lower_weights(self.parts().1, cache)
    }

    /// One sample's forward pass, the weight-only gates read from `lowered` (see
    /// [`lower_weights`](Self::lower_weights)).
    pub(super) fn forward_one(&self, x: &[f64], s: &mut Scratch, out: &mut [f64], lowered: &Lowered) -> Result<()> {
        self.encode(x, &mut s.t, &mut s.angles)?;
        let (_, weights, l2) = self.parts();
        let f = self.quantum.function();
        f.evaluate_into_shared(weights, &s.angles, &mut s.sweep.ws, &mut s.q, Some(lowered))?;
        self.output.forward_into(l2, &s.q, out)
    }

    /// One sample's forward pass, recorded for [`sweep_one`](Self::sweep_one): t = tanh L₁x into `t`, the quantum
    /// layer's pass into `tape` (its circuit runs once, its weight-only gates read from `lowered`, `amps` its
    /// scratch for permutation runs), y into `out`.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn record_one(
        &self,
        x: &[f64],
        t: &mut [f64],
        angles: &mut [f64],
        tape: &mut Tape,
        out: &mut [f64],
        lowered: &Lowered,
        amps: &mut Vec<C>,
    ) -> Result<()> {
        self.encode(x, t, angles)?;
        let (_, weights, l2) = self.parts();
        self.quantum.function().forward_into_shared(weights, angles, tape, lowered, amps)?;
        self.output.forward_into(l2, tape.values(), out)
    }

    /// One sample's backward sweep from its record, for the upstream gradient g = ∂L/∂y: ∂(gᵀy)/∂x into
    /// `xg`, ∂(gᵀy)/∂θ added to `pg`. With the adjoint method no circuit runs forward again.
    pub(super) fn sweep_one(
        &self,
        record: SampleRecord<'_>,
        g: &[f64],
        s: &mut Sweep,
        xg: &mut [f64],
        pg: &mut [f64],
    ) -> Result<()> {
        let (l1, _, l2) = self.parts();
        let (p1, rest) = pg.split_at_mut(self.input.num_params());
        let (pw, p2) = rest.split_at_mut(self.quantum.num_weights());
        // g_q = L₂ᵀg, and L₂'s own gradient.
        self.output.backward_into(l2, record.tape.values(), g, &mut s.gq, p2)?;
        s.ga.fill(0.0);
        let grads = Gradients { weights: pw, inputs: Some(&mut s.ga) };
        let (f, method) = (self.quantum.function(), self.quantum.diff_method());
        f.backward_by(method, record.tape, &s.gq, &mut s.ws, grads, Some(record.lowered))?;
        through_encoding(&mut s.ga, record.t);
        self.input.backward_into(l1, record.x, &s.ga, xg, p1)
    }

    /// Whether a batch at the network's weights, sharing `lowered` (see [`lower_weights`](Self::lower_weights)),
    /// records and sweeps back its chunks' samples side by side ([`record_chunk`](Self::record_chunk),
    /// [`sweep_chunk`](Self::sweep_chunk)).
    pub(super) fn side_by_side(&self, lowered: &Lowered) -> bool {
        #[cfg(test)]
        if ONE_BY_ONE.with(std::cell::Cell::get) {
            return false;
        }
        self.quantum.diff_method() == DiffMethod::Adjoint
            && self.quantum.function().runs_chunks(self.parts().1, lowered)
    }

    /// [`record_one`](Self::record_one) for a chunk of samples (`xs`: input_dim values each), their quantum
    /// layers side by side: each sample's t = tanh L₁x into its row of `t`, its tape into `tapes`, its y into
    /// its row of `out`. The same records, bit for bit.
    pub(super) fn record_chunk(
        &self,
        xs: &[f64],
        t: &mut [f64],
        tapes: &mut [Tape],
        out: &mut [f64],
        lowered: &Lowered,
        scratch: &mut ChunkScratch,
    ) -> Result<()> {
        let (d, n, o) = (self.input_dim(), self.quantum.num_inputs(), self.output_dim());
        let mut angles = vec![0.0; tapes.len() * n];
        for (x, (t, a)) in xs.chunks_exact(d).zip(t.chunks_exact_mut(n).zip(angles.chunks_exact_mut(n))) {
            self.encode(x, t, a)?;
        }
        let (_, weights, l2) = self.parts();
        self.quantum.function().forward_chunk(weights, |k| &angles[k * n..(k + 1) * n], tapes, lowered, scratch)?;
        self.output.forward_rows(l2, |k| tapes[k].values(), &mut out[..tapes.len() * o])
    }

    /// The forward pass of a chunk of samples side by side (see [`record_chunk`](Self::record_chunk)), each
    /// sample's y into its row of `out`, then, when `upstream_of` is given, the upstream gradient of each
    /// sample (as [`forward_backward_batch`](Self::forward_backward_batch) takes it) and the backward pass: the
    /// input gradients into the rows of `xg`, the parameter gradient added to `pg`.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn step_chunk<U>(
        &self,
        first: usize,
        xs: &[f64],
        s: &mut Scratch,
        out: &mut [f64],
        lowered: &Lowered,
        backward: Option<(&U, &mut [f64], &mut [f64])>,
    ) -> Result<()>
    where
        U: Fn(usize, &[f64], &mut [f64]) -> Result<()>,
    {
        let (d, n, o) = (self.input_dim(), self.quantum.num_inputs(), self.output_dim());
        let samples = xs.len() / d;
        while s.tapes.len() < samples {
            s.tapes.push(self.quantum.function().tape()?);
        }
        s.ts.resize(samples * n, 0.0);
        let tapes = &mut s.tapes[..samples];
        self.record_chunk(xs, &mut s.ts, tapes, out, lowered, &mut s.sweep.chunk)?;
        let Some((upstream_of, xg, pg)) = backward else { return Ok(()) };
        s.gs.resize(samples * o, 0.0);
        for (k, (y, g)) in out.chunks_exact(o).zip(s.gs.chunks_exact_mut(o)).enumerate() {
            upstream_of(first + k, y, g)?;
        }
        self.sweep_chunk(xs, &s.ts, &s.tapes[..samples], &s.gs, &mut s.sweep, xg, pg, lowered)
    }

    /// [`sweep_one`](Self::sweep_one) for a chunk of recorded samples (`xs`, `t` and `tapes` as
    /// [`record_chunk`](Self::record_chunk) left them, `g` the upstream gradients, output_dim each), their
    /// quantum layers side by side: the input gradients into the rows of `xg`, the parameter gradient added to
    /// `pg` as the samples one by one add it, bit for bit.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn sweep_chunk(
        &self,
        xs: &[f64],
        t: &[f64],
        tapes: &[Tape],
        g: &[f64],
        s: &mut Sweep,
        xg: &mut [f64],
        pg: &mut [f64],
        lowered: &Lowered,
    ) -> Result<()> {
        let (d, n, m, o) = (self.input_dim(), self.quantum.num_inputs(), self.quantum.num_outputs(), self.output_dim());
        let (l1, _, l2) = self.parts();
        let (p1, rest) = pg.split_at_mut(self.input.num_params());
        let (pw, p2) = rest.split_at_mut(self.quantum.num_weights());
        let Sweep { chunk, gq_rows: gq, ga_rows: ga, .. } = s;
        gq.resize(tapes.len() * m, 0.0);
        for ((t, g), gq) in tapes.iter().zip(g.chunks_exact(o)).zip(gq.chunks_exact_mut(m)) {
            self.output.backward_into(l2, t.values(), g, gq, p2)?;
        }
        ga.clear();
        ga.resize(tapes.len() * n, 0.0);
        let f = self.quantum.function();
        f.backward_chunk(tapes, |k| &gq[k * m..(k + 1) * m], pw, ga, lowered, chunk)?;
        let rows = xs.chunks_exact(d).zip(t.chunks_exact(n)).zip(ga.chunks_exact_mut(n)).zip(xg.chunks_exact_mut(d));
        for (((x, t), ga), xg) in rows {
            through_encoding(ga, t);
            self.input.backward_into(l1, x, ga, xg, p1)?;
        }
        Ok(())
    }

    /// The output y for one input x.
    ///
    /// # Errors
    /// [`Error::DimensionMismatch`] for an input of the wrong length, [`Error::NonFinite`] for NaN or
    /// ±∞ in it.
    pub fn forward(&self, x: &[f64]) -> Result<Vec<f64>> {
        let mut out = vec![0.0; self.output_dim()];
        let mut lowered = Lowered::default();
        self.lower_weights(&mut lowered)?;
        self.forward_one(x, &mut self.scratch()?, &mut out, &lowered)?;
        Ok(out)
    }

    /// ∂(gᵀy)/∂x and ∂(gᵀy)/∂θ for one input x and the upstream gradient g = ∂L/∂y; θ in the order of
    /// [`params`](Self::params).
    ///
    /// # Errors
    /// As [`forward`](Self::forward); [`Error::DimensionMismatch`] when `upstream` is not of the output length.
    pub fn backward(&self, x: &[f64], upstream: &[f64]) -> Result<crate::layer::LayerGradients> {
        self.check_input(x)?;
        self.backward_batch(x, upstream)
    }
}
