//! Known states and gate identities, checked on matrices and on the simulator.

use std::f64::consts::{FRAC_1_SQRT_2, PI};

use approx::assert_relative_eq;
use nalgebra::DMatrix;
use qnet::prelude::*;

type M = DMatrix<Complex64>;

fn m(g: Gate) -> M {
    g.matrix().expect("constant gate")
}

fn eye(n: usize) -> M {
    M::identity(n, n)
}

/// Equal up to a global phase: |tr(A†B)| = dim.
fn equal_up_to_phase(a: &M, b: &M) -> bool {
    (a.adjoint() * b).trace().norm() > a.nrows() as f64 - 1e-10
}

#[test]
fn bell_and_ghz_amplitudes() -> qnet::Result<()> {
    let mut c = Circuit::new(2)?;
    c.h(0)?.cnot(0, 1)?;
    let mut s = StateVector::new(2)?;
    s.run(&c, &[], &[])?;
    let r = FRAC_1_SQRT_2;
    let expected = [r, 0.0, 0.0, r];
    for (a, e) in s.amplitudes().iter().zip(expected) {
        assert_relative_eq!(a.re, e, epsilon = 1e-15);
        assert_relative_eq!(a.im, 0.0, epsilon = 1e-15);
    }

    for n in 3..=6 {
        let mut ghz = Circuit::new(n)?;
        ghz.h(0)?;
        for q in 0..n - 1 {
            ghz.cnot(q, q + 1)?;
        }
        let mut s = StateVector::new(n)?;
        s.run(&ghz, &[], &[])?;
        for (i, a) in s.amplitudes().iter().enumerate() {
            let e = if i == 0 || i == (1 << n) - 1 { r } else { 0.0 };
            assert_relative_eq!(a.re, e, epsilon = 1e-15);
            assert_relative_eq!(a.im, 0.0, epsilon = 1e-15);
        }
    }
    Ok(())
}

#[test]
fn clifford_identities() {
    let (h, x, y, z) = (m(Gate::H), m(Gate::X), m(Gate::Y), m(Gate::Z));
    assert_relative_eq!(&h * &x * &h, z.clone(), epsilon = 1e-15);
    assert_relative_eq!(&h * &z * &h, x.clone(), epsilon = 1e-15);
    assert_relative_eq!(m(Gate::S) * m(Gate::S), z.clone(), epsilon = 1e-15);
    assert_relative_eq!(m(Gate::T) * m(Gate::T), m(Gate::S), epsilon = 1e-15);
    assert_relative_eq!(m(Gate::SX) * m(Gate::SX), x.clone(), epsilon = 1e-15);
    assert_relative_eq!(m(Gate::S) * m(Gate::Sdg), eye(2), epsilon = 1e-15);
    assert_relative_eq!(m(Gate::T) * m(Gate::Tdg), eye(2), epsilon = 1e-15);
    assert_relative_eq!(m(Gate::SX) * m(Gate::SXdg), eye(2), epsilon = 1e-15);
    // XY = iZ
    assert_relative_eq!(&x * &y, z * Complex64::new(0.0, 1.0), epsilon = 1e-15);
}

#[test]
fn two_qubit_identities() -> qnet::Result<()> {
    let cnot = m(Gate::CNOT);
    assert_relative_eq!(&cnot * &cnot, eye(4), epsilon = 1e-15);
    // SWAP = CNOT(0,1)·CNOT(1,0)·CNOT(0,1), checked on the simulator over every basis state.
    let mut three = Circuit::new(2)?;
    three.cnot(0, 1)?.cnot(1, 0)?.cnot(0, 1)?;
    let mut swap = Circuit::new(2)?;
    swap.swap(0, 1)?;
    for b in 0..4 {
        let (mut s1, mut s2) = (StateVector::basis(2, b)?, StateVector::basis(2, b)?);
        s1.run(&three, &[], &[])?;
        s2.run(&swap, &[], &[])?;
        assert_relative_eq!(s1, s2, epsilon = 1e-15);
        assert_eq!(s2.probabilities()[((b & 1) << 1) | (b >> 1)], 1.0);
    }
    // CZ is symmetric and diagonal; CNOT = (I⊗H)·CZ·(I⊗H) with H on the target (bit 1).
    let h_on_target = {
        let h = m(Gate::H);
        h.kronecker(&eye(2))
    };
    assert_relative_eq!(&h_on_target * m(Gate::CZ) * &h_on_target, cnot, epsilon = 1e-15);
    // iSWAP² = Z⊗Z on the one-excitation space: |01⟩ → −|01⟩.
    let isw = m(Gate::ISwap);
    let sq = &isw * &isw;
    assert_relative_eq!(sq[(1, 1)].re, -1.0, epsilon = 1e-15);
    assert_relative_eq!(sq[(0, 0)].re, 1.0, epsilon = 1e-15);
    Ok(())
}

