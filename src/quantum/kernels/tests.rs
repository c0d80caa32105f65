//! The kernels against the textbook action of each op.

use super::*;
use crate::quantum::op::{I, ZERO};

/// The textbook action of `op` on a state: for every index whose controls are set and whose target bits
/// are zero, gather the 2 or 4 amplitudes, multiply by the dense matrix, scatter back.
fn naive(state: &mut [C], op: &Op, targets: &[usize], ctrl_mask: usize) {
    let m = op.dense();
    let k = targets.len();
    let tmask = targets.iter().fold(0, |a, &t| a | (1usize << t));
    for i in 0..state.len() {
        if i & ctrl_mask != ctrl_mask || i & tmask != 0 {
            continue;
        }
        let index = |a: usize| (0..k).fold(i, |acc, j| acc | (((a >> j) & 1) << targets[j]));
        let v: Vec<C> = (0..1 << k).map(|a| state[index(a)]).collect();
        for (r, row) in m.iter().enumerate() {
            state[index(r)] = row.iter().zip(&v).map(|(x, y)| x * y).sum();
        }
    }
}

/// A deterministic pseudo-random generator for the test (no dependency on rand here).
fn lcg(s: &mut u64) -> u64 {
    *s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    *s >> 33
}

#[test]
fn kernels_match_the_textbook_action_on_large_states() {
    let mut seed = 12345u64;
    let rnd = |s: &mut u64| (lcg(s) as f64 / (1u64 << 31) as f64) - 1.0;
    for n in [14usize, 15] {
        let dim = 1usize << n;
        let start: Vec<C> = (0..dim).map(|_| C::new(rnd(&mut seed), rnd(&mut seed))).collect();
        let c = |s: &mut u64| C::new(rnd(s), rnd(s));
        for trial in 0..60 {
            let op = match trial % 6 {
                0 => Op::Diag1([c(&mut seed), c(&mut seed)]),
                1 => {
                    if trial % 12 == 1 {
                        Op::Anti1(ONE, ONE)
                    } else {
                        Op::Anti1(c(&mut seed), c(&mut seed))
                    }
                }
                2 => Op::Mat1([[c(&mut seed), c(&mut seed)], [c(&mut seed), c(&mut seed)]]),
                3 => Op::Diag2([c(&mut seed), ONE, c(&mut seed), -ONE]),
                4 => Op::Swap2(if trial % 12 == 4 { ONE } else { I }),
                _ => {
                    let mut m = [[ZERO; 4]; 4];
                    m.iter_mut().flatten().for_each(|x| *x = c(&mut seed));
                    Op::Mat2(m)
                }
            };
            // Distinct qubits: targets first, then 0 to 2 controls; low and high bits both appear.
            let mut pool: Vec<usize> = (0..n).collect();
            let mut pick = |s: &mut u64| pool.remove(lcg(s) as usize % pool.len());
            let targets: Vec<usize> = (0..op.arity()).map(|_| pick(&mut seed)).collect();
            let num_controls = (lcg(&mut seed) % 3) as usize;
            let ctrl_mask = (0..num_controls).fold(0, |m, _| m | (1usize << pick(&mut seed)));
            let mut fast = start.clone();
            let mut slow = start.clone();
            apply_op(&mut fast, &op, &targets, ctrl_mask);
            naive(&mut slow, &op, &targets, ctrl_mask);
            for (i, (a, b)) in fast.iter().zip(&slow).enumerate() {
                assert!((a - b).norm() < 1e-12, "{op:?} on {targets:?} ctrl {ctrl_mask:b}: index {i}: {a} vs {b}");
            }
        }
    }
}

/// A random op of every kind the kernels specialise: general, real, RX-like, diagonal (with 1 and −1 entries),
/// anti-diagonal (a plain swap too), and the two-qubit ops.
fn random_op(kind: usize, s: &mut u64) -> Op {
    let mut r = || (lcg(s) as f64 / (1u64 << 31) as f64) - 1.0;
    let mut c = || C::new(r(), r());
    let (re, im) = (|z: C| C::new(z.re, 0.0), |z: C| C::new(0.0, z.im));
    match kind % 12 {
        0 => Op::Mat1([[c(), c()], [c(), c()]]),
        1 => Op::Mat1([[re(c()), re(c())], [re(c()), re(c())]]),
        2 => Op::Mat1([[re(c()), im(c())], [im(c()), re(c())]]),
        3 => Op::Diag1([c(), c()]),
        4 => Op::Diag1([ONE, c()]),
        5 => Op::Diag1([-ONE, c()]),
        6 => Op::Anti1(c(), c()),
        7 => Op::Anti1(ONE, ONE),
        8 => Op::Diag2([c(), ONE, c(), -ONE]),
        9 => Op::Swap2(c()),
        10 => Op::Swap2(ONE),
        _ => {
            let mut m = [[ZERO; 4]; 4];
            m.iter_mut().flatten().for_each(|x| *x = c());
            Op::Mat2(m)
        }
    }
}

