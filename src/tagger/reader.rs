//! Reading CoNLL column files.

use std::collections::BTreeMap;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::chunk::{chunks, ChunkRules};
use super::scheme::{Scheme, SchemeEvidence};
use super::tag::{check, Prefix, Tag};
use crate::error::{Error, Result};

/// The marker whose line opens a document in CoNLL files (`-DOCSTART- -X- -X- O`).
pub(crate) const DOCSTART: &str = "-DOCSTART-";

/// How a CoNLL file's columns are laid out: token first, tag last, and optionally a part-of-speech and a
/// syntactic-chunk column in between.
///
/// Columns are separated by spaces or tabs (runs of them count as one separator). Every line of a file must
/// have as many columns as its first line. The default, [`ConllFormat::new`], reads the token and the tag only
/// and detects the tagging scheme; [`ConllFormat::conll2003`] also reads CoNLL-2003's POS (column 1) and chunk
/// (column 2) columns. Columns the format does not name are kept in [`Sentence::extra`], in file order, and
/// written back by [`write_conll`](super::write_conll).
///
/// Reading is strict by default: the first line that does not fit is an [`Error::Conll`]. With
/// [`ConllFormat::skip_malformed`] such lines are skipped instead, counted, and the first few reported in
/// [`Corpus::skipped`].
///
/// # Example
/// ```
/// use qnet::tagger::{parse_conll, ConllFormat, Scheme};
/// let text = "-DOCSTART- -X- -X- O\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\n";
/// let corpus = parse_conll(text, "memory", &ConllFormat::conll2003())?;
/// let sentence = &corpus.sentences[0];
/// assert_eq!(sentence.tokens, ["EU", "rejects"]);
/// assert_eq!(sentence.pos.as_deref(), Some(&["NNP".to_string(), "VBZ".to_string()][..]));
/// assert_eq!(corpus.scheme, Scheme::Iob2);
///
/// // Tokens only, for prediction:
/// let plain = parse_conll("Peter\nBlackburn\n", "memory", &ConllFormat::new().labelled(false))?;
/// assert!(plain.sentences[0].tags.is_none());
/// # Ok::<(), qnet::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ConllFormat {
    pos: Option<usize>,
    chunk: Option<usize>,
    unlabelled: bool,
    scheme: Option<Scheme>,
    #[cfg_attr(feature = "serde", serde(default))]
    skip_malformed: bool,
}

impl ConllFormat {
    /// Token in column 0, tag in the last column, no POS or chunk column, scheme detected.
    #[must_use]
    pub fn new() -> ConllFormat {
        ConllFormat::default()
    }

    /// CoNLL-2003's layout: token, POS (column 1), chunk (column 2), tag; scheme detected.
    #[must_use]
    pub fn conll2003() -> ConllFormat {
        ConllFormat::new().pos_column(Some(1)).chunk_column(Some(2))
    }

    /// The 0-based column holding part-of-speech tags (default `None`: not read).
    #[must_use]
    pub fn pos_column(mut self, column: Option<usize>) -> ConllFormat {
        self.pos = column;
        self
    }

    /// The 0-based column holding syntactic chunk tags (default `None`: not read).
    #[must_use]
    pub fn chunk_column(mut self, column: Option<usize>) -> ConllFormat {
        self.chunk = column;
        self
    }

    /// Whether the last column holds entity tags (default `true`); `false` reads unlabelled files, whose
    /// sentences then have no tags.
    #[must_use]
    pub fn labelled(mut self, labelled: bool) -> ConllFormat {
        self.unlabelled = !labelled;
        self
    }

    /// The tagging scheme of the file (default `None`: detected from the whole file with
    /// [`Scheme::detect_all`]). A declared scheme makes any tag outside it an error.
    #[must_use]
    pub fn scheme(mut self, scheme: Option<Scheme>) -> ConllFormat {
        self.scheme = scheme;
        self
    }

