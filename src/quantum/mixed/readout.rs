//! Readout errors: a qubit's confusion matrix between the state measured and the bit read.

use crate::error::{Error, Result};

/// The readout error of one qubit: P(read 1 | state 0) = `p01` and P(read 0 | state 1) = `p10`, its confusion
/// matrix \[\[1 − p01, p01\], \[p10, 1 − p10\]\] with rows the state measured and columns the bit read (Aer's
/// `ReadoutError` matrix; PennyLane's `readout_prob` is the symmetric case p01 = p10).
///
/// # Example
///
/// ```
/// use qnet::quantum::mixed::ReadoutError;
/// # fn main() -> qnet::Result<()> {
/// let e = ReadoutError::new(0.1, 0.2)?;
/// assert_eq!(e.confusion_matrix(), [[0.9, 0.1], [0.2, 0.8]]);
/// assert_eq!(ReadoutError::from_confusion_matrix([[0.9, 0.1], [0.2, 0.8]])?, e);
/// assert!(ReadoutError::new(f64::NAN, 0.0).is_err());
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReadoutError {
    p01: f64,
    p10: f64,
}

/// How far a row of a confusion matrix may sum from 1.
const ROW_TOLERANCE: f64 = 1e-12;

impl ReadoutError {
    /// The error that reads 1 for state 0 with probability `p01` and 0 for state 1 with probability `p10`.
    ///
    /// # Errors
    /// [`Error::InvalidReadout`] unless both are in \[0, 1\] (NaN included).
    pub fn new(p01: f64, p10: f64) -> Result<Self> {
        ReadoutError::from_confusion_matrix([[1.0 - p01, p01], [p10, 1.0 - p10]])
    }

    /// The error of a confusion matrix whose row r is the distribution of the bit read for state r (Aer's
    /// `ReadoutError(probabilities)`).
    ///
    /// # Errors
    /// [`Error::InvalidReadout`] unless each row holds two numbers in \[0, 1\] summing to 1 (within 1e-12).
    pub fn from_confusion_matrix(m: [[f64; 2]; 2]) -> Result<Self> {
        for (row, [p0, p1]) in m.into_iter().enumerate() {
            let ok = |p: f64| (0.0..=1.0).contains(&p);
            if !(ok(p0) && ok(p1) && (p0 + p1 - 1.0).abs() <= ROW_TOLERANCE) {
                return Err(Error::InvalidReadout { row, p0, p1 });
            }
        }
        Ok(ReadoutError { p01: m[0][1], p10: m[1][0] })
    }

    /// The confusion matrix \[\[P(0|0), P(1|0)\], \[P(0|1), P(1|1)\]\].
    #[must_use]
    pub fn confusion_matrix(&self) -> [[f64; 2]; 2] {
        [[1.0 - self.p01, self.p01], [self.p10, 1.0 - self.p10]]
    }

    /// The probability that the bit read differs from `state` (0 or 1).
    pub(crate) fn flip_probability(&self, state: usize) -> f64 {
        if state == 0 {
            self.p01
        } else {
            self.p10
        }
    }

    /// The distribution of the bit read given that of the state: (q0, q1) = (p0, p1)·M.
    pub(crate) fn mix(&self, [p0, p1]: [f64; 2]) -> [f64; 2] {
        [p0 * (1.0 - self.p01) + p1 * self.p10, p0 * self.p01 + p1 * (1.0 - self.p10)]
    }
}
