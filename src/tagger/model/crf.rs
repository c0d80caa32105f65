//! A linear-chain CRF: the forward algorithm, marginals, the gradient of the negative log-likelihood (with an
//! optional confidence penalty on the marginals' entropy) and constrained Viterbi decoding.

use super::super::scheme::Scheme;
use super::super::tag::{Prefix, Tag};
use super::super::tagset::TagSet;
use crate::error::{Error, Result};
use crate::grad::function::check_len;

/// A linear-chain conditional random field over `K` tags:
/// log p(y | x) = Σₜ eₜ(yₜ) + s(y₀) + Σₜ A(yₜ₋₁, yₜ) + f(y_T) − log Z(x).
///
/// `e` are the emission scores (a `T × K` row-major slice supplied per sentence), `A` the transition scores,
/// `s` and `f` the start and end scores. Transitions that the tagging scheme forbids (in IOB2 an `I-X` after
/// anything but `B-X` or `I-X`; in IOBES also an unfinished entity) have probability zero: they are excluded
/// from Z, from the marginals and from Viterbi, so decoding never produces an invalid sequence.
///
/// # Example
/// ```
/// use qnet::tagger::{LinearChainCrf, Scheme, TagSet};
/// let tags = TagSet::new(["PER"], Scheme::Iob2)?;     // O, B-PER, I-PER
/// let crf = LinearChainCrf::new(&tags);
/// // Emissions favour I-PER first, which IOB2 forbids: Viterbi picks the best valid path.
/// let emissions = [0.0, 1.0, 3.0, /* token 2 */ 0.0, 0.0, 2.0];
/// assert_eq!(crf.viterbi(&emissions)?, [1, 2]);
/// let p = crf.marginals(&emissions)?;
/// assert_eq!(p[2], 0.0);                                // I-PER first has probability zero
/// assert!((p[0] + p[1] + p[2] - 1.0).abs() < 1e-12);
/// # Ok::<(), qnet::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct LinearChainCrf {
    num_tags: usize,
    transitions: Vec<f64>,
    start: Vec<f64>,
    end: Vec<f64>,
    allowed: Vec<bool>,
    allowed_start: Vec<bool>,
    allowed_end: Vec<bool>,
}

/// The negative log-likelihood of one sentence and its gradient with respect to every score.
///
/// The objective is L = −log p(y | x) − β·Σₜ H(pₜ), where pₜ is the marginal distribution of tag t and β the
/// confidence-penalty weight (0 for the plain likelihood).
///
/// # Example
/// ```
/// use qnet::tagger::{LinearChainCrf, Scheme, TagSet};
/// let crf = LinearChainCrf::new(&TagSet::new(["PER"], Scheme::Iob2)?);
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

/// The scaled forward-backward quantities of one sentence.
struct Lattice {
    /// exp(e − max) per token.
    phi: Vec<f64>,
    /// exp(A − max) masked by the constraints.
    psi: Vec<f64>,
    alpha: Vec<f64>,
    beta: Vec<f64>,
    /// Per-step normalisers; the last one closes the end scores.
    scale: Vec<f64>,
    log_z: f64,
}

fn masked_exp(scores: &[f64], allowed: &[bool]) -> (Vec<f64>, f64) {
    let max = scores.iter().zip(allowed).filter(|(_, &a)| a).map(|(&s, _)| s).fold(f64::NEG_INFINITY, f64::max);
    let max = if max.is_finite() { max } else { 0.0 };
    (scores.iter().zip(allowed).map(|(&s, &a)| if a { (s - max).exp() } else { 0.0 }).collect(), max)
}

impl LinearChainCrf {
    /// A CRF over the tags of `tag_set`, all scores zero, with the scheme's constraints: for IOB2 `I-X` only after
    /// `B-X` or `I-X`; for IOBES `I-X`/`E-X` only after `B-X`/`I-X` and nothing but `I-X`/`E-X` after them (a
    /// sentence cannot end inside an entity); IOB1 has none.
    #[must_use]
    pub fn new(tag_set: &TagSet) -> LinearChainCrf {
        let tags = tag_set.tags();
        let k = tags.len();
        let scheme = tag_set.scheme();
        let mut allowed = vec![false; k * k];
        for (a, from) in tags.iter().enumerate() {
            for (b, to) in tags.iter().enumerate() {
                allowed[a * k + b] = transition_allowed(scheme, Some(from), Some(to));
            }
        }
        let allowed_start = tags.iter().map(|t| transition_allowed(scheme, None, Some(t))).collect();
        let allowed_end = tags.iter().map(|t| transition_allowed(scheme, Some(t), None)).collect();
        LinearChainCrf {
            num_tags: k,
            transitions: vec![0.0; k * k],
            start: vec![0.0; k],
            end: vec![0.0; k],
            allowed,
            allowed_start,
            allowed_end,
        }
    }

