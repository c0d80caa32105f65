//! The training step: the minibatch's gradients against central differences of the objective written out by
//! hand, then clipping and Adam on exactly the rows and parameters the batch used; the learning-rate schedule.

use super::super::dense::DenseTape;
use super::super::features::SentenceFeatures;
use super::super::train::SparseGrads;
use super::super::Tagger;
use super::{close, config, corpus, objective, randomise, setup};
use crate::layer::Adam;
use crate::tagger::model::train::Run;
use crate::tagger::model::DensePath;

/// One parameter of the tagger.
#[derive(Clone, Copy, Debug)]
enum Param {
    Sparse(usize),
    Embedding(usize),
    Dense(usize),
    Crf(usize),
}

fn crf_scores(t: &Tagger) -> Vec<f64> {
    [t.crf.transitions(), t.crf.start_scores(), t.crf.end_scores()].concat()
}

fn set_crf_scores(t: &mut Tagger, s: &[f64]) {
    let k = t.inner.len();
    t.crf.set_scores(&s[..k * k], &s[k * k..k * k + k], &s[k * k + k..]).unwrap();
}

fn get(t: &Tagger, p: Param) -> f64 {
    match p {
        Param::Sparse(i) => t.weights[i],
        Param::Embedding(i) => t.dense.as_ref().unwrap().embeddings[i],
        Param::Dense(i) => t.dense.as_ref().unwrap().params()[i],
        Param::Crf(i) => crf_scores(t)[i],
    }
}

fn set(t: &mut Tagger, p: Param, v: f64) {
    match p {
        Param::Sparse(i) => t.weights[i] = v,
        Param::Embedding(i) => t.dense.as_mut().unwrap().embeddings[i] = v,
        Param::Dense(i) => {
            let d = t.dense.as_mut().unwrap();
            let mut q = d.params();
            q[i] = v;
            d.set_params(&q).unwrap();
        }
        Param::Crf(i) => {
            let mut s = crf_scores(t);
            s[i] = v;
            set_crf_scores(t, &s);
        }
    }
}

/// ∂J/∂p by central differences, J the minibatch objective written out by hand.
fn numeric(probe: &mut Tagger, p: Param, feats: &[&SentenceFeatures], golds: &[&[usize]], beta: f64) -> f64 {
    let (x, h) = (get(probe, p), 1e-5);
    set(probe, p, x + h);
    let up = objective(probe, feats, golds, beta);
    set(probe, p, x - h);
    let down = objective(probe, feats, golds, beta);
    set(probe, p, x);
    (up - down) / (2.0 * h)
}

fn fresh_buffers(tagger: &Tagger) -> (SparseGrads, SparseGrads) {
    (SparseGrads { slots: vec![u32::MAX; tagger.features.len()], ..SparseGrads::default() }, SparseGrads::default())
}

/// The feature ids and the embedding buckets that the tokens of `feats` read, sorted.
fn used(feats: &[&SentenceFeatures], buckets: usize) -> (Vec<u32>, Vec<u32>) {
    let mut ids: Vec<u32> = feats.iter().flat_map(|f| f.ids.iter().copied()).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut rows: Vec<u32> = ids.iter().map(|&id| (id as usize % buckets) as u32).collect();
    rows.sort_unstable();
    rows.dedup();
    (ids, rows)
}

fn sorted(v: &[u32]) -> Vec<u32> {
    let mut v = v.to_vec();
    v.sort_unstable();
    v
}

