//! Channels: completely positive, trace-preserving maps E(ρ) = Σ_k K_k ρ K_k† on one or two qubits, each
//! described once ([`Channel::spec`]) by its name, its qubits and its Kraus operators; the superoperator the
//! engine applies is derived from them.

use nalgebra::DMatrix;
use num_complex::Complex64 as C;

use crate::error::{Error, Result};
use crate::quantum::op::ZERO;
use crate::quantum::Pauli;

/// How far Σ_k K_k†K_k of a caller's Kraus operators may be from the identity (largest entry of the
/// difference).
pub const KRAUS_TOLERANCE: f64 = 1e-10;

/// A noise channel E(ρ) = Σ_k K_k ρ K_k† on one or two qubits: a completely positive, trace-preserving map,
/// made by a checked constructor (probabilities in \[0, 1\], Kraus sets with Σ K†K = I).
///
/// Conventions (p as in PennyLane, Cirq and Qulacs; Aer's λ where it differs):
///
/// | qnet | E(ρ) | PennyLane | Cirq | Qulacs | Aer |
/// |---|---|---|---|---|---|
/// | [`depolarizing(p)`](Channel::depolarizing) | (1−p)ρ + p/3 (XρX + YρY + ZρZ) | `DepolarizingChannel(p)` | `depolarize(p)` | `DepolarizingNoise(p)` | `depolarizing_error(λ, 1)`, λ = 4p/3 ([`depolarizing_from_aer`](Channel::depolarizing_from_aer)) |
/// | [`depolarizing2(p)`](Channel::depolarizing2) | (1−p)ρ + p/15 Σ_{P≠II} PρP | — | `depolarize(p, 2)` | `TwoQubitDepolarizingNoise(p)` | `depolarizing_error(λ, 2)`, λ = 16p/15 ([`depolarizing2_from_aer`](Channel::depolarizing2_from_aer)) |
/// | [`amplitude_damping(γ)`](Channel::amplitude_damping) | K₀ = diag(1, √(1−γ)), K₁ = √γ\|0⟩⟨1\| | `AmplitudeDamping(γ)` | `amplitude_damp(γ)` | `AmplitudeDampingNoise(γ)` | `amplitude_damping_error(γ)` |
/// | [`generalized_amplitude_damping(γ, p)`](Channel::generalized_amplitude_damping) | √p K₀, √p K₁, √(1−p) diag(√(1−γ), 1), √(1−p)·√γ\|1⟩⟨0\|; fixed point diag(p, 1−p) | `GeneralizedAmplitudeDamping(γ, p)` | `generalized_amplitude_damp(p, γ)` | — | `amplitude_damping_error(γ, 1−p)` (excited population 1−p) |
/// | [`phase_damping(γ)`](Channel::phase_damping) | K₀ = diag(1, √(1−γ)), K₁ = diag(0, √γ) | `PhaseDamping(γ)` | `phase_damp(γ)` | — | `phase_damping_error(γ)` |
/// | [`bit_flip(p)`](Channel::bit_flip) | (1−p)ρ + p XρX | `BitFlip(p)` | `bit_flip(p)` | `BitFlipNoise(p)` | `pauli_error([("X", p), ("I", 1−p)])` |
/// | [`phase_flip(p)`](Channel::phase_flip) | (1−p)ρ + p ZρZ | `PhaseFlip(p)` | `phase_flip(p)` | `DephasingNoise(p)` | `pauli_error([("Z", p), ("I", 1−p)])` |
/// | [`pauli(px, py, pz)`](Channel::pauli) | (1−Σp)ρ + px XρX + py YρY + pz ZρZ | `PauliError` | `asymmetric_depolarize(px, py, pz)` | `IndependentXZNoise` (px = pz only) | `pauli_error` |
/// | [`kraus(K)`](Channel::kraus) | Σ_k K_k ρ K_k† | `QubitChannel(K)` | `KrausChannel(K)` | `CPTP(K)` | `kraus_error(K)` |
///
/// Matrices are in the crate's bit order: the first qubit of a two-qubit channel is the least significant bit
/// of the index.
///
/// # Example
///
/// ```
/// use approx::assert_relative_eq;
/// use qnet::quantum::mixed::{Channel, DensityState};
/// use qnet::prelude::*;
///
/// # fn main() -> qnet::Result<()> {
/// // Amplitude damping of |1⟩: ⟨Z⟩ = 2γ − 1.
/// let mut rho = DensityState::new(1)?;
/// let mut x = Circuit::new(1)?;
/// x.x(0)?;
/// rho.run(&x, &[], &[])?;
/// rho.apply_channel(&Channel::amplitude_damping(0.3)?, &[0])?;
/// assert_relative_eq!(rho.expectation(&Observable::sum_z(1)?)?, 2.0 * 0.3 - 1.0, epsilon = 1e-14);
/// // Aer's λ is 4p/3 for one qubit.
/// assert_relative_eq!(Channel::depolarizing_from_aer(0.4)?.parameters()[0].1, 0.3, epsilon = 1e-15);
/// assert!(Channel::bit_flip(1.5).is_err());
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "ChannelData", rename = "ChannelData")
)]
pub struct Channel {
    kind: Kind,
}

