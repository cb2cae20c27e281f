//! `[search]`: the space `dipcap optimise` may search, declared in the scenario — for each
//! lever a policy may set (`policy::is_lever`), a range (`{ min = 0.0, max = 0.5 }`) or a list
//! of choices (`{ choices = [["exercises", "posts", "programmes"], …] }`). A point of the space
//! is a policy: its values set on the file, validated like the file. Each bound and each
//! choice is checked on its own when the file is read, so a search never starts on a space
//! whose edges the model refuses.

use std::path::Path;

use toml::{Table, Value};

use super::{Scenario, keypath, policy};
use crate::error::InputError;

/// One searched key.
#[derive(Debug, Clone, PartialEq)]
pub struct Dim {
    /// The key path, as written.
    pub key: String,
    pub kind: DimKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum DimKind {
    /// A number from `min` to `max`; `whole` when the key holds a whole number (a priority).
    Range { min: f64, max: f64, whole: bool },
    /// One of these values.
    Choices(Vec<Value>),
}

/// Decimal places to which a searched number is rounded: candidates are then short to read
/// and paste, and a pasted `policy.toml` sets exactly the value that was simulated.
pub const DECIMALS: i32 = 4;

/// Keys under which a searched number is a line's part of the cut: searching one implies the
/// cut policy `"shares"`.
pub const CUT_SHARES: &str = "budget.cut.shares.";

/// Most keys a search may vary: the screening design grows with the dimension.
pub const MAX_DIMS: usize = 16;

/// The search space of a scenario, with the file it varies.
#[derive(Debug, Clone)]
pub struct Space {
    pub dims: Vec<Dim>,
    /// The scenario file as a table, without its `[[policies]]` and `[search]`.
    pub base: Table,
}

impl Dim {
    /// The value of this key at coordinate `u` in [0, 1] (a choice: the `⌊u·k⌋`-th of k).
    pub fn value_at(&self, u: f64) -> Value {
        let u = u.clamp(0.0, 1.0);
        match &self.kind {
            DimKind::Range { min, max, whole } => {
                let v = min + u * (max - min);
                if *whole {
                    Value::Integer(v.round() as i64)
                } else {
                    let f = 10f64.powi(DECIMALS);
                    Value::Float(((v * f).round() / f).clamp(*min, *max))
                }
            }
            DimKind::Choices(c) => {
                let i = ((u * c.len() as f64) as usize).min(c.len() - 1);
                c[i].clone()
            }
        }
    }

    /// Whether this key takes a number the search moves smoothly (a range, not a choice).
    pub fn is_range(&self) -> bool {
        matches!(self.kind, DimKind::Range { .. })
    }
}

impl Space {
    /// The changes a point makes: each key's value at `u`, and the cut policy `"shares"`
    /// when a line's part of the cut is searched.
    pub fn changes(&self, u: &[f64]) -> Vec<(String, Value)> {
        let mut out: Vec<(String, Value)> = Vec::with_capacity(self.dims.len() + 1);
        if self.dims.iter().any(|d| d.key.starts_with(CUT_SHARES)) {
            out.push(("budget.cut.policy".into(), Value::String("shares".into())));
        }
        for (d, &x) in self.dims.iter().zip(u) {
            out.push((d.key.clone(), d.value_at(x)));
        }
        out
    }

