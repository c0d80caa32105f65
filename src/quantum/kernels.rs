//! In-place state-vector kernels.
//!
//! Every gate application walks the amplitudes it changes as *runs*: for a set of fixed bits (targets and
//! controls) the amplitudes whose fixed bits take one pattern fall into contiguous runs of length 2^b, b the
//! lowest fixed bit. A kernel receives, for each run, one slice per pattern it needs (two for a 1-qubit
//! matrix, four for a 2-qubit one, one for a phase on a subspace) and updates them element by element, so
//! inner loops are contiguous and free of index arithmetic. Nothing is allocated per gate.
//!
//! Under the `parallel` feature, states of at least [`PARALLEL_MIN_DIM`] amplitudes are cut into tasks of a
//! fixed size that rayon runs on its pool; each amplitude is written by exactly one task with the same
//! arithmetic, so results are bit-identical to one thread. Reductions (norms, expectations, inner products)
//! sum fixed-size chunks and then add the partial sums in order, for the same reason.

use num_complex::Complex64 as C;

use super::op::{Op, ONE};

/// States with at least this many amplitudes are processed in parallel (feature `parallel`).
pub(crate) const PARALLEL_MIN_DIM: usize = 1 << 14;

/// Amplitudes per slice in one parallel task.
#[cfg(feature = "parallel")]
const TASK_LEN: usize = 1 << 12;

/// Amplitudes per partial sum in reductions; fixed so that sums do not depend on the thread count.
const REDUCE_CHUNK: usize = 1 << 12;

/// A raw pointer that may cross threads: every task writes a disjoint set of amplitudes.
#[derive(Clone, Copy)]
struct SharedMut(*mut C);
// SAFETY: the driver hands each task index ranges that no other task touches (see `drive`).
unsafe impl Send for SharedMut {}
unsafe impl Sync for SharedMut {}

/// Where the runs are: the fixed bit positions, in ascending order.
#[derive(Clone, Copy)]
struct Fixed {
    positions: [u32; usize::BITS as usize],
    len: usize,
}

impl Fixed {
    fn new(mask: usize) -> Self {
        let mut positions = [0; usize::BITS as usize];
        let mut len = 0;
        let mut m = mask;
        while m != 0 {
            positions[len] = m.trailing_zeros();
            len += 1;
            m &= m - 1;
        }
        Fixed { positions, len }
    }

    /// Spreads a free index over the non-fixed bits (fixed bits become zero).
    #[inline(always)]
    fn expand(&self, mut j: usize) -> usize {
        for &p in &self.positions[..self.len] {
            let low = j & ((1usize << p) - 1);
            j = ((j >> p) << (p + 1)) | low;
        }
        j
    }
}

