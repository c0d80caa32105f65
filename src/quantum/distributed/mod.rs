//! A state vector distributed over the ranks of an MPI communicator (feature `mpi`): [`DistributedState`].
//!
//! See [`DistributedState`] for the design: the layout, what communicates and what does not.

mod comm;
mod gradient;
mod layout;
mod measure;
mod run;

use mpi::topology::{Communicator, SimpleCommunicator};
use num_complex::Complex64 as C;

pub(crate) use self::gradient::Cotangent;
pub use self::gradient::DistributedGradient;
use self::layout::Layout;
pub use self::measure::MAX_MARGINAL_QUBITS;
use crate::error::{Error, Result};
use crate::quantum::kernels;
use crate::quantum::op::ONE;
use crate::quantum::state::{check_max_qubits, check_memory};

/// The fewest local qubits a rank may hold: qubit 0 stays local and in place (its kernels differ in the sign of
/// a zero), and a two-qubit op needs two more local qubits for its targets, plus one to give up.
pub const MIN_LOCAL_QUBITS: usize = 4;

/// The largest exchange buffer, in amplitudes (16 MiB); a buffer is also at most 1/16 of the local block.
const MAX_CHUNK: usize = 1 << 20;

/// The bytes a rank has sent and received for a [`DistributedState`] (amplitudes exchanged between ranks,
/// gathered or scattered; the few bytes of hashes and partial sums are not counted).
///
/// # Example
/// ```
/// use qnet::quantum::Traffic;
///
/// let t = Traffic::default();
/// assert_eq!((t.bytes_sent, t.bytes_received, t.exchanges), (0, 0, 0));
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Traffic {
    /// Bytes of amplitudes sent to other ranks.
    pub bytes_sent: u64,
    /// Bytes of amplitudes received from other ranks.
    pub bytes_received: u64,
    /// Exchanges of a qubit between global and local (each a swap of half the block with one partner) and
    /// moves of whole blocks.
    pub exchanges: u64,
}

