//! Batches cut into fixed chunks of samples: chunks run on rayon's pool (feature `parallel`), each in a scratch
//! made on its split's first chunk and reused by the next ones, and per-chunk partial sums are added in chunk
//! order, so results are bit-identical for any number of threads.

use crate::error::Result;

/// Samples per chunk: scratch is made at most once per chunk, never per sample.
pub(crate) const CHUNK: usize = 16;

/// Per-sample output rows of one chunk: `a` holds `width_a` values per sample, `b` holds `width_b`.
pub(crate) struct Rows<'a> {
    pub(crate) a: &'a mut [f64],
    pub(crate) b: &'a mut [f64],
}

/// Runs `body(scratch, samples, rows, sums)` over chunks of `0..num_samples`, where `rows` are the chunk's rows
/// of `out_a` (`width_a` values per sample) and of `out_b` (`width_b`), and adds the partial sums (each of
/// length `sum_len`) in chunk order.
#[allow(clippy::too_many_arguments)]
pub(crate) fn run<S, I, F>(
    num_samples: usize,
    out_a: &mut [f64],
    width_a: usize,
    out_b: &mut [f64],
    width_b: usize,
    sum_len: usize,
    init: I,
    body: F,
) -> Result<Vec<f64>>
where
    I: Fn() -> Result<S> + Sync + Send,
    F: Fn(&mut S, std::ops::Range<usize>, Rows<'_>, &mut [f64]) -> Result<()> + Sync + Send,
{
    debug_assert_eq!(out_a.len(), num_samples * width_a);
    debug_assert_eq!(out_b.len(), num_samples * width_b);
    let num_chunks = num_samples.div_ceil(CHUNK);
    let mut chunks: Vec<(usize, Rows<'_>)> = Vec::with_capacity(num_chunks);
    let (mut rest_a, mut rest_b) = (out_a, out_b);
    for c in 0..num_chunks {
        let n = CHUNK.min(num_samples - c * CHUNK);
        let (a, ra) = std::mem::take(&mut rest_a).split_at_mut(n * width_a);
        let (b, rb) = std::mem::take(&mut rest_b).split_at_mut(n * width_b);
        (rest_a, rest_b) = (ra, rb);
        chunks.push((c, Rows { a, b }));
    }
    // A scratch made on a split's first chunk serves its next ones (its contents never reach the results).
    let chunk = |scratch: &mut Option<S>, (c, rows): (usize, Rows<'_>)| -> Result<Vec<f64>> {
        let scratch = match scratch {
            Some(s) => s,
            None => scratch.insert(init()?),
        };
        let mut sums = vec![0.0; sum_len];
        body(scratch, c * CHUNK..((c + 1) * CHUNK).min(num_samples), rows, &mut sums)?;
        Ok(sums)
    };
    #[cfg(feature = "parallel")]
    let partials: Vec<Vec<f64>> = {
        use rayon::prelude::*;
        chunks.into_par_iter().map_init(|| None, chunk).collect::<Result<_>>()?
    };
    #[cfg(not(feature = "parallel"))]
    let partials: Vec<Vec<f64>> = {
        let mut scratch = None;
        chunks.into_iter().map(|job| chunk(&mut scratch, job)).collect::<Result<_>>()?
    };
    let mut total = vec![0.0; sum_len];
    for p in partials {
        for (t, v) in total.iter_mut().zip(p) {
            *t += v;
        }
    }
    Ok(total)
}
