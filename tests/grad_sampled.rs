//! Parameter shift with shots: with 10^5 shots the sampled gradients land within 4 standard errors of the exact
//! ones, the standard error derived from the shift rule's terms (each a Pauli expectation with variance
//! 1 − ⟨P⟩² per shot, sampled independently).

use qnet::grad::{DiffMethod, Outputs, QuantumFunction};
use qnet::prelude::*;
use rand::SeedableRng;
use std::f64::consts::FRAC_PI_2;

const SHOTS: usize = 100_000;

#[test]
fn sampled_parameter_shift_within_four_standard_errors() {
    // RY(w0) on 0, RX(x0) on 1, CRX(w1) from 0 to 1, RZ(w2) and H on 1 (so ⟨X⟩-like terms see it).
    let mut c = Circuit::new(2).unwrap();
    c.ry(0, Param::weight(0)).unwrap().rx(1, Param::input(0)).unwrap();
    c.crx(0, 1, Param::weight(1)).unwrap().h(1).unwrap().rz(1, Param::weight(2)).unwrap();
    let labels = ["ZI", "IX", "YZ"];
    let outputs = Outputs::Observables(labels.iter().map(|l| PauliString::parse(l).unwrap().into()).collect());
    let f = QuantumFunction::new(c, outputs).unwrap();
    let (w, x) = ([0.8, 1.3, -0.6], [0.4]);
    let exact = f.jacobian(DiffMethod::Adjoint, &w, &x).unwrap();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(2024);
    let sampled = f.parameter_shift(&w, &x, Some(SHOTS), &mut rng).unwrap();

    // The rule of each parameter: (shift, coefficient) pairs; CRX (w1) takes four terms.
    // c± = (√2 ± 1)/(4√2), the four-term rule's published coefficients.
    let r2 = std::f64::consts::SQRT_2;
    let (cp, cm) = ((r2 + 1.0) / (4.0 * r2), (r2 - 1.0) / (4.0 * r2));
    let two = vec![(FRAC_PI_2, 0.5), (-FRAC_PI_2, -0.5)];
    let four = vec![(FRAC_PI_2, cp), (-FRAC_PI_2, -cp), (3.0 * FRAC_PI_2, -cm), (-3.0 * FRAC_PI_2, cm)];
    let n = SHOTS as f64;
    let mut checked = 0;
    for (i, _) in labels.iter().enumerate() {
        let value = exact.values[i];
        let se = ((1.0 - value * value) / n).sqrt();
        assert!((sampled.values[i] - value).abs() < 4.0 * se + 1e-12);
        for (is_weight, index, rule) in [(true, 0, &two), (true, 1, &four), (true, 2, &two), (false, 0, &two)] {
            let mut var = 0.0;
            for &(shift, coeff) in rule {
                let (mut ws, mut xs) = (w.to_vec(), x.to_vec());
                if is_weight {
                    ws[index] += shift;
                } else {
                    xs[index] += shift;
                }
                let fk = f.evaluate(&ws, &xs).unwrap()[i];
                var += coeff * coeff * (1.0 - fk * fk) / n;
            }
            let (e, s) = if is_weight {
                (exact.weights[(i, index)], sampled.weights[(i, index)])
            } else {
                (exact.inputs[(i, index)], sampled.inputs[(i, index)])
            };
            let se = var.sqrt();
            assert!((s - e).abs() <= 4.0 * se + 1e-12, "output {i}, param {index}: sampled {s} exact {e} se {se}");
            checked += 1;
        }
    }
    assert_eq!(checked, 12);
    // A different seed gives a different estimate (it really is sampled), the same seed the same one.
    let again = f.parameter_shift(&w, &x, Some(SHOTS), &mut rand_chacha::ChaCha8Rng::seed_from_u64(2024)).unwrap();
    assert_eq!(again, sampled);
    let other = f.parameter_shift(&w, &x, Some(SHOTS), &mut rand_chacha::ChaCha8Rng::seed_from_u64(7)).unwrap();
    assert_ne!(other.weights, sampled.weights);
    // Without shots parameter shift is exact.
    let exact_ps = f.parameter_shift(&w, &x, None, &mut rng).unwrap();
    assert!((exact_ps.weights.clone() - exact.weights.clone()).amax() < 1e-10);
}

/// Sampled probabilities: each p_k is estimated as counts/shots with variance p(1 − p)/shots.
#[test]
fn sampled_probability_gradients() {
    let mut c = Circuit::new(1).unwrap();
    c.ry(0, Param::weight(0)).unwrap();
    let f = QuantumFunction::new(c, Outputs::Probabilities).unwrap();
    let theta = 1.1f64;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
    let s = f.parameter_shift(&[theta], &[], Some(SHOTS), &mut rng).unwrap();
    // dp0/dθ = −sin θ/2; the two shifted probabilities p0(θ ± π/2) = cos²((θ ± π/2)/2).
    let p = |t: f64| (t / 2.0).cos().powi(2);
    let var = 0.25
        * (p(theta + FRAC_PI_2) * (1.0 - p(theta + FRAC_PI_2)) + p(theta - FRAC_PI_2) * (1.0 - p(theta - FRAC_PI_2)));
    let se = (var / SHOTS as f64).sqrt();
    assert!((s.weights[(0, 0)] + theta.sin() / 2.0).abs() < 4.0 * se);
    assert!((s.weights[(0, 0)] + s.weights[(1, 0)]).abs() < 1e-12, "probabilities sum to one in every sample");
}
