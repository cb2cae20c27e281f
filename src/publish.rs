//! A finished run's output folder: the summaries from the accumulator, `trials.csv` (or its
//! Parquet dataset `trials/` with `--format parquet`) from the rows files, the manifest, the
//! charts and the report, all prepared before the first file is written and each written
//! atomically (`finish`); the charts and report alone (`draw_visuals`, `write_visuals`, also
//! used by `dipcap plot`); and the check that an output path is usable before any simulation
//! (`check_out_dir`). Runs, merged shards and sweeps all write through
//! here, so this module sits below the commands (`app`), `shard` and `sweep`.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::charts::{self, ChartData, Source};
use crate::error::RunError;
use crate::output::folder;
use crate::output::parquet::{self, Format};
use crate::output::{self, csv as out_csv, json as out_json};
use crate::report;
use crate::runner::Precision;
use crate::scenario::Scenario;

/// What the final outputs of a run are made from: a run on this machine, or merged shards.
pub struct Finish<'a> {
    pub s: &'a Scenario,
    pub scenario_path: &'a Path,
    pub scenario_sha256: String,
    pub seed: u64,
    pub acc: crate::stats::accumulator::Accumulator,
    /// Per level, the files of `trials.csv` rows in trial order.
    pub rows: Vec<Vec<PathBuf>>,
    pub precision: Option<&'a Precision>,
    pub threads: usize,
    pub shards: usize,
    pub started: SystemTime,
    pub wall_seconds: f64,
    pub charts: bool,
    pub out_dir: &'a Path,
    /// Files beside the summaries, written and sealed with them (`policies.csv`).
    pub extra: Vec<(&'static str, Vec<u8>)>,
    /// The scenario's `[[policies]]` run on the same trials: `trials.csv` and `summary.csv`
    /// then have a leading `policy` column and their rows too.
    pub policy_runs: Option<crate::policies::PolicyRuns>,
    /// CSV, or Parquet for `trials` (one partition per shard) and `yearly`.
    pub format: Format,
}

pub struct Finished {
    pub trials: u64,
    pub means: Vec<Vec<f64>>,
    pub files: Vec<String>,
}

/// `yearly.csv`'s Parquet copy.
const YEARLY_PARQUET: &str = "yearly.parquet";

/// How the manifest lists the trials of a Parquet folder.
fn trials_dataset_name(shards: usize) -> String {
    format!(
        "{}/ (Parquet, {})",
        folder::TRIALS_DATASET,
        output::count(shards, "partition", "partitions")
    )
}

/// `trials.csv` from the rows files (per level, in trial order): the scenario as written's
/// rows, then, with policies, each policy's, every row after its policy's name.
fn write_trials_csv(
    out_dir: &Path,
    rows: &[Vec<PathBuf>],
    policy_runs: Option<&crate::policies::PolicyRuns>,
) -> Result<folder::Seal, RunError> {
    let mut trials_csv = output::AtomicFile::create(&out_dir.join(folder::TRIALS))?;
    match policy_runs {
        None => {
            trials_csv.write_all(&out_csv::trials_header()?)?;
            for level_files in rows {
                for file in level_files {
                    trials_csv.append_file(file)?;
                }
            }
        }
        Some(r) => {
            trials_csv.write_all(b"policy,")?;
            trials_csv.write_all(&out_csv::trials_header()?)?;
            let as_written = out_csv::policy_cell(&r.names[0])?;
            for level_files in rows {
                for file in level_files {
                    trials_csv.append_file_prefixed(file, &as_written)?;
                }
            }
            for (name, levels) in r.names[1..].iter().zip(&r.rows) {
                let cell = out_csv::policy_cell(name)?;
                for file in levels.iter().flatten() {
                    trials_csv.append_file_prefixed(file, &cell)?;
                }
            }
        }
    }
    trials_csv.commit_sealed()
}

