//! The world of one trial at one budget level (`docs/MODEL.md` sections 1–12 together): the
//! mechanisms composed side by side, and the [`Handler`] that maps each event to the mechanism
//! that owns it, in the order the calendar asks for. Mechanisms never see each other's state:
//! each handler below hands a mechanism exactly the parts it may touch, so a signature says
//! what a mechanism reads and changes.
//!
//! ```text
//!   Ledger ──money──▶ Forces ──units──▶ Exercises, Crises (response)
//!     │                  ▲                    │
//!     ├──▶ Presence, Programmes, JointProcurement, Alliance ──▶ Partners (trust, interoperability)
//!     │                                                      ▲
//!   Tally ◀── every mechanism reports counts ──  Outcomes read Tally, Partners, Alliance,
//!                                                 Presence, Forces and the Ledger
//! ```
//!
//! Everything random was drawn before the trial (`model::crisis::generate` and the GDP path),
//! so a trial is a deterministic function of the scenario, the level and those draws.

use crate::engine::{self, Event, Handler, Timeline, TraceRow};
use crate::metrics::N_YEAR_METRICS;
use crate::model::alliance::{Alliance, Delivered};
use crate::model::crisis::response::{Crises, Responders};
use crate::model::crisis::{CrisisDraw, Exogenous};
use crate::model::exercises::Exercises;
use crate::model::forces::Forces;
use crate::model::invitations::Invitations;
use crate::model::ledger::Ledger;
use crate::model::outcomes::{self, Observed, Tally, TrialOutcome};
use crate::model::partners::Partners;
use crate::model::presence::Presence;
use crate::model::procurement::JointProcurement;
use crate::model::programmes::Programmes;
use crate::model::reprogramming::{Outlook, Reprogramming};
use crate::scenario::{
    CutProfile, DAYS_PER_YEAR, EngagementItem, EngagementSplit, Line, Scenario, TICKS_PER_YEAR,
};

struct World<'a> {
    s: &'a Scenario,
    /// The budget level, a fraction of the baseline.
    level: f64,
    draws: &'a [CrisisDraw],
    exo: &'a Exogenous,
    ledger: Ledger,
    forces: Forces,
    partners: Partners,
    presence: Presence,
    exercises: Exercises,
    invitations: Invitations,
    programmes: Programmes,
    procurement: JointProcurement,
    reprogramming: Reprogramming,
    alliance: Alliance,
    crises: Crises,
    tally: Tally,
    yearly: Vec<[f64; N_YEAR_METRICS]>,
    /// Each partner's trust and interoperability at each year end, at `year × partners + p`.
    partner_years: (Vec<f64>, Vec<f64>),
}

/// Runs one trial at one budget level on pre-drawn crises and exogenous draws. With `trace` the
/// chronological event log is returned too.
pub fn run_trial(
    s: &Scenario,
    level: f64,
    crises: &[CrisisDraw],
    exo: &Exogenous,
    trace: bool,
) -> (TrialOutcome, Option<Vec<TraceRow>>) {
    let mut tl = Timeline::new(64 + crises.len() * 3, crises.len(), trace);
    let mut w = World::new(s, level, crises, exo);
    w.presence.open_all(s, &mut w.partners, 0.0);
    tl.schedule(0.0, Event::YearStart(0));
    tl.set_arrivals(crises.iter().map(|c| c.arrival));
    engine::run(&mut tl, &mut w, |i| crises[i as usize].arrival);
    let outcome = w.outcome(&tl);
    (outcome, tl.log)
}

