//! The steps of a noisy run as the adjoint sweep sees them, and what it needs of each: local steps (a qubit's
//! one-qubit gates and channels as one 4x4 superoperator), two-qubit gates and channels as 16x16 ones, and
//! the derivatives of each.

use nalgebra::DMatrix;
use num_complex::Complex64 as C;

use super::super::channel::{mul4, superoperator, Channel};
use super::super::doubled::unitary_superoperator;
use super::super::sequence::{Event, Sequence};
use super::super::superop::{self, pair_bits, Sparse16};
use super::super::sweep::MAX_PROBES;
use super::NoisyGradient;
use crate::error::ParamKind;
use crate::quantum::engine::tile_qubit;
use crate::quantum::kernels::{self, Sums};
use crate::quantum::op::{Op, ZERO};
use crate::quantum::{Circuit, Instruction};

/// Where a factor of a local step comes from, for its derivatives.
pub(super) enum Source {
    /// Instruction `k` of the circuit (an uncontrolled one-qubit gate).
    Gate(usize),
    /// Channel `id` of the run's [`Sequence`].
    Channel(usize),
}

/// One gate's or channel's 4x4 superoperator on (q, q + n), in the index r + 2c of ρ\[r\]\[c\].
pub(super) struct Factor {
    pub(super) m: [[C; 4]; 4],
    pub(super) source: Source,
}

/// One step of the noisy run, in order.
pub(super) enum Step {
    /// The one-qubit gates and channels on qubit `q` between two steps that touch it, applied as their
    /// `product` in one pass; their derivatives all come from one correlation matrix of the step. `inverse` is
    /// the product's inverse (None when a channel in it is not invertible), and `gain` a bound on its norm,
    /// ‖S⁻¹‖₂ ≤ Π‖F_j⁻¹‖₂ (1 for gates): how much un-applying the step can grow an error.
    /// `sums` says which entries of the correlation the derivatives read: none when no factor has a
    /// derivative, those of the X pattern when every factor and every derivative of one is such a matrix
    /// ([`Sums::XPattern`]: depolarizing, damping and diagonal gates without weights or inputs, whose products
    /// keep the pattern), all of them otherwise.
    Local {
        q: usize,
        factors: Vec<Factor>,
        product: Box<[[C; 4]; 4]>,
        inverse: Option<Box<[[C; 4]; 4]>>,
        gain: f64,
        sums: Option<Sums>,
    },
    /// Instruction `k` of the circuit on two qubits in all (two targets, or a target and a control) as the
    /// 16x16 U ⊗ U* on bits (a, b, a + n, b + n), with its adjoint and, for each angle read from a weight or
    /// an input, ∂(U ⊗ U*) = ∂U ⊗ U* + U ⊗ ∂U* with where the angle comes from.
    Gate2 { k: usize, qubits: [usize; 2], s: Sparse16, adjoint: Sparse16, derivatives: Vec<GateDerivative> },
    /// Instruction `k` of the circuit on more qubits: U on the ket qubits, U* on the bra qubits.
    Gate(usize),
    /// Channel `id` of the run's [`Sequence`] on two qubits ([`ChannelOps::pair`] holds its matrices).
    Channel2 { id: usize, qubits: [usize; 2] },
}

/// ∂(U ⊗ U*)/∂θ for an angle θ = scale · (weight or input `index`).
pub(super) struct GateDerivative {
    pub(super) kind: ParamKind,
    pub(super) index: usize,
    pub(super) scale: f64,
    pub(super) d: Sparse16,
}

/// What the sweep needs of one of the run's channels, made once per gradient.
pub(super) struct ChannelOps {
    /// The superoperator S.
    pub(super) s: DMatrix<C>,
    /// ∂S/∂θ for each parameter θ of the channel.
    pub(super) derivatives: Vec<DMatrix<C>>,
    /// S⁻¹ and ‖S⁻¹‖₂ when S is invertible.
    pub(super) inverse: Option<(DMatrix<C>, f64)>,
    /// For a two-qubit channel, its matrices in sparse form.
    pub(super) pair: Option<PairOps>,
}

/// A two-qubit channel's S, S†, S⁻¹ (when invertible; entries below 1e-15 of the largest dropped, as
/// un-applying is exact only to rounding anyway) and ∂S/∂θ, in sparse form.
pub(super) struct PairOps {
    pub(super) s: Sparse16,
    pub(super) adjoint: Sparse16,
    pub(super) inverse: Option<Sparse16>,
    pub(super) derivatives: Vec<Sparse16>,
}

