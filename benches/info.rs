//! Benchmarks of the info module: entanglement entropy across a half cut (Schmidt spectrum from the 2^(n/2) ×
//! 2^(n/2) Gram matrix), and the von Neumann entropy of a dense density matrix.
//!
//! Run: `cargo bench --bench info` (one group: `cargo bench --bench info -- entanglement_entropy`).

use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion};
use qnet::info::{entanglement_entropy, reduced_density_matrix};
use qnet::prelude::*;
use rand::{RngExt, SeedableRng};

/// A Haar-random pure state: normalized complex Gaussian amplitudes (Box–Muller), seeded.
fn random_state(n: usize, seed: u64) -> StateVector {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut gauss = || {
        let (u, v): (f64, f64) = (rng.random::<f64>().max(f64::MIN_POSITIVE), rng.random::<f64>());
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    };
    let mut amps: Vec<Complex64> = (0..1usize << n).map(|_| Complex64::new(gauss(), gauss())).collect();
    let norm = amps.iter().map(|a| a.norm_sqr()).sum::<f64>().sqrt();
    amps.iter_mut().for_each(|a| *a /= norm);
    StateVector::from_amplitudes(amps).unwrap()
}

fn entanglement(c: &mut Criterion) {
    let mut group = c.benchmark_group("entanglement_entropy");
    group.sample_size(10);
    for n in [12usize, 16, 20] {
        let psi = random_state(n, n as u64);
        let half: Vec<usize> = (0..n / 2).collect();
        group.bench_with_input(BenchmarkId::new("half_cut", n), &psi, |b, psi| {
            b.iter(|| entanglement_entropy(psi, &half, Base::NATS).unwrap())
        });
        // Every other qubit: the same sizes through a non-contiguous reshape.
        let odd: Vec<usize> = (1..n).step_by(2).collect();
        group.bench_with_input(BenchmarkId::new("odd_qubits", n), &psi, |b, psi| {
            b.iter(|| entanglement_entropy(psi, &odd, Base::NATS).unwrap())
        });
    }
    group.finish();
}

fn density(c: &mut Criterion) {
    let mut group = c.benchmark_group("von_neumann_entropy");
    group.sample_size(10);
    for n in [6usize, 8, 10] {
        let psi = random_state(n + 2, 100 + n as u64);
        let keep: Vec<usize> = (0..n).collect();
        group.bench_with_input(BenchmarkId::new("reduced_then_entropy", n), &psi, |b, psi| {
            b.iter_batched(
                || reduced_density_matrix(psi, &keep).unwrap(),
                |rho| rho.von_neumann_entropy(Base::NATS).unwrap(),
                BatchSize::LargeInput,
            )
        });
    }
    group.finish();
}

criterion_group!(benches, entanglement, density);
criterion_main!(benches);
