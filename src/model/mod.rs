//! Domain mechanisms as pure functions: the budget envelope and cut policies, crisis arrivals,
//! and the relaxation and update rules of readiness, trust and interoperability. The engine
//! (`crate::engine`) applies them in event order; `docs/MODEL.md` states each equation.

pub mod alliance;
pub mod budget;
pub mod crisis;
pub mod dynamics;
pub mod exercises;
pub mod exp;
pub mod forces;
pub mod ledger;
pub mod outcomes;
pub mod partners;
pub mod presence;
pub mod procurement;
pub mod programmes;
