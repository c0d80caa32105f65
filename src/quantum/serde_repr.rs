//! Serialized forms that are checked again when read: a file cannot smuggle in a repeated qubit, an
//! out-of-range index, a non-normalized state or a non-finite coefficient. Writing derives from the types'
//! own fields (a circuit's parameter counts skipped), under these forms' names, so what is written is what
//! these forms read.

#![cfg(feature = "serde")]

use num_complex::Complex64 as C;
use serde::Deserialize;

use super::circuit::{Circuit, Instruction};
use super::gate::Gate;
use super::mixed::ChannelInstruction;
use super::observable::{Pauli, PauliString};
use super::state::StateVector;
use crate::error::Error;

#[derive(Deserialize)]
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

#[derive(Deserialize)]
pub(crate) struct CircuitData {
    num_qubits: usize,
    instructions: Vec<Instruction>,
    #[serde(default)]
    channels: Vec<ChannelInstruction>,
}

impl TryFrom<CircuitData> for Circuit {
    type Error = Error;
    fn try_from(d: CircuitData) -> Result<Self, Error> {
        let mut c = Circuit::new(d.num_qubits)?;
        let wanted: Vec<usize> = d.channels.iter().map(ChannelInstruction::position).collect();
        let mut channels = d.channels.into_iter().peekable();
        for inst in d.instructions {
            while let Some(ch) = channels.next_if(|ch| ch.position() <= c.len()) {
                c.push_channel(ch)?;
            }
            c.push(inst)?;
        }
        for ch in channels {
            c.push_channel(ch)?;
        }
        // Positions are the circuit's own count: a file that lists them out of order or past the last gate
        // is corrupt, not silently moved.
        let placed = c.channels().iter().map(ChannelInstruction::position);
        if let Some((i, (p, w))) = placed.zip(&wanted).enumerate().find(|(_, (p, w))| p != *w) {
            let reason = format!("channel {i} claims position {w}, but it follows {p} gates");
            return Err(Error::CorruptData { what: "circuit", reason });
        }
        Ok(c)
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

#[derive(Deserialize)]
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
