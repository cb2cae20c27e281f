//! The ledger (`docs/MODEL.md` section 2, "Budget"): the money of every budget line in every
//! fiscal year — appropriated, rescinded, spent and unfunded — and the only way any mechanism
//! pays for anything. It applies the envelope and cut rules of [`crate::model::budget`] at each
//! year start and at the mid-year shock. Keys: `budget.*`. Touches nothing but its own money:
//! mechanisms call [`Ledger::available`], [`Ledger::spend`], [`Ledger::unfunded`] and
//! [`Ledger::transfer`] (money moved between lines within the year).

use crate::engine::{Timeline, trace};
use crate::model::budget;
use crate::scenario::{Line, LineMap, Scenario};

/// Money comparisons tolerate rounding of sums of many small payments.
pub const MONEY_EPS: f64 = 1e-9;

/// Money of one budget line in one fiscal year, million. Conservation:
/// appropriated + transferred_in − transferred_out = rescinded + spent + unspent, with
/// unspent >= 0; over the lines of a year, Σ transferred_in = Σ transferred_out.
///
/// `unfunded` is outside that identity: it is what the year's commitments called for on this
/// line and the line could not pay (training short of need, posts closed, programme money not
/// delivered, exercises cancelled for money, joint programmes abandoned, payroll left unpaid).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct LineYear {
    pub appropriated: f64,
    pub rescinded: f64,
    pub spent: f64,
    pub unfunded: f64,
    /// Moved in from other lines during the year (e.g. payroll during a personnel lag).
    pub transferred_in: f64,
    /// Moved out to other lines during the year.
    pub transferred_out: f64,
}

impl LineYear {
    /// The share of what the line had in the year (appropriated − rescinded + moved in) that it
    /// spent or moved to another line; 1 for a line that had nothing.
    pub fn execution(&self) -> f64 {
        let had = self.appropriated - self.rescinded + self.transferred_in;
        if had > MONEY_EPS {
            ((self.spent + self.transferred_out) / had).min(1.0)
        } else {
            1.0
        }
    }

    pub fn unspent(&self) -> f64 {
        self.appropriated - self.rescinded - self.spent + self.transferred_in - self.transferred_out
    }
}

/// Every line's money, year by year; payments go to the year opened last.
#[derive(Debug)]
pub struct Ledger {
    /// Per fiscal year, per line in `Line::ALL` order.
    years: Vec<LineMap<LineYear>>,
    /// The personnel line as last enacted (after any rescission): sticky personnel keeps the
    /// next year's appropriation near it.
    previous_personnel: Option<f64>,
}

impl Ledger {
    pub fn new(years: usize) -> Self {
        Ledger {
            years: Vec::with_capacity(years),
            previous_personnel: None,
        }
    }

    /// Appropriates fiscal year `y` at `level` (the cut profile and policy of section 2) and
    /// logs it. Assessed alliance contributions are appropriated here and paid by the alliance.
    pub fn open_year(&mut self, s: &Scenario, level: f64, y: usize, tl: &mut Timeline) {
        let appr = budget::appropriate(s, level, y, self.previous_personnel);
        let mut lines = LineMap::<LineYear>::default();
        for l in Line::SHARED {
            lines[l].appropriated = appr[l];
        }
        lines[Line::Alliance].appropriated = budget::assessed(s, y);
        self.years.push(lines);
        self.previous_personnel = Some(appr[Line::Personnel]);
        let total: f64 = lines.iter().map(|l| l.appropriated).sum();
        trace!(
            tl,
            "year_start",
            format!("FY{}", s.start_year + y as i64),
            "level {} appropriated {:.1} (personnel {:.1}, operations {:.1}, procurement {:.1}, engagement {:.1}, crisis reserve {:.1}, alliance {:.1})",
            level,
            total,
            appr[Line::Personnel],
            appr[Line::Operations],
            appr[Line::Procurement],
            appr[Line::Engagement],
            appr[Line::CrisisReserve],
            lines[Line::Alliance].appropriated
        );
    }

