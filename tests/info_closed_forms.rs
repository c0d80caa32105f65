//! The info module on cases whose answer is known in closed form, and PennyLane's published gradients.

use std::f64::consts::{FRAC_PI_2, FRAC_PI_4, LN_2};

use approx::assert_relative_eq;
use nalgebra::{dmatrix, DMatrix};
use qnet::info::{
    boltzmann_distribution, conditional_entropy, contingency_table, cross_entropy, entanglement_entropy,
    entanglement_renyi_entropy, entropy_from_counts, free_energy, joint_entropy, js_distance, js_divergence,
    log_sum_exp, marginals, measurement_entropy, mutual_information_from_labels, normalized_mutual_information,
    quantum_mutual_information, reduced_density_matrix, renyi_entropy, schmidt_coefficients, softmax, softmax_entropy,
    AverageMethod, Boltzmann, GibbsState, Marginals,
};
use qnet::prelude::*;

fn run(circuit: &Circuit) -> StateVector {
    let mut psi = StateVector::new(circuit.num_qubits()).unwrap();
    psi.run(circuit, &[], &[]).unwrap();
    psi
}

fn bell() -> StateVector {
    let mut c = Circuit::new(2).unwrap();
    c.h(0).unwrap().cnot(0, 1).unwrap();
    run(&c)
}

fn ghz(n: usize) -> StateVector {
    let mut c = Circuit::new(n).unwrap();
    c.h(0).unwrap();
    for q in 1..n {
        c.cnot(q - 1, q).unwrap();
    }
    run(&c)
}

#[test]
fn uniform_distribution_has_entropy_log_n() {
    for n in [1usize, 2, 3, 7, 64, 1000] {
        let p = vec![1.0 / n as f64; n];
        for base in [Base::BITS, Base::NATS, Base::HARTLEYS, Base::new(3.0).unwrap()] {
            assert_relative_eq!(entropy(&p, base).unwrap(), base.log(n as f64), epsilon = 1e-13, max_relative = 1e-14);
            // Every Rényi entropy of a uniform distribution is log n.
            for alpha in [0.0, 0.5, 2.0, 7.0, f64::INFINITY] {
                assert_relative_eq!(
                    renyi_entropy(&p, alpha, base).unwrap(),
                    base.log(n as f64),
                    epsilon = 1e-13,
                    max_relative = 1e-13
                );
            }
        }
        let counts = vec![3usize; n];
        assert_relative_eq!(entropy_from_counts(&counts, Base::NATS).unwrap(), (n as f64).ln(), epsilon = 1e-13);
    }
}

#[test]
fn deterministic_outcomes_carry_no_information() {
    assert_eq!(entropy(&[0.0, 1.0, 0.0], Base::BITS).unwrap(), 0.0);
    assert_eq!(renyi_entropy(&[0.0, 1.0], 0.0, Base::BITS).unwrap(), 0.0);
    assert_eq!(entropy_from_counts(&[0, 9, 0], Base::BITS).unwrap(), 0.0);
}

#[test]
fn renyi_limits_are_the_named_entropies() {
    let p = [0.6, 0.3, 0.1, 0.0];
    let shannon = entropy(&p, Base::NATS).unwrap();
    assert_eq!(renyi_entropy(&p, 1.0, Base::NATS).unwrap(), shannon);
    // Approaching α = 1 from both sides.
    assert_relative_eq!(renyi_entropy(&p, 1.0 + 1e-7, Base::NATS).unwrap(), shannon, max_relative = 1e-6);
    assert_relative_eq!(renyi_entropy(&p, 1.0 - 1e-7, Base::NATS).unwrap(), shannon, max_relative = 1e-6);
    assert_relative_eq!(renyi_entropy(&p, 0.0, Base::NATS).unwrap(), 3f64.ln());
    assert_relative_eq!(renyi_entropy(&p, f64::INFINITY, Base::NATS).unwrap(), -(0.6f64.ln()));
    // A very large order tends to the min-entropy without overflow.
    assert_relative_eq!(renyi_entropy(&p, 1e6, Base::NATS).unwrap(), -(0.6f64.ln()), max_relative = 1e-5);
    // Collision entropy: −ln Σ p².
    assert_relative_eq!(renyi_entropy(&p, 2.0, Base::NATS).unwrap(), -(0.46f64.ln()), max_relative = 1e-15);
}

