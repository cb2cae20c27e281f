//! The commands behind the CLI, as library functions: validate, run (simulate and write the
//! output folder) and trace (one trial's event log). `main.rs` only parses and prints.

use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime};

use crate::charts::{ChartData, Source};
use crate::error::{InputError, RunError};
use crate::model::run_trial;
use crate::model::{budget, crisis};
use crate::output::folder;
use crate::output::{self, csv as out_csv, json as out_json};
use crate::parts::{self, RunParts};
use crate::publish::{Finish, check_out_dir, draw_visuals, finish, write_visuals};
use crate::runner::{self, Precision};
use crate::scenario::{self, Line, Named, Scenario};
use crate::shard;

/// Options of `dipcap run` after parsing.
#[derive(Debug, Clone)]
pub struct RunOptions {
    pub scenario: PathBuf,
    pub trials: Option<u64>,
    pub seed: Option<u64>,
    pub threads: usize,
    pub out: Option<PathBuf>,
    pub progress: bool,
    /// Draw the charts and write `report.html` (`--no-charts` turns this off).
    pub charts: bool,
    /// `--target-ci`: run blocks of trials until the intervals are narrow enough.
    pub precision: Option<crate::runner::Precision>,
    /// `--resume`: continue the interrupted run in the output folder.
    pub resume: bool,
    /// `--shard I/N`: run only the I-th of N contiguous parts of the trials into a shard
    /// folder, to be merged with `dipcap merge`.
    pub shard: Option<(usize, usize)>,
    /// `--format`: CSV, or Parquet for `trials` and `yearly` (for a shard: how the merge
    /// writes them unless `dipcap merge --format` says otherwise).
    pub format: crate::output::parquet::Format,
}

pub struct RunReport {
    pub out_dir: PathBuf,
    pub levels: Vec<f64>,
    pub trials: u64,
    /// Per level, the mean of each metric (in `Metric::ALL` order), for the terminal.
    pub means: Vec<Vec<f64>>,
    pub threads: usize,
    /// The trial a `--resume` continued from (0 for a fresh run).
    pub resumed_at: u64,
    /// Seconds spent simulating, as the manifest records them.
    pub sim_seconds: f64,
    /// One line per policy for the terminal: its paired difference from the scenario as
    /// written at the deepest level.
    pub policies: Vec<String>,
    /// Seconds in all, with the outputs, charts and report written.
    pub wall_seconds: f64,
    pub files: Vec<String>,
}

pub use crate::runner::MAX_TRIALS;

fn check_trials(trials: u64) -> Result<u64, InputError> {
    if trials == 0 || trials > MAX_TRIALS {
        return Err(InputError::Option {
            what: "--trials".into(),
            problem: format!("{trials} trials is out of range"),
            hint: format!("use a number from 1 to {MAX_TRIALS}"),
        });
    }
    Ok(trials)
}

/// What the results of a run depend on: a resumed run must match it exactly.
fn plan(
    s_sha256: &str,
    seed: u64,
    trials: u64,
    levels: &[f64],
    p: Option<&Precision>,
    shard: Option<(usize, usize)>,
) -> String {
    let precision = p.map(|p| {
        serde_json::json!({
            "targets": p.targets.iter().map(|(m, hw)| format!("{}={}", m.name(), output::num(*hw))).collect::<Vec<_>>(),
            "block": p.block,
            "max_trials": p.max_trials,
        })
    });
    let v = serde_json::json!({
        "dipcap_version": env!("CARGO_PKG_VERSION"),
        "scenario_sha256": s_sha256,
        "seed": seed,
        "trials": if p.is_some() { serde_json::Value::Null } else { trials.into() },
        "levels": levels,
        "precision": precision,
        "shard": shard.map(|(i, n)| format!("{i}/{n}")),
    });
    let mut t = serde_json::to_string_pretty(&v).unwrap_or_default();
    t.push('\n');
    t
}

