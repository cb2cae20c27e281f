//! `[[policies]]`: named ways of absorbing the cut. Each is a partial override of the
//! scenario's own settings — key paths, as a sweep names them, set to new values — restricted
//! to the levers a ministry holds (the cut policy and protected lines, each line's part of the cut, the
//! engagement order and split, post closure, the priorities of posts, programmes and
//! exercises, the training-shortfall policy, the in-year reprogramming and reserve rules).
//! Each policy's scenario is the file's with its changes applied, validated like the file
//! itself, so a change the model cannot run is refused with the policy and key named.

use std::path::Path;

use schemars::JsonSchema;
use serde::Deserialize;
use toml::{Table, Value};

use super::Scenario;
use super::keypath;
use crate::error::InputError;

/// `[[policies]]` as written.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawPolicy {
    /// The policy's name, unique among the policies (it names its rows in `policies.csv`).
    pub name: String,
    /// What the policy does, in words. Default empty.
    #[serde(default)]
    pub description: String,
    /// The changes: scenario key paths (as a sweep names them: `budget.cut.policy`,
    /// `posts.Germany.priority`, `programmes[0].priority`) and their new values. Only the
    /// levers listed in `docs/POLICIES.md` may be set.
    #[schemars(with = "std::collections::BTreeMap<String, serde_json::Value>")]
    pub set: Table,
}

/// A validated policy: its words, its changes and the scenario they make.
#[derive(Debug, Clone)]
pub struct Policy {
    pub name: String,
    pub description: String,
    /// (key path, value as TOML) in key order (dotted keys written unquoted are joined).
    pub changes: Vec<(String, String)>,
    pub scenario: Box<Scenario>,
}

/// The name of the scenario as written, against which every policy is compared.
pub const AS_WRITTEN: &str = "as written";

/// Most policies a scenario may hold: each multiplies the trials a run simulates.
pub const MAX_POLICIES: usize = 32;

/// Keys a policy may set exactly.
const LEVERS: [&str; 7] = [
    "budget.cut.policy",
    "budget.cut.protected",
    "budget.cut.personnel_max_cut",
    "budget.engagement_order",
    "budget.engagement_split",
    "budget.post_closure",
    "forces.training_shortfall",
];

/// Tables whose every key a policy may set. The line shares of `[budget.shares]` are not
/// among them: they set the full budget too, which a way of absorbing a cut must leave as
/// it is; `[budget.cut.shares]` says how the cut is shared instead.
const LEVER_TABLES: [&str; 2] = ["budget.cut.shares.", "budget.reprogramming."];

/// Lists whose elements' `priority` a policy may set.
const PRIORITY_LISTS: [&str; 3] = ["posts", "programmes", "exercises"];

/// Whether a policy may set `key`.
pub fn is_lever(key: &str) -> bool {
    LEVERS.contains(&key)
        || LEVER_TABLES
            .iter()
            .any(|t| key.starts_with(t) && key.len() > t.len())
        || PRIORITY_LISTS.iter().any(|l| {
            key.strip_prefix(l).is_some_and(|rest| {
                (rest.starts_with('.') || rest.starts_with('[')) && rest.ends_with(".priority")
            })
        })
}

fn levers_words() -> String {
    let mut v: Vec<String> = LEVERS.iter().map(|k| format!("`{k}`")).collect();
    v.extend(LEVER_TABLES.iter().map(|t| format!("`{t}*`")));
    v.extend(
        PRIORITY_LISTS
            .iter()
            .map(|l| format!("`{l}.<name>.priority`")),
    );
    v.join(", ")
}