    /// The mid-year shock: the year's whole cut is taken from money not yet spent, spread by
    /// the cut policy (personnel can give up at most `personnel_max_cut` under sticky
    /// personnel), never from pay already committed: `personnel_committed` is the payroll of
    /// the ticks before a resize planned now could land. The mechanisms re-plan afterwards.
    pub fn rescind(
        &mut self,
        s: &Scenario,
        level: f64,
        personnel_committed: f64,
        tl: &mut Timeline,
    ) {
        let year = self.years.len() - 1;
        let removal = budget::shock_removal(s, level, year);
        let lines = self.years[year];
        let shared = |v: f64, l: Line| if l == Line::Alliance { 0.0 } else { v };
        let weights = budget::Lines5::from_fn(|l| shared(lines[l].appropriated, l));
        let room = budget::Lines5::from_fn(|l| shared(lines[l].unspent().max(0.0), l));
        let mut free = room;
        free[Line::Personnel] = (room[Line::Personnel] - personnel_committed).max(0.0);
        let personnel_cap = lines[Line::Personnel].appropriated * s.budget.cut.personnel_max_cut;
        let mut taken = budget::apply_cut(s, &weights, removal, personnel_cap, &free);
        // Committed pay is spared while the other lines can give; what they cannot falls on it.
        let short = removal - taken.shared_sum();
        if short > MONEY_EPS {
            let rest = budget::Lines5::from_fn(|l| (room[l] - taken[l]).max(0.0));
            let more = budget::apply_cut(s, &weights, short, f64::INFINITY, &rest);
            for l in Line::SHARED {
                taken[l] += more[l];
            }
        }
        for l in Line::SHARED {
            self.years[year][l].rescinded += taken[l];
        }
        self.previous_personnel =
            Some(lines[Line::Personnel].appropriated - taken[Line::Personnel]);
        trace!(
            tl,
            "shock",
            "budget",
            "{:.1} removed from unspent money (personnel {:.1}, operations {:.1}, procurement {:.1}, engagement {:.1}, crisis reserve {:.1})",
            taken.shared_sum(),
            taken[Line::Personnel],
            taken[Line::Operations],
            taken[Line::Procurement],
            taken[Line::Engagement],
            taken[Line::CrisisReserve]
        );
    }

    /// What `line` has left this year.
    #[inline(always)]
    pub fn available(&self, line: Line) -> f64 {
        self.current()[line].unspent().max(0.0)
    }

    /// Spends up to `amount` from `line`; never more than is left. Returns what was paid.
    #[inline(always)]
    pub fn spend(&mut self, line: Line, amount: f64) -> f64 {
        let paid = amount.max(0.0).min(self.available(line));
        self.current_mut()[line].spent += paid;
        paid
    }

    /// Moves up to `amount` of this year's unspent money from `from` to `to`; never more than
    /// `from` has left. Returns what was moved.
    pub fn transfer(&mut self, from: Line, to: Line, amount: f64) -> f64 {
        let moved = amount.max(0.0).min(self.available(from));
        if moved > 0.0 {
            let year = self.current_mut();
            year[from].transferred_out += moved;
            year[to].transferred_in += moved;
        }
        moved
    }

    /// Books a commitment the line could not pay (reporting only: nothing is spent).
    #[inline(always)]
    pub fn unfunded(&mut self, line: Line, amount: f64) {
        if amount > MONEY_EPS {
            self.current_mut()[line].unfunded += amount;
        }
    }

    /// The fiscal year payments go to (0-based).
    #[inline(always)]
    pub fn current_year(&self) -> usize {
        self.years.len() - 1
    }

    /// Fiscal year `y`'s lines.
    pub fn year(&self, y: usize) -> &LineMap<LineYear> {
        &self.years[y]
    }

    /// Every year so far.
    pub fn years(&self) -> &[LineMap<LineYear>] {
        &self.years
    }

    /// The ledger as the trial's outcome.
    pub fn into_years(self) -> Vec<LineMap<LineYear>> {
        self.years
    }

    #[inline(always)]
    fn current(&self) -> &LineMap<LineYear> {
        let y = self.years.len() - 1;
        &self.years[y]
    }

    #[inline(always)]
    fn current_mut(&mut self) -> &mut LineMap<LineYear> {
        let y = self.years.len() - 1;
        &mut self.years[y]
    }
}
