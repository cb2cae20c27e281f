//! Sobol indices of a sweep: per parameter, the first-order index (its effect alone) and the
//! total index (with every interaction), each with its bootstrap 95% interval; parameters
//! sorted by total index. Two panels: the metric at the deepest cut, and what that cut costs.

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::sensitivity::Analysis;

use super::style;
use super::sweep::{SweepContext, measure, parameter_rows, value_and_cost};
use super::{Draw, DrawResult, Key, frame};

pub struct SobolChart<'a> {
    pub ctx: &'a SweepContext<'a>,
    pub value: &'a Analysis,
    pub diff: Option<&'a Analysis>,
}

const FIRST: RGBColor = style::OKABE_ITO[0];
const TOTAL: RGBColor = style::OKABE_ITO[5];

fn panel<DB: DrawingBackend>(
    ctx: &SweepContext,
    a: &Analysis,
    area: &DrawingArea<DB, Shift>,
) -> DrawResult<DB> {
    let Some(idx) = &a.sobol else { return Ok(()) };
    let k = idx.len();
    let mut order: Vec<usize> = (0..k).collect();
    order.sort_by(|&p, &q| idx[q].total.total_cmp(&idx[p].total).then(p.cmp(&q)));
    let lo = idx
        .iter()
        .flat_map(|x| [x.first_ci.0, x.total_ci.0, x.first])
        .filter(|v| v.is_finite())
        .fold(0.0f64, f64::min)
        .max(-0.3);
    let hi = idx
        .iter()
        .flat_map(|x| [x.first_ci.1, x.total_ci.1, x.total])
        .filter(|v| v.is_finite())
        .fold(0.1f64, f64::max)
        .min(1.3);
    let (x0, x1) = (lo - 0.02, hi + 0.08);
    let rows = k.max(1) as f64;
    let label_of = |v: &f64| {
        style::category(*v, k).map_or_else(String::new, |i| ctx.labels[order[k - 1 - i]].clone())
    };
    let x_fmt = |v: &f64| format!("{v:.1}");
    let mut chart = parameter_rows(ctx, a, area, x0..x1, rows)?;
    style::draw_axes(
        &mut chart,
        &style::Axes {
            grid: style::Grid::NoY,
            x_labels: 8,
            x_fmt: &x_fmt,
            x_desc: "share of the output's variance (Sobol index; possible values 0–1)",
            y_labels: k.max(2),
            y_fmt: &label_of,
            y_desc: None,
            tick: style::TICK,
            desc: style::NOTE,
        },
    )?;
    // Sobol indices lie in 0–1; an estimate or interval beyond is sampling noise (few base
    // samples, or an index near 0 or 1), shaded so it reads as such.
    for (a0, a1) in [(x0, 0.0), (1.0, x1)] {
        if a1 > a0 {
            chart.draw_series(std::iter::once(Rectangle::new(
                [(a0, -0.6), (a1, rows - 0.4)],
                style::GRID.mix(0.8).filled(),
            )))?;
        }
    }
    chart.draw_series(std::iter::once(PathElement::new(
        vec![(0.0, -0.6), (0.0, rows - 0.4)],
        style::INK.stroke_width(1),
    )))?;
    for (rank, &i) in order.iter().enumerate() {
        let y = (k - 1 - rank) as f64;
        let x = idx[i];
        for (v, ci, c, dy) in [
            (x.total, x.total_ci, TOTAL, 0.17),
            (x.first, x.first_ci, FIRST, -0.17),
        ] {
            if !v.is_finite() {
                continue;
            }
            chart.draw_series(std::iter::once(Rectangle::new(
                [(0.0, y + dy - 0.15), (v, y + dy + 0.15)],
                c.filled(),
            )))?;
            if ci.0.is_finite() && ci.1.is_finite() {
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(ci.0, y + dy), (ci.1, y + dy)],
                    style::INK.stroke_width(2),
                )))?;
                for e in [ci.0, ci.1] {
                    chart.draw_series(std::iter::once(PathElement::new(
                        vec![(e, y + dy - 0.08), (e, y + dy + 0.08)],
                        style::INK.stroke_width(2),
                    )))?;
                }
            }
            chart.draw_series(std::iter::once(
                EmptyElement::at((ci.1.max(v), y + dy))
                    + Text::new(format!("{v:.2}"), (8, -8), style::font(style::MIN_TEXT)),
            ))?;
        }
    }
    Ok(())
}

impl Draw for SobolChart<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let m = measure(self.value.metric);
        let n = self
            .value
            .sobol
            .as_ref()
            .map_or(0, |_| self.ctx.sweep.samples);
        let area = frame(
            root,
            &format!(
                "{}: share of its variance each assumption explains (Sobol)",
                m.name
            ),
            &format!(
                "Saltelli design, {n} base samples; first-order = the parameter alone, total = with all its interactions; bars show bootstrap 95% intervals ({} resamples)",
                self.ctx.sweep.bootstrap
            ),
            &[
                (Key::Fill(FIRST, 1.0), "first-order index S1".into()),
                (Key::Fill(TOTAL, 1.0), "total index ST".into()),
                (Key::ErrorBar(style::INK), "95% bootstrap interval".into()),
                (
                    Key::Fill(style::GRID, 0.8),
                    "beyond 0–1: sampling noise".into(),
                ),
            ],
            &self.ctx.stamp,
        )?;
        value_and_cost(&area, self.value, self.diff, false, |a, area| {
            panel(self.ctx, a, area)
        })
    }
}
