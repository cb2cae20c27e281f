//! Splitting a run or a sweep over machines and putting it back together.
//!
//! `--shard I/N` runs the I-th of N contiguous parts of the work — trials for a run, design
//! points for a sweep — into a shard folder: the rows and the accumulator (or the finished
//! points) and a `shard.json` that records what the shard is part of, including the scenario
//! text itself, so the merge needs nothing else. `dipcap merge` checks that the shards belong
//! together and cover the work exactly once, then writes the outputs of the whole run through
//! the same code as a run on one machine. Because summaries depend only on the multiset of
//! trials (exact sums, mergeable quantile sketches), the merged outputs are byte-identical to
//! the unsharded run's; only the manifest's execution fields (`started`, `finished`,
//! `wall_seconds`, `threads`, `shards`) differ.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use crate::error::{InputError, RunError};
use crate::output;
use crate::output::folder::{self, POLICIES_PART};
use crate::output::parquet::Format;
use crate::parts::RunParts;
use crate::stats::accumulator::Accumulator;
use crate::stats::codec;

/// The trials of shard `i` of `n`: contiguous, as even as possible, in trial order.
pub fn trial_range(trials: u64, i: usize, n: usize) -> std::ops::Range<u64> {
    let at = |k: usize| (trials as u128 * k as u128 / n as u128) as u64;
    at(i)..at(i + 1)
}

/// The design points of shard `i` of `n`, likewise.
pub fn point_range(points: usize, i: usize, n: usize) -> std::ops::Range<usize> {
    let r = trial_range(points as u64, i, n);
    r.start as usize..r.end as usize
}

/// Parses `I/N` (0 ≤ I < N).
pub fn parse_shard(s: &str) -> Result<(usize, usize), String> {
    let (i, n) = s
        .split_once('/')
        .ok_or_else(|| format!("write I/N, e.g. 0/4 for the first of four shards (got \"{s}\")"))?;
    let i: usize = i
        .trim()
        .parse()
        .map_err(|_| format!("\"{i}\" is not a shard number"))?;
    let n: usize = n
        .trim()
        .parse()
        .map_err(|_| format!("\"{n}\" is not a number of shards"))?;
    if n == 0 || n > 100_000 || i >= n {
        return Err(format!(
            "shard {i}/{n} does not exist: shards are numbered 0 to N − 1, N from 1 to 100000"
        ));
    }
    Ok((i, n))
}

/// The format of a run shard's `shard.json`. 2: `files` records each part's length and
/// SHA-256, checked by `merge` (format 1 had none and is refused).
pub const FORMAT: u32 = 2;

/// `shard.json` of a run shard.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RunShard {
    /// Format of this file.
    pub dipcap_shard: u32,
    pub dipcap_version: String,
    pub shard: usize,
    pub shards: usize,
    pub first_trial: u64,
    pub end_trial: u64,
    /// Trials of the whole run.
    pub trials: u64,
    pub seed: u64,
    pub levels: Vec<f64>,
    pub scenario_path: String,
    pub scenario_sha256: String,
    pub scenario_text: String,
    pub generator: String,
    pub crates: serde_json::Map<String, serde_json::Value>,
    pub threads: usize,
    pub started: String,
    pub finished: String,
    pub wall_seconds: f64,
    /// Every part of the shard (`accumulator.bin`, `trials-level-*.csv`) as it was written.
    #[serde(default)]
    pub files: std::collections::BTreeMap<String, folder::Seal>,
    /// `--format` of the shard's command: how the merge writes the outputs by default.
    /// Absent for CSV, so CSV shards' files are as before.
    #[serde(default, skip_serializing_if = "Format::is_csv")]
    pub format: Format,
}

fn rows_name(level: usize) -> String {
    format!("trials-level-{level}.csv")
}

/// A shard's `trials.csv` rows of policy `p` (1, 2, … in file order) at level `l`.
fn policy_rows_name(p: usize, level: usize) -> String {
    format!("policy-{p}-level-{level}.csv")
}

/// Checks that shard folder `dir` holds the sealed part `name`.
fn check_part(dir: &Path, r: &RunShard, name: &str) -> Result<(), RunError> {
    let path = dir.join(name);
    let problem = match r.files.get(name) {
        None => Some(format!(
            "is not recorded in {} (the shard is incomplete, or shard.json was edited)",
            folder::SHARD
        )),
        Some(_) if !path.is_file() => Some("is missing".to_string()),
        Some(seal) => seal.mismatch(&path),
    };
    match problem {
        Some(problem) => Err(refuse(
            path.display().to_string(),
            problem,
            "run that shard again with its --shard I/N",
        )),
        None => Ok(()),
    }
}

