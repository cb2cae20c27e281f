//! Unit tests of the readiness model: closed forms, costs, stable states, shortfall policies.

use super::*;
use crate::engine::TICK_DAYS;

fn spec(policy: ShortfallPolicy, initial: f64) -> ForcesSpec {
    ForcesSpec {
        units: 12,
        initial_readiness: initial,
        deploy_min_readiness: 0.5,
        training_cost: 120.0,
        retraining_factor: 2.5,
        decay_days: 110.0,
        retraining_days: 182.5,
        training_shortfall: policy,
        personnel_lag_days: 180.0,
        recruit_readiness: 0.3,
        deployment_wear: 0.0,
        reconstitution_days: 0.0,
        mobilisation_days_min: 0.0,
        mobilisation_days_max: 0.0,
        exercise_readiness_gain: 0.1,
    }
}

/// `months` ticks at a fixed monthly allowance (in bases: months of holding one unit
/// trained); returns every unit's readiness after the last month, and the money spent.
fn months(f: &ForcesSpec, bases: f64, months: usize) -> (Vec<f64>, f64) {
    let mut forces = Forces::new(f);
    let mut tl = Timeline::new(16, 0, false);
    let base = f.training_cost / 12.0;
    let mut spent = 0.0;
    for k in 0..months {
        tl.now = k as f64 * TICK_DAYS;
        spent += forces.train(f, bases * base, 1.0, &mut tl).0;
    }
    let end = months as f64 * TICK_DAYS;
    let r = (0..forces.units.len())
        .map(|u| forces.readiness(u, f, end))
        .collect();
    (r, spent / base)
}

#[test]
fn a_funded_force_returns_to_trained_from_any_start_in_3_to_6_months() {
    for (start, months_back) in [(0.0, 6), (0.19, 5), (0.5, 3), (0.8, 2)] {
        let f = spec(ShortfallPolicy::Spread, start);
        let (r, _) = months(&f, 1e9, months_back);
        assert!(r.iter().all(|x| *x == 1.0), "from {start}: {r:?}");
        let (r, _) = months(&f, 1e9, months_back - 1);
        assert!(r.iter().all(|x| *x < 1.0), "from {start}: not sooner");
    }
}

#[test]
fn retraining_a_lapsed_unit_costs_2_5_times_staying_trained() {
    // From 0: six months climbing at 2.5 bases a month, then 1 a month; from 0.5: three.
    for (start, window) in [(0.0, 6.0), (0.5, 3.0)] {
        let f = spec(ShortfallPolicy::Spread, start);
        let (_, spent) = months(&f, 1e9, window as usize);
        let ratio = spent / 12.0 / window;
        assert!((ratio - 2.5).abs() < 1e-9, "from {start}: {ratio}");
        // Once trained the premium stops: a further year costs one base a month.
        let (_, more) = months(&f, 1e9, window as usize + 12);
        assert!(
            (more - spent - 12.0 * 12.0).abs() < 1e-6,
            "{}",
            more - spent
        );
    }
}

#[test]
fn an_unfunded_unit_loses_meaningful_capability_between_day_60_and_day_90() {
    let f = spec(ShortfallPolicy::Spread, 1.0);
    let (r, _) = months(&f, 0.0, 2);
    assert!(r[0] >= f.deploy_min_readiness && (r[0] - 0.5752).abs() < 1e-4);
    let (r, _) = months(&f, 0.0, 3);
    assert!(r[0] < f.deploy_min_readiness && (r[0] - 0.4362).abs() < 1e-4);
}

#[test]
fn every_funding_level_has_one_stable_state() {
    for share in [0.3, 0.5, 0.86, 1.0] {
        let f = spec(ShortfallPolicy::Spread, 1.0);
        let (high, _) = months(&f, 12.0 * share, 60);
        let f = spec(ShortfallPolicy::Spread, 0.2);
        let (low, _) = months(&f, 12.0 * share, 60);
        for r in high.iter().chain(&low) {
            assert!((r - share).abs() < 0.005, "at {share}: {r}");
        }
    }
}

