//! G2 of ../shared/bench/README.md: HEA(n, L) = RX(x_i) on every qubit (inputs), then L layers of [RY(w), RZ(w)
//! on every qubit, then CNOT(i, (i+1) mod n) for every i]; observable Σ_i Z_i. Times the expectation (forward)
//! and forward plus the gradient with respect to all 2nL weights (adjoint), to set beside
//! `OMP_NUM_THREADS=1 gradients.py` (PennyLane lightning.qubit adjoint). Run with `RAYON_NUM_THREADS=1`.
//!
//! Also the parameter-shift gradient for HEA(6, 2), beside default.qubit's parameter-shift.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use qnet::grad::{DiffMethod, Gradients, Outputs, QuantumFunction};
use qnet::prelude::*;
use rand::{RngExt, SeedableRng};
use std::time::Duration;

fn hea(n: usize, layers: usize) -> Circuit {
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
    c
}

fn g2(crit: &mut Criterion) {
    let mut group = crit.benchmark_group("g2_hea");
    for (n, layers) in [(6, 2), (12, 4), (16, 6), (20, 4)] {
        let f =
            QuantumFunction::new(hea(n, layers), Outputs::Observables(vec![Observable::sum_z(n).unwrap()])).unwrap();
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
        let x: Vec<f64> = (0..n).map(|_| rng.random_range(0.0..std::f64::consts::PI)).collect();
        let w: Vec<f64> = (0..2 * n * layers).map(|_| rng.random_range(0.0..std::f64::consts::TAU)).collect();
        let mut ws = f.workspace().unwrap();
        let mut tape = f.tape().unwrap();
        let mut values = [0.0];
        let mut grads = vec![0.0; w.len()];
        if n >= 16 {
            group.sample_size(10).measurement_time(Duration::from_secs(if n >= 20 { 12 } else { 4 }));
        } else {
            group.sample_size(50).measurement_time(Duration::from_secs(3));
        }
        let id = format!("n{n}_L{layers}");
        group.bench_function(BenchmarkId::new("forward", &id), |b| {
            b.iter(|| f.evaluate_into(&w, &x, &mut ws, &mut values).unwrap())
        });
        group.bench_function(BenchmarkId::new("adjoint_gradient", &id), |b| {
            b.iter(|| {
                grads.fill(0.0);
                f.forward_into(&w, &x, &mut tape).unwrap();
                f.backward(&tape, &[1.0], &mut ws, Gradients { weights: &mut grads, inputs: None }).unwrap()
            })
        });
        if n == 6 {
            group.bench_function(BenchmarkId::new("parameter_shift_gradient", &id), |b| {
                b.iter(|| f.jacobian(DiffMethod::ParameterShift, &w, &x).unwrap())
            });
        }
    }
    group.finish();
}

criterion_group!(benches, g2);
criterion_main!(benches);
