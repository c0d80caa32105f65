//! Pair kernels for single-target gates (RX, RY, RZ, X and their controlled forms such as CNOT), the gates
//! of hardware-efficient ansätze, used by the differentiation code's forward and backward passes.
//!
//! A gate on target q pairs the amplitudes i and i + 2^q for every i with bit q clear. The state is walked in
//! contiguous blocks of 2^{q+1} amplitudes (low half, high half), with dedicated loops for q = 0 and q = 1
//! where blocks are tiny, and in windows of the two halves when blocks are large. Controls are a mask test on
//! the index. A two-state form walks φ and λ together and returns a reduction, for the adjoint sweep.
//!
//! Under the `parallel` feature, states of at least [`PARALLEL_MIN_DIM`] amplitudes are cut into units of a
//! fixed size that rayon runs; partial sums are added in unit order, so results do not depend on the number of
//! threads.

use num_complex::Complex64 as C;

use super::circuit::Instruction;
use super::gate::Gate;
use super::kernels::{self, PARALLEL_MIN_DIM};

/// Amplitudes per unit of work.
const UNIT: usize = 1 << 12;

/// A single-target transformation of an amplitude pair (low, high).
pub(crate) trait Pair: Sync + Send {
    fn apply(&self, a0: &mut C, a1: &mut C);
}

/// A transformation of a pair of φ and a pair of λ at the same indices, with a contribution to a sum read
/// before it.
pub(crate) trait Pair2: Sync + Send {
    /// What each pair contributes to the sum.
    type Out: Acc;
    /// The contribution of a pair, read before the update.
    fn derivative(&self, p0: C, p1: C, l0: C, l1: C) -> Self::Out;
    /// The update of the pair in both states.
    fn update(&self, p0: &mut C, p1: &mut C, l0: &mut C, l1: &mut C);
}

/// A sum accumulator.
pub(crate) trait Acc: Copy + Send + Sync {
    const ZERO: Self;
    fn add(self, other: Self) -> Self;
}

impl Acc for f64 {
    const ZERO: f64 = 0.0;
    #[inline(always)]
    fn add(self, other: f64) -> f64 {
        self + other
    }
}

impl<const K: usize> Acc for [f64; K] {
    const ZERO: [f64; K] = [0.0; K];
    #[inline(always)]
    fn add(mut self, other: [f64; K]) -> [f64; K] {
        for k in 0..K {
            self[k] += other[k];
        }
        self
    }
}

#[inline(always)]
fn active(index: usize, ctrl: usize) -> bool {
    index & ctrl == ctrl
}

/// One unit of a single state: `lo[j]`, `hi[j]` at indices base + j and base + j + h (windows of large blocks).
#[inline(always)]
fn window1_body<F: Pair>(lo: &mut [C], hi: &mut [C], base: usize, ctrl: usize, f: &F) {
    if ctrl == 0 {
        for (a, b) in lo.iter_mut().zip(hi.iter_mut()) {
            f.apply(a, b);
        }
    } else {
        for (j, (a, b)) in lo.iter_mut().zip(hi.iter_mut()).enumerate() {
            if active(base + j, ctrl) {
                f.apply(a, b);
            }
        }
    }
}

/// One unit of whole blocks of 2h amplitudes starting at index `base`.
#[inline(always)]
fn region1_body<F: Pair>(region: &mut [C], base: usize, h: usize, ctrl: usize, f: &F) {
    match h {
        1 => {
            for (k, p) in region.chunks_exact_mut(2).enumerate() {
                if let [a, b] = p {
                    if ctrl == 0 || active(base + 2 * k, ctrl) {
                        f.apply(a, b);
                    }
                }
            }
        }
        2 => {
            for (k, p) in region.chunks_exact_mut(4).enumerate() {
                if let [a0, a1, b0, b1] = p {
                    let i = base + 4 * k;
                    if ctrl == 0 || active(i, ctrl) {
                        f.apply(a0, b0);
                    }
                    if ctrl == 0 || active(i + 1, ctrl) {
                        f.apply(a1, b1);
                    }
                }
            }
        }
        _ => {
            for (k, block) in region.chunks_exact_mut(2 * h).enumerate() {
                let (lo, hi) = block.split_at_mut(h);
                window1_body(lo, hi, base + 2 * h * k, ctrl, f);
            }
        }
    }
}

/// Whether the AVX2 and FMA instructions are available (checked once by std, then cached).
#[inline(always)]
fn wide() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

