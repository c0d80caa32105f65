//! The one SIMD dispatch of the crate: the instruction set is detected once ([`Isa::detected`]), and
//! [`dispatch`] runs a [`Task`] compiled for it, handing the task the matching [`Kernels`], the leaf loops of
//! the gate kernels. Code outside this module never enables a target feature or calls an intrinsic.
//!
//! Every vector loop computes exactly the arithmetic of the portable loop it replaces (the same products and
//! sums in the same order, no fused multiply-add: Rust never contracts `a * b + c` on its own), so every
//! instruction set gives the same bits. A register holds (re, im) pairs; a complex product a·b is
//! `a·b.re + swap(a)·(−b.im, b.im)`, which rounds as the portable `(a.re·b.re − a.im·b.im, a.re·b.im + a.im·b.re)`
//! since x − y = x + (−y) and (−x)·y = −(x·y) exactly.
//!
//! The levels, narrowest first: the portable loops; AVX2 (`__m256d`, two complex numbers per register); AVX-512F
//! (`__m512d`, four), whose loops finish the last one to three amplitudes of a slice with the AVX2 loops and
//! those the last one with the portable loops. [`Isa::detected`] picks the widest.

use num_complex::Complex64 as C;

mod correlate;
mod correlate4;
mod dense2;

use correlate::{correlate_blocks_portable, correlate_portable, Correlate};
pub(crate) use correlate::{correlations, fold_lanes, pair_terms, Lanes};
#[cfg(test)]
pub(crate) use correlate4::X_PATTERN_SUMS;
use correlate4::{correlate4_portable, correlate4_short, Correlate4};
pub(crate) use correlate4::{fold_hermitian, Lanes10};
pub(crate) use dense2::Dense4;
use dense2::{lanes, mat2_portable, quads, rows4, Mat2Blocks, Mat2Halves, Mat2Slices};

/// An instruction set the processor supports. Only [`Isa::detected`] and [`Isa::available`] make one, so
/// holding an `Isa` proves the support.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Isa(Level);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Level {
    Portable,
    #[cfg(target_arch = "x86_64")]
    Avx2,
    #[cfg(target_arch = "x86_64")]
    Avx512,
}

impl Isa {
    /// The widest instruction set the processor supports, detected on the first call.
    pub(crate) fn detected() -> Isa {
        static DETECTED: std::sync::OnceLock<Isa> = std::sync::OnceLock::new();
        *DETECTED.get_or_init(|| *Isa::available().last().expect("portable code runs everywhere"))
    }

    /// Every instruction set the processor supports, narrowest first.
    pub(crate) fn available() -> Vec<Isa> {
        #[allow(unused_mut)]
        let mut isas = vec![Isa(Level::Portable)];
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            isas.push(Isa(Level::Avx2));
            if std::arch::is_x86_feature_detected!("avx512f") {
                isas.push(Isa(Level::Avx512));
            }
        }
        isas
    }
}

/// Work to run with the kernels of one instruction set: `run` is compiled once per instruction set, with that
/// set's target features enabled (so the compiler may also vectorize its portable loops with them).
pub(crate) trait Task {
    type Output;
    fn run<K: Kernels>(self, kernels: K) -> Self::Output;
}

/// Runs `task` compiled for `isa`.
#[inline]
pub(crate) fn dispatch<T: Task>(isa: Isa, task: T) -> T::Output {
    match isa.0 {
        Level::Portable => task.run(Portable),
        // SAFETY: an `Isa` is made only after detecting its instruction set.
        #[cfg(target_arch = "x86_64")]
        Level::Avx2 => unsafe { run_avx2(task) },
        // SAFETY: as above.
        #[cfg(target_arch = "x86_64")]
        Level::Avx512 => unsafe { run_avx512(task) },
    }
}

/// [`Task::run`] with AVX2 enabled.
///
/// # Safety
/// The processor must support AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn run_avx2<T: Task>(task: T) -> T::Output {
    // SAFETY: the processor supports AVX2, as the caller promises.
    task.run(unsafe { Simd::<x86::__m256d>::new() })
}

