//! Runs of X, CNOT and SWAP as one affine map over GF(2), applied in place with bounded scratch.
//!
//! Each of these gates (with no phase and at most the CNOT's own control) permutes the basis: it maps index i to
//! g(i), an affine function of the bits of i. A run of them maps i to f(i) = A·i ⊕ b with A an invertible bit
//! matrix. Split the index into its low l bits (the position in a *block* of 2^l amplitudes) and its high
//! h = n − l bits (the block): A = [[A_ll, A_lh], [A_hl, A_hh]]. The low bits reach the high ones only through
//! A_hl, whose range R has a small dimension r for the circuits people write (1 for a CNOT ladder). So f is
//! applied in two passes over the state, each in place (after the factorization of BMMC permutations in
//! Cormen, Sundquist and Wisniewski, SIAM J. Comput. 28, 1999):
//!
//! 1. *Blocks*: block β moves whole to block D·β ⊕ b_h, D ≡ A_hh modulo R and invertible, following the
//!    permutation's cycles with one block in hand (no copy at all when D = I and b_h = 0).
//! 2. *Groups*: the rest, Q = f ∘ (pass 1)⁻¹, keeps every *group* (the 2^r blocks of a coset β ⊕ R) onto
//!    itself; each group is copied into a buffer of 2^(l+r) amplitudes and written back through Q's byte
//!    tables (one lookup per byte of the index, tables of 256 words built once per plan: these gates have no
//!    parameters).
//!
//! l is the largest with l + r ≤ [`GROUP_QUBITS`] (and at most n − 3), so the scratch of a pass is at most
//! 2^15 amplitudes (512 KiB, within a core's L2) and at most 1/8 of the state, per thread; the first pass also
//! keeps a bit per block and the first block of each cycle (at most 1/128 of the state's bytes, as l ≥ 5). Each amplitude is
//! copied, never computed, so the result is the one of the gates applied one by one, bit for bit, for any
//! number of threads.

use num_complex::Complex64 as C;

use super::plan::Node;
use crate::quantum::kernels::{self, SharedMut, Subspace};
use crate::quantum::op::{Op, ONE};

/// A group of the second pass holds at most 2^15 amplitudes (512 KiB).
pub(crate) const GROUP_QUBITS: usize = 15;

/// The scratch amplitudes one thread needs for a fused run on `n` qubits: at most 2^[`GROUP_QUBITS`] and at
/// most 1/8 of the state.
#[cfg(test)]
pub(crate) fn scratch_len(n: usize) -> usize {
    1 << group_qubits(n)
}

/// The qubits of the largest group on `n` qubits.
fn group_qubits(n: usize) -> usize {
    GROUP_QUBITS.min(n.saturating_sub(3)).max(2)
}

/// One basis permutation: X on a qubit, CNOT(control, target), or SWAP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flip {
    X(usize),
    Cx(usize, usize),
    Swap(usize, usize),
}

impl Flip {
    /// The permutation a node applies, when it is one: a constant X-like op [[0, 1], [1, 0]] with at most one
    /// control (X, CNOT), or an uncontrolled SWAP.
    pub(crate) fn of(node: &Node) -> Option<Flip> {
        match node.constant? {
            Op::Anti1(a, b) if a == ONE && b == ONE => match node.ctrl.count_ones() {
                0 => Some(Flip::X(node.targets[0])),
                1 => Some(Flip::Cx(node.ctrl.trailing_zeros() as usize, node.targets[0])),
                _ => None,
            },
            Op::Swap2(p) if p == ONE && node.ctrl == 0 => Some(Flip::Swap(node.targets[0], node.targets[1])),
            _ => None,
        }
    }

    /// g(i): where the gate sends basis index `i`.
    pub(crate) fn apply(self, i: usize) -> usize {
        match self {
            Flip::X(q) => i ^ 1 << q,
            Flip::Cx(c, t) => i ^ ((i >> c) & 1) << t,
            Flip::Swap(a, b) => {
                let d = ((i >> a) ^ (i >> b)) & 1;
                i ^ (d << a | d << b)
            }
        }
    }
}

