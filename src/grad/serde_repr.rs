//! What a [`QuantumFunction`] is serialized as: its circuit and outputs. The compiled observable terms follow
//! from them and are rebuilt by [`QuantumFunction::new`] when it is read, with every check that makes, so a
//! file cannot bring in terms or output ranges that disagree with its observables.

#![cfg(feature = "serde")]

use serde::{Deserialize, Serialize};

use super::function::QuantumFunction;
use super::readout::Outputs;
use crate::error::Error;
use crate::quantum::Circuit;

#[derive(Serialize, Deserialize)]
pub(crate) struct FunctionData {
    circuit: Circuit,
    outputs: Outputs,
}

impl TryFrom<FunctionData> for QuantumFunction {
    type Error = Error;
    fn try_from(d: FunctionData) -> Result<Self, Error> {
        QuantumFunction::new(d.circuit, d.outputs)
    }
}

impl From<QuantumFunction> for FunctionData {
    fn from(f: QuantumFunction) -> Self {
        FunctionData { circuit: f.circuit, outputs: f.readout.outputs }
    }
}
