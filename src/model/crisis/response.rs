//! Crisis response (`docs/MODEL.md` section 9): a crisis's life after it arrives — warning time
//! (shortened by presence in its region), the waiting list in the scenario's service order,
//! deployment of the most ready units when they can arrive within the window and the money is
//! there, the deadline, and the trust an answer or a failure moves. Keys: `crises[].*`,
//! `crisis_response.*`, `forces.deploy_min_readiness`, `forces.mobilisation_days_*`,
//! `forces.deployment_wear`, `forces.reconstitution_days`, `trust.crisis_*`,
//! `interoperability.mobilisation_speedup`. Touches forces (deploys and returns units), the
//! ledger (crisis reserve, then operations), partners and the tally; reads presence.

use crate::engine::{Event, Timeline, trace};
use crate::model::budget;
use crate::model::crisis::CrisisDraw;
use crate::model::forces::{Away, Forces};
use crate::model::ledger::{Ledger, MONEY_EPS};
use crate::model::outcomes::Tally;
use crate::model::partners::Partners;
use crate::model::presence::Presence;
use crate::scenario::{Line, QueueOrder, Scenario};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CrisisStatus {
    Undetected,
    Waiting,
    Answered,
    Unanswered,
}

#[derive(Debug, Clone, Copy)]
struct CrisisState {
    status: CrisisStatus,
    deadline: f64,
    /// The units deployed, as a range of `Crises::deployed` (an arena that only grows within a
    /// trial, so deploying allocates nothing per crisis).
    units_at: usize,
    units_len: usize,
    /// Units the country must send: the draw, less what a contributing partner sends.
    needed: usize,
}

/// When a crisis that just arrived is detected and when its window closes.
#[derive(Debug, Clone, Copy)]
pub struct Due {
    pub detected: f64,
    pub deadline: f64,
}

#[derive(Debug)]
pub struct Crises {
    states: Vec<CrisisState>,
    /// Detected crises not yet answered or lapsed, in detection order.
    waiting: Vec<u32>,
    /// Reused buffers, so that no event allocates once a trial is under way.
    waiting_spare: Vec<u32>,
    deployed: Vec<u32>,
    ready: Vec<(usize, f64)>,
}

/// What serving a crisis touches besides the crises themselves.
pub struct Responders<'r> {
    pub forces: &'r mut Forces,
    pub ledger: &'r mut Ledger,
    pub partners: &'r mut Partners,
    pub tally: &'r mut Tally,
}

impl Crises {
    pub fn new(s: &Scenario, draws: &[CrisisDraw]) -> Self {
        Crises {
            states: draws
                .iter()
                .map(|_| CrisisState {
                    status: CrisisStatus::Undetected,
                    deadline: f64::INFINITY,
                    units_at: 0,
                    units_len: 0,
                    needed: 0,
                })
                .collect(),
            waiting: Vec::new(),
            waiting_spare: Vec::new(),
            deployed: Vec::with_capacity(draws.len()),
            ready: Vec::with_capacity(s.forces.units),
        }
    }

    /// `CrisisArrival(i)`: the crisis is counted and its detection and deadline are set (the
    /// engine schedules them). Presence in the region shortens the warning time, and so does
    /// the affected partner's intelligence, the more it trusts the country; the partner may
    /// contribute units, the more likely the more it trusts the country (`[feedback]`).
    #[inline]
    #[allow(clippy::too_many_arguments)]
    pub fn arrive(
        &mut self,
        s: &Scenario,
        draws: &[CrisisDraw],
        i: usize,
        presence: &Presence,
        partners: &mut Partners,
        tally: &mut Tally,
        tl: &mut Timeline,
    ) -> Due {
        let c = &draws[i];
        let region = s.partners[c.partner].region;
        let fb = &s.feedback;
        let mut factor = presence.detection_factor(s, region);
        let mut needed = c.units;
        if fb.intelligence > 0.0 || fb.contribution_rate > 0.0 {
            partners.touch(s, c.partner, tl.now);
            let trust = partners.trust(c.partner);
            factor *= 1.0 - fb.intelligence * trust;
            let start = s.partners[c.partner].trust;
            let q = if start > 0.0 {
                (fb.contribution_rate * trust / start).min(1.0)
            } else {
                0.0
            };
            if c.assist < q && fb.contribution_units > 0 && c.units > 1 {
                needed = c.units.saturating_sub(fb.contribution_units).max(1);
                tally.crisis_assisted();
                trace!(
                    tl,
                    "partner_contribution",
                    s.partners[c.partner].name.clone(),
                    "sends {} unit(s) to the {} on its soil (trust {:.3}, chance {:.3})",
                    c.units - needed,
                    s.crises[c.kind].name,
                    trust,
                    q
                );
            }
        }
        self.states[i].needed = needed;
        let detected = tl.now + c.detection_days * factor;
        let deadline = tl.now + c.window_days;
        self.states[i].deadline = deadline;
        tally.crisis_arrived();
        trace!(
            tl,
            "crisis_arrival",
            s.crises[c.kind].name.clone(),
            "in {} ({}): {} unit(s) for {:.1} days, window {:.1} days, detected on day {:.2}",
            s.partners[c.partner].name,
            s.regions[region],
            c.units,
            c.duration_days,
            c.window_days,
            detected
        );
        Due { detected, deadline }
    }

