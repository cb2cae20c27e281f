//! Joint procurement (`docs/MODEL.md` section 8, "Joint procurement"): which joint programmes
//! the country is still part of, the withdrawal rule when the procurement line cannot carry
//! them, and the monthly split of the procurement line between joint programmes and national
//! contracts. Keys: `alliance.joint_procurement[].*`, `procurement.national_committed_share`.
//! Touches the ledger (procurement line), partners (withdrawal losses) and the tally
//! (withdrawals); the partners' interoperability gain is read from
//! [`JointProcurement::partners_in_active`].

use crate::engine::{Timeline, trace};
use crate::model::budget;
use crate::model::ledger::{Ledger, MONEY_EPS};
use crate::model::outcomes::Tally;
use crate::model::partners::Partners;
use crate::scenario::{JointProcurement as JointSpec, Line, Scenario, TICKS_PER_YEAR};

#[derive(Debug)]
pub struct JointProcurement {
    /// Per joint programme: the country has left it (for good).
    withdrawn: Vec<bool>,
    /// Per partner: co-participant in a programme the country is in this year (reused buffer).
    partner_in: Vec<bool>,
}

/// Joint programmes running in `year` that the country is (`withdrawn == false`) or is no
/// longer (`true`) part of.
fn this_year<'s>(
    s: &'s Scenario,
    flags: &'s [bool],
    year: usize,
    withdrawn: bool,
) -> impl Iterator<Item = &'s JointSpec> + 's {
    s.alliance
        .iter()
        .flat_map(|a| a.joint_procurement.iter().enumerate())
        .filter(move |(i, j)| flags[*i] == withdrawn && j.first_year <= year && year <= j.last_year)
        .map(|(_, j)| j)
}

impl JointProcurement {
    pub fn new(s: &Scenario) -> Self {
        JointProcurement {
            withdrawn: vec![false; s.alliance.as_ref().map_or(0, |a| a.joint_procurement.len())],
            partner_in: vec![false; s.partners.len()],
        }
    }

    /// Joint programmes are paid from what national contracts leave of the procurement line;
    /// when that is not enough the country withdraws from the latest-listed programmes first.
    pub fn plan(
        &mut self,
        s: &Scenario,
        ledger: &Ledger,
        partners: &mut Partners,
        tally: &mut Tally,
        tl: &mut Timeline,
    ) {
        let Some(alliance) = &s.alliance else { return };
        let year = tl.year;
        let rem = tl.remaining_ticks() as f64 / TICKS_PER_YEAR as f64;
        let committed = s.procurement_committed_share
            * budget::reference_allocation(s, year)[Line::Procurement]
            * rem;
        let room = ledger.available(Line::Procurement) - committed;
        loop {
            let need: f64 = this_year(s, &self.withdrawn, year, false)
                .map(|j| j.annual_cost * budget::cost_index(s, year) * rem)
                .sum();
            if need <= room + MONEY_EPS {
                break;
            }
            let Some(i) = (0..alliance.joint_procurement.len()).rev().find(|&i| {
                let j = &alliance.joint_procurement[i];
                !self.withdrawn[i] && j.first_year <= year && year <= j.last_year
            }) else {
                break;
            };
            self.withdrawn[i] = true;
            tally.joint_withdrawal();
            let j = &alliance.joint_procurement[i];
            for &p in &j.partners {
                partners.lose_trust(s, p, s.trust.procurement_withdraw_penalty, tl.now);
                partners.lose_interoperability(s, p, s.interop.withdraw_loss, tl.now);
            }
            trace!(
                tl,
                "joint_withdrawal",
                j.name.clone(),
                "procurement room {:.1} cannot carry {:.1}; withdrew (trust and interoperability fall with {} co-participants)",
                room,
                need,
                j.partners.len()
            );
        }
    }

    /// A tick's procurement: joint programmes first (a programme left is an unfunded
    /// commitment), then national contracts spend the rest evenly over the ticks left.
    pub fn pay_month(&self, s: &Scenario, ledger: &mut Ledger, year: usize, remaining: f64) {
        let frac = budget::cost_index(s, year) / TICKS_PER_YEAR as f64;
        let joint_month: f64 = this_year(s, &self.withdrawn, year, false)
            .map(|j| j.annual_cost * frac)
            .sum();
        let paid_joint = ledger.spend(Line::Procurement, joint_month);
        let abandoned: f64 = this_year(s, &self.withdrawn, year, true)
            .map(|j| j.annual_cost * frac)
            .sum();
        ledger.unfunded(Line::Procurement, joint_month - paid_joint + abandoned);
        let rest = (ledger.available(Line::Procurement) - joint_month * (remaining - 1.0)).max(0.0)
            / remaining;
        ledger.spend(Line::Procurement, rest);
    }

    /// Per partner: whether it shares a joint programme with the country in `year`.
    pub fn partners_in_active(&mut self, s: &Scenario, year: usize) -> &[bool] {
        self.partner_in.iter_mut().for_each(|j| *j = false);
        for j in this_year(s, &self.withdrawn, year, false) {
            for &p in &j.partners {
                self.partner_in[p] = true;
            }
        }
        &self.partner_in
    }
}