/// The affine map i ↦ A·i ⊕ b on n-bit indices, A given by its columns (column k = A·e_k).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Affine {
    pub(crate) columns: Vec<usize>,
    pub(crate) shift: usize,
}

impl Affine {
    /// The identity on `n` bits.
    fn identity(n: usize) -> Affine {
        Affine { columns: (0..n).map(|k| 1usize << k).collect(), shift: 0 }
    }

    /// The map of `flips` applied in order on `n` qubits: g_k ∘ … ∘ g_1.
    pub(crate) fn of(n: usize, flips: impl IntoIterator<Item = Flip>) -> Affine {
        let mut map = Affine::identity(n);
        for g in flips {
            // g(A·i ⊕ b) = G·A·i ⊕ g(b), G the linear part of g: g itself for CNOT and SWAP, the identity for X.
            if !matches!(g, Flip::X(_)) {
                map.columns.iter_mut().for_each(|c| *c = g.apply(*c));
            }
            map.shift = g.apply(map.shift);
        }
        map
    }

    /// A·i, by the bit matrix product.
    fn linear(&self, i: usize) -> usize {
        self.columns.iter().enumerate().filter(|&(k, _)| (i >> k) & 1 == 1).fold(0, |acc, (_, &c)| acc ^ c)
    }

    /// A·i ⊕ b.
    pub(crate) fn apply(&self, i: usize) -> usize {
        self.linear(i) ^ self.shift
    }

    /// `next` ∘ `self`: i ↦ next(self(i)).
    fn then(&self, next: &Affine) -> Affine {
        Affine { columns: self.columns.iter().map(|&c| next.linear(c)).collect(), shift: next.apply(self.shift) }
    }

    /// f⁻¹, by Gauss–Jordan elimination on the columns (each carrying the combination of unit vectors it is
    /// the image of); `None` when A is singular.
    fn inverse(&self) -> Option<Affine> {
        let n = self.columns.len();
        let mut cols: Vec<(usize, usize)> = self.columns.iter().enumerate().map(|(k, &c)| (c, 1 << k)).collect();
        let mut inverse = vec![0; n];
        for bit in 0..n {
            let p = (bit..n).find(|&k| (cols[k].0 >> bit) & 1 == 1)?;
            cols.swap(bit, p);
            let pivot = cols[bit];
            for (k, col) in cols.iter_mut().enumerate() {
                if k != bit && (col.0 >> bit) & 1 == 1 {
                    *col = (col.0 ^ pivot.0, col.1 ^ pivot.1);
                }
            }
        }
        // Now A·m_k = e_k for every pair (e_k, m_k): column k of A⁻¹ is m_k.
        for (c, m) in cols {
            inverse[c.trailing_zeros() as usize] = m;
        }
        let linear = Affine { columns: inverse, shift: 0 };
        let shift = linear.linear(self.shift);
        Some(Affine { shift, ..linear })
    }

    /// Whether this is the identity.
    fn is_identity(&self) -> bool {
        self.shift == 0 && self.columns.iter().enumerate().all(|(k, &c)| c == 1 << k)
    }

    /// The map as byte tables, for [`Scatter`].
    pub(crate) fn scatter(&self) -> Scatter {
        let bytes = self.columns.len().div_ceil(8).max(1);
        let mut words = vec![[0usize; 256]; bytes];
        for (k, table) in words.iter_mut().enumerate() {
            for byte in 1..256usize {
                let bit = 8 * k + byte.trailing_zeros() as usize;
                let column = self.columns.get(bit).copied().unwrap_or(0);
                table[byte] = table[byte & (byte - 1)] ^ column;
            }
        }
        Scatter { words, offset: self.shift }
    }
}

/// An index map i ↦ offset ⊕ Σ_k words[k][byte k of i] (XOR sums), the byte tables of an affine map.
///
/// The tables are linear (words[k][x ⊕ y] = words[k][x] ⊕ words[k][y]), so the target of i ⊕ j, for j below
/// 256 and i with no bit below 8 in common with j, is target(i) ⊕ words[0][j]: one lookup per amplitude.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Scatter {
    words: Vec<[usize; 256]>,
    offset: usize,
}

