//! Malformed and hostile OpenQASM: every error names its line and column and what was expected; no input
//! panics, overflows the stack or runs without end. Also the broadcasting rules of the specification.

use proptest::prelude::*;
use qnet::prelude::*;
use qnet::qasm::{Operation, Program, QasmErrorKind, MAX_GATE_DEPTH, MAX_OPERATIONS};

const HEADER: &str = "OPENQASM 2.0;\ninclude \"qelib1.inc\";\n";

fn error(body: &str) -> String {
    Program::parse(&format!("{HEADER}{body}")).unwrap_err().to_string()
}

#[test]
fn syntax_errors_name_line_column_and_expectation() {
    assert_eq!(error("qreg q[2]\nh q;"), "qasm line 4, column 1: expected `;`, found `h`");
    assert_eq!(error("qreg q[2];\ncx q[0] q[1];"), "qasm line 4, column 9: expected `;`, found `q`");
    assert_eq!(error("qreg q[2];\nrz(1+) q[0];"), "qasm line 4, column 6: expected an expression, found `)`");
    assert_eq!(error("qreg q[2];\n;"), "qasm line 4, column 1: expected a statement, found `;`");
    assert_eq!(
        error("qreg Q[2];"),
        "qasm line 3, column 6: expected a register name (a name matching [a-z][A-Za-z0-9_]* that is not a \
         keyword), found `Q`"
    );
    assert!(error("qreg pi[2];").contains("not a keyword"));
    assert_eq!(
        Program::parse("qreg q[1];").unwrap_err().to_string(),
        "qasm line 1, column 1: expected `OPENQASM 2.0;` as the first statement, found `qreg`"
    );
    assert_eq!(error("qreg q[1];\nmeasure q[0] c[0];"), "qasm line 4, column 14: expected `->`, found `c`");
    assert_eq!(error("qreg q[2];\nh q[0]; /* block */"), "qasm line 4, column 9: expected a statement, found `/`");
    assert!(error("qreg q[1];\ngate g a { h a;").contains("found end of input"));
    assert!(error("qreg q[99999999999999999999999];").contains("below 2^64"));
}

#[test]
fn semantic_errors_name_what_is_wrong() {
    assert_eq!(error("qreg q[2];\nfoo q[0];"), "qasm line 4, column 1: undefined gate `foo`");
    assert_eq!(error("qreg q[2];\nh r[0];"), "qasm line 4, column 3: undefined quantum register `r`");
    assert_eq!(
        error("qreg q[2];\nh q[2];"),
        "qasm line 4, column 5: index 2 is out of range for register `q` of size 2"
    );
    assert_eq!(error("qreg q[2];\nrx q[0];"), "qasm line 4, column 1: gate `rx` takes 1 parameters, found 0");
    assert_eq!(error("qreg q[2];\ncx q[0];"), "qasm line 4, column 1: gate `cx` takes 2 qubit arguments, found 1");
    assert_eq!(error("qreg q[2];\ncx q[0],q[0];"), "qasm line 4, column 9: qubit `q[0]` is used twice in one gate");
    assert_eq!(
        error("qreg a[2];\nqreg b[3];\ncx a,b;"),
        "qasm line 5, column 1: registers `a` (size 2) and `b` (size 3) cannot be broadcast together"
    );
    assert_eq!(error("qreg q[2];\nqreg q[1];"), "qasm line 4, column 6: `q` is already defined");
    assert_eq!(error("qreg h[2];"), "qasm line 3, column 6: `h` is already defined");
    assert_eq!(error("gate cx a,b { }"), "qasm line 3, column 6: `cx` is already defined");
    assert_eq!(error("qreg q[1];\nrz(theta) q[0];"), "qasm line 4, column 4: undefined parameter `theta`");
    assert_eq!(error("gate g a { h b; }"), "qasm line 3, column 14: undefined qubit argument `b`");
    assert_eq!(error("gate g a { h a[0]; }"), "qasm line 3, column 15: expected `;`, found `[`");
    assert_eq!(error("gate g a,b { cx a,a; }"), "qasm line 3, column 14: qubit argument `a` is used twice in one gate");
    assert_eq!(error("gate g a { measure a; }"), "qasm line 3, column 12: undefined gate `measure`");
    assert_eq!(
        error("qreg q[2];\ncreg c[1];\nmeasure q -> c;"),
        "qasm line 5, column 1: cannot measure 2 qubit(s) of `q` into 1 bit(s) of `c`"
    );
    assert_eq!(error("qreg q[0];"), "qasm line 3, column 8: register `q` must have at least one bit");
    assert_eq!(error("qreg q[1];\nif(q==1) x q[0];"), "qasm line 4, column 4: undefined classical register `q`");
    assert_eq!(
        error("gate g(t) a { rz(1/t) a; }\nqreg q[1];\ng(0) q[0];"),
        "qasm line 5, column 1: expression evaluates to inf, which is not a finite angle"
    );
    assert!(
        Program::parse("OPENQASM 2.0;\nqreg q[1];\nh q[0];").unwrap_err().to_string().ends_with("undefined gate `h`"),
        "without the include only U and CX exist"
    );
}

