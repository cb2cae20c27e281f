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
    pub sweep: RawSweep,
    #[serde(default, rename = "parameter")]
    pub parameters: Vec<RawParameter>,
    pub discovery: Option<RawDiscovery>,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Sweep")]
pub struct RawSweep {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Scenario file, relative to the sweep file.
    pub scenario: String,
    pub design: String,
    pub samples: Option<i64>,
    pub trials: Option<i64>,
    pub seed: Option<u64>,
    pub levels: Option<Vec<f64>>,
    pub metrics: Option<Vec<String>>,
    #[serde(default = "yes")]
    pub tornado: bool,
    #[serde(default = "four")]
    pub morris_levels: i64,
    #[serde(default = "thousand")]
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
    pub key: String,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub values: Option<Vec<f64>>,
    pub steps: Option<i64>,
    #[serde(default = "linear")]
    pub scale: String,
    pub label: Option<String>,
}

fn linear() -> String {
    "linear".into()
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Discovery")]
pub struct RawDiscovery {
    pub condition: String,
    pub level: Option<f64>,
    #[serde(default = "alpha")]
    pub peel_alpha: f64,
    #[serde(default = "alpha")]
    pub min_support: f64,
    #[serde(default = "density")]
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
