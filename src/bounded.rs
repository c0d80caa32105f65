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

/// The bytes of memory this process can take now: `MemAvailable` of `/proc/meminfo`, capped by the limit of
/// its cgroup (v2) less what the cgroup uses; `None` where neither can be read (other systems, where the
/// allocator's answer is the only check). Linux overcommits: an allocation beyond this succeeds, and the
/// process is killed when the pages are touched, so large buffers are checked against it before they are
/// allocated.
pub(crate) fn available_memory() -> Option<u128> {
    #[cfg(test)]
    MEMORY_READS.with(|c| c.set(c.get() + 1));
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok().and_then(|text| mem_available(&text));
    let cgroup = || -> Option<u128> {
        let read = |name: &str| std::fs::read_to_string(format!("/sys/fs/cgroup/{name}")).ok();
        let limit: u128 = read("memory.max")?.trim().parse().ok()?;
        let used: u128 = read("memory.current")?.trim().parse().ok()?;
        Some(limit.saturating_sub(used))
    };
    match (meminfo, cgroup()) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
thread_local! {
    /// Calls of [`available_memory`] on this thread (tests hold small states to reading no file).
    pub(crate) static MEMORY_READS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// The `MemAvailable` line of a `/proc/meminfo` text, in bytes.
fn mem_available(meminfo: &str) -> Option<u128> {
    let line = meminfo.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let mut words = line["MemAvailable:".len()..].split_whitespace();
    let kib: u128 = words.next()?.parse().ok()?;
    (words.next() == Some("kB")).then_some(kib * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mem_available_reads_the_kib_line() {
        let text = "MemTotal:       24575868 kB\nMemFree:         1000 kB\nMemAvailable:   22000000 kB\n";
        assert_eq!(mem_available(text), Some(22_000_000 * 1024));
        assert_eq!(mem_available("MemTotal: 5 kB\n"), None);
        assert_eq!(mem_available("MemAvailable: lots kB\n"), None);
        assert_eq!(mem_available("MemAvailable: 12 MB\n"), None);
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn this_machine_reports_its_memory() {
        let bytes = available_memory().expect("linux has /proc/meminfo");
        // More than a mebibyte and less than a pebibyte: a number in bytes, not kB or pages.
        assert!(bytes > 1 << 20 && bytes < 1 << 50, "{bytes}");
    }
}
