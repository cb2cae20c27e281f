//! No heap allocation per event: a counting allocator shows that a trial ten times longer
//! (ten times the events) allocates about as often as a short one — allocation is per trial
//! (the world's tables, the outcome), never per event once a trial is under way.
//! And a checkpoint is streamed to disk: writing one never allocates anything near its size.
//! A separate test binary, because the counting allocator is global.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::path::Path;

struct Counting;

thread_local! {
    /// This thread's allocations, and the largest single one since it was last reset (per
    /// thread, so tests running side by side do not count each other's).
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
    static LARGEST: Cell<usize> = const { Cell::new(0) };
}

fn note(size: usize) {
    let _ = ALLOCATIONS.try_with(|a| a.set(a.get() + 1));
    let _ = LARGEST.try_with(|l| l.set(l.get().max(size)));
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note(new_size);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// (allocations, events) of one trial at every level of `scenario` with `years` fiscal years.
fn trial(scenario: &str, years: i64) -> (u64, u64) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(scenario);
    let mut t: toml::Table = std::fs::read_to_string(&path).unwrap().parse().unwrap();
    t["scenario"]["years"] = toml::Value::Integer(years);
    let s = dipcap::scenario::parse_str(&toml::to_string(&t).unwrap(), &path).unwrap();
    let mut crises = Vec::new();
    dipcap::model::crisis::generate(&s, 1, 0, &mut crises);
    let growth = dipcap::model::crisis::exogenous(&s, 1, 0);
    let before = ALLOCATIONS.with(Cell::get);
    let mut events = 0;
    for &level in &s.budget.levels {
        let (o, _) = dipcap::model::run_trial(&s, level, &crises, &growth, false);
        events += o.events_processed;
    }
    (ALLOCATIONS.with(Cell::get) - before, events)
}

#[test]
fn allocations_do_not_grow_with_events() {
    for scenario in [
        "tests/fixtures/mmc.toml",
        "scenarios/baseline.toml",
        "scenarios/sequestration.toml",
        "scenarios/balkan-cooperation.toml",
    ] {
        let (a_short, e_short) = trial(scenario, 10);
        let (a_long, e_long) = trial(scenario, 100);
        let more_events = e_long - e_short;
        let more_allocations = a_long.saturating_sub(a_short);
        assert!(
            more_events > 5_000,
            "{scenario}: {e_short} → {e_long} events"
        );
        // Growing buffers (the deployment arena, the waiting list, the heap) may double their
        // capacity a few times in a long trial; nothing allocates per event.
        assert!(
            more_allocations <= 8,
            "{scenario}: {a_short} allocations for {e_short} events, {a_long} for {e_long}: {more_allocations} more for {more_events} more events"
        );
        eprintln!(
            "{scenario}: {a_short} allocations / {e_short} events (10 years), {a_long} / {e_long} (100 years)"
        );
    }
}

/// A checkpoint of an accumulator whose sketches hold megabytes of buckets is written without
/// any allocation larger than a small buffer, and reads back as the same accumulator. (Built
/// whole in memory every few seconds, checkpoints made a 10⁵-trial run peak at 159 MiB when
/// checkpointing after every block, against 55 MiB streamed.)
#[test]
fn checkpoints_are_streamed_not_built_in_memory() {
    use dipcap::metrics::N_YEAR_METRICS;
    use dipcap::model::TrialOutcome;

    let (years, partners) = (10, 2);
    let mut acc = dipcap::stats::accumulator::Accumulator::new(1, years, partners);
    // Values spread over six decades fill every column's sketch to hundreds of buckets.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        10f64.powf(6.0 * (state >> 11) as f64 / (1u64 << 53) as f64)
    };
    for _ in 0..6_000 {
        let o = TrialOutcome {
            metrics: std::array::from_fn(|_| next()),
            yearly: (0..years)
                .map(|_| std::array::from_fn(|_| next()))
                .collect::<Vec<[f64; N_YEAR_METRICS]>>(),
            partner_trust: (0..partners).map(|_| next() / 1e6).collect(),
            partner_interop: (0..partners).map(|_| next() / 1e6).collect(),
            partner_trust_yearly: (0..years * partners).map(|_| next() / 1e6).collect(),
            partner_interop_yearly: (0..years * partners).map(|_| next() / 1e6).collect(),
            ledger: Vec::new(),
            events_processed: 1,
            aborted: None,
        };
        acc.add_trial(std::slice::from_ref(&o));
    }

    let dir = tempfile::tempdir().unwrap();
    let parts = dir.path().join("parts");
    let (mut run, _) = dipcap::parts::RunParts::fresh(&parts, "plan", 1, acc.clone()).unwrap();
    LARGEST.with(|l| l.set(0));
    run.checkpoint(&acc, 6_000, true).unwrap();
    let largest = LARGEST.with(Cell::get);
    let size = std::fs::metadata(parts.join("checkpoint.bin"))
        .unwrap()
        .len();
    assert!(
        size > 2_000_000,
        "checkpoint of {size} bytes: too few buckets to show anything"
    );
    assert!(
        largest <= 64 * 1024,
        "writing a {size}-byte checkpoint allocated {largest} bytes at once"
    );
    eprintln!("checkpoint of {size} bytes written with at most {largest} bytes allocated at once");

    // The file is its header, then exactly the in-memory encoding of the accumulator, then the
    // SHA-256 of all that.
    let bytes = std::fs::read(parts.join("checkpoint.bin")).unwrap();
    let (body, sum) = bytes.split_at(bytes.len() - 32);
    assert!(body.ends_with(&dipcap::stats::codec::encode(&acc)));
    use sha2::Digest;
    assert_eq!(sha2::Sha256::digest(body).as_slice(), sum);
    drop(run);
    let (_, start) = dipcap::parts::RunParts::resume(&parts, "plan", 1).unwrap();
    assert_eq!(start.next_trial, 6_000);
    // Exact sums come back re-normalised (the same exact value), so compare what is reported.
    for &m in dipcap::metrics::Metric::ALL {
        assert_eq!(
            format!("{:?}", start.acc.metric(0, m).summary()),
            format!("{:?}", acc.metric(0, m).summary())
        );
    }
}
