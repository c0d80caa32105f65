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

mod drive;
mod reduce;
mod simd;
mod subspace;

use drive::{drive, drive_pairs};
pub(crate) use reduce::{chunked_sum, diagonal_pauli_expectation, i_pow, inner, norm_sqr, pauli_matrix_element};
pub(crate) use subspace::{reduce, SharedMut, Subspace, CHUNK};

/// States with at least this many amplitudes are processed in parallel (feature `parallel`).
pub(crate) const PARALLEL_MIN_DIM: usize = 1 << 14;

/// Whether work on `dim` amplitudes goes to rayon's pool: at least [`PARALLEL_MIN_DIM`] amplitudes and more
/// than one thread in the current pool (with one, handing tasks to the pool's thread only adds hand-offs).
/// Either way every amplitude gets the same arithmetic and partial sums are added in the same order, so the
/// choice never changes a result.
#[inline]
pub(crate) fn parallel(dim: usize) -> bool {
    #[cfg(feature = "parallel")]
    {
        dim >= PARALLEL_MIN_DIM && rayon::current_num_threads() > 1
    }
    #[cfg(not(feature = "parallel"))]
    {
        let _ = (dim, PARALLEL_MIN_DIM);
        false
    }
}

/// Amplitudes per slice in one parallel task.
#[cfg(feature = "parallel")]
pub(super) const TASK_LEN: usize = 1 << 12;

/// Amplitudes per partial sum in reductions; fixed so that sums do not depend on the thread count.
pub(crate) const REDUCE_CHUNK: usize = 1 << 12;

#[inline(always)]
fn scale<const AVX: bool>(slice: &mut [C], d: C) {
    if d == -ONE {
        slice.iter_mut().for_each(|x| *x = -*x);
    } else {
        #[cfg(target_arch = "x86_64")]
        if AVX {
            // SAFETY: AVX is true only in `apply_op_avx2`, entered after detecting AVX2.
            unsafe { simd::scale(slice, d) };
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
                    simd::real_split(s0, s1, [[m00.re, m01.re], [m10.re, m11.re]]);
                } else if rx_like {
                    simd::rx_split(s0, s1, [m00.re, m01.im, m10.im, m11.re]);
                } else {
                    simd::mat1_split(s0, s1, m);
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

/// [`apply_op`] compiled with AVX2 enabled.
///
/// # Safety
/// The processor must support AVX2 (`apply_op` checks it before calling).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn apply_op_avx2(state: &mut [C], op: &Op, targets: &[usize], ctrl_mask: usize) {
    apply_op_impl::<true>(state, op, targets, ctrl_mask);
}

/// (x, y) ← (m₀₀x + m₀₁y, m₁₀x + m₁₁y) elementwise over two slices, through the gate kernels' 2x2 loops (real
/// and RX-like matrices specialised, AVX2 where the processor has it): the same arithmetic as the portable
/// complex products, so the same bits.
pub(crate) fn mat1_slices(lo: &mut [C], hi: &mut [C], m: [[C; 2]; 2]) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the processor supports AVX2, checked just above.
        unsafe { mat1_slices_avx2(lo, hi, m) };
        return;
    }
    mat1_leaf::<false>(m)(lo, hi);
}

/// x ← d·x elementwise (AVX2 where the processor has it; the same products as the portable loop).
pub(crate) fn scale_slice(s: &mut [C], d: C) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the processor supports AVX2, checked just above.
        unsafe { simd::scale(s, d) };
        return;
    }
    s.iter_mut().for_each(|x| *x *= d);
}

/// [`mat1_slices`] compiled with AVX2 enabled.
///
/// # Safety
/// The processor must support AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn mat1_slices_avx2(lo: &mut [C], hi: &mut [C], m: [[C; 2]; 2]) {
    mat1_leaf::<true>(m)(lo, hi);
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
                                unsafe { simd::diag_adjacent(chunk, d0, d1) };
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
                        unsafe { simd::mat1_adjacent(chunk, m) };
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

#[cfg(test)]
mod tests;
