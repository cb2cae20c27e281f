//! Sweep files: which scenario, which parameters (by key path) over which ranges, which
//! design, and an optional scenario-discovery condition. Raw serde mirror first (unknown keys
//! rejected), then validation that names the sweep file, the key, what is wrong and the fix.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::InputError;
use crate::metrics::Metric;
use crate::scenario::{self, Scenario};

use super::keypath;

mod validate;
use validate::validate;

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "SweepFile")]
pub struct RawSweepFile {
    /// `[sweep]`: the sweep's name, its scenario, design and run settings. Required.
    pub sweep: RawSweep,
    /// `[[parameter]]`: the scenario keys varied and their ranges. At least one.
    #[serde(default, rename = "parameter")]
    #[schemars(length(min = 1))]
    pub parameters: Vec<RawParameter>,
    /// `[discovery]`: a condition on an outcome whose region of parameter space PRIM looks
    /// for. Optional.
    pub discovery: Option<RawDiscovery>,
    /// `[robust]`: how the scenario's `[[policies]]` are judged across the sweep's points
    /// (regret and satisficing). Optional; only for a scenario with policies, which gets the
    /// defaults without it.
    pub robust: Option<RawRobust>,
}

/// `[robust]`: robust choice among the scenario's policies over the sweep's points.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Robust")]
pub struct RawRobust {
    /// The metric each policy is judged on, `METRIC` (higher is better) or `METRIC:min`
    /// (lower is better), e.g. `"dci"`. Default `"dci"`.
    pub objective: Option<String>,
    /// The budget level at which policies are compared, as a fraction of the baseline; one of
    /// the sweep's levels. Default: the last level.
    #[schemars(extend("x-unit" = "share of baseline"))]
    pub level: Option<f64>,
    /// Conditions a policy must meet at a point to satisfice there, each `METRIC>=X` or
    /// `METRIC<=X` on the point's mean, e.g. `["response_rate>=0.9"]`. Default none.
    #[serde(default)]
    pub constraints: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Sweep")]
pub struct RawSweep {
    /// Names the sweep and its output folder `output/<name>/`. Required; up to 200 letters,
    /// digits, `-`, `_` or `.`, not starting with `.`.
    #[schemars(length(min = 1, max = crate::scenario::MAX_NAME_BYTES))]
    pub name: String,
    /// What the sweep is about; a label only. Default empty.
    #[serde(default)]
    pub description: String,
    /// Scenario file, relative to the sweep file.
    /// Required; it must be a valid scenario on its own.
    pub scenario: String,
    /// The design: `"grid"` (full factorial over each parameter's `steps` or `values`),
    /// `"lhs"` (Latin hypercube), `"sobol"` (Saltelli sampling for Sobol indices) or
    /// `"morris"` (elementary effects). Required (overridden by `--design`).
    #[schemars(extend("enum" = ["grid", "lhs", "sobol", "morris"]))]
    pub design: String,
    /// Design size: points for `lhs`, base samples N for `sobol` (N·(k + 2) points for k
    /// parameters), trajectories r for `morris`; not allowed for `grid`. Default 100 (lhs),
    /// 64 (sobol) or 20 (morris); from 1 to 1 000 000 (sobol at most 65 536), and the whole
    /// design at most 1 000 000 points.
    #[schemars(
        range(min = 1, max = crate::sweep::spec::MAX_POINTS),
        extend("x-unit" = "samples")
    )]
    pub samples: Option<i64>,
    /// Trials per design point and budget level (overridden by `--trials`). Default 100; from
    /// 1 to 100 000 000.
    #[schemars(range(min = 1, max = 100_000_000), extend("x-unit" = "trials"))]
    pub trials: Option<i64>,
    /// Master seed of the sweep's random streams (overridden by `--seed`). Default: the
    /// scenario's seed; any unsigned 64-bit number.
    pub seed: Option<u64>,
    /// Budget levels to run, as fractions of the baseline, in place of the scenario's; the
    /// first is the reference for paired differences. Default: the scenario's levels; at
    /// least one, each listed once, greater than 0 and at most 2.
    #[schemars(
        length(min = 1),
        extend(
            "items" = {"type": "number", "exclusiveMinimum": 0, "maximum": 2},
            "uniqueItems" = true,
            "x-unit" = "share of baseline"
        )
    )]
    pub levels: Option<Vec<f64>>,
    /// Metrics analysed, by their names in trials.csv (e.g. `"response_rate"`, `"dci"`).
    /// Default: the five headline metrics (response_rate, exercises_held_share, trust_mean,
    /// posts_open, dci); at least one.
    #[schemars(length(min = 1))]
    pub metrics: Option<Vec<String>>,
    /// Also run the 2k + 1 one-at-a-time points (the centre, then each parameter at its
    /// minimum and at its maximum) for the tornado charts. Default true.
    #[serde(default = "yes")]
    pub tornado: bool,
    /// p: the number of levels of the Morris grid (`morris` design). Default 4; a whole
    /// number from 2 to 20 (even numbers are usual).
    #[serde(default = "four")]
    #[schemars(range(min = 2, max = 20), extend("x-unit" = "grid levels"))]
    pub morris_levels: i64,
    /// Bootstrap resamples for the confidence intervals of the sensitivity indices; 0 gives
    /// no intervals. Default 1000; from 0 to 100 000.
    #[serde(default = "thousand")]
    #[schemars(
        range(min = 0, max = 100_000),
        extend("x-unit" = "resamples")
    )]
    pub bootstrap: i64,
}

