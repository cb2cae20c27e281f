//! Budget mechanism: the annual envelope at a budget level, the cut profile over years, and the
//! cut policy that decides which lines absorb a cut. Pure functions, so each rule is testable
//! on its own; the engine keeps the ledger.

use crate::scenario::{CutPolicy, CutProfile, Line, LineMap, Scenario};

/// Money per shared line (the alliance entry stays 0: assessed contributions are not cut).
pub type Lines5 = LineMap<f64>;

/// The baseline (level 1.0) total budget of fiscal year `year` (0-based), million per year.
pub fn baseline_total(s: &Scenario, year: usize) -> f64 {
    s.budget.baseline * (1.0 + s.budget.growth).powi(year as i32)
}

/// The price index of fiscal year `year` (1 in the first year): every cost the budget pays —
/// pay, training, posts, programmes, exercises, joint programmes, crisis costs — is its
/// first-year value times this (`budget.inflation`).
#[inline]
pub fn cost_index(s: &Scenario, year: usize) -> f64 {
    s.budget.cost_index[year.min(s.budget.cost_index.len() - 1)]
}

/// Assessed alliance contributions in `year`; they grow with the budget so shares stay stable.
pub fn assessed(s: &Scenario, year: usize) -> f64 {
    s.alliance.as_ref().map_or(0.0, |a| {
        a.common_funding * (1.0 + s.budget.growth).powi(year as i32)
    })
}

/// The fraction of the baseline budget appropriated at the start of `year` at `level`.
/// A shock year is appropriated in full; its cut arrives mid-year (see [`shock_removal`]).
pub fn level_multiplier(s: &Scenario, level: f64, year: usize) -> f64 {
    let cut = &s.budget.cut;
    if year < cut.start_year {
        return 1.0;
    }
    match cut.profile {
        CutProfile::Immediate => level,
        CutProfile::Phased { years } => {
            let progress = ((year - cut.start_year + 1) as f64 / years as f64).min(1.0);
            1.0 - (1.0 - level) * progress
        }
        CutProfile::Shock { persists, .. } => {
            if year == cut.start_year || !persists {
                1.0
            } else {
                level
            }
        }
    }
}

/// The amount the shock removes part-way through the first cut year: the whole year's cut,
/// taken from money not yet spent (that is what made 2013 so disruptive).
pub fn shock_removal(s: &Scenario, level: f64, year: usize) -> f64 {
    (1.0 - level).max(0.0) * baseline_total(s, year)
}

/// The total budget enacted for `year` at `level`, after the shock's rescission if `year` is
/// the shock year: what the country plans to spend (the pledge check's plan).
pub fn planned_total(s: &Scenario, level: f64, year: usize) -> f64 {
    let mut total = baseline_total(s, year) * level_multiplier(s, level, year);
    if matches!(s.budget.cut.profile, CutProfile::Shock { .. })
        && year == s.budget.cut.start_year
        && level < 1.0
    {
        total -= shock_removal(s, level, year);
    }
    total
}

/// The reference (full-budget) allocation to the shared lines in `year`.
pub fn reference_allocation(s: &Scenario, year: usize) -> Lines5 {
    let net = baseline_total(s, year) - assessed(s, year);
    let mut a = Lines5::default();
    for l in Line::SHARED {
        a[l] = s.budget.shares[l] * net;
    }
    a
}

/// Spreads `amount` over lines in proportion to `weights`, never taking more than `caps[i]`
/// from line i (water-filling: a capped line drops out and the rest share what is left).
/// Returns the amounts taken and what could not be placed.
pub fn spread(amount: f64, weights: &Lines5, caps: &Lines5) -> (Lines5, f64) {
    let mut taken = Lines5::default();
    let mut left = amount.max(0.0);
    // Flags rather than lists of lines: nothing to allocate at every appropriation.
    let mut open: LineMap<bool> = LineMap::from_fn(|l| caps[l] > 0.0 && weights[l] > 0.0);
    open[Line::Alliance] = false;
    // Each pass either places everything or caps at least one line, so five passes suffice.
    while left > 1e-12 && open.iter().any(|o| *o) {
        let total_w: f64 = Line::SHARED
            .into_iter()
            .filter(|&l| open[l])
            .map(|l| weights[l])
            .sum();
        let mut capped = LineMap::<bool>::default();
        let mut placed = 0.0;
        for l in Line::SHARED.into_iter().filter(|&l| open[l]) {
            let want = left * weights[l] / total_w;
            let room = caps[l] - taken[l];
            let take = want.min(room);
            taken[l] += take;
            placed += take;
            if room - take <= 1e-12 {
                capped[l] = true;
            }
        }
        left -= placed;
        if !capped.iter().any(|c| *c) {
            break;
        }
        for l in Line::SHARED {
            open[l] &= !capped[l];
        }
    }
    (taken, left.max(0.0))
}

