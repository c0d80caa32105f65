//! The dense path, the emissions and the training step against hand computation and central differences, on a
//! five-sentence corpus, two qubits and three-dimensional embeddings (each test runs in milliseconds, so
//! `cargo mutants` can run them for every mutant).

mod dense;
mod emissions;
mod noise;
mod passes;
mod train;

use super::dense::{DenseModel, DenseNet};
use super::features::SentenceFeatures;
use super::train::Run;
use super::{DensePath, Tagger, TaggerConfig};
use crate::tagger::reader::{parse_conll, ConllFormat, Corpus};

/// Two entity types, so the internal IOBES tag set has K = 9 tags: O, B/I/E/S-LOC, B/I/E/S-PER.
const TEXT: &str = "\
Maria B-PER\nLindqvist I-PER\nvisited O\nEssen B-LOC\n. O\n\n\
Essen B-LOC\nwelcomes O\nMaria B-PER\n. O\n\n\
Shares O\nrose O\nin O\nPort B-LOC\nEssen I-LOC\n\n\
Lindqvist B-PER\nspoke O\n\n\
Rain O\nfell O\n. O\n";

fn corpus() -> Corpus {
    parse_conll(TEXT, "tiny", &ConllFormat::new()).unwrap()
}

/// Small enough for central differences over every parameter; 512 buckets so that a batch leaves rows unused.
fn config(dense: DensePath) -> TaggerConfig {
    TaggerConfig::default()
        .dense(dense)
        .qubits(2)
        .layers(1)
        .embedding_dim(3)
        .buckets(512)
        .seed(5)
        .l2(1e-3)
        .learning_rate(0.02)
        .dense_learning_rate(0.03)
        .batch_size(2)
}

/// The initial tagger and its training run on the tiny corpus.
fn setup(dense: DensePath) -> (Tagger, Run) {
    Run::new(&config(dense), &corpus()).unwrap()
}

/// A fixed, irregular value in [−1, 1) for each index (the additive recurrence of the plastic number).
fn wobble(i: usize) -> f64 {
    ((i as f64 + 1.0) * 0.754_877_666_246_692_8).fract() * 2.0 - 1.0
}

/// Non-zero sparse weights and CRF scores, so that no gradient vanishes by symmetry.
fn randomise(tagger: &mut Tagger) {
    for (i, w) in tagger.weights.iter_mut().enumerate() {
        *w = 0.3 * wobble(i + 17);
    }
    let k = tagger.inner.len();
    let scores: Vec<f64> = (0..k * k + 2 * k).map(|i| 0.5 * wobble(i + 1000)).collect();
    tagger.crf.set_scores(&scores[..k * k], &scores[k * k..k * k + k], &scores[k * k + k..]).unwrap();
}

/// The bag of a token, written out: the embedding rows of its features' buckets (id mod buckets), summed, over
/// √(number of features); zeros for a token without features.
fn hand_bag(d: &DenseModel, ids: &[u32]) -> Vec<f64> {
    let mut bag = vec![0.0; d.dim];
    for &id in ids {
        let row = id as usize % d.buckets;
        for (j, b) in bag.iter_mut().enumerate() {
            *b += d.embeddings[row * d.dim + j];
        }
    }
    let n = ids.len().max(1) as f64;
    bag.iter().map(|b| b / n.sqrt()).collect()
}

/// The network's scores of one bag: the quantum network's own single-sample forward pass, or the classical
/// stand-in written out from its matrices (W₂·tanh(W₁x + b₁) + b₂).
fn hand_scores(d: &DenseModel, bag: &[f64]) -> Vec<f64> {
    match &d.net {
        DenseNet::Quantum(q) => q.forward(bag).unwrap(),
        DenseNet::Classical(c) => {
            let (hidden, output) = (c.hidden(), c.output());
            let (w1, b1) = (hidden.weight(), hidden.bias());
            let (w2, b2) = (output.weight(), output.bias());
            let z: Vec<f64> = (0..w1.nrows())
                .map(|i| (b1[i] + (0..w1.ncols()).map(|j| w1[(i, j)] * bag[j]).sum::<f64>()).tanh())
                .collect();
            (0..w2.nrows()).map(|k| b2[k] + (0..w2.ncols()).map(|i| w2[(k, i)] * z[i]).sum::<f64>()).collect()
        }
    }
}

/// The emissions of a sentence, written out: each token's sparse weight rows summed, plus the dense scores of
/// its bag.
fn hand_emissions(tagger: &Tagger, f: &SentenceFeatures) -> Vec<f64> {
    let k = tagger.inner.len();
    let mut e = Vec::with_capacity(f.len() * k);
    for t in 0..f.len() {
        let mut row = vec![0.0; k];
        for &id in f.token(t) {
            for (r, w) in row.iter_mut().zip(&tagger.weights[id as usize * k..(id as usize + 1) * k]) {
                *r += w;
            }
        }
        if let Some(d) = &tagger.dense {
            for (r, s) in row.iter_mut().zip(hand_scores(d, &hand_bag(d, f.token(t)))) {
                *r += s;
            }
        }
        e.extend(row);
    }
    e
}

/// The training objective of a minibatch: the mean over its sentences of the CRF's loss on the hand emissions.
fn objective(tagger: &Tagger, feats: &[&SentenceFeatures], golds: &[&[usize]], beta: f64) -> f64 {
    let sum: f64 = feats
        .iter()
        .zip(golds)
        .map(|(f, g)| tagger.crf.loss_and_gradient(&hand_emissions(tagger, f), g, beta).unwrap().loss)
        .sum();
    sum / feats.len() as f64
}

/// The central difference (f(x + h) − f(x − h)) / 2h of `f` in one coordinate of a parameter vector.
fn central(x: &[f64], i: usize, h: f64, mut f: impl FnMut(&[f64]) -> f64) -> f64 {
    let mut p = x.to_vec();
    p[i] = x[i] + h;
    let up = f(&p);
    p[i] = x[i] - h;
    let down = f(&p);
    (up - down) / (2.0 * h)
}

/// |a − b| within an absolute and a relative tolerance.
fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * (1.0 + a.abs().max(b.abs()))
}
