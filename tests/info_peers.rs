//! The info module against the peers: every number below was produced by scipy, scikit-learn, Qiskit or
//! PennyLane themselves (tests/fixtures/info/make_peers.py, which wrote tests/fixtures/info/peers.txt), and is
//! matched within 1e-12 relative (with an absolute floor of 1e-14 for values that are zero up to rounding, and
//! for individual density-matrix entries).

use std::collections::HashMap;

use nalgebra::DMatrix;
use qnet::info::{
    conditional_entropy, cross_entropy, entanglement_entropy, entropy_from_counts, joint_entropy, js_distance,
    measurement_entropy, mutual_information_from_counts, mutual_information_from_labels, normalize_table,
    normalized_mutual_information, quantum_mutual_information, reduced_density_matrix, schmidt_coefficients,
    AverageMethod, Boltzmann, GibbsState,
};
use qnet::prelude::*;

const FIXTURE: &str = include_str!("fixtures/info/peers.txt");
const REL: f64 = 1e-12;
const ABS: f64 = 1e-14;

/// One line: its kind and its `key=value` fields.
struct Case {
    kind: String,
    fields: HashMap<String, String>,
    line: usize,
}

impl Case {
    fn raw(&self, key: &str) -> &str {
        self.fields.get(key).unwrap_or_else(|| panic!("line {}: no field {key}", self.line))
    }
    fn has(&self, key: &str) -> bool {
        self.fields.contains_key(key)
    }
    fn floats(&self, key: &str) -> Vec<f64> {
        self.raw(key)
            .split(',')
            .map(|s| s.parse().unwrap_or_else(|_| panic!("line {}: bad number {s}", self.line)))
            .collect()
    }
    fn float(&self, key: &str) -> f64 {
        let v = self.floats(key);
        assert_eq!(v.len(), 1, "line {}: {key} is not a scalar", self.line);
        v[0]
    }
    fn ints(&self, key: &str) -> Vec<usize> {
        self.raw(key).split(',').map(|s| s.parse().unwrap()).collect()
    }
    fn int(&self, key: &str) -> usize {
        self.raw(key).parse().unwrap()
    }
    fn complex(&self, key: &str) -> Vec<Complex64> {
        self.floats(key).chunks_exact(2).map(|c| Complex64::new(c[0], c[1])).collect()
    }
    fn square(&self, key: &str) -> DMatrix<Complex64> {
        let v = self.complex(key);
        let d = (v.len() as f64).sqrt() as usize;
        assert_eq!(d * d, v.len());
        DMatrix::from_row_slice(d, d, &v)
    }
    fn base(&self) -> Base {
        let b = self.float("base");
        if b == std::f64::consts::E {
            Base::NATS
        } else {
            Base::new(b).unwrap()
        }
    }
    fn check(&self, what: &str, got: f64, expected: f64) {
        let tol = (REL * got.abs().max(expected.abs())).max(ABS);
        assert!(
            (got - expected).abs() <= tol,
            "line {} ({} {what}): qnet {got:e}, peer {expected:e}, difference {:e}",
            self.line,
            self.kind,
            (got - expected).abs()
        );
    }
    fn check_matrix(&self, what: &str, got: &DMatrix<Complex64>, expected: &DMatrix<Complex64>) {
        assert_eq!(got.shape(), expected.shape(), "line {}: {what} shape", self.line);
        for (a, b) in got.iter().zip(expected.iter()) {
            assert!((a - b).norm() <= ABS.max(REL * b.norm()), "line {}: {what}: {a} vs {b}", self.line);
        }
    }
}

fn cases() -> Vec<Case> {
    FIXTURE
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|(i, l)| {
            let mut tokens = l.split_whitespace();
            let kind = tokens.next().unwrap().to_string();
            let fields = tokens
                .map(|t| {
                    let (k, v) = t.split_once('=').unwrap();
                    (k.to_string(), v.to_string())
                })
                .collect();
            Case { kind, fields, line: i + 1 }
        })
        .collect()
}

fn of_kind(kind: &str) -> Vec<Case> {
    let v: Vec<Case> = cases().into_iter().filter(|c| c.kind == kind).collect();
    assert!(!v.is_empty(), "no {kind} cases in the fixture");
    v
}

#[test]
fn shannon_entropy_matches_scipy_and_qiskit() {
    for c in of_kind("entropy").into_iter().chain(of_kind("qiskit_shannon")) {
        c.check("entropy", entropy(&c.floats("p"), c.base()).unwrap(), c.float("expected"));
    }
}

#[test]
fn entropy_from_counts_matches_scipy() {
    for c in of_kind("counts") {
        c.check("counts", entropy_from_counts(&c.ints("c"), c.base()).unwrap(), c.float("expected"));
    }
}

#[test]
fn divergences_match_scipy() {
    for c in of_kind("pair") {
        let (p, q, base) = (c.floats("p"), c.floats("q"), c.base());
        c.check("kl", kl_divergence(&p, &q, base).unwrap(), c.float("kl"));
        c.check("cross", cross_entropy(&p, &q, base).unwrap(), c.float("cross"));
        c.check("js_distance", js_distance(&p, &q, base).unwrap(), c.float("js_distance"));
    }
}

#[test]
fn joint_tables_match_scipy_and_scikit_learn() {
    for c in of_kind("table") {
        let (rows, cols) = (c.int("rows"), c.int("cols"));
        let counts = DMatrix::from_row_slice(rows, cols, &c.ints("counts"));
        let pxy = normalize_table(&counts.map(|x| x as f64)).unwrap();
        let base = c.base();
        c.check("joint", joint_entropy(&pxy, base).unwrap(), c.float("joint"));
        c.check("conditional", conditional_entropy(&pxy, base).unwrap(), c.float("conditional"));
        c.check("mi", mutual_information(&pxy, base).unwrap(), c.float("mi"));
        c.check("mi from counts", mutual_information_from_counts(&counts, base).unwrap(), c.float("mi"));
    }
}

