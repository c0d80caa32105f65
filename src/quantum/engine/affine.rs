//! Runs of X, CNOT and SWAP as one affine map over GF(2).
//!
//! Each of these gates (with no phase and at most the CNOT's own control) permutes the basis: it maps index i to
//! g(i), an affine function of the bits of i. A run of them maps i to f(i) = A·i ⊕ b with A an invertible bit
//! matrix, so the whole run is one out-of-place pass: out[f(i)] = in[i], the source read in order. The linear
//! part is evaluated as the XOR of one lookup per byte of the index (tables of 256 words, built once per plan:
//! these gates have no parameters). Each amplitude is copied, never
//! computed, so the result is the one of the gates applied one by one, bit for bit, for any number of threads.

use num_complex::Complex64 as C;

use super::plan::Node;
use crate::quantum::kernels;
#[cfg(feature = "parallel")]
use crate::quantum::kernels::SharedMut;
use crate::quantum::op::{Op, ONE};

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
    /// The map of `flips` applied in order on `n` qubits: g_k ∘ … ∘ g_1.
    pub(crate) fn of(n: usize, flips: impl IntoIterator<Item = Flip>) -> Affine {
        let mut map = Affine { columns: (0..n).map(|k| 1usize << k).collect(), shift: 0 };
        for g in flips {
            // g(A·i ⊕ b) = G·A·i ⊕ g(b), G the linear part of g: g itself for CNOT and SWAP, the identity for X.
            if !matches!(g, Flip::X(_)) {
                map.columns.iter_mut().for_each(|c| *c = g.apply(*c));
            }
            map.shift = g.apply(map.shift);
        }
        map
    }

    /// A·i ⊕ b, by the bit matrix product.
    #[cfg(test)]
    pub(crate) fn apply(&self, i: usize) -> usize {
        self.columns.iter().enumerate().filter(|&(k, _)| (i >> k) & 1 == 1).fold(self.shift, |acc, (_, &c)| acc ^ c)
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
        let bits = words.iter().flatten().fold(self.shift, |acc, w| acc | w);
        Scatter { words, offset: self.shift, bits }
    }
}

/// Amplitudes per parallel task of a scatter (a fixed size, so that tasks read fixed ranges).
#[cfg(feature = "parallel")]
const SCATTER_TASK: usize = 1 << 14;

/// An index map i ↦ offset ⊕ Σ_k words[k][byte k of i] (XOR sums), a bijection of 0..2^n, applied as
/// out[map(i)] = in[i].
///
/// The source is read in order and the destination written through the map: measured here on CNOT ladders
/// and random CNOT sequences, this scatter form runs 2-5× faster than the gather form out[j] = in[map⁻¹(j)]
/// (stores retire without waiting, scattered loads stall).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Scatter {
    words: Vec<[usize; 256]>,
    offset: usize,
    /// The OR of the offset and every table entry: every target has its bits among these.
    bits: usize,
}

impl Scatter {
    /// The index `i` is written to.
    pub(crate) fn target(&self, i: usize) -> usize {
        self.words.iter().enumerate().fold(self.offset, |acc, (k, t)| acc ^ t[(i >> (8 * k)) & 255])
    }

