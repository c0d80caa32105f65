//! Optimizers over a flat parameter vector: SGD with momentum and Adam, with weight decay and gradient
//! clipping by global norm.

use crate::error::{Error, Result};
use crate::grad::function::check_len;

/// The settings every optimizer has: weight decay (documented per optimizer), gradient clipping and the
/// learning rate.
macro_rules! shared_settings {
    ($decay_doc:literal) => {
        #[doc = $decay_doc]
        ///
        /// # Errors
        /// [`Error::InvalidHyperParameter`] when negative or not finite.
        pub fn with_weight_decay(mut self, weight_decay: f64) -> Result<Self> {
            check("weight decay", weight_decay, weight_decay >= 0.0, "must be finite and non-negative")?;
            self.weight_decay = weight_decay;
            Ok(self)
        }

        /// Clips the gradient to global L2 norm c > 0 before each step (default: no clipping).
        ///
        /// # Errors
        /// [`Error::InvalidHyperParameter`] unless c is finite and positive.
        pub fn with_clip_norm(mut self, clip_norm: f64) -> Result<Self> {
            check("clip norm", clip_norm, clip_norm > 0.0, "must be finite and positive")?;
            self.clip_norm = Some(clip_norm);
            Ok(self)
        }

        /// The learning rate.
        #[must_use]
        pub fn learning_rate(&self) -> f64 {
            self.learning_rate
        }

        /// Changes the learning rate between steps (for a schedule); the optimizer's state is kept.
        ///
        /// # Errors
        /// [`Error::InvalidHyperParameter`] unless it is finite and positive.
        pub fn set_learning_rate(&mut self, learning_rate: f64) -> Result<()> {
            check("learning rate", learning_rate, learning_rate > 0.0, "must be finite and positive")?;
            self.learning_rate = learning_rate;
            Ok(())
        }
    };
}

fn check(name: &'static str, value: f64, ok: bool, reason: &'static str) -> Result<()> {
    if ok && value.is_finite() {
        Ok(())
    } else {
        Err(Error::hyper_parameter(name, value, reason))
    }
}

/// The factor min(1, c/‖g‖) that clips a gradient to global norm c (1 without clipping).
fn clip_factor(grads: &[f64], clip_norm: Option<f64>) -> f64 {
    clip_norm.map_or(1.0, |c| global_clip_factor(&[grads], c))
}

/// min(1, c/‖g‖) for the gradient g made of `groups`, ‖g‖² summed group by group.
fn global_clip_factor(groups: &[&[f64]], clip_norm: f64) -> f64 {
    let norm = groups.iter().map(|g| g.iter().map(|x| x * x).sum::<f64>()).sum::<f64>().sqrt();
    if norm > clip_norm {
        clip_norm / norm
    } else {
        1.0
    }
}

/// Clips a gradient held in several pieces (a model's dense parameters, its sparse rows, ...) to global L2
/// norm c: each piece is scaled by min(1, c/‖g‖), ‖g‖ the norm of all the pieces together. Returns the factor.
/// The optimizers' [`with_clip_norm`](Adam::with_clip_norm) does the same for the one gradient they step.
///
/// # Errors
/// [`Error::InvalidHyperParameter`] unless c is finite and positive.
///
/// # Example
///
/// ```
/// use qnet::layer::clip_global_norm;
///
/// # fn main() -> qnet::Result<()> {
/// let (mut a, mut b) = (vec![3.0], vec![0.0, 4.0]); // ‖g‖ = 5
/// let factor = clip_global_norm(&mut [&mut a, &mut b], 1.0)?;
/// assert_eq!(factor, 0.2);
/// assert!((a[0] - 0.6).abs() < 1e-15 && (b[1] - 0.8).abs() < 1e-15);
/// # Ok(())
/// # }
/// ```
pub fn clip_global_norm(groups: &mut [&mut [f64]], clip_norm: f64) -> Result<f64> {
    check("clip norm", clip_norm, clip_norm > 0.0, "must be finite and positive")?;
    let views: Vec<&[f64]> = groups.iter().map(|g| &**g).collect();
    let factor = global_clip_factor(&views, clip_norm);
    for g in groups.iter_mut() {
        g.iter_mut().for_each(|x| *x *= factor);
    }
    Ok(factor)
}