/// The trials as a hive-style Parquet dataset, `trials/shard=I/part-0.parquet`: one partition
/// per shard (one for a run on one machine), each holding its shard's rows in the CSV's
/// order (by policy, level, then trial). Returns each file's name and seal.
fn write_trials_parquet(
    out_dir: &Path,
    rows: &[Vec<PathBuf>],
    policy_runs: Option<&crate::policies::PolicyRuns>,
) -> Result<Vec<(String, folder::Seal)>, RunError> {
    let shards = rows.first().map_or(1, Vec::len);
    let mut header: Vec<String> = Vec::new();
    if policy_runs.is_some() {
        header.push("policy".into());
    }
    header.extend(out_csv::trials_columns());
    let partitions: Vec<Vec<parquet::Rows>> = (0..shards)
        .map(|i| {
            let mut part: Vec<parquet::Rows> = rows
                .iter()
                .map(|level| parquet::Rows {
                    data: parquet::Data::File(&level[i]),
                    prefix: policy_runs.map(|r| r.names[0].as_str()),
                })
                .collect();
            if let Some(r) = policy_runs {
                for (name, levels) in r.names[1..].iter().zip(&r.rows) {
                    part.extend(levels.iter().map(|level| parquet::Rows {
                        data: parquet::Data::File(&level[i]),
                        prefix: Some(name.as_str()),
                    }));
                }
            }
            part
        })
        .collect();
    let names: Vec<String> = (0..shards)
        .map(|i| parquet::partition(folder::TRIALS_DATASET, i, shards))
        .collect();
    let paths: Vec<PathBuf> = names.iter().map(|n| out_dir.join(n)).collect();
    let seals = parquet::write_partitions(&header, &partitions, &paths)?;
    Ok(names.into_iter().zip(seals).collect())
}

/// Writes the output folder of a complete run: summaries from the accumulator, `trials.csv`
/// from the rows files, the manifest, the charts and the report — everything prepared
/// before the first file is written, and each file written atomically.
pub fn finish(f: Finish) -> Result<Finished, RunError> {
    let Finish {
        s,
        acc,
        out_dir,
        extra,
        ..
    } = f;
    let levels = s.budget.levels.clone();
    let facts = out_json::RunFacts {
        levels: &levels,
        seed: f.seed,
        acc: &acc,
        threads: f.threads,
        precision: f.precision,
    };
    let rows = out_csv::summary_rows(&levels, &acc);
    let policy_runs = f.policy_runs;
    let summary = match &policy_runs {
        None => out_csv::summary(&rows)?,
        Some(r) => {
            let mut parts = vec![(r.names[0].as_str(), out_csv::summary(&rows)?)];
            for (name, a) in r.names[1..].iter().zip(&r.accs) {
                parts.push((
                    name.as_str(),
                    out_csv::summary(&out_csv::summary_rows(&levels, a))?,
                ));
            }
            out_csv::with_policy_column(&parts)?
        }
    };
    let mut files: Vec<(&str, Vec<u8>)> = vec![
        (folder::YEARLY, out_csv::yearly(s, &levels, &acc)?),
        (folder::SUMMARY, summary),
        (folder::SUMMARY_JSON, out_json::summary(s, &facts, &rows)?),
        (folder::PARTNERS, out_csv::partners(s, &levels, &acc)?),
        (
            folder::PARTNERS_YEARLY,
            out_csv::partners_yearly(s, &levels, &acc)?,
        ),
        (folder::PERCENTILES, out_csv::percentiles(&levels, &acc)?),
    ];
    files.extend(extra);
    let shards = f.rows.first().map_or(1, Vec::len);
    let mut names: Vec<String> = vec![match f.format {
        Format::Csv => folder::TRIALS.to_string(),
        Format::Parquet => trials_dataset_name(shards),
    }];
    names.extend(files.iter().map(|(n, _)| match f.format {
        Format::Parquet if *n == folder::YEARLY => parquet::parquet_name(n),
        _ => n.to_string(),
    }));
    names.push(folder::MANIFEST.into());
    let mut info = out_json::ManifestInfo {
        scenario_path: f.scenario_path,
        scenario_sha256: f.scenario_sha256,
        started: f.started,
        finished: SystemTime::now(),
        wall_seconds: f.wall_seconds,
        files: names.clone(),
        charts: Vec::new(),
        shards: f.shards,
    };
    let manifest = out_json::manifest(s, &facts, &info)?;
    let manifest = match f.format {
        Format::Csv => manifest,
        // Only Parquet folders say so: CSV manifests stay as they were.
        Format::Parquet => out_json::with_field(&manifest, "format", "parquet".into())?,
    };
    files.push((folder::MANIFEST, manifest));
    let trials = acc.trials;
    let means: Vec<Vec<f64>> = (0..levels.len())
        .map(|l| {
            crate::metrics::Metric::ALL
                .iter()
                .map(|m| acc.metric(l, *m).moments.mean())
                .collect()
        })
        .collect();
    // Everything needed from the accumulator is in the files now; its memory goes back before
    // the charts take theirs.
    drop(acc);
    // Charts are drawn from the bytes about to be written, exactly as `dipcap plot` would
    // draw them from the files, and before anything is written: a failure leaves no trace.
    let visuals = if f.charts {
        let data = ChartData::load(&Source::Memory(&files))?;
        Some(draw_visuals(&data)?)
    } else {
        None
    };
    if let Some(v) = &visuals {
        // The charts do not read this list, so they are the same drawn before it was known.
        info.charts = v
            .charts
            .iter()
            .flat_map(|c| {
                [
                    format!("{}.png", c.spec.stem),
                    format!("{}.svg", c.spec.stem),
                ]
            })
            .collect();
        info.charts.sort();
        let at = files.len() - 1;
        files[at].1 = out_json::with_charts(&files[at].1, &info.charts)?;
    }
    // The whole folder is built beside the target and swapped in at the end: a reader never
    // sees new files beside old ones, and a failure half-way leaves the earlier results.
    let staging = folder::Staging::new(out_dir)?;
    let out_dir = staging.path();
    let mut seals = std::collections::BTreeMap::new();
    match f.format {
        Format::Csv => {
            let sealed = write_trials_csv(out_dir, &f.rows, policy_runs.as_ref())?;
            seals.insert(folder::TRIALS.to_string(), sealed);
        }
        Format::Parquet => {
            for (name, seal) in write_trials_parquet(out_dir, &f.rows, policy_runs.as_ref())? {
                seals.insert(name, seal);
            }
            // `yearly.csv` was needed as CSV until the charts were drawn; from here on it is
            // its Parquet copy.
            let at = files
                .iter()
                .position(|(n, _)| *n == folder::YEARLY)
                .expect("yearly.csv is among the files");
            let bytes = parquet::from_csv(Path::new(folder::YEARLY), &files[at].1)?;
            files[at] = (YEARLY_PARQUET, bytes);
        }
    }
    // The manifest, written with the rest, seals every file beside it.
    for (name, bytes) in &files[..files.len() - 1] {
        seals.insert(name.to_string(), folder::Seal::of_bytes(bytes));
    }
    let at = files.len() - 1;
    files[at].1 = out_json::with_seals(&files[at].1, &seals)?;
    for (name, bytes) in &files {
        output::write_atomic(&out_dir.join(name), bytes)?;
    }
    if let Some(v) = &visuals {
        write_visuals(out_dir, v)?;
        names.push(folder::REPORT.into());
        names.push(format!("charts/ ({} charts, PNG and SVG)", v.charts.len()));
    }
    staging.commit()?;
    Ok(Finished {
        trials,
        means,
        files: names,
    })
}