fn bits(s: &[C]) -> Vec<(u64, u64)> {
    s.iter().map(|z| (z.re.to_bits(), z.im.to_bits())).collect()
}

#[test]
fn every_instruction_set_gives_the_portable_bits() {
    let isas = Isa::available();
    assert!(isas.contains(&Isa::detected()));
    let mut seed = 777u64;
    for n in 1usize..=16 {
        let dim = 1usize << n;
        let start: Vec<C> =
            (0..dim).map(|_| C::new(lcg(&mut seed) as f64 / 3e9 - 0.3, lcg(&mut seed) as f64 / 3e9 - 0.4)).collect();
        for kind in 0..48 {
            let op = random_op(kind, &mut seed);
            if op.arity() > n {
                continue;
            }
            // Low targets and controls (runs of 1, 2, 4 amplitudes: the tails) as often as random ones.
            let mut pool: Vec<usize> = (0..n).collect();
            let mut pick = |s: &mut u64| pool.remove(if kind % 3 == 0 { 0 } else { lcg(s) as usize % pool.len() });
            let targets: Vec<usize> = (0..op.arity()).map(|_| pick(&mut seed)).collect();
            let num_controls = ((lcg(&mut seed) % 3) as usize).min(n - op.arity());
            let ctrl_mask = (0..num_controls).fold(0, |m, _| m | (1usize << pick(&mut seed)));
            let run = |isa: Isa| {
                let mut s = start.clone();
                // Half the kinds walk the amplitudes as a controlled op even without a control.
                let controlled = ctrl_mask != 0 || kind % 2 == 1;
                dispatch(isa, ApplyOp { state: &mut s, op: &op, targets: &targets, ctrl_mask, controlled });
                bits(&s)
            };
            let portable = run(isas[0]);
            for &isa in &isas[1..] {
                assert!(run(isa) == portable, "{isa:?}: {op:?} on {targets:?} ctrl {ctrl_mask:b}, {n} qubits");
            }
        }
    }
    // Every kernel method, and the slice entry points, on every length up to several registers of the widest
    // set (every tail: 1 to 3 amplitudes past a whole register, odd lengths, 1-element slices) and a few large.
    for len in (0..=40).chain([255, 256, 1000, 1023, 4099]) {
        let lo: Vec<C> = (0..len).map(|_| C::new(lcg(&mut seed) as f64 / 3e9, lcg(&mut seed) as f64 / 3e9)).collect();
        let hi: Vec<C> = lo.iter().rev().map(|z| z * C::new(0.3, -1.1)).collect();
        for kind in 0..3 {
            let Op::Mat1(m) = random_op(kind, &mut seed) else { unreachable!() };
            let run = |isa: Isa| {
                let (mut l, mut h) = (lo.clone(), hi.clone());
                dispatch(isa, OpSlices(&mut l, &mut h, &Op::Mat1(m)));
                dispatch(isa, OpSlices(&mut l, &mut h, &Op::Diag1([m[0][1], -ONE])));
                dispatch(isa, OpSlices(&mut h, &mut l, &Op::Anti1(m[1][0], m[1][1])));
                dispatch(isa, EveryKernel(&mut l, &mut h, m));
                (bits(&l), bits(&h))
            };
            let portable = run(isas[0]);
            for &isa in &isas[1..] {
                assert!(run(isa) == portable, "{isa:?}: {m:?} on {len} amplitudes");
            }
        }
    }
}

/// Every method of [`Kernels`] in turn on two slices of equal length (the adjacent ones on the even prefix of
/// the first, then of the second past its first amplitude).
struct EveryKernel<'a>(&'a mut [C], &'a mut [C], [[C; 2]; 2]);

