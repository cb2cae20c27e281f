//! `dipcap optimise`: the search for the way of absorbing a cut that loses least, over the
//! space the scenario declares in `[search]`, at one budget level. Every candidate is run on
//! the same trials (common random numbers), so the objective is a deterministic function of
//! the candidate for a given set of trials and small differences between candidates are
//! measured as paired differences. Four stages (docs/POLICIES.md): a space-filling screening
//! design (Sobol), Nelder–Mead (argmin) on the continuous levers from the best screened
//! points, successive halving (racing) of the best few on ever more trials, and the winner's
//! gain over the scenario as written re-estimated on fresh trials of another seed, so that
//! the figure quoted does not carry the winner's curse of the search's own trials. With two
//! objectives the result is the non-dominated set instead of one winner.

pub mod command;
pub mod journal;
pub mod outputs;
pub mod report;

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;
use toml::Value;

use crate::error::{InputError, RunError};
use crate::metrics::Metric;
use crate::policies::{Estimate, estimate};
use crate::scenario::Scenario;
use crate::scenario::policy::AS_WRITTEN;
use crate::scenario::search::Space;
use crate::stats::exact::Moments;

/// A metric to maximise or minimise.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Goal {
    pub metric: Metric,
    pub maximise: bool,
}

/// `METRIC>=X` or `METRIC<=X`, on the candidate's mean.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Constraint {
    pub metric: Metric,
    pub at_least: bool,
    pub bound: f64,
}

impl Constraint {
    /// How far `mean` falls short of the constraint, relative to the bound's size (0 when met).
    pub fn shortfall(&self, mean: f64) -> f64 {
        if !mean.is_finite() {
            return f64::INFINITY;
        }
        let gap = if self.at_least {
            self.bound - mean
        } else {
            mean - self.bound
        };
        gap.max(0.0) / self.bound.abs().max(1e-9)
    }

    pub fn text(&self) -> String {
        format!(
            "{}{}{}",
            self.metric.name(),
            if self.at_least { ">=" } else { "<=" },
            crate::output::num(self.bound)
        )
    }
}

impl Goal {
    pub fn text(&self) -> String {
        format!(
            "{} ({})",
            self.metric.name(),
            if self.maximise {
                "higher is better"
            } else {
                "lower is better"
            }
        )
    }
}

/// What a search is asked.
#[derive(Debug, Clone)]
pub struct Options {
    pub level: f64,
    /// One objective, or two (then the Pareto front is the answer).
    pub objectives: Vec<Goal>,
    pub constraints: Vec<Constraint>,
    pub seed: u64,
    /// Trials per candidate in the screening and the local search.
    pub trials: u64,
    /// Candidates evaluated in the screening and the local search together.
    pub evaluations: usize,
    pub fresh_seed: u64,
    pub fresh_trials: u64,
}

/// Penalty weight of a constraint's relative shortfall in the score the local search
/// maximises: a shortfall of 1% of the bound costs 0.1 of the objective, more than any
/// allocation gains in the shipped scenarios, so the search is pushed back inside.
pub const PENALTY: f64 = 10.0;

/// Candidates that race (successive halving) after the search.
pub const RACERS: usize = 8;

/// A point of the search space.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// 1, 2, … in the order first evaluated (0 is the scenario as written).
    pub id: usize,
    /// Coordinates in the unit cube, one per searched key.
    pub u: Vec<f64>,
    pub changes: Vec<(String, Value)>,
    /// The changes as one line of text: the candidate's identity in the journal.
    pub key: String,
    /// Why the model refuses this candidate, if it does.
    pub invalid: Option<String>,
    /// The stage that first evaluated it: "screen" or "search".
    pub stage: &'static str,
}

/// One estimate of a candidate on trials 0..n of a seed: per tracked metric, its mean and
/// its paired difference from the scenario as written.
#[derive(Debug, Clone)]
pub struct Evaluation {
    pub candidate: usize,
    pub stage: &'static str,
    pub seed: u64,
    pub trials: u64,
    pub value: Vec<Estimate>,
    pub diff: Vec<Estimate>,
}

