//! The engine's fast paths (fusion, permutation runs, cache blocking, threads) against a plain reference
//! applier written here: one gate at a time on a `Vec<Complex64>`, a loop over basis indices that applies each
//! gate's dense matrix ([`Gate::matrix`] after binding, itself checked against textbook matrices in
//! `tests/quantum_dense.rs`) on the instruction's qubits under its extra controls. No fusion, no blocking, no
//! kernel of the crate.
//!
//! - Random circuits of 14–18 qubits with every gate kind, extra controls mostly on the highest qubits, CNOT,
//!   SWAP and X runs of sixteen gates or more (ladders up and down, low, high and across), runs of diagonal
//!   gates, gates that share a pair of qubits, one-qubit runs: `StateVector::run` and `run_compiled` from a
//!   random state agree with the reference within 1e-12, and with one and two threads bit for bit.
//! - The adjoint Jacobian at 16 qubits, every parametrised gate kind, against the parameter-shift rules
//!   (1e-12) and a five-point central difference of `StateVector::run` (1e-9); the values against the
//!   reference applier and a Pauli expectation written here.

use std::f64::consts::PI;

use nalgebra::DMatrix;
use proptest::prelude::*;
use qnet::grad::{DiffMethod, Outputs, QuantumFunction};
use qnet::prelude::*;
use qnet::quantum::{CompiledCircuit, Instruction, Pauli};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The largest error allowed between the engine's amplitudes and the reference's.
const AMPLITUDE_TOLERANCE: f64 = 1e-12;
/// Weights and inputs the random circuits read (indices below these).
const NUM_WEIGHTS: usize = 8;
const NUM_INPUTS: usize = 4;

// ---------------------------------------------------------------------------------------------------------
// The reference.

/// Applies `inst` to `amps` one basis index at a time: for every index whose target bits are 0 and whose extra
/// control bits are 1, the 2^k amplitudes over the targets (the first target the least significant bit of the
/// matrix index) are multiplied by the gate's matrix.
fn apply_reference(amps: &mut [Complex64], inst: &Instruction, weights: &[f64], inputs: &[f64]) {
    let m = inst.gate().bind(weights, inputs).expect("bound").matrix().expect("matrix");
    let targets = inst.targets();
    let dim = 1usize << targets.len();
    assert_eq!(m.nrows(), dim, "{inst}");
    let offsets: Vec<usize> = (0..dim)
        .map(|j| targets.iter().enumerate().filter(|&(b, _)| j >> b & 1 == 1).fold(0, |o, (_, &q)| o | 1 << q))
        .collect();
    let target_mask = offsets[dim - 1];
    let control_mask = inst.controls().iter().fold(0usize, |mask, &q| mask | 1 << q);
    let mut local = vec![Complex64::new(0.0, 0.0); dim];
    for base in 0..amps.len() {
        if base & target_mask != 0 || base & control_mask != control_mask {
            continue;
        }
        for (l, &o) in local.iter_mut().zip(&offsets) {
            *l = amps[base | o];
        }
        for (r, &o) in offsets.iter().enumerate() {
            amps[base | o] = (0..dim).map(|c| m[(r, c)] * local[c]).sum();
        }
    }
}

/// The final amplitudes of `circuit` from `start`, gate by gate.
fn run_reference(circuit: &Circuit, start: &[Complex64], weights: &[f64], inputs: &[f64]) -> Vec<Complex64> {
    let mut amps = start.to_vec();
    for inst in circuit.instructions() {
        apply_reference(&mut amps, inst, weights, inputs);
    }
    amps
}

/// ⟨ψ|O|ψ⟩ = Σ_P c_P ⟨ψ|P|ψ⟩ over the Pauli strings P of `observable`, with P|i⟩ = phase(i)·|i ⊕ flips⟩:
/// I|b⟩ = |b⟩, X|b⟩ = |1−b⟩, Y|0⟩ = i|1⟩, Y|1⟩ = −i|0⟩, Z|b⟩ = (−1)^b|b⟩.
fn reference_expectation(amps: &[Complex64], observable: &Observable) -> f64 {
    let mut total = 0.0;
    for term in observable.terms() {
        let flips =
            term.ops().iter().filter(|(_, p)| matches!(p, Pauli::X | Pauli::Y)).fold(0usize, |m, &(q, _)| m | 1 << q);
        let value: Complex64 = (0..amps.len())
            .map(|i| {
                let phase = term.ops().iter().fold(Complex64::new(1.0, 0.0), |ph, &(q, p)| {
                    ph * match (p, i >> q & 1 == 1) {
                        (Pauli::I | Pauli::X, _) | (Pauli::Z, false) => Complex64::new(1.0, 0.0),
                        (Pauli::Z, true) => Complex64::new(-1.0, 0.0),
                        (Pauli::Y, false) => Complex64::new(0.0, 1.0),
                        (Pauli::Y, true) => Complex64::new(0.0, -1.0),
                    }
                });
                amps[i ^ flips].conj() * phase * amps[i]
            })
            .sum();
        total += term.coeff() * value.re;
    }
    total
}