/// Writes a finished run shard: its rows, its accumulator and `shard.json` (whose presence
/// marks the shard complete), built beside the folder and swapped in whole, as a run's
/// outputs are (`folder::Staging`): an interrupted write leaves the earlier folder as it was.
pub fn write_run_shard(
    out: &Path,
    meta: &RunShard,
    acc: &Accumulator,
    mut parts: RunParts,
    policies: Option<(&crate::policies::Comparison, &crate::policies::PolicyRuns)>,
) -> Result<(), RunError> {
    let staging = folder::Staging::new(out)?;
    let dir = staging.path();
    let marker = dir.join(folder::SHARD);
    let mut meta = meta.clone();
    for (l, (file, seal)) in parts.sealed_rows()?.into_iter().enumerate() {
        // Linked, not moved: until the swap the parts stay whole for --resume.
        folder::link_or_copy(&file, &dir.join(rows_name(l)))?;
        meta.files.insert(rows_name(l), seal);
    }
    if let Some((c, runs)) = policies {
        let encoded = crate::policies::encode_shard(c, runs);
        output::write_atomic(&dir.join(POLICIES_PART), &encoded)?;
        meta.files
            .insert(POLICIES_PART.into(), folder::Seal::of_bytes(&encoded));
        for (p, levels) in runs.rows.iter().enumerate() {
            for (l, files) in levels.iter().enumerate() {
                let name = policy_rows_name(p + 1, l);
                folder::link_or_copy(&files[0], &dir.join(&name))?;
                meta.files.insert(
                    name,
                    folder::Seal::of_file(&files[0]).map_err(|e| RunError::write(&files[0], e))?,
                );
            }
        }
    }
    let encoded = codec::encode(acc);
    output::write_atomic(&dir.join(folder::ACCUMULATOR), &encoded)?;
    meta.files
        .insert(folder::ACCUMULATOR.into(), folder::Seal::of_bytes(&encoded));
    let mut text = serde_json::to_vec_pretty(&meta).map_err(|e| RunError::Encode {
        what: folder::SHARD.into(),
        reason: e.to_string(),
    })?;
    text.push(b'\n');
    output::write_atomic(&marker, &text)?;
    // The parts folder (what is left of it) and the lock are carried into the new folder.
    staging.commit()?;
    parts.remove()
}

/// The merged outputs must not be written into one of the shards being merged.
pub fn refuse_shard_as_out(out: &Path, dirs: &[PathBuf]) -> Result<(), RunError> {
    let canon = |p: &Path| std::fs::canonicalize(p).ok();
    let Some(o) = canon(out) else {
        return Ok(()); // does not exist yet: not a shard
    };
    for d in dirs {
        if canon(d).as_ref() == Some(&o) {
            return Err(refuse(
                format!("--out {}", out.display()),
                format!("is the shard folder {} being merged", d.display()),
                "give the merge a folder of its own, e.g. --out output/merged",
            ));
        }
    }
    Ok(())
}

pub(crate) fn refuse(what: String, problem: String, hint: &str) -> RunError {
    InputError::Option {
        what,
        problem,
        hint: hint.into(),
    }
    .into()
}

/// A shard folder's `shard.json`: a run's, or another kind's (a sweep's) still to be read by
/// the module that owns it ([`ShardJson::parse`]).
pub enum Shard {
    Run(Box<RunShard>),
    Other(ShardJson),
}

/// The `shard.json` of a shard that is not a run's, parsed as JSON only.
pub struct ShardJson {
    path: PathBuf,
    value: serde_json::Value,
}

fn not_understood(path: &Path) -> impl Fn(serde_json::Error) -> RunError + '_ {
    move |e| {
        refuse(
            path.display().to_string(),
            format!("is not a shard description this dipcap understands: {e}"),
            "merge with the dipcap version that made the shards, or run them again",
        )
    }
}

impl ShardJson {
    /// The shard description as `T` (e.g. a sweep's shard), or why it is not one.
    pub fn parse<T: serde::de::DeserializeOwned>(self) -> Result<T, RunError> {
        serde_json::from_value(self.value).map_err(not_understood(&self.path))
    }
}

