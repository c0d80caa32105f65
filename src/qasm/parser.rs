//! The OpenQASM 2.0 parser: a hand-written recursive-descent parser over the lexer's tokens.
//!
//! Statements are parsed in a loop; only parameter expressions recurse, with an explicit depth limit. User
//! gates are stored as parsed bodies and expanded when applied, with limits on the nesting of gate calls and on
//! the total number of gate applications, so that no input overflows the stack or runs without end.

use std::collections::{HashMap, HashSet};
use std::f64::consts::PI;
use std::rc::Rc;

use super::expr::{Expr, Func, Step};
use super::lexer::{lex, Tok, Token};
use super::program::{Operation, Program};
use super::register::Register;
use super::{MAX_EXPRESSION_DEPTH, MAX_GATE_DEPTH, MAX_OPERATIONS, MAX_REGISTER_BITS};
use crate::bounded::first_repeat;
use crate::error::{Error, QasmErrorKind, Result};
use crate::quantum::{Gate, Instruction, Param};

/// A gate definition's parameter names and their indices (empty outside definitions).
type Scope = HashMap<String, usize>;

/// Words that cannot name a register, a gate or a gate argument.
const RESERVED: &[&str] = &[
    "OPENQASM", "include", "qreg", "creg", "gate", "opaque", "if", "barrier", "measure", "reset", "U", "CX", "pi",
    "sin", "cos", "tan", "exp", "ln", "sqrt",
];

