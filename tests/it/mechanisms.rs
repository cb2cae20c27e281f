//! Each mechanism of the model brief, checked on small edits of the shipped scenarios. Where a
//! closed form exists the test asserts its value; otherwise it asserts the direction and the
//! trace events that explain it. Paired comparisons use the same trial at different levels
//! (common random numbers), so the differences are caused by the budget alone.

use crate::common::*;
use dipcap::engine::TraceRow;
use dipcap::metrics::{Metric, YearMetric};
use dipcap::model::budget;
use dipcap::runner::{RunConfig, run};
use dipcap::scenario::{DAYS_PER_YEAR, Line, TICKS_PER_YEAR};

fn events<'a>(rows: &'a [TraceRow], kind: &str) -> Vec<&'a TraceRow> {
    rows.iter().filter(|r| r.event == kind).collect()
}

/// A run of `trials` trials at seed 5 (every level, outcomes in memory).
fn run_trials(s: &dipcap::scenario::Scenario, trials: u64) -> dipcap::runner::RunResults {
    run_seeded(s, trials, 5)
}

fn run_seeded(
    s: &dipcap::scenario::Scenario,
    trials: u64,
    seed: u64,
) -> dipcap::runner::RunResults {
    run(
        s,
        &RunConfig {
            trials,
            seed,
            threads: 0,
            precision: None,
        },
    )
    .unwrap()
}

fn mean_metric(s: &dipcap::scenario::Scenario, trials: u64, level: usize, m: Metric) -> f64 {
    mean(&run_trials(s, trials).metric(level, m))
}

#[test]
fn cut_profiles_follow_their_equations() {
    let mut t = table(&scenario_path("baseline"));
    let s = from_table(&t).unwrap();
    let b0 = budget::baseline_total(&s, 0);
    assert_eq!(b0, 12000.0);
    assert!((budget::baseline_total(&s, 3) - 12000.0 * 1.02f64.powi(3)).abs() < 1e-9);
    // Immediate from the 2nd year: year 0 untouched, then the level.
    assert_eq!(budget::level_multiplier(&s, 0.8, 0), 1.0);
    assert_eq!(budget::level_multiplier(&s, 0.8, 1), 0.8);
    let total = |s: &dipcap::scenario::Scenario, l: f64, y: usize| {
        budget::appropriate(s, l, y, None).iter().sum::<f64>() + budget::assessed(s, y)
    };
    assert!((total(&s, 0.8, 1) - 0.8 * budget::baseline_total(&s, 1)).abs() < 1e-6);
    // Phased over 4 years: 1/4, 2/4, 3/4, then the whole cut.
    set(&mut t, "budget.cut.profile", "phased".into());
    set(&mut t, "budget.cut.phase_years", 4.into());
    let s = from_table(&t).unwrap();
    for (y, m) in [(0, 1.0), (1, 0.95), (2, 0.9), (3, 0.85), (4, 0.8), (7, 0.8)] {
        assert!(
            (budget::level_multiplier(&s, 0.8, y) - m).abs() < 1e-12,
            "year {y}"
        );
    }
    // Shock: the first cut year is appropriated in full; the cut arrives as a rescission.
    set(&mut t, "budget.cut.profile", "shock".into());
    let s = from_table(&t).unwrap();
    assert_eq!(budget::level_multiplier(&s, 0.8, 1), 1.0);
    assert_eq!(budget::level_multiplier(&s, 0.8, 2), 0.8);
    assert!((budget::shock_removal(&s, 0.8, 1) - 0.2 * budget::baseline_total(&s, 1)).abs() < 1e-9);
    let levels = trial(&s, 1, 0);
    let (o, rows) = &levels[2];
    assert_eq!(events(rows, "shock").len(), 1);
    let rescinded: f64 = o.ledger[1].iter().map(|l| l.rescinded).sum();
    assert!(
        (rescinded - 0.2 * budget::baseline_total(&s, 1)).abs() < 1e-6,
        "the whole annual cut is removed: {rescinded}"
    );
    assert_eq!(o.ledger[0].iter().map(|l| l.rescinded).sum::<f64>(), 0.0);
    assert!(
        events(&levels[0].1, "shock").is_empty(),
        "no shock at full budget"
    );
}

#[test]
fn cut_policies_decide_which_lines_absorb_the_cut() {
    let mut t = table(&scenario_path("baseline"));
    let s = from_table(&t).unwrap();
    let base = budget::reference_allocation(&s, 1);
    let prop = budget::appropriate(&s, 0.7, 1, None);
    // Proportional: every line keeps the same share of the smaller net budget.
    for l in Line::SHARED {
        assert!((prop[l] / prop.iter().sum::<f64>() - s.budget.shares[l]).abs() < 1e-12);
    }
    set(&mut t, "budget.cut.policy", "protected".into());
    set(
        &mut t,
        "budget.cut.protected",
        toml::Value::Array(vec!["engagement".into(), "crisis_reserve".into()]),
    );
    let s = from_table(&t).unwrap();
    let prot = budget::appropriate(&s, 0.7, 1, None);
    assert_eq!(prot[Line::Engagement], base[Line::Engagement]);
    assert_eq!(prot[Line::CrisisReserve], base[Line::CrisisReserve]);
    assert!(
        (prot.iter().sum::<f64>() - prop.iter().sum::<f64>()).abs() < 1e-6,
        "the same total is cut"
    );
    set(&mut t, "budget.cut.policy", "sticky_personnel".into());
    set(&mut t, "budget.cut.protected", toml::Value::Array(vec![]));
    let s = from_table(&t).unwrap();
    let prev = budget::appropriate(&s, 1.0, 0, None)[Line::Personnel];
    let sticky = budget::appropriate(&s, 0.7, 1, Some(prev));
    let p = sticky[Line::Personnel];
    assert!(
        (p - prev * 0.97).abs() < 1e-6,
        "personnel shrinks by exactly the 3% allowed: {p} vs {prev}"
    );
    assert!(
        sticky[Line::Operations] < prop[Line::Operations],
        "operations absorbs what personnel does not"
    );
    assert!((sticky.iter().sum::<f64>() - prop.iter().sum::<f64>()).abs() < 1e-6);
}

/// Baseline without crises, exercises, posts and programmes, for clean closed-form checks.
fn quiet_baseline() -> toml::Table {
    let mut t = table(&scenario_path("baseline"));
    for k in ["crises", "exercises", "posts", "programmes"] {
        remove(&mut t, k);
    }
    // Partners' invitations would take units away and spend operations money.
    set(&mut t, "feedback.invitation_rate", 0.0.into());
    t
}

#[test]
fn readiness_decays_by_its_closed_form_when_training_is_unfunded() {
    let mut t = quiet_baseline();
    // Operations' share goes to procurement, so the shares still sum to 1.
    let ops = t["budget"]["shares"]["operations"].as_float().unwrap();
    let proc = t["budget"]["shares"]["procurement"].as_float().unwrap();
    set(&mut t, "budget.shares.operations", 0.0.into());
    set(&mut t, "budget.shares.procurement", (ops + proc).into());
    // No review may bring money back into operations.
    set(&mut t, "budget.reprogramming.max_share", 0.0.into());
    set(&mut t, "budget.reprogramming.release_reserve", false.into());
    set(
        &mut t,
        "budget.levels",
        toml::Value::Array(vec![1.0.into()]),
    );
    let s = from_table(&t).unwrap();
    let (o, _) = &trial(&s, 1, 0)[0];
    // Sampled at each monthly tick: r(t_k) = 0.9·e^(−t_k/τ), τ = decay_days.
    let tick = DAYS_PER_YEAR / TICKS_PER_YEAR as f64;
    let tau = s.forces.decay_days;
    let expected: f64 = (0..TICKS_PER_YEAR)
        .map(|k| 0.9 * (-(k as f64) * tick / tau).exp())
        .sum::<f64>()
        / TICKS_PER_YEAR as f64;
    let got = o.yearly[0][YearMetric::Readiness.index()];
    assert!(
        (got - expected).abs() < 1e-9,
        "year-1 readiness {got} vs closed form {expected}"
    );
    // A trained unit left unfunded is still deployable after two months and is not by day 90
    // ("no meaningful capability by day 90", Air & Space Forces Magazine 2013).
    let r = |days: f64| (-days / tau).exp();
    assert!(r(2.0 * tick) >= s.forces.deploy_min_readiness);
    assert!(r(90.0) < s.forces.deploy_min_readiness);
}

