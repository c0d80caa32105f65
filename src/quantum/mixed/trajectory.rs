//! Monte-Carlo wave-function trajectories: a noisy circuit run N times on a pure state of n qubits, each
//! channel a random jump, for registers whose density matrix does not fit in memory.

use std::collections::BTreeMap;

use num_complex::Complex64 as C;
use rand::{Rng, RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::jump::{mul1, Jumps, Mat1};
use super::noise::NoiseModel;
use super::sequence::{Event, Sequence};
use crate::error::{Error, Result};
use crate::quantum::engine::{Binding, Plan};
use crate::quantum::kernels;
use crate::quantum::op::{Op, ONE, ZERO};
use crate::quantum::state::{check_memory, sample_counts};
use crate::quantum::terms::PauliTerms;
use crate::quantum::{Circuit, Observable};

/// Monte-Carlo wave-function trajectories of a noisy circuit: the settings (how many trajectories, the seed,
/// measurement shots per trajectory) of [`Trajectories::run`], which estimates Tr(Oρ) = E\[⟨ψ_t|O|ψ_t⟩\] over
/// N pure-state runs ψ_t with standard errors, at 16·2^n bytes per worker instead of the 16·4^n of a
/// [`DensityState`](super::DensityState).
///
/// Each trajectory starts from |0…0⟩ and runs the circuit on a pure state. The gates between two channels (the
/// circuit's own and those the [`NoiseModel`] places) are compiled once into the engine's plan (fused, blocked, on the SIMD
/// kernels) and shared by all trajectories. At each channel E(ρ) = Σ_k K_k ρ K_k† one Kraus operator is
/// drawn with probability p_k = ‖K_k ψ‖² and ψ ← K_k ψ/√p_k is applied by the state-vector kernels: for
/// channels whose K_k are scaled unitaries (depolarizing, bit and phase flip, Pauli channels) p_k is fixed and
/// the identity branch costs nothing; for the others (amplitude, generalized amplitude and phase damping,
/// general Kraus sets) p_k = Tr(K_k†K_k ρ_q) comes from one pass over the state that reduces it to the
/// channel's qubits. A one-qubit gate and the one-qubit channels after it are multiplied into one 2x2 op pending
/// on the qubit (each jump's p_k taken from the reduced matrix the pending op would give), applied when a step
/// touches another qubit. Averaged over the draws, |ψ_t⟩⟨ψ_t| is the density matrix
/// [`DensityState::run_noisy`](super::DensityState::run_noisy) computes.
///
/// # Estimator
///
/// For each observable O, x_t = ⟨ψ_t|O|ψ_t⟩ is an unbiased sample of Tr(Oρ); the estimate is the mean
/// x̄ = Σ_t x_t / N and its standard error s/√N, with s² = Σ_t (x_t − x̄)² / (N − 1) (from a single
/// trajectory no spread can be estimated: the standard error is +∞). With shots, each trajectory measures its
/// final state that many times (shots of one trajectory are correlated: prefer more trajectories to more shots
/// each) and the model's readout errors flip the bits read.
///
/// # Reproducibility and threads
///
/// Trajectory t draws from `ChaCha8Rng::seed_from_u64(seed)` on stream t, and nothing else: its jumps, its
/// shots and its readout flips depend on (seed, t) only. Under feature `parallel` the trajectories are split
/// into one contiguous range per worker of rayon's pool (each with its own state of 16·2^n bytes, fewer
/// workers when that many states do not fit in memory), and every value is kept per trajectory and summed in
/// trajectory order, so the results are bit-identical for any number of threads.
///
/// # Example
///
/// ```
/// use qnet::quantum::mixed::{Channel, DensityState, NoiseModel, Trajectories};
/// use qnet::prelude::*;
///
/// # fn main() -> qnet::Result<()> {
/// // A GHZ state whose gates are followed by amplitude damping and depolarizing noise.
/// let mut ghz = Circuit::new(3)?;
/// ghz.h(0)?.cnot(0, 1)?.cnot(1, 2)?;
/// let mut noise = NoiseModel::new();
/// noise.after_all_gates(Channel::amplitude_damping(0.1)?).after_gate("cx", Channel::depolarizing(0.05)?);
/// let zz = Observable::from(PauliString::parse("ZZI")?);
/// let z = Observable::sum_z(3)?;
///
/// let estimate = Trajectories::new(2000, 7).run(&ghz, &noise, &[], &[], &[zz.clone(), z.clone()])?;
/// // The exact values, from the density matrix.
/// let mut rho = DensityState::new(3)?;
/// rho.run_noisy(&ghz, &noise, &[], &[])?;
/// for (i, o) in [zz, z].iter().enumerate() {
///     let (mean, error) = (estimate.expectations()[i], estimate.standard_errors()[i]);
///     assert!(error > 0.0 && (mean - rho.expectation(o)?).abs() <= 4.0 * error);
/// }
/// // The same seed gives the same bits.
/// let again = Trajectories::new(2000, 7).run(&ghz, &noise, &[], &[], &[Observable::sum_z(3)?])?;
/// assert_eq!(again.expectations()[0], estimate.expectations()[1]);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Trajectories {
    num_trajectories: usize,
    seed: u64,
    shots: usize,
}