/// [`Task::run`] with AVX-512F (which implies AVX2) enabled.
///
/// # Safety
/// The processor must support AVX2 and AVX-512F.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn run_avx512<T: Task>(task: T) -> T::Output {
    // SAFETY: the processor supports AVX2 and AVX-512F, as the caller promises.
    task.run(unsafe { Simd::<x86::__m512d>::new() })
}

/// The leaf loops of the gate kernels for one instruction set. A value proves that the processor supports it.
pub(crate) trait Kernels: Copy + Send + Sync {
    /// The kernels, without checking the processor.
    ///
    /// # Safety
    /// The processor must support the instruction set.
    unsafe fn new() -> Self;
    /// x ← d·x elementwise.
    fn scale(self, s: &mut [C], d: C);
    /// (x, y) ← (m₀₀x + m₀₁y, m₁₀x + m₁₁y) elementwise over two slices of equal length.
    fn mat1(self, lo: &mut [C], hi: &mut [C], m: [[C; 2]; 2]);
    /// The same for an RX-like matrix [[a, ib], [ic, d]] (a, b, c, d real): x ← (a·x.re − b·y.im, a·x.im +
    /// b·y.re), y ← (d·y.re − c·x.im, d·y.im + c·x.re).
    fn rx(self, lo: &mut [C], hi: &mut [C], abcd: [f64; 4]);
    /// The same for a real matrix [[a, b], [c, d]], on real and imaginary parts alike.
    fn real(self, lo: &mut [C], hi: &mut [C], m: [[f64; 2]; 2]);
    /// s[2k] ← d0·s[2k], s[2k+1] ← d1·s[2k+1] over an even-length slice (a diagonal gate on qubit 0).
    fn diag_adjacent(self, s: &mut [C], d0: C, d1: C);
    /// [`Kernels::mat1`] on every pair of half-blocks (lo, hi) of length `half` of `chunk` (whole blocks of
    /// 2·half): one call loops over all of them.
    fn mat1_blocks(self, chunk: &mut [C], half: usize, m: [[C; 2]; 2]);
    /// [`Kernels::rx`] on every pair of half-blocks, as [`Kernels::mat1_blocks`].
    fn rx_blocks(self, chunk: &mut [C], half: usize, abcd: [f64; 4]);
    /// [`Kernels::real`] on every pair of half-blocks, as [`Kernels::mat1_blocks`].
    fn real_blocks(self, chunk: &mut [C], half: usize, m: [[f64; 2]; 2]);
    /// lo ← d0·lo, hi ← d1·hi on every pair of half-blocks, as [`Kernels::mat1_blocks`].
    fn diag_blocks(self, chunk: &mut [C], half: usize, d0: C, d1: C);
    /// (s₀, s₁, s₂, s₃) ← M·(s₀, s₁, s₂, s₃) elementwise over four slices of equal length, as [`mat2_portable`].
    fn mat2(self, s: [&mut [C]; 4], m: &Dense4);
    /// The four sums of a one-target node's correlation over pairs (see [`correlations`]):
    /// `lanes[e][k mod 4] += pair_terms((φ₀[k], φ₁[k]), (λ₀[k], λ₁[k]))[e]` for k in order, with
    /// (φ₀, φ₁, λ₀, λ₁) = (`p0`, `p1`, `l0`, `l1`) of equal length. Every instruction set adds the same products
    /// into the same lanes in the same order.
    fn correlate(self, p0: &[C], p1: &[C], l0: &[C], l1: &[C], lanes: &mut Lanes);
    /// [`Kernels::correlate`] on the pairs of half-blocks of length `half` of `p` (φ) and `l` (λ), whole blocks
    /// of 2·half, the pairs numbered in order across blocks (block b's element k is pair b·half + k).
    fn correlate_blocks(self, p: &[C], l: &[C], half: usize, lanes: &mut Lanes);
    /// The ten sums of a Hermitian 4x4 correlation (see [`fold_hermitian`]) over a window of qubits a < b:
    /// `phi` and `lambda` each as the window's halves (bit b clear, set), whole blocks of 2·`half` (bit a clear,
    /// set), each block's k restarting at 0, element k in lane k mod 4. Without `ALL`, only the five sums of
    /// the X pattern ([`X_PATTERN_SUMS`]); the others' lanes are left as they are.
    fn correlate4_blocks<const ALL: bool>(self, phi: [&[C]; 2], lambda: [&[C]; 2], half: usize, lanes: &mut Lanes10);
    /// The 4x4 matrix `m` on qubits a < b, given the amplitudes with bit b clear (`lo`) and set (`hi`), of
    /// equal length, a whole number of blocks of 2^(a+1) (a window of the halves of qubit b).
    #[cfg_attr(not(feature = "parallel"), allow(dead_code))]
    fn mat2_halves(self, lo: &mut [C], hi: &mut [C], a: usize, m: &Dense4);
    /// The 4x4 matrix `m` on qubits a < b of `chunk` (whole blocks of 2^(b+1) amplitudes), indexed by
    /// bit(a) + 2·bit(b): each row's four products added in column order, as [`mat2_portable`].
    fn mat2_blocks(self, chunk: &mut [C], a: usize, b: usize, m: &Dense4);
}

