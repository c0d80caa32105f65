//! The per-gate decomposition: one instruction lowered to qelib1.inc gates and the defined ones, with exact
//! decompositions of caller unitaries and of extra controls.

use std::f64::consts::PI;

use num_complex::Complex64 as C;

use super::{Piece, Writer};
use crate::error::{Error, Result};
use crate::qasm::synth::{self, Step2, M2};
use crate::qasm::MAX_EXPORT_CONTROLS;
use crate::quantum::{Gate, Instruction, QasmForm};

impl Writer {
    /// Lowers one instruction to pieces, adding any global phase to `self.phase`.
    pub(super) fn instruction(&mut self, inst: &Instruction, out: &mut Vec<Piece>) -> Result<()> {
        let gate = inst.gate();
        let mut params = Vec::new();
        for p in gate.params().iter() {
            params.push(p.constant()?);
        }
        if let Gate::Rot(phi, theta, omega) = gate {
            // Rot(φ, θ, ω) = RZ(ω)·RY(θ)·RZ(φ), exactly and with any controls (each factor controlled alike).
            for factor in [Gate::RZ(*phi), Gate::RY(*theta), Gate::RZ(*omega)] {
                self.instruction(&inst.with_gate(factor)?, out)?;
            }
            return Ok(());
        }
        let (base, targets, controls) = normal_form(inst);
        if let Some(name) = qelib1_name(&base, controls.len()) {
            let qubits = controls.iter().chain(targets).copied().collect();
            out.push(Piece { name: name.into(), params, qubits });
            return Ok(());
        }
        if controls.is_empty() && matches!(base.spec().qasm, QasmForm::Defined) {
            out.push(Piece { name: self.def_name(base.name()), params, qubits: targets.to_vec() });
            return Ok(());
        }
        let k = controls.len() + usize::from(base.num_qubits() == 2);
        if k > MAX_EXPORT_CONTROLS {
            return Err(Error::TooManyControls { gate: gate.name(), controls: k, max: MAX_EXPORT_CONTROLS });
        }
        let m = base.matrix()?;
        if base.num_qubits() == 1 {
            let u: M2 = [[m[(0, 0)], m[(0, 1)]], [m[(1, 0)], m[(1, 1)]]];
            return self.controlled(&u, Some(&base), targets[0], &controls, out);
        }
        if base == Gate::SWAP {
            // SWAP = CX(a→b)·CX(b→a)·CX(a→b); controlled, only the middle one needs the controls.
            let (a, b) = (targets[0], targets[1]);
            out.push(Piece { name: "cx".into(), params: vec![], qubits: vec![b, a] });
            let mut c = controls.clone();
            c.push(a);
            self.controlled(&x_matrix(), Some(&Gate::X), b, &c, out)?;
            out.push(Piece { name: "cx".into(), params: vec![], qubits: vec![b, a] });
            return Ok(());
        }
        let mut m4 = [[C::new(0.0, 0.0); 4]; 4];
        for (r, row) in m4.iter_mut().enumerate() {
            for (c, x) in row.iter_mut().enumerate() {
                *x = m[(r, c)];
            }
        }
        self.two_qubit(&m4, targets, &controls, out)
    }

    /// A two-qubit unitary on `targets` under `controls`, by two-level rotations (see [`synth::two_qubit`]).
    fn two_qubit(
        &mut self,
        m4: &[[C; 4]; 4],
        targets: &[usize],
        controls: &[usize],
        out: &mut Vec<Piece>,
    ) -> Result<()> {
        let (steps, alpha) = synth::two_qubit(m4);
        for step in steps {
            match step {
                // Conjugations need no controls: without them the pair cancels.
                Step2::X { q } => out.push(Piece { name: "x".into(), params: vec![], qubits: vec![targets[q]] }),
                Step2::Cx => out.push(Piece { name: "cx".into(), params: vec![], qubits: targets.to_vec() }),
                Step2::One { u, target, controlled } => {
                    let mut c = controls.to_vec();
                    if controlled {
                        c.push(targets[1 - target]);
                    }
                    self.controlled(&u, None, targets[target], &c, out)?;
                }
            }
        }
        self.controlled_phase(alpha, controls, out)
    }

    /// e^{iα} applied when every control is |1⟩ (a global phase when there is none).
    fn controlled_phase(&mut self, alpha: f64, controls: &[usize], out: &mut Vec<Piece>) -> Result<()> {
        match controls.split_first() {
            None => {
                self.phase += alpha;
                Ok(())
            }
            Some(_) if alpha == 0.0 => Ok(()),
            Some((&first, rest)) => {
                let p = Gate::Phase(alpha.into());
                self.controlled(&phase_matrix(alpha), Some(&p), first, rest, out)
            }
        }
    }

