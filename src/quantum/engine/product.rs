//! The product prefix: a plan's leading one-qubit nodes, on distinct qubits and applied to |0…0⟩, make the
//! product state ⊗_j u_j with u_j = U_j|0⟩ on qubit t_j (|0⟩ on the other qubits). Angle encodings start every
//! variational circuit this way.
//!
//! - A pass that starts from |0…0⟩ writes that state directly: 2^p products instead of p passes over the state.
//!   Each amplitude is the product the kernels would form one factor at a time (a 2x2 op on a pair whose
//!   second amplitude is zero multiplies the first by a column of the op), so the values are theirs.
//! - The backward sweep reads every prefix node's correlation from λ at the prefix's end by one contraction
//!   instead of un-applying the prefix from both states node by node. The nodes commute, so each may be taken
//!   as the last one applied: φ just after it is the whole product, and its correlation is
//!   R_j[a][b] = e_j[a]·u_j[b], with the environment e_j[a] = Σ conj(λ[k]) Π_{j'≠j} u_{j'}[bit t_{j'} of k] over
//!   the indices k whose bit t_j is a and whose qubits outside the prefix are 0.

use num_complex::Complex64 as C;

use super::plan::{Node, Segment};
use crate::quantum::op::{Op, ONE, ZERO};

/// The most nodes a product prefix holds: the plans that have one are of at most
/// [`BLOCK_QUBITS`](super::plan::BLOCK_QUBITS) qubits.
pub(crate) const MAX_PREFIX: usize = 16;

/// The number of leading nodes that form the product prefix: one-target, uncontrolled, on distinct qubits, all
/// within the schedule's first segment (a node or a blocked run, not a permutation run).
pub(crate) fn prefix_len(nodes: &[Node], first: Option<&Segment>) -> usize {
    let end = match first {
        Some(&segment @ (Segment::Node(0) | Segment::Blocked(0, _))) => segment.nodes().end,
        _ => return 0,
    };
    let mut seen = 0usize;
    nodes[..end]
        .iter()
        .take_while(|node| {
            let fresh = node.arity == 1 && node.ctrl == 0 && seen >> node.targets[0] & 1 == 0;
            seen |= 1 << node.targets[0];
            fresh
        })
        .count()
        .min(MAX_PREFIX)
}

/// u = U|0⟩, the first column of a one-target op.
pub(crate) fn column0(op: &Op) -> [C; 2] {
    let m = op.matrix1();
    [m[0][0], m[1][0]]
}

/// Writes ⊗_j u_j (u_j on qubit `targets[j]`, |0⟩ on every other qubit) into `state`, multiplying the factors
/// in order as the kernels apply the nodes one after another.
pub(crate) fn write_product(state: &mut [C], targets: &[usize], us: &[[C; 2]]) {
    state.fill(ZERO);
    place_product(state, 1, 0, targets, us);
}

/// [`write_product`] into amplitudes `offset + stride·i` of `states` (zero before), i the state's index: one
/// sample of several side by side (see `columns`), with the same arithmetic.
pub(crate) fn place_product(states: &mut [C], stride: usize, offset: usize, targets: &[usize], us: &[[C; 2]]) {
    let at = |i: usize| offset + stride * i;
    states[at(0)] = ONE;
    let mut mask = 0usize;
    for (&q, u) in targets.iter().zip(us) {
        let t = 1usize << q;
        // Every index whose bits lie on the qubits placed so far.
        let mut sub = mask;
        loop {
            let x = states[at(sub)];
            states[at(sub | t)] = u[1] * x;
            states[at(sub)] = u[0] * x;
            if sub == 0 {
                break;
            }
            sub = (sub - 1) & mask;
        }
        mask |= t;
    }
}

