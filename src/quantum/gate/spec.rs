//! Each gate's description in one place: [`Gate::spec`] is the one `match` that takes a gate apart, and the
//! gate's name, shape, angles, lowering, inverse, generator, derivatives, shift rules and OpenQASM form are all
//! derived from what it returns. A new gate is one arm here, plus its builder method in `circuit.rs` and its
//! lines in the OpenQASM name tables (`qasm/parser/native.rs`, and `qasm/export/decompose.rs` for controlled
//! forms).

use std::f64::consts::FRAC_1_SQRT_2;

use num_complex::Complex64 as C;

use super::{cis, Gate};
use crate::quantum::op::{Op, I, ONE};
use crate::quantum::param::Param;
use crate::quantum::{Pauli, UnitaryMatrix};

/// What the crate knows about one gate.
pub(crate) struct GateSpec<'g> {
    /// The lowercase name, qelib1.inc's where it has one.
    pub(crate) name: &'static str,
    /// The qubits the gate acts on, its own controls first.
    pub(crate) qubits: usize,
    /// How many of those qubits are controls.
    pub(crate) controls: usize,
    /// How OpenQASM export writes the gate.
    pub(crate) qasm: QasmForm,
    /// The angles and the op on the targets (the gate's own controls excluded).
    pub(crate) form: Form<'g>,
}

/// A gate's angles and what it does with them.
pub(crate) enum Form<'g> {
    /// No angle: the op, and the inverse.
    Fixed(fn() -> Op, Inverse),
    /// A caller's unitary.
    Unitary(&'g UnitaryMatrix),
    /// One angle θ with U(θ) = exp(−iθG): the angle, the variant that holds it and the generator G. The op is
    /// exp(−iθG), its inverse U(−θ), and its one factor is the whole op (leftmost, in [`Factor`]'s terms).
    One(Param, fn(Param) -> Gate, Generator),
    /// Three angles.
    Three(ThreeAngles),
}

/// A gate with three angles, the op a closed form in them.
pub(crate) struct ThreeAngles {
    /// The angles, in the order of the variant's fields.
    pub(crate) params: [Param; 3],
    /// The variant that holds them.
    pub(crate) variant: fn(Param, Param, Param) -> Gate,
    /// The op at bound angles.
    pub(crate) lower: fn([f64; 3]) -> Op,
    /// The factor each angle enters by, the op being exactly Left·Inner·Right.
    pub(crate) factors: [Factor; 3],
    /// Angle k of the inverse is minus angle `inverse[k]`: the inverse is the reversed product of the factors.
    pub(crate) inverse: [usize; 3],
}

/// The inverse of a gate without angles.
pub(crate) enum Inverse {
    /// The gate itself.
    Itself,
    /// Another named gate (S → S†).
    Gate(Gate),
    /// A caller's unitary holding the adjoint of the op (iSWAP†, which qnet does not name).
    Adjoint,
}

/// The Hermitian generator G of an angle's factor exp(−iθG), on the op's targets.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Generator {
    /// P/2 on one target, P⊗P/2 on two: eigenvalues ±1/2.
    Pauli(Pauli),
    /// −|1⟩⟨1| on the op's one target (Phase(θ) = exp(iθ|1⟩⟨1|)): eigenvalues 0 and −1.
    Phase,
}

/// Where an angle's factor exp(−iθG) stands in the op U = Left·Inner·Right.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Factor {
    /// Leftmost: ∂U/∂θ = −iG·U.
    Left(Generator),
    /// Between the others, a Pauli rotation: ∂U/∂θ = U(θ + π)/2.
    Inner(Pauli),
    /// Rightmost: ∂U/∂θ = U·(−iG); only in three-angle gates, whose op has one target.
    Right(Generator),
}

