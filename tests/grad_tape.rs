//! A `Tape` records what its forward pass saw and made (weights, inputs, outputs, final state), and compares
//! equal exactly when all of them are equal. `Workspace::bytes` and `Tape::bytes` count the buffers they hold, as their docs say: exactly two states
//! (one, with its outputs) when fresh, and on top of that the record of a forward pass and the scratch a backward
//! sweep grows, within the documented bound (the scratch is at most 2^15 amplitudes and 1/8 of a state, plus
//! arrays of the plan's size), on 14 qubits, where CNOT ladders are fused permutation runs.

use qnet::grad::{Gradients, Outputs, QuantumFunction, Workspace};
use qnet::prelude::*;

#[test]
fn workspace_and_tape_bytes_count_their_buffers() -> qnet::Result<()> {
    let n = 14;
    let mut c = Circuit::new(n)?;
    for q in 0..n {
        c.ry(q, Param::weight(q % 3))?;
    }
    for q in 0..n - 1 {
        c.cnot(q, q + 1)?;
    }
    c.rz(3, Param::input(0))?;
    let f = QuantumFunction::new(c, Outputs::Observables(vec![Observable::sum_z(n)?, Observable::sum_z(n)?]))?;
    let state = 16usize << n;
    let mut ws = f.workspace()?;
    assert_eq!(ws.bytes(), 2 * state);
    assert_eq!(Workspace::new(n)?.bytes(), 2 * state);
    assert_eq!(f.tape()?.bytes(), state + 8 * 2, "the state and the two outputs");

    let (w, x) = ([0.3, -0.7, 1.1], [0.4]);
    let tape = f.forward(&w, &x)?;
    let recorded = tape.bytes();
    assert!(recorded >= state + 8 * (2 + 3 + 1), "state, outputs, weights and inputs: {recorded}");
    // The plan's arrays (a few per gate) are far below 16 KiB for these 28 gates.
    let plan_arrays = 16 << 10;
    assert!(recorded <= state + state / 8 + plan_arrays, "and at most the scratch beside them: {recorded}");

    let (mut dw, mut dx) = (vec![0.0; 3], vec![0.0; 1]);
    f.backward(&tape, &[1.0, -0.5], &mut ws, Gradients { weights: &mut dw, inputs: Some(&mut dx) })?;
    assert!(dw.iter().any(|g| g.abs() > 1e-6), "the sweep ran: {dw:?}");
    let grown = ws.bytes();
    assert!(grown > 2 * state, "the sweep's scratch is counted: {grown}");
    assert!(grown <= 2 * state + state / 8 + plan_arrays, "within the documented scratch: {grown}");
    Ok(())
}

#[test]
fn a_tape_records_its_pass_and_compares_by_all_of_it() -> qnet::Result<()> {
    let mut c = Circuit::new(3)?;
    c.ry(0, Param::weight(0))?.cnot(0, 1)?.rx(2, Param::input(0))?.rz(1, Param::weight(1))?;
    let f = QuantumFunction::new(c.clone(), Outputs::Observables(vec![Observable::sum_z(3)?]))?;
    let (w, x) = ([0.3, -0.7], [0.4]);
    let tape = f.forward(&w, &x)?;
    assert_eq!(tape.weights(), w);
    assert_eq!(tape.inputs(), x);
    assert_eq!(tape.values(), f.evaluate(&w, &x)?);
    let mut state = StateVector::new(3)?;
    state.run(&c, &w, &x)?;
    assert_eq!(tape.state(), state.amplitudes());
    assert_eq!(tape, f.forward(&w, &x)?);
    assert_ne!(tape, f.forward(&[0.3, -0.6], &x)?, "other weights");
    assert_ne!(tape, f.forward(&w, &[0.5])?, "other inputs");
    // A weight and an input read at scale 0 change nothing but the record: the tapes differ in that field alone.
    let mut c = Circuit::new(2)?;
    c.ry(0, Param::weight(0))?.rz(1, Param::weight(1) * 0.0)?.rx(1, Param::input(0) * 0.0)?;
    let f = QuantumFunction::new(c, Outputs::Observables(vec![Observable::sum_z(2)?]))?;
    let tape = f.forward(&[0.3, 1.0], &[1.0])?;
    let (other_weight, other_input) = (f.forward(&[0.3, 2.0], &[1.0])?, f.forward(&[0.3, 1.0], &[2.0])?);
    assert_eq!((other_weight.values(), other_weight.state()), (tape.values(), tape.state()));
    assert_eq!((other_input.values(), other_input.state()), (tape.values(), tape.state()));
    assert_ne!(tape, other_weight, "only the weights differ");
    assert_ne!(tape, other_input, "only the inputs differ");
    Ok(())
}
