//! The 2013 US sequestration as a validation suite, on `scenarios/sequestration.toml` (a
//! mid-year shock on day 180 of FY2027, sticky personnel, a concentrated training shortfall).
//! What happened (GAO-15-470; Air & Space Forces Magazine 2013; US Army South 2013): O&M took
//! the largest share of the cut while military pay was exempt; exercises were cancelled in the
//! shock year; 17 squadrons were stood down and had no meaningful capability by day 90; once
//! funded they needed 3–6 months to become mission-ready again, at about 2.5 times the cost of
//! staying trained. `docs/VALIDATION.md` gives the figures.

use crate::common::*;
use dipcap::metrics::YearMetric;
use dipcap::runner::{RunConfig, run};
use dipcap::scenario::{Line, Scenario};

fn runs(s: &Scenario, trials: u64) -> dipcap::runner::RunResults {
    run(
        s,
        &RunConfig {
            trials,
            seed: 2013,
            threads: 0,
            precision: None,
        },
    )
    .unwrap()
}

/// Mean over trials of a yearly metric at level position `l`, fiscal year `y` (0-based).
fn yearly(r: &dipcap::runner::RunResults, l: usize, y: usize, m: YearMetric) -> f64 {
    r.outcomes
        .iter()
        .map(|t| t[l].yearly[y][m.index()])
        .sum::<f64>()
        / r.outcomes.len() as f64
}

fn level(s: &Scenario, x: f64) -> usize {
    s.budget.levels.iter().position(|l| *l == x).unwrap()
}

#[test]
fn operations_absorbs_the_largest_share_of_the_shock_and_pay_is_spared() {
    let s = load(&scenario_path("sequestration"));
    let y = s.budget.cut.start_year;
    let deep = level(&s, 0.92);
    for k in 0..20 {
        let (o, _) = &trial(&s, 1, k)[deep];
        let cut = o.ledger[y];
        let ops = cut[Line::Operations].rescinded;
        for line in [Line::Procurement, Line::Engagement, Line::CrisisReserve] {
            assert!(
                ops > cut[line].rescinded,
                "trial {k}: {line:?} gave more than O&M"
            );
        }
        assert!(
            cut[Line::Personnel].rescinded < 1e-6,
            "trial {k}: pay committed until a resize could land is not rescinded: {:?}",
            cut[Line::Personnel]
        );
        // Sticky personnel the year after: at most 3% less.
        let (a0, a1) = (
            o.ledger[y][Line::Personnel].appropriated,
            o.ledger[y + 1][Line::Personnel].appropriated,
        );
        assert!(a1 >= a0 * (1.0 - s.budget.cut.personnel_max_cut) - 1e-6);
    }
}

#[test]
fn exercises_are_cancelled_in_the_shock_year_and_held_again_when_money_returns() {
    let mut t = table(&scenario_path("sequestration"));
    set(&mut t, "budget.cut.shock_persists", false.into());
    let s = from_table(&t).unwrap();
    let r = runs(&s, 200);
    let y = s.budget.cut.start_year;
    let deep = level(&s, 0.92);
    let (full, shock) = (
        yearly(&r, 0, y, YearMetric::ExercisesHeld),
        yearly(&r, deep, y, YearMetric::ExercisesHeld),
    );
    assert!(
        shock <= full - 5.0,
        "held in FY2027: {shock} against {full}"
    );
    let next = yearly(&r, deep, y + 1, YearMetric::ExercisesHeld);
    assert!(
        next >= yearly(&r, 0, y + 1, YearMetric::ExercisesHeld) - 1.0,
        "{next}"
    );
}

#[test]
fn stood_down_units_are_given_too_little_to_stay_capable() {
    // A unit stood down gets less than half of what holds it trained, so (decay_days 110) it
    // falls below the deployment threshold within about 90 days (section 3; the unit tests in
    // src/model/forces/tests.rs check the closed form: 0.575 at two months, 0.436 at three).
    let s = load(&scenario_path("sequestration"));
    let deep = level(&s, 0.85);
    let mut stood_down = 0;
    for k in 0..20 {
        let (_, rows) = &trial(&s, 1, k)[deep];
        for r in rows.iter().filter(|r| r.event == "stand_down") {
            let funded: f64 = r
                .details
                .strip_prefix("training funded at ")
                .and_then(|x| x.split(' ').next())
                .and_then(|x| x.parse().ok())
                .unwrap();
            assert!(funded < 0.5, "{}", r.details);
            stood_down += 1;
        }
    }
    assert!(stood_down >= 20, "{stood_down} stand-downs in 20 trials");
    let tau = s.forces.decay_days;
    assert!((-60.8f64 / tau).exp() >= s.forces.deploy_min_readiness);
    assert!((-90.0f64 / tau).exp() < s.forces.deploy_min_readiness);
}

#[test]
fn when_funding_returns_the_force_recovers_within_a_year() {
    // Before: with the shock not persisting, readiness took two years to come back (0.649,
    // 0.883, 0.949 against 0.966) and the response rate in the recovery year was worse than
    // in the shock year.
    let mut t = table(&scenario_path("sequestration"));
    set(&mut t, "budget.cut.shock_persists", false.into());
    let s = from_table(&t).unwrap();
    let r = runs(&s, 200);
    let y = s.budget.cut.start_year;
    let deep = level(&s, 0.85);
    let full = yearly(&r, 0, y + 2, YearMetric::Readiness);
    let back = yearly(&r, deep, y + 2, YearMetric::Readiness);
    assert!(
        back >= 0.97 * full,
        "FY2029 readiness {back} against {full}"
    );
    let (shock, recovery) = (
        yearly(&r, deep, y, YearMetric::ResponseRate),
        yearly(&r, deep, y + 1, YearMetric::ResponseRate),
    );
    // The units stood down in the shock year are still retraining early in the recovery year,
    // so its response rate stays close to the shock year's (0.917 against 0.899 with 500
    // trials) instead of 0.155 below it.
    assert!(
        recovery >= shock - 0.03,
        "response rate in the recovery year {recovery}, shock year {shock}"
    );
}

#[test]
fn the_shock_falls_on_money_that_was_going_to_be_spent() {
    // Nothing of this relies on slack: at full budget operations executes all but a few
    // tenths of a percent of its money, and in the shock year the cut leaves training unfunded.
    let s = load(&scenario_path("sequestration"));
    let r = runs(&s, 200);
    let y = s.budget.cut.start_year;
    let deep = level(&s, 0.92);
    for yy in 0..s.years {
        let e = yearly(&r, 0, yy, YearMetric::ExecutionOperations);
        assert!(
            e >= 0.99,
            "FY{}: operations executes {e} at full budget",
            yy + 1
        );
    }
    let unfunded = yearly(&r, deep, y, YearMetric::UnfundedOperations);
    let full = yearly(&r, 0, y, YearMetric::UnfundedOperations);
    assert!(
        unfunded > full + 100.0,
        "training left unfunded in FY2027: {unfunded} at 92%, {full} at full budget"
    );
}
