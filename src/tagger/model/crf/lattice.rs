//! The scaled forward-backward pass: log Z(x) and the marginals.

use super::LinearChainCrf;
use crate::error::Result;

/// The scaled forward-backward quantities of one sentence.
pub(super) struct Lattice {
    /// exp(e − max) per token.
    pub(super) phi: Vec<f64>,
    /// exp(A − max) masked by the constraints.
    pub(super) psi: Vec<f64>,
    pub(super) alpha: Vec<f64>,
    pub(super) beta: Vec<f64>,
    /// Per-step normalisers; the last one closes the end scores.
    pub(super) scale: Vec<f64>,
    pub(super) log_z: f64,
}

fn masked_exp(scores: &[f64], allowed: &[bool]) -> (Vec<f64>, f64) {
    let max = scores.iter().zip(allowed).filter(|(_, &a)| a).map(|(&s, _)| s).fold(f64::NEG_INFINITY, f64::max);
    let max = if max.is_finite() { max } else { 0.0 };
    (scores.iter().zip(allowed).map(|(&s, &a)| if a { (s - max).exp() } else { 0.0 }).collect(), max)
}

impl LinearChainCrf {
    pub(super) fn lattice(&self, emissions: &[f64], t_len: usize) -> Lattice {
        let k = self.num_tags;
        let (psi, psi_max) = masked_exp(self.transitions(), &self.allowed);
        let (start, start_max) = masked_exp(self.start_scores(), &self.allowed_start);
        let (end, end_max) = masked_exp(self.end_scores(), &self.allowed_end);
        let mut phi = vec![0.0; t_len * k];
        let mut log_z = start_max + end_max + psi_max * (t_len - 1) as f64;
        for t in 0..t_len {
            let row = &emissions[t * k..(t + 1) * k];
            let max = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            log_z += max;
            for (p, &e) in phi[t * k..(t + 1) * k].iter_mut().zip(row) {
                *p = (e - max).exp();
            }
        }
        let mut alpha = vec![0.0; t_len * k];
        let mut scale = vec![0.0; t_len + 1];
        for y in 0..k {
            alpha[y] = start[y] * phi[y];
        }
        for t in 0..t_len {
            if t > 0 {
                let (prev, cur) = alpha.split_at_mut(t * k);
                let prev = &prev[(t - 1) * k..];
                for b in 0..k {
                    let mut acc = 0.0;
                    for a in 0..k {
                        acc += prev[a] * psi[a * k + b];
                    }
                    cur[b] = acc * phi[t * k + b];
                }
            }
            let row = &mut alpha[t * k..(t + 1) * k];
            let c: f64 = row.iter().sum();
            scale[t] = c;
            row.iter_mut().for_each(|v| *v /= c);
        }
        let last = &alpha[(t_len - 1) * k..];
        scale[t_len] = last.iter().zip(&end).map(|(a, f)| a * f).sum();
        let mut beta = vec![0.0; t_len * k];
        for y in 0..k {
            beta[(t_len - 1) * k + y] = end[y] / scale[t_len];
        }
        for t in (0..t_len - 1).rev() {
            let (cur, next) = beta.split_at_mut((t + 1) * k);
            for a in 0..k {
                let mut acc = 0.0;
                for b in 0..k {
                    acc += psi[a * k + b] * phi[(t + 1) * k + b] * next[b];
                }
                cur[t * k + a] = acc / scale[t + 1];
            }
        }
        log_z += scale.iter().map(|c| c.ln()).sum::<f64>();
        Lattice { phi, psi, alpha, beta, scale, log_z }
    }

    /// log Z(x) = log Σ_y exp(score(y)) over all valid paths, by the forward algorithm (scaled, so it neither
    /// overflows nor underflows).
    ///
    /// # Errors
    /// [`Error::DimensionMismatch`](crate::Error::DimensionMismatch) when the emissions are not a non-empty
    /// multiple of K, [`Error::NonFinite`](crate::Error::NonFinite) for NaN or ±∞ in them.
    pub fn log_partition(&self, emissions: &[f64]) -> Result<f64> {
        let t_len = self.check_emissions(emissions)?;
        Ok(self.lattice(emissions, t_len).log_z)
    }

    /// The marginals p(yₜ = k | x), `T × K` row-major, by forward-backward.
    ///
    /// # Errors
    /// As [`log_partition`](Self::log_partition).
    pub fn marginals(&self, emissions: &[f64]) -> Result<Vec<f64>> {
        let t_len = self.check_emissions(emissions)?;
        let lat = self.lattice(emissions, t_len);
        Ok(lat.alpha.iter().zip(&lat.beta).map(|(a, b)| a * b).collect())
    }
}
