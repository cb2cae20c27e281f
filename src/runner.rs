//! The Monte Carlo runner: trials in parallel with rayon, every level of a trial run on the
//! same pre-drawn world (common random numbers).
//!
//! [`stream`] is what `dipcap run` and `dipcap sweep` use: trials run in blocks, each block's
//! outcomes go to a sink (trial rows on disk, checkpoints) in trial order and are folded into
//! an [`Accumulator`] whose summaries do not depend on how the trials were split, so memory
//! stays bounded, a run can stop and resume, and any thread count gives the same bytes.
//! [`run`] keeps every outcome in memory, for tests and small analyses.

use std::sync::atomic::{AtomicBool, Ordering};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;

use crate::engine::Abort;
use crate::error::{InputError, RunError};
use crate::metrics::Metric;
use crate::model::crisis;
use crate::model::{TrialOutcome, run_trial};
use crate::scenario::Scenario;
use crate::stats::accumulator::Accumulator;

/// The largest trial count accepted on the command line (the scenario validator uses the same).
pub const MAX_TRIALS: u64 = 100_000_000;

/// Trials per block when no `--block` is given: small enough to keep memory flat, large
/// enough that the per-block barrier costs nothing measurable.
pub const BLOCK: u64 = 256;

#[derive(Debug, Clone)]
pub struct RunConfig {
    pub trials: u64,
    pub seed: u64,
    /// 0 = one per core.
    pub threads: usize,
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
    /// Whether the trials so far meet every target at every level.
    pub fn met(&self, acc: &Accumulator) -> bool {
        self.targets
            .iter()
            .all(|(m, target)| (0..acc.levels).all(|l| acc.half_width(l, *m) <= *target))
    }
}

