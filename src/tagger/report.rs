//! Per-label precision, recall and F1 in scikit-learn's `classification_report` layout.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use crate::error::{Error, Result};

/// One row of counts: a label, how often it was predicted correctly, predicted at all, and present in gold.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub(crate) struct Row {
    pub(crate) label: String,
    pub(crate) true_positives: usize,
    pub(crate) predicted: usize,
    pub(crate) support: usize,
}

/// Precision, recall, F1 and support per label, with micro, macro and weighted averages, printed exactly as
/// scikit-learn's `classification_report` prints them.
///
/// Built from token tags by [`ClassificationReport::from_tokens`] (the token-level report) or from entity
/// counts by [`EntityReport::classification_report`](super::EntityReport::classification_report) (seqeval's
/// entity-level report). A label's F1 is 2·tp / (gold + predicted); a ratio whose denominator is 0 is 0
/// (scikit-learn's `zero_division="warn"` values, without the warning). The first average line reads
/// `accuracy` (F1 column only) when scikit-learn would print it that way: token reports whose labels cover
/// every label seen; otherwise `micro avg`.
///
/// # Example
/// ```
/// use qnet::tagger::ClassificationReport;
/// let gold = ["B-PER", "I-PER", "O", "O"];
/// let pred = ["B-PER", "O", "O", "O"];
/// let report = ClassificationReport::from_tokens(gold.iter().zip(&pred), None);
/// let expected = "              precision    recall  f1-score   support
///
///        B-PER       1.00      1.00      1.00         1
///        I-PER       0.00      0.00      0.00         1
///            O       0.67      1.00      0.80         2
///
///     accuracy                           0.75         4
///    macro avg       0.56      0.67      0.60         4
/// weighted avg       0.58      0.75      0.65         4
/// ";
/// assert_eq!(report.to_string(), expected);
/// assert_eq!(report.accuracy(), Some(0.75));
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "ReportData", into = "ReportData")
)]
pub struct ClassificationReport {
    rows: Vec<Row>,
    accuracy_line: bool,
    digits: usize,
    micro_line: bool,
}

/// What a report is serialized as; read back through [`ClassificationReport::try_from`], which checks the
/// counts and the digits.
#[cfg(feature = "serde")]
#[derive(serde::Serialize, serde::Deserialize)]
struct ReportData {
    rows: Vec<Row>,
    accuracy_line: bool,
    digits: usize,
    #[serde(default)]
    micro_line: bool,
}

#[cfg(feature = "serde")]
impl TryFrom<ReportData> for ClassificationReport {
    type Error = Error;
    fn try_from(d: ReportData) -> Result<ClassificationReport> {
        check_digits(d.digits)?;
        for r in &d.rows {
            if r.true_positives > r.predicted || r.true_positives > r.support {
                return Err(Error::CorruptData {
                    what: "classification report",
                    reason: format!(
                        "label {:?} has {} true positives, more than its {} predictions or its support {}",
                        r.label, r.true_positives, r.predicted, r.support
                    ),
                });
            }
        }
        let fits =
            |count: fn(&Row) -> usize| d.rows.iter().try_fold(0usize, |acc, r| acc.checked_add(count(r))).is_some();
        if !(fits(|r| r.predicted) && fits(|r| r.support)) {
            return Err(Error::CorruptData {
                what: "classification report",
                reason: "the counts of the rows add up to more than usize::MAX".into(),
            });
        }
        let report = ClassificationReport {
            rows: d.rows,
            accuracy_line: d.accuracy_line,
            digits: d.digits,
            micro_line: d.micro_line,
        };
        Ok(report)
    }
}

#[cfg(feature = "serde")]
impl From<ClassificationReport> for ReportData {
    fn from(r: ClassificationReport) -> ReportData {
        ReportData { rows: r.rows, accuracy_line: r.accuracy_line, digits: r.digits, micro_line: r.micro_line }
    }
}

