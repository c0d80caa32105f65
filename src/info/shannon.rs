//! Entropies and divergences of one or two probability vectors.

use super::base::Base;
use super::validate::{check_distribution, check_pair, compensated_sum};
use crate::error::{Error, Result};

/// −p ln p, with 0 ln 0 = 0 (scipy's `entr`).
pub(crate) fn entr(p: f64) -> f64 {
    if p > 0.0 {
        -p * p.ln()
    } else {
        0.0
    }
}

/// −Σ p ln p over entries already checked, in nats.
pub(crate) fn entropy_nats(p: &[f64]) -> f64 {
    compensated_sum(p.iter().map(|&x| entr(x)))
}

/// The Shannon entropy H(X) = −Σ_i p_i log_b p_i, in units of `base` (0 · log 0 = 0).
///
/// Ranges over 0 ≤ H ≤ log_b n for n outcomes, with log_b n exactly for the uniform distribution.
/// Counterparts: `scipy.stats.entropy(p, base=None)` (nats by default; scipy rescales p to sum 1, qnet asks
/// for it: see [`normalize`](super::normalize)), `qiskit.quantum_info.shannon_entropy(p, base=2)` (bits by
/// default).
///
/// # Errors
/// [`Error::EmptyDistribution`], [`Error::InvalidProbability`] for a negative, NaN or infinite entry,
/// [`Error::DistributionNotNormalized`] when |Σ p − 1| exceeds [`PROBABILITY_TOLERANCE`](super::PROBABILITY_TOLERANCE).
///
/// # Example
///
/// ```
/// use approx::assert_relative_eq;
/// use qnet::prelude::*;
///
/// # fn main() -> qnet::Result<()> {
/// assert_relative_eq!(entropy(&[0.25; 4], Base::BITS)?, 2.0);
/// assert_relative_eq!(entropy(&[1.0, 0.0], Base::NATS)?, 0.0);
/// # Ok(())
/// # }
/// ```
pub fn entropy(p: &[f64], base: Base) -> Result<f64> {
    check_distribution("p", p)?;
    Ok(base.from_nats(entropy_nats(p)))
}

/// The entropy of the empirical distribution of `counts`, H = −Σ_i (c_i/N) log_b (c_i/N) with N = Σ c_i.
///
/// Counterpart: `scipy.stats.entropy(counts)` (nats by default), which normalizes the same way.
///
/// # Errors
/// [`Error::EmptyDistribution`] for no counts, [`Error::ZeroTotal`] when every count is zero.
///
/// # Example
///
/// ```
/// use approx::assert_relative_eq;
/// use qnet::info::entropy_from_counts;
/// use qnet::prelude::*;
///
/// # fn main() -> qnet::Result<()> {
/// // 3 heads and 1 tail.
/// assert_relative_eq!(entropy_from_counts(&[3, 1], Base::BITS)?, 0.8112781244591328, max_relative = 1e-15);
/// # Ok(())
/// # }
/// ```
pub fn entropy_from_counts(counts: &[usize], base: Base) -> Result<f64> {
    if counts.is_empty() {
        return Err(Error::EmptyDistribution { what: "counts" });
    }
    let total = counts.iter().map(|&c| c as f64).sum::<f64>();
    if total == 0.0 {
        return Err(Error::ZeroTotal { what: "counts" });
    }
    Ok(base.from_nats(compensated_sum(counts.iter().map(|&c| entr(c as f64 / total)))))
}

/// The Kullback–Leibler divergence D(p‖q) = Σ_i p_i log_b(p_i / q_i), in units of `base`.
///
/// Terms with p_i = 0 contribute 0; a term with q_i = 0 < p_i makes the divergence `f64::INFINITY` (p is not
/// absolutely continuous with respect to q), which is returned, not reported as an error. D(p‖q) ≥ 0 with
/// equality only at p = q; it is not symmetric. Counterparts: `scipy.stats.entropy(p, q)` and
/// `sum(scipy.special.rel_entr(p, q))` (nats).
///
/// # Errors
/// As [`entropy`] for either vector, and [`Error::DimensionMismatch`] when their lengths differ.
///
/// # Example
///
/// ```
/// use approx::assert_relative_eq;
/// use qnet::prelude::*;
///
/// # fn main() -> qnet::Result<()> {
/// let p = [0.5, 0.5];
/// assert_relative_eq!(kl_divergence(&p, &[0.25, 0.75], Base::BITS)?, 0.20751874963942196, max_relative = 1e-14);
/// assert_eq!(kl_divergence(&p, &[1.0, 0.0], Base::BITS)?, f64::INFINITY);
/// # Ok(())
/// # }
/// ```
pub fn kl_divergence(p: &[f64], q: &[f64], base: Base) -> Result<f64> {
    check_pair(p, q)?;
    Ok(base.from_nats(kl_nats(p, q)))
}

