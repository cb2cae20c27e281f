//! Outcome distributions by budget level: a box plot per headline measure (box = middle half
//! of the trials, whiskers = 5th–95th percentile, line = median, diamond = mean) and an ECDF
//! overlay of the same measure, both drawn from `percentiles.csv` and `summary.csv`.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::style::{self, HEADLINE, Measure};
use super::{ChartData, ChartSpec, DrawResult, Key, Kind, diamond, frame, level_name};

fn stem(m: &Measure) -> String {
    m.metric.name().replace('_', "-")
}

fn finding(d: &ChartData, m: &Measure) -> String {
    let n = d.levels().len();
    let mean = |l: usize| d.summary(l, m.metric).map_or(f64::NAN, |r| r.mean);
    if n < 2 {
        return format!("Mean {} over {} trials", m.show(mean(0)), d.manifest.trials);
    }
    format!(
        "Mean {} at full budget, {} at {} of baseline ({} trials per level)",
        m.show(mean(0)),
        m.show(mean(n - 1)),
        d.level_label(n - 1),
        d.manifest.trials
    )
}

pub fn box_spec(d: &ChartData, i: usize) -> ChartSpec {
    let m = &HEADLINE[i];
    ChartSpec {
        kind: Kind::Distribution(i),
        stem: format!("distribution-{}", stem(m)),
        section: "distributions",
        caption: format!(
            "{} by budget level: one box per level, levels in order from the baseline. The box holds the middle half of the trials (25th to 75th percentile), the line across it is the median, the whiskers reach the 5th and 95th percentiles and the diamond is the mean. Boxes that sit lower mean the cut costs capacity in most trials, not just on average. {}.",
            m.name,
            finding(d, m)
        ),
    }
}

pub fn ecdf_spec(d: &ChartData, i: usize) -> ChartSpec {
    let m = &HEADLINE[i];
    ChartSpec {
        kind: Kind::Ecdf(i),
        stem: format!("ecdf-{}", stem(m)),
        section: "distributions",
        caption: format!(
            "{}: cumulative distribution over trials, one curve per budget level. Read a curve at a value on the horizontal axis to get the share of trials at or below it; a curve further left means lower values are more common at that level. {}.",
            m.name,
            finding(d, m)
        ),
    }
}

/// Category positions 0..n on an f64 axis: labels only at whole positions.
pub fn draw_box<DB: DrawingBackend>(
    d: &ChartData,
    i: usize,
    root: &DrawingArea<DB, Shift>,
) -> DrawResult<DB> {
    let m = &HEADLINE[i];
    let n = d.levels().len();
    let f = m.factor;
    let stats: Vec<_> = (0..n).map(|l| d.summary(l, m.metric)).collect();
    let lo = stats
        .iter()
        .flatten()
        .map(|s| s.p5 * f)
        .fold(f64::INFINITY, f64::min);
    let hi = stats
        .iter()
        .flatten()
        .map(|s| s.p95.max(s.mean) * f)
        .fold(f64::NEG_INFINITY, f64::max);
    let (y0, y1) = style::axis_range(m, lo, hi);
    let colour = |l: usize| style::level_colour(l, n);
    let area = frame(
        root,
        &format!("{} by budget level", m.name),
        &finding(d, m),
        &[
            (
                Key::Fill(style::MUTED, 0.3),
                "middle half (25th–75th pct.)".into(),
            ),
            (Key::Line(style::INK), "median".into()),
            (Key::ErrorBar(style::INK), "5th–95th percentile".into()),
            (Key::Diamond(style::INK), "mean".into()),
        ],
        &d.stamp(),
    )?;
    let mut chart = ChartBuilder::on(&area)
        .margin_right(20)
        .x_label_area_size(80)
        .y_label_area_size(110)
        .build_cartesian_2d(-0.6f64..(n as f64 - 0.4), y0..y1)?;
    let y_step = (y1 - y0) / 8.0;
    let x_fmt = |v: &f64| d.level_tick(*v);
    let y_fmt = |v: &f64| style::tick_label(*v, y_step);
    style::draw_axes(
        &mut chart,
        &style::Axes {
            grid: style::Grid::NoX,
            x_labels: n.max(2),
            x_fmt: &x_fmt,
            x_desc: "budget level (% of baseline)",
            y_labels: 9,
            y_fmt: &y_fmt,
            y_desc: Some(m.short),
            tick: style::TICK,
            desc: style::AXIS_DESC,
        },
    )?;
    let half = 0.22;
    for (l, s) in stats.iter().enumerate() {
        let Some(s) = s else { continue };
        let x = l as f64;
        let c = colour(l);
        // Whiskers with caps.
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(x, s.p5 * f), (x, s.p25 * f)],
            c.stroke_width(3),
        )))?;
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(x, s.p75 * f), (x, s.p95 * f)],
            c.stroke_width(3),
        )))?;
        for y in [s.p5 * f, s.p95 * f] {
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(x - half / 2.0, y), (x + half / 2.0, y)],
                c.stroke_width(3),
            )))?;
        }
        chart.draw_series(std::iter::once(Rectangle::new(
            [(x - half, s.p25 * f), (x + half, s.p75 * f)],
            c.mix(0.3).filled(),
        )))?;
        chart.draw_series(std::iter::once(Rectangle::new(
            [(x - half, s.p25 * f), (x + half, s.p75 * f)],
            c.stroke_width(3),
        )))?;
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(x - half, s.p50 * f), (x + half, s.p50 * f)],
            style::INK.stroke_width(4),
        )))?;
        chart.draw_series(std::iter::once(
            EmptyElement::at((x, s.mean * f)) + diamond((0, 0), 11, style::INK),
        ))?;
        // The mean's value centred above the upper whisker, or below the lower one when the
        // upper reaches the top of the axis, or beside the box when both whiskers reach the
        // ends: never where the next box is.
        let room = 0.12 * (y1 - y0);
        let (at, dx, dy, h, v) = if s.p95 * f < y1 - room {
            (s.p95 * f, 0, -12, HPos::Center, VPos::Bottom)
        } else if s.p5 * f > y0 + room {
            (s.p5 * f, 0, 12, HPos::Center, VPos::Top)
        } else {
            (s.mean * f, 16, 0, HPos::Left, VPos::Center)
        };
        let x = if dx > 0 { x + half } else { x };
        chart.draw_series(std::iter::once(
            EmptyElement::at((x, at))
                + Text::new(
                    format!("mean {}", m.show(s.mean)),
                    (dx, dy),
                    style::font(style::NOTE).pos(Pos::new(h, v)),
                ),
        ))?;
    }
    Ok(())
}

