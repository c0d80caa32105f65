//! Every error of the quantum layer, provoked, with its message checked.

use nalgebra::DMatrix;
use qnet::error::{NonFiniteKind, ParamKind};
use qnet::prelude::*;
use qnet::quantum::Instruction;
use qnet::quantum::Pauli;

fn msg(e: Error) -> String {
    let s = e.to_string();
    assert_eq!(s.chars().next().map(|c| c.is_lowercase() || !c.is_alphabetic()), Some(true), "{s}");
    assert!(!s.ends_with('.'), "{s}");
    s
}

#[test]
fn zero_qubits() {
    assert!(matches!(Circuit::new(0), Err(Error::ZeroQubits)));
    assert!(matches!(StateVector::new(0), Err(Error::ZeroQubits)));
}

#[test]
fn too_many_qubits_is_an_error_not_an_abort() {
    for n in [45, 62, 63, 200] {
        match StateVector::new(n) {
            Err(Error::TooManyQubits { num_qubits, bytes }) => {
                assert_eq!(num_qubits, n);
                assert!(bytes >= 16u128 << 45.min(n));
            }
            other => panic!("expected TooManyQubits for {n}, got {other:?}"),
        }
    }
    assert!(msg(StateVector::new(50).unwrap_err()).contains("50 qubits"));
}

#[test]
fn invalid_and_duplicate_qubits() {
    let mut c = Circuit::new(3).unwrap();
    let e = c.cnot(0, 3).unwrap_err();
    assert!(matches!(e, Error::InvalidQubit { qubit: 3, num_qubits: 3 }));
    assert_eq!(msg(e), "qubit 3 is out of range for a 3-qubit register");
    assert!(matches!(c.cnot(1, 1), Err(Error::DuplicateQubit { qubit: 1 })));
    assert!(matches!(c.add_controlled(Gate::X, &[0], &[2, 0]), Err(Error::DuplicateQubit { qubit: 0 })));
    assert!(matches!(c.add_controlled(Gate::X, &[0], &[7]), Err(Error::InvalidQubit { qubit: 7, .. })));
    assert!(c.is_empty(), "failed placements add nothing");
    let mut s = StateVector::new(2).unwrap();
    assert!(matches!(s.apply_gate(&Gate::H, &[2]), Err(Error::InvalidQubit { qubit: 2, num_qubits: 2 })));
    assert!(matches!(s.measure(5, &mut rand_chacha::ChaCha8Rng::from_seed_u64(1)), Err(Error::InvalidQubit { .. })));
    assert!(matches!(s.probability_one(9), Err(Error::InvalidQubit { qubit: 9, .. })));
}

trait FromSeed {
    fn from_seed_u64(seed: u64) -> Self;
}
impl FromSeed for rand_chacha::ChaCha8Rng {
    fn from_seed_u64(seed: u64) -> Self {
        <Self as rand::SeedableRng>::seed_from_u64(seed)
    }
}

#[test]
fn gate_arity() {
    let mut c = Circuit::new(3).unwrap();
    let e = c.add(Gate::CNOT, &[0]).unwrap_err();
    assert!(matches!(e, Error::GateArity { gate: "cx", expected: 2, found: 1 }));
    assert_eq!(msg(e), "gate cx acts on 2 qubit(s) but was given 1");
    let inst = Instruction::new(Gate::H, vec![0], vec![]).unwrap();
    let e = inst.with_gate(Gate::SWAP).unwrap_err();
    assert!(matches!(e, Error::GateArity { gate: "swap", expected: 2, found: 1 }));
    assert_eq!(msg(e), "gate swap acts on 2 qubit(s) but was given 1");
}

#[test]
fn non_unitary_matrices_are_refused() {
    // The example: [[cos θ, −i sin θ], [i sin θ, cos θ]] is not unitary for 0 < θ < π/2.
    for theta in [0.1, 0.5, 1.0, 1.5] {
        let (c, s) = (f64::cos(theta), f64::sin(theta));
        let m = DMatrix::from_row_slice(
            2,
            2,
            &[Complex64::new(c, 0.0), Complex64::new(0.0, -s), Complex64::new(0.0, s), Complex64::new(c, 0.0)],
        );
        let e = Gate::unitary(m).unwrap_err();
        match &e {
            Error::NotUnitary { deviation, tolerance } => {
                // U†U = [[1, −2i sc], [2i sc, 1]]: the deviation is 2|sin θ cos θ| = |sin 2θ|.
                assert!((deviation - (2.0 * theta).sin().abs()).abs() < 1e-12);
                assert_eq!(*tolerance, 1e-10);
            }
            other => panic!("expected NotUnitary, got {other:?}"),
        }
        assert!(msg(e).starts_with("matrix is not unitary"));
    }
    let m3 = DMatrix::<Complex64>::identity(3, 3);
    assert!(matches!(Gate::unitary(m3), Err(Error::UnsupportedMatrixSize { rows: 3, cols: 3 })));
    let mut nan = DMatrix::<Complex64>::identity(2, 2);
    nan[(1, 0)] = Complex64::new(f64::NAN, 0.0);
    assert!(matches!(
        Gate::unitary(nan),
        Err(Error::NonFinite { kind: NonFiniteKind::MatrixEntry { row: 1, col: 0 }, .. })
    ));
    let mut c = Circuit::new(2).unwrap();
    assert!(matches!(
        c.unitary(DMatrix::identity(4, 4) * Complex64::new(2.0, 0.0), &[0, 1]),
        Err(Error::NotUnitary { .. })
    ));
}

