//! Compiling a circuit into a plan: gate fusion and cache-blocking segments, decided once from the circuit's
//! structure; the numbers of trainable and input angles are bound per evaluation.

use num_complex::Complex64 as C;

use std::ops::Range;

use super::affine::{AffineRun, Flip, GATHER_MAX_QUBITS};
use super::lowered::Lowered;
use super::window::{self, Window};
use crate::error::ParamKind;
use crate::quantum::circuit::{Circuit, Instruction};
use crate::quantum::op::{Op, ONE};
use crate::quantum::Param;

/// Qubits below this index are *low*: an op on low qubits only maps every aligned block of 2^15 amplitudes
/// (512 KiB, within a core's L2) onto itself. Measured against 13 (128 KiB): the G1 rotation layers on 20 to
/// 24 qubits take 7–15% less time (a 24-qubit layer is one blocked and one tiled pass instead of one and two),
/// CNOT ladders and G2 gradients the same within noise.
pub(crate) const BLOCK_QUBITS: usize = 15;

/// Qubits below this index fit a *chunk*: within a block (or a tile), a run of nodes on such qubits only goes
/// chunk by chunk, 2^11 amplitudes (32 KiB) that stay in a core's L1 data cache (48 KiB here) while the run
/// passes over them.
pub(crate) const CHUNK_QUBITS: usize = 11;

/// The longest run of low nodes applied block by block.
pub(crate) const MAX_BLOCKED_RUN: usize = 64;

/// A tile of the forward pass is 2^[`TILE_LOW_BITS`] contiguous amplitudes (1 KiB) for each pattern of up to
/// [`BLOCK_QUBITS`] − [`TILE_LOW_BITS`] higher qubits: 2^15 amplitudes gathered into a buffer that stays in
/// cache while a run of nodes on those qubits is applied to it.
pub(crate) const TILE_LOW_BITS: usize = 6;

/// Registers of at least this many qubits fuse runs of X, CNOT and SWAP into one affine permutation (smaller
/// states are cheap to pass over, and keep the in-place path).
pub(crate) const AFFINE_MIN_QUBITS: usize = 14;

/// The shortest run of permutation nodes fused into one affine map: measured for the out-of-place scatter pass
/// that the in-place passes replaced, which cost about as much as 2.5 to 5 in-place CNOT passes on 14 to 22
/// qubits; the in-place passes are as fast or faster (G1 CNOT ladders: 0.97× at 16 qubits, 0.72–0.78× at 20,
/// 0.42–0.50× at 22 and 24).
pub(crate) const AFFINE_MIN_RUN: usize = 4;

/// The shortest run on low qubits only that is fused: shorter ones stay in cache-blocked runs, which apply
/// them in one in-place pass (measured on 20 qubits: 12 low CNOTs blocked cost about 0.2× a scatter pass less
/// than fused, 36 cost 2× more).
pub(crate) const AFFINE_MIN_LOW_RUN: usize = 16;

/// On registers larger than a block, a permutation run is fused into one affine pass only when it is at least
/// this deep (a ladder or a ring): shallower runs (a layer of CNOTs on disjoint pairs) join the cache windows,
/// whose passes apply them in cache (measured on random brickwork of 22 and 24 qubits: 10% faster than with
/// its CNOT layers fused; HEA's CNOT rings fused are 20% faster than in windows).
pub(crate) const AFFINE_MIN_DEPTH: usize = 3;

/// The shortest run of permutation nodes that a register of `n` ≤ [`GATHER_MAX_QUBITS`] qubits applies as one
/// gather (see [`AffineRun`]): measured, a gather costs about as much as n/3 + 1 CNOT passes (2 on 6 qubits, 3
/// on 8, 4 on 10), so runs of n/2 or more gain.
pub(crate) fn gather_min_run(n: usize) -> usize {
    (n / 2).max(2)
}

