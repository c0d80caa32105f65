//! Text diagrams of circuits: `Display` for [`Circuit`], in the spirit of Qiskit's text drawer.
//!
//! One wire per qubit (qubit 0 on top), gates packed into columns as early as their qubits allow, a gate's
//! column spanning every wire between its lowest and highest qubit. One-qubit gates are boxes labelled with
//! their name and angles; controls are dots (`■`) joined to their target by a vertical line; SWAP ends are
//! `X`; two-qubit gates without controls (RXX, RYY, RZZ, iSWAP, caller unitaries) are one box across their
//! wires, with `0` and `1` marking the gate's first and second qubit. Boxes in one column share its width, so
//! boxes on neighbouring wires meet edge to edge, as in Qiskit.
//!
//! Angles are written as multiples of π when they are within 1e-12 of one with a denominator up to 16
//! (`π/2`, `-3π/4`), otherwise rounded to four decimals; weights and inputs as `w[0]`, `-x[1]`, `0.5*w[2]`.
//!
//! `format!("{circuit}")` never wraps. `format!("{circuit:80}")` (any width) cuts the diagram into pages no
//! wider than that, between columns, marking cut wires with `»` and `«` as Qiskit does; a single column wider
//! than the width still gets its own page. The output is deterministic and has no trailing spaces.
//!
//! Channels are boxes too, labelled with their name and strengths (`depolarizing(0.01)`, `amplitude_damping(w[0])`).
//!
//! A circuit on more than [`MAX_DRAW_QUBITS`] qubits is written as a one-line summary instead. The diagram is
//! drawn a band of rows at a time, so the memory it takes stays proportional to one band, not to the number
//! of qubits times the number of columns.

use std::f64::consts::PI;
use std::fmt;

use super::circuit::{Circuit, Instruction};
use super::gate::Gate;
use super::mixed::ChannelInstruction;

/// The most qubits a diagram draws; a wider circuit is written as a one-line summary.
pub const MAX_DRAW_QUBITS: usize = 1024;

/// The most cells drawn at once: a taller or wider diagram is drawn in bands of fewer rows.
const BAND_CELLS: usize = 1 << 20;

const L: u8 = 1;
const R: u8 = 2;
const U: u8 = 4;
const D: u8 = 8;

/// A character cell: box-drawing connections to merge, or a fixed glyph.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Cell {
    Mask(u8),
    Glyph(char),
}

/// The box-drawing character of each set of connections, indexed by `L | R | U | D`.
const MASK_CHARS: [char; 16] = [' ', '─', '─', '─', '│', '┘', '└', '┴', '│', '┐', '┌', '┬', '│', '┤', '├', '┼'];

/// A band of the diagram's rows, `rows.start..rows.end`; drawing outside the band is ignored.
struct Canvas {
    first_row: usize,
    cells: Vec<Vec<Cell>>,
}

impl Canvas {
    fn new(rows: std::ops::Range<usize>, cols: usize) -> Self {
        Canvas { first_row: rows.start, cells: vec![vec![Cell::Mask(0); cols]; rows.len()] }
    }

    fn cell(&mut self, row: usize, col: usize) -> Option<&mut Cell> {
        let r = row.checked_sub(self.first_row)?;
        self.cells.get_mut(r).map(|cells| &mut cells[col])
    }

    /// Adds connections to a cell (a glyph stays as it is).
    fn or(&mut self, row: usize, col: usize, m: u8) {
        if let Some(Cell::Mask(x)) = self.cell(row, col) {
            *x |= m;
        }
    }

    fn set(&mut self, row: usize, col: usize, cell: Cell) {
        if let Some(c) = self.cell(row, col) {
            *c = cell;
        }
    }

    fn text(&mut self, row: usize, col: usize, s: &str) {
        for (k, ch) in s.chars().enumerate() {
            self.set(row, col + k, Cell::Glyph(ch));
        }
    }

    fn line(&self, row: usize) -> String {
        self.cells[row - self.first_row]
            .iter()
            .map(|c| match *c {
                Cell::Mask(m) => MASK_CHARS[usize::from(m)],
                Cell::Glyph(g) => g,
            })
            .collect()
    }
}