#[test]
fn u3_reproduces_rotations() {
    for &t in &[0.3, -1.2, 2.9] {
        // RX(θ) = U3(θ, −π/2, π/2), RY(θ) = U3(θ, 0, 0), RZ(λ) = e^{−iλ/2}·U3(0, 0, λ).
        let rx = m(Gate::RX(t.into()));
        let u = m(Gate::U3(t.into(), (-PI / 2.0).into(), (PI / 2.0).into()));
        assert_relative_eq!(rx, u, epsilon = 1e-15);
        assert_relative_eq!(m(Gate::RY(t.into())), m(Gate::U3(t.into(), 0.0.into(), 0.0.into())), epsilon = 1e-15);
        let rz = m(Gate::RZ(t.into()));
        let u = m(Gate::U3(0.0.into(), 0.0.into(), t.into()));
        assert!(equal_up_to_phase(&rz, &u));
        assert_relative_eq!(rz, u * Complex64::from_polar(1.0, -t / 2.0), epsilon = 1e-15);
        // Phase(λ) = U3(0, 0, λ) exactly.
        assert_relative_eq!(m(Gate::Phase(t.into())), m(Gate::U3(0.0.into(), 0.0.into(), t.into())), epsilon = 1e-15);
    }
}

#[test]
fn full_turn_rotations_are_minus_identity() {
    let two_pi = 2.0 * PI;
    for g in [
        Gate::RX(two_pi.into()),
        Gate::RY(two_pi.into()),
        Gate::RZ(two_pi.into()),
        Gate::RXX(two_pi.into()),
        Gate::RYY(two_pi.into()),
        Gate::RZZ(two_pi.into()),
    ] {
        let u = m(g);
        let n = u.nrows();
        assert_relative_eq!(u, -eye(n), epsilon = 1e-14);
    }
    // A controlled full turn is −I only on the control-set subspace: diag(1, −1) on the control.
    let crx = m(Gate::CRX(two_pi.into()));
    let expected = M::from_diagonal(&nalgebra::DVector::from_vec(vec![
        Complex64::new(1.0, 0.0),
        Complex64::new(-1.0, 0.0),
        Complex64::new(1.0, 0.0),
        Complex64::new(-1.0, 0.0),
    ]));
    assert_relative_eq!(crx, expected, epsilon = 1e-14);
}

#[test]
fn generators_exponentiate_to_the_gate() {
    // U(θ) = exp(−iθG) = Σ_k (−iθ)^k G^k / k!, summed until the terms vanish.
    let theta = 0.731;
    for g in [
        Gate::RX(theta.into()),
        Gate::RY(theta.into()),
        Gate::RZ(theta.into()),
        Gate::Phase(theta.into()),
        Gate::CRX(theta.into()),
        Gate::CRY(theta.into()),
        Gate::CRZ(theta.into()),
        Gate::CPhase(theta.into()),
        Gate::RXX(theta.into()),
        Gate::RYY(theta.into()),
        Gate::RZZ(theta.into()),
    ] {
        let gen = g.generator().expect("one-angle gate");
        assert_relative_eq!(gen.adjoint(), gen.clone(), epsilon = 1e-15);
        let a = gen * Complex64::new(0.0, -theta);
        let mut term = eye(a.nrows());
        let mut sum = term.clone();
        for k in 1..40 {
            term = &term * &a / Complex64::new(k as f64, 0.0);
            sum += &term;
        }
        assert_relative_eq!(sum, m(g.clone()), epsilon = 1e-13);
    }
    assert!(Gate::U3(0.1.into(), 0.2.into(), 0.3.into()).generator().is_none());
    assert!(Gate::H.generator().is_none());
}

#[test]
fn inverses_undo_every_gate() -> qnet::Result<()> {
    let gates = [
        Gate::I,
        Gate::X,
        Gate::Y,
        Gate::Z,
        Gate::H,
        Gate::S,
        Gate::Sdg,
        Gate::T,
        Gate::Tdg,
        Gate::SX,
        Gate::SXdg,
        Gate::RX(0.4.into()),
        Gate::RY(0.5.into()),
        Gate::RZ(0.6.into()),
        Gate::Phase(0.7.into()),
        Gate::U3(0.1.into(), 0.2.into(), 0.3.into()),
        Gate::CNOT,
        Gate::CY,
        Gate::CZ,
        Gate::SWAP,
        Gate::ISwap,
        Gate::CRX(0.8.into()),
        Gate::CRY(0.9.into()),
        Gate::CRZ(1.0.into()),
        Gate::CPhase(1.1.into()),
        Gate::RXX(1.2.into()),
        Gate::RYY(1.3.into()),
        Gate::RZZ(1.4.into()),
        Gate::Toffoli,
        Gate::Fredkin,
    ];
    for g in gates {
        let u = g.matrix()?;
        let product = g.inverse().matrix()? * u;
        let n = product.nrows();
        assert_relative_eq!(product, eye(n), epsilon = 1e-14);
    }
    Ok(())
}

