//! The hardware-efficient ansatz of variational eigensolvers.

use crate::error::{Error, Result};
use crate::quantum::{Circuit, Param};

/// The hardware-efficient ansatz on `num_qubits` qubits with `layers` entangling layers: RY(w)·RZ(w) on every
/// qubit, then CNOTs (0→1, 1→2, …, n−2→n−1), repeated `layers` times, and a final RY·RZ layer. Weights are
/// numbered in the order the gates are applied: 2n(layers + 1) of them.
///
/// # Errors
/// [`Error::ZeroQubits`] for no qubits.
///
/// # Example
///
/// ```
/// use qnet::prelude::*;
///
/// # fn main() -> qnet::Result<()> {
/// let c = physics::hardware_efficient_ansatz(3, 2)?;
/// assert_eq!(c.num_weights(), 2 * 3 * 3);
/// assert_eq!(c.gate_counts()["cx"], 2 * 2);
/// # Ok(())
/// # }
/// ```
pub fn hardware_efficient_ansatz(num_qubits: usize, layers: usize) -> Result<Circuit> {
    if num_qubits == 0 {
        return Err(Error::ZeroQubits);
    }
    let mut c = Circuit::new(num_qubits)?;
    let mut w = 0;
    for layer in 0..=layers {
        for q in 0..num_qubits {
            c.ry(q, Param::weight(w))?.rz(q, Param::weight(w + 1))?;
            w += 2;
        }
        if layer < layers {
            for q in 0..num_qubits.saturating_sub(1) {
                c.cnot(q, q + 1)?;
            }
        }
    }
    Ok(c)
}
