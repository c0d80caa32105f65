//! The noisy adjoint sweep by un-computing: from the final state, each step is un-applied from ρ (ρ ← S⁻¹ρ)
//! as Λ is swept back through S† and the step's derivative sums are taken ([`super::super::sweep`]), so that
//! the gradient costs one forward run (the compiled plan of [`DensityState::run_noisy`]) and one backward
//! step per step over the two states, in three density states of memory.
//!
//! Un-applying a channel is exact only to rounding, and it grows errors by up to ‖S⁻¹‖₂ (1/(1 − 4p/3) for
//! depolarizing p); a channel that is not invertible cannot be un-applied at all. Where the product of these
//! gains since the last stored state would pass [`MAX_GAIN`], or at a step that cannot be un-applied, the
//! state before the step is stored on a first forward pass and taken from there instead.

use num_complex::Complex64 as C;

use super::super::state::DensityState;
use super::super::sweep::{back_local, back_pair};
use super::recompute::try_clone;
use super::steps::{adjoint4, Run, Step};
use super::NoisyGradient;
use crate::error::Result;

/// The largest growth of a rounding error that un-applying steps may build up between two stored states: an
/// error of about 1e-16 stays below about 1e-13.
pub(super) const MAX_GAIN: f64 = 1e3;

/// The steps before which the state is stored: those that cannot be un-applied, and those where the gain
/// since the last stored state would pass [`MAX_GAIN`].
pub(super) fn stored_before(run: &Run<'_>, steps: &[Step]) -> Vec<usize> {
    let mut stored = Vec::new();
    let mut gain = 1.0;
    for (i, step) in steps.iter().enumerate() {
        match run.undo_gain(step) {
            Some(g) if gain * g <= MAX_GAIN => gain *= g,
            _ => {
                stored.push(i);
                gain = 1.0;
            }
        }
    }
    stored
}

/// The gradient of f(ρ) for ρ = `start` run through `steps`, with Λ = ∂f/∂ρ and f from `seed` at `end`, the
/// state after the steps, and the state before each step in `stored` kept from a first forward pass.
pub(super) fn uncomputed(
    start: &DensityState,
    end: DensityState,
    run: &Run<'_>,
    steps: &[Step],
    mut stored: Vec<usize>,
    seed: impl FnOnce(&DensityState) -> Result<(f64, Vec<C>)>,
) -> Result<NoisyGradient> {
    let n = run.n;
    // The stored states, from a forward pass up to the last of them.
    let mut kept = Vec::with_capacity(stored.len());
    if let Some(&last) = stored.last() {
        let mut rho = try_clone(start.entries(), n)?;
        for (i, step) in steps[..=last].iter().enumerate() {
            if stored.binary_search(&i).is_ok() {
                kept.push(try_clone(&rho, n)?);
            }
            if i < last {
                run.apply(&mut rho, step, false);
            }
        }
    }
    let (value, mut lambda) = seed(&end)?;
    let mut rho = end.into_entries();
    let mut grads = run.zero_gradient(value);
    for (i, step) in steps.iter().enumerate().rev() {
        // ρ holds the state after step i; with the state before it stored, that is taken instead of
        // un-applying the step.
        let before = if stored.last() == Some(&i) {
            stored.pop();
            kept.pop()
        } else {
            None
        };
        let given = before.is_some();
        if let Step::Gate(k) = step {
            // A gate on more qubits takes its derivative from ρ after it (the kernels' matrix element).
            if run.circuit.instructions()[*k].gate().params().iter().any(|p| !p.is_const()) {
                super::recompute::accumulate(run, *k, &rho, &lambda, &mut grads);
            }
        }
        if let Some(before) = before {
            rho = before;
        }
        match step {
            Step::Local { q, factors, product, inverse, .. } => {
                let undo = if given { None } else { Some(&**inverse.as_ref().expect("invertible where not stored")) };
                let correlate = run.has_derivatives(factors);
                let g = back_local(&mut rho, &mut lambda, *q, n, undo, &adjoint4(product), correlate);
                if correlate {
                    run.local_derivatives(factors, &g, &mut grads);
                }
            }
            Step::Gate2 { qubits, adjoint, derivatives, .. } => {
                let probes: Vec<_> = derivatives.iter().map(|d| &d.d).collect();
                let undo = (!given).then_some(adjoint);
                let sums = back_pair(&mut rho, &mut lambda, *qubits, n, undo, adjoint, &probes);
                for (d, sum) in derivatives.iter().zip(sums) {
                    run.add_gate_derivative(&mut grads, d.kind, d.index, d.scale * sum.re);
                }
            }
            Step::Channel2 { id, qubits } => {
                let pair = run.channels[*id].pair.as_ref().expect("a two-qubit channel");
                let probes: Vec<_> = pair.derivatives.iter().collect();
                let undo = if given { None } else { Some(pair.inverse.as_ref().expect("invertible where not stored")) };
                let sums = back_pair(&mut rho, &mut lambda, *qubits, n, undo, &pair.adjoint, &probes);
                for (slot, sum) in sums.iter().take(probes.len()).enumerate() {
                    run.add_channel_derivative(&mut grads, *id, slot, sum.re);
                }
            }
            Step::Gate(_) => {
                if !given {
                    run.apply(&mut rho, step, true);
                }
                run.apply(&mut lambda, step, true);
            }
        }
    }
    Ok(grads)
}
