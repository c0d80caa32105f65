//! The adjoint method's full Jacobian: one forward pass kept in a third vector, then one backward sweep of the
//! engine's plan per output.

use nalgebra::DMatrix;

use super::function::{Jacobian, QuantumFunction};
use crate::error::Result;
use crate::quantum::engine::Gradients;

pub(crate) fn jacobian(f: &QuantumFunction, weights: &[f64], inputs: &[f64]) -> Result<Jacobian> {
    let mut ws = f.workspace()?;
    let m = f.num_outputs();
    let mut values = vec![0.0; m];
    let mut recorded = vec![[[num_complex::Complex64::new(0.0, 0.0); 2]; 2]; f.plan.members.len()];
    f.prepare(&mut ws.keep, &mut ws.back.amps, weights, inputs, None, &mut recorded);
    f.readout.values_of(&ws.keep, &mut values);
    let mut jw = DMatrix::zeros(m, weights.len());
    let mut jx = DMatrix::zeros(m, inputs.len());
    let mut upstream = vec![0.0; m];
    let mut wg = vec![0.0; weights.len()];
    let mut xg = vec![0.0; inputs.len()];
    for i in 0..m {
        upstream.fill(0.0);
        upstream[i] = 1.0;
        wg.fill(0.0);
        xg.fill(0.0);
        ws.phi.copy_from_slice(&ws.keep);
        f.adjoint_sweep(
            weights,
            inputs,
            &recorded,
            &upstream,
            &mut ws,
            Gradients { weights: &mut wg, inputs: Some(&mut xg) },
        );
        jw.row_mut(i).iter_mut().zip(&wg).for_each(|(o, v)| *o = *v);
        jx.row_mut(i).iter_mut().zip(&xg).for_each(|(o, v)| *o = *v);
    }
    Ok(Jacobian { values, weights: jw, inputs: jx })
}
