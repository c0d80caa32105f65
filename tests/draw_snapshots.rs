//! Snapshot tests of the text drawer (`Display` for `Circuit`): expected diagrams stored below, reviewed by
//! eye when written; plus properties of any diagram (determinism, page widths, one wire per qubit, one dot per
//! control).

use std::f64::consts::PI;

use proptest::prelude::*;
use qnet::prelude::*;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The expected text, written after a leading newline for readability.
fn expect(expected: &str, actual: String) {
    let expected = expected.strip_prefix('\n').expect("snapshots start with a newline");
    assert_eq!(actual, expected, "\nactual:\n{actual}\n\nexpected:\n{expected}\n");
}

const GHZ: &str = r#"
     ┌───┐
q0: ─┤ H ├───■─────────
     └───┘ ┌─┴─┐
q1: ───────┤ X ├───■───
           └───┘ ┌─┴─┐
q2: ─────────────┤ X ├─
                 └───┘"#;

const ONE_QUBIT: &str = r#"
     ┌───┐ ┌───┐ ┌────┐ ┌─────┐ ┌──────────┐ ┌───────────┐ ┌───┐
q0: ─┤ H ├─┤ T ├─┤ √X ├─┤ Sdg ├─┤ Rz(-π/2) ├─┤ P(0.1235) ├─┤ I ├─
     └───┘ └───┘ └────┘ └─────┘ └──────────┘ └───────────┘ └───┘"#;

const CONTROLS: &str = r#"
     ┌───┐       ┌────────────┐
q0: ─┤ X ├───■───┤ Ry(2*x[0]) ├───■───
     └─┬─┘   │   └──────┬─────┘ ┌─┴─┐
q1: ───┼─────┼──────────■───────┤ H ├─
       │   ┌─┴─┐                └─┬─┘
q2: ───■───┤ Z ├──────────────────■───
           └───┘"#;

const QFT: &str = r#"
     ┌───┐ ┌────────┐       ┌────────┐                  ┌────────┐
q0: ─┤ H ├─┤ P(π/2) ├───────┤ P(π/4) ├──────────────────┤ P(π/8) ├─────────────────────────────
     └───┘ └────┬───┘ ┌───┐ └────┬───┘ ┌────────┐       └────┬───┘ ┌────────┐
q1: ────────────■─────┤ H ├──────┼─────┤ P(π/2) ├────────────┼─────┤ P(π/4) ├──────────────────
                      └───┘      │     └────┬───┘ ┌───┐      │     └────┬───┘ ┌────────┐
q2: ─────────────────────────────■──────────■─────┤ H ├──────┼──────────┼─────┤ P(π/2) ├───────
                                                  └───┘      │          │     └────┬───┘ ┌───┐
q3: ─────────────────────────────────────────────────────────■──────────■──────────■─────┤ H ├─
                                                                                         └───┘"#;

const TWO_QUBIT_BOXES: &str = r#"
     ┌───────────┐ ┌────────────┐
q0: ─┤0          ├─┤1           ├─────────────
     │  Rxx(0.5) │ │  Ryy(-0.5) │ ┌─────────┐
q1: ─┤1          ├─┤0           ├─┤ Unitary ├─
     └───────────┘ └────────────┘ └─────────┘"#;

const MIXED: &str = r#"
     ┌──────────┐ ┌───┐                         ┌───────────┐ ┌────────────────┐ ┌──────┐
q0: ─┤    H     ├─┤ X ├─────────────────■───X─X─┤0          ├─┤ U(0.1,0.2,0.3) ├─┤ P(1) ├─
     ├──────────┤ └─┬─┘ ┌───────────┐ ┌─┴─┐ │ │ │           │ └────────────────┘ └───┬──┘
q1: ─┤    H     ├───┼───┤0          ├─┤ X ├─┼─X─┼■ Rxx(0.3) ┼────────────────────────┼────
     ├──────────┤   │   │           │ └─┬─┘ │ │ │           │ ┌────────────────┐     │
