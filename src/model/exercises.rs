//! Exercises (`docs/MODEL.md` section 6): each year's exercises, funded or cancelled under the
//! engagement line's plan, checked again at their start (ready units, money), held with the
//! units they take, and what holding or cancelling one does to readiness, trust and
//! interoperability. Keys: `exercises[].*`, `trust.exercise_*`, `interoperability.exercise_gain`,
//! `forces.exercise_readiness_gain`. Touches forces (takes and returns units), the ledger
//! (engagement line), partners and the tally.

use crate::engine::{Event, Timeline, trace};
use crate::model::budget;
use crate::model::forces::{Away, Forces};
use crate::model::ledger::{Ledger, MONEY_EPS};
use crate::model::outcomes::Tally;
use crate::model::partners::Partners;
use crate::model::sorted_by_priority;
use crate::scenario::{DAYS_PER_YEAR, Line, PartnerKind, Scenario};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ExerciseStatus {
    Funded,
    Cancelled,
    Running,
    Done,
}

#[derive(Debug, Clone)]
struct ExerciseState {
    status: ExerciseStatus,
    /// Units taken over units planned (an exercise may go ahead scaled down).
    scale: f64,
    units: Vec<u32>,
}

#[derive(Debug)]
pub struct Exercises {
    states: Vec<ExerciseState>,
    /// Exercise indices in funding order (priority, then as listed).
    order: Vec<usize>,
    /// Ready units at a start (a reused buffer).
    ready: Vec<(usize, f64)>,
    /// Exercises with at least one ally among their partners (what the alliance counts).
    with_ally: Vec<usize>,
}

impl Exercises {
    pub fn new(s: &Scenario) -> Self {
        Exercises {
            states: vec![
                ExerciseState {
                    status: ExerciseStatus::Cancelled,
                    scale: 0.0,
                    units: Vec::new()
                };
                s.exercises.len()
            ],
            order: sorted_by_priority(&s.exercises, |e| e.priority),
            ready: Vec::with_capacity(s.forces.units),
            with_ally: (0..s.exercises.len())
                .filter(|&e| {
                    s.exercises[e]
                        .partners
                        .iter()
                        .any(|&p| s.partners[p].kind == PartnerKind::Ally)
                })
                .collect(),
        }
    }

    /// Fiscal year `y`'s exercises: every one planned (funded until the plan says otherwise)
    /// and its start scheduled.
    pub fn open_year(&mut self, s: &Scenario, y: usize, tally: &mut Tally, tl: &mut Timeline) {
        let base = y as f64 * DAYS_PER_YEAR;
        for e in 0..s.exercises.len() {
            let state = &mut self.states[e];
            state.status = ExerciseStatus::Funded;
            state.scale = 0.0;
            state.units.clear();
            tl.schedule(
                base + s.exercises[e].start_day,
                Event::ExerciseStart(e as u32),
            );
        }
        tally.exercises_planned(s.exercises.len() as f64, self.with_ally.len() as f64);
    }

    /// What the funded exercises not yet started will cost at full size (reprogramming's
    /// engagement outlook).
    pub fn outlook(&self, s: &Scenario, year: usize) -> f64 {
        let price = budget::cost_index(s, year);
        s.exercises
            .iter()
            .zip(&self.states)
            .filter(|(_, st)| st.status == ExerciseStatus::Funded)
            .map(|(e, _)| e.cost * price)
            .sum()
    }

    /// Best fit in priority order from `money`: an exercise that does not fit is cancelled and
    /// cheaper ones after it may still go ahead. At the year's start (`fresh`) every exercise is
    /// planned; after a shock only those not yet started are reconsidered.
    // The parameters are the interface: each is a part of the world this handler may change.
    #[allow(clippy::too_many_arguments)]
    pub fn plan(
        &mut self,
        s: &Scenario,
        ledger: &mut Ledger,
        partners: &mut Partners,
        tally: &mut Tally,
        tl: &mut Timeline,
        money: &mut f64,
        fresh: bool,
    ) {
        let mut parts = Parts {
            ledger,
            partners,
            tally,
            tl,
        };
        for idx in 0..self.order.len() {
            let e = self.order[idx];
            if self.states[e].status != ExerciseStatus::Funded {
                continue;
            }
            let cost = s.exercises[e].cost * budget::cost_index(s, parts.ledger.current_year());
            if cost <= *money + MONEY_EPS {
                *money -= cost;
            } else {
                let why = if fresh {
                    "not funded in the year's plan"
                } else {
                    "unfunded after the mid-year cut"
                };
                self.cancel(s, e, &mut parts, format_args!("{why}"), true);
            }
        }
    }

