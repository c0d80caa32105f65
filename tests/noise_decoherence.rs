//! Decoherence against closed forms (what `examples/decoherence.rs` shows): a Bell pair and GHZ states under
//! amplitude and phase damping on every qubit (purity, von Neumann entropy, quantum mutual information), damping
//! applied in steps equal to one step of the summed strength, and a qubit relaxing under `Channel::thermal` to
//! the Gibbs state of `info::GibbsState`; plus PennyLane `default.mixed` values at one strength each.

use approx::assert_relative_eq;
use nalgebra::DMatrix;
use proptest::prelude::*;
use qnet::info::GibbsState;
use qnet::prelude::*;
use qnet::quantum::mixed::{Channel, DensityState};

/// Agreement with a closed form.
const EPS: f64 = 1e-12;

/// Σ p log₂(1/p) over the positive entries.
fn bits(p: &[f64]) -> f64 {
    p.iter().filter(|&&x| x > 0.0).map(|&x| x * x.recip().log2()).sum()
}

/// The binary entropy h(x) in bits.
fn h(x: f64) -> f64 {
    bits(&[x, 1.0 - x])
}

/// (|0…0⟩ + |1…1⟩)/√2 on n qubits as a density state.
fn cat(n: usize) -> DensityState {
    let mut c = Circuit::new(n).unwrap();
    c.h(0).unwrap();
    for q in 1..n {
        c.cnot(q - 1, q).unwrap();
    }
    let mut rho = DensityState::new(n).unwrap();
    rho.run(&c, &[], &[]).unwrap();
    rho
}

/// `channel` on every qubit of `rho`, `times` times.
fn damp(rho: &mut DensityState, channel: &Channel, times: usize) {
    for _ in 0..times {
        for q in 0..rho.num_qubits() {
            rho.apply_channel(channel, &[q]).unwrap();
        }
    }
}

/// (purity, S(ρ) in bits, I(q0 : rest) in bits).
type Measures = (f64, f64, f64);

/// The [`Measures`] of a state, from the library.
fn measures(rho: &DensityState) -> Measures {
    let dense = DensityMatrix::try_from(rho).unwrap();
    let rest: Vec<usize> = (1..rho.num_qubits()).collect();
    (
        rho.purity(),
        dense.von_neumann_entropy(Base::BITS).unwrap(),
        dense.mutual_information(&[0], &rest, Base::BITS).unwrap(),
    )
}

/// A Bell pair after amplitude damping γ on both qubits, in the basis (00, 01, 10, 11):
/// ρ = ½ [[1+γ², 0, 0, 1−γ], [0, γ(1−γ), 0, 0], [0, 0, γ(1−γ), 0], [1−γ, 0, 0, (1−γ)²]]. The {00, 11} block has
/// trace 1 − γ + γ² and determinant ¼γ²(1−γ)², so eigenvalues (1 − γ + γ² ± √(1 − 2γ + 2γ²))/2; the other two
/// are γ(1−γ)/2. Each qubit alone is diag((1+γ)/2, (1−γ)/2). Returns (purity, S, I) in bits.
fn bell_amplitude_damping(gamma: f64) -> Measures {
    let root = (1.0 - 2.0 * gamma + 2.0 * gamma * gamma).sqrt();
    let tau = 1.0 - gamma + gamma * gamma;
    let side = gamma * (1.0 - gamma) / 2.0;
    let eigenvalues = [(tau + root) / 2.0, (tau - root) / 2.0, side, side];
    // Purity from the entries: Σ |ρ_rc|².
    let purity = ((1.0 + gamma * gamma).powi(2)
        + 2.0 * (1.0 - gamma).powi(2)
        + 2.0 * (gamma * (1.0 - gamma)).powi(2)
        + (1.0 - gamma).powi(4))
        / 4.0;
    let s = bits(&eigenvalues);
    (purity, s, 2.0 * h((1.0 + gamma) / 2.0) - s)
}

