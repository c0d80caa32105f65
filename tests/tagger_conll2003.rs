//! The default tagger on the real CoNLL-2003 data, read from the folder named by `QNET_CONLL_DIR` (skipped
//! when it is unset): trained on train.txt, it must reach entity F1 ≥ 90 on valid.txt, and a saved and loaded
//! copy must tag valid.txt exactly as it does.

use std::path::PathBuf;

use qnet::tagger::{read_conll_file, ConllFormat, Tagger, TaggerConfig};

#[test]
fn default_tagger_reaches_f1_90_on_conll2003_valid() {
    let Some(dir) = std::env::var_os("QNET_CONLL_DIR").map(PathBuf::from) else {
        eprintln!("skipped: QNET_CONLL_DIR not set");
        return;
    };
    let format = ConllFormat::conll2003();
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
