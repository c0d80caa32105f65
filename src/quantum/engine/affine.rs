//! Runs of X, CNOT and SWAP as one affine map over GF(2), applied in place with bounded scratch.
//!
//! Each of these gates (with no phase and at most the CNOT's own control) permutes the basis: it maps index i to
//! g(i), an affine function of the bits of i. A run of them maps i to f(i) = A·i ⊕ b with A an invertible bit
//! matrix. Split the index into its low l bits (the position in a *block* of 2^l amplitudes) and its high
//! h = n − l bits (the block): A = [[A_ll, A_lh], [A_hl, A_hh]]. The low bits reach the high ones only through
//! A_hl, whose range R has a small dimension r for the circuits people write (0 or 1 for a layer of CNOTs or
//! a ladder). Call the 2^r blocks of a coset β ⊕ R a *group*: a group of 2^(l+r) amplitudes.
//!
//! - When A_hh·R ⊆ R (layers of disjoint CNOTs, SWAPs of low with high qubits as at the end of a QFT, runs on
//!   low or on high qubits only), f maps every group onto a group: one pass, along the cycles of that group
//!   permutation, each group written through f's byte tables straight from its predecessor, the first held in
//!   a buffer; a group that f keeps is gathered into the buffer and written back.
//! - Otherwise (a CNOT ladder), two such passes, after the factorization of BMMC permutations in Cormen,
//!   Sundquist and Wisniewski (SIAM J. Comput. 28, 1999): whole blocks move to D·β ⊕ b_h, D ≡ A_hh modulo R and
//!   invertible; then Q = f ∘ (pass 1)⁻¹, which keeps every group.
//!
//! Byte tables: one lookup per byte of the index, tables of 256 words built once per plan (these gates have no
//! parameters). l is the largest with l + r ≤ [`GROUP_QUBITS`] and ≤ n − 3, so the buffer of a pass is at most
//! 2^15 amplitudes (512 KiB, within a core's L2) and at most 1/8 of the state, per thread; a pass also keeps a
//! bit per block and the first block of each cycle (at most 1/128 of the state's bytes, as l ≥ 5). Each
//! amplitude is copied, never computed, so the result is the one of the gates applied one by one, bit for bit,
//! for any number of threads.
//!
//! On registers of at most [`GATHER_MAX_QUBITS`] qubits (at most 16 KiB of state, in L1) a run is instead one
//! gather through a copy of the state by a table of f⁻¹ (and of f, to un-apply it): amplitudes copied too.

use num_complex::Complex64 as C;

use super::plan::Node;
use crate::quantum::kernels::{SharedMut, Subspace};
use crate::quantum::op::{Op, ONE};

/// A group holds at most 2^15 amplitudes (512 KiB).
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

/// Whether `map` keeps the position within every aligned run of 2^`bits` indices: the bits below `bits` map
/// to themselves and nothing else, no other bit and no bit of the shift reaches them.
fn keeps_position(map: &Affine, bits: usize) -> bool {
    let mask = (1usize << bits) - 1;
    map.shift & mask == 0
        && map.columns.iter().enumerate().all(|(k, &c)| if k < bits { c == 1 << k } else { c & mask == 0 })
}

/// The amplitudes of a row, which a pass writes with one lookup of its target (the byte tables' first byte).
const ROW: usize = 256;

/// One in-place pass: an affine map f that sends every *group* (the 2^r blocks β ⊕ R of a coset of R, R
/// spanned by `basis`) onto a group. The groups it moves are handled along the cycles of that group
/// permutation, each written straight from its predecessor, the first held in a buffer; the groups it keeps
/// are gathered into the buffer and written back.
#[derive(Debug, Clone, PartialEq)]
struct Pass {
    /// log2 of the amplitudes of a block.
    low: usize,
    map: Affine,
    /// The byte tables of `map` and of its inverse.
    tables: Scatter,
    inverse: Scatter,
    /// R's reduced basis, on the block bits.
    basis: Vec<usize>,
    /// The 2^r members of R (the group of block 0), in order.
    span: Vec<usize>,
    /// The pivot bits of R's basis: a group's first block (its representative) has none of them.
    pivots: usize,
    /// Whether f moves rows (of up to 256 amplitudes, aligned) whole: it keeps the position within a row.
    whole_rows: bool,
    /// Whether f keeps the position within a block (then a group of one block that f keeps is left as it is).
    keeps_positions: bool,
}

