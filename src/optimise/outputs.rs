//! What `dipcap optimise` writes: `optimise.csv` (every estimate of every candidate, tidy:
//! one row per candidate, stage and metric, with the searched keys as columns), `policy.toml`
//! (the winner, or the front, as `[[policies]]` entries ready to paste into the scenario) and
//! the lines the terminal prints.

use toml::Value;

use super::{Evaluation, Goal, Options, Outcome};
use crate::error::RunError;
use crate::output::{num, signed};
use crate::scenario::{Named, Scenario};

/// A searched value as a CSV cell: a number as dipcap writes numbers, a string bare, a list
/// as TOML.
fn cell(v: &Value) -> String {
    match v {
        Value::Float(f) => num(*f),
        Value::Integer(i) => i.to_string(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// `optimise.csv`.
pub fn csv(s: &Scenario, o: &Options, out: &Outcome) -> Result<Vec<u8>, RunError> {
    let enc = |e: csv::Error| RunError::Encode {
        what: crate::output::folder::OPTIMISE.into(),
        reason: e.to_string(),
    };
    let space = s.search.as_ref().expect("a search has a space");
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = [
        "candidate",
        "stage",
        "seed",
        "trials",
        "chosen",
        "feasible",
        "valid",
    ]
    .iter()
    .map(|h| h.to_string())
    .collect();
    let shares = out
        .candidates
        .first()
        .is_some_and(|c| c.changes.len() > space.dims.len());
    if shares {
        header.push("budget.cut.policy".into());
    }
    header.extend(space.dims.iter().map(|d| d.key.clone()));
    header.extend(
        std::iter::once(&"metric")
            .chain(&crate::policies::ESTIMATE_COLUMNS)
            .map(|h| h.to_string()),
    );
    w.write_record(&header).map_err(enc)?;
    let keys = header.len() - 7 - 8;
    let rows = out
        .evaluations
        .iter()
        .map(|e| (e, false))
        .chain([(&out.reference_fresh, true)]);
    for (e, reference) in rows {
        let (id, values, valid): (String, Vec<String>, bool) = if reference {
            ("0".into(), vec![String::new(); keys], true)
        } else {
            let c = &out.candidates[e.candidate];
            (
                c.id.to_string(),
                c.changes.iter().map(|(_, v)| cell(v)).collect(),
                c.invalid.is_none(),
            )
        };
        let chosen = !reference && out.chosen.contains(&e.candidate);
        let feasible = valid
            && o.constraints.iter().all(|c| {
                let p = out
                    .tracked
                    .iter()
                    .position(|m| *m == c.metric)
                    .expect("tracked");
                c.shortfall(e.value[p].mean) == 0.0
            });
        for (p, m) in out.tracked.iter().enumerate() {
            let mut row = vec![
                id.clone(),
                if reference {
                    "reference".into()
                } else {
                    e.stage.to_string()
                },
                e.seed.to_string(),
                e.trials.to_string(),
                chosen.to_string(),
                feasible.to_string(),
                valid.to_string(),
            ];
            row.extend(values.iter().cloned());
            row.push(m.name().to_string());
            row.extend(crate::policies::cells(&e.value[p], &e.diff[p]));
            w.write_record(&row).map_err(enc)?;
        }
    }
    w.into_inner().map_err(|e| RunError::Encode {
        what: crate::output::folder::OPTIMISE.into(),
        reason: e.to_string(),
    })
}

/// "+0.031 (95% CI +0.027 to +0.035)".
pub fn with_ci(e: &crate::policies::Estimate, d: usize) -> String {
    format!(
        "{} (95% CI {} to {})",
        signed(e.mean, d),
        signed(e.ci95_lo, d),
        signed(e.ci95_hi, d)
    )
}

fn level_words(level: f64) -> String {
    crate::charts::data::level_label(level)
}

/// The policy names of the chosen candidates: "optimised" for one winner, "optimised 1", …
/// along a front.
pub fn names(out: &Outcome) -> Vec<String> {
    if out.chosen.len() == 1 {
        vec!["optimised".into()]
    } else {
        (1..=out.chosen.len())
            .map(|i| format!("optimised {i}"))
            .collect()
    }
}

/// `policy.toml`: each chosen candidate as a `[[policies]]` entry, with its fresh estimate in
/// its description and the command that reproduces it in a comment.
pub fn policy_toml(s: &Scenario, path: &std::path::Path, o: &Options, out: &Outcome) -> String {
    let goal = o.objectives[0];
    let p0 = 0;
    let mut t = String::new();
    t.push_str(&format!(
        "# Written by dipcap {} optimise for scenario \"{}\" ({}): {} at {} of the budget{}.\n",
        env!("CARGO_PKG_VERSION"),
        s.name,
        path.display(),
        o.objectives
            .iter()
            .map(|g| g.text())
            .collect::<Vec<_>>()
            .join(" and "),
        level_words(o.level),
        if o.constraints.is_empty() {
            String::new()
        } else {
            format!(
                ", subject to {}",
                o.constraints
                    .iter()
                    .map(|c| c.text())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    ));
    t.push_str(&format!(
        "# Paste into the scenario file; `dipcap run {} --seed {} --trials {}` then gives in\n# policies.csv, at level {}, the fresh estimates quoted in each description.\n",
        path.display(),
        o.fresh_seed,
        o.fresh_trials,
        num(o.level)
    ));
    let names = names(out);
    for (k, fresh) in out.fresh.iter().enumerate() {
        if let Some(what) = no_gain(o, out, fresh) {
            t.push_str(&format!(
                "# WARNING: \"{}\" does not beat the scenario as written in {what} on the fresh trials:\n# the search found no better way of cutting; keep the scenario's own cut.\n",
                names[k],
            ));
        }
        let c = &out.candidates[fresh.candidate];
        let mut set = toml::Table::new();
        for (key, v) in &c.changes {
            set.insert(key.clone(), v.clone());
        }
        let description = format!(
            "found by dipcap optimise: {} {} against the scenario as written at {}, paired on {} fresh trials (seed {})",
            goal.metric.name(),
            with_ci(&fresh.diff[p0], 3),
            level_words(o.level),
            fresh.trials,
            fresh.seed
        );
        let mut entry = toml::Table::new();
        entry.insert("name".into(), Value::String(names[k].clone()));
        entry.insert("description".into(), Value::String(description));
        entry.insert("set".into(), Value::Table(set));
        let mut doc = toml::Table::new();
        doc.insert("policies".into(), Value::Array(vec![Value::Table(entry)]));
        t.push('\n');
        t.push_str(&toml::to_string(&doc).unwrap_or_default());
    }
    t
}

/// The terminal's account of the result.
pub fn terminal_lines(o: &Options, out: &Outcome) -> Vec<String> {
    let mut lines = Vec::new();
    let names = names(out);
    let d = |m: crate::metrics::Metric| {
        if m.info().unit == "fraction" || m.info().unit == "0-1" {
            3
        } else {
            1
        }
    };
    for (k, (ins, fresh)) in out.in_sample.iter().zip(&out.fresh).enumerate() {
        let c = &out.candidates[ins.candidate];
        lines.push(format!(
            "{} (candidate {}{}):",
            names[k],
            c.id,
            if out.feasible[k] {
                ""
            } else {
                "; it does NOT meet the constraints"
            }
        ));
        lines.push(format!(
            "  {}",
            c.changes
                .iter()
                .map(|(k, v)| format!("{k} = {v}"))
                .collect::<Vec<_>>()
                .join("; ")
        ));
        for g in &o.objectives {
            let p = out
                .tracked
                .iter()
                .position(|m| *m == g.metric)
                .expect("tracked");
            lines.push(format!(
                "  {} against the scenario as written at {}: {} on the search's {} trials (seed {}, biased up by the selection); {} on {} fresh trials (seed {}): quote this one",
                g.metric.name(),
                level_words(o.level),
                with_ci(&ins.diff[p], d(g.metric)),
                ins.trials,
                ins.seed,
                with_ci(&fresh.diff[p], d(g.metric)),
                fresh.trials,
                fresh.seed
            ));
        }
        if let Some(what) = no_gain(o, out, fresh) {
            lines.push(format!(
                "  WARNING: on the fresh trials it does not beat the scenario as written in {what}: the search found no better way of cutting. Keep the scenario's own cut, or search further ({})",
                match out.corners {
                    (false, Some(e)) => format!("the corners of the ranges, where the best cut often is, were not screened: give --evaluations {e} or more"),
                    _ => "more --evaluations and --trials".to_string(),
                }
            ));
        }
        for c in &o.constraints {
            let p = out
                .tracked
                .iter()
                .position(|m| *m == c.metric)
                .expect("tracked");
            let v = &fresh.value[p];
            lines.push(format!(
                "  constraint {}: {} on the fresh trials (95% CI {} to {}){}",
                c.text(),
                num_short(v.mean),
                num_short(v.ci95_lo),
                num_short(v.ci95_hi),
                if c.shortfall(v.mean) == 0.0 {
                    ", met"
                } else {
                    ", NOT met on the fresh trials"
                }
            ));
        }
    }
    lines
}

/// The objectives, in words, when an estimate beats the scenario as written in none of them
/// (with two objectives a point of the front may rightly give up one for the other).
pub fn no_gain(o: &Options, out: &Outcome, e: &Evaluation) -> Option<String> {
    (!o.objectives.iter().any(|g| beats(g, out, e))).then(|| {
        o.objectives
            .iter()
            .map(|g| g.metric.name())
            .collect::<Vec<_>>()
            .join(" or ")
    })
}

/// Whether an estimate's paired difference from the scenario as written is better on goal
/// `g` with its whole 95% CI.
pub fn beats(g: &Goal, out: &Outcome, e: &Evaluation) -> bool {
    let p = out
        .tracked
        .iter()
        .position(|m| *m == g.metric)
        .expect("tracked");
    if g.maximise {
        e.diff[p].ci95_lo > 0.0
    } else {
        e.diff[p].ci95_hi < 0.0
    }
}

fn num_short(v: f64) -> String {
    if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.3}")
    }
}

/// A short line on the search itself.
pub fn search_line(o: &Options, out: &Outcome, e: &[Evaluation]) -> String {
    let screened = out
        .candidates
        .iter()
        .filter(|c| c.stage == "screen")
        .count();
    let searched = out.candidates.len() - screened;
    let raced = e
        .iter()
        .filter(|x| x.stage == "race")
        .map(|x| x.trials)
        .max();
    format!(
        "{} candidates at {} on {} trials ({screened} screened, {searched} by Nelder–Mead){}",
        out.candidates.len(),
        level_words(o.level),
        o.trials,
        raced.map_or(String::new(), |n| format!(
            ", the best raced up to {n} trials"
        ))
    )
}

/// Where a scenario's cut policy takes the money at `level`: its policy's name and each
/// line's appropriation in the horizon's last year at full budget and at the level.
fn cut_json(s: &Scenario, level: f64) -> serde_json::Value {
    let (_, lines) = super::cut_by_line(s, level);
    serde_json::json!({
        "policy": s.budget.cut.policy.name(),
        "lines": lines
            .iter()
            .map(|(l, full, at)| serde_json::json!({"line": l, "full": full, "at_level": at}))
            .collect::<Vec<_>>(),
    })
}

/// `manifest.json` of an optimise folder: what produced it, the options, and the result.
#[allow(clippy::too_many_arguments)]
pub fn manifest(
    s: &Scenario,
    path: &std::path::Path,
    sha: &str,
    o: &Options,
    out: &Outcome,
    threads: usize,
    started: std::time::SystemTime,
    wall_seconds: f64,
) -> Result<Vec<u8>, RunError> {
    let names = names(out);
    let space = s.search.as_ref().expect("a search has a space");
    let chosen: Vec<serde_json::Value> = out
        .fresh
        .iter()
        .enumerate()
        .map(|(k, fresh)| {
            let c = &out.candidates[fresh.candidate];
            let ins = &out.in_sample[k];
            let per_metric = |e: &Evaluation| -> serde_json::Map<String, serde_json::Value> {
                out.tracked
                    .iter()
                    .enumerate()
                    .map(|(p, m)| {
                        (
                            m.name().to_string(),
                            serde_json::json!({
                                "mean": e.value[p].mean,
                                "diff_mean": e.diff[p].mean,
                                "diff_ci95": [e.diff[p].ci95_lo, e.diff[p].ci95_hi],
                            }),
                        )
                    })
                    .collect()
            };
            let cut = super::scenario_of(s, space, &c.changes)
                .ok()
                .map(|sc| cut_json(&sc, o.level));
            serde_json::json!({
                "name": names[k],
                "candidate": c.id,
                "cut_by_line": cut,
                "set": c.changes.iter().map(|(k, v)| (k.clone(), serde_json::Value::String(v.to_string()))).collect::<serde_json::Map<_, _>>(),
                "feasible": out.feasible[k],
                "in_sample": { "seed": ins.seed, "trials": ins.trials, "metrics": per_metric(ins) },
                "fresh": { "seed": fresh.seed, "trials": fresh.trials, "metrics": per_metric(fresh) },
            })
        })
        .collect();
    let v = serde_json::json!({
        "dipcap_version": env!("CARGO_PKG_VERSION"),
        "command": "optimise",
        "scenario": s.name,
        "scenario_path": path.display().to_string(),
        "scenario_sha256": sha,
        "level": o.level,
        "objectives": o.objectives.iter().map(|g| format!("{}:{}", g.metric.name(), if g.maximise { "max" } else { "min" })).collect::<Vec<_>>(),
        "constraints": o.constraints.iter().map(super::Constraint::text).collect::<Vec<_>>(),
        "seed": o.seed,
        "trials": o.trials,
        "evaluations": o.evaluations,
        "fresh_seed": o.fresh_seed,
        "fresh_trials": o.fresh_trials,
        "penalty": super::PENALTY,
        "racers": super::RACERS,
        "candidates": out.candidates.len(),
        "generator": crate::rng::GENERATOR,
        "crates": crate::output::json::numeric_crates(),
        "threads": threads,
        "started": humantime::format_rfc3339_seconds(started).to_string(),
        "wall_seconds": wall_seconds,
        "chosen": chosen,
        "money_unit": s.money_unit,
        "cut_by_line": {
            "fiscal_year": super::cut_by_line(s, o.level).0,
            "as_written": cut_json(s, o.level),
        },
        "files": [
            crate::output::folder::OPTIMISE,
            crate::output::folder::POLICY_TOML,
            crate::output::folder::REPORT,
            crate::output::folder::MANIFEST,
        ],
        "charts": super::report::chart_files(),
    });
    let mut b = serde_json::to_vec_pretty(&v).map_err(|e| RunError::Encode {
        what: crate::output::folder::MANIFEST.into(),
        reason: e.to_string(),
    })?;
    b.push(b'\n');
    Ok(b)
}
