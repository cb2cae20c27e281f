//! The domain mechanisms, one module each, named as `docs/MODEL.md` names them: the budget
//! envelope and cut rules (`budget`) and the money of each line (`ledger`), forces and readiness
//! (`forces`), partners' trust and interoperability (`partners`), presence abroad (`presence`),
//! exercises (`exercises`) and the partners' invitations to theirs (`invitations`), partner programmes (`programmes`), the alliance (`alliance`), joint
//! procurement (`procurement`), crises (`crisis`: arrivals and response) and outcomes with the
//! DCI (`outcomes`); the relaxation and update rules they share (`dynamics`, `exp`). Each owns
//! its state and handlers; `world` composes them for one trial and maps events to them.

pub mod alliance;
pub mod budget;
pub mod crisis;
pub(crate) mod dynamics;
pub mod exercises;
pub(crate) mod exp;
pub mod forces;
pub(crate) mod invitations;
pub(crate) mod ledger;
pub(crate) mod outcomes;
pub mod partners;
pub(crate) mod presence;
pub mod procurement;
pub(crate) mod programmes;
pub(crate) mod reprogramming;
pub(crate) mod world;

pub use ledger::LineYear;
pub use outcomes::TrialOutcome;
pub use world::run_trial;

/// Item indices in funding order: by `priority` (lower first), ties as listed.
pub(crate) fn sorted_by_priority<T>(items: &[T], priority: impl Fn(&T) -> i64) -> Vec<usize> {
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by_key(|&i| (priority(&items[i]), i));
    order
}
