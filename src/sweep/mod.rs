//! Parameter sweeps: a sweep file (`spec`) names a scenario and the keys to vary (`keypath`);
//! a design (`design`) gives the points; every point × budget level × trial is simulated with
//! the same random streams for trial k at every point and level (common random numbers); the
//! results go to tidy files (`outputs`) with sensitivity indices and scenario discovery.
//!
//! Each finished point is written at once to a part file in `<out>/.dipcap-parts/`, so an
//! interrupted sweep resumes (`--resume`) where it stopped, and the final files — assembled
//! from the parts in point order — are byte-identical to an uninterrupted run.

pub mod design;
pub use crate::scenario::keypath;
pub(crate) mod outputs;
pub mod spec;

use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime};

use rayon::prelude::*;

use crate::error::{InputError, RunError};
use crate::model::TrialOutcome;
use crate::output::records::{self, SweepRecord};
use crate::output::{self, num};
use crate::runner::{self, Precision};
use crate::stats::accumulator::Accumulator;

use design::DesignPoint;
use spec::{Overrides, Sweep};

#[derive(Debug, Clone)]
pub struct SweepOptions {
    pub file: PathBuf,
    pub overrides: Overrides,
    pub out: Option<PathBuf>,
    pub threads: usize,
    pub progress: bool,
    pub resume: bool,
    pub trial_rows: bool,
    pub charts: bool,
    pub precision: Option<Precision>,
    /// `--shard I/N`: run only the I-th of N contiguous parts of the design points.
    pub shard: Option<(usize, usize)>,
    /// `--format`: CSV, or Parquet for `sweep` and `sweep_trials`.
    pub format: crate::output::parquet::Format,
}

pub struct SweepReport {
    pub out_dir: PathBuf,
    pub points: usize,
    pub resumed: usize,
    pub wall_seconds: f64,
    /// What to print on the terminal.
    pub summary: String,
}

use crate::output::folder;
use crate::output::folder::PARTS;

fn part_name(id: usize) -> String {
    format!("point-{id:07}.csv")
}

fn trials_part_name(id: usize) -> String {
    format!("point-{id:07}-trials.csv")
}

/// Point `id`'s policies part: each policy's means and paired differences (sweeps of a
/// scenario with `[[policies]]`).
fn policies_part_name(id: usize) -> String {
    format!("point-{id:07}-policies.csv")
}

/// The part files of point `id`.
fn part_names(id: usize, trial_rows: bool, policies: bool) -> Vec<String> {
    let mut names = vec![part_name(id)];
    if trial_rows {
        names.push(trials_part_name(id));
    }
    if policies {
        names.push(policies_part_name(id));
    }
    names
}

/// Point `id`'s seal: the length and SHA-256 of each of its part files, written after them.
fn seal_name(id: usize) -> String {
    format!("point-{id:07}.seal.json")
}

/// Seals point `id`'s parts in `dir` (written last: the seal marks the point done).
fn seal_point(dir: &Path, id: usize, trial_rows: bool, policies: bool) -> Result<(), RunError> {
    let names = part_names(id, trial_rows, policies);
    let mut seals = std::collections::BTreeMap::new();
    for name in names {
        let path = dir.join(&name);
        seals.insert(
            name,
            folder::Seal::of_file(&path).map_err(|e| RunError::write(&path, e))?,
        );
    }
    let text = serde_json::to_vec_pretty(&seals).map_err(|e| RunError::Encode {
        what: seal_name(id),
        reason: e.to_string(),
    })?;
    output::write_atomic(&dir.join(seal_name(id)), &text)
}

/// Why point `id`'s parts in `dir` are not exactly those its seal recorded, if they are not.
fn point_damage(dir: &Path, id: usize, trial_rows: bool, policies: bool) -> Option<String> {
    let seal_path = dir.join(seal_name(id));
    let seals: std::collections::BTreeMap<String, folder::Seal> =
        match std::fs::read(&seal_path).map(|b| serde_json::from_slice(&b)) {
            Ok(Ok(s)) => s,
            Ok(Err(_)) => return Some(format!("{} is damaged", seal_path.display())),
            Err(_) => return Some(format!("{} is missing", seal_path.display())),
        };
    for name in part_names(id, trial_rows, policies) {
        let path = dir.join(&name);
        match seals.get(&name) {
            None => return Some(format!("{} is not sealed", path.display())),
            Some(seal) => {
                if let Some(why) = seal.mismatch(&path) {
                    return Some(format!("{} {why}", path.display()));
                }
            }
        }
    }
    None
}

