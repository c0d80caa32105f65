//! The OpenQASM 2.0 parser: a hand-written recursive-descent parser over the lexer's tokens.
//!
//! Statements are parsed in a loop; only parameter expressions recurse, with an explicit depth limit. User
//! gates are stored as parsed bodies and expanded when applied, with limits on the nesting of gate calls and on
//! the total number of gate applications, so that no input overflows the stack or runs without end.
//!
//! This file holds the parser's state, its token helpers and the declarations (header, `include`, registers);
//! [`native`] the gates qelib1.inc maps onto qnet gates, [`gates`] user gate definitions, [`expression`]
//! parameter expressions, and [`operations`] the statements that add operations to the program (gate
//! applications with their broadcasting and expansion, `measure`, `reset`, `barrier`, `if`).

mod expression;
mod gates;
mod native;
mod operations;

use std::collections::HashMap;

use self::gates::GateKind;
use self::native::{BUILT_IN, QELIB1_DEFINED, QELIB1_NATIVE};
use super::lexer::{lex, Tok, Token};
use super::program::{Operation, Program};
use super::register::Register;
use super::MAX_REGISTER_BITS;
use crate::error::{Error, QasmErrorKind, Result};

/// A gate definition's parameter names and their indices (empty outside definitions).
type Scope = HashMap<String, usize>;

/// Words that cannot name a register, a gate or a gate argument.
const RESERVED: &[&str] = &[
    "OPENQASM", "include", "qreg", "creg", "gate", "opaque", "if", "barrier", "measure", "reset", "U", "CX", "pi",
    "sin", "cos", "tan", "exp", "ln", "sqrt",
];

/// Whether `name` cannot name a register of a program that [`to_qasm`](super::to_qasm) writes: an OpenQASM
/// keyword or a gate of qelib1.inc, which every exported program includes.
pub(super) fn is_reserved_for_registers(name: &str) -> bool {
    RESERVED.contains(&name) || QELIB1_NATIVE.iter().any(|(gate, _)| *gate == name) || ["rccx", "rc3x"].contains(&name)
}

/// A name in the program's one namespace.
#[derive(Debug, Clone)]
enum Symbol {
    QReg(usize),
    CReg(usize),
    Gate(GateKind),
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
    for (name, native) in BUILT_IN {
        p.symbols.insert((*name).into(), Symbol::Gate(GateKind::Native(native.clone())));
    }
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
        for (name, native) in QELIB1_NATIVE {
            self.define(name.to_string(), Symbol::Gate(GateKind::Native(native.clone())), line, column)?;
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
}
