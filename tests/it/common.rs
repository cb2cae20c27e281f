//! Helpers: load shipped scenarios, edit them as TOML tables, run the binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use dipcap::engine::TraceRow;
use dipcap::model::crisis;
use dipcap::model::{TrialOutcome, run_trial};
use dipcap::scenario::Scenario;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn scenario_path(name: &str) -> PathBuf {
    root().join("scenarios").join(format!("{name}.toml"))
}

pub fn fixture(name: &str) -> PathBuf {
    root().join("tests").join("fixtures").join(name)
}

pub const SHIPPED: [&str; 3] = ["baseline", "sequestration", "balkan-cooperation"];

pub fn load(path: &Path) -> Scenario {
    dipcap::scenario::load(path).unwrap_or_else(|e| panic!("{e}"))
}

/// A shipped scenario's TOML as an editable table.
pub fn table(path: &Path) -> toml::Table {
    std::fs::read_to_string(path)
        .unwrap()
        .parse::<toml::Table>()
        .unwrap()
}

/// Parses an edited table as a scenario.
pub fn from_table(t: &toml::Table) -> Result<Scenario, dipcap::error::InputError> {
    dipcap::scenario::parse_str(&toml::to_string(t).unwrap(), Path::new("edited.toml"))
}

/// Sets a value at a dotted path (array elements as `name[i]`).
pub fn set(t: &mut toml::Table, path: &str, v: toml::Value) {
    let parts: Vec<&str> = path.split('.').collect();
    let mut cur: &mut toml::Table = t;
    for (i, part) in parts.iter().enumerate() {
        let last = i == parts.len() - 1;
        let (key, index) = match part.split_once('[') {
            Some((k, rest)) => (
                k,
                Some(rest.trim_end_matches(']').parse::<usize>().unwrap()),
            ),
            None => (*part, None),
        };
        if last && index.is_none() {
            cur.insert(key.to_string(), v);
            return;
        }
        let entry = cur
            .entry(key.to_string())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        let next = match index {
            Some(i) => &mut entry.as_array_mut().unwrap()[i],
            None => entry,
        };
        if last {
            *next = v;
            return;
        }
        cur = next.as_table_mut().unwrap();
    }
}

pub fn remove(t: &mut toml::Table, key: &str) {
    t.remove(key);
}

/// Runs every level of one trial and returns outcomes with their traces.
pub fn trial(s: &Scenario, seed: u64, k: u64) -> Vec<(TrialOutcome, Vec<TraceRow>)> {
    let mut crises = Vec::new();
    crisis::generate(s, seed, k, &mut crises);
    let growth = crisis::exogenous(s, seed, k);
    s.budget
        .levels
        .iter()
        .map(|&l| {
            let (o, t) = run_trial(s, l, &crises, &growth, true);
            (o, t.unwrap())
        })
        .collect()
}

pub fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

pub fn dipcap(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dipcap"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("run dipcap")
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Asserts that a dipcap command succeeded, showing its error when it did not.
pub fn ok(o: Output) {
    assert!(o.status.success(), "dipcap failed: {}", stderr(&o));
}

/// Copies a folder recursively.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            copy_dir(&p, &to.join(e.file_name()));
        } else {
            std::fs::copy(&p, to.join(e.file_name())).unwrap();
        }
    }
}
