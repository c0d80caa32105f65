//! Gradients against closed forms derived by hand, for each method.

use approx::assert_relative_eq;
use qnet::grad::{DiffMethod, Outputs, QuantumFunction};
use qnet::prelude::*;

const METHODS: [DiffMethod; 3] = [DiffMethod::Adjoint, DiffMethod::ParameterShift, DiffMethod::FiniteDifference];
const THETAS: [f64; 5] = [-2.7, -0.4, 0.0, 1.1, 3.0];

fn tol(method: DiffMethod) -> f64 {
    if method == DiffMethod::FiniteDifference {
        1e-8
    } else {
        1e-12
    }
}

fn observables(labels: &[&str]) -> Outputs {
    Outputs::Observables(labels.iter().map(|l| PauliString::parse(l).unwrap().into()).collect())
}

/// ⟨Z⟩ = cos θ after RX(θ): d⟨Z⟩/dθ = −sin θ.
#[test]
fn rx_then_z() {
    let mut c = Circuit::new(1).unwrap();
    c.rx(0, Param::weight(0)).unwrap();
    let f = QuantumFunction::new(c, observables(&["Z"])).unwrap();
    for method in METHODS {
        for theta in THETAS {
            let j = f.jacobian(method, &[theta], &[]).unwrap();
            assert_relative_eq!(j.values[0], theta.cos(), epsilon = 1e-12);
            assert_relative_eq!(j.weights[(0, 0)], -theta.sin(), epsilon = tol(method));
        }
    }
}

/// A Bell pair (|00⟩ + |11⟩)/√2 then RY(θ) on qubit 0: RY†Z₀RY = cos θ Z₀ − sin θ X₀, and on the Bell pair
/// ⟨Z₀Z₁⟩ = 1, ⟨X₀Z₁⟩ = 0, so ⟨Z₀Z₁⟩ = cos θ and its derivative is −sin θ. The angle is an input here.
#[test]
fn bell_pair_rotated_zz() {
    let mut c = Circuit::new(2).unwrap();
    c.h(0).unwrap().cnot(0, 1).unwrap().ry(0, Param::input(0)).unwrap();
    let f = QuantumFunction::new(c, observables(&["ZZ", "ZI"])).unwrap();
    for method in METHODS {
        for theta in THETAS {
            let j = f.jacobian(method, &[], &[theta]).unwrap();
            assert_relative_eq!(j.values[0], theta.cos(), epsilon = 1e-12);
            assert_relative_eq!(j.inputs[(0, 0)], -theta.sin(), epsilon = tol(method));
            // ⟨Z₁⟩ = 0 whatever θ: the reduced state of qubit 1 is maximally mixed.
            assert_relative_eq!(j.inputs[(1, 0)], 0.0, epsilon = tol(method));
        }
    }
}

/// Controlled rotations with the control prepared by RY(a): p = P(control = 1) = sin²(a/2), dp/da = sin(a)/2.
/// CRX(θ) on |0⟩: ⟨Z₁⟩ = (1 − p) + p cos θ. CRY(θ) on |0⟩: ⟨X₁⟩ = p sin θ. CRZ(θ) on |+⟩: ⟨X₁⟩ = (1 − p) + p cos θ.
#[test]
fn controlled_rotations_by_hand() {
    let a = 0.9f64;
    let p = (a / 2.0).sin().powi(2);
    let dp = a.sin() / 2.0;
    type Closed = fn(f64, f64, f64) -> (f64, f64, f64);
    let cases: [(Gate, &str, bool, Closed); 3] = [
        (Gate::CRX(Param::weight(1)), "ZI", false, |p, dp, t| {
            ((1.0 - p) + p * t.cos(), dp * (t.cos() - 1.0), -p * t.sin())
        }),
        (Gate::CRY(Param::weight(1)), "XI", false, |p, dp, t| (p * t.sin(), dp * t.sin(), p * t.cos())),
        (Gate::CRZ(Param::weight(1)), "XI", true, |p, dp, t| {
            ((1.0 - p) + p * t.cos(), dp * (t.cos() - 1.0), -p * t.sin())
        }),
    ];
    for (gate, label, plus, closed) in cases {
        let mut c = Circuit::new(2).unwrap();
        c.ry(0, Param::weight(0)).unwrap();
        if plus {
            c.h(1).unwrap();
        }
        c.add(gate.clone(), &[0, 1]).unwrap();
        let f = QuantumFunction::new(c, observables(&[label])).unwrap();
        for method in METHODS {
            for theta in THETAS {
                let (value, d_a, d_theta) = closed(p, dp, theta);
                let j = f.jacobian(method, &[a, theta], &[]).unwrap();
                assert_relative_eq!(j.values[0], value, epsilon = 1e-12);
                assert_relative_eq!(j.weights[(0, 0)], d_a, epsilon = tol(method));
                assert_relative_eq!(j.weights[(0, 1)], d_theta, epsilon = tol(method));
            }
        }
    }
}

