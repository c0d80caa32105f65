//! Eigenvalues of a Hermitian matrix: blocked Householder reduction to a real tridiagonal matrix, then
//! implicit QL with Wilkinson shifts. Eigenvectors are never formed.
//!
//! nalgebra's `symmetric_eigenvalues` on a complex matrix works on `Complex64` elements one at a time and took
//! about 3 s for a 1024 × 1024 matrix; the entanglement entropy of a 20-qubit half cut needs exactly that size.
//! This kernel keeps the real and imaginary parts in separate column-major arrays (only the lower triangle is
//! read), so that the matrix–vector products that dominate the reduction run over contiguous `f64` slices the
//! compiler vectorizes (for the instruction set the crate's SIMD dispatch detects at run time, through
//! `quantum::vectorize`), and it applies each
//! panel's rank-2k update with real matrix products (`matrixmultiply`, through nalgebra), as LAPACK's `zhetrd`
//! does.
//!
//! Everything runs on the calling thread, so results do not depend on the number of threads. Every instruction
//! set performs the same operations in the same order (Rust never contracts `a * b + c` into a fused
//! multiply–add on its own); `matrixmultiply` picks its own kernel per CPU, so the last bits may differ between
//! machines.

use nalgebra::{DMatrix, DMatrixView, DMatrixViewMut};

use super::tridiagonal::tridiagonal_eigenvalues;
use crate::error::{Error, Result};
use crate::quantum::vectorize::{vectorized, InstructionSet};

/// Lanes of the partial sums in the dot products (a multiple of every vector width we target).
const LANES: usize = 8;

/// A Hermitian matrix held as the real and imaginary parts of its lower triangle, column-major, `n × n`.
#[derive(Debug, Clone)]
pub(crate) struct HermitianLower {
    n: usize,
    re: Vec<f64>,
    im: Vec<f64>,
}

impl HermitianLower {
    /// Takes the lower triangles of `re` and `im`, each `n × n` column-major (the upper triangles are ignored).
    pub(crate) fn from_parts(n: usize, re: Vec<f64>, im: Vec<f64>) -> Self {
        debug_assert!(re.len() == n * n && im.len() == n * n);
        HermitianLower { n, re, im }
    }

    /// The eigenvalues in ascending order. Consumes the matrix, which is overwritten by the reduction.
    ///
    /// # Errors
    /// [`Error::NoConvergence`] if the QL iteration has not converged after 60 sweeps for one eigenvalue (not
    /// expected for finite input: the shifted QL iteration converges for every symmetric tridiagonal matrix).
    pub(crate) fn eigenvalues(self) -> Result<Vec<f64>> {
        let n = self.n;
        let (mut d, mut e) = self.tridiagonalize(InstructionSet::detected());
        tridiagonal_eigenvalues(&mut d, &mut e, 60).map_err(|_| Error::NoConvergence { dim: n, iterations: None })?;
        d.sort_by(f64::total_cmp);
        Ok(d)
    }

