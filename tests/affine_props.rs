//! Runs of X, CNOT and SWAP fused into one affine permutation (registers of 14 qubits and more): on random
//! circuits mixing such runs with rotations, `StateVector::run` equals the gates applied one by one with
//! `StateVector::apply` (bit for bit when the circuit only permutes), with one thread or two, and the adjoint
//! method still equals the parameter-shift rules.

use proptest::prelude::*;
use qnet::grad::{DiffMethod, Outputs, QuantumFunction};
use qnet::prelude::*;

/// Spec: (kind, two qubit seeds, angle).
type Spec = (u8, u64, f64);

/// Each spec is a permutation gate (X, CNOT, SWAP: 8 times in 13) or an RY reading a weight, a constant RZ, an
/// H, or a Toffoli (which is not affine and cuts a run).
fn circuit(n: usize, specs: &[Spec], permutations_only: bool) -> Circuit {
    let mut c = Circuit::new(n).unwrap();
    for (i, &(kind, seed, angle)) in specs.iter().enumerate() {
        let a = (seed % n as u64) as usize;
        let b = (a + 1 + ((seed >> 20) % (n as u64 - 1)) as usize) % n;
        let d = (b + 1 + ((seed >> 40) % (n as u64 - 1)) as usize) % n;
        let kind = if permutations_only { kind % 8 } else { kind % 13 };
        match kind {
            0 => c.x(a).map(|_| ()),
            1..=5 => c.cnot(a, b).map(|_| ()),
            6 | 7 => c.swap(a, b).map(|_| ()),
            8 | 9 => c.ry(a, Param::weight(i % 3)).map(|_| ()),
            10 => c.rz(b, angle).map(|_| ()),
            11 => c.h(a).map(|_| ()),
            _ if d != a => c.toffoli(a, b, d).map(|_| ()),
            _ => c.crx(a, b, Param::weight(0)).map(|_| ()),
        }
        .unwrap();
    }
    c
}

fn specs(len: std::ops::Range<usize>) -> impl Strategy<Value = Vec<Spec>> {
    prop::collection::vec((any::<u8>(), any::<u64>(), -3.0..3.0f64), len)
}

fn start(n: usize) -> StateVector {
    let v: Vec<Complex64> =
        (0..1usize << n).map(|i| Complex64::new((i as f64 * 0.37).sin(), (i as f64 * 0.11).cos())).collect();
    let norm = v.iter().map(|a| a.norm_sqr()).sum::<f64>().sqrt();
    StateVector::from_amplitudes(v.into_iter().map(|a| a / norm).collect()).unwrap()
}

fn bits(s: &StateVector) -> Vec<u64> {
    s.amplitudes().iter().flat_map(|a| [a.re.to_bits(), a.im.to_bits()]).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// `run` (fused runs, one out-of-place pass each) equals the gates one by one within 1e-13, and bit for
    /// bit when every gate is a permutation.
    #[test]
    fn run_equals_gate_by_gate(n in 14usize..=16, gates in specs(2..90), only in prop::bool::weighted(0.3)) {
        let c = circuit(n, &gates, only);
        let w = [0.4, -1.3, 2.1];
        let mut fused = start(n);
        fused.run(&c, &w, &[]).unwrap();
        let mut slow = start(n);
        for inst in c.instructions() {
            slow.apply(inst, &w, &[]).unwrap();
        }
        if only {
            prop_assert!(bits(&fused) == bits(&slow));
        }
        let err = fused.amplitudes().iter().zip(slow.amplitudes()).map(|(a, b)| (a - b).norm()).fold(0.0, f64::max);
        prop_assert!(err < 1e-13, "{}", err);
    }

    /// The parallel gather gives the same bits with one and two threads, forward and backward.
    #[test]
    fn one_and_two_threads_agree(gates in specs(10..40)) {
        let n = 17;
        let c = circuit(n, &gates, false);
        let f = QuantumFunction::new(c.clone(), Outputs::Observables(vec![Observable::sum_z(n).unwrap()])).unwrap();
        let w = [0.4, -1.3, 2.1];
        let on = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            pool.install(|| {
                let mut s = start(n);
                s.run(&c, &w, &[]).unwrap();
                (bits(&s), f.vjp(DiffMethod::Adjoint, &w, &[], &[1.0]).unwrap())
            })
        };
        let ((sa, a), (sb, b)) = (on(1), on(2));
        prop_assert!(sa == sb);
        prop_assert!(a.weights.iter().zip(&b.weights).all(|(x, y)| x.to_bits() == y.to_bits()));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(8))]

    /// The backward sweep un-applies fused runs from φ and λ: adjoint = parameter shift within 1e-12.
    #[test]
    fn adjoint_equals_parameter_shift(gates in specs(4..30)) {
        let n = 14;
        let f = QuantumFunction::new(circuit(n, &gates, false), Outputs::Observables(vec![Observable::sum_z(n).unwrap()]))
            .unwrap();
        let w = [0.4, -1.3, 2.1];
        let adjoint = f.jacobian(DiffMethod::Adjoint, &w, &[]).unwrap();
        let shift = f.jacobian(DiffMethod::ParameterShift, &w, &[]).unwrap();
        for (a, b) in adjoint.weights.iter().zip(shift.weights.iter()) {
            prop_assert!((a - b).abs() < 1e-12, "adjoint {} vs shift {}", a, b);
        }
    }
}
