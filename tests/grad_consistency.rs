//! The three differentiation methods agree: adjoint = parameter shift within 1e-10 and = central finite
//! differences within 1e-5, for weights and inputs, for every parametrised gate kind (with and without extra
//! controls), with parameters shared by several gates and scaled.

use nalgebra::DMatrix;
use proptest::prelude::*;
use qnet::grad::{DiffMethod, Gradients, Outputs, QuantumFunction};
use qnet::prelude::*;
use qnet::quantum::Pauli;

const PS_TOL: f64 = 1e-10;
const FD_TOL: f64 = 1e-5;
const NUM_WEIGHTS: usize = 3;
const NUM_INPUTS: usize = 2;
/// The parametrised gate kinds; U3's angles are drawn independently.
const KINDS: usize = 12;

fn gate_of(kind: usize, p: [Param; 3]) -> Gate {
    match kind {
        0 => Gate::RX(p[0]),
        1 => Gate::RY(p[0]),
        2 => Gate::RZ(p[0]),
        3 => Gate::Phase(p[0]),
        4 => Gate::U3(p[0], p[1], p[2]),
        5 => Gate::CRX(p[0]),
        6 => Gate::CRY(p[0]),
        7 => Gate::CRZ(p[0]),
        8 => Gate::CPhase(p[0]),
        9 => Gate::RXX(p[0]),
        10 => Gate::RYY(p[0]),
        _ => Gate::RZZ(p[0]),
    }
}

/// A parameter from a code: weights (shared, since only three exist), inputs, or a constant, with a scale.
fn param_of(code: u8, scale: u8) -> Param {
    let scale = [1.0, -0.5, 2.0, 0.75][scale as usize % 4];
    match code % 6 {
        0..=2 => Param::weight(code as usize % NUM_WEIGHTS) * scale,
        3 | 4 => Param::input(code as usize % NUM_INPUTS) * scale,
        _ => Param::Const(0.3 * f64::from(code)),
    }
}

#[derive(Debug, Clone)]
struct Spec {
    kind: usize,
    a: usize,
    b: usize,
    control: Option<usize>,
    params: [(u8, u8); 3],
    /// Whether a CNOT follows (without it, rotations on one qubit come in runs, which the adjoint sweep fuses).
    entangle: bool,
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        0..KINDS,
        0usize..8,
        0usize..8,
        proptest::option::weighted(0.3, 0usize..8),
        proptest::array::uniform3((0u8..12, 0u8..4)),
        proptest::bool::ANY,
    )
        .prop_map(|(kind, a, b, control, params, entangle)| Spec { kind, a, b, control, params, entangle })
}

fn build(n: usize, specs: &[Spec]) -> Circuit {
    let mut c = Circuit::new(n).unwrap();
    // A non-trivial starting point: H on every qubit, then a CNOT chain.
    for q in 0..n {
        c.h(q).unwrap();
    }
    for s in specs {
        let q0 = s.a % n;
        let q1 = (q0 + 1 + s.b % (n - 1)) % n;
        let params = s.params.map(|(code, scale)| param_of(code, scale));
        let gate = gate_of(s.kind, params);
        let targets = if gate.num_qubits() == 1 { vec![q0] } else { vec![q0, q1] };
        let controls: Vec<usize> = s.control.map(|c| c % n).filter(|c| !targets.contains(c)).into_iter().collect();
        c.add_controlled(gate, &targets, &controls).unwrap();
        if s.entangle {
            c.cnot(q0, q1).unwrap();
        }
    }
    c
}

fn outputs(n: usize) -> Outputs {
    let mut obs: Vec<Observable> = (0..n).map(|q| PauliString::z(q).unwrap().into()).collect();
    // A non-diagonal, weighted observable: 0.5·X0Y1 − Z0Z1 + 0.25·Y(n−1).
    let mut mixed = Observable::new();
    mixed.push(PauliString::new(0.5, &[(0, Pauli::X), (1, Pauli::Y)]).unwrap());
    mixed.push(PauliString::new(-1.0, &[(0, Pauli::Z), (1, Pauli::Z)]).unwrap());
    mixed.push(PauliString::new(0.25, &[(n - 1, Pauli::Y)]).unwrap());
    obs.push(mixed);
    Outputs::Observables(obs)
}

fn max_diff(a: &DMatrix<f64>, b: &DMatrix<f64>) -> f64 {
    assert_eq!(a.shape(), b.shape());
    a.iter().zip(b.iter()).map(|(x, y)| (x - y).abs()).fold(0.0, f64::max)
}