/// One operation of the plan: a single instruction, several uncontrolled one-qubit instructions on the same
/// qubit (fused into one 2x2 matrix), or constant diagonal instructions on a pair of qubits (one diagonal 4x4
/// matrix, see [`group_instructions`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Node {
    /// The node's instructions, in circuit order, as a range of `Plan::members`.
    pub(crate) members: (usize, usize),
    /// The op's targets (`arity` of them).
    pub(crate) targets: [usize; 2],
    /// 1 or 2.
    pub(crate) arity: usize,
    /// Every qubit that must be |1⟩.
    pub(crate) ctrl: usize,
    /// The bound op, when no member reads a weight or an input.
    pub(crate) constant: Option<Op>,
    /// Whether every qubit the node touches is low.
    pub(crate) low: bool,
    /// The angles of the node that read a weight or an input, as a range of `Plan::slots`.
    pub(crate) slots: (usize, usize),
    /// What a recorded forward pass keeps of the node for the backward sweep, as a range of the record (see
    /// [`Plan::record_len`]): a variable one-target node's member matrices U_1, …, U_m, then, when m > 1, their
    /// product U_m⋯U_1; nothing for another node.
    pub(crate) record: (usize, usize),
}

impl Node {
    /// Every qubit the node touches, as a bit mask.
    pub(crate) fn qubit_mask(&self) -> usize {
        self.targets[..self.arity].iter().fold(self.ctrl, |m, &q| m | 1 << q)
    }
}

/// An angle that reads a weight or an input: slot `slot` of instruction `k`, member `member` of its node,
/// reading `kind` number `index` times `scale`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Slot {
    pub(crate) member: usize,
    pub(crate) k: usize,
    pub(crate) slot: usize,
    pub(crate) kind: ParamKind,
    pub(crate) index: usize,
    pub(crate) scale: f64,
}

/// How the plan's nodes are executed: one at a time, or a run of low nodes block by block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Segment {
    /// Node `i` over the whole state.
    Node(usize),
    /// Nodes `start..end`, every aligned block of 2^[`BLOCK_QUBITS`] amplitudes at a time.
    Blocked(usize, usize),
    /// Nodes `start..end`, tile by tile: each tile holds the qubits below [`TILE_LOW_BITS`] and
    /// the qubits of the mask, every qubit the nodes touch being one of them.
    Tiled(usize, usize, usize),
    /// Nodes `start..end`, all permutations (X, CNOT, SWAP), as the one affine pass `Plan::affine[k]`.
    Affine(usize, usize, usize),
}

impl Segment {
    /// The segment's nodes.
    pub(crate) fn nodes(self) -> std::ops::Range<usize> {
        match self {
            Segment::Node(i) => i..i + 1,
            Segment::Blocked(a, b) | Segment::Tiled(a, b, _) | Segment::Affine(a, b, _) => a..b,
        }
    }
}

/// A circuit compiled for a register of `num_qubits` qubits.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    /// Tells plans apart for the caches of their lowering ([`Lowered`]): unique per compilation, kept by
    /// clones, and not part of the plan's value (two compilations of one circuit are equal plans).
    pub(crate) id: u64,
    pub(crate) nodes: Vec<Node>,
    /// Instruction indices, grouped by node.
    pub(crate) members: Vec<usize>,
    /// The angles that read weights or inputs, grouped by node, each node's from its last member back (the
    /// backward sweep's order).
    pub(crate) slots: Vec<Slot>,
    /// The first node with an angle that reads a weight: the backward sweep for weights stops there.
    pub(crate) first_weight: Option<usize>,
    /// The first node with an angle that reads a weight or an input.
    pub(crate) first_param: Option<usize>,
    /// The backward sweep's order: nodes and blocked runs.
    pub(crate) segments: Vec<Segment>,
    /// The forward pass's order: the same, with runs touching high qubits tiled.
    pub(crate) schedule: Vec<Segment>,
    /// The fused permutation runs that `Segment::Affine` names.
    pub(crate) affine: Vec<AffineRun>,
    /// The leading nodes that make a product state from |0…0⟩ (see `product`); 0 on registers that are tiled.
    pub(crate) prefix: usize,
}

impl PartialEq for Plan {
    fn eq(&self, other: &Plan) -> bool {
        let Plan { id: _, nodes, members, slots, first_weight, first_param, segments, schedule, affine, prefix } = self;
        *nodes == other.nodes
            && *members == other.members
            && *slots == other.slots
            && *first_weight == other.first_weight
            && *first_param == other.first_param
            && *segments == other.segments
            && *schedule == other.schedule
            && *affine == other.affine
            && *prefix == other.prefix
    }
}

