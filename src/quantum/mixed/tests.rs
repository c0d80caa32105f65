//! Density states and channels against independent routes: dense matrices ρ ↦ Σ K ρ K† built with nalgebra,
//! closed forms, the pure-state simulator, and the unfused application of every gate and channel.

use nalgebra::DMatrix;
use num_complex::Complex64 as C;
use proptest::prelude::*;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::*;

mod jumps;
mod sweep;
use crate::error::Error;
use crate::info::{DensityMatrix, GibbsState};
use crate::quantum::engine::Plan;
use crate::quantum::{Circuit, Gate, Instruction, Observable, Param, Pauli, PauliString, StateVector};

/// A random circuit on `n` qubits drawing from one- and two-qubit gates (some controlled, some reading
/// weights `0..3`).
fn random_circuit(n: usize, gates: usize, seed: u64) -> Circuit {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut c = Circuit::new(n).unwrap();
    for _ in 0..gates {
        let q = rng.random_range(0..n);
        let r = (q + 1 + rng.random_range(0..n.max(2) - 1)) % n.max(2);
        let angle = rng.random_range(-3.0..3.0);
        let kind = if n == 1 { rng.random_range(0..7) } else { rng.random_range(0..13) };
        match kind {
            0 => c.h(q),
            1 => c.rx(q, angle),
            2 => c.ry(q, Param::weight(rng.random_range(0..3))),
            3 => c.rz(q, Param::weight(2) * -0.5),
            4 => c.y(q),
            5 => c.u3(q, angle, 0.3, Param::weight(1)),
            6 => c.sx(q),
            7 => c.cnot(q, r),
            8 => c.cy(q, r),
            9 => c.iswap(q, r),
            10 => c.crx(q, r, Param::weight(0)),
            11 => c.ryy(q, r, angle),
            _ => c.add_controlled(Gate::S, &[q], &[r]),
        }
        .unwrap();
    }
    c
}

const WEIGHTS: [f64; 3] = [0.7, -1.3, 2.2];

/// The operator `k` on `qubits` of an n-qubit register, as a dense 2^n matrix (the first qubit the least
/// significant bit of `k`'s index).
fn embed(k: &DMatrix<C>, qubits: &[usize], n: usize) -> DMatrix<C> {
    let local = |i: usize| qubits.iter().enumerate().fold(0, |l, (b, &q)| l | ((i >> q) & 1) << b);
    let mask = qubits.iter().fold(0, |m, &q| m | 1usize << q);
    DMatrix::from_fn(
        1 << n,
        1 << n,
        |r, c| if r & !mask == c & !mask { k[(local(r), local(c))] } else { C::new(0.0, 0.0) },
    )
}

/// Σ_k K ρ K† with the channel's operators embedded on `qubits`.
fn dense_channel(rho: &DMatrix<C>, channel: &Channel, qubits: &[usize], n: usize) -> DMatrix<C> {
    channel
        .kraus_operators()
        .iter()
        .map(|k| {
            let big = embed(k, qubits, n);
            &big * rho * big.adjoint()
        })
        .fold(DMatrix::zeros(1 << n, 1 << n), |s, x| s + x)
}

fn max_diff(a: &DMatrix<C>, b: &DMatrix<C>) -> f64 {
    (a - b).iter().map(|z| z.norm()).fold(0.0, f64::max)
}

/// A mixed state: a random circuit, with amplitude damping and depolarizing noise in the middle.
fn mixed(n: usize, seed: u64) -> DensityState {
    let mut rho = DensityState::new(n).unwrap();
    rho.run(&random_circuit(n, 4 * n, seed), &WEIGHTS, &[]).unwrap();
    for q in 0..n {
        rho.apply_channel(&Channel::amplitude_damping(0.1 + 0.05 * q as f64).unwrap(), &[q]).unwrap();
        rho.apply_channel(&Channel::depolarizing(0.07).unwrap(), &[(q + 1) % n]).unwrap();
    }
    rho.run(&random_circuit(n, 4 * n, seed + 1), &WEIGHTS, &[]).unwrap();
    rho
}

fn every_channel() -> Vec<Channel> {
    let s = 0.5f64.sqrt();
    let hadamard_kraus = vec![
        DMatrix::from_fn(2, 2, |r, c| C::new(if r == 1 && c == 1 { -0.6 * s } else { 0.6 * s }, 0.0)),
        DMatrix::from_fn(2, 2, |r, c| C::new(0.0, if r == c { 0.8 } else { 0.0 })),
    ];
    // A two-qubit Kraus set: √0.6 CNOT and √0.4 (iSWAP).
    let cnot = Gate::CNOT.matrix().unwrap() * C::new(0.6f64.sqrt(), 0.0);
    let iswap = Gate::ISwap.matrix().unwrap() * C::new(0.4f64.sqrt(), 0.0);
    vec![
        Channel::depolarizing(0.3).unwrap(),
        Channel::depolarizing2(0.4).unwrap(),
        Channel::amplitude_damping(0.35).unwrap(),
        Channel::generalized_amplitude_damping(0.25, 0.7).unwrap(),
        Channel::thermal(0.2, 1.0, 0.8).unwrap(),
        Channel::phase_damping(0.45).unwrap(),
        Channel::bit_flip(0.15).unwrap(),
        Channel::phase_flip(0.2).unwrap(),
        Channel::pauli(0.1, 0.05, 0.2).unwrap(),
        Channel::kraus(hadamard_kraus).unwrap(),
        Channel::kraus(vec![cnot, iswap]).unwrap(),
    ]
}

