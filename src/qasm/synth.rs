//! Exact decompositions used by the exporter: a one-qubit unitary as e^{iα}·U3(θ, φ, λ), its square root, and
//! a two-qubit unitary as two-level rotations and a diagonal.

use num_complex::Complex64 as C;

/// A 2x2 complex matrix, row-major.
pub(crate) type M2 = [[C; 2]; 2];

const ZERO: C = C::new(0.0, 0.0);

/// Matrix product a·b.
#[cfg(test)]
pub(crate) fn mul(a: &M2, b: &M2) -> M2 {
    let mut out = [[ZERO; 2]; 2];
    for (r, row) in out.iter_mut().enumerate() {
        for (c, x) in row.iter_mut().enumerate() {
            *x = a[r][0] * b[0][c] + a[r][1] * b[1][c];
        }
    }
    out
}

/// The conjugate transpose.
pub(crate) fn adjoint(a: &M2) -> M2 {
    [[a[0][0].conj(), a[1][0].conj()], [a[0][1].conj(), a[1][1].conj()]]
}

/// The largest entry of |a − b|.
pub(crate) fn distance(a: &M2, b: &M2) -> f64 {
    (0..2).flat_map(|r| (0..2).map(move |c| (r, c))).map(|(r, c)| (a[r][c] - b[r][c]).norm()).fold(0.0, f64::max)
}

#[cfg(test)]
/// U3(θ, φ, λ) = [[cos θ/2, −e^{iλ} sin θ/2], [e^{iφ} sin θ/2, e^{i(φ+λ)} cos θ/2]].
pub(crate) fn u3(theta: f64, phi: f64, lambda: f64) -> M2 {
    let (c, s) = ((theta / 2.0).cos(), (theta / 2.0).sin());
    let e = |x: f64| C::from_polar(1.0, x);
    [[C::new(c, 0.0), -e(lambda) * s], [e(phi) * s, e(phi + lambda) * c]]
}

/// (α, θ, φ, λ) with u = e^{iα}·U3(θ, φ, λ), for a unitary u. θ ∈ [0, π].
pub(crate) fn zyz(u: &M2) -> (f64, f64, f64, f64) {
    let (c, s) = (u[0][0].norm(), u[1][0].norm());
    let theta = 2.0 * s.atan2(c);
    // u00 = e^{iα}c, u10 = e^{i(α+φ)}s, −u01 = e^{i(α+λ)}s, u11 = e^{i(α+φ+λ)}c.
    if c >= s {
        let alpha = u[0][0].arg();
        if s > 0.0 {
            let phi = u[1][0].arg() - alpha;
            let lambda = (-u[0][1]).arg() - alpha;
            (alpha, theta, phi, lambda)
        } else {
            (alpha, theta, 0.0, u[1][1].arg() - alpha)
        }
    } else {
        let a = u[1][0].arg();
        let b = (-u[0][1]).arg();
        if c > 0.0 {
            let alpha = u[0][0].arg();
            (alpha, theta, a - alpha, b - alpha)
        } else {
            // cos θ/2 = 0: only φ − λ... is fixed through α; take λ = 0.
            (b, theta, a - b, 0.0)
        }
    }
}

/// A square root v of a unitary u (v·v = u), itself unitary: v = (u + s·I)/t with s = √det u and
/// t = √(tr u + 2s), taking −s when t would vanish.
pub(crate) fn sqrt(u: &M2) -> M2 {
    let det = u[0][0] * u[1][1] - u[0][1] * u[1][0];
    let tr = u[0][0] + u[1][1];
    let mut s = det.sqrt();
    if (tr + 2.0 * s).norm() < 1e-6 {
        s = -s;
    }
    let t = (tr + 2.0 * s).sqrt();
    [[(u[0][0] + s) / t, u[0][1] / t], [u[1][0] / t, (u[1][1] + s) / t]]
}

