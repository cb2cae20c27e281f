//! `summary.json` (the summary table with metric descriptions) and `manifest.json` (what
//! produced the run: version, scenario hash, seed, generator, crate versions, timing).

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::error::RunError;
use crate::metrics::Metric;
use crate::output::folder;
use crate::scenario::{Named, Scenario};
use crate::stats::accumulator::Accumulator;

use super::records::SummaryRecord;

fn finite(x: f64) -> Value {
    // JSON has no NaN; a missing statistic is null.
    if x.is_finite() { json!(x) } else { Value::Null }
}

/// A manifest's bytes with its `charts` list set (known only once the charts are drawn, from
/// a manifest that had it empty).
pub fn with_charts(manifest: &[u8], charts: &[String]) -> Result<Vec<u8>, RunError> {
    with_field(manifest, "charts", json!(charts))
}

/// A manifest's bytes with its `seals` set: the length and SHA-256 of each file written beside
/// it (known only once `trials.csv` is streamed out), which readers such as `dipcap plot`
/// check before trusting a file.
pub fn with_seals(
    manifest: &[u8],
    seals: &std::collections::BTreeMap<String, folder::Seal>,
) -> Result<Vec<u8>, RunError> {
    with_field(manifest, "seals", json!(seals))
}

pub fn with_field(manifest: &[u8], key: &str, value: Value) -> Result<Vec<u8>, RunError> {
    let mut v: Value = serde_json::from_slice(manifest).map_err(|e| RunError::Encode {
        what: folder::MANIFEST.into(),
        reason: e.to_string(),
    })?;
    v[key] = value;
    to_bytes(&v, folder::MANIFEST)
}

fn to_bytes(v: &Value, what: &str) -> Result<Vec<u8>, RunError> {
    let mut b = serde_json::to_vec_pretty(v).map_err(|e| RunError::Encode {
        what: what.into(),
        reason: e.to_string(),
    })?;
    b.push(b'\n');
    Ok(b)
}

/// What a run was: the part of the manifest that is not timing.
pub struct RunFacts<'a> {
    pub levels: &'a [f64],
    pub seed: u64,
    pub acc: &'a Accumulator,
    pub threads: usize,
    pub precision: Option<&'a crate::runner::Precision>,
}

pub fn summary(s: &Scenario, r: &RunFacts, rows: &[SummaryRecord]) -> Result<Vec<u8>, RunError> {
    let metrics: Vec<Value> = Metric::ALL
        .iter()
        .map(|m| {
            let i = m.info();
            json!({"name": i.name, "unit": i.unit, "description": i.description})
        })
        .collect();
    let rows: Vec<Value> = rows
        .iter()
        .map(|row| {
            let st = row;
            json!({
                "level": row.level, "metric": row.metric, "unit": row.unit, "n": st.n,
                "mean": finite(st.mean), "sd": finite(st.sd), "se": finite(st.se),
                "ci95": [finite(st.ci95_lo), finite(st.ci95_hi)],
                "p5": finite(st.p5), "p25": finite(st.p25), "p50": finite(st.p50), "p75": finite(st.p75), "p95": finite(st.p95),
                "diff_from_baseline": {"mean": finite(row.diff_mean), "ci95": [finite(row.diff_ci95_lo), finite(row.diff_ci95_hi)]},
            })
        })
        .collect();
    let v = json!({
        "scenario": s.name,
        "seed": r.seed,
        "trials": r.acc.trials,
        "levels": r.levels,
        "baseline_level": r.levels[0],
        "metrics": metrics,
        "summary": rows,
    });
    to_bytes(&v, folder::SUMMARY_JSON)
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// How a run was carried out. Besides `files`, these are the manifest's *execution* fields —
/// `started`, `finished`, `wall_seconds`, `threads`, `shards` — the only ones in which a
/// sharded-and-merged run may differ from the same run on one machine.
pub struct ManifestInfo<'a> {
    pub scenario_path: &'a std::path::Path,
    pub scenario_sha256: String,
    pub started: std::time::SystemTime,
    pub finished: std::time::SystemTime,
    pub wall_seconds: f64,
    pub files: Vec<String>,
    /// The files written in `charts/` (what a later run in the folder may replace: anything
    /// else there is the user's and is kept).
    pub charts: Vec<String>,
    /// 1 for a run on one machine, N for the merge of N shards.
    pub shards: usize,
}

