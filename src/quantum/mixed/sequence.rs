//! The order of a noisy run, in one place for the density state, its gradient and trajectories: before each
//! gate the circuit's own channels placed there, then the gate, then the channels the noise model puts after it.

use super::channel::Channel;
use super::noise::NoiseModel;
use crate::error::Result;
use crate::quantum::Circuit;

/// One step of a noisy run.
pub(crate) enum Event {
    /// Gate `k` of the circuit.
    Gate(usize),
    /// Channel `id` of the [`Sequence`] on `qubits`.
    Channel { id: usize, qubits: Vec<usize> },
}

/// A circuit's noisy run: its events in order and the channels they name, the noise model's rules first (id =
/// rule) and then the circuit's own channels bound to the weights and inputs (id = rules + index).
pub(crate) struct Sequence {
    pub(crate) events: Vec<Event>,
    pub(crate) channels: Vec<Channel>,
    pub(crate) num_rules: usize,
}

impl Sequence {
    /// The run of `circuit` under `noise` for the given weights and inputs (checked by the caller).
    ///
    /// # Errors
    /// [`Error::GateArity`](crate::Error::GateArity) when a two-qubit channel of the model follows a gate on
    /// another number of qubits; [`Error::InvalidChannelParameter`](crate::Error::InvalidChannelParameter) when
    /// a circuit channel's strength is out of range for these weights and inputs.
    pub(crate) fn new(circuit: &Circuit, noise: &NoiseModel, weights: &[f64], inputs: &[f64]) -> Result<Self> {
        let mut channels: Vec<Channel> = noise.rule_channels().cloned().collect();
        let num_rules = channels.len();
        for c in circuit.channels() {
            channels.push(c.bind(weights, inputs)?);
        }
        let own = circuit.channels();
        let mut next = 0;
        let mut events = Vec::new();
        let mut own_until = |position: usize, events: &mut Vec<Event>| {
            while next < own.len() && own[next].position() <= position {
                events.push(Event::Channel { id: num_rules + next, qubits: own[next].qubits().to_vec() });
                next += 1;
            }
        };
        for (k, inst) in circuit.instructions().iter().enumerate() {
            own_until(k, &mut events);
            events.push(Event::Gate(k));
            for (rule, _, qubits) in noise.channels_after(inst)? {
                events.push(Event::Channel { id: rule, qubits });
            }
        }
        own_until(usize::MAX, &mut events);
        Ok(Sequence { events, channels, num_rules })
    }
}
