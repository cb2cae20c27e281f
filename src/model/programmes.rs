//! Partner programmes (`docs/MODEL.md` section 7): the money each programme is funded at under
//! the engagement line's plan, its monthly delivery, and the trust penalty for cutting it.
//! Keys: `programmes[].*`, `trust.programme_*`. Touches the ledger (engagement line), partners
//! (the cut penalty) and the tally (planned and delivered money); the partners' monthly gain
//! from programme money is read from [`Programmes::rate_by_partner`].

use crate::engine::{Timeline, trace};
use crate::model::budget;
use crate::model::ledger::{Ledger, MONEY_EPS};
use crate::model::outcomes::Tally;
use crate::model::partners::Partners;
use crate::model::sorted_by_priority;
use crate::scenario::{Line, Scenario, TICKS_PER_YEAR};

#[derive(Debug)]
pub struct Programmes {
    /// Per programme: the annual rate it is funded at (million per year).
    funded_annual: Vec<f64>,
    /// Programme indices in funding order (priority, then as listed).
    order: Vec<usize>,
    /// Per partner: this month's programme money, as an annual rate (a reused buffer).
    rate: Vec<f64>,
}

impl Programmes {
    pub fn new(s: &Scenario) -> Self {
        Programmes {
            // Before the first year, programmes run at their planned rate.
            funded_annual: s.programmes.iter().map(|p| p.annual).collect(),
            order: sorted_by_priority(&s.programmes, |p| p.priority),
            rate: vec![0.0; s.partners.len()],
        }
    }

    /// The year's planned programme money, tallied at the year start.
    pub fn open_year(&self, s: &Scenario, y: usize, tally: &mut Tally) {
        let planned: f64 =
            s.programmes.iter().map(|p| p.annual).sum::<f64>() * budget::cost_index(s, y);
        tally.programme_planned(planned);
    }

    /// Funds programmes from `money` for the fraction `rem` of the year left, in priority
    /// order, each as much as is left. A programme funded below the rate its partner was last
    /// receiving costs trust in proportion to the fraction cut (volatility hurts).
    pub fn plan(
        &mut self,
        s: &Scenario,
        partners: &mut Partners,
        tl: &mut Timeline,
        money: &mut f64,
        rem: f64,
    ) {
        // Rates are compared in first-year prices, so that indexation is never a cut.
        let price = budget::cost_index(s, tl.year);
        for idx in 0..self.order.len() {
            let i = self.order[idx];
            let prog = &s.programmes[i];
            let want = prog.annual * price * rem;
            let got = want.min(money.max(0.0));
            *money -= got;
            let annual = if rem > 0.0 { got / rem / price } else { 0.0 };
            let reference = self.funded_annual[i];
            if reference > 0.0 && annual < reference - MONEY_EPS {
                let cut = (reference - annual) / reference;
                partners.lose_trust(s, prog.partner, s.trust.programme_cut_penalty * cut, tl.now);
                trace!(
                    tl,
                    "programme_cut",
                    prog.name.clone(),
                    "funded at {:.2}/yr instead of {:.2}/yr ({:.0}% cut); {} trust falls",
                    annual,
                    reference,
                    100.0 * cut,
                    s.partners[prog.partner].name
                );
            }
            self.funded_annual[i] = annual;
        }
    }

    /// A tick's payments from engagement: each programme its funded month; what falls short of
    /// the planned month is unfunded.
    pub fn pay_month(&mut self, s: &Scenario, ledger: &mut Ledger, tally: &mut Tally) {
        let price = budget::cost_index(s, ledger.current_year());
        let month = price / TICKS_PER_YEAR as f64;
        // Trust responds to programme money as an annual rate in first-year prices; one
        // division per tick rather than two per programme (this runs every month).
        let to_rate = TICKS_PER_YEAR as f64 / price;
        self.rate.iter_mut().for_each(|r| *r = 0.0);
        for (i, prog) in s.programmes.iter().enumerate() {
            let paid = ledger.spend(Line::Engagement, self.funded_annual[i] * month);
            ledger.unfunded(Line::Engagement, prog.annual * month - paid);
            tally.programme_delivered(paid);
            self.rate[prog.partner] += paid * to_rate;
        }
    }

    /// What funding every programme at its planned rate for the fraction `rem` of the year
    /// left would cost (the programmes' share of the engagement plan).
    pub fn plan_cost(&self, s: &Scenario, year: usize, rem: f64) -> f64 {
        s.programmes.iter().map(|p| p.annual).sum::<f64>() * budget::cost_index(s, year) * rem
    }

    /// What the programmes will be paid at their funded rates over the `months` left of the
    /// year, this one included (reprogramming's engagement outlook).
    pub fn outlook(&self, s: &Scenario, year: usize, months: usize) -> f64 {
        let frac = budget::cost_index(s, year) * months as f64 / TICKS_PER_YEAR as f64;
        self.funded_annual.iter().sum::<f64>() * frac
    }

    /// Per partner, the programme money paid this month as an annual rate.
    pub fn rate_by_partner(&self) -> &[f64] {
        &self.rate
    }
}
