//! Invitations to the partners' own exercises (`docs/MODEL.md` section 6, the third channel of
//! `[feedback]`): at each fiscal year's start every partner invites the country to one of its
//! exercises with a chance that moves with its trust; an invitation is taken up at its start if
//! a unit is ready to deploy and the guest's cost can be paid from the operations line, and a
//! unit that goes comes home more ready, with the host's
//! trust and interoperability raised as by an exercise of the country's own. Keys:
//! `feedback.invitation_*`. Touches forces (takes and returns units), the ledger (operations
//! line), partners and the tally.

use crate::engine::{Event, Timeline, trace};
use crate::model::budget;
use crate::model::crisis::Exogenous;
use crate::model::forces::{Away, Forces};
use crate::model::ledger::{Ledger, MONEY_EPS};
use crate::model::outcomes::Tally;
use crate::model::partners::Partners;
use crate::scenario::{DAYS_PER_YEAR, Line, Scenario};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    /// Not invited this year, declined, or back home.
    Idle,
    /// Invited, and (so far) funded in the engagement plan.
    Invited,
    /// The country's units are at the host's exercise.
    Away,
}

#[derive(Debug, Clone)]
struct Invitation {
    status: Status,
    /// Units sent over units asked for.
    scale: f64,
    units: Vec<u32>,
}

#[derive(Debug)]
pub struct Invitations {
    /// One per partner (empty when `feedback.invitation_rate` is 0: nothing is ever drawn).
    states: Vec<Invitation>,
    /// Ready units at a start (a reused buffer).
    ready: Vec<(usize, f64)>,
}

impl Invitations {
    pub fn new(s: &Scenario) -> Self {
        let n = if s.feedback.invitation_rate > 0.0 {
            s.partners.len()
        } else {
            0
        };
        Invitations {
            states: vec![
                Invitation {
                    status: Status::Idle,
                    scale: 0.0,
                    units: Vec::new(),
                };
                n
            ],
            ready: Vec::new(),
        }
    }

    /// Fiscal year `y`'s invitations: partner p invites with chance v = min(1, v₀·T/T₀) (T its
    /// trust now, T₀ its starting trust), compared with its uniform of the year from stream
    /// `Invite(p)`; the exercise starts at a day placed by the second uniform so that it ends
    /// within the year.
    pub fn open_year(
        &mut self,
        s: &Scenario,
        y: usize,
        exo: &Exogenous,
        partners: &mut Partners,
        tally: &mut Tally,
        tl: &mut Timeline,
    ) {
        let f = &s.feedback;
        let base = y as f64 * DAYS_PER_YEAR;
        for (p, st) in self.states.iter_mut().enumerate() {
            // An invitation ends within its year, so units are never still away at a year start;
            // if rounding ever kept them, they finish that exercise and this year's is skipped.
            if st.status == Status::Away {
                continue;
            }
            st.status = Status::Idle;
            st.scale = 0.0;
            let (draw, place) = exo.invitations[p * s.years + y];
            partners.touch(s, p, tl.now);
            let start = s.partners[p].trust;
            let chance = if start > 0.0 {
                (f.invitation_rate * partners.trust(p) / start).min(1.0)
            } else {
                0.0
            };
            if draw < chance {
                st.status = Status::Invited;
                tally.invited();
                let day = place * (DAYS_PER_YEAR - f.invitation_days);
                tl.schedule(base + day, Event::InvitationStart(p as u32));
                trace!(
                    tl,
                    "invitation",
                    s.partners[p].name.clone(),
                    "invites {} unit(s) to its exercise on day {:.0} (trust {:.3}, chance {:.3})",
                    f.invitation_units,
                    day,
                    partners.trust(p),
                    chance
                );
            }
        }
    }

    /// The guest's cost of one invitation taken up in full, at this year's prices.
    fn cost(s: &Scenario, year: usize) -> f64 {
        let f = &s.feedback;
        f.invitation_cost * f.invitation_units as f64 * budget::cost_index(s, year)
    }

    /// What the invitations not yet taken up will cost in full (added to the operations outlook
    /// so that reprogramming leaves their money where it is).
    pub fn outlook(&self, s: &Scenario, year: usize) -> f64 {
        let n = self
            .states
            .iter()
            .filter(|st| st.status == Status::Invited)
            .count();
        n as f64 * Self::cost(s, year)
    }

    /// `InvitationStart(p)`: up to `invitation_units` units ready to deploy go, at the guest's
    /// cost per unit from the operations line (travel, fuel and per diem are O&M money); with
    /// none ready, or the operations line short, the invitation is declined. Nothing was
    /// promised, so a declined invitation books no unpaid commitment: the country only forgoes
    /// the gains.
    #[allow(clippy::too_many_arguments)]
    pub fn start(
        &mut self,
        s: &Scenario,
        p: usize,
        forces: &mut Forces,
        ledger: &mut Ledger,
        tally: &mut Tally,
        tl: &mut Timeline,
    ) {
        if self.states[p].status != Status::Invited {
            return;
        }
        let f = &s.feedback;
        let mut ready = std::mem::take(&mut self.ready);
        forces.ready_units(
            &s.forces,
            s.forces.deploy_min_readiness,
            tl.now,
            f.invitation_units,
            &mut ready,
        );
        let n = ready.len().min(f.invitation_units);
        let scale = n as f64 / f.invitation_units as f64;
        let cost = Self::cost(s, ledger.current_year()) * scale;
        let why = if n == 0 {
            Some("no unit ready to deploy")
        } else if ledger.available(Line::Operations) + MONEY_EPS < cost {
            Some("the operations line ran out of money")
        } else {
            None
        };
        if let Some(why) = why {
            self.ready = ready;
            self.states[p].status = Status::Idle;
            trace!(
                tl,
                "invitation_declined",
                s.partners[p].name.clone(),
                "{}",
                why
            );
            return;
        }
        ledger.spend(Line::Operations, cost);
        let st = &mut self.states[p];
        st.status = Status::Away;
        st.scale = scale;
        st.units.clear();
        st.units.extend(ready[..n].iter().map(|(u, _)| *u as u32));
        for &(u, r) in &ready[..n] {
            forces.send(u, r, Away::Exercise, tl.now);
        }
        self.ready = ready;
        tally.invitation_accepted();
        trace!(
            tl,
            "invitation_start",
            s.partners[p].name.clone(),
            "{} of {} units to the partner's exercise, cost {:.2}",
            n,
            f.invitation_units,
            cost
        );
        tl.schedule(tl.now + f.invitation_days, Event::InvitationEnd(p as u32));
    }

    /// `InvitationEnd(p)`: the units come home with readiness raised; the host's trust and
    /// interoperability rise as by one of the country's own exercises, in proportion to the
    /// units sent.
    pub fn end(
        &mut self,
        s: &Scenario,
        p: usize,
        forces: &mut Forces,
        partners: &mut Partners,
        tl: &mut Timeline,
    ) {
        let mut units = std::mem::take(&mut self.states[p].units);
        for &u in &units {
            let u = u as usize;
            forces.exercised(&s.forces, u, tl.now);
            forces.return_unit(&s.forces, u, 0.0, 0.0, tl);
        }
        units.clear();
        let st = &mut self.states[p];
        st.units = units;
        st.status = Status::Idle;
        partners.gain_trust(s, p, s.trust.exercise_gain * st.scale, tl.now);
        partners.gain_interoperability(s, p, s.interop.exercise_gain * st.scale, tl.now);
        trace!(
            tl,
            "invitation_end",
            s.partners[p].name.clone(),
            "units home from the partner's exercise; readiness, trust and interoperability rise"
        );
    }
}