/// Runs `leaf` over every run of the state. For a run starting at base index `b` (fixed bits zero, control
/// bits set), slice k covers `b + offsets[k] ..` with the run's length.
///
/// `fixed_mask` holds every target and control bit; `ctrl_mask` (a subset) the bits that must be set.
/// `offsets` must only set target bits, and must be distinct.
#[inline(always)]
fn drive<const K: usize, F>(state: &mut [C], fixed_mask: usize, ctrl_mask: usize, offsets: [usize; K], leaf: F)
where
    F: Fn([&mut [C]; K]) + Sync + Send,
{
    let dim = state.len();
    debug_assert!(dim.is_power_of_two() && fixed_mask < dim && fixed_mask != 0);
    debug_assert!(offsets.iter().all(|&o| o & !fixed_mask == 0 && o & ctrl_mask == 0));
    let fixed = Fixed::new(fixed_mask);
    let low = fixed_mask.trailing_zeros();
    let run = 1usize << low;
    let num_runs = dim >> (fixed.len as u32 + low);
    // The free bits at or above `low`: run starts enumerate their subsets in increasing order.
    let free = !fixed_mask & (dim - 1) & !(run - 1);
    let ptr = SharedMut(state.as_mut_ptr());

    // Processes runs [first, last) restricted to the window [start, start + len) inside each run. `len` is a
    // literal in the common short cases so that the compiler unrolls the leaf's loops.
    #[derive(Clone, Copy)]
    struct Plan<const K: usize> {
        ptr: SharedMut,
        free: usize,
        ctrl_mask: usize,
        offsets: [usize; K],
    }
    #[inline(always)]
    fn runs<const K: usize, F: Fn([&mut [C]; K])>(
        plan: Plan<K>,
        mut cur: usize,
        count: usize,
        start: usize,
        len: usize,
        leaf: &F,
    ) {
        for _ in 0..count {
            let base = cur | plan.ctrl_mask;
            // SAFETY: run starts are distinct subsets of `free` (bits at or above the lowest fixed bit), with
            // every fixed bit zero; `offsets` set distinct patterns of target bits, which are zero in
            // `ctrl_mask`. So the K slices of one run are disjoint, slices of different runs are disjoint, and
            // windows of one run are disjoint. Every index is below `dim` because all bits involved are.
            let slices: [&mut [C]; K] = std::array::from_fn(|k| unsafe {
                std::slice::from_raw_parts_mut(plan.ptr.0.add(base + plan.offsets[k] + start), len)
            });
            leaf(slices);
            // The next subset of `free` in increasing order.
            cur = ((cur | !plan.free).wrapping_add(1)) & plan.free;
        }
    }
    let plan = Plan { ptr, free, ctrl_mask, offsets };
    let process = |first: usize, last: usize, start: usize, len: usize| {
        let cur = fixed.expand(first << low);
        let count = last - first;
        match len {
            1 => runs(plan, cur, count, start, 1, &leaf),
            2 => runs(plan, cur, count, start, 2, &leaf),
            4 => runs(plan, cur, count, start, 4, &leaf),
            _ => runs(plan, cur, count, start, len, &leaf),
        }
    };

    #[cfg(feature = "parallel")]
    if dim >= PARALLEL_MIN_DIM {
        use rayon::prelude::*;
        if run >= TASK_LEN {
            let per_run = run / TASK_LEN;
            (0..num_runs * per_run)
                .into_par_iter()
                .for_each(|t| process(t / per_run, t / per_run + 1, (t % per_run) * TASK_LEN, TASK_LEN));
        } else {
            let group = TASK_LEN / run;
            (0..num_runs.div_ceil(group))
                .into_par_iter()
                .for_each(|g| process(g * group, ((g + 1) * group).min(num_runs), 0, run));
        }
        return;
    }
    process(0, num_runs, 0, run);
}

#[inline(always)]
fn scale<const AVX: bool>(slice: &mut [C], d: C) {
    if d == -ONE {
        slice.iter_mut().for_each(|x| *x = -*x);
    } else {
        #[cfg(target_arch = "x86_64")]
        if AVX {
            // SAFETY: AVX is true only in `apply_op_avx2`, entered after detecting AVX2.
            unsafe { super::simd::scale(slice, d) };
            return;
        }
        slice.iter_mut().for_each(|x| *x *= d);
    }
}

/// Multiplies by `d` every amplitude whose `fixed_mask` bits equal `pattern` (a phase on a subspace), with the
/// choice between negation and multiplication made once, not per run.
#[inline(always)]
fn phase_subspace<const AVX: bool>(state: &mut [C], fixed_mask: usize, pattern: usize, d: C) {
    if d == -ONE {
        drive(state, fixed_mask, pattern, [0], |[s]| s.iter_mut().for_each(|x| *x = -*x));
    } else {
        drive(state, fixed_mask, pattern, [0], |[s]| scale::<AVX>(s, d));
    }
}

/// Views complex amplitudes as interleaved (re, im) pairs of `f64`.
#[inline(always)]
fn as_f64(s: &mut [C]) -> &mut [f64] {
    // SAFETY: `Complex<f64>` is `#[repr(C)]` with fields `re, im`, so a slice of n complex numbers has the
    // layout of 2n `f64`s with the same alignment; the borrow is carried over.
    unsafe { std::slice::from_raw_parts_mut(s.as_mut_ptr().cast::<f64>(), s.len() * 2) }
}