#[test]
fn label_mutual_information_matches_scikit_learn() {
    for c in of_kind("labels") {
        let (a, b) = (c.ints("a"), c.ints("b"));
        c.check("mi", mutual_information_from_labels(&a, &b, Base::NATS).unwrap(), c.float("mi"));
        for (name, method) in [
            ("nmi_arithmetic", AverageMethod::Arithmetic),
            ("nmi_geometric", AverageMethod::Geometric),
            ("nmi_min", AverageMethod::Min),
            ("nmi_max", AverageMethod::Max),
        ] {
            c.check(name, normalized_mutual_information(&a, &b, method).unwrap(), c.float(name));
        }
    }
}

#[test]
fn pure_state_subsystems_match_qiskit() {
    for c in of_kind("pure") {
        let psi = StateVector::from_amplitudes(c.complex("amps")).unwrap();
        let (keep, base) = (c.ints("keep"), c.base());
        let rho = reduced_density_matrix(&psi, &keep).unwrap();
        c.check_matrix("reduced density matrix", rho.matrix(), &c.square("rho"));
        c.check("entanglement entropy", entanglement_entropy(&psi, &keep, base).unwrap(), c.float("entropy"));
        c.check("entropy of the reduced matrix", rho.von_neumann_entropy(base).unwrap(), c.float("entropy"));
        c.check("purity", rho.purity(), c.float("purity"));
        c.check("measurement entropy", measurement_entropy(&psi, base), c.float("measurement"));
        // Qiskit lists the non-zero Schmidt coefficients; qnet lists 2^k of them, the rest zero.
        let expected = c.floats("schmidt");
        let got = schmidt_coefficients(&psi, &keep).unwrap();
        for (k, &g) in got.iter().enumerate() {
            let e = expected.get(k).copied().unwrap_or(0.0);
            // σ² carries the 1e-16 absolute accuracy, so σ itself is compared through σ².
            c.check("schmidt coefficient squared", g * g, e * e);
        }
        // Through the full density matrix too (small registers only).
        let full = DensityMatrix::from_state(&psi).unwrap();
        let traced: Vec<usize> = (0..psi.num_qubits()).filter(|q| !keep.contains(q)).collect();
        c.check_matrix("partial trace", full.partial_trace(&traced).unwrap().matrix(), &c.square("rho"));
    }
}

#[test]
fn pure_state_mutual_information_matches_qiskit() {
    for c in of_kind("pure_mi") {
        let psi = StateVector::from_amplitudes(c.complex("amps")).unwrap();
        let (a, b, base) = (c.ints("a"), c.ints("b"), c.base());
        c.check("mutual information", quantum_mutual_information(&psi, &a, &b, base).unwrap(), c.float("expected"));
        let rho = DensityMatrix::from_state(&psi).unwrap();
        c.check("mutual information (dense)", rho.mutual_information(&a, &b, base).unwrap(), c.float("expected"));
    }
}

#[test]
fn mixed_states_match_qiskit_and_pennylane() {
    for c in of_kind("mixed") {
        let rho = DensityMatrix::new(c.square("rho")).unwrap();
        assert_eq!(rho.num_qubits(), c.int("n"));
        let base = c.base();
        c.check("entropy", rho.von_neumann_entropy(base).unwrap(), c.float("entropy"));
        c.check("purity", rho.purity(), c.float("purity"));
        c.check("min-entropy", rho.renyi_entropy(f64::INFINITY, base).unwrap(), c.float("min_entropy"));
        c.check("max-entropy", rho.renyi_entropy(0.0, base).unwrap(), c.float("max_entropy"));
        if c.has("traced") {
            c.check_matrix(
                "partial trace",
                rho.partial_trace(&c.ints("traced")).unwrap().matrix(),
                &c.square("reduced"),
            );
            let rest: Vec<usize> = (1..rho.num_qubits()).collect();
            c.check("mutual information", rho.mutual_information(&[0], &rest, base).unwrap(), c.float("mi"));
        }
    }
}

#[test]
fn boltzmann_distributions_match_scipy() {
    for c in of_kind("boltzmann") {
        let b = Boltzmann::new(&c.floats("energies"), c.float("temperature")).unwrap();
        for (got, expected) in b.probabilities().iter().zip(c.floats("p")) {
            c.check("probability", *got, expected);
        }
        c.check("ln Z", b.log_partition_function(), c.float("log_z"));
        c.check("entropy", b.entropy(Base::NATS), c.float("entropy"));
        c.check("free energy", b.free_energy(), c.float("free_energy"));
    }
}

#[test]
fn gibbs_states_match_scipy_expm_and_qiskit() {
    for c in of_kind("gibbs") {
        let n = c.int("n");
        let labels: Vec<String> = c.raw("labels").split(',').map(str::to_string).collect();
        let terms = labels
            .iter()
            .zip(c.floats("coeffs"))
            .map(|(l, w)| PauliString::parse(l).unwrap().with_coeff(w).unwrap())
            .collect();
        let gibbs = GibbsState::new(&Observable::from_terms(terms), n, c.float("temperature")).unwrap();
        c.check_matrix("density matrix", gibbs.density_matrix().matrix(), &c.square("rho"));
        c.check("ln Z", gibbs.log_partition_function(), c.float("log_z"));
        c.check("entropy", gibbs.von_neumann_entropy(Base::NATS), c.float("entropy"));
        c.check(
            "entropy (re-diagonalized)",
            gibbs.density_matrix().von_neumann_entropy(Base::NATS).unwrap(),
            c.float("entropy"),
        );
    }
}
