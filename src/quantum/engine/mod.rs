//! The one simulation engine: a [`Circuit`](crate::quantum::Circuit) compiles into a plan of lowered
//! operations, which runs forward on a state ([`StateVector::run`](crate::quantum::StateVector::run),
//! [`QuantumFunction`](crate::grad::QuantumFunction) and everything built on them) and backward for the
//! adjoint method, on one family of kernels (`kernels`).
//!
//! - Fusion: consecutive one-qubit gates on a qubit (with gates on other qubits in between, which commute with
//!   them) become one 2x2 op, multiplied per evaluation for trainable angles and once at compile time for
//!   constant ones; a product that stays diagonal or anti-diagonal keeps that sparser form.
//! - Permutation runs: consecutive X, CNOT and SWAP gates (no phase, no extra control) map basis index i to
//!   A·i ⊕ b over GF(2); on 14 qubits or more a run of four or more (sixteen when all its qubits are low) becomes
//!   one or two in-place passes (`affine`) that move small groups of blocks along the cycles of their
//!   permutation through byte tables of the map (two for a CNOT ladder: whole blocks, then within groups),
//!   with a buffer of at most 2^15 amplitudes and 1/8 of the state per thread; on 10 qubits or fewer a run of
//!   at least n/2 is one gather through a copy of the state (at most 16 KiB) by an index table.
//! - Product prefix: on 15 qubits or fewer, the leading one-qubit nodes on distinct qubits of a pass that starts
//!   from |0…0⟩ (a `QuantumFunction`'s, an angle encoding) are written as one product state, and the backward
//!   sweep reads their derivatives from λ by one contraction instead of un-applying them from both states
//!   (`product`).
//! - Memory: nothing here allocates a second state. The scratch of a forward pass or a backward sweep is at
//!   most 2^15 amplitudes per thread (and 1/8 of the state; a copy of it on 10 qubits or fewer) for
//!   permutation runs and tiles, plus a few arrays of the plan's size.
//! - Cache blocking: a run of operations on qubits below 15 maps every aligned block of 2^15 amplitudes
//!   (512 KiB, within a core's L2) onto itself, so the run goes block by block while the block stays in cache.
//! - Determinism: each amplitude sees the same arithmetic whatever the number of threads, and reductions add
//!   partial sums of fixed chunks in order, so results are bit-identical for any thread count.

mod affine;
mod backward;
mod columns;
mod forward;
mod lowered;
mod plan;
mod product;
mod tile;
mod window;

pub(crate) use backward::{add_to_row, BackScratch};
#[cfg(feature = "mpi")]
pub(crate) use backward::{node_back, NodeWork};
pub(crate) use columns::{ColumnScratch, Columns};
pub(crate) use lowered::Lowered;

#[cfg(test)]
thread_local! {
    /// Forward passes of a plan over a state on this thread (tests count them to hold the training paths to
    /// one forward pass per sample).
    pub(crate) static FORWARD_PASSES: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
    /// Gate lowerings and derivative matrices made on this thread (tests hold the weight-only cache to its
    /// promise: at fixed weights a pass lowers only the gates that read an input).
    pub(crate) static GATE_WORK: std::cell::Cell<(u64, u64)> = const { std::cell::Cell::new((0, 0)) };
}
pub use backward::Gradients;
#[cfg(feature = "mpi")]
pub(crate) use plan::Node;
#[cfg(any(test, feature = "mpi"))]
pub(crate) use plan::Segment;
pub(crate) use plan::{AngleShift, Binding, Mat2x2, Plan, BLOCK_QUBITS, TILE_LOW_BITS};
pub(crate) use tile::{tile_qubit, Tiles};
pub(crate) use window::windows;

#[cfg(test)]
mod tests {
    use super::plan::{Segment, CHUNK_QUBITS};
    use super::*;
    use crate::quantum::op::Op;
    use crate::quantum::{Circuit, Param};
    use num_complex::Complex64 as C;