#[test]
fn a_lapsed_force_retrains_in_six_months_at_2_5_times_the_cost_of_staying_trained() {
    let mut t = quiet_baseline();
    set(&mut t, "forces.initial_readiness", 0.0.into());
    // Cheap enough that even the retraining premium is funded in full.
    set(&mut t, "forces.training_cost", 100.0.into());
    set(
        &mut t,
        "budget.levels",
        toml::Value::Array(vec![1.0.into()]),
    );
    let s = from_table(&t).unwrap();
    let (o, _) = &trial(&s, 1, 0)[0];
    // Fully funded, readiness climbs linearly to trained in retraining_days (182.5 = six
    // ticks) and stays there: r(t_k) = min(1, k/6).
    let expected: f64 = (0..TICKS_PER_YEAR)
        .map(|k| (k as f64 / 6.0).min(1.0))
        .sum::<f64>()
        / TICKS_PER_YEAR as f64;
    let got = o.yearly[0][YearMetric::Readiness.index()];
    assert!(
        (got - expected).abs() < 1e-9,
        "recovery {got} vs closed form {expected}"
    );
    // Six months of climbing at 2.5 months' training each, then six months of holding, for
    // each of 12 units at 100/12 a month: 12 × (15 + 6) × 100/12.
    let spent = o.ledger[0][Line::Operations].spent;
    assert!(
        (spent - 2100.0).abs() < 1e-6,
        "retraining costs 2.5× staying trained while it lasts, nothing after: {spent}"
    );
}

#[test]
fn full_funding_restores_readiness_and_keeps_it() {
    // Before: a force starting at 0.8 under full funding stayed at 0.80–0.83 for six years.
    let mut t = table(&scenario_path("baseline"));
    set(&mut t, "forces.initial_readiness", 0.8.into());
    set(
        &mut t,
        "budget.levels",
        toml::Value::Array(vec![1.0.into()]),
    );
    let s = from_table(&t).unwrap();
    let n = 100;
    let mut year = vec![0.0; s.years];
    for k in 0..n {
        let (o, _) = &trial(&s, 1, k)[0];
        for (y, v) in year.iter_mut().enumerate() {
            *v += o.yearly[y][YearMetric::Readiness.index()] / n as f64;
        }
    }
    // Operations pays the retraining premium as it is needed, out of its margin above holding
    // the force, so the climb takes a few months (measured over 200 trials: 0.945, 0.968, then
    // 0.969–0.974, the level full funding holds with deployments wearing units down; 0.915 and
    // 0.963 in FY1–2 when the premium was spread over the year).
    assert!(year[0] > 0.935, "the first year climbs back: {year:?}");
    for (y, r) in year.iter().enumerate().skip(1) {
        assert!(*r > 0.96, "FY{}: {r} ({year:?})", y + 1);
    }
}

/// Paired mean of a metric at one level over the same trials: `with` minus `without`.
fn paired_difference(
    with: &dipcap::scenario::Scenario,
    without: &dipcap::scenario::Scenario,
    trials: u64,
    level: usize,
    m: Metric,
) -> f64 {
    mean_metric(with, trials, level, m) - mean_metric(without, trials, level, m)
}

#[test]
fn exercises_train_units_that_are_below_trained() {
    // Before: setting the gain to 0 changed readiness by −0.0004 (a saturating gain on units
    // that decayed back to the funded share within weeks). Now an exercise adds its points to
    // a unit that is short of trained, and a unit on exercise does not decay.
    let mut t = table(&scenario_path("baseline"));
    let with = from_table(&t).unwrap();
    set(&mut t, "forces.exercise_readiness_gain", 0.0.into());
    let without = from_table(&t).unwrap();
    let deepest = with.budget.levels.len() - 1;
    let d = paired_difference(&with, &without, 100, deepest, Metric::Readiness);
    assert!(d > 0.01, "exercises at 70% add {d} readiness");
}

#[test]
fn a_concentrated_shortfall_stands_units_down_a_spread_one_does_not() {
    // 2013: commands stood whole squadrons down and kept others ready. In sequestration.toml
    // (`concentrate`) the shock stands units down; spread, every unit degrades alike.
    let mut t = table(&scenario_path("sequestration"));
    let s = from_table(&t).unwrap();
    let deepest = s.budget.levels.len() - 1;
    let (mut full, mut stood_down) = (0, 0);
    for k in 0..20 {
        let runs = trial(&s, 1, k);
        // At full budget only a heavy crisis year, whose deployments overflow the reserve onto
        // operations (they are paid when they start), stands units down in its last months.
        full += events(&runs[0].1, "stand_down").len();
        stood_down += events(&runs[deepest].1, "stand_down").len();
    }
    assert!(
        stood_down >= 20 && stood_down > 2 * full,
        "units stood down under the shock: {stood_down}, at full budget: {full}"
    );
    set(&mut t, "forces.training_shortfall", "spread".into());
    let spread = from_table(&t).unwrap();
    for k in 0..20 {
        assert!(events(&trial(&spread, 1, k)[deepest].1, "stand_down").is_empty());
    }
}

#[test]
fn payroll_is_planned_with_its_lag_and_never_spills_onto_operations_at_the_year_end() {
    // Before: the personnel change landed 180 days after planning and ~463 M€ of payroll fell
    // on operations in months 11–12, crushing training there. Now the plan moves the overhang
    // it can foresee at the year start, and operations paces training around it.
    let s = load(&scenario_path("baseline"));
    let y = s.budget.cut.start_year;
    for k in 0..10 {
        let runs = trial(&s, 1, k);
        for (l, (_, rows)) in runs.iter().enumerate() {
            assert!(
                events(rows, "payroll_overhang").is_empty(),
                "level {}: payroll left to the year-end ticks",
                s.budget.levels[l]
            );
            let planned: Vec<_> = events(rows, "payroll_overhang_planned");
            if l == 0 {
                assert!(planned.is_empty(), "no overhang at full budget");
            } else {
                assert!(
                    planned
                        .iter()
                        .any(|r| r.year == y && r.time == y as f64 * DAYS_PER_YEAR),
                    "level {}: the overhang is moved when the cut year is planned",
                    s.budget.levels[l]
                );
            }
        }
    }
}

#[test]
fn personnel_money_buys_partial_manning_instead_of_lapsing_on_rounding() {
    // Before: at 90% the line paid 10.79 units, the force was rounded down to 10 and 7.4% of
    // the personnel line lapsed every year.
    let s = load(&scenario_path("baseline"));
    let l = s.budget.levels.iter().position(|x| *x == 0.9).unwrap();
    let (o, _) = &trial(&s, 1, 0)[l];
    for y in s.budget.cut.start_year + 1..s.years {
        let p = o.ledger[y][Line::Personnel];
        let units = o.yearly[y][YearMetric::Units.index()];
        assert!(
            units.fract() > 0.01,
            "FY{}: a partly manned unit: {units}",
            y + 1
        );
        assert!(
            p.spent >= 0.999 * (p.appropriated + p.transferred_in),
            "FY{}: personnel spends its money: {p:?}",
            y + 1
        );
    }
}

