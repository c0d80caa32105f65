//! A parsed OpenQASM program: registers and a list of operations (gates, measurements, resets, barriers,
//! classically controlled operations), with a sampler that runs it.

use std::collections::{BTreeMap, HashSet};

use rand::Rng;

use super::register::{register_of, Register};
use crate::error::{Error, QasmErrorKind, Result};
use crate::quantum::{Circuit, Gate, Instruction, StateVector};

/// One operation of a [`Program`]. Qubits and classical bits are global indices (see [`Register`]).
///
/// # Example
///
/// ```
/// use qnet::qasm::{Operation, Program};
///
/// # fn main() -> qnet::Result<()> {
/// let p = Program::parse("OPENQASM 2.0; qreg q[1]; creg c[1]; measure q[0] -> c[0]; reset q[0];")?;
/// assert_eq!(p.operations()[0], Operation::Measure { qubit: 0, clbit: 0 });
/// assert_eq!(p.operations()[1], Operation::Reset { qubit: 0 });
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum Operation {
    /// A gate with constant angles.
    Gate(Instruction),
    /// A measurement of `qubit` in the computational basis, written to classical bit `clbit`.
    Measure {
        /// The measured qubit.
        qubit: usize,
        /// The classical bit that receives the outcome.
        clbit: usize,
    },
    /// A reset of `qubit` to |0⟩ (a measurement followed by X when the outcome is 1).
    Reset {
        /// The qubit.
        qubit: usize,
    },
    /// A barrier: no effect on the state; kept so that exports and drawings show it.
    Barrier {
        /// The qubits it spans.
        qubits: Vec<usize>,
    },
    /// `op` applied only when classical register `creg` (an index into [`Program::cregs`]) holds `value`, its
    /// bit 0 the least significant.
    Conditional {
        /// The register's index in [`Program::cregs`].
        creg: usize,
        /// The value it must hold.
        value: u64,
        /// The operation: a gate, a measurement or a reset.
        op: Box<Operation>,
    },
}

/// An OpenQASM 2.0 program: quantum and classical registers and a list of [`Operation`]s.
///
/// [`Program::parse`] reads OpenQASM 2.0 (user gates are expanded into qnet gates as they are applied);
/// [`Program::to_qasm`] writes it back. A program whose only non-gate operations are final measurements is a
/// [`Circuit`] plus a readout ([`Program::circuit`]); any program, including one with resets and
/// classically controlled gates, runs through [`Program::sample`], which reports the classical registers the way
/// Qiskit's `get_counts` does.
///
/// # Example
///
/// ```
/// use qnet::qasm::Program;
/// use rand::SeedableRng;
///
/// # fn main() -> qnet::Result<()> {
/// let bell = Program::parse(r#"
///     OPENQASM 2.0;
///     include "qelib1.inc";
///     qreg q[2];
///     creg c[2];
///     h q[0];
///     cx q[0], q[1];
///     measure q -> c;
/// "#)?;
/// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
/// let counts = bell.sample(1000, &mut rng)?;
/// assert_eq!(counts.keys().map(String::as_str).collect::<Vec<_>>(), vec!["00", "11"]);
/// assert_eq!(counts.values().sum::<usize>(), 1000);
/// assert_eq!(bell.circuit()?.len(), 2);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(try_from = "ProgramData", into = "ProgramData"))]
pub struct Program {
    pub(crate) qregs: Vec<Register>,
    pub(crate) cregs: Vec<Register>,
    pub(crate) ops: Vec<Operation>,
}

/// The serialized form of a [`Program`], checked by [`Program::validate`] when read.
#[cfg(feature = "serde")]
#[derive(serde::Serialize, serde::Deserialize)]
struct ProgramData {
    qregs: Vec<Register>,
    cregs: Vec<Register>,
    ops: Vec<Operation>,
}

#[cfg(feature = "serde")]
impl TryFrom<ProgramData> for Program {
    type Error = Error;
    fn try_from(d: ProgramData) -> Result<Program> {
        let p = Program { qregs: d.qregs, cregs: d.cregs, ops: d.ops };
        p.validate()?;
        Ok(p)
    }
}

#[cfg(feature = "serde")]
impl From<Program> for ProgramData {
    fn from(p: Program) -> ProgramData {
        ProgramData { qregs: p.qregs, cregs: p.cregs, ops: p.ops }
    }
}

