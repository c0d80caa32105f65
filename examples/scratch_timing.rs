use qnet::grad::{DiffMethod, Outputs, QuantumFunction};
use qnet::prelude::*;
use std::time::Instant;
fn hea(n: usize, layers: usize) -> Circuit {
    let mut c = Circuit::new(n).unwrap();
    for i in 0..n {
        c.rx(i, Param::input(i)).unwrap();
    }
    for l in 0..layers {
        for i in 0..n {
            c.ry(i, Param::weight(2 * (l * n + i))).unwrap();
            c.rz(i, Param::weight(2 * (l * n + i) + 1)).unwrap();
        }
        for i in 0..n {
            c.cnot(i, (i + 1) % n).unwrap();
        }
    }
    c
}
fn main() {
    for (n, layers, reps) in [(6usize, 2usize, 2000usize), (12, 4, 50), (16, 6, 5), (20, 4, 1)] {
        let f = QuantumFunction::new(hea(n, layers), Outputs::Observables(vec![Observable::sum_z(n)])).unwrap();
        let x: Vec<f64> = (0..n).map(|i| 0.1 * i as f64).collect();
        let w: Vec<f64> = (0..2 * n * layers).map(|i| 0.05 * i as f64).collect();
        let mut ws = f.workspace().unwrap();
        let mut v = [0.0];
        let mut g = vec![0.0; w.len()];
        let t = Instant::now();
        for _ in 0..reps {
            f.evaluate_into(&w, &x, &mut ws, &mut v).unwrap();
        }
        let tf = t.elapsed().as_secs_f64() / reps as f64;
        let t = Instant::now();
        for _ in 0..reps {
            f.vjp_into(DiffMethod::Adjoint, &w, &x, &[1.0], &mut ws, &mut v, &mut g, None).unwrap();
        }
        let tg = t.elapsed().as_secs_f64() / reps as f64;
        println!("n={n} L={layers}: forward {:.3} ms, grad {:.3} ms", tf * 1e3, tg * 1e3);
    }
}
