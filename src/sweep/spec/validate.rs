//! Validation of a sweep file, one function per part of it ([sweep] settings, the scenario and
//! its levels, metrics, each [[parameter]], the corners of the design, discovery), all through
//! the scenario's [`Checker`], so errors name the sweep file, the key, what is wrong and the fix.
//! The parts run in file order and each returns its first error.

use std::path::{Path, PathBuf};

use crate::error::InputError;
use crate::metrics::Metric;
use crate::scenario::{self, Checker, FOLDER_NAME_FIX, Scenario, usable_as_folder};

use super::*;

pub(super) fn validate(
    raw: RawSweepFile,
    path: &Path,
    text: &str,
    given_scenario: Option<&str>,
    o: &Overrides,
) -> Result<Sweep, InputError> {
    let c = Checker { path };
    let s = &raw.sweep;
    // Each part returns its first error, and the parts run in this order, so a file with several
    // mistakes is always reported by the same one.
    let settings = settings(&c, s, o)?;
    let scenario = scenario_with_levels(&c, s, path, given_scenario)?;
    let levels = scenario.base.budget.levels.clone();
    let metrics = metrics(&c, s)?;
    let parameters = parameters(&c, &raw.parameters, &scenario.table)?;
    check_corners(&c, &parameters, &scenario.table, &scenario.path)?;
    let discovery = match &raw.discovery {
        None => None,
        Some(d) => Some(discovery(&c, d, &levels)?),
    };
    let robust = robust(&c, raw.robust.as_ref(), &scenario.base, &levels)?;
    let points = crate::sweep::design::count(
        settings.design,
        settings.samples as usize,
        &parameters,
        s.tornado,
    );
    if points > MAX_POINTS {
        return Err(c.err(
            settings.samples_key,
            format!("the design has {points} points"),
            format!("keep it under {MAX_POINTS}: fewer samples, steps or parameters"),
        ));
    }
    let seed = o.seed.or(s.seed).unwrap_or(scenario.base.seed);
    Ok(Sweep {
        name: s.name.clone(),
        text: text.to_string(),
        scenario_text: scenario.text.clone(),
        description: s.description.clone(),
        path: path.to_path_buf(),
        sweep_sha256: sha256(text.as_bytes()),
        scenario_path: scenario.path,
        scenario_sha256: sha256(scenario.text.as_bytes()),
        table: scenario.table,
        base: scenario.base,
        design: settings.design,
        samples: settings.samples as usize,
        trials: settings.trials as u64,
        seed,
        levels,
        metrics,
        tornado: s.tornado,
        morris_levels: s.morris_levels as usize,
        bootstrap: s.bootstrap as usize,
        parameters,
        discovery,
        robust,
    })
}

/// `[robust]`, or its defaults for a scenario with policies (none without policies).
fn robust(
    c: &Checker,
    r: Option<&RawRobust>,
    base: &Scenario,
    levels: &[f64],
) -> Result<Option<Robust>, InputError> {
    if base.policies.is_empty() {
        return match r {
            None => Ok(None),
            Some(_) => Err(c.err(
                "robust",
                "the scenario has no [[policies]] to judge".to_string(),
                "add [[policies]] to the scenario (docs/POLICIES.md), or remove [robust]",
            )),
        };
    }
    let default = RawRobust::default();
    let r = r.unwrap_or(&default);
    let goal = crate::optimise::command::parse_goal(r.objective.as_deref().unwrap_or("dci"))
        .map_err(|e| {
            c.err(
                "robust.objective",
                e,
                "e.g. objective = \"dci\" or \"unfunded:min\"",
            )
        })?;
    let level = level_position(c, "robust.level", r.level, levels)?;
    let mut constraints = Vec::new();
    for (i, text) in r.constraints.iter().enumerate() {
        let k = crate::optimise::command::parse_constraint(text).map_err(|e| {
            c.err(
                format!("robust.constraints[{i}]"),
                e,
                "e.g. constraints = [\"response_rate>=0.9\"]",
            )
        })?;
        constraints.push((k.metric, k.at_least, k.bound, k.text()));
    }
    Ok(Some(Robust {
        objective: goal.metric,
        maximise: goal.maximise,
        level,
        constraints,
    }))
}