#[test]
fn costs_follow_the_price_index_so_the_lines_do_not_drift_into_slack() {
    // Before: costs stood still while baseline's lines grew 2% a year, so at full budget
    // operations executed 0.86 of its money in FY1 and 0.62 in FY10, engagement 0.73 → 0.60.
    let mut t = table(&scenario_path("baseline"));
    set(
        &mut t,
        "budget.inflation",
        toml::Value::Array(vec![0.03.into(), 0.02.into()]),
    );
    let s = from_table(&t).unwrap();
    let i = &s.budget.cost_index;
    assert_eq!(i[0], 1.0);
    assert!((i[1] - 1.03).abs() < 1e-12 && (i[3] - 1.03 * 1.02 * 1.02).abs() < 1e-12);
    let s = load(&scenario_path("baseline"));
    let r = run_trials(&s, 100);
    let yearly = |m: YearMetric, y: usize| {
        r.outcomes
            .iter()
            .map(|t| t[0].yearly[y][m.index()])
            .sum::<f64>()
            / 100.0
    };
    let last = s.years - 1;
    for m in [
        YearMetric::ExecutionOperations,
        YearMetric::ExecutionEngagement,
    ] {
        let (first, end) = (yearly(m, 0), yearly(m, last));
        assert!(
            (first - end).abs() < 0.01,
            "{}: FY1 {first}, FY{} {end}",
            m.name(),
            last + 1
        );
    }
    for y in 0..s.years {
        let e = yearly(YearMetric::ExecutionOperations, y);
        assert!(e >= 0.97, "operations executes {e} in FY{}", y + 1);
    }
}

#[test]
fn reprogramming_moves_what_a_line_will_not_use_within_its_cap() {
    // At full budget no payroll overhang is moved, so every transfer is a review's: out of a
    // line at most max_share of its money of the year (the released reserve excepted), into
    // the receiving lines only.
    for name in SHIPPED {
        let s = load(&scenario_path(name));
        let r = &s.budget.reprogramming;
        let mut moved = 0.0;
        for k in 0..10 {
            let (o, rows) = &trial(&s, 1, k)[0];
            for year in &o.ledger {
                for line in Line::SHARED {
                    let l = year[line];
                    if line != Line::CrisisReserve {
                        let cap = r.max_share * (l.appropriated - l.rescinded);
                        assert!(l.transferred_out <= cap + 1e-6, "{name} {line:?}: {l:?}");
                    }
                    if !r.order.contains(&line) {
                        assert_eq!(l.transferred_in, 0.0, "{name}: {line:?} is not a receiver");
                    }
                    moved += l.transferred_in;
                }
            }
            assert!(
                !events(rows, "reprogramming").is_empty(),
                "{name}: no review moved money"
            );
        }
        assert!(moved > 0.0);
    }
}

#[test]
fn engagement_money_beyond_its_plan_is_reprogrammed_and_the_plan_is_kept() {
    // Engagement at 2% of the budget against plans of ≈ 87 M€ (0.74%): the reviews move the
    // surplus out, at most max_share of the line a year, and every post, programme and exercise
    // the line planned is still paid.
    let mut t = table(&scenario_path("baseline"));
    set(&mut t, "budget.shares.engagement", 0.02.into());
    set(&mut t, "budget.shares.procurement", 0.18.into());
    let s = from_table(&t).unwrap();
    let cap = s.budget.reprogramming.max_share;
    for k in 0..5 {
        let (o, rows) = &trial(&s, 1, k)[0];
        for year in &o.ledger {
            let e = year[Line::Engagement];
            let own = e.appropriated - e.rescinded;
            // Both reviews find a surplus far above the cap: exactly the cap leaves.
            assert!((e.transferred_out - cap * own).abs() < 1e-6, "{e:?}");
            assert_eq!(e.unfunded, 0.0, "the plan is paid in full: {e:?}");
        }
        assert!(
            events(rows, "reprogramming")
                .iter()
                .any(|r| r.details.contains("from engagement")),
            "no review moved engagement money"
        );
    }
    // With the shipped share the surplus left after the plan is small and moved whole: the
    // line executes ≥ 99% in most years where it executed 95–98% before.
    let s = load(&scenario_path("baseline"));
    let (o, _) = &trial(&s, 1, 0)[0];
    let low = o
        .ledger
        .iter()
        .filter(|y| y[Line::Engagement].execution() < 0.99)
        .count();
    assert!(low <= 2, "{low} of {} years below 99%", o.ledger.len());
}

#[test]
fn the_reserve_left_at_the_close_lapses_or_is_obligated_as_the_scenario_says() {
    let mut t = table(&scenario_path("baseline"));
    let obligated = from_table(&t).unwrap();
    set(
        &mut t,
        "budget.reprogramming.reserve_year_end",
        "lapse".into(),
    );
    let lapsing = from_table(&t).unwrap();
    let mut lapsed = 0.0;
    for k in 0..5 {
        let (a, rows) = &trial(&obligated, 1, k)[0];
        let (b, _) = &trial(&lapsing, 1, k)[0];
        for (y, (ya, yb)) in a.ledger.iter().zip(&b.ledger).enumerate() {
            let (ra, rb) = (ya[Line::CrisisReserve], yb[Line::CrisisReserve]);
            assert!(ra.unspent().abs() < 1e-6, "FY{}: {ra:?}", y + 1);
            // The same year up to the close: the reserve's leftover under "lapse" is exactly
            // what "procurement" moved and procurement spent.
            let moved = ra.transferred_out - rb.transferred_out;
            assert!((moved - rb.unspent()).abs() < 1e-6, "{ra:?} {rb:?}");
            let (pa, pb) = (ya[Line::Procurement], yb[Line::Procurement]);
            assert!((pa.spent - pb.spent - moved).abs() < 1e-6, "{pa:?} {pb:?}");
            lapsed += rb.unspent();
        }
        assert!(!events(rows, "reserve_year_end").is_empty());
    }
    assert!(lapsed > 1.0, "the reserve always ran dry: nothing tested");
}

#[test]
fn at_full_budget_every_line_executes_its_money() {
    // Before (baseline, 10-year totals at 100%): operations 31% unspent, crisis reserve 38%,
    // engagement 34%. Now: costs follow prices, engagement is sized to its items, partial
    // manning spends personnel money, the year-end reviews move what is left (engagement's
    // beyond its plan too), and what the reserve has left at the close is obligated.
    for name in SHIPPED {
        let s = load(&scenario_path(name));
        let res = run_trials(&s, 100);
        let mean = |m: YearMetric, y: usize| {
            res.outcomes
                .iter()
                .map(|t| t[0].yearly[y][m.index()])
                .sum::<f64>()
                / 100.0
        };
        for y in 0..s.years {
            for (m, floor) in [
                (YearMetric::ExecutionPersonnel, 0.999),
                (YearMetric::ExecutionOperations, 0.98),
                (YearMetric::ExecutionProcurement, 0.999),
                (YearMetric::ExecutionEngagement, 0.98),
                (YearMetric::ExecutionCrisisReserve, 0.999),
            ] {
                let e = mean(m, y);
                assert!(e >= floor, "{name} FY{}: {} = {e}", y + 1, m.name());
            }
        }
    }
}