#[test]
fn a_noiseless_run_is_the_outer_product_of_the_pure_run() {
    // 8 qubits: the doubled state has 2^16 entries, more than a block, so the plan blocks and tiles.
    for (n, seed) in [(1, 1), (2, 2), (3, 3), (5, 4), (8, 5)] {
        let c = random_circuit(n, 12 * n, seed);
        let mut psi = StateVector::new(n).unwrap();
        psi.run(&c, &WEIGHTS, &[]).unwrap();
        let mut rho = DensityState::new(n).unwrap();
        rho.run(&c, &WEIGHTS, &[]).unwrap();
        let a = psi.amplitudes();
        let expected = DMatrix::from_fn(1 << n, 1 << n, |r, c| a[r] * a[c].conj());
        assert!(max_diff(&rho.matrix(), &expected) < 1e-12, "n = {n}: {}", max_diff(&rho.matrix(), &expected));
        assert_eq!(DensityState::from_pure(&psi).unwrap().matrix(), expected);
        if n == 8 {
            let pieces = doubled::pieces(&c, &NoiseModel::new(), &WEIGHTS, &[]).unwrap();
            let doubled::Piece::Circuit(d) = &pieces[0] else { panic!("one circuit") };
            let plan = Plan::compile(d);
            use crate::quantum::engine::Segment;
            assert!(plan.schedule.iter().any(|s| matches!(s, Segment::Blocked(..))), "{:?}", plan.schedule);
            assert!(plan.schedule.iter().any(|s| matches!(s, Segment::Tiled(..) | Segment::Node(..))));
        }
    }
}

#[test]
fn channels_equal_their_dense_kraus_sums() {
    let n = 3;
    for channel in every_channel() {
        let placements: &[&[usize]] = if channel.num_qubits() == 1 { &[&[0], &[2]] } else { &[&[0, 2], &[2, 1]] };
        for &qubits in placements {
            let mut rho = mixed(n, 11);
            let expected = dense_channel(&rho.matrix(), &channel, qubits, n);
            rho.apply_channel(&channel, qubits).unwrap();
            assert!(max_diff(&rho.matrix(), &expected) < 1e-14, "{} on {qubits:?}", channel.name());
        }
    }
}

/// The Bloch vector (⟨X⟩, ⟨Y⟩, ⟨Z⟩) of a one-qubit state.
fn bloch(rho: &DensityState) -> [f64; 3] {
    [Pauli::X, Pauli::Y, Pauli::Z]
        .map(|p| rho.expectation(&Observable::from(PauliString::new(1.0, &[(0, p)]).unwrap())).unwrap())
}

#[test]
fn closed_forms() {
    // Depolarizing shrinks the Bloch vector by 1 − 4p/3.
    let mut c = Circuit::new(1).unwrap();
    c.u3(0, 1.1, 0.4, -0.7).unwrap();
    for p in [0.0, 0.1, 0.5, 0.75, 1.0] {
        let mut rho = DensityState::new(1).unwrap();
        rho.run(&c, &[], &[]).unwrap();
        let before = bloch(&rho);
        rho.apply_channel(&Channel::depolarizing(p).unwrap(), &[0]).unwrap();
        let after = bloch(&rho);
        for k in 0..3 {
            assert!((after[k] - (1.0 - 4.0 * p / 3.0) * before[k]).abs() < 1e-14, "p = {p}");
        }
        // Aer's λ = 4p/3.
        assert_eq!(
            Channel::depolarizing_from_aer(4.0 * p / 3.0).unwrap().superoperator(),
            Channel::depolarizing(p).unwrap().superoperator()
        );
    }
    assert_eq!(Channel::depolarizing_from_aer(0.4).unwrap(), Channel::depolarizing(0.4 * 0.75).unwrap());
    // Amplitude damping of |1⟩: ⟨Z⟩ = 2γ − 1.
    for gamma in [0.0, 0.02, 0.3, 1.0] {
        let mut rho = DensityState::new(1).unwrap();
        let mut x = Circuit::new(1).unwrap();
        x.x(0).unwrap();
        rho.run(&x, &[], &[]).unwrap();
        rho.apply_channel(&Channel::amplitude_damping(gamma).unwrap(), &[0]).unwrap();
        assert!((bloch(&rho)[2] - (2.0 * gamma - 1.0)).abs() < 1e-15);
    }
    // Phase damping is the phase flip with 1 − 2p = √(1−γ).
    let gamma: f64 = 0.36;
    let (a, b) =
        (Channel::phase_damping(gamma).unwrap(), Channel::phase_flip((1.0 - (1.0 - gamma).sqrt()) / 2.0).unwrap());
    assert!(max_diff(&a.superoperator(), &b.superoperator()) < 1e-15);
    // Two-qubit depolarizing at p = 15/16 (Aer's λ = 1) is complete: I/4 on the pair.
    let mut rho = mixed(2, 3);
    rho.apply_channel(&Channel::depolarizing2_from_aer(1.0).unwrap(), &[1, 0]).unwrap();
    assert!(max_diff(&rho.matrix(), &DMatrix::from_diagonal_element(4, 4, C::new(0.25, 0.0))) < 1e-15);
}