/// Reads the `shard.json` of a folder.
pub fn read(dir: &Path) -> Result<Shard, RunError> {
    let path = dir.join(folder::SHARD);
    let text = std::fs::read_to_string(&path).map_err(|_| {
        let problem = if dir.join(folder::PARTS).is_dir() {
            "is a shard that did not finish (it was interrupted)".to_string()
        } else if !dir.is_dir() {
            "is not a folder".to_string()
        } else {
            "is not a dipcap shard folder (it has no shard.json)".to_string()
        };
        refuse(
            dir.display().to_string(),
            problem,
            "finish the shard with the same command and --resume, or run it: dipcap run|sweep FILE --shard I/N --out FOLDER",
        )
    })?;
    let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        refuse(
            path.display().to_string(),
            format!("cannot be read: {e}"),
            "run the shard again",
        )
    })?;
    if v.get("dipcap_shard").is_some() {
        Ok(Shard::Run(Box::new(
            serde_json::from_value(v).map_err(not_understood(&path))?,
        )))
    } else {
        Ok(Shard::Other(ShardJson { path, value: v }))
    }
}

/// Checks that shards numbered `index` out of `count` cover 0..n exactly once.
pub fn check_cover(dirs: &[PathBuf], index: &[usize], count: &[usize]) -> Result<usize, RunError> {
    // A damaged or edited shard.json must be refused, not trusted as an index.
    for ((d, c), i) in dirs.iter().zip(count).zip(index) {
        if !(1..=100_000).contains(c) || i >= c {
            return Err(refuse(
                d.join(folder::SHARD).display().to_string(),
                format!(
                    "says it is shard {i} of {c}, which cannot be: shards are numbered 0 to N − 1, N from 1 to 100000 (the file is damaged or was edited)"
                ),
                "run that shard again with its --shard I/N",
            ));
        }
    }
    let Some(&n) = count.first() else {
        return Err(refuse(
            "dipcap merge".into(),
            "was given no shard".into(),
            "give the shard folders: dipcap merge A B …",
        ));
    };
    for ((d, c), i) in dirs.iter().zip(count).zip(index) {
        if *c != n {
            return Err(refuse(
                d.display().to_string(),
                format!(
                    "is shard {i}/{c}, but {} is one of {n} shards",
                    dirs[0].display()
                ),
                "merge the shards of one split: all made with the same --shard I/N's N",
            ));
        }
    }
    let mut seen: Vec<Option<&PathBuf>> = vec![None; n];
    for (d, i) in dirs.iter().zip(index) {
        if let Some(first) = seen[*i] {
            return Err(refuse(
                d.display().to_string(),
                format!("is shard {i}/{n} again (also {})", first.display()),
                "give each shard once",
            ));
        }
        seen[*i] = Some(d);
    }
    let missing: Vec<String> = (0..n)
        .filter(|i| seen[*i].is_none())
        .map(|i| format!("{i}/{n}"))
        .collect();
    if !missing.is_empty() {
        return Err(refuse(
            "dipcap merge".into(),
            if missing.len() == 1 {
                format!("shard {} is missing", missing[0])
            } else {
                format!("shards {} are missing", missing.join(", "))
            },
            "run the missing shards (cluster/slurm/README.md shows how to resubmit failed array tasks) and give every shard folder",
        ));
    }
    Ok(n)
}

/// One field (`f` of each shard) that must be equal in every shard of a split.
pub fn same<S, T: PartialEq + std::fmt::Debug>(
    dirs: &[PathBuf],
    shards: &[S],
    field: &str,
    f: impl Fn(&S) -> T,
) -> Result<(), RunError> {
    let values: Vec<T> = shards.iter().map(f).collect();
    for (d, v) in dirs.iter().zip(&values).skip(1) {
        if v != &values[0] {
            return Err(refuse(
                d.display().to_string(),
                format!(
                    "belongs to another run: its {field} is {v:?}, but {:?} in {}",
                    values[0],
                    dirs[0].display()
                ),
                "merge only shards made by the same command (scenario, seed, trials, levels, dipcap version)",
            ));
        }
    }
    Ok(())
}

/// The format a merge writes: `--format` when given, else the one the shards were run with,
/// which must then be the same for all.
pub fn merged_format(
    dirs: &[PathBuf],
    formats: &[Format],
    given: Option<Format>,
) -> Result<Format, RunError> {
    if let Some(f) = given {
        return Ok(f);
    }
    for (d, f) in dirs.iter().zip(formats).skip(1) {
        if *f != formats[0] {
            return Err(refuse(
                d.display().to_string(),
                format!(
                    "was run with --format {}, but {} with --format {}",
                    f.name(),
                    dirs[0].display(),
                    formats[0].name()
                ),
                "say which the merged folder should have: dipcap merge … --format csv (or parquet)",
            ));
        }
    }
    Ok(formats.first().copied().unwrap_or_default())
}