pub fn draw_ecdf<DB: DrawingBackend>(
    d: &ChartData,
    i: usize,
    root: &DrawingArea<DB, Shift>,
) -> DrawResult<DB> {
    let m = &HEADLINE[i];
    let n = d.levels().len();
    let f = m.factor;
    let curves: Vec<Option<&[f64]>> = (0..n).map(|l| d.percentiles(l, m.metric)).collect();
    let all = curves.iter().flatten().flat_map(|c| c.iter()).copied();
    let (lo, hi) = all
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v * f), b.max(v * f))
        });
    let (x0, x1) = style::axis_range(m, lo, hi);
    let keys: Vec<(Key, String)> = (0..n)
        .map(|l| (Key::Line(style::level_colour(l, n)), level_name(d, l)))
        .collect();
    let area = frame(
        root,
        &format!("{}: share of trials at or below each value", m.name),
        &finding(d, m),
        &keys,
        &d.stamp(),
    )?;
    let mut chart = ChartBuilder::on(&area)
        .margin_right(30)
        .x_label_area_size(80)
        .y_label_area_size(110)
        .build_cartesian_2d(x0..x1, 0f64..100.0)?;
    let x_step = (x1 - x0) / 10.0;
    let x_fmt = |v: &f64| style::tick_label(*v, x_step);
    let y_fmt = |v: &f64| format!("{v:.0}%");
    style::draw_axes(
        &mut chart,
        &style::Axes {
            grid: style::Grid::Both,
            x_labels: 11,
            x_fmt: &x_fmt,
            x_desc: m.axis,
            y_labels: 11,
            y_fmt: &y_fmt,
            y_desc: Some("trials at or below the value (%)"),
            tick: style::TICK,
            desc: style::AXIS_DESC,
        },
    )?;
    for (l, c) in curves.iter().enumerate() {
        let Some(c) = c else { continue };
        // Percentile p is the value with p% of trials at or below it: the ECDF sampled at
        // every percent, drawn as steps so a discrete measure keeps its jumps.
        let mut points: Vec<(f64, f64)> = Vec::with_capacity(2 * c.len());
        for (p, v) in c.iter().enumerate().filter(|(_, v)| v.is_finite()) {
            if let Some(&(_, last)) = points.last() {
                points.push((v * f, last));
            }
            points.push((v * f, p as f64));
        }
        chart.draw_series(LineSeries::new(
            points,
            style::level_colour(l, n).stroke_width(4),
        ))?;
    }
    Ok(())
}