/// One step of a two-qubit decomposition, in time order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Step2 {
    /// A one-qubit matrix on local qubit `target` (0 or 1), applied when local qubit `1 − target` is |1⟩ if
    /// `controlled`, always otherwise.
    One { u: M2, target: usize, controlled: bool },
    /// X on local qubit `q`.
    X { q: usize },
    /// CNOT from local qubit 0 to local qubit 1.
    Cx,
}

/// An exact decomposition of a 4x4 unitary `m` (index = bit of local qubit 0 + 2·bit of local qubit 1) into
/// steps and a global phase α: m = e^{iα}·(product of the steps in time order).
pub(crate) fn two_qubit(m: &[[C; 4]; 4]) -> (Vec<Step2>, f64) {
    // Givens elimination: G_k ⋯ G_1 · m = D, so m = G_1† ⋯ G_k† · D.
    let mut w = *m;
    let mut rotations: Vec<(usize, usize, M2)> = Vec::new();
    for col in 0..4 {
        for row in col + 1..4 {
            let (a, b) = (w[col][col], w[row][col]);
            if b == ZERO {
                continue;
            }
            let n = (a.norm_sqr() + b.norm_sqr()).sqrt();
            let g: M2 = [[a.conj() / n, b.conj() / n], [-b / n, a / n]];
            let (x, y) = (w[col], w[row]);
            w[col] = std::array::from_fn(|k| g[0][0] * x[k] + g[0][1] * y[k]);
            w[row] = std::array::from_fn(|k| g[1][0] * x[k] + g[1][1] * y[k]);
            rotations.push((col, row, g));
        }
    }
    let phi: Vec<f64> = (0..4).map(|k| w[k][k].arg()).collect();
    let mut steps = Vec::new();
    // D = e^{iφ0}·P(φ1 − φ0) on q0 · P(φ2 − φ0) on q1 · CP(φ3 − φ1 − φ2 + φ0).
    let alpha = phi[0];
    let diag = |x: f64| -> M2 { [[C::new(1.0, 0.0), ZERO], [ZERO, C::from_polar(1.0, x)]] };
    for (target, controlled, angle) in
        [(0, false, phi[1] - phi[0]), (1, false, phi[2] - phi[0]), (1, true, phi[3] - phi[1] - phi[2] + phi[0])]
    {
        if angle != 0.0 {
            steps.push(Step2::One { u: diag(angle), target, controlled });
        }
    }
    for &(i, j, g) in rotations.iter().rev() {
        two_level(i, j, &adjoint(&g), &mut steps);
    }
    (steps, alpha)
}

/// The two-level unitary acting as `g` on (|i⟩, |j⟩) and as the identity elsewhere, as steps.
fn two_level(i: usize, j: usize, g: &M2, steps: &mut Vec<Step2>) {
    let diff = i ^ j;
    if diff == 3 {
        // CX maps s to s ⊕ 2·(s & 1); afterwards the pair differs in bit 0 only.
        let f = |s: usize| s ^ ((s & 1) << 1);
        steps.push(Step2::Cx);
        two_level(f(i), f(j), g, steps);
        steps.push(Step2::Cx);
        return;
    }
    let target = if diff == 1 { 0 } else { 1 };
    let other = 1 - target;
    // In the target's own basis (|0⟩, |1⟩); i may be the |1⟩ state.
    let u = if (i >> target) & 1 == 1 { [[g[1][1], g[1][0]], [g[0][1], g[0][0]]] } else { *g };
    let flip = (i >> other) & 1 == 0;
    if flip {
        steps.push(Step2::X { q: other });
    }
    steps.push(Step2::One { u, target, controlled: true });
    if flip {
        steps.push(Step2::X { q: other });
    }
}