#[test]
fn mobilisation_delay_depends_on_readiness_and_presence_shortens_warning() {
    let mut t = table(&fixture("mmc.toml"));
    set(&mut t, "forces.units", 200.into());
    set(&mut t, "forces.initial_readiness", 0.5.into());
    set(&mut t, "forces.retraining_days", 1e12.into());
    set(&mut t, "forces.mobilisation_days_min", 2.0.into());
    set(&mut t, "forces.mobilisation_days_max", 30.0.into());
    set(&mut t, "crises[0].window_days", f64::INFINITY.into());
    set(&mut t, "crises[0].detection_days", 10.0.into());
    set(&mut t, "interoperability.mobilisation_speedup", 0.0.into());
    set(&mut t, "scenario.years", 2.into());
    let s = from_table(&t).unwrap();
    let r = mean_metric(&s, 20, 0, Metric::ResponseDays);
    assert!(
        (r - (10.0 + 2.0 + 28.0 * 0.5)).abs() < 1e-6,
        "detection 10 + mobilisation 16 days: {r}"
    );
    // An attaché post in the region cuts the warning time to its detection factor.
    let mut post = toml::Table::new();
    post.insert("partner".into(), "Anywhere".into());
    post.insert("annual_cost".into(), 0.1.into());
    post.insert("detection_factor".into(), 0.4.into());
    t.insert(
        "posts".into(),
        toml::Value::Array(vec![toml::Value::Table(post)]),
    );
    let s = from_table(&t).unwrap();
    let r = mean_metric(&s, 20, 0, Metric::ResponseDays);
    assert!(
        (r - (4.0 + 16.0)).abs() < 1e-6,
        "detection 10 × 0.4 + 16: {r}"
    );
}

#[test]
fn reconstitution_and_wear_reduce_capacity() {
    let mut t = table(&fixture("mmc.toml"));
    let s = from_table(&t).unwrap();
    let plain = mean_metric(&s, 100, 0, Metric::ResponseRate);
    set(&mut t, "forces.reconstitution_days", 60.0.into());
    let s = from_table(&t).unwrap();
    let rested = mean_metric(&s, 100, 0, Metric::ResponseRate);
    assert!(
        rested < plain - 0.05,
        "60 days of refit after each 60-day deployment: {rested} vs {plain}"
    );
}

#[test]
fn exercises_are_cancelled_when_money_runs_out_and_trust_falls() {
    let mut t = quiet_baseline();
    let full = table(&scenario_path("baseline"));
    t.insert("exercises".into(), full["exercises"].clone());
    set(&mut t, "budget.shares.engagement", 0.0.into());
    set(&mut t, "budget.shares.procurement", 0.2.into());
    let s = from_table(&t).unwrap();
    let levels = trial(&s, 1, 0);
    let (o, rows) = &levels[0];
    assert_eq!(o.metrics[Metric::ExercisesHeld.index()], 0.0);
    assert_eq!(
        o.metrics[Metric::ExercisesCancelled.index()],
        o.metrics[Metric::ExercisesPlanned.index()]
    );
    assert!(
        events(rows, "exercise_cancelled")
            .iter()
            .all(|r| r.details.contains("not funded"))
    );
    let t2 = table(&scenario_path("baseline"));
    let s2 = from_table(&t2).unwrap();
    let (o2, rows2) = &trial(&s2, 1, 0)[0];
    assert!(!events(rows2, "exercise_start").is_empty());
    let germany = s.partners.iter().position(|p| p.name == "Germany").unwrap();
    assert!(
        o.partner_trust[germany] < o2.partner_trust[germany] - 0.1,
        "cancelled exercises erode trust"
    );
}

#[test]
fn posts_close_in_priority_order_and_reopen_when_money_returns() {
    let mut t = table(&scenario_path("baseline"));
    set(
        &mut t,
        "budget.levels",
        toml::Value::Array(vec![1.0.into(), 0.15.into()]),
    );
    let s = from_table(&t).unwrap();
    let levels = trial(&s, 1, 0);
    let (_, rows) = &levels[1];
    let closed: Vec<&str> = events(rows, "post_closed")
        .iter()
        .map(|r| r.subject.as_str())
        .collect();
    assert!(
        closed.contains(&"Bosnia and Herzegovina") && closed.contains(&"Moldova"),
        "an 85% cut closes the forward post and those ranked below it: {closed:?}"
    );
    assert!(!closed.contains(&"Germany"));
    let priority = |name: &str| {
        s.posts
            .iter()
            .find(|p| s.partners[p.partner].name == name)
            .unwrap()
            .priority
    };
    let worst_open = s
        .posts
        .iter()
        .filter(|p| !closed.contains(&s.partners[p.partner].name.as_str()))
        .map(|p| p.priority)
        .max()
        .unwrap();
    for c in &closed {
        assert!(
            priority(c) >= worst_open,
            "{c} (priority {}) closed while a priority-{worst_open} post stayed open",
            priority(c)
        );
    }
    assert!(
        events(&levels[0].1, "post_closed").is_empty(),
        "full budget keeps the network"
    );
}

#[test]
fn programme_cuts_are_penalised_and_delivery_falls() {
    let mut t = table(&scenario_path("baseline"));
    set(
        &mut t,
        "budget.levels",
        toml::Value::Array(vec![1.0.into(), 0.25.into()]),
    );
    let s = from_table(&t).unwrap();
    let levels = trial(&s, 1, 0);
    assert!((levels[0].0.metrics[Metric::ProgrammeDeliveredShare.index()] - 1.0).abs() < 1e-9);
    assert!(levels[1].0.metrics[Metric::ProgrammeDeliveredShare.index()] < 0.9);
    assert!(!events(&levels[1].1, "programme_cut").is_empty());
}

/// The quiet baseline with nothing to deliver to allies and a budget that neither grows nor
/// inflates, so that the pledge ratio is the level and credibility has a closed form.
fn quiet_alliance() -> toml::Table {
    let mut t = quiet_baseline();
    set(
        &mut t,
        "alliance.joint_procurement",
        toml::Value::Array(vec![]),
    );
    set(&mut t, "alliance.gdp_growth", 0.0.into());
    set(&mut t, "budget.growth", 0.0.into());
    set(&mut t, "budget.inflation", 0.0.into());
    set(
        &mut t,
        "budget.levels",
        toml::Value::try_from(vec![1.0, 0.8]).unwrap(),
    );
    set(&mut t, "budget.cut.start_year", 1.into());
    t
}

#[test]
fn credibility_moves_toward_the_target_the_pledge_and_the_commitments_set() {
    let mut t = quiet_alliance();
    set(&mut t, "alliance.plan_years", 0.into());
    let s = from_table(&t).unwrap();
    let a = s.alliance.clone().unwrap();
    // Budget 12 000 against 2% of a GDP of 600 000: the pledge ratio is the level itself.
    assert_eq!(s.budget.baseline, a.pledge * a.gdp);
    let levels = trial(&s, 1, 0);
    for (l, level) in [(0, 1.0), (1, 0.8)] {
        // Nothing to deliver: the commitments score 1; C_n = C* + (C_0 − C*)(1 − λ)^n.
        let score = a.pledge_weight * level + (1.0 - a.pledge_weight);
        let target = a.credibility_floor + (1.0 - a.credibility_floor) * score;
        let expected = target
            + (a.credibility - target) * (1.0 - a.credibility_adjustment).powi(s.years as i32);
        let got = levels[l].0.metrics[Metric::Credibility.index()];
        assert!(
            (got - expected).abs() < 1e-12,
            "level {level}: credibility {got}, closed form {expected}"
        );
        for (y, row) in levels[l].0.yearly.iter().enumerate() {
            let c = row[YearMetric::Credibility.index()];
            assert!(
                c >= a.credibility_floor && c <= 1.0,
                "year {y}: credibility {c} outside [floor, 1]"
            );
        }
    }
}

