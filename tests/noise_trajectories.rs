//! Trajectories against the density matrix of the same circuit and noise, against closed forms, against the
//! pure run without noise; reproducibility (seeds, threads) and typed errors.

use nalgebra::DMatrix;
use qnet::prelude::*;
use qnet::quantum::mixed::{Channel, DensityState, NoiseModel, ReadoutError, Trajectories, TrajectoryEstimate};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

mod common;
use common::noise_py;

/// A Pauli string from its label.
fn pauli(label: &str) -> Observable {
    PauliString::parse(label).unwrap().into()
}

/// A layered circuit on `n` qubits: RY(w) and RX(x) on every qubit, a CNOT ladder, RZ(w), a CRX and an RYY.
fn layered(n: usize) -> Circuit {
    let mut c = Circuit::new(n).unwrap();
    for layer in 0..2 {
        for q in 0..n {
            c.ry(q, Param::weight(q % 4)).unwrap().rx(q, Param::input(q % 2)).unwrap();
        }
        for q in 0..n - 1 {
            c.cnot(q, q + 1).unwrap();
        }
        for q in 0..n {
            c.rz(q, 0.3 + 0.2 * (q + layer) as f64).unwrap();
        }
        c.crx(0, n - 1, Param::weight(1)).unwrap().ryy(1, n - 1, 0.7).unwrap();
    }
    c
}

const WEIGHTS: [f64; 4] = [0.4, -1.1, 2.3, 0.9];
const INPUTS: [f64; 2] = [0.6, -0.35];

/// A model with state-dependent and fixed-probability channels, one and two qubits, and a Kraus set whose
/// operators are not scaled unitaries.
fn rich_noise() -> NoiseModel {
    let s = 0.5f64.sqrt();
    // K₀ = diag(1, √0.7)·H-ish rotation, K₁ = √0.3|0⟩⟨1|·phase: a damping in the Hadamard basis.
    let c = |re: f64, im: f64| Complex64::new(re, im);
    let a = 0.7f64.sqrt();
    let h = DMatrix::from_row_slice(2, 2, &[c(s, 0.0), c(s, 0.0), c(s, 0.0), c(-s, 0.0)]);
    let k0 = DMatrix::from_row_slice(2, 2, &[c(1.0, 0.0), c(0.0, 0.0), c(0.0, 0.0), c(0.0, a)]);
    let k1 = DMatrix::from_row_slice(2, 2, &[c(0.0, 0.0), c(0.3f64.sqrt(), 0.0), c(0.0, 0.0), c(0.0, 0.0)]);
    let kraus = Channel::kraus(vec![&h * k0 * &h, &h * k1 * &h]).unwrap();
    let mut noise = NoiseModel::new();
    noise
        .after_all_gates(Channel::depolarizing(0.02).unwrap())
        .after_gate("ry", Channel::amplitude_damping(0.08).unwrap())
        .after_gate("cx", Channel::depolarizing2(0.05).unwrap())
        .after_gate("crx", Channel::depolarizing2(0.1).unwrap())
        .on_qubits(None, &[0, 2], Channel::phase_damping(0.1).unwrap())
        .on_qubits(Some("rx"), &[1], Channel::generalized_amplitude_damping(0.15, 0.7).unwrap())
        .on_qubits(Some("rz"), &[0, 1], kraus);
    noise
}

/// The observables of an `n`-qubit check: Σ Z_i, a ZZ correlator, strings with X and Y, a weighted sum.
fn observables(n: usize) -> Vec<Observable> {
    let label = |s: &str| format!("{s}{}", "I".repeat(n - s.len()));
    let mut sum = Observable::from(PauliString::parse(&label("XX")).unwrap().with_coeff(0.5).unwrap());
    sum.push(PauliString::parse(&label("IYZ")).unwrap().with_coeff(-1.5).unwrap());
    vec![Observable::sum_z(n).unwrap(), pauli(&label("ZIZ")), pauli(&label("XYI")), sum]
}