impl ChannelOps {
    pub(super) fn new(channel: &Channel) -> Self {
        let s = superoperator(&channel.kraus_operators());
        let inverse = s.clone().try_inverse().map(|inv| {
            let norm = inv.singular_values().max();
            (inv, norm)
        });
        let derivatives = channel.derivatives();
        let pair = (s.nrows() == 16).then(|| {
            let drop = |m: &DMatrix<C>| 1e-15 * m.iter().map(|v| v.norm()).fold(0.0, f64::max);
            PairOps {
                s: Sparse16::new(&s, 0.0),
                adjoint: Sparse16::new(&s.adjoint(), 0.0),
                inverse: inverse.as_ref().map(|(inv, _)| Sparse16::new(inv, drop(inv))),
                derivatives: derivatives.iter().map(|d| Sparse16::new(d, 0.0)).collect(),
            }
        });
        ChannelOps { s, derivatives, inverse, pair }
    }
}

/// The 4x4 identity.
pub(super) fn identity4() -> [[C; 4]; 4] {
    std::array::from_fn(|r| std::array::from_fn(|c| if r == c { C::new(1.0, 0.0) } else { ZERO }))
}

/// Re Σ_rc (A·D·B)\[r\]\[c\]·G\[r\]\[c\] for a local step's factor derivative D (A the factors after it, B those
/// before). A derivative with infinite entries (that of √(1−γ) at γ = 1: amplitude and phase damping as they
/// become a reset) is taken term by term, D_km·Σ_rc A_rk B_mc G_rc, as the one-sided limit γ → 1: the entries
/// of one infinite value add ±∞ where their summed coefficient is nonzero and nothing where it is zero (the
/// coherences they scale are gone), instead of the NaN of 0·∞.
pub(super) fn contract(d: &[[C; 4]; 4], a: &[[C; 4]; 4], b: &[[C; 4]; 4], g: &[[C; 4]; 4]) -> f64 {
    if d.iter().flatten().all(|z| z.is_finite()) {
        let m = mul4(a, &mul4(d, b));
        return (0..16).map(|k| m[k / 4][k % 4] * g[k / 4][k % 4]).sum::<C>().re;
    }
    let coef = |k: usize, m: usize| -> C { (0..16).map(|rc| a[rc / 4][k] * b[m][rc % 4] * g[rc / 4][rc % 4]).sum() };
    // Re(x·y) with 0·(±∞) = 0.
    let times = |x: f64, y: f64| if x == 0.0 || y == 0.0 { 0.0 } else { x * y };
    let re_times = |x: C, y: C| times(x.re, y.re) - times(x.im, y.im);
    let entries = || (0..16).map(|km| (km / 4, km % 4, d[km / 4][km % 4]));
    let mut sum: f64 = entries().filter(|e| e.2.is_finite()).map(|(k, m, v)| re_times(v, coef(k, m))).sum();
    // Each infinite value once, with the coefficients of all its entries.
    let infinite: Vec<(usize, usize, C)> = entries().filter(|e| !e.2.is_finite()).collect();
    for (j, &(_, _, v)) in infinite.iter().enumerate() {
        if infinite[..j].iter().all(|e| e.2 != v) {
            let total: C = infinite.iter().filter(|e| e.2 == v).map(|&(k, m, _)| coef(k, m)).sum();
            sum += re_times(v, total);
        }
    }
    sum
}

/// The conjugate transpose of a 4x4 matrix.
pub(super) fn adjoint4(m: &[[C; 4]; 4]) -> [[C; 4]; 4] {
    std::array::from_fn(|r| std::array::from_fn(|c| m[c][r].conj()))
}

/// A superoperator as a 4x4 array.
pub(super) fn array4(s: &DMatrix<C>) -> [[C; 4]; 4] {
    std::array::from_fn(|r| std::array::from_fn(|c| s[(r, c)]))
}