/// Calls `leaf(lo, hi)` for every pair of half-blocks of target bit `t`, with no controls: contiguous chunks,
/// no index arithmetic per run.
///
/// For t = 0 the pairs are adjacent and `adjacent(chunk)` handles a whole even-length chunk at once.
#[inline(always)]
fn drive_pairs<F, A>(state: &mut [C], t: usize, leaf: F, adjacent: A)
where
    F: Fn(&mut [C], &mut [C]) + Sync + Send,
    A: Fn(&mut [C]) + Sync + Send,
{
    let half = 1usize << t;
    #[inline(always)]
    fn blocks<F: Fn(&mut [C], &mut [C])>(chunk: &mut [C], half: usize, leaf: &F) {
        for b in chunk.chunks_exact_mut(2 * half) {
            let (lo, hi) = b.split_at_mut(half);
            leaf(lo, hi);
        }
    }
    let serial = |chunk: &mut [C]| match half {
        1 => adjacent(chunk),
        2 => blocks(chunk, 2, &leaf),
        _ => blocks(chunk, half, &leaf),
    };
    #[cfg(feature = "parallel")]
    if state.len() >= PARALLEL_MIN_DIM {
        use rayon::prelude::*;
        let block = half << 1;
        if block <= TASK_LEN {
            state.par_chunks_mut(TASK_LEN).for_each(serial);
        } else {
            // One flat set of tasks over every block's windows: no fork-join per block.
            drive(state, half, 0, [0, half], |[lo, hi]| leaf(lo, hi));
        }
        return;
    }
    serial(state);
}

/// The 2x2 leaf for `m`, specialised by the matrix's structure.
#[inline(always)]
fn mat1_leaf<const AVX: bool>(m: [[C; 2]; 2]) -> impl Fn(&mut [C], &mut [C]) + Sync + Send + Copy {
    let [[m00, m01], [m10, m11]] = m;
    let real = m.iter().flatten().all(|x| x.im == 0.0);
    // RX-like: real diagonal, imaginary off-diagonal.
    let rx_like = m00.im == 0.0 && m11.im == 0.0 && m01.re == 0.0 && m10.re == 0.0;
    move |s0: &mut [C], s1: &mut [C]| {
        #[cfg(target_arch = "x86_64")]
        if AVX && s0.len() >= 2 {
            // SAFETY: AVX is true only in `apply_op_avx2`, entered after detecting AVX2. Each loop computes the
            // portable loop's arithmetic below, operation for operation.
            unsafe {
                if real {
                    super::simd::real_split(s0, s1, [[m00.re, m01.re], [m10.re, m11.re]]);
                } else if rx_like {
                    super::simd::rx_split(s0, s1, [m00.re, m01.im, m10.im, m11.re]);
                } else {
                    super::simd::mat1_split(s0, s1, m);
                }
            }
            return;
        }
        if real {
            let (a, b, c, d) = (m00.re, m01.re, m10.re, m11.re);
            for (x, y) in as_f64(s0).iter_mut().zip(as_f64(s1).iter_mut()) {
                let (u, v) = (*x, *y);
                *x = a * u + b * v;
                *y = c * u + d * v;
            }
        } else if rx_like {
            let (a, b, c, d) = (m00.re, m01.im, m10.im, m11.re);
            for (x, y) in s0.iter_mut().zip(s1.iter_mut()) {
                let (u, v) = (*x, *y);
                *x = C::new(a * u.re - b * v.im, a * u.im + b * v.re);
                *y = C::new(d * v.re - c * u.im, d * v.im + c * u.re);
            }
        } else {
            for (x, y) in s0.iter_mut().zip(s1.iter_mut()) {
                let (u, v) = (*x, *y);
                *x = m00 * u + m01 * v;
                *y = m10 * u + m11 * v;
            }
        }
    }
}

/// Applies `op` to `targets` (one or two qubits, distinct) when every bit of `ctrl_mask` is set.
///
/// The caller has checked that targets and controls are distinct and in range. On x86-64 processors with
/// AVX2 the same code is compiled for AVX2 and chosen at run time; no fused multiply-add is introduced, so
/// both paths give bit-identical results.
pub(crate) fn apply_op(state: &mut [C], op: &Op, targets: &[usize], ctrl_mask: usize) {
    debug_assert_eq!(targets.len(), op.arity());
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the processor supports AVX2, checked just above.
        unsafe { apply_op_avx2(state, op, targets, ctrl_mask) };
        return;
    }
    apply_op_impl::<false>(state, op, targets, ctrl_mask);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn apply_op_avx2(state: &mut [C], op: &Op, targets: &[usize], ctrl_mask: usize) {
    apply_op_impl::<true>(state, op, targets, ctrl_mask);
}

