//! The one engine behind `StateVector::run` and `QuantumFunction`: on random circuits of every gate kind (with
//! weights, inputs, extra controls and fused one-qubit runs), a function's forward pass is `run` bit for bit,
//! and the adjoint method (the engine's backward sweep) agrees with the parameter-shift rules and with finite
//! differences.

use proptest::prelude::*;
use qnet::grad::{DiffMethod, Gradients, Outputs, QuantumFunction};
use qnet::prelude::*;
use qnet::quantum::Pauli;

/// A gate kind with up to three angle slots; each slot reads a weight, an input or a constant.
fn gate_of(kind: u8, p: [Param; 3]) -> Gate {
    match kind % 30 {
        0 => Gate::H,
        1 => Gate::X,
        2 => Gate::Y,
        3 => Gate::S,
        4 => Gate::T,
        5 => Gate::SX,
        6 => Gate::RX(p[0]),
        7 => Gate::RY(p[0]),
        8 => Gate::RZ(p[0]),
        9 => Gate::Phase(p[0]),
        10 => Gate::U3(p[0], p[1], p[2]),
        11 => Gate::Rot(p[0], p[1], p[2]),
        12 => Gate::CNOT,
        13 => Gate::CY,
        14 => Gate::CZ,
        15 => Gate::SWAP,
        16 => Gate::ISwap,
        17 => Gate::CRX(p[0]),
        18 => Gate::CRY(p[0]),
        19 => Gate::CRZ(p[0]),
        20 => Gate::CPhase(p[0]),
        21 => Gate::RXX(p[0]),
        22 => Gate::RYY(p[0]),
        23 => Gate::RZZ(p[0]),
        24 => Gate::Toffoli,
        25 => Gate::Fredkin,
        26 => Gate::unitary(nalgebra::DMatrix::from_row_slice(
            2,
            2,
            &[Complex64::new(0.6, 0.0), Complex64::new(0.0, 0.8), Complex64::new(0.0, 0.8), Complex64::new(0.6, 0.0)],
        ))
        .unwrap(),
        // One-qubit rotations more often, so that fused runs form.
        27 => Gate::RY(p[1]),
        28 => Gate::RZ(p[2]),
        _ => Gate::RX(p[2]),
    }
}

fn param(choice: u8, index: usize, value: f64) -> Param {
    match choice % 3 {
        0 => Param::weight(index % 4) * (1.0 + 0.5 * (index % 3) as f64),
        1 => Param::input(index % 3),
        _ => Param::Const(value),
    }
}

/// Spec: (kind, qubit seed, param choices, constant, extra control?).
type Spec = (u8, u64, [u8; 3], f64, bool);

fn circuit(n: usize, specs: &[Spec]) -> Circuit {
    let mut c = Circuit::new(n).unwrap();
    for (i, &(kind, seed, choices, value, controlled)) in specs.iter().enumerate() {
        let p = [0, 1, 2].map(|s| param(choices[s], i + s, value + s as f64));
        let gate = gate_of(kind, p);
        let k = gate.num_qubits() + usize::from(controlled);
        if k > n {
            continue;
        }
        let mut pool: Vec<usize> = (0..n).collect();
        let mut s = seed;
        let qubits: Vec<usize> = (0..k)
            .map(|_| {
                s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                pool.remove((s >> 33) as usize % pool.len())
            })
            .collect();
        if controlled {
            c.add_controlled(gate, &qubits[1..], &qubits[..1]).unwrap();
        } else {
            c.add(gate, &qubits).unwrap();
        }
    }
    c
}

fn specs(len: std::ops::Range<usize>) -> impl Strategy<Value = Vec<Spec>> {
    prop::collection::vec((any::<u8>(), any::<u64>(), any::<[u8; 3]>(), -3.0..3.0f64, prop::bool::weighted(0.15)), len)
}

fn observables(n: usize) -> Vec<Observable> {
    let mut mixed = Observable::sum_z(n).unwrap();
    mixed.push(PauliString::parse(&"XY".repeat(n)[..n]).unwrap().with_coeff(0.5).unwrap());
    mixed.push(PauliString::new(-0.7, &[(0, Pauli::Z), (n - 1, Pauli::Z)]).unwrap());
    vec![mixed, PauliString::new(1.0, &[(n / 2, Pauli::Y)]).unwrap().into()]
}

