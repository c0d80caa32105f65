//! What a [`QuantumFunction`](super::QuantumFunction) reads from its final state, compiled once: the outputs'
//! Pauli terms as bit masks, grouped so that single-qubit Z terms, other diagonal terms and the rest each take
//! their fastest pass; and λ = Σ_i g_i O_i ψ, where the adjoint sweep starts.

use num_complex::Complex64 as C;

use crate::error::{Error, Result};
use crate::quantum::terms::PauliTerms;
use crate::quantum::Observable;

/// What a [`QuantumFunction`](super::QuantumFunction) reads from its final state.
///
/// # Example
///
/// ```
/// use qnet::prelude::*;
/// use qnet::grad::Outputs;
///
/// let z = Outputs::Observables((0..3).map(|q| PauliString::z(q).map(Observable::from)).collect::<qnet::Result<_>>()?);
/// assert_eq!(z.len(3), 3);
/// assert_eq!(Outputs::Probabilities.len(3), 8);
/// # Ok::<(), qnet::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Outputs {
    /// The expectations ⟨ψ|O_i|ψ⟩, one per observable.
    Observables(Vec<Observable>),
    /// The 2^n probabilities |ψ_k|² of the basis states, k in index order.
    Probabilities,
}

impl Outputs {
    /// The number of outputs on `num_qubits` qubits (for probabilities 2^n, saturating at `usize::MAX`).
    #[must_use]
    pub fn len(&self, num_qubits: usize) -> usize {
        match self {
            Outputs::Observables(o) => o.len(),
            Outputs::Probabilities if num_qubits >= usize::BITS as usize => usize::MAX,
            Outputs::Probabilities => 1usize << num_qubits,
        }
    }

    /// Whether there are no outputs (an empty list of observables).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        matches!(self, Outputs::Observables(o) if o.is_empty())
    }
}

/// The outputs with their observables compiled.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Readout {
    pub(crate) outputs: Outputs,
    terms: PauliTerms,
}

impl Readout {
    /// Compiles `outputs` for a register of `num_qubits` qubits.
    pub(crate) fn new(outputs: Outputs, num_qubits: usize) -> Result<Self> {
        let terms = match &outputs {
            Outputs::Observables(observables) if observables.is_empty() => {
                return Err(Error::DimensionMismatch { what: "observables", expected: 1, found: 0 });
            }
            Outputs::Observables(observables) => PauliTerms::new(observables, num_qubits)?,
            Outputs::Probabilities => PauliTerms::new(&[], num_qubits)?,
        };
        Ok(Readout { outputs, terms })
    }

    /// The outputs of the state `phi`, written into `out` (length m).
    pub(crate) fn values_of(&self, phi: &[C], out: &mut [f64]) {
        match self.outputs {
            Outputs::Probabilities => out.iter_mut().zip(phi).for_each(|(o, a)| *o = a.norm_sqr()),
            Outputs::Observables(_) => self.terms.expectations(phi, out),
        }
    }

    /// λ = Σ_i g_i O_i φ (for probabilities, λ_k = g_k φ_k), written into `lambda`; `coeffs` is scratch.
    pub(crate) fn lambda_of(&self, phi: &[C], upstream: &[f64], lambda: &mut [C], coeffs: &mut Vec<f64>) {
        match self.outputs {
            Outputs::Probabilities => lambda.iter_mut().zip(phi).zip(upstream).for_each(|((l, a), g)| *l = a * g),
            Outputs::Observables(_) => self.terms.apply_weighted(phi, upstream, lambda, coeffs),
        }
    }
}