#[test]
fn thermal_relaxation_converges_to_the_gibbs_state() {
    let (gap, temperature) = (1.3, 0.9);
    // H = −(gap/2) Z: |1⟩ sits `gap` above |0⟩.
    let h = Observable::from(PauliString::new(-gap / 2.0, &[(0, Pauli::Z)]).unwrap());
    let gibbs = GibbsState::new(&h, 1, temperature).unwrap();
    let channel = Channel::thermal(0.3, gap, temperature).unwrap();
    let mut rho = DensityState::new(1).unwrap();
    let mut c = Circuit::new(1).unwrap();
    c.u3(0, 2.0, 0.5, 0.1).unwrap();
    rho.run(&c, &[], &[]).unwrap();
    for _ in 0..200 {
        rho.apply_channel(&channel, &[0]).unwrap();
    }
    assert!(max_diff(&rho.matrix(), gibbs.density_matrix().matrix()) < 1e-13, "{}", rho.matrix());
    // The fixed point: one more step changes nothing; T = 0 is plain amplitude damping.
    assert_eq!(
        Channel::thermal(0.3, gap, 0.0).unwrap().superoperator(),
        Channel::generalized_amplitude_damping(0.3, 1.0).unwrap().superoperator()
    );
    let ad = Channel::amplitude_damping(0.3).unwrap().superoperator();
    assert!(max_diff(&Channel::thermal(0.3, gap, 0.0).unwrap().superoperator(), &ad) < 1e-16);
}

#[test]
fn a_noise_model_run_equals_every_gate_and_channel_applied_one_by_one() {
    let n = 4;
    let c = random_circuit(n, 30, 21);
    let mut noise = NoiseModel::new();
    noise
        .after_all_gates(Channel::depolarizing(0.01).unwrap())
        .after_gate("ry", Channel::amplitude_damping(0.05).unwrap())
        .after_gate("cx", Channel::depolarizing2(0.03).unwrap())
        .on_qubits(None, &[1, 3], Channel::phase_damping(0.1).unwrap())
        .on_qubits(Some("iswap"), &[0, 1, 2], Channel::generalized_amplitude_damping(0.1, 0.8).unwrap());
    let mut fused = DensityState::new(n).unwrap();
    fused.run_noisy(&c, &noise, &WEIGHTS, &[]).unwrap();
    let mut slow = DensityState::new(n).unwrap();
    let mut applied = 0;
    for inst in c.instructions() {
        let mut one = Circuit::new(n).unwrap();
        one.push(inst.clone()).unwrap();
        slow.run(&one, &WEIGHTS, &[]).unwrap();
        for (_, channel, qubits) in noise.channels_after(inst).unwrap() {
            slow.apply_channel(channel, &qubits).unwrap();
            applied += 1;
        }
    }
    assert!(applied > 2 * c.len());
    assert!(max_diff(&fused.matrix(), &slow.matrix()) < 1e-13, "{}", max_diff(&fused.matrix(), &slow.matrix()));
    assert!((fused.trace() - 1.0).abs() < 1e-13);
}

#[test]
fn measures_of_the_state_match_dense_matrices() {
    let n = 3;
    let rho = mixed(n, 5);
    let m = rho.matrix();
    let dense = DensityMatrix::try_from(&rho).unwrap();
    assert!((rho.purity() - dense.purity()).abs() < 1e-14);
    assert!((rho.trace() - 1.0).abs() < 1e-13);
    let observable = Observable::from_terms(vec![
        PauliString::parse("XYZ").unwrap().with_coeff(0.7).unwrap(),
        PauliString::parse("YIY").unwrap().with_coeff(-1.2).unwrap(),
        PauliString::parse("ZZI").unwrap(),
        PauliString::new(0.4, &[]).unwrap(),
    ]);
    let expected = (observable.matrix(n).unwrap() * &m).trace().re;
    assert!((rho.expectation(&observable).unwrap() - expected).abs() < 1e-13);
    let probs = rho.probabilities();
    assert!(probs.iter().enumerate().all(|(j, p)| (p - m[(j, j)].re).abs() == 0.0));
    // Marginal of qubits (2, 0): index bit 0 is qubit 2.
    let marginal = rho.marginal(&[2, 0]).unwrap();
    for (k, got) in marginal.iter().enumerate() {
        let want: f64 = (0..8).filter(|j| (j >> 2) & 1 == k & 1 && j & 1 == k >> 1).map(|j| probs[j]).sum();
        assert!((got - want).abs() < 1e-15);
    }
    // Samples follow the probabilities (each count within 5σ), and a seed repeats them.
    let shots = 20_000;
    let counts = rho.sample(shots, &mut ChaCha8Rng::seed_from_u64(3)).unwrap();
    assert_eq!(counts, rho.sample(shots, &mut ChaCha8Rng::seed_from_u64(3)).unwrap());
    assert_eq!(counts.values().sum::<usize>(), shots);
    for (j, p) in probs.iter().enumerate() {
        let got = counts.get(&j).copied().unwrap_or(0) as f64;
        let sigma = (shots as f64 * p * (1.0 - p)).sqrt();
        assert!((got - shots as f64 * p).abs() <= 5.0 * sigma + 1.0, "{j}: {got} vs {}", shots as f64 * p);
    }
}

