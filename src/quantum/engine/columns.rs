//! Samples side by side: a chunk of up to 2^[`MAX_COLUMN_BITS`] samples of one small circuit, which share
//! the weights and differ in their inputs, run as one register of n + b qubits whose b lowest qubits index the
//! sample (amplitude i of sample s at i·2^b + s). A gate on qubit q is the gate on qubit q + b of that register,
//! so one kernel call applies a node to every sample over long contiguous runs, where each sample alone costs
//! a call on 2^n amplitudes (a few dozen nanoseconds on the 6 qubits of a tagger's network, most of it the
//! call's own work).
//!
//! Only what the samples share runs side by side: the product prefix (the angle encoding, the one part that
//! reads inputs) is written per sample, and its derivatives are read per sample, as in
//! [`Plan::forward_from_zero`] and [`Plan::backward_from_zero`]. The kernels give every amplitude the same
//! arithmetic wherever it sits, each sample's correlations are summed in the order its own sweep sums them, and
//! each sample's derivatives are added in its own sweep's order: the results are those of the samples run one
//! by one, bit for bit.

use std::ops::Range;

use num_complex::Complex64 as C;

use super::backward::{add_to_row, BackScratch, Gradients};
use super::lowered::Lowered;
use super::plan::{Binding, Mat2x2, Node, Plan, Segment};
use super::product::{column0, place_product, MAX_PREFIX};
use crate::quantum::kernels::{self, RowLanes, MAX_WIDTH, PARALLEL_MIN_DIM};
use crate::quantum::op::{Op, ZERO};

/// At most 2^4 samples side by side (a network's chunk of samples).
pub(crate) const MAX_COLUMN_BITS: usize = MAX_WIDTH.trailing_zeros() as usize;

/// Registers of at most this many qubits run side by side: with 2^[`MAX_COLUMN_BITS`] samples the register
/// stays below [`PARALLEL_MIN_DIM`] amplitudes, so the kernels stay on the calling thread (the samples' chunks
/// are what runs in parallel).
pub(crate) const MAX_COLUMN_QUBITS: usize = PARALLEL_MIN_DIM.trailing_zeros() as usize - MAX_COLUMN_BITS - 1;

// The largest registers whose chunk stays below the kernels' parallel threshold.
const _: () = assert!(1 << (MAX_COLUMN_QUBITS + MAX_COLUMN_BITS) < PARALLEL_MIN_DIM);
const _: () = assert!(1 << (MAX_COLUMN_QUBITS + 1 + MAX_COLUMN_BITS) >= PARALLEL_MIN_DIM);

/// Up to 2^[`MAX_COLUMN_BITS`] states of n qubits side by side: amplitude i of sample s at i·2^b + s, with b
/// the fewest bits that index the samples.
#[derive(Debug, Clone, Default)]
pub(crate) struct Columns {
    amps: Vec<C>,
    bits: usize,
    samples: usize,
}

impl Columns {
    /// Makes room for `samples` states of `n` qubits (2^b of them, the ones past `samples` unused and zero):
    /// zero states when `zeroed`, else states each to be written in full (by [`write`](Self::write) or a
    /// product over every qubit), left as they were.
    pub(crate) fn reset(&mut self, n: usize, samples: usize, zeroed: bool) {
        assert!(samples > 0 && samples <= 1 << MAX_COLUMN_BITS, "1 to 16 samples side by side");
        self.bits = samples.next_power_of_two().trailing_zeros() as usize;
        self.samples = samples;
        if zeroed {
            self.amps.clear();
        }
        self.amps.resize(1 << (n + self.bits), ZERO);
        let width = self.width();
        if !zeroed && samples < width {
            for row in self.amps.chunks_exact_mut(width) {
                row[samples..].fill(ZERO);
            }
        }
    }

    fn width(&self) -> usize {
        1 << self.bits
    }

    /// Copies sample `s`'s state into `out` (2^n amplitudes).
    pub(crate) fn read(&self, s: usize, out: &mut [C]) {
        for (o, row) in out.iter_mut().zip(self.amps.chunks_exact(self.width())) {
            *o = row[s];
        }
    }

    /// Sets sample `s`'s state to `from` (2^n amplitudes).
    pub(crate) fn write(&mut self, s: usize, from: &[C]) {
        let width = self.width();
        for (&a, row) in from.iter().zip(self.amps.chunks_exact_mut(width)) {
            row[s] = a;
        }
    }
}