#[test]
fn a_plan_back_to_the_pledge_keeps_credibility_through_a_one_year_shock() {
    let credibility = |plan_years: i64| {
        let mut t = quiet_alliance();
        set(&mut t, "budget.cut.profile", "shock".into());
        set(&mut t, "budget.cut.start_year", 2.into());
        set(&mut t, "budget.cut.shock_persists", false.into());
        set(&mut t, "alliance.plan_years", plan_years.into());
        let s = from_table(&t).unwrap();
        let levels = trial(&s, 1, 0);
        // At the shock year's end.
        let y = s.budget.cut.start_year;
        let c = |l: usize| levels[l].0.yearly[y][YearMetric::Credibility.index()];
        (c(0), c(1))
    };
    let (full, shock) = credibility(1);
    assert_eq!(
        full, shock,
        "the enacted budget returns to the pledge next year: the plan counts"
    );
    let (full, shock) = credibility(0);
    assert!(
        shock < full - 0.01,
        "judged on the shock year alone, credibility falls: {shock} vs {full}"
    );
}

#[test]
fn joint_programmes_are_stretched_alike_with_national_contracts_before_anyone_leaves() {
    let s = load(&scenario_path("baseline"));
    let a = s.alliance.clone().unwrap();
    let levels = trial(&s, 1, 0);
    assert!(events(&levels[0].1, "joint_stretch").is_empty());
    assert_eq!(levels[0].0.metrics[Metric::JointWithdrawals.index()], 0.0);
    // At 80% the first cut year's plan stretches every programme to
    // f = procurement money / (national commitments + joint need).
    let y = s.budget.cut.start_year;
    let at80 = &levels[2];
    let money = at80.0.ledger[y][Line::Procurement].appropriated;
    let committed =
        s.procurement.committed_share * budget::reference_allocation(&s, y)[Line::Procurement];
    let need: f64 = a
        .joint_procurement
        .iter()
        .map(|j| j.annual_cost)
        .sum::<f64>()
        * budget::cost_index(&s, y);
    let f = money / (committed + need);
    assert!(f < 1.0 && f > s.procurement.joint_min_share, "f = {f}");
    let start = y as f64 * DAYS_PER_YEAR;
    let stretched: Vec<_> = events(&at80.1, "joint_stretch")
        .into_iter()
        .filter(|r| r.time == start)
        .collect();
    assert_eq!(stretched.len(), a.joint_procurement.len());
    for r in &stretched {
        assert!(
            r.details
                .starts_with(&format!("paid {:.1}% of its cost", 100.0 * f)),
            "{}: {} (expected {:.1}%)",
            r.subject,
            r.details,
            100.0 * f
        );
    }
    // Nobody leaves a programme it was not first stretched in.
    for (_, rows) in &levels[1..] {
        for w in events(rows, "joint_withdrawal") {
            assert!(
                events(rows, "joint_stretch")
                    .iter()
                    .any(|r| r.subject == w.subject && r.time <= w.time),
                "{} left without a stretch first",
                w.subject
            );
        }
    }
}

#[test]
fn the_exit_hazard_rises_with_the_shortfall_and_its_duration() {
    let s = load(&scenario_path("baseline"));
    let (m, h) = (s.procurement.joint_min_share, s.procurement.joint_exit_rate);
    let hazard = dipcap::model::procurement::exit_hazard;
    assert_eq!(hazard(&s, 1.0, 5), 0.0);
    let at_limit = hazard(&s, m, 0);
    assert!((at_limit - (1.0 - (-h).exp())).abs() < 1e-15);
    let mut last = 0.0;
    for k in 1..=10 {
        let f = 1.0 - (1.0 - m) * k as f64 / 10.0;
        let p = hazard(&s, f, 0);
        assert!(p > last, "hazard at f = {f}: {p} after {last}");
        assert!(hazard(&s, f, 3) > p, "a longer stretch raises the hazard");
        last = p;
    }
}

#[test]
fn joint_programmes_kept_fall_smoothly_with_the_level() {
    // The sweep: levels 1.00, 0.99, …, 0.70 on the same trials.
    let mut t = table(&scenario_path("baseline"));
    let levels: Vec<f64> = (0..=30).map(|i| 1.0 - 0.01 * i as f64).collect();
    set(
        &mut t,
        "budget.levels",
        toml::Value::try_from(levels.clone()).unwrap(),
    );
    let s = from_table(&t).unwrap();
    let n = s.alliance.as_ref().unwrap().joint_procurement.len() as f64;
    let r = run_trials(&s, 150);
    let kept: Vec<f64> = (0..levels.len())
        .map(|l| n - mean(&r.metric(l, Metric::JointWithdrawals)))
        .collect();
    assert_eq!(kept[0], n, "all kept at full budget");
    assert!(kept[30] < 1.0, "most are left at 70%: {}", kept[30]);
    for l in 1..levels.len() {
        let step = kept[l - 1] - kept[l];
        assert!(
            step.abs() <= n / 3.0,
            "{:.2} → {:.2}: kept {} → {} (a step above a third of the programmes)",
            levels[l - 1],
            levels[l],
            kept[l - 1],
            kept[l]
        );
    }
    let france = s.partners.iter().position(|p| p.name == "France").unwrap();
    let interop = |l: usize| {
        mean(
            &r.outcomes
                .iter()
                .map(|o| o[l].partner_interop[france])
                .collect::<Vec<_>>(),
        )
    };
    assert!(
        interop(30) < interop(0) - 0.05,
        "leaving the joint airlift programme costs France's interoperability: {} vs {}",
        interop(30),
        interop(0)
    );
}

#[test]
fn credibility_is_less_than_two_fifths_of_the_dci_loss_at_every_baseline_level() {
    let s = load(&scenario_path("baseline"));
    let r = run_trials(&s, 300);
    let loss = |l: usize, m: Metric| mean(&r.metric(0, m)) - mean(&r.metric(l, m));
    for l in 1..s.budget.levels.len() {
        let share = loss(l, Metric::DciCredibility) / loss(l, Metric::Dci);
        assert!(
            share > 0.0 && share < 0.4,
            "level {}: credibility is {:.0}% of the DCI loss",
            s.budget.levels[l],
            100.0 * share
        );
    }
}

#[test]
fn sticky_personnel_shock_hits_operations_and_engagement() {
    let s = load(&scenario_path("sequestration"));
    let last = s.budget.levels.len() - 1;
    let levels = trial(&s, s.seed, 0);
    let (o, rows) = &levels[last];
    let y = s.budget.cut.start_year;
    let l = &o.ledger[y];
    assert!(!events(rows, "shock").is_empty());
    let p = l[Line::Personnel];
    assert!(
        p.rescinded <= p.appropriated * s.budget.cut.personnel_max_cut + 1e-6,
        "personnel gives at most its sticky share"
    );
    assert!(
        l[Line::Operations].rescinded > p.rescinded,
        "operations absorbs more than personnel"
    );
    let readiness_full = levels[0].0.yearly[y][YearMetric::Readiness.index()];
    let readiness_cut = o.yearly[y][YearMetric::Readiness.index()];
    assert!(
        readiness_cut < readiness_full,
        "the shock year's readiness falls: {readiness_cut} vs {readiness_full}"
    );
}

