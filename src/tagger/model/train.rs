//! Training: minibatches of sentences, Adam (row-sparse for the feature table and the embeddings), gradient
//! clipping, weight decay, an annealed entropy penalty and early stopping on valid entity F1.

use std::fmt;
use std::time::Instant;

use rand::seq::SliceRandom;
use rand::SeedableRng;

use super::config::TaggerConfig;
use super::crf::{CrfGradient, LinearChainCrf};
use super::dense::{DenseModel, DenseTape};
use super::features::{hash_sentences, row_offsets, FeatureIndex, SentenceFeatures};
use super::{par_map, Tagger};
use crate::error::{Error, Result};
use crate::layer::{clip_global_norm, Adam, Optimizer};
use crate::tagger::chunk::{chunks, ChunkRules};
use crate::tagger::entity::score_entities;
use crate::tagger::reader::{Corpus, Sentence};
use crate::tagger::tag::Tag;
use crate::tagger::tagset::TagSet;

/// What one epoch of training did.
///
/// # Example
/// ```
/// use qnet::tagger::{sample, DensePath, TaggerConfig};
/// let mut reports = Vec::new();
/// let tagger = TaggerConfig::default()
///     .dense(DensePath::None)
///     .epochs(2)
///     .fit(&sample::train(), Some(&sample::valid()), |e| reports.push(e.clone()))?;
/// assert_eq!(reports.len(), 2);
/// assert!(reports[1].loss < reports[0].loss);
/// assert!(reports.iter().all(|r| r.valid_f1.is_some()));
/// assert_eq!(tagger.history(), &reports[..]);
/// # Ok::<(), qnet::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct EpochReport {
    /// The epoch, from 1.
    pub epoch: usize,
    /// The epochs planned.
    pub epochs: usize,
    /// The mean training objective per sentence over the epoch (negative log-likelihood minus the entropy term).
    pub loss: f64,
    /// Entity F1 on the valid corpus after the epoch (0 to 1), when one was given.
    pub valid_f1: Option<f64>,
    /// Wall-clock seconds of the epoch's training (validation excluded).
    pub seconds: f64,
    /// Training tokens per second.
    pub tokens_per_second: f64,
    /// The entropy penalty's weight β during the epoch.
    pub entropy_beta: f64,
    /// Whether this epoch's weights are the best so far (the ones kept).
    pub best: bool,
}

impl fmt::Display for EpochReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "epoch {}/{}: loss {:.4}", self.epoch, self.epochs, self.loss)?;
        if let Some(f1) = self.valid_f1 {
            write!(f, ", valid F1 {:.2}", 100.0 * f1)?;
        }
        write!(f, ", {:.0} tokens/s, {:.1} s", self.tokens_per_second, self.seconds)?;
        if self.entropy_beta > 0.0 {
            write!(f, ", beta {:.4}", self.entropy_beta)?;
        }
        if self.best && self.valid_f1.is_some() {
            f.write_str(" *")?;
        }
        Ok(())
    }
}

/// Progress of [`TaggerConfig::fit_with_progress`]: after each minibatch, and after each epoch.
///
/// # Example
/// ```
/// use qnet::tagger::{sample, DensePath, TaggerConfig, TrainEvent};
/// let mut batches = 0;
/// TaggerConfig::default().dense(DensePath::None).epochs(1).batch_size(100).fit_with_progress(
///     &sample::train(),
///     None,
///     |event| if let TrainEvent::Batch { .. } = event { batches += 1 },
/// )?;
/// assert_eq!(batches, sample::train().sentences.len().div_ceil(100));
/// # Ok::<(), qnet::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TrainEvent<'a> {
    /// A minibatch of epoch `epoch` (from 1) is done.
    Batch {
        /// The epoch, from 1.
        epoch: usize,
        /// Sentences trained on so far in this epoch.
        sentences_done: usize,
        /// Sentences in an epoch.
        sentences_total: usize,
    },
    /// An epoch is done.
    Epoch(&'a EpochReport),
}