/// Runs all levels of one trial on the same crises and economy.
pub fn run_one(s: &Scenario, seed: u64, trial: u64) -> Vec<TrialOutcome> {
    thread_local! {
        // The crisis list of the thread's previous trial, reused: growing a fresh one to a few
        // hundred crises cost more than drawing them.
        static CRISES: std::cell::RefCell<Vec<crisis::CrisisDraw>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    CRISES.with_borrow_mut(|crises| {
        crisis::generate(s, seed, trial, crises);
        let world = crisis::exogenous(s, seed, trial);
        let mut out = Vec::with_capacity(s.budget.levels.len());
        for &level in &s.budget.levels {
            let o = run_trial(s, level, crises, &world, false).0;
            // A trial stopped at one level is dropped whole: its other levels need not run.
            let stop = o.aborted.is_some();
            out.push(o);
            if stop {
                break;
            }
        }
        out
    })
}

/// Runs one trial at one level, on the crises and economy every level of that trial shares
/// (what [`run_one`] gives at that level).
pub fn run_level(s: &Scenario, seed: u64, trial: u64, level: f64) -> TrialOutcome {
    thread_local! {
        static CRISES: std::cell::RefCell<Vec<crisis::CrisisDraw>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    CRISES.with_borrow_mut(|crises| {
        crisis::generate(s, seed, trial, crises);
        let world = crisis::exogenous(s, seed, trial);
        run_trial(s, level, crises, &world, false).0
    })
}

/// An empty accumulator shaped for a scenario.
pub fn accumulator(s: &Scenario) -> Accumulator {
    Accumulator::new(s.budget.levels.len(), s.years, s.partners.len())
}

/// Where a streamed run starts: from scratch, or from a checkpoint.
pub struct Start {
    pub acc: Accumulator,
    pub next_trial: u64,
}

/// What happens to each block besides accumulation: `(first trial, outcomes in trial order,
/// the accumulator including this block)`.
pub type Sink<'a> = dyn FnMut(u64, &[Vec<TrialOutcome>], &Accumulator) -> Result<(), RunError> + 'a;

/// How a streamed run ended.
pub struct Streamed {
    pub acc: Accumulator,
    /// The first trial not run (the total when complete).
    pub next_trial: u64,
    /// `stop` was set: the run ended early, after a whole block.
    pub stopped: bool,
}

/// Runs the trials a configuration asks for inside the current rayon pool, block by block.
/// Between blocks `stop` is checked: when set, the run ends early (`stopped`) with the
/// accumulator of every finished block, ready to checkpoint.
#[allow(clippy::too_many_arguments)]
pub fn stream(
    s: &Scenario,
    seed: u64,
    trials: u64,
    precision: Option<&Precision>,
    start: Start,
    sink: &mut Sink,
    stop: Option<&AtomicBool>,
    tick: &(dyn Fn(u64) + Sync),
) -> Result<Streamed, RunError> {
    let Start {
        mut acc,
        next_trial: mut next,
    } = start;
    let (block, limit) = match precision {
        Some(p) => (p.block, p.max_trials),
        None => (BLOCK, trials),
    };
    loop {
        if let Some(p) = precision
            && next > 0
            && p.met(&acc)
        {
            break;
        }
        if next >= limit {
            break;
        }
        if stop.is_some_and(|f| f.load(Ordering::SeqCst)) {
            return Ok(Streamed {
                acc,
                next_trial: next,
                stopped: true,
            });
        }
        let end = (next + block).min(limit);
        let bound: crate::engine::BlockBound = std::sync::Arc::new(u64::MAX.into());
        let outcomes: Vec<Vec<TrialOutcome>> = (next..end)
            .into_par_iter()
            .map(|trial| {
                let r = crate::engine::in_block(&bound, trial, || run_one(s, seed, trial));
                tick(1);
                r
            })
            .collect();
        // A block with a trial stopped early is dropped whole: the run ends at the last whole
        // block (what the checkpoint holds), or fails when a trial outgrew the work bound.
        if let Some((k, l)) = first_past_bound(&outcomes) {
            return Err(work_bound(s, next + k as u64, s.budget.levels[l]).into());
        }
        if outcomes.iter().flatten().any(|o| o.aborted.is_some()) {
            return Ok(Streamed {
                acc,
                next_trial: next,
                stopped: true,
            });
        }
        acc.add_block(&outcomes);
        sink(next, &outcomes, &acc)?;
        next = end;
    }
    Ok(Streamed {
        acc,
        next_trial: next,
        stopped: false,
    })
}

/// The (trial in the block, level index) of the block's lowest trial past the work bound
/// (trials above it were abandoned, those below ran on: see `engine::BlockBound`).
fn first_past_bound(block: &[Vec<TrialOutcome>]) -> Option<(usize, usize)> {
    block.iter().enumerate().find_map(|(k, levels)| {
        levels
            .iter()
            .position(|o| o.aborted == Some(Abort::WorkBound))
            .map(|l| (k, l))
    })
}

/// The error of a trial that did more than [`crate::engine::max_work`]: what usually causes it
/// in this scenario, and what to change.
pub fn work_bound(s: &Scenario, trial: u64, level: f64) -> InputError {
    let endless: Vec<&str> = s
        .crises
        .iter()
        .filter(|c| c.window_days.mean().is_infinite() && c.rate > 0.0)
        .map(|c| c.name.as_str())
        .collect();
    let hint = if endless.is_empty() {
        "lower the crisis rates or `scenario.years`, or give the forces more units".to_string()
    } else {
        format!(
            "crises of type {} never expire (`window_days = inf`): arriving faster than the forces answer them, they pile up; give them a finite `window_days`, lower their rates or add units",
            endless.join(", ")
        )
    };
    InputError::Option {
        what: format!("scenario \"{}\", trial {trial} at level {level}", s.name),
        problem: format!(
            "the trial did more than {:e} steps of work (events handled and units looked at for deployments), the bound on one trial{}: the scenario asks for more than dipcap can simulate in reasonable time",
            crate::engine::max_work() as f64,
            if crate::engine::max_work() == crate::engine::MAX_WORK {
                " (seconds to a minute)"
            } else {
                " (set by DIPCAP_MAX_WORK)"
            }
        ),
        hint,
    }
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

/// A rayon pool of `threads` threads (0 = one per core) for a run or a sweep.
pub fn thread_pool(threads: usize) -> Result<rayon::ThreadPool, RunError> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| RunError::Encode {
            what: "thread pool".into(),
            reason: e.to_string(),
        })
}

/// Every outcome of a run, in memory: `outcomes[trial][level]`.
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
    pub fn metric(&self, l: usize, m: Metric) -> Vec<f64> {
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

/// Runs a configuration keeping every outcome in memory (tests, small analyses; `dipcap run`
/// streams instead). Same trials and numbers as [`stream`].
pub fn run(s: &Scenario, cfg: &RunConfig) -> Result<RunResults, RunError> {
    let pool = thread_pool(cfg.threads)?;
    let threads = pool.current_num_threads();
    let mut outcomes = Vec::new();
    let mut keep = |_: u64, block: &[Vec<TrialOutcome>], _: &Accumulator| {
        outcomes.extend_from_slice(block);
        Ok(())
    };
    let start = Start {
        acc: accumulator(s),
        next_trial: 0,
    };
    let done = pool.install(|| {
        stream(
            s,
            cfg.seed,
            cfg.trials,
            cfg.precision.as_ref(),
            start,
            &mut keep,
            None,
            &|_| {},
        )
    })?;
    if done.stopped {
        return Err(RunError::Interrupted {
            trials_done: done.next_trial,
            trials: cfg.trials,
        });
    }
    Ok(RunResults {
        levels: s.budget.levels.clone(),
        seed: cfg.seed,
        trials: outcomes.len() as u64,
        outcomes,
        threads,
    })
}
