//! Sizes that come from the caller or a file: multiplied with overflow checks, buffers reserved with
//! `try_reserve` (so that an impossible size is [`Error::TooLarge`] and not an abort), and checks that stay
//! linear in them.

use std::collections::HashSet;
use std::hash::Hash;

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

/// `rows · cols` copies of `value` (a row-major table), or [`Error::TooLarge`] when the product overflows or
/// the allocator refuses it.
pub(crate) fn table<T: Clone>(what: &'static str, rows: usize, cols: usize, value: T) -> Result<Vec<T>> {
    filled(what, product(what, rows, cols)?, value)
}

/// The index of the first item equal to an earlier one: pairwise for the few qubits of a gate, with a hash
/// set for a long list (extra controls read from a file, the arguments of a wide gate) so that the check stays
/// linear in its length.
pub(crate) fn first_repeat<T: Eq + Hash + Copy>(items: &[T]) -> Option<usize> {
    if items.len() <= 16 {
        (1..items.len()).find(|&i| items[..i].contains(&items[i]))
    } else {
        let mut seen = HashSet::with_capacity(items.len());
        items.iter().position(|&item| !seen.insert(item))
    }
}