#[test]
fn unbound_and_out_of_range_parameters() {
    let g = Gate::RY(Param::weight(3));
    assert!(matches!(g.matrix(), Err(Error::UnboundParameter { kind: ParamKind::Weight, index: 3 })));
    assert!(msg(g.matrix().unwrap_err()).contains("weight parameter 3 is unbound"));
    assert!(matches!(
        g.bind(&[0.0; 2], &[]),
        Err(Error::ParameterOutOfRange { kind: ParamKind::Weight, index: 3, len: 2 })
    ));
    let mut s = StateVector::new(1).unwrap();
    assert!(matches!(s.apply_gate(&Gate::RX(Param::input(0)), &[0]), Err(Error::UnboundParameter { .. })));
    let inst = Instruction::new(Gate::RZ(Param::input(2)), vec![0], vec![]).unwrap();
    assert!(matches!(
        s.apply(&inst, &[], &[1.0]),
        Err(Error::ParameterOutOfRange { kind: ParamKind::Input, index: 2, len: 1 })
    ));

    let mut c = Circuit::new(2).unwrap();
    c.rx(0, Param::weight(1)).unwrap().ry(1, Param::input(0)).unwrap();
    let mut s = StateVector::new(2).unwrap();
    let e = s.run(&c, &[0.1], &[0.2]).unwrap_err();
    assert!(matches!(e, Error::ParameterCount { kind: ParamKind::Weight, expected: 2, found: 1 }));
    assert_eq!(msg(e), "expected 2 weight value(s), found 1");
    assert!(matches!(
        s.run(&c, &[0.1, 0.2], &[]),
        Err(Error::ParameterCount { kind: ParamKind::Input, expected: 1, found: 0 })
    ));
    assert!(matches!(c.bind(&[0.1], &[0.2]), Err(Error::ParameterCount { .. })));
}

#[test]
fn non_finite_values() {
    let mut c = Circuit::new(1).unwrap();
    c.rx(0, Param::weight(0)).unwrap();
    let mut s = StateVector::new(1).unwrap();
    // A finite weight whose scaled angle overflows cannot be bound into a constant angle.
    let mut scaled = Circuit::new(1).unwrap();
    scaled.rx(0, Param::weight(0) * 10.0).unwrap();
    assert!(matches!(
        scaled.bind(&[1e308], &[]),
        Err(Error::NonFinite { kind: NonFiniteKind::Angle { gate: "rx" }, value }) if value == f64::INFINITY
    ));
    assert!(matches!(
        scaled.instructions()[0].with_gate(Gate::RY(f64::NAN.into())),
        Err(Error::NonFinite { kind: NonFiniteKind::Angle { gate: "ry" }, .. })
    ));
    assert_eq!(scaled.bind(&[0.5], &[]).unwrap().instructions()[0].gate(), &Gate::RX(5.0.into()));
    // Nor can it be run, gate by gate or through the engine.
    let overflow = |r: qnet::Result<()>| matches!(r, Err(Error::NonFinite { kind: NonFiniteKind::Angle { gate: "rx" }, value }) if value == f64::INFINITY);
    assert!(overflow(s.run(&scaled, &[1e308], &[])));
    assert!(overflow(s.apply(&scaled.instructions()[0], &[1e308], &[])));
    let f = qnet::grad::QuantumFunction::new(scaled.clone(), qnet::grad::Outputs::Probabilities).unwrap();
    assert!(overflow(f.evaluate(&[1e308], &[]).map(drop)));
    // The inverse reads the same weights at the same |scale|; an input's scale overflows as a weight's does.
    assert!(matches!(
        scaled.inverse().unwrap().check_parameters(&[1e308], &[]),
        Err(Error::NonFinite { kind: NonFiniteKind::Angle { gate: "rx" }, value }) if value == f64::NEG_INFINITY
    ));
    let mut by_input = Circuit::new(2).unwrap();
    by_input.ry(1, Param::input(0) * 4.0).unwrap().rz(0, Param::input(1) * 0.5).unwrap();
    assert!(matches!(
        by_input.check_parameters(&[], &[1e308, 0.0]),
        Err(Error::NonFinite { kind: NonFiniteKind::Angle { gate: "ry" }, value }) if value == f64::INFINITY
    ));
    // The largest value and the largest scale on different parameters: no angle overflows.
    assert!(by_input.check_parameters(&[], &[1.0, 1e308]).is_ok());
    for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let e = s.run(&c, &[bad], &[]).unwrap_err();
        assert!(matches!(
            e,
            Error::NonFinite { kind: NonFiniteKind::Parameter { kind: ParamKind::Weight, index: 0 }, .. }
        ));
        let inst = Instruction::new(Gate::RX(Param::input(0)), vec![0], vec![]).unwrap();
        assert!(matches!(
            s.apply(&inst, &[], &[bad]),
            Err(Error::NonFinite { kind: NonFiniteKind::Parameter { kind: ParamKind::Input, .. }, .. })
        ));
        assert!(matches!(
            c.clone().rz(0, bad),
            Err(Error::NonFinite { kind: NonFiniteKind::Angle { gate: "rz" }, .. })
        ));
        assert!(matches!(
            c.clone().rz(0, Param::weight(0) * bad),
            Err(Error::NonFinite { kind: NonFiniteKind::Angle { .. }, .. })
        ));
        assert!(matches!(
            PauliString::parse("Z").unwrap().with_coeff(bad),
            Err(Error::NonFinite { kind: NonFiniteKind::Coefficient, .. })
        ));
        assert!(matches!(
            PauliString::new(bad, &[(0, Pauli::X)]),
            Err(Error::NonFinite { kind: NonFiniteKind::Coefficient, .. })
        ));
    }
    assert!(s.amplitudes()[0].re == 1.0, "failed runs leave the state untouched");
    assert!(msg(s.run(&c, &[f64::NAN], &[]).unwrap_err()).contains("not finite"));
}

