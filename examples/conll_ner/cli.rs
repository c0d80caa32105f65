//! Command-line options, and the corpora they name.

use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};

use clap::{CommandFactory, FromArgMatches, Parser, ValueEnum};
use qnet::tagger::{parse_conll, sample, ConllFormat, Corpus, DensePath, TaggerConfig};

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
        config
    }

    /// Reads the corpora the options name: the embedded sample when none is named; no training corpus when a
    /// model is loaded.
    pub fn data(&self) -> Fallible<Data> {
        let training = self.load.is_none();
        if let Some(dir) = &self.data {
            if !dir.is_dir() {
                let dir = dir.display();
                return Err(format!("{dir}: not a directory (--data needs DIR/train.txt and DIR/valid.txt)").into());
            }
            let test = dir.join("test.txt");
            return Ok(Data {
                train: if training { Some(read_corpus(&dir.join("train.txt"))?) } else { None },
                valid: Some(Named::read(&dir.join("valid.txt"))?),
                test: if test.exists() { Some(Named::read(&test)?) } else { None },
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
        Ok(Data {
            train: self.train.as_deref().map(read_corpus).transpose()?,
            valid: self.valid.as_deref().map(Named::read).transpose()?,
            test: self.test.as_deref().map(Named::read).transpose()?,
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
    fn read(path: &Path) -> Fallible<Named> {
        Ok(Named { name: path.display().to_string(), corpus: read_corpus(path)? })
    }
}

/// Reads a labelled CoNLL file: CoNLL-2003's layout (token, POS, chunk, tag) when its first line has 4
/// columns, otherwise token first and tag last.
pub fn read_corpus(path: &Path) -> Fallible<Corpus> {
    let text = read_text(path)?;
    let columns = |line: &str| line.split([' ', '\t']).filter(|f| !f.is_empty()).count();
    let first = text.lines().map(columns).find(|&n| n > 0);
    let format = if first == Some(4) { ConllFormat::conll2003() } else { ConllFormat::new() };
    Ok(parse_conll(&text, path, &format)?)
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
