//! The classical pieces: Linear against finite differences and Xavier bounds, softmax and the softmax
//! cross-entropy loss against closed forms, info's cross-entropy and finite differences, Sgd and Adam against hand-computed steps, typed errors.

use approx::assert_relative_eq;
use nalgebra::{DMatrix, DVector};
use proptest::prelude::*;
use qnet::error::NonFiniteKind;
use qnet::info::{cross_entropy, softmax};
use qnet::layer::tanh;
use qnet::prelude::*;
use rand::SeedableRng;

#[test]
fn linear_xavier_bounds_and_determinism() {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
    let l = Linear::new(64, 6, &mut rng).unwrap();
    let a = (6.0f64 / 70.0).sqrt();
    assert!(l.weight().iter().all(|w| w.abs() <= a));
    // Uniform on [−a, a]: variance a²/3; the sample variance of 384 draws is within 25% of it.
    let var = l.weight().iter().map(|w| w * w).sum::<f64>() / 384.0;
    assert!((var / (a * a / 3.0) - 1.0).abs() < 0.25, "variance {var}");
    assert!(l.bias().iter().all(|&b| b == 0.0));
    let again = Linear::new(64, 6, &mut rand_chacha::ChaCha8Rng::seed_from_u64(3)).unwrap();
    assert_eq!(l, again);
}

proptest! {
    /// backward_into equals central finite differences of gᵀ(Wx + b) in x and in every parameter.
    #[test]
    fn linear_backward_matches_finite_differences(
        w in proptest::collection::vec(-2.0f64..2.0, 12),
        b in proptest::collection::vec(-1.0f64..1.0, 3),
        x in proptest::collection::vec(-2.0f64..2.0, 4),
        g in proptest::collection::vec(-1.0f64..1.0, 3),
    ) {
        let mut l = Linear::from_parts(DMatrix::from_row_slice(3, 4, &w), DVector::from_vec(b)).unwrap();
        let mut dx = vec![0.0; 4];
        let mut dp = vec![0.0; 15];
        l.backward_into(&x, &g, &mut dx, &mut dp).unwrap();
        let f = |l: &Linear, x: &[f64]| l.forward(x).unwrap().iter().zip(&g).map(|(y, g)| y * g).sum::<f64>();
        let h = 1e-6;
        for i in 0..4 {
            let (mut xp, mut xm) = (x.clone(), x.clone());
            xp[i] += h;
            xm[i] -= h;
            prop_assert!(((f(&l, &xp) - f(&l, &xm)) / (2.0 * h) - dx[i]).abs() < 1e-8);
        }
        let mut p = vec![0.0; 15];
        l.params_into(&mut p).unwrap();
        for i in 0..15 {
            let mut q = p.clone();
            q[i] += h;
            l.set_params(&q).unwrap();
            let fp = f(&l, &x);
            q[i] -= 2.0 * h;
            l.set_params(&q).unwrap();
            let fm = f(&l, &x);
            prop_assert!(((fp - fm) / (2.0 * h) - dp[i]).abs() < 1e-8);
        }
    }

    /// The softmax cross-entropy is H(e_target, softmax(z/T)) and its gradient equals finite differences, for
    /// any temperature.
    #[test]
    fn softmax_cross_entropy_gradient_matches_finite_differences(
        z in proptest::collection::vec(-5.0f64..5.0, 4),
        target in 0usize..4,
        t in 0.2f64..3.0,
    ) {
        let mut g = vec![0.0; 4];
        let loss = softmax_cross_entropy(&z, target, t, &mut g).unwrap();
        let p = softmax(&z, t).unwrap();
        prop_assert!((loss + p[target].ln()).abs() < 1e-12);
        let mut one_hot = vec![0.0; 4];
        one_hot[target] = 1.0;
        prop_assert!((loss - cross_entropy(&one_hot, &p, Base::NATS).unwrap()).abs() < 1e-12);
        let mut scratch = vec![0.0; 4];
        let h = 1e-6;
        for i in 0..4 {
            let (mut zp, mut zm) = (z.clone(), z.clone());
            zp[i] += h;
            zm[i] -= h;
            let fd = (softmax_cross_entropy(&zp, target, t, &mut scratch).unwrap()
                - softmax_cross_entropy(&zm, target, t, &mut scratch).unwrap())
                / (2.0 * h);
            prop_assert!((fd - g[i]).abs() < 1e-7);
        }
    }
}

