//! Every serializable type, loaded from JSON and then used: the input is a type name, a line break and the
//! JSON (the seeds in `fuzz/seeds/serde/` hold one valid value of each type). Whatever loads must be as valid
//! as a constructed value: it is run, evaluated, differentiated, displayed and serialized again, and what it
//! serializes to must load back as an equal value.

#![no_main]

use libfuzzer_sys::fuzz_target;
use qnet::grad::{DiffMethod, Outputs, QuantumFunction};
use qnet::info::{AverageMethod, Base, DensityMatrix};
use qnet::layer::{Adam, Ansatz, LayerConfig, Linear, QuantumLayer, QuantumNetwork, Readout, Rotation, Sgd, Topology};
use qnet::physics::Boundary;
use qnet::qasm::{Operation, Register};
use qnet::quantum::{Circuit, Gate, Instruction, Observable, Param, Pauli, PauliString, StateVector, UnitaryMatrix};
use qnet::tagger::{
    parse_conll, parse_conlleval, Chunk, ChunkRules, ClassificationReport, ConllFormat, ConllevalOptions, Corpus,
    EntityReport, LabelScores, Predictions, Prefix, Scheme, Sentence, Tag, TagSet, TypeCounts, Vocab,
};
use qnet::ParamKind;
use qnet_fuzz::{RUN_OPS, RUN_QUBITS, SHOTS};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// Computes and forgets a value (the fuzzer looks for panics, aborts and hangs on the way).
fn touch<T>(_: T) {}

/// Loads a `T`; if it loads, uses it and checks that it survives a round trip.
fn load<T: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug>(json: &str, use_it: impl FnOnce(&T)) {
    let Ok(value) = serde_json::from_str::<T>(json) else { return };
    use_it(&value);
    let again = serde_json::to_string(&value).expect("a loaded value serializes");
    let back: T = serde_json::from_str(&again).unwrap_or_else(|e| panic!("its own output does not load: {e}\n{again}"));
    // NaN-free by construction: JSON has no NaN, and every float read is checked or only stored.
    assert_eq!(back, value, "a round trip changed the value");
}

fn run_function(f: &QuantumFunction) {
    let c = f.circuit();
    if c.num_qubits() > RUN_QUBITS || c.len() > RUN_OPS || c.num_weights() > RUN_OPS || c.num_inputs() > RUN_OPS {
        return;
    }
    let (w, x) = (vec![0.4; c.num_weights()], vec![0.1; c.num_inputs()]);
    let values = f.evaluate(&w, &x).expect("a loaded function evaluates");
    let g = vec![1.0; values.len()];
    for method in [DiffMethod::Adjoint, DiffMethod::ParameterShift] {
        f.vjp(method, &w, &x, &g).expect("and differentiates");
    }
    f.parameter_shift(&w, &x, Some(SHOTS), &mut qnet_fuzz::rng()).expect("with shots too");
}

fn small_layer(layer: &QuantumLayer) -> bool {
    layer.num_qubits() <= RUN_QUBITS && layer.circuit().len() <= RUN_OPS
}

fn use_layer(layer: &QuantumLayer) {
    let _ = (layer.circuit().to_string(), layer.num_outputs());
    if small_layer(layer) {
        let x = vec![0.2; layer.num_inputs()];
        let w = layer.init_weights(&mut qnet_fuzz::rng());
        let y = layer.forward(&w, &x).expect("a loaded layer runs");
        layer.backward(&w, &x, &vec![1.0; y.len()]).expect("and differentiates");
    }
}

fn use_network(net: &QuantumNetwork) {
    if !small_layer(net.quantum_layer()) || net.num_params() > 1 << 16 {
        return;
    }
    let x = vec![0.5; net.input_dim()];
    let y = net.forward(&x).expect("a loaded network runs");
    assert_eq!(y.len(), net.output_dim());
    net.backward(&x, &vec![1.0; y.len()]).expect("and differentiates");
    let mut copy = net.clone();
    copy.set_params(&net.params()).expect("its own parameters fit");
}

