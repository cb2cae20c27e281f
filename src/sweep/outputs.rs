//! A sweep's output folder, assembled from its part files in point order: `sweep.csv`,
//! `design.csv`, `sensitivity.csv`, `prim.csv` and `prim.txt`, `sweep_trials.csv` (on
//! request), `manifest.json` and the charts. Large files are streamed, never held whole.

use std::collections::HashMap;
use std::path::Path;
use std::time::{Instant, SystemTime};

use serde_json::json;

use crate::charts;
use crate::error::RunError;
use crate::metrics::Metric;
use crate::output::folder;
use crate::output::parquet::{self, Format};
use crate::output::records::{self, DesignRecord, PrimRecord, SensitivityRecord, SweepRecord};
use crate::output::{self, AtomicFile};
use crate::rng::{Process, stream};
use crate::sensitivity::Analysis;
use crate::sensitivity::morris;
use crate::sensitivity::oat;
use crate::sensitivity::prim::{self, PrimResult};
use crate::sensitivity::sampling::UnitPoint;
use crate::sensitivity::sobol::{self, SaltelliOutputs};

use super::design::DesignPoint;
use super::spec::{Design, Sweep};
use super::{header, part_name, trials_part_name};

/// What the sweep's charts are told about the sweep (they never see its description).
fn chart_facts(s: &Sweep) -> charts::sweep::SweepFacts<'_> {
    charts::sweep::SweepFacts {
        name: &s.name,
        sweep_sha256: &s.sweep_sha256,
        scenario: &s.base.name,
        scenario_sha256: &s.scenario_sha256,
        design: s.design.name(),
        seed: s.seed,
        samples: s.samples,
        bootstrap: s.bootstrap,
        levels: &s.levels,
        metrics: &s.metrics,
        tornado: s.tornado,
        parameters: s
            .parameters
            .iter()
            .map(|p| charts::sweep::ParameterFacts {
                label: &p.label,
                min: p.min,
                max: p.max,
            })
            .collect(),
        discovery: s.discovery.as_ref().map(|d| charts::sweep::DiscoveryFacts {
            condition: &d.condition,
            level: d.level,
        }),
    }
}

/// What the assembly wrote, for the terminal.
pub struct Assembled {
    pub files: Vec<String>,
    pub terminal: String,
}

/// Per point, level and metric: the mean and the paired difference from the first level.
struct Means {
    values: HashMap<(usize, usize, Metric), (f64, f64)>,
    trials: Vec<u64>,
}

impl Means {
    fn get(&self, point: usize, level: usize, m: Metric, diff: bool) -> f64 {
        self.values
            .get(&(point, level, m))
            .map_or(f64::NAN, |(v, d)| if diff { *d } else { *v })
    }
}

/// Streams the parts into `sweep.csv` (temporary until committed) and keeps the means the
/// analyses need.
fn gather(
    s: &Sweep,
    points: &[DesignPoint],
    parts: &PartDir,
    out: &Path,
    needed: &[Metric],
) -> Result<(AtomicFile, Means), RunError> {
    let mut file = AtomicFile::create(&out.join(folder::SWEEP))?;
    let columns = header(s);
    let mut w = records::writer(Vec::new(), false);
    w.write_record(&columns).map_err(|e| RunError::Encode {
        what: folder::SWEEP.into(),
        reason: e.to_string(),
    })?;
    file.write_all(&w.into_inner().unwrap_or_default())?;
    let mut means = Means {
        values: HashMap::new(),
        trials: vec![0; points.len()],
    };
    for p in points {
        let path = parts(p.id).join(part_name(p.id));
        let bytes = std::fs::read(&path).map_err(|e| RunError::write(&path, e))?;
        file.write_all(&bytes)?;
        let damaged = |problem: String| RunError::Encode {
            what: path.display().to_string(),
            reason: problem,
        };
        let rows: Vec<SweepRecord> = records::read(&bytes, Some(&columns)).map_err(&damaged)?;
        fold(s, rows, &mut means, needed, &damaged)?;
    }
    Ok((file, means))
}

/// Folds rows of `sweep.csv` (or of one point's part) into `means`.
fn fold(
    s: &Sweep,
    rows: Vec<SweepRecord>,
    means: &mut Means,
    needed: &[Metric],
    damaged: &dyn Fn(String) -> RunError,
) -> Result<(), RunError> {
    for row in rows {
        let m = Metric::from_name(&row.metric)
            .ok_or_else(|| damaged(format!("unknown metric `{}`", row.metric)))?;
        let l = s
            .levels
            .iter()
            .position(|x| *x == row.level)
            .ok_or_else(|| damaged(format!("level {} is not in the sweep", row.level)))?;
        let Some(trials) = means.trials.get_mut(row.point) else {
            return Err(damaged(format!("point {} is not in the design", row.point)));
        };
        *trials = row.trials;
        if needed.contains(&m) {
            means
                .values
                .insert((row.point, l, m), (row.mean, row.diff_mean));
        }
    }
    Ok(())
}

