//! Fuzzing by property-based mutation (proptest): valid scenarios with one to four values
//! replaced by hostile ones (negative, zero, huge, tiny, NaN, infinite, wrong types, missing
//! keys, lists and tables where numbers belong) or with bytes of the text changed. Whatever the
//! input, parse → validate → one trial at every level must not panic and must finish within a
//! time limit: a bad value is an error message, never a crash or a hang.
//!
//! The bounded run here (512 cases) is part of `cargo test`; a longer one:
//!     PROPTEST_CASES=20000 cargo test --release fuzz

use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use proptest::prelude::*;
use toml::Value;

use crate::common::*;

/// Longest a parse, validation and one trial may take (a generous bound: valid trials take
/// milliseconds even in the test profile).
const LIMIT: Duration = Duration::from_secs(20);

fn seeds() -> Vec<toml::Table> {
    [
        root().join("tests/bad_scenarios/base.toml"),
        fixture("mmc.toml"),
        scenario_path("baseline"),
        scenario_path("sequestration"),
        scenario_path("balkan-cooperation"),
    ]
    .iter()
    .map(|p| table(p))
    .collect()
}

/// Every leaf of a table, as a path of keys and list positions.
#[derive(Debug, Clone)]
enum Step {
    Key(String),
    Index(usize),
}

fn leaves(v: &Value, path: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    match v {
        Value::Table(t) => {
            for (k, x) in t {
                path.push(Step::Key(k.clone()));
                leaves(x, path, out);
                path.pop();
            }
        }
        Value::Array(a) if a.iter().any(|x| x.is_table()) => {
            for (i, x) in a.iter().enumerate() {
                path.push(Step::Index(i));
                leaves(x, path, out);
                path.pop();
            }
        }
        _ => out.push(path.clone()),
    }
    // Tables and lists themselves can be replaced too.
    if matches!(v, Value::Table(_) | Value::Array(_)) && !path.is_empty() {
        out.push(path.clone());
    }
}

fn get<'a>(root: &'a Value, path: &[Step]) -> Option<&'a Value> {
    let mut cur = root;
    for s in path {
        cur = match (s, cur) {
            (Step::Key(k), Value::Table(t)) => t.get(k)?,
            (Step::Index(i), Value::Array(a)) => a.get(*i)?,
            _ => return None,
        };
    }
    Some(cur)
}

/// Replaces (or with `None` removes) the value at `path`.
fn replace(root: &mut Value, path: &[Step], new: Option<Value>) {
    let Some((last, init)) = path.split_last() else {
        return;
    };
    let mut cur = root;
    for s in init {
        cur = match (s, cur) {
            (Step::Key(k), Value::Table(t)) => match t.get_mut(k) {
                Some(v) => v,
                None => return,
            },
            (Step::Index(i), Value::Array(a)) => match a.get_mut(*i) {
                Some(v) => v,
                None => return,
            },
            _ => return,
        };
    }
    match (last, cur, new) {
        (Step::Key(k), Value::Table(t), Some(v)) => {
            t.insert(k.clone(), v);
        }
        (Step::Key(k), Value::Table(t), None) => {
            t.remove(k);
        }
        (Step::Index(i), Value::Array(a), Some(v)) if *i < a.len() => a[*i] = v,
        (Step::Index(i), Value::Array(a), None) if *i < a.len() => {
            a.remove(*i);
        }
        _ => {}
    }
}

#[derive(Debug, Clone)]
enum Mutation {
    Scale(f64),
    Replace(Option<Value>),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        3 => prop::sample::select(vec![
            0.0, -1.0, 1e-300, 1e-9, 1e-3, 0.5, 2.0, 10.0, 1e3, 1e4, 1e6, 1e300, f64::INFINITY, f64::NAN,
        ])
        .prop_map(Mutation::Scale),
        1 => hostile().prop_map(Mutation::Replace),
    ]
}

fn hostile() -> impl Strategy<Value = Option<Value>> {
    prop_oneof![
        Just(None),
        prop::sample::select(vec![
            0.0,
            -0.0,
            -1.0,
            -1e9,
            1e-300,
            1e-6,
            1e4,
            1e5,
            1e300,
            f64::MAX,
            f64::MIN_POSITIVE,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            0.5,
            1.0,
            1.5,
            2.0,
            365.0,
            1e6,
        ])
        .prop_map(|x| Some(Value::Float(x))),
        prop::sample::select(vec![
            0i64,
            -1,
            1,
            2,
            7,
            200,
            201,
            100_000,
            i64::MAX,
            i64::MIN
        ])
        .prop_map(|x| Some(Value::Integer(x))),
        prop::sample::select(vec![
            "",
            "x",
            "ally",
            "shock",
            "priority",
            "empirical",
            "Germany"
        ])
        .prop_map(|s| Some(Value::String(s.to_string()))),
        Just(Some(Value::Boolean(true))),
        Just(Some(Value::Array(vec![]))),
        Just(Some(Value::Array(vec![
            Value::Float(-1.0),
            Value::Float(2.0)
        ]))),
        Just(Some(Value::Table(toml::Table::new()))),
        Just(
            Some(
                toml::from_str::<Value>("t = { dist = \"uniform\", min = 5.0, max = 1.0 }")
                    .unwrap()["t"]
                    .clone()
            )
        ),
        Just(Some(
            toml::from_str::<Value>("t = { dist = \"empirical\", values = [], weights = [] }")
                .unwrap()["t"]
                .clone()
        )),
        Just(Some(
            toml::from_str::<Value>("t = { dist = \"gamma\", shape = 1e-300, scale = 1e300 }")
                .unwrap()["t"]
                .clone()
        )),
    ]
}

