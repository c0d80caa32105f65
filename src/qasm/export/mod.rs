//! OpenQASM 2.0 export: every qnet gate written with qelib1.inc names, gates outside qelib1.inc as `gate`
//! definitions (iSWAP, RYY) or as exact decompositions (caller unitaries, extra controls).

mod decompose;

use std::collections::BTreeSet;
use std::f64::consts::PI;
use std::fmt::Write as _;

use super::program::{Operation, Program};
use super::register::Register;
use crate::error::{Error, Result};
use crate::quantum::Circuit;

/// Writes a circuit as OpenQASM 2.0: one register `q`, no classical bits.
///
/// The text parses back ([`Program::parse`](super::Program::parse)) to a circuit with the same state vector,
/// global phase included (see the [module documentation](crate::qasm) for how each gate is written).
///
/// # Errors
/// [`Error::UnboundParameter`] when an angle is a weight or an input (bind the circuit first with
/// [`Circuit::bind`]); [`Error::TooManyControls`] for a gate with more than
/// [`MAX_EXPORT_CONTROLS`](super::MAX_EXPORT_CONTROLS) controls that has no qelib1.inc name.
///
/// # Example
///
/// ```
/// use qnet::prelude::*;
/// use qnet::qasm;
///
/// # fn main() -> qnet::Result<()> {
/// let mut c = Circuit::new(2)?;
/// c.h(0)?.cnot(0, 1)?.rz(1, std::f64::consts::FRAC_PI_4)?;
/// let text = qasm::to_qasm(&c)?;
/// assert_eq!(text, "OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[2];\nh q[0];\ncx q[0],q[1];\nrz(pi/4) q[1];\n");
/// assert_eq!(Program::parse(&text)?.circuit()?, c);
/// # Ok(())
/// # }
/// ```
pub fn to_qasm(circuit: &Circuit) -> Result<String> {
    Program::from_circuit(circuit)?.to_qasm()
}

/// The gates this exporter defines with `gate` because qelib1.inc lacks them: (name, definition after the
/// name). Both are exact, global phase included (checked by the tests).
const DEFINITIONS: &[(&str, &str, &str)] = &[
    ("iswap", "", " a,b { s a; s b; h a; cx a,b; cx b,a; h b; }"),
    ("ryy", "(theta)", " a,b { rx(pi/2) a; rx(pi/2) b; cx a,b; rz(theta) b; cx a,b; rx(-pi/2) a; rx(-pi/2) b; }"),
];

/// One line of output: a qelib1.inc gate (or a defined one) with constant parameters on global qubits.
struct Piece {
    name: String,
    params: Vec<f64>,
    qubits: Vec<usize>,
}

impl Program {
    /// The program as OpenQASM 2.0 text (see [`to_qasm`] for how gates are written). Classically controlled
    /// gates that decompose into several lines are written as one `if` per line.
    ///
    /// # Errors
    /// [`Error::TooManyControls`] for a gate with more than [`MAX_EXPORT_CONTROLS`](super::MAX_EXPORT_CONTROLS)
    /// controls and no qelib1.inc name; [`Error::InvalidRegister`] for a register named like a qelib1.inc gate
    /// (`s`, `cx`, …).
    ///
    /// # Example
    ///
    /// ```
    /// use qnet::qasm::Program;
    ///
    /// # fn main() -> qnet::Result<()> {
    /// let src = "OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[2];\ncreg c[2];\nh q[0];\nbarrier q;\n\
    ///            measure q[0] -> c[0];\nif(c==1) x q[1];\n";
    /// assert_eq!(Program::parse(src)?.to_qasm()?, src);
    /// # Ok(())
    /// # }
    /// ```
    pub fn to_qasm(&self) -> Result<String> {
        // The output includes qelib1.inc, so a register may not take a library gate's name (a program read from
        // a file without the include, or loaded with serde, can have one).
        if let Some(r) =
            self.qregs.iter().chain(&self.cregs).find(|r| super::parser::is_reserved_for_registers(r.name()))
        {
            return Err(Error::InvalidRegister {
                name: r.name().to_string(),
                reason: "the name is a qelib1.inc gate or a keyword, which an exported program cannot declare",
            });
        }
        let mut w = Writer { defs: BTreeSet::new(), def_names: Vec::new(), names: self.all_names(), phase: 0.0 };
        let mut body = String::new();
        for op in &self.ops {
            w.operation(self, op, None, &mut body)?;
        }
        let mut out = String::from("OPENQASM 2.0;\ninclude \"qelib1.inc\";\n");
        for (name, params, text) in DEFINITIONS {
            if let Some((_, actual)) = w.def_names.iter().find(|(n, _)| n == name) {
                if w.defs.contains(name) {
                    let _ = writeln!(out, "gate {actual}{params}{text}");
                }
            }
        }
        for r in &self.qregs {
            let _ = writeln!(out, "qreg {}[{}];", r.name(), r.size());
        }
        for r in &self.cregs {
            let _ = writeln!(out, "creg {}[{}];", r.name(), r.size());
        }
        out.push_str(&body);
        Ok(out)
    }

    fn all_names(&self) -> Vec<String> {
        self.qregs.iter().chain(&self.cregs).map(|r| r.name().to_string()).collect()
    }
}

