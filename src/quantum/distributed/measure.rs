//! What a distributed state reports: expectations of Pauli sums, norms, marginals, single amplitudes, samples,
//! and the whole state gathered to rank 0 or scattered from it.

use std::collections::BTreeMap;

use mpi::collective::{CommunicatorCollectives, Root, SystemOperation};
use mpi::topology::Communicator;
use num_complex::Complex64 as C;
use rand::{Rng, RngExt};

use super::{comm, fnv1a, DistributedState, FNV_START};
use crate::error::{Error, Result};
use crate::quantum::kernels;
use crate::quantum::observable::{Observable, Pauli, PauliString};
use crate::quantum::state::StateVector;
use crate::quantum::terms::PauliTerms;

/// The most qubits a [`DistributedState::marginal`] may ask for (a table of 2^24 probabilities on every rank).
pub const MAX_MARGINAL_QUBITS: usize = 24;

impl DistributedState {
    /// ⟨ψ|O|ψ⟩ = Σ_k c_k ⟨ψ|P_k|ψ⟩, the same bits on every rank. Z on a global qubit is a sign on each rank; X or
    /// Y on a global qubit first swaps it into a local one (kept, as a gate's swap is), so an expectation may
    /// move half of each block once per such qubit.
    ///
    /// # Errors
    /// On every rank: [`Error::RankDisagreement`] when the ranks pass different observables;
    /// [`Error::InvalidQubit`] when a term acts beyond the register; [`Error::TooFewLocalQubits`] when a term
    /// has more X and Y factors than the local qubits other than qubit 0 can hold.
    pub fn expectation(&mut self, observable: &Observable) -> Result<f64> {
        comm::agree(&self.comm, "observable", fnv1a(format!("{observable:?}").into_bytes(), FNV_START))?;
        observable.check_fits(self.num_qubits)?;
        let local = self.layout.local;
        let mut partial = 0.0;
        for term in observable.terms() {
            let moving: Vec<usize> = term.ops().iter().filter(|(_, p)| *p != Pauli::Z).map(|&(q, _)| q).collect();
            if moving.len() >= local {
                return Err(Error::TooFewLocalQubits {
                    num_qubits: self.num_qubits,
                    ranks: self.num_ranks,
                    local,
                    needed: moving.len() + 1,
                });
            }
            for &q in &moving {
                if self.layout.physical[q] >= local {
                    // The highest local bit whose qubit the term does not flip.
                    let p = (1..local).rev().find(|&p| !moving.contains(&self.layout.logical[p])).expect("checked");
                    self.swap_with_local(q, p);
                }
            }
            let placed = Observable::from(self.local_term(term.coeff(), term)?);
            let mut value = [0.0];
            PauliTerms::new(std::slice::from_ref(&placed), local)?.expectations(&self.amps, &mut value);
            partial += value[0];
        }
        Ok(comm::sum_in_rank_order(&self.comm, &[partial])[0])
    }

    /// `coeff` times `term` on this rank's block: its factors at their local bits, its Z factors on global qubits
    /// as the sign of this rank's bit (its X and Y factors must be local).
    pub(super) fn local_term(&self, coeff: f64, term: &PauliString) -> Result<PauliString> {
        let local = self.layout.local;
        let mut sign = 1.0;
        let mut ops = Vec::with_capacity(term.ops().len());
        for &(q, pauli) in term.ops() {
            let p = self.layout.physical[q];
            if p < local {
                ops.push((p, pauli));
            } else if (self.pattern >> (p - local)) & 1 == 1 {
                sign = -sign;
            }
        }
        PauliString::new(sign * coeff, &ops)
    }

    /// ⟨ψ|P|ψ⟩ for one weighted Pauli string: [`expectation`](Self::expectation) of a one-term observable.
    ///
    /// # Errors
    /// As [`expectation`](Self::expectation).
    pub fn expectation_pauli(&mut self, term: &PauliString) -> Result<f64> {
        self.expectation(&term.clone().into())
    }

    /// ‖ψ‖² = Σ_i |ψ_i|², the ranks' sums added in rank order (the same bits on every rank).
    #[must_use]
    pub fn norm_sqr(&self) -> f64 {
        comm::sum_in_rank_order(&self.comm, &[kernels::norm_sqr(&self.amps)])[0]
    }