    /// Whether lines that do not fit the format are skipped (default `false`: the first one is an error).
    ///
    /// A skipped line is one with another column count than the file's, too few columns for the format, a tag
    /// that is not `O` or `PREFIX-TYPE` (or is outside the declared scheme), or a carriage return inside it.
    /// The file's column count is then the most common one among its lines (the earliest on a tie) rather than
    /// the first line's, so that a malformed first line does not condemn the rest. The skipped lines are
    /// counted in [`Corpus::skipped`], which keeps the first [`SkippedLines::KEPT`] of them with the error a
    /// strict read would have given.
    ///
    /// # Example
    /// ```
    /// use qnet::tagger::{parse_conll, ConllFormat};
    /// let text = "@paul O\nsays\nhi O\n";
    /// let err = parse_conll(text, "dev.txt", &ConllFormat::new()).unwrap_err();
    /// assert_eq!(err.to_string(), "dev.txt:2: expected 2 columns as on line 1, found 1 columns");
    /// let corpus = parse_conll(text, "dev.txt", &ConllFormat::new().skip_malformed(true))?;
    /// assert_eq!(corpus.sentences[0].tokens, ["@paul", "hi"]);
    /// assert_eq!(corpus.skipped.count, 1);
    /// assert_eq!(corpus.skipped.first[0].to_string(), err.to_string());
    /// # Ok::<(), qnet::Error>(())
    /// ```
    #[must_use]
    pub fn skip_malformed(mut self, skip: bool) -> ConllFormat {
        self.skip_malformed = skip;
        self
    }

    /// Whether the last column holds tags.
    #[must_use]
    pub fn is_labelled(&self) -> bool {
        !self.unlabelled
    }

    /// Whether lines that do not fit are skipped ([`ConllFormat::skip_malformed`]).
    #[must_use]
    pub fn skips_malformed(&self) -> bool {
        self.skip_malformed
    }

    /// The columns of a file of `count` columns that are neither the token, the tag, nor a POS or chunk column
    /// of the format, in file order.
    fn extra_columns(&self, count: usize) -> Vec<usize> {
        let end = if self.unlabelled { count } else { count.saturating_sub(1) };
        (1..end).filter(|&c| Some(c) != self.pos && Some(c) != self.chunk).collect()
    }

    /// The smallest column count a line must have for this layout; saturates at `usize::MAX` (which no line
    /// reaches) for a column index near it.
    fn min_columns(&self) -> usize {
        let extra = self.pos.max(self.chunk).map_or(0, |c| c.saturating_add(1));
        let base = if self.unlabelled { 1 } else { 2 };
        base.max(extra.saturating_add(usize::from(!self.unlabelled)))
    }
}

/// One sentence of a CoNLL file. Tags, when present, are in IOB2 whatever the file's scheme.
///
/// # Example
/// ```
/// use qnet::tagger::{parse_conll, ConllFormat};
/// let corpus = parse_conll("Peter B-PER\nBlackburn I-PER\n", "memory", &ConllFormat::new())?;
/// let s = &corpus.sentences[0];
/// assert_eq!(s.len(), 2);
/// assert_eq!(s.tags.as_ref().unwrap()[1].as_str(), "I-PER");
/// assert_eq!((s.document, s.line), (0, 1));
/// # Ok::<(), qnet::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Sentence {
    /// The tokens (first column).
    pub tokens: Vec<String>,
    /// Part-of-speech tags, when the format names their column.
    pub pos: Option<Vec<String>>,
    /// Syntactic chunk tags, when the format names their column.
    pub chunks: Option<Vec<String>>,
    /// Entity tags in IOB2, when the file is labelled.
    pub tags: Option<Vec<Tag>>,
    /// The file's other columns (neither the token, the tag, nor a POS or chunk column the format names), in
    /// file order: `extra[c][i]` is the `c`-th of them on token `i`. Empty when there are none.
    #[cfg_attr(feature = "serde", serde(default))]
    pub extra: Vec<Vec<String>>,
    /// The 0-based index of the document holding the sentence.
    pub document: usize,
    /// The 1-based line number of its first token in the file.
    pub line: usize,
}

