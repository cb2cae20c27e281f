//! Joint procurement (`docs/MODEL.md` section 8, "Joint procurement"): which joint programmes
//! the country is still part of and at what share of their cost, the stretch that a short
//! procurement line imposes on them alike with national contracts, the partners' exit decision
//! (a hazard rising with the stretch and its duration, drawn with common random numbers), and
//! the monthly split of the procurement line between joint programmes and national contracts.
//! Keys: `alliance.joint_procurement[].*`, `procurement.*`. Touches the ledger (procurement
//! line), partners (stretch and withdrawal losses) and the tally (withdrawals); the partners'
//! interoperability gain is read from [`JointProcurement::partners_in_active`].

use crate::engine::{Timeline, trace};
use crate::model::budget;
use crate::model::ledger::Ledger;
use crate::model::outcomes::Tally;
use crate::model::partners::Partners;
use crate::scenario::{JointProcurement as JointSpec, Line, Scenario, TICKS_PER_YEAR};

#[derive(Debug)]
pub struct JointProcurement {
    /// Per joint programme: the country has left it (for good).
    withdrawn: Vec<bool>,
    /// Per joint programme: the share of its cost paid under the current plan (f).
    share: Vec<f64>,
    /// Per joint programme: the share it was paid at before the current plan (for the stretch
    /// penalty, which falls on reductions only).
    last_share: Vec<f64>,
    /// Per joint programme: consecutive years it has been stretched before this one (d).
    stretched_years: Vec<u32>,
    /// Per partner: co-participant in a programme the country is in this year (reused buffer).
    partner_in: Vec<bool>,
}

