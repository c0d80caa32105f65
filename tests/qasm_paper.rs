//! The worked examples of the OpenQASM 2.0 paper (Cross, Bishop, Smolin, Gambetta, "Open Quantum Assembly
//! Language", arXiv:1707.03429): the 4-qubit QFT, the ripple-carry adder, quantum teleportation (measurement
//! and classically controlled gates) and the measured inverse QFT (`if` on a whole register).

use std::collections::BTreeMap;
use std::path::Path;

use qnet::prelude::*;
use qnet::qasm::{Operation, Program};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/qasm").join(name);
    std::fs::read_to_string(path).unwrap()
}

fn rng() -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(2017)
}

/// The paper's teleportation figure: q[0] prepared by u3(0.3,0.2,0.1) and teleported to q[2], with one
/// one-bit classical register per measurement.
const TELEPORT: &str = r#"// quantum teleportation example
OPENQASM 2.0;
include "qelib1.inc";
qreg q[3];
creg c0[1];
creg c1[1];
creg c2[1];
// optional post-rotation for state tomography
gate post q { }
u3(0.3,0.2,0.1) q[0];
h q[1];
cx q[1],q[2];
barrier q;
cx q[0],q[1];
h q[0];
measure q[0] -> c0[0];
measure q[1] -> c1[0];
if(c0==1) z q[2];
if(c1==1) x q[2];
post q[2];
measure q[2] -> c2[0];
"#;

/// The paper's "QFT and measure, version 1": the inverse QFT with the controlled phases replaced by
/// classically controlled rotations (the measurements commute with the controls), applied to |+⟩^4.
const INVERSE_QFT: &str = r#"// QFT and measure, version 1
OPENQASM 2.0;
include "qelib1.inc";
qreg q[4];
creg c[4];
h q;
barrier q;
h q[0];
measure q[0] -> c[0];
if(c==1) u1(pi/2) q[1];
h q[1];
measure q[1] -> c[1];
if(c==1) u1(pi/4) q[2];
if(c==2) u1(pi/2) q[2];
if(c==3) u1(pi/2+pi/4) q[2];
h q[2];
measure q[2] -> c[2];
if(c==1) u1(pi/8) q[3];
if(c==2) u1(pi/4) q[3];
if(c==3) u1(pi/4+pi/8) q[3];
if(c==4) u1(pi/2) q[3];
if(c==5) u1(pi/2+pi/8) q[3];
if(c==6) u1(pi/2+pi/4) q[3];
if(c==7) u1(pi/2+pi/4+pi/8) q[3];
h q[3];
measure q[3] -> c[3];
"#;

#[test]
fn qft_of_1010_is_uniform() {
    let program = Program::parse(&fixture("paper_qft.qasm")).unwrap();
    assert_eq!((program.num_qubits(), program.num_clbits()), (4, 4));
    let circuit = program.circuit().unwrap();
    assert_eq!(circuit.gate_counts().get("cp"), Some(&6));
    let mut state = StateVector::new(4).unwrap();
    state.run(&circuit, &[], &[]).unwrap();
    for p in state.probabilities() {
        assert!((p - 1.0 / 16.0).abs() < 1e-12);
    }
    let counts = program.sample(16_000, &mut rng()).unwrap();
    assert_eq!(counts.len(), 16);
    for (key, n) in counts {
        assert_eq!(key.len(), 4);
        assert!((n as f64 - 1000.0).abs() < 150.0, "{key}: {n}");
    }
}

#[test]
fn ripple_carry_adder_computes_1_plus_15() {
    let program = Program::parse(&fixture("paper_adder.qasm")).unwrap();
    assert_eq!(program.qregs().iter().map(|r| r.name()).collect::<Vec<_>>(), vec!["cin", "a", "b", "cout"]);
    let counts = program.sample(100, &mut rng()).unwrap();
    // ans = b + carry·16 = 16: "10000".
    assert_eq!(counts, BTreeMap::from([("10000".to_string(), 100)]));
}

#[test]
fn teleportation_parses_into_measurements_and_conditions() {
    let program = Program::parse(TELEPORT).unwrap();
    let ops = program.operations();
    assert_eq!(ops.iter().filter(|o| matches!(o, Operation::Measure { .. })).count(), 3);
    // `post` has an empty body and expands to nothing: the conditional X comes just before the last measurement.
    assert!(matches!(&ops[ops.len() - 2], Operation::Conditional { creg: 1, value: 1, .. }));
    // The classically controlled gates make it a program, not a circuit.
    let err = program.circuit().unwrap_err();
    assert_eq!(
        err.to_string(),
        "operation 8 (if(c0==1) z q[2]) makes the program non-unitary: run it with `sample` instead"
    );
}

/// The teleported qubit measured after undoing the preparation: 0 in every shot iff teleportation worked.
fn undo_preparation(src: &str) -> String {
    src.replace("post q[2];", "u3(-0.3,-0.1,-0.2) q[2];")
}

