//! Loops outside `quantum` compiled for the processor's widest instruction set, through the crate's one SIMD
//! dispatch (in `kernels`, which stays private to `quantum`): the Hermitian matrix–vector products of
//! `info::spectrum` use it.
//!
//! The closure given to [`vectorized`] is compiled once per instruction set only when it is inlined into each
//! copy of the dispatch: mark it `#[inline(always)]`, and the functions it calls in its hot loop too. Its loops
//! are then plain Rust that the compiler vectorizes with that set's target features; they compute the same
//! operations in the same order whatever the set, so every set gives the same bits.

use super::kernels::{dispatch, Isa, Kernels, Task};

/// An instruction set the processor supports. Only [`InstructionSet::detected`] and
/// [`InstructionSet::available`] make one, so holding one proves the support.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct InstructionSet(Isa);

impl InstructionSet {
    /// The widest instruction set the processor supports (detected once, as for the gate kernels).
    pub(crate) fn detected() -> InstructionSet {
        InstructionSet(Isa::detected())
    }

    /// Every instruction set the processor supports, narrowest (the portable code) first: for tests that
    /// compare them bit for bit.
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) fn available() -> Vec<InstructionSet> {
        Isa::available().into_iter().map(InstructionSet).collect()
    }
}

/// Runs `work` compiled with the target features of `isa` (see the module docs: mark the closure
/// `#[inline(always)]`).
#[inline]
pub(crate) fn vectorized<R, F: FnOnce() -> R>(isa: InstructionSet, work: F) -> R {
    dispatch(isa.0, Closure(work))
}

/// A closure as a [`Task`] that ignores the gate kernels.
struct Closure<F>(F);

impl<R, F: FnOnce() -> R> Task for Closure<F> {
    type Output = R;
    #[inline(always)]
    fn run<K: Kernels>(self, _: K) -> R {
        (self.0)()
    }
}
