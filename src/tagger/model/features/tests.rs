//! The token features against hand computation: how a word's case, shape and document forms are read, and that
//! the features of a token are exactly the templates it should fire, hashed as written out here.

use std::hash::Hasher;

use super::*;

fn words(s: &str) -> Vec<String> {
    s.split_whitespace().map(String::from).collect()
}

/// The features of every token of `tokens` (one sentence, its own document), as sets of hashes per token.
fn features(tokens: &[String], doc: &DocumentForms) -> Vec<Vec<u64>> {
    let view = SentenceView { tokens, pos: None, chunks: None };
    let (mut out, mut offsets) = (Vec::new(), Vec::new());
    sentence_features(&view, doc, &mut out, &mut offsets);
    let mut start = 0;
    offsets
        .iter()
        .map(|&end| {
            let token = out[start..end].to_vec();
            start = end;
            token
        })
        .collect()
}

fn hash(template: u8, parts: &[&[u8]]) -> u64 {
    parts.iter().fold(FeatureHash::new(template), |h, p| h.part(p)).finish()
}

#[test]
fn case_reads_letters_and_the_first_capital() {
    assert_eq!(Case::of("paris"), Case::Lower);
    assert_eq!(Case::of("Paris"), Case::Title);
    assert_eq!(Case::of("NATO"), Case::Upper);
    assert_eq!(Case::of("U.S."), Case::Upper);
    assert_eq!(Case::of("iPhone"), Case::Mixed);
    assert_eq!(Case::of("McDonald"), Case::Mixed);
    assert_eq!(Case::of("A"), Case::Mixed, "a single capital is not all capitals");
    assert_eq!(Case::of("1999"), Case::NoLetter);
    assert_eq!(Case::of(""), Case::NoLetter);
    assert_eq!(Case::of("x1"), Case::Lower);
    let codes: Vec<u8> = [Case::NoLetter, Case::Lower, Case::Title, Case::Upper, Case::Mixed].map(Case::code).into();
    assert_eq!(codes, [0, 1, 2, 3, 4]);
}

#[test]
fn shapes_map_letters_and_digits_and_collapse_repeats() {
    assert_eq!(['A', 'z', '7', '-', '.'].map(shape_char), ['X', 'x', 'd', '-', '.']);
    let t = TokenInfo::new("Ab-12cd");
    assert_eq!((t.shape.as_str(), t.short_shape.as_str(), t.lower.as_str()), ("Xx-ddxx", "Xx-dx", "ab-12cd"));
    assert_eq!(TokenInfo::new("abcdefghijklmnopqrst").shape.len(), 16, "shapes keep 16 characters");
}

#[test]
fn document_forms_count_each_way_a_word_is_written() {
    assert_eq!(form_slot(Case::Lower, 0), Some(FORM_LOWER));
    assert_eq!(form_slot(Case::Title, 3), Some(FORM_TITLE_MID));
    assert_eq!(form_slot(Case::Title, 0), Some(FORM_TITLE_FIRST));
    assert_eq!(form_slot(Case::Upper, 2), Some(FORM_UPPER));
    assert_eq!((form_slot(Case::Mixed, 1), form_slot(Case::NoLetter, 1)), (None, None));
    let (a, b) = (words("The Bank rose"), words("the BANK bank 1999"));
    let doc = DocumentForms::of([&a[..], &b[..]]);
    assert_eq!(doc.forms["the"], [1, 0, 1, 0]);
    assert_eq!(doc.forms["bank"], [1, 1, 0, 1]);
    assert_eq!(doc.forms["rose"], [1, 0, 0, 0]);
    assert!(!doc.forms.contains_key("1999"));
}

#[test]
fn pre_hashed_keys_pass_through() {
    let mut h = PreHashed::default();
    h.write_u64(0xdead_beef);
    assert_eq!(h.finish(), 0xdead_beef);
    let mut h = PreHashed::default();
    h.write(&[1, 2, 3]);
    assert_eq!(h.finish(), 0x01_02_03);
}