#[test]
fn self_information_is_the_entropy() {
    // I(X; X) = H(X), from a diagonal joint table and from labels.
    let p = [0.1, 0.2, 0.3, 0.4];
    let diag = DMatrix::from_diagonal(&nalgebra::DVector::from_row_slice(&p));
    for base in [Base::BITS, Base::NATS] {
        let h = entropy(&p, base).unwrap();
        assert_relative_eq!(mutual_information(&diag, base).unwrap(), h, max_relative = 1e-15);
        assert_relative_eq!(joint_entropy(&diag, base).unwrap(), h, max_relative = 1e-15);
        assert_eq!(conditional_entropy(&diag, base).unwrap(), 0.0);
    }
    let labels = ["a", "b", "b", "c", "c", "c"];
    let h = entropy_from_counts(&[1, 2, 3], Base::NATS).unwrap();
    assert_relative_eq!(mutual_information_from_labels(&labels, &labels, Base::NATS).unwrap(), h, max_relative = 1e-15);
    for method in [AverageMethod::Min, AverageMethod::Geometric, AverageMethod::Arithmetic, AverageMethod::Max] {
        assert_relative_eq!(
            normalized_mutual_information(&labels, &labels, method).unwrap(),
            1.0,
            max_relative = 1e-15
        );
    }
}

#[test]
fn independent_variables_share_nothing() {
    let (px, py) = ([0.2, 0.8], [0.1, 0.6, 0.3]);
    let pxy = DMatrix::from_fn(2, 3, |i, j| px[i] * py[j]);
    assert_relative_eq!(mutual_information(&pxy, Base::NATS).unwrap(), 0.0, epsilon = 1e-15);
    let sum = entropy(&px, Base::NATS).unwrap() + entropy(&py, Base::NATS).unwrap();
    assert_relative_eq!(joint_entropy(&pxy, Base::NATS).unwrap(), sum, max_relative = 1e-15);
    assert_relative_eq!(
        conditional_entropy(&pxy, Base::NATS).unwrap(),
        entropy(&px, Base::NATS).unwrap(),
        max_relative = 1e-14
    );
    let Marginals { x: mx, y: my } = marginals(&pxy).unwrap();
    assert_relative_eq!(mx.as_slice(), px.as_slice(), epsilon = 1e-15);
    assert_relative_eq!(my.as_slice(), py.as_slice(), epsilon = 1e-15);
}

#[test]
fn scikit_learn_conventions_for_degenerate_labelings() {
    // One class on each side: a perfect match by convention.
    assert_eq!(normalized_mutual_information(&[1, 1, 1], &[7, 7, 7], AverageMethod::Arithmetic).unwrap(), 1.0);
    // One class on one side only: no information.
    assert_eq!(normalized_mutual_information(&[1, 1, 1], &[0, 1, 2], AverageMethod::Arithmetic).unwrap(), 0.0);
    assert_eq!(mutual_information_from_labels(&[1, 1, 1], &[0, 1, 2], Base::NATS).unwrap(), 0.0);
    let table = contingency_table(&['x', 'y', 'x', 'z'], &[2, 1, 2, 2]).unwrap();
    assert_eq!(table, dmatrix![0, 2; 1, 0; 0, 1]);
}