fn yes() -> bool {
    true
}
fn four() -> i64 {
    4
}
fn thousand() -> i64 {
    1000
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Parameter")]
pub struct RawParameter {
    /// Key path of the numeric scenario key varied, dotted as in the scenario file, list
    /// elements by position or name, e.g. `"crises.peacekeeping.rate"` or
    /// `"crises[1].duration_days.mean"`. Required; each key swept once.
    pub key: String,
    /// Bottom of the range, in the key's units (with `max`, instead of `values`). Finite and
    /// below `max`; greater than 0 with `scale = "log"`.
    pub min: Option<f64>,
    /// Top of the range, in the key's units (with `min`, instead of `values`). Finite and
    /// above `min`.
    pub max: Option<f64>,
    /// The values to try instead of a range (`grid`: each value; other designs: equal cells
    /// of the unit interval). At least one, each finite.
    #[schemars(length(min = 1))]
    pub values: Option<Vec<f64>>,
    /// `grid` only: evenly spaced values over the range, both ends included (1 is the
    /// centre). Default 3; from 1 to 1000.
    #[schemars(range(min = 1, max = 1000), extend("x-unit" = "values"))]
    pub steps: Option<i64>,
    /// How the range is sampled: `"linear"` or `"log"` (then `min` must be greater than 0).
    /// Default `"linear"`.
    #[serde(default = "linear")]
    #[schemars(extend("enum" = ["linear", "log"]))]
    pub scale: String,
    /// The parameter's name in charts and tables. Default: the key.
    pub label: Option<String>,
}

fn linear() -> String {
    "linear".into()
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Discovery")]
pub struct RawDiscovery {
    /// The condition PRIM looks for, `METRIC OP VALUE` on a point's mean at `level` with OP
    /// one of <, <=, >, >=, e.g. `"response_rate < 0.8"`. Required.
    pub condition: String,
    /// The budget level at which the condition is tested, as a fraction of the baseline; one
    /// of the sweep's levels. Default: the last level.
    #[schemars(extend("x-unit" = "share of baseline"))]
    pub level: Option<f64>,
    /// Share of the box's points peeled off one side at each step. Default 0.05; strictly
    /// between 0 and 1.
    #[serde(default = "alpha")]
    #[schemars(extend(
        "exclusiveMinimum" = 0,
        "exclusiveMaximum" = 1,
        "x-unit" = "share"
    ))]
    pub peel_alpha: f64,
    /// Peeling stops once the box holds less than this share of all points. Default 0.05;
    /// strictly between 0 and 1.
    #[serde(default = "alpha")]
    #[schemars(extend(
        "exclusiveMinimum" = 0,
        "exclusiveMaximum" = 1,
        "x-unit" = "share"
    ))]
    pub min_support: f64,
    /// Least density (the share of a box's points that meet the condition) of the reported
    /// box, the one with the largest coverage (if none is this dense, the densest). Default
    /// 0.8; strictly between 0 and 1.
    #[serde(default = "density")]
    #[schemars(extend(
        "exclusiveMinimum" = 0,
        "exclusiveMaximum" = 1,
        "x-unit" = "share"
    ))]
    pub min_density: f64,
}

