//! The Boltzmann distribution, the partition function, free energy, the softmax and its entropy.
//!
//! Units: energies and the temperature T share one unit (k_B = 1), so E/T is a pure number; entropies are in
//! nats unless a [`Base`] is given, and the free energy is an energy.

use super::base::Base;
use super::validate::compensated_sum;
use crate::error::{Error, Result};

/// [`Error::EmptyDistribution`] for no values, [`Error::NonFinite`] for the first NaN or ±∞.
pub(crate) fn check_finite(what: &'static str, values: &[f64]) -> Result<()> {
    if values.is_empty() {
        return Err(Error::EmptyDistribution { what });
    }
    if let Some((index, &value)) = values.iter().enumerate().find(|(_, x)| !x.is_finite()) {
        return Err(Error::non_finite_value(what, index, value));
    }
    Ok(())
}

/// [`Error::InvalidHyperParameter`] unless 0 < T < ∞: the one temperature check of the crate.
pub(crate) fn check_temperature(temperature: f64) -> Result<()> {
    if !(temperature > 0.0 && temperature.is_finite()) {
        return Err(Error::hyper_parameter("temperature", temperature, "the temperature must be finite and > 0"));
    }
    Ok(())
}

/// ln Σ_i e^(x_i), computed as m + ln Σ_i e^(x_i − m) with m = max x_i, so it neither overflows nor underflows.
///
/// Counterpart: `scipy.special.logsumexp(x)`.
///
/// # Errors
/// [`Error::EmptyDistribution`] for no values, [`Error::NonFinite`] for NaN or ±∞.
///
/// # Example
///
/// ```
/// use approx::assert_relative_eq;
/// use qnet::info::log_sum_exp;
///
/// # fn main() -> qnet::Result<()> {
/// assert_relative_eq!(log_sum_exp(&[1000.0, 1000.0])?, 1000.0 + std::f64::consts::LN_2);
/// # Ok(())
/// # }
/// ```
pub fn log_sum_exp(values: &[f64]) -> Result<f64> {
    check_finite("values", values)?;
    Ok(lse(values))
}

fn lse(values: &[f64]) -> f64 {
    let top = values.iter().fold(f64::NEG_INFINITY, |m, &x| m.max(x));
    top + compensated_sum(values.iter().map(|&x| (x - top).exp())).ln()
}

/// The Boltzmann (Gibbs) distribution of a finite system at temperature T: p_i = e^(−E_i/T) / Z with
/// Z = Σ_i e^(−E_i/T), and the thermodynamic quantities derived from it.
///
/// ln Z is a log-sum-exp, so any T > 0 works: at T → 0 the distribution concentrates on the ground states, at
/// large T it tends to uniform, and no e^(−E/T) is ever formed outside [0, 1]. With k_B = 1:
/// F = −T ln Z = ⟨E⟩ − T S, S in nats.
///
/// # Example
///
/// ```
/// use approx::assert_relative_eq;
/// use qnet::info::Boltzmann;
/// use qnet::prelude::*;
///
/// # fn main() -> qnet::Result<()> {
/// let b = Boltzmann::new(&[0.0, 1.0, 1.0], 0.5)?;
/// let z = 1.0 + 2.0 * (-2.0f64).exp();
/// assert_relative_eq!(b.log_partition_function(), z.ln(), max_relative = 1e-15);
/// assert_relative_eq!(b.probabilities()[0], 1.0 / z, max_relative = 1e-15);
/// // F = ⟨E⟩ − T S
/// let s = entropy(b.probabilities(), Base::NATS)?;
/// assert_relative_eq!(b.free_energy(), b.mean_energy() - 0.5 * s, max_relative = 1e-14);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Boltzmann {
    temperature: f64,
    energies: Vec<f64>,
    /// −E_i/T minus its maximum.
    shifted: Vec<f64>,
    /// ln Σ_i e^(shifted_i).
    log_sum: f64,
    log_z: f64,
    probabilities: Vec<f64>,
}

