//! The named-entity tagger: a linear-chain CRF whose emission scores sum a sparse linear path over hashed
//! token features and a dense path through a [`QuantumNetwork`](crate::layer::QuantumNetwork).

mod config;
mod crf;
mod dense;
mod diagnostics;
mod features;
mod noise;
mod persist;
mod text;
mod train;

use std::path::Path;

pub use self::config::{DensePath, TaggerConfig, MAX_TAGGER_QUBITS};
pub use self::crf::{CrfGradient, LinearChainCrf};
pub use self::diagnostics::{LayerWeights, QuantumDiagnostics};
pub use self::noise::depolarizing_noise;
pub use self::text::{tokenize, TextToken};
pub use self::train::{EpochReport, TrainEvent};

use self::dense::DenseModel;
use self::features::{hash_sentences, row_offsets, FeatureIndex, SentenceFeatures};
use super::chunk::{chunks, ChunkRules};
use super::entity::{score_entities, EntityReport};
use super::reader::{Corpus, Sentence};
use super::report::ClassificationReport;
use super::tag::Tag;
use super::tagset::TagSet;
use crate::error::{Error, Result};

/// A trained named-entity tagger: predicts IOB2 tags, entity spans of plain text, and evaluates itself with
/// conlleval's rules.
///
/// Built by [`TaggerConfig::fit`]; saved and loaded with [`save`](Tagger::save) / [`load`](Tagger::load).
///
/// # Example
/// ```
/// use qnet::tagger::{sample, DensePath, TaggerConfig};
/// let train = sample::train();
/// let tagger = TaggerConfig::default().dense(DensePath::None).epochs(2).fit(&train, None, |_| {})?;
/// let tags = tagger.predict(&["Maria", "Lindqvist", "visited", "Port", "Essen", "."])?;
/// assert_eq!(tags.len(), 6);
/// let eval = tagger.evaluate(&sample::valid())?;
/// assert!(eval.entities.f1() > 0.5);
/// # Ok::<(), qnet::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Tagger {
    config: TaggerConfig,
    /// The IOB2 tags of the data (what predictions are given in).
    tag_set: TagSet,
    /// The tags in the internal scheme (what the CRF's ids mean).
    inner: TagSet,
    features: FeatureIndex,
    /// Sparse weights: one row of K scores per feature.
    weights: Vec<f64>,
    crf: LinearChainCrf,
    dense: Option<DenseModel>,
    history: Vec<EpochReport>,
}

/// An entity found in plain text: character offsets (end exclusive), type and text.
///
/// # Example
/// ```
/// use qnet::tagger::EntitySpan;
/// let span = EntitySpan { start: 0, end: 2, kind: "ORG".into(), text: "EU".into() };
/// assert_eq!(span.to_string(), "0\t2\tORG\tEU");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntitySpan {
    /// The offset of its first character, in characters.
    pub start: usize,
    /// One past its last character.
    pub end: usize,
    /// Its type, such as `"PER"`.
    pub kind: String,
    /// The text it covers.
    pub text: String,
}

impl std::fmt::Display for EntitySpan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}\t{}\t{}\t{}", self.start, self.end, self.kind, self.text)
    }
}

/// A tagger's scores on a labelled corpus: conlleval's entity report and scikit-learn's token table.
///
/// # Example
/// ```
/// # use qnet::tagger::{sample, DensePath, TaggerConfig};
/// # let tagger = TaggerConfig::default().dense(DensePath::None).epochs(1).fit(&sample::train(), None, |_| {})?;
/// let eval = tagger.evaluate(&sample::valid())?;
/// println!("{}\n{}", eval.entities, eval.tokens);
/// assert!(eval.tokens.accuracy().unwrap_or(0.0) > 0.8);
/// # Ok::<(), qnet::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// Entity-level precision, recall and F1 (conlleval's report when printed).
    pub entities: EntityReport,
    /// Token-level precision, recall and F1 per IOB2 tag, labels sorted, three digits, then `micro avg`, `macro
    /// avg` and `weighted avg` (scikit-learn's table with the labels passed explicitly).
    pub tokens: ClassificationReport,
}

/// Runs `f` over `items` in order, on rayon's pool with feature `parallel`.
pub(crate) fn par_map<T: Sync, U: Send, F: Fn(&T) -> Result<U> + Sync + Send>(items: &[T], f: F) -> Result<Vec<U>> {
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        items.par_iter().map(f).collect()
    }
    #[cfg(not(feature = "parallel"))]
    items.iter().map(f).collect()
}

/// Tokens per forward batch of the dense path when predicting (bounds the memory of large corpora).
const PREDICT_TOKENS: usize = 8192;

impl Tagger {
    /// The settings it was trained with.
    #[must_use]
    pub fn config(&self) -> &TaggerConfig {
        &self.config
    }

    /// The IOB2 tags it predicts.
    #[must_use]
    pub fn tag_set(&self) -> &TagSet {
        &self.tag_set
    }

