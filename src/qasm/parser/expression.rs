//! Parameter expressions: `pi`, numbers, gate parameters, `+ - * / ^`, unary minus, parentheses and the
//! functions `sin cos tan exp ln sqrt`, parsed by recursive descent with an explicit depth limit into the
//! postfix form of [`Expr`].

use std::f64::consts::PI;

use super::{Parser, Scope};
use crate::error::{QasmErrorKind, Result};
use crate::qasm::expr::{Expr, Func, Step};
use crate::qasm::lexer::Tok;
use crate::qasm::MAX_EXPRESSION_DEPTH;

impl Parser {
    /// `( explist )`, `()` or nothing, with the given parameter names in scope.
    pub(super) fn arguments_of_call(&mut self, scope: &Scope) -> Result<Vec<Expr>> {
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
}

pub(super) fn finite(value: f64, line: usize, column: usize) -> Result<f64> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(QasmErrorKind::NonFinite { value }.at(line, column))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;
    use crate::qasm::parser::parse;
    use crate::qasm::program::Operation;

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
