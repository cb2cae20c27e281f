//! Scenario keys named by path, as a sweep names the parameters it varies:
//! `forces.decay_days`, `trust.exercise_cancel_penalty`, `crises.peacekeeping.rate`,
//! `crises[1].duration_days.mean`. After a list of tables (`crises`, `partners`, …) the next
//! part picks an element by position (`[1]`) or by its `name` (for posts, which have none,
//! their `partner`), written as is or as a slug (`peacekeeping-request`,
//! `peacekeeping_request`), or by the first word(s) of the name when only one element starts
//! with them (`peacekeeping`). Sweeps set numbers (`set_number`); policies set any value
//! (`set_value`).

use toml::{Table, Value};

/// "Peacekeeping request" → "peacekeeping-request".
pub fn slug(s: &str) -> String {
    let mut out = String::new();
    let mut dash = false;
    for c in s.chars() {
        if c.is_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.extend(c.to_lowercase());
        } else {
            dash = true;
        }
    }
    out
}

#[derive(Debug, Clone, PartialEq)]
enum Part {
    Key(String),
    Index(usize),
}

fn parse(path: &str) -> Result<Vec<Part>, String> {
    let mut parts = Vec::new();
    for seg in path.split('.') {
        let (key, rest) = match seg.find('[') {
            Some(i) => (&seg[..i], &seg[i..]),
            None => (seg, ""),
        };
        if key.is_empty() && rest.is_empty() {
            return Err(format!("`{path}` has an empty part"));
        }
        if !key.is_empty() {
            parts.push(Part::Key(key.to_string()));
        }
        let mut rest = rest;
        while !rest.is_empty() {
            let Some(close) = rest.find(']') else {
                return Err(format!("`{path}`: `[` without `]`"));
            };
            let inner = &rest[1..close];
            let i = inner
                .parse::<usize>()
                .map_err(|_| format!("`{path}`: `[{inner}]` is not a position (0, 1, …)"))?;
            parts.push(Part::Index(i));
            rest = &rest[close + 1..];
            if !rest.is_empty() && !rest.starts_with('[') {
                return Err(format!("`{path}`: unexpected `{rest}`"));
            }
        }
    }
    Ok(parts)
}

