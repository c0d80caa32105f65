//! The statements that add operations to the program: gate applications (broadcast over registers and
//! expanded through user gates), `measure`, `reset`, `barrier` and `if`.

use std::collections::HashSet;

use super::expression::finite;
use super::gates::{check_arity, BodyOp, GateKind};
use super::{Parser, Scope, Symbol};
use crate::bounded::first_repeat;
use crate::error::{QasmErrorKind, Result};
use crate::qasm::lexer::Tok;
use crate::qasm::program::Operation;
use crate::qasm::{MAX_GATE_DEPTH, MAX_OPERATIONS};

/// A qubit or classical argument: a whole register or one bit of it, and where it was written.
#[derive(Debug, Clone, Copy)]
struct Arg {
    reg: usize,
    index: Option<usize>,
    line: usize,
    column: usize,
}

/// Where an expanded operation comes from, for errors found during expansion, and its condition.
#[derive(Debug, Clone, Copy)]
struct Site {
    line: usize,
    column: usize,
    condition: Option<(usize, u64)>,
}

impl Parser {
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
        crate::qasm::register::register_of(&self.qregs, q)
            .map_or_else(|| q.to_string(), |r| format!("`{}[{}]`", r.name(), q - r.offset()))
    }

    /// `if ( creg == n ) qop`.
    pub(super) fn conditional(&mut self) -> Result<()> {
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

    pub(super) fn barrier(&mut self) -> Result<()> {
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
    pub(super) fn quantum_operation(&mut self, condition: Option<(usize, u64)>) -> Result<()> {
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
