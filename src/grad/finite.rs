//! Central finite differences on every weight and input, for checking the exact methods.

use nalgebra::DMatrix;

use super::function::{Jacobian, QuantumFunction};
use crate::error::Result;

/// ∂f/∂p ≈ [f(p + h) − f(p − h)]/(2h) for every weight and every input p.
pub(crate) fn jacobian(f: &QuantumFunction, weights: &[f64], inputs: &[f64], step: f64) -> Result<Jacobian> {
    let mut ws = f.workspace()?;
    let m = f.num_outputs();
    let mut values = vec![0.0; m];
    let (mut plus, mut minus) = (vec![0.0; m], vec![0.0; m]);
    f.prepare(&mut ws.phi, &mut ws.back.amps, weights, inputs, None, &mut []);
    f.readout.values_of(&ws.phi, &mut values);
    let (mut w, mut x) = (weights.to_vec(), inputs.to_vec());
    let mut jw = DMatrix::zeros(m, weights.len());
    let mut jx = DMatrix::zeros(m, inputs.len());
    for (vector_is_weights, jac) in [(true, &mut jw), (false, &mut jx)] {
        let len = if vector_is_weights { w.len() } else { x.len() };
        for j in 0..len {
            for (delta, out) in [(step, &mut plus), (-step, &mut minus)] {
                let original = if vector_is_weights { w[j] } else { x[j] };
                if vector_is_weights {
                    w[j] = original + delta;
                } else {
                    x[j] = original + delta;
                }
                f.prepare(&mut ws.phi, &mut ws.back.amps, &w, &x, None, &mut []);
                f.readout.values_of(&ws.phi, out);
                if vector_is_weights {
                    w[j] = original;
                } else {
                    x[j] = original;
                }
            }
            for i in 0..m {
                jac[(i, j)] = (plus[i] - minus[i]) / (2.0 * step);
            }
        }
    }
    Ok(Jacobian { values, weights: jw, inputs: jx })
}
