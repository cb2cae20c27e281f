//! `dipcap optimise` as a library function: reads the scenario, checks the options, runs the
//! search with its journal (so `--resume` continues it) and writes the output folder whole
//! (`optimise.csv`, `policy.toml`, `manifest.json`, the chart) through a staging folder, so a
//! reader sees the earlier results or the new ones, never a mixture.

use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime};

use super::{Constraint, Goal, Options, journal, outputs};
use crate::error::{InputError, RunError};
use crate::metrics::Metric;
use crate::output::folder;
use crate::output::json::sha256_hex;
use crate::scenario;

/// Options of `dipcap optimise` after parsing.
#[derive(Debug, Clone)]
pub struct CommandOptions {
    pub scenario: PathBuf,
    pub level: f64,
    pub objectives: Vec<Goal>,
    pub constraints: Vec<Constraint>,
    pub trials: u64,
    pub evaluations: usize,
    pub seed: Option<u64>,
    pub fresh_seed: Option<u64>,
    pub fresh_trials: Option<u64>,
    pub threads: usize,
    pub out: Option<PathBuf>,
    pub progress: bool,
    pub resume: bool,
}

pub struct Report {
    pub out_dir: PathBuf,
    pub search: String,
    pub lines: Vec<String>,
    pub threads: usize,
    pub wall_seconds: f64,
    pub files: Vec<String>,
    /// Set when the level searched is not one of the scenario's: `dipcap run` then needs it
    /// added to `budget.levels` to reproduce the estimate.
    pub note: Option<String>,
}

/// `METRIC`, `METRIC:max` or `METRIC:min`.
pub fn parse_goal(s: &str) -> Result<Goal, String> {
    let (name, dir) = s.split_once(':').unwrap_or((s, "max"));
    let metric = metric(name)?;
    let maximise = match dir {
        "max" => true,
        "min" => false,
        other => {
            return Err(format!(
                "`{other}` is neither max nor min; write e.g. dci or unfunded:min"
            ));
        }
    };
    Ok(Goal { metric, maximise })
}

/// `METRIC>=X` or `METRIC<=X`.
pub fn parse_constraint(s: &str) -> Result<Constraint, String> {
    let (name, at_least, bound) = if let Some((m, b)) = s.split_once(">=") {
        (m, true, b)
    } else if let Some((m, b)) = s.split_once("<=") {
        (m, false, b)
    } else {
        return Err(
            "write a constraint as METRIC>=X or METRIC<=X, e.g. response_rate>=0.95".into(),
        );
    };
    let metric = metric(name.trim())?;
    let bound: f64 = bound
        .trim()
        .parse()
        .ok()
        .filter(|b: &f64| b.is_finite())
        .ok_or_else(|| format!("`{}` is not a number", bound.trim()))?;
    Ok(Constraint {
        metric,
        at_least,
        bound,
    })
}

fn metric(name: &str) -> Result<Metric, String> {
    Metric::from_name(name).ok_or_else(|| {
        format!(
            "`{name}` is not a metric of trials.csv; e.g. dci, response_rate, trust_mean, posts_open, readiness (all: docs/MODEL.md, \"Outputs\")"
        )
    })
}

fn option_error(what: &str, problem: String, hint: &str) -> RunError {
    InputError::Option {
        what: what.into(),
        problem,
        hint: hint.into(),
    }
    .into()
}

/// What the results depend on: a resumed search must match it exactly.
fn plan(sha: &str, o: &Options) -> String {
    let v = serde_json::json!({
        "dipcap_version": env!("CARGO_PKG_VERSION"),
        "scenario_sha256": sha,
        "level": o.level,
        "objectives": o.objectives.iter().map(|g| format!("{}:{}", g.metric.name(), if g.maximise { "max" } else { "min" })).collect::<Vec<_>>(),
        "constraints": o.constraints.iter().map(Constraint::text).collect::<Vec<_>>(),
        "seed": o.seed,
        "trials": o.trials,
        "evaluations": o.evaluations,
        "fresh_seed": o.fresh_seed,
        "fresh_trials": o.fresh_trials,
    });
    let mut t = serde_json::to_string_pretty(&v).unwrap_or_default();
    t.push('\n');
    t
}

/// Most candidates a search may evaluate.
pub const MAX_EVALUATIONS: usize = 10_000;

