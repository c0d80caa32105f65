//! The passes a training step costs: each token's circuit runs forward once per step (counted with the
//! engine's test-only counter), and the recorded path gives the gradients of the former two-pass path (an
//! unrecorded forward pass for the scores, then a backward pass that ran the network forward again).

use super::super::dense::{DenseNet, DenseTape};
use super::super::features::SentenceFeatures;
use super::super::train::SparseGrads;
use super::super::Tagger;
use super::{randomise, setup};
use crate::quantum::engine::FORWARD_PASSES;
use crate::tagger::model::DensePath;

/// Runs `f` on a pool of one thread (every pass happens on the thread whose counter is read) and returns its
/// forward passes of a plan.
fn passes_of<T: Send>(f: impl FnOnce() -> T + Send) -> (u64, T) {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("a pool of one thread");
    pool.install(|| {
        let before = FORWARD_PASSES.with(std::cell::Cell::get);
        let out = f();
        (FORWARD_PASSES.with(std::cell::Cell::get) - before, out)
    })
}

#[test]
fn a_training_step_runs_each_tokens_circuit_forward_once() {
    let (mut tagger, mut run) = setup(DensePath::Quantum);
    for batch in [[0usize, 3], [1, 4], [2, 0]] {
        let feats: Vec<&SentenceFeatures> = batch.iter().map(|&i| &run.features[i]).collect();
        let golds: Vec<&[usize]> = batch.iter().map(|&i| run.gold[i].as_slice()).collect();
        let tokens = feats.iter().map(|f| f.len() as u64).sum::<u64>();
        let (opt, sparse, emb, tape) = (&mut run.opt, &mut run.sparse, &mut run.embeddings, &mut run.dense_tape);
        let (passes, loss) = passes_of(|| tagger.train_step(&feats, &golds, 0.2, opt, sparse, emb, tape).unwrap());
        assert!(loss.is_finite());
        assert_eq!(passes, tokens, "batch {batch:?}");
    }
    // The counter counts: predicting runs each token's circuit once too, and without a dense path nothing runs.
    let tokens = run.features[1].len() as u64;
    assert_eq!(passes_of(|| tagger.decode(&run.features[1..2]).unwrap()).0, tokens);
    let (mut none, mut run) = setup(DensePath::None);
    let feats = [&run.features[0]];
    let golds = [run.gold[0].as_slice()];
    let (opt, sparse, emb, tape) = (&mut run.opt, &mut run.sparse, &mut run.embeddings, &mut run.dense_tape);
    assert_eq!(passes_of(|| none.train_step(&feats, &golds, 0.2, opt, sparse, emb, tape).unwrap()).0, 0);
}

#[test]
fn under_noise_a_training_step_runs_each_tokens_circuit_forward_once() {
    // The noisy tape keeps each token's density state, from which the backward sweep starts: a step runs each
    // token's circuit forward once, as predicting does (one run of a density state goes through one plan per
    // stretch between two-qubit channels, so it counts several passes).
    let (mut tagger, mut run) = setup(DensePath::Quantum);
    tagger.set_dense_noise(super::super::noise::depolarizing_noise(0.02).unwrap()).unwrap();
    let batch = [0usize, 3];
    let (predicting, _) = passes_of(|| tagger.decode(&[run.features[0].clone(), run.features[3].clone()]).unwrap());
    let feats: Vec<&SentenceFeatures> = batch.iter().map(|&i| &run.features[i]).collect();
    let golds: Vec<&[usize]> = batch.iter().map(|&i| run.gold[i].as_slice()).collect();
    let tokens = feats.iter().map(|f| f.len() as u64).sum::<u64>();
    assert!(predicting >= tokens && predicting % tokens == 0, "{predicting} passes for {tokens} tokens");
    let (opt, sparse, emb, tape) = (&mut run.opt, &mut run.sparse, &mut run.embeddings, &mut run.dense_tape);
    let (passes, loss) = passes_of(|| tagger.train_step(&feats, &golds, 0.2, opt, sparse, emb, tape).unwrap());
    assert!(loss.is_finite());
    assert_eq!(passes, predicting);
}

/// The former two-pass gradients, written out: the scores by an unrecorded forward pass, the CRF's gradients,
/// then the network's backward pass from the bags (which runs the network forward again).
fn two_pass(tagger: &Tagger, feats: &[&SentenceFeatures], golds: &[&[usize]], beta: f64) -> (f64, Vec<f64>, Vec<f64>) {
    let k = tagger.inner.len();
    let d = tagger.dense.as_ref().unwrap();
    let bags = d.bags(feats);
    let scores = d.forward(&bags, k).unwrap();
    let (mut loss, mut upstream, mut at) = (0.0, Vec::new(), 0);
    for (f, g) in feats.iter().zip(golds) {
        let rows = &scores[at..at + f.len() * k];
        at += f.len() * k;
        let grad = tagger.crf.loss_and_gradient(&tagger.emissions(f, Some(rows)), g, beta).unwrap();
        loss += grad.loss;
        upstream.extend(grad.emissions.iter().map(|v| v / feats.len() as f64));
    }
    let grads = match &d.net {
        DenseNet::Quantum(q) => q.backward_batch(&bags, &upstream).unwrap(),
        DenseNet::Classical(_) => unreachable!("the quantum path only"),
    };
    (loss, grads.inputs, grads.params)
}

#[test]
fn the_recorded_step_gives_the_two_pass_gradients_bit_for_bit() {
    let (mut tagger, mut run) = setup(DensePath::Quantum);
    randomise(&mut tagger);
    for (batch, beta) in [([0usize, 3], 0.0), ([4, 1], 0.4)] {
        let feats: Vec<&SentenceFeatures> = batch.iter().map(|&i| &run.features[i]).collect();
        let golds: Vec<&[usize]> = batch.iter().map(|&i| run.gold[i].as_slice()).collect();
        let (loss, bag_grads, dense) = two_pass(&tagger, &feats, &golds, beta);
        let (sparse, emb, tape) = (&mut run.sparse, &mut run.embeddings, &mut run.dense_tape);
        let g = tagger.gradients(&feats, &golds, beta, sparse, emb, tape).unwrap();
        // The same arithmetic in the same order (per-sample sweeps, partial sums per fixed chunk): equal bits.
        assert_eq!(g.loss.to_bits(), loss.to_bits());
        assert_eq!(g.dense, dense);
        let d = tagger.dense.as_ref().unwrap();
        let mut expected = SparseGrads::default();
        d.bag_gradients(&feats, &bag_grads, &mut expected.slots, &mut expected.rows, &mut expected.values);
        assert_eq!((&run.embeddings.rows, &run.embeddings.values), (&expected.rows, &expected.values));
    }
}

#[test]
fn a_dense_tape_reused_for_other_batches_records_each_afresh() {
    let (tagger, _) = setup(DensePath::Quantum);
    let d = tagger.dense.as_ref().unwrap();
    let k = tagger.inner.len();
    let bags: Vec<f64> = (0..3 * d.dim * 4).map(|i| 0.1 * super::wobble(i)).collect();
    let mut tape = DenseTape::default();
    d.record(&bags, k, &mut tape).unwrap();
    let first = tape.scores(&d.net).to_vec();
    d.record(&bags[..d.dim * 5], k, &mut tape).unwrap();
    assert_eq!(tape.scores(&d.net), &first[..5 * k]);
    d.record(&bags, k, &mut tape).unwrap();
    assert_eq!(tape.scores(&d.net), &first[..]);
}
