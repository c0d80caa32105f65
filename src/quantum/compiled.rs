//! A circuit compiled once into the engine's plan, to be run many times.

use super::circuit::Circuit;
use super::engine::Plan;
use super::state::StateVector;
use crate::error::Result;

/// A circuit compiled once (gates fused, runs cache-blocked, permutation runs turned into affine passes) and run
/// many times by [`StateVector::run_compiled`], with any weights and inputs: what [`StateVector::run`] does on
/// every call, done once. The results are bit for bit those of `run`.
///
/// # Example
///
/// ```
/// use qnet::prelude::*;
/// use qnet::quantum::CompiledCircuit;
///
/// # fn main() -> qnet::Result<()> {
/// let mut c = Circuit::new(3)?;
/// c.ry(0, Param::weight(0))?.cnot(0, 1)?.cnot(1, 2)?;
/// let compiled = CompiledCircuit::new(c.clone());
/// let mut state = StateVector::new(3)?;
/// for theta in [0.1, 0.7, 2.0] {
///     state.reset();
///     state.run_compiled(&compiled, &[theta], &[])?;
///     // P(|111⟩) = sin²(θ/2).
///     assert!((state.probabilities()[7] - (theta / 2.0).sin().powi(2)).abs() < 1e-12);
///     let mut again = StateVector::new(3)?;
///     again.run(&c, &[theta], &[])?;
///     assert_eq!(again, state);
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct CompiledCircuit {
    circuit: Circuit,
    plan: Plan,
}

impl CompiledCircuit {
    /// Compiles `circuit`.
    #[must_use]
    pub fn new(circuit: Circuit) -> Self {
        let plan = Plan::compile(&circuit);
        CompiledCircuit { circuit, plan }
    }

    /// The circuit it was compiled from.
    #[must_use]
    pub fn circuit(&self) -> &Circuit {
        &self.circuit
    }

    /// The engine's plan.
    #[cfg(feature = "mpi")]
    pub(crate) fn plan(&self) -> &Plan {
        &self.plan
    }

    /// The number of qubits of its register.
    #[must_use]
    pub fn num_qubits(&self) -> usize {
        self.circuit.num_qubits()
    }
}

impl From<Circuit> for CompiledCircuit {
    fn from(circuit: Circuit) -> Self {
        CompiledCircuit::new(circuit)
    }
}

impl StateVector {
    /// Runs a compiled circuit in place: [`run`](Self::run) without compiling again.
    ///
    /// # Errors
    /// As [`run`](Self::run).
    pub fn run_compiled(&mut self, compiled: &CompiledCircuit, weights: &[f64], inputs: &[f64]) -> Result<()> {
        self.run_plan(&compiled.circuit, &compiled.plan, weights, inputs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plan_is_the_one_run_compiles() {
        let mut c = Circuit::new(15).unwrap();
        for q in 0..14 {
            c.cnot(q, q + 1).unwrap().rx(q, 0.1).unwrap();
        }
        assert_eq!(CompiledCircuit::from(c.clone()).plan, Plan::compile(&c));
    }
}
