//! The distributed state against single-process runs, under MPI (feature `mpi`, no test harness: one program
//! that every rank runs).
//!
//! ```text
//! cargo test --release --features mpi --test distributed --no-run     # prints the executable's path
//! mpirun --allow-run-as-root --oversubscribe -np 2 <executable>
//! mpirun --allow-run-as-root --oversubscribe -np 4 <executable>
//! mpirun --allow-run-as-root --oversubscribe -np 3 <executable>       # checks that 3 ranks are refused
//! ```
//!
//! Run as one process (`cargo test --features mpi`), it is one rank holding everything. Every check compares a
//! gathered state with `StateVector` bit for bit, or a reduction with the single-process value (within 1e-12)
//! and across ranks (bit for bit); a failure panics, which makes mpirun fail.

use mpi::collective::CommunicatorCollectives;
use mpi::topology::{Communicator, SimpleCommunicator};
use nalgebra::DMatrix;
use qnet::error::NonFiniteKind;
use qnet::grad::{DiffMethod, Outputs, QuantumFunction};
use qnet::prelude::*;
use qnet::quantum::{DistributedState, Pauli, MIN_LOCAL_QUBITS};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The register of most checks: 9 local qubits on 2 ranks, 8 on 4.
const N: usize = 10;

/// Whether two amplitude vectors are equal bit for bit.
fn same_bits(a: &[Complex64], b: &[Complex64]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| x.re.to_bits() == y.re.to_bits() && x.im.to_bits() == y.im.to_bits())
}

/// A random normalized state, the same on every rank (same seed).
fn random_state(n: usize, seed: u64) -> StateVector {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let v: Vec<Complex64> =
        (0..1 << n).map(|_| Complex64::new(rng.random::<f64>() - 0.5, rng.random::<f64>() - 0.5)).collect();
    let norm = v.iter().map(|a| a.norm_sqr()).sum::<f64>().sqrt();
    StateVector::from_amplitudes(v.into_iter().map(|a| a / norm).collect()).unwrap()
}

/// A random normalized state with exact zeros of both signs in many amplitudes (where kernels that round the
/// same values differently would differ in the sign of a zero).
fn sparse_state(n: usize, seed: u64) -> StateVector {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let v: Vec<Complex64> = (0..1 << n)
        .map(|i| match i % 5 {
            0 => Complex64::new(-0.0, 0.0),
            1 => Complex64::new(0.0, -0.0),
            2 => Complex64::new(rng.random::<f64>(), -0.0),
            _ => Complex64::new(rng.random::<f64>() - 0.5, rng.random::<f64>() - 0.5),
        })
        .collect();
    let norm = v.iter().map(|a| a.norm_sqr()).sum::<f64>().sqrt();
    StateVector::from_amplitudes(v.into_iter().map(|a| a / norm).collect()).unwrap()
}

/// A random unitary on `qubits` qubits (the Q of a QR factorization of a random complex matrix).
fn random_unitary(qubits: usize, rng: &mut ChaCha8Rng) -> DMatrix<Complex64> {
    let d = 1 << qubits;
    let m = DMatrix::from_fn(d, d, |_, _| Complex64::new(rng.random::<f64>() - 0.5, rng.random::<f64>() - 0.5));
    m.qr().q()
}

/// Every value of `x` across ranks is the same bit pattern.
fn same_on_every_rank(world: &SimpleCommunicator, x: u64) -> bool {
    let mut all = vec![0u64; world.size() as usize];
    world.all_gather_into(&x, &mut all[..]);
    all.iter().all(|&v| v == all[0])
}

/// Runs `circuits` in turn (each its own plan) from `start`, distributed and on one machine; the gathered
/// state must equal the serial one bit for bit (checked on rank 0). Returns the distributed state, as the runs
/// left it (not canonicalized), for further checks.
fn check_runs(
    world: &SimpleCommunicator,
    what: &str,
    circuits: &[&Circuit],
    weights: &[f64],
    start: &StateVector,
) -> DistributedState {
    let n = start.num_qubits();
    let mut serial = start.clone();
    let (mut state, mut copy) = (DistributedState::new(n, world).unwrap(), DistributedState::new(n, world).unwrap());
    state.scatter(Some(start)).unwrap();
    copy.scatter(Some(start)).unwrap();
    for c in circuits {
        serial.run(c, weights, &[]).unwrap();
        state.run(c, weights, &[]).unwrap();
        copy.run(c, weights, &[]).unwrap();
    }
    if let Some(gathered) = copy.gather().unwrap() {
        let last = circuits.last().map(|c| c.to_string()).unwrap_or_default();
        assert!(same_bits(gathered.amplitudes(), serial.amplitudes()), "{what}: gathered state differs\n{last}");
    }
    state
}

/// [`check_runs`] of one circuit.
fn check_run(
    world: &SimpleCommunicator,
    what: &str,
    circuit: &Circuit,
    weights: &[f64],
    start: &StateVector,
) -> DistributedState {
    check_runs(world, what, &[circuit], weights, start)
}

