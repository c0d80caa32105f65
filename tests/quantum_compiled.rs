//! `CompiledCircuit`: compiled once, run many times, bit for bit what `StateVector::run` gives.

use qnet::prelude::*;
use qnet::quantum::CompiledCircuit;

/// A circuit with weights, inputs, fused one-qubit runs, CNOT ladders and SWAPs (fused permutation runs from 14
/// qubits on), controlled gates on high qubits.
fn circuit(n: usize) -> Circuit {
    let mut c = Circuit::new(n).unwrap();
    for layer in 0..2 {
        for q in 0..n {
            c.ry(q, Param::weight(q % 3)).unwrap().rz(q, Param::input(q % 2)).unwrap();
        }
        for q in 0..n - 1 {
            c.cnot(q, q + 1).unwrap();
        }
        c.swap(0, n - 1).unwrap().x(n / 2).unwrap().swap(1, n - 2).unwrap().cnot(n - 1, 0).unwrap();
        c.crx(n - 1, layer, Param::weight(3)).unwrap().h(n - 2).unwrap();
    }
    c
}

fn bits(s: &StateVector) -> Vec<(u64, u64)> {
    s.amplitudes().iter().map(|a| (a.re.to_bits(), a.im.to_bits())).collect()
}

#[test]
fn runs_of_a_compiled_circuit_equal_run_bit_for_bit() {
    for n in [4, 9, 14, 17] {
        let c = circuit(n);
        let compiled = CompiledCircuit::new(c.clone());
        assert_eq!((compiled.num_qubits(), compiled.circuit()), (n, &c));
        let mut reused = StateVector::new(n).unwrap();
        for (w, x) in [([0.1, -0.4, 1.3, 0.7], [0.2, 0.9]), ([2.0, 0.3, -1.1, 0.05], [-0.6, 0.4])] {
            let mut fresh = StateVector::new(n).unwrap();
            fresh.run(&c, &w, &x).unwrap();
            reused.reset();
            reused.run_compiled(&compiled, &w, &x).unwrap();
            assert_eq!(bits(&reused), bits(&fresh), "{n} qubits");
            assert!((reused.norm() - 1.0).abs() < 1e-12);
        }
    }
}

#[test]
fn a_compiled_circuit_checks_what_run_checks() {
    let compiled = CompiledCircuit::from(circuit(4));
    let mut wrong = StateVector::new(5).unwrap();
    assert!(matches!(
        wrong.run_compiled(&compiled, &[0.0; 4], &[0.0; 2]),
        Err(Error::QubitCountMismatch { left: 5, right: 4 })
    ));
    let mut state = StateVector::new(4).unwrap();
    let before = state.clone();
    assert!(matches!(state.run_compiled(&compiled, &[0.0; 3], &[0.0; 2]), Err(Error::ParameterCount { .. })));
    assert!(matches!(state.run_compiled(&compiled, &[f64::NAN; 4], &[0.0; 2]), Err(Error::NonFinite { .. })));
    assert_eq!(state, before, "a refused run changes nothing");
}
