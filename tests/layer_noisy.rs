//! Hybrid models under noise: a noisy network's parameter gradients against central finite differences of its
//! noisy outputs, its batched and recorded paths against the one-sample path, a small noisy training run whose
//! loss falls, a noiseless model unchanged bit for bit by an empty model, and typed errors for models that do
//! not fit the register.

use approx::assert_relative_eq;
use qnet::prelude::*;

fn noise(p: f64) -> qnet::Result<NoiseModel> {
    let mut noise = NoiseModel::new();
    noise
        .after_all_gates(Channel::depolarizing(p)?)
        .after_gate("cx", Channel::depolarizing2(p)?)
        .readout(0, ReadoutError::new(0.02, 0.03)?);
    Ok(noise)
}

#[test]
fn noisy_network_gradients_match_finite_differences() -> qnet::Result<()> {
    for readout in [Readout::PauliZWithNeighbours, Readout::Probabilities] {
        let net = QuantumNetwork::builder(3, 3, 2, 2).readout(readout).noise(noise(0.03)?).seed(5).build()?;
        assert!(net.noise().is_some());
        let (x, up) = ([0.3, -0.8, 0.5], [1.0, -0.7]);
        let grads = net.backward(&x, &up)?;
        let loss = |net: &QuantumNetwork| -> qnet::Result<f64> {
            let y = net.forward(&x)?;
            Ok(y[0] * up[0] + y[1] * up[1])
        };
        let h = 1e-6;
        let mut probe = net.clone();
        for i in 0..net.num_params() {
            let mut p = net.params();
            p[i] += h;
            probe.set_params(&p)?;
            let plus = loss(&probe)?;
            p[i] -= 2.0 * h;
            probe.set_params(&p)?;
            let minus = loss(&probe)?;
            assert_relative_eq!(grads.params[i], (plus - minus) / (2.0 * h), epsilon = 1e-7);
        }
        // The input gradient too.
        for i in 0..3 {
            let (mut a, mut b) = (x, x);
            a[i] += h;
            b[i] -= h;
            let fd = ((net.forward(&a)?[0] - net.forward(&b)?[0]) * up[0]
                + (net.forward(&a)?[1] - net.forward(&b)?[1]) * up[1])
                / (2.0 * h);
            assert_relative_eq!(grads.inputs[i], fd, epsilon = 1e-7);
        }
    }
    Ok(())
}

#[test]
fn noisy_batched_and_recorded_paths_agree_with_the_one_sample_path() -> qnet::Result<()> {
    let net = QuantumNetwork::builder(2, 2, 2, 1).noise(noise(0.05)?).seed(2).build()?;
    let xs = [0.1, 0.2, -0.5, 0.9, 1.2, -0.3];
    let up = [0.5, -1.0, 0.25, 0.75, -0.3, 0.1];
    let batch = net.backward_batch(&xs, &up)?;
    let mut sum = vec![0.0; net.num_params()];
    for s in 0..3 {
        let one = net.backward(&xs[2 * s..2 * s + 2], &up[2 * s..2 * s + 2])?;
        sum.iter_mut().zip(&one.params).for_each(|(a, b)| *a += b);
        assert_eq!(net.forward(&xs[2 * s..2 * s + 2])?, net.forward_batch(&xs)?[2 * s..2 * s + 2]);
    }
    for (a, b) in batch.params.iter().zip(&sum) {
        assert_relative_eq!(a, b, epsilon = 1e-12);
    }
    let fb = net.forward_backward_batch(&xs, |s, _, g| {
        g.copy_from_slice(&up[2 * s..2 * s + 2]);
        Ok(())
    })?;
    assert_eq!(fb.outputs, net.forward_batch(&xs)?);
    for (a, b) in fb.gradients.params.iter().zip(&batch.params) {
        assert_relative_eq!(a, b, epsilon = 1e-12);
    }
    let mut tape = BatchTape::new();
    net.record_batch(&xs, &mut tape)?;
    assert_eq!(tape.outputs(), &net.forward_batch(&xs)?[..]);
    let recorded = net.backward_recorded(&tape, &up)?;
    for (a, b) in recorded.params.iter().zip(&batch.params) {
        assert_relative_eq!(a, b, epsilon = 1e-12);
    }
    Ok(())
}

