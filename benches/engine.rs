//! Criterion benches: the event loop on the crisis core (the M/M/c fixture the SimPy peer also
//! runs) and on one full-model trial of the baseline scenario, both in events per second, and
//! the runner at 1 and 2 threads in trials per second. The comparison with the peer is
//! bench/compare.sh.

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use dipcap::runner::{RunConfig, run, run_one};

fn load(p: &str) -> dipcap::scenario::Scenario {
    dipcap::scenario::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join(p)).expect("scenario")
}

/// Events one trial processes (averaged over a few), so throughput reads as events/s.
fn events_per_trial(s: &dipcap::scenario::Scenario) -> u64 {
    let n = 20;
    let total: u64 = (0..n)
        .flat_map(|k| run_one(s, 1, 1_000_000 + k))
        .map(|o| o.events_processed)
        .sum();
    total / n
}

fn crisis_core(c: &mut Criterion) {
    let s = load("tests/fixtures/mmc.toml");
    let mut g = c.benchmark_group("crisis_core");
    // The event loop: throughput in events per second.
    g.throughput(Throughput::Elements(events_per_trial(&s)));
    let mut k = 0;
    g.bench_function("mmc_trial_30y", |b| {
        b.iter(|| {
            k += 1;
            black_box(run_one(&s, 1, k))
        })
    });
    g.finish();
}

fn full_model(c: &mut Criterion) {
    let s = load("scenarios/baseline.toml");
    let mut g = c.benchmark_group("full_model");
    g.throughput(Throughput::Elements(events_per_trial(&s)));
    let mut k = 0;
    g.bench_function("baseline_trial_all_levels", |b| {
        b.iter(|| {
            k += 1;
            black_box(run_one(&s, 1, k))
        })
    });
    g.finish();
}

fn runner(c: &mut Criterion) {
    let s = load("scenarios/baseline.toml");
    let mut g = c.benchmark_group("runner");
    g.sample_size(10);
    g.throughput(Throughput::Elements(200));
    for threads in [1, 2] {
        g.bench_function(format!("baseline_200_trials_{threads}_threads"), |b| {
            b.iter(|| {
                black_box(
                    run(
                        &s,
                        &RunConfig {
                            trials: 200,
                            seed: 1,
                            threads,
                            precision: None,
                        },
                    )
                    .expect("run"),
                )
            })
        });
    }
    g.finish();
}

/// The floor for the crisis core: a bare M/M/c loss loop (4 units, 12 arrivals a year,
/// exponential 60-day services, 30 years) on a binary heap of departures, with the same
/// generator and no model around it. Its speed bounds what any engine can reach here.
fn bare_loop(c: &mut Criterion) {
    use rand::Rng;
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;
    let mut g = c.benchmark_group("bare_mmc_loop");
    g.throughput(Throughput::Elements(1));
    let mut k = 0;
    g.bench_function("mmc_trial_30y", |b| {
        b.iter(|| {
            k += 1;
            let mut rng = dipcap::rng::stream(1, k, dipcap::rng::Process::Crisis(0));
            let mut busy: BinaryHeap<Reverse<u64>> = BinaryHeap::with_capacity(8);
            let (mut t, mut lost, mut n) = (0.0f64, 0u32, 0u32);
            let unit =
                |r: &mut dipcap::rng::StreamRng| (r.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
            loop {
                t += -(365.0 / 12.0) * (1.0 - unit(&mut rng)).ln();
                if t >= 30.0 * 365.0 {
                    break;
                }
                n += 1;
                while busy.peek().is_some_and(|d| f64::from_bits(d.0) <= t) {
                    busy.pop();
                }
                if busy.len() < 4 {
                    let end = t - 60.0 * (1.0 - unit(&mut rng)).ln();
                    busy.push(Reverse(end.to_bits()));
                } else {
                    lost += 1;
                }
            }
            black_box((lost, n))
        })
    });
    g.finish();
}

criterion_group!(benches, crisis_core, bare_loop, full_model, runner);
criterion_main!(benches);
