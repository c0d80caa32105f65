//! The reproducers of issue 10 (bad input that panicked, aborted or hung), each now a typed error or a
//! bounded result. Run without `--release` too: integer overflow then panics instead of wrapping.

use qnet::grad::{Outputs, QuantumFunction};
use qnet::info::mutual_information_from_counts;
use qnet::layer::MAX_LAYER_GATES;
use qnet::physics::{self, Boundary};
use qnet::prelude::*;
use qnet::qasm;
use qnet::qasm::{Operation, Program, QasmErrorKind, MAX_OPERATIONS, MAX_REGISTER_BITS};
use qnet::quantum::Instruction;
use qnet::quantum::Pauli;
use qnet::quantum::{MAX_DRAW_QUBITS, MAX_QUBITS};
use qnet::tagger::{parse_conll, ClassificationReport, ConllFormat, Scheme, TypeCounts};
use rand::SeedableRng;

// ----- tagger ------------------------------------------------------------------------------------------------

#[test]
fn a_tag_cut_inside_a_multibyte_character_is_a_conll_error() {
    for text in ["tok aé\n", "tok Bé\n", "tok Oé\n", "tok Sé\n", "tok é\n", "tok Bé-X\n"] {
        for format in [ConllFormat::new(), ConllFormat::conll2003(), ConllFormat::new().scheme(Some(Scheme::Iobes))] {
            let result = parse_conll(text, "t", &format);
            assert!(matches!(result, Err(Error::Conll { line: 1, .. })), "{text:?}: {result:?}");
        }
    }
}

#[test]
fn a_column_index_near_usize_max_is_a_conll_error() {
    for format in [
        ConllFormat::new().chunk_column(Some(usize::MAX)),
        ConllFormat::new().pos_column(Some(usize::MAX)),
        ConllFormat::new().pos_column(Some(usize::MAX - 1)).labelled(false),
    ] {
        let result = parse_conll("EU NNP B-NP B-ORG\n", "t", &format);
        assert!(matches!(result, Err(Error::Conll { line: 1, .. })), "{result:?}");
    }
}

/// Found by the `conll` fuzz target: the reader kept a CR inside a token that the writer then refused.
#[test]
fn a_carriage_return_inside_a_line_is_a_conll_error() {
    for text in ["ER\r -X I-P", "a O\nb\rc O\r\n", "a NN\r O\n"] {
        let result = parse_conll(text, "t", &ConllFormat::new());
        assert!(matches!(result, Err(Error::Conll { ref found, .. }) if found.contains("\\r")), "{text:?}: {result:?}");
    }
    let crlf = parse_conll("a O\r\nb B-X\r\n\r\n", "t", &ConllFormat::new()).expect("CRLF line ends are fine");
    assert_eq!(crlf.sentences[0].tokens, ["a", "b"]);
}

#[test]
fn report_digits_beyond_the_maximum_are_refused() {
    let report = ClassificationReport::from_tokens(vec![("B-PER", "O")], None);
    for digits in [ClassificationReport::MAX_DIGITS + 1, 65536, usize::MAX] {
        let result = report.clone().with_digits(digits);
        assert!(matches!(result, Err(Error::InvalidHyperParameter { name: "digits", .. })), "{digits}");
    }
    let widest = report.with_digits(ClassificationReport::MAX_DIGITS).expect("the maximum is allowed");
    assert!(widest.to_string().contains(" 0.00000000000000000 "), "{widest}");
}

#[test]
fn scores_of_huge_counts_do_not_overflow() {
    let c = TypeCounts { gold: usize::MAX, predicted: usize::MAX, correct: usize::MAX };
    assert_eq!(c.f1(), 1.0);
    let c = TypeCounts { gold: usize::MAX, predicted: 1, correct: 1 };
    assert!(c.f1() > 0.0 && c.f1() < 1e-18);
}

// ----- quantum -----------------------------------------------------------------------------------------------

