//! Parameter-shift rules: ∂f/∂θ from the function at shifted angles, exactly as a device can compute it.

use nalgebra::DMatrix;
use num_complex::Complex64 as C;

use super::function::{Jacobian, Lowering, QuantumFunction};
use crate::error::{ParamKind, Result};
use crate::quantum::engine::AngleShift;
use crate::quantum::ShiftRule;

/// Reads the outputs of a prepared state into a slice, with a scratch state for basis rotations.
pub(crate) type Evaluator<'a> = dyn FnMut(&[C], &mut [f64], &mut Vec<C>) -> Result<()> + 'a;

/// The Jacobian by parameter shift, `eval(state, out, scratch)` reading the outputs of a prepared state (exactly
/// or by sampling).
pub(crate) fn jacobian(
    f: &QuantumFunction,
    weights: &[f64],
    inputs: &[f64],
    eval: &mut Evaluator<'_>,
) -> Result<Jacobian> {
    let mut ws = f.workspace()?;
    let m = f.num_outputs();
    let mut values = vec![0.0; m];
    let mut shifted = vec![0.0; m];
    let mut scratch = Vec::new();
    f.prepare(&mut ws.phi, &mut ws.back.amps, weights, inputs, Lowering::Plain, &mut []);
    eval(&ws.phi, &mut values, &mut scratch)?;
    let mut jw = DMatrix::zeros(m, weights.len());
    let mut jx = DMatrix::zeros(m, inputs.len());
    for (k, inst) in f.circuit().instructions().iter().enumerate() {
        for (slot, p) in inst.gate().params().iter().enumerate() {
            let Some((kind, index, scale)) = p.source() else { continue };
            let target = if kind == ParamKind::Weight { &mut jw } else { &mut jx };
            let rule = inst.gate().slot_shift_rule(slot, !inst.controls().is_empty()).unwrap_or(ShiftRule::TwoTerm);
            for &(delta, coeff) in rule.terms() {
                f.prepare(
                    &mut ws.phi,
                    &mut ws.back.amps,
                    weights,
                    inputs,
                    Lowering::Shifted(AngleShift { instruction: k, slot, delta }),
                    &mut [],
                );
                eval(&ws.phi, &mut shifted, &mut scratch)?;
                for (i, v) in shifted.iter().enumerate() {
                    target[(i, index)] += scale * coeff * v;
                }
            }
        }
    }
    Ok(Jacobian { values, weights: jw, inputs: jx })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grad::{DiffMethod, Outputs};
    use crate::quantum::{Circuit, Observable, Param, PauliString};

    /// The four-term rule is exact for CPhase too (its generator's spectrum {0, −1} is a special case of
    /// {0, ±1/2, ±1} differences), although CPhase uses the cheaper two-term rule; and the two-term rule is not
    /// exact for CRX, which is why CRX takes four terms.
    #[test]
    fn four_term_rule_on_cphase_and_two_term_failure_on_crx() {
        for (gate_is_cphase, theta) in [(true, 0.9), (true, -2.3), (false, 0.9), (false, 2.0)] {
            let mut c = Circuit::new(2).unwrap();
            c.h(0).unwrap().ry(1, 0.7).unwrap().h(1).unwrap();
            if gate_is_cphase {
                c.cphase(0, 1, Param::weight(0)).unwrap();
            } else {
                c.crx(0, 1, Param::weight(0)).unwrap();
            }
            c.h(1).unwrap();
            // ⟨X0⟩ sees the coherence between the control's branches: a cos(θ/2) term for CRX.
            let mut o = Observable::sum_z(2).unwrap();
            o.push(PauliString::parse("IX").unwrap());
            let f = QuantumFunction::new(c, Outputs::Observables(vec![o])).unwrap();
            let exact = f.jacobian(DiffMethod::Adjoint, &[theta], &[]).unwrap().weights[(0, 0)];
            let k = f.circuit().len() - 2;
            let mut ws = f.workspace().unwrap();
            let mut v = [0.0];
            let mut by_rule = |rule: ShiftRule| {
                rule.terms()
                    .iter()
                    .map(|&(delta, coeff)| {
                        f.prepare(
                            &mut ws.phi,
                            &mut ws.back.amps,
                            &[theta],
                            &[],
                            Lowering::Shifted(AngleShift { instruction: k, slot: 0, delta }),
                            &mut [],
                        );
                        f.readout.values_of(&ws.phi, &mut v);
                        coeff * v[0]
                    })
                    .sum::<f64>()
            };
            assert!((by_rule(ShiftRule::FourTerm) - exact).abs() < 1e-12);
            let two = by_rule(ShiftRule::TwoTerm);
            if gate_is_cphase {
                assert!((two - exact).abs() < 1e-12);
            } else {
                assert!((two - exact).abs() > 1e-3, "the two-term rule should fail for CRX");
            }
        }
    }
}
