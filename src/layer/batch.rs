//! Batches cut into fixed chunks of samples: each chunk gets its own scratch, chunks run on rayon's pool
//! (feature `parallel`), and per-chunk partial sums are added in chunk order, so results are bit-identical
//! for any number of threads.

use crate::error::Result;

/// Samples per chunk: one scratch allocation per chunk, never per sample.
pub(crate) const CHUNK: usize = 16;

/// Runs `body(scratch, samples, out_rows)` over chunks of `0..num_samples`, where `out_rows` is the chunk's
/// rows of `out` (`width` values per sample), and adds the returned partial sums (each of length `sum_len`)
/// in chunk order.
pub(crate) fn run<S, I, F>(
    num_samples: usize,
    out: &mut [f64],
    width: usize,
    sum_len: usize,
    init: I,
    body: F,
) -> Result<Vec<f64>>
where
    I: Fn() -> Result<S> + Sync + Send,
    F: Fn(&mut S, std::ops::Range<usize>, &mut [f64], &mut [f64]) -> Result<()> + Sync + Send,
{
    debug_assert_eq!(out.len(), num_samples * width);
    let chunk = |c: usize, rows: &mut [f64]| -> Result<Vec<f64>> {
        let mut scratch = init()?;
        let mut sums = vec![0.0; sum_len];
        let range = c * CHUNK..((c + 1) * CHUNK).min(num_samples);
        body(&mut scratch, range, rows, &mut sums)?;
        Ok(sums)
    };
    let step = (CHUNK * width).max(1);
    #[cfg(feature = "parallel")]
    let partials: Vec<Vec<f64>> = {
        use rayon::prelude::*;
        let num_chunks = num_samples.div_ceil(CHUNK);
        if width == 0 {
            (0..num_chunks).into_par_iter().map(|c| chunk(c, &mut [])).collect::<Result<_>>()?
        } else {
            out.par_chunks_mut(step).enumerate().map(|(c, rows)| chunk(c, rows)).collect::<Result<_>>()?
        }
    };
    #[cfg(not(feature = "parallel"))]
    let partials: Vec<Vec<f64>> = if width == 0 {
        (0..num_samples.div_ceil(CHUNK)).map(|c| chunk(c, &mut [])).collect::<Result<_>>()?
    } else {
        out.chunks_mut(step).enumerate().map(|(c, rows)| chunk(c, rows)).collect::<Result<_>>()?
    };
    let mut total = vec![0.0; sum_len];
    for p in partials {
        for (t, v) in total.iter_mut().zip(p) {
            *t += v;
        }
    }
    Ok(total)
}
