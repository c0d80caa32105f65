//! The settings of a [`QuantumLayer`]: encoding, ansatz, topology, readout and differentiation method, checked
//! once and turned into the layer's circuit and observables.

use super::quantum_layer::QuantumLayer;
use crate::error::{Error, Result};
use crate::grad::{DiffMethod, Outputs, QuantumFunction};
use crate::quantum::mixed::NoiseModel;
use crate::quantum::{Circuit, Gate, Observable, Param, PauliString};

/// The most gates a [`QuantumLayer`]'s circuit may hold (its blocks, encodings and entanglers together, each
/// entangler counted at its largest), so that a mistyped number of layers is an error and not a runaway
/// allocation. About 150 MB of circuit.
pub const MAX_LAYER_GATES: usize = 1 << 20;

/// A single-qubit rotation axis: RX, RY or RZ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Rotation {
    /// RX(θ) = exp(−iθX/2).
    #[default]
    X,
    /// RY(θ) = exp(−iθY/2).
    Y,
    /// RZ(θ) = exp(−iθZ/2).
    Z,
}

impl Rotation {
    fn gate(self, p: Param) -> Gate {
        match self {
            Rotation::X => Gate::RX(p),
            Rotation::Y => Gate::RY(p),
            Rotation::Z => Gate::RZ(p),
        }
    }
}

/// The trainable blocks of a [`QuantumLayer`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Ansatz {
    /// PennyLane's BasicEntanglerLayers: per block one rotation R(w) per qubit, then the CNOT entangler.
    /// n weights per block.
    BasicEntangler(Rotation),
    /// PennyLane's StronglyEntanglingLayers: per block Rot(φ, θ, ω) = RZ(ω)·RY(θ)·RZ(φ) per qubit, then CNOTs
    /// from qubit i to i + r, the range r = (l mod (n − 1)) + 1 in block l. 3n weights per block.
    #[default]
    StronglyEntangling,
}

/// Which pairs the entangling CNOTs join.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Topology {
    /// CNOT(i, i + r) for i + r < n (r = 1 for the basic entangler).
    Linear,
    /// CNOT(i, (i + r) mod n) for every i (for two qubits, the basic entangler uses one CNOT).
    #[default]
    Ring,
    /// CNOT(i, j) for every i < j, in lexicographic order.
    AllToAll,
}

/// What a [`QuantumLayer`] outputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Readout {
    /// ⟨Z_i⟩ for every qubit: n outputs.
    #[default]
    PauliZ,
    /// ⟨Z_i⟩ for every qubit, then ⟨Z_i Z_{i+1}⟩ for i < n − 1: 2n − 1 outputs.
    PauliZWithNeighbours,
    /// The 2^n basis probabilities.
    Probabilities,
}

/// The settings of a [`QuantumLayer`], with the defaults of [`LayerConfig::new`].
///
/// # Example
///
/// ```
/// use qnet::prelude::*;
/// use qnet::layer::Ansatz;
/// use qnet::layer::Rotation;
/// use qnet::layer::Topology;
///
/// # fn main() -> qnet::Result<()> {
/// let layer = LayerConfig::new(3, 2)
///     .ansatz(Ansatz::BasicEntangler(Rotation::Y))
///     .topology(Topology::Linear)
///     .readout(Readout::PauliZWithNeighbours)
///     .build()?;
/// assert_eq!((layer.num_inputs(), layer.num_weights(), layer.num_outputs()), (3, 6, 5));
/// assert!(LayerConfig::new(0, 1).build().is_err());
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "super::serde_repr::LayerConfigData", into = "super::serde_repr::LayerConfigData")
)]
pub struct LayerConfig {
    pub(super) num_qubits: usize,
    pub(super) num_layers: usize,
    pub(super) encoding: Rotation,
    pub(super) reupload: bool,
    pub(super) ansatz: Ansatz,
    pub(super) topology: Topology,
    pub(super) readout: Readout,
    pub(super) diff_method: DiffMethod,
    /// The noise model the layer's circuit runs under, if any (not serialized).
    pub(super) noise: Option<NoiseModel>,
}