    /// The number of tags K.
    #[must_use]
    pub fn num_tags(&self) -> usize {
        self.num_tags
    }

    /// The transition scores A, `K × K` row-major (from, to).
    #[must_use]
    pub fn transitions(&self) -> &[f64] {
        &self.transitions
    }

    /// The start scores s.
    #[must_use]
    pub fn start_scores(&self) -> &[f64] {
        &self.start
    }

    /// The end scores f.
    #[must_use]
    pub fn end_scores(&self) -> &[f64] {
        &self.end
    }

    /// Sets A, s and f.
    ///
    /// # Errors
    /// [`Error::DimensionMismatch`] for a slice of the wrong length, [`Error::NonFinite`] for NaN or ±∞.
    pub fn set_scores(&mut self, transitions: &[f64], start: &[f64], end: &[f64]) -> Result<()> {
        let k = self.num_tags;
        check_len("crf transition scores", k * k, transitions.len())?;
        check_len("crf start scores", k, start.len())?;
        check_len("crf end scores", k, end.len())?;
        for (what, values) in
            [("crf transition scores", transitions), ("crf start scores", start), ("crf end scores", end)]
        {
            check_finite(what, values)?;
        }
        self.transitions.copy_from_slice(transitions);
        self.start.copy_from_slice(start);
        self.end.copy_from_slice(end);
        Ok(())
    }

    /// Whether the constraints allow tag `to` right after tag `from`.
    #[must_use]
    pub fn allows(&self, from: usize, to: usize) -> bool {
        from < self.num_tags && to < self.num_tags && self.allowed[from * self.num_tags + to]
    }

    /// Whether a path of tag ids satisfies the constraints (start, every transition, end).
    #[must_use]
    pub fn is_valid(&self, path: &[usize]) -> bool {
        self.first_violation(path).is_none()
    }

    /// The position where a path breaks the constraints: t for an id ≥ K or a forbidden tag t (first tag, or
    /// after tag t − 1), `path.len()` for a forbidden last tag; `None` for a valid path.
    fn first_violation(&self, path: &[usize]) -> Option<usize> {
        let k = self.num_tags;
        for (t, &y) in path.iter().enumerate() {
            let ok = y < k && if t == 0 { self.allowed_start[y] } else { self.allowed[path[t - 1] * k + y] };
            if !ok {
                return Some(t);
            }
        }
        match path.last() {
            Some(&last) if !self.allowed_end[last] => Some(path.len()),
            _ => None,
        }
    }

    fn check_emissions(&self, emissions: &[f64]) -> Result<usize> {
        let k = self.num_tags;
        if emissions.len() % k != 0 || emissions.is_empty() {
            return Err(Error::DimensionMismatch {
                what: "crf emissions (a non-empty multiple of the number of tags)",
                expected: emissions.len().div_ceil(k).max(1) * k,
                found: emissions.len(),
            });
        }
        check_finite("crf emissions", emissions)?;
        Ok(emissions.len() / k)
    }

    /// The unnormalised score of a path: Σₜ eₜ(yₜ) + s(y₀) + Σₜ A(yₜ₋₁, yₜ) + f(y_T); −∞ for a path the constraints
    /// forbid.
    ///
    /// # Errors
    /// [`Error::DimensionMismatch`] when the emissions are not `path.len() × K`, [`Error::TagIdOutOfRange`] for
    /// an id ≥ K, [`Error::NonFinite`] for NaN or ±∞ emissions.
    pub fn score(&self, emissions: &[f64], path: &[usize]) -> Result<f64> {
        let t_len = self.check_emissions(emissions)?;
        let k = self.num_tags;
        check_len("crf path", t_len, path.len())?;
        if let Some(&id) = path.iter().find(|&&y| y >= k) {
            return Err(Error::TagIdOutOfRange { id, len: k });
        }
        if !self.is_valid(path) {
            return Ok(f64::NEG_INFINITY);
        }
        let mut s = self.start[path[0]] + self.end[path[t_len - 1]];
        for (t, &y) in path.iter().enumerate() {
            s += emissions[t * k + y];
            if t > 0 {
                s += self.transitions[path[t - 1] * k + y];
            }
        }
        Ok(s)
    }