/// The environments e_j of the product prefix (see the module docs) in λ: `out[j]` for the node on qubit
/// `targets[j]` whose |0⟩ column is `us[j]`. `buf` and `index` are scratch (a few times 2^(p/2) entries).
pub(crate) fn environments(
    lambda: &[C],
    targets: &[usize],
    us: &[[C; 2]],
    out: &mut [[C; 2]],
    buf: &mut Vec<C>,
    index: &mut Vec<usize>,
) {
    let p = targets.len();
    if p == 0 {
        return;
    }
    // Compact index c = a + b·2^h over the prefix's qubits (bit j on qubit t_j): a its low h bits, b the rest.
    let h = p / 2;
    let (low, high) = (1usize << h, 1usize << (p - h));
    index.resize(low + high, 0);
    let (spread_low, spread_high) = index.split_at_mut(low);
    spread(&targets[..h], spread_low);
    spread(&targets[h..], spread_high);
    buf.resize(split_len(p), ZERO);
    // Row b of the tensor: conj(λ) at the compact indices a + b·2^h, gathered a row at a time.
    let row_of = |b: usize, row: &mut [C]| {
        for (x, &la) in row.iter_mut().zip(spread_low.iter()) {
            *x = lambda[la | spread_high[b]].conj();
        }
    };
    split(row_of, us, out, buf);
}

/// The scratch [`split`] needs for a tensor over m qubits: a row, the two halves' weights and tensors, and
/// the larger half's own split.
fn split_len(m: usize) -> usize {
    let (low, high) = (1usize << (m / 2), 1usize << (m - m / 2));
    3 * low + 2 * high + if m - m / 2 > 1 { split_len(m - m / 2) } else { 0 }
}

/// The environments of the tensor t over m = `us.len()` qubits, t(a, b) the entry a of row b (`row_of(b, row)`
/// writes row b; h = ⌊m/2⌋, a the compact index of the low half, b of the rest), into `out`: the low half's
/// tensor with the high qubits contracted and the high half's with the low ones contracted, in one pass over t,
/// then each half by halves again. `buf` holds [`split_len`] entries.
fn split(row_of: impl Fn(usize, &mut [C]), us: &[[C; 2]], out: &mut [[C; 2]], buf: &mut [C]) {
    let m = us.len();
    let h = m / 2;
    let (low, high) = (1usize << h, 1usize << (m - h));
    let (row, rest) = buf.split_at_mut(low);
    let (w_low, rest) = rest.split_at_mut(low);
    let (w_high, rest) = rest.split_at_mut(high);
    let (t_low, rest) = rest.split_at_mut(low);
    let (t_high, rest) = rest.split_at_mut(high);
    weights(&us[..h], w_low);
    weights(&us[h..], w_high);
    t_low.fill(ZERO);
    t_high.fill(ZERO);
    for (b, (tb, &wb)) in t_high.iter_mut().zip(w_high.iter()).enumerate() {
        row_of(b, row);
        // t_high[b] summed in a register (the same additions in the same order as into the slot).
        let mut sum = *tb;
        for ((ta, &wa), &x) in t_low.iter_mut().zip(w_low.iter()).zip(row.iter()) {
            *ta += x * wb;
            sum += x * wa;
        }
        *tb = sum;
    }
    let (out_low, out_high) = out.split_at_mut(h);
    for (t, us, out) in [(&*t_low, &us[..h], out_low), (&*t_high, &us[h..], out_high)] {
        match us.len() {
            0 => {}
            1 => out[0] = [t[0], t[1]],
            _ => split_slice(t, us, out, rest),
        }
    }
}

/// [`split`] of a tensor held in full, t(a, b) = `t[a + b·2^h]`.
fn split_slice(t: &[C], us: &[[C; 2]], out: &mut [[C; 2]], buf: &mut [C]) {
    let low = 1usize << (us.len() / 2);
    split(|b, row: &mut [C]| row.copy_from_slice(&t[b * low..(b + 1) * low]), us, out, buf);
}

/// `out[c]` = the state index of compact index c: bit j of c on qubit `targets[j]`.
fn spread(targets: &[usize], out: &mut [usize]) {
    out[0] = 0;
    for (j, &q) in targets.iter().enumerate() {
        let (lo, hi) = out[..2 << j].split_at_mut(1 << j);
        for (h, l) in hi.iter_mut().zip(lo.iter()) {
            *h = l | 1 << q;
        }
    }
}

