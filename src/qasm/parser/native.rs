//! The gates of qelib1.inc: those qnet maps onto its own gates, and the OpenQASM text of the others.

use std::f64::consts::PI;

use crate::error::Result;
use crate::quantum::{Gate, Instruction, Param};

/// The gates of qelib1.inc that are not single qnet gates, defined as Qiskit's qelib1.inc defines them (the
/// relative-phase Toffolis): parsed as user gates when `qelib1.inc` is included.
pub(super) const QELIB1_DEFINED: &str = "
gate rccx a,b,c
{
  u2(0,pi) c; u1(pi/4) c; cx b, c; u1(-pi/4) c; cx a, c; u1(pi/4) c; cx b, c; u1(-pi/4) c; u2(0,pi) c;
}
gate rc3x a,b,c,d
{
  u2(0,pi) d; u1(pi/4) d; cx c,d; u1(-pi/4) d; u2(0,pi) d; cx a,d; u1(pi/4) d; cx b,d; u1(-pi/4) d; cx a,d;
  u1(pi/4) d; cx b,d; u1(-pi/4) d; u2(0,pi) d; u1(pi/4) d; cx c,d; u1(-pi/4) d; u2(0,pi) d;
}
";

/// A gate known natively: the built-ins `U` and `CX`, and the qelib1.inc gates that map onto qnet gates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Native {
    U,
    CX,
    U3,
    U2,
    U1,
    Cx,
    Id,
    U0,
    Uu,
    P,
    X,
    Y,
    Z,
    H,
    S,
    Sdg,
    T,
    Tdg,
    Rx,
    Ry,
    Rz,
    Sx,
    Sxdg,
    Cz,
    Cy,
    Swap,
    Ch,
    Ccx,
    Cswap,
    Crx,
    Cry,
    Crz,
    Cu1,
    Cp,
    Cu3,
    Csx,
    Cu,
    Rxx,
    Rzz,
    C3x,
    C3sqrtx,
    C4x,
}

/// The qelib1.inc gates qnet maps to its own gates, with their names (Qiskit's qelib1.inc, a superset of the
/// 2017 paper's).
pub(super) const QELIB1_NATIVE: &[(&str, Native)] = &[
    ("u3", Native::U3),
    ("u2", Native::U2),
    ("u1", Native::U1),
    ("cx", Native::Cx),
    ("id", Native::Id),
    ("u0", Native::U0),
    ("u", Native::Uu),
    ("p", Native::P),
    ("x", Native::X),
    ("y", Native::Y),
    ("z", Native::Z),
    ("h", Native::H),
    ("s", Native::S),
    ("sdg", Native::Sdg),
    ("t", Native::T),
    ("tdg", Native::Tdg),
    ("rx", Native::Rx),
    ("ry", Native::Ry),
    ("rz", Native::Rz),
    ("sx", Native::Sx),
    ("sxdg", Native::Sxdg),
    ("cz", Native::Cz),
    ("cy", Native::Cy),
    ("swap", Native::Swap),
    ("ch", Native::Ch),
    ("ccx", Native::Ccx),
    ("cswap", Native::Cswap),
    ("crx", Native::Crx),
    ("cry", Native::Cry),
    ("crz", Native::Crz),
    ("cu1", Native::Cu1),
    ("cp", Native::Cp),
    ("cu3", Native::Cu3),
    ("csx", Native::Csx),
    ("cu", Native::Cu),
    ("rxx", Native::Rxx),
    ("rzz", Native::Rzz),
    ("c3x", Native::C3x),
    ("c3sqrtx", Native::C3sqrtx),
    ("c4x", Native::C4x),
];

impl Native {
    /// (number of parameters, number of qubits).
    pub(super) fn arity(self) -> (usize, usize) {
        use Native::*;
        match self {
            U | U3 | Uu => (3, 1),
            U2 => (2, 1),
            U1 | U0 | P | Rx | Ry | Rz => (1, 1),
            Id | X | Y | Z | H | S | Sdg | T | Tdg | Sx | Sxdg => (0, 1),
            CX | Cx | Cz | Cy | Swap | Ch | Csx => (0, 2),
            Crx | Cry | Crz | Cu1 | Cp | Rxx | Rzz => (1, 2),
            Cu3 => (3, 2),
            Cu => (4, 2),
            Ccx | Cswap => (0, 3),
            C3x | C3sqrtx => (0, 4),
            C4x => (0, 5),
        }
    }

    /// The qnet instructions of this gate with parameters `a` on qubits `q` (arity already checked). The gates
    /// are Qiskit's gate classes for these names, global phase included.
    pub(super) fn instructions(self, a: &[f64], q: &[usize]) -> Result<Vec<Instruction>> {
        use Native::*;
        let p = |i: usize| Param::Const(a[i]);
        let one = |g: Gate| Instruction::new(g, q.to_vec(), Vec::new());
        // `g` on the last qubit, controlled by all the others.
        let ctrl = |g: Gate| {
            let (t, c) = q.split_last().expect("arity checked");
            Instruction::new(g, vec![*t], c.to_vec())
        };
        Ok(vec![match self {
            U | U3 | Uu => one(Gate::U3(p(0), p(1), p(2)))?,
            U2 => one(Gate::U3(Param::Const(PI / 2.0), p(0), p(1)))?,
            U1 | P => one(Gate::Phase(p(0)))?,
            CX | Cx => one(Gate::CNOT)?,
            Id | U0 => one(Gate::I)?,
            X => one(Gate::X)?,
            Y => one(Gate::Y)?,
            Z => one(Gate::Z)?,
            H => one(Gate::H)?,
            S => one(Gate::S)?,
            Sdg => one(Gate::Sdg)?,
            T => one(Gate::T)?,
            Tdg => one(Gate::Tdg)?,
            Rx => one(Gate::RX(p(0)))?,
            Ry => one(Gate::RY(p(0)))?,
            Rz => one(Gate::RZ(p(0)))?,
            Sx => one(Gate::SX)?,
            Sxdg => one(Gate::SXdg)?,
            Cz => one(Gate::CZ)?,
            Cy => one(Gate::CY)?,
            Swap => one(Gate::SWAP)?,
            Ch => ctrl(Gate::H)?,
            Ccx => one(Gate::Toffoli)?,
            Cswap => one(Gate::Fredkin)?,
            Crx => one(Gate::CRX(p(0)))?,
            Cry => one(Gate::CRY(p(0)))?,
            Crz => one(Gate::CRZ(p(0)))?,
            Cu1 | Cp => one(Gate::CPhase(p(0)))?,
            Cu3 => ctrl(Gate::U3(p(0), p(1), p(2)))?,
            Csx => ctrl(Gate::SX)?,
            Cu => {
                // CU(θ, φ, λ, γ) = |0⟩⟨0| ⊗ I + e^{iγ}|1⟩⟨1| ⊗ U3(θ, φ, λ): a phase on the control, then CU3.
                let u = ctrl(Gate::U3(p(0), p(1), p(2)))?;
                if a[3] == 0.0 {
                    return Ok(vec![u]);
                }
                return Ok(vec![Instruction::new(Gate::Phase(p(3)), vec![q[0]], Vec::new())?, u]);
            }
            Rxx => one(Gate::RXX(p(0)))?,
            Rzz => one(Gate::RZZ(p(0)))?,
            C3x | C4x => ctrl(Gate::X)?,
            C3sqrtx => ctrl(Gate::SX)?,
        }])
    }
}