impl Sentence {
    /// The number of tokens.
    #[must_use]
    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    /// Whether it has no token.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }
}

/// The sentences of a CoNLL file, with its number of documents and its tagging scheme.
///
/// # Example
/// ```
/// use qnet::tagger::{parse_conll, ConllFormat};
/// let text = "-DOCSTART- O\n\nEU B-ORG\nrejects O\n\n-DOCSTART- O\n\nPeter B-PER\nBlackburn I-PER";
/// let corpus = parse_conll(text, "memory", &ConllFormat::new())?;
/// assert_eq!((corpus.sentences.len(), corpus.documents, corpus.num_tokens()), (2, 2, 4));
/// assert_eq!(corpus.sentences[1].document, 1);
/// assert_eq!(corpus.entity_counts()["PER"], 1);
/// # Ok::<(), qnet::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Corpus {
    /// The sentences, in file order; `-DOCSTART-` lines are not sentences.
    pub sentences: Vec<Sentence>,
    /// The number of documents: the `-DOCSTART-` lines, plus one if sentences come before the first of them.
    pub documents: usize,
    /// Whether the file marked documents with `-DOCSTART-` lines (writers then write them back).
    pub docstart: bool,
    /// The file's tagging scheme (declared or detected); the sentences' tags are in IOB2.
    pub scheme: Scheme,
    /// The number of columns of the file's lines (0 for an empty file).
    pub columns: usize,
    /// The lines skipped as malformed (only with [`ConllFormat::skip_malformed`]; none otherwise).
    #[cfg_attr(feature = "serde", serde(default))]
    pub skipped: SkippedLines,
}

/// The lines a lenient read ([`ConllFormat::skip_malformed`]) skipped: how many, and the first few.
///
/// # Example
/// ```
/// use qnet::tagger::{parse_conll, ConllFormat, SkippedLines};
/// let text = "a O\nb\nc PER\nd O\n";
/// let corpus = parse_conll(text, "f.txt", &ConllFormat::new().skip_malformed(true))?;
/// assert_eq!(corpus.sentences[0].tokens, ["a", "d"]);
/// assert_eq!(corpus.skipped.count, 2);
/// let lines: Vec<usize> = corpus.skipped.first.iter().map(|m| m.line).collect();
/// assert_eq!(lines, [2, 3]);
/// assert!(corpus.skipped.first[1].to_string().starts_with("f.txt:3: expected a tag O or PREFIX-TYPE"));
/// assert!(SkippedLines::KEPT >= 2);
/// # Ok::<(), qnet::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SkippedLines {
    /// The number of lines skipped.
    pub count: usize,
    /// The first [`SkippedLines::KEPT`] of them, in file order.
    pub first: Vec<MalformedLine>,
}

impl SkippedLines {
    /// How many skipped lines [`SkippedLines::first`] keeps.
    pub const KEPT: usize = 5;

    /// Whether no line was skipped.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    fn push(&mut self, error: Error) {
        self.count += 1;
        if self.first.len() < SkippedLines::KEPT {
            if let Error::Conll { path, line, expected, found } = error {
                self.first.push(MalformedLine { path, line, expected, found });
            }
        }
    }
}

/// A line of a CoNLL file that does not fit its format: where it is and what is wrong, as the [`Error::Conll`]
/// that a strict read returns for it (into which it converts, and whose message it prints).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct MalformedLine {
    /// The file (or the name given to text parsed from memory).
    pub path: PathBuf,
    /// The 1-based line number.
    pub line: usize,
    /// What the line should have held.
    pub expected: String,
    /// What it held.
    pub found: String,
}

impl From<MalformedLine> for Error {
    fn from(m: MalformedLine) -> Error {
        Error::Conll { path: m.path, line: m.line, expected: m.expected, found: m.found }
    }
}

/// The message of the [`Error::Conll`] a strict read gives for the line.
impl std::fmt::Display for MalformedLine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: expected {}, found {}", self.path.display(), self.line, self.expected, self.found)
    }
}