/// A run about to start: the scenario as read, the trials this process runs and where.
struct Prepared {
    s: Scenario,
    /// The scenario file's bytes (hashed into the manifest, carried by a shard).
    bytes: Vec<u8>,
    scenario_sha256: String,
    trials: u64,
    seed: u64,
    /// The trials this process runs: all of them, or its shard's.
    range: std::ops::Range<u64>,
    out_dir: PathBuf,
}

/// Reads and checks everything a run needs before any file is touched.
fn prepare(opts: &RunOptions) -> Result<Prepared, RunError> {
    // Read once: the bytes hashed into the manifest (and carried by a shard) are the bytes
    // simulated, even if the file changes while the run starts.
    let text = scenario::read_text(&opts.scenario)?;
    let s = scenario::parse_str(&text, &opts.scenario)?;
    let bytes = text.into_bytes();
    let trials = check_trials(opts.trials.unwrap_or(s.trials))?;
    let seed = opts.seed.unwrap_or(s.seed);
    // A shard never defaults into the run's own folder, where it would sit beside (and be
    // merged over) a full run's results.
    let out_dir = opts.out.clone().unwrap_or_else(|| match opts.shard {
        None => Path::new("output").join(&s.name),
        Some((i, n)) => Path::new("output").join(format!("{}-shard-{i}-of-{n}", s.name)),
    });
    check_out_dir(&out_dir)?;
    let scenario_sha256 = out_json::sha256_hex(&bytes);
    let range = match opts.shard {
        None => 0..trials,
        Some((i, n)) => {
            if opts.precision.is_some() {
                return Err(InputError::Option {
                    what: "--shard with --target-ci".into(),
                    problem: "adaptive precision decides when to stop from all trials together, so it cannot be split into shards".into(),
                    hint: "choose the number of trials with --trials when sharding".into(),
                }
                .into());
            }
            crate::shard::trial_range(trials, i, n)
        }
    };
    Ok(Prepared {
        s,
        bytes,
        scenario_sha256,
        trials,
        seed,
        range,
        out_dir,
    })
}

/// The trials of a run, simulated and streamed to the parts folder.
struct Simulated {
    acc: crate::stats::accumulator::Accumulator,
    parts: RunParts,
    pool: rayon::ThreadPool,
    threads: usize,
    resumed_at: u64,
}

/// Runs the prepared trials (resuming when asked), with rows and checkpoints streamed to
/// `<out>/.dipcap-parts/`. A stop (Ctrl-C, SIGTERM) checkpoints and returns `Interrupted`.
fn simulate(opts: &RunOptions, p: &Prepared) -> Result<Simulated, RunError> {
    let (s, levels, range) = (&p.s, &p.s.budget.levels, &p.range);
    let plan_text = plan(
        &p.scenario_sha256,
        p.seed,
        p.trials,
        levels,
        opts.precision.as_ref(),
        opts.shard,
    );
    let parts_dir = p.out_dir.join(folder::PARTS);
    output::remove_stale_temporaries(&p.out_dir);
    let (mut parts, start) = if opts.resume {
        RunParts::resume(&parts_dir, &plan_text, levels.len())?
    } else {
        let (parts, mut start) =
            RunParts::fresh(&parts_dir, &plan_text, levels.len(), runner::accumulator(s))?;
        start.next_trial = range.start;
        (parts, start)
    };
    let resumed_at = start.next_trial - range.start;

    let pool = crate::runner::thread_pool(opts.threads)?;
    let threads = pool.current_num_threads();
    let (len, unit) = match &opts.precision {
        None => (range.end - range.start, "trials"),
        Some(p) => (p.max_trials, "trials (at most)"),
    };
    let bar = runner::progress_bar(opts.progress, len, unit, &s.name);
    bar.inc(resumed_at);
    let stop = parts::stop_flag();
    let mut sink = |first: u64,
                    outcomes: &[Vec<crate::model::TrialOutcome>],
                    acc: &crate::stats::accumulator::Accumulator| {
        parts.append(&trial_rows(levels, first, outcomes))?;
        parts.checkpoint(acc, first + outcomes.len() as u64, false)
    };
    let result = pool.install(|| {
        runner::stream(
            s,
            p.seed,
            range.end,
            opts.precision.as_ref(),
            start,
            &mut sink,
            Some(stop),
            &|n| bar.inc(n),
        )
    });
    bar.finish_and_clear();
    let streamed = result?;
    let acc = streamed.acc;
    if streamed.stopped {
        parts.checkpoint(&acc, streamed.next_trial, true)?;
        return Err(RunError::Interrupted {
            // Of this run's (or this shard's) trials, not the index of the next one.
            trials_done: streamed.next_trial - range.start,
            trials: range.end - range.start,
        });
    }
    Ok(Simulated {
        acc,
        parts,
        pool,
        threads,
        resumed_at,
    })
}