#[test]
fn minibatch_gradients_match_central_differences_of_the_objective() {
    for (dense, beta) in [(DensePath::Quantum, 0.0), (DensePath::Quantum, 0.4), (DensePath::Classical, 0.4)] {
        let (mut tagger, mut run) = setup(dense);
        randomise(&mut tagger);
        let k = tagger.inner.len();
        let (dim, buckets) = (tagger.config.embedding_dim, tagger.config.buckets);
        // Warm the buffers with another batch first: what it leaves behind must not leak into this one.
        let other: Vec<&SentenceFeatures> = vec![&run.features[1], &run.features[4]];
        let other_gold: Vec<&[usize]> = vec![&run.gold[1], &run.gold[4]];
        tagger.gradients(&other, &other_gold, beta, &mut run.sparse, &mut run.embeddings, &mut run.dense_tape).unwrap();
        let feats: Vec<&SentenceFeatures> = vec![&run.features[0], &run.features[3]];
        let golds: Vec<&[usize]> = vec![&run.gold[0], &run.gold[3]];
        let (sparse, emb) = (&mut run.sparse, &mut run.embeddings);
        let g = tagger.gradients(&feats, &golds, beta, sparse, emb, &mut run.dense_tape).unwrap();
        let (sparse, emb) = (&run.sparse, &run.embeddings);

        let summed: f64 = objective(&tagger, &feats, &golds, beta) * feats.len() as f64;
        assert!(close(g.loss, summed, 1e-12), "{dense}: loss {} vs {summed}", g.loss);

        let (ids, rows) = used(&feats, buckets);
        assert_eq!(sorted(&sparse.rows), ids, "{dense}: the sparse rows are the batch's features, each once");
        assert_eq!(sparse.values.len(), ids.len() * k);
        assert_eq!(sorted(&emb.rows), rows, "{dense}: the embedding rows are the batch's buckets, each once");
        assert_eq!(emb.values.len(), rows.len() * dim);
        assert_eq!(g.dense.len(), tagger.dense.as_ref().unwrap().num_params());
        assert_eq!(g.crf.len(), k * k + 2 * k);

        let mut probe = tagger.clone();
        let mut check = |analytic: f64, p: Param| {
            let n = numeric(&mut probe, p, &feats, &golds, beta);
            assert!(close(analytic, n, 1e-6), "{dense} beta {beta} {p:?}: analytic {analytic} numeric {n}");
        };
        for (slot, &id) in sparse.rows.iter().enumerate() {
            for c in 0..k {
                check(sparse.values[slot * k + c], Param::Sparse(id as usize * k + c));
            }
        }
        for (slot, &row) in emb.rows.iter().enumerate() {
            for j in 0..dim {
                check(emb.values[slot * dim + j], Param::Embedding(row as usize * dim + j));
            }
        }
        for (i, &v) in g.dense.iter().enumerate() {
            check(v, Param::Dense(i));
        }
        for (i, &v) in g.crf.iter().enumerate() {
            check(v, Param::Crf(i));
        }
        // The rows the batch reads get a gradient; a row it does not read has none.
        assert!(emb.values.chunks(dim).all(|r| r.iter().any(|v| v.abs() > 1e-9)), "{dense}: a used row got nothing");
        assert!(g.dense.iter().filter(|v| v.abs() > 1e-9).count() > g.dense.len() / 2, "{dense}: {:?}", g.dense);
        let unused: Vec<usize> = (0..buckets).filter(|b| rows.binary_search(&(*b as u32)).is_err()).take(4).collect();
        assert_eq!(unused.len(), 4);
        for b in unused {
            for j in 0..dim {
                assert_eq!(numeric(&mut probe, Param::Embedding(b * dim + j), &feats, &golds, beta), 0.0);
            }
        }
    }
}