impl Pass {
    fn new(low: usize, map: Affine, range: &XorBasis) -> Pass {
        let basis: Vec<usize> = range.vectors.iter().map(|&(v, _)| v).collect();
        let span = (0..1usize << basis.len())
            .map(|m| basis.iter().enumerate().filter(|&(i, _)| m >> i & 1 == 1).fold(0, |a, (_, &v)| a ^ v))
            .collect();
        let pass = Pass {
            low,
            inverse: map.inverse().expect("a permutation is invertible").scatter(),
            tables: map.scatter(),
            whole_rows: keeps_position(&map, low.min(ROW.trailing_zeros() as usize)),
            keeps_positions: keeps_position(&map, low),
            map,
            basis,
            span,
            pivots: range.pivots(),
        };
        // Every group onto a group: the block bits of f(e_k) lie in R for a position bit k, and f(β ⊕ R) ⊆
        // f(β) ⊕ R for the block bits. The unsafe writes of `apply` rely on it.
        let modulo = |v: usize| range.reduce(v).0;
        let linear = |i: usize| pass.map.linear(i) >> low;
        assert!(
            (0..low).all(|k| modulo(linear(1 << k)) == 0) && pass.basis.iter().all(|&v| modulo(linear(v << low)) == 0),
            "a pass maps groups onto groups"
        );
        pass
    }

    /// The representative of the group of block `b`.
    fn group(&self, b: usize) -> usize {
        self.basis.iter().fold(b, |b, &v| if b >> (usize::BITS - 1 - v.leading_zeros()) & 1 == 1 { b ^ v } else { b })
    }

    /// new[f(i)] = old[i] for every i.
    fn apply(&self, state: &mut [C], buf: &mut Vec<C>) {
        let (low, len) = (self.low, 1usize << self.low);
        let groups = Subspace::new(state.len() >> low, self.pivots, 0);
        let image = |g: usize| self.group(self.tables.target(g << low) >> low);
        // The first group of each cycle longer than one (a bit per block, marking the groups seen).
        let mut seen = vec![0u64; (state.len() >> low).div_ceil(64)];
        let mut leaders = Vec::new();
        for rep in (0..groups.len).map(|j| groups.index(j)) {
            if seen[rep / 64] >> (rep % 64) & 1 == 1 {
                continue;
            }
            let mut next = image(rep);
            if next != rep {
                leaders.push(rep);
            }
            while next != rep {
                seen[next / 64] |= 1 << (next % 64);
                next = image(next);
            }
        }
        drop(seen);
        let ptr = SharedMut(state.as_mut_ptr());
        let row = len.min(ROW);
        // Writes the group of `rep` through f, read from `held` (its 2^r blocks in `span` order) or in place.
        let write = |rep: usize, held: Option<&[C]>| {
            for (m, &offset) in self.span.iter().enumerate() {
                let start = (rep ^ offset) << low;
                let src = match held {
                    Some(held) => &held[m * len..(m + 1) * len],
                    // SAFETY: the group of `rep` is read while its image, another group, is written.
                    None => &*unsafe { ptr.slice(start, len) },
                };
                for (r, values) in src.chunks(row).enumerate() {
                    let base = self.tables.target(start + r * row);
                    if self.whole_rows {
                        // SAFETY: f maps the rows of a group onto rows of its image group, which only this task
                        // writes, and `values` is not among them (another group's, or the buffer).
                        unsafe { ptr.slice(base, row) }.copy_from_slice(values);
                    } else {
                        for (v, &w) in values.iter().zip(&self.tables.words[0]) {
                            // SAFETY: as above, index by index (f is a bijection).
                            unsafe { ptr.slice(base ^ w, 1)[0] = *v };
                        }
                    }
                }
            }
        };
        let gather = |rep: usize, buf: &mut Vec<C>| {
            buf.clear();
            for &offset in &self.span {
                // SAFETY: block rep ⊕ offset belongs to the group of `rep`, which only this task touches.
                buf.extend_from_slice(unsafe { ptr.slice((rep ^ offset) << low, len) });
            }
        };
        // A group that f keeps: gathered, then written back (a lone block kept whole stays as it is).
        let unmoved = self.keeps_positions && self.span.len() == 1;
        let keep = |j: usize, buf: &mut Vec<C>| {
            let rep = groups.index(j);
            if image(rep) == rep && !unmoved {
                gather(rep, buf);
                write(rep, Some(buf));
            }
        };
        // A cycle: each group written from its predecessor, the first from the buffer.
        let cycle = |first: usize, buf: &mut Vec<C>| {
            gather(first, buf);
            let mut at = first;
            loop {
                let from = self.group(self.inverse.target(at << low) >> low);
                if from == first {
                    write(from, Some(buf));
                    break;
                }
                write(from, None);
                at = from;
            }
        };
        #[cfg(feature = "parallel")]
        if crate::quantum::kernels::parallel(state.len()) {
            use rayon::prelude::*;
            (0..groups.len).into_par_iter().for_each_init(Vec::new, |buf, j| keep(j, buf));
            leaders.par_iter().for_each_init(Vec::new, |buf, &first| cycle(first, buf));
            return;
        }
        (0..groups.len).for_each(|j| keep(j, buf));
        leaders.iter().for_each(|&first| cycle(first, buf));
    }
}

