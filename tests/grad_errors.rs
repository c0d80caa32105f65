//! Bad input to the differentiation API gives typed errors, never panics.

use qnet::error::{NonFiniteKind, ParamKind};
use qnet::grad::{DiffMethod, Gradients, Outputs, QuantumFunction, Workspace};
use qnet::prelude::*;
use rand::SeedableRng;

fn function() -> QuantumFunction {
    let mut c = Circuit::new(2).unwrap();
    c.rx(0, Param::input(0)).unwrap().ry(1, Param::weight(0)).unwrap().cnot(0, 1).unwrap();
    QuantumFunction::new(
        c,
        Outputs::Observables(vec![Observable::sum_z(2).unwrap(), PauliString::z(1).unwrap().into()]),
    )
    .unwrap()
}

#[test]
fn zero_qubits_and_out_of_range_observables() {
    assert!(matches!(Circuit::new(0), Err(Error::ZeroQubits)));
    assert!(matches!(Workspace::new(0), Err(Error::ZeroQubits)));
    let c = Circuit::new(2).unwrap();
    let err =
        QuantumFunction::new(c.clone(), Outputs::Observables(vec![PauliString::z(2).unwrap().into()])).unwrap_err();
    assert!(matches!(err, Error::InvalidQubit { qubit: 2, num_qubits: 2 }));
    let err = QuantumFunction::new(c, Outputs::Observables(vec![])).unwrap_err();
    assert!(matches!(err, Error::DimensionMismatch { what: "observables", .. }));
}

#[test]
fn nan_and_missing_parameters() {
    let f = function();
    for method in [DiffMethod::Adjoint, DiffMethod::ParameterShift, DiffMethod::FiniteDifference] {
        let err = f.jacobian(method, &[0.1], &[f64::NAN]).unwrap_err();
        assert!(
            matches!(err, Error::NonFinite { kind: NonFiniteKind::Parameter { kind: ParamKind::Input, index: 0 }, .. }),
            "{err}"
        );
        let err = f.vjp(method, &[f64::INFINITY], &[0.1], &[1.0, 1.0]).unwrap_err();
        assert!(matches!(
            err,
            Error::NonFinite { kind: NonFiniteKind::Parameter { kind: ParamKind::Weight, index: 0 }, .. }
        ));
        let err = f.jacobian(method, &[], &[0.1]).unwrap_err();
        assert!(matches!(err, Error::ParameterCount { kind: ParamKind::Weight, expected: 1, found: 0 }));
    }
    assert!(f.evaluate(&[0.1], &[f64::NAN]).is_err());
}

#[test]
fn mismatched_dimensions() {
    let f = function();
    let err = f.vjp(DiffMethod::Adjoint, &[0.1], &[0.2], &[1.0]).unwrap_err();
    assert!(matches!(err, Error::DimensionMismatch { what: "upstream gradient", expected: 2, found: 1 }));
    let mut ws = f.workspace().unwrap();
    let tape = f.forward(&[0.1], &[0.2]).unwrap();
    let mut wg = [0.0; 2];
    let err = f.backward(&tape, &[1.0, 1.0], &mut ws, Gradients { weights: &mut wg, inputs: None });
    assert!(matches!(err, Err(Error::DimensionMismatch { what: "weight gradients", expected: 1, found: 2 })));
    let mut wg = [0.0; 1];
    let err = f.backward(&tape, &[1.0], &mut ws, Gradients { weights: &mut wg, inputs: None });
    assert!(matches!(err, Err(Error::DimensionMismatch { what: "upstream gradient", expected: 2, found: 1 })));
    let mut xg = [0.0; 3];
    let err = f.backward(&tape, &[1.0, 1.0], &mut ws, Gradients { weights: &mut wg, inputs: Some(&mut xg) });
    assert!(matches!(err, Err(Error::DimensionMismatch { what: "input gradients", expected: 1, found: 3 })));
    let mut wrong = Workspace::new(3).unwrap();
    let err = f.backward(&tape, &[1.0, 1.0], &mut wrong, Gradients { weights: &mut wg, inputs: None });
    assert!(matches!(err, Err(Error::QubitCountMismatch { .. })));
    // A tape that has recorded nothing has no parameters to differentiate at.
    let empty = f.tape().unwrap();
    let err = f.backward(&empty, &[1.0, 1.0], &mut ws, Gradients { weights: &mut wg, inputs: None });
    assert!(matches!(err, Err(Error::ParameterCount { .. })));
    // A tape of another function's shape is refused by forward_into and backward.
    let mut other = QuantumFunction::new(Circuit::new(3).unwrap(), Outputs::Probabilities).unwrap().tape().unwrap();
    assert!(matches!(f.forward_into(&[0.1], &[0.2], &mut other), Err(Error::QubitCountMismatch { .. })));
    assert!(f.backward(&other, &[1.0, 1.0], &mut ws, Gradients { weights: &mut wg, inputs: None }).is_err());
    let mut short = [0.0; 1];
    assert!(matches!(
        f.evaluate_into(&[0.1], &[0.2], &mut ws, &mut short),
        Err(Error::DimensionMismatch { what: "outputs", expected: 2, found: 1 })
    ));
}

