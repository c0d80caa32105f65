//! Allocations whose size comes from the caller or a file: sizes multiplied with overflow checks and buffers
//! reserved with `try_reserve`, so that an impossible size is [`Error::TooLarge`] and not an abort.

use crate::error::{Error, Result};

/// `a · b`, or [`Error::TooLarge`] naming `what` when the product overflows `usize`.
pub(crate) fn product(what: &'static str, a: usize, b: usize) -> Result<usize> {
    a.checked_mul(b).ok_or(Error::TooLarge { what, elements: a as u128 * b as u128 })
}

/// An empty vector with room for `len` elements, or [`Error::TooLarge`] when the allocator refuses.
pub(crate) fn with_capacity<T>(what: &'static str, len: usize) -> Result<Vec<T>> {
    let mut v = Vec::new();
    v.try_reserve_exact(len).map_err(|_| Error::TooLarge { what, elements: len as u128 })?;
    Ok(v)
}

/// `len` copies of `value`, or [`Error::TooLarge`] when the allocator refuses.
pub(crate) fn filled<T: Clone>(what: &'static str, len: usize, value: T) -> Result<Vec<T>> {
    let mut v = with_capacity(what, len)?;
    v.resize(len, value);
    Ok(v)
}
