//! The noisy adjoint sweep by un-computing (ρ ← S⁻¹ρ step by step) against the sweep that recomputes the
//! states from checkpoints, and the places where it stores states instead.

use super::*;

/// `random_circuit` with more parametrised two-qubit gates (RZZ and controlled U3 on weights, a doubly
/// controlled RY), and a two-qubit channel of the circuit's own on an input.
fn circuit(n: usize, seed: u64) -> Circuit {
    let mut c = random_circuit(n, 8 * n, seed);
    c.add_controlled(Gate::RZZ(Param::weight(1) * 0.5), &[0, n - 1], &[]).unwrap();
    c.add_controlled(Gate::U3(Param::weight(0), 0.4.into(), Param::weight(2)), &[1], &[n - 1]).unwrap();
    c.add_controlled(Gate::RY(Param::weight(2)), &[2], &[0, 1]).unwrap();
    c.depolarizing2(0, 2, Param::input(0) * 0.1).unwrap();
    c.append(&random_circuit(n, 4 * n, seed + 7)).unwrap();
    c
}

fn observable(n: usize) -> Observable {
    Observable::from_terms(vec![
        PauliString::new(0.8, &[(0, Pauli::Z), (n - 1, Pauli::X)]).unwrap(),
        PauliString::new(-0.5, &[(1, Pauli::Y)]).unwrap(),
    ])
}

fn close(a: &NoisyGradient, b: &NoisyGradient, tol: f64) -> bool {
    let all = |x: &[f64], y: &[f64]| x.len() == y.len() && x.iter().zip(y).all(|(x, y)| (x - y).abs() < tol);
    (a.value - b.value).abs() < tol
        && all(&a.weights, &b.weights)
        && all(&a.inputs, &b.inputs)
        && a.noise.len() == b.noise.len()
        && a.noise.iter().zip(&b.noise).all(|(x, y)| all(x, y))
}

#[test]
fn un_computing_equals_recomputing_without_storing_a_state() {
    for (n, seed) in [(3, 1), (4, 2), (5, 3)] {
        let c = circuit(n, seed);
        let (best, recomputed, stored) =
            mixed(n, seed).gradient_both_ways(&c, &rich_noise(), &observable(n), &WEIGHTS, &[0.6]).unwrap();
        // The un-computing sweep ran, and stored nothing: every channel of the model is invertible and mild.
        assert_eq!(stored, Some(vec![]), "n = {n}");
        assert!(close(&best, &recomputed, 1e-13), "n = {n}:\n{best:?}\n{recomputed:?}");
        assert!(best.weights.iter().all(|d| d.abs() > 1e-6), "{best:?}");
        assert!(best.inputs[0].abs() > 1e-6 && best.noise.iter().flatten().all(|d| d.abs() > 1e-9), "{best:?}");
    }
}

#[test]
fn a_channel_that_cannot_be_undone_stores_the_state_before_it() {
    // Amplitude damping with γ = 1 (a reset) and phase damping with λ = 1 (which removes coherences for
    // good) in the circuit: singular superoperators.
    let n = 4;
    let noise = rich_noise();
    let mut c = circuit(n, 11);
    c.amplitude_damping(1, 1.0).unwrap();
    c.append(&random_circuit(n, 6, 12)).unwrap();
    c.phase_damping(2, 1.0).unwrap();
    c.append(&random_circuit(n, 6, 13)).unwrap();
    let (best, recomputed, stored) =
        mixed(n, 5).gradient_both_ways(&c, &noise, &observable(n), &WEIGHTS, &[0.6]).unwrap();
    let stored = stored.expect("un-computed with stored states");
    assert!(!stored.is_empty());
    assert!(close(&best, &recomputed, 1e-13), "{best:?}\n{recomputed:?}");
    // Against central differences of the density run.
    let f = |w: &[f64]| {
        let mut rho = mixed(n, 5);
        rho.run_noisy(&c, &noise, w, &[0.6]).unwrap();
        rho.expectation(&observable(n)).unwrap()
    };
    for i in 0..3 {
        let (mut up, mut down) = (WEIGHTS, WEIGHTS);
        up[i] += 1e-6;
        down[i] -= 1e-6;
        let fd = (f(&up) - f(&down)) / 2e-6;
        assert!((best.weights[i] - fd).abs() < 1e-8, "w{i}: {} vs {fd}", best.weights[i]);
    }
}

