//! The alliance (`docs/MODEL.md` section 8): assessed common funding, the GDP path, the pledge
//! check at each year end and the credibility that the pledge and the commitments delivered
//! move. Keys: `alliance.*` (joint procurement is `crate::model::procurement`). Touches the
//! ledger (assessed contributions), partners (allies' trust when the pledge is missed) and the
//! tally (the pledge ratio); reads what was delivered through [`Delivered`].

use crate::engine::{Timeline, trace};
use crate::model::budget;
use crate::model::ledger::{Ledger, LineYear};
use crate::model::outcomes::Tally;
use crate::model::partners::Partners;
use crate::scenario::{Line, LineMap, Scenario};

#[derive(Debug)]
pub struct Alliance {
    /// Alliance credibility in [0, 1] (1 without an alliance).
    pub credibility: f64,
    /// GDP this fiscal year, million per year.
    gdp: f64,
}

impl Alliance {
    pub fn new(s: &Scenario) -> Self {
        Alliance {
            credibility: s.alliance.as_ref().map_or(1.0, |a| a.credibility),
            gdp: s.alliance.as_ref().map_or(0.0, |a| a.gdp),
        }
    }

    /// GDP grows into year `y` by the drawn rate `gdp_growth[y]` (year 0 is the scenario's).
    pub fn open_year(&mut self, y: usize, gdp_growth: &[f64]) {
        if y > 0 {
            // An unbounded draw (a normal) may fall below −1: GDP falls by at most 99% a year,
            // so it stays positive and the pledge ratio finite (no shipped scenario comes near).
            self.gdp *= (1.0 + gdp_growth[y]).max(0.01);
        }
    }

    /// Assessed contributions are paid first, in full.
    pub fn pay_assessed(&self, ledger: &mut Ledger) {
        let assessed = ledger.available(Line::Alliance);
        ledger.spend(Line::Alliance, assessed);
    }

    /// The pledge check at a year end, on the defence budget as finally enacted (after any
    /// rescission): a shortfall costs every ally's trust, and credibility moves toward the
    /// target that the pledge (or the enacted plan to reach it) and the commitments delivered
    /// this year set (section 8). Partners must be up to date (`touch_all`) first.
    #[allow(clippy::too_many_arguments)]
    pub fn pledge_check(
        &mut self,
        s: &Scenario,
        level: f64,
        lines: &LineMap<LineYear>,
        delivered: Delivered,
        partners: &mut Partners,
        tally: &mut Tally,
        tl: &mut Timeline,
    ) {
        let appropriated: f64 = lines.iter().map(|l| l.appropriated).sum();
        let rescinded: f64 = lines.iter().map(|l| l.rescinded).sum();
        let mut ratio = 1.0;
        if let Some(a) = &s.alliance {
            let mut pledge_score = 1.0;
            if a.pledge > 0.0 {
                ratio = (appropriated - rescinded) / (a.pledge * self.gdp);
                let shortfall = (1.0 - ratio).max(0.0);
                if shortfall > 0.0 {
                    partners.allies_lose_trust(s, s.trust.pledge_penalty * shortfall, tl.now);
                }
                let plan = self.planned_ratio(s, level, tl.year);
                pledge_score = ratio.max(plan).min(1.0);
            }
            let kept = delivered.score();
            let score = a.pledge_weight * pledge_score + (1.0 - a.pledge_weight) * kept;
            let target = a.credibility_floor + (1.0 - a.credibility_floor) * score;
            self.credibility += a.credibility_adjustment * (target - self.credibility);
            trace!(
                tl,
                "pledge_check",
                a.name.clone(),
                "spending {:.2}% of GDP against a {:.2}% pledge (ratio {:.3}, pledge score {:.3}); commitments kept {:.3}; credibility now {:.3} (target {:.3})",
                100.0 * (appropriated - rescinded) / self.gdp,
                100.0 * a.pledge,
                ratio,
                pledge_score,
                kept,
                self.credibility,
                target
            );
        }
        tally.pledge_ratio(ratio);
    }

    /// The best ratio to the pledge that the enacted budget plan reaches within
    /// `alliance.plan_years` after `year` (0 without a plan), on GDP growing at its mean rate:
    /// NATO judges a member below the pledge by its plan to reach it, not by this year alone.
    fn planned_ratio(&self, s: &Scenario, level: f64, year: usize) -> f64 {
        let Some(a) = &s.alliance else { return 0.0 };
        let growth = 1.0 + a.gdp_growth.mean();
        let mut gdp = self.gdp;
        let mut best: f64 = 0.0;
        for y in year + 1..=(year + a.plan_years).min(s.years - 1) {
            gdp *= growth;
            best = best.max(budget::planned_total(s, level, y) / (a.pledge * gdp));
        }
        best
    }
}

/// The year's commitments to allies, each a share in [0, 1] or `None` when there was nothing
/// to deliver: exercises with at least one ally held (scaled by the units sent), crises answered,
/// joint programmes kept (scaled by the share of their cost paid).
#[derive(Debug, Clone, Copy, Default)]
pub struct Delivered {
    pub exercises: Option<f64>,
    pub crises: Option<f64>,
    pub joint: Option<f64>,
}

impl Delivered {
    /// The mean of the shares there were (1 when there was nothing to deliver).
    pub fn score(&self) -> f64 {
        let parts = [self.exercises, self.crises, self.joint];
        let (sum, n) = parts
            .iter()
            .flatten()
            .fold((0.0, 0.0), |(s, n), x| (s + x, n + 1.0));
        if n > 0.0 { sum / n } else { 1.0 }
    }
}