/// Runs `leaf` on every adjacent pair of an even-length chunk (the t = 0 case without SIMD).
#[inline(always)]
fn adjacent_pairs<F: Fn(&mut [C], &mut [C])>(chunk: &mut [C], leaf: &F) {
    for b in chunk.chunks_exact_mut(2) {
        let (lo, hi) = b.split_at_mut(1);
        leaf(lo, hi);
    }
}

#[inline(always)]
fn apply_op_impl<const AVX: bool>(state: &mut [C], op: &Op, targets: &[usize], ctrl_mask: usize) {
    match *op {
        Op::Diag1([d0, d1]) => {
            let t = 1usize << targets[0];
            match (d0 == ONE, d1 == ONE) {
                (true, true) => {}
                // A phase on the subspace where the target and all controls are 1 (Z, S, T, CZ, CPhase).
                (true, false) => phase_subspace::<AVX>(state, t | ctrl_mask, t | ctrl_mask, d1),
                (false, true) => phase_subspace::<AVX>(state, t | ctrl_mask, ctrl_mask, d0),
                (false, false) => {
                    let leaf = move |s0: &mut [C], s1: &mut [C]| {
                        scale::<AVX>(s0, d0);
                        scale::<AVX>(s1, d1);
                    };
                    if ctrl_mask == 0 {
                        let adjacent = move |chunk: &mut [C]| {
                            #[cfg(target_arch = "x86_64")]
                            if AVX {
                                // SAFETY: AVX2 was detected before entering the AVX instantiation.
                                unsafe { super::simd::diag_adjacent(chunk, d0, d1) };
                                return;
                            }
                            adjacent_pairs(chunk, &leaf);
                        };
                        drive_pairs(state, targets[0], leaf, adjacent);
                    } else {
                        drive(state, t | ctrl_mask, ctrl_mask, [0, t], |[s0, s1]| leaf(s0, s1));
                    }
                }
            }
        }
        Op::Anti1(a, b) => {
            let t = 1usize << targets[0];
            let swap = |s0: &mut [C], s1: &mut [C]| {
                if s0.len() >= 8 {
                    s0.swap_with_slice(s1);
                } else {
                    s0.iter_mut().zip(s1.iter_mut()).for_each(|(x, y)| std::mem::swap(x, y));
                }
            };
            let phased = move |s0: &mut [C], s1: &mut [C]| {
                for (x, y) in s0.iter_mut().zip(s1.iter_mut()) {
                    let (u, v) = (*x, *y);
                    *x = a * v;
                    *y = b * u;
                }
            };
            match (a == ONE && b == ONE, ctrl_mask == 0) {
                (true, true) => drive_pairs(state, targets[0], swap, |chunk| adjacent_pairs(chunk, &swap)),
                (true, false) => drive(state, t | ctrl_mask, ctrl_mask, [0, t], |[s0, s1]| swap(s0, s1)),
                (false, true) => drive_pairs(state, targets[0], phased, |chunk| adjacent_pairs(chunk, &phased)),
                (false, false) => drive(state, t | ctrl_mask, ctrl_mask, [0, t], |[s0, s1]| phased(s0, s1)),
            }
        }
        Op::Mat1(m) => {
            let t = 1usize << targets[0];
            let leaf = mat1_leaf::<AVX>(m);
            if ctrl_mask == 0 {
                let adjacent = move |chunk: &mut [C]| {
                    #[cfg(target_arch = "x86_64")]
                    if AVX {
                        // SAFETY: AVX2 was detected before entering the AVX instantiation.
                        unsafe { super::simd::mat1_adjacent(chunk, m) };
                        return;
                    }
                    adjacent_pairs(chunk, &leaf);
                };
                drive_pairs(state, targets[0], leaf, adjacent);
            } else {
                drive(state, t | ctrl_mask, ctrl_mask, [0, t], |[s0, s1]| leaf(s0, s1));
            }
        }
        Op::Diag2(d) => {
            let (t0, t1) = (1usize << targets[0], 1usize << targets[1]);
            drive(state, t0 | t1 | ctrl_mask, ctrl_mask, [0, t0, t1, t0 | t1], |slices| {
                for (s, &dk) in slices.into_iter().zip(d.iter()) {
                    if dk != ONE {
                        scale::<AVX>(s, dk);
                    }
                }
            });
        }
        Op::Swap2(p) => {
            let (t0, t1) = (1usize << targets[0], 1usize << targets[1]);
            drive(state, t0 | t1 | ctrl_mask, ctrl_mask, [t0, t1], |[s0, s1]| {
                if p == ONE {
                    s0.iter_mut().zip(s1.iter_mut()).for_each(|(x, y)| std::mem::swap(x, y));
                } else {
                    for (x, y) in s0.iter_mut().zip(s1.iter_mut()) {
                        let (u, v) = (*x, *y);
                        *x = p * v;
                        *y = p * u;
                    }
                }
            });
        }
        Op::Mat2(m) => {
            let (t0, t1) = (1usize << targets[0], 1usize << targets[1]);
            drive(state, t0 | t1 | ctrl_mask, ctrl_mask, [0, t0, t1, t0 | t1], |[s0, s1, s2, s3]| {
                for i in 0..s0.len() {
                    let v = [s0[i], s1[i], s2[i], s3[i]];
                    let row = |r: usize| m[r][0] * v[0] + m[r][1] * v[1] + m[r][2] * v[2] + m[r][3] * v[3];
                    s0[i] = row(0);
                    s1[i] = row(1);
                    s2[i] = row(2);
                    s3[i] = row(3);
                }
            });
        }
    }
}

