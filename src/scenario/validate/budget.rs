//! Validation of `[scenario]` and `[budget]` (`docs/MODEL.md`, scenario-level keys and section 2):
//! the horizon, levels, line shares, the cut (profile, start, policy, protected lines) and the
//! engagement order.

use super::{Checker, FOLDER_NAME_FIX, R, check, usable_as_folder};
use crate::scenario::raw::{RawBudget, RawCut, RawMeta};
use crate::scenario::types::*;

/// `[scenario]`: the name (a folder name), the money label, the horizon in years and the trials.
pub(super) fn meta(c: &Checker, m: &RawMeta) -> R<(usize, u64)> {
    if !usable_as_folder(&m.name) {
        return Err(c.err(
            "scenario.name",
            crate::scenario::folder_name_problem(&m.name),
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
    let years = check!(c, "scenario", m.years, int, 1, 200)?;
    // A four-digit calendar year: fiscal years are printed and charted as such (a year of
    // 2⁶³ − 1 passed here once and overflowed in the money chart).
    check!(c, "scenario", m.start_year, int, 1000, 9999)?;
    let trials = check!(c, "scenario", m.trials, int, 1, 100_000_000)? as u64;
    Ok((years, trials))
}

/// `[budget]` over a horizon of `years` fiscal years.
pub(super) fn budget(c: &Checker, b: &RawBudget, years: usize) -> R<Budget> {
    // Positive is not enough: a subnormal budget (5e-324) divides to inf downstream.
    let baseline = check!(
        c,
        "budget",
        b.baseline,
        range,
        0.001,
        super::MAX_MAGNITUDE,
        " (million per year)"
    )?;
    let growth = check!(
        c,
        "budget",
        b.growth,
        range,
        -0.5,
        1.0,
        " (fraction per year)"
    )?;
    let cost_index = cost_index(c, b, growth, years)?;
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
    let mut shares = LineMap::default();
    for (line, v) in Line::SHARED.iter().zip([
        s.personnel,
        s.operations,
        s.procurement,
        s.engagement,
        s.crisis_reserve,
    ]) {
        shares[*line] = c.fraction(&format!("budget.shares.{}", line.name()), v)?;
    }
    let listed: Vec<f64> = Line::SHARED.iter().map(|l| shares[*l]).collect();
    c.sums_to_one("budget.shares", &listed, "budget shares")?;
    let cut = cut(c, &b.cut, years)?;
    let engagement_order = engagement_order(c, &b.engagement_order)?;
    let reprogramming = reprogramming(c, &b.reprogramming)?;
    let engagement_split = c.choice("budget.engagement_split", &b.engagement_split)?;
    let post_closure = c.choice("budget.post_closure", &b.post_closure)?;
    Ok(Budget {
        baseline,
        growth,
        levels,
        shares,
        cost_index,
        cut,
        engagement_order,
        engagement_split,
        post_closure,
        reprogramming,
    })
}

/// `[budget.cut]` over a horizon of `years` fiscal years.
fn cut(c: &Checker, cut: &RawCut, years: usize) -> R<Cut> {
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
    let Some(kind) = ProfileKind::from_name(&cut.profile) else {
        let names: Vec<String> = ProfileKind::NAMES
            .iter()
            .map(|(n, _)| format!("\"{n}\""))
            .collect();
        let (last, rest) = names.split_last().expect("profiles are listed");
        return Err(c.err(
            "budget.cut.profile",
            format!("\"{}\" is not a known cut profile", cut.profile),
            format!("use {} or {last}", rest.join(", ")),
        ));
    };
    let profile = match kind {
        ProfileKind::Immediate => CutProfile::Immediate,
        ProfileKind::Phased => CutProfile::Phased {
            years: check!(c, "budget.cut", cut.phase_years, int, 1, 100)?,
        },
        ProfileKind::Shock => CutProfile::Shock {
            day: check!(
                c,
                "budget.cut",
                cut.shock_day,
                range,
                0.0,
                DAYS_PER_YEAR - 1.0,
                " (day of the fiscal year)",
            )?,
            persists: cut.shock_persists,
        },
    };
    let policy = c.choice("budget.cut.policy", &cut.policy)?;
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
    let personnel_max_cut = check!(c, "budget.cut", cut.personnel_max_cut, fraction)?;
    let shares = cut_shares(c, policy, cut.shares.as_ref())?;
    Ok(Cut {
        profile,
        start_year,
        policy,
        shares,
        protected,
        personnel_max_cut,
    })
}

/// `[budget.cut.shares]`: required with the policy `"shares"` (and then at least one line's
/// part positive), refused with the others, where it would be ignored. Normalised to sum 1.
fn cut_shares(
    c: &Checker,
    policy: CutPolicy,
    raw: Option<&crate::scenario::raw::RawCutShares>,
) -> R<LineMap<f64>> {
    let mut shares = LineMap::default();
    let Some(raw) = raw else {
        if policy == CutPolicy::Shares {
            return Err(c.err(
                "budget.cut.shares",
                "the cut policy \"shares\" needs each line's part of the cut",
                "add [budget.cut.shares] with a part per line, e.g. { operations = 1, procurement = 2 } (a line left out takes none of the cut)",
            ));
        }
        return Ok(shares);
    };
    if policy != CutPolicy::Shares {
        return Err(c.err(
            "budget.cut.shares",
            format!(
                "the parts of the cut are used only by the cut policy \"shares\", not \"{}\"",
                policy.name()
            ),
            "set budget.cut.policy = \"shares\", or remove [budget.cut.shares]",
        ));
    }
    for (line, v) in Line::SHARED.iter().zip([
        raw.personnel,
        raw.operations,
        raw.procurement,
        raw.engagement,
        raw.crisis_reserve,
    ]) {
        let key = format!("budget.cut.shares.{}", line.name());
        let v = c.finite(&key, v)?;
        if !(0.0..=super::MAX_MAGNITUDE).contains(&v) {
            return Err(c.err(
                key,
                format!("{v} is not a usable part of the cut"),
                "give a weight of at least 0 (the parts are used in proportion)",
            ));
        }
        shares[*line] = v;
    }
    let total: f64 = Line::SHARED.iter().map(|l| shares[*l]).sum();
    if total <= 0.0 {
        return Err(c.err(
            "budget.cut.shares",
            "every line's part of the cut is 0",
            "give at least one line a positive part, e.g. operations = 1",
        ));
    }
    for l in Line::SHARED {
        shares[l] /= total;
    }
    Ok(shares)
}

/// `budget.engagement_order`: posts, programmes and exercises, once each.
fn engagement_order(c: &Checker, raw: &[String]) -> R<Vec<EngagementItem>> {
    let mut engagement_order = Vec::new();
    for (i, item) in raw.iter().enumerate() {
        let e = c.choice(&format!("budget.engagement_order[{i}]"), item)?;
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
    Ok(engagement_order)
}

/// `[budget.reprogramming]`.
fn reprogramming(c: &Checker, r: &crate::scenario::raw::RawReprogramming) -> R<Reprogramming> {
    let max_share = check!(c, "budget.reprogramming", r.max_share, fraction)?;
    let mut ticks = Vec::new();
    for (i, m) in r.months.iter().enumerate() {
        let key = format!("budget.reprogramming.months[{i}]");
        if !(1..=12).contains(m) {
            return Err(c.err(
                key,
                format!("{m} is not a month of the fiscal year"),
                "use month numbers from 1 (the first) to 12 (the last)",
            ));
        }
        let k = (*m - 1) as usize;
        if ticks.contains(&k) {
            return Err(c.err(
                key,
                format!("month {m} is listed twice"),
                "list each month once",
            ));
        }
        ticks.push(k);
    }
    ticks.sort_unstable();
    let mut order = Vec::new();
    for (i, name) in r.order.iter().enumerate() {
        let key = format!("budget.reprogramming.order[{i}]");
        let line = Line::from_name(name)
            .filter(|l| *l != Line::Alliance)
            .ok_or_else(|| {
                c.err(
                    key.clone(),
                    format!("\"{name}\" is not a budget line"),
                    "use personnel, operations, procurement, engagement or crisis_reserve",
                )
            })?;
        if order.contains(&line) {
            return Err(c.err(
                key,
                format!("\"{name}\" is listed twice"),
                "list each line once",
            ));
        }
        order.push(line);
    }
    let reserve_year_end = match r.reserve_year_end.as_str() {
        "lapse" => None,
        "procurement" => Some(Line::Procurement),
        other => {
            return Err(c.err(
                "budget.reprogramming.reserve_year_end",
                format!("\"{other}\" is not a year-end rule for the crisis reserve"),
                "use \"lapse\" (unused reserve money is lost) or \"procurement\" (it is obligated on national contracts before the books close)",
            ));
        }
    };
    Ok(Reprogramming {
        max_share,
        ticks,
        order,
        release_reserve: r.release_reserve,
        reserve_year_end,
    })
}

/// `budget.inflation` as the price index of each fiscal year: I(0) = 1, I(y) = I(y−1)·(1 + π_{y−1}),
/// π_t the t-th rate (the last repeats), or `growth` every year when the key is absent.
fn cost_index(c: &Checker, b: &RawBudget, growth: f64, years: usize) -> R<Vec<f64>> {
    use crate::scenario::raw::RawRates;
    let rates: Vec<f64> = match &b.inflation {
        None => vec![growth],
        Some(RawRates::One(r)) => {
            vec![c.range("budget.inflation", *r, -0.5, 1.0, " (fraction per year)")?]
        }
        Some(RawRates::Yearly(v)) => {
            if v.is_empty() {
                return Err(c.err(
                    "budget.inflation",
                    "the list of yearly rates is empty",
                    "give one rate (e.g. inflation = 0.02) or one per year, e.g. [0.03, 0.025, 0.02] (the last repeats)",
                ));
            }
            v.iter()
                .enumerate()
                .map(|(i, r)| {
                    c.range(
                        &format!("budget.inflation[{i}]"),
                        *r,
                        -0.5,
                        1.0,
                        " (fraction per year)",
                    )
                })
                .collect::<R<Vec<f64>>>()?
        }
    };
    let mut index = Vec::with_capacity(years);
    let mut i = 1.0;
    for y in 0..years {
        index.push(i);
        i *= 1.0 + rates[y.min(rates.len() - 1)];
    }
    Ok(index)
}
