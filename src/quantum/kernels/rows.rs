//! The correlation of samples side by side (see `engine::columns`): row i holds amplitude i of every sample,
//! and each sample's sums are the ones its own sweep makes.

use num_complex::Complex64 as C;

use super::{dispatch, pair_terms, Isa, Kernels, Task};

/// The most samples side by side.
pub(crate) const MAX_WIDTH: usize = 16;

/// Per sample, the four sums of a one-target node's correlation (see `kernels::correlations`) in four lanes:
/// real parts, then imaginary parts, indexed `[part][sum][lane][sample]`.
pub(crate) type RowLanes = [[[[f64; MAX_WIDTH]; 4]; 4]; 2];

/// Each sample's correlation lanes of a one-target node whose pairs are the rows `i` and `i + half` (every
/// block of `2·half` rows), rows of `width` samples: pair k of block b into lane (b·half + k) mod 4, blocks in
/// order, each pair's terms made and added as `kernels::correlate_blocks` makes and adds them on the sample
/// alone. `acc` is zeroed first. Compiled for each instruction set, the same bits on all.
pub(crate) fn correlate_rows(phi: &[C], lambda: &[C], width: usize, half: usize, acc: &mut RowLanes) {
    assert!(width <= MAX_WIDTH && phi.len() == lambda.len() && phi.len().is_multiple_of(2 * half * width));
    dispatch(Isa::detected(), CorrelateRows { phi, lambda, width, half, acc });
}

struct CorrelateRows<'a> {
    phi: &'a [C],
    lambda: &'a [C],
    width: usize,
    half: usize,
    acc: &'a mut RowLanes,
}

impl Task for CorrelateRows<'_> {
    type Output = ();
    #[inline(always)]
    fn run<K: Kernels>(self, _: K) {
        let CorrelateRows { phi, lambda, width, half, acc } = self;
        *acc = [[[[0.0; MAX_WIDTH]; 4]; 4]; 2];
        let [re, im] = acc;
        for block in (0..phi.len() / width).step_by(2 * half) {
            for k in 0..half {
                let (r0, r1) = ((block + k) * width, (block + k + half) * width);
                // Block b starts at row 2b·half: its pair k is pair b·half + k of the sweep.
                let lane = (block / 2 + k) % 4;
                let (p0, p1) = (&phi[r0..r0 + width], &phi[r1..r1 + width]);
                let (l0, l1) = (&lambda[r0..r0 + width], &lambda[r1..r1 + width]);
                for s in 0..width {
                    for (e, x) in pair_terms([p0[s], p1[s]], [l0[s], l1[s]]).into_iter().enumerate() {
                        re[e][lane][s] += x.re;
                        im[e][lane][s] += x.im;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quantum::kernels::{correlate_blocks, fold_lanes, Lanes};

    /// On every instruction set, each sample's lanes are those `correlate_blocks` makes on the sample alone.
    #[test]
    fn each_sample_sums_as_alone_on_every_instruction_set() {
        let value = |i: usize, salt: f64| C::new((i as f64 * salt).sin(), (i as f64 * salt * 0.7 + 0.3).cos());
        for (n, width) in [(1, 1), (3, 2), (4, 4), (6, 16), (5, 8)] {
            let len = width << n;
            let (phi, lambda): (Vec<C>, Vec<C>) = (0..len).map(|i| (value(i, 0.37), value(i, 1.13))).unzip();
            for q in 0..n {
                let half = 1 << q;
                let mut alone = vec![[[C::new(0.0, 0.0); 4]; 4]; width];
                for (s, lanes) in alone.iter_mut().enumerate() {
                    let sample = |v: &[C]| -> Vec<C> { v.iter().skip(s).step_by(width).copied().collect() };
                    correlate_blocks(&sample(&phi), &sample(&lambda), half, lanes);
                }
                for isa in Isa::available() {
                    let mut acc = [[[[0.0; MAX_WIDTH]; 4]; 4]; 2];
                    dispatch(isa, CorrelateRows { phi: &phi, lambda: &lambda, width, half, acc: &mut acc });
                    for (s, lanes) in alone.iter().enumerate() {
                        let rows: Lanes =
                            std::array::from_fn(|e| std::array::from_fn(|l| C::new(acc[0][e][l][s], acc[1][e][l][s])));
                        let bits = |l: &Lanes| fold_lanes(l).map(|c| (c.re.to_bits(), c.im.to_bits()));
                        assert_eq!(bits(&rows), bits(lanes), "{n} qubits, width {width}, q {q}, sample {s}, {isa:?}");
                    }
                }
            }
        }
    }
}
