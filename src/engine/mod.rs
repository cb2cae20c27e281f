//! The discrete-event engine: a future event list with deterministic tie-breaking (`queue`) and
//! the world of one trial at one budget level with its event handlers (`trial`).

pub mod queue;
pub mod trial;

pub use queue::{EventQueue, SimTime};
pub use trial::{LineYear, TraceRow, TrialOutcome, run_trial};