/// Gates that scramble the layout: dense gates on the global qubits (swaps), X on the top qubit (a rank
/// relabel) and a CNOT between the two top qubits (a relabel on 4 ranks or more).
fn scrambler(n: usize) -> Circuit {
    let mut c = Circuit::new(n).unwrap();
    c.h(n - 1).unwrap().ry(n - 2, 0.4).unwrap().x(n - 1).unwrap().cnot(n - 1, n - 2).unwrap();
    c.rx(n - 3, 0.2).unwrap().swap(n - 1, 4).unwrap();
    c
}

/// Each gate family on local and global targets and controls, from a canonical and from a scrambled layout.
fn gate_families(world: &SimpleCommunicator) {
    let n = N;
    let (hi, hi2) = (n - 1, n - 2);
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let a = 0.37;
    let one: Vec<Gate> = vec![
        Gate::I,
        Gate::X,
        Gate::Y,
        Gate::Z,
        Gate::H,
        Gate::S,
        Gate::Sdg,
        Gate::T,
        Gate::Tdg,
        Gate::SX,
        Gate::SXdg,
        Gate::RX(a.into()),
        Gate::RY(a.into()),
        Gate::RZ(a.into()),
        Gate::Phase(a.into()),
        Gate::U3(0.3.into(), (-1.1).into(), 0.7.into()),
        Gate::Rot(0.3.into(), (-1.1).into(), 0.7.into()),
        Gate::unitary(random_unitary(1, &mut rng)).unwrap(),
    ];
    let two: Vec<Gate> = vec![
        Gate::CNOT,
        Gate::CY,
        Gate::CZ,
        Gate::SWAP,
        Gate::ISwap,
        Gate::CRX(a.into()),
        Gate::CRY(a.into()),
        Gate::CRZ(a.into()),
        Gate::CPhase(a.into()),
        Gate::RXX(a.into()),
        Gate::RYY(a.into()),
        Gate::RZZ(a.into()),
        Gate::unitary(random_unitary(2, &mut rng)).unwrap(),
    ];
    let three = [Gate::Toffoli, Gate::Fredkin];
    // (qubits, extra controls)
    let one_at: Vec<(Vec<usize>, Vec<usize>)> = vec![
        (vec![0], vec![]),
        (vec![3], vec![]),
        (vec![hi], vec![]),
        (vec![hi2], vec![]),
        (vec![0], vec![hi]),
        (vec![hi2], vec![hi]),
        (vec![hi], vec![2]),
        (vec![3], vec![hi, hi2]),
        (vec![hi2], vec![0, hi]),
        (vec![0], vec![5]),
    ];
    let two_at: Vec<(Vec<usize>, Vec<usize>)> = vec![
        (vec![0, 3], vec![]),
        (vec![0, hi], vec![]),
        (vec![hi, 0], vec![]),
        (vec![hi, hi2], vec![]),
        (vec![3, hi], vec![]),
        (vec![hi2, 5], vec![]),
        (vec![0, 3], vec![hi]),
        (vec![hi2, 4], vec![2]),
        (vec![hi, 0], vec![hi2]),
    ];
    let three_at: Vec<Vec<usize>> =
        vec![vec![0, 1, 2], vec![hi, hi2, 0], vec![0, hi, 3], vec![3, 4, hi], vec![hi2, 0, hi]];
    let mut cases = Vec::new();
    for g in &one {
        for (q, c) in &one_at {
            cases.push((g.clone(), q.clone(), c.clone()));
        }
    }
    for g in &two {
        for (q, c) in &two_at {
            cases.push((g.clone(), q.clone(), c.clone()));
        }
    }
    for g in &three {
        for q in &three_at {
            cases.push((g.clone(), q.clone(), Vec::new()));
        }
    }
    let starts = [random_state(n, 1), sparse_state(n, 2), StateVector::new(n).unwrap()];
    for (k, (gate, qubits, controls)) in cases.iter().enumerate() {
        let what = format!("case {k}: {} on {qubits:?} controls {controls:?}", gate.name());
        // The gate alone (its own plan, so that nothing fuses with it), from the canonical layout and from the
        // one the scrambler leaves; then the gate twice more and a dense gate on each of its qubits, which are
        // local by then.
        let mut alone = Circuit::new(n).unwrap();
        alone.add_controlled(gate.clone(), qubits, controls).unwrap();
        let mut again = alone.clone();
        again.add_controlled(gate.clone(), qubits, controls).unwrap();
        for &q in qubits.iter().chain(controls) {
            again.ry(q, 0.1 * (q + 1) as f64).unwrap();
        }
        for start in &starts {
            check_run(world, &what, &alone, &[], start);
            check_runs(world, &what, &[&alone, &again], &[], start);
            check_runs(world, &what, &[&scrambler(n), &alone, &again], &[], start);
        }
    }
    if world.rank() == 0 {
        println!(
            "ok gate families: {} placements, canonical and scrambled layouts, dense, sparse and basis states",
            cases.len()
        );
    }
}