/// A channel as read with serde, checked by its constructor before it becomes a [`Channel`].
#[cfg(feature = "serde")]
#[derive(serde::Deserialize)]
struct ChannelData {
    kind: Kind,
}

#[cfg(feature = "serde")]
impl TryFrom<ChannelData> for Channel {
    type Error = Error;
    fn try_from(d: ChannelData) -> Result<Channel> {
        match d.kind {
            Kind::Kraus(operators) => Channel::kraus(operators),
            kind => {
                let raw = Channel { kind };
                raw.with_parameters(&raw.parameters().into_iter().map(|(_, v)| v).collect::<Vec<_>>())
            }
        }
    }
}

/// The channels, with their checked parameters.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
enum Kind {
    Depolarizing(f64),
    Depolarizing2(f64),
    AmplitudeDamping(f64),
    GeneralizedAmplitudeDamping { gamma: f64, p: f64 },
    PhaseDamping(f64),
    BitFlip(f64),
    PhaseFlip(f64),
    Pauli([f64; 3]),
    Kraus(#[cfg_attr(feature = "serde", serde(with = "kraus_serde"))] Vec<DMatrix<C>>),
}

/// Kraus operators through the crate's shape-checked matrix mirror.
#[cfg(feature = "serde")]
mod kraus_serde {
    use nalgebra::DMatrix;
    use num_complex::Complex64 as C;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use crate::serde_matrix::MatrixData;

