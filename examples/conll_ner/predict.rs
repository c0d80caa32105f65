//! `--predict FILE`: tag a CoNLL file or plain text.

use std::io::{self, Write};
use std::path::Path;

use qnet::tagger::{parse_conll, write_conlleval_to, ConllFormat, Corpus, Tagger};

use crate::cli::read_text;
use crate::Fallible;

/// A file to tag. It is read before any training, so that a missing or unreadable file fails at once.
#[derive(Debug)]
pub enum Input {
    /// A CoNLL file with gold tags.
    Labelled(Corpus),
    /// A CoNLL file of tokens alone, one per line.
    Tokens(Corpus),
    /// Anything else: plain text.
    Text(String),
}

impl Input {
    /// Reads `path` as CoNLL-2003's 4 columns, then as token and tag, then as one token per line, and
    /// otherwise as plain text.
    pub fn read(path: &Path) -> Fallible<Input> {
        let text = read_text(path)?;
        let labelled = [ConllFormat::conll2003(), ConllFormat::new()];
        if let Some(corpus) = labelled.iter().find_map(|format| parse_conll(&text, path, format).ok()) {
            return Ok(Input::Labelled(corpus));
        }
        // Tokens alone must be one column: lines of several words are plain text.
        match parse_conll(&text, path, &ConllFormat::new().labelled(false)) {
            Ok(corpus) if corpus.columns <= 1 => Ok(Input::Tokens(corpus)),
            _ => Ok(Input::Text(text)),
        }
    }

    /// Tags the input and writes the result to stdout: conlleval's input form for a labelled CoNLL file
    /// (`token gold predicted`, tags in the file's scheme), `token predicted` lines for tokens alone, and one
    /// entity per line of plain text as `start\tend\tTYPE\ttext` (character offsets, end exclusive).
    pub fn tag(&self, tagger: &Tagger) -> Fallible<()> {
        let stdout = io::stdout();
        let mut out = io::BufWriter::new(stdout.lock());
        match self {
            Input::Labelled(corpus) => {
                let predicted = tagger.predict_corpus(corpus)?;
                write_conlleval_to(&mut out, "<stdout>", &corpus.sentences, &predicted, corpus.scheme)?;
            }
            Input::Tokens(corpus) => {
                let predicted = tagger.predict_corpus(corpus)?;
                for (sentence, tags) in corpus.sentences.iter().zip(&predicted) {
                    for (token, tag) in sentence.tokens.iter().zip(tags) {
                        writeln!(out, "{token} {tag}")?;
                    }
                    writeln!(out)?;
                }
            }
            Input::Text(text) => {
                for span in tagger.entities(text)? {
                    writeln!(out, "{span}")?;
                }
            }
        }
        out.flush()?;
        Ok(())
    }
}
