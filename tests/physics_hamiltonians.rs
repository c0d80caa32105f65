//! Hamiltonian builders and exact diagonalisation against independent routes: Kronecker products, free-fermion
//! closed forms (Ising and XX chains), known small spectra, and eigen-equation residuals.

use std::f64::consts::PI;

use nalgebra::DMatrix;
use proptest::prelude::*;
use qnet::error::NonFiniteKind;
use qnet::physics::{self, Boundary, Spectrum};
use qnet::prelude::*;

type M = DMatrix<Complex64>;

fn pauli(p: char) -> M {
    let (o, l, i) = (Complex64::new(0.0, 0.0), Complex64::new(1.0, 0.0), Complex64::new(0.0, 1.0));
    let v = match p {
        'I' => [l, o, o, l],
        'X' => [o, l, l, o],
        'Y' => [o, -i, i, o],
        _ => [l, o, o, -l],
    };
    DMatrix::from_row_slice(2, 2, &v)
}

/// The matrix of one Pauli product on n qubits by Kronecker products, qubit n−1 leftmost (qubit 0 is the
/// least significant bit of the index).
fn kron_term(n: usize, ops: &[(usize, char)]) -> M {
    let mut m = DMatrix::from_element(1, 1, Complex64::new(1.0, 0.0));
    for q in (0..n).rev() {
        let p = ops.iter().find(|(k, _)| *k == q).map_or('I', |(_, p)| *p);
        m = m.kronecker(&pauli(p));
    }
    m
}

fn max_abs(m: &M) -> f64 {
    m.iter().map(|x| x.norm()).fold(0.0, f64::max)
}

fn bonds(n: usize, periodic: bool) -> Vec<(usize, usize)> {
    let mut b: Vec<(usize, usize)> = (0..n - 1).map(|i| (i, i + 1)).collect();
    if periodic {
        b.push((n - 1, 0));
    }
    b
}

#[test]
fn ising_and_xxz_matrices_match_kronecker_products() {
    for (n, periodic) in [(2, false), (3, false), (3, true), (5, true), (6, false)] {
        let boundary = if periodic { Boundary::Periodic } else { Boundary::Open };
        let (j, h, delta) = (0.7, -1.3, 0.4);
        let dim = 1 << n;
        let mut ising = M::zeros(dim, dim);
        let mut xxz = M::zeros(dim, dim);
        for (a, b) in bonds(n, periodic) {
            ising -= kron_term(n, &[(a, 'Z'), (b, 'Z')]) * Complex64::new(j, 0.0);
            for (p, c) in [('X', j), ('Y', j), ('Z', j * delta)] {
                xxz += kron_term(n, &[(a, p), (b, p)]) * Complex64::new(c, 0.0);
            }
        }
        for q in 0..n {
            ising -= kron_term(n, &[(q, 'X')]) * Complex64::new(h, 0.0);
        }
        let built = physics::transverse_field_ising(n, j, h, boundary).unwrap().matrix(n).unwrap();
        assert!(max_abs(&(built - ising)) < 1e-14, "ising n={n}");
        let built = physics::heisenberg_xxz(n, j, delta, boundary).unwrap().matrix(n).unwrap();
        assert!(max_abs(&(built - xxz)) < 1e-14, "xxz n={n}");
    }
}

/// Ground energy of the periodic transverse-field Ising ring (even fermion parity sector):
/// E_0 = −Σ_k √(J² + h² − 2Jh cos k), k = (2m+1)π/N.
fn ising_ring_exact(n: usize, j: f64, h: f64) -> f64 {
    (0..n)
        .map(|m| {
            let k = (2 * m + 1) as f64 * PI / n as f64;
            -(j * j + h * h - 2.0 * j * h * k.cos()).sqrt()
        })
        .sum()
}