/// How one instruction is drawn.
struct Item {
    /// The lowest and highest qubit it touches: its column is reserved over this span.
    lo: usize,
    hi: usize,
    /// A box over the wires of `qubits`, labelled; `slots` numbers the qubits inside a two-qubit box.
    boxed: Option<(Vec<usize>, String)>,
    /// Control qubits, drawn as dots.
    dots: Vec<usize>,
    /// SWAP ends, drawn as `X`.
    swaps: Vec<usize>,
}

impl Item {
    fn of(inst: &Instruction) -> Item {
        let g = inst.gate();
        let (own, t) = (g.num_controls(), inst.targets());
        // SWAP and Fredkin mark their swapped qubits with `X`; every other gate boxes its own qubits.
        let (swaps, boxed) = match g {
            Gate::SWAP | Gate::Fredkin => (t[own..].to_vec(), None),
            _ => (Vec::new(), Some((t[own..].to_vec(), label(g)))),
        };
        let dots = t[..own].iter().chain(inst.controls()).copied().collect();
        let (lo, hi) = inst.qubits().fold((usize::MAX, 0), |(lo, hi), q| (lo.min(q), hi.max(q)));
        Item { lo, hi, boxed, dots, swaps }
    }

    /// A channel: a box on its qubits, labelled with its name and strengths.
    fn of_channel(c: &ChannelInstruction) -> Item {
        let strengths: Vec<String> = c.params().iter().map(|p| p.format_with(format_number)).collect();
        let label = format!("{}({})", c.channel().name(), strengths.join(","));
        let (lo, hi) = c.qubits().iter().fold((usize::MAX, 0), |(lo, hi), &q| (lo.min(q), hi.max(q)));
        Item { lo, hi, boxed: Some((c.qubits().to_vec(), label)), dots: Vec::new(), swaps: Vec::new() }
    }

    fn width(&self) -> usize {
        self.boxed.as_ref().map_or(1, |(qubits, label)| label.chars().count() + 4 + usize::from(qubits.len() > 1))
    }

    /// Draws the item in the column starting at `x0`, `width` wide.
    fn draw(&self, canvas: &mut Canvas, x0: usize, width: usize) {
        let xc = x0 + width / 2;
        let wire = |q: usize| 2 * q + 1;
        let mut anchors: Vec<usize> = Vec::new();
        let mut box_rows = None;
        if let Some((qubits, text)) = &self.boxed {
            let blo = *qubits.iter().min().expect("a gate has a qubit");
            let bhi = *qubits.iter().max().expect("a gate has a qubit");
            let (top, bottom) = (2 * blo, 2 * bhi + 2);
            let x1 = x0 + width - 1;
            box_rows = Some((blo, bhi, top, bottom));
            for (row, end) in [(top, D), (bottom, U)] {
                canvas.or(row, x0, R | end);
                canvas.or(row, x1, L | end);
                (x0 + 1..x1).for_each(|x| canvas.or(row, x, L | R));
            }
            let multi = qubits.len() > 1;
            for row in top + 1..bottom {
                let on_wire = row % 2 == 1;
                let q = row / 2;
                let mine = on_wire && qubits.contains(&q);
                let (left, right) = match (on_wire, mine) {
                    (true, true) => (U | D | L, U | D | R),
                    (true, false) => (U | D | L | R, U | D | L | R),
                    _ => (U | D, U | D),
                };
                canvas.set(row, x0, Cell::Mask(left));
                canvas.set(row, x1, Cell::Mask(right));
                canvas.text(row, x0 + 1, &" ".repeat(width - 2));
                if multi && on_wire {
                    if let Some(slot) = qubits.iter().position(|&b| b == q) {
                        canvas.text(row, x0 + 1, &slot.to_string());
                    } else if self.dots.contains(&q) {
                        canvas.text(row, x0 + 1, "■");
                    }
                }
            }
            let len = text.chars().count();
            let (row, first, room) =
                if multi { (blo + bhi + 1, x0 + 2, width - 3) } else { (wire(blo), x0 + 1, width - 2) };
            canvas.text(row, first + (room - len) / 2, text);
        }
        for &q in self.dots.iter().chain(&self.swaps) {
            if box_rows.is_some_and(|(blo, bhi, _, _)| (blo..=bhi).contains(&q)) {
                continue; // drawn inside the box
            }
            anchors.push(wire(q));
            let glyph = if self.swaps.contains(&q) { 'X' } else { '■' };
            canvas.set(wire(q), xc, Cell::Glyph(glyph));
        }
        // Vertical connections: from the anchors above the box to its top edge, from its bottom edge to the
        // anchors below; without a box, from the highest anchor to the lowest.
        if let (Some(&min), Some(&max)) = (anchors.iter().min(), anchors.iter().max()) {
            let (top, bottom) = box_rows.map_or((max, max), |(_, _, top, bottom)| (top, bottom));
            for (from, to) in [(min, top), (bottom, max)].into_iter().filter(|(from, to)| from < to) {
                canvas.or(from, xc, D);
                (from + 1..to).for_each(|row| canvas.or(row, xc, U | D));
                canvas.or(to, xc, U);
            }
        }
    }
}