    /// A circuit on 17 qubits whose gates mostly sit on low qubits, with weights, so that the plan has fused
    /// nodes and blocked runs of every kind of node.
    fn circuit() -> Circuit {
        let mut c = Circuit::new(17).unwrap();
        for layer in 0..3 {
            for q in 0..17 {
                c.ry(q, Param::weight(q % 5)).unwrap().rz(q, 0.1 * (q + layer) as f64).unwrap();
            }
            for q in 0..16 {
                c.cnot(q, q + 1).unwrap();
            }
            c.crx(2, 7, Param::weight(5)).unwrap().rxx(3, 9, Param::weight(6)).unwrap();
            c.rot(4, Param::weight(7), 0.3, Param::weight(8)).unwrap().toffoli(0, 1, 12).unwrap();
        }
        c
    }

    fn start() -> Vec<C> {
        let v: Vec<C> = (0..1 << 17).map(|i| C::new((i as f64 * 0.37).sin(), (i as f64 * 0.11).cos())).collect();
        let norm = v.iter().map(|a| a.norm_sqr()).sum::<f64>().sqrt();
        v.into_iter().map(|a| a / norm).collect()
    }

    /// The same plan with every node run over the whole state.
    fn unblocked(plan: &Plan) -> Plan {
        let mut p = plan.clone();
        p.segments = (0..p.nodes.len()).map(Segment::Node).collect();
        p.schedule = p.segments.clone();
        p
    }

    #[test]
    fn cache_blocking_and_tiling_change_no_bit_and_fusion_changes_little() {
        let c = circuit();
        let plan = Plan::compile(&c);
        assert!(plan.segments.iter().any(|s| matches!(s, Segment::Blocked(..))));
        assert!(plan.schedule.iter().any(|s| matches!(s, Segment::Tiled(..))), "{:?}", plan.schedule);
        assert!(plan.nodes.len() < c.len(), "one-qubit runs are fused");
        let w = [0.3, -0.7, 1.1, 0.2, -1.9, 0.8, 0.4, -0.6, 1.3];
        let (mut a, mut b) = (start(), start());
        plan.forward(&Binding::new(&c, &w, &[]), &mut a, &mut Vec::new(), &mut []);
        unblocked(&plan).forward(&Binding::new(&c, &w, &[]), &mut b, &mut Vec::new(), &mut []);
        assert!(a.iter().zip(&b).all(|(x, y)| x.re.to_bits() == y.re.to_bits() && x.im.to_bits() == y.im.to_bits()));
        // Gate by gate, unfused: equal to rounding.
        let err = gate_by_gate_error(&c, &w, start(), &a);
        assert!(err < 1e-13, "{err}");
    }

    /// The largest difference between `planned` and `c` applied to `start` gate by gate (unfused).
    fn gate_by_gate_error(c: &Circuit, weights: &[f64], start: Vec<C>, planned: &[C]) -> f64 {
        let mut s = crate::quantum::StateVector::from_amplitudes(start).unwrap();
        for inst in c.instructions() {
            s.apply(inst, weights, &[]).unwrap();
        }
        planned.iter().zip(s.amplitudes()).map(|(x, y)| (x - y).norm()).fold(0.0, f64::max)
    }

    #[test]
    fn runs_on_the_lowest_qubits_go_chunk_by_chunk_and_change_no_bit() {
        // 13 qubits: runs of nodes below CHUNK_QUBITS (11), cut by nodes on qubits 11 and 12, with every kind of op.
        let mut c = Circuit::new(13).unwrap();
        for layer in 0..4 {
            for q in 0..13 {
                let a = 0.1 + 0.37 * (q + 13 * layer) as f64;
                c.ry(q, a).unwrap().rz(q, -a).unwrap();
                if q % 3 == layer % 3 {
                    c.rx(q, 2.0 * a).unwrap();
                }
            }
            for q in (layer % 2..12).step_by(2) {
                match (q / 2 + layer) % 4 {
                    0 => c.cz(q, q + 1),
                    1 => c.cnot(q, q + 1),
                    2 => c.crx(q + 1, q, 0.3),
                    _ => c.rxx(q, q + 1, 0.7),
                }
                .unwrap();
            }
            c.toffoli(0, 5, 10).unwrap().swap(1, 9).unwrap().h(11).unwrap().cphase(3, 12, 0.2).unwrap();
        }
        let plan = Plan::compile(&c);
        let binding = Binding::new(&c, &[], &[]);
        let ops: Vec<_> = (0..plan.nodes.len()).map(|i| plan.node_op(i, &binding, &mut [])).collect();
        let in_chunk: Vec<bool> = plan.nodes.iter().map(|n| n.qubit_mask() >> CHUNK_QUBITS == 0).collect();
        assert!(in_chunk.windows(2).any(|w| w[0] && w[1]) && in_chunk.iter().any(|&x| !x), "both kinds of runs");
        let (mut a, mut b) = (c_start_13(), c_start_13());
        forward::apply_run(&mut a, &plan.nodes, &ops);
        for (node, op) in plan.nodes.iter().zip(&ops) {
            forward::apply_node(&mut b, node, op);
        }
        assert!(a.iter().zip(&b).all(|(x, y)| x.re.to_bits() == y.re.to_bits() && x.im.to_bits() == y.im.to_bits()));
        assert!(a != c_start_13(), "the run changed the state");
    }

