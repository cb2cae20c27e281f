//! The alliance (`docs/MODEL.md` section 8): assessed common funding, the GDP path, the pledge
//! check at each year end and the credibility it moves. Keys: `alliance.*` (joint procurement
//! is `crate::model::procurement`). Touches the ledger (assessed contributions), partners
//! (allies' trust when the pledge is missed) and the tally (the pledge ratio).

use crate::engine::{Timeline, trace};
use crate::model::dynamics::{gain, loss};
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
            self.gdp *= 1.0 + gdp_growth[y];
        }
    }

    /// Assessed contributions are paid first, in full.
    pub fn pay_assessed(&self, ledger: &mut Ledger) {
        let assessed = ledger.available(Line::Alliance);
        ledger.spend(Line::Alliance, assessed);
    }

    /// The pledge check at a year end, on the defence budget as finally enacted (after any
    /// rescission): a shortfall costs credibility and every ally's trust, a pledge met restores
    /// credibility. Partners must be up to date (`touch_all`) first.
    pub fn pledge_check(
        &mut self,
        s: &Scenario,
        lines: &LineMap<LineYear>,
        partners: &mut Partners,
        tally: &mut Tally,
        tl: &mut Timeline,
    ) {
        let appropriated: f64 = lines.iter().map(|l| l.appropriated).sum();
        let rescinded: f64 = lines.iter().map(|l| l.rescinded).sum();
        let mut ratio = 1.0;
        if let Some(a) = &s.alliance
            && a.pledge > 0.0
        {
            ratio = (appropriated - rescinded) / (a.pledge * self.gdp);
            let shortfall = (1.0 - ratio).max(0.0);
            if shortfall > 0.0 {
                self.credibility = loss(self.credibility, a.credibility_penalty * shortfall);
                partners.allies_lose_trust(s, s.trust.pledge_penalty * shortfall, tl.now);
            } else {
                self.credibility = gain(self.credibility, a.credibility_gain);
            }
            trace!(
                tl,
                "pledge_check",
                a.name.clone(),
                "spending {:.2}% of GDP against a {:.2}% pledge (ratio {:.3}); credibility now {:.3}",
                100.0 * (appropriated - rescinded) / self.gdp,
                100.0 * a.pledge,
                ratio,
                self.credibility
            );
        }
        tally.pledge_ratio(ratio);
    }
}
