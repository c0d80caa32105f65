//! Ordering a circuit's nodes into cache windows: runs of nodes that touch few enough qubits, together, to be
//! applied in one pass over the state (a block or a tile held in cache), found by a greedy sweep over the
//! dependency order.
//!
//! A brickwork layer in circuit order alternates nodes on low and high qubits, so consecutive runs are short
//! and every high node costs a pass over the state. Nodes on disjoint qubits commute, though: a window takes,
//! in circuit order, every node whose qubits fit the window and that no node left behind precedes on one of
//! its qubits. On a brickwork circuit of n qubits a window holding 15 of them advances a light-cone's depth
//! (several layers) before the qubits it lacks stop it, so a pass over memory serves many layers.

use std::ops::Range;

/// A window: a range of the reordered groups and the mask of its qubits outside `free`.
pub(crate) type Window = (Range<usize>, usize);

/// Reorders `groups` (in circuit order; `masks[g]` the qubits group g touches) into windows. Every qubit of
/// `free` belongs to every window; beside them a window holds the qubits of its groups, as many as `fits`
/// allows of their mask. Returns the windows in order, over the reordered `groups`. A group that fits no window
/// on its own (a gate with many controls) is a window of its own. The order keeps every pair of groups that
/// share a qubit in circuit order, so the reordered circuit is the same unitary.
pub(crate) fn windows<T: Default>(
    groups: &mut [T],
    masks: &[usize],
    free: usize,
    fits: impl Fn(usize) -> bool,
) -> Vec<Window> {
    let count = groups.len();
    debug_assert_eq!(masks.len(), count);
    let all = masks.iter().fold(0, |m, &g| m | g);
    let mut done = vec![false; count];
    let mut order = Vec::with_capacity(count);
    let mut out = Vec::new();
    let mut first = 0;
    while first < count {
        let start = order.len();
        let (mut mask, mut blocked) = (0usize, 0usize);
        for g in first..count {
            if done[g] {
                continue;
            }
            let next = mask | (masks[g] & !free);
            if masks[g] & blocked != 0 || !fits(next) {
                // A group left behind: every later group on one of its qubits must wait for it.
                blocked |= masks[g];
                if blocked == all {
                    break;
                }
                continue;
            }
            mask = next;
            done[g] = true;
            order.push(g);
        }
        if order.len() == start {
            // The first group waiting fits no window.
            done[first] = true;
            order.push(first);
            mask = masks[first] & !free;
        }
        out.push((start..order.len(), mask));
        while first < count && done[first] {
            first += 1;
        }
    }
    let mut taken: Vec<T> = groups.iter_mut().map(std::mem::take).collect();
    for (slot, g) in groups.iter_mut().zip(order) {
        *slot = std::mem::take(&mut taken[g]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether `order` keeps every two groups that share a qubit in their original order.
    fn respects(masks: &[usize], order: &[usize]) -> bool {
        let pos: Vec<usize> = (0..order.len()).map(|g| order.iter().position(|&x| x == g).unwrap()).collect();
        (0..masks.len()).all(|a| (a + 1..masks.len()).all(|b| masks[a] & masks[b] == 0 || pos[a] < pos[b]))
    }

    #[test]
    fn a_brickwork_window_advances_a_light_cone_and_the_order_respects_dependencies() {
        // 8 qubits, free {0, 1}, at most 3 more: layers of one-qubit groups then pairs (0,1),(2,3).. or (1,2)...
        let n = 8;
        let mut masks = Vec::new();
        for layer in 0..6 {
            masks.extend((0..n).map(|q| 1usize << q));
            masks.extend((layer % 2..n - 1).step_by(2).map(|q| 3usize << q));
        }
        let mut groups: Vec<usize> = (0..masks.len()).collect();
        let windows = windows(&mut groups, &masks, 0b11, |m| m.count_ones() <= 3);
        assert!(respects(&masks, &groups), "{groups:?}");
        let mut sorted = groups.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..masks.len()).collect::<Vec<_>>(), "every group once");
        // The first window holds qubits 0..4 and takes layer 0's gates on them, and more than one layer.
        let (first, mask) = windows[0].clone();
        assert_eq!(mask, 0b1_1100);
        let layer_len = n + n / 2;
        assert!(first.len() > layer_len, "{first:?}");
        // Exactly the light cone: per layer the one-qubit groups and pairs on qubits 0..4 not yet cut off by a
        // left-behind pair (7, 5, 4, 2, 1 groups in layers 0 to 4).
        assert_eq!(first.len(), 7 + 5 + 4 + 2 + 1, "{:?}", &groups[first]);
        for range in windows.iter().map(|w| w.0.clone()) {
            let m = groups[range.clone()].iter().fold(0, |m, &g| m | masks[g]);
            assert!((m & !0b11).count_ones() <= 3 || range.len() == 1, "{m:b}");
        }
        assert!(windows.len() < 6 * 2, "{} windows", windows.len());
    }

    #[test]
    fn a_group_wider_than_any_window_stands_alone() {
        let masks = [0b1, 0b1111_0000, 0b10, 0b1_0000];
        let mut groups = vec!['a', 'b', 'c', 'd'];
        let windows = windows(&mut groups, &masks, 0b11, |m| m.count_ones() <= 2);
        assert!(respects(&masks, &[0, 2, 1, 3]));
        assert_eq!(groups, ['a', 'c', 'b', 'd']);
        assert_eq!(windows, [(0..2, 0), (2..3, 0b1111_0000), (3..4, 0b1_0000)]);
    }
}
