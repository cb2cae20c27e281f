//! The Monte Carlo runner: trials in parallel with rayon, every level of a trial run on the
//! same pre-drawn world (common random numbers), results gathered in trial order so outputs
//! are identical for any number of threads.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;

use crate::engine::{TrialOutcome, run_trial};
use crate::model::crisis;
use crate::scenario::Scenario;

#[derive(Debug, Clone)]
pub struct RunConfig {
    pub trials: u64,
    pub seed: u64,
    /// 0 = one per core.
    pub threads: usize,
    pub progress: bool,
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

pub fn run(s: &Scenario, cfg: &RunConfig) -> Result<RunResults, rayon::ThreadPoolBuildError> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(cfg.threads)
        .build()?;
    let threads = pool.current_num_threads();
    let bar = if cfg.progress {
        ProgressBar::with_draw_target(Some(cfg.trials), ProgressDrawTarget::stderr())
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} {msg} [{bar:40}] {pos}/{len} trials ({per_sec}, eta {eta})",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    bar.set_message(s.name.clone());
    let outcomes = pool.install(|| {
        (0..cfg.trials)
            .into_par_iter()
            .map(|trial| {
                let r = run_one(s, cfg.seed, trial);
                bar.inc(1);
                r
            })
            .collect::<Vec<_>>()
    });
    bar.finish_and_clear();
    Ok(RunResults {
        levels: s.budget.levels.clone(),
        seed: cfg.seed,
        trials: cfg.trials,
        outcomes,
        threads,
    })
}