/// Ground energy of the open Ising chain: −Σ of the singular values of the bidiagonal matrix with h on the
/// diagonal and J above it (free fermions, Lieb–Schultz–Mattis).
fn ising_open_exact(n: usize, j: f64, h: f64) -> f64 {
    let m = DMatrix::from_fn(n, n, |r, c| {
        if r == c {
            h
        } else if c == r + 1 {
            j
        } else {
            0.0
        }
    });
    -m.singular_values().sum()
}

#[test]
fn ising_ground_energies_match_free_fermions() {
    let cases = [(1.0, 1.0), (1.0, 0.5), (0.3, 1.7), (2.0, 0.1)];
    for n in [3, 4, 5, 6, 8, 10] {
        // n = 10 (a 1024 × 1024 eigenproblem) at the critical point only, to keep the test quick.
        for &(j, h) in if n == 10 { &cases[..1] } else { &cases[..] } {
            let ring = physics::transverse_field_ising(n, j, h, Boundary::Periodic).unwrap();
            let e_ring = physics::ground_state(&ring, n).unwrap().energy;
            assert!((e_ring - ising_ring_exact(n, j, h)).abs() < 1e-9, "ring n={n} J={j} h={h}: {e_ring}");
            let open = physics::transverse_field_ising(n, j, h, Boundary::Open).unwrap();
            let e_open = physics::ground_state(&open, n).unwrap().energy;
            assert!((e_open - ising_open_exact(n, j, h)).abs() < 1e-9, "open n={n} J={j} h={h}: {e_open}");
        }
    }
}

#[test]
fn xx_chain_ground_energy_matches_free_fermions() {
    // H = J Σ (XX + YY) = 2J Σ (σ⁺σ⁻ + h.c.): single-particle energies 4J cos(πm/(N+1)), filled below zero.
    for n in 2..=9 {
        let h = physics::heisenberg_xxz(n, 1.0, 0.0, Boundary::Open).unwrap();
        let exact: f64 = (1..=n).map(|m| (4.0 * (PI * m as f64 / (n + 1) as f64).cos()).min(0.0)).sum();
        let e0 = physics::ground_state(&h, n).unwrap().energy;
        assert!((e0 - exact).abs() < 1e-9, "n={n}: {e0} vs {exact}");
    }
}

#[test]
fn small_heisenberg_spectra_are_known() {
    // Two sites: singlet −J(2+Δ), triplet {JΔ, JΔ, J(2−Δ)}.
    let h = physics::heisenberg_xxz(2, 1.0, 0.5, Boundary::Open).unwrap();
    let s = Spectrum::of(&h, 2).unwrap();
    let expected = [-2.5, 0.5, 0.5, 1.5];
    for (e, x) in s.energies().iter().zip(expected) {
        assert!((e - x).abs() < 1e-12);
    }
    assert!((s.gap() - 3.0).abs() < 1e-12);
    // The 4-site Heisenberg ring: E_0 = −8, a singlet.
    let ring = physics::heisenberg_xxz(4, 1.0, 1.0, Boundary::Periodic).unwrap();
    let s = Spectrum::of(&ring, 4).unwrap();
    assert!((s.ground_energy() + 8.0).abs() < 1e-10);
    let total_z = Observable::sum_z(4).unwrap();
    assert!(s.state(0).unwrap().expectation(&total_z).unwrap().abs() < 1e-10);
}

#[test]
fn real_and_complex_solvers_agree() {
    // A zero-weight Y term forces the complex Hermitian solver on the same matrix.
    let h = physics::transverse_field_ising(5, 1.0, 0.8, Boundary::Periodic).unwrap();
    let mut with_y = h.clone();
    with_y.push(PauliString::parse("Y").unwrap().with_coeff(0.0).unwrap());
    let (a, b) = (Spectrum::of(&h, 5).unwrap(), Spectrum::of(&with_y, 5).unwrap());
    for (x, y) in a.energies().iter().zip(b.energies()) {
        assert!((x - y).abs() < 1e-10);
    }
}

