//! Superoperators on the doubled state: the kernel form of a one-qubit channel's 4x4 matrix, and the 16x16
//! matrix of a two-qubit channel applied to each group of 16 entries it mixes.

use nalgebra::DMatrix;
use num_complex::Complex64 as C;

use crate::quantum::kernels::Subspace;
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

/// Applies the 16x16 superoperator `s` of a two-qubit channel on qubits (a, b) of an n-qubit density state
/// held as `vec`: local index k = ket a + 2·ket b + 4·bra a + 8·bra b. Each group of 16 entries is read,
/// multiplied and written back, in index order (so the result is the same whatever the thread count).
pub(crate) fn apply16(vec: &mut [C], n: usize, s: &DMatrix<C>, a: usize, b: usize) {
    let bits = [a, b, a + n, b + n];
    let offsets: [usize; 16] = std::array::from_fn(|k| (0..4).fold(0, |o, i| o | ((k >> i) & 1) << bits[i]));
    let mask = bits.iter().fold(0, |m, &q| m | 1usize << q);
    let groups = Subspace::new(vec.len(), mask, 0);
    let m: [[C; 16]; 16] = std::array::from_fn(|r| std::array::from_fn(|c| s[(r, c)]));
    for g in 0..groups.len {
        let base = groups.index(g);
        let x: [C; 16] = std::array::from_fn(|k| vec[base + offsets[k]]);
        for (r, row) in m.iter().enumerate() {
            vec[base + offsets[r]] = row.iter().zip(&x).map(|(s, x)| s * x).sum();
        }
    }
}