q2: ─┤ Rx(0.5)  ├───■───┼  Rzz(π/4) ┼───┼───X─┼─┤1          ├─┤0               ├─────┼────
     ├──────────┤       │           │   │     │ └─────┬─────┘ │      iSwap     │     │
q3: ─┤ Ry(w[0]) ├───────┤1          ├───■─────■───────■───────┤1               ├─────■────
     └──────────┘       └───────────┘                         └────────────────┘"#;

const MIXED_WRAPPED_50: &str = r#"
     ┌──────────┐ ┌───┐
q0: ─┤    H     ├─┤ X ├─────────────────■───X─X─»
     ├──────────┤ └─┬─┘ ┌───────────┐ ┌─┴─┐ │ │
q1: ─┤    H     ├───┼───┤0          ├─┤ X ├─┼─X─»
     ├──────────┤   │   │           │ └─┬─┘ │ │
q2: ─┤ Rx(0.5)  ├───■───┼  Rzz(π/4) ┼───┼───X─┼─»
     ├──────────┤       │           │   │     │
q3: ─┤ Ry(w[0]) ├───────┤1          ├───■─────■─»
     └──────────┘       └───────────┘

      ┌───────────┐ ┌────────────────┐ ┌──────┐
q0: «─┤0          ├─┤ U(0.1,0.2,0.3) ├─┤ P(1) ├─
      │           │ └────────────────┘ └───┬──┘
q1: «─┼■ Rxx(0.3) ┼────────────────────────┼────
      │           │ ┌────────────────┐     │
q2: «─┤1          ├─┤0               ├─────┼────
      └─────┬─────┘ │      iSwap     │     │
q3: «───────■───────┤1               ├─────■────
                    └────────────────┘"#;

const LAYERS: &str = r#"
     ┌──────────┐       ┌──────────┐                    ┌──────────┐                    ┌──────────┐
q0: ─┤ Ry(w[0]) ├───■───┤ Ry(w[3]) ├────────────────■───┤ Ry(w[6]) ├────────────────■───┤ Ry(w[9]) ├─────────────────■─────────
     ├──────────┤ ┌─┴─┐ └──────────┘ ┌──────────┐ ┌─┴─┐ └──────────┘ ┌──────────┐ ┌─┴─┐ └──────────┘ ┌───────────┐ ┌─┴─┐
q1: ─┤ Ry(w[1]) ├─┤ X ├───────■──────┤ Ry(w[4]) ├─┤ X ├───────■──────┤ Ry(w[7]) ├─┤ X ├───────■──────┤ Ry(w[10]) ├─┤ X ├───■───
     ├──────────┤ └───┘ ┌─────┴────┐ ├──────────┤ └───┘ ┌─────┴────┐ ├──────────┤ └───┘ ┌─────┴────┐ ├───────────┤ └───┘ ┌─┴─┐
q2: ─┤ Ry(w[2]) ├───────┤    X     ├─┤ Ry(w[5]) ├───────┤    X     ├─┤ Ry(w[8]) ├───────┤    X     ├─┤ Ry(w[11]) ├───────┤ X ├─
     └──────────┘       └──────────┘ └──────────┘       └──────────┘ └──────────┘       └──────────┘ └───────────┘       └───┘"#;

const LAYERS_WRAPPED_60: &str = r#"
     ┌──────────┐       ┌──────────┐
q0: ─┤ Ry(w[0]) ├───■───┤ Ry(w[3]) ├────────────────■───»
     ├──────────┤ ┌─┴─┐ └──────────┘ ┌──────────┐ ┌─┴─┐
q1: ─┤ Ry(w[1]) ├─┤ X ├───────■──────┤ Ry(w[4]) ├─┤ X ├─»
     ├──────────┤ └───┘ ┌─────┴────┐ ├──────────┤ └───┘