/// The metrics the analyses and the discovery read.
fn needed(s: &Sweep) -> Vec<Metric> {
    let mut needed = s.metrics.clone();
    if let Some(d) = &s.discovery
        && !needed.contains(&d.metric)
    {
        needed.push(d.metric);
    }
    needed
}

/// `dipcap plot` on a sweep's folder: the sweep is rebuilt from the sweep and scenario texts its
/// manifest carries, its means read back from `sweep.csv` (each file checked against the
/// manifest's seal first), and the charts drawn again exactly as the sweep drew them.
pub fn replot(out: &Path, manifest: &serde_json::Value) -> Result<usize, RunError> {
    let path = out.join(folder::MANIFEST);
    let bad = |problem: String| -> RunError {
        crate::error::InputError::Option {
            what: path.display().to_string(),
            problem,
            hint: "run the sweep again (a sweep folder of an earlier dipcap carries no inputs to redraw from)".into(),
        }
        .into()
    };
    let text = |key: &str| {
        manifest["inputs"][key]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| bad(format!("has no inputs.{key} (the text the sweep ran)")))
    };
    let (sweep_text, scenario_text) = (text("sweep")?, text("scenario")?);
    let design = manifest["design"].as_str().unwrap_or_default().to_string();
    let o = super::spec::Overrides {
        samples: (design != Design::Grid.name())
            .then(|| manifest["samples"].as_u64())
            .flatten(),
        design: Some(design),
        trials: manifest["trials_per_point"].as_u64(),
        seed: manifest["seed"].as_u64(),
    };
    let sweep_path = Path::new(manifest["sweep_path"].as_str().unwrap_or("sweep.toml"));
    let s = super::spec::load_text(sweep_path, &sweep_text, Some(&scenario_text), &o)?;
    if manifest["sweep_sha256"].as_str() != Some(s.sweep_sha256.as_str())
        || manifest["scenario_sha256"].as_str() != Some(s.scenario_sha256.as_str())
    {
        return Err(bad(
            "its inputs do not match their SHA-256 (the manifest was edited or damaged)".into(),
        ));
    }
    let points = super::design::build(&s).map_err(bad)?;
    // A Parquet folder's `sweep.parquet` is read back as the CSV it was made from.
    let csv_path = parquet::table_path(out, folder::SWEEP);
    let damaged = |problem: String| -> RunError {
        crate::error::InputError::Option {
            what: csv_path.display().to_string(),
            problem,
            hint: "the folder was changed after the sweep: run the sweep again".into(),
        }
        .into()
    };
    let bytes =
        parquet::read_table(&csv_path).map_err(|e| damaged(format!("cannot be read: {e}")))?;
    // The file's own header must be the sweep's columns (the parameters' keys among them).
    let first = bytes.split(|b| *b == b'\n').next().unwrap_or_default();
    if first != header(&s).join(",").as_bytes() {
        return Err(damaged("its header is not this sweep's columns".into()));
    }
    let rows: Vec<SweepRecord> = records::read(&bytes, None).map_err(&damaged)?;
    let mut means = Means {
        values: HashMap::new(),
        trials: vec![0; points.len()],
    };
    fold(&s, rows, &mut means, &needed(&s), &damaged)?;
    if let Some(p) = means.trials.iter().position(|t| *t == 0) {
        return Err(damaged(format!(
            "has no rows for point {p}: the file is incomplete"
        )));
    }
    let analyses = analyse(&s, &points, &means);
    let found = discovery(&s, &points, &means);
    let rendered = charts::sweep::render_all(
        &chart_facts(&s),
        &analyses,
        found.as_ref().map(|f| (&f.0, &f.1)),
        &means.trials,
    )?;
    write_charts(out, &rendered)?;
    Ok(rendered.len())
}

/// Writes a sweep's drawn charts into `out/charts/`, each file atomically.
fn write_charts(out: &Path, rendered: &[(String, String, Vec<u8>)]) -> Result<(), RunError> {
    let dir = out.join(folder::CHARTS);
    std::fs::create_dir_all(&dir).map_err(|e| RunError::write(&dir, e))?;
    for (stem, svg, png) in rendered {
        output::write_atomic(&dir.join(format!("{stem}.svg")), svg.as_bytes())?;
        output::write_atomic(&dir.join(format!("{stem}.png")), png)?;
    }
    Ok(())
}