    /// Reduces the matrix to a real symmetric tridiagonal matrix by unitary similarities, returning the diagonal
    /// `d` and the sub-diagonal `e` (`e[k]` couples `k` and `k + 1`; `e[n − 1] = 0`).
    ///
    /// Blocked as LAPACK's `zhetrd`: within a panel of [`PANEL`] columns the trailing matrix is left as it was at
    /// the start of the panel, and each product A v is corrected by the panel's earlier reflectors (V, W); the
    /// panel's rank-2·[`PANEL`] update A ← A − V W† − W V† is then applied once, by real matrix products. Each
    /// column thus reads the trailing matrix once and writes nothing, instead of reading and writing it.
    fn tridiagonalize(mut self, isa: InstructionSet) -> (Vec<f64>, Vec<f64>) {
        let n = self.n;
        let mut d = vec![0.0; n];
        let mut e = vec![0.0; n];
        if n == 0 {
            return (d, e);
        }
        // Columns whose sub-diagonal part is below ε·max|a_ij| are rounding noise (the numerically exhausted rank
        // of a projector, say): they are set to zero rather than reflected, which perturbs the eigenvalues by no
        // more than rounding already has, and keeps reflectors built from noise from driving later columns into
        // subnormal numbers.
        let amax = (0..n).fold(0.0f64, |m, j| {
            let off = j * n + j;
            self.re[off..(j + 1) * n].iter().chain(&self.im[off..(j + 1) * n]).fold(m, |m, &a| m.max(a.abs()))
        });
        let negligible = f64::EPSILON * amax;
        // The panel's reflectors V and update vectors W, column k at k·n, indexed by global row (rows above the
        // reflector's start are zero).
        let mut v = Panel::zeros(n);
        let mut w = Panel::zeros(n);
        let mut y = Split::zeros(n);
        let mut p = 0;
        while p + 1 < n {
            let nb = PANEL.min(n - 1 - p);
            v.clear();
            w.clear();
            for k in 0..nb {
                let i = p + k;
                // Column i, rows i.., brought up to date with the panel's reflectors so far.
                {
                    let off = i * n + i;
                    let (cr, ci) = (&mut self.re[off..(i + 1) * n], &mut self.im[off..(i + 1) * n]);
                    for l in 0..k {
                        let (vr, vi) = v.col(l, i, n);
                        let (wr, wi) = w.col(l, i, n);
                        rank2_column(cr, ci, vr, vi, wr, wi, (vr[0], vi[0]), (wr[0], wi[0]));
                    }
                }
                d[i] = self.re[i * n + i];
                let t = i + 1;
                let m = n - t;
                let off = i * n + t;
                let (xr, xi) = (&mut self.re[off..(i + 1) * n], &mut self.im[off..(i + 1) * n]);
                let (beta, tau) = householder(xr, xi, negligible);
                e[i] = beta;
                if tau == (0.0, 0.0) {
                    // H = I: no reflector; V and W keep a zero column k.
                    continue;
                }
                {
                    let (vr, vi) = v.col_mut(k, t, n);
                    vr[0] = 1.0;
                    vi[0] = 0.0;
                    vr[1..].copy_from_slice(&xr[1..]);
                    vi[1..].copy_from_slice(&xi[1..]);
                }
                // y = A v over the trailing block (as of the panel's start), read-only.
                let (vr, vi) = v.col(k, t, n);
                let (re, im, y) = (&self.re[..], &self.im[..], &mut y);
                vectorized(
                    isa,
                    #[inline(always)]
                    || hemv_trailing(re, im, n, t, (vr, vi), y),
                );
                // The panel's earlier reflectors: y −= V (W† v) + W (V† v), rows t...
                for l in 0..k {
                    let (plr, pli) = v.col(l, t, n);
                    let (qlr, qli) = w.col(l, t, n);
                    let wv = conj_dot(qlr, qli, vr, vi);
                    let vv = conj_dot(plr, pli, vr, vi);
                    for r in 0..m {
                        y.re[r] -= (plr[r] * wv.0 - pli[r] * wv.1) + (qlr[r] * vv.0 - qli[r] * vv.1);
                        y.im[r] -= (plr[r] * wv.1 + pli[r] * wv.0) + (qlr[r] * vv.1 + qli[r] * vv.0);
                    }
                }
                // w = τ y − ½ |τ|² (v† y) v.
                let (tr, ti) = tau;
                let vy = conj_dot(vr, vi, &y.re[..m], &y.im[..m]).0;
                let alpha = -0.5 * (tr * tr + ti * ti) * vy;
                let (wr, wi) = w.col_mut(k, t, n);
                for r in 0..m {
                    let (a, b) = (y.re[r], y.im[r]);
                    wr[r] = tr * a - ti * b + alpha * vr[r];
                    wi[r] = tr * b + ti * a + alpha * vi[r];
                }
            }
            // A ← A − V W† − W V† on the trailing block q.., lower block columns only.
            let q = p + nb;
            if q < n {
                self.update_trailing(q, nb, &v, &w);
            }
            p = q;
        }
        d[n - 1] = self.re[(n - 1) * n + (n - 1)];
        (d, e)
    }