/// An optimizer that updates a model's parameters in place, where the model keeps them:
/// `opt.step(model.params_mut(), &grads)`, nothing copied out and back.
///
/// # Example
///
/// ```
/// use qnet::prelude::*;
/// use qnet::layer::Optimizer;
///
/// # fn main() -> qnet::Result<()> {
/// // Any optimizer, stepping a network's own buffer.
/// fn train(net: &mut QuantumNetwork, opt: &mut impl Optimizer) -> qnet::Result<()> {
///     let grads = net.backward(&[0.5, -0.5], &[1.0, 0.0])?.params;
///     opt.step(net.params_mut(), &grads)
/// }
/// let mut net = QuantumNetwork::new(2, 2, 2, 1)?;
/// let before = net.params();
/// train(&mut net, &mut Adam::new(0.01)?)?;
/// train(&mut net, &mut Sgd::new(0.01)?)?;
/// assert_ne!(net.params(), before);
/// # Ok(())
/// # }
/// ```
pub trait Optimizer {
    /// One update of `params` in place from `grads`.
    ///
    /// # Errors
    /// [`Error::DimensionMismatch`] when the lengths differ from each other or from earlier steps.
    fn step(&mut self, params: &mut [f64], grads: &[f64]) -> Result<()>;

    /// A lazy (row-sparse) step of a table p of rows of `width` values: only the rows r ∈ `rows` (each listed
    /// once) move, `grads` holding their gradients in the order of `rows`, and only their state is touched. A
    /// step costs O(rows · width) however large the table, as PyTorch's `SparseAdam`: an untouched row's
    /// state is left as it is (it neither decays nor moves the row), so each row follows the dense rule on its
    /// own clock, the steps that touch it. Weight decay applies to the touched rows only; clipping, when set, to
    /// the gradient given. [`Sgd::step_rows`] and [`Adam::step_rows`] say how this relates to their dense step.
    ///
    /// # Errors
    /// [`Error::DimensionMismatch`] when `width` is 0 or `params` is not a whole number of rows, `grads` is not
    /// `rows.len() · width` long, a row is past the table, or the table changed size since the last step.
    ///
    /// # Example
    ///
    /// ```
    /// use qnet::prelude::*;
    /// use qnet::layer::Optimizer;
    ///
    /// # fn main() -> qnet::Result<()> {
    /// // An embedding table of four rows of two: a batch that used rows 3 and 1 moves them alone.
    /// let (mut sgd, mut adam) = (Sgd::new(0.1)?, Adam::new(0.1)?);
    /// for opt in [&mut sgd as &mut dyn Optimizer, &mut adam] {
    ///     let mut table = vec![0.5; 8];
    ///     opt.step_rows(&mut table, 2, &[3, 1], &[1.0, 0.0, -1.0, 2.0])?;
    ///     assert_eq!(&table[0..2], &[0.5, 0.5]); // row 0 untouched
    ///     assert_eq!(&table[4..6], &[0.5, 0.5]); // row 2 untouched
    ///     assert!(table[2] > 0.5 && table[3] < 0.5 && table[6] < 0.5 && table[7] == 0.5);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    fn step_rows(&mut self, params: &mut [f64], width: usize, rows: &[u32], grads: &[f64]) -> Result<()>;
}

impl Optimizer for Sgd {
    fn step(&mut self, params: &mut [f64], grads: &[f64]) -> Result<()> {
        Sgd::step(self, params, grads)
    }

    fn step_rows(&mut self, params: &mut [f64], width: usize, rows: &[u32], grads: &[f64]) -> Result<()> {
        Sgd::step_rows(self, params, width, rows, grads)
    }
}

impl Optimizer for Adam {
    fn step(&mut self, params: &mut [f64], grads: &[f64]) -> Result<()> {
        Adam::step(self, params, grads)
    }

    fn step_rows(&mut self, params: &mut [f64], width: usize, rows: &[u32], grads: &[f64]) -> Result<()> {
        Adam::step_rows(self, params, width, rows, grads)
    }
}

