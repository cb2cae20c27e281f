//! Everything the summary outputs need from a run, accumulated trial by trial in bounded
//! memory: per level and metric a [`Column`] (exact moments and quantiles), the moments of the
//! paired difference from the first level, per level and fiscal year the yearly metrics, and
//! per level and partner the end-of-horizon trust and interoperability, and per level, year and
//! partner the year-end trust and interoperability with trust's paired difference from the
//! first level. Accumulators of any split of the trials merge into exactly the accumulator of
//! all of them.

use crate::metrics::{Metric, N_METRICS, N_YEAR_METRICS, YearMetric};
use crate::model::TrialOutcome;

use super::Summary;
use super::exact::Moments;
use super::sketch::Quantiles;

/// One sampled quantity: its moments and its quantiles over the finite values.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Column {
    pub moments: Moments,
    pub quantiles: Quantiles,
}

impl Column {
    pub fn add(&mut self, x: f64) {
        if x.is_finite() {
            self.moments.add(x);
            self.quantiles.add(x);
        }
    }

    pub fn merge(&mut self, other: &Column) {
        self.moments.merge(&other.moments);
        self.quantiles.merge(&other.quantiles);
    }

    /// Mean, sd, se, Student-t 95% CI of the mean and p5/p25/p50/p75/p95.
    pub fn summary(&self) -> Summary {
        let n = self.moments.n as usize;
        let mean = self.moments.mean();
        let sd = self.moments.variance().sqrt();
        let se = sd / (n as f64).sqrt();
        let half = if n > 1 {
            super::t975(n - 1) * se
        } else {
            f64::NAN
        };
        let q = self.quantiles.quantiles(&[0.05, 0.25, 0.5, 0.75, 0.95]);
        Summary {
            n,
            mean,
            sd: if n > 1 { sd } else { f64::NAN },
            se: if n > 1 { se } else { f64::NAN },
            ci95_lo: mean - half,
            ci95_hi: mean + half,
            p5: q[0],
            p25: q[1],
            p50: q[2],
            p75: q[3],
            p95: q[4],
        }
    }

    /// Mean and the 95% CI of the mean.
    pub fn mean_ci(&self) -> (f64, f64, f64) {
        mean_ci(&self.moments)
    }
}

/// A sampled quantity whose spread is reported by quantiles only (the yearly metrics and the
/// partners' end values): the exact sum for the mean, without the sum of squares.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MeanColumn {
    pub n: u64,
    pub sum: super::exact::ExactSum,
    pub quantiles: Quantiles,
}

impl MeanColumn {
    pub fn add(&mut self, x: f64) {
        self.add_with(x, Quantiles::add);
    }

    fn add_with(&mut self, x: f64, quantiles: fn(&mut Quantiles, f64)) {
        if x.is_finite() {
            self.n += 1;
            self.sum.add(x);
            quantiles(&mut self.quantiles, x);
        }
    }

    pub fn merge(&mut self, other: &MeanColumn) {
        self.n += other.n;
        self.sum.merge(&other.sum);
        self.quantiles.merge(&other.quantiles);
    }

    /// [`Self::add`] for a partner's column, year by year or at the end (smaller exact buffer,
    /// coarser sketch: see [`super::sketch::SERIES_CAPACITY`]; the same for both, so the last
    /// year of `partners_yearly.csv` equals `partners.csv`).
    pub fn add_series(&mut self, x: f64) {
        self.add_with(x, Quantiles::add_series);
    }

    pub fn merge_series(&mut self, other: &MeanColumn) {
        self.n += other.n;
        self.sum.merge(&other.sum);
        self.quantiles.merge_series(&other.quantiles);
    }

    pub fn mean(&self) -> f64 {
        if self.n == 0 {
            f64::NAN
        } else {
            self.sum.value() / self.n as f64
        }
    }
}

/// Mean and 95% CI of the mean from moments.
fn mean_ci(m: &Moments) -> (f64, f64, f64) {
    let n = m.n as usize;
    let mean = m.mean();
    if n < 2 {
        return (mean, f64::NAN, f64::NAN);
    }
    let half = super::t975(n - 1) * (m.variance() / n as f64).sqrt();
    (mean, mean - half, mean + half)
}

#[derive(Debug, Clone, PartialEq)]
pub struct Accumulator {
    pub levels: usize,
    pub years: usize,
    pub partners: usize,
    pub trials: u64,
    pub events: u64,
    metric: Vec<Column>,
    diff: Vec<Moments>,
    yearly: Vec<MeanColumn>,
    trust: Vec<MeanColumn>,
    interop: Vec<MeanColumn>,
    /// At `(l × years + y) × partners + p`.
    trust_yearly: Vec<MeanColumn>,
    interop_yearly: Vec<MeanColumn>,
    trust_yearly_diff: Vec<Moments>,
}

