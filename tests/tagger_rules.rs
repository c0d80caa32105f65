//! Hand-made cases for every chunk rule, for the three rule sets.

use qnet::tagger::{chunks, score_entities, Chunk, ChunkRules, EntityScorer};

fn c(kind: &str, start: usize, end: usize) -> Chunk {
    Chunk::new(kind, start, end)
}

fn conlleval(tags: &[&str]) -> Vec<Chunk> {
    chunks(tags, ChunkRules::Conlleval)
}

#[test]
fn b_starts_a_chunk_and_i_continues_it() {
    assert_eq!(conlleval(&["B-PER", "I-PER", "O"]), [c("PER", 0, 2)]);
}

#[test]
fn i_after_o_starts_a_chunk() {
    assert_eq!(conlleval(&["O", "I-LOC", "I-LOC", "O"]), [c("LOC", 1, 3)]);
    // and at the start of a sentence
    assert_eq!(conlleval(&["I-LOC"]), [c("LOC", 0, 1)]);
}

#[test]
fn a_type_change_inside_a_run_ends_one_chunk_and_starts_another() {
    assert_eq!(conlleval(&["I-ORG", "I-ORG", "I-PER", "I-PER"]), [c("ORG", 0, 2), c("PER", 2, 4)]);
    assert_eq!(conlleval(&["B-ORG", "I-PER"]), [c("ORG", 0, 1), c("PER", 1, 2)]);
}

#[test]
fn b_after_i_of_the_same_type_starts_a_new_chunk() {
    assert_eq!(conlleval(&["B-ORG", "I-ORG", "B-ORG"]), [c("ORG", 0, 2), c("ORG", 2, 3)]);
    assert_eq!(conlleval(&["B-ORG", "B-ORG"]), [c("ORG", 0, 1), c("ORG", 1, 2)]);
}

#[test]
fn o_ends_a_chunk_and_chunks_at_sentence_ends_are_closed() {
    assert_eq!(conlleval(&["O", "B-MISC"]), [c("MISC", 1, 2)]);
    assert_eq!(conlleval(&["O", "B-MISC", "I-MISC"]), [c("MISC", 1, 3)]);
}

#[test]
fn empty_and_all_outside_sentences_have_no_chunk() {
    assert!(conlleval(&[] as &[&str]).is_empty());
    assert!(conlleval(&["O", "O"]).is_empty());
}

#[test]
fn iobes_rules_use_s_and_e() {
    let r = ChunkRules::Iobes;
    assert_eq!(chunks(&["S-PER", "S-PER"], r), [c("PER", 0, 1), c("PER", 1, 2)]);
    assert_eq!(chunks(&["B-LOC", "I-LOC", "E-LOC", "B-LOC", "E-LOC"], r), [c("LOC", 0, 3), c("LOC", 3, 5)]);
    // an E- after O starts a one-token chunk; a B- without E- runs to the next end
    assert_eq!(chunks(&["O", "E-ORG", "B-ORG", "I-ORG", "O"], r), [c("ORG", 1, 2), c("ORG", 2, 4)]);
    // conlleval's 2004 rules know no S-: two S-PER in a row are one chunk there
    assert_eq!(conlleval(&["S-PER", "S-PER"]), [c("PER", 0, 2)]);
    // and they keep E-: E-X then I-X starts a new chunk
    assert_eq!(conlleval(&["I-PER", "E-PER", "I-PER"]), [c("PER", 0, 2), c("PER", 2, 3)]);
}

#[test]
fn strict_iob2_drops_ill_formed_i_tags() {
    let r = ChunkRules::StrictIob2;
    assert_eq!(chunks(&["O", "I-PER", "B-PER", "I-PER", "I-LOC"], r), [c("PER", 2, 4)]);
    assert_eq!(chunks(&["B-PER", "B-PER"], r), [c("PER", 0, 1), c("PER", 1, 2)]);
    assert!(chunks(&["S-PER", "E-PER"], r).is_empty());
}

#[test]
fn a_chunk_is_correct_only_if_start_end_and_type_match() {
    let score = |gold: &[&str], pred: &[&str]| {
        let r = score_entities(&[gold.to_vec()], &[pred.to_vec()], ChunkRules::Conlleval).unwrap();
        (r.gold(), r.predicted(), r.correct())
    };
    assert_eq!(score(&["B-PER", "I-PER"], &["B-PER", "I-PER"]), (1, 1, 1));
    assert_eq!(score(&["B-PER", "I-PER"], &["B-PER", "O"]), (1, 1, 0)); // end differs
    assert_eq!(score(&["O", "B-PER"], &["B-PER", "I-PER"]), (1, 1, 0)); // start differs
    assert_eq!(score(&["B-PER", "I-PER"], &["B-ORG", "I-ORG"]), (1, 1, 0)); // type differs
    assert_eq!(score(&["B-PER", "I-PER"], &["I-PER", "I-PER"]), (1, 1, 1)); // I- after O starts it too
    assert_eq!(score(&["B-PER", "B-PER"], &["B-PER", "I-PER"]), (2, 1, 0)); // B- after B- splits
}

#[test]
fn sentence_boundaries_end_chunks() {
    let mut scorer = EntityScorer::new(ChunkRules::Conlleval);
    scorer.push_sentence(&["O", "I-PER"], &["O", "I-PER"]).unwrap();
    scorer.push_sentence(&["I-PER", "O"], &["I-PER", "O"]).unwrap();
    scorer.push_sentence::<&str, &str>(&[], &[]).unwrap(); // an empty sentence changes nothing
    let report = scorer.report();
    assert_eq!((report.gold(), report.correct(), report.tokens()), (2, 2, 4));
}

#[test]
fn an_open_chunk_at_the_end_of_input_counts() {
    let mut scorer = EntityScorer::new(ChunkRules::Conlleval);
    scorer.push("B-LOC", "B-LOC");
    scorer.push("I-LOC", "I-LOC");
    assert_eq!(scorer.report().correct(), 1);
}

#[test]
fn mismatched_lengths_are_an_error() {
    let err = score_entities(&[vec!["O", "O"]], &[vec!["O"]], ChunkRules::Conlleval).unwrap_err();
    assert!(matches!(err, qnet::Error::DimensionMismatch { expected: 2, found: 1, .. }));
    let err = score_entities(&[vec!["O"]], &Vec::<Vec<&str>>::new(), ChunkRules::Conlleval).unwrap_err();
    assert!(matches!(err, qnet::Error::DimensionMismatch { expected: 1, found: 0, .. }));
}

#[test]
fn report_with_no_tokens_prints_only_the_first_line() {
    let report = EntityScorer::new(ChunkRules::Conlleval).report();
    assert_eq!(report.to_string(), "processed 0 tokens with 0 phrases; found: 0 phrases; correct: 0.\n");
}
