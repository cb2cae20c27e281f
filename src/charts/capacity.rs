//! Capacity against budget: for each headline measure, its mean with the 95% confidence
//! interval at each level and the paired difference from the baseline with its interval
//! (the "capacity cliff"); and one overview of every headline measure's change in % of its
//! baseline mean. Drawn from `summary.csv`.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::style::{self, HEADLINE, Measure};
use super::{ChartData, ChartSpec, DrawResult, Key, Kind, frame};

/// Where a level sits on a budget axis. The axis runs from the baseline on the left to the
/// deepest cut on the right, the order of every table, box plot and legend of the report, so
/// it is drawn at minus the level in % and labelled without the sign.
fn level_x(level: f64) -> f64 {
    -100.0 * level
}

fn level_range(d: &ChartData) -> (f64, f64) {
    let (lo, hi) = d
        .levels()
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), l| {
            (a.min(level_x(*l)), b.max(level_x(*l)))
        });
    let pad = ((hi - lo) * 0.08).max(2.0);
    (lo - pad, hi + pad)
}

/// The deepest level's paired difference in words: "−8.7 points (95% CI −9.0 to −8.4)".
fn deepest_diff(d: &ChartData, m: &Measure) -> String {
    let n = d.levels().len();
    match d.summary(n - 1, m.metric) {
        Some(r) if n > 1 => format!(
            "at {} of baseline the paired difference is {} (95% CI {} to {})",
            d.level_label(n - 1),
            m.show_diff(r.diff_mean),
            m.show_diff_bare(r.diff_ci95_lo),
            m.show_diff(r.diff_ci95_hi)
        ),
        _ => "only one budget level in this run".into(),
    }
}

pub fn spec(d: &ChartData, i: usize) -> ChartSpec {
    let m = &HEADLINE[i];
    ChartSpec {
        kind: Kind::Capacity(i),
        stem: format!("capacity-{}", m.metric.name().replace('_', "-")),
        // In the charts folder, not the report: the report's table gives these numbers and
        // its cliff chart their shape, and the printed report stays short.
        section: "",
        caption: format!(
            "{} against the budget level. Left: the mean over trials at each level with its 95% confidence interval (the bars; often narrower than the dots), over a shaded band holding the middle half of the trials. Right: the paired difference from the baseline — each trial compared with itself at full budget, same crises — with its 95% confidence interval; a bar clear of the zero line is a cost of the cut that is not Monte Carlo noise. Here {}.",
            m.name,
            deepest_diff(d, m)
        ),
    }
}

pub fn cliff_spec(d: &ChartData) -> ChartSpec {
    ChartSpec {
        kind: Kind::Cliff,
        stem: "capacity-cliff".into(),
        section: "capacity",
        caption: "Every headline measure's change from the baseline, in % of its baseline mean, against the budget level, with 95% confidence intervals of the paired differences. Lines that fall steeply as the budget falls show where capacity drops off a cliff; a line near zero is a capacity the cut does not reach in this scenario.".to_string()
            + if d.levels().len() < 2 { " (Only one level in this run.)" } else { "" },
    }
}

fn x_fmt(v: &f64) -> String {
    format!("{:.0}%", -v)
}

/// One level's summary row, at its x position (see [`level_x`]), with its colour.
type LevelRow<'a> = (f64, &'a super::data::SummaryRow, RGBColor);

pub fn draw<DB: DrawingBackend>(
    d: &ChartData,
    i: usize,
    root: &DrawingArea<DB, Shift>,
) -> DrawResult<DB> {
    let m = &HEADLINE[i];
    let n = d.levels().len();
    let rows: Vec<LevelRow> = (0..n)
        .filter_map(|l| {
            d.summary(l, m.metric)
                .map(|r| (level_x(d.levels()[l]), r, style::level_colour(l, n)))
        })
        .collect();
    let area = frame(
        root,
        &format!("{}: what each level keeps and what the cut costs", m.name),
        &format!(
            "Mean over {} trials per level; colour marks the budget level",
            d.manifest.trials
        ),
        &[
            (Key::ErrorBar(style::INK), "95% confidence interval".into()),
            (Key::Fill(style::INK, 0.12), "middle half of trials".into()),
        ],
        &d.stamp(),
    )?;
    let (left, right) = area.split_horizontally(area.dim_in_pixel().0 as i32 / 2);
    let x_range = level_range(d);
    draw_level_means(&left, m, &rows, x_range)?;
    draw_paired_differences(&right, m, &rows, x_range)
}