/// A state vector of n qubits distributed over the 2^g ranks of an MPI communicator, each holding 2^(n−g)
/// amplitudes: |ψ⟩ = Σ_i ψ_i |i⟩ with the same gate and circuit API as
/// [`StateVector`](crate::quantum::StateVector), and bit-identical amplitudes.
///
/// Every method is collective: all ranks call it, in the same order, with the same arguments.
///
/// With P = 2^g ranks, each rank holds 2^L amplitudes, L = n − g: the top g *physical* bits of a basis index
/// are *global* (they say which rank holds it), the low L are the rank's *local* index. Circuits run through the
/// same compiled plan as on one machine (fused nodes, the same kernels on the local block), and a distribution
/// pass decides per node what the global qubits cost:
///
/// - Diagonal gates on global qubits, and controls on global qubits, cost no communication: a global bit is a
///   constant on each rank, so the gate is a phase on the rank's block, or nothing.
/// - X (and Y) on a global qubit, CNOT between two global qubits and SWAP with a global qubit move no amplitude:
///   they relabel which global pattern each rank holds (an affine map over GF(2)) or which physical bit holds
///   which logical qubit.
/// - Any other op with a global target first swaps that qubit with a local one: each rank exchanges half of its
///   block (16·2^(L−1) bytes) with one partner, in chunks through two buffers of at most 1/16 of the block
///   each. The local qubit given up is the one the plan needs again furthest in the future. The swap is kept:
///   later gates on that qubit are local, and the layout returns to canonical order only when amplitudes are
///   asked for in that order ([`canonicalize`](Self::canonicalize), [`gather`](Self::gather),
///   [`sample`](Self::sample)).
///
/// Every amplitude sees the arithmetic it sees on one machine, so a gathered state equals the one
/// [`StateVector::run`](crate::quantum::StateVector::run) gives, bit for bit, for any number of ranks and threads.
/// Reductions (norms, expectations, marginals) add each rank's partial sum in rank order on every rank: the
/// same bits on every rank and from run to run, within rounding of the one-machine value.
///
/// [`gradient`](Self::gradient) differentiates ⟨O⟩ by the adjoint method with φ and λ distributed alike, and
/// [`QuantumFunction`](crate::grad::QuantumFunction)'s `evaluate_distributed`, `vjp_distributed` and
/// `jacobian_distributed` run a function on a distributed state.
///
/// Every collective call first compares a hash of its inputs across ranks, so ranks given different circuits,
/// weights, observables or random draws all return [`Error::RankDisagreement`] instead of waiting for each
/// other; bad set-ups ([`Error::RankCount`], [`Error::TooFewLocalQubits`], [`Error::RankOutOfMemory`]) are
/// likewise returned on every rank.
///
/// # Example
///
/// Run under `mpirun -np 2` (or, as here, as one process: one rank holds everything).
///
/// ```
/// use qnet::prelude::*;
/// use qnet::quantum::DistributedState;
///
/// # fn main() -> qnet::Result<()> {
/// let universe = mpi::initialize().expect("MPI initializes once");
/// let world = universe.world();
/// let mut circuit = Circuit::new(6)?;
/// circuit.h(5)?;
/// for q in (0..5).rev() {
///     circuit.cnot(q + 1, q)?;
/// }
/// let mut state = DistributedState::new(6, &world)?;
/// state.run(&circuit, &[], &[])?;
/// // A GHZ state: ⟨Z0 Z5⟩ = 1, the same bits on every rank.
/// assert!((state.expectation_pauli(&PauliString::parse("ZIIIIZ")?)? - 1.0).abs() < 1e-12);
/// // The whole state on rank 0, equal to a run on one machine.
/// let mut serial = StateVector::new(6)?;
/// serial.run(&circuit, &[], &[])?;
/// if let Some(gathered) = state.gather()? {
///     assert_eq!(gathered, serial);
/// }
/// # Ok(())
/// # }
/// ```
pub struct DistributedState {
    comm: SimpleCommunicator,
    rank: usize,
    num_ranks: usize,
    num_qubits: usize,
    layout: Layout,
    /// The global pattern this rank holds.
    pattern: usize,
    amps: Vec<C>,
    /// The adjoint state λ of a gradient's backward sweep, in the same layout (empty otherwise): every
    /// exchange, relabelling phase and kernel applies to it as to `amps`.
    lambda: Vec<C>,
    send: Vec<C>,
    recv: Vec<C>,
    traffic: Traffic,
}

impl std::fmt::Debug for DistributedState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DistributedState")
            .field("rank", &self.rank)
            .field("num_ranks", &self.num_ranks)
            .field("num_qubits", &self.num_qubits)
            .field("local_qubits", &self.layout.local)
            .field("layout", &self.layout)
            .field("traffic", &self.traffic)
            .finish_non_exhaustive()
    }
}