fn analyse(s: &Sweep, points: &[DesignPoint], means: &Means) -> Vec<Analysis> {
    let k = s.parameters.len();
    let main: Vec<&DesignPoint> = points.iter().filter(|p| p.is_main()).collect();
    let main_units: Vec<UnitPoint> = main
        .iter()
        .map(|p| UnitPoint {
            u: p.unit.clone(),
            role: p.role,
        })
        .collect();
    let oat_points: Vec<&DesignPoint> = points.iter().filter(|p| !p.is_main()).collect();
    let oat_units: Vec<UnitPoint> = oat_points
        .iter()
        .map(|p| UnitPoint {
            u: p.unit.clone(),
            role: p.role,
        })
        .collect();
    let mut out = Vec::new();
    let mut index = 0u64;
    for &m in &s.metrics {
        for l in 0..s.levels.len() {
            for diff in [false, true] {
                if diff && l == 0 {
                    continue;
                }
                let y: Vec<f64> = main.iter().map(|p| means.get(p.id, l, m, diff)).collect();
                let swings = if s.tornado {
                    let y: Vec<f64> = oat_points
                        .iter()
                        .map(|p| means.get(p.id, l, m, diff))
                        .collect();
                    oat::swings(&oat_units, &y, k)
                } else {
                    Vec::new()
                };
                // Each analysis has its own bootstrap stream, so adding one never moves another.
                let mut rng = stream(s.seed, index, Process::Bootstrap);
                index += 1;
                let sobol = (s.design == Design::Sobol)
                    .then(|| SaltelliOutputs::arrange(&main_units, &y, k))
                    .flatten()
                    .map(|o| sobol::indices(&o, s.bootstrap, &mut rng));
                let morris = (s.design == Design::Morris)
                    .then(|| morris::indices(&main_units, &y, k, s.bootstrap, &mut rng));
                out.push(Analysis {
                    metric: m,
                    level: l,
                    diff,
                    swings,
                    sobol,
                    morris,
                });
            }
        }
    }
    out
}

fn design_csv(s: &Sweep, points: &[DesignPoint], means: &Means) -> Result<Vec<u8>, RunError> {
    let mut h = vec!["point".to_string(), "role".to_string()];
    h.extend(s.parameters.iter().map(|p| p.key.clone()));
    h.extend(s.parameters.iter().map(|p| format!("{}_unit", p.key)));
    h.push("trials".into());
    let mut out = records::header(folder::DESIGN, &h)?;
    out.extend(records::rows(
        folder::DESIGN,
        points.iter().map(|p| DesignRecord {
            point: p.id,
            role: p.role.tag(),
            values: p.values.clone(),
            unit: p.unit.clone(),
            trials: means.trials[p.id],
        }),
    )?);
    Ok(out)
}

fn sensitivity_csv(s: &Sweep, analyses: &[Analysis]) -> Result<Vec<u8>, RunError> {
    let mut rows = Vec::new();
    let nan = f64::NAN;
    for a in analyses {
        let mut push = |method: &str, param: usize, stat: &str, v: f64, ci: (f64, f64)| {
            rows.push(SensitivityRecord {
                method: method.into(),
                metric: a.metric.name().into(),
                level: s.levels[a.level],
                quantity: a.quantity().into(),
                parameter: s.parameters[param].key.clone(),
                statistic: stat.into(),
                estimate: v,
                ci95_lo: ci.0,
                ci95_hi: ci.1,
            });
        };
        let mut swings = a.swings.clone();
        swings.sort_by_key(|w| w.param);
        for w in &swings {
            push("one_at_a_time", w.param, "base", w.base, (nan, nan));
            push("one_at_a_time", w.param, "low", w.low, (nan, nan));
            push("one_at_a_time", w.param, "high", w.high, (nan, nan));
            push("one_at_a_time", w.param, "swing", w.width(), (nan, nan));
        }
        if let Some(idx) = &a.sobol {
            for (i, x) in idx.iter().enumerate() {
                push("sobol", i, "S1", x.first, x.first_ci);
                push("sobol", i, "ST", x.total, x.total_ci);
            }
        }
        if let Some(idx) = &a.morris {
            for (i, x) in idx.iter().enumerate() {
                push("morris", i, "mu", x.mu, (nan, nan));
                push("morris", i, "mu_star", x.mu_star, x.mu_star_ci);
                push("morris", i, "sigma", x.sigma, (nan, nan));
            }
        }
    }
    records::file(folder::SENSITIVITY, rows)
}