#[test]
fn divergences_at_their_extremes() {
    let p = [0.3, 0.7];
    assert_eq!(kl_divergence(&p, &p, Base::NATS).unwrap(), 0.0);
    assert_relative_eq!(
        cross_entropy(&p, &p, Base::NATS).unwrap(),
        entropy(&p, Base::NATS).unwrap(),
        max_relative = 1e-15
    );
    assert_eq!(js_divergence(&p, &p, Base::NATS).unwrap(), 0.0);
    // Where q = 0 < p the divergence and the cross-entropy are infinite; where p = 0 < q they are not.
    assert_eq!(kl_divergence(&[0.5, 0.5], &[1.0, 0.0], Base::BITS).unwrap(), f64::INFINITY);
    assert_eq!(cross_entropy(&[0.5, 0.5], &[1.0, 0.0], Base::BITS).unwrap(), f64::INFINITY);
    assert_relative_eq!(kl_divergence(&[1.0, 0.0], &[0.5, 0.5], Base::BITS).unwrap(), 1.0);
    // Disjoint supports: JSD = 1 bit, the JS distance 1.
    assert_relative_eq!(js_divergence(&[1.0, 0.0], &[0.0, 1.0], Base::BITS).unwrap(), 1.0);
    assert_relative_eq!(js_distance(&[0.0, 1.0], &[1.0, 0.0], Base::NATS).unwrap(), LN_2.sqrt());
}

#[test]
fn bell_pair_entropies() {
    let psi = bell();
    for q in [0, 1] {
        assert_relative_eq!(entanglement_entropy(&psi, &[q], Base::NATS).unwrap(), LN_2, epsilon = 1e-14);
        let rho = reduced_density_matrix(&psi, &[q]).unwrap();
        assert_relative_eq!(rho.von_neumann_entropy(Base::NATS).unwrap(), LN_2, epsilon = 1e-14);
        assert_relative_eq!(rho.purity(), 0.5, epsilon = 1e-15);
    }
    assert_relative_eq!(quantum_mutual_information(&psi, &[0], &[1], Base::NATS).unwrap(), 2.0 * LN_2, epsilon = 1e-14);
    let rho = DensityMatrix::from_state(&psi).unwrap();
    assert_relative_eq!(rho.von_neumann_entropy(Base::NATS).unwrap(), 0.0, epsilon = 1e-14);
    assert_relative_eq!(rho.mutual_information(&[0], &[1], Base::NATS).unwrap(), 2.0 * LN_2, epsilon = 1e-14);
    assert_relative_eq!(rho.mutual_information(&[1], &[0], Base::BITS).unwrap(), 2.0, epsilon = 1e-14);
    // Measuring both qubits gives 1 bit: 00 or 11.
    assert_relative_eq!(measurement_entropy(&psi, Base::BITS), 1.0, epsilon = 1e-14);
}

#[test]
fn product_states_are_not_entangled() {
    let mut c = Circuit::new(4).unwrap();
    c.ry(0, 0.3).unwrap().rx(1, 1.1).unwrap().h(2).unwrap().u3(3, 0.4, 0.2, -0.9).unwrap();
    let psi = run(&c);
    for sub in [vec![0], vec![1, 3], vec![0, 1, 2], vec![]] {
        assert_relative_eq!(entanglement_entropy(&psi, &sub, Base::NATS).unwrap(), 0.0, epsilon = 1e-13);
    }
    assert_relative_eq!(quantum_mutual_information(&psi, &[0, 2], &[1], Base::NATS).unwrap(), 0.0, epsilon = 1e-13);
    let s = schmidt_coefficients(&psi, &[1, 2]).unwrap();
    assert_eq!(s.len(), 4);
    assert_relative_eq!(s[0], 1.0, epsilon = 1e-14);
    assert!(s[1..].iter().all(|&x| x < 1e-7));
}