/// A block's `trials.csv` rows, per level. They are formatted in parallel, one string per trial
/// and level, then joined in trial order.
fn trial_rows(
    levels: &[f64],
    first: u64,
    outcomes: &[Vec<crate::model::TrialOutcome>],
) -> Vec<Vec<u8>> {
    use rayon::prelude::*;
    let per_trial: Vec<Vec<String>> = outcomes
        .par_iter()
        .enumerate()
        .map(|(k, o)| {
            levels
                .iter()
                .enumerate()
                .map(|(l, level)| out_csv::trial_row(*level, first + k as u64, &o[l]))
                .collect()
        })
        .collect();
    (0..levels.len())
        .map(|l| {
            per_trial
                .iter()
                .flat_map(|t| t[l].as_bytes())
                .copied()
                .collect()
        })
        .collect()
}

/// The scenario's policies on the trials `range` (the run's, or a shard's part), on the run's
/// threads: their comparison with the scenario as written, and their own accumulators and
/// rows files (in the parts folder) for `trials.csv` and `summary.csv`.
fn run_policies(
    opts: &RunOptions,
    p: &Prepared,
    pool: &rayon::ThreadPool,
    range: std::ops::Range<u64>,
) -> Result<(crate::policies::Comparison, crate::policies::PolicyRuns), RunError> {
    let mut runs = crate::policies::PolicyRuns::new(&p.s, &p.out_dir.join(folder::PARTS))?;
    let bar = runner::progress_bar(
        opts.progress,
        (range.end - range.start) * (p.s.policies.len() as u64 + 1),
        "trials × policies",
        &format!("{} policies", p.s.name),
    );
    let c = pool.install(|| {
        crate::policies::compare_with(
            &p.s,
            p.seed,
            range,
            Some(parts::stop_flag()),
            &|k| bar.inc(k),
            &mut |first, block| runs.add(first, block),
        )
    });
    bar.finish_and_clear();
    let c = c?;
    runs.flush()?;
    Ok((c, runs))
}

