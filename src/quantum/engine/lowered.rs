//! The part of a plan's lowering that depends on the weights alone, kept across passes while the weights stay
//! the same: a network's batch binds the same weights to every sample and different inputs, so only the gates
//! that read an input are lowered per sample.
//!
//! Every entry is made by the very calls the uncached passes make (the same lowering, the same products in the
//! same order), so a pass with the cache gives the same bits as one without it.

use num_complex::Complex64 as C;

use super::plan::{fused_op, mul1, Binding, Mat2x2, Plan};
use crate::error::ParamKind;
use crate::quantum::circuit::Instruction;
use crate::quantum::op::{Op, ONE, ZERO};

/// The weight-only lowering of one plan at one weights vector (see the module docs). Empty until
/// [`refresh`](Self::refresh) fills it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Lowered {
    /// The plan it was filled for ([`Plan::id`]), with the bits of the weights; `None` when empty.
    key: Option<u64>,
    weights: Vec<u64>,
    /// Per node: its op, when it is variable and reads no input.
    ops: Vec<Option<Op>>,
    /// The plan's record layout (see [`Node::record`](super::plan::Node::record)): a variable one-target node's
    /// member matrices where the member reads no input, and its product where no member does.
    record: Vec<Mat2x2>,
    /// Per member position (of `Plan::members`): whether `record` holds the member's matrix.
    member_known: Vec<bool>,
    /// Per slot (of `Plan::slots`): where its derivative matrix A (4 or 16 entries, as the sweep contracts it)
    /// starts in `mats`, when A reads no input.
    slot_mats: Vec<Option<usize>>,
    mats: Vec<C>,
    /// How many times it was filled.
    #[cfg(test)]
    fills: usize,
}

/// Whether instruction `inst` reads no input.
fn input_free(inst: &Instruction) -> bool {
    inst.gate().params().iter().all(|p| !matches!(p.source(), Some((ParamKind::Input, ..))))
}

/// (a·b†), as the backward sweep forms it.
pub(crate) fn mul_adj<const N: usize>(a: &[[C; N]; N], b: &[[C; N]; N]) -> [[C; N]; N] {
    std::array::from_fn(|r| {
        std::array::from_fn(|c| {
            let mut x = a[r][0] * b[c][0].conj();
            for k in 1..N {
                x += a[r][k] * b[c][k].conj();
            }
            x
        })
    })
}

/// The derivative matrices A = V·D·V† of a one-target node's angles, taken from its last member back, with
/// V = U_m⋯U_{k+1} built up one member at a time and D = (∂U_k/∂θ)·U_k†.
pub(crate) struct Suffix {
    v: Mat2x2,
    next: usize,
}

impl Suffix {
    /// For a node of `len` members (V = 1 so far).
    pub(crate) fn new(len: usize) -> Self {
        Suffix { v: [[ONE, ZERO], [ZERO, ONE]], next: len }
    }

    /// A for angle `slot` of member `member` (instruction `k`), the members' matrices `us`: V is advanced down to
    /// member + 1 first (so angles must come from the last member back).
    pub(crate) fn derivative(
        &mut self,
        binding: &Binding<'_>,
        us: &[Mat2x2],
        member: usize,
        k: usize,
        slot: usize,
    ) -> Mat2x2 {
        #[cfg(test)]
        super::GATE_WORK.with(|c| c.set((c.get().0, c.get().1 + 1)));
        while self.next > member + 1 {
            self.next -= 1;
            self.v = mul1(&self.v, &us[self.next]);
        }
        let gate = binding.circuit.instructions()[k].gate();
        let d = gate
            .rotation_generator(slot)
            .unwrap_or_else(|| mul_adj(&gate.derivative(binding.angles(k), slot).matrix1(), &us[member]));
        if self.next == us.len() {
            d
        } else {
            mul_adj(&mul1(&self.v, &d), &self.v)
        }
    }
}

impl Lowered {
    /// Makes the cache hold `plan` lowered at `binding`'s weights (filling it again only when the plan or the
    /// weights' bits differ from the last fill) and returns whether passes may use it: not for a shifted
    /// binding, whose one shifted angle may read a weight.
    pub(crate) fn refresh(&mut self, plan: &Plan, binding: &Binding<'_>) -> bool {
        if binding.shift.is_some() {
            return false;
        }
        if !self.holds(plan, binding) {
            self.fill(plan, binding);
        }
        true
    }