impl LayerConfig {
    /// `num_qubits` qubits and `num_layers` blocks, with angle encoding by RX, no re-uploading, the strongly
    /// entangling ansatz on a ring, ⟨Z_i⟩ readout and the adjoint method.
    #[must_use]
    pub fn new(num_qubits: usize, num_layers: usize) -> Self {
        LayerConfig {
            num_qubits,
            num_layers,
            encoding: Rotation::X,
            reupload: false,
            ansatz: Ansatz::default(),
            topology: Topology::default(),
            readout: Readout::default(),
            diff_method: DiffMethod::Adjoint,
            noise: None,
        }
    }

    /// The encoding rotation: input x_i enters as R(x_i) on qubit i (default RX).
    #[must_use]
    pub fn encoding(mut self, rotation: Rotation) -> Self {
        self.encoding = rotation;
        self
    }

    /// Whether to repeat the encoding before every block, data re-uploading (default false: once, first).
    #[must_use]
    pub fn reupload(mut self, reupload: bool) -> Self {
        self.reupload = reupload;
        self
    }

    /// The ansatz (default [`Ansatz::StronglyEntangling`]).
    #[must_use]
    pub fn ansatz(mut self, ansatz: Ansatz) -> Self {
        self.ansatz = ansatz;
        self
    }

    /// The entangler topology (default [`Topology::Ring`]).
    #[must_use]
    pub fn topology(mut self, topology: Topology) -> Self {
        self.topology = topology;
        self
    }

    /// The readout (default [`Readout::PauliZ`]).
    #[must_use]
    pub fn readout(mut self, readout: Readout) -> Self {
        self.readout = readout;
        self
    }

    /// The differentiation method (default [`DiffMethod::Adjoint`]).
    #[must_use]
    pub fn diff_method(mut self, method: DiffMethod) -> Self {
        self.diff_method = method;
        self
    }

    /// The noise model the circuit runs under (default none): the layer then evaluates on a density state
    /// and differentiates by the noisy adjoint method ([`QuantumFunction::with_noise`]), so a hybrid model
    /// trains under noise. An empty model is no noise. The model is not serialized: a layer read back is
    /// noiseless until given one again ([`QuantumLayer::with_noise`]).
    ///
    /// # Example
    ///
    /// ```
    /// use qnet::prelude::*;
    ///
    /// # fn main() -> qnet::Result<()> {
    /// let mut noise = NoiseModel::new();
    /// noise.after_all_gates(Channel::depolarizing(0.01)?);
    /// let noisy = LayerConfig::new(2, 1).noise(noise).build()?;
    /// let pure = LayerConfig::new(2, 1).build()?;
    /// let w = vec![0.4; noisy.num_weights()];
    /// let (a, b) = (noisy.forward(&w, &[0.3, -0.2])?, pure.forward(&w, &[0.3, -0.2])?);
    /// assert!(a[0].abs() < b[0].abs()); // depolarizing shrinks ⟨Z⟩
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn noise(mut self, noise: NoiseModel) -> Self {
        self.noise = Some(noise);
        self
    }

    /// The number of qubits.
    #[must_use]
    pub fn num_qubits(&self) -> usize {
        self.num_qubits
    }

    /// The number of blocks.
    #[must_use]
    pub fn num_layers(&self) -> usize {
        self.num_layers
    }

    /// Checks the settings.
    ///
    /// # Errors
    /// [`Error::ZeroQubits`]; [`Error::TooManyQubits`] above [`MAX_QUBITS`](crate::quantum::MAX_QUBITS);
    /// [`Error::InvalidHyperParameter`] for zero layers, for a circuit of more than [`MAX_LAYER_GATES`] gates,
    /// or for more than 20 qubits with the probability readout.
    pub fn check(&self) -> Result<()> {
        if self.num_qubits == 0 {
            return Err(Error::ZeroQubits);
        }
        crate::quantum::state::check_max_qubits(self.num_qubits)?;
        if self.num_layers == 0 {
            return Err(Error::hyper_parameter("number of layers", 0, "must be at least 1"));
        }
        if self.max_gates().is_none_or(|gates| gates > MAX_LAYER_GATES) {
            return Err(Error::hyper_parameter(
                "number of layers",
                self.num_layers,
                "the circuit would hold more than MAX_LAYER_GATES (2^20) gates",
            ));
        }
        if self.readout == Readout::Probabilities && self.num_qubits > 20 {
            return Err(Error::hyper_parameter(
                "number of qubits",
                self.num_qubits,
                "the probability readout allows at most 20 qubits",
            ));
        }
        Ok(())
    }