#[test]
fn full_budget_beats_the_deepest_cut_in_every_shipped_scenario() {
    for name in SHIPPED {
        let s = load(&scenario_path(name));
        let r = run_seeded(&s, 200, s.seed);
        let last = s.budget.levels.len() - 1;
        for m in [Metric::ResponseRate, Metric::TrustMean, Metric::Dci] {
            let (full, cut) = (mean(&r.metric(0, m)), mean(&r.metric(last, m)));
            assert!(
                full > cut,
                "{name}: {} at full budget {full} is not above {cut}",
                m.name()
            );
        }
    }
}

/// Posts open at the end of the horizon in trial `k` at `level` (index).
fn posts_open_end(s: &dipcap::scenario::Scenario, level: usize, k: u64) -> f64 {
    trial(s, 1, k)[level].0.metrics[Metric::PostsOpenEnd.index()]
}

#[test]
fn a_post_too_dear_to_keep_closes_alone_under_fill_and_takes_the_rest_with_it_under_priority() {
    // Baseline at 90% with a proportional split: the posts get 90% of their plan, 24.4 M€ of
    // 27.1. The 20 M€ forward post in Bosnia and Herzegovina (priority 3, listed after Croatia
    // and Serbia) no longer fits: under "fill" it closes alone (11 of 12 open); under strict
    // priority the four cheaper posts of priorities 4 and 5 close with it (7 of 12).
    let mut t = table(&scenario_path("baseline"));
    set(&mut t, "budget.engagement_split", "proportional".into());
    set(&mut t, "budget.post_closure", "fill".into());
    let fill = from_table(&t).unwrap();
    set(&mut t, "budget.post_closure", "priority".into());
    let strict = from_table(&t).unwrap();
    let l90 = fill.budget.levels.iter().position(|l| *l == 0.9).unwrap();
    for k in 0..3 {
        assert_eq!(posts_open_end(&fill, l90, k), 11.0);
        assert_eq!(posts_open_end(&strict, l90, k), 7.0);
        assert_eq!(posts_open_end(&fill, 0, k), 12.0, "all open at full budget");
    }
    let (_, rows) = &trial(&fill, 1, 0)[l90];
    let closed: Vec<&str> = events(rows, "post_closed")
        .iter()
        .map(|r| r.subject.as_str())
        .collect();
    assert!(
        closed.iter().all(|p| *p == "Bosnia and Herzegovina"),
        "{closed:?}"
    );
}

#[test]
fn a_proportional_split_spreads_the_cut_over_posts_programmes_and_exercises() {
    // Under "order" the exercises, last in the order, take the whole engagement cut and posts
    // and programmes never move; under "proportional" each takes its share first, so at 70%
    // a post closes, and the money it frees holds more exercises than "order" does.
    let mut t = table(&scenario_path("baseline"));
    set(&mut t, "budget.engagement_split", "order".into());
    let order = from_table(&t).unwrap();
    set(&mut t, "budget.engagement_split", "proportional".into());
    let prop = from_table(&t).unwrap();
    let deep = order.budget.levels.len() - 1;
    let m = |s, metric| mean_metric(s, 20, deep, metric);
    assert_eq!(m(&order, Metric::PostsOpen), 1.0);
    assert!(m(&prop, Metric::PostsOpen) < 0.95);
    assert!(
        m(&prop, Metric::ExercisesHeldShare) > m(&order, Metric::ExercisesHeldShare) + 0.1,
        "exercises held: proportional {} against order {}",
        m(&prop, Metric::ExercisesHeldShare),
        m(&order, Metric::ExercisesHeldShare)
    );
}

#[test]
fn the_dci_parts_add_up_to_the_dci_in_every_trial() {
    use dipcap::metrics::DCI_PARTS;
    for name in SHIPPED {
        let s = load(&scenario_path(name));
        let weights = s.dci.as_array();
        for k in 0..3 {
            for (o, _) in trial(&s, 1, k) {
                let m = &o.metrics;
                // Summed in the DCI's own order, the parts give its bits exactly.
                let sum = DCI_PARTS.iter().fold(0.0, |a, p| a + m[p.index()]);
                assert_eq!(sum, m[Metric::Dci.index()], "{name} trial {k}");
                for (p, w) in DCI_PARTS.iter().zip(weights) {
                    let v = m[p.index()];
                    assert!((0.0..=w + 1e-12).contains(&v), "{name}: {} = {v}", p.name());
                }
            }
        }
    }
}

/// Per crisis type, answered / decided over `trials` trials at level index `l`, from the traces.
fn response_by_type(s: &dipcap::scenario::Scenario, trials: u64, l: usize) -> Vec<f64> {
    let mut answered = vec![0.0; s.crises.len()];
    let mut decided = vec![0.0; s.crises.len()];
    for k in 0..trials {
        let levels = trial(s, 5, k);
        for r in &levels[l].1 {
            let Some(i) = s.crises.iter().position(|c| c.name == r.subject) else {
                continue;
            };
            match r.event {
                "crisis_answered" => {
                    answered[i] += 1.0;
                    decided[i] += 1.0;
                }
                "crisis_unanswered" => decided[i] += 1.0,
                _ => {}
            }
        }
    }
    answered.iter().zip(&decided).map(|(a, d)| a / d).collect()
}

#[test]
fn a_unit_reserve_answers_the_high_priority_crises_at_the_others_expense() {
    let base = table(&scenario_path("baseline"));
    let with = |order: &str, units: i64| {
        let mut t = base.clone();
        set(&mut t, "crisis_response.order", order.into());
        set(&mut t, "crisis_response.reserve_units", units.into());
        set(&mut t, "crisis_response.reserve_priority", 1.into());
        // Partners' contributions would lower what a regional conflict needs from the country.
        set(&mut t, "feedback.enabled", false.into());
        from_table(&t).unwrap()
    };
    let s = with("priority", 0);
    let conflict = s.crises.iter().position(|c| c.priority == 1).unwrap();
    let deepest = s.budget.levels.len() - 1;
    let none = response_by_type(&s, 120, deepest);
    let kept = response_by_type(&with("priority", 3), 120, deepest);
    // Measured (120 trials, 70%): regional conflicts 0.75 → 0.84, the others 0.86–0.92 → 0.72–0.78.
    assert!(
        kept[conflict] > none[conflict] + 0.05,
        "three units kept back raise the regional-conflict response at 70%: {} → {}",
        none[conflict],
        kept[conflict]
    );
    for (i, c) in s.crises.iter().enumerate() {
        if c.priority > 1 {
            assert!(
                kept[i] < none[i] - 0.03,
                "{} pays for the reserve it cannot use: {} → {}",
                c.name,
                none[i],
                kept[i]
            );
        }
    }
    let full = response_by_type(&with("priority", 3), 120, 0);
    assert!(full[conflict] >= response_by_type(&s, 120, 0)[conflict]);
}