fn same_bits(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// `QuantumFunction::evaluate` is `StateVector::run` followed by the expectations (or probabilities), bit
    /// for bit, on states below and above the cache-blocking size. A tape's state equals run's in value: the
    /// function writes the leading one-qubit gates' product state directly, where a zero amplitude may be +0
    /// that the kernels, multiplying it by a phase, leave −0.
    #[test]
    fn evaluate_is_run_bit_for_bit(n in prop::sample::select(vec![2usize, 3, 5, 14]), gates in specs(1..60)) {
        let c = circuit(n, &gates);
        let (w, x) = ([0.3, -1.1, 2.2, 0.7], [0.9, -0.4, 1.6]);
        let mut state = StateVector::new(n).unwrap();
        state.run(&c, &w, &x).unwrap();

        let f = QuantumFunction::new(c.clone(), Outputs::Probabilities).unwrap();
        prop_assert!(same_bits(&f.evaluate(&w, &x).unwrap(), &state.probabilities()));
        let tape = f.forward(&w, &x).unwrap();
        prop_assert_eq!(state.amplitudes(), tape.state());

        let obs = observables(n);
        let g = QuantumFunction::new(c, Outputs::Observables(obs.clone())).unwrap();
        let by_run: Vec<f64> = obs.iter().map(|o| state.expectation(o).unwrap()).collect();
        prop_assert!(same_bits(&g.evaluate(&w, &x).unwrap(), &by_run));
    }

    /// The adjoint method (the engine's backward sweep over fused and blocked plans) equals the exact
    /// parameter-shift rules within 1e-12 and central finite differences within 1e-6, for weights and inputs.
    #[test]
    fn adjoint_equals_parameter_shift(n in prop::sample::select(vec![2usize, 3, 4, 14]), gates in specs(1..30)) {
        let c = circuit(n, &gates);
        let f = QuantumFunction::new(c, Outputs::Observables(observables(n))).unwrap();
        let (w, x) = ([0.3, -1.1, 2.2, 0.7], [0.9, -0.4, 1.6]);
        let adjoint = f.jacobian(DiffMethod::Adjoint, &w, &x).unwrap();
        let shift = f.jacobian(DiffMethod::ParameterShift, &w, &x).unwrap();
        prop_assert!(same_bits(&adjoint.values, &shift.values));
        for (a, b) in adjoint.weights.iter().chain(adjoint.inputs.iter()).zip(shift.weights.iter().chain(shift.inputs.iter())) {
            prop_assert!((a - b).abs() < 1e-12, "adjoint {} vs shift {}", a, b);
        }
        if n < 14 {
            let fd = f.jacobian(DiffMethod::FiniteDifference, &w, &x).unwrap();
            for (a, b) in adjoint.weights.iter().chain(adjoint.inputs.iter()).zip(fd.weights.iter().chain(fd.inputs.iter())) {
                prop_assert!((a - b).abs() < 1e-6, "adjoint {} vs finite differences {}", a, b);
            }
        }
        // The tape's VJP is the Jacobian contracted with the upstream gradient.
        let upstream = [0.8, -1.7];
        let tape = f.forward(&w, &x).unwrap();
        let (mut dw, mut dx) = ([0.0; 4], [0.0; 3]);
        let mut ws = f.workspace().unwrap();
        f.backward(&tape, &upstream, &mut ws, Gradients { weights: &mut dw, inputs: Some(&mut dx) }).unwrap();
        for (j, &d) in dw.iter().enumerate() {
            let expected = upstream[0] * adjoint.weights[(0, j)] + upstream[1] * adjoint.weights[(1, j)];
            prop_assert!((d - expected).abs() < 1e-12);
        }
        for (j, &d) in dx.iter().enumerate() {
            let expected = upstream[0] * adjoint.inputs[(0, j)] + upstream[1] * adjoint.inputs[(1, j)];
            prop_assert!((d - expected).abs() < 1e-12);
        }
    }

    /// Results do not depend on the number of threads: states of 17 qubits (parallel kernels, blocked runs,
    /// chunked reductions) give the same bits with one and two threads.
    #[test]
    fn one_and_two_threads_agree(gates in specs(10..40)) {
        let n = 17;
        let c = circuit(n, &gates);
        let f = QuantumFunction::new(c, Outputs::Observables(observables(n))).unwrap();
        let (w, x) = ([0.3, -1.1, 2.2, 0.7], [0.9, -0.4, 1.6]);
        let run = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            pool.install(|| f.vjp(DiffMethod::Adjoint, &w, &x, &[1.0, -0.5]).unwrap())
        };
        let (a, b) = (run(1), run(2));
        prop_assert!(same_bits(&a.values, &b.values));
        prop_assert!(same_bits(&a.weights, &b.weights));
        prop_assert!(same_bits(&a.inputs, &b.inputs));
    }
}