/// Left panel: each level's mean with its interval, over the band of the middle half of trials.
fn draw_level_means<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    m: &Measure,
    rows: &[LevelRow],
    (x0, x1): (f64, f64),
) -> DrawResult<DB> {
    let f = m.factor;
    let lo = rows
        .iter()
        .map(|(_, r, _)| r.p25.min(r.ci95_lo) * f)
        .fold(f64::INFINITY, f64::min);
    let hi = rows
        .iter()
        .map(|(_, r, _)| r.p75.max(r.ci95_hi) * f)
        .fold(f64::NEG_INFINITY, f64::max);
    let (y0, y1) = style::axis_range(m, lo, hi);
    let y_step = (y1 - y0) / 8.0;
    let y_fmt = |v: &f64| style::tick_label(*v, y_step);
    let mut chart = ChartBuilder::on(area)
        .caption("Level mean", style::bold(style::LEGEND + 2.0))
        .margin(10)
        .margin_right(30)
        .x_label_area_size(70)
        .y_label_area_size(100)
        .build_cartesian_2d(x0..x1, y0..y1)?;
    style::draw_axes(
        &mut chart,
        &style::Axes {
            grid: style::Grid::Both,
            x_labels: 5,
            x_fmt: &x_fmt,
            x_desc: "budget level (% of baseline)",
            y_labels: 9,
            y_fmt: &y_fmt,
            y_desc: Some(m.short),
            tick: style::TICK,
            desc: style::NOTE,
        },
    )?;
    let mut band: Vec<(f64, f64)> = rows.iter().map(|(x, r, _)| (*x, r.p75 * f)).collect();
    band.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut lower: Vec<(f64, f64)> = rows.iter().map(|(x, r, _)| (*x, r.p25 * f)).collect();
    lower.sort_by(|a, b| b.0.total_cmp(&a.0));
    band.extend(lower);
    chart.draw_series(std::iter::once(Polygon::new(
        band,
        style::INK.mix(0.12).filled(),
    )))?;
    let mut line: Vec<(f64, f64)> = rows.iter().map(|(x, r, _)| (*x, r.mean * f)).collect();
    line.sort_by(|a, b| a.0.total_cmp(&b.0));
    chart.draw_series(LineSeries::new(line, style::MUTED.stroke_width(3)))?;
    let deepest = rows.iter().map(|r| r.0).fold(f64::NEG_INFINITY, f64::max);
    let mut last_label = String::new();
    for (x, r, c) in rows {
        error_bar(&mut chart, *x, r.mean * f, r.ci95_lo * f, r.ci95_hi * f, *c)?;
        // Above and to the right of the point (to the left at the panel's right edge), so
        // that no label runs into the y axis; below it when the point is near the top.
        let dy = if r.mean * f > y0 + 0.85 * (y1 - y0) {
            26
        } else {
            -26
        };
        let (dx, h) = if *x == deepest {
            (-12, HPos::Right)
        } else {
            (12, HPos::Left)
        };
        // Equal means at neighbouring levels are labelled once.
        let label = m.show(r.mean);
        if label == last_label {
            continue;
        }
        last_label = label.clone();
        chart.draw_series(std::iter::once(
            EmptyElement::at((*x, r.mean * f))
                + Text::new(
                    label,
                    (dx, dy),
                    style::font(style::NOTE).pos(Pos::new(h, VPos::Center)),
                ),
        ))?;
    }
    Ok(())
}

/// The right panel's y-axis title: the measure's own unit, or percentage points when its
/// differences are shown in points.
fn diff_axis_desc(m: &Measure) -> String {
    if m.diff_unit.is_empty() {
        "difference (index points)".to_string()
    } else {
        "difference (% points)".to_string()
    }
}