    /// A[q.., q..] −= V W† + W V† with the first `nb` columns of the panel, as real matrix products:
    /// Re −= [Vr Vi Wr Wi] · [Wr Wi Vr Vi]ᵀ and Im −= [Vi −Vr Wi −Wr] · [Wr Wi Vr Vi]ᵀ, block column by block
    /// column so that little more than the lower triangle is computed.
    fn update_trailing(&mut self, q: usize, nb: usize, v: &Panel, w: &Panel) {
        let n = self.n;
        let m = n - q;
        let kk = 4 * nb;
        // Column-major m × 4nb factors.
        let mut left_re = DMatrix::<f64>::zeros(m, kk);
        let mut left_im = DMatrix::<f64>::zeros(m, kk);
        let mut right = DMatrix::<f64>::zeros(m, kk);
        for l in 0..nb {
            let (vr, vi) = v.col(l, q, n);
            let (wr, wi) = w.col(l, q, n);
            for r in 0..m {
                left_re[(r, l)] = vr[r];
                left_re[(r, nb + l)] = vi[r];
                left_re[(r, 2 * nb + l)] = wr[r];
                left_re[(r, 3 * nb + l)] = wi[r];
                left_im[(r, l)] = vi[r];
                left_im[(r, nb + l)] = -vr[r];
                left_im[(r, 2 * nb + l)] = wi[r];
                left_im[(r, 3 * nb + l)] = -wr[r];
                right[(r, l)] = wr[r];
                right[(r, nb + l)] = wi[r];
                right[(r, 2 * nb + l)] = vr[r];
                right[(r, 3 * nb + l)] = vi[r];
            }
        }
        let mut c0 = 0;
        while c0 < m {
            let c1 = (c0 + UPDATE_BLOCK).min(m);
            let rows = m - c0;
            // Rᵀ restricted to the block's columns: element (l, r) of Rᵀ is right[(c0 + r, l)].
            let rt = DMatrixView::from_slice_with_strides(&right.as_slice()[c0..], kk, c1 - c0, m, 1);
            let start = (q + c0) * n + (q + c0);
            for (target, left) in [(&mut self.re, &left_re), (&mut self.im, &left_im)] {
                let lv = left.view((c0, 0), (rows, kk));
                let mut cv = DMatrixViewMut::from_slice_with_strides_mut(&mut target[start..], rows, c1 - c0, 1, n);
                cv.gemm(-1.0, &lv, &rt, 1.0);
            }
            c0 = c1;
        }
    }
}

/// Columns per panel of the blocked reduction.
const PANEL: usize = 32;

/// Columns of the trailing matrix updated by one matrix product.
const UPDATE_BLOCK: usize = 128;

/// y[..m] = A[t.., t..] v for the Hermitian matrix stored by its lower triangle in `re`, `im` (n × n,
/// column-major), m = n − t, one column at a time on the calling thread; inlined into each instruction set's
/// copy of [`vectorized`] (plain loops the compiler vectorizes, in the same order for every set).
///
/// This product dominates the reduction and is bound by memory bandwidth. Splitting it across rayon's pool
/// (partial vectors per fixed chunk of columns, added in order) was measured slower on the shared 2-core
/// machine this was tuned on: the join waits for the most delayed thread once per column.
#[inline(always)]
fn hemv_trailing(re: &[f64], im: &[f64], n: usize, t: usize, v: (&[f64], &[f64]), y: &mut Split) {
    let m = n - t;
    y.re[..m].fill(0.0);
    y.im[..m].fill(0.0);
    for jj in 0..m {
        let j = t + jj;
        let off = j * n + j;
        let (cr, ci) = (&re[off..(j + 1) * n], &im[off..(j + 1) * n]);
        let dot = hemv_column(cr, ci, &v.0[jj..], &v.1[jj..], &mut y.re[jj..m], &mut y.im[jj..m]);
        y.re[jj] += dot.0;
        y.im[jj] += dot.1;
    }
}