/// Simulates a scenario and writes the output folder. Trials run in blocks whose rows go to
/// `<out>/.dipcap-parts/` with a checkpoint every few seconds (so `--resume` can continue after
/// a kill or Ctrl-C); the output files are written only once every trial has run, each
/// atomically, and earlier results stay untouched until then.
pub fn run(opts: &RunOptions) -> Result<RunReport, RunError> {
    let started = SystemTime::now();
    let clock = Instant::now();
    let p = prepare(opts)?;
    let _lock = crate::output::folder::lock(&p.out_dir)?;
    let sim = simulate(opts, &p)?;
    let levels = p.s.budget.levels.clone();
    let (threads, resumed_at) = (sim.threads, sim.resumed_at);
    if let Some((i, n)) = opts.shard {
        let mut meta = crate::shard::RunShard {
            dipcap_shard: crate::shard::FORMAT,
            dipcap_version: env!("CARGO_PKG_VERSION").to_string(),
            shard: i,
            shards: n,
            first_trial: p.range.start,
            end_trial: p.range.end,
            trials: p.trials,
            seed: p.seed,
            levels: levels.clone(),
            scenario_path: opts.scenario.display().to_string(),
            scenario_sha256: p.scenario_sha256.clone(),
            scenario_text: String::from_utf8_lossy(&p.bytes).into_owned(),
            generator: crate::rng::GENERATOR.to_string(),
            crates: out_json::numeric_crates(),
            threads,
            started: humantime::format_rfc3339_seconds(started).to_string(),
            finished: humantime::format_rfc3339_seconds(SystemTime::now()).to_string(),
            wall_seconds: clock.elapsed().as_secs_f64(),
            files: Default::default(),
            format: opts.format,
        };
        // The shard's part of the policies' comparison, on its own trials.
        let policies = if p.s.policies.is_empty() {
            None
        } else {
            Some(run_policies(opts, &p, &sim.pool, p.range.clone())?)
        };
        // The shard's time includes its policies, as a run's does.
        meta.finished = humantime::format_rfc3339_seconds(SystemTime::now()).to_string();
        meta.wall_seconds = clock.elapsed().as_secs_f64();
        let sim_seconds = meta.wall_seconds;
        let trials_done = sim.acc.trials;
        crate::shard::write_run_shard(
            &p.out_dir,
            &meta,
            &sim.acc,
            sim.parts,
            policies.as_ref().map(|(c, r)| (c, r)),
        )?;
        return Ok(RunReport {
            out_dir: p.out_dir,
            levels,
            trials: trials_done,
            means: Vec::new(),
            threads,
            resumed_at,
            sim_seconds,
            policies: Vec::new(),
            wall_seconds: clock.elapsed().as_secs_f64(),
            files: vec![
                folder::SHARD.into(),
                folder::ACCUMULATOR.into(),
                "trials-level-*.csv (merge with `dipcap merge`)".into(),
            ],
        });
    }
    let Simulated {
        acc,
        mut parts,
        pool,
        ..
    } = sim;
    // Stopped by --max-trials before every CI was that narrow: say so (the manifest records it
    // too, with the half-widths reached).
    if let Some(pr) = opts.precision.as_ref().filter(|pr| !pr.met(&acc)) {
        for (m, target) in &pr.targets {
            let reached = (0..acc.levels)
                .map(|l| acc.half_width(l, *m))
                .fold(0.0, f64::max);
            if reached > *target {
                eprintln!(
                    "warning: --target-ci {}={target} not met after {} trials (--max-trials): the widest 95% CI half-width is {reached:.3e}; raise --max-trials or relax the target",
                    m.name(),
                    acc.trials
                );
            }
        }
    }
    // The policies, on the same trials as the run (the comparison is not checkpointed: after a
    // --resume it runs whole).
    let mut policy_lines = Vec::new();
    let mut policy_runs = None;
    let extra = if p.s.policies.is_empty() {
        Vec::new()
    } else {
        let (c, runs) = run_policies(opts, &p, &pool, 0..acc.trials)?;
        policy_runs = Some(runs);
        policy_lines = crate::policies::terminal_lines(&c);
        vec![(folder::POLICIES, crate::policies::csv(&c)?)]
    };
    let rows: Vec<Vec<PathBuf>> = parts.rows_files()?.into_iter().map(|f| vec![f]).collect();
    // The outputs and charts are made on the run's own threads, whose malloc arenas hold what
    // the trials freed. On rayon's global pool the charts started two more threads with arenas
    // of their own: the end of a 10⁶-trial run then added 17–20 MiB to the memory in use
    // (varying from run to run, and past the peak of the trials) instead of 5–6 MiB.
    let sim_seconds = clock.elapsed().as_secs_f64();
    let done = pool.install(|| {
        finish(Finish {
            s: &p.s,
            scenario_path: &opts.scenario,
            scenario_sha256: p.scenario_sha256,
            seed: p.seed,
            acc,
            rows,
            precision: opts.precision.as_ref(),
            threads,
            shards: 1,
            started,
            wall_seconds: sim_seconds,
            charts: opts.charts,
            out_dir: &p.out_dir,
            extra,
            policy_runs,
            format: opts.format,
        })
    })?;
    parts.remove()?;
    Ok(RunReport {
        out_dir: p.out_dir,
        levels,
        trials: done.trials,
        means: done.means,
        threads,
        resumed_at,
        sim_seconds,
        policies: policy_lines,
        wall_seconds: clock.elapsed().as_secs_f64(),
        files: done.files,
    })
}

