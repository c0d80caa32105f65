//! Export then import: random circuits over every gate (caller unitaries and extra controls included) come
//! back from OpenQASM with the same state vector, global phase included.

use std::f64::consts::PI;

use nalgebra::DMatrix;
use proptest::prelude::*;
use qnet::prelude::*;
use qnet::qasm::{self, Operation, Program};
use rand::{Rng, RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A Haar-ish random unitary: the Q of a QR factorisation of a complex Gaussian-like matrix.
fn random_unitary<R: Rng + ?Sized>(dim: usize, rng: &mut R) -> DMatrix<Complex64> {
    let m = DMatrix::from_fn(dim, dim, |_, _| Complex64::new(rng.random::<f64>() - 0.5, rng.random::<f64>() - 0.5));
    m.qr().q()
}

fn angle<R: Rng + ?Sized>(rng: &mut R) -> Param {
    // Mix exact multiples of π (written as `pi/k`) with arbitrary values.
    if rng.random::<f64>() < 0.3 {
        Param::Const(PI * f64::from(rng.random_range(-8i32..=8)) / 4.0)
    } else {
        Param::Const(rng.random_range(-7.0..7.0))
    }
}

fn random_gate<R: Rng + ?Sized>(rng: &mut R, max_qubits: usize) -> Gate {
    loop {
        let g = match rng.random_range(0..31) {
            0 => Gate::I,
            1 => Gate::X,
            2 => Gate::Y,
            3 => Gate::Z,
            4 => Gate::H,
            5 => Gate::S,
            6 => Gate::Sdg,
            7 => Gate::T,
            8 => Gate::Tdg,
            9 => Gate::SX,
            10 => Gate::SXdg,
            11 => Gate::RX(angle(rng)),
            12 => Gate::RY(angle(rng)),
            13 => Gate::RZ(angle(rng)),
            14 => Gate::Phase(angle(rng)),
            15 => Gate::U3(angle(rng), angle(rng), angle(rng)),
            16 => Gate::CNOT,
            17 => Gate::CY,
            18 => Gate::CZ,
            19 => Gate::SWAP,
            20 => Gate::ISwap,
            21 => Gate::CRX(angle(rng)),
            22 => Gate::CRY(angle(rng)),
            23 => Gate::CRZ(angle(rng)),
            24 => Gate::CPhase(angle(rng)),
            25 => Gate::RXX(angle(rng)),
            26 => Gate::RYY(angle(rng)),
            27 => Gate::RZZ(angle(rng)),
            28 => Gate::Toffoli,
            29 => Gate::Fredkin,
            _ => {
                let dim = if max_qubits >= 2 && rng.random::<bool>() { 4 } else { 2 };
                Gate::unitary(random_unitary(dim, rng)).expect("QR gives a unitary")
            }
        };
        if g.num_qubits() <= max_qubits {
            return g;
        }
    }
}

/// A random circuit on `n` qubits with `len` instructions; some carry up to `max_extra` extra controls.
fn random_circuit(seed: u64, n: usize, len: usize, max_extra: usize) -> Circuit {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut c = Circuit::new(n).unwrap();
    for _ in 0..len {
        let gate = random_gate(&mut rng, n);
        let mut qubits: Vec<usize> = (0..n).collect();
        // Partial Fisher–Yates: the gate's qubits, then its extra controls.
        for i in 0..n {
            let j = rng.random_range(i..n);
            qubits.swap(i, j);
        }
        let k = gate.num_qubits();
        let room = n - k;
        let extra = if room > 0 && rng.random::<f64>() < 0.3 { rng.random_range(1..=room.min(max_extra)) } else { 0 };
        c.add_controlled(gate, &qubits[..k], &qubits[k..k + extra]).unwrap();
    }
    c
}

fn run(c: &Circuit) -> StateVector {
    let mut s = StateVector::new(c.num_qubits()).unwrap();
    // A non-trivial input: a product of random single-qubit rotations, so every amplitude matters.
    let mut prep = Circuit::new(c.num_qubits()).unwrap();
    for q in 0..c.num_qubits() {
        prep.u3(q, 0.3 + q as f64, 1.1 * q as f64, -0.7).unwrap();
    }
    s.run(&prep, &[], &[]).unwrap();
    s.run(c, &[], &[]).unwrap();
    s
}

fn max_diff(a: &StateVector, b: &StateVector) -> f64 {
    a.amplitudes().iter().zip(b.amplitudes()).map(|(x, y)| (x - y).norm()).fold(0.0, f64::max)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn export_then_import_gives_the_same_state(seed in any::<u64>(), n in 1usize..=5, len in 0usize..25) {
        let c = random_circuit(seed, n, len, 3);
        let text = qasm::to_qasm(&c).unwrap();
        let back = Program::parse(&text).unwrap().circuit().unwrap();
        prop_assert_eq!(back.num_qubits(), n);
        let d = max_diff(&run(&c), &run(&back));
        prop_assert!(d < 1e-10, "max amplitude difference {} for\n{}", d, text);
    }

    #[test]
    fn export_is_a_fixed_point_after_one_round(seed in any::<u64>(), n in 1usize..=4, len in 0usize..15) {
        // The second export of an imported circuit reproduces the first text exactly.
        let c = random_circuit(seed, n, len, 2);
        let text = qasm::to_qasm(&c).unwrap();
        let again = qasm::to_qasm(&Program::parse(&text).unwrap().circuit().unwrap()).unwrap();
        let third = qasm::to_qasm(&Program::parse(&again).unwrap().circuit().unwrap()).unwrap();
        prop_assert_eq!(again, third);
    }
}

#[test]
fn gates_with_qelib1_names_are_exported_one_to_one() {
    let mut c = Circuit::new(4).unwrap();
    c.h(0).unwrap().cnot(0, 1).unwrap().cphase(1, 2, PI / 8.0).unwrap().u3(3, 0.1, 0.2, 0.3).unwrap();
    c.rxx(0, 3, -PI / 2.0).unwrap().toffoli(0, 1, 2).unwrap().fredkin(3, 1, 0).unwrap();
    c.add_controlled(Gate::H, &[2], &[0]).unwrap();
    c.add_controlled(Gate::CNOT, &[0, 1], &[2, 3]).unwrap();
    let text = qasm::to_qasm(&c).unwrap();
    let body: Vec<&str> = text.lines().skip(3).collect();
    assert_eq!(
        body,
        vec![
            "h q[0];",
            "cx q[0],q[1];",
            "cp(pi/8) q[1],q[2];",
            "u3(0.1,0.2,0.3) q[3];",
            "rxx(-pi/2) q[0],q[3];",
            "ccx q[0],q[1],q[2];",
            "cswap q[3],q[1],q[0];",
            "ch q[0],q[2];",
            "c3x q[0],q[2],q[3],q[1];",
        ]
    );
}

#[test]
fn iswap_and_ryy_are_exact_gate_definitions() {
    // The definitions the exporter writes reproduce the gates' matrices, phase included.
    for gate in [Gate::ISwap, Gate::RYY(0.37.into()), Gate::RYY((-2.0).into())] {
        let mut c = Circuit::new(2).unwrap();
        c.add(gate.clone(), &[0, 1]).unwrap();
        let text = qasm::to_qasm(&c).unwrap();
        assert!(text.contains("\ngate "), "{text}");
        let back = Program::parse(&text).unwrap().circuit().unwrap();
        for basis in 0..4 {
            let mut a = StateVector::basis(2, basis).unwrap();
            let mut b = a.clone();
            a.run(&c, &[], &[]).unwrap();
            b.run(&back, &[], &[]).unwrap();
            assert!(max_diff(&a, &b) < 1e-12, "{gate:?} on |{basis}⟩");
        }
    }
}

#[test]
fn measure_all_adds_a_register_and_final_measurements() {
    let mut c = Circuit::new(2).unwrap();
    c.h(0).unwrap().cnot(0, 1).unwrap();
    let mut program = Program::from_circuit(&c).unwrap();
    program.measure_all().unwrap();
    let text = program.to_qasm().unwrap();
    assert!(
        text.ends_with(
            "creg meas[2];\nh q[0];\ncx q[0],q[1];\nbarrier q;\nmeasure q[0] -> meas[0];\nmeasure q[1] -> meas[1];\n"
        ),
        "{text}"
    );
    assert!(program.measure_all().is_err(), "a second `meas` register would clash");
    assert_eq!(Program::parse(&text).unwrap(), program);
}

#[test]
fn weights_must_be_bound_before_export() {
    let mut c = Circuit::new(1).unwrap();
    c.ry(0, Param::weight(0)).unwrap();
    assert!(matches!(qasm::to_qasm(&c), Err(Error::UnboundParameter { .. })));
    let bound = c.bind(&[0.5], &[]).unwrap();
    assert_eq!(qasm::to_qasm(&bound).unwrap().lines().last(), Some("ry(0.5) q[0];"));
}

#[test]
fn too_many_controls_are_refused_not_expanded_forever() {
    let mut c = Circuit::new(12).unwrap();
    c.add_controlled(Gate::RY(0.3.into()), &[0], &(1..12).collect::<Vec<_>>()).unwrap();
    assert!(matches!(qasm::to_qasm(&c), Err(Error::TooManyControls { controls: 11, .. })));
    // Named multi-controlled X up to four controls stays one line.
    let mut x = Circuit::new(5).unwrap();
    x.add_controlled(Gate::X, &[4], &[0, 1, 2, 3]).unwrap();
    assert!(qasm::to_qasm(&x).unwrap().ends_with("c4x q[0],q[1],q[2],q[3],q[4];\n"));
}

#[test]
fn programs_round_trip_with_measurement_reset_and_conditions() {
    let src = "OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg a[2];\nqreg b[1];\ncreg c[2];\ncreg d[1];\n\
               u3(0.5,pi/3,-0.25) a[0];\ncx a[0],b[0];\nbarrier a,b;\nmeasure a[0] -> c[1];\nreset a[0];\n\
               if(c==2) x a[1];\nif(d==0) measure b[0] -> d[0];\nbarrier a[1],b;\n";
    let p = Program::parse(src).unwrap();
    assert_eq!(p.to_qasm().unwrap(), src);
    assert!(matches!(p.operations()[5], Operation::Conditional { creg: 0, value: 2, .. }));
}

#[test]
fn public_types_are_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Program>();
    check::<Operation>();
    check::<qasm::Register>();
}