impl Corpus {
    /// The number of tokens in all sentences.
    #[must_use]
    pub fn num_tokens(&self) -> usize {
        self.sentences.iter().map(Sentence::len).sum()
    }

    /// The number of entities of each type, counted on the IOB2 tags (empty for unlabelled corpora).
    #[must_use]
    pub fn entity_counts(&self) -> BTreeMap<String, usize> {
        let mut counts = BTreeMap::new();
        for tags in self.sentences.iter().filter_map(|s| s.tags.as_ref()) {
            for chunk in chunks(tags, ChunkRules::Conlleval) {
                *counts.entry(chunk.kind).or_insert(0) += 1;
            }
        }
        counts
    }
}

/// Reads a CoNLL file; see [`parse_conll`] for the format.
///
/// # Errors
/// [`Error::Io`] if the file cannot be read, [`Error::NotUtf8`] if its bytes are not UTF-8, and the errors of
/// [`parse_conll`].
///
/// # Example
/// ```
/// use qnet::tagger::{read_conll_file, ConllFormat};
/// let err = read_conll_file("no/such/file.txt", &ConllFormat::new()).unwrap_err();
/// assert!(matches!(err, qnet::Error::Io { .. }));
/// ```
pub fn read_conll_file<P: AsRef<Path>>(path: P, format: &ConllFormat) -> Result<Corpus> {
    let path = path.as_ref();
    let bytes = std::fs::read(path).map_err(|source| Error::io(path, &source))?;
    let text = decode_utf8(&bytes, path)?;
    parse_conll_at(text, path, format)
}

/// Checks that `bytes` are UTF-8 and returns them as text; [`Error::NotUtf8`] names `source` and the 1-based
/// line of the first invalid byte.
pub(crate) fn decode_utf8<P: AsRef<Path>>(bytes: &[u8], source: P) -> Result<&str> {
    std::str::from_utf8(bytes).map_err(|e| Error::NotUtf8 {
        path: source.as_ref().to_path_buf(),
        line: 1 + bytes[..e.valid_up_to()].iter().filter(|&&b| b == b'\n').count(),
    })
}

/// Parses CoNLL text; `source` names it in error messages.
///
/// * Columns are separated by spaces or tabs; the token is first and, in labelled files, the tag last.
/// * Blank lines separate sentences; several in a row are one separator. A line is blank when it holds only
///   whitespace and the invisible format characters U+FEFF (a byte order mark), U+200B, U+200C, U+200D and
///   U+2060, as lines of real corpora sometimes do.
/// * A byte order mark at the start of the text is skipped.
/// * A line whose first column is `-DOCSTART-` opens a document and is not a token.
/// * CRLF line ends and a missing final newline are accepted; a carriage return elsewhere in a line that is
///   not blank is an error.
/// * Tags must be `O` or `PREFIX-TYPE` (prefix `B`, `I`, `E` or `S`, non-empty type), within the declared
///   scheme if one is declared. They are converted to IOB2.
/// * Columns that are neither the token, the tag, nor a POS or chunk column of the format go to
///   [`Sentence::extra`].
///
/// # Errors
/// [`Error::Conll`] naming the source, the line, what was expected and what was found, for a line whose column
/// count differs from the first line's, a first line with too few columns for the format, a tag that is not
/// `O` or `PREFIX-TYPE`, an empty type, a tag outside the declared scheme, or a carriage return inside a line.
/// With [`ConllFormat::skip_malformed`] such lines are skipped and counted in [`Corpus::skipped`] instead, and
/// the function does not fail.
///
/// # Example
/// ```
/// use qnet::tagger::{parse_conll, ConllFormat};
/// let err = parse_conll("EU NNP B-ORG\nrejects O\n", "in.txt", &ConllFormat::new()).unwrap_err();
/// assert_eq!(err.to_string(), "in.txt:2: expected 3 columns as on line 1, found 2 columns");
/// let err = parse_conll("EU ORG\n", "in.txt", &ConllFormat::new()).unwrap_err();
/// assert!(err.to_string().starts_with("in.txt:1: expected a tag O or PREFIX-TYPE"));
///
/// // A byte order mark, a line of zero-width spaces (a blank line), and a column the format does not name.
/// let corpus = parse_conll("\u{feff}EU NNP B-ORG\n\u{200b}\nrejects VBZ O\n", "in.txt", &ConllFormat::new())?;
/// assert_eq!(corpus.sentences.len(), 2);
/// assert_eq!(corpus.sentences[0].tokens, ["EU"]);
/// assert_eq!(corpus.sentences[1].extra, [["VBZ"]]);
/// # Ok::<(), qnet::Error>(())
/// ```
pub fn parse_conll<P: AsRef<Path>>(text: &str, source: P, format: &ConllFormat) -> Result<Corpus> {
    parse_conll_at(text, source.as_ref(), format)
}