pub fn run(c: &CommandOptions) -> Result<Report, RunError> {
    let started = SystemTime::now();
    let clock = Instant::now();
    let text = scenario::read_text(&c.scenario)?;
    let s = scenario::parse_str(&text, &c.scenario)?;
    let sha = sha256_hex(text.as_bytes());
    if s.search.is_none() {
        return Err(option_error(
            &c.scenario.display().to_string(),
            format!("scenario \"{}\" declares no [search] space", s.name),
            "add a [search] table naming the levers to search and their ranges, e.g. \"budget.cut.shares.procurement\" = { min = 0.0, max = 1.0 } (docs/POLICIES.md)",
        ));
    }
    if !(c.level > 0.0 && c.level < 1.0) {
        return Err(option_error(
            "--level",
            format!("{} is not a cut level", crate::output::num(c.level)),
            "give the budget level to absorb, a fraction below 1, e.g. --level 0.8",
        ));
    }
    if c.objectives.is_empty() || c.objectives.len() > 2 {
        return Err(option_error(
            "--objective",
            format!("{} objectives given", c.objectives.len()),
            "give one objective (the best policy) or two (the Pareto front), e.g. --objective dci",
        ));
    }
    if c.objectives.len() == 2 && c.objectives[0].metric == c.objectives[1].metric {
        return Err(option_error(
            "--objective",
            format!("{} is given twice", c.objectives[0].metric.name()),
            "give two different metrics for a Pareto front",
        ));
    }
    if c.trials < 16 || c.trials > 1_000_000 {
        return Err(option_error(
            "--trials",
            format!("{} trials per candidate is out of range", c.trials),
            "use 16 to 1000000 (256 resolves differences of about 0.005 in the DCI)",
        ));
    }
    if c.evaluations < 4 || c.evaluations > MAX_EVALUATIONS {
        return Err(option_error(
            "--evaluations",
            format!("{} is out of range", c.evaluations),
            &format!("use 4 to {MAX_EVALUATIONS} candidates"),
        ));
    }
    let seed = c.seed.unwrap_or(s.seed);
    let o = Options {
        level: c.level,
        objectives: c.objectives.clone(),
        constraints: c.constraints.clone(),
        seed,
        trials: c.trials,
        evaluations: c.evaluations,
        fresh_seed: c.fresh_seed.unwrap_or(seed.wrapping_add(1)),
        fresh_trials: c.fresh_trials.unwrap_or(s.trials),
    };
    if o.fresh_seed == o.seed {
        return Err(option_error(
            "--fresh-seed",
            "the fresh seed is the search's own".into(),
            "give another seed: the fresh trials must not be the ones the search chose on",
        ));
    }
    if o.fresh_trials < 2 || o.fresh_trials > crate::runner::MAX_TRIALS {
        return Err(option_error(
            "--fresh-trials",
            format!("{} is out of range", o.fresh_trials),
            &format!("use 2 to {}", crate::runner::MAX_TRIALS),
        ));
    }
    let out_dir = c
        .out
        .clone()
        .unwrap_or_else(|| Path::new("output").join(format!("{}-optimise", s.name)));
    folder::check_out_dir(&out_dir)?;
    let _lock = folder::lock(&out_dir)?;
    let width = super::tracked(&o).len();
    let (journal, store) = journal::Journal::open(&out_dir, &plan(&sha, &o), c.resume, width)?;
    let pool = crate::runner::thread_pool(c.threads)?;
    let threads = pool.current_num_threads();
    // The bar counts trial-levels; its length is what the search would simulate with no
    // repeats (the racing and the fresh trials included), so it ends a little short.
    let races: u64 = (1..=3)
        .map(|r| (super::RACERS as u64 >> r) * (o.trials << r))
        .sum();
    let len = o.evaluations as u64 * o.trials + races + 2 * o.fresh_trials;
    let bar = crate::runner::progress_bar(
        c.progress,
        len,
        "trial-levels",
        &format!("{} optimise", s.name),
    );
    let stop = crate::parts::stop_flag();
    let result =
        pool.install(|| super::search(&s, &o, Some(journal), store, Some(stop), &|n| bar.inc(n)));
    bar.finish_and_clear();
    let (outcome, journal) = result?;
    let search_line = outputs::search_line(&o, &outcome, &outcome.evaluations);
    let lines = outputs::terminal_lines(&o, &outcome);
    let staging = folder::Staging::new(&out_dir)?;
    let mut files = vec![
        (
            folder::OPTIMISE.to_string(),
            outputs::csv(&s, &o, &outcome)?,
        ),
        (
            folder::POLICY_TOML.to_string(),
            outputs::policy_toml(&s, &c.scenario, &o, &outcome).into_bytes(),
        ),
    ];
    let manifest = outputs::manifest(
        &s,
        &c.scenario,
        &sha,
        &o,
        &outcome,
        threads,
        started,
        clock.elapsed().as_secs_f64(),
    )?;
    let visuals = super::report::files(&files[0].1, &manifest)?;
    files.push((folder::MANIFEST.to_string(), manifest));
    std::fs::create_dir_all(staging.path().join(folder::CHARTS))
        .map_err(|e| RunError::write(staging.path().join(folder::CHARTS), e))?;
    files.extend(visuals);
    for (name, bytes) in &files {
        crate::output::write_atomic(&staging.path().join(name), bytes)?;
    }
    staging.commit()?;
    if let Some(j) = journal {
        j.remove()?;
    }
    let note = (!s.budget.levels.contains(&o.level)).then(|| {
        format!(
            "level {} is not among the scenario's budget.levels: add it there for `dipcap run` to report the pasted policy at that level",
            crate::output::num(o.level)
        )
    });
    Ok(Report {
        out_dir,
        search: search_line,
        lines,
        threads,
        wall_seconds: clock.elapsed().as_secs_f64(),
        files: files.into_iter().map(|(n, _)| n).collect(),
        note,
    })
}