fn check_digits(digits: usize) -> Result<()> {
    if digits > ClassificationReport::MAX_DIGITS {
        return Err(Error::hyper_parameter(
            "digits",
            digits,
            "at most ClassificationReport::MAX_DIGITS (17) decimals are printed",
        ));
    }
    Ok(())
}

/// Precision, recall, F1 and support of one line of a [`ClassificationReport`].
///
/// # Example
/// ```
/// use qnet::tagger::ClassificationReport;
/// let report = ClassificationReport::from_tokens([("O", "O"), ("B-LOC", "O")], None);
/// let o = &report.labels()[1];
/// assert_eq!((o.label.as_str(), o.precision, o.recall, o.support), ("O", 0.5, 1.0, 1));
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct LabelScores {
    /// The label, or the average's name (`"micro avg"`, `"macro avg"`, `"weighted avg"`).
    pub label: String,
    /// Precision.
    pub precision: f64,
    /// Recall.
    pub recall: f64,
    /// F1.
    pub f1: f64,
    /// The number of gold occurrences.
    pub support: usize,
}

/// num / den, or 0 when den is 0 (the convention of conlleval and scikit-learn's `zero_division=0`).
pub(crate) fn ratio(num: usize, den: usize) -> f64 {
    if den == 0 {
        0.0
    } else {
        num as f64 / den as f64
    }
}

/// F1 from counts, 2·tp / (gold + predicted), or 0 when both are 0. Computed in `u128`, where neither the
/// doubling nor the sum can overflow; the result is the same as in `usize` wherever that does not overflow.
pub(crate) fn f1_ratio(tp: usize, gold: usize, predicted: usize) -> f64 {
    let den = gold as u128 + predicted as u128;
    if den == 0 {
        0.0
    } else {
        (2 * tp as u128) as f64 / den as f64
    }
}

impl ClassificationReport {
    /// The most decimals [`with_digits`](Self::with_digits) accepts: an `f64` holds at most 17 significant
    /// decimal digits, and the printed scores are at most 1.
    pub const MAX_DIGITS: usize = 17;

    pub(crate) fn from_rows(rows: Vec<Row>, accuracy_line: bool) -> ClassificationReport {
        ClassificationReport { rows, accuracy_line, digits: 2, micro_line: false }
    }

    /// The token-level report of `(gold, predicted)` tag pairs.
    ///
    /// With `labels` `None`, the rows are every label seen in gold or predicted tags, sorted, and the first
    /// average line is `accuracy`. With `labels` given, the rows are those labels in that order, and the
    /// averages are over them only; the first average line is `accuracy` if they cover every label seen and
    /// `micro avg` otherwise (scikit-learn's rule; pass every label but `O` to get the usual NER table).
    ///
    /// # Example
    /// ```
    /// use qnet::tagger::ClassificationReport;
    /// let pairs = [("B-PER", "B-PER"), ("O", "B-PER"), ("O", "O")];
    /// let report = ClassificationReport::from_tokens(pairs, Some(&["B-PER"]));
    /// assert!(report.to_string().contains("   micro avg       0.50      1.00      0.67         1\n"));
    /// ```
    #[must_use]
    pub fn from_tokens<I, G, P>(pairs: I, labels: Option<&[&str]>) -> ClassificationReport
    where
        I: IntoIterator<Item = (G, P)>,
        G: AsRef<str>,
        P: AsRef<str>,
    {
        // [tp, predicted, support] per label.
        let mut counts: HashMap<String, [usize; 3]> = HashMap::new();
        let mut bump = |label: &str, slot: usize| match counts.get_mut(label) {
            Some(c) => c[slot] += 1,
            None => {
                let mut c = [0; 3];
                c[slot] = 1;
                counts.insert(label.to_string(), c);
            }
        };
        for (g, p) in pairs {
            let (g, p) = (g.as_ref(), p.as_ref());
            if g == p {
                bump(g, 0);
            }
            bump(p, 1);
            bump(g, 2);
        }
        let row = |label: &str| {
            let c = counts.get(label).copied().unwrap_or([0; 3]);
            Row { label: label.to_string(), true_positives: c[0], predicted: c[1], support: c[2] }
        };
        match labels {
            None => {
                let sorted: BTreeMap<&str, ()> = counts.keys().map(|k| (k.as_str(), ())).collect();
                let rows = sorted.keys().map(|l| row(l)).collect();
                ClassificationReport::from_rows(rows, true)
            }
            Some(labels) => {
                let covers = counts.keys().all(|k| labels.contains(&k.as_str()));
                let rows = labels.iter().map(|l| row(l)).collect();
                ClassificationReport::from_rows(rows, covers)
            }
        }
    }

