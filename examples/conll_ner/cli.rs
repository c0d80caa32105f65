//! Command-line options, and the corpora they name.

use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};

use clap::{CommandFactory, FromArgMatches, Parser, ValueEnum};
use qnet::prelude::NoiseModel;
use qnet::tagger::{
    depolarizing_noise, parse_conll, sample, ConllFormat, Corpus, DensePath, SkippedLines, TaggerConfig,
};

use crate::Fallible;

/// Command lines to start from, shown after the options.
const EXAMPLES: &str = "\
Examples:
  conll_ner                                       train and evaluate on the embedded sample
  conll_ner --data \"$QNET_CONLL_DIR\" --plots out  CoNLL-2003, with SVG pictures in out/
  conll_ner --compare                             quantum vs classical vs no dense path
  conll_ner --save model.qnet                     train, then keep the model
  conll_ner --load model.qnet --predict news.txt  tag a CoNLL or plain-text file";

/// Train a CoNLL named-entity tagger whose dense features pass through a simulated quantum layer, score it
/// with conlleval, and measure what the layer learned with mutual information and entanglement entropy.
///
/// With no option it trains on the sample embedded in the crate and evaluates on the sample's validation
/// part. `--data "$QNET_CONLL_DIR"` trains on the full CoNLL-2003 corpus instead.
#[derive(Parser, Debug)]
#[command(name = "conll_ner", version, max_term_width = 110, after_help = EXAMPLES)]
pub struct Args {
    /// Directory holding train.txt and valid.txt, and test.txt (evaluated and reported too) when present.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["train", "valid", "test"], help_heading = "Data")]
    pub data: Option<PathBuf>,

    /// CoNLL file to train on (4 columns `token POS chunk tag` as CoNLL-2003, or `token tag`).
    #[arg(long, value_name = "FILE", help_heading = "Data")]
    pub train: Option<PathBuf>,

    /// CoNLL file for validation: early stopping, the reports, the diagnostics and the plots.
    #[arg(long, value_name = "FILE", help_heading = "Data")]
    pub valid: Option<PathBuf>,

    /// CoNLL file for a final test evaluation.
    #[arg(long, value_name = "FILE", help_heading = "Data")]
    pub test: Option<PathBuf>,

    /// Skip the lines of the data files that do not fit the CoNLL format (a lost column, a malformed tag),
    /// count them and report the first few on stderr, instead of stopping at the first one.
    #[arg(long, help_heading = "Data")]
    pub skip_malformed: bool,

    /// Number of training epochs (fewer when validation F1 stops improving).
    #[arg(long, value_name = "N", help_heading = "Model")]
    pub epochs: Option<usize>,

    /// Sentences per mini-batch [default: the library's].
    #[arg(long, value_name = "N", help_heading = "Model")]
    pub batch_size: Option<usize>,

    /// Qubits of the quantum layer, and units of the classical one (at most 12).
    #[arg(long, value_name = "N", help_heading = "Model")]
    pub qubits: Option<usize>,

    /// Entangling layers of the quantum circuit [default: the library's].
    #[arg(long, value_name = "N", help_heading = "Model")]
    pub layers: Option<usize>,

    /// Adam's learning rate for the sparse features, the transitions and the embeddings [default: the
    /// library's].
    #[arg(long, value_name = "RATE", allow_negative_numbers = true, help_heading = "Model")]
    pub lr: Option<f64>,

    /// Seed of every random choice: the same seed and settings give the same model.
    #[arg(long, value_name = "SEED", help_heading = "Model")]
    pub seed: Option<u64>,

    /// The dense emission path beside the sparse features of the CRF.
    #[arg(long, value_enum, value_name = "PATH", help_heading = "Model")]
    pub dense: Option<Dense>,

    /// Starting weight of the confidence penalty on the per-token tag entropies, annealed to 0 [default: the
    /// library's].
    #[arg(long, value_name = "BETA", allow_negative_numbers = true, help_heading = "Model")]
    pub entropy_beta: Option<f64>,

    /// Epochs without a better validation F1 before training stops; the best epoch is kept [default: the
    /// library's].
    #[arg(long, value_name = "N", help_heading = "Model")]
    pub patience: Option<usize>,

    /// Worker threads of rayon's pool [default: one per core].
    #[arg(long, value_name = "N", help_heading = "Run")]
    pub threads: Option<NonZeroUsize>,