#[test]
fn ghz_single_qubits_are_maximally_mixed() {
    let psi = ghz(3);
    for q in 0..3 {
        assert_relative_eq!(entanglement_entropy(&psi, &[q], Base::NATS).unwrap(), LN_2, epsilon = 1e-14);
        assert_relative_eq!(
            reduced_density_matrix(&psi, &[q]).unwrap().von_neumann_entropy(Base::NATS).unwrap(),
            LN_2,
            epsilon = 1e-14
        );
    }
    // Two qubits of GHZ are classically correlated: I = ln 2 (not 2 ln 2).
    assert_relative_eq!(quantum_mutual_information(&psi, &[0], &[2], Base::NATS).unwrap(), LN_2, epsilon = 1e-14);
    // Every Rényi entropy of one GHZ qubit is ln 2.
    for alpha in [0.0, 0.5, 2.0, f64::INFINITY] {
        assert_relative_eq!(entanglement_renyi_entropy(&psi, &[1], alpha, Base::NATS).unwrap(), LN_2, epsilon = 1e-13);
    }
}

#[test]
fn twenty_qubit_half_cut_counts_the_bell_pairs_across_it() {
    // Pairs (q, q + 10) straddle the cut {0..10} | {10..20}: S = 10 ln 2. Pairs (2k, 2k + 1) do not: S = 0 for
    // the same cut, and 10 ln 2 for the non-contiguous cut of the even qubits.
    let mut across = Circuit::new(20).unwrap();
    let mut within = Circuit::new(20).unwrap();
    for q in 0..10 {
        across.h(q).unwrap().cnot(q, q + 10).unwrap();
        within.h(2 * q).unwrap().cnot(2 * q, 2 * q + 1).unwrap();
    }
    let half: Vec<usize> = (0..10).collect();
    let evens: Vec<usize> = (0..20).step_by(2).collect();
    let (a, w) = (run(&across), run(&within));
    assert_relative_eq!(entanglement_entropy(&a, &half, Base::BITS).unwrap(), 10.0, epsilon = 1e-10);
    assert_relative_eq!(entanglement_entropy(&w, &half, Base::BITS).unwrap(), 0.0, epsilon = 1e-10);
    assert_relative_eq!(entanglement_entropy(&w, &evens, Base::BITS).unwrap(), 10.0, epsilon = 1e-10);
}

#[test]
fn maximally_mixed_state() {
    for n in 1..=4 {
        let rho = DensityMatrix::maximally_mixed(n).unwrap();
        assert_relative_eq!(rho.von_neumann_entropy(Base::BITS).unwrap(), n as f64, epsilon = 1e-13);
        assert_relative_eq!(rho.purity(), 1.0 / (1 << n) as f64, epsilon = 1e-15);
        assert_relative_eq!(rho.renyi_entropy(0.0, Base::BITS).unwrap(), n as f64, epsilon = 1e-13);
        assert_relative_eq!(rho.measurement_entropy(Base::BITS), n as f64, epsilon = 1e-13);
    }
}

#[test]
fn partial_trace_keeps_the_crate_bit_order() {
    // |q2 q1 q0⟩ = |0⟩|1⟩|+⟩: tracing out qubit 0 leaves |q2 q1⟩ = |01⟩, index 1 in the reduced register.
    let mut c = Circuit::new(3).unwrap();
    c.h(0).unwrap().x(1).unwrap();
    let psi = run(&c);
    let rho = DensityMatrix::from_state(&psi).unwrap().partial_trace(&[0]).unwrap();
    assert_relative_eq!(rho.matrix()[(1, 1)].re, 1.0, epsilon = 1e-15);
    let kept = reduced_density_matrix(&psi, &[2, 1]).unwrap();
    assert_relative_eq!(kept.matrix()[(1, 1)].re, 1.0, epsilon = 1e-15);
    let q0 = DensityMatrix::from_state(&psi).unwrap().reduce(&[0]).unwrap();
    assert_relative_eq!(q0.matrix()[(0, 1)].re, 0.5, epsilon = 1e-15);
}

