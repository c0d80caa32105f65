//! Reading and writing CoNLL files: layout, schemes, documents, and every error.

use std::path::PathBuf;

use qnet::tagger::{
    parse_conll, parse_conlleval, read_conll_file, read_conlleval, write_conll, write_conll_to, write_conlleval,
    ConllFormat, ConllevalOptions, Scheme, Tag, TagSet, Vocab,
};
use qnet::Error;

fn tags(s: &qnet::tagger::Sentence) -> Vec<&str> {
    s.tags.as_ref().unwrap().iter().map(Tag::as_str).collect()
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("qnet-tagger-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

const CONLL: &str = "-DOCSTART- -X- -X- O\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\nGerman JJ B-NP B-MISC\n\n\
Peter NNP B-NP B-PER\nBlackburn NNP I-NP I-PER\n\n-DOCSTART- -X- -X- O\n\nBRUSSELS NNP B-NP B-LOC\n";

#[test]
fn reads_columns_sentences_and_documents() {
    let corpus = parse_conll(CONLL, "mem", &ConllFormat::conll2003()).unwrap();
    assert_eq!(corpus.sentences.len(), 3);
    assert_eq!((corpus.documents, corpus.docstart, corpus.columns), (2, true, 4));
    let s = &corpus.sentences[0];
    assert_eq!(s.tokens, ["EU", "rejects", "German"]);
    assert_eq!(s.pos.as_ref().unwrap(), &["NNP", "VBZ", "JJ"]);
    assert_eq!(s.chunks.as_ref().unwrap(), &["B-NP", "B-VP", "B-NP"]);
    assert_eq!(tags(s), ["B-ORG", "O", "B-MISC"]);
    assert_eq!((s.document, s.line), (0, 3));
    assert_eq!(corpus.sentences[2].document, 1);
    assert_eq!(corpus.num_tokens(), 6);
    let counts = corpus.entity_counts();
    assert_eq!((counts["ORG"], counts["MISC"], counts["PER"], counts["LOC"]), (1, 1, 1, 1));
}

#[test]
fn tabs_crlf_and_a_missing_final_newline_are_accepted() {
    let text = "a\tNN\tB-X\r\nb \t NN  I-X\r\n\r\nc NN O";
    let corpus = parse_conll(text, "mem", &ConllFormat::new().pos_column(Some(1))).unwrap();
    assert_eq!(corpus.sentences.len(), 2);
    assert_eq!(corpus.sentences[0].tokens, ["a", "b"]);
    assert_eq!(tags(&corpus.sentences[0]), ["B-X", "I-X"]);
    assert_eq!(corpus.sentences[1].tokens, ["c"]);
    assert_eq!(corpus.documents, 1);
    assert!(!corpus.docstart);
}

#[test]
fn utf8_tokens_and_any_entity_types_are_read() {
    let corpus = parse_conll("Zürich B-GPE-CITY\n東京 S-GPE-CITY\n", "mem", &ConllFormat::new()).unwrap();
    assert_eq!(corpus.scheme, Scheme::Iobes);
    assert_eq!(corpus.sentences[0].tokens, ["Zürich", "東京"]);
    assert_eq!(tags(&corpus.sentences[0]), ["B-GPE-CITY", "B-GPE-CITY"]);
}

#[test]
fn unlabelled_files_have_tokens_only() {
    let corpus = parse_conll("Peter\nBlackburn\n\nParis\n", "mem", &ConllFormat::new().labelled(false)).unwrap();
    assert_eq!(corpus.sentences.len(), 2);
    assert!(corpus.sentences.iter().all(|s| s.tags.is_none()));
    assert!(corpus.entity_counts().is_empty());
}

#[test]
fn schemes_are_detected_and_converted_to_iob2() {
    let iob1 = parse_conll("a I-PER\nb I-PER\nc B-PER\nd O\ne I-LOC\n", "mem", &ConllFormat::new()).unwrap();
    assert_eq!(iob1.scheme, Scheme::Iob1);
    assert_eq!(tags(&iob1.sentences[0]), ["B-PER", "I-PER", "B-PER", "O", "B-LOC"]);

    let iobes = parse_conll("a B-PER\nb E-PER\nc S-LOC\n", "mem", &ConllFormat::new()).unwrap();
    assert_eq!(iobes.scheme, Scheme::Iobes);
    assert_eq!(tags(&iobes.sentences[0]), ["B-PER", "I-PER", "B-LOC"]);

    let iob2 = parse_conll("a B-PER\nb I-PER\nc O\n", "mem", &ConllFormat::new()).unwrap();
    assert_eq!(iob2.scheme, Scheme::Iob2);
}

#[test]
fn a_declared_scheme_is_used_and_enforced() {
    let format = ConllFormat::new().scheme(Some(Scheme::Iob1));
    // Read as IOB1 although nothing in the text tells IOB1 from IOB2.
    let corpus = parse_conll("a B-PER\nb O\n", "mem", &format).unwrap();
    assert_eq!(corpus.scheme, Scheme::Iob1);
    let err = parse_conll("a B-PER\nb S-PER\n", "f.txt", &ConllFormat::new().scheme(Some(Scheme::Iob2))).unwrap_err();
    assert_eq!(err.to_string(), "f.txt:2: expected a tag of scheme IOB2 (O or B-, I-), found \"S-PER\"");
}

#[test]
fn wrong_column_count_names_file_line_and_expectation() {
    let err = parse_conll("a NN B-X\nb NN O\nc O\n", "data/train.txt", &ConllFormat::new()).unwrap_err();
    match &err {
        Error::Conll { path, line, expected, found } => {
            assert_eq!(path, &PathBuf::from("data/train.txt"));
            assert_eq!(*line, 3);
            assert_eq!(expected, "3 columns as on line 1");
            assert_eq!(found, "2 columns");
        }
        other => panic!("unexpected error {other:?}"),
    }
    assert_eq!(err.to_string(), "data/train.txt:3: expected 3 columns as on line 1, found 2 columns");
    // Too few columns for the format on the first line.
    let err = parse_conll("a O\n", "f", &ConllFormat::conll2003()).unwrap_err();
    assert_eq!(err.to_string(), "f:1: expected at least 4 columns for this format, found 2 columns");
}

#[test]
fn bad_tags_and_empty_types_are_errors() {
    let err = parse_conll("a O\nb PER\n", "f.txt", &ConllFormat::new()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "f.txt:2: expected a tag O or PREFIX-TYPE with PREFIX one of B, I, E, S, found \"PER\""
    );
    let err = parse_conll("a O\n\nb X-PER\n", "f.txt", &ConllFormat::new()).unwrap_err();
    assert!(matches!(err, Error::Conll { line: 3, .. }));
    let err = parse_conll("a B-\n", "f.txt", &ConllFormat::new()).unwrap_err();
    assert_eq!(err.to_string(), "f.txt:1: expected a non-empty entity type after the prefix, found \"B-\"");
}

#[test]
fn non_utf8_files_are_an_error_with_the_line() {
    let dir = temp_dir("utf8");
    let path = dir.join("latin1.txt");
    std::fs::write(&path, b"a O\n\nb O\nZ\xfcrich B-LOC\n").unwrap();
    let err = read_conll_file(&path, &ConllFormat::new()).unwrap_err();
    match &err {
        Error::NotUtf8 { path: p, line } => assert_eq!((p, *line), (&path, 4)),
        other => panic!("unexpected error {other:?}"),
    }
    assert!(err.to_string().ends_with("latin1.txt:4: the line is not valid utf-8"));
    let err = read_conlleval(&path, &ConllevalOptions::new()).unwrap_err();
    assert!(matches!(err, Error::NotUtf8 { line: 4, .. }));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_missing_file_is_an_io_error_naming_it() {
    let err = read_conll_file("no/such/dir/train.txt", &ConllFormat::new()).unwrap_err();
    assert!(matches!(err, Error::Io { .. }));
    assert!(err.to_string().starts_with("i/o error on no/such/dir/train.txt: "));
}

#[test]
fn conlleval_input_errors_name_the_line() {
    let err = parse_conlleval("a O O\nb O O O\n", "p.txt", &ConllevalOptions::new()).unwrap_err();
    assert_eq!(err.to_string(), "p.txt:2: expected 3 fields as on line 1, found 4 fields");
    let err = parse_conlleval("a\n", "p.txt", &ConllevalOptions::new()).unwrap_err();
    assert!(matches!(err, Error::Conll { line: 1, .. }));
}

#[test]
fn conlleval_input_keeps_docstart_as_a_token_and_splits_at_boundaries() {
    let text = "-DOCSTART- O O\n\na B-X B-X\n-X- -X- -X-\nb O O\n\n\n";
    let p = parse_conlleval(text, "p", &ConllevalOptions::new()).unwrap();
    assert_eq!(p.tokens, [vec!["-DOCSTART-"], vec!["a"], vec!["b"]]);
    assert_eq!(p.num_tokens(), 3);
    let tab = parse_conlleval("a\tO\tB-X\n", "p", &ConllevalOptions::new().delimiter("\t")).unwrap();
    assert_eq!(tab.predicted, [vec!["B-X"]]);
}

#[test]
fn write_then_read_gives_the_same_corpus_in_every_scheme() {
    let corpus = parse_conll(CONLL, "mem", &ConllFormat::conll2003()).unwrap();
    let dir = temp_dir("roundtrip");
    for scheme in [Scheme::Iob1, Scheme::Iob2, Scheme::Iobes] {
        let path = dir.join(format!("{scheme}.txt"));
        write_conll(&path, &corpus, scheme).unwrap();
        let back = read_conll_file(&path, &ConllFormat::conll2003().scheme(Some(scheme))).unwrap();
        assert_eq!(back.sentences, corpus.sentences, "{scheme}");
        assert_eq!(back.documents, corpus.documents);
    }
    // IOB2 output is byte-identical to the CoNLL-2003 input.
    let text = std::fs::read_to_string(dir.join("IOB2.txt")).unwrap();
    assert_eq!(text, format!("{CONLL}\n"));
    // No temporary file is left behind.
    let names: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names.len(), 3, "{names:?}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_failed_write_leaves_the_old_file_and_no_temporary_file() {
    let dir = temp_dir("atomic");
    let path = dir.join("out.txt");
    std::fs::write(&path, "old\n").unwrap();
    let mut corpus = parse_conll("a O\n", "mem", &ConllFormat::new()).unwrap();
    corpus.sentences[0].tokens[0] = "two words".to_string();
    let err = write_conll(&path, &corpus, Scheme::Iob2).unwrap_err();
    assert!(matches!(err, Error::InvalidField { .. }));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "old\n");
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
    // A directory that does not exist is an i/o error.
    let err = write_conll(dir.join("missing/out.txt"), &corpus, Scheme::Iob2).unwrap_err();
    assert!(matches!(err, Error::Io { .. }));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn conlleval_output_round_trips_through_the_scorer() {
    let corpus = parse_conll(CONLL, "mem", &ConllFormat::conll2003()).unwrap();
    let predicted: Vec<Vec<Tag>> = corpus.sentences.iter().map(|s| vec![Tag::outside(); s.len()]).collect();
    let dir = temp_dir("conlleval");
    let path = dir.join("pred.txt");
    write_conlleval(&path, &corpus.sentences, &predicted, Scheme::Iobes).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with("EU S-ORG O\nrejects O O\n"));
    let p = read_conlleval(&path, &ConllevalOptions::new()).unwrap();
    let report = p.entity_report(qnet::tagger::ChunkRules::Iobes);
    assert_eq!((report.gold(), report.predicted(), report.tokens()), (4, 0, 6));
    // Mismatched predictions are an error.
    let err = write_conlleval(&path, &corpus.sentences, &predicted[..1], Scheme::Iob2).unwrap_err();
    assert!(matches!(err, Error::DimensionMismatch { expected: 3, found: 1, .. }));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn writing_to_a_failing_writer_is_an_io_error() {
    struct Broken;
    impl std::io::Write for Broken {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("disk full"))
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let corpus = parse_conll("a O\n", "mem", &ConllFormat::new()).unwrap();
    let err = write_conll_to(Broken, "sink", &corpus.sentences, Scheme::Iob2, false).unwrap_err();
    assert_eq!(err.to_string(), "i/o error on sink: disk full");
}

#[test]
fn tag_set_and_vocabulary_from_a_corpus() {
    let corpus = parse_conll(CONLL, "mem", &ConllFormat::conll2003()).unwrap();
    let set = TagSet::from_sentences(&corpus.sentences);
    assert_eq!(set.types(), ["LOC", "MISC", "ORG", "PER"]);
    assert_eq!(set.len(), 9);
    assert_eq!(set.id("O"), Some(TagSet::OUTSIDE));
    for s in &corpus.sentences {
        let t = s.tags.as_ref().unwrap();
        assert_eq!(&set.decode(&set.encode(t).unwrap()).unwrap(), t);
    }
    assert!(matches!(set.encode(&["B-GENE"]), Err(Error::UnknownTag { .. })));
    assert!(matches!(set.decode(&[9]), Err(Error::TagIdOutOfRange { id: 9, len: 9 })));
    let iobes = TagSet::new(["GENE", "PROTEIN"], Scheme::Iobes).unwrap();
    assert_eq!(iobes.len(), 9);
    assert_eq!(iobes.id("S-PROTEIN"), Some(8));
    assert!(matches!(TagSet::new([""], Scheme::Iob2), Err(Error::InvalidTag { .. })));

    let vocab = Vocab::from_sentences(&corpus.sentences, 1);
    assert_eq!(vocab.len(), 7);
    assert_eq!(vocab.word(Vocab::UNKNOWN), Some("<unk>"));
    assert_eq!(vocab.id("unseen"), Vocab::UNKNOWN);
    assert_eq!(vocab.total(), 6);
    let cut = Vocab::from_sentences(&corpus.sentences, 2);
    assert_eq!(cut.len(), 1);
    assert_eq!(cut.count("EU"), 1);
}

#[test]
fn public_types_are_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<qnet::tagger::Corpus>();
    check::<qnet::tagger::EntityScorer>();
    check::<qnet::tagger::EntityReport>();
    check::<qnet::tagger::ClassificationReport>();
    check::<TagSet>();
    check::<Vocab>();
    check::<qnet::tagger::Predictions>();
}
