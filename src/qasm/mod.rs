//! Layer 1.5: OpenQASM 2.0 import and export.
//!
//! - [`Program::parse`] reads OpenQASM 2.0: `OPENQASM 2.0;`, `include "qelib1.inc";`, any number of `qreg` and
//!   `creg`, the built-ins `U` and `CX`, every gate of Qiskit's qelib1.inc (a superset of the 2017 paper's:
//!   `u3 u2 u1 u0 u p cx id x y z h s sdg t tdg rx ry rz sx sxdg cz cy swap ch ccx cswap crx cry crz cu1 cp
//!   cu3 csx cu rxx rzz rccx rc3x c3x c3sqrtx c4x`), parameter expressions (`pi`, `+ - * / ^`, unary minus,
//!   parentheses, `sin cos tan exp ln sqrt`), user `gate` definitions (expanded where applied), `barrier`,
//!   `measure`, `reset`, `if(creg==n)`, `//` comments, and whole-register broadcasting (`h q;`, `cx a, b;`,
//!   `measure q -> c;`) as the specification defines it.
//! - [`to_qasm`] and [`Program::to_qasm`] write OpenQASM 2.0 that Qiskit's `qasm2.loads` reads back.
//! - [`Program::circuit`] gives the gates as a [`Circuit`](crate::quantum::Circuit) when all measurements are
//!   final; [`Program::sample`] runs any program, including resets and classically controlled gates, and counts
//!   the classical registers as Qiskit does.
//!
//! # Semantics
//!
//! Gates mean what Qiskit's `qasm2.loads` makes of them, global phase included: `rz(θ)` is
//! diag(e^{−iθ/2}, e^{iθ/2}) (not qelib1.inc's `u1(θ)`, which differs by a phase), `U` and `u3` are
//! [`Gate::U3`](crate::quantum::Gate::U3), `u2(φ,λ)` is U3(π/2, φ, λ), `u1` and `p` are Phase, `cu1` and `cp`
//! CPhase, `cu(θ,φ,λ,γ)` is e^{iγ} on the control's |1⟩ then controlled U3. Statevectors therefore match Qiskit
//! Aer's to rounding. Barriers inside `gate` bodies are dropped when the gate is expanded; top-level barriers
//! are kept. `opaque` declarations and `include` of any file but `qelib1.inc` are refused with an
//! [`Error::Qasm`](crate::Error::Qasm) of kind [`QasmErrorKind::Unsupported`]; identifiers follow the
//! specification (`[a-z][A-Za-z0-9_]*` for declared names; registers and gates share one namespace).
//!
//! # Export
//!
//! qnet gates with a qelib1.inc name are written under it (`cx`, `p`, `cp`, `u3`, `rxx`, `ccx`, ...); a gate
//! with one extra control uses the controlled name when qelib1.inc has one (`ch`, `crx`, `cu3`, `cswap`, `ccx`,
//! `c3x`, `c4x`, `c3sqrtx`). iSWAP and RYY are written as `gate` definitions. Everything else is decomposed
//! exactly: a one-qubit caller unitary as `u3` (its phase kept), a two-qubit one by two-level rotations, extra
//! controls by Barenco et al.'s recursion (exact, but 3^k lines for k controls, so at most
//! [`MAX_EXPORT_CONTROLS`]). OpenQASM 2.0 has no global-phase statement: a phase left by a decomposition is
//! written as `p(α) q; x q; p(α) q; x q;`, which is e^{iα}·I, so that export then import reproduces the state
//! vector exactly, not merely up to phase. Angles are written as multiples of π (`pi/4`) when that is exact,
//! otherwise as the shortest decimal that parses back to the same `f64`.
//!
//! # Limits
//!
//! The parser is iterative except for parameter expressions, whose nesting is capped at
//! [`MAX_EXPRESSION_DEPTH`]; user gates may nest [`MAX_GATE_DEPTH`] deep; a program may expand to at most
//! [`MAX_OPERATIONS`] units of work (operations, the qubits each barrier spans, the expression steps evaluated
//! while expanding user gates) and declare at most [`MAX_REGISTER_BITS`] qubits (and as many classical bits).
//! Beyond these it returns an [`Error::Qasm`](crate::Error::Qasm) of kind [`QasmErrorKind::Limit`]: no input
//! panics, overflows the stack or runs without end. Names, repeated arguments and registers are looked up in
//! hash maps or by binary search, so parsing, validating and exporting take time linear in the text and in the
//! expanded program. [`Program::from_circuit`] refuses a circuit wider than [`MAX_REGISTER_BITS`], and a
//! program runs only on a state it can hold (see [`quantum`](crate::quantum#limits)).
//!
//! # Example
//!
//! ```
//! use qnet::prelude::*;
//! use qnet::qasm;
//! use approx::assert_relative_eq;
//!
//! # fn main() -> qnet::Result<()> {
//! let program = Program::parse(r#"
//!     OPENQASM 2.0;
//!     include "qelib1.inc";
//!     gate bell a, b { h a; cx a, b; }
//!     qreg q[2];
//!     bell q[0], q[1];
//!     rz(-pi/2 + 2*0.25) q[1];
//! "#)?;
//! let circuit = program.circuit()?;
//! let mut state = StateVector::new(2)?;
//! state.run(&circuit, &[], &[])?;
//! assert_relative_eq!(state.probabilities()[0b11], 0.5, epsilon = 1e-12);
//!
//! // Export and import give back the same gates.
//! let text = qasm::to_qasm(&circuit)?;
//! assert_eq!(Program::parse(&text)?.circuit()?, circuit);
//!
//! // Errors name the line and column.
//! let err = Program::parse("OPENQASM 2.0;\nqreg q[2];\nh q;").unwrap_err();
//! assert_eq!(err.to_string(), "qasm line 3, column 1: undefined gate `h`");
//! # Ok(())
//! # }
//! ```

mod export;
mod expr;
mod lexer;
mod parser;
mod program;
mod register;
mod synth;

pub use crate::error::QasmErrorKind;
pub use export::to_qasm;
pub use program::{Operation, Program};
pub use register::Register;

/// The deepest nesting of parentheses, unary minus, `^` and function calls in one parameter expression.
pub const MAX_EXPRESSION_DEPTH: usize = 256;

/// The deepest nesting of user gate applications (a gate whose body applies a gate whose body ...).
pub const MAX_GATE_DEPTH: usize = 64;

/// The most work a program may expand to: one unit per operation (gate applications, including those inside
/// user gates at every level, measurements and resets), one per qubit a barrier spans, and one per step of the
/// parameter expressions evaluated while expanding user gates.
pub const MAX_OPERATIONS: usize = 1 << 20;

/// The most qubits, and separately the most classical bits, a program may declare.
pub const MAX_REGISTER_BITS: usize = 1 << 16;

/// The most controls a gate may have when the exporter must decompose it (see the module docs).
pub const MAX_EXPORT_CONTROLS: usize = 8;