#[test]
fn one_step_clips_the_gradients_and_moves_exactly_what_the_batch_used() {
    for (dense, clip) in [(DensePath::Quantum, 1e3), (DensePath::Quantum, 0.05), (DensePath::Classical, 0.05)] {
        let (mut tagger, mut run) = Run::new(&config(dense).clip_norm(clip), &corpus()).unwrap();
        randomise(&mut tagger);
        let k = tagger.inner.len();
        let dim = tagger.config.embedding_dim;
        let feats: Vec<&SentenceFeatures> = vec![&run.features[0], &run.features[3]];
        let golds: Vec<&[usize]> = vec![&run.gold[0], &run.gold[3]];
        let beta = 0.2;
        // The gradients (checked against central differences above), clipped to the global norm by hand.
        let (mut sparse, mut emb) = fresh_buffers(&tagger);
        let g = tagger.gradients(&feats, &golds, beta, &mut sparse, &mut emb, &mut DenseTape::default()).unwrap();
        let norm = [&sparse.values, &emb.values, &g.dense, &g.crf]
            .iter()
            .flat_map(|v| v.iter())
            .map(|x| x * x)
            .sum::<f64>()
            .sqrt();
        let factor = if clip < 1.0 {
            assert!(norm > clip, "the small clip norm must clip ({norm})");
            clip / norm
        } else {
            assert!(norm < clip);
            1.0
        };
        let clipped = |v: &[f64]| v.iter().map(|x| x * factor).collect::<Vec<f64>>();
        // What fresh optimizers with the configured rates and decay do with them.
        let c = &tagger.config;
        let adam = |lr: f64| Adam::new(lr).unwrap().with_weight_decay(c.l2).unwrap();
        let mut expected = tagger.clone();
        adam(c.learning_rate).step_rows(&mut expected.weights, k, &sparse.rows, &clipped(&sparse.values)).unwrap();
        let mut scores = crf_scores(&tagger);
        adam(c.learning_rate).step(&mut scores, &clipped(&g.crf)).unwrap();
        set_crf_scores(&mut expected, &scores);
        let d = expected.dense.as_mut().unwrap();
        adam(c.learning_rate).step_rows(&mut d.embeddings, dim, &emb.rows, &clipped(&emb.values)).unwrap();
        let mut p = d.params();
        adam(c.dense_learning_rate).step(&mut p, &clipped(&g.dense)).unwrap();
        d.set_params(&p).unwrap();

        let before = tagger.clone();
        let (opt, sparse, emb, tape) = (&mut run.opt, &mut run.sparse, &mut run.embeddings, &mut run.dense_tape);
        let loss = tagger.train_step(&feats, &golds, beta, opt, sparse, emb, tape).unwrap();
        assert_eq!(loss, g.loss);
        let pairs = [
            ("sparse weights", &tagger.weights, &expected.weights),
            ("crf scores", &crf_scores(&tagger), &crf_scores(&expected)),
            ("embeddings", &tagger.dense.as_ref().unwrap().embeddings, &expected.dense.as_ref().unwrap().embeddings),
            ("dense parameters", &tagger.dense.as_ref().unwrap().params(), &expected.dense.as_ref().unwrap().params()),
        ];
        for (what, got, want) in pairs {
            assert_eq!(got.len(), want.len());
            for (i, (a, b)) in got.iter().zip(want.iter()).enumerate() {
                assert!((a - b).abs() < 1e-12, "{dense} clip {clip}: {what}[{i}] {a} vs {b}");
            }
        }
        // Exactly the rows the batch used moved; every dense parameter moved.
        let (ids, rows) = used(&feats, tagger.config.buckets);
        let (old, new) = (&before.dense.as_ref().unwrap().embeddings, &tagger.dense.as_ref().unwrap().embeddings);
        for (r, (a, b)) in old.chunks(dim).zip(new.chunks(dim)).enumerate() {
            let moved = a.iter().zip(b).all(|(x, y)| x != y);
            let untouched = a == b;
            assert!(if rows.contains(&(r as u32)) { moved } else { untouched }, "{dense}: embedding row {r}");
        }
        for (f, (a, b)) in before.weights.chunks(k).zip(tagger.weights.chunks(k)).enumerate() {
            assert!(if ids.contains(&(f as u32)) { a != b } else { a == b }, "{dense}: sparse row {f}");
        }
        let (old, new) = (before.dense.as_ref().unwrap().params(), tagger.dense.as_ref().unwrap().params());
        assert!(old.iter().zip(&new).all(|(a, b)| a != b), "{dense}: a dense parameter did not move");
    }
}

#[test]
fn an_epoch_runs_its_batches_in_order_with_the_learning_rates_decaying_linearly() {
    let (mut tagger, mut run) = setup(DensePath::Quantum);
    // 5 sentences in batches of 2: 3 steps an epoch, 15 over the 5 epochs.
    assert_eq!(run.total_steps, 15);
    let order = [3, 0, 4, 1, 2];
    // The same batches by hand, on a copy: the summed objective of each before its step.
    let (mut copy, mut copy_run) = setup(DensePath::Quantum);
    let Run { features, gold, opt, sparse, embeddings, dense_tape, .. } = &mut copy_run;
    let mut expected_loss = 0.0;
    for (step, batch) in order.chunks(2).enumerate() {
        // Rates decay linearly to a tenth over the whole training (15 steps).
        let decay = 1.0 - 0.9 * step as f64 / 15.0;
        for (o, base) in
            [(&mut opt.sparse, 0.02), (&mut opt.crf, 0.02), (&mut opt.embeddings, 0.02), (&mut opt.dense, 0.03)]
        {
            o.set_learning_rate(base * decay).unwrap();
        }
        let feats: Vec<&SentenceFeatures> = batch.iter().map(|&i| &features[i]).collect();
        let golds: Vec<&[usize]> = batch.iter().map(|&i| gold[i].as_slice()).collect();
        expected_loss += objective(&copy, &feats, &golds, 0.3) * batch.len() as f64;
        copy.train_step(&feats, &golds, 0.3, opt, sparse, embeddings, dense_tape).unwrap();
    }
    let mut done = Vec::new();
    let (loss, tokens) = run
        .epoch(&mut tagger, &order, 1, 0.3, &mut |e| {
            if let super::super::TrainEvent::Batch { epoch, sentences_done, sentences_total } = e {
                done.push((epoch, sentences_done, sentences_total));
            }
        })
        .unwrap();
    assert_eq!(done, [(1, 2, 5), (1, 4, 5), (1, 5, 5)]);
    assert_eq!(tokens, corpus().num_tokens());
    assert!(close(loss, expected_loss, 1e-9), "{loss} vs {expected_loss}");
    assert_eq!(run.step, 3);
    // The last batch ran at step 2: rates × (1 − 0.9 · 2/15).
    let decay = 1.0 - 0.9 * 2.0 / 15.0;
    let rates = [
        (run.opt.sparse.learning_rate(), 0.02),
        (run.opt.crf.learning_rate(), 0.02),
        (run.opt.embeddings.learning_rate(), 0.02),
        (run.opt.dense.learning_rate(), 0.03),
    ];
    for (got, base) in rates {
        assert!((got - base * decay).abs() < 1e-15, "{got} vs {}", base * decay);
    }
    // The weights are the copy's, batch for batch: the epoch records each batch beside the sparse step before
    // it, with the same results.
    assert_eq!(tagger.weights, copy.weights);
    assert_eq!(tagger.dense, copy.dense);
    assert_eq!(crf_scores(&tagger), crf_scores(&copy));
}

