//! Central finite differences on every weight and input, for checking the exact methods.

use nalgebra::DMatrix;

use super::function::{Jacobian, Lowering, QuantumFunction};
use crate::error::Result;

/// ∂f/∂p ≈ [f(p + h) − f(p − h)]/(2h) for every weight and every input p.
pub(crate) fn jacobian(f: &QuantumFunction, weights: &[f64], inputs: &[f64], step: f64) -> Result<Jacobian> {
    let mut ws = f.workspace()?;
    let m = f.num_outputs();
    let mut values = vec![0.0; m];
    let (mut plus, mut minus) = (vec![0.0; m], vec![0.0; m]);
    f.prepare(&mut ws.phi, &mut ws.back.amps, weights, inputs, Lowering::Plain, &mut []);
    f.readout.values_of(&ws.phi, &mut values);
    // The weights and the inputs, one entry of one of them shifted at a time.
    let mut params = [weights.to_vec(), inputs.to_vec()];
    let mut jw = DMatrix::zeros(m, weights.len());
    let mut jx = DMatrix::zeros(m, inputs.len());
    for (v, jac) in [(0, &mut jw), (1, &mut jx)] {
        for j in 0..params[v].len() {
            let original = params[v][j];
            for (delta, out) in [(step, &mut plus), (-step, &mut minus)] {
                params[v][j] = original + delta;
                f.prepare(&mut ws.phi, &mut ws.back.amps, &params[0], &params[1], Lowering::Plain, &mut []);
                f.readout.values_of(&ws.phi, out);
            }
            params[v][j] = original;
            for i in 0..m {
                jac[(i, j)] = (plus[i] - minus[i]) / (2.0 * step);
            }
        }
    }
    Ok(Jacobian { values, weights: jw, inputs: jx })
}