#[test]
fn concentrating_a_shortfall_stands_units_down_and_keeps_the_rest_ready() {
    // Money for 7.2 of 12 units: spread, every unit settles at 0.6 (all still deployable);
    // concentrated, seven stay trained, one holds 0.2 and four lapse.
    let f = spec(ShortfallPolicy::Concentrate, 1.0);
    let (r, _) = months(&f, 7.2, 24);
    let trained = r.iter().filter(|x| **x >= 0.999).count();
    let lapsed = r.iter().filter(|x| **x < f.deploy_min_readiness).count();
    assert_eq!((trained, lapsed), (7, 5), "{r:?}");
    let f = spec(ShortfallPolicy::Spread, 1.0);
    let (r, _) = months(&f, 7.2, 24);
    assert!(r.iter().all(|x| (x - 0.6).abs() < 0.01), "{r:?}");
}

#[test]
fn an_exercise_adds_its_gain_up_to_trained_and_holds_readiness_meanwhile() {
    let f = spec(ShortfallPolicy::Spread, 0.7);
    let mut forces = Forces::new(&f);
    let mut tl = Timeline::new(16, 0, false);
    // Unfunded: a unit at home decays, one on exercise does not.
    forces.train(&f, 0.0, 1.0, &mut tl);
    forces.send(0, 0.7, Away::Exercise, 0.0);
    assert_eq!(forces.readiness(0, &f, 20.0), 0.7, "no decay on exercise");
    assert!(forces.readiness(1, &f, 20.0) < 0.7);
    forces.exercised(&f, 0, 20.0);
    assert!((forces.readiness(0, &f, 20.0) - 0.8).abs() < 1e-12);
    forces.send(1, 0.95, Away::Exercise, 20.0);
    forces.exercised(&f, 1, 30.0);
    assert_eq!(forces.readiness(1, &f, 30.0), 1.0, "capped at trained");
}

#[test]
fn recovery_is_paid_up_front_while_the_rest_of_the_year_stays_held() {
    // Twelve units at 0.5 with a year's money 10% above holding them trained (158.4 bases):
    // month one may spend 158.4 − 12·11 = 26.4 bases (the pro-rata share would be 13.2), which
    // the spread rule gives as 1 + 1.5·(26.4 − 12)/(30 − 12) = 2.2 bases a unit.
    let f = spec(ShortfallPolicy::Spread, 0.5);
    let base = f.training_cost / 12.0;
    let mut forces = Forces::new(&f);
    let mut tl = Timeline::new(16, 0, false);
    let (spent, unfunded, _) = forces.train(&f, 158.4 * base, 12.0, &mut tl);
    assert!((spent / base - 26.4).abs() < 1e-9, "{}", spent / base);
    assert_eq!(unfunded, 0.0);
    assert!(forces.units.iter().all(|u| (u.funded - 2.2).abs() < 1e-9));
    // Short of holding for the year, the month gets its pro-rata share only.
    let mut forces = Forces::new(&f);
    let (spent, _, _) = forces.train(&f, 120.0 * base, 12.0, &mut tl);
    assert!((spent / base - 10.0).abs() < 1e-9, "{}", spent / base);
}

/// `ready_units` keeps the best few by insertion and sorts when more than 16 are wanted: both
/// give the one order (most ready first, ties by unit number) and the same count, as a full
/// sort of the ready idle units does.
#[test]
fn ready_units_gives_the_same_order_by_insertion_and_by_sort() {
    let mut f = spec(ShortfallPolicy::Spread, 0.9);
    f.units = 40;
    let mut forces = Forces::new(&f);
    for (u, unit) in forces.units.iter_mut().enumerate() {
        // Many ties (tenths), some below the deployment threshold, some away.
        unit.r0 = ((u * 7) % 10) as f64 / 10.0;
        unit.trend = Trend::Hold;
        if u % 9 == 4 {
            unit.status = UnitStatus::Deployed;
        }
    }
    let now = 0.0;
    let mut all: Vec<(usize, f64)> = (0..forces.units.len())
        .filter(|&u| forces.units[u].status == UnitStatus::Idle)
        .map(|u| (u, forces.readiness(u, &f, now)))
        .filter(|(_, r)| *r >= f.deploy_min_readiness)
        .collect();
    all.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    assert!(all.len() > 16, "{} ready units", all.len());
    let mut out = Vec::new();
    for keep in [0, 1, 3, 16, 17, 20, all.len(), 40] {
        let count = forces.ready_units(&f, f.deploy_min_readiness, now, keep, &mut out);
        assert_eq!(count, all.len(), "keep {keep}");
        assert_eq!(out, all[..keep.min(all.len())], "keep {keep}");
    }
}