    /// Save the trained model to PATH.
    #[arg(long, value_name = "PATH", conflicts_with = "load", help_heading = "Run")]
    pub save: Option<PathBuf>,

    /// Load a saved model instead of training (evaluates on the validation and test data, or tags --predict).
    #[arg(
        long,
        value_name = "PATH",
        help_heading = "Run",
        conflicts_with_all = [
            "train", "epochs", "batch_size", "qubits", "layers", "lr", "seed", "dense", "entropy_beta", "patience",
        ]
    )]
    pub load: Option<PathBuf>,

    /// Tag FILE and print to stdout: a CoNLL file as conlleval's input (`token gold predicted`, or
    /// `token predicted` when it has no tags), plain text as one entity per line (`start end TYPE text`, tab
    /// separated, character offsets). The reports are then not printed; training progress goes to stderr.
    #[arg(long, value_name = "FILE", help_heading = "Run")]
    pub predict: Option<PathBuf>,

    /// Write SVG pictures to DIR: loss.svg, valid_f1.svg, confusion.svg and mutual_information.svg.
    #[arg(long, value_name = "DIR", help_heading = "Run")]
    pub plots: Option<PathBuf>,

    /// Evaluate the quantum dense path under depolarizing noise of strength P after each gate: one-qubit
    /// depolarizing after every RX, RY and RZ, two-qubit depolarizing after every CNOT, on a density state.
    /// P = 0 is the noiseless path [default: no noise].
    #[arg(long, value_name = "P", conflicts_with = "compare", help_heading = "Noise")]
    pub noise: Option<f64>,

    /// Train under the --noise too (without it, the model trains noiselessly and only evaluation is noisy).
    #[arg(long, requires = "noise", conflicts_with = "load", help_heading = "Noise")]
    pub noise_train: bool,

    /// Train the quantum, classical and no dense path with the same seed and settings, then compare them.
    #[arg(long, conflicts_with_all = ["dense", "load", "save", "predict", "plots"], help_heading = "Run")]
    pub compare: bool,
}

/// The `--dense` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Dense {
    /// A parametrised quantum circuit, simulated on a state vector.
    Quantum,
    /// A classical dense layer of the same width.
    Classical,
    /// No dense layer: the CRF reads the word features directly.
    None,
}

impl From<Dense> for DensePath {
    fn from(dense: Dense) -> DensePath {
        match dense {
            Dense::Quantum => DensePath::Quantum,
            Dense::Classical => DensePath::Classical,
            Dense::None => DensePath::None,
        }
    }
}

impl Args {
    /// Parses the command line; `--help` shows the library's defaults that [`TaggerConfig`] can tell. Exits
    /// with clap's message on a bad option.
    pub fn from_command_line() -> Args {
        let defaults = TaggerConfig::default();
        let shown = [
            ("epochs", defaults.num_epochs().to_string()),
            ("qubits", defaults.num_qubits().to_string()),
            ("seed", defaults.seed_value().to_string()),
            ("dense", defaults.dense_path().to_string()),
        ];
        let mut command = Args::command();
        for (id, value) in shown {
            command = command.mut_arg(id, |arg| {
                let help = arg.get_help().map(ToString::to_string).unwrap_or_default();
                arg.help(format!("{help} [default: {value}]"))
            });
        }
        Args::from_arg_matches(&command.get_matches()).unwrap_or_else(|e| e.exit())
    }

    /// The tagger's settings: the library's defaults, overridden by the options given.
    pub fn config(&self) -> TaggerConfig {
        let mut config = TaggerConfig::default();
        if let Some(n) = self.epochs {
            config = config.epochs(n);
        }
        if let Some(n) = self.batch_size {
            config = config.batch_size(n);
        }
        if let Some(n) = self.qubits {
            config = config.qubits(n);
        }
        if let Some(n) = self.layers {
            config = config.layers(n);
        }
        if let Some(rate) = self.lr {
            config = config.learning_rate(rate);
        }
        if let Some(seed) = self.seed {
            config = config.seed(seed);
        }
        if let Some(dense) = self.dense {
            config = config.dense(dense.into());
        }
        if let Some(beta) = self.entropy_beta {
            config = config.entropy_beta(beta);
        }
        if let Some(n) = self.patience {
            config = config.patience(n);
        }
        if let (true, Some(Ok(noise))) = (self.noise_train, self.noise_model()) {
            config = config.dense_noise(noise);
        }
        config
    }