impl Accumulator {
    pub fn new(levels: usize, years: usize, partners: usize) -> Self {
        Accumulator {
            levels,
            years,
            partners,
            trials: 0,
            events: 0,
            metric: vec![Column::default(); levels * N_METRICS],
            diff: vec![Moments::default(); levels * N_METRICS],
            yearly: vec![MeanColumn::default(); levels * years * N_YEAR_METRICS],
            trust: vec![MeanColumn::default(); levels * partners],
            interop: vec![MeanColumn::default(); levels * partners],
            trust_yearly: vec![MeanColumn::default(); levels * years * partners],
            interop_yearly: vec![MeanColumn::default(); levels * years * partners],
            trust_yearly_diff: vec![Moments::default(); levels * years * partners],
        }
    }

    fn pyi(&self, l: usize, y: usize, p: usize) -> usize {
        (l * self.years + y) * self.partners + p
    }

    fn yi(&self, l: usize, y: usize, m: usize) -> usize {
        (l * self.years + y) * N_YEAR_METRICS + m
    }

    /// Adds one trial: its outcome at every level, in level order.
    pub fn add_trial(&mut self, outcomes: &[TrialOutcome]) {
        self.trials += 1;
        for (l, o) in outcomes.iter().enumerate() {
            self.events += o.events_processed;
            for (m, v) in o.metrics.iter().enumerate() {
                self.metric[l * N_METRICS + m].add(*v);
                // Pairs with a non-finite side are left out, as in a paired t interval.
                let d = v - outcomes[0].metrics[m];
                if d.is_finite() {
                    self.diff[l * N_METRICS + m].add(d);
                }
            }
            for (y, row) in o.yearly.iter().enumerate().take(self.years) {
                for (m, v) in row.iter().enumerate() {
                    let i = self.yi(l, y, m);
                    self.yearly[i].add(*v);
                }
            }
            for p in 0..self.partners {
                self.trust[l * self.partners + p].add_series(o.partner_trust[p]);
                self.interop[l * self.partners + p].add_series(o.partner_interop[p]);
            }
            let at = l * self.years * self.partners;
            let cells = o
                .partner_trust_yearly
                .iter()
                .zip(&o.partner_interop_yearly)
                .zip(&outcomes[0].partner_trust_yearly)
                .take(self.years * self.partners);
            for (k, ((t, i), first)) in cells.enumerate() {
                self.trust_yearly[at + k].add_series(*t);
                self.interop_yearly[at + k].add_series(*i);
                let d = t - first;
                if d.is_finite() {
                    self.trust_yearly_diff[at + k].add(d);
                }
            }
        }
    }

    /// Adds a block of trials (each its outcomes at every level), column by column in
    /// parallel: every column sees the block's values in trial order, and no column is
    /// touched by two threads, so the result is exactly that of adding trial by trial.
    pub fn add_block(&mut self, block: &[Vec<TrialOutcome>]) {
        use rayon::prelude::*;
        self.trials += block.len() as u64;
        self.events += block
            .iter()
            .flatten()
            .map(|o| o.events_processed)
            .sum::<u64>();
        // Work is split by row, not by column: a task takes the metrics of one level, or the
        // yearly metrics of one level and year, and reads each trial's row once (contiguous),
        // so a block's outcomes are read in cache-sized pieces instead of once per column.
        let (years, partners) = (self.years, self.partners);
        self.metric
            .par_chunks_mut(N_METRICS)
            .zip(self.diff.par_chunks_mut(N_METRICS))
            .enumerate()
            .for_each(|(l, (cols, diffs))| {
                for t in block {
                    let (row, first) = (&t[l].metrics, &t[0].metrics);
                    for m in 0..N_METRICS {
                        cols[m].add(row[m]);
                        // Pairs with a non-finite side are left out, as in a paired t interval.
                        let d = row[m] - first[m];
                        if d.is_finite() {
                            diffs[m].add(d);
                        }
                    }
                }
            });
        self.yearly
            .par_chunks_mut(N_YEAR_METRICS)
            .enumerate()
            .for_each(|(i, cols)| {
                let (l, y) = (i / years, i % years);
                for t in block {
                    if let Some(row) = t[l].yearly.get(y) {
                        for (c, v) in cols.iter_mut().zip(row) {
                            c.add(*v);
                        }
                    }
                }
            });
        if partners > 0 {
            self.trust
                .par_chunks_mut(partners)
                .zip(self.interop.par_chunks_mut(partners))
                .enumerate()
                .for_each(|(l, (trust, interop))| {
                    for t in block {
                        let o = &t[l];
                        for p in 0..partners {
                            trust[p].add_series(o.partner_trust[p]);
                            interop[p].add_series(o.partner_interop[p]);
                        }
                    }
                });
            // One task per level and year: the partners of that year-end.
            self.trust_yearly
                .par_chunks_mut(partners)
                .zip(self.interop_yearly.par_chunks_mut(partners))
                .zip(self.trust_yearly_diff.par_chunks_mut(partners))
                .enumerate()
                .for_each(|(i, ((trust, interop), diff))| {
                    let (l, at) = (i / years, (i % years) * partners);
                    for t in block {
                        let (o, first) = (&t[l], &t[0].partner_trust_yearly);
                        let Some(row) = o.partner_trust_yearly.get(at..at + partners) else {
                            continue;
                        };
                        let inter = &o.partner_interop_yearly[at..at + partners];
                        for p in 0..partners {
                            trust[p].add_series(row[p]);
                            interop[p].add_series(inter[p]);
                            let d = row[p] - first[at + p];
                            if d.is_finite() {
                                diff[p].add(d);
                            }
                        }
                    }
                });
        }
    }

