//! Validation of `[alliance]` with its joint procurement and `[procurement]` (`docs/MODEL.md`
//! section 8): common funding that leaves money at the lowest level, the pledge, credibility, the
//! GDP path and the joint programmes' partners and years.

use std::collections::{BTreeMap, HashSet};

use super::{Checker, R, check};
use crate::scenario::dist::{Dist, Domain};
use crate::scenario::raw::{RawAlliance, RawProcurement};
use crate::scenario::types::*;

/// `[alliance]` over a horizon of `years` fiscal years, for `budget`.
pub(super) fn alliance(
    c: &Checker,
    raw: &Option<RawAlliance>,
    years: usize,
    budget: &Budget,
    index: &BTreeMap<String, usize>,
) -> R<Option<Alliance>> {
    Ok(match raw {
        None => None,
        Some(a) => {
            let mut joint = Vec::new();
            let mut seen = HashSet::new();
            for (i, j) in a.joint_procurement.iter().enumerate() {
                let k = |f: &str| format!("alliance.joint_procurement[{i}].{f}");
                c.name(
                    &k("name"),
                    &j.name,
                    &mut seen,
                    "joint procurement programme",
                )?;
                let mut ps = Vec::new();
                for (n, name) in j.partners.iter().enumerate() {
                    ps.push(c.partner(
                        &format!("alliance.joint_procurement[{i}].partners[{n}]"),
                        name,
                        index,
                    )?);
                }
                let first = check!(c, k, j.start_year, int, 1, years as i64)? - 1;
                let len = check!(c, k, j.years, int, 1, 200)?;
                joint.push(JointProcurement {
                    name: j.name.clone(),
                    partners: ps,
                    annual_cost: check!(c, k, j.annual_cost, non_negative, " (million per year)",)?,
                    first_year: first,
                    last_year: first + len - 1,
                });
            }
            let common_funding = check!(
                c,
                "alliance",
                a.common_funding,
                non_negative,
                " (million per year)",
            )?;
            if common_funding
                >= budget.baseline * budget.levels.iter().cloned().fold(f64::INFINITY, f64::min)
            {
                return Err(c.err(
                    "alliance.common_funding",
                    format!("assessed contributions ({common_funding}) take the whole budget at the lowest level"),
                    "assessed contributions are paid first and must leave money for the other lines",
                ));
            }
            Some(Alliance {
                name: a.name.clone(),
                common_funding,
                pledge: check!(
                    c,
                    "alliance",
                    a.pledge,
                    range,
                    0.0,
                    0.5,
                    " (fraction of GDP, e.g. 0.02)",
                )?,
                gdp: check!(c, "alliance", a.gdp, positive, " (million per year)")?,
                gdp_growth: match &a.gdp_growth {
                    Some(d) => {
                        // A fall of 100% or more leaves no GDP to measure the pledge against
                        // (the ratio became inf/NaN in the outputs).
                        let t = &d.0;
                        let lowest = [t.value, t.min]
                            .into_iter()
                            .flatten()
                            .chain(t.values.iter().flatten().copied())
                            .fold(f64::INFINITY, f64::min);
                        if lowest <= -1.0 {
                            return Err(c.err(
                                "alliance.gdp_growth",
                                format!("a growth of {lowest} would leave no GDP"),
                                "use growth rates above -1 (a fall of less than 100% a year, e.g. -0.05)",
                            ));
                        }
                        c.dist("alliance.gdp_growth", d, Domain::Real)?
                    }
                    None => Dist::constant(0.0),
                },
                credibility: check!(c, "alliance", a.credibility, fraction)?,
                credibility_floor: check!(c, "alliance", a.credibility_floor, fraction)?,
                credibility_adjustment: check!(c, "alliance", a.credibility_adjustment, fraction)?,
                pledge_weight: check!(c, "alliance", a.pledge_weight, fraction)?,
                plan_years: check!(c, "alliance", a.plan_years, int, 0, 50)?,
                joint_procurement: joint,
            })
        }
    })
}

/// `[procurement]`: the share of the reference procurement line tied to national contracts,
/// and the stretch limit and exit hazard of joint programmes.
pub(super) fn procurement(c: &Checker, p: &RawProcurement) -> R<ProcurementParams> {
    Ok(ProcurementParams {
        committed_share: check!(c, "procurement", p.national_committed_share, fraction)?,
        // Below 1, so that a stretch short of the limit has a hazard to scale.
        joint_min_share: check!(
            c,
            "procurement",
            p.joint_min_share,
            range,
            0.0,
            0.95,
            " (share of a joint programme's cost)",
        )?,
        joint_exit_rate: check!(
            c,
            "procurement",
            p.joint_exit_rate,
            range,
            0.0,
            100.0,
            " (exit hazard at the stretch limit, per year)",
        )?,
    })
}
