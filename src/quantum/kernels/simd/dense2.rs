//! The dense 4x4 kernels: the portable loop every instruction set reproduces, and the register loops, forced
//! inline through [`Vector::run`].

use num_complex::Complex64 as C;

use super::{cmul, factor, Body, Kernels, Vector};

/// A 4x4 matrix on qubits a < b, indexed by bit(a) + 2·bit(b), and the order in which each row adds its four
/// products: the op's own column order, which is the index order unless the op named the higher qubit first
/// (`swapped`: then columns 0, 2, 1, 3). So the arithmetic of an op does not depend on which of its targets is
/// the lower qubit, and a relabelling of qubits (a distributed state's) gives the same bits.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Dense4 {
    pub(crate) m: [[C; 4]; 4],
    pub(crate) swapped: bool,
}

impl Dense4 {
    /// The columns in the order each row adds them.
    #[inline(always)]
    pub(crate) fn order(&self) -> [usize; 4] {
        if self.swapped {
            [0, 2, 1, 3]
        } else {
            [0, 1, 2, 3]
        }
    }
}

/// (s₀, s₁, s₂, s₃) ← M·(s₀, s₁, s₂, s₃) elementwise over four slices of equal length, each row's four products
/// added left to right in `d`'s column order: the arithmetic every instruction set reproduces.
#[inline(always)]
pub(super) fn mat2_portable([s0, s1, s2, s3]: [&mut [C]; 4], d: &Dense4) {
    let (m, [o0, o1, o2, o3]) = (&d.m, d.order());
    for (((a, b), c), e) in s0.iter_mut().zip(s1.iter_mut()).zip(s2.iter_mut()).zip(s3.iter_mut()) {
        let v = [*a, *b, *c, *e];
        let row = |r: usize| m[r][o0] * v[o0] + m[r][o1] * v[o1] + m[r][o2] * v[o2] + m[r][o3] * v[o3];
        (*a, *b, *c, *e) = (row(0), row(1), row(2), row(3));
    }
}

/// The four slices of every group of `chunk` (whole blocks of 2^(b+1)) for qubits a < b, in turn.
#[inline(always)]
pub(super) fn quads(chunk: &mut [C], a: usize, b: usize, mut leaf: impl FnMut([&mut [C]; 4])) {
    let (ha, hb) = (1usize << a, 1usize << b);
    for block in chunk.chunks_exact_mut(2 * hb) {
        let (lo, hi) = block.split_at_mut(hb);
        for (l, h) in lo.chunks_exact_mut(2 * ha).zip(hi.chunks_exact_mut(2 * ha)) {
            let (s0, s1) = l.split_at_mut(ha);
            let (s2, s3) = h.split_at_mut(ha);
            leaf([s0, s1, s2, s3]);
        }
    }
}

/// [`Kernels::mat2_blocks`] with qubit b at or above the register's width.
pub(super) struct Mat2Blocks<'a, V> {
    pub(super) chunk: &'a mut [C],
    pub(super) a: usize,
    pub(super) b: usize,
    pub(super) m: &'a Dense4,
    pub(super) register: std::marker::PhantomData<V>,
}

impl<V: Vector> Body for Mat2Blocks<'_, V> {
    type Output = ();
    #[inline(always)]
    fn run(self) {
        // SAFETY: a `Mat2Blocks` runs only through `V::run`, on a processor that supports `V`.
        unsafe {
            let f = Mat2Factors::<V>::new(self.a, self.m);
            for block in self.chunk.chunks_exact_mut(2 << self.b) {
                let (lo, hi) = block.split_at_mut(1 << self.b);
                f.halves(lo, hi, self.a);
            }
        }
    }
}

