//! No heap allocation per event: a counting allocator shows that a trial ten times longer
//! (ten times the events) allocates about as often as a short one — allocation is per trial
//! (the world's tables, the outcome), never per event once a trial is under way.
//! A separate test binary, because the counting allocator is global.

use std::alloc::{GlobalAlloc, Layout, System};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
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
    let growth = dipcap::model::crisis::gdp_growth_path(&s, 1, 0);
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    let mut events = 0;
    for &level in &s.budget.levels {
        let (o, _) = dipcap::engine::run_trial(&s, level, &crises, &growth, false);
        events += o.events_processed;
    }
    (ALLOCATIONS.load(Ordering::Relaxed) - before, events)
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
