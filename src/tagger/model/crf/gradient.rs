//! The gradient of the negative log-likelihood, with the optional confidence penalty on the entropy of the
//! marginals.

use super::lattice::Lattice;
use super::LinearChainCrf;
use crate::error::{Error, Result};

/// The negative log-likelihood of one sentence and its gradient with respect to every score.
///
/// The objective is L = −log p(y | x) − β·Σₜ H(pₜ), where pₜ is the marginal distribution of tag t and β the
/// confidence-penalty weight (0 for the plain likelihood).
///
/// # Example
/// ```
/// use qnet::tagger::{LinearChainCrf, Scheme, TagSet};
/// let crf = LinearChainCrf::new(&TagSet::new(["PER"], Scheme::Iob2)?)?;
/// let emissions = [0.5, 2.0, 0.0, /* token 2 */ 0.0, 0.0, 1.0];
/// let g = crf.loss_and_gradient(&emissions, &[1, 2], 0.0)?; // gold: B-PER I-PER
/// assert!((g.loss - (crf.log_partition(&emissions)? - crf.score(&emissions, &[1, 2])?)).abs() < 1e-12);
/// // ∂L/∂e = marginals − gold indicators: each token's row sums to zero.
/// assert!(g.emissions.chunks(3).all(|row| row.iter().sum::<f64>().abs() < 1e-12));
/// # Ok::<(), qnet::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct CrfGradient {
    /// The objective L.
    pub loss: f64,
    /// −log p(y | x) alone.
    pub nll: f64,
    /// Σₜ H(pₜ) in nats.
    pub entropy: f64,
    /// ∂L/∂e, `T × K` row-major.
    pub emissions: Vec<f64>,
    /// ∂L/∂A, `K × K` row-major (from, to).
    pub transitions: Vec<f64>,
    /// ∂L/∂s.
    pub start: Vec<f64>,
    /// ∂L/∂f.
    pub end: Vec<f64>,
}

impl LinearChainCrf {
    /// L = −log p(gold | x) − β·Σₜ H(pₜ) and its exact gradient with respect to the emissions, transitions, start
    /// and end scores, in O(T·K²).
    ///
    /// The entropy term's gradient uses ∂pₜ(y)/∂θ = Cov(1[yₜ = y], ∂score/∂θ): with G(y) = −Σₜ log pₜ(yₜ),
    /// ∂ΣH/∂θ = 𝔼(G·∂score/∂θ) − 𝔼(G)·𝔼(∂score/∂θ), both computed by one extra forward and backward pass that
    /// carries G along the lattice.
    ///
    /// # Errors
    /// As [`score`](Self::score); [`Error::InvalidHyperParameter`] for a negative or non-finite β;
    /// [`Error::ForbiddenPath`] for a gold path the constraints forbid.
    pub fn loss_and_gradient(&self, emissions: &[f64], gold: &[usize], entropy_beta: f64) -> Result<CrfGradient> {
        if !(entropy_beta.is_finite() && entropy_beta >= 0.0) {
            return Err(Error::hyper_parameter("entropy_beta", entropy_beta, "must be finite and >= 0"));
        }
        let gold_score = self.score(emissions, gold)?;
        if let Some(position) = self.first_violation(gold) {
            return Err(Error::ForbiddenPath { position });
        }
        let k = self.num_tags;
        let t_len = gold.len();
        let lat = self.lattice(emissions, t_len);
        let nll = lat.log_z - gold_score;
        let p: Vec<f64> = lat.alpha.iter().zip(&lat.beta).map(|(a, b)| a * b).collect();
        let mut grad_e = p.clone();
        for (t, &y) in gold.iter().enumerate() {
            grad_e[t * k + y] -= 1.0;
        }
        // Expected transition counts.
        let mut xi = vec![0.0; k * k];
        for t in 1..t_len {
            let c = lat.scale[t];
            for a in 0..k {
                let al = lat.alpha[(t - 1) * k + a];
                if al == 0.0 {
                    continue;
                }
                for b in 0..k {
                    xi[a * k + b] += al * lat.psi[a * k + b] * lat.phi[t * k + b] * lat.beta[t * k + b] / c;
                }
            }
        }
        let mut grad_a = xi.clone();
        let mut grad_s = p[..k].to_vec();
        let mut grad_f = p[(t_len - 1) * k..].to_vec();
        for w in gold.windows(2) {
            grad_a[w[0] * k + w[1]] -= 1.0;
        }
        grad_s[gold[0]] -= 1.0;
        grad_f[gold[t_len - 1]] -= 1.0;

        let g: Vec<f64> = p.iter().map(|&q| if q > 0.0 { -q.ln() } else { 0.0 }).collect();
        let entropy: f64 = p.iter().zip(&g).map(|(q, gi)| q * gi).sum();
        if entropy_beta > 0.0 {
            let cov = self.entropy_covariances(&lat, &g, &p, &xi, entropy, t_len);
            for (d, c) in grad_e.iter_mut().zip(&cov.emissions) {
                *d -= entropy_beta * c;
            }
            for (d, c) in grad_a.iter_mut().zip(&cov.transitions) {
                *d -= entropy_beta * c;
            }
            for (d, c) in grad_s.iter_mut().zip(&cov.start) {
                *d -= entropy_beta * c;
            }
            for (d, c) in grad_f.iter_mut().zip(&cov.end) {
                *d -= entropy_beta * c;
            }
        }
        Ok(CrfGradient {
            loss: nll - entropy_beta * entropy,
            nll,
            entropy,
            emissions: grad_e,
            transitions: grad_a,
            start: grad_s,
            end: grad_f,
        })
    }