/// The invisible format characters that a blank line may hold besides whitespace: the zero-width no-break
/// space U+FEFF (a byte order mark), the zero-width space, non-joiner and joiner, and the word joiner.
const INVISIBLE: [char; 5] = ['\u{feff}', '\u{200b}', '\u{200c}', '\u{200d}', '\u{2060}'];

/// Whether a line holds nothing but whitespace and [`INVISIBLE`] characters.
pub(crate) fn is_blank(line: &str) -> bool {
    line.chars().all(|c| c.is_whitespace() || INVISIBLE.contains(&c))
}

fn conll_error(path: &Path, line: usize, expected: String, found: String) -> Error {
    Error::Conll { path: path.to_path_buf(), line, expected, found }
}

/// Validates a tag's text against the format's scheme and returns it as a [`Tag`].
fn parse_tag(text: &str, scheme: Option<Scheme>, path: &Path, line: usize) -> Result<Tag> {
    if !check(text) {
        // Bytes, not a `str` slice: the second byte may lie inside a multi-byte character (`aé`).
        let expected = if matches!(text.as_bytes().get(..2), Some(b"B-" | b"I-" | b"E-" | b"S-")) {
            "a non-empty entity type after the prefix"
        } else {
            "a tag O or PREFIX-TYPE with PREFIX one of B, I, E, S"
        };
        return Err(conll_error(path, line, expected.to_string(), format!("{text:?}")));
    }
    let tag = Tag::parse(text)?;
    if let (Some(scheme), Some(prefix)) = (scheme, tag.prefix()) {
        if !scheme.allows(prefix) {
            let allowed: Vec<String> = scheme.prefixes().iter().map(|p| format!("{p}-")).collect();
            return Err(conll_error(
                path,
                line,
                format!("a tag of scheme {scheme} (O or {})", allowed.join(", ")),
                format!("{text:?}"),
            ));
        }
    }
    Ok(tag)
}

fn parse_conll_at(text: &str, path: &Path, format: &ConllFormat) -> Result<Corpus> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = Reader {
        format,
        path,
        corpus: Corpus::default(),
        layout: if format.skip_malformed { Columns::most_common(text, format) } else { Columns::default() },
        extra_columns: None,
        current: Sentence::default(),
        current_doc: None,
        interned: HashMap::new(),
    };
    let mut fields: Vec<&str> = Vec::with_capacity(8);
    for (index, raw) in text.split('\n').enumerate() {
        match reader.line(raw, index + 1, &mut fields) {
            Ok(()) => {}
            Err(e) if format.skip_malformed => reader.corpus.skipped.push(e),
            Err(e) => return Err(e),
        }
    }
    let Reader { mut corpus, mut current, mut current_doc, layout, .. } = reader;
    finish_sentence(&mut current, &mut corpus, &mut current_doc);
    corpus.columns = layout.count;
    if format.is_labelled() {
        settle_scheme(&mut corpus, format.scheme);
    }
    Ok(corpus)
}