struct Writer {
    /// The definitions used.
    defs: BTreeSet<&'static str>,
    /// Each definition's name in this file (renamed if a register already has the name).
    def_names: Vec<(&'static str, String)>,
    names: Vec<String>,
    /// The global phase gathered while writing the current instruction.
    phase: f64,
}

fn qubit_name(regs: &[Register], q: usize) -> String {
    super::register::register_of(regs, q)
        .map_or_else(|| format!("q[{q}]"), |r| format!("{}[{}]", r.name(), q - r.offset()))
}

impl Writer {
    fn def_name(&mut self, name: &'static str) -> String {
        self.defs.insert(name);
        if let Some((_, actual)) = self.def_names.iter().find(|(n, _)| *n == name) {
            return actual.clone();
        }
        let mut actual = name.to_string();
        while self.names.contains(&actual) {
            actual.push('_');
        }
        self.def_names.push((name, actual.clone()));
        actual
    }

    fn operation(&mut self, p: &Program, op: &Operation, cond: Option<&str>, out: &mut String) -> Result<()> {
        let prefix = cond.unwrap_or("");
        match op {
            Operation::Gate(inst) => {
                let mut pieces = Vec::new();
                self.phase = 0.0;
                self.instruction(inst, &mut pieces)?;
                if wrap(self.phase) != 0.0 {
                    // e^{iα} = P(α)·X·P(α)·X on any qubit: qelib1.inc has no global-phase statement.
                    let q = inst.targets()[0];
                    let alpha = self.phase;
                    for name in ["p", "x", "p", "x"] {
                        let params = if name == "p" { vec![alpha] } else { vec![] };
                        pieces.push(Piece { name: name.into(), params, qubits: vec![q] });
                    }
                }
                for piece in pieces {
                    out.push_str(prefix);
                    out.push_str(&piece.name);
                    if !piece.params.is_empty() {
                        let params: Vec<String> = piece.params.iter().map(|&v| format_angle(v)).collect();
                        let _ = write!(out, "({})", params.join(","));
                    }
                    let qubits: Vec<String> = piece.qubits.iter().map(|&q| qubit_name(&p.qregs, q)).collect();
                    let _ = writeln!(out, " {};", qubits.join(","));
                }
            }
            Operation::Measure { qubit, clbit } => {
                let _ = writeln!(
                    out,
                    "{prefix}measure {} -> {};",
                    qubit_name(&p.qregs, *qubit),
                    qubit_name(&p.cregs, *clbit)
                );
            }
            Operation::Reset { qubit } => {
                let _ = writeln!(out, "{prefix}reset {};", qubit_name(&p.qregs, *qubit));
            }
            Operation::Barrier { qubits } => {
                let mut args = Vec::new();
                for r in &p.qregs {
                    let mine: Vec<usize> =
                        qubits.iter().copied().filter(|&q| q >= r.offset() && q - r.offset() < r.size()).collect();
                    if mine.len() == r.size() {
                        args.push(r.name().to_string());
                    } else {
                        args.extend(mine.iter().map(|&q| qubit_name(&p.qregs, q)));
                    }
                }
                if !args.is_empty() {
                    let _ = writeln!(out, "{prefix}barrier {};", args.join(","));
                }
            }
            Operation::Conditional { creg, value, op } => {
                let c = format!("if({}=={value}) ", p.cregs[*creg].name());
                self.operation(p, op, Some(&c), out)?;
            }
        }
        Ok(())
    }
}

/// An angle reduced to (−π, π], 0 for exact multiples of 2π.
fn wrap(x: f64) -> f64 {
    let y = x.rem_euclid(2.0 * PI);
    if y > PI {
        y - 2.0 * PI
    } else {
        y
    }
}

/// An angle as OpenQASM text that parses back to exactly the same `f64`: a multiple of π written with `pi`
/// (`pi/2`, `-3*pi/4`) when that evaluates to the same bits, otherwise the shortest decimal that round-trips,
/// always with a decimal point as the OpenQASM 2.0 grammar requires of reals.
pub(crate) fn format_angle(v: f64) -> String {
    if v == 0.0 {
        // ±0 alike: the sign of a zero angle changes no amplitude beyond the sign of a zero.
        return "0".into();
    }
    for d in [1i64, 2, 3, 4, 6, 8, 12, 16, 32, 64] {
        let n = (v * d as f64 / PI).round();
        if n == 0.0 || n.abs() > 64.0 {
            continue;
        }
        let n = n as i64;
        // Evaluate as the parser would: `pi`, `-pi`, `n*pi`, then `/d`.
        let numerator = match n {
            1 => PI,
            -1 => -PI,
            _ => n as f64 * PI,
        };
        let value = if d == 1 { numerator } else { numerator / d as f64 };
        if value.to_bits() == v.to_bits() {
            let num = match n {
                1 => "pi".to_string(),
                -1 => "-pi".to_string(),
                _ => format!("{n}*pi"),
            };
            return if d == 1 { num } else { format!("{num}/{d}") };
        }
    }
    let s = format!("{v:?}");
    match s.find('e') {
        Some(i) if !s[..i].contains('.') => format!("{}.0{}", &s[..i], &s[i..]),
        _ => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn angles_print_as_multiples_of_pi_or_exact_decimals() {
        assert_eq!(format_angle(PI / 2.0), "pi/2");
        assert_eq!(format_angle(-PI / 4.0), "-pi/4");
        assert_eq!(format_angle(3.0 * PI / 4.0), "3*pi/4");
        assert_eq!(format_angle(PI), "pi");
        assert_eq!(format_angle(2.0 * PI), "2*pi");
        assert_eq!(format_angle(0.0), "0");
        assert_eq!(format_angle(-0.0), "0");
        assert_eq!(format_angle(0.1), "0.1");
        assert_eq!(format_angle(1e-7), "1.0e-7");
        assert_eq!(format_angle(-2.5e300), "-2.5e300");
        assert_eq!(wrap(2.0 * PI), 0.0);
    }
}