// The same loops compiled a second time with AVX2 enabled, so that they run on 256-bit vectors where the CPU
// has them. Rust never contracts a·b + c into a fused multiply-add by itself and the loops' sums keep their
// order, so both versions give the same bits.
macro_rules! dispatch {
    ($(fn $name:ident / $wide:ident / $body:ident <$g:ident: $tr:ident>($($arg:ident: $ty:ty),*) $(-> $ret:ty)?;)*) => {$(
        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = "avx2,fma")]
        unsafe fn $wide<$g: $tr>($($arg: $ty),*) $(-> $ret)? {
            $body($($arg),*)
        }

        #[inline(always)]
        fn $name<$g: $tr>($($arg: $ty),*) $(-> $ret)? {
            #[cfg(target_arch = "x86_64")]
            if wide() {
                // SAFETY: the CPU supports AVX2 and FMA (checked just above).
                return unsafe { $wide($($arg),*) };
            }
            $body($($arg),*)
        }
    )*};
}

dispatch! {
    fn region1 / region1_wide / region1_body <F: Pair>(region: &mut [C], base: usize, h: usize, ctrl: usize, f: &F);
    fn window1 / window1_wide / window1_body <F: Pair>(lo: &mut [C], hi: &mut [C], base: usize, ctrl: usize, f: &F);
    fn region2 / region2_wide / region2_body <F: Pair2>(p: &mut [C], l: &mut [C], base: usize, h: usize, ctrl: usize, f: &F) -> F::Out;
    fn window2 / window2_wide / window2_body <F: Pair2>(p: (&mut [C], &mut [C]), l: (&mut [C], &mut [C]), base: usize, ctrl: usize, f: &F) -> F::Out;
}

/// Applies `f` to every pair of amplitudes differing in bit `q` whose index has every bit of `ctrl` set.
pub(crate) fn pairs1<F: Pair>(state: &mut [C], q: usize, ctrl: usize, f: &F) {
    let dim = state.len();
    let h = 1usize << q;
    debug_assert!(2 * h <= dim && ctrl & h == 0);
    #[cfg(feature = "parallel")]
    if dim >= PARALLEL_MIN_DIM {
        use rayon::prelude::*;
        if 2 * h <= UNIT {
            state.par_chunks_mut(UNIT).enumerate().for_each(|(r, region)| region1(region, r * UNIT, h, ctrl, f));
        } else {
            let w = UNIT / 2;
            state.par_chunks_mut(2 * h).enumerate().for_each(|(k, block)| {
                let (lo, hi) = block.split_at_mut(h);
                lo.par_chunks_mut(w)
                    .zip(hi.par_chunks_mut(w))
                    .enumerate()
                    .for_each(|(i, (a, b))| window1(a, b, 2 * h * k + i * w, ctrl, f));
            });
        }
        return;
    }
    #[cfg(not(feature = "parallel"))]
    let _ = PARALLEL_MIN_DIM;
    if 2 * h <= UNIT {
        for (r, region) in state.chunks_mut(UNIT).enumerate() {
            region1(region, r * UNIT, h, ctrl, f);
        }
    } else {
        let w = UNIT / 2;
        for (k, block) in state.chunks_mut(2 * h).enumerate() {
            let (lo, hi) = block.split_at_mut(h);
            for (i, (a, b)) in lo.chunks_mut(w).zip(hi.chunks_mut(w)).enumerate() {
                window1(a, b, 2 * h * k + i * w, ctrl, f);
            }
        }
    }
}

#[inline(always)]
fn window2_body<F: Pair2>(p: (&mut [C], &mut [C]), l: (&mut [C], &mut [C]), base: usize, ctrl: usize, f: &F) -> F::Out {
    let mut acc = F::Out::ZERO;
    let it = p.0.iter_mut().zip(p.1.iter_mut()).zip(l.0.iter_mut().zip(l.1.iter_mut()));
    for (j, ((p0, p1), (l0, l1))) in it.enumerate() {
        if ctrl == 0 || active(base + j, ctrl) {
            acc = acc.add(f.derivative(*p0, *p1, *l0, *l1));
            f.update(p0, p1, l0, l1);
        }
    }
    acc
}

#[inline(always)]
fn region2_body<F: Pair2>(p: &mut [C], l: &mut [C], base: usize, h: usize, ctrl: usize, f: &F) -> F::Out {
    let mut acc = F::Out::ZERO;
    if h == 1 {
        for (k, (pp, ll)) in p.chunks_exact_mut(2).zip(l.chunks_exact_mut(2)).enumerate() {
            if let ([p0, p1], [l0, l1]) = (pp, ll) {
                if ctrl == 0 || active(base + 2 * k, ctrl) {
                    acc = acc.add(f.derivative(*p0, *p1, *l0, *l1));
                    f.update(p0, p1, l0, l1);
                }
            }
        }
        return acc;
    }
    for (k, (pb, lb)) in p.chunks_exact_mut(2 * h).zip(l.chunks_exact_mut(2 * h)).enumerate() {
        acc = acc.add(window2_body(pb.split_at_mut(h), lb.split_at_mut(h), base + 2 * h * k, ctrl, f));
    }
    acc
}

