//! Channels as instructions of a circuit: placed where they are added, strengths as constants, weights or
//! inputs, the same density matrix as the noise model that puts the same channels there, exact gradients for
//! their strengths (against PennyLane `default.mixed` backprop and central differences), trajectories that
//! agree with the density matrix, and typed errors wherever a circuit with channels cannot go.

use approx::assert_relative_eq;
use proptest::prelude::*;
use qnet::prelude::*;
use qnet::quantum::mixed::{Channel, ChannelInstruction, DensityState, NoiseModel, Trajectories};
use qnet::quantum::Pauli;

/// ⟨Z0 Z1⟩ + 0.5⟨X1⟩.
fn zz_plus_half_x1() -> Observable {
    Observable::from_terms(vec![
        PauliString::new(1.0, &[(0, Pauli::Z), (1, Pauli::Z)]).unwrap(),
        PauliString::new(0.5, &[(1, Pauli::X)]).unwrap(),
    ])
}

#[test]
fn trainable_channel_strengths_match_pennylane_backprop() {
    // PennyLane 0.45.1, default.mixed, diff_method="backprop" (the script is in the comment):
    //   RX(x) 0; AmplitudeDamping(g) 0; CNOT(0, 1); DepolarizingChannel(p) 1; RY(0.5) 1; PhaseDamping(0.2) 0;
    //   expval(Z0 Z1 + 0.5 X1) at g = 0.3, p = 0.1, x = 0.7, and qml.grad with respect to (g, p, x).
    let mut c = Circuit::new(2).unwrap();
    c.rx(0, Param::input(0)).unwrap();
    c.amplitude_damping(0, Param::weight(0)).unwrap();
    c.cnot(0, 1).unwrap();
    c.depolarizing(1, Param::weight(1)).unwrap();
    c.ry(1, 0.5).unwrap();
    c.phase_damping(0, 0.2).unwrap();
    let g = DensityState::new(2)
        .unwrap()
        .gradient(&c, &NoiseModel::new(), &zz_plus_half_x1(), &[0.3, 0.1], &[0.7])
        .unwrap();
    assert_relative_eq!(g.value, 0.9341246198579837, epsilon = 1e-13);
    assert_relative_eq!(g.weights[0], 0.048854286441184155, epsilon = 1e-13);
    assert_relative_eq!(g.weights[1], -1.4371147997815135, epsilon = 1e-13);
    assert_relative_eq!(g.inputs[0], -0.09368583821028537, epsilon = 1e-13);
    assert!(g.noise.is_empty(), "no noise model, no per-rule derivatives");
}

