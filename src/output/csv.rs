//! Tidy CSV outputs. Columns come from the metric registry; numbers are formatted by
//! [`super::num`] so files are byte-identical across runs and thread counts.

use crate::engine::TraceRow;
use crate::error::RunError;
use crate::metrics::{Metric, YearMetric};
use crate::model::TrialOutcome;
use crate::scenario::{Named, Scenario};
use crate::stats::accumulator::Accumulator;

use super::num;

fn writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new())
}

fn finish(w: csv::Writer<Vec<u8>>, what: &str) -> Result<Vec<u8>, RunError> {
    w.into_inner().map_err(|e| RunError::Encode {
        what: what.into(),
        reason: e.to_string(),
    })
}

fn enc(what: &str) -> impl Fn(csv::Error) -> RunError + '_ {
    move |e| RunError::Encode {
        what: what.into(),
        reason: e.to_string(),
    }
}

/// The header of `trials.csv`.
pub fn trials_header() -> Result<Vec<u8>, RunError> {
    let mut w = writer();
    let mut header = vec!["level".to_string(), "trial".to_string()];
    header.extend(Metric::ALL.iter().map(|m| m.name().to_string()));
    w.write_record(&header).map_err(enc("trials.csv"))?;
    finish(w, "trials.csv")
}

/// The `trials.csv` row of one trial at one level (with its line end).
pub fn trial_row(level: f64, trial: u64, o: &TrialOutcome) -> String {
    let mut row = String::with_capacity(16 * (o.metrics.len() + 2));
    row.push_str(&num(level));
    row.push(',');
    row.push_str(&trial.to_string());
    for v in &o.metrics {
        row.push(',');
        // Numbers never need CSV quoting: digits, '.', '-', 'e', "NaN", "inf".
        row.push_str(&num(*v));
    }
    row.push('\n');
    row
}

/// `yearly.csv`: per level, fiscal year and yearly metric, the mean and quantiles over trials.
pub fn yearly(s: &Scenario, levels: &[f64], acc: &Accumulator) -> Result<Vec<u8>, RunError> {
    let e = enc("yearly.csv");
    let mut w = writer();
    w.write_record([
        "level",
        "year",
        "fiscal_year",
        "metric",
        "unit",
        "mean",
        "p5",
        "p25",
        "p50",
        "p75",
        "p95",
    ])
    .map_err(&e)?;
    for (l, level) in levels.iter().enumerate() {
        for y in 0..s.years {
            for m in YearMetric::ALL {
                let c = acc.yearly(l, y, *m);
                let q = c.quantiles.quantiles(&[0.05, 0.25, 0.5, 0.75, 0.95]);
                let mut row = vec![
                    num(*level),
                    (y + 1).to_string(),
                    (s.start_year + y as i64).to_string(),
                    m.name().to_string(),
                    m.info().unit.to_string(),
                    num(c.mean()),
                ];
                row.extend(q.iter().map(|v| num(*v)));
                w.write_record(&row).map_err(&e)?;
            }
        }
    }
    finish(w, "yearly.csv")
}

/// One summary row: a level and a metric with its statistics and its paired difference from
/// the first (baseline) level.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SummaryRow {
    pub level: f64,
    pub metric: &'static str,
    pub unit: &'static str,
    #[serde(flatten)]
    pub stats: crate::stats::Summary,
    pub diff_mean: f64,
    pub diff_ci95_lo: f64,
    pub diff_ci95_hi: f64,
}

pub fn summary_rows(levels: &[f64], acc: &Accumulator) -> Vec<SummaryRow> {
    let mut rows = Vec::new();
    for (l, level) in levels.iter().enumerate() {
        for m in Metric::ALL {
            let (d, lo, hi) = acc.difference(l, *m);
            rows.push(SummaryRow {
                level: *level,
                metric: m.name(),
                unit: m.info().unit,
                stats: acc.metric(l, *m).summary(),
                diff_mean: d,
                diff_ci95_lo: lo,
                diff_ci95_hi: hi,
            });
        }
    }
    rows
}