/// What a search found.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub tracked: Vec<Metric>,
    pub candidates: Vec<Candidate>,
    /// Every estimate made, in the order made (the fresh ones last).
    pub evaluations: Vec<Evaluation>,
    /// The winner (one objective) or the front (two), best first by the first objective.
    pub chosen: Vec<usize>,
    /// Per chosen candidate, its estimate on the search's last (largest) set of trials and on
    /// the fresh trials.
    pub in_sample: Vec<Evaluation>,
    pub fresh: Vec<Evaluation>,
    /// The scenario as written on the fresh trials.
    pub reference_fresh: Evaluation,
    /// Whether each chosen candidate met every constraint on its in-sample estimate.
    pub feasible: Vec<bool>,
    /// Trial-levels simulated by this process (not taken from the journal).
    pub simulated: u64,
    /// Whether the screening included the corners of the ranges, and the fewest
    /// `--evaluations` that would have (None: too many ranges for corners).
    pub corners: (bool, Option<usize>),
}

/// The metrics a search keeps per trial: its objectives and constraints, then the DCI and the
/// crisis response rate (reported for every candidate).
pub fn tracked(o: &Options) -> Vec<Metric> {
    let mut t: Vec<Metric> = Vec::new();
    for m in o
        .objectives
        .iter()
        .map(|g| g.metric)
        .chain(o.constraints.iter().map(|c| c.metric))
        .chain([Metric::Dci, Metric::ResponseRate])
    {
        if !t.contains(&m) {
            t.push(m);
        }
    }
    t
}

/// The scenario a candidate's changes make of `s`, or why the model refuses it.
pub fn scenario_of(
    s: &Scenario,
    space: &Space,
    changes: &[(String, Value)],
) -> Result<Scenario, String> {
    space.table(changes).and_then(|t| {
        crate::scenario::validate_table(&t, std::path::Path::new(&s.name))
            .map_err(|e| crate::scenario::policy::flat(&e))
    })
}

/// Each shared line's appropriation in the horizon's last fiscal year, at full budget and at
/// `level` under `s`'s cut policy: where a way of cutting takes the money from, in the
/// money of that year (the cut at its full depth, whatever its profile). Returns the fiscal
/// year and (line, full, at level) per line.
pub fn cut_by_line(s: &Scenario, level: f64) -> (i64, Vec<(&'static str, f64, f64)>) {
    let last = s.years.saturating_sub(1);
    let at = |lv: f64| {
        let mut previous = None;
        let mut appr = crate::model::budget::appropriate(s, lv, 0, previous);
        for y in 0..=last {
            appr = crate::model::budget::appropriate(s, lv, y, previous);
            previous = Some(appr[crate::scenario::Line::Personnel]);
        }
        appr
    };
    let (full, cut) = (at(1.0), at(level));
    (
        s.start_year + last as i64,
        crate::scenario::Line::SHARED
            .iter()
            .map(|&l| (l.name(), full[l], cut[l]))
            .collect(),
    )
}

struct Evaluator<'a> {
    s: &'a Scenario,
    space: &'a Space,
    o: &'a Options,
    tracked: Vec<Metric>,
    store: journal::Store,
    journal: Option<journal::Journal>,
    scenarios: HashMap<String, Option<Scenario>>,
    candidates: Vec<Candidate>,
    by_key: HashMap<String, usize>,
    evaluations: Vec<Evaluation>,
    stop: Option<&'a AtomicBool>,
    tick: &'a (dyn Fn(u64) + Sync),
    simulated: u64,
    /// New screening/search evaluations left.
    budget: usize,
}

impl<'a> Evaluator<'a> {
    /// The candidate at `u` (registered on first sight).
    fn candidate(&mut self, u: &[f64], stage: &'static str) -> usize {
        let changes = self.space.changes(u);
        let key = changes
            .iter()
            .map(|(k, v)| format!("{k} = {v}"))
            .collect::<Vec<_>>()
            .join("; ");
        if let Some(&i) = self.by_key.get(&key) {
            return i;
        }
        let invalid = match scenario_of(self.s, self.space, &changes) {
            Ok(sc) => {
                self.scenarios.insert(key.clone(), Some(sc));
                None
            }
            Err(e) => {
                self.scenarios.insert(key.clone(), None);
                Some(e)
            }
        };
        let id = self.candidates.len() + 1;
        self.candidates.push(Candidate {
            id,
            u: u.to_vec(),
            changes,
            key: key.clone(),
            invalid,
            stage,
        });
        self.by_key.insert(key, id - 1);
        id - 1
    }