/// A random circuit of every family with weights, on random qubits.
fn random_circuit(n: usize, layers: usize, seed: u64) -> (Circuit, Vec<f64>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut c = Circuit::new(n).unwrap();
    let mut weights = Vec::new();
    let pick = |rng: &mut ChaCha8Rng, taken: &[usize]| loop {
        let q = rng.random_range(0..n);
        if !taken.contains(&q) {
            break q;
        }
    };
    for _ in 0..layers {
        for q in 0..n {
            let w = Param::weight(weights.len());
            weights.push(rng.random::<f64>() * 6.0 - 3.0);
            match rng.random_range(0..4) {
                0 => c.ry(q, w).unwrap(),
                1 => c.rx(q, w).unwrap().rz(q, 0.3).unwrap(),
                2 => c.h(q).unwrap().t(q).unwrap(),
                _ => c.rot(q, w, 0.2, -0.4).unwrap(),
            };
        }
        for _ in 0..n {
            let a = pick(&mut rng, &[]);
            let b = pick(&mut rng, &[a]);
            let k = pick(&mut rng, &[a, b]);
            let w = Param::weight(weights.len());
            weights.push(rng.random::<f64>() * 6.0 - 3.0);
            match rng.random_range(0..12) {
                0 => c.cnot(a, b).unwrap(),
                1 => c.cz(a, b).unwrap(),
                2 => c.swap(a, b).unwrap(),
                3 => c.crx(a, b, w).unwrap(),
                4 => c.rzz(a, b, w).unwrap(),
                5 => c.rxx(a, b, w).unwrap(),
                6 => c.toffoli(a, b, k).unwrap(),
                7 => c.x(a).unwrap(),
                8 => c.iswap(a, b).unwrap(),
                9 => c.add_controlled(Gate::RY(w), &[a], &[b, k]).unwrap(),
                10 => c.fredkin(a, b, k).unwrap(),
                _ => c.y(a).unwrap().cy(b, k).unwrap(),
            };
        }
    }
    (c, weights)
}

fn random_circuits(world: &SimpleCommunicator) {
    for seed in 0..12 {
        let n = N + (seed as usize % 3);
        let (c, w) = random_circuit(n, 4, seed);
        let start = random_state(n, 100 + seed);
        let mut state = check_run(world, &format!("random circuit {seed}"), &c, &w, &start);
        // A second run on the permuted layout the first left, then gathered.
        let mut serial = start.clone();
        serial.run(&c, &w, &[]).unwrap();
        let (c2, w2) = random_circuit(n, 2, 1000 + seed);
        serial.run(&c2, &w2, &[]).unwrap();
        state.run(&c2, &w2, &[]).unwrap();
        // Single amplitudes from the permuted layout, on every rank.
        for index in [0, 1, 5, (1 << n) - 1, 1 << (n - 1), 0b1010_1010] {
            let a = state.amplitude(index).unwrap();
            let b = serial.amplitudes()[index];
            assert!(a.re.to_bits() == b.re.to_bits() && a.im.to_bits() == b.im.to_bits(), "amplitude {index}");
        }
        let gathered = state.gather().unwrap();
        assert!(state.is_canonical());
        if let Some(g) = gathered {
            assert!(same_bits(g.amplitudes(), serial.amplitudes()), "random circuit {seed}, second run");
        }
    }
    // Blocks of 2^14 amplitudes and more go through rayon's tasks (with more than one thread): the same bits.
    let (c, w) = random_circuit(17, 3, 77);
    check_run(world, "random circuit on 17 qubits", &c, &w, &random_state(17, 8));
    // CNOT ladders, SWAPs and X between rotations on 17 qubits: fused permutation runs on one machine.
    let mut ladder = Circuit::new(17).unwrap();
    for layer in 0..2 {
        for q in 0..17 {
            ladder.ry(q, 0.1 * (q + layer) as f64).unwrap();
        }
        for q in 0..16 {
            ladder.cnot(q, q + 1).unwrap();
        }
        ladder.x(16).unwrap().swap(1, 16).unwrap().cnot(16, 0).unwrap().swap(15, 3).unwrap().cnot(15, 16).unwrap();
        for q in (0..16).rev() {
            ladder.cnot(q + 1, q).unwrap();
        }
    }
    check_run(world, "permutation runs on 17 qubits", &ladder, &[], &random_state(17, 9));
    // A run is deterministic: the same bits twice.
    let (c, w) = random_circuit(N, 3, 99);
    let start = random_state(N, 5);
    let once = check_run(world, "determinism", &c, &w, &start);
    let twice = check_run(world, "determinism", &c, &w, &start);
    assert!(same_bits(once.local_amplitudes(), twice.local_amplitudes()));
    if world.rank() == 0 {
        println!(
            "ok random circuits: 12 circuits of 10 to 12 qubits, run twice on permuted layouts; 17 qubits; CNOT ladders; determinism"
        );
    }
}