/// The header of `sweep.csv` (and of every part file).
pub fn header(s: &Sweep) -> Vec<String> {
    let mut h = vec!["point".to_string()];
    h.extend(s.parameters.iter().map(|p| p.key.clone()));
    h.extend(
        [
            "level",
            "metric",
            "unit",
            "n",
            "mean",
            "sd",
            "se",
            "ci95_lo",
            "ci95_hi",
            "diff_mean",
            "diff_ci95_lo",
            "diff_ci95_hi",
            "trials",
        ]
        .map(String::from),
    );
    h
}

/// The rows of one point: per level and metric, the summary over trials and the paired
/// difference from the first level (the rows of `summary.csv`, with the point's values).
fn point_rows(s: &Sweep, p: &DesignPoint, acc: &Accumulator) -> Result<Vec<u8>, RunError> {
    let rows = output::csv::summary_rows(&s.levels, acc)
        .into_iter()
        .map(|r| SweepRecord {
            point: p.id,
            values: p.values.clone(),
            level: r.level,
            metric: r.metric,
            unit: r.unit,
            n: r.n,
            mean: r.mean,
            sd: r.sd,
            se: r.se,
            ci95_lo: r.ci95_lo,
            ci95_hi: r.ci95_hi,
            diff_mean: r.diff_mean,
            diff_ci95_lo: r.diff_ci95_lo,
            diff_ci95_hi: r.diff_ci95_hi,
            trials: acc.trials,
        });
    records::rows("sweep part", rows)
}

/// The `sweep_trials.csv` rows of a block: by trial, then level.
fn trial_rows(
    p: &DesignPoint,
    levels: &[f64],
    first: u64,
    outcomes: &[Vec<TrialOutcome>],
) -> Vec<u8> {
    let mut out = Vec::new();
    let id = format!("{},", p.id);
    for (k, o) in outcomes.iter().enumerate() {
        for (l, level) in levels.iter().enumerate() {
            out.extend_from_slice(id.as_bytes());
            out.extend_from_slice(
                crate::output::csv::trial_row(*level, first + k as u64, &o[l]).as_bytes(),
            );
        }
    }
    out
}

/// `shard.json` of a sweep shard: what it is part of, with the texts of the sweep file and of
/// its scenario so `dipcap merge` can rebuild the design without them.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq)]
pub struct SweepShard {
    pub dipcap_sweep_shard: u32,
    pub dipcap_version: String,
    pub shard: usize,
    pub shards: usize,
    pub first_point: usize,
    pub end_point: usize,
    pub points: usize,
    pub sweep_path: String,
    pub sweep_sha256: String,
    pub sweep_text: String,
    pub scenario_sha256: String,
    pub scenario_text: String,
    pub overrides: Overrides,
    /// Adaptive precision is not sharded (yet): always null.
    pub precision: Option<String>,
    pub trial_rows: bool,
    pub threads: usize,
    pub started: String,
    pub finished: String,
    pub wall_seconds: f64,
    /// `--format` of the shard's command (absent for CSV), as for a run's shard.
    #[serde(
        default,
        skip_serializing_if = "crate::output::parquet::Format::is_csv"
    )]
    pub format: crate::output::parquet::Format,
}