/// The internal ids of a sentence's gold tags: IOB2 → chunks → the internal scheme, so the path is valid.
pub(crate) fn gold_ids(inner: &TagSet, sentence: &Sentence) -> Result<Vec<usize>> {
    let tags = sentence.tags.as_deref().unwrap_or_default();
    let encoded = inner.scheme().encode(&chunks(tags, ChunkRules::Conlleval), tags.len());
    inner.encode(&encoded)
}

/// The optimizers of the four parameter groups, each stepped through [`Optimizer`]: the sparse feature table
/// and the embeddings row by row (lazily), the CRF's scores and the dense network's parameters whole. Training
/// uses Adam for every group.
pub(super) struct Optimizers<O = Adam> {
    pub(super) sparse: O,
    pub(super) crf: O,
    pub(super) embeddings: O,
    pub(super) dense: O,
}

/// Reusable buffers for a step's row-sparse gradients.
#[derive(Default)]
pub(super) struct SparseGrads {
    pub(super) slots: Vec<u32>,
    pub(super) rows: Vec<u32>,
    pub(super) values: Vec<f64>,
}

/// What [`Tagger::gradients`] returns beside the row-sparse buffers.
pub(super) struct StepGradients {
    /// The summed objective of the minibatch.
    pub(super) loss: f64,
    /// The gradient of the dense network's parameters, in the order of its `params`.
    pub(super) dense: Vec<f64>,
    /// The gradient of the CRF's transitions, start and end scores, one after another.
    pub(super) crf: Vec<f64>,
}

impl SparseGrads {
    fn clear(&mut self) {
        for &r in &self.rows {
            self.slots[r as usize] = u32::MAX;
        }
        self.rows.clear();
        self.values.clear();
    }
}

impl TaggerConfig {
    /// Trains a tagger on the labelled sentences of `train`, reporting each epoch to `on_epoch`; with `valid`,
    /// every epoch is scored on it and the weights of the best epoch are kept (early stopping after
    /// [`patience`](TaggerConfig::patience) epochs without improvement).
    ///
    /// The same configuration and data give the same tagger bit for bit, for any number of threads. With
    /// feature `parallel`, called from outside rayon's pool, training runs on one of the pool's threads, and
    /// `on_epoch` on the calling thread as the reports arrive: each step's loops over samples then start on
    /// that pool thread at once instead of waking the pool from outside several times per step. If `on_epoch`
    /// panics, the training stops at its next event and the panic then resumes on the calling thread.
    ///
    /// # Panics
    /// When `on_epoch` panics (with its payload).
    ///
    /// # Errors
    /// [`Error::InvalidHyperParameter`] from [`check`](TaggerConfig::check), [`Error::EmptyCorpus`] when `train`
    /// has no labelled, non-empty sentence.
    pub fn fit<F: FnMut(&EpochReport)>(
        &self,
        train: &Corpus,
        valid: Option<&Corpus>,
        mut on_epoch: F,
    ) -> Result<Tagger> {
        self.fit_with_progress(train, valid, |event| {
            if let TrainEvent::Epoch(report) = event {
                on_epoch(report);
            }
        })
    }

    /// As [`fit`](TaggerConfig::fit), reporting every minibatch too (for a progress bar).
    ///
    /// # Panics
    /// When `on_event` panics (with its payload; the training stops at its next minibatch).
    ///
    /// # Errors
    /// As [`fit`](TaggerConfig::fit).
    pub fn fit_with_progress<F: FnMut(TrainEvent<'_>)>(
        &self,
        train: &Corpus,
        valid: Option<&Corpus>,
        on_event: F,
    ) -> Result<Tagger> {
        #[cfg(feature = "parallel")]
        if rayon::current_thread_index().is_none() {
            return self.fit_on_pool(train, valid, on_event);
        }
        self.fit_here(train, valid, on_event)
    }

