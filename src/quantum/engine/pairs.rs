//! The backward sweep's work on one-target nodes: a small program of steps (read a derivative, un-apply a
//! 2x2) run on every amplitude pair of φ and λ, pair by pair or tile by tile.

use num_complex::Complex64 as C;

use crate::quantum::kernels::{mat1_slices, scale_slice};
use crate::quantum::op::ZERO;

/// One step of a one-target node's backward program, per amplitude pair.
#[derive(Debug, Clone, Copy)]
pub(super) enum PairStep {
    /// sums[k] += 2·Re(λ†Mφ) on the pair.
    Derive([[C; 2]; 2], usize),
    /// sums[k] += 2·Re(λ†(−iX/2)φ) = Im(λ₀*φ₁ + λ₁*φ₀).
    DeriveX(usize),
    /// sums[k] += 2·Re(λ†(−iY/2)φ) = Re(λ₁*φ₀ − λ₀*φ₁).
    DeriveY(usize),
    /// sums[k] += 2·Re(λ†(−iZ/2)φ) = Im(λ₀*φ₀) − Im(λ₁*φ₁).
    DeriveZ(usize),
    /// (φ, λ) ← (U†φ, U†λ) on the pair, U† dense.
    Undo([[C; 2]; 2]),
    /// The same for U† = diag(d₀, d₁).
    UndoDiag(C, C),
    /// The same for a real U†.
    UndoReal([[f64; 2]; 2]),
    /// The same for U† = [[a, ib], [ic, d]] with a, b, c, d real (RX-like).
    UndoRx([f64; 4]),
}

impl PairStep {
    /// The step that un-applies the 2x2 matrix `v` = U†, in the cheapest form that computes it exactly.
    pub(super) fn undo(v: [[C; 2]; 2]) -> PairStep {
        let [[a, b], [c, d]] = v;
        if b == ZERO && c == ZERO {
            PairStep::UndoDiag(a, d)
        } else if v.iter().flatten().all(|x| x.im == 0.0) {
            PairStep::UndoReal([[a.re, b.re], [c.re, d.re]])
        } else if a.im == 0.0 && d.im == 0.0 && b.re == 0.0 && c.re == 0.0 {
            PairStep::UndoRx([a.re, b.im, c.im, d.re])
        } else {
            PairStep::Undo(v)
        }
    }
}

/// The backward program for a target below 3 (halves of 1, 2 or 4 amplitudes): the pairs of each tile are
/// gathered into four contiguous arrays in their walking order, run step by step there, and written back, so
/// that short halves do not fall back to the pair-by-pair walk. Same pairs, same order, same bits.
pub(super) fn low_target_pairs(program: &[PairStep], t: usize, p: &mut [C], l: &mut [C], row: &mut [f64]) {
    let mut buf = [[ZERO; TILE]; 4];
    for (pt, lt) in p.chunks_mut(2 * TILE).zip(l.chunks_mut(2 * TILE)) {
        let m = pt.len() / 2;
        let mut j = 0;
        for (pb, lb) in pt.chunks_exact(2 * t).zip(lt.chunks_exact(2 * t)) {
            for o in 0..t {
                (buf[0][j], buf[1][j], buf[2][j], buf[3][j]) = (pb[o], pb[o + t], lb[o], lb[o + t]);
                j += 1;
            }
        }
        let [b0, b1, b2, b3] = &mut buf;
        pair_program(program, &mut b0[..m], &mut b1[..m], &mut b2[..m], &mut b3[..m], row);
        let mut j = 0;
        for (pb, lb) in pt.chunks_exact_mut(2 * t).zip(lt.chunks_exact_mut(2 * t)) {
            for o in 0..t {
                (pb[o], pb[o + t], lb[o], lb[o + t]) = (buf[0][j], buf[1][j], buf[2][j], buf[3][j]);
                j += 1;
            }
        }
    }
}

