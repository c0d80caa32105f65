//! Serialized forms that are checked again when read: a file cannot smuggle in a repeated qubit, an
//! out-of-range index, a non-normalized state or a non-finite coefficient.

#![cfg(feature = "serde")]

use num_complex::Complex64 as C;
use serde::{Deserialize, Serialize};

use super::circuit::{Circuit, Instruction};
use super::gate::Gate;
use super::observable::{Pauli, PauliString};
use super::state::StateVector;
use crate::error::Error;

#[derive(Serialize, Deserialize)]
pub(crate) struct InstructionData {
    gate: Gate,
    targets: Vec<usize>,
    controls: Vec<usize>,
}

impl TryFrom<InstructionData> for Instruction {
    type Error = Error;
    fn try_from(d: InstructionData) -> Result<Self, Error> {
        Instruction::new(d.gate, d.targets, d.controls)
    }
}

impl From<Instruction> for InstructionData {
    fn from(i: Instruction) -> Self {
        InstructionData { gate: i.gate().clone(), targets: i.targets().to_vec(), controls: i.controls().to_vec() }
    }
}

#[derive(Serialize, Deserialize)]
pub(crate) struct CircuitData {
    num_qubits: usize,
    instructions: Vec<Instruction>,
}

impl TryFrom<CircuitData> for Circuit {
    type Error = Error;
    fn try_from(d: CircuitData) -> Result<Self, Error> {
        let mut c = Circuit::new(d.num_qubits)?;
        for inst in d.instructions {
            c.push(inst)?;
        }
        Ok(c)
    }
}

impl From<Circuit> for CircuitData {
    fn from(c: Circuit) -> Self {
        CircuitData { num_qubits: c.num_qubits(), instructions: c.instructions().to_vec() }
    }
}

impl TryFrom<Vec<C>> for StateVector {
    type Error = Error;
    fn try_from(amps: Vec<C>) -> Result<Self, Error> {
        StateVector::from_amplitudes(amps)
    }
}

impl From<StateVector> for Vec<C> {
    fn from(s: StateVector) -> Self {
        s.into_amplitudes()
    }
}

#[derive(Serialize, Deserialize)]
pub(crate) struct PauliStringData {
    coeff: f64,
    ops: Vec<(usize, Pauli)>,
}

impl TryFrom<PauliStringData> for PauliString {
    type Error = Error;
    fn try_from(d: PauliStringData) -> Result<Self, Error> {
        PauliString::new(d.coeff, &d.ops)
    }
}

impl From<PauliString> for PauliStringData {
    fn from(p: PauliString) -> Self {
        PauliStringData { coeff: p.coeff(), ops: p.ops().to_vec() }
    }
}