/// Whether `inst` can join a one-qubit fused node: one target, no control of any kind.
fn fusable(inst: &Instruction) -> bool {
    inst.op_targets().len() == 1 && inst.control_mask() == 0
}

/// A 2x2 complex matrix, row-major.
pub(crate) type Mat2x2 = [[C; 2]; 2];

/// The product a·b of two 2x2 matrices.
pub(crate) fn mul1(a: &[[C; 2]; 2], b: &[[C; 2]; 2]) -> [[C; 2]; 2] {
    std::array::from_fn(|r| std::array::from_fn(|c| a[r][0] * b[0][c] + a[r][1] * b[1][c]))
}

impl Plan {
    /// Compiles `circuit`: consecutive one-qubit gates on a qubit are fused into one node (gates on other
    /// qubits in between commute with them, so they are moved next to each other), and runs of nodes on low
    /// qubits are cache-blocked when the state is larger than a block.
    pub(crate) fn compile(circuit: &Circuit) -> Plan {
        Plan::compile_with(circuit, AFFINE_MIN_QUBITS)
    }

    /// The length of a forward pass's record for the backward sweep: the entries of every node's
    /// [`record`](Node::record) range, node after node.
    pub(crate) fn record_len(&self) -> usize {
        self.nodes.last().map_or(0, |node| node.record.1)
    }

    /// [`compile`](Self::compile), fusing permutation runs when the register has at least `affine_min` qubits.
    pub(crate) fn compile_with(circuit: &Circuit, affine_min: usize) -> Plan {
        let n = circuit.num_qubits();
        let mut groups = group_instructions(circuit);
        let tiling = n > BLOCK_QUBITS;
        let windows = match tiling {
            true => cache_windows(circuit, &mut groups),
            false => (0..groups.len()).map(|g| (g..g + 1, 0)).collect(),
        };
        let mut nodes = Vec::with_capacity(groups.len());
        let mut members = Vec::with_capacity(circuit.len());
        let mut slots = Vec::new();
        let mut record = 0;
        for group in &groups {
            nodes.push(make_node(circuit, group, &mut members, &mut slots, &mut record));
        }
        let flips: Vec<Option<Flip>> = nodes.iter().map(Flip::of).collect();
        let (mut segments, mut schedule, mut affine) = (Vec::new(), Vec::new(), Vec::new());
        // Maximal stretches of windows whose nodes are all permutations may become one affine pass; the other
        // stretches are blocked runs for the backward sweep and the windows for the forward pass.
        let emit =
            |range: Range<usize>, windows: &[Window], segments: &mut Vec<Segment>, schedule: &mut Vec<Segment>| {
                match tiling {
                    true => {
                        schedule.extend(windows.iter().map(|w| window_segment(&nodes, w)));
                        segments.extend(windows.iter().flat_map(|w| backward_segments(&nodes, w)));
                    }
                    false => {
                        segments.extend(order(&nodes, range.clone()));
                        schedule.extend(order(&nodes, range));
                    }
                }
            };
        let (mut w, mut at) = (0, 0);
        while w < windows.len() {
            let perms = windows[w..].iter().take_while(|(r, _)| flips[r.clone()].iter().all(Option::is_some)).count();
            if perms == 0 {
                w += 1;
                continue;
            }
            let (a, b) = (windows[w].0.start, windows[w + perms - 1].0.end);
            let gathered = n <= GATHER_MAX_QUBITS && affine_min <= AFFINE_MIN_QUBITS && b - a >= gather_min_run(n);
            if gathered || n >= affine_min && fuses(&nodes[a..b]) {
                emit(windows[at].0.start..a, &windows[at..w], &mut segments, &mut schedule);
                let run: Vec<Flip> = flips[a..b].iter().map(|f| f.expect("a permutation node")).collect();
                segments.push(Segment::Affine(a, b, affine.len()));
                schedule.push(Segment::Affine(a, b, affine.len()));
                affine.push(AffineRun::new(n, &run));
                at = w + perms;
            }
            w += perms;
        }
        emit(
            windows.get(at).map_or(nodes.len(), |w| w.0.start)..nodes.len(),
            &windows[at..],
            &mut segments,
            &mut schedule,
        );
        let reads = |node: &Node, inputs_too: bool| {
            slots[node.slots.0..node.slots.1].iter().any(|s| inputs_too || s.kind == ParamKind::Weight)
        };
        let first_weight = nodes.iter().position(|node| reads(node, false));
        let first_param = nodes.iter().position(|node| reads(node, true));
        static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let id = NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let prefix = if tiling { 0 } else { super::product::prefix_len(&nodes, schedule.first()) };
        Plan { id, nodes, members, slots, first_weight, first_param, segments, schedule, affine, prefix }
    }
}