/// Moves a shard's finished points from the parts folder to `points/` and writes
/// `shard.json` last.
fn write_shard(
    out: &Path,
    parts: &Path,
    meta: &SweepShard,
    policies: bool,
) -> Result<(), RunError> {
    // Built beside the folder and swapped in whole (`folder::Staging`), like a run's outputs.
    let staging = folder::Staging::new(out)?;
    let marker = staging.path().join(folder::SHARD);
    let dir = staging.path().join("points");
    std::fs::create_dir_all(&dir).map_err(|e| RunError::write(&dir, e))?;
    for id in meta.first_point..meta.end_point {
        let mut names = part_names(id, meta.trial_rows, policies);
        names.push(seal_name(id));
        for name in names {
            // Linked, not moved: until the swap the points stay in the parts for --resume.
            folder::link_or_copy(&parts.join(&name), &dir.join(&name))?;
        }
    }
    let mut text = serde_json::to_vec_pretty(meta).map_err(|e| RunError::Encode {
        what: folder::SHARD.into(),
        reason: e.to_string(),
    })?;
    text.push(b'\n');
    output::write_atomic(&marker, &text)?;
    // The parts folder (now empty of these points) and the lock are carried over, then the
    // parts go.
    staging.commit()?;
    std::fs::remove_dir_all(parts).map_err(|e| RunError::write(parts, e))
}

/// `dipcap merge` of sweep shards: checks they belong together and cover every point once,
/// rebuilds the sweep from the texts they carry, and assembles the outputs as one machine
/// would.
pub fn merge(
    dirs: &[PathBuf],
    shards: &[SweepShard],
    out: Option<PathBuf>,
    charts: bool,
    format: Option<crate::output::parquet::Format>,
) -> Result<crate::shard::MergeReport, RunError> {
    use crate::shard::{check_cover, same};
    let started = SystemTime::now();
    let clock = Instant::now();
    same(dirs, shards, "dipcap version", |w| w.dipcap_version.clone())?;
    same(dirs, shards, "sweep file (SHA-256)", |w| {
        w.sweep_sha256.clone()
    })?;
    same(dirs, shards, "scenario (SHA-256)", |w| {
        w.scenario_sha256.clone()
    })?;
    same(dirs, shards, "command-line settings", |w| {
        w.overrides.clone()
    })?;
    same(dirs, shards, "--trial-rows", |w| w.trial_rows)?;
    let format = crate::shard::merged_format(
        dirs,
        &shards.iter().map(|w| w.format).collect::<Vec<_>>(),
        format,
    )?;
    let n = check_cover(
        dirs,
        &shards.iter().map(|w| w.shard).collect::<Vec<_>>(),
        &shards.iter().map(|w| w.shards).collect::<Vec<_>>(),
    )?;
    let first = &shards[0];
    let path = PathBuf::from(&first.sweep_path);
    let s = spec::load_text(
        &path,
        &first.sweep_text,
        Some(&first.scenario_text),
        &first.overrides,
    )?;
    let points = design::build(&s).map_err(|e| InputError::Option {
        what: path.display().to_string(),
        problem: e,
        hint: "use the dipcap version that made the shards".into(),
    })?;
    let mut owner = vec![PathBuf::new(); points.len()];
    for (d, w) in dirs.iter().zip(shards) {
        let r = crate::shard::point_range(points.len(), w.shard, n);
        if (w.first_point, w.end_point, w.points) != (r.start, r.end, points.len()) {
            return Err(InputError::Option {
                what: d.display().to_string(),
                problem: format!(
                    "holds points {}..{} of {}, not those of shard {}/{n}",
                    w.first_point, w.end_point, w.points, w.shard
                ),
                hint: "run the shard again".into(),
            }
            .into());
        }
        for id in r {
            owner[id] = d.join("points");
            if !owner[id].join(part_name(id)).is_file() {
                return Err(InputError::Option {
                    what: d.display().to_string(),
                    problem: format!("lacks point {id}"),
                    hint: "run the shard again".into(),
                }
                .into());
            }
            if let Some(why) = point_damage(&owner[id], id, w.trial_rows, s.robust.is_some()) {
                return Err(InputError::Option {
                    what: d.display().to_string(),
                    problem: format!("point {id}: {why}"),
                    hint: "run the shard again".into(),
                }
                .into());
            }
        }
    }
    let out_dir = out.unwrap_or_else(|| Path::new("output").join(&s.name));
    crate::shard::refuse_shard_as_out(&out_dir, dirs)?;
    crate::publish::check_out_dir(&out_dir)?;
    let _lock = crate::output::folder::lock(&out_dir)?;
    let timing = outputs::Timing {
        threads: shards.iter().map(|w| w.threads).max().unwrap_or(1),
        started: shards
            .iter()
            .filter_map(|w| humantime::parse_rfc3339(&w.started).ok())
            .min()
            .unwrap_or(started),
        clock,
        earlier_seconds: shards.iter().map(|w| w.wall_seconds).sum(),
        shards: n,
    };
    let how = outputs::Assembly {
        trial_rows: first.trial_rows,
        charts,
        precision: None,
        format,
    };
    let part_dir = |id: usize| owner[id].clone();
    let result = outputs::assemble(&s, &points, &part_dir, &out_dir, &how, &timing)?;
    Ok(crate::shard::MergeReport {
        out_dir,
        shards: n,
        files: result.files,
        trials: s.trials,
        points: Some(points.len()),
    })
}