    /// [`fit_with_progress`](TaggerConfig::fit_with_progress) called from outside rayon's pool: the training
    /// runs on a thread of the pool and sends its events here, where `on_event` handles them in order (so it
    /// may hold what the calling thread holds, a lock on stderr for one). A parallel loop started from outside
    /// the pool hands its work in and waits for a sleeping pool thread to wake up and take it, which on a small
    /// virtual machine takes about as long as a step's loop; started on a pool thread, it begins at once.
    #[cfg(feature = "parallel")]
    fn fit_on_pool<F: FnMut(TrainEvent<'_>)>(
        &self,
        train: &Corpus,
        valid: Option<&Corpus>,
        mut on_event: F,
    ) -> Result<Tagger> {
        /// A training event as sent between threads, or the training's end.
        enum Message {
            Batch { epoch: usize, sentences_done: usize, sentences_total: usize },
            Epoch(EpochReport),
            Done(Box<Result<Tagger>>),
        }
        /// How the training unwinds when the calling thread's callback has panicked (its receiver is gone).
        struct Stopped;
        let (sender, receiver) = std::sync::mpsc::channel();
        let finished = rayon::in_place_scope(|scope| {
            scope.spawn(move |_| {
                #[cfg(test)]
                let mut sent = 0;
                let trained = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    self.fit_here(train, valid, |event| {
                        let message = match event {
                            TrainEvent::Batch { epoch, sentences_done, sentences_total } => {
                                Message::Batch { epoch, sentences_done, sentences_total }
                            }
                            TrainEvent::Epoch(report) => Message::Epoch(report.clone()),
                        };
                        #[cfg(test)]
                        {
                            sent += 1;
                        }
                        if sender.send(message).is_err() {
                            // The callback panicked: stop at this event (no panic hook runs for this unwind).
                            #[cfg(test)]
                            STOPPED_AT.store(sent, std::sync::atomic::Ordering::SeqCst);
                            std::panic::resume_unwind(Box::new(Stopped));
                        }
                    })
                }));
                match trained {
                    Ok(fitted) => {
                        // The receiver lives until `Done` arrives, unless the callback panicked on the last event.
                        let _ = sender.send(Message::Done(Box::new(fitted)));
                    }
                    Err(payload) if payload.is::<Stopped>() => {}
                    Err(payload) => std::panic::resume_unwind(payload),
                }
            });
            // Until `Done`; a panic of the training drops the sender, ends this loop, and resumes at the scope's
            // end. A panic of the callback is caught here, drops the receiver, so that the training stops at its
            // next event, and resumes once it has.
            let receiver = receiver;
            let delivered = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                while let Ok(message) = receiver.recv() {
                    match message {
                        Message::Batch { epoch, sentences_done, sentences_total } => {
                            on_event(TrainEvent::Batch { epoch, sentences_done, sentences_total });
                        }
                        Message::Epoch(report) => on_event(TrainEvent::Epoch(&report)),
                        Message::Done(fitted) => return Some(*fitted),
                    }
                }
                None
            }));
            drop(receiver);
            delivered
        });
        match finished {
            Ok(fitted) => fitted
                .expect("the training either sent its result or panicked, and its panic resumes at the scope's end"),
            Err(callback_panic) => std::panic::resume_unwind(callback_panic),
        }
    }

    /// [`fit_with_progress`](TaggerConfig::fit_with_progress) on the calling thread.
    fn fit_here<F: FnMut(TrainEvent<'_>)>(
        &self,
        train: &Corpus,
        valid: Option<&Corpus>,
        mut on_event: F,
    ) -> Result<Tagger> {
        #[cfg(test)]
        TRAININGS.with(|c| c.set(c.get() + 1));
        self.check()?;
        let (mut tagger, mut run) = Run::new(self, train)?;
        let validation = Validation::new(&tagger, valid);
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(self.seed);
        let mut order: Vec<usize> = (0..run.gold.len()).collect();
        let mut best: Option<(f64, Tagger)> = None;
        let mut since_best = 0;
        for epoch in 0..self.epochs {
            order.shuffle(&mut rng);
            let beta = self.entropy_beta * (1.0 - epoch as f64 / self.epochs as f64);
            let started = Instant::now();
            let (loss_sum, tokens) = run.epoch(&mut tagger, &order, epoch + 1, beta, &mut on_event)?;
            let seconds = started.elapsed().as_secs_f64();
            let valid_f1 = validation.f1(&tagger)?;
            let improved = match (&best, valid_f1) {
                (Some((b, _)), Some(f)) => f > *b,
                _ => true,
            };
            let report = EpochReport {
                epoch: epoch + 1,
                epochs: self.epochs,
                loss: loss_sum / run.gold.len() as f64,
                valid_f1,
                seconds,
                tokens_per_second: tokens as f64 / seconds.max(1e-9),
                entropy_beta: beta,
                best: improved,
            };
            tagger.history.push(report.clone());
            on_event(TrainEvent::Epoch(&report));
            if improved {
                since_best = 0;
                if let Some(f1) = valid_f1 {
                    best = Some((f1, tagger.clone()));
                }
            } else {
                since_best += 1;
                if since_best >= self.patience {
                    break;
                }
            }
        }
        // Keep the best epoch's weights when a later epoch was worse.
        if let Some((_, mut kept)) = best.filter(|_| tagger.history.last().is_some_and(|r| !r.best)) {
            kept.history = tagger.history;
            return Ok(kept);
        }
        Ok(tagger)
    }
}