    /// The noise model of `--noise P` ([`depolarizing_noise`]), if given.
    pub fn noise_model(&self) -> Option<qnet::Result<NoiseModel>> {
        self.noise.map(depolarizing_noise)
    }

    /// Reads the corpora the options name: the embedded sample when none is named; no training corpus when a
    /// model is loaded.
    pub fn data(&self) -> Fallible<Data> {
        let training = self.load.is_none();
        let read = |path: &Path| read_corpus(path, self.skip_malformed);
        if let Some(dir) = &self.data {
            if !dir.is_dir() {
                let dir = dir.display();
                return Err(format!("{dir}: not a directory (--data needs DIR/train.txt and DIR/valid.txt)").into());
            }
            let test = dir.join("test.txt");
            return Ok(Data {
                train: if training { Some(read(&dir.join("train.txt"))?) } else { None },
                valid: Some(Named::read(&dir.join("valid.txt"), self.skip_malformed)?),
                test: if test.exists() { Some(Named::read(&test, self.skip_malformed)?) } else { None },
            });
        }
        if self.train.is_none() && self.valid.is_none() && self.test.is_none() {
            return Ok(Data {
                train: training.then(sample::train),
                valid: Some(Named { name: "embedded sample".to_string(), corpus: sample::valid() }),
                test: None,
            });
        }
        if training && self.train.is_none() {
            return Err("--valid and --test need --train FILE (or --data DIR, or --load PATH)".into());
        }
        let named = |path: &Path| Named::read(path, self.skip_malformed);
        Ok(Data {
            train: self.train.as_deref().map(read).transpose()?,
            valid: self.valid.as_deref().map(named).transpose()?,
            test: self.test.as_deref().map(named).transpose()?,
        })
    }
}

/// The corpora of a run.
#[derive(Debug)]
pub struct Data {
    /// What to train on; `None` when a model is loaded.
    pub train: Option<Corpus>,
    /// The validation corpus, if any.
    pub valid: Option<Named>,
    /// The test corpus, if any.
    pub test: Option<Named>,
}

/// A corpus and the name that the reports give it.
#[derive(Debug)]
pub struct Named {
    /// The file's path, or `embedded sample`.
    pub name: String,
    /// The sentences.
    pub corpus: Corpus,
}

impl Named {
    fn read(path: &Path, skip_malformed: bool) -> Fallible<Named> {
        Ok(Named { name: path.display().to_string(), corpus: read_corpus(path, skip_malformed)? })
    }
}

/// What the message of a malformed line adds in a strict read: how to go on.
pub const SKIP_HINT: &str = "--skip-malformed skips such lines and reports them";

/// Reads a labelled CoNLL file: CoNLL-2003's layout (token, POS, chunk, tag) when most of its lines have 4
/// columns, otherwise token first and tag last (other columns are kept but not read). With `skip_malformed`,
/// lines that do not fit are skipped and reported on stderr; without it the first one is an error whose
/// message names `--skip-malformed`.
pub fn read_corpus(path: &Path, skip_malformed: bool) -> Fallible<Corpus> {
    let text = read_text(path)?;
    let format = if most_common_columns(&text) == Some(4) { ConllFormat::conll2003() } else { ConllFormat::new() };
    match parse_conll(&text, path, &format.skip_malformed(skip_malformed)) {
        Ok(corpus) => {
            if let Some(report) = skipped_report(&path.display().to_string(), &corpus.skipped) {
                eprint!("{report}");
            }
            Ok(corpus)
        }
        Err(e @ qnet::Error::Conll { .. }) => Err(format!("{e} ({SKIP_HINT})").into()),
        Err(e) => Err(e.into()),
    }
}

/// The most common column count among the lines that hold text (lines of only whitespace and invisible
/// format characters are blank, as the reader has them).
fn most_common_columns(text: &str) -> Option<usize> {
    let invisible = ['\u{feff}', '\u{200b}', '\u{200c}', '\u{200d}', '\u{2060}'];
    let mut counts = std::collections::BTreeMap::new();
    for line in text.lines() {
        if !line.chars().all(|c| c.is_whitespace() || invisible.contains(&c)) {
            let n = line.split([' ', '\t']).filter(|f| !f.is_empty()).count();
            *counts.entry(n).or_insert(0usize) += 1;
        }
    }
    counts.into_iter().max_by_key(|&(n, lines)| (lines, std::cmp::Reverse(n))).map(|(n, _)| n)
}

