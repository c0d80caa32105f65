//! The density state: ρ of n qubits held as a vector of 4^n amplitudes over 2n qubits (ket qubit q, bra qubit
//! q + n), evolved by the engine's plans and kernels.

use std::collections::BTreeMap;

use nalgebra::DMatrix;
use num_complex::Complex64 as C;
use rand::{Rng, RngExt};

use super::channel::Channel;
use super::doubled::{self, Piece};
use super::noise::NoiseModel;
use super::superop::{self, Sparse16};
use crate::error::{Error, Result};
use crate::quantum::engine::{Binding, Plan};
use crate::quantum::kernels;
use crate::quantum::op::{ONE, ZERO};
use crate::quantum::state::{check_memory, MAX_QUBITS};
use crate::quantum::{Circuit, Observable, StateVector};

/// A mixed state ρ of n qubits, held as the vector of its 4^n entries ρ\[r\]\[c\] at index r + 2^n·c: a
/// state of 2n qubits whose qubit q is ket qubit q and qubit q + n bra qubit q.
///
/// A unitary U acts as U on qubit q and U* on qubit q + n (vec(UρU†) = (U* ⊗ U) vec(ρ)), so a circuit runs
/// through the engine's compiled plan of its doubled form (fused, cache-blocked, tiled, on the SIMD kernels and
/// threads of [`StateVector`]); a one-qubit [`Channel`] is its 4x4 superoperator on qubits (q, q + n), applied
/// by the dense two-qubit kernel. Memory: 16·4^n bytes (12 qubits: 256 MiB, 14: 4 GiB).
///
/// Not to be confused with [`DensityMatrix`](crate::info::DensityMatrix), the checked dense matrix of `info`
/// with entropies and partial traces: `DensityMatrix::try_from(&density_state)` converts.
///
/// # Example
///
/// ```
/// use approx::assert_relative_eq;
/// use qnet::quantum::mixed::{Channel, DensityState};
/// use qnet::prelude::*;
///
/// # fn main() -> qnet::Result<()> {
/// // A Bell pair whose first qubit depolarizes: ⟨Z₀Z₁⟩ shrinks by 1 − 4p/3, the purity drops below 1.
/// let mut bell = Circuit::new(2)?;
/// bell.h(0)?.cnot(0, 1)?;
/// let mut rho = DensityState::new(2)?;
/// rho.run(&bell, &[], &[])?;
/// rho.apply_channel(&Channel::depolarizing(0.3)?, &[0])?;
/// let zz = Observable::from(PauliString::parse("ZZ")?);
/// assert_relative_eq!(rho.expectation(&zz)?, 1.0 - 4.0 * 0.3 / 3.0, epsilon = 1e-14);
/// assert_relative_eq!(rho.trace(), 1.0, epsilon = 1e-14);
/// assert!(rho.purity() < 1.0);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct DensityState {
    num_qubits: usize,
    vec: Vec<C>,
}

/// The bytes of the 4^n entries of an n-qubit density state, saturating.
fn density_bytes(num_qubits: usize) -> u128 {
    if num_qubits < 62 {
        16u128 << (2 * num_qubits)
    } else {
        u128::MAX
    }
}

impl DensityState {
    /// |0…0⟩⟨0…0| on `num_qubits` qubits.
    ///
    /// # Errors
    /// [`Error::ZeroQubits`] for 0; [`Error::TooManyQubits`] (with the n asked for and the 16·4^n bytes) when
    /// the entries exceed the memory this process can take now, or 2n qubits exceed [`MAX_QUBITS`]: an error
    /// before anything is allocated.
    pub fn new(num_qubits: usize) -> Result<Self> {
        if num_qubits == 0 {
            return Err(Error::ZeroQubits);
        }
        let too_many = Error::TooManyQubits { num_qubits, bytes: density_bytes(num_qubits) };
        if num_qubits > MAX_QUBITS / 2 {
            return Err(too_many);
        }
        check_memory(2 * num_qubits, 1).map_err(|_| too_many.clone())?;
        let mut vec = kernels::zeroed_amplitudes(1usize << (2 * num_qubits)).ok_or(too_many)?;
        vec[0] = ONE;
        Ok(DensityState { num_qubits, vec })
    }

