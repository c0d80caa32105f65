//! The tag set: tag ↔ id.

use std::collections::{BTreeSet, HashMap};

use super::reader::Sentence;
use super::scheme::Scheme;
use super::tag::Tag;
use crate::error::{Error, Result};

/// A bijection between tags and ids `0..len`, learned from the data.
///
/// `O` always has id [`TagSet::OUTSIDE`] (0). Each entity type, in sorted order, then gets one id per prefix
/// of the scheme (`B`, `I` for IOB1 and IOB2; `B`, `I`, `E`, `S` for IOBES), so the ids depend only on the set
/// of types, not on the order the data lists them in. Any types work, not only PER, ORG, LOC and MISC.
///
/// # Example
/// ```
/// use qnet::tagger::{Scheme, Tag, TagSet};
/// let tags = TagSet::new(["PER", "LOC"], Scheme::Iob2)?;
/// assert_eq!(tags.len(), 5);
/// assert_eq!(tags.id("O"), Some(TagSet::OUTSIDE));
/// assert_eq!(tags.id("B-LOC"), Some(1));
/// assert_eq!(tags.tag(4).map(Tag::as_str), Some("I-PER"));
/// let ids = tags.encode(&[Tag::parse("B-PER")?, Tag::outside()])?;
/// assert_eq!(ids, [3, 0]);
/// assert_eq!(tags.decode(&ids)?, [Tag::parse("B-PER")?, Tag::outside()]);
/// assert!(tags.encode(&[Tag::parse("B-ORG")?]).is_err());
/// # Ok::<(), qnet::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "TagSetSpec", into = "TagSetSpec")
)]
pub struct TagSet {
    scheme: Scheme,
    types: Vec<String>,
    tags: Vec<Tag>,
    index: HashMap<Tag, usize>,
}

/// What a tag set is serialized as: its scheme and types (the tags and ids follow from them).
#[cfg(feature = "serde")]
#[derive(serde::Serialize, serde::Deserialize)]
struct TagSetSpec {
    scheme: Scheme,
    types: Vec<String>,
}

#[cfg(feature = "serde")]
impl TryFrom<TagSetSpec> for TagSet {
    type Error = Error;
    fn try_from(spec: TagSetSpec) -> Result<TagSet> {
        TagSet::new(spec.types, spec.scheme)
    }
}

#[cfg(feature = "serde")]
impl From<TagSet> for TagSetSpec {
    fn from(set: TagSet) -> TagSetSpec {
        TagSetSpec { scheme: set.scheme, types: set.types }
    }
}

impl TagSet {
    /// The id of `O`.
    pub const OUTSIDE: usize = 0;

    /// The tag set of `O` and the scheme's prefixes for each of `types`.
    ///
    /// # Errors
    /// [`Error::InvalidTag`] if a type is empty or holds a space, tab or line break.
    pub fn new<I, S>(types: I, scheme: Scheme) -> Result<TagSet>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let types: BTreeSet<String> = types.into_iter().map(|t| t.as_ref().to_string()).collect();
        let mut tags = vec![Tag::outside()];
        for kind in &types {
            for &prefix in scheme.prefixes() {
                tags.push(Tag::new(prefix, kind)?);
            }
        }
        let index = tags.iter().enumerate().map(|(i, t)| (t.clone(), i)).collect();
        Ok(TagSet { scheme, types: types.into_iter().collect(), tags, index })
    }

    /// The tag set of the entity types found in `tags`, in `scheme`.
    ///
    /// # Example
    /// ```
    /// use qnet::tagger::{Scheme, Tag, TagSet};
    /// let seen = [Tag::parse("I-GENE")?, Tag::outside()];
    /// let set = TagSet::learn(&seen, Scheme::Iobes);
    /// assert_eq!(set.types(), ["GENE"]);
    /// assert_eq!(set.len(), 5);
    /// # Ok::<(), qnet::Error>(())
    /// ```
    #[must_use]
    pub fn learn<'a, I: IntoIterator<Item = &'a Tag>>(tags: I, scheme: Scheme) -> TagSet {
        let types: BTreeSet<&str> = tags.into_iter().filter_map(Tag::kind).collect();
        // Types taken from valid tags are valid.
        TagSet::new(types, scheme).unwrap_or_else(|_| TagSet::empty(scheme))
    }

    /// The IOB2 tag set of the entity types found in labelled sentences (a corpus's tags are in IOB2).
    ///
    /// # Example
    /// ```
    /// use qnet::tagger::{parse_conll, ConllFormat, TagSet};
    /// let corpus = parse_conll("Peter B-PER\nParis B-LOC\n", "memory", &ConllFormat::new())?;
    /// let set = TagSet::from_sentences(&corpus.sentences);
    /// assert_eq!(set.types(), ["LOC", "PER"]);
    /// # Ok::<(), qnet::Error>(())
    /// ```
    #[must_use]
    pub fn from_sentences(sentences: &[Sentence]) -> TagSet {
        let tags = sentences.iter().filter_map(|s| s.tags.as_ref()).flatten();
        TagSet::learn(tags, Scheme::Iob2)
    }

    fn empty(scheme: Scheme) -> TagSet {
        let tags = vec![Tag::outside()];
        let index = tags.iter().enumerate().map(|(i, t)| (t.clone(), i)).collect();
        TagSet { scheme, types: Vec::new(), tags, index }
    }

    /// The scheme whose prefixes the set holds.
    #[must_use]
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The entity types, sorted.
    #[must_use]
    pub fn types(&self) -> &[String] {
        &self.types
    }

    /// The tags, in id order.
    #[must_use]
    pub fn tags(&self) -> &[Tag] {
        &self.tags
    }

    /// The number of tags, `O` included.
    #[must_use]
    pub fn len(&self) -> usize {
        self.tags.len()
    }

    /// Always `false`: a tag set holds at least `O`.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.tags.is_empty()
    }

    /// The id of a tag given as text, or `None` if it is not in the set.
    #[must_use]
    pub fn id(&self, tag: &str) -> Option<usize> {
        self.index.get(tag).copied()
    }

    /// The tag of an id, or `None` if it is out of range.
    #[must_use]
    pub fn tag(&self, id: usize) -> Option<&Tag> {
        self.tags.get(id)
    }

    /// The ids of a tag sequence.
    ///
    /// # Errors
    /// [`Error::UnknownTag`] for the first tag not in the set.
    pub fn encode<T: AsRef<str>>(&self, tags: &[T]) -> Result<Vec<usize>> {
        tags.iter()
            .map(|t| {
                self.id(t.as_ref()).ok_or_else(|| Error::UnknownTag { tag: t.as_ref().to_string(), len: self.len() })
            })
            .collect()
    }

    /// The tags of an id sequence.
    ///
    /// # Errors
    /// [`Error::TagIdOutOfRange`] for the first id at or beyond [`TagSet::len`].
    pub fn decode(&self, ids: &[usize]) -> Result<Vec<Tag>> {
        ids.iter().map(|&id| self.tag(id).cloned().ok_or(Error::TagIdOutOfRange { id, len: self.len() })).collect()
    }
}