/// [`Kernels::mat2`]: whole registers, then the narrower kernels on the rest.
pub(super) struct Mat2Slices<'a, 'b, V> {
    pub(super) s: [&'b mut [C]; 4],
    pub(super) m: &'a Dense4,
    pub(super) register: std::marker::PhantomData<V>,
}

impl<V: Vector> Body for Mat2Slices<'_, '_, V> {
    type Output = ();
    #[inline(always)]
    fn run(self) {
        let Mat2Slices { s: [s0, s1, s2, s3], m, .. } = self;
        let n = s0.len().min(s1.len()).min(s2.len()).min(s3.len());
        let full = n - n % V::LEN;
        // SAFETY: as for `Mat2Blocks`; k + LEN ≤ n complex numbers are in each of the four distinct slices.
        unsafe {
            let p = [s0.as_mut_ptr(), s1.as_mut_ptr(), s2.as_mut_ptr(), s3.as_mut_ptr()];
            vertical_loop(p, full, m.swapped, &vertical::<V>(m));
            if full < n {
                V::Tail::new().mat2([&mut s0[full..n], &mut s1[full..n], &mut s2[full..n], &mut s3[full..n]], m);
            }
        }
    }
}

/// [`Kernels::mat2_halves`] on whole registers.
#[cfg_attr(not(feature = "parallel"), allow(dead_code))]
pub(super) struct Mat2Halves<'a, V> {
    pub(super) lo: &'a mut [C],
    pub(super) hi: &'a mut [C],
    pub(super) a: usize,
    pub(super) m: &'a Dense4,
    pub(super) register: std::marker::PhantomData<V>,
}

impl<V: Vector> Body for Mat2Halves<'_, V> {
    type Output = ();
    #[inline(always)]
    fn run(self) {
        // SAFETY: as for `Mat2Blocks`.
        unsafe { Mat2Factors::<V>::new(self.a, self.m).halves(self.lo, self.hi, self.a) }
    }
}

/// The registers a 4x4 matrix multiplies by, prepared once per op, each row's in the order it adds them: with
/// qubit a at or above the register's width, every lane takes the same entry (`vertical[r][k]`); below it, the
/// lanes whose bit a is α take row α + 2β of the half β of qubit b (`lanes[β][k]`).
pub(super) struct Mat2Factors<V> {
    pub(super) vertical: [[(V, V); 4]; 4],
    pub(super) lanes: [[(V, V); 4]; 2],
    pub(super) swapped: bool,
}

impl<V: Vector> Mat2Factors<V> {
    /// # Safety
    /// The processor supports `V`'s instruction set.
    #[inline(always)]
    unsafe fn new(a: usize, d: &Dense4) -> Self {
        // SAFETY: as the caller promises.
        unsafe {
            let zero = factor::<V>(C::new(0.0, 0.0), C::new(0.0, 0.0));
            if 1 << a >= V::LEN {
                Mat2Factors { vertical: vertical::<V>(d), lanes: [[zero; 4]; 2], swapped: d.swapped }
            } else {
                let order = d.order();
                let lanes = std::array::from_fn(|beta| {
                    std::array::from_fn(|k| {
                        lanes::<V>(std::array::from_fn(|lane| d.m[(lane >> a & 1) + 2 * beta][order[k]]))
                    })
                });
                Mat2Factors { vertical: [[zero; 4]; 4], lanes, swapped: d.swapped }
            }
        }
    }

    /// The 4x4 product on `lo` (qubit b clear) and `hi` (set), of equal length: a whole number of registers
    /// and of blocks of 2^(a+1).
    ///
    /// # Safety
    /// The processor supports `V`'s instruction set.
    #[inline(always)]
    unsafe fn halves(&self, lo: &mut [C], hi: &mut [C], a: usize) {
        let ha = 1usize << a;
        // SAFETY (both loops): the slices are distinct and hold whole registers at every offset read.
        unsafe {
            if ha >= V::LEN {
                for (l, h) in lo.chunks_exact_mut(2 * ha).zip(hi.chunks_exact_mut(2 * ha)) {
                    let (s0, s1) = l.split_at_mut(ha);
                    let (s2, s3) = h.split_at_mut(ha);
                    let p = [s0.as_mut_ptr(), s1.as_mut_ptr(), s2.as_mut_ptr(), s3.as_mut_ptr()];
                    vertical_loop(p, ha, self.swapped, &self.vertical);
                }
            } else {
                let (pl, ph) = (lo.as_mut_ptr().cast::<f64>(), hi.as_mut_ptr().cast::<f64>());
                let mut k = 0;
                while k < lo.len() {
                    let (x, y) = (V::load(pl.add(2 * k)), V::load(ph.add(2 * k)));
                    let ((x0, x1), (y0, y1)) = (x.spread_bit(a), y.spread_bit(a));
                    let v = if self.swapped { [x0, y0, x1, y1] } else { [x0, x1, y0, y1] };
                    rows4(v, self.lanes[0]).store(pl.add(2 * k));
                    rows4(v, self.lanes[1]).store(ph.add(2 * k));
                    k += V::LEN;
                }
            }
        }
    }
}

