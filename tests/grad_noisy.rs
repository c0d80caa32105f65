//! A `QuantumFunction` under a noise model: its values against the density state run directly, its one-sweep
//! vector-Jacobian products against the per-observable noisy adjoint of `DensityState::gradient` and against
//! central finite differences of the noisy values, the tape path against the one-call path, readout errors on
//! probability outputs, the noiseless paths unchanged bit for bit, and the errors of bad models.

use approx::assert_relative_eq;
use proptest::prelude::*;
use qnet::grad::{DiffMethod, Gradients, Outputs, QuantumFunction};
use qnet::prelude::*;

/// Three qubits: inputs as RX angles (one scaled), a strongly entangling block, a controlled rotation.
fn circuit() -> qnet::Result<Circuit> {
    let mut c = Circuit::new(3)?;
    c.rx(0, Param::input(0))?.rx(1, Param::input(1) * 2.0)?.ry(2, Param::input(0))?;
    for q in 0..3 {
        c.rz(q, Param::weight(3 * q))?.ry(q, Param::weight(3 * q + 1))?.rz(q, Param::weight(3 * q + 2))?;
    }
    c.cnot(0, 1)?.cnot(1, 2)?.crx(2, 0, Param::weight(9))?.h(1)?;
    Ok(c)
}

fn observables() -> qnet::Result<Vec<Observable>> {
    Ok(vec![
        Observable::from(PauliString::z(0)?),
        Observable::from(PauliString::parse("ZZI")?),
        Observable::from(PauliString::parse("XIY")?.with_coeff(0.5)?),
    ])
}

/// Depolarizing after every gate (two-qubit after CNOTs), amplitude damping after RY on qubit 2 only.
fn noise() -> qnet::Result<NoiseModel> {
    let mut noise = NoiseModel::new();
    noise.after_all_gates(Channel::depolarizing(0.02)?).after_gate("cx", Channel::depolarizing2(0.03)?).on_qubits(
        Some("ry"),
        &[2],
        Channel::amplitude_damping(0.1)?,
    );
    Ok(noise)
}

const W: [f64; 10] = [0.3, -0.7, 1.1, 0.2, 0.9, -1.3, 0.5, -0.4, 0.8, 1.7];
const X: [f64; 2] = [0.4, -0.6];
const G: [f64; 3] = [1.0, -0.5, 2.0];

#[test]
fn noisy_values_are_the_density_states() -> qnet::Result<()> {
    let f = QuantumFunction::new(circuit()?, Outputs::Observables(observables()?))?.with_noise(noise()?)?;
    let mut rho = DensityState::new(3)?;
    rho.run_noisy(&circuit()?, &noise()?, &W, &X)?;
    let values = f.evaluate(&W, &X)?;
    for (v, o) in values.iter().zip(observables()?) {
        assert_eq!(*v, rho.expectation(&o)?);
    }
    // And the noise changed them.
    let pure = QuantumFunction::new(circuit()?, Outputs::Observables(observables()?))?.evaluate(&W, &X)?;
    assert!(values.iter().zip(&pure).any(|(a, b)| (a - b).abs() > 1e-3), "{values:?} vs {pure:?}");
    Ok(())
}

#[test]
fn one_sweep_vjp_equals_the_sum_of_per_observable_gradients_and_finite_differences() -> qnet::Result<()> {
    let f = QuantumFunction::new(circuit()?, Outputs::Observables(observables()?))?.with_noise(noise()?)?;
    let vjp = f.vjp(DiffMethod::Adjoint, &W, &X, &G)?;
    // Independent route 1: DensityState::gradient per observable, combined afterwards.
    let (mut wg, mut xg) = (vec![0.0; W.len()], vec![0.0; X.len()]);
    for (o, g) in observables()?.iter().zip(G) {
        let one = DensityState::new(3)?.gradient(&circuit()?, &noise()?, o, &W, &X)?;
        wg.iter_mut().zip(&one.weights).for_each(|(a, b)| *a += g * b);
        xg.iter_mut().zip(&one.inputs).for_each(|(a, b)| *a += g * b);
    }
    for (a, b) in vjp.weights.iter().zip(&wg).chain(vjp.inputs.iter().zip(&xg)) {
        assert_relative_eq!(a, b, epsilon = 1e-13);
    }
    // Independent route 2: central finite differences of the noisy values.
    let fd = f.vjp(DiffMethod::FiniteDifference, &W, &X, &G)?;
    for (a, b) in vjp.weights.iter().zip(&fd.weights).chain(vjp.inputs.iter().zip(&fd.inputs)) {
        assert_relative_eq!(a, b, epsilon = 1e-8);
    }
    assert_eq!(vjp.values, f.evaluate(&W, &X)?);
    // The Jacobian's rows are the VJPs of unit vectors.
    let j = f.jacobian(DiffMethod::Adjoint, &W, &X)?;
    let jg = j.weights.transpose() * nalgebra::DVector::from_column_slice(&G);
    for (a, b) in jg.iter().zip(&vjp.weights) {
        assert_relative_eq!(a, b, epsilon = 1e-13);
    }
    assert_eq!(j.values, vjp.values);
    Ok(())
}

