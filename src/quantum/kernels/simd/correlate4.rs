//! The 4x4 correlation of two Hermitian operators held as vectors (a density state ρ and the adjoint sweep's
//! Λ), over the groups of a pair of qubits (a, b): G\[r\]\[c\] = Σ_g conj(Λ_r) ρ_c, r and c = bit a + 2·bit b.
//! When a is a ket qubit and b its bra qubit, the Hermitian symmetry of both gives G\[r'\]\[c'\] =
//! conj(G\[r\]\[c\]) with r' the index with its two bits swapped, so ten sums suffice: six complex ones and the
//! real parts of four (r, c in {0, 3}). Four lanes per sum, the same products added into the same lanes in the
//! same order on every instruction set.

use std::marker::PhantomData;

use num_complex::Complex64 as C;

use super::{cmul, Body, Vector};
use crate::quantum::op::ZERO;

/// The (λ, φ) slice pairs of the six complex sums, then of the four real parts.
const COMPLEX: [(usize, usize); 6] = [(0, 1), (1, 0), (1, 1), (1, 2), (1, 3), (3, 1)];
const REAL: [(usize, usize); 4] = [(0, 0), (0, 3), (3, 0), (3, 3)];

/// The sums (indices into [`Lanes10`]) that a correlation contracted with an X-pattern matrix needs: one whose
/// entries off (0, 0), (0, 3), (3, 0), (3, 3), (1, 1), (2, 2) are zero and whose first four are real (the
/// superoperators of depolarizing, amplitude and phase damping and diagonal gates, and products of them):
/// G\[1\]\[1\] (G\[2\]\[2\] is its conjugate) and the four real parts.
pub(crate) const X_PATTERN_SUMS: [usize; 5] = [2, 6, 7, 8, 9];

/// Four lanes of each of the ten sums: the six complex ones, then the four real parts (each lane holding
/// (Σ λ.re·φ.re, Σ λ.im·φ.im), added at the end).
pub(crate) type Lanes10 = [[C; 4]; 10];

/// G from the ten sums' lanes, each folded as (lane 0 + lane 1) + (lane 2 + lane 3).
pub(crate) fn fold_hermitian(lanes: &Lanes10) -> [[C; 4]; 4] {
    let fold = |l: &[C; 4]| (l[0] + l[1]) + (l[2] + l[3]);
    let swap = |r: usize| [0, 2, 1, 3][r];
    let mut g = [[ZERO; 4]; 4];
    for (&(r, c), l) in COMPLEX.iter().zip(&lanes[..6]) {
        g[r][c] = fold(l);
        g[swap(r)][swap(c)] = fold(l).conj();
    }
    for (&(r, c), l) in REAL.iter().zip(&lanes[6..]) {
        let s = fold(l);
        g[r][c] = C::new(s.re + s.im, 0.0);
    }
    g
}

/// The portable loop over whole blocks of the window's halves (see [`Correlate4`]): element k of block i's
/// four slices (bit a + 2·bit b) in lane (i·half + k) mod 4 (k mod 4 for half a multiple of 4), blocks in
/// order; the ten sums, or (without `ALL`) the five of [`X_PATTERN_SUMS`].
#[inline(always)]
pub(super) fn correlate4_portable<const ALL: bool>(
    phi: [&[C]; 2],
    lambda: [&[C]; 2],
    half: usize,
    lanes: &mut Lanes10,
) {
    let len = phi[0].len();
    let (p0, p1, l0, l1) = (&phi[0][..len], &phi[1][..len], &lambda[0][..len], &lambda[1][..len]);
    for block in 0..len / (2 * half) {
        let start = 2 * half * block;
        for k in 0..half {
            let (i, j) = (start + k, start + half + k);
            let (p, l) = ([p0[i], p0[j], p1[i], p1[j]], [l0[i], l0[j], l1[i], l1[j]]);
            let lane = (block * half + k) % 4;
            for (q, (acc, &(r, c))) in lanes.iter_mut().zip(&COMPLEX).enumerate() {
                if ALL || q == X_PATTERN_SUMS[0] {
                    acc[lane] += l[r].conj() * p[c];
                }
            }
            for (acc, &(r, c)) in lanes[6..].iter_mut().zip(&REAL) {
                acc[lane] += C::new(l[r].re * p[c].re, l[r].im * p[c].im);
            }
        }
    }
}