/// How OpenQASM 2.0 export writes a gate.
pub(crate) enum QasmForm {
    /// Under its own name, a qelib1.inc gate.
    Qelib1,
    /// A gate with controls of its own, written as qelib1.inc's controlled form of this gate on its targets
    /// (CRX: RX with one control, `crx`).
    Controlled(Gate),
    /// Under its own name, with a `gate` definition of the exporter (qelib1.inc lacks it).
    Defined,
    /// As an exact decomposition into qelib1.inc gates.
    Decomposed,
}

impl Gate {
    /// The gate's description.
    pub(crate) fn spec(&self) -> GateSpec<'_> {
        use Factor::{Inner, Left, Right};
        use Form::{Fixed, One, Three};
        use Inverse::Itself;
        use QasmForm::{Controlled, Qelib1};
        let spec = |name, qubits, controls, qasm, form| GateSpec { name, qubits, controls, qasm, form };
        let (x, y, z) = (Generator::Pauli(Pauli::X), Generator::Pauli(Pauli::Y), Generator::Pauli(Pauli::Z));
        let phase = Generator::Phase;
        const R: f64 = FRAC_1_SQRT_2;
        match *self {
            Gate::I => spec("id", 1, 0, Qelib1, Fixed(|| Op::Diag1([ONE, ONE]), Itself)),
            Gate::X => spec("x", 1, 0, Qelib1, Fixed(|| Op::Anti1(ONE, ONE), Itself)),
            Gate::Y => spec("y", 1, 0, Qelib1, Fixed(|| Op::Anti1(-I, I), Itself)),
            Gate::Z => spec("z", 1, 0, Qelib1, Fixed(|| Op::Diag1([ONE, -ONE]), Itself)),
            Gate::H => spec("h", 1, 0, Qelib1, Fixed(h_op, Itself)),
            Gate::S => spec("s", 1, 0, Qelib1, Fixed(|| Op::Diag1([ONE, I]), Inverse::Gate(Gate::Sdg))),
            Gate::Sdg => spec("sdg", 1, 0, Qelib1, Fixed(|| Op::Diag1([ONE, -I]), Inverse::Gate(Gate::S))),
            Gate::T => spec("t", 1, 0, Qelib1, Fixed(|| Op::Diag1([ONE, C::new(R, R)]), Inverse::Gate(Gate::Tdg))),
            Gate::Tdg => spec("tdg", 1, 0, Qelib1, Fixed(|| Op::Diag1([ONE, C::new(R, -R)]), Inverse::Gate(Gate::T))),
            Gate::SX => spec("sx", 1, 0, Qelib1, Fixed(|| sqrt_x_op(1.0), Inverse::Gate(Gate::SXdg))),
            Gate::SXdg => spec("sxdg", 1, 0, Qelib1, Fixed(|| sqrt_x_op(-1.0), Inverse::Gate(Gate::SX))),
            Gate::RX(p) => spec("rx", 1, 0, Qelib1, One(p, Gate::RX, x)),
            Gate::RY(p) => spec("ry", 1, 0, Qelib1, One(p, Gate::RY, y)),
            Gate::RZ(p) => spec("rz", 1, 0, Qelib1, One(p, Gate::RZ, z)),
            Gate::Phase(p) => spec("p", 1, 0, Qelib1, One(p, Gate::Phase, phase)),
            // U3 = Phase(φ)·RY(θ)·Phase(λ).
            Gate::U3(theta, phi, lambda) => {
                let factors = [Inner(Pauli::Y), Left(phase), Right(phase)];
                let three = ThreeAngles {
                    params: [theta, phi, lambda],
                    variant: Gate::U3,
                    lower: u3_op,
                    factors,
                    inverse: [0, 2, 1],
                };
                spec("u3", 1, 0, Qelib1, Three(three))
            }
            // Rot = RZ(ω)·RY(θ)·RZ(φ); OpenQASM export writes the three factors.
            Gate::Rot(phi, theta, omega) => {
                let factors = [Right(z), Inner(Pauli::Y), Left(z)];
                let three = ThreeAngles {
                    params: [phi, theta, omega],
                    variant: Gate::Rot,
                    lower: rot_op,
                    factors,
                    inverse: [2, 1, 0],
                };
                spec("rot", 1, 0, QasmForm::Decomposed, Three(three))
            }
            Gate::CNOT => spec("cx", 2, 1, Controlled(Gate::X), Fixed(|| Op::Anti1(ONE, ONE), Itself)),
            Gate::CY => spec("cy", 2, 1, Controlled(Gate::Y), Fixed(|| Op::Anti1(-I, I), Itself)),
            Gate::CZ => spec("cz", 2, 1, Controlled(Gate::Z), Fixed(|| Op::Diag1([ONE, -ONE]), Itself)),
            Gate::SWAP => spec("swap", 2, 0, Qelib1, Fixed(|| Op::Swap2(ONE), Itself)),
            Gate::ISwap => spec("iswap", 2, 0, QasmForm::Defined, Fixed(|| Op::Swap2(I), Inverse::Adjoint)),
            Gate::CRX(p) => spec("crx", 2, 1, Controlled(Gate::RX(p)), One(p, Gate::CRX, x)),
            Gate::CRY(p) => spec("cry", 2, 1, Controlled(Gate::RY(p)), One(p, Gate::CRY, y)),
            Gate::CRZ(p) => spec("crz", 2, 1, Controlled(Gate::RZ(p)), One(p, Gate::CRZ, z)),
            Gate::CPhase(p) => spec("cp", 2, 1, Controlled(Gate::Phase(p)), One(p, Gate::CPhase, phase)),
            Gate::RXX(p) => spec("rxx", 2, 0, Qelib1, One(p, Gate::RXX, x)),
            Gate::RYY(p) => spec("ryy", 2, 0, QasmForm::Defined, One(p, Gate::RYY, y)),
            Gate::RZZ(p) => spec("rzz", 2, 0, Qelib1, One(p, Gate::RZZ, z)),
            Gate::Toffoli => spec("ccx", 3, 2, Controlled(Gate::X), Fixed(|| Op::Anti1(ONE, ONE), Itself)),
            Gate::Fredkin => spec("cswap", 3, 1, Controlled(Gate::SWAP), Fixed(|| Op::Swap2(ONE), Itself)),
            Gate::Unitary(ref u) => spec("unitary", u.num_qubits(), 0, QasmForm::Decomposed, Form::Unitary(u)),
        }
    }
}