/// Σ_k conj(a_k) b_k.
fn conj_dot(ar: &[f64], ai: &[f64], br: &[f64], bi: &[f64]) -> (f64, f64) {
    let mut s = (0.0, 0.0);
    for k in 0..ar.len().min(br.len()) {
        s.0 += ar[k] * br[k] + ai[k] * bi[k];
        s.1 += ar[k] * bi[k] - ai[k] * br[k];
    }
    s
}

/// The columns of a panel of vectors, each of the matrix's full height, real and imaginary parts apart.
#[derive(Debug, Clone)]
struct Panel {
    re: Vec<f64>,
    im: Vec<f64>,
}

impl Panel {
    fn zeros(n: usize) -> Self {
        Panel { re: vec![0.0; n * PANEL], im: vec![0.0; n * PANEL] }
    }

    fn clear(&mut self) {
        self.re.fill(0.0);
        self.im.fill(0.0);
    }

    /// Column `k` from row `from` down.
    fn col(&self, k: usize, from: usize, n: usize) -> (&[f64], &[f64]) {
        (&self.re[k * n + from..(k + 1) * n], &self.im[k * n + from..(k + 1) * n])
    }

    fn col_mut(&mut self, k: usize, from: usize, n: usize) -> (&mut [f64], &mut [f64]) {
        (&mut self.re[k * n + from..(k + 1) * n], &mut self.im[k * n + from..(k + 1) * n])
    }
}

/// Two vectors of the same length, real and imaginary parts apart.
#[derive(Debug, Clone)]
struct Split {
    re: Vec<f64>,
    im: Vec<f64>,
}

impl Split {
    fn zeros(n: usize) -> Self {
        Split { re: vec![0.0; n], im: vec![0.0; n] }
    }
}

/// The Householder reflector of LAPACK's `zlarfg`: for x = (α, x₁), returns β (real) and τ with
/// (I − τ v v†)† x = β e₁, v = (1, x₁ / (α − β)); x₁ is overwritten by v's tail.
/// A column of norm at most `negligible` gives β = 0, τ = 0: it is treated as zero.
fn householder(xr: &mut [f64], xi: &mut [f64], negligible: f64) -> (f64, (f64, f64)) {
    let (ar, ai) = (xr[0], xi[0]);
    // ‖x₁‖ with scaling against overflow and underflow.
    let scale = xr[1..].iter().chain(&xi[1..]).fold(0.0f64, |s, &a| s.max(a.abs()));
    let xnorm = if scale == 0.0 {
        0.0
    } else {
        let ss: f64 = xr[1..].iter().chain(&xi[1..]).map(|&a| (a / scale) * (a / scale)).sum();
        scale * ss.sqrt()
    };
    let norm = ar.hypot(ai).hypot(xnorm);
    if norm <= negligible {
        return (0.0, (0.0, 0.0));
    }
    if xnorm == 0.0 && ai == 0.0 {
        return (ar, (0.0, 0.0));
    }
    let beta = if ar >= 0.0 { -norm } else { norm };
    let tau = ((beta - ar) / beta, -ai / beta);
    // 1 / (α − β), scaled so that tiny columns (a numerically exhausted rank) neither underflow nor divide by 0:
    // |α − β| ≥ |β| > 0 here.
    let (dr, di) = (ar - beta, ai);
    let big = dr.abs().max(di.abs());
    let (ur, ui) = (dr / big, di / big);
    let den = big * (ur * ur + ui * ui);
    let (sr, si) = (ur / den, -ui / den);
    for (r, i) in xr[1..].iter_mut().zip(xi[1..].iter_mut()) {
        let (a, b) = (*r, *i);
        *r = a * sr - b * si;
        *i = a * si + b * sr;
    }
    (beta, tau)
}

