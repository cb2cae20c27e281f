//! The one constructor of key-path errors (`Checker::err`) and the checks every section shares:
//! finite numbers, ranges, fractions, whole numbers, choices from a list, distributions, partner
//! names, unique names and shares that sum to 1.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use super::MAX_MAGNITUDE;
use super::R;
use crate::error::InputError;
use crate::scenario::dist::{Dist, Domain, Family, RawDist};
use crate::scenario::types::Named;

/// Tolerance for shares that must sum to 1 (loose enough for hand-written decimals).
const SUM_TOLERANCE: f64 = 1e-6;

/// Errors about keys of one file (scenario or sweep file).
pub struct Checker<'a> {
    pub path: &'a Path,
}

impl Checker<'_> {
    pub fn err(
        &self,
        key: impl Into<String>,
        problem: impl Into<String>,
        hint: impl Into<String>,
    ) -> InputError {
        InputError::Key {
            path: self.path.to_path_buf(),
            key: key.into(),
            problem: problem.into(),
            hint: hint.into(),
        }
    }

    pub(super) fn finite(&self, key: &str, v: f64) -> R<f64> {
        if v.is_finite() && v.abs() > MAX_MAGNITUDE {
            Err(self.err(
                key,
                format!("{} is too large", show(v)),
                "no quantity of the model is beyond ±10^12 (money is in millions); check the units",
            ))
        } else if v.is_finite() {
            Ok(v)
        } else {
            Err(self.err(
                key,
                format!("{v} is not a finite number"),
                "use a finite number",
            ))
        }
    }

    /// A value in [lo, hi].
    pub(super) fn range(&self, key: &str, v: f64, lo: f64, hi: f64, unit: &str) -> R<f64> {
        let v = self.finite(key, v)?;
        if v < lo || v > hi {
            let what = if v < 0.0 && lo >= 0.0 {
                format!("{} is negative", show(v))
            } else {
                format!("{} is out of range", show(v))
            };
            return Err(self.err(
                key,
                what,
                format!("use a value from {} to {}{unit}", show(lo), show(hi)),
            ));
        }
        Ok(v)
    }

    pub(super) fn non_negative(&self, key: &str, v: f64, unit: &str) -> R<f64> {
        let v = self.finite(key, v)?;
        if v < 0.0 {
            return Err(self.err(
                key,
                format!("{} is negative", show(v)),
                format!("use a value >= 0{unit}"),
            ));
        }
        Ok(v)
    }

    pub(super) fn positive(&self, key: &str, v: f64, unit: &str) -> R<f64> {
        let v = self.finite(key, v)?;
        if v <= 0.0 {
            return Err(self.err(
                key,
                format!("{} must be greater than 0", show(v)),
                format!("use a positive value{unit}"),
            ));
        }
        Ok(v)
    }

    pub(super) fn fraction(&self, key: &str, v: f64) -> R<f64> {
        self.range(key, v, 0.0, 1.0, "")
    }

    pub(super) fn int(&self, key: &str, v: i64, lo: i64, hi: i64) -> R<usize> {
        if v < lo || v > hi {
            return Err(self.err(
                key,
                format!("{v} is out of range"),
                format!("use a whole number from {lo} to {hi}"),
            ));
        }
        Ok(v as usize)
    }

    /// One of the names of `T`'s table.
    pub(super) fn choice<T: Named>(&self, key: &str, v: &str) -> R<T> {
        T::from_name(v).ok_or_else(|| {
            let names: Vec<String> = T::NAMES.iter().map(|(n, _)| format!("\"{n}\"")).collect();
            self.err(
                key,
                format!("\"{v}\" is not a known value"),
                format!("use one of {}", names.join(", ")),
            )
        })
    }

    pub(super) fn dist(&self, key: &str, raw: &RawDist, domain: Domain) -> R<Dist> {
        Dist::from_raw(raw, domain).map_err(|(field, problem, hint)| {
            let key = if raw.0.family() == Some(Family::Constant)
                && field == "value"
                && raw.0.min.is_none()
            {
                key.to_string()
            } else {
                format!("{key}.{field}")
            };
            self.err(key, problem, hint)
        })
    }

    pub(super) fn partner(
        &self,
        key: &str,
        name: &str,
        index: &BTreeMap<String, usize>,
    ) -> R<usize> {
        index.get(name).copied().ok_or_else(|| {
            let known: Vec<&str> = index.keys().map(String::as_str).collect();
            self.err(
                key,
                format!("unknown partner \"{name}\""),
                format!("use a name from [[partners]]: {}", known.join(", ")),
            )
        })
    }

    pub(super) fn name(
        &self,
        key: &str,
        name: &str,
        seen: &mut HashSet<String>,
        what: &str,
    ) -> R<()> {
        if name.trim().is_empty() {
            return Err(self.err(key, "the name is empty", format!("give each {what} a name")));
        }
        if !seen.insert(name.to_string()) {
            return Err(self.err(
                key,
                format!("duplicate {what} name \"{name}\""),
                format!("give each {what} a distinct name"),
            ));
        }
        Ok(())
    }

    pub(super) fn sums_to_one(&self, key: &str, values: &[f64], what: &str) -> R<()> {
        let sum: f64 = values.iter().sum();
        if (sum - 1.0).abs() > SUM_TOLERANCE {
            return Err(self.err(
                key,
                format!("{what} sum to {}, not 1", (sum * 1e9).round() / 1e9),
                format!("adjust the {what} so they add up to exactly 1"),
            ));
        }
        Ok(())
    }
}

/// A number as a message shows it: plainly, or in scientific notation when plain digits
/// would run long (`1e308` was printed with 309 digits, `5e-324` with 324).
pub(super) fn show(v: f64) -> String {
    let a = v.abs();
    if a != 0.0 && a.is_finite() && !(1e-4..1e13).contains(&a) {
        format!("{v:e}")
    } else {
        format!("{v}")
    }
}