/// What trajectories estimate: per observable the mean of ⟨ψ_t|O|ψ_t⟩ over the trajectories and its standard
/// error, every trajectory's values, and the measurement counts when shots were asked for.
///
/// # Example
///
/// ```
/// use qnet::quantum::mixed::{NoiseModel, Trajectories};
/// use qnet::prelude::*;
///
/// # fn main() -> qnet::Result<()> {
/// // Without noise every trajectory is the pure run: no spread.
/// let mut c = Circuit::new(2)?;
/// c.ry(0, 0.4)?.cnot(0, 1)?;
/// let z = Observable::sum_z(2)?;
/// let est = Trajectories::new(10, 1).shots_per_trajectory(5).run(&c, &NoiseModel::new(), &[], &[], &[z])?;
/// assert_eq!(est.num_trajectories(), 10);
/// assert_eq!(est.standard_errors(), &[0.0]);
/// assert_eq!(est.trajectory(3), Some(&[est.expectations()[0]][..]));
/// assert_eq!(est.counts().values().sum::<usize>(), 50);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct TrajectoryEstimate {
    num_trajectories: usize,
    /// ⟨ψ_t|O_i|ψ_t⟩ at t·k + i for k observables.
    values: Vec<f64>,
    expectations: Vec<f64>,
    standard_errors: Vec<f64>,
    counts: BTreeMap<usize, usize>,
}

/// One step of a trajectory.
#[derive(Debug)]
enum Step {
    /// Gates between channels, compiled once (boxed: a plan is large beside a channel step).
    Gates(Box<(Circuit, Plan)>),
    /// One uncontrolled one-qubit gate between channels, its angles bound: multiplied into the op pending on
    /// its qubit rather than applied.
    Gate1 { qubit: usize, matrix: Mat1 },
    /// Channel `id` of the run's [`Sequence`] on its qubits (the first one or two of `qubits`, as the channel
    /// needs).
    Channel { id: usize, qubits: [usize; 2] },
}

/// A noisy circuit prepared for trajectories: its steps and the jumps of its channels (the model's rules', then
/// the circuit's own).
#[derive(Debug)]
struct Prepared<'a> {
    n: usize,
    /// Whether one-qubit gates and channels are multiplied into pending ops (always, but for the tests that
    /// compare with the unfused run).
    fuse: bool,
    steps: Vec<Step>,
    jumps: Vec<Jumps>,
    terms: PauliTerms,
    noise: &'a NoiseModel,
    weights: &'a [f64],
    inputs: &'a [f64],
}

