//! Channels as instructions of a circuit: a channel on qubits whose strengths are constants, weights or inputs.

use super::channel::Channel;
use super::state::check_placement;
use crate::error::Result;
use crate::quantum::Param;

/// A channel placed in a circuit: its kind, its qubits, and each of its parameters
/// ([`Channel::parameters`]' order) as a [`Param`], so a noise strength can be a constant, a trainable weight
/// or an input (`p = scale · w[i]`). It acts after the first [`position`](Self::position) gates of its circuit.
///
/// Circuits with channels run on a [`DensityState`](super::DensityState) (and in
/// [`Trajectories`](super::Trajectories)); a pure-state run, an inverse or a QASM export of one is
/// [`Error::NoisyCircuit`](crate::Error::NoisyCircuit).
///
/// # Example
///
/// ```
/// use approx::assert_relative_eq;
/// use qnet::quantum::mixed::DensityState;
/// use qnet::prelude::*;
///
/// # fn main() -> qnet::Result<()> {
/// // |1⟩, then amplitude damping of a trainable strength γ = w0: ⟨Z⟩ = 2γ − 1, d⟨Z⟩/dγ = 2.
/// let mut c = Circuit::new(1)?;
/// c.x(0)?.amplitude_damping(0, Param::weight(0))?;
/// assert_eq!((c.channels().len(), c.channels()[0].position(), c.num_weights()), (1, 1, 1));
/// let z = Observable::sum_z(1)?;
/// let g = DensityState::new(1)?.gradient(&c, &Default::default(), &z, &[0.3], &[])?;
/// assert_relative_eq!(g.value, 2.0 * 0.3 - 1.0, epsilon = 1e-14);
/// assert_relative_eq!(g.weights[0], 2.0, epsilon = 1e-14);
/// // A strength outside [0, 1] is an error when the circuit runs.
/// assert!(DensityState::new(1)?.run(&c, &[1.5], &[]).is_err());
/// assert!(StateVector::new(1)?.run(&c, &[0.3], &[]).is_err()); // not a pure-state circuit
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "ChannelInstructionData", rename = "ChannelInstructionData")
)]
pub struct ChannelInstruction {
    /// The channel, with the constant parameters' values (and any valid value, 0, in place of the others).
    channel: Channel,
    /// One per channel parameter.
    params: Vec<Param>,
    qubits: Vec<usize>,
    /// How many gates of the circuit come before it.
    position: usize,
}

/// A placed channel as read with serde, checked as [`ChannelInstruction::with_params`] checks it (its position
/// is checked by the circuit that reads it).
#[cfg(feature = "serde")]
#[derive(serde::Deserialize)]
struct ChannelInstructionData {
    channel: Channel,
    params: Vec<Param>,
    qubits: Vec<usize>,
    position: usize,
}

#[cfg(feature = "serde")]
impl TryFrom<ChannelInstructionData> for ChannelInstruction {
    type Error = crate::Error;
    fn try_from(d: ChannelInstructionData) -> Result<Self> {
        Ok(ChannelInstruction::with_params(d.channel, d.params, d.qubits)?.at(d.position))
    }
}

impl ChannelInstruction {
    /// `channel` on `qubits`, its parameters the channel's own values (constants).
    ///
    /// # Errors
    /// [`Error::GateArity`](crate::Error::GateArity) when the number of qubits is not the channel's, [`Error::DuplicateQubit`](crate::Error::DuplicateQubit) for a
    /// repeated qubit.
    pub fn new(channel: Channel, qubits: Vec<usize>) -> Result<Self> {
        let params = channel.parameters().into_iter().map(|(_, v)| Param::Const(v)).collect();
        Self::with_params(channel, params, qubits)
    }

    /// A channel of `channel`'s kind on `qubits` whose parameters are `params` (one per
    /// [`Channel::parameters`] entry, in that order). Constant values are checked now; weights and inputs
    /// when the circuit runs.
    ///
    /// # Errors
    /// As [`new`](Self::new); [`Error::DimensionMismatch`](crate::Error::DimensionMismatch) unless there is one `Param` per channel parameter;
    /// [`Error::NonFinite`](crate::Error::NonFinite) for a NaN or infinite constant or scale; the channel's constructor's errors for
    /// constants out of range.
    pub fn with_params(channel: Channel, params: Vec<Param>, qubits: Vec<usize>) -> Result<Self> {
        let name = channel.name();
        // The qubits are checked against the register when the circuit takes the instruction.
        check_placement(name, channel.num_qubits(), &qubits, usize::MAX)?;
        for p in &params {
            p.check_finite(name)?;
        }
        // Constants as given, 0 (valid for every channel) where a weight or input goes.
        let values: Vec<f64> = params.iter().map(|p| p.constant().unwrap_or(0.0)).collect();
        let channel = channel.with_parameters(&values)?;
        Ok(ChannelInstruction { channel, params, qubits, position: 0 })
    }

    /// The channel, with the constant parameters' values.
    #[must_use]
    pub fn channel(&self) -> &Channel {
        &self.channel
    }

