//! Reprogramming (`docs/MODEL.md` section 2, "Reprogramming"): at the review months of
//! `[budget.reprogramming]`, money a line will not use this year moves to the lines that need
//! it, receiving lines in the stated order, never more out of a line in a year than `max_share`
//! of its money of the year; with `release_reserve`, the crisis reserve's money beyond its
//! pro-rata share of the rest of the year is released too (uncapped); at the year's close what
//! the reserve did not use is obligated on procurement or lapses. Keys:
//! `budget.reprogramming.*`. Touches the ledger (transfers); reads what the forces expect to
//! spend ([`Outlook`]).

use crate::engine::{Timeline, trace};
use crate::model::ledger::{Ledger, MONEY_EPS};
use crate::scenario::{Line, LineMap, Scenario, TICKS_PER_YEAR};

/// What the forces expect to spend over the rest of the year, this month included.
#[derive(Debug, Clone, Copy)]
pub struct Outlook {
    /// Payroll, the pending resizes included.
    pub payroll: f64,
    /// Training at this month's demand (full funding) for every month left.
    pub training: f64,
    /// The engagement line's plan for the rest of the year: open posts and funded programmes
    /// for every month left, funded exercises not yet started.
    pub engagement: f64,
}

#[derive(Debug, Default)]
pub struct Reprogramming {
    /// Moved out of each line this year by reviews.
    moved_out: LineMap<f64>,
}

impl Reprogramming {
    pub fn open_year(&mut self) {
        self.moved_out = LineMap::default();
    }

    /// A review at the tick `tl.ticks_done` (before its payments). Surplus of a line = its
    /// money left minus what it will spend this year: personnel beyond the payroll outlook,
    /// operations beyond the training outlook, the reserve (when released) beyond its pro-rata
    /// share, engagement beyond its plan; procurement is not a source (it spends all it has).
    /// Need of a receiving line: operations its training
    /// outlook beyond its money, personnel its payroll outlook beyond its money, procurement
    /// whatever it is given (national contracts absorb it), engagement nothing.
    pub fn review(
        &mut self,
        s: &Scenario,
        ledger: &mut Ledger,
        outlook: Outlook,
        tl: &mut Timeline,
    ) {
        let r = &s.budget.reprogramming;
        let left = (TICKS_PER_YEAR - tl.ticks_done) as f64 / TICKS_PER_YEAR as f64;
        // Each line's money of the year, copied: the transfers below change the ledger.
        let year = *ledger.year(ledger.current_year());
        let own = |l: Line| year[l].appropriated - year[l].rescinded;
        let reserve_keep = own(Line::CrisisReserve) * left;
        let mut surplus = LineMap::<f64>::default();
        surplus[Line::Personnel] = ledger.available(Line::Personnel) - outlook.payroll;
        surplus[Line::Operations] = ledger.available(Line::Operations) - outlook.training;
        surplus[Line::Engagement] = ledger.available(Line::Engagement) - outlook.engagement;
        if r.release_reserve {
            surplus[Line::CrisisReserve] = ledger.available(Line::CrisisReserve) - reserve_keep;
        }
        let cap = |l: Line, moved: &LineMap<f64>| {
            if l == Line::CrisisReserve && r.release_reserve {
                f64::INFINITY
            } else {
                (r.max_share * own(l) - moved[l]).max(0.0)
            }
        };
        for &to in &r.order {
            let mut need = match to {
                Line::Operations => outlook.training - ledger.available(Line::Operations),
                Line::Personnel => outlook.payroll - ledger.available(Line::Personnel),
                Line::Procurement => f64::INFINITY,
                _ => 0.0,
            };
            for from in Line::SHARED {
                if from == to || need <= MONEY_EPS {
                    continue;
                }
                let x = surplus[from].min(cap(from, &self.moved_out)).min(need);
                if x <= MONEY_EPS {
                    continue;
                }
                let moved = ledger.transfer(from, to, x);
                self.moved_out[from] += moved;
                surplus[from] -= moved;
                need -= moved;
                trace!(
                    tl,
                    "reprogramming",
                    "budget",
                    "{:.2} moved from {} to {}",
                    moved,
                    from.name(),
                    to.name()
                );
            }
        }
    }

    /// The year's close (`budget.reprogramming.reserve_year_end`): what the crisis reserve did
    /// not use is obligated on national procurement contracts before the books close, or lapses.
    pub fn close_year(&mut self, s: &Scenario, ledger: &mut Ledger, tl: &mut Timeline) {
        let Some(to) = s.budget.reprogramming.reserve_year_end else {
            return;
        };
        let left = ledger.available(Line::CrisisReserve);
        if left <= MONEY_EPS {
            return;
        }
        let moved = ledger.transfer(Line::CrisisReserve, to, left);
        ledger.spend(to, moved);
        trace!(
            tl,
            "reserve_year_end",
            "budget",
            "{:.2} the crisis reserve did not use obligated on {} contracts",
            moved,
            to.name()
        );
    }
}