    /// A bound on the circuit's gates, each entangler counted at its largest; `None` when it overflows.
    fn max_gates(&self) -> Option<usize> {
        let n = self.num_qubits;
        let entangler = match self.topology {
            _ if n < 2 => 0,
            Topology::Linear => n - 1,
            Topology::Ring => n,
            Topology::AllToAll => n * (n - 1) / 2,
        };
        let encodings = if self.reupload { self.num_layers } else { 1 };
        let block = self.weights_per_block().checked_add(entangler)?;
        self.num_layers.checked_mul(block)?.checked_add(encodings.checked_mul(n)?)
    }

    /// The weights per block.
    fn weights_per_block(&self) -> usize {
        match self.ansatz {
            Ansatz::BasicEntangler(_) => self.num_qubits,
            Ansatz::StronglyEntangling => 3 * self.num_qubits,
        }
    }

    fn entangle(&self, c: &mut Circuit, range: usize) -> Result<()> {
        let n = self.num_qubits;
        if n < 2 {
            return Ok(());
        }
        match self.topology {
            Topology::Linear => {
                for i in 0..n.saturating_sub(range) {
                    c.cnot(i, i + range)?;
                }
            }
            Topology::Ring => {
                let basic_pair = n == 2 && matches!(self.ansatz, Ansatz::BasicEntangler(_));
                for i in 0..if basic_pair { 1 } else { n } {
                    c.cnot(i, (i + range) % n)?;
                }
            }
            Topology::AllToAll => {
                for i in 0..n {
                    for j in i + 1..n {
                        c.cnot(i, j)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// The circuit: inputs are `Param::input(i)`, weights `Param::weight(k)` in block order.
    fn circuit(&self) -> Result<Circuit> {
        let n = self.num_qubits;
        let mut c = Circuit::new(n)?;
        let encode = |c: &mut Circuit| -> Result<()> {
            for q in 0..n {
                c.add(self.encoding.gate(Param::input(q)), &[q])?;
            }
            Ok(())
        };
        let per = self.weights_per_block();
        for l in 0..self.num_layers {
            if l == 0 || self.reupload {
                encode(&mut c)?;
            }
            match self.ansatz {
                Ansatz::BasicEntangler(r) => {
                    for q in 0..n {
                        c.add(r.gate(Param::weight(l * per + q)), &[q])?;
                    }
                    self.entangle(&mut c, 1)?;
                }
                Ansatz::StronglyEntangling => {
                    for q in 0..n {
                        let k = l * per + 3 * q;
                        c.rz(q, Param::weight(k))?.ry(q, Param::weight(k + 1))?.rz(q, Param::weight(k + 2))?;
                    }
                    let range = if n > 1 { l % (n - 1) + 1 } else { 1 };
                    self.entangle(&mut c, range)?;
                }
            }
        }
        Ok(c)
    }

    fn outputs(&self) -> Result<Outputs> {
        let n = self.num_qubits;
        let z = (0..n).map(|q| PauliString::z(q).map(Observable::from));
        Ok(match self.readout {
            Readout::PauliZ => Outputs::Observables(z.collect::<Result<_>>()?),
            Readout::PauliZWithNeighbours => {
                let zz = (0..n.saturating_sub(1)).map(|i| {
                    PauliString::new(1.0, &[(i, crate::quantum::Pauli::Z), (i + 1, crate::quantum::Pauli::Z)])
                        .map(Observable::from)
                });
                Outputs::Observables(z.chain(zz).collect::<Result<_>>()?)
            }
            Readout::Probabilities => Outputs::Probabilities,
        })
    }

    /// The layer these settings describe.
    ///
    /// # Errors
    /// As [`check`](Self::check); as [`QuantumFunction::with_noise`] for a noise model that does not fit the
    /// circuit (a rule or readout error on a qubit beyond the register: [`Error::InvalidQubit`]).
    pub fn build(self) -> Result<QuantumLayer> {
        self.check()?;
        let mut function = QuantumFunction::new(self.circuit()?, self.outputs()?)?;
        if let Some(noise) = &self.noise {
            function = function.with_noise(noise.clone())?;
        }
        let num_weights = self.num_layers * self.weights_per_block();
        Ok(QuantumLayer { config: self, function, num_weights })
    }
}
