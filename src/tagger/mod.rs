//! Named-entity tagging: CoNLL files, tagging schemes, tag sets, vocabularies, scoring identical to conlleval,
//! and a CRF tagger whose features pass through a quantum layer.
//!
//! * Reading: [`read_conll_file`] / [`parse_conll`] with a [`ConllFormat`] give a [`Corpus`] of
//!   [`Sentence`]s whose tags are converted to IOB2 whatever the file's [`Scheme`], and whose other columns
//!   are kept in [`Sentence::extra`]; byte order marks and lines of invisible characters are handled, and
//!   [`ConllFormat::skip_malformed`] skips the lines that do not fit, reporting them in [`Corpus::skipped`]
//!   ([`SkippedLines`], [`MalformedLine`]). [`read_conlleval`] / [`parse_conlleval`] read conlleval's input
//!   form (token, gold, predicted) into [`Predictions`].
//! * Writing: [`write_conll`] and [`write_conlleval`] write files atomically, converting tags back to a scheme.
//! * Vocabulary: [`TagSet`] (tag ↔ id, `O` = 0) and [`Vocab`] (word ↔ id with counts, a cut-off and an
//!   unknown-word id).
//! * Scoring: [`EntityScorer`] / [`score_entities`] count entities exactly as conlleval does under
//!   [`ChunkRules`]; [`EntityReport`] prints conlleval's report and [`ClassificationReport`] prints
//!   scikit-learn's `classification_report` table (token level, or entity level as seqeval prints it).
//!
//! * Tagging: [`TaggerConfig`] → [`fit`](TaggerConfig::fit) → [`Tagger`], a linear-chain CRF
//!   ([`LinearChainCrf`]) over hashed token features plus a dense path through a
//!   [`QuantumNetwork`](crate::layer::QuantumNetwork) ([`DensePath`]); [`Tagger::predict`],
//!   [`Tagger::entities`], [`Tagger::evaluate`], [`Tagger::save`] / [`Tagger::load`] and
//!   [`Tagger::diagnostics`]. [`sample`] is a small invented corpus to try it on.
//!
//! The data and scoring half (reading, writing, schemes, tag sets, scoring) imports nothing from the quantum
//! parts of the crate; only the model uses `layer`, `info` and `quantum`.
//!
//! # Example
//! ```
//! use qnet::tagger::{parse_conll, score_entities, ChunkRules, ClassificationReport, ConllFormat};
//! let gold = parse_conll("EU B-ORG\nrejects O\nGerman B-MISC\ncall O\n", "gold", &ConllFormat::new())?;
//! let gold_tags: Vec<Vec<&str>> = gold
//!     .sentences
//!     .iter()
//!     .map(|s| s.tags.iter().flatten().map(|t| t.as_str()).collect())
//!     .collect();
//! let predicted = vec![vec!["B-ORG", "O", "B-LOC", "O"]];
//! let report = score_entities(&gold_tags, &predicted, ChunkRules::Conlleval)?;
//! assert_eq!(
//!     report.to_string().lines().next(),
//!     Some("processed 4 tokens with 2 phrases; found: 2 phrases; correct: 1.")
//! );
//! let tokens = ClassificationReport::from_sentences(&gold_tags, &predicted, None)?;
//! assert_eq!(tokens.accuracy(), Some(0.75));
//! # Ok::<(), qnet::Error>(())
//! ```

mod chunk;
mod conlleval;
mod entity;
mod model;
mod reader;
mod report;
pub mod sample;
mod scheme;
mod tag;
mod tagset;
mod vocab;
mod writer;

pub use self::chunk::{chunks, Chunk, ChunkRules};
pub use self::conlleval::{parse_conlleval, read_conlleval, ConllevalOptions, Predictions};
pub use self::entity::{score_entities, EntityReport, EntityScorer, TypeCounts};
pub use self::model::{
    depolarizing_noise, tokenize, CrfGradient, DensePath, EntitySpan, EpochReport, Evaluation, LayerWeights,
    LinearChainCrf, QuantumDiagnostics, Tagger, TaggerConfig, TextToken, TrainEvent, MAX_TAGGER_QUBITS,
};
pub use self::reader::{parse_conll, read_conll_file, ConllFormat, Corpus, MalformedLine, Sentence, SkippedLines};
pub use self::report::{ClassificationReport, LabelScores};
pub use self::scheme::Scheme;
pub use self::tag::{Prefix, Tag};
pub use self::tagset::TagSet;
pub use self::vocab::Vocab;
pub use self::writer::{write_conll, write_conll_to, write_conlleval, write_conlleval_to};
