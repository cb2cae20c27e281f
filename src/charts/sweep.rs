//! The charts of a sweep: which of them exist (tornado, Sobol, Morris, PRIM), the context
//! they share (stamp, parameter labels, levels) and drawing them all.

use std::ops::Range;

use plotters::coord::Shift;
use plotters::prelude::*;
use rayon::prelude::*;

use crate::error::RunError;
use crate::metrics::Metric;
use crate::sensitivity::Analysis;
use crate::sensitivity::prim::PrimResult;

use super::data::level_label;
use super::style::{self, Measure};
use super::{DrawResult, morris, prim, render_on, sobol, tornado};

const SWEEP_CANVAS: (u32, u32) = (style::SWEEP_WIDTH, style::SWEEP_HEIGHT);

/// What the sweep's charts know of the sweep: handed in by the sweep, so the charts depend on
/// none of its types.
pub struct SweepFacts<'a> {
    pub name: &'a str,
    pub sweep_sha256: &'a str,
    /// The base scenario's name.
    pub scenario: &'a str,
    pub scenario_sha256: &'a str,
    /// The design's name (grid, lhs, sobol, morris).
    pub design: &'a str,
    pub seed: u64,
    /// Base samples of the design (Sobol, Morris).
    pub samples: usize,
    /// Bootstrap resamples behind the Sobol intervals.
    pub bootstrap: usize,
    pub levels: &'a [f64],
    pub metrics: &'a [Metric],
    pub tornado: bool,
    pub parameters: Vec<ParameterFacts<'a>>,
    pub discovery: Option<DiscoveryFacts<'a>>,
}

/// A varied parameter: its label (the dotted key) and its range.
pub struct ParameterFacts<'a> {
    pub label: &'a str,
    pub min: f64,
    pub max: f64,
}

/// The scenario-discovery question: its condition in words and the level it is judged at.
pub struct DiscoveryFacts<'a> {
    pub condition: &'a str,
    pub level: usize,
}

/// What every sweep chart needs besides its own analysis.
pub struct SweepContext<'a> {
    pub sweep: &'a SweepFacts<'a>,
    pub stamp: String,
    /// Parameter labels with their ranges: "crises.peacekeeping.rate [0.5–2]".
    pub labels: Vec<String>,
}

impl SweepContext<'_> {
    pub fn level(&self, l: usize) -> String {
        level_label(self.sweep.levels[l])
    }

    /// "at 70% of baseline" or "cost of the cut to 70% (difference from 100%)".
    pub fn target_words(&self, a: &Analysis) -> String {
        if a.diff {
            format!(
                "what the cut to {} costs (paired difference from {})",
                self.level(a.level),
                self.level(0)
            )
        } else {
            format!("at {} of baseline", self.level(a.level))
        }
    }
}

/// Draws a metric's panel and, when the analysis has one, the panel of what the cut costs:
/// beside it (`across`) or below it.
pub fn value_and_cost<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    value: &Analysis,
    cost: Option<&Analysis>,
    across: bool,
    panel: impl Fn(&Analysis, &DrawingArea<DB, Shift>) -> DrawResult<DB>,
) -> DrawResult<DB> {
    // A panel whose output does not vary over the sweep says so instead of drawing nothing.
    let draw = |a: &Analysis, area: &DrawingArea<DB, Shift>| {
        if a.is_flat() {
            let (w, h) = area.dim_in_pixel();
            area.draw_text(
                &format!(
                    "{} {} does not vary in this sweep: nothing to attribute",
                    measure(a.metric).name,
                    if a.diff { "(its cost)" } else { "" }
                ),
                &style::font(style::NOTE).pos(plotters::style::text_anchor::Pos::new(
                    plotters::style::text_anchor::HPos::Center,
                    plotters::style::text_anchor::VPos::Center,
                )),
                (w as i32 / 2, h as i32 / 2),
            )?;
            Ok(())
        } else {
            panel(a, area)
        }
    };
    let Some(cost) = cost else {
        return draw(value, area);
    };
    let (w, h) = area.dim_in_pixel();
    let (first, second) = if across {
        area.split_horizontally(w as i32 / 2)
    } else {
        area.split_vertically(h as i32 / 2)
    };
    draw(value, &first)?;
    draw(cost, &second)
}

/// A panel with the parameters as rows (`rows` of them, the first at the bottom) against
/// `x`, captioned with the metric and what it is measured at (Sobol indices, tornado swings).
pub fn parameter_rows<'a, DB: DrawingBackend>(
    ctx: &SweepContext,
    a: &Analysis,
    area: &'a DrawingArea<DB, Shift>,
    x: Range<f64>,
    rows: f64,
) -> Result<style::Chart2d<'a, DB>, DrawingAreaErrorKind<DB::ErrorType>> {
    ChartBuilder::on(area)
        .caption(
            format!("{}: {}", measure(a.metric).name, ctx.target_words(a)),
            style::bold(style::LEGEND),
        )
        .margin(8)
        .margin_right(30)
        .x_label_area_size(60)
        .y_label_area_size(500)
        .build_cartesian_2d(x, -0.6f64..(rows - 0.4))
}

