//! Noise models: channels placed after the gates of any circuit, and readout errors on measurement.

use std::collections::BTreeMap;

use rand::{Rng, RngExt};

use super::channel::Channel;
use super::readout::ReadoutError;
use crate::error::{Error, Result};
use crate::quantum::Instruction;

/// Which gates a rule follows and on which qubits its channel acts.
#[derive(Debug, Clone, PartialEq)]
struct Rule {
    /// The gate's name ([`Gate::name`](crate::quantum::Gate::name)), or every gate.
    gate: Option<String>,
    /// The qubits the rule is restricted to, or all.
    qubits: Option<Vec<usize>>,
    channel: Channel,
}

/// A noise model: channels after gates (of a kind, or all; on every qubit, or on given ones), as Aer's
/// `NoiseModel.add_all_qubit_quantum_error` and PennyLane's `NoiseModel` place them, plus readout errors per
/// qubit. It applies to any circuit ([`DensityState::run_noisy`](super::DensityState::run_noisy)).
///
/// After each instruction, the rules are taken in the order they were added: a one-qubit channel acts on each
/// qubit the instruction touches (controls included) that the rule allows, in the instruction's order; a
/// two-qubit channel acts on the instruction's two qubits (an instruction on another number of qubits that a
/// two-qubit rule matches is an error when the circuit runs).
///
/// # Example
///
/// ```
/// use qnet::quantum::mixed::{Channel, DensityState, NoiseModel, ReadoutError};
/// use qnet::prelude::*;
///
/// # fn main() -> qnet::Result<()> {
/// let mut noise = NoiseModel::new();
/// noise
///     .after_gate("h", Channel::depolarizing(0.01)?)
///     .after_gate("cx", Channel::depolarizing2(0.02)?)
///     .readout(1, ReadoutError::new(0.02, 0.05)?);
/// let mut bell = Circuit::new(2)?;
/// bell.h(0)?.cnot(0, 1)?;
/// let mut rho = DensityState::new(2)?;
/// rho.run_noisy(&bell, &noise, &[], &[])?;
/// let mut p = rho.probabilities();
/// noise.apply_readout(&mut p)?;
/// assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-12);
/// assert!(p[1] > 0.0 && p[2] > 0.0); // outcomes a noiseless Bell pair never gives
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NoiseModel {
    rules: Vec<Rule>,
    readout: BTreeMap<usize, ReadoutError>,
}

impl NoiseModel {
    /// A model without noise.
    #[must_use]
    pub fn new() -> Self {
        NoiseModel::default()
    }

    /// Adds `channel` after every gate named `gate` ([`Gate::name`](crate::quantum::Gate::name): `"rx"`,
    /// `"cx"`, ...).
    pub fn after_gate(&mut self, gate: &str, channel: Channel) -> &mut Self {
        self.rules.push(Rule { gate: Some(gate.to_owned()), qubits: None, channel });
        self
    }

    /// Adds `channel` after every gate.
    pub fn after_all_gates(&mut self, channel: Channel) -> &mut Self {
        self.rules.push(Rule { gate: None, qubits: None, channel });
        self
    }

    /// Adds `channel` after every gate named `gate` (or every gate, for `None`) on the qubits in `qubits` only
    /// (a two-qubit channel: when both of the gate's qubits are among them).
    pub fn on_qubits(&mut self, gate: Option<&str>, qubits: &[usize], channel: Channel) -> &mut Self {
        self.rules.push(Rule { gate: gate.map(str::to_owned), qubits: Some(qubits.to_vec()), channel });
        self
    }

    /// Sets the readout error of `qubit`.
    pub fn readout(&mut self, qubit: usize, error: ReadoutError) -> &mut Self {
        self.readout.insert(qubit, error);
        self
    }