    pub(super) fn serialize<S: Serializer>(ops: &[DMatrix<C>], s: S) -> Result<S::Ok, S::Error> {
        ops.iter().map(|m| MatrixData::from(m.clone())).collect::<Vec<_>>().serialize(s)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<DMatrix<C>>, D::Error> {
        let data = Vec::<MatrixData<C>>::deserialize(d)?;
        data.into_iter().map(|m| m.into_matrix().map_err(serde::de::Error::custom)).collect()
    }
}

/// What the crate knows about one channel.
pub(crate) struct ChannelSpec {
    /// The lowercase name.
    pub(crate) name: &'static str,
    /// 1 or 2.
    pub(crate) qubits: usize,
    /// The Kraus operators, 2^qubits square each.
    pub(crate) kraus: Vec<DMatrix<C>>,
    /// The parameters, in the constructor's order.
    pub(crate) params: Vec<Parameter>,
    /// The checked constructor from the parameters' values, in order (none for a Kraus set, which has no
    /// parameters).
    pub(crate) rebuild: Option<Rebuild>,
}

/// A channel's checked constructor from its parameters' values.
pub(crate) type Rebuild = fn(&[f64]) -> Result<Channel>;

/// One parameter of a channel: its name, value and the derivative ∂S/∂value of the superoperator.
pub(crate) struct Parameter {
    pub(crate) name: &'static str,
    pub(crate) value: f64,
    /// ∂S/∂value, given every parameter's value in order.
    pub(crate) derivative: fn(&[f64]) -> DMatrix<C>,
}

/// Σ_k w_k P_k ⊗ P_k* over the Pauli strings of one (4 weights) or two qubits (16 weights, string k being
/// P_{k>>2} on the second qubit and P_{k&3} on the first): the superoperator of a Pauli mixture, linear in the
/// weights (so its derivatives are the same sum with the weights' derivatives).
fn pauli_superoperator(weights: &[f64]) -> DMatrix<C> {
    let d = if weights.len() == 4 { 2 } else { 4 };
    let mut s = DMatrix::from_element(d * d, d * d, ZERO);
    for (k, &w) in weights.iter().enumerate().filter(|(_, w)| **w != 0.0) {
        let p = if d == 2 {
            pauli_matrix(PAULIS[k])
        } else {
            pauli_matrix(PAULIS[k >> 2]).kronecker(&pauli_matrix(PAULIS[k & 3]))
        };
        s += superoperator(&[p]) * C::new(w, 0.0);
    }
    s
}

/// A real 4x4 matrix from its rows.
fn m4(rows: [[f64; 4]; 4]) -> DMatrix<C> {
    DMatrix::from_fn(4, 4, |r, c| C::new(rows[r][c], 0.0))
}

/// The superoperator of amplitude damping of strength γ towards |0⟩ (`up` false) or towards |1⟩ (`up` true).
fn damping(gamma: f64, up: bool) -> DMatrix<C> {
    let a = (1.0 - gamma).sqrt();
    if up {
        m4([[1.0 - gamma, 0.0, 0.0, 0.0], [0.0, a, 0.0, 0.0], [0.0, 0.0, a, 0.0], [gamma, 0.0, 0.0, 1.0]])
    } else {
        m4([[1.0, 0.0, 0.0, gamma], [0.0, a, 0.0, 0.0], [0.0, 0.0, a, 0.0], [0.0, 0.0, 0.0, 1.0 - gamma]])
    }
}

/// ∂/∂γ of [`damping`] (−∞ on the coherences at γ = 1, as the derivative of √(1−γ) is).
fn damping_derivative(gamma: f64, up: bool) -> DMatrix<C> {
    let da = -0.5 / (1.0 - gamma).sqrt();
    if up {
        m4([[-1.0, 0.0, 0.0, 0.0], [0.0, da, 0.0, 0.0], [0.0, 0.0, da, 0.0], [1.0, 0.0, 0.0, 0.0]])
    } else {
        m4([[0.0, 0.0, 0.0, 1.0], [0.0, da, 0.0, 0.0], [0.0, 0.0, da, 0.0], [0.0, 0.0, 0.0, -1.0]])
    }
}

/// [`Error::InvalidChannelParameter`] unless `value` is a probability in \[0, 1\].
fn probability(channel: &'static str, parameter: &'static str, value: f64) -> Result<f64> {
    if (0.0..=1.0).contains(&value) {
        Ok(value)
    } else {
        Err(Error::InvalidChannelParameter { channel, parameter, value })
    }
}

/// The Pauli matrix on one qubit, I included (`None`).
fn pauli_matrix(p: Option<Pauli>) -> DMatrix<C> {
    match p {
        None => DMatrix::identity(2, 2),
        Some(p) => {
            let m = p.matrix();
            DMatrix::from_fn(2, 2, |r, c| m[r][c])
        }
    }
}

/// Kraus operators √w_k P_k of a mixture of Pauli strings (weights that are zero left out).
fn pauli_mixture(terms: impl IntoIterator<Item = (f64, DMatrix<C>)>) -> Vec<DMatrix<C>> {
    terms.into_iter().filter(|(w, _)| *w > 0.0).map(|(w, m)| m * C::new(w.sqrt(), 0.0)).collect()
}

/// A 2x2 matrix from its rows.
fn m2(rows: [[f64; 2]; 2]) -> DMatrix<C> {
    DMatrix::from_fn(2, 2, |r, c| C::new(rows[r][c], 0.0))
}

const PAULIS: [Option<Pauli>; 4] = [None, Some(Pauli::X), Some(Pauli::Y), Some(Pauli::Z)];

impl Channel {
    /// The depolarizing channel E(ρ) = (1−p)ρ + (p/3)(XρX + YρY + ZρZ) on one qubit, p ∈ \[0, 1\] (PennyLane's,
    /// Cirq's and Qulacs' p); it shrinks the Bloch vector by 1 − 4p/3.
    ///
    /// # Errors
    /// [`Error::InvalidChannelParameter`] unless 0 ≤ p ≤ 1 (NaN included).
    pub fn depolarizing(p: f64) -> Result<Channel> {
        Ok(Channel { kind: Kind::Depolarizing(probability("depolarizing", "p", p)?) })
    }