    /// The one-qubit unitary `u` on `target`, applied when every control is |1⟩; `hint` names it when known.
    fn controlled(
        &mut self,
        u: &M2,
        hint: Option<&Gate>,
        target: usize,
        controls: &[usize],
        out: &mut Vec<Piece>,
    ) -> Result<()> {
        let named = hint.cloned().or_else(|| fixed_gate(u));
        if let Some(g) = &named {
            if let Some(name) = qelib1_name(g, controls.len()) {
                let mut params = Vec::new();
                for p in g.params().iter() {
                    params.push(p.constant()?);
                }
                let qubits = controls.iter().copied().chain([target]).collect();
                out.push(Piece { name: name.into(), params, qubits });
                return Ok(());
            }
        }
        let (alpha, theta, phi, lambda) = synth::zyz(u);
        match controls {
            [] => {
                self.phase += alpha;
                if (theta, phi, lambda) != (0.0, 0.0, 0.0) {
                    out.push(Piece { name: "u3".into(), params: vec![theta, phi, lambda], qubits: vec![target] });
                }
            }
            [c] => {
                if alpha != 0.0 {
                    out.push(Piece { name: "p".into(), params: vec![alpha], qubits: vec![*c] });
                }
                out.push(Piece { name: "cu3".into(), params: vec![theta, phi, lambda], qubits: vec![*c, target] });
            }
            [rest @ .., last] => {
                // Barenco et al. (1995), lemma 7.5: C^k(U) = C(V)·C^{k−1}X·C(V†)·C^{k−1}X·C^{k−1}(V), V² = U.
                let root = named.as_ref().and_then(square_root);
                let v = match &root {
                    Some(g) => to_m2(g)?,
                    None => synth::sqrt(u),
                };
                let vd = synth::adjoint(&v);
                let root_inv = root.as_ref().map(Gate::inverse);
                self.controlled(&v, root.as_ref(), target, &[*last], out)?;
                self.controlled(&x_matrix(), Some(&Gate::X), *last, rest, out)?;
                self.controlled(&vd, root_inv.as_ref(), target, &[*last], out)?;
                self.controlled(&x_matrix(), Some(&Gate::X), *last, rest, out)?;
                self.controlled(&v, root.as_ref(), target, rest, out)?;
            }
        }
        Ok(())
    }
}

/// An instruction in normal form: a base gate on its own qubits, and every control (the gate's own, then the
/// extra ones).
fn normal_form(inst: &Instruction) -> (Gate, &[usize], Vec<usize>) {
    let gate = inst.gate();
    let spec = gate.spec();
    let base = match spec.qasm {
        QasmForm::Controlled(base) => base,
        QasmForm::Qelib1 | QasmForm::Defined | QasmForm::Decomposed => gate.clone(),
    };
    let (own, t) = (spec.controls, inst.targets());
    (base, &t[own..], t[..own].iter().chain(inst.controls()).copied().collect())
}

/// The qelib1.inc name of `base` with `k` controls, when it has one.
fn qelib1_name(base: &Gate, k: usize) -> Option<&'static str> {
    Some(match (base, k) {
        (g, 0) => match g.spec().qasm {
            QasmForm::Qelib1 => g.name(),
            QasmForm::Controlled(_) | QasmForm::Defined | QasmForm::Decomposed => return None,
        },
        (Gate::X, 1) => "cx",
        (Gate::Y, 1) => "cy",
        (Gate::Z, 1) => "cz",
        (Gate::H, 1) => "ch",
        (Gate::SX, 1) => "csx",
        (Gate::Phase(_), 1) => "cp",
        (Gate::RX(_), 1) => "crx",
        (Gate::RY(_), 1) => "cry",
        (Gate::RZ(_), 1) => "crz",
        (Gate::U3(..), 1) => "cu3",
        (Gate::SWAP, 1) => "cswap",
        (Gate::X, 2) => "ccx",
        (Gate::X, 3) => "c3x",
        (Gate::SX, 3) => "c3sqrtx",
        (Gate::X, 4) => "c4x",
        _ => return None,
    })
}

/// The fixed one-qubit gate whose matrix is `u` (to 1e-12), if any.
fn fixed_gate(u: &M2) -> Option<Gate> {
    [Gate::X, Gate::Y, Gate::Z, Gate::H, Gate::S, Gate::Sdg, Gate::T, Gate::Tdg, Gate::SX, Gate::SXdg]
        .into_iter()
        .find(|g| to_m2(g).is_ok_and(|m| synth::distance(u, &m) < 1e-12))
}

/// A named gate V with V² = `g`, when one is known (rotations halve their angle).
fn square_root(g: &Gate) -> Option<Gate> {
    Some(match g {
        Gate::X => Gate::SX,
        Gate::Z => Gate::S,
        Gate::S => Gate::T,
        Gate::Sdg => Gate::Tdg,
        Gate::T => Gate::Phase((PI / 8.0).into()),
        Gate::Tdg => Gate::Phase((-PI / 8.0).into()),
        Gate::RX(p) => Gate::RX(*p * 0.5),
        Gate::RY(p) => Gate::RY(*p * 0.5),
        Gate::RZ(p) => Gate::RZ(*p * 0.5),
        Gate::Phase(p) => Gate::Phase(*p * 0.5),
        _ => return None,
    })
}

fn to_m2(g: &Gate) -> Result<M2> {
    let m = g.matrix()?;
    Ok([[m[(0, 0)], m[(0, 1)]], [m[(1, 0)], m[(1, 1)]]])
}

fn x_matrix() -> M2 {
    let (o, l) = (C::new(0.0, 0.0), C::new(1.0, 0.0));
    [[o, l], [l, o]]
}

fn phase_matrix(alpha: f64) -> M2 {
    [[C::new(1.0, 0.0), C::new(0.0, 0.0)], [C::new(0.0, 0.0), C::from_polar(1.0, alpha)]]
}