#[test]
fn state_construction() {
    assert!(matches!(StateVector::basis(2, 4), Err(Error::InvalidBasisState { index: 4, num_qubits: 2, dim: 4 })));
    let amps = |v: &[f64]| v.iter().map(|&x| Complex64::new(x, 0.0)).collect::<Vec<_>>();
    assert!(matches!(StateVector::from_amplitudes(amps(&[1.0, 0.0, 0.0])), Err(Error::InvalidStateLength { len: 3 })));
    assert!(matches!(StateVector::from_amplitudes(amps(&[1.0])), Err(Error::InvalidStateLength { len: 1 })));
    assert!(matches!(StateVector::from_amplitudes(amps(&[1.0, 1.0])), Err(Error::NotNormalized { .. })));
    assert!(matches!(StateVector::from_amplitudes(amps(&[f64::NAN, 0.0])), Err(Error::NotNormalized { .. })));
    let r = std::f64::consts::FRAC_1_SQRT_2;
    assert_eq!(StateVector::from_amplitudes(amps(&[r, 0.0, 0.0, r])).unwrap().num_qubits(), 2);
    let s2 = StateVector::new(2).unwrap();
    let s3 = StateVector::new(3).unwrap();
    assert!(matches!(s2.inner(&s3), Err(Error::QubitCountMismatch { left: 2, right: 3 })));
    assert!(matches!(s2.clone().copy_from(&s3), Err(Error::QubitCountMismatch { .. })));
    let c3 = Circuit::new(3).unwrap();
    assert!(matches!(s2.clone().run(&c3, &[], &[]), Err(Error::QubitCountMismatch { left: 2, right: 3 })));
    assert!(matches!(Circuit::new(2).unwrap().append(&c3), Err(Error::QubitCountMismatch { .. })));
}

#[test]
fn observables() {
    let e = PauliString::parse("XQZ").unwrap_err();
    assert!(matches!(&e, Error::InvalidPauliLabel { found: 'Q', position: 1, .. }));
    assert!(msg(e).contains("'Q'"));
    assert!(matches!(PauliString::new(1.0, &[(0, Pauli::X), (0, Pauli::Z)]), Err(Error::DuplicateQubit { qubit: 0 })));
    let s = StateVector::new(2).unwrap();
    assert!(matches!(
        s.expectation_pauli(&PauliString::parse("ZII").unwrap()),
        Err(Error::InvalidQubit { qubit: 2, .. })
    ));
    assert!(matches!(s.expectation(&Observable::sum_z(3).unwrap()), Err(Error::InvalidQubit { .. })));
    assert!(matches!(
        Observable::sum_z(15).unwrap().matrix(15),
        Err(Error::MatrixTooLarge { num_qubits: 15, max: 14 })
    ));
    assert!(matches!(PauliString::z(3).unwrap().matrix(2), Err(Error::InvalidQubit { .. })));
}

#[test]
fn impossible_collapse() {
    let mut s = StateVector::new(2).unwrap();
    let e = s.collapse(1, 1).unwrap_err();
    assert!(matches!(e, Error::ImpossibleOutcome { qubit: 1, outcome: 1 }));
    assert_eq!(msg(e), "measuring qubit 1 as 1 has probability zero");
}