/// `dipcap merge`: the outputs of the whole run (or sweep) from its shards, which must all be
/// of one run or of one sweep.
pub fn merge(
    dirs: &[PathBuf],
    out: Option<PathBuf>,
    charts: bool,
    format: Option<crate::output::parquet::Format>,
) -> Result<shard::MergeReport, RunError> {
    if dirs.is_empty() {
        return Err(shard::refuse(
            "dipcap merge".into(),
            "no shard folders given".into(),
            "list the shard folders, e.g. dipcap merge shards/* --out output/merged",
        ));
    }
    let mut runs = Vec::new();
    let mut sweeps = Vec::new();
    for d in dirs {
        // Each shard is read in full before the next, so the first bad folder is the one named.
        match shard::read(d)? {
            shard::Shard::Run(r) => runs.push(*r),
            shard::Shard::Other(json) => sweeps.push(json.parse::<crate::sweep::SweepShard>()?),
        }
    }
    if runs.is_empty() {
        return crate::sweep::merge(dirs, &sweeps, out, charts, format);
    }
    if runs.len() != dirs.len() {
        return Err(shard::refuse(
            "dipcap merge".into(),
            "mixes shards of a run with shards of a sweep".into(),
            "merge the shards of one run or of one sweep at a time",
        ));
    }
    shard::merge_runs(dirs, &runs, out, charts, format)
}

/// `dipcap plot`: redraws the charts and the report of an existing output folder (a run's or a
/// sweep's) from its files, without simulating. Returns the number of charts drawn and whether
/// a report was written (sweeps have none).
pub fn plot(out_dir: &Path) -> Result<(usize, bool), RunError> {
    if !out_dir.is_dir() {
        return Err(InputError::Option {
            what: format!("OUTPUT_DIR {}", out_dir.display()),
            problem: "is not a folder".into(),
            hint: "give the output folder of a run, e.g. output/baseline".into(),
        }
        .into());
    }
    // A shard holds part of the trials and no manifest: its numbers mean something only once
    // merged with the other shards.
    if out_dir.join(folder::SHARD).is_file() && !out_dir.join(folder::MANIFEST).is_file() {
        return Err(InputError::Option {
            what: format!("OUTPUT_DIR {}", out_dir.display()),
            problem: "is a shard folder (part of a run or sweep split with --shard), which has no charts of its own".into(),
            hint: "put the shards together first: dipcap merge SHARD_DIR… --out DIR, then dipcap plot DIR".into(),
        }
        .into());
    }
    // Read once here; a missing or unreadable manifest is named by ChartData::load.
    let manifest = std::fs::read(out_dir.join(folder::MANIFEST))
        .ok()
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok());
    if let Some(m) = &manifest {
        check_seals(out_dir, m)?;
        // A sweep's folder: its charts are redrawn from the sweep it records.
        if m.get("sweep").is_some() {
            return Ok((crate::sweep::outputs::replot(out_dir, m)?, false));
        }
        // A search's folder: its charts and report, from optimise.csv and the manifest.
        if m.get("command").and_then(|c| c.as_str()) == Some("optimise") {
            return Ok((crate::optimise::report::replot(out_dir)?, true));
        }
    }
    let data = ChartData::load(&Source::Folder(out_dir))?;
    let v = draw_visuals(&data)?;
    write_visuals(out_dir, &v)?;
    Ok((v.charts.len(), true))
}

