//! The passes a training step costs, counted: one forward pass of the quantum circuit per sample.

use super::QuantumNetwork;
use crate::error::Error;
use crate::grad::DiffMethod;
use crate::quantum::engine::{FORWARD_PASSES, GATE_WORK};

/// Runs `f` on a pool of one thread (so every pass happens on the thread whose counter is read) and returns
/// its forward passes of a plan.
fn passes_of(f: impl FnOnce() + Send) -> u64 {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("a pool of one thread");
    pool.install(|| {
        let before = FORWARD_PASSES.with(std::cell::Cell::get);
        f();
        FORWARD_PASSES.with(std::cell::Cell::get) - before
    })
}

#[test]
fn a_training_step_runs_each_sample_forward_once() {
    let net = QuantumNetwork::new(3, 3, 2, 2).unwrap();
    let xs: Vec<f64> = (0..15).map(|i| (i as f64 * 0.37).sin()).collect();
    let samples = 5;
    let up = |_: usize, y: &[f64], g: &mut [f64]| {
        g.copy_from_slice(y);
        Ok(())
    };
    assert_eq!(passes_of(|| drop(net.forward_batch(&xs).unwrap())), samples);
    assert_eq!(passes_of(|| drop(net.forward_backward_batch(&xs, up).unwrap())), samples);
    // The separate backward pass records its own forward pass (the network keeps no state between calls), once.
    assert_eq!(passes_of(|| drop(net.backward_batch(&xs, &[0.5; 10]).unwrap())), samples);
    assert_eq!(passes_of(|| drop(net.backward(&xs[..3], &[0.5, -0.5]).unwrap())), 1);
    // The counter counts: parameter shift runs the circuit again for every shifted angle.
    let shifted = QuantumNetwork::builder(3, 3, 2, 2).diff_method(DiffMethod::ParameterShift).build().unwrap();
    assert!(passes_of(|| drop(shifted.forward_backward_batch(&xs, up).unwrap())) > 2 * samples);
}

/// 40 samples of a 3 → 3 qubits → 2 network: more than two chunks of the batched passes.
fn batch() -> (QuantumNetwork, Vec<f64>, Vec<f64>) {
    let net = QuantumNetwork::builder(3, 3, 2, 2).seed(9).build().unwrap();
    let xs: Vec<f64> = (0..120).map(|i| (i as f64 * 0.37).sin()).collect();
    let upstream: Vec<f64> = (0..80).map(|i| (i as f64 * 0.61).cos()).collect();
    (net, xs, upstream)
}

#[test]
fn a_recorded_batch_runs_each_circuit_forward_once_and_its_sweep_none() {
    let (net, xs, upstream) = batch();
    let mut tape = super::BatchTape::new();
    assert_eq!(passes_of(|| net.record_batch(&xs, &mut tape).unwrap()), 40);
    assert_eq!(passes_of(|| drop(net.backward_recorded(&tape, &upstream).unwrap())), 0);
}

/// Runs `f` on a pool of one thread and returns its gate lowerings and derivative matrices (`GATE_WORK`).
fn gate_work_of(f: impl FnOnce() + Send) -> (u64, u64) {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("a pool of one thread");
    pool.install(|| {
        let before = GATE_WORK.with(std::cell::Cell::get);
        f();
        let after = GATE_WORK.with(std::cell::Cell::get);
        (after.0 - before.0, after.1 - before.1)
    })
}