/// The steps of a noisy run: uncontrolled one-qubit gates and one-qubit channels gathered per qubit into local
/// steps (closed when a step on several qubits touches the qubit), the other gates and two-qubit channels on
/// their own.
pub(super) fn steps(
    circuit: &Circuit,
    run: &Sequence,
    channels: &[ChannelOps],
    weights: &[f64],
    inputs: &[f64],
) -> Vec<Step> {
    let n = circuit.num_qubits();
    let mut out = Vec::new();
    let mut pending: Vec<Vec<Factor>> = (0..n).map(|_| Vec::new()).collect();
    let flush = |out: &mut Vec<Step>, pending: &mut [Vec<Factor>], q: usize| {
        if !pending[q].is_empty() {
            let factors = std::mem::take(&mut pending[q]);
            out.push(local_step(q, factors, channels, circuit));
        }
    };
    for event in &run.events {
        match *event {
            Event::Gate(k) => {
                let inst = &circuit.instructions()[k];
                if let ([q], 0) = (inst.op_targets(), inst.control_mask()) {
                    let u = inst.gate().lower(inst.angles(weights, inputs)).matrix1();
                    pending[*q].push(Factor { m: unitary_superoperator(&u), source: Source::Gate(k) });
                } else {
                    inst.qubits().for_each(|q| flush(&mut out, &mut pending, q));
                    // A gate without weights or inputs has nothing to correlate: the permutation and
                    // dense kernels un-apply it faster than a 16x16 pass.
                    let parametrised = inst.gate().params().iter().any(|p| !p.is_const());
                    let gate2 = if parametrised { gate2_step(inst, k, weights, inputs) } else { None };
                    out.push(gate2.unwrap_or(Step::Gate(k)));
                }
            }
            Event::Channel { id, ref qubits } => {
                if let [q] = qubits[..] {
                    pending[q].push(Factor { m: array4(&channels[id].s), source: Source::Channel(id) });
                } else {
                    qubits.iter().for_each(|&q| flush(&mut out, &mut pending, q));
                    out.push(Step::Channel2 { id, qubits: [qubits[0], qubits[1]] });
                }
            }
        }
    }
    (0..n).for_each(|q| flush(&mut out, &mut pending, q));
    out
}

/// A local step of `factors` (applied first to last): their product, its inverse F_0⁻¹ ⋯ F_{m−1}⁻¹, the
/// bound on its norm, and the sums its derivatives read.
fn local_step(q: usize, factors: Vec<Factor>, channels: &[ChannelOps], circuit: &Circuit) -> Step {
    let product = factors.iter().fold(identity4(), |p, f| mul4(&f.m, &p));
    let mut inverse = Some(identity4());
    let mut gain = 1.0;
    for f in &factors {
        let f_inverse = match f.source {
            Source::Gate(_) => Some(adjoint4(&f.m)),
            Source::Channel(id) => channels[id].inverse.as_ref().map(|(inv, norm)| {
                gain *= norm;
                array4(inv)
            }),
        };
        inverse = inverse.zip(f_inverse).map(|(p, f)| mul4(&p, &f));
    }
    let fixed = |k: usize| circuit.instructions()[k].gate().params().iter().all(|p| p.is_const());
    let derivatives = factors.iter().any(|f| match f.source {
        Source::Gate(k) => !fixed(k),
        Source::Channel(id) => !channels[id].derivatives.is_empty(),
    });
    let x = factors.iter().all(|f| {
        x_pattern(&f.m)
            && match f.source {
                Source::Gate(k) => fixed(k),
                Source::Channel(id) => channels[id].derivatives.iter().all(|d| x_pattern(&array4(d))),
            }
    });
    let sums = derivatives.then_some(if x { Sums::XPattern } else { Sums::All });
    Step::Local { q, factors, product: Box::new(product), inverse: inverse.map(Box::new), gain, sums }
}

/// Whether `m` is zero off (0, 0), (0, 3), (3, 0), (3, 3), (1, 1), (2, 2) and real on the first four (see
/// [`Sums::XPattern`]).
fn x_pattern(m: &[[C; 4]; 4]) -> bool {
    let corner = |r: usize| r == 0 || r == 3;
    (0..16).all(|k| {
        let (r, c, z) = (k / 4, k % 4, m[k / 4][k % 4]);
        match (corner(r) && corner(c), r == c) {
            (true, _) => z.im == 0.0,
            (false, true) => true,
            (false, false) => z == ZERO,
        }
    })
}

/// A gate's op (or its derivative, when the flag is set) as a 4x4 matrix on its two qubits.
type Embed = fn(&Op, bool) -> [[C; 4]; 4];