/// Checks the lengths and sizes the state on first use.
fn prepare(state: &mut [&mut Vec<f64>], params: &[f64], grads: &[f64]) -> Result<()> {
    check_len("gradient", params.len(), grads.len())?;
    size_state(state, params.len())
}

/// Sizes empty state vectors to `len` and checks the others have that length.
fn size_state(state: &mut [&mut Vec<f64>], len: usize) -> Result<()> {
    for s in state.iter_mut() {
        if s.is_empty() {
            s.resize(len, 0.0);
        }
        check_len("optimizer state", s.len(), len)?;
    }
    Ok(())
}

/// Checks the shapes of a row-sparse step: a table of `len` values in rows of `width` > 0, each of `rows` in
/// it, and `grads` values, one row of `width` per listed row.
fn check_rows(len: usize, width: usize, rows: &[u32], grads: usize) -> Result<()> {
    if width == 0 || !len.is_multiple_of(width) {
        return Err(Error::DimensionMismatch {
            what: "row-sparse parameter table (a multiple of the row width)",
            expected: len.div_ceil(width.max(1)) * width.max(1),
            found: len,
        });
    }
    check_len("row-sparse gradient", rows.len().saturating_mul(width), grads)?;
    let num_rows = len / width;
    if let Some(&r) = rows.iter().find(|&&r| r as usize >= num_rows) {
        return Err(Error::DimensionMismatch {
            what: "row index of a row-sparse step",
            expected: num_rows,
            found: r as usize,
        });
    }
    Ok(())
}

/// The ranges of the table that rows `rows` of `width` values cover, in the order of `rows`.
fn row_ranges(width: usize, rows: &[u32]) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
    rows.iter().map(move |&r| r as usize * width..(r as usize + 1) * width)
}

/// The constants of one SGD step: settings and the clipping factor.
#[derive(Clone, Copy)]
struct SgdStep {
    clip: f64,
    momentum: f64,
    weight_decay: f64,
    learning_rate: f64,
}

impl SgdStep {
    /// g ← k·g + λp, v ← μv + g, p ← p − ηv, k the clipping factor.
    fn apply(self, params: &mut [f64], grads: &[f64], velocity: &mut [f64]) {
        for ((p, g), v) in params.iter_mut().zip(grads).zip(velocity) {
            let g = self.clip * g + self.weight_decay * *p;
            *v = self.momentum * *v + g;
            *p -= self.learning_rate * *v;
        }
    }
}

/// The constants of one Adam step: settings, bias corrections and the clipping factor.
#[derive(Clone, Copy)]
struct AdamStep {
    beta1: f64,
    beta2: f64,
    c1: f64,
    c2: f64,
    clip: f64,
    learning_rate: f64,
    epsilon: f64,
    weight_decay: f64,
}

impl AdamStep {
    /// m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g², p ← p − η·((m/c₁)/(√(v/c₂) + ε) + λp), g clipped.
    fn apply(self, params: &mut [f64], grads: &[f64], m: &mut [f64], v: &mut [f64]) {
        let (b1, b2) = (self.beta1, self.beta2);
        for (((p, g), m), v) in params.iter_mut().zip(grads).zip(m).zip(v) {
            let g = self.clip * g;
            *m = b1 * *m + (1.0 - b1) * g;
            *v = b2 * *v + (1.0 - b2) * g * g;
            let update = (*m / self.c1) / ((*v / self.c2).sqrt() + self.epsilon) + self.weight_decay * *p;
            *p -= self.learning_rate * update;
        }
    }
}

