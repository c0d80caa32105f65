//! Workloads G1 and G3 (`g3`, below) of `../shared/bench/README.md`, the per-gate time that `gates.py` measures for Qulacs:
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

/// A deterministic generator for the G3 circuits (a 64-bit LCG; the structure, not the draws, is `circuits.py`'s).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// G3's random brickwork of depth 20: a random RX, RY or RZ on every qubit, then CZ (layers 0, 1 mod 4) or CNOT
/// (layers 2, 3 mod 4) on alternating neighbour pairs.
fn brickwork(n: usize) -> Circuit {
    let mut rng = Lcg(n as u64);
    let mut c = Circuit::new(n).expect("n > 0");
    for layer in 0..20 {
        for q in 0..n {
            let angle = rng.next() * std::f64::consts::TAU;
            match (rng.next() * 3.0) as usize {
                0 => c.rx(q, angle),
                1 => c.ry(q, angle),
                _ => c.rz(q, angle),
            }
            .expect("qubit in range");
        }
        for q in (layer % 2..n - 1).step_by(2) {
            if layer % 4 < 2 { c.cz(q, q + 1) } else { c.cnot(q, q + 1) }.expect("qubits in range");
        }
    }
    c
}

/// G3's QFT on the product state ⊗ RX(0.3 + 0.1·q)|0⟩.
fn qft(n: usize) -> Circuit {
    let mut c = Circuit::new(n).expect("n > 0");
    for q in 0..n {
        c.rx(q, 0.3 + 0.1 * q as f64).expect("qubit in range");
    }
    for j in (0..n).rev() {
        c.h(j).expect("qubit in range");
        for k in (0..j).rev() {
            c.cphase(k, j, std::f64::consts::PI / (1u64 << (j - k)) as f64).expect("qubits in range");
        }
    }
    for q in 0..n / 2 {
        c.swap(q, n - 1 - q).expect("qubits in range");
    }
    c
}

/// Workload G3 of `../shared/bench/README.md`: whole circuits from |0…0⟩, one `StateVector::run` each.
fn g3(crit: &mut Criterion) {
    let mut group = crit.benchmark_group("G3");
    group.sample_size(10);
    for n in [16usize, 20, 22, 24] {
        let mut state = StateVector::new(n).expect("state fits in memory");
        for (name, circuit) in [("random", brickwork(n)), ("qft", qft(n))] {
            group.bench_with_input(BenchmarkId::new(name, n), &circuit, |b, c| {
                b.iter(|| {
                    state.reset();
                    state.run(c, &[], &[]).expect("valid circuit")
                })
            });
        }
    }
    group.finish();
}

criterion_group!(benches, g1, g3);
criterion_main!(benches);