/// The run settings of the `[sweep]` table, command-line overrides applied.
struct Settings {
    design: Design,
    samples: i64,
    /// Where `samples` came from, so the final design-size check blames the right place.
    samples_key: &'static str,
    trials: i64,
}

fn settings(c: &Checker, s: &RawSweep, o: &Overrides) -> Result<Settings, InputError> {
    if !usable_as_folder(&s.name) {
        return Err(c.err(
            "sweep.name",
            crate::scenario::folder_name_problem(&s.name),
            FOLDER_NAME_FIX,
        ));
    }
    let design_name = o.design.clone().unwrap_or_else(|| s.design.clone());
    let design_key = if o.design.is_some() {
        "--design"
    } else {
        "sweep.design"
    };
    let design = Design::from_name(&design_name).ok_or_else(|| {
        c.err(
            design_key,
            format!("unknown design \"{design_name}\""),
            "use \"grid\" (full factorial), \"lhs\" (Latin hypercube), \"sobol\" (Saltelli sampling for Sobol indices) or \"morris\" (elementary effects)",
        )
    })?;
    // A grid's points are the parameters' steps: a sample count given for it would be ignored.
    if design == Design::Grid
        && (o.samples.is_some() || (s.samples.is_some() && o.design.is_none()))
    {
        return Err(c.err(
            if o.samples.is_some() {
                "--samples"
            } else {
                "sweep.samples"
            },
            "a grid design takes no sample count: its points are every combination of the parameters' steps",
            "leave the sample count out (set `steps` on each [[parameter]] to size the grid), or choose another design",
        ));
    }
    let samples = match (o.samples, s.samples) {
        (Some(n), _) => n as i64,
        (None, Some(n)) => n,
        (None, None) => match design {
            Design::Grid => 1,
            Design::Lhs => 100,
            Design::Sobol => 64,
            Design::Morris => 20,
        },
    };
    let samples_key = if o.samples.is_some() {
        "--samples"
    } else {
        "sweep.samples"
    };
    if samples < 1 || (design == Design::Sobol && samples > 65536) || samples > MAX_POINTS as i64 {
        return Err(c.err(
            samples_key,
            format!("{samples} samples is out of range"),
            "use a number from 1 up (sobol: at most 65536 base samples; each gives k + 2 points)",
        ));
    }
    let trials = o.trials.map(|t| t as i64).or(s.trials).unwrap_or(100);
    if !(1..=100_000_000).contains(&trials) {
        return Err(c.err(
            if o.trials.is_some() {
                "--trials"
            } else {
                "sweep.trials"
            },
            format!("{trials} trials is out of range"),
            "use a number from 1 to 100000000 (trials per point and level)",
        ));
    }
    if !(2..=20).contains(&s.morris_levels) {
        return Err(c.err(
            "sweep.morris_levels",
            format!("{} levels", s.morris_levels),
            "use a whole number from 2 to 20 (an even one, e.g. 4, keeps the steps symmetric)",
        ));
    }
    if !(0..=100_000).contains(&s.bootstrap) {
        return Err(c.err(
            "sweep.bootstrap",
            format!("{} resamples", s.bootstrap),
            "use 0 (no intervals) to 100000; 1000 is usual",
        ));
    }
    Ok(Settings {
        design,
        samples,
        samples_key,
        trials,
    })
}

/// The scenario a sweep varies, with the sweep's levels written into its table.
struct SweptScenario {
    path: PathBuf,
    text: String,
    table: toml::Table,
    base: Scenario,
}