#[test]
fn a_circuit_too_wide_to_draw_is_summarised() -> qnet::Result<()> {
    let mut c = Circuit::new(1 << 32)?;
    c.h((1 << 32) - 1)?.cnot(0, (1 << 32) - 1)?;
    assert_eq!(
        c.to_string(),
        format!("circuit on 4294967296 qubits with 2 instructions (not drawn: more than {MAX_DRAW_QUBITS} qubits)")
    );
    assert_eq!(c.depth(), 2);
    // The widest circuit drawn is drawn in full.
    let mut widest = Circuit::new(MAX_DRAW_QUBITS)?;
    widest.cnot(0, MAX_DRAW_QUBITS - 1)?;
    assert_eq!(widest.to_string().lines().count(), 2 * MAX_DRAW_QUBITS + 1);
    Ok(())
}

#[test]
fn pauli_strings_stay_below_max_qubits() {
    for qubit in [MAX_QUBITS, 65, 1 << 40, usize::MAX] {
        let result = PauliString::new(1.0, &[(0, Pauli::Z), (qubit, Pauli::X)]);
        assert!(matches!(result, Err(Error::InvalidQubit { num_qubits: MAX_QUBITS, .. })), "{qubit}: {result:?}");
    }
    let long = format!("X{}", "I".repeat(MAX_QUBITS));
    assert!(matches!(PauliString::parse(&long), Err(Error::InvalidQubit { qubit, .. }) if qubit == MAX_QUBITS));
    let top = PauliString::new(0.5, &[(MAX_QUBITS - 1, Pauli::Y)]).expect("the highest qubit is allowed");
    assert_eq!(top.min_qubits(), MAX_QUBITS);
    assert_eq!(top.to_string().len(), "0.5*".len() + MAX_QUBITS);
    assert_eq!(PauliString::parse(&"I".repeat(1000)).map(|p| p.min_qubits()).ok(), Some(0));
}

#[test]
fn functions_wider_than_a_state_are_refused_before_any_shift() -> qnet::Result<()> {
    let z0 = Outputs::Observables(vec![PauliString::z(0).unwrap().into()]);
    let result = QuantumFunction::new(Circuit::new(70)?, z0);
    assert!(matches!(result, Err(Error::TooManyQubits { num_qubits: 70, .. })), "{result:?}");
    let result = QuantumFunction::new(Circuit::new(64)?, Outputs::Probabilities);
    assert!(matches!(result, Err(Error::TooManyQubits { num_qubits: 64, .. })), "{result:?}");
    assert_eq!(Outputs::Probabilities.len(64), usize::MAX);
    assert_eq!(Outputs::Probabilities.len(63), 1 << 63);
    Ok(())
}

#[test]
fn a_parameter_index_of_usize_max_is_too_large() -> qnet::Result<()> {
    let mut c = Circuit::new(1)?;
    for param in [Param::weight(usize::MAX), Param::input(usize::MAX)] {
        let result = c.rx(0, param).map(|_| ());
        assert!(matches!(result, Err(Error::TooLarge { elements, .. }) if elements == 1 << 64), "{result:?}");
    }
    assert!(c.is_empty() && c.num_weights() == 0);
    c.rx(0, Param::weight(usize::MAX - 1))?;
    assert_eq!(c.num_weights(), usize::MAX);
    Ok(())
}

#[test]
fn repeated_controls_are_found_in_linear_time() {
    let controls: Vec<usize> = (1..200_000).chain([150_000]).collect();
    let result = Instruction::new(Gate::X, vec![0], controls);
    assert!(matches!(result, Err(Error::DuplicateQubit { qubit: 150_000 })), "{result:?}");
    let result = Instruction::new(Gate::X, vec![7], (0..100).collect());
    assert!(matches!(result, Err(Error::DuplicateQubit { qubit: 7 })), "{result:?}");
}

#[test]
fn shots_that_cannot_be_allocated_are_too_large() -> qnet::Result<()> {
    let state = StateVector::new(1)?;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
    for shots in [usize::MAX, 1 << 60] {
        let result = state.sample(shots, &mut rng);
        assert!(matches!(result, Err(Error::TooLarge { what: "measurement shots", .. })), "{result:?}");
    }
    Ok(())
}

// ----- layer and info ------------------------------------------------------------------------------------------

