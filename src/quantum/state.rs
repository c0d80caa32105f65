//! The state vector: 2^n complex amplitudes, changed in place by gates.

use std::collections::BTreeMap;

use num_complex::Complex64 as C;
use rand::{Rng, RngExt};

use super::circuit::{Circuit, Instruction};
use super::engine::{Binding, Plan};
use super::gate::Gate;
use super::kernels;
use super::observable::{Observable, PauliString};
use super::op::{ONE, ZERO};
use super::terms::PauliTerms;
use crate::error::{Error, Result};

/// How far from 1 the norm of caller-supplied amplitudes may be.
pub const NORM_TOLERANCE: f64 = 1e-10;

/// The largest register a state vector may have (the index must fit a machine word with room for masks).
pub const MAX_QUBITS: usize = usize::BITS as usize - 2;

/// A pure state |ψ⟩ = Σ_i ψ_i |i⟩ of n qubits, stored as its 2^n amplitudes, qubit 0 the least significant bit
/// of the index i.
///
/// Gates and circuits change the state in place; nothing is allocated per gate.
///
/// # Example
///
/// ```
/// use qnet::prelude::*;
/// use rand::SeedableRng;
///
/// # fn main() -> qnet::Result<()> {
/// // GHZ on 3 qubits: (|000⟩ + |111⟩)/√2.
/// let mut ghz = Circuit::new(3)?;
/// ghz.h(0)?.cnot(0, 1)?.cnot(1, 2)?;
/// let mut state = StateVector::new(3)?;
/// state.run(&ghz, &[], &[])?;
/// let a = state.amplitudes();
/// assert!((a[0].re - std::f64::consts::FRAC_1_SQRT_2).abs() < 1e-12);
/// assert!((a[7].re - std::f64::consts::FRAC_1_SQRT_2).abs() < 1e-12);
///
/// // Sampling takes the caller's generator: seeded, it is reproducible.
/// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
/// let counts = state.sample(1000, &mut rng)?;
/// assert_eq!(counts.keys().copied().collect::<Vec<_>>(), vec![0, 7]);
/// assert_eq!(counts.values().sum::<usize>(), 1000);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "Vec<C>", into = "Vec<C>")
)]
pub struct StateVector {
    num_qubits: usize,
    amps: Vec<C>,
}

/// The bytes of 2^n amplitudes, saturating at `u128::MAX`.
fn state_bytes(num_qubits: usize) -> u128 {
    if num_qubits < 124 {
        16u128 << num_qubits
    } else {
        u128::MAX
    }
}

/// [`Error::TooManyQubits`] for a register above [`MAX_QUBITS`], before anything is sized by it.
pub(crate) fn check_max_qubits(num_qubits: usize) -> Result<()> {
    if num_qubits > MAX_QUBITS {
        return Err(Error::TooManyQubits { num_qubits, bytes: state_bytes(num_qubits) });
    }
    Ok(())
}

/// Buffers below this many bytes are not checked against the machine's available memory (small ones fit).
const CHECKED_BYTES: u128 = 64 << 20;

/// [`Error::TooManyQubits`] (its `bytes` those of all the states) when `states` states of `num_qubits` qubits
/// take more than the memory this process can take now (`MemAvailable`, capped by its cgroup's limit): Linux
/// would grant the allocation and kill the process when the pages are touched.
pub(crate) fn check_memory(num_qubits: usize, states: u32) -> Result<()> {
    check_max_qubits(num_qubits)?;
    let bytes = state_bytes(num_qubits).saturating_mul(u128::from(states));
    // Small buffers are not checked, and reading the memory figures (two or three files) costs more than
    // simulating a small circuit: they are read only for large ones.
    if bytes < CHECKED_BYTES {
        return Ok(());
    }
    match crate::bounded::available_memory() {
        Some(available) if bytes > available => Err(Error::TooManyQubits { num_qubits, bytes }),
        _ => Ok(()),
    }
}

