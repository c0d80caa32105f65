//! Entity tags: `O` or `PREFIX-TYPE`.

use std::borrow::Borrow;
use std::fmt;
use std::str::FromStr;

use crate::error::{Error, Result};

/// The position of a token inside an entity: the `B`, `I`, `E` or `S` of a tag such as `B-PER`.
///
/// IOB1 and IOB2 use `B` (begin) and `I` (inside); IOBES adds `E` (end) and `S` (single-token entity).
///
/// # Example
/// ```
/// use qnet::tagger::Prefix;
/// assert_eq!(Prefix::from_char('S'), Some(Prefix::S));
/// assert_eq!(Prefix::E.as_char(), 'E');
/// assert_eq!(Prefix::from_char('X'), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Prefix {
    /// The first token of an entity (IOB2, IOBES), or of an entity that directly follows one of the same type
    /// (IOB1).
    B,
    /// A token inside an entity.
    I,
    /// The last token of an entity of two or more tokens (IOBES).
    E,
    /// An entity of one token (IOBES).
    S,
}

impl Prefix {
    /// The prefix's letter.
    #[must_use]
    pub fn as_char(self) -> char {
        match self {
            Prefix::B => 'B',
            Prefix::I => 'I',
            Prefix::E => 'E',
            Prefix::S => 'S',
        }
    }

    /// The prefix named by a letter, or `None` for any other character.
    #[must_use]
    pub fn from_char(c: char) -> Option<Prefix> {
        match c {
            'B' => Some(Prefix::B),
            'I' => Some(Prefix::I),
            'E' => Some(Prefix::E),
            'S' => Some(Prefix::S),
            _ => None,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Prefix::B => "B",
            Prefix::I => "I",
            Prefix::E => "E",
            Prefix::S => "S",
        }
    }
}

impl fmt::Display for Prefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A validated entity tag: `O` (outside every entity) or `PREFIX-TYPE`, such as `B-PER` or `I-ORG`.
///
/// The prefix is one of `B`, `I`, `E`, `S` and the type is any non-empty text without spaces, tabs or line
/// breaks (not only PER, ORG, LOC and MISC; hyphens are allowed: in `B-GPE-CITY` the type is `GPE-CITY`). A
/// tag is stored as its text, so it dereferences to `&str` through [`Tag::as_str`] and `AsRef<str>`.
///
/// # Example
/// ```
/// use qnet::tagger::{Prefix, Tag};
/// let tag: Tag = "B-PER".parse()?;
/// assert_eq!(tag.prefix(), Some(Prefix::B));
/// assert_eq!(tag.kind(), Some("PER"));
/// assert_eq!(tag.with_prefix(Prefix::I).as_str(), "I-PER");
/// assert!(Tag::outside().is_outside());
/// assert!("B-".parse::<Tag>().is_err());
/// assert!("PER".parse::<Tag>().is_err());
/// # Ok::<(), qnet::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "String", into = "String")
)]
pub struct Tag(String);

impl Tag {
    /// The tag `O`, outside every entity.
    #[must_use]
    pub fn outside() -> Tag {
        Tag("O".to_string())
    }

    /// The tag `prefix-kind`.
    ///
    /// # Errors
    /// [`Error::InvalidTag`] if `kind` is empty or holds a space, tab or line break.
    pub fn new(prefix: Prefix, kind: &str) -> Result<Tag> {
        let text = format!("{}-{}", prefix.as_str(), kind);
        if valid_kind(kind) {
            Ok(Tag(text))
        } else {
            Err(Error::InvalidTag { tag: text })
        }
    }

    /// Parses `O` or `PREFIX-TYPE`.
    ///
    /// # Errors
    /// [`Error::InvalidTag`] for anything else: an unknown prefix, a missing hyphen, an empty type.
    pub fn parse(text: &str) -> Result<Tag> {
        if check(text) {
            Ok(Tag(text.to_string()))
        } else {
            Err(Error::InvalidTag { tag: text.to_string() })
        }
    }

    /// The tag's text, such as `"B-PER"` or `"O"`.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether this is `O`.
    #[must_use]
    pub fn is_outside(&self) -> bool {
        self.0 == "O"
    }

    /// The prefix, or `None` for `O`.
    #[must_use]
    pub fn prefix(&self) -> Option<Prefix> {
        if self.is_outside() {
            None
        } else {
            Prefix::from_char(self.0.as_bytes()[0] as char)
        }
    }

    /// The entity type (the text after the first hyphen), or `None` for `O`.
    #[must_use]
    pub fn kind(&self) -> Option<&str> {
        if self.is_outside() {
            None
        } else {
            Some(&self.0[2..])
        }
    }

    /// The same entity type with another prefix; `O` stays `O`.
    #[must_use]
    pub fn with_prefix(&self, prefix: Prefix) -> Tag {
        match self.kind() {
            Some(kind) => Tag(format!("{}-{}", prefix.as_str(), kind)),
            None => Tag::outside(),
        }
    }

    /// The tag's text, consuming the tag.
    #[must_use]
    pub fn into_string(self) -> String {
        self.0
    }
}

/// Whether `text` is `O` or `PREFIX-TYPE` with a valid prefix and a non-empty type.
pub(crate) fn check(text: &str) -> bool {
    if text == "O" {
        return true;
    }
    let bytes = text.as_bytes();
    bytes.len() >= 3 && matches!(bytes[0], b'B' | b'I' | b'E' | b'S') && bytes[1] == b'-' && valid_kind(&text[2..])
}

fn valid_kind(kind: &str) -> bool {
    !kind.is_empty() && !kind.contains([' ', '\t', '\n', '\r'])
}

impl FromStr for Tag {
    type Err = Error;
    fn from_str(s: &str) -> Result<Tag> {
        Tag::parse(s)
    }
}

impl TryFrom<String> for Tag {
    type Error = Error;
    fn try_from(s: String) -> Result<Tag> {
        if check(&s) {
            Ok(Tag(s))
        } else {
            Err(Error::InvalidTag { tag: s })
        }
    }
}

impl TryFrom<&str> for Tag {
    type Error = Error;
    fn try_from(s: &str) -> Result<Tag> {
        Tag::parse(s)
    }
}

impl From<Tag> for String {
    fn from(tag: Tag) -> String {
        tag.0
    }
}

impl AsRef<str> for Tag {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for Tag {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl PartialEq<str> for Tag {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for Tag {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}