impl Scatter {
    /// The index `i` is written to.
    pub(crate) fn target(&self, i: usize) -> usize {
        self.words.iter().enumerate().fold(self.offset, |acc, (k, t)| acc ^ t[(i >> (8 * k)) & 255])
    }
}

/// The XOR basis of a set of bit vectors, fully reduced: each vector has a pivot bit (its highest) that no other
/// vector of the basis has, and carries the mask of the inserted vectors it combines.
#[derive(Debug, Default)]
struct XorBasis {
    vectors: Vec<(usize, u128)>,
}

impl XorBasis {
    /// `v` reduced by the basis, with the combination of inserted vectors that was XORed in.
    fn reduce(&self, mut v: usize) -> (usize, u128) {
        let mut used = 0;
        for &(b, tag) in &self.vectors {
            if v >> (usize::BITS - 1 - b.leading_zeros()) & 1 == 1 {
                v ^= b;
                used ^= tag;
            }
        }
        (v, used)
    }

    /// Adds `v` (inserted vector number `tag`); false when it depends on the basis.
    fn insert(&mut self, v: usize, tag: usize) -> bool {
        let (v, used) = self.reduce(v);
        if v == 0 {
            return false;
        }
        let tag = used ^ 1u128 << tag;
        let pivot = 1usize << (usize::BITS - 1 - v.leading_zeros());
        for (b, t) in &mut self.vectors {
            if *b & pivot != 0 {
                *b ^= v;
                *t ^= tag;
            }
        }
        self.vectors.push((v, tag));
        true
    }

    /// The OR of the pivot bits.
    fn pivots(&self) -> usize {
        self.vectors.iter().fold(0, |acc, &(b, _)| acc | 1 << (usize::BITS - 1 - b.leading_zeros()))
    }
}

/// Pass 1: block β (of 2^l amplitudes) moves whole to block `map`(β).
#[derive(Debug, Clone, PartialEq)]
struct BlockMove {
    /// The block map on the h high bits, and its inverse.
    map: Affine,
    inverse: Affine,
}

/// Pass 2: a map that keeps every group (the blocks β ⊕ R, R spanned by `span`) onto itself.
#[derive(Debug, Clone, PartialEq)]
struct GroupMove {
    /// The high parts of the 2^r members of the group of block 0 (the span of R), in order.
    span: Vec<usize>,
    /// The pivot bits of R's reduced basis: a group's first block has none of them.
    pivots: usize,
    /// The map on whole indices.
    map: Scatter,
}

/// An affine map of `n` qubits as at most two in-place passes over blocks of 2^`low` amplitudes.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct InPlace {
    n: usize,
    low: usize,
    blocks: Option<BlockMove>,
    groups: Option<GroupMove>,
}

