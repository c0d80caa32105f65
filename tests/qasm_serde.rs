//! Serialized programs round-trip exactly, and inconsistent ones are refused with the library's errors when
//! read (a file cannot make `sample` or `to_qasm` index out of range).

#![cfg(feature = "serde")]

use qnet::prelude::*;

const TELEPORT: &str = "OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[3];\ncreg c0[1];\ncreg c1[1];\n\
    u3(0.3,0.2,0.1) q[0];\nh q[1];\ncx q[1],q[2];\nbarrier q;\ncx q[0],q[1];\nh q[0];\nmeasure q[0] -> c0[0];\n\
    measure q[1] -> c1[0];\nif(c0==1) z q[2];\nif(c1==1) x q[2];\nreset q[0];\n";

fn corrupt(json: &str, from: &str, to: &str) -> String {
    assert!(json.contains(from), "{from} not in {json}");
    let bad = json.replacen(from, to, 1);
    serde_json::from_str::<Program>(&bad).unwrap_err().to_string()
}

#[test]
fn programs_round_trip_and_corrupt_ones_are_refused() {
    let p = Program::parse(TELEPORT).unwrap();
    let json = serde_json::to_string(&p).unwrap();
    let back: Program = serde_json::from_str(&json).unwrap();
    assert_eq!(back, p);
    assert_eq!(back.to_qasm().unwrap(), TELEPORT);

    assert!(corrupt(&json, r#""Reset":{"qubit":0}"#, r#""Reset":{"qubit":7}"#).contains("qubit 7 is out of range"));
    assert!(corrupt(&json, r#""clbit":1"#, r#""clbit":9"#).contains("classical bit 9 is out of range"));
    assert!(corrupt(&json, r#""creg":1"#, r#""creg":5"#).contains("does not exist"));
    assert!(corrupt(&json, r#""name":"c1""#, r#""name":"c0""#).contains("used twice"));
    assert!(corrupt(&json, r#""name":"q""#, r#""name":"Q""#).contains("must match"));
    assert!(corrupt(&json, r#""offset":1"#, r#""offset":2"#).contains("declaration order"));
    let barrier = r#"{"Barrier":{"qubits":[0,1,2]}}"#;
    assert!(json.contains(barrier));
    let nested = format!(r#"{{"Conditional":{{"creg":0,"value":1,"op":{barrier}}}}}"#);
    assert!(corrupt(&json, barrier, &nested).contains("can be classically controlled"));
}
