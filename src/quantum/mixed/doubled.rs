//! A circuit, with its channels and a noise model's, in its doubled form: the instructions of a 2n-qubit circuit that
//! the engine compiles and runs on a density state held as a vector.

use nalgebra::DMatrix;
use num_complex::Complex64 as C;

use super::channel::{mul4, superoperator};
use super::noise::NoiseModel;
use super::sequence::{Event, Sequence};
use super::superop::Sparse16;
use crate::error::Result;
use crate::quantum::{Circuit, Gate, Instruction, UnitaryMatrix};

/// One part of the doubled run.
pub(crate) enum Piece {
    /// Gates (U on the ket qubits, U* on the bra qubits) and one-qubit channels (4x4 superoperators on
    /// (q, q + n), written as two-qubit matrices that the plan applies with its dense kernel).
    Circuit(Circuit),
    /// A two-qubit channel's 16x16 superoperator on qubits (a, b).
    Channel2(Sparse16, [usize; 2]),
}

/// `inst` on the bra qubits: the conjugate gate, every qubit moved up by `n`.
fn conjugate(inst: &Instruction, n: usize) -> Result<Instruction> {
    let shift = |qs: &[usize]| qs.iter().map(|q| q + n).collect();
    Instruction::new(inst.gate().conjugate(), shift(inst.targets()), shift(inst.controls()))
}

/// The superoperator `s` on (q, q + n) as an instruction of the doubled circuit. It is not unitary: the
/// doubled circuit is the crate's own and only its plan reads it (as a dense or diagonal two-qubit op).
fn superop_instruction(s: &[[C; 4]; 4], q: usize, n: usize) -> Result<Instruction> {
    let m = DMatrix::from_fn(4, 4, |r, c| s[r][c]);
    Instruction::new(Gate::Unitary(UnitaryMatrix::from_trusted(m)), vec![q, q + n], Vec::new())
}

/// U ⊗ U* of a one-qubit U: the superoperator of ρ ↦ UρU† in the index r + 2c.
pub(crate) fn unitary_superoperator(u: &[[C; 2]; 2]) -> [[C; 4]; 4] {
    std::array::from_fn(|row| std::array::from_fn(|col| u[row & 1][col & 1] * u[row >> 1][col >> 1].conj()))
}

/// The doubled form of `circuit` with its own channels and those of `noise`, for the given weights and inputs
/// (checked).
///
/// Consecutive one-qubit operations on a qubit (with instructions on other qubits between them) are
/// multiplied into one 4x4 superoperator, placed before the next instruction that touches the qubit: the
/// channels, and when there are channels, the uncontrolled one-qubit gates too (bound to their angles), so
/// that a gate with its noise costs one pass over the state. Without channels, gates stay gates (U on the ket
/// qubit, U* on the bra qubit), which the plan fuses, blocks and tiles as it does for a state vector.
pub(crate) fn pieces(circuit: &Circuit, noise: &NoiseModel, weights: &[f64], inputs: &[f64]) -> Result<Vec<Piece>> {
    let run = Sequence::new(circuit, noise, weights, inputs)?;
    let superoperators: Vec<DMatrix<C>> = run.channels.iter().map(|c| superoperator(&c.kraus_operators())).collect();
    let fold_gates = !run.channels.is_empty();
    let n = circuit.num_qubits();
    let mut pieces = Vec::new();
    let mut current = Circuit::new(2 * n)?;
    let mut pending: Vec<Option<[[C; 4]; 4]>> = vec![None; n];
    let flush = |c: &mut Circuit, pending: &mut Vec<Option<[[C; 4]; 4]>>, q: usize| -> Result<()> {
        if let Some(s) = pending[q].take() {
            c.push(superop_instruction(&s, q, n)?)?;
        }
        Ok(())
    };
    for event in &run.events {
        match *event {
            Event::Gate(k) => {
                let inst = &circuit.instructions()[k];
                let targets = inst.op_targets();
                if fold_gates && targets.len() == 1 && inst.control_mask() == 0 {
                    let u = unitary_superoperator(&inst.gate().lower(inst.angles(weights, inputs)).matrix1());
                    let q = targets[0];
                    pending[q] = Some(pending[q].map_or(u, |p| mul4(&u, &p)));
                } else {
                    for q in inst.qubits() {
                        flush(&mut current, &mut pending, q)?;
                    }
                    current.push(inst.clone())?;
                    current.push(conjugate(inst, n)?)?;
                }
            }
            Event::Channel { id, ref qubits } => {
                let s = &superoperators[id];
                if let [q] = qubits[..] {
                    let s4: [[C; 4]; 4] = std::array::from_fn(|r| std::array::from_fn(|c| s[(r, c)]));
                    pending[q] = Some(pending[q].map_or(s4, |p| mul4(&s4, &p)));
                } else {
                    for &q in qubits {
                        flush(&mut current, &mut pending, q)?;
                    }
                    pieces.push(Piece::Circuit(std::mem::replace(&mut current, Circuit::new(2 * n)?)));
                    pieces.push(Piece::Channel2(Sparse16::new(s, 0.0), [qubits[0], qubits[1]]));
                }
            }
        }
    }
    for q in 0..n {
        flush(&mut current, &mut pending, q)?;
    }
    pieces.push(Piece::Circuit(current));
    Ok(pieces)
}