#[test]
fn lost_trust_lowers_later_crisis_response_through_the_partners() {
    // A 10% cut that procurement and engagement absorb alone (the force and its money are
    // protected), so the response differs between levels almost only through the partners.
    let run_with = |enabled: bool| {
        let mut t = table(&scenario_path("baseline"));
        set(&mut t, "feedback.enabled", enabled.into());
        set(&mut t, "budget.cut.policy", "protected".into());
        set(
            &mut t,
            "budget.cut.protected",
            toml::Value::try_from(vec!["personnel", "operations", "crisis_reserve"]).unwrap(),
        );
        set(
            &mut t,
            "budget.levels",
            toml::Value::try_from(vec![1.0, 0.9]).unwrap(),
        );
        let s = from_table(&t).unwrap();
        let r = run_trials(&s, 400);
        let change = |m: Metric| -> Vec<f64> {
            let (full, cut) = (r.metric(0, m), r.metric(1, m));
            cut.iter().zip(&full).map(|(c, f)| c - f).collect()
        };
        (
            change(Metric::ResponseRate),
            mean(&r.metric(0, Metric::CrisesAssisted)),
            mean(&r.metric(1, Metric::CrisesAssisted)),
            mean(&change(Metric::TrustWeighted)),
        )
    };
    let (off, off_full, off_cut, off_trust) = run_with(false);
    let (on, on_full, on_cut, on_trust) = run_with(true);
    assert_eq!(
        (off_full, off_cut),
        (0.0, 0.0),
        "switched off, no partner contributes"
    );
    assert!(
        off_trust < -0.02 && on_trust < -0.02,
        "the cut costs trust: {off_trust}, {on_trust}"
    );
    assert!(
        on_cut < on_full - 0.05,
        "partners who trust the country less contribute less: {on_full} → {on_cut} crises"
    );
    // Per trial (the same crises), the cut's change in response with the channel minus without.
    let extra: Vec<f64> = on.iter().zip(&off).map(|(a, b)| a - b).collect();
    let m = mean(&extra);
    let sd = (extra.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (extra.len() - 1) as f64).sqrt();
    let se = sd / (extra.len() as f64).sqrt();
    eprintln!(
        "response change {:.4} (off) {:.4} (on), extra {m:.4} ± {se:.4}; assisted {on_full} → {on_cut}; trust {off_trust:.4} {on_trust:.4}",
        mean(&off),
        mean(&on)
    );
    assert!(
        m < -3.0 * se,
        "with the partners' channel the cut lowers the response {:.4} more (SE {se:.4})",
        -m
    );
}

#[test]
fn partners_invite_less_as_trust_falls_and_an_invitation_taken_up_builds_trust() {
    let run_with = |edit: &dyn Fn(&mut toml::Table)| {
        let mut t = table(&scenario_path("baseline"));
        set(
            &mut t,
            "budget.levels",
            toml::Value::try_from(vec![1.0, 0.7]).unwrap(),
        );
        edit(&mut t);
        let s = from_table(&t).unwrap();
        run_trials(&s, 200)
    };
    let on = run_with(&|_| {});
    let (asked_full, asked_cut) = (
        mean(&on.metric(0, Metric::Invitations)),
        mean(&on.metric(1, Metric::Invitations)),
    );
    let (went_full, went_cut) = (
        mean(&on.metric(0, Metric::InvitationsAccepted)),
        mean(&on.metric(1, Metric::InvitationsAccepted)),
    );
    let s = from_table(&table(&scenario_path("baseline"))).unwrap();
    // At the trust they start with, partners invite v₀ of the years; at full budget trust rises
    // towards its equilibrium (above where most partners start), and the chance with it.
    let expected = s.feedback.invitation_rate * (s.partners.len() * s.years) as f64;
    eprintln!(
        "invited {asked_full} → {asked_cut}, taken up {went_full} → {went_cut}; v₀·P·Y = {expected}"
    );
    assert!(
        asked_full > expected && asked_full < 1.4 * expected,
        "{asked_full} vs v₀·P·Y = {expected}"
    );
    assert!(
        asked_cut < asked_full - 5.0,
        "partners who trust the country less invite it less: {asked_full} → {asked_cut}"
    );
    assert!(went_full <= asked_full && went_cut <= asked_cut);
    assert!(
        went_full > 0.95 * asked_full,
        "at full budget nearly every invitation is taken up: {went_full} of {asked_full}"
    );
    assert!(
        asked_cut - went_cut > asked_full - went_full,
        "the cut leaves fewer units ready and less operations money, so more are declined"
    );
    // Switched off, no partner invites; with no invitations at all, trust ends lower at full
    // budget (the invitations' gains are part of the relationship).
    let off = run_with(&|t| set(t, "feedback.enabled", false.into()));
    assert_eq!(mean(&off.metric(0, Metric::Invitations)), 0.0);
    assert_eq!(mean(&off.metric(1, Metric::InvitationsAccepted)), 0.0);
    let none = run_with(&|t| set(t, "feedback.invitation_rate", 0.0.into()));
    let (with_inv, without) = (
        on.metric(0, Metric::TrustWeighted),
        none.metric(0, Metric::TrustWeighted),
    );
    let gain: Vec<f64> = with_inv.iter().zip(&without).map(|(a, b)| a - b).collect();
    let up = gain.iter().filter(|g| **g > 0.0).count() as f64 / gain.len() as f64;
    eprintln!(
        "trust gain from invitations {:.4}, {:.0}% of trials up",
        mean(&gain),
        100.0 * up
    );
    // Not every trial: a unit away at a partner's exercise can miss a crisis, which costs trust.
    assert!(
        mean(&gain) > 0.01 && up > 0.9,
        "trust ends higher with invitations taken up: {:.4}, {:.0}% of trials",
        mean(&gain),
        100.0 * up
    );
}

#[test]
fn cutting_a_programme_costs_its_partner_trust_beyond_the_lost_delivery() {
    // Baseline cuts programmes pro rata with the engagement line (1.00 / 0.88 / 0.80 / 0.71 of
    // their money at 100 / 90 / 80 / 70%); the volatility penalty is the trust a cut costs at
    // once, on top of the slower loss of the programme's gains.
    let run_with = |penalty: f64| {
        let mut t = table(&scenario_path("baseline"));
        set(&mut t, "trust.programme_cut_penalty", penalty.into());
        let s = from_table(&t).unwrap();
        run_trials(&s, 100)
    };
    let (with, without) = (run_with(0.25), run_with(0.0));
    let deepest = 3;
    let delivered = mean(&with.metric(deepest, Metric::ProgrammeDeliveredShare));
    assert!(
        delivered < 0.75,
        "the deepest cut reaches the programmes: {delivered}"
    );
    assert_eq!(
        with.metric(0, Metric::TrustWeighted),
        without.metric(0, Metric::TrustWeighted),
        "at full budget no programme is cut, so the penalty changes nothing"
    );
    // The programme partners' trust at the end of the cut's first year (FY2027), paired.
    let s = from_table(&table(&scenario_path("baseline"))).unwrap();
    let np = s.partners.len();
    let funded: Vec<usize> = (0..np)
        .filter(|p| s.programmes.iter().any(|g| g.partner == *p))
        .collect();
    let first_year = s.budget.cut.start_year;
    let year_end = |r: &dipcap::runner::RunResults| -> Vec<f64> {
        r.outcomes
            .iter()
            .map(|o| {
                let row = &o[deepest].partner_trust_yearly[first_year * np..(first_year + 1) * np];
                funded.iter().map(|&p| row[p]).sum::<f64>() / funded.len() as f64
            })
            .collect()
    };
    let at_once: Vec<f64> = year_end(&with)
        .iter()
        .zip(&year_end(&without))
        .map(|(a, b)| a - b)
        .collect();
    let later: Vec<f64> = with
        .metric(deepest, Metric::TrustWeighted)
        .iter()
        .zip(&without.metric(deepest, Metric::TrustWeighted))
        .map(|(a, b)| a - b)
        .collect();
    eprintln!(
        "programme cut penalty at 70%: programme partners' trust {:.4} at the end of the cut's first year, weighted trust {:.4} at the horizon",
        mean(&at_once),
        mean(&later)
    );
    assert!(
        at_once.iter().all(|d| *d < -0.01),
        "the cut costs the programme partners trust at once (max {:?})",
        at_once.iter().cloned().fold(f64::NEG_INFINITY, f64::max)
    );
    assert!(
        later.iter().all(|d| *d < 0.0) && mean(&later) > mean(&at_once),
        "and the loss fades as trust relaxes, without vanishing: {:.4}",
        mean(&later)
    );
}