#[test]
fn boltzmann_limits() {
    let energies = [0.0, 1.0, 1.0, 3.0];
    // T → ∞: uniform; T → 0: the ground state, with no overflow anywhere.
    let hot = Boltzmann::new(&energies, 1e12).unwrap();
    assert_relative_eq!(hot.entropy(Base::NATS), 4f64.ln(), epsilon = 1e-10);
    let cold = Boltzmann::new(&energies, 1e-3).unwrap();
    assert_eq!(cold.probabilities()[0], 1.0);
    assert_eq!(cold.entropy(Base::NATS), 0.0);
    assert_relative_eq!(cold.free_energy(), 0.0, epsilon = 1e-12);
    // Huge energies: e^(−E/T) would underflow, the log-sum-exp does not.
    let far = Boltzmann::new(&[1e6, 1e6 + 1.0], 1.0).unwrap();
    assert_relative_eq!(far.probabilities()[0], 1.0 / (1.0 + (-1.0f64).exp()), max_relative = 1e-15);
    assert_relative_eq!(far.free_energy(), 1e6 - (1.0 + (-1.0f64).exp()).ln(), max_relative = 1e-15);
    // A degenerate ground level of multiplicity 2 at low T: S → ln 2.
    let deg = Boltzmann::new(&[0.0, 0.0, 5.0], 0.01).unwrap();
    assert_relative_eq!(deg.entropy(Base::NATS), LN_2, epsilon = 1e-12);
    assert_relative_eq!(free_energy(&[0.0, 0.0, 5.0], 0.01).unwrap(), -0.01 * LN_2, epsilon = 1e-14);
}

#[test]
fn softmax_entropy_at_temperature() {
    let z = [2.0, 1.0, 0.1];
    let p = softmax(&z, 0.5).unwrap();
    let e: Vec<f64> = z.iter().map(|x| (x / 0.5f64).exp()).collect();
    let total: f64 = e.iter().sum();
    for (a, b) in p.iter().zip(&e) {
        assert_relative_eq!(*a, b / total, max_relative = 1e-15);
    }
    assert_relative_eq!(
        softmax_entropy(&z, 0.5, Base::BITS).unwrap(),
        entropy(&p, Base::BITS).unwrap(),
        max_relative = 1e-14
    );
    assert_relative_eq!(
        boltzmann_distribution(&[-2.0, -1.0, -0.1], 0.5).unwrap().as_slice(),
        p.as_slice(),
        max_relative = 1e-15
    );
    assert_relative_eq!(log_sum_exp(&[-1e308, 0.0]).unwrap(), 0.0);
}

#[test]
fn gibbs_state_of_a_transverse_field_ising_pair() {
    // H = −Z0 Z1 − 0.5 (X0 + X1): compare with e^(−H/T) / Z built from nalgebra's eigendecomposition of H,
    // an independent route, and check its limits.
    let h = Observable::from_terms(vec![
        PauliString::parse("ZZ").unwrap().with_coeff(-1.0).unwrap(),
        PauliString::parse("IX").unwrap().with_coeff(-0.5).unwrap(),
        PauliString::parse("XI").unwrap().with_coeff(-0.5).unwrap(),
    ]);
    let t = 0.8;
    let gibbs = GibbsState::new(&h, 2, t).unwrap();
    let eig = h.matrix(2).unwrap().symmetric_eigen();
    let z: f64 = eig.eigenvalues.iter().map(|e| (-e / t).exp()).sum();
    let expected = &eig.eigenvectors
        * DMatrix::from_diagonal(&eig.eigenvalues.map(|e| Complex64::new((-e / t).exp() / z, 0.0)))
        * eig.eigenvectors.adjoint();
    assert_relative_eq!(gibbs.density_matrix().matrix(), &expected, epsilon = 1e-14);
    assert_relative_eq!(gibbs.log_partition_function(), z.ln(), max_relative = 1e-14);
    // ⟨H⟩ = Tr ρ H.
    let tr = (gibbs.density_matrix().matrix() * h.matrix(2).unwrap()).trace().re;
    assert_relative_eq!(gibbs.mean_energy(), tr, max_relative = 1e-13);
    assert_relative_eq!(
        gibbs.free_energy(),
        gibbs.mean_energy() - t * gibbs.von_neumann_entropy(Base::NATS),
        max_relative = 1e-13
    );
    // Hot: maximally mixed. Cold: the (unique) ground state, pure.
    let hot = GibbsState::new(&h, 2, 1e9).unwrap();
    assert_relative_eq!(hot.von_neumann_entropy(Base::BITS), 2.0, epsilon = 1e-8);
    let cold = GibbsState::new(&h, 2, 1e-3).unwrap();
    assert_relative_eq!(cold.density_matrix().purity(), 1.0, epsilon = 1e-12);
    assert_eq!(cold.temperature(), 1e-3);
    assert_eq!(cold.populations().energies().len(), 4);
}

