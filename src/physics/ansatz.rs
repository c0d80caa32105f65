//! The hardware-efficient ansatz of variational eigensolvers.

use crate::error::{Error, Result};
use crate::quantum::{Circuit, Param};

/// The most gates [`hardware_efficient_ansatz`] builds, so that a mistyped size is an error and not a runaway
/// allocation.
pub const MAX_ANSATZ_GATES: usize = 1 << 20;

/// The hardware-efficient ansatz on `num_qubits` qubits with `layers` entangling layers: RY(w)·RZ(w) on every
/// qubit, then CNOTs (0→1, 1→2, …, n−2→n−1), repeated `layers` times, and a final RY·RZ layer. Weights are
/// numbered in the order the gates are applied: 2n(layers + 1) of them.
///
/// # Errors
/// [`Error::ZeroQubits`] for no qubits; [`Error::TooManyQubits`] above
/// [`MAX_QUBITS`](crate::quantum::MAX_QUBITS); [`Error::InvalidHyperParameter`] for more than
/// [`MAX_ANSATZ_GATES`] gates, 2n(layers + 1) rotations and (n − 1)·layers CNOTs.
///
/// # Example
///
/// ```
/// use qnet::physics;
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
    crate::quantum::state::check_max_qubits(num_qubits)?;
    let rotations = layers.checked_add(1).and_then(|blocks| blocks.checked_mul(2 * num_qubits));
    let gates = rotations.and_then(|r| r.checked_add(layers.checked_mul(num_qubits - 1)?));
    if gates.is_none_or(|g| g > MAX_ANSATZ_GATES) {
        return Err(Error::hyper_parameter(
            "layers",
            layers,
            "the ansatz would hold more than MAX_ANSATZ_GATES (2^20) gates",
        ));
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