    /// `CrisisDetected(i)`: the crisis joins the waiting list. Returns whether it did (a crisis
    /// whose window closed first is not served).
    #[inline]
    pub fn detected(&mut self, i: usize) -> bool {
        if self.states[i].status != CrisisStatus::Undetected {
            return false;
        }
        self.states[i].status = CrisisStatus::Waiting;
        self.waiting.push(i as u32);
        true
    }

    /// `CrisisDeadline(i)`: a crisis not yet answered is unanswered; the affected partner's
    /// trust falls, and its neighbours' with the regional spillover.
    pub fn deadline(
        &mut self,
        s: &Scenario,
        draws: &[CrisisDraw],
        i: usize,
        partners: &mut Partners,
        tally: &mut Tally,
        tl: &mut Timeline,
    ) {
        let st = self.states[i].status;
        if !matches!(st, CrisisStatus::Undetected | CrisisStatus::Waiting) {
            return;
        }
        self.states[i].status = CrisisStatus::Unanswered;
        self.waiting.retain(|&w| w as usize != i);
        let c = &draws[i];
        tally.crisis_decided(false);
        let affected = c.partner;
        partners.crisis_decided(
            s,
            affected,
            false,
            s.trust.crisis_unanswered_penalty,
            tl.now,
        );
        trace!(
            tl,
            "crisis_unanswered",
            s.crises[c.kind].name.clone(),
            "window closed {}; {} trust falls",
            if st == CrisisStatus::Undetected {
                "before detection"
            } else {
                "with no ready units or money"
            },
            s.partners[affected].name
        );
    }

    /// Serves waiting crises in the stated order; each takes the most ready units if they can
    /// reach it within its window and the money for the whole deployment is there.
    #[inline(always)]
    pub fn serve(
        &mut self,
        s: &Scenario,
        draws: &[CrisisDraw],
        with: &mut Responders,
        tl: &mut Timeline,
    ) {
        if self.waiting.is_empty() {
            return;
        }
        let mut order = std::mem::take(&mut self.waiting);
        // Every key ends in the crisis index, so keys are unique and the unstable sorts (which
        // never allocate) give the one order.
        match s.queue_order {
            QueueOrder::Fifo => order.sort_unstable(),
            QueueOrder::Priority => {
                order.sort_unstable_by_key(|&i| (s.crises[draws[i as usize].kind].priority, i))
            }
            QueueOrder::Deadline => order.sort_unstable_by(|&a, &b| {
                self.states[a as usize]
                    .deadline
                    .total_cmp(&self.states[b as usize].deadline)
                    .then(a.cmp(&b))
            }),
        }
        let mut still = std::mem::take(&mut self.waiting_spare);
        still.clear();
        for (k, &i) in order.iter().enumerate() {
            // A long waiting list makes one event long: look at the bounds as it goes.
            if k % 64 == 63 && tl.must_stop() {
                still.extend_from_slice(&order[k..]);
                break;
            }
            if !self.deploy(s, draws, i as usize, with, tl) {
                still.push(i);
            }
        }
        order.clear();
        self.waiting = still;
        self.waiting_spare = order;
    }

