//! What a gate knows about its own derivatives: the generator, the exact shift rule of each angle and the
//! derivative ∂U/∂θ of its op, all derived from the factor each angle enters by ([`Gate::spec`]). The adjoint
//! method and the parameter-shift rules read them from here, so a new parametrised gate is differentiated by
//! every method once its description says how its angles enter.

use std::f64::consts::{FRAC_PI_2, SQRT_2};

use nalgebra::DMatrix;
use num_complex::Complex64 as C;

use super::spec::{Factor, Form, Generator};
use super::Gate;
use crate::quantum::op::{Op, I, ONE, ZERO};

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
        let spec = self.spec();
        let m = match spec.form {
            Form::One(_, _, generator) => generator.block(),
            Form::Fixed(..) | Form::Unitary(_) | Form::Three(_) => return None,
        };
        // |1…1⟩⟨1…1| on the controls (the low bits) times G on the targets: m on one, m⊗m rescaled to one
        // factor of 1/2 on two (a Pauli's m = P/2).
        let ctrl = (1usize << spec.controls) - 1;
        let dim = 1usize << spec.qubits;
        Some(DMatrix::from_fn(dim, dim, |r, c| {
            let (tr, tc) = (r >> spec.controls, c >> spec.controls);
            match (r & ctrl == ctrl && c & ctrl == ctrl, spec.qubits - spec.controls) {
                (false, _) => ZERO,
                (true, 1) => m[tr][tc],
                (true, _) => 2.0 * m[tr & 1][tc & 1] * m[tr >> 1][tc >> 1],
            }
        }))
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
        let controlled = extra_controls || self.num_controls() > 0;
        Some(match self.factor(slot)?.generator() {
            Generator::Pauli(_) if controlled => ShiftRule::FourTerm,
            Generator::Pauli(_) | Generator::Phase => ShiftRule::TwoTerm,
        })
    }

    /// (∂U/∂θ_slot)·U† = −(i/2)P on the op's (single) target, when the angle enters as the leftmost factor
    /// exp(−iθP/2) of the gate with P a Pauli (RX, RY, RZ, their controlled forms, Rot's ω): the adjoint sweep
    /// then needs no derivative matrix.
    pub(crate) fn rotation_generator(&self, slot: usize) -> Option<[[C; 2]; 2]> {
        match (self.factor(slot)?, self.num_qubits() - self.num_controls()) {
            (Factor::Left(generator @ Generator::Pauli(_)), 1) => Some(generator.times_minus_i()),
            (Factor::Left(_) | Factor::Inner(_) | Factor::Right(_), _) => None,
        }
    }

    /// ∂U/∂θ_slot on the op's targets (the gate's own controls excluded) at the given angles.
    ///
    /// # Panics
    /// When the gate has no angle `slot` (a caller bug: the engine asks only for the angles a gate has).
    pub(crate) fn derivative(&self, angles: [f64; 3], slot: usize) -> Op {
        let factor = self.factor(slot).expect("the gate has this angle");
        let one_target = self.num_qubits() - self.num_controls() == 1;
        let product = |a: [[C; 2]; 2], b: [[C; 2]; 2]| {
            Op::sparsest1(std::array::from_fn(|r| std::array::from_fn(|c| a[r][0] * b[0][c] + a[r][1] * b[1][c])))
        };
        match factor {
            // An end factor exp(−iθG) of a one-target op (a right one is always: only three-angle gates have
            // one): ∂U/∂θ = −iG·U on the left, U·(−iG) on the right.
            Factor::Left(g) if one_target => product(g.times_minus_i(), self.lower(angles).matrix1()),
            Factor::Right(g) => product(self.lower(angles).matrix1(), g.times_minus_i()),
            // A factor exp(−iθP/2) with P² = 1 anywhere (the two-qubit rotations, U3's and Rot's θ):
            // ∂U/∂θ = −(i/2)P·U = U(θ + π)/2.
            Factor::Left(Generator::Pauli(_)) | Factor::Inner(_) => {
                let mut shifted = angles;
                shifted[slot] += std::f64::consts::PI;
                self.lower(shifted).scaled(C::new(0.5, 0.0))
            }
            Factor::Left(Generator::Phase) => unreachable!("a phase factor acts on its op's one target"),
        }
    }

    /// The factor angle `slot` enters by, when the gate has that angle.
    fn factor(&self, slot: usize) -> Option<Factor> {
        match self.spec().form {
            Form::Fixed(..) | Form::Unitary(_) => None,
            Form::One(_, _, generator) => (slot == 0).then_some(Factor::Left(generator)),
            Form::Three(three) => three.factors.get(slot).copied(),
        }
    }
}

impl Factor {
    fn generator(self) -> Generator {
        match self {
            Factor::Left(g) | Factor::Right(g) => g,
            Factor::Inner(p) => Generator::Pauli(p),
        }
    }
}

impl Generator {
    /// G on one target, 2x2: P/2 or −|1⟩⟨1|.
    fn block(self) -> [[C; 2]; 2] {
        match self {
            Generator::Pauli(p) => p.matrix().map(|row| row.map(|v| v * 0.5)),
            Generator::Phase => [[ZERO, ZERO], [ZERO, -ONE]],
        }
    }

    /// −iG on one target: (∂U/∂θ)·U† when exp(−iθG) is U's leftmost factor.
    fn times_minus_i(self) -> [[C; 2]; 2] {
        self.block().map(|row| row.map(|v| -I * v))
    }
}
