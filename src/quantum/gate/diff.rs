//! What a gate knows about its own derivatives: the generator, the exact shift rule of each angle and the
//! derivative ∂U/∂θ of its op. The adjoint method and the parameter-shift rules read them from here, so a new
//! parametrised gate is differentiated by every method once this file knows it.

use std::f64::consts::{FRAC_PI_2, SQRT_2};

use nalgebra::DMatrix;
use num_complex::Complex64 as C;

use super::{cis, Gate};
use crate::quantum::op::{Op, I, ONE, ZERO};
use crate::quantum::Pauli;

/// The parameter-shift rule that differentiates an angle exactly: ∂f/∂θ = Σ_k c_k·f(θ + s_k).
///
/// # Example
///
/// ```
/// use qnet::prelude::*;
/// use qnet::quantum::ShiftRule;
///
/// assert_eq!(Gate::RX(0.1.into()).slot_shift_rule(0, false), Some(ShiftRule::TwoTerm));
/// assert_eq!(Gate::CRY(0.1.into()).slot_shift_rule(0, false), Some(ShiftRule::FourTerm));
/// assert_eq!(Gate::H.slot_shift_rule(0, false), None);
///
/// // The two-term rule on f(θ) = cos θ gives −sin θ exactly.
/// let d: f64 = ShiftRule::TwoTerm.terms().iter().map(|&(s, c)| c * (0.3f64 + s).cos()).sum();
/// assert!((d + 0.3f64.sin()).abs() < 1e-15);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShiftRule {
    /// d f/dθ = [f(θ + π/2) − f(θ − π/2)]/2, exact when the generator has two eigenvalues one apart.
    TwoTerm,
    /// d f/dθ = c₊[f(θ + π/2) − f(θ − π/2)] − c₋[f(θ + 3π/2) − f(θ − 3π/2)] with c± = (√2 ± 1)/(4√2), exact
    /// when the generator's eigenvalues are {0, ±1/2} (controlled rotations).
    FourTerm,
}

/// The four-term rule's coefficients c± = (√2 ± 1)/(4√2).
const FOUR_TERM: (f64, f64) = ((SQRT_2 + 1.0) / (4.0 * SQRT_2), (SQRT_2 - 1.0) / (4.0 * SQRT_2));

impl ShiftRule {
    /// The (shift s_k, coefficient c_k) pairs of the rule: ∂f/∂θ = Σ_k c_k·f(θ + s_k).
    #[must_use]
    pub fn terms(self) -> &'static [(f64, f64)] {
        const TWO: [(f64, f64); 2] = [(FRAC_PI_2, 0.5), (-FRAC_PI_2, -0.5)];
        const FOUR: [(f64, f64); 4] = [
            (FRAC_PI_2, FOUR_TERM.0),
            (-FRAC_PI_2, -FOUR_TERM.0),
            (3.0 * FRAC_PI_2, -FOUR_TERM.1),
            (-3.0 * FRAC_PI_2, FOUR_TERM.1),
        ];
        match self {
            ShiftRule::TwoTerm => &TWO,
            ShiftRule::FourTerm => &FOUR,
        }
    }
}

impl Gate {
    /// The Hermitian generator G with U(θ) = exp(−iθG), for gates with exactly one angle; `None` otherwise.
    ///
    /// RX: X/2, RZ: Z/2, Phase: −|1⟩⟨1|, CRX: |1⟩⟨1| ⊗ X/2, RZZ: Z⊗Z/2, and so on.
    #[must_use]
    pub fn generator(&self) -> Option<DMatrix<C>> {
        let half = |p: Pauli| p.matrix().map(|row| row.map(|v| v * 0.5));
        let m = match self {
            Gate::RX(_) | Gate::CRX(_) | Gate::RXX(_) => half(Pauli::X),
            Gate::RY(_) | Gate::CRY(_) | Gate::RYY(_) => half(Pauli::Y),
            Gate::RZ(_) | Gate::CRZ(_) | Gate::RZZ(_) => half(Pauli::Z),
            Gate::Phase(_) | Gate::CPhase(_) => [[ZERO, ZERO], [ZERO, -ONE]],
            _ => return None,
        };
        Some(match (self.num_qubits(), self.num_controls()) {
            (1, _) => DMatrix::from_fn(2, 2, |r, c| m[r][c]),
            // |1⟩⟨1| on the control (bit 0) times m on the target (bit 1).
            (_, 1) => DMatrix::from_fn(4, 4, |r, c| if r & 1 == 1 && c & 1 == 1 { m[r >> 1][c >> 1] } else { ZERO }),
            // m ⊗ m with m already carrying a factor 1/2: rescale to one factor of 1/2.
            _ => DMatrix::from_fn(4, 4, |r, c| 2.0 * m[r & 1][c & 1] * m[r >> 1][c >> 1]),
        })
    }