fn scenario_with_levels(
    c: &Checker,
    s: &RawSweep,
    path: &Path,
    given_scenario: Option<&str>,
) -> Result<SweptScenario, InputError> {
    // The scenario, relative to the sweep file.
    let scenario_path = path.parent().unwrap_or(Path::new(".")).join(&s.scenario);
    let scenario_text = match given_scenario {
        Some(t) => t.to_string(),
        None => scenario::read_text(&scenario_path).map_err(|e| {
            c.err(
                "sweep.scenario",
                format!("cannot use {}: {e}", scenario_path.display()),
                "give the scenario file's path relative to the sweep file, e.g. scenario = \"baseline.toml\"",
            )
        })?,
    };
    let mut table: toml::Table = scenario_text.parse().map_err(|e: toml::de::Error| {
        c.err(
            "sweep.scenario",
            format!(
                "{} is not valid TOML: {}",
                scenario_path.display(),
                e.message()
            ),
            "run `dipcap validate` on the scenario first",
        )
    })?;
    // The scenario must be valid on its own first, so its own errors are reported as such.
    scenario::parse_str(&scenario_text, &scenario_path)?;
    if let Some(levels) = &s.levels {
        let arr = levels.iter().map(|l| toml::Value::Float(*l)).collect();
        table
            .entry("budget".to_string())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()))
            .as_table_mut()
            .ok_or_else(|| {
                c.err(
                    "sweep.levels",
                    "the scenario's `budget` is not a table",
                    "fix the scenario",
                )
            })?
            .insert("levels".into(), toml::Value::Array(arr));
    }
    let base = parse_table(&table, &scenario_path).map_err(|e| {
        c.err(
            "sweep.levels",
            format!("the scenario rejects these levels: {e}"),
            "list fractions of baseline, the reference first, e.g. levels = [1.0, 0.8, 0.7]",
        )
    })?;
    Ok(SweptScenario {
        path: scenario_path,
        text: scenario_text,
        table,
        base,
    })
}

/// The metrics to analyse: those listed, or the headline metrics.
fn metrics(c: &Checker, s: &RawSweep) -> Result<Vec<Metric>, InputError> {
    Ok(match &s.metrics {
        None => crate::metrics::HEADLINE.to_vec(),
        Some(names) => {
            let mut v = Vec::new();
            for (i, n) in names.iter().enumerate() {
                v.push(Metric::from_name(n).ok_or_else(|| {
                    c.err(
                        format!("sweep.metrics[{i}]"),
                        format!("unknown metric \"{n}\""),
                        format!("use columns of trials.csv, e.g. {}", metric_examples()),
                    )
                })?);
            }
            if v.is_empty() {
                return Err(c.err(
                    "sweep.metrics",
                    "no metrics listed",
                    "list at least one, e.g. metrics = [\"response_rate\", \"dci\"]",
                ));
            }
            v
        }
    })
}

fn parameters(
    c: &Checker,
    raw: &[RawParameter],
    table: &toml::Table,
) -> Result<Vec<Parameter>, InputError> {
    if raw.is_empty() {
        return Err(c.err(
            "parameter",
            "the sweep varies no parameter",
            "add [[parameter]] tables, e.g. key = \"crises.peacekeeping.rate\", min = 0.5, max = 2.0",
        ));
    }
    let mut parameters = Vec::new();
    for (i, p) in raw.iter().enumerate() {
        let param = parameter(c, i, p, table, &parameters)?;
        parameters.push(param);
    }
    Ok(parameters)
}

/// The key of field `f` of the i-th `[[parameter]]`.
fn parameter_key(i: usize, f: &str) -> String {
    format!("parameter[{i}].{f}")
}

