//! Named registers of an OpenQASM program: a name, the global index of bit 0 and a size.

use crate::error::{Error, Result};

/// A named register: `size` bits starting at global index `offset`.
///
/// Quantum registers number the program's qubits and classical registers its bits, both in declaration order:
/// after `qreg a[2]; qreg b[3];`, `b[0]` is qubit 2.
///
/// # Example
///
/// ```
/// use qnet::qasm::Program;
///
/// # fn main() -> qnet::Result<()> {
/// let p = Program::parse("OPENQASM 2.0; qreg a[2]; qreg b[3];")?;
/// let b = &p.qregs()[1];
/// assert_eq!((b.name(), b.offset(), b.size()), ("b", 2, 3));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "RegisterData", into = "RegisterData")
)]
pub struct Register {
    pub(super) name: String,
    pub(super) offset: usize,
    pub(super) size: usize,
}

/// The serialized form of a [`Register`], checked by [`Register::check`] when read.
#[cfg(feature = "serde")]
#[derive(serde::Serialize, serde::Deserialize)]
struct RegisterData {
    name: String,
    offset: usize,
    size: usize,
}

#[cfg(feature = "serde")]
impl TryFrom<RegisterData> for Register {
    type Error = Error;
    fn try_from(d: RegisterData) -> Result<Register> {
        let r = Register { name: d.name, offset: d.offset, size: d.size };
        r.check()?;
        Ok(r)
    }
}

#[cfg(feature = "serde")]
impl From<Register> for RegisterData {
    fn from(r: Register) -> RegisterData {
        RegisterData { name: r.name, offset: r.offset, size: r.size }
    }
}

impl Register {
    pub(crate) fn new(name: String, offset: usize, size: usize) -> Self {
        Register { name, offset, size }
    }

    /// Checks what holds of any register of a program: a name matching `[a-z][A-Za-z0-9_]*`, at least one
    /// bit, and bits that end within [`MAX_REGISTER_BITS`](super::MAX_REGISTER_BITS).
    pub(super) fn check(&self) -> Result<()> {
        let bad = |reason| Err(Error::InvalidRegister { name: self.name.clone(), reason });
        let valid = self.name.starts_with(|c: char| c.is_ascii_lowercase())
            && self.name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid {
            return bad("a register name must match [a-z][A-Za-z0-9_]*");
        }
        if self.size == 0 {
            return bad("a register has at least one bit");
        }
        if self.offset.checked_add(self.size).is_none_or(|end| end > super::MAX_REGISTER_BITS) {
            return bad("the registers hold more bits than MAX_REGISTER_BITS");
        }
        Ok(())
    }

    /// The register's name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The global index of its bit 0.
    #[must_use]
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// The number of bits.
    #[must_use]
    pub fn size(&self) -> usize {
        self.size
    }

    /// Whether the global index `bit` lies in this register.
    pub(super) fn contains(&self, bit: usize) -> bool {
        bit >= self.offset && bit - self.offset < self.size
    }
}

/// The register holding global index `bit`, found by binary search: registers are numbered in declaration
/// order from 0 (as [`Program::validate`](super::Program::validate) checks), and a program may declare tens
/// of thousands of them.
pub(crate) fn register_of(regs: &[Register], bit: usize) -> Option<&Register> {
    let k = regs.partition_point(|r| r.offset.saturating_add(r.size) <= bit);
    regs.get(k).filter(|r| r.contains(bit))
}