/// An affine map of `n` qubits as at most two in-place passes over blocks of 2^l amplitudes.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct InPlace {
    n: usize,
    passes: Vec<Pass>,
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
        let high = |v: usize| v >> low;
        let hh: Vec<usize> = f.columns[low..].iter().map(|&c| high(c)).collect();
        let passes = if f.is_identity() {
            Vec::new()
        } else if range
            .vectors
            .iter()
            .all(|&(v, _)| range.reduce(Affine { columns: hh.clone(), shift: 0 }.linear(v)).0 == 0)
        {
            // A_hh·R ⊆ R: f itself maps groups onto groups, in one pass.
            vec![Pass::new(low, f.clone(), &range)]
        } else {
            // D: column j of A_hh where it is independent modulo R (together these span a complement W of R);
            // for the r columns that are not, their W-component plus a distinct basis vector of R. So
            // D ≡ A_hh (mod R) and D spans W ⊕ R: it is invertible. Pass 1 moves block β to D·β ⊕ b_h; pass 2,
            // Q = f ∘ (pass 1)⁻¹, then keeps every group.
            let r = range.vectors.len();
            let mut basis = XorBasis::default();
            range.vectors.iter().enumerate().for_each(|(t, &(v, _))| {
                basis.insert(v, t);
            });
            let dependent: Vec<usize> = (0..hh.len()).filter(|&j| !basis.insert(hh[j], r + j)).collect();
            let mut d = hh.clone();
            for (&j, &(v, _)) in dependent.iter().zip(&range.vectors) {
                // hh[j] = w + t with w ∈ W, t ∈ R: the tags below r are R's basis vectors.
                let (_, used) = basis.reduce(hh[j]);
                let t =
                    range.vectors.iter().enumerate().filter(|&(i, _)| used >> i & 1 == 1).fold(0, |a, (_, x)| a ^ x.0);
                d[j] = hh[j] ^ t ^ v;
            }
            let first = Affine {
                columns: (0..low).map(|k| 1 << k).chain(d.iter().map(|&c| c << low)).collect(),
                shift: high(f.shift) << low,
            };
            let second = first.inverse().expect("D is invertible").then(f);
            [Pass::new(low, first, &XorBasis::default()), Pass::new(low, second, &range)]
                .into_iter()
                .filter(|p| !p.map.is_identity())
                .collect()
        };
        InPlace { n, passes }
    }

    /// The number of passes over the state (0 to 2).
    #[cfg(test)]
    pub(crate) fn passes(&self) -> usize {
        self.passes.len()
    }

    /// The block bits l of the passes.
    #[cfg(test)]
    fn low(&self) -> usize {
        self.passes.first().map_or(0, |p| p.low)
    }

    /// state ← the permuted state: new[f(i)] = old[i]. `buf` is the first task's buffer (at most
    /// [`scratch_len`] amplitudes are kept in it); other threads take their own of the same size.
    pub(crate) fn apply(&self, state: &mut [C], buf: &mut Vec<C>) {
        assert_eq!(state.len(), 1 << self.n);
        self.passes.iter().for_each(|pass| pass.apply(state, buf));
    }
}