#[test]
fn a_batch_lowers_its_weight_only_gates_once_whatever_its_chunks() {
    let (net, xs, upstream) = batch();
    let up = |i: usize, _: &[f64], g: &mut [f64]| {
        g.copy_from_slice(&upstream[2 * i..2 * i + 2]);
        Ok(())
    };
    // 1, 2 and 33 samples: one, one and three chunks. Per batch one fill of the weight-only lowering (its
    // derivative matrices among it), per sample its input gates; a fill per chunk would add two to the last.
    type Pass<'a> = &'a (dyn Fn(&[f64]) + Sync);
    let passes: [Pass<'_>; 3] =
        [&|x| drop(net.forward_batch(x).unwrap()), &|x| drop(net.forward_batch_recorded(x).unwrap()), &|x| {
            drop(net.forward_backward_batch(x, up).unwrap())
        }];
    for pass in passes {
        let [one, two, many] = [1, 2, 33].map(|b| gate_work_of(|| pass(&xs[..3 * b])));
        let per_sample = two.0 - one.0;
        assert!(per_sample > 0 && one.0 > per_sample && one.1 > 0, "{one:?} {two:?}");
        assert_eq!(many.0 - two.0, 31 * per_sample, "{one:?} {two:?} {many:?}");
        assert_eq!([two.1, many.1], [one.1; 2], "derivative matrices: {one:?} {two:?} {many:?}");
    }
    // The recorded sweep reads the tape's lowering: it lowers no gate and makes no derivative matrix.
    let tape = net.forward_batch_recorded(&xs[..99]).unwrap();
    assert_eq!(gate_work_of(|| drop(net.backward_recorded(&tape, &upstream[..66]).unwrap())), (0, 0));
}

#[test]
fn the_recorded_sweep_equals_each_samples_own_backward_pass() {
    let (net, xs, upstream) = batch();
    let tape = net.forward_batch_recorded(&xs).unwrap();
    assert_eq!(tape.len(), 40);
    assert_eq!(tape.outputs(), &net.forward_batch(&xs).unwrap()[..]);
    let grads = net.backward_recorded(&tape, &upstream).unwrap();
    let mut params = vec![0.0; net.num_params()];
    for s in 0..40 {
        let one = net.backward(&xs[3 * s..3 * s + 3], &upstream[2 * s..2 * s + 2]).unwrap();
        assert_eq!(&grads.inputs[3 * s..3 * s + 3], &one.inputs[..], "sample {s}");
        params.iter_mut().zip(&one.params).for_each(|(p, v)| *p += v);
    }
    // The batch adds per-chunk partial sums, the loop here sample by sample: equal up to rounding.
    for (a, b) in grads.params.iter().zip(&params) {
        assert!((a - b).abs() <= 1e-12 * (1.0 + b.abs()), "{a} vs {b}");
    }
}

#[test]
fn the_recorded_sweep_matches_central_differences_of_the_forward_pass() {
    let (mut net, xs, upstream) = batch();
    let grads = net.backward_recorded(&net.forward_batch_recorded(&xs).unwrap(), &upstream).unwrap();
    // J(θ, x) = Σ_s gₛᵀ y(xₛ), through the unrecorded forward pass.
    let objective = |net: &QuantumNetwork, xs: &[f64]| -> f64 {
        net.forward_batch(xs).unwrap().iter().zip(&upstream).map(|(y, g)| y * g).sum()
    };
    let (params, h) = (net.params(), 1e-5);
    for i in 0..net.num_params() {
        let mut p = params.clone();
        p[i] += h;
        net.set_params(&p).unwrap();
        let up = objective(&net, &xs);
        p[i] -= 2.0 * h;
        net.set_params(&p).unwrap();
        let numeric = (up - objective(&net, &xs)) / (2.0 * h);
        assert!((grads.params[i] - numeric).abs() < 1e-7, "parameter {i}: {} vs {numeric}", grads.params[i]);
    }
    net.set_params(&params).unwrap();
    for i in [0, 1, 2, 58, 119] {
        let mut x = xs.clone();
        x[i] += h;
        let up = objective(&net, &x);
        x[i] -= 2.0 * h;
        let numeric = (up - objective(&net, &x)) / (2.0 * h);
        assert!((grads.inputs[i] - numeric).abs() < 1e-7, "input {i}: {} vs {numeric}", grads.inputs[i]);
    }
}

#[test]
fn a_batch_tape_holds_per_sample_what_its_docs_say() {
    // The tagger's network: 6 qubits, a gathered CNOT ring per layer, all 64 probabilities read out.
    let net = QuantumNetwork::builder(16, 6, 9, 2).readout(crate::layer::Readout::Probabilities).build().unwrap();
    let f = net.quantum_layer().function();
    let (d, n, o, m) = (16, 6, 9, 1 << 6);
    let xs: Vec<f64> = (0..200 * d).map(|i| (i as f64 * 0.37).sin()).collect();
    let bytes = |samples: usize| net.forward_batch_recorded(&xs[..samples * d]).unwrap().bytes();
    let per_sample = (bytes(200) - bytes(100)) / 100;
    // A state, the record, the tape's own fields, and 8 bytes per input, hidden value, angle, weight, readout
    // value and output; no scratch of its own (a copy of the state for the gathers would be 1 KiB more).
    let floats = d + n + n + f.circuit().num_weights() + m + o;
    let documented = 16 * m + 64 * f.plan.record_len() + 8 * floats + size_of::<crate::grad::Tape>();
    assert!(per_sample <= documented, "{per_sample} bytes per sample, {documented} documented");
    assert!(per_sample + 64 > documented, "{per_sample} bytes per sample, {documented} documented");
}

#[test]
fn the_recorded_sweep_is_bit_identical_for_any_thread_count() {
    let (net, xs, upstream) = batch();
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("a pool");
        pool.install(|| {
            let tape = net.forward_batch_recorded(&xs).unwrap();
            (tape.outputs().to_vec(), net.backward_recorded(&tape, &upstream).unwrap())
        })
    };
    let one = run(1);
    for threads in [2, 3] {
        assert_eq!(run(threads), one, "{threads} threads");
    }
}