/// How many events a training on a pool thread had sent when it stopped because the callback had panicked (0:
/// none has stopped); tests check that it stops soon after.
#[cfg(all(test, feature = "parallel"))]
pub(super) static STOPPED_AT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

#[cfg(test)]
thread_local! {
    /// The trainings that ran on this thread (tests check where `fit` trains).
    pub(super) static TRAININGS: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// The training data in feature ids, the optimizers and the step count.
pub(super) struct Run {
    pub(super) features: Vec<SentenceFeatures>,
    pub(super) gold: Vec<Vec<usize>>,
    pub(super) opt: Optimizers,
    pub(super) sparse: SparseGrads,
    pub(super) embeddings: SparseGrads,
    /// The dense path's record of the current minibatch, its buffers reused from step to step.
    pub(super) dense_tape: DenseTape,
    pub(super) step: usize,
    pub(super) total_steps: usize,
    batch_size: usize,
    learning_rate: f64,
    dense_learning_rate: f64,
}

impl Run {
    /// The initial tagger (tag sets, feature index, zero sparse weights, the seeded dense path) and the run.
    pub(super) fn new(config: &TaggerConfig, train: &Corpus) -> Result<(Tagger, Run)> {
        let labelled: Vec<&Sentence> = train
            .sentences
            .iter()
            .filter(|s| !s.is_empty() && s.tags.as_ref().is_some_and(|t| t.len() == s.len()))
            .collect();
        if labelled.is_empty() {
            return Err(Error::EmptyCorpus { what: "training corpus (labelled sentences)" });
        }
        let tag_set = TagSet::from_sentences(&train.sentences);
        let inner = TagSet::new(tag_set.types(), config.scheme)?;
        let hashed = hash_sentences(&labelled);
        let features = FeatureIndex::build(&hashed, config.min_feature_count);
        let train_features: Vec<SentenceFeatures> = hashed.iter().map(|h| features.ids(h)).collect();
        let gold: Vec<Vec<usize>> = labelled.iter().map(|s| gold_ids(&inner, s)).collect::<Result<_>>()?;
        let k = inner.len();
        let tagger = Tagger {
            config: config.clone(),
            crf: LinearChainCrf::new(&inner)?,
            dense: DenseModel::new(config, k)?,
            weights: vec![0.0; features.len() * k],
            features,
            tag_set,
            inner,
            history: Vec::new(),
        };
        let (lr, l2) = (config.learning_rate, config.l2);
        let run = Run {
            opt: Optimizers {
                sparse: Adam::new(lr)?.with_weight_decay(l2)?,
                crf: Adam::new(lr)?.with_weight_decay(l2)?,
                embeddings: Adam::new(lr)?.with_weight_decay(l2)?,
                dense: Adam::new(config.dense_learning_rate)?.with_weight_decay(l2)?,
            },
            sparse: SparseGrads { slots: vec![u32::MAX; tagger.features.len()], ..SparseGrads::default() },
            embeddings: SparseGrads::default(),
            dense_tape: DenseTape::default(),
            step: 0,
            total_steps: config.epochs * labelled.len().div_ceil(config.batch_size),
            batch_size: config.batch_size,
            learning_rate: lr,
            dense_learning_rate: config.dense_learning_rate,
            features: train_features,
            gold,
        };
        Ok((tagger, run))
    }

    /// One pass over the sentences in `order`; returns the summed objective and the tokens seen.
    pub(super) fn epoch<F: FnMut(TrainEvent<'_>)>(
        &mut self,
        tagger: &mut Tagger,
        order: &[usize],
        epoch: usize,
        beta: f64,
        on_event: &mut F,
    ) -> Result<(f64, usize)> {
        let (mut loss, mut tokens, mut done) = (0.0, 0, 0);
        let k = tagger.inner.len();
        let batches: Vec<&[usize]> = order.chunks(self.batch_size).collect();
        let feats_of =
            |batch: &[usize]| -> Vec<&SentenceFeatures> { batch.iter().map(|&i| &self.features[i]).collect() };
        if let Some(first) = batches.first() {
            record_dense(tagger.dense.as_ref(), &feats_of(first), k, &mut self.dense_tape)?;
        }
        for (b, batch) in batches.iter().enumerate() {
            // Learning rates decay linearly to a tenth over the whole training.
            let decay = 1.0 - 0.9 * self.step as f64 / self.total_steps.max(1) as f64;
            self.opt.sparse.set_learning_rate(self.learning_rate * decay)?;
            self.opt.crf.set_learning_rate(self.learning_rate * decay)?;
            self.opt.embeddings.set_learning_rate(self.learning_rate * decay)?;
            self.opt.dense.set_learning_rate(self.dense_learning_rate * decay)?;
            let feats = feats_of(batch);
            let golds: Vec<&[usize]> = batch.iter().map(|&i| self.gold[i].as_slice()).collect();
            let (opt, sparse, tape) = (&mut self.opt, &mut self.sparse, &mut self.dense_tape);
            loss += tagger.step_recorded(&feats, &golds, beta, opt, sparse, &mut self.embeddings, tape)?;
            // The sparse table's step writes the sparse weights alone, and the next batch's record reads the
            // dense path alone (already stepped): the two run side by side, each as it would alone.
            let next = batches.get(b + 1).map(|next| feats_of(next));
            let Tagger { weights, dense, .. } = &mut *tagger;
            let (stepped, recorded) = both(
                || opt.sparse.step_rows(weights, k, &sparse.rows, &sparse.values),
                || next.map_or(Ok(()), |next| record_dense(dense.as_ref(), &next, k, tape)),
            );
            stepped?;
            recorded?;
            tokens += feats.iter().map(|f| f.len()).sum::<usize>();
            done += batch.len();
            self.step += 1;
            on_event(TrainEvent::Batch { epoch, sentences_done: done, sentences_total: order.len() });
        }
        Ok((loss, tokens))
    }
}

/// The valid corpus's features and gold tags, for the F1 after each epoch.
struct Validation<'a> {
    features: Vec<SentenceFeatures>,
    gold: Vec<Vec<&'a str>>,
}

