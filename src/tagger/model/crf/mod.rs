//! A linear-chain CRF: the forward algorithm, marginals, the gradient of the negative log-likelihood (with an
//! optional confidence penalty on the marginals' entropy) and constrained Viterbi decoding.

mod gradient;
mod lattice;
mod viterbi;

use super::super::scheme::Scheme;
use super::super::tag::{Prefix, Tag};
use super::super::tagset::TagSet;
use crate::error::{Error, Result};
use crate::grad::function::check_len;

pub use self::gradient::CrfGradient;

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
/// let crf = LinearChainCrf::new(&tags)?;
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
    /// A (K × K, row-major), then s (K), then f (K): one buffer, which the trainer's optimizer steps in place.
    scores: Vec<f64>,
    allowed: Vec<bool>,
    allowed_start: Vec<bool>,
    allowed_end: Vec<bool>,
}

impl LinearChainCrf {
    /// A CRF over the tags of `tag_set`, all scores zero, with the scheme's constraints: for IOB2 `I-X` only after
    /// `B-X` or `I-X`; for IOBES `I-X`/`E-X` only after `B-X`/`I-X` and nothing but `I-X`/`E-X` after them (a
    /// sentence cannot end inside an entity); IOB1 has none.
    ///
    /// # Errors
    /// [`Error::TooLarge`] when the K × K transition tables of a tag set with very many entity types cannot be
    /// allocated.
    pub fn new(tag_set: &TagSet) -> Result<LinearChainCrf> {
        let tags = tag_set.tags();
        let k = tags.len();
        let scheme = tag_set.scheme();
        let mut allowed = crate::bounded::table("crf transition table", k, k, false)?;
        for (a, from) in tags.iter().enumerate() {
            for (b, to) in tags.iter().enumerate() {
                allowed[a * k + b] = transition_allowed(scheme, Some(from), Some(to));
            }
        }
        let allowed_start = tags.iter().map(|t| transition_allowed(scheme, None, Some(t))).collect();
        let allowed_end = tags.iter().map(|t| transition_allowed(scheme, Some(t), None)).collect();
        Ok(LinearChainCrf {
            num_tags: k,
            scores: crate::bounded::table("crf scores", k + 2, k, 0.0)?,
            allowed,
            allowed_start,
            allowed_end,
        })
    }

    /// The number of tags K.
    #[must_use]
    pub fn num_tags(&self) -> usize {
        self.num_tags
    }

    /// The transition scores A, `K × K` row-major (from, to).
    #[must_use]
    pub fn transitions(&self) -> &[f64] {
        &self.scores[..self.num_tags * self.num_tags]
    }

    /// The start scores s.
    #[must_use]
    pub fn start_scores(&self) -> &[f64] {
        let k = self.num_tags;
        &self.scores[k * k..k * k + k]
    }

    /// The end scores f.
    #[must_use]
    pub fn end_scores(&self) -> &[f64] {
        let k = self.num_tags;
        &self.scores[k * k + k..]
    }

    /// A, s and f in one buffer (in that order, the order of the trainer's CRF gradient), for an optimizer to
    /// step in place; [`check_scores`](Self::check_scores) after.
    pub(crate) fn scores_mut(&mut self) -> &mut [f64] {
        &mut self.scores
    }

    /// [`Error::NonFinite`] when a score is NaN or ±∞ (after a step in place).
    pub(crate) fn check_scores(&self) -> Result<()> {
        check_finite("crf scores", &self.scores)
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
        let k = self.num_tags;
        self.scores[..k * k].copy_from_slice(transitions);
        self.scores[k * k..k * k + k].copy_from_slice(start);
        self.scores[k * k + k..].copy_from_slice(end);
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
        if !emissions.len().is_multiple_of(k) || emissions.is_empty() {
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
        let mut s = self.start_scores()[path[0]] + self.end_scores()[path[t_len - 1]];
        for (t, &y) in path.iter().enumerate() {
            s += emissions[t * k + y];
            if t > 0 {
                s += self.transitions()[path[t - 1] * k + y];
            }
        }
        Ok(s)
    }
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