#[test]
fn damping_strengths_at_one_have_the_one_sided_derivative_not_nan() {
    // At γ = 1 the coherences scale by √(1 − γ), whose derivative is −∞: the derivative is the limit γ → 1.
    // Without coherences it is finite: from diag(0.3, 0.7) (a bit flip of |0⟩), amplitude damping γ then
    // RY(θ) give ⟨Z⟩ = cos θ·(−0.4 + 1.4γ), so ∂/∂γ = 1.4 cos θ at γ = 1 too.
    let z = Observable::sum_z(1).unwrap();
    let mut diagonal = Circuit::new(1).unwrap();
    diagonal.bit_flip(0, 0.7).unwrap().amplitude_damping(0, Param::weight(1)).unwrap().ry(0, Param::weight(0)).unwrap();
    let theta = 0.4;
    let value = |c: &Circuit, w: &[f64]| {
        let mut rho = DensityState::new(1).unwrap();
        rho.run(c, w, &[]).unwrap();
        rho.expectation(&z).unwrap()
    };
    let g = DensityState::new(1).unwrap().gradient(&diagonal, &NoiseModel::new(), &z, &[theta, 1.0], &[]).unwrap();
    assert_relative_eq!(g.value, theta.cos(), epsilon = 1e-14);
    assert_relative_eq!(g.weights[1], 1.4 * theta.cos(), epsilon = 1e-13);
    assert_relative_eq!(g.weights[0], -theta.sin(), epsilon = 1e-13);
    let h = 1e-7;
    let one_sided = (value(&diagonal, &[theta, 1.0]) - value(&diagonal, &[theta, 1.0 - h])) / h;
    assert_relative_eq!(g.weights[1], one_sided, epsilon = 1e-7);
    // With coherences it is infinite, of the sign the difference quotients grow with: RY(θ0), damping γ,
    // RY(θ1) give ⟨Z⟩ = cos θ1·(z + γ(1 − z)) − sin θ1·√(1 − γ)·sin θ0 (z = cos θ0), so ∂/∂γ → +∞ for
    // sin θ0·sin θ1 > 0; the angles' derivatives stay finite: 0 and −sin θ1 at γ = 1. Phase damping λ = 1
    // in place of amplitude damping: ⟨Z⟩ = cos θ1·z − sin θ1·√(1 − λ)·sin θ0, ∂/∂λ → +∞ as well.
    let (t0, t1) = (0.7, 0.5);
    for amplitude in [true, false] {
        let mut coherent = Circuit::new(1).unwrap();
        coherent.ry(0, Param::weight(0)).unwrap();
        match amplitude {
            true => coherent.amplitude_damping(0, Param::weight(2)).unwrap(),
            false => coherent.phase_damping(0, Param::weight(2)).unwrap(),
        };
        coherent.ry(0, Param::weight(1)).unwrap();
        let w = [t0, t1, 1.0];
        let g = DensityState::new(1).unwrap().gradient(&coherent, &NoiseModel::new(), &z, &w, &[]).unwrap();
        assert!(g.weights[2] == f64::INFINITY, "{amplitude}: {:?}", g.weights);
        let quotient = |h: f64| (value(&coherent, &w) - value(&coherent, &[t0, t1, 1.0 - h])) / h;
        assert!(quotient(1e-10) > quotient(1e-6) && quotient(1e-6) > 100.0, "{}", quotient(1e-6));
        let z0 = if amplitude { 1.0 } else { t0.cos() };
        assert_relative_eq!(g.value, t1.cos() * z0, epsilon = 1e-14);
        assert_relative_eq!(g.weights[0], if amplitude { 0.0 } else { -t1.cos() * t0.sin() }, epsilon = 1e-13);
        assert_relative_eq!(g.weights[1], -t1.sin() * z0, epsilon = 1e-13);
    }
}

#[test]
fn a_channel_acts_where_it_was_added() {
    // Bit flip before H: ρ = diag(0.7, 0.3) then ⟨X⟩ = 0.4. After H it commutes with |+⟩⟨+|: ⟨X⟩ = 1.
    let x = Observable::from_terms(vec![PauliString::new(1.0, &[(0, Pauli::X)]).unwrap()]);
    let mut before = Circuit::new(1).unwrap();
    before.bit_flip(0, 0.3).unwrap().h(0).unwrap();
    let mut after = Circuit::new(1).unwrap();
    after.h(0).unwrap().bit_flip(0, 0.3).unwrap();
    assert_eq!((before.channels()[0].position(), after.channels()[0].position()), (0, 1));
    for (c, expected) in [(&before, 0.4), (&after, 1.0)] {
        let mut rho = DensityState::new(1).unwrap();
        rho.run(c, &[], &[]).unwrap();
        assert_relative_eq!(rho.expectation(&x).unwrap(), expected, epsilon = 1e-14);
    }
}