/// The state of a read: the corpus so far and the sentence being read.
struct Reader<'t, 'f> {
    format: &'f ConllFormat,
    path: &'f Path,
    corpus: Corpus,
    layout: Columns,
    /// The columns that go to [`Sentence::extra`], in file order (set once the column count is known).
    extra_columns: Option<Vec<usize>>,
    current: Sentence,
    current_doc: Option<usize>,
    interned: HashMap<&'t str, Tag>,
}

impl<'t> Reader<'t, '_> {
    /// Reads one line (without its line feed). A line that does not fit is an error and changes nothing.
    fn line(&mut self, raw: &'t str, line_no: usize, fields: &mut Vec<&'t str>) -> Result<()> {
        let (format, path) = (self.format, self.path);
        split_fields(raw, path, line_no, fields)?;
        if fields.is_empty() {
            finish_sentence(&mut self.current, &mut self.corpus, &mut self.current_doc);
            return Ok(());
        }
        self.layout.check(fields.len(), format, path, line_no)?;
        if fields[0] == DOCSTART {
            finish_sentence(&mut self.current, &mut self.corpus, &mut self.current_doc);
            self.corpus.docstart = true;
            self.current_doc = Some(self.corpus.documents);
            self.corpus.documents += 1;
            return Ok(());
        }
        // The tag first: nothing is added for a line whose tag is refused.
        let tag = match format.is_labelled() {
            true => {
                let text = fields[self.layout.count - 1];
                Some(match self.interned.get(text) {
                    Some(tag) => tag.clone(),
                    None => {
                        let tag = parse_tag(text, format.scheme, path, line_no)?;
                        self.interned.insert(text, tag.clone());
                        tag
                    }
                })
            }
            false => None,
        };
        let count = self.layout.count;
        let extra_columns = self.extra_columns.get_or_insert_with(|| format.extra_columns(count));
        let current = &mut self.current;
        if current.tokens.is_empty() {
            start_sentence(current, line_no, format, extra_columns.len());
        }
        current.tokens.push(fields[0].to_string());
        if let (Some(c), Some(pos)) = (format.pos, current.pos.as_mut()) {
            pos.push(fields[c].to_string());
        }
        if let (Some(c), Some(chunk)) = (format.chunk, current.chunks.as_mut()) {
            chunk.push(fields[c].to_string());
        }
        for (column, &c) in current.extra.iter_mut().zip(extra_columns.iter()) {
            column.push(fields[c].to_string());
        }
        if let (Some(tags), Some(tag)) = (current.tags.as_mut(), tag) {
            tags.push(tag);
        }
        Ok(())
    }
}

/// Splits a line (without its line feed; a carriage return before it is dropped) into its non-empty fields;
/// a blank line (see [`is_blank`]) has none.
fn split_fields<'a>(raw: &'a str, path: &Path, line_no: usize, fields: &mut Vec<&'a str>) -> Result<()> {
    let line = raw.strip_suffix('\r').unwrap_or(raw);
    fields.clear();
    if is_blank(line) {
        return Ok(());
    }
    if let Some(field) = line.split([' ', '\t']).find(|f| f.contains('\r')) {
        // A carriage return anywhere but before the line feed: no writer could write the field back.
        return Err(conll_error(
            path,
            line_no,
            "fields without a carriage return (one is allowed only before the line feed)".to_string(),
            format!("{field:?}"),
        ));
    }
    fields.extend(line.split([' ', '\t']).filter(|f| !f.is_empty()));
    Ok(())
}

/// The column count of a file: set by its first non-blank line in a strict read, by its most common count in
/// a lenient one.
#[derive(Debug, Default)]
struct Columns {
    /// The count (0 before the first non-blank line).
    count: usize,
    /// The 1-based number of the first line that has it.
    first_line: usize,
}

