//! The gate set: a validated collection of unitaries, each described once (`spec.rs`) with its matrix,
//! inverse and generator derived from that description.

use nalgebra::DMatrix;
use num_complex::Complex64 as C;

mod diff;
mod lower;
mod spec;

use super::param::Param;
use super::unitary::UnitaryMatrix;
use crate::error::Result;
pub use diff::ShiftRule;
pub(crate) use lower::op_matrix;
pub(crate) use spec::QasmForm;
use spec::{Factor, Form, Generator, Inverse, ThreeAngles};

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
    /// Rot(φ, θ, ω) = RZ(ω)·RY(θ)·RZ(φ), PennyLane's `Rot`: the general single-qubit rotation with the
    /// fields in PennyLane's order (φ applied first). Rot(φ, θ, ω) = e^{−i(φ+ω)/2}·U3(θ, ω, φ).
    Rot(Param, Param, Param),
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
    /// [`Error::UnsupportedMatrixSize`](crate::Error::UnsupportedMatrixSize),
    /// [`Error::NonFinite`](crate::Error::NonFinite) or [`Error::NotUnitary`](crate::Error::NotUnitary).
    pub fn unitary(matrix: DMatrix<C>) -> Result<Gate> {
        Ok(Gate::Unitary(UnitaryMatrix::new(matrix)?))
    }

    /// The gate's lowercase name, as in OpenQASM's qelib1.inc where it has one (`"cx"`, `"rz"`, `"u3"`).
    #[must_use]
    pub fn name(&self) -> &'static str {
        self.spec().name
    }

    /// The number of qubits the gate acts on, controls included.
    #[must_use]
    pub fn num_qubits(&self) -> usize {
        self.spec().qubits
    }

    /// How many of the gate's leading qubits are controls (1 for `CNOT`, 2 for `Toffoli`, 0 for `SWAP`).
    #[must_use]
    pub fn num_controls(&self) -> usize {
        self.spec().controls
    }

    /// The gate's angles, in the order of its variant's fields (U3: θ, φ, λ; Rot: φ, θ, ω).
    #[must_use]
    pub fn params(&self) -> GateParams {
        let zero = Param::Const(0.0);
        let (items, len) = match self.spec().form {
            Form::Fixed(..) | Form::Unitary(_) => ([zero; 3], 0),
            Form::One(p, ..) => ([p, zero, zero], 1),
            Form::Three(three) => (three.params, 3),
        };
        GateParams { items, len }
    }

    /// The same gate with each angle replaced by `f(slot, angle)`.
    #[must_use]
    pub fn map_params(&self, mut f: impl FnMut(usize, Param) -> Param) -> Gate {
        match self.spec().form {
            Form::Fixed(..) | Form::Unitary(_) => self.clone(),
            Form::One(p, variant, _) => variant(f(0, p)),
            Form::Three(ThreeAngles { params: [a, b, c], variant, .. }) => variant(f(0, a), f(1, b), f(2, c)),
        }
    }

    /// The same gate with every weight and input replaced by its value.
    ///
    /// # Errors
    /// [`Error::ParameterOutOfRange`](crate::Error::ParameterOutOfRange) when an index is beyond the vector it reads.
    pub fn bind(&self, weights: &[f64], inputs: &[f64]) -> Result<Gate> {
        self.params().iter().try_for_each(|p| p.value(weights, inputs).map(drop))?;
        Ok(self.map_params(|_, p| Param::Const(p.value_unchecked(weights, inputs))))
    }

    /// The inverse gate U⁻¹ = U†, in closed form (RX(θ) → RX(−θ), S → S†, U3(θ, φ, λ) → U3(−θ, −λ, −φ),
    /// Rot(φ, θ, ω) → Rot(−ω, −θ, −φ)).
    #[must_use]
    pub fn inverse(&self) -> Gate {
        let spec = self.spec();
        match spec.form {
            Form::Fixed(_, Inverse::Itself) => self.clone(),
            Form::Fixed(_, Inverse::Gate(inverse)) => inverse,
            Form::Fixed(op, Inverse::Adjoint) => {
                Gate::Unitary(UnitaryMatrix::from_trusted(op_matrix(&op().adjoint(), spec.controls)))
            }
            Form::Unitary(u) => Gate::Unitary(u.adjoint()),
            Form::One(p, variant, _) => variant(-p),
            Form::Three(three) => {
                let [a, b, c] = three.inverse.map(|slot| -three.params[slot]);
                (three.variant)(a, b, c)
            }
        }
    }
}

impl Gate {
    /// The gate U* whose matrix is the entrywise complex conjugate of this one's, with the same angles read
    /// (negated where conjugation negates them): exp(−iθG)* = exp(iθG*), so an angle of a factor whose generator
    /// is real (X, Z, X⊗X, Y⊗Y, Z⊗Z, the phase) changes sign and one of a Y factor keeps it. A fixed gate with a
    /// complex matrix becomes a caller-style unitary holding the conjugate (Y* = −Y exactly, not Y). The
    /// bra half of a density matrix held as a vector evolves by U* (`quantum::mixed`).
    pub(crate) fn conjugate(&self) -> Gate {
        let spec = self.spec();
        let keeps = |g: Generator, targets: usize| g == Generator::Pauli(crate::quantum::Pauli::Y) && targets == 1;
        match spec.form {
            Form::Fixed(op, _) => {
                let m = op_matrix(&op(), spec.controls);
                if m.iter().all(|z| z.im == 0.0) {
                    self.clone()
                } else {
                    Gate::Unitary(UnitaryMatrix::from_trusted(m.map(|z| z.conj())))
                }
            }
            Form::Unitary(u) => Gate::Unitary(UnitaryMatrix::from_trusted(u.matrix().map(|z| z.conj()))),
            Form::One(p, variant, g) => variant(if keeps(g, spec.qubits - spec.controls) { p } else { -p }),
            Form::Three(three) => {
                let [a, b, c] = std::array::from_fn(|k| {
                    let kept = match three.factors[k] {
                        Factor::Inner(pauli) => pauli == crate::quantum::Pauli::Y,
                        Factor::Left(g) | Factor::Right(g) => keeps(g, 1),
                    };
                    if kept {
                        three.params[k]
                    } else {
                        -three.params[k]
                    }
                });
                (three.variant)(a, b, c)
            }
        }
    }
}

impl std::fmt::Display for Gate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())?;
        let params: Vec<String> = self.params().iter().map(Param::to_string).collect();
        if !params.is_empty() {
            write!(f, "({})", params.join(", "))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
