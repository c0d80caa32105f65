//! The scorer against conlleval.pl, seqeval and scikit-learn on the committed fixture
//! (`tests/fixtures/conlleval/`, made by `make_fixture.py` there; see its `RUN.txt`).

use std::path::PathBuf;

use qnet::tagger::{read_conlleval, ChunkRules, ConllevalOptions, Predictions};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/conlleval").join(name)
}

fn expected(name: &str) -> String {
    std::fs::read_to_string(fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn load(name: &str) -> Predictions {
    read_conlleval(fixture(&format!("{name}.txt")), &ConllevalOptions::new()).unwrap()
}

fn labels_but_o(p: &Predictions) -> Vec<String> {
    let mut labels: Vec<String> = p.gold.iter().chain(&p.predicted).flatten().cloned().collect();
    labels.sort();
    labels.dedup();
    labels.retain(|l| l != "O");
    labels
}

fn check_token_tables(name: &str, p: &Predictions) {
    assert_eq!(p.token_report(None).to_string(), expected(&format!("{name}.sklearn.txt")));
    assert_eq!(p.token_report(None).with_digits(4).unwrap().to_string(), expected(&format!("{name}.sklearn4.txt")));
    let labels = labels_but_o(p);
    let labels: Vec<&str> = labels.iter().map(String::as_str).collect();
    assert_eq!(p.token_report(Some(&labels)).to_string(), expected(&format!("{name}.sklearn_no_o.txt")));
}

#[test]
fn iob2_matches_conlleval_seqeval_and_sklearn() {
    let p = load("iob2");
    let report = p.entity_report(ChunkRules::Conlleval);
    assert_eq!(report.to_string(), expected("iob2.conlleval.txt"));
    assert_eq!(report.classification_report().with_digits(4).unwrap().to_string(), expected("iob2.seqeval.txt"));
    let strict = p.entity_report(ChunkRules::StrictIob2);
    assert_eq!(strict.classification_report().with_digits(4).unwrap().to_string(), expected("iob2.seqeval_strict.txt"));
    check_token_tables("iob2", &p);
}

#[test]
fn iob1_matches_conlleval_seqeval_and_sklearn() {
    let p = load("iob1");
    let report = p.entity_report(ChunkRules::Conlleval);
    assert_eq!(report.to_string(), expected("iob1.conlleval.txt"));
    assert_eq!(report.classification_report().with_digits(4).unwrap().to_string(), expected("iob1.seqeval.txt"));
    assert_eq!(
        p.entity_report(ChunkRules::StrictIob2).classification_report().with_digits(4).unwrap().to_string(),
        expected("iob1.seqeval_strict.txt")
    );
    check_token_tables("iob1", &p);
}

#[test]
fn iobes_matches_conlleval_its_iobes_variant_seqeval_and_sklearn() {
    let p = load("iobes");
    // The 2004 script on IOBES input, rules and quirks included.
    assert_eq!(p.entity_report(ChunkRules::Conlleval).to_string(), expected("iobes.conlleval.txt"));
    let report = p.entity_report(ChunkRules::Iobes);
    assert_eq!(report.to_string(), expected("iobes.conlleval_iobes.txt"));
    assert_eq!(report.classification_report().with_digits(4).unwrap().to_string(), expected("iobes.seqeval.txt"));
    check_token_tables("iobes", &p);
}

#[test]
fn hand_made_rules_match_conlleval() {
    let p = load("rules");
    assert_eq!(p.entity_report(ChunkRules::Conlleval).to_string(), expected("rules.conlleval.txt"));
}

#[test]
fn gold_against_itself_scores_100_on_every_fixture() {
    for (name, rules) in
        [("iob2", ChunkRules::Conlleval), ("iob1", ChunkRules::Conlleval), ("iobes", ChunkRules::Iobes)]
    {
        let mut p = load(name);
        p.predicted = p.gold.clone();
        let report = p.entity_report(rules);
        assert_eq!(report.correct(), report.gold(), "{name}");
        assert_eq!((report.f1(), report.accuracy()), (1.0, 1.0), "{name}");
        assert!(report.to_string().contains("FB1: 100.00\n"), "{name}");
    }
}
