//! Validation of `[crisis_response]`, `[[crises]]` and `[dci]` (`docs/MODEL.md` sections 9 and
//! 12): the service order, each crisis type's rate, affected partners and distributions, and the
//! DCI weights.

use std::collections::{BTreeMap, HashSet};

use super::checker::show;
use super::{Checker, MAX_CRISIS_RATE, R, check};
use crate::scenario::dist::{Dist, Domain};
use crate::scenario::raw::{RawCrisis, RawCrisisResponse, RawDci, RawFeedback};
use crate::scenario::types::*;

/// `[crisis_response]`: the order in which waiting crises are served.
pub(super) fn queue_order(c: &Checker, r: &RawCrisisResponse) -> R<QueueOrder> {
    c.choice("crisis_response.order", &r.order)
}

/// `crisis_response.reserve_*`: at most the whole force kept back.
pub(super) fn unit_reserve(c: &Checker, r: &RawCrisisResponse, units: usize) -> R<UnitReserve> {
    Ok(UnitReserve {
        units: c.int(
            "crisis_response.reserve_units",
            r.reserve_units,
            0,
            units as i64,
        )?,
        priority: r.reserve_priority,
    })
}

/// `[[crises]]`, affecting `partners` (named through `index`), over `years` fiscal years.
pub(super) fn crises(
    c: &Checker,
    raw: &[RawCrisis],
    partners: &[Partner],
    index: &BTreeMap<String, usize>,
    years: usize,
) -> R<Vec<CrisisType>> {
    let mut crises = Vec::new();
    let mut seen = HashSet::new();
    for (i, cr) in raw.iter().enumerate() {
        let k = |f: &str| format!("crises[{i}].{f}");
        c.name(&k("name"), &cr.name, &mut seen, "crisis type")?;
        // A bound keeps one trial finite in time and memory: 10 000 a year is ~27 a day,
        // beyond any plausible demand on one country.
        let rate = check!(
            c,
            k,
            cr.rate,
            range,
            0.0,
            MAX_CRISIS_RATE,
            " (crises per year)",
        )?;
        if partners.is_empty() {
            return Err(c.err(
                k("name"),
                "crises need at least one partner to affect",
                "add [[partners]] entries",
            ));
        }
        let affected = match &cr.affected {
            None => {
                let n = partners.len();
                (0..n).map(|p| (p, (p + 1) as f64 / n as f64)).collect()
            }
            Some(map) => {
                if map.is_empty() {
                    return Err(c.err(k("affected"), "the table is empty", "leave `affected` out for all partners equally, or give partner = weight pairs"));
                }
                let mut ws = Vec::new();
                for (name, w) in map {
                    let key = format!("crises[{i}].affected.{name}");
                    let p = c.partner(&key, name, index)?;
                    ws.push((p, c.fraction(&key, *w)?));
                }
                let weights: Vec<f64> = ws.iter().map(|(_, w)| *w).collect();
                c.sums_to_one(&k("affected"), &weights, "affected-partner shares")?;
                // Cumulative in the scenario's partner order so the draw does not depend on map order.
                ws.sort_by_key(|(p, _)| *p);
                let mut acc = 0.0;
                ws.into_iter()
                    .map(|(p, w)| {
                        acc += w;
                        (p, acc)
                    })
                    .collect()
            }
        };
        crises.push(CrisisType {
            name: cr.name.clone(),
            rate,
            priority: cr.priority,
            affected,
            units: c.dist(&k("units"), &cr.units, Domain::NonNegative)?,
            duration_days: c.dist(&k("duration_days"), &cr.duration_days, Domain::NonNegative)?,
            window_days: c.dist(
                &k("window_days"),
                &cr.window_days,
                Domain::NonNegativeOrInfinite,
            )?,
            detection_days: match &cr.detection_days {
                Some(d) => c.dist(&k("detection_days"), d, Domain::NonNegative)?,
                None => Dist::constant(0.0),
            },
            daily_cost: match &cr.daily_cost {
                Some(d) => c.dist(&k("daily_cost"), d, Domain::NonNegative)?,
                None => Dist::constant(0.0),
            },
        });
    }
    let expected: f64 = crises.iter().map(|t| t.rate).sum::<f64>() * years as f64;
    if expected > super::MAX_CRISES_PER_TRIAL {
        return Err(c.err(
            "crises",
            format!(
                "the crisis rates over {years} years expect {} crises per trial (the rates summed, times the years), more than the {} one trial may hold",
                show(expected),
                show(super::MAX_CRISES_PER_TRIAL)
            ),
            "lower the rates (crises per year, summed over the types) or `scenario.years`",
        ));
    }
    Ok(crises)
}

/// `[dci]`: eight weights in [0, 1] that sum to 1.
pub(super) fn dci(c: &Checker, d: &RawDci) -> R<DciWeights> {
    let dci = DciWeights {
        response: check!(c, "dci", d.response, fraction)?,
        exercises: check!(c, "dci", d.exercises, fraction)?,
        presence: check!(c, "dci", d.presence, fraction)?,
        programmes: check!(c, "dci", d.programmes, fraction)?,
        trust: check!(c, "dci", d.trust, fraction)?,
        interoperability: check!(c, "dci", d.interoperability, fraction)?,
        credibility: check!(c, "dci", d.credibility, fraction)?,
        readiness: check!(c, "dci", d.readiness, fraction)?,
    };
    c.sums_to_one("dci", &dci.as_array(), "DCI weights")?;
    Ok(dci)
}

/// `[feedback]`: fractions, whole numbers of units, days within a year and a cost;
/// `enabled = false` sets every effect to 0.
pub(super) fn feedback(c: &Checker, f: &RawFeedback) -> R<Feedback> {
    let on = Feedback {
        intelligence: check!(c, "feedback", f.intelligence_sharing, fraction)?,
        contribution_rate: check!(c, "feedback", f.contribution_rate, fraction)?,
        contribution_units: check!(c, "feedback", f.contribution_units, int, 0, 100_000)?,
        invitation_rate: check!(c, "feedback", f.invitation_rate, fraction)?,
        invitation_units: check!(c, "feedback", f.invitation_units, int, 1, 100_000)?,
        invitation_days: check!(c, "feedback", f.invitation_days, range, 1.0, 365.0, "days")?,
        invitation_cost: check!(c, "feedback", f.invitation_cost, non_negative, "million")?,
    };
    Ok(if f.enabled {
        on
    } else {
        Feedback {
            intelligence: 0.0,
            contribution_rate: 0.0,
            invitation_rate: 0.0,
            ..on
        }
    })
}