    /// The exact shift rule of angle `slot` when the gate is placed with `extra_controls` (controls added by
    /// [`Circuit::add_controlled`](crate::quantum::Circuit::add_controlled)); `None` when the gate has no such
    /// angle.
    ///
    /// A generator with eigenvalues {±1/2} (Pauli rotations, U3's θ, each angle of Rot) needs two terms;
    /// controls, the gate's own (CRX, CRY, CRZ) or extra ones, add the eigenvalue 0, making it {0, ±1/2}: four
    /// terms. A phase generator −|1⟩⟨1| (Phase, CPhase, U3's φ and λ, since U3 = Phase(φ)·RY(θ)·Phase(λ)) has
    /// eigenvalues {0, −1}, one frequency, with or without controls: two terms.
    ///
    /// # Example
    ///
    /// ```
    /// use qnet::prelude::*;
    /// use qnet::quantum::ShiftRule;
    ///
    /// let u3 = Gate::U3(0.1.into(), 0.2.into(), 0.3.into());
    /// assert_eq!(u3.slot_shift_rule(0, true), Some(ShiftRule::FourTerm));
    /// assert_eq!(u3.slot_shift_rule(1, true), Some(ShiftRule::TwoTerm));
    /// assert_eq!(u3.slot_shift_rule(3, false), None);
    /// ```
    #[must_use]
    pub fn slot_shift_rule(&self, slot: usize, extra_controls: bool) -> Option<ShiftRule> {
        if slot >= self.params().len() {
            return None;
        }
        let phase_like = matches!(self, Gate::Phase(_) | Gate::CPhase(_)) || (matches!(self, Gate::U3(..)) && slot > 0);
        let controlled = extra_controls || self.num_controls() > 0;
        Some(if controlled && !phase_like { ShiftRule::FourTerm } else { ShiftRule::TwoTerm })
    }

    /// (∂U/∂θ_slot)·U† = −(i/2)P on the op's (single) target, when the angle enters as the leftmost factor
    /// exp(−iθP/2) of the gate with P a Pauli (RX, RY, RZ, their controlled forms, Rot's ω): the adjoint sweep
    /// then needs no derivative matrix.
    pub(crate) fn rotation_generator(&self, slot: usize) -> Option<[[C; 2]; 2]> {
        let h = 0.5;
        match (self, slot) {
            (Gate::RX(_) | Gate::CRX(_), 0) => Some([[ZERO, C::new(0.0, -h)], [C::new(0.0, -h), ZERO]]),
            (Gate::RY(_) | Gate::CRY(_), 0) => Some([[ZERO, C::new(-h, 0.0)], [C::new(h, 0.0), ZERO]]),
            (Gate::RZ(_) | Gate::CRZ(_), 0) | (Gate::Rot(..), 2) => {
                Some([[C::new(0.0, -h), ZERO], [ZERO, C::new(0.0, h)]])
            }
            _ => None,
        }
    }

    /// ∂U/∂θ_slot on the op's targets (the gate's own controls excluded) at the given angles.
    pub(crate) fn derivative(&self, angles: [f64; 3], slot: usize) -> Op {
        match (self, slot) {
            (Gate::U3(..), 1 | 2) => {
                // U3 = Phase(φ)·RY(θ)·Phase(λ).
                let (theta, phi, lambda) = (angles[0], angles[1], angles[2]);
                let (s, c) = (theta / 2.0).sin_cos();
                if slot == 1 {
                    Op::Mat1([[ZERO, ZERO], [I * cis(phi) * s, I * cis(phi + lambda) * c]])
                } else {
                    Op::Mat1([[ZERO, -I * cis(lambda) * s], [ZERO, I * cis(phi + lambda) * c]])
                }
            }
            // Rot = RZ(ω)·RY(θ)·RZ(φ): ∂φ = U·(−iZ/2), ∂ω = (−iZ/2)·U (∂θ below).
            (Gate::Rot(..), 0 | 2) => {
                let Op::Mat1(u) = self.lower(angles) else { unreachable!("Rot lowers to a dense 2x2") };
                let z = [-I * 0.5, I * 0.5];
                Op::Mat1(std::array::from_fn(|r| {
                    std::array::from_fn(|c| if slot == 0 { u[r][c] * z[c] } else { z[r] * u[r][c] })
                }))
            }
            (Gate::Phase(_) | Gate::CPhase(_), _) => Op::Diag1([ZERO, I * cis(angles[0])]),
            _ => {
                // The angle of a factor exp(−iθP/2) with P² = 1 (the rotations, U3's θ, Rot's θ):
                // ∂U/∂θ = −(i/2)P·U = U(θ + π)/2.
                let mut shifted = angles;
                shifted[slot] += std::f64::consts::PI;
                self.lower(shifted).scaled(C::new(0.5, 0.0))
            }
        }
    }
}
