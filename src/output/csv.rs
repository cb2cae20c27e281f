//! Tidy CSV outputs, built from the accumulators: each file's rows are the record type of
//! `super::records` (`trials.csv`, whose columns are the metric registry, is written by hand
//! on the hot path). Numbers are formatted by [`super::num`] so files are byte-identical
//! across runs and thread counts.

use crate::engine::TraceRow;
use crate::error::RunError;
use crate::metrics::{Metric, YearMetric};
use crate::model::TrialOutcome;
use crate::output::folder;
use crate::scenario::{Named, Scenario};
use crate::stats::accumulator::Accumulator;

use super::push_num;
use super::records::{
    self, PartnerRecord, PartnerYearRecord, PercentileRecord, SummaryRecord, TraceRecord,
    YearlyRecord,
};

/// The columns of `trials.csv`: `level`, `trial`, then every metric of the registry.
pub fn trials_columns() -> Vec<String> {
    let mut header = vec!["level".to_string(), "trial".to_string()];
    header.extend(Metric::ALL.iter().map(|m| m.name().to_string()));
    header
}

/// The header line of `trials.csv`.
pub fn trials_header() -> Result<Vec<u8>, RunError> {
    records::header("trials.csv", &trials_columns())
}

/// The `trials.csv` row of one trial at one level (with its line end).
pub fn trial_row(level: f64, trial: u64, o: &TrialOutcome) -> String {
    let mut row = String::with_capacity(16 * (o.metrics.len() + 2));
    push_num(&mut row, level);
    row.push(',');
    row.push_str(itoa::Buffer::new().format(trial));
    for v in &o.metrics {
        row.push(',');
        // Numbers never need CSV quoting: digits, '.', '-', "NaN", "inf".
        push_num(&mut row, *v);
    }
    row.push('\n');
    row
}

/// `yearly.csv`: per level, fiscal year and yearly metric, the mean and quantiles over trials.
pub fn yearly(s: &Scenario, levels: &[f64], acc: &Accumulator) -> Result<Vec<u8>, RunError> {
    let mut rows = Vec::new();
    for (l, level) in levels.iter().enumerate() {
        for y in 0..s.years {
            for m in YearMetric::ALL {
                let c = acc.yearly(l, y, *m);
                let q = c.quantiles.quantiles(&[0.05, 0.25, 0.5, 0.75, 0.95]);
                rows.push(YearlyRecord {
                    level: *level,
                    year: y + 1,
                    fiscal_year: s.start_year + y as i64,
                    metric: m.name().into(),
                    unit: m.info().unit.into(),
                    mean: c.mean(),
                    p5: q[0],
                    p25: q[1],
                    p50: q[2],
                    p75: q[3],
                    p95: q[4],
                });
            }
        }
    }
    records::file(folder::YEARLY, rows)
}

/// The `summary.csv` rows: per level and metric, the statistics over trials and the paired
/// difference from the first (baseline) level.
pub fn summary_rows(levels: &[f64], acc: &Accumulator) -> Vec<SummaryRecord> {
    let mut rows = Vec::new();
    for (l, level) in levels.iter().enumerate() {
        for m in Metric::ALL {
            let (d, lo, hi) = acc.difference(l, *m);
            let st = acc.metric(l, *m).summary();
            rows.push(SummaryRecord {
                level: *level,
                metric: m.name().into(),
                unit: m.info().unit.into(),
                n: st.n,
                mean: st.mean,
                sd: st.sd,
                se: st.se,
                ci95_lo: st.ci95_lo,
                ci95_hi: st.ci95_hi,
                p5: st.p5,
                p25: st.p25,
                p50: st.p50,
                p75: st.p75,
                p95: st.p95,
                diff_mean: d,
                diff_ci95_lo: lo,
                diff_ci95_hi: hi,
            });
        }
    }
    rows
}

pub fn summary(rows: &[SummaryRecord]) -> Result<Vec<u8>, RunError> {
    records::file(folder::SUMMARY, rows.iter().cloned())
}

/// A policy's name as the first cell of a row, with its comma (quoted if it needs it).
pub fn policy_cell(name: &str) -> Result<Vec<u8>, RunError> {
    let mut cell = records::header(folder::TRIALS, &[name.to_string()])?;
    // The writer ends the record; the cell is followed by the row's other cells instead.
    while cell.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
        cell.pop();
    }
    cell.push(b',');
    Ok(cell)
}

