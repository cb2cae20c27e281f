//! Same scenario and seed, same bytes: with 1 or 2 threads, and on rerun. Common random
//! numbers: every level of a trial sees the same crises.

use crate::common::*;

#[test]
fn outputs_are_byte_identical_for_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    for name in SHIPPED {
        let path = scenario_path(name);
        let mut outs = Vec::new();
        for threads in ["1", "2", "2"] {
            let out = dir.path().join(format!("{name}-{threads}-{}", outs.len()));
            let o = dipcap(
                &[
                    "run",
                    path.to_str().unwrap(),
                    "--trials",
                    "60",
                    "--threads",
                    threads,
                    "--quiet",
                    "--out",
                    out.to_str().unwrap(),
                ],
                dir.path(),
            );
            assert!(o.status.success(), "{}", stderr(&o));
            outs.push(out);
        }
        for f in [
            "trials.csv",
            "yearly.csv",
            "summary.csv",
            "summary.json",
            "partners.csv",
            "partners_yearly.csv",
            "percentiles.csv",
            "charts/capacity-cliff.svg",
            "charts/partners-notice-first.svg",
            "charts/fan-trust-mean.svg",
            "charts/partners-trust.svg",
            "charts/money-by-year.svg",
        ] {
            let a = std::fs::read(outs[0].join(f)).unwrap();
            for other in &outs[1..] {
                assert!(
                    a == std::fs::read(other.join(f)).unwrap(),
                    "{name}: {f} differs between runs"
                );
            }
        }
    }
}

#[test]
fn a_different_seed_gives_different_numbers() {
    let s = load(&scenario_path("baseline"));
    let a = trial(&s, 1, 0);
    let b = trial(&s, 2, 0);
    assert_ne!(a[0].0.metrics, b[0].0.metrics);
}

#[test]
fn every_level_sees_the_same_crises() {
    for name in SHIPPED {
        let s = load(&scenario_path(name));
        for k in 0..5 {
            let levels = trial(&s, s.seed, k);
            let arrivals = |rows: &Vec<dipcap::engine::TraceRow>| -> Vec<(u64, String)> {
                rows.iter()
                    .filter(|r| r.event == "crisis_arrival")
                    .map(|r| (r.time.to_bits(), r.subject.clone()))
                    .collect()
            };
            let first = arrivals(&levels[0].1);
            assert!(!first.is_empty() || name == "none");
            for (o, rows) in &levels[1..] {
                assert_eq!(
                    arrivals(rows),
                    first,
                    "{name} trial {k}: crisis arrivals differ between levels"
                );
                assert_eq!(
                    o.metrics[dipcap::metrics::Metric::Crises.index()],
                    levels[0].0.metrics[dipcap::metrics::Metric::Crises.index()]
                );
            }
        }
    }
}

/// The runner adds each block of trials column by column in parallel; that must give exactly
/// the accumulator of adding the trials one by one (bit for bit, via its encoding of sums and
/// the summaries it reports).
#[test]
fn accumulating_by_block_equals_trial_by_trial() {
    use dipcap::metrics::Metric;
    let s = load(&scenario_path("sequestration"));
    let outcomes: Vec<Vec<dipcap::model::TrialOutcome>> = (0..300)
        .map(|k| dipcap::runner::run_one(&s, 3, k))
        .collect();
    let mut one = dipcap::runner::accumulator(&s);
    for o in &outcomes {
        one.add_trial(o);
    }
    let mut blocks = dipcap::runner::accumulator(&s);
    for chunk in outcomes.chunks(64) {
        blocks.add_block(chunk);
    }
    assert_eq!(one.trials, blocks.trials);
    assert_eq!(one.events, blocks.events);
    for l in 0..s.budget.levels.len() {
        for m in Metric::ALL {
            let (a, b) = (one.metric(l, *m).summary(), blocks.metric(l, *m).summary());
            assert_eq!(format!("{a:?}"), format!("{b:?}"), "{m:?} at level {l}");
            assert_eq!(
                format!("{:?}", one.difference(l, *m)),
                format!("{:?}", blocks.difference(l, *m))
            );
        }
    }
}