/// The 64-bit FNV-1a hash of `bytes`, for comparing inputs across ranks.
pub(crate) fn fnv1a(bytes: impl IntoIterator<Item = u8>, mut hash: u64) -> u64 {
    for b in bytes {
        hash = (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// The FNV-1a offset basis.
pub(crate) const FNV_START: u64 = 0xcbf2_9ce4_8422_2325;

impl DistributedState {
    /// |0…0⟩ on `num_qubits` qubits over the ranks of `comm` (duplicated, so that its messages never mix with
    /// the caller's). Every rank of `comm` must call it.
    ///
    /// # Errors
    /// On every rank: [`Error::RankDisagreement`] when the ranks pass different `num_qubits`;
    /// [`Error::RankCount`] when the number of ranks is not a power of two; [`Error::ZeroQubits`];
    /// [`Error::TooManyQubits`] above [`MAX_QUBITS`](crate::quantum::MAX_QUBITS);
    /// [`Error::TooFewLocalQubits`] when a rank would hold fewer than [`MIN_LOCAL_QUBITS`] qubits;
    /// [`Error::RankOutOfMemory`] when a rank cannot allocate its block and buffers.
    pub fn new(num_qubits: usize, comm: &impl Communicator) -> Result<Self> {
        let comm = comm.duplicate();
        let num_ranks = comm.size() as usize;
        let rank = comm.rank() as usize;
        comm::agree(&comm, "number of qubits", num_qubits as u64)?;
        if !num_ranks.is_power_of_two() {
            return Err(Error::RankCount { ranks: num_ranks });
        }
        if num_qubits == 0 {
            return Err(Error::ZeroQubits);
        }
        check_max_qubits(num_qubits)?;
        let global = num_ranks.trailing_zeros() as usize;
        let local = num_qubits.saturating_sub(global);
        if local < MIN_LOCAL_QUBITS {
            return Err(Error::TooFewLocalQubits { num_qubits, ranks: num_ranks, local, needed: MIN_LOCAL_QUBITS });
        }
        let bytes = 16u128 << local;
        let out_of_memory = |rank| Error::RankOutOfMemory { rank, num_qubits: local, bytes };
        // The block checked against what the rank has, then allocated with its two exchange buffers (1/8 of it
        // together); every rank learns whether any failed.
        comm::all_ok(&comm, check_memory(local, 1).is_ok()).map_err(out_of_memory)?;
        let chunk = (1usize << (local - 4)).min(MAX_CHUNK);
        let block = kernels::zeroed_amplitudes(1 << local);
        let buffers = (kernels::zeroed_amplitudes(chunk), kernels::zeroed_amplitudes(chunk));
        let allocated = block.is_some() && buffers.0.is_some() && buffers.1.is_some();
        comm::all_ok(&comm, allocated).map_err(out_of_memory)?;
        let (Some(mut amps), (Some(send), Some(recv))) = (block, buffers) else { unreachable!("every rank allocated") };
        if rank == 0 {
            amps[0] = ONE;
        }
        Ok(DistributedState {
            comm,
            rank,
            num_ranks,
            num_qubits,
            layout: Layout::canonical(num_qubits, local),
            pattern: rank,
            amps,
            lambda: Vec::new(),
            send,
            recv,
            traffic: Traffic::default(),
        })
    }

    /// The number of qubits n.
    #[must_use]
    pub fn num_qubits(&self) -> usize {
        self.num_qubits
    }

    /// The number of local qubits L = n − log2(ranks): each rank holds 2^L amplitudes.
    #[must_use]
    pub fn local_qubits(&self) -> usize {
        self.layout.local
    }

    /// This process's rank in the communicator.
    #[must_use]
    pub fn rank(&self) -> usize {
        self.rank
    }

    /// The number of ranks (a power of two).
    #[must_use]
    pub fn num_ranks(&self) -> usize {
        self.num_ranks
    }

    /// This rank's 2^L amplitudes in its current layout: the canonical block `rank·2^L ..` of the state only
    /// after [`canonicalize`](Self::canonicalize) (or before any gate that moves qubits).
    #[must_use]
    pub fn local_amplitudes(&self) -> &[C] {
        &self.amps
    }

    /// Whether logical qubit q sits at physical bit q and rank r holds the amplitudes r·2^L .. (r+1)·2^L.
    #[must_use]
    pub fn is_canonical(&self) -> bool {
        self.layout.is_canonical()
    }

    /// The bytes this rank has sent and received since the state was made or [`reset_traffic`](Self::reset_traffic).
    #[must_use]
    pub fn traffic(&self) -> Traffic {
        self.traffic
    }

    /// Sets the traffic counters to zero.
    pub fn reset_traffic(&mut self) {
        self.traffic = Traffic::default();
    }

    /// Resets to |0…0⟩ in the canonical layout (no communication).
    pub fn reset(&mut self) {
        self.amps.iter_mut().for_each(|a| *a = C::new(0.0, 0.0));
        self.layout = Layout::canonical(self.num_qubits, self.layout.local);
        self.pattern = self.rank;
        if self.rank == 0 {
            self.amps[0] = ONE;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_matches_the_published_test_vectors() {
        // The FNV-1a 64-bit values of "" and "a" (Fowler, Noll and Vo; draft-eastlake-fnv).
        assert_eq!(fnv1a([], FNV_START), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(*b"a", FNV_START), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a(*b"foobar", FNV_START), 0x8594_4171_f739_67e8);
    }
}