#[test]
fn a_noisy_training_run_lowers_the_loss() -> qnet::Result<()> {
    // XOR under 1% depolarizing noise after every gate.
    let xs = [0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0];
    let ys = [0usize, 1, 1, 0];
    let mut net = QuantumNetwork::builder(2, 2, 2, 2).noise(noise(0.01)?).seed(3).build()?;
    let mut opt = Adam::new(0.1)?;
    let loss_of = |net: &QuantumNetwork| -> qnet::Result<(f64, Vec<f64>)> {
        let logits = net.forward_batch(&xs)?;
        let mut up = vec![0.0; 8];
        let mut loss = 0.0;
        for (s, &y) in ys.iter().enumerate() {
            loss += softmax_cross_entropy(&logits[2 * s..2 * s + 2], y, 1.0, &mut up[2 * s..2 * s + 2])? / 4.0;
        }
        up.iter_mut().for_each(|g| *g /= 4.0);
        Ok((loss, up))
    };
    let (first, _) = loss_of(&net)?;
    for _ in 0..60 {
        let (_, up) = loss_of(&net)?;
        let grads = net.backward_batch(&xs, &up)?;
        opt.step(net.params_mut(), &grads.params)?;
    }
    let (last, _) = loss_of(&net)?;
    assert!(last < 0.5 * first, "loss {first} → {last}");
    Ok(())
}

#[test]
fn an_empty_noise_model_leaves_the_network_bit_identical() -> qnet::Result<()> {
    let pure = QuantumNetwork::builder(3, 2, 2, 2).seed(9).build()?;
    let empty = QuantumNetwork::builder(3, 2, 2, 2).noise(NoiseModel::new()).seed(9).build()?;
    assert!(empty.noise().is_none());
    let xs = [0.3, -0.1, 0.8, -0.4, 0.2, 0.6];
    let up = [1.0, -1.0, 0.5, 0.5];
    assert_eq!(empty.forward_batch(&xs)?, pure.forward_batch(&xs)?);
    assert_eq!(empty.backward_batch(&xs, &up)?, pure.backward_batch(&xs, &up)?);
    // Noise put on and taken off again.
    let mut toggled = pure.clone();
    toggled.set_noise(noise(0.1)?)?;
    assert_ne!(toggled.forward_batch(&xs)?, pure.forward_batch(&xs)?);
    toggled.set_noise(NoiseModel::new())?;
    assert_eq!(toggled, pure);
    assert_eq!(toggled.backward_batch(&xs, &up)?, pure.backward_batch(&xs, &up)?);
    Ok(())
}

#[test]
fn noise_models_that_do_not_fit_are_typed_errors() -> qnet::Result<()> {
    let mut far = NoiseModel::new();
    far.on_qubits(Some("ry"), &[1, 4], Channel::amplitude_damping(0.1)?);
    let err = QuantumNetwork::builder(2, 3, 2, 1).noise(far.clone()).build();
    assert!(matches!(err, Err(Error::InvalidQubit { qubit: 4, num_qubits: 3 })), "{err:?}");
    let mut net = QuantumNetwork::new(2, 3, 2, 1)?;
    let before = net.clone();
    assert!(matches!(net.set_noise(far), Err(Error::InvalidQubit { qubit: 4, num_qubits: 3 })));
    assert_eq!(net, before, "unchanged on error");
    let mut readout = NoiseModel::new();
    readout.readout(7, ReadoutError::new(0.1, 0.1)?);
    assert!(matches!(net.set_noise(readout), Err(Error::InvalidQubit { qubit: 7, num_qubits: 3 })));
    // A two-qubit channel after one-qubit rotations.
    let mut two = NoiseModel::new();
    two.after_gate("rz", Channel::depolarizing2(0.1)?);
    assert!(matches!(net.set_noise(two), Err(Error::GateArity { expected: 2, found: 1, .. })));
    // Parameter shift is not a method under noise.
    let shifted =
        QuantumNetwork::builder(2, 2, 2, 1).diff_method(DiffMethod::ParameterShift).noise(noise(0.01)?).build()?;
    assert!(matches!(shifted.backward(&[0.1, 0.2], &[1.0, 0.0]), Err(Error::InvalidHyperParameter { .. })));
    Ok(())
}

#[cfg(feature = "serde")]
#[test]
fn a_saved_noisy_network_reads_back_noiseless_with_its_parameters() -> qnet::Result<()> {
    let net = QuantumNetwork::builder(2, 2, 2, 1).noise(noise(0.05)?).seed(4).build()?;
    let back: QuantumNetwork = serde_json::from_str(&serde_json::to_string(&net).unwrap()).unwrap();
    assert!(back.noise().is_none(), "the noise model is not serialized");
    assert_eq!(back.params(), net.params());
    let mut again = back.clone();
    again.set_noise(noise(0.05)?)?;
    assert_eq!(again, net);
    assert_eq!(again.forward(&[0.3, 0.1])?, net.forward(&[0.3, 0.1])?);
    Ok(())
}
