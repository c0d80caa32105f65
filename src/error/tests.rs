use std::path::Path;

use super::*;

#[test]
fn errors_clone_and_compare() {
    let io = std::io::Error::new(std::io::ErrorKind::NotFound, "no such file");
    let errors = [
        Error::io(Path::new("a.txt"), &io),
        Error::Qasm { line: 3, column: 1, kind: QasmErrorKind::Undefined { what: "gate", name: "h".into() } },
        Error::NonFinite { kind: NonFiniteKind::Parameter { kind: ParamKind::Input, index: 2 }, value: f64::INFINITY },
        Error::NoConvergence { dim: 4, iterations: Some(4000) },
        Error::InvalidQubit { qubit: 5, num_qubits: 3 },
    ];
    for (i, a) in errors.iter().enumerate() {
        let copy = a.clone();
        assert_eq!(&copy, a);
        assert_eq!(copy.to_string(), a.to_string());
        for (j, b) in errors.iter().enumerate() {
            assert_eq!(a == b, i == j, "{a} against {b}");
        }
    }
    // Every field takes part in the comparison.
    let other_line =
        Error::Qasm { line: 4, column: 1, kind: QasmErrorKind::Undefined { what: "gate", name: "h".into() } };
    assert_ne!(errors[1], other_line);
    let other_kind =
        Error::io(Path::new("a.txt"), &std::io::Error::new(std::io::ErrorKind::PermissionDenied, "no such file"));
    assert_ne!(errors[0], other_kind);
    assert_eq!(
        errors[0],
        Error::Io { path: "a.txt".into(), kind: std::io::ErrorKind::NotFound, message: "no such file".into() }
    );
    // NaN is not equal to itself, and neither is an error that carries it.
    let nan = Error::NonFinite { kind: NonFiniteKind::Coefficient, value: f64::NAN };
    assert_ne!(nan.clone(), nan);
}

#[test]
fn merged_variants_keep_their_messages() {
    let io = std::io::Error::other("disk full");
    assert_eq!(Error::io(Path::new("out.txt"), &io).to_string(), "i/o error on out.txt: disk full");
    let cases = [
        (
            Error::non_finite_entry(1, 0, num_complex::Complex64::new(0.0, f64::NAN)),
            "matrix entry (1, 0) is not finite (NaN)",
        ),
        (
            Error::NonFinite { kind: NonFiniteKind::Parameter { kind: ParamKind::Weight, index: 3 }, value: f64::NAN },
            "weight 3 is not finite (NaN)",
        ),
        (
            Error::NonFinite { kind: NonFiniteKind::Angle { gate: "rz" }, value: f64::INFINITY },
            "angle of gate rz is not finite (inf)",
        ),
        (
            Error::NonFinite { kind: NonFiniteKind::Entry { what: "energies", index: 1 }, value: f64::NEG_INFINITY },
            "energies[1] is not finite (-inf)",
        ),
        (
            Error::NoConvergence { dim: 4, iterations: None },
            "the eigenvalue iteration did not converge for a 4x4 matrix",
        ),
        (
            Error::NoConvergence { dim: 4, iterations: Some(4000) },
            "the eigenvalue iteration did not converge for a 4x4 matrix in 4000 iterations",
        ),
        (
            QasmErrorKind::Limit { what: "expression nesting", limit: 256 }.at(2, 7),
            "qasm line 2, column 7: expression nesting exceeds the limit of 256",
        ),
    ];
    for (error, message) in cases {
        assert_eq!(error.to_string(), message);
    }
}