    /// ∂(Σₜ H(pₜ))/∂θ for every score θ: Cov(G, ∂score/∂θ) with G = Σₜ gₜ(yₜ), gₜ = −log pₜ.
    fn entropy_covariances(
        &self,
        lat: &Lattice,
        g: &[f64],
        p: &[f64],
        xi: &[f64],
        expected_g: f64,
        t_len: usize,
    ) -> ScoreVectors {
        let k = self.num_tags;
        // gamma: G-weighted forward mass over prefixes; delta: G-weighted backward mass over suffixes.
        let mut gamma = vec![0.0; t_len * k];
        for y in 0..k {
            gamma[y] = lat.alpha[y] * g[y];
        }
        for t in 1..t_len {
            for b in 0..k {
                let mut acc = 0.0;
                for a in 0..k {
                    acc += gamma[(t - 1) * k + a] * lat.psi[a * k + b];
                }
                gamma[t * k + b] = acc * lat.phi[t * k + b] / lat.scale[t] + lat.alpha[t * k + b] * g[t * k + b];
            }
        }
        let mut delta = vec![0.0; t_len * k];
        for t in (0..t_len - 1).rev() {
            for a in 0..k {
                let mut acc = 0.0;
                for b in 0..k {
                    let j = (t + 1) * k + b;
                    acc += lat.psi[a * k + b] * lat.phi[j] * (delta[j] + g[j] * lat.beta[j]);
                }
                delta[t * k + a] = acc / lat.scale[t + 1];
            }
        }
        let mut out = ScoreVectors {
            emissions: vec![0.0; t_len * k],
            transitions: vec![0.0; k * k],
            start: vec![0.0; k],
            end: vec![0.0; k],
        };
        for i in 0..t_len * k {
            let joint = gamma[i] * lat.beta[i] + lat.alpha[i] * delta[i];
            out.emissions[i] = joint - expected_g * p[i];
        }
        out.start.copy_from_slice(&out.emissions[..k]);
        out.end.copy_from_slice(&out.emissions[(t_len - 1) * k..]);
        for t in 1..t_len {
            let c = lat.scale[t];
            for a in 0..k {
                let (ga, al) = (gamma[(t - 1) * k + a], lat.alpha[(t - 1) * k + a]);
                if ga == 0.0 && al == 0.0 {
                    continue;
                }
                for b in 0..k {
                    let j = t * k + b;
                    let w = lat.psi[a * k + b] * lat.phi[j] / c;
                    out.transitions[a * k + b] += w * (ga * lat.beta[j] + al * (g[j] * lat.beta[j] + delta[j]));
                }
            }
        }
        for (o, x) in out.transitions.iter_mut().zip(xi) {
            *o -= expected_g * x;
        }
        out
    }
}

/// One value per score of the CRF: emissions, transitions, start and end.
struct ScoreVectors {
    emissions: Vec<f64>,
    transitions: Vec<f64>,
    start: Vec<f64>,
    end: Vec<f64>,
}
