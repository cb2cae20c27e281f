//! The discrete-event engine: time and dispatch only. A future event list with deterministic
//! tie-breaking (`queue`), the events and their tie-break classes (`event`), the trial's clock
//! and event log (`timeline`), and the loop that takes events in order and hands each to the
//! world's [`Handler`]. What an event does is decided by the mechanism that owns it
//! (`crate::model`, composed in `crate::model::world`); the engine knows none of them.

pub mod event;
pub(crate) mod queue;
pub(crate) mod timeline;

pub use event::Event;
pub use queue::{EventQueue, SimTime};
pub(crate) use timeline::trace;
pub use timeline::{TICK_DAYS, Timeline, TraceRow};

/// What the loop hands events to.
pub trait Handler {
    /// Handles `event` at `tl.now`. Returns `false` when the trial is over.
    fn handle(&mut self, tl: &mut Timeline, event: Event) -> bool;
}

/// Takes events in (time, class, sequence) order and hands each to `world` until it says the
/// trial is over or no event is left. `arrival_time` gives crisis `i`'s arrival time.
pub fn run<H: Handler>(tl: &mut Timeline, world: &mut H, arrival_time: impl Fn(u32) -> f64) {
    while let Some(event) = tl.advance(&arrival_time) {
        if !world.handle(tl, event) {
            break;
        }
    }
}
