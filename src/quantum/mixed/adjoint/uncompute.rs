//! The noisy adjoint sweep by un-computing: from the final state, each step is un-applied from ρ (ρ ← S⁻¹ρ)
//! as Λ is swept back through S† and the step's derivative sums are taken ([`super::super::sweep`]), so that
//! the gradient costs one forward run (the compiled plan of [`DensityState::run_noisy`]) and one backward
//! step per step over the two states, in three density states of memory.
//!
//! Un-applying a channel is exact only to rounding, and it grows errors by up to ‖S⁻¹‖₂ (1/(1 − 4p/3) for
//! depolarizing p); a channel that is not invertible cannot be un-applied at all. Where the product of these
//! gains since the last stored state would pass [`MAX_GAIN`], or at a step that cannot be un-applied, the
//! state before the step is stored on a first forward pass and taken from there instead.
//!
//! On states larger than a cache block the steps go in windows ([`super::tiled`]): the steps of a window are
//! swept back tile by tile, each tile of ρ and Λ in cache, as the forward plan applies its windows.

use num_complex::Complex64 as C;

use super::super::state::DensityState;
use super::super::sweep::{back_local, back_pair};
use super::recompute::try_clone;
use super::steps::{adjoint4, Place, Run, Step};
use super::tiled::{sweep_window, windows, Window};
use super::NoisyGradient;
use crate::error::Result;
use crate::quantum::engine::add_to_row;
use crate::quantum::mixed::superop::pair_bits;

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
    let mut sums = Vec::new();
    let mut partials = Vec::new();
    for window in sweep_windows(run, steps, &stored) {
        let i = match window {
            Window::Alone(i) => i,
            Window::Steps(order, high) => {
                let bufs = (&mut rho[..], &mut lambda[..], &mut sums, &mut partials);
                sweep_steps(run, steps, &order, high, bufs, &mut grads);
                continue;
            }
        };
        let step = &steps[i];
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
            if reads_after(run, step) {
                super::recompute::accumulate(run, *k, &rho, &lambda, &mut grads);
            }
        }
        if let Some(before) = before {
            rho = before;
        }
        sums.clear();
        sums.resize(sums_width(run, step), 0.0);
        back_step(run, step, Place::Whole, &mut rho, &mut lambda, given, &mut sums);
        contract(run, step, &sums, &mut grads);
    }
    Ok(grads)
}

/// The steps of a window (`order`, in backward order) swept back over ρ and Λ tile by tile (block by block
/// when `high` is `None`), their derivatives added into `grads`; `sums` and `partials` are reused buffers.
fn sweep_steps(
    run: &Run<'_>,
    steps: &[Step],
    order: &[usize],
    high: Option<usize>,
    (rho, lambda, sums, partials): (&mut [C], &mut [C], &mut Vec<f64>, &mut Vec<f64>),
    grads: &mut NoisyGradient,
) {
    // Step order[j]'s sums from offsets[j] of one row.
    let mut offsets = Vec::with_capacity(order.len() + 1);
    offsets.push(0);
    for &i in order {
        offsets.push(offsets[offsets.len() - 1] + sums_width(run, &steps[i]));
    }
    sums.clear();
    sums.resize(offsets[order.len()], 0.0);
    sweep_window(run, steps, order, &offsets, high, rho, lambda, sums, partials);
    for (j, &i) in order.iter().enumerate() {
        contract(run, &steps[i], &sums[offsets[j]..offsets[j + 1]], grads);
    }
}

/// The windows of the sweep: a step whose state is stored, or a gate on more qubits with derivatives (read
/// from ρ after it over the whole state), goes alone over the whole state; the others in windows.
pub(super) fn sweep_windows(run: &Run<'_>, steps: &[Step], stored: &[usize]) -> Vec<Window> {
    windows(run, steps, |i| stored.binary_search(&i).is_ok() || reads_after(run, &steps[i]))
}