#[test]
fn toffoli_and_fredkin_truth_tables() -> qnet::Result<()> {
    for b in 0..8usize {
        let mut s = StateVector::basis(3, b)?;
        s.apply_gate(&Gate::Toffoli, &[0, 1, 2])?;
        let expected = if b & 0b011 == 0b011 { b ^ 0b100 } else { b };
        assert_eq!(s.probabilities()[expected], 1.0, "toffoli on {b:03b}");

        let mut s = StateVector::basis(3, b)?;
        s.apply_gate(&Gate::Fredkin, &[0, 1, 2])?;
        let expected = if b & 1 == 1 { (b & 1) | ((b >> 1) & 1) << 2 | ((b >> 2) & 1) << 1 } else { b };
        assert_eq!(s.probabilities()[expected], 1.0, "fredkin on {b:03b}");
    }
    Ok(())
}

#[test]
fn extra_controls_act_only_when_set() -> qnet::Result<()> {
    // X on qubit 2 controlled by qubits 0 and 1 through `controls` is a Toffoli.
    for b in 0..8usize {
        let mut s1 = StateVector::basis(3, b)?;
        let mut c = Circuit::new(3)?;
        c.add_controlled(Gate::X, &[2], &[0, 1])?;
        s1.run(&c, &[], &[])?;
        let mut s2 = StateVector::basis(3, b)?;
        s2.apply_gate(&Gate::Toffoli, &[0, 1, 2])?;
        assert_relative_eq!(s1, s2, epsilon = 0.0);
    }
    Ok(())
}

#[test]
fn weights_and_inputs_bind_by_index_and_scale() -> qnet::Result<()> {
    let mut c = Circuit::new(1)?;
    c.ry(0, Param::weight(1) * 2.0)?.rz(0, Param::input(0))?;
    assert_eq!((c.num_weights(), c.num_inputs()), (2, 1));
    let mut s1 = StateVector::new(1)?;
    s1.run(&c, &[9.0, 0.35], &[0.2])?;
    let mut s2 = StateVector::new(1)?;
    s2.apply_gate(&Gate::RY(0.7.into()), &[0])?;
    s2.apply_gate(&Gate::RZ(0.2.into()), &[0])?;
    assert_relative_eq!(s1, s2, epsilon = 1e-15);
    let bound = c.bind(&[9.0, 0.35], &[0.2])?;
    assert_eq!(bound.num_weights(), 0);
    let mut s3 = StateVector::new(1)?;
    s3.run(&bound, &[], &[])?;
    assert_relative_eq!(s1, s3, epsilon = 1e-15);
    Ok(())
}

#[test]
fn depth_and_counts() -> qnet::Result<()> {
    let mut c = Circuit::new(3)?;
    c.h(0)?.h(1)?.h(2)?.cnot(0, 1)?.rz(2, 0.1)?.cnot(1, 2)?;
    assert_eq!(c.depth(), 3);
    let counts = c.gate_counts();
    assert_eq!(counts["h"], 3);
    assert_eq!(counts["cx"], 2);
    assert_eq!(counts["rz"], 1);
    assert_eq!(Circuit::new(4)?.depth(), 0);
    Ok(())
}

#[test]
fn observables_match_their_dense_matrices() -> qnet::Result<()> {
    let mut c = Circuit::new(3)?;
    c.h(0)?.ry(1, 0.4)?.cnot(0, 2)?.rx(2, 1.1)?.s(1)?;
    let mut s = StateVector::new(3)?;
    s.run(&c, &[], &[])?;
    let psi = nalgebra::DVector::from_column_slice(s.amplitudes());
    for label in ["ZII", "IXI", "YYZ", "XZY", "ZZZ", "IIY"] {
        let p = PauliString::parse(label)?.with_coeff(-0.7)?;
        let dense = p.matrix(3)?;
        let expected = (psi.adjoint() * &dense * &psi)[(0, 0)];
        assert_relative_eq!(s.expectation_pauli(&p)?, expected.re, epsilon = 1e-14);
        assert_relative_eq!(expected.im, 0.0, epsilon = 1e-14);
    }
    // O|ψ⟩ agrees with the dense product.
    let o = Observable::from_terms(vec![PauliString::parse("XYZ")?, PauliString::parse("IZX")?.with_coeff(0.3)?]);
    let mut out = Vec::new();
    s.apply_observable_into(&o, &mut out)?;
    let dense = o.matrix(3)? * &psi;
    for (a, b) in out.iter().zip(dense.iter()) {
        assert_relative_eq!(*a, *b, epsilon = 1e-14);
    }
    Ok(())
}