/// A random circuit of `n` qubits from `seed`, with a channel after every gate on the gate's qubits, and the
/// noise model that puts the same channels in the same places.
fn noisy_pair(n: usize, seed: u64) -> (Circuit, Circuit, NoiseModel) {
    use rand::{RngExt, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut gates = Circuit::new(n).unwrap();
    let mut with_channels = Circuit::new(n).unwrap();
    let (dep, amp) = (Channel::depolarizing(0.03).unwrap(), Channel::amplitude_damping(0.07).unwrap());
    for k in 0..4 * n {
        let (a, b) = (rng.random_range(0..n), rng.random_range(0..n - 1));
        let b = if b >= a { b + 1 } else { b };
        for c in [&mut gates, &mut with_channels] {
            match k % 3 {
                0 => c.ry(a, Param::weight(k)).unwrap(),
                1 => c.cnot(a, b).unwrap(),
                _ => c.rzz(a, b, Param::input(k % n)).unwrap(),
            };
        }
        let qubits: Vec<usize> = gates.instructions().last().unwrap().qubits().collect();
        // The model's order: rule by rule, each on the gate's qubits in turn.
        for channel in [&dep, &amp] {
            for &q in &qubits {
                with_channels.channel(channel.clone(), &[q]).unwrap();
            }
        }
    }
    let mut noise = NoiseModel::new();
    noise.after_all_gates(dep).after_all_gates(amp);
    (gates, with_channels, noise)
}

#[test]
fn circuit_channels_equal_the_noise_model_that_places_them_bit_for_bit() {
    let (gates, with_channels, noise) = noisy_pair(4, 11);
    let (w, x): (Vec<f64>, Vec<f64>) = ((0..16).map(|i| 0.1 * i as f64).collect(), vec![0.3, -0.8, 1.1, 0.5]);
    let mut by_model = DensityState::new(4).unwrap();
    by_model.run_noisy(&gates, &noise, &w, &x).unwrap();
    let mut by_circuit = DensityState::new(4).unwrap();
    by_circuit.run(&with_channels, &w, &x).unwrap();
    assert_eq!(by_model.entries(), by_circuit.entries());
    assert!(by_model.purity() < 0.99, "the noise acted");
    // The gradients agree as well (the circuit's channels are constants: no derivative of their own).
    let z = Observable::sum_z(4).unwrap();
    let gm = DensityState::new(4).unwrap().gradient(&gates, &noise, &z, &w, &x).unwrap();
    let gc = DensityState::new(4).unwrap().gradient(&with_channels, &NoiseModel::new(), &z, &w, &x).unwrap();
    assert_eq!((gm.value, &gm.weights, &gm.inputs), (gc.value, &gc.weights, &gc.inputs));
}

#[test]
fn trajectories_of_a_circuit_with_channels_agree_with_its_density_matrix() {
    let mut c = Circuit::new(3).unwrap();
    c.h(0).unwrap().amplitude_damping(0, Param::weight(0)).unwrap();
    c.cnot(0, 1).unwrap().depolarizing2(0, 1, Param::input(0) * 0.5).unwrap();
    c.cnot(1, 2).unwrap().phase_damping(2, 0.3).unwrap().pauli_channel(1, 0.05, Param::weight(1), 0.1).unwrap();
    let (w, x) = ([0.25, 0.08], [0.2]);
    let obs = [Observable::sum_z(3).unwrap(), zz_plus_half_x1()];
    let mut rho = DensityState::new(3).unwrap();
    rho.run(&c, &w, &x).unwrap();
    let est = Trajectories::new(4000, 5).run(&c, &NoiseModel::new(), &w, &x, &obs).unwrap();
    for (o, (mean, se)) in obs.iter().zip(est.expectations().iter().zip(est.standard_errors())) {
        let exact = rho.expectation(o).unwrap();
        assert!((mean - exact).abs() < 4.0 * se, "trajectories {mean} ± {se}, density matrix {exact}");
        assert!(*se > 0.0);
    }
}

#[test]
fn a_circuit_with_channels_goes_nowhere_that_needs_a_unitary() {
    let mut c = Circuit::new(2).unwrap();
    c.h(0).unwrap().depolarizing(0, 0.01).unwrap().cnot(0, 1).unwrap();
    let noisy = |r: qnet::Result<_>| matches!(r, Err(Error::NoisyCircuit { channel: "depolarizing", .. }));
    assert!(noisy(StateVector::new(2).unwrap().run(&c, &[], &[])));
    assert!(noisy(StateVector::new(2).unwrap().run_compiled(&CompiledCircuit::new(c.clone()), &[], &[])));
    assert!(noisy(c.inverse().map(drop)));
    assert!(noisy(qnet::qasm::to_qasm(&c).map(drop)));
    let text = Error::NoisyCircuit { channel: "depolarizing", operation: "qasm export" }.to_string();
    assert_eq!(text, "the circuit has a depolarizing channel: qasm export needs a circuit without channels");
}

#[test]
fn bad_channel_placements_and_strengths_are_typed_errors() {
    let mut c = Circuit::new(2).unwrap();
    assert!(matches!(c.depolarizing(2, 0.1), Err(Error::InvalidQubit { qubit: 2, num_qubits: 2 })));
    assert!(matches!(c.depolarizing2(1, 1, 0.1), Err(Error::DuplicateQubit { qubit: 1 })));
    assert!(matches!(
        c.bit_flip(0, 1.5),
        Err(Error::InvalidChannelParameter { channel: "bit_flip", parameter: "p", value }) if value == 1.5
    ));
    assert!(matches!(c.phase_flip(0, f64::NAN), Err(Error::NonFinite { .. })));
    assert!(matches!(c.amplitude_damping(0, Param::weight(0) * f64::INFINITY), Err(Error::NonFinite { .. })));
    assert!(matches!(
        c.channel(Channel::depolarizing2(0.1).unwrap(), &[0]),
        Err(Error::GateArity { gate: "depolarizing2", expected: 2, found: 1 })
    ));
    assert!(matches!(
        ChannelInstruction::with_params(Channel::bit_flip(0.1).unwrap(), vec![], vec![0]),
        Err(Error::DimensionMismatch { what: "channel parameters", expected: 1, found: 0 })
    ));
    assert!(c.is_empty(), "nothing was added by the failed calls");
    // A weight strength is checked when the circuit runs: out of range, missing, or NaN.
    c.amplitude_damping(1, Param::weight(0) * 2.0).unwrap();
    assert_eq!(c.num_weights(), 1);
    let mut rho = DensityState::new(2).unwrap();
    assert!(matches!(
        rho.run(&c, &[0.6], &[]),
        Err(Error::InvalidChannelParameter { channel: "amplitude_damping", parameter: "gamma", value }) if value == 1.2
    ));
    assert!(matches!(rho.run(&c, &[], &[]), Err(Error::ParameterCount { .. })));
    assert!(matches!(rho.run(&c, &[f64::NAN], &[]), Err(Error::NonFinite { .. })));
    assert_eq!(rho.trace(), 1.0, "the failed runs left the state alone");
    assert!(Trajectories::new(10, 1).run(&c, &NoiseModel::new(), &[0.6], &[], &[]).is_err());
}

#[test]
fn append_bind_and_draw_keep_the_channels_in_place() {
    let mut a = Circuit::new(2).unwrap();
    a.h(0).unwrap().depolarizing(0, Param::weight(0)).unwrap();
    let mut b = Circuit::new(2).unwrap();
    b.bit_flip(1, 0.2).unwrap().cnot(0, 1).unwrap().phase_damping(1, Param::input(0)).unwrap();
    let mut ab = a.clone();
    ab.append(&b).unwrap();
    let positions: Vec<usize> = ab.channels().iter().map(ChannelInstruction::position).collect();
    assert_eq!(positions, [1, 1, 2]);
    assert_eq!((ab.len(), ab.num_weights(), ab.num_inputs()), (2, 1, 1));
    let bound = ab.bind(&[0.05], &[0.4]).unwrap();
    assert!(bound.channels().iter().all(|c| c.params().iter().all(Param::is_const)));
    assert_eq!(bound.channels()[2].channel(), &Channel::phase_damping(0.4).unwrap());
    let (mut r1, mut r2) = (DensityState::new(2).unwrap(), DensityState::new(2).unwrap());
    r1.run(&ab, &[0.05], &[0.4]).unwrap();
    r2.run(&bound, &[], &[]).unwrap();
    assert_eq!(r1.entries(), r2.entries());
    assert_eq!(ab.channels()[0].to_string(), "depolarizing(w[0]) q[0]");
    let two =
        ChannelInstruction::with_params(Channel::depolarizing2(0.1).unwrap(), vec![Param::input(1) * 0.5], vec![1, 0]);
    assert_eq!(two.unwrap().to_string(), "depolarizing2(0.5*x[1]) q[1], q[0]");
    let text = ab.to_string();
    for label in ["depolarizing(w[0])", "bit_flip(0.2)", "phase_damping(x[0])"] {
        assert!(text.contains(label), "{label} missing from\n{text}");
    }
}

#[cfg(feature = "serde")]
#[test]
fn circuits_with_channels_round_trip_through_serde_and_bad_positions_are_refused() {
    let mut c = Circuit::new(2).unwrap();
    c.amplitude_damping(0, Param::weight(0)).unwrap().h(0).unwrap();
    c.channel(Channel::kraus(Channel::phase_flip(0.3).unwrap().kraus_operators()).unwrap(), &[1]).unwrap();
    c.generalized_amplitude_damping(1, 0.1, Param::input(0)).unwrap();
    let json = serde_json::to_string(&c).unwrap();
    assert_eq!(serde_json::from_str::<Circuit>(&json).unwrap(), c);
    let moved = json.replacen("\"position\":0", "\"position\":5", 1);
    assert!(serde_json::from_str::<Circuit>(&moved).is_err(), "a channel past the last gate");
    let out_of_range = json.replacen("\"gamma\":0.1", "\"gamma\":1.1", 1);
    assert_ne!(out_of_range, json);
    assert!(serde_json::from_str::<Circuit>(&out_of_range).is_err(), "a constant strength out of range");
    // Circuits without channels are written as before.
    let mut plain = Circuit::new(1).unwrap();
    plain.h(0).unwrap();
    assert!(!serde_json::to_string(&plain).unwrap().contains("channels"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// The adjoint derivatives with respect to channel strengths (weights and inputs, scaled) equal central
    /// differences, and the state stays a density matrix.
    #[test]
    fn strength_gradients_equal_central_differences(
        w in proptest::collection::vec(0.05f64..0.3, 4),
        x in proptest::collection::vec(-1.0f64..1.0, 2),
    ) {
        let mut c = Circuit::new(2).unwrap();
        c.ry(0, Param::input(0)).unwrap().generalized_amplitude_damping(0, Param::weight(0), Param::weight(1)).unwrap();
        c.cnot(0, 1).unwrap().pauli_channel(1, Param::weight(2), 0.02, Param::weight(3) * 0.5).unwrap();
        c.rx(1, Param::input(1)).unwrap().depolarizing2(1, 0, Param::weight(3)).unwrap();
        // Last on qubit 1: it shrinks ⟨Y1⟩ (RX turned the populations into Y), so the observable reads it.
        c.phase_flip(1, Param::input(1) * 0.1).unwrap();
        let mut obs = zz_plus_half_x1();
        obs.push(PauliString::new(0.7, &[(1, Pauli::Y)]).unwrap());
        let value = |w: &[f64], x: &[f64]| {
            let mut rho = DensityState::new(2).unwrap();
            rho.run(&c, w, x).unwrap();
            prop_assert!((rho.trace() - 1.0).abs() < 1e-13);
            Ok(rho.expectation(&obs).unwrap())
        };
        // phase_flip needs a probability: x1·0.1 may be negative.
        let x = vec![x[0], x[1].abs() + 0.01];
        let g = DensityState::new(2).unwrap().gradient(&c, &NoiseModel::new(), &obs, &w, &x).unwrap();
        prop_assert!((g.value - value(&w, &x)?).abs() < 1e-14);
        let h = 1e-6;
        for i in 0..4 {
            let (mut up, mut down) = (w.clone(), w.clone());
            up[i] += h;
            down[i] -= h;
            let fd = (value(&up, &x)? - value(&down, &x)?) / (2.0 * h);
            prop_assert!((g.weights[i] - fd).abs() < 1e-8, "w{}: adjoint {} fd {}", i, g.weights[i], fd);
        }
        for i in 0..2 {
            let (mut up, mut down) = (x.clone(), x.clone());
            up[i] += h;
            down[i] -= h;
            let fd = (value(&w, &up)? - value(&w, &down)?) / (2.0 * h);
            prop_assert!((g.inputs[i] - fd).abs() < 1e-8, "x{}: adjoint {} fd {}", i, g.inputs[i], fd);
        }
    }
}
