//! The registers of x86-64: `__m256d` (AVX2) and `__m512d` (AVX-512F).
pub(super) use std::arch::x86_64::*;

use super::{Portable, Simd, Vector};

/// The [`Vector`] impl of a register type from its intrinsics.
macro_rules! vector {
    ($v:ty, $len:literal, $tail:ty, $feature:literal, |$p:ident| $repeat:expr, $load:ident, $store:ident, $add:ident, $sub:ident, $mul:ident,
     |$a:ident| $swap:expr, $spread:expr, |$bit:ident| $spread_bit:expr, |$lane:ident| $pick:expr, $dup:expr,
     |$x:ident, $y:ident, $half:ident| $unzip:expr) => {
        // SAFETY (for every `unsafe` block in this impl): every method requires the processor to support the
        // register's instruction set, `load` and `store` a pointer valid for a register's values.
        impl Vector for $v {
            const LEN: usize = $len;
            type Tail = $tail;
            #[inline]
            #[target_feature(enable = $feature)]
            unsafe fn enabled<R>(f: impl FnOnce() -> R) -> R {
                f()
            }
            #[inline]
            #[target_feature(enable = $feature)]
            unsafe fn run<B: super::Body>(body: B) -> B::Output {
                body.run()
            }
            #[inline(always)]
            unsafe fn repeat($p: [f64; 4]) -> Self {
                // SAFETY: see the impl.
                unsafe { $repeat }
            }
            #[inline(always)]
            unsafe fn load(p: *const f64) -> Self {
                // SAFETY: see the impl.
                unsafe { $load(p) }
            }
            #[inline(always)]
            unsafe fn store(self, p: *mut f64) {
                // SAFETY: see the impl.
                unsafe { $store(p, self) }
            }
            #[inline(always)]
            unsafe fn add(self, b: Self) -> Self {
                // SAFETY: see the impl.
                unsafe { $add(self, b) }
            }
            #[inline(always)]
            unsafe fn sub(self, b: Self) -> Self {
                // SAFETY: see the impl.
                unsafe { $sub(self, b) }
            }
            #[inline(always)]
            unsafe fn mul(self, b: Self) -> Self {
                // SAFETY: see the impl.
                unsafe { $mul(self, b) }
            }
            #[inline(always)]
            unsafe fn swap(self) -> Self {
                let $a = self;
                // SAFETY: see the impl.
                unsafe { $swap }
            }
            #[inline(always)]
            unsafe fn spread(self) -> (Self, Self) {
                let $a = self;
                // SAFETY: see the impl.
                unsafe { $spread }
            }
            #[inline(always)]
            unsafe fn spread_bit(self, $bit: usize) -> (Self, Self) {
                let $a = self;
                // SAFETY: see the impl.
                unsafe { $spread_bit }
            }
            #[inline(always)]
            unsafe fn dup(self) -> (Self, Self) {
                let $a = self;
                // SAFETY: see the impl.
                unsafe { $dup }
            }
            #[inline(always)]
            unsafe fn lane(self, $lane: usize) -> Self {
                let $a = self;
                // SAFETY: see the impl.
                unsafe { $pick }
            }
            #[inline(always)]
            unsafe fn unzip(self, $y: Self, $half: usize) -> (Self, Self) {
                let $x = self;
                // SAFETY: see the impl.
                unsafe { $unzip }
            }
        }
    };
}

// Two complex numbers per register; the adjacent pairs of `spread` are its 128-bit halves.
vector!(
    __m256d,
    2,
    Portable,
    "avx2",
    |p| _mm256_loadu_pd(p.as_ptr()),
    _mm256_loadu_pd,
    _mm256_storeu_pd,
    _mm256_add_pd,
    _mm256_sub_pd,
    _mm256_mul_pd,
    |a| _mm256_permute_pd::<0b0101>(a),
    (_mm256_permute2f128_pd::<0x00>(a, a), _mm256_permute2f128_pd::<0x11>(a, a)),
    |_bit| a.spread(),
    |lane| if lane == 0 { _mm256_permute2f128_pd::<0x00>(a, a) } else { _mm256_permute2f128_pd::<0x11>(a, a) },
    (_mm256_movedup_pd(a), _mm256_permute_pd::<0b1111>(a)),
    // Half 1: (x0, y0) and (x1, y1); half 2: x and y as they are.
    |x, y, half| if half == 1 {
        (_mm256_permute2f128_pd::<0x20>(x, y), _mm256_permute2f128_pd::<0x31>(x, y))
    } else {
        (x, y)
    }
);
// Four complex numbers per register, the last one to three done with AVX2 (and then portably); the adjacent
// pairs of `spread` are its 256-bit halves, so it repeats the 128-bit lanes (0, 0, 2, 2) and (1, 1, 3, 3).
vector!(
    __m512d,
    4,
    Simd<__m256d>,
    "avx512f",
    |p| _mm512_broadcast_f64x4(_mm256_loadu_pd(p.as_ptr())),
    _mm512_loadu_pd,
    _mm512_storeu_pd,
    _mm512_add_pd,
    _mm512_sub_pd,
    _mm512_mul_pd,
    |a| _mm512_permute_pd::<0b0101_0101>(a),
    (_mm512_shuffle_f64x2::<0b1010_0000>(a, a), _mm512_shuffle_f64x2::<0b1111_0101>(a, a)),
    // Bit 1: lanes (0, 1, 0, 1) and (2, 3, 2, 3).
    |bit| if bit == 0 { a.spread() } else { (_mm512_shuffle_f64x2::<0x44>(a, a), _mm512_shuffle_f64x2::<0xEE>(a, a)) },
    |lane| match lane {
        0 => _mm512_shuffle_f64x2::<0x00>(a, a),
        1 => _mm512_shuffle_f64x2::<0x55>(a, a),
        2 => _mm512_shuffle_f64x2::<0xAA>(a, a),
        _ => _mm512_shuffle_f64x2::<0xFF>(a, a),
    },
    (_mm512_movedup_pd(a), _mm512_permute_pd::<0xFF>(a)),
    // Half 1: (x0, x2, y0, y2) and (x1, x3, y1, y3); half 2: (x0, x1, y0, y1) and (x2, x3, y2, y3).
    |x, y, half| if half == 1 {
        (_mm512_shuffle_f64x2::<0x88>(x, y), _mm512_shuffle_f64x2::<0xDD>(x, y))
    } else {
        (_mm512_shuffle_f64x2::<0x44>(x, y), _mm512_shuffle_f64x2::<0xEE>(x, y))
    }
);