#[test]
fn tape_path_equals_the_one_call_path() -> qnet::Result<()> {
    let f = QuantumFunction::new(circuit()?, Outputs::Observables(observables()?))?.with_noise(noise()?)?;
    let tape = f.forward(&W, &X)?;
    assert_eq!(tape.values(), &f.evaluate(&W, &X)?[..]);
    let mut ws = f.workspace()?;
    let (mut dw, mut dx) = (vec![0.0; W.len()], vec![0.0; X.len()]);
    f.backward(&tape, &G, &mut ws, Gradients { weights: &mut dw, inputs: Some(&mut dx) })?;
    let vjp = f.vjp(DiffMethod::Adjoint, &W, &X, &G)?;
    assert_eq!((dw, dx), (vjp.weights, vjp.inputs));
    Ok(())
}

#[test]
fn probabilities_take_the_readout_errors_and_their_transpose() -> qnet::Result<()> {
    let mut noisy = noise()?;
    noisy.readout(0, ReadoutError::new(0.05, 0.1)?).readout(2, ReadoutError::new(0.2, 0.0)?);
    let f = QuantumFunction::new(circuit()?, Outputs::Probabilities)?.with_noise(noisy.clone())?;
    let mut rho = DensityState::new(3)?;
    rho.run_noisy(&circuit()?, &noisy, &W, &X)?;
    let mut p = rho.probabilities();
    noisy.apply_readout(&mut p)?;
    let values = f.evaluate(&W, &X)?;
    for (a, b) in values.iter().zip(&p) {
        assert_relative_eq!(a, b, epsilon = 1e-15);
    }
    let g: Vec<f64> = (0..8).map(|k| (k as f64 * 0.7).sin()).collect();
    let vjp = f.vjp(DiffMethod::Adjoint, &W, &X, &g)?;
    let fd = f.vjp(DiffMethod::FiniteDifference, &W, &X, &g)?;
    for (a, b) in vjp.weights.iter().zip(&fd.weights).chain(vjp.inputs.iter().zip(&fd.inputs)) {
        assert_relative_eq!(a, b, epsilon = 1e-8);
    }
    // Readout errors do not touch expectation values: a model of readout errors alone leaves them pure.
    let mut readout_only = NoiseModel::new();
    readout_only.readout(0, ReadoutError::new(0.05, 0.1)?);
    let e = QuantumFunction::new(circuit()?, Outputs::Observables(observables()?))?;
    let r = e.clone().with_noise(readout_only)?;
    for (a, b) in r.evaluate(&W, &X)?.iter().zip(&e.evaluate(&W, &X)?) {
        assert_relative_eq!(a, b, epsilon = 1e-13);
    }
    Ok(())
}

#[test]
fn an_empty_model_leaves_every_path_bit_identical() -> qnet::Result<()> {
    let f = QuantumFunction::new(circuit()?, Outputs::Observables(observables()?))?;
    let e = f.clone().with_noise(NoiseModel::new())?;
    assert!(e.noise().is_none());
    assert_eq!(e, f);
    for method in [DiffMethod::Adjoint, DiffMethod::ParameterShift, DiffMethod::FiniteDifference] {
        assert_eq!(e.vjp(method, &W, &X, &G)?, f.vjp(method, &W, &X, &G)?);
        assert_eq!(e.jacobian(method, &W, &X)?, f.jacobian(method, &W, &X)?);
    }
    assert_eq!(e.forward(&W, &X)?, f.forward(&W, &X)?);
    Ok(())
}

#[test]
fn zero_strength_noise_agrees_with_the_pure_state() -> qnet::Result<()> {
    let f = QuantumFunction::new(circuit()?, Outputs::Observables(observables()?))?;
    let mut zero = NoiseModel::new();
    zero.after_all_gates(Channel::depolarizing(0.0)?);
    let z = f.clone().with_noise(zero)?;
    let (a, b) = (z.vjp(DiffMethod::Adjoint, &W, &X, &G)?, f.vjp(DiffMethod::Adjoint, &W, &X, &G)?);
    for (p, q) in
        a.values.iter().chain(&a.weights).chain(&a.inputs).zip(b.values.iter().chain(&b.weights).chain(&b.inputs))
    {
        assert_relative_eq!(p, q, epsilon = 1e-12);
    }
    Ok(())
}