#[test]
fn readout_errors_on_probabilities_and_on_samples() {
    let n = 2;
    let rho = mixed(n, 8);
    let (e0, e1) = (ReadoutError::new(0.1, 0.25).unwrap(), ReadoutError::new(0.05, 0.0).unwrap());
    let mut noise = NoiseModel::new();
    noise.readout(0, e0).readout(1, e1);
    let mut p = rho.probabilities();
    noise.apply_readout(&mut p).unwrap();
    // Independently: the Kronecker product of the confusion matrices, rows the state, columns the bit read.
    let m = |e: ReadoutError| {
        let c = e.confusion_matrix();
        DMatrix::from_fn(2, 2, |r, k| c[r][k])
    };
    let big = m(e1).kronecker(&m(e0));
    let want = big.transpose() * nalgebra::DVector::from_vec(rho.probabilities());
    assert!(p.iter().zip(want.iter()).all(|(a, b)| (a - b).abs() < 1e-15));
    // Samples: the flipped counts follow the mixed probabilities.
    let shots = 40_000;
    let counts = rho.sample(shots, &mut ChaCha8Rng::seed_from_u64(1)).unwrap();
    let read = noise.apply_readout_to_counts(&counts, n, &mut ChaCha8Rng::seed_from_u64(2)).unwrap();
    assert_eq!(read.values().sum::<usize>(), shots);
    for (j, q) in want.iter().enumerate() {
        let got = read.get(&j).copied().unwrap_or(0) as f64;
        assert!((got - shots as f64 * q).abs() <= 5.0 * (shots as f64 * q * (1.0 - q)).sqrt() + 1.0, "{j}");
    }
}