    /// The pure state ρ = |ψ⟩⟨ψ|.
    ///
    /// # Errors
    /// As [`DensityState::new`] for the state's size.
    pub fn from_pure(state: &StateVector) -> Result<Self> {
        let mut rho = DensityState::new(state.num_qubits())?;
        let psi = state.amplitudes();
        for (c, pc) in psi.iter().enumerate() {
            let row = &mut rho.vec[c * psi.len()..(c + 1) * psi.len()];
            for (e, pr) in row.iter_mut().zip(psi) {
                *e = pr * pc.conj();
            }
        }
        Ok(rho)
    }

    /// The entries, taken out of the state.
    pub(crate) fn into_entries(self) -> Vec<C> {
        self.vec
    }

    /// A state from its entries (4^n of them, made by the crate).
    pub(crate) fn from_entries_unchecked(num_qubits: usize, vec: Vec<C>) -> Self {
        DensityState { num_qubits, vec }
    }

    /// A state from its 2^n × 2^n matrix, already checked to be a density matrix (by `info`).
    pub(crate) fn from_matrix_unchecked(matrix: &DMatrix<C>) -> Result<Self> {
        let mut rho = DensityState::new(matrix.nrows().trailing_zeros() as usize)?;
        // Column-major storage is the vector's order: ρ[r][c] at r + d·c.
        rho.vec.copy_from_slice(matrix.as_slice());
        Ok(rho)
    }

    /// The number of qubits n.
    #[must_use]
    pub fn num_qubits(&self) -> usize {
        self.num_qubits
    }

    /// The side of the matrix, 2^n.
    #[must_use]
    pub fn dim(&self) -> usize {
        1 << self.num_qubits
    }

    /// The entries ρ\[r\]\[c\] at index r + 2^n·c (the column-major order of the matrix).
    #[must_use]
    pub fn entries(&self) -> &[C] {
        &self.vec
    }

    /// The 2^n × 2^n matrix ρ.
    #[must_use]
    pub fn matrix(&self) -> DMatrix<C> {
        DMatrix::from_column_slice(self.dim(), self.dim(), &self.vec)
    }

    /// [`Error::QubitCountMismatch`] unless `num_qubits` is this state's.
    fn check_same(&self, num_qubits: usize) -> Result<()> {
        if self.num_qubits != num_qubits {
            return Err(Error::QubitCountMismatch { left: self.num_qubits, right: num_qubits });
        }
        Ok(())
    }

    /// ρ ← UρU† for the unitary U of `circuit`, in place, through the compiled plan of the circuit's doubled
    /// form (U on the ket qubits, U* on the bra qubits); the circuit's own channels
    /// ([`Circuit::channels`]) act where they were added.
    ///
    /// # Errors
    /// [`Error::QubitCountMismatch`] when the circuit's register differs from the state's, and the errors of
    /// [`Circuit::check_parameters`]; [`Error::InvalidChannelParameter`] when a channel strength that is a weight
    /// or input is out of range.
    pub fn run(&mut self, circuit: &Circuit, weights: &[f64], inputs: &[f64]) -> Result<()> {
        self.run_noisy(circuit, &NoiseModel::new(), weights, inputs)
    }

