//! The tagger end to end on the embedded sample: it learns, it is deterministic for any thread count, it saves
//! and loads bit for bit, and every bad input is a typed error.

use std::path::PathBuf;

use qnet::tagger::{
    parse_conll, sample, ConllFormat, Corpus, DensePath, LayerWeights, Scheme, Tag, Tagger, TaggerConfig, TrainEvent,
};
use qnet::Error;

fn quick(dense: DensePath) -> TaggerConfig {
    TaggerConfig::default().dense(dense).epochs(3).qubits(4).seed(11)
}

fn temp_path(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("qnet-test-{}-{name}", std::process::id()))
}

fn tags_of(corpus: &Corpus) -> Vec<Vec<Tag>> {
    corpus.sentences.iter().map(|s| s.tags.clone().unwrap_or_default()).collect()
}

#[test]
fn learns_the_embedded_sample_with_every_dense_path() {
    let (train, valid) = (sample::train(), sample::valid());
    for dense in [DensePath::Quantum, DensePath::Classical, DensePath::None] {
        let tagger = quick(dense).fit(&train, Some(&valid), |_| {}).unwrap();
        let on_train = tagger.evaluate(&train).unwrap();
        let on_valid = tagger.evaluate(&valid).unwrap();
        assert!(on_train.entities.f1() > 0.97, "{dense}: train F1 {}", on_train.entities.f1());
        assert!(on_valid.entities.f1() > 0.85, "{dense}: valid F1 {}", on_valid.entities.f1());
        let history = tagger.history();
        assert_eq!(history.len(), 3);
        assert!(history[2].loss < history[0].loss, "{dense}: the loss must fall");
        // The kept weights are the best epoch's.
        let best = history.iter().filter_map(|r| r.valid_f1).fold(0.0, f64::max);
        assert!((on_valid.entities.f1() - best).abs() < 1e-12);
    }
}

#[test]
fn an_untrained_tagger_is_far_worse_than_a_trained_one() {
    // Guards against a scorer or decoder that looks good whatever the weights: one epoch at a tiny rate.
    let (train, valid) = (sample::train(), sample::valid());
    let weak = quick(DensePath::None).epochs(1).learning_rate(1e-6).fit(&train, None, |_| {}).unwrap();
    assert!(weak.evaluate(&valid).unwrap().entities.f1() < 0.5);
}

#[test]
fn predictions_are_valid_iob2_and_entity_spans_point_into_the_text() {
    let tagger = quick(DensePath::None).fit(&sample::train(), None, |_| {}).unwrap();
    for sentence in tagger.predict_corpus(&sample::valid()).unwrap() {
        assert_eq!(Scheme::Iob2.to_iob2(&sentence), sentence, "decoded tags must already be well-formed IOB2");
    }
    let text =
        "President Maria Lindqvist of Valdoria met Norvex Corp managers in Port Essen on Monday.\n\nShares rose.";
    let spans = tagger.entities(text).unwrap();
    assert!(!spans.is_empty());
    let chars: Vec<char> = text.chars().collect();
    for s in &spans {
        assert!(s.start < s.end && s.end <= chars.len());
        assert_eq!(chars[s.start..s.end].iter().collect::<String>(), s.text);
        assert!(tagger.tag_set().types().contains(&s.kind));
    }
    assert_eq!(tagger.predict(&[]).unwrap(), Vec::<Tag>::new());
}

#[test]
fn training_is_bit_identical_for_one_and_two_threads() {
    let train = sample::train();
    let fit = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| {
            let tagger = quick(DensePath::Quantum).epochs(2).fit(&train, None, |_| {}).unwrap();
            let predicted = tagger.predict_corpus(&sample::valid()).unwrap();
            (tagger, predicted)
        })
    };
    let (one, p1) = fit(1);
    let (two, p2) = fit(2);
    assert_eq!(p1, p2);
    // Weights bit for bit (the histories differ only in timings).
    let strip = |t: &Tagger| {
        let path = temp_path(&format!("threads-{}", t.history().len()));
        t.save(&path).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        std::fs::remove_file(&path).ok();
        bytes
    };
    assert_eq!(strip(&one), strip(&two));
}

