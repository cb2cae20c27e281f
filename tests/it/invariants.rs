//! Invariants on every shipped scenario and every level: money conserved per line and year,
//! nothing spent that was not appropriated, levels within [0, 1], events in time order.

use crate::common::*;
use dipcap::metrics::{Metric, YearMetric};

#[test]
fn money_is_conserved_per_line_and_year() {
    // appropriated + moved in − moved out = rescinded + spent + unspent on every line and year.
    for name in SHIPPED {
        let s = load(&scenario_path(name));
        for k in 0..20 {
            for (o, _) in trial(&s, s.seed, k) {
                assert_eq!(o.ledger.len(), s.years);
                for (y, lines) in o.ledger.iter().enumerate() {
                    for (i, l) in lines.iter().enumerate() {
                        assert!(
                            l.spent >= 0.0 && l.rescinded >= 0.0,
                            "{name} y{y} line {i}: {l:?}"
                        );
                        assert!(
                            l.unspent() >= -1e-6,
                            "{name} y{y} line {i} overspent: {l:?}"
                        );
                        let sum = l.spent + l.rescinded + l.unspent();
                        let funds = l.appropriated + l.transferred_in - l.transferred_out;
                        assert!((sum - funds).abs() < 1e-6 * l.appropriated.max(1.0));
                        assert!(l.transferred_in >= 0.0 && l.transferred_out >= 0.0);
                    }
                    let moved_in: f64 = lines.iter().map(|l| l.transferred_in).sum();
                    let moved_out: f64 = lines.iter().map(|l| l.transferred_out).sum();
                    assert!(
                        (moved_in - moved_out).abs() < 1e-9 * moved_in.max(1.0),
                        "{name} y{y}: transfers create or lose money"
                    );
                }
                // The per-line columns add up to the totals (the alliance line is always paid).
                for row in &o.yearly {
                    let by_line: f64 = [
                        YearMetric::UnspentPersonnel,
                        YearMetric::UnspentOperations,
                        YearMetric::UnspentProcurement,
                        YearMetric::UnspentEngagement,
                        YearMetric::UnspentCrisisReserve,
                    ]
                    .iter()
                    .map(|m| row[m.index()])
                    .sum();
                    let total = row[YearMetric::Unspent.index()];
                    assert!((by_line - total).abs() < 1e-6 * total.max(1.0), "{name}");
                }
                let spent: f64 = o.ledger.iter().flatten().map(|l| l.spent).sum();
                let by_metric: f64 = [
                    Metric::SpentPersonnel,
                    Metric::SpentOperations,
                    Metric::SpentProcurement,
                    Metric::SpentEngagement,
                    Metric::SpentCrisisReserve,
                    Metric::SpentAlliance,
                ]
                .iter()
                .map(|m| o.metrics[m.index()])
                .sum();
                assert!((spent - by_metric).abs() < 1e-6 * spent);
                let appropriated: f64 = o
                    .yearly
                    .iter()
                    .map(|r| r[YearMetric::Appropriated.index()])
                    .sum();
                let accounted = spent
                    + o.metrics[Metric::Unspent.index()]
                    + o.metrics[Metric::Rescinded.index()];
                assert!(
                    (appropriated - accounted).abs() < 1e-6 * appropriated,
                    "{name}: {appropriated} vs {accounted}"
                );
            }
        }
    }
}

#[test]
fn levels_stay_in_unit_interval_and_events_in_time_order() {
    for name in SHIPPED {
        let s = load(&scenario_path(name));
        for k in 0..20 {
            for (o, rows) in trial(&s, s.seed, k) {
                for v in o.partner_trust.iter().chain(&o.partner_interop) {
                    assert!((0.0..=1.0).contains(v), "{name}: {v}");
                }
                for m in [
                    Metric::TrustMean,
                    Metric::TrustMin,
                    Metric::TrustWeighted,
                    Metric::Interoperability,
                    Metric::Credibility,
                    Metric::Readiness,
                    Metric::ResponseRate,
                    Metric::ExercisesHeldShare,
                    Metric::PostsOpen,
                    Metric::Dci,
                ] {
                    let v = o.metrics[m.index()];
                    assert!(
                        (0.0..=1.0 + 1e-12).contains(&v),
                        "{name}: {} = {v}",
                        m.name()
                    );
                }
                for row in &o.yearly {
                    for m in [
                        YearMetric::TrustMean,
                        YearMetric::TrustMin,
                        YearMetric::Readiness,
                        YearMetric::ResponseRate,
                        YearMetric::Credibility,
                        YearMetric::Dci,
                        YearMetric::ExecutionPersonnel,
                        YearMetric::ExecutionOperations,
                        YearMetric::ExecutionProcurement,
                        YearMetric::ExecutionEngagement,
                        YearMetric::ExecutionCrisisReserve,
                    ] {
                        assert!(
                            (0.0..=1.0 + 1e-12).contains(&row[m.index()]),
                            "{name}: yearly {}",
                            m.name()
                        );
                    }
                }
                assert!(
                    rows.windows(2).all(|w| w[0].time <= w[1].time),
                    "{name}: trace out of order"
                );
                let c = &o.metrics;
                assert_eq!(
                    c[Metric::Crises.index()],
                    c[Metric::CrisesAnswered.index()]
                        + c[Metric::CrisesUnanswered.index()]
                        + c[Metric::CrisesPending.index()]
                );
                assert_eq!(
                    c[Metric::ExercisesPlanned.index()],
                    (s.exercises.len() * s.years) as f64
                );
                assert_eq!(
                    c[Metric::ExercisesHeld.index()] + c[Metric::ExercisesCancelled.index()],
                    c[Metric::ExercisesPlanned.index()],
                    "every exercise is held or cancelled"
                );
                assert!(
                    c[Metric::ProgrammeDelivered.index()]
                        <= c[Metric::ProgrammePlanned.index()] + 1e-6
                );
            }
        }
    }
}