/// PRIM over the main design: the trajectory as CSV, and the chosen box in words.
fn discovery(
    s: &Sweep,
    points: &[DesignPoint],
    means: &Means,
) -> Option<(PrimResult, Vec<String>, Vec<u8>, String)> {
    let d = s.discovery.as_ref()?;
    let main: Vec<&DesignPoint> = points.iter().filter(|p| p.is_main()).collect();
    let x: Vec<Vec<f64>> = main.iter().map(|p| p.values.clone()).collect();
    let y: Vec<bool> = main
        .iter()
        .map(|p| d.holds(means.get(p.id, d.level, d.metric, false)))
        .collect();
    let res = prim::prim(&x, &y, &d.settings);
    let names: Vec<String> = s.parameters.iter().map(|p| p.key.clone()).collect();
    let mut h = vec![
        "step".to_string(),
        "points".into(),
        "hits".into(),
        "coverage".into(),
        "density".into(),
        "support".into(),
        "restricted".into(),
        "chosen".into(),
    ];
    for n in &names {
        h.push(format!("{n}_min"));
        h.push(format!("{n}_max"));
    }
    let steps = res.trajectory.iter().enumerate().map(|(i, b)| PrimRecord {
        step: b.step,
        points: b.count,
        hits: b.hits,
        coverage: b.coverage,
        density: b.density,
        support: b.support,
        restricted: b.restricted.iter().filter(|r| **r).count(),
        chosen: i == res.chosen,
        bounds: (0..names.len())
            .flat_map(|dim| [b.lower[dim], b.upper[dim]])
            .collect(),
    });
    let mut csv = records::header(folder::PRIM, &h).ok()?;
    csv.extend(records::rows(folder::PRIM, steps).ok()?);
    let chosen = &res.trajectory[res.chosen];
    let rules = prim::rules(chosen, &res.trajectory[0], &names);
    let level = crate::charts::data::level_label(s.levels[d.level]);
    let mut text = format!(
        "Scenario discovery (PRIM) for: {} at {} of baseline\n\n{} of {} design points meet the condition ({:.1}%).\n",
        d.condition,
        level,
        res.hits,
        res.points,
        100.0 * res.hits as f64 / res.points.max(1) as f64
    );
    if res.hits == 0 {
        text.push_str("\nNo point meets the condition, so there is no box to find: widen the parameter ranges or change the threshold.\n");
    } else {
        text.push_str(&format!(
            "\nThe box (peeling step {} of {}) holds {} points, {} of which meet the condition:\n  coverage {:.1}% (share of all points meeting the condition that lie in the box)\n  density  {:.1}% (share of the points in the box that meet it)\n\nThe condition is most likely when\n",
            chosen.step,
            res.trajectory.len() - 1,
            chosen.count,
            chosen.hits,
            100.0 * chosen.coverage,
            100.0 * chosen.density
        ));
        if rules.is_empty() {
            text.push_str("  (no restriction: the condition is spread over the whole space)\n");
        }
        for r in &rules {
            text.push_str(&format!("  {r}\n"));
        }
        text.push_str(&format!(
            "\nPeeling removed {:.0}% of the points in the box per step until it held {:.0}% of all points; the box shown is the one with the highest coverage among those with density ≥ {:.0}% (or the densest if none reached it). The whole trajectory is in prim.csv.\n",
            100.0 * d.settings.alpha,
            100.0 * d.settings.min_support,
            100.0 * d.settings.min_density
        ));
    }
    Some((res, rules, csv, text))
}

/// When and how the sweep ran, for the manifest's execution fields.
pub struct Timing {
    pub threads: usize,
    pub started: SystemTime,
    pub clock: Instant,
    /// Time spent before `clock` started: the shards' wall times added up when merging, so
    /// that `wall_seconds` counts the whole sweep's work as on one machine.
    pub earlier_seconds: f64,
    pub shards: usize,
}

/// What the outputs include.
pub struct Assembly<'a> {
    pub trial_rows: bool,
    pub charts: bool,
    pub precision: Option<&'a crate::runner::Precision>,
    /// CSV, or Parquet for `sweep` and `sweep_trials` (one partition per shard).
    pub format: Format,
}