/// `leaf(lo, hi)` on every pair of half-blocks of length `half` of `chunk`.
#[inline(always)]
fn halves(chunk: &mut [C], half: usize, mut leaf: impl FnMut(&mut [C], &mut [C])) {
    for b in chunk.chunks_exact_mut(2 * half) {
        let (lo, hi) = b.split_at_mut(half);
        leaf(lo, hi);
    }
}

/// The portable loops, which every other instruction set reproduces bit for bit.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Portable;

impl Kernels for Portable {
    unsafe fn new() -> Self {
        Portable
    }
    #[inline(always)]
    fn scale(self, s: &mut [C], d: C) {
        s.iter_mut().for_each(|x| *x *= d);
    }
    #[inline(always)]
    fn mat1(self, lo: &mut [C], hi: &mut [C], m: [[C; 2]; 2]) {
        for (x, y) in lo.iter_mut().zip(hi.iter_mut()) {
            (*x, *y) = (m[0][0] * *x + m[0][1] * *y, m[1][0] * *x + m[1][1] * *y);
        }
    }
    #[inline(always)]
    fn rx(self, lo: &mut [C], hi: &mut [C], [a, b, c, d]: [f64; 4]) {
        for (x, y) in lo.iter_mut().zip(hi.iter_mut()) {
            let (u, v) = (*x, *y);
            *x = C::new(a * u.re - b * v.im, a * u.im + b * v.re);
            *y = C::new(d * v.re - c * u.im, d * v.im + c * u.re);
        }
    }
    #[inline(always)]
    fn real(self, lo: &mut [C], hi: &mut [C], [[a, b], [c, d]]: [[f64; 2]; 2]) {
        for (x, y) in as_f64(lo).iter_mut().zip(as_f64(hi).iter_mut()) {
            (*x, *y) = (a * *x + b * *y, c * *x + d * *y);
        }
    }
    #[inline(always)]
    fn diag_adjacent(self, s: &mut [C], d0: C, d1: C) {
        for pair in s.chunks_exact_mut(2) {
            pair[0] *= d0;
            pair[1] *= d1;
        }
    }
    #[inline(always)]
    fn mat1_blocks(self, chunk: &mut [C], half: usize, m: [[C; 2]; 2]) {
        halves(chunk, half, |lo, hi| self.mat1(lo, hi, m));
    }
    #[inline(always)]
    fn rx_blocks(self, chunk: &mut [C], half: usize, abcd: [f64; 4]) {
        halves(chunk, half, |lo, hi| self.rx(lo, hi, abcd));
    }
    #[inline(always)]
    fn real_blocks(self, chunk: &mut [C], half: usize, m: [[f64; 2]; 2]) {
        halves(chunk, half, |lo, hi| self.real(lo, hi, m));
    }
    #[inline(always)]
    fn diag_blocks(self, chunk: &mut [C], half: usize, d0: C, d1: C) {
        halves(chunk, half, |lo, hi| {
            self.scale(lo, d0);
            self.scale(hi, d1);
        });
    }
    #[inline(always)]
    fn mat2(self, s: [&mut [C]; 4], m: &Dense4) {
        mat2_portable(s, m);
    }
    #[inline(always)]
    fn correlate(self, p0: &[C], p1: &[C], l0: &[C], l1: &[C], lanes: &mut Lanes) {
        correlate_portable(p0, p1, l0, l1, lanes, 0);
    }
    #[inline(always)]
    fn correlate_blocks(self, p: &[C], l: &[C], half: usize, lanes: &mut Lanes) {
        correlate_blocks_portable(p, l, half, lanes);
    }
    #[inline(always)]
    fn correlate4_blocks<const ALL: bool>(self, phi: [&[C]; 2], lambda: [&[C]; 2], half: usize, lanes: &mut Lanes10) {
        correlate4_portable::<ALL>(phi, lambda, half, lanes);
    }
    #[inline(always)]
    fn mat2_halves(self, lo: &mut [C], hi: &mut [C], a: usize, m: &Dense4) {
        let ha = 1usize << a;
        for (l, h) in lo.chunks_exact_mut(2 * ha).zip(hi.chunks_exact_mut(2 * ha)) {
            let (s0, s1) = l.split_at_mut(ha);
            let (s2, s3) = h.split_at_mut(ha);
            mat2_portable([s0, s1, s2, s3], m);
        }
    }
    #[inline(always)]
    fn mat2_blocks(self, chunk: &mut [C], a: usize, b: usize, m: &Dense4) {
        quads(chunk, a, b, |s| mat2_portable(s, m));
    }
}

