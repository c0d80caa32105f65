//! What layers and networks are serialized as, and the checks that run when they are read: a loaded value is
//! as valid as a constructed one, so that `forward` cannot meet a shape it was not built for.
//!
//! - [`Linear`]: its weight matrix and bias, in nalgebra's layout, shapes checked before use and then
//!   everything [`Linear::from_parts`] checks.
//! - [`LayerConfig`]: its settings, checked by [`LayerConfig::check`].
//! - [`QuantumLayer`]: its settings only; the circuit and the observables follow from them and are rebuilt by
//!   [`LayerConfig::build`].
//! - [`QuantumNetwork`]: its two linear layers, its quantum layer and its weights, whose lengths must chain.

#![cfg(feature = "serde")]

use serde::{Deserialize, Serialize};

use super::config::{Ansatz, LayerConfig, Readout, Rotation, Topology};
use super::linear::Linear;
use super::network::QuantumNetwork;
use super::quantum_layer::QuantumLayer;
use crate::error::{Error, ParamKind, Result};
use crate::grad::function::check_len;
use crate::grad::DiffMethod;
use crate::serde_matrix::{MatrixData, VectorData};

#[derive(Serialize, Deserialize)]
pub(super) struct LinearData {
    weight: MatrixData<f64>,
    bias: VectorData<f64>,
}

impl TryFrom<LinearData> for Linear {
    type Error = Error;
    fn try_from(d: LinearData) -> Result<Linear> {
        Linear::from_parts(d.weight.into_matrix()?, d.bias.into_vector()?)
    }
}

impl From<Linear> for LinearData {
    fn from(l: Linear) -> LinearData {
        let (weight, bias) = l.into_parts();
        LinearData { weight: weight.into(), bias: bias.into() }
    }
}

#[derive(Serialize, Deserialize)]
pub(super) struct LayerConfigData {
    num_qubits: usize,
    num_layers: usize,
    encoding: Rotation,
    reupload: bool,
    ansatz: Ansatz,
    topology: Topology,
    readout: Readout,
    diff_method: DiffMethod,
}

impl TryFrom<LayerConfigData> for LayerConfig {
    type Error = Error;
    fn try_from(d: LayerConfigData) -> Result<LayerConfig> {
        let config = LayerConfig::new(d.num_qubits, d.num_layers)
            .encoding(d.encoding)
            .reupload(d.reupload)
            .ansatz(d.ansatz)
            .topology(d.topology)
            .readout(d.readout)
            .diff_method(d.diff_method);
        config.check()?;
        Ok(config)
    }
}

impl From<LayerConfig> for LayerConfigData {
    fn from(c: LayerConfig) -> LayerConfigData {
        LayerConfigData {
            num_qubits: c.num_qubits,
            num_layers: c.num_layers,
            encoding: c.encoding,
            reupload: c.reupload,
            ansatz: c.ansatz,
            topology: c.topology,
            readout: c.readout,
            diff_method: c.diff_method,
        }
    }
}

#[derive(Serialize, Deserialize)]
pub(super) struct LayerData {
    config: LayerConfig,
}

impl TryFrom<LayerData> for QuantumLayer {
    type Error = Error;
    fn try_from(d: LayerData) -> Result<QuantumLayer> {
        d.config.build()
    }
}

impl From<QuantumLayer> for LayerData {
    fn from(layer: QuantumLayer) -> LayerData {
        LayerData { config: layer.config().clone() }
    }
}

#[derive(Serialize, Deserialize)]
pub(super) struct NetworkData {
    input: Linear,
    quantum: QuantumLayer,
    weights: Vec<f64>,
    output: Linear,
}

impl TryFrom<NetworkData> for QuantumNetwork {
    type Error = Error;
    fn try_from(d: NetworkData) -> Result<QuantumNetwork> {
        check_len("network: input layer outputs (one angle per qubit)", d.quantum.num_inputs(), d.input.output_dim())?;
        check_len("network: quantum weights", d.quantum.num_weights(), d.weights.len())?;
        check_len("network: output layer inputs (one per readout)", d.quantum.num_outputs(), d.output.input_dim())?;
        if let Some((index, &value)) = d.weights.iter().enumerate().find(|(_, w)| !w.is_finite()) {
            return Err(Error::non_finite_parameter(ParamKind::Weight, index, value));
        }
        Ok(QuantumNetwork::from_layers(&d.input, d.quantum, &d.weights, &d.output))
    }
}

impl From<QuantumNetwork> for NetworkData {
    fn from(n: QuantumNetwork) -> NetworkData {
        let (input, weights, output) = (n.input_layer(), n.quantum_weights().to_vec(), n.output_layer());
        NetworkData { input, quantum: n.quantum, weights, output }
    }
}
