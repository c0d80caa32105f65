//! Writing CoNLL files and conlleval input, atomically.

use std::fs::{self, File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use super::reader::{is_blank, Corpus, Sentence, DOCSTART};
use super::scheme::Scheme;
use super::tag::Tag;
use crate::error::{Error, Result};

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::io(path, &source)
}

/// Checks that a field can be written as one column.
fn field(text: &str) -> Result<&str> {
    let reason = if text.is_empty() {
        "it is empty"
    } else if text.contains([' ', '\t']) {
        "it holds a space or a tab"
    } else if text.contains(['\n', '\r']) {
        "it holds a line break"
    } else {
        return Ok(text);
    };
    Err(Error::InvalidField { field: text.to_string(), reason })
}

fn check_len(what: &'static str, expected: usize, found: usize) -> Result<()> {
    if expected == found {
        Ok(())
    } else {
        Err(Error::DimensionMismatch { what, expected, found })
    }
}

/// Writes a file atomically: the content goes to a new temporary file in the same directory, which is
/// flushed, synced to disk and renamed over `path`. On any error the temporary file is removed and `path` is
/// left as it was.
pub(crate) fn write_atomic<F>(path: &Path, write: F) -> Result<()>
where
    F: FnOnce(&mut BufWriter<File>) -> Result<()>,
{
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let name = path.file_name().ok_or_else(|| {
        Error::io(path, &std::io::Error::new(std::io::ErrorKind::InvalidInput, "the path names no file"))
    })?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(name);
    tmp_name.push(format!(".{}.{}.tmp", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed)));
    let tmp = dir.join(tmp_name);
    let file = OpenOptions::new().write(true).create_new(true).open(&tmp).map_err(io_error(&tmp))?;
    let result = (|| {
        let mut out = BufWriter::new(file);
        write(&mut out)?;
        out.flush().map_err(io_error(&tmp))?;
        let file = out.into_inner().map_err(|e| Error::io(&tmp, e.error()))?;
        file.sync_all().map_err(io_error(&tmp))?;
        drop(file);
        fs::rename(&tmp, path).map_err(io_error(path))
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
        return result;
    }
    // Make the rename itself durable where the platform allows syncing a directory.
    #[cfg(unix)]
    if let Ok(d) = File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Writes sentences as CoNLL columns: token, then POS and chunk columns when every sentence has them, then the
/// other columns of [`Sentence::extra`] in their order, then the tag in `scheme` when every sentence has tags.
/// Sentences end with a blank line. With `docstart`, a `-DOCSTART-` line (with `-X-` for every column but the
/// token and the tag, and `O` for the tag) opens each document, as in CoNLL-2003.
///
/// When the text would start with U+FEFF (a first token that starts with it), which readers take for a byte
/// order mark and drop, a byte order mark is written first.
///
/// A corpus read with [`ConllFormat::new`](super::ConllFormat::new) or
/// [`ConllFormat::conll2003`](super::ConllFormat::conll2003) from a file whose columns are separated by single
/// spaces, whose sentences are separated by single blank lines and whose tags are already in `scheme` (and in
/// IOB2 form when `scheme` is IOB2) is written back byte for byte.
///
/// # Errors
/// [`Error::InvalidField`] for a field that is empty or holds a space, tab or line break (or an untagged line
/// that would read back as a blank line: only whitespace and invisible format characters),
/// [`Error::DimensionMismatch`] for a column whose length differs from the tokens' or for sentences with
/// different numbers of extra columns (one file cannot hold both), [`Error::Io`] if writing fails (named
/// `source`).
///
/// # Example
/// ```
/// use qnet::tagger::{parse_conll, write_conll_to, ConllFormat, Scheme};
/// let text = "-DOCSTART- -X- O\n\nPeter NNP B-PER\nBlackburn NNP I-PER\n\n";
/// let corpus = parse_conll(text, "memory", &ConllFormat::new())?;
/// assert_eq!(corpus.sentences[0].extra, [["NNP", "NNP"]]); // kept, though the format names no POS column
/// let mut out = Vec::new();
/// write_conll_to(&mut out, "memory", &corpus.sentences, Scheme::Iob2, true)?;
/// assert_eq!(String::from_utf8(out).unwrap(), text);
/// # Ok::<(), qnet::Error>(())
/// ```
pub fn write_conll_to<W: Write, P: AsRef<Path>>(
    writer: W,
    source: P,
    sentences: &[Sentence],
    scheme: Scheme,
    docstart: bool,
) -> Result<()> {
    let path = source.as_ref();
    let mut w = writer;
    let with_pos = !sentences.is_empty() && sentences.iter().all(|s| s.pos.is_some());
    let with_chunks = !sentences.is_empty() && sentences.iter().all(|s| s.chunks.is_some());
    let with_tags = !sentences.is_empty() && sentences.iter().all(|s| s.tags.is_some());
    let num_extra = sentences.first().map_or(0, |s| s.extra.len());
    let mut document = None;
    let mut line = String::new();
    // A text starting with U+FEFF loses it to the reader (a byte order mark): a first token that starts with
    // one gets a byte order mark of its own before it.
    let first = sentences.first().and_then(|s| s.tokens.first());
    if !docstart && first.is_some_and(|t| t.starts_with('\u{feff}')) {
        w.write_all("\u{feff}".as_bytes()).map_err(io_error(path))?;
    }
    for sentence in sentences {
        let n = sentence.tokens.len();
        check_len("extra columns of a sentence", num_extra, sentence.extra.len())?;
        if docstart && document != Some(sentence.document) {
            line.clear();
            line.push_str(DOCSTART);
            for _ in 0..(usize::from(with_pos) + usize::from(with_chunks) + num_extra) {
                line.push_str(" -X-");
            }
            if with_tags {
                line.push_str(" O");
            }
            line.push_str("\n\n");
            w.write_all(line.as_bytes()).map_err(io_error(path))?;
            document = Some(sentence.document);
        }
        let pos = sentence.pos.as_deref().filter(|_| with_pos);
        let chunks = sentence.chunks.as_deref().filter(|_| with_chunks);
        let tags: Option<Vec<Tag>> = sentence.tags.as_deref().filter(|_| with_tags).map(|t| scheme.from_iob2(t));
        for (column, len) in [
            ("pos tags of a sentence", pos.map(<[String]>::len)),
            ("chunk tags of a sentence", chunks.map(<[String]>::len)),
            ("entity tags of a sentence", tags.as_ref().map(Vec::len)),
        ] {
            if let Some(len) = len {
                check_len(column, n, len)?;
            }
        }
        for column in &sentence.extra {
            check_len("extra column of a sentence", n, column.len())?;
        }
        for i in 0..n {
            line.clear();
            line.push_str(field(&sentence.tokens[i])?);
            for col in [pos, chunks].into_iter().flatten().chain(sentence.extra.iter().map(Vec::as_slice)) {
                line.push(' ');
                line.push_str(field(&col[i])?);
            }
            if let Some(tags) = &tags {
                line.push(' ');
                line.push_str(tags[i].as_str());
            } else if is_blank(&line) {
                let reason = "the line would hold only invisible characters and read back as a blank line";
                return Err(Error::InvalidField { field: sentence.tokens[i].clone(), reason });
            }
            line.push('\n');
            w.write_all(line.as_bytes()).map_err(io_error(path))?;
        }
        w.write_all(b"\n").map_err(io_error(path))?;
    }
    Ok(())
}

/// Writes a corpus to a CoNLL file atomically (see [`write_conll_to`]), with its tags in `scheme` and
/// `-DOCSTART-` lines if the corpus was read with them.
///
/// The file is first written to a temporary file in the same directory, flushed and synced, then renamed over
/// `path`, so a reader never sees half a file and a failure leaves the old file untouched.
///
/// # Errors
/// The errors of [`write_conll_to`]; [`Error::Io`] if the temporary file cannot be created or renamed.
///
/// # Example
/// ```
/// use qnet::tagger::{parse_conll, read_conll_file, write_conll, ConllFormat, Scheme};
/// let corpus = parse_conll("Peter B-PER\nBlackburn I-PER\n", "memory", &ConllFormat::new())?;
/// let path = std::env::temp_dir().join(format!("qnet-doc-write-conll-{}.txt", std::process::id()));
/// write_conll(&path, &corpus, Scheme::Iobes)?;
/// assert_eq!(std::fs::read_to_string(&path).unwrap(), "Peter B-PER\nBlackburn E-PER\n\n");
/// let back = read_conll_file(&path, &ConllFormat::new())?;
/// assert_eq!(back.sentences, corpus.sentences);
/// # std::fs::remove_file(&path).unwrap();
/// # Ok::<(), qnet::Error>(())
/// ```
pub fn write_conll<P: AsRef<Path>>(path: P, corpus: &Corpus, scheme: Scheme) -> Result<()> {
    let path = path.as_ref();
    write_atomic(path, |w| write_conll_to(w, path, &corpus.sentences, scheme, corpus.docstart))
}

/// Writes predictions in conlleval's input form: `token gold predicted` per line, a blank line after each
/// sentence, both tag columns converted from IOB2 to `scheme`. No `-DOCSTART-` line is written: conlleval
/// would count it as a token.
///
/// # Errors
/// [`Error::DimensionMismatch`] if the lists differ in length, if a sentence has no gold tags (found 0), or if
/// a prediction's length differs from its sentence's; [`Error::InvalidField`] for an unwritable token;
/// [`Error::Io`] if writing fails.
///
/// # Example
/// ```
/// use qnet::tagger::{parse_conll, write_conlleval_to, ConllFormat, Scheme, Tag};
/// let corpus = parse_conll("Peter B-PER\nBlackburn I-PER\n", "memory", &ConllFormat::new())?;
/// let predicted = vec![vec![Tag::parse("B-PER")?, Tag::outside()]];
/// let mut out = Vec::new();
/// write_conlleval_to(&mut out, "memory", &corpus.sentences, &predicted, Scheme::Iob2)?;
/// assert_eq!(String::from_utf8(out).unwrap(), "Peter B-PER B-PER\nBlackburn I-PER O\n\n");
/// # Ok::<(), qnet::Error>(())
/// ```
pub fn write_conlleval_to<W: Write, P: AsRef<Path>>(
    writer: W,
    source: P,
    sentences: &[Sentence],
    predicted: &[Vec<Tag>],
    scheme: Scheme,
) -> Result<()> {
    let path = source.as_ref();
    let mut w = writer;
    check_len("predicted sentences", sentences.len(), predicted.len())?;
    let mut line = String::new();
    for (sentence, pred) in sentences.iter().zip(predicted) {
        let n = sentence.tokens.len();
        let gold = sentence.tags.as_deref().unwrap_or(&[]);
        check_len("gold tags of a sentence", n, gold.len())?;
        check_len("predicted tags of a sentence", n, pred.len())?;
        let gold = scheme.from_iob2(gold);
        let pred = scheme.from_iob2(pred);
        for i in 0..n {
            line.clear();
            line.push_str(field(&sentence.tokens[i])?);
            line.push(' ');
            line.push_str(gold[i].as_str());
            line.push(' ');
            line.push_str(pred[i].as_str());
            line.push('\n');
            w.write_all(line.as_bytes()).map_err(io_error(path))?;
        }
        w.write_all(b"\n").map_err(io_error(path))?;
    }
    Ok(())
}

/// Writes predictions in conlleval's input form to a file, atomically (see [`write_conlleval_to`] and
/// [`write_conll`]).
///
/// # Errors
/// The errors of [`write_conlleval_to`]; [`Error::Io`] if the temporary file cannot be created or renamed.
///
/// # Example
/// ```
/// use qnet::tagger::{parse_conll, read_conlleval, write_conlleval, ConllFormat, ChunkRules, ConllevalOptions, Scheme, Tag};
/// let corpus = parse_conll("Peter B-PER\nsaid O\n", "memory", &ConllFormat::new())?;
/// let predicted = vec![vec![Tag::parse("B-PER")?, Tag::outside()]];
/// let path = std::env::temp_dir().join(format!("qnet-doc-write-conlleval-{}.txt", std::process::id()));
/// write_conlleval(&path, &corpus.sentences, &predicted, Scheme::Iob2)?;
/// let scored = read_conlleval(&path, &ConllevalOptions::new())?;
/// assert_eq!(scored.entity_report(ChunkRules::Conlleval).f1(), 1.0);
/// # std::fs::remove_file(&path).unwrap();
/// # Ok::<(), qnet::Error>(())
/// ```
pub fn write_conlleval<P: AsRef<Path>>(
    path: P,
    sentences: &[Sentence],
    predicted: &[Vec<Tag>],
    scheme: Scheme,
) -> Result<()> {
    let path = path.as_ref();
    write_atomic(path, |w| write_conlleval_to(w, path, sentences, predicted, scheme))
}
