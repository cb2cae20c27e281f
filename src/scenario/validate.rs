//! Semantic checks: the raw scenario becomes a [`Scenario`] or an error naming the key, what is
//! wrong and how to fix it. The first problem found is reported.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use super::dist::{Dist, Domain, RawDist};
use super::raw::RawScenario;
use super::types::*;
use crate::error::InputError;

/// Tolerance for shares that must sum to 1 (loose enough for hand-written decimals).
const SUM_TOLERANCE: f64 = 1e-6;

/// Errors about keys of one file (scenario or sweep file).
pub struct Checker<'a> {
    pub path: &'a Path,
}

type R<T> = Result<T, InputError>;

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

    fn finite(&self, key: &str, v: f64) -> R<f64> {
        if v.is_finite() && v.abs() > MAX_MAGNITUDE {
            Err(self.err(
                key,
                format!("{v} is too large"),
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
    fn range(&self, key: &str, v: f64, lo: f64, hi: f64, unit: &str) -> R<f64> {
        let v = self.finite(key, v)?;
        if v < lo || v > hi {
            let what = if v < 0.0 && lo >= 0.0 {
                format!("{v} is negative")
            } else {
                format!("{v} is out of range")
            };
            return Err(self.err(key, what, format!("use a value from {lo} to {hi}{unit}")));
        }
        Ok(v)
    }

    fn non_negative(&self, key: &str, v: f64, unit: &str) -> R<f64> {
        let v = self.finite(key, v)?;
        if v < 0.0 {
            return Err(self.err(
                key,
                format!("{v} is negative"),
                format!("use a value >= 0{unit}"),
            ));
        }
        Ok(v)
    }

    fn positive(&self, key: &str, v: f64, unit: &str) -> R<f64> {
        let v = self.finite(key, v)?;
        if v <= 0.0 {
            return Err(self.err(
                key,
                format!("{v} must be greater than 0"),
                format!("use a positive value{unit}"),
            ));
        }
        Ok(v)
    }

    fn fraction(&self, key: &str, v: f64) -> R<f64> {
        self.range(key, v, 0.0, 1.0, "")
    }

    fn int(&self, key: &str, v: i64, lo: i64, hi: i64) -> R<usize> {
        if v < lo || v > hi {
            return Err(self.err(
                key,
                format!("{v} is out of range"),
                format!("use a whole number from {lo} to {hi}"),
            ));
        }
        Ok(v as usize)
    }

    fn choice<T: Copy>(&self, key: &str, v: &str, options: &[(&str, T)]) -> R<T> {
        options
            .iter()
            .find(|(n, _)| *n == v)
            .map(|(_, t)| *t)
            .ok_or_else(|| {
                let names: Vec<String> = options.iter().map(|(n, _)| format!("\"{n}\"")).collect();
                self.err(
                    key,
                    format!("\"{v}\" is not a known value"),
                    format!("use one of {}", names.join(", ")),
                )
            })
    }

    fn dist(&self, key: &str, raw: &RawDist, domain: Domain) -> R<Dist> {
        Dist::from_raw(raw, domain).map_err(|(field, problem, hint)| {
            let key = if raw.0.dist == "constant" && field == "value" && raw.0.min.is_none() {
                key.to_string()
            } else {
                format!("{key}.{field}")
            };
            self.err(key, problem, hint)
        })
    }

    fn partner(&self, key: &str, name: &str, index: &BTreeMap<String, usize>) -> R<usize> {
        index.get(name).copied().ok_or_else(|| {
            let known: Vec<&str> = index.keys().map(String::as_str).collect();
            self.err(
                key,
                format!("unknown partner \"{name}\""),
                format!("use a name from [[partners]]: {}", known.join(", ")),
            )
        })
    }

    fn name(&self, key: &str, name: &str, seen: &mut HashSet<String>, what: &str) -> R<()> {
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

    fn sums_to_one(&self, key: &str, values: &[f64], what: &str) -> R<()> {
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

/// Largest magnitude of any number in a scenario: beyond it sums of money and products of
/// rates and times could overflow, and no quantity of the model is that large.
pub const MAX_MAGNITUDE: f64 = 1e12;
/// Largest crisis rate per type, per year.
pub const MAX_CRISIS_RATE: f64 = 10_000.0;
/// Largest force, in deployable units (every monthly tick visits every unit).
pub const MAX_UNITS: usize = 5_000;

/// Whether a name can be the output folder `output/<name>/` on any system: not empty, no
/// separators or spaces, not hidden.
pub fn usable_as_folder(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && name
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || "-_.".contains(ch))
}

/// How to fix a name [`usable_as_folder`] refuses.
pub const FOLDER_NAME_FIX: &str =
    "use letters, digits, '-', '_' or '.' (it names the output folder output/<name>/)";

pub(super) fn validate(raw: RawScenario, path: &Path) -> R<Scenario> {
    let c = Checker { path };

    // [scenario]
    let m = &raw.scenario;
    if !usable_as_folder(&m.name) {
        return Err(c.err(
            "scenario.name",
            format!("\"{}\" cannot be used as a folder name", m.name),
            FOLDER_NAME_FIX,
        ));
    }
    if m.money_unit.trim().is_empty() || m.money_unit.chars().count() > 16 {
        return Err(c.err(
            "scenario.money_unit",
            format!("\"{}\" is not a usable label", m.money_unit),
            "give a short label for millions of the currency, e.g. \"M€\" or \"million USD\" (at most 16 characters)",
        ));
    }
    let years = c.int("scenario.years", m.years, 1, 200)?;
    let trials = c.int("scenario.trials", m.trials, 1, 100_000_000)? as u64;

    // [budget]
    let b = &raw.budget;
    let baseline = c.positive("budget.baseline", b.baseline, " (million per year)")?;
    let growth = c.range("budget.growth", b.growth, -0.5, 1.0, " (fraction per year)")?;
    if b.levels.is_empty() {
        return Err(c.err(
            "budget.levels",
            "no budget levels given",
            "list fractions of baseline, e.g. levels = [1.0, 0.9, 0.8, 0.7]",
        ));
    }
    let mut levels = Vec::new();
    for (i, l) in b.levels.iter().enumerate() {
        let key = format!("budget.levels[{i}]");
        let l = c.finite(&key, *l)?;
        if l <= 0.0 || l > 2.0 {
            return Err(c.err(
                key,
                format!("level {l} is out of range"),
                "levels are fractions of the baseline budget, greater than 0 and at most 2",
            ));
        }
        if levels.contains(&l) {
            return Err(c.err(
                key,
                format!("level {l} is listed twice"),
                "list each level once",
            ));
        }
        levels.push(l);
    }
    let s = &b.shares;
    let mut shares = [0.0; 5];
    for (line, v) in Line::SHARED.iter().zip([
        s.personnel,
        s.operations,
        s.procurement,
        s.engagement,
        s.crisis_reserve,
    ]) {
        shares[line.index()] = c.fraction(&format!("budget.shares.{}", line.name()), v)?;
    }
    c.sums_to_one("budget.shares", &shares, "budget shares")?;

    let cut = &b.cut;
    if cut.start_year < 1 || cut.start_year > years as i64 {
        return Err(c.err(
            "budget.cut.start_year",
            format!(
                "{} is not a fiscal year of the {years}-year horizon",
                cut.start_year
            ),
            format!("use a whole number from 1 (the first fiscal year) to {years} (the last)"),
        ));
    }
    let start_year = cut.start_year as usize - 1;
    let profile = match cut.profile.as_str() {
        "immediate" => CutProfile::Immediate,
        "phased" => CutProfile::Phased {
            years: c.int("budget.cut.phase_years", cut.phase_years, 1, 100)?,
        },
        "shock" => CutProfile::Shock {
            day: c.range(
                "budget.cut.shock_day",
                cut.shock_day,
                0.0,
                DAYS_PER_YEAR - 1.0,
                " (day of the fiscal year)",
            )?,
            persists: cut.shock_persists,
        },
        other => {
            return Err(c.err(
                "budget.cut.profile",
                format!("\"{other}\" is not a known cut profile"),
                "use \"immediate\", \"phased\" or \"shock\"",
            ));
        }
    };
    let policy = c.choice(
        "budget.cut.policy",
        &cut.policy,
        &[
            ("proportional", CutPolicy::Proportional),
            ("protected", CutPolicy::Protected),
            ("sticky_personnel", CutPolicy::StickyPersonnel),
        ],
    )?;
    let mut protected = Vec::new();
    for (i, name) in cut.protected.iter().enumerate() {
        let line = Line::from_name(name)
            .filter(|l| *l != Line::Alliance)
            .ok_or_else(|| {
                c.err(
                    format!("budget.cut.protected[{i}]"),
                    format!("\"{name}\" is not a budget line"),
                    "use personnel, operations, procurement, engagement or crisis_reserve",
                )
            })?;
        protected.push(line);
    }
    let personnel_max_cut = c.fraction("budget.cut.personnel_max_cut", cut.personnel_max_cut)?;
    let mut engagement_order = Vec::new();
    for (i, item) in b.engagement_order.iter().enumerate() {
        let e = c.choice(
            &format!("budget.engagement_order[{i}]"),
            item,
            &[
                ("posts", EngagementItem::Posts),
                ("programmes", EngagementItem::Programmes),
                ("exercises", EngagementItem::Exercises),
            ],
        )?;
        if engagement_order.contains(&e) {
            return Err(c.err(
                format!("budget.engagement_order[{i}]"),
                format!("\"{item}\" is listed twice"),
                "list posts, programmes and exercises once each",
            ));
        }
        engagement_order.push(e);
    }
    if engagement_order.len() != 3 {
        return Err(c.err(
            "budget.engagement_order",
            "must list all three items",
            "use [\"posts\", \"programmes\", \"exercises\"] in the order they are funded",
        ));
    }
    let budget = Budget {
        baseline,
        growth,
        levels,
        shares,
        cut: Cut {
            profile,
            start_year,
            policy,
            protected,
            personnel_max_cut,
        },
        engagement_order,
    };

    // [forces]
    let f = &raw.forces;
    let forces = Forces {
        units: c.int("forces.units", f.units, 0, MAX_UNITS as i64)?,
        initial_readiness: c.fraction("forces.initial_readiness", f.initial_readiness)?,
        deploy_min_readiness: c.fraction("forces.deploy_min_readiness", f.deploy_min_readiness)?,
        training_cost: c.non_negative(
            "forces.training_cost",
            f.training_cost,
            " (million per unit per year)",
        )?,
        retraining_factor: c.range(
            "forces.retraining_factor",
            f.retraining_factor,
            1.0,
            100.0,
            "",
        )?,
        decay_days: c.positive("forces.decay_days", f.decay_days, " (days)")?,
        recovery_days: c.positive("forces.recovery_days", f.recovery_days, " (days)")?,
        personnel_lag_days: c.range(
            "forces.personnel_lag_days",
            f.personnel_lag_days,
            0.0,
            DAYS_PER_YEAR - 1.0,
            " (days)",
        )?,
        recruit_readiness: c.fraction("forces.recruit_readiness", f.recruit_readiness)?,
        deployment_wear: c.fraction("forces.deployment_wear", f.deployment_wear)?,
        reconstitution_days: c.non_negative(
            "forces.reconstitution_days",
            f.reconstitution_days,
            " (days)",
        )?,
        mobilisation_days_min: c.non_negative(
            "forces.mobilisation_days_min",
            f.mobilisation_days_min,
            " (days)",
        )?,
        mobilisation_days_max: c.non_negative(
            "forces.mobilisation_days_max",
            f.mobilisation_days_max,
            " (days)",
        )?,
        exercise_readiness_gain: c
            .fraction("forces.exercise_readiness_gain", f.exercise_readiness_gain)?,
    };
    if forces.mobilisation_days_max < forces.mobilisation_days_min {
        return Err(c.err(
            "forces.mobilisation_days_max",
            format!(
                "{} is below mobilisation_days_min ({})",
                forces.mobilisation_days_max, forces.mobilisation_days_min
            ),
            "the delay at readiness 0 (max) must be at least the delay at readiness 1 (min)",
        ));
    }

    // [trust], [interoperability]
    let t = &raw.trust;
    let trust = TrustParams {
        floor: c.fraction("trust.floor", t.floor)?,
        decay_days: c.positive("trust.decay_days", t.decay_days, " (days)")?,
        presence_decay_factor: c.range(
            "trust.presence_decay_factor",
            t.presence_decay_factor,
            1.0,
            100.0,
            "",
        )?,
        exercise_gain: c.fraction("trust.exercise_gain", t.exercise_gain)?,
        exercise_cancel_penalty: c
            .fraction("trust.exercise_cancel_penalty", t.exercise_cancel_penalty)?,
        attache_gain: c.fraction("trust.attache_gain", t.attache_gain)?,
        programme_gain: c.fraction("trust.programme_gain", t.programme_gain)?,
        programme_saturation: c.positive(
            "trust.programme_saturation",
            t.programme_saturation,
            " (million per year)",
        )?,
        programme_cut_penalty: c
            .fraction("trust.programme_cut_penalty", t.programme_cut_penalty)?,
        crisis_help_gain: c.fraction("trust.crisis_help_gain", t.crisis_help_gain)?,
        crisis_unanswered_penalty: c.fraction(
            "trust.crisis_unanswered_penalty",
            t.crisis_unanswered_penalty,
        )?,
        regional_spillover: c.fraction("trust.regional_spillover", t.regional_spillover)?,
        procurement_withdraw_penalty: c.fraction(
            "trust.procurement_withdraw_penalty",
            t.procurement_withdraw_penalty,
        )?,
        pledge_penalty: c.fraction("trust.pledge_penalty", t.pledge_penalty)?,
    };
    let io = &raw.interoperability;
    let interop = InteropParams {
        floor: c.fraction("interoperability.floor", io.floor)?,
        decay_days: c.positive("interoperability.decay_days", io.decay_days, " (days)")?,
        exercise_gain: c.fraction("interoperability.exercise_gain", io.exercise_gain)?,
        joint_procurement_gain: c.fraction(
            "interoperability.joint_procurement_gain",
            io.joint_procurement_gain,
        )?,
        withdraw_loss: c.fraction("interoperability.withdraw_loss", io.withdraw_loss)?,
        mobilisation_speedup: c.fraction(
            "interoperability.mobilisation_speedup",
            io.mobilisation_speedup,
        )?,
    };

    // [[partners]]
    let mut index = BTreeMap::new();
    let mut regions: Vec<String> = Vec::new();
    let mut partners = Vec::new();
    let mut seen = HashSet::new();
    for (i, p) in raw.partners.iter().enumerate() {
        let k = |f: &str| format!("partners[{i}].{f}");
        c.name(&k("name"), &p.name, &mut seen, "partner")?;
        let kind = c.choice(
            &k("kind"),
            &p.kind,
            &[
                ("ally", PartnerKind::Ally),
                ("partner", PartnerKind::Partner),
                ("regional", PartnerKind::Regional),
            ],
        )?;
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
            importance: c.non_negative(&k("importance"), p.importance, "")?,
            trust: c.fraction(&k("trust"), p.trust)?,
            interoperability: c.fraction(&k("interoperability"), p.interoperability)?,
        });
    }

    // [[posts]]
    let mut posts = Vec::new();
    for (i, p) in raw.posts.iter().enumerate() {
        let k = |f: &str| format!("posts[{i}].{f}");
        posts.push(Post {
            partner: c.partner(&k("partner"), &p.partner, &index)?,
            kind: c.choice(
                &k("kind"),
                &p.kind,
                &[
                    ("attache", PostKind::Attache),
                    ("forward", PostKind::Forward),
                ],
            )?,
            annual_cost: c.non_negative(&k("annual_cost"), p.annual_cost, " (million per year)")?,
            priority: p.priority,
            reopen_cost: c.non_negative(&k("reopen_cost"), p.reopen_cost, " (million)")?,
            reopen_days: c.range(
                &k("reopen_days"),
                p.reopen_days,
                0.0,
                DAYS_PER_YEAR,
                " (days)",
            )?,
            detection_factor: c.fraction(&k("detection_factor"), p.detection_factor)?,
        });
    }

    // [[exercises]]
    let mut exercises = Vec::new();
    let mut seen = HashSet::new();
    for (i, e) in raw.exercises.iter().enumerate() {
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
            ps.push(c.partner(&format!("exercises[{i}].partners[{j}]"), name, &index)?);
        }
        let start_day = c.range(
            &k("start_day"),
            e.start_day,
            0.0,
            DAYS_PER_YEAR - 1.0,
            " (day of the fiscal year)",
        )?;
        let duration_days = c.positive(&k("duration_days"), e.duration_days, " (days)")?;
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
        let units = c.int(&k("units"), e.units, 1, MAX_UNITS as i64)?;
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
            min_readiness: c.fraction(&k("min_readiness"), e.min_readiness)?,
            cost: c.non_negative(&k("cost"), e.cost, " (million)")?,
            priority: e.priority,
        });
    }

    // [[programmes]]
    let mut programmes = Vec::new();
    let mut seen = HashSet::new();
    for (i, p) in raw.programmes.iter().enumerate() {
        let k = |f: &str| format!("programmes[{i}].{f}");
        c.name(&k("name"), &p.name, &mut seen, "programme")?;
        programmes.push(Programme {
            name: p.name.clone(),
            partner: c.partner(&k("partner"), &p.partner, &index)?,
            kind: p.kind.clone(),
            annual: c.non_negative(&k("annual"), p.annual, " (million per year)")?,
            priority: p.priority,
        });
    }

    // [alliance]
    let alliance = match &raw.alliance {
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
                        &index,
                    )?);
                }
                let first = c.int(&k("start_year"), j.start_year, 1, years as i64)? - 1;
                let len = c.int(&k("years"), j.years, 1, 200)?;
                joint.push(JointProcurement {
                    name: j.name.clone(),
                    partners: ps,
                    annual_cost: c.non_negative(
                        &k("annual_cost"),
                        j.annual_cost,
                        " (million per year)",
                    )?,
                    first_year: first,
                    last_year: first + len - 1,
                });
            }
            let common_funding = c.non_negative(
                "alliance.common_funding",
                a.common_funding,
                " (million per year)",
            )?;
            if common_funding
                >= baseline * budget.levels.iter().cloned().fold(f64::INFINITY, f64::min)
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
                pledge: c.range(
                    "alliance.pledge",
                    a.pledge,
                    0.0,
                    0.5,
                    " (fraction of GDP, e.g. 0.02)",
                )?,
                gdp: c.positive("alliance.gdp", a.gdp, " (million per year)")?,
                gdp_growth: match &a.gdp_growth {
                    Some(d) => c.dist("alliance.gdp_growth", d, Domain::Real)?,
                    None => Dist::constant(0.0),
                },
                credibility: c.fraction("alliance.credibility", a.credibility)?,
                credibility_gain: c.fraction("alliance.credibility_gain", a.credibility_gain)?,
                credibility_penalty: c
                    .fraction("alliance.credibility_penalty", a.credibility_penalty)?,
                joint_procurement: joint,
            })
        }
    };

    let procurement_committed_share = c.fraction(
        "procurement.national_committed_share",
        raw.procurement.national_committed_share,
    )?;
    let queue_order = c.choice(
        "crisis_response.order",
        &raw.crisis_response.order,
        &[
            ("fifo", QueueOrder::Fifo),
            ("priority", QueueOrder::Priority),
            ("deadline", QueueOrder::Deadline),
        ],
    )?;

    // [[crises]]
    let mut crises = Vec::new();
    let mut seen = HashSet::new();
    for (i, cr) in raw.crises.iter().enumerate() {
        let k = |f: &str| format!("crises[{i}].{f}");
        c.name(&k("name"), &cr.name, &mut seen, "crisis type")?;
        // A bound keeps one trial finite in time and memory: 10 000 a year is ~27 a day,
        // beyond any plausible demand on one country.
        let rate = c.range(
            &k("rate"),
            cr.rate,
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
                    let p = c.partner(&key, name, &index)?;
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

    // [dci]
    let d = &raw.dci;
    let dci = DciWeights {
        response: c.fraction("dci.response", d.response)?,
        exercises: c.fraction("dci.exercises", d.exercises)?,
        presence: c.fraction("dci.presence", d.presence)?,
        programmes: c.fraction("dci.programmes", d.programmes)?,
        trust: c.fraction("dci.trust", d.trust)?,
        interoperability: c.fraction("dci.interoperability", d.interoperability)?,
        credibility: c.fraction("dci.credibility", d.credibility)?,
        readiness: c.fraction("dci.readiness", d.readiness)?,
    };
    c.sums_to_one(
        "dci",
        &[
            dci.response,
            dci.exercises,
            dci.presence,
            dci.programmes,
            dci.trust,
            dci.interoperability,
            dci.credibility,
            dci.readiness,
        ],
        "DCI weights",
    )?;

    Ok(Scenario {
        name: m.name.clone(),
        description: m.description.clone(),
        country: m.country.clone(),
        money_unit: m.money_unit.trim().to_string(),
        years,
        start_year: m.start_year,
        trials,
        seed: m.seed,
        budget,
        forces,
        trust,
        interop,
        regions,
        partners,
        posts,
        exercises,
        programmes,
        alliance,
        procurement_committed_share,
        queue_order,
        crises,
        dci,
    })
}