/// Views complex amplitudes as interleaved (re, im) pairs of `f64`.
#[inline(always)]
fn as_f64(s: &mut [C]) -> &mut [f64] {
    // SAFETY: `Complex<f64>` is `#[repr(C)]` with fields `re, im`, so a slice of n complex numbers has the
    // layout of 2n `f64`s with the same alignment; the borrow is carried over.
    unsafe { std::slice::from_raw_parts_mut(s.as_mut_ptr().cast::<f64>(), s.len() * 2) }
}

/// The kernels on registers `V`; made only by [`dispatch`], after detection.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Simd<V>(std::marker::PhantomData<V>);

/// A loop for [`Vector::run`]: its `run` is `#[inline(always)]`, so it is compiled with the register's
/// instruction set and its intrinsics are inlined.
pub(crate) trait Body {
    type Output;
    fn run(self) -> Self::Output;
}

/// One register of (re, im) pairs and the operations the loops need. Every method requires the processor to
/// support the register's instruction set.
pub(crate) trait Vector: Copy + Send + Sync {
    /// Complex numbers per register.
    const LEN: usize;
    /// The kernels that finish the elements short of a whole register.
    type Tail: Kernels;
    /// Calls `f` in a function compiled for the register's instruction set (`f`, called once, is inlined there),
    /// so that the intrinsics `f` calls are inlined too.
    ///
    /// # Safety
    /// The processor supports the register's instruction set.
    unsafe fn enabled<R>(f: impl FnOnce() -> R) -> R;
    /// Runs `body` in a function compiled for the register's instruction set, `body.run` forced inline there
    /// (for loops too large for the closure of [`Vector::enabled`] to be inlined).
    ///
    /// # Safety
    /// The processor supports the register's instruction set.
    unsafe fn run<B: Body>(body: B) -> B::Output;
    /// The register holding `p` in every 256-bit lane: (p0, p1, p2, p3, p0, …).
    ///
    /// # Safety
    /// The processor supports the register's instruction set.
    unsafe fn repeat(p: [f64; 4]) -> Self;
    /// # Safety
    /// As [`Vector::repeat`]; `p` is valid for reading `2·LEN` values.
    unsafe fn load(p: *const f64) -> Self;
    /// # Safety
    /// As [`Vector::repeat`]; `p` is valid for writing `2·LEN` values.
    unsafe fn store(self, p: *mut f64);
    /// # Safety
    /// As [`Vector::repeat`].
    unsafe fn add(self, b: Self) -> Self;
    /// # Safety
    /// As [`Vector::repeat`].
    unsafe fn sub(self, b: Self) -> Self;
    /// # Safety
    /// As [`Vector::repeat`].
    unsafe fn mul(self, b: Self) -> Self;
    /// (re, im) → (im, re) in every complex number.
    ///
    /// # Safety
    /// As [`Vector::repeat`].
    unsafe fn swap(self) -> Self;
    /// Adjacent complex numbers (x, y) → ((x, x), (y, y)), as two registers.
    ///
    /// # Safety
    /// As [`Vector::repeat`].
    unsafe fn spread(self) -> (Self, Self);
    /// The lanes with bit `bit` of the lane index cleared, and set, each in place of both (`bit` < log2 LEN).
    ///
    /// # Safety
    /// As [`Vector::repeat`].
    unsafe fn spread_bit(self, bit: usize) -> (Self, Self);
    /// (re, im) → ((re, re), (im, im)) in every complex number, as two registers.
    ///
    /// # Safety
    /// As [`Vector::repeat`].
    unsafe fn dup(self) -> (Self, Self);
    /// Lane `lane` (< LEN) in every lane.
    ///
    /// # Safety
    /// As [`Vector::repeat`].
    unsafe fn lane(self, lane: usize) -> Self;
    /// The 2·LEN complex numbers of `self` then `y`, as blocks of 2·`half` (half 1 or 2; LEN ≥ half): the first
    /// `half` of each block (in order), and the second `half` of each block.
    ///
    /// # Safety
    /// As [`Vector::repeat`].
    unsafe fn unzip(self, y: Self, half: usize) -> (Self, Self);
}

