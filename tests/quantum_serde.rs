//! Serialized circuits, observables and states round-trip exactly, and corrupt files are refused with the
//! library's own errors when read.

#![cfg(feature = "serde")]

use qnet::prelude::*;

#[test]
fn circuits_round_trip() -> qnet::Result<()> {
    let mut c = Circuit::new(3)?;
    c.h(0)?.cnot(0, 1)?.ry(2, Param::weight(1) * 0.5)?.u3(1, 0.1, Param::input(0), -0.3)?;
    c.add_controlled(Gate::RZ(0.4.into()), &[2], &[0, 1])?;
    c.add(Gate::unitary(Gate::SX.matrix()?)?, &[1])?;
    let json = serde_json::to_string(&c).expect("serializable");
    let back: Circuit = serde_json::from_str(&json).expect("valid circuit");
    assert_eq!(back, c);
    assert_eq!((back.num_weights(), back.num_inputs()), (2, 1));
    Ok(())
}

#[test]
fn corrupt_circuits_are_refused() {
    let bad_qubit = r#"{"num_qubits":2,"instructions":[{"gate":"H","targets":[5],"controls":[]}]}"#;
    let e = serde_json::from_str::<Circuit>(bad_qubit).unwrap_err().to_string();
    assert!(e.contains("qubit 5 is out of range"), "{e}");
    let repeated = r#"{"num_qubits":2,"instructions":[{"gate":"CNOT","targets":[1,1],"controls":[]}]}"#;
    assert!(serde_json::from_str::<Circuit>(repeated).unwrap_err().to_string().contains("more than once"));
    let arity = r#"{"num_qubits":2,"instructions":[{"gate":"CNOT","targets":[1],"controls":[]}]}"#;
    assert!(serde_json::from_str::<Circuit>(arity).unwrap_err().to_string().contains("acts on 2"));
    let zero = r#"{"num_qubits":0,"instructions":[]}"#;
    assert!(serde_json::from_str::<Circuit>(zero).is_err());
    // A valid unitary gate, then the same text with one entry doubled.
    let good = serde_json::to_string(&Gate::unitary(Gate::X.matrix().unwrap()).unwrap()).unwrap();
    assert!(serde_json::from_str::<Gate>(&good).is_ok());
    let mut value: serde_json::Value = serde_json::from_str(&good).unwrap();
    // nalgebra writes a matrix as [entries in column-major order, rows, columns]; an entry is [re, im].
    *value.pointer_mut("/Unitary/0/0").unwrap() = serde_json::json!([2.0, 0.0]);
    let e = serde_json::from_str::<Gate>(&value.to_string()).unwrap_err().to_string();
    assert!(e.contains("not unitary"), "{e}: {value}");
}

#[test]
fn states_and_observables_are_checked() -> qnet::Result<()> {
    let mut s = StateVector::new(2)?;
    s.apply_gate(&Gate::H, &[0])?;
    let json = serde_json::to_string(&s).expect("serializable");
    let back: StateVector = serde_json::from_str(&json).expect("valid state");
    assert_eq!(back, s);
    let unnormalized = "[[1.0,0.0],[1.0,0.0]]";
    assert!(serde_json::from_str::<StateVector>(unnormalized).unwrap_err().to_string().contains("not normalized"));
    let odd = "[[1.0,0.0],[0.0,0.0],[0.0,0.0]]";
    assert!(serde_json::from_str::<StateVector>(odd).is_err());

    let o = Observable::from_terms(vec![PauliString::parse("XZ")?.with_coeff(-0.5)?, PauliString::z(1).unwrap()]);
    let back: Observable = serde_json::from_str(&serde_json::to_string(&o).expect("ok")).expect("valid");
    assert_eq!(back, o);
    let dup = r#"{"coeff":1.0,"ops":[[0,"X"],[0,"Z"]]}"#;
    assert!(serde_json::from_str::<PauliString>(dup).unwrap_err().to_string().contains("more than once"));
    Ok(())
}