/// The qubits of `inst` (two at most) when it is diagonal with constant angles (Z, S, T, RZ, Phase, CZ, CPhase,
/// CRZ, RZZ), as a mask.
fn constant_diagonal(inst: &Instruction) -> Option<usize> {
    let mask = qubit_mask(inst);
    let constant = inst.gate().params().iter().all(|p| p.is_const());
    let diagonal = || matches!(inst.gate().lower(inst.angles(&[], &[])), Op::Diag1(_) | Op::Diag2(_));
    (constant && mask.count_ones() <= 2 && diagonal()).then_some(mask)
}

/// Constant diagonal gates on a pair of qubits merge into one node only when the pair's higher qubit is at least
/// this one (in a tile too, where it stays at or above [`TILE_LOW_BITS`]): the pair's kernel then makes one call
/// per half-block of at least 2^6 amplitudes, not one per short run.
const DIAGONAL_PAIR_MIN_QUBIT: usize = TILE_LOW_BITS;

/// The circuit's instructions grouped into nodes, in an order that applies the same operator: runs of
/// uncontrolled one-qubit gates on one qubit (gates on other qubits in between commute with them, so they are
/// moved next to each other), and constant diagonal gates on a pair of qubits whose higher qubit is at least
/// [`DIAGONAL_PAIR_MIN_QUBIT`] (a CZ with the RZ, phase, Z, S and T gates beside it on its qubits: diagonal
/// gates commute, so no gate on the pair comes between them in the new order).
fn group_instructions(circuit: &Circuit) -> Vec<Vec<usize>> {
    let n = circuit.num_qubits();
    let instructions = circuit.instructions();
    let mut groups: Vec<Vec<usize>> = Vec::new();
    // The group that a one-qubit gate on q joins: a run of one-qubit gates on q.
    let mut open: Vec<Option<usize>> = vec![None; n];
    // The last group on each qubit, and each group's qubits when all its members are constant and diagonal.
    let mut last: Vec<Option<usize>> = vec![None; n];
    let mut diagonal: Vec<Option<usize>> = Vec::new();
    for (k, inst) in instructions.iter().enumerate() {
        let mask = qubit_mask(inst);
        let diagonal_gate = constant_diagonal(inst);
        if let Some(g) = diagonal_gate.and_then(|m| diagonal_pair(m, &last, &diagonal)) {
            // The last groups on the gate's qubits move to the latest of them (each is the last on all of its own
            // qubits, all of them among the gate's two), and the gate moves back to it: all diagonal, they commute.
            for h in bits(mask).filter_map(|q| last[q]).filter(|&h| h != g) {
                if diagonal[h].take().is_some() {
                    let moved = std::mem::take(&mut groups[h]);
                    groups[g].extend(moved);
                }
            }
            groups[g].push(k);
            groups[g].sort_unstable();
            diagonal[g] = diagonal[g].map(|held| held | mask);
            for q in bits(mask) {
                last[q] = Some(g);
            }
            // A pair node takes no more one-qubit gates but constant diagonal ones (through `last`).
            for q in bits(diagonal[g].unwrap_or(0)).filter(|&q| last[q] == Some(g)) {
                open[q] = None;
            }
            continue;
        }
        let fusable = fusable(inst);
        let g = match fusable.then(|| open[inst.op_targets()[0]]).flatten() {
            Some(g) => {
                groups[g].push(k);
                diagonal[g] = diagonal[g].filter(|_| diagonal_gate.is_some());
                g
            }
            None => {
                groups.push(vec![k]);
                diagonal.push(diagonal_gate);
                for q in bits(mask) {
                    open[q] = fusable.then_some(groups.len() - 1);
                }
                groups.len() - 1
            }
        };
        for q in bits(mask) {
            last[q] = Some(g);
        }
    }
    groups.retain(|g| !g.is_empty());
    groups
}