#[test]
fn unsupported_features_are_refused_clearly() {
    assert_eq!(error("opaque magic(a) q;"), "qasm line 3, column 1: opaque gate `magic` is not supported");
    assert_eq!(
        Program::parse("OPENQASM 2.0;\ninclude \"other.inc\";").unwrap_err().to_string(),
        "qasm line 2, column 9: including \"other.inc\" (only qelib1.inc is built in) is not supported"
    );
    assert_eq!(
        Program::parse("OPENQASM 3.0;").unwrap_err().to_string(),
        "qasm line 1, column 10: OpenQASM version 3 is not supported"
    );
}

#[test]
fn broadcasting_follows_the_specification() {
    let p = Program::parse(&format!("{HEADER}qreg a[3];\nqreg b[3];\ncreg c[3];\nh a;\ncx a,b;\ncx a[0],b;\nmeasure b -> c;\nreset a;\nbarrier a,b[1];"))
        .unwrap();
    let ops = p.operations();
    let gates: Vec<(&str, Vec<usize>)> = ops
        .iter()
        .filter_map(|o| match o {
            Operation::Gate(i) => Some((i.gate().name(), i.targets().to_vec())),
            _ => None,
        })
        .collect();
    assert_eq!(
        gates,
        vec![
            ("h", vec![0]),
            ("h", vec![1]),
            ("h", vec![2]),
            ("cx", vec![0, 3]),
            ("cx", vec![1, 4]),
            ("cx", vec![2, 5]),
            ("cx", vec![0, 3]),
            ("cx", vec![0, 4]),
            ("cx", vec![0, 5]),
        ]
    );
    assert!(ops.contains(&Operation::Measure { qubit: 5, clbit: 2 }));
    assert!(ops.contains(&Operation::Reset { qubit: 2 }));
    assert_eq!(ops.last(), Some(&Operation::Barrier { qubits: vec![0, 1, 2, 4] }));
    // A user gate broadcasts like a built-in one.
    let g = Program::parse(&format!("{HEADER}gate pair x,y {{ cx x,y; }}\nqreg a[2];\nqreg b[2];\npair a,b;")).unwrap();
    assert_eq!(g.circuit().unwrap().len(), 2);
}

#[test]
fn deep_gate_nesting_hits_the_limit() {
    let mut src = String::from(HEADER);
    src.push_str("gate g0 a { x a; }\n");
    for k in 1..=MAX_GATE_DEPTH + 5 {
        src.push_str(&format!("gate g{k} a {{ g{} a; }}\n", k - 1));
    }
    src.push_str("qreg q[1];\n");
    let ok = format!("{src}g{} q[0];\n", MAX_GATE_DEPTH - 1);
    assert_eq!(Program::parse(&ok).unwrap().operations().len(), 1);
    let deep = format!("{src}g{} q[0];\n", MAX_GATE_DEPTH + 5);
    assert!(matches!(
        Program::parse(&deep),
        Err(Error::Qasm { kind: QasmErrorKind::Limit { what: "the nesting of gate definitions", .. }, .. })
    ));
}