/// |estimate − exact| ≤ 4σ with σ > 0 for every observable.
fn assert_within_four_sigma(estimate: &TrajectoryEstimate, exact: &[f64], what: &str) {
    for (i, &e) in exact.iter().enumerate() {
        let (mean, sigma) = (estimate.expectations()[i], estimate.standard_errors()[i]);
        assert!(sigma > 0.0, "{what}, observable {i}: σ = {sigma}");
        assert!((mean - e).abs() <= 4.0 * sigma, "{what}, observable {i}: {mean} ± {sigma} vs exact {e}");
    }
}

#[test]
fn trajectories_agree_with_the_density_matrix_within_four_sigma() {
    for (n, seed) in [(3, 11), (4, 12), (5, 13), (6, 14)] {
        let (c, noise, obs) = (layered(n), rich_noise(), observables(n));
        let mut rho = DensityState::new(n).unwrap();
        rho.run_noisy(&c, &noise, &WEIGHTS, &INPUTS).unwrap();
        let exact: Vec<f64> = obs.iter().map(|o| rho.expectation(o).unwrap()).collect();
        let estimate = Trajectories::new(3000, seed).run(&c, &noise, &WEIGHTS, &INPUTS, &obs).unwrap();
        assert_within_four_sigma(&estimate, &exact, &format!("n = {n}"));
        // σ/√N: the errors are those of N samples of values in [−‖O‖, ‖O‖].
        assert!(estimate.standard_errors().iter().all(|&s| s < 3.0 / 3000f64.sqrt()));
    }
}

/// `../shared/bench/noise.py`'s circuit and model, whose density-matrix value at n = 4 Aer and Cirq give as
/// 0.075970648860188 (`tests/noise_peers.rs` holds the peers' values).
#[test]
fn trajectories_of_noise_py_agree_with_aer_and_cirq() {
    let n = 4;
    let (c, noise, w, x) = noise_py(n);
    let estimate = Trajectories::new(4000, 5).run(&c, &noise, &w, &x, &[Observable::sum_z(n).unwrap()]).unwrap();
    assert_within_four_sigma(&estimate, &[0.075970648860188], "noise.py n = 4");
}

#[test]
fn closed_forms() {
    let z = Observable::sum_z(1).unwrap();
    for gamma in [0.1, 0.35, 0.8] {
        // Amplitude damping of |1⟩: each trajectory ends in |0⟩ (probability γ) or |1⟩, ⟨Z⟩ = 2γ − 1.
        let mut x = Circuit::new(1).unwrap();
        x.x(0).unwrap();
        let mut noise = NoiseModel::new();
        noise.after_gate("x", Channel::amplitude_damping(gamma).unwrap());
        let est = Trajectories::new(4000, 21).run(&x, &noise, &[], &[], std::slice::from_ref(&z)).unwrap();
        assert_within_four_sigma(&est, &[2.0 * gamma - 1.0], &format!("damping γ = {gamma}"));
        assert!(
            (0..4000).all(|t| (est.trajectory(t).unwrap()[0].abs() - 1.0).abs() < 1e-12),
            "every trajectory is a jump or not"
        );
    }
    for p in [0.05, 0.3, 0.75] {
        // Depolarizing of |0⟩ (after an identity-like RZ): ⟨Z⟩ shrinks by 1 − 4p/3.
        let mut c = Circuit::new(1).unwrap();
        c.rz(0, 0.4).unwrap();
        let mut noise = NoiseModel::new();
        noise.after_all_gates(Channel::depolarizing(p).unwrap());
        let est = Trajectories::new(4000, 22).run(&c, &noise, &[], &[], std::slice::from_ref(&z)).unwrap();
        assert_within_four_sigma(&est, &[1.0 - 4.0 * p / 3.0], &format!("depolarizing p = {p}"));
    }
}

