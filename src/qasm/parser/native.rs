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

/// The angle of each gate in the tables below: a placeholder for the parameters a call gives.
const ANGLE: Param = Param::Const(0.0);

/// A gate known natively: the built-ins `U` and `CX`, and the qelib1.inc gates that map onto qnet gates.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Native {
    /// A qnet gate: the call's parameters are its angles in order, its qubits the gate's.
    Gate(Gate),
    /// A one-qubit qnet gate on the last of `1 + controls` qubits, controlled by the others.
    Controlled(Gate, usize),
    /// `u2(φ, λ)` = U3(π/2, φ, λ).
    U2,
    /// `u0(γ)`: the identity (an idle of γ gate times).
    U0,
    /// `cu(θ, φ, λ, γ)` = |0⟩⟨0| ⊗ I + e^{iγ}|1⟩⟨1| ⊗ U3(θ, φ, λ).
    Cu,
}

/// The built-in gates of OpenQASM 2.0, known without an include.
pub(super) const BUILT_IN: &[(&str, Native)] =
    &[("U", Native::Gate(Gate::U3(ANGLE, ANGLE, ANGLE))), ("CX", Native::Gate(Gate::CNOT))];

/// The qelib1.inc gates qnet maps to its own gates, with their names (Qiskit's qelib1.inc, a superset of the
/// 2017 paper's).
pub(super) const QELIB1_NATIVE: &[(&str, Native)] = &[
    ("u3", Native::Gate(Gate::U3(ANGLE, ANGLE, ANGLE))),
    ("u2", Native::U2),
    ("u1", Native::Gate(Gate::Phase(ANGLE))),
    ("cx", Native::Gate(Gate::CNOT)),
    ("id", Native::Gate(Gate::I)),
    ("u0", Native::U0),
    ("u", Native::Gate(Gate::U3(ANGLE, ANGLE, ANGLE))),
    ("p", Native::Gate(Gate::Phase(ANGLE))),
    ("x", Native::Gate(Gate::X)),
    ("y", Native::Gate(Gate::Y)),
    ("z", Native::Gate(Gate::Z)),
    ("h", Native::Gate(Gate::H)),
    ("s", Native::Gate(Gate::S)),
    ("sdg", Native::Gate(Gate::Sdg)),
    ("t", Native::Gate(Gate::T)),
    ("tdg", Native::Gate(Gate::Tdg)),
    ("rx", Native::Gate(Gate::RX(ANGLE))),
    ("ry", Native::Gate(Gate::RY(ANGLE))),
    ("rz", Native::Gate(Gate::RZ(ANGLE))),
    ("sx", Native::Gate(Gate::SX)),
    ("sxdg", Native::Gate(Gate::SXdg)),
    ("cz", Native::Gate(Gate::CZ)),
    ("cy", Native::Gate(Gate::CY)),
    ("swap", Native::Gate(Gate::SWAP)),
    ("ch", Native::Controlled(Gate::H, 1)),
    ("ccx", Native::Gate(Gate::Toffoli)),
    ("cswap", Native::Gate(Gate::Fredkin)),
    ("crx", Native::Gate(Gate::CRX(ANGLE))),
    ("cry", Native::Gate(Gate::CRY(ANGLE))),
    ("crz", Native::Gate(Gate::CRZ(ANGLE))),
    ("cu1", Native::Gate(Gate::CPhase(ANGLE))),
    ("cp", Native::Gate(Gate::CPhase(ANGLE))),
    ("cu3", Native::Controlled(Gate::U3(ANGLE, ANGLE, ANGLE), 1)),
    ("csx", Native::Controlled(Gate::SX, 1)),
    ("cu", Native::Cu),
    ("rxx", Native::Gate(Gate::RXX(ANGLE))),
    ("rzz", Native::Gate(Gate::RZZ(ANGLE))),
    ("c3x", Native::Controlled(Gate::X, 3)),
    ("c3sqrtx", Native::Controlled(Gate::SX, 3)),
    ("c4x", Native::Controlled(Gate::X, 4)),
];

impl Native {
    /// (number of parameters, number of qubits).
    pub(super) fn arity(&self) -> (usize, usize) {
        match self {
            Native::Gate(g) => (g.params().len(), g.num_qubits()),
            Native::Controlled(g, controls) => (g.params().len(), 1 + controls),
            Native::U2 => (2, 1),
            Native::U0 => (1, 1),
            Native::Cu => (4, 2),
        }
    }

    /// The qnet instructions of this gate with parameters `a` on qubits `q` (arity already checked). The gates
    /// are Qiskit's gate classes for these names, global phase included.
    pub(super) fn instructions(&self, a: &[f64], q: &[usize]) -> Result<Vec<Instruction>> {
        let p = |i: usize| Param::Const(a[i]);
        let with_angles = |g: &Gate| g.map_params(|slot, _| p(slot));
        let one = |g: Gate| Instruction::new(g, q.to_vec(), Vec::new());
        // `g` on the last qubit, controlled by all the others.
        let ctrl = |g: Gate| {
            let (t, c) = q.split_last().expect("arity checked");
            Instruction::new(g, vec![*t], c.to_vec())
        };
        Ok(vec![match self {
            Native::Gate(g) => one(with_angles(g))?,
            Native::Controlled(g, _) => ctrl(with_angles(g))?,
            Native::U2 => one(Gate::U3(Param::Const(PI / 2.0), p(0), p(1)))?,
            Native::U0 => one(Gate::I)?,
            Native::Cu => {
                // A phase on the control, then CU3.
                let u = ctrl(Gate::U3(p(0), p(1), p(2)))?;
                if a[3] == 0.0 {
                    return Ok(vec![u]);
                }
                return Ok(vec![Instruction::new(Gate::Phase(p(3)), vec![q[0]], Vec::new())?, u]);
            }
        }])
    }
}