    /// The one-qubit depolarizing channel from Aer's λ, E(ρ) = (1−λ)ρ + λ I/2: p = 3λ/4, λ ∈ \[0, 4/3\].
    ///
    /// # Errors
    /// [`Error::InvalidChannelParameter`] (naming λ) unless 0 ≤ λ ≤ 4/3.
    pub fn depolarizing_from_aer(lambda: f64) -> Result<Channel> {
        probability("depolarizing", "aer lambda * 3/4", 0.75 * lambda)
            .map_err(|_| Error::InvalidChannelParameter {
                channel: "depolarizing",
                parameter: "aer lambda",
                value: lambda,
            })
            .and_then(Channel::depolarizing)
    }

    /// The two-qubit depolarizing channel E(ρ) = (1−p)ρ + (p/15) Σ_{P ≠ I⊗I} PρP, p ∈ \[0, 1\] (Cirq's
    /// `depolarize(p, 2)`).
    ///
    /// # Errors
    /// [`Error::InvalidChannelParameter`] unless 0 ≤ p ≤ 1.
    pub fn depolarizing2(p: f64) -> Result<Channel> {
        Ok(Channel { kind: Kind::Depolarizing2(probability("depolarizing2", "p", p)?) })
    }

    /// The two-qubit depolarizing channel from Aer's λ, E(ρ) = (1−λ)ρ + λ I/4: p = 15λ/16, λ ∈ \[0, 16/15\].
    ///
    /// # Errors
    /// [`Error::InvalidChannelParameter`] (naming λ) unless 0 ≤ λ ≤ 16/15.
    pub fn depolarizing2_from_aer(lambda: f64) -> Result<Channel> {
        probability("depolarizing2", "aer lambda * 15/16", 15.0 / 16.0 * lambda)
            .map_err(|_| Error::InvalidChannelParameter {
                channel: "depolarizing2",
                parameter: "aer lambda",
                value: lambda,
            })
            .and_then(Channel::depolarizing2)
    }

    /// Amplitude damping with K₀ = diag(1, √(1−γ)), K₁ = √γ |0⟩⟨1|: |1⟩ decays to |0⟩ with probability γ.
    ///
    /// # Errors
    /// [`Error::InvalidChannelParameter`] unless 0 ≤ γ ≤ 1.
    pub fn amplitude_damping(gamma: f64) -> Result<Channel> {
        Ok(Channel { kind: Kind::AmplitudeDamping(probability("amplitude_damping", "gamma", gamma)?) })
    }