    fn c_start_13() -> Vec<C> {
        start().into_iter().take(1 << 13).collect()
    }

    #[test]
    fn blocked_and_tiled_backward_equals_unblocked_backward() {
        let c = circuit();
        let plan = Plan::compile(&c);
        assert!(plan.segments.iter().any(|s| matches!(s, Segment::Tiled(..))), "{:?}", plan.segments);
        assert!(plan.segments.iter().any(|s| matches!(s, Segment::Blocked(..))), "{:?}", plan.segments);
        let w = [0.3, -0.7, 1.1, 0.2, -1.9, 0.8, 0.4, -0.6, 1.3];
        // The member matrices recorded by the forward pass, or computed again by the sweep.
        let sweep = |p: &Plan, record: bool| {
            let mut phi = start();
            let mut recorded = vec![[[C::new(0.0, 0.0); 2]; 2]; if record { p.record_len() } else { 0 }];
            p.forward(&Binding::new(&c, &w, &[]), &mut phi, &mut Vec::new(), &mut recorded);
            // λ = Z₀φ: the gradient of ⟨Z₀⟩ from φ = U|start⟩.
            let mut lambda: Vec<C> = phi.iter().enumerate().map(|(i, a)| if i & 1 == 0 { *a } else { -a }).collect();
            let mut grads = [0.0; 9];
            let sinks = Gradients { weights: &mut grads, inputs: None };
            p.backward(
                &Binding::new(&c, &w, &[]),
                &mut phi,
                &mut lambda,
                &recorded,
                sinks,
                &mut BackScratch::default(),
            );
            (grads, phi)
        };
        let ((ga, phi_a), (gb, phi_b)) = (sweep(&plan, true), sweep(&unblocked(&plan), false));
        let (gc, phi_c) = sweep(&plan, false);
        assert_eq!(ga.map(f64::to_bits), gc.map(f64::to_bits), "recording changes no bit");
        assert_eq!(phi_a, phi_c);
        assert!(ga.iter().any(|g| g.abs() > 1e-3));
        for (a, b) in ga.iter().zip(&gb) {
            assert!((a - b).abs() < 1e-13, "{a} vs {b}");
        }
        // The sweep stops at the first node with a weight: the earliest gates are not un-applied, both ways.
        assert!(phi_a.iter().zip(&phi_b).all(|(x, y)| (x - y).norm() < 1e-13));
    }

