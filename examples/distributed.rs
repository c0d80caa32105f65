//! A QFT or a random circuit on a state distributed over MPI ranks: the time, each rank's traffic, and a check
//! of a few amplitudes against a run on one process when the state fits.
//!
//! ```text
//! cargo build --release --features mpi --example distributed
//! mpirun -np 4 target/release/examples/distributed qft 24
//! mpirun -np 4 target/release/examples/distributed random 24 [depth] [seed]
//! mpirun -np 4 target/release/examples/distributed gradient 24 [depth] [seed]
//! ```
//!
//! Options: `qft N`, `random N [DEPTH] [SEED]` or `gradient N [DEPTH] [SEED]` (default `qft 20`; depth 10,
//! seed 1). The check runs the same circuit on rank 0 alone (when N ≤ 26) and compares eight amplitudes bit for
//! bit. `gradient` runs the random circuit with its RY angles as weights forward, then takes the adjoint
//! gradient of Σ_q Z_q + X_0 X_(N−1), and prints both times and bytes per rank, the gradient checked against
//! one process's adjoint Jacobian (within 1e-10) when N ≤ 26.

use std::time::Instant;

use mpi::collective::CommunicatorCollectives;
use mpi::topology::Communicator;
use qnet::prelude::*;
use qnet::quantum::{DistributedState, Pauli};
use rand::{RngExt, SeedableRng};

/// The largest register checked against one process.
const MAX_CHECKED: usize = 26;

/// The quantum Fourier transform on `n` qubits (H and controlled phases, then the qubit order reversed).
fn qft(n: usize) -> Result<Circuit> {
    let mut c = Circuit::new(n)?;
    for q in (0..n).rev() {
        c.h(q)?;
        for k in (0..q).rev() {
            c.cphase(k, q, std::f64::consts::PI / f64::from(1u32 << (q - k).min(30)))?;
        }
    }
    for q in 0..n / 2 {
        c.swap(q, n - 1 - q)?;
    }
    Ok(c)
}

/// `depth` layers of random one-qubit rotations and CNOTs between random pairs.
fn random(n: usize, depth: usize, seed: u64) -> Result<Circuit> {
    Ok(random_weighted(n, depth, seed, false)?.0)
}

/// [`random`], its RY angles read from weights when `weighted` (returned with the circuit).
fn random_weighted(n: usize, depth: usize, seed: u64, weighted: bool) -> Result<(Circuit, Vec<f64>)> {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut c = Circuit::new(n)?;
    let mut weights = Vec::new();
    for _ in 0..depth {
        for q in 0..n {
            let angle = rng.random::<f64>() * 3.0;
            let ry = if weighted {
                weights.push(angle);
                Param::weight(weights.len() - 1)
            } else {
                Param::from(angle)
            };
            c.ry(q, ry)?.rz(q, rng.random::<f64>() * 3.0)?;
        }
        for _ in 0..n / 2 {
            let a = rng.random_range(0..n);
            let b = (a + 1 + rng.random_range(0..n - 1)) % n;
            c.cnot(a, b)?;
        }
    }
    Ok((c, weights))
}

/// Every rank's `value`, in rank order.
fn per_rank(world: &mpi::topology::SimpleCommunicator, value: u64) -> Vec<u64> {
    let mut all = vec![0u64; world.size() as usize];
    world.all_gather_into(&value, &mut all[..]);
    all
}

/// The `gradient` mode: forward run and adjoint gradient of a weighted random circuit, timed, with traffic.
fn gradient(world: &mpi::topology::SimpleCommunicator, n: usize, depth: usize, seed: u64) -> Result<()> {
    let (circuit, weights) = random_weighted(n, depth, seed, true)?;
    let mut observable = Observable::sum_z(n)?;
    observable.push(PauliString::new(1.0, &[(0, Pauli::X), (n - 1, Pauli::X)])?);
    let root = world.rank() == 0;
    let mut state = DistributedState::new(n, world)?;
    if root {
        println!(
            "gradient of a random circuit on {n} qubits: {} gates, {} weights, {} rank(s) of {} local qubits",
            circuit.len(),
            weights.len(),
            state.num_ranks(),
            state.local_qubits()
        );
    }
    world.barrier();
    let start = Instant::now();
    state.run(&circuit, &weights, &[])?;
    world.barrier();
    let forward = start.elapsed().as_secs_f64();
    let forward_sent = per_rank(world, state.traffic().bytes_sent);
    state.reset();
    state.reset_traffic();
    world.barrier();
    let start = Instant::now();
    let g = state.gradient(&circuit, &observable, &weights, &[])?;
    world.barrier();
    let backward = start.elapsed().as_secs_f64();
    let gradient_sent = per_rank(world, state.traffic().bytes_sent);
    let exchanges = per_rank(world, state.traffic().exchanges);
    if root {
        println!(
            "forward run: {forward:.3} s; gradient (forward, λ and backward sweep): {backward:.3} s, {:.2}× the run",
            backward / forward
        );
        for r in 0..forward_sent.len() {
            println!(
                "  rank {r}: {:.1} MiB sent by the run, {:.1} MiB by the gradient ({} exchange(s))",
                forward_sent[r] as f64 / f64::from(1 << 20),
                gradient_sent[r] as f64 / f64::from(1 << 20),
                exchanges[r]
            );
        }
        println!("⟨O⟩ = {:.12}", g.value);
    }
    if n <= MAX_CHECKED && root {
        let f = QuantumFunction::new(circuit, qnet::grad::Outputs::Observables(vec![observable]))?;
        let start = Instant::now();
        let j = f.jacobian(qnet::grad::DiffMethod::Adjoint, &weights, &[])?;
        let serial = start.elapsed().as_secs_f64();
        let diff = g.weights.iter().enumerate().map(|(k, d)| (d - j.weights[(0, k)]).abs()).fold(0.0, f64::max);
        println!("one process's adjoint Jacobian: {serial:.3} s; largest difference {diff:.1e}");
        if diff > 1e-10 || (g.value - j.values[0]).abs() > 1e-10 {
            std::process::exit(1);
        }
    }
    Ok(())
}

