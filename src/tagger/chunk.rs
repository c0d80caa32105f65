//! Chunks (entities) and the rules that find them in a tag sequence.

use std::fmt;

/// Which rules decide where a chunk starts and ends.
///
/// * [`ChunkRules::Conlleval`] are the rules of the `conlleval` perl script (version 2004-01-26): a chunk
///   starts at `B-X`, at `I-X` after `O`, or at any tag whose type differs from the previous tag's; it ends
///   before `O`, before `B-`, or before a tag of another type. The script's `E-` rules (for IOE tags) are kept:
///   `E-X` ends a chunk and `E-X`/`I-X` after `E-X` starts one. These rules read IOB1 and IOB2 alike and
///   are seqeval's default mode.
/// * [`ChunkRules::Iobes`] add the `S-` rules used by the IOBES variants of conlleval and by seqeval's default
///   mode: `S-X` always starts and ends a chunk, `B-X` always starts one, and a chunk ends after `E-X`.
/// * [`ChunkRules::StrictIob2`] is seqeval's strict IOB2 mode: a chunk is `B-X` followed by `I-X` tokens
///   of the same type; an `I-` tag that does not continue such a chunk belongs to no chunk, and so do `E-`
///   and `S-` tags.
///
/// # Example
/// ```
/// use qnet::tagger::{chunks, Chunk, ChunkRules};
/// let tags = ["O", "I-PER", "I-PER", "I-LOC"];
/// let found = chunks(&tags, ChunkRules::Conlleval);
/// assert_eq!(found, vec![Chunk::new("PER", 1, 3), Chunk::new("LOC", 3, 4)]);
/// assert!(chunks(&tags, ChunkRules::StrictIob2).is_empty());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum ChunkRules {
    /// conlleval's rules (IOB1, IOB2 and IOE tags); the default.
    #[default]
    Conlleval,
    /// conlleval's rules with `S-` and `E-` handled as IOBES needs.
    Iobes,
    /// seqeval's strict IOB2 mode: ill-formed `I-` tags start no chunk.
    StrictIob2,
}

impl fmt::Display for ChunkRules {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ChunkRules::Conlleval => "conlleval",
            ChunkRules::Iobes => "iobes",
            ChunkRules::StrictIob2 => "strict-iob2",
        })
    }
}

/// Splits a tag the way conlleval does: the prefix is the text before the first hyphen and the type the text
/// after it (`"B-GPE-CITY"` gives `("B", "GPE-CITY")`); a tag without a hyphen is all prefix. As in perl, a
/// type `"0"` counts as empty.
pub(crate) fn split_tag(tag: &str) -> (&str, &str) {
    match tag.find('-') {
        Some(i) => {
            let kind = &tag[i + 1..];
            (&tag[..i], if kind == "0" { "" } else { kind })
        }
        None => (tag, ""),
    }
}

impl ChunkRules {
    /// Whether a chunk ends between a token tagged `(prev, prev_kind)` and the next one, `(cur, kind)`.
    pub(crate) fn is_end(self, prev: &str, cur: &str, prev_kind: &str, kind: &str) -> bool {
        match self {
            ChunkRules::Conlleval => {
                matches!(
                    (prev, cur),
                    ("B", "B") | ("B", "O") | ("I", "B") | ("I", "O") | ("E", "E") | ("E", "I") | ("E", "O")
                ) || (prev != "O" && prev != "." && prev_kind != kind)
                    || prev == "]"
                    || prev == "["
            }
            ChunkRules::Iobes => {
                matches!(
                    (prev, cur),
                    ("B", "B" | "O" | "S") | ("I", "B" | "S" | "O") | ("E", "E" | "I" | "O" | "S" | "B")
                ) || (prev == "S" && matches!(cur, "E" | "I" | "O" | "S" | "B"))
                    || (prev != "O" && prev != "." && prev_kind != kind)
                    || prev == "]"
                    || prev == "["
            }
            ChunkRules::StrictIob2 => matches!(prev, "B" | "I") && !(cur == "I" && prev_kind == kind),
        }
    }

