//! The real CoNLL-2003 files, read from the folder named by `QNET_CONLL_DIR` (skipped when it is unset).

use std::collections::BTreeMap;
use std::path::PathBuf;

use qnet::tagger::{read_conll_file, write_conll_to, ConllFormat, Corpus, Scheme, TagSet, Vocab};

fn corpus(file: &str) -> Option<Corpus> {
    let Some(dir) = std::env::var_os("QNET_CONLL_DIR") else {
        eprintln!("skipped: QNET_CONLL_DIR not set");
        return None;
    };
    let path = PathBuf::from(dir).join(file);
    Some(read_conll_file(&path, &ConllFormat::conll2003()).unwrap_or_else(|e| panic!("{e}")))
}

fn counts(pairs: [(&str, usize); 4]) -> BTreeMap<String, usize> {
    pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

#[test]
fn train_has_the_published_counts() {
    let Some(train) = corpus("train.txt") else {
        return;
    };
    assert_eq!(train.sentences.len(), 14_041);
    assert_eq!(train.num_tokens(), 203_621);
    assert_eq!(train.scheme, Scheme::Iob2);
    assert_eq!(train.entity_counts(), counts([("LOC", 7_140), ("MISC", 3_438), ("ORG", 6_321), ("PER", 6_600)]));
    assert_eq!(train.documents, 946);
    let tags = TagSet::from_sentences(&train.sentences);
    assert_eq!(tags.len(), 9);
    let vocab = Vocab::from_sentences(&train.sentences, 1);
    assert_eq!(vocab.total(), 203_621);
}

#[test]
fn valid_has_the_published_counts() {
    let Some(valid) = corpus("valid.txt") else {
        return;
    };
    assert_eq!(valid.sentences.len(), 3_250);
    assert_eq!(valid.num_tokens(), 51_362);
    assert_eq!(valid.entity_counts(), counts([("LOC", 1_837), ("MISC", 922), ("ORG", 1_341), ("PER", 1_842)]));
    assert_eq!(valid.documents, 216);
}

#[test]
fn valid_is_written_back_byte_for_byte() {
    let Some(valid) = corpus("valid.txt") else {
        return;
    };
    let dir = PathBuf::from(std::env::var_os("QNET_CONLL_DIR").unwrap());
    let original = std::fs::read_to_string(dir.join("valid.txt")).unwrap();
    let mut out = Vec::new();
    write_conll_to(&mut out, "memory", &valid.sentences, Scheme::Iob2, true).unwrap();
    let written = String::from_utf8(out).unwrap();
    // Compare up to trailing blank lines, which the file may or may not have.
    assert_eq!(written.trim_end(), original.trim_end());
}
