//! The gate set: a validated collection of unitaries, each with its matrix, inverse and generator.

use nalgebra::DMatrix;
use num_complex::Complex64 as C;

use super::op::{Op, I, ONE, ZERO};
use super::param::Param;
use super::unitary::UnitaryMatrix;
use crate::error::{Error, Result};

/// A quantum gate: a unitary on one, two or three qubits, with angles that may be constants, trainable
/// weights or inputs.
///
/// The qubits a gate acts on are given when it is placed in a [`Circuit`](super::Circuit); for controlled gates
/// the control qubits come first (`CNOT` on `[control, target]`, `Toffoli` on `[c0, c1, target]`, `Fredkin` on
/// `[control, a, b]`). A gate's [`matrix`](Gate::matrix) is written in the crate's bit order: the first qubit is
/// the least significant bit of the matrix index, so `CNOT` is Qiskit's `CXGate` matrix.
///
/// Rotations follow the usual convention U(θ) = exp(−iθG) with the [`generator`](Gate::generator) G, for
/// example RX(θ) = exp(−iθX/2).
///
/// # Example
///
/// ```
/// use qnet::prelude::*;
/// use approx::assert_relative_eq;
///
/// # fn main() -> qnet::Result<()> {
/// // HXH = Z
/// let (h, x, z) = (Gate::H.matrix()?, Gate::X.matrix()?, Gate::Z.matrix()?);
/// assert_relative_eq!(&h * &x * &h, z, epsilon = 1e-12);
///
/// // RX(θ)·RX(θ)⁻¹ = I
/// let rx = Gate::RX(0.7.into());
/// let product = rx.matrix()? * rx.inverse().matrix()?;
/// assert_relative_eq!(product, nalgebra::DMatrix::identity(2, 2), epsilon = 1e-12);
///
/// // A weight must be bound before the matrix exists.
/// assert!(Gate::RY(Param::weight(0)).matrix().is_err());
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum Gate {
    /// The identity I.
    I,
    /// Pauli X = [[0, 1], [1, 0]].
    X,
    /// Pauli Y = [[0, −i], [i, 0]].
    Y,
    /// Pauli Z = diag(1, −1).
    Z,
    /// Hadamard H = [[1, 1], [1, −1]]/√2.
    H,
    /// S = diag(1, i) = √Z.
    S,
    /// S† = diag(1, −i).
    Sdg,
    /// T = diag(1, e^{iπ/4}) = √S.
    T,
    /// T† = diag(1, e^{−iπ/4}).
    Tdg,
    /// √X = [[1+i, 1−i], [1−i, 1+i]]/2.
    SX,
    /// √X† = [[1−i, 1+i], [1+i, 1−i]]/2.
    SXdg,
    /// RX(θ) = exp(−iθX/2) = [[cos θ/2, −i sin θ/2], [−i sin θ/2, cos θ/2]].
    RX(Param),
    /// RY(θ) = exp(−iθY/2) = [[cos θ/2, −sin θ/2], [sin θ/2, cos θ/2]].
    RY(Param),
    /// RZ(θ) = exp(−iθZ/2) = diag(e^{−iθ/2}, e^{iθ/2}).
    RZ(Param),
    /// Phase(λ) = diag(1, e^{iλ}) (Qiskit's `p`, PennyLane's `PhaseShift`).
    Phase(Param),
    /// U(θ, φ, λ) = [[cos θ/2, −e^{iλ} sin θ/2], [e^{iφ} sin θ/2, e^{i(φ+λ)} cos θ/2]], Qiskit's `u3`.
    U3(Param, Param, Param),
    /// Controlled X on `[control, target]`.
    CNOT,
    /// Controlled Y on `[control, target]`.
    CY,
    /// Controlled Z on `[control, target]`: diag(1, 1, 1, −1).
    CZ,
    /// SWAP on `[a, b]`.
    SWAP,
    /// iSWAP on `[a, b]`: |01⟩ → i|10⟩, |10⟩ → i|01⟩.
    ISwap,
    /// Controlled RX(θ) on `[control, target]`.
    CRX(Param),
    /// Controlled RY(θ) on `[control, target]`.
    CRY(Param),
    /// Controlled RZ(θ) on `[control, target]`.
    CRZ(Param),
    /// Controlled Phase(λ) on `[control, target]`: diag(1, 1, 1, e^{iλ}).
    CPhase(Param),
    /// RXX(θ) = exp(−iθ X⊗X/2).
    RXX(Param),
    /// RYY(θ) = exp(−iθ Y⊗Y/2).
    RYY(Param),
    /// RZZ(θ) = exp(−iθ Z⊗Z/2) = diag(e^{−iθ/2}, e^{iθ/2}, e^{iθ/2}, e^{−iθ/2}).
    RZZ(Param),
    /// Toffoli (CCX) on `[c0, c1, target]`.
    Toffoli,
    /// Fredkin (CSWAP) on `[control, a, b]`.
    Fredkin,
    /// A caller's 2x2 or 4x4 unitary, validated when made (see [`Gate::unitary`]).
    Unitary(UnitaryMatrix),
}

