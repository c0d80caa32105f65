//! The public constructors, given values out of their range: each returns a typed error and none panics (the
//! README's promise, checked by calling each one under `catch_unwind`).

use std::panic::{catch_unwind, UnwindSafe};

use nalgebra::DMatrix;
use num_complex::Complex64 as C;
use qnet::grad::{QuantumFunction, Workspace};
use qnet::info::DensityMatrix;
use qnet::layer::{LayerConfig, Linear, QuantumLayer};
use qnet::physics::{hardware_efficient_ansatz, heisenberg_xxz, transverse_field_ising, Boundary};
use qnet::prelude::*;
use qnet::quantum::{Pauli, UnitaryMatrix, MAX_QUBITS};
use qnet::tagger::{ClassificationReport, LinearChainCrf, Prefix, Scheme, Tag, TagSet};

/// Runs `make` and returns its error; fails the test if it panics or succeeds.
fn error_of<T, F>(what: &str, make: F) -> Error
where
    F: FnOnce() -> qnet::Result<T> + UnwindSafe,
{
    match catch_unwind(make) {
        Ok(Ok(_)) => panic!("{what}: accepted an out-of-range value"),
        Ok(Err(e)) => e,
        Err(_) => panic!("{what}: panicked instead of returning an error"),
    }
}

#[test]
fn pauli_constructors_refuse_qubits_beyond_max_qubits() {
    for qubit in [MAX_QUBITS, MAX_QUBITS + 1, usize::MAX] {
        let err = error_of("PauliString::z", move || PauliString::z(qubit));
        assert_eq!(err, Error::InvalidQubit { qubit, num_qubits: MAX_QUBITS });
        let err = error_of("PauliString::new", move || PauliString::new(1.0, &[(qubit, Pauli::Z)]));
        assert_eq!(err, Error::InvalidQubit { qubit, num_qubits: MAX_QUBITS });
    }
    // The last qubit in range is accepted, and acts where it says.
    let last = PauliString::z(MAX_QUBITS - 1).unwrap();
    assert_eq!((last.min_qubits(), last.ops()), (MAX_QUBITS, &[(MAX_QUBITS - 1, Pauli::Z)][..]));

    for n in [MAX_QUBITS + 1, MAX_QUBITS + 2, usize::MAX] {
        let err = error_of("Observable::sum_z", move || Observable::sum_z(n));
        assert_eq!(err, Error::InvalidQubit { qubit: n - 1, num_qubits: MAX_QUBITS });
    }
    let widest = Observable::sum_z(MAX_QUBITS).unwrap();
    assert_eq!((widest.len(), widest.min_qubits()), (MAX_QUBITS, MAX_QUBITS));
    // Each term is Z on its own qubit, in order.
    assert!(widest.terms().iter().enumerate().all(|(q, t)| t.ops() == [(q, Pauli::Z)] && t.coeff() == 1.0));

    let label = format!("Z{}", "I".repeat(MAX_QUBITS));
    let err = error_of("PauliString::parse", move || PauliString::parse(&label));
    assert_eq!(err, Error::InvalidQubit { qubit: MAX_QUBITS, num_qubits: MAX_QUBITS });
    let err = error_of("with_coeff", || PauliString::z(0).and_then(|p| p.with_coeff(f64::NAN)));
    assert!(matches!(err, Error::NonFinite { .. }));
}

