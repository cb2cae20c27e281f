//! The discrete-event engine: a future event list with deterministic tie-breaking (`queue`),
//! the events and their tie-break classes (`event`), the trial's clock and event log
//! (`timeline`), and the world of one trial at one budget level with its event handlers
//! (`trial`).

pub mod event;
pub mod queue;
pub mod timeline;
pub mod trial;

pub use crate::model::ledger::LineYear;
pub use crate::model::outcomes::TrialOutcome;
pub use event::Event;
pub use queue::{EventQueue, SimTime};
pub(crate) use timeline::trace;
pub use timeline::{TICK_DAYS, Timeline, TraceRow};
pub use trial::run_trial;