/// The group that a constant diagonal gate on the qubits `mask` joins, when it makes a pair node: the latest of
/// the last groups on its qubits, all of them constant and diagonal, each earlier one the last group on every
/// qubit it holds, the qubits of all of them and of the gate two, the higher at least
/// [`DIAGONAL_PAIR_MIN_QUBIT`].
fn diagonal_pair(mask: usize, last: &[Option<usize>], diagonal: &[Option<usize>]) -> Option<usize> {
    let latest = bits(mask).filter_map(|q| last[q]).max()?;
    let mut union = mask;
    for g in bits(mask).filter_map(|q| last[q]) {
        let held = diagonal[g]?;
        // A group merged into a later one moves past the groups in between: none of them may touch its qubits.
        if g != latest && bits(held).any(|q| last[q] != Some(g)) {
            return None;
        }
        union |= held;
    }
    (union.count_ones() == 2 && union >> DIAGONAL_PAIR_MIN_QUBIT != 0).then_some(latest)
}

/// The set bits of `mask`, lowest first.
fn bits(mask: usize) -> impl Iterator<Item = usize> {
    (0..usize::BITS as usize).filter(move |&q| mask >> q & 1 == 1)
}

/// Reorders `groups` (a register of more than [`BLOCK_QUBITS`] qubits) into cache windows: a tile's
/// [`TILE_LOW_BITS`] qubits and up to `tile_high` others (at most 2^15 amplitudes and 1/8 of the state), or any
/// of the block's qubits; within each window, the nodes on the qubits of an L1 chunk are gathered the same way.
fn cache_windows(circuit: &Circuit, groups: &mut Vec<Vec<usize>>) -> Vec<Window> {
    let n = circuit.num_qubits();
    let instructions = circuit.instructions();
    let mask_of = |g: &Vec<usize>| g.iter().fold(0, |m, &k| m | qubit_mask(&instructions[k]));
    // Runs of permutations that an affine pass would fuse, and that are deep (a ladder or a ring, not a layer of
    // CNOTs on disjoint pairs that a window applies cheaply), stay together as one unit.
    let nodes: Vec<Node> =
        groups.iter().map(|g| make_node(circuit, g, &mut Vec::new(), &mut Vec::new(), &mut 0)).collect();
    let mut units: Vec<Vec<Vec<usize>>> = Vec::new();
    let mut i = 0;
    while i < groups.len() {
        let len = nodes[i..].iter().take_while(|node| Flip::of(node).is_some()).count();
        let run = &nodes[i..i + len];
        if fuses(run) && depth(run.iter().map(Node::qubit_mask), n) >= AFFINE_MIN_DEPTH {
            units.push(groups[i..i + len].to_vec());
            i += len;
        } else {
            units.push(vec![groups[i].clone()]);
            i += 1;
        }
    }
    let tile_high = (BLOCK_QUBITS - TILE_LOW_BITS).min(n.saturating_sub(3 + TILE_LOW_BITS));
    let masks: Vec<usize> = units.iter().map(|u| u.iter().fold(0, |m, g| m | mask_of(g))).collect();
    let fits = |m: usize| m >> BLOCK_QUBITS == 0 || m.count_ones() as usize <= tile_high;
    let unit_windows = window::windows(&mut units, &masks, (1 << TILE_LOW_BITS) - 1, fits);
    groups.clear();
    let mut windows = Vec::with_capacity(unit_windows.len());
    for (range, mask) in unit_windows {
        let start = groups.len();
        for u in &mut units[range] {
            groups.append(u);
        }
        if fits(mask) {
            windows.push((start..groups.len(), mask));
        } else {
            // A unit wider than a tile: its nodes one at a time (unless fused).
            windows.extend((start..groups.len()).map(|g| (g..g + 1, mask_of(&groups[g]))));
        }
    }
    // A tile's chunk is its low qubits and the window's five lowest others.
    for (range, mask) in &windows {
        let chunk = match mask >> BLOCK_QUBITS {
            0 => (1 << CHUNK_QUBITS) - 1,
            _ => lowest_bits(*mask, CHUNK_QUBITS - TILE_LOW_BITS) | ((1 << TILE_LOW_BITS) - 1),
        };
        let masks: Vec<usize> = groups[range.clone()].iter().map(mask_of).collect();
        window::windows(&mut groups[range.clone()], &masks, chunk, |m| m == 0);
    }
    windows
}

