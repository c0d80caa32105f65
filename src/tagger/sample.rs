//! A small CoNLL-2003-style corpus embedded in the crate: invented newswire (people, organisations, places and
//! events that do not exist), written for qnet by `tools/make_sample.py`, in four columns (token, POS, chunk,
//! IOB2 tag) with `-DOCSTART-` documents. It contains no CoNLL-2003 text.
//!
//! It lets the `conll_ner` example, the docs and the tests train and score a tagger in seconds.
//!
//! # Example
//! ```
//! use qnet::tagger::sample;
//! let train = sample::train();
//! assert!(train.sentences.len() > 300);
//! assert_eq!(train.entity_counts().keys().collect::<Vec<_>>(), ["LOC", "MISC", "ORG", "PER"]);
//! assert!(sample::valid().documents > 5);
//! ```

use super::reader::{parse_conll, ConllFormat, Corpus};

/// The training file's text.
pub const TRAIN_TEXT: &str = include_str!("sample/train.txt");
/// The validation file's text.
pub const VALID_TEXT: &str = include_str!("sample/valid.txt");

fn parse(text: &str, name: &str) -> Corpus {
    // The embedded files are checked by the tests; a failure here is a build defect, never user input.
    parse_conll(text, name, &ConllFormat::conll2003()).unwrap_or_default()
}

/// The embedded training corpus.
#[must_use]
pub fn train() -> Corpus {
    parse(TRAIN_TEXT, "sample/train.txt")
}

/// The embedded validation corpus (about a third of its entity mentions are names the training part never
/// shows).
#[must_use]
pub fn valid() -> Corpus {
    parse(VALID_TEXT, "sample/valid.txt")
}