    /// The per-epoch reports of its training (empty for a model that was loaded).
    #[must_use]
    pub fn history(&self) -> &[EpochReport] {
        &self.history
    }

    /// The number of sparse features it has weights for.
    #[must_use]
    pub fn num_features(&self) -> usize {
        self.features.len()
    }

    /// The CRF (transition, start and end scores over the internal scheme's tags).
    #[must_use]
    pub fn crf(&self) -> &LinearChainCrf {
        &self.crf
    }

    /// The emission scores of one sentence (T × K, internal tag ids), sparse plus dense path.
    fn emissions(&self, features: &SentenceFeatures, dense: Option<&[f64]>) -> Vec<f64> {
        let k = self.inner.len();
        let mut e = vec![0.0; features.len() * k];
        for (t, row) in e.chunks_exact_mut(k).enumerate() {
            for &f in features.token(t) {
                for (r, w) in row.iter_mut().zip(&self.weights[f as usize * k..(f as usize + 1) * k]) {
                    *r += w;
                }
            }
        }
        if let Some(d) = dense {
            e.iter_mut().zip(d).for_each(|(a, b)| *a += b);
        }
        e
    }

    /// Viterbi paths (internal ids) of featurised sentences.
    fn decode(&self, sentences: &[SentenceFeatures]) -> Result<Vec<Vec<usize>>> {
        let mut paths = Vec::with_capacity(sentences.len());
        let k = self.inner.len();
        let mut start = 0;
        while start < sentences.len() {
            let mut end = start;
            let mut tokens = 0;
            while end < sentences.len() && (tokens == 0 || tokens + sentences[end].len() <= PREDICT_TOKENS) {
                tokens += sentences[end].len();
                end += 1;
            }
            let group: Vec<&SentenceFeatures> = sentences[start..end].iter().collect();
            let dense = match &self.dense {
                Some(d) => Some(d.forward(&d.bags(&group), k)?),
                None => None,
            };
            let (offsets, _) = row_offsets(&group, k);
            let jobs: Vec<(&SentenceFeatures, usize)> = group.iter().copied().zip(offsets).collect();
            let decoded = par_map(&jobs, |&(s, off)| {
                if s.len() == 0 {
                    return Ok(Vec::new());
                }
                let d = dense.as_ref().map(|d| &d[off..off + s.len() * k]);
                self.crf.viterbi(&self.emissions(s, d))
            })?;
            paths.extend(decoded);
            start = end;
        }
        Ok(paths)
    }

    fn featurise(&self, sentences: &[&Sentence]) -> Vec<SentenceFeatures> {
        hash_sentences(sentences).iter().map(|h| self.features.ids(h)).collect()
    }

    /// Internal ids → IOB2 tags.
    fn to_iob2(&self, path: &[usize]) -> Result<Vec<Tag>> {
        let tags = self.inner.decode(path)?;
        Ok(self.inner.scheme().to_iob2(&tags))
    }

    /// The IOB2 tags of every sentence of `corpus`, with the evidence of each sentence's whole document (how
    /// its words are written elsewhere in it). Parallel over sentences; identical for any number of threads.
    ///
    /// # Errors
    /// Only on an internal inconsistency of a model file, which [`load`](Tagger::load) already rejects.
    pub fn predict_corpus(&self, corpus: &Corpus) -> Result<Vec<Vec<Tag>>> {
        let sentences: Vec<&Sentence> = corpus.sentences.iter().collect();
        self.predict_sentences(&sentences)
    }

    pub(crate) fn predict_sentences(&self, sentences: &[&Sentence]) -> Result<Vec<Vec<Tag>>> {
        let features = self.featurise(sentences);
        self.decode(&features)?.iter().map(|p| self.to_iob2(p)).collect()
    }

    /// The IOB2 tags of one tokenised sentence (its own document).
    ///
    /// # Errors
    /// [`Error::InvalidField`] for an empty token or one holding white space.
    ///
    /// # Example
    /// ```
    /// # use qnet::tagger::{sample, DensePath, TaggerConfig};
    /// # let tagger = TaggerConfig::default().dense(DensePath::None).epochs(2).fit(&sample::train(), None, |_| {})?;
    /// let tags = tagger.predict(&["EU", "rejects", "German", "call"])?;
    /// assert_eq!(tags.len(), 4);
    /// assert!(tagger.predict(&["two words"]).is_err());
    /// # Ok::<(), qnet::Error>(())
    /// ```
    pub fn predict(&self, tokens: &[&str]) -> Result<Vec<Tag>> {
        if let Some(bad) = tokens.iter().find(|t| t.is_empty() || t.chars().any(char::is_whitespace)) {
            return Err(Error::InvalidField {
                field: (*bad).to_string(),
                reason: "a token must be non-empty and hold no white space",
            });
        }
        if tokens.is_empty() {
            return Ok(Vec::new());
        }
        let sentence = Sentence { tokens: tokens.iter().map(|t| (*t).to_string()).collect(), ..Sentence::default() };
        Ok(self.predict_sentences(&[&sentence])?.pop().unwrap_or_default())
    }