impl Handler for World<'_> {
    /// The helpers every crisis goes through (`schedule_or_run`, `serve`, `deploy`,
    /// `ready_units`, `readiness`, `Partners::touch`, the queue's `push_key`) are
    /// `#[inline(always)]`: left to itself the compiler called them, and inlining them into the
    /// loop (what profile-guided optimisation did) makes the crisis core about 2% faster. The
    /// small methods the crisis path calls across the mechanisms' modules (ledger, tally,
    /// partners, forces, timeline) carry `#[inline]` hints for the same reason: without them
    /// splitting the engine into modules cost the crisis core about 5%, with them about 1.5%.
    #[inline(always)]
    fn handle(&mut self, tl: &mut Timeline, event: Event) -> bool {
        match event {
            Event::YearStart(y) => self.year_start(tl, y as usize),
            Event::YearEnd(y) => {
                self.year_end(tl, y as usize);
                if y as usize + 1 == self.s.years {
                    return false;
                }
            }
            Event::Shock => self.shock(tl),
            Event::Tick(k) => self.tick(tl, k as usize),
            Event::PersonnelChange => {
                self.forces.change_personnel(self.s, tl);
                self.serve(tl);
            }
            Event::CrisisEnd(i) => {
                let i = i as usize;
                self.crises.end(self.s, self.draws, i, &mut self.forces, tl);
                self.serve(tl);
            }
            Event::UnitFree(u) => {
                if self.forces.unit_free(u as usize, tl.now) {
                    self.serve(tl);
                }
            }
            Event::ExerciseStart(e) => self.exercises.start(
                self.s,
                e as usize,
                &mut self.forces,
                &mut self.ledger,
                &mut self.partners,
                &mut self.tally,
                tl,
            ),
            Event::ExerciseEnd(e) => {
                let e = e as usize;
                self.exercises
                    .end(self.s, e, &mut self.forces, &mut self.partners, tl);
                self.serve(tl);
            }
            Event::InvitationStart(p) => self.invitations.start(
                self.s,
                p as usize,
                &mut self.forces,
                &mut self.ledger,
                &mut self.tally,
                tl,
            ),
            Event::InvitationEnd(p) => {
                self.invitations
                    .end(self.s, p as usize, &mut self.forces, &mut self.partners, tl);
                self.serve(tl);
            }
            Event::PostOpen(p) => {
                self.presence
                    .reopened(self.s, p as usize, &mut self.partners, tl)
            }
            Event::CrisisArrival(i) => self.crisis_arrival(tl, i as usize),
            Event::CrisisDetected(i) => self.crisis_detected(tl, i as usize),
            Event::CrisisDeadline(i) => self.crisis_deadline(tl, i as usize),
        }
        true
    }
}

impl<'a> World<'a> {
    fn new(s: &'a Scenario, level: f64, draws: &'a [CrisisDraw], exo: &'a Exogenous) -> Self {
        World {
            s,
            level,
            draws,
            exo,
            ledger: Ledger::new(s.years),
            forces: Forces::new(&s.forces),
            partners: Partners::new(s),
            presence: Presence::new(s),
            exercises: Exercises::new(s),
            invitations: Invitations::new(s),
            programmes: Programmes::new(s),
            reprogramming: Reprogramming::default(),
            procurement: JointProcurement::new(s),
            alliance: Alliance::new(s),
            crises: Crises::new(s, draws),
            tally: Tally::default(),
            yearly: Vec::with_capacity(s.years),
            partner_years: (
                Vec::with_capacity(s.years * s.partners.len()),
                Vec::with_capacity(s.years * s.partners.len()),
            ),
        }
    }

    // ---- fiscal year (sections 1, 2) ----------------------------------------------------

    /// `YearStart(y)`: the clock opens the year and its ticks; the ledger appropriates; the
    /// alliance is paid; then personnel, joint procurement, exercises and the engagement line
    /// are planned, in that order; the shock (if this is its year) and the year's end are
    /// scheduled.
    fn year_start(&mut self, tl: &mut Timeline, y: usize) {
        let s = self.s;
        tl.open_year(y);
        self.forces.open_year(s, y);
        self.tally.open_year();
        self.ledger.open_year(s, self.level, y, tl);
        self.reprogramming.open_year();
        self.alliance.open_year(y, &self.exo.gdp_growth);
        self.alliance.pay_assessed(&mut self.ledger);
        self.forces.plan_personnel(s, &mut self.ledger, tl);
        self.plan_procurement(tl, true);
        self.exercises.open_year(s, y, &mut self.tally, tl);
        self.invitations
            .open_year(s, y, self.exo, &mut self.partners, &mut self.tally, tl);
        self.programmes.open_year(s, y, &mut self.tally);
        self.plan_engagement(tl, true);
        let base = y as f64 * DAYS_PER_YEAR;
        if let CutProfile::Shock { day, .. } = s.budget.cut.profile
            && y == s.budget.cut.start_year
            && self.level < 1.0
        {
            tl.schedule(base + day, Event::Shock);
        }
        tl.schedule(base + DAYS_PER_YEAR, Event::YearEnd(y as u32));
        if y + 1 < s.years {
            tl.schedule(base + DAYS_PER_YEAR, Event::YearStart(y as u32 + 1));
        }
    }

