//! The dense path's parts: the bag, the networks' forward and backward passes, the bag's backward pass into
//! the embedding rows, the parameters and the initial model.

use super::super::dense::{quantum_network, DenseModel, DenseNet, DenseTape};
use super::super::features::SentenceFeatures;
use super::{central, close, config, hand_bag, hand_scores, wobble};
use crate::tagger::model::DensePath;

const K: usize = 9;

/// A dense model with 5 buckets of 3 values, each value different, over the untrained network of `dense`.
fn model(dense: DensePath) -> DenseModel {
    let mut m = DenseModel::new(&config(dense).buckets(5), K).unwrap().unwrap();
    m.embeddings = (0..15).map(|i| wobble(i + 3)).collect();
    m
}

/// One sentence from the features of its tokens.
fn sentence(tokens: &[&[u32]]) -> SentenceFeatures {
    let mut s = SentenceFeatures::default();
    for t in tokens {
        s.ids.extend_from_slice(t);
        s.offsets.push(s.ids.len());
    }
    s
}

#[test]
fn a_bag_is_the_scaled_sum_of_its_features_embedding_rows() {
    let m = model(DensePath::Quantum);
    let e = &m.embeddings;
    // Ids 1, 3, 8, 12 fall in buckets 1, 3, 3 and 2 (8 and 3 share a row, which then counts twice).
    let mut out = [9.0; 3];
    m.bag_into(&[1, 3, 8, 12], &mut out);
    for j in 0..3 {
        let expected = (e[3 + j] + e[9 + j] + e[9 + j] + e[6 + j]) / 2.0;
        assert!((out[j] - expected).abs() < 1e-15, "dimension {j}: {} vs {expected}", out[j]);
    }
    // One feature: its row as it is.
    m.bag_into(&[4], &mut out);
    assert_eq!(out, [e[12], e[13], e[14]]);
    // No feature: zeros, whatever the buffer held.
    let mut out = [9.0; 3];
    m.bag_into(&[], &mut out);
    assert_eq!(out, [0.0; 3]);
}

#[test]
fn the_bags_of_a_batch_are_its_tokens_bags_in_order() {
    let m = model(DensePath::Quantum);
    let a = sentence(&[&[0, 7], &[2, 3, 4]]);
    let empty = sentence(&[]);
    let b = sentence(&[&[6]]);
    let bags = m.bags(&[&a, &empty, &b]);
    let expected: Vec<f64> = [hand_bag(&m, &[0, 7]), hand_bag(&m, &[2, 3, 4]), hand_bag(&m, &[6])].concat();
    assert_eq!(bags.len(), expected.len());
    for (x, y) in bags.iter().zip(&expected) {
        assert!((x - y).abs() < 1e-15, "{x} vs {y}");
    }
}

#[test]
fn different_features_give_different_bags_and_different_dense_scores() {
    for dense in [DensePath::Quantum, DensePath::Classical] {
        let m = model(dense);
        let bags = m.bags(&[&sentence(&[&[0, 1], &[2, 3]])]);
        let (x, y) = bags.split_at(3);
        assert!(x.iter().zip(y).all(|(a, b)| (a - b).abs() > 1e-3), "{dense}: bags {x:?} and {y:?}");
        let scores = m.forward(&bags, K).unwrap();
        assert_eq!(scores.len(), 2 * K);
        let (sx, sy) = scores.split_at(K);
        assert!(sx.iter().zip(sy).any(|(a, b)| (a - b).abs() > 1e-3), "{dense}: the scores do not see the bag");
        // Each token's scores are the network's on its own bag.
        for (row, bag) in scores.chunks(K).zip(bags.chunks(3)) {
            for (a, b) in row.iter().zip(hand_scores(&m, bag)) {
                assert!((a - b).abs() < 1e-12, "{dense}: {a} vs {b}");
            }
        }
    }
}

/// Σ over tokens of upstream · scores, the scalar whose gradient `backward_recorded` gives.
fn contracted(m: &DenseModel, bags: &[f64], upstream: &[f64]) -> f64 {
    m.forward(bags, K).unwrap().iter().zip(upstream).map(|(s, u)| s * u).sum()
}

#[test]
fn backward_matches_central_differences_in_the_bags_and_the_parameters() {
    for dense in [DensePath::Quantum, DensePath::Classical] {
        let m = model(dense);
        let bags: Vec<f64> = (0..6).map(|i| 0.8 * wobble(i + 40)).collect();
        let upstream: Vec<f64> = (0..2 * K).map(|i| wobble(i + 90)).collect();
        let mut tape = DenseTape::default();
        m.record(&bags, K, &mut tape).unwrap();
        assert_eq!(tape.scores(&m.net), &m.forward(&bags, K).unwrap()[..], "{dense}");
        let g = m.backward_recorded(&tape, &upstream, K).unwrap();
        assert_eq!(g.inputs.len(), bags.len());
        assert_eq!(g.params.len(), m.num_params());
        let h = 1e-5;
        for i in 0..bags.len() {
            let numeric = central(&bags, i, h, |b| contracted(&m, b, &upstream));
            assert!(close(g.inputs[i], numeric, 1e-7), "{dense} bag entry {i}: {} vs {numeric}", g.inputs[i]);
        }
        assert!(g.inputs.iter().any(|v| v.abs() > 1e-4), "{dense}: the bags get no gradient");
        let p = m.params();
        for i in 0..p.len() {
            let numeric = central(&p, i, h, |q| {
                let mut n = m.clone();
                n.set_params(q).unwrap();
                contracted(&n, &bags, &upstream)
            });
            assert!(close(g.params[i], numeric, 1e-7), "{dense} parameter {i}: {} vs {numeric}", g.params[i]);
        }
    }
}