fn max_error(a: &[Complex64], b: &[Complex64]) -> f64 {
    assert_eq!(a.len(), b.len());
    a.iter().zip(b).map(|(x, y)| (x - y).norm()).fold(0.0, f64::max)
}

fn bits(amps: &[Complex64]) -> Vec<(u64, u64)> {
    amps.iter().map(|a| (a.re.to_bits(), a.im.to_bits())).collect()
}

/// A random normalized state of `n` qubits.
fn random_state(n: usize, rng: &mut impl Rng) -> Vec<Complex64> {
    let v: Vec<Complex64> =
        (0..1usize << n).map(|_| Complex64::new(rng.random_range(-1.0..1.0), rng.random_range(-1.0..1.0))).collect();
    let norm = v.iter().map(Complex64::norm_sqr).sum::<f64>().sqrt();
    v.into_iter().map(|a| a / norm).collect()
}

/// A random unitary of dimension `dim`: the Q of a random complex matrix's QR decomposition.
fn random_unitary(dim: usize, rng: &mut impl Rng) -> DMatrix<Complex64> {
    DMatrix::from_fn(dim, dim, |_, _| Complex64::new(rng.random_range(-1.0..1.0), rng.random_range(-1.0..1.0))).qr().q()
}

// ---------------------------------------------------------------------------------------------------------
// Random circuits.

/// Every gate variant's name: the generator must produce each (`every_gate_kind_is_generated`).
const ALL_GATE_NAMES: [&str; 32] = [
    "id", "x", "y", "z", "h", "s", "sdg", "t", "tdg", "sx", "sxdg", "rx", "ry", "rz", "p", "u3", "rot", "cx", "cy",
    "cz", "swap", "iswap", "crx", "cry", "crz", "cp", "rxx", "ryy", "rzz", "ccx", "cswap", "unitary",
];
/// Kinds of `gate_of`: the 31 named gates, then a 2x2 and a 4x4 `Unitary`.
const NUM_KINDS: usize = 33;
/// The one-qubit kinds of `gate_of`: 0..ONE_QUBIT_KINDS, and 31.
const ONE_QUBIT_KINDS: usize = 17;

/// An angle: a weight or an input (scaled), or a constant.
fn random_param(rng: &mut impl Rng) -> Param {
    let scale = [1.0, -0.5, 2.0][rng.random_range(0..3)];
    match rng.random_range(0..3) {
        0 => Param::weight(rng.random_range(0..NUM_WEIGHTS)) * scale,
        1 => Param::input(rng.random_range(0..NUM_INPUTS)) * scale,
        _ => Param::Const(rng.random_range(-PI..PI)),
    }
}

/// Gate kind `kind` (below [`NUM_KINDS`]) with random angles.
fn gate_of(kind: usize, rng: &mut impl Rng) -> Gate {
    let [a, b, c]: [Param; 3] = std::array::from_fn(|_| random_param(rng));
    match kind {
        0 => Gate::I,
        1 => Gate::X,
        2 => Gate::Y,
        3 => Gate::Z,
        4 => Gate::H,
        5 => Gate::S,
        6 => Gate::Sdg,
        7 => Gate::T,
        8 => Gate::Tdg,
        9 => Gate::SX,
        10 => Gate::SXdg,
        11 => Gate::RX(a),
        12 => Gate::RY(a),
        13 => Gate::RZ(a),
        14 => Gate::Phase(a),
        15 => Gate::U3(a, b, c),
        16 => Gate::Rot(a, b, c),
        17 => Gate::CNOT,
        18 => Gate::CY,
        19 => Gate::CZ,
        20 => Gate::SWAP,
        21 => Gate::ISwap,
        22 => Gate::CRX(a),
        23 => Gate::CRY(a),
        24 => Gate::CRZ(a),
        25 => Gate::CPhase(a),
        26 => Gate::RXX(a),
        27 => Gate::RYY(a),
        28 => Gate::RZZ(a),
        29 => Gate::Toffoli,
        30 => Gate::Fredkin,
        31 => Gate::unitary(random_unitary(2, rng)).expect("unitary"),
        32 => Gate::unitary(random_unitary(4, rng)).expect("unitary"),
        _ => unreachable!("kind {kind}"),
    }
}