/// Reusable buffers of [`Plan::backward_columns`].
#[derive(Debug, Clone, Default)]
pub(crate) struct ColumnScratch {
    /// The work of the nodes swept side by side, prepared once for every sample.
    shared: BackScratch,
    /// Each sample's correlations, one row of the shared work's width per sample.
    sums: Vec<f64>,
    /// One sample's sweep of the product prefix.
    sample: BackScratch,
    /// One sample's λ at the prefix's end.
    lambda: Vec<C>,
    /// A cycle's first row, when permutation runs move the rows (see `AffineRun::permute_rows`).
    buf: Vec<C>,
    /// A node's correlation lanes, every sample's.
    rows: Box<RowLanes>,
}

/// Applies `op` placed as `node` says to every sample of the columns whose samples take the `bits` lowest qubits.
fn apply_wide(amps: &mut [C], node: &Node, op: &Op, bits: usize) {
    let targets = [node.targets[0] + bits, node.targets[1] + bits];
    kernels::apply_op(amps, op, &targets[..node.arity], node.ctrl << bits);
}

/// Adds each sample's four correlations of a one-target node on qubit `q` without controls into its row of
/// `sums` (`stride` entries per sample, the correlations' real and imaginary parts from `at` on), summed as the
/// sweep sums them on the sample alone: its lanes (see [`kernels::correlate_rows`]) folded as
/// [`fold_lanes`](kernels::fold_lanes) folds them, turned into correlations by [`kernels::correlations`] and
/// added as `add_to_row` adds them. `rows` is scratch.
fn correlate_columns(
    phi: &Columns,
    lambda: &Columns,
    q: usize,
    rows: &mut RowLanes,
    sums: &mut [f64],
    at: (usize, usize),
) {
    kernels::correlate_rows(&phi.amps, &lambda.amps, phi.width(), 1 << q, rows);
    let [re, im] = &*rows;
    let (stride, at) = at;
    for (s, row) in sums.chunks_exact_mut(stride).enumerate() {
        let fold = |lanes: &[[f64; MAX_WIDTH]; 4]| (lanes[0][s] + lanes[1][s]) + (lanes[2][s] + lanes[3][s]);
        let folded = std::array::from_fn(|e| C::new(fold(&re[e]), fold(&im[e])));
        add_to_row(&mut row[at..at + 8], &kernels::correlations(folded));
    }
}

impl Plan {
    /// Whether samples of this plan on `n` qubits, sharing `cache` (filled for the plan), can run side by side:
    /// a register of at most [`MAX_COLUMN_QUBITS`] qubits whose nodes past the product prefix are constant or
    /// held by the cache (they read no input), those with angles one-target and uncontrolled, and whose
    /// permutation runs are gathered.
    pub(crate) fn runs_in_columns(&self, n: usize, cache: &Lowered) -> bool {
        let shared = |(i, node): (usize, &Node)| {
            node.constant.is_some() || (cache.op(i).is_some() && node.arity == 1 && node.ctrl == 0)
        };
        let segment = |segment: &Segment| match *segment {
            Segment::Tiled(..) => false,
            Segment::Affine(.., k) => self.affine[k].gathers(),
            Segment::Node(_) | Segment::Blocked(..) => true,
        };
        n <= MAX_COLUMN_QUBITS
            && self.nodes.iter().enumerate().skip(self.prefix).all(shared)
            && self.schedule.iter().chain(&self.segments).all(segment)
    }

