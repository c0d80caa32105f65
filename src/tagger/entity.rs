//! Entity-level scoring, as conlleval counts it.

use std::collections::BTreeMap;
use std::fmt;

use super::chunk::{split_tag, ChunkRules};
use super::report::{f1_ratio, ratio, ClassificationReport, Row};
use crate::error::{Error, Result};

/// Entity counts of one type: in the gold tags, in the predicted tags, and correct in both.
///
/// # Example
/// ```
/// use qnet::tagger::TypeCounts;
/// let c = TypeCounts { gold: 4, predicted: 5, correct: 3 };
/// assert_eq!((c.precision(), c.recall()), (0.6, 0.75));
/// assert!((c.f1() - 2.0 / 3.0).abs() < 1e-12);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct TypeCounts {
    /// Entities in the gold tags.
    pub gold: usize,
    /// Entities in the predicted tags.
    pub predicted: usize,
    /// Predicted entities whose start, end and type match a gold entity.
    pub correct: usize,
}

impl TypeCounts {
    /// correct / predicted, or 0 when nothing was predicted.
    #[must_use]
    pub fn precision(&self) -> f64 {
        ratio(self.correct, self.predicted)
    }

    /// correct / gold, or 0 when there is no gold entity.
    #[must_use]
    pub fn recall(&self) -> f64 {
        ratio(self.correct, self.gold)
    }

    /// The harmonic mean of precision and recall, 2·correct / (gold + predicted), or 0 when both are 0.
    #[must_use]
    pub fn f1(&self) -> f64 {
        f1_ratio(self.correct, self.gold, self.predicted)
    }
}

/// Accumulates gold and predicted tags token by token and counts entities exactly as conlleval does.
///
/// Tags are read as conlleval reads them (any text; prefix before the first hyphen), so the scorer accepts
/// whatever the perl script accepts. An entity is correct when its start, end and type match a gold entity.
///
/// # Example
/// ```
/// use qnet::tagger::{ChunkRules, EntityScorer};
/// let mut scorer = EntityScorer::new(ChunkRules::Conlleval);
/// scorer.push_sentence(&["B-PER", "I-PER", "O"], &["B-PER", "I-PER", "O"])?;
/// scorer.push_sentence(&["B-LOC", "O"], &["B-ORG", "O"])?;
/// let report = scorer.report();
/// assert_eq!((report.gold(), report.predicted(), report.correct()), (2, 2, 1));
/// assert_eq!(report.precision(), 0.5);
/// # Ok::<(), qnet::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct EntityScorer {
    rules: ChunkRules,
    counts: Counts,
    in_correct: bool,
    last_gold: (String, String),
    last_pred: (String, String),
}

/// Token and entity counts, as the scorer accumulates them and as a report holds them.
#[derive(Debug, Clone, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
struct Counts {
    tokens: usize,
    correct_tags: usize,
    gold: usize,
    predicted: usize,
    correct: usize,
    per_type: BTreeMap<String, TypeCounts>,
}

impl Counts {
    /// Checks what every scorer's counts satisfy: no more correct tags than tokens, no more correct entities
    /// than predicted or gold ones (overall and per type), and totals that are the sums of the per-type counts.
    #[cfg(feature = "serde")]
    fn check(&self) -> Result<()> {
        let corrupt = |reason: String| Err(Error::CorruptData { what: "entity report", reason });
        if self.correct_tags > self.tokens {
            return corrupt(format!("{} correct tags of {} tokens", self.correct_tags, self.tokens));
        }
        let mut sums = [0usize; 3];
        let overall = self.overall();
        let all = std::iter::once(("all types", &overall)).chain(self.per_type.iter().map(|(k, c)| (k.as_str(), c)));
        for (k, (kind, c)) in all.enumerate() {
            if c.correct > c.gold || c.correct > c.predicted {
                return corrupt(format!(
                    "{kind}: {} correct entities, more than {} predicted or {} in gold",
                    c.correct, c.predicted, c.gold
                ));
            }
            if k > 0 {
                for (sum, v) in sums.iter_mut().zip([c.gold, c.predicted, c.correct]) {
                    *sum = sum.saturating_add(v);
                }
            }
        }
        if sums != [self.gold, self.predicted, self.correct] {
            return corrupt(format!(
                "the types hold {} gold, {} predicted and {} correct entities, the totals say {}, {} and {}",
                sums[0], sums[1], sums[2], self.gold, self.predicted, self.correct
            ));
        }
        Ok(())
    }

