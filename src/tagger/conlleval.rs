//! Reading conlleval's input form: `token … gold predicted` per line.

use std::path::Path;

use super::chunk::ChunkRules;
use super::entity::{EntityReport, EntityScorer};
use super::reader::decode_utf8;
use super::report::ClassificationReport;
use crate::error::{Error, Result};

/// conlleval's sentence-boundary marker: a line whose first field is `-X-` is a boundary, like a blank line.
const BOUNDARY: &str = "-X-";

/// The options of the conlleval script that change how its input is read.
///
/// # Example
/// ```
/// use qnet::tagger::{parse_conlleval, ConllevalOptions};
/// // -r: raw tags without prefixes, each one a one-token entity; -o: the outside tag.
/// let options = ConllevalOptions::new().raw(true).outside("NONE");
/// let file = parse_conlleval("a PER PER\nb NONE LOC\n", "memory", &options)?;
/// assert_eq!(file.gold[0], ["B-PER", "O"]);
/// assert_eq!(file.predicted[0], ["B-PER", "B-LOC"]);
/// # Ok::<(), qnet::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(from = "OptionsData", into = "OptionsData")
)]
pub struct ConllevalOptions {
    raw: bool,
    outside: String,
    delimiter: String,
}

/// What the options are serialized as; read back through the setters, so that an empty delimiter becomes a
/// space as [`ConllevalOptions::delimiter`] makes it.
#[cfg(feature = "serde")]
#[derive(serde::Serialize, serde::Deserialize)]
struct OptionsData {
    raw: bool,
    outside: String,
    delimiter: String,
}

#[cfg(feature = "serde")]
impl From<OptionsData> for ConllevalOptions {
    fn from(d: OptionsData) -> ConllevalOptions {
        ConllevalOptions::new().raw(d.raw).outside(&d.outside).delimiter(&d.delimiter)
    }
}

#[cfg(feature = "serde")]
impl From<ConllevalOptions> for OptionsData {
    fn from(o: ConllevalOptions) -> OptionsData {
        OptionsData { raw: o.raw, outside: o.outside, delimiter: o.delimiter }
    }
}

impl Default for ConllevalOptions {
    fn default() -> ConllevalOptions {
        ConllevalOptions { raw: false, outside: "O".to_string(), delimiter: " ".to_string() }
    }
}

impl ConllevalOptions {
    /// conlleval's defaults: prefixed tags, outside tag `O`, fields separated by single spaces.
    #[must_use]
    pub fn new() -> ConllevalOptions {
        ConllevalOptions::default()
    }

    /// conlleval's `-r` (default `false`): tags carry no prefix and each non-outside tag is a one-token
    /// entity (it is read as `B-` followed by the tag).
    #[must_use]
    pub fn raw(mut self, raw: bool) -> ConllevalOptions {
        self.raw = raw;
        self
    }

    /// conlleval's `-o` (default `"O"`): the outside tag in raw mode.
    #[must_use]
    pub fn outside(mut self, tag: &str) -> ConllevalOptions {
        self.outside = tag.to_string();
        self
    }

    /// conlleval's `-d` (default `" "`): the field delimiter, taken literally (an empty delimiter counts as
    /// a space).
    #[must_use]
    pub fn delimiter(mut self, delimiter: &str) -> ConllevalOptions {
        self.delimiter = if delimiter.is_empty() { " ".to_string() } else { delimiter.to_string() };
        self
    }
}

/// A file in conlleval's input form, split into sentences at blank lines and `-X-` lines.
///
/// Each line holds fields separated by single spaces (or the chosen delimiter); the last two are the gold and
/// the predicted tag and the first is the token. As in conlleval, `-DOCSTART-` lines are ordinary tokens (they
/// count in the token total), a line whose first field is `-X-` is a boundary, trailing delimiters are
/// ignored, and tags are taken as written (they need not be `O` or `PREFIX-TYPE`). Unlike conlleval, a CR
/// before the line feed is dropped.
///
/// # Example
/// ```
/// use qnet::tagger::{parse_conlleval, ChunkRules, ConllevalOptions};
/// let text = "Peter NNP B-PER B-PER\nBlackburn NNP I-PER O\n\nParis NNP B-LOC B-LOC\n";
/// let file = parse_conlleval(text, "memory", &ConllevalOptions::new())?;
/// assert_eq!(file.tokens, [vec!["Peter", "Blackburn"], vec!["Paris"]]);
/// let report = file.entity_report(ChunkRules::Conlleval);
/// assert_eq!((report.gold(), report.predicted(), report.correct()), (2, 2, 1));
/// # Ok::<(), qnet::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Predictions {
    /// The tokens (first field), per sentence.
    pub tokens: Vec<Vec<String>>,
    /// The gold tags (second-last field), per sentence.
    pub gold: Vec<Vec<String>>,
    /// The predicted tags (last field), per sentence.
    pub predicted: Vec<Vec<String>>,
}