#[test]
fn strong_channels_store_states_where_errors_would_grow() {
    // Depolarizing p = 0.3 shrinks the Bloch vector by 1 − 4p/3 = 0.6: un-applying it grows errors by 5/3,
    // so a run of them passes the bound on the growth and the sweep stores states between.
    let n = 3;
    let mut noise = NoiseModel::new();
    noise.after_all_gates(Channel::depolarizing(0.3).unwrap());
    let mut c = Circuit::new(n).unwrap();
    for layer in 0..4 {
        for q in 0..n {
            c.ry(q, Param::weight(q)).unwrap().rz(q, 0.3 * layer as f64).unwrap();
        }
        c.cnot(0, 1).unwrap().cnot(1, 2).unwrap();
    }
    let (best, recomputed, stored) = mixed(n, 9).gradient_both_ways(&c, &noise, &observable(n), &WEIGHTS, &[]).unwrap();
    assert!(matches!(&stored, Some(s) if !s.is_empty()), "{stored:?}");
    assert!(close(&best, &recomputed, 1e-12), "{best:?}\n{recomputed:?}");
}

#[test]
fn too_many_states_to_store_falls_back_to_recomputing() {
    // A near-reset after every gate (γ = 1 − 1e-12: invertible, but un-applying it grows errors 1e6-fold): a
    // state to store before each, more than √K of them.
    let n = 3;
    let mut noise = NoiseModel::new();
    noise.after_all_gates(Channel::amplitude_damping(1.0 - 1e-12).unwrap());
    let c = circuit(n, 21);
    let (best, recomputed, stored) =
        mixed(n, 4).gradient_both_ways(&c, &noise, &observable(n), &WEIGHTS, &[0.6]).unwrap();
    assert_eq!(stored, None);
    assert_eq!(best, recomputed);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]
    #[test]
    fn un_computing_equals_recomputing_on_random_circuits(n in 2usize..5, seed in 0u64..1000, p in 0.0..0.2f64) {
        let mut noise = rich_noise();
        noise.after_gate("crx", Channel::depolarizing2(p).unwrap());
        noise.after_gate("cx", Channel::pauli(p / 3.0, p / 4.0, p / 5.0).unwrap());
        let c = random_circuit(n, 12 * n, seed);
        let obs = Observable::from_terms(vec![PauliString::new(1.0, &[(0, Pauli::X), (n - 1, Pauli::Z)]).unwrap()]);
        let (best, recomputed, stored) = mixed(n, seed).gradient_both_ways(&c, &noise, &obs, &WEIGHTS, &[]).unwrap();
        prop_assert!(stored.is_some());
        prop_assert!(close(&best, &recomputed, 1e-12), "{:?}\n{:?}", best, recomputed);
    }
}

#[test]
fn two_qubit_gates_with_weights_or_inputs_take_the_sixteen_entry_pass() {
    // CRX and RZZ on weights, a controlled U3 on a weight and an input: one 16x16 pass each. A CNOT (no
    // parameter) and a doubly controlled RY (three qubits) take the kernels' path; a two-qubit channel its
    // own 16x16 pass; the one-qubit gates and channels between them gather into local steps.
    let mut c = Circuit::new(3).unwrap();
    c.ry(0, Param::weight(0)).unwrap().crx(0, 1, Param::weight(1)).unwrap();
    c.add_controlled(Gate::RZZ(Param::weight(2)), &[1, 2], &[]).unwrap();
    c.add_controlled(Gate::U3(Param::weight(0), Param::input(0), 0.2.into()), &[2], &[0]).unwrap();
    c.cnot(0, 2).unwrap();
    c.add_controlled(Gate::RY(Param::weight(1)), &[2], &[0, 1]).unwrap();
    c.depolarizing2(1, 2, 0.05).unwrap();
    let kinds = adjoint::step_kinds(&c, &NoiseModel::new(), &WEIGHTS, &[0.3]);
    assert_eq!(kinds, ["local", "gate2", "gate2", "gate2", "gate", "gate", "channel2"]);
    // And the gradient through them is the recomputing sweep's.
    let (best, recomputed, stored) =
        mixed(3, 8).gradient_both_ways(&c, &rich_noise(), &observable(3), &WEIGHTS, &[0.3]).unwrap();
    assert_eq!(stored, Some(vec![]));
    assert!(close(&best, &recomputed, 1e-13), "{best:?}\n{recomputed:?}");
}