    /// Makes sure the store holds trials 0..n of `seed` for each of `keys` (simulating what
    /// it lacks, all of it in one parallel pass) and journals what was simulated.
    fn ensure(&mut self, keys: &[String], seed: u64, n: u64) -> Result<(), RunError> {
        if self.stop.is_some_and(|f| f.load(Ordering::SeqCst)) {
            return Err(RunError::OptimiseInterrupted {
                evaluations: self.evaluations.len(),
            });
        }
        let width = self.tracked.len();
        let mut jobs: Vec<(usize, u64)> = Vec::new();
        let mut firsts = Vec::with_capacity(keys.len());
        for (k, key) in keys.iter().enumerate() {
            let have = self
                .store
                .get(&(key.clone(), seed))
                .map_or(0, |v| (v.len() / width) as u64);
            firsts.push(have);
            jobs.extend((have..n).map(|t| (k, t)));
        }
        if jobs.is_empty() {
            return Ok(());
        }
        let scenarios: Vec<&Scenario> = keys
            .iter()
            .map(|k| {
                if k == AS_WRITTEN {
                    self.s
                } else {
                    self.scenarios[k]
                        .as_ref()
                        .expect("only valid candidates are run")
                }
            })
            .collect();
        let bound: crate::engine::BlockBound = std::sync::Arc::new(u64::MAX.into());
        let (level, tracked, tick) = (self.o.level, &self.tracked, self.tick);
        let rows: Vec<(Vec<f64>, Option<crate::engine::Abort>)> = jobs
            .par_iter()
            .map(|&(k, t)| {
                let out = crate::engine::in_block(&bound, t, || {
                    crate::runner::run_level(scenarios[k], seed, t, level)
                });
                tick(1);
                (
                    tracked.iter().map(|m| out.metrics[m.index()]).collect(),
                    out.aborted,
                )
            })
            .collect();
        for (&(k, t), (_, aborted)) in jobs.iter().zip(&rows) {
            match aborted {
                Some(crate::engine::Abort::WorkBound) => {
                    return Err(crate::runner::work_bound(scenarios[k], t, level).into());
                }
                Some(_) => {
                    return Err(RunError::OptimiseInterrupted {
                        evaluations: self.evaluations.len(),
                    });
                }
                None => {}
            }
        }
        self.simulated += jobs.len() as u64;
        let mut at = 0;
        for (k, key) in keys.iter().enumerate() {
            let count = (n - firsts[k]) as usize;
            let values: Vec<f64> = rows[at..at + count]
                .iter()
                .flat_map(|r| r.0.iter().copied())
                .collect();
            at += count;
            if values.is_empty() {
                continue;
            }
            if let Some(j) = self.journal.as_mut() {
                j.append(key, seed, firsts[k], &values)?;
            }
            self.store
                .entry((key.clone(), seed))
                .or_default()
                .extend(values);
        }
        Ok(())
    }

    /// Estimates candidates `ids` on trials 0..n of `seed` (with the scenario as written for
    /// the paired differences), recording each estimate under `stage`.
    fn estimate(
        &mut self,
        ids: &[usize],
        seed: u64,
        n: u64,
        stage: &'static str,
    ) -> Result<Vec<Evaluation>, RunError> {
        let mut keys = vec![AS_WRITTEN.to_string()];
        let valid: Vec<usize> = ids
            .iter()
            .copied()
            .filter(|&i| self.candidates[i].invalid.is_none())
            .collect();
        keys.extend(valid.iter().map(|&i| self.candidates[i].key.clone()));
        self.ensure(&keys, seed, n)?;
        let width = self.tracked.len();
        let reference = &self.store[&(AS_WRITTEN.to_string(), seed)];
        let mut out = Vec::new();
        for &i in ids {
            let mut value = vec![Moments::default(); width];
            let mut diff = vec![Moments::default(); width];
            if self.candidates[i].invalid.is_none() {
                let v = &self.store[&(self.candidates[i].key.clone(), seed)];
                for t in 0..n as usize {
                    for m in 0..width {
                        let (x, r) = (v[t * width + m], reference[t * width + m]);
                        if x.is_finite() {
                            value[m].add(x);
                            if r.is_finite() {
                                diff[m].add(x - r);
                            }
                        }
                    }
                }
            }
            out.push(Evaluation {
                candidate: i,
                stage,
                seed,
                trials: n,
                value: value.iter().map(estimate).collect(),
                diff: diff.iter().map(estimate).collect(),
            });
        }
        self.evaluations.extend(out.iter().cloned());
        Ok(out)
    }

