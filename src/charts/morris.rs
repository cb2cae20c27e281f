//! Morris screening of a sweep: each parameter's mean absolute elementary effect μ*
//! (importance) against the spread σ of its effects (non-linearity and interactions), with
//! the bootstrap interval of μ*. Two panels: the metric at the deepest cut, and its cost.

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::sensitivity::Analysis;

use super::style;
use super::sweep::{SweepContext, measure, value_and_cost};
use super::{Draw, DrawResult, Key, frame};

pub struct MorrisChart<'a> {
    pub ctx: &'a SweepContext<'a>,
    pub value: &'a Analysis,
    pub diff: Option<&'a Analysis>,
}

/// Points labelled together: where the first is drawn (pixels), its (μ*, σ), the names.
type LabelGroup = ((i32, i32), (f64, f64), Vec<String>);

fn panel<DB: DrawingBackend>(
    ctx: &SweepContext,
    a: &Analysis,
    area: &DrawingArea<DB, Shift>,
) -> DrawResult<DB> {
    let Some(idx) = &a.morris else { return Ok(()) };
    let m = measure(a.metric);
    let f = m.factor;
    let xmax = idx
        .iter()
        .map(|x| x.mu_star_ci.1.max(x.mu_star) * f)
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max)
        .max(1e-9)
        * 1.25;
    let ymax = idx
        .iter()
        .map(|x| x.sigma * f)
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max)
        .max(1e-9)
        * 1.2;
    let unit = if m.diff_unit.is_empty() {
        "output units per full range".to_string()
    } else {
        "percentage points per full range".to_string()
    };
    let xs = xmax / 6.0;
    let ys = ymax / 6.0;
    let x_fmt = |v: &f64| style::tick_label(*v, xs);
    let y_fmt = |v: &f64| style::tick_label(*v, ys);
    let mut chart = ChartBuilder::on(area)
        .caption(ctx.target_words(a), style::bold(style::LEGEND))
        .margin(8)
        .margin_right(30)
        .x_label_area_size(64)
        .y_label_area_size(90)
        .build_cartesian_2d(0f64..xmax, 0f64..ymax)?;
    style::draw_axes(
        &mut chart,
        &style::Axes {
            grid: style::Grid::Both,
            x_labels: 7,
            x_fmt: &x_fmt,
            x_desc: &format!("μ*: mean |elementary effect| ({unit})"),
            y_labels: 7,
            y_fmt: &y_fmt,
            y_desc: Some("σ: spread of the effects"),
            tick: style::TICK,
            desc: style::NOTE,
        },
    )?;
    // σ = μ*: above the line, effects depend strongly on the other parameters.
    let d = xmax.min(ymax);
    chart.draw_series(DashedLineSeries::new(
        vec![(0.0, 0.0), (d, d)],
        10,
        8,
        style::MUTED.stroke_width(2),
    ))?;
    // Points closer than a line of text share one label, so parameters without effect (all at
    // the origin) or with equal effects are named together instead of over each other.
    let mut groups: Vec<LabelGroup> = Vec::new();
    for (i, x) in idx.iter().enumerate() {
        let c = style::OKABE_ITO[i % 7];
        let (ms, sg) = (x.mu_star * f, x.sigma * f);
        if !ms.is_finite() || !sg.is_finite() {
            continue;
        }
        if x.mu_star_ci.0.is_finite() {
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(x.mu_star_ci.0 * f, sg), (x.mu_star_ci.1 * f, sg)],
                c.stroke_width(2),
            )))?;
        }
        chart.draw_series(std::iter::once(Circle::new((ms, sg), 9, c.filled())))?;
        let short = ctx.sweep.parameters[i]
            .label
            .rsplit('.')
            .take(2)
            .collect::<Vec<_>>();
        let short = short.into_iter().rev().collect::<Vec<_>>().join(".");
        let px = chart.backend_coord(&(ms, sg));
        let near = (style::MIN_TEXT as i32) + 4;
        match groups
            .iter_mut()
            .find(|g| (g.0.0 - px.0).abs() < 3 * near && (g.0.1 - px.1).abs() < near)
        {
            Some(g) => g.2.push(short),
            None => groups.push((px, (ms, sg), vec![short])),
        }
    }
    for (_, (ms, sg), names) in groups {
        let label = if ms == 0.0 && sg == 0.0 {
            format!("no effect: {}", names.join(", "))
        } else {
            names.join(", ")
        };
        chart.draw_series(std::iter::once(
            EmptyElement::at((ms, sg)) + Text::new(label, (12, -22), style::font(style::MIN_TEXT)),
        ))?;
    }
    Ok(())
}

impl Draw for MorrisChart<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let m = measure(self.value.metric);
        let keys: Vec<(Key, String)> = self
            .ctx
            .labels
            .iter()
            .enumerate()
            .map(|(i, l)| (Key::Dot(style::OKABE_ITO[i % 7]), l.clone()))
            .chain(std::iter::once((
                Key::Dashed(style::MUTED),
                "σ = μ*".to_string(),
            )))
            .collect();
        let area = frame(
            root,
            &format!("{}: which assumptions matter (Morris screening)", m.name),
            &format!(
                "{} trajectories; right = more influential, up = more non-linear or interacting; bars are bootstrap 95% intervals of μ*",
                self.ctx.sweep.samples
            ),
            &keys,
            &self.ctx.stamp,
        )?;
        value_and_cost(&area, self.value, self.diff, true, |a, area| {
            panel(self.ctx, a, area)
        })
    }
}
