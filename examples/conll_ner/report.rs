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

/// Entity F1 and token accuracy on one corpus, as fractions.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scores {
    /// conlleval's entity F1.
    pub f1: f64,
    /// conlleval's token accuracy.
    pub accuracy: f64,
}

impl Scores {
    /// The entity F1 and token accuracy of a scored corpus.
    pub fn of(scored: &Scored) -> Scores {
        Scores { f1: scored.evaluation.entities.f1(), accuracy: scored.evaluation.entities.accuracy() }
    }
}

/// One dense path's result in `--compare`.
#[derive(Debug)]
pub struct Comparison {
    /// The dense path.
    pub dense: DensePath,
    /// Its scores on the validation data.
    pub valid: Scores,
    /// Its scores on the test data, when there is some.
    pub test: Option<Scores>,
    /// Wall-clock seconds of training.
    pub train_seconds: f64,
    /// Tokens tagged per second on the validation data.
    pub tokens_per_second: f64,
}

/// Prints the dense paths side by side (valid entity F1 and token accuracy, then the test set's when every row
/// has them, training time and tagging speed), then what the quantum path gains (or loses) over each other
/// path, in F1 and accuracy points and in training time.
pub fn print_comparison(
    out: &mut dyn Write,
    valid_name: &str,
    test_name: Option<&str>,
    rows: &[Comparison],
) -> io::Result<()> {
    let with_test = test_name.is_some() && !rows.is_empty() && rows.iter().all(|r| r.test.is_some());
    match test_name.filter(|_| with_test) {
        Some(test) => writeln!(
            out,
            "\n== dense paths compared on valid ({valid_name}) and test ({test}), same seed and settings"
        )?,
        None => writeln!(out, "\n== dense paths compared on valid ({valid_name}), same seed and settings")?,
    }
    let mut header = format!("{:<10} {:>14} {:>15}", "dense", "valid F1", "valid accuracy");
    if with_test {
        header.push_str(&format!(" {:>10} {:>14}", "test F1", "test accuracy"));
    }
    writeln!(out, "{header} {:>14} {:>17}", "train seconds", "tagging tokens/s")?;
    for r in rows {
        let mut line =
            format!("{:<10} {:>14.2} {:>14.2}%", r.dense.to_string(), 100.0 * r.valid.f1, 100.0 * r.valid.accuracy);
        if let Some(test) = r.test.filter(|_| with_test) {
            line.push_str(&format!(" {:>10.2} {:>13.2}%", 100.0 * test.f1, 100.0 * test.accuracy));
        }
        writeln!(out, "{line} {:>14.1} {:>17.0}", r.train_seconds, r.tokens_per_second)?;
    }
    let Some(quantum) = rows.iter().find(|r| r.dense == DensePath::Quantum) else { return Ok(()) };
    for other in rows.iter().filter(|r| r.dense != DensePath::Quantum) {
        let gain = |q: Scores, o: Scores| (100.0 * (q.f1 - o.f1), 100.0 * (q.accuracy - o.accuracy));
        let (f1, accuracy) = gain(quantum.valid, other.valid);
        let mut line = format!(
            "quantum vs {}: valid entity F1 {f1:+.2} points, token accuracy {accuracy:+.2} points",
            other.dense
        );
        if let (Some(q), Some(o), true) = (quantum.test, other.test, with_test) {
            let (f1, accuracy) = gain(q, o);
            line.push_str(&format!("; test entity F1 {f1:+.2} points, token accuracy {accuracy:+.2} points"));
        }
        let ratio = quantum.train_seconds / other.train_seconds.max(f64::MIN_POSITIVE);
        writeln!(out, "{line}; training time x{ratio:.1}")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(dense: DensePath, valid: (f64, f64), test: Option<(f64, f64)>, seconds: f64) -> Comparison {
        let scores = |(f1, accuracy)| Scores { f1, accuracy };
        Comparison {
            dense,
            valid: scores(valid),
            test: test.map(scores),
            train_seconds: seconds,
            tokens_per_second: 1e3,
        }
    }

    fn print(test_name: Option<&str>, rows: &[Comparison]) -> String {
        let mut out = Vec::new();
        print_comparison(&mut out, "v.txt", test_name, rows).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn test_columns_and_gains_are_printed_when_every_path_has_test_scores() {
        let rows = [
            row(DensePath::Quantum, (0.9, 0.98), Some((0.85, 0.97)), 30.0),
            row(DensePath::Classical, (0.91, 0.99), Some((0.8, 0.95)), 10.0),
        ];
        let text = print(Some("t.txt"), &rows);
        assert!(text.contains("on valid (v.txt) and test (t.txt)"), "{text}");
        let quantum = text.lines().find(|l| l.starts_with("quantum ")).unwrap();
        let fields: Vec<&str> = quantum.split_whitespace().collect();
        assert_eq!(fields[..5], ["quantum", "90.00", "98.00%", "85.00", "97.00%"], "{text}");
        let vs = text.lines().find(|l| l.starts_with("quantum vs classical")).unwrap();
        assert!(vs.contains("valid entity F1 -1.00 points, token accuracy -1.00 points"), "{vs}");
        assert!(vs.contains("test entity F1 +5.00 points, token accuracy +2.00 points"), "{vs}");
        assert!(vs.ends_with("training time x3.0"), "{vs}");
    }

    #[test]
    fn no_test_columns_without_a_test_set_or_when_a_path_lacks_them() {
        let full = [row(DensePath::Quantum, (0.9, 0.98), None, 1.0), row(DensePath::None, (0.8, 0.9), None, 1.0)];
        for (name, rows) in [(None, &full[..]), (Some("t.txt"), &full[..])] {
            let text = print(name, rows);
            assert!(!text.contains("test"), "{text}");
            assert!(text.contains("valid entity F1 +10.00 points, token accuracy +8.00 points"), "{text}");
        }
    }
}
