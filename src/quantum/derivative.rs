//! Kernels for the adjoint method's backward sweep: ⟨λ|M|φ⟩ restricted to an instruction's subspace, fused
//! with un-applying the instruction from both states.
//!
//! For an instruction U(θ) with angles θ_s, the adjoint method needs, at its place in the backward sweep,
//! ⟨λ|M_s|φ⟩ with M_s = (∂U/∂θ_s)·U† and φ = ψ_k the state just after U. For a rotation exp(−iθP/2) (P a
//! Pauli operator on the op's targets) M = −iP/2; a controlled rotation has M = −iP/2 on the subspace where
//! every control is |1⟩ and zero elsewhere, so the sums below run over that subspace only. Then φ ← U†φ and
//! λ ← U†λ.
//!
//! RX, RY and RZ (with any controls, so CRX, CRY and CRZ too) have fused kernels (on the pair kernels of
//! `pairs`) that read and write each amplitude of both states once. Every other parametrised gate takes the generic route: M_s as a dense 2x2 or
//! 4x4 matrix built from ∂U/∂θ_s, one read-only reduction, then the ordinary kernels for U†.
//!
//! Reductions are summed over fixed chunks of the subspace and the partial sums added in chunk order, so the
//! result does not depend on the number of threads.

use num_complex::Complex64 as C;

use super::circuit::Instruction;
use super::gate::Gate;
use super::kernels::{self, PARALLEL_MIN_DIM};
use super::op::{Op, I, ONE, ZERO};
use super::pairs::{self, pairs2, Back, Rx, Ry, Rz};

/// Subspace indices per partial sum.
const CHUNK: usize = 1 << 12;

/// Spreads a free index over the bits that are not in `mask` (the bits of `mask` become zero).
#[inline(always)]
fn expand(positions: &[u32], mut j: usize) -> usize {
    for &p in positions {
        let low = j & ((1usize << p) - 1);
        j = ((j >> p) << (p + 1)) | low;
    }
    j
}

/// Σ leaf(base, len) over the runs of the subspace where the bits of `fixed_mask` other than `ctrl_mask` are
/// zero and the bits of `ctrl_mask` are one. `leaf` receives the first index of a contiguous run and its
/// length; the amplitudes it may touch are `base + o + offset` for `o < len` and `offset` any pattern of the
/// non-control bits of `fixed_mask`.
fn sweep<const K: usize, F>(dim: usize, fixed_mask: usize, ctrl_mask: usize, leaf: F) -> [f64; K]
where
    F: Fn(usize, usize) -> [f64; K] + Sync + Send,
{
    let mut positions = [0u32; usize::BITS as usize];
    let mut count = 0;
    let mut m = fixed_mask;
    while m != 0 {
        positions[count] = m.trailing_zeros();
        count += 1;
        m &= m - 1;
    }
    let positions = &positions[..count];
    let low = fixed_mask.trailing_zeros();
    let run = 1usize << low;
    let total = dim >> count;

    let range = |a: usize, b: usize| -> [f64; K] {
        let mut acc = [0.0; K];
        let mut j = a;
        while j < b {
            let off = j & (run - 1);
            let len = (run - off).min(b - j);
            let base = expand(positions, j - off) | ctrl_mask;
            let s = leaf(base + off, len);
            for (a, x) in acc.iter_mut().zip(s) {
                *a += x;
            }
            j += len;
        }
        acc
    };
    let chunks = total.div_ceil(CHUNK);
    let chunk = |c: usize| range(c * CHUNK, ((c + 1) * CHUNK).min(total));
    let add = |mut acc: [f64; K], s: [f64; K]| {
        for (a, x) in acc.iter_mut().zip(s) {
            *a += x;
        }
        acc
    };
    #[cfg(feature = "parallel")]
    if dim >= PARALLEL_MIN_DIM {
        use rayon::prelude::*;
        let partials: Vec<[f64; K]> = (0..chunks).into_par_iter().map(chunk).collect();
        return partials.into_iter().fold([0.0; K], add);
    }
    #[cfg(not(feature = "parallel"))]
    let _ = PARALLEL_MIN_DIM;
    (0..chunks).map(chunk).fold([0.0; K], add)
}

