//! A channel as quantum jumps on a pure state: pick Kraus operator k with probability p_k = ‖K_k ψ‖², then
//! ψ ← K_k ψ / √p_k, through the state-vector kernels.

use nalgebra::DMatrix;
use num_complex::Complex64 as C;
use rand::{Rng, RngExt};

use super::channel::Channel;
use crate::quantum::kernels::{self, Subspace};
use crate::quantum::op::{Op, ZERO};

/// How far K†K may be from c·I (largest entry of the difference) for a Kraus operator to count as √c times a
/// unitary, whose branch probability c does not depend on the state.
const MIXTURE_TOLERANCE: f64 = 1e-12;

/// How far a unitary may be from u·I (|u| = 1) to be skipped as a global phase.
const IDENTITY_TOLERANCE: f64 = 1e-14;

/// A d×d matrix (d = 2 or 4) in the top-left corner of a 4x4 array.
type Mat = [[C; 4]; 4];

/// A channel ready to act on a pure state by jumps.
#[derive(Debug, Clone)]
pub(crate) enum Jumps {
    /// Every K_k is √p_k U_k with U_k unitary (depolarizing, bit and phase flip, Pauli channels, a Kraus set of
    /// scaled unitaries): the branch is drawn from the fixed p_k, then U_k applied (nothing for the identity).
    Mixture {
        /// 2 or 4.
        dim: usize,
        /// p_k.
        probabilities: Vec<f64>,
        /// U_k, or `None` for the identity (up to a global phase).
        unitaries: Vec<Option<Op>>,
    },
    /// Branch probabilities that depend on the state (amplitude and phase damping, general Kraus sets):
    /// p_k = Tr(K_k†K_k ρ_q) from the reduced matrix ρ_q of the channel's qubits, one pass over the state.
    Kraus {
        /// 2 or 4.
        dim: usize,
        /// K_k.
        kraus: Vec<Mat>,
        /// K_k†K_k.
        grams: Vec<Mat>,
    },
}

/// The array form of a d×d matrix.
fn mat(m: &DMatrix<C>) -> Mat {
    std::array::from_fn(|r| std::array::from_fn(|c| if r < m.nrows() && c < m.ncols() { m[(r, c)] } else { ZERO }))
}

/// The op of a d×d matrix `m` scaled by `k`: the sparsest one-qubit form, or a diagonal or dense two-qubit one.
fn op(m: &Mat, dim: usize, k: f64) -> Op {
    let s = |x: C| x * k;
    if dim == 2 {
        Op::sparsest1([[s(m[0][0]), s(m[0][1])], [s(m[1][0]), s(m[1][1])]])
    } else if (0..4).all(|r| (0..4).all(|c| r == c || m[r][c] == ZERO)) {
        Op::Diag2(std::array::from_fn(|r| s(m[r][r])))
    } else {
        Op::Mat2(m.map(|row| row.map(s)))
    }
}

/// The largest |a − x·I| entry over the top-left d×d corner.
fn distance_from_scalar(a: &Mat, dim: usize, x: C) -> f64 {
    (0..dim).flat_map(|r| (0..dim).map(move |c| (r, c))).fold(0.0, |m: f64, (r, c)| {
        let target = if r == c { x } else { ZERO };
        m.max((a[r][c] - target).norm())
    })
}

impl Jumps {
    /// The jumps of `channel`, from its Kraus operators.
    pub(crate) fn new(channel: &Channel) -> Jumps {
        let kraus: Vec<DMatrix<C>> = channel.kraus_operators();
        let dim = kraus[0].nrows();
        let kraus: Vec<Mat> = kraus.iter().map(mat).collect();
        let grams: Vec<Mat> = kraus
            .iter()
            .map(|k| std::array::from_fn(|r| std::array::from_fn(|c| (0..dim).map(|i| k[i][r].conj() * k[i][c]).sum())))
            .collect();
        let mixture = grams.iter().all(|g| distance_from_scalar(g, dim, C::new(g[0][0].re, 0.0)) <= MIXTURE_TOLERANCE);
        if !mixture {
            return Jumps::Kraus { dim, kraus, grams };
        }
        let probabilities: Vec<f64> = grams.iter().map(|g| g[0][0].re).collect();
        let unitaries = kraus
            .iter()
            .zip(&probabilities)
            .map(|(k, &p)| {
                let u = if p > 0.0 { op(k, dim, 1.0 / p.sqrt()) } else { op(k, dim, 0.0) };
                let m = if dim == 2 {
                    let m = u.matrix1();
                    std::array::from_fn(|r| std::array::from_fn(|c| if r < 2 && c < 2 { m[r][c] } else { ZERO }))
                } else {
                    u.matrix2()
                };
                let phase = m[0][0];
                let identity = (phase.norm() - 1.0).abs() <= IDENTITY_TOLERANCE
                    && distance_from_scalar(&m, dim, phase) <= IDENTITY_TOLERANCE;
                (!identity).then_some(u)
            })
            .collect();
        Jumps::Mixture { dim, probabilities, unitaries }
    }