impl InPlace {
    /// The passes of `f` on `n` qubits, with groups of at most 2^[`group_qubits`] amplitudes.
    fn new(n: usize, f: &Affine) -> InPlace {
        let g = group_qubits(n);
        // The largest l with l + rank(A_hl) ≤ g; l = g/2 always qualifies (rank(A_hl) ≤ l).
        let (low, range) = (1..=g.min(n - 1))
            .rev()
            .map(|l| {
                let mut range = XorBasis::default();
                for (k, &c) in f.columns[..l].iter().enumerate() {
                    range.insert(c >> l, k);
                }
                (l, range)
            })
            .find(|(l, range)| l + range.vectors.len() <= g)
            .expect("l = g/2 qualifies");
        let h = n - low;
        let high = |v: usize| v >> low;
        // D: column j of A_hh where it is independent modulo R (together these span a complement W of R); for
        // the r columns that are not, their W-component plus a distinct basis vector of R. So D ≡ A_hh (mod R)
        // and D spans W ⊕ R: it is invertible.
        let r = range.vectors.len();
        let mut basis = XorBasis::default();
        range.vectors.iter().enumerate().for_each(|(t, &(v, _))| {
            basis.insert(v, t);
        });
        let hh: Vec<usize> = f.columns[low..].iter().map(|&c| high(c)).collect();
        let dependent: Vec<usize> = (0..h).filter(|&j| !basis.insert(hh[j], r + j)).collect();
        let mut d = hh.clone();
        for (&j, &(v, _)) in dependent.iter().zip(&range.vectors) {
            // hh[j] = w + t with w ∈ W, t ∈ R: the tags below r are R's basis vectors.
            let (rest, used) = basis.reduce(hh[j]);
            debug_assert_eq!(rest, 0);
            let t = range.vectors.iter().enumerate().filter(|&(i, _)| used >> i & 1 == 1).fold(0, |a, (_, x)| a ^ x.0);
            d[j] = hh[j] ^ t ^ v;
        }
        let map = Affine { columns: d, shift: high(f.shift) };
        let inverse = map.inverse().expect("D is invertible");
        // Pass 1 on whole indices, and Q = f ∘ (pass 1)⁻¹.
        let whole = Affine {
            columns: (0..low).map(|k| 1 << k).chain(map.columns.iter().map(|&c| c << low)).collect(),
            shift: map.shift << low,
        };
        let q = whole.inverse().expect("pass 1 is invertible").then(f);
        // Q keeps every group: it moves a block only within its coset of R.
        let modulo = |v: usize| range.reduce(v).0;
        assert!(
            q.columns.iter().enumerate().all(|(k, &c)| modulo(high(c) ^ high(1 << k)) == 0)
                && modulo(high(q.shift)) == 0,
            "the second pass keeps groups"
        );
        let span = (0..1usize << r)
            .map(|m| range.vectors.iter().enumerate().filter(|&(i, _)| m >> i & 1 == 1).fold(0, |a, (_, x)| a ^ x.0))
            .collect();
        InPlace {
            n,
            low,
            blocks: (!map.is_identity()).then_some(BlockMove { map, inverse }),
            groups: (!q.is_identity()).then(|| GroupMove { span, pivots: range.pivots(), map: q.scatter() }),
        }
    }

    /// The number of passes over the state (0 to 2).
    #[cfg(test)]
    pub(crate) fn passes(&self) -> usize {
        usize::from(self.blocks.is_some()) + usize::from(self.groups.is_some())
    }

    /// state ← the permuted state: new[f(i)] = old[i]. `buf` is the first task's buffer (at most
    /// [`scratch_len`] amplitudes are kept in it); other threads take their own of the same size.
    pub(crate) fn apply(&self, state: &mut [C], buf: &mut Vec<C>) {
        assert_eq!(state.len(), 1 << self.n);
        if let Some(pass) = &self.blocks {
            pass.apply(state, self.low, buf);
        }
        if let Some(pass) = &self.groups {
            pass.apply(state, self.low, buf);
        }
    }
}

impl BlockMove {
    /// new block map(β) = old block β, for every block of 2^`low` amplitudes: each cycle of the block
    /// permutation with its first block in hand, the others copied straight to their places.
    fn apply(&self, state: &mut [C], low: usize, buf: &mut Vec<C>) {
        let (blocks, len) = (state.len() >> low, 1usize << low);
        // The first block of each cycle longer than one (a bit per block: 1/2^(l+7) of the state).
        let mut seen = vec![0u64; blocks.div_ceil(64)];
        let mut leaders = Vec::new();
        for b in 0..blocks {
            if seen[b / 64] >> (b % 64) & 1 == 1 {
                continue;
            }
            let mut c = self.map.apply(b);
            if c != b {
                leaders.push(b);
            }
            while c != b {
                seen[c / 64] |= 1 << (c % 64);
                c = self.map.apply(c);
            }
        }
        drop(seen);
        let ptr = SharedMut(state.as_mut_ptr());
        let cycle = |first: usize, buf: &mut Vec<C>| {
            // SAFETY (each slice below): blocks are disjoint ranges of `len` amplitudes within the state, a
            // cycle's blocks belong to no other cycle, and no two slices of one block are alive at once.
            buf.clear();
            buf.extend_from_slice(unsafe { ptr.slice(first * len, len) });
            let mut at = first;
            loop {
                let from = self.inverse.apply(at);
                let dst = unsafe { ptr.slice(at * len, len) };
                if from == first {
                    dst.copy_from_slice(buf);
                    break;
                }
                dst.copy_from_slice(unsafe { ptr.slice(from * len, len) });
                at = from;
            }
        };
        #[cfg(feature = "parallel")]
        if kernels::parallel(state.len()) && leaders.len() > 1 {
            use rayon::prelude::*;
            leaders.par_iter().for_each_init(Vec::new, |buf, &first| cycle(first, buf));
            return;
        }
        leaders.iter().for_each(|&first| cycle(first, buf));
    }
}