fn manifest(
    s: &Sweep,
    points: &[DesignPoint],
    means: &Means,
    o: &Assembly,
    t: &Timing,
    files: &[String],
    charts: &[String],
) -> Result<Vec<u8>, RunError> {
    let crates = crate::output::json::numeric_crates();
    let params: Vec<serde_json::Value> = s
        .parameters
        .iter()
        .map(|p| {
            json!({
                "key": p.key, "label": p.label, "min": p.min, "max": p.max,
                "scale": if p.scale == super::spec::Scale::Log { "log" } else { "linear" },
                "values": p.values, "base": p.base, "integer": p.integer,
            })
        })
        .collect();
    let total: u64 = means.trials.iter().sum();
    let v = json!({
        "dipcap_version": env!("CARGO_PKG_VERSION"),
        "sweep": s.name,
        "description": s.description,
        "sweep_path": s.path.display().to_string(),
        "sweep_sha256": s.sweep_sha256,
        // What `dipcap plot` rebuilds the sweep from (its charts need the design, not just
        // the numbers).
        "inputs": { "sweep": s.text, "scenario": s.scenario_text },
        "scenario": s.base.name,
        "scenario_path": s.scenario_path.display().to_string(),
        "scenario_sha256": s.scenario_sha256,
        "design": s.design.name(),
        "samples": s.samples,
        "points": points.len(),
        "one_at_a_time_points": points.iter().filter(|p| !p.is_main()).count(),
        "parameters": params,
        "levels": s.levels,
        "trials_per_point": s.trials,
        "precision": o.precision.map(|p| json!({
            "targets": p.targets.iter().map(|(m, hw)| json!({"metric": m.name(), "half_width": hw})).collect::<Vec<_>>(),
            "block": p.block, "max_trials": p.max_trials,
        })),
        "trials_run": { "total_per_level": total, "min_per_point": means.trials.iter().min(), "max_per_point": means.trials.iter().max() },
        "seed": s.seed,
        "metrics": s.metrics.iter().map(|m| m.name()).collect::<Vec<_>>(),
        "bootstrap_resamples": s.bootstrap,
        "discovery": s.discovery.as_ref().map(|d| json!({"condition": d.condition, "level": s.levels[d.level]})),
        "generator": crate::rng::GENERATOR,
        "design_generator": "sobol_burley (Owen-scrambled Sobol) for sobol; the generator above, stream Design, for lhs and morris",
        "crates": crates,
        "threads": t.threads,
        "shards": t.shards,
        "started": humantime::format_rfc3339_seconds(t.started).to_string(),
        "finished": humantime::format_rfc3339_seconds(SystemTime::now()).to_string(),
        "wall_seconds": t.earlier_seconds + t.clock.elapsed().as_secs_f64(),
        "files": files,
        "charts": charts,
    });
    let mut b = serde_json::to_vec_pretty(&v).map_err(|e| RunError::Encode {
        what: folder::MANIFEST.into(),
        reason: e.to_string(),
    })?;
    b.push(b'\n');
    Ok(b)
}

/// The headline of the terminal summary: the most influential parameters on what the
/// deepest cut costs, for the first metric.
fn terminal(s: &Sweep, analyses: &[Analysis], rules: Option<&[String]>) -> String {
    let mut t = String::new();
    let deepest = s.levels.len() - 1;
    if let Some(a) = analyses
        .iter()
        .find(|a| a.level == deepest && a.diff == (deepest > 0))
    {
        let what = if a.diff {
            format!(
                "{} cost at {} of baseline",
                a.metric.name(),
                crate::charts::data::level_label(s.levels[deepest])
            )
        } else {
            a.metric.name().to_string()
        };
        let ranked: Vec<(usize, f64, &str)> = if let Some(idx) = &a.sobol {
            let mut v: Vec<(usize, f64, &str)> = idx
                .iter()
                .enumerate()
                .map(|(i, x)| (i, x.total, "ST"))
                .collect();
            v.sort_by(|a, b| b.1.total_cmp(&a.1));
            v
        } else if let Some(idx) = &a.morris {
            let mut v: Vec<(usize, f64, &str)> = idx
                .iter()
                .enumerate()
                .map(|(i, x)| (i, x.mu_star, "mu*"))
                .collect();
            v.sort_by(|a, b| b.1.total_cmp(&a.1));
            v
        } else {
            a.swings
                .iter()
                .map(|w| (w.param, w.width(), "swing"))
                .collect()
        };
        if !ranked.is_empty() {
            t.push_str(&format!("what drives the {what}:\n"));
            for (i, v, stat) in ranked.iter().take(5) {
                t.push_str(&format!("  {:<48} {stat} {:.3}\n", s.parameters[*i].key, v));
            }
        }
    }
    if let (Some(rules), Some(d)) = (rules, &s.discovery) {
        let found = if rules.is_empty() {
            "no box (see prim.txt)".to_string()
        } else {
            rules.join(" AND ")
        };
        t.push_str(&format!("scenario discovery ({}): {found}\n", d.condition));
    }
    t
}

/// Where the part files of point `id` are (the parts folder of a run, or the `points/` of the
/// shard that ran it).
pub type PartDir<'a> = dyn Fn(usize) -> std::path::PathBuf + 'a;

/// A sweep's per-trial rows as a hive-style Parquet dataset,
/// `sweep_trials/shard=I/part-0.parquet`: one partition per shard's contiguous range of
/// design points (one for a sweep on one machine), in point order. Returns each file's name
/// and seal.
fn trial_rows_parquet(
    header: &[String],
    points: &[DesignPoint],
    parts: &PartDir,
    out: &Path,
    shards: usize,
) -> Result<Vec<(String, folder::Seal)>, RunError> {
    let shards = shards.max(1);
    let paths: Vec<std::path::PathBuf> = points
        .iter()
        .map(|p| parts(p.id).join(trials_part_name(p.id)))
        .collect();
    let partitions: Vec<Vec<parquet::Rows>> = (0..shards)
        .map(|i| {
            crate::shard::point_range(points.len(), i, shards)
                .map(|k| parquet::Rows {
                    data: parquet::Data::File(&paths[k]),
                    prefix: None,
                })
                .collect()
        })
        .collect();
    let names: Vec<String> = (0..shards)
        .map(|i| parquet::partition(folder::SWEEP_TRIALS_DATASET, i, shards))
        .collect();
    let files: Vec<std::path::PathBuf> = names.iter().map(|n| out.join(n)).collect();
    let seals = parquet::write_partitions(header, &partitions, &files)?;
    Ok(names.into_iter().zip(seals).collect())
}

