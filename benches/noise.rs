//! Noisy circuits on density states (issue 19's targets).
//!
//! - `N1/expectation`: `../shared/bench/noise.py`'s circuit at n = 4, 6, 8, 10 (RX inputs; two layers of RY, RZ
//!   each followed by depolarizing p = 0.01 and amplitude damping γ = 0.02, then a CNOT ring each followed by
//!   depolarizing on both qubits), from |0…0⟩⟨0…0| to ⟨Σ Z_i⟩, the doubled circuit compiled in the timing.
//!   Beside it: `OMP_NUM_THREADS=1 $HOME/peers/bin/python /tmp/noise-peer/peers.py 4,6,8,10` (Aer's
//!   density-matrix time; the same circuits as noise.py without PennyLane). `N1/fresh`: the same, with the
//!   density state copied from |0…0⟩⟨0…0| in the timing (its allocation and first touch of 16·4^n bytes), as
//!   `N2`'s gradient copies its start state before its own forward pass.
//! - `N2/gradient`: the same value with its exact gradient with respect to all 4n weights and n inputs (adjoint
//!   on the density state), to set beside `N1/fresh`, the same forward pass with the same copy of the start
//!   state (the target: at most 4× the forward pass), and `N1/expectation`.
//! - `channel`: one depolarizing channel on qubit 1 of an n-qubit density state, against `gate2`: a dense
//!   two-qubit gate on qubits (1, n + 1) of a 2n-qubit state vector (the same kernel on the same number of
//!   amplitudes; the channel's 4x4 superoperator is built from its Kraus operators per call).
//!
//! - `T1/trajectories`: the same circuit and model as `N1` by 100 trajectories (`Trajectories::run`, ⟨Σ Z_i⟩
//!   with its standard error) at n = 10 beside `N1/expectation/10`, and at n = 16 and 20, beyond what a
//!   density matrix of this machine's memory holds comfortably (16·4^16 bytes = 64 GiB); per trajectory it is
//!   a pure-state run of the circuit with one jump per channel.
//!
//! Run single-threaded: `RAYON_NUM_THREADS=1 cargo bench --bench noise`.

use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion};
use nalgebra::DMatrix;
use qnet::prelude::*;
use qnet::quantum::mixed::{Channel, DensityState, NoiseModel, Trajectories};

fn linspace(a: f64, b: f64, len: usize) -> Vec<f64> {
    (0..len).map(|k| if k + 1 == len { b } else { a + (b - a) / (len - 1) as f64 * k as f64 }).collect()
}

fn noise_py(n: usize) -> (Circuit, NoiseModel, Vec<f64>, Vec<f64>) {
    let mut c = Circuit::new(n).expect("n > 0");
    for i in 0..n {
        c.rx(i, Param::input(i)).expect("qubit in range");
    }
    for l in 0..2 {
        for i in 0..n {
            c.ry(i, Param::weight(2 * n * l + 2 * i)).expect("qubit in range");
            c.rz(i, Param::weight(2 * n * l + 2 * i + 1)).expect("qubit in range");
        }
        for i in 0..n {
            c.cnot(i, (i + 1) % n).expect("qubits in range");
        }
    }
    let mut noise = NoiseModel::new();
    for gate in ["ry", "rz"] {
        noise.after_gate(gate, Channel::depolarizing(0.01).expect("p in range"));
        noise.after_gate(gate, Channel::amplitude_damping(0.02).expect("gamma in range"));
    }
    noise.after_gate("cx", Channel::depolarizing(0.01).expect("p in range"));
    (c, noise, linspace(0.1, 2.0, 4 * n), linspace(0.3, 1.0, n))
}

fn n1(crit: &mut Criterion) {
    let mut group = crit.benchmark_group("N1");
    group.sample_size(10);
    for n in [4usize, 6, 8, 10] {
        let (c, noise, w, x) = noise_py(n);
        let z = Observable::sum_z(n).expect("n > 0");
        group.bench_function(BenchmarkId::new("expectation", n), |b| {
            b.iter_batched_ref(
                || DensityState::new(n).expect("fits in memory"),
                |rho| {
                    rho.run_noisy(&c, &noise, &w, &x).expect("valid circuit");
                    rho.expectation(&z).expect("fits")
                },
                BatchSize::LargeInput,
            )
        });
        // The same with the state made in the timing, as the gradient's own forward pass makes its copy.
        let start = DensityState::new(n).expect("fits in memory");
        group.bench_function(BenchmarkId::new("fresh", n), |b| {
            b.iter(|| {
                let mut rho = start.clone();
                rho.run_noisy(&c, &noise, &w, &x).expect("valid circuit");
                rho.expectation(&z).expect("fits")
            })
        });
    }
    group.finish();
}

fn n2(crit: &mut Criterion) {
    let mut group = crit.benchmark_group("N2");
    group.sample_size(10);
    for n in [4usize, 6, 8, 10] {
        let (c, noise, w, x) = noise_py(n);
        let z = Observable::sum_z(n).expect("n > 0");
        let rho = DensityState::new(n).expect("fits in memory");
        group.bench_function(BenchmarkId::new("gradient", n), |b| {
            b.iter(|| rho.gradient(&c, &noise, &z, &w, &x).expect("valid circuit"))
        });
    }
    group.finish();
}

fn channel_vs_gate(crit: &mut Criterion) {
    let mut group = crit.benchmark_group("channel");
    group.sample_size(20);
    let channel = Channel::depolarizing(0.01).expect("p in range");
    // A dense 4x4 unitary (not diagonal, not a permutation): the channel's superoperator is dense too.
    let u = Gate::unitary(DMatrix::from_fn(4, 4, |r, c| {
        let s = 0.5;
        Complex64::new(if (r & c).count_ones() % 2 == 0 { s } else { -s }, 0.0)
    }))
    .expect("a Hadamard pair is unitary");
    for n in [6usize, 8, 10, 11] {
        let mut rho = DensityState::new(n).expect("fits in memory");
        group.bench_function(BenchmarkId::new("depolarizing", n), |b| {
            b.iter(|| rho.apply_channel(&channel, &[1]).expect("qubit in range"))
        });
        let mut psi = StateVector::new(2 * n).expect("fits in memory");
        group.bench_function(BenchmarkId::new("gate2", n), |b| {
            b.iter(|| psi.apply_gate(&u, &[1, n + 1]).expect("qubits in range"))
        });
    }
    group.finish();
}

fn t1(crit: &mut Criterion) {
    let mut group = crit.benchmark_group("T1");
    group.sample_size(10);
    for n in [10usize, 16, 20] {
        let (c, noise, w, x) = noise_py(n);
        let z = [Observable::sum_z(n).expect("n > 0")];
        group.bench_function(BenchmarkId::new("trajectories", n), |b| {
            b.iter(|| Trajectories::new(100, 1).run(&c, &noise, &w, &x, &z).expect("valid circuit"))
        });
    }
    group.finish();
}

criterion_group!(benches, n1, n2, channel_vs_gate, t1);
criterion_main!(benches);