/// Σ f(chunk) over fixed chunks of `0..len`, the partial sums added in chunk order.
pub(crate) fn chunked_sum<T, F>(len: usize, f: F) -> T
where
    T: Send + std::iter::Sum<T> + Copy,
    F: Fn(std::ops::Range<usize>) -> T + Sync + Send,
{
    let chunks = len.div_ceil(REDUCE_CHUNK);
    let range = |c: usize| c * REDUCE_CHUNK..((c + 1) * REDUCE_CHUNK).min(len);
    #[cfg(feature = "parallel")]
    if len >= PARALLEL_MIN_DIM {
        use rayon::prelude::*;
        let partials: Vec<T> = (0..chunks).into_par_iter().map(|c| f(range(c))).collect();
        return partials.into_iter().sum();
    }
    (0..chunks).map(|c| f(range(c))).sum()
}

/// ⟨a|b⟩ = Σ conj(a_i) b_i.
pub(crate) fn inner(a: &[C], b: &[C]) -> C {
    chunked_sum(a.len(), |r| a[r.clone()].iter().zip(&b[r]).map(|(x, y)| x.conj() * y).sum::<C>())
}

/// Σ |a_i|².
pub(crate) fn norm_sqr(a: &[C]) -> f64 {
    chunked_sum(a.len(), |r| a[r].iter().map(|x| x.norm_sqr()).sum::<f64>())
}

/// ⟨a|P|b⟩ for the Pauli string P = i^{ny} X^{flip} Z^{phase} described by its masks: P|i⟩ =
/// i^{ny} (−1)^{|i ∧ phase|} |i ⊕ flip⟩, `flip` the X and Y positions and `phase` the Z and Y positions.
pub(crate) fn pauli_matrix_element(a: &[C], b: &[C], flip: usize, phase: usize, num_y: u32) -> C {
    let sum = chunked_sum(a.len(), |r| {
        let mut acc = C::new(0.0, 0.0);
        for i in r {
            let term = a[i ^ flip].conj() * b[i];
            if (i & phase).count_ones() & 1 == 1 {
                acc -= term;
            } else {
                acc += term;
            }
        }
        acc
    });
    sum * i_pow(num_y)
}

/// i^k.
pub(crate) fn i_pow(k: u32) -> C {
    match k % 4 {
        0 => C::new(1.0, 0.0),
        1 => C::new(0.0, 1.0),
        2 => C::new(-1.0, 0.0),
        _ => C::new(0.0, -1.0),
    }
}

