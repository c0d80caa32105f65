//! The reproducers of issue 10 (bad input that panicked, aborted or hung), each now a typed error or a
//! bounded result. Run without `--release` too: integer overflow then panics instead of wrapping.

use qnet::prelude::*;
use qnet::tagger::{parse_conll, ClassificationReport, ConllFormat, TypeCounts};

// ----- tagger ------------------------------------------------------------------------------------------------

#[test]
fn a_tag_cut_inside_a_multibyte_character_is_a_conll_error() {
    for text in ["tok aé\n", "tok Bé\n", "tok Oé\n", "tok Sé\n", "tok é\n", "tok Bé-X\n"] {
        for format in [ConllFormat::new(), ConllFormat::conll2003(), ConllFormat::new().scheme(Some(Scheme::Iobes))] {
            let result = parse_conll(text, "t", &format);
            assert!(matches!(result, Err(Error::Conll { line: 1, .. })), "{text:?}: {result:?}");
        }
    }
}

#[test]
fn a_column_index_near_usize_max_is_a_conll_error() {
    for format in [
        ConllFormat::new().chunk_column(Some(usize::MAX)),
        ConllFormat::new().pos_column(Some(usize::MAX)),
        ConllFormat::new().pos_column(Some(usize::MAX - 1)).labelled(false),
    ] {
        let result = parse_conll("EU NNP B-NP B-ORG\n", "t", &format);
        assert!(matches!(result, Err(Error::Conll { line: 1, .. })), "{result:?}");
    }
}

#[test]
fn report_digits_beyond_the_maximum_are_refused() {
    let report = ClassificationReport::from_tokens(vec![("B-PER", "O")], None);
    for digits in [ClassificationReport::MAX_DIGITS + 1, 65536, usize::MAX] {
        let result = report.clone().with_digits(digits);
        assert!(matches!(result, Err(Error::InvalidHyperParameter { name: "digits", .. })), "{digits}");
    }
    let widest = report.with_digits(ClassificationReport::MAX_DIGITS).expect("the maximum is allowed");
    assert!(widest.to_string().contains(" 0.00000000000000000 "), "{widest}");
}

#[test]
fn scores_of_huge_counts_do_not_overflow() {
    let c = TypeCounts { gold: usize::MAX, predicted: usize::MAX, correct: usize::MAX };
    assert_eq!(c.f1(), 1.0);
    let c = TypeCounts { gold: usize::MAX, predicted: 1, correct: 1 };
    assert!(c.f1() > 0.0 && c.f1() < 1e-18);
}