    /// The counts of all types together.
    fn overall(&self) -> TypeCounts {
        TypeCounts { gold: self.gold, predicted: self.predicted, correct: self.correct }
    }

    fn entry(&mut self, kind: &str) -> &mut TypeCounts {
        if !self.per_type.contains_key(kind) {
            self.per_type.insert(kind.to_string(), TypeCounts::default());
        }
        self.per_type.get_mut(kind).expect("inserted above")
    }
}

impl EntityScorer {
    /// An empty scorer that finds chunks by `rules`.
    #[must_use]
    pub fn new(rules: ChunkRules) -> EntityScorer {
        EntityScorer {
            rules,
            counts: Counts::default(),
            in_correct: false,
            last_gold: ("O".to_string(), String::new()),
            last_pred: ("O".to_string(), String::new()),
        }
    }

    /// Adds one token's gold and predicted tags.
    pub fn push(&mut self, gold: &str, predicted: &str) {
        self.step(split_tag(gold), split_tag(predicted), true);
    }

    /// Marks a sentence boundary (conlleval's blank line): it ends every open chunk and is not a token.
    pub fn push_boundary(&mut self) {
        self.step(("O", ""), ("O", ""), false);
    }

    /// Adds a sentence: its tokens, then a boundary.
    ///
    /// # Errors
    /// [`Error::DimensionMismatch`] if the two sequences differ in length; nothing is added then.
    pub fn push_sentence<G: AsRef<str>, P: AsRef<str>>(&mut self, gold: &[G], predicted: &[P]) -> Result<()> {
        if gold.len() != predicted.len() {
            return Err(Error::DimensionMismatch {
                what: "predicted tags of a sentence",
                expected: gold.len(),
                found: predicted.len(),
            });
        }
        for (g, p) in gold.iter().zip(predicted) {
            self.push(g.as_ref(), p.as_ref());
        }
        self.push_boundary();
        Ok(())
    }

    fn step(&mut self, gold: (&str, &str), pred: (&str, &str), token: bool) {
        let rules = self.rules;
        let (lc, lct) = (self.last_gold.0.as_str(), self.last_gold.1.as_str());
        let (lg, lgt) = (self.last_pred.0.as_str(), self.last_pred.1.as_str());
        if self.in_correct {
            let gold_ends = rules.is_end(lc, gold.0, lct, gold.1);
            let pred_ends = rules.is_end(lg, pred.0, lgt, pred.1);
            if gold_ends && pred_ends && lgt == lct {
                self.in_correct = false;
                self.counts.correct += 1;
                let kind = self.last_gold.1.clone();
                self.counts.entry(&kind).correct += 1;
            } else if gold_ends != pred_ends || pred.1 != gold.1 {
                self.in_correct = false;
            }
        }
        let (lc, lct) = (self.last_gold.0.as_str(), self.last_gold.1.as_str());
        let (lg, lgt) = (self.last_pred.0.as_str(), self.last_pred.1.as_str());
        let gold_starts = rules.is_start(lc, gold.0, lct, gold.1);
        let pred_starts = rules.is_start(lg, pred.0, lgt, pred.1);
        if gold_starts && pred_starts && pred.1 == gold.1 {
            self.in_correct = true;
        }
        if gold_starts {
            self.counts.gold += 1;
            self.counts.entry(gold.1).gold += 1;
        }
        if pred_starts {
            self.counts.predicted += 1;
            self.counts.entry(pred.1).predicted += 1;
        }
        if token {
            if gold == pred {
                self.counts.correct_tags += 1;
            }
            self.counts.tokens += 1;
        }
        set(&mut self.last_gold, gold);
        set(&mut self.last_pred, pred);
    }

    /// The report of everything added so far (an entity still open at the end counts as closed).
    #[must_use]
    pub fn report(&self) -> EntityReport {
        let mut counts = self.counts.clone();
        if self.in_correct {
            counts.correct += 1;
            counts.entry(&self.last_gold.1).correct += 1;
        }
        EntityReport { rules: self.rules, counts }
    }
}