impl GroupMove {
    /// new[Q(i)] = old[i] within each group: the group's 2^r blocks copied into a buffer, then written through
    /// Q's tables.
    fn apply(&self, state: &mut [C], low: usize, buf: &mut Vec<C>) {
        let len = 1usize << low;
        let row = len.min(256);
        let groups = Subspace::new(state.len() >> low, self.pivots, 0);
        let table = &self.map.words[0];
        let ptr = SharedMut(state.as_mut_ptr());
        let group = |g: usize, buf: &mut Vec<C>| {
            let first = groups.index(g);
            buf.clear();
            for &m in &self.span {
                // SAFETY: block first ⊕ m is in this group, which no other task touches; no other slice of it is
                // alive.
                buf.extend_from_slice(unsafe { ptr.slice((first ^ m) * len, len) });
            }
            for (&m, block) in self.span.iter().zip(buf.chunks(len)) {
                let start = (first ^ m) * len;
                for (r, values) in block.chunks(row).enumerate() {
                    let base = self.map.target(start + r * row);
                    for (v, &w) in values.iter().zip(table) {
                        // SAFETY: Q is a bijection that keeps the group (checked when the passes were built), so
                        // base ⊕ w is an index of this group, written once by this task.
                        unsafe { ptr.slice(base ^ w, 1)[0] = *v };
                    }
                }
            }
        };
        #[cfg(feature = "parallel")]
        if kernels::parallel(state.len()) {
            use rayon::prelude::*;
            (0..groups.len).into_par_iter().for_each_init(Vec::new, |buf, g| group(g, buf));
            return;
        }
        (0..groups.len).for_each(|g| group(g, buf));
    }
}

/// A fused run: the passes that apply it and un-apply it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct AffineRun {
    /// new[f(i)] = old[i].
    pub(crate) forward: InPlace,
    /// new[f⁻¹(j)] = old[j].
    pub(crate) backward: InPlace,
}

