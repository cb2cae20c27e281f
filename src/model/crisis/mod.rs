//! Crises (`docs/MODEL.md` section 9): what arrives (`arrivals`: drawn before the trial, the
//! same at every budget level) and what the country does about it (`response`: detection, the
//! service order, deployment, the deadline).

mod arrivals;
pub mod response;

pub use arrivals::{CrisisDraw, Exogenous, exogenous, generate};