/// The two registers by which [`cmul`] multiplies for the complex numbers z0, z1 (alternating).
///
/// # Safety
/// The processor supports `V`'s instruction set.
#[inline(always)]
unsafe fn factor<V: Vector>(z0: C, z1: C) -> (V, V) {
    // SAFETY: as the caller promises.
    unsafe { (V::repeat([z0.re, z0.re, z1.re, z1.re]), V::repeat([-z0.im, z0.im, -z1.im, z1.im])) }
}

/// a·b elementwise, with b given by [`factor`].
///
/// # Safety
/// The processor supports `V`'s instruction set.
#[inline(always)]
unsafe fn cmul<V: Vector>(a: V, (re, im): (V, V)) -> V {
    // SAFETY: as the caller promises.
    unsafe { a.mul(re).add(a.swap().mul(im)) }
}

/// (x, y) ← f(x, y) over the whole registers of two slices of equal length; `tail` finishes the rest.
///
/// # Safety
/// The processor supports `V`'s instruction set.
#[inline(always)]
unsafe fn split<V: Vector>(
    lo: &mut [C],
    hi: &mut [C],
    f: impl Fn(V, V) -> (V, V),
    tail: impl FnOnce(&mut [C], &mut [C]),
) {
    let n = lo.len().min(hi.len());
    let full = n - n % V::LEN;
    let (pl, ph) = (lo.as_mut_ptr().cast::<f64>(), hi.as_mut_ptr().cast::<f64>());
    let mut k = 0;
    while k < full {
        // SAFETY: k + LEN ≤ n complex numbers, 2k + 2·LEN ≤ 2n f64s, are in both slices; the processor supports
        // `V` as the caller promises.
        unsafe {
            let (x, y) = f(V::load(pl.add(2 * k)), V::load(ph.add(2 * k)));
            x.store(pl.add(2 * k));
            y.store(ph.add(2 * k));
        }
        k += V::LEN;
    }
    tail(&mut lo[full..n], &mut hi[full..n]);
}