    /// The parameters, in [`Channel::parameters`]' order.
    #[must_use]
    pub fn params(&self) -> &[Param] {
        &self.params
    }

    /// The qubits it acts on.
    #[must_use]
    pub fn qubits(&self) -> &[usize] {
        &self.qubits
    }

    /// How many of its circuit's gates act before it.
    #[must_use]
    pub fn position(&self) -> usize {
        self.position
    }

    /// The same instruction after `position` gates.
    pub(crate) fn at(mut self, position: usize) -> Self {
        self.position = position;
        self
    }

    /// The channel with its parameters bound to values (indices already checked).
    ///
    /// # Errors
    /// The channel's constructor's errors for a value out of range ([`Error::InvalidChannelParameter`](crate::Error::InvalidChannelParameter)).
    pub(crate) fn bind(&self, weights: &[f64], inputs: &[f64]) -> Result<Channel> {
        if self.params.iter().all(Param::is_const) {
            return Ok(self.channel.clone());
        }
        let values: Vec<f64> = self.params.iter().map(|p| p.value_unchecked(weights, inputs)).collect();
        self.channel.with_parameters(&values)
    }

    /// The same placement with every parameter replaced by its value.
    ///
    /// # Errors
    /// As [`bind`](Self::bind).
    pub(crate) fn bound(&self, weights: &[f64], inputs: &[f64]) -> Result<ChannelInstruction> {
        Ok(ChannelInstruction::new(self.bind(weights, inputs)?, self.qubits.clone())?.at(self.position))
    }
}

impl std::fmt::Display for ChannelInstruction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let values: Vec<String> = self.params.iter().map(|p| p.format_with(|v| format!("{v}"))).collect();
        write!(f, "{}({})", self.channel.name(), values.join(", "))?;
        for (i, q) in self.qubits.iter().enumerate() {
            write!(f, "{}q[{q}]", if i == 0 { " " } else { ", " })?;
        }
        Ok(())
    }
}

/// Builder methods that append a channel whose strengths are [`Param`]s: `name => constructor, [qubits],
/// (strengths)`, the constructor called with zeros for the template.
macro_rules! channel_methods {
    ($($(#[$doc:meta])* $name:ident => $make:path, [$($q:ident),+], ($($p:ident),+);)*) => {$(
        $(#[$doc])*
        ///
        /// # Errors
        /// [`Error::InvalidQubit`](crate::Error::InvalidQubit) or [`Error::DuplicateQubit`](crate::Error::DuplicateQubit) for a bad placement; for a constant strength,
        /// [`Error::InvalidChannelParameter`](crate::Error::InvalidChannelParameter) when it is out of range and [`Error::NonFinite`](crate::Error::NonFinite) for NaN (a
        /// weight or input is checked when the circuit runs).
        pub fn $name(&mut self, $($q: usize,)+ $($p: impl Into<Param>),+) -> Result<&mut Self> {
            let template = $make($(channel_methods!(@zero $p)),+)?;
            self.push_channel(ChannelInstruction::with_params(template, vec![$($p.into()),+], vec![$($q),+])?)
        }
    )*};
    (@zero $p:ident) => { 0.0 };
}

impl crate::quantum::Circuit {
    /// Appends `channel` on `qubits`, with its parameters as constants.
    ///
    /// # Errors
    /// [`Error::GateArity`](crate::Error::GateArity), [`Error::InvalidQubit`](crate::Error::InvalidQubit) or [`Error::DuplicateQubit`](crate::Error::DuplicateQubit) for a bad placement.
    pub fn channel(&mut self, channel: Channel, qubits: &[usize]) -> Result<&mut Self> {
        self.push_channel(ChannelInstruction::new(channel, qubits.to_vec())?)
    }

    channel_methods! {
        /// Appends depolarizing noise of probability p on `q` ([`Channel::depolarizing`]).
        depolarizing => Channel::depolarizing, [q], (p);
        /// Appends two-qubit depolarizing noise of probability p on (`a`, `b`) ([`Channel::depolarizing2`]).
        depolarizing2 => Channel::depolarizing2, [a, b], (p);
        /// Appends amplitude damping of strength γ on `q` ([`Channel::amplitude_damping`]).
        amplitude_damping => Channel::amplitude_damping, [q], (gamma);
        /// Appends generalized amplitude damping (γ, p) on `q` ([`Channel::generalized_amplitude_damping`]).
        generalized_amplitude_damping => Channel::generalized_amplitude_damping, [q], (gamma, p);
        /// Appends phase damping of strength γ on `q` ([`Channel::phase_damping`]).
        phase_damping => Channel::phase_damping, [q], (gamma);
        /// Appends a bit flip of probability p on `q` ([`Channel::bit_flip`]).
        bit_flip => Channel::bit_flip, [q], (p);
        /// Appends a phase flip of probability p on `q` ([`Channel::phase_flip`]).
        phase_flip => Channel::phase_flip, [q], (p);
        /// Appends the Pauli channel (px, py, pz) on `q` ([`Channel::pauli`]).
        pauli_channel => Channel::pauli, [q], (px, py, pz);
    }
}