/// The parameter-shift rule that differentiates a gate's angle exactly.
///
/// # Example
///
/// ```
/// use qnet::prelude::*;
/// use qnet::quantum::ShiftRule;
///
/// assert_eq!(Gate::RX(0.1.into()).shift_rule(), Some(ShiftRule::TwoTerm));
/// assert_eq!(Gate::CRY(0.1.into()).shift_rule(), Some(ShiftRule::FourTerm));
/// assert_eq!(Gate::H.shift_rule(), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShiftRule {
    /// d f/dθ = [f(θ + π/2) − f(θ − π/2)]/2, exact when the generator has two eigenvalues one apart.
    TwoTerm,
    /// d f/dθ = c₊[f(θ + π/2) − f(θ − π/2)] − c₋[f(θ + 3π/2) − f(θ − 3π/2)] with c± = (√2 ± 1)/(4√2), exact
    /// when the generator's eigenvalues are {0, ±1/2} (controlled rotations).
    FourTerm,
}

/// The angles of one gate, at most three: derefs to a slice.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GateParams {
    items: [Param; 3],
    len: usize,
}

impl std::ops::Deref for GateParams {
    type Target = [Param];
    fn deref(&self) -> &[Param] {
        &self.items[..self.len]
    }
}

fn cis(phi: f64) -> C {
    C::from_polar(1.0, phi)
}

impl Gate {
    /// A gate from a caller's 2x2 or 4x4 matrix, checked to be unitary (‖U†U − I‖ ≤ 1e-10, entrywise).
    ///
    /// # Errors
    /// [`Error::UnsupportedMatrixSize`], [`Error::NonFinite`] or [`Error::NotUnitary`].
    pub fn unitary(matrix: DMatrix<C>) -> Result<Gate> {
        Ok(Gate::Unitary(UnitaryMatrix::new(matrix)?))
    }

