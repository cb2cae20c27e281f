//! One trial at one budget level: the world state and the handlers of every event.
//!
//! The trial is driven by fiscal-year events (appropriation and planning at the start, the
//! alliance pledge check at the end), monthly budget ticks (payroll, training, procurement,
//! post and programme payments, and the accrual of readiness, trust and interoperability),
//! exercises, personnel changes, post reopenings and crises. Everything random was drawn
//! before the trial started (`model::crisis`), so the run is a deterministic function of the
//! scenario, the level and those draws. The equations are in `docs/MODEL.md`.

use crate::engine::event::Event;
use crate::engine::timeline::{Timeline, TraceRow};
use crate::metrics::N_YEAR_METRICS;
use crate::model::alliance::Alliance;
use crate::model::crisis::CrisisDraw;
use crate::model::crisis::response::{Crises, Responders};
use crate::model::exercises::Exercises;
use crate::model::forces::Forces;
use crate::model::ledger::Ledger;
use crate::model::outcomes::{self, Observed, Tally, TrialOutcome};
use crate::model::partners::Partners;
use crate::model::presence::Presence;
use crate::model::procurement::JointProcurement;
use crate::model::programmes::Programmes;
use crate::scenario::{CutProfile, DAYS_PER_YEAR, EngagementItem, Line, Scenario, TICKS_PER_YEAR};

struct World<'a> {
    s: &'a Scenario,
    level: f64,
    draws: &'a [CrisisDraw],
    gdp_growth: &'a [f64],
    tl: Timeline,
    ledger: Ledger,
    forces: Forces,
    partners: Partners,
    presence: Presence,
    exercises: Exercises,
    programmes: Programmes,
    procurement: JointProcurement,
    alliance: Alliance,
    crises: Crises,
    tally: Tally,
    yearly: Vec<[f64; N_YEAR_METRICS]>,
}

/// Runs one trial at one budget level on pre-drawn crises and GDP growth. With `trace` the
/// chronological event log is returned too.
pub fn run_trial(
    s: &Scenario,
    level: f64,
    crises: &[CrisisDraw],
    gdp_growth: &[f64],
    trace: bool,
) -> (TrialOutcome, Option<Vec<TraceRow>>) {
    let mut w = World::new(s, level, crises, gdp_growth, trace);
    w.run();
    let outcome = w.outcome();
    (outcome, w.tl.log)
}

pub(crate) fn sorted_by_priority<T>(items: &[T], priority: impl Fn(&T) -> i64) -> Vec<usize> {
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by_key(|&i| (priority(&items[i]), i));
    order
}

impl<'a> World<'a> {
    fn new(
        s: &'a Scenario,
        level: f64,
        crises: &'a [CrisisDraw],
        gdp_growth: &'a [f64],
        trace: bool,
    ) -> Self {
        let f = &s.forces;
        World {
            s,
            level,
            draws: crises,
            gdp_growth,
            tl: Timeline::new(64 + crises.len() * 3, crises.len(), trace),
            ledger: Ledger::new(s.years),
            forces: Forces::new(f),
            partners: Partners::new(s),
            presence: Presence::new(s),
            exercises: Exercises::new(s),
            programmes: Programmes::new(s),
            procurement: JointProcurement::new(s),
            alliance: Alliance::new(s),
            crises: Crises::new(s, crises),
            tally: Tally::default(),
            yearly: Vec::with_capacity(s.years),
        }
    }

    /// The event loop. The helpers every crisis goes through (`schedule_or_run`, `try_serve`,
    /// `deploy`, `ready_units`, `unit_readiness`, `touch_partner`, the queue's `push_key`) are
    /// `#[inline(always)]`: left to itself the compiler called them, and inlining them into this
    /// loop (what profile-guided optimisation did) makes the crisis core about 2% faster.
    fn run(&mut self) {
        self.presence.open_all(self.s, &mut self.partners, 0.0);
        self.tl.schedule(0.0, Event::YearStart(0));
        let draws = self.draws;
        self.tl.set_arrivals(draws.iter().map(|c| c.arrival));
        let last = self.s.years as u32 - 1;
        while let Some(event) = self.tl.advance(|i| draws[i as usize].arrival) {
            match event {
                Event::YearStart(y) => self.year_start(y as usize),
                Event::YearEnd(y) => {
                    self.year_end(y as usize);
                    if y == last {
                        break;
                    }
                }
                Event::Shock => self.shock(),
                Event::Tick(k) => self.tick(k as usize),
                Event::PersonnelChange => self.personnel_change(),
                Event::CrisisEnd(i) => self.crisis_end(i as usize),
                Event::UnitFree(u) => self.unit_free(u as usize),
                Event::ExerciseStart(e) => self.exercise_start(e as usize),
                Event::ExerciseEnd(e) => self.exercise_end(e as usize),
                Event::PostOpen(p) => self.post_open(p as usize),
                Event::CrisisArrival(i) => self.crisis_arrival(i as usize),
                Event::CrisisDetected(i) => self.crisis_detected(i as usize),
                Event::CrisisDeadline(i) => self.crisis_deadline(i as usize),
            }
        }
    }

