//! Where each logical qubit of a distributed state lives: a physical bit of the local index (below L) or of the
//! global pattern (L and above), and which global pattern each rank holds.
//!
//! Moving a qubit between local and global needs an exchange of amplitudes; everything here is bookkeeping that
//! every rank does identically, so the layout is the same on all of them.

/// An invertible affine map p ↦ M·p ⊕ b on g-bit patterns over GF(2), M given by its columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RankMap {
    columns: Vec<usize>,
    shift: usize,
    inverse: Vec<usize>,
    inverse_shift: usize,
}

/// M·p for the bit matrix M with `columns`.
fn linear(columns: &[usize], p: usize) -> usize {
    columns.iter().enumerate().filter(|&(k, _)| (p >> k) & 1 == 1).fold(0, |acc, (_, &c)| acc ^ c)
}

/// The columns of M⁻¹ for an invertible bit matrix M (Gauss–Jordan elimination over GF(2)).
fn invert(columns: &[usize]) -> Vec<usize> {
    let g = columns.len();
    // Rows of [M | I], row r of M holding bit k when column k has bit r.
    let mut rows: Vec<(usize, usize)> = (0..g)
        .map(|r| (columns.iter().enumerate().fold(0, |acc, (k, &c)| acc | ((c >> r) & 1) << k), 1 << r))
        .collect();
    for col in 0..g {
        let pivot = (col..g).find(|&r| (rows[r].0 >> col) & 1 == 1).expect("an invertible rank map");
        rows.swap(col, pivot);
        let (pm, pi) = rows[col];
        for (r, row) in rows.iter_mut().enumerate() {
            if r != col && (row.0 >> col) & 1 == 1 {
                *row = (row.0 ^ pm, row.1 ^ pi);
            }
        }
    }
    // Row r of M⁻¹ is rows[r].1; turn rows into columns.
    (0..g).map(|k| (0..g).fold(0, |acc, r| acc | ((rows[r].1 >> k) & 1) << r)).collect()
}

impl RankMap {
    /// The identity on `g` bits: rank r holds pattern r.
    pub(crate) fn identity(g: usize) -> Self {
        let columns: Vec<usize> = (0..g).map(|k| 1 << k).collect();
        RankMap { inverse: columns.clone(), columns, shift: 0, inverse_shift: 0 }
    }

    /// The map with `columns` and `shift`, its inverse computed.
    fn new(columns: Vec<usize>, shift: usize) -> Self {
        let inverse = invert(&columns);
        let inverse_shift = linear(&inverse, shift);
        RankMap { columns, shift, inverse, inverse_shift }
    }

    /// The global pattern rank `rank` holds.
    pub(crate) fn pattern(&self, rank: usize) -> usize {
        linear(&self.columns, rank) ^ self.shift
    }

    /// The rank that holds global pattern `pattern`.
    pub(crate) fn rank(&self, pattern: usize) -> usize {
        linear(&self.inverse, pattern) ^ self.inverse_shift
    }

    /// Whether rank r holds pattern r for every r.
    pub(crate) fn is_identity(&self) -> bool {
        self.shift == 0 && self.columns.iter().enumerate().all(|(k, &c)| c == 1 << k)
    }

    /// X on pattern bit `bit`: the map followed by p ↦ p ⊕ e_bit.
    pub(crate) fn flip(&mut self, bit: usize) {
        self.shift ^= 1 << bit;
        self.inverse_shift = linear(&self.inverse, self.shift);
    }

    /// CNOT from pattern bit `control` to pattern bit `target`, after the map.
    pub(crate) fn cnot(&mut self, control: usize, target: usize) {
        let cx = |p: usize| p ^ ((p >> control) & 1) << target;
        *self = RankMap::new(self.columns.iter().map(|&c| cx(c)).collect(), cx(self.shift));
    }

    /// The map followed by the bit permutation that sends pattern bit j to bit `to[j]`.
    pub(crate) fn permute(&mut self, to: &[usize]) {
        let perm = |p: usize| (0..to.len()).fold(0, |acc, j| acc | ((p >> j) & 1) << to[j]);
        *self = RankMap::new(self.columns.iter().map(|&c| perm(c)).collect(), perm(self.shift));
    }
}

/// The layout of a distributed state of n qubits, L of them local.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Layout {
    /// L.
    pub(crate) local: usize,
    /// Logical qubit → physical bit (bits L.. are the global pattern's bits 0..).
    pub(crate) physical: Vec<usize>,
    /// Physical bit → logical qubit.
    pub(crate) logical: Vec<usize>,
    /// Which pattern each rank holds.
    pub(crate) ranks: RankMap,
}