#[test]
fn a_token_fires_exactly_its_templates() {
    // "Bank" in the middle of a three-word sentence, its document writing it once more in lowercase.
    let sentence = words("The Bank rose");
    let other = words("a bank");
    let doc = DocumentForms::of([&sentence[..], &other[..]]);
    let got = &features(&sentence, &doc)[1];
    let mut want = vec![
        hash(BIAS, &[]),
        hash(WORD, &[b"Bank"]),
        hash(LOWER, &[b"bank"]),
        hash(SHAPE, &[b"Xxxx"]),
        hash(SHORT_SHAPE, &[b"Xx"]),
        hash(LENGTH, &[&[3]]),
        // Window: two to the left is "<pad>"… no: slot 0 is -2 (padding), 1 is -1, 2 is +1, 3 is +2 (padding).
        hash(WIN_PAD, &[]),
        hash(WIN_LOWER + 1, &[b"the"]),
        hash(WIN_SHAPE + 1, &[b"Xx"]),
        hash(WIN_SUFFIX + 1, &[b"the"]),
        hash(WIN_LOWER + 2, &[b"rose"]),
        hash(WIN_SHAPE + 2, &[b"x"]),
        hash(WIN_SUFFIX + 2, &[b"ose"]),
        hash(WIN_PAD + 3, &[]),
        hash(BI_LOWER_PREV, &[b"the", b"bank"]),
        hash(BI_LOWER_NEXT, &[b"bank", b"rose"]),
        hash(TRI_SHAPE, &[b"Xx", b"Xx", b"x"]),
        // Elsewhere in the document: lowercase once (slot 0), read from a title-case word mid-sentence.
        hash(DOC_FORM, &[&[FORM_TITLE_MID as u8, FORM_LOWER as u8, Case::Title.code()]]),
    ];
    for len in 1..=4 {
        want.push(hash(PREFIX + len as u8 - 1, &[&b"Bank"[..len]]));
        want.push(hash(SUFFIX + len as u8 - 1, &[&b"Bank"[4 - len..]]));
    }
    let (mut got, mut want) = (got.clone(), want);
    got.sort_unstable();
    want.sort_unstable();
    assert_eq!(got, want);
}

#[test]
fn flags_positions_and_headlines() {
    // A headline (most words all capitals): every token fires HEADLINE; the first and last fire POSITION.
    let sentence = words("U.S. STOCKS UP-12 '99");
    let doc = DocumentForms::default();
    let all = features(&sentence, &doc);
    for (i, token) in all.iter().enumerate() {
        assert!(token.contains(&hash(HEADLINE, &[])), "token {i}");
        assert!(token.contains(&hash(HEADLINE_LOWER, &[sentence[i].to_lowercase().as_bytes()])));
    }
    assert!(all[0].contains(&hash(POSITION, &[b"first"])) && !all[1].contains(&hash(POSITION, &[b"first"])));
    assert!(all[3].contains(&hash(POSITION, &[b"last"])) && !all[2].contains(&hash(POSITION, &[b"last"])));
    let flag = |f: u8| hash(FLAG, &[&[f]]);
    // Flags: 0 has a digit, 1 all digits, 2 hyphen, 3 period, 4 apostrophe, 5 no letter or digit.
    assert!(all[0].contains(&flag(3)) && !all[0].contains(&flag(0)) && !all[0].contains(&flag(2)));
    assert!(all[2].contains(&flag(0)) && all[2].contains(&flag(2)) && !all[2].contains(&flag(1)));
    assert!(all[3].contains(&flag(0)) && all[3].contains(&flag(4)) && !all[3].contains(&flag(5)));
    let punctuation = features(&words("- 42"), &doc);
    assert!(punctuation[0].contains(&flag(5)) && punctuation[0].contains(&flag(2)));
    assert!(punctuation[1].contains(&flag(1)) && punctuation[1].contains(&flag(0)));
    assert!(!features(&words("Not a headline"), &doc)[0].contains(&hash(HEADLINE, &[])));
}

#[test]
fn feature_hashes_are_the_saved_models_format() {
    // A saved tagger stores its features' hashes: the hash function is part of the file format, and these
    // values (FNV-1a over the template id and each part, each part closed by 0xff, then a splitmix64 round)
    // were computed outside the crate, in Python. A change here makes every saved model read wrong features.
    assert_eq!(hash(BIAS, &[]), 0x71b8_262b_b6e2_e086);
    assert_eq!(hash(WORD, &[b"Bank"]), 0xd00a_9c75_b341_9022);
    assert_eq!(hash(BI_LOWER_PREV, &[b"the", b"bank"]), 0x04b7_8672_4a10_74c3);
}
