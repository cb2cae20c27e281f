//! Which way of cutting loses least: each policy's paired difference in the DCI from the
//! scenario as written, one row per policy (ranked by the difference at the deepest cut), one
//! mark per cut level in its level's colour with its 95% CI. Drawn from `policies.csv`; only
//! a run that compared `[[policies]]` has it.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::style;
use super::{ChartData, ChartSpec, DrawResult, Key, Kind, frame};
use crate::metrics::Metric;
use crate::scenario::policy::AS_WRITTEN;

/// The policies other than the scenario as written, ranked by their paired DCI difference at
/// the deepest level, largest first (ties by name).
pub fn ranked(d: &ChartData) -> Vec<(String, f64)> {
    let deep = d.levels().len().saturating_sub(1);
    let mut v: Vec<(String, f64)> = d
        .policy_names()
        .into_iter()
        .filter(|p| *p != AS_WRITTEN)
        .map(|p| {
            let diff = d
                .policy(p, deep, Metric::Dci)
                .map_or(f64::NAN, |r| r.diff_mean);
            (p.to_string(), diff)
        })
        .collect();
    // A NaN difference (a level missing from the file) ranks last.
    let key = |v: f64| if v.is_nan() { f64::NEG_INFINITY } else { v };
    v.sort_by(|a, b| key(b.1).total_cmp(&key(a.1)).then(a.0.cmp(&b.0)));
    v
}

pub fn spec(d: &ChartData) -> ChartSpec {
    let n = d.levels().len();
    let best = ranked(d).into_iter().next();
    let words = match best {
        Some((name, diff)) if n > 1 => format!(
            " At {} of baseline \"{name}\" keeps most: {diff:+.3} DCI.",
            d.level_label(n - 1)
        ),
        _ => String::new(),
    };
    ChartSpec {
        kind: Kind::Policies,
        stem: "policies-dci".into(),
        section: "policies",
        caption: format!(
            "Each way of cutting against the scenario as written: the paired difference in the Diplomatic Capacity Index on the same trials, one row per policy (the one that keeps most at the deepest cut on top), one mark per cut level in its level's colour, with its 95% confidence interval. Right of the zero line the policy keeps more than the scenario as written.{words}"
        ),
    }
}

pub fn draw<DB: DrawingBackend>(d: &ChartData, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
    let n = d.levels().len();
    let rows = ranked(d);
    let cuts: Vec<usize> = (1..n).collect();
    let keys: Vec<(Key, String)> = cuts
        .iter()
        .map(|&l| {
            (
                Key::ErrorBar(style::level_colour(l, n)),
                super::level_name(d, l),
            )
        })
        .collect();
    let area = frame(
        root,
        "Which way of cutting loses least",
        &format!(
            "Paired difference in the DCI from the scenario as written, same {} trials, 95% CI",
            d.manifest.trials
        ),
        &keys,
        &d.stamp(),
    )?;
    let values = rows.iter().flat_map(|(p, _)| {
        cuts.iter()
            .filter_map(|&l| d.policy(p, l, Metric::Dci))
            .flat_map(|r| [r.diff_ci95_lo, r.diff_ci95_hi])
            .collect::<Vec<_>>()
    });
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((0.0f64, 0.0f64), |(a, b), v| (a.min(v), b.max(v)));
    let (x0, x1) = style::padded(lo, hi, None);
    let k = rows.len().max(1);
    let labels: Vec<String> = rows.iter().map(|(p, _)| p.clone()).collect();
    let mut chart = super::ranked_rows(
        &area,
        &labels,
        (x0, x1),
        "DCI difference from the scenario as written (index points)",
        120,
    )?;
    // Levels one below the other within a row, shallowest cut on top.
    let step = 0.6 / cuts.len().max(1) as f64;
    for (i, (p, _)) in rows.iter().enumerate() {
        let y = (k - 1 - i) as f64;
        for (j, &l) in cuts.iter().enumerate() {
            let Some(r) = d.policy(p, l, Metric::Dci) else {
                continue;
            };
            let dy = 0.3 - step / 2.0 - j as f64 * step;
            let c = style::level_colour(l, n);
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(r.diff_ci95_lo, y + dy), (r.diff_ci95_hi, y + dy)],
                c.stroke_width(3),
            )))?;
            chart.draw_series(std::iter::once(Circle::new(
                (r.diff_mean, y + dy),
                7,
                c.filled(),
            )))?;
        }
    }
    Ok(())
}
