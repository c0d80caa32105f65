//! The noisy adjoint sweep by recomputation, for runs whose steps cannot all be un-applied with a small
//! error (a channel that is not invertible, such as amplitude damping with γ = 1, in more places than
//! checkpoints of [`super::uncompute`] would take): the states before the steps are recomputed segment by
//! segment from √K checkpoints (K steps), about 2√K density states of memory and two forward passes.

use num_complex::Complex64 as C;

use super::super::state::DensityState;
use super::steps::{Run, Step};
use super::NoisyGradient;
use crate::error::{Error, Result};
use crate::quantum::kernels::{self, Subspace};
use crate::quantum::op::ZERO;

/// The gradient of f(ρ) for ρ = `initial` run through `steps`, Λ = ∂f/∂ρ and f from `seed` at the final state.
pub(super) fn recomputed(
    initial: &[C],
    run: &Run<'_>,
    steps: &[Step],
    seed: impl FnOnce(&DensityState) -> Result<(f64, Vec<C>)>,
) -> Result<NoisyGradient> {
    let (n, circuit) = (run.n, run.circuit);
    // Forward, keeping the state before every `stride`-th step.
    let stride = ((steps.len() as f64).sqrt().ceil() as usize).max(1);
    let mut rho = try_clone(initial, n)?;
    let mut checkpoints = Vec::new();
    for (i, step) in steps.iter().enumerate() {
        if i % stride == 0 {
            checkpoints.push(try_clone(&rho, n)?);
        }
        run.apply(&mut rho, step, false);
    }
    let (value, mut lambda) = seed(&DensityState::from_entries_unchecked(n, rho))?;
    let mut grads = run.zero_gradient(value);
    // The states before the steps of one segment, in buffers allocated once.
    let mut before: Vec<Vec<C>> = Vec::new();
    for _ in 0..stride.min(steps.len()) {
        before.push(try_clone(&checkpoints[0], n)?);
    }
    for (segment, start) in (0..steps.len()).step_by(stride).enumerate().rev() {
        let end = (start + stride).min(steps.len());
        before[0].copy_from_slice(&checkpoints[segment]);
        for t in 1..end - start {
            let (done, rest) = before.split_at_mut(t);
            rest[0].copy_from_slice(&done[t - 1]);
            run.apply(&mut rest[0], &steps[start + t - 1], false);
        }
        for (i, step) in steps[start..end].iter().enumerate().rev() {
            match step {
                Step::Gate(k) | Step::Gate2 { k, .. } => {
                    // ρ after the gate, in place of ρ before it (not needed any more); a gate without
                    // weights or inputs has nothing to add.
                    if circuit.instructions()[*k].gate().params().iter().any(|p| !p.is_const()) {
                        run.apply(&mut before[i], step, false);
                        accumulate(run, *k, &before[i], &lambda, &mut grads);
                    }
                }
                Step::Local { q, factors, sums, .. } => {
                    if sums.is_some() {
                        let g = correlation(&lambda, &before[i], *q, n);
                        run.local_derivatives(factors, &g, &mut grads);
                    }
                }
                Step::Channel2 { id, qubits, .. } => {
                    // ∂f/∂θ = ⟨Λ|∂S/∂θ|ρ⟩, Λ after the channel and ρ before it.
                    let targets: Vec<usize> = qubits.iter().copied().chain(qubits.iter().map(|q| q + n)).collect();
                    for (slot, d) in run.channels[*id].derivatives.iter().enumerate() {
                        let m: Vec<Vec<C>> = d.row_iter().map(|r| r.iter().copied().collect()).collect();
                        let value = matrix_element(&lambda, &before[i], &m, &targets, 0).re;
                        run.add_channel_derivative(&mut grads, *id, slot, value);
                    }
                }
            }
            run.apply(&mut lambda, step, true);
        }
    }
    Ok(grads)
}

/// A copy of `v`, or [`Error::TooManyQubits`] when it cannot be allocated.
pub(super) fn try_clone(v: &[C], num_qubits: usize) -> Result<Vec<C>> {
    let mut out = Vec::new();
    out.try_reserve_exact(v.len()).map_err(|_| Error::TooManyQubits { num_qubits, bytes: 16 * v.len() as u128 })?;
    out.extend_from_slice(v);
    Ok(out)
}

/// A 4x4 correlation matrix, summed over chunks in order.
#[derive(Clone, Copy)]
struct Correlation([[C; 4]; 4]);

impl std::iter::Sum for Correlation {
    fn sum<I: Iterator<Item = Correlation>>(iter: I) -> Correlation {
        iter.fold(Correlation([[ZERO; 4]; 4]), |a, b| {
            Correlation(std::array::from_fn(|r| std::array::from_fn(|c| a.0[r][c] + b.0[r][c])))
        })
    }
}