/// Where a gate's qubits come from: the six lowest qubits, the six highest (above the 2^15-amplitude blocks on
/// 16 qubits or more), or anywhere.
#[derive(Debug, Clone, Copy)]
enum Region {
    Low,
    High,
    Anywhere,
}

fn region_pool(region: Region, n: usize) -> Vec<usize> {
    match region {
        Region::Low => (0..6).collect(),
        Region::High => (n - 6..n).collect(),
        Region::Anywhere => (0..n).collect(),
    }
}

fn random_region(rng: &mut impl Rng) -> Region {
    [Region::Low, Region::High, Region::Anywhere][rng.random_range(0..3)]
}

/// `k` distinct qubits drawn from `pool`.
fn draw(pool: &mut Vec<usize>, k: usize, rng: &mut impl Rng) -> Vec<usize> {
    (0..k).map(|_| pool.remove(rng.random_range(0..pool.len()))).collect()
}

/// Appends `gate` on qubits from `region`, one time in four with one to three extra controls: three times in
/// four from the four highest free qubits, else from anywhere.
fn place(c: &mut Circuit, gate: Gate, region: Region, rng: &mut impl Rng) {
    let n = c.num_qubits();
    let mut pool = region_pool(region, n);
    let targets = draw(&mut pool, gate.num_qubits(), rng);
    let num_controls = if rng.random_bool(0.25) { rng.random_range(1..=3) } else { 0 };
    let mut free: Vec<usize> = (0..n).rev().filter(|q| !targets.contains(q)).collect();
    if rng.random_bool(0.75) {
        free.truncate(4);
    }
    let controls = draw(&mut free, num_controls, rng);
    c.add_controlled(gate, &targets, &controls).expect("placement");
}

/// One part of a random circuit, built from its own seed.
#[derive(Debug, Clone, Copy)]
enum Segment {
    /// 4–12 gates of any kind, anywhere, some with extra controls.
    AnyGates,
    /// CNOT (or SWAP) ladders up and down over a window of qubits, 16 gates or more.
    Ladders,
    /// 16–48 X, CNOT and SWAP gates on the low, the high or any qubits.
    Permutations,
    /// 8–40 diagonal gates (Z, S, T, RZ, Phase, CZ, CPhase, CRZ, RZZ, I) anywhere, some with extra controls.
    Diagonals,
    /// 4–12 gates on one pair of qubits in either order, with one-qubit gates on each.
    SamePair,
    /// 6–20 one-qubit gates alternating over one to three qubits.
    OneQubitRuns,
    /// 2–6 brickwork layers over a window of 4 qubits or more: on each qubit a constant diagonal gate (RZ,
    /// Phase, Z, S, T) or, one time in four, an RX or RY of any angle; then a constant CZ, CPhase, CRZ or RZZ on
    /// alternating neighbour pairs in either order (the plan merges diagonal gates on a pair into one node).
    DiagonalPairs,
}

const ALL_SEGMENTS: [Segment; 7] = [
    Segment::AnyGates,
    Segment::Ladders,
    Segment::Permutations,
    Segment::Diagonals,
    Segment::SamePair,
    Segment::OneQubitRuns,
    Segment::DiagonalPairs,
];

