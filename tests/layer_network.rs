//! The hybrid network: gradients against finite differences, learning XOR and two moons, determinism,
//! thread-count independence, serialization, and typed errors.

use qnet::error::NonFiniteKind;
use qnet::layer::Ansatz;
use qnet::layer::LayerGradients;
use qnet::layer::Rotation;
use qnet::layer::Topology;
use qnet::prelude::*;
use rand::{RngExt, SeedableRng};

/// Send + Sync at compile time.
const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<QuantumNetwork>();
    assert_send_sync::<QuantumLayer>();
    assert_send_sync::<QuantumFunction>();
};

/// Mean cross-entropy over a batch: the loss, and the upstream gradients (scaled by 1/batch).
fn loss_and_upstream(logits: &[f64], labels: &[usize], classes: usize) -> (f64, Vec<f64>) {
    let mut up = vec![0.0; logits.len()];
    let mut loss = 0.0;
    let b = labels.len() as f64;
    for (s, &y) in labels.iter().enumerate() {
        let r = s * classes..(s + 1) * classes;
        loss += softmax_cross_entropy(&logits[r.clone()], y, 1.0, &mut up[r]).unwrap() / b;
    }
    up.iter_mut().for_each(|g| *g /= b);
    (loss, up)
}

fn accuracy(net: &QuantumNetwork, xs: &[f64], labels: &[usize]) -> f64 {
    let logits = net.forward_batch(xs).unwrap();
    let k = net.output_dim();
    let correct = labels
        .iter()
        .enumerate()
        .filter(|&(s, &y)| {
            let row = &logits[s * k..(s + 1) * k];
            let best = (0..k).max_by(|&a, &b| row[a].total_cmp(&row[b])).unwrap();
            best == y
        })
        .count();
    correct as f64 / labels.len() as f64
}

fn train(net: &mut QuantumNetwork, xs: &[f64], labels: &[usize], epochs: usize, lr: f64) -> Vec<f64> {
    let mut params = net.params();
    let mut opt = Adam::new(lr).unwrap();
    let mut losses = Vec::new();
    for _ in 0..epochs {
        let logits = net.forward_batch(xs).unwrap();
        let (loss, up) = loss_and_upstream(&logits, labels, net.output_dim());
        losses.push(loss);
        let grads = net.backward_batch(xs, &up).unwrap().params;
        opt.step(&mut params, &grads).unwrap();
        net.set_params(&params).unwrap();
    }
    losses
}

/// Two interleaving half circles with Gaussian noise (σ = 0.1), `n` points per class.
fn two_moons(n: usize, seed: u64) -> (Vec<f64>, Vec<usize>) {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut gauss = move || {
        // Box–Muller.
        let (u, v): (f64, f64) = (rng.random::<f64>().max(1e-300), rng.random());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    };
    let (mut xs, mut ys) = (Vec::new(), Vec::new());
    for i in 0..n {
        let t = std::f64::consts::PI * i as f64 / (n - 1) as f64;
        xs.extend([t.cos() + 0.1 * gauss(), t.sin() + 0.1 * gauss()]);
        ys.push(0);
        xs.extend([1.0 - t.cos() + 0.1 * gauss(), 0.5 - t.sin() + 0.1 * gauss()]);
        ys.push(1);
    }
    (xs, ys)
}

#[test]
fn learns_xor() {
    let xs = [0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0];
    let ys = [0, 1, 1, 0];
    let run = || {
        let mut net = QuantumNetwork::builder(2, 2, 2, 2).seed(11).build().unwrap();
        let losses = train(&mut net, &xs, &ys, 200, 0.1);
        (net, losses)
    };
    let (net, losses) = run();
    assert!(losses.last().unwrap() < &0.1, "final loss {}", losses.last().unwrap());
    assert_eq!(accuracy(&net, &xs, &ys), 1.0);
    // Deterministic for a fixed seed: a second run gives the same parameters bit for bit.
    let (again, _) = run();
    assert_eq!(net.params(), again.params());
}

#[test]
fn learns_two_moons() {
    let (xs, ys) = two_moons(100, 5);
    let (test_xs, test_ys) = two_moons(50, 6);
    let mut net = QuantumNetwork::builder(2, 3, 2, 3).reupload(true).seed(2).build().unwrap();
    let before = accuracy(&net, &xs, &ys);
    train(&mut net, &xs, &ys, 300, 0.05);
    let (train_acc, test_acc) = (accuracy(&net, &xs, &ys), accuracy(&net, &test_xs, &test_ys));
    assert!(train_acc >= 0.95 && test_acc >= 0.95, "before {before}, train {train_acc}, test {test_acc}");
}