/// The steps of the noisy run `run` of `circuit`: gates gathered into circuits up to the next channel, then
/// the channels there. With `fuse`, a stretch of one uncontrolled one-qubit gate becomes its matrix, for the
/// given weights and inputs (checked).
fn steps(circuit: &Circuit, run: &Sequence, weights: &[f64], inputs: &[f64], fuse: bool) -> Result<Vec<Step>> {
    let n = circuit.num_qubits();
    let mut steps = Vec::new();
    let mut current = Circuit::new(n)?;
    let close = |gates: Circuit, steps: &mut Vec<Step>| match gates.instructions() {
        [] => {}
        [inst] if fuse && inst.op_targets().len() == 1 && inst.control_mask() == 0 => steps.push(Step::Gate1 {
            qubit: inst.op_targets()[0],
            matrix: inst.gate().lower(inst.angles(weights, inputs)).matrix1(),
        }),
        _ => {
            let plan = Plan::compile(&gates);
            steps.push(Step::Gates(Box::new((gates, plan))));
        }
    };
    for event in &run.events {
        match *event {
            Event::Gate(k) => {
                current.push(circuit.instructions()[k].clone())?;
            }
            Event::Channel { id, ref qubits } => {
                if !current.is_empty() {
                    close(std::mem::replace(&mut current, Circuit::new(n)?), &mut steps);
                }
                steps.push(Step::Channel { id, qubits: [qubits[0], *qubits.get(1).unwrap_or(&qubits[0])] });
            }
        }
    }
    close(current, &mut steps);
    Ok(steps)
}

/// The results of one worker's range of trajectories.
struct Block {
    values: Vec<f64>,
    counts: BTreeMap<usize, usize>,
}

impl Prepared<'_> {
    /// Trajectory t's generator: `ChaCha8Rng::seed_from_u64(seed)` on stream t.
    fn rng(seed: u64, t: usize) -> ChaCha8Rng {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(t as u64);
        rng
    }

    /// Runs trajectory `t` into `psi` (overwritten), with `scratch` for the plans. A one-qubit gate and the
    /// one-qubit channels after it are not applied one by one: their product (gates, and each channel's jump
    /// K_k/√p_k with p_k from the reduced matrix of the state the pending product would give) stays pending on
    /// the qubit until a step touches another qubit, then costs one pass over the state.
    fn run_one(&self, psi: &mut [C], scratch: &mut Vec<C>, rng: &mut ChaCha8Rng) {
        psi.fill(ZERO);
        psi[0] = ONE;
        let mut pending: Option<(usize, Mat1)> = None;
        let flush = |psi: &mut [C], pending: &mut Option<(usize, Mat1)>| {
            if let Some((q, m)) = pending.take() {
                kernels::apply_op(psi, &Op::sparsest1(m), &[q], 0);
            }
        };
        for step in &self.steps {
            match step {
                Step::Gates(gates) => {
                    flush(psi, &mut pending);
                    let (c, plan) = &**gates;
                    plan.forward(&Binding::new(c, self.weights, self.inputs), psi, scratch, &mut []);
                }
                Step::Gate1 { qubit, matrix } => {
                    if pending.is_some_and(|(q, _)| q != *qubit) {
                        flush(psi, &mut pending);
                    }
                    let m = pending.map_or(*matrix, |(_, p)| mul1(matrix, &p));
                    pending = Some((*qubit, m));
                }
                Step::Channel { id, qubits } => {
                    let jumps = &self.jumps[*id];
                    if self.fuse && jumps.num_qubits() == 1 {
                        let q = qubits[0];
                        if pending.is_some_and(|(p, _)| p != q) {
                            flush(psi, &mut pending);
                        }
                        let m = jumps.jump1(psi, q, pending.map(|(_, m)| m), rng.random::<f64>());
                        pending = Some((q, m));
                    } else {
                        flush(psi, &mut pending);
                        jumps.apply(psi, &qubits[..jumps.num_qubits()], rng);
                    }
                }
            }
        }
        flush(psi, &mut pending);
    }

    /// Runs trajectories `range` on one state of this worker.
    fn run_block(&self, settings: &Trajectories, range: std::ops::Range<usize>, k: usize) -> Result<Block> {
        let too_many = || Error::TooManyQubits { num_qubits: self.n, bytes: 16u128 << self.n };
        let mut psi = kernels::zeroed_amplitudes(1 << self.n).ok_or_else(too_many)?;
        let mut scratch = Vec::new();
        let mut values = crate::bounded::table("trajectory values", range.len(), k, 0.0)?;
        let mut counts = BTreeMap::new();
        let start = range.start;
        for t in range {
            let mut rng = Self::rng(settings.seed, t);
            self.run_one(&mut psi, &mut scratch, &mut rng);
            self.terms.expectations(&psi, &mut values[(t - start) * k..(t - start + 1) * k]);
            if settings.shots > 0 {
                let mut shot = BTreeMap::new();
                sample_counts(&psi, settings.shots, &mut rng, |i, c| {
                    shot.insert(i, c);
                })?;
                for (i, c) in self.noise.apply_readout_to_counts(&shot, self.n, &mut rng)? {
                    *counts.entry(i).or_insert(0) += c;
                }
            }
        }
        Ok(Block { values, counts })
    }
}