    /// Generalized amplitude damping: with probability p amplitude damping towards |0⟩, with 1−p towards |1⟩,
    /// both of strength γ; its fixed point is diag(p, 1−p) (PennyLane's `GeneralizedAmplitudeDamping(γ, p)`).
    ///
    /// # Errors
    /// [`Error::InvalidChannelParameter`] unless γ and p are in \[0, 1\].
    pub fn generalized_amplitude_damping(gamma: f64, p: f64) -> Result<Channel> {
        let gamma = probability("generalized_amplitude_damping", "gamma", gamma)?;
        let p = probability("generalized_amplitude_damping", "p", p)?;
        Ok(Channel { kind: Kind::GeneralizedAmplitudeDamping { gamma, p } })
    }

    /// Thermal relaxation of a qubit with levels |0⟩ at energy 0 and |1⟩ at `gap` ≥ 0, towards a bath at
    /// `temperature` T ≥ 0 (k_B = 1): generalized amplitude damping of strength γ with p = 1/(1 + e^{−gap/T}),
    /// whose fixed point is the Gibbs state e^{−H/T}/Z of H = gap·|1⟩⟨1| (T = 0: plain amplitude damping).
    ///
    /// # Errors
    /// [`Error::InvalidChannelParameter`] unless 0 ≤ γ ≤ 1; [`Error::InvalidHyperParameter`] unless `gap` and
    /// `temperature` are finite and non-negative.
    pub fn thermal(gamma: f64, gap: f64, temperature: f64) -> Result<Channel> {
        for (name, value) in [("gap", gap), ("temperature", temperature)] {
            if !(value.is_finite() && value >= 0.0) {
                let reason = "must be finite and non-negative";
                return Err(Error::InvalidHyperParameter { name, value: value.to_string(), reason });
            }
        }
        // p₁/p₀ = e^{−gap/T}; at T = 0 (or a zero gap at T = 0) the bath is in |0⟩.
        let p = if temperature == 0.0 { 1.0 } else { 1.0 / (1.0 + (-gap / temperature).exp()) };
        Channel::generalized_amplitude_damping(gamma, p)
    }

    /// Phase damping with K₀ = diag(1, √(1−γ)), K₁ = diag(0, √γ): coherences shrink by √(1−γ), populations
    /// stay (equal to [`phase_flip`](Channel::phase_flip) with 1 − 2p = √(1−γ)).
    ///
    /// # Errors
    /// [`Error::InvalidChannelParameter`] unless 0 ≤ γ ≤ 1.
    pub fn phase_damping(gamma: f64) -> Result<Channel> {
        Ok(Channel { kind: Kind::PhaseDamping(probability("phase_damping", "gamma", gamma)?) })
    }

    /// The bit flip E(ρ) = (1−p)ρ + p XρX.
    ///
    /// # Errors
    /// [`Error::InvalidChannelParameter`] unless 0 ≤ p ≤ 1.
    pub fn bit_flip(p: f64) -> Result<Channel> {
        Ok(Channel { kind: Kind::BitFlip(probability("bit_flip", "p", p)?) })
    }

    /// The phase flip E(ρ) = (1−p)ρ + p ZρZ.
    ///
    /// # Errors
    /// [`Error::InvalidChannelParameter`] unless 0 ≤ p ≤ 1.
    pub fn phase_flip(p: f64) -> Result<Channel> {
        Ok(Channel { kind: Kind::PhaseFlip(probability("phase_flip", "p", p)?) })
    }

    /// The Pauli channel E(ρ) = (1 − px − py − pz)ρ + px XρX + py YρY + pz ZρZ.
    ///
    /// # Errors
    /// [`Error::InvalidChannelParameter`] unless each probability and their sum are in \[0, 1\].
    pub fn pauli(px: f64, py: f64, pz: f64) -> Result<Channel> {
        for (name, p) in [("px", px), ("py", py), ("pz", pz), ("px + py + pz", px + py + pz)] {
            probability("pauli", name, p)?;
        }
        Ok(Channel { kind: Kind::Pauli([px, py, pz]) })
    }