fn use_state(s: &StateVector) {
    let _ = (s.probabilities(), s.norm());
    s.sample(SHOTS, &mut qnet_fuzz::rng()).expect("a few shots");
    if s.num_qubits() <= RUN_QUBITS {
        let rho = DensityMatrix::from_state(s).expect("a small state's density matrix");
        use_density(&rho);
        if let Ok(o) = Observable::sum_z(s.num_qubits()) {
            let _ = s.expectation(&o);
        }
    }
}

fn use_density(rho: &DensityMatrix) {
    let _ = (rho.purity(), rho.von_neumann_entropy(Base::BITS), rho.measurement_entropy(Base::NATS));
    if rho.num_qubits() > 1 {
        let _ = rho.partial_trace(&[0]).expect("one qubit traced out of several");
        let _ = rho.mutual_information(&[0], &[1], Base::BITS);
    }
}

fn use_observable(o: &Observable) {
    let _ = o.to_string();
    let n = o.min_qubits().max(1);
    if n <= RUN_QUBITS {
        let _ = o.matrix(n).expect("a small observable's matrix");
        let mut s = StateVector::new(n).expect("a small state");
        s.apply_gate(&Gate::H, &[0]).expect("H on qubit 0");
        let _ = s.expectation(o).expect("the observable fits");
        s.sampled_expectation(o, SHOTS, &mut qnet_fuzz::rng()).expect("and is sampled");
    }
}