/// (lo, hi) ← f(lo, hi) on every adjacent pair of `chunk` (half-blocks of one amplitude), on registers of two
/// complex numbers: the pairs of two registers (x0, x1) and (y0, y1) are transposed into (x0, y0) and (x1, y1),
/// transformed, and transposed back (a 2x2 transpose is its own inverse); `rest` finishes the last pair when the
/// chunk is not a whole number of register pairs.
///
/// # Safety
/// The processor supports `V`'s instruction set, and `V::LEN` is 2.
#[inline(always)]
unsafe fn adjacent<V: Vector>(chunk: &mut [C], f: impl Fn(V, V) -> (V, V), rest: impl FnOnce(&mut [C])) {
    debug_assert!(V::LEN == 2);
    let full = chunk.len() - chunk.len() % 4;
    let p = chunk.as_mut_ptr().cast::<f64>();
    let mut k = 0;
    while k < full {
        // SAFETY: k + 4 ≤ len complex numbers, two registers, are in the slice; the processor supports `V`.
        unsafe {
            let (u, v) = V::load(p.add(2 * k)).unzip(V::load(p.add(2 * k + 4)), 1);
            let (u, v) = f(u, v);
            let (x, y) = u.unzip(v, 1);
            x.store(p.add(2 * k));
            y.store(p.add(2 * k + 4));
        }
        k += 4;
    }
    rest(&mut chunk[full..]);
}

/// The registers' form of a dense 2x2 matrix m: (u, v) → (m₀₀u + m₀₁v, m₁₀u + m₁₁v), as [`Kernels::mat1`].
///
/// # Safety
/// The processor supports `V`'s instruction set.
#[inline(always)]
unsafe fn general<V: Vector>([[m00, m01], [m10, m11]]: [[C; 2]; 2]) -> impl Fn(V, V) -> (V, V) + Copy {
    // SAFETY: as the caller promises.
    unsafe {
        let (f00, f01) = (factor::<V>(m00, m00), factor::<V>(m01, m01));
        let (f10, f11) = (factor::<V>(m10, m10), factor::<V>(m11, m11));
        #[inline(always)]
        move |u, v| (cmul(u, f00).add(cmul(v, f01)), cmul(u, f10).add(cmul(v, f11)))
    }
}

/// The registers' form of [[a, ib], [ic, d]], as [`Kernels::rx`].
///
/// # Safety
/// The processor supports `V`'s instruction set.
#[inline(always)]
unsafe fn rx_like<V: Vector>([a, b, c, d]: [f64; 4]) -> impl Fn(V, V) -> (V, V) + Copy {
    // SAFETY: as the caller promises.
    unsafe {
        let (va, vd) = (V::repeat([a; 4]), V::repeat([d; 4]));
        let (vb, vc) = (V::repeat([-b, b, -b, b]), V::repeat([-c, c, -c, c]));
        #[inline(always)]
        move |u: V, v: V| (va.mul(u).add(vb.mul(v.swap())), vd.mul(v).add(vc.mul(u.swap())))
    }
}

/// The registers' form of a real 2x2 matrix, as [`Kernels::real`].
///
/// # Safety
/// The processor supports `V`'s instruction set.
#[inline(always)]
unsafe fn real<V: Vector>([[a, b], [c, d]]: [[f64; 2]; 2]) -> impl Fn(V, V) -> (V, V) + Copy {
    // SAFETY: as the caller promises.
    unsafe {
        let [a, b, c, d] = [V::repeat([a; 4]), V::repeat([b; 4]), V::repeat([c; 4]), V::repeat([d; 4])];
        #[inline(always)]
        move |u: V, v: V| (a.mul(u).add(b.mul(v)), c.mul(u).add(d.mul(v)))
    }
}

/// x ← f(x) over the whole registers of a slice; `tail` finishes the rest.
///
/// # Safety
/// The processor supports `V`'s instruction set.
#[inline(always)]
unsafe fn each<V: Vector>(s: &mut [C], f: impl Fn(V) -> V, tail: impl FnOnce(&mut [C])) {
    let full = s.len() - s.len() % V::LEN;
    let p = s.as_mut_ptr().cast::<f64>();
    let mut k = 0;
    while k < full {
        // SAFETY: k + LEN ≤ len complex numbers are in the slice; the processor supports `V`.
        unsafe { f(V::load(p.add(2 * k))).store(p.add(2 * k)) };
        k += V::LEN;
    }
    tail(&mut s[full..]);
}