pub fn assemble(
    s: &Sweep,
    points: &[DesignPoint],
    parts: &PartDir,
    out: &Path,
    o: &Assembly,
    timing: &Timing,
) -> Result<Assembled, RunError> {
    let needed = needed(s);
    // The whole folder is built beside the target and swapped in at the end (see
    // `folder::Staging`).
    let staging = folder::Staging::new(out)?;
    let out = staging.path();
    let (sweep_csv, means) = gather(s, points, parts, out, &needed)?;
    let mut trials_csv = None;
    let mut trials_parquet = Vec::new();
    if o.trial_rows {
        let mut h = vec!["point".to_string(), "level".into(), "trial".into()];
        h.extend(Metric::ALL.iter().map(|m| m.name().to_string()));
        match o.format {
            Format::Csv => {
                let mut f = AtomicFile::create(&out.join(folder::SWEEP_TRIALS))?;
                f.write_all(&records::header(folder::SWEEP_TRIALS, &h)?)?;
                for p in points {
                    f.append_file(&parts(p.id).join(trials_part_name(p.id)))?;
                }
                trials_csv = Some(f);
            }
            Format::Parquet => {
                trials_parquet = trial_rows_parquet(&h, points, parts, out, timing.shards)?;
            }
        }
    }
    let mut policies_csv = None;
    let mut robust = None;
    if s.robust.is_some() {
        let mut f = AtomicFile::create(&out.join(folder::SWEEP_POLICIES))?;
        f.write_all(&records::header(
            folder::SWEEP_POLICIES,
            &super::policy_header(s),
        )?)?;
        let mut parts_bytes = Vec::new();
        // Each part is read once: into the file, and kept for the robust choice (a point's
        // policy rows are a few kilobytes).
        for p in points {
            let path = parts(p.id).join(super::policies_part_name(p.id));
            let bytes = std::fs::read(&path).map_err(|e| RunError::write(&path, e))?;
            f.write_all(&bytes)?;
            parts_bytes.push(bytes);
        }
        policies_csv = Some(f);
        robust = Some(robust_choice(s, &parts_bytes)?);
    }
    let analyses = analyse(s, points, &means);
    let design = design_csv(s, points, &means)?;
    let sensitivity = sensitivity_csv(s, &analyses)?;
    let found = discovery(s, points, &means);

    let mut files: Vec<(String, Vec<u8>)> = vec![
        (folder::DESIGN.into(), design),
        (folder::SENSITIVITY.into(), sensitivity),
    ];
    if let Some((_, _, csv, text)) = &found {
        files.push((folder::PRIM.into(), csv.clone()));
        files.push((folder::PRIM_TEXT.into(), text.clone().into_bytes()));
    }
    if let Some(r) = &robust {
        files.push((folder::ROBUST.into(), r.csv.clone()));
    }
    let rendered = if o.charts {
        charts::sweep::render_all(
            &chart_facts(s),
            &analyses,
            found.as_ref().map(|f| (&f.0, &f.1)),
            &means.trials,
        )?
    } else {
        Vec::new()
    };
    let mut names: Vec<String> = vec![match o.format {
        Format::Csv => folder::SWEEP.into(),
        Format::Parquet => parquet::parquet_name(folder::SWEEP),
    }];
    if trials_csv.is_some() {
        names.push(folder::SWEEP_TRIALS.into());
    }
    if !trials_parquet.is_empty() {
        names.push(format!(
            "{}/ (Parquet, {})",
            folder::SWEEP_TRIALS_DATASET,
            crate::output::count(trials_parquet.len(), "partition", "partitions")
        ));
    }
    if policies_csv.is_some() {
        names.push(folder::SWEEP_POLICIES.into());
    }
    names.extend(files.iter().map(|(n, _)| n.clone()));
    names.push(folder::MANIFEST.into());
    if !rendered.is_empty() {
        names.push(format!("charts/ ({} charts, PNG and SVG)", rendered.len()));
    }
    let mut chart_files: Vec<String> = rendered
        .iter()
        .flat_map(|(stem, _, _)| [format!("{stem}.png"), format!("{stem}.svg")])
        .collect();
    chart_files.sort();
    let manifest = manifest(s, points, &means, o, timing, &names, &chart_files)?;
    let manifest = match &robust {
        Some(r) => crate::output::json::with_field(&manifest, "robust", r.json.clone())?,
        None => manifest,
    };
    let manifest = match o.format {
        // Only Parquet folders say so: CSV manifests stay as they were.
        Format::Csv => manifest,
        Format::Parquet => crate::output::json::with_field(&manifest, "format", "parquet".into())?,
    };

    // Everything is ready: commit (inside the staging folder). The manifest, written last,
    // seals every file beside it.
    let mut seals = std::collections::BTreeMap::new();
    let sweep_seal = sweep_csv.commit_sealed()?;
    match o.format {
        Format::Csv => {
            seals.insert(folder::SWEEP.to_string(), sweep_seal);
        }
        Format::Parquet => {
            let (name, seal) = parquet::replace_csv(out, folder::SWEEP)?;
            seals.insert(name, seal);
        }
    }
    if let Some(f) = trials_csv {
        seals.insert(folder::SWEEP_TRIALS.to_string(), f.commit_sealed()?);
    }
    seals.extend(trials_parquet);
    if let Some(f) = policies_csv {
        seals.insert(folder::SWEEP_POLICIES.to_string(), f.commit_sealed()?);
    }
    for (name, bytes) in &files {
        seals.insert(name.clone(), folder::Seal::of_bytes(bytes));
    }
    files.push((
        folder::MANIFEST.into(),
        crate::output::json::with_seals(&manifest, &seals)?,
    ));
    for (name, bytes) in &files {
        output::write_atomic(&out.join(name), bytes)?;
    }
    if !rendered.is_empty() {
        write_charts(out, &rendered)?;
    }
    staging.commit()?;
    let mut terminal = terminal(s, &analyses, found.as_ref().map(|f| f.1.as_slice()));
    if let Some(r) = &robust {
        terminal.push_str(&r.terminal);
    }
    Ok(Assembled {
        files: names,
        terminal,
    })
}

