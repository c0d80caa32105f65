//! A [`QuantumFunction`] evaluated and differentiated on a [`DistributedState`] (feature `mpi`): the same
//! plan run over the ranks of an MPI job, the adjoint sweep on φ and λ distributed alike.

use nalgebra::DMatrix;

use super::function::{Jacobian, QuantumFunction, Vjp};
use super::readout::Outputs;
use crate::error::Result;
use crate::quantum::distributed::Cotangent;
use crate::quantum::DistributedState;

impl QuantumFunction {
    /// f(w, x) on a distributed state: the circuit run from |0…0⟩ over the ranks of `state` (its amplitudes
    /// are replaced), then each output read as [`DistributedState::expectation`] or
    /// [`DistributedState::probabilities`] reads it; the same values on every rank, within 1e-12 of
    /// [`evaluate`](Self::evaluate).
    ///
    /// # Errors
    /// On every rank: the errors of [`DistributedState::run`] (ranks passing different weights or inputs, a
    /// state of another size, too few parameters) and of [`DistributedState::expectation`] or
    /// [`DistributedState::probabilities`]; [`Error::NoisyCircuit`](crate::Error::NoisyCircuit) for a noisy function (channels in its
    /// circuit or a noise model: a distributed state is pure).
    ///
    /// # Example
    ///
    /// Under `mpirun -np 2` (or as one process, as here):
    ///
    /// ```
    /// use qnet::prelude::*;
    /// use qnet::grad::{Outputs, QuantumFunction};
    /// use qnet::quantum::DistributedState;
    ///
    /// # fn main() -> qnet::Result<()> {
    /// let universe = mpi::initialize().expect("MPI initializes once");
    /// let mut c = Circuit::new(6)?;
    /// c.rx(5, Param::weight(0))?.cnot(5, 0)?;
    /// let f = QuantumFunction::new(c, Outputs::Observables(vec![Observable::sum_z(6)?]))?;
    /// let mut state = DistributedState::new(6, &universe.world())?;
    /// let values = f.evaluate_distributed(&mut state, &[0.3], &[])?;
    /// assert!((values[0] - f.evaluate(&[0.3], &[])?[0]).abs() < 1e-12);
    /// # Ok(())
    /// # }
    /// ```
    pub fn evaluate_distributed(
        &self,
        state: &mut DistributedState,
        weights: &[f64],
        inputs: &[f64],
    ) -> Result<Vec<f64>> {
        self.check_noiseless("a distributed run")?;
        state.run_from_zero(&self.circuit, &self.plan, weights, inputs)?;
        self.distributed_values(state)
    }

    /// The outputs of the state `state` holds.
    fn distributed_values(&self, state: &mut DistributedState) -> Result<Vec<f64>> {
        match &self.readout.outputs {
            Outputs::Observables(observables) => observables.iter().map(|o| state.expectation(o)).collect(),
            Outputs::Probabilities => state.probabilities(),
        }
    }