    /// Whether it holds `plan` lowered at `binding`'s weights (their bits), so that an unshifted pass may read it
    /// as it is: how samples that share one filled cache (a network's batch) check it.
    pub(crate) fn holds(&self, plan: &Plan, binding: &Binding<'_>) -> bool {
        self.key == Some(plan.id)
            && self.weights.len() == binding.weights.len()
            && self.weights.iter().zip(binding.weights).all(|(a, b)| *a == b.to_bits())
    }

    /// The bytes its buffers hold.
    pub(crate) fn bytes(&self) -> usize {
        size_of::<u64>() * self.weights.capacity()
            + size_of::<Option<Op>>() * self.ops.capacity()
            + size_of::<Mat2x2>() * self.record.capacity()
            + self.member_known.capacity()
            + size_of::<Option<usize>>() * self.slot_mats.capacity()
            + size_of::<C>() * self.mats.capacity()
    }

    /// Node `i`'s op, when it is variable and reads no input.
    pub(crate) fn op(&self, i: usize) -> Option<&Op> {
        self.ops[i].as_ref()
    }

    /// The matrix of the member at position `p` of `Plan::members` (of a variable one-target node), when it
    /// reads no input; `record` is the node's record offset plus the member's index in its node.
    pub(crate) fn member(&self, p: usize, record: usize) -> Option<&Mat2x2> {
        self.member_known[p].then(|| &self.record[record])
    }

    /// The record entries `range` (of a node whose op is known).
    #[cfg(test)]
    pub(crate) fn record(&self, range: std::ops::Range<usize>) -> &[Mat2x2] {
        &self.record[range]
    }

    /// Where the derivative matrix A of slot `j` (4 entries for a one-target node, 16 for two) starts in
    /// [`mats`](Self::mats), when it reads no input.
    pub(crate) fn slot_start(&self, j: usize) -> Option<usize> {
        self.slot_mats[j]
    }

    /// The derivative matrices it holds, one after another.
    pub(crate) fn mats(&self) -> &[C] {
        &self.mats
    }

