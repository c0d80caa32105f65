//! What a gate is as numbers: its lowered op given bound angles, and its dense matrix.

use nalgebra::DMatrix;
use num_complex::Complex64 as C;

use super::{cis, Gate};
use crate::error::Result;
use crate::quantum::op::{Op, I, ONE, ZERO};

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
        let half = angles[0] / 2.0;
        let (c, s) = (half.cos(), half.sin());
        let r = std::f64::consts::FRAC_1_SQRT_2;
        // cos θ/2 on the diagonal, −i sin θ/2 and i sin θ/2 off it (RX, RXX, RYY).
        let (d, o, p) = (C::new(c, 0.0), C::new(0.0, -s), C::new(0.0, s));
        match self {
            Gate::I => Op::Diag1([ONE, ONE]),
            Gate::X | Gate::CNOT | Gate::Toffoli => Op::Anti1(ONE, ONE),
            Gate::Y | Gate::CY => Op::Anti1(-I, I),
            Gate::Z | Gate::CZ => Op::Diag1([ONE, -ONE]),
            Gate::H => Op::Mat1([[C::new(r, 0.0), C::new(r, 0.0)], [C::new(r, 0.0), C::new(-r, 0.0)]]),
            Gate::S => Op::Diag1([ONE, I]),
            Gate::Sdg => Op::Diag1([ONE, -I]),
            Gate::T => Op::Diag1([ONE, C::new(r, r)]),
            Gate::Tdg => Op::Diag1([ONE, C::new(r, -r)]),
            Gate::SX => Op::Mat1([[C::new(0.5, 0.5), C::new(0.5, -0.5)], [C::new(0.5, -0.5), C::new(0.5, 0.5)]]),
            Gate::SXdg => Op::Mat1([[C::new(0.5, -0.5), C::new(0.5, 0.5)], [C::new(0.5, 0.5), C::new(0.5, -0.5)]]),
            Gate::RX(_) | Gate::CRX(_) => Op::Mat1([[d, o], [o, d]]),
            Gate::RY(_) | Gate::CRY(_) => Op::Mat1([[d, C::new(-s, 0.0)], [C::new(s, 0.0), d]]),
            Gate::RZ(_) | Gate::CRZ(_) => Op::Diag1([cis(-half), cis(half)]),
            Gate::Phase(_) | Gate::CPhase(_) => Op::Diag1([ONE, cis(angles[0])]),
            Gate::U3(..) => {
                let (phi, lambda) = (angles[1], angles[2]);
                Op::Mat1([[C::new(c, 0.0), -cis(lambda) * s], [cis(phi) * s, cis(phi + lambda) * c]])
            }
            Gate::Rot(..) => {
                // RZ(ω)·RY(θ)·RZ(φ) with (φ, θ, ω) = angles.
                let (phi, omega) = (angles[0], angles[2]);
                let (s, c) = (angles[1] / 2.0).sin_cos();
                let (sum, diff) = ((phi + omega) / 2.0, (phi - omega) / 2.0);
                Op::Mat1([[cis(-sum) * c, -cis(diff) * s], [cis(-diff) * s, cis(sum) * c]])
            }
            Gate::SWAP | Gate::Fredkin => Op::Swap2(ONE),
            Gate::ISwap => Op::Swap2(I),
            Gate::RXX(_) => Op::Mat2([[d, ZERO, ZERO, o], [ZERO, d, o, ZERO], [ZERO, o, d, ZERO], [o, ZERO, ZERO, d]]),
            Gate::RYY(_) => Op::Mat2([[d, ZERO, ZERO, p], [ZERO, d, o, ZERO], [ZERO, o, d, ZERO], [p, ZERO, ZERO, d]]),
            Gate::RZZ(_) => Op::Diag2([cis(-half), cis(half), cis(half), cis(-half)]),
            Gate::Unitary(u) => u.op(),
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