/// The i-th `[[parameter]]`, given those before it (a key may be swept only once).
fn parameter(
    c: &Checker,
    i: usize,
    p: &RawParameter,
    table: &toml::Table,
    earlier: &[Parameter],
) -> Result<Parameter, InputError> {
    let k = |f: &str| parameter_key(i, f);
    if earlier.iter().any(|q| q.key == p.key) {
        return Err(c.err(
            k("key"),
            format!("`{}` is swept twice", p.key),
            "list each key once",
        ));
    }
    let (current, integer) = current_value(c, i, p, table)?;
    let scale = match p.scale.as_str() {
        "linear" => Scale::Linear,
        "log" => Scale::Log,
        other => {
            return Err(c.err(
                k("scale"),
                format!("unknown scale \"{other}\""),
                "use \"linear\" or \"log\"",
            ));
        }
    };
    let (min, max, values) = range(c, i, p, scale)?;
    let steps = match p.steps {
        None => 3,
        Some(n) if (1..=1000).contains(&n) => n as usize,
        Some(n) => {
            return Err(c.err(
                k("steps"),
                format!("{n} grid steps"),
                "use 1 to 1000 (grid points over the range)",
            ));
        }
    };
    let mut param = Parameter {
        key: p.key.clone(),
        label: p.label.clone().unwrap_or_else(|| p.key.clone()),
        min,
        max,
        scale,
        values,
        steps,
        base: 0.0,
        integer,
    };
    param.base = match (current, &param.values) {
        (Some(x), Some(v)) if v.contains(&x) => x,
        (Some(x), None) if x >= min && x <= max => x,
        (_, Some(v)) => v[v.len() / 2],
        _ => param.value(0.5),
    };
    Ok(param)
}

/// The scenario's own value at the parameter's key (`None` when the scenario does not write
/// it), and whether it is written as an integer (then swept values are rounded).
fn current_value(
    c: &Checker,
    i: usize,
    p: &RawParameter,
    table: &toml::Table,
) -> Result<(Option<f64>, bool), InputError> {
    let k = |f: &str| parameter_key(i, f);
    let current = keypath::get(table, &p.key).map_err(|e| {
        c.err(
            k("key"),
            e,
            "name a key of the scenario file, e.g. forces.decay_days or crises.peacekeeping.rate",
        )
    })?;
    let integer = matches!(current, Some(toml::Value::Integer(_)));
    let current = match current {
        Some(v) => Some(v.as_float().or_else(|| v.as_integer().map(|i| i as f64)).ok_or_else(|| {
            c.err(k("key"), format!("`{}` holds {}, not a number", p.key, v.type_str()), "sweep numeric keys only (a distribution's parameters are keys too, e.g. crises.peacekeeping.duration_days.mean)")
        })?),
        None => None,
    };
    Ok((current, integer))
}

/// The parameter's (min, max, list of values): from a list, or from a range (then no list).
fn range(
    c: &Checker,
    i: usize,
    p: &RawParameter,
    scale: Scale,
) -> Result<(f64, f64, Option<Vec<f64>>), InputError> {
    let k = |f: &str| parameter_key(i, f);
    Ok(match (&p.values, p.min, p.max) {
        (Some(v), None, None) => {
            if v.is_empty() || v.iter().any(|x| !x.is_finite()) {
                return Err(c.err(
                    k("values"),
                    "needs at least one finite value",
                    "list the values to try, e.g. values = [30.0, 60.0, 90.0]",
                ));
            }
            let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            (lo, hi, Some(v.clone()))
        }
        (None, Some(lo), Some(hi)) => {
            if !lo.is_finite() || !hi.is_finite() || lo >= hi {
                return Err(c.err(
                    k("min"),
                    format!("the range {lo} to {hi} is empty or not finite"),
                    "give min < max",
                ));
            }
            if scale == Scale::Log && lo <= 0.0 {
                return Err(c.err(
                    k("min"),
                    format!("a log scale needs min > 0, not {lo}"),
                    "use a positive min or scale = \"linear\"",
                ));
            }
            (lo, hi, None)
        }
        (Some(_), _, _) => {
            return Err(c.err(
                k("values"),
                "give either values or min and max, not both",
                "remove min/max or values",
            ));
        }
        _ => {
            return Err(c.err(
                k("min"),
                "needs min and max (or a list of values)",
                "add min = … and max = …",
            ));
        }
    })
}

