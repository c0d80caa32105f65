//! Throughput of the tagger's shape: a QuantumNetwork(64 → 6 qubits → 9, 2 layers), forward plus VJP over a
//! batch of 10,000 samples (cross-entropy upstream gradients): fused (`forward_backward_batch`, one circuit run
//! per sample), recorded (`record_batch` into a reused `BatchTape`, then `backward_recorded`: one circuit run per
//! sample, the tagger's pattern) and as two passes (`forward_batch` then `backward_batch`). Run with `RAYON_NUM_THREADS=2`; criterion
//! reports samples per second (`thrpt`).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use qnet::prelude::*;
use rand::{RngExt, SeedableRng};
use std::time::Duration;

const BATCH: usize = 10_000;

fn network(c: &mut Criterion) {
    let net = QuantumNetwork::builder(64, 6, 9, 2).seed(1).build().unwrap();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
    let xs: Vec<f64> = (0..BATCH * 64).map(|_| rng.random_range(-1.0..1.0)).collect();
    let labels: Vec<usize> = (0..BATCH).map(|_| rng.random_range(0..9)).collect();
    let mut group = c.benchmark_group("network_64_6q_9");
    group.throughput(Throughput::Elements(BATCH as u64)).sample_size(10).measurement_time(Duration::from_secs(10));
    group.bench_function("forward", |b| b.iter(|| net.forward_batch(&xs).unwrap()));
    group.bench_function("forward_plus_vjp", |b| {
        b.iter(|| {
            net.forward_backward_batch(&xs, |s, y, g| softmax_cross_entropy(y, labels[s], 1.0, g).map(|_| ())).unwrap()
        })
    });
    let mut tape = BatchTape::new();
    group.bench_function("record_then_backward", |b| {
        b.iter(|| {
            net.record_batch(&xs, &mut tape).unwrap();
            let logits = tape.outputs();
            let mut upstream = vec![0.0; logits.len()];
            for (s, &y) in labels.iter().enumerate() {
                softmax_cross_entropy(&logits[9 * s..9 * s + 9], y, 1.0, &mut upstream[9 * s..9 * s + 9]).unwrap();
            }
            net.backward_recorded(&tape, &upstream).unwrap()
        })
    });
    group.bench_function("forward_then_backward", |b| {
        b.iter(|| {
            let logits = net.forward_batch(&xs).unwrap();
            let mut upstream = vec![0.0; logits.len()];
            for (s, &y) in labels.iter().enumerate() {
                softmax_cross_entropy(&logits[9 * s..9 * s + 9], y, 1.0, &mut upstream[9 * s..9 * s + 9]).unwrap();
            }
            net.backward_batch(&xs, &upstream).unwrap()
        })
    });
    group.finish();
}

criterion_group!(benches, network);
criterion_main!(benches);