#[test]
fn other_methods_sweep_a_recorded_batch_by_running_their_circuits_again() {
    let (net, xs, upstream) = batch();
    let shifted = QuantumNetwork::builder(3, 3, 2, 2).seed(9).diff_method(DiffMethod::ParameterShift).build().unwrap();
    let tape = shifted.forward_batch_recorded(&xs).unwrap();
    let exact = net.backward_recorded(&net.forward_batch_recorded(&xs).unwrap(), &upstream).unwrap();
    assert!(passes_of(|| drop(shifted.backward_recorded(&tape, &upstream).unwrap())) > 40);
    let by_shift = shifted.backward_recorded(&tape, &upstream).unwrap();
    for (a, b) in by_shift.params.iter().chain(&by_shift.inputs).zip(exact.params.iter().chain(&exact.inputs)) {
        assert!((a - b).abs() < 1e-10, "{a} vs {b}");
    }
}

#[test]
fn a_tape_is_reused_across_batches_and_networks() {
    let (net, xs, upstream) = batch();
    let mut tape = net.forward_batch_recorded(&xs).unwrap();
    let bytes = tape.bytes();
    // A smaller batch reuses the buffers: no byte more, and the same results as a fresh tape.
    net.record_batch(&xs[..30], &mut tape).unwrap();
    assert_eq!(tape.len(), 10);
    assert_eq!(tape.bytes(), bytes);
    let fresh = net.forward_batch_recorded(&xs[..30]).unwrap();
    assert_eq!(tape.outputs(), fresh.outputs());
    let g = &upstream[..20];
    assert_eq!(net.backward_recorded(&tape, g).unwrap(), net.backward_recorded(&fresh, g).unwrap());
    // Other parameters, then another circuit (the encoding before each block) with the same parameters: the
    // batch's lowering of the weight-only gates is made again, and the results are a fresh tape's.
    let mut moved = net.clone();
    moved.set_params(&net.params().iter().map(|p| p + 0.1).collect::<Vec<_>>()).unwrap();
    let mut other = QuantumNetwork::builder(3, 3, 2, 2).reupload(true).build().unwrap();
    other.set_params(&net.params()).unwrap();
    for n in [&moved, &other, &net] {
        n.record_batch(&xs, &mut tape).unwrap();
        let fresh = n.forward_batch_recorded(&xs).unwrap();
        assert_eq!(tape.outputs(), fresh.outputs());
        assert_eq!(n.backward_recorded(&tape, &upstream).unwrap(), n.backward_recorded(&fresh, &upstream).unwrap());
    }
    // A network of another register size re-makes the per-sample tapes.
    let wide = QuantumNetwork::builder(3, 4, 2, 1).build().unwrap();
    wide.record_batch(&xs, &mut tape).unwrap();
    assert_eq!(tape.outputs(), &wide.forward_batch(&xs).unwrap()[..]);
    assert_eq!(wide.backward_recorded(&tape, &upstream).unwrap(), wide.backward_batch(&xs, &upstream).unwrap());
}

