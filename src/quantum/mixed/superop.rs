//! Superoperators on the doubled state: the kernel form of a one-qubit channel's 4x4 matrix, the sparse form
//! of a 16x16 matrix on four qubits of the doubled state (a two-qubit channel, or a two-qubit gate U ⊗ U*),
//! and the walk over the groups of entries such a matrix mixes, in fixed chunks (so results do not depend on
//! the thread count).

use nalgebra::DMatrix;
use num_complex::Complex64 as C;

use crate::quantum::kernels::{self, SharedMut, Subspace};
use crate::quantum::op::{Op, ZERO};

/// The op of a 4x4 superoperator on (ket q, bra q): diagonal when every off-diagonal entry is zero (phase flip
/// and phase damping), dense otherwise.
pub(crate) fn op4(m: &[[C; 4]; 4]) -> Op {
    if (0..4).all(|r| (0..4).all(|c| r == c || m[r][c] == ZERO)) {
        Op::Diag2(std::array::from_fn(|k| m[k][k]))
    } else {
        Op::Mat2(*m)
    }
}

/// A 16x16 matrix as its nonzero entries (row, column, value) in row-major order: a two-qubit depolarizing
/// channel has 28 of 256, a CNOT's U ⊗ U* 16. Skipping exact zeros leaves every sum's bits as the dense
/// product's. A matrix whose entries are all real (the depolarizing channels, and their derivatives) keeps
/// them as reals too, multiplied in two products instead of a complex one's four: the same values.
#[derive(Debug, Clone)]
pub(crate) struct Sparse16 {
    entries: Vec<(u8, u8, C)>,
    /// The entries' real parts, when every imaginary part is zero (otherwise empty).
    real: Vec<(u8, u8, f64)>,
}

impl Sparse16 {
    /// The nonzero entries of `m` (16x16), and of those only the ones above `drop` in magnitude.
    pub(crate) fn new(m: &DMatrix<C>, drop: f64) -> Self {
        let entries: Vec<(u8, u8, C)> = (0..16u8)
            .flat_map(|r| (0..16u8).map(move |c| (r, c)))
            .map(|(r, c)| (r, c, m[(r as usize, c as usize)]))
            .filter(|&(_, _, v)| v != ZERO && v.norm() > drop)
            .collect();
        let real = match entries.iter().all(|e| e.2.im == 0.0) {
            true => entries.iter().map(|&(r, c, v)| (r, c, v.re)).collect(),
            false => Vec::new(),
        };
        Sparse16 { entries, real }
    }

    /// M·x.
    #[inline]
    pub(crate) fn apply(&self, x: &[C; 16]) -> [C; 16] {
        let mut out = [ZERO; 16];
        if self.real.is_empty() {
            for &(r, c, v) in &self.entries {
                out[r as usize] += v * x[c as usize];
            }
        } else {
            for &(r, c, v) in &self.real {
                out[r as usize] += x[c as usize] * v;
            }
        }
        out
    }

    /// ⟨y|M|x⟩ = Σ conj(y_r) M_rc x_c.
    #[inline]
    pub(crate) fn element(&self, y: &[C; 16], x: &[C; 16]) -> C {
        let mut sum = ZERO;
        if self.real.is_empty() {
            for &(r, c, v) in &self.entries {
                sum += y[r as usize].conj() * (v * x[c as usize]);
            }
        } else {
            for &(r, c, v) in &self.real {
                sum += y[r as usize].conj() * (x[c as usize] * v);
            }
        }
        sum
    }
}

/// The offsets of the 2^B entries of a group on `bits` (local index bit i on state bit `bits[i]`) and the mask
/// of those bits.
pub(crate) fn group_offsets<const B: usize, const N: usize>(bits: [usize; B]) -> ([usize; N], usize) {
    let offsets = std::array::from_fn(|k| (0..B).fold(0, |o, i| o | ((k >> i) & 1) << bits[i]));
    (offsets, bits.iter().fold(0, |m, &q| m | 1usize << q))
}