/// Checks registers laid out in declaration order from 0, each with a valid, unused name.
fn check_registers<'a>(regs: &'a [Register], names: &mut HashSet<&'a str>, max: usize) -> Result<()> {
    let mut offset = 0;
    for r in regs {
        let bad = |reason| Err(Error::InvalidRegister { name: r.name.clone(), reason });
        r.check()?;
        if !names.insert(&r.name) {
            return bad("the name is used twice");
        }
        if r.offset != offset {
            return bad("registers must number their bits from 0 in declaration order, at least one bit each");
        }
        offset = match offset.checked_add(r.size) {
            Some(end) if end <= max => end,
            _ => return bad("the registers hold more bits than MAX_REGISTER_BITS"),
        };
    }
    Ok(())
}

impl Program {
    /// Checks that the program is consistent, as every program made by [`Program::parse`] or
    /// [`Program::from_circuit`] is: registers numbered from 0 in declaration order with distinct valid names,
    /// every qubit and classical bit in range, constant angles, and conditions only on gates, measurements and
    /// resets. Programs read with serde are checked with it.
    ///
    /// # Errors
    /// [`Error::InvalidRegister`], [`Error::InvalidQubit`], [`Error::InvalidClbit`],
    /// [`Error::InvalidConditional`] or [`Error::UnboundParameter`] for the first inconsistency.
    pub fn validate(&self) -> Result<()> {
        let mut names = HashSet::new();
        check_registers(&self.qregs, &mut names, super::MAX_REGISTER_BITS)?;
        check_registers(&self.cregs, &mut names, super::MAX_REGISTER_BITS)?;
        let (num_qubits, num_clbits) = (self.num_qubits(), self.num_clbits());
        let qubit = |q: usize| {
            if q < num_qubits {
                Ok(())
            } else {
                Err(Error::InvalidQubit { qubit: q, num_qubits })
            }
        };
        for (index, op) in self.ops.iter().enumerate() {
            let op = match op {
                Operation::Conditional { creg, op, .. } => {
                    if *creg >= self.cregs.len() {
                        return Err(Error::InvalidRegister {
                            name: format!("#{creg}"),
                            reason: "a condition names a classical register that does not exist",
                        });
                    }
                    if matches!(**op, Operation::Conditional { .. } | Operation::Barrier { .. }) {
                        return Err(Error::InvalidConditional { index });
                    }
                    &**op
                }
                other => other,
            };
            match op {
                Operation::Gate(inst) => {
                    inst.check_qubits(num_qubits)?;
                    for p in inst.gate().params().iter() {
                        p.constant()?;
                    }
                }
                Operation::Measure { qubit: q, clbit } => {
                    qubit(*q)?;
                    if *clbit >= num_clbits {
                        return Err(Error::InvalidClbit { clbit: *clbit, num_clbits });
                    }
                }
                Operation::Reset { qubit: q } => qubit(*q)?,
                Operation::Barrier { qubits } => qubits.iter().try_for_each(|&q| qubit(q))?,
                Operation::Conditional { .. } => return Err(Error::InvalidConditional { index }),
            }
        }
        Ok(())
    }

    /// Parses OpenQASM 2.0 text (see the [module documentation](crate::qasm) for what is accepted).
    ///
    /// # Errors
    /// [`Error::Qasm`], naming the line and column, with a [`QasmErrorKind`] that says what is wrong there:
    /// `Syntax`, `Undefined`, `Redefined`, `Arity`, `Index`, `Arguments`, `NonFinite`, `Unsupported` or `Limit`.
    pub fn parse(source: &str) -> Result<Program> {
        super::parser::parse(source)
    }

    /// The program of a circuit: one quantum register `q` of the circuit's size, no classical bits, and the
    /// circuit's gates.
    ///
    /// # Errors
    /// [`Error::UnboundParameter`] when an angle is still a weight or an input: bind the circuit first
    /// ([`Circuit::bind`]); [`Error::Qasm`] with [`QasmErrorKind::Limit`] (line and column 0) for a circuit on
    /// more than [`MAX_REGISTER_BITS`](super::MAX_REGISTER_BITS) qubits; [`Error::NoisyCircuit`] for a circuit
    /// with channels (OpenQASM 2 has none).
    pub fn from_circuit(circuit: &Circuit) -> Result<Program> {
        if circuit.num_qubits() > super::MAX_REGISTER_BITS {
            let limit = super::MAX_REGISTER_BITS;
            return Err(QasmErrorKind::Limit { what: "the number of qubits", limit }.at(0, 0));
        }
        circuit.check_unitary("qasm export")?;
        for inst in circuit.instructions() {
            for p in inst.gate().params().iter() {
                p.constant()?;
            }
        }
        Ok(Program {
            qregs: vec![Register::new("q".into(), 0, circuit.num_qubits())],
            cregs: Vec::new(),
            ops: circuit.instructions().iter().cloned().map(Operation::Gate).collect(),
        })
    }