q2: ─┤ Ry(w[2]) ├───────┤    X     ├─┤ Ry(w[5]) ├───────»
     └──────────┘       └──────────┘ └──────────┘

      ┌──────────┐                    ┌──────────┐
q0: «─┤ Ry(w[6]) ├────────────────■───┤ Ry(w[9]) ├─»
      └──────────┘ ┌──────────┐ ┌─┴─┐ └──────────┘
q1: «───────■──────┤ Ry(w[7]) ├─┤ X ├───────■──────»
      ┌─────┴────┐ ├──────────┤ └───┘ ┌─────┴────┐
q2: «─┤    X     ├─┤ Ry(w[8]) ├───────┤    X     ├─»
      └──────────┘ └──────────┘       └──────────┘


q0: «─────────────────■─────────
      ┌───────────┐ ┌─┴─┐
q1: «─┤ Ry(w[10]) ├─┤ X ├───■───
      ├───────────┤ └───┘ ┌─┴─┐
q2: «─┤ Ry(w[11]) ├───────┤ X ├─
      └───────────┘       └───┘"#;

#[test]
fn ghz_state_preparation() {
    let mut c = Circuit::new(3).unwrap();
    c.h(0).unwrap().cnot(0, 1).unwrap().cnot(1, 2).unwrap();
    expect(GHZ, format!("{c}"));
}

#[test]
fn one_qubit_gates_and_angles() {
    let mut c = Circuit::new(1).unwrap();
    c.h(0).unwrap().t(0).unwrap().sx(0).unwrap().sdg(0).unwrap().rz(0, -PI / 2.0).unwrap();
    c.phase(0, 0.123456).unwrap().i(0).unwrap();
    expect(ONE_QUBIT, format!("{c}"));
}

#[test]
fn controls_above_below_and_across_wires() {
    let mut c = Circuit::new(3).unwrap();
    c.cnot(2, 0).unwrap().cz(0, 2).unwrap().cry(1, 0, Param::input(0) * 2.0).unwrap();
    c.add_controlled(Gate::H, &[1], &[0, 2]).unwrap();
    expect(CONTROLS, format!("{c}"));
}

#[test]
fn quantum_fourier_transform() {
    let mut c = Circuit::new(4).unwrap();
    c.h(0).unwrap().cphase(1, 0, PI / 2.0).unwrap().h(1).unwrap().cphase(2, 0, PI / 4.0).unwrap();
    c.cphase(2, 1, PI / 2.0).unwrap().h(2).unwrap().cphase(3, 0, PI / 8.0).unwrap();
    c.cphase(3, 1, PI / 4.0).unwrap().cphase(3, 2, PI / 2.0).unwrap().h(3).unwrap();
    expect(QFT, format!("{c}"));
}

#[test]
fn two_qubit_boxes_number_their_qubits() {
    let mut c = Circuit::new(2).unwrap();
    c.rxx(0, 1, 0.5).unwrap().ryy(1, 0, -0.5).unwrap().unitary(nalgebra::DMatrix::identity(2, 2), &[1]).unwrap();
    expect(TWO_QUBIT_BOXES, format!("{c}"));
}

fn mixed() -> Circuit {
    let mut c = Circuit::new(4).unwrap();
    c.h(0).unwrap().h(1).unwrap().rx(2, 0.5).unwrap().ry(3, Param::weight(0)).unwrap().cnot(2, 0).unwrap();
    c.rzz(1, 3, PI / 4.0).unwrap().toffoli(0, 3, 1).unwrap().swap(0, 2).unwrap().fredkin(3, 0, 1).unwrap();
    c.add_controlled(Gate::RXX(0.3.into()), &[0, 2], &[1, 3]).unwrap();
    c.iswap(2, 3).unwrap().u3(0, 0.1, 0.2, 0.3).unwrap().cphase(3, 0, 1.0).unwrap();
    c
}

#[test]
fn swaps_multi_qubit_boxes_and_extra_controls() {
    expect(MIXED, format!("{}", mixed()));
}

