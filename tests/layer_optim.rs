//! Row-sparse (lazy) optimizer steps through the `Optimizer` trait: `Sgd::step_rows` against `Sgd::step` on a
//! dense gradient that is zero outside the rows (the same bits with momentum 0; with momentum, each row follows
//! dense SGD on its own clock of the steps that touch it), `Adam::step_rows` against `Adam::step` on a first
//! step, a proptest over random tables and row sets, and the typed errors of both.

use proptest::prelude::*;
use qnet::layer::Optimizer;
use qnet::prelude::*;

/// The dense gradient of a table of `len` values that is `grads` on `rows` (of `width`) and zero elsewhere.
fn scatter(len: usize, width: usize, rows: &[u32], grads: &[f64]) -> Vec<f64> {
    let mut dense = vec![0.0; len];
    for (&r, g) in rows.iter().zip(grads.chunks_exact(width)) {
        dense[r as usize * width..(r as usize + 1) * width].copy_from_slice(g);
    }
    dense
}

/// The steps of the tests below: (rows, their gradients) on a table of four rows of three.
fn steps() -> Vec<(Vec<u32>, Vec<f64>)> {
    vec![
        (vec![0, 2], vec![0.3, -1.2, 0.7, 2.5, 0.1, -0.4]),
        (vec![1, 2, 3], vec![-0.6, 0.2, 1.1, 0.9, -2.0, 0.05, 0.4, 0.4, -0.8]),
        (vec![0], vec![1.5, -0.25, 0.6]),
        (vec![3, 1], vec![-0.7, 0.3, 0.2, 1.3, -0.9, 0.0]),
    ]
}

fn table() -> Vec<f64> {
    (0..12).map(|i| 0.25 * i as f64 - 1.3).collect()
}

#[test]
fn sgd_rows_without_momentum_or_decay_are_the_dense_step_bit_for_bit() {
    // Clipping at 1.0 scales several of the steps; the rows ascend in the first three, so the clipping factor
    // is the same number as the dense step's.
    for clip in [None, Some(1.0)] {
        let make = || {
            let opt = Sgd::new(0.3).unwrap();
            clip.map_or(opt.clone(), |c| opt.with_clip_norm(c).unwrap())
        };
        let (mut sparse, mut dense) = (make(), make());
        let (mut a, mut b) = (table(), table());
        for (rows, g) in steps().iter().take(3) {
            let before = a.clone();
            sparse.step_rows(&mut a, 3, rows, g).unwrap();
            dense.step(&mut b, &scatter(12, 3, rows, g)).unwrap();
            assert_eq!(a, b, "clip {clip:?}, rows {rows:?}");
            for r in (0..4).filter(|r| !rows.contains(r)) {
                let r = r as usize;
                assert_eq!(a[3 * r..3 * r + 3], before[3 * r..3 * r + 3], "untouched row {r}");
            }
            assert!(rows.iter().all(|&r| (0..3).any(|j| a[3 * r as usize + j] != before[3 * r as usize + j])));
        }
    }
}

