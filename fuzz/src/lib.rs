//! What the fuzz targets do with a value once it has been read: use it as a program would, within bounds that
//! keep one input fast (the library's own limits are far larger than a fuzzer's time per input).
//!
//! Besides "no panic, abort or hang", a few properties are asserted: a parsed or loaded program validates, a
//! small circuit runs on a state of its size, exported OpenQASM parses again, a parsed corpus encodes with the
//! tag set learnt from it and writes back out.

use qnet::prelude::*;
use qnet::qasm;
use qnet::tagger::{
    chunks, parse_conll, write_conll_to, write_conlleval_to, ChunkRules, ConllFormat, Corpus, Predictions, Scheme,
    Tag, TagSet, Vocab,
};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// The widest register run on a state (256 amplitudes).
pub const RUN_QUBITS: usize = 8;
/// The most operations run, drawn or exported per input.
pub const RUN_OPS: usize = 512;
/// The shots of every sample.
pub const SHOTS: usize = 8;

/// All three schemes and all three chunk rules.
pub const SCHEMES: [Scheme; 3] = [Scheme::Iob1, Scheme::Iob2, Scheme::Iobes];
pub const RULES: [ChunkRules; 3] = [ChunkRules::Conlleval, ChunkRules::Iobes, ChunkRules::StrictIob2];

/// A seeded generator: a crash must reproduce from its input alone.
pub fn rng() -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(7)
}

/// OpenQASM that qnet wrote must parse again (or hit the operations limit, which decompositions can reach).
pub fn reparse(text: &str) {
    match Program::parse(text) {
        Ok(p) => p.validate().expect("a parsed program is valid"),
        Err(Error::Qasm { kind: qnet::qasm::QasmErrorKind::Limit { .. }, .. }) => {}
        Err(e) => panic!("exported OpenQASM does not parse: {e}\n{text}"),
    }
}

/// Draws, inspects, runs, samples and exports a circuit.
pub fn circuit(c: &Circuit) {
    let _ = (c.depth(), c.gate_counts(), c.num_weights(), c.num_inputs());
    // A circuit with channels has no inverse and runs on a density state only.
    let inverse = match c.inverse() {
        Ok(inverse) => Some(inverse),
        Err(Error::NoisyCircuit { .. }) => None,
        Err(e) => panic!("a circuit without channels has an inverse: {e}"),
    };
    if c.len() > RUN_OPS {
        let _ = format!("{c:40}").len(); // the summary, or a diagram drawn in bands
        return;
    }
    let _ = (c.to_string(), format!("{c:60}"), inverse.as_ref().map(ToString::to_string));
    for inst in c.instructions() {
        let _ = inst.to_string();
    }
    if c.num_weights() > 4 * RUN_OPS || c.num_inputs() > 4 * RUN_OPS {
        return;
    }
    let (w, x) = (vec![0.3; c.num_weights()], vec![-0.2; c.num_inputs()]);
    if let (Some(inverse), true) = (&inverse, c.num_qubits() <= RUN_QUBITS) {
        let mut s = StateVector::new(c.num_qubits()).expect("a small state");
        s.run(c, &w, &x).expect("a circuit runs on a state of its size with all its parameters");
        s.run(inverse, &w, &x).expect("so does its inverse");
        s.sample(SHOTS, &mut rng()).expect("a few shots");
    }
    let bound = c.bind(&w, &x).expect("all parameters are given");
    if let Ok(text) = qasm::to_qasm(&bound) {
        reparse(&text);
    }
}

/// Validates, exports, and runs a program.
pub fn program(p: &Program) {
    p.validate().expect("a parsed or loaded program is valid");
    let small = p.operations().len() <= RUN_OPS;
    if small {
        if let Ok(text) = p.to_qasm() {
            reparse(&text);
        }
    }
    if let Ok(c) = p.circuit() {
        circuit(&c);
    }
    if small && p.num_qubits() <= RUN_QUBITS && p.num_qubits() > 0 {
        let counts = p.sample(SHOTS, &mut rng()).expect("a small valid program runs");
        assert_eq!(counts.values().sum::<usize>(), SHOTS);
        p.run_shot(&mut rng()).expect("one shot runs");
    }
}

/// Learns tag sets and vocabularies, converts schemes, finds chunks and writes a corpus. For a `parsed`
/// corpus (IOB2 tags, fields without spaces), also checks that its tags encode and that it writes back out.
pub fn corpus(c: &Corpus, parsed: bool) {
    let set = TagSet::from_sentences(&c.sentences);
    let vocab = Vocab::from_sentences(&c.sentences, 2);
    let _ = (c.entity_counts(), c.num_tokens());
    for s in &c.sentences {
        let _ = vocab.encode(&s.tokens);
        let Some(tags) = &s.tags else { continue };
        match set.encode(tags) {
            Ok(ids) => assert_eq!(&set.decode(&ids).expect("ids from the set"), tags),
            Err(e) => assert!(!parsed, "a parsed corpus's tag is not in its tag set: {e}"),
        }
        for scheme in SCHEMES {
            let _ = (scheme.to_iob2(&scheme.from_iob2(tags)), Scheme::detect(tags));
        }
        for rules in RULES {
            let _ = chunks(tags, rules);
        }
    }
    for scheme in SCHEMES {
        let mut out = Vec::new();
        let written = write_conll_to(&mut out, "fuzz", &c.sentences, scheme, c.docstart);
        if !parsed {
            continue;
        }
        written.expect("a parsed corpus writes back");
        let with_pos = c.sentences.iter().all(|s| s.pos.is_some()) && !c.sentences.is_empty();
        let with_chunks = c.sentences.iter().all(|s| s.chunks.is_some()) && !c.sentences.is_empty();
        let labelled = c.sentences.iter().all(|s| s.tags.is_some());
        let format = ConllFormat::new()
            .pos_column(with_pos.then_some(1))
            .chunk_column(with_chunks.then_some(1 + usize::from(with_pos)))
            .labelled(labelled)
            .scheme(Some(scheme));
        let text = String::from_utf8(out).expect("written as UTF-8");
        if let Err(e) = parse_conll(&text, "written", &format) {
            panic!("a written corpus does not parse back: {e}\n{text}");
        }
    }
    let predicted: Vec<Vec<Tag>> = c.sentences.iter().map(|s| s.tags.clone().unwrap_or_default()).collect();
    let _ = write_conlleval_to(Vec::new(), "fuzz", &c.sentences, &predicted, Scheme::Iobes);
}

/// Scores predictions under every rule set and prints the reports.
pub fn predictions(p: &Predictions, digits: usize) {
    let _ = p.num_tokens();
    for rules in RULES {
        let report = p.entity_report(rules);
        let _ = (report.to_string(), report.f1(), report.accuracy(), report.overall().f1());
        let table = report.classification_report();
        let _ = table.to_string();
        if let Ok(table) = table.with_digits(digits) {
            let _ = (table.to_string(), table.micro_avg(), table.macro_avg(), table.weighted_avg());
        }
    }
    let tokens = p.token_report(None).with_micro_avg_line();
    let _ = (tokens.to_string(), tokens.accuracy());
    let labels: Vec<&str> = p.gold.iter().flatten().map(String::as_str).take(8).collect();
    let _ = p.token_report(Some(&labels)).to_string();
}