/// The files a chart set is drawn from are those the run (or sweep) wrote: each must match the
/// seal the manifest holds for it (folders written before seals existed have none to check).
/// `trials.csv` and `sweep_trials.csv` (or their Parquet datasets `trials/` and
/// `sweep_trials/`), which the charts do not read and which may be gigabytes, are not re-read.
fn check_seals(out_dir: &Path, m: &serde_json::Value) -> Result<(), RunError> {
    let path = out_dir.join(folder::MANIFEST);
    let Some(raw) = m.get("seals") else {
        return Ok(());
    };
    let seals: std::collections::BTreeMap<String, folder::Seal> =
        serde_json::from_value(raw.clone()).map_err(|e| InputError::Option {
            what: path.display().to_string(),
            problem: format!("its `seals` are damaged ({e})"),
            hint: "run the scenario again: the files cannot be checked".into(),
        })?;
    for (name, seal) in &seals {
        let dataset = |d: &str| name.starts_with(&format!("{d}/"));
        if name == folder::TRIALS
            || name == folder::SWEEP_TRIALS
            || dataset(folder::TRIALS_DATASET)
            || dataset(folder::SWEEP_TRIALS_DATASET)
        {
            continue;
        }
        let file = out_dir.join(name);
        if let Some(why) = seal.mismatch(&file) {
            return Err(InputError::Option {
                what: file.display().to_string(),
                problem: format!("{why}; it no longer matches the run's manifest.json"),
                hint: "the folder was changed after the run: run the scenario again (or restore the file) before plotting".into(),
            }
            .into());
        }
    }
    Ok(())
}

/// `dipcap schema`: the JSON Schema of the scenario format (or of sweep files), derived from
/// the same serde types that read the files, so editors can complete and check them.
pub fn schema(sweep: bool) -> String {
    let mut schema = if sweep {
        schemars::schema_for!(crate::sweep::spec::RawSweepFile)
    } else {
        schemars::schema_for!(crate::scenario::raw::RawScenario)
    };
    let (title, what) = if sweep {
        (
            "dipcap sweep file",
            "a parameter sweep over a dipcap scenario; see docs/SWEEPS.md",
        )
    } else {
        (
            "dipcap scenario",
            "a country's defence budget, forces, partners, engagements, alliance commitments and crises; see docs/MODEL.md",
        )
    };
    schema.insert("title".into(), title.into());
    schema.insert(
        "description".into(),
        format!(
            "A dipcap {} TOML file: {what}.",
            if sweep { "sweep" } else { "scenario" }
        )
        .into(),
    );
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

/// The commented starter scenario `dipcap init NAME` writes.
const STARTER: &str = include_str!("../assets/templates/starter.toml");

/// `dipcap init NAME`: writes `NAME.toml` (or `path`), a commented scenario that validates and
/// runs. Refuses to overwrite a file.
pub fn init(name: &str, path: Option<&Path>) -> Result<PathBuf, RunError> {
    // `dipcap init myland.toml` means the scenario myland, written to myland.toml.
    let name = name.strip_suffix(".toml").unwrap_or(name);
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        || name.starts_with('.')
    {
        return Err(InputError::Option {
            what: "NAME".into(),
            problem: format!("\"{name}\" cannot name a scenario"),
            hint: "use letters, digits, '-', '_' or '.' (it also names the output folder)".into(),
        }
        .into());
    }
    let path = path
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from(format!("{name}.toml")));
    if path.exists() {
        return Err(InputError::Option {
            what: path.display().to_string(),
            problem: "already exists".into(),
            hint: "choose another name or --out path; dipcap init never overwrites a file".into(),
        }
        .into());
    }
    let text = STARTER.replace("{{name}}", name);
    // The template is tested to validate; check again so a broken build cannot write a bad file.
    scenario::parse_str(&text, &path)?;
    output::write_atomic(&path, text.as_bytes())?;
    Ok(path)
}

