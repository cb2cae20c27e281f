//! `dipcap schema` explains every key: each property of the scenario and sweep schemas has a
//! description, and the numeric bounds it states are the validator's own: a value just beyond
//! a bound is refused naming that key, a value on the bound is not refused for that key.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::common::*;

fn schema(args: &[&str]) -> Value {
    let o = dipcap(args, &root());
    assert!(o.status.success(), "{}", stderr(&o));
    serde_json::from_slice(&o.stdout).unwrap()
}

/// The schema a `$ref` points to (`#/$defs/Name`), or the schema itself.
fn resolve<'a>(root: &'a Value, s: &'a Value) -> &'a Value {
    match s.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let name = r.trim_start_matches("#/$defs/");
            &root["$defs"][name]
        }
        None => s,
    }
}

/// A numeric leaf: its dotted key path (list elements as `[0]`), whether it is a whole
/// number, and its bounds.
#[derive(Debug, Clone)]
struct Leaf {
    path: String,
    integer: bool,
    min: Option<f64>,
    max: Option<f64>,
    exclusive_min: Option<f64>,
}

fn types(s: &Value) -> Vec<String> {
    match &s["type"] {
        Value::String(t) => vec![t.clone()],
        Value::Array(ts) => ts
            .iter()
            .filter_map(|t| t.as_str().map(String::from))
            .collect(),
        _ => Vec::new(),
    }
}

/// Every property under `s` at `path`: (path, its schema), and the numeric leaves.
fn walk(
    root: &Value,
    s: &Value,
    path: &str,
    props: &mut Vec<(String, Value)>,
    leaves: &mut Vec<Leaf>,
    depth: usize,
) {
    assert!(depth < 12, "schema nests too deep at {path}");
    let s = resolve(root, s);
    if let Some(items) = s.get("items") {
        walk(root, items, &format!("{path}[0]"), props, leaves, depth + 1);
    }
    for key in ["anyOf", "oneOf", "allOf"] {
        if let Some(list) = s.get(key).and_then(Value::as_array) {
            for alt in list {
                if alt.get("type") != Some(&Value::String("null".into())) {
                    walk(root, alt, path, props, leaves, depth + 1);
                }
            }
        }
    }
    if let Some(map) = s.get("properties").and_then(Value::as_object) {
        for (k, v) in map {
            let p = if path.is_empty() {
                k.clone()
            } else {
                format!("{path}.{k}")
            };
            props.push((p.clone(), v.clone()));
            let t = types(v);
            let numeric = t.iter().any(|t| t == "integer" || t == "number");
            if numeric && v.get("$ref").is_none() {
                leaves.push(Leaf {
                    path: p.clone(),
                    integer: t.iter().any(|t| t == "integer"),
                    min: v["minimum"].as_f64(),
                    max: v["maximum"].as_f64(),
                    exclusive_min: v["exclusiveMinimum"].as_f64(),
                });
            }
            walk(root, v, &p, props, leaves, depth + 1);
        }
    }
}

#[test]
fn every_key_of_both_schemas_has_a_description() {
    for args in [vec!["schema"], vec!["schema", "--sweep"]] {
        let root_schema = schema(&args);
        let (mut props, mut leaves) = (Vec::new(), Vec::new());
        walk(&root_schema, &root_schema, "", &mut props, &mut leaves, 0);
        let least = if args.len() == 1 { 100 } else { 20 };
        assert!(props.len() >= least, "{args:?}: {} properties", props.len());
        let missing: Vec<&str> = props
            .iter()
            .filter(|(_, v)| {
                let d = v
                    .get("description")
                    .or_else(|| resolve(&root_schema, v).get("description"));
                d.and_then(Value::as_str).is_none_or(|d| d.len() <= 10)
            })
            .map(|(p, _)| p.as_str())
            .collect();
        assert!(
            missing.is_empty(),
            "{args:?}: no description for {missing:?}"
        );
    }
}

