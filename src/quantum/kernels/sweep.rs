//! The 4x4 correlation of the noisy adjoint sweep: for a density state φ = ρ and the sweep's Λ, both Hermitian,
//! G\[r\]\[c\] = Σ_g conj(λ_r) φ_c over the groups of a ket qubit a and its bra qubit b (r, c = bit a +
//! 2·bit b), from ten sums instead of sixteen (see [`fold_hermitian`](super::simd::fold_hermitian)), window by
//! window with partial sums over fixed windows added in order (so results do not depend on the number of
//! threads), the same bits on every instruction set.

use num_complex::Complex64 as C;

use super::simd::{dispatch, fold_hermitian, Isa, Kernels, Lanes10, Task};
use crate::quantum::op::ZERO;

/// Amplitudes of each half of a window.
const WINDOW: usize = 1 << 10;

/// Windows per task (and per partial sum): fixed, so the sums do not depend on the number of threads.
const TASK_WINDOWS: usize = 8;

/// Which entries of a Hermitian correlation to take.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Sums {
    /// All sixteen (from ten sums).
    All,
    /// The six of the X pattern, (0, 0), (0, 3), (3, 0), (3, 3) (their real parts), (1, 1) and (2, 2), from
    /// five sums (the X-pattern sums of `correlate4`); the others are left zero. Enough to contract G with a
    /// matrix that is zero elsewhere and real on the first four.
    XPattern,
}

/// G\[r\]\[c\] = Σ_g conj(λ_r) φ_c over the groups of qubits a < b, for Hermitian φ and λ whose qubit b is qubit
/// a's bra (G\[r'\]\[c'\] = conj(G\[r\]\[c\]), r' with its two bits swapped, is taken as exact), the entries
/// `sums` says (each one the same bits either way).
pub(crate) fn correlate_hermitian(phi: &[C], lambda: &[C], a: usize, b: usize, sums: Sums) -> [[C; 4]; 4] {
    assert!(a < b && phi.len() == lambda.len() && phi.len() >= 2 << b, "qubits a < b within both states");
    dispatch(Isa::detected(), Hermitian { phi, lambda, a, b, sums })
}

/// The arguments of [`correlate_hermitian`].
struct Hermitian<'s> {
    phi: &'s [C],
    lambda: &'s [C],
    a: usize,
    b: usize,
    sums: Sums,
}

