//! One sample's passes: the forward pass, and the forward pass with the vector-Jacobian product.

use super::QuantumNetwork;
use crate::error::{Error, Result};
use crate::grad::function::check_len;
use crate::grad::{DiffMethod, Gradients, Tape, Workspace};
use crate::layer::gradients::LayerGradients;

/// Per-chunk buffers of the network's passes.
pub(super) struct Scratch {
    ws: Workspace,
    tape: Tape,
    z: Vec<f64>,
    angles: Vec<f64>,
    q: Vec<f64>,
    gq: Vec<f64>,
    ga: Vec<f64>,
    y: Vec<f64>,
    gy: Vec<f64>,
}

impl QuantumNetwork {
    pub(super) fn scratch(&self) -> Result<Scratch> {
        let (n, m) = (self.quantum.num_inputs(), self.quantum.num_outputs());
        Ok(Scratch {
            ws: self.quantum.function().workspace()?,
            tape: self.quantum.function().tape()?,
            z: vec![0.0; n],
            angles: vec![0.0; n],
            q: vec![0.0; m],
            gq: vec![0.0; m],
            ga: vec![0.0; n],
            y: vec![0.0; self.output_dim()],
            gy: vec![0.0; self.output_dim()],
        })
    }

    fn check_input(&self, x: &[f64]) -> Result<()> {
        check_len("network input", self.input_dim(), x.len())?;
        if let Some((index, &value)) = x.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(Error::non_finite_parameter(crate::error::ParamKind::Input, index, value));
        }
        Ok(())
    }

    /// Angles a = π·tanh(L₁x) into the scratch.
    fn encode(&self, x: &[f64], s: &mut Scratch) -> Result<()> {
        self.check_input(x)?;
        self.input.forward_into(x, &mut s.z)?;
        for (a, z) in s.angles.iter_mut().zip(&s.z) {
            *a = std::f64::consts::PI * z.tanh();
        }
        Ok(())
    }

    pub(super) fn forward_one(&self, x: &[f64], s: &mut Scratch, out: &mut [f64]) -> Result<()> {
        self.encode(x, s)?;
        self.quantum.function().evaluate_into(&self.weights, &s.angles, &mut s.ws, &mut s.q)?;
        self.output.forward_into(&s.q, out)
    }

    /// One sample's forward pass and VJP: y written into `out`, the upstream gradient g = `upstream_of(y)`
    /// into `s.gy`, ∂(gᵀy)/∂x into `xg`, ∂(gᵀy)/∂θ added to `pg`. With the adjoint method the quantum state of
    /// the forward pass serves the backward sweep: one forward pass per sample.
    pub(super) fn step_one<U>(
        &self,
        x: &[f64],
        s: &mut Scratch,
        out: &mut [f64],
        upstream_of: U,
        xg: &mut [f64],
        pg: &mut [f64],
    ) -> Result<()>
    where
        U: FnOnce(&[f64], &mut [f64]) -> Result<()>,
    {
        self.encode(x, s)?;
        let f = self.quantum.function();
        let method = self.quantum.diff_method();
        f.forward_into(&self.weights, &s.angles, &mut s.tape)?;
        s.q.copy_from_slice(s.tape.values());
        self.output.forward_into(&s.q, out)?;
        upstream_of(out, &mut s.gy)?;
        let g = &s.gy;
        let (p1, rest) = pg.split_at_mut(self.input.num_params());
        let (pw, p2) = rest.split_at_mut(self.weights.len());
        // g_q = L₂ᵀ g.
        let w2 = self.output.weight();
        for (c, gq) in s.gq.iter_mut().enumerate() {
            *gq = (0..w2.nrows()).map(|r| w2[(r, c)] * g[r]).sum();
        }
        s.ga.fill(0.0);
        let grads = Gradients { weights: pw, inputs: Some(&mut s.ga) };
        if method == DiffMethod::Adjoint {
            // The tape just recorded serves the sweep: no second forward pass.
            f.backward(&s.tape, &s.gq, &mut s.ws, grads)?;
        } else {
            f.vjp_recorded(method, &self.weights, &s.angles, &s.gq, &mut s.ws, &mut s.tape, grads)?;
        }
        let cols = w2.ncols();
        for (r, &gr) in g.iter().enumerate() {
            for (c, &qc) in s.q.iter().enumerate() {
                p2[r * cols + c] += gr * qc;
            }
            p2[w2.len() + r] += gr;
        }
        // Through π·tanh: ∂a/∂z = π(1 − tanh²z); reuse `ga` for g_z.
        for (ga, z) in s.ga.iter_mut().zip(&s.z) {
            let t = z.tanh();
            *ga *= std::f64::consts::PI * (1.0 - t * t);
        }
        self.input.backward_into(x, &s.ga, xg, p1)
    }

    /// Writes ∂(gᵀy)/∂x into `xg` and adds ∂(gᵀy)/∂θ to `pg`.
    pub(super) fn backward_one(
        &self,
        x: &[f64],
        g: &[f64],
        s: &mut Scratch,
        xg: &mut [f64],
        pg: &mut [f64],
    ) -> Result<()> {
        check_len("network upstream gradient", self.output_dim(), g.len())?;
        let mut out = std::mem::take(&mut s.y);
        let r = self.step_one(
            x,
            s,
            &mut out,
            |_, gy| {
                gy.copy_from_slice(g);
                Ok(())
            },
            xg,
            pg,
        );
        s.y = out;
        r
    }

    /// The output y for one input x.
    ///
    /// # Errors
    /// [`Error::DimensionMismatch`] for an input of the wrong length, [`Error::NonFinite`] for NaN or
    /// ±∞ in it.
    pub fn forward(&self, x: &[f64]) -> Result<Vec<f64>> {
        let mut out = vec![0.0; self.output_dim()];
        self.forward_one(x, &mut self.scratch()?, &mut out)?;
        Ok(out)
    }

    /// ∂(gᵀy)/∂x and ∂(gᵀy)/∂θ for one input x and the upstream gradient g = ∂L/∂y; θ in the order of
    /// [`params`](Self::params).
    ///
    /// # Errors
    /// As [`forward`](Self::forward); [`Error::DimensionMismatch`] when `upstream` is not of the output length.
    pub fn backward(&self, x: &[f64], upstream: &[f64]) -> Result<LayerGradients> {
        let mut xg = vec![0.0; self.input_dim()];
        let mut pg = vec![0.0; self.num_params()];
        self.backward_one(x, upstream, &mut self.scratch()?, &mut xg, &mut pg)?;
        Ok(LayerGradients { inputs: xg, params: pg })
    }
}