impl<'a> Validation<'a> {
    fn new(tagger: &Tagger, valid: Option<&'a Corpus>) -> Validation<'a> {
        let labelled: Vec<&Sentence> = valid
            .map(|v| v.sentences.iter().filter(|s| s.tags.is_some() && !s.is_empty()).collect())
            .unwrap_or_default();
        Validation {
            features: tagger.featurise(&labelled),
            gold: labelled.iter().map(|s| s.tags.iter().flatten().map(|t| t.as_str()).collect()).collect(),
        }
    }

    /// Entity F1 under conlleval's rules; `None` without a valid corpus.
    fn f1(&self, tagger: &Tagger) -> Result<Option<f64>> {
        if self.features.is_empty() {
            return Ok(None);
        }
        let predicted: Vec<Vec<Tag>> =
            tagger.decode(&self.features)?.iter().map(|p| tagger.to_iob2(p)).collect::<Result<_>>()?;
        let predicted: Vec<Vec<&str>> = predicted.iter().map(|p| p.iter().map(Tag::as_str).collect()).collect();
        Ok(Some(score_entities(&self.gold, &predicted, ChunkRules::Conlleval)?.f1()))
    }
}

/// Records the dense path's forward pass over the tokens of `feats` into `tape` (nothing without one).
fn record_dense(
    dense: Option<&DenseModel>,
    feats: &[&SentenceFeatures],
    num_tags: usize,
    tape: &mut DenseTape,
) -> Result<()> {
    match dense {
        Some(d) => d.record(&d.bags(feats), num_tags, tape),
        None => Ok(()),
    }
}

/// `a()` and `b()`, side by side on rayon's pool (feature `parallel`), one after the other without it.
fn both<A: Send, B: Send>(a: impl FnOnce() -> A + Send, b: impl FnOnce() -> B + Send) -> (A, B) {
    #[cfg(feature = "parallel")]
    return rayon::join(a, b);
    #[cfg(not(feature = "parallel"))]
    (a(), b())
}

fn add_into(acc: &mut [f64], x: &[f64]) {
    acc.iter_mut().zip(x).for_each(|(a, b)| *a += b);
}

impl Tagger {
    /// One minibatch: forward (recorded in `tape`), CRF gradients, backward through both paths (the dense one
    /// from the record: each token's circuit runs forward once per step), clipping, a step of each group's
    /// optimizer. Returns the summed objective. An epoch runs the same steps with each batch's record beside
    /// the step of the sparse table before it (see [`Run::epoch`]); tests take one step at a time.
    #[cfg(test)]
    #[allow(clippy::too_many_arguments)]
    pub(super) fn train_step<O: Optimizer>(
        &mut self,
        feats: &[&SentenceFeatures],
        golds: &[&[usize]],
        beta: f64,
        opt: &mut Optimizers<O>,
        sparse: &mut SparseGrads,
        emb: &mut SparseGrads,
        tape: &mut DenseTape,
    ) -> Result<f64> {
        record_dense(self.dense.as_ref(), feats, self.inner.len(), tape)?;
        let loss = self.step_recorded(feats, golds, beta, opt, sparse, emb, tape)?;
        opt.sparse.step_rows(&mut self.weights, self.inner.len(), &sparse.rows, &sparse.values)?;
        Ok(loss)
    }