/// One CSV file from several with the same header, each (policy name, bytes): a leading
/// `policy` column, then every file's rows in order (`summary.csv` of a run with policies).
pub fn with_policy_column(parts: &[(&str, Vec<u8>)]) -> Result<Vec<u8>, RunError> {
    let mut out = Vec::new();
    for (k, (name, bytes)) in parts.iter().enumerate() {
        let cell = policy_cell(name)?;
        let mut lines = bytes.split_inclusive(|b| *b == b'\n');
        let header = lines.next().unwrap_or_default();
        if k == 0 {
            out.extend_from_slice(b"policy,");
            out.extend_from_slice(header);
        }
        for line in lines {
            out.extend_from_slice(&cell);
            out.extend_from_slice(line);
        }
    }
    Ok(out)
}

/// `percentiles.csv`: per level and metric, the 0th to 100th percentiles over trials (type 7,
/// like the quantiles of `summary.csv`). The distribution charts are drawn from this file, so
/// they can be redrawn without the per-trial rows.
pub fn percentiles(levels: &[f64], acc: &Accumulator) -> Result<Vec<u8>, RunError> {
    let qs: Vec<f64> = (0..=100u32).map(|p| f64::from(p) / 100.0).collect();
    let mut rows = Vec::new();
    for (l, level) in levels.iter().enumerate() {
        for m in Metric::ALL {
            let values = acc.metric(l, *m).quantiles.quantiles(&qs);
            for (p, v) in values.iter().enumerate() {
                rows.push(PercentileRecord {
                    level: *level,
                    metric: m.name().into(),
                    unit: m.info().unit.into(),
                    percentile: p,
                    value: *v,
                });
            }
        }
    }
    records::file(folder::PERCENTILES, rows)
}

/// `partners.csv`: per level and partner, end-of-horizon trust and interoperability over trials.
pub fn partners(s: &Scenario, levels: &[f64], acc: &Accumulator) -> Result<Vec<u8>, RunError> {
    let mut rows = Vec::new();
    for (l, level) in levels.iter().enumerate() {
        for (p, partner) in s.partners.iter().enumerate() {
            let (t, i) = (acc.trust(l, p), acc.interop(l, p));
            let tq = t.quantiles.quantiles(&[0.05, 0.5, 0.95]);
            let iq = i.quantiles.quantiles(&[0.5]);
            rows.push(PartnerRecord {
                level: *level,
                partner: partner.name.clone(),
                kind: partner.kind.name().into(),
                region: s.regions[partner.region].clone(),
                importance: partner.importance,
                trust_start: partner.trust,
                trust_mean: t.mean(),
                trust_p5: tq[0],
                trust_p50: tq[1],
                trust_p95: tq[2],
                interop_mean: i.mean(),
                interop_p50: iq[0],
            });
        }
    }
    records::file(folder::PARTNERS, rows)
}

/// `partners_yearly.csv`: per level, fiscal year and partner, year-end trust (mean, p5, p50,
/// p95, and the paired difference from the baseline level with its 95% CI) and
/// interoperability (mean, p5, p50, p95) over trials.
pub fn partners_yearly(
    s: &Scenario,
    levels: &[f64],
    acc: &Accumulator,
) -> Result<Vec<u8>, RunError> {
    let mut rows = Vec::new();
    for (l, level) in levels.iter().enumerate() {
        for y in 0..s.years {
            for (p, partner) in s.partners.iter().enumerate() {
                let (t, i) = (acc.trust_yearly(l, y, p), acc.interop_yearly(l, y, p));
                let tq = t.quantiles.quantiles(&[0.05, 0.5, 0.95]);
                let iq = i.quantiles.quantiles(&[0.05, 0.5, 0.95]);
                let (d, lo, hi) = acc.trust_yearly_difference(l, y, p);
                rows.push(PartnerYearRecord {
                    level: *level,
                    year: y + 1,
                    fiscal_year: s.start_year + y as i64,
                    partner: partner.name.clone(),
                    kind: partner.kind.name().into(),
                    region: s.regions[partner.region].clone(),
                    trust_mean: t.mean(),
                    trust_p5: tq[0],
                    trust_p50: tq[1],
                    trust_p95: tq[2],
                    trust_diff_mean: d,
                    trust_diff_ci95_lo: lo,
                    trust_diff_ci95_hi: hi,
                    interop_mean: i.mean(),
                    interop_p5: iq[0],
                    interop_p50: iq[1],
                    interop_p95: iq[2],
                });
            }
        }
    }
    records::file(folder::PARTNERS_YEARLY, rows)
}

/// A trial's event log as CSV: time (days), fiscal year, day of year, event, subject, details.
pub fn trace(s: &Scenario, rows: &[TraceRow]) -> Result<Vec<u8>, RunError> {
    let records = rows.iter().map(|row| {
        let year = row.year as f64;
        TraceRecord {
            time_days: row.time,
            fiscal_year: s.start_year + year as i64,
            day_of_year: row.time - year * crate::scenario::DAYS_PER_YEAR,
            event: row.event.to_string(),
            subject: row.subject.clone(),
            details: row.details.clone(),
        }
    });
    records::file("trace", records)
}