#[test]
fn bag_gradients_add_each_tokens_scaled_gradient_to_its_rows_in_first_touch_order() {
    let m = model(DensePath::Quantum);
    // Token 0 reads buckets 3 and 1; token 1 (next sentence) buckets 1, 1 (ids 1 and 6) and 4.
    let s1 = sentence(&[&[3, 1]]);
    let s2 = sentence(&[&[1, 6, 4]]);
    let g: Vec<f64> = (0..6).map(|i| wobble(i + 60)).collect();
    let (r2, r3) = (2f64.sqrt(), 3f64.sqrt());
    let expected_rows = [3u32, 1, 4];
    let expected: Vec<f64> = (0..3)
        .map(|j| g[j] / r2)
        .chain((0..3).map(|j| g[j] / r2 + 2.0 * g[3 + j] / r3))
        .chain((0..3).map(|j| g[3 + j] / r3))
        .collect();
    let mut slots = Vec::new();
    for round in 0..2 {
        // The second round reuses the slots: they must have been reset.
        let (mut rows, mut values) = (Vec::new(), Vec::new());
        m.bag_gradients(&[&s1, &s2], &g, &mut slots, &mut rows, &mut values);
        assert_eq!(rows, expected_rows, "round {round}");
        assert_eq!(values.len(), expected.len());
        for (v, e) in values.iter().zip(&expected) {
            assert!((v - e).abs() < 1e-15, "round {round}: {v} vs {e}");
        }
        assert_eq!(slots, vec![u32::MAX; m.buckets], "round {round}: the slots are left clean");
    }
    // Gradients for fewer tokens than the batch holds: only those tokens count.
    let (mut rows, mut values) = (Vec::new(), Vec::new());
    m.bag_gradients(&[&s1, &s2], &g[..3], &mut slots, &mut rows, &mut values);
    assert_eq!(rows, [3, 1]);
    assert_eq!(values.len(), 6);
}

#[test]
fn parameters_round_trip_and_change_the_scores() {
    for dense in [DensePath::Quantum, DensePath::Classical] {
        let mut m = model(dense);
        let p = m.params();
        assert_eq!(p.len(), m.num_params());
        let expected_len = match dense {
            // Linear(3 → 2), one strongly entangling block on 2 qubits (3 angles each), Linear(4 → 9).
            DensePath::Quantum => (3 * 2 + 2) + 2 * 3 + (4 * K + K),
            // Linear(3 → 2), Linear(2 → 9).
            _ => (3 * 2 + 2) + (2 * K + K),
        };
        assert_eq!(p.len(), expected_len, "{dense}");
        let bags = [0.3, -0.2, 0.5];
        let before = m.forward(&bags, K).unwrap();
        let moved: Vec<f64> = p.iter().enumerate().map(|(i, v)| v + 0.1 * wobble(i + 200)).collect();
        m.set_params(&moved).unwrap();
        assert_eq!(m.params(), moved, "{dense}");
        let after = m.forward(&bags, K).unwrap();
        assert!(before.iter().zip(&after).any(|(a, b)| (a - b).abs() > 1e-3), "{dense}: new parameters, same scores");
        assert!(m.set_params(&moved[1..]).is_err(), "{dense}: a short vector is an error");
        assert_eq!(m.params(), moved, "{dense}: a failed set changes nothing");
    }
}

#[test]
fn the_initial_model_follows_the_configuration() {
    assert!(DenseModel::new(&config(DensePath::None), K).unwrap().is_none());
    let c = config(DensePath::Quantum);
    let q = DenseModel::new(&c, K).unwrap().unwrap();
    assert_eq!((q.dim, q.buckets, q.input_dim()), (3, 512, 3));
    match &q.net {
        DenseNet::Quantum(net) => assert_eq!(**net, quantum_network(3, 2, K, 1, 5).unwrap()),
        DenseNet::Classical(_) => panic!("a quantum path was asked for"),
    }
    let cl = DenseModel::new(&config(DensePath::Classical), K).unwrap().unwrap();
    match &cl.net {
        DenseNet::Classical(n) => {
            assert_eq!((n.hidden().input_dim(), n.hidden().output_dim()), (3, 2));
            assert_eq!((n.output().input_dim(), n.output().output_dim()), (2, K));
        }
        DenseNet::Quantum(_) => panic!("a classical path was asked for"),
    }
    for m in [&q, &cl] {
        assert_eq!(m.embeddings.len(), 512 * 3);
        assert!(m.embeddings.iter().all(|v| (-0.5..0.5).contains(v)));
        // Spread over the range, not a constant.
        let mean = m.embeddings.iter().sum::<f64>() / m.embeddings.len() as f64;
        let var = m.embeddings.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / m.embeddings.len() as f64;
        assert!(mean.abs() < 0.05 && (var - 1.0 / 12.0).abs() < 0.01, "mean {mean}, variance {var}");
    }
    // The same seed gives the same model; another seed other embeddings.
    assert_eq!(DenseModel::new(&c, K).unwrap().unwrap(), q);
    assert_ne!(DenseModel::new(&c.clone().seed(6), K).unwrap().unwrap().embeddings, q.embeddings);
}