    /// The reference's own estimate (paired differences exactly zero).
    fn reference(&mut self, seed: u64, n: u64) -> Result<Evaluation, RunError> {
        self.ensure(&[AS_WRITTEN.to_string()], seed, n)?;
        let width = self.tracked.len();
        let v = &self.store[&(AS_WRITTEN.to_string(), seed)];
        let mut value = vec![Moments::default(); width];
        let mut diff = vec![Moments::default(); width];
        for t in 0..n as usize {
            for m in 0..width {
                let x = v[t * width + m];
                if x.is_finite() {
                    value[m].add(x);
                    diff[m].add(0.0);
                }
            }
        }
        Ok(Evaluation {
            candidate: usize::MAX,
            stage: "reference",
            seed,
            trials: n,
            value: value.iter().map(estimate).collect(),
            diff: diff.iter().map(estimate).collect(),
        })
    }

    fn position(&self, m: Metric) -> usize {
        self.tracked.iter().position(|t| *t == m).expect("tracked")
    }

    /// The total constraint shortfall of an estimate (0 when every constraint is met).
    fn shortfall(&self, e: &Evaluation) -> f64 {
        if self.candidates[e.candidate].invalid.is_some() {
            return f64::INFINITY;
        }
        self.o
            .constraints
            .iter()
            .map(|c| c.shortfall(e.value[self.position(c.metric)].mean))
            .sum()
    }

    /// Objective `g`'s value in an estimate, signed so that higher is better.
    fn objective(&self, e: &Evaluation, g: usize) -> f64 {
        let goal = self.o.objectives[g];
        let v = e.value[self.position(goal.metric)].mean;
        let v = if goal.maximise { v } else { -v };
        if v.is_nan() { f64::NEG_INFINITY } else { v }
    }

    /// The penalised score the local search maximises (objective `g`).
    fn score(&self, e: &Evaluation, g: usize) -> f64 {
        let s = self.shortfall(e);
        if s.is_infinite() {
            return f64::NEG_INFINITY;
        }
        self.objective(e, g) - PENALTY * s
    }

    /// Ranks estimates best first on objective `g`: feasible before infeasible, feasible ones
    /// by the objective, infeasible ones by their shortfall; ties by candidate id.
    fn rank(&self, evals: &mut [Evaluation], g: usize) {
        evals.sort_by(|a, b| {
            let (sa, sb) = (self.shortfall(a), self.shortfall(b));
            let fa = sa == 0.0;
            let fb = sb == 0.0;
            fb.cmp(&fa)
                .then_with(|| {
                    if fa {
                        self.objective(b, g).total_cmp(&self.objective(a, g))
                    } else {
                        sa.total_cmp(&sb)
                    }
                })
                .then_with(|| a.candidate.cmp(&b.candidate))
        });
    }

    /// Evaluates one new point on the screening trials (or returns its estimate if seen).
    fn screen_one(&mut self, u: &[f64], stage: &'static str) -> Result<Evaluation, RunError> {
        let before = self.candidates.len();
        let i = self.candidate(u, stage);
        if self.candidates.len() > before {
            self.budget = self.budget.saturating_sub(1);
        }
        let (seed, n) = (self.o.seed, self.o.trials);
        let e = self.estimate(&[i], seed, n, stage)?;
        Ok(e.into_iter().next().expect("one estimate"))
    }
}