pub fn summary(rows: &[SummaryRow]) -> Result<Vec<u8>, RunError> {
    let e = enc("summary.csv");
    let mut w = writer();
    w.write_record([
        "level",
        "metric",
        "unit",
        "n",
        "mean",
        "sd",
        "se",
        "ci95_lo",
        "ci95_hi",
        "p5",
        "p25",
        "p50",
        "p75",
        "p95",
        "diff_mean",
        "diff_ci95_lo",
        "diff_ci95_hi",
    ])
    .map_err(&e)?;
    for row in rows {
        let s = &row.stats;
        w.write_record([
            num(row.level),
            row.metric.to_string(),
            row.unit.to_string(),
            s.n.to_string(),
            num(s.mean),
            num(s.sd),
            num(s.se),
            num(s.ci95_lo),
            num(s.ci95_hi),
            num(s.p5),
            num(s.p25),
            num(s.p50),
            num(s.p75),
            num(s.p95),
            num(row.diff_mean),
            num(row.diff_ci95_lo),
            num(row.diff_ci95_hi),
        ])
        .map_err(&e)?;
    }
    finish(w, "summary.csv")
}

/// `percentiles.csv`: per level and metric, the 0th to 100th percentiles over trials (type 7,
/// like the quantiles of `summary.csv`). The distribution charts are drawn from this file, so
/// they can be redrawn without the per-trial rows.
pub fn percentiles(levels: &[f64], acc: &Accumulator) -> Result<Vec<u8>, RunError> {
    let e = enc("percentiles.csv");
    let mut w = writer();
    w.write_record(["level", "metric", "unit", "percentile", "value"])
        .map_err(&e)?;
    let qs: Vec<f64> = (0..=100u32).map(|p| f64::from(p) / 100.0).collect();
    for (l, level) in levels.iter().enumerate() {
        for m in Metric::ALL {
            let values = acc.metric(l, *m).quantiles.quantiles(&qs);
            for (p, v) in values.iter().enumerate() {
                w.write_record([
                    num(*level),
                    m.name().to_string(),
                    m.info().unit.to_string(),
                    p.to_string(),
                    num(*v),
                ])
                .map_err(&e)?;
            }
        }
    }
    finish(w, "percentiles.csv")
}

/// `partners.csv`: per level and partner, end-of-horizon trust and interoperability over trials.
pub fn partners(s: &Scenario, levels: &[f64], acc: &Accumulator) -> Result<Vec<u8>, RunError> {
    let e = enc("partners.csv");
    let mut w = writer();
    w.write_record([
        "level",
        "partner",
        "kind",
        "region",
        "importance",
        "trust_start",
        "trust_mean",
        "trust_p5",
        "trust_p50",
        "trust_p95",
        "interop_mean",
        "interop_p50",
    ])
    .map_err(&e)?;
    for (l, level) in levels.iter().enumerate() {
        for (p, partner) in s.partners.iter().enumerate() {
            let (t, i) = (acc.trust(l, p), acc.interop(l, p));
            let tq = t.quantiles.quantiles(&[0.05, 0.5, 0.95]);
            let iq = i.quantiles.quantiles(&[0.5]);
            w.write_record([
                num(*level),
                partner.name.clone(),
                partner.kind.name().to_string(),
                s.regions[partner.region].clone(),
                num(partner.importance),
                num(partner.trust),
                num(t.mean()),
                num(tq[0]),
                num(tq[1]),
                num(tq[2]),
                num(i.mean()),
                num(iq[0]),
            ])
            .map_err(&e)?;
        }
    }
    finish(w, "partners.csv")
}

/// A trial's event log as CSV: time (days), fiscal year, day of year, event, subject, details.
pub fn trace(s: &Scenario, rows: &[TraceRow]) -> Result<Vec<u8>, RunError> {
    let e = enc("trace");
    let mut w = writer();
    w.write_record([
        "time_days",
        "fiscal_year",
        "day_of_year",
        "event",
        "subject",
        "details",
    ])
    .map_err(&e)?;
    for row in rows {
        let year = row.year as f64;
        w.write_record([
            format!("{:.3}", row.time),
            (s.start_year + year as i64).to_string(),
            format!("{:.1}", row.time - year * crate::scenario::DAYS_PER_YEAR),
            row.event.to_string(),
            row.subject.clone(),
            row.details.clone(),
        ])
        .map_err(&e)?;
    }
    finish(w, "trace")
}