    /// The token-level report of gold and predicted sentences (see [`ClassificationReport::from_tokens`]).
    ///
    /// # Errors
    /// [`Error::DimensionMismatch`] if the lists, or two of their sentences, differ in length.
    ///
    /// # Example
    /// ```
    /// use qnet::tagger::ClassificationReport;
    /// let report = ClassificationReport::from_sentences(&[vec!["O", "B-LOC"]], &[vec!["O", "O"]], None)?;
    /// assert_eq!(report.accuracy(), Some(0.5));
    /// # Ok::<(), qnet::Error>(())
    /// ```
    pub fn from_sentences<G: AsRef<str>, P: AsRef<str>>(
        gold: &[Vec<G>],
        predicted: &[Vec<P>],
        labels: Option<&[&str]>,
    ) -> Result<ClassificationReport> {
        if gold.len() != predicted.len() {
            return Err(Error::DimensionMismatch {
                what: "predicted sentences",
                expected: gold.len(),
                found: predicted.len(),
            });
        }
        for (g, p) in gold.iter().zip(predicted) {
            if g.len() != p.len() {
                return Err(Error::DimensionMismatch {
                    what: "predicted tags of a sentence",
                    expected: g.len(),
                    found: p.len(),
                });
            }
        }
        let pairs = gold.iter().flatten().zip(predicted.iter().flatten());
        Ok(ClassificationReport::from_tokens(pairs, labels))
    }

    /// The same report printed with `digits` decimals (default 2, as scikit-learn).
    ///
    /// # Errors
    /// [`Error::InvalidHyperParameter`] above [`MAX_DIGITS`](Self::MAX_DIGITS).
    ///
    /// # Example
    /// ```
    /// use qnet::tagger::ClassificationReport;
    /// let report = ClassificationReport::from_tokens([("O", "O"), ("B-LOC", "O")], None).with_digits(4)?;
    /// assert!(report.to_string().contains("           O     0.5000    1.0000    0.6667         1\n"));
    /// assert!(ClassificationReport::from_tokens([("O", "O")], None).with_digits(18).is_err());
    /// # Ok::<(), qnet::Error>(())
    /// ```
    pub fn with_digits(mut self, digits: usize) -> Result<ClassificationReport> {
        check_digits(digits)?;
        self.digits = digits;
        Ok(self)
    }

    /// The same report with its first average line printed as `micro avg` (precision, recall and F1 pooled
    /// over the rows) even where scikit-learn would print `accuracy`: the layout of the CoNLL token tables
    /// that list `O` among the rows. [`accuracy`](Self::accuracy) is unchanged.
    ///
    /// # Example
    /// ```
    /// use qnet::tagger::ClassificationReport;
    /// let report = ClassificationReport::from_tokens([("O", "O"), ("B-LOC", "O")], None).with_micro_avg_line();
    /// assert!(report.to_string().contains("   micro avg       0.50      0.50      0.50         2\n"));
    /// assert_eq!(report.accuracy(), Some(0.5));
    /// ```
    #[must_use]
    pub fn with_micro_avg_line(mut self) -> ClassificationReport {
        self.micro_line = true;
        self
    }