#[test]
fn local_steps_of_the_x_pattern_read_five_sums_and_give_the_recomputed_gradient() {
    // Depolarizing and amplitude damping after each CNOT (rules of the model, with derivatives), then a
    // constant RZ or phase damping: X-pattern steps. A bit flip (its superoperator swaps the coherences) or an
    // RZ on a weight (its derivative's pattern is not checked) makes a step read all sums.
    let mut noise = NoiseModel::new();
    noise.after_gate("cx", Channel::depolarizing(0.02).unwrap());
    noise.after_gate("cx", Channel::amplitude_damping(0.05).unwrap());
    let mut c = Circuit::new(2).unwrap();
    c.ry(0, Param::weight(0)).unwrap().ry(1, Param::weight(1)).unwrap().cnot(0, 1).unwrap();
    c.rz(0, 0.3).unwrap().phase_damping(1, 0.1).unwrap().cnot(1, 0).unwrap();
    c.bit_flip(0, 0.1).unwrap().rz(1, Param::weight(2)).unwrap().cnot(0, 1).unwrap();
    let kinds = adjoint::step_kinds(&c, &noise, &WEIGHTS, &[]);
    let count = |kind: &str| kinds.iter().filter(|k| **k == kind).count();
    assert_eq!((count("local-x"), count("local"), count("gate")), (4, 4, 3), "{kinds:?}");
    let (best, recomputed, stored) = mixed(2, 4).gradient_both_ways(&c, &noise, &observable(2), &WEIGHTS, &[]).unwrap();
    assert_eq!(stored, Some(vec![]));
    assert!(close(&best, &recomputed, 1e-13), "{best:?}\n{recomputed:?}");
    assert!(best.noise.iter().flatten().all(|d| d.abs() > 1e-6), "{best:?}");
}

#[cfg(feature = "parallel")]
#[test]
fn the_sixteen_entry_passes_give_the_same_bits_for_one_and_two_threads() {
    // n = 9: 4^9 / 16 groups of 16 entries, enough for the 16x16 passes to go to rayon's pool.
    let n = 9;
    let c = circuit(n, 40);
    let on = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| mixed(n, 3).gradient(&c, &rich_noise(), &observable(n), &WEIGHTS, &[0.6]).unwrap())
    };
    let bits = |g: &NoisyGradient| {
        [vec![g.value], g.weights.clone(), g.inputs.clone(), g.noise.concat()]
            .concat()
            .into_iter()
            .map(f64::to_bits)
            .collect::<Vec<_>>()
    };
    assert_eq!(bits(&on(1)), bits(&on(2)));
}

#[test]
fn states_are_stored_exactly_where_the_growth_would_pass_a_thousand() {
    // Depolarizing p = 0.674 after each RY: 1 − 4p/3 ≈ 0.1013, so un-applying a local step grows errors by
    // g ≈ 9.87. A CNOT (growth 1) closes each local step. Three local steps un-applied make g³ ≈ 961, within
    // the bound; the fourth would make g⁴ ≈ 9483, so the state before it is stored, and the count starts
    // again: of twelve local steps (steps 0, 2, 4, …, the CNOTs between them), the 4th, 8th and 12th are
    // stored.
    let mut c = Circuit::new(2).unwrap();
    for _ in 0..12 {
        c.ry(0, Param::weight(0)).unwrap().cnot(0, 1).unwrap();
    }
    let mut noise = NoiseModel::new();
    noise.after_gate("ry", Channel::depolarizing(0.674).unwrap());
    let obs = Observable::from_terms(vec![PauliString::new(1.0, &[(1, Pauli::Z)]).unwrap()]);
    let (best, recomputed, stored) = mixed(2, 6).gradient_both_ways(&c, &noise, &obs, &WEIGHTS, &[]).unwrap();
    assert_eq!(stored, Some(vec![6, 14, 22]));
    assert!(close(&best, &recomputed, 1e-12), "{best:?}\n{recomputed:?}");
}

