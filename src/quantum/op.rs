//! The fixed-size matrices the kernels apply: what every bound gate lowers to.
//!
//! A gate with bound angles lowers to an [`Op`] on one or two target qubits plus a set of control qubits.
//! The op's form picks the kernel: diagonal and permutation forms touch fewer amplitudes and do less arithmetic
//! than a dense matrix.

use num_complex::Complex64 as C;

pub(crate) const ZERO: C = C::new(0.0, 0.0);
pub(crate) const ONE: C = C::new(1.0, 0.0);
pub(crate) const I: C = C::new(0.0, 1.0);

/// A 1- or 2-qubit operator in the form its kernel needs. For two qubits, index k = bit(targets[0]) +
/// 2·bit(targets[1]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Op {
    /// diag(d0, d1) on one qubit.
    Diag1([C; 2]),
    /// [[0, a], [b, 0]] on one qubit: a permutation with phases (X, Y).
    Anti1(C, C),
    /// A dense 2x2 matrix.
    Mat1([[C; 2]; 2]),
    /// diag(d00, d01, d10, d11) on two qubits.
    Diag2([C; 4]),
    /// Swaps |01⟩ and |10⟩, multiplying both by the phase (SWAP: 1, iSWAP: i); |00⟩ and |11⟩ stay.
    Swap2(C),
    /// A dense 4x4 matrix.
    Mat2([[C; 4]; 4]),
}

impl Op {
    /// The number of target qubits.
    pub(crate) fn arity(&self) -> usize {
        match self {
            Op::Diag1(_) | Op::Anti1(..) | Op::Mat1(_) => 1,
            Op::Diag2(_) | Op::Swap2(_) | Op::Mat2(_) => 2,
        }
    }

    /// The one-target op of the 2x2 matrix `m`, in the sparsest form that holds it exactly.
    pub(crate) fn sparsest1(m: [[C; 2]; 2]) -> Op {
        if m[0][1] == ZERO && m[1][0] == ZERO {
            Op::Diag1([m[0][0], m[1][1]])
        } else if m[0][0] == ZERO && m[1][1] == ZERO {
            Op::Anti1(m[0][1], m[1][0])
        } else {
            Op::Mat1(m)
        }
    }

    /// The 2x2 matrix of a one-target op.
    pub(crate) fn matrix1(&self) -> [[C; 2]; 2] {
        match *self {
            Op::Diag1(d) => [[d[0], ZERO], [ZERO, d[1]]],
            Op::Anti1(a, b) => [[ZERO, a], [b, ZERO]],
            Op::Mat1(m) => m,
            _ => unreachable!("a one-target op"),
        }
    }

    /// The 4x4 matrix of a two-target op.
    pub(crate) fn matrix2(&self) -> [[C; 4]; 4] {
        match *self {
            Op::Diag2(d) => std::array::from_fn(|r| std::array::from_fn(|c| if r == c { d[r] } else { ZERO })),
            Op::Swap2(p) => {
                [[ONE, ZERO, ZERO, ZERO], [ZERO, ZERO, p, ZERO], [ZERO, p, ZERO, ZERO], [ZERO, ZERO, ZERO, ONE]]
            }
            Op::Mat2(m) => m,
            _ => unreachable!("a two-target op"),
        }
    }

    /// The dense matrix of the op on its targets (2x2 or 4x4), row-major.
    pub(crate) fn dense(&self) -> Vec<Vec<C>> {
        match self.arity() {
            1 => self.matrix1().map(Vec::from).into(),
            _ => self.matrix2().map(Vec::from).into(),
        }
    }

    /// The op times the scalar `k`, in the same form for diagonal and dense ops (a scaled permutation becomes
    /// a dense matrix).
    pub(crate) fn scaled(&self, k: C) -> Op {
        match *self {
            Op::Diag1(d) => Op::Diag1(d.map(|x| x * k)),
            Op::Mat1(m) => Op::Mat1(m.map(|r| r.map(|x| x * k))),
            Op::Diag2(d) => Op::Diag2(d.map(|x| x * k)),
            Op::Mat2(m) => Op::Mat2(m.map(|r| r.map(|x| x * k))),
            Op::Anti1(a, b) => Op::Anti1(a * k, b * k),
            Op::Swap2(_) => Op::Mat2(self.matrix2().map(|r| r.map(|x| x * k))),
        }
    }

    /// The conjugate transpose of the op, in the same form.
    pub(crate) fn adjoint(&self) -> Op {
        match *self {
            Op::Diag1(d) => Op::Diag1([d[0].conj(), d[1].conj()]),
            Op::Anti1(a, b) => Op::Anti1(b.conj(), a.conj()),
            Op::Mat1(m) => Op::Mat1([[m[0][0].conj(), m[1][0].conj()], [m[0][1].conj(), m[1][1].conj()]]),
            Op::Diag2(d) => Op::Diag2(d.map(|x| x.conj())),
            Op::Swap2(p) => Op::Swap2(p.conj()),
            Op::Mat2(m) => Op::Mat2(std::array::from_fn(|r| std::array::from_fn(|c| m[c][r].conj()))),
        }
    }
}