/// A[k, j] −= v_k conj(w_j) + w_k conj(v_j) down one column (k from the diagonal on).
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn rank2_column(
    cr: &mut [f64],
    ci: &mut [f64],
    vr: &[f64],
    vi: &[f64],
    wr: &[f64],
    wi: &[f64],
    vj: (f64, f64),
    wj: (f64, f64),
) {
    let len = cr.len();
    let (ci, vr, vi, wr, wi) = (&mut ci[..len], &vr[..len], &vi[..len], &wr[..len], &wi[..len]);
    for k in 0..len {
        let (ur, ui) = rank2_term(vr[k], vi[k], wr[k], wi[k], vj, wj);
        cr[k] -= ur;
        ci[k] -= ui;
    }
}

/// v_k conj(w_j) + w_k conj(v_j), as (real, imaginary).
#[inline(always)]
fn rank2_term(vr: f64, vi: f64, wr: f64, wi: f64, vj: (f64, f64), wj: (f64, f64)) -> (f64, f64) {
    // conj(w_j) = (wj.0, −wj.1), conj(v_j) = (vj.0, −vj.1)
    let re = (vr * wj.0 + vi * wj.1) + (wr * vj.0 + wi * vj.1);
    let im = (vi * wj.0 - vr * wj.1) + (wi * vj.0 - wr * vj.1);
    (re, im)
}

/// One column's share of y = A v for a Hermitian A stored by its lower triangle: `ar`, `ai` run down column j
/// from the diagonal, `vr`, `vi` and `yr`, `yi` from row j. The diagonal and the axpy y[k] += A[k, j] v_j go
/// into y; the returned Σ_{k>j} conj(A[k, j]) v_k belongs to y_j.
#[inline(always)]
fn hemv_column(ar: &[f64], ai: &[f64], vr: &[f64], vi: &[f64], yr: &mut [f64], yi: &mut [f64]) -> (f64, f64) {
    let len = ar.len();
    let vj = (vr[0], vi[0]);
    // The diagonal of a Hermitian matrix is real.
    yr[0] += ar[0] * vj.0;
    yi[0] += ar[0] * vj.1;
    let m = len - 1;
    let (ar, ai) = (&ar[1..len], &ai[1..len]);
    let (vr, vi) = (&vr[1..len], &vi[1..len]);
    let (yr, yi) = (&mut yr[1..len], &mut yi[1..len]);
    let (ai, vr, vi, yr, yi) = (&ai[..m], &vr[..m], &vi[..m], &mut yr[..m], &mut yi[..m]);
    // The axpy is element-wise: a plain loop over equal-length slices, which the compiler vectorizes.
    for k in 0..m {
        let (a, b) = (ar[k], ai[k]);
        yr[k] += a * vj.0 - b * vj.1;
        yi[k] += a * vj.1 + b * vj.0;
    }
    // The dot product in LANES independent partial sums (a fixed order, so vectorizable without reassociating
    // anything).
    let mut acc_r = [0.0; LANES];
    let mut acc_i = [0.0; LANES];
    let full = m / LANES * LANES;
    for (((a, b), x), z) in ar[..full]
        .chunks_exact(LANES)
        .zip(ai[..full].chunks_exact(LANES))
        .zip(vr[..full].chunks_exact(LANES))
        .zip(vi[..full].chunks_exact(LANES))
    {
        for l in 0..LANES {
            acc_r[l] += a[l] * x[l] + b[l] * z[l];
            acc_i[l] += a[l] * z[l] - b[l] * x[l];
        }
    }
    for k in full..m {
        let l = k - full;
        acc_r[l] += ar[k] * vr[k] + ai[k] * vi[k];
        acc_i[l] += ar[k] * vi[k] - ai[k] * vr[k];
    }
    (pairwise(acc_r), pairwise(acc_i))
}

