//! Validation of `[[partners]]`, `[[posts]]`, `[[exercises]]` and `[[programmes]]`
//! (`docs/MODEL.md` sections 4–7): names, kinds and regions, and every reference to a partner by
//! name resolved to its index.

use std::collections::{BTreeMap, HashSet};

use super::{Checker, MAX_UNITS, R, check};
use crate::scenario::raw::{RawExercise, RawPartner, RawPost, RawProgramme};
use crate::scenario::types::*;

/// The validated partners, their regions, and each partner's index by name.
pub(super) struct Partners {
    pub partners: Vec<Partner>,
    pub regions: Vec<String>,
    pub index: BTreeMap<String, usize>,
}

/// `[[partners]]`.
pub(super) fn partners(c: &Checker, raw: &[RawPartner]) -> R<Partners> {
    let mut index = BTreeMap::new();
    let mut regions: Vec<String> = Vec::new();
    let mut partners = Vec::new();
    let mut seen = HashSet::new();
    for (i, p) in raw.iter().enumerate() {
        let k = |f: &str| format!("partners[{i}].{f}");
        c.name(&k("name"), &p.name, &mut seen, "partner")?;
        let kind = c.choice(&k("kind"), &p.kind)?;
        if p.region.trim().is_empty() {
            return Err(c.err(
                k("region"),
                "the region is empty",
                "name the partner's region, e.g. \"balkans\"",
            ));
        }
        let region = match regions.iter().position(|r| *r == p.region) {
            Some(r) => r,
            None => {
                regions.push(p.region.clone());
                regions.len() - 1
            }
        };
        index.insert(p.name.clone(), i);
        partners.push(Partner {
            name: p.name.clone(),
            kind,
            region,
            importance: check!(c, k, p.importance, non_negative, "")?,
            trust: check!(c, k, p.trust, fraction)?,
            interoperability: check!(c, k, p.interoperability, fraction)?,
        });
    }
    Ok(Partners {
        partners,
        regions,
        index,
    })
}

/// `[[posts]]`.
pub(super) fn posts(c: &Checker, raw: &[RawPost], index: &BTreeMap<String, usize>) -> R<Vec<Post>> {
    let mut posts = Vec::new();
    for (i, p) in raw.iter().enumerate() {
        let k = |f: &str| format!("posts[{i}].{f}");
        posts.push(Post {
            partner: c.partner(&k("partner"), &p.partner, index)?,
            kind: c.choice(&k("kind"), &p.kind)?,
            annual_cost: check!(c, k, p.annual_cost, non_negative, " (million per year)")?,
            priority: p.priority,
            reopen_cost: check!(c, k, p.reopen_cost, non_negative, " (million)")?,
            reopen_days: check!(c, k, p.reopen_days, range, 0.0, DAYS_PER_YEAR, " (days)",)?,
            detection_factor: check!(c, k, p.detection_factor, fraction)?,
        });
    }
    Ok(posts)
}

/// `[[exercises]]`.
pub(super) fn exercises(
    c: &Checker,
    raw: &[RawExercise],
    index: &BTreeMap<String, usize>,
) -> R<Vec<Exercise>> {
    let mut exercises = Vec::new();
    let mut seen = HashSet::new();
    for (i, e) in raw.iter().enumerate() {
        let k = |f: &str| format!("exercises[{i}].{f}");
        c.name(&k("name"), &e.name, &mut seen, "exercise")?;
        if e.partners.is_empty() {
            return Err(c.err(
                k("partners"),
                "no partners listed",
                "list the partner names taking part, e.g. partners = [\"Germany\"]",
            ));
        }
        let mut ps = Vec::new();
        for (j, name) in e.partners.iter().enumerate() {
            ps.push(c.partner(&format!("exercises[{i}].partners[{j}]"), name, index)?);
        }
        let start_day = check!(
            c,
            k,
            e.start_day,
            range,
            0.0,
            DAYS_PER_YEAR - 1.0,
            " (day of the fiscal year)",
        )?;
        let duration_days = check!(c, k, e.duration_days, positive, " (days)")?;
        if start_day + duration_days > DAYS_PER_YEAR {
            return Err(c.err(
                k("duration_days"),
                format!(
                    "the exercise runs past the end of the fiscal year (day {})",
                    start_day + duration_days
                ),
                "start it earlier or shorten it: start_day + duration_days <= 365",
            ));
        }
        let units = check!(c, k, e.units, int, 1, MAX_UNITS as i64)?;
        let min_units = match e.min_units {
            Some(m) => c.int(&k("min_units"), m, 1, units as i64)?,
            None => units.div_ceil(2),
        };
        exercises.push(Exercise {
            name: e.name.clone(),
            partners: ps,
            start_day,
            duration_days,
            units,
            min_units,
            min_readiness: check!(c, k, e.min_readiness, fraction)?,
            cost: check!(c, k, e.cost, non_negative, " (million)")?,
            priority: e.priority,
        });
    }
    Ok(exercises)
}

/// `[[programmes]]`.
pub(super) fn programmes(
    c: &Checker,
    raw: &[RawProgramme],
    index: &BTreeMap<String, usize>,
) -> R<Vec<Programme>> {
    let mut programmes = Vec::new();
    let mut seen = HashSet::new();
    for (i, p) in raw.iter().enumerate() {
        let k = |f: &str| format!("programmes[{i}].{f}");
        c.name(&k("name"), &p.name, &mut seen, "programme")?;
        programmes.push(Programme {
            name: p.name.clone(),
            partner: c.partner(&k("partner"), &p.partner, index)?,
            kind: p.kind.clone(),
            annual: check!(c, k, p.annual, non_negative, " (million per year)")?,
            priority: p.priority,
        });
    }
    Ok(programmes)
}
