//! PennyLane's `Rot(φ, θ, ω)` = RZ(ω)·RY(θ)·RZ(φ): its matrix against PennyLane's own output and against the
//! product of its factors, its inverse, closed-form expectations and gradients by every method, and OpenQASM
//! export.

use approx::assert_relative_eq;
use nalgebra::DMatrix;
use qnet::grad::{DiffMethod, Outputs, QuantumFunction};
use qnet::prelude::*;

fn c(re: f64, im: f64) -> Complex64 {
    Complex64::new(re, im)
}

/// (φ, θ, ω) and the matrix entries (re, im), row-major.
type Reference = ((f64, f64, f64), [(f64, f64); 4]);

/// `qml.Rot(φ, θ, ω, wires=0).matrix()` printed by PennyLane 0.45.1.
const PENNYLANE: [Reference; 2] = [
    (
        (0.1, 0.2, 0.3),
        [
            (0.975170327201816, -0.19767681165408388),
            (-0.09933466539753062, 0.009966711079379183),
            (0.09933466539753062, 0.009966711079379183),
            (0.975170327201816, 0.19767681165408388),
        ],
    ),
    (
        (-1.3, 2.4, 0.7),
        [
            (0.3461735849691837, 0.10708403848828554),
            (-0.5035828673073257, 0.7842838475482936),
            (0.5035828673073257, 0.7842838475482936),
            (0.3461735849691837, -0.10708403848828554),
        ],
    ),
];

#[test]
fn matrix_matches_pennylane() {
    for ((phi, theta, omega), expected) in PENNYLANE {
        let m = Gate::Rot(phi.into(), theta.into(), omega.into()).matrix().unwrap();
        let e = DMatrix::from_row_slice(2, 2, &expected.map(|(re, im)| c(re, im)));
        assert_relative_eq!(m, e, epsilon = 1e-15);
    }
}

#[test]
fn matrix_is_the_product_of_its_factors_and_a_phased_u3() {
    for (phi, theta, omega) in [(0.1, 0.2, 0.3), (-2.0, 1.0, 3.0), (0.0, -0.4, 5.1)] {
        let rot = Gate::Rot(phi.into(), theta.into(), omega.into()).matrix().unwrap();
        let product = Gate::RZ(omega.into()).matrix().unwrap()
            * Gate::RY(theta.into()).matrix().unwrap()
            * Gate::RZ(phi.into()).matrix().unwrap();
        assert_relative_eq!(rot, product, epsilon = 1e-15);
        let u3 = Gate::U3(theta.into(), omega.into(), phi.into()).matrix().unwrap();
        assert_relative_eq!(rot, u3 * Complex64::from_polar(1.0, -(phi + omega) / 2.0), epsilon = 1e-15);
        let inverse = Gate::Rot(phi.into(), theta.into(), omega.into()).inverse().matrix().unwrap();
        assert_relative_eq!(&rot * inverse, DMatrix::identity(2, 2), epsilon = 1e-15);
    }
}

/// Rot|0⟩ has Bloch vector (sin θ cos ω, sin θ sin ω, cos θ): ⟨X⟩ = sin θ cos ω, ⟨Z⟩ = cos θ, independent of φ.
#[test]
fn expectations_and_gradients_in_closed_form() {
    let mut circuit = Circuit::new(1).unwrap();
    circuit.rot(0, Param::weight(0), Param::weight(1), Param::weight(2)).unwrap();
    let outputs = Outputs::Observables(vec![PauliString::parse("X").unwrap().into(), Observable::sum_z(1).unwrap()]);
    let f = QuantumFunction::new(circuit, outputs).unwrap();
    let (phi, theta, omega): (f64, f64, f64) = (0.4, 1.1, -0.8);
    let w = [phi, theta, omega];
    let values = [theta.sin() * omega.cos(), theta.cos()];
    let jw = [[0.0, theta.cos() * omega.cos(), -theta.sin() * omega.sin()], [0.0, -theta.sin(), 0.0]];
    for (method, tol) in
        [(DiffMethod::Adjoint, 1e-14), (DiffMethod::ParameterShift, 1e-14), (DiffMethod::FiniteDifference, 1e-8)]
    {
        let j = f.jacobian(method, &w, &[]).unwrap();
        for i in 0..2 {
            assert_relative_eq!(j.values[i], values[i], epsilon = 1e-15);
            for (k, expected) in jw[i].iter().enumerate() {
                assert!((j.weights[(i, k)] - expected).abs() < tol, "{method:?} ∂f{i}/∂w{k}");
            }
        }
    }
}

/// With a control, each angle of Rot needs the four-term rule; the shift Jacobian still equals the adjoint one.
#[test]
fn controlled_rot_takes_four_terms() {
    let rot = Gate::Rot(0.1.into(), 0.2.into(), 0.3.into());
    assert_eq!(rot.slot_shift_rule(1, false), Some(qnet::quantum::ShiftRule::TwoTerm));
    assert_eq!(rot.slot_shift_rule(0, true), Some(qnet::quantum::ShiftRule::FourTerm));
    let mut circuit = Circuit::new(2).unwrap();
    circuit.h(0).unwrap().ry(1, 0.7).unwrap();
    circuit.add_controlled(Gate::Rot(Param::weight(0), Param::weight(1), Param::weight(2)), &[1], &[0]).unwrap();
    let mut o = Observable::sum_z(2).unwrap();
    o.push(PauliString::parse("XX").unwrap());
    let f = QuantumFunction::new(circuit, Outputs::Observables(vec![o])).unwrap();
    let w = [0.9, -1.4, 2.0];
    let (a, s) =
        (f.jacobian(DiffMethod::Adjoint, &w, &[]).unwrap(), f.jacobian(DiffMethod::ParameterShift, &w, &[]).unwrap());
    assert!(a.weights.iter().any(|d| d.abs() > 1e-3));
    for (x, y) in a.weights.iter().zip(s.weights.iter()) {
        assert!((x - y).abs() < 1e-13, "{x} vs {y}");
    }
}

/// OpenQASM has no `rot`: it is exported as rz, ry, rz (controlled alike), and reads back to the same unitary.
#[test]
fn exports_to_openqasm_as_its_factors() {
    let mut circuit = Circuit::new(2).unwrap();
    circuit.h(0).unwrap().rot(1, 0.3, -1.2, 2.5).unwrap();
    circuit.add_controlled(Gate::Rot(0.5.into(), 0.6.into(), 0.7.into()), &[1], &[0]).unwrap();
    let text = qnet::qasm::to_qasm(&circuit).unwrap();
    assert!(text.contains("rz(") && text.contains("ry(") && text.contains("cry(") && !text.contains("rot"));
    let back = Program::parse(&text).unwrap().circuit().unwrap();
    let (mut a, mut b) = (StateVector::new(2).unwrap(), StateVector::new(2).unwrap());
    a.run(&circuit, &[], &[]).unwrap();
    b.run(&back, &[], &[]).unwrap();
    assert!((a.fidelity(&b).unwrap() - 1.0).abs() < 1e-13);
    assert_eq!(Gate::Rot(0.1.into(), 0.2.into(), 0.3.into()).to_string(), "rot(0.1, 0.2, 0.3)");
}