#[test]
fn sgd_rows_with_momentum_and_decay_follow_dense_sgd_on_each_rows_own_clock() {
    let (eta, mu, lambda) = (0.2, 0.6, 0.1);
    let make = || Sgd::new(eta).unwrap().with_momentum(mu).unwrap().with_weight_decay(lambda).unwrap();
    let mut sparse = make();
    let mut a = table();
    // Each row alone, with its own dense optimizer stepped only when the row is touched.
    let mut own: Vec<(Sgd, Vec<f64>)> = (0..4).map(|r| (make(), table()[3 * r..3 * r + 3].to_vec())).collect();
    for (rows, g) in steps() {
        sparse.step_rows(&mut a, 3, &rows, &g).unwrap();
        for (&r, g_row) in rows.iter().zip(g.chunks_exact(3)) {
            let (opt, p) = &mut own[r as usize];
            opt.step(p, g_row).unwrap();
        }
        for (r, (_, p)) in own.iter().enumerate() {
            assert_eq!(&a[3 * r..3 * r + 3], &p[..], "row {r} after rows {rows:?}");
        }
    }

    // The dense step on the zero-padded gradient: on a first step the touched rows get the same bits, while
    // the untouched ones shrink by η·λ·p (weight decay) where the row-sparse step leaves them.
    let (rows, g) = &steps()[0];
    let (mut sparse, mut dense) = (make(), make());
    let (mut a, mut b) = (table(), table());
    sparse.step_rows(&mut a, 3, rows, g).unwrap();
    dense.step(&mut b, &scatter(12, 3, rows, g)).unwrap();
    let p0 = table();
    for r in 0..4usize {
        let (x, y, p) = (&a[3 * r..3 * r + 3], &b[3 * r..3 * r + 3], &p0[3 * r..3 * r + 3]);
        if rows.contains(&(r as u32)) {
            assert_eq!(x, y, "touched row {r}");
        } else {
            assert_eq!(x, p, "untouched row {r} (row-sparse)");
            for j in 0..3 {
                assert_eq!(y[j], p[j] - eta * (lambda * p[j]), "untouched row {r} (dense)");
            }
        }
    }
    // A second step that misses row 0: the dense step moves it by −η·(μ·v + λ·p) (its velocity v from the
    // first step decays and it coasts), the row-sparse step leaves it and its velocity alone.
    let (rows2, g2) = &steps()[1];
    assert!(!rows2.contains(&0));
    let v: Vec<f64> = (0..3).map(|j| (p0[j] - b[j]) / eta).collect();
    let (a_before, b_before) = (a.clone(), b.clone());
    sparse.step_rows(&mut a, 3, rows2, g2).unwrap();
    dense.step(&mut b, &scatter(12, 3, rows2, g2)).unwrap();
    assert_eq!(a[..3], a_before[..3]);
    for j in 0..3 {
        let expected = b_before[j] - eta * (mu * v[j] + lambda * b_before[j]);
        assert!((b[j] - expected).abs() < 1e-14, "dense row 0[{j}]: {} vs {expected}", b[j]);
        assert!((b[j] - a[j]).abs() > 1e-3, "the dense step moved row 0[{j}]");
    }
    // Row 0's next touch continues from the velocity it had: the own-clock rule again.
    let (mut alone, mut p) = (make(), p0[..3].to_vec());
    alone.step(&mut p, &g[..3]).unwrap();
    sparse.step_rows(&mut a, 3, &[0], &[0.5, 0.5, 0.5]).unwrap();
    alone.step(&mut p, &[0.5, 0.5, 0.5]).unwrap();
    assert_eq!(a[..3], p[..]);
}

#[test]
fn adam_rows_on_a_first_step_are_the_dense_step_on_the_touched_rows() {
    // Without weight decay a zero gradient leaves a row where it is in Adam's dense step too (m = v = 0), so
    // on a first step the two agree on the whole table.
    let (rows, g) = &steps()[1];
    let (mut sparse, mut dense) = (Adam::new(0.05).unwrap(), Adam::new(0.05).unwrap());
    let (mut a, mut b) = (table(), table());
    sparse.step_rows(&mut a, 3, rows, g).unwrap();
    dense.step(&mut b, &scatter(12, 3, rows, g)).unwrap();
    assert_eq!(a, b);
    assert_ne!(a, table());
    assert_eq!(a[..3], table()[..3]);
}

/// A bad row-sparse step: (table length, width, rows, gradient length), and its error's what, expected, found.
type ShapeCase = (usize, usize, &'static [u32], usize, &'static str, usize, usize);

/// Every shape error of a row-sparse step, for any optimizer: a typed error, and nothing moved.
fn check_shape_errors(opt: &mut dyn Optimizer) {
    const TABLE: &str = "row-sparse parameter table (a multiple of the row width)";
    let cases: [ShapeCase; 5] = [
        (12, 0, &[0], 1, TABLE, 12, 12),
        (11, 3, &[0], 3, TABLE, 12, 11),
        (12, 3, &[1, 4], 6, "row index of a row-sparse step", 4, 4),
        (12, 3, &[1, 2], 5, "row-sparse gradient", 6, 5),
        (12, 4, &[1, 2], 6, "row-sparse gradient", 8, 6),
    ];
    for (len, width, rows, grads, what, expected, found) in cases {
        let mut params = table()[..len].to_vec();
        match opt.step_rows(&mut params, width, rows, &vec![1.0; grads]) {
            Err(Error::DimensionMismatch { what: w, expected: e, found: f }) => {
                assert_eq!((w, e, f), (what, expected, found), "width {width}, rows {rows:?}")
            }
            other => panic!("width {width}, rows {rows:?}: {other:?}"),
        }
        assert_eq!(params, table()[..len]);
    }
    // The first valid step sizes the state to the table; a table of another size is then refused.
    let mut t = table();
    opt.step_rows(&mut t, 3, &[1], &[1.0; 3]).unwrap();
    let mut bigger = vec![0.0; 15];
    assert!(matches!(
        opt.step_rows(&mut bigger, 3, &[4], &[1.0; 3]),
        Err(Error::DimensionMismatch { what: "optimizer state", expected: 12, found: 15 })
    ));
    assert_eq!(bigger, vec![0.0; 15]);
    // The dense step checks the same state.
    assert!(matches!(opt.step(&mut bigger, &[0.0; 15]), Err(Error::DimensionMismatch { .. })));
    // No rows is a valid step that moves nothing.
    let before = t.clone();
    opt.step_rows(&mut t, 3, &[], &[]).unwrap();
    assert_eq!(t, before);
}

