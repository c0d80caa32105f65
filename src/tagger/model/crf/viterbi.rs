//! Constrained Viterbi decoding.

use super::LinearChainCrf;
use crate::error::Result;

impl LinearChainCrf {
    /// The highest-scoring valid path (ties go to the lower tag id), by Viterbi in O(T·K²).
    ///
    /// # Errors
    /// As [`log_partition`](Self::log_partition).
    pub fn viterbi(&self, emissions: &[f64]) -> Result<Vec<usize>> {
        let t_len = self.check_emissions(emissions)?;
        let k = self.num_tags;
        let neg = f64::NEG_INFINITY;
        let mut score: Vec<f64> =
            (0..k).map(|y| if self.allowed_start[y] { self.start_scores()[y] + emissions[y] } else { neg }).collect();
        let mut next = vec![neg; k];
        let mut back = vec![0usize; t_len * k];
        for t in 1..t_len {
            for b in 0..k {
                let (mut best, mut arg) = (neg, 0);
                for (a, &sa) in score.iter().enumerate() {
                    if self.allowed[a * k + b] && sa > neg {
                        let s = sa + self.transitions()[a * k + b];
                        if s > best {
                            best = s;
                            arg = a;
                        }
                    }
                }
                next[b] = best + emissions[t * k + b];
                back[t * k + b] = arg;
            }
            std::mem::swap(&mut score, &mut next);
        }
        let (mut best, mut last) = (neg, 0);
        for (y, &sy) in score.iter().enumerate() {
            if self.allowed_end[y] {
                let s = sy + self.end_scores()[y];
                if s > best {
                    best = s;
                    last = y;
                }
            }
        }
        let mut path = vec![0; t_len];
        path[t_len - 1] = last;
        for t in (1..t_len).rev() {
            path[t - 1] = back[t * k + path[t]];
        }
        Ok(path)
    }
}
