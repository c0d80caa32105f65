//! User gate definitions: `gate name(params) qargs { body }`, stored as parsed bodies for later expansion.

use std::collections::HashMap;
use std::rc::Rc;

use super::native::Native;
use super::{Parser, Scope, Symbol};
use crate::bounded::first_repeat;
use crate::error::{QasmErrorKind, Result};
use crate::qasm::expr::Expr;
use crate::qasm::lexer::Tok;

/// A gate the parser can apply.
#[derive(Debug, Clone)]
pub(super) enum GateKind {
    Native(Native),
    Defined(Rc<GateDef>),
}

impl GateKind {
    pub(super) fn arity(&self) -> (usize, usize) {
        match self {
            GateKind::Native(n) => n.arity(),
            GateKind::Defined(d) => (d.num_params, d.num_qubits),
        }
    }
}

/// A user gate: its arity and its body, whose expressions read the gate's parameters by index and whose
/// operations name the gate's qubit arguments by index.
#[derive(Debug)]
pub(super) struct GateDef {
    num_params: usize,
    num_qubits: usize,
    pub(super) body: Vec<BodyOp>,
}

#[derive(Debug)]
pub(super) enum BodyOp {
    Call {
        gate: GateKind,
        args: Vec<Expr>,
        qubits: Vec<usize>,
    },
    /// A barrier inside a gate body: it constrains only the body's own compilation and is dropped on expansion.
    Barrier,
}

impl Parser {
    /// `gate name(params) qargs { body }`.
    pub(super) fn gate_definition(&mut self) -> Result<()> {
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

    pub(super) fn lookup_gate(&self, name: &str, line: usize, column: usize) -> Result<GateKind> {
        match self.symbols.get(name) {
            Some(Symbol::Gate(g)) => Ok(g.clone()),
            _ => Err(QasmErrorKind::Undefined { what: "gate", name: name.to_string() }.at(line, column)),
        }
    }
}

pub(super) fn check_arity(
    gate: &GateKind,
    name: &str,
    params: usize,
    qubits: usize,
    line: usize,
    column: usize,
) -> Result<()> {
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
