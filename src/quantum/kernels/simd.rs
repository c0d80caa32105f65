//! AVX2 versions of the hottest kernel loops, chosen at run time on x86-64.
//!
//! Each function computes exactly the arithmetic of the portable loop it replaces (the same products and sums
//! in the same order, no fused multiply-add), so both give the same bits. Two complex amplitudes fill one
//! 256-bit register as (re, im, re, im); a complex product a·b is `addsub(a·b.re, swap(a)·b.im)`.

#![cfg(target_arch = "x86_64")]

use std::arch::x86_64::*;

use num_complex::Complex64 as C;

/// a·b for two complex numbers per register, with `br`/`bi` the real and imaginary parts of b in both halves.
///
/// # Safety
/// The processor must support AVX (every caller is an AVX2 function).
#[inline(always)]
unsafe fn cmul(a: __m256d, br: __m256d, bi: __m256d) -> __m256d {
    let swapped = _mm256_permute_pd(a, 0b0101);
    _mm256_addsub_pd(_mm256_mul_pd(a, br), _mm256_mul_pd(swapped, bi))
}

/// (x, y) ← f(x, y) elementwise over two slices: `vector` on two complex numbers per register, `scalar` (the
/// same arithmetic) on an odd last element.
///
/// # Safety
/// The processor must support AVX2.
#[inline(always)]
unsafe fn split_loop(
    lo: &mut [C],
    hi: &mut [C],
    vector: impl Fn(__m256d, __m256d) -> (__m256d, __m256d),
    scalar: impl Fn(C, C) -> (C, C),
) {
    let n = lo.len().min(hi.len());
    let (pl, ph) = (lo.as_mut_ptr().cast::<f64>(), hi.as_mut_ptr().cast::<f64>());
    let mut k = 0;
    while k + 2 <= n {
        // SAFETY: k + 2 ≤ n complex numbers, 2k + 4 ≤ 2n f64s, are in both slices.
        unsafe {
            let (x, y) = vector(_mm256_loadu_pd(pl.add(2 * k)), _mm256_loadu_pd(ph.add(2 * k)));
            _mm256_storeu_pd(pl.add(2 * k), x);
            _mm256_storeu_pd(ph.add(2 * k), y);
        }
        k += 2;
    }
    for (x, y) in lo[k..n].iter_mut().zip(hi[k..n].iter_mut()) {
        (*x, *y) = scalar(*x, *y);
    }
}

/// (x, y) ← (m00·x + m01·y, m10·x + m11·y) elementwise over two slices of equal length.
///
/// # Safety
/// The processor must support AVX2.
#[target_feature(enable = "avx2")]
#[inline]
pub(crate) unsafe fn mat1_split(lo: &mut [C], hi: &mut [C], m: [[C; 2]; 2]) {
    let splat = |z: C| (_mm256_set1_pd(z.re), _mm256_set1_pd(z.im));
    let ((m00r, m00i), (m01r, m01i)) = (splat(m[0][0]), splat(m[0][1]));
    let ((m10r, m10i), (m11r, m11i)) = (splat(m[1][0]), splat(m[1][1]));
    let vector = |u, v| {
        (
            _mm256_add_pd(cmul(u, m00r, m00i), cmul(v, m01r, m01i)),
            _mm256_add_pd(cmul(u, m10r, m10i), cmul(v, m11r, m11i)),
        )
    };
    let scalar = |u: C, v: C| (m[0][0] * u + m[0][1] * v, m[1][0] * u + m[1][1] * v);
    // SAFETY: AVX2 is enabled in this function.
    unsafe { split_loop(lo, hi, vector, scalar) }
}

/// (x, y) ← (a·x + ib·y, ic·x + d·y) for real a, b, c, d (an RX-like matrix), elementwise over two slices:
/// x = (a·x.re − b·y.im, a·x.im + b·y.re), y = (d·y.re − c·x.im, d·y.im + c·x.re), as the portable loop.
///
/// # Safety
/// The processor must support AVX2.
#[target_feature(enable = "avx2")]
#[inline]
pub(crate) unsafe fn rx_split(lo: &mut [C], hi: &mut [C], [a, b, c, d]: [f64; 4]) {
    let (va, vd) = (_mm256_set1_pd(a), _mm256_set1_pd(d));
    let (vb, vc) = (_mm256_setr_pd(-b, b, -b, b), _mm256_setr_pd(-c, c, -c, c));
    let vector = |u, v| {
        (
            _mm256_add_pd(_mm256_mul_pd(va, u), _mm256_mul_pd(vb, _mm256_permute_pd(v, 0b0101))),
            _mm256_add_pd(_mm256_mul_pd(vd, v), _mm256_mul_pd(vc, _mm256_permute_pd(u, 0b0101))),
        )
    };
    let scalar = |u: C, v: C| {
        (C::new(a * u.re - b * v.im, a * u.im + b * v.re), C::new(d * v.re - c * u.im, d * v.im + c * u.re))
    };
    // SAFETY: AVX2 is enabled in this function.
    unsafe { split_loop(lo, hi, vector, scalar) }
}

