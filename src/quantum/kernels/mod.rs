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
mod rows;
mod simd;
mod subspace;
mod sweep;

use drive::{drive, drive_pairs, each_pair};
pub(crate) use reduce::{chunked_sum, i_pow, inner, norm_sqr, pauli_matrix_element};
pub(crate) use rows::{correlate_rows, RowLanes, MAX_WIDTH};
pub(crate) use simd::{correlations, dispatch, fold_lanes, pair_terms, Dense4, Isa, Kernels, Lanes, Task};
pub(crate) use subspace::{reduce, sum_rows, sum_rows_with, SharedMut, Subspace};
pub(crate) use sweep::{correlate_hermitian, Sums};

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

/// Amplitudes (or subspace indices) per partial sum in reductions; fixed so that sums do not depend on the
/// thread count.
pub(crate) const CHUNK: usize = 1 << 12;

/// `len` zero amplitudes from the allocator's zeroed memory (fresh pages from the system for large
/// states: nothing is written until the amplitudes are), or `None` when they cannot be allocated.
pub(crate) fn zeroed_amplitudes(len: usize) -> Option<Vec<C>> {
    let layout = std::alloc::Layout::array::<C>(len).ok()?;
    if layout.size() == 0 {
        return Some(Vec::new());
    }
    // SAFETY: the layout has a non-zero size.
    let ptr = unsafe { std::alloc::alloc_zeroed(layout) };
    if ptr.is_null() {
        return None;
    }
    // SAFETY: `ptr` comes from the global allocator with the layout of `len` values of `C` (the size and
    // alignment a `Vec<C>` of capacity `len` deallocates with), and all-zero bytes are a valid `C` (0 + 0i), so
    // all `len` elements are initialized.
    Some(unsafe { Vec::from_raw_parts(ptr.cast::<C>(), len, len) })
}

/// x ← d·x, a negation when d = −1.
#[inline(always)]
fn scale<K: Kernels>(k: K, slice: &mut [C], d: C) {
    if d == -ONE {
        slice.iter_mut().for_each(|x| *x = -*x);
    } else {
        k.scale(slice, d);
    }
}

/// Multiplies by `d` every amplitude whose `fixed_mask` bits equal `pattern` (a phase on a subspace), with the
/// choice between negation and multiplication made once, not per run.
#[inline(always)]
fn phase_subspace<K: Kernels>(k: K, state: &mut [C], fixed_mask: usize, pattern: usize, d: C) {
    if d == -ONE {
        drive(state, fixed_mask, pattern, [0], |[s]| s.iter_mut().for_each(|x| *x = -*x));
    } else {
        drive(state, fixed_mask, pattern, [0], |[s]| k.scale(s, d));
    }
}

/// A dense 2x2 matrix in the form its kernel takes: real (one real matrix on real and imaginary parts),
/// RX-like (real diagonal, imaginary off-diagonal: [a, b, c, d] of [[a, ib], [ic, d]]), or general.
#[derive(Clone, Copy)]
enum Mat1Form {
    Real([[f64; 2]; 2]),
    RxLike([f64; 4]),
    General([[C; 2]; 2]),
}

impl Mat1Form {
    #[inline(always)]
    fn of(m: [[C; 2]; 2]) -> Mat1Form {
        let [[m00, m01], [m10, m11]] = m;
        if m.iter().flatten().all(|x| x.im == 0.0) {
            Mat1Form::Real([[m00.re, m01.re], [m10.re, m11.re]])
        } else if m00.im == 0.0 && m11.im == 0.0 && m01.re == 0.0 && m10.re == 0.0 {
            Mat1Form::RxLike([m00.re, m01.im, m10.im, m11.re])
        } else {
            Mat1Form::General(m)
        }
    }
}

/// The 2x2 leaf for `m`, specialised by the matrix's structure.
#[inline(always)]
fn mat1_leaf<K: Kernels>(k: K, m: [[C; 2]; 2]) -> impl Fn(&mut [C], &mut [C]) + Sync + Send + Copy {
    let form = Mat1Form::of(m);
    move |s0: &mut [C], s1: &mut [C]| match form {
        Mat1Form::Real(r) => k.real(s0, s1, r),
        Mat1Form::RxLike(abcd) => k.rx(s0, s1, abcd),
        Mat1Form::General(m) => k.mat1(s0, s1, m),
    }
}