/// S(A) and I(A:B) of RXX(θ)|00⟩ = cos(θ/2)|00⟩ − i sin(θ/2)|11⟩, in nats.
fn ising_xx(theta: f64) -> (f64, f64) {
    let mut c = Circuit::new(2).unwrap();
    c.rxx(0, 1, theta).unwrap();
    let psi = run(&c);
    (
        entanglement_entropy(&psi, &[0], Base::NATS).unwrap(),
        quantum_mutual_information(&psi, &[0], &[1], Base::NATS).unwrap(),
    )
}

#[test]
// 0.6931472 is PennyLane's printed value of ln 2, quoted as printed.
#[allow(clippy::approx_constant)]
fn pennylane_documented_entropy_gradients() {
    // PennyLane's docs for qml.vn_entropy and qml.mutual_info run
    //     qml.IsingXX(x, wires=[0, 1]); return qml.vn_entropy(wires=[0])      (resp. qml.mutual_info([0], [1]))
    // on default.qubit and print, with log_base=None (natural logarithm, so nats):
    //     circuit_entropy(np.pi/2) = 0.6931472,  qml.grad(circuit_entropy)(np.pi/4) = 0.62322524
    //     circuit_mutual(np.pi/2) = 1.3862943611198906,  qml.grad(circuit_mutual)(np.pi/4) = 1.24645048
    // IsingXX(θ) = exp(−iθ X⊗X/2) is qnet's Gate::RXX(θ). PennyLane's wire 0 is the most significant bit and
    // qnet's qubit 0 the least, but the state cos(θ/2)|00⟩ − i sin(θ/2)|11⟩ is symmetric under exchanging the
    // qubits, so subsystem [0] means the same in both. The gradient is reproduced by a central finite
    // difference, (f(θ + h) − f(θ − h)) / 2h, whose error (h²/6) f''' ≈ 1e-11 is far below the 8 printed digits.
    let (s, i) = ising_xx(FRAC_PI_2);
    assert_relative_eq!(s, 0.6931472, epsilon = 5e-8);
    assert_relative_eq!(i, 1.3862943611198906, epsilon = 1e-14);

    let h = 1e-5;
    let (sp, ip) = ising_xx(FRAC_PI_4 + h);
    let (sm, im) = ising_xx(FRAC_PI_4 - h);
    let ds = (sp - sm) / (2.0 * h);
    let di = (ip - im) / (2.0 * h);
    assert!((ds - 0.62322524).abs() < 5e-9, "dS/dθ = {ds}");
    assert!((di - 1.24645048).abs() < 5e-9, "dI/dθ = {di}");

    // And the closed form: with p = cos²(θ/2), S = −p ln p − (1 − p) ln(1 − p), dS/dθ = (sin θ / 2) ln(p / (1 − p)).
    let p = (FRAC_PI_4 / 2.0).cos().powi(2);
    let exact = FRAC_PI_4.sin() / 2.0 * (p / (1.0 - p)).ln();
    assert_relative_eq!(ds, exact, max_relative = 1e-8);
    assert_relative_eq!(di, 2.0 * exact, max_relative = 1e-8);
}

#[test]
fn public_types_are_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Base>();
    check::<AverageMethod>();
    check::<DensityMatrix>();
    check::<Boltzmann>();
    check::<GibbsState>();
}
