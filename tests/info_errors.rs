//! Every invalid input of the info module is reported as its own typed error, carrying the offending value.

use nalgebra::{dmatrix, DMatrix};
use qnet::error::NonFiniteKind;
use qnet::info::{
    boltzmann_distribution, contingency_table, cross_entropy, entanglement_entropy, entanglement_renyi_entropy,
    entropy_from_counts, free_energy, joint_entropy, js_divergence, log_sum_exp, mutual_information_from_counts,
    mutual_information_from_labels, normalize, normalize_table, normalized_mutual_information,
    quantum_mutual_information, reduced_density_matrix, renyi_entropy, schmidt_coefficients, softmax, softmax_entropy,
    AverageMethod, Boltzmann, GibbsState,
};
use qnet::prelude::*;

fn c(re: f64) -> Complex64 {
    Complex64::new(re, 0.0)
}

fn bell() -> StateVector {
    let mut circuit = Circuit::new(2).unwrap();
    circuit.h(0).unwrap().cnot(0, 1).unwrap();
    let mut psi = StateVector::new(2).unwrap();
    psi.run(&circuit, &[], &[]).unwrap();
    psi
}

#[test]
fn base_must_be_finite_and_above_one() {
    for b in [1.0, 0.5, 0.0, -2.0, f64::NAN, f64::INFINITY] {
        match Base::new(b) {
            Err(Error::InvalidBase { base }) => assert!(base.is_nan() && b.is_nan() || base == b),
            other => panic!("base {b}: {other:?}"),
        }
    }
    assert!(Base::new(1.0 + 1e-9).is_ok());
    assert_eq!(Base::try_from(2.0).unwrap(), Base::new(2.0).unwrap());
    assert_eq!(Base::BITS.to_string(), "bits");
}

#[test]
fn empty_inputs() {
    let empty: [f64; 0] = [];
    assert!(matches!(entropy(&empty, Base::BITS), Err(Error::EmptyDistribution { what: "p" })));
    assert!(matches!(renyi_entropy(&empty, 2.0, Base::BITS), Err(Error::EmptyDistribution { .. })));
    assert!(matches!(kl_divergence(&[1.0], &empty, Base::BITS), Err(Error::EmptyDistribution { what: "q" })));
    assert!(matches!(entropy_from_counts(&[], Base::BITS), Err(Error::EmptyDistribution { what: "counts" })));
    assert!(matches!(normalize(&empty), Err(Error::EmptyDistribution { what: "weights" })));
    assert!(matches!(joint_entropy(&DMatrix::zeros(0, 3), Base::BITS), Err(Error::EmptyDistribution { .. })));
    assert!(matches!(normalize_table(&DMatrix::zeros(2, 0)), Err(Error::EmptyDistribution { .. })));
    let no_labels: [u8; 0] = [];
    assert!(matches!(
        mutual_information_from_labels(&no_labels, &no_labels, Base::NATS),
        Err(Error::EmptyDistribution { what: "labels_true" })
    ));
    assert!(matches!(
        mutual_information_from_counts(&DMatrix::<usize>::zeros(0, 0), Base::NATS),
        Err(Error::EmptyDistribution { .. })
    ));
    assert!(matches!(log_sum_exp(&empty), Err(Error::EmptyDistribution { .. })));
    assert!(matches!(Boltzmann::new(&empty, 1.0), Err(Error::EmptyDistribution { what: "energies" })));
    assert!(matches!(softmax(&empty, 1.0), Err(Error::EmptyDistribution { what: "logits" })));
}