fn set(slot: &mut (String, String), value: (&str, &str)) {
    slot.0.clear();
    slot.0.push_str(value.0);
    slot.1.clear();
    slot.1.push_str(value.1);
}

/// Scores predicted sentences against gold ones at the entity level; see [`EntityScorer`].
///
/// # Errors
/// [`Error::DimensionMismatch`] if the two lists, or two of their sentences, differ in length.
///
/// # Example
/// ```
/// use qnet::tagger::{score_entities, ChunkRules};
/// let gold = vec![vec!["B-PER", "I-PER"], vec!["O", "B-LOC"]];
/// let pred = vec![vec!["B-PER", "O"], vec!["O", "B-LOC"]];
/// let report = score_entities(&gold, &pred, ChunkRules::Conlleval)?;
/// assert_eq!(report.correct(), 1);
/// assert_eq!(report.accuracy(), 0.75);
/// # Ok::<(), qnet::Error>(())
/// ```
pub fn score_entities<G: AsRef<str>, P: AsRef<str>>(
    gold: &[Vec<G>],
    predicted: &[Vec<P>],
    rules: ChunkRules,
) -> Result<EntityReport> {
    if gold.len() != predicted.len() {
        return Err(Error::DimensionMismatch {
            what: "predicted sentences",
            expected: gold.len(),
            found: predicted.len(),
        });
    }
    let mut scorer = EntityScorer::new(rules);
    for (g, p) in gold.iter().zip(predicted) {
        scorer.push_sentence(g, p)?;
    }
    Ok(scorer.report())
}

/// Entity-level precision, recall and F1 per type and overall, and token accuracy: what conlleval prints.
///
/// Its `Display` is conlleval's report, digit for digit:
///
/// ```text
/// processed 5 tokens with 2 phrases; found: 2 phrases; correct: 1.
/// accuracy:  80.00%; precision:  50.00%; recall:  50.00%; FB1:  50.00
///               LOC: precision:   0.00%; recall:   0.00%; FB1:   0.00  0
///               ORG: precision:   0.00%; recall:   0.00%; FB1:   0.00  1
///               PER: precision: 100.00%; recall: 100.00%; FB1: 100.00  1
/// ```
///
/// # Example
/// ```
/// use qnet::tagger::{score_entities, ChunkRules};
/// let gold = vec![vec!["B-PER", "I-PER", "O"], vec!["B-LOC", "O"]];
/// let pred = vec![vec!["B-PER", "I-PER", "O"], vec!["B-ORG", "O"]];
/// let report = score_entities(&gold, &pred, ChunkRules::Conlleval)?;
/// let text = report.to_string();
/// assert!(text.starts_with("processed 5 tokens with 2 phrases; found: 2 phrases; correct: 1.\n"));
/// assert!(text.contains("accuracy:  80.00%; precision:  50.00%; recall:  50.00%; FB1:  50.00\n"));
/// assert!(text.contains("              PER: precision: 100.00%; recall: 100.00%; FB1: 100.00  1\n"));
/// assert_eq!(report.per_type()["LOC"].gold, 1);
/// # Ok::<(), qnet::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "ReportData", into = "ReportData")
)]
pub struct EntityReport {
    rules: ChunkRules,
    counts: Counts,
}

/// What a report is serialized as; read back through [`EntityReport::try_from`], which checks that the counts
/// are ones a scorer can reach.
#[cfg(feature = "serde")]
#[derive(serde::Serialize, serde::Deserialize)]
struct ReportData {
    rules: ChunkRules,
    counts: Counts,
}

#[cfg(feature = "serde")]
impl TryFrom<ReportData> for EntityReport {
    type Error = Error;
    fn try_from(d: ReportData) -> Result<EntityReport> {
        d.counts.check()?;
        Ok(EntityReport { rules: d.rules, counts: d.counts })
    }
}

#[cfg(feature = "serde")]
impl From<EntityReport> for ReportData {
    fn from(r: EntityReport) -> ReportData {
        ReportData { rules: r.rules, counts: r.counts }
    }
}

impl EntityReport {
    /// The chunk rules the entities were found by.
    #[must_use]
    pub fn rules(&self) -> ChunkRules {
        self.rules
    }

    /// The number of tokens scored (boundaries excluded).
    #[must_use]
    pub fn tokens(&self) -> usize {
        self.counts.tokens
    }