impl Task for EveryKernel<'_> {
    type Output = ();
    fn run<K: Kernels>(self, k: K) {
        let EveryKernel(lo, hi, m) = self;
        let [[a, b], [c, d]] = m;
        k.scale(lo, a);
        k.mat1(lo, hi, m);
        k.rx(hi, lo, [a.re, b.im, c.im, d.re]);
        k.real(lo, hi, [[a.re, b.re], [c.re, d.re]]);
        let even = lo.len() & !1;
        k.mat1_blocks(&mut lo[..even], 1, m);
        k.diag_adjacent(&mut lo[..even], b, c);
        if let Some(rest) = hi.get_mut(1..) {
            let even = rest.len() & !1;
            k.real_blocks(&mut rest[..even], 1, [[d.re, c.re], [b.re, a.re]]);
            k.rx_blocks(&mut rest[..even], 1, [d.re, c.im, b.im, a.re]);
            k.diag_adjacent(&mut rest[..even], d, a);
        }
        // The block loops on every half-block length from below a register of the narrowest set to above one of
        // the widest, over the whole blocks of each slice.
        for half in [1, 2, 4, 8, 16] {
            let whole = |s: &mut [C]| s.len() - s.len() % (2 * half);
            let (nl, nh) = (whole(lo), whole(hi));
            k.mat1_blocks(&mut lo[..nl], half, m);
            k.rx_blocks(&mut hi[..nh], half, [a.re, b.im, c.im, d.re]);
            k.real_blocks(&mut lo[..nl], half, [[a.re, b.re], [c.re, d.re]]);
            k.diag_blocks(&mut hi[..nh], half, b, c);
        }
    }
}

/// A dense 4x4 op on every pair of qubits of a 7-qubit state (in both orders of its targets, so that the matrix
/// is re-indexed), and on low and high pairs of a 16-qubit state in a pool of one and of two threads (whole
/// chunks, windows of the halves of qubit b, and four-slice runs): every instruction set gives the portable
/// bits, and the portable bits are the textbook action within rounding.
#[test]
fn dense_two_qubit_ops_on_every_pair() {
    let isas = Isa::available();
    let mut seed = 4242u64;
    let mut m = [[ZERO; 4]; 4];
    m.iter_mut().flatten().for_each(|x| *x = C::new(lcg(&mut seed) as f64 / 3e9 - 0.3, lcg(&mut seed) as f64 / 3e9));
    let op = Op::Mat2(m);
    let state = |n: usize, seed: &mut u64| -> Vec<C> {
        (0..1usize << n).map(|_| C::new(lcg(seed) as f64 / 3e9 - 0.3, lcg(seed) as f64 / 3e9 - 0.4)).collect()
    };
    let check = |start: &[C], targets: [usize; 2], ctrl_mask: usize| {
        let run = |isa: Isa| {
            let mut s = start.to_vec();
            dispatch(isa, ApplyOp { state: &mut s, op: &op, targets: &targets, ctrl_mask, controlled: ctrl_mask != 0 });
            s
        };
        let portable = run(isas[0]);
        for &isa in &isas[1..] {
            assert!(bits(&run(isa)) == bits(&portable), "{isa:?}: on {targets:?} ctrl {ctrl_mask:b}");
        }
        let mut slow = start.to_vec();
        naive(&mut slow, &op, &targets, ctrl_mask);
        for (i, (a, b)) in portable.iter().zip(&slow).enumerate() {
            assert!((a - b).norm() < 1e-12, "{targets:?} ctrl {ctrl_mask:b}: index {i}: {a} vs {b}");
        }
    };
    let small = state(7, &mut seed);
    for a in 0..7 {
        for b in 0..7 {
            if a != b {
                check(&small, [a, b], 0);
                let c = (0..7).find(|&c| c != a && c != b).unwrap();
                check(&small, [a, b], 1 << c);
            }
        }
    }
    let large = state(16, &mut seed);
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| {
            for pair in [[0, 1], [1, 0], [0, 15], [15, 1], [2, 15], [3, 11], [12, 15], [14, 13], [5, 12]] {
                check(&large, pair, 0);
            }
        });
    }
}

