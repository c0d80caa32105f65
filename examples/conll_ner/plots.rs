//! `--plots DIR`: SVG pictures of the training curves, the confusion of entity types and the mutual
//! information of each qubit.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::{
    ChartBuilder, Circle, Color, DrawingArea, IntoDrawingArea, IntoFont, LineSeries, RGBColor, Rectangle, SVGBackend,
    SeriesLabelPosition, Text, TextStyle, BLACK, WHITE,
};
use plotters::style::text_anchor::{HPos, Pos, VPos};
use qnet::tagger::{Corpus, EpochReport, Tag};

use crate::report::Diagnostics;
use crate::Fallible;

const FONT: &str = "sans-serif";
const BLUE: RGBColor = RGBColor(33, 102, 172);
const ORANGE: RGBColor = RGBColor(230, 120, 30);
const GREY: RGBColor = RGBColor(150, 150, 150);
/// The size of the charts, in pixels.
const CHART: (u32, u32) = (720, 440);

type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;

/// Tokens counted by gold entity type (rows) and predicted entity type (columns), `O` last; the B-/I-
/// prefixes are dropped.
#[derive(Debug)]
pub struct Confusion {
    /// The entity types seen in gold or predicted tags, sorted, then `O`.
    pub labels: Vec<String>,
    /// `counts[gold][predicted]`.
    pub counts: Vec<Vec<usize>>,
}

impl Confusion {
    /// Counts the tokens of the labelled sentences of `corpus` against `predicted`.
    pub fn new(corpus: &Corpus, predicted: &[Vec<Tag>]) -> Confusion {
        let pairs: Vec<(&Tag, &Tag)> = corpus
            .sentences
            .iter()
            .zip(predicted)
            .filter_map(|(s, p)| s.tags.as_ref().map(|g| g.iter().zip(p)))
            .flatten()
            .collect();
        let types: BTreeSet<&str> = pairs.iter().flat_map(|(g, p)| [g.kind(), p.kind()]).flatten().collect();
        let mut labels: Vec<String> = types.into_iter().map(str::to_string).collect();
        labels.push("O".to_string());
        let outside = labels.len() - 1;
        let index = |tag: &Tag| tag.kind().and_then(|k| labels.iter().position(|l| l == k)).unwrap_or(outside);
        let mut counts = vec![vec![0; labels.len()]; labels.len()];
        for (gold, pred) in pairs {
            counts[index(gold)][index(pred)] += 1;
        }
        Confusion { labels, counts }
    }
}

/// Writes the pictures that the run has data for into the directory `dir`, which exists, and returns their
/// paths.
pub fn write(
    dir: &Path,
    history: &[EpochReport],
    confusion: Option<&Confusion>,
    diagnostics: Option<&Diagnostics>,
) -> Fallible<Vec<PathBuf>> {
    let mut written = Vec::new();
    let loss: Vec<(f64, f64)> = history.iter().map(|r| (r.epoch as f64, r.loss)).filter(|p| p.1.is_finite()).collect();
    if !loss.is_empty() {
        written.push(svg(dir, "loss.svg", CHART, |root| curve(root, "training loss per epoch", "loss", &loss, None))?);
    }
    let f1: Vec<(f64, f64)> = history.iter().filter_map(|r| r.valid_f1.map(|f| (r.epoch as f64, 100.0 * f))).collect();
    if !f1.is_empty() {
        let title = "validation entity F1 per epoch";
        written.push(svg(dir, "valid_f1.svg", CHART, |root| {
            curve(root, title, "entity F1 (%)", &f1, Some((0.0, 100.0)))
        })?);
    }
    if let Some(confusion) = confusion {
        written.push(svg(dir, "confusion.svg", MatrixLayout::new(confusion).size(), |root| matrix(root, confusion))?);
    }
    if let Some(d) = diagnostics {
        let (trained, initial) = (&d.trained.mutual_information, &d.initial.mutual_information);
        written.push(svg(dir, "mutual_information.svg", CHART, |root| bars(root, trained, initial))?);
    }
    Ok(written)
}

