//! Properties of the simulator: norms are kept, circuits undo, gates are unitary, threads do not change bits.

use nalgebra::DMatrix;
use proptest::prelude::*;
use qnet::prelude::*;

fn any_gate() -> impl Strategy<Value = Gate> {
    let a = -10.0..10.0f64;
    prop_oneof![
        Just(Gate::X),
        Just(Gate::Y),
        Just(Gate::Z),
        Just(Gate::H),
        Just(Gate::S),
        Just(Gate::T),
        Just(Gate::SX),
        Just(Gate::Tdg),
        a.clone().prop_map(|t| Gate::RX(t.into())),
        a.clone().prop_map(|t| Gate::RY(t.into())),
        a.clone().prop_map(|t| Gate::RZ(t.into())),
        a.clone().prop_map(|t| Gate::Phase(t.into())),
        (a.clone(), a.clone(), a.clone()).prop_map(|(x, y, z)| Gate::U3(x.into(), y.into(), z.into())),
        (a.clone(), a.clone(), a.clone()).prop_map(|(x, y, z)| Gate::Rot(x.into(), y.into(), z.into())),
        Just(Gate::CNOT),
        Just(Gate::CY),
        Just(Gate::CZ),
        Just(Gate::SWAP),
        Just(Gate::ISwap),
        a.clone().prop_map(|t| Gate::CRX(t.into())),
        a.clone().prop_map(|t| Gate::CRY(t.into())),
        a.clone().prop_map(|t| Gate::CRZ(t.into())),
        a.clone().prop_map(|t| Gate::CPhase(t.into())),
        a.clone().prop_map(|t| Gate::RXX(t.into())),
        a.clone().prop_map(|t| Gate::RYY(t.into())),
        a.prop_map(|t| Gate::RZZ(t.into())),
        Just(Gate::Toffoli),
        Just(Gate::Fredkin),
    ]
}

/// A random circuit on n qubits from (gate, seed) pairs: the seed picks distinct qubits.
fn build(n: usize, gates: &[(Gate, u64)]) -> Circuit {
    let mut c = Circuit::new(n).unwrap();
    for (g, seed) in gates {
        let k = g.num_qubits();
        if k > n {
            continue;
        }
        let mut pool: Vec<usize> = (0..n).collect();
        let mut s = *seed;
        let mut qubits = Vec::with_capacity(k);
        for _ in 0..k {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            qubits.push(pool.remove((s >> 33) as usize % pool.len()));
        }
        c.add(g.clone(), &qubits).unwrap();
    }
    c
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn norm_stays_one(n in 3usize..=8, gates in prop::collection::vec((any_gate(), any::<u64>()), 100..400)) {
        let c = build(n, &gates);
        let mut s = StateVector::new(n).unwrap();
        s.run(&c, &[], &[]).unwrap();
        prop_assert!((s.norm() - 1.0).abs() < 1e-10, "norm {}", s.norm());
    }

    #[test]
    fn circuit_then_inverse_is_identity(
        n in 2usize..=7,
        gates in prop::collection::vec((any_gate(), any::<u64>()), 1..60),
        start in any::<usize>(),
    ) {
        let c = build(n, &gates);
        let mut round = c.clone();
        round.append(&c.inverse().unwrap()).unwrap();
        let start = start % (1 << n);
        let mut s = StateVector::basis(n, start).unwrap();
        s.run(&round, &[], &[]).unwrap();
        prop_assert!((s.probabilities()[start] - 1.0).abs() < 1e-10);
        // Each instruction's inverse undoes it gate by gate as well.
        let mut t = StateVector::basis(n, start).unwrap();
        t.run(&c, &[], &[]).unwrap();
        for inst in c.instructions().iter().rev() {
            t.apply(&inst.inverse(), &[], &[]).unwrap();
        }
        prop_assert!((t.probabilities()[start] - 1.0).abs() < 1e-10);
    }

    #[test]
    fn every_gate_matrix_is_unitary(g in any_gate()) {
        let u = g.matrix().unwrap();
        let n = u.nrows();
        let product = u.adjoint() * &u;
        let identity = DMatrix::<Complex64>::identity(n, n);
        prop_assert!((product - identity).iter().all(|d| d.norm() < 1e-12));
    }

    #[test]
    fn random_unitaries_are_accepted_and_perturbed_ones_refused(a in -5.0..5.0f64, b in -5.0..5.0f64, eps in 1e-6..0.5f64) {
        let u = Gate::U3(a.into(), b.into(), (a * b).into()).matrix().unwrap();
        prop_assert!(Gate::unitary(u.clone()).is_ok());
        let mut bad = u;
        bad[(0, 0)] += Complex64::new(eps, 0.0);
        let is_not_unitary = matches!(Gate::unitary(bad), Err(Error::NotUnitary { .. }));
        prop_assert!(is_not_unitary);
    }
}

