//! Scenario files: reading (`raw`), random quantities (`dist`) and validation into the trusted
//! [`Scenario`] the engine runs on (`validate`). Two stages, as in ripgrep's flags: what the user
//! wrote, then objects whose invariants the engine may rely on without re-checking.

pub(crate) mod dist;
pub mod keypath;
pub mod policy;
pub(crate) mod raw;
pub mod search;
mod types;
mod validate;

use std::path::Path;

pub use types::*;
pub use validate::{
    Checker, FOLDER_NAME_FIX, MAX_CRISIS_RATE, MAX_MAGNITUDE, MAX_NAME_BYTES, MAX_UNITS,
    folder_name_problem, usable_as_folder,
};

use crate::error::InputError;

/// Reads, parses and validates a scenario file.
pub fn load(path: &Path) -> Result<Scenario, InputError> {
    parse_str(&read_text(path)?, path)
}

/// Reads a TOML file as UTF-8 text, with messages that say what to do about a missing file, a
/// folder or bytes that are not text.
pub fn read_text(path: &Path) -> Result<String, InputError> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            let hint = if path.is_dir() {
                "this is a folder; give the path of a .toml scenario file, e.g. scenarios/baseline.toml".to_string()
            } else if e.kind() == std::io::ErrorKind::NotFound {
                "check the path; the shipped scenarios are in scenarios/".to_string()
            } else {
                "check that the file exists and is readable".to_string()
            };
            let reason = if path.is_dir() {
                "it is a folder, not a file".to_string()
            } else {
                e.to_string()
            };
            return Err(InputError::Read {
                path: path.to_path_buf(),
                reason,
                hint,
            });
        }
    };
    let text = String::from_utf8(bytes).map_err(|e| {
        let (line, column) = line_col(&e.as_bytes()[..e.utf8_error().valid_up_to()]);
        InputError::Syntax {
            path: path.to_path_buf(),
            line,
            column,
            message: "the file is not valid UTF-8".into(),
            hint: "save the file as UTF-8 text".into(),
        }
    })?;
    Ok(text)
}

/// Parses and validates scenario text; `path` is used in messages only. Each of its
/// `[[policies]]` is applied to the file and validated into a scenario of its own.
pub fn parse_str(text: &str, path: &Path) -> Result<Scenario, InputError> {
    let raw = parse_raw(text, path)?;
    let policies = raw.policies.clone();
    let search = raw.search.clone();
    let mut s = validate::validate(raw, path)?;
    if policies.is_empty() && search.is_none() {
        return Ok(s);
    }
    // The text parsed above, so it parses as a table too.
    let doc: toml::Table = parse_toml(text, path)?;
    if !policies.is_empty() {
        s.policies = policy::build(&doc, &policies, path, validate_table)?;
    }
    if let Some(search) = &search {
        s.search = Some(search::build(&doc, search, path, validate_table)?);
    }
    Ok(s)
}

/// Validates a scenario table (a policy's or a search point's: the file with changes set),
/// without its `[[policies]]` and `[search]`.
pub fn validate_table(t: &toml::Table, path: &Path) -> Result<Scenario, InputError> {
    let text = toml::to_string(t).map_err(|e| InputError::Option {
        what: path.display().to_string(),
        problem: format!("a changed scenario cannot be written as TOML: {e}"),
        hint: "report this as a bug".into(),
    })?;
    validate::validate(parse_raw(&text, path)?, path)
}

/// Parses TOML into the raw mirror, naming the key of any type or unknown-key error. A sweep
/// file given where a scenario belongs is named as such, with the command that takes it.
pub fn parse_raw(text: &str, path: &Path) -> Result<raw::RawScenario, InputError> {
    parse_toml(text, path).map_err(|e| match kind_of(text) {
        Some(FileKind::Sweep) => InputError::Option {
            what: path.display().to_string(),
            problem: "is a sweep file (it has a [sweep] table), not a scenario".into(),
            hint: "run it with `dipcap sweep`; `dipcap run` and `dipcap trace` take a scenario file (one with a [scenario] table, e.g. scenarios/baseline.toml)".into(),
        },
        _ => e,
    })
}

/// The two kinds of TOML file dipcap reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// Has a `[scenario]` table: `dipcap run`, `trace`, `validate`.
    Scenario,
    /// Has a `[sweep]` table: `dipcap sweep`, `validate`.
    Sweep,
}

/// Which kind of file `text` is, by its top-level tables; `None` when it is not TOML or has
/// neither table.
pub fn kind_of(text: &str) -> Option<FileKind> {
    let t: toml::Table = text.parse().ok()?;
    if t.get("sweep").is_some_and(toml::Value::is_table) {
        Some(FileKind::Sweep)
    } else if t.get("scenario").is_some_and(toml::Value::is_table) {
        Some(FileKind::Scenario)
    } else {
        None
    }
}

/// Parses TOML into any serde type, naming the key of a type, missing-key or unknown-key
/// error (used for scenario and sweep files alike).
pub fn parse_toml<T: serde::de::DeserializeOwned>(
    text: &str,
    path: &Path,
) -> Result<T, InputError> {
    let de = toml::Deserializer::parse(text).map_err(|e| syntax_error(text, path, &e))?;
    serde_path_to_error::deserialize(de).map_err(|e| {
        let key = e.path().to_string();
        let inner = e.inner();
        let message = inner.message().to_string();
        let (key, problem, hint) = explain_serde(&key, &message);
        let _ = inner.span();
        InputError::Key {
            path: path.to_path_buf(),
            key,
            problem,
            hint,
        }
    })
}

