//! The types and traits that examples and most programs need: `use qnet::prelude::*;`.

#[doc(no_inline)]
pub use crate::error::{Error, ParamKind, Result};
#[doc(no_inline)]
pub use crate::grad::{DiffMethod, Outputs, QuantumFunction};
#[doc(no_inline)]
pub use crate::info::{
    boltzmann_distribution, conditional_entropy, contingency_table, entanglement_entropy, entanglement_renyi_entropy,
    entropy, entropy_from_counts, free_energy, joint_entropy, js_distance, js_divergence, kl_divergence, log_sum_exp,
    marginals, measurement_entropy, mutual_information, mutual_information_from_counts, mutual_information_from_labels,
    normalize, normalize_table, normalized_mutual_information, quantum_mutual_information, reduced_density_matrix,
    renyi_entropy, schmidt_coefficients, softmax_entropy, AverageMethod, Base, Boltzmann, DensityMatrix, GibbsState,
};
#[doc(no_inline)]
pub use crate::layer::{
    softmax_cross_entropy, Adam, Ansatz, LayerConfig, Linear, QuantumLayer, QuantumNetwork, Readout, Rotation, Sgd,
    Topology,
};
#[doc(no_inline)]
pub use crate::physics::{self, Boundary, Spectrum};
#[doc(no_inline)]
pub use crate::qasm::{self, Program};
#[doc(no_inline)]
pub use crate::quantum::{Circuit, Gate, Instruction, Observable, Param, Pauli, PauliString, StateVector};
#[doc(no_inline)]
pub use crate::tagger::{
    read_conll_file, ChunkRules, ClassificationReport, ConllFormat, Corpus, DensePath, EntityReport, EntityScorer,
    EntitySpan, Evaluation, Scheme, Sentence, Tag, TagSet, Tagger, TaggerConfig, Vocab,
};
#[doc(no_inline)]
pub use num_complex::Complex64;
