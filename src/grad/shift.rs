//! Parameter-shift rules: ∂f/∂θ from the function at shifted angles, exactly as a device can compute it.

use std::f64::consts::FRAC_PI_2;

use nalgebra::DMatrix;
use num_complex::Complex64 as C;

use super::function::{Jacobian, QuantumFunction, FOUR_TERM_COEFFS};
use crate::error::{ParamKind, Result};
use crate::quantum::{Gate, Instruction, ShiftRule};

/// The rule that differentiates slot `slot` of `inst` exactly.
///
/// A generator with eigenvalues {±1/2} (Pauli rotations, U3's θ) needs two terms; extra controls add the
/// eigenvalue 0, which makes it {0, ±1/2} and needs four, as for CRX, CRY, CRZ. A phase generator −|1⟩⟨1|
/// (Phase, CPhase, U3's φ and λ, since U3 = Phase(φ)·RY(θ)·Phase(λ)) has eigenvalues {0, −1} with or without
/// controls: two terms.
pub(crate) fn rule(inst: &Instruction, slot: usize) -> ShiftRule {
    let gate = inst.gate();
    let phase_like = matches!(gate, Gate::Phase(_) | Gate::CPhase(_)) || (matches!(gate, Gate::U3(..)) && slot > 0);
    let base = gate.shift_rule().unwrap_or(ShiftRule::TwoTerm);
    if !inst.controls().is_empty() && !phase_like {
        ShiftRule::FourTerm
    } else {
        base
    }
}

/// (shift, coefficient) pairs of a rule: ∂f/∂θ = Σ c·f(θ + s).
pub(crate) fn terms(rule: ShiftRule) -> &'static [(f64, f64)] {
    const TWO: [(f64, f64); 2] = [(FRAC_PI_2, 0.5), (-FRAC_PI_2, -0.5)];
    const FOUR: [(f64, f64); 4] = [
        (FRAC_PI_2, FOUR_TERM_COEFFS.0),
        (-FRAC_PI_2, -FOUR_TERM_COEFFS.0),
        (3.0 * FRAC_PI_2, -FOUR_TERM_COEFFS.1),
        (-3.0 * FRAC_PI_2, FOUR_TERM_COEFFS.1),
    ];
    match rule {
        ShiftRule::TwoTerm => &TWO,
        ShiftRule::FourTerm => &FOUR,
    }
}

/// Reads the outputs of a prepared state into a slice, with a scratch state for basis rotations.
pub(crate) type Evaluator<'a> = dyn FnMut(&[C], &mut [f64], &mut Vec<C>) + 'a;

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
    f.prepare(&mut ws.phi, weights, inputs, None);
    eval(&ws.phi, &mut values, &mut scratch);
    let mut jw = DMatrix::zeros(m, weights.len());
    let mut jx = DMatrix::zeros(m, inputs.len());
    for (k, inst) in f.circuit().instructions().iter().enumerate() {
        for (slot, p) in inst.gate().params().iter().enumerate() {
            let Some((kind, index, scale)) = p.source() else { continue };
            let target = if kind == ParamKind::Weight { &mut jw } else { &mut jx };
            for &(shift, coeff) in terms(rule(inst, slot)) {
                f.prepare(&mut ws.phi, weights, inputs, Some((k, slot, shift)));
                eval(&ws.phi, &mut shifted, &mut scratch);
                for (i, v) in shifted.iter().enumerate() {
                    target[(i, index)] += scale * coeff * v;
                }
            }
        }
    }
    Ok(Jacobian { values, weights: jw, inputs: jx })
}