/// The screening design: every combination when the space is of choices only and small;
/// otherwise the corners of the ranges (when there are at most [`MAX_CORNERS`]: an
/// allocation that puts the whole cut on one or two lines is a corner, which a sequence that
/// fills the inside seldom comes near), then points of a scrambled Sobol sequence (the same
/// for a given seed) up to `n` in all.
fn design(space: &Space, n: usize, seed: u64) -> Vec<Vec<f64>> {
    let d = space.dims.len();
    if space.dims.iter().all(|x| !x.is_range()) {
        let sizes: Vec<usize> = space
            .dims
            .iter()
            .map(|x| match &x.kind {
                crate::scenario::search::DimKind::Choices(c) => c.len(),
                _ => 1,
            })
            .collect();
        let total: usize = sizes.iter().product();
        if total <= n {
            return (0..total)
                .map(|mut k| {
                    sizes
                        .iter()
                        .map(|&s| {
                            let i = k % s;
                            k /= s;
                            (i as f64 + 0.5) / s as f64
                        })
                        .collect()
                })
                .collect();
        }
    }
    let ranges: Vec<usize> = (0..d).filter(|&i| space.dims[i].is_range()).collect();
    let mut points: Vec<Vec<f64>> = Vec::new();
    if !ranges.is_empty()
        && ranges.len() < 8
        && (1usize << ranges.len()) <= MAX_CORNERS.min(n - n / 4)
    {
        for mask in 0..(1usize << ranges.len()) {
            // Choices at their first value; the Sobol points vary them.
            let mut u = vec![0.0; d];
            for (b, &i) in ranges.iter().enumerate() {
                u[i] = if mask >> b & 1 == 1 { 1.0 } else { 0.0 };
            }
            points.push(u);
        }
    }
    let scramble = (seed ^ (seed >> 32)) as u32;
    let rest = n - points.len();
    points.extend((0..rest).map(|i| {
        (0..d)
            .map(|j| f64::from(sobol_burley::sample(i as u32, j as u32, scramble)))
            .collect()
    }));
    points
}

/// How many points the screening design has for a search of `evaluations` candidates.
fn screen_size(space: &Space, evaluations: usize) -> usize {
    let d = space.dims.len();
    (8 * d + MAX_CORNERS.min(1 << d))
        .clamp(16, 96)
        .min(evaluations.div_ceil(2).max(1))
}

/// Whether the screening includes the corners of the ranges (see [`design`]).
fn corners_screened(space: &Space, evaluations: usize) -> bool {
    let ranges = space.dims.iter().filter(|x| x.is_range()).count();
    let n = screen_size(space, evaluations);
    ranges > 0 && ranges < 8 && (1usize << ranges) <= MAX_CORNERS.min(n - n / 4)
}

/// The fewest `--evaluations` with which the screening includes the corners of the ranges,
/// if any number does (at most five ranges).
pub fn evaluations_for_corners(space: &Space) -> Option<usize> {
    (4..=command::MAX_EVALUATIONS).find(|&e| corners_screened(space, e))
}

/// Most corners the screening design includes (five ranges).
pub const MAX_CORNERS: usize = 32;