#[test]
fn negative_nan_or_infinite_probabilities() {
    match entropy(&[0.5, -0.1, 0.6], Base::BITS) {
        Err(Error::InvalidProbability { what: "p", index: 1, value }) => assert_eq!(value, -0.1),
        other => panic!("{other:?}"),
    }
    assert!(matches!(entropy(&[f64::NAN, 1.0], Base::BITS), Err(Error::InvalidProbability { index: 0, .. })));
    assert!(matches!(
        kl_divergence(&[0.5, 0.5], &[f64::INFINITY, 0.0], Base::BITS),
        Err(Error::InvalidProbability { what: "q", index: 0, .. })
    ));
    assert!(matches!(normalize(&[1.0, -1.0]), Err(Error::InvalidProbability { what: "weights", index: 1, .. })));
    match mutual_information(&dmatrix![0.5, 0.25; -0.25, 0.5], Base::BITS) {
        Err(Error::InvalidTableEntry { row: 1, col: 0, value }) => assert_eq!(value, -0.25),
        other => panic!("{other:?}"),
    }
    assert!(matches!(normalize_table(&dmatrix![1.0, f64::NAN]), Err(Error::InvalidTableEntry { row: 0, col: 1, .. })));
}

#[test]
fn sums_off_one_beyond_the_tolerance() {
    match entropy(&[0.5, 0.6], Base::BITS) {
        Err(Error::DistributionNotNormalized { what: "p", sum, tolerance }) => {
            assert!((sum - 1.1).abs() < 1e-15);
            assert_eq!(tolerance, qnet::info::PROBABILITY_TOLERANCE);
        }
        other => panic!("{other:?}"),
    }
    // Counts passed as probabilities.
    assert!(matches!(entropy(&[3.0, 1.0], Base::BITS), Err(Error::DistributionNotNormalized { .. })));
    assert!(matches!(
        cross_entropy(&[0.5, 0.5], &[0.5, 0.4], Base::BITS),
        Err(Error::DistributionNotNormalized { what: "q", .. })
    ));
    assert!(matches!(
        joint_entropy(&dmatrix![0.5, 0.5; 0.5, 0.5], Base::BITS),
        Err(Error::DistributionNotNormalized { .. })
    ));
    // Within the tolerance is accepted; the explicit normalize path accepts any positive total.
    assert!(entropy(&[0.5, 0.5 + 1e-12], Base::BITS).is_ok());
    assert!(entropy(&normalize(&[3.0, 1.0]).unwrap(), Base::BITS).is_ok());
}

#[test]
fn nothing_to_normalize() {
    assert!(matches!(normalize(&[0.0, 0.0]), Err(Error::ZeroTotal { what: "weights" })));
    assert!(matches!(normalize_table(&DMatrix::zeros(2, 2)), Err(Error::ZeroTotal { .. })));
    assert!(matches!(entropy_from_counts(&[0, 0, 0], Base::BITS), Err(Error::ZeroTotal { what: "counts" })));
    assert!(matches!(
        mutual_information_from_counts(&DMatrix::<usize>::zeros(2, 2), Base::BITS),
        Err(Error::ZeroTotal { .. })
    ));
}

#[test]
fn shapes_that_do_not_match() {
    match kl_divergence(&[0.5, 0.5], &[0.2, 0.3, 0.5], Base::BITS) {
        Err(Error::DimensionMismatch { expected: 2, found: 3, .. }) => {}
        other => panic!("{other:?}"),
    }
    assert!(matches!(js_divergence(&[1.0], &[0.5, 0.5], Base::BITS), Err(Error::DimensionMismatch { .. })));
    assert!(matches!(
        mutual_information_from_labels(&[1, 2, 3], &[1, 2], Base::BITS),
        Err(Error::DimensionMismatch { expected: 3, found: 2, .. })
    ));
    assert!(matches!(
        normalized_mutual_information(&[1, 2], &[1], AverageMethod::Max),
        Err(Error::DimensionMismatch { .. })
    ));
    assert!(matches!(contingency_table(&["a"], &["b", "c"]), Err(Error::DimensionMismatch { .. })));
}