/// Stochastic gradient descent with momentum: g ← clip(g) + λ·p (L2 weight decay), v ← μ·v + g, p ← p − η·v.
///
/// Defaults: momentum μ = 0, weight decay λ = 0, no clipping. The velocity is sized on the first step.
///
/// # Example
///
/// ```
/// use qnet::prelude::*;
///
/// # fn main() -> qnet::Result<()> {
/// // Minimise (p − 3)²: gradient 2(p − 3).
/// let mut opt = Sgd::new(0.1)?.with_momentum(0.5)?;
/// let mut p = [0.0];
/// for _ in 0..200 {
///     let g = [2.0 * (p[0] - 3.0)];
///     opt.step(&mut p, &g)?;
/// }
/// assert!((p[0] - 3.0).abs() < 1e-9);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "serde_repr::SgdData", into = "serde_repr::SgdData")
)]
pub struct Sgd {
    learning_rate: f64,
    momentum: f64,
    weight_decay: f64,
    clip_norm: Option<f64>,
    velocity: Vec<f64>,
}

impl Sgd {
    /// Plain SGD with learning rate η.
    ///
    /// # Errors
    /// [`Error::InvalidHyperParameter`] unless η is finite and positive.
    pub fn new(learning_rate: f64) -> Result<Self> {
        check("learning rate", learning_rate, learning_rate > 0.0, "must be finite and positive")?;
        Ok(Sgd { learning_rate, momentum: 0.0, weight_decay: 0.0, clip_norm: None, velocity: Vec::new() })
    }

    /// Sets the momentum μ ∈ [0, 1) (default 0).
    ///
    /// # Errors
    /// [`Error::InvalidHyperParameter`] outside [0, 1).
    pub fn with_momentum(mut self, momentum: f64) -> Result<Self> {
        check("momentum", momentum, (0.0..1.0).contains(&momentum), "must be in [0, 1)")?;
        self.momentum = momentum;
        Ok(self)
    }

    shared_settings!("Sets the L2 weight decay λ ≥ 0 added to the gradient as λ·p (default 0).");

    /// One update of `params` from `grads`.
    ///
    /// # Errors
    /// [`Error::DimensionMismatch`] when the lengths differ from each other or from earlier steps.
    pub fn step(&mut self, params: &mut [f64], grads: &[f64]) -> Result<()> {
        prepare(&mut [&mut self.velocity], params, grads)?;
        self.next_step(grads).apply(params, grads, &mut self.velocity);
        Ok(())
    }

    /// The constants of a step (the clipping factor from the gradient given).
    fn next_step(&self, grads: &[f64]) -> SgdStep {
        SgdStep {
            clip: clip_factor(grads, self.clip_norm),
            momentum: self.momentum,
            weight_decay: self.weight_decay,
            learning_rate: self.learning_rate,
        }
    }

    /// A lazy (row-sparse) step: `params` is a table of rows of `width` values, and only the rows listed in
    /// `rows` (each once) move, by the dense rule g ← clip(g) + λ·p, v ← μ·v + g, p ← p − η·v on their entries,
    /// with `grads` holding their gradients in the order of `rows`. An untouched row keeps its velocity as it is
    /// (it does not decay, and the row does not coast on it) and gets no weight decay, so a step costs
    /// O(rows · width) however large the table. Clipping, when set, applies to the gradient given.
    ///
    /// Against [`step`](Sgd::step) on the dense gradient that is zero outside the rows: the touched rows get the
    /// same bits whenever their velocities are the same (always with μ = 0, and on a first step); with μ = 0
    /// and λ = 0 the untouched rows do not move in either, so the two steps agree on the whole table. With
    /// μ > 0 the dense step would move an untouched row by −η·μ·v and decay its velocity to μ·v; with λ > 0 it
    /// would shrink it. Each row follows dense SGD on its own clock: the steps that touch it. (The clipping
    /// factor is the same number when `rows` ascend: the same squares are summed in the same order.)
    ///
    /// # Errors
    /// [`Error::DimensionMismatch`] when `width` is 0 or `params` is not a whole number of rows, `grads` is not
    /// `rows.len() · width` long, a row is past the table, or the table changed size since the last step.
    ///
    /// # Example
    /// ```
    /// use qnet::prelude::*;
    /// # fn main() -> qnet::Result<()> {
    /// let mut table = vec![1.0; 6]; // three rows of two
    /// let mut opt = Sgd::new(0.1)?.with_momentum(0.5)?;
    /// opt.step_rows(&mut table, 2, &[2], &[1.0, -1.0])?;
    /// assert_eq!(&table[..4], &[1.0; 4]); // rows 0 and 1 untouched
    /// assert_eq!(&table[4..], &[0.9, 1.1]); // p − η·g
    /// // Row 0 moves by its gradient alone; row 2's velocity is kept for its next step.
    /// opt.step_rows(&mut table, 2, &[0], &[1.0, 1.0])?;
    /// assert_eq!((&table[..2], &table[4..]), (&[0.9, 0.9][..], &[0.9, 1.1][..]));
    /// # Ok(())
    /// # }
    /// ```
    pub fn step_rows(&mut self, params: &mut [f64], width: usize, rows: &[u32], grads: &[f64]) -> Result<()> {
        check_rows(params.len(), width, rows, grads.len())?;
        size_state(&mut [&mut self.velocity], params.len())?;
        let step = self.next_step(grads);
        for (range, g_row) in row_ranges(width, rows).zip(grads.chunks_exact(width)) {
            step.apply(&mut params[range.clone()], g_row, &mut self.velocity[range]);
        }
        Ok(())
    }
}