/// The `blocks` of [`drive_pairs`] for `m`: the block loop of the kernel the matrix's structure picks (as
/// [`mat1_leaf`] does), chosen once per chunk.
#[inline(always)]
fn mat1_blocks<K: Kernels>(k: K, m: [[C; 2]; 2]) -> impl Fn(&mut [C], usize) + Sync + Send + Copy {
    let form = Mat1Form::of(m);
    move |chunk: &mut [C], half: usize| match form {
        Mat1Form::Real(r) => k.real_blocks(chunk, half, r),
        Mat1Form::RxLike(abcd) => k.rx_blocks(chunk, half, abcd),
        Mat1Form::General(m) => k.mat1_blocks(chunk, half, m),
    }
}

/// Applies `op` to `targets` (one or two qubits, distinct) when every bit of `ctrl_mask` is set.
///
/// The caller has checked that targets and controls are distinct and in range. The code is compiled for each
/// instruction set of [`Isa`] and chosen at run time; all give bit-identical results.
pub(crate) fn apply_op(state: &mut [C], op: &Op, targets: &[usize], ctrl_mask: usize) {
    apply_op_controlled(state, op, targets, ctrl_mask, ctrl_mask != 0);
}

/// [`apply_op`], walking the amplitudes as for a controlled op when `controlled` is set even if `ctrl_mask` is
/// empty: a distributed state applies a gate whose controls are all global (and hold on this rank) with no
/// local control, and must give each amplitude the arithmetic the controlled gate gets on one machine (an
/// uncontrolled op on qubit 0 takes the adjacent-pair loops, which may differ in the sign of a zero).
pub(crate) fn apply_op_controlled(state: &mut [C], op: &Op, targets: &[usize], ctrl_mask: usize, controlled: bool) {
    debug_assert_eq!(targets.len(), op.arity());
    dispatch(Isa::detected(), ApplyOp { state, op, targets, ctrl_mask, controlled });
}

/// x ← d·x for every amplitude whose `mask` bits equal `pattern` (all of them when `mask` is 0), with the
/// arithmetic the diagonal kernels give those amplitudes: nothing for d = 1, a negation for d = −1, a complex
/// product otherwise. A distributed state applies the part of a diagonal gate whose target is global this way.
#[cfg(any(feature = "mpi", test))]
pub(crate) fn apply_phase(state: &mut [C], mask: usize, pattern: usize, d: C) {
    debug_assert!(pattern & !mask == 0 && state.len() >= 2);
    if d == ONE {
        return;
    }
    dispatch(Isa::detected(), Phase { state, mask, pattern, d });
}

/// The arguments of [`apply_phase`].
#[cfg(any(feature = "mpi", test))]
struct Phase<'a> {
    state: &'a mut [C],
    mask: usize,
    pattern: usize,
    d: C,
}

#[cfg(any(feature = "mpi", test))]
impl Task for Phase<'_> {
    type Output = ();
    #[inline(always)]
    fn run<K: Kernels>(self, k: K) {
        let Phase { state, mask, pattern, d } = self;
        if mask == 0 {
            // Both halves of the state: contiguous runs, as a phase on every amplitude needs.
            let top = state.len() >> 1;
            phase_subspace(k, state, top, 0, d);
            phase_subspace(k, state, top, top, d);
        } else {
            phase_subspace(k, state, mask, pattern, d);
        }
    }
}

/// Applies ops `0..count` in order to each aligned chunk of `chunk` amplitudes in turn (`op(i)` gives op i, its
/// targets and its control mask, every qubit of which lies inside a chunk), so that the chunk stays in the
/// closest cache while the ops run over it. The instruction set is dispatched once for all of them; each
/// amplitude sees the arithmetic of [`apply_op`], so the result is the same bits.
pub(crate) fn apply_ops_chunked<'a, F>(state: &mut [C], chunk: usize, count: usize, op: F)
where
    F: Fn(usize) -> (&'a Op, &'a [usize], usize),
{
    dispatch(Isa::detected(), ChunkedOps { state, chunk, count, op });
}

/// The arguments of [`apply_ops_chunked`].
struct ChunkedOps<'s, F> {
    state: &'s mut [C],
    chunk: usize,
    count: usize,
    op: F,
}

impl<'a, F: Fn(usize) -> (&'a Op, &'a [usize], usize)> Task for ChunkedOps<'_, F> {
    type Output = ();
    #[inline(always)]
    fn run<K: Kernels>(self, k: K) {
        for part in self.state.chunks_mut(self.chunk) {
            for i in 0..self.count {
                let (op, targets, ctrl_mask) = (self.op)(i);
                apply_op_impl(k, part, op, targets, ctrl_mask, ctrl_mask != 0);
            }
        }
    }
}

