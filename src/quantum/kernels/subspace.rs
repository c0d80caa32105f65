//! Walking the subspace an op acts on, for the reductions of the backward sweep: the indices whose target
//! bits are zero and whose control bits are one, as contiguous runs, cut into fixed chunks whose partial sums
//! are added in chunk order (so results do not depend on the number of threads).

use super::CHUNK;

/// The indices of a state of `dim` amplitudes whose bits in `fixed_mask` equal `ctrl_mask` (a subset of it).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Subspace {
    positions: [u32; usize::BITS as usize],
    count: usize,
    run: usize,
    ctrl_mask: usize,
    /// How many indices the subspace holds.
    pub(crate) len: usize,
}

impl Subspace {
    pub(crate) fn new(dim: usize, fixed_mask: usize, ctrl_mask: usize) -> Self {
        let mut positions = [0u32; usize::BITS as usize];
        let mut count = 0;
        let mut m = fixed_mask;
        while m != 0 {
            positions[count] = m.trailing_zeros();
            count += 1;
            m &= m - 1;
        }
        // With no fixed bit, the whole range is one run.
        let run = 1usize.checked_shl(fixed_mask.trailing_zeros()).unwrap_or(dim);
        Subspace { positions, count, run, ctrl_mask, len: dim >> count }
    }

    /// Calls `leaf(first, len)` for the contiguous runs of subspace indices `j` in `range` (`first` is the state
    /// index of the run's first amplitude).
    #[inline]
    pub(crate) fn runs(&self, range: std::ops::Range<usize>, mut leaf: impl FnMut(usize, usize)) {
        let mut j = range.start;
        while j < range.end {
            let off = j & (self.run - 1);
            let len = (self.run - off).min(range.end - j);
            leaf(self.expand(j - off) | self.ctrl_mask | off, len);
            j += len;
        }
    }

    /// The state index of subspace index `j` (control bits set).
    #[inline]
    pub(crate) fn index(&self, j: usize) -> usize {
        self.expand(j) | self.ctrl_mask
    }

    /// Spreads a subspace index over the bits not in the fixed mask (fixed bits become zero).
    #[inline(always)]
    pub(super) fn expand(&self, mut j: usize) -> usize {
        for &p in &self.positions[..self.count] {
            let low = j & ((1usize << p) - 1);
            j = ((j >> p) << (p + 1)) | low;
        }
        j
    }
}

/// A raw pointer to amplitudes that may cross threads: every task reads and writes a disjoint set of them.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SharedMut(pub(crate) *mut num_complex::Complex64);
// SAFETY: users hand each task subspace chunks that no other task touches.
unsafe impl Send for SharedMut {}
unsafe impl Sync for SharedMut {}

impl SharedMut {
    /// `len` amplitudes from index `start`.
    ///
    /// # Safety
    /// `start + len` is within the buffer the pointer came from, that buffer outlives the slice, and no other
    /// live slice overlaps it.
    #[inline(always)]
    pub(crate) unsafe fn slice<'a>(self, start: usize, len: usize) -> &'a mut [num_complex::Complex64] {
        // SAFETY: as the caller promises.
        unsafe { std::slice::from_raw_parts_mut(self.0.add(start), len) }
    }

    /// The amplitude at index `i`.
    ///
    /// # Safety
    /// `i` is within the buffer the pointer came from, and no other task writes it.
    #[inline(always)]
    pub(crate) unsafe fn read(self, i: usize) -> num_complex::Complex64 {
        // SAFETY: as the caller promises.
        unsafe { *self.0.add(i) }
    }

    /// Sets the amplitude at index `i`.
    ///
    /// # Safety
    /// `i` is within the buffer the pointer came from, and no other task reads or writes it.
    #[inline(always)]
    pub(crate) unsafe fn write(self, i: usize, value: num_complex::Complex64) {
        // SAFETY: as the caller promises.
        unsafe { *self.0.add(i) = value }
    }
}

/// Σ over the chunks of `subspace` of `chunk_sum(range, row)`, each chunk writing its partial sums into its own
/// row, the rows added in chunk order into `out`. One chunk writes `out` directly.
pub(crate) fn reduce<F>(subspace: &Subspace, parallel: bool, out: &mut [f64], partials: &mut Vec<f64>, chunk_sum: F)
where
    F: Fn(std::ops::Range<usize>, &mut [f64]) + Sync + Send,
{
    out.fill(0.0);
    let (len, chunks) = (subspace.len, subspace.len.div_ceil(CHUNK));
    if chunks <= 1 {
        chunk_sum(0..len, out);
        return;
    }
    sum_rows(chunks, parallel, out, partials, |c, row| chunk_sum(c * CHUNK..((c + 1) * CHUNK).min(len), row));
}

/// out += Σ_r row r, the `rows` rows of `out.len()` entries (held in `partials`) filled by `fill(r, row)` on
/// rayon's pool when `parallel` (and the feature) is on, serially otherwise, and added in order (so the sum does
/// not depend on the number of threads).
pub(crate) fn sum_rows<F>(rows: usize, parallel: bool, out: &mut [f64], partials: &mut Vec<f64>, fill: F)
where
    F: Fn(usize, &mut [f64]) + Sync + Send,
{
    sum_rows_with(rows, parallel, out, partials, || (), |_, r, row| fill(r, row));
}

/// [`sum_rows`] where each task of the pool first makes a value with `init` (a buffer), which `fill` may use
/// for every row it fills.
pub(crate) fn sum_rows_with<T, I, F>(
    rows: usize,
    parallel: bool,
    out: &mut [f64],
    partials: &mut Vec<f64>,
    init: I,
    fill: F,
) where
    I: Fn() -> T + Sync + Send,
    F: Fn(&mut T, usize, &mut [f64]) + Sync + Send,
{
    // Rows of one entry when `out` is empty, so that `fill` still runs once per row.
    let width = out.len().max(1);
    partials.clear();
    partials.resize(rows * width, 0.0);
    let fill = |t: &mut T, (r, row): (usize, &mut [f64])| fill(t, r, row);
    #[cfg(feature = "parallel")]
    if parallel {
        use rayon::prelude::*;
        partials.par_chunks_mut(width).enumerate().for_each_init(&init, fill);
    }
    if !(cfg!(feature = "parallel") && parallel) {
        let mut t = init();
        partials.chunks_mut(width).enumerate().for_each(|x| fill(&mut t, x));
    }
    for row in partials.chunks(width) {
        for (o, v) in out.iter_mut().zip(row) {
            *o += v;
        }
    }
}