// Every method runs its loop in `V::enabled`, compiled for `V`'s instruction set however the caller was compiled.
// SAFETY (for every `unsafe` block in this impl): a `Simd<V>` exists only where the processor supports `V`'s
// instruction set, which includes its tail's.
impl<V: Vector> Kernels for Simd<V> {
    unsafe fn new() -> Self {
        Simd(std::marker::PhantomData)
    }
    #[inline(always)]
    fn scale(self, s: &mut [C], d: C) {
        // SAFETY: see the impl.
        unsafe {
            V::enabled(|| {
                let f = factor::<V>(d, d);
                each(s, |x| cmul(x, f), |s| V::Tail::new().scale(s, d));
            })
        }
    }
    #[inline(always)]
    fn mat1(self, lo: &mut [C], hi: &mut [C], m: [[C; 2]; 2]) {
        // SAFETY: see the impl.
        unsafe { V::enabled(|| split(lo, hi, general::<V>(m), |lo, hi| V::Tail::new().mat1(lo, hi, m))) }
    }
    #[inline(always)]
    fn rx(self, lo: &mut [C], hi: &mut [C], abcd: [f64; 4]) {
        // SAFETY: see the impl.
        unsafe { V::enabled(|| split(lo, hi, rx_like::<V>(abcd), |lo, hi| V::Tail::new().rx(lo, hi, abcd))) }
    }
    #[inline(always)]
    fn real(self, lo: &mut [C], hi: &mut [C], m: [[f64; 2]; 2]) {
        // SAFETY: see the impl.
        unsafe { V::enabled(|| split(lo, hi, real::<V>(m), |lo, hi| V::Tail::new().real(lo, hi, m))) }
    }
    #[inline(always)]
    fn diag_adjacent(self, s: &mut [C], d0: C, d1: C) {
        // SAFETY: see the impl.
        unsafe {
            V::enabled(|| {
                let f = factor::<V>(d0, d1);
                each(s, |x| cmul(x, f), |s| V::Tail::new().diag_adjacent(s, d0, d1));
            })
        }
    }
    // The `_blocks` loops: halves shorter than a register go to the narrower kernels whole; longer ones are whole
    // registers (powers of two), so the loops need no tail.
    #[inline(always)]
    fn mat1_blocks(self, chunk: &mut [C], half: usize, m: [[C; 2]; 2]) {
        // SAFETY: see the impl.
        unsafe {
            if half == 1 && V::LEN == 2 {
                return V::enabled(|| adjacent(chunk, general::<V>(m), |rest| Portable.mat1_blocks(rest, 1, m)));
            }
            if half < V::LEN {
                return V::Tail::new().mat1_blocks(chunk, half, m);
            }
            V::enabled(|| {
                let f = general::<V>(m);
                halves(chunk, half, |lo, hi| split(lo, hi, f, |_, _| ()));
            })
        }
    }
    #[inline(always)]
    fn rx_blocks(self, chunk: &mut [C], half: usize, abcd: [f64; 4]) {
        // SAFETY: see the impl.
        unsafe {
            if half == 1 && V::LEN == 2 {
                return V::enabled(|| adjacent(chunk, rx_like::<V>(abcd), |rest| Portable.rx_blocks(rest, 1, abcd)));
            }
            if half < V::LEN {
                return V::Tail::new().rx_blocks(chunk, half, abcd);
            }
            V::enabled(|| {
                let f = rx_like::<V>(abcd);
                halves(chunk, half, |lo, hi| split(lo, hi, f, |_, _| ()));
            })
        }
    }
    #[inline(always)]
    fn real_blocks(self, chunk: &mut [C], half: usize, m: [[f64; 2]; 2]) {
        // SAFETY: see the impl.
        unsafe {
            if half == 1 && V::LEN == 2 {
                return V::enabled(|| adjacent(chunk, real::<V>(m), |rest| Portable.real_blocks(rest, 1, m)));
            }
            if half < V::LEN {
                return V::Tail::new().real_blocks(chunk, half, m);
            }
            V::enabled(|| {
                let f = real::<V>(m);
                halves(chunk, half, |lo, hi| split(lo, hi, f, |_, _| ()));
            })
        }
    }
    #[inline(always)]
    fn diag_blocks(self, chunk: &mut [C], half: usize, d0: C, d1: C) {
        // SAFETY: see the impl.
        unsafe {
            if half < V::LEN {
                return V::Tail::new().diag_blocks(chunk, half, d0, d1);
            }
            V::enabled(|| {
                let (f0, f1) = (factor::<V>(d0, d0), factor::<V>(d1, d1));
                halves(chunk, half, |lo, hi| {
                    each(lo, |x| cmul(x, f0), |_| ());
                    each(hi, |x| cmul(x, f1), |_| ());
                });
            })
        }
    }
    #[inline(always)]
    fn correlate(self, p0: &[C], p1: &[C], l0: &[C], l1: &[C], lanes: &mut Lanes) {
        // SAFETY: see the impl.
        unsafe {
            V::run(Correlate::<V> { p: [p0, p1], l: [l0, l1], half: None, lanes, register: std::marker::PhantomData })
        }
    }
    #[inline(always)]
    fn correlate_blocks(self, p: &[C], l: &[C], half: usize, lanes: &mut Lanes) {
        if half < 4 && V::LEN > 2 {
            // Half-blocks shorter than the four lanes: the registers of two complex numbers, which transpose them.
            // SAFETY: see the impl.
            return unsafe { V::Tail::new() }.correlate_blocks(p, l, half, lanes);
        }
        // SAFETY: see the impl.
        unsafe {
            V::run(Correlate::<V> {
                p: [p, &[]],
                l: [l, &[]],
                half: Some(half),
                lanes,
                register: std::marker::PhantomData,
            })
        }
    }
    #[inline(always)]
    fn correlate4_blocks<const ALL: bool>(self, phi: [&[C]; 2], lambda: [&[C]; 2], half: usize, lanes: &mut Lanes10) {
        if half < 4 {
            // Half-blocks shorter than the four lanes: unzipped in registers into blocks of four.
            // SAFETY: see the impl.
            return unsafe { correlate4_short::<V, ALL>(phi, lambda, half, lanes) };
        }
        // SAFETY: see the impl.
        unsafe { V::run(Correlate4::<V, ALL> { phi, lambda, half, lanes, register: std::marker::PhantomData }) }
    }
    #[inline(always)]
    fn mat2(self, s: [&mut [C]; 4], m: &Dense4) {
        // SAFETY: see the impl.
        unsafe { V::run(Mat2Slices::<V> { s, m, register: std::marker::PhantomData }) }
    }
    #[inline(always)]
    fn mat2_halves(self, lo: &mut [C], hi: &mut [C], a: usize, m: &Dense4) {
        // SAFETY: see the impl.
        unsafe {
            if lo.len() < V::LEN {
                return V::Tail::new().mat2_halves(lo, hi, a, m);
            }
            V::run(Mat2Halves::<V> { lo, hi, a, m, register: std::marker::PhantomData })
        }
    }
    #[inline(always)]
    fn mat2_blocks(self, chunk: &mut [C], a: usize, b: usize, m: &Dense4) {
        // SAFETY: see the impl.
        unsafe {
            let bits = V::LEN.trailing_zeros() as usize;
            if b < bits {
                // Both qubits inside a register (qubits 0 and 1 of four amplitudes): column c of every lane is
                // lane c, repeated; output lane r takes row r.
                return V::enabled(|| {
                    let order = m.order();
                    let f: [(V, V); 4] = std::array::from_fn(|k| lanes::<V>(std::array::from_fn(|r| m.m[r][order[k]])));
                    let p = chunk.as_mut_ptr().cast::<f64>();
                    let mut k = 0;
                    while k < chunk.len() {
                        // SAFETY: the chunk holds whole registers (its length a multiple of 2^(b+1) ≥ LEN).
                        let x = V::load(p.add(2 * k));
                        let v = if m.swapped {
                            [x.lane(0), x.lane(2), x.lane(1), x.lane(3)]
                        } else {
                            [x.lane(0), x.lane(1), x.lane(2), x.lane(3)]
                        };
                        rows4(v, f).store(p.add(2 * k));
                        k += V::LEN;
                    }
                });
            }
            if 1 << b < V::LEN {
                return V::Tail::new().mat2_blocks(chunk, a, b, m);
            }
            V::run(Mat2Blocks::<V> { chunk, a, b, m, register: std::marker::PhantomData })
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod x86;
