//! Workload G1 of `../shared/bench/README.md`, the per-gate time that `gates.py` measures for Qulacs:
//! an n-qubit state (n = 16, 20, 22, 24); RX(0.1·q + 0.01) on every qubit q, repeated (10 rounds for n ≤ 20,
//! 3 above), then CNOT(q, q+1) for q = 0..n−2, repeated likewise.
//!
//! Run single-threaded beside the peer: `RAYON_NUM_THREADS=1 cargo bench --bench gates`. The time per
//! iteration divided by the gates per iteration (criterion's throughput line, in elements) is the per-gate time.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use qnet::prelude::*;

fn rounds(n: usize) -> usize {
    if n <= 20 {
        10
    } else {
        3
    }
}

fn rx_circuit(n: usize) -> Circuit {
    let mut c = Circuit::new(n).expect("n > 0");
    for _ in 0..rounds(n) {
        for q in 0..n {
            c.rx(q, 0.1 * q as f64 + 0.01).expect("qubit in range");
        }
    }
    c
}

fn cnot_circuit(n: usize) -> Circuit {
    let mut c = Circuit::new(n).expect("n > 0");
    for _ in 0..rounds(n) {
        for q in 0..n - 1 {
            c.cnot(q, q + 1).expect("qubits in range");
        }
    }
    c
}

fn g1(crit: &mut Criterion) {
    let mut group = crit.benchmark_group("G1");
    group.sample_size(10);
    for n in [16usize, 20, 22, 24] {
        let mut state = StateVector::new(n).expect("state fits in memory");
        // Put the state in superposition first so no kernel sees a trivially sparse vector.
        state.run(&rx_circuit(n), &[], &[]).expect("valid circuit");
        for (name, circuit) in [("rx", rx_circuit(n)), ("cnot", cnot_circuit(n))] {
            group.throughput(Throughput::Elements(circuit.len() as u64));
            group.bench_with_input(BenchmarkId::new(name, n), &circuit, |b, c| {
                b.iter(|| state.run(c, &[], &[]).expect("valid circuit"))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, g1);
criterion_main!(benches);