fn check_all(f: &QuantumFunction, w: &[f64], x: &[f64], upstream: &[f64]) -> std::result::Result<(), TestCaseError> {
    let adj = f.jacobian(DiffMethod::Adjoint, w, x).unwrap();
    let ps = f.jacobian(DiffMethod::ParameterShift, w, x).unwrap();
    let fd = f.jacobian(DiffMethod::FiniteDifference, w, x).unwrap();
    let exact = f.evaluate(w, x).unwrap();
    for (a, e) in adj.values.iter().zip(&exact) {
        prop_assert!((a - e).abs() < 1e-12);
    }
    prop_assert!(
        max_diff(&adj.weights, &ps.weights) < PS_TOL,
        "weights: adjoint vs shift {}",
        max_diff(&adj.weights, &ps.weights)
    );
    prop_assert!(
        max_diff(&adj.inputs, &ps.inputs) < PS_TOL,
        "inputs: adjoint vs shift {}",
        max_diff(&adj.inputs, &ps.inputs)
    );
    prop_assert!(
        max_diff(&adj.weights, &fd.weights) < FD_TOL,
        "weights: adjoint vs fd {}",
        max_diff(&adj.weights, &fd.weights)
    );
    prop_assert!(
        max_diff(&adj.inputs, &fd.inputs) < FD_TOL,
        "inputs: adjoint vs fd {}",
        max_diff(&adj.inputs, &fd.inputs)
    );
    // The one-sweep VJP equals gᵀJ from parameter shift.
    let vjp = f.vjp(DiffMethod::Adjoint, w, x, upstream).unwrap();
    let g = nalgebra::DVector::from_column_slice(upstream);
    let (gw, gx) = (ps.weights.transpose() * &g, ps.inputs.transpose() * &g);
    for (a, b) in vjp.weights.iter().zip(gw.iter()).chain(vjp.inputs.iter().zip(gx.iter())) {
        prop_assert!((a - b).abs() < PS_TOL, "vjp {a} vs {b}");
    }
    // And the other methods' VJPs agree with it.
    for method in [DiffMethod::ParameterShift, DiffMethod::FiniteDifference] {
        let other = f.vjp(method, w, x, upstream).unwrap();
        let tol = if method == DiffMethod::ParameterShift { PS_TOL } else { FD_TOL * upstream.len() as f64 };
        for (a, b) in vjp.weights.iter().zip(&other.weights).chain(vjp.inputs.iter().zip(&other.inputs)) {
            prop_assert!((a - b).abs() < tol);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn methods_agree_on_random_circuits(
        n in 2usize..=4,
        specs in proptest::collection::vec(spec(), 1..14),
        w in proptest::array::uniform3(-3.2f64..3.2),
        x in proptest::array::uniform2(-3.2f64..3.2),
        upstream in proptest::collection::vec(-1.5f64..1.5, 5),
    ) {
        let circuit = build(n, &specs);
        let f = QuantumFunction::new(circuit, outputs(n)).unwrap();
        check_all(&f, &w, &x, &upstream[..f.num_outputs()])?;
    }

    #[test]
    fn methods_agree_on_probabilities(
        specs in proptest::collection::vec(spec(), 1..6),
        w in proptest::array::uniform3(-3.2f64..3.2),
        x in proptest::array::uniform2(-3.2f64..3.2),
        upstream in proptest::collection::vec(-1.0f64..1.0, 8),
    ) {
        let f = QuantumFunction::new(build(3, &specs), Outputs::Probabilities).unwrap();
        check_all(&f, &w, &x, &upstream)?;
    }
}

/// Every kind at once, each twice (plain and with an extra control), all sharing weight 0 with different
/// scales, so that the derivative for w0 sums over 24 uses.
#[test]
fn every_gate_kind_sharing_one_weight() {
    let n = 4;
    let mut c = Circuit::new(n).unwrap();
    for q in 0..n {
        c.h(q).unwrap();
    }
    for kind in 0..KINDS {
        for extra in [false, true] {
            let scale = 0.5 + 0.1 * kind as f64;
            let p = [Param::weight(0) * scale, Param::input(0) * -1.0, Param::weight(1)];
            let gate = gate_of(kind, p);
            let targets = if gate.num_qubits() == 1 { vec![kind % n] } else { vec![kind % n, (kind + 1) % n] };
            let controls = if extra { vec![(kind + 2) % n] } else { vec![] };
            c.add_controlled(gate, &targets, &controls).unwrap();
            c.cnot((kind + 3) % n, kind % n).unwrap();
        }
    }
    let f = QuantumFunction::new(c, outputs(n)).unwrap();
    let upstream = [0.3, -0.7, 1.1, 0.2, -0.4];
    check_all(&f, &[0.4, -1.1], &[0.8], &upstream).unwrap();
    // Weight 0's column is not zero: the shared parameter really is differentiated.
    let j = f.jacobian(DiffMethod::Adjoint, &[0.4, -1.1], &[0.8]).unwrap();
    assert!(j.weights.column(0).amax() > 1e-3);
}

/// The VJP without input gradients stops the sweep early but gives the same weight gradients.
#[test]
fn vjp_without_inputs_gives_the_same_weight_gradient() {
    let specs: Vec<Spec> = (0..KINDS)
        .map(|kind| Spec {
            kind,
            a: kind,
            b: kind + 1,
            control: None,
            params: [(kind as u8, 1), (3, 0), (1, 2)],
            entangle: true,
        })
        .collect();
    let mut c = Circuit::new(3).unwrap();
    c.rx(0, Param::input(0)).unwrap().ry(1, Param::input(1)).unwrap();
    c.append(&build(3, &specs)).unwrap();
    let f = QuantumFunction::new(c, outputs(3)).unwrap();
    let (w, x, g) = ([0.1, 0.2, 0.3], [0.4, 0.5], [1.0, -1.0, 0.5, 2.0]);
    let full = f.vjp(DiffMethod::Adjoint, &w, &x, &g).unwrap();
    let mut ws = f.workspace().unwrap();
    let tape = f.forward(&w, &x).unwrap();
    let mut wg = [0.0; 3];
    f.backward(&tape, &g, &mut ws, Gradients { weights: &mut wg, inputs: None }).unwrap();
    assert_eq!(tape.values().to_vec(), full.values);
    for (a, b) in wg.iter().zip(&full.weights) {
        assert!((a - b).abs() < 1e-13);
    }
}

/// On 12 qubits (beyond the 6-bit table of single-qubit Z weights) the values equal the state's own
/// expectations and the adjoint VJP equals finite differences.
#[test]
fn twelve_qubits_values_and_vjp() {
    let n = 12;
    let mut c = Circuit::new(n).unwrap();
    for q in 0..n {
        c.rx(q, Param::input(q)).unwrap().ry(q, Param::weight(q)).unwrap();
    }
    for q in 0..n {
        c.cnot(q, (q + 5) % n).unwrap();
        c.rz(q, Param::weight(n + q)).unwrap();
    }
    let mut weighted = Observable::new();
    for q in 0..n {
        weighted.push(PauliString::new(0.1 * (q as f64 + 1.0), &[(q, Pauli::Z)]).unwrap());
    }
    weighted.push(PauliString::new(-0.7, &[(3, Pauli::Z), (11, Pauli::Z)]).unwrap());
    weighted.push(PauliString::new(0.4, &[(10, Pauli::X), (2, Pauli::Y)]).unwrap());
    let obs = vec![weighted, Observable::sum_z(n).unwrap(), PauliString::z(11).unwrap().into()];
    let f = QuantumFunction::new(c.clone(), Outputs::Observables(obs.clone())).unwrap();
    let w: Vec<f64> = (0..2 * n).map(|k| 0.3 + 0.17 * k as f64).collect();
    let x: Vec<f64> = (0..n).map(|k| -0.5 + 0.21 * k as f64).collect();
    let mut state = StateVector::new(n).unwrap();
    state.run(&c, &w, &x).unwrap();
    let values = f.evaluate(&w, &x).unwrap();
    for (v, o) in values.iter().zip(&obs) {
        assert!((v - state.expectation(o).unwrap()).abs() < 1e-12);
    }
    let g = [0.9, -0.4, 1.3];
    let vjp = f.vjp(DiffMethod::Adjoint, &w, &x, &g).unwrap();
    let fd = f.jacobian(DiffMethod::FiniteDifference, &w, &x).unwrap();
    let gv = nalgebra::DVector::from_column_slice(&g);
    let (fw, fx) = (fd.weights.transpose() * &gv, fd.inputs.transpose() * &gv);
    for (a, b) in vjp.weights.iter().zip(fw.iter()).chain(vjp.inputs.iter().zip(fx.iter())) {
        assert!((a - b).abs() < FD_TOL, "{a} vs {b}");
    }
}

/// On 15 qubits (above the kernels' parallel threshold) the generic derivative path (U3, RXX, CPhase, a CRY
/// with an extra control) and the fused rotation paths agree with parameter shift.
#[test]
fn fifteen_qubits_generic_gates() {
    let n = 15;
    let mut c = Circuit::new(n).unwrap();
    for q in 0..n {
        c.ry(q, 0.3 + 0.2 * q as f64).unwrap().rx(q, 0.1 * q as f64).unwrap();
    }
    c.u3(3, Param::weight(0), Param::weight(1), Param::weight(2)).unwrap();
    c.rxx(0, 14, Param::weight(3)).unwrap();
    c.cphase(5, 9, Param::weight(4)).unwrap();
    c.add_controlled(Gate::CRY(Param::weight(5)), &[14, 2], &[7]).unwrap();
    c.ry(13, Param::input(0)).unwrap().rz(13, Param::weight(0) * -0.5).unwrap();
    c.cnot(3, 4).unwrap().cnot(13, 14).unwrap().cnot(0, 2).unwrap();
    c.rx(14, Param::input(0) * 1.5).unwrap();
    let mut mixed = Observable::sum_z(n).unwrap();
    mixed.push(PauliString::new(0.3, &[(2, Pauli::X), (14, Pauli::Y)]).unwrap());
    let f = QuantumFunction::new(c, Outputs::Observables(vec![mixed, PauliString::z(14).unwrap().into()])).unwrap();
    let (w, x) = ([0.4, -1.2, 0.8, 2.1, -0.6, 1.3], [0.9]);
    let adj = f.jacobian(DiffMethod::Adjoint, &w, &x).unwrap();
    let ps = f.jacobian(DiffMethod::ParameterShift, &w, &x).unwrap();
    assert!(max_diff(&adj.weights, &ps.weights) < PS_TOL, "{}", max_diff(&adj.weights, &ps.weights));
    assert!(max_diff(&adj.inputs, &ps.inputs) < PS_TOL);
    assert!(adj.weights.amax() > 1e-3 && adj.inputs.amax() > 1e-3);
}

/// The hardware-efficient ansatz of the G2 benchmark on 15 qubits, where runs of gates on qubits below 13 are
/// applied block by block: values equal `StateVector::run`, the adjoint gradient (weights and inputs) equals
/// parameter shift, and the 1-thread and 2-thread results are bit-identical.
#[test]
fn fifteen_qubit_hea_blocked() {
    let (n, layers) = (15, 2);
    let mut c = Circuit::new(n).unwrap();
    for i in 0..n {
        c.rx(i, Param::input(i)).unwrap();
    }
    for l in 0..layers {
        for i in 0..n {
            c.ry(i, Param::weight(2 * (l * n + i))).unwrap();
            c.rz(i, Param::weight(2 * (l * n + i) + 1)).unwrap();
        }
        for i in 0..n {
            c.cnot(i, (i + 1) % n).unwrap();
        }
    }
    c.x(2).unwrap().toffoli(0, 1, 5).unwrap().rx(4, Param::weight(0)).unwrap();
    let obs: Vec<Observable> =
        vec![Observable::sum_z(n).unwrap(), PauliString::z(0).unwrap().into(), PauliString::z(14).unwrap().into()];
    let f = QuantumFunction::new(c.clone(), Outputs::Observables(obs.clone())).unwrap();
    let w: Vec<f64> = (0..2 * n * layers).map(|k| 0.2 + 0.37 * k as f64).collect();
    let x: Vec<f64> = (0..n).map(|k| 0.1 + 0.13 * k as f64).collect();
    let mut state = StateVector::new(n).unwrap();
    state.run(&c, &w, &x).unwrap();
    let values = f.evaluate(&w, &x).unwrap();
    for (v, o) in values.iter().zip(&obs) {
        assert!((v - state.expectation(o).unwrap()).abs() < 1e-12);
    }
    let adj = f.jacobian(DiffMethod::Adjoint, &w, &x).unwrap();
    let ps = f.jacobian(DiffMethod::ParameterShift, &w, &x).unwrap();
    assert!(max_diff(&adj.weights, &ps.weights) < PS_TOL, "{}", max_diff(&adj.weights, &ps.weights));
    assert!(max_diff(&adj.inputs, &ps.inputs) < PS_TOL);
    assert!(adj.weights.amax() > 1e-3 && adj.inputs.amax() > 1e-3);
    #[cfg(feature = "parallel")]
    {
        let g = [1.0, -0.5, 0.25];
        let run = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            pool.install(|| f.vjp(DiffMethod::Adjoint, &w, &x, &g).unwrap())
        };
        assert_eq!(run(1), run(2));
    }
}
