//! Noisy circuits against the peers, and bit-identical results for one and two threads.
//!
//! The circuit is `../shared/bench/noise.py`'s: RX(x_i) on every qubit; then per layer (L = 2) RY(w), RZ(w) on
//! every qubit, each followed by depolarizing p = 0.01 (X, Y, Z each p/3) and amplitude damping γ = 0.02; then
//! CNOT(i, i+1 mod n) on a ring, each followed by depolarizing p = 0.01 on both qubits. Output ⟨Σ Z_i⟩.

use qnet::prelude::*;
use qnet::quantum::mixed::DensityState;

mod common;
use common::noise_py;

fn expectation(n: usize) -> f64 {
    let (c, noise, w, x) = noise_py(n);
    let mut rho = DensityState::new(n).unwrap();
    rho.run_noisy(&c, &noise, &w, &x).unwrap();
    rho.expectation(&Observable::sum_z(n).unwrap()).unwrap()
}

/// Printed by `OMP_NUM_THREADS=1 $HOME/peers/bin/python /tmp/noise-peer/peers.py 4,6,8,10`, a copy of noise.py's
/// Aer and Cirq circuits (PennyLane is not installed; noise.py stops at it):
/// ```text
/// n=4: aer 0.075970648860188 (3.35 ms)  cirq 0.075970648860188  diff 5.6e-16
/// n=6: aer 0.026795323673873 (6.10 ms)  cirq 0.026795323673873  diff 7.6e-17
/// n=8: aer 0.018136994158526 (63.91 ms)  cirq 0.018136994158526  diff 4.9e-17
/// ```
/// (Aer: `depolarizing_error(4p/3, 1)`, `amplitude_damping_error(γ)`, `method="density_matrix"`, double;
/// Cirq: `depolarize(p)`, `amplitude_damp(γ)`, `DensityMatrixSimulator(dtype=complex128)`.)
#[test]
fn noisy_expectations_equal_aer_and_cirq() {
    for (n, peers) in [(4, 0.075970648860188), (6, 0.026795323673873), (8, 0.018136994158526)] {
        let got = expectation(n);
        assert!((got - peers).abs() < 1e-12, "n = {n}: {got} vs {peers}");
    }
}

/// The same circuit without noise is the pure run.
#[test]
fn without_noise_the_expectation_is_the_pure_one() {
    let (c, _, w, x) = noise_py(6);
    let mut rho = DensityState::new(6).unwrap();
    rho.run(&c, &w, &x).unwrap();
    let mut psi = StateVector::new(6).unwrap();
    psi.run(&c, &w, &x).unwrap();
    let z = Observable::sum_z(6).unwrap();
    assert!((rho.expectation(&z).unwrap() - psi.expectation(&z).unwrap()).abs() < 1e-13);
}

#[cfg(feature = "parallel")]
#[test]
fn one_and_two_threads_give_the_same_bits() {
    // 9 qubits: 2^18 entries, above the size at which kernels and reductions go to the pool.
    let n = 9;
    let (c, mut noise, w, x) = noise_py(n);
    noise.after_gate("cx", qnet::quantum::mixed::Channel::depolarizing2(0.02).unwrap());
    let on = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| {
            let mut rho = DensityState::new(n).unwrap();
            rho.run_noisy(&c, &noise, &w, &x).unwrap();
            let e = rho.expectation(&Observable::sum_z(n).unwrap()).unwrap();
            (
                rho.entries().iter().map(|z| (z.re.to_bits(), z.im.to_bits())).collect::<Vec<_>>(),
                e.to_bits(),
                rho.purity().to_bits(),
                rho.trace().to_bits(),
            )
        })
    };
    assert!(on(1) == on(2));
}

#[cfg(feature = "parallel")]
#[test]
fn gradients_are_the_same_bits_for_one_and_two_threads() {
    let n = 8;
    let (c, noise, w, x) = noise_py(n);
    let z = Observable::sum_z(n).unwrap();
    let on = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| DensityState::new(n).unwrap().gradient(&c, &noise, &z, &w, &x).unwrap())
    };
    let (a, b) = (on(1), on(2));
    let bits = |g: &qnet::quantum::mixed::NoisyGradient| {
        let all = [vec![g.value], g.weights.clone(), g.inputs.clone(), g.noise.concat()].concat();
        all.into_iter().map(f64::to_bits).collect::<Vec<_>>()
    };
    assert_eq!(bits(&a), bits(&b));
    assert!((a.value - 0.018136994158526).abs() < 1e-12, "the peers' value");
    assert_eq!((a.weights.len(), a.inputs.len(), a.noise.len()), (4 * n, n, 5));
}
