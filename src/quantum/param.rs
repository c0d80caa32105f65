//! Gate angles: constants, trainable weights and data inputs.

use std::ops::{Mul, Neg};

use crate::error::{Error, ParamKind, Result};

/// A gate angle θ: a constant, `scale · w[index]` for a trainable weight, or `scale · x[index]` for an input.
///
/// Weights and inputs are read from vectors supplied when the circuit runs, so one circuit serves every sample
/// and every training step without being rebuilt. The scale lets a circuit use `2·x` or `−w` (the inverse of a
/// rotation) without new parameters; gradients account for it.
///
/// # Example
///
/// ```
/// use qnet::prelude::*;
///
/// # fn main() -> qnet::Result<()> {
/// let theta = Param::weight(1) * 2.0;
/// assert_eq!(theta.value(&[0.1, 0.25], &[])?, 0.5);
/// assert_eq!(Param::from(0.3).value(&[], &[])?, 0.3);
/// assert!(Param::input(0).value(&[], &[]).is_err());
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Param {
    /// A fixed angle.
    Const(f64),
    /// `scale · weights[index]`: a trainable parameter.
    Weight {
        /// Index into the weight vector.
        index: usize,
        /// Factor applied to the weight.
        scale: f64,
    },
    /// `scale · inputs[index]`: a data input, fixed during training.
    Input {
        /// Index into the input vector.
        index: usize,
        /// Factor applied to the input.
        scale: f64,
    },
}

impl Param {
    /// The trainable weight θ = w\[index\].
    #[must_use]
    pub const fn weight(index: usize) -> Self {
        Param::Weight { index, scale: 1.0 }
    }

    /// The data input θ = x\[index\].
    #[must_use]
    pub const fn input(index: usize) -> Self {
        Param::Input { index, scale: 1.0 }
    }

    /// The value θ of this parameter given the weight and input vectors.
    ///
    /// # Errors
    /// [`Error::ParameterOutOfRange`] when the index is beyond the vector it reads.
    pub fn value(&self, weights: &[f64], inputs: &[f64]) -> Result<f64> {
        let Some((kind, index, scale)) = self.source() else { return self.constant() };
        let values = if kind == ParamKind::Weight { weights } else { inputs };
        values.get(index).map(|v| scale * v).ok_or(Error::ParameterOutOfRange { kind, index, len: values.len() })
    }

    /// The value of a parameter whose index is known to be in range (checked once per circuit run).
    #[inline]
    pub(crate) fn value_unchecked(&self, weights: &[f64], inputs: &[f64]) -> f64 {
        match *self {
            Param::Const(v) => v,
            Param::Weight { index, scale } => scale * weights[index],
            Param::Input { index, scale } => scale * inputs[index],
        }
    }

    /// The constant value, or [`Error::UnboundParameter`] for a weight or an input.
    ///
    /// # Errors
    /// [`Error::UnboundParameter`] when the parameter is a weight or an input.
    pub fn constant(&self) -> Result<f64> {
        match *self {
            Param::Const(v) => Ok(v),
            Param::Weight { index, .. } => Err(Error::UnboundParameter { kind: ParamKind::Weight, index }),
            Param::Input { index, .. } => Err(Error::UnboundParameter { kind: ParamKind::Input, index }),
        }
    }

    /// Which vector the parameter reads, its index and its scale; `None` for a constant.
    #[must_use]
    pub fn source(&self) -> Option<(ParamKind, usize, f64)> {
        match *self {
            Param::Const(_) => None,
            Param::Weight { index, scale } => Some((ParamKind::Weight, index, scale)),
            Param::Input { index, scale } => Some((ParamKind::Input, index, scale)),
        }
    }

    /// [`Error::NonFinite`] (an angle of `owner`, a gate or channel name) when the constant or the scale is NaN
    /// or infinite.
    pub(crate) fn check_finite(&self, owner: &'static str) -> Result<()> {
        let (Param::Const(value) | Param::Weight { scale: value, .. } | Param::Input { scale: value, .. }) = *self;
        if value.is_finite() {
            return Ok(());
        }
        Err(Error::NonFinite { kind: crate::error::NonFiniteKind::Angle { gate: owner }, value })
    }

    /// Whether the angle is a fixed number.
    #[must_use]
    pub fn is_const(&self) -> bool {
        matches!(self, Param::Const(_))
    }

    /// The parameter as text, `number` writing the constant or the scale: `w[0]`, `-x[1]`, `{scale}*w[2]`.
    pub(crate) fn format_with(&self, number: impl Fn(f64) -> String) -> String {
        let (name, index, scale) = match *self {
            Param::Const(v) => return number(v),
            Param::Weight { index, scale } => ("w", index, scale),
            Param::Input { index, scale } => ("x", index, scale),
        };
        if scale == 1.0 {
            format!("{name}[{index}]")
        } else if scale == -1.0 {
            format!("-{name}[{index}]")
        } else {
            format!("{}*{name}[{index}]", number(scale))
        }
    }
}

impl From<f64> for Param {
    fn from(value: f64) -> Self {
        Param::Const(value)
    }
}

impl Neg for Param {
    type Output = Param;
    fn neg(self) -> Param {
        self * -1.0
    }
}

impl Mul<f64> for Param {
    type Output = Param;
    fn mul(mut self, factor: f64) -> Param {
        let (Param::Const(v) | Param::Weight { scale: v, .. } | Param::Input { scale: v, .. }) = &mut self;
        *v *= factor;
        self
    }
}

impl std::fmt::Display for Param {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.format_with(|v| v.to_string()))
    }
}