/// Allocates 2^n amplitudes filled with zero, or says why it cannot.
fn zeroed(num_qubits: usize) -> Result<Vec<C>> {
    if num_qubits == 0 {
        return Err(Error::ZeroQubits);
    }
    check_memory(num_qubits, 1)?;
    kernels::zeroed_amplitudes(1usize << num_qubits)
        .ok_or(Error::TooManyQubits { num_qubits, bytes: state_bytes(num_qubits) })
}

/// Draws `shots` basis indices from |amps_i|² and calls `f(index, count)` for each index drawn, in index order:
/// the uniform draws are sorted and matched to the cumulative distribution in one pass over the amplitudes.
///
/// # Errors
/// [`Error::TooLarge`] when the `shots` draws cannot be allocated.
pub(crate) fn sample_counts<R: Rng + ?Sized>(
    amps: &[C],
    shots: usize,
    rng: &mut R,
    mut f: impl FnMut(usize, usize),
) -> Result<()> {
    let total = kernels::norm_sqr(amps);
    let mut draws: Vec<f64> = crate::bounded::with_capacity("measurement shots", shots)?;
    draws.extend((0..shots).map(|_| rng.random::<f64>() * total));
    draws.sort_unstable_by(f64::total_cmp);
    // Draws above the running sum (rounding) belong to the last outcome that can occur.
    let last = amps.iter().rposition(|a| a.norm_sqr() != 0.0).unwrap_or(0);
    let (mut next, mut cumulative) = (0, 0.0);
    for (i, a) in amps.iter().enumerate().take(last + 1) {
        cumulative += a.norm_sqr();
        let count = if i == last { shots - next } else { draws[next..].partition_point(|&u| u < cumulative) };
        if count > 0 {
            f(i, count);
            next += count;
        }
    }
    Ok(())
}

impl StateVector {
    /// |0…0⟩ on `num_qubits` qubits.
    ///
    /// # Errors
    /// [`Error::ZeroQubits`] for 0; [`Error::TooManyQubits`] when the 16·2^n bytes of amplitudes exceed the
    /// memory this process can take now (`MemAvailable` on Linux, capped by the cgroup's limit), or the
    /// allocator refuses them: an error before anything is touched, not an abort when the pages are.
    pub fn new(num_qubits: usize) -> Result<Self> {
        StateVector::basis(num_qubits, 0)
    }

    /// The basis state |index⟩.
    ///
    /// # Errors
    /// As [`StateVector::new`], and [`Error::InvalidBasisState`] when `index ≥ 2^n`.
    pub fn basis(num_qubits: usize, index: usize) -> Result<Self> {
        let mut amps = zeroed(num_qubits)?;
        let dim = amps.len();
        *amps.get_mut(index).ok_or(Error::InvalidBasisState { index, num_qubits, dim })? = ONE;
        Ok(StateVector { num_qubits, amps })
    }

    /// A state from its amplitudes, which must number 2^n (n ≥ 1) and have norm 1 within [`NORM_TOLERANCE`].
    ///
    /// # Errors
    /// [`Error::InvalidStateLength`] or [`Error::NotNormalized`] (also for NaN or infinite amplitudes).
    #[allow(clippy::neg_cmp_op_on_partial_ord)] // the negated test also rejects a NaN norm
    pub fn from_amplitudes(amps: Vec<C>) -> Result<Self> {
        let len = amps.len();
        if len < 2 || !len.is_power_of_two() {
            return Err(Error::InvalidStateLength { len });
        }
        let norm = kernels::norm_sqr(&amps).sqrt();
        if norm.is_nan() || (norm - 1.0).abs() > NORM_TOLERANCE {
            return Err(Error::NotNormalized { norm, tolerance: NORM_TOLERANCE });
        }
        Ok(StateVector { num_qubits: len.trailing_zeros() as usize, amps })
    }

