//! The derived knowledge of every gate against independent routes: derivatives against central differences of
//! the op, the adjoint sweep's generators against the derivative, and shift rules against the derivative of an
//! expectation value, for every angle of every gate.

use nalgebra::DMatrix;
use num_complex::Complex64 as C;

use super::{op_matrix, Gate, ShiftRule};
use crate::quantum::op::Op;
use crate::quantum::Param;

/// The angles every test below sets (distinct, away from special values).
const ANGLES: [f64; 3] = [0.37, -1.21, 2.03];

/// Every variant except caller unitaries (no angles, nothing derived from them).
fn every_gate() -> Vec<Gate> {
    let p = Param::Const(0.0);
    vec![
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
        Gate::RX(p),
        Gate::RY(p),
        Gate::RZ(p),
        Gate::Phase(p),
        Gate::U3(p, p, p),
        Gate::Rot(p, p, p),
        Gate::CNOT,
        Gate::CY,
        Gate::CZ,
        Gate::SWAP,
        Gate::ISwap,
        Gate::CRX(p),
        Gate::CRY(p),
        Gate::CRZ(p),
        Gate::CPhase(p),
        Gate::RXX(p),
        Gate::RYY(p),
        Gate::RZZ(p),
        Gate::Toffoli,
        Gate::Fredkin,
    ]
}

fn dense(op: &Op) -> DMatrix<C> {
    let m = op.dense();
    DMatrix::from_fn(m.len(), m.len(), |r, c| m[r][c])
}

fn shifted(slot: usize, by: f64) -> [f64; 3] {
    let mut angles = ANGLES;
    angles[slot] += by;
    angles
}

#[test]
fn derivatives_match_central_differences_of_the_op() {
    let h = 1e-5;
    for g in every_gate() {
        for slot in 0..g.params().len() {
            let numeric =
                (dense(&g.lower(shifted(slot, h))) - dense(&g.lower(shifted(slot, -h)))) / C::new(2.0 * h, 0.0);
            let exact = dense(&g.derivative(ANGLES, slot));
            assert!((&exact - numeric).camax() < 1e-9, "{g} slot {slot}");
            // The adjoint sweep's shortcut, when the gate offers one, is (∂U/∂θ)·U†.
            if let Some(d) = g.rotation_generator(slot) {
                let expected = exact * dense(&g.lower(ANGLES)).adjoint();
                assert!((DMatrix::from_fn(2, 2, |r, c| d[r][c]) - expected).camax() < 1e-14, "{g} slot {slot}");
            }
        }
    }
}

#[test]
fn the_sweep_shortcut_is_offered_for_leftmost_pauli_rotations_on_one_target() {
    let mut offered = Vec::new();
    for g in every_gate() {
        offered.extend((0..3).filter(|&s| g.rotation_generator(s).is_some()).map(|s| (g.name(), s)));
    }
    assert_eq!(offered, [("rx", 0), ("ry", 0), ("rz", 0), ("rot", 2), ("crx", 0), ("cry", 0), ("crz", 0)]);
}

#[test]
fn shift_rules_give_the_derivative_of_an_expectation() {
    // f(θ) = ⟨ψ|U(θ)† A U(θ)|ψ⟩ with U the gate's matrix under its own controls and, optionally, one more.
    for g in every_gate() {
        for extra in [false, true] {
            let controls = g.num_controls() + usize::from(extra);
            let u = |angles: [f64; 3]| op_matrix(&g.lower(angles), controls);
            let dim = u(ANGLES).nrows();
            let psi = DMatrix::from_fn(dim, 1, |r, _| C::new(1.0 + r as f64, 0.5 * r as f64 - 1.0)).normalize();
            let m = DMatrix::from_fn(dim, dim, |r, c| C::new((r * 3 + c) as f64 % 5.0, (r + 2 * c) as f64 % 3.0));
            let a = &m + m.adjoint();
            let f = |angles: [f64; 3]| {
                let phi = u(angles) * &psi;
                (phi.adjoint() * &a * &phi)[(0, 0)].re
            };
            for slot in 0..g.params().len() {
                let rule = g.slot_shift_rule(slot, extra).expect("the gate has the angle");
                let by_rule: f64 = rule.terms().iter().map(|&(s, c)| c * f(shifted(slot, s))).sum();
                let h = 1e-5;
                let numeric = (f(shifted(slot, h)) - f(shifted(slot, -h))) / (2.0 * h);
                assert!((by_rule - numeric).abs() < 1e-7, "{g} slot {slot} extra {extra}: {by_rule} vs {numeric}");
                // The two-term rule is not enough where four terms are asked for.
                if rule == ShiftRule::FourTerm {
                    let two: f64 = ShiftRule::TwoTerm.terms().iter().map(|&(s, c)| c * f(shifted(slot, s))).sum();
                    assert!((two - numeric).abs() > 1e-3, "{g} slot {slot}: four terms asked, two suffice");
                }
            }
            assert_eq!(g.slot_shift_rule(g.params().len(), extra), None);
        }
    }
}

#[test]
fn angles_come_out_and_go_back_in_their_slots() {
    for g in every_gate() {
        let n = g.params().len();
        let marked = g.map_params(|slot, _| Param::weight(slot));
        assert_eq!(marked.params().iter().copied().collect::<Vec<_>>(), (0..n).map(Param::weight).collect::<Vec<_>>());
        assert_eq!(marked.name(), g.name());
        assert_eq!((marked.num_qubits(), marked.num_controls()), (g.num_qubits(), g.num_controls()));
        // The inverse has the same shape, and its matrix is the adjoint.
        let bound = g.map_params(|slot, _| Param::Const(ANGLES[slot]));
        let (m, inv) = (bound.matrix().unwrap(), bound.inverse().matrix().unwrap());
        assert!((inv - m.adjoint()).camax() < 1e-14, "{g}");
        assert_eq!(bound.inverse().num_qubits(), g.num_qubits());
    }
}

#[test]
fn the_conjugate_gate_has_the_conjugate_matrix() {
    let mut gates = every_gate();
    let u = DMatrix::from_fn(2, 2, |r, c| {
        [[C::new(0.6, 0.0), C::new(0.0, 0.8)], [C::new(0.0, 0.8), C::new(0.6, 0.0)]][r][c]
    });
    gates.push(Gate::unitary(u).unwrap());
    for gate in gates {
        let bound = gate.map_params(|slot, _| Param::Const(ANGLES[slot]));
        let expected = bound.matrix().unwrap().map(|z| z.conj());
        let conj = bound.conjugate();
        assert_eq!(conj.num_qubits(), gate.num_qubits(), "{gate}");
        let m = op_matrix(
            &conj.lower(std::array::from_fn(|k| conj.params().get(k).map_or(0.0, |p| p.constant().unwrap()))),
            conj.num_controls(),
        );
        let err = (&m - &expected).iter().map(|z| z.norm()).fold(0.0, f64::max);
        assert!(err < 1e-15, "{gate}: {err}");
        // A weight keeps its index, with its scale negated or kept.
        let w = gate.map_params(|_, _| Param::weight(0)).conjugate();
        assert!(w.params().iter().all(|p| matches!(p.source(), Some((_, 0, s)) if s.abs() == 1.0)), "{gate}");
    }
}