    #[test]
    fn the_forward_pass_records_each_fused_product_and_the_sweep_un_applies_that() {
        let c = circuit();
        let plan = Plan::compile(&c);
        let w = [0.3, -0.7, 1.1, 0.2, -1.9, 0.8, 0.4, -0.6, 1.3];
        let binding = Binding::new(&c, &w, &[]);
        let zero = [[C::new(0.0, 0.0); 2]; 2];
        let mut record = vec![zero; plan.record_len()];
        let mut phi = start();
        plan.forward(&binding, &mut phi, &mut Vec::new(), &mut record);
        // The nodes' ranges tile the record, node after node.
        let mut at = 0;
        let mut fused = Vec::new();
        for (i, node) in plan.nodes.iter().enumerate() {
            let ((a, b), (r0, r1)) = (node.members, node.record);
            assert_eq!(r0, at, "node {i}");
            at = r1;
            if node.constant.is_some() || node.arity == 2 {
                assert_eq!(r0, r1, "node {i} records nothing");
                continue;
            }
            // Its members' matrices, then, for a fused node, the product that the forward pass applied.
            let m = b - a;
            assert_eq!(r1 - r0, if m > 1 { m + 1 } else { 1 }, "node {i}");
            for (j, &k) in plan.members[a..b].iter().enumerate() {
                assert_eq!(record[r0 + j], binding.lower(k).matrix1(), "node {i}, member {j}");
            }
            let us = &record[r0..r0 + m];
            let product = us[1..].iter().fold(us[0], |p, u| plan::mul1(u, &p));
            assert_eq!(plan.node_op(i, &binding, &mut []), Op::sparsest1(product), "node {i}");
            if m > 1 {
                assert_eq!(record[r0 + m], product, "node {i}");
                fused.push(i);
            }
        }
        assert_eq!(at, plan.record_len());
        let last = *fused.last().expect("fused one-target nodes with weights");
        assert!(plan.first_weight.is_some_and(|f| f < last));
        // The sweep un-applies the recorded product: a wrong one there changes the states it leaves.
        let sweep = |record: &[Mat2x2]| {
            let mut phi = phi.clone();
            let mut lambda: Vec<C> = phi.iter().enumerate().map(|(i, a)| if i & 1 == 0 { *a } else { -a }).collect();
            let mut grads = [0.0; 9];
            let sinks = Gradients { weights: &mut grads, inputs: None };
            plan.backward(&binding, &mut phi, &mut lambda, record, sinks, &mut BackScratch::default());
            (grads, phi)
        };
        let (grads, swept) = sweep(&record);
        let mut wrong = record.clone();
        let (a, b) = plan.nodes[last].members;
        wrong[plan.nodes[last].record.0 + b - a] =
            [[C::new(1.0, 0.0), C::new(0.0, 0.0)], [C::new(0.0, 0.0), C::new(1.0, 0.0)]];
        let (wrong_grads, wrong_swept) = sweep(&wrong);
        assert_ne!(swept, wrong_swept);
        assert_ne!(grads, wrong_grads);
    }

    /// CNOT ladders, X and SWAP runs between rotations on 17 qubits, with a Toffoli (not affine) cutting a run.
    fn ladders() -> Circuit {
        let mut c = Circuit::new(17).unwrap();
        for layer in 0..3 {
            for q in 0..17 {
                c.ry(q, Param::weight(q % 4)).unwrap();
            }
            for q in 0..16 {
                c.cnot(q, q + 1).unwrap();
            }
            c.x(3).unwrap().swap(1, 16).unwrap().cnot(16, 0).unwrap().toffoli(2, 5, 9).unwrap();
            c.swap(0, 7).unwrap().x(12 - layer).unwrap().cnot(13, 2).unwrap().swap(3, 16).unwrap();
            c.rz(layer, Param::weight(4)).unwrap();
            // On low qubits only: stays in a blocked run.
            c.cnot(0, 1).unwrap().cnot(1, 2).unwrap().x(5).unwrap().swap(2, 6).unwrap().h(9).unwrap();
            for q in (0..16).rev() {
                c.cnot(q + 1, q).unwrap();
            }
        }
        c
    }

