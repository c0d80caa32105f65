//! Tiles: a state's amplitudes grouped by the qubits a run of nodes touches, so that the run can be applied to
//! one tile at a time in a buffer that stays in cache.
//!
//! A tile fixes every qubit at or above [`TILE_LOW_BITS`] that is not in its `high` mask: it holds, for each
//! pattern of the high qubits, a row of 2^[`TILE_LOW_BITS`] contiguous amplitudes. In the buffer the low qubits
//! keep their index and the k-th high qubit becomes qubit [`TILE_LOW_BITS`] + k.

use num_complex::Complex64 as C;

use super::plan::{Node, BLOCK_QUBITS, TILE_LOW_BITS};
use crate::quantum::kernels::{SharedMut, Subspace};
use crate::quantum::op::ONE;

/// Qubit `q` inside a tile whose high qubits are `high`.
pub(crate) fn tile_qubit(q: usize, high: usize) -> usize {
    if q < TILE_LOW_BITS {
        q
    } else {
        TILE_LOW_BITS + (high & ((1usize << q) - 1)).count_ones() as usize
    }
}

/// `node` placed on a tile's qubits (every qubit it touches is low or in `high`).
pub(crate) fn in_tile(node: &Node, high: usize) -> Node {
    let mut placed = *node;
    for t in &mut placed.targets[..node.arity] {
        *t = tile_qubit(*t, high);
    }
    let mut ctrl = 0;
    let mut m = node.ctrl;
    while m != 0 {
        ctrl |= 1 << tile_qubit(m.trailing_zeros() as usize, high);
        m &= m - 1;
    }
    placed.ctrl = ctrl;
    placed
}

/// The tiles of a state of `len` amplitudes for the high qubits `high` (at most [`BLOCK_QUBITS`] −
/// [`TILE_LOW_BITS`] of them).
pub(crate) struct Tiles {
    /// Row r of a tile sits at `offsets[r]` from the tile's base: the bits of r spread over the high qubits.
    offsets: [usize; 1 << (BLOCK_QUBITS - TILE_LOW_BITS)],
    rows: usize,
    /// The tiles' bases: every pattern of the fixed qubits.
    bases: Subspace,
}

impl Tiles {
    /// The tiles of a state of `len` amplitudes for the high qubits `high`.
    pub(crate) fn new(len: usize, high: usize) -> Tiles {
        debug_assert!(high.count_ones() as usize <= BLOCK_QUBITS - TILE_LOW_BITS);
        let row = 1usize << TILE_LOW_BITS;
        let rows = 1usize << high.count_ones();
        let spread = Subspace::new(len, (len - 1) & !high, 0);
        let mut offsets = [0usize; 1 << (BLOCK_QUBITS - TILE_LOW_BITS)];
        for (r, o) in offsets.iter_mut().enumerate().take(rows) {
            *o = spread.index(r);
        }
        Tiles { offsets, rows, bases: Subspace::new(len, high | (row - 1), 0) }
    }

    /// The number of tiles.
    pub(crate) fn tiles(&self) -> usize {
        self.bases.len
    }

    /// The amplitudes of one tile.
    pub(crate) fn len(&self) -> usize {
        self.rows << TILE_LOW_BITS
    }

    /// The rows of tile `t` and where they sit in the state.
    #[inline]
    fn rows(&self, t: usize) -> impl Iterator<Item = (usize, usize)> + '_ {
        let base = self.bases.index(t);
        let row = 1usize << TILE_LOW_BITS;
        self.offsets[..self.rows].iter().enumerate().map(move |(r, &o)| (r * row, base + o))
    }

    /// Copies tile `t` of the state at `state` into `buf` (resized to the tile).
    ///
    /// # Safety
    /// `state` points to the `len` amplitudes the tiles were made for, and no other thread touches tile `t`
    /// until it is scattered back.
    #[inline]
    pub(crate) unsafe fn gather(&self, state: SharedMut, t: usize, buf: &mut Vec<C>) {
        let row = 1usize << TILE_LOW_BITS;
        buf.resize(self.len(), ONE);
        for (at, o) in self.rows(t) {
            // SAFETY: the rows of tile t are the amplitudes o .. o + row, distinct for distinct (t, r) and below
            // the state's length; the caller keeps other threads off them.
            buf[at..at + row].copy_from_slice(unsafe { state.slice(o, row) });
        }
    }

    /// Copies `buf` back into tile `t` of the state at `state`.
    ///
    /// # Safety
    /// As for [`gather`](Self::gather); `buf` holds the tile.
    #[inline]
    pub(crate) unsafe fn scatter(&self, state: SharedMut, t: usize, buf: &[C]) {
        let row = 1usize << TILE_LOW_BITS;
        for (at, o) in self.rows(t) {
            // SAFETY: as in `gather`.
            unsafe { state.slice(o, row) }.copy_from_slice(&buf[at..at + row]);
        }
    }
}
