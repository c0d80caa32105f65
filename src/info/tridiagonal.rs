//! Eigenvalues of a real symmetric tridiagonal matrix by implicit QL sweeps with Wilkinson shifts, the second
//! half of the Hermitian eigenvalue kernel in `spectrum`.

/// The QL iteration did not converge within the allowed number of sweeps.
#[derive(Debug)]
pub(crate) struct NotConverged;

/// Overwrites `d` with the eigenvalues (unsorted) of the symmetric tridiagonal matrix with diagonal `d` and
/// sub-diagonal `e` (`e[k]` couples `k` and `k + 1`), by implicit QL sweeps with Wilkinson shifts; `e` is
/// destroyed. At most `max_sweeps` sweeps per eigenvalue.
pub(crate) fn tridiagonal_eigenvalues(
    d: &mut [f64],
    e: &mut [f64],
    max_sweeps: usize,
) -> std::result::Result<(), NotConverged> {
    let n = d.len();
    if n == 0 {
        return Ok(());
    }
    e[n - 1] = 0.0;
    // A sub-diagonal element is negligible when it is small next to its diagonal neighbours or next to the
    // whole matrix (Gershgorin's bound on ‖T‖): the second test keeps blocks of zero or tiny eigenvalues, as
    // in the reduced state of a pure product, from iterating forever, at an absolute error of ε‖T‖.
    let norm = (0..n).fold(0.0f64, |m, k| m.max(d[k].abs() + e[k].abs() + if k > 0 { e[k - 1].abs() } else { 0.0 }));
    let floor = f64::EPSILON * norm;
    for l in 0..n {
        let mut sweeps = 0;
        loop {
            // The first negligible sub-diagonal element at or after l splits off the block l..=m.
            let mut m = l;
            while m + 1 < n {
                let scale = d[m].abs() + d[m + 1].abs();
                if e[m].abs() <= f64::EPSILON * scale || e[m].abs() <= floor {
                    break;
                }
                m += 1;
            }
            if m == l {
                break;
            }
            if sweeps == max_sweeps {
                return Err(NotConverged);
            }
            sweeps += 1;
            // Wilkinson shift from the leading 2 × 2 block, folded into g = d_m − shift.
            let mut g = (d[l + 1] - d[l]) / (2.0 * e[l]);
            let r = g.hypot(1.0);
            g = d[m] - d[l] + e[l] / (g + r.copysign(g));
            let (mut s, mut c, mut p) = (1.0f64, 1.0f64, 0.0f64);
            let mut deflated = false;
            // Chase the bulge from the bottom of the block up to l with Givens rotations.
            for k in (l..m).rev() {
                let f = s * e[k];
                let b = c * e[k];
                let r = f.hypot(g);
                e[k + 1] = r;
                if r == 0.0 {
                    // Underflow: the block splits at k + 1.
                    d[k + 1] -= p;
                    e[m] = 0.0;
                    deflated = true;
                    break;
                }
                s = f / r;
                c = g / r;
                let h = d[k + 1] - p;
                let r = (d[k] - h) * s + 2.0 * c * b;
                p = s * r;
                d[k + 1] = h + p;
                g = c * r - b;
            }
            if deflated {
                continue;
            }
            d[l] -= p;
            e[l] = g;
            e[m] = 0.0;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_non_convergence_instead_of_returning_wrong_numbers() {
        let mut d = vec![1.0, 2.0];
        let mut e = vec![1.0, 0.0];
        assert!(tridiagonal_eigenvalues(&mut d, &mut e, 0).is_err());
    }

    #[test]
    fn a_two_by_two_block_has_its_closed_form_eigenvalues() {
        // [[1, 2], [2, 4]]: eigenvalues 0 and 5.
        let mut d = vec![1.0, 4.0];
        let mut e = vec![2.0, 0.0];
        tridiagonal_eigenvalues(&mut d, &mut e, 60).unwrap();
        d.sort_by(f64::total_cmp);
        assert!(d[0].abs() < 1e-15 && (d[1] - 5.0).abs() < 1e-14, "{d:?}");
    }
}