#[test]
fn exponential_expansion_hits_the_operation_limit() {
    // Each level calls the previous one twice: 2^40 applications, most of them of empty gates. The limit
    // counts every application, so this stops after about MAX_OPERATIONS steps instead of running for days.
    let mut src = String::from(HEADER);
    src.push_str("gate g0 a { }\n");
    for k in 1..=40 {
        src.push_str(&format!("gate g{k} a {{ g{0} a; g{0} a; }}\n", k - 1));
    }
    src.push_str("qreg q[1];\ng40 q[0];\n");
    let err = Program::parse(&src).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("qasm line 45, column 1: the number of operations exceeds the limit of {MAX_OPERATIONS}")
    );
    assert!(matches!(
        Program::parse(&format!("{HEADER}qreg q[70000];")),
        Err(Error::Qasm { kind: QasmErrorKind::Limit { .. }, .. })
    ));
}

#[test]
fn identifiers_may_shadow_registers_inside_gates() {
    // The paper's own style: a gate argument named like a register.
    let p = Program::parse(&format!("{HEADER}qreg q[2];\ngate post q {{ h q; }}\npost q[1];")).unwrap();
    assert_eq!(p.circuit().unwrap().instructions()[0].targets(), &[1]);
}

/// Fragments of OpenQASM to build token soups from.
const FRAGMENTS: &[&str] = &[
    "OPENQASM 2.0;",
    "include \"qelib1.inc\";",
    "qreg q[3];",
    "creg c[3];",
    "gate g(a) x,y {",
    "}",
    "h",
    "cx",
    "rz(",
    ")",
    "(",
    "pi",
    "-",
    "+",
    "*",
    "/",
    "^",
    "sin(",
    "q",
    "q[0]",
    "q[1]",
    ",",
    ";",
    "->",
    "measure",
    "reset",
    "if(c==1)",
    "barrier",
    "opaque",
    "1.5e3",
    "0",
    "2",
    "[",
    "]",
    "{",
    "//",
    "\n",
    "U(",
    "CX",
    "x",
    "y",
    "g",
    "ln(0)",
    "\"",
    "==",
    "a",
    "sqrt(",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let text = String::from_utf8_lossy(&bytes);
        let _ = Program::parse(&text);
        let _ = Program::parse(&format!("{HEADER}{text}"));
    }

    #[test]
    fn token_soups_never_panic(picks in proptest::collection::vec(0..FRAGMENTS.len(), 0..80)) {
        let body: Vec<&str> = picks.iter().map(|&i| FRAGMENTS[i]).collect();
        let text = format!("{HEADER}qreg q[3];\ncreg c[3];\n{}", body.join(" "));
        if let Ok(p) = Program::parse(&text) {
            // Whatever parses can be written back and run.
            let again = Program::parse(&p.to_qasm().unwrap()).unwrap();
            prop_assert_eq!(again.operations().len(), p.operations().len());
        }
    }

    #[test]
    fn mutated_programs_never_panic(pos in 0usize..400, ch in any::<char>(), delete in any::<bool>()) {
        let src = include_str!("fixtures/qasm/paper_adder.qasm");
        let mut chars: Vec<char> = src.chars().collect();
        let i = pos % chars.len();
        if delete { chars.remove(i); } else { chars.insert(i, ch); }
        let text: String = chars.into_iter().collect();
        let _ = Program::parse(&text);
    }

    #[test]
    fn nested_parentheses_and_minus_signs_never_overflow(depth in 0usize..5000, minus in any::<bool>()) {
        let open = if minus { "-(" } else { "(" };
        let text = format!("{HEADER}qreg q[1];\nrz({}1{}) q[0];", open.repeat(depth), ")".repeat(depth));
        let result = Program::parse(&text);
        // Each `(` and each unary `-` is one level; the limit is MAX_EXPRESSION_DEPTH = 256 levels.
        if depth < 100 {
            prop_assert!(result.is_ok(), "{:?}", result.err());
        } else if depth > 300 {
            let limited = matches!(result, Err(Error::Qasm { kind: QasmErrorKind::Limit { what: "expression nesting", .. }, .. }));
            prop_assert!(limited, "{:?}", result);
        }
    }
}