    fn fill(&mut self, plan: &Plan, binding: &Binding<'_>) {
        let instructions = binding.circuit.instructions();
        #[cfg(test)]
        {
            self.fills += 1;
        }
        self.key = Some(plan.id);
        self.weights.clear();
        self.weights.extend(binding.weights.iter().map(|w| w.to_bits()));
        self.ops.clear();
        self.ops.resize(plan.nodes.len(), None);
        self.record.clear();
        self.record.resize(plan.record_len(), [[ZERO; 2]; 2]);
        self.member_known.clear();
        self.member_known.resize(plan.members.len(), false);
        self.slot_mats.clear();
        self.slot_mats.resize(plan.slots.len(), None);
        self.mats.clear();
        for (i, node) in plan.nodes.iter().enumerate() {
            if node.constant.is_some() {
                continue;
            }
            let (a, b) = node.members;
            let group = &plan.members[a..b];
            let free: Vec<bool> = group.iter().map(|&k| input_free(&instructions[k])).collect();
            let slots = node.slots.0..node.slots.1;
            if free.iter().all(|&f| f) {
                let record = &mut self.record[node.record.0..node.record.1];
                self.ops[i] = Some(fused_op(binding, group, record));
                self.member_known[a..b].fill(node.arity == 1);
            } else if node.arity == 1 {
                for (j, &k) in group.iter().enumerate().filter(|&(j, _)| free[j]) {
                    self.record[node.record.0 + j] = binding.lower(k).matrix1();
                    self.member_known[a + j] = true;
                }
            }
            if node.arity == 2 {
                // One instruction: A = (∂U/∂θ)·U†, known when it reads no input.
                let (Some(op), k) = (self.ops[i], group[0]) else { continue };
                for j in slots {
                    let derivative = instructions[k].gate().derivative(binding.angles(k), plan.slots[j].slot);
                    self.slot_mats[j] = Some(self.mats.len());
                    self.mats.extend(mul_adj(&derivative.matrix2(), &op.matrix2()).iter().flatten());
                }
                continue;
            }
            // A of member k's angle reads no input when no later member does (V), and neither does member k
            // unless D is its rotation generator; slots go from the last member back, so the first that
            // fails ends the node's known ones.
            let us = &self.record[node.record.0..node.record.0 + group.len()];
            let mut suffix = Suffix::new(group.len());
            for j in slots {
                let s = plan.slots[j];
                let generator = instructions[s.k].gate().rotation_generator(s.slot).is_some();
                if !free[s.member + 1..].iter().all(|&f| f) || !(generator || free[s.member]) {
                    break;
                }
                let a = suffix.derivative(binding, us, s.member, s.k, s.slot);
                self.slot_mats[j] = Some(self.mats.len());
                self.mats.extend(a.iter().flatten());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::BackScratch;
    use super::*;
    use crate::quantum::engine::Gradients;
    use crate::quantum::{Circuit, Param};

    /// Fused one-target nodes with the input first, in the middle and last, a non-rotation gate reading an
    /// input beside weights, a constant member among weights, two-target gates on a weight and on an input, and
    /// controlled rotations.
    fn circuit() -> Circuit {
        let (w, x) = (Param::weight, Param::input);
        let mut c = Circuit::new(4).unwrap();
        c.rx(0, x(0)).unwrap().ry(0, w(0)).unwrap().rz(0, w(1)).unwrap();
        c.ry(1, w(2)).unwrap().rx(1, x(1)).unwrap().u3(1, w(3), x(2), w(4)).unwrap();
        c.h(2).unwrap().rot(2, w(5), w(6), x(3)).unwrap().crx(0, 2, w(7)).unwrap().rxx(1, 3, x(0)).unwrap();
        c.ry(3, w(8)).unwrap().rz(3, 0.3).unwrap().u3(3, w(9), 0.2, w(10)).unwrap();
        c.cnot(2, 3).unwrap().rzz(0, 1, w(11)).unwrap().cry(3, 0, x(1)).unwrap();
        c.u3(0, w(12), w(13), w(14)).unwrap().rx(0, x(1)).unwrap().rot(2, w(15), 0.4, w(16)).unwrap();
        c
    }

    /// The final state, the record and the weight and input gradients (each sweep's, with and without the record,
    /// added), with or without the cache. With it, the nodes whose op it holds are left out of the record (the
    /// sweep reads them from the cache): checked, and their entries filled from the cache before the record is
    /// returned, so that it can be compared with one made without the cache.
    fn passes(
        plan: &Plan,
        c: &Circuit,
        w: &[f64],
        x: &[f64],
        cache: Option<&mut Lowered>,
    ) -> (Vec<C>, Vec<Mat2x2>, Vec<f64>) {
        let mut binding = Binding::new(c, w, x);
        if let Some(cache) = cache {
            binding = binding.with_cache(plan, cache);
            assert!(binding.lowered.is_some());
        }
        let mut phi = vec![ZERO; 16];
        phi[0] = ONE;
        let mut record = vec![[[ZERO; 2]; 2]; plan.record_len()];
        plan.forward(&binding, &mut phi, &mut Vec::new(), &mut record);
        let state = phi.clone();
        let mut returned = record.clone();
        for (i, node) in plan.nodes.iter().enumerate() {
            if let Some(lowered) = binding.lowered.filter(|l| l.op(i).is_some()) {
                let range = node.record.0..node.record.1;
                assert!(record[range.clone()].iter().flatten().flatten().all(|z| *z == ZERO), "node {i} not recorded");
                returned[range.clone()].copy_from_slice(lowered.record(range));
            }
        }
        // λ = Aφ for A = D + X₂/2 + 3X₀/10 (D diagonal), so that no angle's derivative vanishes.
        let a = |i: usize| phi[i] * (1.0 - (i & 9) as f64 * 0.1) + 0.5 * phi[i ^ 4] + 0.3 * phi[i ^ 1];
        let mut lambda: Vec<C> = (0..16).map(a).collect();
        let mut grads = vec![0.0; 17 + 4];
        let (gw, gx) = grads.split_at_mut(17);
        for recorded in [&record[..], &[]] {
            let (mut phi, mut lambda) = (phi.clone(), lambda.clone());
            let sinks = Gradients { weights: gw, inputs: Some(gx) };
            plan.backward(&binding, &mut phi, &mut lambda, recorded, sinks, &mut BackScratch::default());
        }
        lambda.clear();
        (state, returned, grads)
    }

    #[test]
    fn passes_with_the_cache_give_the_bits_of_passes_without_it() {
        let c = circuit();
        let plan = Plan::compile(&c);
        let mut cache = Lowered::default();
        let weights = |s: f64| (0..17).map(|i| (0.37 * i as f64 + s).sin() * 2.0).collect::<Vec<f64>>();
        let inputs = |s: f64| (0..4).map(|i| (0.71 * i as f64 - s).cos()).collect::<Vec<f64>>();
        for s in [0.0, 0.5, 1.3] {
            // The same weights with new inputs (the cache kept), then new weights (filled again).
            for x in [inputs(s), inputs(s + 0.2)] {
                let (w, x) = (weights(s), x);
                let cached = passes(&plan, &c, &w, &x, Some(&mut cache));
                let plain = passes(&plan, &c, &w, &x, None);
                assert_eq!(cached.0, plain.0, "state at s = {s}");
                assert_eq!(cached.1, plain.1, "record at s = {s}");
                assert_eq!(cached.2, plain.2, "gradients at s = {s}");
                assert!(plain.2.iter().all(|g| g.abs() > 1e-9), "every weight and input matters: {:?}", plain.2);
            }
        }
        // At zero angles the gate matrices have zero entries (sparser ops, signed zeros): still the same bits.
        for (w, x) in [(vec![0.0; 17], vec![0.0; 4]), (vec![-0.0; 17], vec![0.0; 4])] {
            let bits = |(state, record, grads): (Vec<C>, Vec<Mat2x2>, Vec<f64>)| -> Vec<u64> {
                let record = record.into_iter().flat_map(|m| m.into_iter().flatten());
                let parts = state.into_iter().chain(record).flat_map(|z| [z.re, z.im]);
                parts.chain(grads).map(f64::to_bits).collect()
            };
            let cached = bits(passes(&plan, &c, &w, &x, Some(&mut cache)));
            assert_eq!(cached, bits(passes(&plan, &c, &w, &x, None)));
        }
        // What the cache knows: the ops of the nodes without inputs, and the A of every angle whose node reads
        // no input after it (the input-first node's weights and its input's rotation generator).
        let (w, x) = (weights(0.0), inputs(0.0));
        let binding = Binding::new(&c, &w, &x).with_cache(&plan, &mut cache);
        let lowered = binding.lowered.unwrap();
        let variable: Vec<usize> = (0..plan.nodes.len()).filter(|&i| plan.nodes[i].constant.is_none()).collect();
        let known_ops = variable.iter().filter(|&&i| lowered.op(i).is_some()).count();
        // Nodes: q0 (x first), q1 (x middle), q2 (x last), crx, rxx (x), q3 (weights), rzz, cry (x), q0 (x last),
        // q2 (weights).
        assert_eq!((variable.len(), known_ops), (10, 4));
        // Slots, node by node: all 3 of the input-first node (RX's generator needs no input); none of q1's (its
        // U3 reads an input, and so does V for the others) or of the first Rot (φ is no generator); CRX's; none of
        // RXX's (its A is the derivative at the input's angle); the 3 of q3; RZZ's; CRY's, its generator alone
        // although it reads an input; the last RX's generator only (V holds it for the U3 before); the last
        // Rot's 2.
        let known_slots = |i: usize| {
            let (a, b) = plan.nodes[i].slots;
            (a..b).filter(|&j| lowered.slot_mats[j].is_some()).count()
        };
        assert_eq!(variable.iter().map(|&i| known_slots(i)).collect::<Vec<_>>(), [3, 0, 0, 1, 0, 3, 1, 1, 1, 2]);
    }

    /// Gate lowerings and derivative matrices made by `f` on this thread.
    fn gate_work(f: impl FnOnce()) -> (u64, u64) {
        let before = crate::quantum::engine::GATE_WORK.with(std::cell::Cell::get);
        f();
        let after = crate::quantum::engine::GATE_WORK.with(std::cell::Cell::get);
        (after.0 - before.0, after.1 - before.1)
    }

    #[test]
    fn at_cached_weights_a_sample_lowers_only_its_input_gates_and_makes_no_derivative_matrix() {
        // The network's circuit on 4 qubits: RX(x) then RZ·RY·RZ(w) per qubit, a CNOT ring, RZ·RY·RZ(w), a ring;
        // then a two-qubit RXX(w) and a lone controlled CRZ(w).
        let mut c = Circuit::new(4).unwrap();
        for layer in 0..2 {
            for q in 0..4 {
                if layer == 0 {
                    c.rx(q, Param::input(q)).unwrap();
                }
                let k = 12 * layer + 3 * q;
                c.rz(q, Param::weight(k))
                    .unwrap()
                    .ry(q, Param::weight(k + 1))
                    .unwrap()
                    .rz(q, Param::weight(k + 2))
                    .unwrap();
            }
            for q in 0..4 {
                c.cnot(q, (q + 1) % 4).unwrap();
            }
        }
        c.rxx(0, 2, Param::weight(24)).unwrap().crz(1, 3, Param::weight(25)).unwrap();
        let plan = Plan::compile(&c);
        let w: Vec<f64> = (0..26).map(|i| (0.3 * i as f64).cos()).collect();
        let mut cache = Lowered::default();
        let zero = [[ZERO; 2]; 2];
        for (sample, cached) in [(0, true), (1, true), (2, true), (3, false)] {
            let x: Vec<f64> = (0..4).map(|q| 0.2 * (sample * 4 + q) as f64).collect();
            let mut binding = Binding::new(&c, &w, &x);
            if cached {
                binding = binding.with_cache(&plan, &mut cache);
            }
            let mut record = vec![zero; plan.record_len()];
            let mut phi = vec![ZERO; 16];
            phi[0] = ONE;
            let forward = gate_work(|| plan.forward(&binding, &mut phi, &mut Vec::new(), &mut record));
            // The sweep from the record, and without it (the fused products made again).
            let [with, without] = [&record[..], &[]].map(|recorded| {
                let (mut phi, mut lambda) = (phi.clone(), phi.clone());
                let mut grads = [0.0; 30];
                let (gw, gx) = grads.split_at_mut(26);
                let sinks = Gradients { weights: gw, inputs: Some(gx) };
                gate_work(|| {
                    plan.backward(&binding, &mut phi, &mut lambda, recorded, sinks, &mut BackScratch::default())
                })
            });
            match cached {
                // The four RX gates forward and, without the record, back; never a derivative matrix.
                true => assert_eq!((forward, with, without), ((4, 0), (0, 0), (4, 0)), "sample {sample}"),
                // Every gate, then every angle's derivative (the RXX lowered again; without the record every gate).
                false => assert_eq!((forward, with, without), ((30, 0), (1, 30), (30, 30)), "sample {sample}"),
            }
        }
        assert_eq!(cache.fills, 1, "the same weights fill it once");
    }

    #[test]
    fn a_shifted_binding_or_another_plan_is_not_served_from_the_cache() {
        let c = circuit();
        let (plan, other) = (Plan::compile(&c), Plan::compile(&c));
        assert_eq!(plan, other);
        let w = vec![0.4; 17];
        let mut cache = Lowered::default();
        assert!(cache.refresh(&plan, &Binding::new(&c, &w, &[0.0; 4])));
        assert_eq!(cache.key, Some(plan.id));
        assert!(cache.refresh(&plan, &Binding::new(&c, &w, &[0.5; 4])));
        assert_eq!(cache.fills, 1, "new inputs keep it");
        assert!(cache.refresh(&other, &Binding::new(&c, &w, &[0.0; 4])));
        assert_eq!((cache.key, cache.fills), (Some(other.id), 2));
        let shift = Some(crate::quantum::engine::AngleShift { instruction: 1, slot: 0, delta: 0.5 });
        assert!(!cache.refresh(&plan, &Binding { shift, ..Binding::new(&c, &w, &[0.0; 4]) }));
        // −0.0 and 0.0 lower differently (the sign of a zero sine): the key is the bits.
        let mut z = vec![0.0; 17];
        assert!(cache.refresh(&plan, &Binding::new(&c, &z, &[0.0; 4])));
        z[0] = -0.0;
        let before = cache.weights.clone();
        assert!(cache.refresh(&plan, &Binding::new(&c, &z, &[0.0; 4])));
        assert_ne!(cache.weights, before);
        assert_eq!(cache.fills, 4, "a shifted binding neither fills nor uses it; other weights fill it");
        // Weights with a value more (unused by the circuit) are other weights too.
        z.push(0.0);
        assert!(cache.refresh(&plan, &Binding::new(&c, &z, &[0.0; 4])));
        assert_eq!(cache.fills, 5);
    }

    #[test]
    fn a_filled_cache_is_read_only_by_unshifted_bindings_of_its_plan_and_weights() {
        let c = circuit();
        let (plan, other) = (Plan::compile(&c), Plan::compile(&c));
        let w: Vec<f64> = (0..17).map(|i| 0.1 * i as f64).collect();
        let moved: Vec<f64> = w.iter().map(|v| v + 1.0).collect();
        let x = [0.3; 4];
        let mut cache = Lowered::default();
        assert!(cache.refresh(&plan, &Binding::new(&c, &w, &[0.0; 4])));
        let reads = |binding: Binding<'_>, plan: &Plan| binding.with_filled(plan, &cache).lowered.is_some();
        assert!(reads(Binding::new(&c, &w, &x), &plan), "other inputs read it");
        assert!(!reads(Binding::new(&c, &w, &x), &other), "another compilation");
        assert!(!reads(Binding::new(&c, &moved, &x), &plan), "other weights");
        let shift = Some(crate::quantum::engine::AngleShift { instruction: 1, slot: 0, delta: 0.5 });
        assert!(!reads(Binding { shift, ..Binding::new(&c, &w, &x) }, &plan), "a shifted binding");
        assert_eq!(cache.fills, 1, "reading never fills");
    }
}