#[test]
fn softmax_and_tanh_closed_forms() {
    let p = softmax(&[0.0, 2f64.ln()], 1.0).unwrap();
    assert_relative_eq!(p[0], 1.0 / 3.0, epsilon = 1e-15);
    assert_relative_eq!(p[1], 2.0 / 3.0, epsilon = 1e-15);
    // Temperature T: softmax(z/T); with T = 2 the logits (0, 2 ln 2) give (1/3, 2/3).
    let p = softmax(&[0.0, 2.0 * 2f64.ln()], 2.0).unwrap();
    assert_relative_eq!(p[1], 2.0 / 3.0, epsilon = 1e-15);
    assert_eq!(tanh(&[0.5, -0.5]), vec![0.5f64.tanh(), -(0.5f64.tanh())]);
    assert!(matches!(softmax(&[1.0], 0.0), Err(Error::InvalidHyperParameter { name: "temperature", .. })));
    assert!(matches!(softmax(&[], 1.0), Err(Error::EmptyDistribution { what: "logits" })));
    let mut g = [0.0; 2];
    assert!(matches!(softmax_cross_entropy(&[1.0, 2.0], 2, 1.0, &mut g), Err(Error::DimensionMismatch { .. })));
    assert!(matches!(
        softmax_cross_entropy(&[1.0, 2.0, 3.0], 0, 1.0, &mut g),
        Err(Error::DimensionMismatch { expected: 3, found: 2, .. })
    ));
    assert!(matches!(softmax_cross_entropy(&[], 0, 1.0, &mut []), Err(Error::EmptyDistribution { what: "logits" })));
    assert!(matches!(
        softmax_cross_entropy(&[1.0, f64::NAN], 0, 1.0, &mut g),
        Err(Error::NonFinite { kind: NonFiniteKind::Entry { what: "logits", index: 1 }, .. })
    ));
    assert!(matches!(
        softmax_cross_entropy(&[1.0, 2.0], 0, f64::INFINITY, &mut g),
        Err(Error::InvalidHyperParameter { name: "temperature", .. })
    ));
}

#[test]
fn sgd_steps_by_hand() {
    // p = 1, g = 2: plain SGD with η = 0.1 gives 0.8; momentum 0.5 gives v = 2, then v = 0.5·2 + 2 = 3.
    let mut opt = Sgd::new(0.1).unwrap().with_momentum(0.5).unwrap();
    let mut p = [1.0];
    opt.step(&mut p, &[2.0]).unwrap();
    assert_relative_eq!(p[0], 0.8, epsilon = 1e-15);
    opt.step(&mut p, &[2.0]).unwrap();
    assert_relative_eq!(p[0], 0.8 - 0.1 * 3.0, epsilon = 1e-15);
    // Weight decay adds λp; clipping scales g = (3, 4) (norm 5) to norm 1.
    let mut opt = Sgd::new(1.0).unwrap().with_weight_decay(0.5).unwrap().with_clip_norm(1.0).unwrap();
    let mut p = [2.0, 0.0];
    opt.step(&mut p, &[3.0, 4.0]).unwrap();
    assert_relative_eq!(p[0], 2.0 - (0.6 + 1.0), epsilon = 1e-15);
    assert_relative_eq!(p[1], -0.8, epsilon = 1e-15);
    assert!(matches!(opt.step(&mut [0.0; 3], &[0.0; 3]), Err(Error::DimensionMismatch { .. })));
    assert!(matches!(opt.step(&mut [0.0; 2], &[0.0; 3]), Err(Error::DimensionMismatch { .. })));
}

#[test]
fn adam_steps_by_hand() {
    // The first Adam step moves each parameter by η·sign(g) (m̂ = g, v̂ = g²), whatever |g|.
    let mut opt = Adam::new(0.01).unwrap();
    let mut p = [1.0, 1.0];
    opt.step(&mut p, &[1e-3, -50.0]).unwrap();
    assert_relative_eq!(p[0], 1.0 - 0.01, epsilon = 1e-7);
    assert_relative_eq!(p[1], 1.0 + 0.01, epsilon = 1e-9);
    // Decoupled weight decay: with zero gradient the parameter shrinks by η·λ·p.
    let mut opt = Adam::new(0.1).unwrap().with_weight_decay(0.5).unwrap();
    let mut p = [2.0];
    opt.step(&mut p, &[0.0]).unwrap();
    assert_relative_eq!(p[0], 2.0 - 0.1 * 0.5 * 2.0, epsilon = 1e-15);
    // Clipping leaves Adam's first step direction unchanged.
    let mut opt = Adam::new(0.01).unwrap().with_clip_norm(1e-3).unwrap().with_betas(0.8, 0.99).unwrap();
    let mut p = [0.0];
    opt.step(&mut p, &[10.0]).unwrap();
    assert_relative_eq!(p[0], -0.01, epsilon = 1e-6);
}

#[test]
fn invalid_hyper_parameters() {
    for lr in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        assert!(matches!(Sgd::new(lr), Err(Error::InvalidHyperParameter { name: "learning rate", .. })));
        assert!(matches!(Adam::new(lr), Err(Error::InvalidHyperParameter { name: "learning rate", .. })));
    }
    assert!(Sgd::new(0.1).unwrap().with_momentum(1.0).is_err());
    assert!(Sgd::new(0.1).unwrap().with_weight_decay(-0.1).is_err());
    assert!(Sgd::new(0.1).unwrap().with_clip_norm(0.0).is_err());
    assert!(Adam::new(0.1).unwrap().with_betas(0.9, 1.0).is_err());
    assert!(Adam::new(0.1).unwrap().with_epsilon(0.0).is_err());
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
    assert!(matches!(Linear::new(0, 3, &mut rng), Err(Error::InvalidHyperParameter { .. })));
    assert!(matches!(
        Linear::from_parts(DMatrix::zeros(2, 3), DVector::zeros(3)),
        Err(Error::DimensionMismatch { what: "bias", expected: 2, found: 3 })
    ));
    let l = Linear::new(3, 2, &mut rng).unwrap();
    assert!(matches!(l.forward(&[1.0]), Err(Error::DimensionMismatch { .. })));
}