fn syntax_error(text: &str, path: &Path, e: &toml::de::Error) -> InputError {
    let (line, column) = e
        .span()
        .map(|s| line_col(&text.as_bytes()[..s.start.min(text.len())]))
        .unwrap_or((1, 1));
    InputError::Syntax {
        path: path.to_path_buf(),
        line,
        column,
        message: format!("TOML syntax error: {}", e.message().trim()),
        hint:
            "see https://toml.io for the syntax; strings need quotes, tables [name], lists [[name]]"
                .into(),
    }
}

fn line_col(prefix: &[u8]) -> (usize, usize) {
    let line = prefix.iter().filter(|b| **b == b'\n').count() + 1;
    let column = prefix.iter().rev().take_while(|b| **b != b'\n').count() + 1;
    (line, column)
}

/// serde names types as Rust does; say them in the words of a TOML file.
fn plain_types(message: &str) -> String {
    let mut m = message.to_string();
    for (rust, plain) in [
        ("expected i64", "expected a whole number"),
        ("expected u64", "expected a whole number (0 or more)"),
        ("expected f64", "expected a number"),
        ("expected a sequence", "expected a list [ … ]"),
        ("expected a map", "expected a table { … }"),
        ("expected a string", "expected text in quotes"),
        ("expected a boolean", "expected true or false"),
        ("invalid type: map", "invalid type: a table { … }"),
        ("invalid type: sequence", "invalid type: a list [ … ]"),
        ("invalid type: floating point", "invalid type: the number"),
        ("invalid type: integer", "invalid type: the whole number"),
        ("invalid type: string", "invalid type: the text"),
        ("invalid type: boolean", "invalid type: the boolean"),
    ] {
        m = m.replace(rust, plain);
    }
    m
}

/// Keys that older scenario files may still hold: (key, what changed, how to fix it).
const REMOVED: &[(&str, &str, &str)] = &[
    (
        "recovery_days",
        "`recovery_days` is no longer a key: readiness now climbs back linearly at a funded rate",
        "use `retraining_days` (days from readiness 0 to trained at full retraining funding, e.g. \
         182.5); see docs/MODEL.md section 3",
    ),
    (
        "credibility_gain",
        "`credibility_gain` is no longer a key: credibility now moves toward a target set by the \
         pledge and the commitments delivered",
        "use `credibility_adjustment` (share of the gap closed per year, e.g. 0.3), with \
         `credibility_floor` and `pledge_weight`; see docs/MODEL.md section 8",
    ),
    (
        "credibility_penalty",
        "`credibility_penalty` is no longer a key: credibility now moves toward a target set by \
         the pledge and the commitments delivered",
        "use `pledge_weight` (the pledge's weight against commitments delivered, e.g. 0.4), with \
         `credibility_adjustment` and `credibility_floor`; see docs/MODEL.md section 8",
    ),
];

/// A long run of digits as a message shows it: the first few and the count.
fn show_digits(digits: &str) -> String {
    let d = digits.trim_start_matches('-');
    if d.len() > 15 {
        format!(
            "{}… ({} digits)",
            &digits[..digits.len() - d.len() + 6],
            d.len()
        )
    } else {
        digits.to_string()
    }
}

/// Turns serde's message into (key, problem, hint). serde names an unknown key only in its
/// message, so the key path is completed from it.
fn explain_serde(path: &str, message: &str) -> (String, String, String) {
    // serde_path_to_error already ends the path with an unknown key; a missing one it does not.
    let join = |field: &str| {
        if path == "." || path.is_empty() {
            field.to_string()
        } else if path == field || path.ends_with(&format!(".{field}")) {
            path.to_string()
        } else {
            format!("{path}.{field}")
        }
    };
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let field = rest.split('`').next().unwrap_or("");
        if let Some((_, problem, hint)) = REMOVED.iter().find(|(k, _, _)| *k == field) {
            return (join(field), problem.to_string(), hint.to_string());
        }
        let expected = rest
            .split_once(", expected ")
            .map(|(_, e)| e.to_string())
            .unwrap_or_default();
        let hint = if expected.is_empty() {
            "remove the key".to_string()
        } else {
            format!(
                "check the spelling; allowed keys here: {}",
                expected.replace("one of ", "")
            )
        };
        return (join(field), format!("unknown key `{field}`"), hint);
    }
    if let Some(rest) = message.strip_prefix("missing field `") {
        let field = rest.split('`').next().unwrap_or("");
        return (
            join(field),
            format!("required key `{field}` is missing"),
            format!("add `{field} = ...` (see docs/MODEL.md for its meaning and units)"),
        );
    }
    // TOML integers beyond 64 bits arrive as i128, which no key takes.
    if let Some(rest) = message.strip_prefix("invalid type: integer `")
        && let Some((digits, _)) = rest.split_once("` as i128")
    {
        return (
            path.to_string(),
            format!("{} is too large for a whole number", show_digits(digits)),
            "use a whole number within the key's range (see `dipcap schema` or docs/MODEL.md); no count in a scenario comes near 9223372036854775807".into(),
        );
    }
    if message.starts_with("invalid type") || message.starts_with("invalid value") {
        return (
            path.to_string(),
            plain_types(message),
            "check the value's type: numbers unquoted, names in quotes, lists in [ ], tables in { }".into(),
        );
    }
    (
        path.to_string(),
        message.to_string(),
        "see docs/MODEL.md for the scenario format".into(),
    )
}