    /// A caller's channel E(ρ) = Σ_k K_k ρ K_k†: one or more 2x2 (one qubit) or 4x4 (two qubits) matrices,
    /// all of one size, with Σ_k K_k†K_k = I within [`KRAUS_TOLERANCE`] (largest entry of the difference).
    ///
    /// # Errors
    /// [`Error::EmptyDistribution`] for no operator, [`Error::KrausShape`] for a matrix that is not 2x2 or 4x4
    /// or not the size of the first, [`Error::NonFinite`] for a NaN or infinite entry,
    /// [`Error::NotTracePreserving`] when Σ K†K is not I.
    pub fn kraus(operators: Vec<DMatrix<C>>) -> Result<Channel> {
        let Some(first) = operators.first() else { return Err(Error::EmptyDistribution { what: "kraus operators" }) };
        let expected = first.nrows();
        for (index, k) in operators.iter().enumerate() {
            let (rows, cols) = k.shape();
            if rows != cols || rows != expected || !(rows == 2 || rows == 4) {
                return Err(Error::KrausShape { index, rows, cols, expected: if index == 0 { 2 } else { expected } });
            }
            for (i, z) in k.iter().enumerate() {
                if !(z.re.is_finite() && z.im.is_finite()) {
                    return Err(Error::non_finite_entry(i % rows, i / rows, *z));
                }
            }
        }
        let sum = operators.iter().fold(DMatrix::zeros(expected, expected), |s, k| s + k.adjoint() * k);
        let deviation = (sum - DMatrix::identity(expected, expected)).iter().map(|z| z.norm()).fold(0.0, f64::max);
        if deviation > KRAUS_TOLERANCE {
            return Err(Error::NotTracePreserving { deviation, tolerance: KRAUS_TOLERANCE });
        }
        Ok(Channel { kind: Kind::Kraus(operators) })
    }