/// Applies `f` to every pair of φ and the same pair of λ (bit `q`, controls `ctrl`), returning the sum of its
/// results, added unit by unit in a fixed order.
pub(crate) fn pairs2<F: Pair2>(phi: &mut [C], lambda: &mut [C], q: usize, ctrl: usize, f: &F) -> F::Out {
    let dim = phi.len();
    assert_eq!(dim, lambda.len());
    let h = 1usize << q;
    debug_assert!(2 * h <= dim && ctrl & h == 0);
    #[cfg(feature = "parallel")]
    if dim >= PARALLEL_MIN_DIM {
        use rayon::prelude::*;
        let partials: Vec<F::Out> = if 2 * h <= UNIT {
            phi.par_chunks_mut(UNIT)
                .zip(lambda.par_chunks_mut(UNIT))
                .enumerate()
                .map(|(r, (p, l))| region2(p, l, r * UNIT, h, ctrl, f))
                .collect()
        } else {
            let w = UNIT / 2;
            let per_block: Vec<Vec<F::Out>> = phi
                .par_chunks_mut(2 * h)
                .zip(lambda.par_chunks_mut(2 * h))
                .enumerate()
                .map(|(k, (pb, lb))| {
                    let ((p0, p1), (l0, l1)) = (pb.split_at_mut(h), lb.split_at_mut(h));
                    p0.par_chunks_mut(w)
                        .zip(p1.par_chunks_mut(w))
                        .zip(l0.par_chunks_mut(w).zip(l1.par_chunks_mut(w)))
                        .enumerate()
                        .map(|(i, (p, l))| window2(p, l, 2 * h * k + i * w, ctrl, f))
                        .collect()
                })
                .collect();
            per_block.into_iter().flatten().collect()
        };
        return partials.into_iter().fold(F::Out::ZERO, Acc::add);
    }
    let mut total = F::Out::ZERO;
    if 2 * h <= UNIT {
        for (r, (p, l)) in phi.chunks_mut(UNIT).zip(lambda.chunks_mut(UNIT)).enumerate() {
            total = total.add(region2(p, l, r * UNIT, h, ctrl, f));
        }
    } else {
        let w = UNIT / 2;
        for (k, (pb, lb)) in phi.chunks_mut(2 * h).zip(lambda.chunks_mut(2 * h)).enumerate() {
            let ((p0, p1), (l0, l1)) = (pb.split_at_mut(h), lb.split_at_mut(h));
            let units = p0.chunks_mut(w).zip(p1.chunks_mut(w)).zip(l0.chunks_mut(w).zip(l1.chunks_mut(w)));
            for (i, (p, l)) in units.enumerate() {
                total = total.add(window2(p, l, 2 * h * k + i * w, ctrl, f));
            }
        }
    }
    total
}

/// RX(θ) = [[c, −is], [−is, c]] with c = cos θ/2, s = sin θ/2.
#[derive(Clone, Copy)]
pub(crate) struct Rx {
    pub(crate) c: f64,
    pub(crate) s: f64,
}
/// RY(θ) = [[c, −s], [s, c]].
#[derive(Clone, Copy)]
pub(crate) struct Ry {
    pub(crate) c: f64,
    pub(crate) s: f64,
}
/// RZ(θ) = diag(e0, e1).
#[derive(Clone, Copy)]
pub(crate) struct Rz {
    pub(crate) e0: C,
    pub(crate) e1: C,
}
/// X: swaps the pair.
pub(crate) struct Flip;

impl Pair for Rx {
    #[inline(always)]
    fn apply(&self, a0: &mut C, a1: &mut C) {
        let (u, v) = (*a0, *a1);
        *a0 = C::new(self.c * u.re + self.s * v.im, self.c * u.im - self.s * v.re);
        *a1 = C::new(self.c * v.re + self.s * u.im, self.c * v.im - self.s * u.re);
    }
}

impl Pair for Ry {
    #[inline(always)]
    fn apply(&self, a0: &mut C, a1: &mut C) {
        let (u, v) = (*a0, *a1);
        *a0 = C::new(self.c * u.re - self.s * v.re, self.c * u.im - self.s * v.im);
        *a1 = C::new(self.s * u.re + self.c * v.re, self.s * u.im + self.c * v.im);
    }
}