    /// The entities of plain text: it is split into tokens and sentences by [`tokenize`], tagged as one
    /// document, and each entity is given by its character offsets.
    ///
    /// # Errors
    /// None in practice; the `Result` is kept for symmetry with [`predict`](Tagger::predict).
    ///
    /// # Example
    /// ```
    /// # use qnet::tagger::{sample, DensePath, TaggerConfig};
    /// # let tagger = TaggerConfig::default().dense(DensePath::None).epochs(2).fit(&sample::train(), None, |_| {})?;
    /// let text = "Maria Lindqvist flew to Port Essen.";
    /// for span in tagger.entities(text)? {
    ///     assert_eq!(text.chars().skip(span.start).take(span.end - span.start).collect::<String>(), span.text);
    /// }
    /// # Ok::<(), qnet::Error>(())
    /// ```
    pub fn entities(&self, text: &str) -> Result<Vec<EntitySpan>> {
        let sentences = tokenize(text);
        let corpus: Vec<Sentence> = sentences
            .iter()
            .map(|s| Sentence { tokens: s.iter().map(|t| t.text.clone()).collect(), ..Sentence::default() })
            .collect();
        let refs: Vec<&Sentence> = corpus.iter().collect();
        let tags = self.predict_sentences(&refs)?;
        let chars: Vec<char> = text.chars().collect();
        let mut spans = Vec::new();
        for (tokens, tags) in sentences.iter().zip(&tags) {
            for chunk in chunks(tags, ChunkRules::Conlleval) {
                let (start, end) = (tokens[chunk.start].start, tokens[chunk.end - 1].end);
                spans.push(EntitySpan { start, end, kind: chunk.kind, text: chars[start..end].iter().collect() });
            }
        }
        Ok(spans)
    }

    /// Tags a labelled corpus and scores it: conlleval's entity counts and the token table over the tag set's
    /// labels in sorted order.
    ///
    /// # Errors
    /// [`Error::EmptyCorpus`] when no sentence of `corpus` is labelled.
    pub fn evaluate(&self, corpus: &Corpus) -> Result<Evaluation> {
        let labelled: Vec<&Sentence> = corpus.sentences.iter().filter(|s| s.tags.is_some()).collect();
        if labelled.is_empty() {
            return Err(Error::EmptyCorpus { what: "evaluation corpus (labelled sentences)" });
        }
        let predicted = self.predict_sentences(&labelled)?;
        let gold: Vec<Vec<&str>> =
            labelled.iter().map(|s| s.tags.iter().flatten().map(Tag::as_str).collect()).collect();
        let predicted: Vec<Vec<&str>> = predicted.iter().map(|p| p.iter().map(Tag::as_str).collect()).collect();
        let entities = score_entities(&gold, &predicted, ChunkRules::Conlleval)?;
        let mut labels: Vec<&str> = self.tag_set.tags().iter().map(Tag::as_str).collect();
        labels.sort_unstable();
        let tokens = ClassificationReport::from_sentences(&gold, &predicted, Some(&labels))?
            .with_digits(3)?
            .with_micro_avg_line();
        Ok(Evaluation { entities, tokens })
    }

    /// Saves everything a prediction needs in one versioned file, atomically (a temporary file renamed into
    /// place: a crash mid-write leaves the old file).
    ///
    /// # Errors
    /// [`Error::Io`] when the file cannot be written.
    ///
    /// # Example
    /// ```
    /// # use qnet::tagger::{sample, DensePath, Tagger, TaggerConfig};
    /// # let tagger = TaggerConfig::default().dense(DensePath::None).epochs(1).fit(&sample::train(), None, |_| {})?;
    /// let path = std::env::temp_dir().join(format!("qnet-doc-{}.qnet", std::process::id()));
    /// tagger.save(&path)?;
    /// let again = Tagger::load(&path)?;
    /// assert_eq!(again.predict(&["Port", "Essen"])?, tagger.predict(&["Port", "Essen"])?);
    /// # std::fs::remove_file(&path).ok();
    /// # Ok::<(), qnet::Error>(())
    /// ```
    pub fn save<P: AsRef<Path>>(&self, path: P) -> Result<()> {
        persist::save(self, path.as_ref())
    }

    /// Loads a model saved by [`save`](Tagger::save), checking its version, checksum and every dimension.
    ///
    /// # Errors
    /// [`Error::Io`] when it cannot be read, [`Error::ModelVersion`] for another format version,
    /// [`Error::CorruptModel`] for a truncated, altered or inconsistent file.
    pub fn load<P: AsRef<Path>>(path: P) -> Result<Tagger> {
        persist::load(path.as_ref())
    }
}

#[cfg(test)]
mod tests;