/// The network's backward pass equals central finite differences of gᵀy, for parameters and inputs, with each
/// ansatz, topology, readout and differentiation method.
#[test]
fn network_gradients_match_finite_differences() {
    let configs = [
        QuantumNetwork::builder(3, 3, 2, 2),
        QuantumNetwork::builder(3, 3, 2, 2).ansatz(Ansatz::BasicEntangler(Rotation::Y)).topology(Topology::AllToAll),
        QuantumNetwork::builder(3, 3, 2, 2).encoding(Rotation::Y).reupload(true).readout(Readout::PauliZWithNeighbours),
        QuantumNetwork::builder(3, 2, 2, 1).readout(Readout::Probabilities).topology(Topology::Linear),
        QuantumNetwork::builder(3, 3, 2, 2).diff_method(DiffMethod::ParameterShift),
        QuantumNetwork::builder(3, 3, 2, 2).diff_method(DiffMethod::FiniteDifference).encoding(Rotation::Z),
    ];
    let x = [0.3, -0.7, 1.1];
    let g = [0.8, -1.3];
    for (k, builder) in configs.into_iter().enumerate() {
        let mut net = builder.seed(k as u64).build().unwrap();
        let LayerGradients { inputs: xg, params: pg } = net.backward(&x, &g).unwrap();
        let f = |net: &QuantumNetwork, x: &[f64]| -> f64 {
            let y = net.forward(x).unwrap();
            y.iter().zip(&g).map(|(a, b)| a * b).sum()
        };
        let h = 1e-6;
        for i in 0..x.len() {
            let (mut xp, mut xm) = (x, x);
            xp[i] += h;
            xm[i] -= h;
            let fd = (f(&net, &xp) - f(&net, &xm)) / (2.0 * h);
            assert!((fd - xg[i]).abs() < 1e-6, "config {k} input {i}: {fd} vs {}", xg[i]);
        }
        let params = net.params();
        for i in 0..params.len() {
            let mut p = params.clone();
            p[i] += h;
            net.set_params(&p).unwrap();
            let fp = f(&net, &x);
            p[i] -= 2.0 * h;
            net.set_params(&p).unwrap();
            let fm = f(&net, &x);
            net.set_params(&params).unwrap();
            let fd = (fp - fm) / (2.0 * h);
            assert!((fd - pg[i]).abs() < 1e-6, "config {k} param {i}: {fd} vs {}", pg[i]);
        }
    }
}

/// Batched forms equal the per-sample forms (the gradient summed over samples).
#[test]
fn batches_equal_single_samples() {
    let net = QuantumNetwork::builder(4, 3, 3, 2).seed(9).build().unwrap();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
    let b = 37; // not a multiple of the chunk size
    let xs: Vec<f64> = (0..b * 4).map(|_| rng.random_range(-1.0..1.0)).collect();
    let up: Vec<f64> = (0..b * 3).map(|_| rng.random_range(-1.0..1.0)).collect();
    let ys = net.forward_batch(&xs).unwrap();
    let LayerGradients { inputs: xg, params: pg } = net.backward_batch(&xs, &up).unwrap();
    let mut total = vec![0.0; net.num_params()];
    for s in 0..b {
        assert_eq!(net.forward(&xs[s * 4..(s + 1) * 4]).unwrap(), ys[s * 3..(s + 1) * 3].to_vec());
        let LayerGradients { inputs: x1, params: p1 } =
            net.backward(&xs[s * 4..(s + 1) * 4], &up[s * 3..(s + 1) * 3]).unwrap();
        assert_eq!(x1, xg[s * 4..(s + 1) * 4].to_vec());
        total.iter_mut().zip(&p1).for_each(|(t, v)| *t += v);
    }
    for (a, b) in total.iter().zip(&pg) {
        assert!((a - b).abs() < 1e-12);
    }
    // The quantum layer's own batched forms agree with its single-sample forms too.
    let layer = net.quantum_layer();
    let w = layer.init_weights(&mut rng);
    let qx: Vec<f64> = (0..b * 3).map(|_| rng.random_range(-1.0..1.0)).collect();
    let qg: Vec<f64> = (0..b * 3).map(|_| rng.random_range(-1.0..1.0)).collect();
    let qy = layer.forward_batch(&w, &qx).unwrap();
    let LayerGradients { inputs: qxg, params: qwg } = layer.backward_batch(&w, &qx, &qg).unwrap();
    let mut wsum = vec![0.0; w.len()];
    for s in 0..b {
        let x = &qx[s * 3..(s + 1) * 3];
        assert_eq!(layer.forward(&w, x).unwrap(), qy[s * 3..(s + 1) * 3].to_vec());
        let LayerGradients { inputs: a, params: c } = layer.backward(&w, x, &qg[s * 3..(s + 1) * 3]).unwrap();
        assert_eq!(a, qxg[s * 3..(s + 1) * 3].to_vec());
        wsum.iter_mut().zip(&c).for_each(|(t, v)| *t += v);
    }
    assert!(wsum.iter().zip(&qwg).all(|(a, b)| (a - b).abs() < 1e-12));
}

