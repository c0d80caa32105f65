//! The kinds that say which parameter or which number an [`Error`](super::Error) is about.

use std::fmt;

use super::Error;

/// Which vector a circuit parameter is read from.
///
/// # Example
/// ```
/// use qnet::prelude::*;
/// use qnet::error::{NonFiniteKind, ParamKind};
///
/// # fn main() -> qnet::Result<()> {
/// let mut circuit = Circuit::new(1)?;
/// circuit.rx(0, Param::weight(0))?;
/// let err = circuit.check_parameters(&[f64::INFINITY], &[]).unwrap_err();
/// let kind = NonFiniteKind::Parameter { kind: ParamKind::Weight, index: 0 };
/// assert_eq!(err, Error::NonFinite { kind, value: f64::INFINITY });
/// assert_eq!(ParamKind::Input.to_string(), "input");
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum ParamKind {
    /// A trainable weight, read from the weight vector.
    Weight,
    /// A data input, read from the input vector.
    Input,
}

impl fmt::Display for ParamKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ParamKind::Weight => "weight",
            ParamKind::Input => "input",
        })
    }
}

/// Which number of [`Error::NonFinite`](super::Error::NonFinite) is NaN or infinite, and where it stands.
///
/// It displays as the start of the error's message: `matrix entry (1, 0)`, `weight 3`, `angle of gate rz`,
/// `observable coefficient`, `energies[2]`.
///
/// # Example
/// ```
/// use qnet::prelude::*;
/// use qnet::error::NonFiniteKind;
///
/// # fn main() -> qnet::Result<()> {
/// let err = PauliString::parse("Z")?.with_coeff(f64::INFINITY).unwrap_err();
/// assert_eq!(err, Error::NonFinite { kind: NonFiniteKind::Coefficient, value: f64::INFINITY });
/// assert_eq!(err.to_string(), "observable coefficient is not finite (inf)");
///
/// let err = qnet::info::log_sum_exp(&[0.0, f64::NEG_INFINITY]).unwrap_err();
/// assert_eq!(err.to_string(), "values[1] is not finite (-inf)");
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum NonFiniteKind {
    /// An entry of a matrix: a gate's unitary, a density matrix.
    MatrixEntry {
        /// Row of the entry.
        row: usize,
        /// Column of the entry.
        col: usize,
    },
    /// A weight or input value given for a circuit, a layer or a network.
    Parameter {
        /// Weight or input.
        kind: ParamKind,
        /// The index of the value.
        index: usize,
    },
    /// A constant gate angle, or the scale of a weight or input angle.
    Angle {
        /// The gate's name.
        gate: &'static str,
    },
    /// The coefficient of a Pauli string or of an observable's term.
    Coefficient,
    /// An entry of a real input other than a parameter: an energy, a logit, an emission score.
    Entry {
        /// Which argument (for example `"energies"`).
        what: &'static str,
        /// The entry's index.
        index: usize,
    },
}

impl fmt::Display for NonFiniteKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NonFiniteKind::MatrixEntry { row, col } => write!(f, "matrix entry ({row}, {col})"),
            NonFiniteKind::Parameter { kind, index } => write!(f, "{kind} {index}"),
            NonFiniteKind::Angle { gate } => write!(f, "angle of gate {gate}"),
            NonFiniteKind::Coefficient => f.write_str("observable coefficient"),
            NonFiniteKind::Entry { what, index } => write!(f, "{what}[{index}]"),
        }
    }
}

impl Error {
    /// [`Error::InvalidHyperParameter`] for the setting `name` at `value`, which must satisfy `reason`.
    pub(crate) fn hyper_parameter(name: &'static str, value: impl std::fmt::Display, reason: &'static str) -> Error {
        Error::InvalidHyperParameter { name, value: value.to_string(), reason }
    }

    /// [`Error::NonFinite`] for a weight or an input.
    pub(crate) fn non_finite_parameter(kind: ParamKind, index: usize, value: f64) -> Error {
        Error::NonFinite { kind: NonFiniteKind::Parameter { kind, index }, value }
    }

    /// [`Error::NonFinite`] for entry `index` of the real input `what`.
    pub(crate) fn non_finite_value(what: &'static str, index: usize, value: f64) -> Error {
        Error::NonFinite { kind: NonFiniteKind::Entry { what, index }, value }
    }

    /// [`Error::NonFinite`] for a complex matrix entry, with its non-finite part as the value.
    pub(crate) fn non_finite_entry(row: usize, col: usize, entry: num_complex::Complex64) -> Error {
        let value = if entry.re.is_finite() { entry.im } else { entry.re };
        Error::NonFinite { kind: NonFiniteKind::MatrixEntry { row, col }, value }
    }
}