    /// The number of qubits n.
    #[must_use]
    pub fn num_qubits(&self) -> usize {
        self.num_qubits
    }

    /// The number of amplitudes, 2^n.
    #[must_use]
    pub fn dim(&self) -> usize {
        self.amps.len()
    }

    /// The amplitudes ψ_i.
    #[must_use]
    pub fn amplitudes(&self) -> &[C] {
        &self.amps
    }

    /// The amplitudes, taking the state apart.
    #[must_use]
    pub fn into_amplitudes(self) -> Vec<C> {
        self.amps
    }

    /// Sets the state to |0…0⟩ without reallocating.
    pub fn reset(&mut self) {
        self.amps.fill(ZERO);
        self.amps[0] = ONE;
    }

    /// Copies another state of the same size into this one without reallocating.
    ///
    /// # Errors
    /// [`Error::QubitCountMismatch`] when the sizes differ.
    pub fn copy_from(&mut self, other: &StateVector) -> Result<()> {
        self.check_same(other.num_qubits)?;
        self.amps.copy_from_slice(&other.amps);
        Ok(())
    }

    /// The probabilities |ψ_i|² of every basis state.
    #[must_use]
    pub fn probabilities(&self) -> Vec<f64> {
        self.amps.iter().map(|a| a.norm_sqr()).collect()
    }

    /// The norm ‖ψ‖ = √(Σ|ψ_i|²), 1 up to rounding.
    #[must_use]
    pub fn norm(&self) -> f64 {
        kernels::norm_sqr(&self.amps).sqrt()
    }

    /// [`Error::QubitCountMismatch`] unless `num_qubits` is this state's.
    fn check_same(&self, num_qubits: usize) -> Result<()> {
        if self.num_qubits != num_qubits {
            return Err(Error::QubitCountMismatch { left: self.num_qubits, right: num_qubits });
        }
        Ok(())
    }

    /// The inner product ⟨self|other⟩ = Σ conj(a_i) b_i.
    ///
    /// # Errors
    /// [`Error::QubitCountMismatch`] when the sizes differ.
    pub fn inner(&self, other: &StateVector) -> Result<C> {
        self.check_same(other.num_qubits)?;
        Ok(kernels::inner(&self.amps, &other.amps))
    }

    /// The fidelity |⟨self|other⟩|², which ignores global phase.
    ///
    /// # Errors
    /// [`Error::QubitCountMismatch`] when the sizes differ.
    pub fn fidelity(&self, other: &StateVector) -> Result<f64> {
        Ok(self.inner(other)?.norm_sqr())
    }

    /// Applies `instruction` with the given weight and input vectors; `apply(&instruction.inverse(), …)` undoes
    /// it.
    ///
    /// # Errors
    /// [`Error::InvalidQubit`] when the instruction does not fit the register, [`Error::ParameterOutOfRange`]
    /// when an angle's index is beyond its vector, [`Error::NonFinite`] for a NaN or infinite value or angle.
    pub fn apply(&mut self, instruction: &Instruction, weights: &[f64], inputs: &[f64]) -> Result<()> {
        instruction.check_qubits(self.num_qubits)?;
        for p in instruction.gate().params().iter() {
            let angle = p.value(weights, inputs)?;
            if let Some((kind, index, _)) = p.source().filter(|_| !angle.is_finite()) {
                let value = if kind == crate::ParamKind::Weight { weights[index] } else { inputs[index] };
                let gate = instruction.gate().name();
                let overflow = Error::NonFinite { kind: crate::error::NonFiniteKind::Angle { gate }, value: angle };
                return Err(if value.is_finite() { overflow } else { Error::non_finite_parameter(kind, index, value) });
            }
        }
        let op = instruction.gate().lower(instruction.angles(weights, inputs));
        kernels::apply_op(&mut self.amps, &op, instruction.op_targets(), instruction.control_mask());
        Ok(())
    }