    #[test]
    fn fused_permutation_runs_change_no_bit_forward_and_little_backward() {
        let c = ladders();
        let (fused, plain) = (Plan::compile_with(&c, 0), Plan::compile_with(&c, usize::MAX));
        // Per layer: the ladder with X, SWAP and CNOT up to the Toffoli and the reversed ladder are fused; the
        // four gates up to RZ, a shallow run, join a cache window.
        assert_eq!(fused.affine.len(), 6);
        assert_eq!(fused.segments.iter().filter(|s| matches!(s, Segment::Affine(..))).count(), 6);
        assert!(plain.affine.is_empty() && Plan::compile(&c) == fused);
        let w = [0.3, -0.7, 1.1, 0.2, -1.9];
        let forward = |p: &Plan| {
            let (mut state, mut scratch) = (start(), Vec::new());
            p.forward(&Binding::new(&c, &w, &[]), &mut state, &mut scratch, &mut []);
            state
        };
        let (a, b) = (forward(&fused), forward(&plain));
        assert!(a.iter().zip(&b).all(|(x, y)| x.re.to_bits() == y.re.to_bits() && x.im.to_bits() == y.im.to_bits()));
        let sweep = |p: &Plan| {
            let mut phi = forward(p);
            let mut lambda: Vec<C> = phi.iter().enumerate().map(|(i, a)| if i & 2 == 0 { *a } else { -a }).collect();
            let mut grads = [0.0; 5];
            let sinks = Gradients { weights: &mut grads, inputs: None };
            p.backward(&Binding::new(&c, &w, &[]), &mut phi, &mut lambda, &[], sinks, &mut BackScratch::default());
            (grads, phi)
        };
        let ((ga, phi_a), (gb, phi_b)) = (sweep(&fused), sweep(&plain));
        assert!(ga.iter().any(|g| g.abs() > 1e-3), "{ga:?}");
        for (a, b) in ga.iter().zip(&gb) {
            assert!((a - b).abs() < 1e-13, "{a} vs {b}");
        }
        assert!(phi_a.iter().zip(&phi_b).all(|(x, y)| (x - y).norm() < 1e-13));
    }

    #[test]
    fn only_plain_permutations_are_fusable() {
        // Y and CY (anti-diagonal with phases), iSWAP (a swap with phases) and Fredkin (a controlled swap) sit
        // among X, CNOT and SWAP on 17 qubits: they are not plain permutations, and must not be fused as one.
        let mut c = Circuit::new(17).unwrap();
        // Runs of four plain permutations, each followed by a gate that is not one (Y on a qubit whose node a
        // CNOT closed is a node of its own).
        c.cnot(0, 16).unwrap().swap(1, 15).unwrap().cnot(2, 12).unwrap().cnot(3, 11).unwrap();
        c.y(0).unwrap();
        c.cnot(4, 10).unwrap().swap(5, 12).unwrap().cnot(6, 16).unwrap().cnot(7, 15).unwrap();
        c.cy(8, 11).unwrap();
        c.cnot(9, 12).unwrap().swap(10, 16).unwrap().cnot(11, 15).unwrap().cnot(0, 12).unwrap();
        c.iswap(1, 16).unwrap();
        c.cnot(2, 15).unwrap().swap(3, 12).unwrap().cnot(4, 11).unwrap().cnot(5, 10).unwrap();
        c.fredkin(6, 1, 12).unwrap();
        c.cnot(7, 16).unwrap().swap(8, 15).unwrap().cnot(9, 12).unwrap().cnot(10, 11).unwrap();
        let plan = Plan::compile(&c);
        for node in &plan.nodes {
            let name = c.instructions()[plan.members[node.members.0]].gate().name();
            assert_eq!(super::affine::Flip::of(node).is_some(), matches!(name, "x" | "cx" | "swap"), "{name}");
        }

        let mut fused = crate::quantum::StateVector::new(17).unwrap();
        fused.run(&c, &[], &[]).unwrap();
        let zero = crate::quantum::StateVector::new(17).unwrap().into_amplitudes();
        let err = gate_by_gate_error(&c, &[], zero, fused.amplitudes());
        assert!(err < 1e-13, "{err}");
    }