/// G\[r\]\[c\] = Σ_g conj(a\[g + o_r\]) b\[g + o_c\] over the groups of qubits (q, q + n), o_r the offset of
/// local index r = ket bit + 2·bra bit; partial sums over fixed chunks, added in order.
fn correlation(a: &[C], b: &[C], q: usize, n: usize) -> [[C; 4]; 4] {
    let offsets: [usize; 4] = std::array::from_fn(|r| ((r & 1) << q) | ((r >> 1) << (q + n)));
    let groups = Subspace::new(a.len(), (1 << q) | (1 << (q + n)), 0);
    kernels::chunked_sum(groups.len, |range| {
        let mut acc = [[ZERO; 4]; 4];
        for g in range {
            let base = groups.index(g);
            let x: [C; 4] = std::array::from_fn(|c| b[base + offsets[c]]);
            for (row, &o) in acc.iter_mut().zip(&offsets) {
                let l = a[base + o].conj();
                row.iter_mut().zip(&x).for_each(|(acc, x)| *acc += l * x);
            }
        }
        Correlation(acc)
    })
    .0
}

/// Adds instruction `k`'s contributions to the gradients of the weights and inputs its angles read:
/// 2 Re⟨Λ|(∂U ⊗ U*)|ρ⟩ = 2 Re⟨Λ|(∂U·U† ⊗ I)|ρ'⟩ for ρ' = (U ⊗ U*)ρ the state after the gate, ∂U·U† acting on
/// the ket targets where the controls are set and as zero elsewhere (the derivative of a controlled gate).
pub(super) fn accumulate(run: &Run<'_>, k: usize, after: &[C], lambda: &[C], grads: &mut NoisyGradient) {
    let inst = &run.circuit.instructions()[k];
    let gate = inst.gate();
    let angles = inst.angles(run.weights, run.inputs);
    let adjoint = gate.lower(angles).adjoint();
    for (slot, p) in gate.params().iter().enumerate() {
        let Some((kind, index, scale)) = p.source() else { continue };
        let d = gate.derivative(angles, slot);
        let m: Vec<Vec<C>> = if d.arity() == 1 {
            let (d, u) = (d.matrix1(), adjoint.matrix1());
            (0..2).map(|r| (0..2).map(|c| d[r][0] * u[0][c] + d[r][1] * u[1][c]).collect()).collect()
        } else {
            let (d, u) = (d.matrix2(), adjoint.matrix2());
            (0..4).map(|r| (0..4).map(|c| (0..4).map(|j| d[r][j] * u[j][c]).sum()).collect()).collect()
        };
        let value = 2.0 * matrix_element(lambda, after, &m, inst.op_targets(), inst.control_mask()).re * scale;
        run.add_gate_derivative(grads, kind, index, value);
    }
}

/// ⟨a|M|b⟩ for the matrix `m` on `targets` (the first the least significant bit of its index), acting where
/// every bit of `ctrl` is set and as zero elsewhere; partial sums over fixed chunks, added in order.
fn matrix_element(a: &[C], b: &[C], m: &[Vec<C>], targets: &[usize], ctrl: usize) -> C {
    match m.len() {
        2 => matrix_element_n::<2>(a, b, m, targets, ctrl),
        4 => matrix_element_n::<4>(a, b, m, targets, ctrl),
        _ => matrix_element_n::<16>(a, b, m, targets, ctrl),
    }
}

/// [`matrix_element`] for an N × N matrix, held in arrays so that the inner loops unroll.
fn matrix_element_n<const N: usize>(a: &[C], b: &[C], m: &[Vec<C>], targets: &[usize], ctrl: usize) -> C {
    let m: [[C; N]; N] = std::array::from_fn(|r| std::array::from_fn(|c| m[r][c]));
    let offsets: [usize; N] =
        std::array::from_fn(|r| targets.iter().enumerate().fold(0, |o, (i, &q)| o | ((r >> i) & 1) << q));
    let mask = targets.iter().fold(ctrl, |mk, &q| mk | 1usize << q);
    let groups = Subspace::new(a.len(), mask, ctrl);
    kernels::chunked_sum(groups.len, |range| {
        let mut acc = ZERO;
        for g in range {
            let base = groups.index(g);
            let x: [C; N] = std::array::from_fn(|c| b[base + offsets[c]]);
            for (row, &or) in m.iter().zip(&offsets) {
                let mb: C = row.iter().zip(&x).map(|(v, x)| v * x).sum();
                acc += a[base + or].conj() * mb;
            }
        }
        acc
    })
}
