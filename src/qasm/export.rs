//! OpenQASM 2.0 export: every qnet gate written with qelib1.inc names, gates outside qelib1.inc as `gate`
//! definitions (iSWAP, RYY) or as exact decompositions (caller unitaries, extra controls).

use std::collections::BTreeSet;
use std::f64::consts::PI;
use std::fmt::Write as _;

use num_complex::Complex64 as C;

use super::program::{Operation, Program};
use super::register::Register;
use super::synth::{self, Step2, M2};
use super::MAX_EXPORT_CONTROLS;
use crate::error::{Error, Result};
use crate::quantum::{Circuit, Gate, Instruction};

/// Writes a circuit as OpenQASM 2.0: one register `q`, no classical bits.
///
/// The text parses back ([`Program::parse`](super::Program::parse)) to a circuit with the same state vector,
/// global phase included (see the [module documentation](crate::qasm) for how each gate is written).
///
/// # Errors
/// [`Error::UnboundParameter`] when an angle is a weight or an input (bind the circuit first with
/// [`Circuit::bind`]); [`Error::TooManyControls`] for a gate with more than [`MAX_EXPORT_CONTROLS`] controls
/// that has no qelib1.inc name.
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
    /// [`Error::TooManyControls`] for a gate with more than [`MAX_EXPORT_CONTROLS`] controls and no qelib1.inc
    /// name; [`Error::InvalidRegister`] for a register named like a qelib1.inc gate (`s`, `cx`, …).
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

    /// Lowers one instruction to pieces, adding any global phase to `self.phase`.
    fn instruction(&mut self, inst: &Instruction, out: &mut Vec<Piece>) -> Result<()> {
        let gate = inst.gate();
        let mut params = Vec::new();
        for p in gate.params().iter() {
            params.push(p.constant()?);
        }
        if let Gate::Rot(phi, theta, omega) = gate {
            // Rot(φ, θ, ω) = RZ(ω)·RY(θ)·RZ(φ), exactly and with any controls (each factor controlled alike).
            for factor in [Gate::RZ(*phi), Gate::RY(*theta), Gate::RZ(*omega)] {
                self.instruction(&inst.with_gate(factor)?, out)?;
            }
            return Ok(());
        }
        let (base, targets, controls) = normal_form(inst);
        if let Some(name) = qelib1_name(&base, controls.len()) {
            let qubits = controls.iter().chain(targets).copied().collect();
            out.push(Piece { name: name.into(), params, qubits });
            return Ok(());
        }
        if controls.is_empty() {
            match base {
                Gate::ISwap => {
                    out.push(Piece { name: self.def_name("iswap"), params, qubits: targets.to_vec() });
                    return Ok(());
                }
                Gate::RYY(_) => {
                    out.push(Piece { name: self.def_name("ryy"), params, qubits: targets.to_vec() });
                    return Ok(());
                }
                _ => {}
            }
        }
        let k = controls.len() + usize::from(base.num_qubits() == 2);
        if k > MAX_EXPORT_CONTROLS {
            return Err(Error::TooManyControls { gate: gate.name(), controls: k, max: MAX_EXPORT_CONTROLS });
        }
        let m = base.matrix()?;
        if base.num_qubits() == 1 {
            let u: M2 = [[m[(0, 0)], m[(0, 1)]], [m[(1, 0)], m[(1, 1)]]];
            return self.controlled(&u, Some(&base), targets[0], &controls, out);
        }
        if base == Gate::SWAP {
            // SWAP = CX(a→b)·CX(b→a)·CX(a→b); controlled, only the middle one needs the controls.
            let (a, b) = (targets[0], targets[1]);
            out.push(Piece { name: "cx".into(), params: vec![], qubits: vec![b, a] });
            let mut c = controls.clone();
            c.push(a);
            self.controlled(&x_matrix(), Some(&Gate::X), b, &c, out)?;
            out.push(Piece { name: "cx".into(), params: vec![], qubits: vec![b, a] });
            return Ok(());
        }
        let mut m4 = [[C::new(0.0, 0.0); 4]; 4];
        for (r, row) in m4.iter_mut().enumerate() {
            for (c, x) in row.iter_mut().enumerate() {
                *x = m[(r, c)];
            }
        }
        self.two_qubit(&m4, targets, &controls, out)
    }

    /// A two-qubit unitary on `targets` under `controls`, by two-level rotations (see [`synth::two_qubit`]).
    fn two_qubit(
        &mut self,
        m4: &[[C; 4]; 4],
        targets: &[usize],
        controls: &[usize],
        out: &mut Vec<Piece>,
    ) -> Result<()> {
        let (steps, alpha) = synth::two_qubit(m4);
        for step in steps {
            match step {
                // Conjugations need no controls: without them the pair cancels.
                Step2::X { q } => out.push(Piece { name: "x".into(), params: vec![], qubits: vec![targets[q]] }),
                Step2::Cx => out.push(Piece { name: "cx".into(), params: vec![], qubits: targets.to_vec() }),
                Step2::One { u, target, controlled } => {
                    let mut c = controls.to_vec();
                    if controlled {
                        c.push(targets[1 - target]);
                    }
                    self.controlled(&u, None, targets[target], &c, out)?;
                }
            }
        }
        self.controlled_phase(alpha, controls, out)
    }

    /// e^{iα} applied when every control is |1⟩ (a global phase when there is none).
    fn controlled_phase(&mut self, alpha: f64, controls: &[usize], out: &mut Vec<Piece>) -> Result<()> {
        match controls.split_first() {
            None => {
                self.phase += alpha;
                Ok(())
            }
            Some(_) if alpha == 0.0 => Ok(()),
            Some((&first, rest)) => {
                let p = Gate::Phase(alpha.into());
                self.controlled(&phase_matrix(alpha), Some(&p), first, rest, out)
            }
        }
    }

    /// The one-qubit unitary `u` on `target`, applied when every control is |1⟩; `hint` names it when known.
    fn controlled(
        &mut self,
        u: &M2,
        hint: Option<&Gate>,
        target: usize,
        controls: &[usize],
        out: &mut Vec<Piece>,
    ) -> Result<()> {
        let named = hint.cloned().or_else(|| fixed_gate(u));
        if let Some(g) = &named {
            if let Some(name) = qelib1_name(g, controls.len()) {
                let mut params = Vec::new();
                for p in g.params().iter() {
                    params.push(p.constant()?);
                }
                let qubits = controls.iter().copied().chain([target]).collect();
                out.push(Piece { name: name.into(), params, qubits });
                return Ok(());
            }
        }
        let (alpha, theta, phi, lambda) = synth::zyz(u);
        match controls {
            [] => {
                self.phase += alpha;
                if (theta, phi, lambda) != (0.0, 0.0, 0.0) {
                    out.push(Piece { name: "u3".into(), params: vec![theta, phi, lambda], qubits: vec![target] });
                }
            }
            [c] => {
                if alpha != 0.0 {
                    out.push(Piece { name: "p".into(), params: vec![alpha], qubits: vec![*c] });
                }
                out.push(Piece { name: "cu3".into(), params: vec![theta, phi, lambda], qubits: vec![*c, target] });
            }
            [rest @ .., last] => {
                // Barenco et al. (1995), lemma 7.5: C^k(U) = C(V)·C^{k−1}X·C(V†)·C^{k−1}X·C^{k−1}(V), V² = U.
                let root = named.as_ref().and_then(square_root);
                let v = match &root {
                    Some(g) => to_m2(g)?,
                    None => synth::sqrt(u),
                };
                let vd = synth::adjoint(&v);
                let root_inv = root.as_ref().map(Gate::inverse);
                self.controlled(&v, root.as_ref(), target, &[*last], out)?;
                self.controlled(&x_matrix(), Some(&Gate::X), *last, rest, out)?;
                self.controlled(&vd, root_inv.as_ref(), target, &[*last], out)?;
                self.controlled(&x_matrix(), Some(&Gate::X), *last, rest, out)?;
                self.controlled(&v, root.as_ref(), target, rest, out)?;
            }
        }
        Ok(())
    }
}