/// Adam (Kingma and Ba) with decoupled weight decay (AdamW): g ← clip(g); m ← β₁m + (1 − β₁)g;
/// v ← β₂v + (1 − β₂)g²; p ← p − η·(m̂/(√v̂ + ε) + λ·p), with m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ).
///
/// Defaults: β₁ = 0.9, β₂ = 0.999, ε = 1e-8, weight decay λ = 0, no clipping.
///
/// # Example
///
/// ```
/// use qnet::prelude::*;
///
/// # fn main() -> qnet::Result<()> {
/// // Minimise (p0 − 1)² + 10·(p1 + 2)².
/// let mut opt = Adam::new(0.05)?;
/// let mut p = [0.0, 0.0];
/// for _ in 0..2000 {
///     let g = [2.0 * (p[0] - 1.0), 20.0 * (p[1] + 2.0)];
///     opt.step(&mut p, &g)?;
/// }
/// assert!((p[0] - 1.0).abs() < 1e-3 && (p[1] + 2.0).abs() < 1e-3);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "serde_repr::AdamData", into = "serde_repr::AdamData")
)]
pub struct Adam {
    learning_rate: f64,
    beta1: f64,
    beta2: f64,
    epsilon: f64,
    weight_decay: f64,
    clip_norm: Option<f64>,
    m: Vec<f64>,
    v: Vec<f64>,
    t: i32,
}

impl Adam {
    /// Adam with learning rate η and the default moments.
    ///
    /// # Errors
    /// [`Error::InvalidHyperParameter`] unless η is finite and positive.
    pub fn new(learning_rate: f64) -> Result<Self> {
        check("learning rate", learning_rate, learning_rate > 0.0, "must be finite and positive")?;
        Ok(Adam {
            learning_rate,
            beta1: 0.9,
            beta2: 0.999,
            epsilon: 1e-8,
            weight_decay: 0.0,
            clip_norm: None,
            m: Vec::new(),
            v: Vec::new(),
            t: 0,
        })
    }

    /// Sets the moment decay rates β₁, β₂ ∈ [0, 1) (defaults 0.9 and 0.999).
    ///
    /// # Errors
    /// [`Error::InvalidHyperParameter`] outside [0, 1).
    pub fn with_betas(mut self, beta1: f64, beta2: f64) -> Result<Self> {
        check("beta1", beta1, (0.0..1.0).contains(&beta1), "must be in [0, 1)")?;
        check("beta2", beta2, (0.0..1.0).contains(&beta2), "must be in [0, 1)")?;
        self.beta1 = beta1;
        self.beta2 = beta2;
        Ok(self)
    }

    /// Sets ε > 0 (default 1e-8).
    ///
    /// # Errors
    /// [`Error::InvalidHyperParameter`] unless ε is finite and positive.
    pub fn with_epsilon(mut self, epsilon: f64) -> Result<Self> {
        check("epsilon", epsilon, epsilon > 0.0, "must be finite and positive")?;
        self.epsilon = epsilon;
        Ok(self)
    }

    shared_settings!("Sets the decoupled weight decay λ ≥ 0 (default 0).");