    /// [`train_step`](Self::train_step) from its batch's record in `tape` up to, not including, the step of
    /// the sparse table, whose gradient it leaves clipped in `sparse`. Returns the summed objective.
    #[allow(clippy::too_many_arguments)]
    fn step_recorded<O: Optimizer>(
        &mut self,
        feats: &[&SentenceFeatures],
        golds: &[&[usize]],
        beta: f64,
        opt: &mut Optimizers<O>,
        sparse: &mut SparseGrads,
        emb: &mut SparseGrads,
        tape: &DenseTape,
    ) -> Result<f64> {
        let StepGradients { loss, dense: mut g_dense, crf: mut g_crf } =
            self.recorded_gradients(feats, golds, beta, sparse, emb, tape)?;
        let clip = self.config.clip_norm;
        clip_global_norm(&mut [&mut sparse.values, &mut emb.values, &mut g_dense, &mut g_crf], clip)?;
        opt.crf.step(self.crf.scores_mut(), &g_crf)?;
        self.crf.check_scores()?;
        if let Some(d) = &mut self.dense {
            opt.embeddings.step_rows(&mut d.embeddings, d.dim, &emb.rows, &emb.values)?;
            opt.dense.step(d.params_mut(), &g_dense)?;
        }
        Ok(loss)
    }

