//! Walking a state for a kernel: the runs of amplitudes an op touches, cut into fixed tasks that rayon runs
//! (each amplitude written by exactly one task with the same arithmetic, so results do not depend on the
//! number of threads).

use num_complex::Complex64 as C;

use super::subspace::{SharedMut, Subspace};
#[cfg(feature = "parallel")]
use super::TASK_LEN;

/// Runs `leaf` over every run of the state. For a run starting at base index `b` (fixed bits zero, control
/// bits set), slice k covers `b + offsets[k] ..` with the run's length.
///
/// `fixed_mask` holds every target and control bit; `ctrl_mask` (a subset) the bits that must be set.
/// `offsets` must only set target bits, and must be distinct.
#[inline(always)]
pub(super) fn drive<const K: usize, F>(
    state: &mut [C],
    fixed_mask: usize,
    ctrl_mask: usize,
    offsets: [usize; K],
    leaf: F,
) where
    F: Fn([&mut [C]; K]) + Sync + Send,
{
    let dim = state.len();
    debug_assert!(dim.is_power_of_two() && fixed_mask < dim && fixed_mask != 0);
    debug_assert!(offsets.iter().all(|&o| o & !fixed_mask == 0 && o & ctrl_mask == 0));
    let fixed = Subspace::new(dim, fixed_mask, 0);
    let low = fixed_mask.trailing_zeros();
    let run = 1usize << low;
    let num_runs = fixed.len >> low;
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
    if super::parallel(dim) {
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

/// Runs `blocks(chunk, 2^t)` on chunks of whole blocks of 2^(t+1) amplitudes (the pairs of half-blocks of target
/// bit `t`, no controls: contiguous, no index arithmetic per run), so that a kernel loops over a chunk's blocks
/// inside one call; when a block is longer than a parallel task, `leaf(lo, hi)` runs on the windows of its
/// halves instead.
#[inline(always)]
pub(super) fn drive_pairs<F, B>(state: &mut [C], t: usize, leaf: F, blocks: B)
where
    F: Fn(&mut [C], &mut [C]) + Sync + Send,
    B: Fn(&mut [C], usize) + Sync + Send,
{
    let half = 1usize << t;
    #[cfg(feature = "parallel")]
    if super::parallel(state.len()) {
        use rayon::prelude::*;
        if half << 1 <= TASK_LEN {
            state.par_chunks_mut(TASK_LEN).for_each(|chunk| blocks(chunk, half));
        } else {
            // One flat set of tasks over every block's windows: no fork-join per block.
            drive(state, half, 0, [0, half], |[lo, hi]| leaf(lo, hi));
        }
        return;
    }
    let _ = &leaf;
    blocks(state, half);
}

/// `leaf(lo, hi)` on every pair of half-blocks of length `half` of `chunk`: the `blocks` of [`drive_pairs`] for
/// a leaf without a loop of its own over blocks.
#[inline(always)]
pub(super) fn each_pair<F: Fn(&mut [C], &mut [C])>(leaf: &F, chunk: &mut [C], half: usize) {
    match half {
        1 => pairs(chunk, 1, leaf),
        2 => pairs(chunk, 2, leaf),
        _ => pairs(chunk, half, leaf),
    }
}

#[inline(always)]
fn pairs<F: Fn(&mut [C], &mut [C])>(chunk: &mut [C], half: usize, leaf: &F) {
    for b in chunk.chunks_exact_mut(2 * half) {
        let (lo, hi) = b.split_at_mut(half);
        leaf(lo, hi);
    }
}