/// The generator's crates and their versions, as recorded in manifests.
pub fn numeric_crates() -> serde_json::Map<String, Value> {
    env!("DIPCAP_NUMERIC_CRATES")
        .split(',')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), json!(v)))
        .collect()
}

pub fn manifest(s: &Scenario, r: &RunFacts, m: &ManifestInfo) -> Result<Vec<u8>, RunError> {
    let crates = numeric_crates();
    let cut = &s.budget.cut;
    let kind = cut.profile.kind().name();
    let (profile, shock_day, phase_years) = match cut.profile {
        crate::scenario::CutProfile::Immediate => (kind, Value::Null, Value::Null),
        crate::scenario::CutProfile::Phased { years } => (kind, Value::Null, json!(years)),
        crate::scenario::CutProfile::Shock { day, .. } => (kind, json!(day), Value::Null),
    };
    let v = json!({
        "dipcap_version": env!("CARGO_PKG_VERSION"),
        "scenario": s.name,
        "country": s.country,
        "description": s.description,
        "money_unit": s.money_unit,
        "start_year": s.start_year,
        "cut": {
            "profile": profile,
            "policy": cut.policy.name(),
            "start_fiscal_year": s.start_year + cut.start_year as i64,
            "shock_day": shock_day,
            "phase_years": phase_years,
        },
        "scenario_path": m.scenario_path.display().to_string(),
        "scenario_sha256": m.scenario_sha256,
        "seed": r.seed,
        "trials": r.acc.trials,
        "precision": r.precision.map(|p| json!({
            "targets": p.targets.iter().map(|(m, hw)| json!({
                "metric": m.name(),
                "half_width": hw,
                // The widest 95% CI half-width over the levels, as the run ended.
                "achieved": (0..r.acc.levels).map(|l| r.acc.half_width(l, *m)).fold(0.0, f64::max),
            })).collect::<Vec<_>>(),
            "block": p.block,
            "max_trials": p.max_trials,
            "met": p.met(r.acc),
        })),
        "levels": r.levels,
        "years": s.years,
        "generator": crate::rng::GENERATOR,
        "crates": crates,
        "threads": r.threads,
        "shards": m.shards,
        "started": humantime::format_rfc3339_seconds(m.started).to_string(),
        "finished": humantime::format_rfc3339_seconds(m.finished).to_string(),
        "wall_seconds": m.wall_seconds,
        "events_processed": r.acc.events,
        "quantiles": format!(
            "exact (type 7) up to {} trials per level; beyond, DDSketch with relative accuracy {} (the partners' columns of partners.csv and partners_yearly.csv: exact up to {} trials, then {} equal bins over [0, 1], within {} absolute)",
            crate::stats::sketch::EXACT_CAPACITY,
            crate::stats::sketch::RELATIVE_ACCURACY,
            crate::stats::sketch::SERIES_CAPACITY,
            crate::stats::sketch::GRID_BINS,
            0.5 / crate::stats::sketch::GRID_BINS as f64
        ),
        // What each way of cutting compared changes (an empty list without [[policies]]).
        "policies": s.policies.iter().map(|p| json!({
            "name": p.name,
            "description": p.description,
            "set": p.changes.iter().map(|(k, v)| format!("{k} = {v}")).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "files": m.files,
        "charts": m.charts,
        "note": "Numbers are reproducible from the scenario file, seed and the crate versions above with any thread count; across operating systems only the system math library (exp, ln) can differ in the last bit.",
    });
    to_bytes(&v, folder::MANIFEST)
}