#[test]
fn bad_input_is_a_typed_error() {
    let out_of_range = |channel: &'static str, parameter: &'static str, value: f64| move |e: Error| matches!(e, Error::InvalidChannelParameter { channel: c, parameter: p, value: v } if c == channel && p == parameter && (v == value || v.is_nan() && value.is_nan()));
    for bad in [-0.1, 1.0 + 1e-9, f64::NAN, f64::INFINITY] {
        assert!(out_of_range("depolarizing", "p", bad)(Channel::depolarizing(bad).unwrap_err()));
        assert!(out_of_range("bit_flip", "p", bad)(Channel::bit_flip(bad).unwrap_err()));
        assert!(out_of_range("phase_flip", "p", bad)(Channel::phase_flip(bad).unwrap_err()));
        assert!(out_of_range("amplitude_damping", "gamma", bad)(Channel::amplitude_damping(bad).unwrap_err()));
        assert!(out_of_range("phase_damping", "gamma", bad)(Channel::phase_damping(bad).unwrap_err()));
        assert!(out_of_range("depolarizing2", "p", bad)(Channel::depolarizing2(bad).unwrap_err()));
        assert!(out_of_range("generalized_amplitude_damping", "p", bad)(
            Channel::generalized_amplitude_damping(0.1, bad).unwrap_err()
        ));
        assert!(out_of_range("generalized_amplitude_damping", "gamma", bad)(
            Channel::generalized_amplitude_damping(bad, 0.1).unwrap_err()
        ));
        assert!(out_of_range("pauli", "py", bad)(Channel::pauli(0.1, bad, 0.1).unwrap_err()));
        assert!(matches!(ReadoutError::new(bad, 0.0), Err(Error::InvalidReadout { row: 0, .. })));
        assert!(matches!(ReadoutError::new(0.0, bad), Err(Error::InvalidReadout { row: 1, .. })));
        assert!(
            matches!(Channel::thermal(0.1, bad, 1.0), Err(Error::InvalidHyperParameter { name: "gap", .. }))
                || bad == 1.0 + 1e-9
        );
        assert!(
            matches!(Channel::thermal(0.1, 1.0, bad), Err(Error::InvalidHyperParameter { name: "temperature", .. }))
                || bad == 1.0 + 1e-9
        );
    }
    assert!(out_of_range("pauli", "px + py + pz", 1.1)(Channel::pauli(0.5, 0.5, 0.1).unwrap_err()));
    assert!(out_of_range("depolarizing", "aer lambda", 1.4)(Channel::depolarizing_from_aer(1.4).unwrap_err()));
    assert!(out_of_range("depolarizing2", "aer lambda", 1.1)(Channel::depolarizing2_from_aer(1.1).unwrap_err()));
    assert!(Channel::depolarizing_from_aer(4.0 / 3.0).is_ok());
    assert!(matches!(
        ReadoutError::from_confusion_matrix([[0.5, 0.4], [0.0, 1.0]]),
        Err(Error::InvalidReadout { row: 0, .. })
    ));
    // Kraus sets: not trace preserving, shapes, non-finite, empty.
    let half = DMatrix::from_diagonal_element(2, 2, C::new(0.5, 0.0));
    assert!(
        matches!(Channel::kraus(vec![half.clone()]), Err(Error::NotTracePreserving { deviation, .. }) if (deviation - 0.75).abs() < 1e-15)
    );
    let id3 = DMatrix::<C>::identity(3, 3);
    assert!(matches!(Channel::kraus(vec![id3]), Err(Error::KrausShape { index: 0, rows: 3, cols: 3, .. })));
    assert!(matches!(
        Channel::kraus(vec![half.clone(), DMatrix::identity(4, 4)]),
        Err(Error::KrausShape { index: 1, rows: 4, expected: 2, .. })
    ));
    assert!(matches!(
        Channel::kraus(vec![DMatrix::zeros(2, 4)]),
        Err(Error::KrausShape { index: 0, rows: 2, cols: 4, .. })
    ));
    let mut nan = half.clone();
    nan[(1, 0)] = C::new(f64::NAN, 0.0);
    assert!(matches!(Channel::kraus(vec![nan]), Err(Error::NonFinite { .. })));
    assert_eq!(Channel::kraus(vec![]), Err(Error::EmptyDistribution { what: "kraus operators" }));
    assert!(Channel::kraus(vec![half.clone(), half * C::new(0.0, 3f64.sqrt())]).is_ok());
    // Placements.
    let mut rho = DensityState::new(2).unwrap();
    let dep = Channel::depolarizing(0.1).unwrap();
    assert_eq!(rho.apply_channel(&dep, &[2]), Err(Error::InvalidQubit { qubit: 2, num_qubits: 2 }));
    assert_eq!(rho.apply_channel(&dep, &[0, 1]), Err(Error::GateArity { gate: "depolarizing", expected: 1, found: 2 }));
    let dep2 = Channel::depolarizing2(0.1).unwrap();
    assert_eq!(rho.apply_channel(&dep2, &[1, 1]), Err(Error::DuplicateQubit { qubit: 1 }));
    assert_eq!(rho.apply_channel(&dep2, &[0, 5]), Err(Error::InvalidQubit { qubit: 5, num_qubits: 2 }));
    assert_eq!(rho.marginal(&[0, 0]), Err(Error::DuplicateQubit { qubit: 0 }));
    assert_eq!(rho.marginal(&[3]), Err(Error::InvalidQubit { qubit: 3, num_qubits: 2 }));
    assert_eq!(rho.expectation(&Observable::sum_z(3).unwrap()), Err(Error::InvalidQubit { qubit: 2, num_qubits: 2 }));
    assert_eq!(rho, DensityState::new(2).unwrap(), "failed calls change nothing");
    // Circuits: another register, missing weights, a two-qubit channel after a one-qubit gate.
    let mut h = Circuit::new(3).unwrap();
    h.h(0).unwrap();
    assert_eq!(rho.run(&h, &[], &[]), Err(Error::QubitCountMismatch { left: 2, right: 3 }));
    let mut ry = Circuit::new(2).unwrap();
    ry.ry(0, Param::weight(1)).unwrap();
    assert!(matches!(rho.run(&ry, &[0.1], &[]), Err(Error::ParameterCount { expected: 2, found: 1, .. })));
    let mut noise = NoiseModel::new();
    noise.after_all_gates(dep2);
    assert_eq!(
        rho.run_noisy(&ry, &noise, &[0.1, 0.2], &[]),
        Err(Error::GateArity { gate: "depolarizing2", expected: 2, found: 1 })
    );
    // Registers beyond memory, and beyond a machine word.
    assert!(
        matches!(DensityState::new(40), Err(Error::TooManyQubits { num_qubits: 40, bytes }) if bytes == 16u128 << 80)
    );
    assert!(matches!(DensityState::new(usize::MAX), Err(Error::TooManyQubits { bytes: u128::MAX, .. })));
    assert_eq!(DensityState::new(0), Err(Error::ZeroQubits));
    // Readout on the wrong register.
    let mut noise = NoiseModel::new();
    noise.readout(2, ReadoutError::new(0.1, 0.1).unwrap());
    assert_eq!(noise.apply_readout(&mut [0.5, 0.5]), Err(Error::InvalidQubit { qubit: 2, num_qubits: 1 }));
    assert_eq!(noise.apply_readout(&mut [0.5, 0.2, 0.3]), Err(Error::InvalidStateLength { len: 3 }));
    let counts = std::collections::BTreeMap::from([(1usize, 3usize)]);
    assert!(matches!(
        noise.apply_readout_to_counts(&counts, 2, &mut ChaCha8Rng::seed_from_u64(0)),
        Err(Error::InvalidQubit { qubit: 2, .. })
    ));
    let counts = std::collections::BTreeMap::from([(9usize, 3usize)]);
    assert!(matches!(
        noise.apply_readout_to_counts(&counts, 3, &mut ChaCha8Rng::seed_from_u64(0)),
        Err(Error::InvalidBasisState { index: 9, .. })
    ));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// After random channels with random parameters on random qubits, ρ is a density matrix: trace 1,
    /// Hermitian, smallest eigenvalue ≥ −1e−12.
    #[test]
    fn random_channels_keep_a_density_matrix(
        seed in 0u64..1000,
        steps in proptest::collection::vec((0usize..11, 0.0f64..=1.0, 0.0f64..=1.0, 0usize..3, 1usize..3), 1..12),
    ) {
        let n = 3;
        let mut rho = DensityState::new(n).unwrap();
        rho.run(&random_circuit(n, 8, seed), &WEIGHTS, &[]).unwrap();
        for (kind, a, b, q, d) in steps {
            let channel = match kind {
                0 => Channel::depolarizing(a),
                1 => Channel::depolarizing2(a),
                2 => Channel::amplitude_damping(a),
                3 => Channel::generalized_amplitude_damping(a, b),
                4 => Channel::phase_damping(a),
                5 => Channel::bit_flip(a),
                6 => Channel::phase_flip(a),
                7 => Channel::pauli(a / 3.0, b / 3.0, (1.0 - a - b).abs() / 3.0),
                8 => Channel::thermal(a, b * 3.0, a * 2.0),
                9 => Channel::kraus(vec![
                    DMatrix::from_diagonal(&nalgebra::dvector![C::new(1.0, 0.0), C::from_polar((1.0 - a).sqrt(), b)]),
                    DMatrix::from_fn(2, 2, |r, c| if r == 0 && c == 1 { C::new(a.sqrt(), 0.0) } else { C::new(0.0, 0.0) }),
                ]),
                _ => Channel::depolarizing_from_aer(a),
            }.unwrap();
            let qubits = if channel.num_qubits() == 1 { vec![q] } else { vec![q, (q + d) % n] };
            rho.apply_channel(&channel, &qubits).unwrap();
            rho.run(&random_circuit(n, 2, seed + q as u64), &WEIGHTS, &[]).unwrap();
        }
        prop_assert!((rho.trace() - 1.0).abs() < 1e-12);
        let m = rho.matrix();
        prop_assert!(max_diff(&m, &m.adjoint()) < 1e-13);
        let dense = DensityMatrix::try_from(&rho).unwrap();
        let smallest = dense.eigenvalues().unwrap()[0];
        prop_assert!(smallest >= -1e-12, "{}", smallest);
        prop_assert!(rho.purity() <= 1.0 + 1e-12 && rho.purity() >= 1.0 / 8.0 - 1e-12);
    }
}