impl Boltzmann {
    /// The distribution of `energies` at `temperature`.
    ///
    /// # Errors
    /// [`Error::EmptyDistribution`] for no energies, [`Error::NonFinite`] for a NaN or infinite energy,
    /// [`Error::InvalidHyperParameter`] unless 0 < T < ∞.
    pub fn new(energies: &[f64], temperature: f64) -> Result<Self> {
        check_finite("energies", energies)?;
        check_temperature(temperature)?;
        // x_i = −E_i/T − max_j(−E_j/T) ≤ 0 keeps its full precision however large the energies; ln Z is the
        // shift plus ln Σ e^(x_i), and p_i = e^(x_i − ln Σ e^(x_j)) never goes through the rounded ln Z.
        let top = energies.iter().fold(f64::NEG_INFINITY, |m, &e| m.max(-e / temperature));
        let shifted: Vec<f64> = energies.iter().map(|&e| -e / temperature - top).collect();
        let log_sum = compensated_sum(shifted.iter().map(|&x| x.exp())).ln();
        let probabilities = shifted.iter().map(|&x| (x - log_sum).exp()).collect();
        let log_z = top + log_sum;
        Ok(Boltzmann { temperature, energies: energies.to_vec(), shifted, log_sum, log_z, probabilities })
    }

    /// The temperature T.
    #[must_use]
    pub fn temperature(&self) -> f64 {
        self.temperature
    }

    /// The energies E_i.
    #[must_use]
    pub fn energies(&self) -> &[f64] {
        &self.energies
    }

    /// The probabilities p_i = e^(−E_i/T) / Z.
    #[must_use]
    pub fn probabilities(&self) -> &[f64] {
        &self.probabilities
    }

    /// ln Z = ln Σ_i e^(−E_i/T) (dimensionless).
    #[must_use]
    pub fn log_partition_function(&self) -> f64 {
        self.log_z
    }

    /// The free energy F = −T ln Z (an energy).
    #[must_use]
    pub fn free_energy(&self) -> f64 {
        -self.temperature * self.log_z
    }

    /// The mean energy ⟨E⟩ = Σ_i p_i E_i.
    #[must_use]
    pub fn mean_energy(&self) -> f64 {
        compensated_sum(self.probabilities.iter().zip(&self.energies).map(|(p, e)| p * e))
    }

    /// The entropy S = −Σ_i p_i log_b p_i of the distribution, in units of `base` (nats for thermodynamics).
    ///
    /// Computed from −ln p_i = ln Σ_j e^(x_j) − x_i with x_i = −E_i/T shifted by its maximum, rather than from
    /// the rounded p_i, so states far above the ground state contribute correctly however small p_i.
    #[must_use]
    pub fn entropy(&self, base: Base) -> f64 {
        let terms =
            self.probabilities.iter().zip(&self.shifted).map(
                |(&p, &x)| {
                    if p > 0.0 {
                        p * (self.log_sum - x)
                    } else {
                        0.0
                    }
                },
            );
        base.from_nats(compensated_sum(terms).max(0.0))
    }
}

/// The Boltzmann probabilities p_i = e^(−E_i/T) / Z, with a log-sum-exp partition function.
///
/// Counterpart: `scipy.special.softmax(-energies / T)`.
///
/// # Errors
/// As [`Boltzmann::new`].
///
/// # Example
///
/// ```
/// use qnet::info::boltzmann_distribution;
///
/// # fn main() -> qnet::Result<()> {
/// // Far below the gap: the ground state only, without overflow.
/// let p = boltzmann_distribution(&[0.0, 1.0], 1e-3)?;
/// assert_eq!(p, vec![1.0, 0.0]);
/// # Ok(())
/// # }
/// ```
pub fn boltzmann_distribution(energies: &[f64], temperature: f64) -> Result<Vec<f64>> {
    Ok(Boltzmann::new(energies, temperature)?.probabilities)
}

/// The free energy F = −T ln Z = ⟨E⟩ − T S (k_B = 1, S in nats), an energy.
///
/// # Errors
/// As [`Boltzmann::new`].
///
/// # Example
///
/// ```
/// use approx::assert_relative_eq;
/// use qnet::info::free_energy;
///
/// # fn main() -> qnet::Result<()> {
/// // Two degenerate levels at 0: F = −T ln 2.
/// assert_relative_eq!(free_energy(&[0.0, 0.0], 2.0)?, -2.0 * std::f64::consts::LN_2);
/// # Ok(())
/// # }
/// ```
pub fn free_energy(energies: &[f64], temperature: f64) -> Result<f64> {
    Ok(Boltzmann::new(energies, temperature)?.free_energy())
}