#[test]
fn teleportation_moves_the_state_in_every_shot() {
    let program = Program::parse(&undo_preparation(TELEPORT)).unwrap();
    let counts = program.sample(4000, &mut rng()).unwrap();
    // Keys are "c2 c1 c0": c2 is always 0, and the four Bell outcomes are equally likely.
    assert_eq!(counts.len(), 4);
    for (key, n) in &counts {
        assert!(key.starts_with("0 "), "{key}");
        assert!((*n as f64 - 1000.0).abs() < 150.0, "{key}: {n}");
    }
}

#[test]
fn teleportation_without_the_corrections_fails() {
    let src = undo_preparation(TELEPORT).replace("if(c0==1) z q[2];\n", "").replace("if(c1==1) x q[2];\n", "");
    let counts = Program::parse(&src).unwrap().sample(4000, &mut rng()).unwrap();
    let failures: usize = counts.iter().filter(|(k, _)| k.starts_with("1 ")).map(|(_, n)| n).sum();
    assert!(failures > 1000, "{counts:?}");
}

#[test]
fn teleported_qubit_has_the_prepared_statistics() {
    // u3(0.3,..)|0⟩ gives 1 with probability sin²(0.15).
    let counts = Program::parse(TELEPORT).unwrap().sample(20_000, &mut rng()).unwrap();
    let ones: usize = counts.iter().filter(|(k, _)| k.starts_with('1')).map(|(_, n)| n).sum();
    let p = 0.15f64.sin().powi(2);
    let sigma = (p * (1.0 - p) / 20_000.0).sqrt();
    assert!((ones as f64 / 20_000.0 - p).abs() < 5.0 * sigma, "{ones}");
}

#[test]
fn run_shot_leaves_the_teleported_state_on_q2() {
    let program = Program::parse(&TELEPORT.replace("measure q[2] -> c2[0];\n", "")).unwrap();
    let mut expected = StateVector::new(1).unwrap();
    expected.apply_gate(&Gate::U3(0.3.into(), 0.2.into(), 0.1.into()), &[0]).unwrap();
    let mut r = rng();
    for _ in 0..20 {
        let (state, bits) = program.run_shot(&mut r).unwrap();
        // q0 and q1 are collapsed to the measured bits; q2 carries the prepared state (up to a global sign).
        let base = usize::from(bits[0]) | usize::from(bits[1]) << 1;
        let a = state.amplitudes();
        let on_q2 = StateVector::from_amplitudes(vec![a[base], a[base | 4]]).unwrap();
        assert!((on_q2.fidelity(&expected).unwrap() - 1.0).abs() < 1e-12);
    }
}

#[test]
fn whole_register_conditions_compare_the_register_value() {
    // The single-register version (c[3]; if(c==1) z; if(c==2) x;) never corrects the c == 3 outcome: the
    // condition compares the whole register, so teleportation fails exactly when both bits are 1.
    let single = undo_preparation(TELEPORT)
        .replace("creg c0[1];\ncreg c1[1];\ncreg c2[1];", "creg c[3];")
        .replace("c0[0]", "c[0]")
        .replace("c1[0]", "c[1]")
        .replace("c2[0]", "c[2]")
        .replace("if(c0==1)", "if(c==1)")
        .replace("if(c1==1)", "if(c==2)");
    let counts = Program::parse(&single).unwrap().sample(4000, &mut rng()).unwrap();
    for key in counts.keys() {
        if let Some(rest) = key.strip_prefix('1') {
            assert_eq!(rest, "11", "{counts:?}");
        }
    }
    assert!(counts.keys().any(|k| k == "111"), "{counts:?}");
}

#[test]
fn measured_inverse_qft_of_uniform_superposition_reads_zero() {
    let counts = Program::parse(INVERSE_QFT).unwrap().sample(200, &mut rng()).unwrap();
    assert_eq!(counts, BTreeMap::from([("0000".to_string(), 200)]));
}

#[test]
fn measured_inverse_qft_reads_every_fourier_state() {
    // Prepare qubit j as (|0⟩ + e^{iθ_j}|1⟩)/√2 with θ_j = π·x_j − Σ_{k<j} π·x_k / 2^{j−k}: the semiclassical
    // inverse QFT then measures the bits x_0 … x_3 of x, using every `if(c==n)` branch along the way.
    for x in 0..16usize {
        let bit = |k: usize| ((x >> k) & 1) as f64;
        let mut prep = String::new();
        for j in 0..4 {
            let theta = std::f64::consts::PI * (bit(j) - (0..j).map(|k| bit(k) / f64::from(1 << (j - k))).sum::<f64>());
            prep.push_str(&format!("h q[{j}];\nu1({theta:?}) q[{j}];\n"));
        }
        let src = INVERSE_QFT.replace("h q;\n", &prep);
        let counts = Program::parse(&src).unwrap().sample(50, &mut rng()).unwrap();
        assert_eq!(counts, BTreeMap::from([(format!("{x:04b}"), 50)]), "x = {x}");
    }
}