    /// out[map(i)] = src[i] for every i. `src` and `out` have the length 2^n of the map's register.
    pub(crate) fn apply(&self, src: &[C], out: &mut [C]) {
        assert_eq!(src.len(), out.len());
        // A target XORs entries whose bits are among `bits`: below the power of two out.len() when `bits` is.
        assert!(out.len().is_power_of_two() && self.bits < out.len());
        let low = &self.words[0];
        #[cfg(feature = "parallel")]
        if kernels::parallel(out.len()) {
            use rayon::prelude::*;
            let dst = SharedMut(out.as_mut_ptr());
            src.par_chunks(SCATTER_TASK).enumerate().for_each(|(t, task)| {
                let first = t * (SCATTER_TASK >> 8);
                for (r, row) in task.chunks(256).enumerate() {
                    let base = self.target((first + r) << 8);
                    for (v, &w) in row.iter().zip(low.iter()) {
                        let j = base ^ w;
                        // SAFETY: j < out.len() (its bits are among `bits`, checked above), and `out` outlives the
                        // tasks. The map is a bijection of 0..out.len() (an invertible affine map: a product of X,
                        // CNOT and SWAP on the register's qubits), and the tasks read disjoint ranges of i, so no
                        // two writes share an index.
                        unsafe { dst.slice(j, 1)[0] = *v };
                    }
                }
            });
            return;
        }
        for (r, row) in src.chunks(256).enumerate() {
            let base = self.target(r << 8);
            for (v, &w) in row.iter().zip(low.iter()) {
                out[base ^ w] = *v;
            }
        }
    }
}

/// A fused run: the scatters that apply it and un-apply it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct AffineRun {
    /// out[f(i)] = in[i].
    pub(crate) forward: Scatter,
    /// out[f⁻¹(j)] = in[j].
    pub(crate) backward: Scatter,
}

impl AffineRun {
    /// The run of `flips` (in order) on `n` qubits. Every flip is its own inverse, so f⁻¹ is the run reversed.
    pub(crate) fn new(n: usize, flips: &[Flip]) -> AffineRun {
        let map = Affine::of(n, flips.iter().copied());
        let inverse = Affine::of(n, flips.iter().rev().copied());
        AffineRun { forward: map.scatter(), backward: inverse.scatter() }
    }
}

/// Makes `scratch` hold `len` amplitudes, allocating on first use; false when it cannot be allocated.
pub(crate) fn ensure_scratch(scratch: &mut Vec<C>, len: usize) -> bool {
    #[cfg(test)]
    if tests::NO_SCRATCH.with(std::cell::Cell::get) {
        return false;
    }
    if scratch.len() != len {
        // The old buffer goes before the new one is allocated; it stays empty when that fails.
        *scratch = Vec::new();
        *scratch = kernels::zeroed_amplitudes(len).unwrap_or_default();
    }
    scratch.len() == len
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::quantum::kernels::apply_op;

    thread_local! {
        /// When set, [`ensure_scratch`] reports that no second state can be allocated (this thread only).
        pub(crate) static NO_SCRATCH: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    }

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

    #[test]
    fn the_map_is_the_gates_one_by_one_bit_for_bit() {
        for (n, seed) in [(3, 1), (9, 2), (12, 3), (14, 4)] {
            let gates = flips(n, 40, seed);
            let start: Vec<C> = (0..1usize << n).map(|i| C::new((i as f64).sin(), (0.3 * i as f64).cos())).collect();
            let mut slow = start.clone();
            gates.iter().for_each(|&g| apply_flip(&mut slow, g));
            let run = AffineRun::new(n, &gates);
            let mut fast = vec![ONE; start.len()];
            run.forward.apply(&start, &mut fast);
            assert!(fast
                .iter()
                .zip(&slow)
                .all(|(a, b)| a.re.to_bits() == b.re.to_bits() && a.im.to_bits() == b.im.to_bits()));
            let mut back = vec![ONE; start.len()];
            run.backward.apply(&fast, &mut back);
            assert_eq!(back, start);
        }
    }

    #[test]
    fn the_inverse_undoes_the_map_and_tables_match_the_matrix() {
        let n = 21;
        let gates = flips(n, 200, 7);
        let map = Affine::of(n, gates.iter().copied());
        let inverse = Affine::of(n, gates.iter().rev().copied());
        // A·A⁻¹ = I on the columns, and f(f⁻¹(i)) = i.
        for (k, &c) in inverse.columns.iter().enumerate() {
            assert_eq!(map.apply(c) ^ map.apply(0), 1 << k);
        }
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