    /// Cancels a funded exercise; `for_money` books its cost as an unfunded commitment (an
    /// exercise cancelled because no units were ready is a capacity loss, not a money one).
    fn cancel(
        &mut self,
        s: &Scenario,
        e: usize,
        parts: &mut Parts,
        why: std::fmt::Arguments,
        for_money: bool,
    ) {
        if for_money {
            let price = budget::cost_index(s, parts.ledger.current_year());
            parts
                .ledger
                .unfunded(Line::Engagement, s.exercises[e].cost * price);
        }
        self.states[e].status = ExerciseStatus::Cancelled;
        parts.tally.exercise_cancelled();
        for &p in &s.exercises[e].partners {
            parts
                .partners
                .lose_trust(s, p, s.trust.exercise_cancel_penalty, parts.tl.now);
        }
        trace!(
            parts.tl,
            "exercise_cancelled",
            s.exercises[e].name.clone(),
            "{}",
            why
        );
    }

    /// `ExerciseStart(e)`: a funded exercise takes up to `units` ready units (at least
    /// `min_units`, else it is cancelled), scaled down in cost if it takes fewer, and is paid
    /// from engagement (cancelled if the line ran out).
    #[allow(clippy::too_many_arguments)]
    pub fn start(
        &mut self,
        s: &Scenario,
        e: usize,
        forces: &mut Forces,
        ledger: &mut Ledger,
        partners: &mut Partners,
        tally: &mut Tally,
        tl: &mut Timeline,
    ) {
        if self.states[e].status != ExerciseStatus::Funded {
            return;
        }
        let ex = &s.exercises[e];
        let mut ready = std::mem::take(&mut self.ready);
        forces.ready_units(&s.forces, ex.min_readiness, tl.now, ex.units, &mut ready);
        let n = ready.len().min(ex.units);
        let mut parts = Parts {
            ledger,
            partners,
            tally,
            tl,
        };
        if n < ex.min_units {
            self.ready = ready;
            self.cancel(
                s,
                e,
                &mut parts,
                format_args!(
                    "only {} of {} units ready (at least {} needed)",
                    n, ex.units, ex.min_units
                ),
                false,
            );
            return;
        }
        let scale = n as f64 / ex.units as f64;
        let cost = ex.cost * budget::cost_index(s, parts.ledger.current_year()) * scale;
        if parts.ledger.available(Line::Engagement) + MONEY_EPS < cost {
            self.ready = ready;
            self.cancel(
                s,
                e,
                &mut parts,
                format_args!("the engagement line ran out of money"),
                true,
            );
            return;
        }
        let Parts {
            ledger, tally, tl, ..
        } = parts;
        ledger.spend(Line::Engagement, cost);
        // The exercise keeps its unit list from year to year: no allocation once warm.
        let state = &mut self.states[e];
        state.status = ExerciseStatus::Running;
        state.scale = scale;
        state.units.clear();
        state
            .units
            .extend(ready[..n].iter().map(|(u, _)| *u as u32));
        for &(u, r) in &ready[..n] {
            forces.send(u, r, Away::Exercise, tl.now);
        }
        self.ready = ready;
        tally.exercise_held(scale, self.with_ally.contains(&e));
        trace!(
            tl,
            "exercise_start",
            ex.name.clone(),
            "{} of {} units, cost {:.2}{}",
            n,
            ex.units,
            cost,
            if n < ex.units { " (scaled down)" } else { "" }
        );
        tl.schedule(tl.now + ex.duration_days, Event::ExerciseEnd(e as u32));
    }

    /// `ExerciseEnd(e)`: units come home with readiness raised, and the partners' trust and
    /// interoperability rise in proportion to the exercise's scale.
    pub fn end(
        &mut self,
        s: &Scenario,
        e: usize,
        forces: &mut Forces,
        partners: &mut Partners,
        tl: &mut Timeline,
    ) {
        let ex = &s.exercises[e];
        let scale = self.states[e].scale;
        let mut units = std::mem::take(&mut self.states[e].units);
        for &u in &units {
            let u = u as usize;
            forces.exercised(&s.forces, u, tl.now);
            forces.return_unit(&s.forces, u, 0.0, 0.0, tl);
        }
        units.clear();
        self.states[e].units = units;
        for &p in &ex.partners {
            partners.gain_trust(s, p, s.trust.exercise_gain * scale, tl.now);
            partners.gain_interoperability(s, p, s.interop.exercise_gain * scale, tl.now);
        }
        self.states[e].status = ExerciseStatus::Done;
        trace!(
            tl,
            "exercise_end",
            ex.name.clone(),
            "held with {} partner(s); readiness, trust and interoperability rise",
            ex.partners.len()
        );
    }
}

/// What cancelling an exercise touches.
struct Parts<'p> {
    ledger: &'p mut Ledger,
    partners: &'p mut Partners,
    tally: &'p mut Tally,
    tl: &'p mut Timeline,
}
