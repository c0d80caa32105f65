//! Properties every distribution and state must satisfy, checked with proptest on random inputs.

use approx::relative_eq;
use nalgebra::DMatrix;
use proptest::prelude::*;
use qnet::info::{
    conditional_entropy, contingency_table, cross_entropy, entanglement_entropy, joint_entropy, js_divergence,
    marginals, mutual_information_from_labels, normalize, normalize_table, normalized_mutual_information,
    quantum_mutual_information, reduced_density_matrix, renyi_entropy, schmidt_coefficients, AverageMethod, Boltzmann,
    Marginals,
};
use qnet::prelude::*;

/// Slack for inequalities that hold exactly in real arithmetic.
const SLACK: f64 = 1e-12;

/// A probability vector of 1..=max entries, some of them exactly zero.
fn distribution(max: usize) -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(prop_oneof![3 => 0.0..1.0f64, 1 => Just(0.0)], 1..=max)
        .prop_filter_map("all-zero weights", |w| normalize(&w).ok())
}

/// Two probability vectors of the same length, q without zeros.
fn pair(max: usize) -> impl Strategy<Value = (Vec<f64>, Vec<f64>)> {
    (1..=max).prop_flat_map(|n| {
        (
            prop::collection::vec(prop_oneof![3 => 0.0..1.0f64, 1 => Just(0.0)], n),
            prop::collection::vec(0.01..1.0f64, n),
        )
            .prop_filter_map("all-zero weights", |(p, q)| Some((normalize(&p).ok()?, normalize(&q).ok()?)))
    })
}

/// A joint probability table of up to 5 × 5.
fn table() -> impl Strategy<Value = DMatrix<f64>> {
    (1..=5usize, 1..=5usize).prop_flat_map(|(r, c)| {
        prop::collection::vec(prop_oneof![3 => 0.0..1.0f64, 1 => Just(0.0)], r * c)
            .prop_filter_map("all-zero table", move |w| normalize_table(&DMatrix::from_vec(r, c, w)).ok())
    })
}

/// A random pure state of 2..=max qubits (normalized Gaussian amplitudes: Haar-distributed).
fn state(max: usize) -> impl Strategy<Value = StateVector> {
    (2..=max).prop_flat_map(|n| {
        prop::collection::vec((-1.0..1.0f64, -1.0..1.0f64), 1 << n).prop_filter_map("zero vector", |v| {
            let norm = v.iter().map(|(a, b)| a * a + b * b).sum::<f64>().sqrt();
            (norm > 1e-3).then(|| {
                StateVector::from_amplitudes(v.iter().map(|&(a, b)| Complex64::new(a / norm, b / norm)).collect())
                    .unwrap()
            })
        })
    })
}

/// A state and a random subset of its qubits (as a bit mask over them).
fn state_and_subset(max: usize) -> impl Strategy<Value = (StateVector, Vec<usize>)> {
    (state(max), any::<u64>()).prop_map(|(psi, mask)| {
        let sub = (0..psi.num_qubits()).filter(|q| mask >> q & 1 == 1).collect();
        (psi, sub)
    })
}