#[test]
fn the_reported_loss_is_the_mean_objective_with_beta_annealed_linearly() {
    // Rates so small that the parameters stay where they start: each epoch's loss is then the mean objective
    // of the initial tagger, at that epoch's β = 0.3 · (1 − e/3).
    let c = config(DensePath::Quantum).learning_rate(1e-9).dense_learning_rate(1e-9).entropy_beta(0.3).epochs(3);
    let (initial, run) = Run::new(&c, &corpus()).unwrap();
    let feats: Vec<&SentenceFeatures> = run.features.iter().collect();
    let golds: Vec<&[usize]> = run.gold.iter().map(Vec::as_slice).collect();
    let mut epochs_of_batches = Vec::new();
    let mut reports = Vec::new();
    let tagger = c
        .fit_with_progress(&corpus(), None, |e| match e {
            super::super::TrainEvent::Batch { epoch, .. } => epochs_of_batches.push(epoch),
            super::super::TrainEvent::Epoch(r) => reports.push(r.clone()),
        })
        .unwrap();
    assert_eq!(epochs_of_batches, [1, 1, 1, 2, 2, 2, 3, 3, 3]);
    assert_eq!(tagger.history(), &reports[..]);
    for (e, r) in reports.iter().enumerate() {
        let beta = 0.3 * (1.0 - e as f64 / 3.0);
        assert_eq!((r.epoch, r.epochs), (e + 1, 3));
        assert!((r.entropy_beta - beta).abs() < 1e-15, "epoch {}: beta {}", r.epoch, r.entropy_beta);
        let expected = objective(&initial, &feats, &golds, beta);
        assert!(close(r.loss, expected, 1e-6), "epoch {}: loss {} vs {expected}", r.epoch, r.loss);
        assert_eq!(r.valid_f1, None);
        assert!(r.best);
        let tokens = r.tokens_per_second * r.seconds;
        assert!((tokens - corpus().num_tokens() as f64).abs() < 1e-6 * tokens.max(1.0), "{tokens} tokens");
    }
}