/// Draws one picture into `dir/name` and returns its path; errors name the file.
fn svg(dir: &Path, name: &str, size: (u32, u32), draw: impl FnOnce(&Area<'_>) -> Fallible<()>) -> Fallible<PathBuf> {
    let path = dir.join(name);
    let fail = |e: Box<dyn std::error::Error>| format!("cannot write {}: {e}", path.display());
    let root = SVGBackend::new(&path, size).into_drawing_area();
    root.fill(&WHITE).map_err(|e| fail(e.into()))?;
    draw(&root).map_err(fail)?;
    root.present().map_err(|e| fail(e.into()))?;
    drop(root);
    Ok(path)
}

/// A line with a dot per epoch; `y_range` fixes the y axis, otherwise it spans the values with a margin.
fn curve(
    root: &Area<'_>,
    title: &str,
    y_desc: &str,
    points: &[(f64, f64)],
    y_range: Option<(f64, f64)>,
) -> Fallible<()> {
    let last = points.iter().map(|p| p.0).fold(1.0, f64::max);
    let (lo, hi) = y_range.unwrap_or_else(|| {
        let lo = points.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
        let hi = points.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
        let pad = if hi > lo { 0.08 * (hi - lo) } else { 0.5 * lo.abs().max(1.0) };
        (lo - pad, hi + pad)
    });
    let mut chart = ChartBuilder::on(root)
        .caption(title, (FONT, 20))
        .margin(16)
        .x_label_area_size(44)
        .y_label_area_size(64)
        .build_cartesian_2d(0.5..last + 0.5, lo..hi)?;
    chart
        .configure_mesh()
        .x_desc("epoch")
        .y_desc(y_desc)
        .x_labels((last as usize).min(12))
        .x_label_formatter(&|x| format!("{x:.0}"))
        .light_line_style(WHITE)
        .draw()?;
    chart.draw_series(LineSeries::new(points.iter().copied(), BLUE.stroke_width(2)))?;
    chart.draw_series(points.iter().map(|&p| Circle::new(p, 4, BLUE.filled())))?;
    Ok(())
}

/// Where the confusion matrix's cells go: `n` × `n` square cells of side `cell` pixels below `top` and right
/// of `left`, with room for the row labels, the column labels and the title.
struct MatrixLayout {
    n: i32,
    left: i32,
    top: i32,
    cell: i32,
}

impl MatrixLayout {
    fn new(confusion: &Confusion) -> MatrixLayout {
        let widest = confusion.labels.iter().map(|l| l.chars().count()).max().unwrap_or(1) as i32;
        MatrixLayout { n: confusion.labels.len() as i32, left: 40 + 9 * widest, top: 90, cell: 64.max(9 * widest + 12) }
    }

    /// The picture's size: the grid and its margins, and at least as wide as the title.
    fn size(&self) -> (u32, u32) {
        let width = (self.left + self.n * self.cell + 30).max(560);
        (width as u32, (self.top + self.n * self.cell + 20) as u32)
    }
}

/// The confusion matrix as a grid of cells shaded by their share of the gold row, each with its count.
fn matrix(root: &Area<'_>, confusion: &Confusion) -> Fallible<()> {
    let MatrixLayout { n, left, top, cell } = MatrixLayout::new(confusion);
    let width = root.dim_in_pixel().0;
    let text = |size: i32, h: HPos| TextStyle::from((FONT, size).into_font()).pos(Pos::new(h, VPos::Center));
    let title = "tokens by gold entity type (rows) and predicted type (columns)";
    root.draw(&Text::new(title, (width as i32 / 2, 22), text(18, HPos::Center)))?;
    root.draw(&Text::new("predicted", (left + n * cell / 2, 50), text(15, HPos::Center)))?;
    root.draw(&Text::new("gold", (12, top - 14), text(15, HPos::Left)))?;
    for (i, row) in confusion.counts.iter().enumerate() {
        let y = top + i as i32 * cell;
        let label = confusion.labels[i].as_str();
        root.draw(&Text::new(label, (left - 10, y + cell / 2), text(14, HPos::Right)))?;
        root.draw(&Text::new(label, (left + i as i32 * cell + cell / 2, top - 14), text(14, HPos::Center)))?;
        let total: usize = row.iter().sum();
        for (j, &count) in row.iter().enumerate() {
            let share = if total == 0 { 0.0 } else { count as f64 / total as f64 };
            let shade = |c: u8| (255.0 - share * (255.0 - f64::from(c))).round() as u8;
            let fill = RGBColor(shade(BLUE.0), shade(BLUE.1), shade(BLUE.2));
            let x = left + j as i32 * cell;
            root.draw(&Rectangle::new([(x, y), (x + cell, y + cell)], fill.filled()))?;
            root.draw(&Rectangle::new([(x, y), (x + cell, y + cell)], GREY.stroke_width(1)))?;
            let ink = if share > 0.5 { WHITE } else { BLACK };
            root.draw(&Text::new(count.to_string(), (x + cell / 2, y + cell / 2), text(13, HPos::Center).color(&ink)))?;
        }
    }
    Ok(())
}

/// Two bars per qubit: the mutual information of the trained and of the untrained layer.
fn bars(root: &Area<'_>, trained: &[f64], initial: &[f64]) -> Fallible<()> {
    let n = trained.len().max(initial.len()).max(1);
    let top = trained.iter().chain(initial).copied().filter(|v| v.is_finite()).fold(0.0, f64::max);
    let mut chart = ChartBuilder::on(root)
        .caption("mutual information between each qubit's Z sign and the gold tag", (FONT, 18))
        .margin(16)
        .x_label_area_size(44)
        .y_label_area_size(64)
        .build_cartesian_2d(-0.5..n as f64 - 0.5, 0.0..(1.15 * top).max(1e-3))?;
    chart
        .configure_mesh()
        .x_desc("qubit")
        .y_desc("mutual information (bits)")
        .x_labels(n)
        .x_label_formatter(&|x| format!("{x:.0}"))
        .disable_x_mesh()
        .light_line_style(WHITE)
        .draw()?;
    for (values, color, offset, name) in [(trained, BLUE, -0.4, "trained"), (initial, ORANGE, 0.0, "untrained")] {
        let boxes = values.iter().enumerate().map(move |(i, &v)| {
            let x = i as f64 + offset;
            Rectangle::new([(x, 0.0), (x + 0.4, v)], color.filled())
        });
        chart
            .draw_series(boxes)?
            .label(name)
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 14, y + 5)], color.filled()));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()?;
    Ok(())
}
