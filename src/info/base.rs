//! The unit of information: the base of the logarithm.

use crate::error::{Error, Result};

/// The base b of the logarithm in every entropy, log_b: bits (b = 2), nats (b = e) or any finite b > 1.
///
/// Every entropy, divergence and mutual information in [`crate::info`] takes a `Base`, so the unit is always
/// written at the call site. The peers differ in their defaults: scipy (`scipy.stats.entropy`), scikit-learn
/// (`mutual_info_score`) and PennyLane (`qml.math.vn_entropy`) use nats; Qiskit (`qiskit.quantum_info.entropy`,
/// `shannon_entropy`, `mutual_information`) uses bits. A value in nats converts to base b by dividing by ln b.
///
/// # Example
///
/// ```
/// use approx::assert_relative_eq;
/// use qnet::prelude::*;
///
/// # fn main() -> qnet::Result<()> {
/// let fair_coin = [0.5, 0.5];
/// assert_relative_eq!(entropy(&fair_coin, Base::BITS)?, 1.0);
/// assert_relative_eq!(entropy(&fair_coin, Base::NATS)?, std::f64::consts::LN_2);
/// assert_relative_eq!(entropy(&[0.25; 4], Base::new(4.0)?)?, 1.0);
/// assert!(Base::new(1.0).is_err());
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(try_from = "f64", into = "f64"))]
pub struct Base {
    base: f64,
    ln_base: f64,
}

impl Base {
    /// Bits (shannons): log₂, Qiskit's default.
    pub const BITS: Base = Base { base: 2.0, ln_base: std::f64::consts::LN_2 };

    /// Nats: the natural logarithm, the default of scipy, scikit-learn and PennyLane, and the unit of
    /// thermodynamic entropy with k_B = 1.
    pub const NATS: Base = Base { base: std::f64::consts::E, ln_base: 1.0 };

    /// Hartleys (bans, dits): log₁₀.
    pub const HARTLEYS: Base = Base { base: 10.0, ln_base: std::f64::consts::LN_10 };

    /// The base `base`, which must be finite and greater than 1.
    ///
    /// # Errors
    /// [`Error::InvalidBase`] for `base ≤ 1`, NaN or infinity.
    pub fn new(base: f64) -> Result<Self> {
        if !(base.is_finite() && base > 1.0) {
            return Err(Error::InvalidBase { base });
        }
        Ok(Base { base, ln_base: base.ln() })
    }

    /// The base b itself.
    #[must_use]
    pub fn value(self) -> f64 {
        self.base
    }

    /// ln b, the size of one unit in nats.
    #[must_use]
    pub fn ln(self) -> f64 {
        self.ln_base
    }

    /// log_b x = ln x / ln b.
    #[must_use]
    pub fn log(self, x: f64) -> f64 {
        if self.ln_base == 1.0 {
            x.ln()
        } else {
            x.ln() / self.ln_base
        }
    }

    /// A quantity measured in nats expressed in this unit: h / ln b.
    #[must_use]
    pub fn from_nats(self, nats: f64) -> f64 {
        if self.ln_base == 1.0 {
            nats
        } else {
            nats / self.ln_base
        }
    }
}

impl TryFrom<f64> for Base {
    type Error = Error;
    fn try_from(base: f64) -> Result<Self> {
        Base::new(base)
    }
}

impl From<Base> for f64 {
    fn from(base: Base) -> f64 {
        base.base
    }
}

impl std::fmt::Display for Base {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if *self == Base::BITS {
            f.write_str("bits")
        } else if *self == Base::NATS {
            f.write_str("nats")
        } else {
            write!(f, "log base {}", self.base)
        }
    }
}
