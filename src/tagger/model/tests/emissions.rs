//! How the tagger sums its sparse and dense emissions, and decodes with them.

use super::super::dense::DenseNet;
use super::super::features::SentenceFeatures;
use super::{hand_emissions, randomise, setup, wobble};
use crate::tagger::model::DensePath;

#[test]
fn emissions_are_the_sparse_rows_plus_the_dense_scores_given() {
    let (mut tagger, run) = setup(DensePath::None);
    randomise(&mut tagger);
    let k = tagger.inner.len();
    for f in &run.features {
        let sparse = tagger.emissions(f, None);
        let expected = hand_emissions(&tagger, f);
        assert_eq!(sparse.len(), f.len() * k);
        for (a, b) in sparse.iter().zip(&expected) {
            assert!((a - b).abs() < 1e-12, "{a} vs {b}");
        }
        let dense: Vec<f64> = (0..f.len() * k).map(|i| 2.0 * wobble(i + 300)).collect();
        let both = tagger.emissions(f, Some(&dense));
        for ((b, s), d) in both.iter().zip(&sparse).zip(&dense) {
            assert!((b - (s + d)).abs() < 1e-12, "{b} vs {s} + {d}");
        }
    }
}

/// Sets the quantum network's output layer to zero weights and bias `bias`: every token's dense scores are
/// then exactly `bias`.
fn constant_output(tagger: &mut super::Tagger, bias: &[f64]) {
    let d = tagger.dense.as_mut().unwrap();
    let mut p = d.params();
    let out = match &d.net {
        DenseNet::Quantum(q) => q.output_layer().num_params(),
        DenseNet::Classical(_) => unreachable!(),
    };
    let n = p.len();
    p[n - out..].iter_mut().for_each(|v| *v = 0.0);
    p[n - bias.len()..].copy_from_slice(bias);
    d.set_params(&p).unwrap();
}

#[test]
fn a_dense_output_layer_set_to_known_values_shifts_the_emissions_and_the_decoding_by_them() {
    let (mut tagger, run) = setup(DensePath::Quantum);
    randomise(&mut tagger);
    let k = tagger.inner.len();
    let bias: Vec<f64> = (0..k).map(|i| 1.5 * wobble(i + 500)).collect();
    constant_output(&mut tagger, &bias);
    let feats: Vec<&SentenceFeatures> = run.features.iter().collect();
    let d = tagger.dense.as_ref().unwrap();
    let scores = d.forward(&d.bags(&feats), k).unwrap();
    for (i, s) in scores.iter().enumerate() {
        assert!((s - bias[i % k]).abs() < 1e-12, "token {} tag {}: {s}", i / k, i % k);
    }
    let mut without = tagger.clone();
    without.dense = None;
    for f in &feats {
        for (t, (a, b)) in hand_emissions(&tagger, f).iter().zip(hand_emissions(&without, f)).enumerate() {
            assert!((a - b - bias[t % k]).abs() < 1e-12);
        }
    }
    // Sparse weights and transitions all zero, the bias strongly for S-PER (id 8): every token is S-PER with
    // the dense path, and O (the lowest id among equal scores) without it.
    tagger.weights.iter_mut().for_each(|w| *w = 0.0);
    tagger.crf = super::super::crf::LinearChainCrf::new(&tagger.inner).unwrap();
    let mut bias = vec![0.0; k];
    bias[8] = 5.0;
    constant_output(&mut tagger, &bias);
    assert_eq!(tagger.inner.decode(&[8]).unwrap()[0].as_str(), "S-PER");
    let mut without = tagger.clone();
    without.dense = None;
    let owned: Vec<SentenceFeatures> = run.features.clone();
    for (a, b, f) in tagger
        .decode(&owned)
        .unwrap()
        .iter()
        .zip(without.decode(&owned).unwrap())
        .zip(&owned)
        .map(|((a, b), f)| (a, b, f))
    {
        assert_eq!(*a, vec![8; f.len()]);
        assert_eq!(b, vec![0; f.len()]);
    }
}