/// The correlations of one-target nodes: every instruction set adds the same products into the same lanes
/// (the same bits), for slices of every length up to past several registers and for blocks of every half from
/// 1 to 64; the folded lanes stand for the plain sums R_ij = Σ_k conj(λ_i[k])·φ_j[k] within rounding (the four
/// real combinations of them that `correlations` keeps), and contract with anti-Hermitian matrices A as the
/// plain sums do: 2·Re Σ A_ij R_ij.
#[test]
fn correlations_are_the_same_bits_on_every_instruction_set_and_the_plain_sums() {
    let isas = Isa::available();
    let mut seed = 99u64;
    let mut draw = |n: usize| -> Vec<C> {
        (0..n).map(|_| C::new(lcg(&mut seed) as f64 / 3e9 - 0.3, lcg(&mut seed) as f64 / 3e9 - 0.4)).collect()
    };
    let plain = |p0: &[C], p1: &[C], l0: &[C], l1: &[C]| -> [C; 4] {
        let mut r = [ZERO; 4];
        for k in 0..p0.len() {
            r[0] += l0[k].conj() * p0[k];
            r[1] += l0[k].conj() * p1[k];
            r[2] += l1[k].conj() * p0[k];
            r[3] += l1[k].conj() * p1[k];
        }
        r
    };
    // The four combinations an anti-Hermitian A reads, from the plain sums.
    let kept =
        |r: [C; 4]| [C::new(0.0, r[0].im), C::new(r[1].re - r[2].re, r[1].im + r[2].im), ZERO, C::new(0.0, r[3].im)];
    let close = |a: [C; 4], b: [C; 4]| a.iter().zip(&b).all(|(x, y)| (x - y).norm() < 1e-12);
    let contract = |a: &[C; 4], r: [C; 4]| 2.0 * a.iter().zip(r).map(|(a, r)| (a * r).re).sum::<f64>();
    let start_lanes = [[C::new(0.25, -0.5); 4]; 4];
    let start = correlations(fold_lanes(&start_lanes));
    struct Pairs<'a>(&'a [C], &'a [C], &'a [C], &'a [C], Option<usize>);
    impl Task for Pairs<'_> {
        type Output = Lanes;
        fn run<K: Kernels>(self, k: K) -> Lanes {
            let mut lanes = [[C::new(0.25, -0.5); 4]; 4];
            match self.4 {
                None => k.correlate(self.0, self.1, self.2, self.3, &mut lanes),
                Some(half) => k.correlate_blocks(self.0, self.2, half, &mut lanes),
            }
            lanes
        }
    }
    let lane_bits = |l: &Lanes| l.iter().flatten().map(|z| (z.re.to_bits(), z.im.to_bits())).collect::<Vec<_>>();
    for len in (0..=19).chain([64, 255, 256, 1000]) {
        let (p0, p1, l0, l1) = (draw(len), draw(len), draw(len), draw(len));
        let portable = dispatch(isas[0], Pairs(&p0, &p1, &l0, &l1, None));
        for &isa in &isas[1..] {
            assert_eq!(
                lane_bits(&dispatch(isa, Pairs(&p0, &p1, &l0, &l1, None))),
                lane_bits(&portable),
                "{isa:?}, {len}"
            );
        }
        let sums = correlations(fold_lanes(&portable));
        let want = plain(&p0, &p1, &l0, &l1);
        let kept_want = kept(want);
        assert!(close(sums, std::array::from_fn(|i| kept_want[i] + start[i])), "{len}: {sums:?} vs {want:?}");
        // A = i·H with H Hermitian: the kept sums contract as the plain ones.
        let (h0, h1, h01) = (0.3 + len as f64 * 0.01, -1.1, C::new(0.7, -0.4));
        let i = C::new(0.0, 1.0);
        let a = [i * h0, i * h01, i * h01.conj(), i * h1];
        let from_lanes = contract(&a, sums) - contract(&a, start);
        assert!((from_lanes - contract(&a, want)).abs() < 1e-12, "{len}: {from_lanes} vs {}", contract(&a, want));
    }
    // Whole groups of four pairs, and groups with one to three blocks past them (half-blocks of 1 and 2 go four
    // pairs at a time through registers, and the rest portably).
    for (half, blocks) in [(1usize, 8), (1, 9), (1, 11), (1, 3), (2, 8), (2, 5), (2, 1), (4, 8), (8, 8), (64, 8)] {
        let (p, l) = (draw(2 * blocks * half), draw(2 * blocks * half));
        let portable = dispatch(isas[0], Pairs(&p, &[], &l, &[], Some(half)));
        for &isa in &isas[1..] {
            assert_eq!(lane_bits(&dispatch(isa, Pairs(&p, &[], &l, &[], Some(half)))), lane_bits(&portable), "{isa:?}");
        }
        let mut want = [ZERO; 4];
        for (pb, lb) in p.chunks_exact(2 * half).zip(l.chunks_exact(2 * half)) {
            let r = plain(&pb[..half], &pb[half..], &lb[..half], &lb[half..]);
            want.iter_mut().zip(r).for_each(|(w, r)| *w += r);
        }
        let (sums, want) = (correlations(fold_lanes(&portable)), kept(want));
        assert!(close(sums, std::array::from_fn(|i| want[i] + start[i])), "half {half}, {blocks} blocks");
    }
}