/// Every mechanism of `docs/MODEL.md` does something in a shipped scenario: set its key to the
/// value that switches it off and some outcome moves, beyond Monte Carlo error, at the level
/// named (paired over the same trials). (section, scenario, key, neutral value, metric, level
/// index in the scenario's `budget.levels`.)
#[test]
fn no_mechanism_is_inert_in_the_shipped_scenarios() {
    use toml::Value as V;
    #[rustfmt::skip]
    let cases: Vec<(&str, &str, &str, V, Metric, usize)> = vec![
        ("2 reprogramming", "baseline", "budget.reprogramming.max_share", V::Float(0.0), Metric::Unspent, 0),
        ("2 cut policy", "baseline", "budget.cut.policy", V::String("sticky_personnel".into()), Metric::Readiness, 3),
        ("2 engagement split", "baseline", "budget.engagement_split", V::String("order".into()), Metric::ProgrammeDeliveredShare, 3),
        ("3 training decay", "baseline", "forces.decay_days", V::Float(1e6), Metric::Readiness, 3),
        ("3 exercise readiness", "baseline", "forces.exercise_readiness_gain", V::Float(0.0), Metric::Readiness, 0),
        ("3 deployment wear", "baseline", "forces.deployment_wear", V::Float(0.0), Metric::Readiness, 0),
        ("3 reconstitution", "baseline", "forces.reconstitution_days", V::Float(0.0), Metric::ResponseRate, 3),
        ("3 mobilisation", "baseline", "forces.mobilisation_days_max", V::Float(2.0), Metric::ResponseDays, 3),
        ("3 personnel lag", "baseline", "forces.personnel_lag_days", V::Float(0.0), Metric::SpentPersonnel, 3),
        ("4 presence slows decay", "baseline", "trust.presence_decay_factor", V::Float(1.0), Metric::TrustWeighted, 0),
        ("4 regional spillover", "baseline", "trust.regional_spillover", V::Float(0.0), Metric::TrustWeighted, 0),
        ("4 crisis help", "baseline", "trust.crisis_help_gain", V::Float(0.0), Metric::TrustWeighted, 0),
        ("4 unanswered crises", "baseline", "trust.crisis_unanswered_penalty", V::Float(0.0), Metric::TrustWeighted, 3),
        ("4 interoperability speeds mobilisation", "baseline", "interoperability.mobilisation_speedup", V::Float(0.0), Metric::ResponseDays, 0),
        ("5 attachés", "baseline", "trust.attache_gain", V::Float(0.0), Metric::TrustWeighted, 0),
        ("5 post closure", "baseline", "budget.post_closure", V::String("priority".into()), Metric::PostsOpen, 1),
        ("6 exercises build trust", "baseline", "trust.exercise_gain", V::Float(0.0), Metric::TrustWeighted, 0),
        ("6 exercises build interoperability", "baseline", "interoperability.exercise_gain", V::Float(0.0), Metric::Interoperability, 0),
        ("6 cancellations", "balkan-cooperation", "trust.exercise_cancel_penalty", V::Float(0.0), Metric::TrustWeighted, 3),
        ("6 invitations", "baseline", "feedback.invitation_rate", V::Float(0.0), Metric::TrustWeighted, 0),
        ("7 programmes build trust", "baseline", "trust.programme_gain", V::Float(0.0), Metric::TrustWeighted, 0),
        ("7 programme volatility", "baseline", "trust.programme_cut_penalty", V::Float(0.0), Metric::TrustWeighted, 3),
        ("8 credibility inertia", "baseline", "alliance.credibility_adjustment", V::Float(0.0), Metric::Credibility, 3),
        ("8 pledge weight", "baseline", "alliance.pledge_weight", V::Float(0.0), Metric::Credibility, 3),
        ("8 credibility floor", "baseline", "alliance.credibility_floor", V::Float(0.0), Metric::Credibility, 3),
        ("8 pledge penalty", "baseline", "trust.pledge_penalty", V::Float(0.0), Metric::TrustWeighted, 3),
        ("8 joint procurement interoperability", "baseline", "interoperability.joint_procurement_gain", V::Float(0.0), Metric::Interoperability, 0),
        ("8 leaving a joint programme", "baseline", "trust.procurement_withdraw_penalty", V::Float(0.0), Metric::TrustWeighted, 3),
        ("9 unit reserve", "baseline", "crisis_response.reserve_units", V::Integer(0), Metric::ResponseRate, 3),
        ("9 intelligence sharing", "baseline", "feedback.intelligence_sharing", V::Float(0.0), Metric::ResponseDays, 0),
        ("9 partners' contributions", "baseline", "feedback.contribution_rate", V::Float(0.0), Metric::ResponseRate, 0),
    ];
    let runs = |scenario: &str, edit: Option<(&str, &V)>| {
        let mut t = table(&scenario_path(scenario));
        if let Some((k, v)) = edit {
            set(&mut t, k, v.clone());
        }
        let s = from_table(&t).unwrap_or_else(|e| panic!("{scenario} {edit:?}: {e}"));
        run_seeded(&s, 60, 11)
    };
    let mut inert = Vec::new();
    for (section, scenario, key, value, metric, level) in &cases {
        let (on, off) = (runs(scenario, None), runs(scenario, Some((key, value))));
        // 3 stands for the deepest level of a scenario with fewer.
        let level = (*level).min(on.levels.len() - 1);
        let d: Vec<f64> = on
            .metric(level, *metric)
            .iter()
            .zip(&off.metric(level, *metric))
            .map(|(a, b)| a - b)
            .filter(|d| d.is_finite())
            .collect();
        let m = mean(&d);
        let sd = (d.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (d.len() - 1) as f64).sqrt();
        let se = sd / (d.len() as f64).sqrt();
        eprintln!(
            "{section:40} {scenario:20} {key} = {value}: {} moves {m:+.5} ± {se:.5}",
            metric.name()
        );
        if !(m.abs() > 3.0 * se && m != 0.0) {
            inert.push(format!(
                "section {section}: {key} ({scenario}, {})",
                metric.name()
            ));
        }
    }
    assert!(inert.is_empty(), "inert mechanisms: {inert:#?}");
}

/// A known defect, kept visible: the crisis service order (`crisis_response.order`) changes who
/// is answered only when several crises wait for the same freed unit, and in the shipped
/// scenarios they almost never do (windows of 1–3 weeks against deployments of months). Measured
/// at the deepest level, 200 trials: every type's response moves by less than 0.006 between
/// `priority` and `fifo` in baseline, sequestration and balkan-cooperation. When a scenario or
/// the model makes the order matter, this test fails and the case belongs in the table above.
#[test]
fn the_service_order_is_still_nearly_inert_in_the_shipped_scenarios() {
    for sc in ["baseline", "sequestration", "balkan-cooperation"] {
        let by_order = |order: &str| {
            let mut t = table(&scenario_path(sc));
            set(&mut t, "crisis_response.order", order.into());
            let s = from_table(&t).unwrap();
            let deepest = s.budget.levels.len() - 1;
            response_by_type(&s, 200, deepest)
        };
        let (priority, fifo) = (by_order("priority"), by_order("fifo"));
        let most = priority
            .iter()
            .zip(&fifo)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        eprintln!("{sc}: service order moves a type's response by at most {most:.4}");
        assert!(
            most < 0.01,
            "{sc}: the order now matters ({most:.4}): add it to no_mechanism_is_inert"
        );
    }
}
