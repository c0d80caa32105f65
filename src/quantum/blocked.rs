//! Cache blocking: a run of consecutive gates that all act on qubits below [`BLOCK_BITS`] maps every aligned
//! block of 2^BLOCK_BITS amplitudes onto itself, so the whole run can be applied one block at a time while the
//! block stays in cache, instead of one pass over the state per gate.
//!
//! Used for states larger than a block, for the gates of hardware-efficient ansätze: uncontrolled RX, RY, RZ
//! (alone or two in a row on one qubit) and X / CNOT / Toffoli. The backward form also returns each rotation's
//! derivative, summed block by block in block order, so results do not depend on the number of threads.

use num_complex::Complex64 as C;

use super::circuit::Instruction;
use super::gate::Gate;
use super::kernels::PARALLEL_MIN_DIM;
use super::pairs::{apply_two, back_two, pairs1, pairs2, Back, Flip, Rot};

/// Qubits below this index are blockable: a block holds 2^13 amplitudes (128 KiB per state).
pub(crate) const BLOCK_BITS: usize = 13;

/// The longest run applied block by block.
pub(crate) const MAX_RUN: usize = 64;

/// One step of a run.
#[derive(Clone, Copy)]
pub(crate) enum Step {
    /// One rotation.
    One(usize, Rot),
    /// Two rotations on one qubit, in the order applied.
    Two(usize, Rot, Rot),
    /// X on a target where every bit of the mask is set.
    Flip(usize, usize),
}

impl Step {
    /// The number of derivatives the backward form of the step returns.
    pub(crate) fn num_sums(&self) -> usize {
        match self {
            Step::One(..) => 1,
            Step::Two(..) => 2,
            Step::Flip(..) => 0,
        }
    }
}

/// Whether `inst` can join a run: RX, RY, RZ without controls, or X / CNOT / Toffoli, on qubits below the block.
pub(crate) fn blockable(inst: &Instruction) -> bool {
    let limit = 1usize << BLOCK_BITS;
    match inst.gate() {
        Gate::RX(_) | Gate::RY(_) | Gate::RZ(_) => inst.controls().is_empty() && inst.targets()[0] < BLOCK_BITS,
        Gate::X | Gate::CNOT | Gate::Toffoli => inst.op_targets()[0] < BLOCK_BITS && inst.control_mask() < limit,
        _ => false,
    }
}

/// The flip step of an X-like instruction.
pub(crate) fn flip_step(inst: &Instruction) -> Step {
    Step::Flip(inst.op_targets()[0], inst.control_mask())
}

fn rotate(state: &mut [C], q: usize, rot: Rot) {
    match rot {
        Rot::X(r) => pairs1(state, q, 0, &r),
        Rot::Y(r) => pairs1(state, q, 0, &r),
        Rot::Z(r) => pairs1(state, q, 0, &r),
    }
}

fn forward_block(block: &mut [C], steps: &[Step]) {
    for step in steps {
        match *step {
            Step::One(q, rot) => rotate(block, q, rot),
            Step::Two(q, a, b) => apply_two(block, q, a, b),
            Step::Flip(q, ctrl) => pairs1(block, q, ctrl, &Flip),
        }
    }
}

/// Applies the run `steps` (in order) to `state`, block by block.
pub(crate) fn forward(state: &mut [C], steps: &[Step]) {
    let size = (1usize << BLOCK_BITS).min(state.len());
    #[cfg(feature = "parallel")]
    if state.len() >= PARALLEL_MIN_DIM {
        use rayon::prelude::*;
        state.par_chunks_mut(size).for_each(|block| forward_block(block, steps));
        return;
    }
    #[cfg(not(feature = "parallel"))]
    let _ = PARALLEL_MIN_DIM;
    state.chunks_mut(size).for_each(|block| forward_block(block, steps));
}

fn backward_block(p: &mut [C], l: &mut [C], steps: &[Step], out: &mut [f64]) {
    let mut k = 0;
    for step in steps {
        match *step {
            Step::One(q, rot) => {
                out[k] = match rot {
                    Rot::X(r) => pairs2(p, l, q, 0, &Back(r)),
                    Rot::Y(r) => pairs2(p, l, q, 0, &Back(r)),
                    Rot::Z(r) => pairs2(p, l, q, 0, &Back(r)),
                };
                k += 1;
            }
            Step::Two(q, later, earlier) => {
                let [a, b] = back_two(p, l, q, later, earlier);
                out[k] = a;
                out[k + 1] = b;
                k += 2;
            }
            Step::Flip(q, ctrl) => {
                pairs1(p, q, ctrl, &Flip);
                pairs1(l, q, ctrl, &Flip);
            }
        }
    }
}

/// The adjoint sweep over a run, block by block: `steps` hold the inverse gates in the order the sweep meets
/// them (latest gate first; a `Two` holds the later gate's inverse first). Writes into `sums` (length at least
/// the run's number of derivatives) each rotation's 2·Re⟨λ|(−iP/2)|φ⟩ in step order; `partials` is scratch.
pub(crate) fn backward(phi: &mut [C], lambda: &mut [C], steps: &[Step], sums: &mut [f64], partials: &mut Vec<f64>) {
    let count: usize = steps.iter().map(Step::num_sums).sum();
    let size = (1usize << BLOCK_BITS).min(phi.len());
    let blocks = phi.len() / size;
    let width = count.max(1);
    partials.clear();
    partials.resize(blocks * width, 0.0);
    #[cfg(feature = "parallel")]
    let done = phi.len() >= PARALLEL_MIN_DIM;
    #[cfg(not(feature = "parallel"))]
    let done = false;
    #[cfg(feature = "parallel")]
    if done {
        use rayon::prelude::*;
        phi.par_chunks_mut(size)
            .zip(lambda.par_chunks_mut(size))
            .zip(partials.par_chunks_mut(width))
            .for_each(|((p, l), out)| backward_block(p, l, steps, out));
    }
    if !done {
        for ((p, l), out) in phi.chunks_mut(size).zip(lambda.chunks_mut(size)).zip(partials.chunks_mut(width)) {
            backward_block(p, l, steps, out);
        }
    }
    sums[..count].fill(0.0);
    for row in partials.chunks(width) {
        for (s, v) in sums[..count].iter_mut().zip(row) {
            *s += v;
        }
    }
}