/// Instruction `k` as a [`Step::Gate2`] when it acts on two qubits in all (two targets, or one target and one
/// control).
fn gate2_step(inst: &Instruction, k: usize, weights: &[f64], inputs: &[f64]) -> Option<Step> {
    let gate = inst.gate();
    let angles = inst.angles(weights, inputs);
    let ctrl = inst.control_mask();
    let (qubits, embed): ([usize; 2], Embed) = match (inst.op_targets(), ctrl.count_ones()) {
        (&[a, b], 0) => ([a, b], |op, _| op.matrix2()),
        // Local index: target bit + 2·control bit; U where the control is set, I (or, for a derivative, 0)
        // where it is not.
        (&[t], 1) => ([t, ctrl.trailing_zeros() as usize], |op, derivative| {
            let u = op.matrix1();
            std::array::from_fn(|r| {
                std::array::from_fn(|col| match (r >> 1, col >> 1) {
                    (1, 1) => u[r & 1][col & 1],
                    (0, 0) if r == col && !derivative => C::new(1.0, 0.0),
                    _ => ZERO,
                })
            })
        }),
        _ => return None,
    };
    let u = embed(&gate.lower(angles), false);
    let superop =
        |a: &[[C; 4]; 4], b: &[[C; 4]; 4]| DMatrix::from_fn(16, 16, |r, c| a[r & 3][c & 3] * b[r >> 2][c >> 2].conj());
    let s = superop(&u, &u);
    let derivatives = gate
        .params()
        .iter()
        .enumerate()
        .filter_map(|(slot, p)| {
            let (kind, index, scale) = p.source()?;
            let du = embed(&gate.derivative(angles, slot), true);
            let d = superop(&du, &u) + superop(&u, &du);
            Some(GateDerivative { kind, index, scale, d: Sparse16::new(&d, 0.0) })
        })
        .collect::<Vec<_>>();
    (derivatives.len() <= MAX_PROBES).then(|| Step::Gate2 {
        k,
        qubits,
        s: Sparse16::new(&s, 0.0),
        adjoint: Sparse16::new(&s.adjoint(), 0.0),
        derivatives,
    })
}

/// The conjugate of an op, entry by entry, in the same form.
fn conj_op(op: &Op) -> Op {
    match *op {
        Op::Diag1(d) => Op::Diag1(d.map(|x| x.conj())),
        Op::Anti1(a, b) => Op::Anti1(a.conj(), b.conj()),
        Op::Mat1(m) => Op::Mat1(m.map(|r| r.map(|x| x.conj()))),
        Op::Diag2(d) => Op::Diag2(d.map(|x| x.conj())),
        Op::Swap2(p) => Op::Swap2(p.conj()),
        Op::Mat2(m) => Op::Mat2(m.map(|r| r.map(|x| x.conj()))),
    }
}

/// Where the bits of a density state (ket qubit q, bra qubit q + n) sit in the buffer a step runs on.
#[derive(Debug, Clone, Copy)]
pub(super) enum Place {
    /// The whole state: every bit where it is.
    Whole,
    /// A tile of the state with these high bits (the engine's [`Tiles`](crate::quantum::engine::Tiles)).
    Tile(usize),
}

impl Place {
    /// Where bit `b` of the state sits.
    pub(super) fn bit(self, b: usize) -> usize {
        match self {
            Place::Whole => b,
            Place::Tile(high) => tile_qubit(b, high),
        }
    }

    /// Where each of `bits` sits.
    pub(super) fn bits<const N: usize>(self, bits: [usize; N]) -> [usize; N] {
        bits.map(|b| self.bit(b))
    }

    /// Where the bits of `mask` sit, as a mask.
    pub(super) fn mask(self, mut mask: usize) -> usize {
        let mut out = 0;
        while mask != 0 {
            out |= 1 << self.bit(mask.trailing_zeros() as usize);
            mask &= mask - 1;
        }
        out
    }
}

pub(super) struct Run<'a> {
    pub(super) circuit: &'a Circuit,
    pub(super) weights: &'a [f64],
    pub(super) inputs: &'a [f64],
    pub(super) n: usize,
    /// What the sweep needs of each of the run's channels (the noise model's rules first), made once.
    pub(super) channels: Vec<ChannelOps>,
    pub(super) num_rules: usize,
}

