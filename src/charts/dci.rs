//! What the DCI loss is made of: at each cut level, the DCI points each component lost against
//! the reference level (the paired differences of the `dci_<component>` columns of
//! `summary.csv`), stacked, with the DCI's own loss and its 95% CI beside them, so no reader takes
//! the index alone.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::style;
use super::{ChartData, ChartSpec, DrawResult, Key, Kind, frame};
use crate::metrics::{DCI_PARTS, Metric};

/// Legend names of the parts, in `DCI_PARTS` order.
const NAMES: [&str; 8] = [
    "crisis response",
    "exercises held",
    "posts open",
    "programme money",
    "partner trust",
    "interoperability",
    "alliance credibility",
    "readiness",
];

/// One colour per part, from the colours that never mean a budget level; the DCI marker is
/// black.
const COLOURS: [RGBColor; 8] = style::CATEGORY;

/// DCI points lost at level position `l` against the reference (positive = lost).
fn lost(d: &ChartData, l: usize, m: Metric) -> f64 {
    d.summary(l, m)
        .map(|r| -r.diff_mean)
        .filter(|v| v.is_finite())
        .unwrap_or(0.0)
}

/// The part that lost most at the deepest level, and its share of the DCI's loss there.
fn largest(d: &ChartData) -> Option<(&'static str, f64)> {
    let deep = d.levels().len().checked_sub(1).filter(|l| *l > 0)?;
    let total = lost(d, deep, Metric::Dci);
    if total <= 0.0 {
        return None;
    }
    DCI_PARTS
        .iter()
        .zip(NAMES)
        .map(|(m, name)| (name, lost(d, deep, *m) / total))
        .max_by(|a, b| a.1.total_cmp(&b.1))
}

pub fn spec(d: &ChartData) -> ChartSpec {
    let n = d.levels().len();
    let most = match largest(d) {
        Some((name, share)) => format!(
            " At {} the largest part of the loss is {name}, {:.0}% of it.",
            d.level_label(n - 1),
            100.0 * share
        ),
        None => String::new(),
    };
    ChartSpec {
        kind: Kind::DciParts,
        stem: "dci-decomposition".into(),
        section: "capacity",
        caption: format!(
            "What the Diplomatic Capacity Index loses at each cut level, split by component: each segment is the DCI points (weight × component) that component lost against the baseline, mean paired difference over the same trials; a segment below zero is a component that gained. The black mark is the DCI's own loss with its 95% confidence interval; the segments add up to it.{most}"
        ),
    }
}

pub fn draw<DB: DrawingBackend>(d: &ChartData, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
    let n = d.levels().len();
    let keys: Vec<(Key, String)> = NAMES
        .iter()
        .zip(COLOURS)
        .map(|(name, c)| (Key::Fill(c, 1.0), name.to_string()))
        .chain(std::iter::once((
            Key::ErrorBar(style::INK),
            "DCI loss, 95% CI".to_string(),
        )))
        .collect();
    let area = frame(
        root,
        "What the DCI loss is made of",
        &format!(
            "DCI points lost against the baseline, by component; mean paired difference over {} trials per level",
            d.manifest.trials
        ),
        &keys,
        &d.stamp(),
    )?;
    let cuts: Vec<usize> = (1..n).collect();
    let parts: Vec<Vec<f64>> = cuts
        .iter()
        .map(|&l| DCI_PARTS.iter().map(|m| lost(d, l, *m)).collect())
        .collect();
    let ci = |l: usize| {
        d.summary(l, Metric::Dci)
            .map_or((0.0, 0.0), |r| (-r.diff_ci95_hi, -r.diff_ci95_lo))
    };
    let top = cuts
        .iter()
        .zip(&parts)
        .map(|(&l, p)| p.iter().filter(|v| **v > 0.0).sum::<f64>().max(ci(l).1))
        .fold(0.0, f64::max);
    let bottom = parts
        .iter()
        .map(|p| p.iter().filter(|v| **v < 0.0).sum::<f64>())
        .fold(0.0, f64::min);
    let (y0, y1) = (bottom * 1.2, (top * 1.12).max(1e-3));
    // Position i is the cut level cuts[i] = i + 1.
    let x_fmt = |v: &f64| {
        style::category(*v, cuts.len()).map_or_else(String::new, |i| d.level_label(cuts[i]))
    };
    let y_fmt = |v: &f64| {
        if v.abs() < 5e-4 {
            "0".to_string()
        } else {
            format!("{v:.2}")
        }
    };
    let mut chart = ChartBuilder::on(&area)
        .margin(10)
        .margin_right(40)
        .x_label_area_size(70)
        .y_label_area_size(120)
        .build_cartesian_2d(-0.6f64..(cuts.len() as f64 - 0.4), y0..y1)?;
    style::draw_axes(
        &mut chart,
        &style::Axes {
            grid: style::Grid::NoX,
            x_labels: cuts.len().max(2),
            x_fmt: &x_fmt,
            x_desc: "budget level (% of baseline)",
            y_labels: 9,
            y_fmt: &y_fmt,
            y_desc: Some("DCI points lost (0–1 scale)"),
            tick: style::TICK,
            desc: style::AXIS_DESC,
        },
    )?;
    for (i, p) in parts.iter().enumerate() {
        let x = i as f64;
        // Losses stack up from zero, gains down from zero.
        let (mut up, mut down) = (0.0, 0.0);
        for (k, v) in p.iter().enumerate() {
            let (from, to) = if *v >= 0.0 {
                let r = (up, up + v);
                up += v;
                r
            } else {
                let r = (down + v, down);
                down += v;
                r
            };
            chart.draw_series(std::iter::once(Rectangle::new(
                [(x - 0.3, from), (x + 0.3, to)],
                COLOURS[k].filled(),
            )))?;
        }
        let l = cuts[i];
        let (lo, hi) = ci(l);
        let total = lost(d, l, Metric::Dci);
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(x + 0.38, lo), (x + 0.38, hi)],
            style::INK.stroke_width(3),
        )))?;
        chart.draw_series(std::iter::once(Circle::new(
            (x + 0.38, total),
            8,
            style::INK.filled(),
        )))?;
        chart.draw_series(std::iter::once(
            EmptyElement::at((x, hi.max(up)))
                + Text::new(format!("{total:.3}"), (-28, -32), style::bold(style::NOTE)),
        ))?;
    }
    Ok(())
}