/// One step of a backward program on one pair of φ (a₀, a₁) and of λ (b₀, b₁).
#[inline(always)]
fn pair_step(step: &PairStep, a: &mut (C, C), b: &mut (C, C), row: &mut [f64]) {
    let ((a0, a1), (b0, b1)) = (*a, *b);
    match *step {
        PairStep::Derive(m, k) => {
            let v0 = m[0][0] * a0 + m[0][1] * a1;
            let v1 = m[1][0] * a0 + m[1][1] * a1;
            row[k] += 2.0 * (b0.conj() * v0 + b1.conj() * v1).re;
        }
        PairStep::DeriveX(k) => row[k] += (b0.conj() * a1 + b1.conj() * a0).im,
        PairStep::DeriveY(k) => row[k] += (b1.conj() * a0 - b0.conj() * a1).re,
        PairStep::DeriveZ(k) => row[k] += (b0.conj() * a0).im - (b1.conj() * a1).im,
        PairStep::Undo(u) => {
            *a = (u[0][0] * a0 + u[0][1] * a1, u[1][0] * a0 + u[1][1] * a1);
            *b = (u[0][0] * b0 + u[0][1] * b1, u[1][0] * b0 + u[1][1] * b1);
        }
        PairStep::UndoDiag(d0, d1) => (*a, *b) = ((d0 * a0, d1 * a1), (d0 * b0, d1 * b1)),
        PairStep::UndoReal([[p, q], [r, t]]) => {
            *a = (a0 * p + a1 * q, a0 * r + a1 * t);
            *b = (b0 * p + b1 * q, b0 * r + b1 * t);
        }
        PairStep::UndoRx([p, q, r, t]) => {
            let rx = |x: C, y: C| {
                (C::new(p * x.re - q * y.im, p * x.im + q * y.re), C::new(t * y.re - r * x.im, t * y.im + r * x.re))
            };
            *a = rx(a0, a1);
            *b = rx(b0, b1);
        }
    }
}

/// Pairs per tile of the step-major walk: the four slices of a tile stay in L1 while every step passes over it.
const TILE: usize = 64;