/// An n-qubit cat state after phase damping λ on every qubit: populations ½ on 0…0 and 1…1, coherence
/// c = (1−λ)^(n/2) (√(1−λ) per qubit); eigenvalues (1 ± c)/2, purity (1 + c²)/2, and q0 and the rest one bit
/// each, so I = 2 − S. Returns (purity, S, I) in bits.
fn cat_phase_damping(n: usize, lambda: f64) -> Measures {
    let c = (1.0 - lambda).powf(n as f64 / 2.0);
    let s = h((1.0 - c) / 2.0);
    ((1.0 + c * c) / 2.0, s, 2.0 - s)
}

/// The purity of a 3-qubit GHZ state after amplitude damping γ on every qubit, from its entries: the {000, 111}
/// block ½ [[1+γ³, (1−γ)^(3/2)], [(1−γ)^(3/2), (1−γ)³]] and the diagonal ½γ²(1−γ) (weight 1, three strings)
/// and ½γ(1−γ)² (weight 2, three strings).
fn ghz3_amplitude_damping_purity(gamma: f64) -> f64 {
    let a = 1.0 - gamma;
    ((1.0 + gamma.powi(3)).powi(2)
        + 2.0 * a.powi(3)
        + a.powi(6)
        + 3.0 * (gamma * gamma * a).powi(2)
        + 3.0 * (gamma * a * a).powi(2))
        / 4.0
}

fn assert_measures(found: Measures, expected: Measures) {
    assert_relative_eq!(found.0, expected.0, epsilon = EPS);
    assert_relative_eq!(found.1, expected.1, epsilon = EPS);
    assert_relative_eq!(found.2, expected.2, epsilon = EPS);
}

/// γ(t) = 1 − e^(−t/T1) with T1 = 1, reached in `steps` steps of 1 − e^(−t/steps) each.
#[test]
fn bell_pair_under_amplitude_damping_in_time_matches_closed_forms() {
    let steps = 8;
    for t in [0.0, 0.1, 0.5, 1.0, 2.5] {
        let step = Channel::amplitude_damping(1.0 - (-t / steps as f64).exp()).unwrap();
        let mut rho = cat(2);
        damp(&mut rho, &step, steps);
        assert_measures(measures(&rho), bell_amplitude_damping(1.0 - (-t).exp()));
    }
}

/// λ(t) = 1 − e^(−2t/Tφ) with Tφ = 1: the pair's coherence decays as e^(−2t).
#[test]
fn bell_pair_under_phase_damping_in_time_matches_closed_forms() {
    let steps = 8;
    for t in [0.0, 0.1, 0.5, 1.0, 2.5] {
        let step = Channel::phase_damping(1.0 - (-2.0 * t / steps as f64).exp()).unwrap();
        let mut rho = cat(2);
        damp(&mut rho, &step, steps);
        let lambda = 1.0 - (-2.0 * t).exp();
        assert_measures(measures(&rho), cat_phase_damping(2, lambda));
        assert_relative_eq!(rho.entries()[3].re, 0.5 * (-2.0 * t).exp(), epsilon = EPS);
    }
}

#[test]
fn bell_pair_endpoints() {
    // Full amplitude damping: |00⟩, pure, nothing shared.
    let mut rho = cat(2);
    damp(&mut rho, &Channel::amplitude_damping(1.0).unwrap(), 1);
    assert_measures(measures(&rho), (1.0, 0.0, 0.0));
    // Full dephasing: an equal mixture of |00⟩ and |11⟩, one classical bit.
    let mut rho = cat(2);
    damp(&mut rho, &Channel::phase_damping(1.0).unwrap(), 1);
    assert_measures(measures(&rho), (0.5, 1.0, 1.0));
}

#[test]
fn ghz_purity_and_entropy_match_closed_forms() {
    for gamma in [0.0, 0.05, 0.3, 0.7, 1.0] {
        let mut rho = cat(3);
        damp(&mut rho, &Channel::amplitude_damping(gamma).unwrap(), 1);
        assert_relative_eq!(rho.purity(), ghz3_amplitude_damping_purity(gamma), epsilon = EPS);
        assert_relative_eq!(rho.trace(), 1.0, epsilon = EPS);
    }
    for n in [3, 4] {
        for lambda in [0.0, 0.2, 0.6, 1.0] {
            let mut rho = cat(n);
            damp(&mut rho, &Channel::phase_damping(lambda).unwrap(), 1);
            assert_measures(measures(&rho), cat_phase_damping(n, lambda));
        }
    }
}

