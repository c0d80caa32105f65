//! The types and traits that examples and most programs need: `use qnet::prelude::*;`.

#[doc(no_inline)]
pub use crate::error::{Error, ParamKind, Result};
#[doc(no_inline)]
pub use crate::physics::{self, Boundary, Spectrum};
#[doc(no_inline)]
pub use crate::qasm::{self, Program};
#[doc(no_inline)]
pub use crate::quantum::{Circuit, Gate, Instruction, Observable, Param, Pauli, PauliString, StateVector};
pub use crate::tagger::{
    read_conll_file, ChunkRules, ClassificationReport, ConllFormat, Corpus, EntityReport, EntityScorer, Scheme,
    Sentence, Tag, TagSet, Vocab,
};
#[doc(no_inline)]
pub use num_complex::Complex64;
