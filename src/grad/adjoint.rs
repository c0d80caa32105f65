//! The adjoint method: one forward pass, then one backward sweep that un-applies each gate from the state
//! φ = ψ_k and from λ = (U_{k+1}⋯U_N)†·A·ψ_N, reading ∂f/∂θ = 2·Re⟨λ|(∂U_k/∂θ)U_k†|φ⟩ on the way.

use nalgebra::DMatrix;
use num_complex::Complex64 as C;

use super::function::{Jacobian, QuantumFunction};
use crate::error::{ParamKind, Result};
use crate::quantum::blocked;
use crate::quantum::derivative::backward_step;
use crate::quantum::pairs::{back_two, Rot};
use crate::quantum::Instruction;

/// Which of an instruction's angle slots need a derivative.
fn wanted(inst: &Instruction, want_inputs: bool) -> [bool; 3] {
    let mut wanted = [false; 3];
    for (slot, p) in inst.gate().params().iter().enumerate() {
        wanted[slot] = match p.source() {
            Some((ParamKind::Weight, _, _)) => true,
            Some((ParamKind::Input, _, _)) => want_inputs,
            None => false,
        };
    }
    wanted
}

/// The backward sweep from φ = ψ_N and λ = Aψ_N, adding ∂⟨A⟩/∂w to `weight_grads` and, when given, ∂⟨A⟩/∂x
/// to `input_grads`. Stops after the first instruction that needs a derivative. φ and λ are consumed.
#[allow(clippy::too_many_arguments)]
pub(crate) fn sweep(
    f: &QuantumFunction,
    weights: &[f64],
    inputs: &[f64],
    phi: &mut [C],
    lambda: &mut [C],
    partials: &mut Vec<f64>,
    weight_grads: &mut [f64],
    mut input_grads: Option<&mut [f64]>,
) {
    let want_inputs = input_grads.is_some();
    let instructions = f.circuit().instructions();
    let Some(first) = instructions.iter().position(|inst| wanted(inst, want_inputs).iter().any(|&w| w)) else {
        return;
    };
    let mut add = |inst: &Instruction, d: [f64; 3]| {
        let wanted = wanted(inst, want_inputs);
        for (slot, p) in inst.gate().params().iter().enumerate() {
            if !wanted[slot] {
                continue;
            }
            match p.source() {
                Some((ParamKind::Weight, index, scale)) => weight_grads[index] += scale * d[slot],
                Some((ParamKind::Input, index, scale)) => {
                    if let Some(xg) = input_grads.as_deref_mut() {
                        xg[index] += scale * d[slot];
                    }
                }
                None => {}
            }
        }
    };
    // Instructions first..end remain, processed from the last.
    let blocking = phi.len() > 1 << blocked::BLOCK_BITS;
    let mut end = instructions.len();
    while end > first {
        let inst = &instructions[end - 1];
        // A run of gates on low qubits goes block by block (cache blocking).
        if blocking && blocked::blockable(inst) {
            let mut steps = [blocked::Step::Flip(0, 0); blocked::MAX_RUN];
            let mut members = [0usize; 2 * blocked::MAX_RUN];
            let (mut count, mut num_sums, mut j) = (0, 0, end);
            while j > first && count < blocked::MAX_RUN && blocked::blockable(&instructions[j - 1]) {
                let later = &instructions[j - 1];
                steps[count] = match Rot::of(later, later.angles(weights, inputs)[0], true) {
                    Some((q, a)) => {
                        let earlier = (j - 1 > first).then(|| &instructions[j - 2]).filter(|e| blocked::blockable(e));
                        match earlier.and_then(|e| Rot::of(e, e.angles(weights, inputs)[0], true)) {
                            Some((q2, b)) if q2 == q => {
                                members[num_sums] = j - 1;
                                members[num_sums + 1] = j - 2;
                                num_sums += 2;
                                j -= 2;
                                blocked::Step::Two(q, a, b)
                            }
                            _ => {
                                members[num_sums] = j - 1;
                                num_sums += 1;
                                j -= 1;
                                blocked::Step::One(q, a)
                            }
                        }
                    }
                    None => {
                        j -= 1;
                        blocked::flip_step(later)
                    }
                };
                count += 1;
            }
            if count >= 2 {
                let mut sums = [0.0; 2 * blocked::MAX_RUN];
                blocked::backward(phi, lambda, &steps[..count], &mut sums, partials);
                for (&at, &d) in members[..num_sums].iter().zip(&sums[..num_sums]) {
                    add(&instructions[at], [d, 0.0, 0.0]);
                }
                end = j;
                continue;
            }
        }
        // Two uncontrolled rotations in a row on one qubit go in one pass over φ and λ.
        if end - first >= 2 {
            let earlier = &instructions[end - 2];
            if let (Some(q), Some(q2)) = (Rot::target_of(inst), Rot::target_of(earlier)) {
                if q == q2 {
                    let later_rot = Rot::of(inst, inst.angles(weights, inputs)[0], true);
                    let earlier_rot = Rot::of(earlier, earlier.angles(weights, inputs)[0], true);
                    if let (Some((_, a)), Some((_, b))) = (later_rot, earlier_rot) {
                        let [d_later, d_earlier] = back_two(phi, lambda, q, a, b);
                        add(inst, [d_later, 0.0, 0.0]);
                        add(earlier, [d_earlier, 0.0, 0.0]);
                        end -= 2;
                        continue;
                    }
                }
            }
        }
        let d = backward_step(phi, lambda, inst, inst.angles(weights, inputs), wanted(inst, want_inputs));
        add(inst, d);
        end -= 1;
    }
}

/// The full Jacobian: one forward pass kept in a third vector, then one sweep per output.
pub(crate) fn jacobian(f: &QuantumFunction, weights: &[f64], inputs: &[f64]) -> Result<Jacobian> {
    let mut ws = f.workspace()?;
    let m = f.num_outputs();
    let mut values = vec![0.0; m];
    f.prepare(&mut ws.keep, weights, inputs, None);
    f.values_of(&ws.keep, &mut values);
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
        f.lambda_of(&ws.phi, &upstream, &mut ws.lambda, &mut ws.coeffs);
        sweep(f, weights, inputs, &mut ws.phi, &mut ws.lambda, &mut ws.partials, &mut wg, Some(&mut xg));
        jw.row_mut(i).iter_mut().zip(&wg).for_each(|(o, v)| *o = *v);
        jx.row_mut(i).iter_mut().zip(&xg).for_each(|(o, v)| *o = *v);
    }
    Ok(Jacobian { values, weights: jw, inputs: jx })
}