    /// The distribution of the outcomes of measuring `qubits`: entry k is the probability that qubit
    /// `qubits[m]` reads bit m of k, for every m. The same bits on every rank; no amplitude moves.
    ///
    /// # Errors
    /// On every rank: [`Error::RankDisagreement`] when the ranks pass different qubits; [`Error::InvalidQubit`],
    /// [`Error::DuplicateQubit`]; [`Error::TooLarge`] for more than [`MAX_MARGINAL_QUBITS`] qubits.
    pub fn marginal(&self, qubits: &[usize]) -> Result<Vec<f64>> {
        comm::agree(&self.comm, "marginal's qubits", fnv1a(qubits.iter().flat_map(|q| q.to_le_bytes()), FNV_START))?;
        for (m, &q) in qubits.iter().enumerate() {
            if q >= self.num_qubits {
                return Err(Error::InvalidQubit { qubit: q, num_qubits: self.num_qubits });
            }
            if qubits[..m].contains(&q) {
                return Err(Error::DuplicateQubit { qubit: q });
            }
        }
        if qubits.len() > MAX_MARGINAL_QUBITS {
            return Err(Error::TooLarge { what: "marginal probabilities", elements: 1u128 << qubits.len() });
        }
        let local = self.layout.local;
        // The outcome bits this rank's global pattern fixes, and the local bits the others come from.
        let mut fixed = 0;
        let mut from_local = Vec::new();
        for (m, &q) in qubits.iter().enumerate() {
            let p = self.layout.physical[q];
            if p < local {
                from_local.push((p, m));
            } else {
                fixed |= ((self.pattern >> (p - local)) & 1) << m;
            }
        }
        let mut table = vec![0.0; 1 << qubits.len()];
        for (i, a) in self.amps.iter().enumerate() {
            let k = from_local.iter().fold(fixed, |k, &(p, m)| k | ((i >> p) & 1) << m);
            table[k] += a.norm_sqr();
        }
        Ok(comm::sum_in_rank_order(&self.comm, &table))
    }

    /// |ψ_i|² for every basis index i (qubit 0 the least significant bit): [`marginal`](Self::marginal) of all
    /// qubits in order, on every rank.
    ///
    /// # Errors
    /// As [`marginal`](Self::marginal): [`Error::TooLarge`] above [`MAX_MARGINAL_QUBITS`] qubits.
    pub fn probabilities(&self) -> Result<Vec<f64>> {
        self.marginal(&(0..self.num_qubits).collect::<Vec<_>>())
    }

    /// The amplitude ψ_index, on every rank (broadcast by the rank that holds it).
    ///
    /// # Errors
    /// On every rank: [`Error::RankDisagreement`] when the ranks ask for different indices;
    /// [`Error::InvalidBasisState`] for an index at or beyond 2^n.
    pub fn amplitude(&self, index: usize) -> Result<C> {
        comm::agree(&self.comm, "amplitude's index", index as u64)?;
        let dim = 1usize << self.num_qubits;
        if index >= dim {
            return Err(Error::InvalidBasisState { index, num_qubits: self.num_qubits, dim });
        }
        let (pattern, local) = self.layout.place(index);
        let owner = self.layout.ranks.rank(pattern);
        let mut value = if owner == self.rank { self.amps[local] } else { C::new(0.0, 0.0) };
        self.comm.process_at_rank(owner as i32).broadcast_into(&mut value);
        Ok(value)
    }

