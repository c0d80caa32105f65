//! Reductions over a state: norms, inner products and Pauli matrix elements, summed over fixed chunks whose
//! partial sums are added in order (bit-identical for any number of threads).

use num_complex::Complex64 as C;

use super::CHUNK;

/// Σ f(chunk) over fixed chunks of `0..len`, the partial sums added in chunk order.
pub(crate) fn chunked_sum<T, F>(len: usize, f: F) -> T
where
    T: Send + std::iter::Sum<T> + Copy,
    F: Fn(std::ops::Range<usize>) -> T + Sync + Send,
{
    let chunks = len.div_ceil(CHUNK);
    let range = |c: usize| c * CHUNK..((c + 1) * CHUNK).min(len);
    #[cfg(feature = "parallel")]
    if super::parallel(len) {
        use rayon::prelude::*;
        let partials: Vec<T> = (0..chunks).into_par_iter().map(|c| f(range(c))).collect();
        return partials.into_iter().sum();
    }
    (0..chunks).map(|c| f(range(c))).sum()
}

/// ⟨a|b⟩ = Σ conj(a_i) b_i.
pub(crate) fn inner(a: &[C], b: &[C]) -> C {
    chunked_sum(a.len(), |r| a[r.clone()].iter().zip(&b[r]).map(|(x, y)| x.conj() * y).sum::<C>())
}

/// Σ |a_i|².
pub(crate) fn norm_sqr(a: &[C]) -> f64 {
    chunked_sum(a.len(), |r| a[r].iter().map(|x| x.norm_sqr()).sum::<f64>())
}

/// ⟨a|P|b⟩ for the Pauli string P = i^{ny} X^{flip} Z^{phase} described by its masks: P|i⟩ =
/// i^{ny} (−1)^{|i ∧ phase|} |i ⊕ flip⟩, `flip` the X and Y positions and `phase` the Z and Y positions.
pub(crate) fn pauli_matrix_element(a: &[C], b: &[C], flip: usize, phase: usize, num_y: u32) -> C {
    let sum = chunked_sum(a.len(), |r| {
        let mut acc = C::new(0.0, 0.0);
        for i in r {
            let term = a[i ^ flip].conj() * b[i];
            if (i & phase).count_ones() & 1 == 1 {
                acc -= term;
            } else {
                acc += term;
            }
        }
        acc
    });
    sum * i_pow(num_y)
}

/// i^k.
pub(crate) fn i_pow(k: u32) -> C {
    match k % 4 {
        0 => C::new(1.0, 0.0),
        1 => C::new(0.0, 1.0),
        2 => C::new(-1.0, 0.0),
        _ => C::new(0.0, -1.0),
    }
}