    /// Whether the model has neither channels nor readout errors.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty() && self.readout.is_empty()
    }

    /// [`Error::InvalidQubit`] when a rule or a readout error names a qubit beyond a register of `num_qubits`
    /// qubits (checked when a model is attached to a function, before any run).
    pub(crate) fn check_fits(&self, num_qubits: usize) -> Result<()> {
        let rule_qubits = self.rules.iter().filter_map(|r| r.qubits.as_deref()).flatten();
        match rule_qubits.chain(self.readout.keys()).find(|&&q| q >= num_qubits) {
            Some(&qubit) => Err(Error::InvalidQubit { qubit, num_qubits }),
            None => Ok(()),
        }
    }

    /// The readout errors, by qubit.
    pub(crate) fn readout_errors(&self) -> &BTreeMap<usize, ReadoutError> {
        &self.readout
    }

    /// The channel of every rule, in the order the rules were added.
    pub(crate) fn rule_channels(&self) -> impl Iterator<Item = &Channel> {
        self.rules.iter().map(|r| &r.channel)
    }

    /// The channels that follow `inst`, with the index of their rule and their qubits, in order.
    pub(crate) fn channels_after(&self, inst: &Instruction) -> Result<Vec<(usize, &Channel, Vec<usize>)>> {
        let mut out = Vec::new();
        let name = inst.gate().name();
        for (r, rule) in self.rules.iter().enumerate() {
            if rule.gate.as_deref().is_some_and(|g| g != name) {
                continue;
            }
            let allowed = |q: &usize| rule.qubits.as_ref().is_none_or(|qs| qs.contains(q));
            let qubits: Vec<usize> = inst.qubits().collect();
            match rule.channel.num_qubits() {
                1 => out.extend(qubits.into_iter().filter(allowed).map(|q| (r, &rule.channel, vec![q]))),
                arity if qubits.len() != arity => {
                    return Err(Error::GateArity { gate: rule.channel.name(), expected: arity, found: qubits.len() })
                }
                _ if qubits.iter().all(allowed) => out.push((r, &rule.channel, qubits)),
                _ => {}
            }
        }
        Ok(out)
    }

    /// Applies the readout errors to a distribution over the basis states of a register, in place: for each
    /// qubit with an error, its confusion matrix mixes the probabilities of the index pairs that differ in that
    /// qubit's bit.
    ///
    /// # Errors
    /// [`Error::InvalidStateLength`] unless the length is 2^n (n ≥ 1); [`Error::InvalidQubit`] when a qubit
    /// with a readout error is beyond the register.
    pub fn apply_readout(&self, probabilities: &mut [f64]) -> Result<()> {
        let len = probabilities.len();
        if len < 2 || !len.is_power_of_two() {
            return Err(Error::InvalidStateLength { len });
        }
        let num_qubits = len.trailing_zeros() as usize;
        for (&qubit, error) in &self.readout {
            if qubit >= num_qubits {
                return Err(Error::InvalidQubit { qubit, num_qubits });
            }
            let bit = 1usize << qubit;
            for j in (0..len).filter(|j| j & bit == 0) {
                let (p0, p1) = (probabilities[j], probabilities[j | bit]);
                [probabilities[j], probabilities[j | bit]] = error.mix([p0, p1]);
            }
        }
        Ok(())
    }

    /// Applies the readout errors to measured counts over a register of `num_qubits` qubits: each shot's bit of
    /// a qubit with an error flips with the probability its confusion matrix gives, drawn with the caller's
    /// generator (in index order, then shot by shot, then qubit by qubit).
    ///
    /// # Errors
    /// [`Error::InvalidQubit`] when a qubit with a readout error is beyond the register, or a count's index is
    /// (as [`Error::InvalidBasisState`]).
    pub fn apply_readout_to_counts<R: Rng + ?Sized>(
        &self,
        counts: &BTreeMap<usize, usize>,
        num_qubits: usize,
        rng: &mut R,
    ) -> Result<BTreeMap<usize, usize>> {
        if let Some((&qubit, _)) = self.readout.range(num_qubits..).next() {
            return Err(Error::InvalidQubit { qubit, num_qubits });
        }
        let dim = 1usize.checked_shl(num_qubits as u32).unwrap_or(0);
        let mut out = BTreeMap::new();
        for (&index, &count) in counts {
            if index >= dim && num_qubits < usize::BITS as usize {
                return Err(Error::InvalidBasisState { index, num_qubits, dim });
            }
            for _ in 0..count {
                let mut read = index;
                for (&qubit, error) in &self.readout {
                    let bit = (index >> qubit) & 1;
                    if rng.random::<f64>() < error.flip_probability(bit) {
                        read ^= 1 << qubit;
                    }
                }
                *out.entry(read).or_insert(0) += 1;
            }
        }
        Ok(out)
    }
}