#[test]
fn on_states_larger_than_a_block_the_sweep_goes_window_by_window() {
    // n = 8: 4^8 entries, two blocks of 2^15. A reset in the middle stores a state (its step alone, over the
    // whole state), as does the doubly controlled RY (its derivative read from ρ after it); the other steps go
    // in windows, block by block where their bits are all below 15 and tile by tile otherwise.
    let n = 8;
    let noise = rich_noise();
    let mut c = circuit(n, 31);
    c.amplitude_damping(5, 1.0).unwrap();
    c.append(&random_circuit(n, 3 * n, 32)).unwrap();
    // A controlled U3 with three angles to differentiate (three sums of one 16x16 pass), and a two-qubit Kraus
    // channel without parameters (none).
    c.add_controlled(Gate::U3(Param::weight(1), Param::input(0), Param::weight(2)), &[3], &[6]).unwrap();
    let cz = DMatrix::from_diagonal(&nalgebra::DVector::from_vec(
        vec![1.0, 1.0, 1.0, -1.0].into_iter().map(C::from).collect(),
    ));
    let kraus = vec![DMatrix::identity(4, 4) * C::from(0.9f64.sqrt()), cz * C::from(0.1f64.sqrt())];
    c.channel(Channel::kraus(kraus).unwrap(), &[2, 7]).unwrap();
    c.append(&random_circuit(n, n, 33)).unwrap();
    let (best, recomputed, stored) =
        mixed(n, 7).gradient_both_ways(&c, &noise, &observable(n), &WEIGHTS, &[0.6]).unwrap();
    let stored = stored.expect("un-computed");
    assert_eq!(stored.len(), 1, "{stored:?}");
    assert!(close(&best, &recomputed, 1e-13), "{best:?}\n{recomputed:?}");
    assert!(best.weights.iter().all(|d| d.abs() > 1e-6), "{best:?}");
    let windows = adjoint::sweep_windows(&c, &noise, &WEIGHTS, &[0.6], &stored);
    let count = |kind: &str| windows.iter().filter(|w| w.0 == kind).count();
    let (alone, blocked, tiled) = (count("alone"), count("blocked"), count("tiled"));
    assert!(alone >= 2 && blocked >= 1 && tiled >= 1, "{alone} alone, {blocked} blocked, {tiled} tiled");
    // Every step once, in far fewer windows than steps.
    let steps = adjoint::step_kinds(&c, &noise, &WEIGHTS, &[0.6]).len();
    let mut all: Vec<usize> = windows.iter().flat_map(|w| w.1.iter().copied()).collect();
    all.sort_unstable();
    assert_eq!(all, (0..steps).collect::<Vec<_>>());
    assert!(windows.len() < steps / 3, "{} windows for {steps} steps", windows.len());
}

#[test]
fn windows_fill_a_tile_of_at_most_an_eighth_of_the_state_or_a_block() {
    // One RY per qubit: local steps on bits (q, q + n), independent, swept back from the last qubit. Bits below
    // 6 lie in every tile's rows; a tile holds at most 9 other bits (2^15 entries) and 1/8 of the state, a block
    // any bits below 15.
    let ry_layer = |n: usize, qubits: usize| {
        let mut c = Circuit::new(n).unwrap();
        for q in 0..qubits {
            c.ry(q, Param::weight(0)).unwrap();
        }
        adjoint::sweep_windows(&c, &NoiseModel::new(), &WEIGHTS, &[], &[])
    };
    let bits = |b: &[usize]| b.iter().fold(0, |m, &q| m | 1usize << q);
    // n = 8: a tile takes 7 bits (1/8 of 2^16 entries): qubits 7 and 6 two each, 5, 4 and 3 their bra bits.
    assert_eq!(
        ry_layer(8, 8),
        [("tiled", vec![7, 6, 5, 4, 3], bits(&[6, 7, 11, 12, 13, 14, 15])), ("blocked", vec![2, 1, 0], 0)]
    );
    // Eight bits, all below 15: one block.
    assert_eq!(ry_layer(8, 7), [("blocked", vec![6, 5, 4, 3, 2, 1, 0], 0)]);
    // n = 10: a tile takes 9 bits (2^15 entries).
    assert_eq!(
        ry_layer(10, 10),
        [("tiled", vec![9, 8, 7, 6, 5], bits(&[6, 7, 8, 9, 15, 16, 17, 18, 19])), ("blocked", vec![4, 3, 2, 1, 0], 0)]
    );
    // A state within one block: every step alone, over the whole state.
    assert_eq!(ry_layer(7, 7).len(), 7);
    assert!(ry_layer(7, 7).iter().all(|w| w.0 == "alone"));
}
