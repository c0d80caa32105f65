//! Quantum jumps against dense matrices: every branch of every channel, forced by its draw, is K_k ψ/√p_k
//! with p_k = ‖K_k ψ‖² computed densely, and Σ_k p_k |ψ_k⟩⟨ψ_k| is E(|ψ⟩⟨ψ|).

use nalgebra::{DMatrix, DVector};
use num_complex::Complex64 as C;
use proptest::prelude::*;

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::super::jump::Jumps;
use super::{dense_channel, embed, every_channel, max_diff, random_circuit, Channel, WEIGHTS};
use crate::quantum::StateVector;

/// A random channel on `qubits` qubits with two complex Kraus operators whose K†K are neither diagonal nor
/// real: the two blocks of the isometry Q (2d × d) of a random complex matrix's QR decomposition.
fn random_kraus(qubits: usize, seed: u64) -> Channel {
    let d = 1 << qubits;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let a = DMatrix::from_fn(2 * d, d, |_, _| C::new(rng.random_range(-1.0..1.0), rng.random_range(-1.0..1.0)));
    let q = a.qr().q();
    Channel::kraus(vec![q.rows(0, d).into_owned(), q.rows(d, d).into_owned()]).unwrap()
}

/// |v⟩⟨v|.
fn outer(v: &DVector<C>) -> DMatrix<C> {
    v * v.adjoint()
}

/// Channels with more Kraus operators than a two-qubit channel needs (20 and 17): a random one-qubit Kraus set
/// and the two-qubit depolarizing channel with each operator split into equal parts.
fn split(seed: u64) -> [Channel; 2] {
    let parts = |ops: Vec<DMatrix<C>>, m: usize| {
        let scale = C::new(1.0 / (m as f64).sqrt(), 0.0);
        ops.iter().flat_map(|k| std::iter::repeat_n(k * scale, m)).collect::<Vec<_>>()
    };
    let one = parts(random_kraus(1, seed).kraus_operators(), 10);
    let mut two = Channel::depolarizing2(0.3).unwrap().kraus_operators();
    two.extend(parts(vec![two[0].clone()], 2));
    two.remove(0);
    [Channel::kraus(one).unwrap(), Channel::kraus(two).unwrap()]
}

/// Checks every branch of `channel` on `qubits` of the pure state of a random circuit on `n` qubits.
fn check_branches(n: usize, seed: u64, qubits: &[usize]) {
    let mut state = StateVector::new(n).unwrap();
    state.run(&random_circuit(n, 4 * n, seed), &WEIGHTS, &[]).unwrap();
    let psi = DVector::from_column_slice(state.amplitudes());
    let channels = every_channel().into_iter().chain([random_kraus(1, seed), random_kraus(2, seed)]).chain(split(seed));
    for channel in channels.filter(|c| c.num_qubits() == qubits.len()) {
        let jumps = Jumps::new(&channel);
        let kraus = channel.kraus_operators();
        let branches: Vec<DVector<C>> = kraus.iter().map(|k| embed(k, qubits, n) * &psi).collect();
        let p: Vec<f64> = branches.iter().map(|b| b.norm_squared()).collect();
        let total: f64 = p.iter().sum();
        assert!((total - 1.0).abs() < 1e-12, "{}: Σ p_k = {total}", channel.name());
        let (mut mixed, mut before) = (DMatrix::zeros(1 << n, 1 << n), 0.0);
        for (k, (branch, &pk)) in branches.iter().zip(&p).enumerate() {
            if pk < 1e-9 {
                before += pk;
                continue;
            }
            let mut jumped = state.amplitudes().to_vec();
            jumps.apply_draw(&mut jumped, qubits, (before + pk / 2.0) / total);
            let jumped = DVector::from_vec(jumped);
            // Up to a global phase (the identity branch of a mixture is skipped).
            let diff = max_diff(&outer(&jumped), &(outer(branch) / C::new(pk, 0.0)));
            assert!(diff < 1e-12, "{} branch {k} on {qubits:?}: {diff:e}", channel.name());
            mixed += outer(&jumped) * C::new(pk, 0.0);
            before += pk;
        }
        let exact = dense_channel(&outer(&psi), &channel, qubits, n);
        let diff = max_diff(&mixed, &exact);
        assert!(diff < 1e-12, "{} on {qubits:?}: Σ p_k |ψ_k⟩⟨ψ_k| is {diff:e} from E(ρ)", channel.name());
    }
}

#[test]
fn every_branch_of_every_channel_is_its_kraus_operator() {
    for (seed, qubits) in [(1, vec![0]), (2, vec![2]), (3, vec![0, 2]), (4, vec![2, 1]), (5, vec![1, 0])] {
        check_branches(3, seed, &qubits);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn jumps_average_to_the_channel(n in 2usize..5, seed in 0u64..1000, a in 0usize..4, b in 0usize..4) {
        let (a, b) = (a % n, b % n);
        check_branches(n, seed, &[a]);
        if a != b {
            check_branches(n, seed, &[a, b]);
        }
    }
}

/// Trajectory values with one-qubit gates and channels multiplied into pending ops, and with each applied in
/// turn, for a random circuit on `n` qubits under a model with every kind of channel (and without noise).
fn check_pending_products(n: usize, seed: u64) {
    use super::super::{NoiseModel, Trajectories};
    use crate::quantum::{Observable, PauliString};
    let mut noise = super::rich_noise();
    noise
        .after_gate("ry", Channel::bit_flip(0.2).unwrap())
        .after_gate("h", Channel::amplitude_damping(0.3).unwrap())
        .on_qubits(Some("rx"), &[0, 1], random_kraus(1, seed))
        .after_gate("y", Channel::depolarizing(0.3).unwrap());
    let c = random_circuit(n, 12 * n, seed);
    let obs: Vec<Observable> =
        vec![Observable::sum_z(n).unwrap(), PauliString::parse(&"XY".repeat(n)[..n]).unwrap().into()];
    for model in [noise, NoiseModel::new()] {
        let t = Trajectories::new(40, seed);
        let fused = t.run_with(&c, &model, &WEIGHTS, &[], &obs, true).unwrap();
        let plain = t.run_with(&c, &model, &WEIGHTS, &[], &obs, false).unwrap();
        for i in 0..40 {
            let (a, b) = (fused.trajectory(i).unwrap(), plain.trajectory(i).unwrap());
            assert!(a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-10), "n = {n}, trajectory {i}: {a:?} vs {b:?}");
        }
        assert!(fused.standard_errors()[0] > 0.0 || model.is_empty());
    }
}

/// A trajectory with one-qubit gates and channels multiplied into pending ops is the trajectory with each
/// applied in turn (the same draws pick the same branches; the states differ by rounding).
#[test]
fn pending_products_give_the_trajectories_of_ops_applied_in_turn() {
    for (n, seed) in [(3, 1), (4, 2), (5, 3)] {
        check_pending_products(n, seed);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]
    #[test]
    fn pending_products_on_random_circuits(n in 1usize..6, seed in 0u64..10_000) {
        check_pending_products(n, seed);
    }
}