fn reductions(world: &SimpleCommunicator) {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    for seed in 0..6 {
        let (c, w) = random_circuit(N, 3, 50 + seed);
        let start = StateVector::new(N).unwrap();
        let mut serial = start.clone();
        serial.run(&c, &w, &[]).unwrap();
        let mut state = check_run(world, "reductions", &c, &w, &start);
        // Random Pauli sums with factors on local and global qubits.
        let mut obs = Observable::new();
        for _ in 0..6 {
            let mut ops: Vec<(usize, Pauli)> = Vec::new();
            for q in 0..N {
                let (keep, p) = (rng.random::<f64>() < 0.4, rng.random_range(0..3));
                if keep {
                    ops.push((q, [Pauli::X, Pauli::Y, Pauli::Z][p]));
                }
            }
            obs.push(PauliString::new(rng.random::<f64>() * 2.0 - 1.0, &ops).unwrap());
        }
        obs.push(PauliString::new(0.5, &[(N - 1, Pauli::Z), (0, Pauli::Z)]).unwrap());
        obs.push(PauliString::new(-0.25, &[(N - 1, Pauli::X), (N - 2, Pauli::Y)]).unwrap());
        let e = state.expectation(&obs).unwrap();
        let expected = serial.expectation(&obs).unwrap();
        assert!((e - expected).abs() < 1e-12, "expectation {e} vs {expected}");
        assert!(same_on_every_rank(world, e.to_bits()), "the expectation differs across ranks");
        // Marginals and probabilities.
        let p = state.probabilities().unwrap();
        for (a, b) in p.iter().zip(serial.probabilities()) {
            assert!((a - b).abs() < 1e-12);
        }
        for qubits in [vec![N - 1], vec![0, N - 1], vec![N - 2, 3, N - 1, 0]] {
            let m = state.marginal(&qubits).unwrap();
            let mut expected = vec![0.0; 1 << qubits.len()];
            for (i, pi) in serial.probabilities().iter().enumerate() {
                let k = qubits.iter().enumerate().fold(0, |k, (m, &q)| k | ((i >> q) & 1) << m);
                expected[k] += pi;
            }
            for (a, b) in m.iter().zip(&expected) {
                assert!((a - b).abs() < 1e-12, "marginal {qubits:?}");
                assert!(same_on_every_rank(world, a.to_bits()));
            }
        }
        assert!((state.norm_sqr() - 1.0).abs() < 1e-12);
        // Samples: the same seed gives the same samples on every rank and as one process.
        let counts = state.sample(2000, &mut ChaCha8Rng::seed_from_u64(seed)).unwrap();
        let serial_counts = serial.sample(2000, &mut ChaCha8Rng::seed_from_u64(seed)).unwrap();
        assert_eq!(counts, serial_counts, "samples differ from one process's");
        let digest = counts.iter().fold(0u64, |h, (&i, &k)| h.wrapping_mul(1_000_003) ^ (i as u64) << 20 ^ k as u64);
        assert!(same_on_every_rank(world, digest), "samples differ across ranks");
        // And a gathered state still equals the serial one after all of that.
        if let Some(g) = state.gather().unwrap() {
            assert!(same_bits(g.amplitudes(), serial.amplitudes()));
        }
    }
    if world.rank() == 0 {
        println!("ok reductions: expectations, probabilities, marginals, norms, samples");
    }
}

/// Bytes sent per rank against the design: half the block for a dense gate on a global qubit not yet local,
/// nothing for diagonal gates, global controls and relabelled permutations.
fn traffic(world: &SimpleCommunicator) {
    let ranks = world.size() as usize;
    let g = ranks.trailing_zeros() as usize;
    let mut state = DistributedState::new(N, world).unwrap();
    let local = state.local_qubits();
    let half = 16u64 << (local - 1);
    let mut apply = |c: &mut Circuit| {
        state.run(c, &[], &[]).unwrap();
        *c = Circuit::new(N).unwrap();
        state.traffic().bytes_sent
    };
    let mut c = Circuit::new(N).unwrap();
    let top = N - 1;
    // Diagonal gates, global controls: no bytes.
    c.rz(top, 0.3).unwrap().z(top).unwrap().cz(top, 0).unwrap().cphase(top, 3, 0.2).unwrap().rzz(top, 2, 0.1).unwrap();
    c.crx(top, 1, 0.5).unwrap().add_controlled(Gate::H, &[2], &[top]).unwrap();
    assert_eq!(apply(&mut c), 0, "diagonal gates and global controls send nothing");
    // X, Y, SWAP on a global qubit relabel.
    c.x(top).unwrap().y(top).unwrap().swap(top, 3).unwrap().swap(3, top).unwrap();
    if g >= 2 {
        c.cnot(top, top - 1).unwrap();
    }
    assert_eq!(apply(&mut c), 0, "relabelled permutations send nothing");
    // A dense gate on a global qubit: half the block, once.
    c.h(top).unwrap();
    let expected = if g >= 1 { half } else { 0 };
    assert_eq!(apply(&mut c), expected, "one dense gate on a global qubit");
    c.ry(top, 0.4).unwrap().rx(top, 0.1).unwrap().h(top).unwrap();
    assert_eq!(apply(&mut c), expected, "the qubit stays local");
    assert_eq!(state.traffic().exchanges, u64::from(g >= 1));
    assert_eq!(state.traffic().bytes_received, state.traffic().bytes_sent);
    // A 2-qubit dense gate on two global qubits: two exchanges.
    if g >= 2 {
        state.reset_traffic();
        state.run(Circuit::new(N).unwrap().rxx(top, top - 1, 0.3).unwrap(), &[], &[]).unwrap();
        // One of them is local already (the H above), the other is swapped in.
        assert_eq!(state.traffic().bytes_sent, half);
    }
    if world.rank() == 0 {
        println!("ok traffic: 0 bytes for diagonals, global controls and relabels; {expected} bytes (16·2^(L−1)) per dense gate on a global qubit");
    }
}