#[test]
fn builders_and_solver_refuse_bad_input() {
    assert!(matches!(
        physics::transverse_field_ising(0, 1.0, 1.0, Boundary::Open),
        Err(Error::InvalidHyperParameter { .. })
    ));
    assert!(matches!(
        physics::heisenberg_xxz(2, 1.0, 1.0, Boundary::Periodic),
        Err(Error::InvalidHyperParameter { .. })
    ));
    assert!(matches!(
        physics::transverse_field_ising(3, f64::NAN, 1.0, Boundary::Open),
        Err(Error::InvalidHyperParameter { .. })
    ));
    assert!(matches!(physics::pauli_sum(&[(1.0, "XQ")]), Err(Error::InvalidPauliLabel { .. })));
    assert!(matches!(
        physics::pauli_sum(&[(f64::INFINITY, "X")]),
        Err(Error::NonFinite { kind: NonFiniteKind::Coefficient, .. })
    ));
    let h = physics::pauli_sum(&[(1.0, "ZII")]).unwrap();
    assert!(matches!(Spectrum::of(&h, 2), Err(Error::InvalidQubit { qubit: 2, num_qubits: 2 })));
    assert!(matches!(Spectrum::of(&h, 0), Err(Error::ZeroQubits)));
    assert!(matches!(Spectrum::of(&h, physics::MAX_EXACT_QUBITS + 1), Err(Error::MatrixTooLarge { .. })));
    assert!(Spectrum::of(&h, 3).unwrap().state(8).is_err());
}

#[test]
fn hardware_efficient_ansatz_layout() {
    let c = physics::hardware_efficient_ansatz(4, 3).unwrap();
    assert_eq!(c.num_weights(), 2 * 4 * 4);
    assert_eq!(c.gate_counts()["cx"], 3 * 3);
    // Zero weights: the CNOT ladder acts on |0000⟩ and leaves it.
    let mut s = StateVector::new(4).unwrap();
    s.run(&c, &vec![0.0; 32], &[]).unwrap();
    assert!((s.probabilities()[0] - 1.0).abs() < 1e-12);
    assert!(physics::hardware_efficient_ansatz(0, 1).is_err());
}

fn pauli_label(n: usize, codes: &[u8]) -> String {
    codes.iter().take(n).map(|c| ['I', 'X', 'Y', 'Z'][*c as usize % 4]).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn spectra_solve_the_eigen_equation(
        n in 1usize..5,
        terms in proptest::collection::vec((-2.0f64..2.0, proptest::collection::vec(0u8..4, 4)), 1..8),
    ) {
        let pairs: Vec<(f64, String)> = terms.iter().map(|(c, codes)| (*c, pauli_label(n, codes))).collect();
        let refs: Vec<(f64, &str)> = pairs.iter().map(|(c, l)| (*c, l.as_str())).collect();
        let h = physics::pauli_sum(&refs).unwrap();
        let s = Spectrum::of(&h, n).unwrap();
        let m = h.matrix(n).unwrap();
        let v = s.eigenvectors();
        // H V = V diag(E), V unitary, energies sorted, Σ E = tr H.
        let e = DMatrix::from_diagonal(&nalgebra::DVector::from_iterator(1 << n, s.energies().iter().map(|&x| Complex64::new(x, 0.0))));
        prop_assert!(max_abs(&(&m * v - v * e)) < 1e-9);
        prop_assert!(max_abs(&(v.adjoint() * v - M::identity(1 << n, 1 << n))) < 1e-9);
        prop_assert!(s.energies().windows(2).all(|w| w[0] <= w[1]));
        prop_assert!((s.energies().iter().sum::<f64>() - m.trace().re).abs() < 1e-9);
        // The ground state's expectation, through qnet's Pauli kernels, is E_0.
        let psi = s.state(0).unwrap();
        prop_assert!((psi.expectation(&h).unwrap() - s.ground_energy()).abs() < 1e-9);
    }
}

#[test]
fn public_types_are_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Spectrum>();
    check::<Boundary>();
}