fn alpha() -> f64 {
    0.05
}
fn density() -> f64 {
    0.8
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Design {
    Grid,
    Lhs,
    Sobol,
    Morris,
}

impl Design {
    pub const NAMES: [(&'static str, Design); 4] = [
        ("grid", Design::Grid),
        ("lhs", Design::Lhs),
        ("sobol", Design::Sobol),
        ("morris", Design::Morris),
    ];

    pub fn name(self) -> &'static str {
        Self::NAMES
            .iter()
            .find(|(_, d)| *d == self)
            .map_or("?", |(n, _)| n)
    }

    pub fn from_name(s: &str) -> Option<Design> {
        Self::NAMES.iter().find(|(n, _)| *n == s).map(|(_, d)| *d)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    Linear,
    Log,
}

/// A validated parameter: where it lives and the values it takes.
#[derive(Debug, Clone)]
pub struct Parameter {
    pub key: String,
    pub label: String,
    pub min: f64,
    pub max: f64,
    pub scale: Scale,
    /// A list of values instead of a range (the unit coordinate picks one of them).
    pub values: Option<Vec<f64>>,
    /// Grid points over the range when there is no list.
    pub steps: usize,
    /// The one-at-a-time centre: the scenario's own value when it lies in the range, else
    /// the middle of the range.
    pub base: f64,
    /// The key holds a whole number (a count): values are rounded.
    pub integer: bool,
}

impl Parameter {
    /// The value at unit coordinate u ∈ [0, 1].
    pub fn value(&self, u: f64) -> f64 {
        if let Some(v) = &self.values {
            let i = ((u * v.len() as f64).floor() as usize).min(v.len() - 1);
            return v[i];
        }
        let x = match self.scale {
            Scale::Linear => self.min + u * (self.max - self.min),
            Scale::Log => (self.min.ln() + u * (self.max.ln() - self.min.ln())).exp(),
        };
        if self.integer { x.round() } else { x }
    }

    /// The unit coordinate of a value (the inverse of `value` on a range; the middle of the
    /// value's cell for a list).
    pub fn unit(&self, x: f64) -> f64 {
        if let Some(v) = &self.values {
            let i = v.iter().position(|w| *w == x).unwrap_or(v.len() / 2);
            return (i as f64 + 0.5) / v.len() as f64;
        }
        let u = match self.scale {
            Scale::Linear => (x - self.min) / (self.max - self.min),
            Scale::Log => (x.ln() - self.min.ln()) / (self.max.ln() - self.min.ln()),
        };
        if u.is_finite() {
            u.clamp(0.0, 1.0)
        } else {
            0.5
        }
    }

    /// Number of grid values.
    pub fn grid_steps(&self) -> usize {
        self.values.as_ref().map_or(self.steps, Vec::len)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    Below,
    AtMost,
    Above,
    AtLeast,
}

/// "response_rate < 0.8" at a level: the condition PRIM looks for.
#[derive(Debug, Clone)]
pub struct Discovery {
    pub condition: String,
    pub metric: Metric,
    pub comparison: Comparison,
    pub threshold: f64,
    /// Position in the sweep's levels.
    pub level: usize,
    pub settings: crate::sensitivity::prim::PrimSettings,
}

impl Discovery {
    pub fn holds(&self, v: f64) -> bool {
        match self.comparison {
            Comparison::Below => v < self.threshold,
            Comparison::AtMost => v <= self.threshold,
            Comparison::Above => v > self.threshold,
            Comparison::AtLeast => v >= self.threshold,
        }
    }
}

/// How policies are judged over the sweep's points: the objective at a level, and the
/// constraints a policy must meet at a point to satisfice there.
#[derive(Debug, Clone)]
pub struct Robust {
    pub objective: Metric,
    pub maximise: bool,
    /// Position in the sweep's levels.
    pub level: usize,
    /// (metric, at least, bound, as written).
    pub constraints: Vec<(Metric, bool, f64, String)>,
}

impl Robust {
    /// The metrics it reads: the objective, then the constraints' (each once).
    pub fn metrics(&self) -> Vec<Metric> {
        let mut v = vec![self.objective];
        for c in &self.constraints {
            if !v.contains(&c.0) {
                v.push(c.0);
            }
        }
        v
    }

    /// Whether a point's means meet every constraint.
    pub fn meets(&self, mean: impl Fn(Metric) -> f64) -> bool {
        self.constraints.iter().all(|(m, at_least, bound, _)| {
            let v = mean(*m);
            if *at_least { v >= *bound } else { v <= *bound }
        })
    }

    /// "dci (higher is better) at 70%".
    pub fn words(&self, levels: &[f64]) -> String {
        format!(
            "{} ({} is better) at {}",
            self.objective.name(),
            if self.maximise { "higher" } else { "lower" },
            crate::charts::data::level_label(levels[self.level])
        )
    }
}

/// A validated sweep.
#[derive(Debug, Clone)]
pub struct Sweep {
    pub name: String,
    /// The texts of the sweep file and of its scenario, as read (shards carry them).
    pub text: String,
    pub scenario_text: String,
    pub description: String,
    pub path: PathBuf,
    pub sweep_sha256: String,
    pub scenario_path: PathBuf,
    pub scenario_sha256: String,
    /// The scenario as a TOML table, with the sweep's levels written in.
    pub table: toml::Table,
    /// The scenario as the table describes it (levels included).
    pub base: Scenario,
    pub design: Design,
    pub samples: usize,
    pub trials: u64,
    pub seed: u64,
    pub levels: Vec<f64>,
    pub metrics: Vec<Metric>,
    pub tornado: bool,
    pub morris_levels: usize,
    pub bootstrap: usize,
    pub parameters: Vec<Parameter>,
    pub discovery: Option<Discovery>,
    /// Set when the scenario has `[[policies]]`: each point then runs them too.
    pub robust: Option<Robust>,
}

/// Command-line overrides of the sweep file.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Overrides {
    pub design: Option<String>,
    pub samples: Option<u64>,
    pub trials: Option<u64>,
    pub seed: Option<u64>,
}

/// The largest number of design points a sweep may have.
pub const MAX_POINTS: usize = 1_000_000;

fn sha256(bytes: &[u8]) -> String {
    crate::output::json::sha256_hex(bytes)
}

pub fn load(path: &Path, o: &Overrides) -> Result<Sweep, InputError> {
    let text = scenario::read_text(path)?;
    load_text(path, &text, None, o)
}

/// A sweep from its text (and, when given, the scenario's text instead of reading the file
/// the sweep names): how `dipcap merge` rebuilds the sweep of its shards.
pub fn load_text(
    path: &Path,
    text: &str,
    scenario_text: Option<&str>,
    o: &Overrides,
) -> Result<Sweep, InputError> {
    let raw: RawSweepFile =
        scenario::parse_toml(text, path).map_err(|e| match scenario::kind_of(text) {
            Some(scenario::FileKind::Scenario) => InputError::Option {
                what: path.display().to_string(),
                problem: "is a scenario file (it has a [scenario] table), not a sweep file".into(),
                hint: "run it with `dipcap run`; `dipcap sweep` takes a sweep file, whose [sweep] table names a scenario and whose [[parameter]] entries say what to vary (e.g. scenarios/baseline-sweep.toml)".into(),
            },
            _ => e,
        })?;
    validate(raw, path, text, scenario_text, o)
}

/// Validates a scenario given as a TOML table.
pub fn parse_table(t: &toml::Table, path: &Path) -> Result<Scenario, InputError> {
    let text = toml::to_string(t).map_err(|e| InputError::Option {
        what: path.display().to_string(),
        problem: format!("cannot write the swept scenario: {e}"),
        hint: "report this as a bug".into(),
    })?;
    scenario::parse_str(&text, path)
}