/// Bad set-ups are errors on every rank.
fn errors(world: &SimpleCommunicator) {
    let ranks = world.size() as usize;
    let g = ranks.trailing_zeros() as usize;
    // Too few local qubits.
    let n = g + MIN_LOCAL_QUBITS - 1;
    assert_eq!(
        DistributedState::new(n, world).unwrap_err(),
        Error::TooFewLocalQubits { num_qubits: n, ranks, local: MIN_LOCAL_QUBITS - 1, needed: MIN_LOCAL_QUBITS }
    );
    // More than a rank's memory: 2^(58 − g) amplitudes each.
    match DistributedState::new(58, world).unwrap_err() {
        Error::RankOutOfMemory { rank: 0, num_qubits, .. } => assert_eq!(num_qubits, 58 - g),
        e => panic!("{e}"),
    }
    // Ranks that disagree on the register, the circuit or the weights.
    if ranks > 1 {
        let last = ranks - 1;
        let n = if world.rank() as usize == last { N + 1 } else { N };
        assert_eq!(
            DistributedState::new(n, world).unwrap_err(),
            Error::RankDisagreement { what: "number of qubits", rank: last }
        );
        let mut state = DistributedState::new(N, world).unwrap();
        let mut c = Circuit::new(N).unwrap();
        c.h(0).unwrap();
        if world.rank() == 1 {
            c.x(N - 1).unwrap();
        }
        let err = state.run(&c, &[], &[]).unwrap_err();
        assert_eq!(err, Error::RankDisagreement { what: "circuit, weights and inputs", rank: 1 });
        let mut c = Circuit::new(N).unwrap();
        c.ry(N - 1, Param::weight(0)).unwrap();
        let w = [0.1 * world.rank() as f64];
        assert!(matches!(state.run(&c, &w, &[]).unwrap_err(), Error::RankDisagreement { rank: 1, .. }));
        // Generators seeded differently.
        let mut rng = ChaCha8Rng::seed_from_u64(world.rank() as u64);
        assert!(matches!(
            state.sample(10, &mut rng).unwrap_err(),
            Error::RankDisagreement { what: "random draws", .. }
        ));
        // The state is still usable.
        state.run(&c, &[0.3], &[]).unwrap();
    }
    // Errors of the input itself, the same on every rank.
    let mut state = DistributedState::new(N, world).unwrap();
    let c = Circuit::new(N + 1).unwrap();
    assert_eq!(state.run(&c, &[], &[]).unwrap_err(), Error::QubitCountMismatch { left: N, right: N + 1 });
    assert_eq!(state.marginal(&[N]).unwrap_err(), Error::InvalidQubit { qubit: N, num_qubits: N });
    let mut noisy = Circuit::new(N).unwrap();
    noisy.h(0).unwrap().depolarizing(N - 1, 0.01).unwrap();
    let expected = Error::NoisyCircuit { channel: "depolarizing", operation: "a distributed run" };
    assert_eq!(state.run(&noisy, &[], &[]).unwrap_err(), expected);
    if world.rank() == 0 {
        println!(
            "ok errors: too few local qubits, out of memory, disagreeing ranks, bad inputs, channels (on every rank)"
        );
    }
}

/// A random Pauli sum on `n` qubits with X, Y and Z factors on every qubit (local and global alike), and
/// terms with X or Y on the top qubits.
fn random_observable(n: usize, rng: &mut ChaCha8Rng) -> Observable {
    let mut obs = Observable::new();
    for _ in 0..5 {
        let mut ops: Vec<(usize, Pauli)> = Vec::new();
        for q in 0..n {
            if rng.random::<f64>() < 0.3 {
                ops.push((q, [Pauli::X, Pauli::Y, Pauli::Z][rng.random_range(0..3)]));
            }
        }
        obs.push(PauliString::new(rng.random::<f64>() * 2.0 - 1.0, &ops).unwrap());
    }
    obs.push(PauliString::new(0.7, &[(n - 1, Pauli::X), (0, Pauli::Z)]).unwrap());
    obs.push(PauliString::new(-0.4, &[(n - 2, Pauli::Y), (n - 1, Pauli::Z), (1, Pauli::X)]).unwrap());
    obs.push(PauliString::new(0.3, &[(n - 1, Pauli::Z)]).unwrap());
    obs
}

/// `random_circuit` with gates reading inputs, on the top (global) qubits among others: parametrised
/// rotations, controlled rotations with global controls and targets, and a diagonal two-qubit rotation.
fn random_circuit_with_inputs(n: usize, layers: usize, seed: u64) -> (Circuit, Vec<f64>, Vec<f64>) {
    let (mut c, w) = random_circuit(n, layers, seed);
    let top = n - 1;
    c.rx(top, Param::input(0)).unwrap();
    c.crz(top, 2, Param::input(1) * 2.0).unwrap();
    c.rzz(top - 1, top, Param::input(2)).unwrap();
    c.add_controlled(Gate::RY(Param::input(0)), &[top - 1], &[top]).unwrap();
    c.ry(1, Param::input(1)).unwrap().h(top).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(seed + 500);
    let x = (0..3).map(|_| rng.random::<f64>() * 2.0 - 1.0).collect();
    (c, w, x)
}