impl Trajectories {
    /// `num_trajectories` trajectories whose generators derive from `seed`, without shots.
    #[must_use]
    pub fn new(num_trajectories: usize, seed: u64) -> Self {
        Trajectories { num_trajectories, seed, shots: 0 }
    }

    /// `num_trajectories` trajectories with a seed drawn from the caller's generator (one `u64`).
    #[must_use]
    pub fn from_rng<R: Rng + ?Sized>(num_trajectories: usize, rng: &mut R) -> Self {
        Trajectories::new(num_trajectories, rng.random::<u64>())
    }

    /// Measures each trajectory's final state `shots` times (default 0: no counts), readout errors included.
    #[must_use]
    pub fn shots_per_trajectory(mut self, shots: usize) -> Self {
        self.shots = shots;
        self
    }

    /// The number of trajectories N.
    #[must_use]
    pub fn num_trajectories(&self) -> usize {
        self.num_trajectories
    }

    /// The seed the trajectories' generators derive from.
    #[must_use]
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Runs the trajectories of `circuit` with the channels `noise` places after its gates (as
    /// [`DensityState::run_noisy`](super::DensityState::run_noisy) does), and estimates Tr(Oρ) for every
    /// observable (none is allowed, for counts only).
    ///
    /// Memory: one state of 16·2^n bytes per worker (one without feature `parallel`), plus 8 bytes per
    /// trajectory and observable (twice that while the workers' values are gathered).
    ///
    /// # Errors
    /// [`Error::InvalidHyperParameter`] for zero trajectories; the errors of
    /// [`Circuit::check_parameters`] (missing or non-finite weights and inputs); [`Error::InvalidQubit`] when
    /// an observable acts beyond the register, or (with shots) a readout error sits beyond it;
    /// [`Error::GateArity`] when a two-qubit channel of the model follows a gate on another number of qubits;
    /// [`Error::TooManyQubits`] when not even one state of 16·2^n bytes fits in memory; [`Error::TooLarge`]
    /// when the per-trajectory values or the shots cannot be allocated.
    pub fn run(
        &self,
        circuit: &Circuit,
        noise: &NoiseModel,
        weights: &[f64],
        inputs: &[f64],
        observables: &[Observable],
    ) -> Result<TrajectoryEstimate> {
        self.run_with(circuit, noise, weights, inputs, observables, true)
    }

    /// [`run`](Self::run), with one-qubit gates and channels multiplied into pending ops (`fuse`) or each
    /// applied in turn.
    pub(super) fn run_with(
        &self,
        circuit: &Circuit,
        noise: &NoiseModel,
        weights: &[f64],
        inputs: &[f64],
        observables: &[Observable],
        fuse: bool,
    ) -> Result<TrajectoryEstimate> {
        let num = self.num_trajectories;
        if num == 0 {
            return Err(Error::InvalidHyperParameter {
                name: "number of trajectories",
                value: num.to_string(),
                reason: "at least one trajectory is needed",
            });
        }
        let n = circuit.num_qubits();
        circuit.check_parameters(weights, inputs)?;
        let terms = PauliTerms::new(observables, n)?;
        check_memory(n, 1)?;
        let workers = (2..=threads().min(num)).rev().find(|&w| check_memory(n, w as u32).is_ok()).unwrap_or(1);
        let k = observables.len();
        // Checked before any trajectory runs.
        crate::bounded::product("trajectory values", num, k)?;
        let run = Sequence::new(circuit, noise, weights, inputs)?;
        let prepared = Prepared {
            n,
            steps: steps(circuit, &run, weights, inputs, fuse)?,
            fuse,
            jumps: run.channels.iter().map(Jumps::new).collect(),
            terms,
            noise,
            weights,
            inputs,
        };
        let per = num.div_ceil(workers);
        let ranges: Vec<_> = (0..workers).map(|w| (w * per).min(num)..((w + 1) * per).min(num)).collect();
        let run = |r: &std::ops::Range<usize>| prepared.run_block(self, r.clone(), k);
        #[cfg(feature = "parallel")]
        let blocks: Vec<Result<Block>> = {
            use rayon::prelude::*;
            ranges.par_iter().map(run).collect()
        };
        #[cfg(not(feature = "parallel"))]
        let blocks: Vec<Result<Block>> = ranges.iter().map(run).collect();
        let mut values = crate::bounded::with_capacity("trajectory values", num * k)?;
        let mut counts = BTreeMap::new();
        for block in blocks {
            let block = block?;
            values.extend_from_slice(&block.values);
            for (i, c) in block.counts {
                *counts.entry(i).or_insert(0) += c;
            }
        }
        let (expectations, standard_errors) =
            (0..k).map(|i| mean_and_error(values.iter().skip(i).step_by(k).copied(), num)).unzip();
        Ok(TrajectoryEstimate { num_trajectories: num, values, expectations, standard_errors, counts })
    }
}

/// The number of workers rayon's current pool offers (1 without feature `parallel`).
fn threads() -> usize {
    #[cfg(feature = "parallel")]
    {
        rayon::current_num_threads()
    }
    #[cfg(not(feature = "parallel"))]
    {
        1
    }
}

/// The mean x̄ of the `num` values `xs` (at least one), summed in order, and its standard error s/√N with
/// s² = Σ (x − x̄)²/(N − 1) (+∞ for one value). The sum is taken of the differences from the first value, so
/// that equal values give exactly that value and a standard error of exactly 0.
fn mean_and_error(mut xs: impl Iterator<Item = f64> + Clone, num: usize) -> (f64, f64) {
    let first = xs.clone().next().unwrap_or(0.0);
    let mean = first + xs.clone().map(|x| x - first).sum::<f64>() / num as f64;
    if num < 2 {
        return (mean, f64::INFINITY);
    }
    let variance = xs.by_ref().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (num - 1) as f64;
    (mean, (variance / num as f64).sqrt())
}

impl TrajectoryEstimate {
    /// The number of trajectories N.
    #[must_use]
    pub fn num_trajectories(&self) -> usize {
        self.num_trajectories
    }

    /// The estimates x̄_i = Σ_t ⟨ψ_t|O_i|ψ_t⟩ / N of Tr(O_i ρ), one per observable.
    #[must_use]
    pub fn expectations(&self) -> &[f64] {
        &self.expectations
    }

    /// The standard errors s_i/√N of the estimates, s_i² = Σ_t (x_t − x̄_i)²/(N − 1) (+∞ when N = 1).
    #[must_use]
    pub fn standard_errors(&self) -> &[f64] {
        &self.standard_errors
    }

    /// The values ⟨ψ_t|O_i|ψ_t⟩ of trajectory `t`, one per observable, or `None` beyond the last trajectory.
    #[must_use]
    pub fn trajectory(&self, t: usize) -> Option<&[f64]> {
        let k = self.expectations.len();
        (t < self.num_trajectories).then(|| &self.values[t * k..(t + 1) * k])
    }

    /// How often each basis index was read over all trajectories' shots (N · shots in total; indices never
    /// read are absent; empty without shots).
    #[must_use]
    pub fn counts(&self) -> &BTreeMap<usize, usize> {
        &self.counts
    }
}