/// The forces, partners, posts, exercises and programmes lines of [`describe`].
fn describe_forces_and_partners(s: &Scenario, o: &mut String) {
    use std::fmt::Write;
    let f = &s.forces;
    let _ = writeln!(
        o,
        "  forces      {} units, readiness {:.2}, training {:.1} M/unit/yr, decay {:.0} d, retraining {:.0} d, shortfall {}",
        f.units,
        f.initial_readiness,
        f.training_cost,
        f.decay_days,
        f.retraining_days,
        f.training_shortfall.name()
    );
    let count = |k: scenario::PartnerKind| s.partners.iter().filter(|p| p.kind == k).count();
    let _ = writeln!(
        o,
        "  partners    {} ({}, {}, {} regional) in {}",
        s.partners.len(),
        output::count(count(scenario::PartnerKind::Ally), "ally", "allies"),
        output::count(count(scenario::PartnerKind::Partner), "partner", "partners"),
        count(scenario::PartnerKind::Regional),
        output::count(s.regions.len(), "region", "regions")
    );
    let _ = writeln!(
        o,
        "  posts       {} ({:.1} M/yr)",
        s.posts.len(),
        s.posts.iter().map(|p| p.annual_cost).sum::<f64>()
    );
    let _ = writeln!(
        o,
        "  exercises   {} per year ({:.1} M/yr)",
        s.exercises.len(),
        s.exercises.iter().map(|e| e.cost).sum::<f64>()
    );
    let _ = writeln!(
        o,
        "  programmes  {} ({:.1} M/yr)",
        s.programmes.len(),
        s.programmes.iter().map(|p| p.annual).sum::<f64>()
    );
}