/// Robust choice among the policies: `robust.csv`, its manifest entry and terminal lines.
struct RobustChoice {
    csv: Vec<u8>,
    json: serde_json::Value,
    terminal: String,
}

/// One policy's standing over the sweep's points.
#[derive(Debug, Clone, serde::Serialize)]
struct Standing {
    policy: String,
    points: usize,
    mean: f64,
    diff_mean: f64,
    regret_mean: f64,
    regret_p90: f64,
    regret_max: f64,
    best_share: f64,
    satisficing: Option<f64>,
}

/// Per policy over the points (each a plausible world): the objective's mean at the robust
/// level, its regret in each world (how far it falls short of the best policy there) and the
/// share of worlds where it meets every constraint, as robust decision-making judges
/// strategies (Lempert, Popper & Bankes, RAND MR-1626, 2003: minimax regret and satisficing).
/// Read from the points' policy parts, whose numbers round-trip exactly.
fn robust_choice(s: &Sweep, parts: &[Vec<u8>]) -> Result<RobustChoice, RunError> {
    use crate::output::num;
    let r = s.robust.as_ref().expect("robust choice needs [robust]");
    let level = num(s.levels[r.level]);
    let keys = s.parameters.len();
    let bad = |e: String| RunError::Encode {
        what: folder::SWEEP_POLICIES.into(),
        reason: e,
    };
    // (point, policy, metric) → (mean, paired difference), in file order of policies.
    let mut names: Vec<String> = Vec::new();
    let mut cells: std::collections::HashMap<(usize, String, String), (f64, f64)> =
        std::collections::HashMap::new();
    let mut point_ids: Vec<usize> = Vec::new();
    for bytes in parts {
        let mut rd = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(bytes.as_slice());
        for rec in rd.records() {
            let rec = rec.map_err(|e| bad(e.to_string()))?;
            let get = |i: usize| rec.get(i).unwrap_or("");
            if get(keys + 2) != level {
                continue;
            }
            let point: usize = get(0).parse().map_err(|_| bad("bad point".into()))?;
            let policy = get(keys + 1).to_string();
            if !names.contains(&policy) {
                names.push(policy.clone());
            }
            if point_ids.last() != Some(&point) {
                point_ids.push(point);
            }
            let f = |i: usize| get(i).parse::<f64>().unwrap_or(f64::NAN);
            cells.insert(
                (point, policy, get(keys + 3).to_string()),
                (f(keys + 5), f(keys + 8)),
            );
        }
    }
    let objective = r.objective.name().to_string();
    let sign = if r.maximise { 1.0 } else { -1.0 };
    let value = |pt: usize, p: &str, m: &str| {
        cells
            .get(&(pt, p.to_string(), m.to_string()))
            .map_or((f64::NAN, f64::NAN), |x| *x)
    };
    let mut standings = Vec::new();
    let mut regrets: Vec<Vec<f64>> = vec![Vec::new(); names.len()];
    let mut best_counts = vec![0usize; names.len()];
    let mut meets = vec![0usize; names.len()];
    let mut sums = vec![(0.0f64, 0.0f64); names.len()];
    for &pt in &point_ids {
        let v: Vec<f64> = names
            .iter()
            .map(|p| value(pt, p, &objective).0 * sign)
            .collect();
        let best = v
            .iter()
            .copied()
            .filter(|x| x.is_finite())
            .fold(f64::NEG_INFINITY, f64::max);
        for (k, p) in names.iter().enumerate() {
            let (mean, diff) = value(pt, p, &objective);
            sums[k].0 += mean;
            sums[k].1 += diff;
            regrets[k].push(best - v[k]);
            if v[k] == best {
                best_counts[k] += 1;
            }
            if r.meets(|m| value(pt, p, m.name()).0) {
                meets[k] += 1;
            }
        }
    }
    let n = point_ids.len().max(1);
    for (k, p) in names.iter().enumerate() {
        let mut rg = regrets[k].clone();
        rg.sort_by(f64::total_cmp);
        let p90 = if rg.is_empty() {
            f64::NAN
        } else {
            // The nearest-rank 90th percentile: the regret exceeded in at most 10% of worlds.
            rg[((0.9 * rg.len() as f64).ceil() as usize).clamp(1, rg.len()) - 1]
        };
        standings.push(Standing {
            policy: p.clone(),
            points: point_ids.len(),
            mean: sums[k].0 / n as f64,
            diff_mean: sums[k].1 / n as f64,
            regret_mean: rg.iter().sum::<f64>() / n as f64,
            regret_p90: p90,
            regret_max: rg.last().copied().unwrap_or(f64::NAN),
            best_share: best_counts[k] as f64 / n as f64,
            satisficing: (!r.constraints.is_empty()).then(|| meets[k] as f64 / n as f64),
        });
    }
    // The file: policies in the scenario's order (the scenario as written first).
    let mut w = csv::Writer::from_writer(Vec::new());
    let enc = |e: csv::Error| RunError::Encode {
        what: folder::ROBUST.into(),
        reason: e.to_string(),
    };
    w.write_record([
        "policy",
        "level",
        "objective",
        "points",
        "mean",
        "diff_mean",
        "regret_mean",
        "regret_p90",
        "regret_max",
        "best_share",
        "satisficing",
        "constraints",
    ])
    .map_err(enc)?;
    let constraints = r
        .constraints
        .iter()
        .map(|c| c.3.clone())
        .collect::<Vec<_>>()
        .join("; ");
    for x in &standings {
        w.write_record([
            x.policy.clone(),
            level.clone(),
            format!("{}:{}", objective, if r.maximise { "max" } else { "min" }),
            x.points.to_string(),
            num(x.mean),
            num(x.diff_mean),
            num(x.regret_mean),
            num(x.regret_p90),
            num(x.regret_max),
            num(x.best_share),
            x.satisficing.map_or(String::new(), num),
            constraints.clone(),
        ])
        .map_err(enc)?;
    }
    let csv = w.into_inner().map_err(|e| RunError::Encode {
        what: folder::ROBUST.into(),
        reason: e.to_string(),
    })?;
    // The most robust: least maximum regret (minimax regret), ties by mean regret, then order.
    let mut order: Vec<usize> = (0..standings.len()).collect();
    order.sort_by(|&a, &b| {
        let (x, y) = (&standings[a], &standings[b]);
        x.regret_max
            .total_cmp(&y.regret_max)
            .then(x.regret_mean.total_cmp(&y.regret_mean))
            .then(a.cmp(&b))
    });
    let mut terminal = format!(
        "robust choice among {} ways of cutting over {} worlds, on {}{}:\n",
        standings.len(),
        point_ids.len(),
        r.words(&s.levels),
        if constraints.is_empty() {
            String::new()
        } else {
            format!(", satisficing {constraints}")
        }
    );
    for &k in &order {
        let x = &standings[k];
        terminal.push_str(&format!(
            "  {:<28} regret mean {:.4}, 90% {:.4}, max {:.4}; best in {:.0}% of worlds{}\n",
            x.policy,
            x.regret_mean,
            x.regret_p90,
            x.regret_max,
            100.0 * x.best_share,
            x.satisficing.map_or(String::new(), |v| format!(
                "; meets the constraints in {:.0}%",
                100.0 * v
            ))
        ));
    }
    let json = json!({
        "level": s.levels[r.level],
        "objective": objective,
        "maximise": r.maximise,
        "constraints": r.constraints.iter().map(|c| c.3.clone()).collect::<Vec<_>>(),
        "minimax_regret": standings.get(order[0]).map(|x| x.policy.clone()),
        "policies": standings,
    });
    Ok(RobustChoice {
        csv,
        json,
        terminal,
    })
}