    /// The number of tokens whose predicted tag equals the gold tag.
    #[must_use]
    pub fn correct_tags(&self) -> usize {
        self.counts.correct_tags
    }

    /// The number of gold entities (conlleval's "phrases").
    #[must_use]
    pub fn gold(&self) -> usize {
        self.counts.gold
    }

    /// The number of predicted entities ("found").
    #[must_use]
    pub fn predicted(&self) -> usize {
        self.counts.predicted
    }

    /// The number of correct predicted entities.
    #[must_use]
    pub fn correct(&self) -> usize {
        self.counts.correct
    }

    /// The counts of each entity type, sorted by type.
    #[must_use]
    pub fn per_type(&self) -> &BTreeMap<String, TypeCounts> {
        &self.counts.per_type
    }

    /// The counts of all types together.
    #[must_use]
    pub fn overall(&self) -> TypeCounts {
        self.counts.overall()
    }

    /// Overall precision, as a fraction (conlleval prints it as a percentage).
    #[must_use]
    pub fn precision(&self) -> f64 {
        self.overall().precision()
    }

    /// Overall recall, as a fraction.
    #[must_use]
    pub fn recall(&self) -> f64 {
        self.overall().recall()
    }

    /// Overall F1, as a fraction.
    #[must_use]
    pub fn f1(&self) -> f64 {
        self.overall().f1()
    }

    /// Token accuracy, as a fraction (0 when no token was scored).
    #[must_use]
    pub fn accuracy(&self) -> f64 {
        ratio(self.counts.correct_tags, self.counts.tokens)
    }

    /// The entity-level table in scikit-learn's layout (seqeval's `classification_report`): one row per type
    /// with precision, recall, F1 and gold support, then micro, macro and weighted averages.
    ///
    /// # Example
    /// ```
    /// use qnet::tagger::{score_entities, ChunkRules};
    /// let report = score_entities(&[vec!["B-PER", "O"]], &[vec!["B-PER", "O"]], ChunkRules::Conlleval)?;
    /// let table = report.classification_report().to_string();
    /// assert!(table.contains("         PER       1.00      1.00      1.00         1\n"));
    /// assert!(table.contains("   micro avg       1.00      1.00      1.00         1\n"));
    /// # Ok::<(), qnet::Error>(())
    /// ```
    #[must_use]
    pub fn classification_report(&self) -> ClassificationReport {
        let rows = self
            .counts
            .per_type
            .iter()
            .map(|(kind, c)| Row {
                label: kind.clone(),
                true_positives: c.correct,
                predicted: c.predicted,
                support: c.gold,
            })
            .collect();
        ClassificationReport::from_rows(rows, false)
    }
}

/// conlleval's percentages: computed in the script's order of operations so that every digit agrees.
fn percent(num: usize, den: usize) -> f64 {
    if den == 0 {
        0.0
    } else {
        100.0 * num as f64 / den as f64
    }
}

fn fb1(precision: f64, recall: f64) -> f64 {
    if precision + recall == 0.0 {
        0.0
    } else {
        2.0 * precision * recall / (precision + recall)
    }
}

impl fmt::Display for EntityReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "processed {} tokens with {} phrases; found: {} phrases; correct: {}.",
            self.counts.tokens, self.counts.gold, self.counts.predicted, self.counts.correct
        )?;
        if self.counts.tokens > 0 {
            let p = percent(self.counts.correct, self.counts.predicted);
            let r = percent(self.counts.correct, self.counts.gold);
            writeln!(
                f,
                "accuracy: {:6.2}%; precision: {:6.2}%; recall: {:6.2}%; FB1: {:6.2}",
                percent(self.counts.correct_tags, self.counts.tokens),
                p,
                r,
                fb1(p, r)
            )?;
        }
        for (kind, c) in &self.counts.per_type {
            let p = percent(c.correct, c.predicted);
            let r = percent(c.correct, c.gold);
            // perl pads `%17s` by bytes, not characters.
            let pad = 17usize.saturating_sub(kind.len());
            writeln!(
                f,
                "{:pad$}{}: precision: {:6.2}%; recall: {:6.2}%; FB1: {:6.2}  {}",
                "",
                kind,
                p,
                r,
                fb1(p, r),
                c.predicted
            )?;
        }
        Ok(())
    }
}