    /// Applies a gate with constant angles on `qubits` (the gate's own qubits, controls first).
    ///
    /// # Errors
    /// As [`Instruction::new`] and [`StateVector::apply`]; [`Error::UnboundParameter`] for a weight or input.
    pub fn apply_gate(&mut self, gate: &Gate, qubits: &[usize]) -> Result<()> {
        gate.params().iter().try_for_each(|p| p.constant().map(drop))?;
        self.apply(&Instruction::new(gate.clone(), qubits.to_vec(), Vec::new())?, &[], &[])
    }

    /// Runs every instruction of `circuit` in order, in place, through the engine: the circuit is compiled into
    /// a plan (one-qubit gates fused, runs on low qubits cache-blocked) and the plan is applied. To run one
    /// circuit many times, compile it once into a [`CompiledCircuit`](super::CompiledCircuit) and call
    /// [`run_compiled`](Self::run_compiled).
    ///
    /// # Errors
    /// [`Error::QubitCountMismatch`] when the circuit's register differs from the state's;
    /// [`Error::NoisyCircuit`] for a circuit with channels (run it on a
    /// [`DensityState`](super::mixed::DensityState)); the errors of [`Circuit::check_parameters`].
    pub fn run(&mut self, circuit: &Circuit, weights: &[f64], inputs: &[f64]) -> Result<()> {
        self.run_plan(circuit, &Plan::compile(circuit), weights, inputs)
    }

    /// Runs `plan`, compiled from `circuit`, in place.
    pub(crate) fn run_plan(&mut self, circuit: &Circuit, plan: &Plan, weights: &[f64], inputs: &[f64]) -> Result<()> {
        self.check_same(circuit.num_qubits())?;
        circuit.check_unitary("a state-vector run")?;
        circuit.check_parameters(weights, inputs)?;
        let mut scratch = Vec::new();
        plan.forward(&Binding::new(circuit, weights, inputs), &mut self.amps, &mut scratch, &mut []);
        Ok(())
    }

    /// ⟨ψ|P|ψ⟩ for a weighted Pauli string, without building its matrix.
    ///
    /// # Errors
    /// [`Error::InvalidQubit`] when the string acts on a qubit beyond the register.
    pub fn expectation_pauli(&self, term: &PauliString) -> Result<f64> {
        self.expectation(&term.clone().into())
    }

    /// ⟨ψ|O|ψ⟩ = Σ_k c_k ⟨ψ|P_k|ψ⟩, without building O's matrix.
    ///
    /// # Errors
    /// [`Error::InvalidQubit`] when a term acts on a qubit beyond the register.
    pub fn expectation(&self, observable: &Observable) -> Result<f64> {
        let mut value = [0.0];
        PauliTerms::new(std::slice::from_ref(observable), self.num_qubits)?.expectations(&self.amps, &mut value);
        Ok(value[0])
    }

    /// The state O|ψ⟩ (not normalized: O need not be unitary), written into `out` (resized to 2^n).
    ///
    /// # Errors
    /// [`Error::InvalidQubit`] when a term acts on a qubit beyond the register.
    pub fn apply_observable_into(&self, observable: &Observable, out: &mut Vec<C>) -> Result<()> {
        let terms = PauliTerms::new(std::slice::from_ref(observable), self.num_qubits)?;
        out.resize(self.amps.len(), ZERO);
        terms.apply_weighted(&self.amps, &[1.0], out, &mut Vec::new());
        Ok(())
    }

    /// Draws `shots` measurements of every qubit in the computational basis, returning how often each basis
    /// index occurred (indices never drawn are absent). The state is not changed.
    ///
    /// Memory is O(shots), not O(2^n): the uniform draws are sorted and matched to the cumulative
    /// distribution in one pass over the amplitudes, O(2^n + shots·log shots) in time.
    ///
    /// # Errors
    /// [`Error::TooLarge`] when the `shots` draws cannot be allocated.
    pub fn sample<R: Rng + ?Sized>(&self, shots: usize, rng: &mut R) -> Result<BTreeMap<usize, usize>> {
        let mut counts = BTreeMap::new();
        sample_counts(&self.amps, shots, rng, |i, count| {
            counts.insert(i, count);
        })?;
        Ok(counts)
    }

