//! The README's memory promise, measured: the peak resident memory of a one-off run of a GHZ circuit with long
//! CNOT ladders on 24 qubits (a 256 MiB state), and of the adjoint gradient of a circuit with ladders on 22
//! qubits, stay within the documented bound: the states and at most 1/8 of a state beside them.
//!
//! One test in its own binary, so that nothing else runs in the process while it measures. The peak is
//! Linux's `VmHWM`, reset through `/proc/self/clear_refs` before each measurement.
#![cfg(target_os = "linux")]

use qnet::grad::{DiffMethod, Outputs};
use qnet::prelude::*;

/// A field of /proc/self/status, in bytes.
fn status_bytes(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("linux has /proc/self/status");
    let line = status.lines().find(|l| l.starts_with(field)).expect("the field is present");
    let kib: u64 = line[field.len()..].trim().trim_end_matches("kB").trim().parse().expect("a number of kB");
    kib * 1024
}

/// Resets the peak to the current resident memory and returns that.
fn reset_peak() -> u64 {
    std::fs::write("/proc/self/clear_refs", "5").expect("clear_refs accepts 5 (reset the peak)");
    status_bytes("VmRSS:")
}

/// H on qubit 0, then `rounds` CNOT ladders up and down the register: one fused permutation run.
fn ghz_with_ladders(n: usize, rounds: usize) -> Circuit {
    let mut c = Circuit::new(n).expect("n > 0");
    c.h(0).expect("qubit 0");
    for _ in 0..rounds {
        for q in 0..n - 1 {
            c.cnot(q, q + 1).expect("qubits in range");
        }
        for q in (0..n - 1).rev() {
            c.cnot(q, q + 1).expect("qubits in range");
        }
    }
    for q in 0..n - 1 {
        c.cnot(q, q + 1).expect("qubits in range");
    }
    c
}

#[test]
fn one_off_runs_and_adjoint_gradients_stay_within_the_documented_bound() {
    let slack = 8u64 << 20; // allocator bookkeeping, thread stacks, the plan's tables
                            // A one-off run: one state, at most 1/8 of it beside.
    let n = 24;
    let state_bytes = 16u64 << n;
    let circuit = ghz_with_ladders(n, 4);
    let before = reset_peak();
    let mut state = StateVector::new(n).expect("256 MiB fit");
    state.run(&circuit, &[], &[]).expect("valid circuit");
    let peak = status_bytes("VmHWM:") - before;
    let a = state.amplitudes();
    let h = std::f64::consts::FRAC_1_SQRT_2;
    assert!((a[0].re - h).abs() < 1e-12 && (a[(1 << n) - 1].re - h).abs() < 1e-12, "the GHZ state");
    assert!(peak >= state_bytes * 9 / 10, "the state was touched: {peak} bytes");
    assert!(peak <= state_bytes + state_bytes / 8 + slack, "run: peak {peak} bytes over {before}, state {state_bytes}");
    drop(state);

    // The adjoint gradient: the tape's state and the workspace's two, at most 1/8 of a state beside each.
    let n = 22;
    let state_bytes = 16u64 << n;
    let mut circuit = ghz_with_ladders(n, 2);
    for q in 0..n {
        circuit.ry(q, Param::weight(q % 3)).expect("qubit in range");
    }
    circuit.append(&ghz_with_ladders(n, 1)).expect("same register");
    let f = QuantumFunction::new(
        circuit,
        Outputs::Observables(vec![PauliString::z(n - 1).expect("qubit in range").into()]),
    )
    .expect("valid");
    let before = reset_peak();
    let vjp = f.vjp(DiffMethod::Adjoint, &[0.3, -0.2, 0.5], &[], &[1.0]).expect("fits");
    let peak = status_bytes("VmHWM:") - before;
    assert!(vjp.weights.iter().any(|g| g.abs() > 1e-6), "a gradient: {:?}", vjp.weights);
    assert!(peak >= 3 * state_bytes * 9 / 10, "three states were touched: {peak} bytes");
    assert!(peak <= 3 * (state_bytes + state_bytes / 8) + slack, "adjoint: peak {peak} bytes, state {state_bytes}");
}
