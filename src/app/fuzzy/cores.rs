//! Scoring work shared between the cores.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock, PoisonError};
use std::thread;

/// Below this many names one thread is quicker than starting more.
const PARALLEL_FROM: usize = 8_000;

/// Names per piece of work. Small enough that a core which starts late (a VM's
/// idle vCPU takes 1-3 ms to wake here) still finds work left, large enough that
/// taking a piece costs nothing measurable.
const CHUNK: usize = 2_048;

/// Runs `work` over `candidates` and their `scores` (same length), piece by piece,
/// on every core for a long list. Each core takes the next piece until none is
/// left, with its own `S` (scratch space), so no core waits on a slower one.
pub(super) fn in_chunks<S: Default>(
    candidates: &[usize],
    scores: &mut [u32],
    work: impl Fn(&mut S, &[usize], &mut [u32]) + Sync,
) {
    // Asking the system reads cgroup files; the answer does not change.
    static CORES: OnceLock<usize> = OnceLock::new();
    let cores = *CORES.get_or_init(|| thread::available_parallelism().map_or(1, |n| n.get()));
    let threads = cores.min(candidates.len().div_ceil(CHUNK));
    if candidates.len() < PARALLEL_FROM || threads < 2 {
        work(&mut S::default(), candidates, scores);
        return;
    }
    // Each piece sits behind its own lock, taken once by whoever draws it: the
    // borrow checker's way of handing out disjoint `&mut` slices to threads.
    let pieces: Vec<Mutex<(&[usize], &mut [u32])>> = candidates
        .chunks(CHUNK)
        .zip(scores.chunks_mut(CHUNK))
        .map(Mutex::new)
        .collect();
    let next = AtomicUsize::new(0);
    let worker = || {
        let mut state = S::default();
        while let Some(piece) = pieces.get(next.fetch_add(1, Ordering::Relaxed)) {
            let mut piece = piece.lock().unwrap_or_else(PoisonError::into_inner);
            let (part, out) = &mut *piece;
            work(&mut state, part, out);
        }
    };
    thread::scope(|s| {
        for _ in 1..threads {
            s.spawn(worker);
        }
        // This thread works too rather than sit waiting.
        worker();
    });
}