#[test]
fn training_from_outside_the_pool_reports_on_the_calling_thread_and_gives_the_same_tagger() {
    // From a thread outside rayon's pools, training runs on a pool thread and sends its events back: the
    // callback must still run here (it may hold what this thread holds), in order, and the tagger must be the
    // one trained inside a pool.
    let (train, valid) = (sample::train(), sample::valid());
    let config = quick(DensePath::Quantum).epochs(2).batch_size(16);
    let caller = std::thread::current().id();
    let fit = |events: &mut Vec<String>, threads: &mut Vec<std::thread::ThreadId>| {
        config
            .fit_with_progress(&train, Some(&valid), |event| {
                threads.push(std::thread::current().id());
                events.push(match event {
                    TrainEvent::Batch { epoch, sentences_done, sentences_total } => {
                        format!("batch {epoch} {sentences_done}/{sentences_total}")
                    }
                    TrainEvent::Epoch(r) => {
                        format!("epoch {} loss {:e} F1 {:?} {}", r.epoch, r.loss, r.valid_f1, r.best)
                    }
                });
            })
            .unwrap()
    };
    let (mut outside_events, mut outside_threads) = (Vec::new(), Vec::new());
    assert_eq!(rayon::current_thread_index(), None, "the test runs outside rayon's pools");
    let outside = fit(&mut outside_events, &mut outside_threads);
    let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
    let (mut inside_events, mut inside_threads) = (Vec::new(), Vec::new());
    let inside = pool.install(|| fit(&mut inside_events, &mut inside_threads));
    let batches = train.sentences.len().div_ceil(16);
    assert_eq!(outside_events.len(), 2 * (batches + 1), "{outside_events:?}");
    assert_eq!(outside_events, inside_events);
    assert!(outside_threads.iter().all(|&t| t == caller), "every event on the calling thread");
    assert!(inside_threads.iter().all(|&t| t != caller), "inside a pool, on the pool's thread");
    assert_eq!(outside.predict_corpus(&valid).unwrap(), inside.predict_corpus(&valid).unwrap());
    let bytes = |t: &Tagger, name: &str| {
        let path = temp_path(name);
        t.save(&path).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        std::fs::remove_file(&path).ok();
        bytes
    };
    assert_eq!(bytes(&outside, "outside-pool"), bytes(&inside, "inside-pool"));
}

#[test]
fn save_and_load_round_trip_bit_for_bit() {
    let valid = sample::valid();
    for dense in [DensePath::Quantum, DensePath::Classical, DensePath::None] {
        let tagger = quick(dense).epochs(1).fit(&sample::train(), None, |_| {}).unwrap();
        let path = temp_path(&format!("roundtrip-{dense}.qnet"));
        tagger.save(&path).unwrap();
        let loaded = Tagger::load(&path).unwrap();
        std::fs::remove_file(&path).ok();
        assert_eq!(loaded.predict_corpus(&valid).unwrap(), tagger.predict_corpus(&valid).unwrap());
        assert_eq!(loaded.config(), tagger.config());
        assert_eq!(loaded.crf(), tagger.crf());
        assert_eq!(loaded.tag_set(), tagger.tag_set());
        assert!(loaded.history().is_empty());
        if dense == DensePath::Quantum {
            let a = loaded.diagnostics(&valid, LayerWeights::Trained).unwrap();
            assert_eq!(a, tagger.diagnostics(&valid, LayerWeights::Trained).unwrap());
        }
    }
}