/// Σ p ln(p/q) over checked vectors (scipy's `rel_entr` summed).
fn kl_nats(p: &[f64], q: &[f64]) -> f64 {
    let mut terms = Vec::with_capacity(p.len());
    for (&a, &b) in p.iter().zip(q) {
        if a > 0.0 {
            if b == 0.0 {
                return f64::INFINITY;
            }
            terms.push(a * (a / b).ln());
        }
    }
    compensated_sum(terms)
}

/// The cross-entropy H(p, q) = −Σ_i p_i log_b q_i = H(p) + D(p‖q), in units of `base`.
///
/// `f64::INFINITY` where q_i = 0 < p_i. As a loss, this is the negative log-likelihood of q under data drawn
/// from p (PyTorch's `cross_entropy` with probability targets, in nats). scipy has no direct counterpart:
/// `entropy(p) + entropy(p, q)`. The classifier loss on logits and a class index, H(e_t, softmax(z/T)) with
/// its gradient, is `qnet::layer::softmax_cross_entropy`.
///
/// # Errors
/// As [`kl_divergence`].
///
/// # Example
///
/// ```
/// use approx::assert_relative_eq;
/// use qnet::info::cross_entropy;
/// use qnet::prelude::*;
///
/// # fn main() -> qnet::Result<()> {
/// let (p, q) = ([0.5, 0.5], [0.25, 0.75]);
/// let h = entropy(&p, Base::NATS)? + kl_divergence(&p, &q, Base::NATS)?;
/// assert_relative_eq!(cross_entropy(&p, &q, Base::NATS)?, h, max_relative = 1e-15);
/// # Ok(())
/// # }
/// ```
pub fn cross_entropy(p: &[f64], q: &[f64], base: Base) -> Result<f64> {
    check_pair(p, q)?;
    let mut terms = Vec::with_capacity(p.len());
    for (&a, &b) in p.iter().zip(q) {
        if a > 0.0 {
            if b == 0.0 {
                return Ok(f64::INFINITY);
            }
            terms.push(-a * b.ln());
        }
    }
    Ok(base.from_nats(compensated_sum(terms)))
}

/// The Jensen–Shannon divergence JSD(p‖q) = ½ D(p‖m) + ½ D(q‖m) with m = (p + q)/2, in units of `base`.
///
/// Symmetric, finite, and 0 ≤ JSD ≤ log_b 2. scipy's `scipy.spatial.distance.jensenshannon(p, q, base=None)`
/// returns the *distance* √JSD (nats by default): that is [`js_distance`].
///
/// # Errors
/// As [`kl_divergence`].
///
/// # Example
///
/// ```
/// use approx::assert_relative_eq;
/// use qnet::info::js_divergence;
/// use qnet::prelude::*;
///
/// # fn main() -> qnet::Result<()> {
/// // Disjoint supports: the maximum, one bit.
/// assert_relative_eq!(js_divergence(&[1.0, 0.0], &[0.0, 1.0], Base::BITS)?, 1.0);
/// # Ok(())
/// # }
/// ```
pub fn js_divergence(p: &[f64], q: &[f64], base: Base) -> Result<f64> {
    check_pair(p, q)?;
    Ok(base.from_nats(js_nats(p, q)))
}

fn js_nats(p: &[f64], q: &[f64]) -> f64 {
    let m: Vec<f64> = p.iter().zip(q).map(|(a, b)| (a + b) / 2.0).collect();
    // m_i ≥ p_i / 2 > 0 wherever p_i > 0, so neither divergence is infinite.
    let js = 0.5 * (kl_nats(p, &m) + kl_nats(q, &m));
    js.max(0.0)
}

