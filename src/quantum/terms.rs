//! Observables compiled for fast passes over a state: each Pauli term as bit masks, grouped so that
//! single-qubit Z terms (folded into one weight per qubit, tabulated over the low bits), other diagonal terms
//! and the rest each take their fastest route. [`StateVector::expectation`](super::StateVector::expectation)
//! and every [`QuantumFunction`](crate::grad::QuantumFunction) evaluate observables through this one route, so
//! their values agree bit for bit.

use num_complex::Complex64 as C;

use super::kernels;
use super::observable::Observable;
use crate::error::Result;

/// One Pauli term of one output, as bit masks (see `PauliString::masks`).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Term {
    output: usize,
    coeff: f64,
    flip: usize,
    phase: usize,
    num_y: u32,
}

/// A list of observables, compiled.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PauliTerms {
    /// The observables' terms, grouped by observable.
    terms: Vec<Term>,
    /// For each observable, its range in `terms`: single-qubit Z terms from `.0`, other diagonal terms from
    /// `.1`, non-diagonal terms from `.2`, up to `.3`.
    ranges: Vec<(usize, usize, usize, usize)>,
}

impl PauliTerms {
    /// Compiles `observables` for a register of `num_qubits` qubits.
    ///
    /// # Errors
    /// [`Error::InvalidQubit`](crate::Error::InvalidQubit) when an observable acts beyond the register.
    pub(crate) fn new(observables: &[Observable], num_qubits: usize) -> Result<Self> {
        let mut terms = Vec::new();
        let mut ranges = Vec::new();
        // Single-qubit Z terms (group 0), other diagonal terms (1), the rest (2).
        let group = |t: &Term| if t.flip != 0 { 2 } else { usize::from(t.phase.count_ones() != 1) };
        for (output, o) in observables.iter().enumerate() {
            o.check_fits(num_qubits)?;
            let start = terms.len();
            terms.extend(o.terms().iter().map(|t| {
                let (flip, phase, num_y) = t.masks();
                Term { output, coeff: t.coeff(), flip, phase, num_y }
            }));
            // A stable sort: each group keeps the observable's order.
            terms[start..].sort_by_key(group);
            let end_of = |g| start + terms[start..].partition_point(|t| group(t) <= g);
            ranges.push((start, end_of(0), end_of(1), terms.len()));
        }
        Ok(PauliTerms { terms, ranges })
    }

    /// ⟨φ|O_i|φ⟩ for every observable, written into `out`.
    pub(crate) fn expectations(&self, phi: &[C], out: &mut [f64]) {
        if !self.single_z_expectations(phi, out) {
            self.diagonal_and_general_expectations(phi, out);
        }
    }

    /// When every output is one term c·Z_q and the state is one reduction chunk (at most 2^12 amplitudes),
    /// writes all expectations in one pass over the state and returns true: per output the same products and
    /// sums, in the same order, as [`diagonal_and_general_expectations`](Self::diagonal_and_general_expectations),
    /// which passes over the state once per output (the weight c·(−1)^bit is what its table holds, plus 0).
    fn single_z_expectations(&self, phi: &[C], out: &mut [f64]) -> bool {
        const MAX_OUTPUTS: usize = 16;
        let single = |&(start, single_end, mid, end): &(usize, usize, usize, usize)| {
            single_end == start + 1 && mid == single_end && end == mid
        };
        if out.len() > MAX_OUTPUTS || phi.len() > kernels::CHUNK || !self.ranges.iter().all(single) {
            return false;
        }
        // Eight outputs at a time, each in its own lane (a fixed-width loop the compiler keeps in registers and
        // vectorizes): every lane adds its products in index order, as one output alone would.
        const LANES: usize = 8;
        for (outs, terms) in out.chunks_mut(LANES).zip(self.terms.chunks(LANES)) {
            let (mut coeff, mut phase) = ([0.0; LANES], [0usize; LANES]);
            for (l, t) in terms.iter().enumerate() {
                (coeff[l], phase[l]) = (t.coeff, t.phase);
            }
            let mut acc = [0.0; LANES];
            for (i, a) in phi.iter().enumerate() {
                let p = a.norm_sqr();
                for l in 0..LANES {
                    acc[l] += p * (if i & phase[l] == 0 { coeff[l] } else { -coeff[l] } + 0.0);
                }
            }
            for (o, &acc) in outs.iter_mut().zip(&acc) {
                *o = 0.0 + std::iter::once(acc).sum::<f64>();
            }
        }
        true
    }

