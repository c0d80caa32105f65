//! The linear-chain CRF against brute-force enumeration of every tag path, its gradient against finite
//! differences, and Viterbi's paths against the best valid path.

use proptest::prelude::*;
use qnet::error::NonFiniteKind;
use qnet::tagger::{LinearChainCrf, Scheme, TagSet};
use qnet::Error;

/// Every path of length `t_len` over `k` tags.
fn all_paths(k: usize, t_len: usize) -> Vec<Vec<usize>> {
    let mut paths = vec![vec![]];
    for _ in 0..t_len {
        paths = paths.into_iter().flat_map(|p| (0..k).map(move |y| [p.clone(), vec![y]].concat())).collect();
    }
    paths
}

fn crf_with_scores(scheme: Scheme, types: &[&str], scores: &[f64]) -> LinearChainCrf {
    let tags = TagSet::new(types, scheme).unwrap();
    let mut crf = LinearChainCrf::new(&tags).unwrap();
    let k = crf.num_tags();
    crf.set_scores(&scores[..k * k], &scores[k * k..k * k + k], &scores[k * k + k..k * k + 2 * k]).unwrap();
    crf
}

/// log Σ exp over valid paths, and each path's probability, by enumeration.
fn brute_force(crf: &LinearChainCrf, emissions: &[f64]) -> (f64, Vec<(Vec<usize>, f64)>) {
    let k = crf.num_tags();
    let scored: Vec<(Vec<usize>, f64)> = all_paths(k, emissions.len() / k)
        .into_iter()
        .map(|p| {
            let s = crf.score(emissions, &p).unwrap();
            (p, s)
        })
        .filter(|(_, s)| s.is_finite())
        .collect();
    let max = scored.iter().map(|(_, s)| *s).fold(f64::NEG_INFINITY, f64::max);
    let log_z = max + scored.iter().map(|(_, s)| (s - max).exp()).sum::<f64>().ln();
    (log_z, scored.into_iter().map(|(p, s)| (p, (s - log_z).exp())).collect())
}

fn scheme_strategy() -> impl Strategy<Value = (Scheme, Vec<&'static str>)> {
    prop_oneof![
        Just((Scheme::Iob2, vec!["LOC", "PER"])),
        Just((Scheme::Iobes, vec!["PER"])),
        Just((Scheme::Iobes, vec!["LOC", "PER"])),
    ]
}