/// Builds the policies of a scenario file: `doc` is the file as a TOML table (its
/// `policies` are ignored), `raw` the policies as written.
pub fn build(
    doc: &Table,
    raw: &[RawPolicy],
    path: &Path,
    validate: impl Fn(&Table, &Path) -> Result<Scenario, InputError>,
) -> Result<Vec<Policy>, InputError> {
    let key_error = |i: usize, key: String, problem: String, hint: String| InputError::Key {
        path: path.to_path_buf(),
        key: format!("policies[{i}].{key}"),
        problem,
        hint,
    };
    if raw.len() > MAX_POLICIES {
        return Err(key_error(
            MAX_POLICIES,
            "name".into(),
            format!("{} policies are more than {MAX_POLICIES}", raw.len()),
            format!(
                "compare at most {MAX_POLICIES} policies in one run; `dipcap optimise` searches a space declared in [search]"
            ),
        ));
    }
    let mut base = doc.clone();
    base.remove("policies");
    let mut out: Vec<Policy> = Vec::with_capacity(raw.len());
    for (i, p) in raw.iter().enumerate() {
        let name = p.name.trim();
        if name.is_empty() || name == AS_WRITTEN {
            return Err(key_error(
                i,
                "name".into(),
                format!("\"{}\" cannot name a policy", p.name),
                format!("give each policy its own name (\"{AS_WRITTEN}\" is the scenario itself)"),
            ));
        }
        if out.iter().any(|q| q.name == name) {
            return Err(key_error(
                i,
                "name".into(),
                format!("a second policy is named \"{name}\""),
                "give each policy its own name".into(),
            ));
        }
        if p.set.is_empty() {
            return Err(key_error(
                i,
                "set".into(),
                format!("policy \"{name}\" changes nothing"),
                format!(
                    "set at least one lever, e.g. set = {{ \"budget.cut.policy\" = \"protected\" }}; levers: {}",
                    levers_words()
                ),
            ));
        }
        let mut t = base.clone();
        let set = flatten(&p.set);
        let mut changes = Vec::with_capacity(set.len());
        let mut targets: Vec<(String, String)> = Vec::with_capacity(set.len());
        for (key, value) in &set {
            if !is_lever(key) {
                return Err(key_error(
                    i,
                    format!("set.\"{key}\""),
                    format!(
                        "policy \"{name}\" sets `{key}`, which is not a lever a policy may change"
                    ),
                    format!("a policy may set {}", levers_words()),
                ));
            }
            let target = keypath::set_value(&mut t, key, value).map_err(|e| {
                key_error(
                    i,
                    format!("set.\"{key}\""),
                    e,
                    "name a key of the scenario file with a value of its kind, e.g. budget.cut.policy = \"protected\" or posts.Germany.priority = 1".into(),
                )
            })?;
            if let Some((other, _)) = targets.iter().find(|(_, t)| *t == target) {
                return Err(key_error(
                    i,
                    format!("set.\"{key}\""),
                    format!("policy \"{name}\" sets `{target}` twice, as `{other}` and as `{key}`"),
                    "set each key once".into(),
                ));
            }
            targets.push((key.clone(), target));
            changes.push((key.clone(), value.to_string()));
        }
        let scenario = validate(&t, path).map_err(|e| InputError::Key {
            path: path.to_path_buf(),
            key: format!("policies[{i}].set"),
            problem: format!(
                "with policy \"{name}\" the scenario is not valid: {}",
                flat(&e)
            ),
            hint: "change the policy's values so that the scenario it makes is valid".into(),
        })?;
        out.push(Policy {
            name: name.to_string(),
            description: p.description.clone(),
            changes,
            scenario: Box::new(scenario),
        });
    }
    Ok(out)
}

/// An error's text on one line, without its file name (the policy error names the file).
pub(crate) fn flat(e: &InputError) -> String {
    match e {
        InputError::Key {
            key, problem, hint, ..
        } => format!("key `{key}`: {problem} ({hint})"),
        other => other.to_string().replace('\n', " "),
    }
}

/// `set` with nested tables joined into dotted keys: `set = { budget.cut.policy = "x" }`
/// (unquoted) is read by TOML as nested tables, and means what the quoted key does. No lever
/// takes a table, so every table is a path.
pub fn flatten(set: &Table) -> Vec<(String, Value)> {
    fn walk(prefix: &str, t: &Table, out: &mut Vec<(String, Value)>) {
        for (k, v) in t {
            let key = if prefix.is_empty() {
                k.clone()
            } else {
                format!("{prefix}.{k}")
            };
            match v {
                Value::Table(inner) => walk(&key, inner, out),
                other => out.push((key, other.clone())),
            }
        }
    }
    let mut out = Vec::new();
    walk("", set, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levers_are_the_allocation_keys_only() {
        for k in [
            "budget.cut.policy",
            "budget.cut.protected",
            "budget.cut.shares.engagement",
            "budget.reprogramming.release_reserve",
            "posts.Germany.priority",
            "posts[2].priority",
            "programmes.training-mission.priority",
            "forces.training_shortfall",
        ] {
            assert!(is_lever(k), "{k}");
        }
        for k in [
            "budget.baseline",
            "budget.levels",
            "budget.shares.",
            "budget.shares.engagement",
            "budget.cut.shares.",
            "crises.humanitarian.rate",
            "posts.Germany.annual_cost",
            "postsX.priority",
            "trust.floor",
            "scenario.seed",
        ] {
            assert!(!is_lever(k), "{k}");
        }
    }
}