/// Whether `step` is a gate on more qubits with a weight or an input, whose derivative is read from ρ after it.
fn reads_after(run: &Run<'_>, step: &Step) -> bool {
    matches!(step, Step::Gate(k) if run.circuit.instructions()[*k].gate().params().iter().any(|p| !p.is_const()))
}

/// How many numbers [`back_step`] adds for `step`: a local step's 4x4 correlation (when it has derivatives)
/// and a two-qubit step's sums, as (re, im) pairs.
fn sums_width(run: &Run<'_>, step: &Step) -> usize {
    match step {
        Step::Local { sums, .. } => {
            if sums.is_some() {
                32
            } else {
                0
            }
        }
        Step::Gate2 { derivatives, .. } => 2 * derivatives.len(),
        Step::Channel2 { id, .. } => 2 * run.channels[*id].derivatives.len(),
        Step::Gate(_) => 0,
    }
}

/// The backward work of `step` on ρ and Λ (the whole states or tiles of them, as `place` says): ρ ← S⁻¹ρ
/// unless the state before the step is `given`, the sums its derivatives need added into `row` (of
/// [`sums_width`] numbers), then Λ ← S†Λ. A gate on more qubits with derivatives has them taken by the caller,
/// from ρ after it over the whole state (see [`sweep_windows`]).
pub(super) fn back_step(
    run: &Run<'_>,
    step: &Step,
    place: Place,
    rho: &mut [C],
    lambda: &mut [C],
    given: bool,
    row: &mut [f64],
) {
    let n = run.n;
    match step {
        Step::Local { q, product, inverse, sums, .. } => {
            let undo = if given { None } else { Some(&**inverse.as_ref().expect("invertible where not stored")) };
            let bits = place.bits([*q, q + n]);
            let g = back_local(rho, lambda, bits, undo, &adjoint4(product), *sums);
            if sums.is_some() {
                add_to_row(row, g.as_flattened());
            }
        }
        Step::Gate2 { qubits, adjoint, derivatives, .. } => {
            let probes: Vec<_> = derivatives.iter().map(|d| &d.d).collect();
            let undo = (!given).then_some(adjoint);
            let sums = back_pair(rho, lambda, place.bits(pair_bits(*qubits, n)), undo, adjoint, &probes);
            add_to_row(row, &sums[..probes.len()]);
        }
        Step::Channel2 { id, qubits } => {
            let pair = run.channels[*id].pair.as_ref().expect("a two-qubit channel");
            let probes: Vec<_> = pair.derivatives.iter().collect();
            let undo = if given { None } else { Some(pair.inverse.as_ref().expect("invertible where not stored")) };
            let sums = back_pair(rho, lambda, place.bits(pair_bits(*qubits, n)), undo, &pair.adjoint, &probes);
            add_to_row(row, &sums[..probes.len()]);
        }
        Step::Gate(_) => {
            if !given {
                run.apply_at(rho, step, true, place);
            }
            run.apply_at(lambda, step, true, place);
        }
    }
}

/// Adds the derivatives of `step` from its summed `row` (see [`back_step`]) into `grads`.
fn contract(run: &Run<'_>, step: &Step, row: &[f64], grads: &mut NoisyGradient) {
    let value = |j: usize| C::new(row[2 * j], row[2 * j + 1]);
    match step {
        Step::Local { factors, .. } => {
            if !row.is_empty() {
                let g = std::array::from_fn(|r| std::array::from_fn(|c| value(4 * r + c)));
                run.local_derivatives(factors, &g, grads);
            }
        }
        Step::Gate2 { derivatives, .. } => {
            for (j, d) in derivatives.iter().enumerate() {
                run.add_gate_derivative(grads, d.kind, d.index, d.scale * value(j).re);
            }
        }
        Step::Channel2 { id, .. } => {
            for slot in 0..row.len() / 2 {
                run.add_channel_derivative(grads, *id, slot, value(slot).re);
            }
        }
        Step::Gate(_) => {}
    }
}