/// The same batch in a 1-thread and a 2-thread pool gives bit-identical results.
#[cfg(feature = "parallel")]
#[test]
fn batches_are_bit_identical_for_any_thread_count() {
    let net = QuantumNetwork::builder(8, 4, 3, 2).seed(4).build().unwrap();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(2);
    let b = 301;
    let xs: Vec<f64> = (0..b * 8).map(|_| rng.random_range(-2.0..2.0)).collect();
    let up: Vec<f64> = (0..b * 3).map(|_| rng.random_range(-1.0..1.0)).collect();
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| {
            let fused = net
                .forward_backward_batch(&xs, |s, _, g| {
                    g.copy_from_slice(&up[3 * s..3 * s + 3]);
                    Ok(())
                })
                .unwrap();
            (net.forward_batch(&xs).unwrap(), net.backward_batch(&xs, &up).unwrap(), fused)
        })
    };
    let one = run(1);
    let two = run(2);
    assert_eq!(one.0, two.0);
    assert_eq!(one.1, two.1);
    assert_eq!(one.2, two.2);
    // The fused pass equals the separate passes.
    assert_eq!(one.2.outputs, one.0);
    assert_eq!(one.2.gradients, one.1);
    // And a large state (above the kernels' parallel threshold) differentiates identically on 1 and 2 threads.
    let big = QuantumLayer::new(15, 1).unwrap();
    let w = big.init_weights(&mut rng);
    let x: Vec<f64> = (0..15).map(|i| 0.1 * i as f64).collect();
    let g: Vec<f64> = (0..15).map(|i| 1.0 - 0.1 * i as f64).collect();
    let run_big = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| big.backward(&w, &x, &g).unwrap())
    };
    assert_eq!(run_big(1), run_big(2));
}

#[test]
fn same_seed_same_network_and_shapes() {
    let a = QuantumNetwork::new(64, 6, 9, 2).unwrap();
    let b = QuantumNetwork::new(64, 6, 9, 2).unwrap();
    assert_eq!(a, b);
    assert_eq!(a.num_params(), 64 * 6 + 6 + 2 * 18 + 6 * 9 + 9);
    let c = QuantumNetwork::builder(64, 6, 9, 2).seed(1).build().unwrap();
    assert_ne!(a.params(), c.params());
}

#[cfg(feature = "serde")]
#[test]
fn save_and_load_round_trip() {
    let net = QuantumNetwork::builder(3, 3, 2, 2).readout(Readout::PauliZWithNeighbours).seed(5).build().unwrap();
    let json = serde_json::to_string(&net).unwrap();
    let back: QuantumNetwork = serde_json::from_str(&json).unwrap();
    assert_eq!(back, net);
    let x = [0.1, 0.2, 0.3];
    assert_eq!(back.forward(&x).unwrap(), net.forward(&x).unwrap());
}

#[test]
fn bad_input_is_a_typed_error() {
    assert!(matches!(QuantumNetwork::new(2, 0, 2, 1), Err(Error::ZeroQubits)));
    assert!(matches!(QuantumNetwork::new(0, 2, 2, 1), Err(Error::InvalidHyperParameter { .. })));
    assert!(matches!(QuantumNetwork::new(2, 2, 2, 0), Err(Error::InvalidHyperParameter { .. })));
    assert!(matches!(QuantumLayer::new(0, 1), Err(Error::ZeroQubits)));
    let mut net = QuantumNetwork::new(3, 2, 2, 1).unwrap();
    assert!(matches!(net.forward(&[0.1, 0.2]), Err(Error::DimensionMismatch { expected: 3, found: 2, .. })));
    assert!(matches!(
        net.forward(&[0.1, f64::NAN, 0.2]),
        Err(Error::NonFinite { kind: NonFiniteKind::Parameter { index: 1, .. }, .. })
    ));
    assert!(matches!(net.backward(&[0.1, 0.2, 0.3], &[1.0]), Err(Error::DimensionMismatch { .. })));
    assert!(matches!(net.forward_batch(&[0.1; 7]), Err(Error::DimensionMismatch { .. })));
    assert!(matches!(net.backward_batch(&[0.1; 6], &[1.0; 3]), Err(Error::DimensionMismatch { .. })));
    assert!(matches!(net.set_params(&[0.0; 3]), Err(Error::DimensionMismatch { .. })));
    let mut p = net.params();
    p[0] = f64::NAN;
    assert!(net.set_params(&p).is_err());
    let layer = QuantumLayer::new(2, 1).unwrap();
    assert!(matches!(layer.forward(&[0.0; 5], &[0.1, 0.2]), Err(Error::ParameterCount { .. })));
    assert!(matches!(layer.forward(&[0.0; 6], &[0.1]), Err(Error::DimensionMismatch { .. })));
    assert!(matches!(
        layer.forward(&[0.0; 6], &[0.1, f64::NAN]),
        Err(Error::NonFinite { kind: NonFiniteKind::Parameter { .. }, .. })
    ));
    assert!(matches!(layer.backward(&[0.0; 6], &[0.1, 0.2], &[1.0]), Err(Error::DimensionMismatch { .. })));
}