    /// [`forward_from_zero`](Self::forward_from_zero) of every binding's sample, side by side in `states`
    /// (reset for them): each sample's product prefix as it writes it (the record into `records[s]`, empty or
    /// of [`record_len`](Self::record_len) entries), then the rest of the schedule once for all. The bindings
    /// share the weights and a cache for which [`runs_in_columns`](Self::runs_in_columns) holds; `buf` holds a
    /// row while permutation runs move the rows.
    pub(crate) fn forward_columns(
        &self,
        bindings: &[Binding<'_>],
        records: &mut [&mut [Mat2x2]],
        states: &mut Columns,
        buf: &mut Vec<C>,
    ) {
        #[cfg(test)]
        super::FORWARD_PASSES.with(|c| c.set(c.get() + bindings.len() as u64));
        // A product over every qubit writes every amplitude of its sample.
        let n = bindings[0].circuit.num_qubits();
        states.reset(n, bindings.len(), self.prefix < n);
        let (p, width, bits) = (self.prefix, states.width(), states.bits);
        let mut targets = [0; MAX_PREFIX];
        for (t, node) in targets.iter_mut().zip(&self.nodes[..p]) {
            *t = node.targets[0];
        }
        for (s, (binding, record)) in bindings.iter().zip(records.iter_mut()).enumerate() {
            let mut us = [[ZERO; 2]; MAX_PREFIX];
            for (i, u) in us[..p].iter_mut().enumerate() {
                *u = column0(&self.node_op(i, binding, record));
            }
            place_product(&mut states.amps, width, s, &targets[..p], &us[..p]);
        }
        for &segment in &self.schedule {
            let Range { start, end } = segment.nodes();
            // A permutation run never holds a prefix node; other segments run their nodes past the prefix.
            match segment {
                Segment::Affine(.., k) => self.affine[k].permute_rows(&mut states.amps, width, buf, false),
                _ => {
                    for i in start.max(p)..end {
                        let op = self.node_op(i, &bindings[0], &mut []);
                        apply_wide(&mut states.amps, &self.nodes[i], &op, bits);
                    }
                }
            }
        }
    }

    /// [`backward_from_zero`](Self::backward_from_zero) of every sample of
    /// [`forward_columns`](Self::forward_columns), side by side: φ (the samples' final states) and λ are
    /// consumed. Sample s adds its derivatives as its own sweep would, samples in order: the weights' into
    /// `weights`, the inputs' into row s of `inputs` (one entry per input) when given. `records` as the forward
    /// pass wrote them.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn backward_columns(
        &self,
        bindings: &[Binding<'_>],
        phi: &mut Columns,
        lambda: &mut Columns,
        records: &[&[Mat2x2]],
        weights: &mut [f64],
        mut inputs: Option<&mut [f64]>,
        scratch: &mut ColumnScratch,
    ) {
        let want_inputs = inputs.is_some();
        let Some(first) = (if want_inputs { self.first_param } else { self.first_weight }) else { return };
        let (p, samples, bits) = (self.prefix, phi.samples, phi.bits);
        let stop = first.max(p);
        // The segments the sweep walks (from the last), and the work of their nodes, prepared once: every node
        // past the prefix reads only weights, the same for every sample.
        let walked = || {
            self.segments.iter().rev().map_while(move |segment| {
                let Range { start, end } = segment.nodes();
                (end > stop).then_some((*segment, start.max(stop)..end))
            })
        };
        let ColumnScratch { shared, sums, sample, lambda: lam, buf, rows } = scratch;
        shared.clear_work();
        let mut width = 0;
        for (segment, range) in walked() {
            if !matches!(segment, Segment::Affine(..)) {
                width = self.push_work(&bindings[0], range, &[], want_inputs, shared, width);
            }
        }
        sums.clear();
        sums.resize(samples * width, 0.0);
        let mut done = 0;
        for (segment, range) in walked() {
            if let Segment::Affine(.., k) = segment {
                for state in [&mut *phi, &mut *lambda] {
                    let width = state.width();
                    self.affine[k].permute_rows(&mut state.amps, width, buf, true);
                }
                continue;
            }
            let work = &shared.work()[done..done + range.len()];
            done += range.len();
            for (i, w) in range.zip(work).rev() {
                let node = &self.nodes[i];
                if w.correlates() {
                    correlate_columns(phi, lambda, node.targets[0], rows, sums, (width, w.row()));
                }
                apply_wide(&mut phi.amps, node, &w.undo, bits);
                apply_wide(&mut lambda.amps, node, &w.undo, bits);
            }
        }
        lam.resize(phi.amps.len() >> bits, ZERO);
        for (s, binding) in bindings.iter().enumerate() {
            let inputs = inputs.as_deref_mut().map(|x| {
                let n = x.len() / samples;
                &mut x[s * n..(s + 1) * n]
            });
            let mut sinks = Gradients { weights: &mut *weights, inputs };
            self.contract_sums(shared, &sums[s * width..(s + 1) * width], &mut sinks, binding.lowered);
            if first < p {
                lambda.read(s, lam);
                let recorded = if records[s].len() == self.record_len() { records[s] } else { &[] };
                self.prefix_backward(first..p, binding, lam, recorded, &mut sinks, sample);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quantum::{Circuit, Param};

    /// Inputs encoded by RX (fused with the first rotations), then layers of rotations of every form (general,
    /// real RY, RX-like, diagonal RZ and a phase), constant gates (H, S, a CZ, a SWAP, an RZZ) and CNOT rings,
    /// on `n` qubits.
    fn circuit(n: usize, layers: usize) -> Circuit {
        let (w, x) = (Param::weight, Param::input);
        let mut c = Circuit::new(n).unwrap();
        for q in 0..n {
            c.rx(q, x(q)).unwrap().rot(q, w(3 * q), w(3 * q + 1), w(3 * q + 2)).unwrap();
        }
        let mut k = 3 * n;
        for layer in 0..layers {
            for q in (0..n).filter(|_| n > 1) {
                c.cnot(q, (q + 1 + layer % (n - 1)) % n).unwrap();
            }
            for q in 0..n {
                match (q + layer) % 5 {
                    0 => c.ry(q, w(k)).unwrap(),
                    1 => c.rx(q, w(k)).unwrap(),
                    2 => c.rz(q, w(k)).unwrap().phase(q, w(k + 1)).unwrap(),
                    3 => c.h(q).unwrap().s(q).unwrap(),
                    _ => c.rot(q, w(k), w(k + 1), w(k + 2)).unwrap(),
                };
                k += 3;
            }
            if n > 1 {
                c.cz(0, n - 1).unwrap().swap(0, n - 1).unwrap().rzz(n - 1, 0, 0.7).unwrap();
            }
        }
        c
    }

    fn pseudo(i: usize, salt: f64) -> f64 {
        ((i as f64 + 1.0) * salt).sin() * 2.0
    }

    /// Forward and backward side by side against each sample alone (`forward_from_zero`, then
    /// `backward_from_zero` from the same λ), for 1 to 16 samples: the same states, records and gradients, bit
    /// for bit, weights summed in sample order.
    #[test]
    fn samples_side_by_side_are_each_sample_alone_bit_for_bit() {
        for (n, layers) in [(1, 1), (2, 2), (5, 2), (6, 2), (7, 3)] {
            let c = circuit(n, layers);
            let plan = Plan::compile(&c);
            assert_eq!(plan.prefix, n, "{n} qubits");
            let w: Vec<f64> = (0..c.num_weights()).map(|i| pseudo(i, 0.7)).collect();
            let mut cache = Lowered::default();
            assert!(cache.refresh(&plan, &Binding::new(&c, &w, &vec![0.0; n])));
            assert!(plan.runs_in_columns(n, &cache));
            for samples in [1, 3, 16] {
                let xs: Vec<Vec<f64>> =
                    (0..samples).map(|s| (0..n).map(|q| pseudo(s * n + q, 1.3)).collect()).collect();
                let bindings: Vec<Binding<'_>> =
                    xs.iter().map(|x| Binding::new(&c, &w, x).with_filled(&plan, &cache)).collect();
                let dim = 1 << n;
                let lambda_of = |s: usize| -> Vec<C> {
                    (0..dim).map(|i| C::new(pseudo(i, 0.3 + s as f64), pseudo(i, 0.9))).collect()
                };
                // Each sample alone.
                let (mut alone_states, mut alone_records) = (Vec::new(), Vec::new());
                let mut alone_w = vec![0.0; w.len()];
                let mut alone_x = vec![0.0; samples * n];
                let mut scratch = BackScratch::default();
                for (s, binding) in bindings.iter().enumerate() {
                    let (mut state, mut record) = (vec![ZERO; dim], vec![[[ZERO; 2]; 2]; plan.record_len()]);
                    plan.forward_from_zero(binding, &mut state, &mut Vec::new(), &mut record);
                    let (mut phi, mut lambda) = (state.clone(), lambda_of(s));
                    let sinks = Gradients { weights: &mut alone_w, inputs: Some(&mut alone_x[s * n..(s + 1) * n]) };
                    plan.backward_from_zero(binding, &mut phi, &mut lambda, &record, sinks, &mut scratch);
                    alone_states.push(state);
                    alone_records.push(record);
                }
                // Side by side.
                let mut records = vec![vec![[[ZERO; 2]; 2]; plan.record_len()]; samples];
                let mut views: Vec<&mut [Mat2x2]> = records.iter_mut().map(|r| &mut r[..]).collect();
                let (mut phi, mut lambda) = (Columns::default(), Columns::default());
                plan.forward_columns(&bindings, &mut views, &mut phi, &mut Vec::new());
                lambda.reset(n, samples, true);
                let mut state = vec![ZERO; dim];
                for (s, alone) in alone_states.iter().enumerate() {
                    phi.read(s, &mut state);
                    let bits = |v: &[C]| v.iter().map(|a| (a.re.to_bits(), a.im.to_bits())).collect::<Vec<_>>();
                    assert_eq!(bits(&state), bits(alone), "{n} qubits, sample {s} of {samples}");
                    lambda.write(s, &lambda_of(s));
                }
                assert_eq!(records, alone_records);
                let (mut gw, mut gx) = (vec![0.0; w.len()], vec![0.0; samples * n]);
                let views: Vec<&[Mat2x2]> = records.iter().map(|r| &r[..]).collect();
                let mut scratch = ColumnScratch::default();
                plan.backward_columns(&bindings, &mut phi, &mut lambda, &views, &mut gw, Some(&mut gx), &mut scratch);
                let bits = |v: &[f64]| v.iter().map(|a| a.to_bits()).collect::<Vec<_>>();
                assert_eq!(bits(&gw), bits(&alone_w), "{n} qubits, {samples} samples: weights");
                assert_eq!(bits(&gx), bits(&alone_x), "{n} qubits, {samples} samples: inputs");
                assert!(gw.iter().chain(&gx).any(|&g| g != 0.0));
            }
        }
    }

    /// Plans whose shared part would read an input, or whose correlations would need two targets or controls,
    /// or that are too large, do not run side by side.
    /// `reset` for states to be written in full leaves the used samples' amplitudes as they were and zeroes
    /// the unused samples' (so no stale value, NaN or subnormal, flows through their lanes); a zeroed reset
    /// zeroes everything.
    #[test]
    fn a_reset_for_writes_zeroes_only_the_unused_samples() {
        let n = 3;
        let mut cols = Columns::default();
        cols.reset(n, 16, true);
        let state = |s: usize| (0..1 << n).map(|i| C::new(f64::NAN, (i * 16 + s) as f64)).collect::<Vec<_>>();
        for s in 0..16 {
            cols.write(s, &state(s));
        }
        cols.reset(n, 5, false);
        assert_eq!(cols.width(), 8);
        for (i, row) in cols.amps.chunks_exact(8).enumerate() {
            for (s, a) in row.iter().enumerate() {
                if s < 5 {
                    assert!(a.re.is_nan(), "row {i}, sample {s} kept as it was");
                } else {
                    assert_eq!(*a, ZERO, "row {i}, unused sample {s}");
                }
            }
        }
        cols.reset(n, 5, true);
        assert!(cols.amps.iter().all(|a| *a == ZERO));
    }

    #[test]
    fn only_plans_whose_samples_share_all_but_the_prefix_run_side_by_side() {
        let (w, x) = (Param::weight, Param::input);
        let fits = |c: &Circuit| {
            let plan = Plan::compile(c);
            let mut cache = Lowered::default();
            let weights = vec![0.3; c.num_weights()];
            assert!(cache.refresh(&plan, &Binding::new(c, &weights, &vec![0.1; c.num_inputs()])));
            plan.runs_in_columns(c.num_qubits(), &cache)
        };
        assert!(fits(&circuit(MAX_COLUMN_QUBITS, 2)));
        assert!(!fits(&circuit(MAX_COLUMN_QUBITS + 1, 2)), "too large");
        let mut reupload = circuit(4, 1);
        reupload.ry(2, x(1)).unwrap();
        assert!(!fits(&reupload), "an input past the prefix");
        let mut pair = circuit(4, 1);
        pair.rzz(0, 1, w(40)).unwrap();
        assert!(!fits(&pair), "a two-target gate with an angle");
        let mut controlled = circuit(4, 1);
        controlled.crx(0, 1, w(40)).unwrap();
        assert!(!fits(&controlled), "a controlled gate with an angle");
        let mut constant = circuit(4, 1);
        constant.swap(0, 2).unwrap().toffoli(0, 1, 3).unwrap().rzz(1, 2, 0.4).unwrap();
        assert!(fits(&constant), "constant gates of any kind");
    }
}