#[test]
fn the_same_seed_gives_the_same_bits_and_another_seed_another_estimate() {
    let (c, noise, obs) = (layered(4), rich_noise(), observables(4));
    let run = |t: Trajectories| t.shots_per_trajectory(3).run(&c, &noise, &WEIGHTS, &INPUTS, &obs).unwrap();
    let (a, b, other) =
        (run(Trajectories::new(200, 9)), run(Trajectories::new(200, 9)), run(Trajectories::new(200, 10)));
    assert_eq!(a, b);
    assert_ne!(a.expectations(), other.expectations());
    assert_ne!(a.counts(), other.counts());
    // The caller's generator only draws the seed.
    let from = Trajectories::from_rng(200, &mut ChaCha8Rng::seed_from_u64(3));
    let again = Trajectories::from_rng(200, &mut ChaCha8Rng::seed_from_u64(3));
    assert_eq!(from, again);
    assert_eq!(run(from), run(Trajectories::new(200, from.seed())));
    // Trajectory t depends on (seed, t) only: the first 50 of 200 are the 50 of a shorter run.
    let short = Trajectories::new(50, 9).run(&c, &noise, &WEIGHTS, &INPUTS, &obs).unwrap();
    assert!((0..50).all(|t| short.trajectory(t) == a.trajectory(t)));
    assert_eq!(a.trajectory(200), None);
}

#[cfg(feature = "parallel")]
#[test]
fn one_and_two_threads_give_the_same_bits() {
    // 3 qubits (trajectories split over workers) and 15 (2^15 amplitudes: kernels, reductions and jumps'
    // reduced matrices go to the pool as well).
    for (n, num) in [(3, 301), (15, 9)] {
        let (c, noise, obs) = (layered(n), rich_noise(), observables(n));
        let on = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            pool.install(|| {
                Trajectories::new(num, 4).shots_per_trajectory(2).run(&c, &noise, &WEIGHTS, &INPUTS, &obs).unwrap()
            })
        };
        let (one, two) = (on(1), on(2));
        let bits = |e: &TrajectoryEstimate| {
            let values = (0..num).flat_map(|t| e.trajectory(t).unwrap().to_vec());
            let all = values.chain(e.expectations().iter().copied()).chain(e.standard_errors().iter().copied());
            all.map(f64::to_bits).collect::<Vec<_>>()
        };
        assert_eq!(bits(&one), bits(&two), "n = {n}");
        assert_eq!(one.counts(), two.counts());
        assert!(one.standard_errors().iter().all(|&s| s > 0.0));
    }
}

#[test]
fn without_noise_every_trajectory_is_the_pure_run() {
    for n in [3, 5] {
        let (c, obs) = (layered(n), observables(n));
        let mut psi = StateVector::new(n).unwrap();
        psi.run(&c, &WEIGHTS, &INPUTS).unwrap();
        let pure: Vec<f64> = obs.iter().map(|o| psi.expectation(o).unwrap()).collect();
        // Readout errors do not touch expectation values.
        let mut noise = NoiseModel::new();
        noise.readout(0, ReadoutError::new(0.1, 0.2).unwrap());
        for model in [NoiseModel::new(), noise] {
            let est = Trajectories::new(37, 2).run(&c, &model, &WEIGHTS, &INPUTS, &obs).unwrap();
            assert_eq!(est.expectations(), &pure[..]);
            assert!(est.standard_errors().iter().all(|&s| s == 0.0));
            assert!((0..37).all(|t| est.trajectory(t) == Some(&pure[..])));
        }
    }
}

#[test]
fn counts_follow_the_noisy_distribution_and_the_readout_errors() {
    // A Bell pair with amplitude damping after the CNOT, read with readout errors: the count of each outcome
    // within 4σ of the density matrix's probability after the confusion matrices.
    let mut bell = Circuit::new(2).unwrap();
    bell.h(0).unwrap().cnot(0, 1).unwrap();
    let mut noise = NoiseModel::new();
    noise.after_gate("cx", Channel::amplitude_damping(0.3).unwrap()).readout(1, ReadoutError::new(0.05, 0.1).unwrap());
    let mut rho = DensityState::new(2).unwrap();
    rho.run_noisy(&bell, &noise, &[], &[]).unwrap();
    let mut p = rho.probabilities();
    noise.apply_readout(&mut p).unwrap();
    let (num, shots) = (20000, 1);
    let est = Trajectories::new(num, 8).shots_per_trajectory(shots).run(&bell, &noise, &[], &[], &[]).unwrap();
    assert_eq!(est.counts().values().sum::<usize>(), num * shots);
    assert!(est.expectations().is_empty() && est.trajectory(0) == Some(&[][..]));
    for (i, &pi) in p.iter().enumerate() {
        let f = *est.counts().get(&i).unwrap_or(&0) as f64 / num as f64;
        let sigma = (pi * (1.0 - pi) / num as f64).sqrt();
        assert!((f - pi).abs() <= 4.0 * sigma, "outcome {i}: {f} vs {pi} (σ {sigma})");
    }
    assert!(est.counts().get(&2).copied().unwrap_or(0) > 0, "damping gives |01⟩ read as 2 through the readout");
}