impl Task for Hermitian<'_> {
    type Output = [[C; 4]; 4];
    #[inline(always)]
    fn run<K: Kernels>(self, k: K) -> [[C; 4]; 4] {
        let Hermitian { phi, lambda, a, b, sums } = self;
        let (ha, hb) = (1usize << a, 1usize << b);
        // Windows of `w` amplitudes (whole blocks of 2^(a+1)) at the same place in the halves of b.
        let w = hb.min(WINDOW.max(2 * ha));
        let per_block = hb / w;
        let windows = (phi.len() / (2 * hb)) * per_block;
        let task = |t: usize| -> [[C; 4]; 4] {
            let mut lanes: Lanes10 = [[ZERO; 4]; 10];
            for i in t * TASK_WINDOWS..((t + 1) * TASK_WINDOWS).min(windows) {
                let start = (i / per_block) * 2 * hb + (i % per_block) * w;
                let p = [&phi[start..start + w], &phi[start + hb..start + hb + w]];
                let l = [&lambda[start..start + w], &lambda[start + hb..start + hb + w]];
                match sums {
                    Sums::All => k.correlate4_blocks::<true>(p, l, ha, &mut lanes),
                    Sums::XPattern => k.correlate4_blocks::<false>(p, l, ha, &mut lanes),
                }
            }
            fold_hermitian(&lanes)
        };
        let tasks = windows.div_ceil(TASK_WINDOWS);
        let add = |x: [[C; 4]; 4], y: [[C; 4]; 4]| std::array::from_fn(|r| std::array::from_fn(|c| x[r][c] + y[r][c]));
        #[cfg(feature = "parallel")]
        if super::parallel(phi.len()) {
            use rayon::prelude::*;
            let partials: Vec<[[C; 4]; 4]> = (0..tasks).into_par_iter().map(task).collect();
            return partials.into_iter().fold([[ZERO; 4]; 4], add);
        }
        (0..tasks).map(task).fold([[ZERO; 4]; 4], add)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quantum::kernels::simd::Lanes10;
    use crate::quantum::kernels::simd::X_PATTERN_SUMS;

    fn lcg(s: &mut u64) -> f64 {
        *s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (*s >> 11) as f64 / (1u64 << 53) as f64 - 0.5
    }

    /// vec(H) for a random Hermitian H of dimension 2^n (column-major: H[r][c] at r + 2^n·c).
    fn hermitian(n: usize, seed: &mut u64) -> Vec<C> {
        let d = 1usize << n;
        let a: Vec<C> = (0..d * d).map(|_| C::new(lcg(seed), lcg(seed))).collect();
        (0..d * d).map(|i| a[i] + a[(i / d) + d * (i % d)].conj()).collect()
    }

    /// The sixteen sums, one group at a time.
    fn plain(phi: &[C], lambda: &[C], a: usize, b: usize) -> [[C; 4]; 4] {
        let mut g = [[ZERO; 4]; 4];
        let o = |r: usize| ((r & 1) << a) | ((r >> 1) << b);
        for base in (0..phi.len()).filter(|i| i >> a & 1 == 0 && i >> b & 1 == 0) {
            for (r, row) in g.iter_mut().enumerate() {
                for (c, g) in row.iter_mut().enumerate() {
                    *g += lambda[base + o(r)].conj() * phi[base + o(c)];
                }
            }
        }
        g
    }

    #[test]
    fn hermitian_correlations_equal_the_sixteen_sums_for_any_thread_count() {
        let mut seed = 5;
        for n in [1usize, 2, 3, 7] {
            let (phi, lambda) = (hermitian(n, &mut seed), hermitian(n, &mut seed));
            for q in 0..n {
                let want = plain(&phi, &lambda, q, q + n);
                let scale = want.iter().flatten().map(|z| z.norm()).fold(1.0, f64::max);
                let got = correlate_hermitian(&phi, &lambda, q, q + n, Sums::All);
                let diff = (0..16).map(|k| (got[k / 4][k % 4] - want[k / 4][k % 4]).norm()).fold(0.0, f64::max);
                assert!(diff < 1e-13 * scale, "n = {n}, q = {q}: {diff}");
                let on = |threads: usize, sums: Sums| {
                    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
                    pool.install(|| correlate_hermitian(&phi, &lambda, q, q + n, sums))
                };
                let bits = |g: [[C; 4]; 4]| g.map(|r| r.map(|z| (z.re.to_bits(), z.im.to_bits())));
                assert_eq!(bits(on(1, Sums::All)), bits(on(2, Sums::All)), "n = {n}, q = {q}");
                assert_eq!(bits(on(1, Sums::All)), bits(got));
                // The X pattern's six entries are the same bits as from all sums; the others are zero.
                let x = on(2, Sums::XPattern);
                assert_eq!(bits(x), bits(on(1, Sums::XPattern)), "n = {n}, q = {q}");
                for (k, (x, all)) in x.iter().flatten().zip(got.iter().flatten()).enumerate() {
                    let kept = [0, 3, 5, 10, 12, 15].contains(&k);
                    assert_eq!(bits([[*x; 4]; 4]), bits([[if kept { *all } else { ZERO }; 4]; 4]), "{k}");
                }
            }
        }
    }

    #[test]
    fn the_ten_sums_are_the_same_bits_on_every_instruction_set_and_the_plain_sums() {
        // All ten sums, then the five of the X pattern.
        struct Ten<'a>([&'a [C]; 2], [&'a [C]; 2], usize);
        impl Task for Ten<'_> {
            type Output = (Lanes10, Lanes10);
            fn run<K: Kernels>(self, k: K) -> (Lanes10, Lanes10) {
                let (mut all, mut five) = ([[C::new(0.25, -0.5); 4]; 10], [[C::new(0.25, -0.5); 4]; 10]);
                k.correlate4_blocks::<true>(self.0, self.1, self.2, &mut all);
                k.correlate4_blocks::<false>(self.0, self.1, self.2, &mut five);
                (all, five)
            }
        }
        let isas = Isa::available();
        let mut seed = 17;
        let pairs: [(usize, usize); 10] =
            [(0, 1), (1, 0), (1, 1), (1, 2), (1, 3), (3, 1), (0, 0), (0, 3), (3, 0), (3, 3)];
        // Whole groups of four lanes, a block left over (half < 4) and many spans of eight entries.
        let windows =
            [1usize, 2, 4, 8, 64].into_iter().flat_map(|half| [(half, 8 * half), (half, 10 * half), (half, 600)]);
        for (half, w) in windows.filter(|&(half, w)| w % (2 * half) == 0) {
            let v: Vec<Vec<C>> =
                (0..4).map(|_| (0..w).map(|_| C::new(lcg(&mut seed), lcg(&mut seed))).collect()).collect();
            let (phi, lambda) = ([&v[0][..], &v[1][..]], [&v[2][..], &v[3][..]]);
            let (portable, five) = dispatch(isas[0], Ten(phi, lambda, half));
            let bits = |l: &Lanes10| l.iter().flatten().map(|z| (z.re.to_bits(), z.im.to_bits())).collect::<Vec<_>>();
            for &isa in &isas[1..] {
                let (all, x) = dispatch(isa, Ten(phi, lambda, half));
                assert_eq!(bits(&all), bits(&portable), "{isa:?}, half {half}, {w}");
                assert_eq!(bits(&x), bits(&five), "{isa:?}, half {half}, {w}");
            }
            // Five sums as all ten give them; the others' lanes untouched.
            for q in 0..10 {
                let want = if X_PATTERN_SUMS.contains(&q) { portable[q] } else { [C::new(0.25, -0.5); 4] };
                assert_eq!(bits(&[five[q]; 10]), bits(&[want; 10]), "half {half}, {w}, sum {q}");
            }
            // Slice s of block i: bit a = s & 1, bit b = s >> 1.
            let at = |h: [&[C]; 2], s: usize, i: usize, k: usize| h[s >> 1][2 * half * i + (s & 1) * half + k];
            for (q, &(r, c)) in pairs.iter().enumerate() {
                let mut want = C::new(1.0, -2.0);
                for i in 0..w / (2 * half) {
                    for k in 0..half {
                        let (l, p) = (at(lambda, r, i, k), at(phi, c, i, k));
                        want += if q < 6 { l.conj() * p } else { C::new(l.re * p.re, l.im * p.im) };
                    }
                }
                let lane = portable[q];
                let got = (lane[0] + lane[1]) + (lane[2] + lane[3]);
                assert!((got - want).norm() < 1e-12, "half {half}, {w}, sum {q}: {got} vs {want}");
            }
        }
    }
}
