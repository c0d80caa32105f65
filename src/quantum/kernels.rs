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
pub const PARALLEL_MIN_DIM: usize = 1 << 14;

/// Amplitudes per slice in one parallel task.
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
    let ptr = SharedMut(state.as_mut_ptr());

    // Processes runs [first, last) restricted to the window [start, start + len) inside each run.
    let process = |first: usize, last: usize, start: usize, len: usize| {
        // Captures the whole `SharedMut` (Send + Sync), not its raw-pointer field.
        #[allow(clippy::redundant_locals)]
        let ptr = ptr;
        for r in first..last {
            let base = fixed.expand(r << low) | ctrl_mask;
            // SAFETY: `expand` is injective on free indices and leaves the bits below `low` (the position
            // inside a run) and every fixed bit zero; `offsets` set only distinct patterns of target bits,
            // which are zero in `ctrl_mask`. So the K slices of one run are disjoint, slices of different runs
            // are disjoint, and windows of one run are disjoint. Every index is below `dim` because the free
            // index is below dim >> fixed.len and the fixed bits are below `dim`.
            let slices: [&mut [C]; K] = std::array::from_fn(|k| unsafe {
                std::slice::from_raw_parts_mut(ptr.0.add(base + offsets[k] + start), len)
            });
            leaf(slices);
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
fn scale(slice: &mut [C], d: C) {
    if d == -ONE {
        slice.iter_mut().for_each(|x| *x = -*x);
    } else {
        slice.iter_mut().for_each(|x| *x *= d);
    }
}

/// Applies `op` to `targets` (one or two qubits, distinct) when every bit of `ctrl_mask` is set.
///
/// The caller has checked that targets and controls are distinct and in range.
pub(crate) fn apply_op(state: &mut [C], op: &Op, targets: &[usize], ctrl_mask: usize) {
    debug_assert_eq!(targets.len(), op.arity());
    match *op {
        Op::Diag1([d0, d1]) => {
            let t = 1usize << targets[0];
            match (d0 == ONE, d1 == ONE) {
                (true, true) => {}
                // A phase on the subspace where the target and all controls are 1 (Z, S, T, CZ, CPhase).
                (true, false) => drive(state, t | ctrl_mask, t | ctrl_mask, [0], |[s]| scale(s, d1)),
                (false, true) => drive(state, t | ctrl_mask, ctrl_mask, [0], |[s]| scale(s, d0)),
                (false, false) => drive(state, t | ctrl_mask, ctrl_mask, [0, t], |[s0, s1]| {
                    scale(s0, d0);
                    scale(s1, d1);
                }),
            }
        }
        Op::Anti1(a, b) => {
            let t = 1usize << targets[0];
            if a == ONE && b == ONE {
                drive(state, t | ctrl_mask, ctrl_mask, [0, t], |[s0, s1]| s0.swap_with_slice(s1));
            } else {
                drive(state, t | ctrl_mask, ctrl_mask, [0, t], |[s0, s1]| {
                    for (x, y) in s0.iter_mut().zip(s1.iter_mut()) {
                        let (u, v) = (*x, *y);
                        *x = a * v;
                        *y = b * u;
                    }
                });
            }
        }
        Op::Mat1(m) => {
            let t = 1usize << targets[0];
            let [[m00, m01], [m10, m11]] = m;
            drive(state, t | ctrl_mask, ctrl_mask, [0, t], |[s0, s1]| {
                for (x, y) in s0.iter_mut().zip(s1.iter_mut()) {
                    let (u, v) = (*x, *y);
                    *x = m00 * u + m01 * v;
                    *y = m10 * u + m11 * v;
                }
            });
        }
        Op::Diag2(d) => {
            let (t0, t1) = (1usize << targets[0], 1usize << targets[1]);
            drive(state, t0 | t1 | ctrl_mask, ctrl_mask, [0, t0, t1, t0 | t1], |slices| {
                for (s, &dk) in slices.into_iter().zip(d.iter()) {
                    if dk != ONE {
                        scale(s, dk);
                    }
                }
            });
        }
        Op::Swap2(p) => {
            let (t0, t1) = (1usize << targets[0], 1usize << targets[1]);
            if p == ONE {
                drive(state, t0 | t1 | ctrl_mask, ctrl_mask, [t0, t1], |[s0, s1]| s0.swap_with_slice(s1));
            } else {
                drive(state, t0 | t1 | ctrl_mask, ctrl_mask, [t0, t1], |[s0, s1]| {
                    for (x, y) in s0.iter_mut().zip(s1.iter_mut()) {
                        let (u, v) = (*x, *y);
                        *x = p * v;
                        *y = p * u;
                    }
                });
            }
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