    /// The number of qubits the channel acts on.
    pub(crate) fn num_qubits(&self) -> usize {
        match self {
            Jumps::Mixture { dim, .. } | Jumps::Kraus { dim, .. } => dim.trailing_zeros() as usize,
        }
    }

    /// Draws one branch with one uniform number from `rng` and applies it to `psi` (normalized) on `targets`
    /// (the channel's qubits, distinct and in range; the first the low bit of the Kraus matrices' index).
    /// Nothing is allocated.
    pub(crate) fn apply<R: Rng + ?Sized>(&self, psi: &mut [C], targets: &[usize], rng: &mut R) {
        self.apply_draw(psi, targets, rng.random::<f64>());
    }

    /// [`apply`](Self::apply) with the uniform draw `u` ∈ \[0, 1) given.
    pub(crate) fn apply_draw(&self, psi: &mut [C], targets: &[usize], u: f64) {
        match self {
            Jumps::Mixture { probabilities, unitaries, .. } => {
                if let Some(op) = &unitaries[pick(probabilities, u)] {
                    kernels::apply_op(psi, op, targets, 0);
                }
            }
            Jumps::Kraus { dim, kraus, grams } => {
                // ψ = 0 has no branch, which a normalized start never reaches.
                if let Some((k, pk)) = select(grams, &reduced(psi, targets), *dim, u) {
                    kernels::apply_op(psi, &op(&kraus[k], *dim, 1.0 / pk.sqrt()), targets, 0);
                }
            }
        }
    }

    /// The jump of this one-qubit channel on qubit `q` of the state `pending`·ψ, where `pending` (if any) is an
    /// op on `q` not yet applied and no other qubit has one: returns the matrix K_k·pending/√p_k that replaces
    /// it, without applying it (it is multiplied with the next ops on `q`). A mixture draws from its fixed
    /// probabilities without reading ψ; a state-dependent channel takes p_k from pending·ρ_q·pending†, ρ_q
    /// the reduced matrix of ψ (one pass).
    pub(crate) fn jump1(&self, psi: &[C], q: usize, pending: Option<Mat1>, u: f64) -> Mat1 {
        let m = pending.unwrap_or(IDENTITY1);
        match self {
            Jumps::Mixture { probabilities, unitaries, .. } => match &unitaries[pick(probabilities, u)] {
                Some(op) => mul1(&op.matrix1(), &m),
                None => m,
            },
            Jumps::Kraus { kraus, grams, .. } => {
                let rho = reduced(psi, &[q]);
                let r: Mat1 = [[rho[0][0], rho[0][1]], [rho[1][0], rho[1][1]]];
                let r = pending.map_or(r, |m| mul1(&mul1(&m, &r), &adjoint1(&m)));
                let rho: Mat =
                    std::array::from_fn(|a| std::array::from_fn(|b| if a < 2 && b < 2 { r[a][b] } else { ZERO }));
                match select(grams, &rho, 2, u) {
                    Some((k, pk)) => {
                        let s = 1.0 / pk.sqrt();
                        let kk: Mat1 =
                            [[kraus[k][0][0] * s, kraus[k][0][1] * s], [kraus[k][1][0] * s, kraus[k][1][1] * s]];
                        mul1(&kk, &m)
                    }
                    None => m,
                }
            }
        }
    }
}

/// A 2x2 matrix.
pub(crate) type Mat1 = [[C; 2]; 2];

/// The 2x2 identity.
pub(crate) const IDENTITY1: Mat1 = [[C::new(1.0, 0.0), ZERO], [ZERO, C::new(1.0, 0.0)]];

/// The product a·b of 2x2 matrices.
pub(crate) fn mul1(a: &Mat1, b: &Mat1) -> Mat1 {
    std::array::from_fn(|r| std::array::from_fn(|c| a[r][0] * b[0][c] + a[r][1] * b[1][c]))
}