    /// Adds a classical register `meas` as large as the quantum registers together and measures every qubit
    /// into it (qubit i into bit i), as Qiskit's `measure_all` does.
    ///
    /// # Errors
    /// [`Error::Qasm`] with [`QasmErrorKind::Redefined`] (line and column 0) when a classical register is already
    /// named `meas`.
    pub fn measure_all(&mut self) -> Result<&mut Self> {
        if self.cregs.iter().any(|r| r.name == "meas") || self.qregs.iter().any(|r| r.name == "meas") {
            return Err(QasmErrorKind::Redefined { name: "meas".into() }.at(0, 0));
        }
        let n = self.num_qubits();
        let offset = self.num_clbits();
        self.cregs.push(Register::new("meas".into(), offset, n));
        if n > 0 {
            self.ops.push(Operation::Barrier { qubits: (0..n).collect() });
        }
        for q in 0..n {
            self.ops.push(Operation::Measure { qubit: q, clbit: offset + q });
        }
        Ok(self)
    }

    /// The number of qubits, over every quantum register.
    #[must_use]
    pub fn num_qubits(&self) -> usize {
        self.qregs.last().map_or(0, |r| r.offset + r.size)
    }

    /// The number of classical bits, over every classical register.
    #[must_use]
    pub fn num_clbits(&self) -> usize {
        self.cregs.last().map_or(0, |r| r.offset + r.size)
    }

    /// The quantum registers, in declaration order.
    #[must_use]
    pub fn qregs(&self) -> &[Register] {
        &self.qregs
    }

    /// The classical registers, in declaration order.
    #[must_use]
    pub fn cregs(&self) -> &[Register] {
        &self.cregs
    }

    /// The operations, in program order.
    #[must_use]
    pub fn operations(&self) -> &[Operation] {
        &self.ops
    }

    /// The first operation that stops the program from being a circuit followed by measurements: a reset, a
    /// classically controlled operation, or a gate on a qubit already measured.
    fn first_non_terminal(&self) -> Option<usize> {
        let mut measured = vec![false; self.num_qubits()];
        for (index, op) in self.ops.iter().enumerate() {
            match op {
                Operation::Gate(inst) => {
                    if inst.qubits().any(|q| measured[q]) {
                        return Some(index);
                    }
                }
                Operation::Measure { qubit, .. } => measured[*qubit] = true,
                Operation::Barrier { .. } => {}
                Operation::Reset { .. } | Operation::Conditional { .. } => return Some(index),
            }
        }
        None
    }

    /// The program's gates as a circuit, when every measurement comes after the last gate on its qubit and
    /// there is no reset and no classically controlled operation (measurements and barriers are left out).
    ///
    /// # Errors
    /// [`Error::NotUnitaryProgram`] naming the first operation that breaks the rule; [`Error::ZeroQubits`] for a
    /// program without qubits.
    pub fn circuit(&self) -> Result<Circuit> {
        if let Some(index) = self.first_non_terminal() {
            return Err(Error::NotUnitaryProgram { index, operation: self.describe(&self.ops[index]) });
        }
        let mut circuit = Circuit::new(self.num_qubits())?;
        for op in &self.ops {
            if let Operation::Gate(inst) = op {
                circuit.push(inst.clone())?;
            }
        }
        Ok(circuit)
    }

    /// One operation as OpenQASM-like text, for messages.
    fn describe(&self, op: &Operation) -> String {
        let q = |i: usize| self.bit_name(&self.qregs, i);
        match op {
            Operation::Gate(inst) => {
                let qubits: Vec<String> = inst.targets().iter().map(|&i| q(i)).collect();
                let mut s = format!("{} {}", inst.gate(), qubits.join(","));
                if !inst.controls().is_empty() {
                    let c: Vec<String> = inst.controls().iter().map(|&i| q(i)).collect();
                    s.push_str(&format!(" controlled by {}", c.join(",")));
                }
                s
            }
            Operation::Measure { qubit, clbit } => {
                format!("measure {} -> {}", q(*qubit), self.bit_name(&self.cregs, *clbit))
            }
            Operation::Reset { qubit } => format!("reset {}", q(*qubit)),
            Operation::Barrier { qubits } => {
                format!("barrier {}", qubits.iter().map(|&i| q(i)).collect::<Vec<_>>().join(","))
            }
            Operation::Conditional { creg, value, op } => {
                format!("if({}=={value}) {}", self.cregs[*creg].name, self.describe(op))
            }
        }
    }

    /// `name[index]` of a global bit index.
    pub(crate) fn bit_name(&self, regs: &[Register], bit: usize) -> String {
        register_of(regs, bit).map_or_else(|| format!("?[{bit}]"), |r| format!("{}[{}]", r.name, bit - r.offset))
    }