/// Printed by `$HOME/peers/bin/python peer.py` (PennyLane 0.45.1), with peer.py:
/// ```text
/// import pennylane as qml
/// for n, kind, g in [(2, "ad", 0.3), (2, "pd", 0.3), (3, "ad", 0.45), (3, "pd", 0.45)]:
///     dev = qml.device("default.mixed", wires=n)
///     @qml.qnode(dev)
///     def rho():
///         qml.Hadamard(0)
///         for q in range(1, n):
///             qml.CNOT([q - 1, q])
///         for q in range(n):
///             (qml.AmplitudeDamping if kind == "ad" else qml.PhaseDamping)(g, wires=q)
///         return qml.density_matrix(list(range(n)))
///     r = rho()
///     pur = qml.math.purity(r, indices=list(range(n)))
///     s = qml.math.vn_entropy(r, indices=list(range(n)), base=2)
///     i = qml.math.mutual_info(r, indices0=[0], indices1=list(range(1, n)), base=2)
///     print(f"n={n} {kind} g={g}: purity {float(pur)!r} S {float(s)!r} I {float(i)!r}")
/// ```
/// ```text
/// n=2 ad g=0.3: purity 0.6241000000000154 S 1.054179286493279 I 0.8139568242576916
/// n=2 pd g=0.3: purity 0.7450000000000263 S 0.6098403047163892 I 1.3901596952835935
/// n=3 ad g=0.45: purity 0.4109469062500113 S 1.9580775518049265 I 0.49000977154021363
/// n=3 pd g=0.45: purity 0.5831875000000344 S 0.8764143944379822 I 1.123585605561991
/// ```
#[test]
fn damped_bell_and_ghz_equal_pennylane() {
    let cases: [(usize, bool, f64, Measures); 4] = [
        (2, true, 0.3, (0.6241000000000154, 1.054179286493279, 0.8139568242576916)),
        (2, false, 0.3, (0.7450000000000263, 0.6098403047163892, 1.3901596952835935)),
        (3, true, 0.45, (0.4109469062500113, 1.9580775518049265, 0.49000977154021363)),
        (3, false, 0.45, (0.5831875000000344, 0.8764143944379822, 1.123585605561991)),
    ];
    for (n, amplitude, g, peer) in cases {
        let channel = if amplitude { Channel::amplitude_damping(g) } else { Channel::phase_damping(g) }.unwrap();
        let mut rho = cat(n);
        damp(&mut rho, &channel, 1);
        // PennyLane's purity carries ~3e-14 of rounding (0.6241 is exact: the closed form's value).
        assert_measures(measures(&rho), peer);
    }
    assert_relative_eq!(bell_amplitude_damping(0.3).0, 0.6241, epsilon = 1e-15);
}

/// ½ Σ |eigenvalues of ρ − σ|.
fn trace_distance(rho: &DensityMatrix, sigma: &DensityMatrix) -> f64 {
    let difference: DMatrix<Complex64> = rho.matrix() - sigma.matrix();
    0.5 * difference.symmetric_eigenvalues().iter().map(|x| x.abs()).sum::<f64>()
}

/// The Gibbs state of H = gap·|1⟩⟨1| (as −(gap/2) Z, the same state) at temperature T.
fn gibbs(gap: f64, temperature: f64) -> GibbsState {
    let h = Observable::from(PauliString::z(0).unwrap().with_coeff(-gap / 2.0).unwrap());
    GibbsState::new(&h, 1, temperature).unwrap()
}