#[test]
fn state_circuit_and_matrix_constructors_refuse_bad_sizes() {
    assert_eq!(error_of("Circuit::new", || Circuit::new(0)), Error::ZeroQubits);
    assert_eq!(error_of("StateVector::new(0)", || StateVector::new(0)), Error::ZeroQubits);
    assert!(matches!(
        error_of("StateVector::new", || StateVector::new(MAX_QUBITS + 1)),
        Error::TooManyQubits { num_qubits, .. } if num_qubits == MAX_QUBITS + 1
    ));
    assert_eq!(
        error_of("StateVector::basis", || StateVector::basis(2, 4)),
        Error::InvalidBasisState { index: 4, num_qubits: 2, dim: 4 }
    );
    assert_eq!(
        error_of("StateVector::from_amplitudes", || StateVector::from_amplitudes(vec![C::new(1.0, 0.0); 3])),
        Error::InvalidStateLength { len: 3 }
    );
    let three = DMatrix::<C>::identity(3, 3);
    assert_eq!(
        error_of("Gate::unitary", || Gate::unitary(three.clone())),
        Error::UnsupportedMatrixSize { rows: 3, cols: 3 }
    );
    assert_eq!(
        error_of("UnitaryMatrix::new", || UnitaryMatrix::new(DMatrix::<C>::identity(3, 3))),
        Error::UnsupportedMatrixSize { rows: 3, cols: 3 }
    );
    assert_eq!(error_of("DensityMatrix::maximally_mixed", || DensityMatrix::maximally_mixed(0)), Error::ZeroQubits);
    assert!(matches!(
        error_of("DensityMatrix::maximally_mixed", || DensityMatrix::maximally_mixed(usize::MAX)),
        Error::MatrixTooLarge { num_qubits: usize::MAX, .. }
    ));
    assert!(matches!(error_of("Workspace::new", || Workspace::new(MAX_QUBITS + 1)), Error::TooManyQubits { .. }));
}

#[test]
fn layer_physics_and_optimiser_constructors_refuse_bad_values() {
    assert!(matches!(
        error_of("QuantumLayer::new", || QuantumLayer::new(0, 1)),
        Error::ZeroQubits | Error::InvalidHyperParameter { .. }
    ));
    assert!(error_of("QuantumLayer::new", || QuantumLayer::new(MAX_QUBITS + 1, 1)).to_string().contains("qubit"));
    assert!(matches!(
        error_of("LayerConfig::build", || LayerConfig::new(usize::MAX, usize::MAX).build()),
        Error::InvalidHyperParameter { .. } | Error::TooManyQubits { .. } | Error::TooLarge { .. }
    ));
    let _ = error_of("QuantumNetwork::new", || QuantumNetwork::new(1, MAX_QUBITS + 1, 1, 1));
    let err = error_of("Linear::new", || {
        let mut rng = <rand_chacha::ChaCha8Rng as rand::SeedableRng>::seed_from_u64(1);
        Linear::new(usize::MAX, usize::MAX, &mut rng)
    });
    assert!(matches!(err, Error::TooLarge { .. }), "{err}");
    assert!(matches!(error_of("Adam::new", || Adam::new(f64::NAN)), Error::InvalidHyperParameter { .. }));
    assert!(matches!(error_of("Sgd::new", || Sgd::new(-1.0)), Error::InvalidHyperParameter { .. }));
    assert_eq!(error_of("Base::new", || Base::new(1.0)), Error::InvalidBase { base: 1.0 });
    assert_eq!(error_of("hardware_efficient_ansatz", || hardware_efficient_ansatz(0, 1)), Error::ZeroQubits);
    let _ = error_of("transverse_field_ising", || transverse_field_ising(usize::MAX, 1.0, 1.0, Boundary::Open));
    let _ = error_of("heisenberg_xxz", || heisenberg_xxz(MAX_QUBITS + 1, 1.0, 1.0, Boundary::Periodic));
    let c = Circuit::new(MAX_QUBITS + 1).unwrap();
    assert!(matches!(
        error_of("QuantumFunction::new", || QuantumFunction::new(c, Outputs::Probabilities)),
        Error::TooManyQubits { .. }
    ));
}

#[test]
fn tagger_constructors_refuse_bad_values() {
    assert_eq!(error_of("Tag::new", || Tag::new(Prefix::B, "")), Error::InvalidTag { tag: "B-".to_string() });
    assert!(matches!(error_of("Tag::parse", || Tag::parse("X-PER")), Error::InvalidTag { .. }));
    assert!(matches!(error_of("TagSet::new", || TagSet::new(["A B"], Scheme::Iob2)), Error::InvalidTag { .. }));
    let digits = ClassificationReport::MAX_DIGITS + 1;
    let report = ClassificationReport::from_tokens([("O", "O")], None);
    assert!(matches!(error_of("with_digits", move || report.with_digits(digits)), Error::InvalidHyperParameter { .. }));
    // A CRF over a tag set is built (its constructor is fallible only for tables that cannot be allocated).
    let crf = LinearChainCrf::new(&TagSet::new(["PER"], Scheme::Iobes).unwrap()).unwrap();
    assert_eq!(crf.num_tags(), 5);
}
