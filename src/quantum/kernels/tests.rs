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
        k.mat1_adjacent(&mut lo[..even], m);
        k.diag_adjacent(&mut lo[..even], b, c);
        if let Some(rest) = hi.get_mut(1..) {
            let even = rest.len() & !1;
            k.mat1_adjacent(&mut rest[..even], [[d, c], [b, a]]);
            k.diag_adjacent(&mut rest[..even], d, a);
        }
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
