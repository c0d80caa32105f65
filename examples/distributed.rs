//! A QFT or a random circuit on a state distributed over MPI ranks: the time, each rank's traffic, and a check
//! of a few amplitudes against a run on one process when the state fits.
//!
//! ```text
//! cargo build --release --features mpi --example distributed
//! mpirun -np 4 target/release/examples/distributed qft 24
//! mpirun -np 4 target/release/examples/distributed random 24 [depth] [seed]
//! ```
//!
//! Options: `qft N` or `random N [DEPTH] [SEED]` (default `qft 20`; depth 10, seed 1). The check runs the same
//! circuit on rank 0 alone (when N ≤ 26) and compares eight amplitudes bit for bit.

use std::time::Instant;

use mpi::collective::CommunicatorCollectives;
use mpi::topology::Communicator;
use qnet::prelude::*;
use qnet::quantum::DistributedState;
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
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut c = Circuit::new(n)?;
    for _ in 0..depth {
        for q in 0..n {
            c.ry(q, rng.random::<f64>() * 3.0)?.rz(q, rng.random::<f64>() * 3.0)?;
        }
        for _ in 0..n / 2 {
            let a = rng.random_range(0..n);
            let b = (a + 1 + rng.random_range(0..n - 1)) % n;
            c.cnot(a, b)?;
        }
    }
    Ok(c)
}

fn main() -> Result<()> {
    let universe = mpi::initialize().expect("MPI initializes");
    let world = universe.world();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let kind = args.first().map_or("qft", String::as_str);
    let number = |i: usize, default: usize| args.get(i).map_or(Ok(default), |s| s.parse::<usize>());
    let (Ok(n), Ok(depth), Ok(seed)) = (number(1, 20), number(2, 10), number(3, 1)) else {
        eprintln!("usage: distributed [qft N | random N [DEPTH] [SEED]]");
        std::process::exit(2);
    };
    let circuit = match kind {
        "qft" => qft(n)?,
        "random" => random(n, depth, seed as u64)?,
        _ => {
            eprintln!("usage: distributed [qft N | random N [DEPTH] [SEED]]");
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