/// Joint programmes running in `year` that the country is (`withdrawn == false`) or is no
/// longer (`true`) part of, with their index.
fn this_year<'s>(
    s: &'s Scenario,
    flags: &'s [bool],
    year: usize,
    withdrawn: bool,
) -> impl Iterator<Item = (usize, &'s JointSpec)> + 's {
    s.alliance
        .iter()
        .flat_map(|a| a.joint_procurement.iter().enumerate())
        .filter(move |(i, j)| flags[*i] == withdrawn && j.first_year <= year && year <= j.last_year)
}

/// The exit hazard of a programme paid a share `f` of its cost after `d` earlier years of
/// stretch: p = 1 − exp(−h·(1 + d)·x²), x = (1 − f)/(1 − m).
pub fn exit_hazard(s: &Scenario, f: f64, d: u32) -> f64 {
    let p = &s.procurement;
    let x = ((1.0 - f) / (1.0 - p.joint_min_share)).clamp(0.0, 1.0);
    1.0 - (-p.joint_exit_rate * (1.0 + f64::from(d)) * x * x).exp()
}

impl JointProcurement {
    pub fn new(s: &Scenario) -> Self {
        let n = s.alliance.as_ref().map_or(0, |a| a.joint_procurement.len());
        JointProcurement {
            withdrawn: vec![false; n],
            share: vec![1.0; n],
            last_share: vec![1.0; n],
            stretched_years: vec![0; n],
            partner_in: vec![false; s.partners.len()],
        }
    }

    /// The share f of their cost that the joint programmes still in can be paid, with national
    /// contracts taking the same share of theirs: f = min(1, money / (committed + need)).
    fn stretch(&self, s: &Scenario, year: usize, available: f64, committed: f64, rem: f64) -> f64 {
        let need: f64 = this_year(s, &self.withdrawn, year, false)
            .map(|(_, j)| j.annual_cost * budget::cost_index(s, year) * rem)
            .sum();
        if need <= 0.0 {
            1.0
        } else {
            (available / (committed + need)).clamp(0.0, 1.0)
        }
    }

    /// At a plan (year start, shock) a short procurement line stretches every joint programme
    /// alike with national contracts; a programme that cannot be paid even its least share
    /// `joint_min_share` is left (the latest listed first), and at a year's start (`draws`) the
    /// partners may leave a stretched one with the exit hazard of [`exit_hazard`].
    pub fn plan(
        &mut self,
        s: &Scenario,
        ledger: &Ledger,
        partners: &mut Partners,
        tally: &mut Tally,
        tl: &mut Timeline,
        draws: Option<&[f64]>,
    ) {
        let Some(alliance) = &s.alliance else { return };
        let year = tl.year;
        let rem = tl.remaining_ticks() as f64 / TICKS_PER_YEAR as f64;
        let committed = s.procurement.committed_share
            * budget::reference_allocation(s, year)[Line::Procurement]
            * rem;
        let available = ledger.available(Line::Procurement);
        let mut f = self.stretch(s, year, available, committed, rem);
        // Forced exits: below the least share a programme cannot go on.
        while f < s.procurement.joint_min_share {
            let Some((i, _)) = this_year(s, &self.withdrawn, year, false).last() else {
                break;
            };
            self.withdraw(s, i, partners, tally, tl, format_args!(
                "the procurement line pays only {:.0}% of the joint programmes' cost (least {:.0}%)",
                100.0 * f,
                100.0 * s.procurement.joint_min_share
            ));
            f = self.stretch(s, year, available, committed, rem);
        }
        // The partners' decisions, latest listed first; each exit frees money for the rest.
        if let Some(draws) = draws {
            for i in (0..alliance.joint_procurement.len()).rev() {
                let j = &alliance.joint_procurement[i];
                if self.withdrawn[i] || year < j.first_year || year > j.last_year || f >= 1.0 {
                    continue;
                }
                let hazard = exit_hazard(s, f, self.stretched_years[i]);
                if draws[i * s.years + year] < hazard {
                    self.withdraw(s, i, partners, tally, tl, format_args!(
                        "stretched to {:.0}% of its cost for the {} year running: exit hazard {:.3}",
                        100.0 * f,
                        ordinal(self.stretched_years[i] + 1),
                        hazard
                    ));
                    f = self.stretch(s, year, available, committed, rem);
                }
            }
        }
        for i in 0..alliance.joint_procurement.len() {
            let j = &alliance.joint_procurement[i];
            if self.withdrawn[i] || year < j.first_year || year > j.last_year {
                continue;
            }
            // A reduction of the share paid is a renegotiation the co-participants resent.
            let cut = (self.last_share[i] - f).max(0.0);
            if cut > 0.0 {
                for &p in &j.partners {
                    partners.lose_trust(s, p, s.trust.procurement_withdraw_penalty * cut, tl.now);
                }
                trace!(
                    tl,
                    "joint_stretch",
                    j.name.clone(),
                    "paid {:.1}% of its cost (was {:.1}%): quantities cut or deliveries stretched",
                    100.0 * f,
                    100.0 * self.last_share[i]
                );
            }
            self.share[i] = f;
            self.last_share[i] = f;
            if draws.is_some() {
                self.stretched_years[i] = if f < 1.0 {
                    self.stretched_years[i] + 1
                } else {
                    0
                };
            }
        }
    }

    /// Leaves joint programme `i` for good: its co-participants lose trust and
    /// interoperability.
    fn withdraw(
        &mut self,
        s: &Scenario,
        i: usize,
        partners: &mut Partners,
        tally: &mut Tally,
        tl: &mut Timeline,
        why: std::fmt::Arguments,
    ) {
        let Some(alliance) = &s.alliance else { return };
        let j = &alliance.joint_procurement[i];
        self.withdrawn[i] = true;
        self.share[i] = 0.0;
        tally.joint_withdrawal();
        for &p in &j.partners {
            partners.lose_trust(s, p, s.trust.procurement_withdraw_penalty, tl.now);
            partners.lose_interoperability(s, p, s.interop.withdraw_loss, tl.now);
        }
        trace!(
            tl,
            "joint_withdrawal",
            j.name.clone(),
            "{}; withdrew (trust and interoperability fall with {} co-participants)",
            why,
            j.partners.len()
        );
    }

    /// A tick's procurement: joint programmes first, at their share of their cost (what a
    /// stretch or an exit leaves unpaid is an unfunded commitment), then national contracts
    /// spend the rest evenly over the ticks left.
    pub fn pay_month(&self, s: &Scenario, ledger: &mut Ledger, year: usize, remaining: f64) {
        let frac = budget::cost_index(s, year) / TICKS_PER_YEAR as f64;
        let joint_month: f64 = this_year(s, &self.withdrawn, year, false)
            .map(|(i, j)| j.annual_cost * frac * self.share[i])
            .sum();
        let paid_joint = ledger.spend(Line::Procurement, joint_month);
        let unpaid: f64 = s
            .alliance
            .iter()
            .flat_map(|a| a.joint_procurement.iter().enumerate())
            .filter(|(_, j)| j.first_year <= year && year <= j.last_year)
            .map(|(i, j)| j.annual_cost * frac * (1.0 - self.share[i]))
            .sum();
        ledger.unfunded(Line::Procurement, joint_month - paid_joint + unpaid);
        let rest = (ledger.available(Line::Procurement) - joint_month * (remaining - 1.0)).max(0.0)
            / remaining;
        ledger.spend(Line::Procurement, rest);
    }

    /// The joint programmes running in `year` that the country is still part of, each weighted
    /// by the share of its cost paid, over all running (`None` when none runs): what the
    /// alliance counts as kept.
    pub fn kept_share(&self, s: &Scenario, year: usize) -> Option<f64> {
        let kept: f64 = this_year(s, &self.withdrawn, year, false)
            .map(|(i, _)| self.share[i])
            .sum();
        let left = this_year(s, &self.withdrawn, year, true).count();
        let n = this_year(s, &self.withdrawn, year, false).count() + left;
        (n > 0).then(|| kept / n as f64)
    }

    /// Per partner: whether it shares a joint programme with the country in `year`.
    pub fn partners_in_active(&mut self, s: &Scenario, year: usize) -> &[bool] {
        self.partner_in.iter_mut().for_each(|j| *j = false);
        for (_, j) in this_year(s, &self.withdrawn, year, false) {
            for &p in &j.partners {
                self.partner_in[p] = true;
            }
        }
        &self.partner_in
    }
}

/// "first", "second", … for the trace.
fn ordinal(n: u32) -> String {
    match n {
        1 => "first".into(),
        2 => "second".into(),
        3 => "third".into(),
        n => format!("{n}th"),
    }
}