#[test]
fn row_sparse_shape_errors_are_typed_for_every_optimizer() {
    check_shape_errors(&mut Sgd::new(0.1).unwrap().with_momentum(0.5).unwrap());
    check_shape_errors(&mut Adam::new(0.1).unwrap());
}

/// A table of `rows` rows of `width`, a few steps each with a set of distinct rows in any order, and the
/// gradients.
#[allow(clippy::type_complexity)]
fn sparse_run() -> impl Strategy<Value = (usize, usize, Vec<f64>, Vec<(Vec<u32>, Vec<f64>)>)> {
    (1usize..4, 1usize..7).prop_flat_map(|(width, rows)| {
        let step = proptest::sample::subsequence((0..rows as u32).collect::<Vec<_>>(), 0..=rows)
            .prop_shuffle()
            .prop_flat_map(move |r| {
                let n = r.len() * width;
                (Just(r), proptest::collection::vec(-3.0f64..3.0, n))
            });
        (
            Just(width),
            Just(rows),
            proptest::collection::vec(-2.0f64..2.0, rows * width),
            proptest::collection::vec(step, 1..5),
        )
    })
}

proptest! {
    /// Sgd's row-sparse steps: untouched rows keep their bits, and every row equals dense SGD stepped on that
    /// row alone at the steps that touch it, with the gradient clipped by the factor of the whole step.
    #[test]
    fn sgd_rows_follow_dense_sgd_on_their_own_clock(
        (width, rows, p0, run) in sparse_run(),
        eta in 0.01f64..0.5,
        mu in prop_oneof![Just(0.0), 0.0f64..0.95],
        lambda in prop_oneof![Just(0.0), 0.0f64..0.5],
        clip in prop_oneof![Just(None), (0.1f64..5.0).prop_map(Some)],
    ) {
        let make = || Sgd::new(eta).unwrap().with_momentum(mu).unwrap().with_weight_decay(lambda).unwrap();
        let mut sparse = make();
        if let Some(c) = clip {
            sparse = sparse.with_clip_norm(c).unwrap();
        }
        let mut a = p0.clone();
        let mut own: Vec<(Sgd, Vec<f64>)> =
            (0..rows).map(|r| (make(), p0[r * width..(r + 1) * width].to_vec())).collect();
        for (rs, g) in &run {
            let before = a.clone();
            Optimizer::step_rows(&mut sparse, &mut a, width, rs, g).unwrap();
            let norm = g.iter().map(|x| x * x).sum::<f64>().sqrt();
            let k = clip.map_or(1.0, |c| if norm > c { c / norm } else { 1.0 });
            for (&r, g_row) in rs.iter().zip(g.chunks_exact(width)) {
                let (opt, p) = &mut own[r as usize];
                let clipped: Vec<f64> = g_row.iter().map(|x| k * x).collect();
                opt.step(p, &clipped).unwrap();
            }
            for (r, (_, p)) in own.iter().enumerate() {
                let got = &a[r * width..(r + 1) * width];
                if !rs.contains(&(r as u32)) {
                    prop_assert_eq!(got, &before[r * width..(r + 1) * width]);
                }
                if clip.is_none() {
                    prop_assert_eq!(got, &p[..]);
                } else {
                    for (x, y) in got.iter().zip(p) {
                        prop_assert!((x - y).abs() <= 1e-12 * (1.0 + y.abs()), "row {}: {} vs {}", r, x, y);
                    }
                }
            }
        }
    }
}