#[test]
fn network_dimensions_that_cannot_be_allocated_are_too_large() {
    for (input, output) in [(1 << 40, 2), (2, usize::MAX), (usize::MAX / 2, 2)] {
        let result = QuantumNetwork::new(input, 2, output, 1);
        assert!(matches!(result, Err(Error::TooLarge { what: "linear layer weights", .. })), "{result:?}");
    }
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
    let result = Linear::new(usize::MAX / 2, 3, &mut rng);
    assert!(matches!(result, Err(Error::TooLarge { elements, .. }) if elements == (usize::MAX / 2) as u128 * 3));
}

#[test]
fn layers_too_deep_or_too_wide_are_refused_before_building() {
    for layers in [usize::MAX / 4, usize::MAX / 2, usize::MAX, MAX_LAYER_GATES] {
        let result = QuantumNetwork::new(2, 2, 2, layers);
        assert!(matches!(result, Err(Error::InvalidHyperParameter { name: "number of layers", .. })), "{result:?}");
    }
    let result = LayerConfig::new(3, usize::MAX / 2).build();
    assert!(matches!(result, Err(Error::InvalidHyperParameter { name: "number of layers", .. })), "{result:?}");
    let result = LayerConfig::new(1 << 40, 1).build();
    assert!(matches!(result, Err(Error::TooManyQubits { .. })), "{result:?}");
    // One qubit, strongly entangling: 3 gates per block and one encoding.
    let limit = (MAX_LAYER_GATES - 1) / 3;
    let result = LayerConfig::new(1, limit + 1).build();
    assert!(matches!(result, Err(Error::InvalidHyperParameter { .. })), "{result:?}");
    let deep = LayerConfig::new(1, 1000).build().expect("well below the limit");
    assert_eq!(deep.circuit().len(), 3001);
}

#[test]
fn counts_that_sum_past_usize_max_give_a_finite_mutual_information() -> qnet::Result<()> {
    let m = usize::MAX;
    let table = nalgebra::dmatrix![m, 0; 0, m];
    let bits = mutual_information_from_counts(&table, Base::BITS)?;
    assert!((bits - 1.0).abs() < 1e-12, "{bits}");
    let skewed = mutual_information_from_counts(&nalgebra::dmatrix![m, 1; 1, m], Base::BITS)?;
    assert!(skewed.is_finite() && (0.0..=1.0 + 1e-12).contains(&skewed), "{skewed}");
    Ok(())
}

// ----- qasm --------------------------------------------------------------------------------------------------

fn qasm_limit(result: qnet::Result<Program>) -> &'static str {
    match result {
        Err(Error::Qasm { kind: QasmErrorKind::Limit { what, .. }, .. }) => what,
        other => panic!("expected a qasm limit, got {other:?}"),
    }
}

#[test]
fn a_register_size_of_usize_max_after_another_is_a_limit() {
    for src in ["qreg q[1]; qreg r[18446744073709551615];", "creg c[2]; creg d[18446744073709551615];"] {
        let what = qasm_limit(Program::parse(&format!("OPENQASM 2.0; {src}")));
        assert!(what.starts_with("the number of"), "{src}: {what}");
    }
}

#[test]
fn barriers_cost_one_unit_of_work_per_qubit_and_linear_time() {
    let program = |barriers: usize| format!("OPENQASM 2.0; qreg q[65536];{}", " barrier q, q[3];".repeat(barriers));
    let p = Program::parse(&program(15)).expect("15 · 65536 units are within the limit");
    assert!(matches!(&p.operations()[14], Operation::Barrier { qubits } if qubits.len() == 65536));
    assert_eq!(qasm_limit(Program::parse(&program(40))), "the number of operations");
    assert_eq!(MAX_OPERATIONS, 16 * 65536);
}