/// The lines a lenient read skipped, for stderr: how many, then the first few by file and line; `None` when
/// none was.
pub fn skipped_report(name: &str, skipped: &SkippedLines) -> Option<String> {
    if skipped.is_empty() {
        return None;
    }
    let count = skipped.count;
    let lines = if count == 1 { "line" } else { "lines" };
    let mut report = format!("warning: {name}: skipped {count} malformed {lines}");
    if count > skipped.first.len() {
        report.push_str(&format!(", the first {}:\n", skipped.first.len()));
    } else {
        report.push_str(":\n");
    }
    for line in &skipped.first {
        report.push_str(&format!("  {line}\n"));
    }
    Some(report)
}

/// Reads a UTF-8 file; errors name the file, and the line of the first byte that is not UTF-8.
pub fn read_text(path: &Path) -> Fallible<String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = 1 + valid.iter().filter(|&&b| b == b'\n').count();
        qnet::Error::NotUtf8 { path: path.to_path_buf(), line }.into()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const WNUT_DEV: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/wnut/dev.txt");

    #[test]
    fn a_malformed_line_stops_a_strict_read_with_a_message_naming_the_flag() {
        let err = read_corpus(Path::new(WNUT_DEV), false).unwrap_err().to_string();
        assert!(err.starts_with(&format!("{WNUT_DEV}:23: expected 2 columns as on line 1, found 1 columns")), "{err}");
        assert!(err.contains("--skip-malformed"), "{err}");
    }

    #[test]
    fn skip_malformed_reads_on_and_reports_the_skipped_lines() {
        let corpus = read_corpus(Path::new(WNUT_DEV), true).unwrap();
        assert_eq!(corpus.skipped.count, 2);
        assert_eq!(corpus.sentences.len(), 5);
        let report = skipped_report("dev.txt", &corpus.skipped).unwrap();
        let lines: Vec<&str> = report.lines().collect();
        assert_eq!(lines[0], "warning: dev.txt: skipped 2 malformed lines:");
        assert!(lines[1].starts_with(&format!("  {WNUT_DEV}:23: expected 2 columns")), "{report}");
        assert!(lines[2].starts_with(&format!("  {WNUT_DEV}:38: ")), "{report}");
        assert_eq!(lines.len(), 3);
        assert_eq!(skipped_report("x", &SkippedLines::default()), None);
    }

    #[test]
    fn the_report_says_when_it_shows_only_the_first_lines() {
        let text: String = (0..9).map(|i| format!("t{i} O\nbad{i}\n")).collect();
        let corpus = parse_conll(&text, "f.txt", &ConllFormat::new().skip_malformed(true)).unwrap();
        let report = skipped_report("f.txt", &corpus.skipped).unwrap();
        let kept = SkippedLines::KEPT;
        assert!(report.starts_with(&format!("warning: f.txt: skipped 9 malformed lines, the first {kept}:\n")));
        assert_eq!(report.lines().count(), 1 + kept);
    }

    #[test]
    fn the_layout_follows_most_lines() {
        assert_eq!(most_common_columns("\u{feff}\na B C O\n\u{200b}\nb O\nc D E O\n"), Some(4));
        assert_eq!(most_common_columns("a O\nb O\n"), Some(2));
        assert_eq!(most_common_columns("\u{200b}\n \n"), None);
    }

    #[test]
    fn data_dir_reads_its_test_file_and_the_flag() {
        let dir = std::env::temp_dir().join(format!("qnet-conll-ner-data-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for name in ["train.txt", "valid.txt", "test.txt"] {
            std::fs::write(dir.join(name), "Peter B-PER\nsaid O\n\nParis B-LOC\n").unwrap();
        }
        let dir_arg = dir.to_str().unwrap();
        let args = Args::try_parse_from(["conll_ner", "--data", dir_arg, "--compare", "--skip-malformed"]).unwrap();
        assert!(args.skip_malformed && args.compare);
        let data = args.data().unwrap();
        let test = data.test.expect("DIR/test.txt is read");
        assert_eq!(test.corpus.sentences.len(), 2);
        assert!(test.name.ends_with("test.txt"));
        std::fs::remove_file(dir.join("test.txt")).unwrap();
        let args = Args::try_parse_from(["conll_ner", "--data", dir_arg]).unwrap();
        assert!(!args.skip_malformed);
        assert!(args.data().unwrap().test.is_none());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