pub struct MergeReport {
    pub out_dir: PathBuf,
    pub shards: usize,
    pub files: Vec<String>,
    /// Trials of the run, or trials per point of a sweep.
    pub trials: u64,
    /// Points of a sweep; `None` for a run.
    pub points: Option<usize>,
}

fn parse_time(s: &str) -> SystemTime {
    humantime::parse_rfc3339(s).unwrap_or(SystemTime::UNIX_EPOCH)
}

/// Checks every part of a run shard against its seal in `shard.json` before anything of it is
/// used: a row appended or deleted, a byte changed or a file replaced is refused, naming it.
fn check_parts(dir: &Path, r: &RunShard) -> Result<(), RunError> {
    let mut names = vec![folder::ACCUMULATOR.to_string()];
    names.extend((0..r.levels.len()).map(rows_name));
    for name in names {
        check_part(dir, r, &name)?;
    }
    // A folder holding a run's results as well as a shard's parts is mixed: which is meant?
    if dir.join(folder::MANIFEST).exists() {
        return Err(refuse(
            dir.display().to_string(),
            "holds a finished run's results (manifest.json) besides a shard's parts: it is a mixed folder".into(),
            "run the shard again into a folder of its own (--out)",
        ));
    }
    Ok(())
}

/// The outputs of the whole run from the shards of a run (`runs[k]` read from `dirs[k]`).
pub fn merge_runs(
    dirs: &[PathBuf],
    runs: &[RunShard],
    out: Option<PathBuf>,
    charts: bool,
    format: Option<Format>,
) -> Result<MergeReport, RunError> {
    let format = merged_format(
        dirs,
        &runs.iter().map(|r| r.format).collect::<Vec<_>>(),
        format,
    )?;
    for (d, r) in dirs.iter().zip(runs) {
        if r.dipcap_shard != FORMAT {
            return Err(refuse(
                d.join(folder::SHARD).display().to_string(),
                format!(
                    "is a shard of format {} (this dipcap merges format {FORMAT}, whose parts carry checksums)",
                    r.dipcap_shard
                ),
                "run the shard again with this dipcap",
            ));
        }
        check_parts(d, r)?;
    }
    same(dirs, runs, "dipcap version", |r| r.dipcap_version.clone())?;
    same(dirs, runs, "scenario (SHA-256)", |r| {
        r.scenario_sha256.clone()
    })?;
    same(dirs, runs, "seed", |r| r.seed)?;
    same(dirs, runs, "number of trials", |r| r.trials)?;
    same(dirs, runs, "budget levels", |r| r.levels.clone())?;
    let n = check_cover(
        dirs,
        &runs.iter().map(|r| r.shard).collect::<Vec<_>>(),
        &runs.iter().map(|r| r.shards).collect::<Vec<_>>(),
    )?;
    // The scenario travels in each shard.json with its SHA-256: the text must still match it.
    for (d, r) in dirs.iter().zip(runs) {
        if crate::output::json::sha256_hex(r.scenario_text.as_bytes()) != r.scenario_sha256 {
            return Err(refuse(
                d.join(folder::SHARD).display().to_string(),
                "carries a scenario text that does not match its SHA-256 (the file is damaged or was edited)".into(),
                "run that shard again with its --shard I/N",
            ));
        }
    }
    let first = &runs[0];
    let scenario_path = PathBuf::from(&first.scenario_path);
    let s = crate::scenario::parse_str(&first.scenario_text, &scenario_path)?;
    // Shard order: trials.csv is the rows of shard 0, then 1, … for each level.
    let mut order: Vec<usize> = (0..runs.len()).collect();
    order.sort_by_key(|&k| runs[k].shard);
    let mut acc = crate::runner::accumulator(&s);
    for &k in &order {
        let r = &runs[k];
        if r.first_trial != trial_range(r.trials, r.shard, n).start
            || r.end_trial != trial_range(r.trials, r.shard, n).end
        {
            return Err(refuse(
                dirs[k].display().to_string(),
                format!(
                    "holds trials {}..{}, not those of shard {}/{n}",
                    r.first_trial, r.end_trial, r.shard
                ),
                "run the shard again",
            ));
        }
        let path = dirs[k].join(folder::ACCUMULATOR);
        let bytes = std::fs::read(&path).map_err(|e| {
            refuse(
                path.display().to_string(),
                format!("cannot be read: {e}"),
                "run the shard again",
            )
        })?;
        let part = codec::decode(&bytes).map_err(|e| {
            refuse(
                path.display().to_string(),
                format!("is damaged: {e}"),
                "run the shard again",
            )
        })?;
        if part.trials != r.end_trial - r.first_trial {
            return Err(refuse(
                path.display().to_string(),
                format!(
                    "summarises {} trials, the shard should have {}",
                    part.trials,
                    r.end_trial - r.first_trial
                ),
                "run the shard again",
            ));
        }
        acc.merge(&part);
    }
    // The policies: each shard's part of the comparison and of their runs, in shard order.
    let mut policies = None;
    if !s.policies.is_empty() {
        let names: Vec<String> = std::iter::once(crate::scenario::policy::AS_WRITTEN.to_string())
            .chain(s.policies.iter().map(|p| p.name.clone()))
            .collect();
        let mut comparison: Option<crate::policies::Comparison> = None;
        let mut accs: Vec<Accumulator> = s
            .policies
            .iter()
            .map(|p| crate::runner::accumulator(&p.scenario))
            .collect();
        for &k in &order {
            let mut parts = vec![POLICIES_PART.to_string()];
            for p in 1..=s.policies.len() {
                parts.extend((0..s.budget.levels.len()).map(|l| policy_rows_name(p, l)));
            }
            for name in &parts {
                check_part(&dirs[k], &runs[k], name)?;
            }
            let path = dirs[k].join(POLICIES_PART);
            let bytes = std::fs::read(&path).map_err(|e| RunError::write(&path, e))?;
            let (c, a) = crate::policies::decode_shard(&s, &bytes).map_err(|e| {
                refuse(
                    path.display().to_string(),
                    format!("is damaged: {e}"),
                    "run the shard again",
                )
            })?;
            match comparison.as_mut() {
                None => comparison = Some(c),
                Some(all) => all.merge(&c),
            }
            for (x, y) in accs.iter_mut().zip(&a) {
                x.merge(y);
            }
        }
        let rows: Vec<Vec<Vec<PathBuf>>> = (1..=s.policies.len())
            .map(|p| {
                (0..s.budget.levels.len())
                    .map(|l| {
                        order
                            .iter()
                            .map(|&k| dirs[k].join(policy_rows_name(p, l)))
                            .collect()
                    })
                    .collect()
            })
            .collect();
        policies = comparison.map(|c| (c, crate::policies::PolicyRuns::merged(names, accs, rows)));
    }
    let rows: Vec<Vec<PathBuf>> = (0..s.budget.levels.len())
        .map(|l| order.iter().map(|&k| dirs[k].join(rows_name(l))).collect())
        .collect();
    for f in rows.iter().flatten() {
        if !f.is_file() {
            return Err(refuse(
                f.display().to_string(),
                "is missing".into(),
                "run that shard again",
            ));
        }
    }
    let out_dir = out.unwrap_or_else(|| Path::new("output").join(&s.name));
    refuse_shard_as_out(&out_dir, dirs)?;
    crate::publish::check_out_dir(&out_dir)?;
    let _lock = crate::output::folder::lock(&out_dir)?;
    let trials = acc.trials;
    let done = crate::publish::finish(crate::publish::Finish {
        s: &s,
        scenario_path: &scenario_path,
        scenario_sha256: first.scenario_sha256.clone(),
        seed: first.seed,
        acc,
        rows,
        precision: None,
        threads: runs.iter().map(|r| r.threads).max().unwrap_or(1),
        shards: n,
        started: runs
            .iter()
            .map(|r| parse_time(&r.started))
            .min()
            .unwrap_or(SystemTime::now()),
        wall_seconds: runs.iter().map(|r| r.wall_seconds).sum(),
        charts,
        out_dir: &out_dir,
        extra: match &policies {
            Some((c, _)) => vec![(folder::POLICIES, crate::policies::csv(c)?)],
            None => Vec::new(),
        },
        policy_runs: policies.map(|(_, r)| r),
        format,
    })?;
    Ok(MergeReport {
        out_dir,
        shards: n,
        files: done.files,
        trials,
        points: None,
    })
}