fn main() -> Result<()> {
    let universe = mpi::initialize().expect("MPI initializes");
    let world = universe.world();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let kind = args.first().map_or("qft", String::as_str);
    let number = |i: usize, default: usize| args.get(i).map_or(Ok(default), |s| s.parse::<usize>());
    let (Ok(n), Ok(depth), Ok(seed)) = (number(1, 20), number(2, 10), number(3, 1)) else {
        eprintln!("usage: distributed [qft N | random N [DEPTH] [SEED] | gradient N [DEPTH] [SEED]]");
        std::process::exit(2);
    };
    let circuit = match kind {
        "gradient" => return gradient(&world, n, depth, seed as u64),
        "qft" => qft(n)?,
        "random" => random(n, depth, seed as u64)?,
        _ => {
            eprintln!("usage: distributed [qft N | random N [DEPTH] [SEED] | gradient N [DEPTH] [SEED]]");
            std::process::exit(2);
        }
    };
    let root = world.rank() == 0;
    let mut state = DistributedState::new(n, &world)?;
    if root {
        println!(
            "{kind} on {n} qubits: {} gates, {} rank(s) of {} local qubits ({} MiB each)",
            circuit.len(),
            state.num_ranks(),
            state.local_qubits(),
            (16u64 << state.local_qubits()) >> 20
        );
    }
    world.barrier();
    let start = Instant::now();
    state.run(&circuit, &[], &[])?;
    world.barrier();
    let run_time = start.elapsed().as_secs_f64();
    let run_traffic = state.traffic();
    let start = Instant::now();
    state.canonicalize();
    world.barrier();
    let canonical_time = start.elapsed().as_secs_f64();
    let mut sent = vec![0u64; state.num_ranks()];
    world.all_gather_into(&run_traffic.bytes_sent, &mut sent[..]);
    let mut exchanges = vec![0u64; state.num_ranks()];
    world.all_gather_into(&run_traffic.exchanges, &mut exchanges[..]);
    let mut total = vec![0u64; state.num_ranks()];
    world.all_gather_into(&state.traffic().bytes_sent, &mut total[..]);
    if root {
        println!("run: {run_time:.3} s; into canonical order: {canonical_time:.3} s");
        for (r, ((s, e), t)) in sent.iter().zip(&exchanges).zip(&total).enumerate() {
            println!(
                "  rank {r}: {} exchange(s), {:.1} MiB sent by the run, {:.1} MiB with the canonical order",
                e,
                *s as f64 / f64::from(1 << 20),
                *t as f64 / f64::from(1 << 20)
            );
        }
    }
    // A few amplitudes against one process (rank 0 runs the whole circuit alone).
    if n <= MAX_CHECKED {
        let serial = if root {
            let mut s = StateVector::new(n)?;
            let start = Instant::now();
            s.run(&circuit, &[], &[])?;
            println!("one process: {:.3} s", start.elapsed().as_secs_f64());
            Some(s)
        } else {
            None
        };
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
        let indices: Vec<usize> = (0..8).map(|_| rng.random_range(0..1usize << n)).collect();
        let mut same = true;
        for &i in &indices {
            let a = state.amplitude(i)?;
            if let Some(s) = &serial {
                let b = s.amplitudes()[i];
                same &= a.re.to_bits() == b.re.to_bits() && a.im.to_bits() == b.im.to_bits();
            }
        }
        if root {
            println!("8 amplitudes against one process: {}", if same { "identical bits" } else { "DIFFERENT" });
            if !same {
                std::process::exit(1);
            }
        }
    }
    Ok(())
}