/// Whether |a − b| ≤ tol·max(1, |b|) for every entry.
fn close(a: &[f64], b: &[f64], tol: f64) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() <= tol * y.abs().max(1.0))
}

/// The distributed adjoint gradient against the single-process adjoint (within 1e-12) and parameter shift
/// (within 1e-10), the same bits on every rank.
fn gradients(world: &SimpleCommunicator) {
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let (mut checked, mut identical) = (0, 0);
    for seed in 0..8 {
        let n = N + (seed as usize % 3);
        let (c, w, x) = random_circuit_with_inputs(n, 3, 200 + seed);
        let obs = random_observable(n, &mut rng);
        let mut state = DistributedState::new(n, world).unwrap();
        let g = state.gradient(&c, &obs, &w, &x).unwrap();
        let f = QuantumFunction::new(c.clone(), Outputs::Observables(vec![obs.clone()])).unwrap();
        let adjoint = f.jacobian(DiffMethod::Adjoint, &w, &x).unwrap();
        let (aw, ax) = (
            adjoint.weights.row(0).iter().copied().collect::<Vec<_>>(),
            adjoint.inputs.row(0).iter().copied().collect::<Vec<_>>(),
        );
        assert!((g.value - adjoint.values[0]).abs() < 1e-12, "value {} vs {}", g.value, adjoint.values[0]);
        assert!(close(&g.weights, &aw, 1e-12), "seed {seed}: weight gradients differ from the adjoint's");
        assert!(close(&g.inputs, &ax, 1e-12), "seed {seed}: input gradients differ from the adjoint's");
        let bits = |v: &[f64]| v.iter().fold(0u64, |h, x| h.wrapping_mul(1_000_003) ^ x.to_bits());
        assert!(same_on_every_rank(world, bits(&g.weights) ^ bits(&g.inputs) ^ g.value.to_bits()));
        checked += 1;
        identical += usize::from(bits(&g.weights) == bits(&aw) && bits(&g.inputs) == bits(&ax));
        if seed < 3 {
            let shift = f.jacobian(DiffMethod::ParameterShift, &w, &x).unwrap();
            let sw: Vec<f64> = shift.weights.row(0).iter().copied().collect();
            let sx: Vec<f64> = shift.inputs.row(0).iter().copied().collect();
            assert!(
                close(&g.weights, &sw, 1e-10) && close(&g.inputs, &sx, 1e-10),
                "seed {seed}: against parameter shift"
            );
        }
        // Deterministic: a second gradient gives the same bits.
        let mut again = DistributedState::new(n, world).unwrap();
        assert_eq!(again.gradient(&c, &obs, &w, &x).unwrap(), g);
    }
    // The cache-blocked and tiled sweeps on blocks of 2^15 amplitudes and more (17 qubits: 2^16 per rank on 2).
    let (c, w, x) = random_circuit_with_inputs(17, 2, 900);
    let obs = random_observable(17, &mut rng);
    let g = DistributedState::new(17, world).unwrap().gradient(&c, &obs, &w, &x).unwrap();
    let adjoint = QuantumFunction::new(c, Outputs::Observables(vec![obs]))
        .unwrap()
        .jacobian(DiffMethod::Adjoint, &w, &x)
        .unwrap();
    assert!((g.value - adjoint.values[0]).abs() < 1e-12);
    assert!(close(&g.weights, adjoint.weights.row(0).iter().copied().collect::<Vec<_>>().as_slice(), 1e-12));
    assert!(close(&g.inputs, adjoint.inputs.row(0).iter().copied().collect::<Vec<_>>().as_slice(), 1e-12));
    if world.rank() == 0 {
        println!(
            "ok gradients: {checked} random circuits of 10 to 12 qubits and one of 17 against the single-process adjoint (1e-12; {identical} of {checked} bit for bit) and parameter shift (1e-10)"
        );
    }
}

