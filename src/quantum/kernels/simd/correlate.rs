//! The correlations of the adjoint sweep's one-target nodes: four lanes per sum, the same products added into
//! the same lanes in the same order on every instruction set.
//!
//! A one-target node's derivative is 2·Re Σ_ij A_ij R_ij with R_ij = Σ λ̄_i φ_j over the target's pairs and A
//! anti-Hermitian (A = V·(∂U U†)·V†, and ∂U U† is anti-Hermitian for every unitary family U(θ)). With
//! A₀₀ = i·h₀, A₁₁ = i·h₁ and A₁₀ = −Ā₀₁, that is 2·(−h₀·Im R₀₀ − h₁·Im R₁₁ + Re A₀₁·(Re R₀₁ − Re R₁₀)
//! − Im A₀₁·(Im R₀₁ + Im R₁₀)): four real sums, not eight. The kernels read them as four sums of elementwise
//! (re, im) products, whose halves combine into the four:
//! - P₀ = Σ φ₀ ⊙ swap(λ₀) = (Σ φ₀.re·λ₀.im, Σ φ₀.im·λ₀.re), so Im R₀₀ = P₀.im − P₀.re;
//! - P₁ = Σ φ₁ ⊙ swap(λ₁), so Im R₁₁ = P₁.im − P₁.re;
//! - D = Σ (φ₁ ⊙ λ₀ − φ₀ ⊙ λ₁), so Re R₀₁ − Re R₁₀ = D.re + D.im;
//! - S = Σ (φ₁ ⊙ swap(λ₀) + φ₀ ⊙ swap(λ₁)), so Im R₀₁ + Im R₁₀ = S.im − S.re.
//!
//! Per register of pairs that is six multiplications and fourteen operations in all, where the four complex
//! products R_ij took ten multiplications and twenty-six operations.

use num_complex::Complex64 as C;

use super::{Body, Vector};

/// Four partial sums (lanes) of each of the four sums P₀, P₁, D, S (see the module's documentation).
pub(crate) type Lanes = [[C; 4]; 4];

/// Each sum of `lanes` folded: (lane 0 + lane 1) + (lane 2 + lane 3).
pub(crate) fn fold_lanes(lanes: &Lanes) -> [C; 4] {
    lanes.map(|l| (l[0] + l[1]) + (l[2] + l[3]))
}

/// The correlations R₀₀, R₀₁, R₁₀, R₁₁ (row-major) standing for the folded sums (P₀, P₁, D, S) wherever an
/// anti-Hermitian A contracts them as 2·Re Σ_ij A_ij R_ij: R₀₀ = i·Im R₀₀, R₁₁ = i·Im R₁₁,
/// R₀₁ = (Re R₀₁ − Re R₁₀) + i·(Im R₀₁ + Im R₁₀) and R₁₀ = 0.
pub(crate) fn correlations([p0, p1, d, s]: [C; 4]) -> [C; 4] {
    let zero = C::new(0.0, 0.0);
    [C::new(0.0, p0.im - p0.re), C::new(d.re + d.im, s.im - s.re), zero, C::new(0.0, p1.im - p1.re)]
}

/// The elementwise product (x.re·y.re, x.im·y.im).
#[inline(always)]
fn times(x: C, y: C) -> C {
    C::new(x.re * y.re, x.im * y.im)
}

/// The terms the pairs (a₀, a₁) of φ and (b₀, b₁) of λ add to the four sums (P₀, P₁, D, S), as the registers
/// make them.
#[inline(always)]
pub(crate) fn pair_terms([a0, a1]: [C; 2], [b0, b1]: [C; 2]) -> [C; 4] {
    let (s0, s1) = (C::new(b0.im, b0.re), C::new(b1.im, b1.re));
    [times(a0, s0), times(a1, s1), times(a1, b0) - times(a0, b1), times(a1, s0) + times(a0, s1)]
}