#[test]
fn a_tape_from_other_parameters_or_shapes_is_a_typed_error() {
    let (mut net, xs, upstream) = batch();
    let tape = net.forward_batch_recorded(&xs).unwrap();
    assert!(matches!(net.backward_recorded(&tape, &upstream[1..]), Err(Error::DimensionMismatch { .. })));
    let other = QuantumNetwork::builder(4, 3, 2, 2).build().unwrap();
    assert!(matches!(other.backward_recorded(&tape, &upstream), Err(Error::DimensionMismatch { .. })));
    let mut p = net.params();
    p[0] += 1e-3;
    net.set_params(&p).unwrap();
    assert!(matches!(net.backward_recorded(&tape, &upstream), Err(Error::CorruptData { .. })));
    // A failed recording leaves no batch behind.
    let mut tape = tape;
    assert!(net.record_batch(&[0.0, f64::NAN, 0.0], &mut tape).is_err());
    assert!(tape.is_empty());
    assert!(matches!(net.record_batch(&xs[..4], &mut tape), Err(Error::DimensionMismatch { .. })));
    assert!(matches!(net.backward_recorded(&tape, &[]), Err(Error::DimensionMismatch { .. })));
}

#[test]
fn an_optimizer_steps_the_networks_own_buffer_as_copying_out_and_back_did() {
    use crate::layer::{Adam, Optimizer, Sgd};
    let (net, xs, upstream) = batch();
    let grads = net.backward_batch(&xs, &upstream).unwrap().params;
    let optimizers: [Box<dyn Fn() -> Box<dyn Optimizer>>; 2] = [
        Box::new(|| Box::new(Adam::new(0.05).unwrap().with_clip_norm(0.5).unwrap())),
        Box::new(|| Box::new(Sgd::new(0.05).unwrap().with_momentum(0.9).unwrap().with_weight_decay(0.01).unwrap())),
    ];
    for make in optimizers {
        let (mut in_place, mut copied) = (net.clone(), net.clone());
        let (mut a, mut b) = (make(), make());
        for _ in 0..3 {
            a.step(in_place.params_mut(), &grads).unwrap();
            let mut p = copied.params();
            b.step(&mut p, &grads).unwrap();
            copied.set_params(&p).unwrap();
        }
        assert_eq!(in_place, copied);
        assert_ne!(in_place, net);
    }
}