/// The correlations of a one-target node over the pairs (φ₀[k], φ₁[k]) and (λ₀[k], λ₁[k]), added into `lanes`
/// (see [`Kernels::correlate`]): the same bits on every instruction set.
pub(crate) fn correlate(p0: &[C], p1: &[C], l0: &[C], l1: &[C], lanes: &mut Lanes) {
    dispatch(Isa::detected(), Correlation { p: [p0, p1], l: [l0, l1], half: None, lanes });
}

/// [`correlate`] over the pairs of half-blocks of length `half` of `p` (φ) and `l` (λ), whole blocks of 2·half
/// (see [`Kernels::correlate_blocks`]).
pub(crate) fn correlate_blocks(p: &[C], l: &[C], half: usize, lanes: &mut Lanes) {
    dispatch(Isa::detected(), Correlation { p: [p, &[]], l: [l, &[]], half: Some(half), lanes });
}

/// The arguments of [`correlate`] and [`correlate_blocks`].
struct Correlation<'a, 'l> {
    p: [&'a [C]; 2],
    l: [&'a [C]; 2],
    half: Option<usize>,
    lanes: &'l mut Lanes,
}

impl Task for Correlation<'_, '_> {
    type Output = ();
    #[inline(always)]
    fn run<K: Kernels>(self, k: K) {
        let Correlation { p, l, half, lanes } = self;
        match half {
            Some(half) => k.correlate_blocks(p[0], l[0], half, lanes),
            None => k.correlate(p[0], p[1], l[0], l[1], lanes),
        }
    }
}

/// (lo, hi) ← op·(lo, hi) elementwise over two slices, for a one-target op, through the gate kernels' loops (real
/// and RX-like matrices specialised): the same arithmetic as the portable complex products, so the same bits.
pub(crate) fn apply_op_slices(lo: &mut [C], hi: &mut [C], op: &Op) {
    dispatch(Isa::detected(), OpSlices(lo, hi, op));
}

/// The arguments of [`apply_op`].
struct ApplyOp<'a> {
    state: &'a mut [C],
    op: &'a Op,
    targets: &'a [usize],
    ctrl_mask: usize,
    controlled: bool,
}

impl Task for ApplyOp<'_> {
    type Output = ();
    #[inline(always)]
    fn run<K: Kernels>(self, k: K) {
        apply_op_impl(k, self.state, self.op, self.targets, self.ctrl_mask, self.controlled);
    }
}

/// The arguments of [`apply_op_slices`].
struct OpSlices<'a>(&'a mut [C], &'a mut [C], &'a Op);

impl Task for OpSlices<'_> {
    type Output = ();
    #[inline(always)]
    fn run<K: Kernels>(self, k: K) {
        let OpSlices(lo, hi, op) = self;
        match *op {
            Op::Diag1([d0, d1]) => {
                k.scale(lo, d0);
                k.scale(hi, d1);
            }
            Op::Anti1(a, b) => {
                for (x, y) in lo.iter_mut().zip(hi.iter_mut()) {
                    (*x, *y) = (a * *y, b * *x);
                }
            }
            Op::Mat1(m) => mat1_leaf(k, m)(lo, hi),
            _ => unreachable!("a one-target op"),
        }
    }
}

/// diag(d0, d1) on qubit `target` where every bit of `ctrl_mask` is set (see [`apply_op_controlled`]): nothing
/// for an entry 1, a negation for −1, a complex product otherwise (and for a −1 beside a phase other than 1 on
/// an uncontrolled qubit 0, whose adjacent pairs one loop multiplies).
#[inline(always)]
fn diag1<K: Kernels>(k: K, state: &mut [C], target: usize, ctrl_mask: usize, controlled: bool, [d0, d1]: [C; 2]) {
    let t = 1usize << target;
    match (d0 == ONE, d1 == ONE) {
        (true, true) => {}
        // A phase on the subspace where the target and all controls are 1 (Z, S, T, CZ, CPhase).
        (true, false) => phase_subspace(k, state, t | ctrl_mask, t | ctrl_mask, d1),
        (false, true) => phase_subspace(k, state, t | ctrl_mask, ctrl_mask, d0),
        (false, false) => {
            let leaf = move |s0: &mut [C], s1: &mut [C]| {
                scale(k, s0, d0);
                scale(k, s1, d1);
            };
            if !controlled {
                drive_pairs(state, target, leaf, |chunk, half| {
                    if half == 1 {
                        k.diag_adjacent(chunk, d0, d1);
                    } else if d0 == -ONE || d1 == -ONE {
                        each_pair(&leaf, chunk, half);
                    } else {
                        k.diag_blocks(chunk, half, d0, d1);
                    }
                });
            } else {
                drive(state, t | ctrl_mask, ctrl_mask, [0, t], |[s0, s1]| leaf(s0, s1));
            }
        }
    }
}