impl Predictions {
    /// The number of tokens.
    #[must_use]
    pub fn num_tokens(&self) -> usize {
        self.tokens.iter().map(Vec::len).sum()
    }

    /// The entity-level report, counted as conlleval counts it under `rules`.
    #[must_use]
    pub fn entity_report(&self, rules: ChunkRules) -> EntityReport {
        let mut scorer = EntityScorer::new(rules);
        for (gold, pred) in self.gold.iter().zip(&self.predicted) {
            for (g, p) in gold.iter().zip(pred) {
                scorer.push(g, p);
            }
            scorer.push_boundary();
        }
        scorer.report()
    }

    /// The token-level report over every token (see [`ClassificationReport::from_tokens`]).
    #[must_use]
    pub fn token_report(&self, labels: Option<&[&str]>) -> ClassificationReport {
        let gold = self.gold.iter().flatten();
        let pred = self.predicted.iter().flatten();
        ClassificationReport::from_tokens(gold.zip(pred), labels)
    }
}

/// Reads a file in conlleval's input form (see [`parse_conlleval`]).
///
/// # Errors
/// [`Error::Io`] if it cannot be read, [`Error::NotUtf8`] if it is not UTF-8, and the errors of
/// [`parse_conlleval`].
///
/// # Example
/// ```
/// use qnet::tagger::{read_conlleval, ConllevalOptions};
/// assert!(read_conlleval("no/such/predictions.txt", &ConllevalOptions::new()).is_err());
/// ```
pub fn read_conlleval<P: AsRef<Path>>(path: P, options: &ConllevalOptions) -> Result<Predictions> {
    let path = path.as_ref();
    let bytes = std::fs::read(path).map_err(|source| Error::io(path, &source))?;
    parse_conlleval(decode_utf8(&bytes, path)?, path, options)
}

/// Parses text in conlleval's input form; `source` names it in error messages.
///
/// # Errors
/// [`Error::Conll`] for a line whose field count differs from the first non-blank line's, or a line with
/// fewer than two fields (conlleval stops on both).
///
/// # Example
/// ```
/// use qnet::tagger::{parse_conlleval, ConllevalOptions};
/// let err = parse_conlleval("a O O\nb O\n", "pred.txt", &ConllevalOptions::new()).unwrap_err();
/// assert_eq!(err.to_string(), "pred.txt:2: expected 3 fields as on line 1, found 2 fields");
/// ```
pub fn parse_conlleval<P: AsRef<Path>>(text: &str, source: P, options: &ConllevalOptions) -> Result<Predictions> {
    let path = source.as_ref();
    let error =
        |line: usize, expected: String, found: String| Error::Conll { path: path.to_path_buf(), line, expected, found };
    let mut out = Predictions::default();
    let (mut tokens, mut gold, mut pred) = (Vec::new(), Vec::new(), Vec::new());
    let mut fields: Vec<&str> = Vec::with_capacity(8);
    let mut expected: Option<(usize, usize)> = None;
    let mut lines = text.split('\n').enumerate().peekable();
    while let Some((index, raw)) = lines.next() {
        // The piece after a final newline is not a line.
        if raw.is_empty() && lines.peek().is_none() {
            break;
        }
        let line_no = index + 1;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        fields.clear();
        fields.extend(line.split(options.delimiter.as_str()));
        // perl's split drops trailing empty fields.
        while fields.last() == Some(&"") {
            fields.pop();
        }
        match expected {
            None if !fields.is_empty() => expected = Some((fields.len(), line_no)),
            Some((n, first)) if !fields.is_empty() && fields.len() != n => {
                return Err(error(
                    line_no,
                    format!("{n} fields as on line {first}"),
                    format!("{} fields", fields.len()),
                ));
            }
            _ => {}
        }
        if fields.is_empty() || fields[0] == BOUNDARY {
            if !tokens.is_empty() {
                out.tokens.push(std::mem::take(&mut tokens));
                out.gold.push(std::mem::take(&mut gold));
                out.predicted.push(std::mem::take(&mut pred));
            }
            continue;
        }
        if fields.len() < 2 {
            return Err(error(
                line_no,
                "at least 2 fields (gold and predicted tags)".to_string(),
                format!("{} field", fields.len()),
            ));
        }
        let n = fields.len();
        let (g, p) = if options.raw {
            (raw_tag(fields[n - 2], options), raw_tag(fields[n - 1], options))
        } else {
            (fields[n - 2].to_string(), fields[n - 1].to_string())
        };
        tokens.push(fields[0].to_string());
        gold.push(g);
        pred.push(p);
    }
    if !tokens.is_empty() {
        out.tokens.push(tokens);
        out.gold.push(gold);
        out.predicted.push(pred);
    }
    Ok(out)
}

fn raw_tag(tag: &str, options: &ConllevalOptions) -> String {
    if tag == options.outside || tag == "O" {
        "O".to_string()
    } else {
        format!("B-{tag}")
    }
}