    /// The channel's description: the one `match` that takes a channel apart.
    pub(crate) fn spec(&self) -> ChannelSpec {
        let spec =
            |name, qubits, kraus, params, rebuild| ChannelSpec { name, qubits, kraus, params, rebuild: Some(rebuild) };
        let param = |name, value, derivative| Parameter { name, value, derivative };
        let paulis = |w: [f64; 4]| pauli_mixture(w.into_iter().zip(PAULIS.map(pauli_matrix)));
        const THIRD: f64 = 1.0 / 3.0;
        match self.kind {
            Kind::Depolarizing(p) => {
                let d = |_: &[f64]| pauli_superoperator(&[-1.0, THIRD, THIRD, THIRD]);
                let kraus = paulis([1.0 - p, p / 3.0, p / 3.0, p / 3.0]);
                spec("depolarizing", 1, kraus, vec![param("p", p, d)], |v| Channel::depolarizing(v[0]))
            }
            Kind::Depolarizing2(p) => {
                let two = (0..16).map(|k| {
                    let w = if k == 0 { 1.0 - p } else { p / 15.0 };
                    (w, pauli_matrix(PAULIS[k >> 2]).kronecker(&pauli_matrix(PAULIS[k & 3])))
                });
                let d = |_: &[f64]| {
                    pauli_superoperator(&std::array::from_fn::<f64, 16, _>(|k| if k == 0 { -1.0 } else { 1.0 / 15.0 }))
                };
                spec("depolarizing2", 2, pauli_mixture(two), vec![param("p", p, d)], |v| Channel::depolarizing2(v[0]))
            }
            Kind::AmplitudeDamping(g) => spec(
                "amplitude_damping",
                1,
                vec![m2([[1.0, 0.0], [0.0, (1.0 - g).sqrt()]]), m2([[0.0, g.sqrt()], [0.0, 0.0]])],
                vec![param("gamma", g, |v| damping_derivative(v[0], false))],
                |v| Channel::amplitude_damping(v[0]),
            ),
            Kind::GeneralizedAmplitudeDamping { gamma: g, p } => {
                let (a, b) = (p.sqrt(), (1.0 - p).sqrt());
                let kraus = vec![
                    m2([[a, 0.0], [0.0, a * (1.0 - g).sqrt()]]),
                    m2([[0.0, a * g.sqrt()], [0.0, 0.0]]),
                    m2([[b * (1.0 - g).sqrt(), 0.0], [0.0, b]]),
                    m2([[0.0, 0.0], [b * g.sqrt(), 0.0]]),
                ];
                // S = p·(damping towards |0⟩) + (1 − p)·(damping towards |1⟩).
                let params = vec![
                    param("gamma", g, |v| {
                        damping_derivative(v[0], false) * C::new(v[1], 0.0)
                            + damping_derivative(v[0], true) * C::new(1.0 - v[1], 0.0)
                    }),
                    param("p", p, |v| damping(v[0], false) - damping(v[0], true)),
                ];
                spec("generalized_amplitude_damping", 1, kraus, params, |v| {
                    Channel::generalized_amplitude_damping(v[0], v[1])
                })
            }
            Kind::PhaseDamping(g) => spec(
                "phase_damping",
                1,
                vec![m2([[1.0, 0.0], [0.0, (1.0 - g).sqrt()]]), m2([[0.0, 0.0], [0.0, g.sqrt()]])],
                vec![param("gamma", g, |v| {
                    let da = -0.5 / (1.0 - v[0]).sqrt();
                    m4([[0.0; 4], [0.0, da, 0.0, 0.0], [0.0, 0.0, da, 0.0], [0.0; 4]])
                })],
                |v| Channel::phase_damping(v[0]),
            ),
            Kind::BitFlip(p) => {
                let d = |_: &[f64]| pauli_superoperator(&[-1.0, 1.0, 0.0, 0.0]);
                spec("bit_flip", 1, paulis([1.0 - p, p, 0.0, 0.0]), vec![param("p", p, d)], |v| Channel::bit_flip(v[0]))
            }
            Kind::PhaseFlip(p) => {
                let d = |_: &[f64]| pauli_superoperator(&[-1.0, 0.0, 0.0, 1.0]);
                spec("phase_flip", 1, paulis([1.0 - p, 0.0, 0.0, p]), vec![param("p", p, d)], |v| {
                    Channel::phase_flip(v[0])
                })
            }
            Kind::Pauli([x, y, z]) => {
                let params = vec![
                    param("px", x, |_| pauli_superoperator(&[-1.0, 1.0, 0.0, 0.0])),
                    param("py", y, |_| pauli_superoperator(&[-1.0, 0.0, 1.0, 0.0])),
                    param("pz", z, |_| pauli_superoperator(&[-1.0, 0.0, 0.0, 1.0])),
                ];
                let kraus = paulis([(1.0 - x - y - z).max(0.0), x, y, z]);
                spec("pauli", 1, kraus, params, |v| Channel::pauli(v[0], v[1], v[2]))
            }
            Kind::Kraus(ref k) => ChannelSpec {
                name: "kraus",
                qubits: k[0].nrows().trailing_zeros() as usize,
                kraus: k.clone(),
                params: Vec::new(),
                rebuild: None,
            },
        }
    }

    /// The channel's lowercase name (`"depolarizing"`, `"amplitude_damping"`, `"kraus"`, ...).
    #[must_use]
    pub fn name(&self) -> &'static str {
        self.spec().name
    }

    /// The number of qubits the channel acts on: 1 or 2.
    #[must_use]
    pub fn num_qubits(&self) -> usize {
        self.spec().qubits
    }

    /// The channel's parameters as (name, value), in the constructor's order (`[("gamma", γ), ("p", p)]` for
    /// generalized amplitude damping; none for a Kraus set): the order of
    /// [`NoisyGradient::noise`](super::NoisyGradient::noise).
    #[must_use]
    pub fn parameters(&self) -> Vec<(&'static str, f64)> {
        self.spec().params.iter().map(|p| (p.name, p.value)).collect()
    }

