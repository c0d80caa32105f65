//! Fused runs of X, CNOT and SWAP on 14 qubits or more (the engine's in-place affine passes), on basis states:
//! the basis state `run` lands on against the one found by applying each gate to the basis index here.
//!
//! The failing cases are what `tests/engine_reference.rs` found on random circuits (issue 18, item 7),
//! reduced gate by gate. They fail on the engine of this commit: `run` leaves some basis states where the gates
//! move them, and when a run holds an X on one of the qubits 0–7 it also writes past the end of the state
//! (`an_x_on_qubit_2_inside_a_run_on_high_qubits` runs in a child process, where that can abort with a heap
//! corruption).

use qnet::prelude::*;

/// Where the permutation gates of `c` send basis index `i`, one gate at a time.
fn land(c: &Circuit, mut i: usize) -> usize {
    let bit = |i: usize, q: usize| i >> q & 1;
    for inst in c.instructions() {
        assert!(inst.controls().is_empty(), "{inst}");
        let q = inst.targets();
        i = match inst.gate() {
            Gate::X => i ^ 1 << q[0],
            Gate::CNOT => i ^ bit(i, q[0]) << q[1],
            Gate::SWAP => i ^ ((bit(i, q[0]) ^ bit(i, q[1])) * (1 << q[0] | 1 << q[1])),
            other => panic!("{other} is not a permutation gate of this test"),
        };
    }
    i
}

/// `run` on |start⟩ must give |land(start)⟩ (shown as bit strings, qubit 0 rightmost).
fn assert_lands(c: &Circuit, start: usize) {
    let n = c.num_qubits();
    let mut state = StateVector::basis(n, start).unwrap();
    state.run(c, &[], &[]).unwrap();
    let landed: Vec<String> =
        (0..state.dim()).filter(|&i| state.amplitudes()[i].norm() > 0.5).map(|i| format!("{i:0n$b}")).collect();
    let expected = land(c, start);
    assert_eq!(landed, [format!("{expected:0n$b}")], "run from |{start:0n$b}⟩ on {n} qubits");
    assert_eq!(state.amplitudes()[expected], Complex64::new(1.0, 0.0));
}

#[test]
fn the_hand_map_is_the_gates() {
    let mut c = Circuit::new(4).unwrap();
    c.x(0).unwrap().cnot(0, 3).unwrap().swap(3, 1).unwrap();
    // |0000⟩ → X0 → |0001⟩ → CNOT(0, 3) → |1001⟩ → SWAP(3, 1) → |0011⟩.
    assert_eq!(land(&c, 0b0000), 0b0011);
    assert_eq!(land(&c, 0b0001), 0b0000);
    assert_lands(&c, 0b0110);
}

/// Four gates on qubits 11 to 15 of 16, across the 2^15-amplitude block boundary (a 248-gate random circuit
/// on 17 qubits at first). From |q13 = q14 = 1⟩: SWAP keeps both set, the Xs set 15 and 11, the CNOT (14 set)
/// clears 15; `run` leaves the state where it was.
#[test]
fn a_four_gate_run_across_the_block_boundary() {
    let mut c = Circuit::new(16).unwrap();
    c.swap(14, 13).unwrap().x(15).unwrap().x(11).unwrap().cnot(14, 15).unwrap();
    assert_eq!(land(&c, 1 << 13 | 1 << 14), 1 << 14 | 1 << 13 | 1 << 11);
    assert_lands(&c, 1 << 13 | 1 << 14);
}

/// Sixteen gates on the low qubits of 14: three CNOTs and an X, then a SWAP ladder down and back up (an 88-gate
/// random circuit at first).
#[test]
fn a_sixteen_gate_run_on_low_qubits() {
    let mut c = Circuit::new(14).unwrap();
    c.cnot(10, 12).unwrap().x(12).unwrap().cnot(13, 8).unwrap().cnot(10, 9).unwrap();
    for q in (5..=10).rev() {
        c.swap(q, q - 1).unwrap();
    }
    for q in 4..10 {
        c.swap(q, q + 1).unwrap();
    }
    assert_eq!(c.len(), 16);
    assert_lands(&c, 1 << 10);
}

/// CNOTs and a SWAP on the three highest of 16 qubits with an X on qubit 9 in the middle of the run.
#[test]
fn an_x_on_qubit_9_inside_a_run_on_high_qubits() {
    let mut c = Circuit::new(16).unwrap();
    c.cnot(15, 14).unwrap().cnot(15, 13).unwrap().x(9).unwrap().swap(13, 14).unwrap();
    assert_lands(&c, 0);
}

/// As above with the X on qubit 2: besides the wrong state, the last row written runs past the end of the
/// state's buffer. The run goes in a child process of this test binary, so that a heap corruption there fails
/// this test instead of aborting the others.
#[test]
fn an_x_on_qubit_2_inside_a_run_on_high_qubits() {
    const CHILD: &str = "QNET_ENGINE_PERMUTATION_RUNS_CHILD";
    let name = "an_x_on_qubit_2_inside_a_run_on_high_qubits";
    if std::env::var_os(CHILD).is_some() {
        let mut c = Circuit::new(16).unwrap();
        c.cnot(15, 14).unwrap().cnot(15, 13).unwrap().x(2).unwrap().swap(13, 14).unwrap();
        assert_lands(&c, 0);
        return;
    }
    let exe = std::env::current_exe().unwrap();
    let child =
        std::process::Command::new(exe).args(["--exact", name, "--nocapture"]).env(CHILD, "1").output().unwrap();
    assert!(
        child.status.success(),
        "the run in a child process failed ({}):\n{}",
        child.status,
        String::from_utf8_lossy(&child.stderr)
    );
}

/// The same high run without the X is right.
#[test]
fn the_high_run_without_the_x() {
    let mut c = Circuit::new(16).unwrap();
    c.cnot(15, 14).unwrap().cnot(15, 13).unwrap().swap(13, 14).unwrap().cnot(14, 13).unwrap();
    for start in [0, 1 << 13, 1 << 15 | 1 << 2, 0xffff] {
        assert_lands(&c, start);
    }
}