/// `QuantumFunction` on a distributed state against the single-process one.
fn quantum_functions(world: &SimpleCommunicator) {
    let mut rng = ChaCha8Rng::seed_from_u64(12);
    for seed in 0..3 {
        let (c, w, x) = random_circuit_with_inputs(N, 2, 300 + seed);
        let outputs: Vec<Observable> = (0..3).map(|_| random_observable(N, &mut rng)).collect();
        let f = QuantumFunction::new(c.clone(), Outputs::Observables(outputs)).unwrap();
        let mut state = DistributedState::new(N, world).unwrap();
        let values = f.evaluate_distributed(&mut state, &w, &x).unwrap();
        assert!(close(&values, &f.evaluate(&w, &x).unwrap(), 1e-12));
        let upstream = [0.5, -1.5, 2.0];
        let d = f.vjp_distributed(&mut state, &w, &x, &upstream).unwrap();
        let s = f.vjp(DiffMethod::Adjoint, &w, &x, &upstream).unwrap();
        assert!(close(&d.values, &s.values, 1e-12) && close(&d.weights, &s.weights, 1e-12));
        assert!(close(&d.inputs, &s.inputs, 1e-12));
        let dj = f.jacobian_distributed(&mut state, &w, &x).unwrap();
        let sj = f.jacobian(DiffMethod::Adjoint, &w, &x).unwrap();
        assert!(close(&dj.values, &sj.values, 1e-12));
        assert!((dj.weights - sj.weights).amax() < 1e-12 && (dj.inputs - sj.inputs).amax() < 1e-12);
        // Probabilities as outputs: λ_k = g_k ψ_k placed by the layout.
        let p = QuantumFunction::new(c, Outputs::Probabilities).unwrap();
        let g: Vec<f64> = (0..1 << N).map(|_| rng.random::<f64>() - 0.5).collect();
        let d = p.vjp_distributed(&mut state, &w, &x, &g).unwrap();
        let s = p.vjp(DiffMethod::Adjoint, &w, &x, &g).unwrap();
        assert!(close(&d.values, &s.values, 1e-12) && close(&d.weights, &s.weights, 1e-12));
        assert!(close(&d.inputs, &s.inputs, 1e-12));
    }
    // A noisy function is refused on every rank: a distributed state is pure.
    let mut small = Circuit::new(N).unwrap();
    small.rx(N - 1, Param::weight(0)).unwrap();
    let mut noise = qnet::quantum::mixed::NoiseModel::new();
    noise.after_all_gates(qnet::quantum::mixed::Channel::depolarizing(0.01).unwrap());
    let f = QuantumFunction::new(small, Outputs::Probabilities).unwrap().with_noise(noise).unwrap();
    let mut state = DistributedState::new(N, world).unwrap();
    let refused = Error::NoisyCircuit { channel: "depolarizing", operation: "a distributed run" };
    assert_eq!(f.evaluate_distributed(&mut state, &[0.2], &[]).unwrap_err(), refused);
    assert_eq!(f.vjp_distributed(&mut state, &[0.2], &[], &vec![1.0; 1 << N]).unwrap_err(), refused);
    if world.rank() == 0 {
        println!("ok quantum functions: evaluate, vjp and jacobian distributed against one process (observables, probabilities), noisy ones refused");
    }
}

/// Bytes a gradient sends per rank against the design, with half = 16·2^(L−1) bytes (half a block of 2^L
/// amplitudes of 16 bytes), for each state that moves.
fn gradient_traffic(world: &SimpleCommunicator) {
    let g = world.size().trailing_zeros() as usize;
    let top = N - 1;
    let local = N - g;
    let half = 16u64 << (local - 1);
    let sent = |c: &Circuit, obs: &Observable, w: &[f64]| {
        let mut state = DistributedState::new(N, world).unwrap();
        let grad = state.gradient(c, obs, w, &[]).unwrap();
        let f = QuantumFunction::new(c.clone(), Outputs::Observables(vec![obs.clone()])).unwrap();
        let j = f.jacobian(DiffMethod::Adjoint, w, &[]).unwrap();
        assert!(close(&grad.weights, &j.weights.row(0).iter().copied().collect::<Vec<_>>(), 1e-12));
        assert_eq!(state.traffic().bytes_received, state.traffic().bytes_sent);
        state.traffic().bytes_sent
    };
    let z0 = Observable::from(PauliString::z(0).unwrap());
    let ones = |k: usize| if g >= 1 { k as u64 * half } else { 0 };
    // RY(w) on the top qubit: the forward pass swaps it in for φ (half); λ = Z0 φ and the backward sweep, on
    // the now local qubit, move nothing.
    let mut c = Circuit::new(N).unwrap();
    c.ry(top, Param::weight(0)).unwrap().cnot(top, 0).unwrap();
    assert_eq!(sent(&c, &z0, &[0.3]), ones(1), "a rotation on a global qubit");
    // Diagonal parametrised gates on global qubits (RZ, CRZ with a global target, RZZ on two global qubits,
    // a phase with a global control): diagonal derivatives, read as R_kk on each rank, so nothing moves.
    let mut c = Circuit::new(N).unwrap();
    c.h(1).unwrap().crz(1, top, Param::weight(0)).unwrap().rz(top, Param::weight(1)).unwrap();
    c.rzz(top, top - 1, Param::weight(2)).unwrap().cphase(top, 1, Param::weight(3)).unwrap();
    c.add_controlled(Gate::RZ(Param::weight(0)), &[2], &[top, 1]).unwrap().h(2).unwrap();
    let zz = Observable::from(PauliString::new(1.0, &[(1, Pauli::X), (2, Pauli::X)]).unwrap());
    assert_eq!(sent(&c, &zz, &[0.3, -0.7, 1.1, 0.4]), 0, "diagonal rotations on global qubits");
    // RY(w) on qubit 1 and ⟨X_top⟩: the forward pass moves nothing, λ = X_top φ swaps the top qubit in for φ
    // alone (half; λ is still zero), the sweep moves nothing.
    let mut c = Circuit::new(N).unwrap();
    c.ry(1, Param::weight(0)).unwrap().cnot(1, top).unwrap();
    let x_top = Observable::from(PauliString::new(1.0, &[(top, Pauli::X)]).unwrap());
    assert_eq!(sent(&c, &x_top, &[0.3]), ones(1), "X on a global qubit");
    // A first term with X on every local qubit but qubit 0 fills the local bits; the second term's X on the
    // top qubit then swaps it in for φ and λ both (2·half).
    let mut wide =
        Observable::from(PauliString::new(0.5, &(1..local).map(|q| (q, Pauli::X)).collect::<Vec<_>>()).unwrap());
    wide.push(PauliString::new(1.0, &[(top, Pauli::X)]).unwrap());
    let mut c = Circuit::new(N).unwrap();
    // (CNOTs on local qubits only; the qubit given up for the top one is one the sweep never touches.)
    c.ry(0, Param::weight(0)).unwrap().cnot(0, 1).unwrap().cnot(1, 2).unwrap();
    assert_eq!(sent(&c, &wide, &[0.3]), ones(2), "terms that fill the local qubits");
    if world.rank() == 0 {
        println!("ok gradient traffic: {} bytes (16·2^(L−1)) per state per global qubit swapped in, 0 for diagonal rotations", ones(1));
    }
}