    /// One update of `params` from `grads`.
    ///
    /// # Errors
    /// [`Error::DimensionMismatch`] when the lengths differ from each other or from earlier steps.
    pub fn step(&mut self, params: &mut [f64], grads: &[f64]) -> Result<()> {
        prepare(&mut [&mut self.m, &mut self.v], params, grads)?;
        self.next_step(grads).apply(params, grads, &mut self.m, &mut self.v);
        Ok(())
    }

    /// Counts a step and gives its constants (the clipping factor from the gradient given).
    fn next_step(&mut self, grads: &[f64]) -> AdamStep {
        self.t = self.t.saturating_add(1);
        AdamStep {
            beta1: self.beta1,
            beta2: self.beta2,
            c1: 1.0 - self.beta1.powi(self.t),
            c2: 1.0 - self.beta2.powi(self.t),
            clip: clip_factor(grads, self.clip_norm),
            learning_rate: self.learning_rate,
            epsilon: self.epsilon,
            weight_decay: self.weight_decay,
        }
    }

    /// A lazy (row-sparse) step, as PyTorch's `SparseAdam`: `params` is a table of rows of `width` values, and
    /// only the rows listed in `rows` (each once) move, with `grads` holding their gradients in the same order.
    /// Their moments decay only when they are touched, so a step costs O(rows · width) however large the table.
    /// Weight decay applies to the touched rows; clipping, when set, to the gradient given. The step count t
    /// (and so the bias corrections) is the optimizer's, counted once per step whichever rows it touches.
    ///
    /// # Errors
    /// [`Error::DimensionMismatch`] when `width` is 0 or `params` is not a whole number of rows, `grads` is not
    /// `rows.len() · width` long, a row is past the table, or the table changed size since the last step.
    ///
    /// # Example
    /// ```
    /// use qnet::prelude::*;
    /// # fn main() -> qnet::Result<()> {
    /// let mut table = vec![1.0; 6]; // three rows of two
    /// let mut opt = Adam::new(0.1)?;
    /// opt.step_rows(&mut table, 2, &[2], &[1.0, -1.0])?;
    /// assert_eq!(&table[..4], &[1.0; 4]); // rows 0 and 1 untouched
    /// assert!((table[4] - 0.9).abs() < 1e-6 && (table[5] - 1.1).abs() < 1e-6);
    /// # Ok(())
    /// # }
    /// ```
    pub fn step_rows(&mut self, params: &mut [f64], width: usize, rows: &[u32], grads: &[f64]) -> Result<()> {
        check_rows(params.len(), width, rows, grads.len())?;
        size_state(&mut [&mut self.m, &mut self.v], params.len())?;
        let step = self.next_step(grads);
        for (range, g_row) in row_ranges(width, rows).zip(grads.chunks_exact(width)) {
            step.apply(&mut params[range.clone()], g_row, &mut self.m[range.clone()], &mut self.v[range]);
        }
        Ok(())
    }
}

/// What the optimizers are serialized as: their settings and state, read back through their setters so that
/// every setting passes the same checks, and with moments of one length and a non-negative step count.
#[cfg(feature = "serde")]
mod serde_repr {
    use serde::{Deserialize, Serialize};

    use super::{Adam, Sgd};
    use crate::error::{Error, Result};

    #[derive(Serialize, Deserialize)]
    pub(super) struct SgdData {
        learning_rate: f64,
        momentum: f64,
        weight_decay: f64,
        clip_norm: Option<f64>,
        velocity: Vec<f64>,
    }

    impl TryFrom<SgdData> for Sgd {
        type Error = Error;
        fn try_from(d: SgdData) -> Result<Sgd> {
            let mut sgd = Sgd::new(d.learning_rate)?.with_momentum(d.momentum)?.with_weight_decay(d.weight_decay)?;
            if let Some(c) = d.clip_norm {
                sgd = sgd.with_clip_norm(c)?;
            }
            sgd.velocity = d.velocity;
            Ok(sgd)
        }
    }