impl Pair for Rz {
    #[inline(always)]
    fn apply(&self, a0: &mut C, a1: &mut C) {
        *a0 *= self.e0;
        *a1 *= self.e1;
    }
}

impl Pair for Flip {
    #[inline(always)]
    fn apply(&self, a0: &mut C, a1: &mut C) {
        std::mem::swap(a0, a1);
    }
}

/// An uncontrolled single-qubit Pauli rotation exp(−iθP/2) on one target.
#[derive(Clone, Copy)]
pub(crate) enum Rot {
    X(Rx),
    Y(Ry),
    Z(Rz),
}

impl Rot {
    /// The target of `inst` when it is RX, RY or RZ without controls (no trigonometry: a cheap test).
    #[inline]
    pub(crate) fn target_of(inst: &Instruction) -> Option<usize> {
        match inst.gate() {
            Gate::RX(_) | Gate::RY(_) | Gate::RZ(_) if inst.controls().is_empty() => Some(inst.targets()[0]),
            _ => None,
        }
    }

    /// The rotation on the target of `inst` by its angle θ (`inverse`: by −θ) when `inst` is RX, RY or RZ
    /// without controls.
    #[inline]
    pub(crate) fn of(inst: &Instruction, theta: f64, inverse: bool) -> Option<(usize, Rot)> {
        if inst.control_mask() != 0 {
            return None;
        }
        let theta = if inverse { -theta } else { theta };
        let (s, c) = (theta / 2.0).sin_cos();
        let rot = match inst.gate() {
            Gate::RX(_) => Rot::X(Rx { c, s }),
            Gate::RY(_) => Rot::Y(Ry { c, s }),
            Gate::RZ(_) => Rot::Z(Rz { e0: C::new(c, -s), e1: C::new(c, s) }),
            _ => return None,
        };
        Some((inst.op_targets()[0], rot))
    }
}

/// A rotation with its generator's matrix element: 2·Re⟨λ|(−iP/2)|φ⟩ on one pair.
pub(crate) trait Rotation: Pair + Copy {
    fn derivative(p0: C, p1: C, l0: C, l1: C) -> f64;
}

impl Rotation for Rx {
    #[inline(always)]
    fn derivative(p0: C, p1: C, l0: C, l1: C) -> f64 {
        (l0.conj() * p1 + l1.conj() * p0).im
    }
}

impl Rotation for Ry {
    #[inline(always)]
    fn derivative(p0: C, p1: C, l0: C, l1: C) -> f64 {
        (l1.conj() * p0 - l0.conj() * p1).re
    }
}

impl Rotation for Rz {
    #[inline(always)]
    fn derivative(p0: C, p1: C, l0: C, l1: C) -> f64 {
        (l0.conj() * p0).im - (l1.conj() * p1).im
    }
}

/// Two rotations on one qubit applied in order to each pair: one pass for both, the same arithmetic as a pass
/// per gate.
#[derive(Clone, Copy)]
pub(crate) struct Then<A, B>(pub(crate) A, pub(crate) B);

impl<A: Pair, B: Pair> Pair for Then<A, B> {
    #[inline(always)]
    fn apply(&self, a0: &mut C, a1: &mut C) {
        self.0.apply(a0, a1);
        self.1.apply(a0, a1);
    }
}

/// The adjoint sweep over one rotation: its derivative, then the (inverse) rotation held on φ and λ.
#[derive(Clone, Copy)]
pub(crate) struct Back<A>(pub(crate) A);

impl<A: Rotation> Pair2 for Back<A> {
    type Out = f64;
    #[inline(always)]
    fn derivative(&self, p0: C, p1: C, l0: C, l1: C) -> f64 {
        A::derivative(p0, p1, l0, l1)
    }
    #[inline(always)]
    fn update(&self, p0: &mut C, p1: &mut C, l0: &mut C, l1: &mut C) {
        self.0.apply(p0, p1);
        self.0.apply(l0, l1);
    }
}

/// Calls `$body` with `$a` and `$b` bound to the concrete rotations inside two [`Rot`]s.
macro_rules! with_two {
    ($x:expr, $y:expr, |$a:ident, $b:ident| $body:expr) => {
        match ($x, $y) {
            (Rot::X($a), Rot::X($b)) => $body,
            (Rot::X($a), Rot::Y($b)) => $body,
            (Rot::X($a), Rot::Z($b)) => $body,
            (Rot::Y($a), Rot::X($b)) => $body,
            (Rot::Y($a), Rot::Y($b)) => $body,
            (Rot::Y($a), Rot::Z($b)) => $body,
            (Rot::Z($a), Rot::X($b)) => $body,
            (Rot::Z($a), Rot::Y($b)) => $body,
            (Rot::Z($a), Rot::Z($b)) => $body,
        }
    };
}