impl Layout {
    /// The canonical layout: logical qubit q at physical bit q, rank r holding pattern r.
    pub(crate) fn canonical(num_qubits: usize, local: usize) -> Self {
        let identity: Vec<usize> = (0..num_qubits).collect();
        Layout { local, physical: identity.clone(), logical: identity, ranks: RankMap::identity(num_qubits - local) }
    }

    /// Whether the layout is the canonical one.
    pub(crate) fn is_canonical(&self) -> bool {
        self.physical.iter().enumerate().all(|(q, &p)| q == p) && self.ranks.is_identity()
    }

    /// g, the number of global bits.
    pub(crate) fn ranks_bits(&self) -> usize {
        self.physical.len() - self.local
    }

    /// Exchanges the physical bits of logical qubits `a` and `b` (a SWAP gate, or the bookkeeping of an exchange).
    pub(crate) fn swap(&mut self, a: usize, b: usize) {
        let (pa, pb) = (self.physical[a], self.physical[b]);
        self.physical.swap(a, b);
        self.logical.swap(pa, pb);
    }

    /// The logical basis index of local index `local` on the rank that holds global pattern `pattern`.
    pub(crate) fn logical_index(&self, pattern: usize, local: usize) -> usize {
        let x = pattern << self.local | local;
        self.logical.iter().enumerate().fold(0, |acc, (p, &q)| acc | ((x >> p) & 1) << q)
    }

    /// The (pattern, local index) that hold logical basis index `index`.
    pub(crate) fn place(&self, index: usize) -> (usize, usize) {
        let x = self.physical.iter().enumerate().fold(0, |acc, (q, &p)| acc | ((index >> q) & 1) << p);
        (x >> self.local, x & ((1 << self.local) - 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn rank_maps_invert_and_compose(g in 1usize..6, ops in prop::collection::vec((0usize..3, 0usize..6, 0usize..6), 0..20)) {
            let mut map = RankMap::identity(g);
            // The same operations on an explicit table of patterns.
            let mut table: Vec<usize> = (0..1 << g).collect();
            for (kind, a, b) in ops {
                let (a, b) = (a % g, b % g);
                match kind {
                    0 => {
                        map.flip(a);
                        table.iter_mut().for_each(|p| *p ^= 1 << a);
                    }
                    1 if a != b => {
                        map.cnot(a, b);
                        table.iter_mut().for_each(|p| *p ^= ((*p >> a) & 1) << b);
                    }
                    _ => {
                        let mut to: Vec<usize> = (0..g).collect();
                        to.swap(a, b);
                        map.permute(&to);
                        table.iter_mut().for_each(|p| {
                            let d = ((*p >> a) ^ (*p >> b)) & 1;
                            *p ^= d << a | d << b;
                        });
                    }
                }
            }
            for (r, &p) in table.iter().enumerate() {
                prop_assert_eq!(map.pattern(r), p);
                prop_assert_eq!(map.rank(p), r);
            }
            prop_assert_eq!(map.is_identity(), table.iter().enumerate().all(|(r, &p)| r == p));
        }

        #[test]
        fn places_and_logical_indices_are_inverse(swaps in prop::collection::vec((0usize..7, 0usize..7), 0..10), flip in 0usize..4, index in 0usize..128) {
            let mut layout = Layout::canonical(7, 5);
            for (a, b) in swaps {
                layout.swap(a, b);
            }
            layout.ranks.flip(flip % 2);
            let (pattern, local) = layout.place(index);
            prop_assert!(local < 32 && pattern < 4);
            prop_assert_eq!(layout.logical_index(pattern, local), index);
            for (q, &p) in layout.physical.iter().enumerate() {
                prop_assert_eq!(layout.logical[p], q);
            }
        }
    }

    #[test]
    fn the_canonical_layout_is_the_identity() {
        let mut layout = Layout::canonical(6, 4);
        assert!(layout.is_canonical());
        assert_eq!(layout.place(0b10_1101), (0b10, 0b1101));
        layout.swap(1, 5);
        assert!(!layout.is_canonical());
        // Logical qubit 5 now sits at local bit 1, logical qubit 1 at global bit 1.
        assert_eq!(layout.place(1 << 5), (0, 0b10));
        assert_eq!(layout.place(1 << 1), (0b10, 0));
    }
}