    /// `YearEnd(y)`: partners brought up to date, the reserve's unused money obligated or
    /// lapsed, the pledge checked, the year's row written.
    fn year_end(&mut self, tl: &mut Timeline, y: usize) {
        let s = self.s;
        self.partners.touch_all(s, tl.now);
        self.reprogramming.close_year(s, &mut self.ledger, tl);
        let lines = *self.ledger.year(y);
        let year = &self.tally.year;
        let decided = year.answered + year.unanswered;
        let delivered = Delivered {
            exercises: (year.ally_exercises_planned > 0.0)
                .then(|| year.ally_exercises_held / year.ally_exercises_planned),
            crises: (decided > 0.0).then(|| year.answered / decided),
            joint: self.procurement.kept_share(s, y),
        };
        self.alliance.pledge_check(
            s,
            self.level,
            &lines,
            delivered,
            &mut self.partners,
            &mut self.tally,
            tl,
        );
        let seen = self.observed();
        let row = outcomes::year_row(s, y, &self.tally, &seen, &lines, tl);
        self.yearly.push(row);
        let (trust, interop) = &mut self.partner_years;
        self.partners.record(trust, interop);
    }

    /// `Shock`: the ledger rescinds the year's cut from unspent money, then everything still
    /// to come this year is re-planned.
    fn shock(&mut self, tl: &mut Timeline) {
        let s = self.s;
        let committed = self.forces.payroll_committed(&s.forces, tl);
        self.ledger.rescind(s, self.level, committed, tl);
        self.forces.plan_personnel(s, &mut self.ledger, tl);
        self.plan_procurement(tl, false);
        self.plan_engagement(tl, false);
    }

    /// `Tick(k)`: the month's payroll and training, procurement, post and programme payments,
    /// then the partners' accrual and the month's share of posts open.
    fn tick(&mut self, tl: &mut Timeline, k: usize) {
        let s = self.s;
        let remaining = (TICKS_PER_YEAR - k) as f64;
        if s.budget.reprogramming.ticks.contains(&k) {
            // Before this month's payments, with this month still to pay for.
            tl.ticks_done = k;
            let outlook = Outlook {
                payroll: self.forces.payroll_forecast(tl),
                // A guest's cost at a partner's exercise is operations money (travel, fuel,
                // per diem), so invitations not yet taken up keep theirs from reprogramming.
                training: self.forces.training_outlook(TICKS_PER_YEAR - k)
                    + self.invitations.outlook(s, tl.year),
                engagement: self.presence.outlook(s, tl.year, TICKS_PER_YEAR - k)
                    + self.programmes.outlook(s, tl.year, TICKS_PER_YEAR - k)
                    + self.exercises.outlook(s, tl.year),
            };
            self.reprogramming.review(s, &mut self.ledger, outlook, tl);
        }
        tl.ticks_done = k + 1;
        self.forces
            .pay_month(s, &mut self.ledger, &mut self.tally, tl, remaining);
        self.procurement
            .pay_month(s, &mut self.ledger, tl.year, remaining);
        self.presence.pay_month(s, &mut self.ledger);
        self.programmes
            .pay_month(s, &mut self.ledger, &mut self.tally);
        let joint = self.procurement.partners_in_active(s, tl.year);
        self.partners
            .accrue_month(s, self.programmes.rate_by_partner(), joint, tl.now);
        self.presence.tally_month(s, &mut self.tally);
    }

    /// Joint procurement's plan; the partners decide on exits only at a year's start
    /// (`fresh`), with that year's draws.
    fn plan_procurement(&mut self, tl: &mut Timeline, fresh: bool) {
        self.procurement.plan(
            self.s,
            &self.ledger,
            &mut self.partners,
            &mut self.tally,
            tl,
            fresh.then_some(&self.exo.joint_exit[..]),
        );
    }