/// Sets `value` at a dotted path in a TOML table if the table holding the key exists there.
fn set_if_present(t: &mut toml::Table, path: &str, value: toml::Value) -> bool {
    let parts: Vec<&str> = path.split('.').collect();
    let mut cur = t;
    for part in &parts[..parts.len() - 1] {
        let (key, index) = match part.split_once('[') {
            Some((k, _)) => (k, Some(0)),
            None => (*part, None),
        };
        let next = match cur.get_mut(key) {
            Some(v) => v,
            None => return false,
        };
        let next = match index {
            Some(i) => match next.as_array_mut().and_then(|a| a.get_mut(i)) {
                Some(v) => v,
                None => return false,
            },
            None => next,
        };
        cur = match next.as_table_mut() {
            Some(t) => t,
            None => return false,
        };
    }
    let last = parts[parts.len() - 1];
    if last.contains('[') {
        return false;
    }
    cur.insert(last.to_string(), value);
    true
}

/// The bound on every number in a scenario (`MAX_MAGNITUDE`).
const MAGNITUDE: f64 = 1e12;

fn value(integer: bool, x: f64) -> toml::Value {
    if integer {
        toml::Value::Integer(x as i64)
    } else {
        toml::Value::Float(x)
    }
}

/// The scenario schema's bounds against the validator, key by key, on the catalogue's base.
#[test]
fn the_schemas_bounds_are_the_validators() {
    let root_schema = schema(&["schema"]);
    let (mut props, mut leaves) = (Vec::new(), Vec::new());
    walk(&root_schema, &root_schema, "", &mut props, &mut leaves, 0);
    let bounded: Vec<&Leaf> = leaves
        .iter()
        .filter(|l| l.min.is_some() || l.max.is_some() || l.exclusive_min.is_some())
        .collect();
    assert!(
        bounded.len() >= 30,
        "only {} numeric keys have bounds in the schema",
        bounded.len()
    );
    let base = table(&root().join("tests/bad_scenarios/base.toml"));
    let names = |path: &str, e: &str| {
        let key = format!("`{}`", path.replace(".[", "["));
        e.contains(&key)
    };
    let mut checked = BTreeMap::new();
    let mut wrong = Vec::new();
    for l in bounded {
        let step = |x: f64| {
            if l.integer {
                1.0
            } else {
                (x.abs() * 1e-6).max(1e-6)
            }
        };
        let mut probes: Vec<(f64, bool)> = Vec::new(); // (value, must be refused for this key)
        if let Some(m) = l.max {
            probes.push((m + step(m), true));
            probes.push((m, false));
        }
        if let Some(m) = l.min {
            probes.push((m - step(m), true));
            probes.push((m, false));
        }
        if let Some(m) = l.exclusive_min {
            probes.push((m, true));
            probes.push((m + step(m), false));
        }
        for (x, refused) in probes {
            // On the bound of every number (±10¹²) a value may still break a rule between
            // keys (assessed contributions within the budget, a quantity that cannot be
            // negative): only the key's own bounds must accept their end points.
            if !refused && x.abs() == MAGNITUDE {
                continue;
            }
            let mut t = base.clone();
            // Keys read only under one cut profile are probed under it; an exercise's length
            // is probed from the first day of the year.
            for (key, other, v) in [
                (
                    "budget.cut.phase_years",
                    "budget.cut.profile",
                    "phased".into(),
                ),
                ("budget.cut.shock_day", "budget.cut.profile", "shock".into()),
                (
                    "exercises[0].duration_days",
                    "exercises[0].start_day",
                    toml::Value::Float(0.0),
                ),
            ] {
                if l.path == key {
                    set(&mut t, other, v);
                }
            }
            if !set_if_present(&mut t, &l.path, value(l.integer, x)) {
                continue;
            }
            let text = toml::to_string(&t).unwrap();
            let e = match dipcap::scenario::parse_str(&text, std::path::Path::new("s.toml")) {
                Ok(_) => String::new(),
                Err(e) => e.to_string(),
            };
            // A distribution table's keys are those of its family: the base's lognormal has
            // no `min`, so a bound on `min` cannot be probed there.
            if e.contains("is not a parameter of") {
                continue;
            }
            if refused && !names(&l.path, &e) {
                wrong.push(format!(
                    "{} = {x} is beyond the schema's bound but the validator said: {e:?}",
                    l.path
                ));
            }
            if !refused && names(&l.path, &e) {
                wrong.push(format!(
                    "{} = {x} is on the schema's bound but the validator refused it: {e}",
                    l.path
                ));
            }
            *checked.entry(l.path.clone()).or_insert(0) += 1;
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert!(
        checked.len() >= 20,
        "only {} keys probed: {checked:?}",
        checked.len()
    );
}