#[test]
fn invalid_orders_and_temperatures() {
    for alpha in [-0.5, f64::NAN] {
        assert!(matches!(
            renyi_entropy(&[0.5, 0.5], alpha, Base::BITS),
            Err(Error::InvalidHyperParameter { name: "alpha", .. })
        ));
        assert!(matches!(
            entanglement_renyi_entropy(&bell(), &[0], alpha, Base::BITS),
            Err(Error::InvalidHyperParameter { name: "alpha", .. })
        ));
        let rho = DensityMatrix::maximally_mixed(1).unwrap();
        assert!(matches!(rho.renyi_entropy(alpha, Base::BITS), Err(Error::InvalidHyperParameter { .. })));
    }
    for t in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        assert!(matches!(
            Boltzmann::new(&[0.0, 1.0], t),
            Err(Error::InvalidHyperParameter { name: "temperature", .. })
        ));
        assert!(matches!(free_energy(&[0.0], t), Err(Error::InvalidHyperParameter { .. })));
        assert!(matches!(softmax_entropy(&[0.0], t, Base::NATS), Err(Error::InvalidHyperParameter { .. })));
        let h = Observable::from(PauliString::z(0).unwrap());
        assert!(matches!(GibbsState::new(&h, 1, t), Err(Error::InvalidHyperParameter { .. })));
    }
}

#[test]
fn non_finite_energies_and_logits() {
    match Boltzmann::new(&[0.0, f64::NAN], 1.0) {
        Err(Error::NonFinite { kind: NonFiniteKind::Entry { what: "energies", index: 1 }, value }) => {
            assert!(value.is_nan())
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        softmax(&[f64::INFINITY], 1.0),
        Err(Error::NonFinite { kind: NonFiniteKind::Entry { what: "logits", index: 0 }, .. })
    ));
    assert!(matches!(
        softmax_entropy(&[1.0, f64::NEG_INFINITY], 1.0, Base::BITS),
        Err(Error::NonFinite { kind: NonFiniteKind::Entry { .. }, .. })
    ));
    assert!(matches!(
        log_sum_exp(&[f64::NAN]),
        Err(Error::NonFinite { kind: NonFiniteKind::Entry { what: "values", .. }, .. })
    ));
    assert!(matches!(
        boltzmann_distribution(&[f64::INFINITY], 1.0),
        Err(Error::NonFinite { kind: NonFiniteKind::Entry { .. }, .. })
    ));
}

#[test]
fn matrices_that_are_not_density_matrices() {
    // Shape.
    for (r, cols) in [(3, 3), (2, 4), (1, 1), (0, 0)] {
        match DensityMatrix::new(DMatrix::from_element(r, cols, c(0.0))) {
            Err(Error::InvalidDensityMatrixShape { rows, cols: found }) => assert_eq!((rows, found), (r, cols)),
            other => panic!("{r}x{cols}: {other:?}"),
        }
    }
    // Not finite.
    assert!(matches!(
        DensityMatrix::new(dmatrix![c(0.5), c(f64::NAN); c(0.0), c(0.5)]),
        Err(Error::NonFinite { kind: NonFiniteKind::MatrixEntry { row: 0, col: 1 }, .. })
    ));
    // Not Hermitian.
    match DensityMatrix::new(dmatrix![c(0.5), c(0.1); c(0.0), c(0.5)]) {
        Err(Error::NotHermitian { deviation, .. }) => assert!((deviation - 0.1).abs() < 1e-15),
        other => panic!("{other:?}"),
    }
    let skew = dmatrix![c(0.5), Complex64::new(0.0, 0.2); Complex64::new(0.0, 0.2), c(0.5)];
    assert!(matches!(DensityMatrix::new(skew), Err(Error::NotHermitian { .. })));
    // Trace.
    match DensityMatrix::new(dmatrix![c(0.5), c(0.0); c(0.0), c(0.4)]) {
        Err(Error::TraceNotOne { trace, .. }) => assert!((trace - 0.9).abs() < 1e-15),
        other => panic!("{other:?}"),
    }
    // Positive semidefinite: eigenvalues 1.2 and −0.2.
    match DensityMatrix::new(dmatrix![c(0.5), c(0.7); c(0.7), c(0.5)]) {
        Err(Error::NotPositiveSemidefinite { min_eigenvalue, .. }) => assert!((min_eigenvalue + 0.2).abs() < 1e-14),
        other => panic!("{other:?}"),
    }
    // Within the tolerance is accepted.
    let nearly = dmatrix![c(0.5 + 1e-12), c(0.5); c(0.5), c(0.5)];
    assert!(DensityMatrix::new(nearly).is_ok());
}