    /// The engagement line's plan (section 2, `budget.engagement_order`): posts, programmes and
    /// exercises are funded from what the line has left, in the scenario's order, for the rest
    /// of the year. At the year's start (`fresh`) every exercise is planned; after a shock only
    /// those not yet started are reconsidered.
    fn plan_engagement(&mut self, tl: &mut Timeline, fresh: bool) {
        let s = self.s;
        let rem = tl.remaining_ticks() as f64 / TICKS_PER_YEAR as f64;
        if rem <= 0.0 {
            // A shock after the last monthly payment leaves nothing to re-plan this year.
            return;
        }
        let available = self.ledger.available(Line::Engagement);
        let order = &s.budget.engagement_order;
        let year = tl.year;
        let plan = |w: &Self, item: EngagementItem| match item {
            EngagementItem::Posts => w.presence.plan_cost(s, year, rem),
            EngagementItem::Programmes => w.programmes.plan_cost(s, year, rem),
            EngagementItem::Exercises => w.exercises.outlook(s, year),
        };
        // Under `proportional` every item first gets the same share of its plan and what one
        // does not use (a post too dear to fit, say) passes to the next; the last gets all that
        // is left. Under `order` each item gets all that the earlier ones left.
        let share = match s.budget.engagement_split {
            EngagementSplit::Order => None,
            EngagementSplit::Proportional => {
                let total: f64 = order.iter().map(|&i| plan(self, i)).sum();
                Some(if total > 0.0 {
                    (available / total).min(1.0)
                } else {
                    1.0
                })
            }
        };
        let (mut left, mut carried) = (available, 0.0);
        for (n, &item) in order.iter().enumerate() {
            let given = match share {
                Some(x) if n + 1 < order.len() => (x * plan(self, item) + carried).min(left),
                _ => left,
            };
            let mut money = given;
            match item {
                EngagementItem::Posts => {
                    self.presence
                        .plan(s, &mut self.ledger, &mut self.partners, tl, &mut money, rem)
                }
                EngagementItem::Programmes => {
                    self.programmes
                        .plan(s, &mut self.partners, tl, &mut money, rem)
                }
                EngagementItem::Exercises => self.exercises.plan(
                    s,
                    &mut self.ledger,
                    &mut self.partners,
                    &mut self.tally,
                    tl,
                    &mut money,
                    fresh,
                ),
            }
            // Under `order` the money threads through unchanged, as it always did.
            left = match share {
                None => money,
                Some(_) => left - (given - money),
            };
            carried = money;
        }
    }

    // ---- crises (section 9) -------------------------------------------------------------

    /// `CrisisArrival(i)`: the crisis is counted, then its detection and deadline are
    /// scheduled — or handled at once when due before anything else.
    fn crisis_arrival(&mut self, tl: &mut Timeline, i: usize) {
        let due = self.crises.arrive(
            self.s,
            self.draws,
            i,
            &self.presence,
            &mut self.partners,
            &mut self.tally,
            tl,
        );
        // Detection and the deadline are often due at once (no warning delay, no window):
        // they take their sequence numbers now, in this order, as if both were pushed, and
        // run straight away when nothing else comes first.
        let detect_seq = tl.reserve_seq();
        let deadline_seq = due.deadline.is_finite().then(|| tl.reserve_seq());
        let detected = Event::CrisisDetected(i as u32);
        if tl.due_now_or_schedule(due.detected, detect_seq, detected) {
            self.crisis_detected(tl, i);
        }
        if let Some(seq) = deadline_seq
            && tl.due_now_or_schedule(due.deadline, seq, Event::CrisisDeadline(i as u32))
        {
            self.crisis_deadline(tl, i);
        }
    }

    fn crisis_detected(&mut self, tl: &mut Timeline, i: usize) {
        if self.crises.detected(i) {
            self.serve(tl);
        }
    }

    fn crisis_deadline(&mut self, tl: &mut Timeline, i: usize) {
        self.crises.deadline(
            self.s,
            self.draws,
            i,
            &mut self.partners,
            &mut self.tally,
            tl,
        );
    }

    /// Serves the waiting crises; called whenever units may have become available.
    #[inline(always)]
    fn serve(&mut self, tl: &mut Timeline) {
        let mut with = Responders {
            forces: &mut self.forces,
            ledger: &mut self.ledger,
            partners: &mut self.partners,
            tally: &mut self.tally,
        };
        self.crises.serve(self.s, self.draws, &mut with, tl);
    }

    // ---- outcomes (section 12) ----------------------------------------------------------

    /// What the outcomes read of the mechanisms now.
    fn observed(&self) -> Observed {
        Observed {
            partners: self.partners.summary(self.s),
            credibility: self.alliance.credibility,
            posts_open: self.presence.open(),
            units: self.forces.strength(),
        }
    }

    fn outcome(self, tl: &Timeline) -> TrialOutcome {
        let s = self.s;
        let crises = outcomes::crises_within_horizon(s, self.draws.iter().map(|c| c.arrival));
        let seen = self.observed();
        let metrics = outcomes::trial_metrics(s, crises, &self.tally, &seen, self.ledger.years());
        let (partner_trust, partner_interop) = self.partners.finals();
        TrialOutcome {
            metrics,
            yearly: self.yearly,
            partner_trust,
            partner_interop,
            partner_trust_yearly: self.partner_years.0,
            partner_interop_yearly: self.partner_years.1,
            ledger: self.ledger.into_years(),
            events_processed: tl.events,
            aborted: tl.aborted,
        }
    }
}
