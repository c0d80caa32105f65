//! Every serializable type checks its invariants when read: corrupt JSON is refused with the library's error
//! message when loaded, never accepted to panic or mislead later. serde_json wraps the error, so these tests
//! compare messages with the `Display` of the expected `qnet::Error`.

#![cfg(feature = "serde")]

use qnet::prelude::*;
use qnet::quantum::MAX_QUBITS;
use qnet::tagger::{score_entities, ChunkRules, ClassificationReport, ConllevalOptions, EntityReport, Vocab};

/// The message of a refused load; panics if the load succeeded.
fn refused<T: serde::de::DeserializeOwned + std::fmt::Debug>(json: &str) -> String {
    match serde_json::from_str::<T>(json) {
        Ok(value) => panic!("{json} was accepted as {value:?}"),
        Err(e) => e.to_string(),
    }
}

fn round_trip<T: serde::Serialize + serde::de::DeserializeOwned>(value: &T) -> T {
    serde_json::from_str(&serde_json::to_string(value).expect("serializable")).expect("its own output loads")
}

// ----- tagger ------------------------------------------------------------------------------------------------

#[test]
fn classification_reports_check_digits_and_counts() {
    let report = ClassificationReport::from_tokens([("B-PER", "O"), ("O", "O")], None);
    assert_eq!(round_trip(&report), report);
    let row = |tp: usize, predicted: usize, support: usize| {
        format!(r#"{{"label":"O","true_positives":{tp},"predicted":{predicted},"support":{support}}}"#)
    };
    let json = |rows: &[String], digits: usize| {
        format!(r#"{{"rows":[{}],"accuracy_line":true,"digits":{digits}}}"#, rows.join(","))
    };
    let e = refused::<ClassificationReport>(&json(&[row(1, 1, 1)], 65536));
    assert!(e.contains("invalid digits: 65536"), "{e}");
    let e = refused::<ClassificationReport>(&json(&[row(5, 1, 9)], 2));
    assert!(e.contains("corrupt classification report: label \"O\" has 5 true positives"), "{e}");
    let huge = usize::MAX;
    let e = refused::<ClassificationReport>(&json(&[row(0, huge, huge), row(0, huge, huge)], 2));
    assert!(e.contains("add up to more than usize::MAX"), "{e}");
    // A loaded report prints like a made one.
    let loaded: ClassificationReport = serde_json::from_str(&json(&[row(1, 2, 1)], 3)).expect("valid");
    assert!(loaded.to_string().contains("0.500"), "{loaded}");
}

#[test]
fn entity_reports_check_their_counts() {
    let gold = vec![vec!["B-PER", "I-PER", "O"], vec!["B-LOC", "O"]];
    let pred = vec![vec!["B-PER", "I-PER", "O"], vec!["B-ORG", "O"]];
    let report = score_entities(&gold, &pred, ChunkRules::Conlleval).expect("same shapes");
    let back = round_trip(&report);
    assert_eq!((back.clone(), back.to_string()), (report.clone(), report.to_string()));
    let mut value = serde_json::to_value(&report).expect("serializable");
    let corrupt = |path: &str, v: serde_json::Value| {
        let mut copy = value.clone();
        *copy.pointer_mut(path).expect("field exists") = v;
        refused::<EntityReport>(&copy.to_string())
    };
    assert!(corrupt("/counts/correct_tags", 99.into()).contains("99 correct tags of 5 tokens"));
    assert!(corrupt("/counts/per_type/PER/correct", 7.into()).contains("PER: 7 correct entities"));
    assert!(corrupt("/counts/gold", 3.into()).contains("the totals say 3, 2 and 1"));
    *value.pointer_mut("/counts/per_type/PER/gold").expect("exists") = usize::MAX.into();
    assert!(refused::<EntityReport>(&value.to_string()).contains("corrupt entity report"));
}

#[test]
fn vocabularies_are_rebuilt_from_their_counts() {
    let vocab = Vocab::build(["the", "cat", "the", "dog"], 1);
    let back = round_trip(&vocab);
    assert_eq!(back, vocab);
    assert_eq!((back.id("the"), back.word(1), back.total()), (1, Some("the"), 4));
    let e = refused::<Vocab>(r#"{"counts":{"a":0},"min_count":1}"#);
    assert!(e.contains("corrupt vocabulary: word \"a\" has a count of 0"), "{e}");
    let e = refused::<Vocab>(&format!(r#"{{"counts":{{"a":{m},"b":{m}}},"min_count":1}}"#, m = usize::MAX));
    assert!(e.contains("add up to more than usize::MAX"), "{e}");
}

#[test]
fn conlleval_options_are_read_through_the_setters() {
    let options: ConllevalOptions =
        serde_json::from_str(r#"{"raw":false,"outside":"O","delimiter":""}"#).expect("valid");
    assert_eq!(options, ConllevalOptions::new().delimiter(""));
    assert_eq!(round_trip(&options), ConllevalOptions::new());
}

// ----- quantum -----------------------------------------------------------------------------------------------

#[test]
fn pauli_strings_from_files_stay_below_max_qubits() {
    let e = refused::<PauliString>(r#"{"coeff":0.5,"ops":[[1,"Z"],[4294967296,"Y"],[65,"X"]]}"#);
    let expected = Error::InvalidQubit { qubit: 4294967296, num_qubits: MAX_QUBITS }.to_string();
    assert!(e.contains(&expected), "{e}");
    let e = refused::<Observable>(r#"{"terms":[{"coeff":1.0,"ops":[[18446744073709551615,"X"]]}]}"#);
    assert!(e.contains("qubit 18446744073709551615 is out of range"), "{e}");
}

#[test]
fn a_circuit_of_2_pow_32_qubits_loads_and_prints_a_summary() {
    let c: Circuit = serde_json::from_str(r#"{"num_qubits":4294967296,"instructions":[]}"#).expect("valid");
    assert!(c.to_string().starts_with("circuit on 4294967296 qubits"));
    let weight = r#"{"num_qubits":1,"instructions":[{"gate":{"RX":{"Weight":{"index":18446744073709551615,"scale":1.0}}},"targets":[0],"controls":[]}]}"#;
    let e = refused::<Circuit>(weight);
    assert!(e.contains("weight vector needs 18446744073709551616 elements"), "{e}");
}