#[cfg(test)]
#[allow(clippy::needless_range_loop)] // index arithmetic reads more plainly in these dense-matrix checks
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};

    fn random_unitary<const N: usize>(rng: &mut impl rand::Rng) -> [[C; N]; N] {
        // Gram–Schmidt on random complex columns.
        let mut m = [[ZERO; N]; N];
        for c in 0..N {
            let mut v: Vec<C> = (0..N).map(|_| C::new(rng.random::<f64>() - 0.5, rng.random::<f64>() - 0.5)).collect();
            for p in 0..c {
                let dot: C = (0..N).map(|r| m[r][p].conj() * v[r]).sum();
                for (r, x) in v.iter_mut().enumerate() {
                    *x -= dot * m[r][p];
                }
            }
            let n = v.iter().map(|x| x.norm_sqr()).sum::<f64>().sqrt();
            for r in 0..N {
                m[r][c] = v[r] / n;
            }
        }
        m
    }

    #[test]
    fn zyz_reconstructs_random_and_special_unitaries() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let i = C::new(0.0, 1.0);
        let one = C::new(1.0, 0.0);
        let mut cases: Vec<M2> = (0..200).map(|_| random_unitary::<2>(&mut rng)).collect();
        cases.push([[ZERO, one], [one, ZERO]]);
        cases.push([[ZERO, -i], [i, ZERO]]);
        cases.push([[one, ZERO], [ZERO, -one]]);
        cases.push([[i, ZERO], [ZERO, one]]);
        for u in cases {
            let (alpha, t, p, l) = zyz(&u);
            let mut v = u3(t, p, l);
            for row in &mut v {
                for x in row.iter_mut() {
                    *x *= C::from_polar(1.0, alpha);
                }
            }
            assert!(distance(&u, &v) < 1e-12, "{u:?}");
        }
    }

    #[test]
    fn sqrt_squares_back() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(4);
        let one = C::new(1.0, 0.0);
        let mut cases: Vec<M2> = (0..200).map(|_| random_unitary::<2>(&mut rng)).collect();
        cases.push([[ZERO, one], [one, ZERO]]);
        cases.push([[-one, ZERO], [ZERO, -one]]);
        cases.push([[one, ZERO], [ZERO, one]]);
        for u in cases {
            let v = sqrt(&u);
            assert!(distance(&mul(&v, &v), &u) < 1e-12);
            assert!(distance(&mul(&adjoint(&v), &v), &[[one, ZERO], [ZERO, one]]) < 1e-12);
        }
    }

    /// The dense 4x4 matrix of the steps (time order) times e^{iα}.
    fn dense(steps: &[Step2], alpha: f64) -> [[C; 4]; 4] {
        let mut m = [[ZERO; 4]; 4];
        for (k, row) in m.iter_mut().enumerate() {
            row[k] = C::from_polar(1.0, alpha);
        }
        for s in steps {
            let mut next = [[ZERO; 4]; 4];
            for col in 0..4 {
                for k in 0..4 {
                    // Image of basis state k under the step.
                    let image: Vec<(usize, C)> = match s {
                        Step2::Cx => vec![(k ^ ((k & 1) << 1), C::new(1.0, 0.0))],
                        Step2::X { q } => vec![(k ^ (1 << q), C::new(1.0, 0.0))],
                        Step2::One { u, target, controlled } => {
                            let other = 1 - target;
                            if *controlled && (k >> other) & 1 == 0 {
                                vec![(k, C::new(1.0, 0.0))]
                            } else {
                                let b = (k >> target) & 1;
                                let base = k & !(1 << target);
                                vec![(base, u[0][b]), (base | (1 << target), u[1][b])]
                            }
                        }
                    };
                    for (r, a) in image {
                        next[r][col] += a * m[k][col];
                    }
                }
            }
            m = next;
        }
        m
    }

    #[test]
    fn two_qubit_decomposition_is_exact() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
        for _ in 0..100 {
            let u = random_unitary::<4>(&mut rng);
            let (steps, alpha) = two_qubit(&u);
            let d = dense(&steps, alpha);
            for r in 0..4 {
                for c in 0..4 {
                    assert!((d[r][c] - u[r][c]).norm() < 1e-12);
                }
            }
        }
    }
}