    /// The gradients of a minibatch as [`recorded_gradients`](Self::recorded_gradients) gives them, its dense
    /// path recorded into `tape` first.
    #[cfg(test)]
    pub(super) fn gradients(
        &self,
        feats: &[&SentenceFeatures],
        golds: &[&[usize]],
        beta: f64,
        sparse: &mut SparseGrads,
        emb: &mut SparseGrads,
        tape: &mut DenseTape,
    ) -> Result<StepGradients> {
        record_dense(self.dense.as_ref(), feats, self.inner.len(), tape)?;
        self.recorded_gradients(feats, golds, beta, sparse, emb, tape)
    }

    /// The summed objective of a minibatch and the gradient of its mean over the sentences, before clipping,
    /// from its dense path's record in `tape`: the sparse rows and the embedding rows into `sparse` and `emb`
    /// (rows in first-touch order), the dense network's and the CRF's parameters returned.
    fn recorded_gradients(
        &self,
        feats: &[&SentenceFeatures],
        golds: &[&[usize]],
        beta: f64,
        sparse: &mut SparseGrads,
        emb: &mut SparseGrads,
        tape: &DenseTape,
    ) -> Result<StepGradients> {
        let k = self.inner.len();
        let scale = 1.0 / feats.len() as f64;
        let dense_out = self.dense.as_ref().map(|d| tape.scores(&d.net));
        let (offsets, at) = row_offsets(feats, k);
        let jobs: Vec<usize> = (0..feats.len()).collect();
        let grads: Vec<CrfGradient> = par_map(&jobs, |&i| {
            let d = dense_out.map(|d| &d[offsets[i]..offsets[i] + feats[i].len() * k]);
            self.crf.loss_and_gradient(&self.emissions(feats[i], d), golds[i], beta)
        })?;
        let mut loss = 0.0;
        let mut g_crf = vec![0.0; k * k + 2 * k];
        let mut upstream = Vec::with_capacity(at);
        for g in &grads {
            loss += g.loss;
            add_into(&mut g_crf[..k * k], &g.transitions);
            add_into(&mut g_crf[k * k..k * k + k], &g.start);
            add_into(&mut g_crf[k * k + k..], &g.end);
            upstream.extend(g.emissions.iter().map(|v| v * scale));
        }
        g_crf.iter_mut().for_each(|v| *v *= scale);
        // Sparse rows: each feature's row gets the sum of its tokens' emission gradients. It reads the upstream
        // gradients alone, as the dense path's backward pass does: the two run side by side.
        let accumulate = || {
            sparse.clear();
            for (s, f) in feats.iter().enumerate() {
                for t in 0..f.len() {
                    let g = &upstream[offsets[s] + t * k..offsets[s] + (t + 1) * k];
                    for &id in f.token(t) {
                        let slot = &mut sparse.slots[id as usize];
                        if *slot == u32::MAX {
                            *slot = sparse.rows.len() as u32;
                            sparse.rows.push(id);
                            sparse.values.extend(std::iter::repeat_n(0.0, k));
                        }
                        let at = *slot as usize * k;
                        add_into(&mut sparse.values[at..at + k], g);
                    }
                }
            }
        };
        let ((), dense) = both(accumulate, || self.dense.as_ref().map(|d| d.backward_recorded(tape, &upstream, k)));
        let mut g_dense = Vec::new();
        emb.rows.clear();
        emb.values.clear();
        if let (Some(d), Some(g)) = (&self.dense, dense) {
            let g = g?;
            d.bag_gradients(feats, &g.inputs, &mut emb.slots, &mut emb.rows, &mut emb.values);
            g_dense = g.params;
        }
        Ok(StepGradients { loss, dense: g_dense, crf: g_crf })
    }
}