#[test]
fn a_width_wraps_into_pages() {
    expect(MIXED_WRAPPED_50, format!("{:50}", mixed()));
}

fn layers() -> Circuit {
    let mut c = Circuit::new(3).unwrap();
    for k in 0..12 {
        c.ry(k % 3, Param::weight(k)).unwrap();
        if k % 3 == 2 {
            c.cnot(0, 1).unwrap().cnot(1, 2).unwrap();
        }
    }
    c
}

#[test]
fn ten_columns_of_a_layered_ansatz() {
    expect(LAYERS, format!("{}", layers()));
    expect(LAYERS_WRAPPED_60, format!("{:60}", layers()));
}

#[test]
fn an_empty_circuit_is_bare_wires() {
    assert_eq!(format!("{}", Circuit::new(2).unwrap()), "\nq0: ─\n\nq1: ─\n");
}

fn random_circuit(seed: u64, n: usize, len: usize) -> Circuit {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut c = Circuit::new(n).unwrap();
    for _ in 0..len {
        let gate = match rng.random_range(0..8) {
            0 => Gate::H,
            1 => Gate::RY(rng.random_range(-4.0..4.0).into()),
            2 => Gate::CNOT,
            3 => Gate::CRZ(Param::weight(rng.random_range(0..20))),
            4 => Gate::SWAP,
            5 => Gate::RZZ(0.25.into()),
            6 => Gate::Toffoli,
            _ => Gate::U3(0.1.into(), PI.into(), (-PI / 2.0).into()),
        };
        if gate.num_qubits() > n {
            continue;
        }
        let mut qubits: Vec<usize> = (0..n).collect();
        for i in 0..n {
            let j = rng.random_range(i..n);
            qubits.swap(i, j);
        }
        let k = gate.num_qubits();
        let extra = if n > k && rng.random::<f64>() < 0.2 { 1 } else { 0 };
        c.add_controlled(gate, &qubits[..k], &qubits[k..k + extra]).unwrap();
    }
    c
}

/// The number of control dots a circuit should show (boxes other than RZZ's hold no dots inside).
fn expected_dots(c: &Circuit) -> usize {
    c.instructions()
        .iter()
        .map(|i| match i.gate() {
            Gate::SWAP | Gate::RZZ(_) => i.controls().len(),
            g => g.num_controls() + i.controls().len(),
        })
        .sum()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn diagrams_are_stable_and_well_formed(seed in any::<u64>(), n in 1usize..6, len in 0usize..30, width in 30usize..160) {
        let c = random_circuit(seed, n, len);
        let text = format!("{c}");
        prop_assert_eq!(&text, &format!("{c}"));
        let lines: Vec<&str> = text.split('\n').collect();
        prop_assert_eq!(lines.len(), 2 * n + 1);
        for q in 0..n {
            let prefix = format!("q{q}: ");
            prop_assert!(lines[2 * q + 1].trim_start().starts_with(&prefix));
        }
        prop_assert!(lines.iter().all(|l| !l.ends_with(' ')));
        prop_assert_eq!(text.matches('■').count(), expected_dots(&c));

        // Wrapped: pages of 2n+1 lines separated by blank lines, none wider than `width` (every single column
        // of these gates fits in 30 characters with its wire labels and page marks), and the same gates overall.
        let wrapped = format!("{c:width$}");
        let lines: Vec<&str> = wrapped.split('\n').collect();
        let pages = (lines.len() + 1) / (2 * n + 2);
        prop_assert_eq!(lines.len(), pages * (2 * n + 1) + pages - 1);
        let widest = lines.iter().map(|l| l.chars().count()).max().unwrap_or(0);
        prop_assert!(widest <= width, "{} wide at width {}:\n{}", widest, width, wrapped);
        if pages > 1 {
            prop_assert!(text.lines().map(|l| l.chars().count()).max().unwrap_or(0) > width);
        }
        prop_assert_eq!(wrapped.matches('■').count(), expected_dots(&c));
    }
}