/// Resident memory of this process, bytes (Linux; 0 elsewhere).
fn resident() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<u64>().ok())
        .map_or(0, |pages| pages * 4096)
}

/// Memory a single case may add before it counts as a runaway.
const MEMORY: u64 = 1 << 30;

/// Parses, validates and runs one trial; Err with a description on panic. A hang or a runaway
/// allocation cannot be stopped from here, so it writes the input to
/// `target/fuzz-runaway.toml` and ends the process with a message.
fn survive(text: String) -> Result<(), String> {
    let (tx, rx) = mpsc::channel();
    let shown = text.clone();
    let base = resident();
    std::thread::spawn(move || {
        let r = std::panic::catch_unwind(|| {
            if let Ok(s) = dipcap::scenario::parse_str(&text, Path::new("fuzz.toml")) {
                let _ = dipcap::runner::run_one(&s, 1, 0);
            }
        });
        let _ = tx.send(r.is_ok());
    });
    let start = std::time::Instant::now();
    loop {
        match rx.recv_timeout(Duration::from_millis(10)) {
            Ok(true) => return Ok(()),
            Ok(false) => return Err(format!("panicked on:\n{shown}")),
            Err(_) => {}
        }
        let why = if start.elapsed() > LIMIT {
            format!("no answer within {LIMIT:?} (a hang)")
        } else if resident().saturating_sub(base) > MEMORY {
            "more than 1 GiB allocated (a runaway)".to_string()
        } else {
            continue;
        };
        let path = root().join("target/fuzz-runaway.toml");
        let _ = std::fs::write(&path, &shown);
        eprintln!("fuzz: {why}; the input is in {}", path.display());
        std::process::exit(101);
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 512,
        failure_persistence: None,
        .. ProptestConfig::default()
    })]

    #[test]
    fn mutated_values_never_crash_or_hang(
        which in 0usize..5,
        picks in prop::collection::vec((any::<prop::sample::Index>(), mutation()), 1..4),
    ) {
        let mut v = Value::Table(seeds().swap_remove(which));
        let mut all = Vec::new();
        leaves(&v, &mut Vec::new(), &mut all);
        let numeric: Vec<Vec<Step>> = all
            .iter()
            .filter(|p| get(&v, p).is_some_and(|x| x.is_float() || x.is_integer()))
            .cloned()
            .collect();
        for (idx, m) in picks {
            match m {
                // Scaling keeps the type, so the scenario often stays valid and the engine
                // meets the extreme value (a rate of 1e300, a time of 0).
                Mutation::Scale(f) if !numeric.is_empty() => {
                    let path = idx.get(&numeric).clone();
                    let new = match get(&v, &path) {
                        Some(Value::Integer(i)) => Value::Integer((*i as f64 * f).clamp(-9e18, 9e18) as i64),
                        Some(Value::Float(x)) => Value::Float(x * f),
                        _ => continue,
                    };
                    replace(&mut v, &path, Some(new));
                }
                Mutation::Scale(_) => {}
                Mutation::Replace(new) => {
                    let path = idx.get(&all).clone();
                    replace(&mut v, &path, new);
                }
            }
        }
        let text = toml::to_string(&v).unwrap_or_default();
        survive(text).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn mutated_bytes_never_crash_or_hang(
        which in 0usize..5,
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..8),
    ) {
        let mut bytes = toml::to_string(&seeds().swap_remove(which)).unwrap().into_bytes();
        for (at, byte, op) in edits {
            if bytes.is_empty() {
                break;
            }
            let i = at.index(bytes.len());
            match op {
                0 => bytes[i] = byte,
                1 => bytes.insert(i, byte),
                _ => {
                    bytes.remove(i);
                }
            }
        }
        // Bytes that are not UTF-8 are the reader's business (tested in the catalogue).
        if let Ok(text) = String::from_utf8(bytes) {
            survive(text).map_err(TestCaseError::fail)?;
        }
    }
}