/// Registers of at most this many qubits apply a fused run as one gather through a copy of the state (at most
/// 16 KiB), by a table of 2^n indices each way, where the in-place passes (made for states far beyond the
/// caches) cost more than the run's CNOT passes. Measured (`StateVector::run_compiled`, one thread): a ring of
/// six CNOTs on 6 qubits took 67 ns against 193 ns as six passes; on 10 qubits 635 ns against 960 ns.
pub(crate) const GATHER_MAX_QUBITS: usize = 10;

/// A fused run: the in-place passes that apply it and those that un-apply it (each built on first use: only the
/// backward sweep un-applies), or on a register of at most [`GATHER_MAX_QUBITS`] qubits index tables instead.
#[derive(Debug, Clone)]
pub(crate) struct AffineRun {
    n: usize,
    /// f, and f⁻¹.
    map: Affine,
    inverse: Affine,
    forward: std::sync::OnceLock<InPlace>,
    backward: std::sync::OnceLock<InPlace>,
    /// On a small register: f⁻¹(j) and f(j) for every index j, so that new[j] = old[f⁻¹(j)] applies the run and
    /// new[j] = old[f(j)] un-applies it.
    gather: Option<[Vec<u16>; 2]>,
    /// The smallest index of each cycle (of two indices or more) of either gather table, for moves in place.
    leaders: [Vec<u16>; 2],
}

impl PartialEq for AffineRun {
    fn eq(&self, other: &AffineRun) -> bool {
        self.n == other.n && self.map == other.map && self.inverse == other.inverse
    }
}

impl AffineRun {
    /// The run of `flips` (in order) on `n` qubits. Every flip is its own inverse, so f⁻¹ is the run reversed.
    pub(crate) fn new(n: usize, flips: &[Flip]) -> AffineRun {
        let map = Affine::of(n, flips.iter().copied());
        let inverse = Affine::of(n, flips.iter().rev().copied());
        let table = |f: &Affine| (0..1usize << n).map(|j| f.apply(j) as u16).collect::<Vec<u16>>();
        let gather = (n <= GATHER_MAX_QUBITS).then(|| [table(&inverse), table(&map)]);
        let leaders = gather.as_ref().map_or_else(Default::default, |[a, b]| [cycle_leaders(a), cycle_leaders(b)]);
        let (forward, backward) = (std::sync::OnceLock::new(), std::sync::OnceLock::new());
        AffineRun { n, map, inverse, forward, backward, gather, leaders }
    }

    /// The passes of f: new[f(i)] = old[i].
    pub(crate) fn forward(&self) -> &InPlace {
        self.forward.get_or_init(|| InPlace::new(self.n, &self.map))
    }

    /// The passes of f⁻¹: new[f⁻¹(j)] = old[j].
    pub(crate) fn backward(&self) -> &InPlace {
        self.backward.get_or_init(|| InPlace::new(self.n, &self.inverse))
    }

    /// Applies the run to `state` (new[f(i)] = old[i]), or un-applies it when `undo`; `buf` as
    /// [`InPlace::apply`] takes it (on a small register one amplitude, moved in place as by
    /// [`permute_rows`](Self::permute_rows)).
    pub(crate) fn apply(&self, state: &mut [C], buf: &mut Vec<C>, undo: bool) {
        match &self.gather {
            Some(_) => self.permute_rows(state, 1, buf, undo),
            None if undo => self.backward().apply(state, buf),
            None => self.forward().apply(state, buf),
        }
    }