impl Columns {
    /// The most common column count among the non-blank lines with enough columns for the format (the one seen
    /// first on a tie); count 0 when there is none.
    fn most_common(text: &str, format: &ConllFormat) -> Columns {
        let min = format.min_columns();
        // count -> (lines, first line)
        let mut seen: HashMap<usize, (usize, usize)> = HashMap::new();
        for (index, raw) in text.split('\n').enumerate() {
            let line = raw.strip_suffix('\r').unwrap_or(raw);
            if is_blank(line) {
                continue;
            }
            let n = line.split([' ', '\t']).filter(|f| !f.is_empty()).count();
            if n >= min {
                seen.entry(n).or_insert((0, index + 1)).0 += 1;
            }
        }
        seen.into_iter()
            .max_by(|(_, (a, a_line)), (_, (b, b_line))| a.cmp(b).then(b_line.cmp(a_line)))
            .map_or(Columns::default(), |(count, (_, first_line))| Columns { count, first_line })
    }

    /// Checks a non-blank line's column count: enough for the format on the first line, the first line's count
    /// on every other.
    fn check(&mut self, found: usize, format: &ConllFormat, path: &Path, line_no: usize) -> Result<()> {
        if self.count == 0 {
            let min = format.min_columns();
            if found < min {
                let expected = format!("at least {min} columns for this format");
                return Err(conll_error(path, line_no, expected, format!("{found} columns")));
            }
            self.count = found;
            self.first_line = line_no;
        } else if found != self.count {
            let expected = format!("{} columns as on line {}", self.count, self.first_line);
            return Err(conll_error(path, line_no, expected, format!("{found} columns")));
        }
        Ok(())
    }
}

/// Moves a non-empty sentence into the corpus, in the current document (opening one if none is open).
fn finish_sentence(sentence: &mut Sentence, corpus: &mut Corpus, doc: &mut Option<usize>) {
    if !sentence.tokens.is_empty() {
        let document = *doc.get_or_insert_with(|| {
            corpus.documents += 1;
            corpus.documents - 1
        });
        sentence.document = document;
        corpus.sentences.push(std::mem::take(sentence));
    }
}

/// Makes an empty sentence start at `line_no`, with the columns the format reads and `extra` other columns.
fn start_sentence(sentence: &mut Sentence, line_no: usize, format: &ConllFormat, extra: usize) {
    sentence.line = line_no;
    sentence.extra = vec![Vec::new(); extra];
    if format.pos.is_some() {
        sentence.pos = Some(Vec::new());
    }
    if format.chunk.is_some() {
        sentence.chunks = Some(Vec::new());
    }
    if format.is_labelled() {
        sentence.tags = Some(Vec::new());
    }
}

/// Sets a labelled corpus's scheme (the declared one, or the one detected from all its tags) and converts its
/// tags to IOB2; IOB2 tags are repaired where an `I-X` does not continue an X, the way conlleval reads them.
fn settle_scheme(corpus: &mut Corpus, declared: Option<Scheme>) {
    corpus.scheme = match declared {
        Some(scheme) => scheme,
        None => {
            let mut evidence = SchemeEvidence::default();
            for tags in corpus.sentences.iter().filter_map(|s| s.tags.as_deref()) {
                evidence.add(tags);
            }
            evidence.scheme()
        }
    };
    let scheme = corpus.scheme;
    for tags in corpus.sentences.iter_mut().filter_map(|s| s.tags.as_mut()) {
        if scheme != Scheme::Iob2 || needs_repair(tags) {
            *tags = scheme.to_iob2(tags);
        }
    }
}

/// Whether some `I-X` tag does not continue an entity of type X.
fn needs_repair(tags: &[Tag]) -> bool {
    let mut prev = None;
    for tag in tags {
        if tag.prefix() == Some(Prefix::I) && prev != tag.kind() {
            return true;
        }
        prev = tag.kind();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::decode_utf8;
    use crate::error::Error;

    #[test]
    fn decode_utf8_names_the_line_of_the_first_invalid_byte() {
        assert_eq!(decode_utf8(b"a O\n", "x").unwrap(), "a O\n");
        let err = decode_utf8(b"a O\n\xff O\n", "x").unwrap_err();
        assert!(matches!(err, Error::NotUtf8 { line: 2, .. }));
    }
}