fn use_optimizer(params: usize, mut step: impl FnMut(&mut [f64], &[f64]) -> qnet::Result<()>) {
    if params <= 1 << 16 {
        let mut p = vec![0.5; params];
        let g = vec![0.1; params];
        step(&mut p, &g).expect("a step on parameters of the optimizer's size");
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Some((name, json)) = text.split_once('\n') else { return };
    match name {
        "Circuit" => load(json, qnet_fuzz::circuit),
        "Instruction" => load(json, |i: &Instruction| {
            let Some(width) = i.qubits().max().map_or(Some(1), |q| q.checked_add(1)) else { return };
            let mut c = Circuit::new(width).expect("at least one qubit");
            c.push(i.clone()).expect("an instruction fits the register of its largest qubit");
            qnet_fuzz::circuit(&c);
        }),
        "Gate" => load(json, |g: &Gate| {
            let _ = (g.to_string(), g.matrix(), g.inverse(), g.slot_shift_rule(0, false), g.generator());
        }),
        "Param" => load(json, |p: &Param| {
            let _ = (p.to_string(), p.value(&[1.0], &[2.0]), p.constant());
        }),
        "ParamKind" => load(json, |k: &ParamKind| touch(k.to_string())),
        "Pauli" => load(json, |p: &Pauli| touch(p.matrix())),
        "PauliString" => load(json, |p: &PauliString| {
            let _ = (p.to_string(), p.min_qubits(), p.is_diagonal());
            use_observable(&p.clone().into());
        }),
        "Observable" => load(json, use_observable),
        "StateVector" => load(json, use_state),
        "UnitaryMatrix" => load(json, |u: &UnitaryMatrix| {
            let mut c = Circuit::new(2).expect("two qubits");
            c.add(Gate::Unitary(u.clone()), &[0, 1][..u.num_qubits()]).expect("a unitary on its qubits");
            qnet_fuzz::circuit(&c);
        }),
        "Outputs" => load(json, |o: &Outputs| touch((o.len(3), o.len(usize::MAX), o.is_empty()))),
        "DiffMethod" => load(json, |_: &DiffMethod| {}),
        "QuantumFunction" => load(json, run_function),
        "LayerConfig" => load(json, |c: &LayerConfig| {
            let layer = c.clone().build().expect("a loaded configuration builds");
            use_layer(&layer);
        }),
        "QuantumLayer" => load(json, use_layer),
        "Rotation" => load(json, |_: &Rotation| {}),
        "Ansatz" => load(json, |_: &Ansatz| {}),
        "Topology" => load(json, |_: &Topology| {}),
        "Readout" => load(json, |_: &Readout| {}),
        "QuantumNetwork" => load(json, use_network),
        "Linear" => load(json, |l: &Linear| {
            if l.num_params() <= 1 << 16 {
                let y = l.forward(&vec![1.0; l.input_dim()]).expect("a loaded layer runs");
                let (mut dx, mut dp) = (vec![0.0; l.input_dim()], vec![0.0; l.num_params()]);
                l.backward_into(&vec![1.0; l.input_dim()], &y, &mut dx, &mut dp).expect("and differentiates");
            }
        }),
        "Sgd" => load(json, |o: &Sgd| {
            let mut o = o.clone();
            let len = serde_json::to_value(&o).expect("serializes")["velocity"].as_array().map_or(0, Vec::len);
            use_optimizer(len, |p, g| o.step(p, g));
        }),
        "Adam" => load(json, |o: &Adam| {
            let mut o = o.clone();
            let len = serde_json::to_value(&o).expect("serializes")["m"].as_array().map_or(0, Vec::len);
            use_optimizer(len, |p, g| o.step(p, g));
        }),
        "Base" => load(json, |b: &Base| touch(qnet::info::entropy(&[0.5, 0.5], *b).expect("a fair coin"))),
        "AverageMethod" => load(json, |m: &AverageMethod| touch(m.average(1.0, 2.0))),
        "DensityMatrix" => load(json, use_density),
        "Boundary" => load(json, |b: &Boundary| {
            let _ = qnet::physics::transverse_field_ising(4, 1.0, 0.5, *b).map(|h| use_observable(&h));
        }),
        "Program" => load(json, qnet_fuzz::program),
        "Register" => load(json, |r: &Register| touch((r.name(), r.offset(), r.size()))),
        "Operation" => load(json, |_: &Operation| {}),
        "Tag" => load(json, |t: &Tag| touch((t.prefix(), t.kind(), t.with_prefix(Prefix::E), t.to_string()))),
        "Prefix" => load(json, |p: &Prefix| touch(p.as_char())),
        "Scheme" => load(json, |s: &Scheme| touch(s.prefixes())),
        "TagSet" => load(json, |t: &TagSet| {
            let ids: Vec<usize> = (0..t.len()).collect();
            let tags = t.decode(&ids).expect("every id of the set");
            assert_eq!(t.encode(&tags).expect("every tag of the set"), ids);
        }),
        "Vocab" => load(json, |v: &Vocab| {
            for id in 0..v.len().min(1000) {
                let word = v.word(id).expect("an id below len");
                assert!(id == 0 || v.id(word) == id || word == Vocab::UNKNOWN_WORD, "{word:?} is not id {id}");
            }
        }),
        "ChunkRules" => load(json, |r: &ChunkRules| touch(qnet::tagger::chunks(&["B-X", "I-X"], *r))),
        "Chunk" => load(json, |c: &Chunk| {
            let _ = (c.len(), c.to_string());
            if c.end <= 1 << 16 {
                let _ = Scheme::Iobes.encode(std::slice::from_ref(c), c.end);
            }
        }),
        "TypeCounts" => load(json, |c: &TypeCounts| touch((c.precision(), c.recall(), c.f1()))),
        "EntityReport" => load(json, |r: &EntityReport| {
            let _ = (r.to_string(), r.f1(), r.accuracy(), r.classification_report().to_string());
        }),
        "ClassificationReport" => load(json, |r: &ClassificationReport| {
            let _ = (r.to_string(), r.labels(), r.micro_avg(), r.weighted_avg(), r.accuracy());
        }),
        "LabelScores" => load(json, |_: &LabelScores| {}),
        "ConllFormat" => load(json, |f: &ConllFormat| {
            let text = "-DOCSTART- -X- -X- O\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\n";
            let _ = parse_conll(text, "fuzz", f).map(|c| qnet_fuzz::corpus(&c, true));
        }),
        "Sentence" => load(json, |s: &Sentence| {
            let corpus = Corpus { sentences: vec![s.clone()], ..Corpus::default() };
            qnet_fuzz::corpus(&corpus, false);
        }),
        "Corpus" => load(json, |c: &Corpus| qnet_fuzz::corpus(c, false)),
        "ConllevalOptions" => load(json, |o: &ConllevalOptions| {
            let text = "a NNP B-PER B-PER\nb NNP I-PER O\n\nc NN O B-LOC\n";
            let _ = parse_conlleval(text, "fuzz", o).map(|p| qnet_fuzz::predictions(&p, 3));
        }),
        "Predictions" => load(json, |p: &Predictions| qnet_fuzz::predictions(p, 5)),
        _ => {}
    }
});