    pub fn merge(&mut self, other: &Accumulator) {
        self.trials += other.trials;
        self.events += other.events;
        for (a, b) in self.metric.iter_mut().zip(&other.metric) {
            a.merge(b);
        }
        for (a, b) in self.diff.iter_mut().zip(&other.diff) {
            a.merge(b);
        }
        for (a, b) in self.yearly.iter_mut().zip(&other.yearly) {
            a.merge(b);
        }
        for (a, b) in self.trust.iter_mut().zip(&other.trust) {
            a.merge_series(b);
        }
        for (a, b) in self.interop.iter_mut().zip(&other.interop) {
            a.merge_series(b);
        }
        for (a, b) in self.trust_yearly.iter_mut().zip(&other.trust_yearly) {
            a.merge_series(b);
        }
        for (a, b) in self.interop_yearly.iter_mut().zip(&other.interop_yearly) {
            a.merge_series(b);
        }
        for (a, b) in self
            .trust_yearly_diff
            .iter_mut()
            .zip(&other.trust_yearly_diff)
        {
            a.merge(b);
        }
    }

    pub fn metric(&self, l: usize, m: Metric) -> &Column {
        &self.metric[l * N_METRICS + m.index()]
    }

    /// Mean and 95% CI of the paired difference of `m` from the first level.
    pub fn difference(&self, l: usize, m: Metric) -> (f64, f64, f64) {
        mean_ci(&self.diff[l * N_METRICS + m.index()])
    }

    pub fn yearly(&self, l: usize, y: usize, m: YearMetric) -> &MeanColumn {
        &self.yearly[self.yi(l, y, m.index())]
    }

    pub fn trust(&self, l: usize, p: usize) -> &MeanColumn {
        &self.trust[l * self.partners + p]
    }

    pub fn interop(&self, l: usize, p: usize) -> &MeanColumn {
        &self.interop[l * self.partners + p]
    }

    /// Partner `p`'s trust at the end of year `y` at level `l`.
    pub fn trust_yearly(&self, l: usize, y: usize, p: usize) -> &MeanColumn {
        &self.trust_yearly[self.pyi(l, y, p)]
    }

    pub fn interop_yearly(&self, l: usize, y: usize, p: usize) -> &MeanColumn {
        &self.interop_yearly[self.pyi(l, y, p)]
    }

    /// Mean and 95% CI of the paired difference of partner `p`'s trust at the end of year `y`
    /// from the first level's.
    pub fn trust_yearly_difference(&self, l: usize, y: usize, p: usize) -> (f64, f64, f64) {
        mean_ci(&self.trust_yearly_diff[self.pyi(l, y, p)])
    }

    /// Half-width of the 95% CI of the mean of `m` at level `l` (NaN below 2 values).
    pub fn half_width(&self, l: usize, m: Metric) -> f64 {
        let (_, lo, hi) = self.metric(l, m).mean_ci();
        (hi - lo) / 2.0
    }

    pub(crate) fn columns_mut(&mut self) -> impl Iterator<Item = &mut Column> {
        self.metric.iter_mut()
    }

    pub(crate) fn columns(&self) -> impl Iterator<Item = &Column> {
        self.metric.iter()
    }

    pub(crate) fn mean_columns_mut(&mut self) -> impl Iterator<Item = &mut MeanColumn> {
        self.yearly
            .iter_mut()
            .chain(self.trust.iter_mut())
            .chain(self.interop.iter_mut())
            .chain(self.trust_yearly.iter_mut())
            .chain(self.interop_yearly.iter_mut())
    }

    pub(crate) fn mean_columns(&self) -> impl Iterator<Item = &MeanColumn> {
        self.yearly
            .iter()
            .chain(self.trust.iter())
            .chain(self.interop.iter())
            .chain(self.trust_yearly.iter())
            .chain(self.interop_yearly.iter())
    }

    pub(crate) fn diffs_mut(&mut self) -> impl Iterator<Item = &mut Moments> {
        self.diff
            .iter_mut()
            .chain(self.trust_yearly_diff.iter_mut())
    }

    pub(crate) fn diffs(&self) -> impl Iterator<Item = &Moments> {
        self.diff.iter().chain(self.trust_yearly_diff.iter())
    }
}
