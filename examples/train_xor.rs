//! Trains a hybrid quantum network on XOR and prints the loss and the predictions.
//!
//!     cargo run --release --example train_xor

use qnet::info::softmax;
use qnet::prelude::*;

fn main() -> qnet::Result<()> {
    let xs = [0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0];
    let labels = [0usize, 1, 1, 0];
    // Linear(2 → 2), π·tanh, a 2-qubit strongly entangling layer (2 blocks), Linear(2 → 2 logits).
    let mut net = QuantumNetwork::builder(2, 2, 2, 2).seed(11).build()?;
    let mut params = net.params();
    let mut opt = Adam::new(0.1)?;
    for epoch in 0..200 {
        let logits = net.forward_batch(&xs)?;
        let mut upstream = vec![0.0; logits.len()];
        let mut loss = 0.0;
        for (s, &y) in labels.iter().enumerate() {
            let r = 2 * s..2 * s + 2;
            loss += softmax_cross_entropy(&logits[r.clone()], y, 1.0, &mut upstream[r])? / labels.len() as f64;
        }
        upstream.iter_mut().for_each(|g| *g /= labels.len() as f64);
        let grads = net.backward_batch(&xs, &upstream)?;
        opt.step(&mut params, &grads.params)?;
        net.set_params(&params)?;
        if epoch % 20 == 0 {
            println!("epoch {epoch:3}: loss {loss:.4}");
        }
    }
    for (s, &y) in labels.iter().enumerate() {
        let p = softmax(&net.forward(&xs[2 * s..2 * s + 2])?, 1.0)?;
        println!("x = {:?}: P(1) = {:.3} (label {y})", &xs[2 * s..2 * s + 2], p[1]);
    }
    Ok(())
}
