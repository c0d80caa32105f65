//! Training and tagging speed of the CRF tagger, for each dense path.
//!
//! `cargo bench --bench tagger` times one training epoch and tagging on the embedded sample;
//! with `QNET_CONLL_DIR=../shared/data/conll2003` it also times tagging CoNLL-2003's valid.txt (51,362 tokens)
//! with a tagger trained for one epoch on train.txt. Throughput lines are tokens per second. Full five-epoch
//! training on CoNLL-2003 takes tens of seconds per run, so its time is measured by the `conll_ner` example.

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use qnet::tagger::{read_conll_file, sample, ConllFormat, DensePath, TaggerConfig};

fn bench(c: &mut Criterion) {
    let (train, valid) = (sample::train(), sample::valid());
    let mut group = c.benchmark_group("tagger_sample");
    group.sample_size(10);
    for dense in [DensePath::Quantum, DensePath::Classical, DensePath::None] {
        let config = TaggerConfig::default().dense(dense).epochs(1);
        group.throughput(Throughput::Elements(train.num_tokens() as u64));
        group.bench_with_input(BenchmarkId::new("train_epoch", dense), &config, |b, config| {
            b.iter(|| black_box(config.fit(&train, None, |_| {}).unwrap()))
        });
        let tagger = config.fit(&train, None, |_| {}).unwrap();
        group.throughput(Throughput::Elements(valid.num_tokens() as u64));
        group.bench_with_input(BenchmarkId::new("tag", dense), &tagger, |b, tagger| {
            b.iter(|| black_box(tagger.predict_corpus(&valid).unwrap()))
        });
    }
    group.finish();

    let Some(dir) = std::env::var_os("QNET_CONLL_DIR").map(PathBuf::from) else {
        eprintln!("QNET_CONLL_DIR is not set: skipping the CoNLL-2003 tagging bench");
        return;
    };
    let format = ConllFormat::conll2003();
    let train = read_conll_file(dir.join("train.txt"), &format).unwrap();
    let valid = read_conll_file(dir.join("valid.txt"), &format).unwrap();
    let mut group = c.benchmark_group("tagger_conll2003");
    group.sample_size(10);
    group.throughput(Throughput::Elements(valid.num_tokens() as u64));
    for dense in [DensePath::Quantum, DensePath::Classical, DensePath::None] {
        let tagger = TaggerConfig::default().dense(dense).epochs(1).fit(&train, None, |_| {}).unwrap();
        group.bench_with_input(BenchmarkId::new("tag_valid", dense), &tagger, |b, tagger| {
            b.iter(|| black_box(tagger.predict_corpus(&valid).unwrap()))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