/// The portable correlation loop from lane `first` on: element k goes to lane (first + k) mod 4.
#[inline(always)]
pub(super) fn correlate_portable(p0: &[C], p1: &[C], l0: &[C], l1: &[C], lanes: &mut Lanes, first: usize) {
    for (k, (((&a0, &a1), &b0), &b1)) in p0.iter().zip(p1).zip(l0).zip(l1).enumerate() {
        let lane = (first + k) % 4;
        for (sum, term) in lanes.iter_mut().zip(pair_terms([a0, a1], [b0, b1])) {
            sum[lane] += term;
        }
    }
}

/// The portable loop of [`Kernels::correlate_blocks`]: the pairs of the blocks of 2·`half` numbered in order
/// across blocks, pair g going to lane g mod 4.
#[inline(always)]
pub(super) fn correlate_blocks_portable(p: &[C], l: &[C], half: usize, lanes: &mut Lanes) {
    for (b, (pb, lb)) in p.chunks_exact(2 * half).zip(l.chunks_exact(2 * half)).enumerate() {
        let ((p0, p1), (l0, l1)) = (pb.split_at(half), lb.split_at(half));
        correlate_portable(p0, p1, l0, l1, lanes, (b * half) % 4);
    }
}

/// [`Kernels::correlate`] (`half` none: the pairs `p[0]`, `p[1]`, `l[0]`, `l[1]`) or
/// [`Kernels::correlate_blocks`] (`half`: the blocks of `p[0]` and `l[0]`, half a multiple of 4, or 1 or 2 on a
/// register of two complex numbers).
pub(super) struct Correlate<'a, 'l, V> {
    pub(super) p: [&'a [C]; 2],
    pub(super) l: [&'a [C]; 2],
    pub(super) half: Option<usize>,
    pub(super) lanes: &'l mut Lanes,
    pub(super) register: std::marker::PhantomData<V>,
}

/// The lanes of the four sums, as `V`'s registers: `4 / LEN` registers each (lane `j·LEN + i` in
/// element i of register j).
pub(super) struct Accumulators<V> {
    pub(super) regs: [[V; 4]; 2],
}

impl<V: Vector> Accumulators<V> {
    /// # Safety
    /// The processor supports `V`'s instruction set.
    #[inline(always)]
    unsafe fn load(lanes: &Lanes) -> Self {
        // SAFETY: as the caller promises; lane j·LEN + i is 2(j·LEN + i) f64s into the 8 of a row, 2·LEN of them
        // from 2j·LEN on (j < 4 / LEN).
        unsafe {
            let at = |r: usize, j: usize| {
                let p = lanes[r].as_ptr().cast::<f64>();
                if j * V::LEN < 4 {
                    V::load(p.add(2 * j * V::LEN))
                } else {
                    V::load(p)
                }
            };
            Accumulators { regs: [std::array::from_fn(|r| at(r, 0)), std::array::from_fn(|r| at(r, 1))] }
        }
    }

    /// # Safety
    /// As [`Accumulators::load`].
    #[inline(always)]
    unsafe fn store(&self, lanes: &mut Lanes) {
        // SAFETY: as in `load`.
        unsafe {
            for (r, row) in lanes.iter_mut().enumerate() {
                let p = row.as_mut_ptr().cast::<f64>();
                self.regs[0][r].store(p);
                if 2 * V::LEN <= 4 {
                    self.regs[1][r].store(p.add(2 * V::LEN));
                }
            }
        }
    }

    /// Adds the products of whole groups of four elements of the slices (φ₀, φ₁, λ₀, λ₁); returns how many
    /// elements that covered. (A method, not a closure: a closure here would not be inlined into the function
    /// compiled for `V`, and its intrinsics would become calls.)
    ///
    /// # Safety
    /// As [`Accumulators::load`].
    #[inline(always)]
    unsafe fn pairs(&mut self, q: [&[C]; 4]) -> usize {
        let n = q[0].len().min(q[1].len()).min(q[2].len()).min(q[3].len());
        let full = n - n % 4;
        let ptr = [q[0].as_ptr().cast::<f64>(), q[1].as_ptr().cast(), q[2].as_ptr().cast(), q[3].as_ptr().cast()];
        let mut k = 0;
        while k < full {
            let mut j = 0;
            while j * V::LEN < 4 {
                // SAFETY: k + 4 ≤ n elements are in each slice; as the caller promises for the rest.
                unsafe { self.add(j, ptr, k + j * V::LEN) };
                j += 1;
            }
            k += 4;
        }
        full
    }

    /// Adds the products of the registers at k of the four slices into register group `j`.
    ///
    /// # Safety
    /// As [`Accumulators::load`]; k + LEN ≤ the slices' length.
    #[inline(always)]
    unsafe fn add(&mut self, j: usize, p: [*const f64; 4], k: usize) {
        // SAFETY: as the caller promises.
        unsafe {
            let o = 2 * k;
            let (a0, a1) = (V::load(p[0].add(o)), V::load(p[1].add(o)));
            let (b0, b1) = (V::load(p[2].add(o)), V::load(p[3].add(o)));
            self.add_registers(j, [a0, a1], [b0, b1]);
        }
    }

    /// Adds the products of the pairs (a₀, a₁) of φ and (b₀, b₁) of λ, element by element, into register group
    /// `j`, as [`pair_terms`] makes them.
    ///
    /// # Safety
    /// As [`Accumulators::load`].
    #[inline(always)]
    unsafe fn add_registers(&mut self, j: usize, [a0, a1]: [V; 2], [b0, b1]: [V; 2]) {
        // SAFETY: as the caller promises.
        unsafe {
            let (s0, s1) = (b0.swap(), b1.swap());
            let acc = &mut self.regs[j];
            acc[0] = acc[0].add(a0.mul(s0));
            acc[1] = acc[1].add(a1.mul(s1));
            acc[2] = acc[2].add(a1.mul(b0).sub(a0.mul(b1)));
            acc[3] = acc[3].add(a1.mul(s0).add(a0.mul(s1)));
        }
    }
}

impl<V: Vector> Body for Correlate<'_, '_, V> {
    type Output = ();
    #[inline(always)]
    fn run(self) {
        let Correlate { p, l, half, lanes, .. } = self;
        // Register group j holds lanes j·LEN ..: element k of a slice goes to group (k / LEN) mod (4 / LEN).
        // SAFETY: a `Correlate` runs only through `V::run`; every register read is inside its slice.
        unsafe {
            let mut acc = Accumulators::<V>::load(lanes);
            match half {
                Some(half) if half < 4 => {
                    // Four pairs are 8 amplitudes, two registers of each half-block length 2 or four of 1: each
                    // register group takes two pairs, (x0, x2) and (x1, x3) of registers (x0, x1) and (x2, x3)
                    // when half-blocks are one amplitude long.
                    debug_assert!(V::LEN == 2 && (half == 1 || half == 2));
                    let n = p[0].len().min(l[0].len());
                    let full = n - n % 8;
                    let (pp, lp) = (p[0].as_ptr().cast::<f64>(), l[0].as_ptr().cast::<f64>());
                    let mut k = 0;
                    while k < full {
                        for j in 0..2 {
                            let o = 2 * (k + 4 * j);
                            let (a0, a1) = V::load(pp.add(o)).unzip(V::load(pp.add(o + 4)), half);
                            let (b0, b1) = V::load(lp.add(o)).unzip(V::load(lp.add(o + 4)), half);
                            acc.add_registers(j, [a0, a1], [b0, b1]);
                        }
                        k += 8;
                    }
                    acc.store(lanes);
                    // The blocks past the last 8 amplitudes start at pair full / 2, a multiple of 4: lane 0.
                    correlate_blocks_portable(&p[0][full..n], &l[0][full..n], half, lanes);
                }
                Some(half) => {
                    for (pb, lb) in p[0].chunks_exact(2 * half).zip(l[0].chunks_exact(2 * half)) {
                        let ((p0, p1), (l0, l1)) = (pb.split_at(half), lb.split_at(half));
                        acc.pairs([p0, p1, l0, l1]);
                    }
                    acc.store(lanes);
                }
                None => {
                    let full = acc.pairs([p[0], p[1], l[0], l[1]]);
                    acc.store(lanes);
                    let n = p[0].len().min(p[1].len()).min(l[0].len()).min(l[1].len());
                    correlate_portable(&p[0][full..n], &p[1][full..n], &l[0][full..n], &l[1][full..n], lanes, 0);
                }
            }
        }
    }
}
