//! The Monte Carlo runner: trials in parallel with rayon, every level of a trial run on the
//! same pre-drawn world (common random numbers), results gathered in trial order so outputs
//! are identical for any number of threads.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;

use crate::engine::{TrialOutcome, run_trial};
use crate::metrics::Metric;
use crate::model::crisis;
use crate::scenario::Scenario;
use crate::stats::summarize;

#[derive(Debug, Clone)]
pub struct RunConfig {
    pub trials: u64,
    pub seed: u64,
    /// 0 = one per core.
    pub threads: usize,
    pub progress: bool,
    /// Run blocks of trials until these confidence intervals are narrow enough (`trials` is
    /// then ignored).
    pub precision: Option<Precision>,
}

/// Adaptive precision: trials run in blocks of `block` (trials 0..b, b..2b, …, the same on
/// every rerun) until the 95% CI half-width of every target metric is at most its target at
/// every level, or `max_trials` have run.
#[derive(Debug, Clone, PartialEq)]
pub struct Precision {
    pub targets: Vec<(Metric, f64)>,
    pub block: u64,
    pub max_trials: u64,
}

impl Precision {
    /// Whether the outcomes so far meet every target at every level.
    pub fn met(&self, outcomes: &[Vec<TrialOutcome>], levels: usize) -> bool {
        self.targets
            .iter()
            .all(|(m, target)| (0..levels).all(|l| half_width(outcomes, l, *m) <= *target))
    }
}

/// Half-width of the 95% CI of the mean of `m` at level position `l` (NaN below 2 values).
pub fn half_width(outcomes: &[Vec<TrialOutcome>], l: usize, m: Metric) -> f64 {
    let s = summarize(outcomes.iter().map(|t| t[l].metrics[m.index()]));
    (s.ci95_hi - s.ci95_lo) / 2.0
}

/// Runs the trials a configuration asks for, in trial order, inside the current rayon pool:
/// a fixed count, or blocks until `precision` is met. `tick` is called once per trial.
pub fn simulate(
    s: &Scenario,
    seed: u64,
    trials: u64,
    precision: Option<&Precision>,
    tick: &(dyn Fn() + Sync),
) -> Vec<Vec<TrialOutcome>> {
    let block = |range: std::ops::Range<u64>| -> Vec<Vec<TrialOutcome>> {
        range
            .into_par_iter()
            .map(|trial| {
                let r = run_one(s, seed, trial);
                tick();
                r
            })
            .collect()
    };
    match precision {
        None => block(0..trials),
        Some(p) => {
            let mut outcomes = Vec::new();
            let levels = s.budget.levels.len();
            while (outcomes.len() as u64) < p.max_trials {
                let start = outcomes.len() as u64;
                let end = (start + p.block).min(p.max_trials);
                outcomes.extend(block(start..end));
                if p.met(&outcomes, levels) {
                    break;
                }
            }
            outcomes
        }
    }
}

/// What a run produced: `outcomes[trial][level]`.
#[derive(Debug)]
pub struct RunResults {
    pub levels: Vec<f64>,
    pub seed: u64,
    pub trials: u64,
    pub outcomes: Vec<Vec<TrialOutcome>>,
    pub threads: usize,
}

impl RunResults {
    /// The values of one per-trial metric at level index `l`, in trial order.
    pub fn metric(&self, l: usize, m: crate::metrics::Metric) -> Vec<f64> {
        self.outcomes
            .iter()
            .map(|t| t[l].metrics[m.index()])
            .collect()
    }

    pub fn events(&self) -> u64 {
        self.outcomes
            .iter()
            .flatten()
            .map(|o| o.events_processed)
            .sum()
    }
}

/// Runs all levels of one trial on the same crises and economy.
pub fn run_one(s: &Scenario, seed: u64, trial: u64) -> Vec<TrialOutcome> {
    let mut crises = Vec::new();
    crisis::generate(s, seed, trial, &mut crises);
    let growth = crisis::gdp_growth_path(s, seed, trial);
    s.budget
        .levels
        .iter()
        .map(|&level| run_trial(s, level, &crises, &growth, false).0)
        .collect()
}

/// A progress bar on standard error (hidden unless `show`): `{pos}/{len} <unit>`.
pub fn progress_bar(show: bool, len: u64, unit: &str, name: &str) -> ProgressBar {
    let bar = if show {
        ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr())
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template(&format!(
            "{{spinner}} {{msg}} [{{bar:40}}] {{pos}}/{{len}} {unit} ({{per_sec}}, eta {{eta}})"
        ))
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    bar.set_message(name.to_string());
    bar
}

pub fn run(s: &Scenario, cfg: &RunConfig) -> Result<RunResults, rayon::ThreadPoolBuildError> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(cfg.threads)
        .build()?;
    let threads = pool.current_num_threads();
    let (len, unit) = match &cfg.precision {
        None => (cfg.trials, "trials"),
        Some(p) => (p.max_trials, "trials (at most)"),
    };
    let bar = progress_bar(cfg.progress, len, unit, &s.name);
    let tick = || bar.inc(1);
    let outcomes =
        pool.install(|| simulate(s, cfg.seed, cfg.trials, cfg.precision.as_ref(), &tick));
    bar.finish_and_clear();
    Ok(RunResults {
        levels: s.budget.levels.clone(),
        seed: cfg.seed,
        trials: outcomes.len() as u64,
        outcomes,
        threads,
    })
}