/// (x, y) ← (a·x + b·y, c·x + d·y) for a real matrix, elementwise over two slices.
///
/// # Safety
/// The processor must support AVX2.
#[target_feature(enable = "avx2")]
#[inline]
pub(crate) unsafe fn real_split(lo: &mut [C], hi: &mut [C], [[a, b], [c, d]]: [[f64; 2]; 2]) {
    let (va, vb, vc, vd) = (_mm256_set1_pd(a), _mm256_set1_pd(b), _mm256_set1_pd(c), _mm256_set1_pd(d));
    let vector = |u, v| {
        (
            _mm256_add_pd(_mm256_mul_pd(va, u), _mm256_mul_pd(vb, v)),
            _mm256_add_pd(_mm256_mul_pd(vc, u), _mm256_mul_pd(vd, v)),
        )
    };
    let scalar = |u: C, v: C| {
        (C::new(a * u.re + b * v.re, a * u.im + b * v.im), C::new(c * u.re + d * v.re, c * u.im + d * v.im))
    };
    // SAFETY: AVX2 is enabled in this function.
    unsafe { split_loop(lo, hi, vector, scalar) }
}

/// The same 2x2 update on adjacent pairs (target qubit 0): (s[2k], s[2k+1]).
///
/// # Safety
/// The processor must support AVX2; `s` has even length.
#[target_feature(enable = "avx2")]
#[inline]
pub(crate) unsafe fn mat1_adjacent(s: &mut [C], m: [[C; 2]; 2]) {
    // Row coefficients: lanes (0, 1) produce x with (m00, m01), lanes (2, 3) produce y with (m10, m11).
    let col0r = _mm256_setr_pd(m[0][0].re, m[0][0].re, m[1][0].re, m[1][0].re);
    let col0i = _mm256_setr_pd(m[0][0].im, m[0][0].im, m[1][0].im, m[1][0].im);
    let col1r = _mm256_setr_pd(m[0][1].re, m[0][1].re, m[1][1].re, m[1][1].re);
    let col1i = _mm256_setr_pd(m[0][1].im, m[0][1].im, m[1][1].im, m[1][1].im);
    let p = s.as_mut_ptr().cast::<f64>();
    for k in 0..s.len() / 2 {
        let uv = _mm256_loadu_pd(p.add(4 * k));
        let uu = _mm256_permute2f128_pd(uv, uv, 0x00);
        let vv = _mm256_permute2f128_pd(uv, uv, 0x11);
        let xy = _mm256_add_pd(cmul(uu, col0r, col0i), cmul(vv, col1r, col1i));
        _mm256_storeu_pd(p.add(4 * k), xy);
    }
}

/// x ← d·x elementwise.
///
/// # Safety
/// The processor must support AVX2.
#[target_feature(enable = "avx2")]
#[inline]
pub(crate) unsafe fn scale(s: &mut [C], d: C) {
    let (dr, di) = (_mm256_set1_pd(d.re), _mm256_set1_pd(d.im));
    let n = s.len();
    let p = s.as_mut_ptr().cast::<f64>();
    let mut k = 0;
    while k + 2 <= n {
        let a = _mm256_loadu_pd(p.add(2 * k));
        _mm256_storeu_pd(p.add(2 * k), cmul(a, dr, di));
        k += 2;
    }
    for x in &mut s[k..] {
        *x *= d;
    }
}

/// Adjacent pairs scaled by (d0, d1): s[2k] ← d0·s[2k], s[2k+1] ← d1·s[2k+1] (a diagonal gate on qubit 0).
///
/// # Safety
/// The processor must support AVX2; `s` has even length.
#[target_feature(enable = "avx2")]
#[inline]
pub(crate) unsafe fn diag_adjacent(s: &mut [C], d0: C, d1: C) {
    let dr = _mm256_setr_pd(d0.re, d0.re, d1.re, d1.re);
    let di = _mm256_setr_pd(d0.im, d0.im, d1.im, d1.im);
    let p = s.as_mut_ptr().cast::<f64>();
    for k in 0..s.len() / 2 {
        let a = _mm256_loadu_pd(p.add(4 * k));
        _mm256_storeu_pd(p.add(4 * k), cmul(a, dr, di));
    }
}