/// An instruction in normal form: a base gate on its own qubits, and every control (the gate's own, then the
/// extra ones).
fn normal_form(inst: &Instruction) -> (Gate, &[usize], Vec<usize>) {
    let gate = inst.gate();
    let own = gate.num_controls();
    let t = inst.targets();
    match gate {
        Gate::Fredkin => (Gate::SWAP, &t[1..], t[..1].iter().chain(inst.controls()).copied().collect()),
        _ if own > 0 => {
            let base = match gate {
                Gate::CNOT | Gate::Toffoli => Gate::X,
                Gate::CY => Gate::Y,
                Gate::CZ => Gate::Z,
                Gate::CRX(p) => Gate::RX(*p),
                Gate::CRY(p) => Gate::RY(*p),
                Gate::CRZ(p) => Gate::RZ(*p),
                Gate::CPhase(p) => Gate::Phase(*p),
                other => other.clone(),
            };
            (base, &t[own..], t[..own].iter().chain(inst.controls()).copied().collect())
        }
        _ => (gate.clone(), t, inst.controls().to_vec()),
    }
}

/// The qelib1.inc name of `base` with `k` controls, when it has one.
fn qelib1_name(base: &Gate, k: usize) -> Option<&'static str> {
    Some(match (base, k) {
        (Gate::ISwap | Gate::RYY(_) | Gate::Unitary(_), 0) => return None,
        (g, 0) => g.name(),
        (Gate::X, 1) => "cx",
        (Gate::Y, 1) => "cy",
        (Gate::Z, 1) => "cz",
        (Gate::H, 1) => "ch",
        (Gate::SX, 1) => "csx",
        (Gate::Phase(_), 1) => "cp",
        (Gate::RX(_), 1) => "crx",
        (Gate::RY(_), 1) => "cry",
        (Gate::RZ(_), 1) => "crz",
        (Gate::U3(..), 1) => "cu3",
        (Gate::SWAP, 1) => "cswap",
        (Gate::X, 2) => "ccx",
        (Gate::X, 3) => "c3x",
        (Gate::SX, 3) => "c3sqrtx",
        (Gate::X, 4) => "c4x",
        _ => return None,
    })
}

