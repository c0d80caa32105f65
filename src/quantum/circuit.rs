//! Circuits: a register size and a list of placed gates whose angles may be weights or inputs.

use std::collections::{BTreeMap, HashMap};

use nalgebra::DMatrix;
use num_complex::Complex64 as C;

use super::gate::Gate;
use super::mixed::ChannelInstruction;
use super::param::Param;
use crate::error::{Error, NonFiniteKind, ParamKind, Result};

/// A gate placed on qubits: `targets` are the gate's own qubits (for a controlled gate such as `CNOT`, its
/// controls first), `controls` are extra qubits that must all be |1⟩ for the gate to act.
///
/// # Example
///
/// ```
/// use qnet::prelude::*;
/// use qnet::quantum::Instruction;
///
/// # fn main() -> qnet::Result<()> {
/// // RY(w0) on qubit 2, controlled by qubits 0 and 1.
/// let inst = Instruction::new(Gate::RY(Param::weight(0)), vec![2], vec![0, 1])?;
/// assert_eq!(inst.qubits().collect::<Vec<_>>(), vec![2, 0, 1]);
/// assert!(Instruction::new(Gate::CNOT, vec![1, 1], vec![]).is_err());
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "super::serde_repr::InstructionData", rename = "InstructionData")
)]
pub struct Instruction {
    gate: Gate,
    targets: Vec<usize>,
    controls: Vec<usize>,
}

impl Instruction {
    /// A gate on `targets` with extra `controls`, checked for the gate's arity and for repeated qubits.
    ///
    /// # Errors
    /// [`Error::GateArity`] when `targets` does not match the gate, [`Error::DuplicateQubit`] when a qubit
    /// appears twice among targets and controls, [`Error::NonFinite`] for a NaN or infinite constant
    /// angle or scale.
    pub fn new(gate: Gate, targets: Vec<usize>, controls: Vec<usize>) -> Result<Self> {
        if targets.len() != gate.num_qubits() {
            return Err(Error::GateArity { gate: gate.name(), expected: gate.num_qubits(), found: targets.len() });
        }
        let all: Vec<usize> = targets.iter().chain(&controls).copied().collect();
        if let Some(i) = crate::bounded::first_repeat(&all) {
            return Err(Error::DuplicateQubit { qubit: all[i] });
        }
        for p in gate.params().iter() {
            p.check_finite(gate.name())?;
        }
        Ok(Instruction { gate, targets, controls })
    }

    /// The gate.
    #[must_use]
    pub fn gate(&self) -> &Gate {
        &self.gate
    }

    /// The gate's own qubits, in its order (controls of a controlled gate first).
    #[must_use]
    pub fn targets(&self) -> &[usize] {
        &self.targets
    }

    /// The extra control qubits.
    #[must_use]
    pub fn controls(&self) -> &[usize] {
        &self.controls
    }

    /// Every qubit the instruction touches: targets, then extra controls.
    pub fn qubits(&self) -> impl Iterator<Item = usize> + '_ {
        self.targets.iter().chain(&self.controls).copied()
    }

    /// Checks that every qubit is below `num_qubits`.
    ///
    /// # Errors
    /// [`Error::InvalidQubit`] for the first qubit out of range.
    pub fn check_qubits(&self, num_qubits: usize) -> Result<()> {
        self.qubits().find(|&q| q >= num_qubits).map_or(Ok(()), |qubit| Err(Error::InvalidQubit { qubit, num_qubits }))
    }

    /// The inverse instruction: the same placement with the inverse gate.
    #[must_use]
    pub fn inverse(&self) -> Instruction {
        Instruction { gate: self.gate.inverse(), targets: self.targets.clone(), controls: self.controls.clone() }
    }

    /// The same placement with another gate of the same arity (used to shift or rebind angles), checked as
    /// [`Instruction::new`] checks.
    ///
    /// # Errors
    /// [`Error::GateArity`] when `gate` acts on a different number of qubits, [`Error::NonFinite`] for a NaN or
    /// infinite constant angle or scale.
    pub fn with_gate(&self, gate: Gate) -> Result<Instruction> {
        Instruction::new(gate, self.targets.clone(), self.controls.clone())
    }

    /// The bit mask of every qubit that must be |1⟩: the gate's own controls and the extra ones.
    pub(crate) fn control_mask(&self) -> usize {
        let own = &self.targets[..self.gate.num_controls()];
        own.iter().chain(&self.controls).fold(0, |m, &q| m | (1usize << q))
    }

    /// The qubits the lowered op acts on.
    pub(crate) fn op_targets(&self) -> &[usize] {
        &self.targets[self.gate.num_controls()..]
    }

    /// The gate's angles bound to values (indices already checked).
    pub(crate) fn angles(&self, weights: &[f64], inputs: &[f64]) -> [f64; 3] {
        let params = self.gate.params();
        std::array::from_fn(|slot| params.get(slot).map_or(0.0, |p| p.value_unchecked(weights, inputs)))
    }
}

