//! The un-computing sweep in cache windows. Swept back one step at a time over the whole density state, each
//! local step would pass over ρ and Λ three times (un-apply, correlate, sweep Λ back), and a state of ten
//! qubits (16 MiB) falls out of a core's cache. As the forward plan does, the steps are gathered into windows
//! whose bits fit a tile of the engine ([`Tiles`]: 2^6 contiguous entries for each pattern of a few higher
//! bits, at most 2^15 entries) or a block of 2^15 contiguous entries; a window's steps are then swept back
//! tile by tile, in cache, one pass over memory per window.
//!
//! Steps on disjoint bits commute (for ρ, for Λ and for the sums they read), so a window takes, in backward
//! order, every step that fits and that no step left behind must precede ([`windows`](crate::quantum::engine::windows)).
//! The sums of each tile go to their own row, and the rows are added in tile order: the result does not
//! depend on the number of threads.

use num_complex::Complex64 as C;

use super::steps::{Place, Run, Step};
use super::uncompute::back_step;
use crate::quantum::engine::{self, Tiles, BLOCK_QUBITS, TILE_LOW_BITS};
use crate::quantum::kernels::{self, sum_rows_with, SharedMut};

/// A window of the backward sweep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Window {
    /// Step `i` alone, over the whole state.
    Alone(usize),
    /// Steps in this (backward) order, tile by tile on the tile's high bits, or block by block when `None`.
    Steps(Vec<usize>, Option<usize>),
}

/// The steps in backward order, gathered into windows; a step for which `alone` holds is a window of its own
/// that no other step crosses. States of at most 2^[`BLOCK_QUBITS`] entries stay in cache as they are: each
/// step goes alone.
pub(super) fn windows(run: &Run<'_>, steps: &[Step], alone: impl Fn(usize) -> bool) -> Vec<Window> {
    let bits = 2 * run.n;
    let mut order: Vec<usize> = (0..steps.len()).rev().collect();
    if bits <= BLOCK_QUBITS {
        return order.into_iter().map(Window::Alone).collect();
    }
    let all = (1usize << bits) - 1;
    let masks: Vec<usize> = order.iter().map(|&i| if alone(i) { all } else { run.mask(&steps[i]) }).collect();
    // As the forward plan's tiles: at most 2^15 entries, and at most 1/8 of the state.
    let tile_high = (BLOCK_QUBITS - TILE_LOW_BITS).min(bits - 3 - TILE_LOW_BITS);
    let fits = |m: usize| m >> BLOCK_QUBITS == 0 || m.count_ones() as usize <= tile_high;
    let windows = engine::windows(&mut order, &masks, (1 << TILE_LOW_BITS) - 1, fits);
    windows
        .into_iter()
        .map(|(range, mask)| match range.len() {
            1 => Window::Alone(order[range.start]),
            _ => Window::Steps(order[range].to_vec(), (mask >> BLOCK_QUBITS != 0).then_some(mask)),
        })
        .collect()
}

/// Sweeps the steps `order` (backward order, none of them stored or reading ρ after it) back over ρ and Λ,
/// tile by tile on the high bits `high` (block by block when `None`), adding step `order[j]`'s sums into
/// `sums[offsets[j]..offsets[j + 1]]`.
#[allow(clippy::too_many_arguments)]
pub(super) fn sweep_window(
    run: &Run<'_>,
    steps: &[Step],
    order: &[usize],
    offsets: &[usize],
    high: Option<usize>,
    rho: &mut [C],
    lambda: &mut [C],
    sums: &mut [f64],
    partials: &mut Vec<f64>,
) {
    let len = rho.len();
    let parallel = kernels::parallel(len);
    let (p, l) = (SharedMut(rho.as_mut_ptr()), SharedMut(lambda.as_mut_ptr()));
    let place = high.map_or(Place::Whole, Place::Tile);
    let sweep = |rho: &mut [C], lambda: &mut [C], row: &mut [f64]| {
        for (j, &i) in order.iter().enumerate() {
            back_step(run, &steps[i], place, rho, lambda, false, &mut row[offsets[j]..offsets[j + 1]]);
        }
    };
    match high {
        None => {
            let size = 1usize << BLOCK_QUBITS;
            sum_rows_with(
                len / size,
                parallel,
                sums,
                partials,
                || (),
                |_, b, row| {
                    // SAFETY: block b < len / size is entries b·size .. (b + 1)·size of both states (of one length),
                    // which no other task touches; a window's bits are all below BLOCK_QUBITS, so its steps map the
                    // block onto itself with every bit in place.
                    let (rho, lambda) = unsafe { (p.slice(b * size, size), l.slice(b * size, size)) };
                    sweep(rho, lambda, row);
                },
            );
        }
        Some(high) => {
            let tiling = Tiles::new(len, high);
            let init = || (Vec::new(), Vec::new());
            sum_rows_with(tiling.tiles(), parallel, sums, partials, init, |(br, bl), t, row| {
                // SAFETY: ρ and Λ have the length the tiles were made for, and no other task touches tile t.
                unsafe { (tiling.gather(p, t, br), tiling.gather(l, t, bl)) };
                sweep(br, bl, row);
                // SAFETY: as above.
                unsafe { (tiling.scatter(p, t, br), tiling.scatter(l, t, bl)) };
            });
        }
    }
}