    /// The probability of measuring `qubit` as 1.
    ///
    /// # Errors
    /// [`Error::InvalidQubit`] when `qubit` is beyond the register.
    pub fn probability_one(&self, qubit: usize) -> Result<f64> {
        if qubit >= self.num_qubits {
            return Err(Error::InvalidQubit { qubit, num_qubits: self.num_qubits });
        }
        let bit = 1usize << qubit;
        Ok(kernels::chunked_sum(self.amps.len(), |r| {
            r.filter(|i| i & bit != 0).map(|i| self.amps[i].norm_sqr()).sum::<f64>()
        }))
    }

    /// Measures `qubit` in the computational basis: draws the outcome with the caller's generator, collapses
    /// the state onto it and renormalizes. Returns 0 or 1.
    ///
    /// # Errors
    /// [`Error::InvalidQubit`] when `qubit` is beyond the register.
    pub fn measure<R: Rng + ?Sized>(&mut self, qubit: usize, rng: &mut R) -> Result<u8> {
        let p1 = self.probability_one(qubit)?;
        let outcome = u8::from(rng.random::<f64>() < p1);
        self.collapse(qubit, outcome)?;
        Ok(outcome)
    }

    /// Projects `qubit` onto `outcome` (0 or 1) and renormalizes: a post-selected measurement.
    ///
    /// # Errors
    /// [`Error::InvalidQubit`], or [`Error::ImpossibleOutcome`] when the outcome has probability zero.
    pub fn collapse(&mut self, qubit: usize, outcome: u8) -> Result<()> {
        let p1 = self.probability_one(qubit)?;
        let p = if outcome == 1 { p1 } else { 1.0 - p1 };
        if p <= 0.0 {
            return Err(Error::ImpossibleOutcome { qubit, outcome });
        }
        let bit = 1usize << qubit;
        let keep = if outcome == 1 { bit } else { 0 };
        let factor = 1.0 / p.sqrt();
        for (i, a) in self.amps.iter_mut().enumerate() {
            *a = if i & bit == keep { *a * factor } else { ZERO };
        }
        Ok(())
    }
}

impl approx::AbsDiffEq for StateVector {
    type Epsilon = f64;
    fn default_epsilon() -> f64 {
        1e-12
    }
    fn abs_diff_eq(&self, other: &Self, epsilon: f64) -> bool {
        self.num_qubits == other.num_qubits && self.amps.iter().zip(&other.amps).all(|(a, b)| (a - b).norm() <= epsilon)
    }
}

impl approx::RelativeEq for StateVector {
    fn default_max_relative() -> f64 {
        1e-12
    }
    fn relative_eq(&self, other: &Self, epsilon: f64, max_relative: f64) -> bool {
        self.num_qubits == other.num_qubits
            && self.amps.iter().zip(&other.amps).all(|(a, b)| {
                let d = (a - b).norm();
                d <= epsilon || d <= max_relative * a.norm().max(b.norm())
            })
    }
}

#[cfg(test)]
mod memory_check_tests {
    use super::*;
    use crate::bounded::MEMORY_READS;

    fn reads() -> u64 {
        MEMORY_READS.with(std::cell::Cell::get)
    }

    #[test]
    fn small_states_read_no_memory_figures_and_large_ones_do() {
        let before = reads();
        check_memory(10, 3).unwrap();
        StateVector::new(12).unwrap();
        assert_eq!(reads(), before, "a small state reads no file");
        // 2^22 amplitudes, 64 MiB: checked against the machine (and fits on any machine that runs the tests).
        check_memory(22, 1).unwrap();
        assert_eq!(reads(), before + 1);
    }
}