/// The depth of a sequence of gates on `n` qubits given by their qubit masks: the longest chain of gates each
/// sharing a qubit with the next.
fn depth(masks: impl Iterator<Item = usize>, n: usize) -> usize {
    let qubits = |m: usize| (0..n).filter(move |&q| m >> q & 1 == 1);
    let mut level = vec![0; n];
    let mut deepest = 0;
    for m in masks {
        let l = 1 + qubits(m).map(|q| level[q]).max().unwrap_or(0);
        qubits(m).for_each(|q| level[q] = l);
        deepest = deepest.max(l);
    }
    deepest
}

/// Every qubit `inst` touches, as a bit mask.
fn qubit_mask(inst: &Instruction) -> usize {
    inst.qubits().fold(0, |m, q| m | 1 << q)
}

/// The `count` lowest set bits of `mask`.
fn lowest_bits(mask: usize, count: usize) -> usize {
    let mut m = mask;
    for _ in 0..count {
        m &= m.wrapping_sub(1);
    }
    mask & !m
}

/// The node of `group` (one instruction, one-qubit instructions on one qubit, or constant diagonal instructions
/// on a pair of qubits), its members and angle slots appended to `members` and `slots`, its entries of a
/// recorded pass from `record` on (which it advances).
fn make_node(
    circuit: &Circuit,
    group: &[usize],
    members: &mut Vec<usize>,
    slots: &mut Vec<Slot>,
    record: &mut usize,
) -> Node {
    let instructions = circuit.instructions();
    let first = &instructions[group[0]];
    let mask = group.iter().fold(0, |m, &k| m | qubit_mask(&instructions[k]));
    if group.len() > 1 && mask.count_ones() == 2 {
        return diagonal_pair_node(circuit, group, mask, members, (slots.len(), *record));
    }
    let op_targets = first.op_targets();
    let start = members.len();
    members.extend_from_slice(group);
    let first_slot = slots.len();
    for (member, &k) in group.iter().enumerate().rev() {
        for (slot, p) in instructions[k].gate().params().iter().enumerate() {
            if let Some((kind, index, scale)) = p.source() {
                slots.push(Slot { member, k, slot, kind, index, scale });
            }
        }
    }
    let constant = group.iter().all(|&k| instructions[k].gate().params().iter().all(|p| p.is_const()));
    let recorded = match (constant, op_targets.len()) {
        (false, 1) => group.len() + usize::from(group.len() > 1),
        _ => 0,
    };
    *record += recorded;
    Node {
        members: (start, members.len()),
        targets: std::array::from_fn(|t| op_targets.get(t).copied().unwrap_or(0)),
        arity: op_targets.len(),
        ctrl: first.control_mask(),
        constant: constant.then(|| fused_op(&Binding::new(circuit, &[], &[]), group, &mut [])),
        low: first.qubits().all(|q| q < BLOCK_QUBITS),
        slots: (first_slot, slots.len()),
        record: (*record - recorded, *record),
    }
}

