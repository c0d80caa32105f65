//! The messages of a distributed state: agreement checks, reductions in rank order, and the two ways amplitudes
//! move (half a block with one partner, or whole blocks), in chunks through the state's two buffers.

use mpi::collective::CommunicatorCollectives;
use mpi::point_to_point::send_receive_into;
use mpi::topology::{Communicator, SimpleCommunicator};
use num_complex::Complex64 as C;

use super::DistributedState;
use crate::error::{Error, Result};

/// The bytes of one amplitude.
const AMPLITUDE_BYTES: u64 = 16;

/// Every rank's `value`, in rank order.
pub(super) fn all_values(comm: &SimpleCommunicator, value: u64) -> Vec<u64> {
    let mut all = vec![0u64; comm.size() as usize];
    comm.all_gather_into(&value, &mut all[..]);
    all
}

/// [`Error::RankDisagreement`] on every rank unless every rank passed the same `value` (a hash of `what`).
pub(super) fn agree(comm: &SimpleCommunicator, what: &'static str, value: u64) -> Result<()> {
    let all = all_values(comm, value);
    match all.iter().position(|&v| v != all[0]) {
        Some(rank) => Err(Error::RankDisagreement { what, rank }),
        None => Ok(()),
    }
}

/// `Err(r)` on every rank, r the first rank that passed `false`.
pub(super) fn all_ok(comm: &SimpleCommunicator, ok: bool) -> std::result::Result<(), usize> {
    match all_values(comm, u64::from(ok)).iter().position(|&v| v == 0) {
        Some(rank) => Err(rank),
        None => Ok(()),
    }
}

/// Σ_r values_r, every rank's `values` added elementwise in rank order: the same bits on every rank.
pub(super) fn sum_in_rank_order(comm: &SimpleCommunicator, values: &[f64]) -> Vec<f64> {
    const PART: usize = 1 << 16;
    let ranks = comm.size() as usize;
    let mut sums = vec![0.0; values.len()];
    for (part, out) in values.chunks(PART).zip(sums.chunks_mut(PART)) {
        let mut gathered = vec![0.0; part.len() * ranks];
        comm.all_gather_into(part, &mut gathered[..]);
        for from_rank in gathered.chunks(part.len()) {
            out.iter_mut().zip(from_rank).for_each(|(s, v)| *s += v);
        }
    }
    sums
}

/// Calls `f(start, offset, len)` for the contiguous runs of local indices whose bit `bit` is `value`, taken as
/// the half-block indices `range` (the k-th index of the half has the bits of k around `bit`).
fn half_runs(bit: usize, value: usize, range: std::ops::Range<usize>, mut f: impl FnMut(usize, usize, usize)) {
    let run = 1usize << bit;
    let mut k = range.start;
    while k < range.end {
        let off = k & (run - 1);
        let len = (run - off).min(range.end - k);
        f(((k >> bit) << (bit + 1)) | value << bit | off, k - range.start, len);
        k += len;
    }
}

impl DistributedState {
    /// Swaps the qubit at global pattern bit `global` with the one at local bit `local`: this rank keeps the
    /// half of its block whose local bit equals its pattern bit and exchanges the other half with the rank
    /// whose pattern differs in that bit, chunk by chunk (for the adjoint state too, during a gradient).
    pub(super) fn exchange_half(&mut self, local: usize, global: usize) {
        let y = (self.pattern >> global) & 1;
        let partner = self.layout.ranks.rank(self.pattern ^ 1 << global) as i32;
        let DistributedState { comm, amps, lambda, send, recv, traffic, .. } = self;
        let process = comm.process_at_rank(partner);
        // The state, and the adjoint state of a gradient's sweep when there is one, exchanged alike.
        for amps in [amps, lambda] {
            let half = amps.len() / 2;
            let mut k = 0;
            while k < half {
                let end = (k + send.len()).min(half);
                let n = end - k;
                half_runs(local, 1 - y, k..end, |start, off, len| {
                    send[off..off + len].copy_from_slice(&amps[start..start + len]);
                });
                send_receive_into(&send[..n], &process, &mut recv[..n], &process);
                half_runs(local, 1 - y, k..end, |start, off, len| {
                    amps[start..start + len].copy_from_slice(&recv[off..off + len]);
                });
                traffic.bytes_sent += n as u64 * AMPLITUDE_BYTES;
                traffic.bytes_received += n as u64 * AMPLITUDE_BYTES;
                k = end;
            }
        }
        traffic.exchanges += 1;
    }

    /// Moves whole blocks so that rank r holds pattern r: each rank sends its block to the rank numbered by its
    /// pattern and receives the block of pattern `rank`, chunk by chunk.
    pub(super) fn move_blocks(&mut self) {
        let destination = self.pattern;
        let source = self.layout.ranks.rank(self.rank);
        if destination != self.rank {
            let DistributedState { comm, amps, lambda, send, recv, traffic, .. } = self;
            let (to, from) = (comm.process_at_rank(destination as i32), comm.process_at_rank(source as i32));
            for amps in [amps, lambda] {
                for chunk in amps.chunks_mut(send.len()) {
                    let n = chunk.len();
                    send[..n].copy_from_slice(chunk);
                    send_receive_into(&send[..n], &to, &mut recv[..n], &from);
                    chunk.copy_from_slice(&recv[..n]);
                    traffic.bytes_sent += n as u64 * AMPLITUDE_BYTES;
                    traffic.bytes_received += n as u64 * AMPLITUDE_BYTES;
                }
            }
            traffic.exchanges += 1;
        }
        self.layout.ranks = super::layout::RankMap::identity(self.layout.ranks_bits());
        self.pattern = self.rank;
    }

    /// Sends `data` to rank `to` (this rank's traffic counted), in messages of at most a buffer's length.
    pub(super) fn send_chunks(&mut self, to: usize, data: std::ops::Range<usize>) {
        use mpi::point_to_point::Destination;
        let process = self.comm.process_at_rank(to as i32);
        for chunk in self.amps[data].chunks(self.send.len()) {
            process.send(chunk);
            self.traffic.bytes_sent += chunk.len() as u64 * AMPLITUDE_BYTES;
        }
    }

    /// Receives `out.len()` amplitudes from rank `from` into `out`, in messages of at most a buffer's length.
    pub(super) fn receive_chunks(&mut self, from: usize, out: &mut [C]) {
        use mpi::point_to_point::Source;
        let process = self.comm.process_at_rank(from as i32);
        for chunk in out.chunks_mut(self.send.len()) {
            process.receive_into(chunk);
            self.traffic.bytes_received += chunk.len() as u64 * AMPLITUDE_BYTES;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_runs_visit_the_half_in_order() {
        for bit in 0..4 {
            for value in 0..2 {
                let expected: Vec<usize> = (0..16).filter(|i| (i >> bit) & 1 == value).collect();
                for (a, b) in [(0, 8), (3, 7), (5, 6)] {
                    let mut seen = Vec::new();
                    half_runs(bit, value, a..b, |start, off, len| {
                        assert_eq!(off, seen.len());
                        seen.extend(start..start + len);
                    });
                    assert_eq!(seen, expected[a..b]);
                }
            }
        }
    }
}
