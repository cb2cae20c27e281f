//! The discrete-event engine: time and dispatch only. A future event list with deterministic
//! tie-breaking (`queue`), the events and their tie-break classes (`event`), the trial's clock
//! and event log (`timeline`), and the loop that takes events in order and hands each to the
//! world's [`Handler`], within the bounds every trial has (the stop flag that signals set, the
//! work bound). What an event does is decided by the mechanism that owns it (`crate::model`,
//! composed in `crate::model::world`); the engine knows none of them.

pub mod event;
pub(crate) mod queue;
pub(crate) mod timeline;

pub use event::Event;
pub use queue::{EventQueue, SimTime};
pub(crate) use timeline::trace;
pub use timeline::{TICK_DAYS, Timeline, TraceRow};

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Set by Ctrl-C or a termination signal (`crate::parts::stop_flag` installs the handler):
/// trials running stop within a few thousand events, so a signal is obeyed at once even when
/// one trial is long. A stopped trial's outcome is incomplete and is never kept.
pub static STOP: AtomicBool = AtomicBool::new(false);

/// The most work one trial at one level may do by default: events handled plus units looked
/// at when deploying. The shipped scenarios do about 10^4; 10^9 is some seconds to a
/// minute of one core. A trial past it is a scenario asking for more than dipcap can simulate
/// in reasonable time, typically crises that never expire (`window_days = inf`) arriving
/// faster than the forces can answer them, so the waiting list only grows. The environment
/// variable `DIPCAP_MAX_WORK` sets another bound (the tests use it to reach the bound fast).
pub const MAX_WORK: u64 = 1_000_000_000;

/// The bound in force: `DIPCAP_MAX_WORK` (a whole number, or a number such as `2e7`), or
/// [`MAX_WORK`]; a value that is neither is said on stderr and ignored.
pub fn max_work() -> u64 {
    static BOUND: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *BOUND.get_or_init(|| {
        let Ok(v) = std::env::var("DIPCAP_MAX_WORK") else {
            return MAX_WORK;
        };
        match v.trim().parse::<f64>() {
            Ok(x) if x.is_finite() && x >= 1.0 => x as u64,
            _ => {
                eprintln!(
                    "warning: DIPCAP_MAX_WORK={v} is not a number of at least 1; the default bound {MAX_WORK:e} applies"
                );
                MAX_WORK
            }
        }
    })
}

/// The lowest trial of a block that passed the work bound (`u64::MAX` while none has):
/// trials above it stop at once (the run fails with its error), trials below it go on, so
/// the trial named is the block's lowest past the bound whatever the threads did.
pub type BlockBound = std::sync::Arc<AtomicU64>;

thread_local! {
    /// The trial this thread runs and its block's [`BlockBound`], set by [`in_block`].
    static BLOCK: std::cell::RefCell<Option<(u64, BlockBound)>> = const { std::cell::RefCell::new(None) };
}

/// Runs `f` (the levels of trial `trial`) as part of the block whose bound is `block`.
pub fn in_block<R>(block: &BlockBound, trial: u64, f: impl FnOnce() -> R) -> R {
    BLOCK.with_borrow_mut(|b| *b = Some((trial, block.clone())));
    let r = f();
    BLOCK.with_borrow_mut(|b| *b = None);
    r
}

/// This thread's trial passed the work bound: trials of its block above it stop.
fn bound_passed() {
    BLOCK.with_borrow(|b| {
        if let Some((k, block)) = b {
            block.fetch_min(*k, Ordering::Relaxed);
        }
    });
}

/// Whether a lower trial of this thread's block has passed the work bound.
fn lower_trial_passed() -> bool {
    BLOCK.with_borrow(|b| {
        b.as_ref()
            .is_some_and(|(k, block)| block.load(Ordering::Relaxed) < *k)
    })
}

/// Why a trial stopped before its horizon.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Abort {
    /// [`STOP`] was set.
    Stopped,
    /// The trial did more than [`max_work`].
    WorkBound,
    /// A lower trial of the block did ([`BlockBound`]): this one was abandoned.
    Abandoned,
}

/// How many events go between two looks at [`STOP`] and the work bound.
const CHECK_EVERY: u32 = 4096;

/// What the loop hands events to.
pub trait Handler {
    /// Handles `event` at `tl.now`. Returns `false` when the trial is over.
    fn handle(&mut self, tl: &mut Timeline, event: Event) -> bool;
}

/// Takes events in (time, class, sequence) order and hands each to `world` until it says the
/// trial is over or no event is left. `arrival_time` gives crisis `i`'s arrival time. Before
/// the first event and every [`CHECK_EVERY`] events after, [`STOP`] and the work bound are
/// looked at ([`Timeline::must_stop`]); when either ends the trial early, `tl.aborted` says why.
pub fn run<H: Handler>(tl: &mut Timeline, world: &mut H, arrival_time: impl Fn(u32) -> f64) {
    let mut until_check = 0u32;
    loop {
        if until_check == 0 {
            until_check = CHECK_EVERY;
            if tl.must_stop() {
                return;
            }
        }
        until_check -= 1;
        let Some(event) = tl.advance(&arrival_time) else {
            return;
        };
        // A handler that stopped part-way (see `Timeline::must_stop`) has set `tl.aborted`:
        // the next look ends the trial, and until then every long search stops at once.
        if !world.handle(tl, event) {
            return;
        }
    }
}