fn build_segment(c: &mut Circuit, segment: Segment, seed: u64) {
    let rng = &mut ChaCha8Rng::seed_from_u64(seed);
    let n = c.num_qubits();
    match segment {
        Segment::AnyGates => {
            for _ in 0..rng.random_range(4..=12) {
                let gate = gate_of(rng.random_range(0..NUM_KINDS), rng);
                let region = random_region(rng);
                place(c, gate, region, rng);
            }
        }
        Segment::Ladders => {
            let width = rng.random_range(3..=n);
            let lo = match rng.random_range(0..3) {
                0 => 0,
                1 => n - width,
                _ => rng.random_range(0..=n - width),
            };
            let swaps = rng.random_bool(0.25);
            let mut up = rng.random_bool(0.5);
            let mut placed = 0;
            while placed < 16 {
                for step in 0..width - 1 {
                    let (a, b) =
                        if up { (lo + step, lo + step + 1) } else { (lo + width - 1 - step, lo + width - 2 - step) };
                    if swaps { c.swap(a, b) } else { c.cnot(a, b) }.expect("ladder");
                    placed += 1;
                }
                up = !up;
            }
        }
        Segment::Permutations => {
            let region = random_region(rng);
            for _ in 0..rng.random_range(16..=48) {
                let gate = [Gate::X, Gate::CNOT, Gate::CNOT, Gate::SWAP][rng.random_range(0..4)].clone();
                let qubits = draw(&mut region_pool(region, n), gate.num_qubits(), rng);
                c.add(gate, &qubits).expect("permutation");
            }
        }
        Segment::Diagonals => {
            let kinds = [0, 3, 5, 6, 7, 8, 13, 14, 19, 24, 25, 28];
            for _ in 0..rng.random_range(8..=40) {
                let gate = gate_of(kinds[rng.random_range(0..kinds.len())], rng);
                place(c, gate, Region::Anywhere, rng);
            }
        }
        Segment::SamePair => {
            let region = random_region(rng);
            let pair = draw(&mut region_pool(region, n), 2, rng);
            let two_qubit_kinds = [17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 32];
            for _ in 0..rng.random_range(4..=12) {
                let (a, b) = if rng.random_bool(0.5) { (pair[0], pair[1]) } else { (pair[1], pair[0]) };
                if rng.random_bool(0.3) {
                    let gate = gate_of(rng.random_range(0..ONE_QUBIT_KINDS), rng);
                    c.add(gate, &[a]).expect("one-qubit gate");
                } else {
                    let gate = gate_of(two_qubit_kinds[rng.random_range(0..two_qubit_kinds.len())], rng);
                    c.add(gate, &[a, b]).expect("two-qubit gate");
                }
            }
        }
        Segment::OneQubitRuns => {
            let region = random_region(rng);
            let count = rng.random_range(1..=3);
            let qubits = draw(&mut region_pool(region, n), count, rng);
            for i in 0..rng.random_range(6..=20) {
                let kind = if rng.random_bool(0.2) { 31 } else { rng.random_range(0..ONE_QUBIT_KINDS) };
                let gate = gate_of(kind, rng);
                c.add(gate, &[qubits[i % qubits.len()]]).expect("one-qubit gate");
            }
        }
        Segment::DiagonalPairs => {
            let width = rng.random_range(4..=n);
            let lo = rng.random_range(0..=n - width);
            for layer in 0..rng.random_range(2..=6) {
                for q in lo..lo + width {
                    let angle = Param::Const(rng.random_range(-PI..PI));
                    let gate = match rng.random_range(0..8) {
                        0 => gate_of(11, rng),
                        1 => gate_of(12, rng),
                        2 => Gate::Z,
                        3 => Gate::S,
                        4 => Gate::T,
                        5 => Gate::Phase(angle),
                        _ => Gate::RZ(angle),
                    };
                    c.add(gate, &[q]).expect("one-qubit gate");
                }
                for q in (lo + layer % 2..lo + width - 1).step_by(2) {
                    let pair = if rng.random_bool(0.5) { [q, q + 1] } else { [q + 1, q] };
                    let angle = Param::Const(rng.random_range(-PI..PI));
                    let gate = [Gate::CZ, Gate::CPhase(angle), Gate::CRZ(angle), Gate::RZZ(angle)];
                    c.add(gate[rng.random_range(0..4)].clone(), &pair).expect("two-qubit gate");
                }
            }
        }
    }
}

fn segment_strategy() -> impl Strategy<Value = (Segment, u64)> {
    (prop::sample::select(ALL_SEGMENTS.to_vec()), any::<u64>())
}

fn build(n: usize, segments: &[(Segment, u64)]) -> Circuit {
    let mut c = Circuit::new(n).expect("circuit");
    for &(segment, seed) in segments {
        build_segment(&mut c, segment, seed);
    }
    c
}

/// Fewer cases and registers of at most 16 qubits in a debug build (CI runs the tests there too).
fn cases(release: u32, debug: u32) -> u32 {
    if cfg!(debug_assertions) {
        debug
    } else {
        release
    }
}