    /// Schedules an event under a sequence number taken earlier, or — when it would be the very
    /// next event anyway — handles it at once, which is the same order without a trip through
    /// the queue.
    #[inline(always)]
    fn schedule_or_run(&mut self, time: f64, seq: u64, e: Event) {
        if self.tl.due_now_or_schedule(time, seq, e) {
            match e {
                Event::CrisisDetected(i) => self.crisis_detected(i as usize),
                Event::CrisisDeadline(i) => self.crisis_deadline(i as usize),
                _ => unreachable!("only crisis decisions are run at once"),
            }
        }
    }

    // ---- fiscal year -------------------------------------------------------------------

    fn year_start(&mut self, y: usize) {
        let s = self.s;
        self.tl.open_year(y);
        self.forces.open_year(s, y);
        self.tally.open_year();
        self.ledger.open_year(s, self.level, y, &mut self.tl);
        self.alliance.open_year(y, self.gdp_growth);
        self.alliance.pay_assessed(&mut self.ledger);

        let base = y as f64 * DAYS_PER_YEAR;
        self.plan_personnel();
        self.plan_procurement();
        self.exercises
            .open_year(s, y, &mut self.tally, &mut self.tl);
        self.programmes.open_year(s, &mut self.tally);
        self.plan_engagement(true);
        if let CutProfile::Shock { day, .. } = s.budget.cut.profile
            && y == s.budget.cut.start_year
            && self.level < 1.0
        {
            self.tl.schedule(base + day, Event::Shock);
        }
        self.tl
            .schedule(base + DAYS_PER_YEAR, Event::YearEnd(y as u32));
        if y + 1 < s.years {
            self.tl
                .schedule(base + DAYS_PER_YEAR, Event::YearStart(y as u32 + 1));
        }
    }

    fn year_end(&mut self, y: usize) {
        let s = self.s;
        self.partners.touch_all(s, self.tl.now);
        let lines = *self.ledger.year(y);
        self.alliance
            .pledge_check(s, &lines, &mut self.partners, &mut self.tally, &mut self.tl);
        let seen = self.observed();
        let row = outcomes::year_row(s, y, &self.tally, &seen, &lines, &mut self.tl);
        self.yearly.push(row);
    }

    /// What the outcomes read of the mechanisms now.
    fn observed(&self) -> Observed {
        Observed {
            partners: self.partners.summary(self.s),
            credibility: self.alliance.credibility,
            posts_open: self.presence.open(),
            units: self.active_units(),
        }
    }

    /// The mid-year shock: the year's whole cut is taken from money not yet spent, spread by
    /// the cut policy (personnel can give up at most `personnel_max_cut` under sticky
    /// personnel), then everything still to come this year is re-planned.
    fn shock(&mut self) {
        let s = self.s;
        self.ledger.rescind(s, self.level, &mut self.tl);
        self.plan_personnel();
        self.plan_procurement();
        self.plan_engagement(false);
    }

    // ---- personnel and forces ----------------------------------------------------------

    fn active_units(&self) -> usize {
        self.forces.active_units()
    }

    fn plan_personnel(&mut self) {
        self.forces
            .plan_personnel(self.s, &self.ledger, &mut self.tl);
    }

    fn personnel_change(&mut self) {
        self.forces.change_personnel(self.s, &mut self.tl);
        self.try_serve();
    }

    fn unit_free(&mut self, u: usize) {
        if self.forces.unit_free(u, self.tl.now) {
            self.try_serve();
        }
    }

    // ---- monthly tick ------------------------------------------------------------------

    fn tick(&mut self, k: usize) {
        let s = self.s;
        let remaining = (TICKS_PER_YEAR - k) as f64;
        self.tl.ticks_done = k + 1;

        self.forces.pay_month(
            s,
            &mut self.ledger,
            &mut self.tally,
            &mut self.tl,
            remaining,
        );

        // Procurement: joint programmes first, national contracts spend the rest evenly.
        self.procurement
            .pay_month(s, &mut self.ledger, self.tl.year, remaining);

        // Posts and programmes are paid monthly from engagement.
        self.presence.pay_month(s, &mut self.ledger);
        self.programmes
            .pay_month(s, &mut self.ledger, &mut self.tally);

        // Accrual of trust (attachés, programmes) and interoperability (joint equipment).
        let joint = self.procurement.partners_in_active(s, self.tl.year);
        self.partners
            .accrue_month(s, self.programmes.rate_by_partner(), joint, self.tl.now);
        self.presence.tally_month(s, &mut self.tally);
    }