/// Bad inputs to a gradient: typed errors on every rank, and the state still usable.
fn gradient_errors(world: &SimpleCommunicator) {
    let ranks = world.size() as usize;
    let local = N - ranks.trailing_zeros() as usize;
    let mut state = DistributedState::new(N, world).unwrap();
    let mut c = Circuit::new(N).unwrap();
    c.ry(N - 1, Param::weight(0)).unwrap().rx(0, Param::weight(1)).unwrap();
    let z = Observable::sum_z(N).unwrap();
    assert!(matches!(state.gradient(&c, &z, &[0.1], &[]).unwrap_err(), Error::ParameterCount { .. }));
    let beyond = Observable::from(PauliString::z(N).unwrap());
    assert_eq!(
        state.gradient(&c, &beyond, &[0.1, 0.2], &[]).unwrap_err(),
        Error::InvalidQubit { qubit: N, num_qubits: N }
    );
    let all_x = Observable::from(PauliString::new(1.0, &(0..N).map(|q| (q, Pauli::X)).collect::<Vec<_>>()).unwrap());
    if ranks > 1 {
        assert!(
            matches!(state.gradient(&c, &all_x, &[0.1, 0.2], &[]).unwrap_err(), Error::TooFewLocalQubits { local: l, .. } if l == local)
        );
        let mine = Observable::from(PauliString::z(world.rank() as usize).unwrap());
        assert!(matches!(
            state.gradient(&c, &mine, &[0.1, 0.2], &[]).unwrap_err(),
            Error::RankDisagreement { rank: 1, .. }
        ));
    }
    let f = QuantumFunction::new(c.clone(), Outputs::Observables(vec![z.clone()])).unwrap();
    assert_eq!(
        f.vjp_distributed(&mut state, &[0.1, 0.2], &[], &[1.0, 2.0]).unwrap_err(),
        Error::DimensionMismatch { what: "upstream gradient", expected: 1, found: 2 }
    );
    assert!(matches!(
        f.vjp_distributed(&mut state, &[0.1, 0.2], &[], &[f64::NAN]).unwrap_err(),
        Error::NonFinite { kind: NonFiniteKind::Entry { what: "upstream gradient", index: 0 }, .. }
    ));
    let mut small = DistributedState::new(N - 1, world).unwrap();
    assert_eq!(
        f.evaluate_distributed(&mut small, &[0.1, 0.2], &[]).unwrap_err(),
        Error::QubitCountMismatch { left: N - 1, right: N }
    );
    // Still usable after every error.
    let g = state.gradient(&c, &z, &[0.1, 0.2], &[]).unwrap();
    let s = f.jacobian(DiffMethod::Adjoint, &[0.1, 0.2], &[]).unwrap();
    assert!((g.weights[0] - s.weights[(0, 0)]).abs() < 1e-12 && (g.weights[1] - s.weights[(0, 1)]).abs() < 1e-12);
    if world.rank() == 0 {
        println!(
            "ok gradient errors: parameter count, qubits, too few local qubits, disagreeing ranks, upstream length and values"
        );
    }
}

fn main() {
    let universe = mpi::initialize().expect("MPI initializes");
    let world = universe.world();
    let ranks = world.size() as usize;
    if !ranks.is_power_of_two() {
        // Refused cleanly, on every rank, with no collective waiting on the others.
        assert_eq!(DistributedState::new(N, &world).unwrap_err(), Error::RankCount { ranks });
        println!("ok rank {}: {ranks} ranks refused", world.rank());
        return;
    }
    if world.rank() == 0 {
        println!("{ranks} rank(s), {N} qubits: {} local", N - ranks.trailing_zeros() as usize);
    }
    gate_families(&world);
    random_circuits(&world);
    reductions(&world);
    traffic(&world);
    errors(&world);
    gradients(&world);
    quantum_functions(&world);
    gradient_traffic(&world);
    gradient_errors(&world);
}
