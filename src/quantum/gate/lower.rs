//! What a gate is as numbers: its lowered op given bound angles, and its dense matrix.

use nalgebra::DMatrix;
use num_complex::Complex64 as C;

use super::spec::{Form, Generator};
use super::{cis, Gate};
use crate::error::Result;
use crate::quantum::op::{Op, ONE, ZERO};
use crate::quantum::{Param, Pauli};

impl Gate {
    /// The dense matrix of the gate on its own qubits (2^k × 2^k, the first qubit the least significant bit).
    ///
    /// # Errors
    /// [`Error::UnboundParameter`](crate::Error::UnboundParameter) when an angle is a weight or input: bind
    /// it first ([`Gate::bind`]).
    pub fn matrix(&self) -> Result<DMatrix<C>> {
        let mut angles = [0.0; 3];
        for (slot, p) in self.params().iter().enumerate() {
            angles[slot] = p.constant()?;
        }
        Ok(op_matrix(&self.lower(angles), self.num_controls()))
    }

    /// The op this gate applies to its targets given its angles: the gate's own controls are not part of it.
    pub(crate) fn lower(&self, angles: [f64; 3]) -> Op {
        self.lower_with(|slot, _| angles[slot])
    }

    /// [`lower`](Self::lower) with angle `slot` valued by `angle(slot, param)`: the gate's description read
    /// once, for the passes that lower a gate per sample.
    pub(crate) fn lower_with(&self, angle: impl Fn(usize, Param) -> f64) -> Op {
        let spec = self.spec();
        match spec.form {
            Form::Fixed(op, _) => op(),
            Form::Unitary(u) => u.op(),
            Form::One(p, _, generator) => generator.exp(angle(0, p), spec.qubits - spec.controls),
            Form::Three(three) => (three.lower)(std::array::from_fn(|slot| angle(slot, three.params[slot]))),
        }
    }
}

impl Generator {
    /// exp(−iθG) on `targets` (1 or 2) qubits: cos θ/2 − i sin θ/2·P (P⊗P on two) for a Pauli, diagonal when
    /// P is Z; diag(1, e^{iθ}) for a phase.
    fn exp(self, theta: f64, targets: usize) -> Op {
        let p = match self {
            Generator::Pauli(p) => p,
            Generator::Phase => return Op::Diag1([ONE, cis(theta)]),
        };
        let (s, c) = (theta / 2.0).sin_cos();
        if targets == 1 {
            // cos θ/2·1 − i sin θ/2·P written out.
            let (re, minus_i_sin) = (|x: f64| C::new(x, 0.0), C::new(0.0, -s));
            return match p {
                Pauli::I => Op::Diag1([C::new(c, -s); 2]),
                Pauli::X => Op::Mat1([[re(c), minus_i_sin], [minus_i_sin, re(c)]]),
                Pauli::Y => Op::Mat1([[re(c), re(-s)], [re(s), re(c)]]),
                Pauli::Z => Op::Diag1([C::new(c, -s), C::new(c, s)]),
            };
        }
        let (cos, minus_i_sin) = (C::new(c, 0.0), C::new(0.0, -s));
        let m = p.matrix();
        let entry = |r: usize, k: usize, pauli: C| (if r == k { cos } else { ZERO }) + minus_i_sin * pauli;
        let u: [[C; 4]; 4] =
            std::array::from_fn(|r| std::array::from_fn(|k| entry(r, k, m[r & 1][k & 1] * m[r >> 1][k >> 1])));
        if p == Pauli::Z {
            Op::Diag2(std::array::from_fn(|k| u[k][k]))
        } else {
            Op::Mat2(u)
        }
    }
}

/// The dense matrix of `op` preceded by `num_controls` control qubits (the lowest bits of the index).
pub(crate) fn op_matrix(op: &Op, num_controls: usize) -> DMatrix<C> {
    let m = op.dense();
    let ctrl = (1usize << num_controls) - 1;
    let dim = m.len() << num_controls;
    DMatrix::from_fn(dim, dim, |r, c| {
        if r & ctrl == ctrl && c & ctrl == ctrl {
            m[r >> num_controls][c >> num_controls]
        } else if r == c {
            ONE
        } else {
            ZERO
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The one-target exponentials written out are cos θ/2·1 − i sin θ/2·P with P's matrix, for every Pauli
    /// (the identity included, which no gate uses yet).
    #[test]
    fn one_target_exponentials_are_cos_minus_i_sin_times_the_pauli() {
        for p in [Pauli::I, Pauli::X, Pauli::Y, Pauli::Z] {
            for theta in [0.37, -1.21, 2.03, 3.5] {
                let (s, c) = (theta / 2.0f64).sin_cos();
                let m = p.matrix();
                let got = Generator::Pauli(p).exp(theta, 1).matrix1();
                for (r, row) in got.iter().enumerate() {
                    for (k, &u) in row.iter().enumerate() {
                        let identity = if r == k { 1.0 } else { 0.0 };
                        let want = C::new(c * identity, 0.0) - C::new(0.0, s) * m[r][k];
                        assert!((u - want).norm() < 1e-15, "{p:?} at {theta}: entry ({r}, {k}) {u} against {want}");
                    }
                }
            }
        }
    }
}
