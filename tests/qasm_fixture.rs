//! Agreement with Qiskit in both directions, against statevectors Qiskit Aer computed
//! (tests/fixtures/qasm/make_fixture.py, which says how to regenerate them).
//!
//! - `qiskit_*.qasm`: random circuits written by Qiskit's `qasm2.dumps`; qnet must parse them and reach Aer's
//!   statevector within 1e-10.
//! - `paper_*.qasm`: worked examples of the OpenQASM 2.0 paper; same check on their gates.
//! - `qelib1_all.qasm`: every gate of qelib1.inc once (hand-written); same check.
//! - `qnet_*.qasm`: circuits built here and written by qnet's exporter; Aer's statevector of the text must equal
//!   qnet's own simulation of the circuit (so Qiskit reads qnet's output as qnet means it).
//!   `QNET_WRITE_FIXTURES=1 cargo test --test qasm_fixture` rewrites these files from the circuits below;
//!   the Python script must then be run again.

use std::f64::consts::PI;
use std::fs;
use std::path::{Path, PathBuf};

use nalgebra::DMatrix;
use qnet::prelude::*;
use qnet::qasm::{self, Program};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

const TOLERANCE: f64 = 1e-10;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/qasm")
}

/// Reads a `.sv` file: one amplitude per line, `re im`; `#` starts a comment.
fn read_statevector(path: &Path) -> Vec<Complex64> {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let mut parts = l.split_whitespace().map(|x| x.parse::<f64>().expect("a number"));
            Complex64::new(parts.next().expect("re"), parts.next().expect("im"))
        })
        .collect()
}

fn simulate(circuit: &Circuit) -> Vec<Complex64> {
    let mut s = StateVector::new(circuit.num_qubits()).unwrap();
    s.run(circuit, &[], &[]).unwrap();
    s.into_amplitudes()
}

fn max_diff(a: &[Complex64], b: &[Complex64]) -> f64 {
    assert_eq!(a.len(), b.len());
    a.iter().zip(b).map(|(x, y)| (x - y).norm()).fold(0.0, f64::max)
}

fn files(prefix: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = fs::read_dir(dir())
        .expect("fixture directory")
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.starts_with(prefix) && name.ends_with(".qasm")
        })
        .collect();
    v.sort();
    v
}

fn check_parsed_against_aer(prefix: &str, at_least: usize) {
    let paths = files(prefix);
    assert!(paths.len() >= at_least, "expected at least {at_least} `{prefix}*` fixtures, found {}", paths.len());
    let mut worst: f64 = 0.0;
    let count = paths.len();
    for path in paths {
        let text = fs::read_to_string(&path).unwrap();
        let program = Program::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let circuit = program.circuit().unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let expected = read_statevector(&path.with_extension("sv"));
        let d = max_diff(&simulate(&circuit), &expected);
        assert!(d < TOLERANCE, "{}: max amplitude difference {d:e}", path.display());
        worst = worst.max(d);
    }
    println!("{prefix}*: {count} files, largest amplitude difference from Aer {worst:.1e}");
}

#[test]
fn circuits_written_by_qiskit_match_aer() {
    check_parsed_against_aer("qiskit_", 20);
}

#[test]
fn every_qelib1_gate_matches_aer() {
    check_parsed_against_aer("qelib1_", 1);
}

#[test]
fn paper_examples_match_aer() {
    check_parsed_against_aer("paper_", 2);
}

fn random_unitary(dim: usize, rng: &mut ChaCha8Rng) -> Gate {
    let m = DMatrix::from_fn(dim, dim, |_, _| Complex64::new(rng.random::<f64>() - 0.5, rng.random::<f64>() - 0.5));
    Gate::unitary(m.qr().q()).unwrap()
}

/// The circuits whose qnet export is checked by Qiskit: every gate kind, caller unitaries, extra controls.
fn qnet_circuits() -> Vec<Circuit> {
    let mut out = Vec::new();
    // Every gate once, with awkward angles.
    let mut c = Circuit::new(4).unwrap();
    c.i(0).unwrap().x(1).unwrap().y(2).unwrap().z(3).unwrap().h(0).unwrap().s(1).unwrap().sdg(2).unwrap();
    c.t(3).unwrap().tdg(0).unwrap().sx(1).unwrap().sxdg(2).unwrap().rx(3, 0.1).unwrap().ry(0, -2.2).unwrap();
    c.rz(1, 3.3).unwrap().phase(2, PI / 3.0).unwrap().u3(3, 0.4, -0.5, 0.6).unwrap().cnot(0, 3).unwrap();
    c.cy(1, 0).unwrap().cz(2, 1).unwrap().swap(3, 2).unwrap().iswap(0, 2).unwrap().crx(1, 3, 0.7).unwrap();
    c.cry(3, 0, -0.8).unwrap().crz(2, 0, 0.9).unwrap().cphase(0, 1, -1.1).unwrap().rxx(1, 2, 1.2).unwrap();
    c.ryy(3, 1, -1.3).unwrap().rzz(0, 3, 1.4).unwrap().toffoli(0, 1, 2).unwrap().fredkin(3, 0, 1).unwrap();
    out.push(c);
    // Caller unitaries and extra controls, drawn with a seeded generator.
    for seed in 0..3u64 {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let n = 5;
        let mut c = Circuit::new(n).unwrap();
        for q in 0..n {
            c.u3(q, rng.random_range(0.0..PI), rng.random_range(-PI..PI), rng.random_range(-PI..PI)).unwrap();
        }
        for _ in 0..12 {
            let mut qubits: Vec<usize> = (0..n).collect();
            for i in 0..n {
                let j = rng.random_range(i..n);
                qubits.swap(i, j);
            }
            let gate = match rng.random_range(0..6) {
                0 => random_unitary(2, &mut rng),
                1 => random_unitary(4, &mut rng),
                2 => Gate::RY(rng.random_range(-3.0..3.0).into()),
                3 => Gate::ISwap,
                4 => Gate::U3(0.3.into(), 0.2.into(), (-0.1).into()),
                _ => Gate::CRZ(rng.random_range(-3.0..3.0).into()),
            };
            let k = gate.num_qubits();
            let extra = rng.random_range(0..=(n - k).min(2));
            c.add_controlled(gate, &qubits[..k], &qubits[k..k + extra]).unwrap();
        }
        out.push(c);
    }
    out
}

#[test]
fn circuits_written_by_qnet_match_aer() {
    let circuits = qnet_circuits();
    if std::env::var_os("QNET_WRITE_FIXTURES").is_some() {
        for (k, c) in circuits.iter().enumerate() {
            fs::write(dir().join(format!("qnet_{k}.qasm")), qasm::to_qasm(c).unwrap()).unwrap();
        }
    }
    assert_eq!(files("qnet_").len(), circuits.len());
    for (k, c) in circuits.iter().enumerate() {
        let path = dir().join(format!("qnet_{k}.qasm"));
        let aer = read_statevector(&path.with_extension("sv"));
        // qnet's simulation of the circuit itself, never through text, against Aer's reading of the export.
        let d = max_diff(&simulate(c), &aer);
        assert!(d < TOLERANCE, "{}: max amplitude difference {d:e}", path.display());
        // And qnet's reading of the same text.
        let parsed = Program::parse(&fs::read_to_string(&path).unwrap()).unwrap().circuit().unwrap();
        assert!(max_diff(&simulate(&parsed), &aer) < TOLERANCE);
        println!("qnet_{k}: largest amplitude difference from Aer {d:.1e}");
    }
}
