//! Real corpora: byte order marks and invisible characters, lenient reading of malformed lines, and columns
//! beyond token, POS, chunk and tag kept through a read–write round trip.

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use qnet::tagger::{
    parse_conll, read_conll_file, write_conll, write_conll_to, ConllFormat, Corpus, MalformedLine, Scheme, Sentence,
    SkippedLines, Tag,
};
use qnet::Error;

const WNUT_DEV: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/wnut/dev.txt");

fn tags(s: &Sentence) -> Vec<&str> {
    s.tags.as_ref().unwrap().iter().map(Tag::as_str).collect()
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("qnet-corpora-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn a_wnut_style_file_is_refused_strictly_at_its_first_missing_column() {
    let err = read_conll_file(WNUT_DEV, &ConllFormat::new()).unwrap_err();
    match &err {
        Error::Conll { path, line, expected, found } => {
            assert_eq!(path, Path::new(WNUT_DEV));
            // Not the BOM line (17) nor the zero-width lines (9, 27): they are blank.
            assert_eq!(*line, 23);
            assert_eq!(expected, "2 columns as on line 1");
            assert_eq!(found, "1 columns");
        }
        other => panic!("unexpected error {other:?}"),
    }
}

#[test]
fn a_wnut_style_file_reads_leniently_with_the_skipped_lines_reported() {
    let corpus = read_conll_file(WNUT_DEV, &ConllFormat::new().skip_malformed(true)).unwrap();
    assert_eq!(corpus.skipped.count, 2);
    let reported: Vec<(&Path, usize)> = corpus.skipped.first.iter().map(|m| (m.path.as_path(), m.line)).collect();
    assert_eq!(reported, [(Path::new(WNUT_DEV), 23), (Path::new(WNUT_DEV), 38)]);
    // Each report is the error a strict read gives for that line.
    let first = &corpus.skipped.first[0];
    assert_eq!(first.to_string(), format!("{WNUT_DEV}:23: expected 2 columns as on line 1, found 1 columns"));
    assert_eq!(Error::from(first.clone()), read_conll_file(WNUT_DEV, &ConllFormat::new()).unwrap_err());

    // The byte order mark is not part of the first token; the invisible lines separate sentences.
    let tokens: Vec<&[String]> = corpus.sentences.iter().map(|s| &s.tokens[..]).collect();
    assert_eq!(tokens[0], ["@sammy_k", "is", "flying", "to", "Kyoto", "tomorrow", "!"]);
    assert_eq!(tokens[1], ["Watching", "Star", "Harbor", "again", "#nostalgia"]);
    // The line without a tag is gone; its sentence goes on.
    assert_eq!(tokens[2], ["new", "phone", "from", "Norvex", "arrived", "today"]);
    assert_eq!(tokens[3], ["RT", "@museum_of_ice", ":", "doors", "open", "at", "9"]);
    assert_eq!(tokens[4], ["see", "u"]);
    assert_eq!(corpus.sentences.len(), 5);
    assert_eq!(tags(&corpus.sentences[1]), ["O", "B-creative-work", "I-creative-work", "O", "O"]);
    assert_eq!(corpus.sentences[2].line, 19);
    assert_eq!(corpus.columns, 2);
    let counts = corpus.entity_counts();
    let types: Vec<&str> = counts.keys().map(String::as_str).collect();
    assert_eq!(types, ["corporation", "creative-work", "group", "location"]);
}

#[test]
fn lines_of_whitespace_and_invisible_format_characters_are_blank() {
    for blank in ["\u{feff}", "\u{200b}", "\u{200c}", "\u{200d}", "\u{2060}", " \u{200b}\t\u{feff} ", "\u{a0}"] {
        let text = format!("a O\n{blank}\nb O\n");
        let corpus = parse_conll(&text, "mem", &ConllFormat::new()).unwrap();
        assert_eq!(corpus.sentences.len(), 2, "{blank:?}");
        assert_eq!(corpus.sentences[1].line, 3);
        // With CRLF line ends too.
        let crlf = text.replace('\n', "\r\n");
        assert_eq!(parse_conll(&crlf, "mem", &ConllFormat::new()).unwrap().sentences.len(), 2, "{blank:?}");
    }
    // A zero-width character inside a line that has other text is kept: such a token is a token.
    let corpus = parse_conll("\u{200b} O\nb\u{200d}c B-X\n", "mem", &ConllFormat::new()).unwrap();
    assert_eq!(corpus.sentences[0].tokens, ["\u{200b}", "b\u{200d}c"]);
    // A character that is neither whitespace nor one of the five makes a line a line.
    let err = parse_conll("a O\n\u{200e}\n", "mem", &ConllFormat::new()).unwrap_err();
    assert!(matches!(err, Error::Conll { line: 2, .. }));
    // A carriage return is whitespace: in a line of nothing else it is blank, in a line of text an error.
    let corpus = parse_conll("a O\n\u{200b}\r\u{200b}\nb O\n", "mem", &ConllFormat::new()).unwrap();
    assert_eq!(corpus.sentences.len(), 2);
    let err = parse_conll("a O\nb\rc O\n", "mem", &ConllFormat::new()).unwrap_err();
    assert!(matches!(err, Error::Conll { line: 2, ref expected, .. } if expected.contains("carriage return")), "{err}");
}

#[test]
fn a_byte_order_mark_is_skipped_only_at_the_start() {
    let corpus = parse_conll("\u{feff}-DOCSTART- O\n\nEU B-ORG\n", "mem", &ConllFormat::new()).unwrap();
    assert!(corpus.docstart);
    assert_eq!((corpus.documents, corpus.sentences[0].line), (1, 3));
    let corpus = parse_conll("\u{feff}EU B-ORG\n", "mem", &ConllFormat::new()).unwrap();
    assert_eq!(corpus.sentences[0].tokens, ["EU"]);
    // Elsewhere, U+FEFF in a token is part of it.
    let corpus = parse_conll("EU B-ORG\n\u{feff}x O\n", "mem", &ConllFormat::new()).unwrap();
    assert_eq!(corpus.sentences[0].tokens, ["EU", "\u{feff}x"]);
    // A first token that starts with U+FEFF after the byte order mark keeps it through a round trip.
    let text = "\u{feff}\u{feff}x O\n\n";
    let corpus = parse_conll(text, "mem", &ConllFormat::new()).unwrap();
    assert_eq!(corpus.sentences[0].tokens, ["\u{feff}x"]);
    let mut out = Vec::new();
    write_conll_to(&mut out, "mem", &corpus.sentences, Scheme::Iob2, false).unwrap();
    assert_eq!(String::from_utf8(out).unwrap(), text);
    // Read from a file, as from memory.
    let dir = temp_dir("bom");
    let path = dir.join("bom.txt");
    std::fs::write(&path, b"\xef\xbb\xbfPeter B-PER\r\nBlackburn I-PER\r\n").unwrap();
    let corpus = read_conll_file(&path, &ConllFormat::new()).unwrap();
    assert_eq!(corpus.sentences[0].tokens, ["Peter", "Blackburn"]);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn lenient_reading_skips_every_kind_of_malformed_line() {
    let lenient = ConllFormat::new().skip_malformed(true);
    assert!(lenient.skips_malformed() && !ConllFormat::new().skips_malformed());
    // Line 1 has too few columns, line 3 too many, line 4 a bad tag, line 5 an empty type, line 6 a carriage
    // return inside it; the most common count (2, first on line 2) is the file's.
    let text = "x\na O\nb NN O\nc PER\nd B-\ne\rf O\ng I-LOC\n";
    let corpus = parse_conll(text, "f.txt", &lenient).unwrap();
    assert_eq!(corpus.sentences[0].tokens, ["a", "g"]);
    assert_eq!(tags(&corpus.sentences[0]), ["O", "B-LOC"]);
    assert_eq!(corpus.sentences[0].line, 2);
    assert_eq!(corpus.skipped.count, 5);
    let lines: Vec<usize> = corpus.skipped.first.iter().map(|m| m.line).collect();
    assert_eq!(lines, [1, 3, 4, 5, 6]);
    assert_eq!(corpus.skipped.first[1].expected, "2 columns as on line 2");
    assert_eq!(corpus.columns, 2);
    // Strictly, the first line sets the count and the second is refused.
    let err = parse_conll(text, "f.txt", &ConllFormat::new()).unwrap_err();
    assert_eq!(err.to_string(), "f.txt:1: expected at least 2 columns for this format, found 1 columns");

    // A declared scheme: a tag outside it is a malformed line.
    let iob2 = lenient.clone().scheme(Some(Scheme::Iob2));
    let corpus = parse_conll("a B-PER\nb E-PER\nc O\n", "f.txt", &iob2).unwrap();
    assert_eq!((corpus.sentences[0].tokens.len(), corpus.skipped.count), (2, 1));

    // Only the first few are kept; all are counted.
    let many: String = (0..20).map(|i| format!("t{i} O\nbad{i}\n")).collect();
    let corpus = parse_conll(&many, "f.txt", &lenient).unwrap();
    assert_eq!(corpus.skipped.count, 20);
    assert_eq!(corpus.skipped.first.len(), SkippedLines::KEPT);
    assert_eq!(corpus.skipped.first.last().unwrap().line, 2 * SkippedLines::KEPT);
    assert_eq!(corpus.num_tokens(), 20);

    // A clean file reads the same either way, with nothing skipped.
    let clean = "-DOCSTART- -X- -X- O\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\n";
    let strict = parse_conll(clean, "f", &ConllFormat::conll2003()).unwrap();
    let loose = parse_conll(clean, "f", &ConllFormat::conll2003().skip_malformed(true)).unwrap();
    assert_eq!(strict, loose);
    assert!(loose.skipped.is_empty());
    // A file where no line fits the format reads as empty, every line skipped.
    let corpus = parse_conll("a\nb\n", "f", &lenient).unwrap();
    assert_eq!((corpus.sentences.len(), corpus.skipped.count, corpus.columns), (0, 2, 0));
}

#[test]
fn a_malformed_line_converts_into_the_strict_error() {
    let m = MalformedLine { path: "a.txt".into(), line: 4, expected: "x".into(), found: "y".into() };
    let e = Error::from(m.clone());
    assert_eq!(e, Error::Conll { path: "a.txt".into(), line: 4, expected: "x".into(), found: "y".into() });
    assert_eq!(m.to_string(), e.to_string());
}

/// Files with 2, 4, 5 and 9 columns (separated by single spaces, tags in IOB2 or IOBES), with the formats that
/// read them and the scheme they are in.
fn column_files() -> Vec<(&'static str, String, Vec<ConllFormat>, Scheme)> {
    let two = "-DOCSTART- O\n\nPeter B-PER\nBlackburn I-PER\n\nParis B-LOC\n\n";
    let four = "-DOCSTART- -X- -X- O\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\nGerman JJ B-NP B-MISC\n\n";
    let five = "Kyoto NNP B-NP 42 B-LOC\nin IN B-PP 7 O\nspring NN B-NP 3 O\n\nyes UH B-INTJ 1 O\n\n";
    // OntoNotes-like: token, POS, parse bit, lemma, frame, sense, speaker, chunk-ish, tag (in IOBES).
    let nine = "-DOCSTART- -X- -X- -X- -X- -X- -X- -X- O\n\n\
        Maria NNP (TOP(S(NP* - - - spk1 B-NP B-PER\n\
        Lindqvist NNP *) - - - spk1 I-NP E-PER\n\
        visited VBD (VP* visit 01 1 spk1 B-VP O\n\
        Essen NNP (NP*))) - - - spk1 B-NP S-LOC\n\n\
        -DOCSTART- -X- -X- -X- -X- -X- -X- -X- O\n\n\
        ok UH (TOP(INTJ*)) - - - spk2 B-INTJ O\n\n";
    let both = || vec![ConllFormat::new(), ConllFormat::conll2003()];
    vec![
        ("2 columns", two.to_string(), vec![ConllFormat::new()], Scheme::Iob2),
        ("4 columns", four.to_string(), both(), Scheme::Iob2),
        ("5 columns", five.to_string(), both(), Scheme::Iob2),
        (
            "9 columns",
            nine.to_string(),
            vec![ConllFormat::new(), ConllFormat::new().pos_column(Some(1))],
            Scheme::Iobes,
        ),
    ]
}

#[test]
fn extra_columns_survive_a_round_trip_byte_for_byte() {
    let dir = temp_dir("columns");
    for (name, text, formats, scheme) in column_files() {
        let columns = text.lines().find(|l| !l.is_empty()).unwrap().split(' ').count();
        for format in formats {
            let corpus = parse_conll(&text, name, &format).unwrap();
            assert_eq!(corpus.scheme, scheme, "{name}");
            assert_eq!(corpus.columns, columns, "{name}");
            // Every column is somewhere: token, tag, POS and chunk when read, and the rest as extras.
            let named =
                2 + usize::from(corpus.sentences[0].pos.is_some()) + usize::from(corpus.sentences[0].chunks.is_some());
            assert!(corpus.sentences.iter().all(|s| s.extra.len() == columns - named), "{name}");
            let mut out = Vec::new();
            write_conll_to(&mut out, name, &corpus.sentences, scheme, corpus.docstart).unwrap();
            assert_eq!(String::from_utf8(out).unwrap(), text, "{name} with {format:?}");
            // Through a file too.
            let path = dir.join("out.txt");
            write_conll(&path, &corpus, scheme).unwrap();
            assert_eq!(std::fs::read_to_string(&path).unwrap(), text, "{name}");
        }
    }
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn extra_columns_keep_their_order_and_values() {
    let nine = &column_files()[3].1;
    let corpus = parse_conll(nine, "nine", &ConllFormat::conll2003()).unwrap();
    let s = &corpus.sentences[0];
    assert_eq!(s.pos.as_ref().unwrap(), &["NNP", "NNP", "VBD", "NNP"]);
    assert_eq!(s.chunks.as_ref().unwrap(), &["(TOP(S(NP*", "*)", "(VP*", "(NP*)))"]);
    assert_eq!(s.extra.len(), 5);
    assert_eq!(s.extra[0], ["-", "-", "visit", "-"]);
    assert_eq!(s.extra[1], ["-", "-", "01", "-"]);
    assert_eq!(s.extra[4], ["B-NP", "I-NP", "B-VP", "B-NP"]);
    assert_eq!(tags(s), ["B-PER", "I-PER", "O", "B-LOC"]);
    // Unlabelled, the last column is an extra column too.
    let corpus = parse_conll("a X 1\nb Y 2\n", "u", &ConllFormat::new().labelled(false)).unwrap();
    assert_eq!(corpus.sentences[0].extra, [["X", "Y"], ["1", "2"]]);
    let mut out = Vec::new();
    write_conll_to(&mut out, "u", &corpus.sentences, Scheme::Iob2, false).unwrap();
    assert_eq!(String::from_utf8(out).unwrap(), "a X 1\nb Y 2\n\n");
}

#[test]
fn a_scheme_change_keeps_the_extra_columns() {
    for (name, text, formats, scheme) in column_files() {
        let format = formats.last().unwrap().clone();
        let corpus = parse_conll(&text, name, &format).unwrap();
        for target in [Scheme::Iob1, Scheme::Iob2, Scheme::Iobes] {
            let mut out = Vec::new();
            write_conll_to(&mut out, name, &corpus.sentences, target, corpus.docstart).unwrap();
            let written = String::from_utf8(out).unwrap();
            let back = parse_conll(&written, name, &format.clone().scheme(Some(target))).unwrap();
            assert_eq!(back.sentences, corpus.sentences, "{name} in {target}");
            if target == scheme {
                assert_eq!(written, text, "{name}");
            }
        }
    }
}

#[test]
fn the_writer_refuses_what_one_file_cannot_hold() {
    let a = parse_conll("a X O\n", "a", &ConllFormat::new()).unwrap();
    let b = parse_conll("b O\n", "b", &ConllFormat::new()).unwrap();
    let mixed: Vec<Sentence> = a.sentences.into_iter().chain(b.sentences).collect();
    let err = write_conll_to(Vec::new(), "out", &mixed, Scheme::Iob2, false).unwrap_err();
    assert_eq!(err, Error::DimensionMismatch { what: "extra columns of a sentence", expected: 1, found: 0 });

    let mut short = parse_conll("a X O\nb Y O\n", "a", &ConllFormat::new()).unwrap();
    short.sentences[0].extra[0].pop();
    let err = write_conll_to(Vec::new(), "out", &short.sentences, Scheme::Iob2, false).unwrap_err();
    assert_eq!(err, Error::DimensionMismatch { what: "extra column of a sentence", expected: 2, found: 1 });

    let mut spaced = parse_conll("a X O\n", "a", &ConllFormat::new()).unwrap();
    spaced.sentences[0].extra[0][0] = "two words".to_string();
    let err = write_conll_to(Vec::new(), "out", &spaced.sentences, Scheme::Iob2, false).unwrap_err();
    assert!(matches!(err, Error::InvalidField { ref field, .. } if field == "two words"));

    // An untagged line of invisible characters would read back as a blank line.
    let invisible = Sentence { tokens: vec!["\u{200b}".to_string()], ..Sentence::default() };
    let err = write_conll_to(Vec::new(), "out", std::slice::from_ref(&invisible), Scheme::Iob2, false).unwrap_err();
    assert!(matches!(err, Error::InvalidField { ref field, .. } if field == "\u{200b}"));
    // With a tag it is a token like any other, and reads back.
    let tagged = Sentence { tags: Some(vec![Tag::outside()]), ..invisible };
    let mut out = Vec::new();
    write_conll_to(&mut out, "out", std::slice::from_ref(&tagged), Scheme::Iob2, false).unwrap();
    let back = parse_conll(std::str::from_utf8(&out).unwrap(), "out", &ConllFormat::new()).unwrap();
    assert_eq!(back.sentences[0].tokens, tagged.tokens);
}

#[test]
fn a_lenient_read_writes_back_what_it_kept() {
    let corpus: Corpus = read_conll_file(WNUT_DEV, &ConllFormat::new().skip_malformed(true)).unwrap();
    let mut out = Vec::new();
    write_conll_to(&mut out, "out", &corpus.sentences, Scheme::Iob2, corpus.docstart).unwrap();
    let back = parse_conll(std::str::from_utf8(&out).unwrap(), "out", &ConllFormat::new()).unwrap();
    assert_eq!(
        back.sentences.iter().map(|s| &s.tokens).collect::<Vec<_>>(),
        corpus.sentences.iter().map(|s| &s.tokens).collect::<Vec<_>>()
    );
    assert!(back.skipped.is_empty());
}

/// A line of a messy file: tokens, tags (some malformed), invisible characters, tabs and carriage returns.
fn messy_line() -> impl Strategy<Value = String> {
    const PIECES: [&str; 14] = [
        "tok",
        "Émile",
        "O",
        "B-PER",
        "I-PER",
        "S-LOC",
        "PER",
        "B-",
        "-X-",
        "\u{feff}",
        "\u{200b}",
        "NNP",
        "-DOCSTART-",
        "\r",
    ];
    const SEPARATORS: [&str; 3] = [" ", "\t", "  "];
    proptest::collection::vec((0..PIECES.len(), 0..SEPARATORS.len()), 0..5).prop_map(|parts| {
        let mut line = String::new();
        for (i, (p, s)) in parts.into_iter().enumerate() {
            if i > 0 {
                line.push_str(SEPARATORS[s]);
            }
            line.push_str(PIECES[p]);
        }
        line
    })
}

/// What a sentence holds besides where it was in its file.
fn content(s: &Sentence) -> Sentence {
    Sentence { line: 0, document: 0, ..s.clone() }
}

proptest! {
    #[test]
    fn lenient_reads_never_fail_agree_with_strict_ones_and_write_back(
        lines in proptest::collection::vec(messy_line(), 0..30),
        bom in any::<bool>(),
        layout in 0usize..3,
        labelled in any::<bool>(),
    ) {
        let text = format!("{}{}", if bom { "\u{feff}" } else { "" }, lines.join("\n"));
        let format = [ConllFormat::new(), ConllFormat::conll2003(), ConllFormat::new().pos_column(Some(1))][layout]
            .clone()
            .labelled(labelled);
        let lenient = parse_conll(&text, "p", &format.clone().skip_malformed(true)).unwrap();
        // Every line is blank, a document marker, a token, or counted as skipped.
        let non_blank: Vec<&str> = text
            .split('\n')
            .map(|l| l.strip_suffix('\r').unwrap_or(l))
            .filter(|l| !l.chars().all(|c| c.is_whitespace() || ['\u{feff}', '\u{200b}'].contains(&c)))
            .collect();
        let is_marker = |l: &&&str| {
            l.trim_start_matches('\u{feff}').split([' ', '\t']).find(|f| !f.is_empty()) == Some("-DOCSTART-")
        };
        let marker_lines = non_blank.iter().filter(is_marker).count();
        let markers = non_blank.len() - lenient.num_tokens() - lenient.skipped.count;
        prop_assert!(markers <= marker_lines && markers >= usize::from(lenient.docstart));
        prop_assert_eq!(lenient.skipped.first.len(), lenient.skipped.count.min(SkippedLines::KEPT));
        if let Ok(strict) = parse_conll(&text, "p", &format) {
            prop_assert!(lenient.skipped.is_empty());
            prop_assert_eq!(&strict, &lenient);
        }
        // What a lenient read kept writes back and reads back strictly, the same.
        let mut out = Vec::new();
        write_conll_to(&mut out, "out", &lenient.sentences, Scheme::Iob2, lenient.docstart).unwrap();
        let written = String::from_utf8(out).unwrap();
        let back = parse_conll(&written, "out", &format.clone().scheme(labelled.then_some(Scheme::Iob2))).unwrap();
        let a: Vec<_> = lenient.sentences.iter().map(content).collect();
        let b: Vec<_> = back.sentences.iter().map(content).collect();
        prop_assert_eq!(a, b);
    }
}

#[cfg(feature = "serde")]
#[test]
fn extra_columns_skipped_lines_and_the_lenient_setting_serialize() {
    let format = ConllFormat::conll2003().skip_malformed(true);
    let json = serde_json::to_string(&format).unwrap();
    assert_eq!(serde_json::from_str::<ConllFormat>(&json).unwrap(), format);
    let corpus = parse_conll(&column_files()[3].1.replace("ok UH", "ok"), "nine", &format).unwrap();
    assert!(corpus.skipped.count == 1 && !corpus.sentences[0].extra.is_empty());
    let json = serde_json::to_string(&corpus).unwrap();
    assert_eq!(serde_json::from_str::<Corpus>(&json).unwrap(), corpus);
    // Values written before these fields existed still read, as strict, without extras or skipped lines.
    let old = r#"{"pos":1,"chunk":2,"unlabelled":false,"scheme":null}"#;
    assert_eq!(serde_json::from_str::<ConllFormat>(old).unwrap(), ConllFormat::conll2003());
    let old = r#"{"sentences":[{"tokens":["a"],"pos":null,"chunks":null,"tags":null,"document":0,"line":1}],
        "documents":1,"docstart":false,"scheme":"Iob2","columns":1}"#;
    let read: Corpus = serde_json::from_str(old).unwrap();
    assert!(read.skipped.is_empty() && read.sentences[0].extra.is_empty());
}