    #[test]
    fn a_cnot_ladder_is_one_fused_pass_and_a_brickwork_layer_shares_its_passes() {
        let mut c = Circuit::new(20).unwrap();
        for _ in 0..3 {
            for q in 0..19 {
                c.cnot(q, q + 1).unwrap();
            }
        }
        assert_eq!(Plan::compile(&c).schedule, [Segment::Affine(0, 57, 0)]);
        // Random brickwork of depth 20 on 20 qubits (as the G3 benchmark): 30 gates a layer, in a few passes.
        let mut c = Circuit::new(20).unwrap();
        for layer in 0..20 {
            for q in 0..20 {
                let angle = 0.1 + 0.37 * (layer * 20 + q) as f64;
                match (layer + q) % 3 {
                    0 => c.rx(q, angle),
                    1 => c.ry(q, angle),
                    _ => c.rz(q, angle),
                }
                .unwrap();
            }
            for q in (layer % 2..19).step_by(2) {
                if layer % 4 < 2 { c.cz(q, q + 1) } else { c.cnot(q, q + 1) }.unwrap();
            }
        }
        let plan = Plan::compile(&c);
        assert!(plan.schedule.len() <= 12, "{:?}", plan.schedule);
        let mut fast = crate::quantum::StateVector::new(20).unwrap();
        fast.run(&c, &[], &[]).unwrap();
        let mut slow = crate::quantum::StateVector::new(20).unwrap();
        for inst in c.instructions() {
            slow.apply(inst, &[], &[]).unwrap();
        }
        let err = fast.amplitudes().iter().zip(slow.amplitudes()).map(|(a, b)| (a - b).norm()).fold(0.0, f64::max);
        assert!(err < 1e-13, "{err}");
    }

    #[test]
    fn small_registers_gather_runs_of_half_their_qubits_with_the_bits_of_the_in_place_passes() {
        for n in [2, 6, 10, 11, 13] {
            // A run one shorter than gathering needs, a rotation, a ring with a SWAP, an X and a CNOT, a rotation.
            let mut c = Circuit::new(n).unwrap();
            // Gathering takes runs of n/2 or more (at least 2): measured, shorter ones lose.
            assert_eq!(plan::gather_min_run(n), (n / 2).max(2));
            let short = (n / 2).max(2) - 1;
            for q in 0..short {
                c.cnot(q, q + 1).unwrap();
            }
            c.ry(0, Param::weight(0)).unwrap();
            for q in 0..n {
                c.cnot(q, (q + 1) % n).unwrap();
            }
            // The X's node is closed by the CNOT after it (a rotation on its qubit would fuse with it).
            c.swap(0, n - 1).unwrap().x(1).unwrap().cnot(1, 0).unwrap().ry(1, Param::weight(1)).unwrap();
            let plan = Plan::compile(&c);
            let ring = short + 1..short + 1 + n + 3;
            let affine: Vec<Segment> =
                plan.schedule.iter().copied().filter(|s| matches!(s, Segment::Affine(..))).collect();
            match n <= affine::GATHER_MAX_QUBITS {
                true => assert_eq!(affine, [Segment::Affine(ring.start, ring.end, 0)], "n = {n}"),
                false => assert!(affine.is_empty(), "n = {n}"),
            }
            assert_eq!(plan.segments.iter().filter(|s| matches!(s, Segment::Affine(..))).count(), affine.len());
            // Forward and backward, gathered and node by node: the same bits.
            let w = [0.7, -0.4];
            let binding = Binding::new(&c, &w, &[]);
            let start: Vec<C> = (0..1usize << n).map(|i| C::new((i as f64 * 0.37).sin(), (i as f64).cos())).collect();
            let run = |p: &Plan| {
                let mut phi = start.clone();
                p.forward(&binding, &mut phi, &mut Vec::new(), &mut []);
                let mut lambda: Vec<C> = phi.iter().rev().copied().collect();
                let forward = phi.clone();
                let mut grads = [0.0; 2];
                let sinks = Gradients { weights: &mut grads, inputs: None };
                p.backward(&binding, &mut phi, &mut lambda, &[], sinks, &mut BackScratch::default());
                (forward, phi, lambda, grads)
            };
            let (gathered, plain) = (run(&plan), run(&unblocked(&plan)));
            assert_eq!(gathered, plain, "n = {n}");
            assert!(gathered.3.iter().all(|g| g.abs() > 1e-6), "n = {n}: {:?}", gathered.3);
        }
    }

    #[test]
    fn long_runs_on_low_qubits_fuse_and_short_ones_stay_blocked() {
        let mut c = Circuit::new(15).unwrap();
        for q in 0..12 {
            c.cnot(q, q + 1).unwrap();
        }
        assert!(Plan::compile(&c).affine.is_empty());
        assert_eq!(Plan::compile(&c).segments, [Segment::Blocked(0, 12)]);
        for q in 0..4 {
            c.swap(q, q + 5).unwrap();
        }
        assert_eq!(Plan::compile(&c).segments, [Segment::Affine(0, 16, 0)]);
    }

