//! The backward steps of the noisy adjoint sweep. For one step S of the run, ρ is un-applied (ρ ← S⁻¹ρ: the
//! state before the step, from the state after it), the sums the step's derivatives need are taken from Λ
//! after the step and ρ before it, and S† is applied to Λ. A local step's 4x4 superoperator on (q, q + n) goes
//! through the engine's dense two-qubit kernel and its Hermitian correlation kernel (three passes that each
//! measured faster than one fused pass of the two); a 16x16 step on two qubits' ket and bra bits is one pass
//! over each group of 16 entries, in sparse form.

use num_complex::Complex64 as C;

use super::superop::{each_group, group_offsets, op4, Sparse16};
use crate::quantum::kernels::{self, Sums};
use crate::quantum::op::ZERO;

/// The most derivative sums one pass of [`back_pair`] takes (a two-qubit gate has at most three angles, a
/// two-qubit channel at most three parameters).
pub(crate) const MAX_PROBES: usize = 4;

/// Up to [`MAX_PROBES`] sums ⟨Λ|D_p|ρ⟩, summed over chunks in order.
#[derive(Clone, Copy, Default)]
pub(crate) struct Probes(pub(crate) [C; MAX_PROBES]);

impl std::iter::Sum for Probes {
    fn sum<I: Iterator<Item = Probes>>(iter: I) -> Probes {
        iter.fold(Probes::default(), |a, b| Probes(std::array::from_fn(|p| a.0[p] + b.0[p])))
    }
}

/// The backward pass of a local step on a qubit's ket and bra bits `[ket, bra]` (ket < bra) of a density
/// state (or of a tile of one): ρ ← `undo`·ρ when given (otherwise ρ already holds the state before the step),
/// then G\[r\]\[c\] = Σ_g conj(Λ_r) ρ_c, the entries `sums` asks for (local index r = ket bit + 2·bra bit; ρ
/// and Λ Hermitian), then Λ ← `adjoint`·Λ, by the engine's two-qubit kernels. Returns G (zero where not asked).
pub(crate) fn back_local(
    rho: &mut [C],
    lambda: &mut [C],
    bits: [usize; 2],
    undo: Option<&[[C; 4]; 4]>,
    adjoint: &[[C; 4]; 4],
    sums: Option<Sums>,
) -> [[C; 4]; 4] {
    if let Some(u) = undo {
        kernels::apply_op(rho, &op4(u), &bits, 0);
    }
    let g = match sums {
        Some(sums) => kernels::correlate_hermitian(rho, lambda, bits[0], bits[1], sums),
        None => [[ZERO; 4]; 4],
    };
    kernels::apply_op(lambda, &op4(adjoint), &bits, 0);
    g
}

/// The backward pass of a step on two qubits of a density state (or of a tile of one) given as 16x16
/// matrices on `bits` (their ket bits a, b, then their bra bits): ρ ← `undo`·ρ when given (otherwise ρ already holds the state before the step), then
/// ⟨Λ|D_p|ρ⟩ for each of the `probes` (at most [`MAX_PROBES`]), then Λ ← `adjoint`·Λ. Returns the sums in the
/// probes' order.
pub(crate) fn back_pair(
    rho: &mut [C],
    lambda: &mut [C],
    bits: [usize; 4],
    undo: Option<&Sparse16>,
    adjoint: &Sparse16,
    probes: &[&Sparse16],
) -> [C; MAX_PROBES] {
    assert!(probes.len() <= MAX_PROBES, "at most {MAX_PROBES} probes");
    let (offsets, mask) = group_offsets::<4, 16>(bits);
    each_group([rho, lambda], &offsets, mask, |x: &mut [C; 16], y: &mut [C; 16], acc: &mut Probes| {
        if let Some(u) = undo {
            *x = u.apply(x);
        }
        for (acc, d) in acc.0.iter_mut().zip(probes) {
            *acc += d.element(y, x);
        }
        *y = adjoint.apply(y);
    })
    .0
}