    /// The file's table with `changes` set.
    pub fn table(&self, changes: &[(String, Value)]) -> Result<Table, String> {
        let mut t = self.base.clone();
        for (k, v) in changes {
            keypath::set_value(&mut t, k, v)?;
        }
        Ok(t)
    }
}

/// Reads `[search]` of a scenario file: `doc` is the file as a table, `validate` the check a
/// scenario table must pass.
pub fn build(
    doc: &Table,
    search: &Table,
    path: &Path,
    validate: impl Fn(&Table, &Path) -> Result<Scenario, InputError>,
) -> Result<Space, InputError> {
    let err = |key: String, problem: String, hint: String| InputError::Key {
        path: path.to_path_buf(),
        key,
        problem,
        hint,
    };
    let mut base = doc.clone();
    base.remove("policies");
    base.remove("search");
    let mut dims = Vec::new();
    let mut targets: Vec<(String, String)> = Vec::new();
    for (key, spec) in flatten(search) {
        let at = format!("search.\"{key}\"");
        if !policy::is_lever(&key) {
            return Err(err(
                at,
                format!("`{key}` is not a lever a policy may change"),
                "search the levers listed in docs/POLICIES.md, e.g. \"budget.cut.shares.procurement\" = { min = 0.0, max = 0.5 }".into(),
            ));
        }
        let kind = dim_kind(&key, &spec, &base).map_err(|(p, h)| err(at.clone(), p, h))?;
        // The key must exist (or be creatable) and each edge must make a valid scenario.
        let dim = Dim {
            key: key.clone(),
            kind,
        };
        let edges: Vec<Value> = match &dim.kind {
            DimKind::Range { .. } => vec![dim.value_at(0.0), dim.value_at(1.0)],
            DimKind::Choices(c) => c.clone(),
        };
        for v in edges {
            let mut changes = Vec::new();
            if key.starts_with(CUT_SHARES) {
                changes.push((
                    "budget.cut.policy".to_string(),
                    Value::String("shares".into()),
                ));
                // A lone line at 0 would leave no line to take the cut: check the edge with
                // the line beside a line that takes some.
                let other = if key.ends_with(".procurement") {
                    "operations"
                } else {
                    "procurement"
                };
                changes.push((format!("{CUT_SHARES}{other}"), Value::Float(1.0)));
            }
            changes.push((key.clone(), v.clone()));
            let mut t = base.clone();
            let mut target = String::new();
            for (k, val) in &changes {
                target = keypath::set_value(&mut t, k, val).map_err(|e| {
                    err(
                        at.clone(),
                        e,
                        "name a key of the scenario file with a value of its kind".into(),
                    )
                })?;
            }
            if !targets.iter().any(|(k, _)| *k == key) {
                if let Some((other, _)) = targets.iter().find(|(_, t)| *t == target) {
                    return Err(err(
                        at.clone(),
                        format!("`{target}` is searched twice, as `{other}` and as `{key}`"),
                        "search each key once".into(),
                    ));
                }
                targets.push((key.clone(), target));
            }
            validate(&t, path).map_err(|e| {
                err(
                    at.clone(),
                    format!(
                        "with `{key}` = {v} the scenario is not valid: {}",
                        policy::flat(&e)
                    ),
                    "narrow the range, or drop the choice, to values the scenario accepts".into(),
                )
            })?;
        }
        dims.push(dim);
    }
    if dims.is_empty() {
        return Err(err(
            "search".into(),
            "[search] names no key".into(),
            "give each searched lever a range or choices, e.g. \"budget.cut.shares.procurement\" = { min = 0.0, max = 1.0 }".into(),
        ));
    }
    if dims.len() > MAX_DIMS {
        return Err(err(
            "search".into(),
            format!("{} searched keys are more than {MAX_DIMS}", dims.len()),
            format!(
                "search at most {MAX_DIMS} levers at once; fix the others in the scenario or a policy"
            ),
        ));
    }
    Ok(Space { dims, base })
}

/// `[search]` with nested tables joined into dotted keys, down to the tables that hold
/// `min`/`max` or `choices` (what an unquoted dotted key is read as).
fn flatten(search: &Table) -> Vec<(String, Table)> {
    fn walk(prefix: &str, t: &Table, out: &mut Vec<(String, Table)>) {
        for (k, v) in t {
            let key = if prefix.is_empty() {
                k.clone()
            } else {
                format!("{prefix}.{k}")
            };
            match v {
                Value::Table(inner)
                    if !inner.contains_key("min")
                        && !inner.contains_key("max")
                        && !inner.contains_key("choices")
                        && inner.values().all(Value::is_table) =>
                {
                    walk(&key, inner, out)
                }
                Value::Table(inner) => out.push((key, inner.clone())),
                other => {
                    let mut t = Table::new();
                    t.insert("value".into(), other.clone());
                    out.push((key, t));
                }
            }
        }
    }
    let mut out = Vec::new();
    walk("", search, &mut out);
    out
}

type Problem = (String, String);

fn dim_kind(key: &str, spec: &Table, base: &Table) -> Result<DimKind, Problem> {
    let usage =
        || "give a range, { min = 0.0, max = 0.5 }, or choices, { choices = [1, 5] }".to_string();
    if let Some(v) = spec.get("value") {
        return Err((
            format!("`{key}` = {v} is a value, not a range or choices"),
            usage(),
        ));
    }
    for k in spec.keys() {
        if !["min", "max", "choices"].contains(&k.as_str()) {
            return Err((format!("`{k}` is not a key of a searched lever"), usage()));
        }
    }
    if let Some(c) = spec.get("choices") {
        if spec.contains_key("min") || spec.contains_key("max") {
            return Err((
                format!("`{key}` has both a range and choices"),
                "give one: a range or choices".into(),
            ));
        }
        let Some(list) = c.as_array() else {
            return Err((format!("`choices` of `{key}` is not a list"), usage()));
        };
        if list.len() < 2 {
            return Err((
                format!("`{key}` has {} choice(s)", list.len()),
                "give at least two choices (a single value belongs in the scenario)".into(),
            ));
        }
        for (i, a) in list.iter().enumerate() {
            if list[..i].contains(a) {
                return Err((
                    format!("choice {a} of `{key}` is listed twice"),
                    "list each choice once".into(),
                ));
            }
        }
        return Ok(DimKind::Choices(list.clone()));
    }
    let num = |name: &str| -> Result<f64, Problem> {
        match spec.get(name) {
            Some(Value::Float(f)) if f.is_finite() => Ok(*f),
            Some(Value::Integer(i)) => Ok(*i as f64),
            Some(other) => Err((
                format!("`{name}` of `{key}` is {other}, not a finite number"),
                usage(),
            )),
            None => Err((format!("`{key}` has no `{name}`"), usage())),
        }
    };
    let (min, max) = (num("min")?, num("max")?);
    if min >= max {
        return Err((
            format!("`{key}` has min {min} ≥ max {max}"),
            "give a min below the max".into(),
        ));
    }
    let whole = matches!(keypath::get(base, key), Ok(Some(Value::Integer(_))));
    if whole && (min.fract() != 0.0 || max.fract() != 0.0) {
        return Err((
            format!("`{key}` holds a whole number, but its range is {min} to {max}"),
            "give whole numbers as the bounds".into(),
        ));
    }
    if !whole && matches!(keypath::get(base, key), Ok(Some(v)) if !v.is_float()) {
        return Err((
            format!("`{key}` does not hold a number"),
            "give its choices instead: { choices = [...] }".into(),
        ));
    }
    Ok(DimKind::Range { min, max, whole })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dim(kind: DimKind) -> Dim {
        Dim {
            key: "k".into(),
            kind,
        }
    }

    #[test]
    fn coordinates_map_onto_rounded_values_and_choices() {
        let r = dim(DimKind::Range {
            min: 0.0,
            max: 0.5,
            whole: false,
        });
        assert_eq!(r.value_at(0.0), Value::Float(0.0));
        assert_eq!(r.value_at(1.0), Value::Float(0.5));
        assert_eq!(r.value_at(0.123456), Value::Float(0.0617));
        assert_eq!(r.value_at(7.0), Value::Float(0.5), "clamped");
        let w = dim(DimKind::Range {
            min: 1.0,
            max: 5.0,
            whole: true,
        });
        assert_eq!(w.value_at(0.6), Value::Integer(3));
        let c = dim(DimKind::Choices(vec![Value::Integer(1), Value::Integer(5)]));
        assert_eq!(c.value_at(0.0), Value::Integer(1));
        assert_eq!(c.value_at(0.49), Value::Integer(1));
        assert_eq!(c.value_at(0.5), Value::Integer(5));
        assert_eq!(c.value_at(1.0), Value::Integer(5));
    }
}
