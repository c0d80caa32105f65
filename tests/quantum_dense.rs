//! The independent route: random circuits on up to 5 qubits agree with the product of dense 2^n × 2^n
//! matrices built here with nalgebra Kronecker products from textbook gate matrices written in this file
//! (not the library's), within 1e-12.

use std::f64::consts::FRAC_1_SQRT_2;

use nalgebra::DMatrix;
use num_complex::Complex64 as C;
use proptest::prelude::*;
use qnet::prelude::*;

type M = DMatrix<C>;

fn c(re: f64, im: f64) -> C {
    C::new(re, im)
}

fn mat(n: usize, entries: &[C]) -> M {
    M::from_row_slice(n, n, entries)
}

/// Textbook matrices, first listed qubit = least significant bit of the index (Qiskit's convention).
fn textbook(gate: &Gate) -> M {
    let (o, z, i) = (c(1.0, 0.0), c(0.0, 0.0), c(0.0, 1.0));
    let angle = |k: usize| gate.params()[k].constant().expect("bound");
    let one = |a: C, b: C, cc: C, d: C| mat(2, &[a, b, cc, d]);
    let controlled = |u: M| {
        // |0⟩⟨0| ⊗ I + |1⟩⟨1| ⊗ U with the control as bit 0: U ⊗ |1⟩⟨1| + I ⊗ |0⟩⟨0| in kron order (target, control).
        let p0 = mat(2, &[o, z, z, z]);
        let p1 = mat(2, &[z, z, z, o]);
        M::identity(2, 2).kronecker(&p0) + u.kronecker(&p1)
    };
    let x = one(z, o, o, z);
    let y = one(z, -i, i, z);
    let zz = one(o, z, z, -o);
    let rot = |axis: &M, t: f64| M::identity(2, 2) * c((t / 2.0).cos(), 0.0) - axis * c(0.0, (t / 2.0).sin());
    let two_rot =
        |axis: &M, t: f64| M::identity(4, 4) * c((t / 2.0).cos(), 0.0) - axis.kronecker(axis) * c(0.0, (t / 2.0).sin());
    let r = FRAC_1_SQRT_2;
    match gate {
        Gate::I => M::identity(2, 2),
        Gate::X => x,
        Gate::Y => y,
        Gate::Z => zz,
        Gate::H => one(c(r, 0.0), c(r, 0.0), c(r, 0.0), c(-r, 0.0)),
        Gate::S => one(o, z, z, i),
        Gate::Sdg => one(o, z, z, -i),
        Gate::T => one(o, z, z, C::from_polar(1.0, std::f64::consts::FRAC_PI_4)),
        Gate::Tdg => one(o, z, z, C::from_polar(1.0, -std::f64::consts::FRAC_PI_4)),
        Gate::SX => one(c(0.5, 0.5), c(0.5, -0.5), c(0.5, -0.5), c(0.5, 0.5)),
        Gate::SXdg => one(c(0.5, -0.5), c(0.5, 0.5), c(0.5, 0.5), c(0.5, -0.5)),
        Gate::RX(_) => rot(&x, angle(0)),
        Gate::RY(_) => rot(&y, angle(0)),
        Gate::RZ(_) => rot(&zz, angle(0)),
        Gate::Phase(_) => one(o, z, z, C::from_polar(1.0, angle(0))),
        Gate::U3(..) => {
            let (t, p, l) = (angle(0), angle(1), angle(2));
            one(
                c((t / 2.0).cos(), 0.0),
                -C::from_polar(1.0, l) * (t / 2.0).sin(),
                C::from_polar(1.0, p) * (t / 2.0).sin(),
                C::from_polar(1.0, p + l) * (t / 2.0).cos(),
            )
        }
        Gate::CNOT => controlled(x),
        Gate::CY => controlled(y),
        Gate::CZ => controlled(zz),
        Gate::CRX(_) => controlled(rot(&x, angle(0))),
        Gate::CRY(_) => controlled(rot(&y, angle(0))),
        Gate::CRZ(_) => controlled(rot(&zz, angle(0))),
        Gate::CPhase(_) => controlled(one(o, z, z, C::from_polar(1.0, angle(0)))),
        Gate::SWAP => mat(4, &[o, z, z, z, z, z, o, z, z, o, z, z, z, z, z, o]),
        Gate::ISwap => mat(4, &[o, z, z, z, z, z, i, z, z, i, z, z, z, z, z, o]),
        Gate::RXX(_) => two_rot(&x, angle(0)),
        Gate::RYY(_) => two_rot(&y, angle(0)),
        Gate::RZZ(_) => two_rot(&zz, angle(0)),
        Gate::Toffoli => {
            // Controls are bits 0 and 1, target bit 2.
            let mut m = M::identity(8, 8);
            m[(3, 3)] = z;
            m[(7, 7)] = z;
            m[(3, 7)] = o;
            m[(7, 3)] = o;
            m
        }
        Gate::Fredkin => {
            // Control bit 0 swaps bits 1 and 2: |011⟩ (3) ↔ |101⟩ (5).
            let mut m = M::identity(8, 8);
            m[(3, 3)] = z;
            m[(5, 5)] = z;
            m[(3, 5)] = o;
            m[(5, 3)] = o;
            m
        }
        Gate::Unitary(u) => u.matrix().clone(),
        other => panic!("no textbook matrix for {other}"),
    }
}