/// How much each shared line may be cut under the policy before protection has to give way.
/// `personnel_cap` is the most the personnel line may lose under `sticky_personnel`.
fn policy_caps(s: &Scenario, personnel_cap: f64, full: &Lines5) -> Lines5 {
    let cut = &s.budget.cut;
    let mut caps = *full;
    match cut.policy {
        CutPolicy::Proportional => {}
        CutPolicy::Protected => {
            for l in &cut.protected {
                caps[*l] = 0.0;
            }
        }
        CutPolicy::StickyPersonnel => {
            for l in &cut.protected {
                caps[*l] = 0.0;
            }
            let p = Line::Personnel;
            caps[p] = personnel_cap.clamp(0.0, full[p]);
        }
        // The parts decide who pays; the caps only stop a line from losing more than it has.
        CutPolicy::Shares => {}
    }
    caps
}

/// Applies a cut of `amount` to `base` under the scenario's policy. `full` caps what each line
/// can lose at all (its whole allocation, or what is left unspent mid-year). If the protected
/// lines cannot be spared, the rest of the cut falls on them in proportion too.
pub fn apply_cut(
    s: &Scenario,
    base: &Lines5,
    amount: f64,
    personnel_cap: f64,
    full: &Lines5,
) -> Lines5 {
    let caps = policy_caps(s, personnel_cap, full);
    let weights = match s.budget.cut.policy {
        CutPolicy::Shares => &s.budget.cut.shares,
        _ => base,
    };
    let (mut taken, left) = spread(amount, weights, &caps);
    if left > 1e-9 {
        let rest = Lines5::from_fn(|l| full[l] - taken[l]);
        let (more, _) = spread(left, base, &rest);
        for l in Line::SHARED {
            taken[l] += more[l];
        }
    }
    taken
}

/// Appropriations of the shared lines at the start of `year` at `level`.
pub fn appropriate(
    s: &Scenario,
    level: f64,
    year: usize,
    previous_personnel: Option<f64>,
) -> Lines5 {
    let base = reference_allocation(s, year);
    let total = baseline_total(s, year) * level_multiplier(s, level, year);
    let net = total - assessed(s, year);
    let base_net = base.shared_sum();
    let cut = base_net - net;
    if cut <= 0.0 {
        // A level above 1 (or no cut) scales every line up in proportion.
        return Lines5::from_fn(|l| {
            if l == Line::Alliance {
                0.0
            } else {
                base[l] * net / base_net
            }
        });
    }
    let p = Line::Personnel;
    // Sticky personnel: the line may shrink by at most `personnel_max_cut` of last year's
    // appropriation (growth of the reference does not count as room to cut).
    let floor = previous_personnel.unwrap_or(base[p]) * (1.0 - s.budget.cut.personnel_max_cut);
    let taken = apply_cut(s, &base, cut, base[p] - floor, &base);
    Lines5::from_fn(|l| base[l] - taken[l])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spread_respects_caps_and_places_everything_it_can() {
        use Line::*;
        let of = |v: [f64; 5]| Lines5::from_fn(|l| if l == Alliance { 0.0 } else { v[l as usize] });
        let w = of([50.0, 30.0, 20.0, 0.0, 0.0]);
        let caps = of([1.0, 100.0, 100.0, 100.0, 100.0]);
        let (t, left) = spread(10.0, &w, &caps);
        assert!((t[Personnel] - 1.0).abs() < 1e-12);
        assert!((t.shared_sum() - 10.0).abs() < 1e-9);
        assert!(
            (t[Operations] / t[Procurement] - 1.5).abs() < 1e-9,
            "uncapped lines keep their proportions"
        );
        assert_eq!(t[Engagement], 0.0, "a line with no weight takes nothing");
        assert_eq!(left, 0.0);
        let (_, left) = spread(1000.0, &w, &caps);
        assert!((left - (1000.0 - 201.0)).abs() < 1e-9);
    }
}