/// [`Kernels::correlate4_blocks`](super::Kernels::correlate4_blocks) for blocks shorter than the four lanes
/// (half 1 or 2), on registers `V`: each span of 8 entries (4/half consecutive blocks) is loaded whole and
/// unzipped in registers ([`Vector::unzip`]) into its bit-a-clear and bit-a-set elements, so that element k
/// of block i goes into lane (i·half + k) mod 4, blocks in order, as [`correlate4_portable`] adds it. The
/// blocks after the last whole span go through the portable loop: their first block is a multiple of 4/half,
/// so the lanes agree.
///
/// # Safety
/// The processor supports `V`'s instruction set.
#[inline(always)]
pub(super) unsafe fn correlate4_short<V: Vector, const ALL: bool>(
    phi: [&[C]; 2],
    lambda: [&[C]; 2],
    half: usize,
    lanes: &mut Lanes10,
) {
    debug_assert!(half == 1 || half == 2);
    let spans = phi[0].len() / 8;
    // SAFETY: as the caller promises.
    unsafe {
        V::run(Correlate4Short::<V, ALL> { phi, lambda, half, spans, lanes: &mut *lanes, register: PhantomData })
    };
    let rest = 8 * spans;
    if rest < phi[0].len() {
        let (p, l) = ([&phi[0][rest..], &phi[1][rest..]], [&lambda[0][rest..], &lambda[1][rest..]]);
        correlate4_portable::<ALL>(p, l, half, lanes);
    }
}