/// Which single-qubit Pauli rotation a fused kernel handles.
#[derive(Clone, Copy)]
enum Axis {
    X,
    Y,
    Z,
}

/// Fused step for exp(−iθP/2) on `target` (P = X, Y or Z), active where `ctrl_mask` is set: returns
/// 2·Re⟨λ|(−iP/2)|φ⟩ over the active subspace, then applies exp(+iθP/2) to φ and λ.
fn rotation_step(phi: &mut [C], lambda: &mut [C], axis: Axis, theta: f64, target: usize, ctrl_mask: usize) -> f64 {
    // The inverse rotation: θ → −θ.
    let (s, c) = (-theta / 2.0).sin_cos();
    match axis {
        Axis::X => pairs2(phi, lambda, target, ctrl_mask, &Back(Rx { c, s })),
        Axis::Y => pairs2(phi, lambda, target, ctrl_mask, &Back(Ry { c, s })),
        Axis::Z => pairs2(phi, lambda, target, ctrl_mask, &Back(Rz { e0: C::new(c, -s), e1: C::new(c, s) })),
    }
}

/// 2·Re⟨λ|M_s|φ⟩ for up to three dense matrices M_s on one target, over the subspace where `ctrl_mask` is set.
fn element1(phi: &[C], lambda: &[C], ms: &[[[C; 2]; 2]; 3], count: usize, target: usize, ctrl_mask: usize) -> [f64; 3] {
    let t = 1usize << target;
    sweep(phi.len(), t | ctrl_mask, ctrl_mask, |base, len| {
        let mut acc = [0.0; 3];
        for o in base..base + len {
            let (a0, a1) = (phi[o], phi[o + t]);
            let (b0, b1) = (lambda[o].conj(), lambda[o + t].conj());
            for (m, out) in ms.iter().zip(acc.iter_mut()).take(count) {
                *out += 2.0 * (b0 * (m[0][0] * a0 + m[0][1] * a1) + b1 * (m[1][0] * a0 + m[1][1] * a1)).re;
            }
        }
        acc
    })
}

/// 2·Re⟨λ|M|φ⟩ for a dense 4x4 matrix on two targets, over the subspace where `ctrl_mask` is set.
fn element2(phi: &[C], lambda: &[C], m: &[[C; 4]; 4], targets: [usize; 2], ctrl_mask: usize) -> f64 {
    let (t0, t1) = (1usize << targets[0], 1usize << targets[1]);
    let offsets = [0, t0, t1, t0 | t1];
    let [d] = sweep(phi.len(), t0 | t1 | ctrl_mask, ctrl_mask, |base, len| {
        let mut acc = 0.0;
        for o in base..base + len {
            let a = offsets.map(|k| phi[o + k]);
            for (r, row) in m.iter().enumerate() {
                let v = row[0] * a[0] + row[1] * a[1] + row[2] * a[2] + row[3] * a[3];
                acc += 2.0 * (lambda[o + offsets[r]].conj() * v).re;
            }
        }
        [acc]
    });
    d
}

fn dense1(op: &Op) -> [[C; 2]; 2] {
    match *op {
        Op::Diag1(d) => [[d[0], ZERO], [ZERO, d[1]]],
        Op::Anti1(a, b) => [[ZERO, a], [b, ZERO]],
        Op::Mat1(m) => m,
        _ => unreachable!("a one-target op"),
    }
}

fn dense2(op: &Op) -> [[C; 4]; 4] {
    match *op {
        Op::Diag2(d) => std::array::from_fn(|r| std::array::from_fn(|c| if r == c { d[r] } else { ZERO })),
        Op::Swap2(p) => {
            let mut m = [[ZERO; 4]; 4];
            m[0][0] = ONE;
            m[3][3] = ONE;
            m[1][2] = p;
            m[2][1] = p;
            m
        }
        Op::Mat2(m) => m,
        _ => unreachable!("a two-target op"),
    }
}

/// a·b†.
fn mul_adj<const N: usize>(a: &[[C; N]; N], b: &[[C; N]; N]) -> [[C; N]; N] {
    std::array::from_fn(|r| std::array::from_fn(|c| (0..N).map(|k| a[r][k] * b[c][k].conj()).sum()))
}