#[test]
fn bad_shots_and_steps() {
    let f = function();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
    let err = f.parameter_shift(&[0.1], &[0.2], Some(0), &mut rng).unwrap_err();
    assert!(matches!(err, Error::InvalidHyperParameter { name: "shots", .. }));
    for step in [0.0, -1e-3, f64::NAN] {
        let err = f.finite_difference(&[0.1], &[0.2], step).unwrap_err();
        assert!(matches!(err, Error::InvalidHyperParameter { .. }));
    }
    assert!(f.finite_difference(&[0.1], &[0.2], 1e-4).is_ok());
}

/// The machine's `MemTotal`, in bytes (read here, independently of the crate).
#[cfg(target_os = "linux")]
fn mem_total() -> u128 {
    let text = std::fs::read_to_string("/proc/meminfo").unwrap();
    let line = text.lines().find(|l| l.starts_with("MemTotal:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse::<u128>().unwrap() * 1024
}

/// The smallest register whose `states` states together take more than the machine's whole memory.
#[cfg(target_os = "linux")]
fn beyond_memory(states: u128) -> usize {
    (1..60).find(|&n| states * (16u128 << n) > mem_total()).unwrap()
}

#[test]
#[cfg(target_os = "linux")]
fn buffers_beyond_the_machines_memory_are_refused_before_any_work() {
    // Two states that cannot both fit, though either alone might be granted by an overcommitting kernel: the
    // workspace says so before allocating either, naming the bytes of both.
    let n = beyond_memory(2);
    match Workspace::new(n) {
        Err(Error::TooManyQubits { num_qubits, bytes }) => {
            assert_eq!((num_qubits, bytes), (n, 2 * (16u128 << n)));
        }
        other => panic!("expected TooManyQubits for a {n}-qubit workspace, got {other:?}"),
    }
    // The adjoint gradient holds three states (the tape's and the workspace's two): refused before the forward
    // pass with the bytes of all three.
    let n = beyond_memory(3);
    let mut c = Circuit::new(n).unwrap();
    c.ry(0, Param::weight(0)).unwrap();
    let f = QuantumFunction::new(c, Outputs::Observables(vec![PauliString::z(0).unwrap().into()])).unwrap();
    for result in [
        f.jacobian(DiffMethod::Adjoint, &[0.1], &[]).map(drop),
        f.vjp(DiffMethod::Adjoint, &[0.1], &[], &[1.0]).map(drop),
    ] {
        match result {
            Err(Error::TooManyQubits { num_qubits, bytes }) => {
                assert_eq!((num_qubits, bytes), (n, 3 * (16u128 << n)));
            }
            other => panic!("expected TooManyQubits for a {n}-qubit adjoint gradient, got {other:?}"),
        }
    }
}