/// What a sweep's parts depend on: a resumed sweep must match it exactly.
fn plan(s: &Sweep, points: usize, o: &SweepOptions) -> String {
    let precision = o.precision.as_ref().map(|p| {
        serde_json::json!({
            "targets": p.targets.iter().map(|(m, hw)| format!("{}={}", m.name(), num(*hw))).collect::<Vec<_>>(),
            "block": p.block,
            "max_trials": p.max_trials,
        })
    });
    let v = serde_json::json!({
        "dipcap_version": env!("CARGO_PKG_VERSION"),
        "sweep_sha256": s.sweep_sha256,
        "scenario_sha256": s.scenario_sha256,
        "design": s.design.name(),
        "samples": s.samples,
        "trials": s.trials,
        "seed": s.seed,
        "levels": s.levels,
        "points": points,
        "precision": precision,
        "trial_rows": o.trial_rows,
        "shard": o.shard.map(|(i, n)| format!("{i}/{n}")),
    });
    let mut t = serde_json::to_string_pretty(&v).unwrap_or_default();
    t.push('\n');
    t
}

/// Prepares the parts folder: fresh, or (with `--resume`) kept when it belongs to this sweep.
/// Returns the ids of the points already done.
fn prepare_parts(
    dir: &Path,
    plan_text: &str,
    resume: bool,
    n: usize,
    trial_rows: bool,
    policies: bool,
) -> Result<Vec<bool>, RunError> {
    let plan_path = dir.join("plan.json");
    let mut done = vec![false; n];
    if resume {
        match std::fs::read_to_string(&plan_path) {
            Ok(old) if old == plan_text => {
                for (id, d) in done.iter_mut().enumerate() {
                    // A point whose parts are not exactly what was written (emptied, edited,
                    // truncated) is simulated again, so the outputs are those of an
                    // undamaged run; a point that never finished has no seal yet.
                    let started = dir.join(part_name(id)).exists()
                        || dir.join(trials_part_name(id)).exists()
                        || dir.join(policies_part_name(id)).exists()
                        || dir.join(seal_name(id)).exists();
                    *d = match point_damage(dir, id, trial_rows, policies) {
                        None => true,
                        Some(why) => {
                            if started && dir.join(seal_name(id)).exists() {
                                eprintln!("warning: {why}; point {id} is simulated again");
                            }
                            false
                        }
                    };
                }
                return Ok(done);
            }
            Ok(_) => {
                return Err(InputError::Option {
                    what: "--resume".into(),
                    problem: format!(
                        "the interrupted sweep in {} used other settings (sweep or scenario file, design, samples, trials, seed or dipcap version changed)",
                        dir.parent().unwrap_or(dir).display()
                    ),
                    hint: "run again without --resume to start over, or restore the settings of the interrupted run".into(),
                }
                .into());
            }
            Err(_) => {
                return Err(InputError::Option {
                    what: "--resume".into(),
                    problem: format!(
                        "there is no interrupted sweep in {}",
                        dir.parent().unwrap_or(dir).display()
                    ),
                    hint: "run without --resume (or give the --out of the interrupted run)".into(),
                }
                .into());
            }
        }
    }
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(|e| RunError::write(dir, e))?;
    }
    std::fs::create_dir_all(dir).map_err(|e| RunError::write(dir, e))?;
    output::write_atomic(&plan_path, plan_text.as_bytes())?;
    Ok(done)
}

