//! Scoring a trained tagger and printing the reports: conlleval's, the token table, the quantum diagnostics
//! and the comparison of dense paths.

use std::io::{self, Write};
use std::time::Instant;

use qnet::tagger::{Corpus, DensePath, Evaluation, LayerWeights, QuantumDiagnostics, Tag, Tagger};

use crate::Fallible;

/// A tagger's predictions on a corpus, their scores, and how fast it tagged.
#[derive(Debug)]
pub struct Scored {
    /// conlleval's entity report and the token-level table.
    pub evaluation: Evaluation,
    /// The predicted IOB2 tags, one list per sentence.
    pub predicted: Vec<Vec<Tag>>,
    /// Tokens tagged per second by `predict_corpus`.
    pub tokens_per_second: f64,
}

/// Tags `corpus`, timing `predict_corpus`, and scores it with `evaluate` (which tags it again: the speed is
/// that of tagging alone, and the scores are the library's own).
pub fn score(tagger: &Tagger, corpus: &Corpus) -> Fallible<Scored> {
    let start = Instant::now();
    let predicted = tagger.predict_corpus(corpus)?;
    let seconds = start.elapsed().as_secs_f64();
    let evaluation = tagger.evaluate(corpus)?;
    let tokens_per_second = corpus.num_tokens() as f64 / seconds.max(f64::MIN_POSITIVE);
    Ok(Scored { evaluation, predicted, tokens_per_second })
}

/// One line describing a corpus: its sentence, token and entity counts.
pub fn describe(corpus: &Corpus) -> String {
    let entities: usize = corpus.entity_counts().values().sum();
    format!("{} sentences, {} tokens, {} entities", corpus.sentences.len(), corpus.num_tokens(), entities)
}

/// Prints conlleval's report and the token-level table (3 digits) of one corpus.
pub fn print_evaluation(out: &mut dyn Write, heading: &str, corpus: &Corpus, scored: &Scored) -> io::Result<()> {
    writeln!(out, "\n== {heading}: {}", describe(corpus))?;
    writeln!(out, "{}", scored.evaluation.entities)?;
    write!(out, "{}", scored.evaluation.tokens)
}

/// The diagnostics of the trained quantum layer and of the same layer at its initial weights.
#[derive(Debug)]
pub struct Diagnostics {
    /// At the trained weights.
    pub trained: QuantumDiagnostics,
    /// At the weights the training started from.
    pub initial: QuantumDiagnostics,
}

impl Diagnostics {
    /// Measures the layer on `corpus`'s tokens at both weights; `None` when the tagger has no quantum layer.
    pub fn measure(tagger: &Tagger, corpus: &Corpus) -> Fallible<Option<Diagnostics>> {
        let trained = tagger.diagnostics(corpus, LayerWeights::Trained)?;
        let initial = tagger.diagnostics(corpus, LayerWeights::Initial)?;
        Ok(trained.zip(initial).map(|(trained, initial)| Diagnostics { trained, initial }))
    }

    /// Prints, per qubit, the mutual information between its Z sign and the gold tag, trained beside
    /// untrained, then the mean half-cut entanglement entropies.
    pub fn print(&self, out: &mut dyn Write, heading: &str) -> io::Result<()> {
        let (trained, initial) = (&self.trained, &self.initial);
        writeln!(out, "\n== quantum diagnostics on {heading}: {} tokens", trained.tokens)?;
        writeln!(out, "mutual information I(Z sign of qubit; gold tag), in bits")?;
        writeln!(out, "{:>6}  {:>9}  {:>9}", "qubit", "trained", "untrained")?;
        for (qubit, (t, u)) in trained.mutual_information.iter().zip(&initial.mutual_information).enumerate() {
            writeln!(out, "{qubit:>6}  {t:>9.4}  {u:>9.4}")?;
        }
        let mean = |v: &[f64]| if v.is_empty() { 0.0 } else { v.iter().sum::<f64>() / v.len() as f64 };
        let (t, u) = (mean(&trained.mutual_information), mean(&initial.mutual_information));
        writeln!(out, "{:>6}  {t:>9.4}  {u:>9.4}", "mean")?;
        writeln!(
            out,
            "mean half-cut entanglement entropy, in bits: trained {:.4}, untrained {:.4}",
            trained.entanglement_entropy, initial.entanglement_entropy
        )
    }
}

/// One dense path's result in `--compare`.
#[derive(Debug)]
pub struct Comparison {
    /// The dense path.
    pub dense: DensePath,
    /// Validation entity F1, as a fraction.
    pub f1: f64,
    /// Validation token accuracy, as a fraction.
    pub accuracy: f64,
    /// Wall-clock seconds of training.
    pub train_seconds: f64,
    /// Tokens tagged per second on the validation data.
    pub tokens_per_second: f64,
}

/// Prints the dense paths side by side, then what the quantum path gains (or loses) over each other path, in
/// F1 and accuracy points and in training time.
pub fn print_comparison(out: &mut dyn Write, heading: &str, rows: &[Comparison]) -> io::Result<()> {
    writeln!(out, "\n== dense paths compared on valid ({heading}), same seed and settings")?;
    let header = ["dense", "entity F1", "token accuracy", "train seconds", "tagging tokens/s"];
    writeln!(out, "{:<10} {:>10} {:>15} {:>14} {:>17}", header[0], header[1], header[2], header[3], header[4])?;
    for r in rows {
        let (f1, accuracy) = (100.0 * r.f1, 100.0 * r.accuracy);
        let (seconds, speed) = (r.train_seconds, r.tokens_per_second);
        let dense = r.dense.to_string();
        writeln!(out, "{dense:<10} {f1:>10.2} {accuracy:>14.2}% {seconds:>14.1} {speed:>17.0}")?;
    }
    let Some(quantum) = rows.iter().find(|r| r.dense == DensePath::Quantum) else { return Ok(()) };
    for other in rows.iter().filter(|r| r.dense != DensePath::Quantum) {
        writeln!(
            out,
            "quantum vs {}: entity F1 {:+.2} points, token accuracy {:+.2} points, training time x{:.1}",
            other.dense,
            100.0 * (quantum.f1 - other.f1),
            100.0 * (quantum.accuracy - other.accuracy),
            quantum.train_seconds / other.train_seconds.max(f64::MIN_POSITIVE)
        )?;
    }
    Ok(())
}