/// The Jensen–Shannon distance √JSD(p‖q), a metric on distributions; JSD in units of `base`.
///
/// Counterpart: `scipy.spatial.distance.jensenshannon(p, q, base)` (nats by default).
///
/// # Errors
/// As [`kl_divergence`].
///
/// # Example
///
/// ```
/// use approx::assert_relative_eq;
/// use qnet::info::{js_distance, js_divergence};
/// use qnet::prelude::*;
///
/// # fn main() -> qnet::Result<()> {
/// let (p, q) = ([0.1, 0.9], [0.6, 0.4]);
/// let d = js_distance(&p, &q, Base::NATS)?;
/// assert_relative_eq!(d * d, js_divergence(&p, &q, Base::NATS)?, max_relative = 1e-14);
/// # Ok(())
/// # }
/// ```
pub fn js_distance(p: &[f64], q: &[f64], base: Base) -> Result<f64> {
    Ok(js_divergence(p, q, base)?.sqrt())
}

/// Checks a Rényi order: α ≥ 0, not NaN (+∞ allowed).
pub(crate) fn check_alpha(alpha: f64) -> Result<()> {
    if alpha.is_nan() || alpha < 0.0 {
        return Err(Error::hyper_parameter(
            "alpha",
            alpha,
            "the Renyi order must be >= 0 (f64::INFINITY gives the min-entropy)",
        ));
    }
    Ok(())
}

/// The Rényi entropy of order α of a spectrum already checked, in nats. `support` counts the outcomes that
/// are possible (α = 0).
pub(crate) fn renyi_nats(p: &[f64], alpha: f64, support: usize) -> f64 {
    if alpha == 0.0 {
        (support as f64).ln()
    } else if alpha == 1.0 {
        entropy_nats(p)
    } else if alpha == f64::INFINITY {
        -p.iter().fold(0.0f64, |m, &x| m.max(x)).ln()
    } else {
        // ln Σ p^α = log-sum-exp of α ln p_i, stable for large α where p^α underflows.
        let logs: Vec<f64> = p.iter().filter(|&&x| x > 0.0).map(|&x| alpha * x.ln()).collect();
        let top = logs.iter().fold(f64::NEG_INFINITY, |m, &x| m.max(x));
        let lse = top + compensated_sum(logs.iter().map(|&x| (x - top).exp())).ln();
        (lse / (1.0 - alpha)).max(0.0)
    }
}

/// The Rényi entropy of order α, H_α(X) = log_b(Σ_i p_i^α) / (1 − α), in units of `base`.
///
/// The limits are taken exactly: α = 0 gives the Hartley (max-)entropy log_b |{i : p_i > 0}|, α = 1 the
/// Shannon entropy, α = `f64::INFINITY` the min-entropy −log_b max_i p_i. H_α is non-increasing in α.
/// Neither scipy nor scikit-learn provides it; PennyLane has its α = 0 and α = ∞ cases for quantum states
/// (`qml.math.max_entropy`, `qml.math.min_entropy`), which on the diagonal state diag(p) give these values.
///
/// # Errors
/// As [`entropy`], and [`Error::InvalidHyperParameter`] for α < 0 or NaN.
///
/// # Example
///
/// ```
/// use approx::assert_relative_eq;
/// use qnet::info::renyi_entropy;
/// use qnet::prelude::*;
///
/// # fn main() -> qnet::Result<()> {
/// let p = [0.5, 0.25, 0.25];
/// assert_relative_eq!(renyi_entropy(&p, 0.0, Base::BITS)?, 3f64.log2());
/// assert_relative_eq!(renyi_entropy(&p, 1.0, Base::BITS)?, 1.5);
/// assert_relative_eq!(renyi_entropy(&p, 2.0, Base::BITS)?, -(0.375f64).log2(), max_relative = 1e-15);
/// assert_relative_eq!(renyi_entropy(&p, f64::INFINITY, Base::BITS)?, 1.0);
/// # Ok(())
/// # }
/// ```
pub fn renyi_entropy(p: &[f64], alpha: f64, base: Base) -> Result<f64> {
    check_distribution("p", p)?;
    check_alpha(alpha)?;
    let support = p.iter().filter(|&&x| x > 0.0).count();
    Ok(base.from_nats(renyi_nats(p, alpha, support)))
}