    #[inline(always)]
    fn deploy(
        &mut self,
        s: &Scenario,
        draws: &[CrisisDraw],
        i: usize,
        with: &mut Responders,
        tl: &mut Timeline,
    ) -> bool {
        tl.unit_checks += with.forces.size() as u64;
        let mut ready = std::mem::take(&mut self.ready);
        let count = with.forces.ready_units(
            &s.forces,
            s.forces.deploy_min_readiness,
            tl.now,
            self.states[i].needed,
            &mut ready,
        );
        let deployed = self.try_deploy(s, draws, i, &ready, count, with, tl);
        self.ready = ready;
        deployed
    }

    /// Deploys crisis `i` from the ready units if they can reach it in time and the money is
    /// there.
    #[allow(clippy::too_many_arguments)]
    fn try_deploy(
        &mut self,
        s: &Scenario,
        draws: &[CrisisDraw],
        i: usize,
        ready: &[(usize, f64)],
        count: usize,
        with: &mut Responders,
        tl: &mut Timeline,
    ) -> bool {
        let f = &s.forces;
        let c = &draws[i];
        let needed = self.states[i].needed;
        // `ready` holds the `needed` most ready of the `count` ready units.
        if count < needed {
            return false;
        }
        // A crisis below the reserve's priority may not take the last ready units kept back.
        let reserve = &s.unit_reserve;
        if count - needed < reserve.units && s.crises[c.kind].priority > reserve.priority {
            return false;
        }
        let chosen = &ready[..needed];
        let r_mean = chosen.iter().map(|(_, r)| r).sum::<f64>() / needed as f64;
        let interop = with.partners.interoperability(c.partner);
        let mobilisation = (f.mobilisation_days_min
            + (f.mobilisation_days_max - f.mobilisation_days_min) * (1.0 - r_mean))
            * (1.0 - s.interop.mobilisation_speedup * interop);
        let arrive = tl.now + mobilisation;
        if arrive > self.states[i].deadline {
            return false;
        }
        // A partner's units pay their own way: the country pays for the units it sends.
        let cost = c.daily_cost * c.duration_days * budget::cost_index(s, tl.year) * needed as f64
            / c.units as f64;
        let ledger = &mut *with.ledger;
        let reserve = ledger.available(Line::CrisisReserve);
        if reserve + ledger.available(Line::Operations) + MONEY_EPS < cost {
            return false;
        }
        let from_reserve = ledger.spend(Line::CrisisReserve, cost);
        ledger.spend(Line::Operations, cost - from_reserve);
        self.states[i].units_at = self.deployed.len();
        self.states[i].units_len = chosen.len();
        for &(u, r) in chosen {
            self.deployed.push(u as u32);
            // r is this unit's readiness now (`ready_units` just computed it).
            with.forces.send(u, r, Away::Deployed, tl.now);
        }
        self.states[i].status = CrisisStatus::Answered;
        with.tally.response_days(arrive - c.arrival);
        with.tally.crisis_decided(true);
        let affected = c.partner;
        with.partners
            .crisis_decided(s, affected, true, s.trust.crisis_help_gain, tl.now);
        trace!(
            tl,
            "crisis_answered",
            s.crises[c.kind].name.clone(),
            "{} unit(s) deployed to {} (mean readiness {:.2}), in theatre after {:.2} days, cost {:.2} ({:.2} from reserve)",
            needed,
            s.partners[affected].name,
            r_mean,
            arrive - c.arrival,
            cost,
            from_reserve
        );
        tl.schedule(arrive + c.duration_days, Event::CrisisEnd(i as u32));
        true
    }

    /// `CrisisEnd(i)`: the deployed units come home, worn, to reconstitute.
    #[inline]
    pub fn end(
        &mut self,
        s: &Scenario,
        draws: &[CrisisDraw],
        i: usize,
        forces: &mut Forces,
        tl: &mut Timeline,
    ) {
        let f = &s.forces;
        let (at, len) = (self.states[i].units_at, self.states[i].units_len);
        for k in at..at + len {
            let u = self.deployed[k] as usize;
            forces.return_unit(f, u, f.deployment_wear, f.reconstitution_days, tl);
        }
        self.states[i].units_len = 0;
        trace!(
            tl,
            "crisis_end",
            s.crises[draws[i].kind].name.clone(),
            "{} unit(s) home",
            len
        );
    }
}