/// The 4x4 product on the first `len` (a multiple of LEN) amplitudes of the four slices at `p`, whole registers
/// of each, with factors `f` in the rows' order (`swapped`: columns 0, 2, 1, 3).
///
/// # Safety
/// The processor supports `V`'s instruction set; the four slices are distinct and hold `len` amplitudes.
#[inline(always)]
unsafe fn vertical_loop<V: Vector>(p: [*mut C; 4], len: usize, swapped: bool, f: &[[(V, V); 4]; 4]) {
    let [p0, p1, p2, p3] = p.map(|p| p.cast::<f64>());
    // The inputs in the order the rows add them.
    let [q0, q1, q2, q3] = if swapped { [p0, p2, p1, p3] } else { [p0, p1, p2, p3] };
    let mut k = 0;
    // SAFETY: as the caller promises, k + LEN ≤ len amplitudes are in each slice.
    unsafe {
        while k < len {
            let o = 2 * k;
            let v = [V::load(q0.add(o)), V::load(q1.add(o)), V::load(q2.add(o)), V::load(q3.add(o))];
            let (y0, y1, y2, y3) = (rows4(v, f[0]), rows4(v, f[1]), rows4(v, f[2]), rows4(v, f[3]));
            y0.store(p0.add(o));
            y1.store(p1.add(o));
            y2.store(p2.add(o));
            y3.store(p3.add(o));
            k += V::LEN;
        }
    }
}

/// The factors of every entry of `d`, each row's in the order it adds them.
///
/// # Safety
/// The processor supports `V`'s instruction set.
#[inline(always)]
unsafe fn vertical<V: Vector>(d: &Dense4) -> [[(V, V); 4]; 4] {
    let order = d.order();
    // SAFETY: as the caller promises.
    std::array::from_fn(|r| std::array::from_fn(|k| unsafe { factor::<V>(d.m[r][order[k]], d.m[r][order[k]]) }))
}

/// Σ_k v_k·f_k in order (one output register of a 4x4 product, its inputs and factors in the row's order).
///
/// # Safety
/// The processor supports `V`'s instruction set.
#[inline(always)]
pub(super) unsafe fn rows4<V: Vector>(v: [V; 4], f: [(V, V); 4]) -> V {
    // SAFETY: as the caller promises.
    unsafe { cmul(v[0], f[0]).add(cmul(v[1], f[1])).add(cmul(v[2], f[2])).add(cmul(v[3], f[3])) }
}

/// The two registers by which [`cmul`] multiplies lane i by z[i] (the first `V::LEN` of them).
///
/// # Safety
/// The processor supports `V`'s instruction set.
#[inline(always)]
pub(super) unsafe fn lanes<V: Vector>(z: [C; 4]) -> (V, V) {
    let re: [f64; 8] = std::array::from_fn(|i| z[i / 2].re);
    let im: [f64; 8] = std::array::from_fn(|i| if i % 2 == 0 { -z[i / 2].im } else { z[i / 2].im });
    // SAFETY: as the caller promises; the arrays hold 8 ≥ 2·LEN values.
    unsafe { (V::load(re.as_ptr()), V::load(im.as_ptr())) }
}