/// Right panel: each cut level's paired difference from the baseline, against a zero line.
fn draw_paired_differences<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    m: &Measure,
    rows: &[LevelRow],
    (x0, x1): (f64, f64),
) -> DrawResult<DB> {
    let f = m.factor;
    let lo = rows
        .iter()
        .map(|(_, r, _)| r.diff_ci95_lo * f)
        .fold(0.0, f64::min);
    let hi = rows
        .iter()
        .map(|(_, r, _)| r.diff_ci95_hi * f)
        .fold(0.0, f64::max);
    let (d0, d1) = style::padded(lo, hi, None);
    let d_step = (d1 - d0) / 8.0;
    let d_fmt = |v: &f64| style::tick_label(*v, d_step);
    let unit = diff_axis_desc(m);
    let mut chart = ChartBuilder::on(area)
        .caption(
            "Paired difference from baseline",
            style::bold(style::LEGEND + 2.0),
        )
        .margin(10)
        .margin_right(30)
        .x_label_area_size(70)
        .y_label_area_size(100)
        .build_cartesian_2d(x0..x1, d0..d1)?;
    style::draw_axes(
        &mut chart,
        &style::Axes {
            grid: style::Grid::Both,
            x_labels: 5,
            x_fmt: &x_fmt,
            x_desc: "budget level (% of baseline)",
            y_labels: 9,
            y_fmt: &d_fmt,
            y_desc: Some(&unit),
            tick: style::TICK,
            desc: style::NOTE,
        },
    )?;
    chart.draw_series(std::iter::once(PathElement::new(
        vec![(x0, 0.0), (x1, 0.0)],
        style::INK.stroke_width(2),
    )))?;
    let deepest = rows.iter().map(|r| r.0).fold(f64::NEG_INFINITY, f64::max);
    let mut last_label = String::new();
    for (x, r, c) in rows.iter().skip(1) {
        error_bar(
            &mut chart,
            *x,
            r.diff_mean * f,
            r.diff_ci95_lo * f,
            r.diff_ci95_hi * f,
            *c,
        )?;
        // Right of the point, or left of it at the right edge of the panel.
        let (dx, h) = if *x == deepest {
            (-16, HPos::Right)
        } else {
            (16, HPos::Left)
        };
        // Equal differences at neighbouring levels are labelled once, not on top of each other.
        let label = m.show_diff(r.diff_mean);
        if label == last_label {
            continue;
        }
        last_label = label.clone();
        chart.draw_series(std::iter::once(
            EmptyElement::at((*x, r.diff_mean * f))
                + Text::new(
                    label,
                    (dx, 0),
                    style::font(style::NOTE).pos(Pos::new(h, VPos::Center)),
                ),
        ))?;
    }
    Ok(())
}

/// A point with a vertical interval and caps.
fn error_bar<DB: DrawingBackend>(
    chart: &mut ChartContext<
        DB,
        Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
    >,
    x: f64,
    y: f64,
    lo: f64,
    hi: f64,
    c: RGBColor,
) -> DrawResult<DB> {
    chart.draw_series(std::iter::once(PathElement::new(
        vec![(x, lo), (x, hi)],
        c.stroke_width(3),
    )))?;
    for v in [lo, hi] {
        chart.draw_series(std::iter::once(
            EmptyElement::at((x, v)) + PathElement::new(vec![(-10, 0), (10, 0)], c.stroke_width(3)),
        ))?;
    }
    chart.draw_series(std::iter::once(Circle::new((x, y), 8, c.filled())))?;
    Ok(())
}

/// How the cliff chart tells the measures apart without colour, which means budget level in
/// every chart: a marker shape and a line pattern each, and the name written at the line's end.
#[derive(Clone, Copy)]
enum Mark {
    Circle,
    Square,
    Triangle,
    Diamond,
    Cross,
}

const CLIFF_MARKS: [(Mark, Option<(u32, u32)>); 5] = [
    (Mark::Circle, None),
    (Mark::Square, Some((14, 8))),
    (Mark::Triangle, Some((4, 6))),
    (Mark::Diamond, Some((22, 8))),
    (Mark::Cross, None),
];

fn draw_mark<DB: DrawingBackend>(
    chart: &mut super::style::Chart2d<'_, DB>,
    at: (f64, f64),
    mark: Mark,
    c: RGBColor,
) -> DrawResult<DB> {
    let e = EmptyElement::at(at);
    match mark {
        Mark::Circle => {
            chart.draw_series(std::iter::once(e + Circle::new((0, 0), 9, c.filled())))?
        }
        Mark::Square => chart.draw_series(std::iter::once(
            e + Rectangle::new([(-8, -8), (8, 8)], c.filled()),
        ))?,
        Mark::Triangle => chart.draw_series(std::iter::once(
            e + TriangleMarker::new((0, 0), 11, c.filled()),
        ))?,
        Mark::Diamond => chart.draw_series(std::iter::once(e + super::diamond((0, 0), 11, c)))?,
        Mark::Cross => chart.draw_series(std::iter::once(
            e + Cross::new((0, 0), 9, c.stroke_width(4)),
        ))?,
    };
    Ok(())
}