#[test]
fn wide_gate_definitions_parse_in_linear_time() -> qnet::Result<()> {
    let n = 20_000;
    let list = |prefix: &str, sep: &str| (0..n).map(|i| format!("{prefix}{i}")).collect::<Vec<_>>().join(sep);
    let src = format!(
        "OPENQASM 2.0; include \"qelib1.inc\"; gate g({}) {} {{ barrier {}; rx({}) a0; }} qreg w[{n}]; g({}) {};",
        list("p", ","),
        list("a", ","),
        list("a", ","),
        list("p", "+"),
        vec!["0.0"; n].join(","),
        (0..n).map(|i| format!("w[{i}]")).collect::<Vec<_>>().join(",")
    );
    let p = Program::parse(&src)?;
    assert_eq!(p.operations().len(), 1);
    let repeated = format!("OPENQASM 2.0; gate g {} {{ }} qreg q[2]; g {};", list("a", ","), vec!["q[0]"; n].join(","));
    assert!(matches!(Program::parse(&repeated), Err(Error::Qasm { kind: QasmErrorKind::Arguments { .. }, .. })));
    Ok(())
}

#[test]
fn expression_steps_count_as_work_when_gates_expand() {
    let long = vec!["x"; 2000].join("+");
    let head = "OPENQASM 2.0; include \"qelib1.inc\";";
    let src = format!("{head} gate g(x) a {{ rx({long}) a; }} qreg q[1];{}", " g(0.1) q;".repeat(600));
    assert_eq!(qasm_limit(Program::parse(&src)), "the number of operations");
}

#[test]
fn many_registers_validate_and_export_in_linear_time() -> qnet::Result<()> {
    let n = 20_000;
    let regs: String = (0..n).map(|i| format!("qreg r{i}[1];")).collect();
    let ops: String = (0..n).rev().map(|i| format!("h r{i}[0];")).collect();
    let p = Program::parse(&format!("OPENQASM 2.0; include \"qelib1.inc\"; {regs} {ops}"))?;
    p.validate()?;
    let text = p.to_qasm()?;
    assert!(text.ends_with("h r0[0];\n"), "{}", &text[text.len() - 40..]);
    assert_eq!(Program::parse(&text)?, p);
    let result = qasm::to_qasm(&Circuit::new(MAX_REGISTER_BITS + 1)?);
    assert!(
        matches!(result, Err(Error::Qasm { kind: QasmErrorKind::Limit { limit: MAX_REGISTER_BITS, .. }, .. })),
        "{result:?}"
    );
    Ok(())
}

// ----- physics -----------------------------------------------------------------------------------------------

#[test]
fn chains_and_ansatze_beyond_a_state_are_refused_before_building() {
    for sites in [MAX_QUBITS + 1, 1 << 40, usize::MAX] {
        let result = physics::bonds(sites, Boundary::Periodic);
        assert!(matches!(result, Err(Error::TooManyQubits { .. })), "{result:?}");
        let result = physics::transverse_field_ising(sites, 1.0, 1.0, Boundary::Open);
        assert!(matches!(result, Err(Error::TooManyQubits { .. })), "{result:?}");
        let result = physics::hardware_efficient_ansatz(sites, 1);
        assert!(matches!(result, Err(Error::TooManyQubits { .. })), "{result:?}");
    }
    for layers in [usize::MAX, usize::MAX / 2, physics::MAX_ANSATZ_GATES] {
        let result = physics::hardware_efficient_ansatz(4, layers);
        assert!(matches!(result, Err(Error::InvalidHyperParameter { name: "layers", .. })), "{result:?}");
    }
    let widest = physics::transverse_field_ising(MAX_QUBITS, 1.0, 1.0, Boundary::Periodic).expect("fits a state");
    assert_eq!(widest.min_qubits(), MAX_QUBITS);
}

/// Found by the serde fuzz target: a program whose register is named like a qelib1.inc gate (`s`) exported
/// OpenQASM that declared `creg s[2]` after including qelib1.inc, which no parser accepts.
#[test]
fn exporting_a_register_named_like_a_library_gate_is_an_error() {
    let program = Program::parse("OPENQASM 2.0;\nqreg q[2];\ncreg s[2];\nmeasure q[0] -> s[0];\n").unwrap();
    assert!(matches!(program.to_qasm(), Err(Error::InvalidRegister { name, .. }) if name == "s"));
    let fine = Program::parse("OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[2];\ncreg c[2];\nh q[0];\n").unwrap();
    assert!(Program::parse(&fine.to_qasm().unwrap()).is_ok());
}