    /// ⟨φ|O_i|φ⟩ for every observable, one output at a time: the diagonal terms in one weighted pass over the
    /// probabilities, the others through their matrix elements.
    fn diagonal_and_general_expectations(&self, phi: &[C], out: &mut [f64]) {
        for (o, &(start, single_end, mid, end)) in out.iter_mut().zip(&self.ranges) {
            let mut per_qubit = [0.0; usize::BITS as usize];
            for t in &self.terms[start..single_end] {
                per_qubit[t.phase.trailing_zeros() as usize] += t.coeff;
            }
            let multi = &self.terms[single_end..mid];
            let mut v = 0.0;
            if mid > start {
                let table = LowTable::new(&per_qubit, phi.len());
                v += kernels::chunked_sum(phi.len(), |r| {
                    let mut acc = 0.0;
                    table.for_blocks(r, &per_qubit, |i, mut w| {
                        for t in multi {
                            w += if (i & t.phase).count_ones() & 1 == 1 { -t.coeff } else { t.coeff };
                        }
                        acc += phi[i].norm_sqr() * w;
                    });
                    acc
                });
            }
            for t in &self.terms[mid..end] {
                v += (kernels::pauli_matrix_element(phi, phi, t.flip, t.phase, t.num_y) * t.coeff).re;
            }
            *o = v;
        }
    }

    /// λ = Σ_i g_i O_i φ, written into `lambda`; `coeffs` is scratch.
    pub(crate) fn apply_weighted(&self, phi: &[C], upstream: &[f64], lambda: &mut [C], coeffs: &mut Vec<f64>) {
        self.weighted(phi, upstream, lambda, coeffs, false);
    }

    /// λ += Σ_i g_i O_i φ; `coeffs` is scratch.
    #[cfg(feature = "mpi")]
    pub(crate) fn add_weighted(&self, phi: &[C], upstream: &[f64], lambda: &mut [C], coeffs: &mut Vec<f64>) {
        self.weighted(phi, upstream, lambda, coeffs, true);
    }

    /// Σ_i g_i O_i φ written into `lambda`, or added to it when `add`.
    fn weighted(&self, phi: &[C], upstream: &[f64], lambda: &mut [C], coeffs: &mut Vec<f64>, add: bool) {
        coeffs.clear();
        coeffs.extend(self.terms.iter().map(|t| upstream[t.output] * t.coeff));
        // Diagonal part: λ_j = φ_j Σ_t g_t c_t (−1)^{|j ∧ phase_t|}, one pass; single-qubit Z terms of
        // every output fold into one coefficient per qubit.
        let mut per_qubit = [0.0; usize::BITS as usize];
        for &(start, single_end, _, _) in &self.ranges {
            for (t, &c) in self.terms[start..single_end].iter().zip(&coeffs[start..single_end]) {
                per_qubit[t.phase.trailing_zeros() as usize] += c;
            }
        }
        let table = LowTable::new(&per_qubit, phi.len());
        // Diagonal terms on several qubits add ±g·c per amplitude (none for single-qubit Z readouts: the loop
        // over them is skipped, the same bits as adding nothing).
        let multi = self.ranges.iter().any(|&(_, single_end, mid, _)| single_end < mid);
        table.for_blocks(0..phi.len(), &per_qubit, |i, mut w| {
            if multi {
                for &(_, single_end, mid, _) in &self.ranges {
                    for (t, &c) in self.terms[single_end..mid].iter().zip(&coeffs[single_end..mid]) {
                        w += if (i & t.phase).count_ones() & 1 == 1 { -c } else { c };
                    }
                }
            }
            if add {
                lambda[i] += phi[i] * w;
            } else {
                lambda[i] = phi[i] * w;
            }
        });
        // Non-diagonal terms: λ_{j ⊕ flip} += g c i^{ny} (−1)^{|j ∧ phase|} φ_j.
        for &(_, _, mid, end) in &self.ranges {
            for (t, &c) in self.terms[mid..end].iter().zip(&coeffs[mid..end]) {
                let factor = kernels::i_pow(t.num_y) * c;
                for (j, a) in phi.iter().enumerate() {
                    let v = factor * a;
                    if (j & t.phase).count_ones() & 1 == 1 {
                        lambda[j ^ t.flip] -= v;
                    } else {
                        lambda[j ^ t.flip] += v;
                    }
                }
            }
        }
    }
}