/// The node of a group of constant diagonal gates on the two qubits of `mask` (see [`group_instructions`]): one
/// diagonal 4x4 op, the product of the members' diagonals in circuit order, on the two qubits (lower first).
fn diagonal_pair_node(
    circuit: &Circuit,
    group: &[usize],
    mask: usize,
    members: &mut Vec<usize>,
    (slot, record): (usize, usize),
) -> Node {
    let instructions = circuit.instructions();
    let (a, b) = (mask.trailing_zeros() as usize, usize::BITS as usize - 1 - mask.leading_zeros() as usize);
    let mut d = [ONE; 4];
    for &k in group {
        let inst = &instructions[k];
        let op = inst.gate().lower(inst.angles(&[], &[]));
        // Entry p of the pair's diagonal: bit(a) + 2·bit(b) = p.
        let bit = |q: usize, p: usize| usize::from(if q == a { p & 1 == 1 } else { p & 2 == 2 });
        let controls_set = |p: usize| bits(inst.control_mask()).all(|q| bit(q, p) == 1);
        for (p, dp) in d.iter_mut().enumerate() {
            let phase = match op {
                Op::Diag1(e) if controls_set(p) => e[bit(inst.op_targets()[0], p)],
                Op::Diag1(_) => ONE,
                Op::Diag2(e) => e[bit(inst.op_targets()[0], p) + 2 * bit(inst.op_targets()[1], p)],
                Op::Anti1(..) | Op::Mat1(_) | Op::Swap2(_) | Op::Mat2(_) => unreachable!("a diagonal member"),
            };
            if phase != ONE {
                *dp = phase * *dp;
            }
        }
    }
    let start = members.len();
    members.extend_from_slice(group);
    Node {
        members: (start, members.len()),
        targets: [a, b],
        arity: 2,
        ctrl: 0,
        constant: Some(Op::Diag2(d)),
        low: b < BLOCK_QUBITS,
        slots: (slot, slot),
        record: (record, record),
    }
}

/// Whether a run of permutation nodes is fused into one affine pass: at least [`AFFINE_MIN_RUN`] nodes, one
/// of them at least on a qubit that is not low, or at least [`AFFINE_MIN_LOW_RUN`] on low qubits only.
fn fuses(run: &[Node]) -> bool {
    run.len() >= AFFINE_MIN_RUN && (run.iter().any(|n| !n.low) || run.len() >= AFFINE_MIN_LOW_RUN)
}

/// A shift δ of one angle of one instruction, for the parameter-shift rules.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct AngleShift {
    pub(crate) instruction: usize,
    pub(crate) slot: usize,
    pub(crate) delta: f64,
}

/// A circuit with its weights and inputs bound, and an optional shift of one angle: what a pass over the plan
/// evaluates.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Binding<'a> {
    pub(crate) circuit: &'a Circuit,
    pub(crate) weights: &'a [f64],
    pub(crate) inputs: &'a [f64],
    pub(crate) shift: Option<AngleShift>,
    /// The plan's weight-only lowering at these weights, when the caller keeps one (see [`Lowered::refresh`]).
    pub(crate) lowered: Option<&'a Lowered>,
}

impl<'a> Binding<'a> {
    /// `circuit` with weights and inputs, unshifted.
    pub(crate) fn new(circuit: &'a Circuit, weights: &'a [f64], inputs: &'a [f64]) -> Self {
        Binding { circuit, weights, inputs, shift: None, lowered: None }
    }

    /// The binding with `cache` refreshed for `plan` at its weights and used when it may be.
    pub(crate) fn with_cache(self, plan: &Plan, cache: &'a mut Lowered) -> Self {
        let usable = cache.refresh(plan, &self);
        Binding { lowered: usable.then_some(&*cache), ..self }
    }

    /// The binding reading `cache` as it is, when it holds `plan` at these weights and the binding is unshifted
    /// (see [`Lowered::holds`]); otherwise the binding lowers every gate itself.
    pub(crate) fn with_filled(self, plan: &Plan, cache: &'a Lowered) -> Self {
        let usable = self.shift.is_none() && cache.holds(plan, &self);
        Binding { lowered: usable.then_some(cache), ..self }
    }

    /// The value of angle `slot` (the parameter `p`) of instruction `k`, shifted when the shift names it.
    fn angle(&self, k: usize, slot: usize, p: Param) -> f64 {
        let value = p.value_unchecked(self.weights, self.inputs);
        match self.shift {
            Some(s) if s.instruction == k && s.slot == slot => value + s.delta,
            _ => value,
        }
    }