    /// [`apply`](Self::apply) on samples side by side: `rows` holds 2^n rows of `width` amplitudes, row j
    /// amplitude j of every sample, and row j becomes the row the gather table names for j. Each amplitude is
    /// moved as `apply` moves it on a sample alone, in place, cycle after cycle of the table (`buf` holds a
    /// cycle's first row): every row is read and written once. Only on a register small enough for the gather
    /// tables (see [`GATHER_MAX_QUBITS`]).
    pub(crate) fn permute_rows(&self, rows: &mut [C], width: usize, buf: &mut Vec<C>, undo: bool) {
        let tables = self.gather.as_ref().expect("rows are permuted only by gather tables");
        assert_eq!(rows.len(), width << self.n);
        let (table, leaders) = (&tables[usize::from(undo)], &self.leaders[usize::from(undo)]);
        let row = |j: usize| j * width..(j + 1) * width;
        for &start in leaders {
            let start = usize::from(start);
            buf.clear();
            buf.extend_from_slice(&rows[row(start)]);
            let mut j = start;
            loop {
                let from = usize::from(table[j]);
                if from == start {
                    rows[row(j)].copy_from_slice(buf);
                    break;
                }
                rows.copy_within(row(from), j * width);
                j = from;
            }
        }
    }

    /// Whether it has gather tables (see [`permute_rows`](Self::permute_rows)).
    pub(crate) fn gathers(&self) -> bool {
        self.gather.is_some()
    }
}