/// H = [[1, 1], [1, −1]]/√2.
fn h_op() -> Op {
    let r = FRAC_1_SQRT_2;
    Op::Mat1([[C::new(r, 0.0), C::new(r, 0.0)], [C::new(r, 0.0), C::new(-r, 0.0)]])
}

/// √X = [[1+i, 1−i], [1−i, 1+i]]/2 (`sign` 1) and its adjoint √X† (`sign` −1).
fn sqrt_x_op(sign: f64) -> Op {
    let (a, b) = (C::new(0.5, 0.5 * sign), C::new(0.5, -0.5 * sign));
    Op::Mat1([[a, b], [b, a]])
}

/// U3(θ, φ, λ) = [[cos θ/2, −e^{iλ} sin θ/2], [e^{iφ} sin θ/2, e^{i(φ+λ)} cos θ/2]].
fn u3_op([theta, phi, lambda]: [f64; 3]) -> Op {
    let (s, c) = (theta / 2.0).sin_cos();
    Op::Mat1([[C::new(c, 0.0), -cis(lambda) * s], [cis(phi) * s, cis(phi + lambda) * c]])
}

/// Rot(φ, θ, ω) = RZ(ω)·RY(θ)·RZ(φ).
fn rot_op([phi, theta, omega]: [f64; 3]) -> Op {
    let (s, c) = (theta / 2.0).sin_cos();
    let (sum, diff) = ((phi + omega) / 2.0, (phi - omega) / 2.0);
    Op::Mat1([[cis(-sum) * c, -cis(diff) * s], [cis(-diff) * s, cis(sum) * c]])
}