#[test]
fn decoding_uses_each_tokens_own_sparse_and_dense_scores() {
    for dense in [DensePath::Quantum, DensePath::Classical] {
        let (mut tagger, run) = setup(dense);
        randomise(&mut tagger);
        // A louder network, so that its scores differ from token to token as much as the sparse ones.
        let d = tagger.dense.as_mut().unwrap();
        let p: Vec<f64> = d.params().iter().map(|v| 4.0 * v).collect();
        d.set_params(&p).unwrap();
        // An empty sentence between the others: nothing to decode there, and the offsets stay right.
        let mut feats = run.features.clone();
        feats.insert(2, SentenceFeatures::default());
        let paths = tagger.decode(&feats).unwrap();
        assert_eq!(paths.len(), feats.len());
        let mut differ = 0;
        for (path, f) in paths.iter().zip(&feats) {
            if f.len() == 0 {
                assert!(path.is_empty());
                continue;
            }
            let expected = tagger.crf.viterbi(&hand_emissions(&tagger, f)).unwrap();
            assert_eq!(*path, expected, "{dense}");
            let mut sparse_only = tagger.clone();
            sparse_only.dense = None;
            differ += usize::from(sparse_only.crf.viterbi(&hand_emissions(&sparse_only, f)).unwrap() != expected);
        }
        assert!(differ > 0, "{dense}: the dense scores never change a path, so this test could not tell");
    }
}

#[test]
fn the_tagger_reports_its_feature_count_and_prints_spans() {
    let (tagger, run) = setup(DensePath::None);
    let k = tagger.inner.len();
    assert_eq!(tagger.num_features(), tagger.weights.len() / k);
    // Every feature id the training sentences use is below the count, and the largest is used.
    let max = run.features.iter().flat_map(|f| f.ids.iter().copied()).max().unwrap();
    assert_eq!(max as usize + 1, tagger.num_features());
    // A trained tagger shows the settings and the CRF it was trained with.
    let c = super::config(DensePath::None).epochs(2);
    let trained = c.fit(&super::corpus(), None, |_| {}).unwrap();
    assert_eq!(trained.config(), &c);
    assert_eq!(trained.crf().num_tags(), k);
    assert!(trained.crf().transitions().iter().any(|&a| a != 0.0), "the transitions did not train");
    assert_eq!(trained.tag_set().types(), ["LOC", "PER"]);
    let span = super::super::EntitySpan { start: 3, end: 14, kind: "LOC".into(), text: "Port Essen".into() };
    assert_eq!(span.to_string(), "3\t14\tLOC\tPort Essen");
}

#[test]
fn predictions_of_a_corpus_and_entities_of_text_come_from_the_decoded_tags() {
    let train = super::corpus();
    let tagger = super::config(DensePath::Quantum).epochs(3).learning_rate(0.05).fit(&train, None, |_| {}).unwrap();
    // The tiny corpus is learnt by heart: its predictions are its gold tags, sentence by sentence.
    let gold: Vec<Vec<crate::tagger::Tag>> = train.sentences.iter().map(|s| s.tags.clone().unwrap()).collect();
    assert_eq!(tagger.predict_corpus(&train).unwrap(), gold);
    // Plain text: the first sentence again, as characters. Tokens at 0..5, 6..15, 16..23, 24..29 and 29..30.
    let text = "Maria Lindqvist visited Essen.";
    let tags = tagger.predict(&["Maria", "Lindqvist", "visited", "Essen", "."]).unwrap();
    let tags: Vec<&str> = tags.iter().map(|t| t.as_str()).collect();
    assert_eq!(tags, ["B-PER", "I-PER", "O", "B-LOC", "O"]);
    let span = |start, end, kind: &str, text: &str| super::super::EntitySpan {
        start,
        end,
        kind: kind.to_string(),
        text: text.to_string(),
    };
    assert_eq!(tagger.entities(text).unwrap(), [span(0, 15, "PER", "Maria Lindqvist"), span(24, 29, "LOC", "Essen")]);
}

#[test]
fn decoding_handles_a_sentence_longer_than_a_forward_batch() {
    let (mut tagger, run) = setup(DensePath::Quantum);
    randomise(&mut tagger);
    // 8193 tokens, one more than a forward batch of the dense path holds when predicting, then a short
    // sentence: each still gets its own path.
    let mut long = SentenceFeatures::default();
    for i in 0..8193 {
        let f = &run.features[i % run.features.len()];
        long.ids.extend_from_slice(f.token(i % f.len()));
        long.offsets.push(long.ids.len());
    }
    let feats = vec![long, run.features[0].clone()];
    let paths = tagger.decode(&feats).unwrap();
    assert_eq!(paths.iter().map(Vec::len).collect::<Vec<_>>(), [8193, 5]);
    for (path, f) in paths.iter().zip(&feats) {
        assert_eq!(*path, tagger.crf.viterbi(&hand_emissions(&tagger, f)).unwrap());
    }
}
