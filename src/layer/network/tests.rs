//! The passes a training step costs, counted: one forward pass of the quantum circuit per sample.

use super::QuantumNetwork;
use crate::grad::DiffMethod;
use crate::quantum::engine::FORWARD_PASSES;

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