/// Applies `first` then `second` on qubit `q` in one pass.
pub(crate) fn apply_two(state: &mut [C], q: usize, first: Rot, second: Rot) {
    with_two!(first, second, |a, b| pairs1(state, q, 0, &Then(a, b)))
}

/// The adjoint sweep over two rotations on qubit `q` (one pass each: fusing them into one pass compiled to
/// slower code); `later` and `earlier` are their inverses. Returns the two derivatives, later gate first.
pub(crate) fn back_two(phi: &mut [C], lambda: &mut [C], q: usize, later: Rot, earlier: Rot) -> [f64; 2] {
    [back_one(phi, lambda, q, later), back_one(phi, lambda, q, earlier)]
}

/// The adjoint sweep over one rotation on qubit `q`; `inverse` is its inverse. Returns its derivative.
pub(crate) fn back_one(phi: &mut [C], lambda: &mut [C], q: usize, inverse: Rot) -> f64 {
    match inverse {
        Rot::X(r) => pairs2(phi, lambda, q, 0, &Back(r)),
        Rot::Y(r) => pairs2(phi, lambda, q, 0, &Back(r)),
        Rot::Z(r) => pairs2(phi, lambda, q, 0, &Back(r)),
    }
}

/// Applies `inst` (or its inverse) with the given angles: RX, RY, RZ, X, CNOT, Toffoli and their controlled
/// forms through the pair kernels, every other gate through the general kernels.
pub(crate) fn apply(state: &mut [C], inst: &Instruction, angles: [f64; 3], inverse: bool) {
    let gate = inst.gate();
    let ctrl = inst.control_mask();
    let targets = inst.op_targets();
    let theta = if inverse { -angles[0] } else { angles[0] };
    let (s, c) = (theta / 2.0).sin_cos();
    match gate {
        Gate::RX(_) | Gate::CRX(_) => pairs1(state, targets[0], ctrl, &Rx { c, s }),
        Gate::RY(_) | Gate::CRY(_) => pairs1(state, targets[0], ctrl, &Ry { c, s }),
        Gate::RZ(_) | Gate::CRZ(_) => pairs1(state, targets[0], ctrl, &Rz { e0: C::new(c, -s), e1: C::new(c, s) }),
        Gate::X | Gate::CNOT | Gate::Toffoli => pairs1(state, targets[0], ctrl, &Flip),
        _ => {
            let op = gate.lower(angles);
            let op = if inverse { op.adjoint() } else { op };
            kernels::apply_op(state, &op, targets, ctrl);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quantum::{Param, StateVector};

    /// The pair kernels equal the general kernels for every target, with and without controls, on states small
    /// and large enough for the windowed and parallel paths.
    #[test]
    fn pair_kernels_match_general_kernels() {
        for n in [3usize, 6, 15] {
            let dim = 1usize << n;
            let amps: Vec<C> = (0..dim).map(|i| C::new((i as f64 * 0.37).sin(), (i as f64 * 0.11).cos())).collect();
            let norm = amps.iter().map(|a| a.norm_sqr()).sum::<f64>().sqrt();
            let amps: Vec<C> = amps.iter().map(|a| a / norm).collect();
            let gates =
                [Gate::RX(Param::Const(0.7)), Gate::RY(Param::Const(-1.3)), Gate::RZ(Param::Const(2.2)), Gate::X];
            for gate in gates {
                for q in [0, 1, 2, n - 1] {
                    for controls in [vec![], vec![(q + 1) % n], vec![(q + n - 1) % n, (q + 2) % n]] {
                        let controls: Vec<usize> = controls.into_iter().filter(|&c| c != q).collect();
                        let mut controls = controls;
                        controls.dedup();
                        let Ok(inst) = Instruction::new(gate.clone(), vec![q], controls) else { continue };
                        for inverse in [false, true] {
                            let mut fast = amps.clone();
                            apply(&mut fast, &inst, inst.angles(&[], &[]), inverse);
                            let mut slow = StateVector::from_amplitudes(amps.clone()).unwrap();
                            if inverse {
                                slow.apply_inverse(&inst, &[], &[]).unwrap();
                            } else {
                                slow.apply(&inst, &[], &[]).unwrap();
                            }
                            let err =
                                fast.iter().zip(slow.amplitudes()).map(|(a, b)| (a - b).norm()).fold(0.0, f64::max);
                            assert!(err < 1e-14, "{inst} n={n} inverse={inverse}: {err}");
                        }
                    }
                }
            }
        }
    }
}