#[test]
fn saving_over_a_file_replaces_it_whole_and_leaves_no_temporary_file() {
    let tagger = quick(DensePath::None).epochs(1).fit(&sample::train(), None, |_| {}).unwrap();
    let dir = temp_path("atomic-dir");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("model.qnet");
    std::fs::write(&path, b"an older file").unwrap();
    tagger.save(&path).unwrap();
    assert!(Tagger::load(&path).is_ok());
    let names: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names, [std::ffi::OsString::from("model.qnet")]);
    // A directory that does not exist: an i/o error, nothing written.
    assert!(matches!(tagger.save(dir.join("missing/model.qnet")), Err(Error::Io { .. })));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn corrupt_model_files_are_typed_errors() {
    let tagger = quick(DensePath::Quantum).epochs(1).fit(&sample::train(), None, |_| {}).unwrap();
    let path = temp_path("corrupt.qnet");
    tagger.save(&path).unwrap();
    let good = std::fs::read(&path).unwrap();
    let try_bytes = |bytes: &[u8]| {
        std::fs::write(&path, bytes).unwrap();
        Tagger::load(&path)
    };
    // Truncated anywhere.
    for cut in [0, 7, 12, 27, good.len() / 2, good.len() - 1] {
        assert!(matches!(try_bytes(&good[..cut]), Err(Error::CorruptModel { .. })), "cut at {cut}");
    }
    // One flipped bit in the payload or the checksum.
    for at in [20, 100, good.len() / 3, good.len() - 3] {
        let mut bad = good.clone();
        bad[at] ^= 0x10;
        assert!(matches!(try_bytes(&bad), Err(Error::CorruptModel { .. })), "flip at {at}");
    }
    // Another format version.
    let mut bad = good.clone();
    bad[8..12].copy_from_slice(&7u32.to_le_bytes());
    assert!(matches!(try_bytes(&bad), Err(Error::ModelVersion { found: 7, supported: 1, .. })));
    // Inconsistent content behind a valid checksum: drop the last sparse weight... is caught by lengths; here,
    // a declared qubit count of 0 with the checksum recomputed.
    let mut bad = good.clone();
    bad[20..28].copy_from_slice(&0u64.to_le_bytes());
    let sum = fnv1a(&bad[20..bad.len() - 8]);
    let n = bad.len();
    bad[n - 8..].copy_from_slice(&sum.to_le_bytes());
    match try_bytes(&bad) {
        Err(Error::CorruptModel { reason, .. }) => assert!(reason.contains("qubits"), "{reason}"),
        other => panic!("expected a corrupt-model error, got {other:?}"),
    }
    // Not a model at all, and a missing file.
    assert!(matches!(try_bytes(b"EU B-ORG\nrejects O\n"), Err(Error::CorruptModel { .. })));
    std::fs::remove_file(&path).ok();
    assert!(matches!(Tagger::load(&path), Err(Error::Io { .. })));
}

/// The checksum the model file uses (FNV-1a 64), recomputed here to build an inconsistent file.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3))
}

#[test]
fn bad_configurations_and_corpora_are_typed_errors() {
    let train = sample::train();
    let bad = [
        TaggerConfig::default().qubits(0),
        TaggerConfig::default().qubits(13),
        TaggerConfig::default().layers(0),
        TaggerConfig::default().epochs(0),
        TaggerConfig::default().batch_size(0),
        TaggerConfig::default().learning_rate(-0.1),
        TaggerConfig::default().learning_rate(f64::NAN),
        TaggerConfig::default().dense_learning_rate(0.0),
        TaggerConfig::default().entropy_beta(-1.0),
        TaggerConfig::default().l2(f64::INFINITY),
        TaggerConfig::default().clip_norm(0.0),
        TaggerConfig::default().embedding_dim(0),
        TaggerConfig::default().buckets(0),
        TaggerConfig::default().buckets(1 << 30),
        TaggerConfig::default().min_feature_count(0),
        TaggerConfig::default().scheme(Scheme::Iob1),
    ];
    for config in bad {
        assert!(matches!(config.check(), Err(Error::InvalidHyperParameter { .. })), "{config:?}");
        assert!(matches!(config.fit(&train, None, |_| {}), Err(Error::InvalidHyperParameter { .. })));
    }
    let unlabelled = parse_conll("EU\nrejects\n", "u", &ConllFormat::new().labelled(false)).unwrap();
    assert!(matches!(TaggerConfig::default().fit(&unlabelled, None, |_| {}), Err(Error::EmptyCorpus { .. })));
    assert!(matches!(TaggerConfig::default().fit(&Corpus::default(), None, |_| {}), Err(Error::EmptyCorpus { .. })));
    let tagger = quick(DensePath::None).epochs(1).fit(&train, None, |_| {}).unwrap();
    assert!(matches!(tagger.evaluate(&unlabelled), Err(Error::EmptyCorpus { .. })));
    assert!(matches!(tagger.diagnostics(&unlabelled, LayerWeights::Trained), Ok(None)));
    assert!(matches!(tagger.predict(&["EU", "two words"]), Err(Error::InvalidField { .. })));
    assert!(matches!(tagger.predict(&["EU", ""]), Err(Error::InvalidField { .. })));
    assert!(matches!("qutrit".parse::<DensePath>(), Err(Error::InvalidHyperParameter { .. })));
}