/// The softmax at temperature T, p_i = e^(z_i/T) / Σ_j e^(z_j/T): the Boltzmann distribution of energies −z.
///
/// Computed stably: the largest logit is subtracted before exponentiating, so huge logits do not overflow.
///
/// Counterpart: `scipy.special.softmax(logits / T)`, `torch.softmax(logits / T, -1)`.
///
/// # Errors
/// [`Error::EmptyDistribution`] for no logits, [`Error::NonFinite`] (naming `"logits"`) for NaN or ±∞,
/// [`Error::InvalidHyperParameter`] unless 0 < T < ∞.
///
/// # Example
///
/// ```
/// use approx::assert_relative_eq;
/// use qnet::info::softmax;
///
/// # fn main() -> qnet::Result<()> {
/// let p = softmax(&[1.0, 2.0], 1.0)?;
/// assert_relative_eq!(p[1], 1.0 / (1.0 + (-1.0f64).exp()), max_relative = 1e-15);
/// // A low temperature sharpens, a high one flattens; huge logits do not overflow.
/// assert!(softmax(&[1.0, 2.0], 0.1)?[1] > 0.99);
/// assert!((softmax(&[1.0, 2.0], 1e6)?[1] - 0.5).abs() < 1e-6);
/// assert_eq!(softmax(&[1000.0, 1000.0], 1.0)?, vec![0.5, 0.5]);
/// # Ok(())
/// # }
/// ```
pub fn softmax(logits: &[f64], temperature: f64) -> Result<Vec<f64>> {
    check_finite("logits", logits)?;
    check_temperature(temperature)?;
    let mut out = vec![0.0; logits.len()];
    softmax_into(logits, temperature, &mut out);
    Ok(out)
}

/// The normalizer of one [`softmax_into`]: the largest logit m, T, and ln Σ_j e^((z_j − m)/T).
#[derive(Debug, Clone, Copy)]
pub(crate) struct SoftmaxNormalizer {
    max: f64,
    temperature: f64,
    log_sum: f64,
}

impl SoftmaxNormalizer {
    /// ln softmax(z/T)_i = (z_i − m)/T − ln Σ_j e^((z_j − m)/T) for the logit z_i, without rounding through p_i.
    pub(crate) fn log_softmax(&self, logit: f64) -> f64 {
        (logit - self.max) / self.temperature - self.log_sum
    }
}

/// [`softmax`] written into `out`, unchecked and allocation-free: the fast path of training loops, whose
/// callers have validated the logits and the temperature ([`check_finite`], [`check_temperature`]).
pub(crate) fn softmax_into(logits: &[f64], temperature: f64, out: &mut [f64]) -> SoftmaxNormalizer {
    debug_assert_eq!(logits.len(), out.len(), "softmax output length");
    let max = logits.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut sum = 0.0;
    for (o, z) in out.iter_mut().zip(logits) {
        *o = ((z - max) / temperature).exp();
        sum += *o;
    }
    out.iter_mut().for_each(|o| *o /= sum);
    SoftmaxNormalizer { max, temperature, log_sum: sum.ln() }
}

/// The entropy of the softmax at temperature T, H = −Σ_i p_i log_b p_i with p = softmax(z/T), in units of
/// `base`: log_b n as T → ∞, the log of the number of maximal logits as T → 0.
///
/// # Errors
/// As [`softmax`].
///
/// # Example
///
/// ```
/// use approx::assert_relative_eq;
/// use qnet::info::softmax_entropy;
/// use qnet::prelude::*;
///
/// # fn main() -> qnet::Result<()> {
/// assert_relative_eq!(softmax_entropy(&[0.3, -1.2, 2.0, 0.0], 1e9, Base::BITS)?, 2.0, epsilon = 1e-8);
/// assert_relative_eq!(softmax_entropy(&[0.3, -1.2, 2.0, 0.0], 1e-6, Base::BITS)?, 0.0, epsilon = 1e-12);
/// # Ok(())
/// # }
/// ```
pub fn softmax_entropy(logits: &[f64], temperature: f64, base: Base) -> Result<f64> {
    check_finite("logits", logits)?;
    let energies: Vec<f64> = logits.iter().map(|z| -z).collect();
    Ok(Boltzmann::new(&energies, temperature)?.entropy(base))
}