/// The n-qubit operator of `u` (acting on `qubits`, first = least significant bit of u's index) as a sum of
/// Kronecker products: u = Σ_{a,b} u[a,b] ⊗_j |a_j⟩⟨b_j|, each factor placed on its qubit, I elsewhere.
fn embed(u: &M, qubits: &[usize], n: usize) -> M {
    let k = qubits.len();
    let dim = 1usize << n;
    let mut total = M::zeros(dim, dim);
    let ket_bra = |a: usize, b: usize| {
        let mut m = M::zeros(2, 2);
        m[(a, b)] = c(1.0, 0.0);
        m
    };
    for a in 0..1usize << k {
        for b in 0..1usize << k {
            let coeff = u[(a, b)];
            if coeff == c(0.0, 0.0) {
                continue;
            }
            // Qubit n−1 is the leftmost Kronecker factor.
            let mut term = M::identity(1, 1);
            for q in (0..n).rev() {
                let factor = match qubits.iter().position(|&t| t == q) {
                    Some(j) => ket_bra((a >> j) & 1, (b >> j) & 1),
                    None => M::identity(2, 2),
                };
                term = term.kronecker(&factor);
            }
            total += term * coeff;
        }
    }
    total
}

/// `u` with extra controls appended as higher bits of its index: identity unless every control is 1.
fn with_controls(u: &M, num_controls: usize) -> M {
    let k = u.nrows();
    let dim = k << num_controls;
    let all = ((1usize << num_controls) - 1) * k;
    M::from_fn(dim, dim, |r, col| {
        if r & !(k - 1) == all && col & !(k - 1) == all {
            u[(r & (k - 1), col & (k - 1))]
        } else if r == col {
            c(1.0, 0.0)
        } else {
            c(0.0, 0.0)
        }
    })
}