/// The label of a gate in its box: its name without the `c` of each of its own controls, capitalised (`crx` →
/// `Rx`, `ccx` → `X`, `sdg` → `Sdg`) unless Qiskit writes it otherwise (`id` → `I`, `sx` → `√X`), then its angles.
fn label(g: &Gate) -> String {
    let base = &g.name()[g.num_controls()..];
    let name = match base {
        "id" => "I".to_string(),
        "sx" => "√X".into(),
        "sxdg" => "√Xdg".into(),
        "u3" => "U".into(),
        "iswap" => "iSwap".into(),
        _ => base[..1].to_ascii_uppercase() + &base[1..],
    };
    let angles: Vec<String> = g.params().iter().map(|p| p.format_with(format_number)).collect();
    if angles.is_empty() {
        name
    } else {
        format!("{name}({})", angles.join(","))
    }
}

/// A number for a diagram: a multiple of π with a small denominator, or four decimals at most.
fn format_number(v: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    for d in [1i64, 2, 3, 4, 6, 8, 12, 16] {
        let n = v * d as f64 / PI;
        let k = n.round();
        if k != 0.0 && k.abs() <= 64.0 && (n - k).abs() < 1e-12 {
            let num = match k as i64 {
                1 => "π".to_string(),
                -1 => "-π".to_string(),
                k => format!("{k}π"),
            };
            return if d == 1 { num } else { format!("{num}/{d}") };
        }
    }
    let s = format!("{v:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    String::from(if s == "-0" { "0" } else { s })
}

impl fmt::Display for Circuit {
    /// The circuit as a text diagram: one wire per qubit, boxes with angles, controls as dots joined to their
    /// targets. A width (`{:80}`) cuts it into pages at most that wide, between columns (`»` / `«` mark the
    /// cuts); without one it is never wrapped. Boxes in one column share its width.
    ///
    /// # Example
    ///
    /// ```
    /// use qnet::prelude::*;
    ///
    /// # fn main() -> qnet::Result<()> {
    /// let mut bell = Circuit::new(2)?;
    /// bell.h(0)?.cnot(0, 1)?;
    /// let expected = [
    ///     "     ┌───┐",
    ///     "q0: ─┤ H ├───■───",
    ///     "     └───┘ ┌─┴─┐",
    ///     "q1: ───────┤ X ├─",
    ///     "           └───┘",
    /// ];
    /// assert_eq!(bell.to_string(), expected.join("\n"));
    /// # Ok(())
    /// # }
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Diagram { circuit: self, band_cells: BAND_CELLS }.fmt(f)
    }
}

/// A circuit's diagram, drawn `band_cells` cells at a time.
struct Diagram<'a> {
    circuit: &'a Circuit,
    band_cells: usize,
}