#[test]
fn one_trajectory_has_no_error_bar() {
    let c = layered(3);
    let est = Trajectories::new(1, 0).run(&c, &rich_noise(), &WEIGHTS, &INPUTS, &observables(3)[..1]).unwrap();
    assert_eq!(est.standard_errors(), &[f64::INFINITY]);
    assert_eq!(est.trajectory(0).unwrap(), est.expectations());
}

#[test]
fn bad_input_is_a_typed_error() {
    let (c, noise) = (layered(3), rich_noise());
    let obs = observables(3);
    let run = |t: Trajectories, c: &Circuit, noise: &NoiseModel, w: &[f64], x: &[f64], obs: &[Observable]| {
        t.run(c, noise, w, x, obs).unwrap_err()
    };
    let t = Trajectories::new(10, 1);
    assert!(matches!(
        run(Trajectories::new(0, 1), &c, &noise, &WEIGHTS, &INPUTS, &obs),
        Error::InvalidHyperParameter { name: "number of trajectories", .. }
    ));
    assert!(matches!(run(t, &c, &noise, &WEIGHTS[..2], &INPUTS, &obs), Error::ParameterCount { found: 2, .. }));
    assert!(matches!(run(t, &c, &noise, &WEIGHTS, &[], &obs), Error::ParameterCount { found: 0, .. }));
    let nan = [f64::NAN, 0.0, 0.0, 0.0];
    assert!(matches!(run(t, &c, &noise, &nan, &INPUTS, &obs), Error::NonFinite { .. }));
    assert_eq!(
        run(t, &c, &noise, &WEIGHTS, &INPUTS, &[PauliString::z(3).unwrap().into()]),
        Error::InvalidQubit { qubit: 3, num_qubits: 3 }
    );
    // A two-qubit channel after a one-qubit gate.
    let mut two = NoiseModel::new();
    two.after_gate("ry", Channel::depolarizing2(0.1).unwrap());
    assert_eq!(
        run(t, &c, &two, &WEIGHTS, &INPUTS, &obs),
        Error::GateArity { gate: "depolarizing2", expected: 2, found: 1 }
    );
    // A readout error beyond the register, once counts are asked for.
    let mut readout = NoiseModel::new();
    readout.readout(5, ReadoutError::new(0.1, 0.1).unwrap());
    assert!(t.run(&c, &readout, &WEIGHTS, &INPUTS, &obs).is_ok());
    assert_eq!(
        run(t.shots_per_trajectory(1), &c, &readout, &WEIGHTS, &INPUTS, &obs),
        Error::InvalidQubit { qubit: 5, num_qubits: 3 }
    );
    // A register whose one state does not fit in memory: refused before anything is allocated.
    let mut big = Circuit::new(50).unwrap();
    big.h(49).unwrap();
    assert_eq!(
        run(t, &big, &NoiseModel::new(), &[], &[], &[]),
        Error::TooManyQubits { num_qubits: 50, bytes: 16u128 << 50 }
    );
    // Per-trajectory values that overflow.
    assert!(matches!(
        run(Trajectories::new(usize::MAX, 1), &c, &noise, &WEIGHTS, &INPUTS, &obs),
        Error::TooLarge { what: "trajectory values", .. }
    ));
}

#[test]
fn public_types_are_send_and_sync() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Trajectories>();
    send_sync::<TrajectoryEstimate>();
}