    /// The angles of instruction `k`, with the shift applied when it names this instruction.
    pub(crate) fn angles(&self, k: usize) -> [f64; 3] {
        let params = self.circuit.instructions()[k].gate().params();
        std::array::from_fn(|slot| params.get(slot).map_or(0.0, |&p| self.angle(k, slot, p)))
    }

    /// The op of instruction `k`.
    pub(crate) fn lower(&self, k: usize) -> Op {
        #[cfg(test)]
        super::GATE_WORK.with(|c| c.set((c.get().0 + 1, c.get().1)));
        self.circuit.instructions()[k].gate().lower_with(|slot, p| self.angle(k, slot, p))
    }
}

/// The op of a node whose instructions are `group` (one instruction, or one-qubit instructions multiplied in
/// order). When `record` is not empty, the one-target members' matrices are written into it, in `group`'s order,
/// and then, for more than one member, their product (the matrix of the op).
pub(crate) fn fused_op(binding: &Binding<'_>, group: &[usize], record: &mut [Mat2x2]) -> Op {
    fused_op_known(binding, group, record, |_| None)
}

/// [`fused_op`], taking the matrix of member j from `known(j)` when it gives one (a member of several lowered
/// before, with the same bits).
pub(crate) fn fused_op_known(
    binding: &Binding<'_>,
    group: &[usize],
    record: &mut [Mat2x2],
    known: impl Fn(usize) -> Option<Mat2x2>,
) -> Op {
    let lower = |k: usize| binding.lower(k);
    if let [k] = group {
        let op = lower(*k);
        if let (Some(r), 1) = (record.first_mut(), op.arity()) {
            *r = op.matrix1();
        }
        return op;
    }
    // Products of plain matrices, the sparse form chosen once at the end.
    let mut us = group.iter().enumerate().map(|(j, &k)| {
        let u = known(j).unwrap_or_else(|| lower(k).matrix1());
        if let Some(r) = record.get_mut(j) {
            *r = u;
        }
        u
    });
    let first = us.next().expect("a node has members");
    let product = us.fold(first, |m, u| mul1(&u, &m));
    if let Some(r) = record.get_mut(group.len()) {
        *r = product;
    }
    Op::sparsest1(product)
}

/// The forward segment of a window: a node alone, a blocked run when every node is low, else a tiled run.
fn window_segment(nodes: &[Node], (range, mask): &Window) -> Segment {
    match range.len() {
        1 => Segment::Node(range.start),
        _ if nodes[range.clone()].iter().all(|n| n.low) => Segment::Blocked(range.start, range.end),
        _ => Segment::Tiled(range.start, range.end, *mask),
    }
}

/// The backward sweep's segments of a window: its blocked runs when every node is low, else tiled runs of at
/// most [`MAX_BLOCKED_RUN`] nodes (a node alone goes on its own).
fn backward_segments(nodes: &[Node], (range, mask): &Window) -> Vec<Segment> {
    if nodes[range.clone()].iter().all(|n| n.low) {
        return order(nodes, range.clone());
    }
    let starts = range.clone().step_by(MAX_BLOCKED_RUN);
    starts
        .map(|a| match (a + MAX_BLOCKED_RUN).min(range.end) {
            b if b - a == 1 => Segment::Node(a),
            b => Segment::Tiled(a, b, *mask),
        })
        .collect()
}

/// The backward sweep's order of nodes `range`: maximal runs (at most [`MAX_BLOCKED_RUN`]) of two or more low
/// nodes become blocked segments (for a state of at most 2^15 amplitudes, every node is low and the state is the
/// one block), the other nodes go one at a time.
fn order(nodes: &[Node], range: Range<usize>) -> Vec<Segment> {
    let mut out = Vec::new();
    let mut i = range.start;
    while i < range.end {
        let low_run = nodes[i..range.end].iter().take(MAX_BLOCKED_RUN).take_while(|n| n.low).count();
        let segment = if low_run >= 2 { Segment::Blocked(i, i + low_run) } else { Segment::Node(i) };
        i = segment.nodes().end;
        out.push(segment);
    }
    out
}
