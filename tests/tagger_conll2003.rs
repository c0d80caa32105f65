//! The default tagger on the real CoNLL-2003 data, read from the folder named by `QNET_CONLL_DIR`: trained on
//! train.txt, it must reach entity F1 ≥ 90 on valid.txt, and a saved and loaded copy must tag valid.txt exactly
//! as it does.
//!
//! Ignored by default (the corpus is not in the repository and training takes a minute in release); `.ci/run`
//! runs it with `cargo test --release --test tagger_conll2003 -- --ignored`. Run without the variable, it
//! fails and says what to set.

use std::path::PathBuf;

use qnet::tagger::{read_conll_file, ConllFormat, Tagger, TaggerConfig};

/// The corpus folder from `QNET_CONLL_DIR`; a test that needs it and runs without it fails here.
fn conll_dir() -> PathBuf {
    match std::env::var_os("QNET_CONLL_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => panic!(
            "QNET_CONLL_DIR is not set: point it at the CoNLL-2003 folder (train.txt and valid.txt), e.g. \
             QNET_CONLL_DIR=../shared/data/conll2003 cargo test --release --test tagger_conll2003 -- --ignored"
        ),
    }
}

#[test]
#[ignore = "needs CoNLL-2003: set QNET_CONLL_DIR (folder with train.txt and valid.txt) and pass --ignored"]
fn default_tagger_reaches_f1_90_on_conll2003_valid() {
    let dir = conll_dir();
    let format = ConllFormat::conll2003();
    // A missing or unreadable file is an error that names it.
    let train = read_conll_file(dir.join("train.txt"), &format).unwrap();
    let valid = read_conll_file(dir.join("valid.txt"), &format).unwrap();
    let tagger = TaggerConfig::default().fit(&train, Some(&valid), |e| eprintln!("{e}")).unwrap();
    let eval = tagger.evaluate(&valid).unwrap();
    eprintln!("{}", eval.entities);
    assert!(eval.entities.f1() >= 0.90, "valid entity F1 {:.4} is below 0.90", eval.entities.f1());

    let path = std::env::temp_dir().join(format!("qnet-conll2003-{}.qnet", std::process::id()));
    tagger.save(&path).unwrap();
    let loaded = Tagger::load(&path);
    std::fs::remove_file(&path).ok();
    assert_eq!(loaded.unwrap().predict_corpus(&valid).unwrap(), tagger.predict_corpus(&valid).unwrap());
}