/// Picks an element of a list of tables by its `name` (or, lacking one, its `partner`).
fn by_name(items: &[Value], wanted: &str, at: &str) -> Result<usize, String> {
    let names: Vec<String> = items
        .iter()
        .map(|v| {
            v.get("name")
                .or_else(|| v.get("partner"))
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        })
        .collect();
    let w = slug(wanted);
    let exact: Vec<usize> = (0..names.len())
        .filter(|&i| names[i] == wanted || slug(&names[i]) == w)
        .collect();
    match exact.as_slice() {
        [one] => return Ok(*one),
        [] => {}
        many => {
            return Err(format!(
                "`{wanted}` names several elements of `{at}` ({}): pick one by position, e.g. `{at}[{}]`",
                many.iter()
                    .map(|i| format!("[{i}]"))
                    .collect::<Vec<_>>()
                    .join(", "),
                many[0]
            ));
        }
    }
    let prefixed: Vec<usize> = (0..names.len())
        .filter(|&i| slug(&names[i]).starts_with(&format!("{w}-")))
        .collect();
    match prefixed.as_slice() {
        [one] => Ok(*one),
        [] => Err(format!(
            "`{at}` has no element named `{wanted}`; names: {}",
            names
                .iter()
                .map(|n| format!("`{}`", slug(n)))
                .collect::<Vec<_>>()
                .join(", ")
        )),
        many => Err(format!(
            "`{wanted}` matches several elements of `{at}`: {}",
            many.iter()
                .map(|&i| format!("`{}`", slug(&names[i])))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// The value at `path`, if there is one.
pub fn get<'a>(doc: &'a Table, path: &str) -> Result<Option<&'a Value>, String> {
    let parts = parse(path)?;
    let mut table: &Table = doc;
    let mut at = String::new();
    let mut i = 0;
    while i < parts.len() {
        let Part::Key(k) = &parts[i] else {
            return Err(format!("`{path}`: a position must follow a list"));
        };
        at = if at.is_empty() {
            k.clone()
        } else {
            format!("{at}.{k}")
        };
        let Some(v) = table.get(k) else {
            return if i + 1 == parts.len() {
                Ok(None)
            } else {
                Err(format!("`{path}`: there is no `{at}`"))
            };
        };
        let v = match v {
            Value::Array(items) if i + 1 < parts.len() => {
                let idx = match &parts[i + 1] {
                    Part::Index(j) if *j < items.len() => *j,
                    Part::Index(j) => {
                        return Err(format!(
                            "`{at}` has {} elements; there is no [{j}]",
                            items.len()
                        ));
                    }
                    Part::Key(name) => by_name(items, name, &at)?,
                };
                i += 1;
                at = format!("{at}[{idx}]");
                &items[idx]
            }
            other => other,
        };
        if i + 1 == parts.len() {
            return Ok(Some(v));
        }
        table = v
            .as_table()
            .ok_or_else(|| format!("`{at}` is a value, not a table"))?;
        i += 1;
    }
    Ok(None)
}

/// The table that holds `path`'s last key, that key, and the path with every element named
/// by its position (`posts[0].priority` for `posts.Germany.priority`), by which two paths
/// to one key are recognised; a missing table on the way is created (the scenario validator
/// then decides whether it may exist).
fn holder<'a>(doc: &'a mut Table, path: &str) -> Result<(&'a mut Table, String, String), String> {
    let parts = parse(path)?;
    let (last, init) = parts
        .split_last()
        .ok_or_else(|| "empty key path".to_string())?;
    let Part::Key(last_key) = last else {
        return Err(format!("`{path}` must end in a key, not a position"));
    };
    let mut cur: &mut Table = doc;
    let mut at = String::new();
    let mut i = 0;
    while i < init.len() {
        let part = &init[i];
        let Part::Key(k) = part else {
            return Err(format!("`{path}`: a position must follow a list"));
        };
        at = if at.is_empty() {
            k.clone()
        } else {
            format!("{at}.{k}")
        };
        let entry = cur
            .entry(k.clone())
            .or_insert_with(|| Value::Table(Table::new()));
        match entry {
            Value::Table(t) => {
                cur = t;
                i += 1;
            }
            Value::Array(items) => {
                let idx = match init.get(i + 1) {
                    Some(Part::Index(j)) => {
                        if *j >= items.len() {
                            return Err(format!(
                                "`{at}` has {} elements; there is no [{j}]",
                                items.len()
                            ));
                        }
                        *j
                    }
                    Some(Part::Key(name)) => by_name(items, name, &at)?,
                    None => {
                        return Err(format!(
                            "`{at}` is a list: name an element, e.g. `{at}[0].{last_key}`"
                        ));
                    }
                };
                at = format!("{at}[{idx}]");
                cur = items[idx]
                    .as_table_mut()
                    .ok_or_else(|| format!("`{at}` is not a table"))?;
                i += 2;
            }
            _ => return Err(format!("`{at}` is a value, not a table")),
        }
    }
    let canonical = if at.is_empty() {
        last_key.clone()
    } else {
        format!("{at}.{last_key}")
    };
    Ok((cur, last_key.clone(), canonical))
}

/// Sets the number at `path`. A key that holds a whole number keeps holding one (the value is
/// rounded); a missing last key is created in its table (the scenario validator then decides
/// whether it exists). Returns the value actually written.
pub fn set_number(doc: &mut Table, path: &str, value: f64) -> Result<f64, String> {
    let (cur, last_key, _) = holder(doc, path)?;
    let written = match cur.get(&last_key) {
        Some(Value::Integer(_)) => {
            let r = value.round();
            cur.insert(last_key, Value::Integer(r as i64));
            r
        }
        Some(Value::Float(_)) | None => {
            cur.insert(last_key, Value::Float(value));
            value
        }
        Some(other) => {
            return Err(format!("`{path}` holds {}, not a number", other.type_str()));
        }
    };
    Ok(written)
}

/// Sets the value at `path`, which must be of the kind the key already holds — numbers are
/// one kind: a whole number where a float is written is taken as the float, and a float
/// where a whole number is written must be whole; a missing last key is created in its
/// table, and the scenario validator then decides whether it exists. Returns the path with
/// every element named by its position.
pub fn set_value(doc: &mut Table, path: &str, value: &Value) -> Result<String, String> {
    let (cur, last_key, canonical) = holder(doc, path)?;
    let value = match (cur.get(&last_key), value) {
        (Some(Value::Float(_)), Value::Integer(i)) => Value::Float(*i as f64),
        (Some(Value::Integer(_)), Value::Float(f)) => {
            if f.fract() != 0.0 || !f.is_finite() || f.abs() > 9.0e15 {
                return Err(format!("`{path}` holds a whole number, not {f}"));
            }
            Value::Integer(*f as i64)
        }
        (Some(old), new) if std::mem::discriminant(old) != std::mem::discriminant(new) => {
            return Err(format!(
                "`{path}` holds {}, not {}",
                old.type_str(),
                new.type_str()
            ));
        }
        (_, new) => new.clone(),
    };
    cur.insert(last_key, value);
    Ok(canonical)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> Table {
        r#"
[forces]
units = 12
decay_days = 30.0
[[crises]]
name = "humanitarian relief"
rate = 3.5
[[crises]]
name = "peacekeeping request"
rate = 1.0
duration_days = { dist = "lognormal", mean = 300.0, sd = 80.0 }
[[crises]]
name = "peacekeeping training"
rate = 0.5
"#
        .parse()
        .unwrap()
    }

    #[test]
    fn keys_are_found_by_table_position_and_name() {
        let mut d = doc();
        assert_eq!(set_number(&mut d, "forces.decay_days", 45.0), Ok(45.0));
        assert_eq!(
            set_number(&mut d, "forces.units", 9.6),
            Ok(10.0),
            "whole numbers stay whole"
        );
        assert_eq!(d["forces"]["units"].as_integer(), Some(10));
        set_number(&mut d, "crises[0].rate", 4.0).unwrap();
        set_number(&mut d, "crises.humanitarian.rate", 4.5).unwrap();
        assert_eq!(d["crises"][0]["rate"].as_float(), Some(4.5));
        set_number(
            &mut d,
            "crises.peacekeeping-request.duration_days.mean",
            200.0,
        )
        .unwrap();
        assert_eq!(
            d["crises"][1]["duration_days"]["mean"].as_float(),
            Some(200.0)
        );
        set_number(&mut d, "crises.peacekeeping request.rate", 2.0).unwrap();
        assert_eq!(d["crises"][1]["rate"].as_float(), Some(2.0));
        assert_eq!(
            get(&d, "crises.peacekeeping_request.rate")
                .unwrap()
                .and_then(Value::as_float),
            Some(2.0)
        );
    }

    #[test]
    fn bad_paths_are_explained() {
        let mut d = doc();
        let e = set_number(&mut d, "crises.peacekeeping.rate", 1.0).unwrap_err();
        assert!(e.contains("matches several"), "{e}");
        let e = set_number(&mut d, "crises.terror.rate", 1.0).unwrap_err();
        assert!(
            e.contains("no element named `terror`") && e.contains("`humanitarian-relief`"),
            "{e}"
        );
        let e = set_number(&mut d, "crises[7].rate", 1.0).unwrap_err();
        assert!(e.contains("3 elements"), "{e}");
        let e = set_number(&mut d, "crises.humanitarian.name", 1.0).unwrap_err();
        assert!(e.contains("not a number"), "{e}");
        let e = set_number(&mut d, "crises.rate", 1.0).unwrap_err();
        assert!(
            e.contains("no element named `rate`") || e.contains("is a list"),
            "{e}"
        );
    }

    #[test]
    fn slugs_are_lowercase_words_joined_by_dashes() {
        assert_eq!(slug("Peacekeeping request"), "peacekeeping-request");
        assert_eq!(
            slug("terrorism / organised crime"),
            "terrorism-organised-crime"
        );
        assert_eq!(slug("A400M-type"), "a400m-type");
    }
}
