//! Tornado chart of a sweep's one-at-a-time points: for each parameter, how far the output
//! moves when that parameter alone goes to the bottom or the top of its range; widest swing
//! on top. Two panels: the metric at the deepest cut, and what that cut costs.

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::sensitivity::Analysis;

use super::style::{self, Measure};
use super::sweep::{SweepContext, measure, parameter_rows, value_and_cost};
use super::{Draw, DrawResult, Key, frame};

pub struct Tornado<'a> {
    pub ctx: &'a SweepContext<'a>,
    pub value: &'a Analysis,
    pub diff: Option<&'a Analysis>,
}

const LOW: RGBColor = style::OKABE_ITO[0];
const HIGH: RGBColor = style::OKABE_ITO[1];

fn show(m: &Measure, diff: bool, v: f64) -> String {
    if diff { m.show_diff(v) } else { m.show(v) }
}

fn panel<DB: DrawingBackend>(
    ctx: &SweepContext,
    a: &Analysis,
    area: &DrawingArea<DB, Shift>,
) -> DrawResult<DB> {
    let m = measure(a.metric);
    let f = m.factor;
    let k = a.swings.len();
    let (lo, hi) = a
        .swings
        .iter()
        .flat_map(|w| [w.base, w.low, w.high])
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v * f), b.max(v * f))
        });
    let (x0, x1) = style::padded(lo, hi, None);
    let pad = (x1 - x0) * 0.12;
    let (x0, x1) = (x0 - pad, x1 + pad);
    let rows = k.max(1) as f64;
    // Widest swing on top: row k − 1 is the first swing.
    let label_of = |v: &f64| {
        style::category(*v, k).map_or_else(String::new, |i| {
            ctx.labels[a.swings[k - 1 - i].param].clone()
        })
    };
    let x_step = (x1 - x0) / 8.0;
    let x_fmt = |v: &f64| style::tick_label(*v, x_step);
    let desc = if a.diff {
        if m.diff_unit.is_empty() {
            "difference from the baseline level".to_string()
        } else {
            "difference from the baseline level (percentage points)".to_string()
        }
    } else {
        m.axis.to_string()
    };
    let mut chart = parameter_rows(ctx, a, area, x0..x1, rows)?;
    style::draw_axes(
        &mut chart,
        &style::Axes {
            grid: style::Grid::NoY,
            x_labels: 9,
            x_fmt: &x_fmt,
            x_desc: &desc,
            y_labels: k.max(2),
            y_fmt: &label_of,
            y_desc: None,
            tick: style::NOTE,
            desc: style::NOTE,
        },
    )?;
    for (rank, w) in a.swings.iter().enumerate() {
        let y = (k - 1 - rank) as f64;
        let base = w.base * f;
        // The longer bar first, so the shorter stays visible when both go the same way.
        let mut bars = [(w.low * f, LOW), (w.high * f, HIGH)];
        bars.sort_by(|p, q| (q.0 - base).abs().total_cmp(&(p.0 - base).abs()));
        for (end, c) in bars {
            if end.is_finite() {
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(base, y - 0.3), (end, y + 0.3)],
                    c.mix(0.85).filled(),
                )))?;
            }
        }
        if w.width() * f < 1e-12 && w.base.is_finite() {
            chart.draw_series(std::iter::once(
                EmptyElement::at((base, y))
                    + Text::new(
                        "no effect",
                        (10, 0),
                        style::font(style::MIN_TEXT).pos(Pos::new(HPos::Left, VPos::Center)),
                    ),
            ))?;
            continue;
        }
        for (end, offset) in [(w.low * f, -1), (w.high * f, 1)] {
            if !end.is_finite() {
                continue;
            }
            let right = end >= base;
            let dx = if right { 8 } else { -8 };
            let anchor = if right { HPos::Left } else { HPos::Right };
            chart.draw_series(std::iter::once(
                EmptyElement::at((end, y))
                    + Text::new(
                        show(&m, a.diff, end / f),
                        (dx, offset * 9),
                        style::font(style::MIN_TEXT).pos(Pos::new(anchor, VPos::Center)),
                    ),
            ))?;
        }
    }
    if let Some(w) = a.swings.first()
        && w.base.is_finite()
    {
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(w.base * f, -0.6), (w.base * f, rows - 0.4)],
            style::INK.stroke_width(2),
        )))?;
    }
    Ok(())
}

use plotters::style::text_anchor::{HPos, Pos, VPos};

impl Draw for Tornado<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let m = measure(self.value.metric);
        let area = frame(
            root,
            &format!("{}: which assumptions move it most, one at a time", m.name),
            "Each bar: one parameter at the bottom or the top of its range, the others at the scenario's values (the line)",
            &[
                (Key::Fill(LOW, 0.85), "parameter at its minimum".into()),
                (Key::Fill(HIGH, 0.85), "parameter at its maximum".into()),
                (
                    Key::Marker(style::INK),
                    "all at the scenario's values".into(),
                ),
            ],
            &self.ctx.stamp,
        )?;
        value_and_cost(&area, self.value, self.diff, false, |a, area| {
            panel(self.ctx, a, area)
        })
    }
}