/// How a metric is shown: a headline measure's own words, else its registry name and unit.
pub fn measure(m: Metric) -> Measure {
    if let Some(h) = style::HEADLINE.iter().find(|h| h.metric == m) {
        return *h;
    }
    let info = m.info();
    let fraction = info.unit == "fraction";
    Measure {
        metric: m,
        name: info.name,
        axis: info.unit,
        short: info.unit,
        factor: if fraction { 100.0 } else { 1.0 },
        decimals: if fraction { 1 } else { 3 },
        suffix: if fraction { "%" } else { "" },
        diff_unit: if fraction { "points" } else { "" },
        range: None,
        zero_based: false,
    }
}

fn stamp(s: &SweepFacts, points: usize, trials: &[u64]) -> String {
    let lo = trials.iter().min().copied().unwrap_or(0);
    let hi = trials.iter().max().copied().unwrap_or(0);
    let t = if lo == hi {
        format!("{lo} trials")
    } else {
        format!("{lo}–{hi} trials")
    };
    format!(
        "dipcap {} · sweep {} (sha256 {}) · scenario {} (sha256 {}) · {} design, {points} points × {t} · seed {}",
        env!("CARGO_PKG_VERSION"),
        s.name,
        &s.sweep_sha256[..12],
        s.scenario,
        &s.scenario_sha256[..12],
        s.design,
        s.seed
    )
}

/// Every chart of a sweep as (file stem, SVG, PNG), in a fixed order.
pub fn render_all(
    s: &SweepFacts,
    analyses: &[Analysis],
    found: Option<(&PrimResult, &Vec<String>)>,
    trials: &[u64],
) -> Result<Vec<(String, String, Vec<u8>)>, RunError> {
    let ctx = SweepContext {
        sweep: s,
        stamp: stamp(s, trials.len(), trials),
        labels: s
            .parameters
            .iter()
            .map(|p| {
                format!(
                    "{} [{}–{}]",
                    p.label,
                    crate::sensitivity::prim::fmt(p.min),
                    crate::sensitivity::prim::fmt(p.max)
                )
            })
            .collect(),
    };
    let deepest = s.levels.len() - 1;
    // Per metric: the value at the deepest level and what the deepest cut costs.
    let pairs: Vec<(&Analysis, Option<&Analysis>)> = s
        .metrics
        .iter()
        .filter_map(|m| {
            let value = analyses
                .iter()
                .find(|a| a.metric == *m && a.level == deepest && !a.diff)?;
            let diff = analyses
                .iter()
                .find(|a| a.metric == *m && a.level == deepest && a.diff);
            Some((value, diff))
        })
        .collect();
    enum Job<'a> {
        Tornado(&'a Analysis, Option<&'a Analysis>),
        Sobol(&'a Analysis, Option<&'a Analysis>),
        Morris(&'a Analysis, Option<&'a Analysis>),
        Prim(&'a PrimResult, &'a Vec<String>),
    }
    let mut jobs = Vec::new();
    // A metric that varies neither in value nor in cost over the sweep gets no charts.
    for (v, d) in pairs
        .iter()
        .filter(|(v, d)| !(v.is_flat() && d.is_none_or(|d| d.is_flat())))
    {
        if s.tornado {
            jobs.push(Job::Tornado(v, *d));
        }
        if v.sobol.is_some() {
            jobs.push(Job::Sobol(v, *d));
        }
        if v.morris.is_some() {
            jobs.push(Job::Morris(v, *d));
        }
    }
    if let Some((r, rules)) = found {
        jobs.push(Job::Prim(r, rules));
    }
    jobs.par_iter()
        .map(|j| {
            let (stem, (svg, png)) = match j {
                Job::Tornado(v, d) => {
                    let stem = format!("tornado-{}", v.metric.name().replace('_', "-"));
                    let c = tornado::Tornado {
                        ctx: &ctx,
                        value: v,
                        diff: *d,
                    };
                    (stem.clone(), render_on(&c, &stem, SWEEP_CANVAS)?)
                }
                Job::Sobol(v, d) => {
                    let stem = format!("sobol-{}", v.metric.name().replace('_', "-"));
                    let c = sobol::SobolChart {
                        ctx: &ctx,
                        value: v,
                        diff: *d,
                    };
                    (stem.clone(), render_on(&c, &stem, SWEEP_CANVAS)?)
                }
                Job::Morris(v, d) => {
                    let stem = format!("morris-{}", v.metric.name().replace('_', "-"));
                    let c = morris::MorrisChart {
                        ctx: &ctx,
                        value: v,
                        diff: *d,
                    };
                    (stem.clone(), render_on(&c, &stem, SWEEP_CANVAS)?)
                }
                Job::Prim(r, rules) => {
                    let stem = "prim-peeling".to_string();
                    let c = prim::PrimChart {
                        ctx: &ctx,
                        result: r,
                        rules,
                    };
                    (stem.clone(), render_on(&c, &stem, SWEEP_CANVAS)?)
                }
            };
            Ok((stem, svg, png))
        })
        .collect()
}