/// Phase, U3 and the two-qubit rotations.
/// H·Phase(λ)·H: ⟨Z⟩ = cos λ. U3(θ, φ, λ)|+⟩: ⟨Z⟩ = −sin θ cos λ. U3(θ, φ, λ)|0⟩: ⟨X⟩ = sin θ cos φ.
/// RXX(θ)|00⟩ and RYY(θ)|00⟩: ⟨Z₀⟩ = cos θ. RZZ(θ)|++⟩: ⟨X₀⟩ = cos θ.
#[test]
fn phase_u3_and_two_qubit_rotations() {
    let (t, ph, l) = (0.7f64, -1.2f64, 2.3f64);
    for method in METHODS {
        let e = tol(method);
        let mut c = Circuit::new(1).unwrap();
        c.h(0).unwrap().phase(0, Param::weight(0)).unwrap().h(0).unwrap();
        let j = QuantumFunction::new(c, observables(&["Z"])).unwrap().jacobian(method, &[l], &[]).unwrap();
        assert_relative_eq!(j.weights[(0, 0)], -l.sin(), epsilon = e);

        let mut c = Circuit::new(1).unwrap();
        c.h(0).unwrap().u3(0, Param::weight(0), Param::weight(1), Param::weight(2)).unwrap();
        let j = QuantumFunction::new(c, observables(&["Z"])).unwrap().jacobian(method, &[t, ph, l], &[]).unwrap();
        assert_relative_eq!(j.values[0], -t.sin() * l.cos(), epsilon = 1e-12);
        assert_relative_eq!(j.weights[(0, 0)], -t.cos() * l.cos(), epsilon = e);
        assert_relative_eq!(j.weights[(0, 1)], 0.0, epsilon = e);
        assert_relative_eq!(j.weights[(0, 2)], t.sin() * l.sin(), epsilon = e);

        let mut c = Circuit::new(1).unwrap();
        c.u3(0, Param::weight(0), Param::weight(1), Param::weight(2)).unwrap();
        let j = QuantumFunction::new(c, observables(&["X"])).unwrap().jacobian(method, &[t, ph, l], &[]).unwrap();
        assert_relative_eq!(j.weights[(0, 0)], t.cos() * ph.cos(), epsilon = e);
        assert_relative_eq!(j.weights[(0, 1)], -t.sin() * ph.sin(), epsilon = e);
        assert_relative_eq!(j.weights[(0, 2)], 0.0, epsilon = e);

        for (gate, prep_plus, label) in [
            (Gate::RXX(Param::weight(0)), false, "IZ"),
            (Gate::RYY(Param::weight(0)), false, "IZ"),
            (Gate::RZZ(Param::weight(0)), true, "IX"),
        ] {
            let mut c = Circuit::new(2).unwrap();
            if prep_plus {
                c.h(0).unwrap().h(1).unwrap();
            }
            c.add(gate, &[0, 1]).unwrap();
            let j = QuantumFunction::new(c, observables(&[label])).unwrap().jacobian(method, &[t], &[]).unwrap();
            assert_relative_eq!(j.values[0], t.cos(), epsilon = 1e-12);
            assert_relative_eq!(j.weights[(0, 0)], -t.sin(), epsilon = e);
        }
    }
}

/// The VJP of the probabilities p₀ = cos²(θ/2), p₁ = sin²(θ/2) after RY(θ) with g = (g₀, g₁) is
/// (g₁ − g₀)·sin(θ)/2.
#[test]
fn probabilities_vjp() {
    let mut c = Circuit::new(1).unwrap();
    c.ry(0, Param::weight(0)).unwrap();
    let f = QuantumFunction::new(c, Outputs::Probabilities).unwrap();
    for method in METHODS {
        for theta in THETAS {
            let v = f.vjp(method, &[theta], &[], &[0.3, -1.2]).unwrap();
            assert_relative_eq!(v.values[0], (theta / 2.0).cos().powi(2), epsilon = 1e-12);
            assert_relative_eq!(v.weights[0], (-1.2 - 0.3) * theta.sin() / 2.0, epsilon = tol(method));
        }
    }
}