/// Charts and the report of a run, drawn but not yet written.
pub struct Visuals {
    pub charts: Vec<charts::Rendered>,
    pub report: String,
}

pub fn draw_visuals(data: &ChartData) -> Result<Visuals, RunError> {
    let rendered = charts::render_all(data)?;
    let report = report::html(data, &rendered);
    Ok(Visuals {
        charts: rendered,
        report,
    })
}

/// Writes `charts/<stem>.svg|png` and `report.html`, each atomically, and removes chart
/// files an earlier run left that this one did not draw.
pub fn write_visuals(out_dir: &Path, v: &Visuals) -> Result<(), RunError> {
    let dir = out_dir.join(folder::CHARTS);
    std::fs::create_dir_all(&dir).map_err(|e| RunError::write(&dir, e))?;
    let mut keep = Vec::new();
    for c in &v.charts {
        let svg = format!("{}.svg", c.spec.stem);
        let png = format!("{}.png", c.spec.stem);
        output::write_atomic(&dir.join(&svg), c.svg.as_bytes())?;
        output::write_atomic(&dir.join(&png), &c.png)?;
        keep.push(svg);
        keep.push(png);
    }
    output::write_atomic(&out_dir.join(folder::REPORT), v.report.as_bytes())?;
    remove_stale_visuals(out_dir, &keep)
}

/// Old charts (and an old report, when no report is written) would describe another run.
fn remove_stale_visuals(out_dir: &Path, keep: &[String]) -> Result<(), RunError> {
    let dir = out_dir.join(folder::CHARTS);
    if let Ok(entries) = std::fs::read_dir(&dir) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let ours = name.ends_with(".svg") || name.ends_with(".png");
            if ours && !keep.contains(&name) {
                std::fs::remove_file(e.path()).map_err(|err| RunError::write(e.path(), err))?;
            }
        }
    }
    if keep.is_empty() {
        let report = out_dir.join(folder::REPORT);
        if report.exists() {
            std::fs::remove_file(&report).map_err(|e| RunError::write(&report, e))?;
        }
    }
    Ok(())
}

pub use crate::output::folder::check_out_dir;
