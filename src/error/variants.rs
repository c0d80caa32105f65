//! The [`Error`] enum: every variant, grouped by the layer that returns it.

use std::path::PathBuf;

use super::{NonFiniteKind, ParamKind, QasmErrorKind};

/// Everything that can go wrong in qnet.
///
/// The enum is `#[non_exhaustive]`: match it with a wildcard arm, since later versions add variants. Errors are
/// plain values: they clone, and they compare field by field (so an error that carries a NaN, as
/// [`Error::NonFinite`] may, is not equal to itself, as NaN is not).
///
/// # Example
/// ```
/// use qnet::prelude::*;
///
/// # fn main() -> qnet::Result<()> {
/// let mut circuit = Circuit::new(2)?;
/// let err = circuit.cnot(0, 5).unwrap_err();
/// assert_eq!(err, Error::InvalidQubit { qubit: 5, num_qubits: 2 });
/// assert_eq!(err.to_string(), "qubit 5 is out of range for a 2-qubit register");
/// let kept = err.clone();
/// assert_eq!(kept, err);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    // ----- quantum: registers, gates, circuits, states, observables --------------------------------------------------
    /// A register, circuit or state with no qubits.
    #[error("a register needs at least one qubit")]
    ZeroQubits,

    /// A state of this many qubits cannot be allocated on this machine.
    #[error("{num_qubits} qubits need {bytes} bytes of amplitudes, more than can be allocated")]
    TooManyQubits {
        /// The number of qubits asked for.
        num_qubits: usize,
        /// The bytes the amplitudes would take (saturating at `u128::MAX`).
        bytes: u128,
    },

    /// A buffer whose length comes from the caller or a file and that cannot be allocated: its number of
    /// elements overflows `usize`, or the allocator refuses it (tried with `try_reserve`, never assumed).
    #[error("{what} needs {elements} elements, more than can be allocated")]
    TooLarge {
        /// What was to be allocated (for example `"linear layer weights"`).
        what: &'static str,
        /// The number of elements asked for.
        elements: u128,
    },

    /// A qubit index at or beyond the register's size.
    #[error("qubit {qubit} is out of range for a {num_qubits}-qubit register")]
    InvalidQubit {
        /// The offending index.
        qubit: usize,
        /// The register's number of qubits.
        num_qubits: usize,
    },

    /// The same qubit named twice in one instruction (as two targets, or as a target and a control).
    #[error("qubit {qubit} is named more than once in one instruction")]
    DuplicateQubit {
        /// The repeated index.
        qubit: usize,
    },

    /// A gate placed on the wrong number of target qubits.
    #[error("gate {gate} acts on {expected} qubit(s) but was given {found}")]
    GateArity {
        /// The gate's name.
        gate: &'static str,
        /// How many target qubits the gate acts on.
        expected: usize,
        /// How many were given.
        found: usize,
    },

    /// A matrix given as a gate whose size is not 2x2 or 4x4.
    #[error("a unitary gate must be 2x2 or 4x4, found {rows}x{cols}")]
    UnsupportedMatrixSize {
        /// Rows of the matrix.
        rows: usize,
        /// Columns of the matrix.
        cols: usize,
    },

    /// A matrix given as a gate that is not unitary: ‖U†U − I‖ exceeds the tolerance.
    #[error("matrix is not unitary: max |U†U - I| entry is {deviation:e}, tolerance {tolerance:e}")]
    NotUnitary {
        /// The largest absolute entry of U†U − I.
        deviation: f64,
        /// The tolerance it was held to.
        tolerance: f64,
    },

    /// A number that is NaN or infinite where a finite one is needed: a matrix entry, a weight or input, a gate
    /// angle, an observable's coefficient, an energy or logit. `kind` says which number and where it stands.
    /// (A non-finite value of an OpenQASM expression is [`Error::Qasm`] with [`QasmErrorKind::NonFinite`], which
    /// names the line and column.)
    #[error("{kind} is not finite ({value})")]
    NonFinite {
        /// Which number: what it is and where it stands (index, entry, gate).
        kind: NonFiniteKind,
        /// The number itself (for a complex matrix entry, its non-finite part).
        value: f64,
    },

    /// A gate angle asked for as a number while it is still a symbolic weight or input.
    #[error("{kind} parameter {index} is unbound: bind the circuit or pass {kind} values")]
    UnboundParameter {
        /// Weight or input.
        kind: ParamKind,
        /// The parameter's index.
        index: usize,
    },

    /// A parameter index beyond the values supplied for it.
    #[error("{kind} parameter {index} is out of range: {len} {kind} value(s) were given")]
    ParameterOutOfRange {
        /// Weight or input.
        kind: ParamKind,
        /// The parameter's index.
        index: usize,
        /// The number of values supplied.
        len: usize,
    },

    /// A weight or input vector whose length differs from what the circuit uses.
    #[error("expected {expected} {kind} value(s), found {found}")]
    ParameterCount {
        /// Weight or input.
        kind: ParamKind,
        /// What the circuit or layer uses.
        expected: usize,
        /// What was given.
        found: usize,
    },

    /// A basis index at or beyond 2^n.
    #[error("basis state {index} is out of range for {num_qubits} qubits (dimension {dim})")]
    InvalidBasisState {
        /// The offending index.
        index: usize,
        /// The register's number of qubits.
        num_qubits: usize,
        /// 2^num_qubits.
        dim: usize,
    },

    /// An amplitude vector whose length is not a power of two (of at least 2).
    #[error("amplitude vector of length {len} is not 2^n for n >= 1")]
    InvalidStateLength {
        /// The length given.
        len: usize,
    },

    /// An amplitude vector whose norm is not 1 within the tolerance, or that holds NaN or infinity.
    #[error("state is not normalized: norm {norm}, tolerance {tolerance:e}")]
    NotNormalized {
        /// The vector's 2-norm.
        norm: f64,
        /// The tolerance it was held to.
        tolerance: f64,
    },

    /// Two states, or a state and an observable, on different numbers of qubits.
    #[error("qubit counts do not match: {left} and {right}")]
    QubitCountMismatch {
        /// The first operand's number of qubits.
        left: usize,
        /// The second operand's number of qubits.
        right: usize,
    },

    /// A Pauli string label with a character other than I, X, Y or Z.
    #[error("invalid pauli label {label:?}: character {found:?} at position {position} is not I, X, Y or Z")]
    InvalidPauliLabel {
        /// The whole label.
        label: String,
        /// The offending character.
        found: char,
        /// Its position in the label (0 is the leftmost character).
        position: usize,
    },

    /// A dense matrix asked for a register too large to hold it.
    #[error("a dense matrix on {num_qubits} qubits is too large (at most {max} qubits)")]
    MatrixTooLarge {
        /// The register's number of qubits.
        num_qubits: usize,
        /// The largest number of qubits allowed.
        max: usize,
    },

    /// An outcome of probability zero asked for as the result of a measurement.
    #[error("measuring qubit {qubit} as {outcome} has probability zero")]
    ImpossibleOutcome {
        /// The measured qubit.
        qubit: usize,
        /// The outcome asked for.
        outcome: u8,
    },

    // ----- quantum: states distributed over MPI ranks (feature `mpi`) ------------------------------------------------
    /// A distributed state over a number of ranks that is not a power of two (each rank holds the amplitudes of
    /// one pattern of the global qubits).
    #[error("a distributed state needs a power-of-two number of ranks, found {ranks}")]
    RankCount {
        /// The number of ranks of the communicator.
        ranks: usize,
    },

    /// A distributed state whose ranks would hold fewer local qubits than its operations need.
    #[error(
        "{num_qubits} qubits on {ranks} ranks leave {local} local qubits per rank, fewer than the {needed} needed"
    )]
    TooFewLocalQubits {
        /// The register's number of qubits.
        num_qubits: usize,
        /// The number of ranks.
        ranks: usize,
        /// The qubits each rank holds locally (`num_qubits − log2(ranks)`, or 0 when there are more ranks than
        /// basis states).
        local: usize,
        /// The fewest local qubits that work.
        needed: usize,
    },

    /// Ranks that were given different inputs for one collective operation (a circuit, its weights or inputs,
    /// an observable, the draws of a sampler), found by comparing hashes; every rank returns this error.
    #[error("the ranks disagree on the {what}: rank {rank} differs from rank 0")]
    RankDisagreement {
        /// What differs.
        what: &'static str,
        /// The first rank whose value differs from rank 0's.
        rank: usize,
    },

    /// A rank that cannot hold its part of a distributed state (or rank 0 a gathered state); every rank returns
    /// this error, so that none waits for the one that failed.
    #[error("rank {rank} cannot allocate the {bytes} bytes of its {num_qubits}-qubit block")]
    RankOutOfMemory {
        /// The first rank that failed.
        rank: usize,
        /// The qubits of the block it was to hold.
        num_qubits: usize,
        /// The bytes of that block.
        bytes: u128,
    },

    // ----- quantum::mixed: channels, noise models, density states -----------------------------------------------------
    /// A channel parameter that is not a probability in [0, 1] (NaN included), or Aer's λ outside its range
    /// ([0, 4/3] for one qubit, [0, 16/15] for two).
    #[error("{channel} channel: {parameter} = {value} is out of range")]
    InvalidChannelParameter {
        /// The channel's name.
        channel: &'static str,
        /// The parameter's name (for example `"p"`, `"gamma"` or `"px + py + pz"`).
        parameter: &'static str,
        /// The value given (for Aer's λ, the λ itself, whose range is [0, 4/3] or [0, 16/15]).
        value: f64,
    },

    /// A Kraus operator that is not square, not 2x2 or 4x4, or not the size of the first.
    #[error("kraus operator {index} is {rows}x{cols}, expected {expected}x{expected}")]
    KrausShape {
        /// The operator's position in the set.
        index: usize,
        /// Its rows.
        rows: usize,
        /// Its columns.
        cols: usize,
        /// The side needed: the first operator's, or 2 (or 4) for the first.
        expected: usize,
    },

    /// Kraus operators whose Σ K†K is not the identity: the map would not preserve the trace.
    #[error("kraus operators are not trace preserving: max |sum K^dagger K - I| entry is {deviation:e}, tolerance {tolerance:e}")]
    NotTracePreserving {
        /// The largest absolute entry of Σ K†K − I.
        deviation: f64,
        /// The tolerance it was held to.
        tolerance: f64,
    },

    /// A circuit with channels given to an operation that needs a unitary circuit: a pure-state run, a
    /// compiled plan, an inverse, a gradient on a state vector or a QASM export (OpenQASM 2 has no channels).
    #[error("the circuit has a {channel} channel: {operation} needs a circuit without channels")]
    NoisyCircuit {
        /// The first channel's name.
        channel: &'static str,
        /// What was asked (for example `"a state-vector run"` or `"qasm export"`).
        operation: &'static str,
    },

    /// A readout confusion matrix whose rows are not probability distributions.
    #[error("readout error row {row} = [{p0}, {p1}] is not a probability distribution")]
    InvalidReadout {
        /// The true outcome (0 or 1) the row belongs to.
        row: usize,
        /// P(read 0 | row).
        p0: f64,
        /// P(read 1 | row).
        p1: f64,
    },

    // ----- differentiation and layer ---------------------------------------------------------------------------------
    /// A vector or matrix whose length or shape differs from what the operation needs.
    #[error("{what}: expected length {expected}, found {found}")]
    DimensionMismatch {
        /// What was being checked (for example `"upstream gradient"`).
        what: &'static str,
        /// The length needed.
        expected: usize,
        /// The length given.
        found: usize,
    },

    /// A configuration value outside its allowed range.
    #[error("invalid {name}: {value} ({reason})")]
    InvalidHyperParameter {
        /// The setting's name.
        name: &'static str,
        /// Its value, formatted.
        value: String,
        /// What it must satisfy.
        reason: &'static str,
    },

    // ----- info: probability distributions, density matrices, entropies ----------------------------------------------
    /// A logarithm base that is not a finite number greater than 1.
    #[error("logarithm base {base} is invalid: it must be a finite number greater than 1")]
    InvalidBase {
        /// The base given.
        base: f64,
    },

    /// A distribution, count vector, table or label sequence with no entries.
    #[error("{what} is empty")]
    EmptyDistribution {
        /// What was empty (for example `"p"` or `"labels_true"`).
        what: &'static str,
    },

    /// A probability or weight that is negative, NaN or infinite.
    #[error("{what}[{index}] = {value} is not a valid probability (negative, NaN or infinite)")]
    InvalidProbability {
        /// Which argument (for example `"p"` or `"q"`).
        what: &'static str,
        /// The entry's index.
        index: usize,
        /// The entry.
        value: f64,
    },

    /// An entry of a joint probability table that is negative, NaN or infinite.
    #[error("joint table entry ({row}, {col}) = {value} is not a valid probability (negative, NaN or infinite)")]
    InvalidTableEntry {
        /// Row of the entry (the value of X).
        row: usize,
        /// Column of the entry (the value of Y).
        col: usize,
        /// The entry.
        value: f64,
    },

    /// A probability vector or joint table whose entries do not sum to 1 within the tolerance.
    #[error("{what} sums to {sum}, not 1 (tolerance {tolerance:e}); normalize weights or counts first")]
    DistributionNotNormalized {
        /// Which argument.
        what: &'static str,
        /// The sum of its entries.
        sum: f64,
        /// The tolerance it was held to.
        tolerance: f64,
    },

    /// Counts or weights whose total is zero, which cannot be normalized.
    #[error("{what} has total zero and cannot be normalized")]
    ZeroTotal {
        /// Which argument.
        what: &'static str,
    },

    /// A matrix offered as a density matrix that is not square with a side of 2^n, n ≥ 1.
    #[error("a density matrix must be 2^n x 2^n with n >= 1, found {rows}x{cols}")]
    InvalidDensityMatrixShape {
        /// Rows of the matrix.
        rows: usize,
        /// Columns of the matrix.
        cols: usize,
    },

    /// A matrix offered as a density matrix that is not Hermitian: max |ρ − ρ†| exceeds the tolerance.
    #[error("matrix is not hermitian: max |rho - rho^dagger| entry is {deviation:e}, tolerance {tolerance:e}")]
    NotHermitian {
        /// The largest absolute entry of ρ − ρ†.
        deviation: f64,
        /// The tolerance it was held to.
        tolerance: f64,
    },

    /// A matrix offered as a density matrix whose trace is not 1 within the tolerance.
    #[error("density matrix has trace {trace}, not 1 (tolerance {tolerance:e})")]
    TraceNotOne {
        /// The real part of the trace.
        trace: f64,
        /// The tolerance it was held to.
        tolerance: f64,
    },

    /// A matrix offered as a density matrix with an eigenvalue below −tolerance.
    #[error(
        "density matrix is not positive semidefinite: smallest eigenvalue {min_eigenvalue:e}, tolerance {tolerance:e}"
    )]
    NotPositiveSemidefinite {
        /// The smallest eigenvalue.
        min_eigenvalue: f64,
        /// The tolerance it was held to.
        tolerance: f64,
    },

    /// Two subsystems that were required to be disjoint share a qubit.
    #[error("qubit {qubit} belongs to both subsystems")]
    OverlappingSubsystems {
        /// The shared qubit.
        qubit: usize,
    },

    /// An eigenvalue iteration that did not converge (not expected for finite Hermitian input).
    #[error(
        "the eigenvalue iteration did not converge for a {dim}x{dim} matrix{}",
        .iterations.map_or(String::new(), |n| format!(" in {n} iterations"))
    )]
    NoConvergence {
        /// The matrix's side.
        dim: usize,
        /// The iteration budget, when the solver has one for the whole matrix (`None` for an unlimited budget
        /// or one counted per eigenvalue).
        iterations: Option<usize>,
    },

    // ----- tagger: CoNLL files, tag sets, models ---------------------------------------------------------------------
    /// An I/O failure on a named file. The `std::io::Error` itself is not kept, so that errors clone and
    /// compare: its kind and its message are.
    #[error("i/o error on {path}: {message}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The kind of the underlying `std::io::Error`.
        kind: std::io::ErrorKind,
        /// The underlying error's message.
        message: String,
    },

    /// A malformed line in a CoNLL file: a wrong column count, a tag that is not `O` or `PREFIX-TYPE`, an empty
    /// entity type, or a tag outside the declared scheme.
    #[error("{path}:{line}: expected {expected}, found {found}")]
    Conll {
        /// The file (or the name given to text parsed from memory).
        path: PathBuf,
        /// The 1-based line number.
        line: usize,
        /// What the line should have held.
        expected: String,
        /// What it held.
        found: String,
    },

    /// A file whose bytes are not valid UTF-8.
    #[error("{path}:{line}: the line is not valid utf-8")]
    NotUtf8 {
        /// The file.
        path: PathBuf,
        /// The 1-based number of the first line holding invalid bytes.
        line: usize,
    },

    /// A tag path that the tagging scheme forbids (an `I-X` after `O`, say), given where a path must be valid.
    #[error("the tag path is forbidden by the tagging scheme at position {position}")]
    ForbiddenPath {
        /// The index of the first forbidden tag (the path's length when it may not end where it does).
        position: usize,
    },

    /// A corpus that holds nothing to train on or to score.
    #[error("{what} is empty")]
    EmptyCorpus {
        /// Which corpus, and what it lacks.
        what: &'static str,
    },

    /// A tagger model file that is truncated, altered or inconsistent.
    #[error("{path}: corrupt tagger model: {reason}")]
    CorruptModel {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },

    /// A value read with serde whose parts contradict each other, in a way no constructor can produce (scores
    /// with more correct entities than predicted ones, totals that are not the sum of their parts, ...).
    #[error("corrupt {what}: {reason}")]
    CorruptData {
        /// What was read (for example `"classification report"`).
        what: &'static str,
        /// What is wrong with it, with the offending values.
        reason: String,
    },

    /// A tagger model file written in another format version.
    #[error("{path}: tagger model format version {found} is not supported (this build reads version {supported})")]
    ModelVersion {
        /// The file.
        path: PathBuf,
        /// The version the file declares.
        found: u32,
        /// The version this build reads.
        supported: u32,
    },

    /// A tag that is not `O` or `PREFIX-TYPE` with prefix `B`, `I`, `E` or `S` and a non-empty type.
    #[error("invalid tag {tag:?}: expected O or B-, I-, E-, S- followed by a non-empty type")]
    InvalidTag {
        /// The offending text.
        tag: String,
    },

    /// A tag absent from a tag set.
    #[error("tag {tag:?} is not in the tag set of {len} tags")]
    UnknownTag {
        /// The tag.
        tag: String,
        /// The number of tags in the set.
        len: usize,
    },

    /// A tag id at or beyond the size of its tag set.
    #[error("tag id {id} is out of range for a tag set of {len} tags")]
    TagIdOutOfRange {
        /// The id.
        id: usize,
        /// The number of tags in the set.
        len: usize,
    },

    /// A field that cannot be written as a CoNLL column (empty, or holding a space, tab or line break).
    #[error("cannot write {field:?} as a conll column: {reason}")]
    InvalidField {
        /// The field's text.
        field: String,
        /// Why it cannot be written.
        reason: &'static str,
    },
    // ----- interop: OpenQASM -----------------------------------------------------------------------------------------
    /// OpenQASM text that cannot be read: `kind` says what is wrong (a syntax error, an undefined or redefined
    /// name, a wrong arity, an index out of range, a limit reached, ...).
    #[error("qasm line {line}, column {column}: {kind}")]
    Qasm {
        /// The line of the offending text (1-based; 0 for a program built from a circuit, not from text).
        line: usize,
        /// Its column, in characters (1-based; 0 as for `line`).
        column: usize,
        /// What is wrong there.
        kind: QasmErrorKind,
    },

    /// A register of a program read from a serialized form that does not fit the program's layout (registers
    /// numbered in declaration order from 0, at least one bit each, distinct names matching
    /// `[a-z][A-Za-z0-9_]*`), or a condition on a classical register that does not exist.
    #[error("invalid register `{name}`: {reason}")]
    InvalidRegister {
        /// The register's name (or index, for a missing one).
        name: String,
        /// What is wrong.
        reason: &'static str,
    },

    /// A classical bit index at or beyond the program's number of classical bits.
    #[error("classical bit {clbit} is out of range for {num_clbits} classical bit(s)")]
    InvalidClbit {
        /// The offending index.
        clbit: usize,
        /// The program's number of classical bits.
        num_clbits: usize,
    },

    /// A classically controlled operation that OpenQASM 2.0 cannot express: a barrier or another condition.
    #[error("operation {index}: only a gate, a measurement or a reset can be classically controlled")]
    InvalidConditional {
        /// The operation's position in the program.
        index: usize,
    },

    /// A program asked for as a unitary circuit while it holds an operation that is not a gate before the end:
    /// a reset, a classically controlled operation, or a gate on a qubit already measured.
    #[error("operation {index} ({operation}) makes the program non-unitary: run it with `sample` instead")]
    NotUnitaryProgram {
        /// The operation's position in the program.
        index: usize,
        /// The operation, as OpenQASM text.
        operation: String,
    },

    /// A gate with more controls than the OpenQASM exporter decomposes (the exact decomposition without
    /// ancillas grows as 3^k).
    #[error("gate {gate} with {controls} controls cannot be exported: at most {max} controls are decomposed")]
    TooManyControls {
        /// The gate's name.
        gate: &'static str,
        /// Its number of controls (own and extra).
        controls: usize,
        /// The largest number decomposed.
        max: usize,
    },
}