impl AffineRun {
    /// The run of `flips` (in order) on `n` qubits. Every flip is its own inverse, so f⁻¹ is the run reversed.
    pub(crate) fn new(n: usize, flips: &[Flip]) -> AffineRun {
        let map = Affine::of(n, flips.iter().copied());
        let inverse = Affine::of(n, flips.iter().rev().copied());
        AffineRun { forward: InPlace::new(n, &map), backward: InPlace::new(n, &inverse) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quantum::kernels::apply_op;

    /// A deterministic pseudo-random sequence of flips on `n` qubits.
    fn flips(n: usize, count: usize, seed: u64) -> Vec<Flip> {
        let mut s = seed;
        let mut next = |m: usize| {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((s >> 33) as usize) % m
        };
        (0..count)
            .map(|_| {
                let a = next(n);
                let b = (a + 1 + next(n - 1)) % n;
                match next(3) {
                    0 => Flip::X(a),
                    1 => Flip::Cx(a, b),
                    _ => Flip::Swap(a, b),
                }
            })
            .collect()
    }

    fn apply_flip(state: &mut [C], g: Flip) {
        match g {
            Flip::X(q) => apply_op(state, &Op::Anti1(ONE, ONE), &[q], 0),
            Flip::Cx(c, t) => apply_op(state, &Op::Anti1(ONE, ONE), &[t], 1 << c),
            Flip::Swap(a, b) => apply_op(state, &Op::Swap2(ONE), &[a, b], 0),
        }
    }

    fn bits(v: &[C]) -> Vec<(u64, u64)> {
        v.iter().map(|a| (a.re.to_bits(), a.im.to_bits())).collect()
    }

    /// The run applied by its passes and gate by gate agree bit for bit, and the backward passes restore the
    /// start; returns the forward passes' count.
    fn check(n: usize, gates: &[Flip]) -> usize {
        let start: Vec<C> = (0..1usize << n).map(|i| C::new((i as f64).sin(), (0.3 * i as f64).cos())).collect();
        let mut slow = start.clone();
        gates.iter().for_each(|&g| apply_flip(&mut slow, g));
        let run = AffineRun::new(n, gates);
        let (mut fast, mut buf) = (start.clone(), Vec::new());
        run.forward.apply(&mut fast, &mut buf);
        assert_eq!(bits(&fast), bits(&slow), "{n} qubits, {gates:?}");
        assert!(buf.capacity() <= scratch_len(n) && scratch_len(n) <= (1 << n) / 8, "bounded scratch");
        run.backward.apply(&mut fast, &mut buf);
        assert_eq!(bits(&fast), bits(&start));
        run.forward.passes()
    }

    #[test]
    fn the_passes_are_the_gates_one_by_one_bit_for_bit() {
        for (n, count, seed) in [(5, 8, 1), (9, 40, 2), (12, 3, 3), (14, 40, 4), (16, 200, 5), (19, 30, 6)] {
            check(n, &flips(n, count, seed));
        }
    }

    #[test]
    fn ladders_x_and_swaps_across_the_split() {
        let n = 18;
        let ladder: Vec<Flip> = (0..n - 1).map(|q| Flip::Cx(q, q + 1)).collect();
        assert_eq!(check(n, &ladder), 2, "a ladder moves blocks, then groups");
        let reversed: Vec<Flip> = (0..n - 1).rev().map(|q| Flip::Cx(q + 1, q)).collect();
        check(n, &reversed);
        // Only high qubits: whole blocks move, nothing else.
        assert_eq!(check(n, &[Flip::Swap(16, 17), Flip::X(17), Flip::Cx(15, 16)]), 1);
        // Only low qubits: one group pass.
        assert_eq!(check(n, &[Flip::Cx(0, 1), Flip::Swap(2, 5), Flip::X(3)]), 1);
        // The identity needs no pass.
        assert_eq!(check(n, &[Flip::Swap(1, 17), Flip::Swap(17, 1)]), 0);
        // Low and high qubits swapped wholesale, and a fan-out from qubit 0 to every other.
        check(n, &(0..n / 2).map(|q| Flip::Swap(q, n - 1 - q)).collect::<Vec<_>>());
        check(n, &(1..n).map(|q| Flip::Cx(0, q)).collect::<Vec<_>>());
        check(n, &(0..n - 1).map(|q| Flip::Cx(q + 1, 0)).collect::<Vec<_>>());
    }

    #[test]
    fn dense_maps_take_small_blocks() {
        // Random flips mix every bit with every other: rank(A_hl) = l, so blocks of 2^(g/2).
        let n = 16;
        let gates = flips(n, 400, 9);
        let f = Affine::of(n, gates.iter().copied());
        let passes = InPlace::new(n, &f);
        assert!(passes.low <= group_qubits(n) && passes.low >= group_qubits(n) / 2, "{}", passes.low);
        check(n, &gates);
    }

    #[test]
    fn the_inverse_undoes_the_map_and_tables_match_the_matrix() {
        let n = 21;
        let gates = flips(n, 200, 7);
        let map = Affine::of(n, gates.iter().copied());
        let inverse = Affine::of(n, gates.iter().rev().copied());
        assert_eq!(map.inverse().as_ref(), Some(&inverse));
        assert_eq!(map.then(&inverse), Affine::identity(n));
        assert!(Affine { columns: vec![1, 2, 3], shift: 0 }.inverse().is_none(), "singular");
        let (g, h) = (map.scatter(), inverse.scatter());
        let mut s = 12345usize;
        for _ in 0..2000 {
            s = s.wrapping_mul(2862933555777941757).wrapping_add(3037000493);
            let i = (s >> 20) & ((1 << n) - 1);
            assert_eq!(g.target(i), map.apply(i));
            assert_eq!(h.target(i), inverse.apply(i));
            assert_eq!(map.apply(inverse.apply(i)), i);
            assert_eq!(gates.iter().fold(i, |x, g| g.apply(x)), map.apply(i));
        }
    }
}