/// The gates of qelib1.inc that are not single qnet gates, defined as Qiskit's qelib1.inc defines them (the
/// relative-phase Toffolis): parsed as user gates when `qelib1.inc` is included.
const QELIB1_DEFINED: &str = "
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
/// Whether `name` cannot name a register of a program that [`to_qasm`](super::to_qasm) writes: an OpenQASM
/// keyword or a gate of qelib1.inc, which every exported program includes.
pub(super) fn is_reserved_for_registers(name: &str) -> bool {
    RESERVED.contains(&name) || QELIB1_NATIVE.iter().any(|&(gate, _)| gate == name) || ["rccx", "rc3x"].contains(&name)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Native {
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
const QELIB1_NATIVE: &[(&str, Native)] = &[
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
    fn arity(self) -> (usize, usize) {
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
    fn instructions(self, a: &[f64], q: &[usize]) -> Result<Vec<Instruction>> {
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

/// A gate the parser can apply.
#[derive(Debug, Clone)]
enum GateKind {
    Native(Native),
    Defined(Rc<GateDef>),
}

impl GateKind {
    fn arity(&self) -> (usize, usize) {
        match self {
            GateKind::Native(n) => n.arity(),
            GateKind::Defined(d) => (d.num_params, d.num_qubits),
        }
    }
}

/// A user gate: its arity and its body, whose expressions read the gate's parameters by index and whose
/// operations name the gate's qubit arguments by index.
#[derive(Debug)]
struct GateDef {
    num_params: usize,
    num_qubits: usize,
    body: Vec<BodyOp>,
}

#[derive(Debug)]
enum BodyOp {
    Call {
        gate: GateKind,
        args: Vec<Expr>,
        qubits: Vec<usize>,
    },
    /// A barrier inside a gate body: it constrains only the body's own compilation and is dropped on expansion.
    Barrier,
}

/// A qubit or classical argument: a whole register or one bit of it, and where it was written.
#[derive(Debug, Clone, Copy)]
struct Arg {
    reg: usize,
    index: Option<usize>,
    line: usize,
    column: usize,
}

/// A name in the program's one namespace.
#[derive(Debug, Clone)]
enum Symbol {
    QReg(usize),
    CReg(usize),
    Gate(GateKind),
}

/// Where an expanded operation comes from, for errors found during expansion, and its condition.
#[derive(Debug, Clone, Copy)]
struct Site {
    line: usize,
    column: usize,
    condition: Option<(usize, u64)>,
}

struct Parser {
    toks: Vec<Token>,
    pos: usize,
    symbols: HashMap<String, Symbol>,
    qregs: Vec<Register>,
    cregs: Vec<Register>,
    ops: Vec<Operation>,
    /// Gate applications and body operations expanded so far (bounded by [`MAX_OPERATIONS`]).
    work: usize,
    included: bool,
}

/// Parses OpenQASM 2.0 source into a program.
pub(crate) fn parse(src: &str) -> Result<Program> {
    let mut p = Parser {
        toks: lex(src)?,
        pos: 0,
        symbols: HashMap::new(),
        qregs: Vec::new(),
        cregs: Vec::new(),
        ops: Vec::new(),
        work: 0,
        included: false,
    };
    p.symbols.insert("U".into(), Symbol::Gate(GateKind::Native(Native::U)));
    p.symbols.insert("CX".into(), Symbol::Gate(GateKind::Native(Native::CX)));
    p.header()?;
    while p.peek() != &Tok::Eof {
        p.statement()?;
    }
    Ok(Program { qregs: p.qregs, cregs: p.cregs, ops: p.ops })
}

impl Parser {
    fn peek(&self) -> &Tok {
        &self.toks[self.pos].tok
    }

    fn here(&self) -> (usize, usize) {
        let t = &self.toks[self.pos];
        (t.line, t.column)
    }

    fn next(&mut self) -> Token {
        let t = self.toks[self.pos].clone();
        if self.pos + 1 < self.toks.len() {
            self.pos += 1;
        }
        t
    }

    fn error_here(&self, expected: &str) -> Error {
        let t = &self.toks[self.pos];
        QasmErrorKind::Syntax { expected: expected.into(), found: t.tok.describe() }.at(t.line, t.column)
    }

    fn expect(&mut self, tok: Tok) -> Result<Token> {
        if *self.peek() == tok {
            Ok(self.next())
        } else {
            Err(self.error_here(&tok.describe()))
        }
    }

    fn keyword(&mut self, word: &str) -> Result<Token> {
        match self.peek() {
            Tok::Ident(s) if s == word => Ok(self.next()),
            _ => Err(self.error_here(&format!("`{word}`"))),
        }
    }

    /// Any identifier (a use of a name).
    fn ident(&mut self, expected: &str) -> Result<(String, usize, usize)> {
        match self.peek().clone() {
            Tok::Ident(s) => {
                let t = self.next();
                Ok((s, t.line, t.column))
            }
            _ => Err(self.error_here(expected)),
        }
    }

    /// A new name: `[a-z][A-Za-z0-9_]*` and not a keyword.
    fn new_name(&mut self, what: &str) -> Result<(String, usize, usize)> {
        let expected = format!("{what} (a name matching [a-z][A-Za-z0-9_]* that is not a keyword)");
        match self.peek() {
            Tok::Ident(s) if s.starts_with(|c: char| c.is_ascii_lowercase()) && !RESERVED.contains(&s.as_str()) => {
                self.ident(&expected)
            }
            _ => Err(self.error_here(&expected)),
        }
    }

    /// A non-negative integer that fits `usize`.
    fn integer(&mut self, expected: &str) -> Result<(usize, usize, usize)> {
        match self.peek().clone() {
            Tok::Int(s) => {
                let (line, column) = self.here();
                let v = s.parse::<usize>().map_err(|_| {
                    let expected = format!("{expected} below 2^{}", usize::BITS);
                    QasmErrorKind::Syntax { expected, found: format!("integer `{s}`") }.at(line, column)
                })?;
                self.next();
                Ok((v, line, column))
            }
            _ => Err(self.error_here(expected)),
        }
    }

    fn header(&mut self) -> Result<()> {
        self.keyword("OPENQASM").map_err(|_| self.error_here("`OPENQASM 2.0;` as the first statement"))?;
        let (line, column) = self.here();
        let version = match self.next().tok {
            Tok::Real(v) => v,
            Tok::Int(s) => s.parse::<f64>().unwrap_or(f64::NAN),
            other => {
                return Err(QasmErrorKind::Syntax { expected: "a version number".into(), found: other.describe() }
                    .at(line, column))
            }
        };
        if version != 2.0 {
            return Err(QasmErrorKind::Unsupported { feature: format!("OpenQASM version {version}") }.at(line, column));
        }
        self.expect(Tok::Semi)?;
        Ok(())
    }

    fn statement(&mut self) -> Result<()> {
        let word = match self.peek() {
            Tok::Ident(s) => s.clone(),
            _ => return Err(self.error_here("a statement")),
        };
        match word.as_str() {
            "include" => self.include(),
            "qreg" | "creg" => self.register(),
            "gate" => self.gate_definition(),
            "opaque" => {
                let (line, column) = self.here();
                self.next();
                let name = match self.peek() {
                    Tok::Ident(s) => format!("opaque gate `{s}`"),
                    _ => "an opaque gate".into(),
                };
                Err(QasmErrorKind::Unsupported { feature: name }.at(line, column))
            }
            "if" => self.conditional(),
            "barrier" => self.barrier(),
            "OPENQASM" => {
                let (line, column) = self.here();
                let expected = "a statement (the version is declared once, first)".into();
                Err(QasmErrorKind::Syntax { expected, found: "`OPENQASM`".into() }.at(line, column))
            }
            _ => self.quantum_operation(None),
        }
    }

    fn include(&mut self) -> Result<()> {
        self.next();
        let (line, column) = self.here();
        let file = match self.peek().clone() {
            Tok::Str(s) => s,
            _ => return Err(self.error_here("a file name in double quotes")),
        };
        self.next();
        self.expect(Tok::Semi)?;
        if file != "qelib1.inc" {
            let feature = format!("including \"{file}\" (only qelib1.inc is built in)");
            return Err(QasmErrorKind::Unsupported { feature }.at(line, column));
        }
        if self.included {
            return Ok(());
        }
        self.included = true;
        for &(name, native) in QELIB1_NATIVE {
            self.define(name.to_string(), Symbol::Gate(GateKind::Native(native)), line, column)?;
        }
        // The library's composite gates, parsed by this same parser from their qelib1.inc definitions.
        let saved_toks = std::mem::replace(&mut self.toks, lex(QELIB1_DEFINED)?);
        let saved_pos = std::mem::replace(&mut self.pos, 0);
        let result = (|| {
            while self.peek() != &Tok::Eof {
                self.gate_definition()?;
            }
            Ok(())
        })();
        self.toks = saved_toks;
        self.pos = saved_pos;
        result.map_err(|e: Error| match e {
            // A user register declared before the include may clash with a library name.
            Error::Qasm { kind: kind @ QasmErrorKind::Redefined { .. }, .. } => kind.at(line, column),
            other => other,
        })
    }

    fn define(&mut self, name: String, symbol: Symbol, line: usize, column: usize) -> Result<()> {
        if self.symbols.contains_key(&name) {
            return Err(QasmErrorKind::Redefined { name }.at(line, column));
        }
        self.symbols.insert(name, symbol);
        Ok(())
    }

    fn register(&mut self) -> Result<()> {
        let quantum = matches!(self.peek(), Tok::Ident(s) if s == "qreg");
        self.next();
        let (name, line, column) = self.new_name("a register name")?;
        self.expect(Tok::LBracket)?;
        let (size, size_line, size_column) = self.integer("a register size")?;
        self.expect(Tok::RBracket)?;
        self.expect(Tok::Semi)?;
        if size == 0 {
            let reason = format!("register `{name}` must have at least one bit");
            return Err(QasmErrorKind::Arguments { reason }.at(size_line, size_column));
        }
        let regs = if quantum { &self.qregs } else { &self.cregs };
        let offset = regs.last().map_or(0, |r| r.offset() + r.size());
        // The size first: `offset + size` cannot overflow once both are at most the limit.
        if size > MAX_REGISTER_BITS || offset + size > MAX_REGISTER_BITS {
            let what = if quantum { "the number of qubits" } else { "the number of classical bits" };
            return Err(QasmErrorKind::Limit { what, limit: MAX_REGISTER_BITS }.at(size_line, size_column));
        }
        let reg = Register::new(name.clone(), offset, size);
        if quantum {
            self.define(name, Symbol::QReg(self.qregs.len()), line, column)?;
            self.qregs.push(reg);
        } else {
            self.define(name, Symbol::CReg(self.cregs.len()), line, column)?;
            self.cregs.push(reg);
        }
        Ok(())
    }

    /// `gate name(params) qargs { body }`.
    fn gate_definition(&mut self) -> Result<()> {
        self.keyword("gate")?;
        let (name, line, column) = self.new_name("a gate name")?;
        if self.symbols.contains_key(&name) {
            return Err(QasmErrorKind::Redefined { name }.at(line, column));
        }
        // Names are looked up in hash maps: a definition may declare as many as its text allows.
        let mut params = Scope::new();
        if *self.peek() == Tok::LParen {
            self.next();
            if *self.peek() != Tok::RParen {
                loop {
                    let (p, l, c) = self.new_name("a parameter name")?;
                    if params.contains_key(&p) {
                        return Err(QasmErrorKind::Redefined { name: p }.at(l, c));
                    }
                    params.insert(p, params.len());
                    if *self.peek() == Tok::Comma {
                        self.next();
                    } else {
                        break;
                    }
                }
            }
            self.expect(Tok::RParen)?;
        }
        let mut qubits: Vec<String> = Vec::new();
        let mut qubit_index: HashMap<String, usize> = HashMap::new();
        loop {
            let (q, l, c) = self.new_name("a qubit argument name")?;
            if qubit_index.contains_key(&q) || params.contains_key(&q) {
                return Err(QasmErrorKind::Redefined { name: q }.at(l, c));
            }
            qubit_index.insert(q.clone(), qubits.len());
            qubits.push(q);
            if *self.peek() == Tok::Comma {
                self.next();
            } else {
                break;
            }
        }
        self.expect(Tok::LBrace)?;
        let mut body = Vec::new();
        while *self.peek() != Tok::RBrace {
            let (word, l, c) = self.ident("a gate application, `barrier` or `}`")?;
            if word == "barrier" {
                self.qubit_names(&qubit_index)?;
                self.expect(Tok::Semi)?;
                body.push(BodyOp::Barrier);
                continue;
            }
            let gate = self.lookup_gate(&word, l, c)?;
            let args = self.arguments_of_call(&params)?;
            let qargs = self.qubit_names(&qubit_index)?;
            self.expect(Tok::Semi)?;
            check_arity(&gate, &word, args.len(), qargs.len(), l, c)?;
            if let Some(i) = first_repeat(&qargs) {
                let reason = format!("qubit argument `{}` is used twice in one gate", qubits[qargs[i]]);
                return Err(QasmErrorKind::Arguments { reason }.at(l, c));
            }
            body.push(BodyOp::Call { gate, args, qubits: qargs });
        }
        self.expect(Tok::RBrace)?;
        let def = GateDef { num_params: params.len(), num_qubits: qubits.len(), body };
        self.define(name, Symbol::Gate(GateKind::Defined(Rc::new(def))), line, column)
    }

    /// A comma-separated list of a gate body's qubit arguments, as indices.
    fn qubit_names(&mut self, qubits: &HashMap<String, usize>) -> Result<Vec<usize>> {
        let mut out = Vec::new();
        loop {
            let (q, l, c) = self.ident("a qubit argument of the gate")?;
            let i = *qubits.get(&q).ok_or(QasmErrorKind::Undefined { what: "qubit argument", name: q }.at(l, c))?;
            out.push(i);
            if *self.peek() == Tok::Comma {
                self.next();
            } else {
                return Ok(out);
            }
        }
    }

    fn lookup_gate(&self, name: &str, line: usize, column: usize) -> Result<GateKind> {
        match self.symbols.get(name) {
            Some(Symbol::Gate(g)) => Ok(g.clone()),
            _ => Err(QasmErrorKind::Undefined { what: "gate", name: name.to_string() }.at(line, column)),
        }
    }

    /// `( explist )`, `()` or nothing, with the given parameter names in scope.
    fn arguments_of_call(&mut self, scope: &Scope) -> Result<Vec<Expr>> {
        let mut args = Vec::new();
        if *self.peek() == Tok::LParen {
            self.next();
            if *self.peek() != Tok::RParen {
                loop {
                    args.push(self.expression(scope)?);
                    if *self.peek() == Tok::Comma {
                        self.next();
                    } else {
                        break;
                    }
                }
            }
            self.expect(Tok::RParen)?;
        }
        Ok(args)
    }

    // ----- expressions --------------------------------------------------------------------------------------

    fn expression(&mut self, scope: &Scope) -> Result<Expr> {
        let (line, column) = self.here();
        let mut steps = Vec::new();
        self.sum(scope, &mut steps, 1)?;
        Ok(Expr { steps, line, column })
    }

    fn check_depth(&self, depth: usize) -> Result<()> {
        if depth > MAX_EXPRESSION_DEPTH {
            let (line, column) = self.here();
            return Err(
                QasmErrorKind::Limit { what: "expression nesting", limit: MAX_EXPRESSION_DEPTH }.at(line, column)
            );
        }
        Ok(())
    }

    fn sum(&mut self, scope: &Scope, out: &mut Vec<Step>, depth: usize) -> Result<()> {
        self.product(scope, out, depth)?;
        loop {
            let step = match self.peek() {
                Tok::Plus => Step::Add,
                Tok::Minus => Step::Sub,
                _ => return Ok(()),
            };
            self.next();
            self.product(scope, out, depth)?;
            out.push(step);
        }
    }

    fn product(&mut self, scope: &Scope, out: &mut Vec<Step>, depth: usize) -> Result<()> {
        self.unary(scope, out, depth)?;
        loop {
            let step = match self.peek() {
                Tok::Star => Step::Mul,
                Tok::Slash => Step::Div,
                _ => return Ok(()),
            };
            self.next();
            self.unary(scope, out, depth)?;
            out.push(step);
        }
    }

    /// `-unary | power`: unary minus binds looser than `^`, so `-2^2` is −4.
    fn unary(&mut self, scope: &Scope, out: &mut Vec<Step>, depth: usize) -> Result<()> {
        self.check_depth(depth)?;
        if *self.peek() == Tok::Minus {
            self.next();
            self.unary(scope, out, depth + 1)?;
            out.push(Step::Neg);
            return Ok(());
        }
        self.atom(scope, out, depth)?;
        if *self.peek() == Tok::Caret {
            // Right-associative: 2^3^2 = 2^(3^2).
            self.next();
            self.unary(scope, out, depth + 1)?;
            out.push(Step::Pow);
        }
        Ok(())
    }

    fn atom(&mut self, scope: &Scope, out: &mut Vec<Step>, depth: usize) -> Result<()> {
        let (line, column) = self.here();
        match self.peek().clone() {
            Tok::Real(v) => {
                self.next();
                out.push(Step::Num(v));
            }
            Tok::Int(s) => {
                self.next();
                out.push(Step::Num(s.parse::<f64>().unwrap_or(f64::INFINITY)));
            }
            Tok::LParen => {
                self.next();
                self.check_depth(depth + 1)?;
                self.sum(scope, out, depth + 1)?;
                self.expect(Tok::RParen)?;
            }
            Tok::Ident(name) => {
                self.next();
                if name == "pi" {
                    out.push(Step::Num(PI));
                } else if let Some(f) = Func::from_name(&name) {
                    self.expect(Tok::LParen)?;
                    self.check_depth(depth + 1)?;
                    self.sum(scope, out, depth + 1)?;
                    self.expect(Tok::RParen)?;
                    out.push(Step::Call(f));
                } else if let Some(&i) = scope.get(&name) {
                    out.push(Step::Param(i));
                } else {
                    return Err(QasmErrorKind::Undefined { what: "parameter", name }.at(line, column));
                }
            }
            _ => return Err(self.error_here("an expression")),
        }
        Ok(())
    }

    // ----- quantum operations -------------------------------------------------------------------------------

    /// A qubit or bit argument: `name` or `name[index]`, resolved against quantum (`quantum`) or classical
    /// registers.
    fn argument(&mut self, quantum: bool) -> Result<Arg> {
        let what = if quantum { "a qubit or quantum register" } else { "a bit or classical register" };
        let (name, line, column) = self.ident(what)?;
        let reg = match (self.symbols.get(&name), quantum) {
            (Some(Symbol::QReg(r)), true) | (Some(Symbol::CReg(r)), false) => *r,
            _ => {
                let what = if quantum { "quantum register" } else { "classical register" };
                return Err(QasmErrorKind::Undefined { what, name }.at(line, column));
            }
        };
        let mut index = None;
        if *self.peek() == Tok::LBracket {
            self.next();
            let (i, l, c) = self.integer("an index")?;
            self.expect(Tok::RBracket)?;
            let r = if quantum { &self.qregs[reg] } else { &self.cregs[reg] };
            if i >= r.size() {
                return Err(QasmErrorKind::Index { register: r.name().to_string(), index: i, size: r.size() }.at(l, c));
            }
            index = Some(i);
        }
        Ok(Arg { reg, index, line, column })
    }

    fn qubit_arguments(&mut self) -> Result<Vec<Arg>> {
        let mut args = vec![self.argument(true)?];
        while *self.peek() == Tok::Comma {
            self.next();
            args.push(self.argument(true)?);
        }
        Ok(args)
    }

    /// The global indices an argument stands for.
    fn bits(&self, arg: &Arg, quantum: bool) -> (usize, usize) {
        let r = if quantum { &self.qregs[arg.reg] } else { &self.cregs[arg.reg] };
        match arg.index {
            Some(i) => (r.offset() + i, 1),
            None => (r.offset(), r.size()),
        }
    }

    /// Expands arguments by the spec's broadcasting: registers of equal size are iterated together, single
    /// qubits repeat. Each row is one application's qubits.
    fn broadcast(&self, args: &[Arg], line: usize, column: usize) -> Result<Vec<Vec<usize>>> {
        let mut width: Option<(usize, usize)> = None;
        for a in args.iter().filter(|a| a.index.is_none()) {
            let size = self.qregs[a.reg].size();
            match width {
                None => width = Some((size, a.reg)),
                Some((w, r)) if w != size => {
                    let reason = format!(
                        "registers `{}` (size {w}) and `{}` (size {size}) cannot be broadcast together",
                        self.qregs[r].name(),
                        self.qregs[a.reg].name()
                    );
                    return Err(QasmErrorKind::Arguments { reason }.at(line, column));
                }
                _ => {}
            }
        }
        let n = width.map_or(1, |(w, _)| w);
        let mut rows = Vec::with_capacity(n);
        for j in 0..n {
            let row: Vec<usize> = args
                .iter()
                .map(|a| {
                    let (start, len) = self.bits(a, true);
                    if len == 1 && a.index.is_some() {
                        start
                    } else {
                        start + j
                    }
                })
                .collect();
            if let Some(i) = first_repeat(&row) {
                let reason = format!("qubit {} is used twice in one gate", self.name_of_qubit(row[i]));
                return Err(QasmErrorKind::Arguments { reason }.at(args[i].line, args[i].column));
            }
            rows.push(row);
        }
        Ok(rows)
    }

    fn name_of_qubit(&self, q: usize) -> String {
        super::register::register_of(&self.qregs, q)
            .map_or_else(|| q.to_string(), |r| format!("`{}[{}]`", r.name(), q - r.offset()))
    }

    /// `if ( creg == n ) qop`.
    fn conditional(&mut self) -> Result<()> {
        self.next();
        self.expect(Tok::LParen)?;
        let (name, line, column) = self.ident("a classical register")?;
        let creg = match self.symbols.get(&name) {
            Some(Symbol::CReg(r)) => *r,
            _ => return Err(QasmErrorKind::Undefined { what: "classical register", name }.at(line, column)),
        };
        self.expect(Tok::EqEq)?;
        let value = match self.peek().clone() {
            Tok::Int(s) => {
                let (l, c) = self.here();
                let v = s.parse::<u64>().map_err(|_| {
                    let expected = "an integer below 2^64".into();
                    QasmErrorKind::Syntax { expected, found: format!("integer `{s}`") }.at(l, c)
                })?;
                self.next();
                v
            }
            _ => return Err(self.error_here("an integer")),
        };
        self.expect(Tok::RParen)?;
        match self.peek() {
            Tok::Ident(s) if s == "if" || s == "barrier" || s == "gate" || s == "qreg" || s == "creg" => {
                Err(self.error_here("a gate application, `measure` or `reset` after `if(...)`"))
            }
            Tok::Ident(_) => self.quantum_operation(Some((creg, value))),
            _ => Err(self.error_here("a gate application, `measure` or `reset`")),
        }
    }

    fn barrier(&mut self) -> Result<()> {
        self.next();
        let args = self.qubit_arguments()?;
        self.expect(Tok::Semi)?;
        // Each qubit once, in the order first named, found in linear time; the barrier costs one unit of work
        // per qubit it spans, as it holds them all.
        let (line, column) = (args[0].line, args[0].column);
        let mut seen = HashSet::new();
        let mut qubits = Vec::new();
        for a in &args {
            let (start, len) = self.bits(a, true);
            self.count_work_units(len, line, column)?;
            qubits.extend((start..start + len).filter(|&q| seen.insert(q)));
        }
        self.ops.push(Operation::Barrier { qubits });
        Ok(())
    }

    fn count_work(&mut self, line: usize, column: usize) -> Result<()> {
        self.count_work_units(1, line, column)
    }

    /// Adds `units` of work (operations, qubits spanned by a barrier, steps of an expression evaluated while
    /// expanding a gate) and fails past [`MAX_OPERATIONS`].
    fn count_work_units(&mut self, units: usize, line: usize, column: usize) -> Result<()> {
        self.work = self.work.saturating_add(units);
        if self.work > MAX_OPERATIONS {
            return Err(
                QasmErrorKind::Limit { what: "the number of operations", limit: MAX_OPERATIONS }.at(line, column)
            );
        }
        Ok(())
    }

    fn push(&mut self, op: Operation, site: Site) -> Result<()> {
        self.count_work(site.line, site.column)?;
        self.ops.push(match site.condition {
            Some((creg, value)) => Operation::Conditional { creg, value, op: Box::new(op) },
            None => op,
        });
        Ok(())
    }

    /// `measure a -> b;`, `reset a;` or a gate application, optionally under a condition.
    fn quantum_operation(&mut self, condition: Option<(usize, u64)>) -> Result<()> {
        let (word, line, column) = self.ident("a statement")?;
        let site = Site { line, column, condition };
        match word.as_str() {
            "measure" => {
                let q = self.argument(true)?;
                self.expect(Tok::Arrow)?;
                let c = self.argument(false)?;
                self.expect(Tok::Semi)?;
                let (q0, qn) = self.bits(&q, true);
                let (c0, cn) = self.bits(&c, false);
                if q.index.is_some() != c.index.is_some() || qn != cn {
                    let reason = format!(
                        "cannot measure {} qubit(s) of `{}` into {} bit(s) of `{}`",
                        qn,
                        self.qregs[q.reg].name(),
                        cn,
                        self.cregs[c.reg].name()
                    );
                    return Err(QasmErrorKind::Arguments { reason }.at(line, column));
                }
                for k in 0..qn {
                    self.push(Operation::Measure { qubit: q0 + k, clbit: c0 + k }, site)?;
                }
                Ok(())
            }
            "reset" => {
                let q = self.argument(true)?;
                self.expect(Tok::Semi)?;
                let (q0, qn) = self.bits(&q, true);
                for k in 0..qn {
                    self.push(Operation::Reset { qubit: q0 + k }, site)?;
                }
                Ok(())
            }
            _ => {
                let gate = self.lookup_gate(&word, line, column)?;
                let exprs = self.arguments_of_call(&Scope::new())?;
                let args = self.qubit_arguments()?;
                self.expect(Tok::Semi)?;
                check_arity(&gate, &word, exprs.len(), args.len(), line, column)?;
                let mut values = Vec::with_capacity(exprs.len());
                for e in &exprs {
                    values.push(finite(e.eval(&[]), e.line, e.column)?);
                }
                for row in self.broadcast(&args, line, column)? {
                    self.apply_gate(&gate, &values, &row, site, 0)?;
                }
                Ok(())
            }
        }
    }

    /// Applies a gate with evaluated parameters to global qubits, expanding user gates.
    fn apply_gate(
        &mut self,
        gate: &GateKind,
        params: &[f64],
        qubits: &[usize],
        site: Site,
        depth: usize,
    ) -> Result<()> {
        match gate {
            GateKind::Native(n) => {
                for inst in n.instructions(params, qubits)? {
                    self.push(Operation::Gate(inst), site)?;
                }
                Ok(())
            }
            GateKind::Defined(def) => {
                if depth >= MAX_GATE_DEPTH {
                    let kind = QasmErrorKind::Limit { what: "the nesting of gate definitions", limit: MAX_GATE_DEPTH };
                    return Err(kind.at(site.line, site.column));
                }
                for op in &def.body {
                    let steps = match op {
                        BodyOp::Call { args, .. } => args.iter().map(|e| e.steps.len()).sum(),
                        BodyOp::Barrier => 0,
                    };
                    self.count_work_units(1 + steps, site.line, site.column)?;
                    if let BodyOp::Call { gate, args, qubits: q } = op {
                        let mut values = Vec::with_capacity(args.len());
                        for e in args {
                            values.push(finite(e.eval(params), site.line, site.column)?);
                        }
                        let mapped: Vec<usize> = q.iter().map(|&i| qubits[i]).collect();
                        self.apply_gate(gate, &values, &mapped, site, depth + 1)?;
                    }
                }
                Ok(())
            }
        }
    }
}

fn check_arity(gate: &GateKind, name: &str, params: usize, qubits: usize, line: usize, column: usize) -> Result<()> {
    let (np, nq) = gate.arity();
    let mismatch =
        |what, expected, found| QasmErrorKind::Arity { gate: name.to_string(), what, expected, found }.at(line, column);
    if params != np {
        return Err(mismatch("parameters", np, params));
    }
    if qubits != nq {
        return Err(mismatch("qubit arguments", nq, qubits));
    }
    Ok(())
}

fn finite(value: f64, line: usize, column: usize) -> Result<f64> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(QasmErrorKind::NonFinite { value }.at(line, column))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(src: &str) -> f64 {
        let program = format!("OPENQASM 2.0; include \"qelib1.inc\"; qreg q[1]; rz({src}) q[0];");
        let p = parse(&program).unwrap();
        match &p.ops[0] {
            Operation::Gate(inst) => inst.gate().params()[0].constant().unwrap(),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn expressions_follow_precedence() {
        assert_eq!(eval("1+2*3"), 7.0);
        assert_eq!(eval("(1+2)*3"), 9.0);
        assert_eq!(eval("2^3^2"), 512.0);
        assert_eq!(eval("-2^2"), -4.0);
        assert_eq!(eval("8/4/2"), 1.0);
        assert_eq!(eval("1-2-3"), -4.0);
        assert_eq!(eval("2*-3"), -6.0);
        assert_eq!(eval("pi/2"), PI / 2.0);
        assert_eq!(eval("sqrt(4)+ln(exp(1))+cos(0)+sin(0)+tan(0)"), 4.0);
        assert_eq!(eval("--1"), 1.0);
        assert_eq!(eval("2^-1"), 0.5);
    }

    #[test]
    fn deep_expressions_hit_the_limit_not_the_stack() {
        let deep = format!("{}1{}", "(".repeat(10_000), ")".repeat(10_000));
        let program = format!("OPENQASM 2.0; include \"qelib1.inc\"; qreg q[1]; rz({deep}) q[0];");
        let nesting = QasmErrorKind::Limit { what: "expression nesting", limit: MAX_EXPRESSION_DEPTH };
        assert!(matches!(parse(&program), Err(Error::Qasm { kind, .. }) if kind == nesting));
        let minus = format!("OPENQASM 2.0; include \"qelib1.inc\"; qreg q[1]; rz({}1) q[0];", "-".repeat(100_000));
        assert!(matches!(parse(&minus), Err(Error::Qasm { kind: QasmErrorKind::Limit { .. }, .. })));
        // A long flat sum is fine: it does not nest.
        let flat = format!("OPENQASM 2.0; include \"qelib1.inc\"; qreg q[1]; rz(0{}) q[0];", "+1".repeat(100_000));
        assert!(parse(&flat).is_ok());
    }

    #[test]
    fn non_finite_values_are_located() {
        let e = parse("OPENQASM 2.0; include \"qelib1.inc\";\nqreg q[1];\nrz(ln(0)) q[0];").unwrap_err();
        assert_eq!(e.to_string(), "qasm line 3, column 4: expression evaluates to -inf, which is not a finite angle");
    }
}