/// ∂U/∂θ_slot on the op's targets for a parametrised gate with the given angles.
fn op_derivative(gate: &Gate, angles: [f64; 3], slot: usize) -> Op {
    let shifted = |slot: usize| {
        let mut a = angles;
        a[slot] += std::f64::consts::PI;
        a
    };
    let half = |op: Op| match op {
        Op::Mat1(m) => Op::Mat1(m.map(|r| r.map(|x| x * 0.5))),
        Op::Diag1(d) => Op::Diag1(d.map(|x| x * 0.5)),
        Op::Mat2(m) => Op::Mat2(m.map(|r| r.map(|x| x * 0.5))),
        Op::Diag2(d) => Op::Diag2(d.map(|x| x * 0.5)),
        other => other,
    };
    match (gate, slot) {
        // exp(−iθP/2) with P² = 1: ∂U/∂θ = −(i/2)P·U = U(θ + π)/2. U3's θ enters through RY(θ) alone.
        (Gate::U3(..), 0) => half(gate.lower(shifted(0))),
        (Gate::U3(..), _) => {
            // U3 = Phase(φ)·RY(θ)·Phase(λ).
            let (theta, phi, lambda) = (angles[0], angles[1], angles[2]);
            let (s, c) = (theta / 2.0).sin_cos();
            let e = |x: f64| C::from_polar(1.0, x);
            if slot == 1 {
                Op::Mat1([[ZERO, ZERO], [I * e(phi) * s, I * e(phi + lambda) * c]])
            } else {
                Op::Mat1([[ZERO, -I * e(lambda) * s], [ZERO, I * e(phi + lambda) * c]])
            }
        }
        (Gate::Phase(_) | Gate::CPhase(_), _) => Op::Diag1([ZERO, I * C::from_polar(1.0, angles[0])]),
        _ => half(gate.lower(shifted(0))),
    }
}