#[test]
fn registers_too_large_for_a_dense_matrix() {
    let max = qnet::info::MAX_DENSITY_QUBITS;
    let big = StateVector::new(max + 1).unwrap();
    assert!(
        matches!(DensityMatrix::from_state(&big), Err(Error::MatrixTooLarge { num_qubits, max: m }) if num_qubits == max + 1 && m == max)
    );
    let all: Vec<usize> = (0..=max).collect();
    assert!(matches!(reduced_density_matrix(&big, &all), Err(Error::MatrixTooLarge { .. })));
    assert!(matches!(DensityMatrix::maximally_mixed(max + 1), Err(Error::MatrixTooLarge { .. })));
    let h = Observable::sum_z(2).unwrap();
    assert!(matches!(GibbsState::new(&h, max + 1, 1.0), Err(Error::MatrixTooLarge { .. })));
    // The Schmidt route only needs the smaller side: a cut of one qubit from 13 is fine.
    assert!(entanglement_entropy(&big, &[0], Base::BITS).is_ok());
}

#[test]
fn bad_subsystems() {
    let psi = bell();
    assert!(matches!(
        entanglement_entropy(&psi, &[2], Base::BITS),
        Err(Error::InvalidQubit { qubit: 2, num_qubits: 2 })
    ));
    assert!(matches!(schmidt_coefficients(&psi, &[0, 0]), Err(Error::DuplicateQubit { qubit: 0 })));
    assert!(matches!(reduced_density_matrix(&psi, &[5]), Err(Error::InvalidQubit { qubit: 5, .. })));
    assert!(matches!(reduced_density_matrix(&psi, &[]), Err(Error::ZeroQubits)));
    assert!(matches!(
        quantum_mutual_information(&psi, &[0, 1], &[1], Base::BITS),
        Err(Error::OverlappingSubsystems { qubit: 1 })
    ));
    let rho = DensityMatrix::from_state(&psi).unwrap();
    assert!(matches!(rho.partial_trace(&[0, 1]), Err(Error::ZeroQubits)));
    assert!(matches!(rho.partial_trace(&[3]), Err(Error::InvalidQubit { .. })));
    assert!(matches!(rho.reduce(&[]), Err(Error::ZeroQubits)));
    assert!(matches!(rho.reduce(&[1, 1]), Err(Error::DuplicateQubit { qubit: 1 })));
    assert!(matches!(rho.mutual_information(&[0], &[0], Base::BITS), Err(Error::OverlappingSubsystems { qubit: 0 })));
    assert!(matches!(rho.mutual_information(&[], &[0], Base::BITS), Err(Error::ZeroQubits)));
    assert!(matches!(GibbsState::new(&Observable::sum_z(3).unwrap(), 2, 1.0), Err(Error::InvalidQubit { .. })));
    assert!(matches!(GibbsState::new(&Observable::sum_z(1).unwrap(), 0, 1.0), Err(Error::ZeroQubits)));
}

#[test]
fn error_messages_name_the_values() {
    let e = entropy(&[0.5, 0.6], Base::BITS).unwrap_err().to_string();
    assert!(e.contains("1.1") && e.contains("normalize"), "{e}");
    let e = Base::new(0.5).unwrap_err().to_string();
    assert!(e.contains("0.5"), "{e}");
    let e = DensityMatrix::new(DMatrix::from_element(3, 3, c(0.0))).unwrap_err().to_string();
    assert!(e.contains("3x3"), "{e}");
}