/// A one-screen description of a validated scenario.
pub fn describe(s: &Scenario, path: &Path) -> String {
    use std::fmt::Write;
    let mut o = String::new();
    let _ = writeln!(
        o,
        "{}: valid scenario \"{}\"{}",
        path.display(),
        s.name,
        if s.country.is_empty() {
            String::new()
        } else {
            format!(" ({})", s.country)
        }
    );
    if !s.description.is_empty() {
        let _ = writeln!(o, "  {}", s.description);
    }
    let _ = writeln!(
        o,
        "  horizon     {} fiscal years from {}; default {} trials, seed {}",
        s.years, s.start_year, s.trials, s.seed
    );
    let levels: Vec<String> = s
        .budget
        .levels
        .iter()
        .map(|l| format!("{:.0}%", l * 100.0))
        .collect();
    let _ = writeln!(
        o,
        "  budget      {:.0} million in year 1, growth {:.1}%/yr; levels {}",
        s.budget.baseline,
        s.budget.growth * 100.0,
        levels.join(" / ")
    );
    let cut = &s.budget.cut;
    let _ = writeln!(
        o,
        "  cut         {} from FY{}, policy {}{}",
        cut.profile.describe(),
        s.start_year + cut.start_year as i64,
        cut.policy.name(),
        if cut.protected.is_empty() {
            String::new()
        } else {
            format!(
                ", protected: {}",
                cut.protected
                    .iter()
                    .map(|l| l.name())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    );
    let alloc = budget::reference_allocation(s, 0);
    let shares: Vec<String> = Line::SHARED
        .iter()
        .map(|l| format!("{} {:.0}", l.name(), alloc[*l]))
        .collect();
    let _ = writeln!(
        o,
        "  lines (M)   {}; alliance {:.0}",
        shares.join(", "),
        budget::assessed(s, 0)
    );
    describe_forces_and_partners(s, &mut o);
    if let Some(a) = &s.alliance {
        let _ = writeln!(
            o,
            "  alliance    {}: assessed {:.0} M/yr, pledge {:.1}% of GDP {:.0} M, {}",
            a.name,
            a.common_funding,
            a.pledge * 100.0,
            a.gdp,
            output::count(
                a.joint_procurement.len(),
                "joint procurement programme",
                "joint procurement programmes"
            )
        );
    }
    for c in &s.crises {
        let _ = writeln!(
            o,
            "  crisis      {}: {:.2}/yr, {:.1} {} for ~{:.0} days, window ~{} days",
            c.name,
            c.rate,
            c.units.mean(),
            if c.units.mean() == 1.0 {
                "unit"
            } else {
                "units"
            },
            c.duration_days.mean(),
            if c.window_days.mean().is_infinite() {
                "unlimited".to_string()
            } else {
                format!("{:.0}", c.window_days.mean())
            }
        );
    }
    for p in &s.policies {
        let changes: Vec<String> = p
            .changes
            .iter()
            .map(|(k, v)| format!("{k} = {v}"))
            .collect();
        let _ = writeln!(o, "  policy      {}: {}", p.name, changes.join(", "));
    }
    o
}

/// A one-screen description of a validated sweep file.
pub fn describe_sweep(sw: &crate::sweep::spec::Sweep, path: &Path) -> String {
    use crate::sweep::spec::{Design, Scale};
    use std::fmt::Write;
    let mut o = String::new();
    let _ = writeln!(
        o,
        "{}: valid sweep \"{}\" of scenario {} (\"{}\")",
        path.display(),
        sw.name,
        sw.scenario_path.display(),
        sw.base.name
    );
    if !sw.description.is_empty() {
        let _ = writeln!(o, "  {}", sw.description);
    }
    let main = crate::sweep::design::count(sw.design, sw.samples, &sw.parameters, false);
    let all = crate::sweep::design::count(sw.design, sw.samples, &sw.parameters, sw.tornado);
    let sized = match sw.design {
        Design::Grid => "the parameters' steps".to_string(),
        _ => output::count(sw.samples, "sample", "samples"),
    };
    let _ = writeln!(
        o,
        "  design      {} ({sized}): {}{}",
        sw.design.name(),
        output::count(main, "point", "points"),
        if all > main {
            format!(" + {} one at a time", all - main)
        } else {
            String::new()
        }
    );
    let levels: Vec<String> = sw
        .levels
        .iter()
        .map(|l| format!("{:.0}%", l * 100.0))
        .collect();
    let _ = writeln!(
        o,
        "  runs        {} per point and level; levels {}; seed {}",
        output::count(sw.trials as usize, "trial", "trials"),
        levels.join(" / "),
        sw.seed
    );
    let metrics: Vec<&str> = sw.metrics.iter().map(|m| m.name()).collect();
    let _ = writeln!(o, "  metrics     {}", metrics.join(", "));
    for p in &sw.parameters {
        let range = match &p.values {
            Some(v) => format!(
                "one of {}",
                v.iter()
                    .map(|x| output::num(*x))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            None => format!(
                "{} to {}{}{}",
                output::num(p.min),
                output::num(p.max),
                if p.scale == Scale::Log {
                    ", log scale"
                } else {
                    ""
                },
                if sw.design == Design::Grid {
                    format!(", {} steps", p.steps)
                } else {
                    String::new()
                }
            ),
        };
        let _ = writeln!(
            o,
            "  parameter   {}: {range} (scenario: {})",
            p.key,
            output::num(p.base)
        );
    }
    if let Some(d) = &sw.discovery {
        let _ = writeln!(o, "  discovery   where {} (PRIM)", d.condition);
    }
    if let Some(r) = &sw.robust {
        let _ = writeln!(
            o,
            "  robust      {} ways of cutting judged on {}{} (regret, satisficing)",
            sw.base.policies.len() + 1,
            r.words(&sw.levels),
            if r.constraints.is_empty() {
                String::new()
            } else {
                format!(
                    "; constraints {}",
                    r.constraints
                        .iter()
                        .map(|c| c.3.clone())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
        );
    }
    o
}

/// The event log of trial `trial` (0-based, as in `trials.csv`) at `level`, as CSV bytes.
pub fn trace(s: &Scenario, level: f64, trial: u64, seed: u64) -> Result<Vec<u8>, RunError> {
    let Some(&level) = s.budget.levels.iter().find(|l| (**l - level).abs() < 1e-9) else {
        let known: Vec<String> = s.budget.levels.iter().map(|l| output::num(*l)).collect();
        return Err(InputError::Option {
            what: "--level".into(),
            problem: format!("{level} is not one of the scenario's budget levels"),
            hint: format!("use one of: {}", known.join(", ")),
        }
        .into());
    };
    let mut crises = Vec::new();
    crisis::generate(s, seed, trial, &mut crises);
    let world = crisis::exogenous(s, seed, trial);
    let (outcome, rows) = run_trial(s, level, &crises, &world, true);
    match outcome.aborted {
        None => out_csv::trace(s, &rows.unwrap_or_default()),
        Some(crate::engine::Abort::WorkBound) => {
            Err(crate::runner::work_bound(s, trial, level).into())
        }
        Some(_) => Err(RunError::Interrupted {
            trials_done: 0,
            trials: 1,
        }),
    }
}