    /// Runs `circuit` with the channels `noise` places after its gates (its readout errors apply to
    /// probabilities and samples, not here): consecutive one-qubit channels on a qubit are fused into one
    /// superoperator, and the gates and one-qubit channels run as one compiled plan of the doubled circuit.
    ///
    /// Before each gate the circuit's own channels placed there act, then the gate, then the model's channels
    /// after it.
    ///
    /// # Errors
    /// As [`DensityState::run`]; [`Error::GateArity`] when a two-qubit channel of the model follows a gate
    /// that does not act on two qubits; [`Error::InvalidChannelParameter`] when a channel strength that is a
    /// weight or input is out of range.
    pub fn run_noisy(&mut self, circuit: &Circuit, noise: &NoiseModel, weights: &[f64], inputs: &[f64]) -> Result<()> {
        self.check_same(circuit.num_qubits())?;
        circuit.check_parameters(weights, inputs)?;
        let mut scratch = Vec::new();
        for piece in doubled::pieces(circuit, noise, weights, inputs)? {
            match piece {
                Piece::Circuit(c) => {
                    let plan = Plan::compile(&c);
                    plan.forward(&Binding::new(&c, weights, inputs), &mut self.vec, &mut scratch, &mut []);
                }
                Piece::Channel2(s, [a, b]) => {
                    superop::apply16(&mut self.vec, &s, superop::pair_bits([a, b], self.num_qubits))
                }
            }
        }
        Ok(())
    }

    /// ρ ← E(ρ) for `channel` on `qubits` (one or two, as the channel needs).
    ///
    /// # Errors
    /// [`Error::GateArity`] when the number of qubits is not the channel's, [`Error::InvalidQubit`] or
    /// [`Error::DuplicateQubit`] for a bad placement.
    pub fn apply_channel(&mut self, channel: &Channel, qubits: &[usize]) -> Result<()> {
        let spec = channel.spec();
        check_placement(spec.name, spec.qubits, qubits, self.num_qubits)?;
        let s = super::channel::superoperator(&spec.kraus);
        if let [q] = *qubits {
            let m: [[C; 4]; 4] = std::array::from_fn(|r| std::array::from_fn(|c| s[(r, c)]));
            kernels::apply_op(&mut self.vec, &superop::op4(&m), &[q, q + self.num_qubits], 0);
        } else {
            superop::apply16(
                &mut self.vec,
                &Sparse16::new(&s, 0.0),
                superop::pair_bits([qubits[0], qubits[1]], self.num_qubits),
            );
        }
        Ok(())
    }

    /// The diagonal entry ρ\[j\]\[j\] (its real part).
    #[inline]
    fn diagonal(&self, j: usize) -> f64 {
        self.vec[j + (j << self.num_qubits)].re
    }

    /// The trace Tr ρ, 1 up to rounding for a state made by unitaries and channels.
    #[must_use]
    pub fn trace(&self) -> f64 {
        kernels::chunked_sum(self.dim(), |r| r.map(|j| self.diagonal(j)).sum::<f64>())
    }

    /// The purity Tr ρ² = Σ_rc |ρ\[r\]\[c\]|² (ρ Hermitian): 1 for a pure state, 1/2^n for the maximally mixed one.
    #[must_use]
    pub fn purity(&self) -> f64 {
        kernels::norm_sqr(&self.vec)
    }

    /// Tr(Oρ) = Σ_k c_k Tr(P_k ρ) for a Pauli sum O, without building O: Tr(Pρ) = Σ_j c_P(j) ρ\[j\]\[j ⊕ x\]
    /// for P|j⟩ = c_P(j)|j ⊕ x⟩, a pass over 2^n entries per term.
    ///
    /// # Errors
    /// [`Error::InvalidQubit`] when a term acts on a qubit beyond the register.
    pub fn expectation(&self, observable: &Observable) -> Result<f64> {
        observable.check_fits(self.num_qubits)?;
        let n = self.num_qubits;
        let mut total = 0.0;
        for term in observable.terms() {
            let (flip, phase, num_y) = term.masks();
            let sum = kernels::chunked_sum(self.dim(), |r| {
                let mut acc = ZERO;
                for j in r {
                    let e = self.vec[j + ((j ^ flip) << n)];
                    if (j & phase).count_ones() & 1 == 1 {
                        acc -= e;
                    } else {
                        acc += e;
                    }
                }
                acc
            });
            total += term.coeff() * (sum * kernels::i_pow(num_y)).re;
        }
        Ok(total)
    }

