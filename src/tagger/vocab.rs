//! The word vocabulary: word ↔ id with frequency counts.

use std::collections::HashMap;

use super::reader::Sentence;
#[cfg(feature = "serde")]
use crate::error::{Error, Result};

/// Words seen in the data with their frequencies, those at or above a cut-off given ids, the rest mapped to
/// the unknown-word id [`Vocab::UNKNOWN`] (0, written `<unk>`).
///
/// Ids are given by decreasing frequency, ties broken by the words' byte order, so a vocabulary depends only
/// on the counts. Words are taken as they are (lowercase them first for a case-insensitive vocabulary).
///
/// # Example
/// ```
/// use qnet::tagger::Vocab;
/// let vocab = Vocab::build(["the", "cat", "the", "dog", "the", "cat"], 2);
/// assert_eq!(vocab.len(), 3); // <unk>, the, cat
/// assert_eq!(vocab.id("the"), 1);
/// assert_eq!(vocab.id("dog"), Vocab::UNKNOWN);
/// assert_eq!(vocab.id("never seen"), Vocab::UNKNOWN);
/// assert_eq!(vocab.count("the"), 3);
/// assert_eq!(vocab.count("dog"), 1);
/// assert_eq!(vocab.word(2), Some("cat"));
/// assert_eq!(vocab.encode(&["cat", "dog"]), [2, 0]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "VocabData", into = "VocabData")
)]
pub struct Vocab {
    words: Vec<String>,
    counts: HashMap<String, usize>,
    index: HashMap<String, usize>,
    min_count: usize,
    total: usize,
}

/// What a vocabulary is serialized as: its counts and cut-off (the ids follow from them).
#[cfg(feature = "serde")]
#[derive(serde::Serialize, serde::Deserialize)]
struct VocabData {
    counts: HashMap<String, usize>,
    min_count: usize,
}

#[cfg(feature = "serde")]
impl TryFrom<VocabData> for Vocab {
    type Error = Error;
    fn try_from(d: VocabData) -> Result<Vocab> {
        let corrupt = |reason: String| Err(Error::CorruptData { what: "vocabulary", reason });
        if let Some((word, _)) = d.counts.iter().find(|(_, &c)| c == 0) {
            return corrupt(format!("word {word:?} has a count of 0"));
        }
        let Some(total) = d.counts.values().try_fold(0usize, |acc, &c| acc.checked_add(c)) else {
            return corrupt("the counts add up to more than usize::MAX".into());
        };
        Ok(Vocab::from_counts(d.counts, total, d.min_count))
    }
}

#[cfg(feature = "serde")]
impl From<Vocab> for VocabData {
    fn from(v: Vocab) -> VocabData {
        VocabData { counts: v.counts, min_count: v.min_count }
    }
}

impl Vocab {
    /// The id of every word below the cut-off or never seen.
    pub const UNKNOWN: usize = 0;

    /// The text of the unknown word's entry.
    pub const UNKNOWN_WORD: &'static str = "<unk>";

    /// Counts `words` and gives an id to each word seen at least `min_count` times (a `min_count` of 0 counts
    /// as 1).
    #[must_use]
    pub fn build<I, S>(words: I, min_count: usize) -> Vocab
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut counts: HashMap<String, usize> = HashMap::new();
        let mut total = 0;
        for word in words {
            let word = word.as_ref();
            total += 1;
            match counts.get_mut(word) {
                Some(c) => *c += 1,
                None => {
                    counts.insert(word.to_string(), 1);
                }
            }
        }
        Vocab::from_counts(counts, total, min_count)
    }

    /// The vocabulary of words counted `counts` times, `total` occurrences in all.
    fn from_counts(counts: HashMap<String, usize>, total: usize, min_count: usize) -> Vocab {
        let mut kept: Vec<(&String, usize)> =
            counts.iter().filter(|(_, &c)| c >= min_count.max(1)).map(|(w, &c)| (w, c)).collect();
        kept.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        let mut words = vec![Vocab::UNKNOWN_WORD.to_string()];
        words.extend(kept.into_iter().map(|(w, _)| w.clone()));
        let index = words.iter().enumerate().skip(1).map(|(i, w)| (w.clone(), i)).collect();
        Vocab { words, counts, index, min_count: min_count.max(1), total }
    }

    /// The vocabulary of the tokens of `sentences`.
    ///
    /// # Example
    /// ```
    /// use qnet::tagger::{parse_conll, ConllFormat, Vocab};
    /// let corpus = parse_conll("a O\nb O\n\na O\n", "memory", &ConllFormat::new())?;
    /// let vocab = Vocab::from_sentences(&corpus.sentences, 1);
    /// assert_eq!((vocab.id("a"), vocab.id("b")), (1, 2));
    /// # Ok::<(), qnet::Error>(())
    /// ```
    #[must_use]
    pub fn from_sentences(sentences: &[Sentence], min_count: usize) -> Vocab {
        Vocab::build(sentences.iter().flat_map(|s| s.tokens.iter()), min_count)
    }

    /// The number of ids, the unknown word's included.
    #[must_use]
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// Always `false`: a vocabulary holds at least the unknown word.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// The cut-off: the fewest occurrences that earn a word its own id.
    #[must_use]
    pub fn min_count(&self) -> usize {
        self.min_count
    }

    /// The number of words counted (occurrences, not distinct words).
    #[must_use]
    pub fn total(&self) -> usize {
        self.total
    }

    /// The id of a word: its own if it was seen at least [`Vocab::min_count`] times, [`Vocab::UNKNOWN`]
    /// otherwise.
    #[must_use]
    pub fn id(&self, word: &str) -> usize {
        self.index.get(word).copied().unwrap_or(Vocab::UNKNOWN)
    }

    /// Whether a word has its own id.
    #[must_use]
    pub fn contains(&self, word: &str) -> bool {
        self.index.contains_key(word)
    }

    /// The word of an id (`"<unk>"` for 0), or `None` if it is out of range.
    #[must_use]
    pub fn word(&self, id: usize) -> Option<&str> {
        self.words.get(id).map(String::as_str)
    }

    /// How often a word was seen (also for words below the cut-off; 0 if never).
    #[must_use]
    pub fn count(&self, word: &str) -> usize {
        self.counts.get(word).copied().unwrap_or(0)
    }

    /// The ids of a token sequence.
    #[must_use]
    pub fn encode<S: AsRef<str>>(&self, words: &[S]) -> Vec<usize> {
        words.iter().map(|w| self.id(w.as_ref())).collect()
    }
}
