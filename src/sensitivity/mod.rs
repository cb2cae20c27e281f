//! Sensitivity analysis and scenario discovery, as pure functions of a design and its outputs
//! (so they can be checked against functions with known answers, e.g. Ishigami):
//!
//! - `sampling`: the designs in the unit cube — full-factorial grid, Latin hypercube,
//!   Saltelli's scheme on a scrambled Sobol sequence, Morris trajectories, one-at-a-time;
//! - `sobol`: first-order and total Sobol indices with bootstrap confidence intervals;
//! - `morris`: elementary effects, μ, μ* and σ;
//! - `oat`: one-at-a-time swings for tornado charts;
//! - `prim`: the Patient Rule Induction Method for scenario discovery;
//!
//! and [`Analysis`], the sensitivity of one output, which the sweep computes and its charts draw.

pub mod morris;
pub(crate) mod oat;
pub mod prim;
pub(crate) mod sampling;
pub mod sobol;

use rand::Rng;

use crate::metrics::Metric;
use morris::MorrisIndex;
use oat::Swing;
use sobol::SobolIndex;

/// Sensitivity of one output: a metric at a level, as a value or as the paired difference
/// from the baseline level (what the cut costs).
#[derive(Debug, Clone)]
pub struct Analysis {
    pub metric: Metric,
    pub level: usize,
    pub diff: bool,
    pub swings: Vec<Swing>,
    pub sobol: Option<Vec<SobolIndex>>,
    pub morris: Option<Vec<MorrisIndex>>,
}

impl Analysis {
    /// The output does not vary over the sweep: every one-at-a-time swing is zero and no
    /// Sobol or Morris index is other than zero (a Sobol index of an output without variance
    /// is 0/0). Its charts would be empty panels; they are left out, or say so.
    pub fn is_flat(&self) -> bool {
        let none = |v: f64| v == 0.0 || !v.is_finite();
        let swings = self.swings.iter().all(|s| none(s.width()));
        let sobol = self
            .sobol
            .as_ref()
            .is_none_or(|v| v.iter().all(|x| none(x.total) && none(x.first)));
        let morris = self
            .morris
            .as_ref()
            .is_none_or(|v| v.iter().all(|x| none(x.mu_star)));
        let measured = !self.swings.is_empty() || self.sobol.is_some() || self.morris.is_some();
        measured && swings && sobol && morris
    }

    pub fn quantity(&self) -> &'static str {
        if self.diff {
            "difference_from_baseline"
        } else {
            "value"
        }
    }
}

/// Percentile bootstrap: the 2.5% and 97.5% quantiles of `resamples` statistics computed on
/// row indices drawn with replacement from 0..n.
pub fn bootstrap_ci<R: Rng + ?Sized>(
    rng: &mut R,
    n: usize,
    resamples: usize,
    mut statistic: impl FnMut(&[usize]) -> f64,
) -> (f64, f64) {
    if n == 0 || resamples == 0 {
        return (f64::NAN, f64::NAN);
    }
    let mut idx = vec![0usize; n];
    let mut stats = Vec::with_capacity(resamples);
    for _ in 0..resamples {
        for i in idx.iter_mut() {
            *i = (rng.next_u64() % n as u64) as usize;
        }
        let s = statistic(&idx);
        if s.is_finite() {
            stats.push(s);
        }
    }
    stats.sort_by(f64::total_cmp);
    (
        crate::stats::quantile_sorted(&stats, 0.025),
        crate::stats::quantile_sorted(&stats, 0.975),
    )
}