    /// The value of classical register `creg` (bits beyond 64 must be zero for a match with `value`).
    fn creg_equals(&self, bits: &[bool], creg: usize, value: u64) -> bool {
        let r = &self.cregs[creg];
        bits[r.offset..r.offset + r.size].iter().enumerate().all(|(k, &b)| {
            let want = k < 64 && (value >> k) & 1 == 1;
            b == want
        }) && (r.size >= 64 || value >> r.size == 0)
    }

    /// Runs the program once: every operation in order, measurements and resets drawn with `rng`.
    /// Returns the final state and the classical bits (global indices).
    ///
    /// # Errors
    /// [`Error::ZeroQubits`] or [`Error::TooManyQubits`] when the state cannot be made.
    pub fn run_shot<R: Rng + ?Sized>(&self, rng: &mut R) -> Result<(StateVector, Vec<bool>)> {
        let mut state = StateVector::new(self.num_qubits())?;
        let mut bits = vec![false; self.num_clbits()];
        self.run_into(&mut state, &mut bits, rng)?;
        Ok((state, bits))
    }

    fn run_into<R: Rng + ?Sized>(&self, state: &mut StateVector, bits: &mut [bool], rng: &mut R) -> Result<()> {
        for op in &self.ops {
            self.apply(op, state, bits, rng)?;
        }
        Ok(())
    }

    fn apply<R: Rng + ?Sized>(
        &self,
        op: &Operation,
        state: &mut StateVector,
        bits: &mut [bool],
        rng: &mut R,
    ) -> Result<()> {
        match op {
            Operation::Gate(inst) => state.apply(inst, &[], &[])?,
            Operation::Measure { qubit, clbit } => bits[*clbit] = state.measure(*qubit, rng)? == 1,
            Operation::Reset { qubit } => {
                if state.measure(*qubit, rng)? == 1 {
                    state.apply_gate(&Gate::X, &[*qubit])?;
                }
            }
            Operation::Barrier { .. } => {}
            Operation::Conditional { creg, value, op } => {
                if self.creg_equals(bits, *creg, *value) {
                    self.apply(op, state, bits, rng)?;
                }
            }
        }
        Ok(())
    }

    /// Runs the program `shots` times and counts the classical outcomes, keyed as Qiskit's `get_counts` keys
    /// them: one group of bits per classical register, the last declared first, each written from its highest
    /// bit to bit 0, groups separated by a space (`"01 1"` for `c1 = 0b01`, `c0 = 1` after `creg c0[1]; creg
    /// c1[2];`). A program without classical bits gives `shots` empty strings.
    ///
    /// When every measurement is final (no reset, no classically controlled operation, no gate on a measured
    /// qubit) the state is prepared once and sampled `shots` times; otherwise each shot runs the whole program,
    /// collapsing the state at each measurement.
    ///
    /// # Errors
    /// [`Error::ZeroQubits`] or [`Error::TooManyQubits`] when the state cannot be made.
    pub fn sample<R: Rng + ?Sized>(&self, shots: usize, rng: &mut R) -> Result<BTreeMap<String, usize>> {
        let mut counts = BTreeMap::new();
        let mut bits = vec![false; self.num_clbits()];
        if self.first_non_terminal().is_none() {
            let mut state = StateVector::new(self.num_qubits())?;
            for op in &self.ops {
                if let Operation::Gate(inst) = op {
                    state.apply(inst, &[], &[])?;
                }
            }
            let measures: Vec<(usize, usize)> = self
                .ops
                .iter()
                .filter_map(|op| match op {
                    Operation::Measure { qubit, clbit } => Some((*qubit, *clbit)),
                    _ => None,
                })
                .collect();
            for (index, n) in state.sample(shots, rng)? {
                bits.fill(false);
                for &(q, c) in &measures {
                    bits[c] = (index >> q) & 1 == 1;
                }
                *counts.entry(self.format_bits(&bits)).or_insert(0) += n;
            }
        } else {
            let mut state = StateVector::new(self.num_qubits())?;
            for _ in 0..shots {
                state.reset();
                bits.fill(false);
                self.run_into(&mut state, &mut bits, rng)?;
                *counts.entry(self.format_bits(&bits)).or_insert(0) += 1;
            }
        }
        Ok(counts)
    }

    /// Classical bits as a Qiskit counts key.
    fn format_bits(&self, bits: &[bool]) -> String {
        let mut s = String::with_capacity(bits.len() + self.cregs.len());
        for (k, r) in self.cregs.iter().enumerate().rev() {
            if k + 1 < self.cregs.len() {
                s.push(' ');
            }
            for b in bits[r.offset..r.offset + r.size].iter().rev() {
                s.push(if *b { '1' } else { '0' });
            }
        }
        s
    }
}