fn qubit_counts() -> impl Strategy<Value = usize> {
    let max: usize = if cfg!(debug_assertions) { 16 } else { 18 };
    14..=max
}

fn in_pool<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("thread pool").install(f)
}

#[test]
fn every_gate_kind_and_segment_is_generated() {
    let rng = &mut ChaCha8Rng::seed_from_u64(3);
    let mut names: Vec<&str> = (0..NUM_KINDS).map(|k| gate_of(k, rng).name()).collect();
    names.sort_unstable();
    names.dedup();
    let mut all = ALL_GATE_NAMES.to_vec();
    all.sort_unstable();
    assert_eq!(names, all);
    for k in (0..ONE_QUBIT_KINDS).chain([31]) {
        assert_eq!(gate_of(k, rng).num_qubits(), 1, "kind {k}");
    }
    for n in [14, 18] {
        for segment in ALL_SEGMENTS {
            let c = build(n, &[(segment, 11)]);
            assert!(c.len() >= 4, "{segment:?} on {n} qubits: {} gates", c.len());
        }
        for seed in 0..8 {
            let ladders = build(n, &[(Segment::Ladders, seed)]);
            assert!(ladders.len() >= 16 && ladders.gate_counts().keys().all(|&g| g == "cx" || g == "swap"));
        }
    }
    // The random circuits put extra controls on the highest qubits.
    let c = build(18, &[(Segment::AnyGates, 1), (Segment::Diagonals, 2), (Segment::Diagonals, 3)]);
    assert!(c.instructions().iter().any(|i| i.controls().iter().any(|&q| q >= 15)));
}

#[test]
fn the_reference_applier_knows_the_bit_order_and_the_controls() {
    let basis = |n: usize, i: usize| {
        (0..1usize << n).map(|j| Complex64::new(f64::from(u8::from(i == j)), 0.0)).collect::<Vec<_>>()
    };
    // CNOT on [3, 0]: qubit 3 controls, |1000⟩ → |1001⟩; with extra control 1 it needs bit 1 too.
    let mut c = Circuit::new(4).unwrap();
    c.cnot(3, 0).unwrap();
    assert_eq!(run_reference(&c, &basis(4, 0b1000), &[], &[]), basis(4, 0b1001));
    let mut controlled = Circuit::new(4).unwrap();
    controlled.add_controlled(Gate::CNOT, &[3, 0], &[1]).unwrap();
    assert_eq!(run_reference(&controlled, &basis(4, 0b1000), &[], &[]), basis(4, 0b1000));
    assert_eq!(run_reference(&controlled, &basis(4, 0b1010), &[], &[]), basis(4, 0b1011));
    // RY(π) from a weight on qubit 2: |100⟩ → −|000⟩.
    let mut ry = Circuit::new(3).unwrap();
    ry.ry(2, Param::weight(0)).unwrap();
    let minus_zero: Vec<Complex64> = basis(3, 0).iter().map(|a| -a).collect();
    assert!(max_error(&run_reference(&ry, &basis(3, 0b100), &[PI], &[]), &minus_zero) < 1e-15);
    // ⟨Y⟩ of (|0⟩ + i|1⟩)/√2 is 1, ⟨X⟩ is 0; ⟨Z₁⟩ of |10⟩ is −1.
    let r = std::f64::consts::FRAC_1_SQRT_2;
    let plus_i = [Complex64::new(r, 0.0), Complex64::new(0.0, r)];
    let single = |p: Pauli, q: usize| Observable::from_terms(vec![PauliString::new(1.0, &[(q, p)]).unwrap()]);
    assert!((reference_expectation(&plus_i, &single(Pauli::Y, 0)) - 1.0).abs() < 1e-15);
    assert!(reference_expectation(&plus_i, &single(Pauli::X, 0)).abs() < 1e-15);
    assert_eq!(reference_expectation(&basis(2, 0b10), &single(Pauli::Z, 1)), -1.0);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(12, 3)))]

    /// `run` and `run_compiled` from a random state agree with the reference within 1e-12; the same runs with
    /// one and two threads give the same bits, and a compiled run gives `run`'s bits.
    #[test]
    fn run_matches_the_reference_applier(
        n in qubit_counts(),
        segments in prop::collection::vec(segment_strategy(), 4..12),
        weights in prop::array::uniform8(-PI..PI),
        inputs in prop::array::uniform4(-PI..PI),
        state_seed in any::<u64>(),
    ) {
        let circuit = build(n, &segments);
        let start = random_state(n, &mut ChaCha8Rng::seed_from_u64(state_seed));
        let expected = run_reference(&circuit, &start, &weights, &inputs);

        let run = |threads: usize| {
            in_pool(threads, || {
                let mut s = StateVector::from_amplitudes(start.clone()).unwrap();
                s.run(&circuit, &weights, &inputs).unwrap();
                s.into_amplitudes()
            })
        };
        let (one, two) = (run(1), run(2));
        let error = max_error(&two, &expected);
        prop_assert!(error <= AMPLITUDE_TOLERANCE, "run: error {:e} on {} qubits, {} gates", error, n, circuit.len());
        prop_assert!(bits(&one) == bits(&two), "run: one and two threads differ on {} qubits", n);

        let compiled = CompiledCircuit::new(circuit.clone());
        let run_compiled = |threads: usize| {
            in_pool(threads, || {
                let mut s = StateVector::from_amplitudes(start.clone()).unwrap();
                s.run_compiled(&compiled, &weights, &inputs).unwrap();
                s.into_amplitudes()
            })
        };
        let (one_compiled, two_compiled) = (run_compiled(1), run_compiled(2));
        let error = max_error(&two_compiled, &expected);
        prop_assert!(error <= AMPLITUDE_TOLERANCE, "run_compiled: error {:e} on {} qubits", error, n);
        prop_assert!(bits(&one_compiled) == bits(&two_compiled), "run_compiled: one and two threads differ");
        prop_assert!(bits(&two_compiled) == bits(&two), "run_compiled differs from run");
    }
}

