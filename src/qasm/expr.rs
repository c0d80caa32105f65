//! Parameter expressions, stored in postfix order and evaluated with an explicit stack (no recursion, so a
//! long expression cannot overflow the call stack while it is evaluated).

/// A function of one argument allowed in OpenQASM 2.0 expressions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Func {
    Sin,
    Cos,
    Tan,
    Exp,
    Ln,
    Sqrt,
}

impl Func {
    pub(crate) fn from_name(name: &str) -> Option<Func> {
        Some(match name {
            "sin" => Func::Sin,
            "cos" => Func::Cos,
            "tan" => Func::Tan,
            "exp" => Func::Exp,
            "ln" => Func::Ln,
            "sqrt" => Func::Sqrt,
            _ => return None,
        })
    }

    fn apply(self, x: f64) -> f64 {
        match self {
            Func::Sin => x.sin(),
            Func::Cos => x.cos(),
            Func::Tan => x.tan(),
            Func::Exp => x.exp(),
            Func::Ln => x.ln(),
            Func::Sqrt => x.sqrt(),
        }
    }
}

/// One step of a postfix program.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Step {
    /// Push a number.
    Num(f64),
    /// Push the gate parameter with this index.
    Param(usize),
    /// Negate the top.
    Neg,
    /// Apply a function to the top.
    Call(Func),
    /// Pop b, pop a, push a + b.
    Add,
    /// a − b.
    Sub,
    /// a · b.
    Mul,
    /// a / b.
    Div,
    /// a ^ b (`powf`).
    Pow,
}

/// A parameter expression in postfix order, where it starts in the source, and how many parameters it reads.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Expr {
    pub(crate) steps: Vec<Step>,
    pub(crate) line: usize,
    pub(crate) column: usize,
}

impl Expr {
    /// The value given the enclosing gate's parameter values. Well-formed postfix (as the parser writes it)
    /// never underflows the stack; a parameter index beyond `params` reads as NaN and is reported by the
    /// caller's finiteness check.
    pub(crate) fn eval(&self, params: &[f64]) -> f64 {
        let mut stack: Vec<f64> = Vec::with_capacity(8);
        for step in &self.steps {
            match *step {
                Step::Num(v) => stack.push(v),
                Step::Param(i) => stack.push(params.get(i).copied().unwrap_or(f64::NAN)),
                Step::Neg | Step::Call(_) => {
                    let Some(top) = stack.last_mut() else { return f64::NAN };
                    *top = match *step {
                        Step::Call(f) => f.apply(*top),
                        _ => -*top,
                    };
                }
                Step::Add | Step::Sub | Step::Mul | Step::Div | Step::Pow => {
                    let (Some(b), Some(a)) = (stack.pop(), stack.pop()) else { return f64::NAN };
                    stack.push(match step {
                        Step::Add => a + b,
                        Step::Sub => a - b,
                        Step::Mul => a * b,
                        Step::Div => a / b,
                        _ => a.powf(b),
                    });
                }
            }
        }
        if stack.len() == 1 {
            stack[0]
        } else {
            f64::NAN
        }
    }
}