    fn lattice(&self, emissions: &[f64], t_len: usize) -> Lattice {
        let k = self.num_tags;
        let (psi, psi_max) = masked_exp(&self.transitions, &self.allowed);
        let (start, start_max) = masked_exp(&self.start, &self.allowed_start);
        let (end, end_max) = masked_exp(&self.end, &self.allowed_end);
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
    /// [`Error::DimensionMismatch`] when the emissions are not a non-empty multiple of K,
    /// [`Error::NonFinite`] for NaN or ±∞ in them.
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
            return Err(Error::InvalidHyperParameter {
                name: "entropy_beta",
                value: entropy_beta.to_string(),
                reason: "must be finite and >= 0",
            });
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

    /// The highest-scoring valid path (ties go to the lower tag id), by Viterbi in O(T·K²).
    ///
    /// # Errors
    /// As [`log_partition`](Self::log_partition).
    pub fn viterbi(&self, emissions: &[f64]) -> Result<Vec<usize>> {
        let t_len = self.check_emissions(emissions)?;
        let k = self.num_tags;
        let neg = f64::NEG_INFINITY;
        let mut score: Vec<f64> =
            (0..k).map(|y| if self.allowed_start[y] { self.start[y] + emissions[y] } else { neg }).collect();
        let mut next = vec![neg; k];
        let mut back = vec![0usize; t_len * k];
        for t in 1..t_len {
            for b in 0..k {
                let (mut best, mut arg) = (neg, 0);
                for (a, &sa) in score.iter().enumerate() {
                    if self.allowed[a * k + b] && sa > neg {
                        let s = sa + self.transitions[a * k + b];
                        if s > best {
                            best = s;
                            arg = a;
                        }
                    }
                }
                next[b] = best + emissions[t * k + b];
                back[t * k + b] = arg;
            }
            std::mem::swap(&mut score, &mut next);
        }
        let (mut best, mut last) = (neg, 0);
        for (y, &sy) in score.iter().enumerate() {
            if self.allowed_end[y] {
                let s = sy + self.end[y];
                if s > best {
                    best = s;
                    last = y;
                }
            }
        }
        let mut path = vec![0; t_len];
        path[t_len - 1] = last;
        for t in (1..t_len).rev() {
            path[t - 1] = back[t * k + path[t]];
        }
        Ok(path)
    }
}

/// One value per score of the CRF: emissions, transitions, start and end.
struct ScoreVectors {
    emissions: Vec<f64>,
    transitions: Vec<f64>,
    start: Vec<f64>,
    end: Vec<f64>,
}

/// Whether `scheme` allows `to` right after `from` (`None` is the sentence boundary).
pub(crate) fn transition_allowed(scheme: Scheme, from: Option<&Tag>, to: Option<&Tag>) -> bool {
    let kind_of = |t: Option<&Tag>| t.and_then(Tag::kind).map(str::to_string);
    let prefix_of = |t: Option<&Tag>| t.and_then(Tag::prefix);
    let (pf, pt) = (prefix_of(from), prefix_of(to));
    let same = kind_of(from).is_some() && kind_of(from) == kind_of(to);
    match scheme {
        Scheme::Iob1 => true,
        Scheme::Iob2 => !matches!(pt, Some(Prefix::I)) || (same && matches!(pf, Some(Prefix::B | Prefix::I))),
        Scheme::Iobes => {
            let open = matches!(pf, Some(Prefix::B | Prefix::I));
            let continues = matches!(pt, Some(Prefix::I | Prefix::E));
            if open {
                continues && same
            } else {
                !continues
            }
        }
    }
}

fn check_finite(what: &'static str, values: &[f64]) -> Result<()> {
    match values.iter().position(|v| !v.is_finite()) {
        Some(index) => Err(Error::non_finite_value(what, index, values[index])),
        None => Ok(()),
    }
}