fn complement(sub: &[usize], n: usize) -> Vec<usize> {
    (0..n).filter(|q| !sub.contains(q)).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn entropy_lies_between_zero_and_log_n(p in distribution(40)) {
        let h = entropy(&p, Base::NATS).unwrap();
        prop_assert!(h >= 0.0);
        prop_assert!(h <= (p.len() as f64).ln() + SLACK);
        // The units differ by the factor ln 2.
        prop_assert!(relative_eq!(entropy(&p, Base::BITS).unwrap() * std::f64::consts::LN_2, h, epsilon = 1e-15, max_relative = 1e-14));
    }

    #[test]
    fn renyi_entropy_is_non_increasing_in_its_order(p in distribution(20)) {
        let orders = [0.0, 0.3, 0.9, 1.0, 1.5, 2.0, 5.0, f64::INFINITY];
        let h: Vec<f64> = orders.iter().map(|&a| renyi_entropy(&p, a, Base::NATS).unwrap()).collect();
        for w in h.windows(2) {
            prop_assert!(w[1] <= w[0] + SLACK, "{:?}", h);
        }
    }

    #[test]
    fn mutual_information_is_non_negative_and_subadditivity_holds(pxy in table()) {
        let Marginals { x: px, y: py } = marginals(&pxy).unwrap();
        let (hx, hy) = (entropy(&px, Base::NATS).unwrap(), entropy(&py, Base::NATS).unwrap());
        let hxy = joint_entropy(&pxy, Base::NATS).unwrap();
        let i = mutual_information(&pxy, Base::NATS).unwrap();
        prop_assert!(i >= 0.0);
        prop_assert!(hxy <= hx + hy + SLACK);
        prop_assert!(i <= hx.min(hy) + SLACK);
        // I = H(X) + H(Y) − H(X,Y) = H(X) − H(X|Y), each side computed its own way.
        prop_assert!(relative_eq!(i, hx + hy - hxy, epsilon = 1e-12));
        prop_assert!(relative_eq!(i, hx - conditional_entropy(&pxy, Base::NATS).unwrap(), epsilon = 1e-12));
        // Symmetric in X and Y.
        prop_assert!(relative_eq!(i, mutual_information(&pxy.transpose(), Base::NATS).unwrap(), epsilon = 1e-14));
    }

    #[test]
    fn label_mutual_information_agrees_with_the_table(
        a in prop::collection::vec(0u8..4, 1..60),
        seed in prop::collection::vec(0u8..3, 60),
    ) {
        let b: Vec<u8> = a.iter().zip(&seed).map(|(x, s)| if *s == 0 { *x } else { *s }).collect();
        let table = contingency_table(&a, &b).unwrap();
        let pxy = normalize_table(&table.map(|c| c as f64)).unwrap();
        let i = mutual_information_from_labels(&a, &b, Base::NATS).unwrap();
        prop_assert!(relative_eq!(i, mutual_information(&pxy, Base::NATS).unwrap(), epsilon = 1e-13, max_relative = 1e-12));
        for m in [AverageMethod::Min, AverageMethod::Geometric, AverageMethod::Arithmetic, AverageMethod::Max] {
            let nmi = normalized_mutual_information(&a, &b, m).unwrap();
            prop_assert!((0.0..=1.0 + SLACK).contains(&nmi));
        }
    }

    #[test]
    fn kl_divergence_is_non_negative_and_zero_only_at_equality((p, q) in pair(12)) {
        let d = kl_divergence(&p, &q, Base::NATS).unwrap();
        prop_assert!(d >= 0.0);
        prop_assert_eq!(kl_divergence(&p, &p, Base::NATS).unwrap(), 0.0);
        // Pinsker: D ≥ ½ ‖p − q‖₁², so D > 0 whenever p ≠ q.
        let l1: f64 = p.iter().zip(&q).map(|(a, b)| (a - b).abs()).sum();
        prop_assert!(d >= 0.5 * l1 * l1 - SLACK);
        prop_assert!(relative_eq!(
            cross_entropy(&p, &q, Base::NATS).unwrap(),
            entropy(&p, Base::NATS).unwrap() + d,
            epsilon = 1e-12, max_relative = 1e-12
        ));
        let js = js_divergence(&p, &q, Base::BITS).unwrap();
        prop_assert!((0.0..=1.0 + SLACK).contains(&js));
        prop_assert!(relative_eq!(js, js_divergence(&q, &p, Base::BITS).unwrap(), epsilon = 1e-15, max_relative = 1e-13));
    }

    #[test]
    fn both_sides_of_a_pure_state_have_the_same_entropy((psi, a) in state_and_subset(7)) {
        let b = complement(&a, psi.num_qubits());
        let sa = entanglement_entropy(&psi, &a, Base::NATS).unwrap();
        let sb = entanglement_entropy(&psi, &b, Base::NATS).unwrap();
        prop_assert!(relative_eq!(sa, sb, epsilon = 1e-12));
        prop_assert!(sa <= (a.len().min(b.len()) as f64) * std::f64::consts::LN_2 + SLACK);
        // The two routes to ρ_A agree: amplitudes → Gram matrix, and full ρ → partial trace.
        if !a.is_empty() {
            let direct = reduced_density_matrix(&psi, &a).unwrap();
            let traced = DensityMatrix::from_state(&psi).unwrap().partial_trace(&b).unwrap();
            prop_assert!(approx::abs_diff_eq!(direct, traced, epsilon = 1e-14));
            prop_assert!(relative_eq!(direct.von_neumann_entropy(Base::NATS).unwrap(), sa, epsilon = 1e-12));
        }
    }

    #[test]
    fn schmidt_coefficients_are_the_singular_values_of_the_reshaped_amplitudes((psi, a) in state_and_subset(6)) {
        // An independent route: nalgebra's complex SVD of M[a, b] = ψ[a, b].
        let n = psi.num_qubits();
        let b = complement(&a, n);
        let index = |ra: usize, rb: usize| -> usize {
            let mut i = 0;
            for (k, &q) in a.iter().enumerate() { i |= (ra >> k & 1) << q; }
            for (k, &q) in b.iter().enumerate() { i |= (rb >> k & 1) << q; }
            i
        };
        let m = DMatrix::from_fn(1 << a.len(), 1 << b.len(), |r, c| psi.amplitudes()[index(r, c)]);
        let mut svd: Vec<f64> = m.singular_values().iter().copied().collect();
        svd.sort_by(|x, y| y.total_cmp(x));
        let ours = schmidt_coefficients(&psi, &a).unwrap();
        prop_assert_eq!(ours.len(), 1 << a.len().min(b.len()));
        for (k, s) in ours.iter().enumerate() {
            let expected = svd.get(k).copied().unwrap_or(0.0);
            prop_assert!((s * s - expected * expected).abs() < 1e-14, "{} vs {}", s, expected);
        }
        let total: f64 = ours.iter().map(|s| s * s).sum();
        prop_assert!(relative_eq!(total, 1.0, epsilon = 1e-12));
    }

    #[test]
    fn araki_lieb_and_subadditivity_on_mixed_states((psi, mask) in (state(6), any::<u64>())) {
        // ρ_AB: the reduced state of the first n − 1 qubits of a random pure state (mixed); A and B split them.
        let n = psi.num_qubits();
        let ab: Vec<usize> = (0..n - 1).collect();
        let rho = reduced_density_matrix(&psi, &ab).unwrap();
        let a: Vec<usize> = (0..n - 1).filter(|q| mask >> q & 1 == 1).collect();
        let b = complement(&a, n - 1);
        prop_assume!(!a.is_empty() && !b.is_empty());
        let s = |q: &[usize]| rho.reduce(q).unwrap().von_neumann_entropy(Base::NATS).unwrap();
        let (sa, sb, sab) = (s(&a), s(&b), rho.von_neumann_entropy(Base::NATS).unwrap());
        prop_assert!((sa - sb).abs() <= sab + SLACK, "Araki-Lieb: |{} - {}| > {}", sa, sb, sab);
        prop_assert!(sab <= sa + sb + SLACK);
        let i = rho.mutual_information(&a, &b, Base::NATS).unwrap();
        prop_assert!(i >= -SLACK);
        prop_assert!(relative_eq!(i, sa + sb - sab, epsilon = 1e-12));
        // Purity and the collision entropy are the same number: S₂ = −ln Tr ρ².
        prop_assert!(relative_eq!(rho.renyi_entropy(2.0, Base::NATS).unwrap(), -rho.purity().ln(), epsilon = 1e-12, max_relative = 1e-12));
        // A pure state's mutual information from amplitudes equals the dense one.
        let q = quantum_mutual_information(&psi, &a, &b, Base::NATS).unwrap();
        let dense = DensityMatrix::from_state(&psi).unwrap().mutual_information(&a, &b, Base::NATS).unwrap();
        prop_assert!(relative_eq!(q, dense, epsilon = 1e-12));
        prop_assert!(relative_eq!(q, i, epsilon = 1e-12));
    }

    #[test]
    fn free_energy_identity(
        energies in prop::collection::vec(-50.0..50.0f64, 1..30),
        temperature in prop_oneof![0.01..0.1f64, 0.1..10.0f64, 10.0..1e4f64],
    ) {
        let b = Boltzmann::new(&energies, temperature).unwrap();
        // S from the generic Shannon entropy of the probabilities, ⟨E⟩ and F from their own definitions.
        let s = entropy(b.probabilities(), Base::NATS).unwrap();
        let scale = energies.iter().fold(0.0f64, |m, e| m.max(e.abs())) + temperature;
        prop_assert!(relative_eq!(b.free_energy(), b.mean_energy() - temperature * s, epsilon = 1e-12 * scale, max_relative = 1e-12));
        prop_assert!(relative_eq!(b.entropy(Base::NATS), s, epsilon = 1e-12, max_relative = 1e-10));
        // F ≤ min E (the ground-state energy bounds the free energy from above), and F ≥ min E − T ln n.
        let emin = energies.iter().fold(f64::INFINITY, |m, &e| m.min(e));
        prop_assert!(b.free_energy() <= emin + 1e-12 * scale);
        prop_assert!(b.free_energy() >= emin - temperature * (energies.len() as f64).ln() - 1e-12 * scale);
    }
}
