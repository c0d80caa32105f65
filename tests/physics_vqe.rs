//! VQE on a small transverse-field Ising chain reaches the exact ground energy within 1e-3: the hardware-efficient
//! ansatz, adjoint gradients (grad) and Adam (layer) against exact diagonalisation (physics).

use qnet::physics::{self, Boundary, Spectrum};
use qnet::prelude::*;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

const SITES: usize = 4;
const LAYERS: usize = 4;
const LEARNING_RATE: f64 = 0.02;
const STEPS: usize = 2000;
const TOLERANCE: f64 = 1e-3;

#[test]
fn vqe_finds_the_ground_state_of_a_four_site_critical_ising_chain() {
    let hamiltonian = physics::transverse_field_ising(SITES, 1.0, 1.0, Boundary::Open).unwrap();
    let spectrum = Spectrum::of(&hamiltonian, SITES).unwrap();
    let exact = spectrum.ground_energy();
    let gap = spectrum.gap();
    assert!(gap > 0.1, "the open critical chain of {SITES} sites has a finite-size gap, found {gap}");

    let ansatz = physics::hardware_efficient_ansatz(SITES, LAYERS).unwrap();
    let energy = QuantumFunction::new(ansatz.clone(), Outputs::Observables(vec![hamiltonian.clone()])).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let mut weights: Vec<f64> = (0..ansatz.num_weights()).map(|_| rng.random_range(-0.1..0.1)).collect();
    let mut adam = Adam::new(LEARNING_RATE).unwrap();
    let initial = energy.evaluate(&weights, &[]).unwrap()[0];
    for _ in 0..STEPS {
        let vjp = energy.vjp(DiffMethod::Adjoint, &weights, &[], &[1.0]).unwrap();
        adam.step(&mut weights, &vjp.weights).unwrap();
    }
    // Training did something: near |0000⟩ the energy is about −(SITES − 1), far above E_0.
    assert!(initial - exact > 0.5, "initial {initial} vs exact {exact}");

    // The energy of the trained weights through the state vector and the Pauli kernels, not the gradient code.
    let mut state = StateVector::new(SITES).unwrap();
    state.run(&ansatz, &weights, &[]).unwrap();
    let e = state.expectation(&hamiltonian).unwrap();
    assert!(e >= exact - 1e-9, "variational energy {e} below the exact {exact}");
    assert!(e - exact < TOLERANCE, "VQE {e} vs exact {exact}: difference {}", e - exact);
    // The gradient code's value agrees with the independent one.
    let f = energy.evaluate(&weights, &[]).unwrap()[0];
    assert!((f - e).abs() < 1e-12, "QuantumFunction {f} vs StateVector::expectation {e}");

    // E − E_0 = Σ_k p_k (E_k − E_0) ≥ (1 − p_0)·gap, so the fidelity p_0 with the (non-degenerate) ground state
    // is at least 1 − (E − E_0)/gap.
    let ground = spectrum.state(0).unwrap();
    let fidelity = state.fidelity(&ground).unwrap();
    let bound = 1.0 - (e - exact) / gap;
    assert!(fidelity >= bound - 1e-9, "fidelity {fidelity} below the spectral bound {bound}");
    assert!(fidelity > 0.99, "fidelity {fidelity}");
}