/// The lanes summed in a fixed tree order.
#[inline(always)]
fn pairwise(a: [f64; LANES]) -> f64 {
    ((a[0] + a[4]) + (a[2] + a[6])) + ((a[1] + a[5]) + (a[3] + a[7]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use nalgebra::DMatrix;
    use num_complex::Complex64 as C;
    use rand::{RngExt, SeedableRng};

    fn random_hermitian(n: usize, seed: u64) -> DMatrix<C> {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let a = DMatrix::from_fn(n, n, |_, _| C::new(rng.random::<f64>() - 0.5, rng.random::<f64>() - 0.5));
        &a + a.adjoint()
    }

    fn ours(h: &DMatrix<C>) -> Vec<f64> {
        let n = h.nrows();
        let re = h.iter().map(|z| z.re).collect();
        let im = h.iter().map(|z| z.im).collect();
        HermitianLower::from_parts(n, re, im).eigenvalues().unwrap()
    }

    #[test]
    fn matches_nalgebra_on_random_hermitian_matrices() {
        for (n, seed) in [(1, 1), (2, 2), (3, 3), (7, 4), (16, 5), (33, 6), (64, 7), (97, 8), (200, 9)] {
            let h = random_hermitian(n, seed);
            let mut expected: Vec<f64> = h.clone().symmetric_eigenvalues().iter().copied().collect();
            expected.sort_by(f64::total_cmp);
            let got = ours(&h);
            for (a, b) in got.iter().zip(&expected) {
                assert!((a - b).abs() <= 1e-12 * n as f64, "n = {n}: {a} vs {b}");
            }
        }
    }

    #[test]
    fn every_instruction_set_gives_the_same_tridiagonal_matrix() {
        for (n, seed) in [(1, 1), (6, 2), (45, 3), (130, 4)] {
            let h = random_hermitian(n, seed);
            let parts =
                || HermitianLower::from_parts(n, h.iter().map(|z| z.re).collect(), h.iter().map(|z| z.im).collect());
            let bits = |(d, e): (Vec<f64>, Vec<f64>)| d.iter().chain(&e).map(|x| x.to_bits()).collect::<Vec<_>>();
            let isas = InstructionSet::available();
            let portable = bits(parts().tridiagonalize(isas[0]));
            for &isa in &isas[1..] {
                assert!(bits(parts().tridiagonalize(isa)) == portable, "{isa:?}, n = {n}");
            }
        }
    }

    #[test]
    fn handles_diagonal_and_degenerate_matrices() {
        // Already tridiagonal with zero off-diagonals (every reflector is the identity), and repeated eigenvalues.
        let h = DMatrix::from_diagonal(&nalgebra::DVector::from_vec(vec![
            C::new(3.0, 0.0),
            C::new(-1.0, 0.0),
            C::new(3.0, 0.0),
            C::new(0.0, 0.0),
        ]));
        assert_eq!(ours(&h), vec![-1.0, 0.0, 3.0, 3.0]);
        // A projector onto a random vector: eigenvalues 0 (n − 1 times) and ‖u‖².
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(9);
        let u = nalgebra::DVector::from_fn(12, |_, _| C::new(rng.random::<f64>(), rng.random::<f64>()));
        let p = &u * u.adjoint();
        let ev = ours(&p);
        assert!(ev[..11].iter().all(|x| x.abs() < 1e-14));
        assert!((ev[11] - u.norm_squared()).abs() < 1e-13);
    }

    #[test]
    fn sparse_projectors_deflate_instead_of_decaying_into_subnormals() {
        // The reduced state of four Bell pairs inside an 8-qubit half of a 16-qubit register: a rank-one projector
        // onto 16 of 256 basis states. Reflectors built from rounding noise once drove this to NaN.
        let n = 256;
        let idx: Vec<usize> =
            (0..n).filter(|i| (0..4).all(|k| ((i >> (2 * k)) & 1) == ((i >> (2 * k + 1)) & 1))).collect();
        let p = DMatrix::from_fn(n, n, |a, b| {
            if idx.contains(&a) && idx.contains(&b) {
                C::new(1.0 / idx.len() as f64, 0.0)
            } else {
                C::new(0.0, 0.0)
            }
        });
        let ev = ours(&p);
        assert!((ev[n - 1] - 1.0).abs() < 1e-14);
        assert!(ev[..n - 1].iter().all(|x| x.abs() < 1e-14));
    }
}