impl fmt::Display for Diagram<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let circuit = self.circuit;
        let n = circuit.num_qubits();
        if n > MAX_DRAW_QUBITS {
            return write!(
                f,
                "circuit on {n} qubits with {} instructions (not drawn: more than {MAX_DRAW_QUBITS} qubits)",
                circuit.len()
            );
        }
        // Gates, with each channel before the first gate after its position.
        let mut items: Vec<Item> = Vec::with_capacity(circuit.len() + circuit.channels().len());
        let mut channels = circuit.channels().iter().peekable();
        for (k, inst) in circuit.instructions().iter().enumerate() {
            items.extend(std::iter::from_fn(|| channels.next_if(|c| c.position() == k)).map(Item::of_channel));
            items.push(Item::of(inst));
        }
        items.extend(channels.map(Item::of_channel));
        // Greedy packing: each item goes in the first column free over its whole span.
        let mut next = vec![0usize; n];
        let mut columns: Vec<Vec<usize>> = Vec::new();
        for (k, item) in items.iter().enumerate() {
            let c = next[item.lo..=item.hi].iter().copied().max().unwrap_or(0);
            next[item.lo..=item.hi].iter_mut().for_each(|x| *x = c + 1);
            if columns.len() <= c {
                columns.resize(c + 1, Vec::new());
            }
            columns[c].push(k);
        }
        let widths: Vec<usize> =
            columns.iter().map(|col| col.iter().map(|&k| items[k].width()).max().unwrap_or(1)).collect();
        let names: Vec<String> = (0..n).map(|q| format!("q{q}: ")).collect();
        let label_width = names.iter().map(String::len).max().unwrap_or(0);
        // Split into pages no wider than the formatter's width, if it has one.
        let mut pages: Vec<std::ops::Range<usize>> = Vec::new();
        let full: usize = label_width + 1 + widths.iter().map(|w| w + 1).sum::<usize>();
        let mut start = 0;
        if let Some(max) = f.width().filter(|&max| full > max) {
            let mut used = label_width + 2 + 1; // `«`, lead-in, `»`
            for (c, w) in widths.iter().enumerate() {
                if c > start && used + w + 1 > max {
                    pages.push(start..c);
                    start = c;
                    used = label_width + 2 + 1;
                }
                used += w + 1;
            }
        }
        pages.push(start..columns.len());
        for (p, range) in pages.iter().enumerate() {
            if p > 0 {
                f.write_str("\n\n")?;
            }
            let (first, last) = (p == 0, p + 1 == pages.len());
            let lead = usize::from(!first);
            let body: usize = widths[range.clone()].iter().map(|w| w + 1).sum();
            let cols = label_width + lead + 1 + body + usize::from(!last);
            let band = (self.band_cells / cols).max(1);
            for start in (0..2 * n + 1).step_by(band) {
                let rows = start..(start + band).min(2 * n + 1);
                let mut canvas = Canvas::new(rows.clone(), cols);
                for (q, name) in names.iter().enumerate().filter(|(q, _)| rows.contains(&(2 * q + 1))) {
                    let row = 2 * q + 1;
                    canvas.text(row, label_width - name.len(), name);
                    canvas.text(row, label_width, if first { "" } else { "«" });
                    canvas.text(row, cols - 1, if last { "" } else { "»" });
                    // The wire runs under the cut marks, which keep their glyphs.
                    (label_width..cols).for_each(|x| canvas.or(row, x, L | R));
                }
                let mut x = label_width + lead + 1;
                for c in range.clone() {
                    // An item spans rows 2·lo to 2·hi + 2.
                    for &k in columns[c].iter().filter(|&&k| 2 * items[k].lo < rows.end && 2 * items[k].hi + 2 >= start)
                    {
                        items[k].draw(&mut canvas, x, widths[c]);
                    }
                    x += widths[c] + 1;
                }
                for row in rows {
                    write!(f, "{}{}", if row > 0 { "\n" } else { "" }, canvas.line(row).trim_end())?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quantum::Param;

    #[test]
    fn every_gate_has_its_label() {
        let (w, u) = (Param::weight(1) * 0.5, crate::quantum::UnitaryMatrix::new(nalgebra::DMatrix::identity(4, 4)));
        let cases = [
            (Gate::I, "I"),
            (Gate::X, "X"),
            (Gate::Y, "Y"),
            (Gate::Z, "Z"),
            (Gate::H, "H"),
            (Gate::S, "S"),
            (Gate::Sdg, "Sdg"),
            (Gate::T, "T"),
            (Gate::Tdg, "Tdg"),
            (Gate::SX, "√X"),
            (Gate::SXdg, "√Xdg"),
            (Gate::RX(w), "Rx(0.5*w[1])"),
            (Gate::RY(0.5.into()), "Ry(0.5)"),
            (Gate::RZ(PI.into()), "Rz(π)"),
            (Gate::Phase(w), "P(0.5*w[1])"),
            (Gate::U3(w, 0.1.into(), w), "U(0.5*w[1],0.1,0.5*w[1])"),
            (Gate::Rot(w, w, 1.0.into()), "Rot(0.5*w[1],0.5*w[1],1)"),
            (Gate::CNOT, "X"),
            (Gate::CY, "Y"),
            (Gate::CZ, "Z"),
            (Gate::SWAP, "Swap"),
            (Gate::ISwap, "iSwap"),
            (Gate::CRX(w), "Rx(0.5*w[1])"),
            (Gate::CRY(w), "Ry(0.5*w[1])"),
            (Gate::CRZ(w), "Rz(0.5*w[1])"),
            (Gate::CPhase(w), "P(0.5*w[1])"),
            (Gate::RXX(w), "Rxx(0.5*w[1])"),
            (Gate::RYY(w), "Ryy(0.5*w[1])"),
            (Gate::RZZ(w), "Rzz(0.5*w[1])"),
            (Gate::Toffoli, "X"),
            (Gate::Fredkin, "Swap"),
            (Gate::Unitary(u.unwrap()), "Unitary"),
        ];
        for (g, expected) in cases {
            assert_eq!(label(&g), expected, "{g:?}");
        }
    }

    #[test]
    fn numbers_read_as_multiples_of_pi_or_short_decimals() {
        assert_eq!(format_number(PI), "π");
        assert_eq!(format_number(-PI / 2.0), "-π/2");
        assert_eq!(format_number(3.0 * PI / 4.0), "3π/4");
        assert_eq!(format_number(2.0 * PI), "2π");
        assert_eq!(format_number(0.5), "0.5");
        assert_eq!(format_number(1.234567), "1.2346");
        assert_eq!(format_number(-0.00001), "0");
        assert_eq!((Param::weight(2) * 0.5).format_with(format_number), "0.5*w[2]");
        assert_eq!((-Param::input(1)).format_with(format_number), "-x[1]");
    }

    #[test]
    fn drawing_in_bands_of_rows_changes_nothing() -> crate::Result<()> {
        let mut c = Circuit::new(5)?;
        c.h(0)?.cnot(0, 4)?.rxx(1, 3, 0.5)?.fredkin(2, 0, 4)?.swap(1, 2)?.ry(3, Param::weight(0))?;
        c.add_controlled(Gate::RZ(Param::input(1)), &[2], &[4, 0])?.toffoli(4, 1, 3)?.iswap(0, 2)?;
        for width in [None, Some(30)] {
            let draw = |cells| match width {
                Some(w) => format!("{:w$}", Diagram { circuit: &c, band_cells: cells }),
                None => Diagram { circuit: &c, band_cells: cells }.to_string(),
            };
            let whole = draw(BAND_CELLS);
            assert!(whole.lines().count() >= 11, "{whole}");
            assert_eq!(draw(1), whole); // one row per band
            assert_eq!(draw(50), whole);
        }
        assert_eq!(format!("{c:30}"), format!("{:30}", Diagram { circuit: &c, band_cells: 1 }));
        Ok(())
    }

    #[test]
    fn masks_merge_into_box_drawing_characters() {
        let mask_char = |m: u8| MASK_CHARS[usize::from(m)];
        assert_eq!(mask_char(U | R | D), '├');
        assert_eq!(mask_char(L | R | U), '┴');
        assert_eq!(mask_char(L | R | U | D), '┼');
    }
}