/// One step of the adjoint backward sweep at `inst`, whose angles are `angles`: for each slot s with
/// `wanted[s]`, `out[s]` = 2·Re⟨λ|(∂U/∂θ_s)U†|φ⟩ (= ∂⟨ψ|A|ψ⟩/∂θ_s when λ = (U_{k+1}⋯U_N)†Aψ and φ = ψ_k);
/// then φ ← U†φ and λ ← U†λ. Slots not wanted are left at zero.
pub(crate) fn backward_step(
    phi: &mut [C],
    lambda: &mut [C],
    inst: &Instruction,
    angles: [f64; 3],
    wanted: [bool; 3],
) -> [f64; 3] {
    let gate = inst.gate();
    let targets = inst.op_targets();
    let ctrl = inst.control_mask();
    let mut out = [0.0; 3];
    let nparams = gate.params().len();
    if !wanted[..nparams].iter().any(|&w| w) {
        pairs::apply(phi, inst, angles, true);
        pairs::apply(lambda, inst, angles, true);
        return out;
    }
    let axis = match gate {
        Gate::RX(_) | Gate::CRX(_) => Some(Axis::X),
        Gate::RY(_) | Gate::CRY(_) => Some(Axis::Y),
        Gate::RZ(_) | Gate::CRZ(_) => Some(Axis::Z),
        _ => None,
    };
    if let Some(axis) = axis {
        out[0] = rotation_step(phi, lambda, axis, angles[0], targets[0], ctrl);
        return out;
    }
    let op = gate.lower(angles);
    if op.arity() == 1 {
        let u = dense1(&op);
        let mut ms = [[[ZERO; 2]; 2]; 3];
        let mut slots = [0usize; 3];
        let mut count = 0;
        for slot in (0..nparams).filter(|&s| wanted[s]) {
            ms[count] = mul_adj(&dense1(&op_derivative(gate, angles, slot)), &u);
            slots[count] = slot;
            count += 1;
        }
        let sums = element1(phi, lambda, &ms, count, targets[0], ctrl);
        for k in 0..count {
            out[slots[k]] = sums[k];
        }
    } else {
        // Every two-target parametrised gate has one angle.
        let m = mul_adj(&dense2(&op_derivative(gate, angles, 0)), &dense2(&op));
        out[0] = element2(phi, lambda, &m, [targets[0], targets[1]], ctrl);
    }
    let adj = op.adjoint();
    kernels::apply_op(phi, &adj, targets, ctrl);
    kernels::apply_op(lambda, &adj, targets, ctrl);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quantum::{Param, StateVector};

    fn random_state(n: usize, seed: u64) -> Vec<C> {
        // A deterministic pseudo-random normalized state (no RNG dependency needed for the check).
        let dim = 1usize << n;
        let mut v: Vec<C> = (0..dim)
            .map(|i| {
                let x = ((i as u64 + 1) * 2654435761 + seed * 97) as f64;
                C::new((x * 0.37).sin(), (x * 0.11).cos())
            })
            .collect();
        let norm = v.iter().map(|a| a.norm_sqr()).sum::<f64>().sqrt();
        v.iter_mut().for_each(|a| *a /= norm);
        v
    }

    /// For every parametrised gate kind, with and without extra controls, the step's sums equal 2Re⟨λ|∂U U†|φ⟩
    /// computed by dense finite differences of the state, and φ, λ become U†φ, U†λ.
    #[test]
    fn backward_step_matches_dense_finite_difference() {
        let n = 4;
        let gates = [
            Gate::RX(Param::weight(0)),
            Gate::RY(Param::weight(0)),
            Gate::RZ(Param::weight(0)),
            Gate::Phase(Param::weight(0)),
            Gate::U3(Param::weight(0), Param::weight(1), Param::weight(2)),
            Gate::CRX(Param::weight(0)),
            Gate::CRY(Param::weight(0)),
            Gate::CRZ(Param::weight(0)),
            Gate::CPhase(Param::weight(0)),
            Gate::RXX(Param::weight(0)),
            Gate::RYY(Param::weight(0)),
            Gate::RZZ(Param::weight(0)),
        ];
        let w = [0.7, -1.3, 2.1];
        for (g, gate) in gates.iter().enumerate() {
            for controls in [vec![], vec![3]] {
                let targets: Vec<usize> = if gate.num_qubits() == 1 { vec![2] } else { vec![0, 2] };
                let inst = Instruction::new(gate.clone(), targets, controls).unwrap();
                let phi0 = random_state(n, g as u64);
                let lam0 = random_state(n, 100 + g as u64);
                let (mut phi, mut lam) = (phi0.clone(), lam0.clone());
                let angles = inst.angles(&w, &[]);
                let np = gate.params().len();
                let sums = backward_step(&mut phi, &mut lam, &inst, angles, [true; 3]);
                // ψ_{k−1} = U†φ0; check the sums: 2Re⟨λ0|∂U/∂θ|ψ_{k−1}⟩ by central differences of U(θ)ψ_{k−1}.
                let mut prev = StateVector::from_amplitudes(phi0.clone()).unwrap();
                prev.apply_inverse(&inst, &w, &[]).unwrap();
                assert!(phi.iter().zip(prev.amplitudes()).all(|(a, b)| (a - b).norm() < 1e-12));
                let mut lam_prev = StateVector::from_amplitudes(lam0.clone()).unwrap();
                lam_prev.apply_inverse(&inst, &w, &[]).unwrap();
                assert!(lam.iter().zip(lam_prev.amplitudes()).all(|(a, b)| (a - b).norm() < 1e-12));
                for (slot, &sum) in sums.iter().enumerate().take(np) {
                    let h = 1e-6;
                    let eval = |d: f64| {
                        let mut ww = w;
                        ww[slot] += d;
                        let mut s = prev.clone();
                        s.apply(&inst, &ww, &[]).unwrap();
                        s.amplitudes().iter().zip(&lam0).map(|(a, l)| l.conj() * a).sum::<C>()
                    };
                    let fd = 2.0 * ((eval(h) - eval(-h)) / (2.0 * h)).re;
                    assert!((fd - sum).abs() < 1e-8, "gate {gate} slot {slot}: {fd} vs {sum}");
                }
            }
        }
    }
}