fn gate_strategy() -> impl Strategy<Value = Gate> {
    let angle = -7.0..7.0f64;
    prop_oneof![
        Just(Gate::I),
        Just(Gate::X),
        Just(Gate::Y),
        Just(Gate::Z),
        Just(Gate::H),
        Just(Gate::S),
        Just(Gate::Sdg),
        Just(Gate::T),
        Just(Gate::Tdg),
        Just(Gate::SX),
        Just(Gate::SXdg),
        angle.clone().prop_map(|t| Gate::RX(t.into())),
        angle.clone().prop_map(|t| Gate::RY(t.into())),
        angle.clone().prop_map(|t| Gate::RZ(t.into())),
        angle.clone().prop_map(|t| Gate::Phase(t.into())),
        (angle.clone(), angle.clone(), angle.clone()).prop_map(|(a, b, c)| Gate::U3(a.into(), b.into(), c.into())),
        Just(Gate::CNOT),
        Just(Gate::CY),
        Just(Gate::CZ),
        Just(Gate::SWAP),
        Just(Gate::ISwap),
        angle.clone().prop_map(|t| Gate::CRX(t.into())),
        angle.clone().prop_map(|t| Gate::CRY(t.into())),
        angle.clone().prop_map(|t| Gate::CRZ(t.into())),
        angle.clone().prop_map(|t| Gate::CPhase(t.into())),
        angle.clone().prop_map(|t| Gate::RXX(t.into())),
        angle.clone().prop_map(|t| Gate::RYY(t.into())),
        angle.clone().prop_map(|t| Gate::RZZ(t.into())),
        Just(Gate::Toffoli),
        Just(Gate::Fredkin),
        // A random unitary 2x2 and 4x4, as U3 and as a product, fed through the validated escape hatch.
        (angle.clone(), angle.clone(), angle.clone()).prop_map(|(a, b, c)| Gate::unitary(textbook(&Gate::U3(
            a.into(),
            b.into(),
            c.into()
        )))
        .unwrap()),
        (angle.clone(), angle.clone()).prop_map(|(a, b)| {
            let m = textbook(&Gate::CRY(a.into())) * textbook(&Gate::RXX(b.into())) * textbook(&Gate::ISwap);
            Gate::unitary(m).unwrap()
        }),
        // Diagonal and anti-diagonal unitaries take the specialised kernels.
        angle.clone().prop_map(|a| Gate::unitary(mat(
            2,
            &[C::from_polar(1.0, a), c(0.0, 0.0), c(0.0, 0.0), C::from_polar(1.0, -2.0 * a)]
        ))
        .unwrap()),
        angle.prop_map(
            |a| Gate::unitary(mat(2, &[c(0.0, 0.0), C::from_polar(1.0, a), c(0.0, 1.0), c(0.0, 0.0)])).unwrap()
        ),
    ]
}

/// A gate with a random placement on n qubits: its own qubits and up to two extra controls, all distinct.
fn placed(n: usize) -> impl Strategy<Value = Placement> {
    (
        gate_strategy(),
        Just(n).prop_perturb(|n, mut rng| {
            let mut qubits: Vec<usize> = (0..n).collect();
            // Fisher–Yates with proptest's generator.
            for i in (1..n).rev() {
                let j = (rng.next_u32() as usize) % (i + 1);
                qubits.swap(i, j);
            }
            (qubits, rng.next_u32() as usize)
        }),
    )
        .prop_map(move |(gate, (order, extra))| {
            let k = gate.num_qubits();
            let free = n - k;
            let num_controls = (extra % 3).min(free);
            let targets = order[..k].to_vec();
            let controls = order[k..k + num_controls].to_vec();
            (gate, targets, controls)
        })
}

/// A gate, its own qubits and its extra controls.
type Placement = (Gate, Vec<usize>, Vec<usize>);

fn circuit_strategy() -> impl Strategy<Value = (usize, Vec<Placement>)> {
    (3usize..=5).prop_flat_map(|n| (Just(n), prop::collection::vec(placed(n), 1..25)))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn simulator_matches_kronecker_products((n, gates) in circuit_strategy(), start in 0usize..32) {
        let start = start % (1 << n);
        let mut circuit = Circuit::new(n).unwrap();
        let mut dense = M::identity(1 << n, 1 << n);
        for (gate, targets, controls) in &gates {
            circuit.add_controlled(gate.clone(), targets, controls).unwrap();
            let mut qubits = targets.clone();
            qubits.extend(controls);
            let u = with_controls(&textbook(gate), controls.len());
            dense = embed(&u, &qubits, n) * dense;
        }
        let mut state = StateVector::basis(n, start).unwrap();
        state.run(&circuit, &[], &[]).unwrap();
        for (i, a) in state.amplitudes().iter().enumerate() {
            let expected = dense[(i, start)];
            prop_assert!((a - expected).norm() < 1e-12, "amplitude {} differs: {} vs {}", i, a, expected);
        }
    }

    #[test]
    fn library_matrices_match_textbook((gate, _, _) in placed(3)) {
        let ours = gate.matrix().unwrap();
        let theirs = textbook(&gate);
        prop_assert!((ours - theirs).iter().all(|d| d.norm() < 1e-14));
    }
}