/// a†.
fn adjoint1(a: &Mat1) -> Mat1 {
    std::array::from_fn(|r| std::array::from_fn(|c| a[c][r].conj()))
}

/// The branch of a state-dependent channel for the draw u and the reduced matrix `rho` (d×d) of its qubits,
/// with its probability p_k = Tr(K_k†K_k ρ): Σ_k p_k = Tr ρ, and the p_k are computed until u·Tr ρ falls in
/// one (any number of operators, nothing stored); the last branch of positive p_k when rounding leaves the draw
/// above every cumulative sum; `None` only for ρ = 0.
fn select(grams: &[Mat], rho: &Mat, dim: usize, u: f64) -> Option<(usize, f64)> {
    let target = u * (0..dim).map(|r| rho[r][r].re).sum::<f64>();
    let (mut cumulative, mut chosen) = (0.0, None);
    for (k, g) in grams.iter().enumerate() {
        // Tr(M ρ) = Σ_rc M_rc ρ_cr, real for Hermitian M and ρ; rounding may leave it just below 0.
        let tr: C = (0..dim).flat_map(|r| (0..dim).map(move |c| (r, c))).map(|(r, c)| g[r][c] * rho[c][r]).sum();
        let pk = tr.re.max(0.0);
        if pk > 0.0 {
            chosen = Some((k, pk));
            cumulative += pk;
            if target < cumulative {
                break;
            }
        }
    }
    chosen
}

/// The branch k for a uniform draw u ∈ [0, 1) among fixed probabilities: the first whose cumulative
/// probability exceeds u·Σp, or the last of positive probability when rounding leaves u above every cumulative
/// sum.
fn pick(p: &[f64], u: f64) -> usize {
    let total: f64 = p.iter().sum();
    let target = u * total;
    let mut cumulative = 0.0;
    for (k, &pk) in p.iter().enumerate() {
        cumulative += pk;
        if pk > 0.0 && target < cumulative {
            return k;
        }
    }
    p.iter().rposition(|&pk| pk > 0.0).unwrap_or(0)
}

/// The reduced matrix ρ_rc = Σ_j ψ_{j,r} ψ*_{j,c} of the qubits `targets` (local index r: bit i that of
/// `targets[i]`), summed over fixed chunks in order (the same whatever the thread count).
fn reduced(psi: &[C], targets: &[usize]) -> Mat {
    let dim = 1usize << targets.len();
    let offsets: [usize; 4] =
        std::array::from_fn(|l| targets.iter().enumerate().fold(0, |o, (i, &q)| o | ((l >> i) & 1) << q));
    let mask = targets.iter().fold(0, |m, &q| m | 1usize << q);
    let sub = Subspace::new(psi.len(), mask, 0);
    let sum = kernels::chunked_sum(sub.len, |range| {
        let mut acc = Gram([[ZERO; 4]; 4]);
        sub.runs(range, |first, len| {
            if dim == 2 {
                // One qubit: the run and its partner run, contiguous, in one zipped loop.
                let (s0, s1) = (&psi[first..first + len], &psi[first + offsets[1]..first + offsets[1] + len]);
                let (mut p0, mut p1, mut c01) = (0.0, 0.0, ZERO);
                for (a0, a1) in s0.iter().zip(s1) {
                    p0 += a0.norm_sqr();
                    p1 += a1.norm_sqr();
                    c01 += a0 * a1.conj();
                }
                acc.0[0][0] += p0;
                acc.0[1][1] += p1;
                acc.0[0][1] += c01;
                return;
            }
            for base in first..first + len {
                let a: [C; 4] = std::array::from_fn(|l| if l < dim { psi[base + offsets[l]] } else { ZERO });
                for r in 0..dim {
                    for c in r..dim {
                        acc.0[r][c] += a[r] * a[c].conj();
                    }
                }
            }
        });
        acc
    });
    let upper = sum.0;
    std::array::from_fn(|r| std::array::from_fn(|c| if c >= r { upper[r][c] } else { upper[c][r].conj() }))
}

/// A 4x4 sum of the chunks of [`reduced`].
#[derive(Clone, Copy)]
struct Gram(Mat);

impl std::iter::Sum for Gram {
    fn sum<I: Iterator<Item = Gram>>(iter: I) -> Gram {
        iter.fold(Gram([[ZERO; 4]; 4]), |mut a, b| {
            for (ra, rb) in a.0.iter_mut().zip(&b.0) {
                for (x, y) in ra.iter_mut().zip(rb) {
                    *x += y;
                }
            }
            a
        })
    }
}
