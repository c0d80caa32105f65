//! The builder of a [`QuantumNetwork`]: its shape, the quantum layer's settings and the seed.

use rand::SeedableRng;

use super::QuantumNetwork;
use crate::error::Result;
use crate::grad::DiffMethod;
use crate::layer::config::{Ansatz, LayerConfig, Readout, Rotation, Topology};
use crate::layer::linear::Linear;
use crate::quantum::mixed::NoiseModel;

/// The settings of a [`QuantumNetwork`]: its shape, the quantum layer's settings and the seed of its initial
/// parameters.
///
/// # Example
///
/// ```
/// use qnet::prelude::*;
/// use qnet::layer::Ansatz;
/// use qnet::layer::Rotation;
///
/// # fn main() -> qnet::Result<()> {
/// let net = QuantumNetwork::builder(4, 3, 2, 2)
///     .ansatz(Ansatz::BasicEntangler(Rotation::Y))
///     .readout(Readout::PauliZWithNeighbours)
///     .diff_method(DiffMethod::ParameterShift)
///     .seed(7)
///     .build()?;
/// // Linear 4→3 (15), quantum 2 blocks × 3 (6), Linear 5→2 (12).
/// assert_eq!(net.num_params(), 15 + 6 + 12);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct NetworkBuilder {
    pub(super) input_dim: usize,
    pub(super) output_dim: usize,
    pub(super) layer: LayerConfig,
    pub(super) seed: u64,
}

impl NetworkBuilder {
    /// Sets the encoding rotation (default RX).
    #[must_use]
    pub fn encoding(mut self, rotation: Rotation) -> Self {
        self.layer = self.layer.encoding(rotation);
        self
    }

    /// Sets data re-uploading before every block (default false).
    #[must_use]
    pub fn reupload(mut self, reupload: bool) -> Self {
        self.layer = self.layer.reupload(reupload);
        self
    }

    /// Sets the ansatz (default [`Ansatz::StronglyEntangling`]).
    #[must_use]
    pub fn ansatz(mut self, ansatz: Ansatz) -> Self {
        self.layer = self.layer.ansatz(ansatz);
        self
    }

    /// Sets the entangler topology (default [`Topology::Ring`]).
    #[must_use]
    pub fn topology(mut self, topology: Topology) -> Self {
        self.layer = self.layer.topology(topology);
        self
    }

    /// Sets the readout (default [`Readout::PauliZ`]).
    #[must_use]
    pub fn readout(mut self, readout: Readout) -> Self {
        self.layer = self.layer.readout(readout);
        self
    }

    /// Sets the differentiation method (default [`DiffMethod::Adjoint`]).
    #[must_use]
    pub fn diff_method(mut self, method: DiffMethod) -> Self {
        self.layer = self.layer.diff_method(method);
        self
    }

    /// Sets the noise model of the quantum layer (default none, see [`LayerConfig::noise`]): the network then
    /// trains and predicts under it.
    #[must_use]
    pub fn noise(mut self, noise: NoiseModel) -> Self {
        self.layer = self.layer.noise(noise);
        self
    }

    /// Sets the seed of the initial parameters (default 0): the same seed gives the same network.
    #[must_use]
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// The network: Xavier-initialised linear layers and quantum weights uniform in [0, 2π), all drawn from
    /// ChaCha8 seeded with the seed.
    ///
    /// # Errors
    /// [`Error::ZeroQubits`](crate::Error::ZeroQubits),
    /// [`Error::InvalidHyperParameter`](crate::Error::InvalidHyperParameter) for a zero dimension or zero layers;
    /// [`Error::InvalidQubit`](crate::Error::InvalidQubit) for a noise model on a qubit beyond the register.
    pub fn build(self) -> Result<QuantumNetwork> {
        let quantum = self.layer.build()?;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(self.seed);
        let input = Linear::new(self.input_dim, quantum.num_inputs(), &mut rng)?;
        let weights = quantum.init_weights(&mut rng);
        let output = Linear::new(quantum.num_outputs(), self.output_dim, &mut rng)?;
        Ok(QuantumNetwork::from_layers(&input, quantum, &weights, &output))
    }
}
