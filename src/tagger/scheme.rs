//! Tagging schemes: IOB1, IOB2, IOBES, their detection and conversion.

use std::fmt;

use super::chunk::{chunks, Chunk, ChunkRules};
use super::tag::{Prefix, Tag};

/// A tagging scheme: how `B-`, `I-`, `E-` and `S-` mark the entities of a sentence.
///
/// * IOB1: entities are runs of `I-X`; `B-X` marks only an entity that directly follows one of the same type.
/// * IOB2: every entity starts with `B-X` and goes on with `I-X` (CoNLL-2003's files as distributed today).
/// * IOBES: `S-X` for one-token entities, otherwise `B-X`, `I-X`…, `E-X`.
///
/// The reader converts every corpus to IOB2 ([`Scheme::to_iob2`]); writers convert back
/// ([`Scheme::from_iob2`]). Both go through the chunks, so a conversion keeps the entities.
///
/// # Example
/// ```
/// use qnet::tagger::{Scheme, Tag};
/// let tags = |s: &str| s.split(' ').map(Tag::parse).collect::<qnet::Result<Vec<_>>>();
/// let iob1 = tags("I-PER I-PER B-PER O I-LOC")?;
/// assert_eq!(Scheme::detect(&iob1), Scheme::Iob1);
/// let iob2 = Scheme::Iob1.to_iob2(&iob1);
/// assert_eq!(iob2, tags("B-PER I-PER B-PER O B-LOC")?);
/// assert_eq!(Scheme::Iobes.from_iob2(&iob2), tags("B-PER E-PER S-PER O S-LOC")?);
/// # Ok::<(), qnet::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Scheme {
    /// `I-` inside, `B-` only between adjacent entities of one type.
    Iob1,
    /// `B-` first, `I-` inside.
    #[default]
    Iob2,
    /// `B-` first, `I-` inside, `E-` last, `S-` alone.
    Iobes,
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Scheme::Iob1 => "IOB1",
            Scheme::Iob2 => "IOB2",
            Scheme::Iobes => "IOBES",
        })
    }
}

/// Evidence gathered over tag sequences to tell the schemes apart.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct SchemeEvidence {
    /// An `E-` or `S-` tag was seen.
    end_or_single: bool,
    /// An `I-X` tag started an entity (after `O`, after another type, or first in a sentence).
    i_starts: bool,
    /// A `B-X` tag followed something other than `B-X`/`I-X` of the same type.
    b_starts: bool,
}

impl SchemeEvidence {
    pub(crate) fn add(&mut self, tags: &[Tag]) {
        let mut prev: Option<&str> = None;
        for tag in tags {
            let kind = tag.kind();
            match tag.prefix() {
                Some(Prefix::E | Prefix::S) => self.end_or_single = true,
                Some(Prefix::I) if prev != kind => self.i_starts = true,
                Some(Prefix::B) if prev != kind => self.b_starts = true,
                _ => {}
            }
            prev = kind;
        }
    }

    pub(crate) fn scheme(self) -> Scheme {
        if self.end_or_single {
            Scheme::Iobes
        } else if self.i_starts && !self.b_starts {
            Scheme::Iob1
        } else {
            Scheme::Iob2
        }
    }
}

impl Scheme {
    /// Detects the scheme of one tag sequence: IOBES if any `E-` or `S-` tag occurs; IOB1 if some entity
    /// starts with `I-` and none with `B-` after `O` or another type; IOB2 otherwise (also when there are no
    /// entities at all).
    ///
    /// Use [`Scheme::detect_all`] for a corpus: a single sentence often cannot tell IOB1 from IOB2.
    #[must_use]
    pub fn detect(tags: &[Tag]) -> Scheme {
        let mut evidence = SchemeEvidence::default();
        evidence.add(tags);
        evidence.scheme()
    }