impl Run<'_> {
    /// Applies step `step` to `v`, or its adjoint.
    pub(super) fn apply(&self, v: &mut [C], step: &Step, adjoint: bool) {
        self.apply_at(v, step, adjoint, Place::Whole);
    }

    /// Applies step `step` (or its adjoint) to `v`, the whole state or a tile of it as `place` says.
    pub(super) fn apply_at(&self, v: &mut [C], step: &Step, adjoint: bool, place: Place) {
        let n = self.n;
        match step {
            Step::Local { q, product, .. } => {
                let m = if adjoint { adjoint4(product) } else { **product };
                kernels::apply_op(v, &superop::op4(&m), &place.bits([*q, q + n]), 0);
            }
            Step::Gate(k) => {
                let inst = &self.circuit.instructions()[*k];
                let op = inst.gate().lower(inst.angles(self.weights, self.inputs));
                let (op, conj) = if adjoint { (op.adjoint(), conj_op(&op).adjoint()) } else { (op, conj_op(&op)) };
                let ket: Vec<usize> = inst.op_targets().iter().map(|&q| place.bit(q)).collect();
                let bra: Vec<usize> = inst.op_targets().iter().map(|&q| place.bit(q + n)).collect();
                let ctrl = inst.control_mask();
                kernels::apply_op(v, &op, &ket, place.mask(ctrl));
                kernels::apply_op(v, &conj, &bra, place.mask(ctrl << n));
            }
            Step::Gate2 { qubits, s, adjoint: s_adjoint, .. } => {
                superop::apply16(v, if adjoint { s_adjoint } else { s }, place.bits(pair_bits(*qubits, n)));
            }
            Step::Channel2 { id, qubits } => {
                let pair = self.channels[*id].pair.as_ref().expect("a two-qubit channel");
                let s = if adjoint { &pair.adjoint } else { &pair.s };
                superop::apply16(v, s, place.bits(pair_bits(*qubits, n)));
            }
        }
    }

    /// The bits of the doubled state (ket qubit q, bra qubit q + n) that `step` touches.
    pub(super) fn mask(&self, step: &Step) -> usize {
        let n = self.n;
        let both = |m: usize| m | m << n;
        match step {
            Step::Local { q, .. } => both(1 << q),
            Step::Gate2 { qubits: [a, b], .. } | Step::Channel2 { qubits: [a, b], .. } => both(1 << a | 1 << b),
            Step::Gate(k) => {
                let inst = &self.circuit.instructions()[*k];
                both(inst.qubits().fold(0, |m, q| m | 1 << q))
            }
        }
    }

    /// Adds `value` = ∂f/∂θ for parameter `slot` of channel `id` to the gradient: to the noise model's rule, or
    /// (a circuit's channel whose strength is scale · w or x) to the weight or input it reads.
    pub(super) fn add_channel_derivative(&self, grads: &mut NoisyGradient, id: usize, slot: usize, value: f64) {
        match id.checked_sub(self.num_rules) {
            None => grads.noise[id][slot] += value,
            Some(j) => match self.circuit.channels()[j].params()[slot].source() {
                Some((ParamKind::Weight, index, scale)) => grads.weights[index] += scale * value,
                Some((ParamKind::Input, index, scale)) => grads.inputs[index] += scale * value,
                None => {}
            },
        }
    }

    /// The derivatives of a local step's factors, from its correlation matrix `g` (G\[r\]\[c\] = Σ conj(Λ_r)
    /// ρ_c over the groups of (q, q + n), Λ after the step and ρ before it): factor j contributes
    /// Σ_rc (A ∂F_j B)\[r\]\[c\] G\[r\]\[c\], A the factors after it and B those before (see [`contract`]).
    pub(super) fn local_derivatives(&self, factors: &[Factor], g: &[[C; 4]; 4], grads: &mut NoisyGradient) {
        let contract = |d: &[[C; 4]; 4], after: &[[C; 4]; 4], before: &[[C; 4]; 4]| contract(d, after, before, g);
        // after[j] = F_{m−1} ⋯ F_{j+1}.
        let mut after = vec![identity4(); factors.len()];
        for j in (0..factors.len().saturating_sub(1)).rev() {
            after[j] = mul4(&after[j + 1], &factors[j + 1].m);
        }
        let mut before = identity4();
        for (factor, after) in factors.iter().zip(&after) {
            match factor.source {
                Source::Gate(k) => {
                    let inst = &self.circuit.instructions()[k];
                    let gate = inst.gate();
                    let angles = inst.angles(self.weights, self.inputs);
                    let u = gate.lower(angles).matrix1();
                    for (slot, p) in gate.params().iter().enumerate() {
                        let Some((kind, index, scale)) = p.source() else { continue };
                        // ∂(U ⊗ U*) = ∂U ⊗ U* + U ⊗ ∂U*.
                        let du = gate.derivative(angles, slot).matrix1();
                        let d = std::array::from_fn(|r| {
                            std::array::from_fn(|c| {
                                du[r & 1][c & 1] * u[r >> 1][c >> 1].conj()
                                    + u[r & 1][c & 1] * du[r >> 1][c >> 1].conj()
                            })
                        });
                        let value = contract(&d, after, &before) * scale;
                        self.add_gate_derivative(grads, kind, index, value);
                    }
                }
                Source::Channel(id) => {
                    for (slot, d) in self.channels[id].derivatives.iter().enumerate() {
                        let value = contract(&array4(d), after, &before);
                        self.add_channel_derivative(grads, id, slot, value);
                    }
                }
            }
            before = mul4(&factor.m, &before);
        }
    }

    /// Adds `value` to the derivative with respect to weight or input `index`.
    pub(super) fn add_gate_derivative(&self, grads: &mut NoisyGradient, kind: ParamKind, index: usize, value: f64) {
        match kind {
            ParamKind::Weight => grads.weights[index] += value,
            ParamKind::Input => grads.inputs[index] += value,
        }
    }

    /// A gradient of `value` with every derivative zero, sized for the circuit and the noise model's rules.
    pub(super) fn zero_gradient(&self, value: f64) -> NoisyGradient {
        NoisyGradient {
            value,
            weights: vec![0.0; self.circuit.num_weights()],
            inputs: vec![0.0; self.circuit.num_inputs()],
            noise: self.channels[..self.num_rules].iter().map(|c| vec![0.0; c.derivatives.len()]).collect(),
        }
    }

    /// The bound on ‖S⁻¹‖₂ of un-applying `step` from the state after it, or None when it cannot be.
    pub(super) fn undo_gain(&self, step: &Step) -> Option<f64> {
        match step {
            Step::Local { inverse, gain, .. } => inverse.as_ref().map(|_| *gain),
            Step::Gate2 { .. } | Step::Gate(_) => Some(1.0),
            Step::Channel2 { id, .. } => {
                let ops = &self.channels[*id];
                ops.pair.as_ref()?.inverse.as_ref()?;
                ops.inverse.as_ref().map(|(_, norm)| *norm)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contraction_with_infinite_entries_takes_the_limit_term_by_term() {
        // D = diag(0, v, 0, 0) with A = B = I: Re(v·G₁₁), where 0·∞ counts as 0.
        let one = identity4();
        let at11 = |z: C| {
            let mut m = [[ZERO; 4]; 4];
            m[1][1] = z;
            m
        };
        let inf = f64::INFINITY;
        let cases = [
            (C::new(-inf, 0.0), C::new(2.0, 5.0), -inf),
            (C::new(-inf, 0.0), C::new(0.0, 5.0), 0.0),
            // −i∞·2i = 2∞ (real), −i∞·3 = −3i∞ (no real part).
            (C::new(0.0, -inf), C::new(0.0, 2.0), inf),
            (C::new(0.0, -inf), C::new(3.0, 0.0), 0.0),
        ];
        for (v, g, want) in cases {
            assert_eq!(contract(&at11(v), &one, &one, &at11(g)), want, "{v} · {g}");
        }
        // Finite entries beside an infinite one add as they would alone; two entries of one infinite value
        // whose coefficients cancel add nothing.
        let mut d = at11(C::new(-inf, 0.0));
        d[2][2] = C::new(-inf, 0.0);
        d[0][3] = C::new(1.5, 0.0);
        let mut g = at11(C::new(2.0, 0.0));
        g[2][2] = C::new(-2.0, 0.0);
        g[0][3] = C::new(4.0, 1.0);
        assert_eq!(contract(&d, &one, &one, &g), 6.0);
    }

    #[test]
    fn the_x_pattern_is_six_entries_real_on_the_corners() {
        let channel = |c: Channel| array4(&c.superoperator());
        for c in [Channel::depolarizing(0.1), Channel::amplitude_damping(0.3), Channel::phase_damping(0.2)] {
            assert!(x_pattern(&channel(c.unwrap())));
        }
        assert!(!x_pattern(&channel(Channel::bit_flip(0.1).unwrap())), "bit flip swaps the coherences");
        let mut m = identity4();
        m[1][1] = C::new(0.6, 0.8);
        m[0][3] = C::new(0.5, 0.0);
        assert!(x_pattern(&m), "complex on (1, 1), real on the corners");
        for (r, c, z) in [(0, 0, C::new(1.0, 0.1)), (0, 1, C::new(0.5, 0.0)), (3, 2, C::new(0.5, 0.0)), (1, 2, C::I)] {
            let mut bad = m;
            bad[r][c] = z;
            assert!(!x_pattern(&bad), "({r}, {c}) = {z}");
        }
    }
}
