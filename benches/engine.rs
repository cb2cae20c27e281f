//! Criterion benches: the crisis core (the M/M/c fixture also run by the SimPy peer), one
//! full-model trial of the baseline scenario, and the runner at 1 and 2 threads.

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use dipcap::runner::{RunConfig, run, run_one};

fn load(p: &str) -> dipcap::scenario::Scenario {
    dipcap::scenario::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join(p)).expect("scenario")
}

fn crisis_core(c: &mut Criterion) {
    let s = load("tests/fixtures/mmc.toml");
    let mut g = c.benchmark_group("crisis_core");
    g.throughput(Throughput::Elements(1));
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
    g.throughput(Throughput::Elements(s.budget.levels.len() as u64));
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
                            progress: false,
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

criterion_group!(benches, crisis_core, full_model, runner);
criterion_main!(benches);