// ---------------------------------------------------------------------------------------------------------
// Gradients at 16 qubits.

/// 16 qubits, every parametrised gate kind on low, high and straddling qubits, some with extra controls (the
/// four-term rule), weights shared and scaled, inputs, and CNOT ladders between the layers.
fn gradient_circuit() -> Circuit {
    let n = 16;
    let mut c = Circuit::new(n).unwrap();
    let (w, x) = (Param::weight, Param::input);
    for q in 0..n {
        c.h(q).unwrap();
    }
    c.rx(0, w(0)).unwrap().ry(15, w(1) * 0.5).unwrap().rz(7, x(0)).unwrap().phase(14, w(2)).unwrap();
    c.u3(3, w(3), x(1), w(4) * -2.0).unwrap().rot(15, w(5), w(6), x(2)).unwrap();
    for q in 0..n - 1 {
        c.cnot(q, q + 1).unwrap();
    }
    c.crx(15, 2, w(7)).unwrap().cry(1, 14, x(3)).unwrap().crz(13, 15, w(8)).unwrap().cphase(0, 15, w(9)).unwrap();
    c.rxx(2, 15, w(10)).unwrap().ryy(14, 1, w(11) * 1.5).unwrap().rzz(4, 5, w(0)).unwrap();
    c.add_controlled(Gate::RY(w(12)), &[6], &[15, 14]).unwrap();
    c.add_controlled(Gate::RX(x(0) * 0.7), &[15], &[0]).unwrap();
    c.add_controlled(Gate::RZZ(w(13)), &[3, 9], &[15]).unwrap();
    c.add_controlled(Gate::U3(w(1), w(3), w(5)), &[12], &[13]).unwrap();
    c.add_controlled(Gate::Rot(w(14), w(2), w(7)), &[8], &[15]).unwrap();
    for q in (0..n - 1).rev() {
        c.cnot(q + 1, q).unwrap();
    }
    c.toffoli(15, 14, 0).unwrap().fredkin(0, 15, 7).unwrap().iswap(3, 15).unwrap().swap(2, 12).unwrap();
    for q in 0..n {
        c.ry(q, w(15 + q % 3)).unwrap().rz(q, x(q % 4) * 0.3).unwrap();
    }
    c.crx(0, 15, w(18)).unwrap().rxx(15, 14, w(19)).unwrap().phase(15, x(1)).unwrap();
    c
}

fn gradient_observables() -> Vec<Observable> {
    let term = |coeff: f64, ops: &[(usize, Pauli)]| PauliString::new(coeff, ops).unwrap();
    vec![
        Observable::from_terms(vec![
            term(0.7, &[(0, Pauli::Z), (15, Pauli::Z)]),
            term(0.4, &[(3, Pauli::X), (14, Pauli::Y)]),
            term(-1.1, &[(15, Pauli::Y)]),
            term(0.25, &[(0, Pauli::X), (1, Pauli::X), (2, Pauli::Y), (8, Pauli::Z)]),
        ]),
        Observable::sum_z(16).unwrap(),
        Observable::from_terms(vec![term(1.0, &[(15, Pauli::X)]), term(-0.5, &[(7, Pauli::Y), (12, Pauli::X)])]),
    ]
}

