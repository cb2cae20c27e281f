//! Fan charts over the fiscal years: one panel per budget level with the median of the trials,
//! the band holding their middle half and the band holding 90% of them, the baseline median
//! dashed for comparison, and the start of the cut marked. Drawn from `yearly.csv`.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::style::{self, FAN};
use super::{ChartData, ChartSpec, DrawResult, Key, Kind, frame};

pub fn spec(d: &ChartData, i: usize) -> ChartSpec {
    let m = &FAN[i];
    let n = d.levels().len();
    let last = |l: usize| d.yearly(l, m.metric).last().map_or(f64::NAN, |r| r.p50);
    let (first_fy, last_fy) = d.fiscal_years();
    ChartSpec {
        kind: Kind::Fan(i),
        stem: format!("fan-{}", m.metric.name().replace('_', "-")),
        section: "years",
        caption: format!(
            "{} year by year, FY{first_fy}–FY{last_fy}, one panel per budget level. The solid line is the median over trials, the darker band holds the middle half of the trials and the lighter band 90% of them; the dashed line repeats the baseline median so each panel can be compared with it. The vertical line marks when the cut starts ({}). In FY{last_fy} the median is {} at the baseline and {} at {} of baseline.",
            m.name,
            d.cut_words(),
            m.show(last(0)),
            m.show(last(n - 1)),
            d.level_label(n - 1)
        ),
    }
}

/// Where the cut starts on a fiscal-year axis whose ticks sit at year centres.
pub fn cut_position(d: &ChartData) -> f64 {
    let c = &d.manifest.cut;
    let start = c.start_fiscal_year as f64 - 0.5;
    match (c.profile.as_str(), c.shock_day) {
        ("shock", Some(day)) => start + day / 365.0,
        _ => start,
    }
}

pub fn draw<DB: DrawingBackend>(
    d: &ChartData,
    i: usize,
    root: &DrawingArea<DB, Shift>,
) -> DrawResult<DB> {
    let m = &FAN[i];
    let n = d.levels().len();
    let f = m.factor;
    let (lo, hi) = (0..n)
        .flat_map(|l| d.yearly(l, m.metric).iter())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), r| {
            (a.min(r.p5 * f), b.max(r.p95 * f))
        });
    let (y0, y1) = style::axis_range(m, lo, hi);
    let (first, last) = d.fiscal_years();
    let base = style::level_colour(0, n);
    let area = frame(
        root,
        &format!("{} over the years, by budget level", m.name),
        &format!(
            "Median and spread over {} trials per level; {}",
            d.manifest.trials,
            d.cut_words()
        ),
        &[
            (Key::Line(style::INK), "median".into()),
            (Key::Fill(style::INK, 0.35), "middle 50%".into()),
            (Key::Fill(style::INK, 0.12), "90% of trials".into()),
            (Key::Dashed(style::INK), "baseline median".into()),
            (Key::Marker(style::CUT_MARK), "cut".into()),
        ],
        &d.stamp(),
    )?;
    let (rows, cols) = style::panel_grid(n);
    let panels = super::shared_y_desc(&area, m.short)?.split_evenly((rows, cols));
    // Few ticks: a panel is only a few lines of text high.
    let y_step = (y1 - y0) / 3.0;
    let y_fmt = |v: &f64| style::tick_label(*v, y_step);
    let cut_x = cut_position(d);
    let baseline: Vec<(f64, f64)> = d
        .yearly(0, m.metric)
        .iter()
        .map(|r| (r.fiscal_year as f64, r.p50 * f))
        .collect();
    let years = (last - first + 1) as usize;
    let step = super::year_step(years, cols);
    let year_fmt = |v: &f64| super::year_tick(*v, first, step);
    for (l, panel) in panels.iter().enumerate().take(n) {
        let c = style::level_colour(l, n);
        let rows = d.yearly(l, m.metric);
        let mut chart = ChartBuilder::on(panel)
            .caption(d.panel_title(l), style::bold(style::LEGEND + 2.0))
            .margin(10)
            .margin_top(18)
            .margin_right(24)
            .x_label_area_size(56)
            .y_label_area_size(86)
            .build_cartesian_2d((first as f64 - 0.5)..(last as f64 + 0.5), y0..y1)?;
        style::draw_axes(
            &mut chart,
            &style::Axes {
                grid: style::Grid::Both,
                x_labels: years + 1,
                x_fmt: &year_fmt,
                x_desc: "fiscal year",
                y_labels: 4,
                y_fmt: &y_fmt,
                y_desc: None,
                tick: style::MIN_TEXT,
                desc: style::NOTE,
            },
        )?;
        let band = |lo: fn(&super::data::YearlyRow) -> f64,
                    hi: fn(&super::data::YearlyRow) -> f64| {
            let mut pts: Vec<(f64, f64)> = rows
                .iter()
                .map(|r| (r.fiscal_year as f64, hi(r) * f))
                .collect();
            pts.extend(rows.iter().rev().map(|r| (r.fiscal_year as f64, lo(r) * f)));
            pts
        };
        chart.draw_series(std::iter::once(Polygon::new(
            band(|r| r.p5, |r| r.p95),
            c.mix(0.15).filled(),
        )))?;
        chart.draw_series(std::iter::once(Polygon::new(
            band(|r| r.p25, |r| r.p75),
            c.mix(0.4).filled(),
        )))?;
        if l > 0 {
            chart.draw_series(DashedLineSeries::new(
                baseline.clone(),
                10,
                7,
                base.stroke_width(3),
            ))?;
        }
        chart.draw_series(LineSeries::new(
            rows.iter().map(|r| (r.fiscal_year as f64, r.p50 * f)),
            c.stroke_width(4),
        ))?;
        if cut_x > first as f64 - 0.5 && cut_x < last as f64 + 0.5 && d.manifest.levels[l] < 1.0 {
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(cut_x, y0), (cut_x, y1)],
                style::CUT_MARK.stroke_width(3),
            )))?;
        }
    }
    Ok(())
}