#[test]
fn any_entity_types_and_two_column_files_work() {
    // A corpus with other types, in IOBES, two columns, no POS: the features that need columns are absent.
    let mut text = String::new();
    for i in 0..40 {
        let gene = ["BRCA1", "TP53", "MYC", "EGFR"][i % 4];
        text.push_str(&format!(
            "The O\n{gene} S-GENE\nprotein O\nbinds O\nheat B-CHEM\nshock I-CHEM\nfactor E-CHEM\n. O\n\n"
        ));
    }
    let corpus = parse_conll(&text, "genes", &ConllFormat::new()).unwrap();
    assert_eq!(corpus.scheme, Scheme::Iobes);
    let tagger = quick(DensePath::Classical).fit(&corpus, None, |_| {}).unwrap();
    assert_eq!(tagger.tag_set().types(), ["CHEM", "GENE"]);
    let tags = tagger.predict(&["The", "MYC", "protein", "binds", "heat", "shock", "factor", "."]).unwrap();
    let text: Vec<&str> = tags.iter().map(Tag::as_str).collect();
    assert_eq!(text, ["O", "B-GENE", "O", "O", "B-CHEM", "I-CHEM", "I-CHEM", "O"]);
    assert_eq!(tagger.evaluate(&corpus).unwrap().entities.f1(), 1.0);
    assert_eq!(tags_of(&corpus).len(), 40);
}

#[test]
fn progress_reports_every_batch_and_epoch() {
    let train = sample::train();
    let (mut batches, mut epochs) = (0, 0);
    let mut last_done = 0;
    quick(DensePath::None)
        .epochs(2)
        .batch_size(50)
        .fit_with_progress(&train, None, |event| match event {
            TrainEvent::Batch { sentences_done, sentences_total, .. } => {
                batches += 1;
                assert!(sentences_done <= sentences_total);
                last_done = sentences_done;
            }
            TrainEvent::Epoch(report) => {
                epochs += 1;
                assert_eq!(last_done, train.sentences.len());
                assert!(report.tokens_per_second > 0.0 && report.loss.is_finite());
            }
        })
        .unwrap();
    assert_eq!(epochs, 2);
    assert_eq!(batches, 2 * train.sentences.len().div_ceil(50));
}

#[test]
fn quantum_diagnostics_are_bounded_and_change_with_training() {
    let valid = sample::valid();
    let tagger = quick(DensePath::Quantum).fit(&sample::train(), None, |_| {}).unwrap();
    let trained = tagger.diagnostics(&valid, LayerWeights::Trained).unwrap().unwrap();
    let initial = tagger.diagnostics(&valid, LayerWeights::Initial).unwrap().unwrap();
    for d in [&trained, &initial] {
        assert_eq!(d.mutual_information.len(), 4);
        assert_eq!(d.tokens, valid.num_tokens());
        assert!(d.mutual_information.iter().all(|&i| (0.0..=1.0).contains(&i)));
        assert!((0.0..=2.0).contains(&d.entanglement_entropy));
    }
    assert_ne!(trained, initial);
    let none = quick(DensePath::None).epochs(1).fit(&sample::train(), None, |_| {}).unwrap();
    assert_eq!(none.diagnostics(&valid, LayerWeights::Trained).unwrap(), None);
}

#[test]
fn the_embedded_sample_is_well_formed() {
    for (corpus, min) in [(sample::train(), 350), (sample::valid(), 100)] {
        assert!(corpus.sentences.len() >= min);
        assert_eq!(corpus.columns, 4);
        assert!(corpus.sentences.iter().all(|s| s.pos.is_some() && s.chunks.is_some() && s.tags.is_some()));
        assert_eq!(corpus.entity_counts().len(), 4);
    }
    // Parsing the embedded text directly gives the same corpus (the helper swallows no error).
    assert_eq!(
        parse_conll(sample::TRAIN_TEXT, "sample/train.txt", &ConllFormat::conll2003()).unwrap(),
        sample::train()
    );
}