pub fn draw_cliff<DB: DrawingBackend>(
    d: &ChartData,
    root: &DrawingArea<DB, Shift>,
) -> DrawResult<DB> {
    let n = d.levels().len();
    let area = frame(
        root,
        "The capacity cliff: change from baseline of each headline measure",
        &format!(
            "Paired difference in % of the baseline mean, 95% CI; {} trials per level; {}",
            d.manifest.trials,
            d.cut_words()
        ),
        &[],
        &d.stamp(),
    )?;
    // Relative change: paired difference over the baseline mean.
    let series: Vec<Vec<(f64, f64, f64, f64)>> = HEADLINE
        .iter()
        .map(|m| {
            let base = d.summary(0, m.metric).map_or(f64::NAN, |r| r.mean);
            (0..n)
                .filter_map(|l| d.summary(l, m.metric).map(|r| (l, r)))
                .map(|(l, r)| {
                    let rel = |v: f64| {
                        if base.abs() > 1e-12 {
                            100.0 * v / base
                        } else {
                            0.0
                        }
                    };
                    (
                        level_x(d.levels()[l]),
                        rel(r.diff_mean),
                        rel(r.diff_ci95_lo),
                        rel(r.diff_ci95_hi),
                    )
                })
                .collect()
        })
        .collect();
    let lo = series
        .iter()
        .flatten()
        .map(|p| p.2)
        .filter(|v| v.is_finite())
        .fold(0.0, f64::min);
    let hi = series
        .iter()
        .flatten()
        .map(|p| p.3)
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    let (y0, y1) = style::padded(lo, hi, None);
    let (x0, x1) = level_range(d);
    let y_step = (y1 - y0) / 10.0;
    let y_fmt = |v: &f64| format!("{}%", style::tick_label(*v, y_step));
    // The right margin holds the measures' names, written where their lines end.
    let label_w = HEADLINE
        .iter()
        .map(|m| area.estimate_text_size(m.name, &style::font(style::NOTE)))
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .map(|(w, _)| w as i32)
        .max()
        .unwrap_or(0);
    let mut chart = ChartBuilder::on(&area)
        .margin(10)
        .margin_right(label_w + 36)
        .x_label_area_size(80)
        .y_label_area_size(120)
        .build_cartesian_2d(x0..x1, y0..y1)?;
    style::draw_axes(
        &mut chart,
        &style::Axes {
            grid: style::Grid::Both,
            x_labels: 8,
            x_fmt: &x_fmt,
            x_desc: "budget level (% of baseline)",
            y_labels: 11,
            y_fmt: &y_fmt,
            y_desc: Some("change (% of baseline mean)"),
            tick: style::TICK,
            desc: style::AXIS_DESC,
        },
    )?;
    chart.draw_series(std::iter::once(PathElement::new(
        vec![(x0, 0.0), (x1, 0.0)],
        style::LIGHT.stroke_width(2),
    )))?;
    let mut ends: Vec<(i32, usize)> = Vec::new();
    for (k, s) in series.iter().enumerate() {
        // The DCI, which sums the others, in black; the channels in dark grey.
        let c = if HEADLINE[k].metric == crate::metrics::Metric::Dci {
            style::OKABE_ITO[7]
        } else {
            style::MUTED
        };
        let (mark, dash) = CLIFF_MARKS[k % CLIFF_MARKS.len()];
        // Small horizontal offsets keep overlapping intervals apart.
        let dx = (k as f64 - 2.0) * 0.35;
        let mut pts: Vec<(f64, f64)> = s.iter().map(|p| (p.0 + dx, p.1)).collect();
        pts.sort_by(|a, b| a.0.total_cmp(&b.0));
        match dash {
            None => {
                chart.draw_series(LineSeries::new(pts.clone(), c.stroke_width(3)))?;
            }
            Some((on, off)) => {
                chart.draw_series(DashedLineSeries::new(
                    pts.clone(),
                    on,
                    off,
                    c.stroke_width(3),
                ))?;
            }
        }
        for p in s.iter().skip(1) {
            error_bar(&mut chart, p.0 + dx, p.1, p.2, p.3, c)?;
            draw_mark(&mut chart, (p.0 + dx, p.1), mark, c)?;
        }
        if let Some(last) = pts.last() {
            ends.push((chart.backend_coord(last).1, k));
        }
    }
    // Names at the line ends, pushed apart where the ends are close.
    ends.sort();
    let gap = style::NOTE as i32 + 6;
    let mut placed: Vec<(i32, i32, usize)> = Vec::new();
    for (y, k) in ends {
        let at = placed.last().map_or(y, |(p, _, _)| y.max(p + gap));
        placed.push((at, y, k));
    }
    let bottom = chart.plotting_area().get_pixel_range().1.end;
    if let Some(over) = placed
        .last()
        .map(|(y, _, _)| y + gap / 2 - bottom)
        .filter(|o| *o > 0)
    {
        for p in &mut placed {
            p.0 -= over;
        }
    }
    let x_plot = chart.backend_coord(&(x1, 0.0)).0;
    let x_end = x_plot + 14;
    for (y, line_y, k) in placed {
        // A short leader from the line's end to its name when the name had to move.
        if (y - line_y).abs() > 3 {
            root.draw(&PathElement::new(
                vec![(x_plot - 4, line_y), (x_end - 4, y)],
                style::LIGHT.stroke_width(2),
            ))?;
        }
        root.draw_text(
            HEADLINE[k].name,
            &style::font(style::NOTE).pos(plotters::style::text_anchor::Pos::new(
                plotters::style::text_anchor::HPos::Left,
                plotters::style::text_anchor::VPos::Center,
            )),
            (x_end, y),
        )?;
    }
    Ok(())
}