#[test]
fn density_matrices_round_trip_through_info() {
    let rho = mixed(3, 9);
    let dense = DensityMatrix::try_from(&rho).unwrap();
    assert_eq!(dense.matrix(), &rho.matrix());
    assert_eq!(dense.to_density_state().unwrap(), rho);
    // Entropy grows under decoherence: a pure state has none, the damped one some.
    let mut pure = DensityState::new(2).unwrap();
    let mut c = Circuit::new(2).unwrap();
    c.h(0).unwrap().cnot(0, 1).unwrap();
    pure.run(&c, &[], &[]).unwrap();
    let s0 = DensityMatrix::try_from(&pure).unwrap().von_neumann_entropy(crate::info::Base::BITS).unwrap();
    pure.apply_channel(&Channel::amplitude_damping(0.5).unwrap(), &[1]).unwrap();
    let s1 = DensityMatrix::try_from(&pure).unwrap().von_neumann_entropy(crate::info::Base::BITS).unwrap();
    assert!(s0.abs() < 1e-10 && s1 > 0.1, "{s0} {s1}");
    let _ = Instruction::new(Gate::H, vec![0], vec![]).unwrap();
}

/// A noise model with every kind of placement, two-qubit channels included.
fn rich_noise() -> NoiseModel {
    let mut noise = NoiseModel::new();
    noise
        .after_all_gates(Channel::depolarizing(0.02).unwrap())
        .after_gate("ry", Channel::amplitude_damping(0.05).unwrap())
        .after_gate("crx", Channel::depolarizing2(0.03).unwrap())
        .on_qubits(None, &[0, 2], Channel::phase_damping(0.1).unwrap())
        .on_qubits(Some("rx"), &[1], Channel::generalized_amplitude_damping(0.1, 0.8).unwrap());
    noise
}

#[test]
fn adjoint_gradients_equal_finite_differences_and_parameter_shift() {
    for (n, seed) in [(1, 31), (2, 32), (3, 33), (4, 34)] {
        let mut c = random_circuit(n, 10 * n, seed);
        // Inputs, and a doubly controlled rotation reading a weight.
        c.rx(0, Param::input(0)).unwrap().ry(n - 1, Param::input(1) * 2.0).unwrap();
        if n >= 3 {
            c.add_controlled(Gate::RY(Param::weight(2)), &[2], &[0, 1]).unwrap();
        }
        let observable = Observable::from_terms(vec![
            PauliString::new(0.8, &[(0, Pauli::Z)]).unwrap(),
            PauliString::new(-0.5, &[(0, Pauli::X), (n - 1, Pauli::Y)])
                .unwrap_or_else(|_| PauliString::new(-0.5, &[(0, Pauli::X)]).unwrap()),
        ]);
        let noise = rich_noise();
        let start = mixed(n, seed);
        let x = [0.3, -0.9];
        let f = |w: &[f64], x: &[f64]| {
            let mut rho = start.clone();
            rho.run_noisy(&c, &noise, w, x).unwrap();
            rho.expectation(&observable).unwrap()
        };
        let g = start.gradient(&c, &noise, &observable, &WEIGHTS, &x).unwrap();
        assert!((g.value - f(&WEIGHTS, &x)).abs() < 1e-13, "n = {n}");
        assert_eq!((g.weights.len(), g.inputs.len()), (3, 2));
        assert!(g.weights.iter().any(|d| d.abs() > 1e-3), "{g:?}");
        let h = 1e-6;
        for i in 0..3 {
            let (mut up, mut down) = (WEIGHTS, WEIGHTS);
            up[i] += h;
            down[i] -= h;
            let fd = (f(&up, &x) - f(&down, &x)) / (2.0 * h);
            assert!((g.weights[i] - fd).abs() < 1e-8, "n = {n}, w{i}: {} vs {fd}", g.weights[i]);
        }
        for i in 0..2 {
            let (mut up, mut down) = (x, x);
            up[i] += h;
            down[i] -= h;
            let fd = (f(&WEIGHTS, &up) - f(&WEIGHTS, &down)) / (2.0 * h);
            assert!((g.inputs[i] - fd).abs() < 1e-8, "n = {n}, x{i}: {} vs {fd}", g.inputs[i]);
        }
        // Parameter shift: x0 enters one RX, a Pauli rotation: ∂f = (f(x + π/2) − f(x − π/2))/2, noise or not.
        let shift = |by: f64| f(&WEIGHTS, &[x[0] + by, x[1]]);
        let ps = (shift(std::f64::consts::FRAC_PI_2) - shift(-std::f64::consts::FRAC_PI_2)) / 2.0;
        assert!((g.inputs[0] - ps).abs() < 1e-12, "n = {n}: {} vs {ps}", g.inputs[0]);
    }
}

