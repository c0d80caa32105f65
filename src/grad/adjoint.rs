//! The adjoint method's full Jacobian: one recorded forward pass, then one backward sweep from its tape per
//! output.

use nalgebra::DMatrix;

use super::function::{Jacobian, QuantumFunction};
use crate::error::Result;
use crate::quantum::engine::Gradients;

pub(crate) fn jacobian(f: &QuantumFunction, weights: &[f64], inputs: &[f64]) -> Result<Jacobian> {
    // The tape's state and the workspace's two, checked together before the forward pass.
    crate::quantum::state::check_memory(f.num_qubits(), 3)?;
    let tape = f.forward(weights, inputs)?;
    let mut ws = f.workspace()?;
    let m = f.num_outputs();
    let mut jw = DMatrix::zeros(m, weights.len());
    let mut jx = DMatrix::zeros(m, inputs.len());
    let mut upstream = vec![0.0; m];
    let (mut wg, mut xg) = (vec![0.0; weights.len()], vec![0.0; inputs.len()]);
    for i in 0..m {
        upstream[i] = 1.0;
        wg.fill(0.0);
        xg.fill(0.0);
        f.backward(&tape, &upstream, &mut ws, Gradients { weights: &mut wg, inputs: Some(&mut xg) })?;
        upstream[i] = 0.0;
        jw.row_mut(i).copy_from_slice(&wg);
        jx.row_mut(i).copy_from_slice(&xg);
    }
    Ok(Jacobian { values: tape.values().to_vec(), weights: jw, inputs: jx })
}