#[inline(always)]
fn apply_op_impl<K: Kernels>(k: K, state: &mut [C], op: &Op, targets: &[usize], ctrl_mask: usize, controlled: bool) {
    match *op {
        Op::Diag1(d) => diag1(k, state, targets[0], ctrl_mask, controlled, d),
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
            match (a == ONE && b == ONE, !controlled) {
                (true, true) => drive_pairs(state, targets[0], swap, |chunk, half| each_pair(&swap, chunk, half)),
                (true, false) => drive(state, t | ctrl_mask, ctrl_mask, [0, t], |[s0, s1]| swap(s0, s1)),
                (false, true) => drive_pairs(state, targets[0], phased, |chunk, half| each_pair(&phased, chunk, half)),
                (false, false) => drive(state, t | ctrl_mask, ctrl_mask, [0, t], |[s0, s1]| phased(s0, s1)),
            }
        }
        Op::Mat1(m) => {
            let t = 1usize << targets[0];
            let leaf = mat1_leaf(k, m);
            if !controlled {
                drive_pairs(state, targets[0], leaf, mat1_blocks(k, m));
            } else {
                drive(state, t | ctrl_mask, ctrl_mask, [0, t], |[s0, s1]| leaf(s0, s1));
            }
        }
        Op::Diag2(d) => {
            let (lo, hi) = (targets[0].min(targets[1]), targets[0].max(targets[1]));
            // Entry p = bit(targets[0]) + 2·bit(targets[1]), by the bits of the lower and the higher qubit.
            let entry = |bl: usize, bh: usize| if targets[0] < targets[1] { d[bl + 2 * bh] } else { d[bh + 2 * bl] };
            // Uncontrolled, one thread: each half-block of the higher qubit is a diagonal on the lower one, in one
            // call (not one per run of 2^lo amplitudes). Every amplitude gets the arithmetic of the runs below (a
            // −1 on qubit 0 keeps them: there the one-qubit loops multiply where the runs negate).
            if !controlled && !parallel(state.len()) && (lo > 0 || !d.contains(&-ONE)) {
                let (lower, upper) = ([entry(0, 0), entry(1, 0)], [entry(0, 1), entry(1, 1)]);
                for block in state.chunks_exact_mut(2 << hi) {
                    let (bit_clear, bit_set) = block.split_at_mut(1 << hi);
                    diag1(k, bit_clear, lo, 0, false, lower);
                    diag1(k, bit_set, lo, 0, false, upper);
                }
                return;
            }
            let (t0, t1) = (1usize << targets[0], 1usize << targets[1]);
            drive(state, t0 | t1 | ctrl_mask, ctrl_mask, [0, t0, t1, t0 | t1], |slices| {
                for (s, &dk) in slices.into_iter().zip(d.iter()) {
                    if dk != ONE {
                        scale(k, s, dk);
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
            // Qubits a < b, the matrix indexed by bit(a) + 2·bit(b) (the targets' order swapped if need be).
            // Each row still adds its products in the op's own column order (see `Dense4`).
            let (a, b, m) = if targets[0] < targets[1] {
                (targets[0], targets[1], Dense4 { m, swapped: false })
            } else {
                const SWAP: [usize; 4] = [0, 2, 1, 3];
                let m = std::array::from_fn(|r| std::array::from_fn(|c| m[SWAP[r]][SWAP[c]]));
                (targets[1], targets[0], Dense4 { m, swapped: true })
            };
            let (ha, hb) = (1usize << a, 1usize << b);
            if controlled {
                drive(state, ha | hb | ctrl_mask, ctrl_mask, [0, ha, hb, ha | hb], |s| k.mat2(s, &m));
                return;
            }
            #[cfg(feature = "parallel")]
            if parallel(state.len()) {
                use rayon::prelude::*;
                if 2 * hb <= TASK_LEN {
                    state.par_chunks_mut(TASK_LEN).for_each(|chunk| k.mat2_blocks(chunk, a, b, &m));
                } else if 2 * ha <= TASK_LEN {
                    // Windows of the halves of b, each whole blocks of a.
                    drive(state, hb, 0, [0, hb], |[lo, hi]| k.mat2_halves(lo, hi, a, &m));
                } else {
                    drive(state, ha | hb, 0, [0, ha, hb, ha | hb], |s| k.mat2(s, &m));
                }
                return;
            }
            k.mat2_blocks(state, a, b, &m);
        }
    }
}

#[cfg(test)]
mod tests;