#[test]
fn adjoint_gradients_on_noise_py_sized_states_and_without_noise() {
    // Without noise: the density gradient equals the pure adjoint gradient of QuantumFunction.
    use crate::grad::{DiffMethod, Outputs, QuantumFunction};
    let n = 5;
    let c = random_circuit(n, 40, 41);
    let z = Observable::sum_z(n).unwrap();
    let g = DensityState::new(n).unwrap().gradient(&c, &NoiseModel::new(), &z, &WEIGHTS, &[]).unwrap();
    let f = QuantumFunction::new(c.clone(), Outputs::Observables(vec![z])).unwrap();
    let pure = f.vjp(DiffMethod::Adjoint, &WEIGHTS, &[], &[1.0]).unwrap();
    for (a, b) in g.weights.iter().zip(&pure.weights) {
        assert!((a - b).abs() < 1e-12, "{a} vs {b}");
    }
    // Errors: another register, a missing weight, an observable beyond the register.
    let rho = DensityState::new(2).unwrap();
    assert_eq!(
        rho.gradient(&c, &NoiseModel::new(), &Observable::sum_z(2).unwrap(), &WEIGHTS, &[]),
        Err(Error::QubitCountMismatch { left: 2, right: 5 })
    );
    let small = random_circuit(2, 10, 3);
    assert!(matches!(
        rho.gradient(&small, &NoiseModel::new(), &Observable::sum_z(2).unwrap(), &[0.1], &[]),
        Err(Error::ParameterCount { .. })
    ));
    assert_eq!(
        rho.gradient(&small, &NoiseModel::new(), &Observable::sum_z(3).unwrap(), &WEIGHTS, &[]),
        Err(Error::InvalidQubit { qubit: 2, num_qubits: 2 })
    );
}

/// Superoperators printed by `$HOME/peers/bin/python /tmp/noise-peer/conventions.py` (Aer's `SuperOp` and Σ K*⊗K of
/// Cirq's `cirq.kraus`, both column-stacking: the index r + 2c of qnet), row by row:
/// ```text
/// aer_gad_0.3_excited_0.4  = cirq_gad_p0.6_gamma0.3: 0.88 0 0 0.18 | 0 0.836660026534075 0 0 | 0 0 0.836660026534075 0 | 0.12 0 0 0.82
/// aer_phase_damping_0.36: diag(1, 0.8, 0.8, 1)
/// cirq_depolarize_0.3 = aer_depolarizing_0.4: 0.8 0 0 0.2 | 0 0.6 0 0 | 0 0 0.6 0 | 0.2 0 0 0.8
/// dep2 (p = 0.3): cirq vs aer (λ = 16p/15) max diff 2.2e-16; entries [0,0], [0,5], [5,5], [0,15] 0.76 0.08 0.76 0.08
/// ```
#[test]
fn superoperators_equal_the_peers() {
    let close = |s: &DMatrix<C>, rows: [[f64; 4]; 4]| {
        (0..4).all(|r| (0..4).all(|c| (s[(r, c)] - C::new(rows[r][c], 0.0)).norm() < 1e-15))
    };
    let gad = Channel::generalized_amplitude_damping(0.3, 0.6).unwrap().superoperator();
    let a = 0.836660026534075;
    assert!(
        close(&gad, [[0.88, 0.0, 0.0, 0.18], [0.0, a, 0.0, 0.0], [0.0, 0.0, a, 0.0], [0.12, 0.0, 0.0, 0.82]]),
        "{gad}"
    );
    let pd = Channel::phase_damping(0.36).unwrap().superoperator();
    assert!(
        close(&pd, [[1.0, 0.0, 0.0, 0.0], [0.0, 0.8, 0.0, 0.0], [0.0, 0.0, 0.8, 0.0], [0.0, 0.0, 0.0, 1.0]]),
        "{pd}"
    );
    let dep = [[0.8, 0.0, 0.0, 0.2], [0.0, 0.6, 0.0, 0.0], [0.0, 0.0, 0.6, 0.0], [0.2, 0.0, 0.0, 0.8]];
    assert!(close(&Channel::depolarizing(0.3).unwrap().superoperator(), dep));
    assert!(close(&Channel::depolarizing_from_aer(0.4).unwrap().superoperator(), dep));
    let dep2 = Channel::depolarizing2(0.3).unwrap().superoperator();
    for ((r, c), v) in [((0, 0), 0.76), ((0, 5), 0.08), ((5, 5), 0.76), ((0, 15), 0.08)] {
        assert!((dep2[(r, c)] - C::new(v, 0.0)).norm() < 1e-15, "({r}, {c})");
    }
    assert!(max_diff(&dep2, &Channel::depolarizing2_from_aer(16.0 * 0.3 / 15.0).unwrap().superoperator()) < 1e-15);
}