/// Relaxes RY(θ)|0⟩ for `steps` steps of `Channel::thermal(γ, gap, T)`, checking the trace distance to the Gibbs
/// state against √(δ₀²(1−γ)^(2k) + |c₀|²(1−γ)^k) (δ = ρ₀₀ − p shrinks by 1−γ per step, the coherence c by
/// √(1−γ)) at every step k; returns the last distance.
fn relax(theta: f64, gamma: f64, gap: f64, temperature: f64, steps: usize) -> f64 {
    let gibbs = gibbs(gap, temperature);
    let sigma = gibbs.density_matrix();
    let p = sigma.probabilities()[0];
    assert_relative_eq!(p, 1.0 / (1.0 + (-gap / temperature).exp()), epsilon = 1e-14);
    let channel = Channel::thermal(gamma, gap, temperature).unwrap();
    let mut c = Circuit::new(1).unwrap();
    c.ry(0, theta).unwrap();
    let mut rho = DensityState::new(1).unwrap();
    rho.run(&c, &[], &[]).unwrap();
    let (delta0, c0) = ((theta / 2.0).cos().powi(2) - p, 0.5 * theta.sin());
    let mut distance = f64::NAN;
    for k in 0..=steps {
        if k > 0 {
            rho.apply_channel(&channel, &[0]).unwrap();
        }
        distance = trace_distance(&DensityMatrix::try_from(&rho).unwrap(), sigma);
        let decay = (1.0 - gamma).powi(k as i32);
        let closed = (delta0 * delta0 * decay * decay + c0 * c0 * decay).sqrt();
        assert_relative_eq!(distance, closed, epsilon = EPS);
    }
    distance
}

#[test]
fn thermal_relaxation_converges_to_the_gibbs_state() {
    let distance = relax(2.0 * std::f64::consts::FRAC_PI_3, 1.0 - (-0.5f64).exp(), 1.0, 0.5, 60);
    assert!(distance < 2e-7, "{distance}");
    // |1⟩ at a hot bath and at a cold one: no coherence, the population gap shrinks by 1−γ per step.
    assert!(relax(std::f64::consts::PI, 0.3, 2.0, 5.0, 100) < 1e-14);
    assert!(relax(std::f64::consts::PI, 0.3, 2.0, 0.1, 100) < 1e-14);
}

#[test]
fn gibbs_state_is_the_fixed_point_of_thermal_relaxation() {
    for (gamma, gap, temperature) in [(0.1, 1.0, 0.5), (0.9, 3.0, 2.0), (1.0, 0.2, 10.0)] {
        let gibbs = gibbs(gap, temperature);
        let mut rho = gibbs.density_matrix().to_density_state().unwrap();
        rho.apply_channel(&Channel::thermal(gamma, gap, temperature).unwrap(), &[0]).unwrap();
        let after = DensityMatrix::try_from(&rho).unwrap();
        assert!(trace_distance(&after, gibbs.density_matrix()) < 1e-15);
    }
}

proptest! {
    #[test]
    fn bell_pair_closed_forms_hold_for_any_strength(gamma in 0.0f64..=1.0, split in 0.0f64..=1.0) {
        // One step of γ, or two steps composing to it: 1 − γ = (1 − γ₁)(1 − γ₂).
        let first = 1.0 - (1.0 - gamma).powf(split);
        let second = if first < 1.0 { (1.0 - (1.0 - gamma) / (1.0 - first)).clamp(0.0, 1.0) } else { 0.0 };
        let mut rho = cat(2);
        damp(&mut rho, &Channel::amplitude_damping(first).unwrap(), 1);
        damp(&mut rho, &Channel::amplitude_damping(second).unwrap(), 1);
        let (found, expected) = (measures(&rho), bell_amplitude_damping(gamma));
        prop_assert!((found.0 - expected.0).abs() < 1e-11);
        prop_assert!((found.1 - expected.1).abs() < 1e-10);
        prop_assert!((found.2 - expected.2).abs() < 1e-10);

        let mut rho = cat(2);
        damp(&mut rho, &Channel::phase_damping(gamma).unwrap(), 1);
        let (found, expected) = (measures(&rho), cat_phase_damping(2, gamma));
        prop_assert!((found.0 - expected.0).abs() < EPS);
        prop_assert!((found.1 - expected.1).abs() < 1e-10);
        prop_assert!((found.2 - expected.2).abs() < 1e-10);
    }

    #[test]
    fn thermal_relaxation_follows_its_closed_form(
        theta in 0.0f64..std::f64::consts::PI,
        gamma in 0.01f64..=1.0,
        gap in 0.0f64..4.0,
        temperature in 0.05f64..10.0,
    ) {
        relax(theta, gamma, gap, temperature, 12);
    }
}