/// ∂f/∂v_j by the five-point central difference (f(v−2h) − 8f(v−h) + 8f(v+h) − f(v+2h))/12h (error O(h⁴)).
fn five_point(values: &[f64], j: usize, h: f64, f: impl Fn(&[f64]) -> Vec<f64>) -> Vec<f64> {
    let at = |step: f64| {
        let mut v = values.to_vec();
        v[j] += step;
        f(&v)
    };
    let (m2, m1, p1, p2) = (at(-2.0 * h), at(-h), at(h), at(2.0 * h));
    (0..m2.len()).map(|i| (m2[i] - 8.0 * m1[i] + 8.0 * p1[i] - p2[i]) / (12.0 * h)).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(4, 1)))]

    /// The adjoint Jacobian equals the parameter-shift Jacobian within 1e-12 and a five-point central
    /// difference of `StateVector::run` and `expectation` within 1e-9, for every weight and input; the values
    /// equal the reference applier's expectations.
    #[test]
    fn adjoint_gradient_at_16_qubits_matches_shift_rules_and_differences(
        weights in prop::array::uniform20(-PI..PI),
        inputs in prop::array::uniform4(-PI..PI),
    ) {
        let circuit = gradient_circuit();
        let observables = gradient_observables();
        prop_assert_eq!((circuit.num_weights(), circuit.num_inputs()), (20, 4));
        let f = QuantumFunction::new(circuit.clone(), Outputs::Observables(observables.clone())).unwrap();
        let adjoint = f.jacobian(DiffMethod::Adjoint, &weights, &inputs).unwrap();
        let shift = f.jacobian(DiffMethod::ParameterShift, &weights, &inputs).unwrap();

        let mut zero = vec![Complex64::new(0.0, 0.0); 1 << 16];
        zero[0] = Complex64::new(1.0, 0.0);
        let final_state = run_reference(&circuit, &zero, &weights, &inputs);
        for (i, o) in observables.iter().enumerate() {
            let expected = reference_expectation(&final_state, o);
            prop_assert!((adjoint.values[i] - expected).abs() < 1e-12, "f{}: {} vs {}", i, adjoint.values[i], expected);
            prop_assert!((shift.values[i] - expected).abs() < 1e-12, "f{}: {} vs {}", i, shift.values[i], expected);
        }

        let expectations = |w: &[f64], x: &[f64]| {
            let mut s = StateVector::new(16).unwrap();
            s.run(&circuit, w, x).unwrap();
            observables.iter().map(|o| s.expectation(o).unwrap()).collect::<Vec<f64>>()
        };
        let h = 1e-3;
        let mut nonzero = 0;
        for j in 0..weights.len() {
            let fd = five_point(&weights, j, h, |w| expectations(w, &inputs));
            for (i, d) in fd.iter().enumerate() {
                let (a, s) = (adjoint.weights[(i, j)], shift.weights[(i, j)]);
                prop_assert!((a - s).abs() < 1e-12, "∂f{}/∂w{}: adjoint {} shift {}", i, j, a, s);
                prop_assert!((a - d).abs() < 1e-9, "∂f{}/∂w{}: adjoint {} difference {}", i, j, a, d);
                nonzero += usize::from(a.abs() > 1e-6);
            }
        }
        for j in 0..inputs.len() {
            let fd = five_point(&inputs, j, h, |x| expectations(&weights, x));
            for (i, d) in fd.iter().enumerate() {
                let (a, s) = (adjoint.inputs[(i, j)], shift.inputs[(i, j)]);
                prop_assert!((a - s).abs() < 1e-12, "∂f{}/∂x{}: adjoint {} shift {}", i, j, a, s);
                prop_assert!((a - d).abs() < 1e-9, "∂f{}/∂x{}: adjoint {} difference {}", i, j, a, d);
                nonzero += usize::from(a.abs() > 1e-6);
            }
        }
        // Most of the 72 derivatives are not zero, so the comparisons above compare something.
        prop_assert!(nonzero > 72 / 2, "only {} of 72 derivatives are non-zero", nonzero);
    }
}