    // ---- procurement -------------------------------------------------------------------

    fn plan_procurement(&mut self) {
        self.procurement.plan(
            self.s,
            &self.ledger,
            &mut self.partners,
            &mut self.tally,
            &mut self.tl,
        );
    }

    // ---- engagement --------------------------------------------------------------------

    /// Funds posts, programmes and exercises from the engagement line in the scenario's
    /// order for the rest of the year. At the year's start (`fresh`) every exercise is
    /// planned; after a shock only those not yet started are reconsidered.
    fn plan_engagement(&mut self, fresh: bool) {
        let s = self.s;
        let rem = self.tl.remaining_ticks() as f64 / TICKS_PER_YEAR as f64;
        if rem <= 0.0 {
            // A shock after the last monthly payment leaves nothing to re-plan this year.
            return;
        }
        let mut money = self.ledger.available(Line::Engagement);
        for &item in &s.budget.engagement_order {
            match item {
                EngagementItem::Posts => self.presence.plan(
                    s,
                    &mut self.ledger,
                    &mut self.partners,
                    &mut self.tl,
                    &mut money,
                    rem,
                ),
                EngagementItem::Programmes => {
                    self.programmes
                        .plan(s, &mut self.partners, &mut self.tl, &mut money, rem)
                }
                EngagementItem::Exercises => self.exercises.plan(
                    s,
                    &mut self.ledger,
                    &mut self.partners,
                    &mut self.tally,
                    &mut self.tl,
                    &mut money,
                    fresh,
                ),
            }
        }
    }

    fn post_open(&mut self, p: usize) {
        self.presence
            .reopened(self.s, p, &mut self.partners, &mut self.tl);
    }

    fn exercise_start(&mut self, e: usize) {
        self.exercises.start(
            self.s,
            e,
            &mut self.forces,
            &mut self.ledger,
            &mut self.partners,
            &mut self.tally,
            &mut self.tl,
        );
    }

    fn exercise_end(&mut self, e: usize) {
        self.exercises.end(
            self.s,
            e,
            &mut self.forces,
            &mut self.partners,
            &mut self.tl,
        );
        self.try_serve();
    }

    // ---- crises ------------------------------------------------------------------------

    fn crisis_arrival(&mut self, i: usize) {
        let due = self.crises.arrive(
            self.s,
            self.draws,
            i,
            &self.presence,
            &mut self.tally,
            &mut self.tl,
        );
        // Detection and the deadline are often due at once (no warning delay, no window):
        // they take their sequence numbers now, in this order, as if both were pushed, and
        // run straight away when nothing else comes first.
        let detect_seq = self.tl.reserve_seq();
        let deadline_seq = due.deadline.is_finite().then(|| self.tl.reserve_seq());
        self.schedule_or_run(due.detected, detect_seq, Event::CrisisDetected(i as u32));
        if let Some(seq) = deadline_seq {
            self.schedule_or_run(due.deadline, seq, Event::CrisisDeadline(i as u32));
        }
    }

    fn crisis_detected(&mut self, i: usize) {
        if self.crises.detected(i) {
            self.try_serve();
        }
    }

    fn crisis_deadline(&mut self, i: usize) {
        self.crises.deadline(
            self.s,
            self.draws,
            i,
            &mut self.partners,
            &mut self.tally,
            &mut self.tl,
        );
    }

    #[inline(always)]
    fn try_serve(&mut self) {
        let mut with = Responders {
            forces: &mut self.forces,
            ledger: &mut self.ledger,
            partners: &mut self.partners,
            tally: &mut self.tally,
        };
        self.crises
            .serve(self.s, self.draws, &mut with, &mut self.tl);
    }

    fn crisis_end(&mut self, i: usize) {
        self.crises
            .end(self.s, self.draws, i, &mut self.forces, &mut self.tl);
        self.try_serve();
    }

    // ---- outcome -----------------------------------------------------------------------

    fn outcome(&mut self) -> TrialOutcome {
        let s = self.s;
        let crises = outcomes::crises_within_horizon(s, self.draws.iter().map(|c| c.arrival));
        let seen = self.observed();
        let metrics = outcomes::trial_metrics(s, crises, &self.tally, &seen, self.ledger.years());
        let (partner_trust, partner_interop) = self.partners.finals();
        TrialOutcome {
            metrics,
            yearly: std::mem::take(&mut self.yearly),
            partner_trust,
            partner_interop,
            ledger: std::mem::replace(&mut self.ledger, Ledger::new(0)).into_years(),
            events_processed: self.tl.events,
        }
    }
}