    /// The members of each node of `c`'s plan, as instruction indices.
    fn node_members(c: &Circuit) -> Vec<Vec<usize>> {
        let plan = Plan::compile(c);
        plan.nodes.iter().map(|n| plan.members[n.members.0..n.members.1].to_vec()).collect()
    }

    #[test]
    fn constant_diagonal_gates_on_a_pair_merge_into_one_node_where_they_commute() {
        // RZ(6) RZ(7) CZ(6,7) RX(7) T(6) CPhase(7,6): the RZs and the CZ merge; T(6) joins them past RX(7) (no
        // gate on 6 between); the CPhase cannot move past RX(7), so it starts a node of its own.
        let mut c = Circuit::new(8).unwrap();
        c.rz(6, 0.3).unwrap().rz(7, -0.4).unwrap().cz(6, 7).unwrap().rx(7, 0.5).unwrap().t(6).unwrap();
        c.cphase(7, 6, 0.9).unwrap();
        assert_eq!(node_members(&c), [vec![0, 1, 2, 4], vec![3], vec![5]]);
        let plan = Plan::compile(&c);
        assert!(matches!(plan.nodes[0].constant, Some(Op::Diag2(_))) && plan.nodes[0].targets == [6, 7]);
        // Weights, controls beyond the pair, other qubits, and pairs below qubit 6 keep their nodes.
        let mut kept = Circuit::new(8).unwrap();
        kept.rz(6, Param::weight(0)).unwrap().cz(6, 7).unwrap();
        kept.add_controlled(crate::quantum::Gate::CZ, &[6, 7], &[5]).unwrap().rz(7, 0.2).unwrap();
        kept.rz(2, 0.1).unwrap().cz(2, 3).unwrap().rz(3, 0.4).unwrap();
        assert_eq!(node_members(&kept).len(), kept.len(), "{:?}", node_members(&kept));
        // RZ(6) joins CZ(4,6); CZ(5,6) would join RZ(5) and that pair to a node on three qubits, so it stays alone.
        let mut three = Circuit::new(8).unwrap();
        three.rz(5, 0.1).unwrap().cz(4, 6).unwrap().rz(6, 0.2).unwrap().cz(5, 6).unwrap();
        assert_eq!(node_members(&three), [vec![0], vec![1, 2], vec![3]]);
        // The merged plan applies the circuit: against gate-by-gate application, to rounding.
        for circuit in [&c, &kept, &three] {
            let w = [0.7];
            let mut a: Vec<C> = start().into_iter().take(1 << 8).collect();
            let norm = a.iter().map(|x| x.norm_sqr()).sum::<f64>().sqrt();
            a.iter_mut().for_each(|x| *x /= norm);
            let initial = a.clone();
            Plan::compile(circuit).forward(&Binding::new(circuit, &w, &[]), &mut a, &mut Vec::new(), &mut []);
            let err = gate_by_gate_error(circuit, &w, initial, &a);
            assert!(err < 1e-15, "{err}");
        }
    }

    #[test]
    fn brickwork_with_cz_layers_merges_rotations_into_pair_nodes_and_keeps_the_state() {
        let mut c = Circuit::new(17).unwrap();
        for layer in 0..6 {
            for q in 0..17 {
                let a = 0.3 + 0.71 * (q + 17 * layer) as f64;
                match (q + layer) % 3 {
                    0 => c.rx(q, a),
                    1 => c.ry(q, a),
                    _ => c.rz(q, a),
                }
                .unwrap();
            }
            for q in (layer % 2..16).step_by(2) {
                c.cz(q, q + 1).unwrap();
            }
        }
        let plan = Plan::compile(&c);
        let pairs = plan.nodes.iter().filter(|n| n.members.1 - n.members.0 > 1 && n.arity == 2).count();
        assert!(pairs >= 10, "{pairs} pair nodes");
        let mut a = start();
        plan.forward(&Binding::new(&c, &[], &[]), &mut a, &mut Vec::new(), &mut []);
        let err = gate_by_gate_error(&c, &[], start(), &a);
        assert!(err < 1e-13, "{err}");
    }
}
