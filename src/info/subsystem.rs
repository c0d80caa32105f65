//! Subsystems of a register: checking qubit lists, splitting basis indices, and the Gram matrix M M† of the
//! amplitudes reshaped to (subsystem) × (rest).

use nalgebra::{DMatrix, DMatrixView};
use num_complex::Complex64 as C;

use crate::error::{Error, Result};

/// The qubits of a subsystem, sorted, after checking that each is in range and named once.
pub(crate) fn check_subsystem(qubits: &[usize], num_qubits: usize) -> Result<Vec<usize>> {
    let mut sorted = qubits.to_vec();
    sorted.sort_unstable();
    if let Some(&qubit) = sorted.last().filter(|&&q| q >= num_qubits) {
        return Err(Error::InvalidQubit { qubit, num_qubits });
    }
    if let Some(w) = sorted.windows(2).find(|w| w[0] == w[1]) {
        return Err(Error::DuplicateQubit { qubit: w[0] });
    }
    Ok(sorted)
}

/// The qubits of `0..num_qubits` not in `sorted`.
pub(crate) fn complement(sorted: &[usize], num_qubits: usize) -> Vec<usize> {
    (0..num_qubits).filter(|q| sorted.binary_search(q).is_err()).collect()
}

/// For every local index r of the subsystem `qubits` (sorted; local bit k is qubit `qubits[k]`, the crate's
/// bit order), the global index with those bits set and all others zero.
pub(crate) fn spread(qubits: &[usize]) -> Vec<usize> {
    let mut table = vec![0usize; 1 << qubits.len()];
    for (k, &q) in qubits.iter().enumerate() {
        let half = 1usize << k;
        for r in 0..half {
            table[half + r] = table[r] | (1usize << q);
        }
    }
    table
}

/// The lower triangle (i ≥ j) of the Gram matrix G = M M† of the amplitudes reshaped as
/// M[r, c] = ψ[spread(rows)[r] | spread(cols)[c]], as its real and imaginary parts (2^|rows| square,
/// column-major; entries above the diagonal are unspecified). `rows` and `cols` partition the register.
///
/// With X = Re M and Y = Im M: Re G = X Xᵀ + Y Yᵀ and Im G = Y Xᵀ − X Yᵀ, four real matrix products
/// (nalgebra hands them to `matrixmultiply`), each computed one block column at a time from the diagonal
/// down, so that little more than the lower triangle is formed. M is gathered [`GATHER_LEN`] entries at a time
/// and the products accumulated, so a cut of a few qubits from a large register does not copy the whole state.
pub(crate) fn gram_lower(amps: &[C], rows: &[usize], cols: &[usize]) -> (DMatrix<f64>, DMatrix<f64>) {
    let (sr, sc) = (spread(rows), spread(cols));
    let dr = sr.len();
    let width = (GATHER_LEN / dr).max(1).min(sc.len());
    let mut re = DMatrix::<f64>::zeros(dr, dr);
    let mut im = DMatrix::<f64>::zeros(dr, dr);
    let mut x = DMatrix::<f64>::zeros(dr, width);
    let mut y = DMatrix::<f64>::zeros(dr, width);
    for (chunk, cols) in sc.chunks(width).enumerate() {
        let dc = cols.len();
        if dc < width {
            x = DMatrix::zeros(dr, dc);
            y = DMatrix::zeros(dr, dc);
        }
        for (c, &oc) in cols.iter().enumerate() {
            let (xc, yc) = (&mut x.as_mut_slice()[c * dr..(c + 1) * dr], &mut y.as_mut_slice()[c * dr..(c + 1) * dr]);
            for ((xr, yr), &or) in xc.iter_mut().zip(yc.iter_mut()).zip(&sr) {
                let a = amps[or | oc];
                *xr = a.re;
                *yr = a.im;
            }
        }
        let beta = if chunk == 0 { 0.0 } else { 1.0 };
        let mut j0 = 0;
        while j0 < dr {
            let j1 = (j0 + GRAM_BLOCK).min(dr);
            let (below, block) = (dr - j0, j1 - j0);
            // Transposed views of rows j0..j1 of X and Y on their own storage: element (c, r) is at c·dr + j0 + r.
            let xt = DMatrixView::from_slice_with_strides(&x.as_slice()[j0..], dc, block, dr, 1);
            let yt = DMatrixView::from_slice_with_strides(&y.as_slice()[j0..], dc, block, dr, 1);
            let (xb, yb) = (x.rows(j0, below), y.rows(j0, below));
            let mut rb = re.view_mut((j0, j0), (below, block));
            rb.gemm(1.0, &xb, &xt, beta);
            rb.gemm(1.0, &yb, &yt, 1.0);
            let mut ib = im.view_mut((j0, j0), (below, block));
            ib.gemm(1.0, &yb, &xt, beta);
            ib.gemm(-1.0, &xb, &yt, 1.0);
            j0 = j1;
        }
    }
    (re, im)
}

/// Amplitudes of M gathered at once (16 MiB of real and imaginary parts): a 2^10 × 2^10 half cut in one go.
const GATHER_LEN: usize = 1 << 20;

/// Columns of the Gram matrix formed by one matrix product.
const GRAM_BLOCK: usize = 128;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spread_places_local_bits_on_their_qubits() {
        assert_eq!(spread(&[]), vec![0]);
        assert_eq!(spread(&[1, 3]), vec![0b0000, 0b0010, 0b1000, 0b1010]);
    }

    #[test]
    fn gram_accumulates_over_gathered_chunks() {
        // 21 qubits, one kept: M is 2 × 2^20, gathered in two chunks of 2^19 columns.
        let n = 21;
        let amps: Vec<C> = (0..1usize << n).map(|k| C::new(((k % 7) as f64).sin(), ((k % 5) as f64).cos())).collect();
        let rest: Vec<usize> = (1..n).collect();
        let (re, im) = gram_lower(&amps, &[0], &rest);
        let direct = |i: usize, j: usize| -> C {
            (0..1usize << (n - 1)).map(|c| amps[(c << 1) | i] * amps[(c << 1) | j].conj()).sum()
        };
        for (i, j) in [(0, 0), (1, 0), (1, 1)] {
            let d = direct(i, j);
            assert!((re[(i, j)] - d.re).abs() < 1e-9 * d.norm().max(1.0), "{i},{j}");
            assert!((im[(i, j)] - d.im).abs() < 1e-9 * d.norm().max(1.0), "{i},{j}");
        }
    }

    #[test]
    fn gram_lower_triangle_matches_a_direct_sum_over_the_traced_indices() {
        let amps: Vec<C> = (0..16).map(|k| C::new((k as f64 * 0.37).sin(), (k as f64 * 0.91).cos())).collect();
        let (rows, cols) = (vec![0, 2], vec![1, 3]);
        let (re, im) = gram_lower(&amps, &rows, &cols);
        let (sr, sc) = (spread(&rows), spread(&cols));
        for i in 0..4 {
            for j in 0..=i {
                let direct: C = sc.iter().map(|&c| amps[sr[i] | c] * amps[sr[j] | c].conj()).sum();
                assert!((re[(i, j)] - direct.re).abs() < 1e-14 && (im[(i, j)] - direct.im).abs() < 1e-14);
            }
        }
    }
}