/// Point `p`'s scenario: the base scenario's table with the point's values set.
fn point_scenario(
    s: &Sweep,
    o: &SweepOptions,
    p: &DesignPoint,
) -> Result<crate::scenario::Scenario, RunError> {
    let mut t = s.table.clone();
    for (param, v) in s.parameters.iter().zip(&p.values) {
        keypath::set_number(&mut t, &param.key, *v).map_err(|e| InputError::Option {
            what: o.file.display().to_string(),
            problem: format!("point {}: {e}", p.id),
            hint: "check the parameter keys".into(),
        })?;
    }
    spec::parse_table(&t, &s.scenario_path)
        .map_err(|e| InputError::Option {
            what: o.file.display().to_string(),
            problem: format!(
                "point {} ({}) makes the scenario invalid: {e}",
                p.id,
                s.parameters
                    .iter()
                    .zip(&p.values)
                    .map(|(q, v)| format!("{} = {}", q.key, num(*v)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            hint: "narrow the parameter ranges to combinations the scenario accepts".into(),
        })
        .map_err(RunError::from)
}

/// Simulates point `p` into the parts folder: its per-trial rows when asked, then its summary
/// part, whose presence marks the point as done.
fn run_point(s: &Sweep, o: &SweepOptions, p: &DesignPoint, parts: &Path) -> Result<(), RunError> {
    let scenario = point_scenario(s, o, p)?;
    let mut rows_file = if o.trial_rows {
        Some(output::AtomicFile::create(
            &parts.join(trials_part_name(p.id)),
        )?)
    } else {
        None
    };
    let mut sink =
        |first: u64, block: &[Vec<TrialOutcome>], _: &Accumulator| match rows_file.as_mut() {
            Some(f) => f.write_all(&trial_rows(p, &s.levels, first, block)),
            None => Ok(()),
        };
    let start = runner::Start {
        acc: runner::accumulator(&scenario),
        next_trial: 0,
    };
    let done = runner::stream(
        &scenario,
        s.seed,
        s.trials,
        o.precision.as_ref(),
        start,
        &mut sink,
        None,
        &|_| {},
    )?;
    if done.stopped {
        // A signal stopped a trial of this point: it is not sealed, so --resume runs it again.
        return Err(RunError::SweepInterrupted {
            points_done: 0,
            points: 0,
        });
    }
    if let Some(f) = rows_file {
        f.commit()?;
    }
    // The scenario's policies on the same trials (as many as the point ran), for robust
    // choice across the points.
    if s.robust.is_some() {
        let stop = crate::parts::stop_flag();
        let c = crate::policies::compare(&scenario, s.seed, done.acc.trials, Some(stop), &|_| {})
            .map_err(|e| match e {
            RunError::PoliciesInterrupted { .. } => RunError::SweepInterrupted {
                points_done: 0,
                points: 0,
            },
            other => other,
        })?;
        output::write_atomic(
            &parts.join(policies_part_name(p.id)),
            &policy_rows(s, p, &c)?,
        )?;
    }
    output::write_atomic(&parts.join(part_name(p.id)), &point_rows(s, p, &done.acc)?)?;
    // The seal is written last: it marks the point as done.
    seal_point(parts, p.id, o.trial_rows, s.robust.is_some())
}

/// The metrics of a sweep's policy rows: the sweep's metrics, then those `[robust]` reads.
pub fn policy_metrics(s: &Sweep) -> Vec<crate::metrics::Metric> {
    let mut v = s.metrics.clone();
    for m in s.robust.as_ref().map(|r| r.metrics()).unwrap_or_default() {
        if !v.contains(&m) {
            v.push(m);
        }
    }
    v
}

/// The header of `sweep_policies.csv` (and of every policies part).
pub fn policy_header(s: &Sweep) -> Vec<String> {
    let mut h = vec!["point".to_string()];
    h.extend(s.parameters.iter().map(|p| p.key.clone()));
    h.extend(
        ["policy", "level", "metric"]
            .iter()
            .chain(&crate::policies::ESTIMATE_COLUMNS)
            .map(|c| c.to_string()),
    );
    h
}

/// A point's policy rows: per policy (the scenario as written first), level and metric, the
/// mean with its 95% CI and the paired difference from the scenario as written.
fn policy_rows(
    s: &Sweep,
    p: &DesignPoint,
    c: &crate::policies::Comparison,
) -> Result<Vec<u8>, RunError> {
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    let enc = |e: csv::Error| RunError::Encode {
        what: "sweep policies part".into(),
        reason: e.to_string(),
    };
    for (k, name) in c.names.iter().enumerate() {
        for (l, level) in c.levels.iter().enumerate() {
            for m in policy_metrics(s) {
                let mut row = vec![p.id.to_string()];
                row.extend(p.values.iter().map(|x| num(*x)));
                row.extend([name.clone(), num(*level), m.name().to_string()]);
                row.extend(c.cells(k, l, m));
                w.write_record(&row).map_err(enc)?;
            }
        }
    }
    w.into_inner().map_err(|e| RunError::Encode {
        what: "sweep policies part".into(),
        reason: e.to_string(),
    })
}

/// Runs a sweep and writes its output folder.
pub fn run(o: &SweepOptions) -> Result<SweepReport, RunError> {
    let started = SystemTime::now();
    let clock = Instant::now();
    let s = spec::load(&o.file, &o.overrides)?;
    let points = design::build(&s).map_err(|e| InputError::Option {
        what: o.file.display().to_string(),
        problem: e,
        hint: "use fewer samples or parameters".into(),
    })?;
    // A shard never defaults into the sweep's own folder.
    let out_dir = o.out.clone().unwrap_or_else(|| match o.shard {
        None => Path::new("output").join(&s.name),
        Some((i, n)) => Path::new("output").join(format!("{}-shard-{i}-of-{n}", s.name)),
    });
    crate::publish::check_out_dir(&out_dir)?;
    let _lock = crate::output::folder::lock(&out_dir)?;
    output::remove_stale_temporaries(&out_dir);
    let parts = out_dir.join(PARTS);
    let plan_text = plan(&s, points.len(), o);
    let done = prepare_parts(
        &parts,
        &plan_text,
        o.resume,
        points.len(),
        o.trial_rows,
        s.robust.is_some(),
    )?;
    let mine = match o.shard {
        None => 0..points.len(),
        Some((i, n)) => {
            if o.precision.is_some() {
                return Err(InputError::Option {
                    what: "--shard with --target-ci".into(),
                    problem:
                        "not supported together yet: give a fixed --trials when sharding a sweep"
                            .into(),
                    hint: "drop --target-ci, or run the sweep on one machine".into(),
                }
                .into());
            }
            crate::shard::point_range(points.len(), i, n)
        }
    };
    let resumed = done.iter().filter(|d| **d).count();

    let pool = runner::thread_pool(o.threads)?;
    let threads = pool.current_num_threads();
    let bar = runner::progress_bar(o.progress, mine.len() as u64, "points", &s.name);
    bar.inc(resumed as u64);
    let stop = crate::parts::stop_flag();
    let result = pool.install(|| {
        points
            .par_iter()
            .filter(|p| mine.contains(&p.id) && !done[p.id])
            .try_for_each(|p| -> Result<(), RunError> {
                // Ctrl-C: no new point starts; finished points are saved in their parts.
                if stop.load(std::sync::atomic::Ordering::SeqCst) {
                    return Err(RunError::SweepInterrupted {
                        points_done: 0,
                        points: points.len(),
                    });
                }
                run_point(&s, o, p, &parts)?;
                bar.inc(1);
                Ok(())
            })
    });
    bar.finish_and_clear();
    match result {
        Err(RunError::SweepInterrupted { .. }) => {
            // Counted over this sweep's (or this shard's) points.
            let points_done = mine
                .clone()
                .filter(|id| parts.join(seal_name(*id)).is_file())
                .count();
            return Err(RunError::SweepInterrupted {
                points_done,
                points: mine.len(),
            });
        }
        other => other?,
    }

    let ran = Ran {
        o,
        s: &s,
        points: &points,
        mine,
        resumed,
        threads,
        started,
        clock,
        out_dir: &out_dir,
        parts: &parts,
    };
    match o.shard {
        Some((i, n)) => finish_shard(&ran, i, n),
        None => finish_sweep(&ran),
    }
}

/// A sweep (or a shard of one) whose points have all run.
struct Ran<'a> {
    o: &'a SweepOptions,
    s: &'a Sweep,
    points: &'a [DesignPoint],
    /// The points this process ran.
    mine: std::ops::Range<usize>,
    /// Points kept from an interrupted run.
    resumed: usize,
    threads: usize,
    started: SystemTime,
    clock: Instant,
    out_dir: &'a Path,
    parts: &'a Path,
}

/// Shard `i` of `n`: its `shard.json` and parts, for `dipcap merge`.
fn finish_shard(r: &Ran, i: usize, n: usize) -> Result<SweepReport, RunError> {
    let Ran {
        o,
        s,
        points,
        ref mine,
        resumed,
        threads,
        clock,
        out_dir,
        parts,
        ..
    } = *r;
    let meta = SweepShard {
        dipcap_sweep_shard: 1,
        dipcap_version: env!("CARGO_PKG_VERSION").to_string(),
        shard: i,
        shards: n,
        first_point: mine.start,
        end_point: mine.end,
        points: points.len(),
        sweep_path: o.file.display().to_string(),
        sweep_sha256: s.sweep_sha256.clone(),
        sweep_text: s.text.clone(),
        scenario_sha256: s.scenario_sha256.clone(),
        scenario_text: s.scenario_text.clone(),
        overrides: o.overrides.clone(),
        precision: None,
        trial_rows: o.trial_rows,
        threads,
        started: humantime::format_rfc3339_seconds(r.started).to_string(),
        finished: humantime::format_rfc3339_seconds(SystemTime::now()).to_string(),
        wall_seconds: clock.elapsed().as_secs_f64(),
        format: o.format,
    };
    write_shard(out_dir, parts, &meta, s.robust.is_some())?;
    let wall_seconds = clock.elapsed().as_secs_f64();
    Ok(SweepReport {
        out_dir: out_dir.to_path_buf(),
        points: mine.len(),
        resumed,
        wall_seconds,
        summary: format!(
            "shard {i}/{n}: points {}..{} of {} in {wall_seconds:.1} s ({}); merge the shards with `dipcap merge`\nshard in {}/\n",
            mine.start,
            mine.end,
            points.len(),
            output::count(threads, "thread", "threads"),
            out_dir.display()
        ),
    })
}

/// The whole sweep: its output folder assembled from the parts, which are then removed.
fn finish_sweep(r: &Ran) -> Result<SweepReport, RunError> {
    let Ran {
        o,
        s,
        points,
        resumed,
        threads,
        started,
        clock,
        out_dir,
        parts,
        ..
    } = *r;
    let timing = outputs::Timing {
        threads,
        started,
        clock,
        earlier_seconds: 0.0,
        shards: 1,
    };
    let how = outputs::Assembly {
        trial_rows: o.trial_rows,
        charts: o.charts,
        precision: o.precision.as_ref(),
        format: o.format,
    };
    let part_dir = |_: usize| parts.to_path_buf();
    let result = outputs::assemble(s, points, &part_dir, out_dir, &how, &timing)?;
    std::fs::remove_dir_all(parts).map_err(|e| RunError::write(parts, e))?;
    let wall_seconds = clock.elapsed().as_secs_f64();
    Ok(SweepReport {
        out_dir: out_dir.to_path_buf(),
        points: points.len(),
        resumed,
        wall_seconds,
        summary: format!(
            "{} points x {} levels x {} trials{} in {:.1} s ({}){}\n{}results in {}/ ({})\n",
            points.len(),
            s.levels.len(),
            s.trials,
            if o.precision.is_some() {
                " (adaptive: see manifest)"
            } else {
                ""
            },
            wall_seconds,
            output::count(threads, "thread", "threads"),
            if resumed > 0 {
                format!("; {resumed} points kept from the interrupted run")
            } else {
                String::new()
            },
            result.terminal,
            out_dir.display(),
            result.files.join(", ")
        ),
    })
}