/// Nelder–Mead on the continuous coordinates of `start` (the choices held), maximising the
/// penalised score of objective `g` on the screening trials, until `budget` new candidates
/// have been evaluated or the simplex has shrunk to nothing.
fn local_search(
    ev: &RefCell<Evaluator>,
    start: &[f64],
    g: usize,
    budget: usize,
) -> Result<(), RunError> {
    use argmin::core::{CostFunction, Executor};
    use argmin::solver::neldermead::NelderMead;
    let free: Vec<usize> = {
        let e = ev.borrow();
        (0..start.len())
            .filter(|&i| e.space.dims[i].is_range())
            .collect()
    };
    if free.is_empty() || budget == 0 {
        return Ok(());
    }
    struct Problem<'b, 'a> {
        ev: &'b RefCell<Evaluator<'a>>,
        start: Vec<f64>,
        free: Vec<usize>,
        g: usize,
        stop_at: usize,
        error: &'b RefCell<Option<RunError>>,
    }
    impl CostFunction for Problem<'_, '_> {
        type Param = Vec<f64>;
        type Output = f64;
        fn cost(&self, x: &Vec<f64>) -> Result<f64, argmin::core::Error> {
            let mut u = self.start.clone();
            for (k, &i) in self.free.iter().enumerate() {
                u[i] = x[k].clamp(0.0, 1.0);
            }
            let mut ev = self.ev.borrow_mut();
            if ev.budget <= self.stop_at
                && !ev.by_key.contains_key(
                    &ev.space
                        .changes(&u)
                        .iter()
                        .map(|(k, v)| format!("{k} = {v}"))
                        .collect::<Vec<_>>()
                        .join("; "),
                )
            {
                return Err(argmin::core::Error::msg("evaluation budget spent"));
            }
            match ev.screen_one(&u, "search") {
                // Minimised, so the score's negative; a point outside the cube costs its
                // distance too, so the simplex comes back rather than sliding along an edge.
                Ok(e) => {
                    let out: f64 = x.iter().map(|v| (v - v.clamp(0.0, 1.0)).abs()).sum();
                    let s = ev.score(&e, self.g);
                    Ok(if s.is_finite() { -s + out } else { 1e9 + out })
                }
                Err(err) => {
                    *self.error.borrow_mut() = Some(err);
                    Err(argmin::core::Error::msg("stopped"))
                }
            }
        }
    }
    let stop_at = ev.borrow().budget.saturating_sub(budget);
    let x0: Vec<f64> = free.iter().map(|&i| start[i]).collect();
    // The first simplex: the start and a step of 0.2 along each free coordinate (inward).
    let mut simplex = vec![x0.clone()];
    for k in 0..x0.len() {
        let mut v = x0.clone();
        v[k] = if v[k] + 0.2 <= 1.0 {
            v[k] + 0.2
        } else {
            v[k] - 0.2
        };
        simplex.push(v);
    }
    let error = RefCell::new(None);
    let problem = Problem {
        ev,
        start: start.to_vec(),
        free,
        g,
        stop_at,
        error: &error,
    };
    let solver = NelderMead::new(simplex)
        .with_sd_tolerance(1e-5)
        .map_err(|e| InputError::Option {
            what: "optimise".into(),
            problem: e.to_string(),
            hint: "report this as a bug".into(),
        })?;
    // The search stops by an error when the budget is spent (the best point is taken from
    // every candidate evaluated, not from the solver); a stop or a failed trial is the
    // error kept in `error`.
    let _ = Executor::new(problem, solver)
        .configure(|state| state.max_iters(budget as u64 * 2))
        .run();
    match error.into_inner() {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// Runs the search. `journal` and `store` carry a resumed search's evaluations; `tick` is
/// called once per trial-level simulated.
pub fn search(
    s: &Scenario,
    o: &Options,
    journal: Option<journal::Journal>,
    store: journal::Store,
    stop: Option<&AtomicBool>,
    tick: &(dyn Fn(u64) + Sync),
) -> Result<(Outcome, Option<journal::Journal>), RunError> {
    let space = s.search.as_ref().ok_or_else(|| InputError::Option {
        what: "optimise".into(),
        problem: format!("scenario \"{}\" has no [search] table", s.name),
        hint: "declare the levers to search, e.g. [search] \"budget.cut.shares.procurement\" = { min = 0.0, max = 1.0 } (docs/POLICIES.md)".into(),
    })?;
    let ev = RefCell::new(Evaluator {
        s,
        space,
        o,
        tracked: tracked(o),
        store,
        journal,
        scenarios: HashMap::new(),
        candidates: Vec::new(),
        by_key: HashMap::new(),
        evaluations: Vec::new(),
        stop,
        tick,
        simulated: 0,
        budget: o.evaluations,
    });
    // 1. Screening.
    let n_screen = screen_size(space, o.evaluations);
    let points = design(space, n_screen, o.seed);
    let mut screened = Vec::new();
    for u in &points {
        screened.push(ev.borrow_mut().screen_one(u, "screen")?);
    }
    // 2. Local search from the best two screened points per objective.
    let goals = o.objectives.len();
    for g in 0..goals {
        let mut ranked = screened.clone();
        ev.borrow().rank(&mut ranked, g);
        let starts: Vec<Vec<f64>> = ranked
            .iter()
            .take(2)
            .map(|e| ev.borrow().candidates[e.candidate].u.clone())
            .collect();
        for (k, u) in starts.iter().enumerate() {
            let left = ev.borrow().budget;
            let share = left / (goals - g) / (starts.len() - k);
            local_search(&ev, u, g, share)?;
        }
    }
    // 3. Racing: the best few on ever more trials of the same seed.
    let mut all: Vec<Evaluation> = {
        let e = ev.borrow();
        let mut seen = std::collections::HashSet::new();
        e.evaluations
            .iter()
            .filter(|x| x.trials == o.trials && x.seed == o.seed && seen.insert(x.candidate))
            .filter(|x| e.candidates[x.candidate].invalid.is_none())
            .cloned()
            .collect()
    };
    let (chosen, in_sample) = if goals == 1 {
        ev.borrow().rank(&mut all, 0);
        let mut pool: Vec<usize> = all.iter().take(RACERS).map(|e| e.candidate).collect();
        let mut n = o.trials;
        let mut last: Vec<Evaluation> = all.iter().take(RACERS).cloned().collect();
        while pool.len() > 1 {
            n *= 2;
            let mut evals = ev.borrow_mut().estimate(&pool, o.seed, n, "race")?;
            ev.borrow().rank(&mut evals, 0);
            let keep = pool.len().div_ceil(2);
            evals.truncate(keep);
            pool = evals.iter().map(|e| e.candidate).collect();
            last = evals;
        }
        (pool, last)
    } else {
        let e = ev.borrow();
        let front = pareto(&e, &all);
        drop(e);
        let pool: Vec<usize> = spread_pick(&ev.borrow(), front, RACERS);
        let evals = ev
            .borrow_mut()
            .estimate(&pool, o.seed, o.trials * 4, "race")?;
        let e = ev.borrow();
        let mut front: Vec<Evaluation> = pareto(&e, &evals).into_iter().cloned().collect();
        e.rank(&mut front, 0);
        (front.iter().map(|x| x.candidate).collect(), front)
    };
    // 4. Fresh trials of another seed for the chosen, and the reference beside them.
    let fresh = ev
        .borrow_mut()
        .estimate(&chosen, o.fresh_seed, o.fresh_trials, "fresh")?;
    let reference_fresh = ev.borrow_mut().reference(o.fresh_seed, o.fresh_trials)?;
    let e = ev.into_inner();
    let feasible = in_sample.iter().map(|x| e.shortfall(x) == 0.0).collect();
    Ok((
        Outcome {
            tracked: e.tracked.clone(),
            candidates: e.candidates,
            evaluations: e.evaluations,
            chosen,
            in_sample,
            fresh,
            reference_fresh,
            feasible,
            simulated: e.simulated,
            corners: (
                corners_screened(space, o.evaluations),
                evaluations_for_corners(space),
            ),
        },
        e.journal,
    ))
}

/// The non-dominated estimates (two objectives, higher better after signing): feasible ones
/// if any are, otherwise those of least shortfall.
fn pareto<'e>(ev: &Evaluator, evals: &'e [Evaluation]) -> Vec<&'e Evaluation> {
    let least = evals
        .iter()
        .map(|x| ev.shortfall(x))
        .fold(f64::INFINITY, f64::min);
    let pool: Vec<&Evaluation> = evals.iter().filter(|x| ev.shortfall(x) <= least).collect();
    pool.iter()
        .copied()
        .filter(|a| {
            !pool.iter().any(|b| {
                let (a0, a1) = (ev.objective(a, 0), ev.objective(a, 1));
                let (b0, b1) = (ev.objective(b, 0), ev.objective(b, 1));
                b0 >= a0 && b1 >= a1 && (b0 > a0 || b1 > a1)
            })
        })
        .collect()
}

/// At most `k` of a front, spread along the first objective (its ends kept).
fn spread_pick(ev: &Evaluator, mut front: Vec<&Evaluation>, k: usize) -> Vec<usize> {
    front.sort_by(|a, b| {
        ev.objective(b, 0)
            .total_cmp(&ev.objective(a, 0))
            .then(a.candidate.cmp(&b.candidate))
    });
    if front.len() <= k {
        return front.iter().map(|e| e.candidate).collect();
    }
    (0..k)
        .map(|i| front[i * (front.len() - 1) / (k - 1)].candidate)
        .collect()
}