#[test]
fn superoperator_derivatives_equal_central_differences() {
    // Each channel as a function of its parameter values, at interior points.
    type Make = fn(&[f64]) -> Channel;
    let cases: [(Make, &[f64]); 8] = [
        (|v| Channel::depolarizing(v[0]).unwrap(), &[0.3]),
        (|v| Channel::depolarizing2(v[0]).unwrap(), &[0.4]),
        (|v| Channel::amplitude_damping(v[0]).unwrap(), &[0.35]),
        (|v| Channel::generalized_amplitude_damping(v[0], v[1]).unwrap(), &[0.25, 0.7]),
        (|v| Channel::phase_damping(v[0]).unwrap(), &[0.45]),
        (|v| Channel::bit_flip(v[0]).unwrap(), &[0.15]),
        (|v| Channel::phase_flip(v[0]).unwrap(), &[0.2]),
        (|v| Channel::pauli(v[0], v[1], v[2]).unwrap(), &[0.1, 0.05, 0.2]),
    ];
    for (make, values) in cases {
        let channel = make(values);
        let spec = channel.spec();
        assert_eq!(spec.params.len(), values.len(), "{}", channel.name());
        for (slot, p) in spec.params.iter().enumerate() {
            assert_eq!(p.value, values[slot]);
            let h = 1e-6;
            let at = |by: f64| {
                let mut v = values.to_vec();
                v[slot] += by;
                make(&v).superoperator()
            };
            let fd = (at(h) - at(-h)) / C::new(2.0 * h, 0.0);
            let exact = (p.derivative)(values);
            assert!(max_diff(&fd, &exact) < 1e-8, "{} {}: {}", channel.name(), p.name, max_diff(&fd, &exact));
        }
    }
    assert!(Channel::kraus(vec![DMatrix::identity(2, 2)]).unwrap().parameters().is_empty());
    assert_eq!(
        Channel::generalized_amplitude_damping(0.1, 0.6).unwrap().parameters(),
        vec![("gamma", 0.1), ("p", 0.6)]
    );
}

#[test]
fn noise_gradients_equal_finite_differences() {
    // Rules with every kind of parameter; strengths as one flat vector.
    let model = |s: &[f64]| {
        let mut noise = NoiseModel::new();
        noise
            .after_all_gates(Channel::depolarizing(s[0]).unwrap())
            .after_gate("ry", Channel::amplitude_damping(s[1]).unwrap())
            .after_gate("crx", Channel::depolarizing2(s[2]).unwrap())
            .on_qubits(None, &[0, 2], Channel::phase_damping(s[3]).unwrap())
            .on_qubits(Some("rx"), &[1], Channel::generalized_amplitude_damping(s[4], s[5]).unwrap())
            .after_gate("h", Channel::pauli(s[6], s[7], s[8]).unwrap())
            .after_gate("u3", Channel::bit_flip(s[9]).unwrap())
            .after_gate("sx", Channel::phase_flip(s[10]).unwrap())
            .after_gate("y", Channel::kraus(vec![DMatrix::identity(2, 2)]).unwrap());
        noise
    };
    let strengths = [0.02, 0.05, 0.03, 0.1, 0.1, 0.8, 0.03, 0.02, 0.05, 0.04, 0.06];
    let n = 3;
    let mut c = random_circuit(n, 40, 51);
    c.rx(1, 0.4).unwrap().h(2).unwrap().y(0).unwrap();
    let observable = Observable::from_terms(vec![
        PauliString::parse("ZXY").unwrap().with_coeff(0.6).unwrap(),
        PauliString::z(1).unwrap(),
    ]);
    let start = mixed(n, 52);
    let g = start.gradient(&c, &model(&strengths), &observable, &WEIGHTS, &[]).unwrap();
    let f = |s: &[f64]| {
        let mut rho = start.clone();
        rho.run_noisy(&c, &model(s), &WEIGHTS, &[]).unwrap();
        rho.expectation(&observable).unwrap()
    };
    let flat: Vec<f64> = g.noise.iter().flatten().copied().collect();
    assert_eq!(g.noise.iter().map(Vec::len).collect::<Vec<_>>(), [1, 1, 1, 1, 2, 3, 1, 1, 0]);
    for (i, exact) in flat.iter().enumerate() {
        let h = 1e-6;
        let (mut up, mut down) = (strengths, strengths);
        up[i] += h;
        down[i] -= h;
        let fd = (f(&up) - f(&down)) / (2.0 * h);
        assert!((exact - fd).abs() < 1e-8, "strength {i}: {exact} vs {fd}");
    }
    assert!(flat.iter().filter(|d| d.abs() > 1e-3).count() >= 6, "{flat:?}");
    // The gate gradients are unchanged by computing the channels' too.
    let h = 1e-6;
    let (mut up, mut down) = (WEIGHTS, WEIGHTS);
    up[0] += h;
    down[0] -= h;
    let run = |w: &[f64]| {
        let mut rho = start.clone();
        rho.run_noisy(&c, &model(&strengths), w, &[]).unwrap();
        rho.expectation(&observable).unwrap()
    };
    assert!((g.weights[0] - (run(&up) - run(&down)) / (2.0 * h)).abs() < 1e-8);
}

#[test]
fn errors_name_their_values_and_types_cross_threads() {
    let cases = [
        (Channel::bit_flip(1.5).unwrap_err(), "bit_flip channel: p = 1.5 is out of range"),
        (Channel::depolarizing_from_aer(1.5).unwrap_err(), "depolarizing channel: aer lambda = 1.5 is out of range"),
        (Channel::kraus(vec![DMatrix::identity(3, 3)]).unwrap_err(), "kraus operator 0 is 3x3, expected 2x2"),
        (
            Channel::kraus(vec![DMatrix::identity(2, 2) * C::new(0.5, 0.0)]).unwrap_err(),
            "kraus operators are not trace preserving: max |sum K^dagger K - I| entry is 7.5e-1, tolerance 1e-10",
        ),
        (
            ReadoutError::new(0.2, 1.5).unwrap_err(),
            "readout error row 1 = [1.5, -0.5] is not a probability distribution",
        ),
    ];
    for (error, message) in cases {
        assert_eq!(error.to_string(), message);
    }
    fn send_sync<T: Send + Sync>() {}
    send_sync::<DensityState>();
    send_sync::<Channel>();
    send_sync::<NoiseModel>();
    send_sync::<ReadoutError>();
    send_sync::<NoisyGradient>();
}
