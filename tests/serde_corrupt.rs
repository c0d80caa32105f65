//! Every serializable type checks its invariants when read: corrupt JSON is refused with the library's error
//! message when loaded, never accepted to panic or mislead later. serde_json wraps the error, so these tests
//! compare messages with the `Display` of the expected `qnet::Error`.

#![cfg(feature = "serde")]

use qnet::grad::{Outputs, QuantumFunction};
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

#[test]
fn matrices_with_an_overflowing_shape_are_refused() {
    let huge = "[[],4294967296,4294967296]";
    let too_large = Error::TooLarge { what: "matrix", elements: 1 << 64 }.to_string();
    for e in [refused::<DensityMatrix>(huge), refused::<Linear>(&format!(r#"{{"weight":{huge},"bias":[[],0,null]}}"#))]
    {
        assert!(e.contains(&too_large), "{e}");
    }
    let e = refused::<Gate>(&format!(r#"{{"Unitary":{huge}}}"#));
    assert!(e.contains(&too_large), "{e}");
    // Entries that do not fill the shape, or a vector whose length disagrees with its entries.
    let e = refused::<DensityMatrix>("[[[1.0,0.0],[0.0,0.0],[0.0,0.0]],2,2]");
    assert!(e.contains("matrix entries (rows × columns): expected length 4, found 3"), "{e}");
    let e = refused::<Linear>(r#"{"weight":[[1.0,2.0],1,2],"bias":[[0.0],2,null]}"#);
    assert!(e.contains("expected length 2, found 1"), "{e}");
    // The same layouts nalgebra writes load and compare equal.
    let rho = DensityMatrix::new(nalgebra::DMatrix::from_diagonal_element(2, 2, Complex64::new(0.5, 0.0))).unwrap();
    assert_eq!(round_trip(&rho), rho);
    assert_eq!(serde_json::to_string(&rho).unwrap(), serde_json::to_string(rho.matrix()).unwrap());
}

fn network() -> QuantumNetwork {
    QuantumNetwork::builder(3, 2, 2, 2).readout(Readout::PauliZWithNeighbours).seed(5).build().expect("valid")
}

fn edited(net: &QuantumNetwork, edit: impl FnOnce(&mut serde_json::Value)) -> String {
    let mut value = serde_json::to_value(net).expect("serializable");
    edit(&mut value);
    value.to_string()
}

#[test]
fn networks_round_trip_and_forward_the_same() -> qnet::Result<()> {
    let net = network();
    let back = round_trip(&net);
    assert_eq!(back, net);
    assert_eq!(back.forward(&[0.1, -0.2, 0.3])?, net.forward(&[0.1, -0.2, 0.3])?);
    // Compiled observables, output ranges and the weight count are not part of the file: a file that still
    // holds them (the format before they were rebuilt on load) loads, whatever they say.
    let stale = edited(&net, |v| {
        v["quantum"]["function"] = serde_json::json!({"circuit": null, "ranges": [], "terms": []});
        v["quantum"]["num_weights"] = 0.into();
    });
    let loaded: QuantumNetwork = serde_json::from_str(&stale).expect("the settings are valid");
    assert_eq!(loaded.forward(&[0.1, -0.2, 0.3])?, net.forward(&[0.1, -0.2, 0.3])?);
    Ok(())
}

#[test]
fn networks_whose_parts_do_not_chain_are_refused() {
    let net = network();
    let extra_weight = edited(&net, |v| v["weights"].as_array_mut().unwrap().push(0.5.into()));
    assert!(refused::<QuantumNetwork>(&extra_weight).contains("network: quantum weights: expected length 12, found 13"));
    let deeper = edited(&net, |v| v["quantum"]["config"]["num_layers"] = 3.into());
    assert!(refused::<QuantumNetwork>(&deeper).contains("network: quantum weights: expected length 18, found 12"));
    let wider = edited(&net, |v| v["quantum"]["config"]["num_qubits"] = 3.into());
    assert!(refused::<QuantumNetwork>(&wider).contains("network: input layer outputs"));
    let readout = edited(&net, |v| v["quantum"]["config"]["readout"] = "PauliZ".into());
    assert!(refused::<QuantumNetwork>(&readout).contains("network: output layer inputs"));
    let runaway = edited(&net, |v| v["quantum"]["config"]["num_layers"] = (usize::MAX / 4).into());
    assert!(refused::<QuantumNetwork>(&runaway).contains("invalid number of layers"));
    let wide = edited(&net, |v| v["quantum"]["config"]["num_qubits"] = 70.into());
    assert!(refused::<QuantumNetwork>(&wide).contains("70 qubits need"));
    let bias = edited(&net, |v| v["output"]["bias"][1] = 3.into());
    assert!(refused::<QuantumNetwork>(&bias).contains("expected length 3, found 2"));
}

#[test]
fn layer_configs_and_layers_are_checked_and_rebuilt() -> qnet::Result<()> {
    let layer = LayerConfig::new(3, 2).readout(Readout::Probabilities).build()?;
    let back = round_trip(&layer);
    assert_eq!(back, layer);
    let w = vec![0.3; layer.num_weights()];
    assert_eq!(back.forward(&w, &[0.1, 0.2, 0.3])?, layer.forward(&w, &[0.1, 0.2, 0.3])?);
    let config = serde_json::to_value(layer.config()).expect("serializable");
    let with = |key: &str, value: serde_json::Value| {
        let mut c = config.clone();
        c[key] = value;
        c.to_string()
    };
    assert!(refused::<LayerConfig>(&with("num_qubits", 0.into())).contains("at least one qubit"));
    assert!(refused::<LayerConfig>(&with("num_qubits", 21.into())).contains("at most 20 qubits"));
    assert!(refused::<LayerConfig>(&with("num_layers", 0.into())).contains("must be at least 1"));
    let e = refused::<QuantumLayer>(&format!(r#"{{"config":{}}}"#, with("num_layers", (usize::MAX / 2).into())));
    assert!(e.contains("MAX_LAYER_GATES"), "{e}");
    Ok(())
}

#[test]
fn functions_are_rebuilt_from_their_circuit_and_outputs() -> qnet::Result<()> {
    let mut c = Circuit::new(2)?;
    c.ry(0, Param::weight(0))?.cnot(0, 1)?;
    let f = QuantumFunction::new(c, Outputs::Observables(vec![PauliString::parse("ZZ")?.into()]))?;
    let back = round_trip(&f);
    assert_eq!((back.evaluate(&[0.4], &[])?, &back), (f.evaluate(&[0.4], &[])?, &f));
    let wide = |outputs: &str| format!(r#"{{"circuit":{{"num_qubits":64,"instructions":[]}},"outputs":{outputs}}}"#);
    let too_many = Error::TooManyQubits { num_qubits: 64, bytes: 16 << 64 }.to_string();
    assert!(refused::<QuantumFunction>(&wide(r#""Probabilities""#)).contains(&too_many));
    assert!(refused::<QuantumFunction>(&wide(r#"{"Observables":[{"terms":[]}]}"#)).contains(&too_many));
    let e = refused::<QuantumFunction>(
        r#"{"circuit":{"num_qubits":70,"instructions":[]},"outputs":{"Observables":[{"terms":[{"coeff":1.0,"ops":[[65,"Z"]]}]}]}}"#,
    );
    assert!(e.contains("qubit 65 is out of range for a 62-qubit register"), "{e}");
    let e = refused::<QuantumFunction>(
        r#"{"circuit":{"num_qubits":2,"instructions":[]},"outputs":{"Observables":[{"terms":[{"coeff":1.0,"ops":[[3,"Z"]]}]}]}}"#,
    );
    assert!(e.contains("qubit 3 is out of range for a 2-qubit register"), "{e}");
    Ok(())
}

#[test]
fn optimizers_are_read_through_their_setters() -> qnet::Result<()> {
    let mut adam = Adam::new(0.1)?.with_clip_norm(1.0)?;
    let mut p = [1.0, 2.0];
    adam.step(&mut p, &[0.5, -0.5])?;
    assert_eq!(round_trip(&adam), adam);
    let sgd = Sgd::new(0.1)?.with_momentum(0.9)?;
    assert_eq!(round_trip(&sgd), sgd);
    let mut value = serde_json::to_value(&adam).expect("serializable");
    value["v"].as_array_mut().unwrap().push(0.0.into());
    assert!(refused::<Adam>(&value.to_string()).contains("moments of lengths 2 and 3"));
    value["v"].as_array_mut().unwrap().pop();
    value["beta1"] = 1.5.into();
    assert!(refused::<Adam>(&value.to_string()).contains("invalid beta1: 1.5"));
    let e =
        refused::<Sgd>(r#"{"learning_rate":-1.0,"momentum":0.0,"weight_decay":0.0,"clip_norm":null,"velocity":[]}"#);
    assert!(e.contains("invalid learning rate: -1"), "{e}");
    let e = refused::<Sgd>(r#"{"learning_rate":1.0,"momentum":0.0,"weight_decay":0.0,"clip_norm":0.0,"velocity":[]}"#);
    assert!(e.contains("invalid clip norm: 0"), "{e}");
    Ok(())
}

#[test]
fn registers_are_checked_alone() {
    let e = refused::<qnet::qasm::Register>(r#"{"name":"Q","offset":0,"size":1}"#);
    assert!(e.contains("must match [a-z]"), "{e}");
    let e = refused::<qnet::qasm::Register>(r#"{"name":"q","offset":18446744073709551615,"size":2}"#);
    assert!(e.contains("more bits than MAX_REGISTER_BITS"), "{e}");
}