    /// Detects the scheme of many sentences at once, by the rules of [`Scheme::detect`].
    ///
    /// # Example
    /// ```
    /// use qnet::tagger::{Scheme, Tag};
    /// let a = vec![Tag::parse("I-PER")?, Tag::parse("O")?];
    /// let b = vec![Tag::parse("I-LOC")?, Tag::parse("B-LOC")?];
    /// assert_eq!(Scheme::detect_all([a.as_slice(), b.as_slice()]), Scheme::Iob1);
    /// # Ok::<(), qnet::Error>(())
    /// ```
    #[must_use]
    pub fn detect_all<'a, I: IntoIterator<Item = &'a [Tag]>>(sentences: I) -> Scheme {
        let mut evidence = SchemeEvidence::default();
        for tags in sentences {
            evidence.add(tags);
        }
        evidence.scheme()
    }

    /// The prefixes the scheme uses.
    #[must_use]
    pub fn prefixes(self) -> &'static [Prefix] {
        match self {
            Scheme::Iob1 | Scheme::Iob2 => &[Prefix::B, Prefix::I],
            Scheme::Iobes => &[Prefix::B, Prefix::I, Prefix::E, Prefix::S],
        }
    }

    /// Whether a tag with this prefix belongs to the scheme.
    #[must_use]
    pub fn allows(self, prefix: Prefix) -> bool {
        self.prefixes().contains(&prefix)
    }

    /// The chunk rules that read tags of this scheme: [`ChunkRules::Conlleval`] for IOB1 and IOB2,
    /// [`ChunkRules::Iobes`] for IOBES.
    #[must_use]
    pub fn chunk_rules(self) -> ChunkRules {
        match self {
            Scheme::Iob1 | Scheme::Iob2 => ChunkRules::Conlleval,
            Scheme::Iobes => ChunkRules::Iobes,
        }
    }

    /// Converts tags of this scheme to IOB2, through their chunks (so ill-formed sequences are repaired the
    /// way conlleval reads them: an `I-X` after `O` becomes `B-X`).
    #[must_use]
    pub fn to_iob2(self, tags: &[Tag]) -> Vec<Tag> {
        Scheme::Iob2.encode(&chunks(tags, self.chunk_rules()), tags.len())
    }

    /// Converts IOB2 tags to this scheme, through their chunks.
    #[must_use]
    pub fn from_iob2(self, tags: &[Tag]) -> Vec<Tag> {
        self.encode(&chunks(tags, ChunkRules::Conlleval), tags.len())
    }

    /// The tags of a sentence of `len` tokens holding `chunks` (sorted, not overlapping) in this scheme.
    /// Chunks reaching past `len` are cut at `len`.
    ///
    /// # Example
    /// ```
    /// use qnet::tagger::{Chunk, Scheme};
    /// let tags = Scheme::Iob1.encode(&[Chunk::new("LOC", 0, 2), Chunk::new("LOC", 2, 3)], 4);
    /// let text: Vec<&str> = tags.iter().map(|t| t.as_str()).collect();
    /// assert_eq!(text, ["I-LOC", "I-LOC", "B-LOC", "O"]);
    /// ```
    #[must_use]
    pub fn encode(self, chunks: &[Chunk], len: usize) -> Vec<Tag> {
        let mut tags = vec![Tag::outside(); len];
        let mut prev: Option<&Chunk> = None;
        for chunk in chunks {
            let end = chunk.end.min(len);
            if chunk.start >= end {
                continue;
            }
            let (Ok(b), Ok(i)) = (Tag::new(Prefix::B, &chunk.kind), Tag::new(Prefix::I, &chunk.kind)) else {
                continue;
            };
            for tag in &mut tags[chunk.start..end] {
                *tag = i.clone();
            }
            match self {
                Scheme::Iob2 => tags[chunk.start] = b,
                Scheme::Iob1 => {
                    let adjacent = prev.is_some_and(|p| p.end == chunk.start && p.kind == chunk.kind);
                    if adjacent {
                        tags[chunk.start] = b;
                    }
                }
                Scheme::Iobes => {
                    if end - chunk.start == 1 {
                        tags[chunk.start] = i.with_prefix(Prefix::S);
                    } else {
                        tags[chunk.start] = b;
                        tags[end - 1] = i.with_prefix(Prefix::E);
                    }
                }
            }
            prev = Some(chunk);
        }
        tags
    }
}
