//! `../shared/bench/noise.py`'s circuit and noise model, shared by the noise tests (a module of each test
//! crate that declares `mod common;`).
//!
//! RX(x_i) on every qubit; then per layer (L = 2) RY(w), RZ(w) on every qubit, each followed by depolarizing
//! p = 0.01 and amplitude damping γ = 0.02; then CNOT(i, i+1 mod n) on a ring, each followed by depolarizing
//! p = 0.01 on both qubits.

use qnet::prelude::*;
use qnet::quantum::mixed::{Channel, NoiseModel};

const P: f64 = 0.01;
const GAMMA: f64 = 0.02;
const LAYERS: usize = 2;

/// numpy's `linspace(a, b, len)`.
fn linspace(a: f64, b: f64, len: usize) -> Vec<f64> {
    (0..len).map(|k| if k + 1 == len { b } else { a + (b - a) / (len - 1) as f64 * k as f64 }).collect()
}

/// The circuit (weights w[l, i, k] at index 2nl + 2i + k, inputs x_i), its noise model, weights and inputs.
pub fn noise_py(n: usize) -> (Circuit, NoiseModel, Vec<f64>, Vec<f64>) {
    let mut c = Circuit::new(n).unwrap();
    for i in 0..n {
        c.rx(i, Param::input(i)).unwrap();
    }
    for l in 0..LAYERS {
        for i in 0..n {
            c.ry(i, Param::weight(2 * n * l + 2 * i)).unwrap().rz(i, Param::weight(2 * n * l + 2 * i + 1)).unwrap();
        }
        for i in 0..n {
            c.cnot(i, (i + 1) % n).unwrap();
        }
    }
    let mut noise = NoiseModel::new();
    for gate in ["ry", "rz"] {
        noise
            .after_gate(gate, Channel::depolarizing(P).unwrap())
            .after_gate(gate, Channel::amplitude_damping(GAMMA).unwrap());
    }
    noise.after_gate("cx", Channel::depolarizing(P).unwrap());
    (c, noise, linspace(0.1, 2.0, 2 * n * LAYERS), linspace(0.3, 1.0, n))
}