/// The smallest index of each cycle of two indices or more of the permutation j → `table[j]`.
fn cycle_leaders(table: &[u16]) -> Vec<u16> {
    let mut seen = vec![false; table.len()];
    let mut leaders = Vec::new();
    for start in 0..table.len() {
        if seen[start] || usize::from(table[start]) == start {
            continue;
        }
        leaders.push(start as u16);
        let mut j = start;
        while !seen[j] {
            seen[j] = true;
            j = usize::from(table[j]);
        }
    }
    leaders
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
        run.forward().apply(&mut fast, &mut buf);
        assert_eq!(bits(&fast), bits(&slow), "{n} qubits, {gates:?}");
        assert!(buf.capacity() <= scratch_len(n), "bounded scratch");
        assert!(n < 5 || scratch_len(n) <= (1 << n) / 8, "at most 1/8 of the state");
        run.backward().apply(&mut fast, &mut buf);
        assert_eq!(bits(&fast), bits(&start));
        // `apply`, by the gather tables on small registers and the passes on larger ones: the same bits.
        assert_eq!(run.gather.is_some(), n <= GATHER_MAX_QUBITS);
        run.apply(&mut fast, &mut buf, false);
        assert_eq!(bits(&fast), bits(&slow), "{n} qubits, {gates:?}, by apply");
        run.apply(&mut fast, &mut buf, true);
        assert_eq!(bits(&fast), bits(&start));
        if n <= GATHER_MAX_QUBITS {
            // Rows of samples side by side (sample s: the start scaled by s + 1), moved in place by cycles.
            for width in [1, 3, 16] {
                let sample = |s: usize, v: &[C]| v.iter().map(|a| a * (s as f64 + 1.0)).collect::<Vec<C>>();
                let rows = |v: &[C]| (0..v.len() * width).map(|i| sample(i % width, v)[i / width]).collect::<Vec<C>>();
                let mut side = rows(&start);
                run.permute_rows(&mut side, width, &mut buf, false);
                assert_eq!(bits(&side), bits(&rows(&slow)), "{n} qubits, width {width}, {gates:?}");
                run.permute_rows(&mut side, width, &mut buf, true);
                assert_eq!(bits(&side), bits(&rows(&start)), "{n} qubits, width {width}, undone");
            }
        }
        run.forward().passes()
    }

    #[test]
    fn the_passes_are_the_gates_one_by_one_bit_for_bit() {
        for (n, count, seed) in [
            (2, 3, 7),
            (5, 8, 1),
            (9, 40, 2),
            (10, 12, 8),
            (11, 12, 9),
            (12, 3, 3),
            (14, 40, 4),
            (16, 200, 5),
            (19, 30, 6),
        ] {
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
        // Low and high qubits swapped wholesale (the end of a QFT) and brickwork layers of CNOTs: f maps groups
        // onto groups itself (A_hh·R ⊆ R), one pass along the cycles of groups.
        assert_eq!(check(n, &(0..n / 2).map(|q| Flip::Swap(q, n - 1 - q)).collect::<Vec<_>>()), 1);
        for offset in [0, 1] {
            assert_eq!(check(n, &(offset..n - 1).step_by(2).map(|q| Flip::Cx(q, q + 1)).collect::<Vec<_>>()), 1);
        }
        // A fan-out from qubit 0 to every other, and a fan-in.
        check(n, &(1..n).map(|q| Flip::Cx(0, q)).collect::<Vec<_>>());
        check(n, &(0..n - 1).map(|q| Flip::Cx(q + 1, 0)).collect::<Vec<_>>());
    }

    #[test]
    fn an_x_inside_the_blocks_of_a_run_that_moves_whole_blocks() {
        // The linear part keeps every position within a block, the shift flips one: a group that the map
        // keeps must still be rewritten (found by a reference test: SWAP, X, X, CNOT on 16 qubits left the X on
        // qubit 11 out).
        for n in 16..=18 {
            for top in 15..n {
                let gates = [Flip::Swap(top - 1, top - 2), Flip::X(top), Flip::X(top - 4), Flip::Cx(top - 1, top)];
                check(n, &gates);
            }
            for q in [0, 3, 7, 8, 11, 12] {
                check(n, &[Flip::Swap(n - 1, n - 2), Flip::X(q), Flip::Cx(n - 3, n - 1)]);
                check(n, &[Flip::X(q), Flip::X(n - 1)]);
            }
        }
        // A CNOT from above the blocks onto a qubit inside them: the block's image is itself, its positions move.
        let mut ladder = vec![Flip::Cx(10, 12), Flip::X(12), Flip::Cx(13, 8), Flip::Cx(10, 9)];
        ladder.extend((5..=10).rev().map(|q| Flip::Swap(q, q - 1)).chain((4..10).map(|q| Flip::Swap(q, q + 1))));
        check(14, &ladder);
    }

    #[test]
    fn short_random_runs_on_registers_of_14_to_17_qubits() {
        // Few gates leave most bits alone: the cases where a pass copies rows whole or leaves blocks in place.
        // Half of them on the four highest qubits and the eight lowest only (above and inside the rows).
        let ends = |n: usize, q: usize| if q.is_multiple_of(2) { n - 1 - (q / 2) % 4 } else { (q / 2) % 8 };
        for seed in 0..400 {
            let n = 14 + (seed % 4) as usize;
            let mut gates = flips(n, 2 + (seed % 11) as usize, 1000 + seed);
            if seed.is_multiple_of(2) {
                for g in &mut gates {
                    *g = match *g {
                        Flip::X(q) => Flip::X(ends(n, q)),
                        Flip::Cx(c, t) if ends(n, c) != ends(n, t) => Flip::Cx(ends(n, c), ends(n, t)),
                        Flip::Swap(a, b) if ends(n, a) != ends(n, b) => Flip::Swap(ends(n, a), ends(n, b)),
                        other => other,
                    };
                }
            }
            check(n, &gates);
        }
    }

    #[test]
    fn dense_maps_take_small_blocks() {
        // Random flips mix every bit with every other: rank(A_hl) = l, so blocks of 2^(g/2).
        let n = 16;
        let gates = flips(n, 400, 9);
        let f = Affine::of(n, gates.iter().copied());
        let passes = InPlace::new(n, &f);
        assert!(passes.low() <= group_qubits(n) && passes.low() >= group_qubits(n) / 2, "{}", passes.low());
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