    /// Whether a chunk starts at a token tagged `(cur, kind)` that follows one tagged `(prev, prev_kind)`.
    pub(crate) fn is_start(self, prev: &str, cur: &str, prev_kind: &str, kind: &str) -> bool {
        match self {
            ChunkRules::Conlleval => {
                matches!(
                    (prev, cur),
                    ("B", "B") | ("I", "B") | ("O", "B") | ("O", "I") | ("E", "E") | ("E", "I") | ("O", "E")
                ) || (cur != "O" && cur != "." && prev_kind != kind)
                    || cur == "["
                    || cur == "]"
            }
            ChunkRules::Iobes => {
                matches!(
                    (prev, cur),
                    ("B" | "I" | "O" | "S" | "E", "B" | "S") | ("O" | "S" | "E", "I") | ("S" | "E" | "O", "E")
                ) || (cur != "O" && cur != "." && prev_kind != kind)
                    || cur == "["
                    || cur == "]"
            }
            ChunkRules::StrictIob2 => cur == "B",
        }
    }
}

/// An entity: a type and the half-open token range `start..end` it covers within its sentence.
///
/// # Example
/// ```
/// use qnet::tagger::{chunks, Chunk, ChunkRules};
/// let found = chunks(&["B-ORG", "I-ORG", "O", "S-PER"], ChunkRules::Iobes);
/// assert_eq!(found, vec![Chunk::new("ORG", 0, 2), Chunk::new("PER", 3, 4)]);
/// assert_eq!(found[0].len(), 2);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Chunk {
    /// The entity type, such as `"PER"`.
    pub kind: String,
    /// The index of its first token.
    pub start: usize,
    /// One past the index of its last token.
    pub end: usize,
}

impl Chunk {
    /// The chunk of type `kind` over tokens `start..end`.
    #[must_use]
    pub fn new(kind: &str, start: usize, end: usize) -> Chunk {
        Chunk { kind: kind.to_string(), start, end }
    }

    /// The number of tokens it covers.
    #[must_use]
    pub fn len(&self) -> usize {
        self.end.saturating_sub(self.start)
    }

    /// Whether it covers no token (never the case for a chunk returned by [`chunks`]).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl fmt::Display for Chunk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}[{}..{})", self.kind, self.start, self.end)
    }
}

/// The chunks of one sentence's tags under `rules`, in order.
///
/// Tags are read the way conlleval reads them (prefix before the first hyphen, type after it), so any text
/// is accepted; the sentence is taken to be preceded and followed by `O`.
///
/// # Example
/// ```
/// use qnet::tagger::{chunks, Chunk, ChunkRules};
/// // A type change inside a run of I- tags splits it; B- after I- of the same type starts a new chunk.
/// let tags = ["I-PER", "I-LOC", "B-LOC", "O"];
/// assert_eq!(
///     chunks(&tags, ChunkRules::Conlleval),
///     vec![Chunk::new("PER", 0, 1), Chunk::new("LOC", 1, 2), Chunk::new("LOC", 2, 3)]
/// );
/// ```
#[must_use]
pub fn chunks<T: AsRef<str>>(tags: &[T], rules: ChunkRules) -> Vec<Chunk> {
    let mut out = Vec::new();
    let mut open: Option<(usize, &str)> = None;
    let (mut prev, mut prev_kind) = ("O", "");
    for i in 0..=tags.len() {
        let (cur, kind) = match tags.get(i) {
            Some(t) => split_tag(t.as_ref()),
            None => ("O", ""),
        };
        let ends = rules.is_end(prev, cur, prev_kind, kind);
        let starts = rules.is_start(prev, cur, prev_kind, kind);
        if ends || starts {
            if let Some((start, k)) = open.take() {
                out.push(Chunk::new(k, start, i));
            }
        }
        if starts && i < tags.len() {
            open = Some((i, kind));
        }
        prev = cur;
        prev_kind = kind;
    }
    out
}