/// `out[c]` = Π_j `us[j]`[bit j of c].
fn weights(us: &[[C; 2]], out: &mut [C]) {
    out[0] = ONE;
    for (j, u) in us.iter().enumerate() {
        let (lo, hi) = out[..2 << j].split_at_mut(1 << j);
        for (h, l) in hi.iter_mut().zip(lo.iter_mut()) {
            *h = *l * u[1];
            *l *= u[0];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{BackScratch, Gradients};
    use super::*;
    use crate::quantum::engine::plan::{Binding, Plan};
    use crate::quantum::kernels;
    use crate::quantum::{Circuit, Param};

    fn pseudo(i: usize, salt: f64) -> C {
        C::new((i as f64 * 0.37 + salt).sin(), (i as f64 * 0.11 - salt).cos())
    }

    #[test]
    fn environments_are_the_sums_they_stand_for() {
        let cases: [(usize, Vec<usize>); 6] = [
            (1, vec![0]),
            (3, vec![2, 0]),
            (5, vec![4, 1, 3, 0, 2]),
            (6, (0..6).collect()),
            (9, vec![8, 0, 7, 1, 6, 2, 5, 3]),
            (16, (0..16).rev().collect()),
        ];
        for (n, targets) in cases {
            let lambda: Vec<C> = (0..1 << n).map(|i| pseudo(i, 0.3)).collect();
            let us: Vec<[C; 2]> = (0..targets.len()).map(|j| [pseudo(2 * j, 1.0), pseudo(2 * j + 1, -0.4)]).collect();
            let mut env = vec![[ZERO; 2]; targets.len()];
            environments(&lambda, &targets, &us, &mut env, &mut Vec::new(), &mut Vec::new());
            let mask = targets.iter().fold(0, |m, &q| m | 1 << q);
            for (j, (&q, e)) in targets.iter().zip(&env).enumerate() {
                for (a, &e) in e.iter().enumerate() {
                    let mut sum = ZERO;
                    for k in (0..1usize << n).filter(|k| k & !mask == 0 && k >> q & 1 == a) {
                        let others = targets.iter().zip(&us).filter(|&(&t, _)| t != q);
                        sum += others.fold(lambda[k].conj(), |x, (&t, u)| x * u[k >> t & 1]);
                    }
                    assert!((e - sum).norm() < 1e-12 * (1.0 + sum.norm()), "n {n}, node {j}, bit {a}");
                }
            }
        }
    }

    #[test]
    fn the_product_is_what_the_kernels_make_of_zero_node_by_node() {
        let n = 7;
        let targets = [3, 0, 6, 1, 4];
        let ops = [
            Op::Mat1([[pseudo(0, 0.1), pseudo(1, 0.1)], [pseudo(2, 0.1), pseudo(3, 0.1)]]),
            Op::Diag1([pseudo(4, 0.2), pseudo(5, 0.2)]),
            Op::Anti1(pseudo(6, 0.3), pseudo(7, 0.3)),
            Op::Diag1([ONE, pseudo(8, 0.4)]),
            Op::Mat1([[C::new(0.6, 0.0), C::new(0.0, 0.8)], [C::new(0.0, 0.8), C::new(0.6, 0.0)]]),
        ];
        let mut by_kernels = vec![ZERO; 1 << n];
        by_kernels[0] = ONE;
        for (op, &q) in ops.iter().zip(&targets) {
            kernels::apply_op(&mut by_kernels, op, &[q], 0);
        }
        let mut product = vec![pseudo(9, 0.0); 1 << n];
        write_product(&mut product, &targets, &ops.map(|op| column0(&op)));
        assert_eq!(product, by_kernels);
    }

    /// Leading one-qubit nodes of every kind (constant, weights, inputs, both; dense, diagonal, anti-diagonal),
    /// qubits 3 and 4 left out of the prefix by a CNOT, then entanglers and more rotations.
    fn mixed() -> Circuit {
        let (w, x) = (Param::weight, Param::input);
        let mut c = Circuit::new(6).unwrap();
        c.h(0).unwrap().x(5).unwrap().rx(1, x(0)).unwrap().rz(2, w(0)).unwrap().cnot(3, 4).unwrap();
        c.ry(0, w(1)).unwrap().rz(1, w(2)).unwrap().ry(3, w(3)).unwrap().crx(0, 4, w(4)).unwrap();
        c.rot(2, w(5), x(1), w(6)).unwrap().cnot(0, 1).unwrap().cnot(1, 2).unwrap().cnot(2, 5).unwrap();
        c.ry(5, x(2)).unwrap().rz(4, w(7)).unwrap().rx(0, w(8)).unwrap();
        c
    }

    /// The network's circuit: an RX encoding, Rot layers and CNOT rings (gathered) on `n` qubits.
    fn layered(n: usize, inputs_first: bool) -> Circuit {
        let mut c = Circuit::new(n).unwrap();
        let mut k = 0;
        for layer in 0..2 {
            for q in 0..n {
                if layer == 0 && inputs_first {
                    c.rx(q, Param::input(q)).unwrap();
                }
                c.rot(q, Param::weight(k), Param::weight(k + 1), Param::weight(k + 2)).unwrap();
                k += 3;
            }
            for q in (0..n).filter(|_| n > 1) {
                c.cnot(q, (q + 1) % n).unwrap();
            }
        }
        c
    }

    #[test]
    fn plans_find_their_product_prefix() {
        assert_eq!(Plan::compile(&mixed()).prefix, 4);
        assert_eq!(Plan::compile(&layered(6, true)).prefix, 6);
        assert_eq!(Plan::compile(&layered(1, true)).prefix, 1);
        let mut entangled_first = Circuit::new(3).unwrap();
        entangled_first.cnot(0, 1).unwrap().ry(2, Param::weight(0)).unwrap();
        assert_eq!(Plan::compile(&entangled_first).prefix, 0);
        // A gathered run of X gates comes first: no prefix.
        let mut flipped = Circuit::new(4).unwrap();
        for q in 0..4 {
            flipped.x(q).unwrap();
        }
        flipped.cnot(0, 1).unwrap().ry(2, Param::weight(0)).unwrap();
        assert!(matches!(Plan::compile(&flipped).schedule[0], Segment::Affine(..)));
        assert_eq!(Plan::compile(&flipped).prefix, 0);
        // Tiled registers keep the passes.
        assert_eq!(Plan::compile(&layered(16, true)).prefix, 0);
    }

    #[test]
    fn passes_from_zero_give_the_state_and_gradients_of_passes_node_by_node() {
        let w: Vec<f64> = (0..40).map(|i| (i as f64 * 0.71).sin() * 2.0).collect();
        let x = [0.4, -1.3, 0.9, 0.2, -0.5, 1.7];
        let circuits = [(mixed(), 4), (layered(6, true), 6), (layered(5, false), 5), (layered(1, true), 1)];
        for (c, prefix) in circuits {
            let plan = Plan::compile(&c);
            assert_eq!(plan.prefix, prefix);
            let dim = 1 << c.num_qubits();
            let binding = Binding::new(&c, &w[..c.num_weights()], &x[..c.num_inputs()]);
            let mut record = vec![[[ZERO; 2]; 2]; plan.record_len()];
            let mut from_zero = vec![pseudo(1, 0.0); dim];
            plan.forward_from_zero(&binding, &mut from_zero, &mut Vec::new(), &mut record);
            let mut by_nodes = vec![ZERO; dim];
            by_nodes[0] = ONE;
            plan.forward(&binding, &mut by_nodes, &mut Vec::new(), &mut []);
            assert_eq!(from_zero, by_nodes);
            // λ = Aψ for a Hermitian A that couples every qubit.
            let a = |phi: &[C], i: usize| phi[i] * (1.0 + 0.1 * i as f64) + 0.5 * phi[i ^ (dim - 1)] + 0.3 * phi[i ^ 1];
            for want_inputs in [true, false] {
                for recorded in [&record[..], &[]] {
                    let sweep = |from_zero: bool| {
                        let mut phi = by_nodes.clone();
                        let mut lambda: Vec<C> = (0..dim).map(|i| a(&by_nodes, i)).collect();
                        let (mut gw, mut gx) = (vec![0.0; c.num_weights()], vec![0.0; c.num_inputs()]);
                        let sinks = Gradients { weights: &mut gw, inputs: want_inputs.then_some(&mut gx[..]) };
                        let scratch = &mut BackScratch::default();
                        match from_zero {
                            true => plan.backward_from_zero(&binding, &mut phi, &mut lambda, recorded, sinks, scratch),
                            false => plan.backward(&binding, &mut phi, &mut lambda, recorded, sinks, scratch),
                        }
                        [gw, gx].concat()
                    };
                    let (fast, slow) = (sweep(true), sweep(false));
                    assert!(slow.iter().filter(|g| g.abs() > 1e-3).count() > c.num_weights() / 2, "{slow:?}");
                    for (j, (f, s)) in fast.iter().zip(&slow).enumerate() {
                        assert!(
                            (f - s).abs() < 1e-12,
                            "prefix {prefix}, inputs {want_inputs}, gradient {j}: {f} vs {s}"
                        );
                    }
                }
            }
        }
    }
}