#[test]
fn early_stopping_keeps_the_best_epoch_and_stops_after_patience_epochs_without_improvement() {
    // The tiny corpus as its own valid set. At rate 0.01 F1 rises, then stays at its maximum (an equal F1 is
    // no improvement); at 0.003 it falls after the first epoch.
    let (epochs, patience) = (12, 2);
    let train = corpus();
    for lr in [0.01, 0.003] {
        let c = config(DensePath::Classical).epochs(epochs).patience(patience).learning_rate(lr);
        let mut reports = Vec::new();
        let tagger = c.fit(&train, Some(&train), |r| reports.push(r.clone())).unwrap();
        assert_eq!(tagger.history(), &reports[..]);
        let f1: Vec<f64> = reports.iter().map(|r| r.valid_f1.unwrap()).collect();
        let mut best_so_far = f64::NEG_INFINITY;
        let mut without = 0;
        for (i, r) in reports.iter().enumerate() {
            assert_eq!(r.epoch, i + 1);
            assert_eq!(r.best, f1[i] > best_so_far, "rate {lr}, epoch {}: F1 {f1:?}", r.epoch);
            best_so_far = best_so_far.max(f1[i]);
            without = if r.best { 0 } else { without + 1 };
            assert!(
                without < patience || i + 1 == reports.len(),
                "rate {lr}: trained on after epoch {}: {f1:?}",
                i + 1
            );
        }
        assert!(reports.len() < epochs && without == patience, "rate {lr}: no early stop to check: F1 {f1:?}");
        assert!(f1.iter().skip(1).any(|&f| f != f1[0]), "rate {lr}: F1 never changes: {f1:?}");
        let kept = tagger.evaluate(&train).unwrap().entities.f1();
        assert_eq!(kept, best_so_far, "rate {lr}: the kept weights are not the best epoch's");
        // One more epoch of patience trains one epoch longer on the same path (validation changes nothing),
        // and keeps the same weights: the best epoch's, not the last one's.
        let longer = c.clone().patience(patience + 1).fit(&train, Some(&train), |_| {}).unwrap();
        assert_eq!(longer.history().len(), reports.len() + 1, "rate {lr}: {:?}", longer.history());
        assert!(!longer.history().last().unwrap().best);
        assert_eq!((&longer.weights, &longer.crf, &longer.dense), (&tagger.weights, &tagger.crf, &tagger.dense));
    }
}

#[test]
fn an_epoch_report_prints_what_it_holds() {
    let mut r = super::super::EpochReport {
        epoch: 2,
        epochs: 5,
        loss: 1.23456,
        valid_f1: Some(0.875),
        seconds: 0.54,
        tokens_per_second: 1234.6,
        entropy_beta: 0.25,
        best: true,
    };
    assert_eq!(r.to_string(), "epoch 2/5: loss 1.2346, valid F1 87.50, 1235 tokens/s, 0.5 s, beta 0.2500 *");
    r.best = false;
    r.entropy_beta = 0.0;
    assert_eq!(r.to_string(), "epoch 2/5: loss 1.2346, valid F1 87.50, 1235 tokens/s, 0.5 s");
    r.best = true;
    r.valid_f1 = None;
    r.entropy_beta = 1e-9;
    assert_eq!(r.to_string(), "epoch 2/5: loss 1.2346, 1235 tokens/s, 0.5 s, beta 0.0000");
}

#[cfg(feature = "parallel")]
#[test]
fn a_panicking_callback_stops_the_training_on_the_pool_at_its_next_event_and_its_panic_reaches_the_caller() {
    use crate::tagger::model::train::STOPPED_AT;
    use std::sync::atomic::Ordering;
    assert_eq!(rayon::current_thread_index(), None, "the test runs outside rayon's pools");
    let mut seen = 0;
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        crate::tagger::TaggerConfig::default().epochs(400).patience(400).fit_with_progress(
            &crate::tagger::sample::train(),
            None,
            |_| {
                seen += 1;
                panic!("the callback gives up");
            },
        )
    }));
    let payload = outcome.expect_err("the callback's panic reaches the caller");
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"the callback gives up"));
    assert_eq!(seen, 1);
    // The training stops at the first event it sends after the receiver is gone: the events it sent while the
    // panic unwound (the panic hook prints, and may capture a backtrace) went into the channel, so that is not
    // always the second (20 to 30 here), but it comes long before the last (400 epochs of batches and reports).
    let stopped = STOPPED_AT.load(Ordering::SeqCst);
    assert!((2..400).contains(&stopped), "the training stopped at event {stopped}");
}

#[cfg(feature = "parallel")]
#[test]
fn called_from_outside_the_pool_fit_trains_on_a_pool_thread() {
    use crate::tagger::model::train::TRAININGS;
    let c = config(DensePath::Quantum).epochs(1);
    let here = || TRAININGS.with(std::cell::Cell::get);
    assert_eq!(rayon::current_thread_index(), None, "the test runs outside rayon's pools");
    let before = here();
    let mut events = 0;
    c.fit_with_progress(&corpus(), None, |_| events += 1).unwrap();
    assert_eq!(here(), before, "the training ran on the calling thread");
    assert!(events > 1, "{events} events");
    // Inside a pool it trains where it is called.
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("a pool of one thread");
    let on_worker = pool.install(|| {
        let before = here();
        c.fit(&corpus(), None, |_| {}).unwrap();
        here() - before
    });
    assert_eq!(on_worker, 1);
}