impl std::fmt::Display for Instruction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.gate)?;
        for (i, q) in self.targets.iter().enumerate() {
            write!(f, "{}q[{q}]", if i == 0 { " " } else { ", " })?;
        }
        for (i, q) in self.controls.iter().enumerate() {
            write!(f, "{}q[{q}]", if i == 0 { " if " } else { " " })?;
        }
        Ok(())
    }
}

/// A quantum circuit: `num_qubits` qubits and a list of [`Instruction`]s whose angles are constants, trainable
/// weights or data inputs, so that one circuit serves every sample.
///
/// Builder methods check each placement and return `Result<&mut Circuit>` for chaining with `?`.
///
/// # Example
///
/// ```
/// use qnet::prelude::*;
///
/// # fn main() -> qnet::Result<()> {
/// let mut c = Circuit::new(2)?;
/// c.h(0)?.cnot(0, 1)?.ry(1, Param::weight(0))?.rx(0, Param::input(0))?;
/// assert_eq!((c.len(), c.depth(), c.num_weights(), c.num_inputs()), (4, 3, 1, 1));
/// assert!(c.cnot(0, 2).is_err()); // qubit 2 does not exist
///
/// // A circuit followed by its inverse is the identity.
/// let mut round_trip = c.clone();
/// round_trip.append(&c.inverse()?)?;
/// let mut state = StateVector::new(2)?;
/// state.run(&round_trip, &[0.3], &[1.2])?;
/// assert!((state.probabilities()[0] - 1.0).abs() < 1e-12);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "super::serde_repr::CircuitData", rename = "CircuitData")
)]
pub struct Circuit {
    num_qubits: usize,
    instructions: Vec<Instruction>,
    /// Channels, by position (the order they were added among equal positions).
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Vec::is_empty"))]
    channels: Vec<ChannelInstruction>,
    #[cfg_attr(feature = "serde", serde(skip_serializing))]
    num_weights: usize,
    #[cfg_attr(feature = "serde", serde(skip_serializing))]
    num_inputs: usize,
    /// The largest |scale| of a weight, and of an input, that an angle reads (0 when none): a finite value
    /// v gives finite angles when |v| times it is finite.
    #[cfg_attr(feature = "serde", serde(skip_serializing))]
    max_scale: [f64; 2],
}

/// The slot of `kind` in [`Circuit`]'s per-kind arrays.
fn kind_slot(kind: ParamKind) -> usize {
    match kind {
        ParamKind::Weight => 0,
        ParamKind::Input => 1,
    }
}