/// Runs a one-target node's backward program on each pair. Short runs go pair by pair (every step on one pair
/// held in registers); longer runs tile by tile, each step over the whole tile before the next, in a loop
/// without branches per pair, un-applying through the gate kernels (which compute the same products). Each sum
/// receives the same additions in the same order either way (one step writes it, pairs in order), and each
/// pair the same arithmetic, so both walks give the same bits.
#[inline]
pub(super) fn pair_program(
    program: &[PairStep],
    p0: &mut [C],
    p1: &mut [C],
    l0: &mut [C],
    l1: &mut [C],
    row: &mut [f64],
) {
    let n = p0.len();
    if n < 8 {
        for i in 0..n {
            let (mut a, mut b) = ((p0[i], p1[i]), (l0[i], l1[i]));
            for step in program {
                pair_step(step, &mut a, &mut b, row);
            }
            (p0[i], p1[i], l0[i], l1[i]) = (a.0, a.1, b.0, b.1);
        }
        return;
    }
    for start in (0..n).step_by(TILE) {
        let end = (start + TILE).min(n);
        let (p0, p1, l0, l1) = (&mut p0[start..end], &mut p1[start..end], &mut l0[start..end], &mut l1[start..end]);
        for step in program {
            // One loop per kind of step, so that the loop body has no branch.
            macro_rules! each {
                () => {
                    for i in 0..p0.len() {
                        let (mut a, mut b) = ((p0[i], p1[i]), (l0[i], l1[i]));
                        pair_step(step, &mut a, &mut b, row);
                        (p0[i], p1[i], l0[i], l1[i]) = (a.0, a.1, b.0, b.1);
                    }
                };
            }
            // Un-applying a 2x2 goes through the gate kernels' loops (AVX2 where available), which compute the
            // same products as `pair_step`.
            let undo = |p0: &mut [C], p1: &mut [C], l0: &mut [C], l1: &mut [C], m: [[C; 2]; 2]| {
                mat1_slices(p0, p1, m);
                mat1_slices(l0, l1, m);
            };
            match *step {
                PairStep::Derive(..) => each!(),
                PairStep::DeriveX(_) => each!(),
                PairStep::DeriveY(_) => each!(),
                PairStep::DeriveZ(_) => each!(),
                PairStep::Undo(m) => undo(p0, p1, l0, l1, m),
                PairStep::UndoDiag(d0, d1) => {
                    for (s, d) in [(&mut *p0, d0), (&mut *p1, d1), (&mut *l0, d0), (&mut *l1, d1)] {
                        scale_slice(s, d);
                    }
                }
                PairStep::UndoReal([[a, b], [c, d]]) => {
                    let re = |x: f64| C::new(x, 0.0);
                    undo(p0, p1, l0, l1, [[re(a), re(b)], [re(c), re(d)]]);
                }
                PairStep::UndoRx([a, b, c, d]) => {
                    undo(p0, p1, l0, l1, [[C::new(a, 0.0), C::new(0.0, b)], [C::new(0.0, c), C::new(d, 0.0)]]);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pseudo(seed: &mut u64) -> f64 {
        *seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (*seed >> 11) as f64 / (1u64 << 53) as f64 - 0.5
    }

    fn program(seed: &mut u64) -> Vec<PairStep> {
        let mut c = || C::new(pseudo(seed), pseudo(seed));
        let m = [[c(), c()], [c(), c()]];
        let d = (c(), c());
        let mut r = || pseudo(seed);
        let real = [[r(), r()], [r(), r()]];
        let rx = [r(), r(), r(), r()];
        vec![
            PairStep::DeriveZ(0),
            PairStep::UndoDiag(d.0, d.1),
            PairStep::DeriveY(1),
            PairStep::UndoReal(real),
            PairStep::DeriveX(2),
            PairStep::UndoRx(rx),
            PairStep::Derive(m, 3),
            PairStep::Undo(m),
        ]
    }

    /// The reference walk: pair by pair, every step on one pair before the next pair.
    fn reference(program: &[PairStep], pairs: &mut [[C; 4]], row: &mut [f64]) {
        for q in pairs {
            let (mut a, mut b) = ((q[0], q[1]), (q[2], q[3]));
            for step in program {
                pair_step(step, &mut a, &mut b, row);
            }
            *q = [a.0, a.1, b.0, b.1];
        }
    }

    /// The tiled step-major walk and the gathered walk of low targets give the bits of the pair-by-pair walk.
    #[test]
    fn every_walk_gives_the_same_bits() {
        let mut seed = 7;
        let prog = program(&mut seed);
        for t in [1usize, 2, 4, 8, 16] {
            let n = 2 * 2 * TILE + 6 * t.max(1); // several tiles and a ragged end, in whole blocks of 2t
            let n = n - n % (2 * t);
            let p: Vec<C> = (0..n).map(|_| C::new(pseudo(&mut seed), pseudo(&mut seed))).collect();
            let l: Vec<C> = (0..n).map(|_| C::new(pseudo(&mut seed), pseudo(&mut seed))).collect();
            // The pairs in walking order: blocks of 2t, low half against high half.
            let mut pairs: Vec<[C; 4]> = Vec::new();
            for b in (0..n).step_by(2 * t) {
                for o in 0..t {
                    pairs.push([p[b + o], p[b + o + t], l[b + o], l[b + o + t]]);
                }
            }
            let mut want = [0.0; 4];
            reference(&prog, &mut pairs, &mut want);
            let (mut pp, mut ll, mut got) = (p.clone(), l.clone(), [0.0; 4]);
            if t >= 8 {
                for (pb, lb) in pp.chunks_exact_mut(2 * t).zip(ll.chunks_exact_mut(2 * t)) {
                    let ((p0, p1), (l0, l1)) = (pb.split_at_mut(t), lb.split_at_mut(t));
                    pair_program(&prog, p0, p1, l0, l1, &mut got);
                }
            } else {
                low_target_pairs(&prog, t, &mut pp, &mut ll, &mut got);
            }
            assert_eq!(want.map(f64::to_bits), got.map(f64::to_bits), "t = {t}");
            let mut k = 0;
            for b in (0..n).step_by(2 * t) {
                for o in 0..t {
                    let q = [pp[b + o], pp[b + o + t], ll[b + o], ll[b + o + t]];
                    assert!(q
                        .iter()
                        .zip(&pairs[k])
                        .all(|(x, y)| x.re.to_bits() == y.re.to_bits() && x.im.to_bits() == y.im.to_bits()));
                    k += 1;
                }
            }
        }
    }
}
