//! A first look at qnet's simulator: a GHZ state, its measurement statistics and expectation values.
//!
//! `cargo run --release --example circuit_demo` uses 5 qubits; pass another size to see how the cost grows
//! (`-- 26` builds a 1 GiB state: 2^26 amplitudes of 16 bytes, the whole memory an exact simulation needs).

use std::time::Instant;

use qnet::prelude::*;
use qnet::quantum::Pauli;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

fn main() -> qnet::Result<()> {
    let n: usize = match std::env::args().nth(1) {
        Some(arg) => match arg.parse() {
            Ok(n) => n,
            Err(_) => {
                eprintln!("error: expected a number of qubits, found {arg:?}");
                std::process::exit(2);
            }
        },
        None => 5,
    };

    // GHZ: H on qubit 0, then a CNOT chain, then a small RX on every qubit.
    let mut circuit = Circuit::new(n)?;
    circuit.h(0)?;
    for q in 0..n - 1 {
        circuit.cnot(q, q + 1)?;
    }
    for q in 0..n {
        circuit.rx(q, Param::weight(0))?;
    }
    println!(
        "{n}-qubit GHZ circuit: {} gates, depth {}, counts {:?}",
        circuit.len(),
        circuit.depth(),
        circuit.gate_counts()
    );

    let start = Instant::now();
    let mut state = match StateVector::new(n) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    };
    state.run(&circuit, &[0.2], &[])?;
    println!(
        "simulated in {:.3} s ({} amplitudes, {} MiB)",
        start.elapsed().as_secs_f64(),
        state.dim(),
        (state.dim() * 16) >> 20
    );

    let all_zero = state.amplitudes()[0].norm_sqr();
    let all_one = state.amplitudes()[state.dim() - 1].norm_sqr();
    println!("P(0…0) = {all_zero:.6}, P(1…1) = {all_one:.6}, norm = {:.15}", state.norm());

    let zz = Observable::from(PauliString::new(1.0, &[(0, Pauli::Z), (n - 1, Pauli::Z)])?);
    println!(
        "⟨Z0 Z{}⟩ = {:+.6} (1 for an exact GHZ state; cos²(0.2) = {:.6} after the RX layer)",
        n - 1,
        state.expectation(&zz)?,
        0.2f64.cos().powi(2)
    );
    println!("⟨Σ Z_i⟩ = {:+.6}", state.expectation(&Observable::sum_z(n)?)?);

    let mut rng = ChaCha8Rng::seed_from_u64(2024);
    let counts = state.sample(1000, &mut rng)?;
    let mut top: Vec<(usize, usize)> = counts.into_iter().collect();
    top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    println!("1000 shots, most frequent outcomes (qubit 0 rightmost):");
    for (index, count) in top.into_iter().take(4) {
        println!("  |{index:0width$b}⟩  {count}", width = n);
    }
    Ok(())
}