    /// The scores of each label, in row order.
    #[must_use]
    pub fn labels(&self) -> Vec<LabelScores> {
        self.rows
            .iter()
            .map(|r| LabelScores {
                label: r.label.clone(),
                precision: ratio(r.true_positives, r.predicted),
                recall: ratio(r.true_positives, r.support),
                f1: f1_ratio(r.true_positives, r.support, r.predicted),
                support: r.support,
            })
            .collect()
    }

    /// The micro average: counts pooled over the rows. For a token report over all labels its F1 is the
    /// accuracy.
    #[must_use]
    pub fn micro_avg(&self) -> LabelScores {
        // Every report holds counts whose sums fit a usize (from data, or checked when read with serde);
        // saturating keeps this free of overflow all the same.
        let sum = |count: fn(&Row) -> usize| self.rows.iter().fold(0usize, |acc, r| acc.saturating_add(count(r)));
        let (tp, predicted, support) = (sum(|r| r.true_positives), sum(|r| r.predicted), sum(|r| r.support));
        LabelScores {
            label: "micro avg".to_string(),
            precision: ratio(tp, predicted),
            recall: ratio(tp, support),
            f1: f1_ratio(tp, support, predicted),
            support,
        }
    }

    /// The macro average: the unweighted mean of the rows' scores.
    #[must_use]
    pub fn macro_avg(&self) -> LabelScores {
        self.average("macro avg", |_| 1.0)
    }

    /// The weighted average: the mean of the rows' scores weighted by support.
    #[must_use]
    pub fn weighted_avg(&self) -> LabelScores {
        self.average("weighted avg", |s| s.support as f64)
    }

    fn average(&self, name: &str, weight: impl Fn(&LabelScores) -> f64) -> LabelScores {
        let labels = self.labels();
        let total: f64 = labels.iter().map(&weight).sum();
        let mean = |value: fn(&LabelScores) -> f64| {
            if total == 0.0 {
                0.0
            } else {
                labels.iter().map(|l| value(l) * weight(l)).sum::<f64>() / total
            }
        };
        LabelScores {
            label: name.to_string(),
            precision: mean(|l| l.precision),
            recall: mean(|l| l.recall),
            f1: mean(|l| l.f1),
            support: labels.iter().fold(0usize, |acc, l| acc.saturating_add(l.support)),
        }
    }

    /// The accuracy, when the report prints an `accuracy` line (the micro-averaged F1); `None` otherwise.
    #[must_use]
    pub fn accuracy(&self) -> Option<f64> {
        self.accuracy_line.then(|| self.micro_avg().f1)
    }
}

impl fmt::Display for ClassificationReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = self.digits;
        let name_width = self.rows.iter().map(|r| r.label.chars().count()).max();
        let width = name_width.unwrap_or(0).max("weighted avg".len()).max(digits);
        write!(f, "{:>width$} ", "")?;
        for header in ["precision", "recall", "f1-score", "support"] {
            write!(f, " {header:>9}")?;
        }
        f.write_str("\n\n")?;
        let line = |f: &mut fmt::Formatter<'_>, s: &LabelScores| {
            writeln!(
                f,
                "{:>width$}  {:>9.digits$} {:>9.digits$} {:>9.digits$} {:>9}",
                s.label, s.precision, s.recall, s.f1, s.support
            )
        };
        for scores in self.labels() {
            line(f, &scores)?;
        }
        f.write_str("\n")?;
        let micro = self.micro_avg();
        if self.accuracy_line && !self.micro_line {
            writeln!(f, "{:>width$}  {:>9} {:>9} {:>9.digits$} {:>9}", "accuracy", "", "", micro.f1, micro.support)?;
        } else {
            line(f, &micro)?;
        }
        line(f, &self.macro_avg())?;
        line(f, &self.weighted_avg())
    }
}