/// A CRF with random scores and random emissions for 1..=4 tokens.
fn case() -> impl Strategy<Value = (LinearChainCrf, Vec<f64>)> {
    (scheme_strategy(), 1usize..=4).prop_flat_map(|((scheme, types), t_len)| {
        let k = TagSet::new(&types, scheme).unwrap().len();
        (prop::collection::vec(-3.0f64..3.0, k * k + 2 * k), prop::collection::vec(-4.0f64..4.0, t_len * k))
            .prop_map(move |(scores, emissions)| (crf_with_scores(scheme, &types, &scores), emissions))
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn forward_algorithm_equals_enumeration((crf, e) in case()) {
        let (log_z, paths) = brute_force(&crf, &e);
        prop_assert!((crf.log_partition(&e).unwrap() - log_z).abs() < 1e-10);
        // Marginals: the probability mass of the paths through each (t, y).
        let k = crf.num_tags();
        let mut expected = vec![0.0; e.len()];
        for (p, prob) in &paths {
            for (t, &y) in p.iter().enumerate() {
                expected[t * k + y] += prob;
            }
        }
        for (a, b) in crf.marginals(&e).unwrap().iter().zip(&expected) {
            prop_assert!((a - b).abs() < 1e-10, "{a} vs {b}");
        }
    }

    #[test]
    fn viterbi_is_the_best_valid_path((crf, e) in case()) {
        let path = crf.viterbi(&e).unwrap();
        prop_assert!(crf.is_valid(&path));
        let best = all_paths(crf.num_tags(), path.len())
            .into_iter()
            .map(|p| crf.score(&e, &p).unwrap())
            .fold(f64::NEG_INFINITY, f64::max);
        prop_assert!((crf.score(&e, &path).unwrap() - best).abs() < 1e-10);
    }

    #[test]
    fn viterbi_never_emits_an_invalid_sequence(
        (scheme, types) in scheme_strategy(),
        e in prop::collection::vec(-20.0f64..20.0, 5 * 30),
        t in prop::collection::vec(-20.0f64..20.0, 9 * 9 + 2 * 9),
    ) {
        // Emissions and transitions that favour forbidden moves must still decode to a valid sequence.
        let tags = TagSet::new(&types, scheme).unwrap();
        let k = tags.len();
        let mut crf = LinearChainCrf::new(&tags).unwrap();
        crf.set_scores(&t[..k * k], &t[k * k..k * k + k], &t[k * k + k..k * k + 2 * k]).unwrap();
        let e = &e[..(e.len() / k) * k];
        let path = crf.viterbi(e).unwrap();
        prop_assert!(crf.is_valid(&path));
        let decoded = tags.decode(&path).unwrap();
        // The tags read back through the scheme's own chunk rules give the same tags again.
        prop_assert_eq!(scheme.from_iob2(&scheme.to_iob2(&decoded)), decoded);
    }

    #[test]
    fn marginal_entropy_is_between_zero_and_log_k((crf, e) in case()) {
        let gold = crf.viterbi(&e).unwrap();
        let g = crf.loss_and_gradient(&e, &gold, 0.0).unwrap();
        let t_len = gold.len() as f64;
        prop_assert!(g.entropy >= -1e-12 && g.entropy <= t_len * (crf.num_tags() as f64).ln() + 1e-12);
        prop_assert!(g.nll >= -1e-12);
    }
}

/// The objective as a function of all scores packed as [emissions, transitions, start, end].
fn objective(crf: &LinearChainCrf, packed: &[f64], n_e: usize, gold: &[usize], beta: f64) -> f64 {
    let k = crf.num_tags();
    let mut c = crf.clone();
    let s = &packed[n_e..];
    c.set_scores(&s[..k * k], &s[k * k..k * k + k], &s[k * k + k..]).unwrap();
    c.loss_and_gradient(&packed[..n_e], gold, beta).unwrap().loss
}

fn check_gradient(scheme: Scheme, types: &[&str], t_len: usize, beta: f64, seed: u64) {
    use rand::{RngExt, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let k = TagSet::new(types, scheme).unwrap().len();
    let scores: Vec<f64> = (0..k * k + 2 * k).map(|_| rng.random_range(-1.5..1.5)).collect();
    let crf = crf_with_scores(scheme, types, &scores);
    let e: Vec<f64> = (0..t_len * k).map(|_| rng.random_range(-2.0..2.0)).collect();
    let gold = crf.viterbi(&e.iter().map(|v| -v).collect::<Vec<_>>()).unwrap(); // some valid path
    let g = crf.loss_and_gradient(&e, &gold, beta).unwrap();
    let analytic: Vec<f64> = [g.emissions, g.transitions, g.start, g.end].concat();
    let packed: Vec<f64> = [e.as_slice(), &scores].concat();
    let h = 1e-5;
    for i in 0..packed.len() {
        let mut up = packed.clone();
        let mut down = packed.clone();
        up[i] += h;
        down[i] -= h;
        let numeric =
            (objective(&crf, &up, e.len(), &gold, beta) - objective(&crf, &down, e.len(), &gold, beta)) / (2.0 * h);
        // Scores of forbidden transitions do not enter the objective: both sides are 0 there.
        assert!(
            (numeric - analytic[i]).abs() < 1e-6,
            "{scheme} beta {beta} entry {i}: analytic {} numeric {numeric}",
            analytic[i]
        );
    }
}

#[test]
fn likelihood_gradient_matches_finite_differences() {
    for (seed, t_len) in [(1, 1), (2, 3), (3, 6)] {
        check_gradient(Scheme::Iob2, &["LOC", "PER"], t_len, 0.0, seed);
        check_gradient(Scheme::Iobes, &["PER", "ORG"], t_len, 0.0, seed + 10);
    }
}

#[test]
fn entropy_penalty_gradient_matches_finite_differences() {
    for (seed, t_len) in [(4, 1), (5, 2), (6, 5)] {
        check_gradient(Scheme::Iob2, &["LOC", "PER"], t_len, 0.7, seed);
        check_gradient(Scheme::Iobes, &["MISC"], t_len, 1.3, seed + 10);
    }
}

#[test]
fn the_entropy_term_is_the_sum_of_marginal_entropies() {
    let crf = crf_with_scores(
        Scheme::Iob2,
        &["PER"],
        &[0.1, -0.2, 0.3, 0.0, 0.5, -0.1, 0.2, 0.0, 0.4, 0.0, 0.1, 0.2, -0.3, 0.0, 0.1],
    );
    let e = [0.3, 1.0, -0.5, 0.2, 0.1, 0.9, -1.0, 0.0, 0.4];
    let p = crf.marginals(&e).unwrap();
    let h: f64 = p.iter().filter(|&&q| q > 0.0).map(|q| -q * q.ln()).sum();
    let g = crf.loss_and_gradient(&e, &[1, 2, 0], 0.5).unwrap();
    assert!((g.entropy - h).abs() < 1e-12);
    assert!((g.loss - (g.nll - 0.5 * h)).abs() < 1e-12);
}

#[test]
fn constraints_follow_the_scheme() {
    let iob2 = LinearChainCrf::new(&TagSet::new(["PER", "LOC"], Scheme::Iob2).unwrap()).unwrap();
    // Ids: O 0, B-LOC 1, I-LOC 2, B-PER 3, I-PER 4.
    assert!(iob2.is_valid(&[1, 2, 0, 3, 4, 4]));
    assert!(!iob2.is_valid(&[2]), "I-LOC cannot open a sentence");
    assert!(!iob2.is_valid(&[3, 2]), "I-LOC cannot follow B-PER");
    assert!(!iob2.is_valid(&[0, 4]), "I-PER cannot follow O");
    let iobes = LinearChainCrf::new(&TagSet::new(["PER"], Scheme::Iobes).unwrap()).unwrap();
    // Ids: O 0, B-PER 1, I-PER 2, E-PER 3, S-PER 4.
    assert!(iobes.is_valid(&[1, 2, 3, 4, 0]));
    assert!(!iobes.is_valid(&[1]), "a sentence cannot end inside an entity");
    assert!(!iobes.is_valid(&[1, 0]), "B-PER must be followed by I-PER or E-PER");
    assert!(!iobes.is_valid(&[0, 3]), "E-PER cannot follow O");
    assert!(!iobes.is_valid(&[9]), "an id past the tag set is not a valid path");
    // K itself is past the tag set too, first or after a tag.
    assert!(!iobes.is_valid(&[5]) && !iobes.is_valid(&[0, 5]) && !iob2.is_valid(&[0, 5, 0]));
}

#[test]
fn bad_inputs_are_typed_errors() {
    let crf = LinearChainCrf::new(&TagSet::new(["PER"], Scheme::Iob2).unwrap()).unwrap();
    assert!(matches!(crf.viterbi(&[]), Err(Error::DimensionMismatch { .. })));
    assert!(matches!(crf.viterbi(&[0.0; 4]), Err(Error::DimensionMismatch { found: 4, .. })));
    assert!(matches!(
        crf.log_partition(&[0.0, f64::NAN, 0.0]),
        Err(Error::NonFinite { kind: NonFiniteKind::Entry { index: 1, .. }, .. })
    ));
    assert!(matches!(crf.score(&[0.0; 6], &[0]), Err(Error::DimensionMismatch { .. })));
    assert!(matches!(crf.score(&[0.0; 3], &[7]), Err(Error::TagIdOutOfRange { id: 7, len: 3 })));
    assert!(matches!(crf.loss_and_gradient(&[0.0; 3], &[2], 0.0), Err(Error::ForbiddenPath { position: 0 })));
    assert!(matches!(crf.loss_and_gradient(&[0.0; 3], &[0], -1.0), Err(Error::InvalidHyperParameter { .. })));
    let mut c = crf.clone();
    assert!(matches!(
        c.set_scores(&[0.0; 9], &[0.0; 3], &[f64::INFINITY; 3]),
        Err(Error::NonFinite { kind: NonFiniteKind::Entry { .. }, .. })
    ));
    assert!(matches!(c.set_scores(&[0.0; 8], &[0.0; 3], &[0.0; 3]), Err(Error::DimensionMismatch { .. })));
    // A forbidden path scores −∞ rather than failing.
    assert_eq!(crf.score(&[0.0; 3], &[2]).unwrap(), f64::NEG_INFINITY);
}

#[test]
fn scores_set_are_the_scores_read_back_and_a_new_crf_starts_at_zero() {
    let tags = TagSet::new(["LOC", "PER"], Scheme::Iob2).unwrap();
    let mut crf = LinearChainCrf::new(&tags).unwrap();
    assert_eq!(crf.num_tags(), 5);
    assert_eq!(
        (crf.transitions(), crf.start_scores(), crf.end_scores()),
        (&[0.0; 25][..], &[0.0; 5][..], &[0.0; 5][..])
    );
    let a: Vec<f64> = (0..25).map(|i| 0.1 * i as f64 - 1.0).collect();
    let (s, f) = ([0.5, -0.25, 1.5, 2.0, -3.0], [1.0, 0.0, -0.5, 0.25, 4.0]);
    crf.set_scores(&a, &s, &f).unwrap();
    assert_eq!((crf.transitions(), crf.start_scores(), crf.end_scores()), (&a[..], &s[..], &f[..]));
    // A failed set leaves the scores as they were.
    assert!(crf.set_scores(&a, &s, &[f64::NAN; 5]).is_err());
    assert_eq!((crf.transitions(), crf.start_scores(), crf.end_scores()), (&a[..], &s[..], &f[..]));
}

#[test]
fn viterbi_breaks_ties_toward_the_lower_tag_id() {
    // All scores equal: every valid path ties, and the lowest ids win (O throughout), at every position and
    // at the end.
    let crf = LinearChainCrf::new(&TagSet::new(["LOC", "PER"], Scheme::Iobes).unwrap()).unwrap();
    assert_eq!(crf.viterbi(&[0.0; 9 * 4]).unwrap(), [0, 0, 0, 0]);
    // S-LOC (4) and S-PER (8) equally good at each token: S-LOC everywhere.
    let mut e = vec![0.0; 9 * 3];
    for t in 0..3 {
        e[t * 9 + 4] = 2.0;
        e[t * 9 + 8] = 2.0;
    }
    assert_eq!(crf.viterbi(&e).unwrap(), [4, 4, 4]);
}

#[test]
fn allowed_transitions_are_queried_by_id_and_iob1_allows_everything() {
    let iob2 = LinearChainCrf::new(&TagSet::new(["LOC", "PER"], Scheme::Iob2).unwrap()).unwrap();
    // Ids: O 0, B-LOC 1, I-LOC 2, B-PER 3, I-PER 4.
    assert!(iob2.allows(1, 2) && iob2.allows(2, 2) && iob2.allows(0, 3) && iob2.allows(4, 0));
    assert!(!iob2.allows(0, 2) && !iob2.allows(3, 2) && !iob2.allows(2, 4));
    assert!(!iob2.allows(5, 0) && !iob2.allows(0, 5), "ids past the tag set are never allowed");
    let iob1 = LinearChainCrf::new(&TagSet::new(["PER"], Scheme::Iob1).unwrap()).unwrap();
    let k = iob1.num_tags();
    assert!((0..k).all(|a| (0..k).all(|b| iob1.allows(a, b))));
    assert!(all_paths(k, 3).iter().all(|p| iob1.is_valid(p)));
}

#[test]
fn errors_say_where_and_how_long() {
    let crf = LinearChainCrf::new(&TagSet::new(["PER"], Scheme::Iobes).unwrap()).unwrap();
    // K = 5: four values ask for one row of five; none for one row as well; eleven for three rows.
    for (len, expected) in [(4, 5), (0, 5), (11, 15)] {
        match crf.log_partition(&vec![0.0; len]) {
            Err(Error::DimensionMismatch { expected: e, found, .. }) => assert_eq!((e, found), (expected, len)),
            other => panic!("{len} values: {other:?}"),
        }
    }
    // A gold path that breaks the constraints: at its first bad tag, or at its length when it ends inside an
    // entity. Ids: O 0, B-PER 1, I-PER 2, E-PER 3, S-PER 4.
    let e = [0.0; 15];
    for (gold, position) in [([0, 0, 2], 2), ([1, 2, 2], 3), ([3, 0, 0], 0), ([0, 1, 0], 2)] {
        assert_eq!(crf.loss_and_gradient(&e, &gold, 0.0), Err(Error::ForbiddenPath { position }), "{gold:?}");
    }
}