    /// The probabilities ρ\[j\]\[j\] of every basis state j.
    #[must_use]
    pub fn probabilities(&self) -> Vec<f64> {
        (0..self.dim()).map(|j| self.diagonal(j)).collect()
    }

    /// The marginal distribution of `qubits`: entry k is the probability that qubit `qubits[i]` reads bit i of
    /// k, for every i.
    ///
    /// # Errors
    /// [`Error::InvalidQubit`] or [`Error::DuplicateQubit`].
    pub fn marginal(&self, qubits: &[usize]) -> Result<Vec<f64>> {
        if let Some(&qubit) = qubits.iter().find(|&&q| q >= self.num_qubits) {
            return Err(Error::InvalidQubit { qubit, num_qubits: self.num_qubits });
        }
        if let Some(i) = crate::bounded::first_repeat(qubits) {
            return Err(Error::DuplicateQubit { qubit: qubits[i] });
        }
        let mut out = vec![0.0; 1 << qubits.len()];
        for j in 0..self.dim() {
            let k = qubits.iter().enumerate().fold(0, |k, (i, &q)| k | ((j >> q) & 1) << i);
            out[k] += self.diagonal(j);
        }
        Ok(out)
    }

    /// Draws `shots` measurements of every qubit in the computational basis with the caller's generator,
    /// returning how often each basis index occurred (indices never drawn are absent). The state is not
    /// changed. The uniform draws are sorted and matched to the cumulative distribution in one pass.
    ///
    /// # Errors
    /// [`Error::TooLarge`] when the `shots` draws cannot be allocated.
    pub fn sample<R: Rng + ?Sized>(&self, shots: usize, rng: &mut R) -> Result<BTreeMap<usize, usize>> {
        sample_probabilities(&self.probabilities(), shots, rng)
    }
}

/// Draws `shots` indices from the distribution `probs` (normalised by its sum; negative rounding counts as 0).
pub(crate) fn sample_probabilities<R: Rng + ?Sized>(
    probs: &[f64],
    shots: usize,
    rng: &mut R,
) -> Result<BTreeMap<usize, usize>> {
    let total: f64 = probs.iter().map(|p| p.max(0.0)).sum();
    let mut draws: Vec<f64> = crate::bounded::with_capacity("measurement shots", shots)?;
    draws.extend((0..shots).map(|_| rng.random::<f64>() * total));
    draws.sort_unstable_by(f64::total_cmp);
    let last = probs.iter().rposition(|&p| p > 0.0).unwrap_or(0);
    let (mut counts, mut next, mut cumulative) = (BTreeMap::new(), 0, 0.0);
    for (i, p) in probs.iter().enumerate().take(last + 1) {
        cumulative += p.max(0.0);
        let count = if i == last { shots - next } else { draws[next..].partition_point(|&u| u < cumulative) };
        if count > 0 {
            counts.insert(i, count);
            next += count;
        }
    }
    Ok(counts)
}

/// Checks a channel's placement: its arity, qubits in range, no repeat.
pub(crate) fn check_placement(name: &'static str, arity: usize, qubits: &[usize], num_qubits: usize) -> Result<()> {
    if qubits.len() != arity {
        return Err(Error::GateArity { gate: name, expected: arity, found: qubits.len() });
    }
    if let Some(&qubit) = qubits.iter().find(|&&q| q >= num_qubits) {
        return Err(Error::InvalidQubit { qubit, num_qubits });
    }
    if let Some(i) = crate::bounded::first_repeat(qubits) {
        return Err(Error::DuplicateQubit { qubit: qubits[i] });
    }
    Ok(())
}