/// ⟨ψ|P|ψ⟩ for a diagonal Pauli string (Z and I only): Σ |ψ_i|² (−1)^{|i ∧ phase|}.
pub(crate) fn diagonal_pauli_expectation(a: &[C], phase: usize) -> f64 {
    chunked_sum(a.len(), |r| {
        let mut acc = 0.0;
        for i in r {
            let p = a[i].norm_sqr();
            if (i & phase).count_ones() & 1 == 1 {
                acc -= p;
            } else {
                acc += p;
            }
        }
        acc
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quantum::op::{I, ZERO};

    /// The textbook action of `op` on a state: for every index whose controls are set and whose target bits
    /// are zero, gather the 2 or 4 amplitudes, multiply by the dense matrix, scatter back.
    fn naive(state: &mut [C], op: &Op, targets: &[usize], ctrl_mask: usize) {
        let m = op.dense();
        let k = targets.len();
        let tmask = targets.iter().fold(0, |a, &t| a | (1usize << t));
        for i in 0..state.len() {
            if i & ctrl_mask != ctrl_mask || i & tmask != 0 {
                continue;
            }
            let index = |a: usize| (0..k).fold(i, |acc, j| acc | (((a >> j) & 1) << targets[j]));
            let v: Vec<C> = (0..1 << k).map(|a| state[index(a)]).collect();
            for (r, row) in m.iter().enumerate() {
                state[index(r)] = row.iter().zip(&v).map(|(x, y)| x * y).sum();
            }
        }
    }

    /// A deterministic pseudo-random generator for the test (no dependency on rand here).
    fn lcg(s: &mut u64) -> u64 {
        *s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        *s >> 33
    }

    #[test]
    fn kernels_match_the_textbook_action_on_large_states() {
        let mut seed = 12345u64;
        let rnd = |s: &mut u64| (lcg(s) as f64 / (1u64 << 31) as f64) - 1.0;
        for n in [14usize, 15] {
            let dim = 1usize << n;
            let start: Vec<C> = (0..dim).map(|_| C::new(rnd(&mut seed), rnd(&mut seed))).collect();
            let c = |s: &mut u64| C::new(rnd(s), rnd(s));
            for trial in 0..60 {
                let op = match trial % 6 {
                    0 => Op::Diag1([c(&mut seed), c(&mut seed)]),
                    1 => {
                        if trial % 12 == 1 {
                            Op::Anti1(ONE, ONE)
                        } else {
                            Op::Anti1(c(&mut seed), c(&mut seed))
                        }
                    }
                    2 => Op::Mat1([[c(&mut seed), c(&mut seed)], [c(&mut seed), c(&mut seed)]]),
                    3 => Op::Diag2([c(&mut seed), ONE, c(&mut seed), -ONE]),
                    4 => Op::Swap2(if trial % 12 == 4 { ONE } else { I }),
                    _ => {
                        let mut m = [[ZERO; 4]; 4];
                        m.iter_mut().flatten().for_each(|x| *x = c(&mut seed));
                        Op::Mat2(m)
                    }
                };
                // Distinct qubits: targets first, then 0 to 2 controls; low and high bits both appear.
                let mut pool: Vec<usize> = (0..n).collect();
                let mut pick = |s: &mut u64| pool.remove(lcg(s) as usize % pool.len());
                let targets: Vec<usize> = (0..op.arity()).map(|_| pick(&mut seed)).collect();
                let num_controls = (lcg(&mut seed) % 3) as usize;
                let ctrl_mask = (0..num_controls).fold(0, |m, _| m | (1usize << pick(&mut seed)));
                let mut fast = start.clone();
                let mut slow = start.clone();
                apply_op(&mut fast, &op, &targets, ctrl_mask);
                naive(&mut slow, &op, &targets, ctrl_mask);
                for (i, (a, b)) in fast.iter().zip(&slow).enumerate() {
                    assert!((a - b).norm() < 1e-12, "{op:?} on {targets:?} ctrl {ctrl_mask:b}: index {i}: {a} vs {b}");
                }
            }
        }
    }
}
