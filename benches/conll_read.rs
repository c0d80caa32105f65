//! Reading CoNLL-2003's train.txt and scoring a full prediction file.
//!
//! `QNET_CONLL_DIR=../shared/data/conll2003 cargo bench --bench conll_read`. Without the variable, the
//! reading bench is skipped and the scoring bench uses the committed fixture repeated to 50,000 tokens.

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion};
use qnet::tagger::{parse_conll, parse_conlleval, read_conll_file, ChunkRules, ConllFormat, ConllevalOptions};

fn conll_dir() -> Option<PathBuf> {
    std::env::var_os("QNET_CONLL_DIR").map(PathBuf::from)
}

/// A prediction file in conlleval's form: from valid.txt when available (tokens kept in memory only), its
/// predictions shifted by one sentence so that they disagree; otherwise the fixture repeated.
fn prediction_text() -> String {
    if let Some(dir) = conll_dir() {
        let valid = read_conll_file(dir.join("valid.txt"), &ConllFormat::conll2003()).unwrap();
        let mut out = String::new();
        let n = valid.sentences.len();
        for (i, s) in valid.sentences.iter().enumerate() {
            let other = valid.sentences[(i + 1) % n].tags.as_ref().unwrap();
            for (j, (token, gold)) in s.tokens.iter().zip(s.tags.as_ref().unwrap()).enumerate() {
                let pred = other.get(j).map_or("O", |t| t.as_str());
                out.push_str(&format!("{token} {gold} {pred}\n"));
            }
            out.push('\n');
        }
        out
    } else {
        let fixture = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/conlleval/iob2.txt");
        std::fs::read_to_string(fixture).unwrap().repeat(16)
    }
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("tagger");
    group.sample_size(20);
    if let Some(dir) = conll_dir() {
        let path = dir.join("train.txt");
        let text = std::fs::read_to_string(&path).unwrap();
        group.bench_function("read_conll_file train.txt", |b| {
            b.iter(|| read_conll_file(black_box(&path), &ConllFormat::conll2003()).unwrap())
        });
        group.bench_function("parse_conll train.txt (in memory)", |b| {
            b.iter(|| parse_conll(black_box(&text), "train.txt", &ConllFormat::conll2003()).unwrap())
        });
    } else {
        eprintln!("skipped reading train.txt: QNET_CONLL_DIR not set");
    }
    let text = prediction_text();
    group.bench_function("conlleval parse+score", |b| {
        b.iter(|| {
            let p = parse_conlleval(black_box(&text), "pred", &ConllevalOptions::new()).unwrap();
            let entities = p.entity_report(ChunkRules::Conlleval);
            let tokens = p.token_report(None);
            (entities.to_string(), tokens.to_string())
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