    /// Draws `shots` measurements of every qubit in the computational basis: how often each basis index
    /// occurred, the same map on every rank. The state is first put in the canonical layout
    /// ([`canonicalize`](Self::canonicalize)); every rank then draws the same uniforms from `rng` (seed it the
    /// same on every rank) and matches those in its share of the cumulative distribution, so the samples are
    /// those [`StateVector::sample`] draws from the same generator, unless a draw falls within rounding of a
    /// boundary between outcomes (the cumulative sums are added per rank; about 1e-16 per draw).
    ///
    /// # Errors
    /// On every rank: [`Error::RankDisagreement`] when the ranks draw different uniforms (generators seeded
    /// differently) or ask for different numbers of shots; [`Error::TooLarge`] when the draws cannot be
    /// allocated.
    pub fn sample<R: Rng + ?Sized>(&mut self, shots: usize, rng: &mut R) -> Result<BTreeMap<usize, usize>> {
        comm::agree(&self.comm, "number of shots", shots as u64)?;
        self.canonicalize();
        let norms = comm::all_values(&self.comm, kernels::norm_sqr(&self.amps).to_bits());
        // prefix[r]: the probability held by ranks before r, added in rank order.
        let mut prefix = vec![0.0; self.num_ranks + 1];
        for (r, bits) in norms.iter().enumerate() {
            prefix[r + 1] = prefix[r] + f64::from_bits(*bits);
        }
        let total = prefix[self.num_ranks];
        let mut draws: Vec<f64> = crate::bounded::with_capacity("measurement shots", shots)?;
        draws.extend((0..shots).map(|_| rng.random::<f64>() * total));
        comm::agree(
            &self.comm,
            "random draws",
            fnv1a(draws.iter().flat_map(|u| u.to_bits().to_le_bytes()), FNV_START),
        )?;
        draws.sort_unstable_by(f64::total_cmp);
        // This rank's draws: those in [prefix[r], prefix[r + 1]), and all above for the last rank with mass.
        let last_rank = (0..self.num_ranks).rev().find(|&r| norms[r] != 0).unwrap_or(0);
        let lo = draws.partition_point(|&u| u < prefix[self.rank]);
        let hi = if self.rank == last_rank { shots } else { draws.partition_point(|&u| u < prefix[self.rank + 1]) };
        let hi = hi.max(lo);
        // Outcome (plus one) of each draw, zero for other ranks' draws; summed over ranks.
        let mut outcome = vec![0u64; shots];
        if lo < hi {
            let base = (self.rank as u64) << self.layout.local;
            let last = self.amps.iter().rposition(|a| a.norm_sqr() != 0.0).unwrap_or(0);
            let (mut next, mut cumulative) = (lo, prefix[self.rank]);
            for (i, a) in self.amps.iter().enumerate().take(last + 1) {
                cumulative += a.norm_sqr();
                let count = if i == last { hi - next } else { draws[next..hi].partition_point(|&u| u < cumulative) };
                outcome[next..next + count].iter_mut().for_each(|o| *o = base + i as u64 + 1);
                next += count;
            }
        }
        let mut all = vec![0u64; shots];
        for (part, out) in outcome.chunks(1 << 20).zip(all.chunks_mut(1 << 20)) {
            self.comm.all_reduce_into(part, out, SystemOperation::sum());
        }
        let mut counts = BTreeMap::new();
        for o in all {
            *counts.entry(o as usize - 1).or_insert(0) += 1;
        }
        Ok(counts)
    }

    /// The whole state on rank 0 (`None` on the others), after putting it in the canonical layout: each rank
    /// sends its block in chunks.
    ///
    /// # Errors
    /// On every rank: [`Error::RankOutOfMemory`] when rank 0 cannot allocate the 2^n amplitudes.
    pub fn gather(&mut self) -> Result<Option<StateVector>> {
        self.canonicalize();
        let n = self.num_qubits;
        let mut full = if self.rank == 0 {
            crate::quantum::state::check_memory(n, 1).ok().and_then(|()| kernels::zeroed_amplitudes(1 << n))
        } else {
            None
        };
        comm::all_ok(&self.comm, self.rank != 0 || full.is_some()).map_err(|rank| Error::RankOutOfMemory {
            rank,
            num_qubits: n,
            bytes: 16u128 << n,
        })?;
        let block = self.amps.len();
        match full.as_mut() {
            Some(full) => {
                full[..block].copy_from_slice(&self.amps);
                for r in 1..self.num_ranks {
                    self.receive_chunks(r, &mut full[r * block..(r + 1) * block]);
                }
            }
            None => self.send_chunks(0, 0..block),
        }
        full.map(StateVector::from_amplitudes).transpose()
    }

    /// Replaces the state by `state`, read on rank 0 (other ranks may pass `None`; what they pass is not read):
    /// rank 0 sends each rank its block, and the layout becomes canonical.
    ///
    /// # Errors
    /// On every rank: [`Error::QubitCountMismatch`] when rank 0's state has another number of qubits (or rank 0
    /// passes `None`: 0 qubits).
    pub fn scatter(&mut self, state: Option<&StateVector>) -> Result<()> {
        let mut n = if self.rank == 0 { state.map_or(0, StateVector::num_qubits) as u64 } else { 0 };
        self.comm.process_at_rank(0).broadcast_into(&mut n);
        if n as usize != self.num_qubits {
            return Err(Error::QubitCountMismatch { left: self.num_qubits, right: n as usize });
        }
        let block = self.amps.len();
        self.layout = super::layout::Layout::canonical(self.num_qubits, self.layout.local);
        self.pattern = self.rank;
        match state.filter(|_| self.rank == 0) {
            Some(state) => {
                let amps = state.amplitudes();
                self.amps.copy_from_slice(&amps[..block]);
                for r in 1..self.num_ranks {
                    let process = self.comm.process_at_rank(r as i32);
                    for chunk in amps[r * block..(r + 1) * block].chunks(self.send.len()) {
                        mpi::point_to_point::Destination::send(&process, chunk);
                        self.traffic.bytes_sent += 16 * chunk.len() as u64;
                    }
                }
            }
            None => {
                let mut amps = std::mem::take(&mut self.amps);
                self.receive_chunks(0, &mut amps);
                self.amps = amps;
            }
        }
        Ok(())
    }
}