    impl From<Sgd> for SgdData {
        fn from(o: Sgd) -> SgdData {
            let Sgd { learning_rate, momentum, weight_decay, clip_norm, velocity } = o;
            SgdData { learning_rate, momentum, weight_decay, clip_norm, velocity }
        }
    }

    #[derive(Serialize, Deserialize)]
    pub(super) struct AdamData {
        learning_rate: f64,
        beta1: f64,
        beta2: f64,
        epsilon: f64,
        weight_decay: f64,
        clip_norm: Option<f64>,
        m: Vec<f64>,
        v: Vec<f64>,
        t: i32,
    }

    impl TryFrom<AdamData> for Adam {
        type Error = Error;
        fn try_from(d: AdamData) -> Result<Adam> {
            let mut adam = Adam::new(d.learning_rate)?
                .with_betas(d.beta1, d.beta2)?
                .with_epsilon(d.epsilon)?
                .with_weight_decay(d.weight_decay)?;
            if let Some(c) = d.clip_norm {
                adam = adam.with_clip_norm(c)?;
            }
            if d.m.len() != d.v.len() || d.t < 0 {
                return Err(Error::CorruptData {
                    what: "Adam optimizer",
                    reason: format!(
                        "moments of lengths {} and {} (must be equal) after {} steps (must be at least 0)",
                        d.m.len(),
                        d.v.len(),
                        d.t
                    ),
                });
            }
            (adam.m, adam.v, adam.t) = (d.m, d.v, d.t);
            Ok(adam)
        }
    }

    impl From<Adam> for AdamData {
        fn from(o: Adam) -> AdamData {
            let Adam { learning_rate, beta1, beta2, epsilon, weight_decay, clip_norm, m, v, t } = o;
            AdamData { learning_rate, beta1, beta2, epsilon, weight_decay, clip_norm, m, v, t }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::clip_global_norm;
    use crate::error::Error;

    #[test]
    fn global_norm_clipping_scales_every_piece_by_one_factor() {
        let (mut a, mut b) = (vec![1.0, -2.0], vec![2.0]);
        // ‖g‖ = 3: clipped to 1.5, every entry halves.
        assert_eq!(clip_global_norm(&mut [&mut a, &mut b], 1.5).unwrap(), 0.5);
        assert_eq!((a.as_slice(), b.as_slice()), (&[0.5, -1.0][..], &[1.0][..]));
        // Within the norm nothing moves.
        assert_eq!(clip_global_norm(&mut [&mut a, &mut b], 1.5).unwrap(), 1.0);
        assert_eq!((a.as_slice(), b.as_slice()), (&[0.5, -1.0][..], &[1.0][..]));
        assert!(matches!(clip_global_norm(&mut [&mut a], 0.0), Err(Error::InvalidHyperParameter { .. })));
        assert!(matches!(clip_global_norm(&mut [&mut a], f64::NAN), Err(Error::InvalidHyperParameter { .. })));
    }

    #[test]
    fn an_optimizers_clip_norm_steps_as_the_gradient_clipped_beforehand() {
        use super::{Adam, Sgd};
        let g = [3.0, -4.0]; // norm 5, clipped to 2: × 0.4
        let clipped = [1.2, -1.6];
        let (mut a, mut b) = ([0.5, 0.5], [0.5, 0.5]);
        Sgd::new(0.1).unwrap().with_clip_norm(2.0).unwrap().step(&mut a, &g).unwrap();
        Sgd::new(0.1).unwrap().step(&mut b, &clipped).unwrap();
        assert!(a.iter().zip(&b).all(|(x, y)| (x - y).abs() < 1e-15), "{a:?} vs {b:?}");
        let (mut adam, mut plain) = (Adam::new(0.1).unwrap().with_clip_norm(2.0).unwrap(), Adam::new(0.1).unwrap());
        let (mut a, mut b) = ([0.5, 0.5], [0.5, 0.5]);
        for _ in 0..3 {
            adam.step(&mut a, &g).unwrap();
            plain.step(&mut b, &clipped).unwrap();
        }
        assert!(a.iter().zip(&b).all(|(x, y)| (x - y).abs() < 1e-15), "{a:?} vs {b:?}");
    }
}