/// Calls `f(ρ_g, Λ_g, acc)` on the entries of each group of `states` (one or two vectors of one length) at
/// `offsets` from the indices whose `mask` bits are zero, writing them back after; the groups go in fixed
/// chunks, each with its own `acc` (from `T::default()`), and the chunks' sums are added in order.
pub(crate) fn each_group<const N: usize, T, F>(states: [&mut [C]; 2], offsets: &[usize; N], mask: usize, f: F) -> T
where
    T: Default + Send + Copy + std::iter::Sum<T>,
    F: Fn(&mut [C; N], &mut [C; N], &mut T) + Sync + Send,
{
    let [a, b] = states;
    let two = !b.is_empty();
    assert!(!two || a.len() == b.len(), "states of one length");
    let groups = Subspace::new(a.len(), mask, 0);
    let (pa, pb) = (SharedMut(a.as_mut_ptr()), SharedMut(b.as_mut_ptr()));
    kernels::chunked_sum(groups.len, |range| {
        let mut acc = T::default();
        for g in range {
            let base = groups.index(g);
            // SAFETY: group g's entries (base + offsets) lie in the buffers and belong to no other group (groups
            // differ in the bits outside `mask`); the chunks are disjoint and the buffers outlive the walk.
            unsafe {
                let mut x = offsets.map(|o| pa.read(base + o));
                let mut y = if two { offsets.map(|o| pb.read(base + o)) } else { [ZERO; N] };
                f(&mut x, &mut y, &mut acc);
                for (k, &o) in offsets.iter().enumerate() {
                    pa.write(base + o, x[k]);
                    if two {
                        pb.write(base + o, y[k]);
                    }
                }
            }
        }
        acc
    })
}

/// Nothing to sum.
#[derive(Default, Clone, Copy)]
struct Unit;

impl std::iter::Sum for Unit {
    fn sum<I: Iterator<Item = Unit>>(iter: I) -> Unit {
        // The chunks run as the iterator is walked.
        iter.for_each(drop);
        Unit
    }
}

/// The bits of the doubled state a two-qubit operation on qubits (a, b) of an n-qubit density state acts on,
/// in the order of its 16x16 superoperator's local index k = ket a + 2·ket b + 4·bra a + 8·bra b.
pub(crate) fn pair_bits([a, b]: [usize; 2], n: usize) -> [usize; 4] {
    [a, b, a + n, b + n]
}

/// Applies the 16x16 superoperator `s` of a two-qubit operation on `bits` ([`pair_bits`], or their places in
/// a tile) of a density state held as `vec`. Each group of 16 entries is read, multiplied and written back.
pub(crate) fn apply16(vec: &mut [C], s: &Sparse16, bits: [usize; 4]) {
    let (offsets, mask) = group_offsets::<4, 16>(bits);
    let Unit = each_group(vec_pair(vec), &offsets, mask, |x: &mut [C; 16], _: &mut [C; 16], _: &mut Unit| {
        *x = s.apply(x);
    });
}

/// One state walked alone by [`each_group`].
fn vec_pair(vec: &mut [C]) -> [&mut [C]; 2] {
    [vec, &mut []]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparse_apply16_is_the_dense_product_on_each_group() {
        let n = 3;
        let complex = DMatrix::from_fn(16, 16, |r, c| {
            if (r * 7 + c * 3) % 5 == 0 {
                ZERO
            } else {
                C::new(r as f64 - 0.5 * c as f64, (r * c) as f64 * 0.1)
            }
        });
        // A real matrix takes the real entries' path: the same values as complex products with zero
        // imaginary parts.
        let real = complex.map(|z| C::new(z.re, 0.0));
        let v0: Vec<C> = (0..64).map(|i| C::new((i as f64).sin(), (i as f64 * 0.3).cos())).collect();
        let y: [C; 16] = std::array::from_fn(|k| C::new(0.3 * k as f64, 1.0 - 0.2 * k as f64));
        let x: [C; 16] = std::array::from_fn(|k| v0[3 * k]);
        for m in [&complex, &real] {
            let sparse = Sparse16::new(m, 0.0);
            assert_eq!(sparse.real.is_empty(), std::ptr::eq(m, &complex));
            let want: C = (0..256).map(|k| y[k / 16].conj() * (m[(k / 16, k % 16)] * x[k % 16])).sum();
            assert!((sparse.element(&y, &x) - want).norm() < 1e-12, "{} vs {want}", sparse.element(&y, &x));
            check_apply16(m, &sparse, &v0, n);
        }
    }

    /// `apply16` with `sparse` (the entries of `m`) against the dense product, for three pairs of qubits.
    fn check_apply16(m: &DMatrix<C>, sparse: &Sparse16, v0: &[C], n: usize) {
        for (a, b) in [(0, 2), (2, 1), (1, 0)] {
            let mut v = v0.to_vec();
            let bits = pair_bits([a, b], n);
            apply16(&mut v, sparse, bits);
            let mut expected = v0.to_vec();
            for base in (0..64usize).filter(|i| bits.iter().all(|&q| i >> q & 1 == 0)) {
                let idx = |k: usize| (0..4).fold(base, |o, i| o | ((k >> i) & 1) << bits[i]);
                for r in 0..16 {
                    expected[idx(r)] = (0..16).map(|c| m[(r, c)] * v0[idx(c)]).sum();
                }
            }
            let diff = v.iter().zip(&expected).map(|(x, y)| (x - y).norm()).fold(0.0, f64::max);
            assert!(diff < 1e-12, "({a}, {b}): {diff}");
        }
    }
}