#[test]
fn bad_models_and_methods_are_typed_errors() -> qnet::Result<()> {
    let f = QuantumFunction::new(circuit()?, Outputs::Observables(observables()?))?;
    let mut far = NoiseModel::new();
    far.on_qubits(Some("rx"), &[0, 5], Channel::bit_flip(0.1)?);
    assert!(matches!(f.clone().with_noise(far), Err(Error::InvalidQubit { qubit: 5, num_qubits: 3 })));
    let mut far_readout = NoiseModel::new();
    far_readout.readout(3, ReadoutError::new(0.1, 0.1)?);
    assert!(matches!(f.clone().with_noise(far_readout), Err(Error::InvalidQubit { qubit: 3, num_qubits: 3 })));
    let mut two = NoiseModel::new();
    two.after_gate("rx", Channel::depolarizing2(0.1)?);
    assert!(matches!(f.clone().with_noise(two), Err(Error::GateArity { expected: 2, found: 1, .. })));
    let noisy = f.with_noise(noise()?)?;
    assert!(matches!(
        noisy.jacobian(DiffMethod::ParameterShift, &W, &X),
        Err(Error::InvalidHyperParameter { name: "differentiation method", .. })
    ));
    assert!(matches!(noisy.evaluate(&W[..3], &X), Err(Error::ParameterCount { .. })));
    assert!(matches!(noisy.vjp(DiffMethod::Adjoint, &W, &X, &G[..2]), Err(Error::DimensionMismatch { .. })));
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    #[test]
    fn noisy_vjp_matches_finite_differences(
        w in proptest::collection::vec(-3.0f64..3.0, 10),
        x in proptest::collection::vec(-2.0f64..2.0, 2),
        g in proptest::collection::vec(-1.0f64..1.0, 3),
        p in 0.0f64..0.2,
    ) {
        let mut noise = NoiseModel::new();
        noise.after_all_gates(Channel::depolarizing(p).unwrap()).after_gate("cx", Channel::phase_damping(p).unwrap());
        let f = QuantumFunction::new(circuit().unwrap(), Outputs::Observables(observables().unwrap()))
            .unwrap()
            .with_noise(noise)
            .unwrap();
        let a = f.vjp(DiffMethod::Adjoint, &w, &x, &g).unwrap();
        let b = f.vjp(DiffMethod::FiniteDifference, &w, &x, &g).unwrap();
        for (u, v) in a.weights.iter().zip(&b.weights).chain(a.inputs.iter().zip(&b.inputs)) {
            prop_assert!(approx::relative_eq!(u, v, epsilon = 1e-7), "{} vs {}", u, v);
        }
    }
}

#[test]
fn a_circuit_with_channels_is_a_noisy_function_with_exact_strength_gradients() {
    use qnet::quantum::mixed::DensityState;
    // RX(x0), amplitude damping of strength w1 on the ket, RY(w0): every derivative against the density state.
    let mut c = Circuit::new(2).unwrap();
    c.rx(0, Param::input(0)).unwrap().amplitude_damping(0, Param::weight(1)).unwrap();
    c.cnot(0, 1).unwrap().ry(1, Param::weight(0)).unwrap().depolarizing(1, Param::weight(1) * 0.5).unwrap();
    let z = Observable::sum_z(2).unwrap();
    let f = QuantumFunction::new(c.clone(), Outputs::Observables(vec![z.clone()])).unwrap();
    assert!(f.noise().is_some_and(NoiseModel::is_empty), "noisy through its own channels");
    // An empty model does not make it pure again.
    let f = f.with_noise(NoiseModel::new()).unwrap();
    assert!(f.noise().is_some());
    let (w, x) = ([0.7, 0.2], [0.4]);
    let g = DensityState::new(2).unwrap().gradient(&c, &NoiseModel::new(), &z, &w, &x).unwrap();
    assert_eq!(f.evaluate(&w, &x).unwrap(), [g.value]);
    let vjp = f.vjp(DiffMethod::Adjoint, &w, &x, &[1.0]).unwrap();
    assert_eq!((vjp.weights.as_slice(), vjp.inputs.as_slice()), (g.weights.as_slice(), g.inputs.as_slice()));
    assert!(g.weights[1].abs() > 1e-3, "the strength matters: {g:?}");
    let fd = f.finite_difference(&w, &x, 1e-6).unwrap();
    assert!((fd.weights[(0, 1)] - g.weights[1]).abs() < 1e-8);
    // Out-of-range strengths are errors when it runs.
    assert!(matches!(f.evaluate(&[0.7, 1.5], &x), Err(Error::InvalidChannelParameter { .. })));
}
