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

/// Workspaces and tapes keep the lowering of the gates that read only weights while the weights stay the same
/// (an engine cache): one shared by two functions of the same size, or fed new weights, must give what fresh
/// buffers give, bit for bit, for values, tapes and gradients.
#[test]
fn workspaces_and_tapes_shared_by_functions_and_weights_give_what_fresh_ones_give() -> qnet::Result<()> {
    let function = |swap: bool| -> qnet::Result<QuantumFunction> {
        let mut c = Circuit::new(3)?;
        let (a, b) = if swap { (1, 0) } else { (0, 1) };
        c.rx(0, Param::input(0))?.ry(0, Param::weight(a))?.rz(0, Param::weight(b))?;
        c.ry(1, Param::weight(2))?.cnot(0, 1)?.rx(2, Param::input(1))?.crz(1, 2, Param::weight(a))?;
        QuantumFunction::new(c, Outputs::Observables(vec![Observable::sum_z(3)?]))
    };
    let (f, g) = (function(false)?, function(true)?);
    let (mut ws, mut tape) = (f.workspace()?, f.tape()?);
    let x = [0.3, -1.2];
    for (h, w) in [(&f, [0.4, -0.9, 1.3]), (&g, [0.4, -0.9, 1.3]), (&g, [0.4, -0.9, 1.4]), (&f, [0.4, -0.9, 1.4])] {
        let mut value = [0.0];
        h.evaluate_into(&w, &x, &mut ws, &mut value)?;
        assert_eq!(value.to_vec(), h.evaluate(&w, &x)?);
        h.forward_into(&w, &x, &mut tape)?;
        let fresh = h.forward(&w, &x)?;
        assert_eq!(tape, fresh);
        let grads = |tape: &qnet::grad::Tape, ws: &mut Workspace| -> qnet::Result<Vec<f64>> {
            let (mut dw, mut dx) = (vec![0.0; 3], vec![0.0; 2]);
            h.backward(tape, &[1.0], ws, Gradients { weights: &mut dw, inputs: Some(&mut dx) })?;
            Ok([dw, dx].concat())
        };
        assert_eq!(grads(&tape, &mut ws)?, grads(&fresh, &mut h.workspace()?)?);
    }
    Ok(())
}
