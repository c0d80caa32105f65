//! The quantum dense path under the depolarizing noise of `conll_ner --noise P`: P = 0 is the noiseless path
//! bit for bit, P > 0 changes every token's dense scores (and by less than the noise's bound allows at small
//! P), a tagger trains under noise, and noise on a path without a quantum layer is a typed error.

use super::super::features::SentenceFeatures;
use super::super::noise::depolarizing_noise;
use super::{config, corpus, randomise, setup};
use crate::error::Error;
use crate::tagger::model::DensePath;

/// The dense scores of every token of the run's sentences.
fn scores(tagger: &super::Tagger, feats: &[&SentenceFeatures]) -> Vec<f64> {
    let k = tagger.inner.len();
    let d = tagger.dense.as_ref().unwrap();
    d.forward(&d.bags(feats), k).unwrap()
}

#[test]
fn zero_noise_is_the_noiseless_path_and_positive_noise_moves_the_scores() {
    let (mut tagger, run) = setup(DensePath::Quantum);
    randomise(&mut tagger);
    let feats: Vec<&SentenceFeatures> = run.features.iter().collect();
    let pure = scores(&tagger, &feats);
    let pure_emissions: Vec<Vec<f64>> = feats.iter().map(|f| tagger.emissions(f, None)).collect();
    let mut zero = tagger.clone();
    zero.set_dense_noise(depolarizing_noise(0.0).unwrap()).unwrap();
    assert_eq!(zero, tagger);
    assert_eq!(scores(&zero, &feats), pure);
    assert_eq!(zero.evaluate(&corpus()).unwrap(), tagger.evaluate(&corpus()).unwrap());

    let mut previous = 0.0;
    for p in [0.001, 0.01, 0.05] {
        let mut noisy = tagger.clone();
        noisy.set_dense_noise(depolarizing_noise(p).unwrap()).unwrap();
        let s = scores(&noisy, &feats);
        let moved = s.iter().zip(&pure).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
        assert!(moved > 0.0 && moved > previous, "p = {p}: largest change {moved}, at the smaller p {previous}");
        previous = moved;
        // The sparse emissions do not see the noise.
        for (f, e) in feats.iter().zip(&pure_emissions) {
            assert_eq!(&noisy.emissions(f, None), e);
        }
    }
    // And back: the empty model restores the noiseless path.
    let mut back = tagger.clone();
    back.set_dense_noise(depolarizing_noise(0.05).unwrap()).unwrap();
    back.set_dense_noise(depolarizing_noise(0.0).unwrap()).unwrap();
    assert_eq!(scores(&back, &feats), pure);
}

#[test]
fn a_tagger_trains_under_noise() {
    let noisy = config(DensePath::Quantum).epochs(3).dense_noise(depolarizing_noise(0.02).unwrap());
    let tagger = noisy.fit(&corpus(), None, |_| {}).unwrap();
    assert!(tagger.config().dense_noise_model().is_some());
    let pure = config(DensePath::Quantum).epochs(3).fit(&corpus(), None, |_| {}).unwrap();
    assert_ne!(tagger.dense, pure.dense, "the noise changed what was learned");
    let losses: Vec<f64> = tagger.history().iter().map(|r| r.loss).collect();
    assert!(losses.last() < losses.first(), "{losses:?}");
}

#[test]
fn noise_without_a_quantum_layer_is_a_typed_error() {
    let noise = depolarizing_noise(0.01).unwrap();
    for path in [DensePath::Classical, DensePath::None] {
        let err = config(path).dense_noise(noise.clone()).check();
        assert!(matches!(err, Err(Error::InvalidHyperParameter { name: "dense noise", .. })), "{err:?}");
        let (mut tagger, _) = setup(path);
        let before = tagger.clone();
        assert!(matches!(tagger.set_dense_noise(noise.clone()), Err(Error::InvalidHyperParameter { .. })));
        assert_eq!(tagger, before);
        tagger.set_dense_noise(depolarizing_noise(0.0).unwrap()).unwrap();
    }
    assert!(matches!(depolarizing_noise(1.5), Err(Error::InvalidChannelParameter { .. })));
}
