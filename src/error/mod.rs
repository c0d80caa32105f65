//! The crate's one error type.
//!
//! Every fallible function in qnet returns [`Result<T>`], whose error is [`Error`]. Each variant carries the
//! values that made the input wrong, so that a message such as `qubit 5 is out of range for a 3-qubit register`
//! says what to fix without a debugger. Three variants say what is wrong through a kind enum of their own:
//! [`Error::NonFinite`] through [`NonFiniteKind`], [`Error::Qasm`] through [`QasmErrorKind`] and the parameter
//! errors through [`ParamKind`].

use std::path::Path;

mod kinds;
mod qasm;
mod variants;

pub use kinds::{NonFiniteKind, ParamKind};
pub use qasm::QasmErrorKind;
pub use variants::Error;

/// `Result<T, qnet::Error>`, the return type of every fallible function in the crate.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// [`Error::Io`] for a failure on `path`.
    pub(crate) fn io(path: &Path, source: &std::io::Error) -> Error {
        Error::Io { path: path.to_path_buf(), kind: source.kind(), message: source.to_string() }
    }
}

#[cfg(test)]
mod tests;
