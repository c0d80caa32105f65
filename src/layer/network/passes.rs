//! One sample's passes: the forward pass, the recorded forward pass, and the backward sweep from a record.

use super::QuantumNetwork;
use crate::error::{Error, Result};
use crate::grad::function::check_len;
use crate::grad::{Gradients, Tape, Workspace};
use crate::quantum::engine::Lowered;
use num_complex::Complex64 as C;

/// Per-chunk buffers of the network's passes.
pub(super) struct Scratch {
    pub(super) sweep: Sweep,
    pub(super) tape: Tape,
    pub(super) z: Vec<f64>,
    pub(super) angles: Vec<f64>,
    q: Vec<f64>,
    pub(super) gy: Vec<f64>,
    /// The recorded passes' scratch for permutation runs.
    pub(super) amps: Vec<C>,
}

/// Per-chunk buffers of the backward sweep: the quantum layer's workspace and the gradients at its outputs
/// and inputs.
pub(super) struct Sweep {
    pub(super) ws: Workspace,
    gq: Vec<f64>,
    ga: Vec<f64>,
}

/// One sample's record of a forward pass: its input x, the pre-activation z = L₁x, the quantum layer's tape
/// (angles π·tanh z, weights, final state and readout q) and the batch's weight-only lowering.
pub(super) struct SampleRecord<'a> {
    pub(super) x: &'a [f64],
    pub(super) z: &'a [f64],
    pub(super) tape: &'a Tape,
    pub(super) lowered: &'a Lowered,
}

impl QuantumNetwork {
    pub(super) fn scratch(&self) -> Result<Scratch> {
        let (n, m) = (self.quantum.num_inputs(), self.quantum.num_outputs());
        Ok(Scratch {
            sweep: self.sweep()?,
            tape: self.quantum.function().tape()?,
            z: vec![0.0; n],
            angles: vec![0.0; n],
            q: vec![0.0; m],
            gy: vec![0.0; self.output_dim()],
            amps: Vec::new(),
        })
    }

    pub(super) fn sweep(&self) -> Result<Sweep> {
        let (n, m) = (self.quantum.num_inputs(), self.quantum.num_outputs());
        Ok(Sweep { ws: self.quantum.function().workspace()?, gq: vec![0.0; m], ga: vec![0.0; n] })
    }

    fn check_input(&self, x: &[f64]) -> Result<()> {
        check_len("network input", self.input_dim(), x.len())?;
        if let Some((index, &value)) = x.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(Error::non_finite_parameter(crate::error::ParamKind::Input, index, value));
        }
        Ok(())
    }

    /// z = L₁x and the angles a = π·tanh z.
    fn encode(&self, x: &[f64], z: &mut [f64], angles: &mut [f64]) -> Result<()> {
        self.check_input(x)?;
        self.input.forward_into(self.parts().0, x, z)?;
        for (a, z) in angles.iter_mut().zip(z.iter()) {
            *a = std::f64::consts::PI * z.tanh();
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
        self.encode(x, &mut s.z, &mut s.angles)?;
        let (_, weights, l2) = self.parts();
        let f = self.quantum.function();
        f.evaluate_into_shared(weights, &s.angles, &mut s.sweep.ws, &mut s.q, Some(lowered))?;
        self.output.forward_into(l2, &s.q, out)
    }

    /// One sample's forward pass, recorded for [`sweep_one`](Self::sweep_one): z = L₁x into `z`, the quantum
    /// layer's pass into `tape` (its circuit runs once, its weight-only gates read from `lowered`, `amps` its
    /// scratch for permutation runs), y into `out`.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn record_one(
        &self,
        x: &[f64],
        z: &mut [f64],
        angles: &mut [f64],
        tape: &mut Tape,
        out: &mut [f64],
        lowered: &Lowered,
        amps: &mut Vec<C>,
    ) -> Result<()> {
        self.encode(x, z, angles)?;
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
        // Through π·tanh: ∂a/∂z = π(1 − tanh²z); `ga` becomes g_z.
        for (ga, z) in s.ga.iter_mut().zip(record.z) {
            let t = z.tanh();
            *ga *= std::f64::consts::PI * (1.0 - t * t);
        }
        self.input.backward_into(l1, record.x, &s.ga, xg, p1)
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