    /// The values and the vector-Jacobian products gᵀ∂f/∂w and gᵀ∂f/∂x on a distributed state, by the adjoint
    /// method: one forward run over the ranks, the outputs read, then one backward sweep from
    /// λ = Σ_i g_i O_i ψ (λ_k = g_k ψ_k for probabilities) on φ and λ distributed alike
    /// ([`DistributedState::gradient`] says what moves). The same numbers on every rank, within 1e-12 of
    /// [`vjp`](Self::vjp) with [`DiffMethod::Adjoint`](super::DiffMethod::Adjoint). The state is left as the
    /// sweep leaves it.
    ///
    /// # Errors
    /// On every rank: as [`evaluate_distributed`](Self::evaluate_distributed); [`Error::RankDisagreement`]
    /// when the ranks pass different upstream gradients, [`Error::DimensionMismatch`] when `upstream` is not of
    /// length m, [`Error::NonFinite`] for a NaN or ±∞ in it; [`Error::RankOutOfMemory`] when a rank cannot
    /// allocate λ.
    ///
    /// [`Error::RankDisagreement`]: crate::Error::RankDisagreement
    /// [`Error::DimensionMismatch`]: crate::Error::DimensionMismatch
    /// [`Error::RankOutOfMemory`]: crate::Error::RankOutOfMemory
    /// [`Error::NonFinite`]: crate::Error::NonFinite
    ///
    /// # Example
    ///
    /// Under `mpirun -np 2` (or as one process, as here):
    ///
    /// ```
    /// use qnet::prelude::*;
    /// use qnet::grad::{DiffMethod, Outputs, QuantumFunction};
    /// use qnet::quantum::DistributedState;
    ///
    /// # fn main() -> qnet::Result<()> {
    /// let universe = mpi::initialize().expect("MPI initializes once");
    /// let mut c = Circuit::new(6)?;
    /// c.rx(5, Param::weight(0))?.ry(1, Param::input(0))?.cnot(5, 1)?;
    /// let outputs = vec![Observable::from(PauliString::parse("XIIIZI")?), Observable::sum_z(6)?];
    /// let f = QuantumFunction::new(c, Outputs::Observables(outputs))?;
    /// let mut state = DistributedState::new(6, &universe.world())?;
    /// let g = [0.5, -1.0];
    /// let d = f.vjp_distributed(&mut state, &[0.3], &[0.7], &g)?;
    /// let s = f.vjp(DiffMethod::Adjoint, &[0.3], &[0.7], &g)?;
    /// assert!((d.weights[0] - s.weights[0]).abs() < 1e-12);
    /// assert!((d.inputs[0] - s.inputs[0]).abs() < 1e-12);
    /// # Ok(())
    /// # }
    /// ```
    pub fn vjp_distributed(
        &self,
        state: &mut DistributedState,
        weights: &[f64],
        inputs: &[f64],
        upstream: &[f64],
    ) -> Result<Vjp> {
        self.check_noiseless("a distributed run")?;
        let cotangent = match &self.readout.outputs {
            Outputs::Observables(observables) => Cotangent::Observables { observables, upstream },
            Outputs::Probabilities => Cotangent::Probabilities(upstream),
        };
        // Agreement on g first (a collective), then its length, alike on every rank.
        state.check_cotangent(cotangent)?;
        state.run_from_zero(&self.circuit, &self.plan, weights, inputs)?;
        let values = self.distributed_values(state)?;
        let g = state.adjoint(&self.circuit, &self.plan, cotangent, weights, inputs)?;
        Ok(Vjp { values, weights: g.weights, inputs: g.inputs })
    }

    /// The values and the Jacobians ∂f_i/∂w_j and ∂f_i/∂x_j on a distributed state by the adjoint method: one
    /// [`vjp_distributed`](Self::vjp_distributed) per output (a forward run and a backward sweep each, as no
    /// copy of ψ is kept), the same numbers on every rank.
    ///
    /// # Errors
    /// As [`vjp_distributed`](Self::vjp_distributed).
    ///
    /// # Example
    ///
    /// ```
    /// use qnet::prelude::*;
    /// use qnet::grad::{DiffMethod, Outputs, QuantumFunction};
    /// use qnet::quantum::DistributedState;
    ///
    /// # fn main() -> qnet::Result<()> {
    /// let universe = mpi::initialize().expect("MPI initializes once");
    /// let mut c = Circuit::new(5)?;
    /// c.ry(4, Param::weight(0))?.crx(4, 0, Param::weight(1))?;
    /// let outputs = (0..5).map(|q| PauliString::z(q).map(Observable::from)).collect::<qnet::Result<_>>()?;
    /// let f = QuantumFunction::new(c, Outputs::Observables(outputs))?;
    /// let mut state = DistributedState::new(5, &universe.world())?;
    /// let d = f.jacobian_distributed(&mut state, &[0.3, 0.8], &[])?;
    /// let s = f.jacobian(DiffMethod::Adjoint, &[0.3, 0.8], &[])?;
    /// assert!((d.weights - s.weights).amax() < 1e-12);
    /// # Ok(())
    /// # }
    /// ```
    pub fn jacobian_distributed(
        &self,
        state: &mut DistributedState,
        weights: &[f64],
        inputs: &[f64],
    ) -> Result<Jacobian> {
        let m = self.num_outputs();
        let mut j = Jacobian {
            values: Vec::new(),
            weights: DMatrix::zeros(m, weights.len()),
            inputs: DMatrix::zeros(m, inputs.len()),
        };
        let mut upstream = vec![0.0; m];
        for i in 0..m {
            upstream[i] = 1.0;
            let v = self.vjp_distributed(state, weights, inputs, &upstream)?;
            upstream[i] = 0.0;
            j.weights.row_mut(i).copy_from_slice(&v.weights);
            j.inputs.row_mut(i).copy_from_slice(&v.inputs);
            j.values = v.values;
        }
        Ok(j)
    }
}