/// The same circuit on 16 qubits (above the parallel threshold) gives the same bits on 1 and 2 threads, and
/// the same expectation values.
#[cfg(feature = "parallel")]
#[test]
fn parallel_results_are_bit_identical() {
    let n = 16;
    let gates: Vec<(Gate, u64)> = (0..300u64)
        .map(|i| {
            let g = match i % 9 {
                0 => Gate::H,
                1 => Gate::RX((0.1 * i as f64).into()),
                2 => Gate::CNOT,
                3 => Gate::RZZ((0.3 + i as f64).into()),
                4 => Gate::U3(0.2.into(), (i as f64).into(), 0.5.into()),
                5 => Gate::Toffoli,
                6 => Gate::CRY(1.3.into()),
                7 => Gate::ISwap,
                _ => Gate::T,
            };
            (g, i.wrapping_mul(0x9E37_79B9_7F4A_7C15))
        })
        .collect();
    let c = build(n, &gates);
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| {
            let mut s = StateVector::new(n).unwrap();
            s.run(&c, &[], &[]).unwrap();
            let e = s.expectation(&Observable::sum_z(n).unwrap()).unwrap();
            let xy = s.expectation_pauli(&PauliString::parse("XYZIXYZIXYZIXYZI").unwrap()).unwrap();
            let norm = s.norm();
            (s, e, xy, norm)
        })
    };
    let (a, b) = (run(1), run(2));
    assert!(a
        .0
        .amplitudes()
        .iter()
        .zip(b.0.amplitudes())
        .all(|(x, y)| x.re.to_bits() == y.re.to_bits() && x.im.to_bits() == y.im.to_bits()));
    assert_eq!(a.1.to_bits(), b.1.to_bits());
    assert_eq!(a.2.to_bits(), b.2.to_bits());
    assert_eq!(a.3.to_bits(), b.3.to_bits());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    /// `run` fuses one-qubit gates and applies runs of gates on qubits 0..15 block by block; that must give
    /// the state of applying the same instructions one at a time, to rounding (fusion multiplies 2x2 matrices
    /// first, so the last bits may differ; the engine's own tests check that blocking alone changes no bit).
    #[test]
    fn cache_blocked_runs_match_gate_by_gate(
        n in 16usize..=17,
        gates in prop::collection::vec((any_gate(), any::<u64>(), any::<bool>()), 20..120),
    ) {
        // Most gates on low qubits (blockable), some touching high ones, so runs start and end everywhere.
        let mut c = Circuit::new(n).unwrap();
        for (g, seed, high) in &gates {
            let width = if *high { n } else { 15 };
            let sub = build(width, &[(g.clone(), *seed)]);
            for inst in sub.instructions() {
                c.push(inst.clone()).unwrap();
            }
        }
        let mut blocked = StateVector::new(n).unwrap();
        for q in 0..n {
            blocked.apply_gate(&Gate::RY((0.3 + q as f64).into()), &[q]).unwrap();
        }
        let mut single = blocked.clone();
        blocked.run(&c, &[], &[]).unwrap();
        for inst in c.instructions() {
            single.apply(inst, &[], &[]).unwrap();
        }
        let err = blocked.amplitudes().iter().zip(single.amplitudes()).map(|(a, b)| (a - b).norm()).fold(0.0, f64::max);
        prop_assert!(err < 1e-13, "max amplitude difference {}", err);
    }
}