    /// The gate's lowercase name, as in OpenQASM's qelib1.inc where it has one (`"cx"`, `"rz"`, `"u3"`).
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            Gate::I => "id",
            Gate::X => "x",
            Gate::Y => "y",
            Gate::Z => "z",
            Gate::H => "h",
            Gate::S => "s",
            Gate::Sdg => "sdg",
            Gate::T => "t",
            Gate::Tdg => "tdg",
            Gate::SX => "sx",
            Gate::SXdg => "sxdg",
            Gate::RX(_) => "rx",
            Gate::RY(_) => "ry",
            Gate::RZ(_) => "rz",
            Gate::Phase(_) => "p",
            Gate::U3(..) => "u3",
            Gate::CNOT => "cx",
            Gate::CY => "cy",
            Gate::CZ => "cz",
            Gate::SWAP => "swap",
            Gate::ISwap => "iswap",
            Gate::CRX(_) => "crx",
            Gate::CRY(_) => "cry",
            Gate::CRZ(_) => "crz",
            Gate::CPhase(_) => "cp",
            Gate::RXX(_) => "rxx",
            Gate::RYY(_) => "ryy",
            Gate::RZZ(_) => "rzz",
            Gate::Toffoli => "ccx",
            Gate::Fredkin => "cswap",
            Gate::Unitary(_) => "unitary",
        }
    }

    /// The number of qubits the gate acts on, controls included.
    #[must_use]
    pub fn num_qubits(&self) -> usize {
        match self {
            Gate::Toffoli | Gate::Fredkin => 3,
            Gate::CNOT
            | Gate::CY
            | Gate::CZ
            | Gate::SWAP
            | Gate::ISwap
            | Gate::CRX(_)
            | Gate::CRY(_)
            | Gate::CRZ(_)
            | Gate::CPhase(_)
            | Gate::RXX(_)
            | Gate::RYY(_)
            | Gate::RZZ(_) => 2,
            Gate::Unitary(u) => u.num_qubits(),
            _ => 1,
        }
    }

    /// How many of the gate's leading qubits are controls (1 for `CNOT`, 2 for `Toffoli`, 0 for `SWAP`).
    #[must_use]
    pub fn num_controls(&self) -> usize {
        match self {
            Gate::Toffoli => 2,
            Gate::CNOT
            | Gate::CY
            | Gate::CZ
            | Gate::CRX(_)
            | Gate::CRY(_)
            | Gate::CRZ(_)
            | Gate::CPhase(_)
            | Gate::Fredkin => 1,
            _ => 0,
        }
    }

    /// The gate's angles, in the order of its variant's fields (U3: θ, φ, λ).
    #[must_use]
    pub fn params(&self) -> GateParams {
        let zero = Param::Const(0.0);
        let (items, len) = match *self {
            Gate::RX(p)
            | Gate::RY(p)
            | Gate::RZ(p)
            | Gate::Phase(p)
            | Gate::CRX(p)
            | Gate::CRY(p)
            | Gate::CRZ(p)
            | Gate::CPhase(p)
            | Gate::RXX(p)
            | Gate::RYY(p)
            | Gate::RZZ(p) => ([p, zero, zero], 1),
            Gate::U3(a, b, c) => ([a, b, c], 3),
            _ => ([zero; 3], 0),
        };
        GateParams { items, len }
    }

    /// The same gate with each angle replaced by `f(slot, angle)`.
    #[must_use]
    pub fn map_params(&self, mut f: impl FnMut(usize, Param) -> Param) -> Gate {
        match *self {
            Gate::RX(p) => Gate::RX(f(0, p)),
            Gate::RY(p) => Gate::RY(f(0, p)),
            Gate::RZ(p) => Gate::RZ(f(0, p)),
            Gate::Phase(p) => Gate::Phase(f(0, p)),
            Gate::CRX(p) => Gate::CRX(f(0, p)),
            Gate::CRY(p) => Gate::CRY(f(0, p)),
            Gate::CRZ(p) => Gate::CRZ(f(0, p)),
            Gate::CPhase(p) => Gate::CPhase(f(0, p)),
            Gate::RXX(p) => Gate::RXX(f(0, p)),
            Gate::RYY(p) => Gate::RYY(f(0, p)),
            Gate::RZZ(p) => Gate::RZZ(f(0, p)),
            Gate::U3(a, b, c) => Gate::U3(f(0, a), f(1, b), f(2, c)),
            _ => self.clone(),
        }
    }

    /// The same gate with every weight and input replaced by its value.
    ///
    /// # Errors
    /// [`Error::ParameterOutOfRange`] when an index is beyond the vector it reads.
    pub fn bind(&self, weights: &[f64], inputs: &[f64]) -> Result<Gate> {
        let mut err = None;
        let bound = self.map_params(|_, p| match p.value(weights, inputs) {
            Ok(v) => Param::Const(v),
            Err(e) => {
                err.get_or_insert(e);
                p
            }
        });
        err.map_or(Ok(bound), Err)
    }

    /// The inverse gate U⁻¹ = U†, in closed form (RX(θ) → RX(−θ), S → S†, U3(θ, φ, λ) → U3(−θ, −λ, −φ)).
    #[must_use]
    pub fn inverse(&self) -> Gate {
        match self {
            Gate::S => Gate::Sdg,
            Gate::Sdg => Gate::S,
            Gate::T => Gate::Tdg,
            Gate::Tdg => Gate::T,
            Gate::SX => Gate::SXdg,
            Gate::SXdg => Gate::SX,
            Gate::U3(a, b, c) => Gate::U3(-*a, -*c, -*b),
            Gate::ISwap => Gate::Unitary(UnitaryMatrix::from_trusted(op_matrix(&Op::Swap2(-I), 0))),
            Gate::Unitary(u) => Gate::Unitary(u.adjoint()),
            other if other.params().is_empty() => other.clone(),
            other => other.map_params(|_, p| -p),
        }
    }

    /// The dense matrix of the gate on its own qubits (2^k × 2^k, the first qubit the least significant bit).
    ///
    /// # Errors
    /// [`Error::UnboundParameter`] when an angle is a weight or input: bind it first ([`Gate::bind`]).
    pub fn matrix(&self) -> Result<DMatrix<C>> {
        let mut angles = [0.0; 3];
        for (slot, p) in self.params().iter().enumerate() {
            angles[slot] = p.constant()?;
        }
        Ok(op_matrix(&self.lower(angles), self.num_controls()))
    }

    /// The Hermitian generator G with U(θ) = exp(−iθG), for gates with exactly one angle; `None` otherwise.
    ///
    /// RX: X/2, RZ: Z/2, Phase: −|1⟩⟨1|, CRX: |1⟩⟨1| ⊗ X/2, RZZ: Z⊗Z/2, and so on.
    #[must_use]
    pub fn generator(&self) -> Option<DMatrix<C>> {
        let half = C::new(0.5, 0.0);
        let x = [[ZERO, half], [half, ZERO]];
        let y = [[ZERO, -I * 0.5], [I * 0.5, ZERO]];
        let z = [[half, ZERO], [ZERO, -half]];
        let p = [[ZERO, ZERO], [ZERO, -ONE]];
        let one_qubit = |m: [[C; 2]; 2]| DMatrix::from_fn(2, 2, |r, c| m[r][c]);
        // |1⟩⟨1| on the control (bit 0) times m on the target (bit 1).
        let controlled = |m: [[C; 2]; 2]| {
            DMatrix::from_fn(4, 4, |r, c| if r & 1 == 1 && c & 1 == 1 { m[r >> 1][c >> 1] } else { ZERO })
        };
        let two = |m: [[C; 2]; 2]| {
            // m ⊗ m with m already carrying a factor 1/2: rescale to one factor of 1/2.
            DMatrix::from_fn(4, 4, |r, c| 2.0 * m[r & 1][c & 1] * m[r >> 1][c >> 1])
        };
        Some(match self {
            Gate::RX(_) => one_qubit(x),
            Gate::RY(_) => one_qubit(y),
            Gate::RZ(_) => one_qubit(z),
            Gate::Phase(_) => one_qubit(p),
            Gate::CRX(_) => controlled(x),
            Gate::CRY(_) => controlled(y),
            Gate::CRZ(_) => controlled(z),
            Gate::CPhase(_) => controlled(p),
            Gate::RXX(_) => two(x),
            Gate::RYY(_) => two(y),
            Gate::RZZ(_) => two(z),
            _ => return None,
        })
    }

    /// The parameter-shift rule for a gate with one angle; `None` for fixed gates and for U3, whose three
    /// angles are differentiated through its decomposition RZ(φ)·RY(θ)·RZ(λ) (each a two-term rule).
    ///
    /// `Phase` and `CPhase` have generators with eigenvalues {0, −1}, one frequency, so the two-term rule is
    /// exact for them; the four-term rule (also exact for them) serves the controlled rotations.
    #[must_use]
    pub fn shift_rule(&self) -> Option<ShiftRule> {
        match self {
            Gate::RX(_)
            | Gate::RY(_)
            | Gate::RZ(_)
            | Gate::Phase(_)
            | Gate::CPhase(_)
            | Gate::RXX(_)
            | Gate::RYY(_)
            | Gate::RZZ(_) => Some(ShiftRule::TwoTerm),
            Gate::CRX(_) | Gate::CRY(_) | Gate::CRZ(_) => Some(ShiftRule::FourTerm),
            _ => None,
        }
    }

    /// The op this gate applies to its targets given its angles: the gate's own controls are not part of it.
    pub(crate) fn lower(&self, angles: [f64; 3]) -> Op {
        let half = angles[0] / 2.0;
        let (c, s) = (half.cos(), half.sin());
        let r = std::f64::consts::FRAC_1_SQRT_2;
        let rx = || Op::Mat1([[C::new(c, 0.0), C::new(0.0, -s)], [C::new(0.0, -s), C::new(c, 0.0)]]);
        let ry = || Op::Mat1([[C::new(c, 0.0), C::new(-s, 0.0)], [C::new(s, 0.0), C::new(c, 0.0)]]);
        let rz = || Op::Diag1([cis(-half), cis(half)]);
        let phase = || Op::Diag1([ONE, cis(angles[0])]);
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
            Gate::RX(_) | Gate::CRX(_) => rx(),
            Gate::RY(_) | Gate::CRY(_) => ry(),
            Gate::RZ(_) | Gate::CRZ(_) => rz(),
            Gate::Phase(_) | Gate::CPhase(_) => phase(),
            Gate::U3(..) => {
                let (phi, lambda) = (angles[1], angles[2]);
                Op::Mat1([[C::new(c, 0.0), -cis(lambda) * s], [cis(phi) * s, cis(phi + lambda) * c]])
            }
            Gate::SWAP | Gate::Fredkin => Op::Swap2(ONE),
            Gate::ISwap => Op::Swap2(I),
            Gate::RXX(_) => {
                let (d, o) = (C::new(c, 0.0), C::new(0.0, -s));
                Op::Mat2([[d, ZERO, ZERO, o], [ZERO, d, o, ZERO], [ZERO, o, d, ZERO], [o, ZERO, ZERO, d]])
            }
            Gate::RYY(_) => {
                let (d, p, m) = (C::new(c, 0.0), C::new(0.0, s), C::new(0.0, -s));
                Op::Mat2([[d, ZERO, ZERO, p], [ZERO, d, m, ZERO], [ZERO, m, d, ZERO], [p, ZERO, ZERO, d]])
            }
            Gate::RZZ(_) => Op::Diag2([cis(-half), cis(half), cis(half), cis(-half)]),
            Gate::Unitary(u) => u.op(),
        }
    }
}

/// The dense matrix of `op` preceded by `num_controls` control qubits (the lowest bits of the index).
pub(crate) fn op_matrix(op: &Op, num_controls: usize) -> DMatrix<C> {
    let m = op.dense();
    let k = m.len();
    let ctrl = (1usize << num_controls) - 1;
    let dim = k << num_controls;
    DMatrix::from_fn(dim, dim, |r, c| {
        let active = r & ctrl == ctrl && c & ctrl == ctrl;
        if active {
            m[r >> num_controls][c >> num_controls]
        } else if r == c {
            ONE
        } else {
            ZERO
        }
    })
}

impl std::fmt::Display for Gate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())?;
        let params = self.params();
        if !params.is_empty() {
            f.write_str("(")?;
            for (i, p) in params.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "{p}")?;
            }
            f.write_str(")")?;
        }
        Ok(())
    }
}

/// Checks that an angle is finite.
pub(crate) fn check_matrix_finite(m: &DMatrix<C>) -> Result<()> {
    for r in 0..m.nrows() {
        for c in 0..m.ncols() {
            let x = m[(r, c)];
            if !(x.re.is_finite() && x.im.is_finite()) {
                return Err(Error::non_finite_entry(r, c, x));
            }
        }
    }
    Ok(())
}