/// Every parameter at its extremes must make a valid scenario: find range errors now, not
/// after hours of simulation.
fn check_corners(
    c: &Checker,
    parameters: &[Parameter],
    table: &toml::Table,
    scenario_path: &Path,
) -> Result<(), InputError> {
    for corner in [0.0, 1.0] {
        for (i, p) in parameters.iter().enumerate() {
            let mut t = table.clone();
            let v = p.value(corner);
            keypath::set_number(&mut t, &p.key, v).map_err(|e| {
                c.err(
                    format!("parameter[{i}].key"),
                    e,
                    "name a numeric key of the scenario",
                )
            })?;
            parse_table(&t, scenario_path).map_err(|e| {
                c.err(
                    format!("parameter[{i}]"),
                    format!("`{}` = {} makes the scenario invalid: {e}", p.key, v),
                    "narrow the range to values the scenario accepts",
                )
            })?;
        }
    }
    Ok(())
}

fn metric_examples() -> String {
    crate::metrics::HEADLINE
        .iter()
        .map(|m| m.name())
        .collect::<Vec<_>>()
        .join(", ")
}

fn discovery(c: &Checker, d: &RawDiscovery, levels: &[f64]) -> Result<Discovery, InputError> {
    let hint =
        "write METRIC OP VALUE, e.g. condition = \"response_rate < 0.8\" (OP one of <, <=, >, >=)";
    let cond = d.condition.trim();
    let (metric, comparison, rest) = [
        ("<=", Comparison::AtMost),
        (">=", Comparison::AtLeast),
        ("<", Comparison::Below),
        (">", Comparison::Above),
    ]
    .iter()
    .find_map(|(op, cmp)| cond.split_once(op).map(|(m, v)| (m.trim(), *cmp, v.trim())))
    .ok_or_else(|| {
        c.err(
            "discovery.condition",
            format!("\"{cond}\" has no comparison"),
            hint,
        )
    })?;
    let metric = Metric::from_name(metric).ok_or_else(|| {
        c.err(
            "discovery.condition",
            format!("unknown metric \"{metric}\""),
            format!("use a column of trials.csv, e.g. {}", metric_examples()),
        )
    })?;
    let threshold: f64 = rest
        .parse()
        .ok()
        .filter(|v: &f64| v.is_finite())
        .ok_or_else(|| {
            c.err(
                "discovery.condition",
                format!("\"{rest}\" is not a number"),
                hint,
            )
        })?;
    let level = level_position(c, "discovery.level", d.level, levels)?;
    for (key, v) in [
        ("discovery.peel_alpha", d.peel_alpha),
        ("discovery.min_support", d.min_support),
        ("discovery.min_density", d.min_density),
    ] {
        if !(v > 0.0 && v < 1.0) {
            return Err(c.err(
                key,
                format!("{v} is not a fraction strictly between 0 and 1"),
                "e.g. 0.05 for peel_alpha and min_support, 0.8 for min_density",
            ));
        }
    }
    Ok(Discovery {
        condition: cond.to_string(),
        metric,
        comparison,
        threshold,
        level,
        settings: crate::sensitivity::prim::PrimSettings {
            alpha: d.peel_alpha,
            min_support: d.min_support,
            min_density: d.min_density,
        },
    })
}

/// The position of `level` among the sweep's levels (the last when not given), or an error
/// naming `key`.
fn level_position(
    c: &Checker,
    key: &str,
    level: Option<f64>,
    levels: &[f64],
) -> Result<usize, InputError> {
    match level {
        None => Ok(levels.len() - 1),
        Some(l) => levels
            .iter()
            .position(|x| (x - l).abs() < 1e-9)
            .ok_or_else(|| {
                c.err(
                    key,
                    format!("{l} is not one of the sweep's levels"),
                    format!(
                        "use one of {}",
                        levels
                            .iter()
                            .map(|l| crate::output::num(*l))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
            }),
    }
}