#[test]
fn a_phase_on_a_subspace_is_the_diagonal_kernels_arithmetic() {
    let mut seed = 11;
    for n in [1, 2, 5, 9] {
        let dim = 1usize << n;
        let start: Vec<C> = (0..dim)
            .map(|i| match i % 4 {
                0 => C::new(-0.0, 0.0),
                _ => C::new(lcg(&mut seed) as f64 / 3e9 - 0.3, lcg(&mut seed) as f64 / 3e9 - 0.4),
            })
            .collect();
        for d in [C::new(-1.0, 0.0), C::new(0.6, -0.8), C::new(0.0, 1.0), ONE] {
            for (mask, pattern) in [(0, 0), (1, 1), (1, 0), (dim - 1, dim / 2), (dim / 2, 0)] {
                let mut s = start.clone();
                super::apply_phase(&mut s, mask, pattern, d);
                // The rule of the diagonal kernels: 1 leaves, −1 negates, anything else multiplies.
                let expected: Vec<C> = start
                    .iter()
                    .enumerate()
                    .map(|(i, &x)| match (i & mask == pattern, d) {
                        (false, _) => x,
                        (true, d) if d == ONE => x,
                        (true, d) if d == -ONE => -x,
                        (true, d) => x * d,
                    })
                    .collect();
                assert!(bits(&s) == bits(&expected), "n {n}, d {d}, mask {mask:b}, pattern {pattern:b}");
                if mask == 0 && n >= 2 {
                    // The same as the diagonal gate diag(d, d) on a qubit other than 0.
                    let mut t = start.clone();
                    super::apply_op(&mut t, &Op::Diag1([d, d]), &[1], 0);
                    assert!(bits(&s) == bits(&t));
                }
            }
        }
    }
}

/// A dense 4x4 op adds each row's products in its own column order, whichever target is the lower qubit: on
/// a state whose qubits 2 and 5 are exchanged, the op on (2, 5) gives, bit for bit, the exchanged result of the
/// op on (5, 2) (a distributed state relies on it when it relabels qubits).
#[test]
fn dense_two_qubit_ops_do_not_depend_on_which_target_is_lower() {
    let mut seed = 31u64;
    let mut m = [[ZERO; 4]; 4];
    m.iter_mut().flatten().for_each(|x| *x = C::new(lcg(&mut seed) as f64 / 3e9 - 0.3, lcg(&mut seed) as f64 / 3e9));
    let op = Op::Mat2(m);
    let start: Vec<C> =
        (0..1 << 7).map(|_| C::new(lcg(&mut seed) as f64 / 3e9 - 0.3, lcg(&mut seed) as f64 / 3e9 - 0.4)).collect();
    let exchange = |s: &[C]| -> Vec<C> {
        (0..s.len()).map(|i| s[(i & !0b100100) | ((i >> 2 & 1) << 5) | ((i >> 5 & 1) << 2)]).collect()
    };
    for isa in Isa::available() {
        let run = |s: &mut Vec<C>, targets: [usize; 2]| {
            dispatch(isa, ApplyOp { state: s, op: &op, targets: &targets, ctrl_mask: 0, controlled: false });
        };
        let mut direct = start.clone();
        run(&mut direct, [5, 2]);
        let mut relabelled = exchange(&start);
        run(&mut relabelled, [2, 5]);
        assert!(bits(&exchange(&relabelled)) == bits(&direct), "{isa:?}");
    }
}