/// The register loop of [`correlate4_short`] over the first `spans` spans of 8 entries.
struct Correlate4Short<'a, 'l, V, const ALL: bool> {
    phi: [&'a [C]; 2],
    lambda: [&'a [C]; 2],
    half: usize,
    spans: usize,
    lanes: &'l mut Lanes10,
    register: PhantomData<V>,
}

impl<V: Vector, const ALL: bool> Body for Correlate4Short<'_, '_, V, ALL> {
    type Output = ();
    #[inline(always)]
    fn run(self) {
        let Correlate4Short { phi, lambda, half, spans, lanes, .. } = self;
        assert!(spans * 8 <= phi[0].len().min(phi[1].len()).min(lambda[0].len()).min(lambda[1].len()));
        // SAFETY: a `Correlate4Short` runs only through `V::run`; every register read lies in the first `spans`
        // spans of 8 entries of its slice (asserted above), and a lane row holds 8 f64s.
        unsafe {
            let groups = 4 / V::LEN;
            // (No closures or iterators here, as in `Correlate4`.)
            let mut acc = load_lanes::<V>(lanes);
            let (p0, p1) = (phi[0].as_ptr().cast::<f64>(), phi[1].as_ptr().cast::<f64>());
            let (l0, l1) = (lambda[0].as_ptr().cast::<f64>(), lambda[1].as_ptr().cast::<f64>());
            let mut i = 0;
            while i < spans {
                let mut j = 0;
                while j < groups {
                    let o = 16 * i + 4 * V::LEN * j;
                    let ((x0, x1), (x2, x3)) = (unzip::<V>(p0, o, half), unzip::<V>(p1, o, half));
                    let ((y0, y1), (_, y3)) = (unzip::<V>(l0, o, half), unzip::<V>(l1, o, half));
                    accumulate::<V, ALL>(&mut acc[j], [x0, x1, x2, x3], [y0, y1, y3]);
                    j += 1;
                }
                i += 1;
            }
            store_lanes(&acc, lanes);
        }
    }
}

/// The two registers of 2·LEN entries at f64 offset `o` of `s`, unzipped into the bit-a-clear and bit-a-set
/// elements of blocks of 2·`half` ([`Vector::unzip`]).
///
/// # Safety
/// The processor supports `V`'s instruction set; `s` is valid for reading 4·LEN values from `o`.
#[inline(always)]
unsafe fn unzip<V: Vector>(s: *const f64, o: usize, half: usize) -> (V, V) {
    // SAFETY: as the caller promises.
    unsafe { V::load(s.add(o)).unzip(V::load(s.add(o + 2 * V::LEN)), half) }
}

/// The correlation over whole blocks: `phi` and `lambda` each as the halves (bit b clear, set) of a window, of
/// whole blocks of 2·`half` (bit a clear, set); each block's k restarting at 0.
pub(super) struct Correlate4<'a, 'l, V, const ALL: bool> {
    pub(super) phi: [&'a [C]; 2],
    pub(super) lambda: [&'a [C]; 2],
    pub(super) half: usize,
    pub(super) lanes: &'l mut Lanes10,
    pub(super) register: std::marker::PhantomData<V>,
}

impl<V: Vector, const ALL: bool> Body for Correlate4<'_, '_, V, ALL> {
    type Output = ();
    #[inline(always)]
    fn run(self) {
        let Correlate4 { phi, lambda, half, lanes, .. } = self;
        debug_assert!(half % 4 == 0, "whole groups of four lanes");
        // Register group j holds lanes j·LEN ..: element k goes to group (k / LEN) mod (4 / LEN).
        // SAFETY: a `Correlate4` runs only through `V::run`; every register read is inside its slice (half is a
        // multiple of 4 and k + 4 ≤ half), and a lane row holds 8 f64s.
        unsafe {
            let groups = 4 / V::LEN;
            // (No closures here: a closure would not be inlined into the function compiled for `V`, and its
            // intrinsics would become calls.)
            let mut acc = load_lanes::<V>(lanes);
            let blocks = phi[0].len() / (2 * half);
            let mut i = 0;
            while i < blocks {
                let base = 4 * half * i;
                let (p0, p1) = (phi[0].as_ptr().cast::<f64>().add(base), phi[1].as_ptr().cast::<f64>().add(base));
                let (l0, l1) = (lambda[0].as_ptr().cast::<f64>().add(base), lambda[1].as_ptr().cast::<f64>().add(base));
                // Slice s of the block: bit a = s & 1 (offset half), bit b = s >> 1 (the other half).
                let off = 2 * half;
                let mut k = 0;
                while k < half {
                    let mut j = 0;
                    while j < groups {
                        let o = 2 * (k + j * V::LEN);
                        let (x0, x1, x2, x3) = (
                            V::load(p0.add(o)),
                            V::load(p0.add(o + off)),
                            V::load(p1.add(o)),
                            V::load(p1.add(o + off)),
                        );
                        let (y0, y1, y3) = (V::load(l0.add(o)), V::load(l0.add(o + off)), V::load(l1.add(o + off)));
                        accumulate::<V, ALL>(&mut acc[j], [x0, x1, x2, x3], [y0, y1, y3]);
                        j += 1;
                    }
                    k += 4;
                }
                i += 1;
            }
            store_lanes(&acc, lanes);
        }
    }
}

/// The lanes of the ten sums in registers: register group j (of 4 / LEN) holds lanes j·LEN ...
///
/// # Safety
/// The processor supports `V`'s instruction set.
#[inline(always)]
unsafe fn load_lanes<V: Vector>(lanes: &Lanes10) -> [[V; 10]; 2] {
    // SAFETY: as the caller promises; a lane row holds 8 ≥ 2·j·LEN + 2·LEN f64s for j < 4 / LEN.
    unsafe {
        let mut acc: [[V; 10]; 2] = [[V::repeat([0.0; 4]); 10]; 2];
        let mut j = 0;
        while j < 4 / V::LEN {
            let mut q = 0;
            while q < 10 {
                acc[j][q] = V::load(lanes[q].as_ptr().cast::<f64>().add(2 * j * V::LEN));
                q += 1;
            }
            j += 1;
        }
        acc
    }
}

/// The registers of [`load_lanes`] back into the lanes.
///
/// # Safety
/// The processor supports `V`'s instruction set.
#[inline(always)]
unsafe fn store_lanes<V: Vector>(acc: &[[V; 10]; 2], lanes: &mut Lanes10) {
    // SAFETY: as in `load_lanes`.
    unsafe {
        let mut j = 0;
        while j < 4 / V::LEN {
            let mut q = 0;
            while q < 10 {
                acc[j][q].store(lanes[q].as_mut_ptr().cast::<f64>().add(2 * j * V::LEN));
                q += 1;
            }
            j += 1;
        }
    }
}

/// Adds one register of each of the ten sums (without `ALL`, of the five of [`X_PATTERN_SUMS`]) into `a`:
/// `x` the four slices of φ (bit a + 2·bit b), `y` those of λ with bits (0, 0), (1, 0) and (1, 1).
///
/// # Safety
/// The processor supports `V`'s instruction set.
#[inline(always)]
unsafe fn accumulate<V: Vector, const ALL: bool>(a: &mut [V; 10], [x0, x1, x2, x3]: [V; 4], [y0, y1, y3]: [V; 3]) {
    // SAFETY: as the caller promises.
    unsafe {
        let (c0, c1, c3) = (conj_factors(y0), conj_factors(y1), conj_factors(y3));
        if ALL {
            a[0] = a[0].add(cmul(x1, c0));
            a[1] = a[1].add(cmul(x0, c1));
        }
        a[2] = a[2].add(cmul(x1, c1));
        if ALL {
            a[3] = a[3].add(cmul(x2, c1));
            a[4] = a[4].add(cmul(x3, c1));
            a[5] = a[5].add(cmul(x1, c3));
        }
        a[6] = a[6].add(y0.mul(x0));
        a[7] = a[7].add(y0.mul(x3));
        a[8] = a[8].add(y3.mul(x0));
        a[9] = a[9].add(y3.mul(x3));
    }
}

/// The factors by which [`cmul`] multiplies by conj(b), elementwise: (b.re, b.re) and (b.im, −b.im).
///
/// # Safety
/// The processor supports `V`'s instruction set.
#[inline(always)]
unsafe fn conj_factors<V: Vector>(b: V) -> (V, V) {
    // SAFETY: as the caller promises.
    unsafe {
        let (re, im) = b.dup();
        (re, im.mul(V::repeat([1.0, -1.0, 1.0, -1.0])))
    }
}
