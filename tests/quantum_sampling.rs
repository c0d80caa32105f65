//! Sampling and measurement with a caller's seeded generator.

use qnet::prelude::*;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

#[test]
fn sampled_frequencies_match_probabilities() -> qnet::Result<()> {
    let mut c = Circuit::new(3)?;
    c.ry(0, 0.7)?.ry(1, 1.9)?.cnot(1, 2)?.rx(2, 0.4)?;
    let mut s = StateVector::new(3)?;
    s.run(&c, &[], &[])?;
    let shots = 200_000;
    let counts = s.sample(shots, &mut ChaCha8Rng::seed_from_u64(42))?;
    assert_eq!(counts.values().sum::<usize>(), shots);
    for (i, p) in s.probabilities().into_iter().enumerate() {
        let observed = counts.get(&i).copied().unwrap_or(0) as f64;
        let expected = p * shots as f64;
        let sd = (shots as f64 * p * (1.0 - p)).sqrt();
        assert!((observed - expected).abs() <= 5.0 * sd + 1e-9, "index {i}: {observed} vs {expected} ± {sd}");
        if p == 0.0 {
            assert_eq!(observed, 0.0, "an impossible outcome was drawn");
        }
    }
    Ok(())
}

#[test]
fn sampling_is_reproducible_for_a_seed() -> qnet::Result<()> {
    let mut s = StateVector::new(4)?;
    for q in 0..4 {
        s.apply_gate(&Gate::H, &[q])?;
    }
    let a = s.sample(1000, &mut ChaCha8Rng::seed_from_u64(7))?;
    let b = s.sample(1000, &mut ChaCha8Rng::seed_from_u64(7))?;
    let c = s.sample(1000, &mut ChaCha8Rng::seed_from_u64(8))?;
    assert_eq!(a, b);
    assert_ne!(a, c);
    Ok(())
}

#[test]
fn measuring_a_bell_pair_collapses_both_qubits() -> qnet::Result<()> {
    let mut bell = Circuit::new(2)?;
    bell.h(0)?.cnot(0, 1)?;
    let mut ones = 0;
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    for _ in 0..400 {
        let mut s = StateVector::new(2)?;
        s.run(&bell, &[], &[])?;
        let first = s.measure(0, &mut rng)?;
        ones += usize::from(first);
        // The partner now agrees with certainty, and the state is normalized again.
        assert!((s.probability_one(1)? - f64::from(first)).abs() < 1e-12);
        assert!((s.norm() - 1.0).abs() < 1e-12);
        assert_eq!(s.measure(1, &mut rng)?, first);
    }
    assert!((150..=250).contains(&ones), "{ones} ones out of 400");
    Ok(())
}

#[test]
fn fidelity_ignores_global_phase() -> qnet::Result<()> {
    let mut a = StateVector::new(1)?;
    a.apply_gate(&Gate::RZ(0.9.into()), &[0])?;
    let b = StateVector::new(1)?;
    assert!((a.fidelity(&b)? - 1.0).abs() < 1e-15);
    assert!((a.inner(&b)?.norm() - 1.0).abs() < 1e-15);
    assert!(a.inner(&b)?.im.abs() > 0.1, "the phase is still there");
    let mut c = StateVector::new(1)?;
    c.apply_gate(&Gate::X, &[0])?;
    assert_eq!(c.fidelity(&b)?, 0.0);
    Ok(())
}