    /// The same channel with other values of its parameters ([`parameters`](Self::parameters)' order), checked
    /// as its constructor checks them.
    ///
    /// # Errors
    /// [`Error::DimensionMismatch`] unless there is one value per parameter; the constructor's errors
    /// ([`Error::InvalidChannelParameter`] for a value outside its range).
    ///
    /// # Example
    ///
    /// ```
    /// use qnet::quantum::mixed::Channel;
    /// # fn main() -> qnet::Result<()> {
    /// let gad = Channel::generalized_amplitude_damping(0.1, 0.9)?;
    /// assert_eq!(gad.with_parameters(&[0.3, 0.5])?, Channel::generalized_amplitude_damping(0.3, 0.5)?);
    /// assert!(gad.with_parameters(&[1.3, 0.5]).is_err());
    /// # Ok(())
    /// # }
    /// ```
    pub fn with_parameters(&self, values: &[f64]) -> Result<Channel> {
        let spec = self.spec();
        if values.len() != spec.params.len() {
            return Err(Error::DimensionMismatch {
                what: "channel parameters",
                expected: spec.params.len(),
                found: values.len(),
            });
        }
        match spec.rebuild {
            Some(rebuild) => rebuild(values),
            None => Ok(self.clone()),
        }
    }

    /// ∂S/∂θ of the superoperator for each parameter θ, in [`parameters`](Self::parameters)' order.
    pub(crate) fn derivatives(&self) -> Vec<DMatrix<C>> {
        let spec = self.spec();
        let values: Vec<f64> = spec.params.iter().map(|p| p.value).collect();
        spec.params.iter().map(|p| (p.derivative)(&values)).collect()
    }

    /// The Kraus operators K_k, E(ρ) = Σ_k K_k ρ K_k† (for mixtures of Pauli strings, √w·P for each string of
    /// weight w > 0).
    #[must_use]
    pub fn kraus_operators(&self) -> Vec<DMatrix<C>> {
        self.spec().kraus
    }

    /// The superoperator S = Σ_k K_k ⊗ K_k* of the channel on a density matrix held as a vector whose index is
    /// r + d·c for ρ\[r\]\[c\] (d = 2^k for k qubits): the ket qubits are the low bits, the bra qubits the high
    /// ones.
    ///
    /// # Example
    ///
    /// ```
    /// use qnet::quantum::mixed::Channel;
    /// # fn main() -> qnet::Result<()> {
    /// // Phase flip: coherences (indices 1 and 2) shrink by 1 − 2p.
    /// let s = Channel::phase_flip(0.1)?.superoperator();
    /// assert!((s[(1, 1)].re - 0.8).abs() < 1e-15 && (s[(3, 3)].re - 1.0).abs() < 1e-15);
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn superoperator(&self) -> DMatrix<C> {
        superoperator(&self.spec().kraus)
    }
}

/// Σ_k K_k ⊗ K_k* in the index r + d·c.
pub(crate) fn superoperator(kraus: &[DMatrix<C>]) -> DMatrix<C> {
    let d = kraus[0].nrows();
    let mut s = DMatrix::from_element(d * d, d * d, ZERO);
    for k in kraus {
        for (row, col) in entries(d) {
            // row = r + d·c, col = a + d·b: K[r][a]·conj(K[c][b]).
            let (r, c, a, b) = (row % d, row / d, col % d, col / d);
            s[(row, col)] += k[(r, a)] * k[(c, b)].conj();
        }
    }
    s
}

/// Every (row, col) of a d² × d² matrix.
fn entries(d: usize) -> impl Iterator<Item = (usize, usize)> {
    (0..d * d).flat_map(move |row| (0..d * d).map(move |col| (row, col)))
}

/// The product a·b of two 4x4 matrices.
pub(crate) fn mul4(a: &[[C; 4]; 4], b: &[[C; 4]; 4]) -> [[C; 4]; 4] {
    std::array::from_fn(|r| std::array::from_fn(|c| (0..4).map(|k| a[r][k] * b[k][c]).sum()))
}