/// The low bits whose single-qubit Z weights are tabulated.
const TABLE_BITS: usize = 6;

/// w(i) = Σ_q a_q (1 − 2·bit_q(i)) for per-qubit coefficients a, tabulated over the low bits of i so that a
/// pass over the state adds one table entry and one per-block constant per amplitude.
struct LowTable {
    bits: usize,
    table: [f64; 1 << TABLE_BITS],
}

impl LowTable {
    fn new(a: &[f64; usize::BITS as usize], dim: usize) -> Self {
        let bits = (dim.trailing_zeros() as usize).min(TABLE_BITS);
        let mut table = [0.0; 1 << TABLE_BITS];
        table[0] = a[..bits].iter().sum();
        for k in 1..1usize << bits {
            table[k] = table[k & (k - 1)] - 2.0 * a[k.trailing_zeros() as usize];
        }
        LowTable { bits, table }
    }

    /// Calls f(i, w(i)) for every i in `range` (whose ends are multiples of the table size or the state's end).
    #[inline(always)]
    fn for_blocks(
        &self,
        range: std::ops::Range<usize>,
        a: &[f64; usize::BITS as usize],
        mut f: impl FnMut(usize, f64),
    ) {
        let size = 1usize << self.bits;
        let mut b = range.start;
        while b < range.end {
            let mut high = 0.0;
            let mut m = b >> self.bits;
            let mut q = self.bits;
            while m != 0 {
                high += if m & 1 == 1 { -a[q] } else { a[q] };
                m >>= 1;
                q += 1;
            }
            // Qubits above the index's highest set bit contribute +a_q.
            high += a[q..].iter().sum::<f64>();
            let end = (b + size).min(range.end);
            for (k, &t) in self.table[..end - b].iter().enumerate() {
                f(b + k, t + high);
            }
            b = end;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quantum::{Pauli, PauliString};

    fn state(n: usize, seed: &mut u64) -> Vec<C> {
        let mut next = || {
            *seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (*seed >> 11) as f64 / (1u64 << 53) as f64 - 0.5
        };
        let v: Vec<C> = (0..1usize << n).map(|_| C::new(next(), next())).collect();
        let norm = v.iter().map(|a| a.norm_sqr()).sum::<f64>().sqrt();
        v.into_iter().map(|a| a / norm).collect()
    }

    /// The one-pass route for outputs c·Z_q gives the per-output route's bits, and other shapes take the
    /// per-output route.
    #[test]
    fn single_z_outputs_in_one_pass_match_the_per_output_pass_bit_for_bit() {
        let mut seed = 11;
        for n in 1..=12 {
            let phi = state(n, &mut seed);
            let observables: Vec<Observable> = (0..n)
                .map(|q| PauliString::z(q).unwrap().with_coeff([1.0, -0.75, 0.0, 2.5][q % 4]).unwrap().into())
                .chain([PauliString::z(n - 1).unwrap().into()])
                .collect();
            let terms = PauliTerms::new(&observables, n).unwrap();
            let (mut fast, mut slow) = (vec![0.0; observables.len()], vec![0.0; observables.len()]);
            assert!(terms.single_z_expectations(&phi, &mut fast));
            terms.diagonal_and_general_expectations(&phi, &mut slow);
            assert_eq!(
                fast.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
                slow.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
                "n = {n}"
            );
            assert!(fast.iter().zip(&observables).all(|(v, o)| v.abs() <= o.terms()[0].coeff().abs() + 1e-12));
        }
        let phi = state(3, &mut seed);
        let zz = PauliString::new(1.0, &[(0, Pauli::Z), (1, Pauli::Z)]).unwrap();
        for other in [Observable::sum_z(3).unwrap(), zz.into(), PauliString::new(1.0, &[(0, Pauli::X)]).unwrap().into()]
        {
            let terms = PauliTerms::new(&[other], 3).unwrap();
            assert!(!terms.single_z_expectations(&phi, &mut [0.0]));
        }
        // Past one reduction chunk the per-output route runs.
        let big = state(13, &mut seed);
        let terms = PauliTerms::new(&[PauliString::z(0).unwrap().into()], 13).unwrap();
        assert!(!terms.single_z_expectations(&big, &mut [0.0]));
    }
}