#[test]
fn under_noise_a_recorded_batch_runs_each_circuit_forward_once_and_its_sweep_none() {
    // The tape keeps each sample's density state and the sweep starts from it: the backward pass runs no
    // circuit forward, and gives each sample the bits of the noisy vector-Jacobian product that runs its own.
    use crate::quantum::mixed::{Channel, NoiseModel};
    let mut noise = NoiseModel::new();
    noise.after_all_gates(Channel::depolarizing(0.02).unwrap());
    noise.after_gate("ry", Channel::amplitude_damping(0.05).unwrap());
    let net = QuantumNetwork::builder(3, 3, 2, 2).seed(9).noise(noise).build().unwrap();
    let xs: Vec<f64> = (0..36).map(|i| (i as f64 * 0.37).sin()).collect();
    let upstream: Vec<f64> = (0..24).map(|i| (i as f64 * 0.61).cos()).collect();
    let mut tape = super::BatchTape::new();
    assert_eq!(passes_of(|| net.record_batch(&xs, &mut tape).unwrap()), 12);
    let mut grads = None;
    assert_eq!(passes_of(|| grads = Some(net.backward_recorded(&tape, &upstream).unwrap())), 0);
    let grads = grads.unwrap();
    assert!(grads.params.iter().any(|p| p.abs() > 1e-6), "{grads:?}");
    let expected = net.backward_batch(&xs, &upstream).unwrap();
    for (a, b) in grads.params.iter().chain(&grads.inputs).zip(expected.params.iter().chain(&expected.inputs)) {
        assert!((a - b).abs() <= 1e-12 * (1.0 + b.abs()), "{a} vs {b}");
    }
    let f = net.quantum_layer().function();
    let mut ws = f.workspace().unwrap();
    for (s, t) in tape.samples[..12].iter().enumerate() {
        let g = [0.5, -0.25, 0.75];
        let own = f.vjp(DiffMethod::Adjoint, t.weights(), t.inputs(), &g).unwrap();
        let (mut dw, mut dx) = (vec![0.0; t.weights().len()], vec![0.0; t.inputs().len()]);
        let sinks = crate::grad::Gradients { weights: &mut dw, inputs: Some(&mut dx) };
        assert_eq!(passes_of(|| f.backward(t, &g, &mut ws, sinks).unwrap()), 0);
        assert_eq!((dw, dx), (own.weights, own.inputs), "sample {s}");
    }
}

#[test]
fn chunks_side_by_side_give_the_bits_of_samples_one_by_one() {
    use crate::layer::{Ansatz, Readout, Rotation};
    // The tagger's network, a smaller one read out by Pauli Z, and one that uploads its inputs before every
    // block (its second block reads inputs, so its samples cannot share it and run one by one).
    let nets = [
        (QuantumNetwork::builder(16, 6, 9, 2).readout(Readout::Probabilities).seed(3).build().unwrap(), true),
        (QuantumNetwork::builder(5, 4, 3, 3).ansatz(Ansatz::BasicEntangler(Rotation::Y)).build().unwrap(), true),
        (QuantumNetwork::builder(5, 4, 3, 2).reupload(true).build().unwrap(), false),
    ];
    type Passes = (Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>);
    for (net, shared) in nets {
        let mut lowered = crate::quantum::engine::Lowered::default();
        net.lower_weights(&mut lowered).unwrap();
        assert_eq!(net.side_by_side(&lowered), shared);
        let (d, o) = (net.input_dim(), net.output_dim());
        for samples in [1, 7, 37] {
            let xs: Vec<f64> = (0..samples * d).map(|i| (i as f64 * 0.37).sin()).collect();
            let upstream: Vec<f64> = (0..samples * o).map(|i| (i as f64 * 0.61).cos()).collect();
            // Every batched pass: the forward pass alone, the fused step, and the recorded pass and its sweep.
            let passes = |one_by_one: bool| -> Passes {
                let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().expect("a pool");
                pool.install(|| {
                    rayon::broadcast(|_| super::passes::ONE_BY_ONE.with(|c| c.set(one_by_one)));
                    let up = |s: usize, _: &[f64], g: &mut [f64]| {
                        g.copy_from_slice(&upstream[s * o..(s + 1) * o]);
                        Ok(())
                    };
                    let step = net.forward_backward_batch(&xs, up).unwrap();
                    let tape = net.forward_batch_recorded(&xs).unwrap();
                    let swept = net.backward_recorded(&tape, &upstream).unwrap();
                    let ys = net.forward_batch(&xs).unwrap();
                    rayon::broadcast(|_| super::passes::ONE_BY_ONE.with(|c| c.set(false)));
                    let (g, r) = (step.gradients, swept);
                    (ys, step.outputs, g.inputs, g.params, tape.outputs().to_vec(), r.inputs, r.params)
                })
            };
            let bits = |p: Passes| {
                let (a, b, c, d, e, f, g) = p;
                [a, b, c, d, e, f, g].map(|v| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>())
            };
            assert_eq!(bits(passes(false)), bits(passes(true)), "{samples} samples");
        }
    }
}