/// Builder methods that append one gate: `name => Gate::X, [qubits]`, and for a gate with angles their names
/// after the qubits (`rx => Gate::RX, [q], (angle)`); `errors` is the text of their `# Errors` section.
macro_rules! gate_methods {
    (errors: $errors:literal;
     $($(#[$doc:meta])* $name:ident => $gate:path, [$($q:ident),+] $(, ($($angle:ident),+))?;)*) => {$(
        $(#[$doc])*
        ///
        /// # Errors
        #[doc = $errors]
        pub fn $name(&mut self, $($q: usize,)+ $($($angle: impl Into<Param>),+)?) -> Result<&mut Self> {
            self.add($gate $(($($angle.into()),+))?, &[$($q),+])
        }
    )*};
}

impl Circuit {
    /// An empty circuit on `num_qubits` qubits. A circuit may have more qubits than a state can hold (see the
    /// [module's limits](super#limits)); it then runs on none.
    ///
    /// # Errors
    /// [`Error::ZeroQubits`] when `num_qubits` is 0.
    pub fn new(num_qubits: usize) -> Result<Self> {
        if num_qubits == 0 {
            return Err(Error::ZeroQubits);
        }
        Ok(Circuit {
            num_qubits,
            instructions: Vec::new(),
            channels: Vec::new(),
            num_weights: 0,
            num_inputs: 0,
            max_scale: [0.0; 2],
        })
    }

    /// The number of qubits.
    #[must_use]
    pub fn num_qubits(&self) -> usize {
        self.num_qubits
    }

    /// The gates, in the order they apply.
    #[must_use]
    pub fn instructions(&self) -> &[Instruction] {
        &self.instructions
    }

    /// The channels, in the order they apply; each acts after the first
    /// [`position`](ChannelInstruction::position) gates.
    #[must_use]
    pub fn channels(&self) -> &[ChannelInstruction] {
        &self.channels
    }

    /// Whether the circuit has channels (and so runs only on a density state or in trajectories).
    #[must_use]
    pub fn has_channels(&self) -> bool {
        !self.channels.is_empty()
    }

    /// [`Error::NoisyCircuit`] when the circuit has a channel: `operation` needs a unitary circuit.
    pub(crate) fn check_unitary(&self, operation: &'static str) -> Result<()> {
        match self.channels.first() {
            Some(c) => Err(Error::NoisyCircuit { channel: c.channel().name(), operation }),
            None => Ok(()),
        }
    }

    /// The number of gates (channels not counted).
    #[must_use]
    pub fn len(&self) -> usize {
        self.instructions.len()
    }

    /// Whether the circuit has neither gates nor channels.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.instructions.is_empty() && self.channels.is_empty()
    }

    /// One more than the largest weight index used (0 when no weight is used): the weight vector's length.
    #[must_use]
    pub fn num_weights(&self) -> usize {
        self.num_weights
    }

    /// One more than the largest input index used (0 when no input is used): the input vector's length.
    #[must_use]
    pub fn num_inputs(&self) -> usize {
        self.num_inputs
    }

    /// Appends a checked instruction.
    ///
    /// # Errors
    /// [`Error::InvalidQubit`] when a qubit is beyond the register; [`Error::TooLarge`] for a weight or input
    /// index of `usize::MAX`, whose vector could not be allocated.
    pub fn push(&mut self, instruction: Instruction) -> Result<&mut Self> {
        instruction.check_qubits(self.num_qubits)?;
        self.count_params(instruction.gate.params().iter())?;
        self.instructions.push(instruction);
        Ok(self)
    }

    /// Appends a checked channel after the gates so far (and after the channels already there).
    ///
    /// # Errors
    /// [`Error::InvalidQubit`] when a qubit is beyond the register; [`Error::TooLarge`] for a weight or input
    /// index of `usize::MAX`.
    pub fn push_channel(&mut self, channel: ChannelInstruction) -> Result<&mut Self> {
        if let Some(&qubit) = channel.qubits().iter().find(|&&q| q >= self.num_qubits) {
            return Err(Error::InvalidQubit { qubit, num_qubits: self.num_qubits });
        }
        self.count_params(channel.params().iter())?;
        self.channels.push(channel.at(self.instructions.len()));
        Ok(self)
    }

    /// Takes the weights and inputs that `params` read into the counts and the largest scales, or leaves them
    /// as they were on an error.
    fn count_params<'a>(&mut self, params: impl Iterator<Item = &'a Param>) -> Result<()> {
        let (mut num_weights, mut num_inputs) = (self.num_weights, self.num_inputs);
        let mut max_scale = self.max_scale;
        for (kind, index, scale) in params.filter_map(Param::source) {
            let (count, what) = match kind {
                ParamKind::Weight => (&mut num_weights, "weight vector"),
                ParamKind::Input => (&mut num_inputs, "input vector"),
            };
            let len = index.checked_add(1).ok_or(Error::TooLarge { what, elements: index as u128 + 1 })?;
            *count = (*count).max(len);
            max_scale[kind_slot(kind)] = max_scale[kind_slot(kind)].max(scale.abs());
        }
        (self.num_weights, self.num_inputs, self.max_scale) = (num_weights, num_inputs, max_scale);
        Ok(())
    }

    /// Appends `gate` on `qubits` (the gate's own qubits, controls first).
    ///
    /// # Errors
    /// [`Error::GateArity`], [`Error::InvalidQubit`] or [`Error::DuplicateQubit`] for a bad placement.
    pub fn add(&mut self, gate: Gate, qubits: &[usize]) -> Result<&mut Self> {
        self.push(Instruction::new(gate, qubits.to_vec(), Vec::new())?)
    }

    /// Appends `gate` on `qubits`, acting only when every qubit in `controls` is |1⟩.
    ///
    /// # Errors
    /// [`Error::GateArity`], [`Error::InvalidQubit`] or [`Error::DuplicateQubit`] for a bad placement.
    pub fn add_controlled(&mut self, gate: Gate, qubits: &[usize], controls: &[usize]) -> Result<&mut Self> {
        self.push(Instruction::new(gate, qubits.to_vec(), controls.to_vec())?)
    }

    /// Appends a caller's 2x2 or 4x4 unitary on `qubits` (the first qubit the matrix's least significant bit).
    ///
    /// # Errors
    /// The errors of [`Gate::unitary`] and of [`Circuit::add`].
    pub fn unitary(&mut self, matrix: DMatrix<C>, qubits: &[usize]) -> Result<&mut Self> {
        self.add(Gate::unitary(matrix)?, qubits)
    }

    gate_methods! {
        errors: " [`Error::InvalidQubit`] or [`Error::DuplicateQubit`] for a bad placement.";
        /// Appends the identity on `q`.
        i => Gate::I, [q];
        /// Appends Pauli X on `q`.
        x => Gate::X, [q];
        /// Appends Pauli Y on `q`.
        y => Gate::Y, [q];
        /// Appends Pauli Z on `q`.
        z => Gate::Z, [q];
        /// Appends a Hadamard on `q`.
        h => Gate::H, [q];
        /// Appends S = diag(1, i) on `q`.
        s => Gate::S, [q];
        /// Appends S† on `q`.
        sdg => Gate::Sdg, [q];
        /// Appends T = diag(1, e^{iπ/4}) on `q`.
        t => Gate::T, [q];
        /// Appends T† on `q`.
        tdg => Gate::Tdg, [q];
        /// Appends √X on `q`.
        sx => Gate::SX, [q];
        /// Appends √X† on `q`.
        sxdg => Gate::SXdg, [q];
        /// Appends CNOT from `control` to `target`.
        cnot => Gate::CNOT, [control, target];
        /// Appends controlled Y.
        cy => Gate::CY, [control, target];
        /// Appends controlled Z.
        cz => Gate::CZ, [control, target];
        /// Appends SWAP.
        swap => Gate::SWAP, [a, b];
        /// Appends iSWAP.
        iswap => Gate::ISwap, [a, b];
        /// Appends a Toffoli (CCX).
        toffoli => Gate::Toffoli, [c0, c1, target];
        /// Appends a Fredkin (CSWAP).
        fredkin => Gate::Fredkin, [control, a, b];
        /// Appends RX(θ) = exp(−iθX/2) on `q`.
        rx => Gate::RX, [q], (angle);
        /// Appends RY(θ) = exp(−iθY/2) on `q`.
        ry => Gate::RY, [q], (angle);
        /// Appends RZ(θ) = exp(−iθZ/2) on `q`.
        rz => Gate::RZ, [q], (angle);
        /// Appends Phase(λ) = diag(1, e^{iλ}) on `q`.
        phase => Gate::Phase, [q], (angle);
        /// Appends controlled RX(θ).
        crx => Gate::CRX, [control, target], (angle);
        /// Appends controlled RY(θ).
        cry => Gate::CRY, [control, target], (angle);
        /// Appends controlled RZ(θ).
        crz => Gate::CRZ, [control, target], (angle);
        /// Appends controlled Phase(λ) = diag(1, 1, 1, e^{iλ}).
        cphase => Gate::CPhase, [control, target], (angle);
        /// Appends RXX(θ) = exp(−iθ X⊗X/2).
        rxx => Gate::RXX, [a, b], (angle);
        /// Appends RYY(θ) = exp(−iθ Y⊗Y/2).
        ryy => Gate::RYY, [a, b], (angle);
        /// Appends RZZ(θ) = exp(−iθ Z⊗Z/2).
        rzz => Gate::RZZ, [a, b], (angle);
    }

    gate_methods! {
        errors: " [`Error::InvalidQubit`] when `q` is beyond the register.";
        /// Appends U(θ, φ, λ) on `q`.
        u3 => Gate::U3, [q], (theta, phi, lambda);
        /// Appends Rot(φ, θ, ω) = RZ(ω)·RY(θ)·RZ(φ) on `q` (PennyLane's `Rot`, angles in its order).
        rot => Gate::Rot, [q], (phi, theta, omega);
    }

    /// Appends every gate and channel of `other`, which may have fewer qubits (they map to the same indices).
    ///
    /// # Errors
    /// [`Error::QubitCountMismatch`] when `other` has more qubits than `self`.
    pub fn append(&mut self, other: &Circuit) -> Result<&mut Self> {
        if other.num_qubits > self.num_qubits {
            return Err(Error::QubitCountMismatch { left: self.num_qubits, right: other.num_qubits });
        }
        let mut channels = other.channels.iter().peekable();
        for (k, inst) in other.instructions.iter().enumerate() {
            while let Some(c) = channels.next_if(|c| c.position() == k) {
                self.push_channel(c.clone())?;
            }
            self.push(inst.clone())?;
        }
        for c in channels {
            self.push_channel(c.clone())?;
        }
        Ok(self)
    }

    /// The inverse circuit: the instructions reversed, each gate inverted (angles negated, S ↔ S†, ...).
    ///
    /// # Errors
    /// [`Error::NoisyCircuit`] when the circuit has a channel (a channel has no inverse).
    pub fn inverse(&self) -> Result<Circuit> {
        self.check_unitary("an inverse")?;
        let instructions: Vec<Instruction> = self.instructions.iter().rev().map(Instruction::inverse).collect();
        let mut max_scale = [0.0f64; 2];
        for inst in &instructions {
            for (kind, _, scale) in inst.gate.params().iter().filter_map(Param::source) {
                max_scale[kind_slot(kind)] = max_scale[kind_slot(kind)].max(scale.abs());
            }
        }
        Ok(Circuit { instructions, channels: Vec::new(), max_scale, ..*self })
    }

    /// The number of layers of gates when every gate waits for all the qubits it touches (controls included);
    /// channels are not counted.
    #[must_use]
    pub fn depth(&self) -> usize {
        // Levels of the qubits in use only: the register may be far larger than the circuit.
        let mut level: HashMap<usize, usize> = HashMap::new();
        let mut depth = 0;
        for inst in &self.instructions {
            let next = inst.qubits().map(|q| level.get(&q).copied().unwrap_or(0)).max().unwrap_or(0) + 1;
            level.extend(inst.qubits().map(|q| (q, next)));
            depth = depth.max(next);
        }
        depth
    }

    /// How many times each gate appears, by [`Gate::name`].
    #[must_use]
    pub fn gate_counts(&self) -> BTreeMap<&'static str, usize> {
        let mut counts = BTreeMap::new();
        for inst in &self.instructions {
            *counts.entry(inst.gate.name()).or_insert(0) += 1;
        }
        counts
    }

    /// The same circuit with every weight and input replaced by its value (in gates and channels).
    ///
    /// # Errors
    /// The errors of [`Circuit::check_parameters`]; [`Error::NonFinite`] when a scaled value overflows to ±∞;
    /// [`Error::InvalidChannelParameter`] when a channel's strength is out of range.
    pub fn bind(&self, weights: &[f64], inputs: &[f64]) -> Result<Circuit> {
        self.check_parameters(weights, inputs)?;
        let mut bound = Circuit::new(self.num_qubits)?;
        for inst in &self.instructions {
            bound.push(inst.with_gate(inst.gate.bind(weights, inputs)?)?)?;
        }
        for c in &self.channels {
            bound.channels.push(c.bound(weights, inputs)?);
        }
        Ok(bound)
    }

    /// Checks that `weights` and `inputs` cover every index the circuit uses and hold finite values there.
    /// Longer vectors are accepted; the values past the circuit's indices are not read.
    ///
    /// # Errors
    /// [`Error::ParameterCount`] when a vector is too short, [`Error::NonFinite`] for NaN or ±∞ (also for a
    /// finite value whose scaled angle overflows).
    pub fn check_parameters(&self, weights: &[f64], inputs: &[f64]) -> Result<()> {
        let weights_overflow = self.scan_parameters(ParamKind::Weight, weights)?;
        self.check_inputs(weights, weights_overflow, inputs)
    }

    /// [`check_parameters`](Self::check_parameters) of each of `inputs` at the same `weights`, which are scanned
    /// once: a batch's check. The error is the first sample's that fails.
    ///
    /// # Errors
    /// As [`check_parameters`](Self::check_parameters).
    pub(crate) fn check_samples<'x>(&self, weights: &[f64], inputs: impl IntoIterator<Item = &'x [f64]>) -> Result<()> {
        let weights_overflow = self.scan_parameters(ParamKind::Weight, weights)?;
        inputs.into_iter().try_for_each(|x| self.check_inputs(weights, weights_overflow, x))
    }

    /// The inputs' part of [`check_parameters`](Self::check_parameters), the weights scanned already (whether
    /// one of them times its largest scale overflows: `weights_overflow`).
    fn check_inputs(&self, weights: &[f64], weights_overflow: bool, inputs: &[f64]) -> Result<()> {
        // A finite value times its scale may still overflow: only then are the angles computed, to name the gate.
        if !(self.scan_parameters(ParamKind::Input, inputs)? || weights_overflow) {
            return Ok(());
        }
        for inst in &self.instructions {
            if let Some(value) = inst.angles(weights, inputs).into_iter().find(|a| !a.is_finite()) {
                return Err(Error::NonFinite { kind: NonFiniteKind::Angle { gate: inst.gate.name() }, value });
            }
        }
        Ok(())
    }

    /// Checks the count and finiteness of the `kind` values the circuit reads; returns whether the largest of
    /// them times the largest scale of its kind overflows.
    fn scan_parameters(&self, kind: ParamKind, values: &[f64]) -> Result<bool> {
        let needed = match kind {
            ParamKind::Weight => self.num_weights,
            ParamKind::Input => self.num_inputs,
        };
        if values.len() < needed {
            return Err(Error::ParameterCount { kind, expected: needed, found: values.len() });
        }
        if let Some((index, &value)) = values[..needed].iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(Error::non_finite_parameter(kind, index, value));
        }
        let largest = values[..needed].iter().fold(0.0f64, |m, v| m.max(v.abs()));
        Ok(!(largest * self.max_scale[kind_slot(kind)]).is_finite())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A batch's check gives, for every batch, the error of the first sample whose own check fails, or none.
    #[test]
    fn a_batch_is_checked_as_its_samples_one_by_one() {
        let mut c = Circuit::new(2).unwrap();
        c.rx(0, Param::input(0)).unwrap().ry(1, Param::weight(0)).unwrap();
        c.rz(0, Param::Input { index: 1, scale: 1e300 }).unwrap();
        let (good, nan, short, overflows) = ([0.5, 1.0], [0.5, f64::NAN], [0.5], [0.5, 1e10]);
        let batches: [(&[f64], Vec<&[f64]>); 6] = [
            (&[0.3], vec![&good, &good]),
            (&[0.3], vec![&good, &nan, &short]),
            (&[0.3], vec![&good, &short, &nan]),
            (&[0.3], vec![&good, &overflows]),
            (&[f64::INFINITY], vec![&good]),
            (&[], vec![&good]),
        ];
        for (weights, inputs) in batches {
            let one_by_one = inputs.iter().try_for_each(|x| c.check_parameters(weights, x));
            let batch = c.check_samples(weights, inputs.iter().copied());
            assert_eq!(format!("{batch:?}"), format!("{one_by_one:?}"), "weights {weights:?}");
        }
        assert!(c.check_samples(&[0.3], [&overflows[..]]).is_err_and(|e| e.to_string().contains("rz")));
        // A weight and an input whose scaled angles both overflow.
        c.rx(1, Param::Weight { index: 0, scale: 1e300 }).unwrap();
        assert!(c.check_samples(&[0.3], [&good[..]]).is_ok());
        for weights in [[1e10], [-1e10]] {
            assert!(c.check_samples(&weights, [&overflows[..]]).is_err_and(|e| e.to_string().contains("angle")));
            assert!(c.check_parameters(&weights, &good).is_err());
        }
    }
}
