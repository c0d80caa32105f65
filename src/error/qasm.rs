//! What is wrong with OpenQASM text, for [`Error::Qasm`](super::Error::Qasm).

use std::fmt;

use super::Error;

/// What [`Error::Qasm`] found wrong at its line and column.
///
/// It displays as the part of the error's message after the position: `expected `;`, found `h``,
/// `undefined gate `foo``, `index 2 is out of range for register `q` of size 2`, ...
///
/// # Example
/// ```
/// use qnet::qasm::{Program, QasmErrorKind};
///
/// let err = Program::parse("OPENQASM 2.0;\nqreg q[2];\nh q;").unwrap_err();
/// let kind = QasmErrorKind::Undefined { what: "gate", name: "h".into() };
/// assert_eq!(err, qnet::Error::Qasm { line: 3, column: 1, kind });
/// assert_eq!(err.to_string(), "qasm line 3, column 1: undefined gate `h`");
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum QasmErrorKind {
    /// Text that does not follow the grammar: a token other than the one the grammar needs.
    Syntax {
        /// What the grammar allows at that point.
        expected: String,
        /// What the text holds there.
        found: String,
    },
    /// A name used before it is declared: a register, a gate or a gate parameter.
    Undefined {
        /// `"gate"`, `"quantum register"`, `"classical register"`, `"parameter"` or `"qubit argument"`.
        what: &'static str,
        /// The name.
        name: String,
    },
    /// A name declared twice (register, gate, or a gate's parameter or qubit argument); the position is the
    /// second declaration's.
    Redefined {
        /// The name.
        name: String,
    },
    /// A gate applied with the wrong number of parameters or qubit arguments.
    Arity {
        /// The gate's name.
        gate: String,
        /// `"parameters"` or `"qubit arguments"`.
        what: &'static str,
        /// How many the gate takes.
        expected: usize,
        /// How many were given.
        found: usize,
    },
    /// A register index at or beyond the register's size.
    Index {
        /// The register's name.
        register: String,
        /// The index given.
        index: usize,
        /// The register's size.
        size: usize,
    },
    /// Arguments that cannot be used together: registers of different sizes in one broadcast, a qubit named
    /// twice in one gate, a register measured into a single bit, a register of size zero.
    Arguments {
        /// What is wrong, with the names involved.
        reason: String,
    },
    /// A parameter expression whose value is NaN or infinite (`ln(0)`, `1/0`, an overflowing `^`); the position
    /// is the expression's, or that of the gate application that evaluated it.
    NonFinite {
        /// The value.
        value: f64,
    },
    /// A feature qnet refuses: `opaque` gates, files other than `qelib1.inc`, versions other than 2.0.
    Unsupported {
        /// What is refused, with the offending name or value.
        feature: String,
    },
    /// A program that exceeds one of the parser's limits (expression nesting, gate-call nesting, number of
    /// operations after expansion, register sizes), which keep hostile input from exhausting the stack, memory or
    /// time.
    Limit {
        /// Which limit.
        what: &'static str,
        /// The limit.
        limit: usize,
    },
}

impl QasmErrorKind {
    /// [`Error::Qasm`] with this kind at `line` and `column`.
    pub(crate) fn at(self, line: usize, column: usize) -> Error {
        Error::Qasm { line, column, kind: self }
    }
}

impl fmt::Display for QasmErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QasmErrorKind::Syntax { expected, found } => write!(f, "expected {expected}, found {found}"),
            QasmErrorKind::Undefined { what, name } => write!(f, "undefined {what} `{name}`"),
            QasmErrorKind::Redefined { name } => write!(f, "`{name}` is already defined"),
            QasmErrorKind::Arity { gate, what, expected, found } => {
                write!(f, "gate `{gate}` takes {expected} {what}, found {found}")
            }
            QasmErrorKind::Index { register, index, size } => {
                write!(f, "index {index} is out of range for register `{register}` of size {size}")
            }
            QasmErrorKind::Arguments { reason } => f.write_str(reason),
            QasmErrorKind::NonFinite { value } => {
                write!(f, "expression evaluates to {value}, which is not a finite angle")
            }
            QasmErrorKind::Unsupported { feature } => write!(f, "{feature} is not supported"),
            QasmErrorKind::Limit { what, limit } => write!(f, "{what} exceeds the limit of {limit}"),
        }
    }
}
