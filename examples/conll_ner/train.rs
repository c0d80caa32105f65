//! Training with a progress bar over each epoch's sentences, and the epoch lines under it.

use std::fmt::Display;
use std::io::{self, Write};
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use qnet::tagger::{Corpus, Tagger, TaggerConfig, TrainEvent};

use crate::Fallible;

/// Where the epoch lines go: stdout, or stderr when stdout carries predictions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Log {
    /// Standard output.
    Stdout,
    /// Standard error.
    Stderr,
}

impl Log {
    /// Writes one line.
    pub fn line(self, text: impl Display) -> io::Result<()> {
        match self {
            Log::Stdout => writeln!(io::stdout().lock(), "{text}"),
            Log::Stderr => writeln!(io::stderr().lock(), "{text}"),
        }
    }
}

/// A trained tagger and the wall-clock seconds its training took (validation included).
#[derive(Debug)]
pub struct Trained {
    /// The model.
    pub tagger: Tagger,
    /// Wall-clock seconds of `fit_with_progress`.
    pub seconds: f64,
}

/// Trains with `config`, drawing a progress bar over the sentences of each epoch on stderr (hidden when stderr
/// is not a terminal) and writing each epoch's report to `log`, prefixed by `label` when it is not empty.
pub fn train(
    config: &TaggerConfig,
    train: &Corpus,
    valid: Option<&Corpus>,
    label: &str,
    log: Log,
) -> Fallible<Trained> {
    let style = ProgressStyle::with_template(
        "{prefix} [{elapsed_precise}] {wide_bar} {human_pos}/{human_len} sentences, eta {eta} {msg}",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar());
    let prefix = if label.is_empty() { String::new() } else { format!("{label}: ") };
    let mut bar: Option<(usize, ProgressBar)> = None;
    let mut log_error: Option<io::Error> = None;
    let start = Instant::now();
    let fitted = config.fit_with_progress(train, valid, |event| match event {
        TrainEvent::Batch { epoch, sentences_done, sentences_total } => {
            if bar.as_ref().is_some_and(|(e, _)| *e != epoch) {
                if let Some((_, old)) = bar.take() {
                    old.finish_and_clear();
                }
            }
            let (_, current) = bar.get_or_insert_with(|| {
                let b = ProgressBar::new(sentences_total as u64)
                    .with_style(style.clone())
                    .with_prefix(format!("{prefix}epoch {epoch}"));
                (epoch, b)
            });
            current.set_position(sentences_done as u64);
            if sentences_done == sentences_total && valid.is_some() {
                current.set_message("validating");
            }
        }
        TrainEvent::Epoch(report) => {
            if let Some((_, done)) = bar.take() {
                done.finish_and_clear();
            }
            if let Err(e) = log.line(format_args!("{prefix}{report}")) {
                log_error.get_or_insert(e);
            }
        }
    });
    if let Some((_, left)) = bar.take() {
        left.finish_and_clear();
    }
    let seconds = start.elapsed().as_secs_f64();
    let tagger = fitted?;
    if let Some(e) = log_error {
        return Err(e.into());
    }
    Ok(Trained { tagger, seconds })
}