/// The fixed one-qubit gate whose matrix is `u` (to 1e-12), if any.
fn fixed_gate(u: &M2) -> Option<Gate> {
    [Gate::X, Gate::Y, Gate::Z, Gate::H, Gate::S, Gate::Sdg, Gate::T, Gate::Tdg, Gate::SX, Gate::SXdg]
        .into_iter()
        .find(|g| to_m2(g).is_ok_and(|m| synth::distance(u, &m) < 1e-12))
}

/// A named gate V with V² = `g`, when one is known (rotations halve their angle).
fn square_root(g: &Gate) -> Option<Gate> {
    Some(match g {
        Gate::X => Gate::SX,
        Gate::Z => Gate::S,
        Gate::S => Gate::T,
        Gate::Sdg => Gate::Tdg,
        Gate::T => Gate::Phase((PI / 8.0).into()),
        Gate::Tdg => Gate::Phase((-PI / 8.0).into()),
        Gate::RX(p) => Gate::RX(*p * 0.5),
        Gate::RY(p) => Gate::RY(*p * 0.5),
        Gate::RZ(p) => Gate::RZ(*p * 0.5),
        Gate::Phase(p) => Gate::Phase(*p * 0.5),
        _ => return None,
    })
}

fn to_m2(g: &Gate) -> Result<M2> {
    let m = g.matrix()?;
    Ok([[m[(0, 0)], m[(0, 1)]], [m[(1, 0)], m[(1, 1)]]])
}

fn x_matrix() -> M2 {
    let (o, l) = (C::new(0.0, 0.0), C::new(1.0, 0.0));
    [[o, l], [l, o]]
}

fn phase_matrix(alpha: f64) -> M2 {
    [[C::new(1.0, 0.0), C::new(0.0, 0.0)], [C::new(0.0, 0.0), C::from_polar(1.0, alpha)]]
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
